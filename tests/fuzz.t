#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# fuzz.t - profctl's parsers under libFuzzer (clang, ASan, UBSan), each for
# a bounded time from a seed corpus of real inputs: the pclntab reader
# (the .gopclntab sections of the Go fixtures), whole ELF files (small
# real binaries; files built to stall the pclntab search, which are also
# timed), /proc/PID/maps lines and ring records. A crash, a leak
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
make -s build/gen/profile.pb-c.c build/tests/host/hostile_elf
hostile=build/tests/host/hostile_elf

# The library, instrumented for coverage and checked by the sanitizers.
mkdir -p "$out/obj"
cflags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -Iinclude -Iuserspace -Ibuild/gen -w)
lib=()
build_ok=1
# a header changed since: every object again (a struct's layout may have)
newest_h=$(ls -t userspace/*.h include/*.h | head -n 1)
for src in $(ls userspace/*.c | grep -v _test.c) build/gen/profile.pb-c.c; do
	obj=$out/obj/$(basename "${src%.c}").o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		clang "${cflags[@]}" -c -o "$obj" "$src" 2> "$out/build.log" || build_ok=0
	fi
	lib+=("$obj")
done

# Seeds: real inputs of each kind, and hostile ones (issue 19: 64 KiB
# files of near-miss pclntab headers; for the reader, the table from the
# first header on).
seed() {
	local t=$1 dir=$out/$1/seeds f i=0 kind
	mkdir -p "$dir"
	case $t in
	pclntab)
		for f in build/gofix/*/default build/workloads/cpusplit; do
			[ -f "$f" ] || continue
			objcopy -O binary --only-section=.gopclntab "$f" "$dir/$i" 2>/dev/null &&
				[ -s "$dir/$i" ] && i=$((i + 1))
		done
		for kind in near-end middle huge-nfunc; do
			"$hostile" "$kind" 65536 "$dir/hostile" &&
				tail -c +513 "$dir/hostile" > "$dir/hostile-$kind"
		done
		rm -f "$dir/hostile" ;;
	elf)
		for f in build/workloads/cburn /bin/true; do
			[ -f "$f" ] && cp "$f" "$dir/$i" && i=$((i + 1))
		done
		for kind in near-end middle huge-nfunc; do
			"$hostile" "$kind" 65536 "$dir/hostile-$kind"
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

# Hostile files (issue 19) of 1 and 2 MB, each run once through the elf
# target (open, Go detection, the pclntab search, lookups), which reports
# the time it took: at most 100 ms per MB, the issue's bound for the
# collector, met here with every line instrumented. Before, the search
# took time quadratic in the size (seconds per MB). libFuzzer's -timeout
# cuts a run off at 10 s.
hostile_runs() {
	local dir=$out/elf/hostile kind mb f ms rc
	mkdir -p "$dir"
	for kind in near-end middle huge-nfunc; do
		for mb in 1 2; do
			f=$dir/$kind-$mb
			"$hostile" "$kind" $((mb << 20)) "$f"
			(cd "$out/elf" && ./fuzz_elf -timeout=10 "$root/$f" > "hostile-$kind-$mb.log" 2>&1)
			rc=$?
			ms=$(sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p' "$out/elf/hostile-$kind-$mb.log")
			echo "# hostile $kind, $mb MB, instrumented: ${ms:-over 10000} ms"
			if [ $rc -eq 0 ] && [ -n "$ms" ] && [ "$ms" -le $((100 * mb)) ]; then
				tap_ok "fuzz elf: hostile $kind, $mb MB: at most 100 ms per MB"
			else
				tap_not_ok "fuzz elf: hostile $kind, $mb MB: at most 100 ms per MB" \
					"${ms:-over 10000} ms, exit $rc" \
					"$(grep -E 'ERROR|ALARM|timeout' "$out/elf/hostile-$kind-$mb.log" | head -n 3)"
			fi
			rm -f "$f"
		done
	done
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
	[ "$t" = elf ] && hostile_runs
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
