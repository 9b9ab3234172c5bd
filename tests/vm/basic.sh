#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# basic.sh - runs inside the guest (scripts/vm-run), as root: the module's
# life cycle and its ioctl contract on the booted kernel. Prints TAP.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.sh"
ko=${KSAMPLER_KO:?run me through scripts/vm-run}
dev=/dev/ksampler

# The kernel's memory before the module ever loads, against after its last
# unload (the end of this file). mem_baseline prints "SUnreclaim Percpu
# VmallocUsed" in KiB, caches dropped.
mem_baseline() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
	awk '/^(SUnreclaim|Percpu|VmallocUsed):/ { v[$1] = $2 }
		END { print v["SUnreclaim:"], v["Percpu:"], v["VmallocUsed:"] }' /proc/meminfo
}
mem_before=$(mem_baseline)

tap_check "insmod ksampler.ko on $(uname -r)" insmod "$ko"
tap_check "$dev appears" test -c "$dev"

want_version=$(cat "$root/VERSION")
want_abi=$(awk '/define KSAMPLER_ABI_MAJOR/ { M = $3 } /define KSAMPLER_ABI_MINOR/ { m = $3 } END { print M "." m }' \
	"$root/include/ksampler_uapi.h")
got=$(modinfo -F version "$ko")
[ "$got" = "$want_version" ] && tap_ok "modinfo version is $got" ||
	tap_not_ok "modinfo version is $want_version" "got '$got'"
got=$(modinfo -F abi "$ko")
[ "$got" = "$want_abi" ] && tap_ok "modinfo abi is $got" ||
	tap_not_ok "modinfo abi is $want_abi" "got '$got'"
got=$(cat /sys/module/ksampler/version 2>/dev/null)
[ "$got" = "$want_version" ] && tap_ok "/sys/module/ksampler/version is $got" ||
	tap_not_ok "/sys/module/ksampler/version is $want_version" "got '$got'"

tap_include "ioctl:" "$root/build/tests/vm/abi_client" "$dev"

tap_run "$root/build/profctl" version
tap_expect "profctl version reports the loaded module, with its git revision" 0 \
	"^module +$want_version\+[0-9a-f]{12} \(ABI $want_abi\) at $dev"

# The sampler against a real Go workload (tests/workloads/cpusplit).
tap_include "sampler:" "$root/build/tests/vm/sampler_test" \
	"$root/build/workloads/cpusplit" "$root/build/workloads/fixedwork"

# profctl start end to end (profiles checked on the host by vm.t).
tap_include "profctl:" "$root/tests/vm/profctl.sh"
# The stack fidelity corpus (issue 18): profctl beside perf record -g on
# the same pids (profiles checked on the host by tests/lib/fidelity.sh).
tap_include "fidelity:" "$root/tests/vm/fidelity.sh"

# Hostile input: random ioctls, sizes, pointers, orders, mmaps, reads
# (the kernel log is checked by vm-run: no oops, BUG or WARNING).
tap_include "ioctl fuzz:" "$root/build/tests/vm/ioctl_fuzz" \
	"${KSAMPLER_FUZZ_ITERS:-50000}"
# Valid session life cycles with hostile steps between, from a printed seed
# (tests/vm/scenario_fuzz.c): forged control pages, racing mmap/munmap,
# targets reaped mid-call, hotplug, nobody's sessions; ~80 s by default.
tap_include "scenario fuzz:" "$root/build/tests/vm/scenario_fuzz" "${KSAMPLER_SCENARIO_ITERS:-60}"

# The structured attacks of issue 17: forged ring state, racing threads,
# targets reaped at the right instant (tests/vm/hostile_test.c).
tap_include "hostile:" "$root/build/tests/vm/hostile_test" \
	"${KSAMPLER_RACE_SECONDS:-20}"

# Stress, faults and privilege (tests/vm/stress_test.c, stress.sh).
tap_include "stress:" "$root/tests/vm/stress.sh"

# A collector killed mid-session (rings mapped, events live) leaves
# nothing behind: the module unloads right after.
"$root/build/workloads/cpusplit" > /dev/null &
wl=$!
coproc HOLD { exec "$root/build/tests/vm/sampler_test" --hold "$wl"; }
read -r -t 30 line <&"${HOLD[0]}"
[ "$line" = holding ] && sleep 1 && kill -9 "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
kill -9 "$wl"; wait "$wl" 2>/dev/null
[ "$line" = holding ] && tap_ok "SIGKILL of a collector mid-session" ||
	tap_not_ok "SIGKILL of a collector mid-session" "it never started: '$line'"
tap_check "rmmod right after the killed collector" rmmod ksampler
tap_check "insmod again" insmod "$ko"

