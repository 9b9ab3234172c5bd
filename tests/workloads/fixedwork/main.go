// SPDX-License-Identifier: GPL-2.0-only

// fixedwork does a fixed amount of CPU work on -threads OS threads, each
// -depth framed calls deep, and prints how long it took:
//
//	elapsed_ns 1234567890
//
// so a profiler's cost shows as extra time for the same work.
//
// With -wait-signal it starts its threads, prints "ready PID" and waits
// for SIGUSR1 before the work (and the clock) starts, so that a profiler
// can attach to the running process first, as it would to a live service.
//
// With -cpuprofile FILE it profiles itself with Go's own runtime/pprof at
// -cpuprofile-hz, from the release to the end of the work: the profiler a
// Go program gets for free, as the anchor a sampler from outside is
// measured against.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

var sink [64]uint64

//go:noinline
func spin(seed uint64, units int) uint64 {
	x := seed | 1
	for i := 0; i < units*20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// descend adds one framed call per level, then works in chunks so that
// samples land at the full depth.
//
//go:noinline
func descend(level int, units int, slot int) uint64 {
	if level == 0 {
		var x uint64
		for u := 0; u < units; u++ {
			x += spin(uint64(u+slot), 1)
		}
		return x
	}
	return descend(level-1, units, slot) + 1
}

func main() {
	threads := flag.Int("threads", 2, "OS threads doing the work")
	units := flag.Int("units", 2000, "work units per thread")
	depth := flag.Int("depth", 8, "framed calls between the thread's root and the work")
	waitSignal := flag.Bool("wait-signal", false, "print \"ready PID\", start on SIGUSR1")
	cpuprofile := flag.String("cpuprofile", "", "profile the work with runtime/pprof into this file")
	cpuprofileHz := flag.Int("cpuprofile-hz", 100, "runtime/pprof sampling rate")
	flag.Parse()

	var wg, ready sync.WaitGroup
	release := make(chan struct{})
	for t := 0; t < *threads; t++ {
		wg.Add(1)
		ready.Add(1)
		go func(slot int) {
			runtime.LockOSThread()
			ready.Done()
			<-release
			sink[slot%64] += descend(*depth, *units, slot)
			wg.Done()
		}(t)
	}
	ready.Wait()
	if *waitSignal {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGUSR1)
		fmt.Printf("ready %d\n", os.Getpid())
		<-sig
	}
	var prof *os.File
	if *cpuprofile != "" {
		var err error
		if prof, err = os.Create(*cpuprofile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// StartCPUProfile asks for 100 Hz; a rate set first wins (it
		// logs that it cannot change it, which is the point).
		runtime.SetCPUProfileRate(*cpuprofileHz)
		if err = pprof.StartCPUProfile(prof); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	start := time.Now()
	close(release)
	wg.Wait()
	elapsed := time.Since(start)
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	fmt.Printf("elapsed_ns %d\n", elapsed.Nanoseconds())
}
