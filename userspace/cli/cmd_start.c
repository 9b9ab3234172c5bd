// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_start.c - "profctl start --pid PID": a foreground session on one
 * process (and optionally its children) that ends after --duration, on
 * SIGINT/SIGTERM, or when the process exits, and writes its profile.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksampler_uapi.h>

#include "cli.h"
#include "session.h"

struct start_opts {
	struct session_opts session;
	const char *output;
};

static void start_usage(FILE *out)
{
	fprintf(out,
		"usage: profctl start --pid PID [--freq HZ] [--duration DUR] [-o FILE]\n"
		"                     [--max-frames N] [--children] [--format pprof|collapsed]\n"
		"\n"
		"Samples the user stacks of process PID (all its threads, new ones\n"
		"included) until DUR has passed, SIGINT or SIGTERM arrives, or the\n"
		"process exits; then writes the profile and a summary.\n"
		"\n"
		"  -p, --pid PID        process to profile (any of its thread ids)\n"
		"  -F, --freq HZ        samples per second per CPU (default 99)\n"
		"  -d, --duration DUR   500ms, 30s, 2m, or seconds (default: until ^C)\n"
		"  -o, --output FILE    where to write (default profile.pb.gz; - for stdout)\n"
		"      --max-frames N   deepest stack recorded, 1..%d (default %d)\n"
		"      --children       also profile PID's descendants\n"
		"      --format FMT     pprof (gzipped, default) or collapsed (folded\n"
		"                       stacks, one line per distinct stack)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 profile written, 1 runtime failure, 2 usage error.\n",
		KSAMPLER_MAX_FRAMES, KSAMPLER_DEFAULT_MAX_FRAMES);
}

/* Parses the command line into @o. Returns -1 on success, else an exit code. */
static int start_parse(int argc, char **argv, struct start_opts *o)
{
	static const struct option options[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "freq", required_argument, NULL, 'F' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-frames", required_argument, NULL, 'm' },
		{ "children", no_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bad = "";
	char *end;
	int opt;

	*o = (struct start_opts){ .session = { .freq = 99, .format = "pprof",
					       .device = KSAMPLER_DEVICE_PATH },
				  .output = "profile.pb.gz" };
	while ((opt = getopt_long(argc, argv, "p:F:d:o:h", options, NULL)) != -1) {
		switch (session_parse_opt(opt, optarg, &o->session, &bad)) {
		case 1:
			continue;
		case -1:
			goto bad_value;
		}
		switch (opt) {
		case 'p':
			bad = "pid";
			o->session.pid = (int)strtol(optarg, &end, 10);
			if (*end || o->session.pid <= 0)
				goto bad_value;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->session.children = true;
			break;
		case 'h':
			start_usage(stdout);
			return PROFCTL_EXIT_OK;
		default:
			start_usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl start: unexpected argument '%s'\n", argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}
	if (!o->session.pid) {
		fprintf(stderr, "profctl start: --pid is required\n"
			"Run 'profctl start --help' for usage.\n");
		return PROFCTL_EXIT_USAGE;
	}
	return -1;
bad_value:
	fprintf(stderr, "profctl start: invalid value '%s' for --%s\n"
		"Run 'profctl start --help' for usage.\n", optarg, bad);
	return PROFCTL_EXIT_USAGE;
}

int cmd_start(int argc, char **argv)
{
	struct session *s = NULL;
	struct start_opts o;
	int ret;

	ret = start_parse(argc, argv, &o);
	if (ret < 0)
		ret = session_check_output(o.output);
	if (ret >= 0)
		return ret;
	ret = session_run(&o.session, &s);
	if (ret >= 0)
		return ret;
	ret = session_write(s, o.output, 0);
	session_free(s);
	return ret;
}
