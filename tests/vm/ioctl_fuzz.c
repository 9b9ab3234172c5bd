// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl_fuzz [ITERATIONS [SEED]] - hostile input for /dev/ksampler, in
 * the guest, as root: random commands (ours with random size and
 * direction bits, and foreign ones), structs of random bytes with sizes
 * that lie, NULL, unmapped, kernel and page-straddling pointers, calls in
 * any order (START before CONFIGURE, CONFIGURE twice, STOP twice), mmap
 * of random offsets, lengths and protections, read() of random sizes,
 * and files closed and reopened mid-session. A zombie-free busy child is
 * the only real target, besides ourselves and random pids.
 *
 * The module must answer every call with a result or an errno: the
 * kernel log is checked by scripts/vm-run (oops, BUG, WARNING, lockup).
 * The seed is printed so that a failure can be replayed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#include "tap.h"

#define FUZZ_FDS	4
#define FUZZ_ERRNOS	160

static uint64_t fuzz_state;

static uint64_t fuzz_rand(void)
{
	/* xorshift64*: reproducible from the printed seed */
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t fuzz_below(uint64_t n)
{
	return n ? fuzz_rand() % n : 0;
}

/* A size that is often right, sometimes near, sometimes absurd. */
static uint32_t fuzz_size(uint32_t right)
{
	switch (fuzz_below(6)) {
	case 0: return right;
	case 1: return right - (uint32_t)fuzz_below(right + 1);
	case 2: return right + (uint32_t)fuzz_below(64);
	case 3: return (uint32_t)fuzz_rand();
	case 4: return KSAMPLER_MAX_STRUCT_SIZE + (uint32_t)fuzz_below(8);
	default: return (uint32_t)fuzz_below(4200);
	}
}

/*
 * An argument: a struct of random bytes (a plausible one half the time)
 * in @buf, or a pointer no kernel may trust.
 */
static void *fuzz_arg(uint8_t *buf, size_t len, uint8_t *edge, pid_t child)
{
	struct ksampler_config *c = (void *)buf;
	struct ksampler_target *t = (void *)buf;
	size_t i;

	switch (fuzz_below(10)) {
	case 0: return NULL;
	case 1: return (void *)0x1000;				/* unmapped */
	case 2: return (void *)0xffff888000000000ULL;		/* kernel */
	case 3: return edge - fuzz_below(16);	/* runs into a PROT_NONE page */
	default: break;
	}
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)fuzz_rand();
	if (fuzz_below(2)) {
		/* plausible: first field a size, flags mostly clear */
		switch (fuzz_below(3)) {
		case 0:
			memset(c, 0, sizeof(*c));
			c->size = fuzz_size(sizeof(*c));
			c->flags = fuzz_below(4) ? 0 : (uint32_t)fuzz_below(8);
			c->event = (uint32_t)fuzz_below(3);
			c->max_frames = (uint32_t)fuzz_below(600);
			c->frequency = fuzz_below(3) ? fuzz_below(5000) : fuzz_rand();
			c->period = fuzz_below(4) ? 0 : fuzz_rand();
			c->ring_pages = fuzz_below(3) ? 1U << fuzz_below(8) :
				(uint32_t)fuzz_rand();
			c->wakeup_bytes = (uint32_t)fuzz_below(1 << 20);
			break;
		case 1:
			memset(t, 0, sizeof(*t));
			t->size = fuzz_size(sizeof(*t));
			t->flags = fuzz_below(3) ? 0 : (uint32_t)fuzz_below(8);
			t->pid = fuzz_below(3) ? child :
				 fuzz_below(2) ? getpid() : (int32_t)fuzz_rand();
			break;
		default:
			*(uint32_t *)buf = fuzz_size(KSAMPLER_STATS_SIZE_VER4);
			((uint32_t *)buf)[1] = fuzz_below(2) ? KSAMPLER_STATS_ALL_CPUS :
				(uint32_t)fuzz_below(8);
			break;
		}
	}
	return buf;
}

