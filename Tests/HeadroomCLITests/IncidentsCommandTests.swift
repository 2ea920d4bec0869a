#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
@testable import HeadroomCore
import HeadroomLinux
import Testing

/// Incidents as the supervisor files them, started `startedAtMs` (also used by the check and metrics tests).
func incident(_ id: String, startedAtMs: Int64 = 1_800_000_000_123, culprit: String? = "leaky.service",
                      outcome: Incident.Outcome = .recovered) -> Incident {
    let mib: UInt64 = 1 << 20
    var info = Meminfo()
    info.memTotal = 2048 * mib
    info.memAvailable = 40 * mib
    info.swapTotal = 1024 * mib
    info.swapFree = 1000 * mib
    let system = SystemSample(meminfo: info, pressure: Pressure(some: PressureLine(avg10: 61.5), full: PressureLine(avg10: 42)),
                              vmstat: Vmstat(), swaps: [], swappiness: 10,
                              installed: InstalledMemory(bytes: 2200 * mib, source: .memoryBlocks))
    let candidates = [
        Candidate(unit: "leaky.service", category: .application, workingSetBytes: 900 * mib, overBytes: 0,
                  growthBytes: 600 * mib, growthWindowSeconds: 60, swapBytes: 24 * mib, pressureSomeAvg10: 12.5,
                  weight: 2, score: 4075, exclusion: nil),
        Candidate(unit: "sshd.service", category: .userland, workingSetBytes: 8 * mib, overBytes: 0, growthBytes: 0,
                  growthWindowSeconds: 60, swapBytes: 0, pressureSomeAvg10: 0, weight: 1, score: 2,
                  exclusion: .protected),
    ]
    let trigger = Trigger(signal: .available, value: 1.95, threshold: 3, heldSeconds: 4.5)
    var incident = Incident(
        id: id, kind: culprit == nil ? .noActionableCulprit : .restart, startedAtMs: startedAtMs,
        updatedAtMs: startedAtMs + 2500, level: .critical, trigger: trigger,
        system: Incident.SystemSnapshot(system, forecastSeconds: 12), budget: nil, candidates: candidates,
        culprit: culprit, outcome: outcome, narrative: "Narrative of \(id): \(trigger.sentence).", dryRun: false)
    if let culprit {
        incident.actions = [Incident.ActionRecord(kind: .restart, unit: culprit, issuedAtMs: startedAtMs,
                                                  result: "done", finishedAtMs: startedAtMs + 2000, dryRun: false)]
        incident.memoryReleasedBytes = Int64(850 * mib)
    }
    return incident
}

private func mode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o7777
}

