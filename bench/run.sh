#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netvsc benchmark, run inside the test VM (see bench/README.md):
#   bash bench/run.sh                     full run (5 repetitions)
#   NVS_BENCH_QUICK=1 bash bench/run.sh   smoke: 1 repetition, tiny durations
#
# Configurations, all on the same veth "VF" topology of topo.sh:
#   vf      (a) the bare veth VF, address on it, no netvsc device
#   netvsc  (b) netvsc with the VF joined
#   bond    (c) bonding active-backup over vf0 (primary) + vf1 (backup veth)
#   team    (d) team activebackup (teamd) over vf0 (prio 10) + vf1
#   synth   (e) the netvsc synthetic path alone (no VF)
#   netvscpci   netvsc with a real PCI VF, an e1000e hot-plugged into
#               slot 7 through QEMU (tests/kselftest/pci.lib), on the
#               same topology with the VM's virtio-net NIC as the host
#               side: failover part only, events none, remove, readd
#   netvschold0 (b) with carrier-hold 0: failover part only, the VF's
#               link events (linkdown, linkflap)
#
# Each measurement is one JSON line, printed as "@@R {...}" as soon as it is
# taken (bench/bench.sh collects them) and appended to $OUT/results.jsonl.
# A "plan" line first lists every figure the run is expected to produce, so
# that bench/report.py can tell which ones are missing.

# The whole script is one compound command, read before it runs: editing
# this file during a run cannot derail the run.
# shellcheck disable=SC2317,SC2119
{

# lib.sh's wait_for multiplies its bound by NVS_TIMEOUT_FACTOR: make sure
# it is a whole number, or nothing would be waited for.
case ${NVS_TIMEOUT_FACTOR:-} in
'' | *[!0-9]* | 0) export NVS_TIMEOUT_FACTOR=1 ;;
esac
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/../tests/kselftest/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$NETVSC_DIR/tests/kselftest/topo.sh"
# shellcheck source=tests/kselftest/pci.lib
. "$NETVSC_DIR/tests/kselftest/pci.lib"

