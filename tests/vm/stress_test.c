// SPDX-License-Identifier: GPL-2.0-only
/*
 * stress_test - the reliability scenarios, in the guest as root with the
 * module loaded. Prints TAP.
 *
 *   stress_test CHURN CBURN    every scenario (tests/workloads/churn, cburn)
 *   stress_test --hold-map     map a ring, close the file, print "mapped",
 *                              unmap once a line arrives on stdin
 *
 * After each scenario two checks: the kernel logged no oops, BUG, WARNING,
 * lockup or stall meanwhile (/dev/kmsg), and the module owns nothing any
 * more (ksampler_stats.live_*, read from a fresh session). Environment:
 * KSAMPLER_STRESS_KILLS collectors killed (default 30).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <grp.h>

#include "guest_session.h"
#include "kmsg.h"

#define PID_BITS	(1U << 22)	/* pid_max's ceiling */

static const char *churn, *cburn;

/*
 * On a debug kernel (scripts/vm-run sets KSAMPLER_DEBUG_KERNEL) everything
 * runs several times slower, so rates are held to a tenth; and KASAN's
 * quarantine keeps freed slab objects for a while, so slab growth is no
 * evidence of a leak there (the live counters still are).
 */
static int rate_divisor = 1;
static bool kasan_kernel;

/* ---- what the records say */

struct count {
	pid_t pid;		/* "mine": this process's samples (0: none) */
	uint64_t mark_ns;	/* "after": samples later than this */
	long samples, mine, others, after, mine_after, bad;
	long kernel_address, lost, on_cpu1_after;
	long distinct_tids, distinct_pids;
	uint64_t first_ns;
	char kernel_sample[160];	/* the first sample with one, described */
};

static uint8_t tid_seen[PID_BITS / 8], pid_seen[PID_BITS / 8];

static void count_reset(struct count *c, pid_t pid)
{
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	memset(tid_seen, 0, sizeof(tid_seen));
	memset(pid_seen, 0, sizeof(pid_seen));
}

static long bit_first(uint8_t *map, uint32_t n)
{
	uint8_t bit = 1U << (n % 8);

	n %= PID_BITS;
	if (map[n / 8] & bit)
		return 0;
	map[n / 8] |= bit;
	return 1;
}

static int on_record(const struct ksampler_record_header *rec,
		     unsigned int cpu, void *ctx)
{
	const struct ksampler_sample *s = (const void *)rec;
	const struct ksampler_lost *l = (const void *)rec;
	struct count *c = ctx;
	bool mine, after;

	(void)cpu;
	if (rec->type == KSAMPLER_RECORD_LOST) {
		c->lost += l->count;
		return 0;
	}
	if (rec->type != KSAMPLER_RECORD_SAMPLE)
		return 0;
	c->samples++;
	if (s->nr_frames < 1 || s->ips[0] != s->user_ip ||
	    rec->size != KSAMPLER_SAMPLE_FIXED_SIZE + s->nr_frames * 8U)
		c->bad++;
	for (int i = 0; i < s->nr_frames; i++) {
		if (!is_kernel_address(s->ips[i]))
			continue;
		if (!c->kernel_address++)
			snprintf(c->kernel_sample, sizeof(c->kernel_sample),
				 "%.16s pid %u flags 0x%x ips[%d/%u] 0x%llx sp 0x%llx",
				 (const char *)s->comm, s->pid, rec->flags, i,
				 s->nr_frames, (unsigned long long)s->ips[i],
				 (unsigned long long)s->user_sp);
	}
	if (is_kernel_address(s->user_sp) && !c->kernel_address++)
		snprintf(c->kernel_sample, sizeof(c->kernel_sample),
			 "%.16s pid %u flags 0x%x sp 0x%llx",
			 (const char *)s->comm, s->pid, rec->flags,
			 (unsigned long long)s->user_sp);
	if (!c->first_ns || s->time_ns < c->first_ns)
		c->first_ns = s->time_ns;
	mine = c->pid && (pid_t)s->pid == c->pid;
	after = c->mark_ns && s->time_ns > c->mark_ns;
	c->mine += mine;
	c->others += !mine;
	c->after += after;
	c->mine_after += mine && after;
	c->on_cpu1_after += after && s->cpu == 1;
	c->distinct_tids += bit_first(tid_seen, s->tid);
	c->distinct_pids += bit_first(pid_seen, s->pid);
	return 0;
}

