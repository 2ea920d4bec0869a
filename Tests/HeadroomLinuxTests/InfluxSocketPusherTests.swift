#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import HeadroomLinux
import Testing

/// A listening Unix stream socket in a fresh temporary directory.
private final class Listener {
    let directory: String
    let path: String
    let fd: Int32

    private let ownsDirectory: Bool

    /// - Parameter directory: where the socket goes; a new temporary directory, removed at the end, by default.
    init(listen shouldListen: Bool = true, in directory: String? = nil) throws {
        ownsDirectory = directory == nil
        self.directory = directory ?? FileManager.default.temporaryDirectory.path + "/headroom-push-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        path = self.directory + "/influx.sock"
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw SocketError(what: "bind", code: errno) }
        if shouldListen { guard listen(fd, 4) == 0 else { throw SocketError(what: "listen", code: errno) } }
    }

    deinit {
        close(fd)
        unlink(path)
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Accepts the pusher's connection (already queued, so this does not wait).
    func accept() throws -> Int32 {
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw SocketError(what: "accept", code: errno) }
        return client
    }

    /// Everything the connection holds now, without waiting for more.
    static func drain(_ client: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return received }
            received += chunk[..<count]
        }
    }
}

private struct SocketError: Error {
    let what: String
    let code: Int32
}

private func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Runs `body`, checking that it returned within 50 ms: a push never waits.
private func quickly<T>(_ body: () -> T, sourceLocation: SourceLocation = #_sourceLocation) -> T {
    let start = monotonicSeconds()
    let result = body()
    let elapsed = monotonicSeconds() - start
    #expect(elapsed < 0.05, "push took \(elapsed) s", sourceLocation: sourceLocation)
    return result
}

@Suite("InfluxSocketPusher: non-blocking line protocol to a Unix stream socket")
struct InfluxSocketPusherTests {
    @Test("a listening socket receives the payload as sent")
    func delivers() throws {
        let listener = try Listener()
        let pusher = InfluxSocketPusher(path: listener.path)
        let payload = Array("headroom_memory available_bytes=1816440832i\nheadroom_vm swappiness=1i\n".utf8)
        #expect(quickly { pusher.push(payload) } == .sent)
        #expect(pusher.isConnected)
        let client = try listener.accept()
        defer { close(client) }
        #expect(Listener.drain(client) == payload)
        #expect(quickly { pusher.push(payload) } == .sent)
        #expect(Listener.drain(client) == payload)
    }

    @Test("no listener: an error at once, and a connection once one listens")
    func noListener() throws {
        let listener = try Listener(listen: false)
        let missing = InfluxSocketPusher(path: listener.directory + "/absent.sock")
        #expect(quickly { missing.push(Array("m x=1i\n".utf8)) } == .dropped(.connect(errno: ENOENT)))
        #expect(!missing.isConnected)

        let refused = InfluxSocketPusher(path: listener.path)
        #expect(quickly { refused.push(Array("m x=1i\n".utf8)) } == .dropped(.connect(errno: ECONNREFUSED)))
        #expect(listen(listener.fd, 4) == 0)
        #expect(quickly { refused.push(Array("m x=2i\n".utf8)) } == .sent)

        let tooLong = InfluxSocketPusher(path: "/" + String(repeating: "x", count: 200))
        #expect(tooLong.push(Array("m x=1i\n".utf8)) == .dropped(.pathTooLong))
    }

    @Test("a full socket: pushes are dropped without waiting, and the listener only ever reads whole lines")
    func fullBuffer() throws {
        let listener = try Listener()
        let pusher = InfluxSocketPusher(path: listener.path)
        // 12000 lines, about 480 KB: more than the socket's send buffer (208 KiB by default), so the
        // first push goes only in part and its rest waits.
        let lineCount = 12000
        func payload(_ number: Int) -> [UInt8] {
            Array((0..<lineCount).map { "headroom_test,push=\(number) line=\($0)i\n" }.joined().utf8)
        }
        var results: [InfluxSocketPusher.PushResult] = []
        var pushed: [Int] = []
        for number in 0..<2000 {
            let bytes = payload(number)
            let result = quickly { pusher.push(bytes) }
            results.append(result)
            if result != .dropped(.busy) { pushed.append(number) }
            if results.suffix(3).allSatisfy({ $0 == .dropped(.busy) }) && results.count >= 3 { break }
        }
        #expect(results.last == .dropped(.busy), "the socket never filled: \(results.count) pushes")
        #expect(results.contains { if case .deferred = $0 { true } else { false } }, "no push went in part: \(results)")
        #expect(pusher.isConnected)

        // The listener catches up: pushes send the rest of the payload cut short first, then their own.
        let client = try listener.accept()
        defer { close(client) }
        var received: [UInt8] = []
        let next = 100_000
        let small = Array((0..<10).map { "headroom_test,push=\(next) line=\($0)i\n" }.joined().utf8)
        var last = InfluxSocketPusher.PushResult.dropped(.busy)
        for _ in 0..<100 where last != .sent {
            received += Listener.drain(client)
            last = quickly { pusher.push(small) }
        }
        #expect(last == .sent)
        received += Listener.drain(client)

        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n").map(String.init)
        let expected = pushed.flatMap { number in (0..<lineCount).map { "headroom_test,push=\(number) line=\($0)i" } }
            + (0..<10).map { "headroom_test,push=\(next) line=\($0)i" }
        #expect(lines.count == expected.count)
        let firstDifference = (0..<min(lines.count, expected.count)).first { lines[$0] != expected[$0] }
        #expect(firstDifference == nil,
                "line \(firstDifference ?? 0) arrived cut, twice or out of order: \(firstDifference.map { lines[$0] } ?? "")")
    }

    @Test("the listener going away: one send error, then a new connection to the next listener")
    func reconnects() throws {
        let first = try Listener()
        let pusher = InfluxSocketPusher(path: first.path)
        #expect(pusher.push(Array("m x=1i\n".utf8)) == .sent)
        close(try first.accept())
        let failed = quickly { pusher.push(Array("m x=2i\n".utf8)) }
        #expect(failed == .dropped(.send(errno: EPIPE)) || failed == .dropped(.send(errno: ECONNRESET)), "\(failed)")
        #expect(!pusher.isConnected)
        #expect(String(describing: failed).hasPrefix("dropped: cannot send: "))

        unlink(first.path)
        #expect(quickly { pusher.push(Array("m x=3i\n".utf8)) } == .dropped(.connect(errno: ENOENT)))
        let second = try Listener(in: first.directory)
        #expect(quickly { pusher.push(Array("m x=4i\n".utf8)) } == .sent)
        let client = try second.accept()
        defer { close(client) }
        #expect(Listener.drain(client) == Array("m x=4i\n".utf8))
        // The first listener owns the directory: it must outlive the second.
        withExtendedLifetime(first) {}
    }
}
