#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netvsc_sim debugfs knobs and what the guest makes of them: the offload
# knobs in ethtool -k (live and through defaults/ for a new device),
# tso_max_size/tso_max_segs in ip -d link, max_mtu in maxmtu, link in the
# carrier and operstate, fail_mtu failing an MTU change, bad writes
# rejected without effect, and rx_filter following promisc and allmulti.
# timeout: 300

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

ktap_plan 64
nvs_require_modules
if ! nvs_load; then
	ktap_fail "load netvsc and netvsc_sim" "insmod failed"
	ktap_finished
fi

ID=4
ID2=44
DEFS=$NVS_DEBUGFS/defaults
KNOBS=(sg tx_csum rx_csum tso tso_max_size tso_max_segs max_mtu)

# knob name -> the ethtool -k feature it offers
declare -A FEAT=([sg]=scatter-gather [tx_csum]=tx-checksumming
		 [rx_csum]=rx-checksumming [tso]=tcp-segmentation-offload)

# feature DEV NAME: on or off, from ethtool -k.
feature() {
	ethtool -k "$1" | sed -n "s/^$2: \([a-z]*\).*/\1/p"
}

# features DEV: "name=on|off" for the four offloads, in knob order.
features() {
	local k out=()

	for k in sg tx_csum rx_csum tso; do
		out+=("$k=$(feature "$1" "${FEAT[$k]}")")
	done
	echo "${out[*]}"
}

# link_attr DEV ATTR: the value after ATTR in ip -d link show.
link_attr() {
	ip -d link show dev "$1" |
		awk -v a="$2" '{ for (i = 1; i < NF; i++) if ($i == a) print $(i + 1) }'
}

# errmsg FILE VALUE: "ok", or the shell's error text of the failed write.
errmsg() {
	local out

	if out=$({ echo "$2" >"$1"; } 2>&1); then
		echo ok
	else
		echo "${out##*write error: }"
	fi
}

# knob_values DIR: the values of the seven offload knobs in DIR.
knob_values() {
	local k out=()

	for k in "${KNOBS[@]}"; do
		out+=("$(cat "$1/$k")")
	done
	echo "${out[*]}"
}

# Save the defaults and put them back at exit, whatever happens.
declare -A SAVED
for k in "${KNOBS[@]}"; do
	SAVED[$k]=$(cat "$DEFS/$k")
done
restore_defaults() {
	local k

	for k in "${KNOBS[@]}"; do
		echo "${SAVED[$k]}" >"$DEFS/$k"
	done
}
on_exit restore_defaults

check "create device $ID" sim_new $ID 00:15:5d:00:44:04
DEV=$(sim_ifname $ID)
DBG=$(sim_dbg $ID)
check_eq "device $ID: all four offloads on" \
	"sg=on tx_csum=on rx_csum=on tso=on" "$(features "$DEV")"

# ------------------------------------------------------------------ live offloads

for k in sg tx_csum rx_csum tso; do
	echo 0 >"$DBG/$k"
	check_eq "$k=0: ethtool -k shows ${FEAT[$k]} off" off \
		"$(feature "$DEV" "${FEAT[$k]}")"
	echo 1 >"$DBG/$k"
	check_eq "$k=1: ethtool -k shows ${FEAT[$k]} on again" on \
		"$(feature "$DEV" "${FEAT[$k]}")"
done
check_eq "after the toggles: all four offloads on" \
	"sg=on tx_csum=on rx_csum=on tso=on" "$(features "$DEV")"

# ------------------------------------------------------------------ limits

echo 30000 >"$DBG/tso_max_size"
check_eq "tso_max_size=30000: tso_max_size and gso_max_size 30000" \
	"30000 30000" \
	"$(link_attr "$DEV" tso_max_size) $(link_attr "$DEV" gso_max_size)"
echo 62768 >"$DBG/tso_max_size"
check_eq "tso_max_size=62768: tso_max_size and gso_max_size 62768" \
	"62768 62768" \
	"$(link_attr "$DEV" tso_max_size) $(link_attr "$DEV" gso_max_size)"
