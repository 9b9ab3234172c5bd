// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c - see session.h. Runs in the foreground; SIGINT and SIGTERM
 * end the session (the profile is still written).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../duration.h"
#include "../errors.h"
#include "../hashmap.h"
#include "../kdev.h"
#include "../leaffix.h"
#include "../output.h"
#include "../render.h"
#include "../ring.h"
#include "../sample.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "cli.h"
#include "session.h"

/*
 * Data pages per CPU ring, asked for explicitly: the module's default
 * (its ring_pages parameter) is an admin's choice and need not match.
 */
#define SESSION_RING_PAGES	64

/* The stack table's memory bound; past it, new stacks count as lost. */
#define SESSION_MAX_TABLE_BYTES	(256UL << 20)

/* Set by SIGINT/SIGTERM: finish the session and write the profile. */
static volatile sig_atomic_t session_stop_requested;

struct session {
	const struct session_opts *opts;
	struct kdev *dev;
	struct ksampler_version version;
	struct ring_set *rings;
	struct stack_table *stacks;
	struct symbolizer *sym;
	struct leaffix *leaffix;
	__u64 fixed_ips[KSAMPLER_MAX_FRAMES];
	struct hashmap *pids;		/* every process seen: its latest gen */
	struct hashmap *images;		/* (pid, exec gen) seen */
	uint64_t bad_records;
	uint64_t start_wall, duration;
	char comment[256];
};

static int session_target_error(int pid, int err)
{
	if (!pid && err == -EPERM) {
		fprintf(stderr, "profctl: permission denied: system-wide profiling needs root or CAP_PERFMON\n");
		return PROFCTL_EXIT_FAILURE;
	}
	if (err == -ESRCH)
		fprintf(stderr, "profctl: pid %d: no such process\n", pid);
	else if (err == -EPERM)
		fprintf(stderr, "profctl: pid %d: permission denied: need root, or to be allowed to ptrace it (same user; CAP_SYS_PTRACE)\n",
			pid);
	else if (err == -EINVAL)
		fprintf(stderr, "profctl: pid %d: not a user process (a kernel thread?)\n",
			pid);
	else
		fprintf(stderr, "profctl: pid %d: %s\n", pid, profctl_strerror(err));
	return PROFCTL_EXIT_FAILURE;
}

static int session_on_record(const struct ksampler_record_header *rec,
			   unsigned int cpu, void *ctx)
{
	struct session *s = ctx;
	uint64_t count, image, *slot;
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
	/*
	 * A process seen for the first time (a child, or anyone in a
	 * system-wide session), or in a new image since it exec'ed: read
	 * its maps while it runs that image.
	 */
	image = (uint64_t)smp.pid << 16 | smp.exec_gen;
	if (smp.pid && !hashmap__find(s->images, &image, sizeof(image))) {
		hashmap__add(s->images, &image, sizeof(image), 0, NULL);
		symbolizer__see(s->sym, (int)smp.pid, smp.exec_gen);
		/* the per-process listing names a pid by its latest image */
		slot = hashmap__add(s->pids, &smp.pid, sizeof(smp.pid), 0, NULL);
		if (slot)
			*slot = smp.exec_gen;
	}
	leaffix__apply(s->leaffix, &smp, s->fixed_ips);
	stack_table__add(s->stacks, &smp);
	return 0;
}

static uint64_t session_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void session_on_signal(int sig)
{
	(void)sig;
	session_stop_requested = 1;
}

static void session_status(const struct session *s, uint64_t elapsed_ns)
{
	uint64_t lost = 0;
	uint32_t r;

	for (r = 1; r < STACKS_LOST_MAX; r++)
		lost += stack_table__lost(s->stacks, r);
	fprintf(stderr, "\rprofctl: %5.1fs  %" PRIu64 " samples  %" PRIu64 " lost  %.0f/s   ",
		elapsed_ns / 1e9, stack_table__samples(s->stacks), lost,
		elapsed_ns ? stack_table__samples(s->stacks) * 1e9 / elapsed_ns : 0.0);
}

