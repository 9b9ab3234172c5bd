// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_version.c - "profctl version": this program's version and, when the
 * module is loaded, the module's, with a clear verdict on ABI mismatch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "../errors.h"
#include "../kdev.h"
#include "cli.h"

static void version_usage(FILE *out)
{
	fprintf(out,
		"usage: profctl version [--device PATH]\n"
		"\n"
		"Prints profctl's version and ABI, and those of the loaded\n"
		"ksampler module. Fails (exit 1) when the two ABIs cannot work\n"
		"together or the device cannot be opened; a module that is not\n"
		"loaded is reported but is not an error.\n"
		"\n"
		"  --device PATH  device node to ask (default %s)\n"
		"  -h, --help     this text\n", KSAMPLER_DEVICE_PATH);
}

/*
 * Explains why the device could not be opened. For "version" a module
 * that is not loaded is news, not a failure.
 */
static int report_open_error(const char *path, int err)
{
	if (err != ENOENT)
		return cli_device_error(path, err);
	printf("module   not loaded (no %s): run `sudo modprobe ksampler`\n", path);
	return PROFCTL_EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	static const struct option options[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = KSAMPLER_DEVICE_PATH;
	struct ksampler_version v;
	struct kdev *dev;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'h':
			version_usage(stdout);
			return PROFCTL_EXIT_OK;
		default:
			version_usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl version: unexpected argument '%s'\n",
			argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}

	printf("profctl  %s (ABI %d.%d, git %s)\n", profctl_version,
	       KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR, profctl_git_rev);

	dev = kdev__open(path);
	if (!dev)
		return report_open_error(path, errno);
	err = kdev__version(dev, &v);
	kdev__close(dev);
	if (err) {
		fprintf(stderr, "profctl: %s: %s\n", path, profctl_strerror(err));
		return PROFCTL_EXIT_FAILURE;
	}

	printf("module   %s (ABI %u.%u) at %s, %u CPUs, page size %u\n",
	       (const char *)v.module_version, v.abi_major, v.abi_minor, path,
	       v.nr_cpu_ids, v.page_size);
	if (kdev_abi_check(&v)) {
		fprintf(stderr,
			"profctl: the loaded module speaks ABI %u.x but this profctl speaks %d.x: install matching versions of ksampler-dkms and profctl\n",
			v.abi_major, KSAMPLER_ABI_MAJOR);
		return PROFCTL_EXIT_FAILURE;
	}
	return PROFCTL_EXIT_OK;
}
