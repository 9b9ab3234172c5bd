/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmsg.h - the guest tests' reader of the kernel log: the first oops, BUG,
 * WARNING, lockup, stall or sanitizer report logged since the last look,
 * so that a finding names the scenario or step that caused it. The same
 * lines scripts/vm-run fails a whole boot on. Header-only, like tap.h.
 */
#ifndef KSAMPLER_TESTS_KMSG_H
#define KSAMPLER_TESTS_KMSG_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static int kmsg_fd = -1, kmsg_err;
static regex_t kmsg_splat_re;

/* Starts reading at the end of the log: only what comes next counts. */
static inline void kmsg_open(void)
{
	regcomp(&kmsg_splat_re,
		"Oops|BUG:|WARNING:|kernel BUG|general protection fault|"
		"Call Trace:|soft lockup|hard LOCKUP|rcu.*(stall|detected stalls)|"
		"blocked for more than|Kernel panic|UBSAN:|KASAN:|usercopy:",
		REG_EXTENDED | REG_NOSUB);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	kmsg_err = errno;
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* The message part of a /dev/kmsg record ("prio,seq,time,flags;text"). */
static inline const char *kmsg_text(char *rec)
{
	char *semi = strchr(rec, ';');

	rec[strcspn(rec, "\n")] = 0;
	return semi ? semi + 1 : rec;
}

/*
 * The first splat logged since the last call, in @line; false if none.
 * Waits up to @timeout_ms for the log to move first (0: only looks).
 */
static inline bool kmsg_splat(char *line, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = kmsg_fd, .events = POLLIN };
	const char *text;
	char rec[2048];
	ssize_t n;
	size_t k;

	if (kmsg_fd < 0) {
		if (timeout_ms)
			poll(NULL, 0, timeout_ms);
		return false;
	}
	if (timeout_ms)
		poll(&pfd, 1, timeout_ms);
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten before we read it */
		if (n <= 0)
			return false;
		rec[n] = 0;
		/*
		 * KCSAN reports races anywhere in the kernel: scripts/vm-run
		 * tells the module's apart by their stacks, whole reports
		 * being out of reach of a line reader.
		 */
		if (!regexec(&kmsg_splat_re, rec, 0, NULL, 0) &&
		    !strstr(rec, "KCSAN:")) {
			text = kmsg_text(rec);
			k = strlen(text) < len - 1 ? strlen(text) : len - 1;
			memcpy(line, text, k);
			line[k] = 0;
			return true;
		}
	}
}

#endif /* KSAMPLER_TESTS_KMSG_H */