echo 100 >"$DBG/tso_max_segs"
check_eq "tso_max_segs=100: tso_max_segs and gso_max_segs 100" "100 100" \
	"$(link_attr "$DEV" tso_max_segs) $(link_attr "$DEV" gso_max_segs)"
echo 4096 >"$DBG/tso_max_segs"
check_eq "tso_max_segs=4096: tso_max_segs and gso_max_segs 4096" "4096 4096" \
	"$(link_attr "$DEV" tso_max_segs) $(link_attr "$DEV" gso_max_segs)"

echo 9000 >"$DBG/max_mtu"
check_eq "max_mtu=9000: maxmtu 9000" 9000 "$(link_attr "$DEV" maxmtu)"
check "max_mtu=9000: MTU 9000 accepted" ip link set dev "$DEV" mtu 9000
check_eq "max_mtu=9000: the host was told MTU 9000" 9000 "$(cat "$DBG/mtu")"
check "max_mtu=9000: MTU 9001 refused" \
	sh -c "! ip link set dev '$DEV' mtu 9001 2>/dev/null"
check_eq "max_mtu below the current MTU: EBUSY, knob unchanged" \
	"Device or resource busy 9000" \
	"$(errmsg "$DBG/max_mtu" 8999) $(cat "$DBG/max_mtu")"
ip link set dev "$DEV" mtu 1500
echo 65521 >"$DBG/max_mtu"
check_eq "max_mtu=65521: maxmtu 65521" 65521 "$(link_attr "$DEV" maxmtu)"

# ------------------------------------------------------------------ fail_mtu

echo 1 >"$DBG/fail_mtu"
check "fail_mtu=1: MTU change to 1400 fails" \
	sh -c "! ip link set dev '$DEV' mtu 1400 2>/dev/null"
check_eq "fail_mtu=1: MTU stays 1500, on the guest and at the host" \
	"1500 1500" "$(cat "/sys/class/net/$DEV/mtu") $(cat "$DBG/mtu")"
check_eq "fail_mtu reads 0 afterwards" 0 "$(cat "$DBG/fail_mtu")"
check "after fail_mtu: MTU change to 1400 works" ip link set dev "$DEV" mtu 1400
check_eq "after fail_mtu: MTU 1400, on the guest and at the host" \
	"1400 1400" "$(cat "/sys/class/net/$DEV/mtu") $(cat "$DBG/mtu")"
ip link set dev "$DEV" mtu 1500

# ------------------------------------------------------------------ link

carrier_is() {
	[ "$(cat "/sys/class/net/$DEV/carrier" 2>/dev/null)" = "$1" ] &&
	[ "$(cat "/sys/class/net/$DEV/operstate")" = "$2" ]
}

check "bring device $ID up" ip link set dev "$DEV" up
check "link=1: carrier 1, operstate up" wait_for 20 carrier_is 1 up
echo 0 >"$DBG/link"
check "link=0: carrier 0, operstate down" wait_for 20 carrier_is 0 down
check_eq "link reads 0" 0 "$(cat "$DBG/link")"
echo 1 >"$DBG/link"
check "link=1 again: carrier 1, operstate up" wait_for 20 carrier_is 1 up
ip link set dev "$DEV" down
echo 0 >"$DBG/link"
ip link set dev "$DEV" up
check "up with link=0: carrier 0, operstate down" wait_for 20 carrier_is 0 down
echo 1 >"$DBG/link"
check "then link=1: carrier 1, operstate up" wait_for 20 carrier_is 1 up

# ------------------------------------------------------------------ rx_filter

# filter_bits MASK: the rx_filter bits in MASK, in decimal.
filter_bits() {
	echo $(($(cat "$DBG/rx_filter") & $1))
}

check_eq "up: rx_filter has directed and broadcast, not promisc/allmulti" \
	9 "$(filter_bits 29)"
