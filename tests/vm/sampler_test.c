// SPDX-License-Identifier: GPL-2.0-only
/*
 * sampler_test - the sampler core against a real Go workload, in the guest
 * as root with the module loaded. Prints TAP.
 *
 *   sampler_test WORKLOAD [FIXEDWORK]
 *	run every scenario (WORKLOAD: cpusplit; FIXEDWORK for deep stacks)
 *   sampler_test --hold PID      run a session on PID until killed
 *
 * Uses profctl's own device and ring modules (userspace/kdev, ring).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_session.h"

/* ---- the workload's symbols, from nm */

struct range {
	const char *name;
	uint64_t lo, hi;
};

enum {
	SYM_ALPHA, SYM_BETA, SYM_GAMMA, SYM_DELTA,	/* the workers */
	SYM_WORKER, SYM_GOEXIT, NR_SYMS
};
static struct range syms[NR_SYMS] = {
	{ .name = "main.alpha" }, { .name = "main.beta" },
	{ .name = "main.gamma" }, { .name = "main.delta" },
	{ .name = "main.worker" }, { .name = "runtime.goexit.abi0" },
};

/* The closures that call the workers: main.main.func1, func2, ... */
static struct range closures[16];
static int nr_closures;

static int load_symbols(const char *binary)
{
	char cmd[512], line[512], name[256], type;
	unsigned long long addr, size;
	FILE *p;
	int i, found = 0;

	snprintf(cmd, sizeof(cmd), "nm -S --defined-only '%s'", binary);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%llx %llx %c %255s", &addr, &size, &type,
			   name) != 4)
			continue;
		for (i = 0; i < NR_SYMS; i++) {
			if (!strcmp(name, syms[i].name)) {
				syms[i].lo = addr;
				syms[i].hi = addr + size;
				found++;
			}
		}
		if (!strncmp(name, "main.main.func", 14) && nr_closures < 16) {
			closures[nr_closures].lo = addr;
			closures[nr_closures++].hi = addr + size;
		}
	}
	pclose(p);
	return found == NR_SYMS && nr_closures ? 0 : -1;
}

static bool in_closure(uint64_t ip)
{
	int i;

	for (i = 0; i < nr_closures; i++)
		if (ip >= closures[i].lo && ip < closures[i].hi)
			return true;
	return false;
}

static int sym_of(uint64_t ip)
{
	int i;

	for (i = 0; i < NR_SYMS; i++)
		if (ip >= syms[i].lo && ip < syms[i].hi)
			return i;
	return -1;
}

/* ---- a session and what its records say */

/*
 * The workers (main.alpha .. main.delta, with spin inlined) are frameless
 * Go leaves: they never save RBP, so the FP walk goes from the worker
 * straight to its caller's caller, and the closure that called it
 * vanishes (the pitfall profctl's leaf fix-up repairs). The kernel records
 * the word at SP for exactly this: in a frameless leaf it is the return
 * address into the hidden caller. hidden_caller counts worker leaves whose
 * closure only sp_word holds.
 */
struct tally {
	int pid;			/* expected pid, or 0 for any */
	long samples, other_pid, in_worker_loop, reached_goexit, ip0_mismatch;
	long with_sym[NR_SYMS];
	long worker_leaves, hidden_caller;
	long single_frame, with_sp_word;
	long in_kernel, kernel_address, truncated;
	long stopped_walks, kernel_threads, comm_mismatch;
	long lost_records, lost_count[KSAMPLER_LOST_MAX];
	long on_cpu1_after;		/* samples on CPU 1 after mark_ns */
	uint64_t mark_ns, last_time_ns;
	int tids[64], nr_tids;
	bool pids_seen_other;
};

