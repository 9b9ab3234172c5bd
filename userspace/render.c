// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
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
	uint64_t image;		/* render_image() */
	uint64_t pc;
};

/* Which image of which process: pid << 16 | exec generation. */
static uint64_t render_image(const struct stack_entry *e)
{
	return (uint64_t)e->pid << 16 | e->exec_gen;
}

struct pprof_ctx {
	struct pprof *prof;
	struct symbolizer *sym;
	struct hashmap *done;		/* render_key -> location id | RENDER_* */
	struct hashmap *images;		/* render_image() -> samples */
	int pid;
	uint64_t *locs;			/* room for the stop frame too */
	struct render_stats *stats;
	int err;
};

/*
 * Go's profiler leaves out the goroutine's root frame (runtime.goexit):
 * it says nothing, and would make every stack one frame deeper.
 */
static bool render_is_dropped_root(const struct frame_info *f)
{
	return f->nr_frames == 1 &&
	       !strcmp(f->frames[0].function, "runtime.goexit");
}

/*
 * The frames a thread starts in. Nothing lies beyond them: a chain that
 * goes on is following a stale frame pointer (a Go thread's runtime.mstart
 * inherits the BP its parent had at clone()), so the stack ends there.
 */
static bool render_is_root(const struct frame_info *f)
{
	static const char *const roots[] = {
		"runtime.goexit", "runtime.mstart", "runtime.rt0_go",
		"_start", "__libc_start_main", "__libc_start_call_main",
		"clone", "__clone", "clone3", "__clone3", "start_thread",
	};
	const char *fn;
	size_t i;

	if (!f->nr_frames)
		return false;
	fn = f->frames[f->nr_frames - 1].function;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(fn, roots[i]))
			return true;
	return false;
}

/*
 * C's main: its caller is the C library's start code, the main thread's
 * root, which a libc without symbols (Debian's ships none) cannot name,
 * and which keeps no frame pointer: what the chain holds past it is not
 * a frame.
 */
static bool render_is_c_main(const struct frame_info *f)
{
	return f->nr_frames && !strcmp(f->frames[f->nr_frames - 1].function, "main");
}

/* What a location's id carries beside it, in the caches. */
#define RENDER_DROP_ROOT	(1ULL << 63)	/* a root pprof leaves out */
#define RENDER_ROOT		(1ULL << 62)	/* a thread's root */
#define RENDER_NOT_CODE		(1ULL << 61)	/* in no code mapping */
#define RENDER_C_MAIN		(1ULL << 60)	/* C's main */
#define RENDER_FLAGS		(RENDER_DROP_ROOT | RENDER_ROOT | RENDER_NOT_CODE | \
				 RENDER_C_MAIN)

static uint64_t render_flags(const struct frame_info *f)
{
	return (render_is_dropped_root(f) ? RENDER_DROP_ROOT : 0) |
	       (render_is_root(f) ? RENDER_ROOT : 0) |
	       (render_is_c_main(f) ? RENDER_C_MAIN : 0) |
	       (f->map ? 0 : RENDER_NOT_CODE);
}

/*
 * How much of a stack to keep, given each frame's RENDER_* flags: up to
 * its thread's root, or C's main and the start code that called it
 * (either completes it), else up to the first return address outside
 * code when the leaf's process has known code (which stops it:
 * SAMPLE_STOP_NOT_CODE). Counts the stack in @stats.
 */
