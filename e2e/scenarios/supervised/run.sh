#!/bin/bash
# Guest side of `e2e/run scenario`: install the supervisor under test, start the workload
# units, let driver.py sample every 250 ms, then collect incidents and journal entries.
set -euo pipefail
: "${IN:?}" "${OUT:?}"
supervisor=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["supervisor"])' "$IN/scenario.json")
dry_run=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["dry_run"]))' "$IN/scenario.json")

install -m 0755 "$IN/bin/memhog" /usr/local/bin/memhog

# The scenario's own preparation (e.g. mounting a tmpfs).
if [ -f "$IN/setup.sh" ]; then bash -e "$IN/setup.sh"; fi

# Workloads as real apps run: Restart=on-failure, in their slice. Session scopes are started
# by driver.py (systemd-run --scope), not from unit files.
while IFS=$'\t' read -r unit role slice kind command; do
	[ "$kind" = scope ] && continue
	{
		printf '[Unit]\nDescription=e2e workload %s (%s)\n\n[Service]\n' "$unit" "$role"
		printf 'ExecStart=%s\nRestart=on-failure\nRestartSec=1s\n' "$command"
		[ "$slice" = - ] || printf 'Slice=%s\n' "$slice"
	} > "/etc/systemd/system/$unit"
done < "$IN/units.tsv"

case "$supervisor" in
	headroom)
		install -m 0755 "$IN/bin/headroom" /usr/bin/headroom
		install -m 0644 "$IN/units/headroom.service" /etc/systemd/system/headroom.service
		install -d /usr/lib/systemd/catalog
		install -m 0644 "$IN/units/headroom.catalog" /usr/lib/systemd/catalog/headroom.catalog
		journalctl --update-catalog || true
		install -d /etc/headroom
		install -m 0644 "$IN/config.json" /etc/headroom/config.json
		if [ "$dry_run" = 1 ]; then
			install -d /etc/systemd/system/headroom.service.d
			printf '[Service]\nExecStart=\nExecStart=/usr/bin/headroom daemon --dry-run\n' \
				> /etc/systemd/system/headroom.service.d/dry-run.conf
		fi
		systemctl daemon-reload
		systemctl start headroom.service
		;;
	none) systemctl daemon-reload ;;
	earlyoom) systemctl daemon-reload; systemctl start earlyoom.service ;;
	nohang) systemctl daemon-reload; systemctl start nohang.service ;;
	systemd-oomd)
		install -d /etc/systemd/system/-.slice.d /etc/systemd/system/system.slice.d
		printf '[Slice]\nManagedOOMSwap=kill\n' > /etc/systemd/system/-.slice.d/oomd.conf
		printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=50%%\n' \
			> /etc/systemd/system/system.slice.d/oomd.conf
		install -d /etc/systemd/oomd.conf.d
		printf '[OOM]\nDefaultMemoryPressureDurationSec=20s\n' > /etc/systemd/oomd.conf.d/e2e.conf
		systemctl daemon-reload
		systemctl start systemd-oomd.service
		;;
	*) echo "unknown supervisor $supervisor"; exit 2 ;;
esac
systemctl is-active "$supervisor.service" 2>/dev/null || [ "$supervisor" = none ]
echo "supervisor $supervisor active; swappiness $(cat /proc/sys/vm/swappiness)"

python3 "$IN/driver.py" "$IN/scenario.json" "$OUT"

if [ "$supervisor" = headroom ]; then
	systemctl status --no-pager headroom.service > "$OUT/headroom-status.txt" 2>&1 || true
	journalctl -b -u headroom.service --no-pager > "$OUT/headroom-journal.txt" 2>&1 || true
	journalctl -b --no-pager -o json MESSAGE_ID=a6acf2a699bb47eaab515bf24f51f08b > "$OUT/incident-journal.json" 2>&1 || true
	journalctl -b -x --no-pager MESSAGE_ID=a6acf2a699bb47eaab515bf24f51f08b > "$OUT/incident-journal-x.txt" 2>&1 || true
	mkdir -p "$OUT/incidents"
	cp /var/lib/headroom/incidents/*.json "$OUT/incidents/" 2>/dev/null || true
	headroom incidents list > "$OUT/incidents-list.txt" 2>&1 || true
	systemctl stop headroom.service
	echo "swappiness after stop: $(cat /proc/sys/vm/swappiness)" | tee "$OUT/swappiness-after-stop.txt"
fi
python3 "$IN/driver.py" --collect "$OUT"
