/// Rules for systemd unit names (systemd.unit(5)).
public enum UnitName {
    /// Unit types a cgroup directory can stand for. Slices are containers, not units we act on.
    public static let processTypes = ["service", "scope"]
    public static let allTypes = ["service", "scope", "slice", "socket", "mount", "swap", "target", "timer",
                                  "path", "device", "automount"]

    /// The unit type after the last dot, when it is a known type.
    public static func typeSuffix(of name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let suffix = String(name[name.index(after: dot)...])
        return allTypes.contains(suffix) ? suffix : nil
    }

    /// The name without its type suffix: `fc-manage-update.service` -> `fc-manage-update`.
    public static func stem(of name: String) -> Substring {
        guard typeSuffix(of: name) != nil, let dot = name.lastIndex(of: ".") else { return Substring(name) }
        return name[..<dot]
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ":", "-", "_", ".", "\\", "@": return true
        default: return false
        }
    }

    /// Why `name` is not a valid unit name, or nil when it is.
    public static func validationError(_ name: String) -> String? {
        if name.isEmpty { return "the unit name is empty" }
        if name.utf8.count > 255 { return "the unit name is longer than 255 characters" }
        for scalar in name.unicodeScalars where !isAllowed(scalar) {
            return "'\(scalar)' is not allowed in a unit name"
        }
        guard typeSuffix(of: name) != nil else {
            return "'\(name)' has no unit type suffix such as .service or .scope"
        }
        if stem(of: name).isEmpty { return "the unit name has nothing before its type suffix" }
        if name.filter({ $0 == "@" }).count > 1 { return "a unit name has at most one '@'" }
        return nil
    }
}

/// What a directory in the cgroup v2 tree stands for, by its name.
public enum CgroupDirectoryKind: Equatable, Sendable {
    /// `*.slice`: descend into it.
    case slice
    /// `*.service` or `*.scope`: a unit whose memory we track (its children belong to it).
    case unit
    /// Anything else (a service's own sub-cgroups, non-systemd groups): not a unit.
    case other

    public static func of(directoryName name: String) -> CgroupDirectoryKind {
        if name.hasSuffix(".slice") { return .slice }
        if name.hasSuffix(".service") || name.hasSuffix(".scope") {
            return UnitName.validationError(name) == nil ? .unit : .other
        }
        return .other
    }
}
