#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# stress.sh - runs inside the guest with the module loaded (tests/vm/basic.sh):
# the stress and fault scenarios of tests/vm/stress_test.c, then what only a
# shell can drive: rmmod against a mapping that outlives its file, the
# device's permissions for a real unprivileged user and group, and
# profiles written by profctl under churn (read on the host by vm.t). TAP.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.sh"
ko=${KSAMPLER_KO:?run me through scripts/vm-run}
profctl=$root/build/profctl
wl=$root/build/workloads
out=${KSAMPLER_OUT:?run me through scripts/vm-run}/profiles
dev=/dev/ksampler
mkdir -p "$out"
lsmod | grep -q '^ksampler ' || insmod "$ko"

tap_include "scenario" "$root/build/tests/vm/stress_test" "$wl/churn" "$wl/cburn"

# A mapping holds the file, and the file the module: rmmod is refused
# until the mapping goes, even though the descriptor was closed first.
coproc MAPPED { exec "$root/build/tests/vm/stress_test" --hold-map; }
read -r -t 30 line <&"${MAPPED[0]}"
if [ "$line" != mapped ]; then
	tap_not_ok "rmmod while a ring stays mapped after close" "never mapped: '$line'"
elif rmmod ksampler 2>/dev/null; then
	tap_not_ok "rmmod is refused while a ring stays mapped after close"
else
	tap_ok "rmmod is refused while a ring stays mapped after close"
fi
echo go >&"${MAPPED[1]}"
wait "$MAPPED_PID"
tap_check "rmmod succeeds once the mapping is gone" rmmod ksampler
tap_check "insmod again" insmod "$ko"

# Permissions: root-only by default; a group the admin grants may profile
# its own processes, not others'; system-wide needs CAP_PERFMON.
got=$(stat -c '%a %U %G' "$dev")
[ "$got" = "600 root root" ] && tap_ok "$dev is 0600 root:root by default" ||
	tap_not_ok "$dev is 0600 root:root by default" "got '$got'"
setpriv --reuid=65534 --regid=65534 --clear-groups "$wl/cburn" 30 &
mine=$!
sleep 0.3
chgrp 4242 "$dev"
chmod 0660 "$dev"
nobody=(setpriv --reuid=65534 --regid=65534)
tap_run "${nobody[@]}" --groups=4242 "$profctl" start --pid "$mine" --duration 1s \
	-o /tmp/group.pb.gz
tap_expect "group member: profiles a process of its own" 0 "samples written"
tap_run "${nobody[@]}" --groups=4242 "$profctl" start --pid 1 --duration 1s \
	-o /tmp/group1.pb.gz
tap_expect "group member: another user's process is refused" 1 "pid 1: permission denied"
tap_run "${nobody[@]}" --clear-groups "$profctl" start --pid "$mine" --duration 1s \
	-o /tmp/nogroup.pb.gz
tap_expect "not in the group: the device does not open" 1 "$dev: permission denied"
tap_run "${nobody[@]}" --groups=4242 "$profctl" record -a --duration 1s -o /tmp/all.pb.gz
tap_expect "group member without CAP_PERFMON: no system-wide session" 1 \
	"system-wide profiling needs root or CAP_PERFMON"
tap_run "${nobody[@]}" --groups=4242 --inh-caps=+perfmon --ambient-caps=+perfmon \
	"$profctl" record -a --duration 1s -o /tmp/perfmon.pb.gz
tap_expect "group member with CAP_PERFMON: system-wide is allowed" 0 "samples written"
chgrp root "$dev"
chmod 0600 "$dev"
kill "$mine"
wait "$mine" 2>/dev/null

# Profiles written under churn (checked with go tool pprof by vm.t).
"$wl/churn" threads 4 > /dev/null &
pid=$!
sleep 0.2
tap_run "$profctl" start --pid "$pid" --freq 999 --duration 3s -o "$out/churn.pb.gz"
tap_expect "profctl start on thread churn: profile written" 0 "samples written"
wait "$pid"
"$wl/churn" forkexec 3 /bin/true > /dev/null &
pid=$!
tap_run "$profctl" record -a --freq 999 --duration 2s -o "$out/storm.pb.gz"
tap_expect "profctl record -a over a fork/exec storm: profile written" 0 "samples written"
wait "$pid"

# A process whose binary has a corrupt Go symbol table: one message that
# names the binary, its addresses named from its ELF symbols, and the rest
# of the profile intact (checked on the host by vm.t).
bad=/tmp/corrupt-cpusplit
cp "$wl/cpusplit" "$bad"
off=$(readelf -SW "$bad" | sed -n 's/.* \.gopclntab  *[A-Z]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
printf '\xff\xff\xff\x7f' | dd of="$bad" bs=1 seek=$((0x$off + 64)) conv=notrunc status=none
"$bad" > /dev/null &
p1=$!
"$wl/cburn" 30 &
p2=$!
sleep 0.3
tap_run "$profctl" record -a --duration 2s -o "$out/corrupt.pb.gz"
tap_expect "record -a with a corrupt Go binary running: exit 0, the binary named" 0 \
	"$bad: corrupt Go symbol table"
kill "$p1" "$p2"
wait "$p1" "$p2" 2>/dev/null

tap_done
