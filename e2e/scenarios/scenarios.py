#!/usr/bin/env python3
"""The e2e workload scenarios: one definition used on the host (staging, judging) and
described to the guest (units.tsv, scenario.json).

    scenarios.py list [--sizes a,b|none][,faults]  the scenarios (default: the classes at size a; none:
                                               only the older scenarios; faults adds issue 13's fault
                                               scenarios; CI runs none,faults until the issue-12
                                               policy passes the classes)
    scenarios.py stage NAME SUPERVISOR DIR    write units.tsv, scenario.json, config.json into DIR
    scenarios.py boot-args NAME               print "--mem MIB --swap MIB --timeout S"
    scenarios.py judge NAME SUPERVISOR OUTDIR  print a result row as JSON; exit 1 when a
                                               Headroom expectation fails
    scenarios.py table RESULTS                 the result rows as a markdown table
    scenarios.py benchmarks RESULTS DOC CMD    write the comparison section of DOC
    scenarios.py footprint RESULTS DOC CMD     write the footprint section of DOC (idle rows)
    scenarios.py latency RESULTS DOC CMD       write the reaction-latency section of DOC
    scenarios.py classes RESULTS DOC CMD [NOTE]  write the issue-12 classes section of DOC
"""
import builtins
import functools
import json
import os
import re
import sys

import classes
import faults
import verdict

MEMHOG = "/usr/local/bin/memhog"


def leak_once(name, rate, start=50, cap=None, delay=0):
    """Leaks on its first run (after `delay` s); after a restart it holds steady, as most leaks
    take hours to come back."""
    extra = f" --max {cap}" if cap else ""
    marker = f"/run/e2e-{name}.started"
    wait = f"sleep {delay}; " if delay else ""
    return (f"/bin/sh -c '{wait}if [ -e {marker} ]; then exec {MEMHOG} --hold {start}; "
            f"else touch {marker}; exec {MEMHOG} --leak {rate} --start {start}{extra}; fi'")


def leak_always(rate, start=50, cap=None):
    extra = f" --max {cap}" if cap else ""
    return f"{MEMHOG} --leak {rate} --start {start}{extra}"


BYSTANDER = ("bystander.service", f"{MEMHOG} --hold 100", "bystander")

