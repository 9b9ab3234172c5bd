// SPDX-License-Identifier: GPL-2.0-only

// The cgo fixture: Go calling C, built with -linkmode=external by
// scripts/go-fixtures, so the system linker lays out .text (C runtime
// first) and the Go text no longer starts at .text's start. The inlined
// chain lives in work.go, a plain Go file; this file, which cgo rewrites,
// has one inlined call of its own (scale), because Go 1.15 and 1.19 get
// the DWARF call lines in such files wrong (scripts/go-oracle).
package main

// #cgo CFLAGS: -O0 -fno-omit-frame-pointer
// #include "burn.h"
import "C"

import "os"

func scale(x uint64) uint64 { return x>>4 + 1 }

func main() {
	n := 1000
	if len(os.Args) > 1 {
		n = 1
	}
	report(n, scale(uint64(C.burn(C.int(n)))))
}
