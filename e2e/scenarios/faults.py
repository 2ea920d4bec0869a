"""The fault scenarios (issue 13, "Faults in the real guest"): the daemon SIGKILLed in the middle of
an incident, journald stopped during one, the state directory on a full filesystem, an invalid
config reloaded and then started on. Each runs a fast leak the daemon must still handle, with a
fault injector (supervised/fault.py) as a unit beside it, and is judged from the guest's own
records: the scenario's usual checks (0 kernel OOM kills, the leak restarted, an incident and a
journal entry naming it) plus the fault's (`failures`).
"""
import json
import os
import re

FAULT = "/usr/bin/python3 /results/in/fault.py"
DONE = "/run/e2e-fault.done"
LEAK_RATE = 128  # MiB/s: the fast leak, acted on ~8-10 s after it starts

INCIDENT_ID = re.compile(r"HEADROOM_INCIDENT_ID=(\S+)")


def after_fault(command):
    """`command` (a /bin/sh -c '...' line) started only once the injector is done."""
    return f'/bin/sh -c "while [ ! -e {DONE} ]; do sleep 0.5; done; exec {command}"'


def scenarios(leak_once, bystander):
    """The four scenarios, in the shape of scenarios.SCENARIOS (`leak_once` and the bystander from there)."""
    def injector(name):
        return (f"fault-{name}.service", f"{FAULT} {name}", "helper")

    def two_leaks(name, tail):
        leaks = ["leaky.service", "leaky2.service"]
        return dict(mem=2048, swap=1024, duration=120, fault=name,
                    units=[(leaks[0], leak_once("leaky", LEAK_RATE), "culprit"),
                           (leaks[1], after_fault(leak_once("leaky2", LEAK_RATE)), "culprit"),
                           injector(name), bystander],
                    expect=dict(restarted=leaks, incident="restart"), stop=dict(acted_tail=tail, units=leaks))

    full_tmpfs = [
        "mkdir -p /var/lib/headroom",
        # 64 KiB and 16 inodes, both used up: neither a file nor a directory can be created.
        "mount -t tmpfs -o size=64k,nr_inodes=16,mode=0750 headroom-full /var/lib/headroom",
        "dd if=/dev/zero of=/var/lib/headroom/fill bs=4k 2>/dev/null || true",
        "i=0; while touch /var/lib/headroom/.fill$i 2>/dev/null; do i=$((i+1)); done",
        "df -k -i /var/lib/headroom",
    ]
    return {
        # A leak acted on before the fault, a second one started after it: the daemon still acts.
        "fault-sigkill": two_leaks("sigkill", tail=20),
        "fault-journald": two_leaks("journald", tail=40),
        "fault-full-state": dict(
            mem=2048, swap=1024, duration=120, fault="full-state", setup=full_tmpfs,
            units=[("leaky.service", leak_once("leaky", LEAK_RATE), "culprit"),
                   injector("full-state"), bystander],
            expect=dict(restarted=["leaky.service"], incident="restart"),
            stop=dict(acted_tail=45, units=["leaky.service"])),
        "fault-bad-config": dict(
            mem=2048, swap=1024, duration=120, fault="bad-config",
            # Not the default tick, so the log shows which config each start runs on.
            config={"supervisor": {"tick_seconds": 0.5}},
            units=[("leaky.service", after_fault(leak_once("leaky", LEAK_RATE)), "culprit"),
                   injector("bad-config"), bystander],
            expect=dict(restarted=["leaky.service"], incident="restart"),
            stop=dict(acted_tail=20, units=["leaky.service"])),
    }


def read(out, name):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class Records:
    """What the guest left: the injector's record, the daemon's log, systemd's lines about it,
    the incident files and the incident journal entries."""

    def __init__(self, out, fault):
        try:
            self.fault = json.loads(read(out, f"fault/{fault}.json"))
        except ValueError:
            self.fault = {}
        self.log = read(out, "headroom-journal.txt")
        self.journal = read(out, "journal.txt")
        self.incidents = {}
        directory = os.path.join(out, "incidents")
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            try:
                incident = json.loads(read(out, os.path.join("incidents", name)))
                self.incidents[incident["id"]] = incident
            except (ValueError, KeyError):
                continue
        self.journaled = {}
        for line in read(out, "incident-journal.json").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if "HEADROOM_INCIDENT_ID" in entry:
                self.journaled[entry["HEADROOM_INCIDENT_ID"]] = self.journaled.get(entry["HEADROOM_INCIDENT_ID"], 0) + 1
        self.swappiness_after_stop = read(out, "swappiness-after-stop.txt").strip().rsplit(" ", 1)[-1]
        self.boot_swappiness = next((line.split("=", 1)[1] for line in read(out, "guest-info.txt").splitlines()
                                     if line.startswith("swappiness=")), None)

    def lines(self, text):
        return [line for line in self.log.splitlines() if text in line]

    def systemd_lines(self, text):
        return [line for line in self.journal.splitlines() if "headroom.service" in line and text in line]

    def steps(self):
        return [s["step"] for s in self.fault.get("steps", [])]


