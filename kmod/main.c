// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - module entry and exit, parameters, and the identity userspace
 * sees in modinfo.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/stringify.h>

#include <ksampler_uapi.h>

#include "compat.h"
#include "ksampler.h"
#include "unwind_core.h"

/* Read-only after load (0444): sessions never see them change. */
/* Users with CAP_PERFMON or CAP_SYS_ADMIN are held to none of these three. */
unsigned int ks_max_sessions = 16;
module_param_named(max_sessions, ks_max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions, "Sessions (open files) of users without CAP_PERFMON allowed at once, all users together (default 16)");

unsigned int ks_max_user_sessions = 4;
module_param_named(max_user_sessions, ks_max_user_sessions, uint, 0444);
MODULE_PARM_DESC(max_user_sessions, "Sessions one user without CAP_PERFMON may have open at once (default 4)");

unsigned int ks_max_user_ring_mb = 256;
module_param_named(max_user_ring_mb, ks_max_user_ring_mb, uint, 0444);
MODULE_PARM_DESC(max_user_ring_mb, "Ring memory in MiB one user without CAP_PERFMON may hold, all CPUs and sessions together (default 256)");

unsigned int ks_default_ring_pages = 64;
module_param_named(ring_pages, ks_default_ring_pages, uint, 0444);
MODULE_PARM_DESC(ring_pages, "Data pages per CPU ring when a session does not say (default 64, a power of two)");

unsigned int ks_max_ring_pages = 4096;
module_param_named(max_ring_pages, ks_max_ring_pages, uint, 0444);
MODULE_PARM_DESC(max_ring_pages, "Largest ring a session may ask for, in pages per CPU (default 4096)");

/*
 * Kernel counters skip the perf_event_max_sample_rate check that
 * perf_event_open() makes (and the sysctl is not exported), so the module
 * caps frequencies itself; perf's throttling still applies underneath.
 */
unsigned int ks_max_frequency = 100000;
module_param_named(max_frequency, ks_max_frequency, uint, 0444);
MODULE_PARM_DESC(max_frequency, "Highest sampling frequency in Hz (default 100000, perf's default limit)");

/* For measuring windowed against per-frame stack reads (benchmarks). */
unsigned int ks_unwind_window_bytes = KS_UNWIND_WINDOW;
module_param_named(unwind_window, ks_unwind_window_bytes, uint, 0444);
MODULE_PARM_DESC(unwind_window, "Bytes of user stack read at a time while unwinding, 16..256 (default 256; 16 reads frame by frame)");

static int __init ks_init(void)
{
	int err;

	if (ks_unwind_window_bytes < 16 || ks_unwind_window_bytes > KS_UNWIND_WINDOW ||
	    ks_unwind_window_bytes % 8) {
		pr_err("unwind_window must be a multiple of 8 from 16 to %d\n",
		       KS_UNWIND_WINDOW);
		return -EINVAL;
	}

	if (!ks_max_frequency) {
		pr_err("max_frequency must be at least 1\n");
		return -EINVAL;
	}
	if (!ks_default_ring_pages ||
	    (ks_default_ring_pages & (ks_default_ring_pages - 1)) ||
	    ks_default_ring_pages > ks_max_ring_pages) {
		pr_err("ring_pages must be a power of two no larger than max_ring_pages\n");
		return -EINVAL;
	}
	err = ks_hp_register();
	if (err) {
		pr_err("cannot register the CPU hotplug state: %d\n", err);
		return err;
	}
	err = ks_chardev_register();
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", KSAMPLER_DEVICE_NAME, err);
		goto err_hp;
	}
	pr_info("version %s (git %s) loaded (ABI %d.%d)\n", KSAMPLER_VERSION,
		KSAMPLER_GIT_REV, KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR);
	return 0;

err_hp:
	ks_hp_unregister();
	return err;
}

static void __exit ks_exit(void)
{
	ks_chardev_unregister();
	ks_hp_unregister();
}

module_init(ks_init);
module_exit(ks_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ksampler authors");
MODULE_DESCRIPTION("In-kernel sampler of user stacks for profiling");
MODULE_VERSION(KSAMPLER_VERSION);
MODULE_INFO(abi, __stringify(KSAMPLER_ABI_MAJOR) "." __stringify(KSAMPLER_ABI_MINOR));
MODULE_INFO(git_revision, KSAMPLER_GIT_REV);
