import ArgumentParser
@testable import HeadroomCLI
import HeadroomCore
import HeadroomLinux
import HeadroomTestSupport
import Testing

@Suite("headroom release")
struct ReleaseCommandTests {
    static let mib: UInt64 = 1 << 20

    func run(_ arguments: [String], _ manager: FakeSystemd?) throws -> CLIResult {
        let command = try #require(try HeadroomCommand.parseAsRoot(arguments) as? ReleaseCommand)
        var output = CommandOutput()
        let code = command.execute(&output) { () throws(UnitPropertyError) -> any UnitPropertyAccess in
            guard let manager else {
                throw UnitPropertyError(kind: .noBus, unit: "the system bus", operation: "connect", message: "No such file or directory")
            }
            return manager
        }
        return CLIResult(code: code, stdout: output.standardOutput, stderr: output.standardError)
    }

    func limit(_ scratch: ScratchDirectory, _ manager: FakeSystemd, _ unit: String, _ purpose: RuntimeLimitPurpose) throws {
        _ = try RuntimeLimitKeeper(systemd: manager, store: RuntimeLimitStore(stateDirectory: scratch.path))
            .apply(unit: unit, purpose: purpose, values: [.memoryMax: 700 * Self.mib], nowMs: 1)
    }

    @Test("release UNIT lifts what Headroom set, says so, and forgets it")
    func releaseOne() throws {
        let scratch = try ScratchDirectory()
        let manager = FakeSystemd(units: ["web.service": [.memoryHigh: RuntimeLimit.infinity, .memoryMax: 2048 * Self.mib]])
        try limit(scratch, manager, "web.service", .contain)
        #expect(manager.units["web.service"]?[.memoryMax] == 700 * Self.mib)
        let result = try run(["release", "web.service", "--state-dir", scratch.path], manager)
        #expect(result.code == 0)
        #expect(result.stdout == "released web.service (contain): MemoryMax=2 GiB (runtime)\n")
        #expect(manager.units["web.service"]?[.memoryMax] == 2048 * Self.mib)
        #expect(try RuntimeLimitStore(stateDirectory: scratch.path).load().isEmpty)
    }

    @Test("--all releases every recorded unit; with none recorded it says so without asking systemd")
    func releaseAll() throws {
        let scratch = try ScratchDirectory()
        let empty = try run(["release", "--all", "--state-dir", scratch.path], nil)
        #expect(empty.code == 0 && empty.stdout.contains("no runtime limits recorded"))
        let manager = FakeSystemd(units: ["a.service": [:], "b.scope": [:]])
        try limit(scratch, manager, "a.service", .throttle)
        try limit(scratch, manager, "b.scope", .contain)
        let result = try run(["release", "--all", "--state-dir", scratch.path], manager)
        #expect(result.code == 0)
        #expect(result.stdout.split(separator: "\n").map { String($0.prefix(20)) } == ["released a.service (", "released b.scope (co"])
    }

    @Test("a unit Headroom did not limit: an error naming where its limits come from, or that systemd does not know it")
    func notRecorded() throws {
        let scratch = try ScratchDirectory()
        let manager = FakeSystemd(units: ["db.service": [.memoryHigh: 512 * Self.mib, .memoryMax: RuntimeLimit.infinity]])
        let known = try run(["release", "db.service", "--state-dir", scratch.path], manager)
        #expect(known.code == 1)
        #expect(known.stderr.contains("Headroom has set no runtime limit on db.service"))
        #expect(known.stderr.contains("MemoryHigh=512 MiB, MemoryMax=infinity come from its unit files or another tool"))
        let unknown = try run(["release", "nope.service", "--state-dir", scratch.path], manager)
        #expect(unknown.code == 1 && unknown.stderr.contains("systemd does not know the unit either"))
    }

    @Test("no systemd: an error, and the record keeps the unit for a later release")
    func noSystemd() throws {
        let scratch = try ScratchDirectory()
        try limit(scratch, FakeSystemd(units: ["web.service": [:]]), "web.service", .contain)
        let result = try run(["release", "web.service", "--state-dir", scratch.path], nil)
        #expect(result.code == 1)
        #expect(result.stderr == "headroom: cannot reach systemd on the system bus: No such file or directory; nothing was released\n")
        #expect(try RuntimeLimitStore(stateDirectory: scratch.path).load()["web.service"] != nil)
    }

    @Test("bad arguments are refused before anything is read", arguments: [
        ["release"], ["release", "web.service", "--all"], ["release", "web"], ["release", "a b.service"],
    ])
    func badArguments(arguments: [String]) {
        let (code, output) = HeadroomCLI.run(arguments)
        #expect(code == 64, "\(arguments): \(output.standardError)")
    }
}
