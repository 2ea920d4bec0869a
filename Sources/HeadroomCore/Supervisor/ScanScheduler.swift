/// How much of the cgroup tree a tick reads.
public struct ScanPlan: Equatable, Sendable {
    /// List the tree again (the one part of a tick that allocates).
    public var relist: Bool
    public var detail: ScanDetail

    public init(relist: Bool, detail: ScanDetail) {
        self.relist = relist
        self.detail = detail
    }
}

/// Listing the cgroup tree is done every `relistSeconds` while calm, on every tick under
/// pressure (a new leaker must be seen at once), and after a unit vanished. While calm, only
/// memory.current every tick and memory.stat every few (`ScanDetail.calm`); everything on a
/// relist, under pressure, and when the kernel OOM-killed something (memory.events names the unit).
struct ScanScheduler: Sendable {
    /// How often the cgroup tree is listed again while calm.
    static let relistSeconds = 10.0

    var lastListing = -Double.infinity
    var lastVanished = false
    var calmTicks = 0

    mutating func plan(now: Double, level: PressureLevel, kernelOomKillsChanged: Bool) -> ScanPlan {
        let relist = level != .calm || lastVanished || now - lastListing >= Self.relistSeconds
        if relist { lastListing = now }
        if relist || level != .calm || kernelOomKillsChanged {
            calmTicks = 0
            return ScanPlan(relist: relist, detail: .full)
        }
        calmTicks += 1
        return ScanPlan(relist: false, detail: .calm(tick: calmTicks))
    }
}
