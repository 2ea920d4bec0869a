import HeadroomCore
import Testing

@Suite("tmpfs mounts and the shared-memory sentence")
struct SharedMemoryTests {
    @Test("tmpfs mount points from a real mountinfo: devtmpfs is not tmpfs, a point mounted twice is listed once")
    func tmpfsFromRealTable() throws {
        #expect(try TmpfsMounts.parse(Fixtures.text("processes/mountinfo")) == ["/dev/shm"])
        let host = try TmpfsMounts.parse(Fixtures.text("processes/proc/18699/mountinfo"))
        #expect(host.contains("/dev/shm") && host.contains("/sys/fs/cgroup") && !host.contains("/dev"))
        #expect(host.filter { $0 == "/dev/shm" }.count == 1)
    }

    @Test("optional fields before the separator and escaped spaces in the mount point")
    func optionalFieldsAndEscapes() throws {
        let text = "40 25 0:40 / /run/user/1000\\040x rw,nosuid shared:12 master:3 - tmpfs tmpfs rw,size=10k\n"
            + "41 25 0:41 / /srv rw - ext4 /dev/vdb rw\n"
        #expect(try TmpfsMounts.parse(KernelText(text, path: "m")) == ["/run/user/1000 x"])
    }

    @Test("a line without the separator is refused with its line number")
    func malformed() {
        do {
            _ = try TmpfsMounts.parse(KernelText("40 25 0:40 / /x rw shared:1 tmpfs tmpfs rw\n", path: "/proc/1/mountinfo"))
            Issue.record("accepted a line without ' - '")
        } catch {
            #expect(error.path == "/proc/1/mountinfo" && error.lineNumber == 1)
        }
    }

    @Test("the sentence names the unit's shmem and the fullest tmpfs mounts, skipping small ones")
    func sentence() {
        let report = SharedMemoryReport(unitShmemBytes: 612 << 20, mounts: [
            .init(mountPoint: "/tmp", usedBytes: 12 << 20), .init(mountPoint: "/run", usedBytes: 1 << 20),
            .init(mountPoint: "/dev/shm", usedBytes: 600 << 20),
        ])
        #expect(report.mounts.map(\.mountPoint) == ["/dev/shm", "/tmp", "/run"])
        #expect(report.sentence(minimumBytes: 8 << 20) == "612 MiB of the unit's memory is shared memory (tmpfs or shm), "
            + "which a restart does not free; tmpfs in use: 600 MiB at /dev/shm, 12 MiB at /tmp")
        let none = SharedMemoryReport(unitShmemBytes: 300 << 20, mounts: [.init(mountPoint: "/run", usedBytes: 1 << 20)])
        #expect(none.sentence().hasSuffix("; no tmpfs mount holds 16 MiB or more"))
        let little = SharedMemoryReport(unitShmemBytes: 0, mounts: [.init(mountPoint: "/dev/shm", usedBytes: 64 << 20)])
        #expect(little.sentence() == "the unit holds 0 B of shared memory (tmpfs or shm)")
    }
}
