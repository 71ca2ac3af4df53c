#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make check-fresh` runs: the README's two commands, and the Debian
# packages, on a fresh Debian 12 root that nothing on this machine leaks
# into.  As root:
#
#   debootstrap  a minbase bookworm root in $BUILDDIR/fresh/root, from the
#                mirror of this machine's apt sources (the .debs cached in
#                $BUILDDIR/fresh-cache, one tarball a day)
#   setup        this machine's apt sources into the root, a git clone of
#                HEAD into /root/netvsc, apt-get update and make (the one
#                package the README asks for before its commands)
#   demo         make demo, in the chroot
#   check        make check, in the chroot, with NVS_CHECK_TESTS=smoke
#                (the static checks and one VM test) and NVS_FUZZ_SECONDS=5
#   deb          make deb, in the chroot
#   install      apt-get install ./netvsc-dkms_*.deb ./netvsc-tools_*.deb
#   dkms         DKMS built and installed netvsc.ko and hv_netvsc.ko (and
#                not netvsc_sim.ko) for every kernel in the root, vfctl runs
#
# The chroot has /proc, /sys and /dev mounted, and the machine's VM slots
# (/tmp/netvsc-vm-slots) so that its VMs queue with the others; all are
# unmounted on exit, whatever the exit.  Each phase's output is in
# $BUILDDIR/fresh/<phase>.log; its last lines and its wall time are
# printed.  The root is removed after a run that passed and kept after one
# that failed (NVS_FRESH_KEEP=1 keeps it always).
#
# Usage: scripts/check-fresh.sh
#
# Environment: BUILDDIR, NVS_FRESH_MIRROR (the mirror; default: the first
# bookworm "deb" source in /etc/apt/sources.list.d/ or
# /etc/apt/sources.list), NVS_FRESH_KEEP, NVS_CHECK_TESTS (default
# smoke), NVS_FUZZ_SECONDS (default 5); other NVS_* variables (NVS_VM_SMP,
# say) are passed to the commands in the chroot.
#
# The last lines are "N passed, N failed, 0 skipped" (one result per
# phase) and a verdict.  Exit status 0 if every phase passed.

set -uo pipefail
# The phases' functions are called through phase(); the scripts run in
# the chroot are single-quoted on purpose.
# shellcheck disable=SC2317,SC2016

{

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
BUILDDIR=${BUILDDIR:-$REPO/.build}
mkdir -p "$BUILDDIR"
BUILDDIR=$(cd "$BUILDDIR" && pwd -P)
FRESH=$BUILDDIR/fresh
ROOT=$FRESH/root
CACHE=$BUILDDIR/fresh-cache
SUITE=bookworm
SLOTS=/tmp/netvsc-vm-slots

msg() {
	echo "check-fresh: $*"
}

die() {
	echo "check-fresh: $*" >&2
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"

# The mount points under $ROOT, deepest first.
mounts_under_root() {
	awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}

# Processes left running inside the root (ours: everything there was
# started by this script), by their ids.
kill_root_processes() {
	local p pids=()

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] &&
			pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	msg "ending ${#pids[@]} processes left in the root: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null
	sleep 2
	kill -KILL "${pids[@]}" 2>/dev/null
	return 0
}

unmount_root() {
	local m

	kill_root_processes
	while IFS= read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" ||
			echo "check-fresh: cannot unmount $m" >&2
	done < <(mounts_under_root)
}

# Remove the root, never while anything is mounted in it.
remove_root() {
	[ -e "$ROOT" ] || return 0
	if [ -n "$(mounts_under_root)" ]; then
		echo "check-fresh: still mounted under $ROOT; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$ROOT"
}

trap unmount_root EXIT
trap 'exit 130' INT TERM

# The first bookworm "deb" source of this machine: deb822 .sources
# stanzas (Types, URIs, Suites, Enabled), then one-line .list entries.
mirror_from_sources() {
	local f

	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
				    (" " suites " ") ~ (" " suite " ") && uri != "") {
					print uri
					found = 1
					exit
				}
				types = suites = uri = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1)
				$1 = ""
				sub(/^ +/, "")
				if (key == "types:") types = $0
				else if (key == "suites:") suites = $0
				else if (key == "uris:") { split($0, u, " "); uri = u[1] }
				else if (key == "enabled:") enabled = tolower($0)
			}
			END { if (!found) flush() }' "$f" | head -n 1
	done
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
			$1 != "deb" { next }
			{
				i = 2
				if ($i ~ /^\[/) {
					while (i < NF && $i !~ /\]$/)
						i++
					i++
				}
				if ($(i + 1) == suite) {
					print $i
					exit
				}
			}' "$f"
	done
}

