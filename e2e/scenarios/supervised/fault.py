#!/usr/bin/env python3
"""In-guest fault injector for the fault scenarios (e2e/scenarios/faults.py), run as a unit
beside the workload: it waits for the moment the fault belongs to (an incident open, the daemon
ready), injects the fault, and records what it saw in $OUT/fault/NAME.json for the judge.

    fault.py sigkill | journald | full-state | bad-config

Every step goes into the record, with its time since this script started, so a failed run
says how far the fault got. It always exits 0: the unit has Restart=on-failure, and a second
injection would muddle the run. /run/e2e-fault.done tells a gated workload to start.
"""
import glob
import json
import os
import subprocess
import sys
import time

STATE = "/var/lib/headroom"
OUT = os.path.join(os.environ.get("OUT", "/results/out"), "fault")
DONE = "/run/e2e-fault.done"
T0 = time.monotonic()


class Record:
    def __init__(self, name):
        self.name, self.data, self.steps = name, dict(fault=name), []
        self.data["steps"] = self.steps

    def step(self, text, **values):
        self.steps.append(dict(t=round(time.monotonic() - T0, 2), step=text, **values))
        self.save()

    def save(self):
        os.makedirs(OUT, exist_ok=True)
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump(self.data, f, indent=1)


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True)
    return dict(command=" ".join(command), rc=done.returncode, output=(done.stdout + done.stderr).strip()[-400:])


def show(unit, *properties):
    text = subprocess.run(["systemctl", "show", "-p", ",".join(properties), unit],
                          capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def incidents():
    found = {}
    for path in sorted(glob.glob(STATE + "/incidents/*.json")):
        try:
            with open(path) as f:
                incident = json.load(f)
            found[incident.get("id", path)] = dict(outcome=incident.get("outcome"), culprit=incident.get("culprit"))
        except (OSError, ValueError):
            continue
    return found


def state_files():
    names = []
    for root, _, files in os.walk(STATE):
        names += [os.path.relpath(os.path.join(root, name), STATE) for name in files]
    return sorted(names)


def swappiness():
    with open("/proc/sys/vm/swappiness") as f:
        return int(f.read())


def wait_for(predicate, timeout, pause=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(pause)
    return None


def pending_incident():
    return next((i for i, v in incidents().items() if v["outcome"] == "pending"), None)


def journal_has(text, unit="headroom.service"):
    return subprocess.run(["journalctl", "-q", "--no-pager", "-b", "-u", unit, "--grep", text],
                          capture_output=True, text=True).stdout.strip() != ""


def invocation(unit):
    return show(unit, "InvocationID").get("InvocationID", "")


def daemon(record, label):
    record.data[label] = dict(show("headroom.service", "MainPID", "NRestarts", "ActiveState", "SubState"),
                              swappiness=swappiness(), state_files=state_files(), incidents=incidents())
    record.save()


def sigkill(record):
    """SIGKILL in the middle of an incident: once its file says `pending`."""
    record.step("waiting for a pending incident")
    pending = wait_for(pending_incident, 90)
    record.data["pending"] = pending
    daemon(record, "before")
    killed_pid = record.data["before"]["MainPID"]
    record.step("SIGKILL", **run("systemctl", "kill", "-s", "KILL", "headroom.service"))
    restarted = wait_for(lambda: show("headroom.service", "MainPID", "ActiveState").get("ActiveState") == "active"
                         and show("headroom.service", "MainPID")["MainPID"] not in ("0", killed_pid), 60)
    record.step("headroom active again" if restarted else "headroom not active again within 60 s")
    # The restarted daemon finishes the pending incident before its first tick.
    wait_for(lambda: incidents().get(pending, {}).get("outcome") != "pending", 20)
    time.sleep(2)
    daemon(record, "after")


def journald(record):
    """journald and its sockets stopped while an incident is open, started again 30 s later."""
    record.step("waiting for a pending incident")
    record.data["pending"] = wait_for(pending_incident, 90)
    daemon(record, "before")
    units = ["systemd-journald.socket", "systemd-journald-dev-log.socket", "systemd-journald-audit.socket",
             "systemd-journald.service"]
    record.data["stop"] = [run("systemctl", "stop", unit) for unit in units]
    record.step("journald stopped", active=show("systemd-journald.service", "ActiveState")["ActiveState"])
    open(DONE, "w").close()  # the second leak starts while journald is down
    time.sleep(30)
    daemon(record, "during")
    record.data["start"] = [run("systemctl", "start", unit) for unit in reversed(units)]
    record.step("journald started", active=show("systemd-journald.service", "ActiveState")["ActiveState"])
    time.sleep(5)
    daemon(record, "after")


def full_state(record):
    """The state directory is a full tmpfs (setup.sh); space comes back once the leak was handled."""
    daemon(record, "before")
    record.data["df_before"] = run("df", "-k", "-i", STATE)
    record.step("waiting for the daemon to say an incident was not written")
    logged = wait_for(lambda: journal_has("not written"), 90, pause=1.0)
    record.step("logged" if logged else "no 'not written' line within 90 s")
    time.sleep(25)  # past the cool-down: the closing write fails too
    daemon(record, "during")
    for path in glob.glob(STATE + "/fill*") + glob.glob(STATE + "/.fill*"):
        os.unlink(path)
    record.step("space freed", **run("df", "-k", "-i", STATE))
    wait_for(lambda: incidents() and all(v["outcome"] != "pending" for v in incidents().values()), 20)
    time.sleep(2)
    daemon(record, "after")


BAD_CONFIG = '{"supervisor": {"tick_seconds": "fast"}}\n'


def bad_config(record):
    """An invalid config written and SIGHUP sent, then the daemon restarted; then the leak starts."""
    daemon(record, "before")
    record.data["last_good_before"] = os.path.exists(STATE + "/config.last-good.json")
    with open("/etc/headroom/config.json", "w") as f:
        f.write(BAD_CONFIG)
    record.step("invalid config written")
    record.step("reload", **run("systemctl", "reload", "headroom.service"))
    wait_for(lambda: journal_has("config reload refused"), 20, pause=0.5)
    daemon(record, "after_reload")
    record.step("restart", **run("systemctl", "restart", "headroom.service"))
    time.sleep(3)
    daemon(record, "after_restart")
    open(DONE, "w").close()


FAULTS = {"sigkill": sigkill, "journald": journald, "full-state": full_state, "bad-config": bad_config}


def main(name):
    if os.path.exists(DONE + "." + name):
        return 0  # restarted by systemd after the injection: once is enough
    open(DONE + "." + name, "w").close()
    record = Record(name)
    try:
        FAULTS[name](record)
        record.step("done")
    except Exception as error:  # noqa: BLE001 - recorded for the judge, never retried
        record.step(f"error: {error!r}")
    open(DONE, "w").close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
