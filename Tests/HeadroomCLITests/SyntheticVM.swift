import FoundationEssentials
import HeadroomCore

/// A fixture root of a VM of any size, written from figures: installed RAM as 128 MiB memory
/// blocks, MemTotal = installed less the kernel's reserve, MemAvailable, and one cgroup per
/// unit (all anon, so the working set is memory.current).
struct SyntheticVM {
    static let mib: UInt64 = 1 << 20
    let scratch: ScratchDirectory
    let root: String

    /// - Parameters:
    ///   - units: unit name and MiB, under system.slice.
    init(installedGiB: UInt64, availablePercent: UInt64 = 50, units: [(String, UInt64)]) throws {
        scratch = try ScratchDirectory()
        root = scratch.path + "/vm"
        let installed = installedGiB << 30
        let memTotal = installed - Swift.max(100 * Self.mib, installed / 50)
        let kib = { (bytes: UInt64) in bytes / 1024 }
        let available = memTotal / 100 * availablePercent
        try write("proc/meminfo", """
            MemTotal:       \(kib(memTotal)) kB
            MemFree:        \(kib(available) / 2) kB
            MemAvailable:   \(kib(available)) kB
            Buffers:        1024 kB
            Cached:         204800 kB
            Active(file):   102400 kB
            Inactive(file): 102400 kB
            SwapTotal:      1048572 kB
            SwapFree:       1048572 kB

            """)
        try write("proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
            + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
        try write("proc/vmstat", "pgmajfault 0\npswpin 0\npswpout 0\noom_kill 0\n")
        try write("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/vdb partition 1048572 0 -2\n")
        try write("proc/sys/vm/swappiness", "1\n")
        try write("sys/devices/system/memory/block_size_bytes", "8000000\n")
        for block in 0..<(installed / (128 * Self.mib)) {
            try write("sys/devices/system/memory/memory\(block)/online", "1\n")
        }
        try write("sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n")
        try write("sys/fs/cgroup/cgroup.subtree_control", "memory pids\n")
        for (unit, size) in units { try self.unit(unit, bytes: size * Self.mib) }
    }

    func unit(_ name: String, bytes: UInt64) throws {
        let directory = "sys/fs/cgroup/system.slice/\(name)"
        try write("\(directory)/memory.current", "\(bytes)\n")
        try write("\(directory)/memory.stat", "anon \(bytes)\nfile 0\nactive_file 0\ninactive_file 0\nshmem 0\n")
        try write("\(directory)/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
        try write("\(directory)/memory.swap.current", "0\n")
        try write("\(directory)/memory.max", "max\n")
    }

    func write(_ relative: String, _ text: String) throws {
        _ = try scratch.write("vm/" + relative, text)
    }

    /// Every platform unit of the document at an ordinary size (well within its budget).
    static let platformUnits: [(String, UInt64)] = [
        ("telegraf.service", 120), ("sensu-client.service", 90), ("alloy.service", 110),
        ("filebeat-journal.service", 40), ("filebeat-app.service", 35), ("systemd-journald.service", 30),
        ("fail2ban.service", 45), ("nix-daemon.service", 30), ("fc-agent.service", 60),
        ("sshd.service", 5), ("systemd-logind.service", 3), ("dbus.service", 2), ("nscd.service", 4),
    ]
}
