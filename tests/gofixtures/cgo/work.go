// SPDX-License-Identifier: GPL-2.0-only

package main

import "fmt"

// leaf -> mid -> outer inline into spin: four frames at a PC in leaf's
// body, as in the main fixture.
func leaf(x int) int { return x*x ^ (x >> 3) }

func mid(x int) int { return leaf(x+1) - x }

func outer(x int) int { return mid(x)*3 + 1 }

//go:noinline
func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += outer(i)
	}
	return s
}

//go:noinline
func report(n int, c uint64) {
	fmt.Println("gofixture-cgo", spin(n), c)
}
