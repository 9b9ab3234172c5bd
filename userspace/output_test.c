// SPDX-License-Identifier: GPL-2.0-only
/*
 * output: a profile lands whole at its path or nowhere; a device,
 * directory, FIFO or symbolic link at the path is refused untouched; a
 * file planted at a guessable temporary name is never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "errors.h"
#include "output.h"

static char dir[] = "/tmp/output_test.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static const char *at(const char *name)
{
	static char path[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries of the directory whose name starts with ".profctl-". */
static int leftovers(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, ".profctl-", 9);
	if (d)
		closedir(d);
	return n;
}

static int write_profile(const char *path, const char *text)
{
	struct output *o;
	int err = output__open(path, &o);

	if (err)
		return err;
	assert_int_equal(write(output__fd(o), text, strlen(text)), (ssize_t)strlen(text));
	return output__commit(o);
}

static void test_new_and_replaced(void **state)
{
	mode_t mask = umask(022);
	struct stat st;

	(void)state;
	umask(mask);
	assert_int_equal(write_profile(at("new.pb.gz"), "one"), 0);
	assert_string_equal(get(at("new.pb.gz")), "one");
	/* as open(O_CREAT, 0644) would make it, not mkstemp's 0600 */
	assert_int_equal(stat(at("new.pb.gz"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~mask);
	assert_int_equal(write_profile(at("new.pb.gz"), "two"), 0);
	assert_string_equal(get(at("new.pb.gz")), "two");
	assert_int_equal(leftovers(), 0);
}

/* root's -o /dev/null must not become a regular file */
static void test_refuses_what_is_not_a_regular_file(void **state)
{
	struct output *o;

	(void)state;
	put(at("victim"), "keep");
	assert_int_equal(symlink(at("victim"), at("link")), 0);
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(mkdir(at("subdir"), 0700), 0);
	assert_int_equal(output__open(at("link"), &o), -PROFCTL_ERR_NOT_REGULAR);
	assert_int_equal(output__open(at("fifo"), &o), -PROFCTL_ERR_NOT_REGULAR);
	assert_int_equal(output__open(at("subdir"), &o), -PROFCTL_ERR_NOT_REGULAR);
	assert_int_equal(output_check("/dev/null"), -PROFCTL_ERR_NOT_REGULAR);
	assert_string_equal(get(at("victim")), "keep");
	assert_int_equal(leftovers(), 0);
	assert_int_equal(output_check(at("no/such/dir")), 0);	/* open fails */
	assert_int_not_equal(output__open(at("no/such/dir"), &o), 0);
}

/*
 * The temporary name was once PATH.tmp.PID, opened with O_TRUNC: a
 * symbolic link planted there truncated what it pointed at.
 */
static void test_planted_temporary_name_is_not_followed(void **state)
{
	char planted[PATH_MAX];

	(void)state;
	put(at("passwd"), "root:x:0:0");
	snprintf(planted, sizeof(planted), "%s.tmp.%d", at("out.pb.gz"), getpid());
	assert_int_equal(symlink(at("passwd"), planted), 0);
	assert_int_equal(write_profile(at("out.pb.gz"), "profile"), 0);
	assert_string_equal(get(at("passwd")), "root:x:0:0");
	assert_string_equal(get(at("out.pb.gz")), "profile");
}

/* Replaced by something else while the profile was being written. */
static void test_target_changed_meanwhile(void **state)
{
	struct output *o;

	(void)state;
	assert_int_equal(output__open(at("late"), &o), 0);
	assert_int_equal(write(output__fd(o), "x", 1), 1);
	assert_int_equal(mkdir(at("late"), 0700), 0);
	assert_int_equal(output__commit(o), -PROFCTL_ERR_NOT_REGULAR);
	assert_int_equal(leftovers(), 0);

	/* and an abandoned profile leaves nothing */
	assert_int_equal(output__open(at("abandoned"), &o), 0);
	output__abort(o);
	assert_int_equal(leftovers(), 0);
	assert_null(get(at("abandoned")));
	output__abort(NULL);
}

static void test_dash_is_standard_output(void **state)
{
	struct output *o;

	(void)state;
	assert_int_equal(output__open("-", &o), 0);
	assert_int_equal(output__fd(o), STDOUT_FILENO);
	assert_int_equal(output__commit(o), 0);
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFD), 0);	/* still open */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_replaced),
		cmocka_unit_test(test_refuses_what_is_not_a_regular_file),
		cmocka_unit_test(test_planted_temporary_name_is_not_followed),
		cmocka_unit_test(test_target_changed_meanwhile),
		cmocka_unit_test(test_dash_is_standard_output),
	};

	return cmocka_run_group_tests_name("output", tests, setup, teardown);
}
