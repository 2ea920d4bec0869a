import Foundation
@testable import HeadroomCore
import HeadroomLinux
import Testing

/// Parses Prometheus text with prometheus_client and prints the samples as JSON:
/// [{"name": ..., "labels": {...}, "value": ..., "type": family type}].
private let prometheusParser = """
    import json, sys
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        print("prometheus_client is not installed: run Tests/tools/install-metric-parsers", file=sys.stderr)
        sys.exit(3)
    out = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        for s in family.samples:
            out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type,
                        "help": family.documentation})
    print(json.dumps(out))
    """

/// Parses line protocol, one line at a time, with line-protocol-parser and prints the points as JSON.
private let influxParser = """
    import json, sys
    try:
        from line_protocol_parser import parse_line
    except ImportError:
        print("line-protocol-parser is not installed: run Tests/tools/install-metric-parsers", file=sys.stderr)
        sys.exit(3)
    text = sys.stdin.read()
    if not text.endswith("\\n"):
        print("output does not end in a newline", file=sys.stderr)
        sys.exit(4)
    print(json.dumps([parse_line(line) for line in text.split("\\n")[:-1]]))
    """

private func parse(_ script: String, _ text: String) throws -> [JSONValue] {
    let result = try runProcess("/usr/bin/env", ["python3", "-c", script], input: text)
    guard result.code == 0 else {
        throw TestFailure("the parser refused the output (exit \(result.code)): \(result.stderr)\n--- output:\n\(text)")
    }
    return try JSONValue.parse(Array(result.stdout.utf8)).array
}

/// A Prometheus sample by name and labels.
private func sample(_ samples: [JSONValue], _ name: String, _ labels: [String: String] = [:]) -> Double? {
    samples.first { $0["name"]?.string == name && $0["labels"] == .object(labels.mapValues(JSONValue.string)) }?["value"]?
        .double
}

/// An InfluxDB field by measurement and tags.
private func field(_ points: [JSONValue], _ measurement: String, _ tags: [String: String] = [:], _ name: String)
    -> JSONValue? {
    points.first { $0["measurement"]?.string == measurement && $0["tags"] == .object(tags.mapValues(JSONValue.string)) }?[
        "fields"]?[name]
}

/// The guest-3gib fixture with PSI that is not all zero, a running daemon, and three incidents.
private struct MetricsHost {
    let scratch: ScratchDirectory
    let root: String
    let state: String
    var args: [String] { ["--root", root, "--state-dir", state] }

    init(daemon: Bool = true) throws {
        scratch = try ScratchDirectory()
        root = try scratch.copy(fixture: "guest-3gib")
        state = scratch.path + "/state"
        _ = try scratch.write("guest-3gib/proc/pressure/memory", """
            some avg10=1.23 avg60=4.56 avg300=7.89 total=123456789
            full avg10=0.50 avg60=0.25 avg300=0.10 total=98765

            """)
        if daemon {
            try DaemonStatusFile(paths: KernelPaths(root: root))
                .write(level: .elevated, sinceMs: 1_800_000_000_500, startedAtMs: 1_799_999_000_000, pid: 4242)
            let status = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/run/headroom/status"))))
            _ = try scratch.write("guest-3gib/proc/4242/comm", (status["comm"]?.string ?? "") + "\n")
        }
        let store = IncidentStore(directory: state + "/incidents")
        var restarted = incident("1800000000-1", startedAtMs: 1_800_000_000_000)
        restarted.actions.append(Incident.ActionRecord(kind: .kill, unit: "leaky.service", issuedAtMs: 1_800_000_010_000,
                                                       result: "done", finishedAtMs: nil, dryRun: false))
        var dryRun = incident("1800000000-2", startedAtMs: 1_800_000_100_000, outcome: .dryRun)
        dryRun.actions[0].dryRun = true
        var kill = incident("1800000000-3", startedAtMs: 1_800_000_200_000, culprit: nil, outcome: .kernelOomKill)
        kill.kind = .kernelOomKill
        kill.kernelOomKillsDuring = 2
        for item in [restarted, dryRun, kill] { try store.write(item, host: "vm01", bootId: "b") }
    }