static long pump(struct session *s, long ms, struct count *c)
{
	return session_pump_into(s, ms, on_record, c);
}

static void drain(struct session *s, struct count *c)
{
	ring_set__drain(s->rings, on_record, c);
}

/* ---- after every scenario: the kernel log, and the module's leftovers */

static void check_after(const char *scenario)
{
	struct ksampler_stats st = { 0 };
	struct kdev *probe = kdev__open(KSAMPLER_DEVICE_PATH);
	char line[256] = "";
	int err = probe ? kdev__stats(probe, KSAMPLER_STATS_ALL_CPUS, &st) : -errno;

	kdev__close(probe);
	check(!err && st.live_sessions == 1 && !st.live_ring_bytes &&
	      !st.live_events && !st.live_pid_refs && !st.live_objects,
	      "%s: the module owns nothing afterwards (sessions %llu with the probe, ring bytes %llu, events %llu, pid refs %llu, objects %llu)",
	      scenario, (unsigned long long)st.live_sessions,
	      (unsigned long long)st.live_ring_bytes,
	      (unsigned long long)st.live_events,
	      (unsigned long long)st.live_pid_refs,
	      (unsigned long long)st.live_objects);
	if (kmsg_fd < 0) {
		printf("ok %d - %s: kernel log clean # SKIP /dev/kmsg: %s\n",
		       ++test_n, scenario, strerror(kmsg_err));
		return;
	}
	check(!kmsg_splat(line, sizeof(line), 0),
	      "%s: kernel log clean (no oops, BUG, WARNING, lockup, stall)%s%s",
	      scenario, *line ? ": " : "", line);
}

/* ---- workloads */

/* Starts churn MODE SECONDS [EXE]; its report line comes back on @out. */
static pid_t spawn_churn(const char *mode, const char *seconds,
			 const char *exe, int *out)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(churn, churn, mode, seconds, exe, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*out = fds[0];
	return pid;
}

