#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# churn-guest.sh - the churn soak (issue 19), run inside one guest boot by
# bench/run (through scripts/vm-run): one "profctl record -a" session over
# CHURN_PROCS short-lived processes (build/bench/churn), each of which maps
# 20 files executable and burns a few ms in them. The aggregated samples are
# the profile's data and may grow; nothing else of profctl may. At each mark
# (by default a tenth, half and all of the processes: 10k, 50k, 100k) the
# workload pauses with nothing in flight, and this script reads profctl's
# VmRSS and VmHWM (/proc/PID/status), its open descriptors (/proc/PID/fd)
# and the bytes of the profile's data: its stack table and the profile
# built so far from processes that exited (the line profctl prints on
# SIGUSR1):
#
#   result exp=churn procs=N ... rss_kib=R hwm_kib=H data_bytes=S
#          hwm_less_data_kib=H-S fds=D samples=N unique=N elapsed_ms=T
#
# and at the end one "result exp=churn-end" line: profctl's own summary,
# and how many of the workload's samples were named in its libraries (a
# process whose maps profctl never read stays unnamed).
#
# Re-run alone, from the host: builds, boots the 6.1 guest, prints the
# table. Under TCG a process takes 25 ms on an idle 2-core host, 45 ms on a
# busy one: 100,000 take 40 to 75 min, 20,000 about 15.
#
#   bench/run --churn
#   CHURN_PROCS=20000 CHURN_MARKS=2000,10000,20000 bench/run --churn
#
# or by hand: make all build/bench/churn, then
#   scripts/vm-run --kernel 6.1 --mem 2048 --timeout 10800 -- bench/churn-guest.sh
#
# Settings (environment): CHURN_PROCS (100000), CHURN_MARKS (comma-separated;
# default a tenth, half and all), CHURN_PARALLEL (16 processes at a
# time, most of them asleep in their linger: more outruns profctl, which
# then reads the maps of fewer of them while they live),
# CHURN_UNIQUE_EVERY (100: every 100th process maps 20 freshly written
# files, which a file cache has to let go of again; 0: always the same 20),
# CHURN_EXEC (0: each process is a fork of the driver, which has the 20
# loaded; 1: each execs and loads them itself, some 35 times the CPU under
# TCG), CHURN_FREQ (999 Hz), CHURN_BURN_MS (4 ms of CPU per process),
# CHURN_LINGER_MS (300: each process then sleeps that long, so that
# profctl, which drains every 100 ms, finds it alive and reads its maps).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

procs=${CHURN_PROCS:-100000}
marks=${CHURN_MARKS:-}
parallel=${CHURN_PARALLEL:-16}
unique_every=${CHURN_UNIQUE_EVERY:-100}
freq=${CHURN_FREQ:-999}
burn=${CHURN_BURN_MS:-4}
linger=${CHURN_LINGER_MS:-300}
exec_mode=${CHURN_EXEC:-0}
work=/tmp/churn
err=/tmp/churn-profctl.err
profile=/tmp/churn.folded

grep -q '^ksampler ' /proc/modules || insmod "$KSAMPLER_KO"
mkdir -p "$work"
# Descriptors profctl keeps open must show as a count that grows, not as
# opens failing at the default soft limit of 1024.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "# churn: kernel $(uname -r), $(nproc) CPUs, $procs processes, $parallel at a time," \
	"exec $exec_mode, fresh files every ${unique_every}th (0: never), $freq Hz," \
	"descriptor limit $(ulimit -n)"

build/profctl record -a --freq "$freq" --format collapsed -o "$profile" 2> "$err" &
pp=$!

# status: profctl's answer to SIGUSR1 (its newest status line)
status() {
	local before
	before=$(grep -c '^profctl: status:' "$err" || true)
	kill -USR1 "$pp"
	for _ in $(seq 1200); do
		[ "$(grep -c '^profctl: status:' "$err" || true)" -gt "$before" ] && break
		sleep 0.1
	done
	grep '^profctl: status:' "$err" | tail -n 1
}
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

