// SPDX-License-Identifier: GPL-2.0-only

// stackgrow grows goroutine stacks again and again: a goroutine starts on
// a small stack, and main.grow's 4 KiB frames overflow it at every
// doubling, so the runtime's morestack switches to the g0 stack and
// newstack copies the stack to one twice the size (copystack), five times
// per goroutine (issue 18). Nothing is allocated on the heap, so the
// collector never runs and every new goroutine starts small again.
//
// GOMAXPROCS is 1 and nothing blocks in the kernel, so the starter and the
// goroutines it starts share one OS thread, the only busy one. It runs
// rounds of 5 to 15 ms (-round 10ms, at random, so that no round is in
// step with a sampling period) of the process's CPU time
// (CLOCK_PROCESS_CPUTIME_ID):
//
//	main.churn    60%: starts one goroutine at a time and waits for it;
//	                   each runs main.growOne -> main.grow, 40 frames deep,
//	                   and exits. Most of it is under main.growOne (its
//	                   growth with it: morestack, newstack, copystack),
//	                   not under main.churn: a goroutine's stack has its
//	                   own root (runtime.goexit); the rest is goroutine
//	                   start and exit in the scheduler.
//	main.compute  40%: integer work
//
// The process's other threads (sysmon) take a little of its CPU time, so
// main.compute is slightly over 40% of the busy thread. The designed
// functions are go:noinline, so perf and pprof name the same frames. Runs
// for -duration (0: until killed); prints its pid.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"ksampler.test/wl"
)

var (
	sink  [2]uint64
	depth int
	done  = make(chan struct{})
)

// grow takes a 4 KiB frame and touches it, one level per call.
//
//go:noinline
func grow(level int) uint64 {
	var buf [512]uint64
	buf[level%len(buf)] = uint64(level)
	if level == 0 {
		return buf[0]
	}
	return grow(level-1) + buf[(level*7)%len(buf)]
}

// growOne is a goroutine's whole life: no arguments, so the go statement
// allocates no closure (the heap stays still and the GC asleep).
//
//go:noinline
func growOne() {
	sink[0] += grow(depth)
	done <- struct{}{}
}

//go:noinline
func churn(budget int64) {
	end := wl.ProcessCPU() + budget
	for wl.ProcessCPU() < end {
		go growOne()
		<-done
	}
}

//go:noinline
func compute(budget int64) {
	end := wl.ProcessCPU() + budget
	x := sink[1] | 1
	for {
		for i := 0; i < 20000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if wl.ProcessCPU() >= end {
			break
		}
	}
	sink[1] += x
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	round := flag.Duration("round", 10*time.Millisecond, "one round of the two functions, in process CPU time")
	flag.IntVar(&depth, "depth", 40, "main.grow frames per goroutine (4 KiB each)")
	flag.Parse()

	fmt.Printf("stackgrow pid %d\n", os.Getpid())
	runtime.GOMAXPROCS(1)
	r := int64(*round)
	start := time.Now()
	for *duration == 0 || time.Since(start) < *duration {
		n := wl.NextRound(r)
		churn(n * 6 / 10)
		compute(n * 4 / 10)
	}
}
