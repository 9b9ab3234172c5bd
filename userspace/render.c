// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "pprof.h"
#include "render.h"

const char *render_lost_name(uint32_t reason)
{
	switch (reason) {
	case KSAMPLER_LOST_RING_FULL:
		return "[lost: ring full]";
	case KSAMPLER_LOST_NESTED:
		return "[lost: nested interrupt]";
	case STACKS_LOST_TABLE_FULL:
		return "[lost: stack table full]";
	default:
		return "[lost: unknown]";
	}
}

/*
 * The address to look up for frame @i: the leaf as is, return addresses
 * moved back into their call (else a call at the end of a function, to
 * one that never returns, names the next function).
 */
static uint64_t render_pc(const uint64_t *ips, uint32_t i)
{
	return i ? ips[i] - 1 : ips[i];
}

/*
 * Distinct stacks share most of their frames: each (process, address) is
 * symbolized once, and later stacks reuse the result from this cache.
 */
struct render_key {
	uint64_t pid;
	uint64_t pc;
};

struct pprof_ctx {
	struct pprof *prof;
	struct symbolizer *sym;
	struct hashmap *done;		/* render_key -> location id */
	int pid;
	uint64_t *locs;
	int err;
};

static uint64_t render_location(struct pprof_ctx *c, int pid, uint64_t pc)
{
	struct render_key key = { (uint64_t)pid, pc };
	struct pprof_mapping pm = { 0 };
	struct pprof_line line = { 0 };
	struct frame_info f;
	uint64_t mapping = 0, *cached, id;

	cached = hashmap__find(c->done, &key, sizeof(key));
	if (cached)
		return *cached;
	symbolizer__resolve(c->sym, pid, pc, &f);
	if (f.map) {
		pm.start = f.map->start;
		pm.limit = f.map->end;
		pm.offset = f.map->offset;
		pm.file = f.map->path;
		pm.build_id = f.build_id;
		pm.has_functions = f.has_symbols;
		mapping = pprof__mapping(c->prof, &pm);
	}
	line.function = f.function;
	id = pprof__location(c->prof, mapping, pc, &line, 1);
	if (id && !hashmap__add(c->done, &key, sizeof(key), id, NULL))
		return 0;
	return id;
}

static int render_pprof_entry(const struct stack_entry *e, void *ctx)
{
	struct pprof_ctx *c = ctx;
	const struct pprof_label labels[] = {
		{ .key = "pid", .num = e->pid },
		{ .key = "tid", .num = e->tid },
		{ .key = "thread_name", .str = e->comm },
		{ .key = "comm", .str = symbolizer__comm(c->sym, (int)e->pid) },
	};
	uint32_t i;

	if (c->pid && (int)e->pid != c->pid)
		return 0;
	for (i = 0; i < e->nr_frames; i++) {
		c->locs[i] = render_location(c, (int)e->pid, render_pc(e->ips, i));
		if (!c->locs[i])
			return c->err = -ENOMEM;
	}
	c->err = pprof__sample(c->prof, c->locs, e->nr_frames, (int64_t)e->count,
			       labels, 4);
	return c->err;
}

/* One synthetic sample per loss reason with a count. */
static int render_losses(struct pprof *prof, const struct stack_table *t)
{
	struct pprof_line line = { 0 };
	uint64_t loc;
	uint32_t r;
	int err;

	for (r = 1; r < STACKS_LOST_MAX; r++) {
		if (!stack_table__lost(t, r))
			continue;
		line.function = render_lost_name(r);
		loc = pprof__location(prof, 0, r, &line, 1);
		if (!loc)
			return -ENOMEM;
		err = pprof__sample(prof, &loc, 1, (int64_t)stack_table__lost(t, r),
				    NULL, 0);
		if (err)
			return err;
	}
	return 0;
}

int render_pprof(const struct stack_table *t, struct symbolizer *sym,
		 const struct render_params *p, int fd)
{
	struct pprof_params pp = {
		.time_nanos = p->start_wall_ns,
		.duration_nanos = p->duration_ns,
		.period_ns = p->frequency ? (int64_t)(1000000000ULL / p->frequency) : 0,
	};
	struct pprof_ctx c = { .sym = sym, .pid = p->pid };
	int err = -ENOMEM;

	c.prof = pprof__new(&pp);
	c.done = hashmap__new();
	c.locs = malloc(KSAMPLER_MAX_FRAMES * sizeof(uint64_t));
	if (!c.prof || !c.done || !c.locs)
		goto out;
	err = stack_table__for_each(t, render_pprof_entry, &c);
	if (!err && !p->pid)
		err = render_losses(c.prof, t);
	if (!err && p->comment)
		err = pprof__comment(c.prof, p->comment);
	if (!err)
		err = pprof__write(c.prof, fd);
out:
	free(c.locs);
	hashmap__free(c.done);
	pprof__free(c.prof);
	return err;
}

struct collapsed_ctx {
	struct symbolizer *sym;
	FILE *out;
	int pid;
	struct hashmap *done;	/* render_key -> name (NULL: unresolved) */
};

/* The function at @pc of @pid, or NULL; resolved once per pair. */
static const char *render_name(struct collapsed_ctx *c, int pid, uint64_t pc)
{
	struct render_key key = { (uint64_t)pid, pc };
	uint64_t *cached = hashmap__find(c->done, &key, sizeof(key));
	struct frame_info f;

	if (cached)
		return (const char *)(uintptr_t)*cached;
	/* names live as long as the symbolizer's files */
	symbolizer__resolve(c->sym, pid, pc, &f);
	hashmap__add(c->done, &key, sizeof(key), (uintptr_t)f.function, NULL);
	return f.function;
}

static int render_collapsed_entry(const struct stack_entry *e, void *ctx)
{
	struct collapsed_ctx *c = ctx;
	const char *name;
	uint32_t i;

	if (c->pid && (int)e->pid != c->pid)
		return 0;
	fputs(e->comm, c->out);
	for (i = e->nr_frames; i-- > 0;) {
		uint64_t pc = render_pc(e->ips, i);

		name = render_name(c, (int)e->pid, pc);
		if (name)
			fprintf(c->out, ";%s", name);
		else
			fprintf(c->out, ";0x%" PRIx64, pc);
	}
	fprintf(c->out, " %" PRIu64 "\n", e->count);
	return ferror(c->out) ? -EIO : 0;
}

int render_collapsed(const struct stack_table *t, struct symbolizer *sym,
		     const struct render_params *p, FILE *out)
{
	struct collapsed_ctx c = { sym, out, p->pid, hashmap__new() };
	uint32_t r;
	int err;

	if (!c.done)
		return -ENOMEM;
	err = stack_table__for_each(t, render_collapsed_entry, &c);
	hashmap__free(c.done);
	for (r = 1; !err && !p->pid && r < STACKS_LOST_MAX; r++)
		if (stack_table__lost(t, r))
			fprintf(out, "%s %" PRIu64 "\n", render_lost_name(r),
				stack_table__lost(t, r));
	if (!err && fflush(out))
		err = -errno;
	return err;
}
