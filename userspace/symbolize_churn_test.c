// SPDX-License-Identifier: GPL-2.0-only
/*
 * The symbolizer over a long session: many processes that come and go
 * (a made-up /proc), a descriptor limit lower than the files they map, a
 * reused pid. Memory and descriptors must stay bounded, and every address
 * must still be named by the right file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "objfile.h"
#include "symbolize.h"

/* Where the fake processes map their binary's code, and the file offset. */
#define CHURN_MAP_START	0x401000ULL
#define CHURN_MAP_END	0x402000ULL
#define CHURN_MAP_OFF	0x1000ULL
/* An address in the code; the file's link-time address is 0x400000 less. */
#define CHURN_ADDR	0x401260ULL

static const uint64_t churn_ns_per_tick = 10000000;	/* USER_HZ 100 */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void append_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Makes @dir/@pid a process started at @start ticks, running @exe. */
static void fake_pid(const char *dir, int pid, const char *exe, uint64_t start)
{
	char path[PATH_MAX], text[PATH_MAX + 256];
	struct stat st;

	assert_int_equal(stat(exe, &st), 0);
	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%d/root", dir, pid);
	unlink(path);
	assert_int_equal(symlink("/", path), 0);
	snprintf(path, sizeof(path), "%s/%d/exe", dir, pid);
	unlink(path);
	assert_int_equal(symlink(exe, path), 0);
	snprintf(path, sizeof(path), "%s/%d/maps", dir, pid);
	snprintf(text, sizeof(text), "%llx-%llx r-xp %08llx 00:2a %lu %s\n",
		 (unsigned long long)CHURN_MAP_START, (unsigned long long)CHURN_MAP_END,
		 (unsigned long long)CHURN_MAP_OFF, (unsigned long)st.st_ino, exe);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/%d/comm", dir, pid);
	snprintf(text, sizeof(text), "p%d\n", pid);
	write_file(path, text);
	/* field 22 is the start time; the comm may hold ") " */
	snprintf(path, sizeof(path), "%s/%d/stat", dir, pid);
	snprintf(text, sizeof(text),
		 "%d (a) b) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n",
		 pid, (unsigned long long)start);
	write_file(path, text);
}

/* The process exits: its /proc directory goes. */
static void fake_exit(const char *dir, int pid)
{
	static const char *const files[] = { "maps", "root", "exe", "comm", "stat" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%d/%s", dir, pid, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	rmdir(path);
}

/* Copies @from to a new file @to (another inode, the same bytes). */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0700);
	ssize_t n;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

static const char *name_at(struct symbolizer *sym, int pid, uint64_t start)
{
	static struct frame_info f;
	const struct sym_who who = { pid, 0, start * churn_ns_per_tick };

	symbolizer__resolve(sym, &who, CHURN_ADDR, &f);
	return f.nr_frames ? f.frames[0].function : "";
}

/* What the file itself says is at CHURN_ADDR, as a string to free. */
static char *name_in(const char *exe)
{
	struct objfile *obj = objfile__open_fd(open(exe, O_RDONLY));
	const char *name;
	char *copy;

	assert_non_null(obj);
	name = objfile__symbol(obj, CHURN_ADDR - 0x400000, NULL);
	assert_non_null(name);
	copy = strdup(name);
	objfile__close(obj);
	return copy;
}

/*
 * Two small C binaries with different code at CHURN_ADDR: their paths in
 * @a and @b (PATH_MAX each), what each names there (strings to free).
 * False when they are not built.
 */
static bool two_binaries(char *a, char *b, char **name_a, char **name_b)
{
	if (!realpath("build/workloads/cburn", a) ||
	    !realpath("build/workloads/churn", b))
		return false;
	*name_a = name_in(a);
	*name_b = name_in(b);
	return true;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void noop_reaped(const struct sym_who *who, void *ctx)
{
	(void)who;
	++*(int *)ctx;
}

/*
 * 2,000 processes, one after another, over 400 distinct files, under a
 * descriptor limit of 128: each is named (a failure to open is not kept
 * forever), and once the exited ones are reaped the symbolizer holds at
 * most its bounds: no process, a few files, the descriptors it caps.
 */
static void test_churn_stays_bounded(void **state)
{
	enum { FILES = 400, PROCS = 2000 };
	char dir[] = "/tmp/symbolize_churn.XXXXXX", exe[PATH_MAX], path[PATH_MAX];
	char cmd[PATH_MAX + 16];
	struct rlimit old, low = { 128, 128 };
	struct symbolizer_stats st;
	struct symbolizer *sym;
	char *want;
	int i, reaped = 0, fds0, named = 0;

	(void)state;
	if (!realpath("build/workloads/cburn", exe)) {
		skip();		/* make workloads builds it */
		return;
	}
	want = name_in(exe);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/files", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (i = 1; i <= FILES; i++) {
		snprintf(path, sizeof(path), "%s/files/%d", dir, i);
		copy_file(exe, path);
	}
	getrlimit(RLIMIT_NOFILE, &old);
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	fds0 = open_fds();
	sym = symbolizer__new(dir, SYM_WITH_START);
	assert_non_null(sym);
	symbolizer__set_limits(sym, 1 << 20, 16);
	for (i = 0; i < PROCS; i++) {
		const struct sym_who who = { 30000 + i, 0, (uint64_t)(1000 + i) * churn_ns_per_tick };

		snprintf(exe, sizeof(exe), "%s/files/%d", dir, 1 + i % FILES);
		fake_pid(dir, who.pid, exe, 1000 + i);
		assert_int_equal(symbolizer__see(sym, &who), 0);
		/* some are named while they run, others only after they exit */
		if (i % 3)
			named += !strcmp(name_at(sym, who.pid, 1000 + i), want);
		fake_exit(dir, who.pid);
		if (!(i % 3))
			named += !strcmp(name_at(sym, who.pid, 1000 + i), want);
		if (i % 100 == 99) {
			symbolizer__reap(sym, noop_reaped, &reaped);
			symbolizer__reap(sym, noop_reaped, &reaped);
			symbolizer__stats(sym, &st);
			assert_true(st.processes <= 100);
			assert_true(st.files <= 100 + 16);
			assert_true(st.open_fds <= 32);
			assert_true(open_fds() <= fds0 + 32);
		}
	}
	symbolizer__reap(sym, noop_reaped, &reaped);
	symbolizer__forget_reaped(sym);
	symbolizer__stats(sym, &st);
	assert_int_equal(named, PROCS);
	assert_int_equal(reaped, PROCS);
	assert_int_equal(st.processes, 0);
	assert_true(st.files_read <= 16);
	assert_true(st.file_bytes <= 1 << 20);
	assert_int_equal(st.reaped, PROCS);
	symbolizer__free(sym);
	setrlimit(RLIMIT_NOFILE, &old);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(want);
}

