// SPDX-License-Identifier: GPL-2.0-only
/*
 * session_loop.c - the session's event loop, in three stages that never
 * wait on one another's slow parts:
 *
 *  - drain: records are copied out of the rings into a queue; a process
 *    image seen for the first time has its maps read (it may exit soon).
 *    Nothing is parsed here, so no file can stall draining.
 *  - process: queued samples get their leaf repaired (which reads the
 *    files it needs) and are counted into the stack table, for at most
 *    SESSION_PROCESS_NS a round; then files opened ahead are read, for
 *    at most SESSION_WORK_NS.
 *  - retire: every 5 s, processes that have exited are rendered into
 *    the profile and forgotten.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../array.h"
#include "../hashmap.h"
#include "../kdev.h"
#include "../leaffix.h"
#include "../ring.h"
#include "../sample.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "session_int.h"

#define SESSION_PROCESS_NS	(100ULL * 1000 * 1000)
#define SESSION_WORK_NS		(50ULL * 1000 * 1000)
#define SESSION_QUEUE_KEEP_BYTES	(1UL << 20)
#define SESSION_REAP_NS		(5000ULL * 1000 * 1000)

/* Set by SIGINT/SIGTERM: finish the session and write the profile. */
static volatile sig_atomic_t session_stop_requested;

/* Set by SIGUSR1: one status line (session_report()). */
static volatile sig_atomic_t session_report_requested;

static void session_on_signal(int sig)
{
	if (sig == SIGUSR1)
		session_report_requested = 1;
	else
		session_stop_requested = 1;
}

uint64_t session_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void session_queue_free(struct session_queue *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

/* Appends @rec: 0, or -ENOBUFS when the queue is full. */
static int session_queue_push(struct session_queue *q,
			      const struct ksampler_record_header *rec)
{
	if (q->head && q->head == q->len)
		q->head = q->len = 0;
	if (q->len - q->head + rec->size > SESSION_MAX_QUEUE_BYTES)
		return -ENOBUFS;
	if (q->head && q->len + rec->size > q->cap) {
		memmove(q->buf, q->buf + q->head, q->len - q->head);
		q->len -= q->head;
		q->head = 0;
	}
	if (array_grow(&q->buf, &q->cap, q->len, rec->size, 1))
		return -ENOBUFS;
	memcpy(q->buf + q->len, rec, rec->size);
	q->len += rec->size;
	return 0;
}

/*
 * The drain's callback: captures, and reads the maps of a process image
 * seen for the first time (a child, anyone in a system-wide session, or
 * a process that exec'ed), while it still runs that image.
 */
static int session_on_record(const struct ksampler_record_header *rec,
			     unsigned int cpu, void *ctx)
{
	struct session *s = ctx;
	uint64_t count, image[2];
	struct sym_who who;
	struct sample smp;
	uint32_t reason;

	(void)cpu;
	if (rec->type == KSAMPLER_RECORD_LOST) {
		if (lost_decode(rec, &reason, &count))
			s->bad_records++;
		else
			stack_table__add_lost(s->stacks, reason, count);
		return 0;
	}
	if (sample_decode(rec, &smp)) {
		s->bad_records++;
		return 0;
	}
	if (session_queue_push(&s->queue, rec))
		return -ENOBUFS;	/* left in its ring for the next round */
	image[0] = (uint64_t)smp.pid << 16 | smp.exec_gen;
	image[1] = smp.proc_start_ns;
	if (smp.pid && !hashmap__find(s->images, image, sizeof(image))) {
		hashmap__add(s->images, image, sizeof(image), 0, NULL);
		who = (struct sym_who){ (int)smp.pid, smp.exec_gen, smp.proc_start_ns };
		symbolizer__see(s->sym, &who);
	}
	return 0;
}

/* Repairs and counts queued samples, for at most @budget_ns. */
static void session_process(struct session *s, uint64_t budget_ns)
{
	struct session_queue *q = &s->queue;
	const struct ksampler_record_header *rec;
	uint64_t t0 = session_mono_ns();
	struct sample smp;
	unsigned int n = 0;

	while (q->head < q->len) {
		rec = (const void *)(q->buf + q->head);
		q->head += rec->size;
		if (sample_decode(rec, &smp))
			continue;	/* counted when drained */
		leaffix__apply(s->leaffix, &smp, s->fixed_ips);
		stack_table__add(s->stacks, &smp);
		if (!(++n % 256) && session_mono_ns() - t0 >= budget_ns)
			break;
	}
	/* a burst's room is given back once it is processed */
	if (q->head == q->len && q->cap > SESSION_QUEUE_KEEP_BYTES)
		session_queue_free(q);
}

/* One round of draining and processing: whether the rings had more. */
static bool session_drain(struct session *s)
{
	long n = ring_set__drain(s->rings, session_on_record, s);

	if (n == -EBADMSG)
		s->bad_records++;	/* a ring skipped to its head */
	session_process(s, SESSION_PROCESS_NS);
	return n == -ENOBUFS;
}

void session_drain_all(struct session *s)
{
	while (session_drain(s))
		;
	session_process(s, UINT64_MAX);
}

static void session_on_reaped(const struct sym_who *who, void *ctx)
{
	struct session *s = ctx;

	hashmap__add(s->retiring, &who->pid, sizeof(who->pid), 0, NULL);
}

/*
 * Renders and forgets the processes that have exited, once every sample
 * drained is counted (a process's last samples were queued before it
 * was found gone).
 */
static void session_reap(struct session *s)
{
	session_process(s, UINT64_MAX);
	if (symbolizer__reap(s->sym, session_on_reaped, s))
		session_retire(s);
	symbolizer__forget_reaped(s->sym);
}

uint64_t session_loop(struct session *s)
{
	struct pollfd fds[2] = {
		{ .fd = kdev__fd(s->dev), .events = POLLIN },
		{ .fd = s->opts->pid ? (int)syscall(SYS_pidfd_open, s->opts->pid, 0) : -1,
		  .events = POLLIN },
	};
	uint64_t t0 = session_mono_ns(), now = t0, last_status = 0, last_reap = t0;
	bool tty = isatty(STDERR_FILENO), more = false, reap_again = false;
	long n;

	s->start_mono = t0;
	signal(SIGINT, session_on_signal);
	signal(SIGTERM, session_on_signal);
	signal(SIGUSR1, session_on_signal);
	while (!session_stop_requested) {
		n = poll(fds, fds[1].fd >= 0 ? 2 : 1, more ? 0 : 100);
		more = session_drain(s);
		if (!more)
			symbolizer__work(s->sym, SESSION_WORK_NS);
		now = session_mono_ns();
		if (session_report_requested) {
			session_report_requested = 0;
			session_report(s, now - t0);
		}
		if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & POLLIN))
			break;		/* the target exited */
		if (s->opts->duration_ns && now - t0 >= s->opts->duration_ns)
			break;
		/* a second look one round later reports what the first found */
		if (reap_again || now - last_reap >= SESSION_REAP_NS) {
			session_reap(s);
			reap_again = !reap_again;
			last_reap = now;
		}
		if (tty && now - last_status >= 500000000ULL) {
			session_status(s, now - t0);
			last_status = now;
		}
	}
	if (tty)
		fprintf(stderr, "\r%60s\r", "");
	if (fds[1].fd >= 0)
		close(fds[1].fd);
	return now - t0;
}
