#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check-debug` does: the whole kselftest suite, stress
# and fuzz tests included, on our own KASAN + UBSAN + kmemleak + lockdep
# kernel.
#   1. scripts/debug-kernel.sh: build (or reuse) the debug kernel from
#      Debian's linux-source-6.1, install its few modules under
#      /lib/modules/<release> (the VM mounts the host's root)
#   2. copy the work tree to $NVS_DEBUG_DIR/tree-<hash of its path> and
#      build the modules (and tools/vfctl) there against the debug kernel,
#      so that the normal build in the work tree is left alone
#   3. tests/vm/run.sh of that copy on the debug kernel; the in-VM runner
#      scans kmemleak after every test, and any splat or leak fails the
#      test
#   4. "N passed, N failed, N skipped", counting the build steps and
#      every KTAP leaf result of the VM run
#
# Usage: scripts/check-debug.sh [TEST...]   (TEST as for tests/vm/run.sh;
#                                            default: every test)
#
# Exit status 0 if nothing failed.  Logs go to $BUILDDIR/check-debug/.
# Environment:
#   BUILDDIR              default <repo>/.build; logs, and the VM's own
#                         files and lock, go to $BUILDDIR/check-debug/
#   NVS_DEBUG_DIR         the kernel build and the copy of the work tree;
#                         default /var/cache/netvsc-debug, or
#                         ~/.cache/netvsc-debug when /var/cache is not
#                         writable
#   NVS_DEBUG_KERNEL_DIR  the kernel build alone, default
#                         $NVS_DEBUG_DIR/kernel
#   NVS_DEBUG_JOBS        make -j for the kernel build
#   NVS_DEBUG_SHARDS      VMs to spread the tests over (default 1); each
#                         takes a VM slot (see NVS_VM_SLOTS in
#                         tests/vm/run.sh)
#   NVS_DEBUG_EXCLUDE     tests (names, space separated) to leave out,
#                         each reported as skipped with that reason
#   NVS_VM_MEM            MiB, default 2048 here
#   NVS_VM_CHECKS         the kernel's memory checks on its command line;
#                         default none here (KASAN does them)
#   NVS_VM_APPEND         extra kernel command line; nvs_stress_scale=N
#                         scales the stress and fuzz counts (percent),
#                         nvs_stress_budget_s=S bounds each one's time
#   NVS_VM_BOOT_TIMEOUT   default 600 here: KASAN under TCG boots slowly
#   NVS_TIMEOUT_FACTOR    multiplies every test's timeout and bounded
#                         wait; default 4 here

set -uo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO" || exit 2
BUILDDIR=${BUILDDIR:-$REPO/.build}
LOGDIR=$BUILDDIR/check-debug
# The debug kernel and the copy of the work tree live outside the repo:
# "make M=<repo> clean" (scripts/check.sh runs one) deletes every object
# and module file below the repo, .build/ included.  Not in /tmp or
# /var/tmp either: the VM has its own tmpfs there.
if [ -z "${NVS_DEBUG_DIR:-}" ]; then
	if [ -w /var/cache ]; then
		NVS_DEBUG_DIR=/var/cache/netvsc-debug
	else
		NVS_DEBUG_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/netvsc-debug
	fi
fi
NVS_DEBUG_KERNEL_DIR=${NVS_DEBUG_KERNEL_DIR:-$NVS_DEBUG_DIR/kernel}
COPY=$NVS_DEBUG_DIR/tree-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)
export BUILDDIR NVS_DEBUG_KERNEL_DIR

passed=0
failed=0
skipped=0
n=0
t_start=$SECONDS

summary() {
	echo "$passed passed, $failed failed, $skipped skipped"
}

diag() {
	local arg line

	for arg in "$@"; do
		while IFS= read -r line; do
			printf '# %s\n' "$line"
		done <<<"$arg"
	done
}

# result ok|skip|fail NAME [DIAG...]  (skip: the reason)
result() {
	local verdict=$1 name=$2

	shift 2
	n=$((n + 1))
	if [ "$verdict" = ok ]; then
		passed=$((passed + 1))
		echo "ok $n $name"
	elif [ "$verdict" = skip ]; then
		skipped=$((skipped + 1))
		echo "ok $n $name # SKIP $*"
	else
		failed=$((failed + 1))
		[ $# -eq 0 ] || diag "$@"
		echo "not ok $n $name"
	fi
}

# Stop after a failed build step: nothing to run the tests on.
give_up() {
	echo "# check-debug: $((SECONDS - t_start))s"
	summary
	exit 1
}

# scripts/deps.sh lists the debug kernel's build tools too.
if ! "$REPO/scripts/deps.sh"; then
	echo "check-debug: missing packages, see above" >&2
	failed=1
	summary
	exit 1
fi

# The tests, less those NVS_DEBUG_EXCLUDE leaves out (reported as
# skipped, after the build steps).
mapfile -t all < <("$REPO/tests/vm/run.sh" --list "$@")
tests=()
excluded=()
for t in "${all[@]}"; do
	case " ${NVS_DEBUG_EXCLUDE:-} " in
	*" ${t%.sh} "*) excluded+=("${t%.sh}") ;;
	*) tests+=("$t") ;;
	esac
