#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: the VF.  The host's VF association message reaches the
# guest; a VF with the synthetic device's MAC address joins (veth has no
# PCI slot, so this is the MAC fall-back of the serial match), and the
# data path switches travel as NVSP switch messages whose completions
# the host answers: the host's datapath is vf while the VF is joined and
# synthetic after it leaves.  A switch the host does not make is
# reported by the guest.
#
# A late VF association: the host holds the association back
# (vf_assoc_hold) until a VF exists that nothing paired when it appeared
# (it was a bridge port then, and leaving the bridge is no event the
# driver acts on).  When the association arrives the synthetic device
# looks for its VF again and pairs it, without an event of the VF's.  On
# Hyper-V the VF found so is the one in the PCI slot named after the
# serial number; the VM has no PCI VF, so here the look-up finds the
# veth by its MAC address, which is the same search.
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

ktap_plan 20
proto_start
proto_topology
ID=$TOPO_ID

klog_mark
proto_set "$ID" vf_serial 4242
proto_set "$ID" vf_allocated 1
check "guest got the VF association" \
	wait_for 10 klog_has "host associated the VF with serial 4242"

sw0=$(proto_get "$ID" switches)
check "add a VF with the same MAC" topo_vf_add
check "host switched to the VF" wait_for 20 topo_joined
check "a switch completed on the host" test "$(proto_get "$ID" switches)" -gt "$sw0"
check_eq "the VF is enslaved" "$TOPO_DEV" "$(topo_vf_master)"
check "ping over the VF" topo_ping 3

check "remove the VF" topo_vf_del
check "host switched back to synthetic" wait_for 20 topo_synthetic
check "ping over the synthetic path" topo_ping 3

klog_mark
proto_set "$ID" vf_allocated 0
proto_set "$ID" fail_switch 1
topo_vf_add
check "a refused switch is reported by the guest" \
	wait_for 20 klog_has "host did not switch the data path"
check_eq "the host stayed on the synthetic path" synthetic "$(topo_datapath)"

VF1=vf1
vf1_paired() { [ "$(topo_vf_master "$VF1")" = "$TOPO_DEV" ]; }

topo_vf_del
wait_for 20 topo_synthetic
proto_set "$ID" vf_assoc_hold 1
klog_mark
proto_set "$ID" vf_allocated 1
check "host held the VF association back" \
	klog_has "host holds the VF association back"
in_g ip link add nvsbr1 address 02:00:00:00:07:fe type bridge
topo_vf_add "$VF1" 00:15:5d:00:07:99
in_g ip link set "$VF1" master nvsbr1
in_g ip link set "$VF1" address "$TOPO_MAC"
in_g ip link set "$VF1" up
check "a VF that is a bridge port is refused" \
	klog_has "$VF1 has our MAC but belongs to another device"
in_g ip link set "$VF1" nomaster
check_eq "... and stays unpaired once it leaves the bridge" "" "$(topo_vf_master "$VF1")"
klog_mark
proto_set "$ID" vf_assoc_hold 0
check "the late VF association reached the guest" \
	wait_for 10 klog_has "host associated the VF with serial 4242"
check "the VF pairs with no event of its own" wait_for 10 vf1_paired
check "host switched to the VF" wait_for 20 topo_joined
check "ping over the VF" topo_ping 3
ktap_finished
