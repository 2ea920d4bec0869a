"""Host-side checks of the fault scenarios' judge (no guest):
    python3 -m unittest discover -s e2e/scenarios -p 'test_*.py'
The guest records below are cut from a real fault-sigkill run (2026-11-29).
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import faults  # noqa: E402

PENDING = "1795927487277-1"
LATER = "1795927506325-1"
LOG = """\
headroom[294]: started: level calm, tick 1.0 s
headroom[294]: RestartUnit(leaky.service, replace) issued 639.75 ms after the tick woke the loop
headroom[332]: restored vm.swappiness=1 (was 60), left changed by a previous run in this boot that did not stop cleanly
headroom[332]: incident 1795927487277-1 was left pending by a daemon that did not stop; now interrupted
headroom[332]: started: level calm, tick 1.0 s
"""
SYSTEMD = """\
systemd[1]: headroom.service: Main process exited, code=killed, status=9/KILL
systemd[1]: headroom.service: Failed with result 'signal'.
systemd[1]: headroom.service: Scheduled restart job, restart counter is at 1.
"""


def state(pid, outcome):
    return dict(MainPID=pid, ActiveState="active", swappiness=1,
                state_files=["config.last-good.json", f"incidents/{PENDING}.json", "swappiness.original"],
                incidents={PENDING: dict(outcome=outcome, culprit="leaky.service")})


def sigkill_out(directory, log=LOG, outcomes=None, entries=(PENDING, LATER), after_stop="1"):
    os.makedirs(os.path.join(directory, "fault"))
    os.makedirs(os.path.join(directory, "incidents"))
    record = dict(fault="sigkill", pending=PENDING, steps=[dict(t=9.3, step="SIGKILL"), dict(t=15.8, step="done")],
                  before=state("294", "pending"), after=state("332", "interrupted"))
    files = {"fault/sigkill.json": json.dumps(record), "headroom-journal.txt": log, "journal.txt": log + SYSTEMD,
             "swappiness-after-stop.txt": f"swappiness after stop: {after_stop}\n",
             "guest-info.txt": "kernel=6.1.0\nswappiness=1\n",
             "incident-journal.json": "".join(json.dumps(dict(HEADROOM_INCIDENT_ID=i)) + "\n" for i in entries)}
    for id, outcome in (outcomes or {PENDING: "interrupted", LATER: "recovered"}).items():
        files[f"incidents/{id}.json"] = json.dumps(dict(id=id, outcome=outcome))
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)


class SigkillJudgeTests(unittest.TestCase):
    scenario = dict(fault="sigkill")

    def judged(self, **changes):
        with tempfile.TemporaryDirectory() as out:
            sigkill_out(out, **changes)
            return faults.failures(self.scenario, out)

    def test_the_real_run_passes(self):
        self.assertEqual(self.judged(), [])

    def test_an_incident_left_pending_fails(self):
        failures = self.judged(outcomes={PENDING: "pending", LATER: "recovered"})
        self.assertIn(f"incident {PENDING} is still pending", failures)

    def test_an_incident_journaled_twice_or_never_fails(self):
        failures = self.judged(entries=(PENDING, PENDING))
        self.assertIn(f"incident {PENDING} has 2 journal entries, expected 1", failures)
        self.assertIn(f"incident {LATER} has 0 journal entries, expected 1", failures)

    def test_swappiness_left_changed_fails(self):
        self.assertTrue(any("vm.swappiness after the stop is 60" in f for f in self.judged(after_stop="60")))

    def test_a_third_start_fails(self):
        failures = self.judged(log=LOG + "headroom[401]: started: level calm, tick 1.0 s\n")
        self.assertIn("the daemon logged 'started' 3 times, expected 2", failures)


class BadConfigJudgeTests(unittest.TestCase):
    def test_a_start_on_the_defaults_fails(self):
        log = ("started: level calm, tick 0.5 s\nconfig reload refused, keeping the running config: x\n"
               "invalid config: x; no last good config in y: running on the built-in defaults\n"
               "started: level calm, tick 1.0 s\n")
        with tempfile.TemporaryDirectory() as out:
            os.makedirs(os.path.join(out, "fault"))
            with open(os.path.join(out, "fault", "bad-config.json"), "w") as f:
                json.dump(dict(steps=[dict(step="done")], last_good_before=True,
                               after_restart=dict(ActiveState="active")), f)
            with open(os.path.join(out, "headroom-journal.txt"), "w") as f:
                f.write(log)
            failures = faults.failures(dict(fault="bad-config"), out)
        self.assertIn("1 of the 2 starts ran on the last good config (tick 0.5 s)", failures)
        self.assertTrue(any("it started on the last good config 0 times" in f for f in failures), failures)


if __name__ == "__main__":
    unittest.main()
