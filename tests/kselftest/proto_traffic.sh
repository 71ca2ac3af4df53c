#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: traffic both ways over RNDIS.  Pings and TCP streams
# (checked end to end by checksum of what arrived) in both directions;
# the host counts the PPIs it saw: LSOv2 and checksum from the guest,
# checksum towards the guest, and 802.1Q for a VLAN on top.
# NVS_SIM_ONE_RANGE=1 (proto_one_range.sh) runs it all over a channel that
# sends one range of pages per packet, as VMBus before Linux 6.1.140:
# the guest must then send no frame whose pages don't chain.
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

PORT=5201
SIZE_KB=4096

ktap_plan 15
proto_start
proto_topology
ID=$TOPO_ID

check "ping guest to host" topo_ping 5
check "ping host to guest" in_h ping -q -c 5 -i 0.2 -W 2 "$TOPO_GUEST_IP"

dd if=/dev/urandom of=blob bs=1K count=$SIZE_KB status=none
sum=$(md5sum <blob | cut -d' ' -f1)

# listening NS: something listens on $PORT in NS (ss exits 0 either way)
listening() {
	ip netns exec "$1" ss -Hltn "sport = :$PORT" | grep -q .
}

# send FROM_NS TO_NS TO_IP: stream blob over TCP, print the md5 received.
# The listener's output goes elsewhere, so that a listener left behind
# cannot hold the caller's command substitution open.
send() {
	local from=$1 to=$2 ip=$3 got=rx.$2 lpid

	rm -f "$got"
	ip netns exec "$to" socat -u "TCP-LISTEN:$PORT,reuseaddr" "CREATE:$got" \
		>/dev/null 2>&1 &
	lpid=$!
	if ! wait_for 10 listening "$to" ||
	   ! ip netns exec "$from" socat -u FILE:blob "TCP:$ip:$PORT"; then
		kill "$lpid" 2>/dev/null
		wait "$lpid"
		return 1
	fi
	wait "$lpid" || return 1
	md5sum <"$got" | cut -d' ' -f1
}

lso0=$(proto_get "$ID" lso_ppi)
csum0=$(proto_get "$ID" csum_ppi)
check_eq "TCP guest to host: data intact" "$sum" "$(send "$TOPO_G" "$TOPO_H" "$TOPO_HOST_IP")"
check "host saw LSOv2 PPIs" test "$(proto_get "$ID" lso_ppi)" -gt "$lso0"
check "host saw checksum PPIs" test "$(proto_get "$ID" csum_ppi)" -gt "$csum0"

rx0=$(proto_get "$ID" rx_csum_ppi)
check_eq "TCP host to guest: data intact" "$sum" "$(send "$TOPO_H" "$TOPO_G" "$TOPO_GUEST_IP")"
check "host sent checksum PPIs" test "$(proto_get "$ID" rx_csum_ppi)" -gt "$rx0"

in_g ip link set "$TOPO_DEV" mtu 9000
in_h ip link set "$(sim_host_ifname "$ID")" mtu 9000
in_h ip link set br0 mtu 9000
check "jumbo ping after an MTU change" in_g ping -q -c 3 -i 0.2 -W 2 -s 8000 "$TOPO_HOST_IP"

in_g ip link add link "$TOPO_DEV" name vlan7 type vlan id 7
in_g ip addr add 10.9.7.1/24 dev vlan7
in_g ip link set vlan7 up
in_h ip link add link br0 name br0.7 type vlan id 7
in_h ip addr add 10.9.7.2/24 dev br0.7
in_h ip link set br0.7 up
vlan0=$(proto_get "$ID" vlan_ppi)
check "ping over a VLAN" in_g ping -q -c 3 -i 0.2 -W 2 10.9.7.2
check "host saw 802.1Q PPIs" test "$(proto_get "$ID" vlan_ppi)" -gt "$vlan0"
check_eq "the guest sent nothing malformed" 0 "$(proto_get "$ID" bad_msgs)"
# Frames larger than a send-buffer section whose data is in pages apart
# from the header go as several ranges, which a one-range channel must
# get as a linear copy.  TCP's frames may all fit in a section when the
# VM is slow (TSO autosizing follows the pacing rate), so send some that
# cannot: an 8000-byte AF_PACKET frame is a 14-byte head and a page
# fragment (packet_alloc_skb()).
BIG_FRAMES=4
BIG_FRAME_PY='
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = b"\xff" * 6 + s.getsockname()[4] + b"\x88\xb5" + bytes(7986)
for _ in range(int(sys.argv[2])):
    s.send(frame)
'
split0=$(proto_get "$ID" split_sends)
in_g /usr/bin/python3 -c "$BIG_FRAME_PY" "$TOPO_DEV" "$BIG_FRAMES" ||
	ktap_diag "could not send the 8000-byte AF_PACKET frames"
if [ "$(proto_get "$ID" one_range)" = 1 ]; then
	check_eq "one-range channel: every frame's pages chained" 0 \
		"$(proto_get "$ID" split_sends)"
else
	check "several-range channel: $BIG_FRAMES paged 8000-byte frames went as several ranges" \
		test "$(proto_get "$ID" split_sends)" -ge $((split0 + BIG_FRAMES))
fi
# A guest that falls behind (a starved vCPU) may find the host out of
# receive slots for a while, as Hyper-V's would be; TCP made up for it
# above.  What must hold is that the guest gives every slot back.
ktap_diag "frames the host dropped for want of a receive slot: $(proto_get "$ID" rx_nobuf)"
check "every receive-buffer slot came back" wait_for 10 proto_rx_idle "$ID"
ktap_finished
