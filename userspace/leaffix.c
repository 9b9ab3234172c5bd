// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "leaffix.h"

struct leaffix {
	struct symbolizer *sym;
	/*
	 * (image, pc) -> SP delta + 1 (| LEAFFIX_NATIVE outside Go), or 0
	 * for "unknown": samples repeat their leaf PCs, and the table walk
	 * is the costly part. Emptied when full: a bound, not a history.
	 */
	struct hashmap *deltas;
	struct leaffix_stats stats;
};

#define LEAFFIX_MAX_CACHED	65536

/* A frame pointer this far above SP is on another stack (the module's). */
#define LEAFFIX_SAME_STACK	(8ULL << 20)

enum leaffix_verdict leaffix_judge(const struct sample *s, int64_t sp_delta)
{
	if (sp_delta == 0)
		return (s->flags & KSAMPLER_SAMPLE_SP_WORD) ? LEAFFIX_INSERT :
							      LEAFFIX_UNREPAIRABLE;
	/*
	 * Both Go prologues (1.17-1.20: SUBQ; MOVQ BP; LEAQ, and 1.21 on:
	 * PUSHQ BP; MOVQ SP, BP; SUBQ) leave BP at SP + delta - 8 once
	 * the frame is set up; any other BP is still the caller's.
	 */
	if (sp_delta > 0 && s->user_bp == s->user_sp + (uint64_t)sp_delta - 8)
		return LEAFFIX_FRAMED;
	/*
	 * BP on another stack than SP: the function moved SP after its
	 * prologue (time.now and nanotime1 switch to g0 to call the vdso),
	 * so BP is its own frame, which the module's walk started from.
	 */
	if (sp_delta > 0 && (s->user_bp < s->user_sp ||
			     s->user_bp - s->user_sp > LEAFFIX_SAME_STACK))
		return LEAFFIX_FRAMED;
	return LEAFFIX_UNREPAIRABLE;
}

struct leaffix *leaffix__new(struct symbolizer *sym)
{
	struct leaffix *lf = calloc(1, sizeof(*lf));

	if (!lf)
		return NULL;
	lf->sym = sym;
	lf->deltas = hashmap__new();
	if (!lf->deltas) {
		free(lf);
		return NULL;
	}
	return lf;
}

void leaffix__free(struct leaffix *lf)
{
	if (!lf)
		return;
	hashmap__free(lf->deltas);
	free(lf);
}

#define LEAFFIX_NATIVE	(1ULL << 62)

/*
 * The SP delta at @pc of @s's process, from Go's tables, else (@native
 * set) from the frame-pointer prologue or epilogue of other code: 0, or
 * -ENOENT when neither can tell.
 */
static int leaffix_delta(struct leaffix *lf, const struct sample *s,
			 uint64_t pc, int64_t *delta, bool *native)
{
	uint64_t key[3] = { (uint64_t)s->pid << 16 | s->exec_gen,
			    s->proc_start_ns, pc }, *slot;
	const struct sym_who who = { (int)s->pid, s->exec_gen, s->proc_start_ns };
	struct hashmap *fresh;
	int err;

	slot = hashmap__find(lf->deltas, key, sizeof(key));
	if (!slot) {
		*native = false;
		err = symbolizer__sp_delta(lf->sym, &who, pc, delta);
		if (err) {
			*native = true;
			err = symbolizer__fp_delta(lf->sym, &who, pc, delta);
		}
		if (hashmap__count(lf->deltas) >= LEAFFIX_MAX_CACHED) {
			fresh = hashmap__new();
			if (fresh) {
				hashmap__free(lf->deltas);
				lf->deltas = fresh;
			}
		}
		/* a full map only costs the cache, never the answer */
		hashmap__add(lf->deltas, key, sizeof(key),
			     err ? 0 : ((uint64_t)*delta + 1) |
				       (*native ? LEAFFIX_NATIVE : 0), NULL);
		return err;
	}
	if (!*slot)
		return -ENOENT;
	*native = *slot & LEAFFIX_NATIVE;
	*delta = (int64_t)((*slot & ~LEAFFIX_NATIVE) - 1);
	return 0;
}

/*
 * Whether @word, the word at SP, is a return address: into Go code for a
 * Go leaf (the tables say so), into any code of the process otherwise.
 */
static bool leaffix_believe(struct leaffix *lf, const struct sample *s,
			    uint64_t word, bool native)
{
	const struct sym_who who = { (int)s->pid, s->exec_gen, s->proc_start_ns };
	struct frame_info f;
	int64_t delta;
	bool native_word;

	if (!word)
		return false;
	if (!leaffix_delta(lf, s, word - 1, &delta, &native_word) &&
	    !native_word)
		return true;		/* into Go code */
	if (!native)
		return false;
	symbolizer__resolve(lf->sym, &who, word - 1, &f);
	return f.map && f.nr_frames;
}

void leaffix__apply(struct leaffix *lf, struct sample *s, __u64 *buf)
{
	uint16_t n = s->nr_frames;
	int64_t delta;
	bool native;

	/* 32-bit processes lay their frames out otherwise */
	if (!n || (s->flags & KSAMPLER_SAMPLE_COMPAT) ||
	    leaffix_delta(lf, s, s->ips[0], &delta, &native))
		return;
	if (native)
		lf->stats.native_leaves++;
	else
		lf->stats.go_leaves++;
	switch (leaffix_judge(s, delta)) {
	case LEAFFIX_FRAMED:
		return;
	case LEAFFIX_UNREPAIRABLE:
		lf->stats.unrepairable++;
		return;
	case LEAFFIX_INSERT:
		if (leaffix_believe(lf, s, s->sp_word, native))
			break;
		lf->stats.unrepairable++;
		return;
	}
	if (n == KSAMPLER_MAX_FRAMES) {
		n--;
		s->flags |= KSAMPLER_SAMPLE_TRUNCATED;
	}
	buf[0] = s->ips[0];
	buf[1] = s->sp_word;
	memcpy(buf + 2, s->ips + 1, (size_t)(n - 1) * sizeof(*buf));
	s->ips = buf;
	s->nr_frames = n + 1;
	if (native)
		lf->stats.native_repaired++;
	else
		lf->stats.repaired++;
}

void leaffix__forget(struct leaffix *lf)
{
	hashmap__clear(lf->deltas);
}

const struct leaffix_stats *leaffix__stats(const struct leaffix *lf)
{
	return &lf->stats;
}
