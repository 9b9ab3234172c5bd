// SPDX-License-Identifier: GPL-2.0-only

// recurse burns CPU at the bottom of deep stacks, to check how a profiler
// deals with stacks deeper than it records. Two goroutines recurse through
// main.down, one 300 frames deep and one 600, and stay there, taking turns
// at the same work:
//
//	main.leaf300  50%: 300 main.down frames deep (about 305 frames in all)
//	main.leaf600  50%: 600 main.down frames deep (about 605 frames in all)
//
// GOMAXPROCS is 1 and nothing blocks in the kernel, so both run on one OS
// thread, the only busy one: the split is the program's, not the
// scheduler's (which profilers with per-CPU and per-thread events weigh
// differently). Turns last 2.5 to 7.5 ms of the process's CPU time
// (CLOCK_PROCESS_CPUTIME_ID), the same random sequence for both, so that no
// turn is in step with a sampling period; a goroutine ends its turn with
// runtime.Gosched, and the other's begins. Profiled with --max-frames 512,
// every leaf300 stack reaches its root (runtime.goexit) and no leaf600
// stack can: those are the truncated ones. -depth1 and -depth2 change the
// depths. The designed functions are go:noinline and framed, so perf and
// pprof name the same frames. Runs for -duration (0: until killed); prints
// its pid.
package main

import (
	"flag"
	"runtime"

	"ksampler.test/wl"
)

var (
	sink [2]uint64
)

// down adds one framed call per level and calls leaf at the bottom.
//
//go:noinline
func down(level int, leaf func()) {
	if level > 0 {
		down(level-1, leaf)
		return
	}
	leaf()
}

// turns does goroutine i's turns for good: integer work until its turn's
// CPU time is spent, then runtime.Gosched. Each goroutine draws its turns
// from its own xorshift generator, seeded alike: the same turns for both.
func turns(i int) {
	rng := wl.Seed
	x := sink[i] | 1
	for {
		end := wl.ProcessCPU() + 2500000 + int64(rng.Next()%5000000)
		for wl.ProcessCPU() < end {
			for j := 0; j < 20000; j++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
			}
			sink[i] += x
		}
		runtime.Gosched()
	}
}

//go:noinline
func leaf300() { turns(0) }

//go:noinline
func leaf600() { turns(1) }

//go:noinline
func worker(depth int, leaf func()) {
	down(depth, leaf)
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	depth1 := flag.Int("depth1", 300, "main.down frames above main.leaf300")
	depth2 := flag.Int("depth2", 600, "main.down frames above main.leaf600")
	flag.Parse()

	runtime.GOMAXPROCS(1)
	go worker(*depth1, leaf300)
	go worker(*depth2, leaf600)
	wl.Serve("recurse", *duration)
}
