/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_proc_test.h - for unit tests: a made-up /proc holding processes
 * (FAKE_PID, or any pid) that run real non-PIE binaries mapped at
 * 0x400000, so that the symbolizer can be tested against real files
 * without a real target. Include after cmocka.h.
 */
#ifndef PROFCTL_FAKE_PROC_TEST_H
#define PROFCTL_FAKE_PROC_TEST_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAKE_PID 4242

/* Replaces the symbolic link @path with one to @target. */
static void fake_proc_link(const char *target, const char *path)
{
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * Makes @dir/@pid a process running @exe, or running it now: called
 * again with another binary, the process has exec'ed it. With @path,
 * the process sees its binary at @path in a root of its own, as in a
 * container: two processes can run two different files at one path.
 * @extra: more lines for its maps, or NULL.
 */
static void fake_proc_run(const char *dir, int pid, const char *exe,
			  const char *path, const char *extra)
{
	char buf[PATH_MAX], *slash;
	struct stat st;
	FILE *f;

	assert_int_equal(stat(exe, &st), 0);
	snprintf(buf, sizeof(buf), "%s/%d", dir, pid);
	mkdir(buf, 0700);
	snprintf(buf, sizeof(buf), "%s/%d/root", dir, pid);
	if (!path) {
		fake_proc_link("/", buf);
	} else {
		/* the root's directories, then the binary in them */
		snprintf(buf, sizeof(buf), "%s/%d/root%s", dir, pid, path);
		for (slash = strchr(buf + strlen(dir), '/'); slash;
		     slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			mkdir(buf, 0700);
			*slash = '/';
		}
		fake_proc_link(exe, buf);
	}
	snprintf(buf, sizeof(buf), "%s/%d/exe", dir, pid);
	fake_proc_link(exe, buf);
	snprintf(buf, sizeof(buf), "%s/%d/maps", dir, pid);
	f = fopen(buf, "w");
	assert_non_null(f);
	/* non-PIE: runtime addresses are link-time ones */
	fprintf(f, "00400000-00800000 r-xp 00000000 00:2a %lu %s\n%s",
		(unsigned long)st.st_ino, path ? path : exe, extra ? extra : "");
	fclose(f);
}

/* FAKE_PID runs @exe, seen at its own path. */
static inline void fake_proc_image(const char *dir, const char *exe)
{
	fake_proc_run(dir, FAKE_PID, exe, NULL, NULL);
}

static int fake_proc_unlink(const char *path, const struct stat *st,
			    int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Removes @dir and what fake_proc_run() made in it; never what a link
 * points to (FTW_PHYS: a root linked to "/" is only a link).
 */
static void fake_proc_remove(const char *dir)
{
	nftw(dir, fake_proc_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* PROFCTL_FAKE_PROC_TEST_H */
