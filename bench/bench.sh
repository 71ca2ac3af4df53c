#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the netvsc benchmark (make bench [QUICK=1]): build the
# helpers, run bench/run.sh in one VM boot, save the raw JSON lines and the
# summary JSON in bench/results/ and print the Markdown table.
#
#   bench/bench.sh [--quick]     (QUICK=1 in the environment does the same)
#
# The last line is "bench: N figures, N missing, N skipped, N errors".
# Exit status: 0 only if the VM run succeeded and every figure the run
# planned was measured at least once.

set -u
# The whole script is one compound command, read before it runs: editing
# this file during a run cannot derail the run.
{
dir=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$dir/.." && pwd)
quick=${QUICK:-}
[ "$quick" = 0 ] && quick=
[ "${1:-}" = --quick ] && quick=1

make -s -C "$dir" || exit 1
[ -x "$repo/tools/vfctl/vfctl" ] || make -s -C "$repo/tools/vfctl" || exit 1
for m in netvsc netvsc_sim; do
	[ -e "$repo/drivers/net/hyperv/$m.ko" ] || { echo "bench: build the modules first (make modules)" >&2; exit 1; }
done

mkdir -p "$dir/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
tag=${quick:+quick-}$stamp
log=$dir/results/$tag.log
jsonl=$dir/results/$tag.jsonl
export NVS_BENCH_QUICK=${quick:-0}
# The test VM runs with SLUB debugging and page poisoning, which cost on
# every allocation: a benchmark wants the kernel as shipped.  Later
# parameters win.  NVS_BENCH_VM_DEBUG=1 keeps the test settings.
if [ "${NVS_BENCH_VM_DEBUG:-0}" = 0 ]; then
	export NVS_VM_APPEND="slub_debug=- page_poison=0 init_on_free=0 ${NVS_VM_APPEND:-}"
fi

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load0=$(load_avg)
qemus=$(pgrep -c -f '^qemu-system' || :)
t0=$(date +%s)
"$repo/tests/vm/run.sh" --timeout "${NVS_BENCH_TIMEOUT:-7200}" \
	--cmd "bash $repo/bench/run.sh" >"$log" 2>&1
rc=$?
t1=$(date +%s)
# Each result is printed as it is taken ("@@R JSON"), so that a run cut
# short by the timeout still yields what it measured.
sed -n 's/^@@R //p' "$log" >"$jsonl"
if [ ! -s "$jsonl" ]; then
	echo "bench: no results (VM exit status $rc); output in $log" >&2
	tail -n 30 "$log" >&2
	echo "bench: 0 figures, all missing"
	exit 1
fi
echo "{\"kind\": \"host\", \"nproc\": $(nproc), \"load_start\": \"$load0\", \"load_end\": \"$(load_avg)\", \"other_qemu\": $qemus, \"wall_s\": $((t1 - t0)), \"vm_status\": $rc}" >>"$jsonl"
python3 "$dir/report.py" --json "$jsonl" >"$dir/results/$tag.json"
# latest.json: the summary of the last full run of every part.
if [ -z "$quick" ] && [ -z "${NVS_BENCH_ONLY:-}" ]; then
	cp "$dir/results/$tag.json" "$dir/results/latest.json"
fi
python3 "$dir/report.py" --markdown "$jsonl" | tee "$dir/results/$tag.md"
echo
[ "$rc" = 0 ] || echo "bench: the VM run failed (status $rc: 124 timeout, 125 VM died, 1 kernel splat); see $log" >&2
echo "bench: results in bench/results/$tag.{jsonl,json,md}, log $tag.log"
python3 "$dir/report.py" --check "$jsonl"
check=$?
[ "$rc" = 0 ] && [ "$check" = 0 ]
exit
}
