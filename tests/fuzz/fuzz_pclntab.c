// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the pclntab reader over an arbitrary image. The input
 * is the table itself, mapped at a fixed address, with the rest of the
 * input's bytes reachable through the image as "funcdata"; every layout
 * the header names is tried, and lookups spread over the covered range.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gopclntab.h"

#define FUZZ_BASE 0x400000ULL

struct fuzz_image {
	const uint8_t *data;
	size_t size;
};

static const uint8_t *fuzz_bytes(const void *ctx, uint64_t vaddr, uint64_t len)
{
	const struct fuzz_image *img = ctx;

	if (vaddr < FUZZ_BASE || vaddr - FUZZ_BASE > img->size ||
	    len > img->size - (vaddr - FUZZ_BASE))
		return NULL;
	return img->data + (vaddr - FUZZ_BASE);
}

static int fuzz_word(const void *ctx, uint64_t vaddr, uint64_t *value)
{
	const uint8_t *p = fuzz_bytes(ctx, vaddr, 8);

	if (!p)
		return -1;
	memcpy(value, p, 8);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_image img = { data, size };
	const struct go_image gi = { fuzz_bytes, fuzz_word, &img };
	struct gopclntab_params p = {
		.vaddr = FUZZ_BASE, .size = size, .gofunc = FUZZ_BASE,
		.go_minor = 15,
	};
	struct go_frame frames[8];
	struct gopclntab *t = gopclntab__open(&gi, &p);
	uint64_t start, end, pc, step, entry;
	int64_t delta;
	int n, i;

	if (!t)
		return 0;
	gopclntab__range(t, &start, &end);
	step = (end - start) / 64 + 1;
	for (pc = start; pc < end && pc >= start; pc += step) {
		n = gopclntab__lookup(t, pc, frames, 8, &entry);
		for (i = 0; i < n; i++)
			if (frames[i].function)
				(void)strlen(frames[i].function);
		gopclntab__sp_delta(t, pc, &delta);
	}
	gopclntab__close(t);
	return 0;
}
