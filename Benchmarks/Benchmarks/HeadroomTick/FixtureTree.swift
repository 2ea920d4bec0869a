import Foundation

/// A fixture root shaped like the 3 GiB Debian guest (Tests/Fixtures/guest-3gib), with
/// exactly `services` unit cgroups under system.slice, each a copy of one of the guest's
/// real units (round-robin), so file sizes and contents are what a live VM shows.
enum FixtureTree {
    static var guest: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/guest-3gib")
    }

    /// - Returns: the root (pass as `--root`); rebuilt on every call.
    static func make(services count: Int) throws -> String {
        let files = FileManager.default
        let root = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("headroom-bench-\(getpid())-\(count)")
        try? files.removeItem(at: root)
        for part in ["proc", "sys/devices"] {
            let target = root.appendingPathComponent(part)
            try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files.copyItem(at: guest.appendingPathComponent(part), to: target)
        }
        let cgroup = root.appendingPathComponent("sys/fs/cgroup")
        let slice = cgroup.appendingPathComponent("system.slice")
        try files.createDirectory(at: slice, withIntermediateDirectories: true)
        let guestCgroup = guest.appendingPathComponent("sys/fs/cgroup")
        for name in ["cgroup.controllers", "cgroup.subtree_control", "memory.stat", "memory.pressure"] {
            try files.copyItem(at: guestCgroup.appendingPathComponent(name), to: cgroup.appendingPathComponent(name))
        }
        let guestSlice = guestCgroup.appendingPathComponent("system.slice")
        for name in try files.contentsOfDirectory(atPath: guestSlice.path) where !name.hasSuffix(".service") {
            var isDirectory: ObjCBool = false
            if files.fileExists(atPath: guestSlice.appendingPathComponent(name).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                try files.copyItem(at: guestSlice.appendingPathComponent(name), to: slice.appendingPathComponent(name))
            }
        }
        let templates = try files.contentsOfDirectory(atPath: guestSlice.path).filter { $0.hasSuffix(".service") }.sorted()
        for index in 0..<count {
            let template = guestSlice.appendingPathComponent(templates[index % templates.count])
            let unit = slice.appendingPathComponent(String(format: "bench-%04d.service", index))
            try files.copyItem(at: template, to: unit)
        }
        return root.path
    }
}
