// SPDX-License-Identifier: GPL-2.0-only
/*
 * session_opts.c - the options of "profctl start" and "profctl record":
 * one table, and the rules for which command takes which.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksampler_uapi.h>

#include "../duration.h"
#include "cli.h"
#include "session.h"

static const struct option session_options[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "all-cpus", no_argument, NULL, 'a' },
	{ "children", no_argument, NULL, 'c' },
	{ "freq", required_argument, NULL, 'F' },
	{ "duration", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "per-process", required_argument, NULL, 'P' },
	{ "max-frames", required_argument, NULL, 'm' },
	{ "format", required_argument, NULL, 'f' },
	{ "device", required_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *session_cmd_name(enum session_cmd cmd)
{
	return cmd == SESSION_START ? "start" : "record";
}

/*
 * Takes option @opt's value into @o: 1 when valid, 0 for an option this
 * command does not take, -1 for a bad value.
 */
static int session_opt(int opt, const char *arg, enum session_cmd cmd,
		       struct session_opts *o)
{
	char *end;

	switch (opt) {
	case 'p':
		o->pid = (int)strtol(arg, &end, 10);
		return cmd != SESSION_START ? 0 : *end || o->pid <= 0 ? -1 : 1;
	case 'a':
		o->all = true;
		return cmd == SESSION_RECORD;
	case 'c':
		o->children = true;
		return cmd == SESSION_START;
	case 'P':
		o->per_process = arg;
		return cmd == SESSION_RECORD;
	case 'F':
		/* strtoull takes "-1" for 2^64 - 1: digits only */
		if (*arg < '0' || *arg > '9')
			return -1;
		o->freq = strtoull(arg, &end, 10);
		return *end || !o->freq ? -1 : 1;
	case 'd':
		return duration_parse(arg, &o->duration_ns) || !o->duration_ns ? -1 : 1;
	case 'm':
		o->max_frames = (unsigned int)strtoul(arg, &end, 10);
		return *end || !o->max_frames || o->max_frames > KSAMPLER_MAX_FRAMES ?
		       -1 : 1;
	case 'f':
		o->format = arg;
		return strcmp(arg, "pprof") && strcmp(arg, "collapsed") ? -1 : 1;
	case 'o':
		o->output = arg;
		return 1;
	case 'D':
		o->device = arg;
		return 1;
	default:
		return 0;
	}
}

/* The long name of option letter @opt. */
static const char *session_opt_name(int opt)
{
	const struct option *op;

	for (op = session_options; op->name; op++)
		if (op->val == opt)
			return op->name;
	return "?";
}

int session_parse(int argc, char **argv, enum session_cmd cmd,
		  void (*usage)(FILE *out), struct session_opts *o)
{
	const char *name = session_cmd_name(cmd);
	int opt;

	*o = (struct session_opts){ .freq = 99, .format = "pprof",
				    .device = KSAMPLER_DEVICE_PATH,
				    .output = "profile.pb.gz" };
	while ((opt = getopt_long(argc, argv, "p:aF:d:o:h", session_options,
				  NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return PROFCTL_EXIT_OK;
		}
		switch (opt == '?' ? 0 : session_opt(opt, optarg, cmd, o)) {
		case 1:
			continue;
		case -1:
			fprintf(stderr, "profctl %s: invalid value '%s' for --%s\n"
				"Run 'profctl %s --help' for usage.\n", name, optarg,
				session_opt_name(opt), name);
			return PROFCTL_EXIT_USAGE;
		default:
			usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl %s: unexpected argument '%s'\n", name,
			argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}
	if (cmd == SESSION_START && !o->pid) {
		fprintf(stderr, "profctl start: --pid is required\n"
			"Run 'profctl start --help' for usage.\n");
		return PROFCTL_EXIT_USAGE;
	}
	if (cmd == SESSION_RECORD && !o->all) {
		fprintf(stderr, "profctl record: -a is required (for one process, use 'profctl start --pid')\n");
		return PROFCTL_EXIT_USAGE;
	}
	return -1;
}
