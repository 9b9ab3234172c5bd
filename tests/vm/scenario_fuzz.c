// SPDX-License-Identifier: GPL-2.0-only
/*
 * scenario_fuzz [--seed N] [--start I] [--count K] [--steps LIST] [ITERATIONS] -
 * structured hostile scenarios against /dev/ksampler, in the guest, as
 * root with the module loaded. Prints TAP.
 *
 * ioctl_fuzz throws random calls and never reached the module's worst
 * defects: those needed structure. Here every iteration is a fresh worker
 * process that drives valid session life cycles (open, CONFIGURE,
 * ADD_TARGET, mmap, START, drain, STOP, DEL_TARGET, reconfigure, close)
 * with hostile steps in between, chosen by a PRNG seeded from the run's
 * seed and the iteration number. --steps picks the classes (all by
 * default):
 *
 *  forge    data_tail and data_head of a mapped control page set to every
 *           value of interest, then read() into buffers of every size and
 *           kind (NULL, read-only, straddling an unmapped page, the ring's
 *           own pages, misaligned, unpopulated) and poll(); after STOP, a
 *           tail placed on a record-sized word near the end of the ring
 *           (a thread of ours spins with its frame pointer set to such a
 *           size, so that every sample of it carries the word) to see
 *           whether read() copies from past the ring;
 *  race     a thread mapping and unmapping ring pages (control and data,
 *           shared and private, writable data, wrong lengths and offsets)
 *           while the others call every ioctl and read(), some with their
 *           argument straddling a page that a third thread unmaps,
 *           remaps, protects and discards in a loop;
 *  targets  children that exit after a random delay, some reaped at once,
 *           some left zombies, some auto-reaped by a subprocess that
 *           ignores SIGCHLD, added and deleted around their exit (with and
 *           without KSAMPLER_TARGET_CHILDREN); our own threads by tid;
 *           other users' processes; invalid ids;
 *  hotplug  CPU 1 taken offline and back while sessions run;
 *  config   invalid configurations between the valid ones;
 *  unpriv   the last fifth of the iterations run as nobody (65534) with
 *           the device made 0666: a session nobody opened must refuse
 *           others' processes and system-wide sampling, and never see a
 *           sample of another user's process.
 *
 * This process is the supervisor and the watchdog: an iteration that does
 * not end within HANG_S seconds is a hang, reported with each worker
 * thread's last step and kernel stack. It reads /dev/kmsg throughout and
 * stops at the first oops, BUG, WARNING, lockup or stall (naming the step),
 * and after every iteration checks from a fresh session that the module
 * owns nothing any more. Only what ksampler_uapi.h promises is judged:
 * results and errnos, the accounting invariant after every STOP,
 * well-formed records, the refusals. The seed is printed, and every
 * failure names the command that replays its iteration alone (--seed S
 * --start I --count 1 N: the iteration's choices depend only on S, I and
 * N; its timing, of course, does not). KSAMPLER_SCENARIO_ITERS sets the
 * default number of iterations.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#include "attack.h"
#include "kmsg.h"
#include "tap.h"

/* About 80 s in a 2-vCPU TCG guest (README: ~10x slower than native). */
#define DEFAULT_ITERS	60
#define HANG_S		30
#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define PARAMS		"/sys/module/ksampler/parameters/"
#define MAX_RATE	"/proc/sys/kernel/perf_event_max_sample_rate"

#define MAX_CPUS	64
#define MAX_SESS	8
#define MAX_KIDS	128
#define BIG_BUF		(256 * 1024)
#define REGION		(1UL << 30)

#define ST_FORGE	(1U << 0)
#define ST_RACE		(1U << 1)
#define ST_TARGETS	(1U << 2)
#define ST_HOTPLUG	(1U << 3)
#define ST_CONFIG	(1U << 4)
#define ST_UNPRIV	(1U << 5)
#define ST_ALL		0x3fU

static const char *const step_classes[] = {
	"forge", "race", "targets", "hotplug", "config", "unpriv",
};

/* The worker's threads, named in the watchdog's report. */
enum { T_MAIN, T_MAPPER, T_PAGER, T_CRAFT, T_HOTPLUG, NTHREADS };
static const char *const thread_names[NTHREADS] = {
	"main", "mapper", "pager", "crafted", "hotplug",
};

/* The TAP points of a run; a failure is reported against one of them. */
enum point {
	P_DONE,		/* iterations ran to their end: none hung or died */
	P_ERRNO,	/* every result success or an expected errno */
	P_INVARIANT,	/* the accounting invariant after STOP */
	P_RECORDS,	/* rings and records well-formed, no overrun */
	P_LEAK,		/* live counters back to zero */
	P_UNPRIV,	/* refusals for nobody */
	P_HOTPLUG,
	P_KMSG,
	P_NR,
	P_NOTE = P_NR,	/* worth a line, not a failure */
};

#define STEP_LEN	160
#define HIST		12
#define MSG_SLOTS	32
#define MSG_LEN		480

/*
 * Shared between the supervisor and the worker of the moment: what each
 * worker thread is doing (the watchdog's view), the messages of the
 * iteration, and the run's totals.
 */
struct shared {
	char step[NTHREADS][STEP_LEN];
	pid_t tid[NTHREADS];
	char hist[HIST][STEP_LEN];
	unsigned int hist_n;
	unsigned int msg_n;
	int msg_point[MSG_SLOTS];
	char msg[MSG_SLOTS][MSG_LEN];
	long bad[P_NR + 1];
	long calls, stops, records, forged_reads, probes, refusals;
	long toggles, lifecycles, dying_adds, straddled, mmaps;
};

static struct shared *sh;

/* ---- set by the supervisor before each worker is forked */

static uint64_t run_seed;
static long iter;
static unsigned int steps = ST_ALL;
static bool unpriv;
static bool can_hotplug;
static long pagesz;
static int nr_cpus;
static pid_t super_pid, burner_pid;
static uint32_t default_ring_pages = 64, max_ring_pages = 4096;
static uint64_t max_frequency = 100000;
static bool feat_cpu_status;
static bool feat_proc_start;

/* ---- PRNG: xorshift64*, one state per thread, from the seed */

static __thread uint64_t rng;
static __thread int me;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool one_in(uint64_t n)
{
	return below(n) == 0;
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t iter_seed(long i)
{
	return splitmix(run_seed ^ splitmix((uint64_t)i)) | 1;
}

static void seed_thread(int slot)
{
	me = slot;
	rng = splitmix(iter_seed(iter) + (uint64_t)slot * 0x1234567ULL) | 1;
	sh->tid[slot] = gettid();
}

/* ---- time */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void burn_us(uint64_t us)
{
	uint64_t end = now_ns() + us * 1000;
	volatile uint64_t x = 1;

	while (now_ns() < end)
		x = x * 6364136223846793005ULL + 1;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

static uint64_t read_param(const char *name, uint64_t dflt)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = 0;
	return strtoull(buf, NULL, 0);
}

/* ---- what the worker tells the supervisor */

__attribute__((format(printf, 1, 2)))
static void step(const char *fmt, ...)
{
	char *dst = sh->step[me];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, STEP_LEN, fmt, ap);
	va_end(ap);
	if (me == T_MAIN) {
		memcpy(sh->hist[sh->hist_n % HIST], dst, STEP_LEN);
		sh->hist_n++;
	}
}

/* A failure (or a note) against point @p, prefixed with the thread's step. */
__attribute__((format(printf, 2, 3)))
static void report(enum point p, const char *fmt, ...)
{
	unsigned int n = __atomic_fetch_add(&sh->msg_n, 1, __ATOMIC_RELAXED);
	char stepnow[STEP_LEN];
	va_list ap;
	int k;

	if (p != P_NOTE)
		__atomic_fetch_add(&sh->bad[p], 1, __ATOMIC_RELAXED);
	if (n >= MSG_SLOTS)
		return;
	memcpy(stepnow, sh->step[me], STEP_LEN);
	stepnow[STEP_LEN - 1] = 0;
	k = snprintf(sh->msg[n], MSG_LEN, "%s thread, %s: ", thread_names[me],
		     stepnow);
	if (k < 0 || k >= MSG_LEN)
		k = 0;
	va_start(ap, fmt);
	vsnprintf(sh->msg[n] + k, MSG_LEN - k, fmt, ap);
	va_end(ap);
	sh->msg_point[n] = p;
}

static void count(long *what)
{
	__atomic_fetch_add(what, 1, __ATOMIC_RELAXED);
}

/* ---- judging results: success, or an errno of the expected set */

typedef unsigned __int128 eset;
#define E(x)		((eset)1 << (x))
#define ES_LIMITS	(E(ENOMEM) | E(EBUSY) | E(EPERM) | E(ENOSPC))
#define ES_MUSTFAIL	(E(EINVAL) | E(EINTR))

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "an unknown errno";
}

static void eset_str(char *buf, size_t len, bool ok, eset errs)
{
	size_t k = 0;
	int e;

	buf[0] = 0;
	if (ok)
		k += snprintf(buf, len, "success");
	for (e = 1; e < 128 && k < len; e++)
		if (errs & E(e))
			k += snprintf(buf + k, len - k, "%s%s", k ? "|" : "",
				      ename(e));
}

static bool judge_p(enum point p, long r, int err, bool ok, eset errs)
{
	char want[160];

	count(&sh->calls);
	if (r >= 0 ? ok : (err > 0 && err < 128 && (errs & E(err))))
		return true;
	eset_str(want, sizeof(want), ok, errs);
	report(p, "%s, expected %s", r >= 0 ? "succeeded" : ename(err), want);
	return false;
}

static bool judge(long r, int err, bool ok, eset errs)
{
	return judge_p(P_ERRNO, r, err, ok, errs);
}

/* One ioctl, judged. Return: its result, or -errno. */
static long xioctl_p(enum point p, int fd, unsigned long cmd, void *arg,
		     bool ok, eset errs)
{
	long r;
	int e;

	errno = 0;
	r = ioctl(fd, cmd, arg);
	e = errno;
	judge_p(p, r, e, ok, errs);
	return r < 0 ? -e : r;
}

static long xioctl(int fd, unsigned long cmd, void *arg, bool ok, eset errs)
{
	return xioctl_p(P_ERRNO, fd, cmd, arg, ok, errs);
}

/* ---- the worker's state */

enum mode {
	M_MMAP,		/* drained through the mapped rings, checked */
	M_READ,		/* drained with read(), checked */
	M_HOSTILE,	/* forged control pages and hostile reads */
};
static const char *const mode_names[] = { "mmap", "read", "hostile" };

struct sess {
	int id, fd;
	enum mode mode;
	bool opened_priv;	/* opened by root: the file's credentials */
	bool configured, running, all, own_added, mapped, forged, suspect;
	bool pruned;		/* exited targets may have given up slots */
	bool read_used;
	int ntargets;
	int view;
	uint32_t event, max_frames, ring_pages, flags;
	uint64_t ring_bytes;
	struct ksampler_ring_ctrl *ctrl[MAX_CPUS];
	uint8_t *data[MAX_CPUS];
	int nmapped;
};

static struct sess sessions[MAX_SESS];
static int nsessions;

/*
 * What the racing threads see of a session: a descriptor of their own
 * (a dup, so that it stays the same file whatever main closes) and the
 * ring geometry, with a generation that is odd while CONFIGURE runs.
 */
struct view {
	int fd;
	unsigned int gen;
	unsigned int ring_pages;
	int mode;
};

static struct view views[MAX_SESS];
static int nviews;

static int stopping;
static int running_sessions;
static uint64_t crafted_bp = 4096;	/* the word the crafted thread carries */

/* Address space main maps its rings into (see map_fixed()). */
static char *region, *region_bump, *region_end;

/* The 2-page area whose second page the pager keeps changing. */
static char *strad;
/* A page, then one that is never accessible. */
static char *guard;
/* A read-only page. */
static char *ro_page;
/* Pages that are discarded before each use, so that a copy faults them in. */
static char *fresh;
#define FRESH_PAGES	16

static uint8_t *bigbuf;

struct kid {
	pid_t pid;
	int kind;
	bool reaped;
	uint32_t in_set;	/* sessions it is a target of, by index */
};

enum { K_HOLD, K_SLEEP, K_BURN, K_EXEC, K_NR };
static const char *const kid_names[] = { "holding", "sleeping", "burning", "exec'ing" };

static struct kid kids[MAX_KIDS];
static int nkids;

static int reaper_cmd = -1, reaper_out = -1;
static pid_t reaper_pid;
static uint32_t reaper_in_set;

/*
 * When each auto-reaped child is to exit (CLOCK_MONOTONIC ns; 0 until the
 * worker says), shared with them: the worker sets it once its first,
 * slow ADD_TARGET (an RCU grace period) is done, so that the death falls
 * among the quick ones that follow.
 */
#define DEATH_SLOTS	64
static uint64_t *death_at;
static unsigned int death_slot;

static sem_t hp_go;
static int hp_busy, hp_quit;
static long hp_ms;

/* Bytes before the frames of a SAMPLE: proc_start_ns makes 88 (ABI 1.6). */
static uint32_t rec_fixed(uint32_t config_flags)
{
	return config_flags & KSAMPLER_CONFIG_PROC_START ?
	       KSAMPLER_SAMPLE_PROC_START_SIZE : KSAMPLER_SAMPLE_FIXED_SIZE;
}

static uint32_t rec_max(const struct sess *s)
{
	return rec_fixed(s->flags) + 8 * s->max_frames;
}

/* ---- records */

static bool forbidden_pid(uint32_t pid)
{
	return pid == 1 || pid == (uint32_t)super_pid ||
	       (burner_pid > 0 && pid == (uint32_t)burner_pid);
}

/*
 * Checks one record the ring or read() handed out; @room is how many bytes
 * it may take. Return: its size, or 0 if it is not a record.
 */
static uint32_t check_record(const struct sess *s, const char *where,
			     const uint8_t *p, uint64_t room)
{
	const struct ksampler_record_header *h = (const void *)p;
	const struct ksampler_sample *smp = (const void *)p;
	const struct ksampler_lost *lost = (const void *)p;
	uint32_t fixed = rec_fixed(s->flags);

	if (room < sizeof(*h) || h->size < sizeof(*h) || h->size % 8 ||
	    h->size > room) {
		report(P_RECORDS, "%s: a record of %u bytes where %llu remain",
		       where, room < sizeof(*h) ? 0 : h->size,
		       (unsigned long long)room);
		return 0;
	}
	count(&sh->records);
	switch (h->type) {
	case KSAMPLER_RECORD_SAMPLE:
		/* the session's flag decides the layout, every record's */
		if (h->size < fixed || smp->nr_frames > s->max_frames ||
		    h->size != fixed + 8U * smp->nr_frames ||
		    !(h->flags & KSAMPLER_SAMPLE_PROC_START) !=
		    !(s->flags & KSAMPLER_CONFIG_PROC_START)) {
			report(P_RECORDS, "%s: a SAMPLE of %u bytes with %u frames, flags 0x%x (max_frames %u, config flags 0x%x)",
			       where, h->size,
			       h->size >= fixed ? smp->nr_frames : 0,
			       h->flags, s->max_frames, s->flags);
			return 0;
		}
		if (!s->opened_priv && forbidden_pid(smp->pid))
			report(P_UNPRIV, "%s: a session nobody opened got a sample of pid %u (tid %u), another user's process",
			       where, smp->pid, smp->tid);
		return h->size;
	case KSAMPLER_RECORD_LOST:
		if (h->size != KSAMPLER_LOST_SIZE || !lost->reason ||
		    lost->reason >= KSAMPLER_LOST_MAX) {
			report(P_RECORDS, "%s: a LOST record of %u bytes, reason %u",
			       where, h->size, lost->reason);
			return 0;
		}
		return h->size;
	case KSAMPLER_RECORD_PAD:
		return h->size;
	default:
		report(P_RECORDS, "%s: a record of type %u", where, h->type);
		return 0;
	}
}

