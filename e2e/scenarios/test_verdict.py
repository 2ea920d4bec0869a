"""Host-side checks of the class judge and the kernel-log reading (no guest):
    python3 -m unittest discover -s e2e/scenarios -p 'test_*.py'
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "supervised"))
import classes  # noqa: E402
import verdict  # noqa: E402
import watch  # noqa: E402

KERNEL_LOG = (
    "[ 84.1] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
    "task_memcg=/user.slice/user-1000.slice/session-7.scope,task=memhog,pid=307,uid=0\n"
    "[ 90.2] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
    "oom_memcg=/system.slice/worker.service,task_memcg=/system.slice/worker.service,task=memhog,pid=412,uid=0\n")


def unit(role, **extra):
    return dict(dict(role=role, limits={}, stopped_at=None, runaway_pid=None, runaway_gone_at=None,
                     systemctl={"MemoryMax": "infinity", "MemoryHigh": "infinity"}), **extra)


def result(units, restarts=None, **extra):
    base = dict(oom_kills=0, vm_oom_kills=0, kernel_oom=[], psi_full_ms=0, psi_some_ms=0,
                restarts={u: 0 for u in units}, first_restart_s={}, active_at_end={u: True for u in units},
                units=units, min_available_mib=100, max_sample_gap_s=0.3, max_swap_used_mib=0, ran_s=60)
    base["restarts"].update(restarts or {})
    base["first_restart_s"].update({u: 20.0 for u, n in (restarts or {}).items() if n})
    base.update(extra)
    return base


def judged(name, supervisor, res):
    with tempfile.TemporaryDirectory() as out:
        json.dump(res, open(os.path.join(out, "result.json"), "w"))
        scenario = classes.scenarios(classes.SIZES)[name]
        return verdict.failures_of(scenario, supervisor, res, res.get("incidents", []))


class KernelLogTests(unittest.TestCase):
    def test_global_and_cgroup_oom_kills_are_told_apart(self):
        kills = [m.groups() for m in watch.OOM_LINE.finditer(KERNEL_LOG)]
        self.assertEqual([k[0] for k in kills], ["CONSTRAINT_NONE", "CONSTRAINT_MEMCG"])
        self.assertEqual(len(watch.vm_wide(kills)), 1)
        self.assertEqual(kills[1][1], "/system.slice/worker.service")


class VerdictTests(unittest.TestCase):
    def test_a_restarted_warm_up_fails(self):
        res = result({"postgresql.service": unit("warmup"), "bystander.service": unit("bystander")},
                     restarts={"postgresql.service": 1})
        self.assertEqual(len(judged("warmup-a", "headroom", res)), 1)

    def test_a_warm_up_left_alone_passes(self):
        res = result({"postgresql.service": unit("warmup"), "bystander.service": unit("bystander")})
        self.assertEqual(judged("warmup-a", "headroom", res), [])

    def test_a_contained_regrowing_leak_with_cgroup_oom_kills_passes(self):
        limits = {"memory.max": dict(value=700 << 20, t=40.0)}
        res = result({"worker.service": unit("culprit", limits=limits), "bystander.service": unit("bystander")},
                     restarts={"worker.service": 3}, oom_kills=4)
        self.assertEqual(judged("regrow-uncapped-a", "headroom", res), [])

    def test_a_vm_wide_oom_kill_and_stall_fail_an_uncontained_leak(self):
        res = result({"worker.service": unit("culprit"), "bystander.service": unit("bystander")},
                     restarts={"worker.service": 3}, vm_oom_kills=1, psi_full_ms=5200)
        failures = judged("regrow-uncapped-a", "headroom", res)
        self.assertEqual(len(failures), 3, failures)

    def test_throttling_the_application_fails_the_agent_scenario(self):
        limits = {"memory.high": dict(value=900 << 20, t=30.0)}
        res = result({"shop.service": unit("app", limits=limits), "telegraf.service": unit("culprit"),
                      "bystander.service": unit("bystander")}, restarts={"telegraf.service": 1})
        self.assertEqual(len(judged("agent-app-a", "headroom", res)), 1)

    def test_the_session_must_survive_its_runaway(self):
        res = result({"session-7.scope": unit("session", runaway_pid=307, runaway_gone_at=30.0),
                      "shop.service": unit("app"), "bystander.service": unit("bystander")})
        self.assertEqual(judged("session-a", "headroom", res), [])
        res["active_at_end"]["session-7.scope"] = False
        self.assertEqual(len(judged("session-a", "headroom", res)), 1)

    def test_the_tmpfs_incident_must_say_where_the_memory_is(self):
        res = result({"cache-writer.service": unit("tmpfs"), "shop.service": unit("app"),
                      "bystander.service": unit("bystander")},
                     incidents=[dict(kind="no_actionable_culprit", text="cache-writer.service holds 900 MiB shmem")])
        self.assertEqual(judged("tmpfs-a", "headroom", res), [])
        res["incidents"][0]["text"] = "nothing to do"
        self.assertEqual(len(judged("tmpfs-a", "headroom", res)), 1)
        self.assertEqual(judged("tmpfs-a", "none", res), [])

    def test_acting_on_a_creeper_during_its_start_fails(self):
        res = result({"billing.service": unit("culprit"), "bystander.service": unit("bystander")},
                     restarts={"billing.service": 1})
        res["first_restart_s"]["billing.service"] = 8.0
        self.assertEqual(len(judged("creep-a", "headroom", res)), 1)


class EarlyStopTests(unittest.TestCase):
    def watches(self, name):
        scenario = classes.scenarios(classes.SIZES)[name]
        specs = [dict(unit=u[0], role=u[2], **(u[3] if len(u) > 3 else {})) for u in scenario["units"]]
        return scenario, [watch.UnitWatch(spec, "/nonexistent") for spec in specs]

    def test_a_restarted_warm_up_fixes_the_outcome(self):
        scenario, watches = self.watches("warmup-a")
        outcome = watch.Outcome(scenario, watches)
        outcome.decide(10.0, {"postgresql.service": 0, "bystander.service": 0}, False)
        self.assertIsNone(outcome.stop_at)
        outcome.decide(20.0, {"postgresql.service": 1, "bystander.service": 0}, False)
        self.assertFalse(outcome.done(34.0))
        self.assertTrue(outcome.done(35.0))

    def test_the_run_goes_on_until_every_culprit_was_acted_on(self):
        scenario, watches = self.watches("two-agents-a")
        outcome = watch.Outcome(scenario, watches)
        restarts = {w.unit: 0 for w in watches}
        restarts["telegraf.service"] = 1
        outcome.decide(30.0, restarts, False)
        self.assertIsNone(outcome.stop_at)
        restarts["filebeat.service"] = 1
        outcome.decide(40.0, restarts, False)
        self.assertEqual(outcome.stop_at, 40.0 + scenario["stop"]["acted_tail"])


if __name__ == "__main__":
    unittest.main()
