#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# micro-host.sh [--quick] - on the host (no guest): the native
# microbenchmarks of build/bench/micro (unwind walk, ring write, stack
# aggregation, pprof encoding), under a header naming the machine, since
# their figures are its figures. Builds nothing: make build/bench/micro
# first. Prints
#   # micro: <cpu model>, <nproc> CPUs
#   result exp=micro what=... (build/bench/micro's lines, unchanged)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

case "${1:-}" in
'' | --quick) ;;
*) echo "usage: bench/micro-host.sh [--quick]" >&2; exit 2 ;;
esac
[ -x build/bench/micro ] || { echo "micro-host: no build/bench/micro: make build/bench/micro" >&2; exit 1; }

# lscpu is not everywhere (minimal containers); /proc/cpuinfo is on x86
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo "# micro: ${cpu:-unknown cpu}, $(nproc) CPUs"
exec build/bench/micro "$@"
