/// A repeated "could not act" is filed at most once per cause per `repeatSeconds`
/// (DESIGN §5): the first tells ops what is wrong, the next 50 would only bury it.
public struct NoActionLimiter: Sendable {
    public let repeatSeconds: Double
    private var lastFiled: [CulpritChooser.NoActionReason: Double] = [:]

    public init(repeatSeconds: Double) { self.repeatSeconds = repeatSeconds }

    /// Whether to file `reason` now; records it when yes.
    /// The amount in `memoryInSharedMemory` moves every tick; the cause is the unit and where.
    public mutating func shouldFile(_ reason: CulpritChooser.NoActionReason, at time: Double) -> Bool {
        var reason = reason
        if case .memoryInSharedMemory(let unit, _) = reason { reason = .memoryInSharedMemory(unit: unit, bytes: 0) }
        if let last = lastFiled[reason], time - last < repeatSeconds { return false }
        lastFiled[reason] = time
        if lastFiled.count > 64 { lastFiled = lastFiled.filter { time - $0.value < repeatSeconds } }
        return true
    }
}
