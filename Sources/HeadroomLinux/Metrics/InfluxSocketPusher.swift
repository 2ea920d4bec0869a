#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends rendered InfluxDB line protocol to a local Unix **stream** socket, such as telegraf's
/// `[[inputs.socket_listener]] service_address = "unix:///run/telegraf/influx.sock"`
/// (`data_format = "influx"`), without ever blocking the daemon's loop.
///
/// - The socket is `SOCK_STREAM | SOCK_NONBLOCK`, connected lazily on the first push and again
///   on the push after any failure; every send is `MSG_DONTWAIT | MSG_NOSIGNAL`.
/// - A payload the socket has no room for is dropped whole (`.dropped(.busy)`).
/// - A payload the socket takes only part of: the rest is kept (one payload at most, in a
///   buffer that is reused) and sent before anything else on the next push, so the listener
///   never reads a truncated line; until it has gone out, new payloads are dropped as busy.
///   On a connection error the rest is dropped with the connection: the listener is gone.
/// - Nothing throws: `push` returns what happened, for the caller to log when it changes
///   (`PushResult` is `Equatable`). Describing a result allocates; pushing does not, once the
///   connection is up and the pending buffer has grown to the payload's size.
///
/// Not thread-safe: one owner (the daemon's loop) calls `push`.
public final class InfluxSocketPusher {
    public enum PushResult: Equatable, Sendable, CustomStringConvertible {
        /// The whole payload went to the socket.
        case sent
        /// Part went; `pending` bytes are kept and go first on the next push.
        case deferred(pending: Int)
        /// None of this payload went.
        case dropped(DropReason)

        public var description: String {
            switch self {
            case .sent: "sent"
            case .deferred(let pending): "sent in part; \(pending) bytes wait for the next push"
            case .dropped(let reason): "dropped: \(reason)"
            }
        }
    }

    public enum DropReason: Error, Equatable, Sendable, CustomStringConvertible {
        /// The socket's buffer is full (EAGAIN), or an earlier payload's rest is still waiting.
        case busy
        /// The path does not fit in `sockaddr_un` (107 bytes).
        case pathTooLong
        /// socket(2) failed.
        case socket(errno: Int32)
        /// connect(2) failed: no listener (ENOENT, ECONNREFUSED), its backlog full (EAGAIN), EACCES, ...
        case connect(errno: Int32)
        /// send(2) failed with the connection up (EPIPE, ECONNRESET, ...): it is closed and re-opened
        /// on the next push.
        case send(errno: Int32)

        public var description: String {
            switch self {
            case .busy: "the socket is full (the listener is not reading)"
            case .pathTooLong: "the socket path is longer than 107 bytes"
            case .socket(let code): "cannot create a socket: \(String(cString: strerror(code)))"
            case .connect(let code): "cannot connect: \(String(cString: strerror(code)))"
            case .send(let code): "cannot send: \(String(cString: strerror(code)))"
            }
        }
    }

    public let path: String
    private var address = sockaddr_un()
    private let pathFits: Bool
    private var fd: Int32 = -1
    /// The unsent rest of a payload the socket took only part of.
    private var pending: [UInt8] = []
    private var pendingOffset = 0

    public init(path: String) {
        self.path = path
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        pathFits = !bytes.isEmpty && bytes.count < capacity
        if pathFits {
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
        }
    }

    deinit { disconnect() }

    /// Whether a connection is open now.
    public var isConnected: Bool { fd >= 0 }

    /// Sends `payload` (complete lines, each ending in "\n") if the socket can take it now.
    @discardableResult
    public func push(_ payload: [UInt8]) -> PushResult {
        if fd < 0, let failure = connect() { return .dropped(failure) }
        if pendingOffset < pending.count {
            switch send(pending, from: pendingOffset) {
            case .failure(let reason): return .dropped(reason)
            case .success(let sent):
                pendingOffset += sent
                guard pendingOffset == pending.count else { return .dropped(.busy) }
            }
        }
        guard !payload.isEmpty else { return .sent }
        switch send(payload, from: 0) {
        case .failure(let reason):
            return .dropped(reason)
        case .success(let sent) where sent == payload.count:
            return .sent
        case .success(let sent) where sent == 0:
            return .dropped(.busy)
        case .success(let sent):
            pending.removeAll(keepingCapacity: true)
            pending.append(contentsOf: payload[sent...])
            pendingOffset = 0
            return .deferred(pending: pending.count)
        }
    }

    /// Closes the connection; the next push connects again. Any unsent rest is dropped.
    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
    }

    private func connect() -> DropReason? {
        guard pathFits else { return .pathTooLong }
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                                  | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { return .socket(errno: errno) }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // A Unix stream connect completes at once or fails (EAGAIN when the backlog is full);
        // EINPROGRESS is not expected but would mean the same: not usable now.
        guard result == 0 else {
            let code = errno
            close(socketFD)
            return .connect(errno: code)
        }
        fd = socketFD
        return nil
    }

    /// Bytes sent (0 when the socket is full); a failure closes the connection.
    private func send(_ bytes: [UInt8], from offset: Int) -> Result<Int, DropReason> {
        while true {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if sent >= 0 { return .success(sent) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .success(0) }
            disconnect()
            return .failure(.send(errno: code))
        }
    }
}