/* Waits for @pid and reads the number in its report line ("threads N"). */
static long churn_result(pid_t pid, int fd)
{
	char buf[128] = "";
	ssize_t n;

	waitpid(pid, NULL, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(strchr(buf, ' ') ? strchr(buf, ' ') : buf, NULL, 10);
}

static pid_t spawn_cburn(const char *seconds)
{
	char *argv[] = { (char *)cburn, (char *)seconds, NULL };

	return spawn(argv);
}

/* A busy single-threaded target for ten minutes at most; @c counts it. */
static pid_t spawn_target(struct count *c)
{
	pid_t pid = spawn_cburn("600");

	sleep_ms(100);
	count_reset(c, pid);
	return pid;
}

/* ---- scenarios */

static void scenario_thread_churn(void)
{
	struct count c;
	struct session s;
	long threads;
	pid_t pid;
	int out;

	pid = spawn_churn("threads", "4", NULL, &out);
	sleep_ms(200);
	count_reset(&c, pid);
	check(!session_start_on(&s, pid, 999, 0, 0),
	      "thread churn: a 999 Hz session on a process starting and ending threads");
	pump(&s, 3000, &c);
	kdev__stop(s.dev);
	drain(&s, &c);
	threads = churn_result(pid, out);
	check(threads >= 1000 / rate_divisor,
	      "thread churn: the target went through %ld threads (~%ld per second)",
	      threads, threads / 4);
	check(c.mine > 0 && !c.others && !c.bad,
	      "thread churn: %ld well-formed samples, all of the target", c.mine);
	check(c.distinct_tids >= 100,
	      "thread churn: %ld distinct threads sampled", c.distinct_tids);
	check_invariant("thread churn", &s);
	session_close(&s);
	check_after("thread churn");
}

static void scenario_fork_exec_storm(void)
{
	struct count c;
	struct session s;
	long procs;
	pid_t pid;
	int out;

	pid = spawn_churn("forkexec", "3", "/bin/true", &out);
	sleep_ms(100);
	count_reset(&c, pid);
	check(!session_start_on(&s, 0, 999, 0, KSAMPLER_TARGET_ALL),
	      "fork/exec storm: a system-wide 999 Hz session");
	pump(&s, 2500, &c);
	kdev__stop(s.dev);
	drain(&s, &c);
	procs = churn_result(pid, out);
	check(procs >= 30 / rate_divisor,
	      "fork/exec storm: %ld processes started and reaped", procs);
	check(c.mine > 0 && !c.bad && c.distinct_pids >= 10,
	      "fork/exec storm: %ld well-formed samples from %ld processes, %ld of the forking parent",
	      c.samples, c.distinct_pids, c.mine);
	check(!c.kernel_address, "fork/exec storm: no kernel address in any sample%s%s",
	      c.kernel_address ? ": " : "", c.kernel_sample);
	check_invariant("fork/exec storm", &s);
	session_close(&s);
	check_after("fork/exec storm");
}

static void scenario_pid_reuse(void)
{
	char last[32];
	struct count c;
	struct session s;
	pid_t a, b = -1;
	int out, tries;

	a = spawn_churn("threads", "1", NULL, &out);
	sleep_ms(100);
	count_reset(&c, a);
	check(!session_start_on(&s, a, 999, 0, 0), "pid reuse: a session on a process living 1 s");
	while (waitpid(a, NULL, WNOHANG) != a)
		pump(&s, 100, &c);
	close(out);
	c.mark_ns = now_ns();
	/* ns_last_pid makes the next fork take the dead target's number. */
	for (tries = 0; tries < 5 && b != a; tries++) {
		if (b > 0)
			reap(b);
		snprintf(last, sizeof(last), "%d", a - 1);
		write_file("/proc/sys/kernel/ns_last_pid", last);
		b = spawn_cburn("3");
	}
	if (b != a) {
		printf("ok %d - pid reuse # SKIP pid %d was not handed out again (got %d)\n",
		       ++test_n, a, b);
	} else {
		pump(&s, 1500, &c);
		check(c.mine > c.mine_after && !c.mine_after,
		      "pid reuse: %ld samples of the target, none of the new process that took its pid %d",
		      c.mine - c.mine_after, a);
		check(!kdev__add_target(s.dev, b, 0),
		      "pid reuse: the new process is a target of its own when asked for");
	}
	kdev__stop(s.dev);
	check_invariant("pid reuse", &s);
	session_close(&s);
	if (b > 0)
		reap(b);
	check_after("pid reuse");
}

static bool is_zombie(pid_t pid)
{
	char path[64], line[128];
	bool z = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			z = strchr(line, 'Z') != NULL;
	if (f)
		fclose(f);
	return z;
}

static void scenario_zombies(void)
{
	struct count c;
	struct session s;
	pid_t z, leader;
	int out;

	z = fork();
	if (z == 0)
		_exit(0);
	sleep_ms(200);
	session_open(&s, 999, 0);
	check(is_zombie(z) && kdev__add_target(s.dev, z, 0) == -ESRCH,
	      "zombie: a dead process not yet reaped is ESRCH");
	waitpid(z, NULL, 0);
	session_close(&s);

	leader = spawn_churn("zombie", "3", NULL, &out);
	for (int i = 0; i < 30 && !is_zombie(leader); i++)
		sleep_ms(100);
	count_reset(&c, leader);
	check(is_zombie(leader) && !session_start_on(&s, leader, 999, 0, 0),
	      "zombie leader: a process whose main thread exited is still a target");
	if (s.rings) {
		pump(&s, 1000, &c);
		kdev__stop(s.dev);
		drain(&s, &c);
	}
	check(c.mine > 0 && !c.others,
	      "zombie leader: its running thread is sampled (%ld)", c.mine);
	if (s.dev)
		check_invariant("zombie leader", &s);
	session_close(&s);
	reap(leader);
	close(out);
	check_after("zombies");
}

static int set_cpu_online(int cpu, int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return write_file(path, on ? "1" : "0");
}

static void scenario_hotplug_loop(void)
{
	struct ksampler_stats st;
	struct count c;
	struct session s;
	pid_t pid, toggler;
	int status, out;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("ok %d - cpu hotplug loop # SKIP needs 2 CPUs\n", ++test_n);
		return;
	}
	/* long enough to outlast the toggling, which is slow on a debug kernel */
	pid = spawn_churn("threads", rate_divisor == 1 ? "6" : "60", NULL, &out);
	sleep_ms(100);
	count_reset(&c, pid);
	check(!session_start_on(&s, pid, 999, 0, 0), "cpu hotplug loop: a session on thread churn");
	toggler = fork();
	if (toggler == 0) {
		for (int i = 0; i < 10; i++) {
			if (set_cpu_online(1, 0) || (sleep_ms(100), 0) ||
			    set_cpu_online(1, 1))
				_exit(1);
			sleep_ms(100);
		}
		_exit(0);
	}
	while (waitpid(toggler, &status, WNOHANG) != toggler)
		pump(&s, 100, &c);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "cpu hotplug loop: CPU 1 went offline and online 10 times mid-session");
	c.mark_ns = now_ns();
	pump(&s, 1000, &c);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.live_events == (uint64_t)sysconf(_SC_NPROCESSORS_ONLN),
	      "cpu hotplug loop: one event per online CPU afterwards (%llu)",
	      (unsigned long long)st.live_events);
	kdev__stop(s.dev);
	drain(&s, &c);
	check(c.on_cpu1_after > 0 && !c.bad,
	      "cpu hotplug loop: CPU 1 sampled again at the end (%ld samples of %ld)",
	      c.on_cpu1_after, c.after);
	check_invariant("cpu hotplug loop", &s);
	session_close(&s);
	reap(pid);
	close(out);
	check_after("cpu hotplug loop");
}

