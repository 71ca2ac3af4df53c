#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A synthetic NIC whose registration fails after the host reported its
# link (the simulator's defaults/fail_register: the NETDEV_REGISTER
# notifier refuses the device, as another module's veto would).  The link
# change queued work on the device; the failure path must cancel it
# before the device is freed.  In both simulator modes, three creations
# fail with EIO, each with its log line, leaving no bus device and no
# netdevice behind; then a creation succeeds and the device gets its
# link.  On the debug kernel, work left queued on the freed device is a
# KASAN use-after-free or an ODEBUG "free active object" report, which
# fails the run.
# timeout: 300

# Functions run through check and wait_for; nvs_load takes no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

ID=7
MAC=00:15:5d:00:77:01
NFAIL=3
KNOB=$NVS_DEBUGFS/defaults/fail_register

nvs_require_modules
ktap_plan 16

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
on_exit sim_gone $ID
on_exit sh -c "echo 0 >$KNOB"

# The error text of a write of STRING to new_device, or "ok".
new_device() {
	local out

	if out=$({ echo "$1" >"$NVS_SIM_BUS/new_device"; } 2>&1); then
		echo ok
	else
		echo "${out##*write error: }"
	fi
}

# Nothing of device ID is left: no bus device, no netdevice with MAC.
nothing_left() {
	if [ -e "$NVS_SIM_BUS/devices/netvsc_sim$ID" ]; then
		echo "netvsc_sim$ID exists"
		return 1
	fi
	if ip -o link | grep -qiF "link/ether $MAC "; then
		echo "a netdevice has $MAC:"
		ip -o link | grep -iF "link/ether $MAC "
		return 1
	fi
}

has_carrier() {
	[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]
}

# Bring device ID up and wait for its carrier.
comes_up() {
	local dev

	dev=$(sim_ifname "$ID") || return 1
	ip link set "$dev" up && wait_for 30 has_carrier "$dev"
}

for mode in direct proto; do
	opt=
	[ $mode = direct ] || opt=" proto"
	echo $NFAIL >"$KNOB"
	log_mark "$mode"
	errs=
	left=ok
	for i in $(seq 1 $NFAIL); do
		errs+="$(new_device "$ID $MAC$opt");"
		why=$(nothing_left) || left="after failure $i: $why"
	done
	check_eq "$mode: $NFAIL creations fail with EIO" \
		"$(printf 'Input/output error;%.0s' $(seq 1 $NFAIL))" "$errs"
	check_eq "$mode: each leaves no bus device and no netdevice" ok "$left"
	check_eq "$mode: each says why in the log" $NFAIL \
		"$(log_since | grep -c "registration of .* fails (fail_register)")"
	check_eq "$mode: and why the creation failed" $NFAIL \
		"$(log_since | grep -c "new_device: cannot create device $ID (-5)")"
	check_eq "$mode: the fault is spent" 0 "$(cat "$KNOB")"
	check_eq "$mode: the next creation succeeds" ok "$(new_device "$ID $MAC$opt")"
	check "$mode: its device comes up and gets its link" comes_up
	check_eq "$mode: it is deleted" ok \
		"$({ echo $ID >"$NVS_SIM_BUS/del_device"; } 2>&1 && echo ok)"
done

ktap_finished
