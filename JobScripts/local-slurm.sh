#!/usr/bin/env bash
# A throw-away 4-node Slurm cluster on one host (Debian 12, no systemd), for
# SwiftPilot's end-to-end tests and for trying pilots by hand.
#
#   local-slurm.sh start|stop|status|env [DIR]      (DIR defaults to /tmp/swiftpilot-slurm)
#
# Knobs (environment):
#   SWIFTPILOT_SLURM_CTLD_PORT=6817   slurmctld port
#   SWIFTPILOT_SLURM_NODE_PORT=17000  slurmd of node nX listens on NODE_PORT+X
#   SWIFTPILOT_SLURM_TIMEOUT=60       seconds to wait for the cluster to become usable
#   SWIFTPILOT_SLURM_UTS=auto         auto|0: give each slurmd its own hostname (n1..n4)
#   SWIFTPILOT_SLURM_INSTALL=1        0: never call apt-get
# Opt-in modes (off by default, so the shared default cluster is unchanged):
#   SWIFTPILOT_SLURM_CLUSTER=swiftpilot  ClusterName (a second cluster needs its own DIR and ports too)
#   SWIFTPILOT_SLURM_LICENSES=           e.g. "swiftpilot_lic:4": cluster licenses (Licenses=)
#   SWIFTPILOT_SLURM_QPUS=               e.g. "ibm_torino,ibm_fez": a `qpu` GRES with one device per
#                                        name on every node, and a TaskProlog exporting
#                                        SLURM_JOB_QPU_RESOURCES/TYPES and each QPU's acquisition token
#                                        (standing in for QRMI's SPANK plugin)
#   SWIFTPILOT_SLURM_CONFIGLESS=0        1: SlurmctldParameters=enable_configless; slurmd fetch their
#                                        configuration with --conf-server; `env` prints SLURM_CONF_SERVER
#
# Every daemon this script starts has its PID under DIR/run; `stop` only ever
# signals those PIDs, and only after checking their command line.
set -euo pipefail

CMD=${1:-start}
DIR=${2:-/tmp/swiftpilot-slurm}
# The opt-in modes a cluster was started with, so stop/status/env of that
# DIR need not repeat them; variables given now win.
if [[ -f $DIR/modes ]]; then
    while IFS='=' read -r key value; do
        [[ $key == SWIFTPILOT_SLURM_* && -z ${!key+x} ]] && export "$key=$value"
    done <"$DIR/modes"
fi
NODES=4
CTLD_PORT=${SWIFTPILOT_SLURM_CTLD_PORT:-6817}
NODE_PORT=${SWIFTPILOT_SLURM_NODE_PORT:-17000}
TIMEOUT=${SWIFTPILOT_SLURM_TIMEOUT:-60}
UTS=${SWIFTPILOT_SLURM_UTS:-auto}
INSTALL=${SWIFTPILOT_SLURM_INSTALL:-1}
CLUSTER=${SWIFTPILOT_SLURM_CLUSTER:-swiftpilot}
LICENSES=${SWIFTPILOT_SLURM_LICENSES:-}
QPUS=${SWIFTPILOT_SLURM_QPUS:-}
CONFIGLESS=${SWIFTPILOT_SLURM_CONFIGLESS:-0}
PKGS=(slurmctld slurmd slurm-client munge libslurm-dev openmpi-bin libopenmpi-dev libpmix-dev)

CONF=$DIR/slurm.conf
RUN=$DIR/run
LOG=$DIR/log
export SLURM_CONF=$CONF

T0=$(date +%s%N)
STEP_T=$T0
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
say() { echo "local-slurm: $*"; }
step_done() { say "$1 ($(ms_since "$STEP_T") ms)"; STEP_T=$(date +%s%N); }
die() { echo "local-slurm: ERROR: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|status|env [DIR]" >&2
    exit 2
}

need_root() {
    [[ $(id -u) -eq 0 ]] && return 0
    if command -v sudo >/dev/null 2>&1; then
        exec sudo -E "$0" "$CMD" "$DIR"
    fi
    die "'$CMD' needs root (slurmd and munged run as root/munge); sudo is not available"
}

