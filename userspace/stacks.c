// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "stacks.h"

/* The key of a distinct stack: what a sample is aggregated by. */
struct stack_key {
	uint32_t pid, tid;
	uint64_t start_ns;
	char comm[16];
	uint32_t nr_frames;
	uint16_t exec_gen;
	uint16_t stop;			/* enum sample_stop */
	uint64_t ips[];
};

struct stack_table {
	struct hashmap *map;		/* stack_key -> count */
	size_t max_bytes;
	uint64_t samples;
	uint64_t lost[STACKS_LOST_MAX];
	struct stack_key *scratch;	/* room for the largest key */
};

struct stack_table *stack_table__new(size_t max_bytes)
{
	struct stack_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->map = hashmap__new();
	t->scratch = malloc(sizeof(*t->scratch) +
			    KSAMPLER_MAX_FRAMES * sizeof(uint64_t));
	if (!t->map || !t->scratch) {
		stack_table__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->max_bytes = max_bytes;
	return t;
}

void stack_table__free(struct stack_table *t)
{
	if (!t)
		return;
	hashmap__free(t->map);
	free(t->scratch);
	free(t);
}

int stack_table__add(struct stack_table *t, const struct sample *s)
{
	struct stack_key *k = t->scratch;
	size_t len = sizeof(*k) + s->nr_frames * sizeof(uint64_t);
	uint64_t *count;

	memset(k, 0, sizeof(*k));
	k->pid = s->pid;
	k->tid = s->tid;
	k->start_ns = s->proc_start_ns;
	memcpy(k->comm, s->comm, sizeof(k->comm));
	k->nr_frames = s->nr_frames;
	k->exec_gen = s->exec_gen;
	k->stop = (uint16_t)sample_stop(s);
	memcpy(k->ips, s->ips, s->nr_frames * sizeof(uint64_t));

	count = hashmap__find(t->map, k, len);
	if (!count && hashmap__memory_after_add(t->map, len) <= t->max_bytes)
		count = hashmap__add(t->map, k, len, 0, NULL);
	if (!count) {
		t->lost[STACKS_LOST_TABLE_FULL]++;
		return -ENOMEM;
	}
	++*count;
	t->samples++;
	return 0;
}

void stack_table__add_lost(struct stack_table *t, uint32_t reason,
			   uint64_t count)
{
	if (reason && reason < STACKS_LOST_MAX)
		t->lost[reason] += count;
}

uint64_t stack_table__lost(const struct stack_table *t, uint32_t reason)
{
	return reason < STACKS_LOST_MAX ? t->lost[reason] : 0;
}

uint64_t stack_table__samples(const struct stack_table *t)
{
	return t->samples;
}

size_t stack_table__unique(const struct stack_table *t)
{
	return hashmap__count(t->map);
}

size_t stack_table__memory(const struct stack_table *t)
{
	return hashmap__memory(t->map);
}

struct for_each_ctx {
	stack_entry_fn fn;
	void *ctx;
};

static int stack_table_visit(const void *key, size_t len, uint64_t value,
			     void *ctx)
{
	const struct for_each_ctx *c = ctx;
	struct stack_key k;
	struct stack_entry e;
	char comm[17];

	(void)len;
	/*
	 * Every key is a multiple of 8 bytes in one malloc'd arena, so ips
	 * are 8-byte aligned where they lie; the header is copied out only
	 * to give comm its terminator.
	 */
	memcpy(&k, key, sizeof(k));
	memcpy(comm, k.comm, sizeof(k.comm));
	comm[sizeof(k.comm)] = '\0';
	e.pid = k.pid;
	e.tid = k.tid;
	e.start_ns = k.start_ns;
	e.comm = comm;
	e.exec_gen = k.exec_gen;
	e.stop = k.stop;
	e.nr_frames = k.nr_frames;
	e.ips = (const uint64_t *)((const char *)key + sizeof(k));
	e.count = value;
	return c->fn(&e, c->ctx);
}

int stack_table__for_each(const struct stack_table *t, stack_entry_fn fn,
			  void *ctx)
{
	struct for_each_ctx c = { fn, ctx };

	return hashmap__for_each(t->map, stack_table_visit, &c);
}

size_t stack_table__remove_if(struct stack_table *t, stack_entry_fn fn,
			      void *ctx)
{
	struct for_each_ctx c = { fn, ctx };

	return hashmap__remove_if(t->map, stack_table_visit, &c);
}
