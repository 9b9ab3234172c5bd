#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# cli.t - profctl's command line: usage errors, help and exit codes, on the
# host (no module needed). The device paths are exercised in tests/vm/.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
profctl=${PROFCTL:-$root/build/profctl}

tap_run "$profctl"
tap_expect "no command: usage error" 2 "usage: profctl COMMAND"

tap_run "$profctl" --help
tap_expect "--help: lists commands, exit 0" 0 "version +print profctl"

tap_run "$profctl" --help
tap_expect "--help documents exit codes" 0 "0 success, 1 runtime failure, 2 usage error"

tap_run "$profctl" frobnicate
tap_expect "unknown command: says so, exit 2" 2 "unknown command 'frobnicate'"

tap_run "$profctl" version --help
tap_expect "version --help: exit 0" 0 "usage: profctl version"

tap_run "$profctl" version --bogus
tap_expect "version --bogus: usage error" 2 "usage: profctl version"

tap_run "$profctl" version extra
tap_expect "version with an argument: usage error" 2 "unexpected argument 'extra'"

tap_run "$profctl" version --device /nonexistent/ksampler
tap_expect "version without module: CLI version, how to load, exit 0" 0 \
	"^profctl +[0-9]+\.[0-9]+\.[0-9]+ \(ABI 1\.[0-9]+, git "
tap_expect "version without module: tells to modprobe" 0 \
	"not loaded .*sudo modprobe ksampler"

tap_run "$profctl" version --device /dev/null
tap_expect "version on a foreign node: refused, exit 1" 1 \
	"/dev/null: device is not a ksampler device"

tap_run "$profctl" start
tap_expect "start without --pid: usage error" 2 "--pid is required"
tap_run "$profctl" start --pid 1 --freq 0
tap_expect "start --freq 0: usage error" 2 "invalid value '0' for --freq"
tap_run "$profctl" start --pid 1 --duration 5x
tap_expect "start --duration 5x: usage error" 2 "invalid value '5x' for --duration"
tap_run "$profctl" start --pid 1 --max-frames 513
tap_expect "start --max-frames 513: usage error" 2 "invalid value '513' for --max-frames"
tap_run "$profctl" start --pid 1 --format svg
tap_expect "start --format svg: usage error" 2 "invalid value 'svg' for --format"
tap_run "$profctl" start --pid 1 extra
tap_expect "start with an extra argument: usage error" 2 "unexpected argument 'extra'"
tap_run "$profctl" start --help
tap_expect "start --help: documents the options" 0 "--duration DUR"
tap_run "$profctl" start --pid 1 --device /nonexistent/ksampler
tap_expect "start without the module: tells to modprobe, exit 1" 1 \
	"ksampler module not loaded .*sudo modprobe ksampler"

# strtoull reads "-1" as 2^64 - 1: a usage error, not a device's EINVAL
tap_run "$profctl" start --pid 1 --freq -1 --device /nonexistent/ksampler
tap_expect "start --freq -1: usage error, exit 2" 2 "invalid value '-1' for --freq"

# -o that names a device or a directory: refused before sampling, and
# left alone (root's "-o /dev/null" once replaced the device node)
tap_run "$profctl" start --pid 1 -o /dev/null --device /nonexistent/ksampler
tap_expect "start -o /dev/null: refused before sampling, exit 2" 2 \
	"cannot write /dev/null: not a regular file .*- for standard output"
tap_run "$profctl" record -a -o / --device /nonexistent/ksampler
tap_expect "record -a -o /: a directory is refused, exit 2" 2 "cannot write /: not a regular file"
[ -c /dev/null ] && tap_ok "/dev/null is still a character device" ||
	tap_not_ok "/dev/null is still a character device"

tap_run "$profctl" record
tap_expect "record without -a: usage error, points to start" 2 "-a is required .*profctl start --pid"
tap_run "$profctl" record -a --format svg
tap_expect "record --format svg: usage error" 2 "invalid value 'svg' for --format"
tap_run "$profctl" record --help
tap_expect "record --help: documents --per-process" 0 "--per-process DIR"

tap_run "$profctl" --version
tap_expect "--version is version" 0 "^profctl +[0-9]"

