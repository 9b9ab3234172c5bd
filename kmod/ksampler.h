/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ksampler.h - declarations shared between the module's files. Included by
 * kmod/ only; the ABI seen by userspace is include/ksampler_uapi.h.
 */
#ifndef _KSAMPLER_H
#define _KSAMPLER_H

#include <linux/types.h>

/**
 * ks_chardev_register() - create /dev/ksampler
 *
 * Return: 0 or a negative errno from misc_register().
 */
int ks_chardev_register(void);

/**
 * ks_chardev_unregister() - remove /dev/ksampler
 *
 * Safe only once no file is open, which the module refcount held by every
 * open file guarantees at module exit.
 */
void ks_chardev_unregister(void);

#endif /* _KSAMPLER_H */