    /// What `headroom budget --json` says for the same root, to compare with.
    func budget() throws -> JSONValue {
        try headroom(["budget", "--json", "--root", root]).json()
    }

    func metrics(_ format: String) throws -> String {
        let result = headroom(["metrics", "--format", format] + args)
        #expect(result.code == 0, "\(result.stderr)")
        return result.stdout
    }
}

/// MemAvailable from the fixture file itself, in bytes.
private func fixtureMemAvailable(_ root: String) throws -> Double {
    let text = try String(contentsOfFile: root + "/proc/meminfo", encoding: .utf8)
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") })
    let kib = try #require(Double(line.split(separator: " ")[1]))
    return kib * 1024
}

@Suite("headroom metrics, read back by real parsers", .serialized)
struct MetricsCommandTests {
    @Test("Prometheus text: prometheus_client parses it; values are the fixture's and the budget's")
    func prometheus() throws {
        let host = try MetricsHost()
        let samples = try parse(prometheusParser, try host.metrics("prometheus"))
        #expect(sample(samples, "headroom_daemon_up") == 1)
        #expect(sample(samples, "headroom_daemon_level_code") == 1)
        #expect(sample(samples, "headroom_daemon_level_since_seconds") == 1_800_000_000.5)
        #expect(sample(samples, "headroom_pressure_avg10_percent", ["kind": "some"]) == 1.23)
        #expect(sample(samples, "headroom_pressure_avg300_percent", ["kind": "full"]) == 0.10)
        #expect(sample(samples, "headroom_pressure_stall_microseconds_total", ["kind": "some"]) == 123_456_789)
        #expect(samples.first { $0["name"]?.string == "headroom_pressure_stall_microseconds_total" }?["type"]
            == .string("counter"))
        #expect(sample(samples, "headroom_memory_available_bytes") == (try fixtureMemAvailable(host.root)))
        #expect(sample(samples, "headroom_vm_swappiness") == 1)

