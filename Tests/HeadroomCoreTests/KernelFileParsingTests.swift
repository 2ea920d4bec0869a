import HeadroomCore
import Testing

@Suite("Kernel files parse into typed values")
struct KernelFileParsingTests {
    @Test("meminfo of the development host gives the same figures as the file")
    func meminfoFromRealHost() throws {
        let file = "host-hybrid/proc/meminfo"
        let info = try Meminfo.parse(Fixtures.text(file))
        #expect(info.memTotal == (try Fixtures.kibibytes("MemTotal", in: file)))
        #expect(info.memAvailable == (try Fixtures.kibibytes("MemAvailable", in: file)))
        #expect(info.activeFile == (try Fixtures.kibibytes("Active(file)", in: file)))
        #expect(info.inactiveFile == (try Fixtures.kibibytes("Inactive(file)", in: file)))
        #expect(info.fileCache == info.activeFile + info.inactiveFile)
        #expect(info.swapTotal == 0)
        #expect(info.swapUsed == 0)
    }

    @Test("PSI lines keep their averages and microsecond totals")
    func pressure() throws {
        let text = KernelText("""
            some avg10=12.34 avg60=5.06 avg300=0.91 total=123456789
            full avg10=0.50 avg60=0.00 avg300=100.00 total=42

            """, path: "memory.pressure")
        let pressure = try Pressure.parse(text)
        #expect(pressure.some == PressureLine(avg10: 12.34, avg60: 5.06, avg300: 0.91, totalMicroseconds: 123_456_789))
        #expect(pressure.full == PressureLine(avg10: 0.5, avg60: 0, avg300: 100, totalMicroseconds: 42))
    }

    @Test("vmstat of the development host: the counters Headroom uses")
    func vmstat() throws {
        let stat = try Vmstat.parse(Fixtures.text("host-hybrid/proc/vmstat"))
        let raw = String(decoding: try Fixtures.text("host-hybrid/proc/vmstat").bytes, as: UTF8.self)
        func value(_ name: String) -> UInt64 {
            UInt64(raw.split(separator: "\n").first { $0.hasPrefix(name + " ") }!.split(separator: " ")[1])!
        }
        #expect(stat.oomKill == value("oom_kill"))
        #expect(stat.pgmajfault == value("pgmajfault"))
        #expect(stat.pgscanKswapd == value("pgscan_kswapd"))
    }

    @Test("/proc/swaps with no swap is an empty list; with devices, KiB become bytes")
    func swaps() throws {
        #expect(try SwapDevice.parseAll(Fixtures.text("host-hybrid/proc/swaps")).isEmpty)
        let text = KernelText("""
            Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
            /dev/vdb                                partition\t1048572\t\t5120\t\t-2
            /swap\\040file                            file\t\t2048\t\t0\t\t10

            """, path: "/proc/swaps")
        let devices = try SwapDevice.parseAll(text)
        #expect(devices == [
            SwapDevice(path: "/dev/vdb", type: "partition", sizeBytes: 1_048_572 * 1024, usedBytes: 5120 * 1024,
                       priority: -2),
            SwapDevice(path: "/swap\\040file", type: "file", sizeBytes: 2048 * 1024, usedBytes: 0, priority: 10),
        ])
    }

    @Test("swappiness, cgroup counters and limits")
    func singleValues() throws {
        #expect(try Swappiness.parse(KernelText("60\n", path: "s")) == 60)
        #expect(try Swappiness.parse(KernelText("200\n", path: "s")) == 200)
        #expect(try CgroupCounter.parse(KernelText("314572800\n", path: "c")) == 314_572_800)
        #expect(try MemoryLimit.parse(KernelText("max\n", path: "m")) == .unlimited)
        #expect(try MemoryLimit.parse(KernelText("268435456\n", path: "m")) == .bytes(268_435_456))
    }

    @Test("memory.stat and memory.events take the named counters and ignore the rest")
    func cgroupStatAndEvents() throws {
        let stat = try CgroupMemoryStat.parse(KernelText("""
            anon 314572800
            file 4096
            kernel 8192
            shmem 0
            active_file 1024
            inactive_file 3072
            some_future_counter 99

            """, path: "memory.stat"))
        #expect(stat.anon == 314_572_800)
        #expect(stat.inactiveFile == 3072)
        #expect(stat.kernel == 8192)
        let events = try CgroupMemoryEvents.parse(KernelText("low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n",
                                                             path: "memory.events"))
        #expect(events.high == 3 && events.oom == 1 && events.oomKill == 1)
    }

    @Test("installed memory: hexadecimal block size and online flags")
    func memoryBlocks() throws {
        #expect(try InstalledMemory.parseBlockSize(KernelText("8000000\n", path: "b")) == 128 << 20)
        #expect(try InstalledMemory.parseOnline(KernelText("1\n", path: "o")))
        #expect(try !InstalledMemory.parseOnline(KernelText("0\n", path: "o")))
    }

    @Test("the mount table names the cgroup2 mounts")
    func mounts() throws {
        let text = KernelText("""
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            cgroup2 /mnt/with\\040space cgroup2 rw 0 0

            """, path: "/proc/self/mounts")
        #expect(try MountTable.cgroup2MountPoints(text) == ["/sys/fs/cgroup/unified", "/mnt/with space"])
    }
}
