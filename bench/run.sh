#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netvsc benchmark, run inside the test VM (see bench/README.md):
#   bash bench/run.sh            full run (5 repetitions)
#   NVS_BENCH_QUICK=1 bash bench/run.sh   smoke: 1 repetition, tiny durations
#
# Configurations, all on the same veth "VF" topology of topo.sh:
#   vf      (a) the bare veth VF, address on it, no netvsc device
#   netvsc  (b) netvsc with the VF joined
#   bond    (c) bonding active-backup over vf0 (primary) + vf1 (backup veth)
#   team    (d) team activebackup (teamd) over vf0 (prio 10) + vf1
#   synth   (e) the netvsc synthetic path alone (no VF)
#
# Each measurement is one JSON line in $OUT/results.jsonl; bench/report.py
# turns them into the Markdown table and the summary JSON, printed between
# markers for bench/bench.sh to pick up.

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/../tests/kselftest/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$NETVSC_DIR/tests/kselftest/topo.sh"

BENCH=$NETVSC_DIR/bench
VFCTL=$NETVSC_DIR/tools/vfctl/vfctl
OUT=${NVS_BENCH_OUT:-/tmp/bench}
QUICK=${NVS_BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	REPS=1 TPUT_S=1 PPS_S=0.5 FO_S=1 FO_RATE=2000 JOIN_REPS=1 SCALE_N=16
else
	REPS=${NVS_BENCH_REPS:-5} TPUT_S=2 PPS_S=1 FO_S=1.5 FO_RATE=2000
	JOIN_REPS=${NVS_BENCH_REPS:-5} SCALE_N=${NVS_BENCH_SCALE:-64}
fi
BACKUP_MAC=02:00:00:00:00:11
PORT=9300
RES=$OUT/results.jsonl
CFG=
TEAMD_PID=

mkdir -p "$OUT"
: >"$RES"

log() { echo "bench: $*" >&2; }
rec() { echo "$*" >>"$RES"; echo "@@R $*"; }
recs() { local l; while IFS= read -r l; do rec "$l"; done; }

for b in udpsend udprecv; do
	[ -x "$BENCH/$b" ] || { echo "bench: $BENCH/$b missing: make -C bench" >&2; exit 1; }
done

# ------------------------------------------------------------------ configs

teardown() {
	if [ -n "$TEAMD_PID" ]; then
		in_g teamd -t team0 -k >/dev/null 2>&1
		TEAMD_PID=
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
# backup or the synthetic path carries the traffic) for the re-add event.
setup() {
	local cfg=$1 novf=${2:-} miimon

	teardown
	CFG=$cfg
	case "$cfg" in
	vf)
		host_setup && topo_vf_add && guest_addr vf0 || return 1
		;;
	synth | netvsc)
		topo_setup || return 1
		if [ "$cfg" = netvsc ] && [ -z "$novf" ]; then
			topo_vf_add || return 1
			in_g ip link set vf0 up
			wait_for 30 topo_joined || return 1
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
			wait_for 10 bond_active_is vf0 || return 1
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
		wait_for 10 in_g ip link show team0 || return 1
		[ -n "$novf" ] || in_g teamdctl team0 port add vf0 || return 1
		in_g teamdctl team0 port add vf1 || return 1
		guest_addr team0 || return 1
		if [ -z "$novf" ]; then
			wait_for 10 team_active_is vf0 || return 1
		fi
		;;
	esac
	wait_for 20 reachable
}

CONFIGS="vf netvsc bond team synth"
if ! command -v teamd >/dev/null; then
	log "team skipped: teamd (libteam-utils) is not installed"
	rec '{"kind": "skip", "cfg": "team", "reason": "teamd (libteam-utils) not installed"}'
	CONFIGS="vf netvsc bond synth"
fi

# ------------------------------------------------------------------ datapath

cpu_busy() {
	# jiffies: all CPUs, busy (not idle, not iowait) and total
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t }' /proc/stat
}

run_tput() {
	local cfg=$1 streams=$2 rep=$3 bps

	in_h iperf3 -s -1 -D -I "$OUT/iperf.pid" >/dev/null 2>&1
	wait_for 5 in_h sh -c 'ss -ltn | grep -q ":5201 "'
	bps=$(in_g iperf3 -c "$TOPO_HOST_IP" -t "$TPUT_S" -P "$streams" -J 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null)
	[ -s "$OUT/iperf.pid" ] && kill "$(cat "$OUT/iperf.pid")" 2>/dev/null
	rm -f "$OUT/iperf.pid"
	wait_for 5 sh -c '! ip netns exec nvs_h ss -ltn | grep -q ":5201 "'
	[ -n "$bps" ] || { log "$cfg iperf3 -P $streams failed"; return 1; }
	rec "{\"kind\": \"tput$streams\", \"cfg\": \"$cfg\", \"rep\": $rep, \"value\": $bps}"
}