static int on_record(const struct ksampler_record_header *rec,
		     unsigned int cpu, void *ctx)
{
	const struct ksampler_sample *s = (const void *)rec;
	const struct ksampler_lost *l = (const void *)rec;
	struct tally *t = ctx;
	bool seen[NR_SYMS] = { false };
	int i, k;

	(void)cpu;
	if (rec->type == KSAMPLER_RECORD_LOST) {
		t->lost_records++;
		if (l->reason < KSAMPLER_LOST_MAX)
			t->lost_count[l->reason] += l->count;
		return 0;
	}
	if (rec->type != KSAMPLER_RECORD_SAMPLE)
		return 0;
	t->samples++;
	if (s->time_ns > t->last_time_ns)
		t->last_time_ns = s->time_ns;
	if (t->mark_ns && s->time_ns > t->mark_ns && s->cpu == 1)
		t->on_cpu1_after++;
	if (s->pid == 2 || !strncmp((const char *)s->comm, "kworker", 7) ||
	    !strncmp((const char *)s->comm, "ksoftirqd", 9))
		t->kernel_threads++;
	if (t->pid && (int)s->pid != t->pid) {
		t->other_pid++;
		return 0;
	}
	if (t->pid && strcmp((const char *)s->comm, "cpusplit"))
		t->comm_mismatch++;
	if (s->nr_frames < 1 || s->ips[0] != s->user_ip)
		t->ip0_mismatch++;
	t->single_frame += s->nr_frames == 1;
	t->in_kernel += !!(s->header.flags & KSAMPLER_SAMPLE_IN_KERNEL);
	t->truncated += !!(s->header.flags & KSAMPLER_SAMPLE_TRUNCATED);
	for (i = 0; i < s->nr_frames; i++)
		t->kernel_address += is_kernel_address(s->ips[i]);
	t->kernel_address += is_kernel_address(s->user_sp);
	t->with_sp_word += !!(s->header.flags & KSAMPLER_SAMPLE_SP_WORD);
	if (s->header.flags & (KSAMPLER_SAMPLE_FAULT | KSAMPLER_SAMPLE_BAD_FRAME))
		t->stopped_walks++;
	for (i = 0; i < s->nr_frames; i++) {
		k = sym_of(s->ips[i]);
		if (k >= 0)
			seen[k] = true;
	}
	k = sym_of(s->ips[0]);
	if (k >= SYM_ALPHA && k <= SYM_DELTA) {
		t->worker_leaves++;
		if ((s->header.flags & KSAMPLER_SAMPLE_SP_WORD) &&
		    in_closure(s->sp_word) &&
		    (s->nr_frames < 2 || !in_closure(s->ips[1])))
			t->hidden_caller++;
	}
	for (k = 0; k < NR_SYMS; k++)
		t->with_sym[k] += seen[k];
	t->reached_goexit += seen[SYM_GOEXIT];
	t->in_worker_loop += seen[SYM_WORKER];
	for (i = 0; i < t->nr_tids && t->tids[i] != (int)s->tid; i++)
		;
	if (i == t->nr_tids && t->nr_tids < 64)
		t->tids[t->nr_tids++] = s->tid;
	return 0;
}

static long session_pump(struct session *s, long ms, struct tally *t)
{
	return session_pump_into(s, ms, on_record, t);
}

/*
 * The whole of a plain session: @freq Hz on @pid for @ms, drained into @t,
 * stopped. @s stays open for its stats; the caller closes it.
 */
static int session_sample(struct session *s, pid_t pid, uint64_t freq,
			  long ms, struct tally *t)
{
	int err = session_start_on(s, pid, freq, 0, 0);

	if (err)
		return err;
	session_pump(s, ms, t);
	err = kdev__stop(s->dev);
	ring_set__drain(s->rings, on_record, t);
	return err;
}

static int count_threads(pid_t pid, int *tids, int max)
{
	char path[64], line[64];
	FILE *p;
	int n = 0;

	snprintf(path, sizeof(path), "ls /proc/%d/task", pid);
	p = popen(path, "r");
	while (p && fgets(line, sizeof(line), p) && n < max)
		tids[n++] = atoi(line);
	if (p)
		pclose(p);
	return n;
}

/* ---- scenarios */

static const char *workload;

