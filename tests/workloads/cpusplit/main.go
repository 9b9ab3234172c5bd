// SPDX-License-Identifier: GPL-2.0-only

// cpusplit burns CPU in a known split, so a profile of it can be checked
// against the design:
//
//	thread 1: main.alpha 60%, main.beta 40% of one CPU
//	thread 2: main.gamma 100% of one CPU
//	thread 3: main.delta 100% of one CPU, started -late after launch
//	          (a thread the profiler did not see at start)
//
// Each worker is locked to its own OS thread. It prints its pid, then runs
// for -duration (0: until killed). With -exec-after DUR, it then execs the
// command given after the flags, in the same process (a profiler must tell
// the two images apart).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

// sink keeps the compiler from discarding the work.
var sink [4]uint64

// spin does a fixed amount of integer work; units scale it linearly. It is
// small enough to be inlined, so each worker below is itself the frameless
// leaf that burns the CPU (and carries spin as an inlined frame).
func spin(seed uint64, units int) uint64 {
	x := seed | 1
	for i := 0; i < units*20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

//go:noinline
func alpha(units int) { sink[0] += spin(sink[0], units) }

//go:noinline
func beta(units int) { sink[1] += spin(sink[1], units) }

//go:noinline
func gamma(units int) { sink[2] += spin(sink[2], units) }

//go:noinline
func delta(units int) { sink[3] += spin(sink[3], units) }

func worker(body func()) {
	runtime.LockOSThread()
	for {
		body()
	}
}

func main() {
	duration := flag.Duration("duration", 0, "run time (0: until killed)")
	late := flag.Duration("late", 0, "start the delta thread after this long (0: never)")
	execAfter := flag.Duration("exec-after", 0, "exec the command after the flags after this long")
	flag.Parse()

	fmt.Printf("cpusplit pid %d\n", os.Getpid())
	go worker(func() { alpha(6); beta(4) })
	go worker(func() { gamma(10) })
	if *late > 0 {
		go func() {
			time.Sleep(*late)
			worker(func() { delta(10) })
		}()
	}
	if *execAfter > 0 && flag.NArg() > 0 {
		time.Sleep(*execAfter)
		err := syscall.Exec(flag.Arg(0), flag.Args(), os.Environ())
		fmt.Fprintf(os.Stderr, "cpusplit: exec %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	if *duration > 0 {
		time.Sleep(*duration)
		return
	}
	select {}
}
