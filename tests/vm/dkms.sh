#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# dkms.sh - runs inside the guest while ksampler-dkms and profctl are
# installed on the host (whose root the guest shares): the module DKMS
# built for this kernel loads by name, the device gets the udev rule's
# group and mode, a member of that group profiles its own process, and
# the module unloads. TAP.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/tap.sh"
kver=$(uname -r)
profctl=${KSAMPLER_PROFCTL:-/usr/bin/profctl}

tap_run modprobe ksampler
tap_expect "modprobe ksampler loads the DKMS module" 0 ""
path=$(modinfo -n ksampler 2>/dev/null)
case "$path" in
"/lib/modules/$kver/updates/dkms/ksampler.ko"*) tap_ok "it is the one in /lib/modules/$kver/updates/dkms ($(basename "$path"))" ;;
*) tap_not_ok "it is the one in /lib/modules/$kver/updates/dkms" "modinfo -n: '$path'" ;;
esac
grep -q '^ksampler ' /proc/modules && [ -c /dev/ksampler ] &&
	tap_ok "module live, /dev/ksampler present" ||
	tap_not_ok "module live, /dev/ksampler present" "$(ls -l /dev/ksampler 2>&1)"

# The guest runs no udevd: apply what the installed rule says, by hand,
# and say so. The rule's text is the one the package installed.
rule=$(ls /lib/udev/rules.d/60-ksampler.rules /etc/udev/rules.d/60-ksampler.rules 2>/dev/null | head -n 1)
group=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' "$rule" 2>/dev/null)
mode=$(sed -n 's/.*MODE="\([^"]*\)".*/\1/p' "$rule" 2>/dev/null)
if [ -n "$group" ] && [ -n "$mode" ] && getent group "$group" >/dev/null; then
	chgrp "$group" /dev/ksampler && chmod "$mode" /dev/ksampler
	[ "$(stat -c '%G %a' /dev/ksampler)" = "$group ${mode#0}" ] &&
		tap_ok "udev rule applied by hand (no udevd here): /dev/ksampler $group $mode" ||
		tap_not_ok "udev rule applied by hand: /dev/ksampler $group $mode" "$(ls -l /dev/ksampler)"
else
	tap_not_ok "udev rule and group installed" "rule '$rule' group '$group' mode '$mode'"
fi

# A member of the group, not root, profiles a process of its own.
gid=$(getent group ksampler | cut -d: -f3)
as_user() { setpriv --reuid=65534 --regid=65534 --groups="$gid" "$@"; }
wl=$root/build/workloads/cpusplit
# setpriv itself (not the function, which would fork a root subshell)
# becomes the workload, so $! is the workload
setpriv --reuid=65534 --regid=65534 --clear-groups "$wl" -duration 20s > /dev/null &
pid=$!
sleep 0.3
tap_run as_user "$profctl" start --pid "$pid" --duration 2s -o /tmp/dkms-user.pb.gz
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
tap_expect "a ksampler group member profiles its own process (profctl start --pid)" 0 \
	"samples written"
tap_run as_user "$profctl" start --pid 1 --duration 1s -o /tmp/x.pb.gz
tap_expect "...but not another user's" 1 "pid 1: permission denied"

tap_run modprobe -r ksampler
tap_expect "modprobe -r ksampler unloads cleanly" 0 ""
grep -q '^ksampler ' /proc/modules && tap_not_ok "module gone after modprobe -r" ||
	tap_ok "module gone after modprobe -r"
tap_done
