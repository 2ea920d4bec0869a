import Foundation
import HeadroomCore

/// A state directory with an incident spool, a config, and the built `headroom-ship`.
final class ShipFixture {
    let path: String
    var state: String { path + "/state" }
    var incidents: String { state + "/incidents" }
    var tickets: String { state + "/tickets" }
    var record: String { path + "/requests.jsonl" }
    var config: String { path + "/config.json" }

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/headroom-ship-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/state/incidents", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A schema 1 incident file as the daemon writes it (the fields `headroom incidents` reads,
    /// and a few more), written atomically.
    func writeIncident(_ id: String, outcome: String, startedAtMs: Int64, updatedAtMs: Int64? = nil) throws {
        let updated = updatedAtMs ?? startedAtMs
        let document: JSONValue = .object([
            "schema": .integer(1), "id": .string(id), "kind": .string("restart"), "host": .string("test-vm"),
            "boot_id": .string("0d1b2c3a-0000-4000-8000-000000000001"),
            "started_at": .string(RFC3339.utc(milliseconds: startedAtMs)),
            "updated_at": .string(RFC3339.utc(milliseconds: updated)),
            "started_at_ms": .integer(startedAtMs), "updated_at_ms": .integer(updated),
            "level": .string("critical"), "dry_run": .bool(false), "culprit": .string("leak.service"),
            "actions": .array([]), "outcome": .string(outcome),
            "narrative": .string("leak.service grew by 1.2 GiB in 20 s; restarted it."),
        ])
        let file = incidents + "/" + id + ".json"
        try Data((document.rendered() + "\n").utf8).write(to: URL(fileURLWithPath: file + ".new"))
        guard rename(file + ".new", file) == 0 else { throw TestFailure("rename to \(file) failed") }
    }

    func writeConfig(url: String?, initial: Double = 1, maximum: Double = 4, timeout: Double = 1,
                     headers: [String: String] = [:], headersFile: String? = nil,
                     allowInsecureHTTP: Bool = false) throws {
        let tickets: JSONValue = .object([
            "url": url.map(JSONValue.string) ?? .null,
            "headers": .object(headers.mapValues(JSONValue.string)),
            "headers_file": headersFile.map(JSONValue.string) ?? .null,
            "allow_insecure_http": .bool(allowInsecureHTTP),
            "timeout_seconds": .number(timeout),
            "retry_initial_seconds": .number(initial),
            "retry_maximum_seconds": .number(maximum),
        ])
        try Data(JSONValue.object(["tickets": tickets]).rendered().utf8).write(to: URL(fileURLWithPath: config))
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: state + "/" + relative) }

    func ticketFiles(_ suffix: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tickets)) ?? []
        return Set(names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.map { String($0.dropLast(suffix.count)) })
    }

    /// A `.queued` or `.delivered` record's JSON.
    func ticketRecord(_ id: String, _ suffix: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: tickets + "/" + id + suffix))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("\(id)\(suffix) is not a JSON object")
        }
        return object
    }

    struct Run {
        let code: Int32
        let stdout: String
        let stderr: String
    }

    /// The `headroom-ship` binary SwiftPM built next to the test bundle.
    static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" || directory.path.hasSuffix(".xctest/Contents") {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("headroom-ship").path
    }

    /// Runs `headroom-ship --config C --state-dir S ARGUMENTS` to its end.
    func ship(_ arguments: [String] = [], withConfig: Bool = true, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = (withConfig ? ["--config", config, "--state-dir", state] : []) + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(code: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                   stderr: String(decoding: err, as: UTF8.self))
    }
}
