/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * leaffix.h - restores the caller that frame-pointer unwinding misses
 * when a sample lands in a Go function whose frame is not set up: a
 * frameless leaf (about a sixth of Go functions have no frame), or a
 * prologue or epilogue. The frame pointer then still belongs to the
 * caller, so the walk goes from the leaf straight to the caller's caller.
 *
 * The function's SP delta table (pcsp) says how far the stack pointer is
 * from its entry value at the sampled PC. At delta 0 the return address
 * is the word at SP, which the module records with every sample; it
 * becomes frame 1. Inside a prologue past its first push, the return
 * address is deeper in the stack than the module records: those samples
 * are counted as unrepairable and left as they are.
 *
 * Other code (the vdso, which Go calls on every time.Now(); C built with
 * frame pointers) has no such table, but its own prologue and epilogue
 * say the same at the three points that matter: delta 0 at its first
 * instruction and at a ret, 8 just after push %rbp (symfile__fp_delta()).
 */
#ifndef PROFCTL_LEAFFIX_H
#define PROFCTL_LEAFFIX_H

#include <stdint.h>

#include "sample.h"
#include "symbolize.h"

enum leaffix_verdict {
	LEAFFIX_FRAMED,		/* the frame is set up: the walk is right */
	LEAFFIX_INSERT,		/* insert the word at SP as the caller */
	LEAFFIX_UNREPAIRABLE,	/* the caller is missing; we cannot say it */
};

/*
 * The verdict for sample @s whose leaf is a Go function with SP delta
 * @sp_delta at the sampled PC (amd64 frame layout).
 */
enum leaffix_verdict leaffix_judge(const struct sample *s, int64_t sp_delta);

struct leaffix_stats {
	uint64_t go_leaves;	/* samples whose leaf is Go code */
	uint64_t repaired;	/* ... whose caller was restored */
	uint64_t unrepairable;	/* Go or not, whose caller is missing */
	uint64_t native_leaves;	/* samples at the entry, push %rbp or ret
				 * of other code (the vdso, C) */
	uint64_t native_repaired;
};

struct leaffix;

/* NULL with errno set. */
struct leaffix *leaffix__new(struct symbolizer *sym);

/* Accepts NULL. */
void leaffix__free(struct leaffix *lf);

/*
 * Repairs @s in place when its leaf needs it: @s->ips then points into
 * @buf (room for KSAMPLER_MAX_FRAMES), with the caller inserted (and the
 * outermost frame dropped if the stack was already at the maximum).
 */
void leaffix__apply(struct leaffix *lf, struct sample *s, __u64 *buf);

/* Forgets what was cached (processes that exited are of no more use). */
void leaffix__forget(struct leaffix *lf);

const struct leaffix_stats *leaffix__stats(const struct leaffix *lf);

#endif /* PROFCTL_LEAFFIX_H */
