#!/usr/bin/env bash
# Bring up a real single-node SLURM cluster on 127.0.0.1, as root, on a fresh Debian 12 machine.
#
#   sudo cluster/slurm/up.sh        # idempotent: safe to run again while the cluster is up
#   sudo cluster/slurm/down.sh      # stops every daemon started here
#
# What it does, in order:
#   1. apt-get installs slurm-wlm (22.05), slurmdbd, munge and mariadb-server when missing,
#      with a temporary policy-rc.d so that no package starts a daemon on its own.
#   2. Creates fake GPU character devices (/dev/fakegpu0..N-1, `mknod c 1 3`, like /dev/null):
#      gres.conf rejects regular files, and SLURM only needs something to hand out.
#   3. Writes /etc/slurm/{slurm,slurmdbd,gres,cgroup}.conf (only files carrying the marker
#      below are ever overwritten).
#   4. Starts munged, mariadbd (bound to 127.0.0.1), slurmdbd, slurmctld and slurmd by hand
#      (there is no systemd), registers the cluster, the account and root as its user.
#   5. Waits until `sinfo` shows the node idle and `sacct` answers, then prints one line.
#
# Every daemon listens on loopback only. Settings can be changed through the environment:
#   SLURM_CLUSTER (streetseg), SLURM_PARTITION (debug), SLURM_ACCOUNT (root),
#   SLURM_GPUS (2, 0 for none), SLURM_GPU_TYPE (tesla), SLURM_UP_TIMEOUT (60 seconds per wait).
#
# Exit status: 0 when the cluster is up; 2 when this machine cannot run it at all (not root,
# not Debian/apt); 3 when the packages are missing and apt-get could not install them (no
# network or no mirror); 1 for any other failure (a daemon that does not start, a timeout).
set -euo pipefail

CLUSTER="${SLURM_CLUSTER:-streetseg}"
PARTITION="${SLURM_PARTITION:-debug}"
ACCOUNT="${SLURM_ACCOUNT:-root}"
GPUS="${SLURM_GPUS:-2}"
GPU_TYPE="${SLURM_GPU_TYPE:-tesla}"
TIMEOUT="${SLURM_UP_TIMEOUT:-60}"

PACKAGES=(slurm-wlm slurmdbd munge mariadb-server)
MARKER="# Managed by streetseg cluster/slurm/up.sh; rewritten on every run."
CONF_DIR=/etc/slurm
RUN_DIR=/run/slurm
LOG_DIR=/var/log/slurm
SPOOL_CTLD=/var/spool/slurmctld
SPOOL_D=/var/spool/slurmd
DB_NAME=slurm_acct_db
DB_USER=slurm

START=$(date +%s.%N)

# ---------------------------------------------------------------------------------------------
# Helpers (log, die, running, wait_for, install_file, stop_pidfile)
# ---------------------------------------------------------------------------------------------

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NAME=slurm-up
# shellcheck source=cluster/slurm/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------------------------------------
# 0. Preconditions
# ---------------------------------------------------------------------------------------------

EXIT_CODE=2
[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts system daemons)"
for tool in apt-get dpkg-query mknod runuser setsid getent; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found: this script targets Debian 12 (bookworm)"
done
EXIT_CODE=1

# ---------------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------------

