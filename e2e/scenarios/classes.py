"""The production-like scenario classes of issue 12, each at two clearly different sizes.

A class is a function of the size ("a" or "b") returning a scenario. Names, slices, rates and
guest sizes differ between a and b, so the defaults cannot be fitted to one workload. CI runs
size a of every class (`e2e/run scenario --all`); `--sizes a,b` adds b.

A unit is (unit, command, role) or (unit, command, role, {"slice": S, "kind": "scope"}).
Roles judged by verdict.py:
  culprit  must be acted on (restart, runtime MemoryHigh/MemoryMax, or a process kill)
  app, warmup, build, bystander
           must be left alone: not restarted, throttled, contained or killed
  tmpfs    holds its memory in a tmpfs: must not be restarted (that frees nothing)
  session  a login session scope: its runaway process terminated, the scope left running
Expectation keys: contain (units that must end up with a runtime MemoryMax/MemoryHigh),
mentions (words one of which an incident must contain), warmup_s (no action on a culprit
before then: it is still starting), stop (when the outcome is decided, see driver.py).
"""
MEMHOG = "/usr/local/bin/memhog"

BYSTANDER = ("bystander.service", f"{MEMHOG} --hold 100", "bystander")


def hold(mib):
    return f"{MEMHOG} --hold {mib}"


def warm(rate, size):
    """Touches `size` MiB at `rate` MiB/s after its start, then stays flat."""
    return f"{MEMHOG} --leak {rate} --max {size}"


def regrowing(rate, start):
    """Leaks again from the start after every restart, without a cap."""
    return f"{MEMHOG} --leak {rate} --start {start}"


def database_warmup(size):
    """A database touches a large heap at start, then stays flat: it must be left alone.

    Two rates: (a) a slow warm-up that ends with little RAM left (~140 MiB of MemAvailable);
    (b) a fast one (250 MiB/s) that stops with ~800 MiB left. A warm-up past RAM does not fit
    this guest: under TCG its swap takes almost nothing while RAM is short (measured: 1700 MiB
    at 30 MiB/s on 2 GiB, 84 MiB swapped, 3 s of full stall; 1700 at 150 MiB/s, 0.83 s; 1900,
    9.5 s, each with no supervisor), so no supervisor passes it by leaving it alone. A warm-up
    that is both fast and near RAM's end cannot be told from a leak before it stops, unless it
    mapped its heap first, as creep's start does (docs/OPERATIONS.md, "Warm-ups")."""
    # MemAvailable at the start: ~1690 MiB (2 GiB guest), ~2700 MiB (3 GiB), the bystander takes 100.
    if size == "c":
        # A known failure, outside CI and `compare` (KNOWN_FAILURES): 12 MiB/s to 1900 MiB, past
        # RAM into swap. Unsupervised it stalls 3.4 s; Headroom restarts it at RAM's floor, as
        # it would a slow leak from its start, and contains it (docs/OPERATIONS.md, "Warm-ups").
        return dict(mem=2048, swap=1024, duration=200,
                    units=[("pgsql.service", warm(12, 1900), "warmup"), BYSTANDER])
    if size == "a":
        return dict(mem=2048, swap=1024, duration=75,
                    units=[("postgresql.service", warm(40, 1450), "warmup"), BYSTANDER])
    return dict(mem=3072, swap=1024, duration=50,
                units=[("mariadb.service", warm(250, 1800), "warmup", {"slice": "db.slice"}), BYSTANDER])


def nix_build(size):
    """The platform's builder ramps inside the 1.1 GiB management reserve, holds, exits, beside
    the customer's application: all left alone."""
    if size == "a":
        build = (f"/bin/sh -c '{MEMHOG} --leak 48 --start 30 --max 1000 --exit-after 45; "
                 f"exec {MEMHOG} --hold 30'")
        return dict(mem=2048, swap=1024, duration=90,
                    units=[("nix-daemon.service", build, "build"), ("shop.service", hold(400), "app"), BYSTANDER])
    return dict(mem=3072, swap=1024, duration=75,
                units=[("nixos-upgrade.service", f"{MEMHOG} --leak 96 --start 50 --max 1100 --exit-after 40", "build"),
                       ("erp.service", hold(900), "app"), BYSTANDER])


def agent_beside_large_app(size):
    """A monitoring agent leaks past its 256 MiB budget while a large application starts: the
    agent is acted on, the application never. (b's application warms at 200 MiB/s and stops with
    ~700 MiB of RAM left: a warm-up that fast must stop with ~3 s of its rate beyond swap still
    free, or it cannot be told from a leak; docs/OPERATIONS.md, "Warm-ups".)"""
    if size == "a":
        return dict(mem=2048, swap=1024, duration=180,
                    units=[("shop.service", warm(100, 1000), "app"),
                           ("telegraf.service", regrowing(8, 150), "culprit"), BYSTANDER],
                    stop=dict(acted_tail=20))
    return dict(mem=3072, swap=1024, duration=180,
                units=[("crm.service", warm(200, 1500), "app", {"slice": "customer.slice"}),
                       ("sensu-client.service", regrowing(16, 200), "culprit"), BYSTANDER],
                stop=dict(acted_tail=20))


def regrowing_leak(size):
    """A leak that comes back after every restart, no cap: the VM stays healthy the whole run and
    the unit ends up contained (runtime MemoryMax/MemoryHigh)."""
    if size == "a":
        return dict(mem=2048, swap=1024, duration=180,
                    units=[("worker.service", regrowing(128, 50), "culprit"), BYSTANDER],
                    expect=dict(contain=["worker.service"]), stop=dict(contained_tail=60))
    return dict(mem=3072, swap=1024, duration=200,
                units=[("ingest.service", regrowing(64, 100), "culprit", {"slice": "customer.slice"}), BYSTANDER],
                expect=dict(contain=["ingest.service"]), stop=dict(contained_tail=60))


