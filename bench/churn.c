// SPDX-License-Identifier: GPL-2.0-only
/*
 * churn - the churn soak's workload (issue 19; bench/churn-guest.sh runs it
 * under one profctl record -a session): N short-lived processes, one after
 * another (P at a time), each of which maps 20 distinct files executable,
 * spends a few ms of CPU in them and exits.
 *
 *   churn [--procs N] [--parallel P] [--burn-ms B] [--linger-ms L]
 *         [--unique-every M] [--exec] [--marks A,B,...] [--dir DIR]
 *         [--wait-at-marks]
 *
 * The 20 files are libchurn00.so .. libchurn19.so in churn-libs/ beside
 * this program (bench/churn_lib.c), copied once into DIR (default $TMPDIR,
 * else /tmp) and dlopen()ed there. Each process spends B ms of its own CPU
 * time calling into them in turn, then sleeps L ms, so that a collector
 * draining its rings every 100 ms still finds it alive and reads its maps,
 * and exits.
 *
 * A process is a fork of this driver, which has the 20 libraries loaded:
 * it maps them from birth. With --exec it is this program exec'ed again
 * ("churn child ..."), which loads them itself: closer to a shell's
 * children, but the dynamic loader costs it about six times the CPU of a
 * fork (some 35 times more under TCG emulation).
 *
 * With --unique-every M, every M-th process also loads 20 fresh copies
 * (new files, new inodes, removed once it has exited; with --exec, instead
 * of the shared ones) and works in those: files a collector's cache has
 * never seen, and must let go of again. 0 (the default) never.
 *
 * Once N processes have exited (every one started reaped), at each of
 * --marks (default: a tenth, half and all of --procs), it prints
 *   mark procs=N elapsed_ms=T failed=F
 * and with --wait-at-marks waits for a line on stdin before it goes on,
 * so that the watcher measures a collector with nothing in flight.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHURN_LIBS		20
#define CHURN_MAX_MARKS		16
#define CHURN_MAX_PARALLEL	256
/* xorshift rounds per call into a library: some tens of microseconds */
#define CHURN_ROUNDS		10000

extern char **environ;

typedef void (*churn_work_fn)(unsigned int rounds);

struct churn_opts {
	long procs, parallel, burn_ms, linger_ms, unique_every;
	long marks[CHURN_MAX_MARKS];
	int nr_marks;
	const char *dir;
	bool exec, wait_at_marks;
};

/* One process in flight; seq >= 0 names its fresh files, -1: none. */
struct churn_slot {
	pid_t pid;
	long seq;
};

struct churn {
	const struct churn_opts *o;
	char self[PATH_MAX];
	char *lib_data[CHURN_LIBS];
	size_t lib_size[CHURN_LIBS];
	churn_work_fn work[CHURN_LIBS];	/* the shared libraries, loaded */
	struct churn_slot slots[CHURN_MAX_PARALLEL];
	long started, exited, failed;
	struct timespec t0;
};

static long churn_ms_since(const struct timespec *t0)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec - t0->tv_sec) * 1000L +
	       (ts.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* --- a process's life: load, burn, linger */

static long churn_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

/* dlopen()s the 20 @paths and finds the work in each. 0, or -1. */
static int churn_load(char **paths, churn_work_fn *work)
{
	void *h;
	int i;

	for (i = 0; i < CHURN_LIBS; i++) {
		h = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL);
		*(void **)&work[i] = h ? dlsym(h, "churn_lib_work") : NULL;
		if (!work[i]) {
			fprintf(stderr, "churn: %s: %s\n", paths[i], dlerror());
			return -1;
		}
	}
	return 0;
}

/* @burn_ms of this process's CPU time in the libraries, then a nap. */
static void churn_live(const churn_work_fn *work, long burn_ms, long linger_ms)
{
	struct timespec linger = { linger_ms / 1000, linger_ms % 1000 * 1000000L };
	long start = churn_cpu_us();
	int i;

	for (i = 0; churn_cpu_us() - start < burn_ms * 1000L; i = (i + 1) % CHURN_LIBS)
		work[i](CHURN_ROUNDS);
	nanosleep(&linger, NULL);
}

/* With --exec: churn child BURN_MS LINGER_MS LIB... */
static int churn_child(int argc, char **argv)
{
	churn_work_fn work[CHURN_LIBS];

	if (argc != 4 + CHURN_LIBS)
		return 2;
	if (churn_load(argv + 4, work))
		return 1;
	churn_live(work, atol(argv[2]), atol(argv[3]));
	return 0;
}

/* --- the driver */

static int churn_read_file(const char *path, char **data, size_t *size)
{
	struct stat st;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*size = 0;
	if (fd >= 0 && !fstat(fd, &st)) {
		*data = malloc(st.st_size);
		n = *data ? read(fd, *data, st.st_size) : -1;
		*size = (size_t)st.st_size;
	}
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)*size && n > 0 ? 0 : -1;
}

