# Section 3 of cluster/slurm/up.sh, sourced by it: write /etc/slurm/{slurm,slurmdbd,gres,
# cgroup}.conf from the machine's real layout, and restart daemons whose configuration changed.
# Uses up.sh's settings (CLUSTER, PARTITION, GPUS, GPU_TYPE, the directories, MARKER) and
# gpu_files; sets HOST, CPUS, MEM_MB and DB_PASS for the steps after it.


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

