// SPDX-License-Identifier: GPL-2.0-only
/*
 * session_output.c - the session's profiles: the whole one, built as
 * processes exit and finished at the end, and with --per-process one
 * file each, written when the process is retired or the session ends.
 * Every file goes through output.h: whole at its path, or not at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../errors.h"
#include "../hashmap.h"
#include "../leaffix.h"
#include "../output.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "cli.h"
#include "session_int.h"

/* One process's own profile, while its stacks are being rendered. */
struct session_proc {
	struct sym_who who;		/* its latest image: names the file */
	struct render *render;
};

/* Writes @r to @path. 0 or -errno, having said which. */
static int session_write_render(struct render *r, const struct stack_table *t,
				const char *path)
{
	struct output *out;
	int err;

	err = output__open(path, &out);
	if (!err) {
		err = render__write(r, t, output__fd(out));
		if (err)
			output__abort(out);
		else
			err = output__commit(out);
	}
	if (err)
		fprintf(stderr, "profctl: cannot write %s: %s\n", path,
			profctl_strerror(err));
	return err;
}

/* @e's process's own profile, made on first use. NULL: out of memory. */
static struct session_proc *session_proc_get(struct session *s,
					     const struct stack_entry *e)
{
	const struct render_params rp = {
		.frequency = s->opts->freq, .start_wall_ns = (int64_t)s->start_wall,
		.pid = (int)e->pid,
	};
	int pid = (int)e->pid;
	uint64_t *slot = hashmap__find(s->procs, &pid, sizeof(pid));
	struct session_proc *p;

	if (slot)
		return (struct session_proc *)(uintptr_t)*slot;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->render = render__new(s->format, s->sym, &rp);
	if (!p->render ||
	    !hashmap__add(s->procs, &pid, sizeof(pid), (uintptr_t)p, NULL)) {
		render__free(p->render);
		free(p);
		return NULL;
	}
	p->who = (struct sym_who){ pid, e->exec_gen, e->start_ns };
	return p;
}

int session_render_entry(const struct stack_entry *e, void *ctx)
{
	struct session *s = ctx;
	struct session_proc *p;
	int err = render__add(s->profile, e);

	if (err || !s->procs)
		return err;
	p = session_proc_get(s, e);
	if (!p)
		return -ENOMEM;
	/* the file is named after the image that ran last */
	if (e->exec_gen > p->who.gen || e->start_ns > p->who.start_ns)
		p->who = (struct sym_who){ p->who.pid, e->exec_gen, e->start_ns };
	return render__add(p->render, e);
}

/* Writes one process's file, DIR/COMM-PID.EXT, and frees its render. */
static int session_write_proc(const void *key, size_t len, uint64_t value,
			      void *ctx)
{
	struct session_proc *p = (struct session_proc *)(uintptr_t)value;
	struct session *s = ctx;
	const char *ext = s->format == RENDER_PPROF ? "pb.gz" : "folded";
	const char *comm = symbolizer__comm(s->sym, &p->who);
	char path[4096], name[17], nth[24] = "";
	uint64_t *files;
	size_t i;

	(void)key;
	(void)len;
	/* a comm may hold anything but NUL: keep file names tame */
	snprintf(name, sizeof(name), "%s", *comm ? comm : "unknown");
	for (i = 0; name[i]; i++)
		if (name[i] == '/' || name[i] == ' ' || name[i] < 0x20)
			name[i] = '_';
	/* a pid reused in the session: COMM-PID-2, not over the first's file */
	files = hashmap__add(s->written, &p->who.pid, sizeof(p->who.pid), 0, NULL);
	if (files && ++*files > 1)
		snprintf(nth, sizeof(nth), "-%" PRIu64, *files);
	snprintf(path, sizeof(path), "%s/%s-%d%s.%s", s->opts->per_process, name,
		 p->who.pid, nth, ext);
	/* a process retired mid-session: the profile runs to now */
	render__set_span(p->render, (int64_t)s->start_wall,
			 (int64_t)(s->duration ? s->duration :
				   session_mono_ns() - s->start_mono));
	if (session_write_render(p->render, NULL, path))
		s->write_failed = true;
	render__free(p->render);
	free(p);
	return 1;
}

/* Writes and forgets the per-process profiles rendered so far. */
static void session_write_procs(struct session *s)
{
	if (s->procs)
		hashmap__remove_if(s->procs, session_write_proc, s);
}

void session_procs_free(struct session *s)
{
	session_write_procs(s);
	hashmap__free(s->procs);
	hashmap__free(s->written);
	s->procs = s->written = NULL;
}

static bool session_is_retiring(const struct session *s, uint32_t pid)
{
	int p = (int)pid;

	return hashmap__find(s->retiring, &p, sizeof(p));
}

/* Renders a retiring process's stack, and says to let it go. */
static int session_retire_entry(const struct stack_entry *e, void *ctx)
{
	struct session *s = ctx;

	if (!session_is_retiring(s, e->pid))
		return 0;
	/* out of memory: the stack is kept, and rendered at the end */
	return !session_render_entry(e, s);
}

static int session_retire_image(const void *key, size_t len, uint64_t value,
				void *ctx)
{
	uint64_t image;

	(void)len;
	(void)value;
	memcpy(&image, key, sizeof(image));
	return session_is_retiring(ctx, (uint32_t)(image >> 16));
}

void session_retire(struct session *s)
{
	s->retired += hashmap__count(s->retiring);
	stack_table__remove_if(s->stacks, session_retire_entry, s);
	render__note_main(s->profile);
	leaffix__forget(s->leaffix);
	hashmap__remove_if(s->images, session_retire_image, s);
	session_write_procs(s);
	hashmap__clear(s->retiring);
}

int session_write_all(struct session *s)
{
	const char *path = s->opts->output;
	int err;

	err = stack_table__for_each(s->stacks, session_render_entry, s);
	render__set_span(s->profile, (int64_t)s->start_wall, (int64_t)s->duration);
	if (err) {
		fprintf(stderr, "profctl: cannot write %s: %s\n", path,
			profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	session_write_procs(s);
	if (session_write_render(s->profile, s->stacks, path))
		return PROFCTL_EXIT_FAILURE;
	session_stacks_summary(&s->stats);
	fprintf(stderr, "profctl: wrote %s\n", strcmp(path, "-") ? path : "standard output");
	return s->write_failed ? PROFCTL_EXIT_FAILURE : PROFCTL_EXIT_OK;
}
