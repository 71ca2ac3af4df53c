#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: frames the host has no room for.
#  - The synthetic device has no qdisc by default (noqueue).
#  - With the host's completions held back (deliver_hold), the guest's 512
#    send slots fill up; the frames after them wait in the guest and go,
#    all of them and in order, once the completions come.  Nothing is
#    dropped.
#  - A ring found full (ring_full) while sends are in flight: the frames
#    wait and go in order as soon as the ring takes them.
#  - At most txqueuelen frames wait; the rest are dropped and counted.
#  - With a qdisc, the queue is stopped and the qdisc holds the frames:
#    all arrive, in order, none dropped.
#  - ethtool -S counts a frame in synth_tx_packets when it is handed to
#    the host, and in synth_tx_dropped when it is dropped: exactly, in
#    each round, and a frame the engine holds counts when it goes.
#  - Never "Virtual device ... asks to queue packet!".
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

PORT=7001
SLOTS=512	# NETVSC_TX_SLOTS
N=600

# SEND N FIRST: N datagrams from the guest, payload their sequence
# numbers from FIRST on.  The
# frames that wait hold their socket's send buffer: make room for them all
# (SO_SNDBUFFORCE), or the sender would wait too.
SEND_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)
first = int(sys.argv[4])
for i in range(first, first + int(sys.argv[1])):
    s.sendto(i.to_bytes(4, "big"), (sys.argv[2], int(sys.argv[3])))
'

# RECV PORT EXPECT READY: receive until EXPECT datagrams or 20 s of
# silence; print "count in_order last"
RECV_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("", int(sys.argv[1])))
open(sys.argv[3], "w").close()
s.settimeout(20)
n, last, ordered = 0, -1, 1
try:
    while n < int(sys.argv[2]):
        seq = int.from_bytes(s.recv(64)[:4], "big")
        if seq <= last:
            ordered = 0
        last = seq
        n += 1
except socket.timeout:
    pass
print(n, ordered, last)
'

ktap_plan 22
proto_start
proto_topology
ID=$TOPO_ID
HOST=$(sim_host_ifname "$ID")
# Only the test's datagrams leave the guest: no IPv6 chatter.
in_g sysctl -qw "net.ipv6.conf.$TOPO_DEV.disable_ipv6=1"

qdisc() {
	in_g tc qdisc show dev "$TOPO_DEV" | awk 'NR == 1 { print $2 }'
}
check_eq "no qdisc by default" noqueue "$(qdisc)"

host_rx() {
	in_h cat "/sys/class/net/$HOST/statistics/rx_packets"
}

host_rx_is() {
	[ "$(host_rx)" = "$1" ]
}

tx_dropped() {
	in_g ip -s -j link show dev "$TOPO_DEV" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])'
}

# recv_start EXPECT: a receiver in the host netns, its output in rx.out
recv_start() {
	rm -f rx.out rx.ready
	in_h python3 -c "$RECV_PY" "$PORT" "$1" rx.ready >rx.out &
	RX_PID=$!
	wait_for 30 test -e rx.ready
}

# recv_result: wait for the receiver; print what it printed
recv_result() {
	wait "$RX_PID"
	cat rx.out
}

# send N [FIRST]
send() {
	in_g python3 -c "$SEND_PY" "$1" "$TOPO_HOST_IP" "$PORT" "${2:-0}"
}

# ethtool -S's synthetic transmit counters: counts_mark, then counts
# prints "PACKETS DROPPED" since the mark.  A frame counts as sent when
# it is handed to the host, not when the engine holds it.
counts_mark() {
	TX0=$(topo_stat synth_tx_packets)
	TXD0=$(topo_stat synth_tx_dropped)
}

counts() {
	echo "$(($(topo_stat synth_tx_packets) - TX0)) $(($(topo_stat synth_tx_dropped) - TXD0))"
}

klog_mark

# held_round WHAT: with the host's completions held back, N datagrams;
# the SLOTS sends in flight reach the host and the rest waits (in the
# guest, or in the qdisc), none is dropped, and all arrive in order once
# the completions come
held_round() {
	local rx0 drop0

	recv_start $N
	rx0=$(host_rx)
	drop0=$(tx_dropped)
	counts_mark
	proto_set "$ID" deliver_hold 1
	send $N
	check "$1: $SLOTS sends in flight reach the host, the rest wait" \
		wait_for 10 host_rx_is $((rx0 + SLOTS))
	check_eq "$1: nothing dropped while waiting" "$drop0" "$(tx_dropped)"
	proto_set "$ID" deliver_hold 0
	check_eq "$1: completions back, all $N arrive in order" \
		"$N 1 $((N - 1))" "$(recv_result)"
	check_eq "$1: synth_tx_packets +$N, synth_tx_dropped +0" \
		"$N 0" "$(counts)"
}

# --- held completions: the send slots fill, the rest waits -------------
held_round "no qdisc"

# --- ring full with sends in flight ------------------------------------
recv_start 30
counts_mark
hits0=$(proto_get "$ID" ring_full_hits)
proto_set "$ID" deliver_hold 1
send 10
proto_set "$ID" ring_full 5
send 20 10
check_eq "ring full: 5 writes refused" $((hits0 + 5)) "$(proto_get "$ID" ring_full_hits)"
check_eq "ring full: the waiting frames went, in order" "30 1 29" "$(recv_result)"
proto_set "$ID" deliver_hold 0
check_eq "ring full: synth_tx_packets +30, synth_tx_dropped +0" "30 0" "$(counts)"


# --- at most txqueuelen wait --------------------------------------------
QLEN=20
in_g ip link set "$TOPO_DEV" txqueuelen $QLEN
recv_start $((SLOTS + QLEN))
drop0=$(tx_dropped)
counts_mark
proto_set "$ID" deliver_hold 1
send $N
check_eq "txqueuelen $QLEN: the frames beyond it dropped and counted" \
	$((drop0 + N - SLOTS - QLEN)) "$(tx_dropped)"
check_eq "txqueuelen $QLEN: while held, synth_tx_packets +$SLOTS, synth_tx_dropped +$((N - SLOTS - QLEN))" \
	"$SLOTS $((N - SLOTS - QLEN))" "$(counts)"
proto_set "$ID" deliver_hold 0
check_eq "txqueuelen $QLEN: the $((SLOTS + QLEN)) others arrive, in order" \
	"$((SLOTS + QLEN)) 1 $((SLOTS + QLEN - 1))" "$(recv_result)"
check_eq "txqueuelen $QLEN: then synth_tx_packets +$((SLOTS + QLEN))" \
	"$((SLOTS + QLEN)) $((N - SLOTS - QLEN))" "$(counts)"
in_g ip link set "$TOPO_DEV" txqueuelen 1000

# --- with a qdisc, the qdisc holds them ------------------------------------
in_g tc qdisc replace dev "$TOPO_DEV" root pfifo limit 1000
check_eq "a qdisc can be attached" pfifo "$(qdisc)"
held_round pfifo
in_g tc qdisc del dev "$TOPO_DEV" root
check_eq "qdisc removed: none again" noqueue "$(qdisc)"
check "traffic goes on" topo_ping 3

no_complaint() {
	! klog_has "asks to queue packet"
}
check "never \"asks to queue packet\"" no_complaint
ktap_finished
