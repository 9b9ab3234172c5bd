// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile_test - the structured attacks of issue 17 ("a group member can
 * crash, hang or widen a session"), each as its attacker would run it, in
 * the guest as root with the module loaded. Prints TAP.
 *
 *   hostile_test [SECONDS [SCENARIO...]]
 *                            SECONDS bounds each race (default 20); the
 *                            scenarios are named in scenarios[] below
 *   hostile_test --limits    the per-user limits, under a module loaded
 *                            with small ones
 *
 * Each scenario failed on the module before the hardening: a kernel BUG
 * (read() at a forged tail), an unkillable deadlock (GET_STATS and read()
 * copying under the session lock against mmap), a session widened to the
 * whole machine by an unprivileged user (ADD_TARGET racing the target's
 * reaping), an hrtimer storm (period with bit 63 set); and the findings
 * of the review that a test can reach. A hang is caught by running the
 * racing threads in a child and giving up on it after a deadline: the
 * child stays stuck, the failure is reported, and the run goes on.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>

#include "guest_session.h"

static long race_seconds = 20;
static long page_size;

#define SAMPLE_BP_OFF	48	/* offsetof(struct ksampler_sample, user_bp) */

/* Runs @fn in a child as nobody; returns its exit status, or -1. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (become_nobody(true))
			_exit(99);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Waits up to @seconds for @pid. Return: its exit status; -1 killed by a
 * signal; -2 still running after SIGKILL (stuck in the kernel: D state).
 */
static int wait_deadline(pid_t pid, long seconds)
{
	uint64_t end = now_ns() + seconds * 1000000000ULL;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (now_ns() > end)
			break;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	sleep_ms(2000);
	if (waitpid(pid, &status, WNOHANG) == pid)
		return -1;
	return -2;
}

/*
 * Runs @fn(@seconds) in a child and waits @seconds plus @grace for it.
 * Return: as wait_deadline().
 */
static int run_bounded(int (*fn)(long), long seconds, long grace)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(seconds));
	return wait_deadline(pid, seconds + grace);
}

static const char *hang_text(int rc)
{
	static char text[64];

	if (rc == -1)
		return "hung until SIGKILL";
	if (rc == -2)
		return "stuck in the kernel: SIGKILL did not end it";
	snprintf(text, sizeof(text), "exit status %d", rc);
	return text;
}

/* ---- 1. read() at a forged data_tail */

struct forged {
	uint64_t bp;		/* the word planted */
	uint64_t want_pos;	/* the position whose word overruns the end most */
	uint64_t overrun;	/* by how many bytes */
	uint64_t head, size;
	long candidates;
};

static void find_forged_word(struct forged *f,
			     const struct ksampler_ring_ctrl *ctrl,
			     const uint8_t *data)
{
	uint64_t pos = ctrl->data_tail, head = ctrl->data_head;

	f->head = head;
	f->size = ctrl->data_size;
	while (pos < head) {
		const struct ksampler_record_header *h =
			(const void *)(data + (pos & (f->size - 1)));
		const struct ksampler_sample *s = (const void *)h;
		uint64_t word = pos + SAMPLE_BP_OFF;
		uint64_t off = word & (f->size - 1);

		if (h->size < 8 || h->size > head - pos)
			break;
		/*
		 * The "record" read() would find at @word: a size the
		 * reader has in store (<= head - word) but running past
		 * the end of the buffer.
		 */
		if (h->type == KSAMPLER_RECORD_SAMPLE && s->user_bp == f->bp &&
		    f->bp <= head - word && off + f->bp > f->size) {
			f->candidates++;
			if (off + f->bp - f->size > f->overrun) {
				f->overrun = off + f->bp - f->size;
				f->want_pos = word;
			}
		}
		pos += h->size;
	}
}

