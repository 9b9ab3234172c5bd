#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# style.t - the rules the code base holds itself to, checked mechanically:
# the module builds warning-free (-Werror) and sparse-clean for every
# installed kernel, passes checkpatch --strict, keeps version tests in
# compat.h and every symbol prefixed; the ABI header stands alone; userspace
# libraries never print or exit.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

# Our sources, not Kbuild's generated *.mod.c.
kmod_c=$(ls kmod/*.c | grep -v '\.mod\.c$')
kmod_sources=($kmod_c kmod/*.h include/*.h)

# --- every target kernel: -Werror build, then sparse over the same tree
for flavour in $(scripts/kernels flavours); do
	kver=$(scripts/kernels flavour "$flavour")
	if [ -z "$kver" ]; then
		tap_skip "$flavour: module builds with -Werror" "no $flavour headers installed"
		tap_skip "$flavour: sparse clean" "no $flavour headers installed"
		continue
	fi
	tap_check "$flavour ($kver): module builds with -Werror" \
		scripts/build-module "$kver"
	if ! command -v sparse >/dev/null; then
		tap_skip "$flavour: sparse clean" "sparse not installed"
		continue
	fi
	log=$(KSAMPLER_KBUILD_ARGS="C=2" scripts/build-module "$kver" 2>&1 >/dev/null)
	warnings=$(printf '%s\n' "$log" | grep -E '(warning|error):' || true)
	if [ -z "$warnings" ]; then
		tap_ok "$flavour: sparse clean"
	else
		tap_not_ok "$flavour: sparse clean" "$warnings"
	fi
done

# --- checkpatch, taken from Debian's linux-source tarball
checkpatch=build/tools/checkpatch/scripts/checkpatch.pl
if [ ! -x "$checkpatch" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$tarball" ]; then
		top=$(basename "$tarball" .tar.xz)
		mkdir -p build/tools/checkpatch
		tar -xJf "$tarball" -C build/tools/checkpatch --strip-components=1 \
			"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch" 2>/dev/null
	fi
fi
if [ -x "$checkpatch" ]; then
	cp_args=(--no-tree --strict --terse --show-types -f)
	# compat.h is the one file whose job is LINUX_VERSION_CODE tests, which
	# checkpatch flags everywhere (and as a constant-on-the-left compare).
	# The uapi header and the cores shared with userspace tests cannot
	# use the kernel-only BIT() (perf's uapi header writes 1U << n too).
	shared='include/ksampler_uapi.h|kmod/ring_core.h|kmod/unwind_core.h'
	out=$( { "$checkpatch" "${cp_args[@]}" $(printf '%s\n' "${kmod_sources[@]}" | grep -Ev "compat.h|$shared")
		"$checkpatch" "${cp_args[@]}" --ignore BIT_MACRO $(printf '%s\n' "${kmod_sources[@]}" | grep -E "$shared")
		"$checkpatch" "${cp_args[@]}" --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON kmod/compat.h
	} 2>&1 | grep -E 'ERROR|WARNING|CHECK')
	if [ -z "$out" ]; then
		tap_ok "checkpatch --strict clean: ${kmod_sources[*]}"
	else
		tap_not_ok "checkpatch --strict clean" "$out"
	fi
else
	tap_skip "checkpatch --strict clean" "no /usr/src/linux-source-*.tar.xz (package linux-source-6.1)"
fi

# --- version tests live in compat.h only; .c files have no #if at all
out=$(grep -nE '^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif)\b|LINUX_VERSION_CODE|KERNEL_VERSION|KS_KERNEL_AT_LEAST' $kmod_c)
if [ -z "$out" ]; then
	tap_ok "no version tests or #if in kmod/*.c (all in compat.h)"
else
	tap_not_ok "no version tests or #if in kmod/*.c (all in compat.h)" "$out"
fi

# --- every symbol the module defines carries the prefix
ko=build/kmod/$(scripts/kernels default 2>/dev/null)/kmod/ksampler.ko
if [ -f "$ko" ]; then
	# Module boilerplate the kernel's macros generate (module_param's
	# __param_*, and function-local statics such as lockdep's __key.N):
	# not ours to name.
	boiler='^(__param_.*|__[a-z_]+\.[0-9]+|__this_module|__start_alloc_tags|__stop_alloc_tags|orc_header|init_module|cleanup_module|__UNIQUE_ID_.*|__mod_.*|__exitcall_.*|__initcall_.*|_note_[0-9]+|__pfx_.*|__cfi_.*|____versions|__ksymtab.*|\.L.*)$'
	out=$(nm "$ko" | awk '$2 ~ /^[tTdDbBrR]$/ { print $3 }' |
		grep -Ev '^(ks_|__ks_|ksampler_|KS_)' | grep -Ev "$boiler" | sort -u)
	if [ -z "$out" ]; then
		tap_ok "every module symbol starts with ks_ or ksampler_"
	else
		tap_not_ok "every module symbol starts with ks_ or ksampler_" $out
	fi
else
	tap_not_ok "every module symbol starts with ks_ or ksampler_" "no $ko"
fi

# --- the ABI header: only linux/types.h and linux/ioctl.h, and it stands
# alone in strict C and C++ userspace builds
out=$(grep -h '^#include' include/ksampler_uapi.h | grep -Ev '<linux/(types|ioctl)\.h>')
if [ -z "$out" ]; then
	tap_ok "ksampler_uapi.h includes only linux/types.h and linux/ioctl.h"
else
	tap_not_ok "ksampler_uapi.h includes only linux/types.h and linux/ioctl.h" "$out"
fi
tap_check "ksampler_uapi.h compiles alone with -std=c11 -pedantic" \
	sh -c 'echo "#include <ksampler_uapi.h>" | cc -std=c11 -pedantic -Wall -Wextra -Werror -Iinclude -fsyntax-only -x c -'

# --- userspace libraries return errors; only cli/ talks to the user or
# exits (writers may emit their format into a stream they are handed)
out=$(grep -nE '\b(printf|puts|perror|exit|_exit|abort)[[:space:]]*\(|\bf(printf|puts)[[:space:]]*\([[:space:]]*std(out|err)' \
	$(ls userspace/*.c | grep -v '_test\.c$'))
if [ -z "$out" ]; then
	tap_ok "userspace/*.c never print or exit (only cli/ does)"
else
	tap_not_ok "userspace/*.c never print or exit (only cli/ does)" "$out"
fi

tap_done
