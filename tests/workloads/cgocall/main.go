// SPDX-License-Identifier: GPL-2.0-only

// cgocall spends a known share of its time in C called through cgo, where
// the runtime runs the C function on the g0 stack (runtime.asmcgocall), the
// system stack of a pthread, far from the goroutine's stack (issue 18).
//
// One goroutine, locked to its OS thread (the only busy thread of the
// process), runs rounds of 5 to 15 ms (-round 10ms, at random, so that no
// round is in step with a sampling period) split by wall clock:
//
//	main.viaC    40%: calls the C function c_spin through cgo, again and
//	                  again (c_spin: integer work, about 85% of main.viaC's
//	                  time under QEMU, the rest the cgo calls and the clock)
//	main.goOne   30%: integer work in Go
//	main.goTwo   30%: integer work in Go
//
// The C code has frame pointers in every function (-O1
// -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer; c_spin is no leaf,
// since GCC 12 omits leaf frames at -O1 all the same). The designed
// functions are go:noinline, so perf and pprof name the same frames. Needs
// CGO_ENABLED=1, gcc and CGO_CFLAGS_ALLOW=-mno-omit-leaf-frame-pointer
// (cgo's list of safe flags lacks it; the Makefile sets it). Runs for
// -duration (0: until killed); prints its pid.
package main

/*
#cgo CFLAGS: -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
#include <stdint.h>

static volatile uint64_t c_sink;

// c_store keeps c_spin from being a leaf (GCC omits a leaf's frame at -O1).
static __attribute__((noinline)) void c_store(uint64_t x)
{
	c_sink += x;
}

static __attribute__((noinline)) void c_spin(int steps)
{
	uint64_t x = c_sink | 1;

	for (int i = 0; i < steps; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	c_store(x);
}
*/
import "C"

import (
	"flag"
	"runtime"
	"time"

	"ksampler.test/wl"
)

var sink uint64

// cSteps is one call's work in C: about 100 us under QEMU, so the cgo call
// and the clock read between two calls are a small part of main.viaC.
var cSteps = flag.Int("c-steps", 20000, "xorshift steps per call of c_spin")

//go:noinline
func viaC(d time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
		C.c_spin(C.int(*cSteps))
	}
}

// goWork is the Go twin of c_spin; it is inlined into goOne and goTwo.
func goWork(steps int) {
	x := sink | 1
	for i := 0; i < steps; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink += x
}

//go:noinline
func goOne(d time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
		goWork(*cSteps)
	}
}

//go:noinline
func goTwo(d time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
		goWork(*cSteps)
	}
}

//go:noinline
func worker(round time.Duration) {
	runtime.LockOSThread()
	for {
		r := time.Duration(wl.NextRound(int64(round)))
		viaC(r * 4 / 10)
		goOne(r * 3 / 10)
		goTwo(r * 3 / 10)
	}
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	round := flag.Duration("round", 10*time.Millisecond, "one round of the three functions")
	flag.Parse()

	go worker(*round)
	wl.Serve("cgocall", *duration)
}
