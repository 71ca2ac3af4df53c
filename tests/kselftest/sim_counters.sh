#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Exact counter deltas on the synthetic path.  The guest and nvshID live in
# two netns with IPv6 off and static neighbours, so that the pings are the
# only frames on the wire: N pings must move the guest's ethtool -S synth_*
# counters, its ip -s link totals and nvshID's counters by exactly N
# frames of 98 bytes (an ICMP echo with 56 data bytes: 14 + 20 + 8 + 56)
# each way, and leave the vf_* counters alone.  drop_tx=K must lose
# exactly K echo requests and read 0 afterwards.
# timeout: 300

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

ktap_plan 30
nvs_require_modules
if ! nvs_load; then
	ktap_fail "load netvsc and netvsc_sim" "insmod failed"
	ktap_finished
fi

ID=3
MAC=00:15:5d:00:33:03
G=nvs-cnt-g
H=nvs-cnt-h
GIP=10.33.0.1
HIP=10.33.0.2
FRAME=98
N=10
HOST=$(sim_host_ifname $ID)
DEV=
DBG=$(sim_dbg $ID)

setup() {
	local ns hmac

	for ns in "$G" "$H"; do
		ns_new "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	sim_new $ID $MAC || return 1
	DEV=$(sim_ifname $ID) || return 1
	ip link set "$DEV" netns "$G" || return 1
	ip link set "$HOST" netns "$H" || return 1
	hmac=$(ip netns exec "$H" cat "/sys/class/net/$HOST/address") || return 1

	ip netns exec "$H" ip addr add "$HIP/24" dev "$HOST" &&
	ip netns exec "$H" ip neigh replace "$GIP" lladdr "$MAC" dev "$HOST" nud permanent &&
	ip netns exec "$H" ip link set "$HOST" up || return 1
	ip netns exec "$G" ip addr add "$GIP/24" dev "$DEV" &&
	ip netns exec "$G" ip neigh replace "$HIP" lladdr "$hmac" dev "$DEV" nud permanent &&
	ip netns exec "$G" ip link set "$DEV" up || return 1
	wait_for 20 carrier
}

carrier() {
	[ "$(ip netns exec "$G" cat "/sys/class/net/$DEV/carrier" 2>/dev/null)" = 1 ]
}

ipv6_off() {
	[ "$(ip netns exec "$G" cat "/proc/sys/net/ipv6/conf/$DEV/disable_ipv6")" = 1 ] &&
	[ "$(ip netns exec "$H" cat "/proc/sys/net/ipv6/conf/$HOST/disable_ipv6")" = 1 ]
}

# snap: all counters as NAME=VALUE words, in the array S.
#   g_<name>       the guest's ethtool -S
#   ip_{rx,tx}_{bytes,packets}   the guest's ip -s link
#   h_<name>       nvshID's /sys/class/net/.../statistics
snap() {
	local k v f

	S=()
	while read -r k v; do
		S+=("g_${k%:}=$v")
	done < <(ip netns exec "$G" ethtool -S "$DEV" | tail -n +2)
	while read -r k v; do
		S+=("$k=$v")
	done < <(ip netns exec "$G" ip -s link show dev "$DEV" | awk '
		/^ *RX: / { getline; print "ip_rx_bytes", $1; print "ip_rx_packets", $2 }
		/^ *TX: / { getline; print "ip_tx_bytes", $1; print "ip_tx_packets", $2 }')
	while read -r f v; do
		S+=("h_$f=$v")
	done < <(ip netns exec "$H" sh -c "cd /sys/class/net/$HOST/statistics &&
		for f in rx_packets rx_bytes tx_packets tx_bytes rx_dropped; do
			echo \$f \$(cat \$f)
		done")
}

# get NAME: a counter from the last snap.
get() {
	local w

	for w in "${S[@]}"; do
		if [ "${w%%=*}" = "$1" ]; then
			echo "${w#*=}"
			return 0
		fi
	done
	echo "missing:$1"
}

# deltas NAME...: "NAME=delta" words between the snaps in B and A.
deltas() {
	local n out=() b a

	for n in "$@"; do
		S=("${B[@]}"); b=$(get "$n")
		S=("${A[@]}"); a=$(get "$n")
		case "$a$b" in
		*missing*) out+=("$n=missing") ;;
		*) out+=("$n=$((a - b))") ;;
		esac
	done
	echo "${out[*]}"
}

