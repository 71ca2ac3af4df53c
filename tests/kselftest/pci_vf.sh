#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 400
#
# A real PCI VF: an e1000e NIC hot-plugged into PCI slot 7 of the test
# VM, as a Hyper-V host hot-adds a VF (pci.lib), its wire QEMU's hub and
# the always-present virtio-net NIC, a port of the simulated host's
# bridge.  What a veth cannot make honest (it has no PCI parent, no
# hardware VLAN filter, offloads of its own or an MTU limit):
#
#  - the VF arrives in init_net and follows the synthetic device into its
#    netns, is claimed and joins; hot-removal and hot-add, three times,
#    under a TCP transfer whose bytes and SHA-256 must match at the end,
#    and in the first cycle under a steady UDP stream from the guest:
#    at most 1 datagram lost on removal, none on re-add;
#  - VLAN IDs pushed to the VF: the e1000e filters VLANs in hardware, so
#    tagged traffic over the VF fails unless the synthetic device's VLAN
#    reached it;
#  - the e1000e's own offloads, toggled with ethtool -K on the VF, show
#    in the synthetic device's features, and tso turned off on the
#    synthetic device stays off across a hot-remove and re-add;
#  - MTU: the synthetic device's maximum is the e1000e's while it is
#    joined (ip refuses more, with an error, and nothing changes); an
#    MTU change the host refuses is rolled back on the e1000e too;
#  - bad input: a second PCI NIC with the MAC while the VF is joined is
#    not claimed, not moved, has no IFF_SLAVE, and floods no log;
#  - the synthetic device moved to another netns takes the e1000e along.

# Helpers run through check and wait_for:
# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"
# shellcheck source=tests/kselftest/pci.lib
. "$(dirname "$(readlink -f "$0")")/pci.lib"

SLOT=7				# the VF's slot
DUP_SLOT=6			# the second NIC's
CYCLES=3
UDP_PORT=9301
TCP_PORT=9302
VID=5
VLAN_GUEST_IP=10.10.0.1
VLAN_HOST_IP=10.10.0.2
NS_N=nvs_n
SEED=$((RANDOM * 32768 + RANDOM))

# UDP sender: "PHASE SEQ" datagrams every 10 ms until the stop file
# exists, then the count sent into OUT.
UTX_PY='
import os, socket, sys, time
dst, port, phase, stop, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
while not os.path.exists(stop):
    try:
        s.sendto(("%s %d\n" % (phase, n)).encode(), (dst, port))
        n += 1
    except OSError:
        pass
    time.sleep(0.01)
with open(out, "w") as f:
    f.write("%d\n" % n)
'

# UDP receiver: each datagram's payload, a line, into OUT, until none
# came for 120 s.
URX_PY='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(120)
with open(sys.argv[3], "w", buffering=1) as f:
    open(sys.argv[3] + ".ready", "w").close()
    try:
        while True:
            f.write(s.recv(100).decode())
    except socket.timeout:
        pass
'

# TCP sender and receiver: a seeded stream until the stop file; each
# writes "BYTES SHA256" of what it sent or received.
TTX_PY='
import hashlib, os, random, socket, sys, time
dst, port, seed, stop, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(seed)
h = hashlib.sha256()
n = 0
s = socket.create_connection((dst, port), timeout=120)
while not os.path.exists(stop):
    b = rng.randbytes(16384)
    s.sendall(b)
    h.update(b)
    n += len(b)
    time.sleep(0.02)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