/* The victim: whole sessions in a loop, of varied shapes, until killed. */
static void collector_loop(pid_t target, long *cycles)
{
	static const uint64_t freqs[] = { 99, 999, 4999 };
	static const unsigned int pages[] = { 2, 8, 64 };
	struct count c;
	struct session s;

	count_reset(&c, target);
	for (unsigned int i = 0;; i++) {
		if (session_start_on(&s, target, freqs[i % 3], pages[(i / 3) % 3], 0))
			_exit(1);
		pump(&s, 20, &c);
		kdev__stop(s.dev);
		drain(&s, &c);
		session_close(&s);
		__atomic_add_fetch(cycles, 1, __ATOMIC_RELAXED);
	}
}

static void scenario_collector_kills(int kills)
{
	long *cycles = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int killed = 0, status;
	struct count c;
	struct session s;
	pid_t pid, victim;

	srand(time(NULL));
	pid = spawn_cburn("600");
	sleep_ms(100);
	for (int i = 0; i < kills; i++) {
		victim = fork();
		if (victim == 0)
			collector_loop(pid, cycles);
		sleep_ms(rand() % 150);
		kill(victim, SIGKILL);
		waitpid(victim, &status, 0);
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	}
	check(killed == kills,
	      "collector SIGKILL: %d of %d collectors killed at random moments (%ld whole sessions between kills)",
	      killed, kills, *cycles);
	count_reset(&c, pid);
	check(!session_start_on(&s, pid, 999, 0, 0), "collector SIGKILL: a new session starts");
	pump(&s, 500, &c);
	kdev__stop(s.dev);
	drain(&s, &c);
	check(c.mine > 0, "collector SIGKILL: and samples (%ld)", c.mine);
	check_invariant("collector SIGKILL", &s);
	session_close(&s);
	reap(pid);
	munmap(cycles, sizeof(long));
	check_after("collector SIGKILL");
}

