/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_proc_test.h - for unit tests: a made-up /proc holding one process,
 * FAKE_PID, that runs a real non-PIE binary mapped at 0x400000, so that
 * the symbolizer can be tested against real files without a real target.
 * Include after cmocka.h.
 */
#ifndef PROFCTL_FAKE_PROC_TEST_H
#define PROFCTL_FAKE_PROC_TEST_H

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAKE_PID 4242

/*
 * Makes @dir/FAKE_PID a process running @exe, or running it now: called
 * again with another binary, the process has exec'ed it.
 */
static void fake_proc_image(const char *dir, const char *exe)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *f;

	assert_int_equal(stat(exe, &st), 0);
	snprintf(path, sizeof(path), "%s/%d", dir, FAKE_PID);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%d/root", dir, FAKE_PID);
	unlink(path);
	assert_int_equal(symlink("/", path), 0);
	snprintf(path, sizeof(path), "%s/%d/exe", dir, FAKE_PID);
	unlink(path);
	assert_int_equal(symlink(exe, path), 0);
	snprintf(path, sizeof(path), "%s/%d/maps", dir, FAKE_PID);
	f = fopen(path, "w");
	assert_non_null(f);
	/* non-PIE: runtime addresses are link-time ones */
	fprintf(f, "00400000-00800000 r-xp 00000000 00:2a %lu %s\n",
		(unsigned long)st.st_ino, exe);
	fclose(f);
}

/* Removes what fake_proc_image() made, and @dir. */
static void fake_proc_remove(const char *dir)
{
	static const char *const files[] = { "maps", "root", "exe" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%d/%s", dir, FAKE_PID, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%d", dir, FAKE_PID);
	rmdir(path);
	rmdir(dir);
}

#endif /* PROFCTL_FAKE_PROC_TEST_H */
