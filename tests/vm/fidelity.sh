#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# fidelity.sh - runs inside the guest (included from tests/vm/basic.sh with
# the module loaded; alone through scripts/vm-run, it loads the module
# itself): the stack fidelity corpus of issue 18. Each program of it
# (tests/workloads: Go's stack switches around the vdso, cgo, the GC's
# systemstack, morestack, deep recursion, a C shared library) is profiled
# by profctl and by perf record -g at once, on the same pid for the same
# time, so that tests/lib/fidelity.sh can hold ksampler's stacks to
# perf's on the host. Writes, under $KSAMPLER_OUT/profiles/:
#   fidelity-NAME.pb.gz       profctl start --max-frames 512
#   fidelity-NAME.log         profctl's summary
#   fidelity-NAME.perf.folded perf script's callchains as folded stacks
#                             (tests/lib/perfscript.sh)
#   fidelity-NAME.threads     each thread's CPU time over the sessions
#                             ("TID NS", from schedstat): what the two
#                             tools' per-thread sample counts estimate
# TAP. A missing perf is a skip, never a pass.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.sh"
. "$root/tests/lib/perfscript.sh"
profctl=$root/build/profctl
wl=$root/build/workloads
out=${KSAMPLER_OUT:?run me through scripts/vm-run}/profiles
mkdir -p "$out"
rm -f "$out"/fidelity-*
# The designed splits are the Debian kernels' check (tests/vm.t): under
# lockdep and KASAN the emulated machine is three times slower still, and
# the corpus would cost minutes for nothing checked.
if [ -n "${KSAMPLER_DEBUG_KERNEL:-}" ]; then
	tap_skip "stack fidelity corpus" "a debug kernel (${KSAMPLER_DEBUG_KERNEL})"
	tap_done
	exit
fi
loaded=""
if ! lsmod | grep -q '^ksampler '; then
	insmod "$KSAMPLER_KO" && loaded=1
fi

# perf's user callchains stop at kernel.perf_event_max_stack frames (127
# by default); recurse's deepest stacks are about 605, and perf must not
# be the one that cuts them.
sysctl -q kernel.perf_event_max_stack=1024

# perf from Debian (linux-perf) on the host's root filesystem. Only its
# presence is probed: a perf record takes 5 to 15 s to start here, and
# one that cannot sample (cpu-clock is software: this guest has no PMU)
# fails its own test point below.
perf=""
if perf --version > /dev/null 2>&1; then
	perf=$(command -v perf)
fi

secs=4

# cputimes PID: "TID NS" for each thread of PID, NS its CPU time so far
# (schedstat's first field: exact, where the tick-based utime is not).
cputimes() {
	local t
	for t in /proc/"$1"/task/*; do
		echo "${t##*/} $(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)"
	done
}

# fidelity NAME WORKLOAD [ARGS...]: starts the workload, then perf record
# -g on it with its events off (perf takes 5 to 15 s to start in this
# emulated guest, time the workload has to settle), turns them on through
# perf's control fifo, runs profctl start for $secs s, turns perf's events
# off again, and folds perf's callchains: the two tools sample the same
# seconds.
fidelity() {
	local name=$1 pid perfpid line rc prc=0 t0 t1 t2
	shift
	t0=$(date +%s)
	if [ ! -x "$1" ]; then
		tap_not_ok "$name: workload built" "no $1: run make workloads"
		return
	fi
	"$@" > /dev/null 2>&1 &
	pid=$!
	if [ -n "$perf" ]; then
		rm -f /tmp/perf.ctl /tmp/perf.ack
		mkfifo /tmp/perf.ctl /tmp/perf.ack
		# -m: 4 MiB per CPU, room for 600-frame chains at 499 Hz;
		# -B: the binaries are where they were, no build-ids needed
		"$perf" record -q -g -e cpu-clock -F 499 -m 1024 -B -p "$pid" \
			-D -1 --control fifo:/tmp/perf.ctl,/tmp/perf.ack \
			-o "/tmp/$name.data" > "$out/fidelity-$name.perf.log" 2>&1 &
		perfpid=$!
		# read-write opens of the fifos never block, should perf die
		exec 8<> /tmp/perf.ctl 9<> /tmp/perf.ack
		echo enable >&8
		read -r -t 120 line <&9
	else
		sleep 1
	fi
	cputimes "$pid" > "/tmp/$name.threads"
	"$profctl" start --pid "$pid" --freq 499 --duration "${secs}s" \
		--max-frames 512 -o "$out/fidelity-$name.pb.gz" \
		2> "$out/fidelity-$name.log"
	rc=$?
	if [ -n "$perf" ]; then
		echo disable >&8
		read -r -t 120 line <&9
		kill -INT "$perfpid"
		wait "$perfpid"
		prc=$?
		exec 8>&- 9<&-
	fi
	cputimes "$pid" | awk 'NR == FNR { t[$1] = $2; next }
		{ print $1, $2 - t[$1] }' "/tmp/$name.threads" - > "$out/fidelity-$name.threads"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ $rc = 0 ] && [ -s "$out/fidelity-$name.pb.gz" ]; then
		tap_ok "$name: profctl start --max-frames 512 wrote its profile"
	else
		tap_not_ok "$name: profctl start --max-frames 512 wrote its profile" \
			"exit $rc" "$(cat "$out/fidelity-$name.log")"
	fi
	if [ -z "$perf" ]; then
		tap_skip "$name: perf record -g beside it" "no perf that can sample in this guest"
		return
	fi
	t2=$(date +%s)
	# --no-inline: perf's frames are ELF symbols, and the designed
	# functions are never inlined; --max-stack: perf script's own limit
	"$perf" script -i "/tmp/$name.data" -F comm,tid,ip,sym,dso --no-inline \
		--max-stack 1024 2>> "$out/fidelity-$name.perf.log" |
		perf_fold > "$out/fidelity-$name.perf.folded"
	rm -f "/tmp/$name.data"
	t1=$(date +%s)
	echo "# $name: $((t1 - t0)) s in all, perf script $((t1 - t2)) s"
	# perf exits 130 on the SIGINT that ends it, once its file is written
	if { [ $prc = 0 ] || [ $prc = 130 ]; } && [ "$line" = ack ] && [ -s "$out/fidelity-$name.perf.folded" ]; then
		tap_ok "$name: perf record -g beside it, $(fold_samples "$out/fidelity-$name.perf.folded") samples"
	else
		tap_not_ok "$name: perf record -g beside it" "exit $prc, control: '$line'" \
			"$(tail -n 5 "$out/fidelity-$name.perf.log")"
	fi
}

t0=$(date +%s)
fidelity timenow "$wl/timenow"
fidelity cgocall "$wl/cgocall"
fidelity allocgc "$wl/allocgc"
fidelity recurse "$wl/recurse"
fidelity stackgrow "$wl/stackgrow"
fidelity cshlib "$wl/cshlib"
# The same stack switches as Go 1.21+ makes them (built when Go 1.23 is
# installed; tests/lib/fidelity.sh skips what is not here).
for p in timenow cgocall allocgc stackgrow; do
	[ -x "$wl/$p-go1.23" ] && fidelity "$p-go1.23" "$wl/$p-go1.23"
done
echo "# fidelity: $(( $(date +%s) - t0 )) s"

[ -n "$loaded" ] && rmmod ksampler
tap_done