SCENARIOS = {
    "fast-leak": dict(
        mem=2048, swap=1024, duration=60,
        units=[("leaky.service", leak_once("leaky", 128), "culprit"), BYSTANDER],
        expect=dict(restarted=["leaky.service"], incident="restart")),
    # A young leak: left alone as a possible warm-up until the room (RAM + usable swap) nears
    # the reserve, ~300 s at 8 MiB/s; steady-leak (16 MiB/s) and creep cover the class in CI.
    "slow-leak": dict(
        mem=2048, swap=1024, duration=420,
        units=[("slowleak.service", leak_once("slowleak", 8), "culprit"), BYSTANDER],
        expect=dict(restarted=["slowleak.service"], incident="restart"),
        stop=dict(acted_tail=20, units=["slowleak.service"])),
    "page-cache": dict(
        mem=1536, swap=512, duration=120,
        units=[("reader.service",
                "/bin/sh -c 'dd if=/dev/zero of=/var/tmp/big bs=1M count=2048 status=none; "
                "while :; do cat /var/tmp/big > /dev/null; done'", "reader"), BYSTANDER],
        expect=dict(restarted=[], incident=None)),
    "spike": dict(
        mem=2048, swap=1024, duration=60,
        units=[("spiky.service",
                f"/bin/sh -c 'sleep 15; timeout 4 {MEMHOG} --hold 700; exec {MEMHOG} --hold 50'", "spike"),
               BYSTANDER],
        expect=dict(restarted=[], incident=None)),
    "protected": dict(
        mem=2048, swap=1024, duration=60,
        config={"supervisor": {"protected": ["headroom", "systemd-journald", "dbus", "sshd", "systemd-logind",
                                             "init.scope", "user@*", "session-*.scope", "precious"]}},
        units=[("precious.service", leak_always(64, cap=1400), "protected"), BYSTANDER],
        expect=dict(restarted=[], incident="no_actionable_culprit")),
    "two-leakers": dict(
        mem=2048, swap=1024, duration=90,
        units=[("fastleak.service", leak_once("fastleak", 96), "culprit"),
               ("slowleak.service", leak_once("slowleak", 24), "culprit"), BYSTANDER],
        expect=dict(restarted=["fastleak.service"], incident="restart"),
        stop=dict(acted_tail=30, units=["fastleak.service"])),
    "no-swap": dict(
        mem=2048, swap=0, duration=60,
        units=[("leaky.service", leak_once("leaky", 128), "culprit"), BYSTANDER],
        expect=dict(restarted=["leaky.service"], incident="restart")),
    # The system bus restarts under the daemon (its D-Bus connection drops); the leak that
    # starts afterwards must still be restarted through D-Bus.
    "dbus-restart": dict(
        mem=2048, swap=1024, duration=70,
        units=[("leaky.service", leak_once("leaky", 128, delay=25), "culprit"),
               ("busrestart.service", "/bin/sh -c 'sleep 8; systemctl restart dbus.service'", "helper"),
               BYSTANDER],
        expect=dict(restarted=["leaky.service"], incident="restart",
                    journal=["reconnected to systemd over D-Bus"])),
    # The supervisor's own footprint while calm (RSS, PSS, locked, threads, fds, CPU):
    # `e2e/run footprint` runs it under each supervisor and writes the table.
    "idle": dict(
        mem=2048, swap=1024, duration=120, footprint=True,
        units=[BYSTANDER],
        expect=dict(restarted=[], incident=None)),
    "dry-run": dict(
        mem=2048, swap=1024, duration=45, dry_run=True,
        # Capped past RAM (MemAvailable ~1590 beside the bystander), so the decision comes while it
        # grows (a young unit that stops with RAM to spare is a warm-up, and nothing is decided),
        # and swap keeps the VM alive once it stops, since nothing is restarted.
        units=[("leaky.service", leak_always(128, cap=1650), "culprit"), BYSTANDER],
        expect=dict(restarted=[], incident="restart", outcome="dry_run")),
}

SUPERVISORS = ["headroom", "none", "earlyoom", "systemd-oomd", "nohang"]

# The issue-12 classes, every size (CI runs size a: `list`; `list --sizes a,b` adds b).
CLASS_SCENARIOS = classes.scenarios(classes.SIZES, known_failures=True)
# Issue 13's faults in the guest (e2e/scenarios/faults.py): Headroom only, judged as the others plus the fault's checks.
FAULT_SCENARIOS = faults.scenarios(leak_once, BYSTANDER)
ALL = {**SCENARIOS, **CLASS_SCENARIOS, **FAULT_SCENARIOS}


def specs(scenario):
    """Each unit as a dict: unit, command, role, slice, kind."""
    return [dict(unit=u[0], command=u[1], role=u[2], **(u[3] if len(u) > 3 else {})) for u in scenario["units"]]


def stage(name, supervisor, directory):
    scenario = ALL[name]
    os.makedirs(directory, exist_ok=True)
    units = specs(scenario)
    with open(os.path.join(directory, "units.tsv"), "w") as f:
        for u in units:
            f.write(f"{u['unit']}\t{u['role']}\t{u.get('slice', '-')}\t{u.get('kind', 'service')}\t{u['command']}\n")
    with open(os.path.join(directory, "scenario.json"), "w") as f:
        json.dump(dict(name=name, supervisor=supervisor, duration=scenario["duration"],
                       dry_run=scenario.get("dry_run", False), footprint=scenario.get("footprint", False),
                       units=[u["unit"] for u in units], specs=units, stop=scenario.get("stop"),
                       expect=scenario.get("expect"), **{"class": scenario.get("class")}), f)
    if scenario.get("setup"):
        with open(os.path.join(directory, "setup.sh"), "w") as f:
            f.write("\n".join(scenario["setup"]) + "\n")
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(scenario.get("config", {}), f)


# Run by name, not by --all (CI). slow-leak: what it shows is covered by a class (steady-leak,
# creep) in less time. The KNOWN_FAILURES sizes (classes.py): cases no supervisor passes in this guest.
# Every class runs in CI at size a.
OUTSIDE_CI = {"slow-leak"} | set(classes.scenarios([], known_failures=True))