/*
 * A pid reused by another process, of another binary, in the same exec
 * generation (both started by the same shell): each is named from its
 * own binary, before and after the first one is reaped.
 */
static void test_reused_pid(void **state)
{
	char dir[] = "/tmp/symbolize_reuse.XXXXXX", a[PATH_MAX], b[PATH_MAX];
	struct symbolizer *sym;
	char *name_a, *name_b;
	int reaped = 0;

	(void)state;
	if (!two_binaries(a, b, &name_a, &name_b)) {
		skip();		/* make workloads builds them */
		return;
	}
	assert_string_not_equal(name_a, name_b);
	assert_non_null(mkdtemp(dir));
	sym = symbolizer__new(dir, SYM_WITH_START);
	assert_non_null(sym);
	fake_pid(dir, 4242, a, 500);
	assert_int_equal(symbolizer__see(sym, &(struct sym_who){ 4242, 0, 500 * churn_ns_per_tick }), 0);
	fake_pid(dir, 4242, b, 900);		/* exited, pid reused */
	assert_int_equal(symbolizer__see(sym, &(struct sym_who){ 4242, 0, 900 * churn_ns_per_tick + 7 }), 0);
	assert_string_equal(name_at(sym, 4242, 500), name_a);
	assert_string_equal(name_at(sym, 4242, 900), name_b);
	/* the first is found gone, and forgotten; the second stays */
	symbolizer__reap(sym, noop_reaped, &reaped);
	symbolizer__reap(sym, noop_reaped, &reaped);
	assert_int_equal(reaped, 1);
	assert_string_equal(name_at(sym, 4242, 500), name_a);	/* until forgotten */
	symbolizer__forget_reaped(sym);
	assert_string_equal(name_at(sym, 4242, 500), "");
	assert_string_equal(name_at(sym, 4242, 900), name_b);
	symbolizer__free(sym);
	fake_exit(dir, 4242);
	rmdir(dir);
	free(name_a);
	free(name_b);
}

/*
 * The maps name a file by path and inode; what the path holds now may be
 * another file (a library replaced on disk) or a FIFO (that blocks an
 * open): neither is read as the mapped file.
 */
static void test_replaced_file(void **state)
{
	char dir[] = "/tmp/symbolize_swap.XXXXXX", a[PATH_MAX], b[PATH_MAX];
	char lib[PATH_MAX], lib2[PATH_MAX + 8], maps[PATH_MAX + 64];
	char text[PATH_MAX + 128];
	const struct sym_who who = { 4343, 0, 0 };
	struct symbolizer *sym;
	char *name_a, *name_b;
	struct frame_info f;
	struct stat st;

	(void)state;
	if (!two_binaries(a, b, &name_a, &name_b)) {
		skip();		/* make workloads builds them */
		return;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	copy_file(a, lib);
	assert_int_equal(stat(lib, &st), 0);
	fake_pid(dir, who.pid, a, 100);
	/* replaced as package managers do: a new file renamed over it */
	snprintf(lib2, sizeof(lib2), "%s.new", lib);
	copy_file(b, lib2);
	assert_int_equal(rename(lib2, lib), 0);
	snprintf(maps, sizeof(maps), "%s/%d/maps", dir, who.pid);
	snprintf(text, sizeof(text), "501000-502000 r-xp 00001000 00:2a %lu %s\n",
		 (unsigned long)st.st_ino, lib);
	append_file(maps, text);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	assert_int_equal(symbolizer__see(sym, &who), 0);
	assert_string_equal(name_at(sym, who.pid, 0), name_a);	/* the exe */
	symbolizer__resolve(sym, &who, CHURN_ADDR + 0x100000, &f);
	assert_int_equal(f.nr_frames, 0);	/* not churn's function */
	symbolizer__free(sym);
	/* a FIFO where the library was: no open() that waits for a writer */
	unlink(lib);
	assert_int_equal(mkfifo(lib, 0600), 0);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	alarm(10);
	assert_int_equal(symbolizer__see(sym, &who), 0);
	symbolizer__resolve(sym, &who, CHURN_ADDR + 0x100000, &f);
	assert_int_equal(f.nr_frames, 0);
	alarm(0);
	symbolizer__free(sym);
	unlink(lib);
	fake_exit(dir, who.pid);
	rmdir(dir);
	free(name_a);
	free(name_b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_churn_stays_bounded),
		cmocka_unit_test(test_reused_pid),
		cmocka_unit_test(test_replaced_file),
	};

	return cmocka_run_group_tests_name("symbolize_churn", tests, NULL, NULL);
}
