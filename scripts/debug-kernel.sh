#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the netvsc debug kernel: Debian's linux-source-6.1 with
# "make allnoconfig" plus scripts/debug-kernel.config (what the test VM and
# the kselftests need, and KASAN, UBSAN, kmemleak, lockdep and friends).
#
# Usage:
#   scripts/debug-kernel.sh [--config-only] [--no-install] [--env]
#
#   --config-only  make and check the .config, do not build
#   --no-install   do not install the modules under /lib/modules/<release>
#   --env          print KDIR=, NVS_KERNEL=, NVS_DEBUG_RELEASE= lines on
#                  stdout (everything else goes to stderr)
#
# The build lives in $NVS_DEBUG_KERNEL_DIR/build-<key> (default
# /var/cache/netvsc-debug/kernel, see below), where <key> hashes
# the config fragment, this script's build recipe version, the source
# package version and the compiler: a second run with the same key does
# not rebuild.  The source is unpacked once per package version into
# $NVS_DEBUG_KERNEL_DIR/src-<version>.
#
# The test VM (tests/vm/run.sh) mounts the host's root, and it and the
# in-VM tools (modprobe, modinfo) look for the kernel's modules in
# /lib/modules/<release>: the few modules of this kernel (bonding, team,
# macvlan, ...) are installed there, as root, unless --no-install.  The
# release is 6.1.<sublevel>-nvsdebug, which no Debian package uses; the
# directory is replaced only when it carries our marker file.
#
# Environment: NVS_DEBUG_KERNEL_DIR (where the source and the builds live;
# default /var/cache/netvsc-debug/kernel, or ~/.cache/netvsc-debug/kernel
# when /var/cache is not writable; not inside the repo: "make M=<repo>
# clean" would delete the objects), NVS_DEBUG_JOBS (make -j, default:
# number of CPUs), NVS_DEBUG_SRC (default /usr/src/linux-source-6.1.tar.xz).
#
# Needs: build-essential bc bison flex libelf-dev libssl-dev cpio kmod xz-utils
# linux-source-6.1.

set -euo pipefail

# Bump when the build recipe below changes in a way the key must see.
RECIPE=1

SELF_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
FRAGMENT=$SELF_DIR/debug-kernel.config
TARBALL=${NVS_DEBUG_SRC:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${NVS_DEBUG_JOBS:-$(nproc)}
# Not under $BUILDDIR by default: that is inside the repo, and every
# "make -C <kdir> M=<repo> clean" (scripts/check.sh runs one) deletes all
# *.o, *.a, *.ko, .*.cmd and modules.order below the repo, a kernel build
# in .build/ included.  /var/cache also outlives CI's fresh clones.
if [ -z "${NVS_DEBUG_KERNEL_DIR:-}" ]; then
	if [ -w /var/cache ]; then
		NVS_DEBUG_KERNEL_DIR=/var/cache/netvsc-debug/kernel
	else
		NVS_DEBUG_KERNEL_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/netvsc-debug/kernel
	fi
fi
TOP=$NVS_DEBUG_KERNEL_DIR
MARKER=.nvs-debug-kernel

config_only=0
install=1
print_env=0
while [ $# -gt 0 ]; do
	case "$1" in
	--config-only) config_only=1 ;;
	--no-install) install=0 ;;
	--env) print_env=1 ;;
	-h|--help)
		sed -n '/^# Usage:/,/^# The build lives/p' "${BASH_SOURCE[0]}" |
			sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) echo "debug-kernel: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

msg() {
	echo "debug-kernel: $*" >&2
}

die() {
	msg "error: $*"
	exit 1
}

need_tools() {
	local t missing=

	for t in make gcc bc bison flex xz cpio depmod perl; do
		command -v "$t" >/dev/null || missing+=" $t"
	done
	[ -f /usr/include/libelf.h ] || missing+=" libelf-dev"
	[ -f /usr/include/openssl/ssl.h ] || missing+=" libssl-dev"
	[ -z "$missing" ] || die "missing build tools:$missing (scripts/deps.sh)"
}

[ -r "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.1)"
need_tools

srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || :)
[ -n "$srcver" ] || srcver=$(stat -c '%s-%Y' "$TARBALL")
key=$({
	echo "recipe $RECIPE"
	echo "source $srcver"
	gcc --version | head -n 1
	grep -v '^[[:space:]]*#\|^[[:space:]]*$' "$FRAGMENT"
	grep '^# CONFIG_' "$FRAGMENT"
} | sha256sum | cut -c1-16)

SRC=$TOP/src-$srcver
OUT=$TOP/build-$key
mkdir -p "$TOP"

# One build at a time (several work trees, or CI, may share the cache).
exec 7>"$TOP/lock"
if ! flock -n 7; then
	msg "waiting for another debug kernel build ($TOP/lock)"
	flock 7