static void scenario_forged_tail(void)
{
	struct session s;
	struct forged f = { 0 };
	struct ksampler_ring_ctrl *ctrl;
	const uint8_t *data;
	unsigned int cpu = 0;
	uint64_t t, bad_reads = 0, reads = 0;
	size_t len = 1 << 16;
	char *buf = malloc(len);
	cpu_set_t set;
	int fd, err;

	/* one CPU, so that one ring holds every sample */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	err = session_start_on(&s, getpid(), 10000, 4, 0);
	check(!err, "forged tail: a 10 kHz session on itself, 4-page rings (%s)",
	      strerror(-err));
	if (err) {
		free(buf);
		return;
	}
	fd = kdev__fd(s.dev);
	ctrl = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    KSAMPLER_MMAP_CTRL_PGOFF(cpu) * page_size);
	data = mmap(NULL, 4 * page_size, PROT_READ, MAP_SHARED, fd,
		    KSAMPLER_MMAP_DATA_PGOFF(cpu) * page_size);
	/*
	 * The planted word: three quarters of the ring, a size the reader
	 * has in store, which from the upper half of the buffer runs past
	 * its end by more than the guard page after it.
	 */
	f.bp = 3 * page_size;
	/*
	 * Records up to the middle of the buffer, consumed; then a lap that
	 * fills the ring, so the unread range starts mid-buffer and wraps:
	 * records in the upper half have half a ring unread after them.
	 */
	for (int i = 0; i < 1000 && ctrl->data_head < ctrl->data_size / 2; i++)
		burn_with_bp(f.bp, 200000);
	__atomic_store_n(&ctrl->data_tail, ctrl->data_head, __ATOMIC_RELEASE);
	for (int i = 0; i < 20 && !f.want_pos; i++) {
		burn_with_bp(f.bp, 20000000);
		memset(&f, 0, sizeof(f));
		f.bp = 3 * page_size;
		find_forged_word(&f, ctrl, data);
	}
	kdev__stop(s.dev);
	find_forged_word(&f, ctrl, data);
	check(f.want_pos != 0,
	      "forged tail: %ld records hold a planted size that crosses the buffer's end (by up to %llu bytes)",
	      f.candidates, (unsigned long long)f.overrun);

	/* The attack of the report: data_tail at the planted word. */
	t = ctrl->data_tail;
	if (f.want_pos) {
		__atomic_store_n(&ctrl->data_tail, f.want_pos, __ATOMIC_RELEASE);
		errno = 0;
		reads = read(fd, buf, len);
		check((long)reads == -1 && errno == EAGAIN &&
		      __atomic_load_n(&ctrl->data_tail, __ATOMIC_ACQUIRE) == f.head,
		      "forged tail: read() at a planted size past the end copies nothing and consumes the rest (got %ld, %s)",
		      (long)reads, strerror(errno));
	}

	/* And every other 8-byte position, with head forged too. */
	reads = 0;
	for (uint64_t pos = t; pos < f.head; pos += 8) {
		ssize_t n;

		ctrl->data_head = pos ^ 0x5a5a5a5a;	/* ignored by the kernel */
		__atomic_store_n(&ctrl->data_tail, pos, __ATOMIC_RELEASE);
		n = read(fd, buf, len);
		reads++;
		if (n > 0 && (n & 7))
			bad_reads++;
		if (n < 0 && errno != EAGAIN)
			bad_reads++;
	}
	check(bad_reads == 0,
	      "forged tail: %lu reads at every 8-byte position, head forged: each returns whole 8-byte units or EAGAIN (%lu did not)",
	      (unsigned long)reads, (unsigned long)bad_reads);
	munmap(ctrl, page_size);
	munmap((void *)data, 4 * page_size);
	session_close(&s);
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
	free(buf);
}

/* ---- 2. user copies against mmap: the lock order */

struct lock_race {
	struct session s;
	atomic_bool stop;
	atomic_long stats_calls, read_calls, maps;
};

/* GET_STATS and read() into buffers that straddle a page unmapped and
 * mapped again fresh each time, so every copy out faults. */