# ---------------------------------------------------------------- pid handling

# A PID file is trusted only if the process is alive AND its command line
# still looks like the daemon we started (PIDs get reused).
pid_matches() { # pidfile pattern...
    local pidfile=$1; shift
    [[ -s $pidfile ]] || return 1
    local pid; pid=$(tr -dc '0-9' <"$pidfile")
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    local cmdline; cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    local p
    for p in "$@"; do [[ $cmdline == *"$p"* ]] || return 1; done
    echo "$pid"
}

ctld_pid() { pid_matches "$RUN/slurmctld.pid" slurmctld "$CONF"; }
slurmd_pid() {
    if [[ $CONFIGLESS == 1 ]]; then
        pid_matches "$RUN/slurmd-n$1.pid" slurmd "--conf-server localhost:$CTLD_PORT" "-N n$1"
    else
        pid_matches "$RUN/slurmd-n$1.pid" slurmd "$CONF" "-N n$1"
    fi
}
munged_ours_pid() { [[ -f $RUN/munged.ours ]] && pid_matches "$RUN/munged.pid" munged; }

# TERM all at once, then wait: slurmd/munged each take ~2 s to exit, and
# doing them one by one made `stop` slow.
kill_pids() { # "pid:name"...
    local entry pid i
    for entry in "$@"; do kill -TERM "${entry%%:*}" 2>/dev/null || true; done
    for entry in "$@"; do
        pid=${entry%%:*}
        for ((i = 0; i < 100; i++)); do
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        if [[ -d /proc/$pid ]]; then
            kill -KILL "$pid" 2>/dev/null || true
            say "killed ${entry#*:} (pid $pid) after 10 s"
        else
            say "stopped ${entry#*:} (pid $pid)"
        fi
    done
}

# ---------------------------------------------------------------- install

install_missing() {
    local missing=() p
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        step_done "packages present"
        return
    fi
    [[ $INSTALL == 1 ]] || die "missing packages ${missing[*]} and SWIFTPILOT_SLURM_INSTALL=0"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The postinst scripts try to start services; without systemd/policy-rc.d
    # they merely print "policy-rc.d denied", which is what we want.
    apt-get update -qq >/dev/null || say "apt-get update failed; trying the install with the lists present"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$DIR/apt.log" 2>&1 ||
        { tail -20 "$DIR/apt.log" >&2; die "apt-get install failed (full log: $DIR/apt.log)"; }
    step_done "installed ${#missing[@]} packages"
}

# ---------------------------------------------------------------- config

# Stands in for QRMI's SPANK plugin (spank_qrmi), which gives a job granted
# `--gres=qpu:N --qpu=NAMES` the variables below. The `export` lines a
# TaskProlog prints become the task's environment. A job whose allocation has
# the qpu GRES gets the QPUs of SWIFTPILOT_SLURM_QPUS, or, when it sets
# SWIFTPILOT_QPU_NAMES (as --qpu=NAMES would), those, each with an acquisition
# token. A test double: it hands out names, it does not schedule QPUs.
write_qpu_prolog() {
    cat >"$DIR/qpu-task-prolog.sh" <<EOF
#!/bin/sh
# Generated by JobScripts/local-slurm.sh (SWIFTPILOT_SLURM_QPUS=$QPUS).
scontrol show job "\$SLURM_JOB_ID" 2>/dev/null | grep -qE 'gres[:/]qpu' || exit 0
names=\${SWIFTPILOT_QPU_NAMES:-$QPUS}
types=""
for n in \$(echo "\$names" | tr ',' ' '); do
    types="\${types:+\$types,}qiskit-runtime-service"
    # The plugin's acquisition token for this job's hold on the QPU, which QRMI's runner presents.
    echo "export \${n}_QRMI_JOB_ACQUISITION_TOKEN=swiftpilot-\$SLURM_JOB_ID-\$n"
done
echo "export SLURM_JOB_QPU_RESOURCES=\$names"
echo "export SLURM_JOB_QPU_TYPES=\$types"
EOF
    chmod 755 "$DIR/qpu-task-prolog.sh"
}

