/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kdev.h - the ksampler character device: open it, and learn which module
 * and ABI answer behind it.
 */
#ifndef PROFCTL_KDEV_H
#define PROFCTL_KDEV_H

#include <ksampler_uapi.h>

struct kdev;

/*
 * Opens the device at @path (normally KSAMPLER_DEVICE_PATH). Returns NULL
 * with errno set: ENOENT when the module is not loaded, EACCES when the
 * caller may not use it.
 */
struct kdev *kdev__open(const char *path);

/* Closes the device, ending its session. Accepts NULL. */
void kdev__close(struct kdev *dev);

/*
 * Asks the module who it is. Returns 0, -errno, or -PROFCTL_ERR_NOT_KSAMPLER
 * when the node does not answer like ksampler. Does not judge the ABI: see
 * kdev_abi_check().
 */
int kdev__version(struct kdev *dev, struct ksampler_version *out);

/*
 * Returns 0 when a module reporting @v can serve this profctl, else
 * -PROFCTL_ERR_ABI_MISMATCH. Minors may differ both ways: fields one side
 * lacks read as zero.
 */
int kdev_abi_check(const struct ksampler_version *v);

#endif /* PROFCTL_KDEV_H */
