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
# Helpers
# ---------------------------------------------------------------------------------------------

log() { printf '[slurm-up %5.1fs] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

# die MESSAGE [LOGFILE]: print the message (and the tail of a log, when given) and exit
# with EXIT_CODE (1 unless set: 2 and 3 mark a machine this script cannot serve, see above).
EXIT_CODE=1
die() {
    printf 'slurm-up: ERROR: %s\n' "$1" >&2
    if [ "$#" -gt 1 ] && [ -f "$2" ]; then
        printf -- '--- last lines of %s ---\n' "$2" >&2
        tail -n 20 "$2" >&2 || true
    fi
    exit "$EXIT_CODE"
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
# 3. Configuration
# ---------------------------------------------------------------------------------------------

HOST=$(hostname -s)
# With NoInAddrAny the daemons bind to the address the host name resolves to, so it must be
# a loopback address (Debian's /etc/hosts normally maps it to 127.0.1.1).
host_addr=$(getent ahostsv4 "$HOST" 2>/dev/null | awk 'NR == 1 { print $1 }')
case "$host_addr" in
127.*) ;;
*) die "host name $HOST resolves to '${host_addr:-nothing}', not to a loopback address; add \"127.0.1.1 $HOST\" to /etc/hosts" ;;
esac
# The node's real layout (sockets, cores, threads) from slurmd itself, so slurmd never
# finds the configuration larger than the machine and drains the node.
hw=$(slurmd -C 2>/dev/null | head -n 1) || true
[ -n "$hw" ] || die "slurmd -C printed nothing; cannot detect the node's CPUs and memory"
field() { printf '%s\n' "$hw" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
CPUS=$(field CPUs)
BOARDS=$(field Boards)
SOCKETS=$(field SocketsPerBoard)
CORES=$(field CoresPerSocket)
THREADS=$(field ThreadsPerCore)
TOTAL_MB=$(field RealMemory)
# Leave room for the OS and the daemons: 1 GiB, or a quarter on small machines.
if [ "$TOTAL_MB" -gt 4096 ]; then MEM_MB=$((TOTAL_MB - 1024)); else MEM_MB=$((TOTAL_MB * 3 / 4)); fi
# Jobs that ask for no memory get this much per CPU instead of the whole node.
DEF_MEM_PER_CPU=$((MEM_MB / CPUS < 1024 ? MEM_MB / CPUS : 1024))

gres_node=""
gres_conf="$MARKER"
gres_types=""
if [ "$GPUS" -gt 0 ]; then
    gres_types="GresTypes=gpu"
    gres_node=" Gres=gpu:${GPU_TYPE}:${GPUS}"
    gres_conf="$MARKER
AutoDetect=off"
    for device in "${gpu_files[@]}"; do
        gres_conf="$gres_conf
NodeName=$HOST Name=gpu Type=$GPU_TYPE File=$device"
    done
fi

# Database password: kept from the existing slurmdbd.conf, else a new random one.
DB_PASS=""
if [ -f "$CONF_DIR/slurmdbd.conf" ]; then
    DB_PASS=$(sed -n 's/^StoragePass=//p' "$CONF_DIR/slurmdbd.conf")
fi
[ -n "$DB_PASS" ] || DB_PASS=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')

slurm_conf="$MARKER
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CryptoType=crypto/munge
# Bind every daemon to the configured (loopback) address, never to 0.0.0.0.
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
StateSaveLocation=$SPOOL_CTLD
SlurmdSpoolDir=$SPOOL_D
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No systemd and no usable cgroup hierarchy: track processes by /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=10
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
$gres_types
# Accounting through slurmdbd, so that sacct (used by the Snakemake plugin) works.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=6819
AccountingStorageTRES=gres/gpu
# Keep sbatch --comment (the Snakemake plugin puts rule_<name> there) in sacct's Comment.
AccountingStoreFlags=job_comment
JobCompType=jobcomp/none
# Reject at submission a job that can never run here (e.g. more CPUs than the node has)
# instead of leaving it pending forever with reason PartitionConfig.
EnforcePartLimits=ALL
# Finished jobs stay visible to squeue/scontrol for a day.
MinJobAge=86400
ReturnToService=2
SlurmctldTimeout=60
SlurmdTimeout=60
InactiveLimit=0
KillWait=10
Waittime=0
NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$CPUS Boards=$BOARDS SocketsPerBoard=$SOCKETS CoresPerSocket=$CORES ThreadsPerCore=$THREADS RealMemory=$MEM_MB$gres_node State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE DefMemPerCPU=$DEF_MEM_PER_CPU State=UP"

slurmdbd_conf="$MARKER
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
# Without this slurmdbd listens on 0.0.0.0; with it, on the address the host name resolves to.
CommunicationParameters=NoInAddrAny
SlurmUser=root
PidFile=$RUN_DIR/slurmdbd.pid
LogFile=$LOG_DIR/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=3306
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=$DB_NAME"

# Not read by the plugins configured above; present so slurmd never looks for cgroups.
cgroup_conf="$MARKER
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no"

CHANGED=0
install_file "$CONF_DIR/slurm.conf" 644 "$slurm_conf"
install_file "$CONF_DIR/gres.conf" 644 "$gres_conf"
install_file "$CONF_DIR/cgroup.conf" 644 "$cgroup_conf"
slurm_changed=$CHANGED
CHANGED=0
install_file "$CONF_DIR/slurmdbd.conf" 600 "$slurmdbd_conf"
dbd_changed=$CHANGED

# A changed configuration takes effect by restarting the daemons that already run.
if [ "$dbd_changed" = 1 ]; then stop_pidfile "$RUN_DIR/slurmdbd.pid" slurmdbd; fi
if [ "$slurm_changed" = 1 ]; then
    stop_pidfile "$RUN_DIR/slurmd.pid" slurmd
    stop_pidfile "$RUN_DIR/slurmctld.pid" slurmctld
fi

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
