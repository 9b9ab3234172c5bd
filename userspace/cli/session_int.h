/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session_int.h - what the parts of a session share: session.c (open,
 * arm, run, free), session_loop.c (drain, process, retire),
 * session_output.c (render and write), session_report.c (what is said
 * on stderr). Not for the commands: they see session.h.
 */
#ifndef PROFCTL_CLI_SESSION_INT_H
#define PROFCTL_CLI_SESSION_INT_H

#include <stdint.h>

#include <ksampler_uapi.h>

#include "../render.h"
#include "session.h"

/*
 * Data pages per CPU ring, asked for explicitly: the module's default
 * (its ring_pages parameter) is an admin's choice and need not match.
 */
#define SESSION_RING_PAGES	64

/* The stack table's memory bound; past it, new stacks count as lost. */
#define SESSION_MAX_TABLE_BYTES	(256UL << 20)

/*
 * The drained records not processed yet. When it is full the drain
 * stops and the records wait in their rings (the kernel counts what
 * then overflows): it bounds memory, never loses silently.
 */
#define SESSION_MAX_QUEUE_BYTES	(32UL << 20)

struct session_queue {
	uint8_t *buf;			/* whole records, 8-byte aligned */
	size_t head, len, cap;		/* [head, len) not processed yet */
};

struct session {
	const struct session_opts *opts;
	struct kdev *dev;
	struct ksampler_version version;
	struct ring_set *rings;
	struct stack_table *stacks;
	struct symbolizer *sym;
	struct leaffix *leaffix;
	enum render_format format;
	struct render *profile;		/* the whole profile, built as
					 * processes exit and at the end */
	struct render_stats stats;	/* of the stacks in it */
	struct hashmap *images;		/* (pid, start, gen) seen */
	struct hashmap *retiring;	/* pids to render and forget now */
	struct hashmap *procs;		/* --per-process: pid -> its render */
	struct hashmap *written;	/* --per-process: pid -> files written */
	struct session_queue queue;
	__u64 fixed_ips[KSAMPLER_MAX_FRAMES];
	uint64_t bad_records;
	uint64_t retired;		/* processes rendered and forgotten */
	uint64_t start_wall, start_mono, duration;
	bool write_failed;		/* a per-process file could not be */
	char comment[256];
};

/* session_loop.c */

/*
 * Drains, processes and retires until the duration passes, a signal
 * arrives or the target (of a single-process session) exits. Returns
 * the session's wall duration.
 */
uint64_t session_loop(struct session *s);

/* CLOCK_MONOTONIC, ns. */
uint64_t session_mono_ns(void);

/* Drains the rings to the end and processes all (after STOP). */
void session_drain_all(struct session *s);

void session_queue_free(struct session_queue *q);

/* session_output.c */

/* Renders @e into the profile (and its process's): for_each's callback. */
int session_render_entry(const struct stack_entry *e, void *ctx);

/*
 * Renders the stacks of the processes in s->retiring into the profile,
 * writes their per-process files, and lets their stacks go.
 */
void session_retire(struct session *s);

/* Renders what is left and writes every profile. Returns an exit code. */
int session_write_all(struct session *s);

void session_procs_free(struct session *s);

/* session_report.c */

/* The summary of a finished session, and its accounting in s->comment. */
void session_summary(struct session *s, const struct ksampler_stats *st);

/* How whole the written stacks are. */
void session_stacks_summary(const struct render_stats *rs);

/*
 * On SIGUSR1, one line of what the session holds: the profile's data
 * (the stack table and the profile built so far, which may grow) apart
 * from the rest (which may not), for a script watching a long session
 * (bench/churn-guest.sh).
 */
void session_report(const struct session *s, uint64_t elapsed_ns);

/* The live status line on a terminal. */
void session_status(const struct session *s, uint64_t elapsed_ns);

#endif /* PROFCTL_CLI_SESSION_INT_H */
