#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sampler-guest.sh - the sampler benchmarks, run inside one guest boot by
# bench/run (through scripts/vm-run). Prints "result key=value ..." lines.
#
# Every experiment interleaves its variants (A B C A B C ...) over
# BENCH_REPS repetitions, so drift in this noisy emulated machine hits
# every variant alike; bench/run takes medians.
#
#   slowdown   fixedwork unprofiled, with ksampler and with perf record -g
#              attached to it (-p), and profiling itself with Go's
#              runtime/pprof, at 19, 99, 999 and 4999 Hz
#   handler    ksampler's handler time per interrupt: full walk, leaf only,
#              and counting only (the floor), stacks 8, 32 and 128 deep,
#              each beside an unprofiled run (what the target pays)
#   window     the frame walk reading frame by frame (unwind_window=16)
#              against 256-byte windows, 32 and 128 frames deep
#   filtered   fixedwork while ksampler samples another (idle) process: the
#              cost per-CPU events put on processes that are not targets
#   collector  CPU of profctl start (drain, aggregate, symbolize, write) vs
#              perf record -g + perf report on the same workload and rate
#   bigbinary  profctl's peak RSS over a long 999 Hz session on a big Go
#              binary (Debian's caddy, 36 MB, serving requests)
#
# BENCH_EXPERIMENTS picks some (default: all, in the order above).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

reps=${BENCH_REPS:-5}
units=${BENCH_UNITS:-600}
freqs=${BENCH_FREQS:-19 99 999 4999}
experiments=" ${BENCH_EXPERIMENTS:-slowdown handler window filtered collector bigbinary} "
want() { [[ "$experiments" == *" $1 "* ]]; }
depths=${BENCH_DEPTHS:-8 32 128}
work=build/workloads/fixedwork
ks_run=build/bench/ks_run

elapsed() { sed -n 's/^elapsed_ns //p' <<<"$1"; }
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

# The first samples after a load pay for the emulator translating the
# freshly loaded module's code, a cost bare metal never has: a short
# discarded run takes it before anything is timed.
load() {
	insmod "$KSAMPLER_KO" "$@"
	"$ks_run" --freq 999 --max-frames 512 -- \
		"$work" -threads 2 -units 50 -depth 32 > /dev/null
}
unload() { rmmod ksampler; }

echo "# kernel $(uname -r), $(nproc) CPUs, $reps repetitions, $units units"
load

# attached TOOL FREQ: start fixedwork waiting for its "go", attach TOOL to
# the running process (none, ksampler or perf record -g -p), release it once
# the tool is sampling, and print the tool's and the workload's output.
attached() {
	local tool=$1 f=$2 wl line perfpid out="" self=()
	# Go's own profiler: the program profiles itself from the release on
	[ "$tool" = gopprof ] && self=(-cpuprofile /tmp/go.prof -cpuprofile-hz "$f")
	"$work" -wait-signal -threads 2 -units "$units" -depth 8 "${self[@]}" \
		> /tmp/wl.out 2> /dev/null &
	wl=$!
	for _ in $(seq 300); do
		grep -q '^ready' /tmp/wl.out 2>/dev/null && break
		sleep 0.1
	done
	case $tool in
	none|gopprof)
		kill -USR1 "$wl"
		;;
	ksampler)
		out=$("$ks_run" --freq "$f" --pid "$wl")
		;;
	perf)
		# -D -1 keeps perf's events off until "enable" on the control
		# fifo is acknowledged: only then is the workload released.
		rm -f /tmp/perf.ctl /tmp/perf.ack
		mkfifo /tmp/perf.ctl /tmp/perf.ack
		perf record -q -B -N -g -e cpu-clock -F "$f" -p "$wl" -D -1 \
			--control fifo:/tmp/perf.ctl,/tmp/perf.ack \
			-o /tmp/perf.data 2>/dev/null &
		perfpid=$!
		exec 8> /tmp/perf.ctl 9< /tmp/perf.ack
		echo enable >&8
		read -r -t 120 line <&9
		kill -USR1 "$wl"
		;;
	esac
	wait "$wl"
	if [ "$tool" = perf ]; then
		wait "$perfpid"
		exec 8>&- 9<&-
		out="perf_data_bytes=$(stat -c %s /tmp/perf.data)"
	fi
	echo "$out"
	cat /tmp/wl.out
}

