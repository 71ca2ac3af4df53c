#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VF engine's data path and its per-path counters: a known number of
# pings moves exactly the counters of the path it rides, before a VF
# exists, while it is joined and after it is gone; ip -s link shows the
# sum of both paths; frames the host still sends on the synthetic path
# while the VF is joined are delivered and counted as synthetic.  The
# device has no qdisc and transmits locklessly, as bonding and team.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

# An echo request or reply of ping's default size, Ethernet header included.
FRAME=98
NPING=5
# Frames sent from the host's end of the synthetic wire.
NRAW=7
RAW_FRAME=60
UDP_PORT=9100

# ip -s link of the synthetic device: rx packets, rx bytes, tx packets,
# tx bytes.
ip_totals() {
	in_g ip -j -s link show dev "$TOPO_DEV" | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["rx"]["bytes"], s["tx"]["packets"], s["tx"]["bytes"])'
}

# The same, as the sum of both paths in ST1.
sum_totals() {
	echo "$((ST1[synth_rx_packets] + ST1[vf_rx_packets]))" \
		"$((ST1[synth_rx_bytes] + ST1[vf_rx_bytes]))" \
		"$((ST1[synth_tx_packets] + ST1[vf_tx_packets]))" \
		"$((ST1[synth_tx_bytes] + ST1[vf_tx_bytes]))"
}

# A UDP receiver in the guest: counts datagrams carrying our marker until
# it has ARGV[3] of them or 30 s passed, then writes the count to ARGV[4].
UDP_RX_PY='
import socket, sys
addr, port, want, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
open(out + ".ready", "w").close()
s.settimeout(30)
n = 0
try:
    while n < want:
        if s.recv(2048).startswith(b"netvsc-synth-"):
            n += 1
except socket.timeout:
    pass
with open(out, "w") as f:
    f.write("%d\n" % n)
'

# Raw UDP/IPv4 frames of RAW_FRAME bytes sent straight out of an
# interface: ifname dst-mac src-mac src-ip dst-ip dst-port count.
RAW_TX_PY='
import socket, struct, sys
ifname, dmac, smac, sip, dip, dport, count = sys.argv[1:8]
def mac(m):
    return bytes.fromhex(m.replace(":", ""))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for i in range(int(count)):
    payload = b"netvsc-synth-%05d" % i
    udp = struct.pack("!HHHH", 40000, int(dport), 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0x4000, 64,
                     17, 0, socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(mac(dmac) + mac(smac) + b"\x08\x00" + ip + udp)
'

nvs_require_modules
ktap_plan 21

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

check_eq "no qdisc, lockless transmit" "noqueue tx-lockless: on [fixed]" \
	"$(in_g tc qdisc show dev "$TOPO_DEV" | awk 'NR == 1 { printf "%s ", $2 }'
	   in_g ethtool -k "$TOPO_DEV" | grep '^tx-lockless:')"

# ------------------------------------------------------------ synthetic only

stats_snap ST0
check "synthetic: $NPING pings" topo_ping $NPING
stats_snap ST1
check_eq "synthetic: the pings moved synth_tx and synth_rx by exactly $NPING frames" \
	"synth_tx_packets=$NPING synth_tx_bytes=$((NPING * FRAME)) synth_rx_packets=$NPING synth_rx_bytes=$((NPING * FRAME))" \
	"$(deltas synth_tx_packets synth_tx_bytes synth_rx_packets synth_rx_bytes)"
check_eq "synthetic: no VF counter moved, nothing dropped, no switch" \
	"vf_tx_packets=0 vf_tx_bytes=0 vf_rx_packets=0 vf_rx_bytes=0 vf_tx_dropped=0 synth_tx_dropped=0 datapath_switches=0" \
	"$(deltas vf_tx_packets vf_tx_bytes vf_rx_packets vf_rx_bytes vf_tx_dropped synth_tx_dropped datapath_switches)"
check_eq "synthetic: ip -s link totals are synth + vf" "$(sum_totals)" "$(ip_totals)"

# ------------------------------------------------------------ joined

topo_vf_add
check "a VF with our MAC joins: data path vf, one switch" \
	wait_for 30 path_is vf 1