def names(sizes):
    """The existing scenarios (without OUTSIDE_CI), the fault scenarios when `sizes` holds `faults`
    (Headroom only, so not in `compare`), then each class at `sizes` (`none` matches no class)."""
    faulty = list(FAULT_SCENARIOS) if "faults" in sizes else []
    return [n for n in SCENARIOS if n not in OUTSIDE_CI] + faulty + \
        [n for n, s in CLASS_SCENARIOS.items() if s["size"] in sizes and n not in OUTSIDE_CI]


REACTION = re.compile(r"RestartUnit\((\S+), replace\) issued ([0-9.]+) ms after the (psi trigger|tick|start) woke")


def reactions(out):
    """Headroom's restarts from its journal: the unit, what woke the loop, and how long after the
    wake-up the D-Bus call was issued; plus, from the incident, how long the critical condition
    (e.g. the forecast under its threshold) had held when it acted."""
    found = []
    try:
        with open(os.path.join(out, "journal.txt"), errors="replace") as f:
            for line in f:
                match = REACTION.search(line)
                if match:
                    found.append(dict(unit=match.group(1), wake=match.group(3), latency_ms=float(match.group(2))))
    except OSError:
        return found
    held = []
    directory = os.path.join(out, "incidents")
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        try:
            incident = json.load(open(os.path.join(directory, name)))
        except (OSError, ValueError):
            continue
        if incident.get("kind") == "restart" and incident.get("trigger"):
            held.append((incident.get("started_at_ms", 0), incident["trigger"]))
    for reaction, (_, trigger) in zip(found, sorted(held, key=lambda pair: pair[0])):
        reaction["signal"] = trigger.get("signal")
        reaction["held_s"] = trigger.get("held_seconds")
    return found