BENCH=$NETVSC_DIR/bench
VFCTL=$NETVSC_DIR/tools/vfctl/vfctl
OUT=${NVS_BENCH_OUT:-/tmp/bench}
QUICK=${NVS_BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	REPS=1 TPUT_S=1 PPS_S=0.5 FO_S=1 FO_RATE=2000 SCALE_N=16 EV_PAIRS=20
else
	REPS=${NVS_BENCH_REPS:-5} TPUT_S=2 PPS_S=1 FO_S=3 FO_RATE=2000
	SCALE_N=${NVS_BENCH_SCALE:-256} EV_PAIRS=50
fi
# The synthetic device's root qdisc, in place of the default one
# (tc's words, e.g. "pfifo_fast"); empty: the default.
QDISC=${NVS_BENCH_QDISC:-}
FO_HALF=$(awk -v s="$FO_S" 'BEGIN { print s / 2 }')
HZ=$(getconf CLK_TCK)
BACKUP_MAC=02:00:00:00:00:11
PORT=9300
RES=$OUT/results.jsonl
CFG=
TEAMD_PID=

mkdir -p "$OUT"
: >"$RES"

log() { echo "bench: [${SECONDS}s] $*" >&2; }
rec() { echo "$*" >>"$RES"; echo "@@R $*"; }
err() {
	local w=$*

	log "error: $w"
	w=${w//\\/\\\\}
	rec "{\"kind\": \"error\", \"what\": \"${w//\"/\\\"}\"}"
}

# jget KEY JSON: the number KEY of a one-line JSON object (udpsend/udprecv)
jget() {
	local re="\"$1\": *([-0-9.eE+]+)"

	[[ $2 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

for b in udpsend udprecv; do
	[ -x "$BENCH/$b" ] || { echo "bench: $BENCH/$b missing: make -C bench" >&2; exit 1; }
done

# ------------------------------------------------------------------ configs

teardown() {
	if [ -n "$TEAMD_PID" ]; then
		in_g teamd -t team0 -k >/dev/null 2>&1
		TEAMD_PID=
	fi
	if [ "$CFG" = netvscpci ] && [ -e "/sys/bus/pci/devices/$(pci_addr "$PCI_SLOT")" ]; then
		pci_unplug vf >&2
	fi
	if [ -n "$TOPO_DEV" ]; then
		sim_del "$TOPO_ID" 2>/dev/null
		TOPO_DEV=
	fi
	ip netns del "$TOPO_G" 2>/dev/null
	ip netns del "$TOPO_H" 2>/dev/null
	CFG=
}
on_exit teardown

host_setup() {
	ns_new "$TOPO_H" || return 1
	ns_new "$TOPO_G" || return 1
	in_g ip link set lo up
	in_h ip link set lo up
	in_h ip link add br0 address "$TOPO_BR_MAC" type bridge || return 1
	in_h ip link set br0 up || return 1
	in_h ip addr add "$TOPO_HOST_IP/24" dev br0 || return 1
	in_h ip neigh replace "$TOPO_GUEST_IP" lladdr "$TOPO_MAC" dev br0 nud permanent
}

guest_addr() {
	in_g ip addr add "$TOPO_GUEST_IP/24" dev "$1" || return 1
	in_g ip link set "$1" up || return 1
	in_g ip neigh replace "$TOPO_HOST_IP" lladdr "$TOPO_BR_MAC" dev "$1" nud permanent
}

reachable() { in_g ping -c 1 -W 1 "$TOPO_HOST_IP"; }

bond_active_is() {
	[ "$(in_g cat /sys/class/net/bond0/bonding/active_slave)" = "$1" ]
}

team_active_is() {
	in_g teamdctl team0 state view 2>/dev/null | grep -q "active port: $1"
}

# setup CFG [novf]: build configuration CFG; "novf" leaves vf0 out (the
# backup or the synthetic path carries the traffic) for the re-add event
# and the join latency.
setup() {
	local cfg=$1 novf=${2:-} miimon

	teardown
	CFG=$cfg
	case "$cfg" in
	vf)
		host_setup && topo_vf_add && guest_addr vf0 || return 1
		;;
	synth | netvsc | netvschold0)
		topo_setup || return 1
		if [ "$cfg" = netvschold0 ]; then
			in_g "$VFCTL" set "$TOPO_DEV" carrier-hold 0 || return 1
		fi
		if [ -n "$QDISC" ]; then
			# shellcheck disable=SC2086  # tc's words
			in_g tc qdisc replace dev "$TOPO_DEV" root $QDISC || return 1
		fi
		if [ "$cfg" != synth ] && [ -z "$novf" ]; then
			topo_vf_add || return 1
			in_g ip link set vf0 up
			wait_for 30 topo_joined || return 1
		fi
		;;
	netvscpci)
		topo_setup && topo_pci_host || return 1
		if [ -z "$novf" ]; then
			pci_plug e1000e "$TOPO_MAC" "$PCI_SLOT" vf >&2 || return 1
			wait_for 60 topo_joined || return 1
		fi
		;;
	bond*)
		miimon=${cfg#bond}
		miimon=${miimon:-100}
		host_setup || return 1
		in_g ip link add bond0 address "$TOPO_MAC" type bond \
			mode active-backup miimon "$miimon" || return 1
		[ -n "$novf" ] || topo_vf_add || return 1
		topo_vf_add vf1 "$BACKUP_MAC" || return 1
		[ -n "$novf" ] || in_g ip link set vf0 master bond0 || return 1
		in_g ip link set vf1 master bond0 || return 1
		in_g sh -c 'echo vf0 >/sys/class/net/bond0/bonding/primary'
		guest_addr bond0 || return 1
		if [ -z "$novf" ]; then
			wait_for 30 bond_active_is vf0 || return 1
		fi
		;;
	team)
		command -v teamd >/dev/null || return 1
		host_setup || return 1
		[ -n "$novf" ] || topo_vf_add || return 1
		topo_vf_add vf1 "$BACKUP_MAC" || return 1
		in_g ip link set vf1 down
		[ -n "$novf" ] || in_g ip link set vf0 down
		in_g teamd -d -t team0 -c '{"device": "team0", "hwaddr": "'"$TOPO_MAC"'",
			"runner": {"name": "activebackup"},
			"link_watch": {"name": "ethtool"},
			"ports": {"vf0": {"prio": 10}, "vf1": {"prio": 0}}}' \
			>/dev/null 2>&1 || return 1
		TEAMD_PID=1
		wait_for 30 in_g ip link show team0 || return 1
		[ -n "$novf" ] || in_g teamdctl team0 port add vf0 || return 1
		in_g teamdctl team0 port add vf1 || return 1
		guest_addr team0 || return 1
		if [ -z "$novf" ]; then
			wait_for 30 team_active_is vf0 || return 1
		fi
		;;
	esac
	wait_for 60 reachable
}

