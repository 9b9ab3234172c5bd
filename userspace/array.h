/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * array.h - the one growth rule for the collector's arrays: capacity
 * doubles (from a small start), sizes are checked for overflow, and a
 * failure leaves the array as it was.
 */
#ifndef PROFCTL_ARRAY_H
#define PROFCTL_ARRAY_H

#include <stddef.h>

/*
 * Makes room for @more elements of @elem bytes after the @n in use in
 * *@arrayp, whose capacity is *@cap elements. 0, or -ENOMEM (the array
 * and *@cap unchanged).
 */
int array_grow(void *arrayp, size_t *cap, size_t n, size_t more, size_t elem);

#endif /* PROFCTL_ARRAY_H */
