/// The condition that raised the level: which signal, its value and its threshold.
public struct Trigger: Equatable, Sendable {
    public enum Signal: String, Equatable, Sendable {
        /// Seconds until MemAvailable reaches zero at the recent slope (the level machine's).
        case forecast
        /// Seconds until available memory plus usable swap runs out (`ExhaustionHorizon`):
        /// what the policy acts on.
        case horizon
        /// MemAvailable as a percentage of MemTotal.
        case available
        /// PSI full avg10 (all tasks stalled).
        case psiFull = "psi_full"
        /// PSI some avg10.
        case psiSome = "psi_some"
        /// Swap used as a percentage of swap total.
        case swapUsed = "swap_used"
        /// The kernel's OOM killer fired (`/proc/vmstat` oom_kill).
        case kernelOomKill = "kernel_oom_kill"
    }

    public var signal: Signal
    public var value: Double
    public var threshold: Double
    /// How long the condition had held when it was acted on.
    public var heldSeconds: Double

    public var sentence: String {
        switch signal {
        case .forecast: "memory would have run out in ~\(Int(value.rounded())) s (threshold \(Int(threshold)) s)"
        case .horizon: "memory plus usable swap would have run out in ~\(Int(value.rounded())) s "
            + "(threshold \(Int(threshold)) s)"
        case .available: "only \(String(format2: value)) % of memory was available (threshold \(String(format2: threshold)) %)"
        case .psiFull: "all tasks stalled on memory \(String(format2: value)) % of the last 10 s (threshold \(String(format2: threshold)) %)"
        case .psiSome: "tasks stalled on memory \(String(format2: value)) % of the last 10 s (threshold \(String(format2: threshold)) %)"
        case .swapUsed: "swap was \(String(format2: value)) % full (threshold \(String(format2: threshold)) %)"
        case .kernelOomKill: "the kernel OOM killer fired \(Int(value)) time(s)"
        }
    }
}
