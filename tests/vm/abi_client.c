// SPDX-License-Identifier: GPL-2.0-only
/*
 * abi_client - exercises /dev/ksampler's ioctl contract directly, the way
 * any client could, and the record layouts a session's flags choose (its
 * rings read through profctl's ring module). Prints TAP. Runs as root in
 * the guest with the module loaded.
 *
 *   abi_client [DEVICE]
 *   abi_client --spin		burn CPU until killed (the test execs it)
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#include "kdev.h"
#include "proc_stat.h"
#include "ring.h"
#include "tap.h"

/* Issues @cmd on @arg; returns 0 or the errno it failed with. */
static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static void test_device_node(const char *path)
{
	struct stat st;

	check(stat(path, &st) == 0, "%s exists", path);
	check(S_ISCHR(st.st_mode), "%s is a character device", path);
	check((st.st_mode & 07777) == 0600, "%s has mode 0600 (got %04o)", path,
	      st.st_mode & 07777);
	check(st.st_uid == 0 && st.st_gid == 0, "%s is owned by root:root", path);
	check(major(st.st_rdev) == 10, "%s is a misc device (major 10)", path);
}

static void test_get_version(int fd)
{
	struct ksampler_version v;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	check(ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, &v) == 0,
	      "GET_VERSION succeeds");
	check(v.size == KSAMPLER_VERSION_SIZE_VER0, "GET_VERSION reports size %u",
	      v.size);
	check(v.abi_major == KSAMPLER_ABI_MAJOR && v.abi_minor == KSAMPLER_ABI_MINOR,
	      "ABI is %u.%u (header says %d.%d)", v.abi_major, v.abi_minor,
	      KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR);
	check(v.nr_cpu_ids >= 1 && (long)v.nr_cpu_ids >= ncpu,
	      "nr_cpu_ids %u covers the %ld configured CPUs", v.nr_cpu_ids, ncpu);
	check(v.page_size == (unsigned int)getpagesize(), "page size %u",
	      v.page_size);
	check(v.features == (KSAMPLER_FEAT_SAMPLING | KSAMPLER_FEAT_EXEC_GEN |
			    KSAMPLER_FEAT_LIVE_STATS | KSAMPLER_FEAT_CPU_STATUS |
			    KSAMPLER_FEAT_STACK_SWITCH |
			    KSAMPLER_FEAT_PROC_START),
	      "features are exactly SAMPLING | EXEC_GEN | LIVE_STATS | CPU_STATUS | STACK_SWITCH | PROC_START (0x%llx)",
	      (unsigned long long)v.features);
	check(memchr(v.module_version, 0, sizeof(v.module_version)) &&
	      v.module_version[0] != 0,
	      "module version is a terminated string: '%s'",
	      (const char *)v.module_version);
}

/* A newer caller with a bigger struct gets zeroes past the module's size. */
static void test_bigger_caller(int fd)
{
	unsigned char buf[KSAMPLER_VERSION_SIZE_VER0 + 64];
	struct ksampler_version *v = (void *)buf;
	size_t i;
	int tail_zero = 1;

	memset(buf, 0xa5, sizeof(buf));
	v->size = sizeof(buf);
	check(ioctl_errno(fd, _IOWR(KSAMPLER_IOC_MAGIC, 0x00, buf), buf) == 0,
	      "GET_VERSION accepts a %zu-byte struct from a newer caller",
	      sizeof(buf));
	for (i = KSAMPLER_VERSION_SIZE_VER0; i < sizeof(buf); i++)
		tail_zero &= buf[i] == 0;
	check(tail_zero, "bytes past the module's struct are zeroed");
	check(v->size == KSAMPLER_VERSION_SIZE_VER0,
	      "size written back is the module's (%u)", v->size);
}

static void test_bad_sizes(int fd)
{
	static const uint32_t bad[] = {
		0, 4, KSAMPLER_VERSION_SIZE_VER0 - 1,
		KSAMPLER_MAX_STRUCT_SIZE + 1, UINT32_MAX,
	};
	unsigned char buf[KSAMPLER_MAX_STRUCT_SIZE + 8];
	size_t i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &bad[i], sizeof(bad[i]));
		err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, buf);
		check(err == EINVAL, "size %u is refused with EINVAL (got %s)",
		      bad[i], strerror(err));
	}
}

