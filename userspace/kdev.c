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
