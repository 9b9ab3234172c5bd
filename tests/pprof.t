#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# pprof.t - the real go tool pprof reads what profctl's writer writes: a
# known profile (tests/host/pprof_gen) must come back with the right
# totals, functions, inline frames and labels; and a system-wide one
# (tests/host/render_gen) of three containers running three builds as
# /app/server must name each process's samples from its own binary, with
# the busiest one's as the main binary.
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
procs=$(mktemp -d /tmp/pprof-t-procs.XXXXXX)
trap 'rm -rf "$prof" "$procs"' EXIT
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

# fake_proc PID BINARY: a process in a container of its own that runs
# BINARY as /app/server, non-PIE at 0x400000.
fake_proc() {
	mkdir -p "$procs/$1/root/app"
	ln -s "$root/$2" "$procs/$1/root/app/server"
	ln -s "$root/$2" "$procs/$1/exe"
	printf '00400000-00800000 r-xp 00000000 00:2a %s /app/server\n' \
		"$(stat -L -c %i "$2")" >"$procs/$1/maps"
}

# the traces' "PID LEAF" pairs
traces_by_pid() {
	printf '%s\n' "$tap_out" | awk '
		/^-+\+/ { if (pid != "") print pid, fn; pid = ""; fn = ""; next }
		$1 == "pid:" { pid = $2; next }
		$1 ~ /ms$/ && fn == "" { fn = $2 }'
}

bins=(build/workloads/cpusplit build/workloads/fixedwork build/workloads/cgocall)
if ! ls "${bins[@]}" >/dev/null 2>&1; then
	tap_skip "three builds at one path keep their own names" "make workloads builds them"
	tap_done
	exit 0
fi
# the oracles: Go's own tools, and readelf for the GNU id
addr=$(go tool nm "${bins[0]}" | awk '$3 == "main.alpha" { print $1 }')
for i in 0 1 2; do
	name[i]=$(echo "0x$addr" | go tool addr2line "${bins[i]}" | head -n 1)
	id[i]=$(go tool buildid "${bins[i]}")
	fake_proc $((4242 + i)) "${bins[i]}"
done
gnu=$(readelf -n "${bins[2]}" | awk '/Build ID:/ { print $3 }')
server="[0-9]+: 0x400000/0x800000/0x0 /app/server"
tap_check "render_gen writes three containers' profile" \
	build/tests/host/render_gen "$prof" "$procs" "$addr" 4242:3 4243:5 4244:2

tap_run go tool pprof -traces "$prof"
tap_expect "go tool pprof -traces accepts it" 0 "Type: cpu"
for i in 0 1 2; do
	pid=$((4242 + i))
	if traces_by_pid | grep -qx "$pid ${name[i]}"; then
		tap_ok "pid $pid's samples are its own binary's ${name[i]}"
	else
		tap_not_ok "pid $pid's samples are its own binary's ${name[i]}" \
			"got: $(traces_by_pid | tr '\n' ';')"
	fi
done

tap_run go tool pprof -raw "$prof"
tap_expect "mapping 1 is the busiest process's /app/server, its Go build id whole" 0 \
	"^1: 0x400000/0x800000/0x0 /app/server ${id[1]} "
tap_expect "the other builds are mappings of their own" 0 \
	"^$server ${id[0]} "
tap_expect "a file with both ids has its GNU one, 40 hex digits" 0 \
	"^$server $gnu "
n=$(printf '%s\n' "$tap_out" | grep -Ec "^$server ")
if [ "$n" -eq 3 ]; then
	tap_ok "three files at one path are three mappings"
else
	tap_not_ok "three files at one path are three mappings" "got $n"
fi

tap_run go tool pprof -top "$prof"
tap_expect "the title names the busiest process's build" 0 "^Build ID: ${id[1]}$"

tap_check "render_gen -p writes pid 4244's own profile" \
	build/tests/host/render_gen -p 4244 "$prof" "$procs" "$addr" 4242:3 4243:5 4244:2
tap_run go tool pprof -raw "$prof"
tap_expect "its mapping 1 is its own binary" 0 "^1: 0x400000/0x800000/0x0 /app/server $gnu "
tap_run go tool pprof -traces "$prof"
if [ "$(traces_by_pid)" = "4244 ${name[2]}" ]; then
	tap_ok "it holds its own samples only, named as in the combined profile"
else
	tap_not_ok "it holds its own samples only, named as in the combined profile" \
		"got: $(traces_by_pid | tr '\n' ';')"
fi

tap_done