/* Set by SIGUSR1: session_report_if_asked() prints one line. */
static volatile sig_atomic_t session_report_requested;

static void session_on_report(int sig)
{
	(void)sig;
	session_report_requested = 1;
}

/*
 * After SIGUSR1, one line on stderr with what the session holds so far,
 * the stack table's own bytes included: what a script watching a long
 * session (bench/churn-guest.sh) takes out of profctl's RSS, since the
 * aggregated samples are the profile and may grow.
 */
static void session_report_if_asked(const struct session *s,
				    uint64_t elapsed_ns)
{
	if (!session_report_requested)
		return;
	session_report_requested = 0;
	fprintf(stderr, "profctl: status: %.1f s, %" PRIu64 " samples, %zu unique stacks, stack table %zu bytes\n",
		elapsed_ns / 1e9, stack_table__samples(s->stacks),
		stack_table__unique(s->stacks), stack_table__memory(s->stacks));
}

/*
 * Drains the rings until the duration passes, a signal arrives or the
 * target (of a single-process session) exits. Returns the session's wall
 * duration.
 */
static uint64_t session_loop(struct session *s)
{
	struct pollfd fds[2] = {
		{ .fd = kdev__fd(s->dev), .events = POLLIN },
		{ .fd = s->opts->pid ? (int)syscall(SYS_pidfd_open, s->opts->pid, 0) : -1,
		  .events = POLLIN },
	};
	uint64_t t0 = session_now(CLOCK_MONOTONIC), now = t0, last_status = 0;
	bool tty = isatty(STDERR_FILENO);
	long n;

	while (!session_stop_requested) {
		n = poll(fds, fds[1].fd >= 0 ? 2 : 1, 100);
		if (ring_set__drain(s->rings, session_on_record, s) == -EBADMSG)
			s->bad_records++;	/* a ring skipped to its head */
		now = session_now(CLOCK_MONOTONIC);
		session_report_if_asked(s, now - t0);
		if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & POLLIN))
			break;		/* the target exited */
		if (s->opts->duration_ns && now - t0 >= s->opts->duration_ns)
			break;
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

/* Writes the profile through output.h: whole at @path, or not at all. */
static int session_write_file(const struct session *s, const char *path,
			      int pid, struct render_stats *stats)
{
	const struct session_opts *o = s->opts;
	struct render_params rp = {
		.frequency = o->freq, .start_wall_ns = (int64_t)s->start_wall,
		.duration_ns = (int64_t)s->duration, .comment = s->comment,
		.pid = pid, .stats = stats,
	};
	struct output *out;
	FILE *f;
	int err;

	err = output__open(path, &out);
	if (err)
		return err;
	if (!strcmp(o->format, "collapsed")) {
		/* a stream of its own over the descriptor, which output owns */
		f = fdopen(dup(output__fd(out)), "w");
		err = f ? render_collapsed(s->stacks, s->sym, &rp, f) : -errno;
		if (f && fclose(f) && !err)
			err = -errno;
	} else {
		err = render_pprof(s->stacks, s->sym, &rp, output__fd(out));
	}
	if (err) {
		output__abort(out);
		return err;
	}
	return output__commit(out);
}

static void session_report_problem(const char *path, int err, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "profctl: %s: %s; its addresses are named from ELF symbols only, the rest of the profile is intact\n",
		path, profctl_strerror(err));
}

