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

from watch import Outcome, UnitWatch, kernel_oom_kills, vm_wide

CGROUP = "/sys/fs/cgroup"


def cgroup_path(unit, slice_name=None):
    """The unit's cgroup directory: slices nest by their dashes (user-1000.slice is
    user.slice/user-1000.slice)."""
    parts = (slice_name or "system.slice")[:-len(".slice")].split("-")
    slices = ["-".join(parts[:i + 1]) + ".slice" for i in range(len(parts))]
    return "/".join([CGROUP, *slices, unit])


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


def unit_state(unit, slice_name=None):
    """(memory.current or None, invocation id or None): the cgroup's xattr names the invocation."""
    path = cgroup_path(unit, slice_name)
    try:
        with open(path + "/memory.current") as f:
            current = int(f.read())
    except OSError:
        return None, None
    try:
        return current, os.getxattr(path, "trusted.invocation_id").hex()
    except OSError:  # a scope made by systemd-run carries none
        return current, None


SUPERVISOR_UNITS = {"headroom": "headroom.service", "earlyoom": "earlyoom.service",
                    "systemd-oomd": "systemd-oomd.service", "nohang": "nohang.service"}


def supervisor_pid(supervisor):
    unit = SUPERVISOR_UNITS.get(supervisor)
    if unit is None:
        return None
    pid = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", unit],
                         capture_output=True, text=True).stdout.strip()
    return int(pid) if pid.isdigit() and pid != "0" else None


def process_figures(pid):
    """RSS, PSS, locked memory, threads, open fds and CPU ticks of one process, from /proc."""
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, value = line.split(":", 1)
            status[key] = value.split()
    # Rss and Pss from smaps_rollup, which walks the page tables: status's VmRSS comes from
    # per-thread counters that lag on kernels before 6.2 (it read below Pss here).
    rss = pss = None
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return dict(rss_kib=rss, pss_kib=pss, locked_kib=int(status["VmLck"][0]),
                threads=int(status["Threads"][0]), fds=len(os.listdir(f"/proc/{pid}/fd")),
                cpu_ticks=int(fields[11]) + int(fields[12]))


class Footprint:
    """The supervisor's own cost while the VM is calm: figures after `settle` seconds, the
    peak RSS/PSS over the run, and CPU time from then to the end."""

    def __init__(self, supervisor, settle=30.0):
        self.supervisor, self.settle = supervisor, settle
        self.pid, self.first, self.last, self.peak_rss, self.peak_pss = None, None, None, 0, 0
        self.next_at = settle

    def sample(self, t):
        if t < self.next_at:
            return
        self.next_at = t + 5.0
        self.pid = self.pid or supervisor_pid(self.supervisor)
        if self.pid is None:
            return
        try:
            figures = dict(process_figures(self.pid), t=t)
        except OSError:
            return
        self.first = self.first or figures
        self.last = figures
        self.peak_rss = max(self.peak_rss, figures["rss_kib"])
        self.peak_pss = max(self.peak_pss, figures["pss_kib"] or 0)

    def result(self):
        if not self.first or self.last is self.first:
            return dict(error=f"no {self.supervisor} process figures (MainPID {self.pid})")
        seconds = self.last["t"] - self.first["t"]
        cpu = (self.last["cpu_ticks"] - self.first["cpu_ticks"]) / os.sysconf("SC_CLK_TCK")
        return dict(pid=self.pid, seconds=round(seconds, 1), rss_kib=self.last["rss_kib"],
                    peak_rss_kib=self.peak_rss, pss_kib=self.last["pss_kib"], peak_pss_kib=self.peak_pss,
                    locked_kib=self.last["locked_kib"], threads=self.last["threads"], fds=self.last["fds"],
                    cpu_seconds=round(cpu, 2), cpu_percent=round(100 * cpu / seconds, 3))


def launch(specs, out):
    """Start the service units; a session scope is started like a login would, with systemd-run.
    Its output goes to OUT/<scope>.log: a session that outlives the run (as it should once its
    runaway is gone) must not hold the runner's console pipe open (the guest then hung until
    the host's timeout)."""
    services = [spec["unit"] for spec in specs if spec.get("kind") != "scope"]
    subprocess.run(["systemctl", "start", "--no-block", *services], check=True)
    for spec in specs:
        if spec.get("kind") == "scope":
            log = open(os.path.join(out, spec["unit"] + ".log"), "w")
            subprocess.Popen(["systemd-run", "--scope", "--quiet", f"--unit={spec['unit']}",
                              f"--slice={spec['slice']}", "/bin/sh", "-c", spec["command"]],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)