# Copy this machine's apt sources and its Acquire settings (proxies,
# validity checks of a snapshot mirror) into the root, in place of the
# one debootstrap wrote.
copy_apt_config() {
	local f

	rm -f "$ROOT/etc/apt/sources.list"
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$ROOT/etc/apt/"
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && cp "$f" "$ROOT/etc/apt/sources.list.d/"
	done
	for f in /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && grep -q '^[^#/]*Acquire' "$f" &&
			cp "$f" "$ROOT/etc/apt/apt.conf.d/"
	done
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || :
	return 0
}

mount_root() {
	mount -t proc proc "$ROOT/proc" &&
		mount -t sysfs sysfs "$ROOT/sys" &&
		mount --rbind /dev "$ROOT/dev" &&
		mount --make-rslave "$ROOT/dev" &&
		mkdir -p "$SLOTS" "$ROOT$SLOTS" &&
		mount --bind "$SLOTS" "$ROOT$SLOTS"
}

# in_root COMMAND: bash -c COMMAND as root in the chroot, in the clone,
# with a clean environment and the NVS_* variables.
in_root() {
	local env=(HOME=/root TERM=dumb LANG=C.UTF-8
		   PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	local v

	for v in $(compgen -e); do
		case $v in
		NVS_FRESH_*) ;;
		NVS_*) env+=("$v=${!v}") ;;
		esac
	done
	chroot "$ROOT" /usr/bin/env -i "${env[@]}" \
		/bin/bash -c "cd /root/netvsc 2>/dev/null || cd /root; $1"
}

# ---------------------------------------------------------------- phases

declare -a PHASES=() VERDICTS=() TIMES=()
failed=0
t_total=$SECONDS

# phase NAME FUNCTION: run it with its output in $FRESH/NAME.log, then
# print its last lines, verdict and wall time.
phase() {
	local name=$1 fn=$2 log=$FRESH/$1.log t0=$SECONDS rc

	msg "== $name"
	"$fn" >"$log" 2>&1 </dev/null
	rc=$?
	PHASES+=("$name")
	TIMES+=($((SECONDS - t0)))
	tail -n 25 "$log" | sed 's/^/    | /'
	if [ $rc -eq 0 ]; then
		VERDICTS+=(ok)
		msg "== $name: ok, $((SECONDS - t0))s"
	else
		VERDICTS+=("FAILED ($rc)")
		failed=$((failed + 1))
		msg "== $name: FAILED (exit status $rc), $((SECONDS - t0))s, log in $log"
	fi
	return $rc
}

skip_phase() {
	PHASES+=("$1")
	TIMES+=(0)
	VERDICTS+=("not run: $2")
	failed=$((failed + 1))
	msg "== $1: not run, $2"
}

do_debootstrap() {
	local day tarball tmp

	"$REPO/scripts/deps.sh" fresh || return 1
	MIRROR=${NVS_FRESH_MIRROR:-$(mirror_from_sources | head -n 1)}
	[ -n "$MIRROR" ] || { echo "no $SUITE deb source in /etc/apt"; return 1; }
	echo "mirror: $MIRROR"

	# Only debootstrap's own minbase .debs are cached, never a root
	# with anything of ours installed in it.
	day=$(date -u +%Y%m%d)
	tarball=$CACHE/minbase-$SUITE-$day.tar.gz
	mkdir -p "$CACHE"
	if [ ! -f "$tarball" ]; then
		tmp=$(mktemp -d "$CACHE/make.XXXXXX")
		echo "making $tarball"
		debootstrap --variant=minbase --make-tarball="$tarball.tmp" \
			"$SUITE" "$tmp" "$MIRROR" || { rm -rf "$tmp"; return 1; }
		rm -rf "$tmp"
		mv "$tarball.tmp" "$tarball"
		find "$CACHE" -maxdepth 1 -name "minbase-$SUITE-*.tar.gz" \
			! -name "${tarball##*/}" -delete
	else
		echo "using $tarball"
	fi
	debootstrap --variant=minbase --unpack-tarball="$tarball" \
		"$SUITE" "$ROOT" "$MIRROR"
}

do_setup() {
	local dirty

	copy_apt_config
	mount_root || return 1
	dirty=$(git -C "$REPO" status --porcelain --untracked-files=no | wc -l)
	echo "cloning HEAD ($(git -C "$REPO" log -1 --format='%h %s'))"
	[ "$dirty" -eq 0 ] ||
		echo "note: $dirty uncommitted changes are not in the clone"
	git clone --quiet --no-hardlinks "$REPO" "$ROOT/root/netvsc" || return 1
	in_root 'export DEBIAN_FRONTEND=noninteractive
		apt-get update && apt-get install -y --no-install-recommends make'
}