with open(out, "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
'
TRX_PY='
import hashlib, socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
open(sys.argv[3] + ".ready", "w").close()
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
with open(sys.argv[3], "w") as f:
    f.write("%d %s\n" % (n, h.hexdigest()))
'

# ------------------------------------------------------------------ helpers

kill_quiet() {
	kill "$@" 2>/dev/null
}

# The e1000e's name, wherever it is now.
vf_name() {
	pci_netdev $SLOT
}

# joined_in NS: the e1000e is in NS, claimed by the synthetic device and
# the data path is the VF.
joined_in() {
	local vf

	vf=$(vf_name) || { echo "no netdev in slot $SLOT"; return 1; }
	master_is "$1" "$vf" "$TOPO_DEV" || { echo "$vf is not claimed in netns '$1'"; return 1; }
	topo_joined || { echo "data path is $(topo_datapath)"; return 1; }
}

received() {
	grep -c "^$1 " "$WORK/udp.rx" 2>/dev/null
}

received_at_least() {
	[ "$(received "$1")" -ge "$2" ]
}

# udp_phase NAME CMD...: the UDP stream runs while CMD does, and 30
# datagrams more after it; prints the datagrams lost.
udp_phase() {
	local name=$1 n0 sent pid

	shift
	ip netns exec "$TOPO_G" python3 -c "$UTX_PY" "$TOPO_HOST_IP" $UDP_PORT "$name" \
		"$WORK/$name.stop" "$WORK/$name.sent" &
	pid=$!
	wait_for 30 received_at_least "$name" 30 || { echo "no stream"; kill_quiet $pid; return 1; }
	"$@" >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out"; kill_quiet $pid; return 1; }
	n0=$(received "$name")
	wait_for 30 received_at_least "$name" $((n0 + 30))
	touch "$WORK/$name.stop"
	wait $pid
	sent=$(cat "$WORK/$name.sent")
	# The last datagrams may still be on their way.
	wait_for 3 received_at_least "$name" "$sent"
	echo $((sent - $(grep "^$name " "$WORK/udp.rx" | sort -u | wc -l)))
}

unplug_vf() {
	pci_unplug vf && wait_for 30 path_is synthetic
}

plug_vf() {
	pci_plug e1000e "$TOPO_MAC" $SLOT vf && wait_for 60 joined_in "$TOPO_G"
}

# what DEV: "tso=.. tx=.." of DEV in the guest netns
offl() {
	in_g ethtool -k "$1" | awk '$1 == "tcp-segmentation-offload:" { t = $2 }
		$1 == "tx-checksumming:" { c = $2 } END { print "tso=" t " tx=" c }'
}

offl_is() {
	[ "$(offl "$1")" = "$2" ]
}

netvsc_log_lines() {
	log_since | grep -c netvsc
}

# ------------------------------------------------------------------ setup

nvs_require_modules
ktap_plan 29
pci_require

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

if topo_setup && topo_pci_host && quiet_ipv6; then
	ktap_ok "topology, with the virtio-net host NIC a port of br0"
else
	ktap_fail "topology, with the virtio-net host NIC a port of br0"
	ktap_finished
fi
dev=$TOPO_DEV

# ------------------------------------------------------------------ join

check "hot-added e1000e in slot $SLOT" pci_plug e1000e "$TOPO_MAC" $SLOT vf
check "it follows the synthetic device into its netns, is claimed, joins" \
	wait_for 60 joined_in "$TOPO_G"
check "pings pass over the e1000e" wait_for 30 topo_ping 1
vf=$(vf_name)
check_eq "the VF is the e1000e in slot $SLOT" "e1000e $(pci_addr $SLOT)" \
	"$(in_g ethtool -i "$vf" | awk '$1 == "driver:" { d = $2 } $1 == "bus-info:" { b = $2 } END { print d, b }')"

# ------------------------------------------------------------------ cycles

# Background jobs run ip netns exec itself (it execs python3), not in_h
# or in_g (a subshell): kill then reaches python3.
ip netns exec "$TOPO_H" python3 -c "$URX_PY" "$TOPO_HOST_IP" $UDP_PORT "$WORK/udp.rx" &
on_exit kill_quiet $!
ip netns exec "$TOPO_H" python3 -c "$TRX_PY" "$TOPO_HOST_IP" $TCP_PORT "$WORK/tcp.rx" &
on_exit kill_quiet $!
wait_for 30 test -e "$WORK/udp.rx.ready" && wait_for 30 test -e "$WORK/tcp.rx.ready"
ip netns exec "$TOPO_G" python3 -c "$TTX_PY" "$TOPO_HOST_IP" $TCP_PORT $SEED "$WORK/tcp.stop" \
	"$WORK/tcp.tx" 2>"$WORK/tcp.err" &
tcp_pid=$!
on_exit kill_quiet $tcp_pid

if lost=$(udp_phase remove1 unplug_vf); then
	check "cycle 1: hot-removal: at most 1 UDP datagram lost ($lost)" test "$lost" -le 1
else
	ktap_fail "cycle 1: hot-removal: at most 1 UDP datagram lost" "$lost"
fi
if lost=$(udp_phase add1 plug_vf); then
	check_eq "cycle 1: hot-add and join: no UDP datagram lost" 0 "$lost"
else
	ktap_fail "cycle 1: hot-add and join: no UDP datagram lost" "$lost"
fi
late=0
for ((i = 2; i <= CYCLES; i++)); do
	unplug_vf >/dev/null || late=$((late + 1))
	plug_vf >/dev/null || late=$((late + 1))
done
check_eq "cycles 2 to $CYCLES: each removal went synthetic, each add joined" 0 $late
touch "$WORK/tcp.stop"
if wait_for 120 test -s "$WORK/tcp.tx" && wait_for 60 test -s "$WORK/tcp.rx"; then
	check_eq "TCP across $CYCLES cycles: bytes and sha256 match (seed $SEED)" \
		"$(cat "$WORK/tcp.tx")" "$(cat "$WORK/tcp.rx")"
else
	ktap_fail "TCP across $CYCLES cycles: bytes and sha256 match (seed $SEED)" \
		"sender: $(cat "$WORK/tcp.tx" 2>/dev/null)" \
		"receiver: $(cat "$WORK/tcp.rx" 2>/dev/null)" "$(cat "$WORK/tcp.err")"
fi
wait $tcp_pid 2>/dev/null
vf=$(vf_name)

# ------------------------------------------------------------------ VLAN

in_g ip link add link "$dev" name "$dev.$VID" type vlan id $VID
in_g ip addr add "$VLAN_GUEST_IP/24" dev "$dev.$VID"
in_g ip link set "$dev.$VID" up
in_g ip neigh replace $VLAN_HOST_IP lladdr "$TOPO_BR_MAC" dev "$dev.$VID" nud permanent
in_h ip link add link br0 name br0.$VID type vlan id $VID
in_h ip addr add "$VLAN_HOST_IP/24" dev br0.$VID
in_h ip link set br0.$VID up
in_h ip neigh replace $VLAN_GUEST_IP lladdr "$TOPO_MAC" dev br0.$VID nud permanent
rx0=$(in_g cat "/sys/class/net/$vf/statistics/rx_packets")
check "VLAN $VID on the synthetic device: pings pass through the e1000e's VLAN filter" \
	in_g ping -q -c 5 -i 0.2 -W 2 -I "$dev.$VID" $VLAN_HOST_IP
rx1=$(in_g cat "/sys/class/net/$vf/statistics/rx_packets")
check "the replies came in through the e1000e (rx_packets +$((rx1 - rx0)))" \
	test $((rx1 - rx0)) -ge 5
check "the data path is still the VF" path_is vf

# ------------------------------------------------------------------ offloads

check_eq "joined: tso and tx checksumming on both" "tso=on tx=on tso=on tx=on" \
	"$(offl "$dev") $(offl "$vf")"
in_g ethtool -K "$vf" tso off >/dev/null 2>&1
check "ethtool -K e1000e tso off: the synthetic device shows tso off" \
	wait_for 10 offl_is "$dev" "tso=off tx=on"
in_g ethtool -K "$vf" tx off >/dev/null 2>&1
check "ethtool -K e1000e tx off: the synthetic device shows tx-checksumming off" \
	wait_for 10 offl_is "$dev" "tso=off tx=off"
in_g ethtool -K "$vf" tx on tso on >/dev/null 2>&1
check "ethtool -K e1000e tx on tso on: both back on the synthetic device" \
	wait_for 10 offl_is "$dev" "tso=on tx=on"

# What the user turns off on the synthetic device stays off across a
# hot-remove and re-add, and the new e1000e follows it.
in_g ethtool -K "$dev" tso off >/dev/null 2>&1
check "ethtool -K synthetic tso off: pushed to the e1000e" \
	wait_for 10 offl_is "$vf" "tso=off tx=on"
if unplug_vf && plug_vf; then
	vf=$(vf_name)
	check_eq "after a hot-remove and re-add: tso still off, and the new e1000e follows" \
		"tso=off tx=on tso=off tx=on" "$(offl "$dev") $(offl "$vf")"
else
	ktap_fail "after a hot-remove and re-add: tso still off, and the new e1000e follows" \
		"the e1000e did not go and come back"
fi
in_g ethtool -K "$dev" tso on >/dev/null 2>&1
check "ethtool -K synthetic tso on: on both again" \
	wait_for 10 offl_is "$vf" "tso=on tx=on"

# ------------------------------------------------------------------ MTU

vf_max=$(link_field "$TOPO_G" "$vf" maxmtu)
check_eq "joined: the synthetic device's maximum MTU is the e1000e's" \
	"$vf_max" "$(link_field "$TOPO_G" "$dev" maxmtu)"
out=$(in_g ip link set "$dev" mtu $((vf_max + 100)) 2>&1) && out="accepted"
check_eq "MTU above the e1000e's maximum: refused with an error, nothing changed" \
	"Error: dev=1500 vf=1500" \
	"$(echo "$out" | grep -o '^Error:') dev=$(dev_mtu "$TOPO_G" "$dev") vf=$(dev_mtu "$TOPO_G" "$vf")"
in_g ip link set "$dev" mtu 9000
check_eq "MTU 9000 mirrored to the e1000e" "dev=9000 vf=9000" \
	"dev=$(dev_mtu "$TOPO_G" "$dev") vf=$(dev_mtu "$TOPO_G" "$vf")"
sim_knob fail_mtu 1
out=$(in_g ip link set "$dev" mtu 4000 2>&1) && out="accepted"
check_eq "MTU 4000 the host refuses: fails, the e1000e rolled back to 9000" \
	"failed dev=9000 vf=9000" \
	"$([ "$out" = accepted ] && echo accepted || echo failed) dev=$(dev_mtu "$TOPO_G" "$dev") vf=$(dev_mtu "$TOPO_G" "$vf")"
sim_knob fail_mtu 0
in_g ip link set "$dev" mtu 1500

# ------------------------------------------------------------------ bad input

log_mark "second PCI NIC"
if pci_plug e1000e "$TOPO_MAC" $DUP_SLOT dup; then
	dup=$PCI_NETDEV
	ktap_ok "a second e1000e with the MAC hot-added in slot $DUP_SLOT"
	check "it stays in init_net, unclaimed, without IFF_SLAVE" unowned "" "$dup"
	check "the first one is still the joined VF" joined_in "$TOPO_G"
	n=$(netvsc_log_lines)
	[ "$n" -le 3 ] || ktap_diag "$(log_since | grep netvsc | head -n 20)"
	check "no log flood about it ($n netvsc lines)" test "$n" -le 3
	check "it goes again" pci_unplug dup
else
	ktap_fail "a second e1000e with the MAC hot-added in slot $DUP_SLOT" "$PCI_NETDEV"
	for ((i = 0; i < 4; i++)); do
		ktap_skip "not run" "no second NIC"
	done
fi

# ------------------------------------------------------------------ netns

# Moved, the synthetic device is down: the VF follows, is claimed, and
# joins once it is up.
ns_new $NS_N
in_g ip link set "$dev" netns $NS_N
TOPO_DEV=$(sim_ifname_in $NS_N "$TOPO_ID")
ip -n $NS_N link set "$TOPO_DEV" up
check "the synthetic device moved to another netns takes the e1000e along" \
	wait_for 30 joined_in $NS_N

ktap_finished