private func names(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

/// Sets a file's mtime to `seconds` since 1970.
private func setModified(_ path: String, seconds: Int) {
    var times = [timeval(tv_sec: seconds, tv_usec: 0), timeval(tv_sec: seconds, tv_usec: 0)]
    _ = utimes(path, &times)
}

private let day: Int64 = 86_400_000

@Suite("incident store")
struct IncidentStoreTests {
    @Test("write: <id>.json, mode 0640, directory created 0750, no temporary file left, the document inside")
    func write() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.path + "/state/incidents"
        let store = IncidentStore(directory: directory)
        let path = try store.write(incident("1800000000-1"), host: "vm01", bootId: "b00t")
        #expect(path == directory + "/1800000000-1.json")
        #expect(mode(path) == 0o640)
        #expect(mode(directory) == 0o750)
        #expect(names(in: directory) == ["1800000000-1.json"])
        let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(document["schema"]?.int == 1)
        #expect(document["host"]?.string == "vm01")
        #expect(document["boot_id"]?.string == "b00t")
        #expect(document["culprit"]?.string == "leaky.service")
        #expect(try store.read(id: "1800000000-1") == document)
    }

    @Test("rewriting the same id replaces the file")
    func rewrite() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path)
        var first = incident("1800000000-1", outcome: .pending)
        try store.write(first, host: "h", bootId: "b")
        first.outcome = .notRecovered
        first.narrative = "updated"
        first.updatedAtMs += 60_000
        let path = try store.write(first, host: "h", bootId: "b")
        #expect(names(in: scratch.path) == ["1800000000-1.json"])
        #expect(mode(path) == 0o640)
        let document = try store.read(id: "1800000000-1")
        #expect(document["outcome"]?.string == "not_recovered")
        #expect(document["narrative"]?.string == "updated")
        #expect(document["updated_at_ms"]?.int == 1_800_000_062_623)
    }

    @Test("a write that cannot happen is an error naming the path and the reason")
    func writeFailure() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("state", "not a directory\n")
        let store = IncidentStore(directory: file + "/incidents")
        #expect {
            try store.write(incident("1800000000-1"), host: "h", bootId: "b")
        } throws: { error in
            guard let error = error as? IncidentStoreError else { return false }
            return error.kind == .system(ENOTDIR) && error.description.hasPrefix(file + ": ")
                && error.description.contains("Not a directory")
        }
        #expect(names(in: scratch.path) == ["state"])
    }

    @Test("ids that could leave the directory are refused before any path is built",
          arguments: ["../evil", "a/b", "", ".", "..", ".hidden", "id with space", "x\u{0}y", "é"])
    func badIds(id: String) throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path + "/incidents")
        #expect(!IncidentStore.isValid(id: id))
        #expect { try store.read(id: id) } throws: { ($0 as? IncidentStoreError)?.kind == .invalidId }
        #expect { try store.write(incident(id), host: "h", bootId: "b") } throws: {
            ($0 as? IncidentStoreError)?.kind == .invalidId
        }
        #expect(names(in: scratch.path).isEmpty)
    }

    @Test("read: an unknown id is notFound, a file that is not JSON is malformed")
    func readErrors() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path)
        #expect { try store.read(id: "nope") } throws: { ($0 as? IncidentStoreError)?.kind == .notFound }
        _ = try scratch.write("broken.json", "{\"schema\": 1,")
        #expect { try store.read(id: "broken") } throws: { error in
            guard let error = error as? IncidentStoreError else { return false }
            return error.kind == .malformed && error.path == scratch.path + "/broken.json"
        }
    }

    @Test("prune by count: the oldest beyond keepCount go; other files are left alone")
    func pruneByCount() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 3, keepDays: 90)
        let base: Int64 = 1_800_000_000_000
        // Written out of order: age is started_at_ms, not the order of writing.
        for (index, offset) in [3, 0, 4, 1, 2].enumerated() {
            try store.write(incident("i\(offset)", startedAtMs: base + Int64(offset) * 60_000), host: "h",
                            bootId: "b\(index)")
        }
        _ = try scratch.write("notes.txt", "keep me")
        _ = try scratch.write(".i9.json.tmp", "{}")
        let removed = store.prune(nowMs: base + day)
        #expect(Set(removed) == [scratch.path + "/i0.json", scratch.path + "/i1.json"])
        #expect(names(in: scratch.path) == [".i9.json.tmp", "i2.json", "i3.json", "i4.json", "notes.txt"])
        #expect(store.prune(nowMs: base + day).isEmpty)
    }

    @Test("prune by age: started_at_ms older than keepDays goes; a file without it is judged by its mtime")
    func pruneByAge() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path, keepCount: 500, keepDays: 2)
        let now: Int64 = 1_800_000_000_000
        try store.write(incident("old", startedAtMs: now - 3 * day), host: "h", bootId: "b")
        try store.write(incident("recent", startedAtMs: now - 2 * day + 60_000), host: "h", bootId: "b")
        let staleBroken = try scratch.write("stale-broken.json", "{")
        setModified(staleBroken, seconds: Int((now - 5 * day) / 1000))
        let freshBroken = try scratch.write("fresh-broken.json", "{")
        setModified(freshBroken, seconds: Int((now - day) / 1000))
        let removed = store.prune(nowMs: now)
        #expect(Set(removed) == [scratch.path + "/old.json", staleBroken])
        #expect(names(in: scratch.path) == ["fresh-broken.json", "recent.json"])
    }

    @Test("list: newest first; a malformed file is a problem and the others are still listed")
    func listWithProblems() throws {
        let scratch = try ScratchDirectory()
        let store = IncidentStore(directory: scratch.path)
        try store.write(incident("a-older", startedAtMs: 1_800_000_000_000), host: "h", bootId: "b")
        try store.write(incident("b-newer", startedAtMs: 1_800_000_100_000, culprit: nil, outcome: .noAction),
                        host: "h", bootId: "b")
        _ = try scratch.write("broken.json", "{\"schema\": ")
        let future = try store.read(id: "a-older").replacing("schema", with: .integer(7))
        _ = try scratch.write("future.json", future.rendered())
        _ = try scratch.write("renamed.json", try store.read(id: "a-older").rendered())
        _ = try scratch.write(".tmp-thing.json", "{")
        _ = try scratch.write("README", "not an incident")

        let (summaries, problems) = store.list()
        #expect(summaries.map(\.id) == ["b-newer", "a-older"])
        #expect(summaries[0].culprit == nil)
        #expect(summaries[0].outcome == .noAction)
        #expect(summaries[1].culprit == "leaky.service")
        #expect(problems.count == 3)
        #expect(problems.contains { $0.hasPrefix(scratch.path + "/broken.json: not valid JSON") })
        #expect(problems.contains(scratch.path + "/future.json: schema: schema 7 is not supported "
                                      + "(this headroom reads schema 1)"))
        #expect(problems.contains(scratch.path + "/renamed.json: id: 'a-older' does not match the file name"))
    }

    @Test("list: a directory that does not exist holds no incidents")
    func listMissingDirectory() throws {
        let scratch = try ScratchDirectory()
        let (summaries, problems) = IncidentStore(directory: scratch.path + "/none").list()
        #expect(summaries.isEmpty)
        #expect(problems.isEmpty)
    }
}

