#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-VM kselftest runner for netvsc.  Normally started by
# tests/vm/guest-init.sh inside the test VM, but it can be used by hand
# from `tests/vm/run.sh --shell` as well.
#
# Usage:
#   run.sh [--first N] [--plan N] [--ctl FILE] [--timeout S] [TEST...]
#   run.sh --scan-kernel
#   run.sh --list
#
# TEST is a test name (smoke, smoke.sh) from tests/kselftest/ or a path to
# a test file; default: every tests/kselftest/*.sh that starts with "#!"
# but run.sh (files without "#!" are libraries that tests source).
#
# Each test runs under a timeout (default 600 s or --timeout; a test file
# may override it with a "# timeout: N" line in its first 20 lines; times
# NVS_TIMEOUT_FACTOR), in a fresh scratch directory.  Its output is printed as a nested KTAP subtest,
# then the test's own result: "ok N name", "ok N name # SKIP reason" or
# "not ok N name".  A test fails when it reports a failure, exits non-zero
# (exit 4 means skipped, as in kselftest), does not run all it planned,
# times out, leaves a kernel splat in dmesg or taints the kernel (other
# than with the O and E bits), or, on a kernel with kmemleak, leaves a
# leak that a scan after the test finds.  After a test that left a splat or taint the
# runner stops: the host boots a fresh VM for the remaining tests.
#
# NVS_DEADLINE (seconds since the epoch): a test that would start after it
# is skipped, with that reason; CI sets it so that its run ends in time.
#
# --first/--plan set the KTAP numbering (the host uses them when it resumes
# after a reboot); --ctl names a file (the control serial port) that gets
# "start N NAME TIMEOUT", "end N NAME VERDICT" and "stop REASON" lines.
#
# --scan-kernel: print (and clear) kernel splats found in dmesg and check
# the taint flags; exit 1 if anything was found.

set -u

# The whole script is one compound command, read before it runs: editing
# this file (or a git checkout) during a run cannot derail the run.
{

KSFT_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
NETVSC_DIR=${NETVSC_DIR:-$(cd "$KSFT_DIR/../.." && pwd)}
export NETVSC_DIR

# Kernel log lines that fail the running test.
SPLAT_RE='WARNING:|BUG:|Oops|RIP:|Call Trace:|unregister_netdevice: waiting for|refcount_t:|kmemleak|lockdep|possible recursive locking|circular locking|KASAN|UBSAN|general protection fault|Kernel panic|stack-protector|list_add corruption|list_del corruption|hung_task|blocked for more than'
# Taint bits that are expected: O (out-of-tree module), E (unsigned module).
TAINT_OK=$((4096 | 8192))
DEFAULT_TIMEOUT=600
KILL_GRACE=10

first=1
plan=
ctl_file=
mode=run
timeout_default=${NVS_TEST_TIMEOUT:-$DEFAULT_TIMEOUT}
# NVS_TIMEOUT_FACTOR multiplies every test's timeout (and, in lib.sh, every
# bounded wait): the debug kernel runs several times slower.
timeout_factor=${NVS_TIMEOUT_FACTOR:-1}
case $timeout_factor in
'' | *[!0-9]* | 0) timeout_factor=1 ;;
esac

usage() {
	sed -n '/^# Usage:/,/^# --scan-kernel/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "$1"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--first) first=$2; shift 2 ;;
	--plan) plan=$2; shift 2 ;;
	--ctl) ctl_file=$2; shift 2 ;;
	--timeout) timeout_default=$2; shift 2 ;;
	--scan-kernel) mode=scan; shift ;;
	--list) mode=list; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
	*) break ;;
	esac
done

ctl() {
	[ -z "$ctl_file" ] || echo "$*" >>"$ctl_file"
}

# Print each argument as KTAP diagnostic lines ("# ...").
diag() {
	local arg line

	for arg in "$@"; do
		while IFS= read -r line; do
			printf '# %s\n' "$line"
		done <<<"$arg"
	done
}

# Print the splat lines of the kernel log since the last call, clear it.
# Keep a copy of all of it in $1 when given.
scan_dmesg() {
	local keep=${1:-/dev/null}

	dmesg -c >"$keep.tmp" 2>&1
	cat "$keep.tmp" >"$keep" 2>/dev/null
	grep -E "$SPLAT_RE" "$keep.tmp"
	local rc=$?
	rm -f "$keep.tmp"
	# grep: 0 = found splat lines
	[ $rc -ne 0 ]
}

bad_taint() {
	local t

	t=$(cat /proc/sys/kernel/tainted)
	echo $((t & ~TAINT_OK))
}

if [ "$mode" = scan ]; then
	rc=0
	if ! out=$(scan_dmesg); then
		diag "kernel splat in dmesg:" "$out"
		rc=1
	fi
	t=$(bad_taint)
	if [ "$t" -ne 0 ]; then
		diag "kernel tainted: $(cat /proc/sys/kernel/tainted)"
		rc=1
	fi
	exit $rc
