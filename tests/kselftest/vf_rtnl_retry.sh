#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VF engine's work items take RTNL with rtnl_trylock() (they are
# cancelled under it) and, while someone else holds it, try again 10 ms
# later instead of requeueing at once, which made a kworker spin for as
# long as RTNL was held.  The simulator holds RTNL for 5 s (rtnl_hold_ms,
# as a slow RTNL user would); meanwhile TCP over device A's VF finds the
# VF's GSO size changed and queues A's limits work, which cannot get RTNL
# until the hold ends.  The workqueue tracepoint counts how often that
# work ran: at most once per 10 ms of the window, and more than once (so
# it did meet a held RTNL).  Then A shows the VF's new GSO size.
#
# And the engine itself no longer holds RTNL while a host thinks about a
# switch to the VF: device B's host answers 8 s late (switch_delay_ms,
# under the driver's 10 s), and an RTNL request made once it has the
# request returns before the switch completes.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

B_ID=1
B_MAC=00:15:5d:00:00:b1
# Under the engine's 10 s timeout of a switch to the VF.
B_DELAY_MS=8000
# Long enough for the TCP sender to start under a loaded TCG, longer on
# the debug lane's slower kernel.
HOLD_MS=$((5000 * NVS_TIMEOUT_FACTOR))
[ $HOLD_MS -le 60000 ] || HOLD_MS=60000
RETRY_MS=10
GSO=30000
TCP_PORT=5202
TRACE=/sys/kernel/tracing

# TCP from the guest: connects, writes ARGV[4].ready, waits for ARGV[4]
# to exist, then sends for ARGV[3] seconds.
TX_PY='
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
open(sys.argv[4] + ".ready", "w").close()
start = time.time() + 60
while not os.path.exists(sys.argv[4]) and time.time() < start:
    time.sleep(0.01)
buf = b"x" * 65536
end = time.time() + float(sys.argv[3])
while time.time() < end:
    s.sendall(buf)
s.close()
'
RX_PY='
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
open(sys.argv[3], "w").close()
l.settimeout(60)
c, _ = l.accept()
while c.recv(1 << 20):
    pass
'

nvs_require_modules
if [ ! -d $TRACE/events/workqueue ] && ! mount -t tracefs nodev $TRACE 2>/dev/null; then
	echo "# SKIP: no tracefs at $TRACE"
	exit 4
fi
if [ ! -d $TRACE/events/workqueue/workqueue_execute_start ]; then
	echo "# SKIP: no workqueue_execute_start tracepoint"
	exit 4
fi
ktap_plan 8

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

if topo_setup && quiet_ipv6; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi

topo_vf_add
check "device A: a VF joins, data path vf" wait_for 30 path_is vf 1

# Device B, in the guest namespace, its host slow to answer a switch.
sim_new_in "$TOPO_G" $B_ID $B_MAC
B_DEV=$(sim_ifname_in "$TOPO_G" $B_ID)
in_g ip link set "$B_DEV" up
echo $B_DELAY_MS >"$(sim_dbg $B_ID)/switch_delay_ms"

b_requests() {
	cat "$(sim_dbg "$B_ID")/switch_requests"
}
b_asked() {
	[ "$(b_requests)" -gt "$b_before" ]
}
b_switches_are() {
	[ "$(in_g ethtool -S "$B_DEV" | awk '$1 == "datapath_switches:" { print $2 }')" = "$1" ]
}

# B's VF: once it has carrier, B asks its host to switch to it, and goes
# on without waiting for the answer.  An RTNL request made once the host
# has the request returns before the switch completes: the marker it
# leaves in the kernel log comes before "data path is VF vfb".
log_mark "B's VF"
b_before=$(b_requests)
ip link add vfb netns "$TOPO_G" address $B_MAC type veth peer name vfbp netns "$TOPO_H"
in_h ip link set vfbp up
wait_for 30 b_asked
in_g ip link set dev lo mtu 65000
echo "nvs-selftest: RTNL request done" >/dev/kmsg
check "device B's switch to the VF completes" wait_for 30 b_switches_are 1
order=$(log_since | grep -o "nvs-selftest: RTNL request done\|data path is VF vfb" | tr '\n' ';')
check_eq "RTNL is free while B's host answers the switch to the VF" \
	"nvs-selftest: RTNL request done;data path is VF vfb;" "$order"

# No GSO frame goes out now, so nothing notices the VF's new GSO size
# (Linux sends no event for it) until the TCP flow below.
in_g ip link set "$TOPO_VF" gso_max_size $GSO

in_h python3 -c "$RX_PY" "$TOPO_HOST_IP" $TCP_PORT "$WORK/rx.ready" &
rx_pid=$!
wait_for 30 test -e "$WORK/rx.ready"
in_g python3 -c "$TX_PY" "$TOPO_HOST_IP" $TCP_PORT 1 "$WORK/go" &
tx_pid=$!
wait_for 30 test -e "$WORK/go.ready"

echo 0 >$TRACE/tracing_on
echo >$TRACE/trace
echo 1 >$TRACE/events/workqueue/workqueue_execute_start/enable
on_exit sh -c "echo 0 >$TRACE/events/workqueue/workqueue_execute_start/enable"
echo 1 >$TRACE/tracing_on

# The simulator holds RTNL; once it does, the TCP flow starts.
held() {
	[ "$(cat "$NVS_DEBUGFS/rtnl_hold_ms")" = 1 ]
}
echo $HOLD_MS >"$NVS_DEBUGFS/rtnl_hold_ms" &
hold_pid=$!
if wait_for 30 held; then
	touch "$WORK/go"
	ktap_ok "the simulator holds RTNL for $HOLD_MS ms"
else
	touch "$WORK/go"
	ktap_fail "the simulator holds RTNL for $HOLD_MS ms" "rtnl_hold_ms never read 1"
fi
wait "$hold_pid"
wait "$tx_pid"
wait "$rx_pid"
echo 0 >$TRACE/tracing_on

# Runs of A's limits work, and the window they fall in, in ms.
read -r runs window_ms < <(awk '
	/workqueue_execute_start:.*function netvsc_limits_work/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = substr($i, 1, length($i) - 1) + 0 }
		if (!n++) first = t
		last = t
	}
	END { printf "%d %d\n", n, (last - first) * 1000 }' $TRACE/trace)
echo >$TRACE/trace
ktap_diag "limits work ran $runs times in $window_ms ms"

check "device A's limits work met a held RTNL (ran more than once)" \
	test "$runs" -gt 1
check "and tried again at most once per $RETRY_MS ms ($runs runs in $window_ms ms)" \
	test "$runs" -le $((window_ms / RETRY_MS + 2))
check_eq "device A shows the VF's GSO size once RTNL is free" $GSO \
	"$(link_field "$TOPO_G" "$TOPO_DEV" gso_max_size)"

ktap_finished