CONFIGS="vf netvsc bond team synth"
# netvschold0: netvsc with carrier-hold 0, for the VF's link events only.
FO_CONFIGS="netvsc netvschold0 bond100 bond10 team"
if ! command -v teamd >/dev/null; then
	log "team skipped: teamd (libteam-utils) is not installed"
	rec '{"kind": "skip", "cfg": "team", "reason": "teamd (libteam-utils) not installed"}'
	CONFIGS="vf netvsc bond synth"
	FO_CONFIGS="netvsc netvschold0 bond100 bond10"
fi
# QUICK measures the datapath of (a) and (b) only: the other
# configurations' setup runs in the failover and join parts, and the
# measuring code is the same for all.
DP_CONFIGS=$CONFIGS
[ -z "$QUICK" ] || DP_CONFIGS="vf netvsc"
# A real PCI VF when the VM can hot-plug one (tests/vm/run.sh, "PCI").
PCI_SLOT=7
if [ -n "${NVS_PCI_SLOTS:-}" ] && modprobe e1000e && modprobe virtio_net; then
	FO_CONFIGS+=" netvscpci"
else
	log "netvscpci skipped: no PCI hot-plug (not in the VM of tests/vm/run.sh, or no e1000e)"
	rec '{"kind": "skip", "cfg": "netvscpci", "reason": "no PCI hot-plug"}'
fi
EVENTS="none remove linkdown linkflap readd"
# The failover runs, CFG/EVENT.  QUICK keeps one run per code path: every
# event on netvsc; bonding and team once built with vf0 and once without,
# vf0 being re-added the configuration's own way.
FO_RUNS=
for cfg in $FO_CONFIGS; do
	for ev in $EVENTS; do
		# The e1000e's link is QEMU's, not the host netns's to take down.
		case "$cfg:$ev" in
		netvscpci:link*) continue ;;
		netvschold0:link*) ;;
		netvschold0:*) continue ;;
		esac
		if [ -z "$QUICK" ] || [ "${cfg#netvsc}" != "$cfg" ] ||
		   { [ "$cfg" != bond100 ] && [ "$ev" = none ]; } ||
		   { [ "$cfg" != bond10 ] && [ "$ev" = readd ]; }; then
			FO_RUNS+=" $cfg/$ev"
		fi
	done
done

# recv_ready PID: udprecv (PID) is bound; a sender started before would
# lose its first datagrams (and get ECONNREFUSED from the ICMP errors).
# Starting a process takes seconds on a starved TCG VM: wait long.
recv_ready() {
	if ! wait_for 60 test -e "$OUT/ready"; then
		kill "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 1
	fi
}

# ------------------------------------------------------------------ datapath

cpu_busy() {
	# USER_HZ ticks, all CPUs: busy (not idle, not iowait) and total
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t }' /proc/stat
}