static void check_stream(const struct sess *s, const char *where,
			 const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint32_t n;

	while (off < len) {
		n = check_record(s, where, p + off, len - off);
		if (!n)
			return;
		off += n;
	}
}

/* The ring protocol of ksampler_uapi.h, checking every record. */
static void drain_ring(struct sess *s, int cpu)
{
	struct ksampler_ring_ctrl *c = s->ctrl[cpu];
	const uint8_t *d = s->data[cpu];
	uint64_t size = s->ring_bytes, head, tail, off;
	uint32_t n;
	char where[48];

	snprintf(where, sizeof(where), "ring of CPU %d", cpu);
	head = __atomic_load_n(&c->data_head, __ATOMIC_ACQUIRE);
	tail = c->data_tail;
	if (s->forged) {
		/* nothing to check: resynchronise on a record boundary */
		__atomic_store_n(&c->data_tail, head, __ATOMIC_RELEASE);
		return;
	}
	if (head < tail || head - tail > size || head % 8) {
		report(P_RECORDS, "%s: data_head %llu, data_tail %llu, size %llu",
		       where, (unsigned long long)head,
		       (unsigned long long)tail, (unsigned long long)size);
		__atomic_store_n(&c->data_tail, head, __ATOMIC_RELEASE);
		return;
	}
	while (tail < head) {
		off = tail & (size - 1);
		n = check_record(s, where, d + off, head - tail < size - off ?
				 head - tail : size - off);
		if (!n) {
			tail = head;
			break;
		}
		tail += n;
	}
	__atomic_store_n(&c->data_tail, tail, __ATOMIC_RELEASE);
}

/* ---- mappings */

/*
 * While the pager has the straddle page unmapped, nobody's mmap(NULL) may
 * land in the hole: the racing ioctls that write there would then write
 * into whatever took it (a ring's control page, say). Every mmap(NULL)
 * of the worker's threads, once they run, takes this for reading; the
 * pager's munmap and remap, for writing. The page is unmapped all the
 * same for the ioctls, which take no part in this.
 */
static pthread_rwlock_t map_gate = PTHREAD_RWLOCK_INITIALIZER;

static void *map_any(size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;
	int e;

	pthread_rwlock_rdlock(&map_gate);
	p = mmap(NULL, len, prot, flags, fd, off);
	e = errno;
	pthread_rwlock_unlock(&map_gate);
	errno = e;
	return p;
}

/*
 * Main's valid ring mappings go at fresh addresses of a PROT_NONE
 * reservation, never reused: the racing threads' mmap(NULL) calls and the
 * pager's holes cannot land on them, and they on nothing but the
 * reservation. A failed MAP_FIXED may leave a hole (6.1 unmaps first); it
 * is taken back if no one took it meanwhile.
 */