def judge(name, supervisor, out):
    if name in CLASS_SCENARIOS:
        return verdict.judge(name, CLASS_SCENARIOS[name], supervisor, out)
    scenario = SCENARIOS.get(name) or FAULT_SCENARIOS[name]
    try:
        with open(os.path.join(out, "result.json")) as f:
            result = json.load(f)
    except (OSError, ValueError) as error:
        print(json.dumps(dict(scenario=name, supervisor=supervisor, error=f"no result.json: {error}")))
        return 1
    culprits = [u for u, _, role in scenario["units"] if role == "culprit"]
    row = dict(
        scenario=name, supervisor=supervisor,
        kernel_oom_kills=result["oom_kills"],
        first_action_s=min((result["first_restart_s"][u] for u in result["first_restart_s"]), default=None),
        psi_full_ms=result["psi_full_ms"], psi_some_ms=result["psi_some_ms"],
        restarts=result["restarts"],
        culprit_active_at_end=all(result["active_at_end"].get(u, False) for u in culprits) if culprits else None,
        bystander_hit=result["restarts"].get("bystander.service", 0) > 0
        or not result["active_at_end"].get("bystander.service", False),
        min_available_mib=result["min_available_mib"], max_sample_gap_s=result["max_sample_gap_s"],
        incidents=[(i.get("kind"), i.get("culprit"), i.get("outcome")) for i in result.get("incidents", [])],
        journal_entries=result.get("journal_entries", []),
    )
    if "footprint" in result:
        row["footprint"] = result["footprint"]
    if supervisor == "headroom":
        row["reactions"] = reactions(out)
    failures = []
    if scenario.get("footprint") and "error" in result.get("footprint", {"error": "missing"}) \
            and supervisor != "none":
        failures.append(f"footprint: {result.get('footprint', {}).get('error', 'missing')}")
    if supervisor == "headroom":
        expect = scenario["expect"]
        if row["kernel_oom_kills"] != 0:
            failures.append(f"kernel OOM kills: {row['kernel_oom_kills']}")
        if row["bystander_hit"]:
            failures.append("the bystander was restarted or is down")
        for unit in expect["restarted"]:
            if result["restarts"].get(unit, 0) == 0:
                failures.append(f"{unit} was not restarted")
            if not result["active_at_end"].get(unit, False):
                failures.append(f"{unit} is not active at the end")
        for unit, _, role in scenario["units"]:
            if unit not in expect["restarted"] and role in ("reader", "spike", "protected") \
                    and result["restarts"].get(unit, 0) > 0:
                failures.append(f"{unit} ({role}) was restarted")
        for unit, limit in expect.get("max_restarts", {}).items():
            if result["restarts"].get(unit, 0) > limit:
                failures.append(f"{unit} restarted {result['restarts'][unit]} times, limit {limit}")
        for unit, least in expect.get("min_restarts", {}).items():
            if result["restarts"].get(unit, 0) < least:
                failures.append(f"{unit} restarted {result['restarts'].get(unit, 0)} times, expected {least} "
                                f"before it counts as a restart loop")
        kinds = [kind for kind, _, _ in row["incidents"]]
        if expect["incident"] is None and kinds:
            failures.append(f"unexpected incidents: {row['incidents']}")
        if expect["incident"] is not None:
            if expect["incident"] not in kinds:
                failures.append(f"no {expect['incident']} incident (have {row['incidents']})")
            if expect["incident"] == "restart":
                named = [c for kind, c, _ in row["incidents"] if kind == "restart"]
                if expect["restarted"] and named[:1] != expect["restarted"][:1]:
                    failures.append(f"first restart incident names {named[:1]}, expected {expect['restarted'][:1]}")
                if not any(e.get("unit") in (expect["restarted"] or culprits) for e in row["journal_entries"]):
                    failures.append("no journal entry with OBJECT_SYSTEMD_UNIT of the culprit")
            if "outcome" in expect and expect["outcome"] not in [o for _, _, o in row["incidents"]]:
                failures.append(f"no incident with outcome {expect['outcome']}")
        if expect.get("journal"):
            try:
                with open(os.path.join(out, "journal.txt"), errors="replace") as f:
                    journal = f.read()
            except OSError:
                journal = ""
            for text in expect["journal"]:
                if text not in journal:
                    failures.append(f"the journal lacks '{text}'")
        if name in FAULT_SCENARIOS:
            failures += faults.failures(scenario, out)
    row["failures"] = failures
    print(json.dumps(row))
    return 1 if failures else 0


def table(path, out=sys.stdout):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print = functools.partial(builtins.print, file=out)  # noqa: A001 - the table goes to `out`
    if any(r.get("scenario") in CLASS_SCENARIOS for r in rows):
        print("\n".join(verdict.table_lines([r for r in rows if r.get("scenario") in CLASS_SCENARIOS])) + "\n")
        rows = [r for r in rows if r.get("scenario") not in CLASS_SCENARIOS]
        if not rows:
            return
    print("| scenario | supervisor | kernel OOM kills | first action (s) | PSI full stall (ms) | PSI some stall (ms) "
          "| restarts | culprit up at end | bystander hit | min available (MiB) | max sample gap (s) | result |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['scenario']} | {r['supervisor']} | {r['error']} |||||||||| FAIL |")
            continue
        restarts = ", ".join(f"{u} {n}" for u, n in r["restarts"].items() if n) or "none"
        judged = "FAIL: " + "; ".join(r["failures"]) if r["failures"] else ("pass" if r["supervisor"] == "headroom" else "-")
        print(f"| {r['scenario']} | {r['supervisor']} | {r['kernel_oom_kills']} | {r['first_action_s'] if r['first_action_s'] is not None else '-'} "
              f"| {r['psi_full_ms']} | {r['psi_some_ms']} | {restarts} | {r['culprit_active_at_end'] if r['culprit_active_at_end'] is not None else '-'} "
              f"| {'yes' if r['bystander_hit'] else 'no'} | {r['min_available_mib']} | {r['max_sample_gap_s']} | {judged} |")


SUPERVISOR_ORDER = ["headroom", "none", "earlyoom", "systemd-oomd", "nohang"]

