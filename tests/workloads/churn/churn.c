// SPDX-License-Identifier: GPL-2.0-only
/*
 * churn - the stress tests' targets: processes whose threads, children and
 * leaders come and go while a session samples them (tests/vm/stress.c).
 *
 *   churn threads SECONDS      threads that burn ~0.5 ms each and exit,
 *                              four at a time, as fast as they start
 *   churn forkexec SECONDS EXE fork and exec EXE, waited for, in a loop
 *   churn zombie SECONDS       the main thread exits at once; a second
 *                              thread burns for SECONDS (a zombie leader)
 *
 * Each prints how many threads or processes it went through. Built like
 * cburn: -O0 with frame pointers, symbols kept.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHURN_BATCH	4

static volatile uint64_t churn_sink;

static uint64_t churn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline)) void churn_burn(uint64_t ns);
__attribute__((noinline)) void churn_burn(uint64_t ns)
{
	uint64_t end = churn_now_ns() + ns, x = churn_sink | 1;

	while (churn_now_ns() < end) {
		for (int i = 0; i < 1000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	churn_sink = x;
}

static void *churn_short_thread(void *arg)
{
	(void)arg;
	churn_burn(500000);
	return NULL;
}

static int churn_threads(uint64_t end)
{
	pthread_t t[CHURN_BATCH];
	long created = 0;

	while (churn_now_ns() < end) {
		int n = 0;

		for (int i = 0; i < CHURN_BATCH; i++)
			if (!pthread_create(&t[n], NULL, churn_short_thread, NULL))
				n++;
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		created += n;
	}
	printf("threads %ld\n", created);
	return 0;
}

static int churn_forkexec(uint64_t end, const char *exe)
{
	long spawned = 0;

	while (churn_now_ns() < end) {
		pid_t pid = fork();

		if (pid == 0) {
			execl(exe, exe, (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			continue;
		waitpid(pid, NULL, 0);
		spawned++;
	}
	printf("processes %ld\n", spawned);
	return 0;
}

static void *churn_survivor(void *arg)
{
	churn_burn(*(uint64_t *)arg);
	printf("zombie leader: the survivor thread ran\n");
	fflush(stdout);
	exit(0);
}

static int churn_zombie(uint64_t seconds)
{
	static uint64_t ns;
	pthread_t t;

	ns = seconds * 1000000000ULL;
	if (pthread_create(&t, NULL, churn_survivor, &ns))
		return 1;
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	uint64_t seconds = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	uint64_t end = churn_now_ns() + seconds * 1000000000ULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "threads"))
		return churn_threads(end);
	if (argc == 4 && !strcmp(argv[1], "forkexec"))
		return churn_forkexec(end, argv[3]);
	if (argc == 3 && !strcmp(argv[1], "zombie"))
		return churn_zombie(seconds);
	fprintf(stderr, "usage: churn threads|zombie SECONDS | churn forkexec SECONDS EXE\n");
	return 2;
}
