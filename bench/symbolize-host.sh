#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# symbolize-host.sh BINARY REPS - on the host (no guest): profctl symbolize
# against go tool addr2line on every function entry of a Go binary, side
# by side and interleaved, REPS times; then profctl's cold start (a fresh
# process symbolizing one address: open, parse, answer). Prints
#   result exp=symbolize tool=profctl|addr2line rep=N wall_ms=.. rss_kib=.. addrs=N
#   result exp=symbolize-cold rep=N wall_ms=..
# addr2line is the toolchain's own binary (GOTOOLDIR), not through the go
# command, which would add its own start-up to every run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bin=$1 reps=$2
addr2line=${GO_ADDR2LINE:-$(go env GOTOOLDIR)/addr2line}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build/bench/go_entries "$bin" > "$work/addrs"
n=$(wc -l < "$work/addrs")
echo "# symbolize: $bin ($(stat -c %s "$bin") bytes, $(go version "$bin" 2>/dev/null | awk '{ print $NF }')), $n function entries, addr2line $addr2line"

# run NAME CMD...: wall time and peak RSS of CMD reading the addresses
run() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$work/rss" "$@" < "$work/addrs" > "$work/$name.out"
	t1=$EPOCHREALTIME
	echo "result exp=symbolize tool=$name rep=$rep" \
		"wall_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')" \
		"rss_kib=$(cat "$work/rss") addrs=$n"
}

for rep in $(seq "$reps"); do
	run profctl build/profctl symbolize -e "$bin"
	run addr2line "$addr2line" "$bin"
	t0=$EPOCHREALTIME
	head -n 1 "$work/addrs" | build/profctl symbolize -e "$bin" > /dev/null
	t1=$EPOCHREALTIME
	echo "result exp=symbolize-cold rep=$rep" \
		"wall_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
done
# The two agree on the function of every entry. go tool addr2line (1.19
# to 1.23 alike) counts functab offsets from the .text section, which in
# an externally linked binary (Debian's caddy and restic: cgo) starts with
# C code before runtime.text: its answers are shifted by that gap, which
# Go's own tracebacks confirm is addr2line's error. Ask it about
# address - gap, then, to compare like with like.
text=$(readelf -SW "$bin" | sed -n 's/.* \.text  *PROGBITS  *\([0-9a-f]*\) .*/\1/p')
gap=$(( 0x$(head -n 1 "$work/addrs") - 0x$text ))
while read -r a; do printf '%x\n' $(( 0x$a - gap )); done < "$work/addrs" > "$work/shifted"
"$addr2line" "$bin" < "$work/shifted" | paste -d' ' - - | awk '{ print $1 }' > "$work/a"
paste -d' ' - - < "$work/profctl.out" | awk '{ print $1 }' > "$work/p"
echo "result exp=symbolize-agree differ=$(paste "$work/p" "$work/a" | awk '$1 != $2' | wc -l) addrs=$n text_gap=$gap"
