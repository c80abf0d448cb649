#!/usr/bin/env bash
# Stop the daemons tests/slurm/setup.sh started, by the PIDs in STATE_DIR's pid files only, and
# remove the /etc/slurm/slurm.conf it wrote.
#
#   tests/slurm/teardown.sh STATE_DIR
set -uo pipefail
state="$1"
for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$pidfile"
done
conf=/etc/slurm/slurm.conf
if [ -f "$conf" ] && grep -qx "# written by eoc tests/slurm/setup.sh" "$conf"; then
    rm -f "$conf"
fi
exit 0
