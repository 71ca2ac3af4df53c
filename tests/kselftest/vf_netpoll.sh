#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netpoll (netconsole) on a synthetic device with a joined VF.  netpoll
# transmits with interrupts off, where dev_queue_xmit() to the VF must
# not run; its frames take the synthetic path, which the host takes
# whatever the data path (Linux's in-tree hv_netvsc does the same).  A
# burst of kernel messages is logged while pings ride the VF: every
# message reaches the host, on the synthetic wire and never on the VF,
# while the pings stay on the VF.  On the debug kernel, lockdep reports
# dev_queue_xmit() with interrupts off, and the runner fails the test on
# any splat.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

NMSG=40
NPING=100
NC_PORT=6666
MARK=netvsc-netpoll-

# Counts, on the host's end of each wire, the netconsole datagrams that
# carry our marker, until NMSG of them arrived on either or 30 s passed,
# then writes "<synthetic> <vf>" to ARGV[4].
NC_RX_PY='
import select, socket, struct, sys, time
synth, vf, port, out, mark, want = sys.argv[1:7]
socks = {}
for name in (synth, vf):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((name, 0))
    socks[s] = name
count = {synth: 0, vf: 0}
open(out + ".ready", "w").close()
end = time.time() + 30
while sum(count.values()) < int(want) and time.time() < end:
    r, _, _ = select.select(list(socks), [], [], 0.5)
    for s in r:
        f, addr = s.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING or len(f) < 42:
            continue
        if f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        dport = struct.unpack_from("!H", f, 14 + ihl + 2)[0]
        if dport == int(port) and mark.encode() in f:
            count[socks[s]] += 1
with open(out, "w") as o:
    o.write("%d %d\n" % (count[synth], count[vf]))
'

nvs_require_modules
if ! modinfo netconsole >/dev/null 2>&1; then
	echo "# SKIP: this kernel has no netconsole module"
	exit 4
fi
if [ -d /sys/module/netconsole ]; then
	echo "# SKIP: netconsole is loaded already"
	exit 4
fi
ktap_plan 10

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

# netconsole binds to devices of init_net only: "$TOPO_G" names this
# namespace here, and the topology is topo.sh's otherwise.
netpoll_topo() {
	ip netns attach "$TOPO_G" 1 || return 1
	on_exit ip netns del "$TOPO_G"
	ns_new "$TOPO_H" || return 1
	sim_new "$TOPO_ID" "$TOPO_MAC" || return 1
	TOPO_DEV=$(sim_ifname "$TOPO_ID") || return 1
	ip link set "$(sim_host_ifname "$TOPO_ID")" netns "$TOPO_H" || return 1
	in_h ip link add br0 address "$TOPO_BR_MAC" type bridge || return 1
	in_h ip link set "$(sim_host_ifname "$TOPO_ID")" master br0 || return 1
	in_h ip link set "$(sim_host_ifname "$TOPO_ID")" up || return 1
	in_h ip link set br0 up || return 1
	in_h ip addr add "$TOPO_HOST_IP/24" dev br0 || return 1
	in_h ip neigh replace "$TOPO_GUEST_IP" lladdr "$TOPO_MAC" dev br0 nud permanent || return 1
	in_h sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || return 1
	sysctl -qw "net.ipv6.conf.$TOPO_DEV.disable_ipv6=1" || return 1
	ip addr add "$TOPO_GUEST_IP/24" dev "$TOPO_DEV" || return 1
	ip link set "$TOPO_DEV" up || return 1
	ip neigh replace "$TOPO_HOST_IP" lladdr "$TOPO_BR_MAC" dev "$TOPO_DEV" nud permanent || return 1
	wait_for 10 _topo_carrier
}

if netpoll_topo; then
	ktap_ok "topology, the synthetic device in init_net"
else
	ktap_fail "topology, the synthetic device in init_net"
	ktap_finished
fi

topo_vf_add "$TOPO_VF" "$TOPO_MAC" "$TOPO_G"
sysctl -qw "net.ipv6.conf.$TOPO_VF.disable_ipv6=1"
check "a VF with our MAC joins: data path vf" wait_for 30 path_is vf 1

# ------------------------------------------------------------ netconsole

log_mark netconsole
on_exit rmmod netconsole
check "netconsole binds to $TOPO_DEV while the VF is joined" \
	modprobe netconsole \
	"netconsole=6665@$TOPO_GUEST_IP/$TOPO_DEV,$NC_PORT@$TOPO_HOST_IP/$TOPO_BR_MAC"
check_log "netconsole says it started" "netconsole: network logging started"

out=$WORK/nc
in_h python3 -c "$NC_RX_PY" "$(sim_host_ifname "$TOPO_ID")" "${TOPO_VF}p" \
	$NC_PORT "$out" "$MARK" $NMSG &
rx_pid=$!
if ! wait_for 30 test -e "$out.ready"; then
	kill "$rx_pid" 2>/dev/null
	ktap_fail "the host's receiver started"
	ktap_finished
fi

# Every level reaches the consoles while the burst is logged.
read -r cur_level _ </proc/sys/kernel/printk
on_exit dmesg -n "$cur_level"
dmesg -n 8

stats_snap ST0
in_g ping -q -c $NPING -i 0.01 -W 2 "$TOPO_HOST_IP" >"$WORK/ping" 2>&1 &
ping_pid=$!
for i in $(seq 1 $NMSG); do
	echo "<4>$MARK$i" >/dev/kmsg
done
wait "$ping_pid"
ping_rc=$?
wait "$rx_pid"
stats_snap ST1

read -r n_synth n_vf <"$out"
check_eq "all $NMSG messages reached the host" $NMSG "$((n_synth + n_vf))"
check_eq "they came on the synthetic wire, none on the VF" \
	"synthetic=$NMSG vf=0" "synthetic=$n_synth vf=$n_vf"
if [ "$ping_rc" -eq 0 ]; then
	ktap_ok "the pings under them were answered"
else
	ktap_fail "the pings under them were answered" "ping: exit status $ping_rc" \
		"$(cat "$WORK/ping")"
fi
check "the pings rode the VF (vf_tx_packets moved by at least $NPING)" \
	test "$((ST1[vf_tx_packets] - ST0[vf_tx_packets]))" -ge $NPING
check "the messages were counted as synthetic transmits" \
	test "$((ST1[synth_tx_packets] - ST0[synth_tx_packets]))" -ge $NMSG
check_eq "the data path is still the VF" vf "$(topo_datapath)"

ktap_finished
