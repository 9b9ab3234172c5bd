// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - module entry and exit, and the identity userspace sees in modinfo.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/stringify.h>

#include <ksampler_uapi.h>

#include "compat.h"
#include "ksampler.h"

static int __init ks_init(void)
{
	int err;

	err = ks_chardev_register();
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", KSAMPLER_DEVICE_NAME, err);
		return err;
	}
	pr_info("version %s loaded (ABI %d.%d)\n", KSAMPLER_VERSION,
		KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR);
	return 0;
}

static void __exit ks_exit(void)
{
	ks_chardev_unregister();
}

module_init(ks_init);
module_exit(ks_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ksampler authors");
MODULE_DESCRIPTION("In-kernel sampler of user stacks for profiling");
MODULE_VERSION(KSAMPLER_VERSION);
MODULE_INFO(abi, __stringify(KSAMPLER_ABI_MAJOR) "." __stringify(KSAMPLER_ABI_MINOR));
