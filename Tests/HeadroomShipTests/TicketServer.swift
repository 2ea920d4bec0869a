import Foundation

/// A real HTTP receiver for the tests: Python's http.server on 127.0.0.1, in a child process,
/// appending one JSON line per request to `record` (Idempotency-Key, the body's host/id, the
/// status it answered). Faults on demand: a fixed status, Retry-After, exit after N answers
/// (the endpoint going down mid-run), or taking one id's request and never answering it.
final class TicketServer {
    static let script = #"""
import argparse, http.server, json, os, signal, sys, threading, time

# The test runner's threads block most signals and a child inherits that mask.
signal.pthread_sigmask(signal.SIG_UNBLOCK, range(1, signal.NSIG))

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file", required=True)
ap.add_argument("--record", required=True)
ap.add_argument("--status", type=int, default=201)
ap.add_argument("--retry-after", default=None)
ap.add_argument("--die-after", type=int, default=0)
ap.add_argument("--hang-once", default=None)
args = ap.parse_args()
lock = threading.Lock()
answered = [0]
hung = [False]

def record(entry):
    with lock:
        with open(args.record, "a") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            doc = json.loads(body)
            body_id = doc.get("host") + "/" + doc.get("id")
        except Exception:
            body_id = None
        key = self.headers.get("Idempotency-Key")
        entry = {"key": key, "body_id": body_id, "path": self.path,
                 "content_type": self.headers.get("Content-Type"),
                 "attempt": self.headers.get("X-Headroom-Attempt"),
                 "authorization": self.headers.get("Authorization")}
        with lock:
            hang = args.hang_once is not None and key is not None and key.endswith("/" + args.hang_once) and not hung[0]
            if hang:
                hung[0] = True
        if hang:
            entry["status"] = "no answer"
            record(entry)
            time.sleep(3)
            self.close_connection = True
            return
        entry["status"] = args.status
        record(entry)
        answer = b'{"ok": true}' if args.status < 300 else b'{"error": "test server says no"}'
        self.send_response(args.status)
        if args.retry_after is not None:
            self.send_header("Retry-After", args.retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        self.wfile.flush()
        with lock:
            answered[0] += 1
            if args.die_after and answered[0] >= args.die_after:
                os._exit(0)

    def log_message(self, *a):
        pass

class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

server = Server(("127.0.0.1", args.port), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
"""#

    static var python: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    }

    let process = Process()
    let port: Int
    let record: String

    /// Starts the server and waits until it listens. `port` 0 picks a free one.
    init(directory: String, port: Int = 0, record: String, arguments: [String] = []) throws {
        let scriptPath = directory + "/ticket-server.py"
        if !FileManager.default.fileExists(atPath: scriptPath) {
            try Data(Self.script.utf8).write(to: URL(fileURLWithPath: scriptPath))
        }
        let portFile = directory + "/port-\(UUID().uuidString)"
        self.record = record
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, scriptPath, "--port", String(port), "--port-file", portFile,
                             "--record", record] + arguments
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let value = Int(text) {
                self.port = value
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw TestFailure("the test HTTP server did not start (\(Self.python) \(scriptPath))")
    }

    var url: String { "http://127.0.0.1:\(port)/tickets" }

    /// Kills the server (SIGKILL: the endpoint going away) and waits for it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Every request the receiver has recorded so far (from every server that used the file).
    static func requests(in record: String) throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object in the record: \(line)")
            }
            return object
        }
    }

    /// A port with nothing listening on it (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
