// SPDX-License-Identifier: GPL-2.0-only
/*
 * C code inside a Go binary: none of it is in the pclntab, and with
 * external linking the C runtime sits in .text before runtime.text.
 * -O0 keeps a frame in every function, leaves included (GCC 12 drops leaf
 * frames at -O1), so an FP unwinder walks from here back into Go.
 */
#include "burn.h"

static unsigned long burn_leaf(unsigned long x)
{
	return x * 2654435761u ^ (x >> 7);
}

unsigned long burn(int n)
{
	unsigned long s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += burn_leaf((unsigned long)i);
	return s;
}