        let budget = try host.budget()
        let monitoring = try #require(budget["categories"]?.array.first { $0["name"]?.string == "monitoring" })
        #expect(sample(samples, "headroom_budget_expected_bytes", ["category": "monitoring"])
            == monitoring["expected_bytes"]?.double)
        #expect(sample(samples, "headroom_budget_actual_bytes", ["category": "monitoring"])
            == monitoring["actual_bytes"]?.double)
        let telegraf = try #require(monitoring["units"]?.array.first { $0["unit"]?.string == "telegraf.service" })
        let unitLabels = ["unit": "telegraf.service", "category": "monitoring"]
        #expect(sample(samples, "headroom_unit_working_set_bytes", unitLabels) == telegraf["actual_bytes"]?.double)
        #expect(sample(samples, "headroom_unit_over_bytes", unitLabels) == telegraf["over_bytes"]?.double)
        #expect((telegraf["over_bytes"]?.double ?? 0) > 0)
        let cache = try #require(budget["categories"]?.array.first { $0["name"]?.string == "cache" })
        #expect(sample(samples, "headroom_budget_counted_bytes", ["category": "cache"]) == cache["counted_bytes"]?.double)
        #expect(sample(samples, "headroom_budget_headroom_bytes", ["category": "application"])
            == budget["application"]?["headroom_bytes"]?.double)

        #expect(sample(samples, "headroom_incidents_files", ["kind": "restart"]) == 2)
        #expect(sample(samples, "headroom_incidents_files", ["kind": "kernel_oom_kill"]) == 1)
        #expect(sample(samples, "headroom_incidents_restarts") == 1)
        #expect(sample(samples, "headroom_incidents_kills") == 1)
        #expect(sample(samples, "headroom_incidents_missed_kernel_oom_kills") == 2)
    }

    @Test("InfluxDB line protocol: line-protocol-parser parses every line; values are the fixture's")
    func influx() throws {
        let host = try MetricsHost()
        let text = try host.metrics("influx")
        let points = try parse(influxParser, text)
        #expect(points.count == text.split(separator: "\n").count)
        #expect(field(points, "headroom_daemon", [:], "up") == .integer(1))
        #expect(field(points, "headroom_daemon", [:], "level") == .string("elevated"))
        #expect(field(points, "headroom_pressure", ["kind": "some"], "avg10_percent") == .number(1.23))
        #expect(field(points, "headroom_pressure", ["kind": "full"], "stall_microseconds_total") == .integer(98765))
        #expect(field(points, "headroom_memory", [:], "available_bytes")?.double == (try fixtureMemAvailable(host.root)))

        let budget = try host.budget()
        let management = try #require(budget["categories"]?.array.first { $0["name"]?.string == "management" })
        #expect(field(points, "headroom_budget", ["category": "management"], "actual_bytes")
            == management["actual_bytes"])
        #expect(field(points, "headroom_budget", ["category": "cache"], "over_bytes") == nil)
        #expect(field(points, "headroom_unit", ["category": "application", "unit": "app-web.service"],
                      "working_set_bytes") != nil)
        #expect(field(points, "headroom_incidents", [:], "missed_kernel_oom_kills") == .integer(2))
        #expect(points.allSatisfy { $0["time"] == .null })
    }

    @Test("no status file: daemon up 0 and no level, in both formats")
    func daemonAbsent() throws {
        let host = try MetricsHost(daemon: false)
        let samples = try parse(prometheusParser, try host.metrics("prometheus"))
        #expect(sample(samples, "headroom_daemon_up") == 0)
        #expect(!samples.contains { ($0["name"]?.string ?? "").hasPrefix("headroom_daemon_level") })
        let points = try parse(influxParser, try host.metrics("influx"))
        #expect(field(points, "headroom_daemon", [:], "up") == .integer(0))
        #expect(field(points, "headroom_daemon", [:], "level") == nil)
    }

    @Test("label and tag values with quotes, backslashes, commas, equals signs and spaces come back intact")
    func escaping() throws {
        let nasty = #"my app,v=2 "x"\y-dev-disk-by\x2duuid.service"#
        let families = [MetricFamily("headroom_unit", "working_set_bytes", help: "a \\ help\nwith a line break",
                                     samples: [.init(.integer(7), labels: [("unit", nasty), ("category", "a b")])]),
                        MetricFamily("headroom_unit", "note", help: "text", samples: [.init(.text(#"say "hi" \ bye"#),
                                                                                                labels: [("unit", nasty), ("category", "a b")])])]
        let samples = try parse(prometheusParser, MetricsRendering.prometheus(families))
        #expect(sample(samples, "headroom_unit_working_set_bytes", ["unit": nasty, "category": "a b"]) == 7)
        #expect(samples.first?["help"] == .string("a \\ help\nwith a line break"))
        #expect(!samples.contains { $0["name"]?.string == "headroom_unit_note" })

        let points = try parse(influxParser, MetricsRendering.influx(families))
        #expect(points.count == 1)
        #expect(field(points, "headroom_unit", ["unit": nasty, "category": "a b"], "working_set_bytes") == .integer(7))
        #expect(field(points, "headroom_unit", ["unit": nasty, "category": "a b"], "note")
            == .string(#"say "hi" \ bye"#))
    }

    @Test("system files missing: exit 1 naming the file")
    func missingFile() throws {
        let host = try MetricsHost(daemon: false)
        try FileManager.default.removeItem(atPath: host.root + "/proc/vmstat")
        let result = headroom(["metrics"] + host.args)
        #expect(result.code == 1)
        #expect(result.stderr.contains(host.root + "/proc/vmstat"))
    }
}