static void scenario_pid_session(void)
{
	char *argv[] = { (char *)workload, "-late", "1s", NULL };
	struct ksampler_stats st, cpu_sum = { 0 }, one;
	struct tally t = { 0 };
	struct session s;
	int tids[64], nr, i, j, err;
	bool all_known = true;
	pid_t pid;
	unsigned int cpu;

	pid = spawn(argv);
	sleep_ms(300);
	t.pid = pid;
	err = session_open(&s, 999, 0);
	check(!err, "pid session: configure at 999 Hz (%s)", strerror(-err));
	check(!kdev__add_target(s.dev, pid, 0), "pid session: add target %d", pid);
	check(!session_map(&s), "pid session: mmap every CPU's ring");
	check(!kdev__start(s.dev), "pid session: start");
	session_pump(&s, 3000, &t);
	check(!kdev__stop(s.dev), "pid session: stop");
	ring_set__drain(s.rings, on_record, &t);

	check(t.samples >= 100, "pid session: %ld samples in 3 s", t.samples);
	check(t.other_pid == 0, "pid session: no sample from another process (%ld)",
	      t.other_pid);
	check(t.comm_mismatch == 0, "pid session: every sample's comm is cpusplit");
	check(t.ip0_mismatch == 0, "pid session: ips[0] is the user ip in every sample");
	nr = count_threads(pid, tids, 64);
	for (i = 0; i < t.nr_tids; i++) {
		for (j = 0; j < nr && tids[j] != t.tids[i]; j++)
			;
		all_known &= j < nr;
	}
	check(all_known, "pid session: every tid is a thread of the target (%d tids)",
	      t.nr_tids);
	check(t.with_sym[SYM_DELTA] > 0,
	      "pid session: the thread started 1 s after start is sampled (%ld in main.delta)",
	      t.with_sym[SYM_DELTA]);
	check(t.with_sym[SYM_ALPHA] > 0 && t.with_sym[SYM_BETA] > 0 &&
	      t.with_sym[SYM_GAMMA] > 0,
	      "pid session: main.alpha %ld, main.beta %ld, main.gamma %ld all sampled",
	      t.with_sym[SYM_ALPHA], t.with_sym[SYM_BETA], t.with_sym[SYM_GAMMA]);
	check(t.in_worker_loop * 10 >= t.samples * 8,
	      "pid session: >= 80%% of FP walks pass through main.worker (%ld/%ld)",
	      t.in_worker_loop, t.samples);
	check(t.worker_leaves > 0 && t.hidden_caller * 10 >= t.worker_leaves * 8,
	      "pid session: >= 80%% of worker leaves carry the closure the walk misses in sp_word (%ld/%ld)",
	      t.hidden_caller, t.worker_leaves);
	check(t.reached_goexit * 10 >= t.samples * 8,
	      "pid session: >= 80%% of walks reach runtime.goexit (%ld/%ld)",
	      t.reached_goexit, t.samples);

	err = kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(!err && st.written == (uint64_t)t.samples,
	      "pid session: SAMPLE records drained (%ld) == written (%llu)",
	      t.samples, (unsigned long long)st.written);
	check_invariant("pid session", &s);
	check(st.handler_ns > 0 && st.filtered > 0,
	      "pid session: handler time %llu ns over %llu interrupts, %llu filtered",
	      (unsigned long long)st.handler_ns, (unsigned long long)st.fired,
	      (unsigned long long)st.filtered);
	for (cpu = 0; cpu < s.v.nr_cpu_ids; cpu++) {
		if (kdev__stats(s.dev, cpu, &one))
			continue;
		cpu_sum.fired += one.fired;
		cpu_sum.written += one.written;
	}
	check(cpu_sum.fired == st.fired && cpu_sum.written == st.written,
	      "pid session: per-CPU stats add up to the total");
	printf("# pid session: fired %llu written %llu filtered %llu handler %llu ns/interrupt\n",
	       (unsigned long long)st.fired, (unsigned long long)st.written,
	       (unsigned long long)st.filtered,
	       (unsigned long long)(st.fired ? st.handler_ns / st.fired : 0));
	printf("# pid session: %ld of %ld samples (%.1f%%) lost their caller to a frameless leaf; sp_word holds it\n",
	       t.hidden_caller, t.samples,
	       t.samples ? 100.0 * t.hidden_caller / t.samples : 0.0);
	session_close(&s);
	reap(pid);
}

