#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 init of the netvsc test VM: PID 1 after switch_root into the
# host's (read-only) root file system, all set up by the initramfs init.
# Reads the job file written by tests/vm/run.sh and runs the requested
# work:
#
#   test:  tests/kselftest/run.sh, KTAP on ttyS1
#   cmd:   a command, its output on ttyS1, its status on ttyS2
#   shell: an interactive shell on the console (ttyS0)
#
# ttyS1 (results) and ttyS2 (control) carry nothing but what this script
# and its children write: the kernel console is on ttyS0 only.

set -u

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 PYTHONUNBUFFERED=1
export TERM=${TERM:-linux}

OUT=/dev/ttyS1
CTL=/dev/ttyS2

ctl() {
	echo "$*" >"$CTL"
}

halt_vm() {
	/bin/busybox poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do sleep 3600; done
}

die() {
	echo "nvs-guest-init: FATAL: $*" >/dev/console
	ctl "fatal $*"
	halt_vm
}

exec </dev/console >/dev/console 2>&1

nvs_repo=${nvs_repo:-}
nvs_job=${nvs_job:-}
[ -d "$nvs_repo" ] || die "repo '$nvs_repo' not visible in the VM"
[ -f "$nvs_job" ] || die "job file '$nvs_job' not visible in the VM"

NVS_MODE=
NVS_TESTS=()
NVS_FIRST=1
NVS_PLAN=
NVS_CMD=
NVS_ROWS=
NVS_COLS=
# shellcheck source=/dev/null
. "$nvs_job" || die "cannot read $nvs_job"

export NETVSC_DIR="$nvs_repo"
runner="$nvs_repo/tests/kselftest/run.sh"

read -r uptime _ </proc/uptime
ctl "boot $uptime"

case "$NVS_MODE" in
test)
	bash "$runner" --first "$NVS_FIRST" --plan "$NVS_PLAN" --ctl "$CTL" \
		"${NVS_TESTS[@]}" </dev/null >"$OUT" 2>&1
	ctl "done $?"
	;;
cmd)
	dmesg -C
	(cd "$nvs_repo" && exec bash -c "$NVS_CMD") </dev/null >"$OUT" 2>&1
	rc=$?
	if ! bash "$runner" --scan-kernel >"$OUT" 2>&1; then
		ctl "splat"
		[ "$rc" -ne 0 ] || rc=1
	fi
	ctl "status $rc"
	;;
shell)
	[ -z "$NVS_ROWS" ] || stty rows "$NVS_ROWS" cols "$NVS_COLS"
	echo "netvsc test VM: $(uname -r); repo at $nvs_repo."
	echo "Leave with 'exit' (or Ctrl-A X for QEMU)."
	cd "$nvs_repo" || :
	setsid -c -w bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	ctl "status $?"
	;;
*)
	die "unknown mode '$NVS_MODE'"
	;;
esac

halt_vm
