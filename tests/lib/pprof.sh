# SPDX-License-Identifier: GPL-2.0-only
# pprof.sh - reading profiles with the real go tool pprof, for TAP suites.

# pprof_cum FILE FUNCTION: FUNCTION's cumulative share of FILE, in percent
# (empty when it does not appear).
pprof_cum() {
	go tool pprof -top -nodecount=1000 "$1" 2>/dev/null |
		awk -v f="$2" '$NF == f { sub("%", "", $5); print $5; exit }'
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