# --- slowdown: base vs ksampler vs perf record -g -p, each attached to the
# running workload, vs runtime/pprof. Every rate of every repetition has
# its own unprofiled run beside the three tools, so that the emulated
# machine's slow drift over a repetition stays out of the comparison
# (its short bursts do not; only the medians damp those). The order of
# the four rotates from one repetition to the next, so no tool always
# follows another.
# Rep 0 warms up (the emulator translates code on first use) and is not
# reported.
if want slowdown; then
slowdown_tools=(none ksampler perf gopprof)
for rep in $(seq 0 "$reps"); do
	for f in $freqs; do
		for i in 0 1 2 3; do
			tool=${slowdown_tools[$(( (i + rep) % 4 ))]}
			out=$(attached "$tool" "$f")
			[ "$rep" = 0 ] && continue
			extra=""
			case $tool in
			ksampler) extra="fired=$(field fired "$out") handler_ns=$(field handler_ns "$out")" ;;
			perf) extra=$(grep -o 'perf_data_bytes=[0-9]*' <<<"$out") ;;
			esac
			echo "result exp=slowdown tool=$tool freq=$f rep=$rep" \
				"elapsed_ns=$(elapsed "$out")${extra:+ $extra}"
		done
	done
done
fi

# --- filtered: the per-CPU events' cost on a process that is not a target
if want filtered; then
sleep 100000 &
idle=$!
filtered_tools=(none ksampler)
for rep in $(seq 0 "$reps"); do
	# as in slowdown: each rate has its baseline beside it, and the
	# order of the two alternates between repetitions
	for f in $freqs; do
		for i in 0 1; do
			tool=${filtered_tools[$(( (i + rep) % 2 ))]}
			extra=""
			case $tool in
			none)
				out=$("$work" -threads 2 -units "$units" -depth 8) ;;
			ksampler)
				out=$("$ks_run" --freq "$f" --target "$idle" -- \
					"$work" -threads 2 -units "$units" -depth 8)
				extra="fired=$(field fired "$out") filtered=$(field filtered "$out")"
				extra+=" handler_ns=$(field handler_ns "$out")" ;;
			esac
			[ "$rep" = 0 ] && continue
			echo "result exp=filtered tool=$tool freq=$f rep=$rep" \
				"elapsed_ns=$(elapsed "$out")${extra:+ $extra}"
		done
	done
done
kill "$idle"
fi

# --- collector: profctl's whole pipeline vs perf record + perf report
if want collector; then
cdur=${BENCH_COLLECTOR_SECONDS:-5}
TIMEFORMAT='%U %S'
for rep in $(seq "$reps"); do
	build/workloads/cpusplit > /dev/null &
	wl=$!
	sleep 0.3
	{ time build/profctl start --pid "$wl" --freq 999 --duration "${cdur}s" \
		-o /tmp/p.pb.gz 2> /tmp/p.log; } 2> /tmp/p.time
	kill "$wl"; wait "$wl" 2>/dev/null || true
	echo "result exp=collector tool=profctl cpus=$(nproc) rep=$rep" \
		"cpu_s=$(awk '{ print $1 + $2 }' /tmp/p.time)" \
		"samples=$(sed -n 's/.* \([0-9]*\) samples written.*/\1/p' /tmp/p.log)" \
		"rss_kib=$(sed -n 's/.*peak RSS \([0-9.]*\) MiB.*/\1/p' /tmp/p.log | awk '{ printf "%d", $1 * 1024 }')" \
		"bytes=$(stat -c %s /tmp/p.pb.gz)" \
		"$(sed -n 's/.*fix-up: \([0-9]*\) of \([0-9]*\) samples.*, \([0-9]*\) could not.*/leaf_repaired=\1 leaf_go=\2 leaf_unrepairable=\3/p' /tmp/p.log)"

	build/workloads/cpusplit > /dev/null &
	wl=$!
	sleep 0.3
	{ time perf record -q -g -e cpu-clock -F 999 -p "$wl" -o /tmp/perf.data \
		-- sleep "$cdur" > /dev/null 2>&1; } 2> /tmp/r.time
	kill "$wl"; wait "$wl" 2>/dev/null || true
	{ time perf report --stdio -i /tmp/perf.data > /dev/null 2>&1; } 2> /tmp/rr.time
	echo "result exp=collector tool=perf cpus=$(nproc) rep=$rep" \
		"cpu_s=$(cat /tmp/r.time /tmp/rr.time | awk '{ s += $1 + $2 } END { print s }')" \
		"samples=$(perf script -i /tmp/perf.data -F tid 2>/dev/null | wc -l)" \
		"bytes=$(stat -c %s /tmp/perf.data)"