run_tput() {
	local cfg=$1 streams=$2 rep=$3 bps

	in_h iperf3 -s -1 -D -I "$OUT/iperf.pid" >/dev/null 2>&1
	wait_for 60 in_h sh -c 'ss -ltn | grep -q ":5201 "'
	bps=$(in_g iperf3 -c "$TOPO_HOST_IP" -t "$TPUT_S" -P "$streams" -J 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null)
	[ -s "$OUT/iperf.pid" ] && kill "$(cat "$OUT/iperf.pid")" 2>/dev/null
	rm -f "$OUT/iperf.pid"
	wait_for 30 sh -c '! ip netns exec nvs_h ss -ltn | grep -q ":5201 "'
	[ -n "$bps" ] || { err "$cfg iperf3 -P $streams failed"; return 1; }
	rec "{\"kind\": \"tput$streams\", \"cfg\": \"$cfg\", \"rep\": $rep, \"value\": $bps}"
}

run_pps() {
	local cfg=$1 rep=$2 b0 t0 b1 t1 r s got secs sent pps ns

	rm -f "$OUT/ready" "$OUT/recv.json"
	ip netns exec "$TOPO_H" "$BENCH/udprecv" "$PORT" 2 "$OUT/ready" >"$OUT/recv.json" &
	r=$!
	recv_ready "$r" || { err "$cfg udp flood: the receiver did not start"; return 1; }
	read -r b0 t0 < <(cpu_busy)
	s=$(in_g "$BENCH/udpsend" "$TOPO_HOST_IP" "$PORT" 0 "$PPS_S" 18)
	read -r b1 t1 < <(cpu_busy)
	wait "$r"
	got=$(jget received "$(cat "$OUT/recv.json")")
	sent=$(jget sent "$s")
	secs=$(jget secs "$s")
	if [ -z "$got" ] || [ -z "$sent" ] || [ -z "$secs" ] || [ "$got" = 0 ]; then
		err "$cfg udp flood: sender '$s', receiver '$(cat "$OUT/recv.json")'"
		return 1
	fi
	pps=$(awk -v r="$got" -v s="$secs" 'BEGIN { printf "%.3f", (s > 0 ? r / s : 0) }')
	ns=$(awk -v b="$((b1 - b0))" -v hz="$HZ" -v r="$got" \
		'BEGIN { printf "%.1f", b / hz * 1e9 / r }')
	rec "{\"kind\": \"pps\", \"cfg\": \"$cfg\", \"rep\": $rep, \"value\": $pps, \"sent\": $sent, \"received\": $got}"
	rec "{\"kind\": \"cpu_ns_per_pkt\", \"cfg\": \"$cfg\", \"rep\": $rep, \"value\": $ns, \"busy_ticks\": $((b1 - b0)), \"total_ticks\": $((t1 - t0)), \"hz\": $HZ}"
}

# ------------------------------------------------------------------ failover

fo_event() {
	case "$1" in
	none) ;;
	linkdown) in_h ip link set vf0p down ;;
	# A 1 s loss of the VF's link, within netvsc's default carrier hold;
	# the sleep is the loss's length.
	linkflap)
		in_h ip link set vf0p down
		sleep 1
		in_h ip link set vf0p up
		;;
	remove)
		if [ "$CFG" = netvscpci ]; then
			pci_unplug vf >&2
		else
			topo_vf_del vf0
		fi
		;;
	readd)
		case "$CFG" in
		netvsc) topo_vf_add && in_g ip link set vf0 up ;;
		netvscpci) pci_plug e1000e "$TOPO_MAC" "$PCI_SLOT" vf >&2 ;;
		bond*) topo_vf_add && in_g ip link set vf0 master bond0 ;;
		team) topo_vf_add && in_g ip link set vf0 down &&
			in_g teamdctl team0 port add vf0 ;;
		esac
		;;
	esac
}

