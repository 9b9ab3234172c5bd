#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gosym.t - profctl symbolize against the Go toolchain and DWARF, on the
# fixtures of scripts/go-fixtures (every Debian Go toolchain x default,
# stripped, PIE, PIE stripped, cgo external link, that stripped) and on
# Debian's stripped caddy and restic. The expected answers come from
# scripts/go-oracle (which documents where its oracles disagree and who
# is right); they are made afresh each run, in build/gofix/oracle/.
#
# One test point per binary and mode: the addr2line view (function, then
# innermost file:line) and, where an unstripped twin has DWARF, --inlines
# (every frame). A missing toolchain or package is a skip per point it
# would have run; a missing build/profctl, or an oracle that cannot be
# trusted, is a failure.
#
# GOSYM_FIXTURES: where the fixtures are built (default build/gofix).
# GOSYM_GO_VERSIONS: the Go releases to test (default 1.15 1.19 1.21 1.22
# 1.23, the ones Debian has; /usr/lib/go-1.N/bin/go).
#
# Not set -e: a failing command is a test result to report, not the end.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
cd "$root" || exit 1
profctl=${PROFCTL:-$root/build/profctl}
fix=${GOSYM_FIXTURES:-$root/build/gofix}
helper=$fix/gosymlist
versions=${GOSYM_GO_VERSIONS:-1.15 1.19 1.21 1.22 1.23}
variants="default stripped pie pie-stripped cgo-ext cgo-ext-stripped"
tmp=$(mktemp -d /tmp/gosym-t.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ -x "$profctl" ]; then
	tap_ok "profctl is built"
else
	tap_not_ok "profctl is built" "$profctl is missing: run make"
fi

if out=$(scripts/go-fixtures "$fix" 2>&1); then
	tap_ok "scripts/go-fixtures builds the fixtures"
else
	tap_not_ok "scripts/go-fixtures builds the fixtures" "$out"
fi
printf '%s\n' "$out" | grep -v -e '^  GO ' -e '^$' | sed 's/^/# /'

# show_a2l ADDRS EXPECTED GOT: the mismatches of the addr2line view (two
# lines per address), as "ADDR: expected F FILE:LINE, got F FILE:LINE".
show_a2l() {
	awk -v want="$2" -v got="$3" '
	function two(file,   a, b) {
		if ((getline a < file) <= 0)
			return "nothing"
		getline b < file
		return a " " b
	}
	{
		e = two(want); g = two(got)
		if (e != g)
			printf "%s: expected %s, got %s\n", $0, e, g
	}
	END {
		if ((getline x < got) > 0)
			printf "after the last address: %s\n", x
	}' "$1"
}

# show_inl ADDRS COUNTS EXPECTED GOT: the mismatches of --inlines. GOT is
# profctl's answer to ADDRS with 0x0 after each address: a "?", "?:0"
# pair (unresolvable) ends each address's frames.
show_inl() {
	awk -v addrs="$1" -v counts="$2" -v want="$3" '
	function frames(n,   s, f, l, i) {
		s = ""
		for (i = 0; i < n; i++) {
			getline f < want; getline l < want
			s = s (i ? " <- " : "") f " " l
		}
		return s
	}
	{ g[NR] = $0 }
	END {
		i = 1
		while ((getline a < addrs) > 0) {
			getline n < counts
			e = frames(n)
			got = ""
			# The first pair always belongs to the address (even "?"); the
			# next "?", "?:0" pair is the separator.
			for (k = 0; i <= NR; k++) {
				if (k > 0 && g[i] == "?" && g[i + 1] == "?:0") {
					i += 2
					break
				}
				got = got (k ? " <- " : "") g[i] " " g[i + 1]
				i += 2
			}
			if (e != got)
				printf "%s: expected %s; got %s\n", a, e, (got == "" ? "nothing" : got)
		}
	}' "$4"
}

# report NAME MISMATCHES-FILE TOTAL RC GOT EXPECTED: the failed test
# point (profctl's output was not EXPECTED, or it exited non-zero).
report() {
	local name=$1 mism=$2 total=$3 rc=$4 got=$5 want=$6 n
	n=$(wc -l < "$mism")
	set -- "profctl exit status $rc; $n of $total addresses differ"
	[ "$n" -gt 0 ] && set -- "$@" "$(head -n 5 "$mism")"
	[ "$n" -eq 0 ] && [ "$rc" -eq 0 ] &&
		set -- "$@" "output of $(wc -l < "$got") lines, expected $(wc -l < "$want")"
	[ -s "$tmp/err" ] && set -- "$@" "stderr: $(head -n 3 "$tmp/err")"
	tap_not_ok "$name" "$@"
}

