#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm.t - boots each target kernel flavour once under QEMU and runs the
# guest checks (tests/vm/basic.sh) there. A flavour whose kernel is not
# installed is skipped, and counted as skipped.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

flavours=${KSAMPLER_TEST_FLAVOURS:-$(scripts/kernels flavours)}
for flavour in $flavours; do
	kver=$(scripts/kernels flavour "$flavour")
	if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
		tap_skip "$flavour: guest tests" "no $flavour kernel image and headers installed"
		continue
	fi
	if ! command -v qemu-system-x86_64 >/dev/null; then
		tap_skip "$flavour: guest tests" "qemu-system-x86_64 not installed"
		continue
	fi
	tap_include "$flavour:" scripts/vm-run --kernel "$kver" --timeout 300 -- \
		tests/vm/basic.sh
	case $tap_rc in
	124|126) tap_not_ok "$flavour: guest ran the tests to completion" \
			"vm-run exit $tap_rc: see build/vm/$kver/console.log" ;;
	*) tap_ok "$flavour: guest ran the tests to completion" ;;
	esac
	if [ "$tap_rc" -eq 125 ]; then
		tap_not_ok "$flavour: guest kernel log clean (no oops, BUG, WARNING, stall)" \
			"see build/vm/$kver/dmesg.txt"
	else
		tap_ok "$flavour: guest kernel log clean (no oops, BUG, WARNING, stall)"
	fi
done

tap_done
