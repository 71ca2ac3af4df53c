#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the VM harness: runs throwaway tests that pass, fail, skip,
# time out, leave a fake splat in dmesg, taint the kernel, hit a real
# WARN_ON() (panic_on_warn), crash the kernel and wedge the runner, and
# checks that each gets the right verdict, that the run goes on in a fresh
# VM after each crash, and that the exit status and counts are right.
#
# Usage: tests/vm/selftest.sh        (takes a few minutes; not part of
#                                     `make check`)

set -euo pipefail

SELF_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(cd "$SELF_DIR/../.." && pwd)
BUILDDIR=${BUILDDIR:-$REPO/.build}
export BUILDDIR
WORK=$BUILDDIR/vm-selftest

if [ -z "${KDIR:-}" ]; then
	KDIR=$(make --no-print-directory -s -C "$REPO" print-KDIR | sed -n 's/^KDIR=//p')
fi
export KDIR

rm -rf "$WORK"
mkdir -p "$WORK/mod"
# Tests live outside the repo on purpose: the harness must stage them.
T=$(mktemp -d /tmp/nvs-selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT

# A module whose init hits WARN_ON(): a real kernel warning.
cat >"$WORK/mod/nvs_selftest_warn.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/bug.h>

static int __init nvs_selftest_warn_init(void)
{
	WARN_ON(1);
	return -EINVAL;
}
module_init(nvs_selftest_warn_init);

MODULE_DESCRIPTION("netvsc harness self-test: trigger a WARN_ON()");
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := nvs_selftest_warn.o' >"$WORK/mod/Kbuild"
make -s -C "$KDIR" M="$WORK/mod" modules >"$WORK/mod/build.log" 2>&1 || {
	cat "$WORK/mod/build.log"
	exit 1
}

# shellcheck disable=SC2016
lib='. "$(dirname "$(readlink -f "$0")")/lib.sh"'

# name, expected top-level verdict ("ok", "skip", "not ok"), script body
mk() {
	printf '#!/bin/bash\n# SPDX-License-Identifier: GPL-2.0\n%s\n%s\n' \
		"$3" "$lib" >"$T/$1.sh"
	cat >>"$T/$1.sh"
	NAMES+=("$1")
	EXPECT+=("$2")
}
NAMES=()
EXPECT=()

mk st_pass ok '' <<'EOF'
ktap_plan 3
check "true succeeds" true
check_eq "equal" a a
wait_for 5 test -d /tmp && ktap_ok "wait_for" || ktap_fail "wait_for"
ktap_finished
EOF

mk st_fail "not ok" '' <<'EOF'
ktap_plan 2
check "false fails" false
ktap_ok "still goes on"
ktap_finished
EOF

mk st_skip skip '' <<'EOF'
echo "# SKIP: nothing to do here"
exit 4
EOF

mk st_plan "not ok" '' <<'EOF'
ktap_plan 3
ktap_ok "only one"
exit 0
EOF

mk st_timeout "not ok" '# timeout: 5' <<'EOF'
ktap_plan 1
sleep 60
ktap_ok "never"
ktap_finished
EOF

mk st_fakesplat "not ok" '' <<'EOF'
ktap_plan 1
echo "<4>WARNING: CPU: 0 PID: 1 at nvs-selftest fake splat" >/dev/kmsg
ktap_ok "wrote a fake splat"
ktap_finished
EOF

mk st_after_splat ok '' <<'EOF'
ktap_plan 1
check "fresh VM: not tainted" test "$(( $(cat /proc/sys/kernel/tainted) & ~12288 ))" -eq 0
ktap_finished
EOF

mk st_taint "not ok" '' <<'EOF'
ktap_plan 1
echo 512 >/proc/sys/kernel/tainted
ktap_ok "tainted W"
ktap_finished
EOF

mk st_warn "not ok" '' <<EOF
ktap_plan 1
insmod $WORK/mod/nvs_selftest_warn.ko
ktap_ok "survived WARN_ON"
ktap_finished
EOF

mk st_oops "not ok" '' <<'EOF'
ktap_plan 1
echo c >/proc/sysrq-trigger
ktap_ok "survived sysrq-c"
ktap_finished
EOF

mk st_wedge "not ok" '# timeout: 5' <<'EOF'
ktap_plan 1
# Stop timeout(1) itself: nothing in the VM ends this test.
kill -STOP "$PPID"
sleep 600
ktap_finished
EOF

mk st_last ok '' <<'EOF'
ktap_plan 1
ktap_ok "the run went on to the end"
ktap_finished
EOF

paths=()
for n in "${NAMES[@]}"; do
	paths+=("$T/$n.sh")
done

out=$WORK/run.ktap
set +e
NVS_VM_GRACE=20 "$SELF_DIR/run.sh" "${paths[@]}" >"$out" 2>"$WORK/run.err"
rc=$?
set -e

fails=0
# expect DESC CMD...: report CMD's success as "ok: DESC", else "not ok".
expect() {
	local desc=$1

	shift
	if "$@"; then
		echo "ok: $desc"
	else
		echo "not ok: $desc"
		fails=$((fails + 1))
	fi
}

verdict_is() {
	case "$1" in
	ok) [[ "$2" =~ ^ok\ [0-9]+\ [a-z_]+$ ]] ;;
	skip) [[ "$2" == ok*"# SKIP"* ]] ;;
	*) [[ "$2" == "not ok"* ]] ;;
	esac
}

for i in "${!NAMES[@]}"; do
	num=$((i + 1))
	name=${NAMES[$i]}
	line=$(grep -E "^(not )?ok $num $name( |\$)" "$out" || :)
	expect "$name is '${EXPECT[$i]}': '$line'" verdict_is "${EXPECT[$i]}" "$line"
done
last=$((${#NAMES[@]} + 1))
expect "vm_kernel_log ok" grep -qx "ok $last vm_kernel_log" "$out"
expect "exit status 1 (got $rc)" test "$rc" -eq 1

# Failures: st_fail (a subtest), st_plan, st_timeout, st_fakesplat,
# st_taint, st_warn, st_oops, st_wedge (the runner or the host).
read -r p f s < <(awk -f "$SELF_DIR/ktap-count.awk" "$out")
echo "counted: $p passed, $f failed, $s skipped"
expect "8 failures counted" test "$f" -eq 8
expect "1 skip counted" test "$s" -eq 1
boots=$(grep -c '^# vm boot' "$out" || :)
expect "at least 6 boots (saw $boots)" test "$boots" -ge 6

if [ $fails -ne 0 ]; then
	echo "harness self-test FAILED ($fails); output in $out:"
	cat "$out"
	exit 1
fi
echo "harness self-test passed (output in $out)"
