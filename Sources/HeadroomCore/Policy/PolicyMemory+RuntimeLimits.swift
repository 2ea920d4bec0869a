extension PolicyMemory {
    /// The ladder steps that are still true. A throttle or containment is in force only while
    /// the record of runtime limits (`runtime-limits.json`) holds it: throttles are lifted when
    /// the daemon stops and again at its start, and `headroom release` may have lifted a
    /// containment while the daemon was away. A ladder that believed in a limit no longer set
    /// would hold the unit as "already throttled" or "already contained" and never act again.
    /// A restart awaited is kept: the supervisor ends it on its first tick, since its result
    /// will not come to this daemon.
    /// - Returns: the memory to restore, and a sentence for each step left out.
    public func keeping(limitsIn record: RuntimeLimitRecord) -> (memory: PolicyMemory, dropped: [String]) {
        var kept = self
        var dropped: [String] = []
        kept.ladders = ladders.filter { ladder in
            let needed: (purpose: RuntimeLimitPurpose, what: String)
            switch ladder.step {
            case .idle, .restarting: return true
            case .throttled: needed = (.throttle, "throttle")
            case .contained: needed = (.contain, "containment")
            }
            if record[ladder.unit]?.purpose == needed.purpose { return true }
            dropped.append("\(ladder.unit): its \(needed.what) is no longer in the record of runtime limits "
                + "(lifted since the state was saved); its ladder starts again from the bottom")
            return false
        }
        return (kept, dropped)
    }
}
