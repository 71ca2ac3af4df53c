#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress: namespaces and teardown while a VF is joined.
#   - the synthetic device deleted (del_device) while its VF is joined:
#     the VF is released and stays usable;
#   - the synthetic device's netns destroyed while its VF is joined: the
#     VF (a veth) goes with the netns, the synthetic device comes back to
#     the initial netns, unpaired, and can be deleted;
#   - a VF moved between two namespaces repeatedly: it leaves when it
#     goes, and joins again when it comes back.
#
# Bounded: NVS_STRESS_SCALE (percent of 10 teardown rounds and 100 VF
# moves, default 100; also nvs_stress_scale), NVS_STRESS_BUDGET_S
# (default 600 s for each part).
# timeout: 1500

# Functions run through check and wait_for.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
BUDGET=${NVS_STRESS_BUDGET_S:-${nvs_stress_budget_s:-600}}
ROUNDS=$((10 * SCALE / 100))
[ "$ROUNDS" -ge 2 ] || ROUNDS=2
MOVES=$((100 * SCALE / 100))
[ "$MOVES" -ge 4 ] || MOVES=4
ID=50
MAC=00:15:5d:00:02:01

nvs_require_modules
ktap_plan 8

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
mkfifo "$WORK/tick"
exec {tick}<>"$WORK/tick"
nap() {
	read -r -t "$1" -u "$tick" _ || :
}

# dp_is WANT TIMEOUT_S: the simulated host's data path, polled without
# a fork.
dp_is() {
	local want=$1 end=$((SECONDS + $2)) dp f

	f=$(sim_dbg "$ID")/datapath
	while :; do
		read -r dp <"$f" 2>/dev/null || dp=
		[ "$dp" != "$want" ] || return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		nap 0.02
	done
}

# pair NS: sim device $ID in NS, up, with a veth VF "svf" (peer "svfp")
# in NS; wait for the join.  Prints the synthetic device's name.
pair() {
	local ns=$1 dev

	sim_new "$ID" "$MAC" || return 1
	dev=$(sim_ifname "$ID") || return 1
	printf '%s\n' "link set dev $(sim_host_ifname "$ID") up" \
		"link set dev $dev netns $ns" | ip -batch - || return 1
	printf '%s\n' "link set dev $dev up" \
		"link add svf address $MAC type veth peer name svfp" \
		"link set dev svfp up" | ip -n "$ns" -batch - || return 1
	dp_is vf 30 || return 1
	echo "$dev"
}

vf_free() {
	! ip -n "$1" -o link show svf | grep -q master
}

# ------------------------------------------------ delete while joined

t0=$SECONDS
fail=
n=0
for ((r = 1; r <= ROUNDS; r++)); do
	[ $((SECONDS - t0)) -lt "$BUDGET" ] || break
	ns_new nvs_sd || { fail="round $r: netns"; break; }
	if ! dev=$(pair nvs_sd); then
		fail="round $r: the VF did not join"
		break
	fi
	if ! sim_del "$ID"; then
		fail="round $r: del_device failed"
		break
	fi
	if ip -n nvs_sd link show "$dev" >/dev/null 2>&1; then
		fail="round $r: $dev still exists after del_device"
		break
	fi
	if ! wait_for 10 vf_free nvs_sd ||
	   ! ip -n nvs_sd link set svf up; then
		fail="round $r: the VF was not released: $(ip -n nvs_sd -o link show svf 2>&1)"
		break
	fi
	ip netns delete nvs_sd
	_nvs_netns=()
	n=$r
done
ktap_diag "$n of $ROUNDS delete-while-joined rounds in $((SECONDS - t0))s"
if [ -z "$fail" ]; then
	ktap_ok "the synthetic device deleted while its VF is joined"
else
	ktap_fail "the synthetic device deleted while its VF is joined" "$fail"
	sim_del "$ID" 2>/dev/null
	ip netns delete nvs_sd 2>/dev/null
	_nvs_netns=()
fi

# ------------------------------------------------ netns destroyed while joined

t0=$SECONDS
fail=
n=0
for ((r = 1; r <= ROUNDS; r++)); do
	[ $((SECONDS - t0)) -lt "$BUDGET" ] || break
	ns_new nvs_nd || { fail="round $r: netns"; break; }
	if ! dev=$(pair nvs_nd); then
		fail="round $r: the VF did not join"
		break
	fi
	ip netns delete nvs_nd
	_nvs_netns=()
	# The netns goes away in a work item: the device comes back under
	# its own name or a new one (it no longer shows up in sysfs as
	# netvsc_sim$ID/net while it is in another netns).
	if ! wait_for 60 sim_ifname "$ID"; then
		fail="round $r: the synthetic device did not come back to the initial netns"
		break
	fi
	dev=$(sim_ifname "$ID")
	if ! dp_is synthetic 10; then
		fail="round $r: data path $(cat "$(sim_dbg "$ID")/datapath") after its VF went with the netns"
		break
	fi
	if ! sim_del "$ID"; then
		fail="round $r: del_device failed"
		break
	fi
	n=$r
done
ktap_diag "$n of $ROUNDS netns-destroyed-while-joined rounds in $((SECONDS - t0))s"
if [ -z "$fail" ]; then
	ktap_ok "the synthetic device's netns destroyed while its VF is joined"
else
	ktap_fail "the synthetic device's netns destroyed while its VF is joined" "$fail"
	sim_del "$ID" 2>/dev/null
	ip netns delete nvs_nd 2>/dev/null
	_nvs_netns=()
fi

# ------------------------------------------------ VF moved between netns

moved=0
fail=
if ns_new nvs_ma && ns_new nvs_mb && dev=$(pair nvs_ma); then
	ktap_ok "a joined pair in nvs_ma"
	t0=$SECONDS
	for ((m = 1; m <= MOVES; m++)); do
		[ $((SECONDS - t0)) -lt "$BUDGET" ] || break
		if [ $((m % 2)) -eq 1 ]; then
			ip -n nvs_ma link set svf netns nvs_mb || { fail="move $m: to nvs_mb"; break; }
			# Every fourth move goes back before the leave is seen.
			if [ $((m % 4)) -ne 3 ] && ! dp_is synthetic 30; then
				fail="move $m: the VF left for nvs_mb but the data path stayed $(cat "$(sim_dbg "$ID")/datapath")"
				break
			fi
		else
			ip -n nvs_mb link set svf netns nvs_ma || { fail="move $m: back to nvs_ma"; break; }
			if ! dp_is vf 30; then
				fail="move $m: the VF came back to nvs_ma but did not join"
				break
			fi
		fi
		moved=$m
	done
	ktap_diag "$moved of $MOVES VF moves in $((SECONDS - t0))s"
	if [ -z "$fail" ]; then
		ktap_ok "a VF moved between namespaces repeatedly"
	else
		ktap_fail "a VF moved between namespaces repeatedly" "$fail"
	fi
else
	ktap_fail "a joined pair in nvs_ma"
	ktap_fail "a VF moved between namespaces repeatedly" "not run"
fi

# The VF must end up joined in nvs_ma.
ip -n nvs_mb link set svf netns nvs_ma 2>/dev/null
check "the VF is joined at the end" dp_is vf 30
check "del_device with the VF joined" sim_del "$ID"
check "unload" nvs_unload
check "the VF is free after the unload" vf_free nvs_ma

ktap_finished
