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
#   3. tests/vm/run.sh of that copy on the debug kernel; after every test
#      a kmemleak scan (by the in-VM runner when it has the hook, else as
#      a "leakscan_after_<test>" entry of our own after each test), any
#      splat or leak fails the test
#   4. "N passed, N failed, N skipped", counting the build steps and
#      every KTAP leaf result of the VM run
#
# Usage: scripts/check-debug.sh [TEST...]   (TEST as for tests/vm/run.sh;
#                                            default: every test)
#
# Exit status 0 if nothing failed.  Logs go to $BUILDDIR/check-debug/.
# Environment: BUILDDIR (default <repo>/.build: logs, and the VM's lock
# and files), NVS_DEBUG_DIR (the kernel build and the copy of the work
# tree; default /var/cache/netvsc-debug, or ~/.cache/netvsc-debug when
# /var/cache is not writable), NVS_DEBUG_KERNEL_DIR (the kernel build
# alone, default $NVS_DEBUG_DIR/kernel), NVS_VM_MEM (MiB, default
# 2048 here), NVS_VM_APPEND (extra kernel command line; nvs_stress_scale=N
# scales the stress and fuzz counts, in percent), NVS_VM_BOOT_TIMEOUT
# (default 600 here: KASAN under TCG boots slowly), NVS_DEBUG_JOBS.

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

# result ok|fail NAME [DIAG...]
result() {
	local verdict=$1 name=$2

	shift 2
	n=$((n + 1))
	if [ "$verdict" = ok ]; then
		passed=$((passed + 1))
		echo "ok $n $name"
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

# What the debug kernel build needs beyond scripts/deps.sh's list.
DEBUG_PACKAGES=(bison flex libelf-dev libssl-dev cpio bc kmod linux-source-6.1)

install_deps() {
	local p status missing=()

	"$REPO/scripts/deps.sh" || return 1
	for p in "${DEBUG_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || :)
		case "$status" in
		ii*) ;;
		*) missing+=("$p") ;;
		esac
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "check-debug: missing packages: ${missing[*]}" >&2
		return 1
	fi
	echo "check-debug: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >&2 || {
		apt-get update >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends "${missing[@]}" >&2
	}
}

if ! install_deps; then
	echo "check-debug: missing packages, see above" >&2
	failed=1
	summary
	exit 1
fi

mkdir -p "$LOGDIR"
echo "KTAP version 1"
echo "# netvsc debug lane: KASAN, UBSAN, kmemleak, lockdep"
echo "1..2"

# ------------------------------------------------------------------ kernel

t0=$SECONDS
log=$LOGDIR/kernel.log
if env=$("$REPO/scripts/debug-kernel.sh" --env 2>"$log"); then
	KDIR=$(sed -n 's/^KDIR=//p' <<<"$env")
	NVS_KERNEL=$(sed -n 's/^NVS_KERNEL=//p' <<<"$env")
	rel=$(sed -n 's/^NVS_DEBUG_RELEASE=//p' <<<"$env")
	built=$(sed -n 's/^NVS_DEBUG_BUILD_SECONDS=//p' <<<"$env")
	export KDIR NVS_KERNEL
	if grep -q 'reusing' "$log"; then
		diag "debug kernel $rel: reused the cached build (it took ${built}s); $((SECONDS - t0))s"
	else
		diag "debug kernel $rel: built in ${built}s; phase $((SECONDS - t0))s"
	fi
	result ok debug_kernel
else
	result fail debug_kernel "$(tail -n 40 "$log")" "log in $log"
	give_up
fi

# ------------------------------------------------------------------ modules

