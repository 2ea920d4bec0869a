/// `/proc/self/mounts`, as far as Headroom needs it: where cgroup2 is mounted.
public enum MountTable {
    /// Mount points of type cgroup2, in table order. Octal escapes (`\040`) are decoded.
    public static func cgroup2MountPoints(_ text: KernelText) throws(KernelFileError) -> [String] {
        var mounts: [String] = []
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard fields.next() != nil, let mountPoint = fields.next(), let type = fields.next() else {
                throw text.error("expected 'device mountpoint type options dump pass'", at: line)
            }
            if line.isEqual(type, to: "cgroup2") { mounts.append(unescape(line.substring(mountPoint))) }
        }
        return mounts
    }

    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count + 0,
               let value = UInt8(String(decoding: source[index + 1...index + 3], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The controllers a cgroup v2 directory lists (`cgroup.controllers`, `cgroup.subtree_control`).
public enum CgroupControllers {
    public static func parse(_ text: KernelText) throws(KernelFileError) -> [String] {
        var names: [String] = []
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            while let field = fields.next() { names.append(line.substring(field)) }
        }
        return names
    }
}