fi

all_tests() {
	local f

	for f in "$KSFT_DIR"/*.sh; do
		case "${f##*/}" in
		lib.sh|run.sh) ;;
		*) [ "$(head -c 2 "$f")" != "#!" ] || echo "$f" ;;
		esac
	done
}

resolve() {
	case "$1" in
	*/*) readlink -f "$1" ;;
	*.sh) echo "$KSFT_DIR/$1" ;;
	*) echo "$KSFT_DIR/$1.sh" ;;
	esac
}

tests=()
if [ $# -eq 0 ]; then
	mapfile -t tests < <(all_tests)
else
	for t in "$@"; do
		tests+=("$(resolve "$t")")
	done
fi

if [ "$mode" = list ]; then
	printf '%s\n' "${tests[@]}"
	exit 0
fi

[ -n "$plan" ] || plan=$((first - 1 + ${#tests[@]}))

test_timeout() {
	local t

	t=$(head -n 20 "$1" 2>/dev/null |
		sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' |
		head -n 1)
	echo "$((${t:-$timeout_default} * timeout_factor))"
}

# Indent a test's output as a nested KTAP subtest; anything that is not a
# KTAP line becomes a diagnostic so that it cannot be taken for a result.
nest() {
	sed -u -E '/^(KTAP version [0-9]|TAP version [0-9]|[0-9]+\.\.[0-9]+|(not )?ok [0-9]+|#|[[:space:]]|$)/!s/^/# /; s/^/    /'
}

# Summarise a test's own (top level) KTAP output: planned, ran, failed,
# skipped, and the reason of the first whole-test skip, on one line.
summarize() {
	awk '
	/^1\.\.[0-9]+/ { if (planned < 0) { split($1, p, "\\.\\."); planned = p[2] } }
	/^(not )?ok [0-9]+/ {
		ran++
		if ($0 ~ /#[[:space:]]*[Ss][Kk][Ii][Pp]/) skipped++
		else if ($0 ~ /^not ok/) failed++
	}
	/^#[[:space:]]*SKIP/ && reason == "" { reason = $0; sub(/^#[[:space:]]*SKIP:?[[:space:]]*/, "", reason) }
	END { printf "%d %d %d %d %s\n", planned, ran, failed, skipped, reason }
	' planned=-1 "$1"
}

remove_leftovers() {
	local ns mod

	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		echo "test left netns $ns behind"
		ip netns delete "$ns" 2>&1
	done
	for mod in netvsc_sim hv_netvsc netvsc; do
		[ -d "/sys/module/$mod" ] || continue
		# Only our modules: an in-tree hv_netvsc would have no such file.
		[ -f "$NETVSC_DIR/drivers/net/hyperv/$mod.ko" ] || continue
		echo "test left module $mod loaded"
		if ! rmmod "$mod" 2>&1; then
			echo "FAIL: rmmod $mod failed"
		fi
	done
}

echo "KTAP version 1"
echo "1..$plan"

overall=0
n=$first
scratch_root=$(mktemp -d /tmp/nvs-ksft.XXXXXX)

# Splats from boot or from before the first test are not blamed on a test
# but reported here (the host scans the console for them too).
if ! out=$(scan_dmesg); then
	diag "kernel splat before the first test:" "$out"
fi

# On a kernel with kmemleak (the debug kernel of scripts/debug-kernel.sh),
# every test is followed by a scan, and a leak fails the test.  The
# automatic scans are turned off: they would only cost time, and report
# leaks to no test in particular.  Leaks from boot are the kernel's own:
# shown, then cleared.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w "$KMEMLEAK" ] || KMEMLEAK=
# kmemleak does not report objects younger than 5 s.
KMEMLEAK_MIN_AGE_US=5100000
if [ -n "$KMEMLEAK" ]; then
	echo scan=off >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	out=$(head -n 40 "$KMEMLEAK")
	[ -z "$out" ] || diag "kmemleak: suspected leaks from boot (not a test's):" "$out"
	echo clear >"$KMEMLEAK"
fi

# kmemleak_scan T_END: scan for leaks once the test that ended at T_END
# (EPOCHREALTIME in us) is old enough; print the leaks and fail if any.  An
# object that a second scan finds referenced again drops off the list, so
# a transient pointer (in flight in a register, say) is not a leak.
kmemleak_scan() {
	local rem=$((KMEMLEAK_MIN_AGE_US - (${EPOCHREALTIME/[.,]/} - $1))) leaks t_scan

	# This waits for an age kmemleak imposes, not for an event.
	[ "$rem" -le 0 ] ||
		sleep "$((rem / 1000000)).$(printf %06d $((rem % 1000000)))"
	t_scan=${EPOCHREALTIME/[.,]/}
	echo scan >"$KMEMLEAK"
	if [ -n "$(head -c 1 "$KMEMLEAK")" ]; then
		echo scan >"$KMEMLEAK"
		leaks=$(cat "$KMEMLEAK")
		echo clear >"$KMEMLEAK"
	fi
	t_scan=$(((${EPOCHREALTIME/[.,]/} - t_scan) / 1000))
	if [ -z "${leaks:-}" ]; then
		echo "kmemleak: no leak (scanned in $((t_scan / 1000)).$(printf %03d $((t_scan % 1000)))s)"
		return 0
	fi
	echo "kmemleak: $(grep -c '^unreferenced object' <<<"$leaks") unreferenced object(s):"
	head -n 60 <<<"$leaks"
	return 1
}

