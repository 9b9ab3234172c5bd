/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * render.h - writes aggregated stacks out as a profile: symbolized
 * locations into pprof, or folded stacks (one line per distinct stack).
 *
 * Losses are data: each counted loss reason becomes a synthetic sample
 * whose only frame is "[lost: <reason>]", so a profile's total equals what
 * the kernel fired for the targets, and a comment records the accounting.
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
};

/* The loss reason's frame name, e.g. "[lost: ring full]". */
const char *render_lost_name(uint32_t reason);

/* Writes a gzipped pprof CPU profile to @fd. 0 or -errno. */
int render_pprof(const struct stack_table *t, struct symbolizer *sym,
		 const struct render_params *p, int fd);

/* Writes folded stacks ("comm;root;...;leaf count") to @out. 0 or -errno. */
int render_collapsed(const struct stack_table *t, struct symbolizer *sym,
		     const struct render_params *p, FILE *out);

#endif /* PROFCTL_RENDER_H */
