import CLibcgroup
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Finds the cgroup v2 hierarchy that carries the memory controller, or says
/// plainly why per-service figures cannot be had on this host.
///
/// On the live system libcgroup locates the memory controller's mount (it knows
/// v1, v2 and hybrid layouts); Headroom then checks that this mount is cgroup v2
/// and that memory is delegated to its children. Under `--root DIR` the mount
/// is `DIR/sys/fs/cgroup` by definition. See docs/ARCHITECTURE.md.
public enum CgroupDiscovery {
    public static func discover(paths: KernelPaths) -> ServiceVisibility {
        if !paths.isLiveSystem {
            return check(mount: paths.rootCgroupMount, context: "under --root")
        }
        let initResult = LibcgroupState.initResult
        guard initResult == 0 else {
            return .unavailable(reason: "libcgroup found no cgroup hierarchy (\(libcgroupError(initResult)))")
        }
        var mountPoint: UnsafeMutablePointer<CChar>?
        let result = cgroup_get_subsys_mount_point("memory", &mountPoint)
        defer { free(mountPoint) }
        guard result == 0, let mountPoint else {
            return .unavailable(reason: "the memory controller is not mounted (libcgroup: \(libcgroupError(result)))"
                + cgroup2Note(paths))
        }
        let memoryMount = String(cString: mountPoint)
        if KernelFileReader.exists(memoryMount + "/cgroup.controllers") {
            return check(mount: memoryMount, context: "")
        }
        return .unavailable(reason: "the memory controller is on cgroup v1 at \(memoryMount) (hybrid or legacy "
            + "hierarchy)" + cgroup2Note(paths) + "; Headroom needs memory on cgroup v2 (systemd.unified_cgroup_hierarchy=1)")
    }

    /// A v2 mount is usable when memory is enabled for its children.
    static func check(mount: String, context: String) -> ServiceVisibility {
        let place = context.isEmpty ? mount : "\(mount) (\(context))"
        do {
            guard let controllers = try KernelFileReader.readIfPresent(mount + "/cgroup.controllers") else {
                return .unavailable(reason: "\(place) is not a cgroup v2 mount (no cgroup.controllers)")
            }
            guard try CgroupControllers.parse(controllers).contains("memory") else {
                return .unavailable(reason: "the cgroup v2 hierarchy at \(place) has no memory controller")
            }
            if let subtree = try KernelFileReader.readIfPresent(mount + "/cgroup.subtree_control"),
               try !CgroupControllers.parse(subtree).contains("memory") {
                return .unavailable(reason: "the memory controller is not enabled for the children of \(place) "
                    + "(cgroup.subtree_control lacks memory)")
            }
            return .available(cgroupRoot: mount)
        } catch {
            return .unavailable(reason: error.description)
        }
    }

    private static func cgroup2Note(_ paths: KernelPaths) -> String {
        guard let table = try? KernelFileReader.read(paths.mountTable),
              let mounts = try? MountTable.cgroup2MountPoints(table) else { return "" }
        if mounts.isEmpty { return ", and no cgroup v2 hierarchy is mounted" }
        return ", and the cgroup v2 hierarchy at \(mounts.joined(separator: ", ")) has no memory controller"
    }

    private static func libcgroupError(_ code: Int32) -> String {
        guard let text = cgroup_strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// libcgroup must be initialised once per process; a global `let` runs this exactly once.
enum LibcgroupState {
    static let initResult: Int32 = cgroup_init()
}
