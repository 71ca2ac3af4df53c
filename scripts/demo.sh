#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make demo` runs: build the modules, then boot the test VM and run
# tests/demo/demo.sh in it (output shown, its exit status returned).
#
# Usage: scripts/demo.sh

set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

make --no-print-directory -C "$REPO" modules
exec "$REPO/tests/vm/run.sh" --cmd "bash tests/demo/demo.sh"
