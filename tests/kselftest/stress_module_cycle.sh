#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress: 100 module unload/load cycles with VFs joined.  Two veth "VFs"
# with the MACs of two simulated devices exist for the whole test; each
# cycle loads netvsc and netvsc_sim, creates the two devices, brings them
# up, waits until both VFs are joined, and unloads both modules with the
# VFs still joined.  After every unload the VFs must be free (no master)
# and usable (they can be set up); at the end a last load joins them
# again.
#
# Bounded: NVS_STRESS_SCALE (percent of the 100 cycles, default 100; also
# nvs_stress_scale) and NVS_STRESS_BUDGET_S (default 900 s).
# timeout: 1500

# Functions run through check and wait_for.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
BUDGET=${NVS_STRESS_BUDGET_S:-${nvs_stress_budget_s:-900}}
CYCLES=$((100 * SCALE / 100))
[ "$CYCLES" -ge 2 ] || CYCLES=2
MACS=(00:15:5d:00:01:01 00:15:5d:00:01:02)
IDS=(40 41)

nvs_require_modules
ktap_plan 6

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
mkfifo "$WORK/tick"
exec {tick}<>"$WORK/tick"
nap() {
	read -r -t "$1" -u "$tick" _ || :
}

# The VFs live in the initial netns, like the devices: no netns moves.
on_exit ip link del mvf1
on_exit ip link del mvf0
ok=1
for i in 0 1; do
	ip link add "mvf$i" address "${MACS[$i]}" type veth peer name "mvf${i}p" || ok=
	ip link set "mvf${i}p" up || ok=
done
if [ -n "$ok" ]; then
	ktap_ok "two VFs"
else
	ktap_fail "two VFs"
	ktap_finished
fi

# up_all: bring both devices and the host ends of their wires up, with
# one ip process.
up_all() {
	local i d cmds=()

	for i in 0 1; do
		for d in "$NVS_SIM_BUS/devices/netvsc_sim${IDS[$i]}/net/"*; do
			[ -e "$d" ] || return 1
			cmds+=("link set dev ${d##*/} up")
		done
		cmds+=("link set dev $(sim_host_ifname "${IDS[$i]}") up")
	done
	printf '%s\n' "${cmds[@]}" | ip -batch -
}

# both_joined TIMEOUT_S: the simulated host switched both devices to
# their VF; polled without a fork.
both_joined() {
	local end=$((SECONDS + $1)) i dp n

	while :; do
		n=0
		for i in 0 1; do
			read -r dp <"$NVS_DEBUGFS/netvsc_sim${IDS[$i]}/datapath" 2>/dev/null || dp=
			[ "$dp" != vf ] || n=$((n + 1))
		done
		[ $n -ne 2 ] || return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		nap 0.02
	done
}

# free_vfs: no VF has a master, and each can be set up.
free_vfs() {
	local links

	links=$(ip -o link show) || return 1
	if printf '%s\n' "$links" | grep -E ': mvf[01]@' | grep -q ' master '; then
		echo "a VF still has a master:"
		printf '%s\n' "$links" | grep -E ': mvf[01]@'
		return 1
	fi
	printf '%s\n' "link set dev mvf0 up" "link set dev mvf1 up" | ip -batch -
}

# cycle: load, create, join, unload while joined.
cycle() {
	insmod "$NVS_MODDIR/netvsc.ko" "${NVS_VETH_PARAMS[@]}" ||
		{ echo "insmod netvsc failed"; return 1; }
	insmod "$NVS_MODDIR/netvsc_sim.ko" || { echo "insmod netvsc_sim failed"; return 1; }
	echo "${IDS[0]} ${MACS[0]}" >"$NVS_SIM_BUS/new_device" || { echo "new_device failed"; return 1; }
	echo "${IDS[1]} ${MACS[1]}" >"$NVS_SIM_BUS/new_device" || { echo "new_device failed"; return 1; }
	up_all || { echo "could not bring the devices up"; return 1; }
	both_joined 30 || { echo "the VFs did not join"; return 1; }
	rmmod netvsc_sim || { echo "rmmod netvsc_sim failed"; return 1; }
	rmmod netvsc || { echo "rmmod netvsc failed"; return 1; }
	free_vfs || { echo "the VFs were not released"; return 1; }
}

# The first load through the library: it loads what the modules depend on.
if nvs_load && nvs_unload; then
	t0=$SECONDS
	done_cycles=0
	fail=
	for ((c = 1; c <= CYCLES; c++)); do
		[ $((SECONDS - t0)) -lt "$BUDGET" ] || break
		if ! out=$(cycle 2>&1); then
			fail="cycle $c: $out"
			break
		fi
		done_cycles=$c
	done
	dt=$((SECONDS - t0))
	ktap_diag "$done_cycles of $CYCLES unload/load cycles in ${dt}s"
	[ -n "$fail" ] || [ "$done_cycles" -eq "$CYCLES" ] ||
		ktap_diag "time bound of ${BUDGET}s hit: ran $done_cycles cycles, not $CYCLES"
else
	fail="the first load and unload failed"
fi
if [ -z "$fail" ]; then
	ktap_ok "unload/load cycles with the VFs joined"
else
	ktap_fail "unload/load cycles with the VFs joined" "$fail"
	nvs_unload >/dev/null 2>&1
fi

check "after the last unload the VFs are free and usable" free_vfs

# A last load through the library: the VFs join again.
if nvs_load && sim_new "${IDS[0]}" "${MACS[0]}" &&
   sim_new "${IDS[1]}" "${MACS[1]}" && up_all; then
	ktap_ok "load again"
else
	ktap_fail "load again"
fi
check "both VFs join again" both_joined 30
check "unload with the VFs joined" nvs_unload

ktap_finished
