#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: the host's VF association picks the VF by its PCI slot.
# Real PCI NICs (e1000e, hot-plugged through QEMU, pci.lib) are what this
# is about: a veth has no slot, so only a PCI device can carry the serial
# number the association names (/sys/bus/pci/slots/N).
#
# Two e1000e NICs with the same MAC address, not the synthetic device's,
# in slots 7 and 6: nothing claims either by MAC.  The simulated host
# then associates the synthetic device with serial 6: the NIC in slot 6
# is claimed and joins, the one in slot 7 is left alone.  Hot-removed,
# the VF leaves; hot-added again in slot 6 after the association, as on
# Azure, it is claimed at once.
#
# The synthetic device stays in init_net: that is where a hot-added VF
# appears and where the association is looked up.
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"
# shellcheck source=tests/kselftest/pci.lib
. "$(dirname "$(readlink -f "$0")")/pci.lib"

ID=0
MAC=00:15:5d:00:00:31		# the synthetic device's
NIC_MAC=00:15:5d:00:00:32	# both NICs'

both_unowned() {
	unowned "" "$a" && unowned "" "$b"
}

joined() {
	master_is "" "$1" "$dev" && datapath_is "$ID" vf
}

ktap_plan 12
proto_start
pci_require

if proto_new $ID $MAC && dev=$(sim_ifname $ID) && ip link set "$dev" up; then
	ktap_ok "protocol-mode synthetic device $dev, up, in init_net"
else
	ktap_fail "protocol-mode synthetic device, up, in init_net"
	ktap_finished
fi

a='' b=''
pci_plug e1000e $NIC_MAC 7 nica && a=$PCI_NETDEV
pci_plug e1000e $NIC_MAC 6 nicb && b=$PCI_NETDEV
check "two e1000e NICs with one MAC hot-added in slots 7 and 6 ($a, $b)" \
	test -n "$a" -a -n "$b"
check "without an association neither is claimed" both_unowned

klog_mark
proto_set $ID vf_serial 6
proto_set $ID vf_allocated 1
check "the guest got the association with serial 6" \
	wait_for 10 klog_has "host associated the VF with serial 6"
check "the NIC in slot 6 is claimed" wait_for 30 master_is "" "$b" "$dev"
check "and joins: the host's data path is the VF" wait_for 30 datapath_is $ID vf
check "the NIC in slot 7 is left alone" unowned "" "$a"

check "the VF in slot 6 hot-removed" pci_unplug nicb
check "the data path goes synthetic" wait_for 30 datapath_is $ID synthetic
check "the NIC in slot 7 is still left alone" unowned "" "$a"

if pci_plug e1000e $NIC_MAC 6 nicb; then
	b=$PCI_NETDEV
	check "hot-added again in slot 6: claimed and joins" \
		wait_for 60 joined "$b"
else
	ktap_fail "hot-added again in slot 6: claimed and joins" "$PCI_NETDEV"
fi

ktap_finished
