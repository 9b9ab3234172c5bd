// SPDX-License-Identifier: GPL-2.0-only
/*
 * chardev.c - /dev/ksampler: the misc device, ioctl dispatch and the
 * size negotiation every ioctl struct goes through (see ksampler_uapi.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <ksampler_uapi.h>

#include "compat.h"
#include "ksampler.h"

/*
 * Reads the caller's "size" field, the first member of every ioctl struct,
 * and rejects sizes no published ABI ever had.
 */
static int ks_uarg_size(const void __user *uarg, u32 min_size, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < min_size || size > KSAMPLER_MAX_STRUCT_SIZE)
		return -EINVAL;
	*usize = size;
	return 0;
}

/*
 * Writes an output struct of the module's size @ksize into the caller's
 * struct of @usize bytes. A caller newer than the module gets zeroes in the
 * fields the module does not know, rather than whatever its buffer held.
 */
static int ks_copy_struct_to_user(void __user *uarg, u32 usize,
				  const void *kbuf, u32 ksize)
{
	u32 n = min(usize, ksize);

	if (copy_to_user(uarg, kbuf, n))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

static long ks_ioctl_get_version(void __user *uarg)
{
	struct ksampler_version v;
	u32 usize;
	int err;

	BUILD_BUG_ON(sizeof(v) != KSAMPLER_VERSION_SIZE_VER0);

	err = ks_uarg_size(uarg, KSAMPLER_VERSION_SIZE_VER0, &usize);
	if (err)
		return err;

	memset(&v, 0, sizeof(v));
	v.size = min_t(u32, usize, sizeof(v));
	v.abi_major = KSAMPLER_ABI_MAJOR;
	v.abi_minor = KSAMPLER_ABI_MINOR;
	v.nr_cpu_ids = nr_cpu_ids;
	v.page_size = PAGE_SIZE;
	v.features = 0;
	strscpy(v.module_version, KSAMPLER_VERSION, sizeof(v.module_version));

	return ks_copy_struct_to_user(uarg, usize, &v, sizeof(v));
}

/*
 * Commands are matched without their size bits: those encode the caller's
 * compile-time struct size, which is allowed to grow (ksampler_uapi.h).
 */
#define KS_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long ks_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (KS_IOC_BASE(cmd)) {
	case KS_IOC_BASE(KSAMPLER_IOC_GET_VERSION):
		return ks_ioctl_get_version(uarg);
	default:
		return -ENOTTY;
	}
}

static int ks_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations ks_fops = {
	.owner		= THIS_MODULE,
	.open		= ks_open,
	.unlocked_ioctl	= ks_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ks_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KSAMPLER_DEVICE_NAME,
	.fops	= &ks_fops,
	/* root only until an admin grants a group through udev */
	.mode	= 0600,
};

int ks_chardev_register(void)
{
	return misc_register(&ks_miscdev);
}

void ks_chardev_unregister(void)
{
	misc_deregister(&ks_miscdev);
}
