#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# The kernel side of the non-transparent VF mode (vf_transparent=0):
#  - a veth with the synthetic MAC is paired (listed in the vflist module
#    parameter, read in the guest netns), not enslaved;
#  - while it is up: the data path is the VF, the synthetic device has no
#    carrier, frames arriving on the synthetic path are delivered as
#    received on the VF (a packet socket bound to the VF sees them, one
#    bound to the synthetic device does not), and a change uevent with
#    NETVSC_EVENT=VF_UP and NETVSC_VF=<VF> is sent on the synthetic device;
#  - when it goes down, and when it goes away: the data path is synthetic
#    again, the carrier is back, frames are the synthetic device's again,
#    and NETVSC_EVENT=VF_DOWN is sent.
# The VF's peer is up but not bridged: the host reaches the guest through
# the synthetic wire only.
#
# nt_scripts.sh sources this file with NT_SOURCE_ONLY=1 for its helpers.

# Functions run through check and wait_for.
# shellcheck disable=SC2317

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/topo.sh"

# ------------------------------------------------------------------ helpers
#
#   nt_load                    netvsc with vf_transparent=0 (a netvsc left
#                              loaded in another mode is unloaded first)
#   nt_uevents_start NS FILE   listen to the kernel's uevents in netns NS;
#                              those of SUBSYSTEM=net go to FILE, one a
#                              line: all KEY=VALUE pairs, space separated
#   nt_uevents_stop            stop the listener
#   nt_uevent_count FILE EVENT VF   how many EVENT (VF_UP, VF_DOWN) for VF
#   nt_uevent_wait FILE EVENT VF N  wait until there are N
#   nt_uevent_env FILE EVENT VF N  the N-th (1-based) such uevent, one
#                              KEY=VALUE a line
#   nt_uevent_add_env FILE IFNAME  the last "add" uevent of IFNAME, the same
#                              way
#   nt_rx_start NS FILE DEV... count, per DEV, frames of type $NT_ETHERTYPE
#                              received in netns NS, until the end marker
#                              frame arrives on any of them: FILE gets
#                              "DEV COUNT" lines and "end 1"
#   nt_rx_wait FILE            wait for it
#   nt_tx NS DEV DMAC N        send N such frames and the end marker out of
#                              DEV in netns NS
#   nt_carrier NS DEV          the carrier of DEV (0 or 1)

# The local experimental EtherType of IEEE 802.
NT_ETHERTYPE=0x88b5
NT_TMP=$(mktemp -d /tmp/nvs-nt.XXXXXX)
on_exit rm -rf "$NT_TMP"

_nt_uevent_pid=

nt_load() {
	local t

	if [ -d /sys/module/netvsc ]; then
		t=$(cat /sys/module/netvsc/parameters/vf_transparent 2>/dev/null)
		if [ "$t" != N ]; then
			ktap_diag "netvsc is loaded with vf_transparent=$t: reloading it"
			nvs_unload || return 1
		fi
	fi
	nvs_load vf_transparent=0 || return 1
	[ "$(cat /sys/module/netvsc/parameters/vf_transparent)" = N ]
}

NT_UEVENT_PY='
import socket, sys
out = sys.argv[1]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind((0, 1))
open(out + ".ready", "w").close()
while True:
    parts = s.recv(65536).split(b"\0")
    env = [p.decode(errors="replace") for p in parts[1:] if b"=" in p]
    if "SUBSYSTEM=net" not in env:
        continue
    with open(out, "a") as f:
        f.write(" ".join(env) + "\n")
'

nt_uevents_start() {
	local ns=$1 file=$2

	: >"$file"
	ip netns exec "$ns" python3 -c "$NT_UEVENT_PY" "$file" &
	_nt_uevent_pid=$!
	on_exit nt_uevents_stop
	wait_for 60 test -e "$file.ready"
}

nt_uevents_stop() {
	[ -n "$_nt_uevent_pid" ] || return 0
	kill "$_nt_uevent_pid" 2>/dev/null
	wait "$_nt_uevent_pid" 2>/dev/null
	_nt_uevent_pid=
}

nt_uevent_count() {
	local file=$1 event=$2 vf=$3

	grep -E "(^| )NETVSC_EVENT=$event( |$)" "$file" 2>/dev/null |
		grep -cE "(^| )NETVSC_VF=$vf( |$)"
}