write_config() { # sets CONFIG_CHANGED=1 if slurm.conf or gres.conf differ
    mkdir -p "$DIR"/{state,run,log,dev,jobs}
    chmod 1777 "$DIR/jobs"
    local i
    for ((i = 1; i <= NODES; i++)); do mkdir -p "$DIR/spool/n$i" "$DIR/tmp/n$i"; done
    # Slurm's gres code wants character devices; a symlink to /dev/null
    # stats as one and needs no mknod.
    ln -sfn /dev/null "$DIR/dev/gpu0"
    ln -sfn /dev/null "$DIR/dev/gpu1"

    local first=$((NODE_PORT + 1)) last=$((NODE_PORT + NODES))
    # Opt-in lines; empty unless their knob is set, so the default cluster's file is unchanged.
    local extra="" gres_types=gpu node_gres=gpu:2 qpu_count=0
    [[ -z $LICENSES ]] || extra+="Licenses=$LICENSES"$'\n'
    [[ $CONFIGLESS != 1 ]] || extra+="SlurmctldParameters=enable_configless"$'\n'
    if [[ -n $QPUS ]]; then
        qpu_count=$(tr ',' '\n' <<<"$QPUS" | grep -c .)
        gres_types=gpu,qpu
        node_gres=gpu:2,qpu:$qpu_count
        extra+="TaskProlog=$DIR/qpu-task-prolog.sh"$'\n'
        write_qpu_prolog
    fi
    cat >"$CONF.new" <<EOF
# Generated by JobScripts/local-slurm.sh; edits are overwritten on the next start.
ClusterName=$CLUSTER
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$first
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd-%n.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# Per-node TmpFS: pmix creates spmix_appdir_* there, and the nodes share /tmp.
TmpFS=$DIR/tmp/%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
# Default 3 s delay between batch scheduling passes dominates submit->RUNNING.
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Lets nodes claim more CPUs/GPUs than this host has.
SlurmdParameters=config_overrides
EnforcePartLimits=ALL
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.txt
ReturnToService=2
MinJobAge=300
KillWait=5
InactiveLimit=0
GresTypes=$gres_types
${extra}NodeName=n[1-$NODES] NodeAddr=127.0.0.1 Port=[$first-$last] CPUs=4 Boards=1 SocketsPerBoard=2 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=4096 Gres=$node_gres State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$DIR/gres.conf.new" <<EOF
AutoDetect=off
NodeName=n[1-$NODES] Name=gpu File=$DIR/dev/gpu[0-1]
EOF
    if ((qpu_count > 0)); then
        for ((i = 0; i < qpu_count; i++)); do ln -sfn /dev/null "$DIR/dev/qpu$i"; done
        echo "NodeName=n[1-$NODES] Name=qpu File=$DIR/dev/qpu[0-$((qpu_count - 1))]" >>"$DIR/gres.conf.new"
    fi
    CONFIG_CHANGED=0
    local f
    for f in "$CONF" "$DIR/gres.conf"; do
        if ! cmp -s "$f.new" "$f"; then
            CONFIG_CHANGED=1
            mv "$f.new" "$f"
        else
            rm -f "$f.new"
        fi
    done
}

# ---------------------------------------------------------------- munge

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    if munge_works; then
        step_done "munged already working$( [[ -n $(munged_ours_pid || true) ]] && echo ' (ours)' || echo ' (not ours)')"
        return
    fi
    if [[ ! -s /etc/munge/munge.key ]]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 600 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
    runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$RUN/munged.pid"
    touch "$RUN/munged.ours"
    wait_for "munged to answer" munge_works
    step_done "munged started (pid $(cat "$RUN/munged.pid"))"
}

# ---------------------------------------------------------------- slurm daemons

