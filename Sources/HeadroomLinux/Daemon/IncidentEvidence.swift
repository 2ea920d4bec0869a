import HeadroomCore

/// The culprit's processes and shared memory, read from /proc just before Headroom acts on the
/// unit (a restart ends those processes) and added to every write of that incident. Only a
/// batch that acts on a unit reads anything: the calm tick does not pay for it.
final class IncidentEvidence {
    let processes: ProcessSnapshotReader
    let sharedMemory: SharedMemoryLocator
    /// The unit's cgroup directory, from the latest listing; nil when it is not known.
    let cgroupDirectory: (String) -> String?
    let log: (LogLevel, String) -> Void
    /// By incident id, newest last; the core rewrites an incident as it goes on, without the evidence.
    private var captured: [(id: String, processes: [ProcessSnapshot]?, shared: SharedMemoryReport?)] = []
    /// Captured in the current batch, command lines still to read.
    private var withoutCommandLines: [String] = []
    static let keptIncidents = 16
    static let keptProcesses = 20

    init(processes: ProcessSnapshotReader, sharedMemory: SharedMemoryLocator,
         cgroupDirectory: @escaping (String) -> String?, log: @escaping (LogLevel, String) -> Void) {
        self.processes = processes
        self.sharedMemory = sharedMemory
        self.cgroupDirectory = cgroupDirectory
        self.log = log
    }

    /// Before the batch's bus calls: reads the units the batch acts on, for the incident that names each.
    func capture(_ actions: [SupervisorAction]) {
        for action in actions {
            guard let unit = Self.actedOn(action) else { continue }
            for case .writeIncident(let incident) in actions where incident.culprit == unit {
                guard !captured.contains(where: { $0.id == incident.id }) else { continue }
                read(unit: unit, for: incident.id)
            }
        }
    }

    /// After the batch's bus calls: the command lines of the processes just captured, read now
    /// so that reading them (which waits on a thrashing process's page faults) does not delay
    /// the action. A process that has already gone, or whose pid was reused, keeps `[comm]`.
    func completeCommandLines() {
        guard !withoutCommandLines.isEmpty else { return }
        defer { withoutCommandLines.removeAll() }
        for index in captured.indices where withoutCommandLines.contains(captured[index].id) {
            guard var found = captured[index].processes else { continue }
            for row in found.indices where found[row].command.hasPrefix("[") {
                let pid = found[row].pid
                guard processes.startTicks(pid: pid) == found[row].startTicks,
                      let arguments = try? processes.commandLine(pid: pid), !arguments.isEmpty else { continue }
                let name = String(found[row].command.dropFirst().dropLast())
                found[row].command = ProcessSnapshot.command(commandLine: arguments, name: name)
            }
            captured[index].processes = found
        }
    }

    /// The batch with each captured incident carrying its evidence.
    func enrich(_ actions: [SupervisorAction]) -> [SupervisorAction] {
        guard !captured.isEmpty else { return actions }
        return actions.map { action in
            switch action {
            case .writeIncident(let incident): .writeIncident(enriched(incident))
            case .journalIncident(let incident): .journalIncident(enriched(incident))
            default: action
            }
        }
    }

    private func enriched(_ incident: Incident) -> Incident {
        guard let entry = captured.last(where: { $0.id == incident.id }) else { return incident }
        var result = incident
        if result.culpritProcesses == nil { result.culpritProcesses = entry.processes }
        if result.sharedMemory == nil { result.sharedMemory = entry.shared }
        return result
    }

    private func read(unit: String, for id: String) {
        guard let directory = cgroupDirectory(unit) else {
            log(.info, "no processes captured for \(unit): its cgroup is not known")
            return
        }
        let started = Clock.monotonicSeconds()
        var found: [ProcessSnapshot]?
        do {
            found = try processes.snapshot(cgroupDirectory: directory, limit: Self.keptProcesses,
                                           commandLines: false).processes
        } catch {
            log(.info, "no processes captured for \(unit): \(error)")
        }
        let largest = found?.first?.pid
        var shared: SharedMemoryReport?
        do { shared = try sharedMemory.locate(cgroupDirectory: directory, pid: largest) } catch {
            log(.info, "shared memory of \(unit) not located: \(error)")
        }
        captured.append((id, found, shared))
        withoutCommandLines.append(id)
        // Read before the bus call, so its cost delays the action: logged to keep it measured.
        let milliseconds = (Clock.monotonicSeconds() - started) * 1000
        log(.info, "evidence for incident \(id): \(found?.count ?? 0) processes of \(unit) read in "
            + "\(String(format2: milliseconds)) ms")
        if captured.count > Self.keptIncidents { captured.removeFirst() }
    }

    /// The unit an action is taken on (its processes end or are limited).
    static func actedOn(_ action: SupervisorAction) -> String? {
        switch action {
        case .restartUnit(let unit): unit
        case .setUnitLimits(let unit, _, _, _, _, _): unit
        case .terminateRunaway(let scope, _, _, _): scope
        default: nil
        }
    }
}