# ping_recv NS COUNT DST: replies received out of COUNT pings.
ping_recv() {
	ip netns exec "$1" ping -c "$2" -i 0.2 -W 2 "$3" 2>&1 |
		sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p'
}

if setup; then
	ktap_ok "setup: guest and nvsh$ID in two netns, static neighbours"
else
	ktap_fail "setup: guest and nvsh$ID in two netns, static neighbours"
fi
check "IPv6 off on both ends" ipv6_off
check_eq "ethtool -i: driver netvsc_sim, bus-info netvsc_sim$ID" \
	"netvsc_sim netvsc_sim$ID" \
	"$(ip netns exec "$G" ethtool -i "$DEV" | awk '
		$1 == "driver:" { d = $2 } $1 == "bus-info:" { b = $2 }
		END { print d, b }')"
check_eq "ethtool -l: combined 1 (maximum and current)" "1 1" \
	"$(ip netns exec "$G" ethtool -l "$DEV" | awk '/^Combined:/ { c = c s $2; s = " " } END { print c }')"
check_eq "ethtool -S: the counter names" \
	"synth_rx_packets synth_rx_bytes synth_tx_packets synth_tx_bytes synth_tx_dropped vf_rx_packets vf_rx_bytes vf_tx_packets vf_tx_bytes vf_tx_dropped datapath_switches" \
	"$(ip netns exec "$G" ethtool -S "$DEV" | awk 'NR > 1 { sub(/:$/, "", $1); printf "%s%s", s, $1; s = " " }')"

# ------------------------------------------------------------------ guest -> host

snap; B=("${S[@]}")
check_eq "$N pings guest -> host, all answered" $N "$(ping_recv "$G" $N "$HIP")"
snap; A=("${S[@]}")

check_eq "ethtool -S synth_tx: +$N frames, +$((N * FRAME)) bytes" \
	"g_synth_tx_packets=$N g_synth_tx_bytes=$((N * FRAME))" \
	"$(deltas g_synth_tx_packets g_synth_tx_bytes)"
check_eq "ethtool -S synth_rx: +$N frames, +$((N * FRAME)) bytes" \
	"g_synth_rx_packets=$N g_synth_rx_bytes=$((N * FRAME))" \
	"$(deltas g_synth_rx_packets g_synth_rx_bytes)"
check_eq "ethtool -S synth_tx_dropped, vf_*, datapath_switches unchanged" \
	"g_synth_tx_dropped=0 g_vf_rx_packets=0 g_vf_rx_bytes=0 g_vf_tx_packets=0 g_vf_tx_bytes=0 g_vf_tx_dropped=0 g_datapath_switches=0" \
	"$(deltas g_synth_tx_dropped g_vf_rx_packets g_vf_rx_bytes g_vf_tx_packets g_vf_tx_bytes g_vf_tx_dropped g_datapath_switches)"
check_eq "ip -s link: tx +$N frames, +$((N * FRAME)) bytes" \
	"ip_tx_packets=$N ip_tx_bytes=$((N * FRAME))" \
	"$(deltas ip_tx_packets ip_tx_bytes)"
check_eq "ip -s link: rx +$N frames, +$((N * FRAME)) bytes" \
	"ip_rx_packets=$N ip_rx_bytes=$((N * FRAME))" \
	"$(deltas ip_rx_packets ip_rx_bytes)"
S=("${A[@]}")
check_eq "ip -s link totals equal synth + vf totals" \
	"$(($(get g_synth_rx_packets) + $(get g_vf_rx_packets))) $(($(get g_synth_rx_bytes) + $(get g_vf_rx_bytes))) $(($(get g_synth_tx_packets) + $(get g_vf_tx_packets))) $(($(get g_synth_tx_bytes) + $(get g_vf_tx_bytes)))" \
	"$(get ip_rx_packets) $(get ip_rx_bytes) $(get ip_tx_packets) $(get ip_tx_bytes)"
check_eq "nvsh$ID rx: +$N frames, +$((N * FRAME)) bytes" \
	"h_rx_packets=$N h_rx_bytes=$((N * FRAME))" \
	"$(deltas h_rx_packets h_rx_bytes)"
check_eq "nvsh$ID tx: +$N frames, +$((N * FRAME)) bytes" \
	"h_tx_packets=$N h_tx_bytes=$((N * FRAME))" \
	"$(deltas h_tx_packets h_tx_bytes)"

# ------------------------------------------------------------------ host -> guest

