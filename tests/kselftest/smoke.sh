#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the test VM itself: right kernel, debugfs, netns, veth,
# ethtool offload toggles, and the lib.sh helpers.
# timeout: 120

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

ktap_plan 9

# tests/vm/run.sh passes the release of the kernel it booted (from KDIR).
if [ -n "${NVS_EXPECTED_RELEASE:-}" ]; then
	check_eq "VM runs the expected kernel" "$NVS_EXPECTED_RELEASE" "$(uname -r)"
else
	ktap_skip "VM runs the expected kernel" "NVS_EXPECTED_RELEASE not set"
fi

check "debugfs mounted" grep -q ' /sys/kernel/debug debugfs ' /proc/mounts
check "scratch dir is writable" touch ./scratch

ns_new nvs-smoke-a
ns_new nvs-smoke-b
check "ip netns add" test -e /run/netns/nvs-smoke-b

check "veth pair across netns" \
	ip link add nvs-va netns nvs-smoke-a type veth peer nvs-vb netns nvs-smoke-b
in_ns nvs-smoke-a ip addr add 192.0.2.1/24 dev nvs-va
in_ns nvs-smoke-b ip addr add 192.0.2.2/24 dev nvs-vb
in_ns nvs-smoke-a ip link set nvs-va up
in_ns nvs-smoke-b ip link set nvs-vb up

# shellcheck disable=SC2317
link_up() {
	in_ns "$1" ip -o link show dev "$2" | grep -q 'state UP'
}

check "veth carrier up (wait_for)" wait_for 10 link_up nvs-smoke-a nvs-va
check "ping over veth" in_ns nvs-smoke-a ping -c 1 -W 5 192.0.2.2
check "ethtool -K on veth" in_ns nvs-smoke-a ethtool -K nvs-va tso off gro on

offload=$(in_ns nvs-smoke-a ethtool -k nvs-va |
	sed -n 's/^tcp-segmentation-offload: \([a-z]*\).*/\1/p')
check_eq "ethtool -k shows tso off" off "$offload"

ktap_finished
