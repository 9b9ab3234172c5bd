/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - what profctl's subcommands share: exit codes and the program's
 * identity. Only cli/ prints or exits; everything below returns errors.
 */
#ifndef PROFCTL_CLI_H
#define PROFCTL_CLI_H

/* Exit codes, documented in "profctl --help" and the man page. */
enum {
	PROFCTL_EXIT_OK = 0,
	PROFCTL_EXIT_FAILURE = 1,	/* runtime failure */
	PROFCTL_EXIT_USAGE = 2,		/* bad command line */
};

extern const char profctl_version[];
extern const char profctl_git_rev[];

/*
 * Reports that the device at @path could not be opened (@err is errno),
 * and what to do about it. Returns PROFCTL_EXIT_FAILURE.
 */
int cli_device_error(const char *path, int err);

int cmd_version(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);

#endif /* PROFCTL_CLI_H */
