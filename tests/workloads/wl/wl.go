// SPDX-License-Identifier: GPL-2.0-only

// Package wl holds what the stack fidelity corpus's programs
// (tests/workloads: timenow, cgocall, allocgc, recurse, stackgrow) share:
// random round lengths and CPU clocks read without the vdso.
package wl

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// Xorshift is a xorshift generator; every program seeds it alike.
type Xorshift uint64

// Seed is where every generator starts.
const Seed Xorshift = 88172645463325252

// Next is the generator's next value.
func (x *Xorshift) Next() uint64 {
	*x ^= *x << 13
	*x ^= *x >> 7
	*x ^= *x << 17
	return uint64(*x)
}

// rounds draws the round lengths.
var rounds = Seed

// NextRound is the next round's length: uniform from half to one and a
// half base. Rounds of one length, a near multiple of a profiler's
// sampling period, would let its samples fall at the same few offsets
// into every round, and each profiler would see its own biased split.
func NextRound(base int64) int64 {
	return base/2 + int64(rounds.Next()%uint64(base))
}

var clock syscall.Timespec

func cpuTime(id uintptr) int64 {
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, id,
		uintptr(unsafe.Pointer(&clock)), 0)
	return clock.Nano()
}

// ThreadCPU is the calling thread's CPU time in nanoseconds (for a worker
// locked to its thread). A raw system call: no vdso, no stack switch.
func ThreadCPU() int64 {
	const clockThreadCPUTimeID = 3
	return cpuTime(clockThreadCPUTimeID)
}

// ProcessCPU is the process's CPU time in nanoseconds. A raw system call:
// no vdso and no stack switch of its own.
func ProcessCPU() int64 {
	const clockProcessCPUTimeID = 2
	return cpuTime(clockProcessCPUTimeID)
}

// Serve is what is left of main once the workers run: prints the
// program's pid, then returns after d, or never when d is 0.
func Serve(name string, d time.Duration) {
	fmt.Printf("%s pid %d\n", name, os.Getpid())
	if d > 0 {
		time.Sleep(d)
		return
	}
	select {}
}
