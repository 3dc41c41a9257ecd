#!/usr/bin/env bash
# Stop the single-node SLURM cluster started by cluster/slurm/up.sh; idempotent.
#
# Cancels any job still queued or running, then stops slurmd, slurmctld, slurmdbd, mariadbd
# and munged, in that order, each through the pid file up.sh gave it (never by process name,
# so daemons that up.sh did not start are left alone). Packages, configuration, the accounting
# database and the job history stay, so the next up.sh is quick.
#
# SLURM_DOWN_TIMEOUT (30 seconds) bounds the wait for each daemon before it gets SIGKILL.
set -euo pipefail

TIMEOUT="${SLURM_DOWN_TIMEOUT:-30}"
RUN_DIR=/run/slurm

[ "$(id -u)" -eq 0 ] || {
    echo "slurm-down: ERROR: must run as root" >&2
    exit 1
}

NAME=slurm-down
START=$(date +%s.%N)
# log and running (cluster/slurm/lib.sh), shared with up.sh.
# shellcheck source=cluster/slurm/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# stop PIDFILE NAME: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL; remove the pid file.
stop() {
    local pidfile="$1" name="$2" pid deadline
    if ! running "$pidfile" "$name"; then
        rm -f "$pidfile"
        return 0
    fi
    pid=$(cat "$pidfile")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(($(date +%s) + TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            log "$name did not stop within ${TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.25
    done
    rm -f "$pidfile"
}

# Jobs first, while slurmctld still answers: their slurmstepd processes would otherwise
# outlive slurmd.
if running "$RUN_DIR/slurmctld.pid" slurmctld && command -v squeue >/dev/null 2>&1; then
    jobs=$(squeue -h -t PENDING,RUNNING,SUSPENDED,CONFIGURING,COMPLETING -o '%A' 2>/dev/null || true)
    if [ -n "$jobs" ]; then
        log "cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
        # shellcheck disable=SC2086 # one argument per job id
        scancel $jobs 2>/dev/null || true
        for _ in $(seq 1 40); do
            [ -z "$(squeue -h -t RUNNING,COMPLETING -o '%A' 2>/dev/null || true)" ] && break
            sleep 0.25
        done
    fi
fi

stop "$RUN_DIR/slurmd.pid" slurmd
stop "$RUN_DIR/slurmctld.pid" slurmctld
stop "$RUN_DIR/slurmdbd.pid" slurmdbd
stop /run/mysqld/mysqld.pid mariadbd
stop /run/munge/munged.pid munged

log "all SLURM daemons stopped"
