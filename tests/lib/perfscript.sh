# SPDX-License-Identifier: GPL-2.0-only
# perfscript.sh - per-sample stacks from perf and from profctl's profiles,
# in one form, for comparing the two (tests/vm/fidelity.sh in the guest,
# tests/lib/fidelity.sh on the host).
#
# The form is folded stacks: one line per distinct stack of a thread, its
# thread as "[tid N]" first, then its frames from the outermost to the
# leaf, joined by ";"; then a space and its sample count. Frames are
# function names: Go's assembly functions lose the
# ".abi0" that their ELF symbols carry (perf names them so, pclntab does
# not), a frame with no name is its file's base name in brackets
# ("[libc.so.6]", "[vdso]"), and kernel frames are dropped (ksampler
# records user stacks; perf's chains of samples taken in the kernel go on
# into the user stack, which is what is compared).

# perf_fold: perf script output (-F comm,tid,ip,sym,dso, callchains) on
# stdin, folded stacks on stdout. A sample with no user frame at all is
# folded as "[no user frames]", so that it still counts in the total.
perf_fold() {
	awk '
		function flush(   s, i) {
			if (!insample)
				return
			s = "[tid " tid "]"
			if (n == 0)
				s = s ";[no user frames]"
			for (i = n; i >= 1; i--)
				s = s ";" f[i]
			count[s]++
			insample = 0
			n = 0
		}
		# "comm tid": a new sample; its frames follow, leaf first, one
		# per line: "ip sym (dso)"
		/^[^ \t]/ { flush(); insample = 1; tid = $NF; next }
		/^[ \t]*$/ { flush(); next }
		{
			ip = $1
			dso = $NF
			gsub(/^\(|\)$/, "", dso)
			if (dso == "[kernel.kallsyms]" || ip ~ /^ffff[0-9a-f]{12}$/)
				next
			sym = $2
			for (i = 3; i < NF; i++)
				sym = sym " " $i
			sub(/\.abi0$/, "", sym)
			if (sym == "[unknown]" || sym == "") {
				b = dso
				sub(/.*\//, "", b)
				if (b !~ /^\[/)
					b = "[" b "]"
				sym = b
			}
			f[++n] = sym
		}
		END {
			flush()
			for (s in count)
				print s, count[s]
		}'
}

# pprof_fold FILE: the samples of a pprof profile as folded stacks (from go
# tool pprof -raw; inlined frames are frames of their own, as pprof shows
# them). Counts are the first sample type's (profctl's samples/count).
pprof_fold() {
	go tool pprof -raw "$1" 2>/dev/null | awk '
		/^Samples:/ { part = "s"; next }
		/^Locations/ { part = "l"; next }
		/^Mappings/ { part = "m"; next }
		# "  COUNT VALUE: LOC LOC ...", leaf first
		part == "s" && /^ *[0-9]+ +[0-9]+: / {
			ns++
			scount[ns] = $1
			sub(/^ *[0-9]+ +[0-9]+: */, "")
			slocs[ns] = $0
			next
		}
		# its labels follow: "pid:[P] tid:[T]"
		part == "s" && match($0, /tid:\[[0-9]+\]/) {
			stid[ns] = substr($0, RSTART + 5, RLENGTH - 6)
			next
		}
		# "  ID: 0xADDR M=MAP FUNCTION FILE:LINE s=START", then one line
		# per inlined caller, "  FUNCTION FILE:LINE s=START"; no M= for
		# profctl'"'"'s synthetic frames, which lie in no mapping
		part == "l" && /^ *[0-9]+: 0x[0-9a-f]+( |$)/ {
			id = $1
			sub(/:$/, "", id)
			lmap[id] = $3 ~ /^M=/ ? substr($3, 3) : ""
			nl[id] = 0
			sub(/^ *[0-9]+: 0x[0-9a-f]+( M=[0-9]+)? ?/, "")
			addline(id)
			next
		}
		part == "l" && /^ +[^ ]/ { addline(id); next }
		# "ID: START/LIMIT/OFFSET FILE BUILDID [FLAGS]"
		part == "m" && /^ *[0-9]+: / {
			m = $1
			sub(/:$/, "", m)
			b = $3
			sub(/.*\//, "", b)
			mname[m] = b
		}
		function addline(id,   s) {
			s = $0
			sub(/^ +/, "", s)
			sub(/ s=[0-9]+$/, "", s)
			sub(/ ?[^ ]*:[0-9]+$/, "", s)
			if (s != "")
				lfn[id, ++nl[id]] = s
		}
		END {
			for (i = 1; i <= ns; i++) {
				k = split(slocs[i], ids, " ")
				n = 0
				for (j = 1; j <= k; j++) {
					id = ids[j]
					if (nl[id] == 0) {
						b = mname[lmap[id]]
						if (b !~ /^\[/)
							b = "[" b "]"
						fr[++n] = b
						continue
					}
					for (l = 1; l <= nl[id]; l++)
						fr[++n] = lfn[id, l]
				}
				s = "[tid " stid[i] "]"
				for (j = n; j >= 1; j--)
					s = s ";" fr[j]
				count[s] += scount[i]
			}
			for (s in count)
				print s, count[s]
		}'
}

# The frames a thread's stack ends at when the walk got all the way: a
# goroutine's (runtime.goexit), the g0 stack of a thread the runtime
# started (runtime.mstart) or of the first thread (runtime.rt0_go), and the
# C runtime's (a frame-pointer walk stops at libc's first frame, which
# profctl cannot name: Debian's libc keeps its local symbols in
# libc6-dbg).
fold_roots='^(runtime\.goexit|runtime\.mstart|runtime\.rt0_go|_start|__libc_start_main|__libc_start_call_main|start_thread|__?clone3?|\[libc\.so\.6\])$'

# A collector's mark of a walk that did not get all the way (profctl's
# synthetic outermost frames).
fold_marks='^\[(truncated|unwind stopped)'

# fold_stat FILE WHAT [ARG] [SCOPE] [ENTRIES]: percent (two decimals) of
# the samples of FILE in SCOPE:
#   cum FN      FN anywhere in the stack, counted once per sample
#   any LIST    any of the ";"-separated functions LIST in the stack
#   root        the walk reached the thread's root: scanning from the leaf
#               outwards it met a $fold_roots frame (walks can go on past
#               runtime.mstart: Go's runtime.clone leaves the parent's
#               frame pointer in the child), or its outermost frame is one
#               of ENTRIES (fold_entries: where goroutines start, for
#               profiles from profctl, which leaves runtime.goexit out as
#               Go's own profiler does); a stack marked $fold_marks never
#               does
#   outer RE    the outermost frame, mark or not, matches the extended
#               regex RE
#   stop RE     the walk ended at a frame matching the extended regex RE
#               short of the root: its outermost frame that is no
#               $fold_marks mark matches RE, and it is no root stack
# SCOPE is "" (every sample), "tid=N" (thread N's) or "fn=NAME" (those
# with NAME in their stack). Prints nothing when SCOPE holds no sample.
fold_stat() {
	awk -v what="$2" -v arg="${3:-}" -v scope="${4:-}" -v entries="${5:-}" \
		-v roots="$fold_roots" -v marks="$fold_marks" '
		BEGIN {
			ne = split(entries, e, ";")
			for (i = 1; i <= ne; i++)
				entry[e[i]] = 1
			if (what == "any") {
				na = split(arg, a, ";")
				for (i = 1; i <= na; i++)
					want[a[i]] = 1
			}
		}
		function rooted(   i) {
			if (fr[2] ~ marks)
				return 0
			for (i = k; i >= 2; i--)
				if (fr[i] ~ roots)
					return 1
			return fr[2] in entry || (k >= 3 && (fr[2] ">" fr[3]) in entry)
		}
		{
			c = $NF
			st = $0
			sub(/ [0-9]+$/, "", st)
			k = split(st, fr, ";")
			# fr[1] is "[tid N]"
			if (scope ~ /^tid=/ && fr[1] != "[tid " substr(scope, 5) "]")
				next
			if (scope ~ /^fn=/) {
				hit = 0
				for (i = 2; i <= k; i++)
					if (fr[i] == substr(scope, 4)) { hit = 1; break }
				if (!hit)
					next
			}
			total += c
			yes = 0
			if (what == "cum") {
				for (i = 2; i <= k; i++)
					if (fr[i] == arg) { yes = 1; break }
			} else if (what == "any") {
				for (i = 2; i <= k; i++)
					if (fr[i] in want) { yes = 1; break }
			} else if (what == "root") {
				yes = rooted()
			} else if (what == "outer") {
				yes = k >= 2 && fr[2] ~ arg
			} else if (what == "stop" && !rooted()) {
				for (i = 2; i < k && fr[i] ~ marks; i++)
					;
				yes = fr[i] ~ arg
			}
			if (yes)
				n += c
		}
		END { if (total > 0) printf "%.2f\n", 100 * n / total }' "$1"
}

# fold_samples FILE [SCOPE]: how many samples FILE holds in SCOPE (as in
# fold_stat).
fold_samples() {
	awk -v scope="${2:-}" '
		{
			st = $0
			sub(/ [0-9]+$/, "", st)
			if (scope ~ /^tid=/ && index(st, "[tid " substr(scope, 5) "];") != 1)
				next
			if (scope ~ /^fn=/ && index(st ";", ";" substr(scope, 4) ";") == 0)
				next
			total += $NF
		}
		END { print total + 0 }' "$1"
}

# fold_busiest FILE: the thread with the most samples in FILE.
fold_busiest() {
	awk '
		{
			t = $0
			sub(/;.*/, "", t)
			gsub(/[^0-9]/, "", t)
			n[t] += $NF
		}
		END {
			for (t in n)
				if (n[t] > best) { best = n[t]; tid = t }
			print tid
		}' "$1"
}

# The functions a walk that stops at a stack switch ends in (the bug of
# issue 18).
fold_switches='^(runtime\.(systemstack|mcall|morestack|morestack_noctxt|asmcgocall|cgocall|nanotime1)|time\.now|__vdso_.*|\[vdso\])$'

# fold_entries FILE: where goroutines start, as perf sees them: the frame
# just inside runtime.goexit; or, when that is a stack switch, the switch
# and the frame it called, as "SWITCH>CALLEE" (a frame-pointer walk misses
# the caller of a function that has no frame, such as runtime.systemstack:
# gcBgMarkWorker's stacks read goexit, systemstack, gcBgMarkWorker.func2).
# ";"-separated: fold_stat's ENTRIES for a profile from profctl, which
# drops runtime.goexit.
fold_entries() {
	awk -v switches="$fold_switches" '
		{
			st = $0
			sub(/ [0-9]+$/, "", st)
			k = split(st, fr, ";")
			if (k < 3 || fr[2] != "runtime.goexit")
				next
			x = fr[3]
			if (x ~ switches) {
				if (k < 4)
					next
				x = x ">" fr[4]
			}
			if (!(x in seen)) {
				seen[x] = 1
				out = out (out == "" ? "" : ";") x
			}
		}
		END { print out }' "$1"
}
