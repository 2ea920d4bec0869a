#!/bin/bash
# Guest side of `e2e/run capture-fixtures`: start platform-named memhog services,
# let them settle, copy the kernel/cgroup files into $OUT/fixture.
set -euo pipefail
: "${IN:?}" "${OUT:?}"
SETTLE=${SETTLE:-10}

install -m 0755 "$IN/bin/memhog" /usr/local/bin/memhog

# System services from units.tsv (template instances get one template file;
# tester-memhog runs as uid 1000 in user.slice, started with systemd-run).
system_units=()
while IFS=$'\t' read -r unit mib category; do
	case "$unit" in ''|'#'*) continue ;; esac
	case "$unit" in
		tester-memhog.service) continue ;;
		*@*.service)
			file="/etc/systemd/system/${unit%%@*}@.service"
			desc="${unit%%@*} instance %i" ;;
		*)
			file="/etc/systemd/system/$unit"
			desc="${unit%.service}" ;;
	esac
	cat > "$file" <<UNIT
[Unit]
Description=Fixture stand-in for $desc ($category, memhog $mib MiB)

[Service]
ExecStart=/usr/local/bin/memhog --hold $mib
UNIT
	system_units+=("$unit")
done < "$IN/units.tsv"
systemctl daemon-reload
systemctl start "${system_units[@]}"

# user.slice: a transient service as uid 1000 in the user's slice. (No
# linger/user@1000.service: in this minimal image user@ fails without
# libpam-systemd, and its oomd drop-in would socket-activate systemd-oomd.)
useradd -m -u 1000 -U -s /bin/bash tester
systemd-run --quiet --uid=1000 --gid=1000 --slice=user-1000.slice --unit=tester-memhog.service \
	-p Description="Fixture userland memhog" /usr/local/bin/memhog --hold 20 \
	|| echo "systemd-run in user.slice failed (optional)"

echo "settling ${SETTLE}s"
sleep "$SETTLE"

systemctl is-active "${system_units[@]}" tester-memhog.service > "$OUT/unit-states.txt" || true
paste <(printf '%s\n' "${system_units[@]}" tester-memhog.service) "$OUT/unit-states.txt"
systemctl is-active --quiet "${system_units[@]}" || { echo "some fixture units are not active"; exit 1; }
if systemctl is-active --quiet earlyoom.service systemd-oomd.service nohang.service; then
	echo "WARNING: a comparison OOM daemon is running"
fi

# --- capture -------------------------------------------------------------------
FIX="$OUT/fixture"
mkdir -p "$FIX"
copy() { # copy pseudo file $1 with cat; silently skip files that vanish
	local dst="$FIX$1"
	mkdir -p "${dst%/*}"
	cat "$1" > "$dst" 2>/dev/null || rm -f "$dst"
}

t0=$(date +%s%N)
while IFS= read -r -d '' dir; do
	[ -d "$dir" ] || continue
	mkdir -p "$FIX$dir"
	for f in cgroup.controllers cgroup.subtree_control cgroup.type \
		memory.current memory.swap.current memory.stat memory.pressure memory.events \
		memory.min memory.low memory.high memory.max memory.swap.max; do
		[ -e "$dir/$f" ] && copy "$dir/$f"
	done
done < <(find /sys/fs/cgroup -type d -print0 2>/dev/null)

# systemd's view right after the cgroup copy (cross-check material).
: > "$OUT/EXPECTED-memorycurrent.txt"
while read -r unit _; do
	v=$(systemctl show -p MemoryCurrent --value "$unit" 2>/dev/null || true)
	case "$v" in ''|'[not set]'|18446744073709551615) continue ;; esac
	printf '%s\t%s\n' "$unit" "$v" >> "$OUT/EXPECTED-memorycurrent.txt"
done < <(systemctl list-units --type=service,scope,slice --state=active --no-legend --plain | sort)

for f in /proc/meminfo /proc/pressure/memory /proc/vmstat /proc/swaps /proc/sys/vm/swappiness \
	/sys/devices/system/memory/block_size_bytes; do
	copy "$f"
done
for d in /sys/devices/system/memory/memory[0-9]*; do
	copy "$d/online"
	copy "$d/state"
done
echo "capture took $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# Debug material (not part of the fixture).
systemd-cgls --no-pager > "$OUT/cgls.txt" 2>&1 || true
free -m > "$OUT/free.txt" || true
cat "$OUT/EXPECTED-memorycurrent.txt"
echo "fixture: $(find "$FIX" -type f | wc -l) files, $(du -sk "$FIX" | cut -f1) KiB"
