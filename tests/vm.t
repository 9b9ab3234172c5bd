#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm.t - boots each target kernel flavour once under QEMU and runs the
# guest checks (tests/vm/basic.sh) there, then reads the profiles profctl
# wrote in the guest with the real go tool pprof on the host. A flavour
# whose kernel is not installed is skipped, and counted as skipped.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh"
. "$root/tests/lib/pprof.sh"
. "$root/tests/lib/fidelity.sh"
cd "$root" || exit 1

# check_profiles FLAVOUR DIR: the designed CPU split of each workload
# (tests/workloads) must show in go tool pprof within 5 points.
check_profiles() {
	local f=$1 dir=$2 late_a late_b
	if ! command -v go >/dev/null; then
		tap_skip "$f: profiles read by go tool pprof" "go not installed"
		return
	fi
	# cpusplit on 2 CPUs: thread 1 alpha 60% / beta 40%, thread 2 gamma
	pprof_check_share "$f: cpusplit" "$dir/cpusplit.pb.gz" main.alpha 30 5
	pprof_check_share "$f: cpusplit" "$dir/cpusplit.pb.gz" main.beta 20 5
	pprof_check_share "$f: cpusplit" "$dir/cpusplit.pb.gz" main.gamma 50 5
	pprof_check_share "$f: cpusplit PIE" "$dir/pie.pb.gz" main.alpha 30 5
	pprof_check_share "$f: cpusplit PIE" "$dir/pie.pb.gz" main.beta 20 5
	pprof_check_share "$f: cpusplit PIE" "$dir/pie.pb.gz" main.gamma 50 5
	# stripped PIE, named from pclntab alone: the split holds; the hot
	# function (spin) is inlined into each worker and shows by name as
	# the leaf of the workers' samples (the runtime's own threads, sysmon
	# and its futex sleeps, take a few percent of the whole under TCG,
	# so the share is of main.worker's samples); the -noinlines view
	# still gives spin to its callers; and the leaf fix-up restores the
	# closure that calls alpha and beta, which frame-pointer unwinding
	# alone misses (alpha is a frameless leaf)
	pprof_check "$f: stripped PIE" "$dir/pie-stripped.pb.gz" main.alpha 30 5 cum
	pprof_check "$f: stripped PIE" "$dir/pie-stripped.pb.gz" main.gamma 50 5 cum
	pprof_check "$f: stripped PIE" "$dir/pie-stripped.pb.gz" main.spin 100 3 flat \
		-focus='^main\.worker$' -relative_percentages
	pprof_check "$f: stripped PIE" "$dir/pie-stripped.pb.gz" main.alpha 30 5 flat -noinlines
	pprof_check "$f: stripped PIE" "$dir/pie-stripped.pb.gz" main.main.func1 50 5 cum
	if go tool pprof -raw "$dir/pie-stripped.pb.gz" 2>/dev/null | grep -q 'main.spin.*main.go.*(inline)\|\[FN\]\[FL\]\[LN\]\[IN\]'; then
		tap_ok "$f: stripped PIE: mapping has functions, files, lines and inline frames"
	else
		tap_not_ok "$f: stripped PIE: mapping has functions, files, lines and inline frames" \
			"$(go tool pprof -raw "$dir/pie-stripped.pb.gz" 2>&1 | sed -n '/^Mappings/,$p' | head)"
	fi
	# exec mid-session: cpusplit's functions before, fixedwork's after,
	# each from its own binary although their addresses overlap
	pprof_check "$f: exec mid-session" "$dir/exec.pb.gz" main.descend 60 25 cum
	pprof_check "$f: exec mid-session" "$dir/exec.pb.gz" main.gamma 20 15 cum
	# a thread started 1 s after the session is in it, and the split
	# within thread 1 holds
	late_a=$(pprof_cum "$dir/late.pb.gz" main.alpha)
	late_b=$(pprof_cum "$dir/late.pb.gz" main.beta)
	if [ -n "$(pprof_cum "$dir/late.pb.gz" main.delta)" ] && [ -n "$late_a" ] &&
		awk -v a="$late_a" -v b="$late_b" 'BEGIN { r = 100 * a / (a + b); exit !(r >= 55 && r <= 65) }'; then
		tap_ok "$f: late thread (main.delta) sampled; alpha/(alpha+beta) ~ 60%"
	else
		tap_not_ok "$f: late thread (main.delta) sampled; alpha/(alpha+beta) ~ 60%" \
			"delta $(pprof_cum "$dir/late.pb.gz" main.delta) alpha $late_a beta $late_b"
	fi
	# C with frame pointers, through .symtab: c_hot 3 units, c_warm 1
	pprof_check_share "$f: cburn (C, .symtab)" "$dir/cburn.pb.gz" c_hot 75 5
	pprof_check_share "$f: cburn (C, .symtab)" "$dir/cburn.pb.gz" c_warm 25 5
	pprof_check_share "$f: cburn (C, .symtab)" "$dir/cburn.pb.gz" main 100 1
	# system-wide: every process, labelled; the per-process file holds
	# only cpusplit
	if go tool pprof -top "$dir/all.pb.gz" 2>/dev/null | grep -q 'main\.gamma$' &&
		go tool pprof -traces "$dir/all.pb.gz" 2>/dev/null | grep -q 'comm: *cpusplit'; then
		tap_ok "$f: record -a holds cpusplit's main.gamma, labelled comm cpusplit"
	else
		tap_not_ok "$f: record -a holds cpusplit's main.gamma, labelled comm cpusplit"
	fi
	pprof_check_share "$f: record -a per-process" "$dir/per-cpusplit.pb.gz" main.worker 95 5
	# a process that exited mid-session: rendered then, named as well as
	# one rendered at the end, in the combined profile and in its own
	if go tool pprof -top "$dir/exited.pb.gz" 2>/dev/null | grep -q 'main\.gamma$'; then
		tap_ok "$f: record -a: an exited process's main.gamma is in the profile"
	else
		tap_not_ok "$f: record -a: an exited process's main.gamma is in the profile"
	fi
	pprof_check_share "$f: record -a, exited mid-session" "$dir/per-exited-cpusplit.pb.gz" \
		main.worker 95 5
	# under stress (tests/vm/stress.sh): threads that live 0.5 ms each
	# still resolve to the function they burn in; a fork/exec storm
	# still gives a valid system-wide profile
	pprof_check "$f: thread churn" "$dir/churn.pb.gz" churn_burn 65 25 cum
	# a corrupt Go symbol table costs its binary inlines and lines, not
	# its function names (ELF symbols) nor anyone else's profile
	for fn in main.gamma c_hot; do
		if [ -n "$(pprof_cum "$dir/corrupt.pb.gz" "$fn")" ]; then
			tap_ok "$f: corrupt Go binary: $fn is in the system-wide profile"
		else
			tap_not_ok "$f: corrupt Go binary: $fn is in the system-wide profile"
		fi
	done
	for p in sigint exit storm; do
		if go tool pprof -top "$dir/$p.pb.gz" 2>/dev/null | grep -q '^Type: cpu'; then
			tap_ok "$f: the $p profile is a valid CPU profile"
		else
			tap_not_ok "$f: the $p profile is a valid CPU profile"
		fi
	done
	# the stack fidelity corpus (tests/vm/fidelity.sh): designed splits,
	# against perf record -g in the same boot, and whole stacks
	check_fidelity "$f" "$dir"
}

