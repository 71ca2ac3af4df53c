#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check` does:
#   1. scripts/deps.sh
#   2. static checks, one result each:
#        build_warnings  make -C $KDIR M=<repo> W=1 C=2 modules: no gcc or
#                        modpost warning or error, and the build succeeds
#        sparse          (same build, C=2): no sparse warning or error
#        checkpatch      checkpatch.pl --strict on every *.c and *.h under
#                        drivers/ include/ tools/ (tracked or untracked but
#                        not ignored)
#        tools_build     tools/vfctl built with -Wall -Wextra: no warning
#        tools_unit      tools/vfctl's unit tests (make -C tools/vfctl
#                        check): parsing and JSON of the netlink messages
#        mpb_probe       scripts/check-mpb-probe.sh: the build's probe for
#                        multi-range VMBus sends, and its overrides
#        unit_parsers    tests/unit: the RNDIS/NVSP parser table under ASan
#                        and UBSan
#        unit_fuzz       tests/unit: libFuzzer on the parsers for
#                        $NVS_FUZZ_SECONDS (default 30)
#   3. the kselftests in the test VM (tests/vm/run.sh), then the vf_*
#      ones again with the simulator in protocol mode (NVS_SIM_MODE=proto;
#      not when TESTs are given, or with NVS_SKIP_PROTO=1)
#   4. a last line "N passed, N failed, N skipped", counting the static
#      checks and every KTAP leaf result of the VM run.
#
# Usage: scripts/check.sh [TEST...]   (TESTs are passed to tests/vm/run.sh)
#
# Exit status 0 if nothing failed.  Logs go to $BUILDDIR/check/.
# Environment: KDIR, BUILDDIR (as in the top-level Makefile), NVS_SKIP_VM=1
# to stop after the static checks, NVS_STRESS_SCALE (percent of the stress
# and fuzz counts, default 10), NVS_STRESS_BUDGET_S (default 120),
# NVS_FUZZ_SECONDS (libFuzzer's time on the parsers, default 30),
# NVS_CHECK_TESTS (the TESTs to run when none are given, space-separated:
# `NVS_CHECK_TESTS=smoke make check` runs the static checks and one VM
# test; make check-fresh uses it to bound its time), NVS_PROTO_TESTS (the
# tests of the protocol-mode pass, space-separated; default every vf_*
# test).

set -uo pipefail

# The whole script is one compound command, read before it runs: editing
# this file (or a git checkout) during a run cannot derail the run.
{

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO" || exit 2
BUILDDIR=${BUILDDIR:-$REPO/.build}
LOGDIR=$BUILDDIR/check
CPDIR=$BUILDDIR/checkpatch
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
export BUILDDIR

# checkpatch types that mean nothing for an out-of-tree module checked
# file by file.  Keep this list short; every entry needs its reason.
CHECKPATCH_IGNORE=(
	# Only produced for patches (file moves, MAINTAINERS); -f has none.
	FILE_PATH_CHANGES
)

passed=0
failed=0
skipped=0
n=0

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

# result ok|fail|skip NAME [DIAG...]
result() {
	local verdict=$1 name=$2

	shift 2
	n=$((n + 1))
	case $verdict in
	ok)
		passed=$((passed + 1))
		echo "ok $n $name"
		;;
	skip)
		skipped=$((skipped + 1))
		echo "ok $n $name # SKIP $*"
		;;
	*)
		failed=$((failed + 1))
		[ $# -eq 0 ] || diag "$@"
		echo "not ok $n $name"
		;;
	esac
}

# Print at most 60 lines of $1, noting what was cut.
head_of() {
	local total

	total=$(printf '%s\n' "$1" | wc -l)
	printf '%s\n' "$1" | head -n 60
	[ "$total" -le 60 ] || echo "[... $((total - 60)) more lines]"
}

t_start=$SECONDS