# An open file holds the module: rmmod must refuse, then succeed after close.
exec 3<> "$dev"
if rmmod ksampler 2>/dev/null; then
	tap_not_ok "rmmod is refused while $dev is open"
else
	tap_ok "rmmod is refused while $dev is open"
fi
exec 3>&-
tap_check "rmmod succeeds once it is closed" rmmod ksampler
tap_check "$dev is gone after rmmod" test ! -e "$dev"

# The max_sessions parameter caps concurrent sessions of users without
# CAP_PERFMON (nobody here); root is held to none of the limits.
insmod "$ko" max_sessions=2
chmod 0666 "$dev"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
	"exec 5<> $dev 6<> $dev; (exec 7<> $dev) 2>&1; echo; exec 5>&- 6>&-; (exec 7<> $dev) 2>&1 && echo reopened")
case "$out" in
*busy*reopened) tap_ok "max_sessions=2: a third open is EBUSY, and there is room again once one closes" ;;
*) tap_not_ok "max_sessions=2: a third open is EBUSY, and there is room again once one closes" "got: '$out'" ;;
esac
if (exec 5<> "$dev" 6<> "$dev" 7<> "$dev") 2>/dev/null; then
	tap_ok "max_sessions=2: root opens three sessions at once all the same"
else
	tap_not_ok "max_sessions=2: root opens three sessions at once all the same"
fi
chmod 0600 "$dev"
rmmod ksampler

# Per-user limits: sessions and ring memory of users without CAP_PERFMON.
insmod "$ko" max_user_sessions=2 max_user_ring_mb=40
tap_include "limits:" "$root/build/tests/vm/hostile_test" --limits
rmmod ksampler

# An admin's ring_pages default does not break profctl, which asks for the
# ring size it maps.
insmod "$ko" ring_pages=128
"$root/build/workloads/cpusplit" > /dev/null &
wl=$!
tap_check "profctl start under a module loaded with ring_pages=128" \
	"$root/build/profctl" start --pid "$wl" --duration 1s -o /tmp/rp.pb.gz
kill "$wl"; wait "$wl" 2>/dev/null
rmmod ksampler

ok=1
for i in 1 2 3; do
	insmod "$ko" && rmmod ksampler || ok=0
done
[ $ok = 1 ] && tap_ok "three more load/unload cycles" ||
	tap_not_ok "three more load/unload cycles"

# Between the two, thousands of processes and threads came and went, CPUs
# went off and on line, and what the kernel keeps of that (pid and slab
# caches, kernel stacks, per-CPU threads) moves these by up to about
# 1 MiB, 24 KiB and 48 KiB in our runs. So this bounds gross leaks only;
# the exact checks are the module's own live counters after every
# scenario and the 3000 back-to-back sessions of stress_test.c.
rm -f /tmp/*.pb.gz /tmp/corrupt-cpusplit
read -r slab0 percpu0 vmalloc0 <<< "$mem_before"
read -r slab1 percpu1 vmalloc1 <<< "$(mem_baseline)"
echo "# memory after the last unload, against before the first load: unreclaimable slab $((slab1 - slab0)) KiB, percpu $((percpu1 - percpu0)) KiB, vmalloc $((vmalloc1 - vmalloc0)) KiB"
# KASAN's quarantine (the debug kernel) holds freed slab objects a while.
[ "${KSAMPLER_DEBUG_KERNEL:-}" = debug ] && slab1=$slab0
[ $((slab1 - slab0)) -lt 4096 ] && [ $((percpu1 - percpu0)) -lt 256 ] &&
	[ $((vmalloc1 - vmalloc0)) -lt 256 ] &&
	tap_ok "after the last unload: no gross leak (slab under 4 MiB, percpu and vmalloc under 256 KiB above the baseline)" ||
	tap_not_ok "after the last unload: no gross leak (slab under 4 MiB, percpu and vmalloc under 256 KiB above the baseline)" \
		"unreclaimable slab $slab0 -> $slab1, percpu $percpu0 -> $percpu1, vmalloc $vmalloc0 -> $vmalloc1 KiB"

# (Stack frames are left to vm-run, which judges whole reports: KCSAN's
# of the kernel's own races can pass through the module's handler.)
bad=$(dmesg | grep -i ksampler | grep -vF "$(uname -r)" |
	grep -Ev '^\[ *[0-9.]+\] +[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+' |
	grep -Eiv 'loaded \(ABI|taints kernel|tainting kernel')
[ -z "$bad" ] && tap_ok "dmesg has nothing from ksampler but its load lines" ||
	tap_not_ok "dmesg has nothing from ksampler but its load lines" "$bad"

tap_done