static uint32_t render_trim(const uint64_t *flags, const struct stack_entry *e,
			    uint16_t *stop, struct render_stats *stats)
{
	bool known = !(flags[0] & RENDER_NOT_CODE), root = false;
	uint32_t i, n = e->nr_frames;

	*stop = e->stop;
	for (i = 0; i < n; i++) {
		uint64_t fl = flags[i];

		if (fl & (RENDER_ROOT | RENDER_C_MAIN)) {
			/* and main's caller, unless it is no code at all */
			if ((fl & RENDER_C_MAIN) && i + 1 < n &&
			    !(known && (flags[i + 1] & RENDER_NOT_CODE)))
				i++;
			n = i + 1;
			*stop = SAMPLE_STOP_NONE;
			root = true;
			break;
		}
		if (i && known && (fl & RENDER_NOT_CODE)) {
			n = i;
			*stop = SAMPLE_STOP_NOT_CODE;
			break;
		}
	}
	if (stats) {
		stats->samples += e->count;
		if (*stop)
			stats->stopped[*stop] += e->count;
		else if (root)
			stats->roots += e->count;
	}
	return n;
}

/* The synthetic frame that ends a stack whose walk stopped early. */
static uint64_t render_stop_location(struct pprof_ctx *c, uint16_t stop)
{
	struct pprof_line line = { .function = sample_stop_name(stop) };

	/* addresses below any mapping, apart from the losses' (1..) */
	return pprof__location(c->prof, 0, 0x100 + stop, &line, 1);
}

/*
 * The mapping @f was found in, as pprof keeps it: with the file's build
 * id and identity, so that another file at the same path and addresses
 * (another container's, or the binary an upgrade replaced) is another
 * mapping, with its own locations and names.
 */
static void render_mapping(const struct frame_info *f, struct pprof_mapping *pm)
{
	*pm = (struct pprof_mapping){
		.start = f->map->start, .limit = f->map->end,
		.offset = f->map->offset, .file = f->map->path,
		.build_id = f->build_id,
		.dev = (uint64_t)f->map->dev_major << 32 | f->map->dev_minor,
		.inode = f->map->inode,
		.has_functions = f->caps.functions,
		.has_filenames = f->caps.filenames,
		.has_line_numbers = f->caps.line_numbers,
		.has_inline_frames = f->caps.inline_frames,
	};
}

