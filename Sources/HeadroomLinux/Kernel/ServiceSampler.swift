import HeadroomCore

/// Lists the units in the cgroup v2 tree and reads their memory files.
///
/// Listing the tree allocates (directory streams, names); reading the listed units does
/// not, on a live system, where each unit's files stay open. So the daemon relists every
/// few seconds and when a unit vanished, and its ticks in between only re-read.
public final class ServiceSampler {
    public let visibility: ServiceVisibility
    private let keepFilesOpen: Bool
    /// Reads each unit's start (`ServiceSample.startedAt`) when its cgroup is (re)opened; nil: not read.
    private let unitStarts: ProcessSnapshotReader?
    private let reservations: ReservationReading?
    private var units: [UnitCgroupFiles] = []
    private var listed = false
    private var lastScan: ServiceScan
    /// Units left out at the last listing, reported with each scan until the next listing.
    private var listingVanished: [String] = []
    private var listingProblems: [KernelFileError] = []
    /// Directories named like units (`*.service`, `*.scope`) whose names are not valid unit
    /// names: left out, and logged once each rather than at every listing.
    private var reportedSkipped = Set<String>()
    /// The ones first seen at the last listing (already logged).
    public private(set) var newlySkipped: [String] = []
    static let maximumReportedSkipped = 1024

    /// - Parameters:
    ///   - keepFilesOpen: true on a live system (see `KernelFile`); false for fixture trees.
    ///   - unitStarts: where to read the units' processes' start times (the daemon); nil leaves
    ///     `startedAt` nil (one-shot commands do not need it).
    ///   - youngSeconds: with `unitStarts`, a unit younger than this that grows under pressure
    ///     has its processes' reservation read (`ReservationReading`); nil: never.
    public init(visibility: ServiceVisibility, keepFilesOpen: Bool = false, unitStarts: ProcessSnapshotReader? = nil,
                youngSeconds: Double? = nil) {
        self.visibility = visibility
        self.keepFilesOpen = keepFilesOpen
        self.unitStarts = unitStarts
        reservations = unitStarts.flatMap { reader in youngSeconds.map { ReservationReading(reader: reader, youngSeconds: $0) } }
        lastScan = ServiceScan(visibility: visibility)
    }

    /// Every `*.service` and `*.scope` under the root and its slices, nested slices included.
    /// A unit's own sub-cgroups belong to it and are not listed.
    public func listUnitCgroups() -> [(unit: String, relativePath: String)] {
        var skipped: [String] = []
        return listUnitCgroups(skipped: &skipped)
    }

    private func listUnitCgroups(skipped: inout [String]) -> [(unit: String, relativePath: String)] {
        guard case .available(let root) = visibility else { return [] }
        var found: [(unit: String, relativePath: String)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : "\(root)/\(relative)"
            for name in KernelFileReader.subdirectories(of: directory) ?? [] {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                switch CgroupDirectoryKind.of(directoryName: name) {
                case .slice: pending.append(child)
                case .unit: found.append((name, child))
                case .other:
                    if UnitName.processTypes.contains(where: { name.hasSuffix("." + $0) }) { skipped.append(child) }
                }
            }
        }
        return found.sorted { $0.relativePath < $1.relativePath }
    }

    /// Reads every unit. A cgroup that vanished is noted and skipped; a malformed file
    /// leaves that unit out and is reported, the others are still read.
    ///
    /// - Parameters:
    ///   - relist: list the tree again first (always done on the first scan).
    ///   - detail: which of each unit's files to read (see `ScanDetail`).
    public func scan(relist: Bool = true, detail: ScanDetail = .full) -> ServiceScan {
        guard case .available(let root) = visibility else { return ServiceScan(visibility: visibility) }
        if relist || !listed { relistUnits(root: root) }
        lastScan.services.removeAll(keepingCapacity: true)
        lastScan.vanished.removeAll(keepingCapacity: true)
        lastScan.problems.removeAll(keepingCapacity: true)
        lastScan.vanished.append(contentsOf: listingVanished)
        lastScan.problems.append(contentsOf: listingProblems)
        var gone = false
        for files in units {
            do {
                lastScan.services.append(try files.sample(detail))
            } catch where error.kind == .missing {
                lastScan.vanished.append(files.unit)
                files.isGone = true
                gone = true
            } catch {
                lastScan.problems.append(error)
            }
        }
        // Forget units whose cgroup went away (stopped, or restarted into a new directory): the
        // next listing opens the new directory's files, if there is one.
        if gone { units.removeAll { $0.isGone } }
        return lastScan
    }

    private func relistUnits(root: String) {
        listed = true
        var known: [String: UnitCgroupFiles] = [:]
        for files in units { known[files.relativePath] = files }
        units.removeAll(keepingCapacity: true)
        listingVanished.removeAll()
        listingProblems.removeAll()
        var skipped: [String] = []
        let listed = listUnitCgroups(skipped: &skipped)
        reportSkipped(skipped)
        for (unit, relativePath) in listed {
            do {
                // A restarted unit gets a new cgroup directory at the same path: files opened in
                // the old one read ENODEV (cgroupfs) or stale content (a fixture), so reopen.
                if let files = known[relativePath], files.isSameDirectory {
                    try files.readLimits()
                    files.readStartIfUnknown()
                    units.append(files)
                } else {
                    units.append(try UnitCgroupFiles(unit: unit, relativePath: relativePath,
                                                     directory: "\(root)/\(relativePath)", keepOpen: keepFilesOpen,
                                                     starts: unitStarts, reservations: reservations))
                }
            } catch where error.kind == .missing {
                listingVanished.append(unit)
            } catch {
                listingProblems.append(error)
            }
        }
    }

    private func reportSkipped(_ skipped: [String]) {
        newlySkipped.removeAll()
        for path in skipped where reportedSkipped.count < Self.maximumReportedSkipped {
            guard reportedSkipped.insert(path).inserted else { continue }
            newlySkipped.append(path)
            DaemonLog.write(.notice, "left out the cgroup \(LogText.printable(path)): not a valid unit name")
            if reportedSkipped.count == Self.maximumReportedSkipped {
                DaemonLog.write(.notice, "\(Self.maximumReportedSkipped) cgroups left out; further ones are not logged")
            }
        }
    }

    /// The cgroup directory of a unit in the latest listing; nil when it was not listed.
    public func cgroupDirectory(unit: String) -> String? {
        units.first { $0.unit == unit }?.directory
    }

    /// The directory of a cgroup path relative to the cgroup v2 root; nil without the hierarchy.
    public func cgroupDirectory(relativePath: String) -> String? {
        guard case .available(let root) = visibility else { return nil }
        return relativePath.isEmpty ? root : "\(root)/\(relativePath)"
    }

    /// Reads one unit once (files opened and closed).
    ///
    /// - Throws: `.missing` when the cgroup has gone (its directory or `memory.current` is gone);
    ///   other `KernelFileError`s for malformed content.
    public func read(unit: String, directory: String, relativePath: String) throws(KernelFileError) -> ServiceSample {
        try UnitCgroupFiles(unit: unit, relativePath: relativePath, directory: directory, keepOpen: false).sample()
    }
}