def common_failures(records, starts, crashes):
    """The daemon started `starts` times, died `crashes` times, never hit the start limit; every
    incident has a file that is not `pending` and exactly one journal entry."""
    failures = []
    steps = records.steps()
    if "done" not in steps:
        failures.append(f"the fault injector did not finish: {steps[-3:] if steps else 'no record'}")
    started = len(records.lines("started: level"))
    if started != starts:
        failures.append(f"the daemon logged 'started' {started} times, expected {starts}")
    died = len(records.systemd_lines("Failed with result"))
    if died != crashes:
        failures.append(f"systemd saw headroom.service fail {died} times, expected {crashes}")
    if records.systemd_lines("Start request repeated too quickly"):
        failures.append("headroom.service hit systemd's start limit")
    if not records.incidents:
        failures.append("no incident file")
    for id, incident in records.incidents.items():
        if incident.get("outcome") == "pending":
            failures.append(f"incident {id} is still pending")
        if records.journaled.get(id, 0) != 1:
            failures.append(f"incident {id} has {records.journaled.get(id, 0)} journal entries, expected 1")
    return failures


def once(records, text, what):
    count = len(records.lines(text))
    return [] if count == 1 else [f"the log says {what} {count} times, expected once ('{text}')"]


def sigkill_failures(records):
    failures = common_failures(records, starts=2, crashes=1)
    pending = records.fault.get("pending")
    if not pending:
        return failures + ["no incident was pending when the daemon was to be killed"]
    if records.incidents.get(pending, {}).get("outcome") != "interrupted":
        failures.append(f"incident {pending} ended {records.incidents.get(pending, {}).get('outcome')}, "
                        f"expected interrupted")
    failures += once(records, f"incident {pending} was left pending", "the killed daemon's incident was finished")
    before = set(records.fault.get("before", {}).get("state_files", []))
    after = set(records.fault.get("after", {}).get("state_files", []))
    lost = sorted(name for name in before - after if not name.endswith(".tmp"))
    if lost:
        failures.append(f"state files lost across the restart: {lost}")
    if records.swappiness_after_stop != records.boot_swappiness:
        failures.append(f"vm.swappiness after the stop is {records.swappiness_after_stop}, the boot's value "
                        f"was {records.boot_swappiness}")
    wrong = [line for line in records.lines("restored vm.swappiness=")
             if f"restored vm.swappiness={records.boot_swappiness} " not in line]
    if wrong or len(records.lines("restored vm.swappiness=")) > 1:
        failures.append(f"swappiness restores other than one to the boot's value: {records.lines('restored vm.swappiness=')}")
    return failures


def same_daemon(records, failures):
    pids = [records.fault.get(moment, {}).get("MainPID") for moment in ("before", "during", "after")]
    pids = [pid for pid in pids if pid is not None]
    if len(set(pids)) != 1 or pids[0] in ("0", None):
        failures.append(f"the daemon's MainPID changed or it was not running: {pids}")


def journald_failures(records):
    failures = common_failures(records, starts=1, crashes=0)
    same_daemon(records, failures)
    stopped = [s for s in records.fault.get("steps", []) if s["step"] == "journald stopped"]
    if not stopped or stopped[0].get("active") == "active":
        failures.append(f"journald was not stopped: {stopped}")
    # Both leaks acted on and recorded: as two incidents, or as two steps of one (an episode is
    # one incident: the second leak starts within the first one's episode).
    acted = {action.get("unit") for incident in records.incidents.values()
             for action in incident.get("actions") or [] if isinstance(action, dict)}
    if not {"leaky.service", "leaky2.service"} <= acted:
        failures.append(f"expected both leaks acted on in the incidents, have {sorted(u for u in acted if u)}")
    return failures


def full_state_failures(records):
    failures = common_failures(records, starts=1, crashes=0)
    same_daemon(records, failures)
    if any(name.startswith("incidents/") for name in records.fault.get("during", {}).get("state_files", [])):
        failures.append("an incident file was written while the state directory was full: the fault did not hold")
    not_written = records.lines("not written (")
    ids = {line.split("incident ", 1)[1].split(" ", 1)[0] for line in not_written if "incident " in line}
    if not not_written:
        failures.append("the log never says an incident could not be written")
    elif len(not_written) != len(ids):
        failures.append(f"the log says an incident was not written more than once: {not_written}")
    if records.lines("cannot start"):
        failures.append(f"the daemon refused to start: {records.lines('cannot start')}")
    return failures


def bad_config_failures(records):
    failures = common_failures(records, starts=2, crashes=0)
    failures += once(records, "config reload refused, keeping the running config", "the reload was refused")
    failures += once(records, "running on the last good config", "it started on the last good config")
    good = len(records.lines("tick 0.5 s"))
    if good != 2:
        failures.append(f"{good} of the 2 starts ran on the last good config (tick 0.5 s)")
    if not records.fault.get("last_good_before"):
        failures.append("no config.last-good.json in the state directory before the invalid config")
    if records.fault.get("after_restart", {}).get("ActiveState") != "active":
        failures.append(f"headroom.service after the restart: {records.fault.get('after_restart')}")
    return failures


CHECKS = {"sigkill": sigkill_failures, "journald": journald_failures, "full-state": full_state_failures,
          "bad-config": bad_config_failures}


def failures(scenario, out):
    """The fault's own failures (the scenario's usual ones come from scenarios.judge)."""
    return CHECKS[scenario["fault"]](Records(out, scenario["fault"]))
