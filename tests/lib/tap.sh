# SPDX-License-Identifier: GPL-2.0-only
# tap.sh - TAP output for shell test suites. Source it, call the checks,
# end with tap_done (prints the plan, exits 1 if anything failed).

tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# tap_skip NAME REASON: a check that could not run here; counted, not passed.
tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# tap_check NAME COMMAND...: ok when COMMAND succeeds; its output is shown
# on failure.
tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_not_ok "$name" "command: $*"
		printf '%s\n' "$out" | head -n 30 | sed 's/^/#     /'
	fi
}

# tap_run CMD...: runs CMD, leaving its status in $tap_rc and its stdout and
# stderr in $tap_out and $tap_err.
tap_run() {
	local errf
	errf=$(mktemp)
	tap_out=$("$@" 2>"$errf")
	tap_rc=$?
	tap_err=$(cat "$errf")
	rm -f "$errf"
}

# tap_expect NAME RC PATTERN: the last tap_run exited RC and its combined
# output matches the extended regex PATTERN ("" matches anything).
tap_expect() {
	local name=$1 rc=$2 pat=$3
	if [ "$tap_rc" -ne "$rc" ]; then
		tap_not_ok "$name" "exit status $tap_rc, expected $rc" \
			"stdout: $tap_out" "stderr: $tap_err"
	elif [ -n "$pat" ] && ! printf '%s\n%s\n' "$tap_out" "$tap_err" | grep -Eq -- "$pat"; then
		tap_not_ok "$name" "output does not match /$pat/" \
			"stdout: $tap_out" "stderr: $tap_err"
	else
		tap_ok "$name"
	fi
}

# tap_include PREFIX CMD...: runs CMD, which prints TAP, and folds its test
# points into this stream, renumbered and prefixed, as they come. A plan
# CMD printed that its points do not meet, or no plan at all (CMD died or
# never ran), is a failure; CMD's exit status
# is left in $tap_rc for the caller to judge.
tap_include() {
	local prefix=$1 line desc plan="" count=0
	shift
	tap_rc=0
	while IFS= read -r line; do
		case "$line" in
		__tap_include_rc=*)
			tap_rc=${line#__tap_include_rc=}
			continue
			;;
		"ok"*|"not ok"*)
			count=$((count + 1))
			desc=$(printf '%s' "$line" | sed -E 's/^(not )?ok( [0-9]+)?( -)? ?//')
			if [[ "$desc" =~ ^(.*)\ \#\ *[Ss][Kk][Ii][Pp]\ ?(.*)$ ]]; then
				tap_skip "$prefix ${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
			elif [[ "$line" == ok* ]]; then
				tap_ok "$prefix $desc"
			else
				tap_not_ok "$prefix $desc"
			fi
			;;
		1..*)
			plan=${line#1..}
			plan=${plan%% *}
			;;
		"#"*)
			echo "$line"
			;;
		*)
			echo "# $line"
			;;
		esac
	done < <("$@" 2>&1; echo "__tap_include_rc=$?")
	if [ -z "$plan" ]; then
		tap_not_ok "$prefix $1 finished its plan" \
			"no TAP plan line: it died or never ran (exit status $tap_rc)"
	elif [ "$plan" -ne "$count" ]; then
		tap_not_ok "$prefix planned $plan tests, reported $count"
	fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
