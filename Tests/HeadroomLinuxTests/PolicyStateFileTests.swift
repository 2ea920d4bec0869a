import FoundationEssentials
import HeadroomCore
@testable import HeadroomLinux
import Testing

/// `STATE_DIR/policy-state.json`: read at start (this boot only; a bad file moved aside), written
/// when the policy's memory changed and not otherwise, and restored by the daemon before its first tick.
@Suite("PolicyStateFile: the policy's memory across daemon restarts")
final class PolicyStateFileTests {
    static let boot = "0d1b2c3a-0000-4000-8000-00000000000a"
    static let mib: UInt64 = 1 << 20
    let directory = FileManager.default.temporaryDirectory.path + "/headroom-policy-state-" + UUID().uuidString
    var logged: [(LogLevel, String)] = []

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func file(boot: String = PolicyStateFileTests.boot) -> PolicyStateFile {
        PolicyStateFile(stateDirectory: directory, bootID: boot) { [unowned self] level, message in
            logged.append((level, message))
        }
    }

    static func supervisor(restarts: Int, contained: Bool = false) -> Supervisor {
        var supervisor = Supervisor(settings: SupervisorSettings(), budget: .platformDefault)
        let history = UnitMemoryHistory.Remembered(unit: "worker.service", startedAt: 120.5, restarts: restarts,
                                                   levelAtLastRestart: 700 * mib, settledBytes: 80 * mib,
                                                   earlierSettledBytes: nil)
        let ladders = contained ? [UnitLadder(unit: "worker.service",
                                              step: .contained(memoryMax: 500 * mib, memoryHigh: 450 * mib, since: 130))] : []
        supervisor.restore(histories: [history], ladders: ladders)
        return supervisor
    }

    func text() throws -> String { try String(contentsOfFile: directory + "/policy-state.json", encoding: .utf8) }

    @Test("written, then read back in the same boot: the histories and steps come back")
    func sameBoot() throws {
        let supervisor = Self.supervisor(restarts: 2, contained: true)
        file().save(supervisor)
        let memory = try #require(file().load())
        #expect(memory == PolicyMemory(bootID: Self.boot, supervisor: supervisor))
        #expect(memory.histories.first?.restarts == 2 && memory.ladders.count == 1)
        #expect(logged.isEmpty)
    }

    @Test("a file from another boot is ignored with one info line; an absent file says nothing")
    func anotherBoot() throws {
        #expect(file().load() == nil && logged.isEmpty)
        file().save(Self.supervisor(restarts: 1))
        #expect(file(boot: "0d1b2c3a-0000-4000-8000-00000000000b").load() == nil)
        #expect(logged.count == 1 && logged[0].0 == .info)
        #expect(logged[0].1.contains("it is from another boot (\(Self.boot); this one is 0d1b2c3a-0000-4000-8000-00000000000b)"))
        // Not moved aside: it is a good file of another boot, and the next write replaces it.
        #expect(FileManager.default.fileExists(atPath: directory + "/policy-state.json"))
    }

    @Test("a damaged file is moved aside, naming the file and what is wrong; the daemon starts empty", arguments: [
        ("{\"version\": 1, \"boot_id\": \"x\", \"units\": [{\"unit\": \"a.service\"", "not valid JSON"),
        ("{\"version\": 7, \"boot_id\": \"x\", \"units\": [], \"ladders\": []}", "version 7 is not supported"),
        ("{\"version\": 1, \"boot_id\": \"x\", \"boot_id\": \"y\", \"units\": [], \"ladders\": []}",
         "the key 'boot_id' is given twice"),
    ] as [(String, String)])
    func damaged(content: String, reason: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/policy-state.json"))
        #expect(file().load() == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/policy-state.json"))
        #expect(try String(contentsOfFile: directory + "/policy-state.json.bad", encoding: .utf8) == content)
        #expect(logged.count == 1 && logged[0].0 == .warning)
        let message = logged.first?.1 ?? ""
        #expect(message.hasPrefix("\(directory)/policy-state.json is not a policy state ("))
        #expect(message.contains(reason) && message.contains("moved aside to \(directory)/policy-state.json.bad"), "\(message)")
    }

    @Test("written only when it changed: a ladder step at once, restarts alone at most every 10 s")
    func writtenWhenChanged() throws {
        let state = file()
        let path = directory + "/policy-state.json"
        let calm = Self.supervisor(restarts: 0)
        // Nothing to keep yet: nothing written.
        state.saveIfChanged(PolicyMemory.Fingerprint(calm.policy), supervisor: calm, now: 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        let restarted = Self.supervisor(restarts: 1)
        state.saveIfChanged(PolicyMemory.Fingerprint(restarted.policy), supervisor: restarted, now: 2)
        #expect(try text().contains("\"restarts\" : 1"))
        let again = Self.supervisor(restarts: 2)
        state.saveIfChanged(PolicyMemory.Fingerprint(again.policy), supervisor: again, now: 5)
        #expect(try text().contains("\"restarts\" : 1"), "a restart alone waits for 10 s since the last write")
        let contained = Self.supervisor(restarts: 2, contained: true)
        state.saveIfChanged(PolicyMemory.Fingerprint(contained.policy), supervisor: contained, now: 6)
        #expect(try text().contains("\"step\" : \"contained\"") && text().contains("\"restarts\" : 2"))
        // Unchanged: the file is not touched (its inode would change with an atomic write).
        let inode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
        for now in stride(from: 7.0, to: 100, by: 0.25) {
            state.saveIfChanged(PolicyMemory.Fingerprint(contained.policy), supervisor: contained, now: now)
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode)
        let third = Self.supervisor(restarts: 3, contained: true)
        state.saveIfChanged(PolicyMemory.Fingerprint(third.policy), supervisor: third, now: 100)
        #expect(try text().contains("\"restarts\" : 3"))
    }
}