static void *map_fixed(size_t len, int prot, int fd, off_t off, int *err)
{
	char *want = region_bump;
	void *p;

	if (want + len > region_end) {
		p = map_any(len, prot, MAP_SHARED, fd, off);
		*err = errno;
		return p == MAP_FAILED ? NULL : p;
	}
	region_bump += len + pagesz;
	p = mmap(want, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	*err = errno;
	if (p != MAP_FAILED)
		return p;
	mmap(want, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
	     MAP_FIXED_NOREPLACE, -1, 0);
	return NULL;
}

static void unmap_cpu(struct sess *s, int cpu)
{
	if (s->ctrl[cpu])
		munmap(s->ctrl[cpu], pagesz);
	if (s->data[cpu])
		munmap(s->data[cpu], s->ring_bytes);
	s->ctrl[cpu] = NULL;
	s->data[cpu] = NULL;
}

static void unmap_all(struct sess *s)
{
	int cpu;

	for (cpu = 0; cpu < s->nmapped; cpu++)
		unmap_cpu(s, cpu);
	s->nmapped = 0;
	s->mapped = false;
}

static bool map_cpu(struct sess *s, int cpu)
{
	int e = 0;

	step("mmap control page of CPU %d, session %d", cpu, s->id);
	s->ctrl[cpu] = map_fixed(pagesz, PROT_READ | PROT_WRITE, s->fd,
				 KSAMPLER_MMAP_CTRL_PGOFF(cpu) * pagesz, &e);
	count(&sh->mmaps);
	if (!judge(s->ctrl[cpu] ? 0 : -1, e, true, E(ENOMEM)) || !s->ctrl[cpu])
		return false;
	/* (a hostile session writes its own control pages: no telling then) */
	if (s->mode != M_HOSTILE && (s->ctrl[cpu]->data_size != s->ring_bytes ||
				     s->ctrl[cpu]->cpu != (uint32_t)cpu))
		report(P_RECORDS, "control page says data_size %llu, cpu %u; the session has %llu-byte rings and this is CPU %d",
		       (unsigned long long)s->ctrl[cpu]->data_size,
		       s->ctrl[cpu]->cpu, (unsigned long long)s->ring_bytes, cpu);
	step("mmap %u data pages of CPU %d, session %d", s->ring_pages, cpu,
	     s->id);
	s->data[cpu] = map_fixed(s->ring_bytes, PROT_READ, s->fd,
				 KSAMPLER_MMAP_DATA_PGOFF(cpu) * pagesz, &e);
	if (!judge(s->data[cpu] ? 0 : -1, e, true, E(ENOMEM)) || !s->data[cpu]) {
		unmap_cpu(s, cpu);
		return false;
	}
	return true;
}

/* Mappings the module must refuse, from main. */
static void hostile_mmap(struct sess *s)
{
	int cpu = (int)below(nr_cpus), prot = PROT_READ, flags = MAP_SHARED, e;
	uint64_t pages = s->ring_pages ? s->ring_pages : 1;
	size_t len = 0;		/* 0: the right length */
	bool ctrl = one_in(2);
	eset errs = E(EINVAL) | E(EACCES) | E(EPERM);
	const char *what;
	void *p;

	switch (below(9)) {
	case 0:
		what = "MAP_PRIVATE, read-write";
		flags = MAP_PRIVATE;
		prot |= PROT_WRITE;
		ctrl = true;
		errs = E(EINVAL);
		break;
	case 1:
		what = "MAP_PRIVATE, read-only";
		flags = MAP_PRIVATE;
		errs = E(EINVAL);
		break;
	case 2:
		what = "writable data pages";
		prot |= PROT_WRITE;
		ctrl = false;
		break;
	case 3:
		what = "PROT_EXEC";
		prot |= PROT_EXEC;
		break;
	case 4:
		what = "two pages of control";
		ctrl = true;
		len = 2 * pagesz;
		errs = E(EINVAL);
		break;
	case 5:
		what = "a page too many of data";
		ctrl = false;
		len = (pages + 1) * pagesz;
		errs = E(EINVAL);
		break;
	case 6:
		what = "a page too few (or two too many) of data";
		ctrl = false;
		len = (pages > 1 ? pages - 1 : pages + 2) * pagesz;
		errs = E(EINVAL);
		break;
	case 7:
		what = "a CPU that does not exist";
		cpu = nr_cpus + (int)below(4);
		errs = E(EINVAL) | E(ENXIO) | E(ENODEV);
		break;
	default:
		what = "an offset past any ring";
		cpu = (int)(1U << 30);
		errs = E(EINVAL) | E(EOVERFLOW) | E(ENOMEM) | E(ENXIO);
		break;
	}
	if (!len)
		len = ctrl ? (size_t)pagesz : pages * pagesz;
	if (!s->configured)
		errs |= E(EINVAL);
	step("mmap %s of CPU %d, %zu bytes, session %d: %s",
	     ctrl ? "control page" : "data pages", cpu, len, s->id, what);
	p = map_any(len, prot, flags, s->fd,
		    (off_t)((ctrl ? KSAMPLER_MMAP_CTRL_PGOFF(cpu) :
			     KSAMPLER_MMAP_DATA_PGOFF(cpu)) * pagesz));
	e = errno;
	count(&sh->mmaps);
	judge(p == MAP_FAILED ? -1 : 0, e, false, errs);
	if (p == MAP_FAILED)
		return;
	/*
	 * Accepted, wrongly: use it as a reader would. What a private copy
	 * holds must not reach the ring; only where nothing is checked.
	 */
	if ((flags & MAP_PRIVATE) && (prot & PROT_WRITE) && s->mode == M_HOSTILE)
		((struct ksampler_ring_ctrl *)p)->data_tail = rnd();
	munmap(p, len);
}

/* mprotect() must not give back what the module took away. */
static void hostile_mprotect(struct sess *s)
{
	int cpu = (int)below(s->nmapped), e, r;
	bool data = one_in(2);
	void *p = data ? (void *)s->data[cpu] : (void *)s->ctrl[cpu];
	size_t len = data ? s->ring_bytes : (size_t)pagesz;
	int prot = data ? PROT_READ | PROT_WRITE : PROT_READ | PROT_EXEC;

	if (!p)
		return;
	step("mprotect %s of CPU %d, session %d, to %s", data ? "data pages" :
	     "control page", cpu, s->id, data ? "read-write" : "executable");
	errno = 0;
	r = mprotect(p, len, prot);
	e = errno;
	if (!judge(r, e, false, E(EACCES)))
		mprotect(p, len, data ? PROT_READ : PROT_READ | PROT_WRITE);
}

/* ---- sessions */

static void publish_view(struct sess *s)
{
	struct view *v;

	if (nviews == MAX_SESS) {
		s->view = -1;
		return;
	}
	v = &views[nviews];
	v->fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
	v->gen = 0;
	v->ring_pages = 0;
	v->mode = s->mode;
	s->view = nviews;
	__atomic_store_n(&nviews, nviews + 1, __ATOMIC_RELEASE);
}

static struct sess *open_session(bool with_view)
{
	struct ksampler_version ver;
	struct sess *s;
	int fd, e;

	if (nsessions == MAX_SESS)
		return NULL;
	step("open session %d%s", nsessions, geteuid() ? " as nobody" : "");
	fd = open(KSAMPLER_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	e = errno;
	judge(fd, e, true, ES_LIMITS | E(EMFILE) | E(ENFILE) |
	      (geteuid() ? E(EACCES) : 0));
	if (fd < 0)
		return NULL;
	s = &sessions[nsessions];
	memset(s, 0, sizeof(*s));
	s->id = nsessions++;
	s->fd = fd;
	s->mode = (enum mode)below(3);
	if (!(steps & ST_FORGE) && s->mode == M_HOSTILE)
		s->mode = M_MMAP;
	s->opened_priv = geteuid() == 0;
	s->view = -1;
	if (with_view)
		publish_view(s);
	memset(&ver, 0, sizeof(ver));
	ver.size = sizeof(ver);
	step("GET_VERSION on session %d", s->id);
	if (!xioctl(fd, KSAMPLER_IOC_GET_VERSION, &ver, true, E(EINTR)) &&
	    (ver.abi_major != KSAMPLER_ABI_MAJOR ||
	     ver.nr_cpu_ids != (uint32_t)nr_cpus || ver.page_size != pagesz))
		report(P_ERRNO, "GET_VERSION says ABI %u, %u CPUs, %u-byte pages",
		       ver.abi_major, ver.nr_cpu_ids, ver.page_size);
	return s;
}

static void set_running(struct sess *s, bool on)
{
	if (s->running == on)
		return;
	s->running = on;
	__atomic_add_fetch(&running_sessions, on ? 1 : -1, __ATOMIC_RELAXED);
}

static void close_session(struct sess *s)
{
	bool map_first = s->mapped && one_in(3);

	if (s->fd < 0)
		return;
	step("close session %d%s%s", s->id, s->running ? " while running" : "",
	     map_first ? ", its rings still mapped" : "");
	if (!map_first)
		unmap_all(s);
	close(s->fd);
	s->fd = -1;
	/* a mapping outlives its file, and the file lives on in it */
	if (map_first) {
		if (s->ctrl[0])
			(void)__atomic_load_n(&s->ctrl[0]->data_head, __ATOMIC_ACQUIRE);
		unmap_all(s);
	}
	set_running(s, false);
	s->configured = false;
}

/* ---- configurations */

struct cfg_case {
	struct ksampler_config c;
	uint32_t usize;		/* the size field the call carries */
	bool junk;		/* a non-zero byte past the module's struct */
	bool ok;		/* may succeed */
	eset errs;
	char what[96];
};

static uint64_t clock_floor(void)
{
	uint64_t f = 1000000000ULL / (max_frequency ? max_frequency : 1);

	return f < 10000 ? 10000 : f;
}

static uint64_t cycles_floor(void)
{
	return 5000000000ULL / (max_frequency ? max_frequency : 1);
}

static void valid_config(struct sess *s, struct cfg_case *k)
{
	static const uint64_t freqs[] = { 99, 499, 999, 999, 1999, 4999 };
	static const uint32_t frames[] = { 0, 1, 8, 32, 127, 127, 512 };
	struct ksampler_config *c = &k->c;
	uint64_t rec, ring, pages;

	memset(k, 0, sizeof(*k));
	c->size = sizeof(*c);
	k->usize = sizeof(*c);
	c->event = one_in(10) ? KSAMPLER_EVENT_CYCLES : KSAMPLER_EVENT_CPU_CLOCK;
	if (one_in(4)) {
		c->period = c->event == KSAMPLER_EVENT_CYCLES ?
			    cycles_floor() * (20 + below(40)) :
			    (one_in(2) ? 250000 : 1000000);
		if (c->event == KSAMPLER_EVENT_CPU_CLOCK && c->period < clock_floor())
			c->period = clock_floor();
	} else {
		c->frequency = freqs[below(6)];
		if (c->frequency > max_frequency)
			c->frequency = max_frequency;
	}
	c->max_frames = frames[below(7)];
	c->flags = one_in(6) ? KSAMPLER_CONFIG_NO_UNWIND :
		   one_in(10) ? KSAMPLER_CONFIG_COUNT_ONLY : 0;
	if (feat_proc_start && one_in(3))
		c->flags |= KSAMPLER_CONFIG_PROC_START;
	/* small rings fill, wrap, and end close to a crafted record */
	if (s->mode == M_HOSTILE)
		pages = 1U << below(3);
	else if (one_in(40))
		pages = max_ring_pages;
	else
		pages = one_in(4) ? 0 : 1U << below(7);
	rec = rec_fixed(c->flags) +
	      8 * (c->max_frames ? c->max_frames : KSAMPLER_DEFAULT_MAX_FRAMES);
	if (!pages && default_ring_pages * (uint64_t)pagesz < 2 * rec)
		pages = default_ring_pages;
	while (pages && pages * pagesz < 2 * rec)
		pages <<= 1;
	c->ring_pages = (uint32_t)pages;
	ring = (pages ? pages : default_ring_pages) * (uint64_t)pagesz;
	if (one_in(4))
		c->wakeup_bytes = (uint32_t)(8 * (1 + below(ring / 16)));
	k->ok = true;
	k->errs = ES_LIMITS | E(EINTR);
	snprintf(k->what, sizeof(k->what), "%s %s %llu, %u frames, %u pages, wakeup %u, flags %u",
		 c->event ? "cycles" : "cpu-clock",
		 c->frequency ? "frequency" : "period",
		 (unsigned long long)(c->frequency ? c->frequency : c->period),
		 c->max_frames, c->ring_pages, c->wakeup_bytes, c->flags);
}

/*
 * A valid configuration with one thing broken. Never success where the
 * ABI forbids it; "maybe" cases (the ABI does not decide) allow both.
 */
static void invalid_config(struct sess *s, struct cfg_case *k)
{
	struct ksampler_config *c = &k->c;
	uint64_t ring;
	const char *what;

	valid_config(s, k);
	ring = (c->ring_pages ? c->ring_pages : default_ring_pages) *
	       (uint64_t)pagesz;
	k->ok = false;
	k->errs = ES_MUSTFAIL;
	switch (below(19)) {
	case 0:
		what = "period with bit 63 set";
		c->frequency = 0;
		c->period = (1ULL << 63) | below(2000000);
		break;
	case 1:
		what = "period ~0";
		c->frequency = 0;
		c->period = ~0ULL;
		break;
	case 2:
		what = "cpu-clock period of a few ns";
		c->event = KSAMPLER_EVENT_CPU_CLOCK;
		c->frequency = 0;
		c->period = 1 + below(1000);
		break;
	case 3:
		what = "cpu-clock period just below the floor";
		c->event = KSAMPLER_EVENT_CPU_CLOCK;
		c->frequency = 0;
		c->period = clock_floor() - 1;
		break;
	case 4:
		what = "cycles period below the floor";
		c->event = KSAMPLER_EVENT_CYCLES;
		c->frequency = 0;
		c->period = one_in(2) ? 1 + below(100) : cycles_floor() - 1;
		break;
	case 5:
		what = "both frequency and period";
		c->frequency = 99;
		c->period = 1000000;
		break;
	case 6:
		what = "neither frequency nor period";
		c->frequency = 0;
		c->period = 0;
		break;
	case 7:
		what = "frequency above max_frequency";
		c->period = 0;
		c->frequency = one_in(2) ? ~0ULL : max_frequency + 1 + below(1ULL << 40);
		break;
	case 8:
		what = "max_frames above KSAMPLER_MAX_FRAMES";
		c->max_frames = KSAMPLER_MAX_FRAMES + 1 + (uint32_t)below(100000);
		break;
	case 9:
		what = "ring_pages not a power of two";
		c->ring_pages = one_in(2) ? 3 + 2 * (uint32_t)below(50) : 0x7fffffff;
		break;
	case 10:
		what = "huge ring_pages";
		c->ring_pages = 1U << (20 + below(12));
		k->errs |= ES_LIMITS | E(EFBIG) | E(E2BIG);
		break;
	case 11:
		what = "wakeup_bytes above the ring size";
		c->wakeup_bytes = (uint32_t)(ring + 8 * (1 + below(64)));
		k->ok = true;	/* capped (ABI 1.4) or refused */
		break;
	case 12:
		what = "wakeup_bytes at the ring size";
		c->wakeup_bytes = (uint32_t)ring;
		k->ok = true;
		break;
	case 13:
		what = "wakeup_bytes ~0";
		c->wakeup_bytes = ~0U;
		k->ok = true;
		break;
	case 14:
		what = "an unknown flag";
		c->flags |= 1U << (3 + below(29));
		k->errs |= E(EOPNOTSUPP);
		break;
	case 15:
		what = "an unknown event";
		c->event = one_in(2) ? KSAMPLER_EVENT_MAX + (uint32_t)below(100) : ~0U;
		k->errs |= E(EOPNOTSUPP) | E(ENOENT);
		break;
	case 16:
		switch (below(4)) {
		case 0:
			what = "size below the first published one";
			k->usize = (uint32_t)below(KSAMPLER_CONFIG_SIZE_VER0);
			break;
		case 1:
			what = "size above KSAMPLER_MAX_STRUCT_SIZE";
			k->usize = KSAMPLER_MAX_STRUCT_SIZE + 1 + (uint32_t)below(1U << 30);
			break;
		case 2:
			what = "size 48, non-zero past the module's struct";
			k->usize = 48;
			k->junk = true;
			k->errs = E(E2BIG) | E(EINTR);
			break;
		default:
			what = "size 48, zero past the module's struct";
			k->usize = 48;
			k->ok = true;
			k->errs = ES_LIMITS | E(EINTR);
			break;
		}
		break;
	case 17:
		what = "max_frames 512 in a 1-page ring";
		c->max_frames = KSAMPLER_MAX_FRAMES;
		c->ring_pages = 1;
		k->ok = true;
		break;
	default:
		what = "max_ring_pages";
		c->ring_pages = max_ring_pages;
		k->ok = true;
		k->errs = ES_LIMITS | E(EINTR);
		break;
	}
	snprintf(k->what, sizeof(k->what), "%s", what);
	/* a limit may be checked before the rest: refused all the same */
	k->errs |= ES_LIMITS;
}

/*
 * CONFIGURE, judged; on success the model takes the resolved values.
 * Return: 0, or -errno. A session left in an unknown state by a refusal
 * for its size (limits) is closed.
 */
static int configure(struct sess *s, struct cfg_case *k)
{
	uint8_t buf[64];
	struct ksampler_config *c = (void *)buf;
	struct view *v = s->view >= 0 ? &views[s->view] : NULL;
	bool ok = k->ok;
	eset errs = k->errs | E(EBUSY) | E(EINTR);
	long r;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &k->c, sizeof(k->c));
	c->size = k->usize;
	if (k->junk)
		buf[47] = 1;
	if (s->running || s->mapped) {
		/* not while sampling or mapped (ABI) */
		ok = false;
		errs |= E(EBUSY) | E(EINVAL);
	}
	if (v)
		__atomic_add_fetch(&v->gen, 1, __ATOMIC_SEQ_CST);
	step("CONFIGURE session %d (%s%s): %s", s->id, mode_names[s->mode],
	     s->running ? ", running" : s->mapped ? ", mapped" : "", k->what);
	r = xioctl(s->fd, KSAMPLER_IOC_CONFIGURE, buf, ok, errs);
	if (!r) {
		s->configured = true;
		s->suspect = !k->ok;
		s->event = k->c.event;
		s->flags = k->c.flags;
		s->max_frames = k->c.max_frames ? k->c.max_frames :
				KSAMPLER_DEFAULT_MAX_FRAMES;
		s->ring_pages = k->c.ring_pages ? k->c.ring_pages :
				default_ring_pages;
		s->ring_bytes = (uint64_t)s->ring_pages * pagesz;
		s->forged = false;
		if (s->mode == M_HOSTILE)
			__atomic_store_n(&crafted_bp, one_in(2) ? s->ring_bytes :
					 s->ring_bytes / 2 + 8 * below(8), __ATOMIC_RELAXED);
		if (v)
			__atomic_store_n(&v->ring_pages, s->ring_pages,
					 __ATOMIC_RELAXED);
	}
	if (v)
		__atomic_add_fetch(&v->gen, 1, __ATOMIC_SEQ_CST);
	if (r && r != -EBUSY && r != -EINVAL && r != -E2BIG && r != -EINTR &&
	    r != -EFAULT && r != -EOPNOTSUPP && r != -ENOENT) {
		close_session(s);
		return (int)r;
	}
	return (int)r;
}

static bool configure_valid(struct sess *s)
{
	struct cfg_case k;

	valid_config(s, &k);
	return !configure(s, &k);
}

/* ---- targets */

static long add_target_p(enum point p, struct sess *s, const char *what,
			 pid_t pid, uint32_t flags, bool ok, eset errs)
{
	struct ksampler_target t = { sizeof(t), flags, pid, 0 };
	long r;

	step("ADD_TARGET session %d: %s (pid %d%s%s)", s->id, what, pid,
	     flags & KSAMPLER_TARGET_CHILDREN ? ", children" : "",
	     flags & KSAMPLER_TARGET_ALL ? ", all" : "");
	r = xioctl_p(p, s->fd, KSAMPLER_IOC_ADD_TARGET, &t, ok,
		     errs | E(EINTR) | E(ENOMEM));
	if (!r) {
		s->ntargets++;
		if (flags & KSAMPLER_TARGET_ALL)
			s->all = true;
	}
	return r;
}

static long add_target(struct sess *s, const char *what, pid_t pid,
		       uint32_t flags, bool ok, eset errs)
{
	return add_target_p(P_ERRNO, s, what, pid, flags, ok, errs);
}

static long del_target_p(enum point p, struct sess *s, const char *what,
			 pid_t pid, uint32_t flags, bool ok, eset errs)
{
	struct ksampler_target t = { sizeof(t), flags, pid, 0 };
	long r;

	step("DEL_TARGET session %d: %s (pid %d%s)", s->id, what, pid,
	     flags & KSAMPLER_TARGET_ALL ? ", all" : "");
	r = xioctl_p(p, s->fd, KSAMPLER_IOC_DEL_TARGET, &t, ok,
		     errs | E(EINTR) | E(ENOMEM));
	if (!r) {
		s->ntargets--;
		if (flags & KSAMPLER_TARGET_ALL)
			s->all = false;
	}
	return r;
}

static long del_target(struct sess *s, const char *what, pid_t pid,
		       uint32_t flags, bool ok, eset errs)
{
	return del_target_p(P_ERRNO, s, what, pid, flags, ok, errs);
}

/*
 * A session that never added KSAMPLER_TARGET_ALL is not system-wide:
 * DEL_TARGET of ALL must say so.
 */
static void probe_not_all(struct sess *s, const char *after)
{
	enum point p = s->opened_priv ? P_ERRNO : P_UNPRIV;
	char what[96];

	snprintf(what, sizeof(what), "ALL, never added, after %s", after);
	if (s->all)
		return;
	del_target_p(p, s, what, 0, KSAMPLER_TARGET_ALL, false, E(ENOENT));
	if (!s->opened_priv)
		count(&sh->refusals);
}

static const eset ES_ADD_LIVE = E(EEXIST) | E(ENOSPC);

static void add_own(struct sess *s, const char *what, pid_t id)
{
	/* (already a target of a full set: either errno, the ABI orders none) */
	long r = add_target(s, what, id, one_in(4) ? KSAMPLER_TARGET_CHILDREN : 0,
			    !s->own_added, s->own_added ? ES_ADD_LIVE : E(ENOSPC));

	if (!r || r == -EEXIST)
		s->own_added = true;
}

static pid_t own_thread(void)
{
	static const int slots[] = { T_CRAFT, T_MAPPER, T_PAGER, T_HOTPLUG };
	pid_t tid = sh->tid[slots[below(4)]];

	return tid > 0 ? tid : sh->tid[T_CRAFT];
}

static void kid_body(int kind, uint64_t us)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };

	switch (kind) {
	case K_HOLD:
		for (;;)
			pause();
	case K_SLEEP:
		sleep_us(us);
		break;
	case K_BURN:
		burn_us(us);
		break;
	default:
		sleep_us(us);
		execve(argv[0], argv, envp);
		break;
	}
	_exit(0);
}

static void reap_kid(struct kid *k, bool wait)
{
	if (k->reaped)
		return;
	if (waitpid(k->pid, NULL, wait ? 0 : WNOHANG) == k->pid)
		k->reaped = true;
}

static struct kid *spawn_kid(int kind, uint64_t us)
{
	struct kid *k;
	pid_t pid;
	int i, n = 0;

	if (nkids == MAX_KIDS) {
		/* make room: reaped kids that are in no set are forgotten */
		for (i = 0; i < nkids; i++) {
			reap_kid(&kids[i], false);
			if (!kids[i].reaped || kids[i].in_set)
				kids[n++] = kids[i];
		}
		nkids = n;
		if (nkids == MAX_KIDS)
			return NULL;
	}
	step("fork a %s child (%llu us)", kid_names[kind], (unsigned long long)us);
	pid = fork();
	if (pid == 0) {
		close_range(3, ~0U, 0);
		kid_body(kind, us);
	}
	if (pid < 0)
		return NULL;
	k = &kids[nkids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->kind = kind;
	return k;
}

/* Until the whole process has exited, unreaped: then it is a zombie. */
static bool wait_zombie(pid_t pid, long ms)
{
	siginfo_t si;
	long i;

	for (i = 0; i < ms; i++) {
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid == pid)
			return true;
		sleep_us(1000);
	}
	return false;
}

static struct kid *random_kid(void)
{
	return nkids ? &kids[below(nkids)] : NULL;
}

static void kid_added(struct sess *s, struct kid *k, long r)
{
	if (!r)
		k->in_set |= 1U << s->id;
}

/* A live child, added. */
static void target_live_kid(struct sess *s)
{
	struct kid *k = spawn_kid(K_HOLD, 0);

	if (k)
		kid_added(s, k, add_target(s, "a live child", k->pid,
					   one_in(2) ? KSAMPLER_TARGET_CHILDREN : 0,
					   true, ES_ADD_LIVE));
}

/* A child exiting about now: either answer, then DEL in either state. */
static void target_exiting_kid(struct sess *s)
{
	int kind = K_SLEEP + (int)below(3);
	struct kid *k = spawn_kid(kind, below(20000));
	long r;

	if (!k)
		return;
	sleep_us(below(3) ? below(5000) : 0);
	r = add_target(s, "a child exiting about now", k->pid,
		       one_in(2) ? KSAMPLER_TARGET_CHILDREN : 0, true,
		       ES_ADD_LIVE | E(ESRCH));
	kid_added(s, k, r);
	if (one_in(3))
		reap_kid(k, true);
}

/* A child that has exited and not been reaped: ESRCH, whatever the ABI version. */
static void target_zombie(struct sess *s)
{
	struct kid *k = spawn_kid(one_in(2) ? K_SLEEP : K_EXEC, below(2000));

	if (!k || !wait_zombie(k->pid, 2000))
		return;
	add_target(s, "a zombie child", k->pid, one_in(2) ? KSAMPLER_TARGET_CHILDREN : 0,
		   false, E(ESRCH) | E(ENOSPC));
	if (one_in(2))
		del_target(s, "a zombie child, never added", k->pid, 0, false,
			   E(ENOENT));
	reap_kid(k, true);
}

