# Helpers shared by cluster/slurm/up.sh and down.sh; sourced, not run.
# The caller sets NAME (the log prefix), TIMEOUT (seconds per wait) and START (date +%s.%N),
# and for install_file MARKER (the line that marks a file as written by up.sh).

log() { printf '[%s %5.1fs] %s\n' "$NAME" "$(elapsed)" "$*" >&2; }
elapsed() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

# die MESSAGE [LOGFILE]: print the message (and the tail of a log, when given) and exit
# with EXIT_CODE (1 unless set: up.sh uses 2 and 3 for a machine it cannot serve).
die() {
    printf '%s: ERROR: %s\n' "$NAME" "$1" >&2
    if [ "$#" -gt 1 ] && [ -f "$2" ]; then
        printf -- '--- last lines of %s ---\n' "$2" >&2
        tail -n 20 "$2" >&2 || true
    fi
    exit "${EXIT_CODE:-1}"
}

# running PIDFILE NAME: true when the pid file names a live process whose command is NAME.
running() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$2" ]
}

# wait_for DESCRIPTION LOGFILE COMMAND...: retry COMMAND every 0.5 s until it succeeds.
wait_for() {
    local what="$1" logfile="$2" deadline
    shift 2
    deadline=$(($(date +%s) + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            die "timed out after ${TIMEOUT}s waiting for ${what}" "$logfile"
        fi
        sleep 0.5
    done
}

# install_file PATH MODE CONTENT: write CONTENT to PATH when it differs; sets CHANGED=1 then.
# Refuses to overwrite a file that this script did not write (no marker line).
install_file() {
    local path="$1" mode="$2" content="$3"
    if [ -f "$path" ] && ! grep -qF "$MARKER" "$path"; then
        if [ "${SLURM_UP_FORCE:-0}" != 1 ]; then
            die "$path exists and was not written by this script; move it away or set SLURM_UP_FORCE=1"
        fi
    fi
    if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
        chmod "$mode" "$path"
        return 0
    fi
    printf '%s\n' "$content" >"$path.tmp"
    chmod "$mode" "$path.tmp"
    mv "$path.tmp" "$path"
    CHANGED=1
}

# stop_pidfile PIDFILE NAME: TERM the daemon named by PIDFILE and wait for it to exit.
stop_pidfile() {
    local pid i
    running "$1" "$2" || return 0
    pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.25
    done
    die "$2 (pid $pid) did not stop after TERM"
}

