/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h - puts a profile where -o names, whole or not at all, and
 * never anywhere else: the profile goes to a new file of an unpredictable
 * name beside the target (O_EXCL: nothing planted there is followed or
 * reused), is synced, and is renamed over the target only when the target
 * is a regular file or does not exist. A device, directory, FIFO or
 * symbolic link there is refused, untouched (root writing to /dev/null
 * must not replace the device node). "-" is standard output.
 */
#ifndef PROFCTL_OUTPUT_H
#define PROFCTL_OUTPUT_H

struct output;

/* 0 when @path may be written, or -PROFCTL_ERR_NOT_REGULAR, -errno. */
int output_check(const char *path);

/* Opens the output for @path. 0 or -errno (-PROFCTL_ERR_NOT_REGULAR). */
int output__open(const char *path, struct output **out);

/* The descriptor to write the profile to. */
int output__fd(const struct output *o);

/*
 * Syncs the profile and puts it at its path, then frees @o. 0 or -errno;
 * on error nothing is left behind and the target is as it was.
 */
int output__commit(struct output *o);

/* Removes what was written, leaves the target alone, frees @o. NULL ok. */
void output__abort(struct output *o);

#endif /* PROFCTL_OUTPUT_H */
