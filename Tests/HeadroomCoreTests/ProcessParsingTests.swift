import HeadroomCore
import Testing

@Suite("procfs process files and cgroup.procs")
struct ProcessParsingTests {
    @Test("status of a process with anon and shared memory: every figure in bytes, as the file says in kB")
    func statusWithMemory() throws {
        let status = try ProcessStatus.parse(Fixtures.text("processes/proc/18699/status"))
        #expect(status.name == "python3")
        #expect(status.residentBytes == 69052 * 1024)
        #expect(status.anonBytes == 56036 * 1024)
        #expect(status.fileBytes == 6736 * 1024)
        #expect(status.shmemBytes == 6280 * 1024)
        #expect(status.swapBytes == 0)
        #expect(status.dataBytes == 57104 * 1024)
    }

    @Test("a reservation sums VmData and what of it is neither resident anon nor swapped, per process")
    func reservation() {
        var heap = ProcessStatus()
        heap.dataBytes = 2048 << 20
        heap.anonBytes = 1500 << 20
        heap.swapBytes = 48 << 20
        var small = ProcessStatus()
        small.dataBytes = 8 << 20
        small.anonBytes = 12 << 20 // stack pages count in RssAnon, not VmData: nothing untouched
        let reservation = AddressReservation([heap, small, ProcessStatus()])
        #expect(reservation.dataBytes == 2056 << 20)
        #expect(reservation.untouchedBytes == 500 << 20)
    }

    @Test("a kernel thread's status has no memory lines: all zero, not an error")
    func kernelThread() throws {
        let status = try ProcessStatus.parse(Fixtures.text("processes/proc/2/status"))
        #expect(status.name == "kthreadd")
        #expect(status.residentBytes == 0 && status.anonBytes == 0 && status.swapBytes == 0)
    }

    @Test("malformed status lines name the file and line", arguments: [
        ("Name:\tx\nVmRSS:\t12 MB\n", 2), ("Name:\tx\nno colon here\n", 2), ("VmSwap:\tmany kB\n", 1),
    ])
    func malformedStatus(text: String, line: Int) {
        #expect(throws: KernelFileError.self) { try ProcessStatus.parse(KernelText(text, path: "/proc/9/status")) }
        do {
            _ = try ProcessStatus.parse(KernelText(text, path: "/proc/9/status"))
        } catch {
            #expect(error.path == "/proc/9/status" && error.lineNumber == line)
        }
    }

    @Test("stat: pid, comm, state and start time (field 22) from real files")
    func statFields() throws {
        let python = try ProcessStat.parse(Fixtures.text("processes/proc/18699/stat"))
        #expect(python == ProcessStat(pid: 18699, name: "python3", state: "R", startTicks: 120074))
        let kthreadd = try ProcessStat.parse(Fixtures.text("processes/proc/2/stat"))
        #expect(kthreadd.startTicks == 10 && kthreadd.state == "S" && !kthreadd.isZombie)
    }

    @Test("a command name with spaces and parentheses ends at the last ')'")
    func statOddName() throws {
        let line = "77 (a) b (c)) Z 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0 18446744073709551615\n"
        let stat = try ProcessStat.parse(KernelText(line, path: "/proc/77/stat"))
        #expect(stat == ProcessStat(pid: 77, name: "a) b (c)", state: "Z", startTicks: 555))
        #expect(stat.isZombie)
    }

    @Test("malformed stat is refused", arguments: [
        "", "77 a R 1\n", "x (a) R 1 2 3\n", "77 (a) R 1 2 3\n", "77 (a) RR 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 555\n",
    ])
    func malformedStat(text: String) {
        #expect(throws: KernelFileError.self) { try ProcessStat.parse(KernelText(text, path: "/proc/77/stat")) }
    }

    @Test("cgroup.procs: one pid a line; anything else is refused")
    func cgroupProcesses() throws {
        #expect(try CgroupProcesses.parse(Fixtures.text("processes/sys/fs/cgroup/system.slice/web.service/cgroup.procs"))
            == [18699, 18770, 31337])
        #expect(try CgroupProcesses.parse(KernelText("", path: "p")) == [])
        for bad in ["12 13\n", "-4\n", "0\n", "abc\n", "99999999999\n"] {
            #expect(throws: KernelFileError.self) { try CgroupProcesses.parse(KernelText(bad, path: "p")) }
        }
    }
}