def run(scenario_path, out):
    scenario = json.load(open(scenario_path))
    units = scenario["units"]
    specs = scenario.get("specs") or [dict(unit=u, role="") for u in units]
    slices = {spec["unit"]: spec.get("slice") for spec in specs}
    watches = [UnitWatch(spec, cgroup_path(spec["unit"], spec.get("slice"))) for spec in specs]
    start_info, start_psi, start_oom = meminfo(), psi_totals(), oom_kills()
    launch(specs, out)
    t0 = time.monotonic()
    invocations = {u: None for u in units}
    restarts = {u: 0 for u in units}
    first_restart = {}
    outcome = Outcome(scenario, watches)
    min_available, min_swap_free = start_info["MemAvailable"], start_info["SwapFree"]
    last, max_gap, last_kills = t0, 0.0, start_oom
    footprint = Footprint(scenario["supervisor"]) if scenario.get("footprint") else None
    with open(os.path.join(out, "samples.csv"), "w") as csv:
        csv.write("t,mem_available,swap_free,psi_some_us,psi_full_us,oom_kill," + ",".join(units) + "\n")
        while True:
            now = time.monotonic()
            t = now - t0
            if t > scenario["duration"] or outcome.done(t):
                break
            max_gap = max(max_gap, now - last)
            last = now
            if footprint:
                footprint.sample(t)
            info, psi, kills = meminfo(), psi_totals(), oom_kills()
            min_available = min(min_available, info["MemAvailable"])
            min_swap_free = min(min_swap_free, info["SwapFree"])
            row = [f"{t:.2f}", str(info["MemAvailable"]), str(info["SwapFree"]), str(psi["some"]), str(psi["full"]),
                   str(kills)]
            for unit, watch in zip(units, watches):
                current, invocation = unit_state(unit, slices.get(unit))
                if invocation is not None:
                    if invocations[unit] is not None and invocation != invocations[unit]:
                        restarts[unit] += 1
                        first_restart.setdefault(unit, round(t, 2))
                    invocations[unit] = invocation
                watch.sample(t, current is not None)
                row.append(str(current if current is not None else ""))
            outcome.decide(t, restarts, kills > last_kills)
            last_kills = kills
            csv.write(",".join(row) + "\n")
            time.sleep(max(0.0, 0.25 - (time.monotonic() - now)))
    end_psi = psi_totals()
    t_end = round(time.monotonic() - t0, 2)
    active = {}
    for unit in units:
        active[unit] = subprocess.run(["systemctl", "is-active", "--quiet", unit]).returncode == 0
    kills = kernel_oom_kills()
    result = dict(
        scenario=scenario["name"], supervisor=scenario["supervisor"], duration_s=scenario["duration"],
        ran_s=t_end, stopped_early=outcome.reason,
        oom_kills=oom_kills() - start_oom, kernel_oom=[list(k) for k in kills], vm_oom_kills=len(vm_wide(kills)),
        psi_some_ms=(end_psi["some"] - start_psi["some"]) // 1000,
        psi_full_ms=(end_psi["full"] - start_psi["full"]) // 1000,
        restarts=restarts, first_restart_s=first_restart, active_at_end=active,
        units={w.unit: w.result(t_end) for w in watches},
        min_available_mib=min_available // (1 << 20), max_sample_gap_s=round(max_gap, 2),
        max_swap_used_mib=(start_info["SwapTotal"] - min_swap_free) // (1 << 20),
        mem_total_mib=start_info["MemTotal"] // (1 << 20), swap_total_mib=start_info["SwapTotal"] // (1 << 20),
    )
    if footprint:
        result["footprint"] = footprint.result()
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
                                  outcome=incident.get("outcome"), narrative=incident.get("narrative"),
                                  actions=[dict(kind=a.get("kind"), unit=a.get("unit"))
                                           for a in incident.get("actions") or [] if isinstance(a, dict)],
                                  text=json.dumps(incident)[:20000]))
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