# check_profiles_valid FLAVOUR DIR: on the debug kernel, lockdep and KASAN
# cost the workloads' threads unevenly (the Go runtime's own threads take
# a bigger share), so the designed splits are the Debian kernels' check;
# here every profile must only be one go tool pprof reads.
check_profiles_valid() {
	local f=$1 dir=$2 p n=0 bad=""
	if ! command -v go >/dev/null; then
		tap_skip "$f: profiles read by go tool pprof" "go not installed"
		return
	fi
	for p in "$dir"/*.pb.gz; do
		[ -e "$p" ] || continue
		n=$((n + 1))
		go tool pprof -top "$p" 2>/dev/null | grep -q '^Type: cpu' ||
			bad="$bad $(basename "$p")"
	done
	if [ "$n" -gt 10 ] && [ -z "$bad" ]; then
		tap_ok "$f: all $n profiles written in the guest are valid CPU profiles"
	else
		tap_not_ok "$f: all profiles written in the guest are valid CPU profiles" \
			"$n profiles; invalid:${bad:- none}"
	fi
}

# The four Debian kernels, and the debug kernels when scripts/debug-kernel
# has built them (a skip otherwise): lockdep, KASAN and usercopy hardening
# (debug), and lockdep with KCSAN (debug-kcsan).
flavours=${KSAMPLER_TEST_FLAVOURS:-"$(scripts/kernels flavours) debug debug-kcsan"}
for flavour in $flavours; do
	# a boot runs about 8 min on the RT kernels; room for a loaded host
	timeout=${KSAMPLER_VM_TIMEOUT:-1200}
	case $flavour in
	debug) variant="" how="make debug-kernel" ;;
	debug-kcsan) variant=--kcsan how="scripts/debug-kernel --kcsan build" ;;
	*) variant=none ;;
	esac
	if [ "$variant" != none ]; then
		if ! dir=$(scripts/debug-kernel $variant dir); then
			tap_skip "$flavour: guest tests" "no $flavour kernel built: run $how (about 10 min on 2 cores)"
			continue
		fi
		kver=$(cat "$dir/include/config/kernel.release")
		# lockdep and a sanitizer under emulation: about three times slower
		timeout=$((timeout * 3))
	else
		kver=$(scripts/kernels flavour "$flavour")
		if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
			tap_skip "$flavour: guest tests" "no $flavour kernel image and headers installed"
			continue
		fi
	fi
	if ! command -v qemu-system-x86_64 >/dev/null; then
		tap_skip "$flavour: guest tests" "qemu-system-x86_64 not installed"
		continue
	fi
	arg=$kver
	[ "$variant" != none ] && arg=$flavour
	tap_include "$flavour:" scripts/vm-run --kernel "$arg" --timeout "$timeout" -- \
		tests/vm/basic.sh
	case $tap_rc in
	124|126) tap_not_ok "$flavour: guest ran the tests to completion" \
			"vm-run exit $tap_rc: see build/vm/$kver/console.log" ;;
	*) tap_ok "$flavour: guest ran the tests to completion" ;;
	esac
	if [ "$variant" != none ]; then
		check_profiles_valid "$flavour" "build/vm/$kver/profiles"
	else
		check_profiles "$flavour" "build/vm/$kver/profiles"
	fi
	if [ "$tap_rc" -eq 125 ]; then
		tap_not_ok "$flavour: guest kernel log clean (no oops, BUG, WARNING, stall)" \
			"see build/vm/$kver/dmesg.txt"
	else
		tap_ok "$flavour: guest kernel log clean (no oops, BUG, WARNING, stall)"
	fi
done

tap_done