@Suite("headroom incidents")
struct IncidentsCommandTests {
    /// A state directory holding two incidents and one broken file.
    private func stateDirectory(_ scratch: ScratchDirectory) throws -> String {
        let state = scratch.path + "/state"
        let store = IncidentStore(directory: state + "/incidents")
        try store.write(incident("1800000000-1", startedAtMs: 1_800_000_000_123), host: "vm01", bootId: "b")
        try store.write(incident("1800000600-2", startedAtMs: 1_800_000_600_000, culprit: nil, outcome: .noAction),
                        host: "vm01", bootId: "b")
        return state
    }

    @Test("list: no incidents yet")
    func listEmpty() throws {
        let scratch = try ScratchDirectory()
        let result = headroom("incidents", "list", "--state-dir", scratch.path)
        #expect(result.code == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "no incidents in \(scratch.path)/incidents\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("list: a table newest first, then each narrative; a broken file is left out on stderr")
    func listText() throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        _ = try scratch.write("state/incidents/broken.json", "[")
        let result = headroom("incidents", "list", "--state-dir", state)
        #expect(result.code == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "ID            STARTED                   KIND                   CULPRIT        OUTCOME")
        #expect(lines[1] == "1800000600-2  2027-01-15T08:10:00.000Z  no_actionable_culprit  -              no_action")
        #expect(lines[2] == "1800000000-1  2027-01-15T08:00:00.123Z  restart                leaky.service  recovered")
        #expect(lines[3] == "")
        #expect(lines[4] == "1800000600-2:")
        #expect(lines[5] == "  Narrative of 1800000600-2: only 1.95 % of memory was available (threshold 3.00 %).")
        #expect(lines[7] == "1800000000-1:")
        #expect(result.stderr.hasPrefix("headroom: left out: \(state)/incidents/broken.json: not valid JSON"))
    }

