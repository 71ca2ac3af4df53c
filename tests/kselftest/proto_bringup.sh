#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: bring-up and teardown.  A device created with
# "ID MAC proto" negotiates NVSP and RNDIS with the simulated host; its
# MAC address, link, MTU range and offloads are what the host reports
# over RNDIS, and the host's knobs reach the guest through the protocol.
# Direct mode keeps working, unknown options are refused, and only
# hv_netvsc.ko depends on hv_vmbus.
# timeout: 240

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

MAC=00:15:5d:00:05:01

ktap_plan 21
nvs_require_modules

if nvs_load; then
	ktap_ok "modules load"
else
	ktap_fail "modules load"
fi
check "netvsc.ko does not depend on hv_vmbus" \
	sh -c "! modinfo -F depends $NVS_MODDIR/netvsc.ko | grep -qw hv_vmbus"
check "netvsc_sim.ko does not depend on hv_vmbus" \
	sh -c "! modinfo -F depends $NVS_MODDIR/netvsc_sim.ko | grep -qw hv_vmbus"
check "hv_netvsc.ko binds the netvsc device class by modalias" \
	sh -c "modinfo -F alias $NVS_MODDIR/hv_netvsc.ko | grep -qi 'vmbus:635161f83edfc546913ff2d2f965ed0e'"

check "create a protocol-mode device" proto_new 5 "$MAC"
dev=$(sim_ifname 5)
check_eq "its mode" proto "$(proto_get 5 mode)"
check_eq "NVSP 6.1 negotiated" 0x00060001 "$(proto_get 5 nvsp_version)"
check_eq "NDIS 6.30 announced" 30 "$(proto_get 5 ndis_minor)"
caps=$(proto_get 5 ndis_caps)
check "NDIS config advertises SR-IOV and 802.1Q" test $((caps & 0xc)) -eq 12
check_eq "MAC address from RNDIS" "$MAC" "$(cat "/sys/class/net/$dev/address")"

ip link set "$dev" up
carrier() { [ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ]; }
filter_set() { [ $(($(proto_get 5 rx_filter) & 0x9)) -eq 9 ]; }
check "carrier from the RNDIS link status" wait_for 10 carrier
check "packet filter set over RNDIS when up" wait_for 10 filter_set

check "MTU 4000 accepted" ip link set "$dev" mtu 4000
check_eq "host took MTU 4000 in the NDIS configuration" 4000 "$(proto_get 5 mtu)"
check "carrier back after the MTU change" wait_for 10 carrier

maxmtu() { ip -d -j link show "$dev" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["max_mtu"])'; }
proto_set 5 max_mtu 9000
check_eq "max_mtu follows the host's maximum frame size" 9000 "$(maxmtu)"

tso() { ethtool -k "$dev" | sed -n "s/^$1: \([a-z]*\).*/\1/p"; }
proto_set 5 tso 0
check_eq "TSO off once the host drops LSOv2" off "$(tso tcp-segmentation-offload)"
proto_set 5 tso 1
proto_set 5 tx_csum 0
check_eq "tx checksum off once the host drops it" off "$(tso tx-checksumming)"
proto_set 5 tx_csum 1

klog_mark
check "unknown new_device option refused" \
	sh -c "! echo '6 00:15:5d:00:05:02 bogus' >$NVS_SIM_BUS/new_device"
check "the refusal says what is expected" klog_has 'expected "<id> <mac>" or "<id> <mac> proto"'

check "delete it; the netdev goes" sh -c "echo 5 >$NVS_SIM_BUS/del_device && ! test -e /sys/class/net/$dev"
ktap_finished
