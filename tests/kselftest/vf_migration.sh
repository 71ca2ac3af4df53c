#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live migration: the VF is hot-removed and comes back, several times,
# under a running TCP transfer of a known payload.  The transfer must go
# on over the synthetic path while the VF is away and over the VF again
# once it is back, and complete with the right bytes and no reset.
# timeout: 500

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

CYCLES=4
PORT=9300
# The sender lets the payload out by steps, not by time: STEP bytes each
# time the test allows one more (next_step), one step before the first
# check and one before each "the transfer goes on" check, so that each
# path has fresh data to carry however slow the kernel is.  The last
# HOLD bytes wait for the cycles to be done.
STEPS=$((1 + 2 * CYCLES))
STEP=$((2 * 1048576))
HOLD=1048576
SIZE=$((STEPS * STEP + HOLD))
# Frames a path must carry to count as carrying the transfer.
MOVED=10

# stat_above NAME N: counter NAME of the synthetic device is above N
stat_above() {
	[ "$(topo_stat "$1")" -gt "$2" ]
}

# synth_carries NAME N: the VF is still away and NAME rose above N
synth_carries() {
	! in_g test -e "/sys/class/net/$TOPO_VF" && stat_above "$@"
}

listening() {
	in_h ss -Hltn "sport = :$1" | grep -q LISTEN
}

kill_quiet() {
	kill "$@" 2>/dev/null
}

running() {
	kill -0 "$1" 2>/dev/null
}

# When a path did not carry the transfer: how far it had got.
progress() {
	ktap_diag "received $(stat -c %s "$WORK/received") of $SIZE bytes; $steps of $STEPS steps of $STEP allowed"
}

stopped() {
	! running "$1"
}

# next_step: allow the sender one more STEP of the payload
next_step() {
	steps=$((steps + 1))
	echo $steps >"$WORK/allow.new" && mv "$WORK/allow.new" "$WORK/allow"
}

# A stepped TCP sender: host port file step hold allow release.  Until
# the file "release" exists it sends no more than "step" bytes times the
# number in the file "allow", and holds back the last "hold" bytes; then
# it sends the rest, closes and waits for the peer to close.  Any error
# (a reset) ends it with a non-zero status.
TCP_TX_PY='
import os, socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
step, hold = int(sys.argv[4]), int(sys.argv[5])
allow, release = sys.argv[6], sys.argv[7]

def allowed():
    if os.path.exists(release):
        return len(data)
    try:
        with open(allow) as a:
            n = int(a.read() or 0)
    except (OSError, ValueError):
        n = 0
    return min(n * step, len(data) - hold)

with open(path, "rb") as f:
    data = f.read()
s = socket.create_connection((host, port), timeout=120)
sent = 0
while sent < len(data):
    limit = allowed()
    if sent >= limit:
        time.sleep(0.05)
        continue
    n = min(16384, limit - sent)
    s.sendall(data[sent:sent + n])
    sent += n
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.close()
'

nvs_require_modules
ktap_plan $((3 + 4 * CYCLES + 3))

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

head -c $SIZE /dev/urandom >"$WORK/payload"
want=$(sha256sum <"$WORK/payload" | cut -d' ' -f1)

topo_vf_add
check "the VF joins" wait_for 30 path_is vf

ip netns exec "$TOPO_H" socat -u "TCP-LISTEN:$PORT,reuseaddr" \
	"OPEN:$WORK/received,creat,trunc" &
rx_pid=$!
on_exit kill_quiet "$rx_pid"
wait_for 30 listening $PORT
vf_tx=$(topo_stat vf_tx_packets)
steps=0
next_step
ip netns exec "$TOPO_G" python3 -c "$TCP_TX_PY" "$TOPO_HOST_IP" $PORT \
	"$WORK/payload" $STEP $HOLD "$WORK/allow" "$WORK/release" &
tx_pid=$!
on_exit kill_quiet "$tx_pid"
check "a $((SIZE / 1048576)) MiB transfer starts over the VF" \
	wait_for 60 stat_above vf_tx_packets $((vf_tx + MOVED))

for ((i = 1; i <= CYCLES; i++)); do
	topo_vf_del
	check "cycle $i: the VF is hot-removed: data path synthetic" \
		wait_for 30 path_is synthetic
	synth_tx=$(topo_stat synth_tx_packets)
	next_step
	check "cycle $i: the transfer goes on over the synthetic path" \
		wait_for 60 synth_carries synth_tx_packets $((synth_tx + MOVED)) ||
		progress

	topo_vf_add
	check "cycle $i: the VF is back: data path vf" \
		wait_for 30 path_is vf
	vf_tx=$(topo_stat vf_tx_packets)
	next_step
	check "cycle $i: the transfer goes on over the VF" \
		wait_for 60 stat_above vf_tx_packets $((vf_tx + MOVED)) || progress
done

check "the transfer was still running after the last cycle" running "$tx_pid"
ktap_diag "$(stat -c %s "$WORK/received") of $SIZE bytes received when the last cycle was done"
touch "$WORK/release"

if wait_for 300 stopped "$tx_pid"; then
	wait "$tx_pid"
	tx_rc=$?
else
	tx_rc=timeout
fi
if wait_for 60 stopped "$rx_pid"; then
	wait "$rx_pid"
	rx_rc=$?
else
	rx_rc=timeout
fi
check_eq "sender and receiver exit 0 (no reset)" "tx=0 rx=0" "tx=$tx_rc rx=$rx_rc"
check_eq "the receiver got the payload: size and sha256" \
	"$SIZE $want" \
	"$(stat -c %s "$WORK/received") $(sha256sum <"$WORK/received" | cut -d' ' -f1)"

ktap_finished
