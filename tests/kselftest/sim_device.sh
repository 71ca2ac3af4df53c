#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netvsc_sim devices: creation and deletion through
# /sys/bus/netvsc_sim/{new,del}_device, several devices at once, every
# kind of bad input (right errno, a log line, nothing created or deleted),
# and deletion of a device that is up, configured and passing traffic.
# timeout: 300

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

BUS=$NVS_SIM_BUS
MAC1=00:15:5d:00:11:01

ktap_plan 54
nvs_require_modules
if ! nvs_load; then
	ktap_fail "load netvsc and netvsc_sim" "insmod failed"
	ktap_finished
fi

# ------------------------------------------------------------------ helpers

# write_errmsg FILE STRING: write STRING to FILE; print "ok" if the write
# succeeded, else the shell's error text after "write error: ".
write_errmsg() {
	local out

	if out=$({ echo "$2" >"$1"; } 2>&1); then
		echo ok
		return 0
	fi
	case "$out" in
	*"write error: "*) echo "${out##*write error: }" ;;
	*) echo "unexpected error: $out" ;;
	esac
}

_mark_n=0
# kmsg_mark: put a unique line in the kernel log and remember it.
kmsg_mark() {
	_mark_n=$((_mark_n + 1))
	MARK="nvs-sim_device: mark $$.$_mark_n"
	echo "$MARK" >/dev/kmsg
}

# kmsg_since: kernel log lines after the last mark, without timestamps.
kmsg_since() {
	local line found=

	while IFS= read -r line; do
		[ -z "$found" ] || printf '%s\n' "$line"
		[ "$line" != "$MARK" ] || found=1
	done < <(dmesg -t)
}

# kmsg_has PREFIX TEXT: a line logged since the mark starts with PREFIX
# and contains TEXT.
kmsg_has() {
	local log line

	log=$(kmsg_since)
	while IFS= read -r line; do
		case "$line" in
		"$1"*"$2"*) return 0 ;;
		esac
	done <<<"$log"
	echo "no line starting with '$1' and containing '$2'; logged since the mark:"
	printf '%s\n' "${log:-<nothing>}"
	return 1
}

# What a bad request must leave unchanged: the bus devices, the
# netdevices and the debugfs directories.
snapshot() {
	local f=("$BUS"/devices/* /sys/class/net/* "$NVS_DEBUGFS"/*)

	printf '%s\n' "${f[@]}"
}

# unchanged BEFORE: the snapshot is still BEFORE.
unchanged() {
	local now

	now=$(snapshot)
	[ "$now" = "$1" ] && return 0
	echo "before:"
	printf '%s\n' "$1"
	echo "after:"
	printf '%s\n' "$now"
	return 1
}

# dev_ok ID MAC: device ID has one guest netdev with MAC under its bus
# directory, nvshID exists, and its debugfs directory exists.
dev_ok() {
	local id=$1 mac=$2 ifs addr

	[ -d "$BUS/devices/netvsc_sim$id" ] || { echo "no bus device"; return 1; }
	ifs=("$BUS/devices/netvsc_sim$id"/net/*)
	if [ ${#ifs[@]} != 1 ] || [ ! -e "${ifs[0]}" ]; then
		echo "netdevs under the bus device: '${ifs[*]}'"
		return 1
	fi
	read -r addr <"${ifs[0]}/address"
	[ "$addr" = "$mac" ] || { echo "${ifs[0]##*/} has MAC $addr"; return 1; }
	[ -d "/sys/class/net/nvsh$id" ] || { echo "no nvsh$id"; return 1; }
	[ -d "$(sim_dbg "$id")" ] || { echo "no debugfs dir"; return 1; }
}

# dev_gone ID IFNAME: nothing of device ID is left.
dev_gone() {
	local id=$1 ifname=$2

	[ ! -e "$BUS/devices/netvsc_sim$id" ] || { echo "bus device left"; return 1; }
	[ ! -e "/sys/class/net/$ifname" ] || { echo "$ifname left"; return 1; }
	[ ! -e "/sys/class/net/nvsh$id" ] || { echo "nvsh$id left"; return 1; }
	[ ! -e "$(sim_dbg "$id")" ] || { echo "debugfs dir left"; return 1; }
}

# ------------------------------------------------------------------ create/delete

base=$(snapshot)

check "create device 1" sim_new 1 "$MAC1"
if1=$(sim_ifname 1)
check "device 1: guest netdev under the bus device, nvsh1, debugfs" \
	dev_ok 1 "$MAC1"
check_eq "device 1: guest MAC is the one given" "$MAC1" \
	"$(cat "/sys/class/net/$if1/address" 2>/dev/null)"
check_eq "device 1: guest netdev is a netvsc_sim device on netvsc_sim1" \
	"netvsc_sim netvsc_sim1" \
	"$(ethtool -i "$if1" 2>/dev/null |
		awk '$1 == "driver:" { d = $2 } $1 == "bus-info:" { b = $2 }
		     END { print d, b }')"
