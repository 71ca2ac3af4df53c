#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VF join, leave, rejoin and release, as the topology of topo.sh sees it:
#
#  - the join: the VF takes the synthetic MTU, its promiscuity and
#    multicast list, is brought up because the synthetic device is up,
#    then the data path switches to it (datapath_switches counts it);
#  - the leave when the VF goes down: data path synthetic, all of the
#    join undone (MTU restored), the VF still claimed; it rejoins when up;
#  - the synthetic device going down takes the VF down, coming up brings
#    it up and rejoins;
#  - the release when the VF is deleted or its MAC changes; a second
#    candidate is claimed once the first VF is gone; a VF whose MAC the
#    user changed is not claimed back until its MAC matches again;
#  - the synthetic MAC cannot change while it has a VF, and can without;
#  - vf_join_delay_ms: a VF claimed under a long delay does not join
#    until a new join is scheduled under a short one.
#
# timeout: 900

# Helpers run through check and wait_for:
# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

SYNTH_MTU=1400			# the synthetic device's MTU; veth's is 1500
MC_ADDR=33:33:00:00:00:42	# a multicast address of the synthetic device
MAC_NEW=00:15:5d:00:00:99	# another MAC for the synthetic device
DELAY_PARAM=/sys/module/netvsc/parameters/vf_join_delay_ms

# ------------------------------------------------------------------ helpers

promiscuity() { link_field "$TOPO_G" "$1" promiscuity; }

has_maddr() {
	in_g ip maddr show dev "$1" | grep -qw "$2"
}

switches() { topo_stat datapath_switches; }

# claimed_waiting DEV: DEV is claimed (master, SLAVE) and the data path
# is synthetic.
claimed_waiting() {
	master_is "$TOPO_G" "$1" "$TOPO_DEV" || { echo "$1 is not claimed"; return 1; }
	has_flag "$TOPO_G" "$1" SLAVE || { echo "$1 has no SLAVE flag"; return 1; }
	topo_synthetic || { echo "data path is $(topo_datapath)"; return 1; }
}

is_up() { has_flag "$TOPO_G" "$1" UP; }
is_down() { ! has_flag "$TOPO_G" "$1" UP; }

# joined_with_mtu DEV MTU: DEV is the joined VF and has MTU.
joined_with_mtu() {
	still_vf "$1" && mtu_is "$TOPO_G" "$1" "$2"
}

# ------------------------------------------------------------------ tests

nvs_require_modules
ktap_plan 50

nvs_load || ktap_diag "nvs_load failed"
if topo_setup "$TOPO_ID" "$TOPO_MAC" &&
   in_g ip link set "$TOPO_DEV" mtu "$SYNTH_MTU" &&
   in_g ip link set "$TOPO_DEV" promisc on &&
   in_g ip maddr add "$MC_ADDR" dev "$TOPO_DEV"; then
	ktap_ok "topology; synthetic MTU $SYNTH_MTU, promisc, multicast $MC_ADDR"
else
	ktap_fail "topology; synthetic MTU $SYNTH_MTU, promisc, multicast $MC_ADDR"
fi
S=$TOPO_DEV

# --- claim and join
sw0=$(switches)
log_mark join
topo_vf_add vf0
check "VF is claimed" wait_for 20 master_is "$TOPO_G" vf0 "$S"
check "join: data path is the VF" wait_for 30 topo_joined
check_log "join: log says joined" ": joined VF vf0"
check_log "join: log says the data path is the VF" ": data path is VF vf0"
check_eq "join: VF MTU set to the synthetic MTU" "$SYNTH_MTU" "$(dev_mtu "$TOPO_G" vf0)"
check "join: VF brought up because the synthetic device is up" is_up vf0
check_eq "join: datapath_switches counted one switch" $((sw0 + 1)) "$(switches)"
check_eq "join: synthetic promisc mirrored to the VF" 1 "$(promiscuity vf0)"
check "join: synthetic multicast list synced to the VF" has_maddr vf0 "$MC_ADDR"

# --- leave: the VF goes down
log_mark vf-down
in_g ip link set vf0 down
check "VF down: data path back to synthetic" wait_for 20 topo_synthetic
check_log "VF down: log says the VF left" ": VF vf0 left"
check "VF down: VF still claimed, waiting" claimed_waiting vf0
check_eq "VF down: VF MTU restored" 1500 "$(dev_mtu "$TOPO_G" vf0)"
check_eq "VF down: promisc undone" 0 "$(promiscuity vf0)"
check "VF down: multicast address unsynced" sh -c "! ip -n $TOPO_G maddr show dev vf0 | grep -qw $MC_ADDR"
check_eq "VF down: datapath_switches counted the switch back" $((sw0 + 2)) "$(switches)"

# --- rejoin: the VF comes up again
in_g ip link set vf0 up
check "VF up again: rejoins with the synthetic MTU" wait_for 30 joined_with_mtu vf0 "$SYNTH_MTU"
check_eq "VF up again: promisc mirrored again" 1 "$(promiscuity vf0)"