run_pps() {
	local cfg=$1 rep=$2 b0 t0 b1 t1 r s

	rm -f "$OUT/ready"
	in_h "$BENCH/udprecv" "$PORT" 2 "$OUT/ready" >"$OUT/recv.json" &
	r=$!
	wait_for 10 test -e "$OUT/ready"
	read -r b0 t0 < <(cpu_busy)
	s=$(in_g "$BENCH/udpsend" "$TOPO_HOST_IP" "$PORT" 0 "$PPS_S" 18)
	read -r b1 t1 < <(cpu_busy)
	wait "$r"
	python3 - "$cfg" "$rep" "$((b1 - b0))" "$((t1 - t0))" "$s" "$(cat "$OUT/recv.json")" <<'PY' | recs
import json, sys, os
cfg, rep, busy, tot = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s, r = json.loads(sys.argv[5]), json.loads(sys.argv[6])
hz = os.sysconf("SC_CLK_TCK")
pps = r["received"] / s["secs"] if s["secs"] else 0
ns = busy / hz * 1e9 / r["received"] if r["received"] else None
print(json.dumps({"kind": "pps", "cfg": cfg, "rep": rep, "value": pps,
                  "sent": s["sent"], "received": r["received"]}))
print(json.dumps({"kind": "cpu_ns_per_pkt", "cfg": cfg, "rep": rep, "value": ns,
                  "busy_jiffies": busy, "total_jiffies": tot}))
PY
}

# ------------------------------------------------------------------ failover

fo_event() {
	case "$1" in
	none) ;;
	remove) topo_vf_del vf0 ;;
	linkdown) in_h ip link set vf0p down ;;
	readd)
		case "$CFG" in
		netvsc) topo_vf_add && in_g ip link set vf0 up ;;
		bond*) topo_vf_add && in_g ip link set vf0 master bond0 ;;
		team) topo_vf_add && in_g ip link set vf0 down &&
			in_g teamdctl team0 port add vf0 ;;
		esac
		;;
	esac
}

run_failover() {
	local cfg=$1 ev=$2 rep=$3 r s novf=

	[ "$ev" = readd ] && novf=novf
	setup "$cfg" $novf || { log "setup $cfg ($ev) failed"; return 1; }
	rm -f "$OUT/ready"
	in_h "$BENCH/udprecv" "$PORT" 2 "$OUT/ready" >"$OUT/recv.json" &
	r=$!
	wait_for 10 test -e "$OUT/ready"
	in_g "$BENCH/udpsend" "$TOPO_HOST_IP" "$PORT" "$FO_RATE" "$FO_S" 64 >"$OUT/send.json" &
	s=$!
	sleep "$(python3 -c "print($FO_S / 2)")"
	fo_event "$ev"
	wait "$s"
	wait "$r"
	python3 - "$cfg" "$ev" "$rep" "$(cat "$OUT/send.json")" "$(cat "$OUT/recv.json")" <<'PY' | recs
import json, sys
cfg, ev, rep = sys.argv[1], sys.argv[2], int(sys.argv[3])
s, r = json.loads(sys.argv[4]), json.loads(sys.argv[5])
print(json.dumps({"kind": "failover", "cfg": cfg, "event": ev, "rep": rep,
                  "lost": s["sent"] - r["received"], "max_gap_ms": r["max_gap_ms"],
                  "sent": s["sent"], "received": r["received"]}))
PY
}

# ------------------------------------------------------------------ join

