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

/* The device's file descriptor, for poll() and mmap(); owned by @dev. */
int kdev__fd(const struct kdev *dev);

/* The session ioctls: 0 or -errno (the kernel's, see ksampler_uapi.h). */
int kdev__configure(struct kdev *dev, const struct ksampler_config *cfg);
int kdev__add_target(struct kdev *dev, int pid, unsigned int flags);
int kdev__del_target(struct kdev *dev, int pid, unsigned int flags);
int kdev__start(struct kdev *dev);
int kdev__stop(struct kdev *dev);

/* Counters of @cpu, or of all CPUs with KSAMPLER_STATS_ALL_CPUS. */
int kdev__stats(struct kdev *dev, unsigned int cpu, struct ksampler_stats *out);

/*
 * Returns 0 when a module reporting @v can serve this profctl, else
 * -PROFCTL_ERR_ABI_MISMATCH. Minors may differ both ways: fields one side
 * lacks read as zero.
 */
int kdev_abi_check(const struct ksampler_version *v);

#endif /* PROFCTL_KDEV_H */
