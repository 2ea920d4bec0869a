import FoundationEssentials
import HeadroomCore
import HeadroomLinux
import Testing

@Suite("Cgroups with invalid unit names: left out, logged once")
struct SkippedCgroupTests {
    @Test("a directory named like a unit but not a valid unit name is reported at the first listing only")
    func reportedOnce() throws {
        let scratch = try ScratchRoot(copying: "guest-3gib")
        let slice = scratch.path + "/sys/fs/cgroup/system.slice"
        try FileManager.default.createDirectory(atPath: slice + "/bad name\u{1B}[2J.service", withIntermediateDirectories: false)
        let sampler = ServiceSampler(visibility: .available(cgroupRoot: scratch.path + "/sys/fs/cgroup"))
        let first = sampler.scan(relist: true)
        #expect(sampler.newlySkipped == ["system.slice/bad name\u{1B}[2J.service"])
        #expect(!first.services.isEmpty)
        _ = sampler.scan(relist: true)
        #expect(sampler.newlySkipped.isEmpty)
        try FileManager.default.createDirectory(atPath: slice + "/other$.scope", withIntermediateDirectories: false)
        _ = sampler.scan(relist: true)
        #expect(sampler.newlySkipped == ["system.slice/other$.scope"])
    }

    @Test("names in log lines: control bytes escaped, cut at 120 characters")
    func printable() {
        #expect(LogText.printable("a\nb\u{1B}c é") == "a\\x0Ab\\x1Bc \\xC3\\xA9")
        let long = LogText.printable(String(repeating: "x", count: 500))
        #expect(long.count == 121)
        #expect(long.hasSuffix("…"))
    }
}
