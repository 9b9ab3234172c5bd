/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sample.h - decodes and validates the records the rings deliver. Nothing
 * downstream reads a raw record: a record that lies about its own size
 * is refused here, whole.
 */
#ifndef PROFCTL_SAMPLE_H
#define PROFCTL_SAMPLE_H

#include <stdint.h>

#include <ksampler_uapi.h>

/* A SAMPLE record, validated; @ips points into the record. */
struct sample {
	uint64_t time_ns;
	uint32_t pid, tid, cpu;
	uint16_t flags;			/* KSAMPLER_SAMPLE_* */
	uint16_t nr_frames;
	uint16_t exec_gen;		/* changes at each exec (ABI 1.2) */
	uint64_t user_ip, user_sp, user_bp, sp_word;
	char comm[17];			/* NUL-terminated */
	const __u64 *ips;		/* nr_frames, leaf first (in the record) */
};

/* 0, or -EBADMSG when @rec is not a well-formed SAMPLE. */
int sample_decode(const struct ksampler_record_header *rec, struct sample *out);

/* 0, or -EBADMSG when @rec is not a well-formed LOST record. */
int lost_decode(const struct ksampler_record_header *rec, uint32_t *reason,
		uint64_t *count);

#endif /* PROFCTL_SAMPLE_H */