static unsigned long fuzz_cmd(void)
{
	static const unsigned long ours[] = {
		KSAMPLER_IOC_GET_VERSION, KSAMPLER_IOC_CONFIGURE,
		KSAMPLER_IOC_ADD_TARGET, KSAMPLER_IOC_DEL_TARGET,
		KSAMPLER_IOC_START, KSAMPLER_IOC_STOP, KSAMPLER_IOC_GET_STATS,
	};
	unsigned long nr = fuzz_below(10), size = fuzz_below(4) ? fuzz_size(64) & 0x3fff : 0;

	switch (fuzz_below(8)) {
	case 0: return (unsigned long)fuzz_rand();		/* anything */
	case 1: return _IOC(fuzz_below(4), 'T', nr, size);	/* foreign */
	case 2: return _IOC(fuzz_below(4), KSAMPLER_IOC_MAGIC, nr, size);
	default:	/* ours, so that calls get past the dispatch */
		return ours[fuzz_below(sizeof(ours) / sizeof(ours[0]))];
	}
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000, i, calls = 0, ok = 0;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
			(uint64_t)time(NULL) * 2654435761u;
	static long by_errno[FUZZ_ERRNOS];
	int fds[FUZZ_FDS], f, r, e;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *pages, *buf, *edge;
	pid_t child;
	void *p;

	fuzz_state = seed | 1;
	printf("# ioctl_fuzz: %ld iterations, seed 0x%llx\n", iters,
	       (unsigned long long)seed);
	/* a page, then one no access may touch */
	pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || mprotect(pages + page, page, PROT_NONE))
		return 1;
	buf = pages;
	edge = pages + page;
	child = fork();
	if (!child) {
		for (;;)
			fuzz_state += fuzz_state >> 3;	/* busy: a live target */
	}
	for (f = 0; f < FUZZ_FDS; f++)
		fds[f] = open(KSAMPLER_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	check(fds[0] >= 0, "fuzz: the device opens (%s)", strerror(errno));

	for (i = 0; i < iters; i++) {
		f = (int)fuzz_below(FUZZ_FDS);
		errno = 0;
		switch (fuzz_below(20)) {
		case 0:		/* close and reopen, whatever the state */
			close(fds[f]);
			fds[f] = open(KSAMPLER_DEVICE_PATH, O_RDWR | O_CLOEXEC);
			r = fds[f] < 0 ? -1 : 0;
			break;
		case 1:
			p = mmap(NULL, (size_t)page * (1 + fuzz_below(4)),
				 (int)fuzz_below(8), MAP_SHARED, fds[f],
				 (off_t)(page * (long)fuzz_below(20)));
			r = p == MAP_FAILED ? -1 : 0;
			if (!r)
				munmap(p, (size_t)page);
			break;
		case 2:
			r = (int)read(fds[f], fuzz_below(4) ? (void *)buf : NULL,
				      (size_t)fuzz_below(4096));
			break;
		case 3:		/* the plausible life cycle, to reach deep states */
			r = ioctl(fds[f], fuzz_below(2) ? KSAMPLER_IOC_START :
						       KSAMPLER_IOC_STOP);
			break;
		default:
			r = ioctl(fds[f], fuzz_cmd(),
				  fuzz_arg(buf, (size_t)page, edge, child));
			break;
		}
		calls++;
		e = errno;
		if (r >= 0)
			ok++;
		else
			by_errno[e > 0 && e < FUZZ_ERRNOS ? e : 0]++;
	}
	for (f = 0; f < FUZZ_FDS; f++)
		close(fds[f]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	check(1, "fuzz: %ld calls, %ld succeeded, EINVAL %ld, EFAULT %ld, ENOTTY %ld, EBUSY %ld, EPERM %ld, other errors %ld",
	      calls, ok, by_errno[EINVAL], by_errno[EFAULT], by_errno[ENOTTY],
	      by_errno[EBUSY], by_errno[EPERM],
	      calls - ok - by_errno[EINVAL] - by_errno[EFAULT] -
	      by_errno[ENOTTY] - by_errno[EBUSY] - by_errno[EPERM]);
	/* every session is gone with its files: the module can leave */
	check(system("rmmod ksampler && insmod \"$KSAMPLER_KO\"") == 0,
	      "fuzz: the module unloads and loads again after the storm");
	return tap_plan();
}
