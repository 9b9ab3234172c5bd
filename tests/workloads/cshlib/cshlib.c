// SPDX-License-Identifier: GPL-2.0-only
/*
 * cshlib - a C program with frame pointers that spends most of its time in
 * a shared library of its own (libcshlib_hot.so, cshlib_hot.c), found
 * next to it through its rpath ($ORIGIN). One thread, for SECONDS
 * (default: until killed):
 *
 *	lib_hot     70%: in the shared library, called through the PLT
 *	local_warm  30%: in the executable
 *
 * Both do the same integer work, 7 units against 3, in rounds well under a
 * sampling period (see cburn.c), so the split does not depend on the
 * machine's speed. Built -O1 -fno-omit-frame-pointer
 * -mno-omit-leaf-frame-pointer, not stripped; GCC 12 omits the frame of a
 * leaf at -O1 all the same, so neither designed function is a leaf.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "cshlib.h"

static volatile uint64_t sink;

/* Stores the result out of line, so that local_warm is no leaf. */
static __attribute__((noinline)) void local_store(uint64_t x)
{
	sink += x;
}

__attribute__((noinline)) void local_warm(int units);
__attribute__((noinline)) void local_warm(int units)
{
	uint64_t x = sink | 1;

	for (int i = 0; i < units * 500; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	local_store(x);
}

int main(int argc, char **argv)
{
	time_t end = argc > 1 ? time(NULL) + atoi(argv[1]) : 0;

	while (!end || time(NULL) < end) {
		lib_hot(7);
		local_warm(3);
	}
	return 0;
}
