#!/usr/bin/env bash
# Start a single-node Slurm cluster on localhost for tests/test_slurm.py (root, Debian 12).
#
#   tests/slurm/setup.sh STATE_DIR      # prints the path of slurm.conf on success
#
# Installs Debian's munge, slurmctld, slurmd and slurm-client when missing (a policy-rc.d keeps
# apt from starting daemons), writes /etc/slurm/slurm.conf (no systemd, no cgroups, no
# accounting; Slurm's default path, because the Snakemake plugin strips SLURM_CONF and every other
# SLURM_* variable from the jobs' environment; an existing slurm.conf that this script did not
# write is never replaced), and starts munged (unless one already answers), slurmctld and slurmd
# directly. Every daemon it starts has its PID file under STATE_DIR, its state and logs too;
# tests/slurm/teardown.sh stops them and removes the slurm.conf.
set -euo pipefail
state="$(mkdir -p "$1" && cd "$1" && pwd)"
log() { echo "slurm setup: $*" >&2; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
    || ! command -v munged >/dev/null; then
    log "installing munge and Slurm from Debian"
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        created_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends munge slurmctld slurmd slurm-client >&2
    [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# munge: the key the packages made, and our own munged unless one already works.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -s /etc/munge/munge.key ] || { mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
    # munged (as user munge) writes its PID file under /run/munge; a copy goes to STATE_DIR
    pidfile="/run/munge/munged.eoc-test.$$.pid"
    runuser -u munge -- munged --pid-file="$pidfile"
    cp "$pidfile" "$state/munged.pid"
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

host="$(hostname -s)"
# The node as slurmd sees it; RealMemory a little below, or the node drains for "Low RealMemory".
node="$(slurmd -C | head -n 1)"
memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")"
node="$(sed "s/RealMemory=[0-9]*/RealMemory=$((memory * 9 / 10))/; s/^NodeName=[^ ]*/NodeName=$host/" <<<"$node")"
conf=/etc/slurm/slurm.conf
marker="# written by eoc tests/slurm/setup.sh"
if [ -e "$conf" ] && ! grep -qx "$marker" "$conf"; then
    log "$conf exists and was not written by this script: not replacing a real cluster's configuration"
    exit 1
fi
mkdir -p "$state/ctld" "$state/spool" /etc/slurm
cat > "$conf" <<CONF
$marker
ClusterName=eoc-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
# No systemd, no cgroups: processes tracked through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# pip's MPICH speaks PMI-1/2: srun starts MPI ranks through pmi2.
MpiDefault=pmi2
ReturnToService=2
# Finished jobs stay visible to squeue for 5 min (the Snakemake plugin polls with squeue).
MinJobAge=300
SchedulerType=sched/backfill
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i
slurmd
for _ in $(seq 100); do
    state_now="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
    case "$state_now" in
        idle*|mixed*|allocated*) echo "$conf"; exit 0 ;;
        drain*|down*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 0.3
done
log "the node did not come up (sinfo: ${state_now:-no answer}); see $state/*.log"
exit 1