fi

# ---------------------------------------------------------------- source

if [ ! -f "$SRC/.nvs-unpacked" ]; then
	msg "unpacking $TARBALL ($srcver)"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1
	touch "$SRC.tmp/.nvs-unpacked"
	mv "$SRC.tmp" "$SRC"
fi

KMAKE=(make -C "$SRC" O="$OUT" ARCH=x86_64 -j"$JOBS")

# ---------------------------------------------------------------- config

# Every line of the fragment must be in the final .config: a symbol whose
# dependencies are not met is dropped silently by olddefconfig.
check_config() {
	local cfg=$1 line sym bad=()

	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" || bad+=("want $line, have: $(grep "^${line%%=*}=" "$cfg" || echo unset)")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=[ym]" "$cfg" || bad+=("want $sym unset, have: $(grep "^$sym=" "$cfg")")
			;;
		esac
	done <"$FRAGMENT"
	if [ ${#bad[@]} -ne 0 ]; then
		msg "options of $FRAGMENT that did not survive olddefconfig:"
		printf '  %s\n' "${bad[@]}" >&2
		return 1
	fi
}

make_config() {
	msg "configuring in $OUT"
	mkdir -p "$OUT"
	"${KMAKE[@]}" -s allnoconfig >"$OUT/config.log" 2>&1
	cat "$FRAGMENT" >>"$OUT/.config"
	"${KMAKE[@]}" -s olddefconfig >>"$OUT/config.log" 2>&1
	check_config "$OUT/.config" || die "config check failed"
}

kernel_release() {
	cat "$OUT/include/config/kernel.release"
}

# ---------------------------------------------------------------- build

build_kernel() {
	local TIMEFORMAT='%R s wall, %U s user, %S s system'

	msg "building bzImage and modules with -j$JOBS (log: $OUT/build.log)"
	if ! { time "${KMAKE[@]}" bzImage modules >"$OUT/build.log" 2>&1; } \
		2>"$OUT/.nvs-build-time"; then
		tail -n 40 "$OUT/build.log" >&2
		die "kernel build failed (full log: $OUT/build.log)"
	fi
	sed 's/\..*//' "$OUT/.nvs-build-time" >"$OUT/.nvs-build-seconds"
	msg "kernel built: $(cat "$OUT/.nvs-build-time")"
}

# Remove builds of older keys: each is a few GB.
prune_old() {
	local d

	for d in "$TOP"/build-*; do
		if [ ! -d "$d" ] || [ "$d" = "$OUT" ]; then
			continue
		fi
		msg "removing the stale build $d"
		rm -rf "$d"
	done
}

install_modules() {
	local dir=/lib/modules/$1

	if [ -f "$dir/$MARKER" ] && [ "$(cat "$dir/$MARKER")" = "$key" ] &&
	   [ -f "$dir/modules.dep" ]; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] ||
		die "$dir must be installed as root (or run with --no-install)"
	if [ -e "$dir" ] && [ ! -f "$dir/$MARKER" ]; then
		die "$dir exists and is not ours; not touching it"
	fi
	msg "installing the modules into $dir"
	rm -rf "$dir"
	"${KMAKE[@]}" -s INSTALL_MOD_STRIP=1 modules_install >/dev/null
	[ -f "$dir/modules.dep" ] || die "modules_install made no $dir/modules.dep"
	echo "$key" >"$dir/$MARKER"
}

if [ -f "$OUT/.nvs-built" ] && [ -f "$OUT/arch/x86/boot/bzImage" ]; then
	msg "reusing $OUT (key $key, built in $(cat "$OUT/.nvs-build-seconds" 2>/dev/null || echo '?') s)"
else
	prune_old
	rm -rf "$OUT"
	make_config
	if [ $config_only = 1 ]; then
		msg "config ready: $OUT/.config"
		exit 0
	fi
	build_kernel
	touch "$OUT/.nvs-built"
fi
check_config "$OUT/.config" || die "config check failed"

REL=$(kernel_release)
[ $install = 0 ] || install_modules "$REL"

if [ $print_env = 1 ]; then
	echo "KDIR=$OUT"
	echo "NVS_KERNEL=$OUT/arch/x86/boot/bzImage"
	echo "NVS_DEBUG_RELEASE=$REL"
	echo "NVS_DEBUG_BUILD_SECONDS=$(cat "$OUT/.nvs-build-seconds" 2>/dev/null || echo 0)"
	echo "NVS_DEBUG_BUILD_TIME=$(cat "$OUT/.nvs-build-time" 2>/dev/null ||
		echo "$(cat "$OUT/.nvs-build-seconds" 2>/dev/null || echo '?') s wall")"
fi