wait_for() { # description command...
    local what=$1; shift
    local deadline=$(($(date +%s) + TIMEOUT))
    until "$@"; do
        if (($(date +%s) >= deadline)); then
            echo "local-slurm: ERROR: timed out after ${TIMEOUT}s waiting for $what" >&2
            echo "--- last lines of $LOG/slurmctld.log:" >&2
            tail -15 "$LOG/slurmctld.log" >&2 2>/dev/null || true
            sinfo -N -h -o '%N %T' >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.1
    done
}

uts_allowed() {
    [[ $UTS != 0 ]] && unshare --uts true 2>/dev/null
}

# Configless: the slurmd fetch slurm.conf and gres.conf from slurmctld and
# cache them in their spool directory (conf-cache), as on a configless site.
slurmd_config_args() {
    if [[ $CONFIGLESS == 1 ]]; then echo "--conf-server localhost:$CTLD_PORT"; else echo "-f $CONF"; fi
}

start_slurmd() { # node index
    local n=n$1
    rm -f "$RUN/slurmd-$n.pid"
    if uts_allowed; then
        # Own UTS namespace so `hostname` inside jobs says n1..n4; the network
        # stays shared, so NodeAddr=127.0.0.1 keeps working.
        unshare --uts sh -c "echo $n >/proc/sys/kernel/hostname && exec /usr/sbin/slurmd $(slurmd_config_args) -N $n"
    else
        /usr/sbin/slurmd $(slurmd_config_args) -N "$n"
    fi
}

ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_states() { sinfo -h -N -o '%N %T' 2>/dev/null | sort -u; }

nodes_idle() {
    local states
    states=$(node_states)
    [[ $(grep -c ' idle$' <<<"$states") -eq $NODES ]]
}

# Usable = registered and responding; jobs may be running on it. A re-run of
# `start` while tests run must not wait for the nodes to become idle.
nodes_usable() {
    local states
    states=$(node_states)
    [[ $(grep -cE ' (idle|mixed|allocated|completing)$' <<<"$states") -eq $NODES ]]
}

# Jobs submitted before slurmctld's first scheduling pass just sit PENDING
# for ~3 s; tests that measure latency must not see that.
scheduler_ran() {
    local cycles
    cycles=$(sdiag 2>/dev/null | awk '/^Main schedule statistics/ {m = 1} m && /Total cycles:/ {print $3; exit}')
    [[ -n $cycles && $cycles -gt 0 ]]
}

all_daemons_alive() {
    ctld_pid >/dev/null || return 1
    local i
    for ((i = 1; i <= NODES; i++)); do slurmd_pid "$i" >/dev/null || return 1; done
}

