#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VF settings that survive a VF swap, on a real PCI VF: an e1000e
# hot-plugged into slot 7 through QEMU, as a Hyper-V host hot-adds a VF.
# Ring sizes the user set on the joined VF (ethtool -G) are remembered
# when it is hot-removed, keyed by its permanent address, shown by vfctl,
# and applied to the next VF with that address before it is opened.  A VF
# that left at its defaults leaves nothing remembered; vfctl set DEV
# vf-settings clear forgets them, and a bad value changes nothing.
# timeout: 500

# Functions run through check and wait_for.
# shellcheck disable=SC2317

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"
# shellcheck source=tests/kselftest/pci.lib
. "$(dirname "$(readlink -f "$0")")/pci.lib"

VFCTL=$NETVSC_DIR/tools/vfctl/vfctl
SLOT=7

vf_name() {
	pci_netdev $SLOT
}

joined() {
	local vf

	vf=$(vf_name) || return 1
	master_is "$TOPO_G" "$vf" "$TOPO_DEV" && topo_joined
}

plug_vf() {
	pci_plug e1000e "$TOPO_MAC" $SLOT vf && wait_for 60 joined
}

unplug_vf() {
	pci_unplug vf && wait_for 30 topo_synthetic
}

# "RX TX" ring sizes in effect on VF $1.
rings() {
	in_g ethtool -g "$1" | awk '/^Current hardware settings/ { c = 1 }
		c && $1 == "RX:" { r = $2 } c && $1 == "TX:" { t = $2 }
		END { print r, t }'
}

# What vfctl -j reports as remembered: "ADDR RX TX", or "None".
remembered() {
	in_g "$VFCTL" -j show "$TOPO_DEV" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["vf_settings"]
print(s if s is None else "%s %s %s" % (s["perm_addr"], s["rx_ring"], s["tx_ring"]))'
}

nvs_require_modules
if [ ! -x "$VFCTL" ]; then
	echo "# SKIP: tools/vfctl/vfctl not built (make -C tools/vfctl)"
	exit 4
fi
ktap_plan 21
pci_require

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

if topo_setup && topo_pci_host && quiet_ipv6; then
	ktap_ok "topology, with the virtio-net host NIC a port of br0"
else
	ktap_fail "topology, with the virtio-net host NIC a port of br0"
	ktap_finished
fi
dev=$TOPO_DEV
addr=$(tr 'A-F' 'a-f' <<<"$TOPO_MAC")

check "hot-added e1000e in slot $SLOT joins" plug_vf
vf=$(vf_name)
defaults=$(rings "$vf")
ktap_diag "the e1000e's ring sizes: $defaults"
check_eq "nothing remembered yet" None "$(remembered)"

# ------------------------------------------------------------ remembered

check "ethtool -G $vf rx 512 tx 1024 on the joined VF" \
	in_g ethtool -G "$vf" rx 512 tx 1024
check "the VF is hot-removed" unplug_vf
check_eq "its ring sizes are remembered, with its address" \
	"$addr 512 1024" "$(remembered)"
check_eq "vfctl show says so" "rx ring 512, tx ring 1024 (VF $addr)" \
	"$(in_g "$VFCTL" show "$dev" | sed -n 's/^\tvf settings: //p')"
log_mark "re-add"
check "a VF with that address is hot-added and joins" plug_vf
vf=$(vf_name)
check_eq "it has the ring sizes its predecessor had" "512 1024" "$(rings "$vf")"
check_log "the log says they were applied again" \
	"VF $vf: ring sizes rx 512, tx 1024 re-applied"
check "pings pass over it" wait_for 30 topo_ping 1

# ------------------------------------------------------------ defaults

# shellcheck disable=SC2086 # "RX TX"
set -- $defaults
check "back to its defaults: ethtool -G $vf rx $1 tx $2" \
	in_g ethtool -G "$vf" rx "$1" tx "$2"
check "the VF is hot-removed again" unplug_vf
check_eq "a VF that left at its defaults leaves nothing remembered" None \
	"$(remembered)"
check "the next VF joins" plug_vf
vf=$(vf_name)
check_eq "with its driver's defaults" "$defaults" "$(rings "$vf")"

# ------------------------------------------------------------ clear

in_g ethtool -G "$vf" rx 512 tx 512
check_err() {
	local rc

	in_g "$VFCTL" set "$dev" vf-settings bogus 2>/dev/null
	rc=$?
	[ $rc -eq 2 ]
}
check "vfctl set $dev vf-settings bogus: a usage error" check_err
check "vfctl set $dev vf-settings clear" in_g "$VFCTL" set "$dev" vf-settings clear
check "the VF is hot-removed once more" unplug_vf
check_eq "after clear, the VF's settings are not remembered at its leave" None \
	"$(remembered)"
check "the last VF joins with its driver's defaults" \
	eval 'plug_vf && [ "$(rings "$(vf_name)")" = "$defaults" ]'

ktap_finished
