import FoundationEssentials
import HeadroomCore
import Testing

@Suite("headroom status")
struct StatusCommandTests {
    @Test("on this machine: exit 0 and PSI equal to /proc/pressure/memory",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/pressure/memory")))
    func liveMachine() throws {
        let before = try Pressure.parse(KernelText(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: "/proc/pressure/memory"))), path: "psi"))
        let result = headroom("status", "--json")
        let after = try Pressure.parse(KernelText(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: "/proc/pressure/memory"))), path: "psi"))
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        for (kind, low, high) in [("some", before.some, after.some), ("full", before.full, after.full)] {
            let line = try #require(json["pressure"]?[kind])
            let total = try #require(line["total_us"]?.int)
            #expect(UInt64(total) >= low.totalMicroseconds && UInt64(total) <= high.totalMicroseconds)
            for (name, a, b) in [("avg10", low.avg10, high.avg10), ("avg60", low.avg60, high.avg60),
                                 ("avg300", low.avg300, high.avg300)] {
                let value = try #require(line[name]?.double)
                #expect(value == a || value == b || (min(a, b)...max(a, b)).contains(value))
            }
        }
        // Where this machine has no cgroup v2 memory controller the output must say so.
        if json["per_service_available"] == .bool(false) {
            let reasons = json["unavailable"]?.array.compactMap(\.string) ?? []
            #expect(reasons.contains { $0.hasPrefix("per-service figures are unavailable: ") })
            let text = headroom("status")
            #expect(text.code == 0)
            #expect(text.stdout.contains("per-service figures are unavailable"))
        }
    }

    @Test("a hybrid host's capture: system figures work, per-service figures say why they are missing")
    func hybridHostFixture() throws {
        let root = Fixtures.path("host-hybrid")
        let result = headroom("status", "--root", root, "--json")
        #expect(result.code == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        #expect(json["per_service_available"] == .bool(false))
        #expect(json["services"]?.array.isEmpty == true)
        #expect(json["memory"]?["installed_source"]?.string == "memtotal_fallback")
        #expect(json["memory"]?["installed_bytes"] == json["memory"]?["mem_total_bytes"])
        let reasons = json["unavailable"]?.array.compactMap(\.string) ?? []
        #expect(reasons.contains { $0.contains("\(root)/sys/fs/cgroup (under --root) is not a cgroup v2 mount") })
        #expect(reasons.contains { $0.hasPrefix("installed RAM is unknown") })
        let text = headroom("status", "--root", root)
        #expect(text.stdout.contains("Services: per-service figures are unavailable on this host"))
    }

    @Test("a malformed system file: exit 1 and the message names file and line")
    func malformedSystemFile() throws {
        let scratch = try ScratchDirectory()
        let root = try scratch.copy(fixture: "host-hybrid")
        _ = try scratch.write("host-hybrid/proc/pressure/memory", "some avg10=0.00 avg60=x avg300=0.00 total=0\n")
        let result = headroom("status", "--root", root)
        #expect(result.code == 1)
        #expect(result.stderr.contains("\(root)/proc/pressure/memory:1: averages must be percentages"))
        #expect(result.stdout.isEmpty)
    }

    @Test("a missing system file: exit 1 naming it")
    func missingSystemFile() throws {
        let scratch = try ScratchDirectory()
        let result = headroom("status", "--root", scratch.path)
        #expect(result.code == 1)
        #expect(result.stderr.contains("\(scratch.path)/proc/meminfo: does not exist"))
    }
}
