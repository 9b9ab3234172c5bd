#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# hostile-host.sh [REPS] - on the host (no guest): what profctl's search
# for a Go pclntab that no section names costs (issue 19). The CPU time
# (user + system) of `profctl symbolize` on
#   - files built to stall the search (tests/host/hostile_elf), of 0.5,
#     3.8 and 38 MB, answering one address;
#   - real Go binaries, every function entry, as shipped (table found by
#     its section) and with the section headers removed (found by the
#     search), so that a fix for the first costs the second nothing.
# Each is run REPS times (default 5), interleaved. Prints
#   result exp=hostile kind=K bytes=N rep=R cpu_ms=.. rc=..
#   result exp=realgo bin=B sections=kept|removed rep=R cpu_ms=.. addrs=N out=SHA
# (out: a digest of the answers, equal for kept and removed).
#
# PROFCTL: the profctl to time (default build/profctl), e.g. one built
# from an older commit; HOSTILE_TIMEOUT (seconds, default 600) cuts a run
# short (rc 124); HOSTILE_SIZES: the hostile files' sizes in bytes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

reps=${1:-5}
profctl=${PROFCTL:-build/profctl}
limit=${HOSTILE_TIMEOUT:-600}
sizes=${HOSTILE_SIZES:-524288 3984588 39845888}
make -s build/tests/host/hostile_elf build/bench/go_entries
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT='%3U %3S'

# cpu FILE CMD...: runs CMD (stdin, stdout as given; stderr dropped), its
# CPU ms into FILE
cpu() {
	local f=$1 rc
	shift
	{ time "$@" 2> /dev/null; } 2> "$f.time" && rc=0 || rc=$?
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$f.time" > "$f"
	return $rc
}

for bytes in $sizes; do
	for kind in near-end middle huge-nfunc; do
		build/tests/host/hostile_elf "$kind" "$bytes" "$work/$kind-$bytes"
	done
done
bins=()
for b in /usr/bin/caddy /usr/bin/restic build/gofix/go1.15/default \
	 build/gofix/go1.23/pie-stripped build/workloads/cpusplit; do
	[ -f "$b" ] || continue
	n=${#bins[@]}
	cp "$b" "$work/real$n"
	cp "$b" "$work/real$n-nosec"
	# e_shoff, then e_shnum and e_shstrndx: no section headers
	dd if=/dev/zero of="$work/real$n-nosec" bs=1 seek=40 count=8 conv=notrunc status=none
	dd if=/dev/zero of="$work/real$n-nosec" bs=1 seek=60 count=4 conv=notrunc status=none
	build/bench/go_entries "$b" > "$work/real$n.addrs"
	bins+=("$b")
done

for rep in $(seq "$reps"); do
	for bytes in $sizes; do
		for kind in near-end middle huge-nfunc; do
			rc=0
			echo 401000 | cpu "$work/ms" timeout "$limit" "$profctl" symbolize \
				-e "$work/$kind-$bytes" > /dev/null || rc=$?
			echo "result exp=hostile kind=$kind bytes=$bytes rep=$rep" \
				"cpu_ms=$(cat "$work/ms") rc=$rc"
		done
	done
	for n in "${!bins[@]}"; do
		for sec in kept removed; do
			f=$work/real$n
			[ $sec = kept ] || f=$work/real$n-nosec
			cpu "$work/ms" "$profctl" symbolize -e "$f" < "$work/real$n.addrs" \
				> "$work/out"
			echo "result exp=realgo bin=${bins[$n]} sections=$sec rep=$rep" \
				"cpu_ms=$(cat "$work/ms") addrs=$(wc -l < "$work/real$n.addrs")" \
				"out=$(sha1sum < "$work/out" | cut -c1-12)"
		done
	done
done
