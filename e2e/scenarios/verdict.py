"""Judging the issue-12 scenario classes from the guest's own records (result.json from
driver.py, incident files, dmesg), the same way for every supervisor; only Headroom's failures
fail the run. Rules, for every class: 0 VM-wide kernel OOM kills (a CONSTRAINT_MEMCG kill of a
contained unit at its own limit is containment working), full-memory stall < 0.5 s, no
application, warm-up, build or bystander restarted, throttled, contained or stopped, every
culprit acted on; plus the class's own expectations (classes.py).
"""
import datetime
import json
import os

FULL_STALL_LIMIT_MS = 500
UNTOUCHED = ("app", "warmup", "build", "bystander")


def actions(result, unit):
    """What happened to `unit`, as the guest saw it: restarts, runtime limits, stopped, runaway killed."""
    seen = result["units"].get(unit, {})
    done = []
    if result["restarts"].get(unit):
        done.append(f"restart×{result['restarts'][unit]} (first {result['first_restart_s'].get(unit)} s)")
    for name, limit in seen.get("limits", {}).items():
        done.append(f"{name}={limit['value'] >> 20}M at {limit['t']} s")
    if seen.get("stopped_at") is not None and seen.get("role") != "build":
        done.append(f"stopped at {seen['stopped_at']} s")
    if seen.get("runaway_gone_at") is not None:
        done.append(f"runaway pid {seen['runaway_pid']} gone at {seen['runaway_gone_at']} s")
    return done


def first_action_s(result, unit):
    seen = result["units"].get(unit, {})
    times = [result["first_restart_s"].get(unit), seen.get("stopped_at"), seen.get("runaway_gone_at"),
             *[limit["t"] for limit in seen.get("limits", {}).values()]]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def contained(result, unit):
    seen = result["units"].get(unit, {})
    shown = seen.get("systemctl", {})
    runtime = any(shown.get(p, "infinity") not in ("infinity", "") for p in ("MemoryMax", "MemoryHigh"))
    return bool(seen.get("limits")) or runtime


def failures_of(scenario, supervisor, result, incidents):
    expect = scenario["expect"]
    failures = []
    if result["vm_oom_kills"]:
        failures.append(f"{result['vm_oom_kills']} VM-wide kernel OOM kill(s)")
    if result["psi_full_ms"] >= FULL_STALL_LIMIT_MS:
        failures.append(f"full stall {result['psi_full_ms']} ms")
    for unit, _command, role, *_ in scenario["units"]:
        done = actions(result, unit)
        if role in UNTOUCHED and done:
            failures.append(f"{unit} ({role}) acted on: {', '.join(done)}")
        if role == "culprit" and not done:
            failures.append(f"{unit} (culprit) not acted on")
        if role == "culprit" and done and first_action_s(result, unit) < expect.get("warmup_s", 0):
            failures.append(f"{unit} acted on during its start ({first_action_s(result, unit)} s)")
        if role == "tmpfs" and (result["restarts"].get(unit) or result["units"][unit].get("stopped_at")):
            failures.append(f"{unit} restarted/stopped though its memory is in a tmpfs")
        if role == "session":
            if result["units"][unit].get("runaway_gone_at") is None:
                failures.append(f"the runaway in {unit} was not terminated")
            if not result["active_at_end"].get(unit):
                failures.append(f"the session {unit} itself was ended")
    for unit in expect.get("contain", []):
        if not contained(result, unit):
            failures.append(f"{unit} not contained (no runtime MemoryMax/MemoryHigh)")
    for unit in expect.get("restart", []):
        if not result["restarts"].get(unit):
            failures.append(f"{unit} not restarted")
    if expect.get("mentions") and supervisor == "headroom":
        texts = [i.get("text", "") for i in incidents]
        if not any(word in text for text in texts for word in expect["mentions"]):
            failures.append(f"no incident says where the memory is ({'/'.join(expect['mentions'])})")
    return failures


