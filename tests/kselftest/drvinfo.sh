#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool -i names the transport's driver, and udev sees it.
#
# ethtool -i of a synthetic device reports the module of its transport:
# netvsc_sim for the simulated host, directly and over the NVSP/RNDIS
# engine, with the simulated bus device as bus-info; hv_netvsc over VMBus,
# the in-tree driver's name.  hv_netvsc cannot probe here (the VM has no
# VMBus): only its module name, which its channel reports as the driver,
# is checked.  udev's net_setup_link builtin then reads that name
# (ID_NET_DRIVER), and a .link file's [Match] Driver= picks the device by
# it, as systemd-networkd's and netplan's driver matches do: one for
# netvsc_sim is chosen over an earlier one for the old name "netvsc".
# timeout: 120

# shellcheck disable=SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

MAC1=00:15:5d:00:17:01
MAC2=00:15:5d:00:17:02
LINKDIR=/run/systemd/network

ktap_plan 8
nvs_require_modules
if nvs_load; then
	ktap_ok "modules load"
else
	ktap_fail "modules load"
fi

# drvinfo IF: "driver bus-info firmware-version" of ethtool -i IF
drvinfo() {
	ethtool -i "$1" 2>/dev/null | awk '
		$1 == "driver:" { d = $2 } $1 == "bus-info:" { b = $2 }
		$1 == "firmware-version:" { f = $2 } END { print d, b, f }'
}

sim_new 1 "$MAC1"
if1=$(sim_ifname 1)
check_eq "direct mode: ethtool -i: driver netvsc_sim, bus-info netvsc_sim1" \
	"netvsc_sim netvsc_sim1 N/A" "$(drvinfo "$if1")"

sim_new 2 "$MAC2" proto
if2=$(sim_ifname 2)
check_eq "protocol mode: ethtool -i: driver netvsc_sim, bus-info netvsc_sim2" \
	"netvsc_sim netvsc_sim2 N/A" "$(drvinfo "$if2")"

if [ -f "$NVS_MODDIR/hv_netvsc.ko" ]; then
	check_eq "hv_netvsc.ko is named hv_netvsc, the name its channel reports" \
		hv_netvsc "$(modinfo -F name "$NVS_MODDIR/hv_netvsc.ko")"
else
	ktap_skip "hv_netvsc.ko is named hv_netvsc, the name its channel reports" \
		"hv_netvsc.ko not built"
fi
ktap_skip "ethtool -i over VMBus: driver hv_netvsc, bus-info the device's GUID" \
	"no VMBus in this VM: hv_netvsc cannot probe"

if ! command -v udevadm >/dev/null; then
	for t in "net_setup_link: ID_NET_DRIVER" \
		 "net_setup_link: the .link that matches Driver=netvsc_sim" \
		 "net_setup_link: protocol mode, the same .link"; do
		ktap_skip "$t" "no udevadm"
	done
	ktap_finished
fi

# Ours sort before the distribution's 99-default.link; the first match
# wins, so the one for the old name would be taken if it matched.
[ -d "$LINKDIR" ] || { mkdir -p "$LINKDIR" && on_exit rmdir "$LINKDIR"; }
on_exit rm -f "$LINKDIR/10-nvs-old.link" "$LINKDIR/11-nvs-sim.link"
printf '[Match]\nDriver=netvsc\n\n[Link]\nDescription=nvs-old\n' \
	>"$LINKDIR/10-nvs-old.link"
printf '[Match]\nDriver=netvsc_sim\n\n[Link]\nDescription=nvs-sim\n' \
	>"$LINKDIR/11-nvs-sim.link"

out1=$(udevadm test-builtin net_setup_link "/sys/class/net/$if1" 2>&1)
check_eq "net_setup_link: ID_NET_DRIVER" netvsc_sim \
	"$(sed -n 's/^ID_NET_DRIVER=//p' <<<"$out1")"
check_eq "net_setup_link: the .link that matches Driver=netvsc_sim" \
	"$LINKDIR/11-nvs-sim.link" \
	"$(sed -n 's/^ID_NET_LINK_FILE=//p' <<<"$out1")"
out2=$(udevadm test-builtin net_setup_link "/sys/class/net/$if2" 2>&1)
check_eq "net_setup_link: protocol mode, the same .link" \
	"netvsc_sim $LINKDIR/11-nvs-sim.link" \
	"$(sed -n 's/^ID_NET_DRIVER=//p' <<<"$out2") $(sed -n 's/^ID_NET_LINK_FILE=//p' <<<"$out2")"
[ -n "$(sed -n 's/^ID_NET_LINK_FILE=//p' <<<"$out1")" ] ||
	ktap_diag "udevadm test-builtin said:" "$(tail -n 20 <<<"$out1")"

ktap_finished