EXPLANATION = (
    "One fresh Debian bookworm guest per row (kernel 6.1, systemd 252), qemu TCG, 2 vCPUs; 2048 MiB RAM + "
    "1024 MiB swap, except page-cache (1536 + 512) and no-swap (2048, none); swappiness 1 as on the platform. "
    "Stalls are the PSI `total` deltas over the run; \"first action\" is the first restart the in-guest sampler "
    "saw (a new InvocationID), whoever caused it; \"culprit up at end\" False means the workload was killed "
    "and stayed dead (earlyoom and nohang send SIGTERM, which systemd counts as a clean exit, so "
    "Restart=on-failure does not bring it back). \"max sample gap\" is the longest pause of the 250 ms "
    "sampler (thrash). dry-run and dbus-restart are Headroom-only; idle is the footprint run. The regrow and "
    "protected workloads are capped at 1.4 GiB, so without Headroom they only sit there; the slow leak "
    "reaches 2.4 GiB in its 300 s, which fills RAM and part of swap without exhausting both.")


def replace_section(document, name, heading, section):
    """Put `section` (which starts and ends with the <!-- NAME:start/end --> markers) in place of
    the marked part of `document`, or append it under `heading` the first time."""
    text = open(document).read() if os.path.exists(document) else "# Benchmarks\n"
    start_marker, end_marker = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    start, end = text.find(start_marker), text.find(end_marker)
    if start >= 0 and end > start:
        text = text[:start] + section + text[end + len(end_marker):]
    else:
        text += f"\n## {heading}\n\n" + section + "\n"
    open(document, "w").write(text)


def benchmarks(path, document, command):
    """Replace the e2e comparison section of docs/BENCHMARKS.md with the table of `path`
    (rows ordered by scenario, then supervisor; for a repeated pair the last row counts)."""
    import datetime
    import io
    rows = {}
    for line in open(path):
        if line.strip():
            row = json.loads(line)
            if row.get("scenario") in SCENARIOS and row["scenario"] != "idle":
                rows[(row["scenario"], row["supervisor"])] = row
    order = list(SCENARIOS)
    ranked = sorted(rows.values(), key=lambda r: (order.index(r["scenario"]),
                                                  SUPERVISOR_ORDER.index(r["supervisor"])
                                                  if r["supervisor"] in SUPERVISOR_ORDER else 99))
    sorted_path = path + ".sorted"
    with open(sorted_path, "w") as f:
        for row in ranked:
            f.write(json.dumps(row) + "\n")
    buffer = io.StringIO()
    table(sorted_path, buffer)
    os.remove(sorted_path)
    fast = {r["supervisor"]: r for r in ranked if r["scenario"] == "fast-leak" and "error" not in r}
    target = ", ".join(f"{name} {fast[name]['psi_full_ms'] / 1000:.1f} s / {fast[name]['psi_some_ms'] / 1000:.1f} s"
                       for name in SUPERVISOR_ORDER if name in fast)
    section = (f"<!-- e2e-compare:start -->\n"
               f"Produced {datetime.date.today().isoformat()} into one results file by {command}. {EXPLANATION}\n\n"
               f"**Fast leak target** (issue 4: PSI full ≤ 0.5 s, some ≤ 1 s), full / some stall: {target}.\n\n"
               f"{buffer.getvalue()}<!-- e2e-compare:end -->")
    replace_section(document, "e2e-compare", "Scenarios side by side (real guest)", section)