static uint64_t render_location(struct pprof_ctx *c,
				const struct stack_entry *e, uint64_t pc)
{
	struct render_key key = { render_image(e), pc };
	struct pprof_line lines[SYMFILE_MAX_FRAMES];
	struct pprof_mapping pm;
	uint64_t mapping = 0, *cached, id;
	struct frame_info f;
	int i;

	cached = hashmap__find(c->done, &key, sizeof(key));
	if (cached)
		return *cached;
	symbolizer__resolve(c->sym, (int)e->pid, e->exec_gen, pc, &f);
	if (f.map) {
		render_mapping(&f, &pm);
		mapping = pprof__mapping(c->prof, &pm);
		if (!mapping)
			return 0;
	}
	memset(lines, 0, sizeof(lines));
	for (i = 0; i < f.nr_frames; i++) {
		lines[i].function = f.frames[i].function;
		lines[i].file = f.frames[i].file;
		lines[i].line = f.frames[i].line;
		lines[i].start_line = f.frames[i].start_line;
	}
	/* no symbol: one line without a function keeps the bare address */
	id = pprof__location(c->prof, mapping, pc, lines,
			     f.nr_frames ? (size_t)f.nr_frames : 1);
	if (id)
		id |= render_flags(&f);
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
		{ .key = "comm", .str = symbolizer__comm(c->sym, (int)e->pid,
						      e->exec_gen) },
	};
	uint64_t image = render_image(e), *samples;
	uint32_t i, n;
	uint16_t stop;

	if (c->pid && (int)e->pid != c->pid)
		return 0;
	samples = hashmap__add(c->images, &image, sizeof(image), 0, NULL);
	if (!samples)
		return c->err = -ENOMEM;
	*samples += e->count;
	for (i = 0; i < e->nr_frames; i++) {
		c->locs[i] = render_location(c, e, render_pc(e->ips, i));
		if (!c->locs[i])
			return c->err = -ENOMEM;
	}
	n = render_trim(c->locs, e, &stop, c->stats);
	if (n > 1 && (c->locs[n - 1] & RENDER_DROP_ROOT))
		n--;
	for (i = 0; i < n; i++)
		c->locs[i] &= ~RENDER_FLAGS;
	if (stop) {
		c->locs[n] = render_stop_location(c, stop);
		if (!c->locs[n++])
			return c->err = -ENOMEM;
	}
	c->err = pprof__sample(c->prof, c->locs, n, (int64_t)e->count,
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

/* The image with the most samples (the lowest of equals): its key in @ctx. */
static int render_hottest(const void *key, size_t len, uint64_t samples,
			  void *ctx)
{
	uint64_t *best = ctx, image;

	(void)len;
	memcpy(&image, key, sizeof(image));
	if (samples > best[1] || (samples == best[1] && image < best[0])) {
		best[0] = image;
		best[1] = samples;
	}
	return 0;
}

/*
 * Mapping 1 is the main binary: pprof titles the profile with it, and
 * -disasm, -list and merging take it for the program (else pprof guesses
 * the first mapping that is no library, which in order of first use is
 * whichever stack the walk met first). It is the executable of the
 * image with the most samples: in a process's own profile, its program
 * (the image that ran most, if it exec'ed); in a system-wide one, the
 * program a reader most likely came for. Equals go to the lowest pid
 * and generation, so that the choice is the same every time.
 */
static int render_main_mapping(struct pprof_ctx *c)
{
	uint64_t best[2] = { 0, 0 };	/* image, samples */
	const struct map_entry *exe;
	struct pprof_mapping pm;
	struct frame_info f;
	uint16_t gen;
	int pid;

	hashmap__for_each(c->images, render_hottest, best);
	pid = (int)(best[0] >> 16);
	gen = (uint16_t)best[0];
	if (!best[1] || symbolizer__exe_map(c->sym, pid, gen, &exe))
		return 0;	/* no executable known: pprof guesses */
	/* its build id and what it can tell, as its samples' locations saw */
	symbolizer__resolve(c->sym, pid, gen, exe->start, &f);
	if (!f.map)
		return 0;
	render_mapping(&f, &pm);
	return pprof__main_mapping(c->prof, &pm) ? 0 : -ENOMEM;
}

int render_pprof(const struct stack_table *t, struct symbolizer *sym,
		 const struct render_params *p, int fd)
{
	struct pprof_params pp = {
		.time_nanos = p->start_wall_ns,
		.duration_nanos = p->duration_ns,
		.period_ns = p->frequency ? (int64_t)(1000000000ULL / p->frequency) : 0,
	};
	struct pprof_ctx c = { .sym = sym, .pid = p->pid, .stats = p->stats };
	int err = -ENOMEM;

	c.prof = pprof__new(&pp);
	c.done = hashmap__new();
	c.images = hashmap__new();
	c.locs = malloc((KSAMPLER_MAX_FRAMES + 1) * sizeof(uint64_t));
	if (!c.prof || !c.done || !c.images || !c.locs)
		goto out;
	err = stack_table__for_each(t, render_pprof_entry, &c);
	if (!err)
		err = render_main_mapping(&c);
	if (!err && !p->pid)
		err = render_losses(c.prof, t);
	if (!err && p->comment)
		err = pprof__comment(c.prof, p->comment);
	if (!err)
		err = pprof__write(c.prof, fd);
out:
	free(c.locs);
	hashmap__free(c.images);
	hashmap__free(c.done);
	pprof__free(c.prof);
	return err;
}

struct collapsed_ctx {
	struct symbolizer *sym;
	FILE *out;
	int pid;
	struct render_stats *stats;
	struct hashmap *done;	/* render_key -> folded text | RENDER_* */
	char **texts;		/* what done points to, for freeing */
	size_t nr_texts, cap_texts;
	uint64_t *frames;	/* one entry's texts | RENDER_* */
};

/*
 * The folded text of @pc of @pid: its frames outermost first, joined by
 * ';' (inlined functions are frames of their own, as in pprof); NULL
 * when nothing resolves; its RENDER_* flags in @flags. Resolved once per
 * pair.
 */
static const char *render_name(struct collapsed_ctx *c,
			       const struct stack_entry *e, uint64_t pc,
			       uint64_t *flags)
{
	struct render_key key = { render_image(e), pc };
	uint64_t *cached = hashmap__find(c->done, &key, sizeof(key));
	char *text = NULL, **texts;
	struct frame_info f;
	size_t len = 0, size = 0;
	FILE *mem;
	int i;

	if (cached) {
		*flags = *cached & RENDER_FLAGS;
		return (const char *)(uintptr_t)(*cached & ~RENDER_FLAGS);
	}
	symbolizer__resolve(c->sym, (int)e->pid, e->exec_gen, pc, &f);
	*flags = render_flags(&f);
	if (f.nr_frames) {
		mem = open_memstream(&text, &size);
		for (i = f.nr_frames - 1; mem && i >= 0; i--)
			fprintf(mem, "%s%s", f.frames[i].function, i ? ";" : "");
		if (!mem || fclose(mem))
			return NULL;
		len = c->nr_texts == c->cap_texts ? (c->cap_texts ? 2 * c->cap_texts : 64) : 0;
		if (len) {
			texts = realloc(c->texts, len * sizeof(*texts));
			if (!texts) {
				free(text);
				return NULL;
			}
			c->texts = texts;
			c->cap_texts = len;
		}
		c->texts[c->nr_texts++] = text;
	}
	hashmap__add(c->done, &key, sizeof(key), (uintptr_t)text | *flags, NULL);
	return text;
}

static int render_collapsed_entry(const struct stack_entry *e, void *ctx)
{
	struct collapsed_ctx *c = ctx;
	const char *name;
	uint64_t flags;
	uint32_t i, n;
	uint16_t stop;

	if (c->pid && (int)e->pid != c->pid)
		return 0;
	for (i = 0; i < e->nr_frames; i++) {
		name = render_name(c, e, render_pc(e->ips, i), &flags);
		c->frames[i] = (uintptr_t)name | flags;
	}
	n = render_trim(c->frames, e, &stop, c->stats);
	fputs(e->comm, c->out);
	if (stop)
		fprintf(c->out, ";%s", sample_stop_name(stop));
	for (i = n; i-- > 0;) {
		if ((c->frames[i] & RENDER_DROP_ROOT) && i == n - 1 && i)
			continue;
		name = (const char *)(uintptr_t)(c->frames[i] & ~RENDER_FLAGS);
		if (name)
			fprintf(c->out, ";%s", name);
		else
			fprintf(c->out, ";0x%" PRIx64, render_pc(e->ips, i));
	}
	fprintf(c->out, " %" PRIu64 "\n", e->count);
	return ferror(c->out) ? -EIO : 0;
}

int render_collapsed(const struct stack_table *t, struct symbolizer *sym,
		     const struct render_params *p, FILE *out)
{
	struct collapsed_ctx c = {
		.sym = sym, .out = out, .pid = p->pid, .stats = p->stats,
		.done = hashmap__new(),
		.frames = malloc(KSAMPLER_MAX_FRAMES * sizeof(uint64_t)),
	};
	uint32_t r;
	int err = -ENOMEM;

	if (c.done && c.frames)
		err = stack_table__for_each(t, render_collapsed_entry, &c);
	free(c.frames);
	hashmap__free(c.done);
	while (c.nr_texts)
		free(c.texts[--c.nr_texts]);
	free(c.texts);
	for (r = 1; !err && !p->pid && r < STACKS_LOST_MAX; r++)
		if (stack_table__lost(t, r))
			fprintf(out, "%s %" PRIu64 "\n", render_lost_name(r),
				stack_table__lost(t, r));
	if (!err && fflush(out))
		err = -errno;
	return err;
}