# check NAME BINARY ORACLE-DIR: compare profctl with the oracle, both
# modes where the oracle has them.
check() {
	local name=$1 bin=$2 o=$3 rc total
	total=$(wc -l < "$o/addrs")
	rc=0
	"$profctl" symbolize -e "$bin" < "$o/addrs" > "$tmp/got" 2> "$tmp/err" || rc=$?
	if cmp -s "$tmp/got" "$o/a2l" && [ $rc -eq 0 ]; then
		tap_ok "$name: addr2line view, $total addresses"
	else
		show_a2l "$o/addrs" "$o/a2l" "$tmp/got" > "$tmp/mism"
		report "$name: addr2line view, $total addresses" "$tmp/mism" "$total" "$rc" \
			"$tmp/got" "$o/a2l"
	fi
	[ -f "$o/inl" ] || return 0
	total=$(wc -l < "$o/inl.addrs")
	rc=0
	"$profctl" symbolize -e "$bin" --inlines < "$o/inl.addrs" > "$tmp/got" 2> "$tmp/err" || rc=$?
	if cmp -s "$tmp/got" "$o/inl" && [ $rc -eq 0 ]; then
		tap_ok "$name: --inlines, $total addresses"
		return
	fi
	sed 's/$/\n0x0/' "$o/inl.addrs" |
		"$profctl" symbolize -e "$bin" --inlines > "$tmp/got.sep" 2>/dev/null
	show_inl "$o/inl.addrs" "$o/inl.n" "$o/inl" "$tmp/got.sep" > "$tmp/mism"
	report "$name: --inlines, $total addresses" "$tmp/mism" "$total" "$rc" \
		"$tmp/got" "$o/inl"
}

# oracle_failed NAME MODES... : the oracle could not be made; every mode a
# failure (the fixture or toolchain is broken, and this must be seen).
oracle_failed() {
	local name=$1 m
	shift
	for m in "$@"; do
		tap_not_ok "$name: $m" "no oracle:" "$(tail -n 5 "$tmp/oracle.err")"
	done
}

for v in $versions; do
	go=/usr/lib/go-$v/bin/go
	for variant in $variants; do
		name=go$v/$variant
		bin=$fix/$name
		if [ ! -x "$go" ]; then
			tap_skip "$name: addr2line view" "go$v not installed (golang-$v-go)"
			tap_skip "$name: --inlines" "go$v not installed (golang-$v-go)"
			continue
		fi
		twin=$fix/go$v/${variant%-stripped}
		[ "$variant" = stripped ] && twin=$fix/go$v/default
		src=tests/gofixtures
		case $variant in cgo-*) src=tests/gofixtures/cgo ;; esac
		o=$fix/oracle/$name
		if [ ! -x "$bin" ] || ! scripts/go-oracle --helper "$helper" --go "$go" --twin "$twin" \
			--src "$src" "$bin" "$o" 2> "$tmp/oracle.err"; then
			[ -x "$bin" ] || echo "$bin was not built" >> "$tmp/oracle.err"
			oracle_failed "$name" "addr2line view" "--inlines"
			continue
		fi
		echo "# $name oracle: $(cat "$o/oracle")"
		check "$name" "$bin" "$o"
		# Every fixture has a DWARF twin; a missing --inlines oracle is a
		# lost test, so it is shown as one.
		[ -f "$o/inl" ] || tap_not_ok "$name: --inlines" "no oracle: $(cat "$o/oracle")"
	done
done

# Debian's caddy and restic: real stripped, externally linked Go 1.19
# programs. Every function entry, 2000 random PCs, no DWARF (no --inlines).
go=""
for v in 1.19 1.21 1.22 1.23; do
	[ -x /usr/lib/go-$v/bin/go ] && { go=/usr/lib/go-$v/bin/go; break; }
done
for prog in caddy restic; do
	bin=/usr/bin/$prog
	if [ ! -x "$bin" ]; then
		tap_skip "$prog: addr2line view" "$bin not installed (Debian $prog)"
		continue
	fi
	if [ -z "$go" ] || [ ! -x "$helper" ]; then
		tap_skip "$prog: addr2line view" "no Go 1.19+ toolchain for the oracle"
		continue
	fi
	o=$fix/oracle/$prog
	if ! scripts/go-oracle --helper "$helper" --go "$go" --random 2000 "$bin" "$o" 2> "$tmp/oracle.err"; then
		oracle_failed "$prog" "addr2line view"
		continue
	fi
	echo "# $prog oracle: $(cat "$o/oracle")"
	check "$prog" "$bin" "$o"
done

tap_done