# Until profctl catches SIGUSR1 (bit 10 of SigCgt) the signal would kill
# it; its first status line then says the session is sampling.
for _ in $(seq 300); do
	sigcgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pp/status" 2>/dev/null || echo 0)
	(( 0x$sigcgt & 0x200 )) && break
	sleep 0.1
done
status > /dev/null

# measure MARK_LINE: the figures at a mark of the workload
measure() {
	local n elapsed st rss hwm fds bytes
	n=$(field procs "$1")
	elapsed=$(field elapsed_ms "$1")
	st=$(status)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pp/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pp/status")
	fds=$(find "/proc/$pp/fd" -mindepth 1 -maxdepth 1 | wc -l)
	# the profile's data: the stack table, and the profile built so far
	# from the processes that exited (profctl renders them then)
	bytes=$(sed -n 's/.*stack table \([0-9]*\) bytes, profile \([0-9]*\) bytes.*/\1 \2/p' <<<"$st" |
		awk '{ print $1 + $2 }')
	echo "result exp=churn procs=$n unique_every=$unique_every freq=$freq" \
		"rss_kib=$rss hwm_kib=$hwm data_bytes=$bytes" \
		"hwm_less_data_kib=$(( hwm - bytes / 1024 )) fds=$fds" \
		"samples=$(sed -n 's/.* \([0-9]*\) samples,.*/\1/p' <<<"$st")" \
		"unique=$(sed -n 's/.* \([0-9]*\) unique stacks.*/\1/p' <<<"$st")" \
		"elapsed_ms=$elapsed"
}

mark_args=()
[ -z "$marks" ] || mark_args=(--marks "$marks")
[ "$exec_mode" = 0 ] || mark_args+=(--exec)
coproc CHURN { exec build/bench/churn --procs "$procs" --parallel "$parallel" \
	--burn-ms "$burn" --linger-ms "$linger" --unique-every "$unique_every" \
	--dir "$work" --wait-at-marks "${mark_args[@]}"; }
# bash drops a coproc's descriptors when it exits: keep copies
exec 8<&"${CHURN[0]}" 9>&"${CHURN[1]}"
cpid=$CHURN_PID
while read -r line <&8; do
	echo "# $line"
	case $line in
	mark\ *)
		measure "$line"
		echo go >&9
		;;
	esac
done
exec 9>&-
rc=0
wait "$cpid" || rc=$?

kill -INT "$pp"
wait "$pp" || rc=$?
sed 's/^/# /' "$err" | grep -v '^# profctl: status:'
# The workload's samples (comm churn): those with a frame named, and those
# named in its libraries. A process whose maps profctl did not read while
# it lived has none named.
read -r total named in_libs <<<"$(awk -F';' '/^churn;/ {
		n = $NF; sub(/.* /, "", n); t += n
		for (i = 2; i <= NF; i++) if ($i !~ /^(0x|\[)/) { named += n; break }
		if (/;churn_lib_work/) libs += n }
	END { printf "%d %d %d\n", t, named, libs }' "$profile" 2>/dev/null || echo "0 0 0")"
echo "result exp=churn-end procs=$procs unique_every=$unique_every freq=$freq" \
	"parallel=$parallel burn_ms=$burn linger_ms=$linger exec=$exec_mode" \
	"workload_samples=$total named=$named named_in_libs=$in_libs" \
	"unique=$(sed -n "s/^profctl: \([0-9]*\) unique stacks.*/\1/p" "$err")" \
	"table_mib=$(sed -n 's/.*unique stacks (\([0-9.]*\) MiB).*/\1/p' "$err")" \
	"peak_rss_mib=$(sed -n 's/.*peak RSS \([0-9.]*\) MiB.*/\1/p' "$err")" \
	"profile_bytes=$(stat -c %s "$profile" 2>/dev/null || echo 0)"
# kept for a look at where the samples went
[ -z "${KSAMPLER_OUT:-}" ] || cp "$profile" "$KSAMPLER_OUT/churn.folded" 2>/dev/null || true
exit "$rc"
