#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages netvsc needs to build, check, test and
# package.  This is the one list of them, in groups:
#
#   build    the kernel modules and vfctl (make, make modules)
#   vm       the test VM: its kernel, QEMU, and the tools the tests run
#            in it (make demo needs build and vm)
#   check    the static checks of make check (sparse, checkpatch, the
#            parser units under ASan, UBSan and libFuzzer)
#   bench    make bench
#   debug    make check-debug: building our debug kernel
#   deb      make deb: the Debian packages and lintian
#   fresh    make check-fresh, on the host: debootstrap
#
# Usage: scripts/deps.sh [--list] [GROUP...]
#        scripts/deps.sh --groups   (prints the default groups)
#
# Without a GROUP: build vm check bench debug, everything make check and
# the benchmarks need.  Does nothing when all are installed.  As root it
# runs apt-get update (once) and apt-get install; otherwise it prints the
# install command and exits 1.  --list prints the package names.

set -eu

declare -A GROUP=(
	[build]="build-essential gcc make bc kmod pkg-config libmnl-dev
		 linux-headers-amd64"
	[vm]="linux-image-amd64 qemu-system-x86 busybox-static
	      iproute2 iputils-ping ethtool iperf3 procps socat tcpdump
	      python3 python3-pyroute2 python3-yaml util-linux coreutils"
	# sparse; checkpatch.pl from the kernel source; clang for the units
	[check]="sparse perl linux-source-6.1 xz-utils git
		 clang libclang-rt-14-dev"
	# team for the comparison, perf for the CPU cost
	[bench]="libteam-utils linux-perf"
	[debug]="bison flex libelf-dev libssl-dev cpio"
	# dkms itself is not here: netvsc-dkms depends on it, and
	# make check-fresh shows that installing the package brings it.
	[deb]="build-essential dpkg-dev debhelper dh-dkms fakeroot lintian
	       pkg-config libmnl-dev"
	[fresh]="debootstrap git util-linux tar gzip"
)
DEFAULT_GROUPS="build vm check bench debug"

if [ "${1:-}" = --groups ]; then
	echo "$DEFAULT_GROUPS"
	exit 0
fi
list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
# shellcheck disable=SC2086 # a list of group names
[ $# -gt 0 ] || set -- $DEFAULT_GROUPS

packages=()
for g in "$@"; do
	if [ -z "${GROUP[$g]+set}" ]; then
		echo "deps: no group '$g' (groups: ${!GROUP[*]})" >&2
		exit 2
	fi
	for p in ${GROUP[$g]}; do
		case " ${packages[*]} " in
		*" $p "*) ;;
		*) packages+=("$p") ;;
		esac
	done
done

if [ $list = 1 ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
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
