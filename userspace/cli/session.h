/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session.h - one profiling session from the command line, shared by
 * "profctl start" (one process) and "profctl record -a" (every process):
 * open and arm the device, drain until done, stop, summarise, write.
 */
#ifndef PROFCTL_CLI_SESSION_H
#define PROFCTL_CLI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

struct session_opts {
	int pid;			/* the target; 0: every user task */
	bool children;
	uint64_t freq;
	uint64_t duration_ns;		/* 0: until a signal (or target exit) */
	unsigned int max_frames;	/* 0: the module's default */
	const char *format;		/* "pprof" or "collapsed" */
	const char *device;
};

struct session;

/*
 * The options both commands take: -F/--freq, -d/--duration, --max-frames,
 * --format and --device, as getopt letters 'F', 'd', 'm', 'f' and 'D'.
 * Returns 1 when @opt was one of them and @arg valid, 0 when @opt is not
 * one of them, and -1 for an invalid value (its option name in *@name).
 */
int session_parse_opt(int opt, const char *arg, struct session_opts *o,
		      const char **name);

/*
 * Refuses, before any sampling, an output path the profile could never
 * be written to (output_check()): reports it and returns an exit code,
 * or -1 when @path will do.
 */
int session_check_output(const char *path);

/*
 * Runs a whole session: on success stores it in *out (to write and free)
 * and returns -1; otherwise reports the error and returns an exit code.
 */
int session_run(const struct session_opts *o, struct session **out);

/*
 * Writes the session's profile to @path (atomically), only @pid's samples
 * if @pid is not 0, with the losses only in the unfiltered profile.
 * Returns an exit code.
 */
int session_write(const struct session *s, const char *path, int pid);

/* Calls @fn for each process seen, for per-process output. */
int session_for_each_pid(const struct session *s,
			 int (*fn)(int pid, const char *comm, void *ctx),
			 void *ctx);

/* Accepts NULL. */
void session_free(struct session *s);

#endif /* PROFCTL_CLI_SESSION_H */
