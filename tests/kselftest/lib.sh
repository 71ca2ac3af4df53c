# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Library for the netvsc kselftests.  Source it from a test:
#
#	. "$(dirname "$(readlink -f "$0")")/lib.sh"
#
# A test is a tests/kselftest/*.sh file that starts with "#!"; files that
# do not (like this one) are libraries and are never run as tests.  A test
# may set its timeout (default 600 s) with a "# timeout: N" line among its
# first 20 lines, and skip itself as a whole with exit 4 (KSFT_SKIP).
#
# KTAP output:
#   ktap_plan N                  "KTAP version 1" and "1..N"
#   ktap_ok DESC                 "ok <n> DESC"
#   ktap_fail DESC [REASON...]   reasons as "# " lines, then "not ok <n> DESC"
#   ktap_skip DESC REASON        "ok <n> DESC # SKIP REASON"
#   check DESC CMD [ARGS...]     ok if CMD exits 0, else not ok with its
#                                output as diagnostics
#   check_eq DESC EXPECTED ACTUAL
#   ktap_finished                "# totals: ..." and exit (0: no failures
#                                and the plan was met, 1 otherwise)
#   ktap_diag MSG...             "# MSG" lines
# ktap_fail, check and check_eq return 1 on failure (don't run the tests
# under "set -e" unless the first failure should end the test).
#
# Waiting: wait_for TIMEOUT_S CMD [ARGS...] runs CMD (output discarded)
# every 0.1 s until it succeeds (return 0) or TIMEOUT_S passed (return 1).
# It is the only way to wait for something: never sleep for ordering.
#
# netvsc:
#   NETVSC_DIR                   repo root
#   nvs_require_modules          skip the test unless both .ko files exist
#   nvs_load [PARAMS...]         insmod netvsc.ko PARAMS, then netvsc_sim.ko
#                                (each unless already loaded); PARAMS
#                                start with NVS_VETH_PARAMS unless they set
#                                vf_trust_nonpci themselves
#   NVS_VETH_PARAMS              vf_trust_nonpci=1: the tests' VFs are
#                                veths, which netvsc takes only with it
#                                (for testing; a test of the PCI-only
#                                default passes vf_trust_nonpci=0)
#   nvs_trust_nonpci Y|N         set vf_trust_nonpci at run time
#   nvs_unload                   rmmod netvsc_sim (and hv_netvsc if loaded),
#                                then netvsc
#   sim_new ID MAC [OPTS...]     create simulated device ID
#   sim_del ID                   delete it
#   sim_ifname ID                guest netdev name of device ID
#   sim_host_ifname ID           host end of its wire: nvsh<ID>
#   sim_dbg ID                   its debugfs directory
#   ns_new NAME                  ip netns add NAME (removed on exit)
#   in_ns NAME CMD...            ip netns exec NAME CMD...
#   on_exit CMD [ARGS...]        run CMD at exit (last registered first)
#   "${NVS_NOBODY[@]}" CMD...    run CMD as nobody, without capabilities
#   nvs_unprivileged_copy FILE...
#                                copy FILEs into a directory that any user
#                                can read (removed at exit), NVS_PUBLIC:
#                                the checkout may be private (Debian 12
#                                makes home directories 0700), and a tool
#                                run as nobody must not fail on that
#
# At exit (the library owns the EXIT trap: use on_exit, not trap) the
# on_exit commands run, sim devices made by sim_new are deleted, netns made
# by ns_new are removed and modules loaded by nvs_load are unloaded.

if [ -n "${_NVS_LIB_LOADED:-}" ]; then
	return 0
fi
_NVS_LIB_LOADED=1

NETVSC_DIR=${NETVSC_DIR:-$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)}
export NETVSC_DIR
NVS_MODDIR=$NETVSC_DIR/drivers/net/hyperv
NVS_SIM_BUS=/sys/bus/netvsc_sim
NVS_DEBUGFS=/sys/kernel/debug/netvsc_sim

_ktap_n=0
_ktap_planned=
_ktap_pass=0
_ktap_fail=0
_ktap_skip=0

