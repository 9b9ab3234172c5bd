/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_session.h - what the guest's C tests share: a raw session on
 * /dev/ksampler through profctl's own device and ring modules, the
 * accounting invariant, and starting and reaping workloads. Header-only,
 * one copy per test program, like tap.h.
 */
#ifndef KSAMPLER_TESTS_GUEST_SESSION_H
#define KSAMPLER_TESTS_GUEST_SESSION_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"
#include "kdev.h"
#include "ring.h"
#include "tap.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The kernel's half of the address space, with 4- or 5-level page tables
 * alike (the guest's "-cpu max" has LA57, where user space reaches 2^56).
 */
static inline bool is_kernel_address(uint64_t addr)
{
	return addr >= 0x8000000000000000ULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct session {
	struct kdev *dev;
	struct ksampler_version v;
	struct ring_set *rings;
	struct ksampler_config cfg;
};

/* A session configured with @cfg, whose ring_pages must be set: mapped below. */
static inline int session_open_cfg(struct session *s,
				   const struct ksampler_config *cfg)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->dev = kdev__open(KSAMPLER_DEVICE_PATH);
	if (!s->dev)
		return -errno;
	err = kdev__version(s->dev, &s->v);
	if (err)
		return err;
	s->cfg = *cfg;
	return kdev__configure(s->dev, &s->cfg);
}

static int session_open_flags(struct session *s, uint64_t freq,
			      unsigned int pages, unsigned int flags)
{
	struct ksampler_config cfg = { .frequency = freq,
				       .ring_pages = pages ? pages : 64,
				       .flags = flags };

	return session_open_cfg(s, &cfg);
}

static inline int session_open(struct session *s, uint64_t freq,
			       unsigned int pages)
{
	return session_open_flags(s, freq, pages, 0);
}

static int session_map(struct session *s)
{
	s->rings = ring_set__open(kdev__fd(s->dev), s->v.nr_cpu_ids,
				  s->cfg.ring_pages, s->v.page_size);
	return s->rings ? 0 : -errno;
}

/* Targets @pid, maps and starts a session just opened. */
static inline int session_arm(struct session *s, pid_t pid,
			      unsigned int target_flags)
{
	int err = kdev__add_target(s->dev, pid, target_flags);

	if (!err)
		err = session_map(s);
	if (!err)
		err = kdev__start(s->dev);
	return err;
}

/* A session of @freq Hz on @pid, mapped and started. */
static int session_start_on(struct session *s, pid_t pid, uint64_t freq,
			    unsigned int pages, unsigned int target_flags)
{
	int err = session_open(s, freq, pages);

	return err ? err : session_arm(s, pid, target_flags);
}

static void session_close(struct session *s)
{
	ring_set__close(s->rings);
	kdev__close(s->dev);
	s->rings = NULL;
	s->dev = NULL;
}

/* Drains into @fn for @ms, waking on poll() or every 100 ms. */
static inline long session_pump_into(struct session *s, long ms, ring_record_fn fn,
			      void *ctx)
{
	struct pollfd pfd = { .fd = kdev__fd(s->dev), .events = POLLIN };
	uint64_t end = now_ns() + ms * 1000000ULL;
	long n, total = 0;

	while (now_ns() < end) {
		poll(&pfd, 1, 100);
		n = ring_set__drain(s->rings, fn, ctx);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

static inline void check_invariant(const char *what, struct session *s)
{
	struct ksampler_stats st;
	int err = kdev__stats(s->dev, KSAMPLER_STATS_ALL_CPUS, &st);

	check(!err && invariant(&st),
	      "%s: fired %llu == written %llu + lost %llu + nested %llu + filtered %llu + counted %llu",
	      what, (unsigned long long)st.fired,
	      (unsigned long long)st.written,
	      (unsigned long long)st.lost_ring_full,
	      (unsigned long long)st.lost_nested,
	      (unsigned long long)st.filtered,
	      (unsigned long long)st.counted);
}

/* Starts @argv in a process group of its own, so reap() gets it all. */
static inline pid_t spawn(char *const argv[])
{
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		setpgid(0, 0);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -EIO;
}

/* Kills @pid (and its process group, if it leads one) and waits for it. */
static inline void reap(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#endif /* KSAMPLER_TESTS_GUEST_SESSION_H */