static void scenario_tiny_ring(void)
{
	char *argv[] = { (char *)workload, NULL };
	struct ksampler_stats st;
	struct tally t = { 0 };
	struct session s;
	pid_t pid;

	pid = spawn(argv);
	sleep_ms(200);
	t.pid = pid;
	check(!session_open(&s, 4999, 2), "tiny ring: 2-page rings at 4999 Hz");
	kdev__add_target(s.dev, pid, 0);
	session_map(&s);
	kdev__start(s.dev);
	sleep_ms(1500);			/* a reader that does not keep up */
	session_pump(&s, 800, &t);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &t);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.lost_ring_full > 0, "tiny ring: samples lost to a full ring (%llu)",
	      (unsigned long long)st.lost_ring_full);
	check(t.lost_records > 0 && t.lost_count[KSAMPLER_LOST_RING_FULL] > 0,
	      "tiny ring: LOST records report them in-band (%ld records, %ld samples)",
	      t.lost_records, t.lost_count[KSAMPLER_LOST_RING_FULL]);
	check((uint64_t)t.lost_count[KSAMPLER_LOST_RING_FULL] <= st.lost_ring_full,
	      "tiny ring: in-band losses never exceed the counted ones");
	check(st.written == (uint64_t)t.samples,
	      "tiny ring: every written sample was read (%ld)", t.samples);
	check_invariant("tiny ring", &s);
	session_close(&s);
	reap(pid);
}

static void scenario_two_sessions_and_read(void)
{
	char *argv[] = { (char *)workload, NULL };
	struct tally t1 = { 0 }, t2 = { 0 };
	struct ksampler_stats st;
	struct session a, b;
	static char buf[1 << 16];
	long records = 0;
	ssize_t n, off;
	pid_t pid;

	pid = spawn(argv);
	sleep_ms(200);
	t1.pid = t2.pid = pid;
	check(!session_open(&a, 999, 0), "two sessions: the first configures");
	check(!session_open_flags(&b, 499, 0, KSAMPLER_CONFIG_NO_UNWIND),
	      "two sessions: the second configures with NO_UNWIND");
	kdev__add_target(a.dev, pid, 0);
	kdev__add_target(b.dev, pid, 0);
	session_map(&a);
	check(!kdev__start(a.dev) && !kdev__start(b.dev), "two sessions: both start");
	session_pump(&a, 1500, &t1);
	kdev__stop(a.dev);
	kdev__stop(b.dev);
	ring_set__drain(a.rings, on_record, &t1);
	check(t1.samples > 0, "two sessions: the mmap one got %ld samples", t1.samples);

	/* b was never mapped: read() is its way out */
	while ((n = read(kdev__fd(b.dev), buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			const struct ksampler_record_header *h = (void *)(buf + off);

			on_record(h, 0, &t2);
			records++;
			off += h->size;
		}
	}
	check(n < 0 && errno == EAGAIN, "read(): EAGAIN once drained");
	kdev__stats(b.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(t2.samples > 0 && (uint64_t)t2.samples == st.written,
	      "read(): returned all %llu written samples as whole records",
	      (unsigned long long)st.written);
	check(t2.single_frame == t2.samples && t2.with_sp_word == t2.samples,
	      "NO_UNWIND: every sample is the leaf alone, with sp_word (%ld/%ld)",
	      t2.single_frame, t2.samples);
	check(read(kdev__fd(b.dev), buf, 64) < 0 && errno == EINVAL,
	      "read(): a buffer too small for a record is EINVAL");
	check_invariant("two sessions (a)", &a);
	check_invariant("two sessions (b)", &b);
	session_close(&a);
	session_close(&b);
	reap(pid);
}

/* The benchmarks' floor: interrupts on the target are counted, no more. */
static void scenario_count_only(void)
{
	char *argv[] = { (char *)workload, NULL };
	struct ksampler_stats st;
	struct tally t = { 0 };
	struct session s;
	pid_t pid;

	pid = spawn(argv);
	sleep_ms(200);
	t.pid = pid;
	check(!session_open_flags(&s, 999, 0, KSAMPLER_CONFIG_COUNT_ONLY),
	      "count only: configures");
	kdev__add_target(s.dev, pid, 0);
	session_map(&s);
	check(!kdev__start(s.dev), "count only: starts");
	session_pump(&s, 800, &t);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &t);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.counted > 0 && st.written == 0 && t.samples == 0,
	      "count only: %llu interrupts counted, %llu written, %ld records read",
	      (unsigned long long)st.counted, (unsigned long long)st.written,
	      t.samples);
	check_invariant("count only", &s);
	session_close(&s);
	reap(pid);
}