done

mkdir -p "$LOGDIR"
echo "KTAP version 1"
echo "# netvsc debug lane: KASAN, UBSAN, kmemleak, lockdep"
echo "1..$((2 + ${#excluded[@]}))"

# ------------------------------------------------------------------ kernel

t0=$SECONDS
log=$LOGDIR/kernel.log
if env=$("$REPO/scripts/debug-kernel.sh" --env 2>"$log"); then
	KDIR=$(sed -n 's/^KDIR=//p' <<<"$env")
	NVS_KERNEL=$(sed -n 's/^NVS_KERNEL=//p' <<<"$env")
	rel=$(sed -n 's/^NVS_DEBUG_RELEASE=//p' <<<"$env")
	built=$(sed -n 's/^NVS_DEBUG_BUILD_TIME=//p' <<<"$env")
	export KDIR NVS_KERNEL
	if grep -q 'reusing' "$log"; then
		diag "debug kernel $rel: reused the cached build (it took $built); $((SECONDS - t0))s"
	else
		diag "debug kernel $rel: built in $built; phase $((SECONDS - t0))s"
	fi
	result ok debug_kernel
else
	result fail debug_kernel "$(tail -n 40 "$log")" "log in $log"
	give_up
fi

# ------------------------------------------------------------------ modules

# The work tree as `make check` sees it: tracked files and untracked ones
# that are not ignored.  The check lane may be building in it meanwhile
# (.ci/run runs both lanes at once): a file that goes away between the
# listing and the copy was a build's scratch file, not part of the tree,
# so tar lets it go (--ignore-failed-read).
copy_tree() {
	rm -rf "$COPY.new"
	mkdir -p "$COPY.new"
	{
		git ls-files -z
		git ls-files -z -o --exclude-standard
	} | sort -zu | while IFS= read -r -d '' f; do
		[ -f "$f" ] && printf '%s\0' "$f"
	done | tar -c --ignore-failed-read --null -T - -f - | tar -x -C "$COPY.new" || return 1
	rm -rf "$COPY"
	mv "$COPY.new" "$COPY"
}

t0=$SECONDS
log=$LOGDIR/modules.log
if ! copy_tree >"$log" 2>&1; then
	result fail debug_modules "cannot copy the work tree to $COPY" "$(tail -n 20 "$log")"
	give_up
fi
# hv_netvsc.ko is the VMBus glue: it needs hv_vmbus (CONFIG_HYPERV), which
# the debug kernel leaves out (the VM has no VMBus, nothing loads it).
# Unresolved symbols are warnings, then; any in another module fails.
if ! make -C "$KDIR" M="$COPY" -j"$(nproc)" KBUILD_MODPOST_WARN=1 \
	modules >>"$log" 2>&1; then
	result fail debug_modules "module build against $KDIR failed:" \
		"$(grep -E 'error|Error' "$log" | head -n 30)" "log in $log"
	give_up
fi
undef=$(grep -E 'modpost: .*undefined' "$log" | grep -v '/hv_netvsc\.ko\]')
if [ -n "$undef" ]; then
	result fail debug_modules "unresolved symbols:" "$undef" "log in $log"
	give_up
fi
if grep -q '/hv_netvsc\.ko\] undefined' "$log"; then
	diag "hv_netvsc.ko: VMBus symbols unresolved, as expected (no CONFIG_HYPERV)"
fi
if [ -f "$COPY/tools/vfctl/Makefile" ]; then
	make -C "$COPY/tools/vfctl" >>"$log" 2>&1 ||
		diag "tools/vfctl did not build: the stats hammer skips its vfctl reader"
fi
diag "modules built against $KDIR in $COPY: $((SECONDS - t0))s"
result ok debug_modules

# ------------------------------------------------------------------ VM

# The in-VM runner (tests/kselftest/run.sh) scans kmemleak after each
# test and fails the test on a leak.
for t in "${excluded[@]}"; do
	result skip "$t" "left out of this lane by NVS_DEBUG_EXCLUDE"