run_failover() {
	local cfg=$1 ev=$2 rep=$3 r s novf='' sj rj sent got gap fo_s

	[ "$ev" = readd ] && novf=novf
	setup "$cfg" "$novf" || { err "setup $cfg ($ev) failed"; return 1; }
	rm -f "$OUT/ready" "$OUT/recv.json" "$OUT/send.json"
	ip netns exec "$TOPO_H" "$BENCH/udprecv" "$PORT" 2 "$OUT/ready" >"$OUT/recv.json" &
	r=$!
	recv_ready "$r" || { err "failover $cfg $ev: the receiver did not start"; return 1; }
	# pciehp removes a device 5 s after the host's request (the attention
	# button's grace period), and a plug takes seconds: a longer stream.
	fo_s=$FO_S
	[ "$cfg" != netvscpci ] || fo_s=$(awk -v s="$FO_S" 'BEGIN { print s + 10 }')
	# The flap lasts 1 s: the stream goes on 2 s more after it.
	[ "$ev" != linkflap ] || fo_s=$(awk -v s="$FO_S" 'BEGIN { print s + 3 }')
	in_g "$BENCH/udpsend" "$TOPO_HOST_IP" "$PORT" "$FO_RATE" "$fo_s" 64 >"$OUT/send.json" &
	s=$!
	sleep "$FO_HALF"
	fo_event "$ev" || log "failover $cfg: event $ev failed"
	wait "$s"
	wait "$r"
	sj=$(cat "$OUT/send.json")
	rj=$(cat "$OUT/recv.json")
	sent=$(jget sent "$sj")
	got=$(jget received "$rj")
	gap=$(jget max_gap_ms "$rj")
	if [ -z "$sent" ] || [ -z "$got" ] || [ -z "$gap" ]; then
		err "failover $cfg $ev: sender '$sj', receiver '$rj'"
		return 1
	fi
	rec "{\"kind\": \"failover\", \"cfg\": \"$cfg\", \"event\": \"$ev\", \"rep\": $rep, \"lost\": $((sent - got)), \"max_gap_ms\": $gap, \"sent\": $sent, \"received\": $got, \"send_errors\": $(jget errors "$sj"), \"skipped\": $(jget skipped "$sj")}"
}

# ------------------------------------------------------------------ join

