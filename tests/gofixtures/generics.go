// SPDX-License-Identifier: GPL-2.0-only

//go:build go1.18
// +build go1.18

// Generic functions: their pclntab names carry "[...]" and their DWARF
// names the shape type ("go.shape.int"), and Sum's small helper inlines
// into the instantiation.
package main

type number interface {
	~int | ~int64 | ~float64
}

func double[T number](x T) T { return x + x }

//go:noinline
func Sum[T number](xs []T) T {
	var s T
	for _, x := range xs {
		s += double(x)
	}
	return s
}

//go:noinline
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

type pair[K comparable, V any] struct {
	k K
	v V
}

//go:noinline
func (p pair[K, V]) key() K { return p.k }

func init() {
	extra = append(extra, func() int {
		ints := Map([]float64{1.5, 2.5}, func(f float64) int { return int(f) })
		p := pair[string, int]{"k", Sum(ints)}
		return Sum(ints) + int(Sum([]float64{0.25, 0.75})) + len(p.key()) + p.v
	})
}
