#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# profctl.sh - runs inside the guest with the module loaded: profctl start
# end to end on real workloads. Writes the profiles under
# $KSAMPLER_OUT/profiles/ for tests/vm.t to read with go tool pprof on the
# host; checks here what only the guest can (exit codes, messages). TAP.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.sh"
profctl=$root/build/profctl
wl=$root/build/workloads
out=${KSAMPLER_OUT:?run me through scripts/vm-run}/profiles
rm -rf "$out"
mkdir -p "$out"

# session NAME WORKLOAD [ARGS...] -- [PROFCTL ARGS...]: profiles a freshly
# started workload and checks that profctl succeeded.
session() {
	local name=$1 args=() pid rc
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"${args[@]}" > /dev/null &
	pid=$!
	sleep 0.3
	"$profctl" start --pid "$pid" -o "$out/$name" "$@" 2> "$out/$name.log"
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ $rc = 0 ] && [ -s "$out/$name" ]; then
		tap_ok "profctl start: $name written"
	else
		tap_not_ok "profctl start: $name written" "exit $rc" "$(cat "$out/$name.log")"
	fi
}

session cpusplit.pb.gz "$wl/cpusplit" -- --freq 499 --duration 4s
grep -q "accounting: fired [0-9]* = written" "$out/cpusplit.pb.gz.log" &&
	tap_ok "profctl start: the summary states the accounting" ||
	tap_not_ok "profctl start: the summary states the accounting" "$(cat "$out/cpusplit.pb.gz.log")"
session late.pb.gz "$wl/cpusplit" -late 1s -- --freq 499 --duration 3s
session pie.pb.gz "$wl/cpusplit-pie" -- --freq 499 --duration 3s
session pie-stripped.pb.gz "$wl/cpusplit-pie-stripped" -- --freq 499 --duration 3s
if grep -Eq "Go leaf fix-up: [1-9][0-9]* of [0-9]+ samples" "$out/pie-stripped.pb.gz.log"; then
	tap_ok "profctl start: the summary counts the repaired Go leaves"
else
	tap_not_ok "profctl start: the summary counts the repaired Go leaves" \
		"$(cat "$out/pie-stripped.pb.gz.log")"
fi
session cburn.pb.gz "$wl/cburn" -- --freq 499 --duration 3s
# exec mid-session into another non-PIE Go binary, whose code sits at the
# same addresses: each image's samples must name its own functions
session exec.pb.gz "$wl/cpusplit" -exec-after 1500ms "$wl/fixedwork" -threads 2 \
	-units 100000000 -depth 4 -- --freq 499 --duration 4s
session cpusplit.folded "$wl/cpusplit" -- --freq 499 --duration 2s --format collapsed
# inlined functions are frames of their own; the closure calling the
# frameless leaf alpha is there thanks to the leaf fix-up
if grep -Eq '^cpusplit;.*main\.main\.func1;main\.alpha;main\.spin [0-9]+$' "$out/cpusplit.folded"; then
	tap_ok "collapsed: folded stacks with counts, ...;main.main.func1;main.alpha;main.spin among them"
else
	tap_not_ok "collapsed: folded stacks with counts, ...;main.main.func1;main.alpha;main.spin among them" \
		"$(head -5 "$out/cpusplit.folded")"
fi

# SIGINT ends an open-ended session with a profile and status 0.
"$wl/cpusplit" > /dev/null &
pid=$!
sleep 0.3
"$profctl" start --pid "$pid" -o "$out/sigint.pb.gz" 2> "$out/sigint.log" &
pp=$!
sleep 2
kill -INT "$pp"
wait "$pp"
rc=$?
kill "$pid"
[ $rc = 0 ] && [ -s "$out/sigint.pb.gz" ] && tap_ok "SIGINT: profile written, exit 0" ||
	tap_not_ok "SIGINT: profile written, exit 0" "exit $rc" "$(cat "$out/sigint.log")"

# A target that exits ends the session early, still with a profile. Its
# life leaves profctl time to reach ADD_TARGET on a loaded emulated guest
# (a second did not always), and more on a debug kernel.
life=3s
[ -n "${KSAMPLER_DEBUG_KERNEL:-}" ] && life=6s
"$wl/cpusplit" -duration "$life" > /dev/null &
pid=$!
sleep 0.2
t0=$(date +%s)
"$profctl" start --pid "$pid" --duration 30s -o "$out/exit.pb.gz" 2> "$out/exit.log"
rc=$?
took=$(( $(date +%s) - t0 ))
[ $rc = 0 ] && [ -s "$out/exit.pb.gz" ] && [ "$took" -lt 15 ] &&
	tap_ok "target exit: the session ends with it (${took}s of 30s), profile written" ||
	tap_not_ok "target exit: the session ends with it, profile written" \
		"exit $rc after ${took}s" "$(cat "$out/exit.log")"