/* A child exited and reaped: ESRCH, unless its pid is already someone else's. */
static void target_reaped(struct sess *s)
{
	struct kid *k = spawn_kid(K_SLEEP, below(1000));
	long r;

	if (!k)
		return;
	reap_kid(k, true);
	r = add_target(s, "a reaped child", k->pid, 0, true,
		       E(ESRCH) | E(ENOSPC));
	if (!r && kill(k->pid, 0) && errno == ESRCH)
		report(P_ERRNO, "ADD_TARGET succeeded on pid %d, exited and reaped, and no process has that pid",
		       k->pid);
	kid_added(s, k, r);
}

/* (with the life cycle, below) */
static void start(struct sess *s);
static void stop(struct sess *s);

/*
 * A second session sampling ourselves at a high rate, 512 frames deep,
 * while we add a dying process from under 600 frames (deep_dying()): its
 * interrupts land inside ADD_TARGET and, walking that stack, stretch the
 * moments between the module's lookups to tens of microseconds, long
 * enough for a process that is exiting on the other CPU to be released
 * meanwhile. (With voluntary preemption nothing else stretches them.)
 */
static struct sess *storm_session(void)
{
	struct sess *st = open_session(false);
	struct cfg_case k;

	if (!st)
		return NULL;
	st->mode = M_MMAP;
	valid_config(st, &k);
	k.c.event = KSAMPLER_EVENT_CPU_CLOCK;
	k.c.period = 0;
	k.c.frequency = 10000 + below(20000);
	if (k.c.frequency > max_frequency)
		k.c.frequency = max_frequency;
	k.c.flags = 0;
	k.c.max_frames = KSAMPLER_MAX_FRAMES;
	/* room for every sample of the storm: a full ring walks no stack */
	k.c.ring_pages = max_ring_pages < 1024 ? max_ring_pages : 1024;
	k.c.wakeup_bytes = 0;
	snprintf(k.what, sizeof(k.what), "an interrupt storm on ourselves, %llu Hz",
		 (unsigned long long)k.c.frequency);
	if (configure(st, &k) || st->fd < 0) {
		close_session(st);
		return NULL;
	}
	add_own(st, "ourselves", getpid());
	start(st);
	if (!st->running) {
		close_session(st);
		return NULL;
	}
	return st;
}

/*
 * The auto-reap race: a grandchild of ours, whose parent ignores SIGCHLD,
 * exits as we add it again and again; an exiting process is released the
 * moment it is gone. Then, once it is surely gone, ESRCH.
 */
static void dying_one(struct sess *s)
{
	uint32_t msg[2] = { death_slot++ % DEATH_SLOTS, (uint32_t)below(4) };
	cpu_set_t cpus, all;
	uint32_t flags = one_in(3) ? KSAMPLER_TARGET_CHILDREN : 0;
	struct pollfd pfd = { .fd = reaper_out, .events = POLLIN };
	bool added = false;
	uint64_t end;
	pid_t pid = 0;
	long r = 0;
	int n;

	step("ask the auto-reaping subprocess for a child that exits on cue");
	__atomic_store_n(&death_at[msg[0]], 0, __ATOMIC_RELEASE);
	if (write(reaper_cmd, msg, sizeof(msg)) != sizeof(msg) ||
	    poll(&pfd, 1, 2000) != 1 ||
	    read(reaper_out, &pid, sizeof(pid)) != sizeof(pid) || pid <= 0)
		return;
	/* on CPU 0 with the higher-priority sleeper (style 3) */
	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (msg[1] == 3)
		sched_setaffinity(0, sizeof(cpus), &cpus);
	end = 0;
	for (n = 0; n < 4096 && r != -ESRCH && (!end || now_ns() < end); n++) {
		r = add_target(s, "an auto-reaped child as it exits", pid, flags,
			       true, ES_ADD_LIVE | E(ESRCH));
		added |= !r;
		count(&sh->dying_adds);
		if (!end) {
			/* the first add is the slow one: now let it die */
			__atomic_store_n(&death_at[msg[0]], now_ns() +
					 below(3000000), __ATOMIC_RELEASE);
			end = now_ns() + 50000000ULL;
		}
	}
	if (msg[1] == 3)
		sched_setaffinity(0, sizeof(all), &all);
	if (added || one_in(4))
		probe_not_all(s, "adding a process as it died");
	if (r != -ESRCH)
		return;
	/* gone: from now on it is ESRCH, unless the pid is reused */
	for (n = 0; n < 100 && !kill(pid, 0); n++)
		sleep_us(1000);
	if (n == 100)
		return;
	r = add_target(s, "an auto-reaped child, gone", pid, flags, true,
		       E(ESRCH) | E(ENOSPC));
	if (!r && kill(pid, 0) && errno == ESRCH)
		report(P_ERRNO, "ADD_TARGET succeeded on pid %d, exited and released, and no process has that pid",
		       pid);
	/* the process's id names the target after it exited (ABI 1.4) */
	if (added)
		del_target(s, "an exited target, by its id", pid, 0, true,
			   s->pruned ? E(ENOENT) : 0);
}

/* dying_one() with a deep frame-pointer chain under it, for the storm to walk. */
static __attribute__((noinline)) void deep_dying(struct sess *s, int depth)
{
	volatile int keep = depth;

	if (depth > 0)
		deep_dying(s, depth - 1);
	else
		dying_one(s);
	(void)keep;	/* used after the call: no tail call, a real frame */
}

static void target_dying(struct sess *s)
{
	struct sess *storm = NULL;
	int i, n = 1 + (int)below(4);

	if (reaper_cmd < 0)
		return;
	if (one_in(2) && nsessions < MAX_SESS)
		storm = storm_session();
	for (i = 0; i < n && s->fd >= 0; i++)
		deep_dying(s, storm ? 600 : 0);
	if (storm) {
		stop(storm);
		close_session(storm);
	}
}

/*
 * Processes of other users, and ids that are no process. The file's
 * credentials decide (ABI 1.4): a session nobody opened is refused; one
 * root opened is not, even used by a process that has since become
 * nobody (before 1.4 the caller's credentials decided: EPERM then).
 */
static void target_others(struct sess *s)
{
	bool nobody = !s->opened_priv, dropped = s->opened_priv && geteuid();
	enum point p = nobody ? P_UNPRIV : P_ERRNO;
	uint32_t flags = one_in(3) ? KSAMPLER_TARGET_CHILDREN : 0;
	eset errs = nobody ? E(EPERM) : ES_ADD_LIVE | (dropped ? E(EPERM) : 0);
	pid_t pid;
	const char *what;

	switch (below(5)) {
	case 0:
		what = "init, root's";
		pid = 1;
		break;
	case 1:
		what = "the supervisor, root's";
		pid = super_pid;
		break;
	case 2:
		if (burner_pid <= 0)
			return;
		what = "a busy process of root's";
		pid = burner_pid;
		break;
	case 3:
		add_target_p(p, s, "kthreadd, a kernel thread", 2, flags, false,
			     E(EINVAL) | E(EPERM) | E(ESRCH) | E(ENOSPC));
		if (nobody)
			count(&sh->refusals);
		return;
	default:
		add_target_p(p, s, "system-wide", 0, KSAMPLER_TARGET_ALL,
			     !nobody && !s->all,
			     nobody ? E(EPERM) : s->all ? E(EEXIST) :
			     dropped ? E(EPERM) : 0);
		if (nobody)
			count(&sh->refusals);
		return;
	}
	add_target_p(p, s, what, pid, flags, !nobody, errs);
	if (nobody)
		count(&sh->refusals);
}

/* Structs and ids no module may accept. */
static void target_invalid(struct sess *s)
{
	uint8_t buf[32];
	struct ksampler_target *t = (void *)buf;
	bool add = one_in(2);
	eset errs = E(EINVAL) | E(EINTR);
	const char *what;
	bool ok = false;
	long r;

	memset(buf, 0, sizeof(buf));
	t->size = sizeof(*t);
	t->pid = getpid();
	switch (below(9)) {
	case 0:
		what = "pid 0";
		t->pid = 0;
		errs |= E(ESRCH) | E(ENOENT);
		break;
	case 1:
		what = "a negative pid";
		t->pid = one_in(2) ? -1 : INT32_MIN;
		errs |= E(ESRCH) | E(ENOENT);
		break;
	case 2:
		what = "a pid above pid_max";
		t->pid = 0x3ffffff0;
		errs |= E(ESRCH) | E(ENOENT);
		break;
	case 3:
		what = "reserved non-zero";
		t->reserved = 1 + (uint32_t)below(~0U);
		break;
	case 4:
		what = "an unknown flag";
		t->flags = 1U << (2 + below(30));
		break;
	case 5:
		what = "ALL with CHILDREN";
		t->flags = KSAMPLER_TARGET_ALL | KSAMPLER_TARGET_CHILDREN;
		break;
	case 6:
		what = "size below the first published one";
		t->size = (uint32_t)below(KSAMPLER_TARGET_SIZE_VER0);
		break;
	case 7:
		what = "size 24, non-zero past the module's struct";
		t->size = 24;
		buf[20] = 1;
		errs = E(E2BIG) | E(EINTR);
		break;
	default:
		/* the module reads 16 bytes and sees ourselves */
		what = "size 24, zero past the module's struct (ourselves)";
		t->size = 24;
		ok = add ? !s->own_added : s->own_added;
		errs = add ? (s->own_added ? ES_ADD_LIVE : E(ENOSPC)) :
			     (s->own_added ? 0 : E(ENOENT));
		errs |= E(EINTR) | E(ENOMEM);
		break;
	}
	step("%s session %d: %s", add ? "ADD_TARGET" : "DEL_TARGET", s->id, what);
	r = xioctl(s->fd, add ? KSAMPLER_IOC_ADD_TARGET : KSAMPLER_IOC_DEL_TARGET,
		   buf, ok, errs);
	if (!r) {
		s->ntargets += add ? 1 : -1;
		s->own_added = add;
	}
}

/* 64 live targets and more: ENOSPC, not a crash. Rare: it costs forks. */
static void target_fill(struct sess *s)
{
	struct kid *k;
	int i;

	for (i = 0; i < 66; i++) {
		k = spawn_kid(K_HOLD, 0);
		if (!k)
			break;
		kid_added(s, k, add_target(s, "one of 66 live children", k->pid, 0,
					   true, ES_ADD_LIVE));
	}
	s->pruned = true;
}

static void target_del_own(struct sess *s)
{
	pid_t tid = own_thread();
	bool by_tid = one_in(2);
	long r;

	r = del_target(s, by_tid ? "ourselves, by a live thread's id" : "ourselves",
		       by_tid ? tid : getpid(), 0, s->own_added,
		       s->own_added ? 0 : E(ENOENT));
	if (!r)
		s->own_added = false;
}

static void target_del_kid(struct sess *s)
{
	struct kid *k = random_kid();
	bool in = k && (k->in_set & (1U << s->id));
	long r;

	if (!k)
		return;
	/* the process's id stays valid after it exited (ABI 1.4) */
	r = del_target(s, in ? "a child that is a target" : "a child that is not",
		       k->pid, 0, in, (in ? 0 : E(ENOENT)) |
		       (s->pruned && in ? E(ENOENT) : 0));
	if (!r)
		k->in_set &= ~(1U << s->id);
}

static void target_step(struct sess *s, bool setup)
{
	unsigned int w = (unsigned int)below(setup ? 11 : 16);

	if (!(steps & ST_TARGETS) && w > 1 && w != 10 && w != 11)
		w = (unsigned int)below(2);
	switch (w) {
	case 0:
		add_own(s, "ourselves", getpid());
		break;
	case 1:
		add_own(s, "one of our threads, by tid", own_thread());
		break;
	case 2:
		target_live_kid(s);
		break;
	case 3:
		target_exiting_kid(s);
		break;
	case 4:
		target_zombie(s);
		break;
	case 5:
		target_reaped(s);
		break;
	case 6:
	case 7:
		target_dying(s);
		break;
	case 8:
		if (reaper_pid > 0) {
			long r = add_target(s, "the auto-reaping subprocess",
					    reaper_pid, KSAMPLER_TARGET_CHILDREN,
					    !(reaper_in_set & (1U << s->id)),
					    ES_ADD_LIVE);

			if (!r)
				reaper_in_set |= 1U << s->id;
		}
		break;
	case 9:
		target_others(s);
		break;
	case 10:
		target_invalid(s);
		break;
	case 11:
		if (s->all)
			del_target(s, "ALL", 0, KSAMPLER_TARGET_ALL, true, 0);
		else
			probe_not_all(s, "whatever came before");
		break;
	case 12:
		target_del_own(s);
		break;
	case 13:
		target_del_kid(s);
		break;
	case 14:
		if (s->opened_priv && geteuid() == 0 && one_in(8))
			target_fill(s);
		else
			target_exiting_kid(s);
		break;
	default: {
		struct kid *k = random_kid();

		if (k) {
			step("reap child %d", k->pid);
			reap_kid(k, false);
		}
		break;
	}
	}
}

/* ---- reading */

struct rbuf {
	char *p;
	size_t len;
	bool good;		/* writable memory for all of len */
	bool own_ctrl;		/* the session's own control page */
	const char *what;
};

static char *fresh_pages(size_t len)
{
	madvise(fresh, FRESH_PAGES * pagesz, MADV_DONTNEED);
	return fresh + (FRESH_PAGES * pagesz - len);
}

/* Every kind of buffer read() may be handed. */
static struct rbuf pick_rbuf(struct sess *s, bool hostile)
{
	uint32_t rm = rec_max(s);
	size_t k;

	switch (hostile ? below(17) : 3 + below(3)) {
	case 0:
		return (struct rbuf){ NULL, BIG_BUF, false, false, "NULL" };
	case 1:
		return (struct rbuf){ (char *)bigbuf, 0, true, false, "length 0" };
	case 2: {
		static const size_t tiny[] = { 1, 7, 8, 16, 24 };

		return (struct rbuf){ (char *)bigbuf, tiny[below(5)], true,
				      false, "a tiny length" };
	}
	case 3: {
		size_t near[] = { KSAMPLER_SAMPLE_FIXED_SIZE, rm - 8, rm - 1,
				  rm, rm + 1, rm + 8 };

		return (struct rbuf){ (char *)bigbuf, near[below(6)], true, false,
				      "about the largest record" };
	}
	case 4:
		return (struct rbuf){ (char *)bigbuf, BIG_BUF, true, false, "large" };
	case 5:
		return (struct rbuf){ (char *)bigbuf, pagesz, true, false, "one page" };
	case 6:
		k = 1 + below(pagesz);
		return (struct rbuf){ guard + pagesz - k, k + rm + below(pagesz),
				      false, false, "running into an inaccessible page" };
	case 7:
		return (struct rbuf){ ro_page, pagesz, false, false, "a read-only page" };
	case 8:
		if (!s->mapped)
			break;
		return (struct rbuf){ (char *)s->data[below(s->nmapped)],
				      s->ring_bytes, false, false,
				      "the session's own data pages (read-only)" };
	case 9:
		if (!s->mapped)
			break;
		return (struct rbuf){ (char *)s->ctrl[below(s->nmapped)], pagesz,
				      true, true, "the session's own control page" };
	case 10:
		k = 1 + below(pagesz);
		return (struct rbuf){ __atomic_load_n(&strad, __ATOMIC_ACQUIRE) +
				      pagesz - k, k + below(2 * pagesz), false,
				      false, "straddling the page the pager changes" };
	case 11:
		return (struct rbuf){ (char *)bigbuf + 1 + below(7), rm + below(4096),
				      true, false, "misaligned" };
	case 12:
		return (struct rbuf){ (char *)bigbuf + pagesz - below(64), rm + 64,
				      true, false, "across a page boundary" };
	case 13:
		return (struct rbuf){ (char *)0xffff888000000000ULL, rm, false,
				      false, "a kernel address" };
	case 14:
		return (struct rbuf){ (char *)0x1000, rm, false, false,
				      "an unmapped low address" };
	default:
		break;
	}
	k = rm + below(FRESH_PAGES * pagesz - rm);
	return (struct rbuf){ fresh_pages(k), k, true, false,
			      "unpopulated pages (the copy faults them in)" };
}

