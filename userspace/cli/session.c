// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c - see session.h: opens and arms the device, runs the loop
 * (session_loop.c), stops, summarises (session_report.c) and writes
 * (session_output.c). Runs in the foreground; SIGINT and SIGTERM end the
 * session (the profile is still written).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../errors.h"
#include "../hashmap.h"
#include "../kdev.h"
#include "../leaffix.h"
#include "../output.h"
#include "../ring.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "cli.h"
#include "session_int.h"

/*
 * Whether the module records each sample's process start time (ABI 1.6):
 * then a reused pid is a new process.
 */
static bool session_with_start(const struct session *s)
{
	return s->version.features & KSAMPLER_FEAT_PROC_START;
}

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
	const struct render_params rp = {
		.frequency = o->freq, .comment = s->comment, .stats = &s->stats,
	};
	int err;

	s->dev = kdev__open(o->device);
	if (!s->dev)
		return cli_device_error(o->device, errno);
	err = kdev__version(s->dev, &s->version);
	if (!err && kdev_abi_check(&s->version))
		err = -PROFCTL_ERR_ABI_MISMATCH;
	/* the process's start tells a reused pid's images apart (ABI 1.6) */
	if (!err && session_with_start(s))
		cfg.flags |= KSAMPLER_CONFIG_PROC_START;
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
	s->sym = symbolizer__new("/proc", session_with_start(s) ? SYM_WITH_START : 0);
	s->leaffix = s->sym ? leaffix__new(s->sym) : NULL;
	s->profile = s->sym ? render__new(s->format, s->sym, &rp) : NULL;
	s->images = hashmap__new();
	s->retiring = hashmap__new();
	s->procs = o->per_process ? hashmap__new() : NULL;
	s->written = o->per_process ? hashmap__new() : NULL;
	s->rings = ring_set__open(kdev__fd(s->dev), s->version.nr_cpu_ids,
				  cfg.ring_pages,
				  s->version.page_size);
	if (!s->stacks || !s->sym || !s->leaffix || !s->profile || !s->images ||
	    !s->retiring || (o->per_process && (!s->procs || !s->written)) || !s->rings) {
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

static void session_free(struct session *s)
{
	if (!s)
		return;
	ring_set__close(s->rings);
	session_procs_free(s);
	render__free(s->profile);
	leaffix__free(s->leaffix);
	symbolizer__free(s->sym);
	stack_table__free(s->stacks);
	hashmap__free(s->images);
	hashmap__free(s->retiring);
	session_queue_free(&s->queue);
	kdev__close(s->dev);
	free(s);
}

/*
 * Refuses, before any sampling, an output path the profile could never
 * be written to (output_check()), and makes the per-process directory.
 * Returns an exit code, or -1 when all will do.
 */
static int session_check_outputs(const struct session_opts *o)
{
	int err = output_check(o->output);

	if (err) {
		fprintf(stderr, "profctl: cannot write %s: %s\n", o->output,
			profctl_strerror(err));
		return PROFCTL_EXIT_USAGE;
	}
	if (o->per_process && mkdir(o->per_process, 0755) && errno != EEXIST) {
		fprintf(stderr, "profctl: cannot create %s: %s\n", o->per_process,
			profctl_strerror(errno));
		return PROFCTL_EXIT_FAILURE;
	}
	return -1;
}

static uint64_t session_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int session_run(const struct session_opts *o)
{
	struct ksampler_stats st, running;
	struct session *s;
	int ret;

	ret = session_check_outputs(o);
	if (ret >= 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "profctl: out of memory\n");
		return PROFCTL_EXIT_FAILURE;
	}
	s->opts = o;
	s->format = strcmp(o->format, "collapsed") ? RENDER_PPROF : RENDER_COLLAPSED;
	ret = session_open(s);
	if (ret >= 0)
		goto out;
	s->start_wall = session_wall_now();
	s->duration = session_loop(s);
	/* which CPUs sampled is only known while running (ABI 1.4) */
	if (kdev__stats(s->dev, KSAMPLER_STATS_ALL_CPUS, &running))
		memset(&running, 0, sizeof(running));
	kdev__stop(s->dev);
	session_drain_all(s);	/* STOP's flush */
	ret = kdev__stats(s->dev, KSAMPLER_STATS_ALL_CPUS, &st);
	if (ret) {
		fprintf(stderr, "profctl: cannot read the session's counters: %s\n",
			profctl_strerror(ret));
		ret = PROFCTL_EXIT_FAILURE;
		goto out;
	}
	st.cpus_sampling = running.cpus_sampling;
	st.cpus_failed = running.cpus_failed;
	session_summary(s, &st);
	ret = session_write_all(s);
out:
	session_free(s);
	return ret;
}
