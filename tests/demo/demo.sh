#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netvsc demo, run inside the test VM by scripts/demo.sh: the synthetic
# NIC carrying traffic, a VF taking over, and the VF removed in the middle of
# a TCP transfer that still completes intact.

set -u
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=../kselftest/lib.sh
. "$HERE/../kselftest/lib.sh"
# shellcheck source=../kselftest/topo.sh
. "$HERE/../kselftest/topo.sh"

VFCTL=$NETVSC_DIR/tools/vfctl/vfctl
step=0

say() {
	step=$((step + 1))
	printf '\n=== %d. %s\n' "$step" "$*"
}

run() {
	printf '$ %s\n' "$*"
	"$@"
}

vfctl_show() {
	[ -x "$VFCTL" ] && run in_g "$VFCTL" show "$TOPO_DEV"
}

stats() {
	run in_g ethtool -S "$TOPO_DEV"
}

nvs_require_modules
# The demo's VF is a veth: netvsc takes it only with vf_trust_nonpci
# (NVS_VETH_PARAMS), which is for testing.
nvs_load "${NVS_VETH_PARAMS[@]}" || exit 1

say "A simulated Hyper-V NIC and a host namespace"
topo_setup || { echo "demo: cannot build the topology" >&2; exit 1; }
run in_g ip -br link show
run in_g ip -br addr show dev "$TOPO_DEV"
run in_g ethtool -i "$TOPO_DEV"

say "Traffic on the synthetic path"
run in_g ping -c 3 -i 0.2 "$TOPO_HOST_IP" || exit 1
stats

say "A VF with the same MAC address appears"
topo_vf_add || exit 1
wait_for 20 topo_joined || { echo "demo: the VF did not join" >&2; exit 1; }
run in_g ip link show "$TOPO_VF"
vfctl_show
dmesg | grep -E 'netvsc.*(claimed|joined|data path)' | tail -3

say "Traffic on the VF"
run in_g ping -c 3 -i 0.2 "$TOPO_HOST_IP" || exit 1
run in_g sh -c "ethtool -S $TOPO_DEV | grep -E 'vf_|synth_tx_packets'"

say "The VF is removed in the middle of a TCP transfer"
blob=$(mktemp /tmp/demo.XXXXXX)
on_exit rm -f "$blob" "$blob.recv"
head -c $((16 * 1024 * 1024)) /dev/urandom > "$blob"
want=$(sha256sum < "$blob" | cut -d' ' -f1)
in_h socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$blob.recv",creat,trunc &
recv=$!
wait_for 10 in_h sh -c 'ss -ltn | grep -q :5001'
in_g python3 "$HERE/paced_send.py" "$TOPO_HOST_IP" 5001 "$blob" $((4 * 1024 * 1024)) &
send=$!
tx0=$(topo_stat vf_tx_bytes)
wait_for 20 sh -c "[ \$(ip netns exec $TOPO_G ethtool -S $TOPO_DEV | awk '/vf_tx_bytes:/ {print \$2}') -gt $((tx0 + 2000000)) ]"
echo "about 2 MB sent over the VF; removing it"
run topo_vf_del
wait_for 10 topo_synthetic
run in_g ip -br link show
echo "waiting for the transfer to finish on the synthetic path"
wait "$send"; sent=$?
wait "$recv"
got=$(sha256sum < "$blob.recv" | cut -d' ' -f1)
echo "sent sha256     $want"
echo "received sha256 $got"
stats

say "The VF comes back"
topo_vf_add || exit 1
wait_for 20 topo_joined
run in_g ping -c 3 -i 0.2 "$TOPO_HOST_IP"
vfctl_show
run in_g sh -c "ethtool -S $TOPO_DEV | grep -E 'vf_|datapath_switches'"

if [ "$sent" = 0 ] && [ "$want" = "$got" ]; then
	printf '\ndemo: the transfer survived the VF removal intact\n'
	exit 0
fi
printf '\ndemo: the transfer did NOT survive (sender exit %s)\n' "$sent" >&2
exit 1