    @Test("list --json: directory, summaries newest first, problems")
    func listJSON() throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        _ = try scratch.write("state/incidents/broken.json", "[")
        let result = headroom("incidents", "list", "--json", "--state-dir", state)
        #expect(result.code == 0)
        let json = try result.json()
        #expect(json["directory"]?.string == state + "/incidents")
        let incidents = json["incidents"]?.array ?? []
        #expect(incidents.compactMap { $0["id"]?.string } == ["1800000600-2", "1800000000-1"])
        #expect(incidents[1]["started_at"]?.string == "2027-01-15T08:00:00.123Z")
        #expect(incidents[1]["started_at_ms"]?.int == 1_800_000_000_123)
        #expect(incidents[1]["culprit"]?.string == "leaky.service")
        #expect(incidents[0]["culprit"] == .null)
        #expect(incidents[1]["outcome"]?.string == "recovered")
        #expect(incidents[1]["dry_run"] == .bool(false))
        #expect(incidents[1]["narrative"]?.string?.hasPrefix("Narrative of 1800000000-1") == true)
        let problems = json["problems"]?.array.compactMap(\.string) ?? []
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix(state + "/incidents/broken.json: ") == true)
    }

    @Test("list: a state directory that cannot be listed is exit 1")
    func listUnlistable() throws {
        let scratch = try ScratchDirectory()
        _ = try scratch.write("incidents-file/incidents", "a file, not a directory")
        let result = headroom("incidents", "list", "--state-dir", scratch.path + "/incidents-file")
        #expect(result.code == 1)
        #expect(result.stderr.contains("cannot list incidents: \(scratch.path)/incidents-file/incidents: cannot be listed"))
    }

    @Test("show --json: the file's document")
    func showJSON() throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        let result = headroom("incidents", "show", "1800000000-1", "--json", "--state-dir", state)
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let stored = try IncidentStore(directory: state + "/incidents").read(id: "1800000000-1")
        #expect(try result.json() == stored)
        #expect(try result.json()["candidates"]?[0]?["parts"]?["growth_bytes"]?.int == 600 << 20)
    }

    @Test("show: narrative first, then trigger, culprit, candidates with score parts, actions, outcome")
    func showText() throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        let result = headroom("incidents", "show", "1800000000-1", "--state-dir", state)
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let text = result.stdout
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Incident 1800000000-1 on vm01, 2027-01-15T08:00:00.123Z")
        #expect(lines[2] == "Narrative of 1800000000-1: only 1.95 % of memory was available (threshold 3.00 %).")
        let order = ["Trigger    only 1.95 % of memory was available (threshold 3.00 %) [available, held 5 s]",
                     "Culprit    leaky.service", "Candidates (score and its parts):", "Actions:", "Outcome    recovered"]
        let positions = order.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(lines.contains { $0.hasPrefix("  UNIT ") && $0.contains("WORKING SET") && $0.contains("GROWTH") })
        #expect(lines.contains { line in
            ["leaky.service", "application", "4075.00", "900 MiB", "600 MiB", "60 s", "24 MiB", "12.50", "2.00"]
                .allSatisfy(line.contains)
        })
        #expect(lines.contains { $0.contains("sshd.service") && $0.hasSuffix("protected") })
        #expect(lines.contains { line in
            ["restart", "leaky.service", "2027-01-15T08:00:00.123Z", "2027-01-15T08:00:02.123Z", "done"]
                .allSatisfy(line.contains)
        })
        #expect(text.contains("Outcome    recovered; memory released: 850 MiB"))
    }

    @Test("show: an unknown id is exit 1, naming the id and the directory")
    func showUnknown() throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        let result = headroom("incidents", "show", "1799999999-9", "--state-dir", state)
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "headroom: no incident 1799999999-9 in \(state)/incidents\n")
    }

    @Test("show: an id with a path in it is refused", arguments: ["../../etc/passwd", "a/b", ".."])
    func showBadId(id: String) throws {
        let scratch = try ScratchDirectory()
        let state = try stateDirectory(scratch)
        let result = headroom("incidents", "show", id, "--state-dir", state)
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("headroom: invalid incident id '\(id)'"))
    }
}

private extension JSONValue {
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}
