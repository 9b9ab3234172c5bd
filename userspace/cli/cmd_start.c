// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_start.c - "profctl start --pid PID": a foreground session on one
 * process (and optionally its children) that ends after --duration, on
 * SIGINT/SIGTERM, or when the process exits, and writes its profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../duration.h"
#include "../errors.h"
#include "../kdev.h"
#include "../render.h"
#include "../ring.h"
#include "../sample.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "cli.h"

/* The stack table's memory bound; past it, new stacks count as lost. */
#define START_MAX_TABLE_BYTES	(256UL << 20)

/* Set by SIGINT/SIGTERM: finish the session and write the profile. */
static volatile sig_atomic_t start_stop_requested;

struct start_opts {
	int pid;
	uint64_t freq;
	uint64_t duration_ns;		/* 0: until a signal */
	const char *output;
	const char *format;		/* "pprof" or "collapsed" */
	unsigned int max_frames;
	bool children;
	const char *device;
};

struct start_session {
	const struct start_opts *opts;
	struct kdev *dev;
	struct ksampler_version version;
	struct ring_set *rings;
	struct stack_table *stacks;
	struct symbolizer *sym;
	uint64_t bad_records;
};

static void start_usage(FILE *out)
{
	fprintf(out,
		"usage: profctl start --pid PID [--freq HZ] [--duration DUR] [-o FILE]\n"
		"                     [--max-frames N] [--children] [--format pprof|collapsed]\n"
		"\n"
		"Samples the user stacks of process PID (all its threads, new ones\n"
		"included) until DUR has passed, SIGINT or SIGTERM arrives, or the\n"
		"process exits; then writes the profile and a summary.\n"
		"\n"
		"  -p, --pid PID        process to profile (any of its thread ids)\n"
		"  -F, --freq HZ        samples per second per CPU (default 99)\n"
		"  -d, --duration DUR   500ms, 30s, 2m, or seconds (default: until ^C)\n"
		"  -o, --output FILE    where to write (default profile.pb.gz)\n"
		"      --max-frames N   deepest stack recorded, 1..%d (default %d)\n"
		"      --children       also profile PID's descendants\n"
		"      --format FMT     pprof (gzipped, default) or collapsed (folded\n"
		"                       stacks, one line per distinct stack)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 profile written, 1 runtime failure, 2 usage error.\n",
		KSAMPLER_MAX_FRAMES, KSAMPLER_DEFAULT_MAX_FRAMES);
}

static const char *start_opt_name(int opt)
{
	switch (opt) {
	case 'p': return "pid";
	case 'F': return "freq";
	case 'd': return "duration";
	case 'm': return "max-frames";
	default: return "format";
	}
}

