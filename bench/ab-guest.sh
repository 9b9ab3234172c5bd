#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ab-guest.sh A.ko B.ko - two builds of the module side by side in one guest
# boot: each handler mode (full walk at 8, 32 and 128 frames, leaf only,
# count only) for A, then for B, over BENCH_REPS repetitions (default 5),
# so that drift between boots cannot pass for a change. Run it through
# scripts/vm-run, e.g. to price a change to kmod/ against main:
#
#   scripts/vm-run --kernel 6.1 -- bench/ab-guest.sh before.ko after.ko
#
# (both built for that kernel). Prints "result exp=ab ko=A|B mode=...
# depth=D rep=N fired=... handler_ns=..." lines and, at the end, the median
# handler ns per interrupt of each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[ $# -eq 2 ] || { echo "usage: bench/ab-guest.sh A.ko B.ko" >&2; exit 2; }
reps=${BENCH_REPS:-5}
units=${BENCH_UNITS:-20000}
work=build/workloads/fixedwork
ks_run=build/bench/ks_run
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

measure() {
	local ko=$1 rep=$2 mode=$3 d=$4 flag=() out

	[ "$mode" = unwind ] || flag=("--$mode")
	out=$("$ks_run" --freq 999 --max-frames 512 "${flag[@]}" -- \
		"$work" -threads 2 -units "$units" -depth "$d")
	echo "result exp=ab ko=$ko mode=$mode depth=$d rep=$rep" \
		"fired=$(field fired "$out") handler_ns=$(field handler_ns "$out")"
}

for rep in $(seq "$reps"); do
	for ko in A B; do
		path=$1
		[ $ko = B ] && path=$2
		insmod "$path"
		# a discarded run: the emulator translates the new code first
		"$ks_run" --freq 999 -- "$work" -threads 2 -units 50 -depth 32 > /dev/null
		for d in 8 32 128; do
			measure $ko "$rep" unwind "$d"
		done
		measure $ko "$rep" no-unwind 32
		measure $ko "$rep" count-only 32
		rmmod ksampler
	done
done | tee /tmp/ab.raw

echo "# median handler ns per interrupt"
awk '/^result exp=ab / {
	for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	if (v["fired"] > 0)
		print v["ko"], v["mode"], v["depth"], v["handler_ns"] / v["fired"]
}' /tmp/ab.raw | sort -k1,1 -k2,2 -k3,3n -k4,4g | awk '
	{ key = $1 " " $2 " depth=" $3; n[key]++; x[key, n[key]] = $4 }
	END {
		for (k in n) {
			c = n[k]
			m = c % 2 ? x[k, (c + 1) / 2] : (x[k, c / 2] + x[k, c / 2 + 1]) / 2
			printf "%s %.0f\n", k, m
		}
	}' | sort