static void judged_read(struct sess *s, struct rbuf b, bool check)
{
	eset errs = E(EAGAIN) | E(EINTR);
	ssize_t r;
	int e;

	if (!b.good)
		errs |= E(EFAULT);
	if (b.len < rec_max(s) || !s->configured)
		errs |= E(EINVAL);
	if (b.own_ctrl)
		s->forged = true;
	s->read_used = true;
	step("read() session %d into %s, %zu bytes%s", s->id, b.what, b.len,
	     s->forged ? ", forged" : "");
	errno = 0;
	r = read(s->fd, b.p, b.len);
	e = errno;
	if (r < 0 && e == EFAULT && b.good) {
		count(&sh->calls);
		report(P_RECORDS, "read() into a valid %zu-byte buffer failed with EFAULT: the module faulted on its own side of the copy",
		       b.len);
		return;
	}
	judge(r, e, s->configured, errs);
	if (r < 0)
		return;
	if ((size_t)r > b.len || r % 8 || (!b.p && r))
		report(P_RECORDS, "read() returned %zd for a %zu-byte buffer", r,
		       b.len);
	else if (check && b.good && !s->forged && s->mode != M_HOSTILE)
		check_stream(s, "read()", (const uint8_t *)b.p, (size_t)r);
}

static void poll0(struct sess *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int r, e;

	step("poll() session %d, timeout 0", s->id);
	errno = 0;
	r = poll(&pfd, 1, 0);
	e = errno;
	judge(r, e, true, E(EINTR));
}

/* ---- forged control pages */