done

fi

# --- handler time per interrupt: full walk vs leaf only, by depth
if want handler; then
for rep in $(seq "$reps"); do
	for d in $depths; do
		# unprofiled first: what each mode costs the target, interrupt
		# included, is its extra time over this run
		out=$("$work" -threads 2 -units "$units" -depth "$d")
		echo "result exp=handler mode=none depth=$d rep=$rep threads=2" \
			"elapsed_ns=$(elapsed "$out")"
		for mode in unwind no-unwind count-only; do
			flag=""
			[ $mode = unwind ] || flag=--$mode
			out=$("$ks_run" --freq 999 --max-frames 512 $flag -- \
				"$work" -threads 2 -units "$units" -depth "$d")
			echo "result exp=handler mode=$mode depth=$d rep=$rep threads=2" \
				"fired=$(field fired "$out") handler_ns=$(field handler_ns "$out")" \
				"elapsed_ns=$(elapsed "$out")"
		done
	done
done

fi

# --- copy window: per-frame copies vs 256-byte chunks
if want window; then
unload
for rep in $(seq "$reps"); do
	for w in 16 256; do
		load unwind_window=$w
		for d in 32 128; do
			[[ " $depths " == *" $d "* ]] || continue
			out=$("$ks_run" --freq 999 --max-frames 512 -- \
				"$work" -threads 2 -units "$units" -depth "$d")
			echo "result exp=window window=$w depth=$d rep=$rep" \
				"fired=$(field fired "$out") handler_ns=$(field handler_ns "$out")"
		done
		unload
	done
done
fi

# --- a long session on a big Go binary: what profctl's memory grows to
if want bigbinary && [ -x /usr/bin/caddy ]; then
	grep -q '^ksampler ' /proc/modules || load	# "window" leaves it out
	bigsecs=${BENCH_BIG_SECONDS:-60}
	export HOME=/tmp/caddy XDG_DATA_HOME=/tmp/caddy XDG_CONFIG_HOME=/tmp/caddy
	for rep in $(seq "${BENCH_BIG_REPS:-2}"); do
		/usr/bin/caddy file-server --listen 127.0.0.1:18080 --root "$root" \
			> /dev/null 2>&1 &
		cpid=$!
		for _ in $(seq 300); do
			curl -s -o /dev/null http://127.0.0.1:18080/README.md && break
			sleep 0.1
		done
		# a client loop keeps caddy's code (not only the kernel's) busy
		( while :; do curl -s -o /dev/null http://127.0.0.1:18080/README.md; done ) &
		loader=$!
		/usr/bin/time -f '%M' -o /tmp/big.rss build/profctl start --pid "$cpid" \
			--freq 999 --duration "${bigsecs}s" -o /tmp/big.pb.gz 2> /tmp/big.log
		kill "$loader" "$cpid"
		wait "$cpid" 2>/dev/null || true
		echo "result exp=bigbinary tool=profctl rep=$rep seconds=$bigsecs" \
			"binary_bytes=$(stat -c %s /usr/bin/caddy)" \
			"samples=$(sed -n 's/.* \([0-9]*\) samples written.*/\1/p' /tmp/big.log)" \
			"unique=$(sed -n 's/.* \([0-9]*\) unique stacks.*/\1/p' /tmp/big.log)" \
			"rss_kib=$(cat /tmp/big.rss)"
	done
fi
