// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_start.c - "profctl start --pid PID": a foreground session on one
 * process (and optionally its children) that ends after --duration, on
 * SIGINT/SIGTERM, or when the process exits, and writes its profile.
 */
#include <stdio.h>

#include <ksampler_uapi.h>

#include "cli.h"
#include "session.h"

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

int cmd_start(int argc, char **argv)
{
	struct session_opts o;
	int ret = session_parse(argc, argv, SESSION_START, start_usage, &o);

	return ret >= 0 ? ret : session_run(&o);
}