do_demo() {
	in_root 'make demo'
}

do_check() {
	export NVS_CHECK_TESTS=${NVS_CHECK_TESTS:-smoke}
	export NVS_FUZZ_SECONDS=${NVS_FUZZ_SECONDS:-5}
	in_root 'make check'
}

do_deb() {
	in_root 'make deb'
}

do_install() {
	in_root 'export DEBIAN_FRONTEND=noninteractive
		apt-get install -y ./.build/deb/netvsc-dkms_*.deb ./.build/deb/netvsc-tools_*.deb'
}

# Every kernel in the root with its headers must have the two modules
# from DKMS, and no simulator.
do_dkms() {
	in_root '
		set -u
		rc=0 n=0
		dkms status
		for b in /lib/modules/*/build; do
			[ -e "$b/Makefile" ] || continue
			k=$(basename "$(dirname "$b")")
			n=$((n + 1))
			dir=/lib/modules/$k/updates/dkms
			for m in netvsc hv_netvsc; do
				f=$(ls "$dir/$m.ko"* 2>/dev/null | head -n 1)
				if [ -z "$f" ]; then
					echo "FAIL: no $dir/$m.ko"; rc=1; continue
				fi
				vm=$(modinfo -F vermagic "$f")
				case "$vm" in
				"$k "*) echo "ok: $f ($vm)" ;;
				*) echo "FAIL: $f: vermagic $vm"; rc=1 ;;
				esac
			done
			if ls "$dir"/netvsc_sim.ko* >/dev/null 2>&1; then
				echo "FAIL: netvsc_sim installed in $dir"; rc=1
			fi
			dkms status -m netvsc -k "$k" | grep -q ": installed$" ||
				{ echo "FAIL: dkms status: not installed (alone) for $k"; rc=1; }
			modinfo -k "$k" -n hv_netvsc | grep -q /updates/dkms/ ||
				{ echo "FAIL: modinfo -k $k does not find updates/dkms/hv_netvsc"; rc=1; }
		done
		[ $n -gt 0 ] || { echo "FAIL: no kernel with headers in the root"; rc=1; }
		# The package'"'"'s modprobe rule: hv_netvsc loads through
		# netvsc-load (the in-tree fallback).
		rule="install hv_netvsc /usr/libexec/netvsc/netvsc-load \$CMDLINE_OPTS"
		if modprobe -c | grep -qFx "$rule"; then
			echo "ok: modprobe -c: $rule"
		else
			echo "FAIL: modprobe -c has no \"$rule\""; rc=1
		fi
		[ -x /usr/libexec/netvsc/netvsc-load ] ||
			{ echo "FAIL: no /usr/libexec/netvsc/netvsc-load"; rc=1; }
		vfctl --help >/dev/null 2>&1 || vfctl help >/dev/null 2>&1 ||
			{ echo "FAIL: vfctl does not run"; rc=1; }
		dpkg -L netvsc-tools | grep -E "vfctl.8|rules.d/|libexec/netvsc/"
		exit $rc'
}

mkdir -p "$FRESH"
unmount_root
remove_root || exit 2
rm -f "$FRESH"/*.log

if phase debootstrap do_debootstrap && phase setup do_setup; then
	phase demo do_demo
	phase check do_check
	if phase deb do_deb; then
		phase install do_install && phase dkms do_dkms
		[ "${VERDICTS[-1]}" = ok ] || [ "${PHASES[-1]}" = dkms ] ||
			skip_phase dkms "the packages did not install"
	else
		skip_phase install "make deb failed"
		skip_phase dkms "make deb failed"
	fi
fi

echo
msg "phase        wall time  verdict"
for i in "${!PHASES[@]}"; do
	printf 'check-fresh: %-12s %8ss  %s\n' "${PHASES[$i]}" "${TIMES[$i]}" "${VERDICTS[$i]}"
done
printf 'check-fresh: %-12s %8ss\n' total $((SECONDS - t_total))

unmount_root
trap - EXIT
if [ $failed -eq 0 ] && [ "${NVS_FRESH_KEEP:-0}" != 1 ]; then
	remove_root
else
	msg "root kept in $ROOT"
fi
# One result per phase, as make check counts its steps (a phase not run
# counts as failed).
echo "$((${#PHASES[@]} - failed)) passed, $failed failed, 0 skipped"
if [ $failed -eq 0 ]; then
	msg "all ${#PHASES[@]} phases passed"
	exit 0
fi
msg "$failed of the phases failed or did not run"
exit 1
}
