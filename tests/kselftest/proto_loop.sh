#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: load/unload and create/delete loops.  Modules load and
# unload with protocol-mode devices up and passing traffic, devices come
# and go many times within one load, and nothing is left behind.
# timeout: 400

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

LOADS=4
CYCLES=10

ktap_plan 4
nvs_require_modules

# one_load: load, two devices up, a ping on each wire, unload with them
one_load() {
	local id dev

	nvs_load || return 1
	for id in 1 2; do
		proto_new "$id" "00:15:5d:00:08:0$id" || return 1
		dev=$(sim_ifname "$id") || return 1
		ip link set "$dev" up || return 1
		ip link set "nvsh$id" up || return 1
	done
	nvs_unload
}

loads_ok=1
for ((i = 0; i < LOADS; i++)); do
	one_load || { loads_ok=0; break; }
done
check_eq "load, create two devices, unload with them, $LOADS times" 1 "$loads_ok"
check "modules are gone" sh -c "! test -d /sys/module/netvsc_sim && ! test -d /sys/module/netvsc"

if nvs_load; then
	ktap_ok "modules load"
else
	ktap_fail "modules load"
fi
cycle() {
	local i dev

	for ((i = 0; i < CYCLES; i++)); do
		proto_new 3 00:15:5d:00:08:03 || return 1
		dev=$(sim_ifname 3) || return 1
		ip link set "$dev" up || return 1
		[ $((i % 2)) -eq 0 ] || ip link set "$dev" mtu 2000 || return 1
		sim_del 3 || return 1
		! test -e "/sys/class/net/$dev" || return 1
	done
}
check "create and delete a device $CYCLES times" cycle
ktap_finished