static void scenario_slow_reader(void)
{
	struct ksampler_stats st;
	struct count c;
	struct session s;
	pid_t pid;

	pid = spawn_target(&c);
	check(!session_start_on(&s, pid, 4999, 2, 0),
	      "slow reader: 2-page rings at 4999 Hz, drained every 300 ms");
	for (int i = 0; i < 6; i++) {
		sleep_ms(300);
		drain(&s, &c);
	}
	kdev__stop(s.dev);
	drain(&s, &c);
	kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.lost_ring_full > 0 && c.lost > 0 &&
	      (uint64_t)c.lost <= st.lost_ring_full,
	      "slow reader: %llu samples lost to full rings, %ld of them reported in-band",
	      (unsigned long long)st.lost_ring_full, c.lost);
	check(st.written == (uint64_t)c.samples && !c.bad,
	      "slow reader: every written sample was read, whole (%ld)", c.samples);
	check_invariant("slow reader", &s);
	session_close(&s);
	reap(pid);
	check_after("slow reader");
}

static void scenario_eight_sessions(void)
{
	struct ksampler_stats st;
	struct session s[8];
	struct count c[8];
	int started = 0, sampled = 0, balanced = 0;
	pid_t pid;

	pid = spawn_cburn("600");
	sleep_ms(100);
	for (int i = 0; i < 8; i++) {
		count_reset(&c[i], pid);
		started += !session_start_on(&s[i], pid, 99 + 100 * i, 4 << (i % 3), 0);
	}
	check(started == 8, "eight sessions: all start on one target (%d)", started);
	kdev__stats(s[0].dev, KSAMPLER_STATS_ALL_CPUS, &st);
	check(st.live_sessions == 8 &&
	      st.live_events == 8 * (uint64_t)sysconf(_SC_NPROCESSORS_ONLN),
	      "eight sessions: the module counts 8 sessions, %llu events",
	      (unsigned long long)st.live_events);
	for (int round = 0; round < 20; round++)
		for (int i = 0; i < 8; i++)
			pump(&s[i], 10, &c[i]);
	for (int i = 0; i < 8; i++) {
		kdev__stop(s[i].dev);
		drain(&s[i], &c[i]);
		kdev__stats(s[i].dev, KSAMPLER_STATS_ALL_CPUS, &st);
		sampled += c[i].mine > 0 && !c[i].bad;
		balanced += invariant(&st);
		session_close(&s[i]);
	}
	check(sampled == 8, "eight sessions: each got well-formed samples (%d)", sampled);
	check(balanced == 8, "eight sessions: each one's accounting balances (%d)", balanced);
	reap(pid);
	check_after("eight sessions");
}

/* Where the module's memory comes from, in KiB (/proc/meminfo). */
struct kmem {
	long slab, percpu, vmalloc;
};

static void kmem_read(struct kmem *m)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	m->slab = m->percpu = m->vmalloc = -1;
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "SUnreclaim: %ld kB", &m->slab);
		sscanf(line, "Percpu: %ld kB", &m->percpu);
		sscanf(line, "VmallocUsed: %ld kB", &m->vmalloc);
	}
	if (f)
		fclose(f);
}

/* After dropping caches and letting RCU callbacks run: steadier figures. */
static void kmem_settled(struct kmem *m)
{
	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	sleep_ms(1000);
	kmem_read(m);
}

/*
 * Whole session lives, back to back in one process: nothing else creates
 * processes meanwhile, so the kernel's memory moves only by what the
 * sessions keep, and by noise: settled readings of unreclaimable slab in
 * an idle guest wander within about 220 KiB with no trend (9 blocks of
 * 1,500 sessions, 2026-11-24). A leak grows with the sessions instead:
 * the mean of the last two of five readings, 400 sessions apart, against
 * the mean of the first two, moves 3 x 400 x the bytes leaked per session.
 * 160 KiB catches 137 bytes a session: a perf event (about 1.3 KiB), a
 * ring (12 KiB here), a session's state or per-CPU counters. Smaller
 * leaks of the module's own objects are the live counters' job. (More
 * sessions would not fit the guest's time: on 6.1-rt every target change
 * waits for an RCU grace period, tens of ms under TCG.)
 */
#define KMEM_BLOCKS		4
#define KMEM_BLOCK_SESSIONS	400
#define KMEM_TOLERANCE_KIB	160

