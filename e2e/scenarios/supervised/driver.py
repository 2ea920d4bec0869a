#!/usr/bin/env python3
"""In-guest scenario driver: starts the workload units, samples every 250 ms, writes
samples.csv and result.json (outcome figures from the guest's own records).

    driver.py SCENARIO_JSON OUT      run and sample
    driver.py --collect OUT          add the incident files and journal entries to result.json
"""
import json
import os
import subprocess
import sys
import time

CGROUP = "/sys/fs/cgroup/system.slice"


def meminfo():
    values = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, rest = line.split(":", 1)
            values[key] = int(rest.split()[0]) * 1024
    return values


def psi_totals():
    totals = {}
    with open("/proc/pressure/memory") as f:
        for line in f:
            parts = line.split()
            totals[parts[0]] = int(parts[4].split("=")[1])
    return totals


def oom_kills():
    with open("/proc/vmstat") as f:
        for line in f:
            if line.startswith("oom_kill "):
                return int(line.split()[1])
    return 0


def unit_state(unit):
    """(memory.current or None, invocation id or None): the cgroup's xattr names the invocation."""
    path = f"{CGROUP}/{unit}"
    try:
        with open(path + "/memory.current") as f:
            current = int(f.read())
        invocation = os.getxattr(path, "trusted.invocation_id").hex()
        return current, invocation
    except OSError:
        return None, None


def run(scenario_path, out):
    scenario = json.load(open(scenario_path))
    units = scenario["units"]
    start_info, start_psi, start_oom = meminfo(), psi_totals(), oom_kills()
    subprocess.run(["systemctl", "start", "--no-block", *units], check=True)
    t0 = time.monotonic()
    invocations = {u: None for u in units}
    restarts = {u: 0 for u in units}
    first_restart = {}
    min_available = start_info["MemAvailable"]
    last = t0
    max_gap = 0.0
    with open(os.path.join(out, "samples.csv"), "w") as csv:
        csv.write("t,mem_available,swap_free,psi_some_us,psi_full_us,oom_kill," + ",".join(units) + "\n")
        while True:
            now = time.monotonic()
            t = now - t0
            if t > scenario["duration"]:
                break
            max_gap = max(max_gap, now - last)
            last = now
            info, psi, kills = meminfo(), psi_totals(), oom_kills()
            min_available = min(min_available, info["MemAvailable"])
            row = [f"{t:.2f}", str(info["MemAvailable"]), str(info["SwapFree"]), str(psi["some"]), str(psi["full"]),
                   str(kills)]
            for unit in units:
                current, invocation = unit_state(unit)
                if invocation is not None:
                    if invocations[unit] is not None and invocation != invocations[unit]:
                        restarts[unit] += 1
                        first_restart.setdefault(unit, round(t, 2))
                    invocations[unit] = invocation
                row.append(str(current if current is not None else ""))
            csv.write(",".join(row) + "\n")
            time.sleep(max(0.0, 0.25 - (time.monotonic() - now)))
    end_psi = psi_totals()
    active = {}
    for unit in units:
        active[unit] = subprocess.run(["systemctl", "is-active", "--quiet", unit]).returncode == 0
    result = dict(
        scenario=scenario["name"], supervisor=scenario["supervisor"], duration_s=scenario["duration"],
        oom_kills=oom_kills() - start_oom,
        psi_some_ms=(end_psi["some"] - start_psi["some"]) // 1000,
        psi_full_ms=(end_psi["full"] - start_psi["full"]) // 1000,
        restarts=restarts, first_restart_s=first_restart, active_at_end=active,
        min_available_mib=min_available // (1 << 20), max_sample_gap_s=round(max_gap, 2),
        mem_total_mib=start_info["MemTotal"] // (1 << 20), swap_total_mib=start_info["SwapTotal"] // (1 << 20),
    )
    json.dump(result, open(os.path.join(out, "result.json"), "w"), indent=1)
    print(json.dumps(result))


def collect(out):
    path = os.path.join(out, "result.json")
    result = json.load(open(path))
    incidents = []
    directory = os.path.join(out, "incidents")
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        try:
            incident = json.load(open(os.path.join(directory, name)))
            incidents.append(dict(id=incident.get("id"), kind=incident.get("kind"), culprit=incident.get("culprit"),
                                  outcome=incident.get("outcome"), narrative=incident.get("narrative")))
        except ValueError as error:
            incidents.append(dict(file=name, error=str(error)))
    entries = []
    journal = os.path.join(out, "incident-journal.json")
    if os.path.exists(journal):
        for line in open(journal):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            entries.append(dict(unit=entry.get("OBJECT_SYSTEMD_UNIT"), id=entry.get("HEADROOM_INCIDENT_ID"),
                                file=entry.get("HEADROOM_INCIDENT_FILE"), message=entry.get("MESSAGE")))
    result["incidents"] = incidents
    result["journal_entries"] = entries
    json.dump(result, open(path, "w"), indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "--collect":
        collect(sys.argv[2])
    else:
        run(sys.argv[1], sys.argv[2])
