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
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

type node struct {
	left, right *node
	val         [4]uint64
}

var (
	ring  [4096]*node
	slot  int
	sink  uint64
	clock syscall.Timespec
)

// rng is a xorshift generator for round lengths.
var rng uint64 = 88172645463325252

// nextRound is the next round's length: uniform from half to one and a
// half base. Rounds of one length, a near multiple of a profiler's
// sampling period, would let its samples fall at the same few offsets
// into every round, and each profiler would see its own biased split.
func nextRound(base int64) int64 {
	rng ^= rng << 13
	rng ^= rng >> 7
	rng ^= rng << 17
	return base/2 + int64(rng%uint64(base))
}

// threadCPU is the calling thread's CPU time in nanoseconds (the worker is
// locked to its thread). A raw system call: no vdso, no stack switch.
func threadCPU() int64 {
	const clockThreadCPUTimeID = 3
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID,
		uintptr(unsafe.Pointer(&clock)), 0)
	return clock.Nano()
}

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
	end := threadCPU() + budget
	for {
		for i := 0; i < 16; i++ {
			ring[slot] = tree(3, uint64(slot))
			slot = (slot + 1) % len(ring)
		}
		if threadCPU() >= end {
			return
		}
	}
}

//go:noinline
func compute(budget int64) {
	end := threadCPU() + budget
	x := sink | 1
	for {
		for i := 0; i < 20000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if threadCPU() >= end {
			break
		}
	}
	sink += x
}

//go:noinline
func worker(round int64) {
	runtime.LockOSThread()
	for {
		r := nextRound(round)
		allocate(r * 6 / 10)
		compute(r * 4 / 10)
	}
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	round := flag.Duration("round", 10*time.Millisecond, "one round of the two functions, in thread CPU time")
	flag.Parse()

	fmt.Printf("allocgc pid %d\n", os.Getpid())
	go worker(int64(*round))
	if *duration > 0 {
		time.Sleep(*duration)
		return
	}
	select {}
}