static void scenario_target_exit(void)
{
	char *argv[] = { (char *)workload, "-duration", "1s", NULL };
	struct tally t = { 0 };
	struct session s;
	uint64_t exited;
	pid_t pid;

	pid = spawn(argv);
	sleep_ms(100);
	t.pid = pid;
	session_open(&s, 999, 0);
	check(!kdev__add_target(s.dev, pid, 0), "target exit: add a target that lives ~1 s");
	session_map(&s);
	kdev__start(s.dev);
	waitpid(pid, NULL, 0);
	exited = now_ns();
	session_pump(&s, 1000, &t);
	check(!kdev__stop(s.dev), "target exit: the session outlives its target");
	ring_set__drain(s.rings, on_record, &t);
	check(t.samples > 0 && t.last_time_ns <= exited,
	      "target exit: %ld samples, none after the exit", t.samples);
	check(kdev__add_target(s.dev, pid, 0) == -ESRCH,
	      "target exit: the dead pid is ESRCH");
	check_invariant("target exit", &s);
	session_close(&s);
}

static int set_cpu_online(int cpu, int on)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -errno;
}

static void scenario_cpu_hotplug(void)
{
	char *argv[] = { (char *)workload, NULL };
	struct tally t = { 0 };
	struct session s;
	pid_t pid;
	int err;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("ok %d - cpu hotplug # SKIP needs 2 CPUs\n", ++test_n);
		return;
	}
	pid = spawn(argv);
	sleep_ms(200);
	t.pid = pid;
	session_open(&s, 999, 0);
	kdev__add_target(s.dev, pid, 0);
	session_map(&s);
	kdev__start(s.dev);
	session_pump(&s, 500, &t);
	err = set_cpu_online(1, 0);
	check(!err, "cpu hotplug: CPU 1 goes offline mid-session (%s)", strerror(-err));
	session_pump(&s, 500, &t);
	err = set_cpu_online(1, 1);
	check(!err, "cpu hotplug: CPU 1 comes back (%s)", strerror(-err));
	t.mark_ns = now_ns();
	session_pump(&s, 1500, &t);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &t);
	check(t.on_cpu1_after > 0,
	      "cpu hotplug: CPU 1 is sampled again after coming back (%ld samples)",
	      t.on_cpu1_after);
	check_invariant("cpu hotplug", &s);
	session_close(&s);
	reap(pid);
}

static void scenario_system_wide(void)
{
	char *argv[] = { (char *)workload, NULL };
	struct tally t = { 0 };
	struct session s;
	pid_t pid;

	pid = spawn(argv);
	sleep_ms(200);
	session_open(&s, 499, 0);
	check(!kdev__add_target(s.dev, 0, KSAMPLER_TARGET_ALL),
	      "system-wide: root may target every task");
	check(kdev__add_target(s.dev, 0, KSAMPLER_TARGET_ALL) == -EEXIST,
	      "system-wide: twice is EEXIST");
	session_map(&s);
	kdev__start(s.dev);
	session_pump(&s, 1000, &t);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &t);
	check(t.with_sym[SYM_GAMMA] > 0, "system-wide: the workload is in it");
	check(t.kernel_threads == 0, "system-wide: no kernel thread is sampled");
	check_invariant("system-wide", &s);
	check(!kdev__del_target(s.dev, 0, KSAMPLER_TARGET_ALL) &&
	      kdev__start(s.dev) == -EINVAL,
	      "system-wide: removing it leaves nothing to start");
	session_close(&s);
	reap(pid);
}