# ------------------------------------------------------------------ KTAP

ktap_diag() {
	local arg line

	for arg in "$@"; do
		while IFS= read -r line; do
			printf '# %s\n' "$line"
		done <<<"$arg"
	done
}

ktap_plan() {
	if [ -n "$_ktap_planned" ]; then
		ktap_diag "ktap_plan called twice"
		return 1
	fi
	_ktap_planned=$1
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_ok() {
	_ktap_n=$((_ktap_n + 1))
	_ktap_pass=$((_ktap_pass + 1))
	echo "ok $_ktap_n $1"
}

ktap_fail() {
	local desc=$1

	shift
	_ktap_n=$((_ktap_n + 1))
	_ktap_fail=$((_ktap_fail + 1))
	[ $# -eq 0 ] || ktap_diag "$@"
	echo "not ok $_ktap_n $desc"
	return 1
}

ktap_skip() {
	_ktap_n=$((_ktap_n + 1))
	_ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n $1 # SKIP ${2:-skipped}"
}

check() {
	local desc=$1 out rc

	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
		return 0
	else
		rc=$?
	fi
	if [ "$(printf '%s\n' "$out" | wc -l)" -gt 40 ]; then
		out="[...]"$'\n'"$(printf '%s\n' "$out" | tail -n 40)"
	fi
	ktap_fail "$desc" "command: $*" "exit status: $rc" ${out:+"$out"}
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
		return 0
	fi
	ktap_fail "$1" "expected: '$2'" "actual:   '$3'"
}

ktap_finished() {
	local rc=0

	if [ -n "$_ktap_planned" ] && [ "$_ktap_planned" -ne "$_ktap_n" ]; then
		ktap_diag "planned $_ktap_planned tests but ran $_ktap_n"
		rc=1
	fi
	echo "# totals: pass:$_ktap_pass fail:$_ktap_fail skip:$_ktap_skip"
	[ "$_ktap_fail" -eq 0 ] || rc=1
	exit $rc
}

# ------------------------------------------------------------------ waiting

# Every bound on a wait is multiplied by NVS_TIMEOUT_FACTOR (a whole number,
# default 1): the debug lane sets it, as its kernel runs several times
# slower.  It lengthens bounds only; nothing waits longer than it must.
case ${NVS_TIMEOUT_FACTOR:-} in
'' | *[!0-9]* | 0) NVS_TIMEOUT_FACTOR=1 ;;
esac

wait_for() {
	local timeout=$1 sec frac now deadline

	shift
	sec=${timeout%%.*}
	frac=0
	case "$timeout" in
	*.*)
		frac=${timeout#*.}000000
		frac=$((10#${frac:0:6}))
		;;
	esac
	now=${EPOCHREALTIME/[.,]/}
	deadline=$((now + (${sec:-0} * 1000000 + frac) * NVS_TIMEOUT_FACTOR))
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		now=${EPOCHREALTIME/[.,]/}
		[ "$now" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ------------------------------------------------------------------ cleanup

_nvs_exit_cmds=()
_nvs_sims=()
_nvs_netns=()
_nvs_loaded=()

on_exit() {
	local q

	printf -v q ' %q' "$@"
	_nvs_exit_cmds+=("${q# }")
}

# shellcheck disable=SC2034  # for the tests
NVS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
	--bounding-set=-all)

nvs_unprivileged_copy() {
	NVS_PUBLIC=$(mktemp -d) || return 1
	on_exit rm -rf "$NVS_PUBLIC"
	chmod 755 "$NVS_PUBLIC" && cp "$@" "$NVS_PUBLIC/" &&
		chmod -R a+rX "$NVS_PUBLIC"
}

_nvs_cleanup() {
	local i id ns

	set +e
	for ((i = ${#_nvs_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_nvs_exit_cmds[$i]}"
	done
	for ((i = ${#_nvs_sims[@]} - 1; i >= 0; i--)); do
		id=${_nvs_sims[$i]}
		[ -n "$id" ] || continue
		[ -e "$NVS_SIM_BUS/devices/netvsc_sim$id" ] || continue
		echo "$id" >"$NVS_SIM_BUS/del_device" 2>/dev/null
	done
	for ns in "${_nvs_netns[@]}"; do
		[ -n "$ns" ] || continue
		ip netns delete "$ns" 2>/dev/null
	done
	if [ ${#_nvs_loaded[@]} -gt 0 ]; then
		nvs_unload >/dev/null 2>&1
	fi
}
trap _nvs_cleanup EXIT
# Clean up on a timeout too (the runner's timeout sends SIGTERM).
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------------ modules

nvs_require_modules() {
	local ko missing=

	for ko in netvsc netvsc_sim; do
		[ -f "$NVS_MODDIR/$ko.ko" ] || missing+=" $ko.ko"
	done
	[ -n "$missing" ] || return 0

	local reason="modules not built:$missing (run make modules)"
	if [ -z "$_ktap_planned" ]; then
		echo "# SKIP: $reason"
		exit 4
	fi
	while [ "$_ktap_n" -lt "$_ktap_planned" ]; do
		ktap_skip "not run" "$reason"
	done
	ktap_finished
}

_nvs_loaded_p() {
	[ -d "/sys/module/$1" ]
}

# Load the in-tree modules a .ko depends on (insmod does not).
_nvs_load_deps() {
	local dep

	for dep in $(modinfo -F depends "$1" 2>/dev/null | tr ',' ' '); do
		case "$dep" in
		netvsc|netvsc_sim|hv_netvsc) continue ;;
		esac
		_nvs_loaded_p "$dep" || modprobe "$dep" || return 1
	done
}

_nvs_insmod() {
	local mod=$1 ko=$NVS_MODDIR/$1.ko

	shift
	_nvs_loaded_p "$mod" && return 0
	_nvs_load_deps "$ko" || return 1
	insmod "$ko" "$@" || return 1
	_nvs_loaded+=("$mod")
}

NVS_VETH_PARAMS=(vf_trust_nonpci=1)

nvs_load() {
	local p params=("${NVS_VETH_PARAMS[@]}")

	for p in "$@"; do
		[[ $p != vf_trust_nonpci=* ]] || params=()
	done
	_nvs_insmod netvsc "${params[@]}" "$@" && _nvs_insmod netvsc_sim
}

nvs_trust_nonpci() {
	echo "$1" >/sys/module/netvsc/parameters/vf_trust_nonpci
}

nvs_unload() {
	local mod rc=0

	# hv_netvsc (ours, if a test loaded it) sits on top of netvsc too.
	for mod in netvsc_sim hv_netvsc netvsc; do
		_nvs_loaded_p "$mod" || continue
		rmmod "$mod" || rc=1
	done
	_nvs_loaded=()
	return $rc
}

# ------------------------------------------------------------------ sim

sim_new() {
	local id=$1 mode=

	shift
	# NVS_SIM_MODE=proto runs a test over the NVSP/RNDIS engine.
	[ "${NVS_SIM_MODE:-direct}" != proto ] || [[ " $* " == *" proto "* ]] ||
		mode=" proto"
	echo "$id $*$mode" >"$NVS_SIM_BUS/new_device" || return 1
	_nvs_sims+=("$id")
}

sim_del() {
	local id=$1 i

	echo "$id" >"$NVS_SIM_BUS/del_device" || return 1
	for i in "${!_nvs_sims[@]}"; do
		[ "${_nvs_sims[i]}" != "$id" ] || _nvs_sims[i]=
	done
}

sim_ifname() {
	local d=$NVS_SIM_BUS/devices/netvsc_sim$1/net

	[ -d "$d" ] || return 1
	# shellcheck disable=SC2012
	ls "$d" | head -n 1
}

sim_host_ifname() {
	echo "nvsh$1"
}

sim_dbg() {
	echo "$NVS_DEBUGFS/netvsc_sim$1"
}

# ------------------------------------------------------------------ netns

ns_new() {
	ip netns add "$1" || return 1
	_nvs_netns+=("$1")
}

in_ns() {
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}
