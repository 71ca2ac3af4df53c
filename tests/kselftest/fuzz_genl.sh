#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz: random and mutated generic netlink messages to the netvsc family
# (tests/fuzz/genl_fuzz.c), aimed at a synthetic device with a joined VF:
# 100,000 as root, then 20,000 as an unprivileged user (who must never
# get a DEV_SET through).  Every message must be answered cleanly (the
# runner fails the test on any kernel splat); afterwards the family still
# answers, a new device can be made and pings pass through it.
#
# The seed is printed; NVS_FUZZ_SEED=N (or nvs_fuzz_seed on the VM's
# kernel command line) replays a run.  NVS_STRESS_SCALE scales the
# message counts (percent, default 100; also nvs_stress_scale),
# NVS_STRESS_BUDGET_S bounds each fuzz run (default 600 s).
# timeout: 1800

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
BUDGET=${NVS_STRESS_BUDGET_S:-${nvs_stress_budget_s:-600}}
SEED=${NVS_FUZZ_SEED:-${nvs_fuzz_seed:-$((RANDOM * 32768 + RANDOM))}}
N_ROOT=$((100000 * SCALE / 100))
N_USER=$((20000 * SCALE / 100))
NOBODY=65534
SRC=$NETVSC_DIR/tests/fuzz/genl_fuzz.c

nvs_require_modules
ktap_plan 7

FUZZ=$PWD/genl_fuzz
if ! command -v cc >/dev/null; then
	ktap_diag "SKIP: no C compiler to build $SRC"
	exit 4
fi
if ! out=$(cc -O2 -Wall -o "$FUZZ" "$SRC" 2>&1); then
	ktap_fail "build the fuzzer" "$out"
	ktap_finished
fi
ktap_ok "build the fuzzer"

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
if topo_setup && topo_vf_add && wait_for 30 topo_joined; then
	ktap_ok "a synthetic device with a joined VF"
else
	ktap_fail "a synthetic device with a joined VF"
	ktap_finished
fi
IFINDEX=$(in_g cat "/sys/class/net/$TOPO_DEV/ifindex")

# fuzz DESC ARGS...: run the fuzzer in the guest netns; its "# " lines
# become our diagnostics.
fuzz() {
	local desc=$1 out rc

	shift
	out=$(in_g "$FUZZ" -i "$IFINDEX" -t "$BUDGET" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep '^# ' | tail -n 12
	if [ $rc -eq 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "exit status $rc; replay with NVS_FUZZ_SEED=$SEED"
	fi
}

ktap_diag "seed $SEED (replay with NVS_FUZZ_SEED=$SEED)"
fuzz "$N_ROOT messages as root" -n "$N_ROOT" -s "$SEED"
fuzz "$N_USER messages as uid $NOBODY" -n "$N_USER" -s "$((SEED + 1))" -u "$NOBODY"

# The pair still works: the data path follows the VF, pings pass.
if wait_for 30 topo_joined && topo_ping 3; then
	ktap_ok "after fuzzing the VF is joined and pings pass"
else
	ktap_fail "after fuzzing the VF is joined and pings pass" \
		"datapath: $(topo_datapath)"
fi

# A new device, in new namespaces, carries traffic.
sim_del "$TOPO_ID"
ip netns delete "$TOPO_G"
ip netns delete "$TOPO_H"
_nvs_netns=()
if topo_setup 1 00:15:5d:00:00:11 && topo_ping 3; then
	ktap_ok "a new device after fuzzing: pings pass"
else
	ktap_fail "a new device after fuzzing: pings pass"
fi
check "unload" nvs_unload

ktap_finished
