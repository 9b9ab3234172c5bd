/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session.h - one profiling session from the command line, shared by
 * "profctl start" (one process) and "profctl record -a" (every process):
 * parse the options (one table for both), open and arm the device, drain
 * until done, stop, summarise, write.
 *
 * A session may run for weeks over every process of a host: what it
 * holds beyond the profile itself is bounded. The rings are drained into
 * a queue and nothing else (session_loop.c); files are read later, under
 * a time budget; a process that exits is rendered into the profile and
 * forgotten.
 */
#ifndef PROFCTL_CLI_SESSION_H
#define PROFCTL_CLI_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct session_opts {
	int pid;			/* the target; 0: every user task */
	bool all;			/* -a */
	bool children;
	uint64_t freq;
	uint64_t duration_ns;		/* 0: until a signal (or target exit) */
	unsigned int max_frames;	/* 0: the module's default */
	const char *format;		/* "pprof" or "collapsed" */
	const char *device;
	const char *output;		/* the profile; "-" for stdout */
	const char *per_process;	/* a directory for one file each, or NULL */
};

/* Which command is parsing: the options each takes. */
enum session_cmd {
	SESSION_START,			/* --pid [--children] */
	SESSION_RECORD,			/* -a [--per-process DIR] */
};

/*
 * Parses @argv with the one option table of both commands into @o;
 * @usage prints the command's help. Returns -1 on success, else an exit
 * code (having said what is wrong).
 */
int session_parse(int argc, char **argv, enum session_cmd cmd,
		  void (*usage)(FILE *out), struct session_opts *o);

/*
 * Runs the whole session: checks the outputs, samples, writes the
 * profile (and the per-process ones). Returns an exit code.
 */
int session_run(const struct session_opts *o);

#endif /* PROFCTL_CLI_SESSION_H */