missing=()
for package in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} with apt-get"
    # Keep package scripts from starting daemons with their default configuration: a
    # policy-rc.d that answers 101 ("action forbidden") while apt runs, removed afterwards.
    policy_created=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_log=/tmp/slurm-up-apt.log
    status=0
    {
        apt-get update -q &&
            apt-get install -y -q --no-install-recommends "${missing[@]}"
    } >"$apt_log" 2>&1 || status=$?
    if [ "$policy_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ "$status" -ne 0 ]; then
        EXIT_CODE=3
        die "apt-get install ${missing[*]} failed (exit $status)" "$apt_log"
    fi
    log "packages installed"
fi

for binary in munged mariadbd slurmdbd slurmctld slurmd sinfo sacct sacctmgr; do
    command -v "$binary" >/dev/null 2>&1 || die "$binary not found after installing ${PACKAGES[*]}"
done

# ---------------------------------------------------------------------------------------------
# 2. Directories and fake GPU devices
# ---------------------------------------------------------------------------------------------

install -d -m 755 "$CONF_DIR" "$RUN_DIR" "$LOG_DIR" "$SPOOL_D"
install -d -m 700 "$SPOOL_CTLD"

gpu_files=()
for i in $(seq 0 $((GPUS - 1))); do
    device="/dev/fakegpu$i"
    # gres.conf wants character devices; a regular file left over would be rejected.
    if [ -e "$device" ] && [ ! -c "$device" ]; then rm -f "$device"; fi
    [ -c "$device" ] || mknod -m 666 "$device" c 1 3
    gpu_files+=("$device")
done

# ---------------------------------------------------------------------------------------------
# 3. Configuration (cluster/slurm/config.sh)
# ---------------------------------------------------------------------------------------------

# shellcheck source=cluster/slurm/config.sh
source "$HERE/config.sh"

# ---------------------------------------------------------------------------------------------
# 4. Daemons
# ---------------------------------------------------------------------------------------------

# munge: the authentication every SLURM daemon and client uses.
install -d -o munge -g munge -m 755 /run/munge
install -d -o munge -g munge -m 700 /var/log/munge /var/lib/munge
if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 700 /etc/munge
    runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
if ! running /run/munge/munged.pid munged; then
    log "starting munged"
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid ||
        die "munged failed to start" /var/log/munge/munged.log
fi
wait_for "munge to answer" /var/log/munge/munged.log sh -c 'munge -n | unmunge'

# MariaDB for slurmdbd, on 127.0.0.1:3306 only.
install -d -o mysql -g mysql -m 755 /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising the MariaDB data directory"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >"$LOG_DIR/mariadb-install.log" 2>&1 ||
        die "mariadb-install-db failed" "$LOG_DIR/mariadb-install.log"
fi
if ! running /run/mysqld/mysqld.pid mariadbd; then
    log "starting mariadbd on 127.0.0.1:3306"
    # setsid + nohup: the server must outlive this script and the shell that runs it.
    setsid nohup mariadbd --user=mysql --bind-address=127.0.0.1 --port=3306 \
        --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
        --log-error="$LOG_DIR/mariadb.log" </dev/null >/dev/null 2>&1 &
fi
wait_for "MariaDB to answer" "$LOG_DIR/mariadb.log" \
    mariadb-admin --socket=/run/mysqld/mysqld.sock ping
# root connects through the unix socket; slurmdbd uses a password on 127.0.0.1.
mariadb --socket=/run/mysqld/mysqld.sock -u root <<SQL || die "could not create the slurmdbd database user"
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL

# slurmdbd: the accounting daemon behind sacct and sacctmgr.
if ! running "$RUN_DIR/slurmdbd.pid" slurmdbd; then
    log "starting slurmdbd on 127.0.0.1:6819"
    slurmdbd || die "slurmdbd failed to start" "$LOG_DIR/slurmdbd.log"
fi
wait_for "slurmdbd to answer sacctmgr" "$LOG_DIR/slurmdbd.log" sacctmgr -n list cluster

# The cluster must be known to slurmdbd before slurmctld registers with it.
if ! sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
    log "registering cluster $CLUSTER"
    sacctmgr -i add cluster "$CLUSTER" >/dev/null || die "sacctmgr add cluster $CLUSTER failed"
fi
if ! sacctmgr -n -P list account format=account | grep -qx "$ACCOUNT"; then
    sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description="streetseg CI" \
        Organization=streetseg >/dev/null || die "sacctmgr add account $ACCOUNT failed"
fi
if ! sacctmgr -n -P list association cluster="$CLUSTER" user=root format=account |
    grep -qx "$ACCOUNT"; then
    sacctmgr -i add user root Account="$ACCOUNT" Cluster="$CLUSTER" >/dev/null ||
        die "sacctmgr add user root account=$ACCOUNT failed"
fi

# slurmctld: the controller, on 127.0.0.1:6817.
if ! running "$RUN_DIR/slurmctld.pid" slurmctld; then
    log "starting slurmctld on 127.0.0.1:6817"
    slurmctld || die "slurmctld failed to start" "$LOG_DIR/slurmctld.log"
fi
wait_for "slurmctld to answer" "$LOG_DIR/slurmctld.log" scontrol ping

# slurmd: the compute node, on 127.0.0.1:6818.
if ! running "$RUN_DIR/slurmd.pid" slurmd; then
    log "starting slurmd on 127.0.0.1:6818"
    slurmd || die "slurmd failed to start" "$LOG_DIR/slurmd.log"
fi

# ---------------------------------------------------------------------------------------------
# 5. Ready checks
# ---------------------------------------------------------------------------------------------

node_ready() {
    local state
    state=$(sinfo -h -N -n "$HOST" -o '%T')
    case "$state" in
    idle | mixed | allocated) return 0 ;;
    # A node drained by an earlier, broken configuration is put back into service.
    drained | draining | down | *drain* | *down*)
        scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
        return 1
        ;;
    *) return 1 ;;
    esac
}
wait_for "node $HOST to be idle in sinfo" "$LOG_DIR/slurmd.log" node_ready
wait_for "sacct to answer" "$LOG_DIR/slurmdbd.log" sacct -n -X --starttime=now-1hour

# Every daemon must listen on loopback only (checked where iproute2's ss is installed).
if command -v ss >/dev/null 2>&1; then
    exposed=$(ss -Hltn '( sport = :6817 or sport = :6818 or sport = :6819 or sport = :3306 )' |
        awk '$4 !~ /^(127\.|\[::1\]|::1)/ { print $4 }')
    [ -z "$exposed" ] || die "daemons listen beyond loopback: $(echo "$exposed" | tr '\n' ' ')"
fi

printf 'slurm up: cluster=%s node=%s partition=%s cpus=%s mem=%sMB gres=%s account=%s state=%s (%ss)\n' \
    "$CLUSTER" "$HOST" "$PARTITION" "$CPUS" "$MEM_MB" \
    "$([ "$GPUS" -gt 0 ] && echo "gpu:$GPU_TYPE:$GPUS" || echo none)" "$ACCOUNT" \
    "$(sinfo -h -N -n "$HOST" -o '%T')" "$(elapsed)"