static void scenario_children(void)
{
	struct tally with = { 0 }, without = { 0 };
	char cmd[512];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct session s;
	pid_t sh;

	snprintf(cmd, sizeof(cmd), "%s & wait", workload);
	sh = spawn(argv);
	sleep_ms(300);
	session_open(&s, 999, 0);
	check(!kdev__add_target(s.dev, sh, 0), "children: target the parent shell only");
	session_map(&s);
	kdev__start(s.dev);
	session_pump(&s, 700, &without);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &without);
	check(without.with_sym[SYM_GAMMA] == 0,
	      "children: without CHILDREN its child is not sampled");
	kdev__del_target(s.dev, sh, 0);
	check(!kdev__add_target(s.dev, sh, KSAMPLER_TARGET_CHILDREN),
	      "children: target it with CHILDREN");
	kdev__start(s.dev);
	session_pump(&s, 1000, &with);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, on_record, &with);
	check(with.with_sym[SYM_GAMMA] > 0,
	      "children: with CHILDREN its child is sampled (%ld)",
	      with.with_sym[SYM_GAMMA]);
	session_close(&s);
	reap(sh);
}

static void scenario_bad_calls(void)
{
	struct ksampler_config c = { .frequency = 99 };
	struct ksampler_stats st;
	struct session s;
	struct kdev *dev;
	long pg = sysconf(_SC_PAGESIZE);
	void *p;
	int fd;

	dev = kdev__open(KSAMPLER_DEVICE_PATH);
	fd = kdev__fd(dev);
	check(kdev__start(dev) == -EINVAL, "order: START before CONFIGURE is EINVAL");
	check(kdev__stop(dev) == -EINVAL, "order: STOP before START is EINVAL");
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap before CONFIGURE is EINVAL");

#define BAD_CONFIG(field, value, what) do {				\
		struct ksampler_config b = c;				\
		b.field = value;					\
		check(kdev__configure(dev, &b) == -EINVAL,		\
		      "config: %s is EINVAL", what);			\
	} while (0)
	BAD_CONFIG(flags, 1U << 9, "an unknown flag");
	BAD_CONFIG(event, 99, "an unknown event");
	BAD_CONFIG(period, 1000000, "frequency and period together");
	BAD_CONFIG(frequency, 0, "neither frequency nor period");
	BAD_CONFIG(frequency, 100001, "a frequency over max_frequency");
	BAD_CONFIG(max_frames, KSAMPLER_MAX_FRAMES + 1, "max_frames 513");
	BAD_CONFIG(ring_pages, 3, "ring_pages not a power of two");
	BAD_CONFIG(ring_pages, 1 << 20, "ring_pages over max_ring_pages");
	BAD_CONFIG(wakeup_bytes, 1 << 30, "wakeup_bytes larger than the ring");
	{
		struct ksampler_config b = c;

		b.ring_pages = 1;
		b.max_frames = KSAMPLER_MAX_FRAMES;
		check(kdev__configure(dev, &b) == -EINVAL,
		      "config: a ring too small for two records is EINVAL");
		b.frequency = 0;
		b.period = 1000;
		b.ring_pages = 0;
		check(kdev__configure(dev, &b) == -EINVAL,
		      "config: a cpu-clock period under 10 us is EINVAL");
	}
	check(!kdev__configure(dev, &c), "config: 99 Hz with defaults is accepted");
	check(!kdev__configure(dev, &c), "config: again, while stopped and unmapped");
	check(kdev__start(dev) == -EINVAL, "order: START with no target is EINVAL");

	check(kdev__add_target(dev, 0, 0) == -EINVAL, "target: pid 0 is EINVAL");
	check(kdev__add_target(dev, 999999, 0) == -ESRCH, "target: no such pid is ESRCH");
	check(kdev__add_target(dev, 2, 0) == -EINVAL, "target: a kernel thread is EINVAL");
	check(kdev__add_target(dev, getpid(), 1U << 7) == -EINVAL,
	      "target: an unknown flag is EINVAL");
	check(kdev__add_target(dev, getpid(), KSAMPLER_TARGET_ALL |
			       KSAMPLER_TARGET_CHILDREN) == -EINVAL,
	      "target: ALL with CHILDREN is EINVAL");
	check(kdev__del_target(dev, getpid(), 0) == -ENOENT,
	      "target: removing one never added is ENOENT");
	check(!kdev__add_target(dev, getpid(), 0), "target: self is allowed");
	check(kdev__add_target(dev, getpid(), 0) == -EEXIST, "target: twice is EEXIST");
	{
		struct ksampler_target t = { .size = sizeof(t), .pid = getpid(),
					     .reserved = 1 };

		check(ioctl(fd, KSAMPLER_IOC_ADD_TARGET, &t) < 0 && errno == EINVAL,
		      "target: non-zero reserved field is EINVAL");
	}

	check(!kdev__start(dev), "order: START");
	check(kdev__start(dev) == -EBUSY, "order: START twice is EBUSY");
	check(kdev__configure(dev, &c) == -EBUSY, "order: CONFIGURE while running is EBUSY");
	check(!kdev__stop(dev), "order: STOP");
	check(kdev__stop(dev) == -EINVAL, "order: STOP twice is EINVAL");

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu = 4096;
	check(ioctl(fd, KSAMPLER_IOC_GET_STATS, &st) < 0 && errno == EINVAL,
	      "stats: a CPU that cannot exist is EINVAL");

	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 2 * pg * 4096);
	check(p == MAP_FAILED && errno == EINVAL, "mmap: a CPU that cannot exist is EINVAL");
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap: a 2-page control mapping is EINVAL");
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
	check(p == MAP_FAILED && errno == EINVAL, "mmap: data pages of the wrong size are EINVAL");
	p = mmap(NULL, 64 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	check(p == MAP_FAILED && errno == EPERM, "mmap: writable data pages are EPERM");
	p = mmap(NULL, 64 * pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, pg);
	check(p == MAP_FAILED && errno == EPERM, "mmap: executable ring pages are EPERM");
	p = mmap(NULL, 64 * pg, PROT_READ, MAP_SHARED, fd, pg);
	check(p != MAP_FAILED, "mmap: read-only data pages are allowed");
	check(mprotect(p, 64 * pg, PROT_READ | PROT_WRITE) < 0,
	      "mmap: the data pages cannot be made writable later");
	check(kdev__configure(dev, &c) == -EBUSY, "order: CONFIGURE while mapped is EBUSY");
	munmap(p, 64 * pg);
	check(!kdev__configure(dev, &c), "order: CONFIGURE once unmapped");
	kdev__close(dev);

	/* A reader that writes garbage into its tail harms only itself. */
	session_open(&s, 4999, 2);
	kdev__add_target(s.dev, getppid(), 0);
	kdev__add_target(s.dev, getpid(), 0);
	session_map(&s);
	{
		struct ksampler_ring_ctrl *ctrl;

		ctrl = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			    kdev__fd(s.dev), 0);
		kdev__start(s.dev);
		for (int i = 0; i < 200000; i++) {
			ctrl->data_tail = (i & 1) ? ~0ULL : 12345ULL + (uint64_t)i;
			if (i % 1000 == 0)
				sched_yield();
		}
		kdev__stop(s.dev);
		munmap(ctrl, pg);
	}
	check(1, "ring: a garbage data_tail did not hurt the kernel");
	check_invariant("garbage tail", &s);
	session_close(&s);
}

