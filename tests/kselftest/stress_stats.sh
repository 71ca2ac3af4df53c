#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress: the stats hammer.  Concurrent readers of /proc/net/dev,
# ethtool -S, ip -s link and vfctl (when tools/vfctl/vfctl is built) run
# in the guest netns while the VF flaps (carrier down/up, and every tenth
# round removed and re-added) and the synthetic device goes down and up.
# No read may fail, and afterwards the VF joins again and pings pass.
#
# Bounded: NVS_STRESS_SCALE (percent of the 300 rounds, default 100;
# also nvs_stress_scale) and NVS_STRESS_BUDGET_S (default 600 s).
# timeout: 1200

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119,SC2016

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
BUDGET=${NVS_STRESS_BUDGET_S:-${nvs_stress_budget_s:-600}}
ROUNDS=$((300 * SCALE / 100))
[ "$ROUNDS" -ge 10 ] || ROUNDS=10
VFCTL=$NETVSC_DIR/tools/vfctl/vfctl

# reader NAME OUT STOP CMD...: run CMD until STOP exists; write
# "ITERATIONS ERRORS" to OUT, and the first failure's output to OUT.err.
READER='
name=$1 out=$2 stop=$3
shift 3
n=0 err=0
while [ ! -e "$stop" ]; do
	if ! o=$("$@" 2>&1); then
		[ "$err" -gt 0 ] || printf "%s\n" "$o" >"$out.err"
		err=$((err + 1))
	fi
	n=$((n + 1))
done
echo "$n $err" >"$out"
'

# /proc/net/dev in one read(2): the device must be listed.  Not with the
# shell's read builtin: it reads a few bytes at a time and seeks back,
# and /proc/net/dev resumes each read(2) by position in the device list,
# so a device that goes (the VF) shifts the others between two of them
# and a line can be skipped; that is the file's nature, not a failed
# read of our counters.
PROCNET_READER='
dev=$1 out=$2 stop=$3
n=0 err=0
while [ ! -e "$stop" ]; do
	grep -q "^ *$dev:" /proc/net/dev || err=$((err + 1))
	n=$((n + 1))
done
echo "$n $err" >"$out"
'

nvs_require_modules
ktap_plan 8

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

if topo_setup && topo_vf_add; then
	ktap_ok "topology with a VF"
else
	ktap_fail "topology with a VF"
	ktap_finished
fi
check "the VF joins" wait_for 30 topo_joined

mkfifo "$WORK/tick"
exec {tick}<>"$WORK/tick"
nap() {
	read -r -t "$1" -u "$tick" _ || :
}

STOP=$WORK/stop
readers=(procnet ethtool iplink)
in_g bash -c "$PROCNET_READER" - "$TOPO_DEV" "$WORK/procnet" "$STOP" &
in_g bash -c "$READER" - ethtool "$WORK/ethtool" "$STOP" \
	ethtool -S "$TOPO_DEV" &
in_g bash -c "$READER" - iplink "$WORK/iplink" "$STOP" \
	ip -s -s link show dev "$TOPO_DEV" &
if [ -x "$VFCTL" ]; then
	readers+=(vfctl)
	in_g bash -c "$READER" - vfctl "$WORK/vfctl" "$STOP" \
		"$VFCTL" -j show &
else
	vfctl_skip="$VFCTL not built (make tools)"
fi
on_exit touch "$STOP"

# Flap through one ip process per netns.
exec {ipg}> >(exec ip -n "$TOPO_G" -force -batch - 2>"$WORK/ipg.err")
pid_g=$!
exec {iph}> >(exec ip -n "$TOPO_H" -force -batch - 2>"$WORK/iph.err")
pid_h=$!

t0=$SECONDS
done_rounds=0
for ((i = 1; i <= ROUNDS; i++)); do
	[ $((SECONDS - t0)) -lt "$BUDGET" ] || break
	echo "link set ${TOPO_VF}p down" >&"$iph"
	nap 0.02
	echo "link set dev $TOPO_DEV down" >&"$ipg"
	nap 0.02
	echo "link set ${TOPO_VF}p up" >&"$iph"
	nap 0.02
	echo "link set dev $TOPO_DEV up" >&"$ipg"
	if [ $((i % 10)) -eq 0 ]; then
		printf '%s\n' "link del ${TOPO_VF}p" \
			"link add ${TOPO_VF}p type veth peer name $TOPO_VF netns $TOPO_G address $TOPO_MAC" \
			"link set ${TOPO_VF}p master br0" \
			"link set ${TOPO_VF}p up" >&"$iph"
	fi
	nap 0.05
	done_rounds=$i
done
dt=$((SECONDS - t0))
ktap_diag "$done_rounds of $ROUNDS flap rounds in ${dt}s"
[ "$done_rounds" -eq "$ROUNDS" ] ||
	ktap_diag "time bound of ${BUDGET}s hit: ran $done_rounds rounds, not $ROUNDS"

exec {ipg}>&- {iph}>&-
gone() {
	! kill -0 "$1" 2>/dev/null
}
wait_for 60 gone "$pid_g"
wait_for 60 gone "$pid_h"
touch "$STOP"

for r in "${readers[@]}"; do
	if ! wait_for 60 test -s "$WORK/$r"; then
		ktap_fail "$r reader: no read failed" "the reader did not finish"
		continue
	fi
	read -r n err <"$WORK/$r"
	ktap_diag "$r: $n reads, $err failed"
	if [ "$err" -eq 0 ] && [ "$n" -gt 0 ]; then
		ktap_ok "$r reader: no read failed"
	else
		ktap_fail "$r reader: no read failed" \
			"$n reads, $err failed; the first failure:" \
			"$(cat "$WORK/$r.err" 2>/dev/null)"
	fi
done
[ -z "${vfctl_skip:-}" ] || ktap_skip "vfctl reader: no read failed" "$vfctl_skip"
wait

check_eq "no ip batch command failed" "" "$(cat "$WORK/ipg.err" "$WORK/iph.err")"
if wait_for 30 topo_joined && topo_ping 3; then
	ktap_ok "the VF joins again and pings pass"
else
	ktap_fail "the VF joins again and pings pass" "datapath: $(topo_datapath)"
fi

ktap_finished
