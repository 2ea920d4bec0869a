/// One incident per episode, not per flap of the level (DESIGN §5).
///
/// An episode begins when the level leaves calm and ends only after it has been calm for
/// `quietSeconds`; a level that drops to calm and rises again within that time continues
/// the same episode, so its actions land in the same incident file.
public struct IncidentEpisodes: Equatable, Sendable {
    public enum Event: Equatable, Sendable {
        /// Open a new incident for episode `number`.
        case began(number: Int)
        /// Close the episode's incident.
        case ended(number: Int)
    }

    public let quietSeconds: Double
    public private(set) var current: Int?
    private var calmSince: Double?
    private var count = 0

    public init(quietSeconds: Double) { self.quietSeconds = quietSeconds }

    public mutating func observe(level: PressureLevel, at time: Double) -> Event? {
        if level != .calm {
            calmSince = nil
            guard current == nil else { return nil }
            count += 1
            current = count
            return .began(number: count)
        }
        guard let episode = current else { return nil }
        let since = calmSince ?? time
        calmSince = since
        guard time - since >= quietSeconds else { return nil }
        current = nil
        calmSince = nil
        return .ended(number: episode)
    }
}