static void scenario_kmem_cycles(void)
{
	struct kmem r[KMEM_BLOCKS + 1];
	long failed = 0, slab, percpu, vmalloc;
	struct count c;
	struct session s;
	pid_t pid;

	pid = spawn_target(&c);
	for (int i = 0; i < 100; i++) {		/* warm the caches up */
		session_start_on(&s, pid, 999, 2, 0);
		session_close(&s);
	}
	kmem_settled(&r[0]);
	for (int b = 1; b <= KMEM_BLOCKS; b++) {
		for (int i = 0; i < KMEM_BLOCK_SESSIONS; i++) {
			if (session_start_on(&s, pid, 999, 2, 0) || kdev__stop(s.dev))
				failed++;
			drain(&s, &c);
			session_close(&s);
		}
		kmem_settled(&r[b]);
	}
#define KMEM_TREND(f) ((r[3].f + r[4].f - r[0].f - r[1].f) / 2)
	slab = KMEM_TREND(slab);
	percpu = KMEM_TREND(percpu);
	vmalloc = KMEM_TREND(vmalloc);
#undef KMEM_TREND
	check(!failed, "kernel memory: %d whole sessions (open, configure, target, map, start, stop, close)",
	      KMEM_BLOCKS * KMEM_BLOCK_SESSIONS);
	if (kasan_kernel)
		slab = 0;	/* quarantined frees: not a leak signal */
	check(r[0].slab > 0 && slab < KMEM_TOLERANCE_KIB &&
	      percpu < KMEM_TOLERANCE_KIB && vmalloc < KMEM_TOLERANCE_KIB,
	      "kernel memory: no growth with the sessions: unreclaimable slab %ld KiB (%ld %ld %ld %ld %ld), percpu %ld KiB, vmalloc %ld KiB (each under %d)",
	      slab, r[0].slab, r[1].slab, r[2].slab, r[3].slab, r[4].slab,
	      percpu, vmalloc, KMEM_TOLERANCE_KIB);
	reap(pid);
	check_after("kernel memory");
}

/* ---- privilege: credentials that change under a live target */

#define SUID_COPY	"/tmp/ks-setuid-cburn"

struct cred_change {
	volatile int ready, go;
	volatile uint64_t switch_ns;
	struct count unpriv;
	volatile int unpriv_started, unpriv_err;
};

static void burn_ms(long ms)
{
	uint64_t end = now_ns() + ms * 1000000ULL;
	volatile uint64_t x = 1;

	while (now_ns() < end)
		x = x * 6364136223846793005ULL + 1;
}

/*
 * "After the exec" starts this long after the target calls execl(): until
 * the kernel commits the new credentials, deep in the exec, the process
 * is still nobody's, and its samples are rightly nobody's too. A few ms
 * natively; the debug kernel under emulation takes far longer.
 */
#define EXEC_GRACE_NS	250000000ULL

/* A copy of cburn owned by uid 4321, set-user-ID: exec makes its caller 4321. */
static int make_setuid_copy(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp %s %s && chown 4321:4321 %s && chmod 4755 %s",
		 cburn, SUID_COPY, SUID_COPY, SUID_COPY);
	return system(cmd);
}

/*
 * Runs as nobody, then execs the set-user-ID copy: what `su` or `sudo` do.
 * Dumpable again after the switch from root, as if nobody had started it.
 */
static void cred_target(struct cred_change *cc)
{
	if (become_nobody(true))
		_exit(1);
	cc->ready = 1;
	while (!cc->go)
		sleep_ms(10);
	burn_ms(1200);
	cc->switch_ns = now_ns();
	execl(SUID_COPY, SUID_COPY, "2", (char *)NULL);
	_exit(2);
}

