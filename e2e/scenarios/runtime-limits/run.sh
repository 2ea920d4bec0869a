#!/bin/bash
# Guest side of the runtime-limits check (issue 12): Headroom's SetUnitProperties path,
# the record, `headroom release`, unit start times and shared-memory location, against
# systemd 252 in the real guest. Run from the repo root:
#   flock /tmp/headroom-guest.lock e2e/run boot --mem 1024 --swap 256 \
#     --add .build-static/release/headroom:bin/headroom e2e/scenarios/runtime-limits/run.sh
set -uo pipefail
: "${IN:?}" "${OUT:?}"
install -m 0755 "$IN/bin/headroom" /usr/local/bin/headroom
ST=/var/lib/headroom-e2e
failures=0
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "ok: $1 ($3)"; else echo "FAIL: $1: expected '$2', got '$3'"; failures=$((failures + 1)); fi
}
contains() { # contains DESCRIPTION NEEDLE HAYSTACK
	case "$3" in *"$2"*) echo "ok: $1" ;; *) echo "FAIL: $1: '$2' not in: $3"; failures=$((failures + 1)) ;; esac
}
show() { systemctl show -p "$2" --value "$1"; }

systemd-run --unit=target.service -p MemoryHigh=300M /bin/sleep 1000
systemd-run --unit=plain.service /bin/sleep 1000
systemd-run --unit=gone.service /bin/sleep 1000
systemd-run --unit=shm-writer.service /bin/sh -c 'dd if=/dev/zero of=/dev/shm/blob bs=1M count=64 2>/dev/null; exec sleep 1000'
sleep 3

out=$(headroom set-limit target.service --purpose contain --memory-high 64MiB --memory-max 128MiB --state-dir $ST 2>&1)
check "set-limit target exit" 0 $?
echo "$out"
check "MemoryHigh after set" 67108864 "$(show target.service MemoryHigh)"
check "MemoryMax after set" 134217728 "$(show target.service MemoryMax)"
check "memory.max in the cgroup" 134217728 "$(cat /sys/fs/cgroup/system.slice/target.service/memory.max)"
ls /run/systemd/system.control/target.service.d/ > "$OUT/control-dropins.txt" 2>&1
cp $ST/runtime-limits.json "$OUT/runtime-limits-after-set.json"
check "record holds the previous values" "contain 314572800 infinity" "$(python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["units"][0]; print(u["purpose"], u["previous"]["MemoryHigh"], u["previous"]["MemoryMax"])' $ST/runtime-limits.json)"

headroom inspect-unit target.service > "$OUT/inspect-target.json" 2>&1
check "inspect-unit exit" 0 $?
cat "$OUT/inspect-target.json"
python3 - "$OUT/inspect-target.json" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["age_by_systemd_s"], d["age_by_processes_s"]
print(f"age by systemd {a:.3f} s, by processes {b:.3f} s, differ by {abs(a - b):.3f} s")
assert d["limits"] == {"MemoryHigh": 67108864, "MemoryMax": 134217728}, d["limits"]
assert abs(a - b) < 1.0, "ages disagree"
assert d["processes"][0]["command"] == "/bin/sleep 1000", d["processes"]
PY

out=$(headroom release target.service --state-dir $ST 2>&1)
check "release target exit" 0 $?
check "release says what it did" "released target.service (contain): MemoryHigh=300 MiB, MemoryMax=infinity (runtime)" "$out"
check "MemoryHigh back to the unit's own" 314572800 "$(show target.service MemoryHigh)"
check "MemoryMax back to infinity" infinity "$(show target.service MemoryMax)"
check "memory.max in the cgroup after release" max "$(cat /sys/fs/cgroup/system.slice/target.service/memory.max)"

out=$(headroom release target.service --state-dir $ST 2>&1); rc=$?
check "second release exit" 1 $rc
contains "second release says not Headroom's" "MemoryHigh=300 MiB, MemoryMax=infinity come from its unit files" "$out"
out=$(headroom release nosuch.service --state-dir $ST 2>&1); rc=$?
check "release of an unknown unit exit" 1 $rc
contains "unknown unit named" "systemd does not know the unit either (org.freedesktop.systemd1.NoSuchUnit)" "$out"
out=$(headroom set-limit nosuch.service --memory-max 100MiB --state-dir $ST 2>&1); rc=$?
check "set-limit on an unknown unit exit" 1 $rc
echo "$out"
contains "set-limit names the D-Bus error" "nosuch.service: org.freedesktop.systemd1.NoSuchUnit" "$out"
out=$(headroom set-limit 'bad name.service' --memory-max 100MiB --state-dir $ST 2>&1); rc=$?
check "bad unit name exit" 64 $rc

headroom set-limit plain.service --purpose throttle --memory-high 100MiB --state-dir $ST
headroom set-limit gone.service --purpose contain --memory-max 200MiB --state-dir $ST
check "throttle set" 104857600 "$(show plain.service MemoryHigh)"
systemctl stop gone.service
out=$(headroom release --all --state-dir $ST 2>&1)
check "release --all exit" 0 $?
echo "$out"
contains "--all lifted the throttle" "released plain.service (throttle): MemoryHigh=infinity (runtime)" "$out"
contains "--all forgot the gone unit" "forgot gone.service (contain): systemd no longer knows the unit" "$out"
check "throttle lifted" infinity "$(show plain.service MemoryHigh)"
check "record empty" 0 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["units"]))' $ST/runtime-limits.json)"

out=$(headroom set-limit plain.service --on-loop --purpose throttle --memory-high 90MiB --state-dir $ST 2>&1)
check "set-limit on the event loop (SystemdBus) exit" 0 $?
echo "$out"
check "MemoryHigh set through SystemdBus" 94371840 "$(show plain.service MemoryHigh)"
out=$(headroom release plain.service --state-dir $ST 2>&1)
check "release after the loop path" "released plain.service (throttle): MemoryHigh=infinity (runtime)" "$out"
check "MemoryHigh lifted after the loop path" infinity "$(show plain.service MemoryHigh)"

headroom inspect-unit shm-writer.service > "$OUT/inspect-shm.json" 2>&1
cat "$OUT/inspect-shm.json"
contains "shared memory located in /dev/shm" "at /dev/shm" "$(cat "$OUT/inspect-shm.json")"

sleep 5
systemctl restart target.service
sleep 1
headroom inspect-unit target.service > "$OUT/inspect-restarted.json" 2>&1
python3 - "$OUT/inspect-restarted.json" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
a, b = d["age_by_systemd_s"], d["age_by_processes_s"]
print(f"after restart: age by systemd {a:.3f} s, by processes {b:.3f} s")
assert a < 5 and b < 5, "a restart must reset both ages"
assert abs(a - b) < 1.0, "ages disagree"
PY

echo "failures: $failures"
[ "$failures" -eq 0 ]