static int churn_write_file(const char *path, const char *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, size);
	if (close(fd) || n != (ssize_t)size)
		return -1;
	return 0;
}

/* Where library @i of @seq's fresh set (or of the shared one, -1) lives. */
static void churn_lib_paths(const struct churn *c, long seq,
			    char (*paths)[PATH_MAX], char **argv)
{
	int i;

	for (i = 0; i < CHURN_LIBS; i++) {
		if (seq < 0)
			snprintf(paths[i], PATH_MAX, "%s/libchurn%02d.so",
				 c->o->dir, i);
		else
			snprintf(paths[i], PATH_MAX, "%s/u%ld-%02d.so",
				 c->o->dir, seq, i);
		argv[i] = paths[i];
	}
}

/* Writes @seq's libraries into place; fills @argv with their paths. */
static int churn_write_libs(const struct churn *c, long seq,
			    char (*paths)[PATH_MAX], char **argv)
{
	int i;

	churn_lib_paths(c, seq, paths, argv);
	for (i = 0; i < CHURN_LIBS; i++) {
		if (churn_write_file(paths[i], c->lib_data[i], c->lib_size[i])) {
			fprintf(stderr, "churn: cannot write %s: %s\n", paths[i],
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void churn_remove_libs(const struct churn *c, long seq)
{
	char paths[CHURN_LIBS][PATH_MAX], *argv[CHURN_LIBS];
	int i;

	churn_lib_paths(c, seq, paths, argv);
	for (i = 0; i < CHURN_LIBS; i++)
		unlink(paths[i]);
}

/*
 * Reads the built libraries (churn-libs/ beside this program), puts the
 * shared copies in place, and loads them unless every process execs.
 */
static int churn_setup(struct churn *c)
{
	char path[PATH_MAX + 32], paths[CHURN_LIBS][PATH_MAX], *argv[CHURN_LIBS];
	ssize_t n = readlink("/proc/self/exe", c->self, sizeof(c->self) - 1);
	char *slash;
	int i;

	if (n <= 0)
		return -1;
	c->self[n] = '\0';
	slash = strrchr(c->self, '/');
	for (i = 0; i < CHURN_LIBS; i++) {
		snprintf(path, sizeof(path), "%.*s/churn-libs/libchurn%02d.so",
			 (int)(slash - c->self), c->self, i);
		if (churn_read_file(path, &c->lib_data[i], &c->lib_size[i])) {
			fprintf(stderr, "churn: cannot read %s: build it with make build/bench/churn\n",
				path);
			return -1;
		}
	}
	if (churn_write_libs(c, -1, paths, argv))
		return -1;
	return c->o->exec ? 0 : churn_load(argv, c->work);
}

/* A forked process: the shared libraries, or fresh ones it loads. */
static void churn_forked(const struct churn *c, char **argv, bool fresh)
{
	churn_work_fn fresh_work[CHURN_LIBS];

	if (fresh && churn_load(argv, fresh_work))
		_exit(1);
	churn_live(fresh ? fresh_work : c->work,
		   c->o->burn_ms, c->o->linger_ms);
	_exit(0);
}

static int churn_spawn(struct churn *c, struct churn_slot *slot)
{
	char args[2][24], paths[CHURN_LIBS][PATH_MAX];
	char *argv[4 + CHURN_LIBS + 1] = { "churn", "child", args[0], args[1] };
	long every = c->o->unique_every;
	int err = 0;

	slot->seq = every && c->started % every == every - 1 ? c->started : -1;
	if (slot->seq >= 0 && churn_write_libs(c, slot->seq, paths, argv + 4))
		return -1;
	if (slot->seq < 0)
		churn_lib_paths(c, -1, paths, argv + 4);
	argv[4 + CHURN_LIBS] = NULL;
	if (c->o->exec) {
		snprintf(args[0], sizeof(args[0]), "%ld", c->o->burn_ms);
		snprintf(args[1], sizeof(args[1]), "%ld", c->o->linger_ms);
		err = posix_spawn(&slot->pid, c->self, NULL, NULL, argv, environ);
	} else {
		slot->pid = fork();
		if (!slot->pid)
			churn_forked(c, argv + 4, slot->seq >= 0);
		err = slot->pid < 0 ? errno : 0;
	}
	if (err) {
		fprintf(stderr, "churn: cannot start a process: %s\n",
			strerror(err));
		return -1;
	}
	c->started++;
	return 0;
}
/* Waits for one process, and removes its fresh files. */
static int churn_reap(struct churn *c)
{
	int status, i;
	pid_t pid;

	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return -1;
	for (i = 0; i < c->o->parallel; i++) {
		if (c->slots[i].pid != pid)
			continue;
		if (c->slots[i].seq >= 0)
			churn_remove_libs(c, c->slots[i].seq);
		c->slots[i].pid = 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		c->failed++;
	c->exited++;
	return 0;
}

static void churn_mark(struct churn *c)
{
	char line[64];

	printf("mark procs=%ld elapsed_ms=%ld failed=%ld\n", c->exited,
	       churn_ms_since(&c->t0), c->failed);
	fflush(stdout);
	if (c->o->wait_at_marks && !fgets(line, sizeof(line), stdin))
		clearerr(stdin);	/* no watcher: go on */
}

static int churn_run(struct churn *c)
{
	const struct churn_opts *o = c->o;
	int mark = 0, i;
	long limit;

	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	while (c->exited < o->procs) {
		limit = mark < o->nr_marks ? o->marks[mark] : o->procs;
		for (i = 0; i < o->parallel && c->started < limit; i++)
			if (!c->slots[i].pid && churn_spawn(c, &c->slots[i]))
				return 1;
		if (churn_reap(c))
			return 1;
		if (mark < o->nr_marks && c->exited == o->marks[mark]) {
			churn_mark(c);
			mark++;
		}
	}
	printf("done procs=%ld elapsed_ms=%ld failed=%ld\n", c->exited,
	       churn_ms_since(&c->t0), c->failed);
	return c->failed ? 1 : 0;
}

/* "A,B,C", ascending, each within 1..procs. */
static int churn_parse_marks(const char *arg, struct churn_opts *o)
{
	char *end;

	o->nr_marks = 0;
	do {
		if (o->nr_marks == CHURN_MAX_MARKS)
			return -1;
		o->marks[o->nr_marks] = strtol(arg, &end, 10);
		if (end == arg || (*end && *end != ','))
			return -1;
		o->nr_marks++;
		arg = end + 1;
	} while (*end);
	return 0;
}

static int churn_check(const struct churn_opts *o)
{
	int i;

	if (o->procs < 1 || o->parallel < 1 || o->parallel > CHURN_MAX_PARALLEL ||
	    o->burn_ms < 0 || o->linger_ms < 0 || o->unique_every < 0)
		return -1;
	for (i = 0; i < o->nr_marks; i++)
		if (o->marks[i] < 1 || o->marks[i] > o->procs ||
		    (i && o->marks[i] <= o->marks[i - 1]))
			return -1;
	return 0;
}

static int churn_parse(int argc, char **argv, struct churn_opts *o)
{
	static const struct option options[] = {
		{ "procs", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'j' },
		{ "burn-ms", required_argument, NULL, 'b' },
		{ "linger-ms", required_argument, NULL, 'l' },
		{ "unique-every", required_argument, NULL, 'u' },
		{ "exec", no_argument, NULL, 'x' },
		{ "marks", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "wait-at-marks", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *marks = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'n': o->procs = atol(optarg); break;
		case 'j': o->parallel = atol(optarg); break;
		case 'b': o->burn_ms = atol(optarg); break;
		case 'l': o->linger_ms = atol(optarg); break;
		case 'u': o->unique_every = atol(optarg); break;
		case 'm': marks = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'w': o->wait_at_marks = true; break;
		case 'x': o->exec = true; break;
		default: return -1;
		}
	}
	if (optind != argc || (marks && churn_parse_marks(marks, o)))
		return -1;
	if (!marks) {
		o->marks[0] = o->procs / 10;
		o->marks[1] = o->procs / 2;
		o->marks[2] = o->procs;
		o->nr_marks = 3;
	}
	return churn_check(o);
}

int main(int argc, char **argv)
{
	struct churn_opts o = { .procs = 100000, .parallel = 16, .burn_ms = 4,
				.linger_ms = 300 };
	struct churn c = { .o = &o };

	if (argc > 1 && !strcmp(argv[1], "child"))
		return churn_child(argc, argv);
	o.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (churn_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: churn [--procs N] [--parallel P] [--burn-ms B] [--linger-ms L]\n"
			"             [--unique-every M] [--exec] [--marks A,B,...] [--dir DIR]\n"
			"             [--wait-at-marks]\n"
			"(marks ascending within 1..N; P at most %d)\n", CHURN_MAX_PARALLEL);
		return 2;
	}
	if (churn_setup(&c))
		return 1;
	printf("churn procs=%ld parallel=%d burn_ms=%ld linger_ms=%ld unique_every=%ld libs=%d exec=%d\n",
	       o.procs, (int)o.parallel, o.burn_ms, o.linger_ms, o.unique_every,
	       CHURN_LIBS, o.exec);
	fflush(stdout);
	return churn_run(&c);
}