for path in "${tests[@]}"; do
	name=$(basename "$path" .sh)
	tmo=$(test_timeout "$path")
	ctl "start $n $name $tmo"
	echo "NVS: start test $n $name" >/dev/kmsg 2>/dev/null

	reasons=()
	stop=
	verdict=ok
	skip_reason=
	dir="$scratch_root/$n-$name"
	mkdir -p "$dir"

	if [ -n "${NVS_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$NVS_DEADLINE" ]; then
		verdict=skip
		skip_reason="time budget spent: not started after $(date -u -d "@$NVS_DEADLINE" +%T) UTC (NVS_DEADLINE)"
	elif [ ! -r "$path" ]; then
		reasons+=("test file $path not found")
		verdict=fail
		rc=127
	else
		taint_before=$(bad_taint)
		if [ -x "$path" ]; then
			cmd=("$path")
		else
			cmd=(bash "$path")
		fi
		t0=${EPOCHREALTIME/[.,]/}
		(cd "$dir" && exec timeout -k "$KILL_GRACE" "$tmo" "${cmd[@]}") \
			</dev/null 2>&1 | tee "$dir/.ktap" | nest
		rc=${PIPESTATUS[0]}
		t1=${EPOCHREALTIME/[.,]/}
		dt=$(((t1 - t0) / 1000))
		echo "# $name: exit status $rc, $((dt / 1000)).$(printf %03d $((dt % 1000)))s"

		read -r planned ran failed skipped skip_reason < <(summarize "$dir/.ktap")

		case $rc in
		0) ;;
		4)
			verdict=skip
			[ -n "$skip_reason" ] || skip_reason="test skipped itself"
			;;
		124|137)
			reasons+=("timed out after ${tmo}s")
			echo w >/proc/sysrq-trigger 2>/dev/null
			;;
		*) reasons+=("exit status $rc") ;;
		esac
		if [ "$failed" -gt 0 ]; then
			reasons+=("$failed of $ran subtests failed")
		fi
		if [ "$planned" -ge 0 ] && [ "$planned" -ne "$ran" ] && [ "$rc" -ne 4 ]; then
			reasons+=("planned $planned subtests but ran $ran")
		fi
		if [ "$rc" -ne 4 ] && [ "$ran" -gt 0 ] && [ "$skipped" -eq "$ran" ] &&
		   [ ${#reasons[@]} -eq 0 ]; then
			verdict=skip
			skip_reason="all subtests skipped"
		fi

		left=$(remove_leftovers)
		if [ -n "$left" ]; then
			diag "$left"
			case "$left" in
			*FAIL:*) reasons+=("could not clean up after the test") ;;
			esac
		fi

		if [ -n "$KMEMLEAK" ]; then
			if leaks=$(kmemleak_scan "$t1"); then
				diag "$leaks"
			else
				reasons+=("$leaks")
			fi
		fi

		if ! splat=$(scan_dmesg "$dir/.dmesg"); then
			reasons+=("kernel splat in dmesg:" "$splat")
			stop="kernel splat"
		fi
		taint_after=$(bad_taint)
		if [ "$taint_after" -ne 0 ]; then
			if [ "$taint_before" -eq 0 ]; then
				reasons+=("kernel tainted: $(cat /proc/sys/kernel/tainted)")
			else
				reasons+=("kernel was tainted before the test: $(cat /proc/sys/kernel/tainted)")
			fi
			stop="kernel tainted"
		fi
	fi

	[ ${#reasons[@]} -eq 0 ] || verdict=fail

	case $verdict in
	ok)
		echo "ok $n $name"
		;;
	skip)
		echo "ok $n $name # SKIP $skip_reason"
		;;
	fail)
		diag "${reasons[@]}"
		if [ -s "$dir/.dmesg" ]; then
			diag "last kernel messages:" "$(tail -n 40 "$dir/.dmesg")"
		fi
		echo "not ok $n $name"
		overall=1
		;;
	esac
	ctl "end $n $name $verdict"
	n=$((n + 1))

	if [ -n "$stop" ]; then
		echo "# $stop: stopping, the remaining tests need a fresh VM"
		ctl "stop $stop"
		break
	fi
done

rm -rf "$scratch_root"
exit $overall
}