static void *copier(void *arg)
{
	struct lock_race *r = arg;
	int fd = kdev__fd(r->s.dev);
	uint8_t *area = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ksampler_stats *st = (void *)(area + page_size - 64);
	size_t rlen = 2 * page_size;
	uint8_t *rbuf = mmap(NULL, 3 * page_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	while (!atomic_load(&r->stop)) {
		mmap(area + page_size, page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		st->size = sizeof(*st);
		st->cpu = KSAMPLER_STATS_ALL_CPUS;
		ioctl(fd, KSAMPLER_IOC_GET_STATS, st);
		atomic_fetch_add(&r->stats_calls, 1);
		mmap(rbuf + page_size, 2 * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (read(fd, rbuf + page_size - 8, rlen) >= 0 || errno == EAGAIN)
			atomic_fetch_add(&r->read_calls, 1);
	}
	return NULL;
}

/* Maps and unmaps a ring's control page: ks_mmap() under mmap_lock. */
static void *mapper(void *arg)
{
	struct lock_race *r = arg;
	int fd = kdev__fd(r->s.dev);

	while (!atomic_load(&r->stop)) {
		void *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, KSAMPLER_MMAP_CTRL_PGOFF(0) * page_size);

		if (p != MAP_FAILED)
			munmap(p, page_size);
		atomic_fetch_add(&r->maps, 1);
	}
	return NULL;
}

static int lock_race_child(long seconds)
{
	struct lock_race r = { 0 };
	pthread_t a, b;
	int err = session_start_on(&r.s, getpid(), 999, 4, 0);

	if (err)
		return 3;
	pthread_create(&a, NULL, copier, &r);
	pthread_create(&b, NULL, mapper, &r);
	sleep(seconds);
	atomic_store(&r.stop, true);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("# lock race: %ld GET_STATS, %ld read(), %ld mmap/munmap in %ld s\n",
	       atomic_load(&r.stats_calls), atomic_load(&r.read_calls),
	       atomic_load(&r.maps), seconds);
	fflush(stdout);
	session_close(&r.s);
	return atomic_load(&r.stats_calls) > 100 && atomic_load(&r.maps) > 100 ? 0 : 4;
}

static void scenario_lock_order(void)
{
	int rc = run_bounded(lock_race_child, race_seconds, 60);

	check(rc == 0,
	      "lock order: GET_STATS and read() faulting on fresh pages against mmap/munmap of a ring for %ld s: no deadlock (%s)",
	      race_seconds, hang_text(rc));
}

/* ---- 3. ADD_TARGET against the target's reaping */

/* exits at a different instant each time */
static int exit_after_spin(void *arg)
{
	for (volatile uintptr_t i = 0; i < (uintptr_t)arg; i++)
		;
	syscall(SYS_exit, 0);
	return 0;
}

/* one stack per child, in rotation: an exiting child may still be on its own */
static char stacks[64][16 * 1024] __attribute__((aligned(16)));

struct reap_race {
	long attempts, added, gone, full, other, widened, del_failed;
	int other_errno;
};

static struct kdev *reap_race_session(void)
{
	struct ksampler_config cfg = { .frequency = 99, .ring_pages = 4 };
	struct kdev *dev = kdev__open(KSAMPLER_DEVICE_PATH);

	if (dev && kdev__configure(dev, &cfg)) {
		kdev__close(dev);
		dev = NULL;
	}
	return dev;
}

static int reap_race_child(void *arg)
{
	struct reap_race *out = arg, r = { 0 };
	uint64_t end = now_ns() + race_seconds * 1000000000ULL;
	struct kdev *dev = reap_race_session();

	if (!dev)
		return 3;
	/* auto-reaped: the kernel releases each child the moment it exits */
	signal(SIGCHLD, SIG_IGN);
	while (now_ns() < end) {
		unsigned int spin = (unsigned int)r.attempts * 2654435761U % 2000;
		/* a process sharing our memory: far cheaper than fork() */
		char *stack = stacks[r.attempts % 64] + sizeof(stacks[0]);
		pid_t child = clone(exit_after_spin, stack,
				    CLONE_VM | SIGCHLD, (void *)(uintptr_t)spin);
		int err;

		if (child < 0)
			continue;
		r.attempts++;
		err = kdev__add_target(dev, child, 0);
		if (!err) {
			r.added++;
			/* the session must not have become system-wide */
			if (kdev__del_target(dev, 0, KSAMPLER_TARGET_ALL) != -ENOENT)
				r.widened++;
			/* and the target comes off by its number, exited or not */
			if (kdev__del_target(dev, child, 0))
				r.del_failed++;
		} else if (err == -ESRCH) {
			r.gone++;
		} else if (err == -ENOSPC) {
			/* exited targets kept their slots: a fresh session */
			r.full++;
			kdev__close(dev);
			dev = reap_race_session();
			if (!dev)
				return 4;
		} else {
			r.other++;
			r.other_errno = -err;
		}
	}
	kdev__close(dev);
	/* hand the tallies back through a shared mapping set up by the parent */
	*out = r;
	return 0;
}

static void scenario_reap_race(void)
{
	struct reap_race *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int rc;

	memset(r, 0, sizeof(*r));
	chmod(KSAMPLER_DEVICE_PATH, 0666);
	rc = as_nobody(reap_race_child, r);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	printf("# reap race: %ld ADD_TARGETs on children exiting meanwhile: %ld added, %ld ESRCH, %ld ENOSPC, %ld other (last %s)\n",
	       r->attempts, r->added, r->gone, r->full, r->other,
	       strerror(r->other_errno));
	check(rc == 0 && r->attempts > 0, "reap race: ran as nobody (status %d)", rc);
	check(r->widened == 0,
	      "reap race: no session became system-wide (%ld of %ld did)",
	      r->widened, r->attempts);
	check(r->other == 0 && r->full == 0,
	      "reap race: every refusal is ESRCH (%ld ENOSPC, %ld others, last %s)",
	      r->full, r->other, strerror(r->other_errno));
	check(r->del_failed == 0,
	      "reap race: every added target came off by its number, exited or not (%ld did not)",
	      r->del_failed);
	munmap(r, sizeof(*r));
}

/* ---- 4. periods as perf_event_open() would take them */

static void scenario_periods(void)
{
	struct kdev *dev = kdev__open(KSAMPLER_DEVICE_PATH);
	struct ksampler_config c = { .ring_pages = 4 };
	struct ksampler_stats st;
	int err;

	c.period = 1ULL << 63;
	check(kdev__configure(dev, &c) == -EINVAL, "period: 2^63 ns is EINVAL");
	c.period = ~0ULL;
	check(kdev__configure(dev, &c) == -EINVAL, "period: 2^64-1 ns is EINVAL");
	c.period = 9999;
	check(kdev__configure(dev, &c) == -EINVAL,
	      "period: cpu-clock 9999 ns (over max_frequency) is EINVAL");
	c.period = 10000;
	check(kdev__configure(dev, &c) == 0, "period: cpu-clock 10 us is accepted");
	c.event = KSAMPLER_EVENT_CYCLES;
	c.period = 1;
	check(kdev__configure(dev, &c) == -EINVAL, "period: 1 cycle is EINVAL");
	c.period = 49999;
	check(kdev__configure(dev, &c) == -EINVAL,
	      "period: 49999 cycles (over max_frequency at 5 GHz) is EINVAL");
	c.period = 1ULL << 63;
	check(kdev__configure(dev, &c) == -EINVAL, "period: 2^63 cycles is EINVAL");
	c.period = 50000;
	check(kdev__configure(dev, &c) == 0, "period: 50000 cycles is accepted");

	/* the longest legal period really is long: no storm */
	c.event = KSAMPLER_EVENT_CPU_CLOCK;
	c.period = (1ULL << 63) - 1;
	err = kdev__configure(dev, &c);
	if (!err)
		err = kdev__add_target(dev, getpid(), 0);
	if (!err)
		err = kdev__start(dev);
	burn_with_bp(0, 100000000);
	kdev__stop(dev);
	kdev__stats(dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(!err && st.fired == 0,
	      "period: 2^63-1 ns never fires in a busy second (fired %llu, %s)",
	      (unsigned long long)st.fired, strerror(-err));
	kdev__close(dev);
}

/* ---- found by reading */

static void scenario_map_private(void)
{
	struct session s;
	int fd, err = session_open(&s, 99, 4);
	void *p;

	check(!err, "MAP_PRIVATE: session configured");
	fd = kdev__fd(s.dev);
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 KSAMPLER_MMAP_CTRL_PGOFF(0) * page_size);
	check(p == MAP_FAILED && errno == EINVAL,
	      "MAP_PRIVATE: a private control page is EINVAL");
	p = mmap(NULL, 4 * page_size, PROT_READ, MAP_PRIVATE, fd,
		 KSAMPLER_MMAP_DATA_PGOFF(0) * page_size);
	check(p == MAP_FAILED && errno == EINVAL,
	      "MAP_PRIVATE: private data pages are EINVAL");
	p = mmap(NULL, 4 * page_size, PROT_READ, MAP_SHARED, fd,
		 KSAMPLER_MMAP_DATA_PGOFF(0) * page_size);
	check(p != MAP_FAILED, "MAP_PRIVATE: shared data pages still map");
	if (p != MAP_FAILED)
		munmap(p, 4 * page_size);
	session_close(&s);
}

static void *idle_thread(void *arg)
{
	atomic_int *tid = arg;

	atomic_store(tid, (int)syscall(SYS_gettid));
	pause();
	return NULL;
}

static void scenario_del_target(void)
{
	struct kdev *dev = kdev__open(KSAMPLER_DEVICE_PATH);
	struct ksampler_config c = { .frequency = 99, .ring_pages = 4 };
	struct ksampler_stats st0, st;
	atomic_int tid = 0;
	pthread_t th;
	pid_t kids[70];
	int added = 0, err;

	kdev__configure(dev, &c);
	kdev__stats(dev, KSAMPLER_STATS_ALL_CPUS, &st0);
	pthread_create(&th, NULL, idle_thread, &tid);
	while (!atomic_load(&tid))
		sleep_ms(1);
	check(kdev__add_target(dev, atomic_load(&tid), 0) == 0,
	      "DEL_TARGET: added by a thread id (not the leader)");
	check(kdev__del_target(dev, atomic_load(&tid), 0) == 0,
	      "DEL_TARGET: removed by the same thread id");
	check(kdev__del_target(dev, getpid(), 0) == -ENOENT,
	      "DEL_TARGET: and it is gone");

	/* a target that exits keeps its number for DEL_TARGET */
	kids[0] = fork();
	if (kids[0] == 0) {
		pause();
		_exit(0);
	}
	kdev__add_target(dev, kids[0], 0);
	reap(kids[0]);
	err = kdev__del_target(dev, kids[0], 0);
	kdev__stats(dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(!err && st.live_pid_refs == st0.live_pid_refs,
	      "DEL_TARGET: an exited target comes off by its number, its pid reference with it (%s, refs %llu -> %llu)",
	      strerror(-err), (unsigned long long)st0.live_pid_refs,
	      (unsigned long long)st.live_pid_refs);

	/* 64 targets that all exit give their slots back */
	for (int i = 0; i < 64; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
		added += kdev__add_target(dev, kids[i], 0) == 0;
	}
	kids[64] = fork();
	if (kids[64] == 0) {
		pause();
		_exit(0);
	}
	err = kdev__add_target(dev, kids[64], 0);
	check(added == 64 && err == -ENOSPC,
	      "DEL_TARGET: 64 live targets fill the set (%d added, the 65th %s)",
	      added, strerror(-err));
	for (int i = 0; i < 64; i++)
		reap(kids[i]);
	err = kdev__add_target(dev, kids[64], 0);
	check(err == 0, "DEL_TARGET: once they exit, a new target finds room (%s)",
	      strerror(-err));
	reap(kids[64]);
	kdev__close(dev);
}

/* A poller with no timeout beside a ring that fills: woken, whatever the
 * watermark asked for. */
static void scenario_poll_full(void)
{
	struct session s;
	struct ksampler_config c = { .frequency = 10000, .ring_pages = 4,
				     .wakeup_bytes = 4 * 4096 };
	pid_t pid;
	int rc, err;

	err = session_open_cfg(&s, &c);
	if (!err)
		err = session_arm(&s, getpid(), 0);
	check(!err, "poll: a session whose watermark is the whole ring (%s)",
	      strerror(-err));
	pid = fork();
	if (pid == 0) {
		struct pollfd pfd = { .fd = kdev__fd(s.dev), .events = POLLIN };

		_exit(poll(&pfd, 1, -1) == 1 ? 0 : 1);
	}
	burn_with_bp(0, 400000000);
	rc = wait_deadline(pid, 30);
	check(rc == 0, "poll: an infinite poll() wakes once the ring cannot take another record (status %d)",
	      rc);
	session_close(&s);
}

/*
 * A poller with no timeout while another thread keeps the session lock
 * busy: poll() used to answer "not ready" whenever it could not take the
 * lock at once, and the one wake-up per watermark crossing had then been
 * spent, so the poller slept beside a ring that only grew.
 */
struct poll_race {
	struct session s;
	atomic_bool stop;
};

static int ignore_record(const struct ksampler_record_header *rec,
			 unsigned int cpu, void *ctx)
{
	(void)rec;
	(void)cpu;
	(void)ctx;
	return 0;
}

static void *stats_hammer(void *arg)
{
	struct poll_race *r = arg;
	struct ksampler_stats st;

	while (!atomic_load(&r->stop))
		kdev__stats(r->s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	return NULL;
}

static void *burner(void *arg)
{
	struct poll_race *r = arg;

	while (!atomic_load(&r->stop))
		burn_with_bp(0, 1000000);
	return NULL;
}

static int poll_race_child(long seconds)
{
	struct ksampler_config c = { .frequency = 10000, .ring_pages = 4,
				     .wakeup_bytes = 4096 };
	struct poll_race r = { 0 };
	uint64_t end = now_ns() + seconds * 1000000000ULL;
	struct pollfd pfd;
	pthread_t a, b;
	long polls = 0;

	if (session_open_cfg(&r.s, &c) || session_arm(&r.s, getpid(), 0))
		return 3;
	pfd.fd = kdev__fd(r.s.dev);
	pfd.events = POLLIN;
	pthread_create(&a, NULL, stats_hammer, &r);
	pthread_create(&b, NULL, burner, &r);
	while (now_ns() < end) {
		if (poll(&pfd, 1, -1) != 1)
			return 4;
		ring_set__drain(r.s.rings, ignore_record, NULL);
		polls++;
	}
	atomic_store(&r.stop, true);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("# poll race: %ld infinite polls woken against a busy session lock\n",
	       polls);
	session_close(&r.s);
	return polls > 0 ? 0 : 5;
}

static void scenario_poll_lock(void)
{
	int rc = run_bounded(poll_race_child, race_seconds, 30);

	check(rc == 0,
	      "poll: infinite polls against a lock busy with GET_STATS for %ld s never sleep beside a filling ring (%s)",
	      race_seconds, hang_text(rc));
}

/* A descriptor passed to root keeps its opener's rights. */
static int passed_fd_child(void *arg)
{
	int sock = *(int *)arg, fd = open(KSAMPLER_DEVICE_PATH, O_RDWR);
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	if (fd < 0)
		return 3;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : 4;
}

static void scenario_file_creds(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct ksampler_config c = { .frequency = 99, .ring_pages = 4 };
	struct ksampler_target t = { .size = sizeof(t), .pid = 1 };
	int sv[2], rc, fd = -1, e1, e2;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	chmod(KSAMPLER_DEVICE_PATH, 0666);
	rc = as_nobody(passed_fd_child, &sv[1]);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	if (rc == 0 && recvmsg(sv[0], &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	check(fd >= 0, "file credentials: nobody's descriptor reached root (%d)", rc);
	c.size = sizeof(c);
	ioctl(fd, KSAMPLER_IOC_CONFIGURE, &c);
	e1 = ioctl(fd, KSAMPLER_IOC_ADD_TARGET, &t) ? errno : 0;
	t.flags = KSAMPLER_TARGET_ALL;
	e2 = ioctl(fd, KSAMPLER_IOC_ADD_TARGET, &t) ? errno : 0;
	check(e1 == EPERM && e2 == EPERM,
	      "file credentials: root using nobody's descriptor may not add pid 1 (%s) nor ALL (%s)",
	      strerror(e1), strerror(e2));
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* Inside a user namespace of its own, nobody holds every capability
 * there; ptrace's rule still refuses it nobody's processes outside. */
static int userns_child(void *arg)
{
	pid_t outside = *(pid_t *)arg;
	struct kdev *dev;
	struct ksampler_config c = { .frequency = 99, .ring_pages = 4 };
	int err;

	if (unshare(CLONE_NEWUSER))
		return 10;	/* no unprivileged user namespaces here */
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "65534 65534 1") ||
	    write_file("/proc/self/gid_map", "65534 65534 1"))
		return 11;
	dev = kdev__open(KSAMPLER_DEVICE_PATH);
	if (!dev)
		return 12;
	kdev__configure(dev, &c);
	err = kdev__add_target(dev, outside, 0);
	kdev__close(dev);
	return err == -EPERM ? 0 : 20 + (err < 0 ? -err % 20 : 19);
}

static int sleeper(void *arg)
{
	(void)arg;
	pause();
	return 0;
}

static void scenario_userns(void)
{
	const char *userns_sysctl = "/proc/sys/kernel/unprivileged_userns_clone";
	pid_t outside = fork();
	bool restore;
	FILE *f;
	int rc;

	if (outside == 0) {
		/* dumpable, so that only the namespace rule can refuse it */
		if (become_nobody(true))
			_exit(1);
		_exit(sleeper(NULL));
	}
	sleep_ms(100);
	/* Debian's switch for unprivileged user namespaces, off here */
	f = fopen(userns_sysctl, "r");
	restore = f && fgetc(f) == '0' && write_file(userns_sysctl, "1") == 0;
	if (f)
		fclose(f);
	chmod(KSAMPLER_DEVICE_PATH, 0666);
	rc = as_nobody(userns_child, &outside);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	if (restore)
		write_file(userns_sysctl, "0");
	reap(outside);
	if (rc == 10) {
		printf("ok %d - # SKIP user namespace: unprivileged user namespaces are off\n",
		       ++test_n);
		return;
	}
	check(rc == 0,
	      "user namespace: nobody in a namespace of its own may not add nobody's process outside it (status %d)",
	      rc);
}

/*
 * Per-user limits, under a module loaded with small ones (basic.sh):
 * one user cannot take every session slot nor pin unbounded ring memory,
 * and root (CAP_PERFMON) is held to neither.
 */
static long module_param(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/ksampler/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

struct limits {
	long sessions, ring_mb, ncpu;
	int opened, busy, configured, nomem;
};

static int limits_child(void *arg)
{
	struct limits *l = arg;
	struct kdev *dev[16] = { 0 };
	struct ksampler_config big = { .frequency = 99, .ring_pages = 4096 };
	int i, n = (int)l->sessions + 2;

	for (i = 0; i < n && i < 16; i++) {
		dev[i] = kdev__open(KSAMPLER_DEVICE_PATH);
		if (dev[i])
			l->opened++;
		else
			l->busy += errno == EBUSY;
	}
	for (i = 0; i < 16; i++) {
		if (!dev[i])
			continue;
		if (kdev__configure(dev[i], &big) == 0)
			l->configured++;
		else if (errno == ENOMEM)
			l->nomem++;
	}
	for (i = 0; i < 16; i++)
		if (dev[i])
			kdev__close(dev[i]);
	return 0;
}

static void scenario_limits(void)
{
	struct limits *l = mmap(NULL, sizeof(*l), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct kdev *root_dev[8];
	long per_session, fit;
	int rc, opened = 0;

	memset(l, 0, sizeof(*l));
	l->sessions = module_param("max_user_sessions");
	l->ring_mb = module_param("max_user_ring_mb");
	l->ncpu = sysconf(_SC_NPROCESSORS_CONF);
	per_session = 4097L * page_size * l->ncpu;
	fit = (l->ring_mb << 20) / per_session;
	chmod(KSAMPLER_DEVICE_PATH, 0666);
	rc = as_nobody(limits_child, l);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	check(rc == 0 && l->opened == l->sessions && l->busy == 2,
	      "limits: nobody opens max_user_sessions (%ld) sessions, then EBUSY (opened %d, EBUSY %d)",
	      l->sessions, l->opened, l->busy);
	check(l->configured == (fit < l->opened ? fit : l->opened) &&
	      l->configured + l->nomem == l->opened,
	      "limits: 16 MiB rings on %ld CPUs: %ld fit in max_user_ring_mb (%ld), the rest are refused (configured %d, refused %d)",
	      l->ncpu, fit, l->ring_mb, l->configured, l->nomem);
	for (int i = 0; i < 8; i++) {
		root_dev[i] = kdev__open(KSAMPLER_DEVICE_PATH);
		opened += root_dev[i] != NULL;
	}
	check(opened == 8, "limits: root opens 8 sessions, past max_user_sessions (%d)",
	      opened);
	for (int i = 0; i < 8; i++)
		if (root_dev[i])
			kdev__close(root_dev[i]);
	munmap(l, sizeof(*l));
}

/*
 * Which CPUs a running session samples (ABI 1.4): all online ones, and
 * the count follows a CPU taken offline and back.
 */
static void scenario_cpu_status(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct ksampler_stats st;
	struct session s;
	int err = session_start_on(&s, getpid(), 99, 4, 0);

	check(!err, "cpu status: a running session (%s)", strerror(-err));
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.cpus_sampling == online && st.cpus_failed == 0,
	      "cpu status: all %ld online CPUs sampling, none failed (%u, %u)",
	      online, st.cpus_sampling, st.cpus_failed);
	if (online > 1 && !write_file("/sys/devices/system/cpu/cpu1/online", "0")) {
		kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
		check(st.cpus_sampling == online - 1 && st.cpus_failed == 0,
		      "cpu status: one fewer with CPU 1 offline (%u, %u)",
		      st.cpus_sampling, st.cpus_failed);
		write_file("/sys/devices/system/cpu/cpu1/online", "1");
		kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
		check(st.cpus_sampling == online && st.cpus_failed == 0,
		      "cpu status: back to %ld once it is online again (%u, %u)",
		      online, st.cpus_sampling, st.cpus_failed);
	}
	kdev__stop(s.dev);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.cpus_sampling == 0 && st.cpus_failed == 0,
	      "cpu status: none once stopped (%u, %u)", st.cpus_sampling,
	      st.cpus_failed);
	session_close(&s);
}


/*
 * Forged chains across stacks (issue 18). The walk now follows a frame
 * pointer to another stack, so a process can point its chain anywhere in
 * its own memory: two regions far apart stand for two stacks, and a
 * thread spins with %rbp at a frame in the first. Each shape must end the
 * walk for its own reason within a bounded number of frames: a cycle
 * between the regions (LOOP), a chain that hops upward between them
 * forever (SWITCH_LIMIT), a hop into kernel addresses (BAD_FRAME) and
 * into memory nobody maps (FAULT). Then a racer unmaps and remaps the
 * second region while the walk goes through it.
 */
enum { CHAIN_LOOP, CHAIN_HOPS, CHAIN_KERNEL, CHAIN_UNMAPPED, CHAIN_RACE, CHAIN_MAX };

struct chains {
	uint64_t *a, *b;		/* the two "stacks" */
	size_t len;
	uint64_t ret;			/* a return address in our code */
	uint64_t marker;		/* the leaf's %rbp: our samples */
	unsigned long samples, flagged, max_frames, switched;
	uint16_t want;
	atomic_bool stop;
};

static void chains_frame(uint64_t *frame, uint64_t next, uint64_t ret)
{
	frame[0] = next;
	frame[1] = ret;
}

/* Frame i of region r: 64 words apart, the first at word 32. */
static uint64_t *chains_at(uint64_t *r, unsigned int i)
{
	return r + 32 + 64 * i;
}

static void chains_build(struct chains *c, int shape)
{
	unsigned int i;

	memset(c->a, 0, c->len);
	memset(c->b, 0, c->len);
	switch (shape) {
	case CHAIN_LOOP:
	case CHAIN_RACE:
		chains_frame(chains_at(c->a, 0), (uintptr_t)chains_at(c->b, 0), c->ret);
		chains_frame(chains_at(c->b, 0), (uintptr_t)chains_at(c->b, 1), c->ret);
		chains_frame(chains_at(c->b, 1), (uintptr_t)chains_at(c->a, 0), c->ret);
		break;
	case CHAIN_HOPS:
		for (i = 0; i < 40; i++) {
			chains_frame(chains_at(c->a, i), (uintptr_t)chains_at(c->b, i), c->ret);
			chains_frame(chains_at(c->b, i), (uintptr_t)chains_at(c->a, i + 1), c->ret);
		}
		break;
	case CHAIN_KERNEL:
		chains_frame(chains_at(c->a, 0), (uintptr_t)chains_at(c->b, 0), c->ret);
		chains_frame(chains_at(c->b, 0), 0xffffffff81000000ULL, c->ret);
		break;
	case CHAIN_UNMAPPED:
		/* the region after b is unmapped below */
		chains_frame(chains_at(c->a, 0), (uintptr_t)chains_at(c->b, 0), c->ret);
		chains_frame(chains_at(c->b, 0), (uintptr_t)c->b + c->len + 4096, c->ret);
		break;
	}
}

static int chains_record(const struct ksampler_record_header *rec,
			 unsigned int cpu, void *ctx)
{
	const struct ksampler_sample *r = (const void *)rec;
	struct chains *c = ctx;

	(void)cpu;
	if (rec->type != KSAMPLER_RECORD_SAMPLE || r->user_bp != c->marker)
		return 0;
	c->samples++;
	if (rec->flags & c->want)
		c->flagged++;
	if (rec->flags & KSAMPLER_SAMPLE_SWITCHED)
		c->switched++;
	if (r->nr_frames > c->max_frames)
		c->max_frames = r->nr_frames;
	return 0;
}

static void *chains_racer(void *arg)
{
	struct chains *c = arg;

	while (!atomic_load(&c->stop)) {
		munmap(c->b, c->len);
		if (mmap(c->b, c->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		chains_frame(chains_at(c->b, 0), (uintptr_t)chains_at(c->b, 1), c->ret);
		chains_frame(chains_at(c->b, 1), (uintptr_t)chains_at(c->a, 0), c->ret);
	}
	return NULL;
}

static void scenario_switch_chains(void)
{
	static const struct {
		const char *what;
		uint16_t flag;
		unsigned long most;	/* frames: the leaf and return addresses */
	} shapes[CHAIN_MAX] = {
		[CHAIN_LOOP] = { "a cycle between two stacks", KSAMPLER_SAMPLE_LOOP, 4 },
		[CHAIN_HOPS] = { "endless upward hops between two stacks",
				 KSAMPLER_SAMPLE_SWITCH_LIMIT, 8 },
		[CHAIN_KERNEL] = { "a hop into kernel addresses", KSAMPLER_SAMPLE_BAD_FRAME, 3 },
		[CHAIN_UNMAPPED] = { "a hop into unmapped memory", KSAMPLER_SAMPLE_FAULT, 3 },
		/* a loop, a fault, or a clean end at a zeroed frame: any */
		[CHAIN_RACE] = { "a cycle whose second stack is unmapped and remapped meanwhile",
				 0, 4 },
	};
	struct chains c = { .len = 64 * 1024 };
	struct ksampler_stats st;
	struct session s;
	pthread_t racer;
	char *area;
	int err;

	/* b far above a, with an unmapped gap after it */
	area = mmap(NULL, 64ULL << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(area != MAP_FAILED, "switch chains: reserve 64 MiB");
	if (area == MAP_FAILED)
		return;
	c.a = mmap(area, c.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	c.b = mmap(area + (32ULL << 20), c.len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	munmap(area + c.len, (32ULL << 20) - c.len);
	munmap(area + (32ULL << 20) + c.len, (32ULL << 20) - c.len);
	c.ret = (uintptr_t)&chains_build + 16;
	c.marker = (uintptr_t)chains_at(c.a, 0);
	for (int shape = 0; shape < CHAIN_MAX; shape++) {
		chains_build(&c, shape);
		c.samples = c.flagged = c.max_frames = c.switched = 0;
		c.want = shapes[shape].flag;
		err = session_start_on(&s, getpid(), 2000, 64, 0);
		if (err) {
			check(0, "switch chains: session (%s)", strerror(-err));
			break;
		}
		atomic_store(&c.stop, false);
		if (shape == CHAIN_RACE)
			pthread_create(&racer, NULL, chains_racer, &c);
		for (int i = 0; i < 40 && c.samples < 200; i++) {
			burn_with_bp(c.marker, 20000000);
			ring_set__drain(s.rings, chains_record, &c);
		}
		if (shape == CHAIN_RACE) {
			atomic_store(&c.stop, true);
			pthread_join(racer, NULL);
		}
		kdev__stop(s.dev);
		ring_set__drain(s.rings, chains_record, &c);
		check(c.samples >= 20 && (!c.want || c.flagged == c.samples) &&
		      c.switched == c.samples && c.max_frames <= shapes[shape].most,
		      "switch chains: %s: %lu of %lu walks end flagged for it, all after a switch (%lu), at most %lu frames (%lu)",
		      shapes[shape].what, c.flagged, c.samples, c.switched,
		      shapes[shape].most, c.max_frames);
		err = kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
		check(!err && st.unwind_stopped == st.unwind_fault + st.unwind_bad_frame +
		      st.unwind_loop + st.unwind_switch_limit &&
		      st.stack_switched >= c.switched,
		      "switch chains: %s: the stats split %llu stopped walks by reason, %llu crossed a switch",
		      shapes[shape].what, (unsigned long long)st.unwind_stopped,
		      (unsigned long long)st.stack_switched);
		check_invariant("switch chains", &s);
		session_close(&s);
	}
	munmap(c.a, c.len);
	munmap(c.b, c.len);
}

/*
 * What closing a configured session costs: on PREEMPT_RT every
 * irq_work_sync() waits for an RCU grace period, and there used to be
 * one per possible CPU. A figure, not a check (docs/reliability.md).
 */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void scenario_close_time(void)
{
	struct ksampler_config c = { .frequency = 99, .ring_pages = 4 };
	uint64_t ns[15];
	int n = 0;

	for (int i = 0; i < 15; i++) {
		struct kdev *dev = kdev__open(KSAMPLER_DEVICE_PATH);
		uint64_t t0;

		if (!dev || kdev__configure(dev, &c)) {
			kdev__close(dev);
			continue;
		}
		t0 = now_ns();
		kdev__close(dev);
		ns[n++] = now_ns() - t0;
	}
	qsort(ns, n, sizeof(ns[0]), cmp_u64);
	printf("# close time: median %.2f ms of %d closes of a configured session (%ld CPUs)\n",
	       n ? ns[n / 2] / 1e6 : 0.0, n, sysconf(_SC_NPROCESSORS_CONF));
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "periods", scenario_periods },
	{ "map-private", scenario_map_private },
	{ "del-target", scenario_del_target },
	{ "poll-full", scenario_poll_full },
	{ "poll-lock", scenario_poll_lock },
	{ "file-creds", scenario_file_creds },
	{ "userns", scenario_userns },
	{ "reap-race", scenario_reap_race },
	{ "forged-tail", scenario_forged_tail },
	{ "lock-order", scenario_lock_order },
	{ "cpu-status", scenario_cpu_status },
	{ "close-time", scenario_close_time },
	{ "switch-chains", scenario_switch_chains },
};

int main(int argc, char **argv)
{
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--limits")) {
		scenario_limits();
		return tap_plan();
	}
	if (argc > 1)
		race_seconds = atol(argv[1]);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		bool want = argc <= 2;

		for (int j = 2; j < argc; j++)
			want |= !strcmp(argv[j], scenarios[i].name);
		if (want)
			scenarios[i].run();
	}
	return tap_plan();
}