check_eq "the VF's master is the synthetic device" "$TOPO_DEV" "$(topo_vf_master)"

stats_snap ST0
check "joined: $NPING pings" topo_ping $NPING
stats_snap ST1
check_eq "joined: the pings moved vf_tx and vf_rx by exactly $NPING frames" \
	"vf_tx_packets=$NPING vf_tx_bytes=$((NPING * FRAME)) vf_rx_packets=$NPING vf_rx_bytes=$((NPING * FRAME))" \
	"$(deltas vf_tx_packets vf_tx_bytes vf_rx_packets vf_rx_bytes)"
check_eq "joined: no synthetic counter moved, nothing dropped" \
	"synth_tx_packets=0 synth_tx_bytes=0 synth_rx_packets=0 synth_rx_bytes=0 vf_tx_dropped=0 synth_tx_dropped=0" \
	"$(deltas synth_tx_packets synth_tx_bytes synth_rx_packets synth_rx_bytes vf_tx_dropped synth_tx_dropped)"
check_eq "joined: ip -s link totals are synth + vf" "$(sum_totals)" "$(ip_totals)"

# ------------------------------------------------------------ synthetic rx while joined

# The host may still send on the synthetic path while the VF is joined:
# send from the host's end of the synthetic wire, bypassing the bridge.
rx_out=$WORK/udp_rx
ip netns exec "$TOPO_G" python3 -c "$UDP_RX_PY" "$TOPO_GUEST_IP" $UDP_PORT $NRAW "$rx_out" &
rx_pid=$!
if wait_for 30 test -e "$rx_out.ready"; then
	stats_snap ST0
	check "joined: $NRAW frames sent from the host on the synthetic wire" \
		in_h python3 -c "$RAW_TX_PY" "$(sim_host_ifname "$TOPO_ID")" \
		"$TOPO_MAC" "$TOPO_BR_MAC" "$TOPO_HOST_IP" "$TOPO_GUEST_IP" \
		$UDP_PORT $NRAW
	wait "$rx_pid"
	check_eq "joined: the guest received all $NRAW of them" \
		"$NRAW" "$(cat "$rx_out" 2>/dev/null)"
	stats_snap ST1
	check_eq "joined: they are counted as synthetic rx, not vf rx" \
		"synth_rx_packets=$NRAW synth_rx_bytes=$((NRAW * RAW_FRAME)) vf_rx_packets=0 vf_rx_bytes=0" \
		"$(deltas synth_rx_packets synth_rx_bytes vf_rx_packets vf_rx_bytes)"
else
	kill "$rx_pid" 2>/dev/null
	wait "$rx_pid" 2>/dev/null
	ktap_fail "joined: $NRAW frames sent from the host on the synthetic wire" \
		"the UDP receiver in the guest did not start"
	ktap_fail "joined: the guest received all $NRAW of them" "not run"
	ktap_fail "joined: they are counted as synthetic rx, not vf rx" "not run"
fi
check_eq "joined: the data path is still the VF" vf "$(topo_datapath)"

# ------------------------------------------------------------ VF removed

topo_vf_del
check "the VF is removed: data path synthetic, second switch" \
	wait_for 30 path_is synthetic 2

stats_snap ST0
check "after removal: $NPING pings" topo_ping $NPING
stats_snap ST1
check_eq "after removal: the pings moved synth_tx and synth_rx by exactly $NPING frames" \
	"synth_tx_packets=$NPING synth_tx_bytes=$((NPING * FRAME)) synth_rx_packets=$NPING synth_rx_bytes=$((NPING * FRAME))" \
	"$(deltas synth_tx_packets synth_tx_bytes synth_rx_packets synth_rx_bytes)"
check_eq "after removal: no VF counter moved, nothing dropped" \
	"vf_tx_packets=0 vf_tx_bytes=0 vf_rx_packets=0 vf_rx_bytes=0 vf_tx_dropped=0 synth_tx_dropped=0" \
	"$(deltas vf_tx_packets vf_tx_bytes vf_rx_packets vf_rx_bytes vf_tx_dropped synth_tx_dropped)"
check_eq "after removal: ip -s link totals are synth + vf" "$(sum_totals)" "$(ip_totals)"

ktap_finished