run_join() {
	local delay=$1 rep=$2 m

	setup netvsc novf || return 1
	in_g "$VFCTL" set "$TOPO_DEV" join-delay "$delay" || return 1
	in_g "$VFCTL" -j monitor >"$OUT/mon.json" 2>/dev/null &
	m=$!
	sleep 0.5
	printf 'link add vf0 address %s type veth peer name vf0p netns %s\nlink set vf0 up\n' \
		"$TOPO_MAC" "$TOPO_H" | in_g ip -b - || return 1
	in_h ip link set vf0p master br0
	in_h ip link set vf0p up
	wait_for 30 topo_joined
	sleep 0.3
	kill "$m"
	wait "$m" 2>/dev/null
	python3 - "$delay" "$rep" "$OUT/mon.json" <<'PY' | recs
import json, sys
from datetime import datetime
delay, rep = sys.argv[1], int(sys.argv[2])
def ts(s):
    # ISO 8601 with up to nanoseconds, Z: keep microseconds
    s = s.rstrip("Z")
    if "." in s:
        a, b = s.split(".")
        s = a + "." + (b + "000000")[:6]
    return datetime.fromisoformat(s).timestamp()
join = sw = None
for line in open(sys.argv[3]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "join" and join is None:
        join = e
    if e.get("event") == "switch" and e.get("datapath") == "vf" and sw is None:
        sw = e
if join and sw:
    ms = (ts(sw["timestamp"]) - ts(join["timestamp"])) * 1e3
    print(json.dumps({"kind": "join_ms", "cfg": "delay=" + delay, "rep": rep, "value": ms}))
else:
    print(json.dumps({"kind": "error", "what": "join", "delay": delay,
                      "events": [l.strip()[:200] for l in open(sys.argv[3])][:4]}))
PY
}

# ------------------------------------------------------------------ scale

slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

# The cost of one unrelated netdev event (a dummy created and deleted),
# averaged over 20, with N paired devices present.
event_cost() {
	local n=$1 t0 t1 i

	for ((i = 0; i < 50; i++)); do
		echo "link add nvsbdummy type dummy"
		echo "link del nvsbdummy"
	done >"$OUT/ev.batch"
	t0=${EPOCHREALTIME/[.,]/}
	ip -b "$OUT/ev.batch"
	t1=${EPOCHREALTIME/[.,]/}
	rec "{\"kind\": \"event_us\", \"cfg\": \"n=$n\", \"rep\": 0, \"value\": $(((t1 - t0) / 50))}"
}

run_scale() {
	local n=$SCALE_N i mac t0 t1 s0 s1 paired

	teardown
	event_cost 0
	s0=$(slab_kb)
	t0=${EPOCHREALTIME/[.,]/}
	for ((i = 1; i <= n; i++)); do
		mac=$(printf '00:15:5d:01:%02x:%02x' $((i >> 8)) $((i & 255)))
		sim_new "$((1000 + i))" "$mac" || break
		ip link add "bvf$i" address "$mac" type veth peer name "bvf${i}p" || break
	done
	# A VF is paired once it is enslaved (data path switch needs it up).
	enslaved() {
		local c
		c=$(ls -d /sys/class/net/bvf*[0-9]/master 2>/dev/null | wc -l)
		[ "$c" -ge "$1" ]
	}
	wait_for 120 enslaved "$n"
	t1=${EPOCHREALTIME/[.,]/}
	s1=$(slab_kb)
	paired=$(ls -d /sys/class/net/bvf*[0-9]/master 2>/dev/null | wc -l)
	rec "{\"kind\": \"scale_pair_s\", \"cfg\": \"n=$n\", \"rep\": 0, \"value\": $(python3 -c "print(($t1 - $t0) / 1e6)"), \"paired\": $paired}"
	rec "{\"kind\": \"scale_slab_kb_per_dev\", \"cfg\": \"n=$n\", \"rep\": 0, \"value\": $(python3 -c "print(($s1 - $s0) / $n)")}"
	event_cost "$n"
	for ((i = n; i >= 1; i--)); do
		ip link del "bvf$i" 2>/dev/null
		sim_del "$((1000 + i))" 2>/dev/null
		if [ "$i" = 17 ] || [ "$i" = 2 ]; then
			event_cost "$((i - 1))"
		fi
	done
}

# ------------------------------------------------------------------ main

nvs_load || { echo "bench: cannot load the modules" >&2; exit 1; }
what=${NVS_BENCH_ONLY:-failover datapath join scale}
log "quick=${QUICK:-0} reps=$REPS configs: $CONFIGS; parts: $what"

part_datapath() {
	local cfg rep

	for cfg in $CONFIGS; do
		setup "$cfg" || { log "setup $cfg failed"; rec "{\"kind\": \"error\", \"what\": \"setup $cfg\"}"; continue; }
		for ((rep = 1; rep <= REPS; rep++)); do
			run_tput "$cfg" 1 "$rep"
			run_tput "$cfg" 4 "$rep"
			run_pps "$cfg" "$rep"
		done
		log "datapath $cfg done"
	done
}

part_failover() {
	local cfg ev rep fo_configs="netvsc bond100 bond10"

	[[ " $CONFIGS " == *" team "* ]] && fo_configs+=" team"
	for cfg in $fo_configs; do
		for ev in none remove linkdown readd; do
			for ((rep = 1; rep <= REPS; rep++)); do
				run_failover "$cfg" "$ev" "$rep"
			done
		done
		log "failover $cfg done"
	done
}

part_join() {
	local delay rep

	for delay in 0 default; do
		for ((rep = 1; rep <= JOIN_REPS; rep++)); do
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
	case "$part" in
	datapath | failover | join | scale) "part_$part" ;;
	*) log "unknown part $part" ;;
	esac
done

teardown
echo "@@BENCH_JSONL_BEGIN@@"
cat "$RES"
echo "@@BENCH_JSONL_END@@"
python3 "$BENCH/report.py" --markdown "$RES"
