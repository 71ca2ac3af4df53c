#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: the VF.  The host's VF association message reaches the
# guest; a VF with the synthetic device's MAC address joins (veth has no
# PCI slot, so this is the MAC fall-back of the serial match), and the
# data path switches travel as NVSP switch messages whose completions
# the host answers: the host's datapath is vf while the VF is joined and
# synthetic after it leaves.  A switch the host does not make is
# reported by the guest.
# timeout: 300

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

ktap_plan 13
nvs_require_modules
proto_mode

if nvs_load; then
	ktap_ok "modules load"
else
	ktap_fail "modules load"
fi
if topo_setup; then
	ktap_ok "protocol-mode topology"
else
	ktap_fail "protocol-mode topology"
fi
ID=$TOPO_ID

klog_mark
proto_set "$ID" vf_serial 4242
proto_set "$ID" vf_allocated 1
check "guest got the VF association" \
	wait_for 10 klog_has "host associated the VF with serial 4242"

sw0=$(proto_get "$ID" switches)
check "add a VF with the same MAC" topo_vf_add
check "host switched to the VF" wait_for 20 topo_joined
check "a switch completed on the host" test "$(proto_get "$ID" switches)" -gt "$sw0"
check_eq "the VF is enslaved" "$TOPO_DEV" "$(topo_vf_master)"
check "ping over the VF" topo_ping 3

check "remove the VF" topo_vf_del
check "host switched back to synthetic" wait_for 20 topo_synthetic
check "ping over the synthetic path" topo_ping 3

klog_mark
proto_set "$ID" vf_allocated 0
proto_set "$ID" fail_switch 1
topo_vf_add
check "a refused switch is reported by the guest" \
	wait_for 20 klog_has "host did not switch the data path"
check_eq "the host stayed on the synthetic path" synthetic "$(topo_datapath)"
ktap_finished
