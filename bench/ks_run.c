// SPDX-License-Identifier: GPL-2.0-only
/*
 * ks_run - the benchmarks' ksampler driver: a session drained the way a
 * collector drains it, then the session's counters on one line:
 *   ks_stats fired=N written=N filtered=N lost=N handler_ns=N samples=N
 *
 *   ks_run [OPTIONS] --pid PID
 *	attach to a running process, start sampling, send it SIGUSR1 (the
 *	workloads' "go"), and stop when it exits;
 *   ks_run [OPTIONS] -- COMMAND [ARG...]
 *	run COMMAND under a session already sampling when it execs.
 *
 * Options: --freq HZ, --no-unwind, --count-only, --max-frames N, and
 * --target PID to
 * sample PID instead of COMMAND (every interrupt that hits COMMAND is then
 * filtered: the per-CPU design's price for processes that are not targets).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kdev.h"
#include "ring.h"

static int count_record(const struct ksampler_record_header *rec,
			unsigned int cpu, void *ctx)
{
	(void)cpu;
	if (rec->type == KSAMPLER_RECORD_SAMPLE)
		++*(long *)ctx;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "freq", required_argument, NULL, 'f' },
		{ "no-unwind", no_argument, NULL, 'n' },
		{ "count-only", no_argument, NULL, 'c' },
		{ "max-frames", required_argument, NULL, 'm' },
		{ "target", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct ksampler_config cfg = { .frequency = 99, .ring_pages = 64 };
	struct pollfd pfd = { .events = POLLIN };
	struct ksampler_version v;
	struct ksampler_stats st;
	struct ring_set *rings;
	struct kdev *dev;
	int go[2], opt, status = 0, err;
	long samples = 0;
	pid_t pid, target = 0, attach = 0;
	int pidfd = -1;

	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			cfg.frequency = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			cfg.flags |= KSAMPLER_CONFIG_NO_UNWIND;
			break;
		case 'c':
			cfg.flags |= KSAMPLER_CONFIG_COUNT_ONLY;
			break;
		case 'm':
			cfg.max_frames = strtoul(optarg, NULL, 10);
			break;
		case 't':
			target = atoi(optarg);
			break;
		case 'p':
			attach = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (attach ? optind != argc : optind >= argc) {
		fprintf(stderr, "usage: ks_run [--freq HZ] [--no-unwind | --count-only] [--max-frames N] [--target PID] {--pid PID | -- COMMAND...}\n");
		return 2;
	}

	dev = kdev__open(KSAMPLER_DEVICE_PATH);
	if (!dev || kdev__version(dev, &v) || (err = kdev__configure(dev, &cfg))) {
		perror("ks_run: session");
		return 1;
	}
	rings = ring_set__open(kdev__fd(dev), v.nr_cpu_ids, cfg.ring_pages,
			       v.page_size);
	if (!rings) {
		perror("ks_run: mmap");
		return 1;
	}
	if (attach) {
		pid = attach;
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		err = pidfd < 0 ? -errno : kdev__add_target(dev, target ? target : pid, 0);
		if (!err)
			err = kdev__start(dev);
		if (err || kill(pid, SIGUSR1)) {
			fprintf(stderr, "ks_run: cannot attach to %d: %s\n", pid,
				strerror(-err));
			return 1;
		}
	} else {
		if (pipe(go))
			return 1;
		pid = fork();
		if (pid == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(126);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		close(go[0]);
		err = kdev__add_target(dev, target ? target : pid, 0);
		if (!err)
			err = kdev__start(dev);
		if (err) {
			fprintf(stderr, "ks_run: cannot start sampling: %s\n",
				strerror(-err));
			kill(pid, SIGKILL);
			return 1;
		}
		if (write(go[1], "g", 1) != 1)
			return 1;
	}

	pfd.fd = kdev__fd(dev);
	for (;;) {
		struct pollfd exited = { .fd = pidfd, .events = POLLIN };

		if (attach ? poll(&exited, 1, 0) == 1 :
			     waitpid(pid, &status, WNOHANG) != 0)
			break;
		poll(&pfd, 1, 100);
		ring_set__drain(rings, count_record, &samples);
	}
	kdev__stop(dev);
	ring_set__drain(rings, count_record, &samples);
	kdev__stats(dev, KSAMPLER_STATS_ALL_CPUS, &st);
	printf("ks_stats fired=%llu written=%llu filtered=%llu counted=%llu lost=%llu handler_ns=%llu samples=%ld\n",
	       (unsigned long long)st.fired, (unsigned long long)st.written,
	       (unsigned long long)st.filtered, (unsigned long long)st.counted,
	       (unsigned long long)(st.lost_ring_full + st.lost_nested),
	       (unsigned long long)st.handler_ns, samples);
	ring_set__close(rings);
	kdev__close(dev);
	if (attach)
		return 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
