#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which devices may become the VF (Documentation/networking/netvsc.rst,
# "Which device becomes the VF"): only a PCI function, unless root sets
# vf_trust_nonpci (for testing); never one taken out of a namespace that
# a user namespace other than the initial one owns.
#
# Bad input, each of which claims nothing, moves nothing and leaves no
# flag (the device keeps no master and no IFF_SLAVE, the synthetic device
# gets no lower device):
#  - an unprivileged user's veth with the synthetic MAC, in the user's own
#    user and network namespaces: refused, and with vf_trust_nonpci set
#    still not taken out of that namespace;
#  - a dummy device with the MAC;
#  - a macsec device on the synthetic device (it can be created, with and
#    without vf_trust_nonpci);
#  - a bridge, a bond and a team given the MAC (with vf_trust_nonpci set,
#    so that only their kind refuses them);
#  - a flood of such veths by that user logs at most the rate limit.
# And the opt-in itself: off by default, root alone can set it, it says
# so in the log; a veth in init_net is refused without it and joins with
# it; vflist lists the VFs of the reader's netns only.
#
# The VFs here are veths and dummies: what is tested is that a device a
# user can make is refused, which needs no PCI device.
#
# timeout: 300

# Helpers run through check and wait_for:
# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

MAC=00:15:5d:00:13:01
MAC_X=00:15:5d:00:13:02		# the synthetic device in netns NS_X
NS_X=nvs_x
PARAM=/sys/module/netvsc/parameters/vf_trust_nonpci
FLOOD=30
DEV=

# ------------------------------------------------------------------ helpers

# untouched NS NAME: NAME is still in NS, with no master and no IFF_SLAVE,
# and the synthetic device has no VF (prints why not).
untouched() {
	unowned "$1" "$2" || return 1
	no_vf "" "$DEV"
}

# The user's namespaces: a process of nobody's, kept alive by sleep.
USER_PID=

user_ns_start() {
	# shellcheck disable=SC2016  # expanded by the user's shell
	"${NVS_NOBODY[@]}" unshare -rn sh -c '
		ip link add name va type veth peer name vb &&
		ip link set va address "$1" && ip link set va up &&
		ip link set vb up && exec sleep 600' sh "$MAC" </dev/null &
	USER_PID=$!
	on_exit user_ns_stop
	wait_for 20 user_ns_ready
}

user_ns_ready() {
	[ -n "$(in_user ip -o link show dev vb up 2>/dev/null)" ]
}

user_ns_stop() {
	[ -n "$USER_PID" ] || return 0
	kill "$USER_PID" 2>/dev/null
	wait "$USER_PID" 2>/dev/null
	USER_PID=
}

in_user() {
	nsenter -t "$USER_PID" -n "$@"
}

# (ip, not sysfs: nsenter does not remount /sys for the user's netns.)
user_untouched() {
	local f

	f=$(in_user ip -o link show dev va) || { echo "va left the user's netns"; return 1; }
	[[ $f != *SLAVE* && $f != *master* ]] || { echo "va: $f"; return 1; }
	no_vf "" "$DEV"
}

trust() {
	nvs_trust_nonpci "$1" && [ "$(cat "$PARAM")" = "$1" ]
}

# mod_or_skip MODULE [PARAMS...]: MODULE is loaded (and unloaded at exit
# if loaded here).
mod_or_skip() {
	[ ! -d "/sys/module/$1" ] || return 0
	modprobe "$@" 2>/dev/null || return 1
	on_exit modprobe -r "$1"
}

# ------------------------------------------------------------------ tests

nvs_require_modules
ktap_plan 23

# The default, not the tests' opt-in.
NVS_VETH_PARAMS=()
nvs_load || ktap_diag "nvs_load failed"
check_eq "vf_trust_nonpci is N by default, mode 0644" "N 644" \
	"$(cat "$PARAM" 2>&1) $(stat -c %a "$PARAM" 2>&1)"

nobody_write() {
	! "${NVS_NOBODY[@]}" sh -c "echo Y >$PARAM" 2>/dev/null &&
		[ "$(cat "$PARAM")" = N ]
}
check "nobody cannot set vf_trust_nonpci" nobody_write

sim_new 0 "$MAC" || ktap_diag "sim_new failed"
DEV=$(sim_ifname 0)
ip link set "$DEV" up
ip link set nvsh0 up
log_mark start

# --- the unprivileged user's veth, as in the issue
if user_ns_start; then
	check "user-namespace veth: not taken" user_untouched
	check_log "user-namespace veth: the log says it is not PCI" \
		"va has our MAC but it is not a PCI device; not taking it"
else
	ktap_fail "user-namespace veth: not taken" "nobody cannot unshare -rn"
	ktap_fail "user-namespace veth: the log says it is not PCI"
fi
user_ns_stop

log_mark trust-on
check "root sets vf_trust_nonpci" trust Y
check_log "the log says vf_trust_nonpci is for testing" \
	"vf_trust_nonpci is set: devices without a PCI parent (veth, dummy) may become VFs; this is for testing only"
