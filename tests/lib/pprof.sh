# SPDX-License-Identifier: GPL-2.0-only
# pprof.sh - reading profiles with the real go tool pprof, for TAP suites.

# pprof_cum FILE FUNCTION [PPROF OPTION...]: FUNCTION's cumulative share
# of FILE, in percent (empty when it does not appear).
pprof_cum() {
	local file=$1 fn=$2
	shift 2
	go tool pprof -top -nodecount=1000 "$@" "$file" 2>/dev/null |
		awk -v f="$fn" '$NF == f || ($(NF-1) == f && $NF == "(inline)") { sub("%", "", $5); print $5; exit }'
}

# pprof_flat FILE FUNCTION [PPROF OPTION...]: FUNCTION's flat share.
pprof_flat() {
	local file=$1 fn=$2
	shift 2
	go tool pprof -top -nodecount=1000 "$@" "$file" 2>/dev/null |
		awk -v f="$fn" '$NF == f || ($(NF-1) == f && $NF == "(inline)") { sub("%", "", $2); print $2; exit }'
}

# pprof_check NAME FILE FUNCTION WANT TOLERANCE cum|flat [PPROF OPTION...]:
# a TAP point that FUNCTION's share is WANT +- TOLERANCE percent.
pprof_check() {
	local name=$1 file=$2 fn=$3 want=$4 tol=$5 kind=$6 got
	shift 6
	got=$(pprof_$kind "$file" "$fn" "$@")
	if [ -n "$got" ] && awk -v g="$got" -v w="$want" -v t="$tol" \
		'BEGIN { exit !(g >= w - t && g <= w + t) }'; then
		tap_ok "$name: $fn $kind ${got}% (designed $want +- $tol)${1:+ with $*}"
	else
		tap_not_ok "$name: $fn $kind ${got:-none}% (designed $want +- $tol)${1:+ with $*}" \
			"$(go tool pprof -top -nodecount=12 "$@" "$file" 2>&1 | tail -n 13)"
	fi
}

# pprof_check_share NAME FILE FUNCTION WANT TOLERANCE: a TAP point that
# FUNCTION's cumulative share is WANT +- TOLERANCE percent.
pprof_check_share() {
	local name=$1 file=$2 fn=$3 want=$4 tol=$5 got
	got=$(pprof_cum "$file" "$fn")
	if [ -n "$got" ] && awk -v g="$got" -v w="$want" -v t="$tol" \
		'BEGIN { exit !(g >= w - t && g <= w + t) }'; then
		tap_ok "$name: $fn at ${got}% (designed $want +- $tol)"
	else
		tap_not_ok "$name: $fn at ${got:-none}% (designed $want +- $tol)" \
			"$(go tool pprof -top -nodecount=12 "$file" 2>&1 | tail -n 13)"
	fi
}
