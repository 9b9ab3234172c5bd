// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - profctl's entry point: picks the subcommand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../errors.h"
#include "cli.h"

#ifndef PROFCTL_VERSION
#define PROFCTL_VERSION "unknown"
#endif
#ifndef PROFCTL_GIT_REV
#define PROFCTL_GIT_REV "unknown"
#endif

const char profctl_version[] = PROFCTL_VERSION;
const char profctl_git_rev[] = PROFCTL_GIT_REV;

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "start", cmd_start, "profile a running process (--pid) into a pprof file" },
	{ "record", cmd_record, "profile every process (-a), one file or one per process" },
	{ "symbolize", cmd_symbolize, "addresses of a binary to function and file:line (addr2line)" },
	{ "version", cmd_version, "print profctl's and the module's versions" },
};

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: profctl COMMAND [OPTIONS]\n"
		"       profctl COMMAND --help\n"
		"\n"
		"Samples user stacks of running processes through the ksampler\n"
		"kernel module and writes pprof profiles.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 runtime failure, 2 usage error.\n");
}

int cli_device_error(const char *path, int err)
{
	if (err == ENOENT)
		fprintf(stderr, "profctl: ksampler module not loaded (no %s): run `sudo modprobe ksampler`\n",
			path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "profctl: %s: permission denied: need root, or membership in the group the udev rule grants\n",
			path);
	else if (err == EBUSY)
		fprintf(stderr, "profctl: %s: too many sessions open (module parameters max_sessions and max_user_sessions; CAP_PERFMON is exempt): close one, or ask an admin\n",
			path);
	else
		fprintf(stderr, "profctl: %s: %s\n", path, profctl_strerror(err));
	return PROFCTL_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	const char *name;
	size_t i;

	if (argc < 2) {
		print_usage(stderr);
		return PROFCTL_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		print_usage(stdout);
		return PROFCTL_EXIT_OK;
	}
	if (!strcmp(name, "--version"))
		name = "version";

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(name, subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);

	fprintf(stderr, "profctl: unknown command '%s'\n"
		"Run 'profctl --help' for the list of commands.\n", name);
	return PROFCTL_EXIT_USAGE;
}
