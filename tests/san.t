#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# san.t - the userspace unit tests and CLI tests again, built with ASan and
# UBSan (make SAN=1) in build/san/, so memory errors and undefined
# behaviour fail the suite instead of passing by luck.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

san=build/san
if ! out=$(make -s BUILD=$san SAN=1 unit-tests 2>&1); then
	tap_not_ok "make SAN=1 builds profctl and the unit tests" "$out"
	tap_done
	exit 1
fi
tap_ok "make SAN=1 builds profctl and the unit tests"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export CMOCKA_MESSAGE_OUTPUT=TAP
for t in $san/tests/*_test; do
	tap_include "san $(basename "$t"):" "$t"
done
PROFCTL=$root/$san/profctl tap_include "san cli.t:" tests/cli.t

tap_done
