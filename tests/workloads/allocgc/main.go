// SPDX-License-Identifier: GPL-2.0-only

// allocgc allocates hard enough that the garbage collector and
// runtime.systemstack take a large share of its profile: mark assists run
// in the allocating goroutine on the g0 stack (mallocgc ->
// gcAssistAlloc -> systemstack), and the background mark workers are
// goroutines of their own that systemstack into gcDrain (issue 18).
//
// One goroutine, locked to its OS thread, runs rounds of 5 to 15 ms (-round
// 10ms, at random, so that no round is in step with a sampling period) of
// that thread's own CPU time (CLOCK_THREAD_CPUTIME_ID, so the thread's
// waits in the collector's stop-the-world phases do not move the split):
//
//	main.allocate  60%: builds small trees of pointers (with mark assists,
//	                    span refills and sweeping inside it), keeping a
//	                    ring of the last 4096 alive
//	main.compute   40%: integer work, no allocation
//
// of that thread's samples (the GC's own workers, on the other CPU, take
// a share of the whole process that depends on the machine).
// The designed functions are go:noinline, so perf and pprof name the same
// frames. Runs for -duration (0: until killed); prints its pid.
package main

import (
	"flag"
	"runtime"
	"time"

	"ksampler.test/wl"
)

type node struct {
	left, right *node
	val         [4]uint64
}

var (
	ring [4096]*node
	slot int
	sink uint64
)

//go:noinline
func tree(depth int, v uint64) *node {
	n := &node{}
	n.val[0] = v
	if depth > 0 {
		n.left = tree(depth-1, v*2)
		n.right = tree(depth-1, v*2+1)
	}
	return n
}

//go:noinline
func allocate(budget int64) {
	end := wl.ThreadCPU() + budget
	for {
		for i := 0; i < 16; i++ {
			ring[slot] = tree(3, uint64(slot))
			slot = (slot + 1) % len(ring)
		}
		if wl.ThreadCPU() >= end {
			return
		}
	}
}

//go:noinline
func compute(budget int64) {
	end := wl.ThreadCPU() + budget
	x := sink | 1
	for {
		for i := 0; i < 20000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if wl.ThreadCPU() >= end {
			break
		}
	}
	sink += x
}

//go:noinline
func worker(round int64) {
	runtime.LockOSThread()
	for {
		r := wl.NextRound(round)
		allocate(r * 6 / 10)
		compute(r * 4 / 10)
	}
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	round := flag.Duration("round", 10*time.Millisecond, "one round of the two functions, in thread CPU time")
	flag.Parse()

	go worker(int64(*round))
	wl.Serve("allocgc", *duration)
}