# nl_subscribed NS PID PROTO: the netlink socket of PID (its port id) in
# netns NS has joined a multicast group (only the first 32 show).
nl_subscribed() {
	# shellcheck disable=SC2016
	ip netns exec "$1" awk -v pid="$2" -v proto="$3" \
		'$2 == proto && $3 == pid && $4 != "00000000" { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

# The VF arrives as a hot-added VF does on Azure: registered, down, in
# another netns than the synthetic device (here the host netns); netvsc
# moves it into its own netns, claims it, waits vf_join_delay_ms, joins it
# (opening it) and switches the data path when it has carrier.  The VF's
# "wire" (the veth peer, a port of br0) is set up in the same ip batch
# that creates it, a few ms later.
# Join latency: from the RTM_NEWLINK of vf0 in the host netns (ip
# monitor) to netvsc's "switch" event to the VF (vfctl monitor in the
# guest netns); both are receive times of netlink notifications
# (CLOCK_REALTIME, UTC).
run_join() {
	local delay=$1 rep=$2 m im k0

	setup netvsc novf || { err "join: setup failed"; return 1; }
	in_g "$VFCTL" set "$TOPO_DEV" join-delay "$delay" || { err "join: vfctl set failed"; return 1; }
	rm -f "$OUT/ipmon.txt" "$OUT/mon.json"
	# Not through in_h/in_g: $! must be the monitor's own PID.
	ip netns exec "$TOPO_H" env TZ=UTC ip -ts monitor link >"$OUT/ipmon.txt" 2>&1 &
	im=$!
	ip netns exec "$TOPO_G" "$VFCTL" -j monitor >"$OUT/mon.json" 2>/dev/null &
	m=$!
	wait_for 20 nl_subscribed "$TOPO_H" "$im" 0 || log "join: ip monitor not subscribed yet"
	# vfctl's group may have an ID past 31: then this cannot see it.
	wait_for 20 nl_subscribed "$TOPO_G" "$m" 16 || log "join: cannot see vfctl's subscription"
	sleep 0.2
	k0=$(dmesg | wc -l)
	printf 'link add vf0 address %s type veth peer name vf0p\nlink set vf0p master br0\nlink set vf0p up\n' \
		"$TOPO_MAC" | in_h ip -b - || { err "join: VF creation failed"; return 1; }
	wait_for 30 topo_joined || log "join: no switch to the VF within 30 s"
	sleep 0.3
	kill "$m" "$im" 2>/dev/null
	wait "$m" "$im" 2>/dev/null
	dmesg | tail -n +"$((k0 + 1))" >"$OUT/klog.txt"
	python3 - "$delay" "$rep" "$OUT/ipmon.txt" "$OUT/mon.json" "$OUT/klog.txt" <<'PY' | while IFS= read -r l; do rec "$l"; done
import json, re, sys
from datetime import datetime
delay, rep = sys.argv[1], int(sys.argv[2])
def ts(s):
    # ISO 8601, UTC, up to nanoseconds: keep microseconds
    s = s.rstrip("Z")
    if "." in s:
        a, b = s.split(".")
        s = a + "." + (b + "000000")[:6]
    return datetime.fromisoformat(s).timestamp()
reg = join = sw = None
for line in open(sys.argv[3]):
    m = re.match(r"\[([0-9T:.-]+)\]\s+\d+: vf0[@:]", line)
    if m and reg is None:
        reg = ts(m.group(1))
for line in open(sys.argv[4]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "join" and join is None:
        join = ts(e["timestamp"])
    if e.get("event") == "switch" and e.get("datapath") == "vf" and sw is None:
        sw = ts(e["timestamp"])
# The same span in the kernel log, free of the receive-time noise of two
# monitor processes: netvsc moving the VF in -> data path VF.
kmove = ksw = None
for line in open(sys.argv[5]):
    m = re.match(r"\[\s*([0-9.]+)\]", line)
    if not m:
        continue
    if "moving VF vf0 " in line and kmove is None:
        kmove = float(m.group(1))
    if "data path is VF vf0" in line and ksw is None:
        ksw = float(m.group(1))
cfg = "delay=" + delay
if kmove is not None and ksw is not None:
    print(json.dumps({"kind": "join_klog_ms", "cfg": cfg, "rep": rep,
                      "value": (ksw - kmove) * 1e3}))
if reg is not None and sw is not None:
    print(json.dumps({"kind": "join_ms", "cfg": cfg, "rep": rep,
                      "value": (sw - reg) * 1e3}))
if reg is not None and join is not None:
    print(json.dumps({"kind": "join_event_ms", "cfg": cfg, "rep": rep,
                      "value": (join - reg) * 1e3}))
if reg is None or join is None or sw is None:
    print(json.dumps({"kind": "error", "what": "join %s rep %d: registered %s, join %s, switch %s"
                      % (delay, rep, reg, join, sw)}))
PY
}

# ------------------------------------------------------------------ scale

slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

# event_cost N: the wall time of one unrelated netdev event (a dummy
# device created and deleted, EV_PAIRS of each in one ip batch), REPS
# times, with N paired devices present.
event_cost() {
	local n=$1 t0 t1 i rep

	for ((i = 0; i < EV_PAIRS; i++)); do
		echo "link add nvsbdummy type dummy"
		echo "link del nvsbdummy"
	done >"$OUT/ev.batch"
	for ((rep = 1; rep <= REPS; rep++)); do
		t0=${EPOCHREALTIME/[.,]/}
		ip -b "$OUT/ev.batch" || { err "event cost: ip batch failed"; return 1; }
		t1=${EPOCHREALTIME/[.,]/}
		rec "{\"kind\": \"event_us\", \"cfg\": \"n=$n\", \"rep\": $rep, \"value\": $(((t1 - t0) / EV_PAIRS))}"
	done
}

scale_mac() { printf '00:15:5d:01:%02x:%02x' $(($1 >> 8)) $(($1 & 255)); }

paired_count() {
	local l c=0

	for l in /sys/class/net/bvf*[0-9]/master; do
		[ -e "$l" ] && c=$((c + 1))
	done
	echo "$c"
}

enslaved() { [ "$(paired_count)" -ge "$1" ]; }

# scale_down FROM TO: delete the paired devices FROM..TO+1
scale_down() {
	local i

	for ((i = $1; i > $2; i--)); do
		echo "link del bvf$i"
	done >"$OUT/del.batch"
	[ "$1" -le "$2" ] || ip -b "$OUT/del.batch"
	for ((i = $1; i > $2; i--)); do
		echo "$((1000 + i))" >"$NVS_SIM_BUS/del_device"
	done
}

# Levels at which the event cost is taken, on the way down from N.
scale_levels() {
	local n=$1

	echo "$n"
	[ "$n" -le 16 ] || echo 16
	[ "$n" -le 1 ] || echo 1
}

run_scale() {
	local n=$SCALE_N i t0 t1 s0 s1 paired lvl cur

	teardown
	modprobe dummy numdummies=0 2>/dev/null
	event_cost 0
	for ((i = 1; i <= n; i++)); do
		printf 'link add bvf%d address %s type veth peer name bvf%dp\n' \
			"$i" "$(scale_mac "$i")" "$i"
	done >"$OUT/veth.batch"
	s0=$(slab_kb)
	t0=${EPOCHREALTIME/[.,]/}
	# Synthetic devices first, then their VFs, as on Azure.
	for ((i = 1; i <= n; i++)); do
		sim_new "$((1000 + i))" "$(scale_mac "$i")" || break
	done
	ip -b "$OUT/veth.batch" || err "scale: veth batch failed"
	# A VF is paired once it is claimed (enslaved): the devices are
	# down, so none joins.
	wait_for $((120 + n)) enslaved "$n"
	t1=${EPOCHREALTIME/[.,]/}
	s1=$(slab_kb)
	paired=$(paired_count)
	log "scale: $paired of $n paired in $(((t1 - t0) / 1000)) ms"
	if [ "$paired" -eq "$n" ]; then
		rec "{\"kind\": \"scale_pair_s\", \"cfg\": \"n=$n\", \"rep\": 0, \"value\": $(awk -v d=$((t1 - t0)) 'BEGIN { print d / 1e6 }'), \"paired\": $paired}"
		rec "{\"kind\": \"scale_slab_kb_per_dev\", \"cfg\": \"n=$n\", \"rep\": 0, \"value\": $(awk -v d=$((s1 - s0)) -v n="$n" 'BEGIN { print d / n }')}"
	else
		err "scale: only $paired of $n devices paired"
	fi
	cur=$n
	for lvl in $(scale_levels "$n"); do
		scale_down "$cur" "$lvl"
		cur=$lvl
		event_cost "$lvl"
	done
	scale_down "$cur" 0
}

# ------------------------------------------------------------------ main

# The bench's VFs are veths: netvsc takes them only with vf_trust_nonpci
# (NVS_VETH_PARAMS), which is for testing.
nvs_load "${NVS_VETH_PARAMS[@]}" || { echo "bench: cannot load the modules" >&2; exit 1; }
# NVS_BENCH_SIM="KNOB=VALUE ...": the simulated host's defaults for the
# devices of this run (netvsc_sim/defaults/ in debugfs).
for kv in ${NVS_BENCH_SIM:-}; do
	if ! echo "${kv#*=}" >"$NVS_DEBUGFS/defaults/${kv%%=*}"; then
		echo "bench: cannot set the sim's default $kv" >&2
		exit 1
	fi
done
what=${NVS_BENCH_ONLY:-failover datapath join scale}

# The plan: every figure this run should produce (report.py counts the
# missing ones).  Keys: KIND/CFG, failover/CFG/EVENT.
plan=
for part in $what; do
	case "$part" in
	datapath)
		for cfg in $DP_CONFIGS; do
			for k in tput1 tput4 pps cpu_ns_per_pkt; do
				plan+=" $k/$cfg"
			done
		done
		;;
	failover)
		for r in $FO_RUNS; do
			plan+=" failover/$r"
		done
		;;
	join)
		for d in 0 default; do
			plan+=" join_ms/delay=$d join_event_ms/delay=$d join_klog_ms/delay=$d"
		done
		;;
	scale)
		plan+=" scale_pair_s/n=$SCALE_N scale_slab_kb_per_dev/n=$SCALE_N event_us/n=0"
		for lvl in $(scale_levels "$SCALE_N"); do
			plan+=" event_us/n=$lvl"
		done
		;;
	*)
		echo "bench: unknown part $part" >&2
		exit 1
		;;
	esac