static void forge(struct sess *s)
{
	int cpu = (int)below(s->nmapped), i, n;
	struct ksampler_ring_ctrl *c = s->ctrl[cpu];
	uint64_t size = s->ring_bytes, h, t, nh = 0;
	const char *tw, *hw = NULL;

	if (!c)
		return;
	h = __atomic_load_n(&c->data_head, __ATOMIC_ACQUIRE);
	switch (below(12)) {
	case 0: tw = "0"; t = 0; break;
	case 1: tw = "head"; t = h; break;
	case 2: tw = "head - 8"; t = h - 8; break;
	case 3: tw = "head + 8"; t = h + 8; break;
	case 4: tw = "head - size"; t = h - size; break;
	case 5: tw = "head - size - 8"; t = h - size - 8; break;
	case 6: tw = "~0"; t = ~0ULL; break;
	case 7: tw = "random"; t = rnd(); break;
	case 8: tw = "unaligned"; t = h - 8 * below(size / 8) - 1 - below(7); break;
	case 9: tw = "head + size"; t = h + size; break;
	case 10: tw = "inside the ring, aligned"; t = h - 8 * (1 + below(size / 8)); break;
	default: tw = "1 << 63"; t = 1ULL << 63; break;
	}
	if (one_in(2)) {
		switch (below(8)) {
		case 0: hw = "head + 8"; nh = h + 8; break;
		case 1: hw = "head + size"; nh = h + size; break;
		case 2: hw = "tail + size"; nh = t + size; break;
		case 3: hw = "~0"; nh = ~0ULL; break;
		case 4: hw = "0"; nh = 0; break;
		case 5: hw = "random"; nh = rnd(); break;
		case 6: hw = "head - 8"; nh = h - 8; break;
		default: hw = "unaligned"; nh = h + 3; break;
		}
	}
	s->forged = true;
	step("forge CPU %d of session %d: data_tail = %s%s%s", cpu, s->id, tw,
	     hw ? ", data_head = " : "", hw ? hw : "");
	if (hw)
		__atomic_store_n(&c->data_head, nh, __ATOMIC_RELAXED);
	__atomic_store_n(&c->data_tail, t, __ATOMIC_RELEASE);
	n = 1 + (int)below(3);
	for (i = 0; i < n; i++) {
		judged_read(s, pick_rbuf(s, true), false);
		count(&sh->forged_reads);
	}
	poll0(s);
	if (one_in(2))
		__atomic_store_n(&c->data_tail,
				 __atomic_load_n(&c->data_head, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
}

/*
 * After STOP, with every ring drained: the tail on a word of a record
 * that reads as a record size running past the end of the ring (the
 * crafted thread's frame pointer, in the user_bp of its samples), the head
 * forged too when the real one leaves no room for it. A module that trusts
 * the page copies from beyond the ring's memory (kernel memory to the
 * user), or faults there.
 */
static void overrun_probe(struct sess *s)
{
	uint64_t size = s->ring_bytes, off, best = 0, over = 0, h, t, nh;
	struct ksampler_ring_ctrl *c;
	const uint8_t *d;
	uint32_t v = 0, vb = 0;
	size_t len = size + pagesz;
	int cpu, i, e;
	uint8_t *buf;
	ssize_t r;

	if (!s->mapped || s->running || size > 64 * (uint64_t)pagesz)
		return;
	for (i = 0; i < s->nmapped; i++)
		__atomic_store_n(&s->ctrl[i]->data_tail,
				 __atomic_load_n(&s->ctrl[i]->data_head,
						 __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
	cpu = (int)below(s->nmapped);
	c = s->ctrl[cpu];
	d = s->data[cpu];
	for (off = 8; off + 8 <= size; off += 8) {
		const struct ksampler_record_header *hd = (const void *)(d + off);

		v = hd->size;
		if (v >= 8 && !(v % 8) && v <= size && off + v > size &&
		    hd->type != KSAMPLER_RECORD_PAD && off + v - size > over) {
			over = off + v - size;
			best = off;
			vb = v;
		}
	}
	if (!over)
		return;
	h = __atomic_load_n(&c->data_head, __ATOMIC_ACQUIRE);
	/* the tail in [head - size, head] that lands on @best */
	t = h - size + ((best - (h - size)) & (size - 1));
	nh = t > h - vb ? t + size : h;
	s->forged = true;
	step("overrun probe, CPU %d of session %d: data_tail on a %u-byte \"record\" at offset %llu of %llu%s",
	     cpu, s->id, vb, (unsigned long long)best, (unsigned long long)size,
	     nh != h ? ", data_head forged to make room" : "");
	buf = map_any(len + pagesz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return;
	if (nh != h)
		__atomic_store_n(&c->data_head, nh, __ATOMIC_RELAXED);
	__atomic_store_n(&c->data_tail, t, __ATOMIC_RELEASE);
	errno = 0;
	r = read(s->fd, buf, len);
	e = errno;
	count(&sh->probes);
	if (r < 0 && e == EFAULT) {
		count(&sh->calls);
		report(P_RECORDS, "read() into a valid buffer failed with EFAULT: it copied from past the end of the ring (%llu bytes over)",
		       (unsigned long long)over);
	} else if (r >= (ssize_t)vb && !memcmp(buf, d + best, size - best)) {
		count(&sh->calls);
		report(P_RECORDS, "read() copied a %u-byte \"record\" from offset %llu of CPU %d's %llu-byte ring: %llu bytes of kernel memory from past its end",
		       vb, (unsigned long long)best, cpu,
		       (unsigned long long)size, (unsigned long long)over);
	} else {
		judge(r, e, true, E(EAGAIN) | E(EINTR));
	}
	munmap(buf, len + pagesz);
	if (nh != h)
		__atomic_store_n(&c->data_head, h, __ATOMIC_RELAXED);
	__atomic_store_n(&c->data_tail, h, __ATOMIC_RELEASE);
}

/* Drains the way the session's mode says. */
static void consume(struct sess *s)
{
	int cpu;

	switch (s->mode) {
	case M_MMAP:
		if (!s->mapped)
			return;
		step("drain the mapped rings of session %d", s->id);
		for (cpu = 0; cpu < s->nmapped; cpu++)
			drain_ring(s, cpu);
		break;
	case M_READ:
		judged_read(s, pick_rbuf(s, false), true);
		break;
	default:
		if (s->mapped && (steps & ST_FORGE) && one_in(2))
			forge(s);
		else
			judged_read(s, pick_rbuf(s, true), false);
		break;
	}
}

/* ---- statistics */

static void check_invariant(struct sess *s, const char *when)
{
	struct ksampler_stats st;
	uint32_t cpu;
	int i;

	for (i = -1; i < nr_cpus && i < MAX_CPUS; i++) {
		cpu = i < 0 ? KSAMPLER_STATS_ALL_CPUS : (uint32_t)i;
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		st.cpu = cpu;
		step("GET_STATS %s session %d, CPU %d", when, s->id, i);
		if (xioctl(s->fd, KSAMPLER_IOC_GET_STATS, &st, true, E(EINTR)))
			continue;
		if (!invariant(&st))
			report(P_INVARIANT, "CPU %d: fired %llu != written %llu + lost %llu + nested %llu + filtered %llu + counted %llu",
			       i, (unsigned long long)st.fired,
			       (unsigned long long)st.written,
			       (unsigned long long)st.lost_ring_full,
			       (unsigned long long)st.lost_nested,
			       (unsigned long long)st.filtered,
			       (unsigned long long)st.counted);
		if (feat_cpu_status && i < 0 && (st.cpus_sampling || st.cpus_failed))
			report(P_ERRNO, "a stopped session reports cpus_sampling %u, cpus_failed %u",
			       st.cpus_sampling, st.cpus_failed);
	}
	count(&sh->stops);
}

static void stats_step(struct sess *s)
{
	uint8_t buf[512];
	struct ksampler_stats *st = (void *)buf;
	uint32_t usize = sizeof(*st), cpu = KSAMPLER_STATS_ALL_CPUS;
	char *where = (char *)buf;
	bool ok = true;
	eset errs = E(EINTR);
	const char *what = "a plain struct";
	size_t k, i;
	long r;

	memset(buf, 0xa5, sizeof(buf));
	switch (below(12)) {
	case 0:
		usize = KSAMPLER_STATS_SIZE_VER0;
		what = "the ABI 1.1 size";
		break;
	case 1:
		usize = 200;
		what = "a larger size than the module's";
		break;
	case 2:
		usize = one_in(2) ? KSAMPLER_STATS_SIZE_VER0 - 1 - (uint32_t)below(80) :
			KSAMPLER_MAX_STRUCT_SIZE + 1 + (uint32_t)below(100);
		ok = false;
		errs |= E(EINVAL);
		what = "a size outside the ABI";
		break;
	case 3:
		cpu = (uint32_t)below(nr_cpus);
		what = "one CPU";
		break;
	case 4:
		cpu = one_in(2) ? (uint32_t)nr_cpus : 0xfffffffe;
		ok = false;
		errs |= E(EINVAL);
		what = "a CPU that does not exist";
		break;
	case 5:
		/* the struct runs into a page that is never accessible */
		k = 8 + below(sizeof(*st) - 8);
		where = guard + pagesz - k;
		ok = false;
		errs |= E(EFAULT);
		what = "running into an inaccessible page";
		break;
	case 6:
		/* its size field reads 0, unless the write is tried first */
		where = ro_page;
		ok = false;
		errs |= E(EFAULT) | E(EINVAL);
		what = "a read-only page";
		break;
	case 7:
		where = one_in(2) ? NULL : (char *)0xffff888000000000ULL;
		ok = false;
		errs |= E(EFAULT);
		what = "NULL or a kernel address";
		break;
	case 8:
		/* straddling the page the pager unmaps, remaps and protects */
		k = 8 + below(sizeof(*st) - 8);
		where = __atomic_load_n(&strad, __ATOMIC_ACQUIRE) + pagesz - k;
		errs |= E(EFAULT);
		what = "straddling the page the pager changes";
		count(&sh->straddled);
		break;
	case 9:
		if (s->mode == M_HOSTILE && s->mapped) {
			where = (char *)s->ctrl[below(s->nmapped)];
			s->forged = true;
			what = "the session's own control page";
		}
		break;
	case 10:
		/* the header on a page we touch, the rest on a discarded one */
		where = fresh_pages(pagesz + 16);
		what = "running into an unpopulated page";
		break;
	default:
		break;
	}
	step("GET_STATS session %d: %s", s->id, what);
	if (where && where != ro_page && (uintptr_t)where < 0xffff000000000000ULL) {
		/* only the bytes on the accessible page are ours to write */
		memcpy(where, &usize, 4);
		memcpy(where + 4, &cpu, 4);
	}
	r = xioctl(s->fd, KSAMPLER_IOC_GET_STATS, where, ok, errs);
	if (r || where != (char *)buf)
		return;
	/* the module writes min(size, its own) and zeroes the rest (ABI) */
	if (st->size < KSAMPLER_STATS_SIZE_VER0 || st->size > usize) {
		report(P_ERRNO, "GET_STATS with size %u wrote size %u", usize, st->size);
		return;
	}
	for (i = st->size; i < usize; i++)
		if (buf[i]) {
			report(P_ERRNO, "GET_STATS with size %u, module size %u: byte %zu is %#x, not zero",
			       usize, st->size, i, buf[i]);
			return;
		}
	for (i = usize; i < sizeof(buf); i++)
		if (buf[i] != 0xa5) {
			report(P_ERRNO, "GET_STATS with size %u wrote byte %zu, past the caller's struct",
			       usize, i);
			return;
		}
}

/* ---- hotplug */

static void *hotplug_thread(void *arg)
{
	long ms;
	int err, n;

	(void)arg;
	seed_thread(T_HOTPLUG);
	step("idle");
	for (;;) {
		sem_wait(&hp_go);
		if (__atomic_load_n(&hp_quit, __ATOMIC_ACQUIRE))
			break;
		ms = __atomic_load_n(&hp_ms, __ATOMIC_RELAXED);
		step("CPU 1 offline for %ld ms", ms);
		if (!write_file(CPU1_ONLINE, "0")) {
			if (__atomic_load_n(&running_sessions, __ATOMIC_RELAXED))
				count(&sh->toggles);
			sleep_us((uint64_t)ms * 1000);
			step("CPU 1 online again");
			for (n = 0; (err = write_file(CPU1_ONLINE, "1")) && n < 50; n++)
				sleep_us(20000);
			if (err)
				report(P_HOTPLUG, "CPU 1 does not come back online: %s",
				       strerror(-err));
		}
		step("idle");
		__atomic_store_n(&hp_busy, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void hotplug_step(bool sync)
{
	if (!can_hotplug || unpriv || !(steps & ST_HOTPLUG))
		return;
	if (__atomic_exchange_n(&hp_busy, 1, __ATOMIC_ACQ_REL))
		return;
	__atomic_store_n(&hp_ms, (long)below(60), __ATOMIC_RELAXED);
	sem_post(&hp_go);
	while (sync && __atomic_load_n(&hp_busy, __ATOMIC_ACQUIRE))
		sleep_us(2000);
}

/* ---- the racing threads */

#define RMAPS	32

struct rmap {
	char *p;
	size_t len;
	bool ctrl;
};

static void mapper_unmap(struct rmap *maps, int *n)
{
	int i = (int)below(*n);
	struct rmap *m = &maps[i];

	if (m->len > (size_t)pagesz && one_in(3)) {
		/* a partial unmap splits the mapping in two */
		step("munmap the first page of a %zu-byte ring mapping", m->len);
		munmap(m->p, pagesz);
		m->p += pagesz;
		m->len -= pagesz;
		return;
	}
	step("munmap a %zu-byte ring mapping", m->len);
	munmap(m->p, m->len);
	*m = maps[--*n];
}

static void mapper_op(struct rmap *maps, int *n)
{
	int nv = __atomic_load_n(&nviews, __ATOMIC_ACQUIRE), cpu, e, prot, flags;
	unsigned int gen, pages, kind;
	eset errs = E(EINVAL) | E(ENOMEM);
	struct view *v;
	bool ctrl, ok = true;
	const char *what;
	size_t len;
	char *p;
	int vi;

	if (*n && (one_in(3) || *n == RMAPS)) {
		mapper_unmap(maps, n);
		return;
	}
	if (*n && one_in(5)) {
		struct rmap *m = &maps[below(*n)];

		step("mprotect a %s mapping to %s", m->ctrl ? "control" : "data",
		     m->ctrl ? "executable" : "writable");
		errno = 0;
		e = mprotect(m->p, m->len, m->ctrl ? PROT_READ | PROT_EXEC :
			     PROT_READ | PROT_WRITE);
		if (!judge(e, errno, false, E(EACCES)))
			mprotect(m->p, m->len, m->ctrl ? PROT_READ | PROT_WRITE :
				 PROT_READ);
		else
			(void)*(volatile uint8_t *)m->p;
		return;
	}
	if (!nv) {
		sleep_us(200);
		return;
	}
	vi = (int)below(nv);
	v = &views[vi];
	gen = __atomic_load_n(&v->gen, __ATOMIC_ACQUIRE);
	pages = __atomic_load_n(&v->ring_pages, __ATOMIC_RELAXED);
	cpu = (int)below(nr_cpus);
	ctrl = one_in(2);
	prot = ctrl ? PROT_READ | PROT_WRITE : PROT_READ;
	flags = MAP_SHARED;
	kind = (unsigned int)below(10);
	switch (kind) {
	case 0:
	case 1:
	case 2:
	case 3:
		what = "as the ABI says";
		break;
	case 4:
		what = "MAP_PRIVATE";
		flags = MAP_PRIVATE;
		if (one_in(2))
			prot = PROT_READ;
		ok = false;
		errs = E(EINVAL);
		break;
	case 5:
		what = "writable data";
		ctrl = false;
		prot = PROT_READ | PROT_WRITE;
		ok = false;
		errs = E(EPERM) | E(EACCES) | E(EINVAL);
		break;
	case 6:
		what = "executable";
		prot |= PROT_EXEC;
		ok = false;
		errs = E(EPERM) | E(EACCES) | E(EINVAL);
		break;
	case 7:
		what = "a wrong length";
		ok = false;
		errs = E(EINVAL);
		break;
	default:
		what = "a wrong offset";
		cpu = one_in(2) ? nr_cpus + (int)below(8) : (int)(1U << (20 + below(10)));
		ok = false;
		errs = E(EINVAL) | E(EOVERFLOW) | E(ENOMEM) | E(ENXIO);
		break;
	}
	len = ctrl ? (size_t)pagesz : (size_t)(pages ? pages : 1) * pagesz;
	if (kind == 7)
		len = ctrl ? 2 * (size_t)pagesz : pages > 1 && one_in(2) ?
		      len - pagesz : len + pagesz;
	step("mmap %s of CPU %d, %zu bytes, view %d: %s",
	     ctrl ? "control page" : "data pages", cpu, len, vi, what);
	p = map_any(len, prot, flags, v->fd,
		    (off_t)((ctrl ? KSAMPLER_MMAP_CTRL_PGOFF(cpu) :
			     KSAMPLER_MMAP_DATA_PGOFF(cpu)) * pagesz));
	e = errno;
	count(&sh->mmaps);
	/* a stale geometry (CONFIGURE meanwhile) makes any length right or wrong */
	if (kind == 7 && (gen != __atomic_load_n(&v->gen, __ATOMIC_ACQUIRE) ||
			  (gen & 1) || !pages))
		ok = true;
	judge(p == MAP_FAILED ? -1 : 0, e, ok, errs);
	if (p == MAP_FAILED)
		return;
	if (!ok || kind >= 4) {
		if ((flags & MAP_PRIVATE) && (prot & PROT_WRITE) &&
		    v->mode == M_HOSTILE)
			((struct ksampler_ring_ctrl *)(void *)p)->data_tail = rnd();
		munmap(p, len);
		return;
	}
	(void)*(volatile uint64_t *)p;
	if (ctrl && pages && !(gen & 1) && v->mode != M_HOSTILE &&
	    gen == __atomic_load_n(&v->gen, __ATOMIC_ACQUIRE) &&
	    ((struct ksampler_ring_ctrl *)(void *)p)->data_size != (uint64_t)pages * pagesz)
		report(P_RECORDS, "control page says data_size %llu for a %u-page ring",
		       (unsigned long long)((struct ksampler_ring_ctrl *)(void *)p)->data_size,
		       pages);
	maps[*n].p = p;
	maps[*n].len = len;
	maps[*n].ctrl = ctrl;
	++*n;
}

static void *mapper_thread(void *arg)
{
	struct rmap maps[RMAPS];
	int n = 0;

	(void)arg;
	seed_thread(T_MAPPER);
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		mapper_op(maps, &n);
		if (one_in(3))
			sleep_us(below(400));
	}
	while (n) {
		n--;
		munmap(maps[n].p, maps[n].len);
	}
	step("done");
	return NULL;
}

/* Writes the bytes of @hdr that fall on the accessible first page. */
static void put_head(char *at, size_t k, const void *hdr, size_t n)
{
	memcpy(at, hdr, n < k ? n : k);
}

static void pager_ioctl(char *a)
{
	int nv = __atomic_load_n(&nviews, __ATOMIC_ACQUIRE), e;
	struct pollfd pfd;
	struct view *v;
	uint32_t hdr[2];
	size_t k, len;
	char *at;
	long r;

	if (!nv)
		return;
	v = &views[below(nv)];
	k = one_in(8) ? 1 + below(7) : 8 + below(sizeof(struct ksampler_stats) - 8);
	at = a + pagesz - k;
	switch (below(6)) {
	case 0:
	case 1:
		hdr[0] = one_in(3) ? KSAMPLER_STATS_SIZE_VER0 : one_in(2) ? 200 :
			 sizeof(struct ksampler_stats);
		hdr[1] = one_in(2) ? KSAMPLER_STATS_ALL_CPUS : (uint32_t)below(nr_cpus + 1);
		put_head(at, k, hdr, 8);
		step("GET_STATS straddling the changing page, %zu bytes before it", k);
		xioctl(v->fd, KSAMPLER_IOC_GET_STATS, at, true,
		       E(EFAULT) | E(EINVAL) | E(EINTR));
		count(&sh->straddled);
		break;
	case 2:
		/* flags ~0 on the accessible page: never a valid config */
		k = 8 + below(KSAMPLER_CONFIG_SIZE_VER0 - 8);
		at = a + pagesz - k;
		hdr[0] = KSAMPLER_CONFIG_SIZE_VER0;
		hdr[1] = ~0U;
		put_head(at, k, hdr, 8);
		step("CONFIGURE straddling the changing page, %zu bytes before it", k);
		xioctl(v->fd, KSAMPLER_IOC_CONFIGURE, at, false,
		       E(EFAULT) | E(EINVAL) | E(EBUSY) | E(EINTR));
		break;
	case 3:
		/* an unknown flag on the accessible page: never a valid target */
		k = 8 + below(KSAMPLER_TARGET_SIZE_VER0 - 8);
		at = a + pagesz - k;
		hdr[0] = KSAMPLER_TARGET_SIZE_VER0;
		hdr[1] = 0x80000000U;
		put_head(at, k, hdr, 8);
		step("%s straddling the changing page", k & 1 ? "ADD_TARGET" : "DEL_TARGET");
		xioctl(v->fd, k & 1 ? KSAMPLER_IOC_ADD_TARGET : KSAMPLER_IOC_DEL_TARGET,
		       at, false, E(EFAULT) | E(EINVAL) | E(EINTR));
		break;
	case 4:
		if (v->mode == M_MMAP)
			return;
		len = below(3 * pagesz);
		step("read() straddling the changing page, %zu bytes", len);
		errno = 0;
		r = read(v->fd, at, len);
		e = errno;
		judge(r, e, true, E(EINVAL) | E(EAGAIN) | E(EFAULT) | E(EINTR));
		if (r > 0 && ((size_t)r > len || r % 8))
			report(P_RECORDS, "read() returned %ld for %zu bytes", r, len);
		break;
	default:
		pfd.fd = v->fd;
		pfd.events = POLLIN;
		step("poll(), timeout 0");
		errno = 0;
		r = poll(&pfd, 1, 0);
		e = errno;
		judge(r, e, true, E(EINTR));
		break;
	}
}

static void new_strad(void)
{
	char *n = map_any(2 * pagesz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (n != MAP_FAILED)
		__atomic_store_n(&strad, n, __ATOMIC_RELEASE);
}

static void pager_op(void)
{
	char *a = __atomic_load_n(&strad, __ATOMIC_ACQUIRE), *p1 = a + pagesz, *p;

	switch (below(10)) {
	case 0:
		step("munmap the changing page and map it again");
		pthread_rwlock_wrlock(&map_gate);
		munmap(p1, pagesz);
		sleep_us(below(200));
		p = mmap(p1, pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		pthread_rwlock_unlock(&map_gate);
		if (p != p1) {
			/* someone took the address after all: leave it be */
			if (p != MAP_FAILED)
				munmap(p, pagesz);
			new_strad();
		}
		break;
	case 1:
		step("mprotect the changing page read-only");
		mprotect(p1, pagesz, PROT_READ);
		break;
	case 2:
		step("mprotect the changing page inaccessible");
		mprotect(p1, pagesz, PROT_NONE);
		break;
	case 3:
		step("mprotect the changing page read-write");
		mprotect(p1, pagesz, PROT_READ | PROT_WRITE);
		break;
	case 4:
		step("discard the changing page (MADV_DONTNEED)");
		madvise(p1, pagesz, MADV_DONTNEED);
		break;
	default:
		pager_ioctl(a);
		break;
	}
}

static void *pager_thread(void *arg)
{
	(void)arg;
	seed_thread(T_PAGER);
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		pager_op();
		if (one_in(3))
			sleep_us(below(300));
	}
	step("done");
	return NULL;
}

/*
 * Spins with the frame pointer holding crafted_bp, so that every sample
 * of this thread carries it as user_bp: a word of the ring we know.
 */
static void *crafted_thread(void *arg)
{
	uint64_t end;

	(void)arg;
	seed_thread(T_CRAFT);
	step("spinning with a crafted frame pointer");
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		end = now_ns() + 1000000;
		while (now_ns() < end)
			burn_with_bp(__atomic_load_n(&crafted_bp, __ATOMIC_RELAXED),
				     20000);
		sleep_us(1000);
	}
	return NULL;
}

/* ---- the auto-reaping subprocess */

/* Until the worker names the moment (2 s at most), then until it. */
static void await_death(uint32_t slot)
{
	uint64_t limit = now_ns() + 2000000000ULL, at;
	struct timespec ts;

	while (!(at = __atomic_load_n(&death_at[slot], __ATOMIC_ACQUIRE)) &&
	       now_ns() < limit)
		sleep_us(200);
	if (!at)
		return;
	ts.tv_sec = (time_t)(at / 1000000000ULL);
	ts.tv_nsec = (long)(at % 1000000000ULL);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *gc_thread(void *arg)
{
	await_death((uint32_t)(uintptr_t)arg);
	_exit(0);
}

static void grandchild(uint32_t slot, uint32_t style)
{
	static char *const argv[] = { "/bin/true", NULL };
	static char *const envp[] = { NULL };
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t cpus;
	pthread_t t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	switch (style) {
	case 1:
		/* the leader leaves first: a zombie leader, a live thread */
		if (!pthread_create(&t, NULL, gc_thread, (void *)(uintptr_t)slot))
			pthread_exit(NULL);
		break;
	case 2:
		await_death(slot);
		execve(argv[0], argv, envp);
		break;
	case 3:
		/*
		 * On CPU 0, where the worker hammers ADD_TARGET, at a higher
		 * priority: on a fully preemptible kernel its timer preempts
		 * the ioctl wherever it is, and it is gone, released, before
		 * the ioctl resumes.
		 */
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
		sched_setaffinity(0, sizeof(cpus), &cpus);
		sched_setscheduler(0, SCHED_FIFO, &sp);
		break;
	default:
		break;
	}
	await_death(slot);
	_exit(0);
}

static void reaper_main(int cmd, int out)
{
	uint32_t m[2];
	pid_t pid;

	signal(SIGCHLD, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (read(cmd, m, sizeof(m)) == sizeof(m)) {
		pid = fork();
		if (pid == 0) {
			pid = getpid();
			if (write(out, &pid, sizeof(pid)) != sizeof(pid))
				_exit(1);
			grandchild(m[0], m[1]);
		}
	}
	_exit(0);
}

/* Before any thread starts: the subprocess forks a process with one thread. */
static void start_reaper(void)
{
	int cmd[2], out[2];

	death_at = mmap(NULL, DEATH_SLOTS * sizeof(*death_at),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!(steps & ST_TARGETS) || death_at == MAP_FAILED ||
	    pipe2(cmd, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return;
	reaper_pid = fork();
	if (reaper_pid == 0) {
		dup2(cmd[0], 3);
		dup2(out[1], 4);
		close_range(5, ~0U, 0);
		reaper_main(3, 4);
	}
	close(cmd[0]);
	close(out[1]);
	reaper_cmd = cmd[1];
	reaper_out = out[0];
}

/* ---- one life cycle of a session */

/* Before CONFIGURE: no ring to map, read or start. */
static void before_configure(struct sess *s)
{
	struct ksampler_stats st;
	int e;
	void *p;

	step("START session %d before CONFIGURE", s->id);
	xioctl(s->fd, KSAMPLER_IOC_START, NULL, false, ES_MUSTFAIL);
	step("STOP session %d before CONFIGURE", s->id);
	xioctl(s->fd, KSAMPLER_IOC_STOP, NULL, false, ES_MUSTFAIL);
	step("mmap a control page of session %d before CONFIGURE", s->id);
	p = map_any(pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	e = errno;
	judge(p == MAP_FAILED ? -1 : 0, e, false, E(EINVAL) | E(ENODEV) | E(ENXIO));
	if (p != MAP_FAILED)
		munmap(p, pagesz);
	judged_read(s, pick_rbuf(s, false), false);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu = KSAMPLER_STATS_ALL_CPUS;
	step("GET_STATS session %d before CONFIGURE", s->id);
	xioctl(s->fd, KSAMPLER_IOC_GET_STATS, &st, true, E(EINTR));
	step("an unknown ioctl on session %d", s->id);
	xioctl(s->fd, _IO(KSAMPLER_IOC_MAGIC, 0x07 + below(0xf8)), NULL, false,
	       E(ENOTTY) | E(EINVAL));
}

static void start(struct sess *s)
{
	eset errs = E(EINTR) | ES_LIMITS;
	bool ok = true;
	long r;

	if (s->running) {
		ok = false;
		errs = E(EBUSY) | E(EINVAL) | E(EINTR);
	} else if (!s->configured || s->ntargets <= 0) {
		ok = false;
		errs = E(EINVAL) | E(ENOENT) | E(EINTR);
	} else if (s->event == KSAMPLER_EVENT_CYCLES) {
		/* no PMU under TCG */
		errs |= E(ENOENT) | E(EOPNOTSUPP) | E(ENODEV) | E(EINVAL) | E(EACCES);
	}
	if (s->suspect) {
		/* a configuration that should have been refused: any answer */
		ok = true;
		errs = ~(eset)0;
	}
	step("START session %d (%s, %d targets%s)", s->id, mode_names[s->mode],
	     s->ntargets, s->running ? ", running" : "");
	r = xioctl(s->fd, KSAMPLER_IOC_START, NULL, ok, errs);
	if (!r)
		set_running(s, true);
}

static void stop(struct sess *s)
{
	bool was = s->running;
	long r;

	step("STOP session %d%s", s->id, was ? "" : ", not running");
	r = xioctl(s->fd, KSAMPLER_IOC_STOP, NULL, was,
		   was ? E(EINTR) : ES_MUSTFAIL | E(EBUSY));
	if (!r && was) {
		set_running(s, false);
		check_invariant(s, "after STOP");
	}
}

/* A short session inside another: START, then close without STOP. */
static void nested_session(void)
{
	struct sess *s = open_session(false);
	struct ksampler_ring_ctrl *c = NULL;
	int e;

	if (!s)
		return;
	if (!configure_valid(s))
		goto out;
	add_own(s, "ourselves", getpid());
	if (one_in(2)) {
		step("mmap a control page of nested session %d", s->id);
		c = map_any(pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
		e = errno;
		judge(c == MAP_FAILED ? -1 : 0, e, true, E(ENOMEM));
	}
	start(s);
	sleep_us(below(3000));
	if (c && c != MAP_FAILED) {
		/* the mapping holds the file: close first, unmap last */
		step("close nested session %d, its control page mapped", s->id);
		close(s->fd);
		s->fd = -1;
		set_running(s, false);
		sleep_us(below(2000));
		munmap(c, pagesz);
	}
out:
	close_session(s);
}

static void running_step(struct sess *s)
{
	struct cfg_case k;
	struct kid *kid;

	switch (below(20)) {
	case 0:
	case 1:
	case 2:
		step("let session %d sample", s->id);
		sleep_us(2000 + below(15000));
		break;
	case 3:
	case 4:
	case 5:
		consume(s);
		break;
	case 6:
		poll0(s);
		break;
	case 7:
	case 8:
		stats_step(s);
		break;
	case 9:
	case 10:
		target_step(s, false);
		break;
	case 11:
		hotplug_step(one_in(2));
		break;
	case 12:
		if (steps & ST_CONFIG)
			invalid_config(s, &k);
		else
			valid_config(s, &k);
		configure(s, &k);
		break;
	case 13:
		start(s);
		break;
	case 14:
		/* the rings are VM_DONTCOPY: a child has none of them */
		kid = spawn_kid(K_SLEEP, 0);
		if (kid)
			reap_kid(kid, true);
		break;
	case 15:
		if (s->mapped)
			hostile_mmap(s);
		break;
	case 16:
		if (s->mapped)
			hostile_mprotect(s);
		break;
	case 17:
		if (s->mapped) {
			/* unmapped and mapped again: the same pages */
			int cpu = (int)below(s->nmapped);

			if (s->mode == M_MMAP)
				drain_ring(s, cpu);
			unmap_cpu(s, cpu);
			if (!map_cpu(s, cpu))
				unmap_all(s);
		}
		break;
	case 18:
		if (nsessions < MAX_SESS)
			nested_session();
		break;
	default:
		if (s->mode == M_HOSTILE && s->mapped && (steps & ST_FORGE))
			forge(s);
		else
			consume(s);
		break;
	}
}

static void life_cycle(struct sess *s, bool last)
{
	struct cfg_case k;
	int i, n, r;

	if (!s->configured)
		before_configure(s);
	if (s->mapped) {
		if (one_in(2)) {
			/* not while a ring is mapped (ABI): refused */
			valid_config(s, &k);
			configure(s, &k);
		}
		unmap_all(s);
	}
	if (steps & ST_CONFIG) {
		n = (int)below(3);
		for (i = 0; i < n && s->fd >= 0; i++) {
			invalid_config(s, &k);
			configure(s, &k);
		}
	}
	if (s->fd < 0)
		return;
	if (s->suspect && s->configured && one_in(2)) {
		/* accepted but should not have been: see what START makes of it */
		r = 0;
	} else {
		valid_config(s, &k);
		r = configure(s, &k);
	}
	/* EBUSY: a racing thread holds a mapping; the old rings stay */
	if (s->fd < 0 || (r && !(r == -EBUSY && s->configured)))
		return;
	count(&sh->lifecycles);
	if (!s->opened_priv) {
		/* nobody's session: others' processes and ALL, refused */
		n = 2 + (int)below(3);
		for (i = 0; i < n; i++)
			target_others(s);
		probe_not_all(s, "the refusals");
	}
	if (s->mode == M_HOSTILE || one_in(2))
		add_own(s, "ourselves", getpid());
	n = (int)below(3) + (s->ntargets ? 0 : 1);
	for (i = 0; i < n; i++)
		target_step(s, true);
	if (s->mode != M_READ || one_in(3)) {
		for (i = 0; i < nr_cpus && i < MAX_CPUS; i++) {
			if (one_in(4))
				hostile_mmap(s);
			if (!map_cpu(s, i))
				break;
		}
		s->nmapped = i;
		s->mapped = i > 0;
	}
	if (one_in(6))
		hotplug_step(false);
	start(s);
	if (s->running) {
		n = 4 + (int)below(10);
		for (i = 0; i < n && s->fd >= 0; i++)
			running_step(s);
	}
	if (s->fd < 0)
		return;
	if (last && s->running && one_in(3))
		return;		/* left running beside the next session */
	stop(s);
	if (one_in(4))
		stop(s);
	if (s->mode == M_HOSTILE && (steps & ST_FORGE))
		overrun_probe(s);
	if (s->mode == M_MMAP && s->mapped) {
		step("drain session %d after STOP", s->id);
		for (i = 0; i < s->nmapped; i++)
			drain_ring(s, i);
	} else if (s->mode == M_READ) {
		judged_read(s, pick_rbuf(s, false), true);
	}
	if (one_in(3))
		target_step(s, false);
	if (!last || one_in(2))
		unmap_all(s);
}

/* ---- the worker: one iteration */

static bool setup_memory(void)
{
	region = mmap(NULL, REGION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		      MAP_NORESERVE, -1, 0);
	guard = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, pagesz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fresh = mmap(NULL, FRESH_PAGES * pagesz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bigbuf = mmap(NULL, BIG_BUF + pagesz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || guard == MAP_FAILED || ro_page == MAP_FAILED ||
	    fresh == MAP_FAILED || bigbuf == MAP_FAILED ||
	    mprotect(guard + pagesz, pagesz, PROT_NONE))
		return false;
	region_bump = region;
	region_end = region + REGION;
	new_strad();
	return strad != NULL;
}

static void worker(void)
{
	pthread_t threads[NTHREADS];
	bool started[NTHREADS] = { false };
	struct sess *pre = NULL, *s;
	int i, c, nlife, cycles;

	seed_thread(T_MAIN);
	step("setting up");
	if (!setup_memory())
		_exit(3);
	sem_init(&hp_go, 0, 0);
	if (unpriv) {
		/* a file root opened keeps root's credentials (ABI 1.4) */
		if (one_in(2))
			pre = open_session(true);
		if (become_nobody(true))
			_exit(3);
	}
	start_reaper();
	if (!pthread_create(&threads[T_CRAFT], NULL, crafted_thread, NULL))
		started[T_CRAFT] = true;
	if ((steps & ST_RACE) &&
	    !pthread_create(&threads[T_MAPPER], NULL, mapper_thread, NULL))
		started[T_MAPPER] = true;
	if ((steps & ST_RACE) &&
	    !pthread_create(&threads[T_PAGER], NULL, pager_thread, NULL))
		started[T_PAGER] = true;
	if (can_hotplug && !unpriv && (steps & ST_HOTPLUG) &&
	    !pthread_create(&threads[T_HOTPLUG], NULL, hotplug_thread, NULL))
		started[T_HOTPLUG] = true;
	while (started[T_CRAFT] && !__atomic_load_n(&sh->tid[T_CRAFT], __ATOMIC_ACQUIRE))
		sleep_us(100);

	nlife = 1 + (int)below(unpriv ? 3 : 4);
	for (i = 0; i < nlife; i++) {
		s = i == 0 && pre ? pre : open_session(true);
		if (!s)
			continue;
		cycles = 1 + (int)below(2) + (one_in(4) ? 1 : 0);
		for (c = 0; c < cycles && s->fd >= 0; c++)
			life_cycle(s, c == cycles - 1);
		if (s->fd >= 0 && !s->running && one_in(2))
			close_session(s);
	}

	step("wind down");
	for (i = 0; i < nsessions; i++) {
		s = &sessions[i];
		if (s->fd >= 0 && s->running && one_in(2))
			stop(s);
		close_session(s);
	}
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	for (i = T_MAPPER; i < NTHREADS; i++)
		if (started[i] && i != T_HOTPLUG) {
			step("join the %s thread", thread_names[i]);
			pthread_join(threads[i], NULL);
		}
	if (started[T_HOTPLUG]) {
		step("join the hotplug thread");
		while (__atomic_load_n(&hp_busy, __ATOMIC_ACQUIRE))
			sleep_us(2000);
		__atomic_store_n(&hp_quit, 1, __ATOMIC_RELEASE);
		sem_post(&hp_go);
		pthread_join(threads[T_HOTPLUG], NULL);
	}
	step("kill and reap the children");
	for (i = 0; i < nkids; i++)
		if (!kids[i].reaped) {
			kill(kids[i].pid, SIGKILL);
			reap_kid(&kids[i], true);
		}
	if (reaper_pid > 0) {
		close(reaper_cmd);
		kill(reaper_pid, SIGKILL);
		waitpid(reaper_pid, NULL, 0);
	}
	step("exit");
	_exit(0);
}

/* ---- the supervisor */

/* The kernel log lines that follow a splat, as diagnostics. */
static void kmsg_follow(int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	struct pollfd pfd = { .fd = kmsg_fd, .events = POLLIN };
	char rec[2048];
	int lines = 0;
	ssize_t n;

	while (kmsg_fd >= 0 && now_ns() < end && lines < 60) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			continue;
		rec[n] = 0;
		printf("#     kmsg: %s\n", kmsg_text(rec));
		lines++;
	}
}

static char first[P_NR][MSG_LEN + 64];

static void remember(enum point p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void remember(enum point p, const char *fmt, ...)
{
	va_list ap;

	if (first[p][0])
		return;
	va_start(ap, fmt);
	vsnprintf(first[p], sizeof(first[p]), fmt, ap);
	va_end(ap);
}

/*
 * Messages are grouped by kind (the text without its numbers): each
 * kind's first few are printed as they come, and the end of the run lists
 * every kind once, with its count and how to replay its first occurrence.
 */
#define PRINT_BUDGET	3
#define KINDS		64

struct kind {
	char key[120];
	long n;
	int point;
	char first[MSG_LEN + 200];
};

static struct kind kinds[KINDS];
static int nkinds;

static struct kind *kind_of(const char *msg, int p)
{
	char key[120];
	size_t k = 0;
	int i;

	for (; *msg && k < sizeof(key) - 1; msg++)
		if (*msg < '0' || *msg > '9')
			key[k++] = *msg;
	key[k] = 0;
	for (i = 0; i < nkinds; i++)
		if (kinds[i].point == p && !strcmp(kinds[i].key, key))
			return &kinds[i];
	if (nkinds == KINDS)
		return NULL;
	memcpy(kinds[nkinds].key, key, k + 1);
	kinds[nkinds].point = p;
	return &kinds[nkinds++];
}

static void print_messages(long i, const char *rep)
{
	unsigned int n = __atomic_load_n(&sh->msg_n, __ATOMIC_ACQUIRE), m;
	struct kind *k;
	int p;

	for (m = 0; m < n && m < MSG_SLOTS; m++) {
		sh->msg[m][MSG_LEN - 1] = 0;
		p = sh->msg_point[m];
		if (p < 0 || p > P_NR)
			continue;
		if (p < P_NR)
			remember((enum point)p, "iteration %ld (%s): %s", i, rep,
				 sh->msg[m]);
		k = kind_of(sh->msg[m], p);
		if (k && !k->n++)
			snprintf(k->first, sizeof(k->first), "iteration %ld (%s): %s",
				 i, rep, sh->msg[m]);
		if (!k || k->n <= PRINT_BUDGET)
			printf("# iteration %ld: %s%s\n", i,
			       p == P_NOTE ? "note: " : "", sh->msg[m]);
		else if (k->n == PRINT_BUDGET + 1)
			printf("# iteration %ld: (more of that kind only counted)\n", i);
	}
	if (n > MSG_SLOTS)
		printf("# iteration %ld: %u more messages, not kept\n", i, n - MSG_SLOTS);
	fflush(stdout);
}

static void print_kinds(void)
{
	int i;

	if (!nkinds)
		return;
	printf("# failures by kind (count, first occurrence):\n");
	for (i = 0; i < nkinds; i++)
		if (kinds[i].point != P_NOTE)
			printf("#   %ld x %s\n", kinds[i].n, kinds[i].first);
}

static void print_steps(void)
{
	unsigned int k, n = sh->hist_n;
	int t;

	for (t = 0; t < NTHREADS; t++) {
		sh->step[t][STEP_LEN - 1] = 0;
		if (sh->step[t][0])
			printf("#   %s thread (tid %d): %s\n", thread_names[t],
			       sh->tid[t], sh->step[t]);
	}
	printf("#   main's last steps, oldest first:\n");
	for (k = n > HIST ? n - HIST : 0; k < n; k++) {
		sh->hist[k % HIST][STEP_LEN - 1] = 0;
		printf("#     %s\n", sh->hist[k % HIST]);
	}
}

static void print_file_lines(const char *path, const char *prefix, int max)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (!f)
		return;
	while (n++ < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		printf("%s%s\n", prefix, line);
	}
	fclose(f);
}

/* Where each thread of the worker is, in the kernel. */
static void print_stacks(pid_t pid)
{
	char path[320], comm[64] = "";
	struct dirent *de;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", pid, de->d_name);
		f = fopen(path, "re");
		comm[0] = 0;
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			fclose(f);
			comm[strcspn(comm, "\n")] = 0;
		}
		printf("#   tid %s (%s), kernel stack:\n", de->d_name, comm);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, de->d_name);
		print_file_lines(path, "#     ", 16);
	}
	closedir(d);
}

enum outcome { IT_OK, IT_DIED, IT_HUNG, IT_SPLAT };

static pid_t reap_any(pid_t worker_pid, int *status, bool *worker_done)
{
	pid_t w;
	int st;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		if (w == worker_pid) {
			*status = st;
			*worker_done = true;
		} else if (w == burner_pid) {
			burner_pid = 0;
		}
	}
	return w;
}

static void kill_worker(pid_t pid)
{
	bool done = false;
	int st, n;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	for (n = 0; n < 50 && !done; n++) {
		reap_any(pid, &st, &done);
		if (!done)
			sleep_us(100000);
	}
	if (!done)
		printf("#   the worker does not die: stuck in the kernel\n");
}

static enum outcome run_iteration(long i, const char *reproduce)
{
	uint64_t deadline = now_ns() + HANG_S * 1000000000ULL;
	char line[512] = "";
	bool done = false;
	int status = 0, t;
	pid_t pid;

	sh->msg_n = 0;
	sh->hist_n = 0;
	for (t = 0; t < NTHREADS; t++) {
		sh->step[t][0] = 0;
		sh->tid[t] = 0;
	}
	iter = i;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return IT_DIED;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (kmsg_fd >= 0)
			close(kmsg_fd);
		worker();
	}
	setpgid(pid, pid);
	for (;;) {
		reap_any(pid, &status, &done);
		if (done)
			break;
		if (kmsg_splat(line, sizeof(line), 50)) {
			printf("# iteration %ld: the kernel logged: %s\n", i, line);
			print_steps();
			print_stacks(pid);
			kmsg_follow(2000);
			remember(P_KMSG, "iteration %ld: %s (%s) -- %s", i, line,
				 reproduce, sh->step[T_MAIN]);
			kill_worker(pid);
			print_messages(i, reproduce);
			return IT_SPLAT;
		}
		if (now_ns() > deadline) {
			printf("# iteration %ld: hung for %d s\n", i, HANG_S);
			print_steps();
			print_stacks(pid);
			remember(P_DONE, "iteration %ld hung (%s); main thread at: %s",
				 i, reproduce, sh->step[T_MAIN]);
			kill_worker(pid);
			print_messages(i, reproduce);
			return IT_HUNG;
		}
	}
	/* a splat right at the end still counts against this iteration */
	if (kmsg_splat(line, sizeof(line), 0)) {
		printf("# iteration %ld: the kernel logged: %s\n", i, line);
		print_steps();
		kmsg_follow(2000);
		remember(P_KMSG, "iteration %ld: %s (%s) -- %s", i, line,
			 reproduce, sh->step[T_MAIN]);
		print_messages(i, reproduce);
		return IT_SPLAT;
	}
	print_messages(i, reproduce);
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return IT_OK;
	printf("# iteration %ld: the worker %s %d\n", i,
	       WIFSIGNALED(status) ? "died of signal" : "exited with",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	print_steps();
	remember(P_DONE, "iteration %ld: the worker %s %d (%s) at: %s", i,
		 WIFSIGNALED(status) ? "died of signal" : "exited with",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		 reproduce, sh->step[T_MAIN]);
	return IT_DIED;
}

struct live {
	uint64_t sessions, ring_bytes, events, pid_refs, objects;
};

static bool read_live(struct live *l)
{
	struct ksampler_stats st;
	int fd = open(KSAMPLER_DEVICE_PATH, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return false;
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu = KSAMPLER_STATS_ALL_CPUS;
	r = ioctl(fd, KSAMPLER_IOC_GET_STATS, &st);
	close(fd);
	if (r)
		return false;
	l->sessions = st.live_sessions;
	l->ring_bytes = st.live_ring_bytes;
	l->events = st.live_events;
	l->pid_refs = st.live_pid_refs;
	l->objects = st.live_objects;
	return true;
}

static bool live_eq(const struct live *a, const struct live *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static const struct live live_zero = { 1, 0, 0, 0, 0 };
static struct live live_base = { 1, 0, 0, 0, 0 };

/* Teardown is synchronous, but give a straggler a moment. */
static bool leak_check(long i, const char *reproduce)
{
	struct live l = { 0 };
	bool got = false;
	int n;

	for (n = 0; n < 40; n++) {
		got = read_live(&l);
		if (got && live_eq(&l, &live_base))
			return true;
		sleep_us(50000);
	}
	printf("# iteration %ld: %s: sessions %llu (with the probe), ring bytes %llu, events %llu, pid refs %llu, objects %llu\n",
	       i, got ? "the module still owns something" : "no probe session",
	       (unsigned long long)l.sessions, (unsigned long long)l.ring_bytes,
	       (unsigned long long)l.events, (unsigned long long)l.pid_refs,
	       (unsigned long long)l.objects);
	print_steps();
	remember(P_LEAK, "iteration %ld (%s): sessions %llu (with the probe), ring bytes %llu, events %llu, pid refs %llu, objects %llu",
		 i, reproduce, (unsigned long long)l.sessions,
		 (unsigned long long)l.ring_bytes, (unsigned long long)l.events,
		 (unsigned long long)l.pid_refs, (unsigned long long)l.objects);
	if (got)
		live_base = l;	/* count each leak once */
	return false;
}

static pid_t start_burner(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		close_range(3, ~0U, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			burn_us(2000);
			sleep_us(2000);
		}
	}
	return pid;
}

static void usage(void)
{
	fprintf(stderr, "usage: scenario_fuzz [--seed N] [--start I] [--count K] [--steps forge,race,targets,hotplug,config,unpriv] [ITERATIONS]\n");
	exit(2);
}

static unsigned int parse_steps(const char *list)
{
	unsigned int mask = 0, k;
	char *copy = strdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < sizeof(step_classes) / sizeof(step_classes[0]); k++)
			if (!strcmp(tok, step_classes[k]))
				break;
		if (!strcmp(tok, "all"))
			mask |= ST_ALL;
		else if (k == sizeof(step_classes) / sizeof(step_classes[0]))
			usage();
		else
			mask |= 1U << k;
	}
	free(copy);
	return mask;
}

static void diag(enum point p)
{
	if (first[p][0])
		printf("#   first: %s\n", first[p]);
}

int main(int argc, char **argv)
{
	const char *env = getenv("KSAMPLER_SCENARIO_ITERS");
	long iters = env && *env ? atol(env) : DEFAULT_ITERS, first_iter = 0, only = -1;
	long i, ran = 0, nunpriv = 0, unpriv_ran = 0, leaks = 0, first_unpriv, planned;
	bool seeded = false, stopped = false, died = false;
	bool kmsg_bad = false;
	struct ksampler_version ver;
	char reproduce[256], steps_arg[96] = "", max_rate[32] = "";
	enum outcome out;
	struct live l = { 0 };
	struct stat dev_st;
	uint64_t t0;
	int fd, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			run_seed = strtoull(argv[++a], NULL, 0);
			seeded = true;
		} else if (!strcmp(argv[a], "--start") && a + 1 < argc) {
			first_iter = atol(argv[++a]);
		} else if (!strcmp(argv[a], "--count") && a + 1 < argc) {
			only = atol(argv[++a]);
		} else if (!strcmp(argv[a], "--steps") && a + 1 < argc) {
			snprintf(steps_arg, sizeof(steps_arg), " --steps %s", argv[a + 1]);
			steps = parse_steps(argv[++a]);
		} else if (argv[a][0] >= '0' && argv[a][0] <= '9') {
			iters = atol(argv[a]);
		} else {
			usage();
		}
	}
	if (!seeded)
		run_seed = splitmix((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	pagesz = sysconf(_SC_PAGESIZE);
	super_pid = getpid();
	nunpriv = (steps & ST_UNPRIV) && iters >= 2 ? (iters / 5 ? iters / 5 : 1) : 0;
	first_unpriv = iters - nunpriv;
	planned = iters - first_iter;
	if (only >= 0 && only < planned)
		planned = only;
	snprintf(reproduce, sizeof(reproduce), "scenario_fuzz --seed 0x%llx%s --start I --count 1 %ld",
		 (unsigned long long)run_seed, steps_arg, iters);
	printf("# scenario_fuzz: %ld of %ld iterations from %ld, seed 0x%llx, as nobody from iteration %ld; replay iteration I with: %s\n",
	       planned, iters, first_iter, (unsigned long long)run_seed,
	       first_unpriv, reproduce);
	fflush(stdout);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = open(KSAMPLER_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	memset(&ver, 0, sizeof(ver));
	ver.size = sizeof(ver);
	if (sh == MAP_FAILED || fd < 0 || ioctl(fd, KSAMPLER_IOC_GET_VERSION, &ver)) {
		check(0, "the device opens and answers GET_VERSION (%s)",
		      strerror(errno));
		return tap_plan();
	}
	close(fd);
	nr_cpus = (int)ver.nr_cpu_ids;
	feat_cpu_status = ver.features & KSAMPLER_FEAT_CPU_STATUS;
	feat_proc_start = ver.features & KSAMPLER_FEAT_PROC_START;
	default_ring_pages = (uint32_t)read_param("ring_pages", 64);
	max_ring_pages = (uint32_t)read_param("max_ring_pages", 4096);
	max_frequency = read_param("max_frequency", 100000);
	can_hotplug = (steps & ST_HOTPLUG) && !access(CPU1_ONLINE, W_OK);
	/* perf lowers it when handlers run long (the storms): put it back after */
	fd = open(MAX_RATE, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, max_rate, sizeof(max_rate) - 1);

		max_rate[n > 0 ? n : 0] = 0;
		close(fd);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	kmsg_open();	/* only what the kernel logs from now on counts */
	if (!read_live(&l) || !live_eq(&l, &live_zero)) {
		printf("# the module owned something before the first iteration\n");
		remember(P_LEAK, "before the first iteration: sessions %llu, ring bytes %llu, events %llu, pid refs %llu, objects %llu",
			 (unsigned long long)l.sessions, (unsigned long long)l.ring_bytes,
			 (unsigned long long)l.events, (unsigned long long)l.pid_refs,
			 (unsigned long long)l.objects);
		live_base = l;
		leaks++;
	}

	t0 = now_ns();
	for (i = first_iter; i < iters && (only < 0 || i < first_iter + only); i++) {
		char rep[256];

		snprintf(rep, sizeof(rep), "scenario_fuzz --seed 0x%llx%s --start %ld --count 1 %ld",
			 (unsigned long long)run_seed, steps_arg, i, iters);
		unpriv = i >= first_unpriv;
		if (unpriv && !unpriv_ran) {
			stat(KSAMPLER_DEVICE_PATH, &dev_st);
			chmod(KSAMPLER_DEVICE_PATH, 0666);
			burner_pid = start_burner();
		}
		out = run_iteration(i, rep);
		ran++;
		unpriv_ran += unpriv;
		if (out == IT_DIED)
			died = true;
		if (out == IT_SPLAT)
			kmsg_bad = true;
		if (out == IT_HUNG || out == IT_SPLAT) {
			stopped = true;
			break;
		}
		if (!leak_check(i, rep))
			leaks++;
		if ((i + 1) % (iters / 10 ? iters / 10 : 1) == 0)
			printf("# %ld/%ld iterations, %.0f s: %ld calls, %ld STOPs, %ld records, %ld forged reads, %ld mmaps\n",
			       i + 1, iters, (now_ns() - t0) / 1e9, sh->calls,
			       sh->stops, sh->records, sh->forged_reads, sh->mmaps);
		fflush(stdout);
	}
	if (unpriv_ran)
		chmod(KSAMPLER_DEVICE_PATH, dev_st.st_mode & 07777);
	if (burner_pid > 0) {
		kill(burner_pid, SIGKILL);
		waitpid(burner_pid, NULL, 0);
	}
	if (can_hotplug)
		write_file(CPU1_ONLINE, "1");
	if (max_rate[0])
		write_file(MAX_RATE, max_rate);
	print_kinds();
	printf("# %ld iterations in %.1f s; %ld ADD_TARGETs of exiting processes, %ld calls with an argument on a changing page\n",
	       ran, (now_ns() - t0) / 1e9, sh->dying_adds, sh->straddled);

	check(!stopped && !died, "%ld of %ld iterations ran from seed 0x%llx, none hung (watchdog %d s) or died",
	      ran, planned, (unsigned long long)run_seed, HANG_S);
	diag(P_DONE);
	check(!sh->bad[P_ERRNO], "every call returned success or an errno of its expected set (%ld calls, %ld failed)",
	      sh->calls, sh->bad[P_ERRNO]);
	diag(P_ERRNO);
	check(!sh->bad[P_INVARIANT], "fired == written + lost_ring_full + lost_nested + filtered + counted after each of %ld STOPs, summed and per CPU",
	      sh->stops);
	diag(P_INVARIANT);
	check(!sh->bad[P_RECORDS], "%ld records from unforged rings well-formed; no read() past its buffer or a ring (%ld forged reads, %ld overrun probes)",
	      sh->records, sh->forged_reads, sh->probes);
	diag(P_RECORDS);
	check(!leaks, "the module owns nothing after each of %ld iterations (%ld life cycles): live_* zero, one session (the probe)",
	      ran - (stopped ? 1 : 0), sh->lifecycles);
	diag(P_LEAK);
	if (!unpriv_ran)
		printf("ok %d - as nobody: others' processes and system-wide refused # SKIP %s\n",
		       ++test_n, nunpriv ? "no iteration of that phase ran" :
		       "no unprivileged phase (--steps, or fewer than 2 iterations)");
	else
		check(!sh->bad[P_UNPRIV], "as nobody (%ld iterations): %ld refusals held (EPERM for others' processes and system-wide, ENOENT for DEL_TARGET ALL), no sample of another user's process",
		      unpriv_ran, sh->refusals);
	diag(P_UNPRIV);
	if (!can_hotplug)
		printf("ok %d - CPU hotplug under running sessions # SKIP %s\n", ++test_n,
		       steps & ST_HOTPLUG ? "no writable " CPU1_ONLINE : "not in --steps");
	else
		check(!sh->bad[P_HOTPLUG], "CPU 1 went offline and online %ld times under running sessions",
		      sh->toggles);
	diag(P_HOTPLUG);
	if (kmsg_fd < 0)
		printf("ok %d - kernel log clean # SKIP /dev/kmsg: %s\n", ++test_n,
		       strerror(kmsg_err));
	else
		check(!kmsg_bad, "kernel log clean throughout (no oops, BUG, WARNING, lockup, stall)");
	diag(P_KMSG);
	return tap_plan();
}
