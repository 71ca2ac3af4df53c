#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tunnel offloads come from the VF.  The synthetic path has none; while a
# VF is joined, the synthetic device offers the VF's tunnel GSO types and
# its hw_enc_features, so a VXLAN device over it sends its TCP as GSO
# frames all the way to the VF.  A tunnel GSO frame that takes the
# synthetic path instead (here: a VF joined before its link came up, so
# the data path is synthetic) is segmented and checksummed in software.
# Each transfer is checked byte for byte at the far end of the tunnel, and
# the largest VXLAN frame on each wire tells whether it was segmented.
# The VF is a veth (vf_trust_nonpci): neither of the NICs QEMU hot-plugs
# here (e1000e, virtio-net) has tunnel offloads in Linux 6.1.
# timeout: 400

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

VNI=42
G_VX_IP=10.10.0.1
H_VX_IP=10.10.0.2
G_VX_MAC=02:00:00:00:10:01
H_VX_MAC=02:00:00:00:10:02
TCP_PORT=5201
BYTES=$((2 * 1024 * 1024))
# The largest frame a wire carries once segmented: MTU + Ethernet header.
WIRE_MAX=1514

# On the host's end of each wire given, the VXLAN frames the guest sent:
# prints "IFNAME COUNT MAXLEN" per wire once ARGV[1].stop exists.
CAPTURE_PY='
import os, select, socket, struct, sys
stop = sys.argv[1] + ".stop"
socks = {}
for name in sys.argv[2:]:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((name, 0))
    socks[s] = name
stats = {n: [0, 0] for n in sys.argv[2:]}
open(sys.argv[1] + ".ready", "w").close()
while not os.path.exists(stop):
    r, _, _ = select.select(list(socks), [], [], 0.2)
    for s in r:
        f, addr = s.recvfrom(262144)
        if addr[2] == socket.PACKET_OUTGOING or len(f) < 42:
            continue
        if f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        if struct.unpack_from("!H", f, 14 + ihl + 2)[0] != 4789:
            continue
        st = stats[socks[s]]
        st[0] += 1
        st[1] = max(st[1], len(f))
with open(sys.argv[1], "w") as o:
    for n in sys.argv[2:]:
        o.write("%s %d %d\n" % (n, stats[n][0], stats[n][1]))
'

# TCP receiver at the host end of the tunnel: writes "<bytes> <sha256>".
RX_PY='
import hashlib, socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, port))
l.listen(1)
open(out + ".ready", "w").close()
l.settimeout(60)
c, _ = l.accept()
c.settimeout(60)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
open(out, "w").write("%d %s\n" % (n, h.hexdigest()))
'

