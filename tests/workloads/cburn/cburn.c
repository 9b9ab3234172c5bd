// SPDX-License-Identifier: GPL-2.0-only
/*
 * cburn - a C program with frame pointers and a known CPU split: one
 * thread spending 75% in c_hot and 25% in c_warm, for SECONDS (default:
 * until killed). Built -O0 -fno-omit-frame-pointer (a frame in every
 * function, leaves too), not stripped: its
 * profile must resolve through .symtab.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

/*
 * One round of c_hot and c_warm lasts well under a sampling period (about
 * 0.1 ms in the emulator, 2 ms at 499 Hz), so timer jitter spreads the
 * samples over the whole round. A round of a few periods let samples fall
 * in step with it and land on one function more than its share.
 */
static __attribute__((noinline)) uint64_t c_units(uint64_t x, int units)
{
	for (int i = 0; i < units * 500; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

__attribute__((noinline)) void c_hot(void);
__attribute__((noinline)) void c_hot(void)
{
	sink += c_units(sink | 1, 3);
}

__attribute__((noinline)) void c_warm(void);
__attribute__((noinline)) void c_warm(void)
{
	sink += c_units(sink | 1, 1);
}

int main(int argc, char **argv)
{
	time_t end = argc > 1 ? time(NULL) + atoi(argv[1]) : 0;

	while (!end || time(NULL) < end) {
		c_hot();
		c_warm();
	}
	return 0;
}
