// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_record.c - "profctl record -a": a system-wide session (every user
 * task), written as one profile with pid and comm labels on every sample,
 * and optionally one profile per process.
 */
#include <stdio.h>

#include <ksampler_uapi.h>

#include "cli.h"
#include "session.h"

static void record_usage(FILE *out)
{
	fprintf(out,
		"usage: profctl record -a [--freq HZ] [--duration DUR] [-o FILE]\n"
		"                      [--per-process DIR] [--max-frames N]\n"
		"                      [--format pprof|collapsed]\n"
		"\n"
		"Samples every user task on the machine (kernel threads are skipped)\n"
		"until DUR has passed or SIGINT/SIGTERM arrives; writes one profile\n"
		"with pid and comm labels on every sample. Needs root or CAP_PERFMON.\n"
		"\n"
		"  -a, --all-cpus       every process (required)\n"
		"  -F, --freq HZ        samples per second per CPU (default 99)\n"
		"  -d, --duration DUR   500ms, 30s, 2m, or seconds (default: until ^C)\n"
		"  -o, --output FILE    the combined profile (default profile.pb.gz; - for stdout)\n"
		"      --per-process DIR  also one file per process, DIR/COMM-PID.pb.gz\n"
		"      --max-frames N   deepest stack recorded, 1..%d (default %d)\n"
		"      --format FMT     pprof (gzipped, default) or collapsed\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 profile written, 1 runtime failure, 2 usage error.\n",
		KSAMPLER_MAX_FRAMES, KSAMPLER_DEFAULT_MAX_FRAMES);
}

int cmd_record(int argc, char **argv)
{
	struct session_opts o;
	int ret = session_parse(argc, argv, SESSION_RECORD, record_usage, &o);

	return ret >= 0 ? ret : session_run(&o);
}
