#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress: remove and re-add the VF 1,000 times while a TCP transfer runs
# from the guest to the host; the transfer must complete intact (same
# byte count and SHA-256 on both ends) and the VF must join again at the
# end.  Three cycles in four wait for the VF to join before removing it;
# every fourth removes it at once, racing the join delay.
#
# Bounded: NVS_STRESS_SCALE (percent of the cycle count, default 100;
# also read as nvs_stress_scale, which the VM's kernel command line can
# set) and NVS_STRESS_BUDGET_S (default 900 s of cycling; when it runs
# out the test stops early and says how many cycles ran).
# timeout: 1500

# Functions run through check and wait_for.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

SCALE=${NVS_STRESS_SCALE:-${nvs_stress_scale:-100}}
BUDGET=${NVS_STRESS_BUDGET_S:-${nvs_stress_budget_s:-900}}
CYCLES=$((1000 * SCALE / 100))
[ "$CYCLES" -ge 4 ] || CYCLES=4
PORT=9200
SEED=$((RANDOM * 32768 + RANDOM))

# Sender: a seeded pseudo-random stream, in 16 KiB writes, until the stop
# file appears (and at least MIN bytes went out); then "BYTES SHA256".
TX_PY='
import hashlib, os, random, socket, sys, time
dst, port, seed, stop, out, mn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
rng = random.Random(seed)
h = hashlib.sha256()
n = 0
s = socket.create_connection((dst, port), timeout=120)
while n < mn or not os.path.exists(stop):
    b = rng.randbytes(16384)
    s.sendall(b)
    h.update(b)
    n += len(b)
    time.sleep(0.01)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
with open(out, "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
'

# Receiver: everything until EOF (no byte for 120 s fails), then
# "BYTES SHA256" of what came.
RX_PY='
import hashlib, socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, port))
l.listen(1)
open(out + ".ready", "w").close()
l.settimeout(120)
c, _ = l.accept()
c.settimeout(120)
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
c.close()
with open(out, "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
'

nvs_require_modules
ktap_plan 7

if ! nvs_load vf_join_delay_ms=10; then
	ktap_fail "load the modules"
	ktap_finished
fi
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

if topo_setup; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi

# A timed wait that forks nothing: read on a FIFO nobody writes to.
mkfifo "$WORK/tick"
exec {tick}<>"$WORK/tick"
nap() {
	read -r -t "$1" -u "$tick" _ || :
}

DP=$(sim_dbg "$TOPO_ID")/datapath
# dp_is WANT TIMEOUT_S: poll the simulated host's data path, no fork.
dp_is() {
	local want=$1 end=$((SECONDS + $2)) dp

	while :; do
		read -r dp <"$DP" 2>/dev/null || dp=
		[ "$dp" != "$want" ] || return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		nap 0.02
	done
}

# Stop a background job at exit if it is still there.
stop_job() {
	kill "$1" 2>/dev/null
}

# One ip process in the host netns does all the link changes.
exec {ipb}> >(exec ip -n "$TOPO_H" -force -batch - 2>"$WORK/ip.err")
ipb_pid=$!
gone() {
	! kill -0 "$1" 2>/dev/null
}
vf_add_cmds() {
	printf '%s\n' \
		"link add ${TOPO_VF}p type veth peer name $TOPO_VF netns $TOPO_G address $TOPO_MAC" \
		"link set ${TOPO_VF}p master br0" \
		"link set ${TOPO_VF}p up" >&"$ipb"
}
vf_del_cmds() {
	echo "link del ${TOPO_VF}p" >&"$ipb"
}

vf_add_cmds
check "the VF joins" dp_is vf 30

# The transfer.
in_h python3 -c "$RX_PY" "$TOPO_HOST_IP" $PORT "$WORK/rx" &
rx_pid=$!
on_exit stop_job "$rx_pid"
if ! wait_for 60 test -e "$WORK/rx.ready"; then
	ktap_fail "TCP transfer started" "the receiver did not start"
	ktap_finished
fi
in_g python3 -c "$TX_PY" "$TOPO_HOST_IP" $PORT "$SEED" "$WORK/stop" \
	"$WORK/tx" 1048576 2>"$WORK/tx.err" &
tx_pid=$!
on_exit stop_job "$tx_pid"
ktap_ok "TCP transfer started (stream seed $SEED)"

t0=$SECONDS
done_cycles=0
late_joins=0
for ((i = 1; i <= CYCLES; i++)); do
	if [ $((SECONDS - t0)) -ge "$BUDGET" ]; then
		break
	fi
	vf_del_cmds
	vf_add_cmds
	if [ $((i % 4)) -ne 0 ]; then
		# Joined again within 30 s, or the cycle counts as late.
		dp_is vf 30 || late_joins=$((late_joins + 1))
	fi
	done_cycles=$i
done
dt=$((SECONDS - t0))
ktap_diag "$done_cycles of $CYCLES VF remove/re-add cycles in ${dt}s"
if [ "$done_cycles" -lt "$CYCLES" ]; then
	ktap_diag "time bound of ${BUDGET}s hit: ran $done_cycles cycles, not $CYCLES"
fi
check_eq "every waited-for re-add joined within 30 s" 0 "$late_joins"

touch "$WORK/stop"
if wait_for 300 test -s "$WORK/tx" && wait_for 60 test -s "$WORK/rx"; then
	check_eq "the TCP transfer completed intact (bytes sha256)" \
		"$(cat "$WORK/tx")" "$(cat "$WORK/rx")"
else
	ktap_fail "the TCP transfer completed intact (bytes sha256)" \
		"sender: $(cat "$WORK/tx" 2>/dev/null)" \
		"receiver: $(cat "$WORK/rx" 2>/dev/null)" \
		"$(cat "$WORK/tx.err" 2>/dev/null)"
fi
wait "$tx_pid" 2>/dev/null
wait "$rx_pid" 2>/dev/null

exec {ipb}>&-
wait_for 60 gone "$ipb_pid"
check_eq "no ip batch command failed" "" "$(cat "$WORK/ip.err")"

if dp_is vf 30 && topo_ping 3; then
	ktap_ok "the VF is joined at the end and pings pass"
else
	ktap_fail "the VF is joined at the end and pings pass" \
		"datapath: $(topo_datapath)"
fi

ktap_finished
