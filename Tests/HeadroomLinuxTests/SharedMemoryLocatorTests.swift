#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
import HeadroomLinux
import HeadroomTestSupport
import Testing

@Suite("SharedMemoryLocator")
struct SharedMemoryLocatorTests {
    @Test("live: a file written to /dev/shm shows in that mount's usage")
    func liveDevShm() throws {
        let locator = SharedMemoryLocator()
        let mounts = try locator.tmpfsMounts(pid: nil)
        try #require(mounts.contains { $0.mountPoint == "/dev/shm" }, "this host has no tmpfs at /dev/shm")
        let before = mounts.first { $0.mountPoint == "/dev/shm" }!.usedBytes
        let path = "/dev/shm/headroom-test-\(getpid())"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { unlink(path) }
        let chunk = [UInt8](repeating: 7, count: 1 << 20)
        for _ in 0..<16 { _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        close(fd)
        let after = try locator.tmpfsMounts(pid: getpid()).first { $0.mountPoint == "/dev/shm" }!.usedBytes
        #expect(after >= before + (16 << 20) - (1 << 20), "before \(before), after \(after)")
    }

    @Test("fixture unit: the cgroup's shmem from memory.stat, tmpfs mounts from the process's mountinfo")
    func fixtureUnit() throws {
        let root = FixtureDirectory.path + "/processes"
        let locator = SharedMemoryLocator(paths: KernelPaths(root: root))
        // The fixture has no mounted tmpfs behind proc/18699/root: statvfs fails, so no mount is reported.
        let report = try locator.locate(cgroupDirectory: root + "/sys/fs/cgroup/system.slice/web.service", pid: 18699)
        #expect(report.unitShmemBytes == 6_430_720)
        #expect(report.mounts.isEmpty)
        #expect(report.sentence(minimumBytes: 1 << 20).hasPrefix("6.13 MiB of the unit's memory is shared memory"))
    }
}
