"""What the supervisor did to each unit, from the guest's own records, sampled with the driver:
runtime memory.high / memory.max (throttle, contain), a unit that went away, a session's
runaway process killed, VM-wide kernel OOM kills (dmesg `constraint=`), and when the outcome
is decided so the run can stop early.
"""
import os
import re
import subprocess

# 6.1: "oom-kill:constraint=CONSTRAINT_NONE,...,global_oom,task_memcg=/system.slice/x.service,task=memhog,pid=1"
# or "oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/system.slice/x.service,task_memcg=...,task=...,pid=..."
OOM_LINE = re.compile(r"oom-kill:constraint=(\w+),.*?(?:oom_memcg=([^,]*)|global_oom),task_memcg=([^,]*),"
                      r"task=([^,]*),pid=(\d+)")
UNTOUCHED = ("app", "warmup", "build", "bystander")
ACTED = ("culprit", "session")


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def alive(pid):
    """Running, not a zombie waiting for its parent to reap it."""
    stat = read(f"/proc/{pid}/stat")
    return stat is not None and stat.rsplit(")", 1)[1].split()[0] != "Z"


def kernel_oom_kills():
    """[(constraint, oom_memcg, task_memcg, task, pid)] from the kernel log: CONSTRAINT_MEMCG is a
    cgroup at its own limit (containment working), anything else is VM-wide."""
    text = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    return [m.groups() for m in OOM_LINE.finditer(text)]


def vm_wide(kills):
    return [k for k in kills if k[0] != "CONSTRAINT_MEMCG"]


class UnitWatch:
    """One unit: limits seen (memory.high/max other than "max"), gone (cgroup vanished and not
    back), and for a session scope the runaway's pid and when it died."""

    def __init__(self, spec, path):
        self.unit, self.role, self.kind, self.path = spec["unit"], spec["role"], spec.get("kind"), path
        self.limits = {}
        self.seen = False
        self.gone_at = None
        self.runaway_pid = None
        self.runaway_gone_at = None

    def sample(self, t, present):
        if present:
            self.seen, self.gone_at = True, None
            for name in ("memory.high", "memory.max"):
                value = read(f"{self.path}/{name}")
                if value not in (None, "max") and name not in self.limits:
                    self.limits[name] = dict(value=int(value), t=round(t, 2))
            if self.kind == "scope" and self.runaway_pid is None:
                self.runaway_pid = self.find_runaway()
        elif self.seen and self.gone_at is None:
            self.gone_at = round(t, 2)
        if self.runaway_pid and self.runaway_gone_at is None and not alive(self.runaway_pid):
            self.runaway_gone_at = round(t, 2)

    def find_runaway(self):
        for pid in (read(f"{self.path}/cgroup.procs") or "").split():
            if read(f"/proc/{pid}/comm") == "memhog":
                return int(pid)
        return None

    def acted_on(self, restarts):
        """Restarted, throttled/contained, its runaway killed, or (not a build, which exits by
        itself) stopped for good."""
        gone = self.gone_at is not None and self.role != "build"
        return restarts > 0 or bool(self.limits) or self.runaway_gone_at is not None or gone

    def result(self, t_end):
        shown = subprocess.run(["systemctl", "show", "-p", "MemoryHigh,MemoryMax,MemorySwapMax,ActiveState,NRestarts",
                                self.unit], capture_output=True, text=True).stdout
        properties = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
        stopped = self.gone_at is not None and t_end - self.gone_at > 3
        return dict(role=self.role, limits=self.limits, stopped_at=self.gone_at if stopped else None,
                    runaway_pid=self.runaway_pid, runaway_gone_at=self.runaway_gone_at, systemctl=properties)


class Outcome:
    """When the judge's outcome is fixed: a forbidden event (an untouched unit acted on, a
    VM-wide kernel OOM kill) or every culprit acted on / contained; then `tail` more seconds."""

    def __init__(self, scenario, watches):
        self.rules = scenario.get("stop") or {}
        self.judged = scenario.get("class") is not None
        self.contain = scenario.get("expect", {}).get("contain", [])
        self.watches = watches
        self.stop_at = None
        self.reason = None
        self.vm_oom = 0

    def decide(self, t, restarts, oom_increased):
        if self.stop_at is not None:
            return
        if self.judged and oom_increased:
            self.vm_oom = len(vm_wide(kernel_oom_kills()))
            if self.vm_oom:
                return self.fix(t, 15, "VM-wide kernel OOM kill")
        for w in self.watches:
            if self.judged and w.role in UNTOUCHED and w.acted_on(restarts[w.unit]):
                return self.fix(t, 15, f"{w.unit} ({w.role}) acted on")
        wanted = self.rules.get("units") or [w.unit for w in self.watches if w.role in ACTED]
        if "acted_tail" in self.rules and wanted and all(
                w.acted_on(restarts[w.unit]) for w in self.watches if w.unit in wanted):
            return self.fix(t, self.rules["acted_tail"], "every culprit acted on")
        if "contained_tail" in self.rules and self.contain and all(
                w.limits for w in self.watches if w.unit in self.contain):
            return self.fix(t, self.rules["contained_tail"], "contained")

    def fix(self, t, tail, reason):
        self.stop_at, self.reason = t + tail, f"{reason} at {t:.1f} s"

    def done(self, t):
        return self.stop_at is not None and t >= self.stop_at