def footprint_section(path, document, command):
    """Replace the footprint section of docs/BENCHMARKS.md with the idle runs of `path`."""
    import datetime
    rows = [json.loads(line) for line in open(path) if line.strip()]
    latest = {r["supervisor"]: r for r in rows if r.get("scenario") == "idle" and "footprint" in r}
    rows = [latest[name] for name in SUPERVISOR_ORDER if name in latest]
    lines = ["| supervisor | RSS (MiB) | peak RSS (MiB) | PSS (MiB) | locked (MiB) | threads | open fds "
             "| CPU (% of a core) | measured over (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        f = r["footprint"]
        if "error" in f:
            lines.append(f"| {r['supervisor']} | {f['error']} ||||||||")
            continue
        mib = lambda kib: f"{kib / 1024:.1f}" if kib is not None else "-"  # noqa: E731
        lines.append(f"| {r['supervisor']} | {mib(f['rss_kib'])} | {mib(f['peak_rss_kib'])} | {mib(f['pss_kib'])} "
                     f"| {mib(f['locked_kib'])} | {f['threads']} | {f['fds']} | {f['cpu_percent']:.3f} "
                     f"| {f['seconds']} |")
    section = (f"<!-- footprint:start -->\n"
               f"Produced {datetime.date.today().isoformat()} by `{command}`: one fresh guest per supervisor "
               f"({SCENARIOS['idle']['mem']} MiB RAM, {SCENARIOS['idle']['swap']} MiB swap, 2 vCPUs, qemu TCG), "
               f"calm, with only the 100 MiB bystander running, for {SCENARIOS['idle']['duration']} s. The "
               f"in-guest driver reads the supervisor's MainPID from /proc every 5 s after 30 s of settling: "
               f"RSS/locked/threads from status, PSS from smaps_rollup, fds from fd/, CPU from stat "
               f"(utime+stime over the window). Each runs with its packaged defaults (Headroom: the shipped "
               f"unit and default config).\n\n" + "\n".join(lines) + "\n<!-- footprint:end -->")
    replace_section(document, "footprint", "Daemon footprint beside the anchors (real guest)", section)


def latency_section(path, document, command):
    """Replace the reaction-latency section of docs/BENCHMARKS.md with Headroom's restarts in `path`."""
    import datetime
    lines = ["| scenario | unit | woken by | wake-up → RestartUnit issued (ms) | critical signal | held when acting (s) |",
             "|---|---|---|---|---|---|"]
    for line in open(path):
        row = json.loads(line) if line.strip() else {}
        for r in row.get("reactions", []):
            held = r.get("held_s")
            lines.append(f"| {row['scenario']} | {r['unit']} | {r['wake']} | {r['latency_ms']:.2f} "
                         f"| {r.get('signal', '-')} | {held:.2f} |" if held is not None else
                         f"| {row['scenario']} | {r['unit']} | {r['wake']} | {r['latency_ms']:.2f} | - | - |")
    section = (f"<!-- latency:start -->\n"
               f"Produced {datetime.date.today().isoformat()} by `{command}` (the Headroom scenarios in the guest, "
               f"as CI runs them). \"wake-up → RestartUnit issued\" is from the daemon's own log line: "
               f"CLOCK_MONOTONIC when the D-Bus call was sent, minus the timestamp of the event-loop iteration "
               f"that the PSI trigger or the tick started. \"held when acting\" is the incident's "
               f"`trigger.held_seconds`: how long the critical condition (e.g. the forecast under its 12 s "
               f"threshold) had held when the call was made; it includes the 0.5 s dwell and the time to the "
               f"next wake-up.\n\n" + "\n".join(lines) + "\n<!-- latency:end -->")
    replace_section(document, "latency", "Reaction latency (real guest)", section)


def main(argv):
    if len(argv) == 5 and argv[1] == "benchmarks":
        benchmarks(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 5 and argv[1] == "latency":
        latency_section(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 5 and argv[1] == "footprint":
        footprint_section(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 3 and argv[1] == "table":
        table(argv[2])
        return 0
    if len(argv) >= 2 and argv[1] == "list":
        sizes = argv[3].lower().split(",") if len(argv) == 4 and argv[2] == "--sizes" else ["a"]
        print("\n".join(names(sizes)))
        return 0
    if len(argv) in (5, 6) and argv[1] == "classes":
        verdict.benchmarks(argv[2], argv[3], argv[4], CLASS_SCENARIOS, argv[5] if len(argv) == 6 else "")
        return 0
    if len(argv) == 5 and argv[1] == "stage":
        if argv[2] not in ALL:
            print(f"unknown scenario {argv[2]}", file=sys.stderr)
            return 2
        stage(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 3 and argv[1] == "boot-args":
        s = ALL[argv[2]]
        # boot + install + collection take 1-2 min on an idle host, over 5 min on a loaded one
        print(f"--mem {s['mem']} --swap {s['swap']} --timeout {s['duration'] + 600}")
        return 0
    if len(argv) == 5 and argv[1] == "judge":
        return judge(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
