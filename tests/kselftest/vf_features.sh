#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offloads and TSO/GSO limits of the synthetic device while a VF is
# joined: ethtool -K on the VF shows on the synthetic device and back,
# ethtool -K on the synthetic device is pushed to the VF and back, the
# offloads are the intersection of both paths' and go back to the
# synthetic set on leave, what the user turned off on the synthetic
# device stays off across VF swaps and each new VF follows it; the limits are the minimum of both paths', a
# GSO size change on the VF is picked up, the limits go back on leave,
# and a bulk TCP transfer stays intact while the VF's GSO size drops
# under it.
# timeout: 500

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

SINK_PORT=9200
BULK_PORT=9201
OTHER_MAC=02:00:00:00:00:42
LIMITS="tso_max_size tso_max_segs gso_max_size gso_max_segs"

# feat DEV NAME: on or off, as ethtool -k shows NAME on DEV (guest netns)
feat() {
	in_g ethtool -k "$1" | awk -v k="$2:" '$1 == k { print $2 }'
}

feat_is() {
	[ "$(feat "$1" "$2")" = "$3" ]
}

# The offload lines of ethtool -k that the VF engine manages, as shown.
offloads() {
	in_g ethtool -k "$1" | grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|highdma):|^	(tx-checksum-ipv4|tx-checksum-ipv6|tx-scatter-gather|tx-tcp-segmentation|tx-tcp6-segmentation):'
}

# lim DEV NAME: NAME (gso_max_size...) from ip -d link show DEV
lim() {
	in_g ip -d link show dev "$1" | grep -o " $2 [0-9]*" | awk '{ print $2 }'
}

lim_is() {
	[ "$(lim "$1" "$2")" = "$3" ]
}

limits() {
	local n out=

	for n in $LIMITS; do
		out+="$n=$(lim "$1" "$n") "
	done
	echo "${out% }"
}