/* Parses the command line into @o. Returns -1 on success, else an exit code. */
static int start_parse(int argc, char **argv, struct start_opts *o)
{
	static const struct option options[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "freq", required_argument, NULL, 'F' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-frames", required_argument, NULL, 'm' },
		{ "children", no_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	*o = (struct start_opts){ .freq = 99, .output = "profile.pb.gz",
				  .format = "pprof",
				  .device = KSAMPLER_DEVICE_PATH };
	while ((opt = getopt_long(argc, argv, "p:F:d:o:h", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->pid = (int)strtol(optarg, &end, 10);
			if (*end || o->pid <= 0)
				goto bad_value;
			break;
		case 'F':
			o->freq = strtoull(optarg, &end, 10);
			if (*end || !o->freq)
				goto bad_value;
			break;
		case 'd':
			if (duration_parse(optarg, &o->duration_ns) || !o->duration_ns)
				goto bad_value;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'm':
			o->max_frames = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !o->max_frames || o->max_frames > KSAMPLER_MAX_FRAMES)
				goto bad_value;
			break;
		case 'c':
			o->children = true;
			break;
		case 'f':
			o->format = optarg;
			if (strcmp(optarg, "pprof") && strcmp(optarg, "collapsed"))
				goto bad_value;
			break;
		case 'D':
			o->device = optarg;
			break;
		case 'h':
			start_usage(stdout);
			return PROFCTL_EXIT_OK;
		default:
			start_usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl start: unexpected argument '%s'\n", argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}
	if (!o->pid) {
		fprintf(stderr, "profctl start: --pid is required\n"
			"Run 'profctl start --help' for usage.\n");
		return PROFCTL_EXIT_USAGE;
	}
	return -1;
bad_value:
	fprintf(stderr, "profctl start: invalid value '%s' for --%s\n"
		"Run 'profctl start --help' for usage.\n", optarg,
		start_opt_name(opt));
	return PROFCTL_EXIT_USAGE;
}

/* Prints what went wrong opening the device, and what to do about it. */
static int start_device_error(const char *path, int err)
{
	if (err == ENOENT)
		fprintf(stderr, "profctl: ksampler module not loaded (no %s): run `sudo modprobe ksampler`\n",
			path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "profctl: %s: permission denied: need root, or membership in the group the udev rule grants\n",
			path);
	else
		fprintf(stderr, "profctl: %s: %s\n", path, profctl_strerror(err));
	return PROFCTL_EXIT_FAILURE;
}

static int start_target_error(int pid, int err)
{
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

static int start_on_record(const struct ksampler_record_header *rec,
			   unsigned int cpu, void *ctx)
{
	struct start_session *s = ctx;
	struct sample smp;
	uint32_t reason;
	uint64_t count;

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
	/* a child seen for the first time: read its maps while it lives */
	if (s->opts->children && (int)smp.pid != s->opts->pid)
		symbolizer__add_pid(s->sym, (int)smp.pid);
	stack_table__add(s->stacks, &smp);
	return 0;
}

static uint64_t start_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void start_on_signal(int sig)
{
	(void)sig;
	start_stop_requested = 1;
}

static void start_status(const struct start_session *s, uint64_t elapsed_ns)
{
	uint64_t lost = 0;
	uint32_t r;

	for (r = 1; r < STACKS_LOST_MAX; r++)
		lost += stack_table__lost(s->stacks, r);
	fprintf(stderr, "\rprofctl: %5.1fs  %" PRIu64 " samples  %" PRIu64 " lost  %.0f/s   ",
		elapsed_ns / 1e9, stack_table__samples(s->stacks), lost,
		elapsed_ns ? stack_table__samples(s->stacks) * 1e9 / elapsed_ns : 0.0);
}

/*
 * Drains the rings until the duration passes, a signal arrives or the
 * target exits. Returns the session's wall duration.
 */
static uint64_t start_loop(struct start_session *s)
{
	struct pollfd fds[2] = {
		{ .fd = kdev__fd(s->dev), .events = POLLIN },
		{ .fd = (int)syscall(SYS_pidfd_open, s->opts->pid, 0), .events = POLLIN },
	};
	uint64_t t0 = start_now(CLOCK_MONOTONIC), now = t0, last_status = 0;
	bool tty = isatty(STDERR_FILENO);
	long n;

	while (!start_stop_requested) {
		n = poll(fds, fds[1].fd >= 0 ? 2 : 1, 100);
		ring_set__drain(s->rings, start_on_record, s);
		now = start_now(CLOCK_MONOTONIC);
		if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & POLLIN))
			break;		/* the target exited */
		if (s->opts->duration_ns && now - t0 >= s->opts->duration_ns)
			break;
		if (tty && now - last_status >= 500000000ULL) {
			start_status(s, now - t0);
			last_status = now;
		}
	}
	if (tty)
		fprintf(stderr, "\r%60s\r", "");
	if (fds[1].fd >= 0)
		close(fds[1].fd);
	return now - t0;
}

/* Writes the profile to a temporary file beside @path, then renames it. */
static int start_write(const struct start_session *s, uint64_t start_wall,
		       uint64_t duration, const char *comment)
{
	const struct start_opts *o = s->opts;
	struct render_params rp = {
		.frequency = o->freq, .start_wall_ns = (int64_t)start_wall,
		.duration_ns = (int64_t)duration, .comment = comment,
	};
	char tmp[4096];
	FILE *f;
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", o->output, getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (!strcmp(o->format, "collapsed")) {
		f = fdopen(fd, "w");
		err = f ? render_collapsed(s->stacks, s->sym, f) : -errno;
		if (f && fclose(f) && !err)
			err = -errno;
		if (!f)
			close(fd);
	} else {
		err = render_pprof(s->stacks, s->sym, &rp, fd);
		if (close(fd) && !err)
			err = -errno;
	}
	if (!err && rename(tmp, o->output))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static void start_summary(const struct start_session *s,
			  const struct ksampler_stats *st, uint64_t duration,
			  char *comment, size_t len)
{
	uint64_t lost_full = stack_table__lost(s->stacks, KSAMPLER_LOST_RING_FULL);
	uint64_t lost_nested = stack_table__lost(s->stacks, KSAMPLER_LOST_NESTED);
	uint64_t lost_table = stack_table__lost(s->stacks, STACKS_LOST_TABLE_FULL);
	bool balanced = st->fired == st->written + st->lost_ring_full +
				     st->lost_nested + st->filtered;

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
	fprintf(stderr, "profctl: %zu unique stacks (%.1f MiB)%s\n",
		stack_table__unique(s->stacks),
		stack_table__memory(s->stacks) / 1048576.0,
		s->bad_records ? ", some malformed records were skipped" : "");
}

/* Opens, configures and arms the session. Returns an exit code, or -1. */
static int start_open(struct start_session *s)
{
	const struct start_opts *o = s->opts;
	struct ksampler_config cfg = { .frequency = o->freq,
				       .max_frames = o->max_frames };
	int err;

	s->dev = kdev__open(o->device);
	if (!s->dev)
		return start_device_error(o->device, errno);
	err = kdev__version(s->dev, &s->version);
	if (!err && kdev_abi_check(&s->version))
		err = -PROFCTL_ERR_ABI_MISMATCH;
	if (!err)
		err = kdev__configure(s->dev, &cfg);
	if (err) {
		fprintf(stderr, "profctl: %s: %s\n", o->device, profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	err = kdev__add_target(s->dev, o->pid,
			       o->children ? KSAMPLER_TARGET_CHILDREN : 0);
	if (err)
		return start_target_error(o->pid, err);
	s->stacks = stack_table__new(START_MAX_TABLE_BYTES);
	s->sym = symbolizer__new("/proc");
	s->rings = ring_set__open(kdev__fd(s->dev), s->version.nr_cpu_ids,
				  cfg.ring_pages ? cfg.ring_pages : 64,
				  s->version.page_size);
	if (!s->stacks || !s->sym || !s->rings) {
		fprintf(stderr, "profctl: cannot set up the session: %s\n",
			profctl_strerror(errno));
		return PROFCTL_EXIT_FAILURE;
	}
	/* the process may have exited since ADD_TARGET */
	err = symbolizer__add_pid(s->sym, o->pid);
	if (err == -ENOENT)
		return start_target_error(o->pid, -ESRCH);
	err = kdev__start(s->dev);
	if (err) {
		fprintf(stderr, "profctl: cannot start sampling: %s\n",
			profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}
	return -1;
}

int cmd_start(int argc, char **argv)
{
	struct start_session s = { 0 };
	struct start_opts o;
	struct ksampler_stats st;
	uint64_t start_wall, duration;
	char comment[256];
	int ret, err;

	ret = start_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	s.opts = &o;
	signal(SIGINT, start_on_signal);
	signal(SIGTERM, start_on_signal);

	ret = start_open(&s);
	if (ret >= 0)
		goto out;
	start_wall = start_now(CLOCK_REALTIME);
	duration = start_loop(&s);
	kdev__stop(s.dev);
	ring_set__drain(s.rings, start_on_record, &s);	/* what STOP flushed */
	err = kdev__stats(s.dev, KSAMPLER_STATS_ALL_CPUS, &st);
	if (err) {
		fprintf(stderr, "profctl: cannot read the session's counters: %s\n",
			profctl_strerror(err));
		ret = PROFCTL_EXIT_FAILURE;
		goto out;
	}
	start_summary(&s, &st, duration, comment, sizeof(comment));
	err = start_write(&s, start_wall, duration, comment);
	if (err) {
		fprintf(stderr, "profctl: cannot write %s: %s\n", o.output,
			profctl_strerror(err));
		ret = PROFCTL_EXIT_FAILURE;
		goto out;
	}
	fprintf(stderr, "profctl: wrote %s\n", o.output);
	ret = PROFCTL_EXIT_OK;
out:
	ring_set__close(s.rings);
	symbolizer__free(s.sym);
	stack_table__free(s.stacks);
	kdev__close(s.dev);
	return ret;
}
