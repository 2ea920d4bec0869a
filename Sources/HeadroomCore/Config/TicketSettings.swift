/// Where incidents and metrics go beyond this VM (sections `tickets` and `metrics`).
///
/// The daemon itself never opens a network connection: tickets are delivered from the
/// incident spool by `headroom-ship`, a separate short-lived process, and metrics are
/// written to a local Unix socket (telegraf's socket_listener) without blocking.
public struct TicketSettings: Equatable, Sendable {
    /// The webhook each incident is POSTed to as its JSON file; nil turns delivery off.
    public var url: String?
    /// Extra request headers, e.g. an Authorization token, in the order given.
    public var headers: [TicketHeader] = []
    /// `tickets.headers_file`: a file of `Name: value` lines added to `headers` (a name in both:
    /// the file wins), read by `headroom-ship` at each run so a secret stays out of the config.
    /// A relative name is looked up in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`).
    public var headersFile: String?
    /// `tickets.allow_insecure_http`: send secret headers (Authorization, or any from
    /// `headers_file`) to an `http://` URL. Off: such a run is refused.
    public var allowInsecureHTTP = false
    public var timeoutSeconds: Double = 10
    /// Back-off between attempts for one incident: doubles from the first value up to the maximum.
    public var retryInitialSeconds: Double = 30
    public var retryMaximumSeconds: Double = 3600

    public init() {}
}

public struct TicketHeader: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct MetricsSettings: Equatable, Sendable {
    /// A Unix socket that accepts InfluxDB line protocol (e.g. /run/telegraf/influx.sock); nil = no push.
    public var influxSocket: String?
    public var intervalSeconds: Double = 10

    public init() {}
}
