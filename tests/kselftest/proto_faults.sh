#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: faults of the host.
#  - A host that refuses the newer NVSP versions gets an older one; one
#    that accepts none of ours fails the device cleanly, with a log line.
#  - A host that answers with an all-zero or a multicast MAC address
#    fails the device, with a log line.
#  - A failed query of the MAC address fails the device; a failed query
#    of the offload capabilities leaves a device without offloads.
#  - A dropped completion times out with a log line and no hang, at
#    creation and on a live device, which keeps working.
#  - Malformed packets from the host are rejected with a log line, and
#    the device keeps working.
#  - A full ring to the host (ring_full): the guest's receive completions
#    wait and are retried, none is lost or sent twice, every receive-buffer
#    slot comes back to the host, and receive traffic goes on.
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

MAC=00:15:5d:00:07:01
KINDS="rndis_len ppi_offset data_offset range_offset range_count truncated nvsp_truncated"
declare -A WHY=(
	[rndis_len]="bad RNDIS message length"
	[ppi_offset]="bad PPI offset"
	[data_offset]="RNDIS data beyond the message"
	[range_offset]="receive-buffer range beyond the buffer"
	[range_count]="transfer-page ranges beyond the header"
	[truncated]="descriptor length beyond the packet"
	[nvsp_truncated]="NVSP message truncated"
)

ktap_plan 36
proto_start
proto_timeout 1000

# new_ok ID: create device ID; it must come up
new_ok() {
	sim_new "$1" "$MAC"
}

# new_fails ID: creating device ID must fail
new_fails() {
	! sim_new "$1" "$MAC" 2>/dev/null
}

proto_default max_nvsp_version 0x40000
check "host refusing NVSP 5 and newer: device comes up" new_ok 1
check_eq "... on NVSP 4" 0x00040000 "$(proto_get 1 nvsp_version)"
check_eq "... announcing NDIS 6.1" 1 "$(proto_get 1 ndis_minor)"
sim_del 1
proto_default max_nvsp_version 0x30002
check "host refusing NVSP 4 and newer: device comes up" new_ok 1
check_eq "... on NVSP 2" 0x00030002 "$(proto_get 1 nvsp_version)"
sim_del 1
klog_mark
proto_default max_nvsp_version 0x2
check "host with none of our versions: creation fails" new_fails 1
check "... saying so" klog_has "host accepts none of NVSP versions"
proto_default max_nvsp_version 0x60001

# bad_mac: the host answers OID_802_3_PERMANENT_ADDRESS with 00:..:00
# (1) or with a multicast address (2).
for bad in 1:zero 2:multicast; do
	klog_mark
	proto_default bad_mac "${bad%%:*}"
	check "host giving a ${bad#*:} MAC: creation fails" new_fails 1
	check "... saying so" klog_has "the host gave an invalid MAC address"
done
proto_default bad_mac 0

klog_mark
proto_default fail_oid 0x01010101
proto_default fail_query 1
check "failed MAC query: creation fails" new_fails 1
check "... saying so" klog_has "RNDIS QUERY of OID 0x01010101 failed"
proto_default fail_oid 0xfc01020d
proto_default fail_query 1
klog_mark
check "failed offload query: device comes up" new_ok 1
check "... without offloads, saying so" klog_has "running without offloads"
check_eq "... TSO off" off "$(ethtool -k "$(sim_ifname 1)" |
	sed -n 's/^tcp-segmentation-offload: \([a-z]*\).*/\1/p')"
sim_del 1
proto_default fail_oid 0
proto_default fail_query 0

klog_mark
proto_default drop_completion 1
t0=$SECONDS
check "dropped completion at creation: creation fails" new_fails 1
check "... within the control timeout" test $((SECONDS - t0)) -lt 20
check "... with a timeout log line" klog_has "no completion from the host in 1000 ms"
proto_default drop_completion 0

proto_topology 2
klog_mark
proto_set 2 drop_completion 1
in_g ip link set "$TOPO_DEV" promisc on
check "dropped completion on a live device: timeout logged" \
	wait_for 20 klog_has "RNDIS SET \(OID 0x0001010e\): no answer from the host in 1000 ms"
check "... and the device still works" topo_ping 3

drops() { in_g ip -j -s link show "$TOPO_DEV" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["dropped"])'; }
d0=$(drops)
klog_mark
ok=1
for k in $KINDS; do
	proto_set 2 inject_malformed "$k" || ok=0
done
check "host sent every kind of malformed packet" test $ok = 1
missing=
for k in $KINDS; do
	wait_for 10 klog_has "${WHY[$k]}" || missing+=" $k"
done
check_eq "each was rejected with its reason" "" "$missing"
check "rejections counted as rx drops" test "$(drops)" -ge $(($(echo "$KINDS" | wc -w) + d0))
check "the device still works" topo_ping 3
check "unknown malformation refused" \
	sh -c "! echo bogus >$(sim_dbg 2)/inject_malformed"

no_klog() { ! klog_has "$1"; }

check "no receive-buffer slot outstanding at rest" wait_for 10 proto_rx_idle 2
hits0=$(proto_get 2 ring_full_hits)
bad0=$(proto_get 2 bad_msgs)
klog_mark
# Frames towards the guest while its writes find the ring full: more
# than the host has receive slots (127), so that a lost completion each
# would leave it none.  Echo replies may be lost; completions may not.
proto_set 2 ring_full 400
in_h ping -q -c 300 -i 0.01 -W 1 "$TOPO_GUEST_IP" >/dev/null 2>&1
proto_set 2 ring_full 0
check "the guest found the ring full" \
	test "$(proto_get 2 ring_full_hits)" -gt "$hits0"
check "... and said its receive completions wait" \
	klog_has "ring to the host full: receive completions wait"
check "every receive-buffer slot came back" wait_for 10 proto_rx_idle 2
check "... with no completion lost" \
	no_klog "cannot return receive buffer space to the host"
check_eq "... nor sent twice" "$bad0" "$(proto_get 2 bad_msgs)"
check "receive traffic goes on" \
	in_h ping -q -c 5 -i 0.2 -W 2 "$TOPO_GUEST_IP"
check "... and leaves no slot outstanding" wait_for 10 proto_rx_idle 2
ktap_finished