if [ $# -eq 0 ] && [ -n "${NVS_CHECK_TESTS:-}" ]; then
	# shellcheck disable=SC2086 # a list of test names
	set -- $NVS_CHECK_TESTS
	echo "# NVS_CHECK_TESTS: only $*"
fi

# ------------------------------------------------------------------ deps

if ! "$REPO/scripts/deps.sh"; then
	echo "check: missing packages, see above" >&2
	failed=1
	summary
	exit 1
fi

if [ -z "${KDIR:-}" ]; then
	KDIR=$(make --no-print-directory -s -C "$REPO" print-KDIR 2>/dev/null |
		sed -n 's/^KDIR=//p')
fi
export KDIR
mkdir -p "$LOGDIR"

echo "KTAP version 1"
echo "# netvsc static checks (KDIR=$KDIR)"
echo "1..8"

# ------------------------------------------------------------------ build

if [ ! -f drivers/net/hyperv/Makefile ] && [ ! -f drivers/net/hyperv/Kbuild ]; then
	result skip build_warnings "no drivers/net/hyperv/Makefile yet"
	result skip sparse "no drivers/net/hyperv/Makefile yet"
elif [ -z "$KDIR" ] || [ ! -f "$KDIR/Makefile" ]; then
	result fail build_warnings "no kernel build tree (KDIR='$KDIR')"
	result fail sparse "no kernel build tree (KDIR='$KDIR')"
else
	log=$LOGDIR/build.log
	t0=$SECONDS
	# Clean first: gcc only warns about what it compiles.
	make -C "$KDIR" M="$REPO" clean >/dev/null 2>&1
	make -C "$KDIR" M="$REPO" W=1 C=2 -j"$(nproc)" -O modules >"$log" 2>&1
	brc=$?
	diag "module build: exit status $brc, $((SECONDS - t0))s, log in $log"
	# Attribute each warning to the step that printed it: sparse runs
	# under a "CHECK" line; with -O each target's output is in one piece.
	classified=$(awk '
		/^  [A-Z][A-Z ]*\[?M?\]? / { step = $1 }
		tolower($0) ~ /(warning|error):/ {
			print (step == "CHECK" ? "sparse" : "build") "\t" $0
		}' "$log")
	gcc_lines=$(printf '%s\n' "$classified" | sed -n 's/^build\t//p')
	sparse_lines=$(printf '%s\n' "$classified" | sed -n 's/^sparse\t//p')

	if [ $brc -ne 0 ]; then
		result fail build_warnings "build failed (exit status $brc):" \
			"$(head_of "${gcc_lines:-$(tail -n 30 "$log")}")"
	elif [ -n "$gcc_lines" ]; then
		result fail build_warnings "$(head_of "$gcc_lines")"
	else
		result ok build_warnings
	fi
	if [ -n "$sparse_lines" ]; then
		result fail sparse "$(head_of "$sparse_lines")"
	elif [ $brc -ne 0 ]; then
		result fail sparse "the build failed, sparse did not check everything"
	else
		result ok sparse
	fi
fi

# ------------------------------------------------------------------ checkpatch

checkpatch_files() {
	local f

	{
		git ls-files -- drivers include tools
		git ls-files -o --exclude-standard -- drivers include tools
	} | grep -E '\.[ch]$' | sort -u | while IFS= read -r f; do
		[ ! -f "$f" ] || echo "$f"
	done
}

extract_checkpatch() {
	local m members=()

	[ -x "$CPDIR/scripts/checkpatch.pl" ] && return 0
	[ -f "$KSRC_TARBALL" ] || return 1
	for m in scripts/checkpatch.pl scripts/spelling.txt \
		 scripts/const_structs.checkpatch \
		 Documentation/dev-tools/checkpatch.rst; do
		members+=("linux-source-6.1/$m")
	done
	rm -rf "$CPDIR.tmp"
	mkdir -p "$CPDIR.tmp"
	tar -xJf "$KSRC_TARBALL" -C "$CPDIR.tmp" --strip-components=1 \
		"${members[@]}" || return 1
	rm -rf "$CPDIR"
	mv "$CPDIR.tmp" "$CPDIR"
}

if ! extract_checkpatch; then
	result fail checkpatch "cannot extract checkpatch.pl from $KSRC_TARBALL"
else
	mapfile -t files < <(checkpatch_files)
	if [ ${#files[@]} -eq 0 ]; then
		result skip checkpatch "no C files yet"
	else
		log=$LOGDIR/checkpatch.log
		ignore=$(IFS=,; echo "${CHECKPATCH_IGNORE[*]}")
		"$CPDIR/scripts/checkpatch.pl" --strict --no-tree --terse \
			--show-types --no-summary --color=never \
			${ignore:+--ignore "$ignore"} -f "${files[@]}" >"$log" 2>&1
		cprc=$?
		issues=$(grep -E '(ERROR|WARNING|CHECK):' "$log")
		if [ -n "$issues" ] || [ $cprc -ne 0 ]; then
			result fail checkpatch "${#files[@]} files, log in $log" \
				"$(head_of "${issues:-$(cat "$log")}")"
		else
			diag "checkpatch: ${#files[@]} files clean"
			result ok checkpatch
		fi
	fi
fi

# ------------------------------------------------------------------ tools

if [ ! -f tools/vfctl/Makefile ]; then
	result skip tools_build "no tools/vfctl/Makefile yet"
	result skip tools_unit "no tools/vfctl/Makefile yet"
else
	log=$LOGDIR/tools.log
	# -B: rebuild everything so that every warning shows.
	make -B -C tools/vfctl CC="${CC:-gcc} -Wall -Wextra" >"$log" 2>&1
	trc=$?
	warn=$(grep -iE '(warning|error):' "$log")
	if [ $trc -ne 0 ]; then
		result fail tools_build "build failed (exit status $trc), log in $log" \
			"$(head_of "${warn:-$(tail -n 30 "$log")}")"
	elif [ -n "$warn" ]; then
		result fail tools_build "$(head_of "$warn")"
	else
		result ok tools_build
	fi
	log=$LOGDIR/tools-unit.log
	if make -C tools/vfctl check >"$log" 2>&1; then
		result ok tools_unit
	else
		result fail tools_unit "log in $log" \
			"$(head_of "$(grep -A3 -B3 '^not ok' "$log" || tail -n 30 "$log")")"
	fi
fi

# ------------------------------------------------------------------ probe

log=$LOGDIR/mpb-probe.log
if "$REPO/scripts/check-mpb-probe.sh" >"$log" 2>&1; then
	result ok mpb_probe
else
	result fail mpb_probe "log in $log" \
		"$(head_of "$(grep -E '^(not ok|#)' "$log")")"
fi

# ------------------------------------------------------------------ unit

# tests/unit/run.sh prints "ok 1 parse_test" and "ok 2 fuzz_parse" (or
# "not ok", or "# SKIP reason"), each after its own diagnostics.
log=$LOGDIR/unit.log
FUZZ_SECONDS=${NVS_FUZZ_SECONDS:-30} tests/unit/run.sh >"$log" 2>&1
for pair in parse_test:unit_parsers fuzz_parse:unit_fuzz; do
	line=$(grep -E "^(not )?ok [0-9]+ ${pair%%:*}( |$)" "$log")
	case $line in
	"ok "*"# SKIP "*)
		result skip "${pair#*:}" "${line#*# SKIP }"
		;;
	"ok "*)
		result ok "${pair#*:}"
		;;
	*)
		result fail "${pair#*:}" "log in $log" \
			"$(head_of "$(grep -E '^ *# |not ok' "$log")")"
		;;
	esac
done

# ------------------------------------------------------------------ VM

# vm_run LOG WHAT [TEST...]: tests/vm/run.sh, its output shown and kept in
# LOG; its KTAP leaf results added to the counts.  A run that fails
# without a failed test (a VM that did not boot, say) counts as a failure.
vm_run() {
	local log=$1 what=$2 vrc p f s

	shift 2
	"$REPO/tests/vm/run.sh" "$@" 2>&1 | tee "$log"
	vrc=${PIPESTATUS[0]}
	read -r p f s < <(awk -f "$REPO/tests/vm/ktap-count.awk" "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$vrc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# check: $what failed (exit status $vrc) without a failed test"
		failed=$((failed + 1))
	fi
}

if [ "${NVS_SKIP_VM:-0}" = 1 ]; then
	echo "# NVS_SKIP_VM=1: not running the VM tests"
else
	log=$LOGDIR/vm.log
	# The stress and fuzz tests run scaled down here, to fit CI's time;
	# NVS_STRESS_SCALE=100 (percent) runs their full counts.
	scale=${NVS_STRESS_SCALE:-10}
	budget=${NVS_STRESS_BUDGET_S:-120}
	export NVS_VM_APPEND="${NVS_VM_APPEND:-} nvs_stress_scale=$scale nvs_stress_budget_s=$budget"
	echo "# kselftests in the test VM (stress and fuzz at ${scale}%)"
	vm_run "$log" "the VM run" "$@"

	# The VF tests once more, the simulator speaking NVSP and RNDIS
	# (NVS_SIM_MODE=proto, see tests/kselftest/lib.sh): the VF engine
	# must behave the same over either transport.
	if [ $# -eq 0 ] && [ "${NVS_SKIP_PROTO:-0}" != 1 ]; then
		if [ -n "${NVS_PROTO_TESTS:-}" ]; then
			read -ra vf_tests <<<"$NVS_PROTO_TESTS"
		else
			mapfile -t vf_tests < <("$REPO/tests/vm/run.sh" --list | grep '^vf_')
		fi
		echo "# the VF tests again, the simulator in protocol mode"
		NVS_SIM_MODE=proto vm_run "$LOGDIR/vm-proto.log" \
			"the protocol-mode VM run" "${vf_tests[@]}"
	fi
fi

echo "# check: $((SECONDS - t_start))s"
summary
[ "$failed" -eq 0 ]
exit
}
