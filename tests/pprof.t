#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# pprof.t - the real go tool pprof reads what profctl's writer writes: a
# known profile (tests/host/pprof_gen) must come back with the right
# totals, functions, inline frames and labels.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

if ! command -v go >/dev/null; then
	tap_skip "go tool pprof reads our profiles" "go not installed (golang-go)"
	tap_done
	exit 0
fi
export HOME=${HOME:-/tmp} GOFLAGS=-mod=mod
prof=$(mktemp /tmp/pprof-t.XXXXXX)
trap 'rm -f "$prof"' EXIT
tap_check "pprof_gen writes a profile" build/tests/host/pprof_gen "$prof"

tap_run go tool pprof -top -nodecount=10 "$prof"
tap_expect "go tool pprof -top accepts it" 0 "Type: cpu"
tap_expect "total is 105 samples of 10.1 ms" 0 "Total samples = 1060\.61ms"
tap_expect "main.inner is the hottest, flat 60 samples (57%), marked inline" 0 \
	"606\.06ms 57\.14% +57\.14% +606\.06ms 57\.14% +main\.inner \(inline\)"
tap_expect "main.other has its 40 samples (38%)" 0 "404\.04ms 38\.10% .*main\.other$"
tap_expect "main.main is the root of all 105" 0 "0 +0% +100% +1060\.61ms +100% +main\.main"

tap_run go tool pprof -traces "$prof"
tap_expect "-traces shows the inlined frame as (inline)" 0 "606\.06ms +main\.inner \(inline\)$"
tap_expect "-traces keeps its physical caller below it" 0 "^ +main\.outer$"
tap_expect "the pid label reaches pprof, numeric" 0 "pid: +4242$"
tap_expect "the comm label reaches pprof" 0 "comm: +app$"

tap_run go tool pprof -top -noinlines "$prof"
tap_expect "-noinlines folds main.inner into main.outer" 0 \
	"606\.06ms 57\.14% .*main\.outer$"

tap_run go tool pprof -raw "$prof"
tap_expect "the unsymbolized libc address stays an address" 0 "0x7f0000012345"
tap_expect "the comment survives" 0 "written by tests/host/pprof_gen"

tap_done
