// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "errors.h"
#include "kdev.h"

_Static_assert(sizeof(struct ksampler_version) == KSAMPLER_VERSION_SIZE_VER0,
	       "ksampler_version layout drifted from ABI 1.0");
_Static_assert(sizeof(struct ksampler_config) == KSAMPLER_CONFIG_SIZE_VER0,
	       "ksampler_config layout drifted from ABI 1.1");
_Static_assert(sizeof(struct ksampler_target) == KSAMPLER_TARGET_SIZE_VER0,
	       "ksampler_target layout drifted from ABI 1.1");
_Static_assert(sizeof(struct ksampler_stats) == KSAMPLER_STATS_SIZE_VER4,
	       "ksampler_stats layout drifted from ABI 1.5");

struct kdev {
	int fd;
};

struct kdev *kdev__open(const char *path)
{
	struct kdev *dev;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	dev->fd = fd;
	return dev;
}

void kdev__close(struct kdev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int kdev__version(struct kdev *dev, struct ksampler_version *out)
{
	struct ksampler_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	if (ioctl(dev->fd, KSAMPLER_IOC_GET_VERSION, &v) < 0)
		return errno == ENOTTY ? -PROFCTL_ERR_NOT_KSAMPLER : -errno;
	if (v.size < KSAMPLER_VERSION_SIZE_VER0)
		return -PROFCTL_ERR_NOT_KSAMPLER;
	/* The module writes a NUL-terminated string; never trust that. */
	v.module_version[sizeof(v.module_version) - 1] = '\0';
	*out = v;
	return 0;
}

int kdev_abi_check(const struct ksampler_version *v)
{
	if (v->abi_major != KSAMPLER_ABI_MAJOR)
		return -PROFCTL_ERR_ABI_MISMATCH;
	return 0;
}

int kdev__fd(const struct kdev *dev)
{
	return dev->fd;
}

static int kdev_ioctl(struct kdev *dev, unsigned long cmd, void *arg)
{
	return ioctl(dev->fd, cmd, arg) < 0 ? -errno : 0;
}

int kdev__configure(struct kdev *dev, const struct ksampler_config *cfg)
{
	struct ksampler_config c = *cfg;

	c.size = sizeof(c);
	return kdev_ioctl(dev, KSAMPLER_IOC_CONFIGURE, &c);
}

static int kdev_target(struct kdev *dev, unsigned long cmd, int pid,
		       unsigned int flags)
{
	struct ksampler_target t;

	memset(&t, 0, sizeof(t));
	t.size = sizeof(t);
	t.flags = flags;
	t.pid = pid;
	return kdev_ioctl(dev, cmd, &t);
}

int kdev__add_target(struct kdev *dev, int pid, unsigned int flags)
{
	return kdev_target(dev, KSAMPLER_IOC_ADD_TARGET, pid, flags);
}

int kdev__del_target(struct kdev *dev, int pid, unsigned int flags)
{
	return kdev_target(dev, KSAMPLER_IOC_DEL_TARGET, pid, flags);
}

int kdev__start(struct kdev *dev)
{
	return kdev_ioctl(dev, KSAMPLER_IOC_START, NULL);
}

int kdev__stop(struct kdev *dev)
{
	return kdev_ioctl(dev, KSAMPLER_IOC_STOP, NULL);
}

int kdev__stats(struct kdev *dev, unsigned int cpu, struct ksampler_stats *out)
{
	struct ksampler_stats st;
	int err;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu = cpu;
	err = kdev_ioctl(dev, KSAMPLER_IOC_GET_STATS, &st);
	if (!err)
		*out = st;
	return err;
}