done
if [ ${#tests[@]} -eq 0 ]; then
	diag "no tests to run"
	give_up
fi

export NVS_VM_MEM=${NVS_VM_MEM:-2048}
# KASAN redzones, poisons and quarantines slab objects and pages and
# records their allocation and free stacks: slub_debug=FZPU, page_poison
# and init_on_free (tests/vm/run.sh's defaults for Debian's kernel) would
# check the same again, and cost a third of the run under TCG.
export NVS_VM_CHECKS=${NVS_VM_CHECKS-}
export NVS_VM_BOOT_TIMEOUT=${NVS_VM_BOOT_TIMEOUT:-600}
export NVS_VM_APPEND=${NVS_VM_APPEND:-}
# The debug kernel runs about four times slower: so do the tests' time
# bounds (tests/kselftest/run.sh and lib.sh).
export NVS_TIMEOUT_FACTOR=${NVS_TIMEOUT_FACTOR:-4}
SHARDS=${NVS_DEBUG_SHARDS:-1}
[ "$SHARDS" -ge 1 ] 2>/dev/null || SHARDS=1
[ "$SHARDS" -le ${#tests[@]} ] || SHARDS=${#tests[@]}
DURATIONS=$LOGDIR/durations

# shard_tests: print "SHARD TEST" lines.  Longest test first, each onto
# the shard with the least work so far; a test's length is its time in the
# last run here ($DURATIONS), else in the table tests/vm/durations (a run
# on an idle machine), else its file's length in lines.
shard_tests() {
	local t

	for t in "${tests[@]}"; do
		printf '%s %s\n' "$t" \
			"$(cat "$COPY/tests/kselftest/${t%.sh}.sh" 2>/dev/null | wc -l)"
	done | awk -v shards="$SHARDS" -v known="$DURATIONS" \
		   -v table="$COPY/tests/vm/durations" '
	function load_secs(file,    line, f) {
		while ((getline line < file) > 0) {
			if (line ~ /^#/)
				continue
			split(line, f, " ")
			secs[f[1]] = f[2]
		}
	}
	BEGIN {
		load_secs(table)
		load_secs(known)
	}
	{
		name = $1
		sub(/.*\//, "", name)
		sub(/\.sh$/, "", name)
		cost[$1] = (name in secs) ? secs[name] * 1000 : $2
		order[NR] = $1
	}
	END {
		n = NR
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (cost[order[j]] > cost[order[i]]) {
					t = order[i]; order[i] = order[j]; order[j] = t
				}
		for (i = 1; i <= n; i++) {
			best = 0
			for (k = 1; k < shards; k++)
				if (load[k] < load[best])
					best = k
			load[best] += cost[order[i]]
			print best, order[i]
		}
	}'
}

t0=$SECONDS
echo "# kselftests on the debug kernel (NVS_KERNEL=$NVS_KERNEL, ${NVS_VM_MEM} MiB, $SHARDS VM(s))"
shard_tests >"$LOGDIR/shards"
declare -a vm_pid
for ((k = 0; k < SHARDS; k++)); do
	mapfile -t mine < <(awk -v k="$k" '$1 == k { print $2 }' "$LOGDIR/shards")
	diag "VM $k: $(printf '%s\n' "${mine[@]}" | sed 's|.*/||; s|\.sh$||' | tr '\n' ' ')"
	# Each VM's own files (and lock) under $LOGDIR/vm<k>: this lane can
	# run beside `make check`, which uses $BUILDDIR/vm.  The VMs queue for
	# the machine's VM slots (NVS_VM_SLOTS) like any other.
	BUILDDIR=$LOGDIR/vm$k "$COPY/tests/vm/run.sh" "${mine[@]}" \
		>"$LOGDIR/vm$k.log" 2>&1 &
	vm_pid[k]=$!
done

[ -f "$DURATIONS" ] && cp "$DURATIONS" "$DURATIONS.new" || : >"$DURATIONS.new"
for ((k = 0; k < SHARDS; k++)); do
	wait "${vm_pid[k]}"
	vrc=$?
	log=$LOGDIR/vm$k.log
	echo "# ---- VM $k ----"
	cat "$log"
	read -r p f s < <(awk -f "$COPY/tests/vm/ktap-count.awk" "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$vrc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# check-debug: VM $k failed (exit status $vrc) without a failed test"
		failed=$((failed + 1))
	fi
	sed -n 's/^# \([a-z0-9_]*\): exit status [0-9]*, \([0-9]*\)\..*/\1 \2/p' \
		"$log" >>"$DURATIONS.new"
	diag "VM $k: $(grep -c '^# vm boot [0-9]*: userspace up' "$log") boot(s), console log in $LOGDIR/vm$k/vm/console.log"
done
# The last time of each test, the ones that did not run this time kept.
awk '{ t[$1] = $2 } END { for (n in t) print n, t[n] }' "$DURATIONS.new" |
	sort >"$DURATIONS"
rm -f "$DURATIONS.new"
diag "VM phase: $((SECONDS - t0))s"

echo "# check-debug: $((SECONDS - t_start))s"
summary
[ "$failed" -eq 0 ]
