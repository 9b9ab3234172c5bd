/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * render.h - writes aggregated stacks out as a profile: symbolized
 * locations into pprof, or folded stacks (one line per distinct stack).
 *
 * Losses are data: each counted loss reason becomes a synthetic sample
 * whose only frame is "[lost: <reason>]", so a profile's total equals what
 * the kernel fired for the targets, and a comment records the accounting.
 *
 * So are broken walks: a stack whose walk stopped early gets a synthetic
 * outermost frame saying why ("[truncated]", "[unwind stopped: loop]",
 * sample_stop_name()), so that a real root is never confused with the
 * place a walk gave up. A return address in none of the process's code
 * mappings is where a walk went astray (code without frame pointers left
 * data in the register): the stack ends before it, marked the same way.
 *
 * Each file is its own mapping, so that two builds at one path (two
 * containers', or a binary and its upgrade) keep their own names; and
 * mapping 1 is the profile's main binary: the process's executable, or
 * in a system-wide profile that of the process with the most samples.
 */
#ifndef PROFCTL_RENDER_H
#define PROFCTL_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "stacks.h"
#include "symbolize.h"

struct render_params {
	uint64_t frequency;		/* Hz: period = 1e9 / frequency */
	int64_t start_wall_ns;		/* session start, CLOCK_REALTIME */
	int64_t duration_ns;
	const char *comment;		/* accounting summary, or NULL */
	int pid;			/* only this process's samples; 0: all
					 * (and then the losses too) */
	struct render_stats *stats;	/* out, or NULL */
};

/* What the written stacks looked like, in samples. */
struct render_stats {
	uint64_t samples;		/* stacks' samples, losses not included */
	uint64_t roots;			/* whose outermost frame is a thread's
					 * root: runtime.goexit, runtime.mstart,
					 * _start, clone, clone3, start_thread,
					 * or the caller of C's main */
	uint64_t stopped[SAMPLE_STOP_MAX];	/* by reason; [0] unused */
};

/* The loss reason's frame name, e.g. "[lost: ring full]". */
const char *render_lost_name(uint32_t reason);

enum render_format {
	RENDER_PPROF,		/* a gzipped pprof CPU profile */
	RENDER_COLLAPSED,	/* folded stacks: "comm;root;...;leaf count" */
};

/*
 * A profile being built: stacks are added as they are done (a process
 * that has exited is rendered then, and its state let go), and the
 * whole is written at the end. Each stack is symbolized when added.
 */
struct render;

/* NULL with errno set. */
struct render *render__new(enum render_format format, struct symbolizer *sym,
			   const struct render_params *p);

/* Accepts NULL. */
void render__free(struct render *r);

/* The session's start and length, once known (they were in @p). */
void render__set_span(struct render *r, int64_t start_wall_ns,
		      int64_t duration_ns);

/*
 * Bytes the profile's content holds so far (pprof: its tables, an
 * estimate; folded: the text's buffer), not the caches beside it.
 */
size_t render__memory(const struct render *r);

/* Adds @e (unless the profile is another pid's). 0 or -errno. */
int render__add(struct render *r, const struct stack_entry *e);

/*
 * Takes note of the main binary among the processes whose stacks were
 * added since the last call, before they are forgotten: call it once all
 * of their stacks are in. render__write() does it for the rest. What was
 * cached of those processes is let go.
 */
void render__note_main(struct render *r);

/*
 * Writes the profile to @fd, with @t's losses when it is not one pid's
 * (@t may be NULL: no losses). 0 or -errno.
 */
int render__write(struct render *r, const struct stack_table *t, int fd);

/* All of @t at once: new, add each, write, free. 0 or -errno. */
int render_table(enum render_format format, const struct stack_table *t,
		 struct symbolizer *sym, const struct render_params *p, int fd);

#endif /* PROFCTL_RENDER_H */