# The work tree as `make check` sees it: tracked files and untracked ones
# that are not ignored.
copy_tree() {
	rm -rf "$COPY.new"
	mkdir -p "$COPY.new"
	{
		git ls-files -z
		git ls-files -z -o --exclude-standard
	} | sort -zu | while IFS= read -r -d '' f; do
		[ -f "$f" ] && printf '%s\0' "$f"
	done | tar -c --null -T - -f - | tar -x -C "$COPY.new" || return 1
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

# Does the in-VM runner scan kmemleak after each test itself?
runner_has_kmemleak() {
	grep -q '/sys/kernel/debug/kmemleak' "$COPY/tests/kselftest/run.sh"
}

# kmemleak_entry PREV: a test file that scans kmemleak and fails on any
# leak, named after the test it follows: leakscan_after_PREV (the runner
# logs each test's name to the kernel log, and "kmemleak" there would
# match the runner's splat patterns).
kmemleak_entry() {
	local prev=$1 f=$COPY/tests/kmemleak/leakscan_after_$1.sh

	cat >"$f" <<EOF
#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generated by scripts/check-debug.sh: a kmemleak scan after $prev.
# timeout: 300
KL=/sys/kernel/debug/kmemleak
echo "KTAP version 1"
echo "1..1"
if [ ! -w "\$KL" ]; then
	echo "ok 1 no leak after $prev # SKIP no kmemleak in this kernel"
	exit 0
fi
# kmemleak leaves out objects younger than 5 s: let the last test's age.
# This waits for an age, not for an event.
sleep 6
echo scan >"\$KL"
echo scan >"\$KL"
leaks=\$(cat "\$KL")
echo clear >"\$KL"
if [ -z "\$leaks" ]; then
	echo "ok 1 no leak after $prev"
	exit 0
fi
printf '%s\n' "\$leaks" | head -n 200 | sed 's/^/# /'
if [ "$prev" = boot ]; then
	# Leaks from boot are the kernel's own, not a test's: shown only.
	echo "ok 1 no leak after $prev # SKIP leaks from boot are reported, not failed"
	exit 0
fi
echo "not ok 1 no leak after $prev"
exit 1
EOF
	echo "$f"
}

mapfile -t tests < <("$COPY/tests/vm/run.sh" --list "$@")
if [ ${#tests[@]} -eq 0 ]; then
	diag "no tests to run"
	give_up
fi
args=()
if runner_has_kmemleak; then
	diag "kmemleak: the in-VM runner scans after each test"
	args=("${tests[@]}")
else
	diag "kmemleak: the in-VM runner has no hook; a leakscan_after_<test> entry follows each test"
	rm -rf "$COPY/tests/kmemleak"
	mkdir -p "$COPY/tests/kmemleak"
	args+=("$(kmemleak_entry boot)")
	for t in "${tests[@]}"; do
		args+=("$t" "$(kmemleak_entry "$t")")
	done
fi

export NVS_VM_MEM=${NVS_VM_MEM:-2048}
export NVS_VM_BOOT_TIMEOUT=${NVS_VM_BOOT_TIMEOUT:-600}
export NVS_VM_APPEND=${NVS_VM_APPEND:-}
t0=$SECONDS
log=$LOGDIR/vm.log
echo "# kselftests on the debug kernel (NVS_KERNEL=$NVS_KERNEL, ${NVS_VM_MEM} MiB)"
"$COPY/tests/vm/run.sh" "${args[@]}" 2>&1 | tee "$log"
vrc=${PIPESTATUS[0]}
read -r p f s < <(awk -f "$COPY/tests/vm/ktap-count.awk" "$log")
passed=$((passed + p))
failed=$((failed + f))
skipped=$((skipped + s))
if [ "$vrc" -ne 0 ] && [ "$f" -eq 0 ]; then
	echo "# check-debug: the VM run failed (exit status $vrc) without a failed test"
	failed=$((failed + 1))
fi
boots=$(grep -c '^# vm boot [0-9]*: userspace up' "$log")
diag "VM phase: $((SECONDS - t0))s, $boots boot(s):" \
	"$(grep '^# vm boot [0-9]*: userspace up' "$log" | sed 's/^# //')"
cp "$BUILDDIR/vm/console.log" "$LOGDIR/console.log" 2>/dev/null &&
	diag "console log: $LOGDIR/console.log"

echo "# check-debug: $((SECONDS - t_start))s"
summary
[ "$failed" -eq 0 ]