# --- the synthetic device goes down and up
in_g ip link set "$S" down
check "synthetic down: VF brought down" wait_for 20 is_down vf0
check "synthetic down: data path synthetic" wait_for 20 topo_synthetic
check "synthetic down: VF still claimed" master_is "$TOPO_G" vf0 "$S"
in_g ip link set "$S" up
check "synthetic up: VF brought up" wait_for 20 is_up vf0
check "synthetic up: VF rejoins" wait_for 30 joined_with_mtu vf0 "$SYNTH_MTU"

# --- release: the VF is deleted, then added again
log_mark vf-del
topo_vf_del vf0
check "VF deleted: data path synthetic" wait_for 20 topo_synthetic
check_log "VF deleted: log says released" ": VF vf0 released"
check "VF deleted: synthetic device has no lower device" wait_for 20 no_vf "$TOPO_G" "$S"
topo_vf_add vf0
check "VF added again: claimed and joined" wait_for 30 joined_with_mtu vf0 "$SYNTH_MTU"

# --- a second candidate takes over when the first VF goes away
log_mark vf1
topo_vf_add vf1
check_log "second candidate refused while vf0 is the VF" \
	"vf1 has our MAC but vf0 is already our VF; ignoring it"
check "second candidate has no master" unowned "$TOPO_G" vf1
topo_vf_del vf0
check "first VF deleted: second candidate claimed" wait_for 20 master_is "$TOPO_G" vf1 "$S"
check "second candidate joins" wait_for 30 joined_with_mtu vf1 "$SYNTH_MTU"

# --- the VF's MAC changes: released, and not claimed back
log_mark vf-mac
in_g ip link set vf1 address 02:00:00:00:01:01
check "VF MAC changed: released (no master, no SLAVE flag)" wait_for 20 unowned "$TOPO_G" vf1
check_log "VF MAC changed: log says released" ": VF vf1 released"
check "VF MAC changed: data path synthetic" wait_for 20 topo_synthetic
check_eq "VF MAC changed: VF MTU restored" 1500 "$(dev_mtu "$TOPO_G" vf1)"
in_g ip link set vf1 down
in_g ip link set vf1 up
if wait_for 3 master_is "$TOPO_G" vf1 "$S"; then
	ktap_fail "VF MAC changed: not claimed back after down/up" \
		"$(in_g ip link show dev vf1)"
else
	check "VF MAC changed: not claimed back after down/up" unowned "$TOPO_G" vf1
fi
log_mark vf-mac-back
in_g ip link set vf1 address "$TOPO_MAC"
check "VF MAC changed back: claimed again" wait_for 20 master_is "$TOPO_G" vf1 "$S"
check "VF MAC changed back: joined" wait_for 30 joined_with_mtu vf1 "$SYNTH_MTU"

# --- the synthetic MAC cannot change while there is a VF
err=$(in_g ip link set "$S" address "$MAC_NEW" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	ktap_ok "synthetic MAC change refused while it has a VF"
else
	ktap_fail "synthetic MAC change refused while it has a VF" "ip link set address succeeded"
fi
case "$err" in
*"cannot change the MAC address of a device with a VF"*)
	ktap_ok "refusal carries the extack message" ;;
*)
	ktap_fail "refusal carries the extack message" "ip said: $err" ;;
esac
check_eq "synthetic MAC unchanged" "$TOPO_MAC" "$(in_g cat "/sys/class/net/$S/address")"

# ... and can without one; a VF with the new MAC is claimed then
topo_vf_del vf1
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"
topo_vf_add vfn "$MAC_NEW"
check "veth with another MAC is not claimed" unowned "$TOPO_G" vfn
if in_g ip link set "$S" address "$MAC_NEW"; then
	ktap_ok "synthetic MAC change accepted without a VF"
else
	ktap_fail "synthetic MAC change accepted without a VF"
fi
check "veth with the new synthetic MAC is claimed" wait_for 20 master_is "$TOPO_G" vfn "$S"
check "veth with the new synthetic MAC joins" wait_for 30 still_vf vfn

topo_vf_del vfn
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"
in_g ip link set "$S" address "$TOPO_MAC" || ktap_diag "cannot restore the synthetic MAC"

# --- vf_join_delay_ms
delay0=$(cat "$DELAY_PARAM")
on_exit sh -c "[ ! -w $DELAY_PARAM ] || echo $delay0 >$DELAY_PARAM"
echo 600000 >"$DELAY_PARAM"
topo_vf_add vf0
check "join delay 600000 ms: VF claimed" wait_for 20 master_is "$TOPO_G" vf0 "$S"
# Bounded wait for what must not happen: the default delay (100 ms) would
# have joined the VF well within it.
if wait_for 3 topo_joined; then
	ktap_fail "join delay 600000 ms: VF does not join" "data path is $(topo_datapath)"
else
	check "join delay 600000 ms: VF does not join" claimed_waiting vf0
fi
check_eq "join delay 600000 ms: VF MTU untouched" 1500 "$(dev_mtu "$TOPO_G" vf0)"
echo 10 >"$DELAY_PARAM"
in_g ip link set vf0 down
in_g ip link set vf0 up
check "join delay lowered, VF down/up: VF joins" wait_for 30 joined_with_mtu vf0 "$SYNTH_MTU"

ktap_finished
