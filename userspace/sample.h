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
	uint64_t proc_start_ns;		/* process start, CLOCK_BOOTTIME; 0 when
					 * the record has none (ABI 1.6) */
	uint64_t user_ip, user_sp, user_bp, sp_word;
	char comm[17];			/* NUL-terminated */
	const __u64 *ips;		/* nr_frames, leaf first (in the record) */
};

/*
 * Why a sample's stack is not complete. The module says why its walk
 * stopped; the collector adds what only it can see (a return address in
 * no code mapping).
 */
enum sample_stop {
	SAMPLE_STOP_NONE,		/* the walk reached the outermost frame */
	SAMPLE_STOP_TRUNCATED,		/* deeper than max_frames */
	SAMPLE_STOP_FAULT,		/* a frame did not read */
	SAMPLE_STOP_BAD_FRAME,		/* misaligned or kernel frame pointer */
	SAMPLE_STOP_LOOP,		/* back into frames already walked */
	SAMPLE_STOP_SWITCH_LIMIT,	/* too many stack switches */
	SAMPLE_STOP_COMPAT,		/* a 32-bit task: the leaf only */
	SAMPLE_STOP_NOT_CODE,		/* a return address outside all code */
	SAMPLE_STOP_MAX,
};

/* The reason @s's walk stopped early, from its flags. */
enum sample_stop sample_stop(const struct sample *s);

/* The synthetic root frame's name, e.g. "[unwind stopped: loop]". */
const char *sample_stop_name(enum sample_stop stop);

/* 0, or -EBADMSG when @rec is not a well-formed SAMPLE. */
int sample_decode(const struct ksampler_record_header *rec, struct sample *out);

/* 0, or -EBADMSG when @rec is not a well-formed LOST record. */
int lost_decode(const struct ksampler_record_header *rec, uint32_t *reason,
		uint64_t *count);

#endif /* PROFCTL_SAMPLE_H */