if user_ns_start; then
	check "vf_trust_nonpci: the user-namespace veth stays in its namespace" \
		user_untouched
	check_log "the log says its namespace belongs to another user namespace" \
		"va has our MAC but its network namespace belongs to another user namespace"
else
	ktap_fail "vf_trust_nonpci: the user-namespace veth stays in its namespace" \
		"nobody cannot unshare -rn"
	ktap_fail "the log says its namespace belongs to another user namespace"
fi
user_ns_stop
trust N

# --- a dummy device with the MAC
if mod_or_skip dummy numdummies=0; then
	ip link add td0 address "$MAC" type dummy && ip link set td0 up
	check "dummy with the MAC: not taken" untouched "" td0
	ip link del td0
else
	ktap_skip "dummy with the MAC: not taken" "no dummy module"
fi

# --- macsec on the synthetic device: creatable, not taken
macsec_on() {
	local out

	out=$(ip link add link "$DEV" name tm0 type macsec 2>&1) || { echo "$out"; return 1; }
	untouched "" tm0 || return 1
	ip link del tm0
}
if mod_or_skip macsec; then
	check "macsec on the synthetic device can be created" macsec_on
	trust Y
	check "macsec with vf_trust_nonpci: can be created" macsec_on
	trust N
else
	ktap_skip "macsec on the synthetic device can be created" "no macsec module"
	ktap_skip "macsec with vf_trust_nonpci: can be created" "no macsec module"
fi

# --- masters given the MAC, with vf_trust_nonpci: refused for their kind
trust Y
master_given_mac() {
	local kind=$1 name=$2 rc

	ip link add "$name" type "$kind" || return 1
	ip link set "$name" address "$MAC" && ip link set "$name" up &&
		untouched "" "$name"
	rc=$?
	ip link del "$name"
	return "$rc"
}
mod_or_skip bridge
check "bridge given the MAC: not taken" master_given_mac bridge tbr0
if mod_or_skip bonding max_bonds=0; then
	check "bond given the MAC: not taken" master_given_mac bond tbo0
else
	ktap_skip "bond given the MAC: not taken" "no bonding module"
fi
if mod_or_skip team; then
	check "team given the MAC: not taken" master_given_mac team tte0
else
	ktap_skip "team given the MAC: not taken" "no team module"
fi
trust N

# --- the opt-in works: a veth in init_net
ip link add tv0 address "$MAC" type veth peer name tv0p
ip link set tv0p up
ip link set tv0 up
check "veth in init_net without vf_trust_nonpci: not taken" untouched "" tv0
trust Y
# An event of the device's own makes netvsc look at it again.
ip link set tv0 down
ip link set tv0 up
check "veth in init_net with vf_trust_nonpci: claimed" \
	wait_for 20 master_is "" tv0 "$DEV"
check "... and joins" wait_for 30 datapath_is 0 vf

# --- vflist: the VFs in init_net, not another namespace's
vflist() {
	cat /sys/module/netvsc/parameters/vflist
}
check_eq "vflist lists the VF in init_net" tv0 "$(vflist)"
x_joined() {
	master_is "$NS_X" tx0 "$(sim_ifname_in "$NS_X" 1)" && datapath_is 1 vf
}
if ns_new "$NS_X" && sim_new_in "$NS_X" 1 "$MAC_X" &&
	ip -n "$NS_X" link set "$(sim_ifname_in "$NS_X" 1)" up &&
	ip -n "$NS_X" link set nvsh1 up &&
	ip -n "$NS_X" link add tx0 address "$MAC_X" type veth peer name tx0p &&
	ip -n "$NS_X" link set tx0p up && ip -n "$NS_X" link set tx0 up &&
	wait_for 30 x_joined; then
	check_eq "vflist does not list the VF in another netns" tv0 "$(vflist)"
	check_eq "vflist read in that netns lists its VF alone" tx0 \
		"$(in_ns "$NS_X" cat /sys/module/netvsc/parameters/vflist)"
else
	ktap_fail "vflist does not list the VF in another netns" \
		"the VF in $NS_X did not join"
	ktap_fail "vflist read in that netns lists its VF alone"
fi
trust N

# --- a flood of user-namespace veths logs at most the rate limit
flood() {
	local i cmds=

	for ((i = 0; i < FLOOD; i++)); do
		cmds+="link add fa$i address $MAC type veth peer name fb$i"$'\n'
	done
	# shellcheck disable=SC2016  # expanded by the user's shell
	"${NVS_NOBODY[@]}" unshare -rn sh -c \
		'printf "%s" "$1" | ip -batch - && ip -o link show | grep -c " fa[0-9]*@"' \
		sh "$cmds"
}
log_mark flood
n=$(flood 2>&1)
check_eq "$FLOOD user-namespace veths made" "$FLOOD" "$n"
lines=$(log_since | grep -c "has our MAC")
if [ "$lines" -le 20 ]; then
	ktap_ok "the flood logged $lines lines about them (at most 20)"
else
	ktap_fail "the flood logged at most 20 lines about them" "it logged $lines"
fi
check "after the flood the synthetic device's VF is still tv0" \
	test "$(lowers "" "$DEV")" = tv0

ktap_finished