snap; B=("${S[@]}")
check_eq "$N pings host -> guest, all answered" $N "$(ping_recv "$H" $N "$GIP")"
snap; A=("${S[@]}")

check_eq "host -> guest: ethtool -S synth_rx and synth_tx +$N frames, +$((N * FRAME)) bytes" \
	"g_synth_rx_packets=$N g_synth_rx_bytes=$((N * FRAME)) g_synth_tx_packets=$N g_synth_tx_bytes=$((N * FRAME))" \
	"$(deltas g_synth_rx_packets g_synth_rx_bytes g_synth_tx_packets g_synth_tx_bytes)"
check_eq "host -> guest: ip -s link rx and tx +$N frames, +$((N * FRAME)) bytes" \
	"ip_rx_packets=$N ip_rx_bytes=$((N * FRAME)) ip_tx_packets=$N ip_tx_bytes=$((N * FRAME))" \
	"$(deltas ip_rx_packets ip_rx_bytes ip_tx_packets ip_tx_bytes)"
check_eq "host -> guest: nvsh$ID tx and rx +$N frames, +$((N * FRAME)) bytes" \
	"h_tx_packets=$N h_tx_bytes=$((N * FRAME)) h_rx_packets=$N h_rx_bytes=$((N * FRAME))" \
	"$(deltas h_tx_packets h_tx_bytes h_rx_packets h_rx_bytes)"

# ------------------------------------------------------------------ drop_tx

K=3
check "write drop_tx=$K" sh -c "echo $K >'$DBG/drop_tx'"
check_eq "drop_tx reads $K" $K "$(cat "$DBG/drop_tx")"
snap; B=("${S[@]}")
check_eq "drop_tx=$K: $N pings guest -> host, $((N - K)) answered" \
	$((N - K)) "$(ping_recv "$G" $N "$HIP")"
snap; A=("${S[@]}")
check_eq "drop_tx reads 0 afterwards" 0 "$(cat "$DBG/drop_tx")"
check_eq "drop_tx=$K: nvsh$ID received $((N - K)) requests, the guest $((N - K)) replies" \
	"h_rx_packets=$((N - K)) g_synth_rx_packets=$((N - K))" \
	"$(deltas h_rx_packets g_synth_rx_packets)"

# A dropped frame is dropped once: the next pings all get through.
snap; B=("${S[@]}")
check_eq "after drop_tx: $N pings guest -> host, all answered" $N \
	"$(ping_recv "$G" $N "$HIP")"
snap; A=("${S[@]}")
check_eq "after drop_tx: nvsh$ID rx and guest synth_rx +$N" \
	"h_rx_packets=$N g_synth_rx_packets=$N" \
	"$(deltas h_rx_packets g_synth_rx_packets)"

# drop_tx covers every frame, whatever its kind: a broadcast too.
check "write drop_tx=1" sh -c "echo 1 >'$DBG/drop_tx'"
snap; B=("${S[@]}")
ip netns exec "$G" ping -c 1 -b -W 1 10.33.0.255 >/dev/null 2>&1
snap; A=("${S[@]}")
check_eq "drop_tx=1: a broadcast ping is dropped (nvsh$ID rx +0)" \
	"h_rx_packets=0 drop_tx=0" \
	"$(deltas h_rx_packets) drop_tx=$(cat "$DBG/drop_tx")"

# ------------------------------------------------------------------ larger frames

# 1000 data bytes: 14 + 20 + 8 + 1000 = 1042 bytes a frame.
snap; B=("${S[@]}")
got=$(ip netns exec "$G" ping -c 4 -s 1000 -i 0.2 -W 2 "$HIP" 2>&1 |
	sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
snap; A=("${S[@]}")
check_eq "4 pings of 1000 bytes, all answered" 4 "$got"
check_eq "1000-byte pings: synth tx/rx +4 frames, +4168 bytes each way" \
	"g_synth_tx_packets=4 g_synth_tx_bytes=4168 g_synth_rx_packets=4 g_synth_rx_bytes=4168" \
	"$(deltas g_synth_tx_packets g_synth_tx_bytes g_synth_rx_packets g_synth_rx_bytes)"
check_eq "1000-byte pings: nvsh$ID rx/tx +4 frames, +4168 bytes each way" \
	"h_rx_packets=4 h_rx_bytes=4168 h_tx_packets=4 h_tx_bytes=4168" \
	"$(deltas h_rx_packets h_rx_bytes h_tx_packets h_tx_bytes)"

ktap_finished
