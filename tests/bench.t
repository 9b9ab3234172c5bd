#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench.t - the benchmark harness in its smoke form (bench/run --smoke):
# one short repetition in a guest, so the harness cannot rot. Its figures
# mean nothing and are not checked, only that every experiment produced
# them. Writes under build/bench-smoke/ only.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

if [ -z "$(scripts/kernels flavour 6.1)" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	tap_skip "bench/run --smoke" "no 6.1 kernel or qemu installed"
	tap_done
	exit 0
fi
tap_check "bench/run --smoke completes" bench/run --smoke
raw=build/bench-smoke/raw.txt
for exp in "slowdown tool=none" "slowdown tool=ksampler" "slowdown tool=perf" \
	"slowdown tool=gopprof" \
	"filtered tool=ksampler" "handler mode=unwind" "handler mode=no-unwind" \
	"handler mode=count-only" "handler mode=none" \
	"window window=16" "window window=256" "collector tool=profctl" \
	"collector tool=perf" "symbolize tool=profctl" "symbolize tool=addr2line" \
	"bigbinary tool=profctl" "micro what=unwind" "micro what=pprof" "churn"; do
	if grep -q "^result exp=$exp .*\(elapsed_ns\|handler_ns\|cpu_s\|wall_ms\|rss_kib\|ns_per_sample\|ms\)=[0-9]" "$raw" 2>/dev/null; then
		tap_ok "smoke run measured: $exp"
	else
		tap_not_ok "smoke run measured: $exp" "no such result line in $raw"
	fi
done
# the host's interrupt floor needs perf able to sample here: a skip, not a pass
if grep -q '^# floor: skipped' "$raw" 2>/dev/null; then
	tap_skip "smoke run measured: the host's interrupt floor" \
		"$(sed -n 's/^# floor: skipped, //p' "$raw")"
else
	for exp in "floor tool=none" "floor tool=perf-nocallchain" "floor tool=perf-g"; do
		if grep -q "^result exp=$exp .*elapsed_ns=[0-9]" "$raw" 2>/dev/null; then
			tap_ok "smoke run measured: $exp"
		else
			tap_not_ok "smoke run measured: $exp" "no such result line in $raw"
		fi
	done
fi
for key in slowdown handler handler_seen_by_target window filtered collector symbolize churn; do
	grep -q "\"$key\": \[{" build/bench-smoke/results.json 2>/dev/null &&
		tap_ok "results.json has $key figures" ||
		tap_not_ok "results.json has $key figures"
done
tap_done
