// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "sample.h"

_Static_assert(sizeof(struct ksampler_sample) == KSAMPLER_SAMPLE_FIXED_SIZE,
	       "ksampler_sample layout drifted from ABI 1.1");
_Static_assert(sizeof(struct ksampler_lost) == KSAMPLER_LOST_SIZE,
	       "ksampler_lost layout drifted from ABI 1.1");

int sample_decode(const struct ksampler_record_header *rec, struct sample *out)
{
	const struct ksampler_sample *s = (const void *)rec;

	if (rec->type != KSAMPLER_RECORD_SAMPLE ||
	    rec->size < KSAMPLER_SAMPLE_FIXED_SIZE)
		return -EBADMSG;
	if (s->nr_frames < 1 || s->nr_frames > KSAMPLER_MAX_FRAMES ||
	    rec->size != KSAMPLER_SAMPLE_FIXED_SIZE + s->nr_frames * 8u)
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
	out->ips = s->ips;
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
