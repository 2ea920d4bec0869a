/// The tmpfs mounts in a `/proc/PID/mountinfo` (proc(5)): where memory written to files
/// lives, which no restart of the writer frees.
public enum TmpfsMounts {
    /// Mount points of type `tmpfs`, in table order, each once (a later mount over the same
    /// point is what a path there reaches, so the point is listed once). Octal escapes are decoded.
    ///
    /// - Throws: `KernelFileError` for a line without the ` - ` separator and the type after it.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> [String] {
        var points: [String] = []
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            var index = 0
            var mountPoint: Range<Int>?
            var type: Range<Int>?
            var afterSeparator = false
            while let field = fields.next() {
                if afterSeparator { type = field; break }
                if index == 4 { mountPoint = field }
                if index >= 6 && line.isEqual(field, to: "-") { afterSeparator = true }
                index += 1
            }
            guard let mountPoint, let type else {
                throw text.error("expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SOURCE OPTIONS'", at: line)
            }
            guard line.isEqual(type, to: "tmpfs") else { return }
            let point = MountTable.unescape(line.substring(mountPoint))
            if !points.contains(point) { points.append(point) }
        }
        return points
    }
}
