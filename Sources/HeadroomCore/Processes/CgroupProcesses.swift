/// `cgroup.procs`: the pids of a cgroup's processes, one a line.
public enum CgroupProcesses {
    /// - Throws: `KernelFileError` for a line that is not one positive number.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> [Int32] {
        var pids: [Int32] = []
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard let field = fields.next(), fields.isAtEnd(), let pid = line.signed(field).flatMap({ Int32(exactly: $0) }),
                  pid > 0 else {
                throw text.error("expected one pid a line", at: line)
            }
            pids.append(pid)
        }
        return pids
    }
}
