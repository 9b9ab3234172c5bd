/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference ksampler depends on.
 *
 * .c files never test LINUX_VERSION_CODE or kernel-feature macros; they call
 * the ks_ wrappers below, each named after the current upstream API, with a
 * note of the release that changed it. Debian backports make version
 * numbers lie, so a feature test is used wherever one exists.
 */
#ifndef _KSAMPLER_COMPAT_H
#define _KSAMPLER_COMPAT_H

#include <linux/version.h>

/*
 * LINUX_VERSION_CODE clamps the sublevel at 255 (Debian's 6.1 is past .190),
 * so version tests compare major.minor only.
 */
#define KS_KERNEL_AT_LEAST(major, minor) \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(major, minor, 0))

#if !KS_KERNEL_AT_LEAST(6, 1)
#error "ksampler supports Linux 6.1 and later"
#endif /* !KS_KERNEL_AT_LEAST(6, 1) */

#endif /* _KSAMPLER_COMPAT_H */
