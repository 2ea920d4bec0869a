import HeadroomCore

/// PSI triggers on the system file and on each top-level slice's `memory.pressure`
/// (system.slice, user.slice, ...): a stall wakes the loop within the window instead of
/// at the next tick. Per unit would cost the kernel a PSI poller per cgroup; the slices
/// bound that to a handful while still waking on pressure confined to one slice.
enum PressureTriggers {
    /// Arms the triggers (none under `--root`: fixture files have no PSI triggers).
    static func arm(on loop: EventLoop, paths: KernelPaths, visibility: ServiceVisibility,
                    log: @escaping (LogLevel, String) -> Void, wake: @escaping () -> Void) -> PressureTriggerSet? {
        guard paths.isLiveSystem else {
            log(.notice, "--root given: no PSI trigger on fixture files; sampling on ticks only")
            return nil
        }
        let triggers = PressureTriggerSet(loop: loop, log: log, onPressure: wake)
        let armed = triggers.update(paths: files(paths, visibility: visibility))
        if armed.isEmpty {
            log(.warning, "no PSI trigger could be armed; sampling on ticks only")
        } else {
            log(.info, "PSI triggers armed on \(armed.joined(separator: ", "))")
        }
        return triggers
    }

    /// Keeps the triggers in step with the slices after a listing: a new slice is armed, a
    /// removed one closed.
    static func follow(_ triggers: PressureTriggerSet, paths: KernelPaths, visibility: ServiceVisibility,
                       log: (LogLevel, String) -> Void) {
        let added = triggers.update(paths: files(paths, visibility: visibility))
        if !added.isEmpty { log(.info, "PSI triggers armed on \(added.joined(separator: ", "))") }
    }

    /// The system file and the top-level slices' files, as listed now.
    static func files(_ paths: KernelPaths, visibility: ServiceVisibility) -> [String] {
        var files = [paths.memoryPressure]
        if case .available(let root) = visibility {
            for name in KernelFileReader.subdirectories(of: root) ?? [] where name.hasSuffix(".slice") {
                files.append("\(root)/\(name)/memory.pressure")
            }
        }
        return files
    }
}
