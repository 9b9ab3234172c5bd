/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks.h - aggregates samples into counts per distinct (process and its
 * start time, exec generation, thread, thread name, stack, reason the walk
 * stopped), and
 * keeps the losses beside them, so that a profile's totals always match
 * what the kernel fired.
 *
 * Memory is bounded: once the table holds @max_bytes, samples of stacks
 * not yet seen are counted as lost (STACKS_LOST_TABLE_FULL), not dropped.
 */
#ifndef PROFCTL_STACKS_H
#define PROFCTL_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "sample.h"

/* Loss reasons: the kernel's (enum ksampler_lost_reason) and our own. */
enum {
	STACKS_LOST_TABLE_FULL = KSAMPLER_LOST_MAX,
	STACKS_LOST_MAX,			/* non-ABI */
};

struct stack_table;

/* One distinct stack with its count; valid during a for_each call. */
struct stack_entry {
	uint32_t pid, tid;
	uint16_t exec_gen;			/* which image of pid */
	uint64_t start_ns;			/* when pid started; 0: unknown */
	uint16_t stop;				/* enum sample_stop */
	const char *comm;			/* thread name */
	uint32_t nr_frames;
	const uint64_t *ips;			/* leaf first */
	uint64_t count;
};

/* NULL with errno set. */
struct stack_table *stack_table__new(size_t max_bytes);

/* Accepts NULL. */
void stack_table__free(struct stack_table *t);

/* Counts one sample. 0, or -ENOMEM (counted as lost). */
int stack_table__add(struct stack_table *t, const struct sample *s);

/* Counts @count samples lost for @reason (1 .. STACKS_LOST_MAX - 1). */
void stack_table__add_lost(struct stack_table *t, uint32_t reason,
			   uint64_t count);

uint64_t stack_table__lost(const struct stack_table *t, uint32_t reason);
uint64_t stack_table__samples(const struct stack_table *t);
size_t stack_table__unique(const struct stack_table *t);
size_t stack_table__memory(const struct stack_table *t);

typedef int (*stack_entry_fn)(const struct stack_entry *e, void *ctx);

/* Calls @fn for each distinct stack; a non-zero return stops the walk. */
int stack_table__for_each(const struct stack_table *t, stack_entry_fn fn,
			  void *ctx);

/*
 * Removes the stacks for which @fn returns non-zero (after the profile
 * has them): their memory is given back. The counts of samples and
 * losses stay. Returns how many were removed.
 */
size_t stack_table__remove_if(struct stack_table *t, stack_entry_fn fn,
			      void *ctx);

#endif /* PROFCTL_STACKS_H */
