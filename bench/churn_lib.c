// SPDX-License-Identifier: GPL-2.0-only
/*
 * churn_lib.c - the shared objects the churn soak's processes map
 * (bench/churn.c): built 20 times, once per CHURN_LIB_ID, into
 * build/bench/churn-libs/libchurnNN.so, so that each is a distinct file
 * with a build ID of its own. Built -fPIC with frame pointers in every
 * function, like the C workloads.
 */
#include <stdint.h>

#ifndef CHURN_LIB_ID
#error "build with -DCHURN_LIB_ID=NN"
#endif

#define CHURN_STR2(x)	#x
#define CHURN_STR(x)	CHURN_STR2(x)

/* Differs between the 20 builds, so no two files have the same bytes. */
const char churn_lib_name[] = "libchurn" CHURN_STR(CHURN_LIB_ID);

static volatile uint64_t churn_lib_sink;

/* Out of line, so that churn_lib_work is no leaf. */
static __attribute__((noinline)) void churn_lib_store(uint64_t x)
{
	churn_lib_sink += x;
}

/* @rounds of a xorshift: what a process samples as "its" work. */
void churn_lib_work(unsigned int rounds);
void churn_lib_work(unsigned int rounds)
{
	uint64_t x = churn_lib_sink | 1;

	for (unsigned int i = 0; i < rounds; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	churn_lib_store(x);
}