# System-wide: one combined profile, and one per process.
"$wl/cpusplit" > /dev/null &
pid=$!
sleep 0.3
"$profctl" record -a --duration 2s -o "$out/all.pb.gz" --per-process "$out/per" \
	2> "$out/all.log"
rc=$?
kill "$pid"
[ $rc = 0 ] && [ -s "$out/all.pb.gz" ] && tap_ok "record -a: combined profile written" ||
	tap_not_ok "record -a: combined profile written" "exit $rc" "$(cat "$out/all.log")"
[ -s "$out/per/cpusplit-$pid.pb.gz" ] &&
	tap_ok "record -a --per-process: cpusplit-$pid.pb.gz written" ||
	tap_not_ok "record -a --per-process: cpusplit-$pid.pb.gz written" "$(ls "$out/per")"
cp "$out/per/cpusplit-$pid.pb.gz" "$out/per-cpusplit.pb.gz" 2>/dev/null

# A process that exits mid-session is rendered into the profile then, its
# own file written, and forgotten (checked on the host by vm.t).
"$wl/cpusplit" -duration 1500ms > /dev/null &
pid=$!
"$profctl" record -a --duration 8s -o "$out/exited.pb.gz" --per-process "$out/per-exited" \
	2> "$out/exited.log"
rc=$?
wait "$pid"
if [ $rc = 0 ] && [ -s "$out/per-exited/cpusplit-$pid.pb.gz" ] &&
	grep -Eq "symbolizer: .* [1-9][0-9]* exited and rendered" "$out/exited.log"; then
	tap_ok "record -a: a process that exited mid-session was rendered and forgotten, its file written"
else
	tap_not_ok "record -a: a process that exited mid-session was rendered and forgotten, its file written" \
		"exit $rc" "$(ls "$out/per-exited")" "$(cat "$out/exited.log")"
fi
cp "$out/per-exited/cpusplit-$pid.pb.gz" "$out/per-exited-cpusplit.pb.gz" 2>/dev/null

# SIGUSR1 mid-session: one status line with the profile data's bytes (the
# stack table and the profile built so far: what bench/churn-guest.sh
# takes out of the RSS), and the session goes on to write its profile.
"$profctl" record -a --duration 3s -o "$out/usr1.pb.gz" 2> "$out/usr1.log" &
pid=$!
sleep 1.5
kill -USR1 "$pid"
wait "$pid"
rc=$?
[ $rc = 0 ] && [ -s "$out/usr1.pb.gz" ] &&
	grep -Eq '^profctl: status: [0-9.]+ s, [0-9]+ samples, [0-9]+ unique stacks, stack table [1-9][0-9]* bytes, profile [0-9]+ bytes, ' \
		"$out/usr1.log" &&
	tap_ok "record -a: SIGUSR1 prints a status line with the profile data's bytes, and the session goes on" ||
	tap_not_ok "record -a: SIGUSR1 prints a status line with the profile data's bytes, and the session goes on" \
		"exit $rc" "$(cat "$out/usr1.log")"

# Errors that say what to do.
tap_run "$profctl" start --pid $$ --freq 200000 --duration 1s -o "$out/toofast.pb.gz"
tap_expect "--freq above the module's max_frequency: says the limit and what to do" 1 \
	"--freq 200000 is above the module's limit of [0-9]+ Hz"
tap_run "$profctl" start --pid 999999 -o "$out/none.pb.gz"
tap_expect "no such pid: exit 1, says so" 1 "pid 999999: no such process"
chmod 0666 /dev/ksampler
tap_run setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$profctl" start --pid 1 --duration 1s -o /tmp/x.pb.gz
chmod 0600 /dev/ksampler
tap_expect "another user's process: exit 1, permission denied" 1 \
	"pid 1: permission denied"
chmod 0666 /dev/ksampler
tap_run setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$profctl" record -a --duration 1s -o /tmp/x.pb.gz
chmod 0600 /dev/ksampler
tap_expect "record -a unprivileged: exit 1, needs CAP_PERFMON" 1 \
	"system-wide profiling needs root or CAP_PERFMON"

tap_done
