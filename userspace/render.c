// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
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
	uint64_t image;		/* pid << 16 | exec generation */
	uint64_t start_ns;
	uint64_t pc;
};

/*
 * The cache is a bound, not a history: emptied when it holds this many
 * (a long session meets ever new processes).
 */
#define RENDER_MAX_CACHED	(256U * 1024)

/*
 * The main binary: the executable of the image with the most samples,
 * as far as the stacks added so far tell (see render_note_main()).
 */
struct render_main {
	uint64_t samples, image;	/* image: render_key's */
	struct pprof_mapping map;	/* strings owned */
};

struct render {
	enum render_format format;
	struct render_params params;
	struct symbolizer *sym;
	/* render_key -> pprof location id, or folded text; | RENDER_* */
	struct hashmap *done;
	struct hashmap *batch;		/* image, start -> samples, since the
					 * last render_note_main() */
	struct render_main main;
	uint64_t *locs;			/* one stack's; room for the stop frame */
	struct pprof *prof;		/* pprof */
	char **texts;			/* collapsed: what done points to */
	size_t nr_texts, cap_texts;
	char *text;			/* collapsed: the lines so far */
	size_t text_len, text_cap;
	int text_err;
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
static uint64_t render_stop_location(struct render *c, uint16_t stop)
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

static uint64_t render_location(struct render *c,
				const struct stack_entry *e, uint64_t pc)
{
	struct render_key key = { (uint64_t)e->pid << 16 | e->exec_gen,
				  e->start_ns, pc };
	struct pprof_line lines[SYMFILE_MAX_FRAMES];
	struct pprof_mapping pm;
	uint64_t mapping = 0, *cached, id;
	const struct sym_who who = { (int)e->pid, e->exec_gen, e->start_ns };
	struct frame_info f;
	int i;

	cached = hashmap__find(c->done, &key, sizeof(key));
	if (cached)
		return *cached;
	symbolizer__resolve(c->sym, &who, pc, &f);
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

static int render_pprof_entry(struct render *c, const struct stack_entry *e)
{
	const struct sym_who who = { (int)e->pid, e->exec_gen, e->start_ns };
	const struct pprof_label labels[] = {
		{ .key = "pid", .num = e->pid },
		{ .key = "tid", .num = e->tid },
		{ .key = "thread_name", .str = e->comm },
		{ .key = "comm", .str = symbolizer__comm(c->sym, &who) },
	};
	uint64_t image[2] = { (uint64_t)e->pid << 16 | e->exec_gen, e->start_ns };
	uint64_t *samples;
	uint32_t i, n;
	uint16_t stop;

	samples = hashmap__add(c->batch, image, sizeof(image), 0, NULL);
	if (!samples)
		return -ENOMEM;
	*samples += e->count;
	for (i = 0; i < e->nr_frames; i++) {
		c->locs[i] = render_location(c, e, render_pc(e->ips, i));
		if (!c->locs[i])
			return -ENOMEM;
	}
	n = render_trim(c->locs, e, &stop, c->params.stats);
	if (n > 1 && (c->locs[n - 1] & RENDER_DROP_ROOT))
		n--;
	for (i = 0; i < n; i++)
		c->locs[i] &= ~RENDER_FLAGS;
	if (stop) {
		c->locs[n] = render_stop_location(c, stop);
		if (!c->locs[n++])
			return -ENOMEM;
	}
	return pprof__sample(c->prof, c->locs, n, (int64_t)e->count, labels, 4);
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

/*
 * The folded text of @pc of @pid: its frames outermost first, joined by
 * ';' (inlined functions are frames of their own, as in pprof); NULL
 * when nothing resolves; its RENDER_* flags in @flags. Resolved once per
 * pair.
 */
static const char *render_name(struct render *c,
			       const struct stack_entry *e, uint64_t pc,
			       uint64_t *flags)
{
	struct render_key key = { (uint64_t)e->pid << 16 | e->exec_gen,
				  e->start_ns, pc };
	uint64_t *cached = hashmap__find(c->done, &key, sizeof(key));
	char *text = NULL;
	struct frame_info f;
	size_t size = 0;
	const struct sym_who who = { (int)e->pid, e->exec_gen, e->start_ns };
	FILE *mem;
	int i;

	if (cached) {
		*flags = *cached & RENDER_FLAGS;
		return (const char *)(uintptr_t)(*cached & ~RENDER_FLAGS);
	}
	symbolizer__resolve(c->sym, &who, pc, &f);
	*flags = render_flags(&f);
	if (f.nr_frames) {
		mem = open_memstream(&text, &size);
		for (i = f.nr_frames - 1; mem && i >= 0; i--)
			fprintf(mem, "%s%s", f.frames[i].function, i ? ";" : "");
		if (!mem || fclose(mem))
			return NULL;
		if (array_grow(&c->texts, &c->cap_texts, c->nr_texts, 1,
			       sizeof(c->texts[0]))) {
			free(text);
			return NULL;
		}
		c->texts[c->nr_texts++] = text;
	}
	hashmap__add(c->done, &key, sizeof(key), (uintptr_t)text | *flags, NULL);
	return text;
}

/*
 * Appends to the folded text, which grows by array_grow(), so that what it
 * holds is known (render__memory()). A failure sticks in text_err.
 */
static void __attribute__((format(printf, 2, 3)))
render_text(struct render *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || r->text_err ||
	    array_grow(&r->text, &r->text_cap, r->text_len, (size_t)n + 1, 1)) {
		r->text_err = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(r->text + r->text_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r->text_len += (size_t)n;
}

static int render_collapsed_entry(struct render *c, const struct stack_entry *e)
{
	const char *name;
	uint64_t flags;
	uint32_t i, n;
	uint16_t stop;

	for (i = 0; i < e->nr_frames; i++) {
		name = render_name(c, e, render_pc(e->ips, i), &flags);
		c->locs[i] = (uintptr_t)name | flags;
	}
	n = render_trim(c->locs, e, &stop, c->params.stats);
	render_text(c, "%s", e->comm);
	if (stop)
		render_text(c, ";%s", sample_stop_name(stop));
	for (i = n; i-- > 0;) {
		if ((c->locs[i] & RENDER_DROP_ROOT) && i == n - 1 && i)
			continue;
		name = (const char *)(uintptr_t)(c->locs[i] & ~RENDER_FLAGS);
		if (name)
			render_text(c, ";%s", name);
		else
			render_text(c, ";0x%" PRIx64, render_pc(e->ips, i));
	}
	render_text(c, " %" PRIu64 "\n", e->count);
	return c->text_err;
}

static void render_forget(struct render *r)
{
	hashmap__free(r->done);
	r->done = NULL;
	while (r->nr_texts)
		free(r->texts[--r->nr_texts]);
}

/* Takes the image of @key with @samples as the main one if it leads. */
static int render_lead(const void *key, size_t len, uint64_t samples, void *ctx)
{
	struct render *r = ctx;
	struct render_main *m = &r->main;
	uint64_t image[2];
	const struct sym_who *who;
	const struct map_entry *exe;
	struct frame_info f;
	char *file, *build_id;

	(void)len;
	memcpy(image, key, sizeof(image));
	if (samples < m->samples || (samples == m->samples && image[0] >= m->image))
		return 0;
	who = &(struct sym_who){ (int)(image[0] >> 16), (uint16_t)image[0], image[1] };
	if (symbolizer__exe_map(r->sym, who, &exe))
		return 0;	/* no executable known */
	/* its build id and what it can tell, as its samples' locations saw */
	symbolizer__resolve(r->sym, who, exe->start, &f);
	if (!f.map)
		return 0;
	file = strdup(f.map->path);
	build_id = f.build_id ? strdup(f.build_id) : NULL;
	if (!file || (f.build_id && !build_id)) {
		free(file);
		free(build_id);
		return 0;
	}
	free((char *)m->map.file);
	free((char *)m->map.build_id);
	render_mapping(&f, &m->map);
	m->map.file = file;
	m->map.build_id = build_id;
	m->samples = samples;
	m->image = image[0];
	return 0;
}

/*
 * Mapping 1 is the main binary: pprof titles the profile with it, and
 * -disasm, -list and merging take it for the program (else pprof guesses
 * the first mapping that is no library, which in order of first use is
 * whichever stack the walk met first). It is the executable of the
 * image with the most samples: in a process's own profile, its program
 * (the image that ran most, if it exec'ed); in a system-wide one, the
 * program a reader most likely came for. Equals go to the lowest pid and
 * generation, so that the choice is the same every time.
 *
 * The profile is built as processes exit, and an exited process is
 * forgotten: the stacks added since the last call hold all the samples
 * of their images, whose executables are looked up now, while the
 * symbolizer still knows them.
 */
void render__note_main(struct render *r)
{
	if (r->format == RENDER_PPROF)
		hashmap__for_each(r->batch, render_lead, r);
	hashmap__clear(r->batch);
	/* the batch's processes are gone: what was cached of them is dead */
	render_forget(r);
	r->done = hashmap__new();
}


void render__free(struct render *r)
{
	if (!r)
		return;
	render_forget(r);
	hashmap__free(r->batch);
	free((char *)r->main.map.file);
	free((char *)r->main.map.build_id);
	free(r->texts);
	free(r->locs);
	pprof__free(r->prof);
	free(r->text);
	free(r);
}

struct render *render__new(enum render_format format, struct symbolizer *sym,
			   const struct render_params *p)
{
	struct render *r = calloc(1, sizeof(*r));
	struct pprof_params pp = {
		.time_nanos = p->start_wall_ns,
		.duration_nanos = p->duration_ns,
		.period_ns = p->frequency ? (int64_t)(1000000000ULL / p->frequency) : 0,
	};

	if (!r)
		return NULL;
	r->format = format;
	r->params = *p;
	r->sym = sym;
	r->done = hashmap__new();
	r->batch = hashmap__new();
	r->locs = malloc((KSAMPLER_MAX_FRAMES + 1) * sizeof(uint64_t));
	if (format == RENDER_PPROF)
		r->prof = pprof__new(&pp);
	if (!r->done || !r->batch || !r->locs ||
	    (format == RENDER_PPROF && !r->prof)) {
		render__free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void render__set_span(struct render *r, int64_t start_wall_ns,
		      int64_t duration_ns)
{
	r->params.start_wall_ns = start_wall_ns;
	r->params.duration_ns = duration_ns;
	if (r->prof)
		pprof__set_span(r->prof, start_wall_ns, duration_ns);
}

size_t render__memory(const struct render *r)
{
	return r->prof ? pprof__memory(r->prof) : r->text_cap;
}

int render__add(struct render *r, const struct stack_entry *e)
{
	if (r->params.pid && (int)e->pid != r->params.pid)
		return 0;
	if (!r->done || hashmap__count(r->done) >= RENDER_MAX_CACHED) {
		render_forget(r);
		r->done = hashmap__new();
		if (!r->done)
			return -ENOMEM;
	}
	return r->format == RENDER_PPROF ? render_pprof_entry(r, e) :
					   render_collapsed_entry(r, e);
}

/* The losses as folded lines. */
static int render_collapsed_losses(struct render *r, const struct stack_table *t)
{
	uint32_t reason;

	for (reason = 1; reason < STACKS_LOST_MAX; reason++)
		if (stack_table__lost(t, reason))
			render_text(r, "%s %" PRIu64 "\n", render_lost_name(reason),
				    stack_table__lost(t, reason));
	return r->text_err;
}

/* Writes all of @buf to @fd: 0, or -errno. */
static int render_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int render__write(struct render *r, const struct stack_table *t, int fd)
{
	bool losses = t && !r->params.pid;
	int err = 0;

	if (r->format == RENDER_PPROF) {
		render__note_main(r);
		if (r->main.samples && !pprof__main_mapping(r->prof, &r->main.map))
			return -ENOMEM;
		if (losses)
			err = render_losses(r->prof, t);
		if (!err && r->params.comment)
			err = pprof__comment(r->prof, r->params.comment);
		return err ? err : pprof__write(r->prof, fd);
	}
	if (losses)
		err = render_collapsed_losses(r, t);
	return err ? err : render_write_all(fd, r->text, r->text_len);
}

/* Adds every entry of the table (for_each's callback). */
static int render_add_entry(const struct stack_entry *e, void *ctx)
{
	return render__add(ctx, e);
}

int render_table(enum render_format format, const struct stack_table *t,
		 struct symbolizer *sym, const struct render_params *p, int fd)
{
	struct render *r = render__new(format, sym, p);
	int err;

	if (!r)
		return -errno;
	err = stack_table__for_each(t, render_add_entry, r);
	if (!err)
		err = render__write(r, t, fd);
	render__free(r);
	return err;
}