static void nobody_checks(void)
{
	struct kdev *dev = kdev__open(KSAMPLER_DEVICE_PATH);
	char *argv[] = { "/bin/sleep", "5", NULL };
	pid_t own;

	/* the parent reports: each refusal that is wrong exits with its code */
	if (!dev)
		_exit(10);
	if (kdev__add_target(dev, 1, 0) != -EPERM)
		_exit(11);
	if (kdev__add_target(dev, 0, KSAMPLER_TARGET_ALL) != -EPERM)
		_exit(12);
	/*
	 * Until it execs, the child shares this process's mm, which the
	 * switch from root made non-dumpable: perf would refuse it too.
	 */
	own = spawn(argv);
	sleep_ms(300);
	if (kdev__add_target(dev, own, 0) != 0)
		_exit(13);
	reap(own);
	kdev__close(dev);
}

static void scenario_unprivileged(void)
{
	pid_t pid;
	int status;

	chmod(KSAMPLER_DEVICE_PATH, 0666);
	pid = fork();
	if (pid == 0) {
		if (become_nobody(false))
			_exit(1);
		nobody_checks();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "unprivileged: EPERM for root's process and for ALL; its own process is fine (status %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void scenario_edges(const char *fixedwork)
{
	char *dd[] = { "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1",
		       "count=100000000", NULL };
	char *deep[] = { (char *)fixedwork, "-depth", "200", "-units", "1000000",
			 NULL };
	struct ksampler_config cycles = { .event = KSAMPLER_EVENT_CYCLES,
					  .frequency = 999 };
	struct ksampler_stats st;
	struct tally t = { 0 };
	struct session s;
	struct kdev *dev;
	pid_t pid;

	/* No PMU in this guest: a cycles session fails to START, cleanly. */
	dev = kdev__open(KSAMPLER_DEVICE_PATH);
	kdev__configure(dev, &cycles);
	kdev__add_target(dev, getpid(), 0);
	check(kdev__start(dev) == -ENOENT, "cycles without a PMU: START is ENOENT");
	cycles.event = KSAMPLER_EVENT_CPU_CLOCK;
	check(!kdev__configure(dev, &cycles) && !kdev__start(dev) &&
	      !kdev__stop(dev), "cycles without a PMU: the session is still usable");
	kdev__close(dev);

	/* A target living in syscalls: user registers, never kernel ones. */
	pid = spawn(dd);
	sleep_ms(200);
	t.pid = pid;
	check(!session_sample(&s, pid, 999, 1000, &t), "syscalls: a session on dd");
	check(t.in_kernel > 0, "syscalls: %ld of %ld samples hit the kernel (IN_KERNEL)",
	      t.in_kernel, t.samples);
	check(t.kernel_address == 0,
	      "syscalls: no kernel address in any sample (ips, sp)");
	session_close(&s);
	reap(pid);

	/* A stack deeper than max_frames is cut and says so. */
	memset(&t, 0, sizeof(t));
	if (fixedwork) {
		pid = spawn(deep);
		sleep_ms(300);
		t.pid = pid;
		session_sample(&s, pid, 999, 1000, &t);
		kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
		check(t.truncated > 0 && st.truncated == (uint64_t)t.truncated,
		      "depth 200 > 127 frames: %ld samples flagged TRUNCATED, as counted",
		      t.truncated);
		session_close(&s);
		reap(pid);
	}

	/* perf core throttles what exceeds its rate; the session counts it. */
	check(!write_file("/proc/sys/kernel/perf_event_max_sample_rate", "1000"),
	      "throttling: perf_event_max_sample_rate lowered to 1000");
	pid = spawn((char *[]){ (char *)workload, NULL });
	sleep_ms(200);
	memset(&t, 0, sizeof(t));
	session_sample(&s, pid, 4999, 1000, &t);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.throttled > 0, "throttling: counted %llu times at 4999 Hz",
	      (unsigned long long)st.throttled);
	check_invariant("throttling", &s);
	session_close(&s);
	reap(pid);
	write_file("/proc/sys/kernel/perf_event_max_sample_rate", "100000");
}

/* --hold: a session that runs until the process is killed. */
static int hold(pid_t pid)
{
	struct tally t = { 0 };
	struct session s;

	if (session_start_on(&s, pid, 999, 0, 0))
		return 1;
	printf("holding\n");
	fflush(stdout);
	for (;;)
		session_pump(&s, 1000, &t);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--hold"))
		return hold(atoi(argv[2]));
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: sampler_test WORKLOAD [FIXEDWORK] | --hold PID\n");
		return 2;
	}
	workload = argv[1];
	check(!load_symbols(workload), "symbols of main.alpha .. runtime.goexit from nm");

	scenario_pid_session();
	scenario_tiny_ring();
	scenario_two_sessions_and_read();
	scenario_count_only();
	scenario_target_exit();
	scenario_cpu_hotplug();
	scenario_system_wide();
	scenario_children();
	scenario_bad_calls();
	scenario_unprivileged();
	scenario_edges(argc == 3 ? argv[2] : NULL);

	return tap_plan();
}
