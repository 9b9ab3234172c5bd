#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# fuzz.t - profctl's parsers under libFuzzer (clang, ASan, UBSan), each for
# a bounded time from a seed corpus of real inputs: the pclntab reader
# (the .gopclntab sections of the Go fixtures), whole ELF files (small
# real binaries), /proc/PID/maps lines and ring records. A crash, a leak
# or undefined behaviour fails the suite and leaves the input that caused
# it in build/fuzz/<target>/crash-*, to become a regression test: copied
# to tests/fuzz/regressions/<target>-<id>, it is run before each campaign.
#
# FUZZ_SECONDS sets each target's time (default 15; a nightly run gives
# more).
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1

targets="pclntab elf maps record"
secs=${FUZZ_SECONDS:-15}
out=build/fuzz
if ! command -v clang >/dev/null; then
	for t in $targets; do
		tap_skip "fuzz $t" "clang not installed (scripts/install-deps)"
	done
	tap_done
	exit 0
fi
make -s build/gen/profile.pb-c.c

# The library, instrumented for coverage and checked by the sanitizers.
mkdir -p "$out/obj"
cflags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -Iinclude -Iuserspace -Ibuild/gen -w)
lib=()
build_ok=1
for src in $(ls userspace/*.c | grep -v _test.c) build/gen/profile.pb-c.c; do
	obj=$out/obj/$(basename "${src%.c}").o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
		clang "${cflags[@]}" -c -o "$obj" "$src" 2> "$out/build.log" || build_ok=0
	fi
	lib+=("$obj")
done

# Seeds: real inputs of each kind.
seed() {
	local t=$1 dir=$out/$1/seeds f i=0
	mkdir -p "$dir"
	case $t in
	pclntab)
		for f in build/gofix/*/default build/workloads/cpusplit; do
			[ -f "$f" ] || continue
			objcopy -O binary --only-section=.gopclntab "$f" "$dir/$i" 2>/dev/null &&
				[ -s "$dir/$i" ] && i=$((i + 1))
		done ;;
	elf)
		for f in build/workloads/cburn /bin/true; do
			[ -f "$f" ] && cp "$f" "$dir/$i" && i=$((i + 1))
		done ;;
	maps)
		while IFS= read -r line; do
			printf '%s' "$line" > "$dir/$i"
			i=$((i + 1))
		done < /proc/self/maps ;;
	record)
		printf 'seed' > "$dir/0" ;;
	esac
}

for t in $targets; do
	bin=$out/$t/fuzz_$t
	mkdir -p "$out/$t/corpus"
	if [ $build_ok = 0 ] || ! clang "${cflags[@]}" -fsanitize=fuzzer -o "$bin" \
		"tests/fuzz/fuzz_$t.c" "${lib[@]}" -lelf -lz -lprotobuf-c 2>> "$out/build.log"; then
		tap_not_ok "fuzz $t: builds" "$(tail -n 10 "$out/build.log")"
		continue
	fi
	seed "$t"
	# every input that once failed is run again first
	regress=$(ls tests/fuzz/regressions/"$t"-* 2>/dev/null)
	if [ -n "$regress" ]; then
		if (cd "$out/$t" && "./fuzz_$t" $(printf "$root/%s " $regress) > regress.log 2>&1); then
			tap_ok "fuzz $t: $(wc -w <<<"$regress") past crash inputs pass"
		else
			tap_not_ok "fuzz $t: past crash inputs pass" \
				"$(grep -E 'ERROR|runtime error|SUMMARY' "$out/$t/regress.log" | head -n 5)"
		fi
	fi
	max_len=65536
	[ "$t" = pclntab ] || [ "$t" = elf ] && max_len=2097152
	(cd "$out/$t" && ASAN_OPTIONS=detect_leaks=1 "./fuzz_$t" -max_total_time="$secs" \
		-max_len=$max_len -rss_limit_mb=4096 -print_final_stats=1 \
		corpus seeds > log 2>&1)
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t/log")
	if [ $rc -eq 0 ]; then
		tap_ok "fuzz $t: ${runs:-?} inputs in ${secs}s, no crash, leak or UB"
	else
		tap_not_ok "fuzz $t: ${runs:-?} inputs in ${secs}s, no crash, leak or UB" \
			"$(grep -E 'ERROR|runtime error|SUMMARY|crash-' "$out/$t/log" | head -n 8)"
	fi
done
tap_done
