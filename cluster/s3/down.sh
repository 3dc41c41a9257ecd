#!/usr/bin/env bash
# Stop the S3 server started by cluster/s3/up.sh. Idempotent: exits 0 when nothing runs.
#
# Usage:  cluster/s3/down.sh [--purge]     # --purge also deletes $S3_STATE_DIR/data
#
# Environment: S3_STATE_DIR (must match up.sh; default ${TMPDIR:-/tmp}/streetseg-s3),
#              S3_STOP_GRACE seconds between SIGTERM and SIGKILL (default 10).
#
# `weed mini` stops cleanly on SIGTERM in about 2.5 s (it flushes volumes and filer metadata).
# SIGKILL is the fallback after the grace period: the store is a throwaway test store, and
# `weed server` (not used any more) was seen ignoring SIGTERM for over ten minutes.
set -euo pipefail

state="${S3_STATE_DIR:-${TMPDIR:-/tmp}/streetseg-s3}"
grace="${S3_STOP_GRACE:-10}"
purge=0
for arg in "$@"; do
    case "$arg" in
        --purge) purge=1 ;;
        -h | --help)
            sed -n '2,6p' "$0"
            exit 0
            ;;
        *)
            echo "s3/down.sh: unknown argument $arg" >&2
            exit 2
            ;;
    esac
done

log() { echo "s3/down.sh: $*" >&2; }

weed_alive() { # $1 = pid; true if it runs, is not a zombie, and is a weed process
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
    [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]] || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q weed
}

pid="$(cat "$state/weed.pid" 2>/dev/null || true)"
if weed_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace * 10))); do
        weed_alive "$pid" || break
        sleep 0.1
    done
    if weed_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            weed_alive "$pid" || break
            sleep 0.1
        done
    fi
    weed_alive "$pid" && {
        log "ERROR: weed (pid $pid) is still running"
        exit 1
    }
    log "stopped weed (pid $pid)"
else
    log "not running (state $state)"
fi
rm -f "$state/weed.pid" "$state/filer.sock" "$state/s3.sock"

# Remove the gRPC unix sockets weed leaves in /tmp for the ports this instance used.
if [[ -f "$state/ports" ]]; then
    # shellcheck disable=SC2013  # words (key=port), not lines
    for kv in $(cat "$state/ports"); do
        p="${kv#*=}"
        [[ "$p" =~ ^[0-9]+$ ]] && rm -f /tmp/seaweedfs-*-"$p".sock
    done
fi

if ((purge)) && [[ -f "$state/data/.streetseg-s3" ]]; then
    rm -rf "$state/data"
    log "purged $state/data"
fi
exit 0