# nt_uevent_wait FILE EVENT VF N: wait until FILE has N such events.
nt_uevent_wait() {
	local file=$1 event=$2 vf=$3 n=$4

	_nt_uevent_atleast() {
		[ "$(nt_uevent_count "$file" "$event" "$vf")" -ge "$n" ]
	}
	wait_for 60 _nt_uevent_atleast
}

nt_uevent_env() {
	local file=$1 event=$2 vf=$3 n=$4

	grep -E "(^| )NETVSC_EVENT=$event( |$)" "$file" 2>/dev/null |
		grep -E "(^| )NETVSC_VF=$vf( |$)" | sed -n "${n}p" | tr ' ' '\n'
}

nt_uevent_add_env() {
	grep -E "(^| )ACTION=add( |$)" "$1" 2>/dev/null |
		grep -E "(^| )INTERFACE=$2( |$)" | tail -n 1 | tr ' ' '\n'
}

NT_RX_PY='
import select, socket, struct, sys, time
out, etype, marker = sys.argv[1], int(sys.argv[2], 0), sys.argv[3].encode()
devs = sys.argv[4:]
socks = {}
for d in devs:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(etype))
    s.bind((d, etype))
    socks[s] = d
count = dict((d, 0) for d in devs)
open(out + ".ready", "w").close()
deadline = time.time() + 60
done = False
while not done and time.time() < deadline:
    r, _, _ = select.select(list(socks), [], [], 1)
    for s in r:
        try:
            data, addr = s.recvfrom(65536)
        except OSError:
            # ENETDOWN, reported once by a socket bound to a down device
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(data) < 14:
            continue
        payload = data[14:]
        if payload.startswith(marker + b"-end"):
            done = True
        elif payload.startswith(marker + b"-"):
            count[socks[s]] += 1
with open(out + ".tmp", "w") as f:
    for d in devs:
        f.write("%s %d\n" % (d, count[d]))
    f.write("end %d\n" % done)
import os
os.rename(out + ".tmp", out)
'

NT_TX_PY='
import socket, sys
dev, dmac, n, etype, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0), sys.argv[5].encode()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
src = s.getsockname()[4]
dst = bytes(int(x, 16) for x in dmac.split(":"))
hdr = dst + src + etype.to_bytes(2, "big")
for i in range(n):
    s.send(hdr + (marker + b"-%04d" % i).ljust(46, b"\0"))
s.send(hdr + (marker + b"-end").ljust(46, b"\0"))
'

_nt_rx_pid=

nt_rx_start() {
	local ns=$1 file=$2

	shift 2
	rm -f "$file" "$file.ready"
	ip netns exec "$ns" python3 -c "$NT_RX_PY" "$file" "$NT_ETHERTYPE" \
		nvs-nt "$@" &
	_nt_rx_pid=$!
	wait_for 60 test -e "$file.ready"
}

nt_rx_wait() {
	wait_for 70 test -e "$1"
	wait "$_nt_rx_pid" 2>/dev/null
	_nt_rx_pid=
	test -e "$1"
}

nt_tx() {
	ip netns exec "$1" python3 -c "$NT_TX_PY" "$2" "$3" "$4" \
		"$NT_ETHERTYPE" nvs-nt
}

nt_carrier() {
	ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null
}

[ -z "${NT_SOURCE_ONLY:-}" ] || return 0

# ------------------------------------------------------------------ test

NPKT=9
VF=$TOPO_VF
EV=$NT_TMP/uevents
RX=$NT_TMP/rx

# vflist lists the VFs of the reader's netns: read it in the guest's.
vflist() {
	in_g cat /sys/module/netvsc/parameters/vflist
}

vf_listed() {
	vflist | tr ' ' '\n' | grep -qx "$VF"
}

all_back() {
	topo_synthetic && carrier_is 1 && [ -z "$(vflist | tr -d ' ')" ]
}

carrier_is() {
	[ "$(nt_carrier "$TOPO_G" "$TOPO_DEV")" = "$1" ]
}

# uevent_is N EVENT: the N-th EVENT uevent for our VF is a change of the
# synthetic device, with what udev needs to match it.
uevent_is() {
	local env want

	env=$(nt_uevent_env "$EV" "$2" "$VF" "$1")
	for want in ACTION=change SUBSYSTEM=net "INTERFACE=$TOPO_DEV" \
		    "NETVSC_EVENT=$2" "NETVSC_VF=$VF"; do
		grep -qx -- "$want" <<<"$env" ||
			{ echo "no $want in uevent $1:"; echo "$env"; return 1; }
	done
	grep -qx -- "DEVPATH=.*/net/$TOPO_DEV" <<<"$env" ||
		{ echo "DEVPATH is not the synthetic device's:"; echo "$env"; return 1; }
}