# symbolize: usage, and binaries that are not what they claim
tap_run "$profctl" symbolize
tap_expect "symbolize without -e: usage error" 2 "give it with -e BINARY"
tap_run "$profctl" symbolize --help
tap_expect "symbolize --help: documents --inlines" 0 "--inlines"
tap_run "$profctl" symbolize -e /etc/passwd < /dev/null
tap_expect "symbolize a text file: not ELF, exit 1" 1 "/etc/passwd: not a 64-bit ELF file"
tap_run "$profctl" symbolize -e /nonexistent < /dev/null
tap_expect "symbolize a missing file: exit 1" 1 "/nonexistent: No such file"
wl=build/workloads/cpusplit
if [ -x "$wl" ] && command -v go >/dev/null; then
	scratch=$(mktemp -d)
	alpha=$(go tool nm "$wl" | awk '$3 == "main.alpha" { print $1 }')
	tap_run sh -c "printf '%s\\n' 0x$alpha zzz $alpha | $profctl symbolize -e $wl"
	tap_expect "symbolize: a bad line answers ? in place, says which, exit 1" 1 \
		"line 2: not a hex address"
	if [ "$(printf '%s\n' "$tap_out" | sed -n '1p;3p;5p' | tr '\n' ' ')" = "main.alpha ? main.alpha " ]; then
		tap_ok "symbolize: answers stay aligned with the input lines"
	else
		tap_not_ok "symbolize: answers stay aligned with the input lines" "$tap_out"
	fi
	# corrupt the pclntab's functab offset: the binary still opens,
	# the reason is given, every answer is "?" rather than a wrong name
	cp "$wl" "$scratch/corrupt"
	off=$(readelf -SW "$wl" | sed -n 's/.* \.gopclntab  *[A-Z]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	printf '\xff\xff\xff\x7f' | dd of="$scratch/corrupt" bs=1 \
		seek=$((0x$off + 64)) conv=notrunc status=none
	tap_run sh -c "echo $alpha | $profctl symbolize -e $scratch/corrupt"
	tap_expect "symbolize a corrupt pclntab: says so, falls back, exit 0" 0 \
		"corrupt: corrupt Go symbol table .pclntab.; using its ELF symbols only"
	tap_expect "symbolize a corrupt pclntab: the ELF symbol still names it" 0 "^main.alpha"
	# one function's name offset out of range (Go 1.18+ layout: the
	# functab offset at header + 64, textStart at + 24, (entry, func)
	# offset pairs, the name offset 4 bytes into the func): the table
	# still opens, the ELF symbol names the function, and the same
	# address asked twice is named twice (an empty answer was cached)
	rd8() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
	text=$(rd8 "$wl" $((0x$off + 24)))
	ftab=$(( 0x$off + $(rd8 "$wl" $((0x$off + 64))) ))
	funcoff=$(od -An -t u4 -v -j "$ftab" -N $(( $(rd8 "$wl" $((0x$off + 8))) * 8 )) "$wl" |
		tr -s ' ' '\n' | grep -v '^$' |
		awk -v w=$((0x$alpha - text)) 'NR % 2 { e = $1; next } e == w { print; exit }')
	cp "$wl" "$scratch/badname"
	[ -n "$funcoff" ] && printf '\xff\xff\xff\x7f' | dd of="$scratch/badname" bs=1 \
		seek=$((ftab + funcoff + 4)) conv=notrunc status=none
	tap_run sh -c "printf '%s\\n' $alpha $alpha | $profctl symbolize -e $scratch/badname"
	if [ -n "$funcoff" ] && [ "$(printf '%s\n' "$tap_out" | grep -c '^main.alpha$')" = 2 ]; then
		tap_ok "symbolize: a function whose Go name is unreadable is named from ELF, each time"
	else
		tap_not_ok "symbolize: a function whose Go name is unreadable is named from ELF, each time" \
			"func offset '$funcoff'" "$tap_out"
	fi
	# no section headers at all (table, moduledata and build info found
	# by scanning; the build id from its PT_NOTE): the same answers
	for b in "$wl" "$wl-pie-stripped"; do
		cp "$b" "$scratch/nosections"
		dd if=/dev/zero of="$scratch/nosections" bs=1 seek=40 count=8 conv=notrunc status=none
		dd if=/dev/zero of="$scratch/nosections" bs=1 seek=60 count=4 conv=notrunc status=none
		entries=$(go tool nm "$wl" | awk '$2 == "T" && $3 ~ /^main\./ { print "0x" $1 }')
		[ "$b" = "$wl" ] || entries=$(go tool nm "$wl-pie" | awk '$2 == "T" && $3 ~ /^main\./ { print "0x" $1 }')
		if [ -n "$entries" ] &&
			[ "$(echo "$entries" | $profctl symbolize -e "$b" --inlines)" = \
			  "$(echo "$entries" | $profctl symbolize -e "$scratch/nosections" --inlines)" ] &&
			! echo "$entries" | $profctl symbolize -e "$scratch/nosections" | grep -qx '?'; then
			tap_ok "symbolize $(basename "$b") without section headers: same answers"
		else
			tap_not_ok "symbolize $(basename "$b") without section headers: same answers"
		fi
	done
	head -c 100000 "$wl" > "$scratch/truncated"
	tap_run sh -c "echo $alpha | $profctl symbolize -e $scratch/truncated"
	tap_expect "symbolize a truncated binary: a clear error, exit 1" 1 \
		"truncated: truncated or damaged ELF file"
	# the binary truncated while profctl has it open (a process doing
	# that to its own mapped library once killed the collector with
	# SIGBUS): profctl holds a copy and no descriptor, and keeps naming
	cp "$wl" "$scratch/shrinks"
	main=$(go tool nm "$wl" | awk '$3 == "main.main" { print $1 }')
	mkfifo "$scratch/in" "$scratch/out"
	"$profctl" symbolize -e "$scratch/shrinks" < "$scratch/in" > "$scratch/out" 2>&1 &
	sym_pid=$!
	exec {sym_in}>"$scratch/in" {sym_out}<"$scratch/out"
	echo "$alpha" >&$sym_in
	read -r first <&$sym_out && read -r _ <&$sym_out
	held=$(ls -l /proc/$sym_pid/fd 2>/dev/null | grep -c shrinks)
	truncate -s 4096 "$scratch/shrinks"
	printf '%s\n' "$main" "$alpha" >&$sym_in
	exec {sym_in}>&-
	rest=$(cat <&$sym_out)
	exec {sym_out}<&-
	wait "$sym_pid"
	rc=$?
	if [ "$first" = main.alpha ] && [ $rc = 0 ] &&
		[ "$(printf '%s\n' "$rest" | sed -n '1p;3p' | tr '\n' ' ')" = "main.main main.alpha " ]; then
		tap_ok "symbolize: the binary truncated after it was read: still named, no SIGBUS"
	else
		tap_not_ok "symbolize: the binary truncated after it was read: still named, no SIGBUS" \
			"exit $rc, first '$first', then: $rest"
	fi
	if [ "$held" = 0 ]; then
		tap_ok "symbolize: no descriptor of the binary is kept once it is read"
	else
		tap_not_ok "symbolize: no descriptor of the binary is kept once it is read" "$held open"
	fi
	rm -rf "$scratch"
else
	tap_skip "symbolize on a Go binary" "build/workloads/cpusplit or go missing"
fi

# Hostile files (issue 19): a Go build id, no section headers, and data
# full of near-miss pclntab headers sharing one functab
# (userspace/hostile_elf_test.h, written by build/tests/host/hostile_elf).
# The search for the table gives up, saying so, within the issue's bound:
# 100 ms of CPU (user + system) per MB of file. Checked one by one in
# full, the candidates cost time quadratic in the size: 1.1 to 1.6 s for
# 1 MB, 18 to 29 s for 3.8 MB, half an hour or more for 38 MB, inside
# record -a's ring drain (docs/hostile-inputs.md). Each file's CPU time
# is printed; a run is cut off after the file's size in seconds, plus 5.
hostile=$(dirname "$profctl")/tests/host/hostile_elf
if [ -x "$hostile" ]; then
	scratch=$(mktemp -d)
	TIMEFORMAT='%3U %3S'
	for mb in 1 4 38; do
		for kind in near-end middle huge-nfunc; do
			f=$scratch/$kind-$mb
			name="symbolize a hostile file ($kind, $mb MB)"
			if ! "$hostile" "$kind" $((mb << 20)) "$f"; then
				tap_not_ok "$name: generated"
				continue
			fi
			{ time timeout $((mb + 5)) "$profctl" symbolize -e "$f" \
				< <(echo 401000) > "$scratch/out" 2> "$scratch/err"; } 2> "$scratch/cpu"
			tap_rc=$?
			tap_out=$(cat "$scratch/out") tap_err=$(cat "$scratch/err")
			tap_expect "$name: finishes, says the pclntab cannot be read, exit 0" 0 \
				"$kind-$mb: Go binary without a readable symbol table .pclntab.*using its ELF symbols only"
			ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$scratch/cpu")
			echo "# hostile $kind, $mb MB: $ms ms of CPU, $(awk -v ms="$ms" -v mb="$mb" \
				'BEGIN { printf "%.1f", ms / mb }') ms per MB"
			if [ "$tap_rc" -eq 0 ] && [ "$ms" -le $((100 * mb)) ]; then
				tap_ok "$name: at most 100 ms of CPU per MB"
			else
				tap_not_ok "$name: at most 100 ms of CPU per MB" \
					"$ms ms for $mb MB, exit $tap_rc (124: cut off)"
			fi
			rm -f "$f"
		done
	done
	rm -rf "$scratch"
else
	tap_skip "symbolize hostile files" "$hostile missing: run make unit-tests"
fi

tap_done