static void session_summary(struct session *s, const struct ksampler_stats *st)
{
	const struct leaffix_stats *lf = leaffix__stats(s->leaffix);
	struct rusage ru;
	char *comment = s->comment;
	size_t len = sizeof(s->comment);
	uint64_t duration = s->duration;
	uint64_t lost_full = stack_table__lost(s->stacks, KSAMPLER_LOST_RING_FULL);
	uint64_t lost_nested = stack_table__lost(s->stacks, KSAMPLER_LOST_NESTED);
	uint64_t lost_table = stack_table__lost(s->stacks, STACKS_LOST_TABLE_FULL);
	bool balanced = st->fired == st->written + st->lost_ring_full +
				     st->lost_nested + st->filtered + st->counted;

	snprintf(comment, len,
		 "ksampler: fired %" PRIu64 " = written %" PRIu64 " + lost (ring full %" PRIu64
		 ", nested %" PRIu64 ") + filtered %" PRIu64 "%s",
		 (uint64_t)st->fired, (uint64_t)st->written,
		 (uint64_t)st->lost_ring_full, (uint64_t)st->lost_nested,
		 (uint64_t)st->filtered, balanced ? "" : " (does not balance!)");
	fprintf(stderr, "profctl: %.1f s, %" PRIu64 " samples written, lost: ring full %" PRIu64
		", nested %" PRIu64 ", stack table full %" PRIu64 "\n",
		duration / 1e9, (uint64_t)st->written, lost_full, lost_nested,
		lost_table);
	fprintf(stderr, "profctl: accounting: %s\n", comment + strlen("ksampler: "));
	if (st->cpus_failed)
		fprintf(stderr, "profctl: warning: %" PRIu32 " of %" PRIu32
			" online CPUs were not sampled at the end (the event could not be created when the CPU came online, or the PMU took its counter away): their samples are missing\n",
			st->cpus_failed, st->cpus_failed + st->cpus_sampling);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "profctl: %zu unique stacks (%.1f MiB), peak RSS %.1f MiB, CPU %.2f s before writing%s\n",
		stack_table__unique(s->stacks),
		stack_table__memory(s->stacks) / 1048576.0, ru.ru_maxrss / 1024.0,
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
		s->bad_records ? ", some malformed records were skipped" : "");
	if (!(s->version.features & KSAMPLER_FEAT_STACK_SWITCH))
		fprintf(stderr, "profctl: warning: the loaded module (ABI %u.%u) stops its walks at Go's stack switches (vdso calls, systemstack, cgo): load this release's module for whole stacks\n",
			s->version.abi_major, s->version.abi_minor);
	else if (st->written)
		fprintf(stderr, "profctl: unwind: %" PRIu64 " of %" PRIu64
			" walks crossed a stack switch; stopped in the module: truncated %" PRIu64
			", unreadable frame %" PRIu64 ", bad frame pointer %" PRIu64
			", loop %" PRIu64 ", too many stack switches %" PRIu64 "\n",
			(uint64_t)st->stack_switched, (uint64_t)st->written,
			(uint64_t)st->truncated, (uint64_t)st->unwind_fault,
			(uint64_t)st->unwind_bad_frame, (uint64_t)st->unwind_loop,
			(uint64_t)st->unwind_switch_limit);
	if (lf->go_leaves || lf->native_leaves)
		fprintf(stderr, "profctl: Go leaf fix-up: %" PRIu64 " of %" PRIu64
			" samples in Go code had their frameless leaf's caller restored, and %" PRIu64
			" of %" PRIu64 " at the entry or return of other code (vdso, C); %" PRIu64 " could not be\n",
			lf->repaired, lf->go_leaves, lf->native_repaired,
			lf->native_leaves, lf->unrepairable);
	symbolizer__for_each_problem(s->sym, session_report_problem, NULL);
}

/*
 * CONFIGURE's EINVAL, when --freq is above the module's max_frequency
 * (a module parameter, perf's limit by default): says so and what to do,
 * and returns true.
 */
static bool session_over_max_frequency(uint64_t freq)
{
	unsigned long long max = 0;
	FILE *f = fopen("/sys/module/ksampler/parameters/max_frequency", "re");

	if (f && fscanf(f, "%llu", &max) != 1)
		max = 0;
	if (f)
		fclose(f);
	if (!max || freq <= max)
		return false;
	fprintf(stderr, "profctl: --freq %" PRIu64 " is above the module's limit of %llu Hz: sample less often, or load ksampler with a higher max_frequency\n",
		freq, max);
	return true;
}