done
plan_json=$(for k in $plan; do printf '"%s", ' "$k"; done)
rec "{\"kind\": \"plan\", \"expect\": [${plan_json%, }]}"
cmdline=$(tr -d '\042\134' </proc/cmdline)
# SLUB debugging in force (sanity checks, red zones, poison, user tracking)
slub_dbg=
for f in sanity_checks red_zone poison store_user; do
	slub_dbg+=$(cat "/sys/kernel/slab/kmalloc-64/$f" 2>/dev/null || echo -)
done
rec "{\"kind\": \"meta\", \"quick\": ${QUICK:-0}, \"reps\": $REPS, \"tput_s\": $TPUT_S, \"pps_s\": $PPS_S, \"fo_s\": $FO_S, \"fo_rate\": $FO_RATE, \"scale_n\": $SCALE_N, \"ev_pairs\": $EV_PAIRS, \"parts\": \"$what\", \"qdisc\": \"${QDISC:-default}\", \"sim\": \"${NVS_BENCH_SIM:-}\", \"kernel\": \"$(uname -r)\", \"cpus\": $(nproc), \"slub_debug_fzpu\": \"$slub_dbg\", \"cmdline\": \"$cmdline\"}"
log "quick=${QUICK:-0} reps=$REPS configs: $CONFIGS; parts: $what"