# rx_check WHERE: send NPKT frames from the host's end of the synthetic
# wire; they must all be seen on WHERE (vf or synthetic), none on the
# other.
rx_check() {
	local want_vf want_syn got

	if [ "$1" = vf ]; then
		want_vf=$NPKT want_syn=0
	else
		want_vf=0 want_syn=$NPKT
	fi
	nt_rx_start "$TOPO_G" "$RX" "$VF" "$TOPO_DEV" ||
		{ echo "packet sockets not ready"; return 1; }
	nt_tx "$TOPO_H" "$(sim_host_ifname "$TOPO_ID")" "$TOPO_MAC" "$NPKT" ||
		{ echo "cannot send"; return 1; }
	nt_rx_wait "$RX" || { echo "the end marker never arrived"; return 1; }
	got=$(tr '\n' ' ' <"$RX")
	[ "$got" = "$VF $want_vf $TOPO_DEV $want_syn end 1 " ] ||
		{ echo "expected: $VF $want_vf $TOPO_DEV $want_syn end 1"; echo "actual:   $got"; return 1; }
}

nvs_require_modules
ktap_plan 23

if nt_load; then
	ktap_ok "netvsc loaded with vf_transparent=0"
else
	ktap_fail "netvsc loaded with vf_transparent=0"
	ktap_finished
fi

if topo_setup; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi

# The VF: its peer is up in the host netns but not on the bridge.
ip link add "$VF" netns "$TOPO_G" address "$TOPO_MAC" type veth \
	peer name "${VF}p" netns "$TOPO_H"
in_h ip link set "${VF}p" up
check "the VF is paired: vflist lists it" wait_for 10 vf_listed
in_g ip link set "$VF" name nvsren0
check_eq "a renamed VF is listed by its new name" nvsren0 "$(vflist)"
in_g ip link set nvsren0 name "$VF"
check_eq "and by its old name once renamed back" "$VF" "$(vflist)"
check_eq "the VF is not enslaved" "" "$(topo_vf_master)"
check_eq "VF down: data path synthetic" synthetic "$(topo_datapath)"
check "VF down: the synthetic device has carrier" wait_for 10 carrier_is 1

if nt_uevents_start "$TOPO_G" "$EV"; then
	ktap_ok "uevent listener"
else
	ktap_fail "uevent listener"
fi

in_g ip link set "$VF" up
check "VF up: data path VF" wait_for 10 topo_joined
check "VF up: the synthetic device has no carrier" wait_for 10 carrier_is 0
check "VF up: a VF_UP uevent" nt_uevent_wait "$EV" VF_UP "$VF" 1
check "VF up: it is a change on the synthetic device, NETVSC_VF names the VF" \
	uevent_is 1 VF_UP
check "VF up: frames from the synthetic path are received on the VF" \
	rx_check vf
check_eq "VF up: still not enslaved" "" "$(topo_vf_master)"

in_g ip link set "$VF" down
check "VF down: a VF_DOWN uevent" nt_uevent_wait "$EV" VF_DOWN "$VF" 1
check "VF down: it is a change on the synthetic device, NETVSC_VF names the VF" \
	uevent_is 1 VF_DOWN
check "VF down: data path synthetic" wait_for 10 topo_synthetic
check "VF down: the carrier is back" wait_for 10 carrier_is 1
check "VF down: frames are the synthetic device's again" rx_check synthetic

in_g ip link set "$VF" up
nt_uevent_wait "$EV" VF_UP "$VF" 2
wait_for 10 topo_joined
topo_vf_del "$VF"
check "VF removed: a VF_DOWN uevent" nt_uevent_wait "$EV" VF_DOWN "$VF" 2
check_eq "VF removed: the uevents were VF_UP, VF_DOWN, VF_UP, VF_DOWN" \
	"VF_UP VF_DOWN VF_UP VF_DOWN" \
	"$(grep -o 'NETVSC_EVENT=[A-Z_]*' "$EV" | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')"
check "VF removed: data path synthetic, carrier back, vflist empty" \
	wait_for 10 all_back

ktap_finished