static void test_unknown_commands(int fd)
{
	struct ksampler_version v = { .size = sizeof(v) };
	int err;

	err = ioctl_errno(fd, _IOWR(KSAMPLER_IOC_MAGIC, 0x7f, v), &v);
	check(err == ENOTTY, "unknown command number: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IOWR('T', 0x00, v), &v);
	check(err == ENOTTY, "foreign ioctl magic: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IOR(KSAMPLER_IOC_MAGIC, 0x00, v), &v);
	check(err == ENOTTY, "GET_VERSION with the wrong direction: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IO(KSAMPLER_IOC_MAGIC, 0x00), &v);
	check(err == ENOTTY, "GET_VERSION encoded as _IO: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, TCGETS, &v);
	check(err == ENOTTY, "TCGETS: ENOTTY (got %s)", strerror(err));
}

static void test_bad_pointers(int fd)
{
	struct ksampler_version *ro;
	int err;

	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, NULL);
	check(err == EFAULT, "NULL argument: EFAULT (got %s)", strerror(err));
	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION,
			  (void *)0xffffffff81000000ul);
	check(err == EFAULT, "kernel-address argument: EFAULT (got %s)",
	      strerror(err));

	/* readable size, unwritable struct: the copy-out must fail cleanly */
	ro = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		check(0, "mmap for the read-only struct test: %s", strerror(errno));
		return;
	}
	ro->size = sizeof(*ro);
	mprotect(ro, getpagesize(), PROT_READ);
	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, ro);
	check(err == EFAULT, "read-only struct: EFAULT (got %s)", strerror(err));
	munmap(ro, getpagesize());
}