def judge(name, scenario, supervisor, out):
    try:
        result = json.load(open(os.path.join(out, "result.json")))
    except (OSError, ValueError) as error:
        print(json.dumps(dict(scenario=name, supervisor=supervisor, error=f"no result.json: {error}")))
        return 1
    incidents = result.get("incidents", [])
    kills = result.get("kernel_oom", [])
    row = dict(
        scenario=name, supervisor=supervisor, **{"class": scenario["class"]}, size=scenario["size"],
        kernel_oom_kills=result["oom_kills"], vm_oom_kills=result["vm_oom_kills"],
        cgroup_oom_kills=len(kills) - result["vm_oom_kills"],
        psi_full_ms=result["psi_full_ms"], psi_some_ms=result["psi_some_ms"],
        restarts=result["restarts"], ran_s=result.get("ran_s"), stopped_early=result.get("stopped_early"),
        done={u: actions(result, u) for u, *_ in scenario["units"] if actions(result, u)},
        min_available_mib=result["min_available_mib"], max_swap_used_mib=result.get("max_swap_used_mib"),
        max_sample_gap_s=result["max_sample_gap_s"],
        incidents=[(i.get("kind"), i.get("culprit"), i.get("outcome"),
                    [(a.get("kind"), a.get("unit")) for a in i.get("actions", [])]) for i in incidents],
        oom_victims=[f"{k[3]} ({k[0].replace('CONSTRAINT_', '')}, {k[2]})" for k in kills],
    )
    row["failures"] = failures_of(scenario, supervisor, result, incidents)
    print(json.dumps(row))
    return 1 if row["failures"] and supervisor == "headroom" else 0


ORDER = ["headroom", "none", "earlyoom", "systemd-oomd", "nohang"]


def table_lines(rows):
    lines = ["| scenario | supervisor | VM-wide OOM kills | cgroup OOM kills | full stall (ms) | some stall (ms) "
             "| what was done (guest's records) | incidents | min available (MiB) | swap used (MiB) | ran (s) "
             "| verdict |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r['supervisor']} | {r['error']} ||||||||| FAIL |")
            continue
        done = "; ".join(f"{u}: {', '.join(d)}" for u, d in r["done"].items()) or "nothing"
        kinds = ", ".join(sorted({f"{k} {c or ''}".strip() for k, c, _, _ in r["incidents"]})) or "-"
        verdict = "FAIL: " + "; ".join(r["failures"]) if r["failures"] else "pass"
        lines.append(f"| {r['scenario']} | {r['supervisor']} | {r['vm_oom_kills']} | {r['cgroup_oom_kills']} "
                     f"| {r['psi_full_ms']} | {r['psi_some_ms']} | {done} | {kinds} | {r['min_available_mib']} "
                     f"| {r['max_swap_used_mib']} | {r['ran_s']} | {verdict} |")
    return lines


def benchmarks(path, document, command, scenarios, note=""):
    """Replace the classes section of DOC with the class rows of `path` (last row per pair)."""
    from scenarios import replace_section
    rows = {}
    for line in open(path):
        if line.strip():
            row = json.loads(line)
            if row.get("scenario") in scenarios:
                rows[(row["scenario"], row["supervisor"])] = row
    order = list(scenarios)
    ranked = sorted(rows.values(), key=lambda r: (order.index(r["scenario"]),
                                                  ORDER.index(r["supervisor"]) if r["supervisor"] in ORDER else 99))
    section = (f"<!-- e2e-classes:start -->\n"
               f"Produced {datetime.date.today().isoformat()} by `{command}` (results file "
               f"`{os.path.basename(path)}`). Verdicts apply the same rules to every supervisor "
               f"(e2e/scenarios/verdict.py); only Headroom's fail the run. {note}\n\n"
               + "\n".join(table_lines(ranked)) + "\n<!-- e2e-classes:end -->")
    replace_section(document, "e2e-classes", "Issue-12 scenario classes (real guest)", section)
