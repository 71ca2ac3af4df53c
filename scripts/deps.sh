#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages netvsc needs to build, check and test.
# This is the one list of them.
#
# Usage: scripts/deps.sh [--list]
#
# Does nothing when all are installed.  As root it runs apt-get update
# (once) and apt-get install; otherwise it prints the install command and
# exits 1.  --list prints the package names.

set -eu

PACKAGES=(
	# build
	build-essential gcc make bc kmod pkg-config libmnl-dev
	linux-headers-amd64
	# static checks: sparse, and checkpatch.pl from the kernel source
	sparse perl linux-source-6.1 xz-utils git
	# test VM: the kernel it boots, the emulator, the initramfs
	linux-image-amd64 qemu-system-x86 busybox-static
	# tools used by the tests inside the VM
	iproute2 iputils-ping ethtool iperf3 procps socat tcpdump
	python3 python3-pyroute2 python3-yaml util-linux coreutils
	# make bench: team for the comparison, perf for the CPU cost
	libteam-utils linux-perf
	# userspace parser tests: ASan, UBSan and libFuzzer
	clang libclang-rt-14-dev
	# make check-debug: building our debug kernel
	bison flex libelf-dev libssl-dev cpio
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || :)
	case "$status" in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done

[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "sudo apt-get install -y --no-install-recommends ${missing[*]}"
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