port_busy() { # port -> prints the pid holding it, if any is found through /proc/net/tcp
    local hex; hex=$(printf '%04X' "$1")
    awk -v h=":$hex" '$2 ~ h"$" && $4 == "0A" {found = 1} END {exit !found}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

stop_slurm_daemons() {
    local pid i
    if pid=$(ctld_pid); then
        # Leaving jobs running would leave them half-alive in the saved state;
        # the next start would then wait for them to be declared lost.
        local jobs; jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
        if [[ -n ${jobs// /} ]]; then
            say "cancelling jobs: $jobs"
            scancel $jobs 2>/dev/null || true
            local deadline=$(($(date +%s) + 15))
            while [[ -n $(squeue -h -t R,CG,S 2>/dev/null) ]] && (($(date +%s) < deadline)); do sleep 0.2; done
        fi
    fi
    local victims=()
    for ((i = 1; i <= NODES; i++)); do
        pid=$(slurmd_pid "$i") && victims+=("$pid:slurmd n$i")
    done
    pid=$(ctld_pid) && victims+=("$pid:slurmctld")
    ((${#victims[@]} == 0)) || kill_pids "${victims[@]}"
    rm -f "$RUN"/slurmd-n*.pid "$RUN/slurmctld.pid"
}

start_slurm() {
    local pid i
    if ! ctld_pid >/dev/null; then
        if port_busy "$CTLD_PORT"; then
            die "port $CTLD_PORT is taken by another process (another Slurm?); set SWIFTPILOT_SLURM_CTLD_PORT"
        fi
        rm -f "$RUN/slurmctld.pid"
        /usr/sbin/slurmctld -f "$CONF"
        wait_for "slurmctld to answer 'scontrol ping'" ctld_up
        step_done "slurmctld started (pid $(cat "$RUN/slurmctld.pid"))"
    fi
    local started=0
    for ((i = 1; i <= NODES; i++)); do
        if ! slurmd_pid "$i" >/dev/null; then
            if port_busy $((NODE_PORT + i)); then
                die "port $((NODE_PORT + i)) for n$i is taken; set SWIFTPILOT_SLURM_NODE_PORT"
            fi
            start_slurmd "$i"
            started=$((started + 1))
        fi
    done
    ((started == 0)) || step_done "$started slurmd started$(uts_allowed && echo ' (own UTS namespaces)' || echo ' (shared hostname)')"
    if [[ -z $(squeue -h -t R,CG,S 2>/dev/null) ]]; then
        wait_for "all $NODES nodes to be idle" nodes_idle
        step_done "all $NODES nodes idle"
    else
        wait_for "all $NODES nodes to respond" nodes_usable
        step_done "all $NODES nodes up (jobs running)"
    fi
    wait_for "slurmctld's first scheduling pass (sdiag)" scheduler_ran
    step_done "first scheduling pass done"
}

# ---------------------------------------------------------------- commands

cmd_start() {
    need_root
    mkdir -p "$DIR"
    local knob
    for knob in CTLD_PORT NODE_PORT CLUSTER LICENSES QPUS CONFIGLESS; do
        local var=SWIFTPILOT_SLURM_$knob
        echo "$var=${!var:-}"
    done >"$DIR/modes"
    install_missing
    write_config
    if ((CONFIG_CHANGED == 0)) && munge_works && all_daemons_alive && ctld_up && nodes_usable; then
        say "already running, nothing to do ($(ms_since "$T0") ms)"
        return
    fi
    if ((CONFIG_CHANGED == 1)) && ctld_pid >/dev/null; then
        say "configuration changed: restarting the Slurm daemons"
        stop_slurm_daemons
        step_done "Slurm daemons stopped"
    fi
    step_done "configuration written to $CONF"
    start_munge
    start_slurm
    say "cluster up in $(ms_since "$T0") ms; use: export SLURM_CONF=$CONF"
}

cmd_stop() {
    need_root
    stop_slurm_daemons
    local pid
    if pid=$(munged_ours_pid); then
        kill_pids "$pid:munged"
    else
        say "munged not started by this script; left alone"
    fi
    rm -f "$RUN/munged.ours" "$RUN/munged.pid"
    say "stopped in $(ms_since "$T0") ms"
}

cmd_status() {
    local pid i rc=0
    if pid=$(ctld_pid); then echo "slurmctld  running  pid $pid"; else echo "slurmctld  stopped"; rc=1; fi
    for ((i = 1; i <= NODES; i++)); do
        if pid=$(slurmd_pid "$i"); then echo "slurmd n$i  running  pid $pid"; else echo "slurmd n$i  stopped"; rc=1; fi
    done
    if pid=$(munged_ours_pid); then echo "munged     running  pid $pid (ours)"
    elif munge_works; then echo "munged     running  (not ours)"
    else echo "munged     stopped"; rc=1; fi
    if ctld_up; then
        echo "--- nodes"
        sinfo -N -o '%N %T %c %G' 2>&1 || true
        echo "--- jobs"
        squeue -o '%i %j %T %R' 2>&1 || true
    fi
    return $rc
}

cmd_env() {
    echo "export SLURM_CONF=$CONF"
    # Configless clients need no file: libslurm asks this server for the configuration.
    [[ $CONFIGLESS != 1 ]] || echo "export SLURM_CONF_SERVER=localhost:$CTLD_PORT"
    echo "export SWIFTPILOT_SLURM_DIR=$DIR"
}

case $CMD in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) usage ;;
esac
