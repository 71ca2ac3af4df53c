#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz: malformed writes to the simulator's sysfs files (new_device,
# del_device) and to its debugfs files, as root and as an unprivileged
# user (tests/fuzz/sysfs_fuzz.py).  Every malformed write must be refused
# and change nothing, without a kernel splat; afterwards a new device
# carries pings.
#
# NVS_FUZZ_SEED=N (or nvs_fuzz_seed) replays a run; NVS_STRESS_SCALE
# scales the 300 random mutations per target (percent, default 100).
# timeout: 900

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
SEED=${NVS_FUZZ_SEED:-${nvs_fuzz_seed:-$((RANDOM * 32768 + RANDOM))}}
COUNT=$((300 * SCALE / 100))
[ "$COUNT" -ge 10 ] || COUNT=10
FUZZ=$NETVSC_DIR/tests/fuzz/sysfs_fuzz.py
# The kernel log patterns the runner fails a test on: the simulator
# echoes rejected input to the log, so the fuzzer must not send them.
SPLAT_RE=$(sed -n "s/^SPLAT_RE='\(.*\)'\$/\1/p" "$NETVSC_DIR/tests/kselftest/run.sh")

nvs_require_modules
ktap_plan 5

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
# A device (left down: its debugfs values must not move by themselves).
check "a device to fuzz the debugfs files of" sim_new 60 00:15:5d:00:60:01

# run_fuzz DESC ARGS...
run_fuzz() {
	local desc=$1 out rc

	shift
	out=$(python3 "$FUZZ" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep '^# ' | tail -n 25
	if [ $rc -eq 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "exit status $rc; replay with NVS_FUZZ_SEED=$SEED" \
			"$(printf '%s\n' "$out" | grep -v '^# ' | tail -n 20)"
	fi
}

ktap_diag "seed $SEED (replay with NVS_FUZZ_SEED=$SEED)"
run_fuzz "malformed sysfs and debugfs writes as root are refused" \
	--seed "$SEED" --count "$COUNT" --splat-re "$SPLAT_RE"
run_fuzz "sysfs and debugfs writes as uid 65534 are refused" --uid 65534

sim_del 60
if topo_setup 61 00:15:5d:00:61:01 && topo_ping 3; then
	ktap_ok "a new device after fuzzing: pings pass"
else
	ktap_fail "a new device after fuzzing: pings pass"
fi
check "unload" nvs_unload

ktap_finished
