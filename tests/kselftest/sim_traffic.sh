#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic over the synthetic path of a netvsc_sim device, between the
# guest netns and an address behind nvshID in the host netns (topo.sh):
# ping both ways (small and fragmented), and TCP both ways with a payload
# checked by sha256sum; first with the simulated host's offloads on, then
# with sg, tx_csum and tso off so that the stack's software fallbacks
# (segmentation, checksums, linearisation) do the work.
# timeout: 400

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

ktap_plan 22
nvs_require_modules
if ! nvs_load; then
	ktap_fail "load netvsc and netvsc_sim" "insmod failed"
	ktap_finished
fi

PAYLOAD=$PWD/payload
SIZE=$((4 * 1024 * 1024))
PORT=5201
# An Ethernet frame of a full-sized TCP segment at MTU 1500.
MAXFRAME=1514

# ping_recv NS COUNT SIZE DST: number of replies COUNT pings got.
ping_recv() {
	ip netns exec "$1" ping -c "$2" -s "$3" -i 0.2 -W 5 "$4" 2>&1 |
		sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p'
}

listening() {
	ip netns exec "$1" ss -Hltn "sport = :$PORT" | grep -q .
}

# tcp_xfer FROM_NS TO_NS TO_IP OUT: send $PAYLOAD from FROM_NS to a
# listener in TO_NS that writes it to OUT; OUT must hash as $PAYLOAD.
tcp_xfer() {
	local from=$1 to=$2 ip=$3 out=$4 rpid rc=0 want got

	rm -f "$out"
	ip netns exec "$to" timeout 120 socat -u \
		"TCP-LISTEN:$PORT,reuseaddr" "OPEN:$out,creat,trunc" &
	rpid=$!
	if ! wait_for 30 listening "$to"; then
		kill "$rpid" 2>/dev/null
		wait "$rpid"
		echo "no listener on port $PORT in $to"
		return 1
	fi
	if ! ip netns exec "$from" timeout 120 socat -u \
			"OPEN:$PAYLOAD" "TCP:$ip:$PORT"; then
		echo "sender failed"
		rc=1
	fi
	if ! wait "$rpid"; then
		echo "receiver failed"
		rc=1
	fi
	want=$(sha256sum <"$PAYLOAD")
	got=$(sha256sum <"$out" 2>/dev/null)
	if [ "$want" != "$got" ]; then
		echo "sha256 mismatch: sent $want, received $got ($(stat -c %s "$out" 2>/dev/null) bytes)"
		rc=1
	fi
	rm -f "$out"
	return "$rc"
}

feature() {
	in_g ethtool -k "$TOPO_DEV" | sed -n "s/^$1: \([a-z]*\).*/\1/p"
}

# run_traffic LABEL: the ping and TCP results for the current offloads.
# Leaves the synthetic tx counter deltas of the guest-to-host transfer in
# TX_PKTS and TX_BYTES.
run_traffic() {
	local l=$1 tx0 txb0 rx0

	check_eq "$l: 5 pings guest -> host" 5 \
		"$(ping_recv "$TOPO_G" 5 56 "$TOPO_HOST_IP")"
	check_eq "$l: 5 pings host -> guest" 5 \
		"$(ping_recv "$TOPO_H" 5 56 "$TOPO_GUEST_IP")"
	check_eq "$l: 3 fragmented pings (4000 bytes) guest -> host" 3 \
		"$(ping_recv "$TOPO_G" 3 4000 "$TOPO_HOST_IP")"
	check_eq "$l: 3 fragmented pings (4000 bytes) host -> guest" 3 \
		"$(ping_recv "$TOPO_H" 3 4000 "$TOPO_GUEST_IP")"

	tx0=$(topo_stat synth_tx_packets)
	txb0=$(topo_stat synth_tx_bytes)
	check "$l: TCP guest -> host, 4 MiB, sha256 matches" \
		tcp_xfer "$TOPO_G" "$TOPO_H" "$TOPO_HOST_IP" "$PWD/recv_h"
	TX_PKTS=$(($(topo_stat synth_tx_packets) - tx0))
	TX_BYTES=$(($(topo_stat synth_tx_bytes) - txb0))
	check "$l: guest -> host went over the synthetic path" \
		test "$TX_BYTES" -ge "$SIZE"

	rx0=$(topo_stat synth_rx_bytes)
	check "$l: TCP host -> guest, 4 MiB, sha256 matches" \
		tcp_xfer "$TOPO_H" "$TOPO_G" "$TOPO_GUEST_IP" "$PWD/recv_g"
	check "$l: host -> guest went over the synthetic path" \
		test "$(($(topo_stat synth_rx_bytes) - rx0))" -ge "$SIZE"
}

head -c "$SIZE" /dev/urandom >"$PAYLOAD"

if topo_setup 1 00:15:5d:00:77:01; then
	ktap_ok "topology: guest netns, host netns, bridge"
else
	ktap_fail "topology: guest netns, host netns, bridge"
fi
DBG=$(sim_dbg "$TOPO_ID")

# ------------------------------------------------------------------ offloads on

check_eq "offloads on: sg, tx-csum, tso on the guest" "on on on" \
	"$(feature scatter-gather) $(feature tx-checksumming) $(feature tcp-segmentation-offload)"
run_traffic "offloads on"
# With TSO the guest hands the host frames bigger than the MTU: fewer
# frames than full-sized segments would need.
check "offloads on: TSO frames reached the host ($TX_PKTS frames, $TX_BYTES bytes)" \
	test $((TX_PKTS * MAXFRAME)) -lt "$TX_BYTES"

# ------------------------------------------------------------------ offloads off

offloads_off() {
	local k

	for k in tso tx_csum sg; do
		echo 0 >"$DBG/$k" || return 1
	done
}
restore_offloads() {
	local k

	for k in sg tx_csum tso; do
		echo 1 >"$DBG/$k"
	done 2>/dev/null
}
on_exit restore_offloads
check "offloads off: write tso=0 tx_csum=0 sg=0" offloads_off
check_eq "offloads off: sg, tx-csum, tso off on the guest" "off off off" \
	"$(feature scatter-gather) $(feature tx-checksumming) $(feature tcp-segmentation-offload)"
run_traffic "offloads off"
# Software segmentation: no frame beyond the MTU reached the host.
check "offloads off: no frame above $MAXFRAME bytes ($TX_PKTS frames, $TX_BYTES bytes)" \
	test $((TX_PKTS * MAXFRAME)) -ge "$TX_BYTES"

ktap_finished