check "delete device 1" sim_del 1
check "device 1: guest netdev, nvsh1, bus device and debugfs gone" \
	dev_gone 1 "$if1"
check "nothing left after the delete" unchanged "$base"
check "ID 1 can be used again" sim_new 1 "$MAC1"
check "device 1 again: complete" dev_ok 1 "$MAC1"
check "delete device 1 again" sim_del 1

# ------------------------------------------------------------------ several

declare -A macs=([0]=00:15:5d:00:22:00 [2]=00:15:5d:00:22:02
		 [3]=00:15:5d:00:22:03 [4294967295]=02:00:00:00:22:ff)
created=0
for id in 0 2 3 4294967295; do
	sim_new "$id" "${macs[$id]}" && created=$((created + 1))
done
check_eq "create devices 0, 2, 3, 4294967295" 4 "$created"
several_ok() {
	local id ifs=() bus=()

	for id in 0 2 3 4294967295; do
		dev_ok "$id" "${macs[$id]}" || { echo "(device $id)"; return 1; }
		ifs+=("$(sim_ifname "$id")")
	done
	bus=("$BUS"/devices/*)
	[ ${#bus[@]} = 4 ] || { echo "bus devices: ${bus[*]}"; return 1; }
	# four distinct guest netdevs
	[ "$(printf '%s\n' "${ifs[@]}" | sort -u | wc -l)" = 4 ] ||
		{ echo "guest netdevs: ${ifs[*]}"; return 1; }
}
check "four devices, each complete with its own MAC" several_ok
if2=$(sim_ifname 2)
check "delete device 2 of four" sim_del 2
others_ok() {
	dev_gone 2 "$if2" || return 1
	dev_ok 0 "${macs[0]}" && dev_ok 3 "${macs[3]}" &&
		dev_ok 4294967295 "${macs[4294967295]}"
}
check "device 2 gone, the other three intact" others_ok
dels=0
for id in 0 3 4294967295; do
	sim_del "$id" && dels=$((dels + 1))
done
check_eq "delete the other three" 3 "$dels"
check "nothing left after deleting them" unchanged "$base"

# ------------------------------------------------------------------ bad input

check "create device 5 (for the duplicate case)" sim_new 5 00:15:5d:00:55:05

# bad_write NAME FILE INPUT ERRNO_TEXT LOG_PREFIX LOG_TEXT: three results:
# the write fails with ERRNO_TEXT, a line starting with LOG_PREFIX and
# containing LOG_TEXT is logged, and nothing is created or deleted.
bad_write() {
	local name=$1 file=$2 input=$3 errno=$4 prefix=$5 text=$6 before

	before=$(snapshot)
	kmsg_mark
	check_eq "$name: write fails with '$errno'" "$errno" \
		"$(write_errmsg "$file" "$input")"
	check "$name: logs '$prefix ...$text...'" kmsg_has "$prefix" "$text"
	check "$name: nothing created or deleted" unchanged "$before"
}

NEWP="netvsc_sim: new_device:"
DELP="netvsc_sim: del_device:"
NEWFMT='expected "<id> <mac>"'
DELFMT='expected "<id>"'
EINVAL="Invalid argument"

bad_write "new_device missing ID" "$BUS/new_device" \
	"00:15:5d:00:66:06" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device missing MAC" "$BUS/new_device" \
	"6" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device malformed MAC" "$BUS/new_device" \
	"6 00:15:5d:0:66:06" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device trailing garbage" "$BUS/new_device" \
	"6 00:15:5d:00:66:06 x" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device multicast MAC" "$BUS/new_device" \
	"6 01:15:5d:00:66:06" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device zero MAC" "$BUS/new_device" \
	"6 00:00:00:00:00:00" "$EINVAL" "$NEWP" "$NEWFMT"
bad_write "new_device duplicate ID" "$BUS/new_device" \
	"5 00:15:5d:00:66:06" "File exists" "$NEWP" "device 5"
bad_write "del_device unknown ID" "$BUS/del_device" \
	"6" "No such file or directory" "$DELP" "device 6"
bad_write "del_device non-numeric ID" "$BUS/del_device" \
	"five" "$EINVAL" "$DELP" "$DELFMT"

check "device 5 still complete after the bad requests" \
	dev_ok 5 00:15:5d:00:55:05
check "delete device 5" sim_del 5

# ------------------------------------------------------------------ delete while busy

# Device 8: guest in netns A with an address, a VLAN, a route, a qdisc and
# static neighbours; its host end in netns B; ping and a TCP stream
# running while it is deleted.
NSA=nvs-simdev-a
NSB=nvs-simdev-b
MAC8=00:15:5d:00:88:08
GIP=10.88.0.1
HIP=10.88.0.2
PORT=5088

busy_setup() {
	local g h hmac

	ns_new "$NSA" && ns_new "$NSB" || return 1
	sim_new 8 "$MAC8" || return 1
	g=$(sim_ifname 8) || return 1
	h=$(sim_host_ifname 8)
	IF8=$g
	ip link set "$g" netns "$NSA" || return 1
	ip link set "$h" netns "$NSB" || return 1
	hmac=$(in_ns "$NSB" cat "/sys/class/net/$h/address")

	in_ns "$NSB" ip addr add "$HIP/24" dev "$h" &&
	in_ns "$NSB" ip link set "$h" up &&
	in_ns "$NSB" ip neigh replace "$GIP" lladdr "$MAC8" dev "$h" nud permanent &&
	in_ns "$NSB" ip link add link "$h" name "$h.10" type vlan id 10 &&
	in_ns "$NSB" ip addr add 10.88.10.2/24 dev "$h.10" &&
	in_ns "$NSB" ip link set "$h.10" up || return 1

	in_ns "$NSA" ip link set lo up &&
	in_ns "$NSA" ip addr add "$GIP/24" dev "$g" &&
	in_ns "$NSA" ip link set "$g" up &&
	in_ns "$NSA" ip neigh replace "$HIP" lladdr "$hmac" dev "$g" nud permanent &&
	in_ns "$NSA" ip route add 10.88.99.0/24 via "$HIP" dev "$g" &&
	in_ns "$NSA" tc qdisc replace dev "$g" root pfifo limit 500 &&
	in_ns "$NSA" ip link add link "$g" name "$g.10" type vlan id 10 &&
	in_ns "$NSA" ip addr add 10.88.10.1/24 dev "$g.10" &&
	in_ns "$NSA" ip link set "$g.10" up || return 1
	wait_for 20 carrier_up
}

carrier_up() {
	[ "$(in_ns "$NSA" cat "/sys/class/net/$IF8/carrier" 2>/dev/null)" = 1 ]
}

listening() {
	in_ns "$NSB" ss -Hltn "sport = :$PORT" | grep -q .
}

synth_tx() {
	in_ns "$NSA" ethtool -S "$IF8" | awk '$1 == "synth_tx_packets:" { print $2 }'
}

host_rx() {
	in_ns "$NSB" cat /sys/class/net/nvsh8/statistics/rx_packets
}

# Traffic flows: guest tx and host rx both at least 200 frames on.
flowing() {
	[ "$(synth_tx)" -ge $((TX0 + 200)) ] && [ "$(host_rx)" -ge $((RX0 + 200)) ]
}

pids=()
stop_bg() {
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
on_exit stop_bg

IF8=
if busy_setup; then
	ktap_ok "device 8 up in a netns with address, VLAN, route, qdisc"
else
	ktap_fail "device 8 up in a netns with address, VLAN, route, qdisc"
fi
check "device 8: ping over it works" \
	in_ns "$NSA" ping -c 2 -i 0.2 -W 5 "$HIP"
check "device 8: ping over its VLAN works" \
	in_ns "$NSA" ping -c 2 -i 0.2 -W 5 10.88.10.2

TX0=$(synth_tx)
RX0=$(host_rx)
# Run directly (not through in_ns, a function) so that $! is the process.
ip netns exec "$NSB" timeout 200 socat -u "TCP-LISTEN:$PORT,reuseaddr" \
	/dev/null >/dev/null 2>&1 &
pids+=($!)
wait_for 20 listening
ip netns exec "$NSA" timeout 200 socat -u /dev/zero "TCP:$HIP:$PORT" \
	>/dev/null 2>&1 &
pids+=($!)
ip netns exec "$NSA" timeout 200 ping -q -i 0.02 "$HIP" >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$NSA" timeout 200 ping -q -i 0.02 10.88.10.2 >/dev/null 2>&1 &
pids+=($!)
check "traffic flowing over device 8 before the delete" wait_for 60 flowing

kmsg_mark
check "delete device 8 while it is up and busy" sim_del 8
busy_gone() {
	dev_gone 8 "$IF8" || return 1
	! in_ns "$NSA" ip link show dev "$IF8" >/dev/null 2>&1 ||
		{ echo "$IF8 still in $NSA"; return 1; }
	! in_ns "$NSA" ip link show dev "$IF8.10" >/dev/null 2>&1 ||
		{ echo "$IF8.10 still in $NSA"; return 1; }
	! in_ns "$NSB" ip link show dev nvsh8 >/dev/null 2>&1 ||
		{ echo "nvsh8 still in $NSB"; return 1; }
	! in_ns "$NSB" ip link show dev nvsh8.10 >/dev/null 2>&1 ||
		{ echo "nvsh8.10 still in $NSB"; return 1; }
	! in_ns "$NSA" ip route show | grep -q 10.88. ||
		{ echo "routes left in $NSA:"; in_ns "$NSA" ip route show; return 1; }
}
check "device 8: guest, VLAN, host end, routes all gone" busy_gone
no_splat() {
	! kmsg_since | grep -E 'WARNING:|BUG:|refcount_t:|unregister_netdevice: waiting|Oops'
}
check "no kernel warning while deleting device 8" no_splat
stop_bg
check "nothing left after the busy delete" unchanged "$base"

ktap_finished
