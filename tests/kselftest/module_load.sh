#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module load and unload: the parameters of netvsc.ko, then 20 cycles of
# insmod netvsc + netvsc_sim, two devices up with an address, rmmod
# netvsc_sim with the devices still there (they must go cleanly) and rmmod
# netvsc; after each cycle both modules are gone and no netdevice, bus or
# debugfs entry is left.
# timeout: 400

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

CYCLES=20
PARAMS=/sys/module/netvsc/parameters

ktap_plan $((CYCLES + 9))
nvs_require_modules

loaded() {
	[ -d "/sys/module/$1" ]
}

# Start from nothing: a module left loaded would hide what insmod does.
for mod in netvsc_sim netvsc; do
	! loaded $mod || rmmod $mod
done
if loaded netvsc || loaded netvsc_sim; then
	ktap_fail "start with netvsc and netvsc_sim unloaded" "$(lsmod | grep netvsc)"
	ktap_finished
fi

unload_all() {
	local mod

	for mod in netvsc_sim netvsc; do
		! loaded $mod || rmmod $mod
	done
}
on_exit unload_all

# ------------------------------------------------------------------ parameters

check "insmod netvsc" nvs_load
check "parameters vf_transparent and vf_join_delay_ms exist" \
	test -f "$PARAMS/vf_transparent" -a -f "$PARAMS/vf_join_delay_ms"
check_eq "defaults: vf_transparent=Y vf_join_delay_ms=100" "Y 100" \
	"$(cat "$PARAMS/vf_transparent" "$PARAMS/vf_join_delay_ms" 2>&1 | paste -sd ' ')"
check_eq "modes: vf_transparent 0444, vf_join_delay_ms 0644" "444 644" \
	"$(stat -c %a "$PARAMS/vf_transparent" "$PARAMS/vf_join_delay_ms" 2>&1 | paste -sd ' ')"

set_delay() {
	echo "$1" >"$PARAMS/vf_join_delay_ms" &&
		[ "$(cat "$PARAMS/vf_join_delay_ms")" = "$1" ]
}
check "vf_join_delay_ms is writable (250, read back)" set_delay 250
check "vf_join_delay_ms back to 100" set_delay 100

# Even root cannot write a parameter that has no write permission.
ro_write() {
	local out

	if out=$({ echo N >"$PARAMS/vf_transparent"; } 2>&1); then
		echo "the write succeeded"
		return 1
	fi
	echo "$out"
	[ "$(cat "$PARAMS/vf_transparent")" = Y ] ||
		{ echo "vf_transparent is now $(cat "$PARAMS/vf_transparent")"; return 1; }
}
check "vf_transparent is read-only: a write fails and it stays Y" ro_write
check "rmmod netvsc_sim and netvsc" nvs_unload

reload_params() {
	nvs_load vf_transparent=0 vf_join_delay_ms=7 || return 1
	[ "$(cat "$PARAMS/vf_transparent") $(cat "$PARAMS/vf_join_delay_ms")" = "N 7" ] ||
		{ echo "got $(cat "$PARAMS/vf_transparent") $(cat "$PARAMS/vf_join_delay_ms")"; return 1; }
	nvs_unload
}
check "insmod netvsc vf_transparent=0 vf_join_delay_ms=7: N 7" reload_params

# ------------------------------------------------------------------ cycles

entries() {
	local f=(/sys/class/net/* /sys/bus/netvsc_sim /sys/kernel/debug/netvsc_sim)

	printf '%s\n' "${f[@]}"
}
BASE=$(entries)

_mark_n=0
kmsg_mark() {
	_mark_n=$((_mark_n + 1))
	MARK="nvs-module_load: mark $$.$_mark_n"
	echo "$MARK" >/dev/kmsg
}

# splats: kernel warnings logged since the mark.
splats() {
	dmesg -t | awk -v m="$MARK" 'found { print } $0 == m { found = 1 }' |
		grep -E 'WARNING:|BUG:|Oops|refcount_t:|unregister_netdevice: waiting|general protection'
}

# cycle N: one load/use/unload cycle; prints what went wrong.
cycle() {
	local n=$1 id dev i=0 now

	insmod "$NVS_MODDIR/netvsc.ko" "${NVS_VETH_PARAMS[@]}" ||
		{ echo "insmod netvsc failed"; return 1; }
	insmod "$NVS_MODDIR/netvsc_sim.ko" || { echo "insmod netvsc_sim failed"; return 1; }
	for id in $((2 * n)) $((2 * n + 1)); do
		i=$((i + 1))
		echo "$id 00:15:5d:01:$(printf %02x "$n"):0$i" >"$NVS_SIM_BUS/new_device" ||
			{ echo "new_device $id failed"; return 1; }
		dev=$(sim_ifname "$id") || { echo "no netdev for device $id"; return 1; }
		if ! { ip addr add "10.99.$n.$i/24" dev "$dev" &&
		       ip link set dev "$dev" up &&
		       ip link set dev "nvsh$id" up; }; then
			echo "cannot configure $dev"
			return 1
		fi
	done
	[ "$(ip -o -4 addr show | grep -c "10\.99\.$n\.")" = 2 ] ||
		{ echo "addresses:"; ip -o -4 addr show; return 1; }
	rmmod netvsc_sim || { echo "rmmod netvsc_sim failed"; return 1; }
	! loaded netvsc_sim || { echo "netvsc_sim still loaded"; return 1; }
	rmmod netvsc || { echo "rmmod netvsc failed"; return 1; }
	! loaded netvsc || { echo "netvsc still loaded"; return 1; }
	now=$(entries)
	[ "$now" = "$BASE" ] ||
		{ echo "left behind:"; diff <(echo "$BASE") <(echo "$now"); return 1; }
	! ip -o -4 addr show | grep "10\.99\." || { echo "addresses left"; return 1; }
	! splats || return 1
}

for ((n = 1; n <= CYCLES; n++)); do
	kmsg_mark
	if ! check "cycle $n: load, 2 devices up, rmmod with devices, all gone" cycle "$n"; then
		# Leave the next cycle a clean start.
		unload_all 2>/dev/null
	fi
done

ktap_finished