def slow_creep(size):
    """Starts large (all but a little of MemAvailable, mapped at once and touched at full
    speed, ~450 MiB/s in the guest), then creeps well under 32 MiB per 20 s: found and acted on
    before the kernel OOM, not during its start."""
    if size == "a":
        return dict(mem=2048, swap=256, duration=420,
                    units=[("billing.service", f"{MEMHOG} --leak 1.4 --leave 150", "culprit"), BYSTANDER],
                    expect=dict(warmup_s=30), stop=dict(acted_tail=10))
    return dict(mem=3072, swap=512, duration=1100,
                units=[("analytics.service", f"{MEMHOG} --leak 0.8 --leave 250", "culprit",
                        {"slice": "customer.slice"}), BYSTANDER],
                expect=dict(warmup_s=30), stop=dict(acted_tail=10))


def steady_leak(size):
    """A steady leak (it comes back after a restart): a timely restart, no stall."""
    if size == "a":
        return dict(mem=2048, swap=1024, duration=220,
                    units=[("api.service", regrowing(16, 50), "culprit"), BYSTANDER],
                    expect=dict(restart=["api.service"]), stop=dict(acted_tail=20))
    return dict(mem=3072, swap=1024, duration=150,
                units=[("queue-worker.service", regrowing(48, 80), "culprit", {"slice": "app.slice"}), BYSTANDER],
                expect=dict(restart=["queue-worker.service"]), stop=dict(acted_tail=20))


def tmpfs_hoard(size):
    """A service fills a tmpfs beside an application: restarting it frees nothing, so it must not
    be restarted; the incident says where the memory is."""
    words = ["shmem", "tmpfs", "/dev/shm"]
    if size == "a":
        return dict(mem=2048, swap=1024, duration=120,
                    units=[("cache-writer.service", f"{MEMHOG} --leak 16 --max 900 --file /dev/shm/e2e-cache",
                            "tmpfs"), ("shop.service", hold(700), "app"), BYSTANDER],
                    expect=dict(mentions=words))
    return dict(mem=3072, swap=1024, duration=150,
                setup=["mkdir -p /mnt/e2e-scratch", "mount -t tmpfs -o size=2200M e2e-scratch /mnt/e2e-scratch"],
                units=[("renderer.service", f"{MEMHOG} --leak 32 --max 2000 --file /mnt/e2e-scratch/frames",
                        "tmpfs", {"slice": "media.slice"}), ("cms.service", hold(600), "app"), BYSTANDER],
                expect=dict(mentions=words))


def session_runaway(size):
    """A runaway process in a login session (protected): that process is terminated, the session
    scope keeps running, no other unit pays."""
    def session(rate, start):
        # the login shell waits for its job, then idles: the session outlives the runaway
        return f"/bin/sh -c '{MEMHOG} --leak {rate} --start {start} & wait; exec sleep infinity'"
    if size == "a":
        return dict(mem=2048, swap=1024, duration=120,
                    units=[("session-7.scope", session(64, 20), "session", {"slice": "user-1000.slice", "kind": "scope"}),
                           ("shop.service", hold(500), "app"), BYSTANDER],
                    stop=dict(acted_tail=10))
    return dict(mem=3072, swap=1024, duration=200,
                units=[("session-42.scope", session(24, 300), "session", {"slice": "user-1001.slice", "kind": "scope"}),
                       ("erp.service", hold(1200), "app"), BYSTANDER],
                stop=dict(acted_tail=10))


def two_agents(size):
    """Two platform agents over their budgets at once, beside the application: both acted on, the
    application untouched."""
    if size == "a":
        return dict(mem=2048, swap=1024, duration=180,
                    units=[("telegraf.service", regrowing(24, 100), "culprit"),
                           ("filebeat.service", regrowing(8, 50), "culprit"),
                           ("shop.service", hold(700), "app"), BYSTANDER],
                    stop=dict(acted_tail=15))
    return dict(mem=3072, swap=1024, duration=180,
                units=[("sensu-client.service", regrowing(40, 150), "culprit"),
                       ("filebeat-journal.service", regrowing(16, 60), "culprit"),
                       ("cms.service", hold(1400), "app", {"slice": "customer.slice"}), BYSTANDER],
                stop=dict(acted_tail=15))


CLASSES = {
    "warmup": database_warmup,
    "nix-build": nix_build,
    "agent-app": agent_beside_large_app,
    "regrow-uncapped": regrowing_leak,
    "creep": slow_creep,
    "steady-leak": steady_leak,
    "tmpfs": tmpfs_hoard,
    "session": session_runaway,
    "two-agents": two_agents,
}

SIZES = ["a", "b"]
# Sizes that no supervisor passes in this guest, kept so the failure can be run by name
# (`e2e/run scenario warmup-c`); never in CI or `compare`.
KNOWN_FAILURES = {"warmup": ["c"]}


def scenarios(sizes, known_failures=False):
    """{name: scenario} for the classes at `sizes`, named CLASS-SIZE (e.g. warmup-a), plus
    KNOWN_FAILURES when asked."""
    found = {}
    for name, make in CLASSES.items():
        for size in sizes + (KNOWN_FAILURES.get(name, []) if known_failures else []):
            scenario = make(size)
            scenario.setdefault("expect", {})
            scenario["class"], scenario["size"] = name, size
            found[f"{name}-{size}"] = scenario
    return found
