#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make demo` runs: install what is missing (scripts/deps.sh build
# vm), build the modules, then boot the test VM and run tests/demo/demo.sh
# in it (output shown, its exit status returned).  The kernel tree is
# looked up only after the install, so that it can be the one installed.
#
# Usage: scripts/demo.sh

set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

if ! "$REPO/scripts/deps.sh" build vm; then
	echo "demo: missing packages, see above" >&2
	exit 1
fi
make --no-print-directory -C "$REPO" modules
exec "$REPO/tests/vm/run.sh" --cmd "bash tests/demo/demo.sh"