# diag CFG DEV...: the qdisc and the main offloads of each DEV, recorded
# once per configuration (they explain datapath differences).
diag() {
	local cfg=$1 d q k out=

	shift
	for d in "$@"; do
		q=$(in_g tc qdisc show dev "$d" 2>/dev/null | awk 'NR == 1 { print $2 }')
		k=$(in_g ethtool -k "$d" 2>/dev/null | awk -F': ' '
			$1 ~ /^(scatter-gather|tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload)$/ {
				split($2, v, " "); printf "%s%s=%s", n++ ? " " : "", $1, v[1] }')
		out+="${out:+, }\"$d\": \"qdisc=${q:-?} $k\""
	done
	rec "{\"kind\": \"diag\", \"cfg\": \"$cfg\", $out}"
}

# Repetitions are the outer loop, so that a change of the machine's load
# during the run hits every configuration alike.
part_datapath() {
	local cfg rep

	for ((rep = 1; rep <= REPS; rep++)); do
		for cfg in $DP_CONFIGS; do
			setup "$cfg" || { err "setup $cfg failed"; continue; }
			if [ "$rep" = 1 ]; then
				case "$cfg" in
				vf) diag "$cfg" vf0 ;;
				netvsc) diag "$cfg" "$TOPO_DEV" vf0 ;;
				synth) diag "$cfg" "$TOPO_DEV" ;;
				bond) diag "$cfg" bond0 vf0 ;;
				team) diag "$cfg" team0 vf0 ;;
				esac
			fi
			run_tput "$cfg" 1 "$rep"
			run_tput "$cfg" 4 "$rep"
			run_pps "$cfg" "$rep"
		done
		log "datapath repetition $rep done"
	done
}

part_failover() {
	local r rep

	for ((rep = 1; rep <= REPS; rep++)); do
		for r in $FO_RUNS; do
			run_failover "${r%/*}" "${r#*/}" "$rep"
		done
		log "failover repetition $rep done"
	done
}

part_join() {
	local delay rep

	for ((rep = 1; rep <= REPS; rep++)); do
		for delay in 0 default; do
			run_join "$delay" "$rep"
		done
	done
	log "join done"
}

part_scale() {
	run_scale
	log "scale done"
}

# The parts run in the order given (failover first: it matters most).
for part in $what; do
	"part_$part"
done

teardown
log "all done"
exit 0
}
