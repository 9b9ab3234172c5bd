// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sample.h"

_Static_assert(sizeof(struct ksampler_sample) == KSAMPLER_SAMPLE_FIXED_SIZE,
	       "ksampler_sample layout drifted from ABI 1.1");
_Static_assert(offsetof(struct ksampler_sample, ips) ==
	       KSAMPLER_SAMPLE_FIXED_SIZE,
	       "ksampler_sample frames moved from ABI 1.1");
_Static_assert(KSAMPLER_SAMPLE_PROC_START_SIZE ==
	       KSAMPLER_SAMPLE_FIXED_SIZE + sizeof(__u64),
	       "proc_start_ns is one word before the frames (ABI 1.6)");
_Static_assert(sizeof(struct ksampler_lost) == KSAMPLER_LOST_SIZE,
	       "ksampler_lost layout drifted from ABI 1.1");

int sample_decode(const struct ksampler_record_header *rec, struct sample *out)
{
	const struct ksampler_sample *s = (const void *)rec;
	/* with proc_start_ns, the frames start one word later (ABI 1.6) */
	uint32_t fixed = rec->flags & KSAMPLER_SAMPLE_PROC_START ?
			 KSAMPLER_SAMPLE_PROC_START_SIZE :
			 KSAMPLER_SAMPLE_FIXED_SIZE;

	if (rec->type != KSAMPLER_RECORD_SAMPLE || rec->size < fixed)
		return -EBADMSG;
	if (s->nr_frames < 1 || s->nr_frames > KSAMPLER_MAX_FRAMES ||
	    rec->size != fixed + s->nr_frames * 8u)
		return -EBADMSG;
	out->time_ns = s->time_ns;
	out->pid = s->pid;
	out->tid = s->tid;
	out->cpu = s->cpu;
	out->flags = rec->flags;
	out->nr_frames = s->nr_frames;
	out->exec_gen = s->exec_gen;
	out->user_ip = s->user_ip;
	out->user_sp = s->user_sp;
	out->user_bp = s->user_bp;
	out->sp_word = s->sp_word;
	memcpy(out->comm, s->comm, sizeof(s->comm));
	out->comm[sizeof(s->comm)] = '\0';
	out->proc_start_ns = fixed == KSAMPLER_SAMPLE_PROC_START_SIZE ?
			     s->ips[0] : 0;
	out->ips = (const __u64 *)((const char *)rec + fixed);
	return 0;
}

int lost_decode(const struct ksampler_record_header *rec, uint32_t *reason,
		uint64_t *count)
{
	const struct ksampler_lost *l = (const void *)rec;

	if (rec->type != KSAMPLER_RECORD_LOST || rec->size != KSAMPLER_LOST_SIZE ||
	    !l->reason || l->reason >= KSAMPLER_LOST_MAX)
		return -EBADMSG;
	*reason = l->reason;
	*count = l->count;
	return 0;
}

enum sample_stop sample_stop(const struct sample *s)
{
	/* one reason per sample: the module sets at most one of these */
	if (s->flags & KSAMPLER_SAMPLE_COMPAT)
		return SAMPLE_STOP_COMPAT;
	if (s->flags & KSAMPLER_SAMPLE_TRUNCATED)
		return SAMPLE_STOP_TRUNCATED;
	if (s->flags & KSAMPLER_SAMPLE_FAULT)
		return SAMPLE_STOP_FAULT;
	if (s->flags & KSAMPLER_SAMPLE_BAD_FRAME)
		return SAMPLE_STOP_BAD_FRAME;
	if (s->flags & KSAMPLER_SAMPLE_LOOP)
		return SAMPLE_STOP_LOOP;
	if (s->flags & KSAMPLER_SAMPLE_SWITCH_LIMIT)
		return SAMPLE_STOP_SWITCH_LIMIT;
	return SAMPLE_STOP_NONE;
}

const char *sample_stop_name(enum sample_stop stop)
{
	static const char *const names[SAMPLE_STOP_MAX] = {
		[SAMPLE_STOP_NONE] = "",
		[SAMPLE_STOP_TRUNCATED] = "[truncated]",
		[SAMPLE_STOP_FAULT] = "[unwind stopped: unreadable frame]",
		[SAMPLE_STOP_BAD_FRAME] = "[unwind stopped: bad frame pointer]",
		[SAMPLE_STOP_LOOP] = "[unwind stopped: loop]",
		[SAMPLE_STOP_SWITCH_LIMIT] = "[unwind stopped: too many stack switches]",
		[SAMPLE_STOP_COMPAT] = "[unwind stopped: 32-bit task]",
		[SAMPLE_STOP_NOT_CODE] = "[unwind stopped: return address outside code]",
	};

	return (unsigned int)stop < SAMPLE_STOP_MAX ? names[stop] :
						      "[unwind stopped]";
}