static void cred_collector(struct cred_change *cc, pid_t target)
{
	struct session s;

	if (become_nobody(false))
		_exit(1);
	count_reset(&cc->unpriv, target);
	cc->unpriv_err = session_start_on(&s, target, 999, 0, 0);
	cc->unpriv_started = 1;
	if (cc->unpriv_err)
		_exit(0);
	while (!cc->switch_ns)
		pump(&s, 100, &cc->unpriv);
	cc->unpriv.mark_ns = cc->switch_ns + EXEC_GRACE_NS;
	pump(&s, 1500, &cc->unpriv);
	kdev__stop(s.dev);
	drain(&s, &cc->unpriv);
	session_close(&s);
	_exit(0);
}

static void scenario_cred_change(void)
{
	struct cred_change *cc = mmap(NULL, sizeof(*cc), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct count root;
	struct session s;
	pid_t target, collector;
	int status;

	if (make_setuid_copy()) {
		printf("ok %d - credentials change # SKIP cannot make %s set-user-ID\n",
		       ++test_n, SUID_COPY);
		return;
	}
	memset(cc, 0, sizeof(*cc));
	target = fork();
	if (target == 0)
		cred_target(cc);
	while (!cc->ready && waitpid(target, NULL, WNOHANG) == 0)
		sleep_ms(10);
	chmod(KSAMPLER_DEVICE_PATH, 0666);
	collector = fork();
	if (collector == 0)
		cred_collector(cc, target);
	while (!cc->unpriv_started)
		sleep_ms(10);
	chmod(KSAMPLER_DEVICE_PATH, 0600);
	check(!cc->unpriv_err,
	      "credentials change: nobody may profile its own process (%s)",
	      strerror(-cc->unpriv_err));
	count_reset(&root, target);
	session_start_on(&s, target, 999, 0, 0);
	cc->go = 1;
	while (!cc->switch_ns)
		pump(&s, 100, &root);
	root.mark_ns = cc->switch_ns + EXEC_GRACE_NS;
	pump(&s, 1500, &root);
	waitpid(target, &status, 0);
	kdev__stop(s.dev);
	drain(&s, &root);
	waitpid(collector, NULL, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "credentials change: the target, run by nobody, exec'd a set-user-ID binary mid-session");
	check(cc->unpriv.mine > 0 && !cc->unpriv.mine_after,
	      "credentials change: nobody's session got %ld samples before the exec, none once it was done",
	      cc->unpriv.mine);
	check(root.mine_after > 0,
	      "credentials change: root's session went on sampling it (%ld after)",
	      root.mine_after);
	check(!cc->unpriv.kernel_address,
	      "credentials change: no kernel address reached the unprivileged session");
	check_invariant("credentials change", &s);
	session_close(&s);
	munmap(cc, sizeof(*cc));
	unlink(SUID_COPY);
	check_after("credentials change");
}

/* --hold-map: a mapping that outlives its file holds the module. */
static int hold_map(void)
{
	struct session s;
	struct ksampler_ring_ctrl *ctrl;
	char line[16];

	if (session_open(&s, 99, 0))
		return 1;
	ctrl = mmap(NULL, s.v.page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    kdev__fd(s.dev), 0);
	if (ctrl == MAP_FAILED)
		return 1;
	kdev__close(s.dev);
	printf("mapped\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	return munmap(ctrl, s.v.page_size) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *kills = getenv("KSAMPLER_STRESS_KILLS");

	if (argc == 2 && !strcmp(argv[1], "--hold-map"))
		return hold_map();
	if (argc != 3) {
		fprintf(stderr, "usage: stress_test CHURN CBURN | --hold-map\n");
		return 2;
	}
	churn = argv[1];
	cburn = argv[2];
	if (getenv("KSAMPLER_DEBUG_KERNEL")) {
		rate_divisor = 10;
		kasan_kernel = !strcmp(getenv("KSAMPLER_DEBUG_KERNEL"), "debug");
	}
	kmsg_open();
	check_after("before the first scenario (after the ioctl fuzz)");

	scenario_thread_churn();
	scenario_fork_exec_storm();
	scenario_pid_reuse();
	scenario_zombies();
	scenario_hotplug_loop();
	scenario_collector_kills(kills ? atoi(kills) : 30);
	scenario_slow_reader();
	scenario_eight_sessions();
	scenario_kmem_cycles();
	scenario_cred_change();

	return tap_plan();
}
