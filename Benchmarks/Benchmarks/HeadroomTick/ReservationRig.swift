#if canImport(Glibc)
import Glibc
#endif
import HeadroomLinux

/// What the shell reads under pressure for each young unit that grows (`ReservationReading`):
/// its `cgroup.procs` and every process's `/proc/PID/status`. A scratch directory stands in for
/// the cgroup and lists live processes of this machine, so the status reads are the kernel's.
final class ReservationRig: @unchecked Sendable {
    let directory: String
    let reader = ProcessSnapshotReader()

    init(processes count: Int) throws {
        var template = Array("/tmp/headroom-reservation-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(text: "mkdtemp failed") }
        directory = String(cString: made)
        let pids = Self.livePids().prefix(count)
        guard pids.count == count else { throw Failure(text: "only \(pids.count) processes here, \(count) asked") }
        let text = pids.map(String.init).joined(separator: "\n") + "\n"
        guard let file = fopen(directory + "/cgroup.procs", "w") else { throw Failure(text: "cannot write cgroup.procs") }
        fputs(text, file)
        fclose(file)
    }

    func read() -> Bool { reader.reservation(cgroupDirectory: directory) != nil }

    private static func livePids() -> [Int32] {
        guard let handle = opendir("/proc") else { return [] }
        defer { closedir(handle) }
        var pids: [Int32] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    struct Failure: Error { var text: String }
}