/* Opens, configures and arms the session. Returns an exit code, or -1. */
static int session_open(struct session *s)
{
	const struct session_opts *o = s->opts;
	struct ksampler_config cfg = { .frequency = o->freq,
				       .max_frames = o->max_frames,
				       .ring_pages = SESSION_RING_PAGES };
	int err;

	s->dev = kdev__open(o->device);
	if (!s->dev)
		return cli_device_error(o->device, errno);
	err = kdev__version(s->dev, &s->version);
	if (!err && kdev_abi_check(&s->version))
		err = -PROFCTL_ERR_ABI_MISMATCH;
	if (!err)
		err = kdev__configure(s->dev, &cfg);
	if (err == -ENOMEM) {
		fprintf(stderr, "profctl: %s: cannot allocate the rings: over this user's ring memory (module parameter max_user_ring_mb; CAP_PERFMON is exempt), or out of memory\n",
			o->device);
		return PROFCTL_EXIT_FAILURE;
	}
	if (err == -EINVAL && session_over_max_frequency(o->freq))
		return PROFCTL_EXIT_FAILURE;
	if (err) {
		fprintf(stderr, "profctl: %s: %s\n", o->device, profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	err = kdev__add_target(s->dev, o->pid,
			       !o->pid ? KSAMPLER_TARGET_ALL :
			       o->children ? KSAMPLER_TARGET_CHILDREN : 0);
	if (err)
		return session_target_error(o->pid, err);
	s->stacks = stack_table__new(SESSION_MAX_TABLE_BYTES);
	s->sym = symbolizer__new("/proc");
	s->leaffix = s->sym ? leaffix__new(s->sym) : NULL;
	s->pids = hashmap__new();
	s->images = hashmap__new();
	s->rings = ring_set__open(kdev__fd(s->dev), s->version.nr_cpu_ids,
				  cfg.ring_pages,
				  s->version.page_size);
	if (!s->stacks || !s->sym || !s->leaffix || !s->pids || !s->images ||
	    !s->rings) {
		fprintf(stderr, "profctl: cannot set up the session: %s\n",
			profctl_strerror(errno));
		return PROFCTL_EXIT_FAILURE;
	}
	/* the process may have exited since ADD_TARGET */
	err = o->pid ? symbolizer__add_pid(s->sym, o->pid) : 0;
	if (err == -ENOENT)
		return session_target_error(o->pid, -ESRCH);
	err = kdev__start(s->dev);
	if (err) {
		fprintf(stderr, "profctl: cannot start sampling: %s\n",
			profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	return -1;
}

int session_parse_opt(int opt, const char *arg, struct session_opts *o,
		      const char **name)
{
	char *end;

	switch (opt) {
	case 'F':
		*name = "freq";
		/* strtoull takes "-1" for 2^64 - 1: digits only */
		if (*arg < '0' || *arg > '9')
			return -1;
		o->freq = strtoull(arg, &end, 10);
		return *end || !o->freq ? -1 : 1;
	case 'd':
		*name = "duration";
		return duration_parse(arg, &o->duration_ns) || !o->duration_ns ? -1 : 1;
	case 'm':
		*name = "max-frames";
		o->max_frames = (unsigned int)strtoul(arg, &end, 10);
		return *end || !o->max_frames || o->max_frames > KSAMPLER_MAX_FRAMES ?
		       -1 : 1;
	case 'f':
		*name = "format";
		o->format = arg;
		return strcmp(arg, "pprof") && strcmp(arg, "collapsed") ? -1 : 1;
	case 'D':
		o->device = arg;
		return 1;
	default:
		return 0;
	}
}

int session_run(const struct session_opts *o, struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	struct ksampler_stats st, running;
	int ret, err;

	if (!s) {
		fprintf(stderr, "profctl: out of memory\n");
		return PROFCTL_EXIT_FAILURE;
	}
	s->opts = o;
	signal(SIGINT, session_on_signal);
	signal(SIGTERM, session_on_signal);
	signal(SIGUSR1, session_on_report);
	ret = session_open(s);
	if (ret >= 0)
		goto fail;
	s->start_wall = session_now(CLOCK_REALTIME);
	s->duration = session_loop(s);
	/* which CPUs sampled is only known while running (ABI 1.4) */
	if (kdev__stats(s->dev, KSAMPLER_STATS_ALL_CPUS, &running))
		memset(&running, 0, sizeof(running));
	kdev__stop(s->dev);
	ring_set__drain(s->rings, session_on_record, s);	/* STOP's flush */
	err = kdev__stats(s->dev, KSAMPLER_STATS_ALL_CPUS, &st);
	st.cpus_sampling = running.cpus_sampling;
	st.cpus_failed = running.cpus_failed;
	if (err) {
		fprintf(stderr, "profctl: cannot read the session's counters: %s\n",
			profctl_strerror(err));
		ret = PROFCTL_EXIT_FAILURE;
		goto fail;
	}
	session_summary(s, &st);
	*out = s;
	return -1;
fail:
	session_free(s);
	return ret;
}

int session_check_output(const char *path)
{
	int err = output_check(path);

	if (!err)
		return -1;
	fprintf(stderr, "profctl: cannot write %s: %s\n", path,
		profctl_strerror(err));
	return PROFCTL_EXIT_USAGE;
}

/*
 * How whole the written stacks are: the share that reaches its thread's
 * root, and the rest by the reason the walk stopped, as the profile's
 * synthetic root frames name them.
 */
static void session_stacks_summary(const struct render_stats *rs)
{
	uint64_t stopped = 0;
	unsigned int r;

	if (!rs->samples)
		return;
	for (r = 1; r < SAMPLE_STOP_MAX; r++)
		stopped += rs->stopped[r];
	fprintf(stderr, "profctl: stacks: %" PRIu64 " of %" PRIu64
		" samples (%.1f%%) reach their thread's root; %" PRIu64
		" (%.1f%%) stopped early",
		rs->roots, rs->samples, 100.0 * rs->roots / rs->samples, stopped,
		100.0 * stopped / rs->samples);
	for (r = 1; r < SAMPLE_STOP_MAX; r++)
		if (rs->stopped[r])
			fprintf(stderr, ", %s %" PRIu64, sample_stop_name(r),
				rs->stopped[r]);
	fputc('\n', stderr);
}

/*
 * Writes the profile; for the session's whole profile (@pid 0), says how
 * whole its stacks are.
 */
int session_write(const struct session *s, const char *path, int pid)
{
	struct render_stats rs = { 0 };
	int err = session_write_file(s, path, pid, &rs);

	if (err) {
		fprintf(stderr, "profctl: cannot write %s: %s\n", path,
			profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	if (!pid)
		session_stacks_summary(&rs);
	fprintf(stderr, "profctl: wrote %s\n", strcmp(path, "-") ? path : "standard output");
	return PROFCTL_EXIT_OK;
}


struct pid_walk {
	const struct session *s;
	int (*fn)(int pid, const char *comm, void *ctx);
	void *ctx;
};

static int session_visit_pid(const void *key, size_t len, uint64_t value,
			     void *ctx)
{
	const struct pid_walk *w = ctx;
	uint32_t pid;

	(void)len;
	memcpy(&pid, key, sizeof(pid));
	return w->fn((int)pid,
		     symbolizer__comm(w->s->sym, (int)pid, (uint16_t)value),
		     w->ctx);
}

int session_for_each_pid(const struct session *s,
			 int (*fn)(int pid, const char *comm, void *ctx),
			 void *ctx)
{
	struct pid_walk w = { s, fn, ctx };

	return hashmap__for_each(s->pids, session_visit_pid, &w);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	ring_set__close(s->rings);
	leaffix__free(s->leaffix);
	symbolizer__free(s->sym);
	stack_table__free(s->stacks);
	hashmap__free(s->pids);
	hashmap__free(s->images);
	kdev__close(s->dev);
	free(s);
}
