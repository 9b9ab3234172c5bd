#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# floor-host.sh REPS [UNITS] - on the host (no guest, no module): what one
# sampling interrupt costs the process it lands on, natively. fixedwork on
# one thread, 32 frames deep, runs unprofiled, under perf record with the
# least a sample can carry (no callchain), and under perf record -g, at
# 4999 Hz, interleaved. The extra time over the number of samples is the
# cost per interrupt; the first is the floor any perf-event sampler pays,
# which the guest shows only inflated (its emulated interrupt costs tens
# of us).
# Prints
#   # floor: <cpu model>, kernel <release>
#   result exp=floor tool=none|perf-nocallchain|perf-g rep=N elapsed_ns=...
#	[samples=...]
# or a "# floor: skipped, ..." line when perf cannot sample here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

reps=${1:?usage: bench/floor-host.sh REPS [UNITS]}
units=${2:-4000}
work=build/workloads/fixedwork
[ -x "$work" ] || { echo "floor-host: no $work: make workloads" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
if ! perf record -q -e cpu-clock -F 999 -o "$tmp/probe.data" -- true > /dev/null 2>&1; then
	echo "# floor: skipped, perf record cannot sample on this host"
	exit 0
fi
echo "# floor: ${cpu:-unknown cpu}, kernel $(uname -r)"

elapsed() { sed -n 's/^elapsed_ns //p' "$1"; }
run() {
	local tool=$1 rep=$2 args=()

	case $tool in
	none)
		"$work" -threads 1 -units "$units" -depth 32 > "$tmp/out"
		;;
	perf-nocallchain | perf-g)
		[ "$tool" = perf-g ] && args=(-g)
		perf record -q "${args[@]}" -e cpu-clock -F 4999 -o "$tmp/perf.data" \
			-- "$work" -threads 1 -units "$units" -depth 32 > "$tmp/out" 2> /dev/null
		;;
	esac
	[ "$rep" = 0 ] && return
	if [ "$tool" = none ]; then
		echo "result exp=floor tool=$tool rep=$rep elapsed_ns=$(elapsed "$tmp/out")"
	else
		echo "result exp=floor tool=$tool rep=$rep elapsed_ns=$(elapsed "$tmp/out")" \
			"samples=$(perf script -i "$tmp/perf.data" -F tid 2> /dev/null | wc -l)"
	fi
}

# rep 0 warms caches and page cache and is not reported
for rep in $(seq 0 "$reps"); do
	for tool in none perf-nocallchain perf-g; do
		run "$tool" "$rep"
	done
done
