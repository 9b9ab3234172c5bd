// SPDX-License-Identifier: GPL-2.0-only

// timenow reads the clock in a hot loop, as Go services do around every
// request, so that its profile is full of the runtime's stack switches
// around the vdso: time.now and runtime.nanotime1 move SP to the g0 stack
// before they call __vdso_clock_gettime (issue 18). Under QEMU's HPET the
// vdso falls back to a system call, so the samples are in the kernel too.
//
// One goroutine, locked to its OS thread (the only busy thread of the
// process), runs rounds of 5 to 15 ms (-round 10ms, at random, so that no
// round is in step with a sampling period) split by wall clock, so what a
// clock read costs does not move the split:
//
//	main.nowLoop    40%: time.Now() again and again
//	main.sinceLoop  30%: time.Since() again and again
//	main.compute    30%: integer work, the clock read every 1000 steps
//
// Each designed function is go:noinline: perf shows no inlined frames, and
// pprof and perf must name the same ones. Runs for -duration (0: until
// killed); prints its pid.
package main

import (
	"flag"
	"runtime"
	"time"

	"ksampler.test/wl"
)

var sink uint64

// nowLoop checks its time with one time.Time.Sub per four clock reads: Sub
// is a frameless leaf, whose caller a frame-pointer walk misses (perf's,
// where profctl's leaf fix-up restores it).
//
//go:noinline
func nowLoop(d time.Duration) {
	start := time.Now()
	for {
		time.Now()
		time.Now()
		time.Now()
		if time.Now().Sub(start) >= d {
			return
		}
	}
}

//go:noinline
func sinceLoop(d time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
	}
}

// compute's clock reads are a few percent of its time: its share stays
// with it, only fewer of its samples are in the vdso.
//
//go:noinline
func compute(d time.Duration) {
	start := time.Now()
	x := sink | 1
	for {
		for i := 0; i < 1000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		if time.Since(start) >= d {
			break
		}
	}
	sink += x
}

//go:noinline
func worker(round time.Duration) {
	runtime.LockOSThread()
	for {
		r := time.Duration(wl.NextRound(int64(round)))
		nowLoop(r * 4 / 10)
		sinceLoop(r * 3 / 10)
		compute(r * 3 / 10)
	}
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	round := flag.Duration("round", 10*time.Millisecond, "one round of the three functions")
	flag.Parse()

	go worker(*round)
	wl.Serve("timenow", *duration)
}
