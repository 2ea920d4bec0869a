import HeadroomCore

/// PSI triggers on the system file and on each top-level slice's `memory.pressure`
/// (system.slice, user.slice, ...): a stall wakes the loop within the window instead of
/// at the next tick. Per unit would cost the kernel a PSI poller per cgroup; the slices
/// bound that to a handful while still waking on pressure confined to one slice.
enum PressureTriggers {
    static func arm(on loop: EventLoop, paths: KernelPaths, visibility: ServiceVisibility,
                    log: (LogLevel, String) -> Void, wake: @escaping () -> Void) {
        guard paths.isLiveSystem else {
            log(.notice, "--root given: no PSI trigger on fixture files; sampling on ticks only")
            return
        }
        var files = [paths.memoryPressure]
        if case .available(let root) = visibility {
            for name in KernelFileReader.subdirectories(of: root) ?? [] where name.hasSuffix(".slice") {
                files.append("\(root)/\(name)/memory.pressure")
            }
        }
        var armed: [String] = []
        for path in files {
            switch PressureTrigger.arm(path: path) {
            case .success(let (fd, window)):
                do {
                    try loop.addIO(fd: fd, events: 0x002 /* EPOLLPRI */) { events in
                        if events & 0x008 /* EPOLLERR */ != 0 { return }
                        wake()
                    }
                    armed.append("\(path) (some 150 ms per \(window / 1000) ms)")
                } catch {
                    log(.warning, "\(error)")
                }
            case .failure(let error):
                log(.warning, "\(error)")
            }
        }
        if armed.isEmpty {
            log(.warning, "no PSI trigger could be armed; sampling on ticks only")
        } else {
            log(.info, "PSI triggers armed on \(armed.joined(separator: ", "))")
        }
    }
}
