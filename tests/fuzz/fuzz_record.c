// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: ring records as a hostile (or buggy) module could
 * write them, through profctl's own reader and decoder: the input is the
 * data area of one ring, its head the input's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "sample.h"

static int fuzz_on_record(const struct ksampler_record_header *rec,
			  unsigned int cpu, void *ctx)
{
	struct sample s;
	uint32_t reason;
	uint64_t count, *sum = ctx;
	uint16_t i;

	(void)cpu;
	if (!sample_decode(rec, &s))
		for (i = 0; i < s.nr_frames; i++)
			*sum += s.ips[i];
	else if (!lost_decode(rec, &reason, &count))
		*sum += count;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksampler_ring_ctrl ctrl;
	uint64_t sum = 0, data_size = 4096, head, tail;
	uint8_t *ring;

	/* the first 16 bytes choose head and tail, the rest fill the ring */
	if (size < 16)
		return 0;
	memcpy(&head, data, 8);
	memcpy(&tail, data + 8, 8);
	ring = calloc(1, data_size);
	if (!ring)
		return 0;
	memcpy(ring, data + 16, size - 16 < data_size ? size - 16 : data_size);
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.data_size = data_size;
	ctrl.data_head = head;
	ctrl.data_tail = tail;
	ring_drain_one(&ctrl, ring, data_size, 0, fuzz_on_record, &sum);
	free(ring);
	return 0;
}
