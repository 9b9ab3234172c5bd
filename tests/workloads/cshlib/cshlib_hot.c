// SPDX-License-Identifier: GPL-2.0-only
/*
 * cshlib_hot.c - libcshlib_hot.so, the shared library cshlib.c spends 70%
 * of its time in. Built -fPIC with the executable's flags.
 */
#include <stdint.h>

#include "cshlib.h"

static volatile uint64_t lib_sink;

/* Stores the result out of line, so that lib_hot is no leaf. */
static __attribute__((noinline)) void lib_store(uint64_t x)
{
	lib_sink += x;
}

void lib_hot(int units)
{
	uint64_t x = lib_sink | 1;

	for (int i = 0; i < units * 500; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	lib_store(x);
}