# The limits each should have: the minimum of the synthetic path's
# ($1, "name=value ...") and the VF's (DEV $2).
min_limits() {
	local kv n v w out=

	for kv in $1; do
		n=${kv%%=*}
		v=${kv#*=}
		w=$(lim "$2" "$n")
		[ "$w" -lt "$v" ] && v=$w
		out+="$n=$v "
	done
	echo "${out% }"
}

# ethtool -K in the guest, without its report of what it could not change
kset() {
	in_g ethtool -K "$@" >/dev/null 2>&1
}

all_on() {
	feat_is "$dev" tx-checksumming on &&
		feat_is "$dev" tcp-segmentation-offload on &&
		feat_is "$dev" scatter-gather on &&
		feat_is "$vf" tx-checksum-ip-generic on &&
		feat_is "$vf" tcp-segmentation-offload on &&
		feat_is "$vf" scatter-gather on
}

# Every offload the engine manages on again, on both devices, so that a
# check does not depend on the one before.
reset_offloads() {
	kset "$vf" tx on sg on tso on
	kset "$dev" tx on sg on tso on
	wait_for 10 all_on || ktap_diag "could not turn all offloads back on"
}

# Some TCP traffic from the guest to the host, through whatever path.
tcp_burst() {
	in_g socat -u "OPEN:$WORK/burst" "TCP:$TOPO_HOST_IP:$SINK_PORT"
}

# gso_follows NAME N: after some TCP traffic the synthetic device shows N
gso_follows() {
	tcp_burst
	[ "$(lim "$TOPO_DEV" "$1")" = "$2" ]
}

kill_quiet() {
	kill "$@" 2>/dev/null
}

stopped() {
	! kill -0 "$1" 2>/dev/null
}

listening() {
	in_h ss -Hltn "sport = :$1" | grep -q LISTEN
}

file_size_at_least() {
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# A paced TCP sender: host port file bytes-per-second hold release.  It
# sends the file at the given rate but holds back its last "hold" bytes
# until the file "release" exists, then closes and waits for the peer to
# close.  Any error (a reset) ends it with a non-zero status.
TCP_TX_PY='
import os, socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rate, hold, release = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
with open(path, "rb") as f:
    data = f.read()
s = socket.create_connection((host, port), timeout=120)
start = time.monotonic()
sent = 0
while sent < len(data):
    if sent >= len(data) - hold and not os.path.exists(release):
        time.sleep(0.05)
        continue
    n = min(16384, len(data) - sent)
    s.sendall(data[sent:sent + n])
    sent += n
    ahead = start + sent / rate - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.close()
'

nvs_require_modules
ktap_plan 33

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
head -c 262144 /dev/zero >"$WORK/burst"

if topo_setup && quiet_ipv6; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi

ip netns exec "$TOPO_H" socat -u "TCP-LISTEN:$SINK_PORT,reuseaddr,fork" OPEN:/dev/null &
on_exit kill_quiet $!

dev=$TOPO_DEV
vf=$TOPO_VF
# The synthetic path's segment limit: the sim's tso_max_segs knob, which
# NDIS has no counterpart for: in protocol mode the engine offers
# GSO_MAX_SEGS.
synth_segs=4096
if sim_proto; then
	synth_segs=65535
	ktap_diag "proto mode: no NDIS counterpart for tso_max_segs: expecting $synth_segs"
fi
synth_offloads=$(offloads "$dev")
synth_limits=$(limits "$dev")
check_eq "synthetic set: tso and tx checksumming on, sim's TSO limits" \
	"tso=on tx=on tso_max_size=62768 tso_max_segs=$synth_segs gso_max_size=62768 gso_max_segs=$synth_segs" \
	"tso=$(feat "$dev" tcp-segmentation-offload) tx=$(feat "$dev" tx-checksumming) $synth_limits"

# ------------------------------------------------------------ toggles

topo_vf_add
check "a VF joins" wait_for 30 path_is vf
check_eq "joined: the intersection with a veth keeps tso, tx, sg, rx on" \
	"tso=on tx=on sg=on rx=on" \
	"tso=$(feat "$dev" tcp-segmentation-offload) tx=$(feat "$dev" tx-checksumming) sg=$(feat "$dev" scatter-gather) rx=$(feat "$dev" rx-checksumming)"

kset "$vf" tso off
check "ethtool -K VF tso off: the synthetic device shows tso off" \
	wait_for 10 feat_is "$dev" tcp-segmentation-offload off
kset "$vf" tso on
check "ethtool -K VF tso on: the synthetic device shows tso on" \
	wait_for 10 feat_is "$dev" tcp-segmentation-offload on

kset "$dev" tso off
check_eq "ethtool -K synthetic tso off: pushed to the VF" "dev=off vf=off" \
	"dev=$(feat "$dev" tcp-segmentation-offload) vf=$(feat "$vf" tcp-segmentation-offload)"
kset "$dev" tso on
check_eq "ethtool -K synthetic tso on: pushed to the VF" "dev=on vf=on" \
	"dev=$(feat "$dev" tcp-segmentation-offload) vf=$(feat "$vf" tcp-segmentation-offload)"

# The VF's tx-checksum-ip-generic stands for IPv4 and IPv6 checksums.  A
# device without transmit checksums drops TSO; with them back, its TSO
# comes back (it was never turned off by hand).
reset_offloads
kset "$vf" tx off
check "ethtool -K VF tx off: the synthetic device shows tx-checksumming off" \
	wait_for 10 feat_is "$dev" tx-checksumming off
kset "$vf" tx on
wait_for 10 feat_is "$dev" tx-checksumming on
check_eq "ethtool -K VF tx on: checksumming and tso back on, on both devices" \
	"dev-tx=on dev-tso=on vf-tx=on vf-tso=on" \
	"dev-tx=$(feat "$dev" tx-checksumming) dev-tso=$(feat "$dev" tcp-segmentation-offload) vf-tx=$(feat "$vf" tx-checksum-ip-generic) vf-tso=$(feat "$vf" tcp-segmentation-offload)"

reset_offloads
kset "$dev" tx off
check_eq "ethtool -K synthetic tx off: the VF's checksumming is turned off" \
	"dev=off vf=off" \
	"dev=$(feat "$dev" tx-checksumming) vf=$(feat "$vf" tx-checksum-ip-generic)"
kset "$dev" tx on
check_eq "ethtool -K synthetic tx on: the VF's checksumming is back on" \
	"dev=on vf=on" \
	"dev=$(feat "$dev" tx-checksumming) vf=$(feat "$vf" tx-checksum-ip-generic)"

# ------------------------------------------------------------ intersection

# What the synthetic path cannot do, the synthetic device does not
# offer; the VF keeps its own offloads.
reset_offloads
sim_knob tso 0
check_eq "sim tso=0: the synthetic device shows tso off, the VF keeps it" \
	"dev=off vf=on" \
	"dev=$(feat "$dev" tcp-segmentation-offload) vf=$(feat "$vf" tcp-segmentation-offload)"
sim_knob tso 1
check_eq "sim tso=1: tso back on" "on" "$(feat "$dev" tcp-segmentation-offload)"

reset_offloads
sim_knob tx_csum 0
check_eq "sim tx_csum=0: tx-checksumming off, the VF keeps its checksumming" \
	"dev=off vf=on" \
	"dev=$(feat "$dev" tx-checksumming) vf=$(feat "$vf" tx-checksum-ip-generic)"
sim_knob tx_csum 1
check_eq "sim tx_csum=1: tx-checksumming and tso back on" "tx=on tso=on" \
	"tx=$(feat "$dev" tx-checksumming) tso=$(feat "$dev" tcp-segmentation-offload)"

# ------------------------------------------------------------ restore on leave

reset_offloads
kset "$vf" tso off sg off
wait_for 10 feat_is "$dev" scatter-gather off
topo_vf_del
check "the VF leaves" wait_for 30 path_is synthetic
check_eq "after leave: the synthetic device has the synthetic offloads again" \
	"$synth_offloads" "$(offloads "$dev")"

# A VF that comes with tx checksumming off: claimed on its MAC change.
# It follows the synthetic device's choice, which is on.
topo_vf_add "$vf" "$OTHER_MAC"
kset "$vf" tx off
in_g ip link set "$vf" address "$TOPO_MAC"
check "a VF with tx checksumming off joins" wait_for 30 path_is vf
check_eq "joined: the VF follows the synthetic device, tx-checksumming on on both" \
	"dev=on vf=on" \
	"dev=$(feat "$dev" tx-checksumming) vf=$(feat "$vf" tx-checksum-ip-generic)"
topo_vf_del
wait_for 30 path_is synthetic
check_eq "after leave: the synthetic offloads again" \
	"$synth_offloads" "$(offloads "$dev")"

# ------------------------------------------------------------ the user's choices

# What the user turns off on the synthetic device stays off across VF
# swaps (live migration), whether set before the VF came or while it was
# joined; each new VF follows it.
kset "$dev" tso off
check "no VF: ethtool -K synthetic tso off" \
	feat_is "$dev" tcp-segmentation-offload off
seen=
for i in 1 2 3; do
	topo_vf_add
	if wait_for 30 path_is vf; then
		seen+="join$i=$(feat "$dev" tcp-segmentation-offload)/$(feat "$vf" tcp-segmentation-offload) "
	else
		seen+="join$i=none "
	fi
	topo_vf_del
	wait_for 30 path_is synthetic
	seen+="leave$i=$(feat "$dev" tcp-segmentation-offload) "
done
check_eq "tso off stays off over 3 VF remove/re-add cycles, and each VF follows (dev/vf)" \
	"join1=off/off leave1=off join2=off/off leave2=off join3=off/off leave3=off" \
	"${seen% }"

kset "$dev" tso on
topo_vf_add
wait_for 30 path_is vf
check_eq "ethtool -K synthetic tso on, then a VF joins: on on both" \
	"dev=on vf=on" \
	"dev=$(feat "$dev" tcp-segmentation-offload) vf=$(feat "$vf" tcp-segmentation-offload)"
kset "$dev" tso off
topo_vf_del
wait_for 30 path_is synthetic
check_eq "tso turned off while joined: still off once the VF is gone" \
	"off" "$(feat "$dev" tcp-segmentation-offload)"
kset "$dev" tso on

# ------------------------------------------------------------ TSO/GSO limits

# A VF with lower GSO limits than the synthetic path, higher TSO limits.
topo_vf_add "$vf" "$OTHER_MAC"
in_g ip link set "$vf" gso_max_size 40000 gso_max_segs 1000
in_g ip link set "$vf" address "$TOPO_MAC"
if wait_for 30 path_is vf; then
	check_eq "joined: each limit is the minimum of both paths'" \
		"$(min_limits "$synth_limits" "$vf")" "$(limits "$dev")"
	check_eq "joined: the VF's GSO limits win, the synthetic TSO limits win" \
		"tso_max_size=62768 tso_max_segs=$synth_segs gso_max_size=40000 gso_max_segs=1000" \
		"$(limits "$dev")"
else
	ktap_fail "joined: each limit is the minimum of both paths'" "the VF did not join"
	ktap_fail "joined: the VF's GSO limits win, the synthetic TSO limits win" "not run"
fi

in_g ip link set "$vf" gso_max_size 20000
check "ip link set VF gso_max_size 20000: picked up after TCP traffic" \
	wait_for 60 gso_follows gso_max_size 20000
in_g ip link set "$vf" gso_max_segs 500
check "ip link set VF gso_max_segs 500: picked up after TCP traffic" \
	wait_for 60 gso_follows gso_max_segs 500

topo_vf_del
wait_for 30 path_is synthetic
check_eq "after leave: the synthetic limits again" "$synth_limits" "$(limits "$dev")"

# ------------------------------------------------------------ GSO size drops under a transfer

# The sender holds back the last 4 MiB until the GSO size has dropped:
# those go out with the synthetic device's old, larger limit against
# the VF's new, smaller one.
size=$((12 * 1048576))
hold=$((4 * 1048576))
head -c $size /dev/urandom >"$WORK/bulk"
want=$(sha256sum <"$WORK/bulk" | cut -d' ' -f1)
topo_vf_add
wait_for 30 path_is vf
tx0=$(topo_stat vf_tx_packets)
drop0=$(topo_stat vf_tx_dropped)

ip netns exec "$TOPO_H" socat -u "TCP-LISTEN:$BULK_PORT,reuseaddr" \
	"OPEN:$WORK/bulk.rx,creat,trunc" &
rx_pid=$!
on_exit kill_quiet "$rx_pid"
wait_for 30 listening $BULK_PORT
ip netns exec "$TOPO_G" python3 -c "$TCP_TX_PY" "$TOPO_HOST_IP" $BULK_PORT \
	"$WORK/bulk" $((2 * 1048576)) $hold "$WORK/release" &
tx_pid=$!
on_exit kill_quiet "$tx_pid"

if wait_for 120 file_size_at_least "$WORK/bulk.rx" $((size / 4)); then
	in_g ip link set "$vf" gso_max_size 4000 gso_max_segs 4
	touch "$WORK/release"
	check "mid-transfer: the VF's GSO size 4000 reaches the synthetic device" \
		wait_for 60 lim_is "$dev" gso_max_size 4000
else
	touch "$WORK/release"
	ktap_fail "mid-transfer: the VF's GSO size 4000 reaches the synthetic device" \
		"the transfer did not get to a quarter"
fi
if wait_for 300 stopped "$tx_pid"; then
	wait "$tx_pid"
	tx_rc=$?
else
	tx_rc=timeout
fi
if wait_for 60 stopped "$rx_pid"; then
	wait "$rx_pid"
	rx_rc=$?
else
	rx_rc=timeout
fi
got=$(sha256sum <"$WORK/bulk.rx" | cut -d' ' -f1)
check_eq "the transfer completed intact (sender, receiver status; hash)" \
	"tx=0 rx=0 $want" "tx=$tx_rc rx=$rx_rc $got"
check_eq "it rode the VF and nothing was dropped" "rode=1 dropped=0" \
	"rode=$(($(topo_stat vf_tx_packets) > tx0)) dropped=$(($(topo_stat vf_tx_dropped) - drop0))"

ktap_finished
