// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"

#define ARRAY_MIN_CAP	16

int array_grow(void *arrayp, size_t *cap, size_t n, size_t more, size_t elem)
{
	void **array = arrayp;
	size_t want = *cap ? *cap : ARRAY_MIN_CAP;
	void *p;

	if (n > SIZE_MAX - more || !elem)
		return -ENOMEM;
	if (n + more <= *cap)
		return 0;
	while (want < n + more) {
		if (want > SIZE_MAX / 2)
			return -ENOMEM;
		want *= 2;
	}
	if (want > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*array, want * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = want;
	return 0;
}
