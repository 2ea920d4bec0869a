/// The journal's MESSAGE_ID of each incident kind, fixed forever: `journalctl -x` finds the
/// explanation in systemd/headroom.catalog, and `journalctl MESSAGE_ID=...` finds one kind.
/// The first three kinds keep the ID Headroom has always used.
extension Incident.Kind {
    public var journalMessageID: String {
        switch self {
        case .restart, .noActionableCulprit, .kernelOomKill: "a6acf2a699bb47eaab515bf24f51f08b"
        case .throttle: "b562c4f8091f4700a8fd79578eb8e49a"
        case .contain: "baced39c59af44efadf38eb28aafaf80"
        case .runawayProcess: "514c895ee1174a14a6347658b6f065fa"
        }
    }
}
