// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_record.c - "profctl record -a": a system-wide session (every user
 * task), written as one profile with pid and comm labels on every sample,
 * and optionally one profile per process.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ksampler_uapi.h>

#include "../errors.h"
#include "cli.h"
#include "session.h"

struct record_opts {
	struct session_opts session;
	const char *output;
	const char *per_process;	/* directory, or NULL */
};

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

static int record_bad(const char *opt, const char *value)
{
	fprintf(stderr, "profctl record: invalid value '%s' for --%s\n"
		"Run 'profctl record --help' for usage.\n", value, opt);
	return PROFCTL_EXIT_USAGE;
}

/* Parses the command line into @o. Returns -1 on success, else an exit code. */
static int record_parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option options[] = {
		{ "all-cpus", no_argument, NULL, 'a' },
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
	const char *bad = "";
	bool all = false;
	int opt;

	*o = (struct record_opts){ .session = { .freq = 99, .format = "pprof",
						.device = KSAMPLER_DEVICE_PATH },
				   .output = "profile.pb.gz" };
	while ((opt = getopt_long(argc, argv, "aF:d:o:h", options, NULL)) != -1) {
		switch (session_parse_opt(opt, optarg, &o->session, &bad)) {
		case 1:
			continue;
		case -1:
			return record_bad(bad, optarg);
		}
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'P':
			o->per_process = optarg;
			break;
		case 'h':
			record_usage(stdout);
			return PROFCTL_EXIT_OK;
		default:
			record_usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl record: unexpected argument '%s'\n", argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}
	if (!all) {
		fprintf(stderr, "profctl record: -a is required (for one process, use 'profctl start --pid')\n");
		return PROFCTL_EXIT_USAGE;
	}
	return -1;
}

struct per_process {
	const struct session *s;
	const struct record_opts *o;
	int failed;
};

static int record_one(int pid, const char *comm, void *ctx)
{
	struct per_process *pp = ctx;
	const char *ext = strcmp(pp->o->session.format, "collapsed") ? "pb.gz" : "folded";
	char path[4096], name[17];
	size_t i;

	/* a comm may hold anything but NUL: keep file names tame */
	snprintf(name, sizeof(name), "%s", *comm ? comm : "unknown");
	for (i = 0; name[i]; i++)
		if (name[i] == '/' || name[i] == ' ' || name[i] < 0x20)
			name[i] = '_';
	snprintf(path, sizeof(path), "%s/%s-%d.%s", pp->o->per_process, name, pid, ext);
	if (session_write(pp->s, path, pid) != PROFCTL_EXIT_OK)
		pp->failed = 1;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct session *s = NULL;
	struct per_process pp;
	struct record_opts o;
	int ret;

	ret = record_parse(argc, argv, &o);
	if (ret < 0)
		ret = session_check_output(o.output);
	if (ret >= 0)
		return ret;
	if (o.per_process && mkdir(o.per_process, 0755) && errno != EEXIST) {
		fprintf(stderr, "profctl: cannot create %s: %s\n", o.per_process,
			profctl_strerror(errno));
		return PROFCTL_EXIT_FAILURE;
	}
	ret = session_run(&o.session, &s);
	if (ret >= 0)
		return ret;
	ret = session_write(s, o.output, 0);
	if (o.per_process) {
		pp = (struct per_process){ s, &o, 0 };
		session_for_each_pid(s, record_one, &pp);
		if (pp.failed)
			ret = PROFCTL_EXIT_FAILURE;
	}
	session_free(s);
	return ret;
}
