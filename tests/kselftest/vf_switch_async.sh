#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A data path switch to the VF completes when the host answers, not under
# RTNL in the notifier.  The simulated host answers 8 s late
# (switch_delay_ms; the driver gives up after 10 s).  While a switch to
# the VF waits for its answer:
# - the VF losing its link abandons it: the data path stays synthetic, no
#   switch is counted, the host is sent back to synthetic and the late
#   answer is ignored; with the link back the switch is made again;
# - the VF going away abandons it the same way;
# - the synthetic device going away cancels it (KASAN and the runner's
#   kernel log check would see a work item outliving it).
# Each case starts the instant the host has the request, and must be done
# before the 8 s are over: one ip command.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

DELAY_MS=8000

nvs_require_modules
ktap_plan 11

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

if topo_setup && quiet_ipv6; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi
peer=${TOPO_VF}p
echo $DELAY_MS >"$(sim_dbg "$TOPO_ID")/switch_delay_ms"

requests() {
	cat "$(sim_dbg "$TOPO_ID")/switch_requests"
}

asked() {
	[ "$(requests)" -gt "$before" ]
}

# switched N PATH: N switches counted, and the host's last switch is PATH.
switched() {
	[ "$(topo_stat datapath_switches)" = "$1" ] && [ "$(topo_datapath)" = "$2" ]
}

# ------------------------------------------------------- VF link lost

log_mark "link lost"
before=$(requests)
topo_vf_add
wait_for 30 asked
in_h ip link set "$peer" down
check "the VF lost its link before the host answered: no switch, the host back on synthetic" \
	wait_for 30 switched 0 synthetic
check_eq "nothing says the data path was the VF" 0 \
	"$(log_since | grep -c "data path is VF $TOPO_VF")"
in_h ip link set "$peer" up
check "the link back: the switch is made again" wait_for 30 switched 1 vf

# ------------------------------------------------------- VF removed

in_h ip link set "$peer" down
check "link lost once the switch is done: back to synthetic" \
	wait_for 30 switched 2 synthetic
log_mark "VF removed"
before=$(requests)
in_h ip link set "$peer" up
wait_for 30 asked
in_g ip link del "$TOPO_VF"
check "the VF removed before the host answered: no switch, host on synthetic, no VF" \
	wait_for 30 eval 'switched 2 synthetic && [ -z "$(topo_vf_master)" ] && ! in_g ip link show "$TOPO_VF"'
check_eq "nothing says the data path was the VF" 0 \
	"$(log_since | grep -c "data path is VF $TOPO_VF")"

# ------------------------------------------------------- device removed

topo_vf_add
check "a VF joins again" wait_for 30 switched 3 vf
in_h ip link set "$peer" down
check "and back to synthetic" wait_for 30 switched 4 synthetic
before=$(requests)
in_h ip link set "$peer" up
wait_for 30 asked
sim_del "$TOPO_ID"
check "the device removed before the host answered is gone" \
	wait_for 10 eval '! in_g ip link show "$TOPO_DEV"'
check "the VF is let go" wait_for 10 eval '[ -z "$(topo_vf_master)" ]'

ktap_finished
