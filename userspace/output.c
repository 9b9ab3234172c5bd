// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "output.h"

struct output {
	int fd;
	char *path;		/* NULL: standard output */
	char *tmp;		/* the new file beside it */
	bool created;		/* tmp exists: ours to remove */
};

int output_check(const char *path)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return 0;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? 0 : -PROFCTL_ERR_NOT_REGULAR;
}

/*
 * The mode open(path, O_CREAT, 0644) would have given: mkostemp() makes
 * 0600. Reading the umask sets it; profctl has no other thread then.
 */
static mode_t output_mode(void)
{
	mode_t mask = umask(022);

	umask(mask);
	return 0644 & ~mask;
}

int output__open(const char *path, struct output **out)
{
	struct output *o;
	char *copy, *dir;
	int err = output_check(path);

	if (err)
		return err;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->fd = STDOUT_FILENO;
	if (strcmp(path, "-")) {
		copy = strdup(path);
		o->path = strdup(path);
		dir = copy ? dirname(copy) : NULL;
		if (!dir || !o->path ||
		    asprintf(&o->tmp, "%s/.profctl-XXXXXX", dir) < 0)
			o->tmp = NULL;
		free(copy);
		if (!o->tmp) {
			output__abort(o);
			return -ENOMEM;
		}
		/* O_CREAT | O_EXCL under a random name: nothing to follow */
		o->fd = mkostemp(o->tmp, O_CLOEXEC);
		o->created = o->fd >= 0;
		if (o->fd < 0 || fchmod(o->fd, output_mode())) {
			err = -errno;
			output__abort(o);
			return err;
		}
	}
	*out = o;
	return 0;
}

int output__fd(const struct output *o)
{
	return o->fd;
}

/* Makes the rename itself durable: the directory's entry. */
static void output_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int output__commit(struct output *o)
{
	int err = 0;

	if (!o->path) {
		free(o);
		return 0;	/* standard output: the caller's to close */
	}
	if (fsync(o->fd))
		err = -errno;
	if (close(o->fd) && !err)
		err = -errno;
	o->fd = -1;
	/* checked again: the target may have been replaced meanwhile */
	if (!err)
		err = output_check(o->path);
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	o->created = err != 0;
	if (err) {
		output__abort(o);
		return err;
	}
	output_sync_dir(o->path);
	free(o->tmp);
	free(o->path);
	free(o);
	return 0;
}

void output__abort(struct output *o)
{
	if (!o)
		return;
	if (o->path && o->fd >= 0)
		close(o->fd);
	if (o->created)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o);
}