/* Anyone but root is turned away by the node's mode, before any ioctl. */
static void test_unprivileged_open(const char *path)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (open(path, O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "uid 65534 cannot open %s (EACCES; child status %d)", path,
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_two_opens(const char *path)
{
	struct ksampler_version v = { .size = sizeof(v) };
	int a = open(path, O_RDWR), b = open(path, O_RDWR);

	check(a >= 0 && b >= 0, "two opens at once");
	check(ioctl_errno(b, KSAMPLER_IOC_GET_VERSION, &v) == 0 &&
	      ioctl_errno(a, KSAMPLER_IOC_GET_VERSION, &v) == 0,
	      "both answer GET_VERSION");
	check(lseek(a, 0, SEEK_SET) < 0 && errno == ESPIPE,
	      "the device is not seekable (ESPIPE)");
	close(a);
	close(b);
}

/* ---- CONFIG_PROC_START (ABI 1.6) */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* CONFIGURE at 99 Hz; 0 or the errno. */
static int configure(int fd, uint32_t flags, uint32_t max_frames,
		     uint32_t ring_pages)
{
	struct ksampler_config c = { .size = sizeof(c), .flags = flags,
				     .frequency = 99, .max_frames = max_frames,
				     .ring_pages = ring_pages };

	return ioctl_errno(fd, KSAMPLER_IOC_CONFIGURE, &c);
}

/*
 * The flag is known and no other new one is; what sizes a session's
 * largest record (the ring's room for two, read()'s buffer) counts
 * proc_start_ns.
 */
static void test_config_proc_start(const char *path)
{
	uint32_t frames = (uint32_t)(getpagesize() / 2 -
				     KSAMPLER_SAMPLE_FIXED_SIZE) / 8;
	char buf[KSAMPLER_SAMPLE_PROC_START_SIZE + 4 * 8];
	int fd = open(path, O_RDWR | O_CLOEXEC), bit, refused = 0, err;
	ssize_t n;

	for (bit = 3; bit < 32; bit++)
		refused += configure(fd, 1U << bit, 0, 0) == EINVAL;
	check(refused == 29, "CONFIGURE refuses each flag of bits 3 to 31 with EINVAL (%d of 29)",
	      refused);
	err = configure(fd, KSAMPLER_CONFIG_PROC_START, 0, 0);
	check(!err, "CONFIGURE takes PROC_START (%s)", strerror(err));
	err = configure(fd, KSAMPLER_CONFIG_PROC_START | KSAMPLER_CONFIG_NO_UNWIND |
			KSAMPLER_CONFIG_COUNT_ONLY, 0, 0);
	check(!err, "CONFIGURE takes PROC_START | NO_UNWIND | COUNT_ONLY (%s)",
	      strerror(err));
	err = configure(fd, 0, frames, 1);
	check(!err, "a 1-page ring takes %u frames without PROC_START: two records of %u bytes fit (%s)",
	      frames, KSAMPLER_SAMPLE_FIXED_SIZE + 8 * frames, strerror(err));
	err = configure(fd, KSAMPLER_CONFIG_PROC_START, frames, 1);
	check(err == EINVAL, "... and refuses them with PROC_START: two of %u bytes do not (%s)",
	      KSAMPLER_SAMPLE_PROC_START_SIZE + 8 * frames, strerror(err));
	err = configure(fd, KSAMPLER_CONFIG_PROC_START, 4, 0);
	n = read(fd, buf, sizeof(buf) - 8);
	check(!err && n < 0 && errno == EINVAL,
	      "read() of %zu bytes with PROC_START and 4 frames: EINVAL, a record may take %zu (%s)",
	      sizeof(buf) - 8, sizeof(buf), n < 0 ? strerror(errno) : "no error");
	n = read(fd, buf, sizeof(buf));
	check(n < 0 && errno == EAGAIN, "read() of %zu bytes: EAGAIN, the rings are empty (%s)",
	      sizeof(buf), n < 0 ? strerror(errno) : "no error");
	close(fd);
}

__attribute__((noreturn)) static void spin(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static void *spin_thread(void *arg)
{
	(void)arg;
	spin();
}

/* A thread other than the leader execs: de_thread() makes it the leader. */
static void *exec_thread(void *arg)
{
	(void)arg;
	sleep_ms(400);
	execl("/proc/self/exe", "abi_client", "--spin", (char *)NULL);
	_exit(127);
}

/*
 * Child A: forks B, which burns; then burns in two threads while a third
 * execs this program (--spin, which burns too). Returns A; B's pid in @b.
 */
static pid_t start_family(pid_t *b)
{
	pthread_t t;
	int pfd[2];
	pid_t a, kid;

	*b = -1;
	if (pipe(pfd))
		return -1;
	a = fork();
	if (a == 0) {
		kid = fork();
		if (kid == 0)
			spin();
		if (write(pfd[1], &kid, sizeof(kid)) != sizeof(kid) ||
		    pthread_create(&t, NULL, spin_thread, NULL) ||
		    pthread_create(&t, NULL, exec_thread, NULL))
			_exit(1);
		spin();
	}
	close(pfd[1]);
	if (a > 0 && read(pfd[0], b, sizeof(*b)) != sizeof(*b))
		*b = -1;
	close(pfd[0]);
	return a;
}

/* clone_args as of Linux 5.5 (CLONE_ARGS_SIZE_VER1), for set_tid. */
struct clone_args_v1 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size;
};

/* A child that burns, with the pid @pid (free again): a reused pid. */
static pid_t start_with_pid(pid_t pid)
{
	struct clone_args_v1 args = { .exit_signal = SIGCHLD,
				      .set_tid = (uintptr_t)&pid,
				      .set_tid_size = 1 };
	long r = syscall(SYS_clone3, &args, sizeof(args));

	if (r == 0)
		spin();
	return (pid_t)r;
}

/* The field-22 start time of /proc/PID/stat: clock ticks since boot. */
static unsigned long long stat_start_ticks(pid_t pid)
{
	uint64_t ticks;

	return proc_start_ticks("/proc", pid, &ticks) ? 0 : ticks;
}

static unsigned long long ns_to_ticks(uint64_t ns)
{
	return ns / (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* What the samples of one process in one phase and image said. */
struct seen {
	int phase;
	pid_t pid;
	uint16_t gen;
	long n, threads, varies;
	uint64_t start;		/* proc_start_ns of its first sample */
};

#define MAX_SEEN	16

struct layout_ctx {
	bool proc_start;	/* the session's CONFIG_PROC_START */
	int phase;
	long samples, bad;	/* bad: size, flag or frames out of place */
	struct seen seen[MAX_SEEN];
	int nr_seen;
};

static struct seen *seen_get(struct layout_ctx *c, pid_t pid, uint16_t gen)
{
	struct seen *p;
	int i;

	for (i = 0; i < c->nr_seen; i++) {
		p = &c->seen[i];
		if (p->phase == c->phase && p->pid == pid && p->gen == gen)
			return p;
	}
	if (c->nr_seen == MAX_SEEN)
		return NULL;
	p = &c->seen[c->nr_seen++];
	p->phase = c->phase;
	p->pid = pid;
	p->gen = gen;
	return p;
}

/*
 * What @pid's samples in @phase said: those of image @gen, or with
 * @other, those of the first other image seen; NULL if none.
 */
static const struct seen *seen_find(const struct layout_ctx *c, int phase,
				    pid_t pid, int gen, bool other)
{
	int i;

	for (i = 0; i < c->nr_seen; i++)
		if (c->seen[i].phase == phase && c->seen[i].pid == pid &&
		    (c->seen[i].gen != gen) == other)
			return &c->seen[i];
	return NULL;
}

/*
 * Checks the layout the session's flag chose: with PROC_START, the fixed
 * part is 88 bytes and the frames follow proc_start_ns; without, ABI
 * 1.5's 80. Either way the first frame is the leaf, user_ip.
 */
static int on_record(const struct ksampler_record_header *h, unsigned int cpu,
		     void *arg)
{
	struct layout_ctx *c = arg;
	const struct ksampler_sample *s = (const void *)h;
	uint32_t fixed = c->proc_start ? KSAMPLER_SAMPLE_PROC_START_SIZE :
					 KSAMPLER_SAMPLE_FIXED_SIZE;
	const uint64_t *ips = (const void *)((const char *)h + fixed);
	uint64_t start = c->proc_start ? s->ips[0] : 0;
	struct seen *p;

	(void)cpu;
	if (h->type != KSAMPLER_RECORD_SAMPLE)
		return 0;
	c->samples++;
	if (h->size < fixed || !s->nr_frames ||
	    h->size != fixed + 8U * s->nr_frames ||
	    !(h->flags & KSAMPLER_SAMPLE_PROC_START) != !c->proc_start ||
	    ips[0] != s->user_ip) {
		c->bad++;
		return 0;
	}
	p = seen_get(c, (pid_t)s->pid, s->exec_gen);
	if (!p)
		return 0;
	if (!p->n)
		p->start = start;
	p->varies += start != p->start;
	p->threads += s->tid != s->pid;
	p->n++;
	return 0;
}

/* A session on this process and its descendants, mapped and started. */
struct rec_session {
	struct kdev *dev;
	struct ring_set *rings;
	struct layout_ctx ctx;
};

static int rec_session_start(struct rec_session *r, const char *path,
			     uint32_t flags)
{
	struct ksampler_config cfg = { .frequency = 997, .ring_pages = 64,
				       .flags = flags };
	struct ksampler_version v;
	int err;

	memset(r, 0, sizeof(*r));
	r->ctx.proc_start = flags & KSAMPLER_CONFIG_PROC_START;
	r->dev = kdev__open(path);
	if (!r->dev)
		return -errno;
	err = kdev__version(r->dev, &v);
	if (!err)
		err = kdev__configure(r->dev, &cfg);
	if (!err)
		err = kdev__add_target(r->dev, getpid(),
				       KSAMPLER_TARGET_CHILDREN);
	if (!err) {
		r->rings = ring_set__open(kdev__fd(r->dev), v.nr_cpu_ids,
					  cfg.ring_pages, v.page_size);
		err = r->rings ? 0 : -errno;
	}
	return err ? err : kdev__start(r->dev);
}

static void rec_session_close(struct rec_session *r)
{
	ring_set__close(r->rings);
	kdev__close(r->dev);
}

/* Drains both sessions every 50 ms for @ms, and once more at the end. */
static void pump(struct rec_session *r, long ms)
{
	uint64_t end = mono_ns() + ms * 1000000ULL;
	int i;

	do {
		sleep_ms(50);
		for (i = 0; i < 2; i++)
			ring_set__drain(r[i].rings, on_record, &r[i].ctx);
	} while (mono_ns() < end);
}

static void reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Check one process's samples: some, one start time among them all, the
 * one /proc/PID/stat gives (@ticks, read while it ran).
 */
static void check_start(const char *what, const struct seen *p,
			unsigned long long ticks)
{
	check(p && p->n > 0 && !p->varies && ns_to_ticks(p->start) == ticks,
	      "%s: %ld samples, all with proc_start_ns %llu, %llu ticks, as /proc/PID/stat says (%llu)",
	      what, p ? p->n : 0, p ? (unsigned long long)p->start : 0,
	      p ? ns_to_ticks(p->start) : 0, ticks);
}

/*
 * Two sessions over the same processes, one with PROC_START and one
 * without: A (three threads, one of which execs), B its forked child,
 * then a newcomer that takes A's pid once A is gone. pid and exec_gen
 * are the same for A and the newcomer: only the start time differs.
 */
static void test_proc_start_records(const char *path)
{
	unsigned long long ticks_a, ticks_b, ticks_new;
	struct rec_session r[2];
	const struct seen *a, *a_exec, *b, *newcomer;
	pid_t pa, pb, pnew;
	int err, gen;

	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* B outlives A: reap it here */
	err = rec_session_start(&r[0], path, KSAMPLER_CONFIG_PROC_START);
	if (!err)
		err = rec_session_start(&r[1], path, 0);
	check(!err, "two sessions on this process and its children, with and without PROC_START (%s)",
	      strerror(-err));
	if (err)
		return;

	r[0].ctx.phase = r[1].ctx.phase = 1;
	pa = start_family(&pb);
	sleep_ms(100);
	ticks_a = stat_start_ticks(pa);
	ticks_b = stat_start_ticks(pb);
	pump(r, 1200);
	reap(pa);
	reap(pb);
	pump(r, 0);

	r[0].ctx.phase = r[1].ctx.phase = 2;
	pnew = start_with_pid(pa);
	check(pa > 0 && pnew == pa, "clone3 with set_tid hands A's pid %d to a newcomer (%d: %s)",
	      pa, pnew, pnew < 0 ? strerror(errno) : "no error");
	sleep_ms(100);
	ticks_new = stat_start_ticks(pnew);
	pump(r, 600);
	reap(pnew);
	pump(r, 0);

	check(r[0].ctx.samples > 0 && !r[0].ctx.bad,
	      "PROC_START: %ld of %ld samples flagged PROC_START, sized 88 + 8 * nr_frames, the leaf after proc_start_ns",
	      r[0].ctx.samples - r[0].ctx.bad, r[0].ctx.samples);
	check(r[1].ctx.samples > 0 && !r[1].ctx.bad,
	      "without it: %ld of %ld samples in ABI 1.5's layout, unflagged, sized 80 + 8 * nr_frames",
	      r[1].ctx.samples - r[1].ctx.bad, r[1].ctx.samples);

	/* B never execs: its image is the one A and the newcomer start in */
	b = seen_find(&r[0].ctx, 1, pb, -1, true);
	gen = b ? b->gen : -1;
	a = seen_find(&r[0].ctx, 1, pa, gen, false);
	a_exec = seen_find(&r[0].ctx, 1, pa, gen, true);
	newcomer = seen_find(&r[0].ctx, 2, pa, gen, false);
	check_start("A", a, ticks_a);
	check(a && a->threads > 0, "A: %ld samples of its other threads carry the process's start",
	      a ? a->threads : 0);
	check_start("B, A's forked child", b, ticks_b);
	check(a && b && a->start != b->start,
	      "B has A's exec_gen %u and another start time (%llu, A's %llu)",
	      b ? b->gen : 0, b ? (unsigned long long)b->start : 0,
	      a ? (unsigned long long)a->start : 0);
	check(a && a_exec && a_exec->n > 0 && !a_exec->varies &&
	      a_exec->start == a->start,
	      "A after a thread other than the leader exec'd: exec_gen %u, the same start time (%llu)",
	      a_exec ? a_exec->gen : 0,
	      a_exec ? (unsigned long long)a_exec->start : 0);
	check_start("the newcomer with A's pid", newcomer, ticks_new);
	check(a && newcomer && newcomer->start > a->start,
	      "the newcomer has A's pid and exec_gen, and a later start time (%llu, A's %llu)",
	      newcomer ? (unsigned long long)newcomer->start : 0,
	      a ? (unsigned long long)a->start : 0);
	rec_session_close(&r[0]);
	rec_session_close(&r[1]);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : KSAMPLER_DEVICE_PATH;
	int fd;

	if (!strcmp(path, "--spin"))
		spin();

	test_device_node(path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	check(fd >= 0, "root opens %s", path);
	if (fd < 0) {
		return tap_plan();
	}
	test_get_version(fd);
	test_bigger_caller(fd);
	test_bad_sizes(fd);
	test_unknown_commands(fd);
	test_bad_pointers(fd);
	close(fd);
	test_two_opens(path);
	test_unprivileged_open(path);
	test_config_proc_start(path);
	test_proc_start_records(path);

	return tap_plan();
}
