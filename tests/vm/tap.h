/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h - TAP output for the C programs the guest tests run. One program,
 * one stream: check() numbers the points, tap_plan() ends the stream.
 */
#ifndef KSAMPLER_TESTS_TAP_H
#define KSAMPLER_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int test_n, test_failed;

__attribute__((format(printf, 2, 3)))
static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	test_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", test_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		test_failed++;
}

/* Prints the plan; returns the exit status for main(). */
static int tap_plan(void)
{
	printf("1..%d\n", test_n);
	return test_failed ? 1 : 0;
}

#endif /* KSAMPLER_TESTS_TAP_H */