ip link set dev "$DEV" promisc on
check_eq "promisc on: rx_filter has promisc (16)" 16 "$(filter_bits 16)"
ip link set dev "$DEV" promisc off
check_eq "promisc off: rx_filter lost promisc" 0 "$(filter_bits 16)"
ip link set dev "$DEV" allmulticast on
check_eq "allmulticast on: rx_filter has allmulti (4)" 4 "$(filter_bits 4)"
ip link set dev "$DEV" allmulticast off
check_eq "allmulticast off: rx_filter lost allmulti" 0 "$(filter_bits 4)"
check_eq "still directed and broadcast" 9 "$(filter_bits 9)"

# ------------------------------------------------------------------ bad writes

# bad KNOB_FILE VALUE: the write fails with EINVAL and the knob keeps its
# value.
bad() {
	local before after err

	before=$(cat "$1")
	err=$(errmsg "$1" "$2")
	after=$(cat "$1")
	check_eq "bad write ${1#"$NVS_DEBUGFS/"}=$2: EINVAL, value unchanged" \
		"Invalid argument $before" "$err $after"
}

for k in sg tx_csum rx_csum tso link; do
	bad "$DBG/$k" 2
done
bad "$DBG/tso_max_size" 1513
bad "$DBG/tso_max_size" 524281
bad "$DBG/tso_max_segs" 1
bad "$DBG/tso_max_segs" 65536
bad "$DBG/max_mtu" 67
bad "$DBG/max_mtu" 65536
bad "$DBG/tso" abc
bad "$DEFS/tso" 2
bad "$DEFS/max_mtu" 65536
check_eq "after the bad writes: all four offloads still on" \
	"sg=on tx_csum=on rx_csum=on tso=on" "$(features "$DEV")"

# ------------------------------------------------------------------ defaults

set_defaults() {
	local kv

	for kv in "$@"; do
		echo "${kv#*=}" >"$DEFS/${kv%%=*}" || return 1
	done
}
check "defaults: offloads 0, tso_max_size 20000, tso_max_segs 50, max_mtu 4000" \
	set_defaults sg=0 tx_csum=0 rx_csum=0 tso=0 tso_max_size=20000 \
		tso_max_segs=50 max_mtu=4000
check "create device $ID2 with these defaults" sim_new $ID2 00:15:5d:00:44:44
DEV2=$(sim_ifname $ID2)
check_eq "device $ID2: all four offloads off" \
	"sg=off tx_csum=off rx_csum=off tso=off" "$(features "$DEV2")"
check_eq "device $ID2: tso_max_size 20000 tso_max_segs 50 maxmtu 4000" \
	"20000 50 4000" \
	"$(link_attr "$DEV2" tso_max_size) $(link_attr "$DEV2" tso_max_segs) $(link_attr "$DEV2" maxmtu)"
check_eq "device $ID2: its knobs read the defaults it was made with" \
	"0 0 0 0 20000 50 4000" \
	"$(knob_values "$(sim_dbg $ID2)")"
check_eq "device $ID (made before): offloads still on" \
	"sg=on tx_csum=on rx_csum=on tso=on" "$(features "$DEV")"
check "delete device $ID2" sim_del $ID2
restore_defaults
check "create device $ID2 after restoring the defaults" \
	sim_new $ID2 00:15:5d:00:44:44
DEV2=$(sim_ifname $ID2)
check_eq "device $ID2: its knobs read the restored defaults" \
	"$(for k in "${KNOBS[@]}"; do echo "${SAVED[$k]}"; done | paste -sd ' ')" \
	"$(knob_values "$(sim_dbg $ID2)")"
check_eq "device $ID2: offloads on, tso_max_size and maxmtu the restored ones" \
	"sg=on tx_csum=on rx_csum=on tso=on ${SAVED[tso_max_size]} ${SAVED[max_mtu]}" \
	"$(features "$DEV2") $(link_attr "$DEV2" tso_max_size) $(link_attr "$DEV2" maxmtu)"

ktap_finished