# TCP sender in the guest: ARGV[3] bytes of a fixed pattern; prints their
# "<bytes> <sha256>".
TX_PY='
import hashlib, socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = bytes((i * 7 + i // 251) & 0xff for i in range(n))
s = socket.create_connection((addr, port), timeout=60)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(n, hashlib.sha256(data).hexdigest())
'

nvs_require_modules
ktap_plan 15

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi
modprobe vxlan 2>/dev/null

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

tunnel_setup() {
	in_g ip link add vx0 address "$G_VX_MAC" type vxlan id $VNI \
		local "$TOPO_GUEST_IP" remote "$TOPO_HOST_IP" dstport 4789 \
		dev "$TOPO_DEV" || return 1
	in_h ip link add vx0 address "$H_VX_MAC" type vxlan id $VNI \
		local "$TOPO_HOST_IP" remote "$TOPO_GUEST_IP" dstport 4789 \
		dev br0 || return 1
	in_g ip addr add "$G_VX_IP/24" dev vx0 || return 1
	in_h ip addr add "$H_VX_IP/24" dev vx0 || return 1
	in_g ip link set vx0 up || return 1
	in_h ip link set vx0 up || return 1
	in_g ip neigh replace "$H_VX_IP" lladdr "$H_VX_MAC" dev vx0 nud permanent || return 1
	in_h ip neigh replace "$G_VX_IP" lladdr "$G_VX_MAC" dev vx0 nud permanent
}

if topo_setup && quiet_ipv6 && tunnel_setup; then
	ktap_ok "topology, with a VXLAN tunnel over the synthetic device"
else
	ktap_fail "topology, with a VXLAN tunnel over the synthetic device"
	ktap_finished
fi

tnl_seg() {
	in_g ethtool -k "$TOPO_DEV" | sed -n 's/^tx-udp_tnl-segmentation: //p'
}

# transfer NAME WIRE...: BYTES over the tunnel, from the guest; sets
# XFER_OK (the far end got every byte intact) and WIRE_<n>="COUNT MAXLEN"
# for each wire, in order.
transfer() {
	local cap=$WORK/cap.$1 rx=$WORK/rx.$1 sent got i=0 c m

	shift
	XFER_OK=0
	XFER_WHY=
	rm -f "$cap"* "$rx"*
	in_h python3 -c "$CAPTURE_PY" "$cap" "$@" &
	local cap_pid=$!
	in_h python3 -c "$RX_PY" "$H_VX_IP" $TCP_PORT "$rx" &
	local rx_pid=$!
	if wait_for 30 test -e "$cap.ready" && wait_for 30 test -e "$rx.ready"; then
		sent=$(in_g python3 -c "$TX_PY" "$H_VX_IP" $TCP_PORT $BYTES 2>&1)
	else
		sent="the host's receivers did not start"
	fi
	wait "$rx_pid"
	touch "$cap.stop"
	wait "$cap_pid"
	got=$(cat "$rx" 2>/dev/null)
	if [ -n "$got" ] && [ "$got" = "$sent" ]; then
		XFER_OK=1
	else
		XFER_WHY="sent: $sent; received: ${got:-nothing}"
	fi
	WIRES=()
	while read -r _ c m; do
		WIRES[i]="$c $m"
		i=$((i + 1))
	done <"$cap"
}

check_xfer() {
	if [ "$XFER_OK" = 1 ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "$XFER_WHY"
	fi
}

HOST_SYN=$(sim_host_ifname "$TOPO_ID")

# ------------------------------------------------------------ no VF

check_eq "no VF: tx-udp_tnl-segmentation is off [fixed]" "off [fixed]" "$(tnl_seg)"
transfer synth "$HOST_SYN"
check_xfer "no VF: $BYTES bytes over the tunnel arrive intact"
read -r n max <<<"${WIRES[0]}"
check "no VF: every VXLAN frame on the synthetic wire fits the MTU ($n frames, largest $max)" \
	test "$n" -gt 0 -a "$max" -le $WIRE_MAX

# ------------------------------------------------------------ joined

topo_vf_add
check "a veth VF with tunnel offloads joins: data path vf" wait_for 30 path_is vf 1
check_eq "joined: tx-udp_tnl-segmentation is on" "on" "$(tnl_seg)"
transfer vf "${TOPO_VF}p" "$HOST_SYN"
check_xfer "joined: $BYTES bytes over the tunnel arrive intact"
read -r n max <<<"${WIRES[0]}"
check "joined: VXLAN GSO frames reach the VF unsegmented ($n frames, largest $max)" \
	test "$n" -gt 0 -a "$max" -gt $WIRE_MAX
read -r n max <<<"${WIRES[1]}"
check_eq "joined: no VXLAN frame took the synthetic wire" 0 "$n"

topo_vf_del
check "the VF is removed: data path synthetic" wait_for 30 path_is synthetic 2
check_eq "removed: tx-udp_tnl-segmentation is off [fixed] again" "off [fixed]" "$(tnl_seg)"

# ------------------------------------------------------------ joined, no carrier

# A VF that joins before its link is up leaves the data path synthetic
# while the device offers its tunnel offloads.
ip link add vf1 netns "$TOPO_G" address "$TOPO_MAC" type veth \
	peer name vf1p netns "$TOPO_H"
in_h ip link set vf1p master br0
check "a VF with no carrier joins: the data path stays synthetic" \
	wait_for 30 master_is "$TOPO_G" vf1 "$TOPO_DEV"
check_eq "joined without carrier: tx-udp_tnl-segmentation is on, data path synthetic" \
	"on synthetic" "$(tnl_seg) $(topo_datapath)"
transfer nocarrier "$HOST_SYN"
check_xfer "joined without carrier: $BYTES bytes over the tunnel arrive intact"
read -r n max <<<"${WIRES[0]}"
check "joined without carrier: the synthetic path segmented them in software ($n frames, largest $max)" \
	test "$n" -gt 0 -a "$max" -le $WIRE_MAX

ktap_finished
