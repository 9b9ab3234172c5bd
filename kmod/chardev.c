// SPDX-License-Identifier: GPL-2.0-only
/*
 * chardev.c - /dev/ksampler: the misc device, one session per open file,
 * ioctl dispatch with the size negotiation every ioctl struct goes through
 * (see ksampler_uapi.h), and the file operations that reach the rings.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
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

/*
 * Reads an input struct: the caller's @usize bytes into the module's
 * @ksize, requiring anything the module does not know to be zero.
 */
static int ks_copy_struct_from_user(void *kbuf, u32 ksize,
				    const void __user *uarg, u32 min_size)
{
	u32 usize;
	int err;

	err = ks_uarg_size(uarg, min_size, &usize);
	if (err)
		return err;
	return copy_struct_from_user(kbuf, ksize, uarg, usize);
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
	v.features = KSAMPLER_FEAT_SAMPLING | KSAMPLER_FEAT_EXEC_GEN |
		     KSAMPLER_FEAT_LIVE_STATS | KSAMPLER_FEAT_CPU_STATUS |
		     KSAMPLER_FEAT_STACK_SWITCH | KSAMPLER_FEAT_PROC_START;
	/* "0.1.0+<git revision>": which build is loaded, from profctl */
	snprintf((char *)v.module_version, sizeof(v.module_version), "%s+%s",
		 KSAMPLER_VERSION, KSAMPLER_GIT_REV);

	return ks_copy_struct_to_user(uarg, usize, &v, sizeof(v));
}

/*
 * The session lock, taken only around the session operation itself: every
 * ioctl copies its argument in before and its result out after, because a
 * user copy can fault, the fault takes mmap_lock, and ks_mmap() takes the
 * session lock under mmap_lock (ksampler.h gives the order).
 */
static int ks_session_lock(struct ks_session *sess)
{
	return mutex_lock_interruptible(&sess->lock) ? -EINTR : 0;
}

static long ks_ioctl_configure(struct ks_session *sess, void __user *uarg)
{
	struct ksampler_config cfg;
	int err;

	BUILD_BUG_ON(sizeof(cfg) != KSAMPLER_CONFIG_SIZE_VER0);
	err = ks_copy_struct_from_user(&cfg, sizeof(cfg), uarg,
				       KSAMPLER_CONFIG_SIZE_VER0);
	if (!err)
		err = ks_session_lock(sess);
	if (err)
		return err;
	err = ks_session_configure(sess, &cfg);
	mutex_unlock(&sess->lock);
	return err;
}

static long ks_ioctl_target(struct ks_session *sess, void __user *uarg,
			    bool add)
{
	struct ksampler_target t;
	int err;

	BUILD_BUG_ON(sizeof(t) != KSAMPLER_TARGET_SIZE_VER0);
	err = ks_copy_struct_from_user(&t, sizeof(t), uarg,
				       KSAMPLER_TARGET_SIZE_VER0);
	if (!err)
		err = ks_session_lock(sess);
	if (err)
		return err;
	err = add ? ks_targets_add(sess, &t) : ks_targets_del(sess, &t);
	mutex_unlock(&sess->lock);
	return err;
}

static long ks_ioctl_get_stats(struct ks_session *sess, void __user *uarg)
{
	struct ksampler_stats st;
	u32 usize;
	int err;

	BUILD_BUG_ON(sizeof(st) != KSAMPLER_STATS_SIZE_VER4);
	err = ks_uarg_size(uarg, KSAMPLER_STATS_SIZE_VER0, &usize);
	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	if (get_user(st.cpu, (const u32 __user *)(uarg + sizeof(st.size))))
		return -EFAULT;
	if (st.cpu != KSAMPLER_STATS_ALL_CPUS &&
	    (st.cpu >= nr_cpu_ids || !cpu_possible(st.cpu)))
		return -EINVAL;
	err = ks_session_lock(sess);
	if (err)
		return err;
	ks_session_stats(sess, st.cpu, &st);
	mutex_unlock(&sess->lock);
	st.size = min_t(u32, usize, sizeof(st));
	return ks_copy_struct_to_user(uarg, usize, &st, sizeof(st));
}

static long ks_ioctl_run(struct ks_session *sess, bool start)
{
	int err = ks_session_lock(sess);

	if (err)
		return err;
	err = start ? ks_session_start(sess) : ks_session_stop(sess);
	mutex_unlock(&sess->lock);
	return err;
}

/*
 * Commands are matched without their size bits: those encode the caller's
 * compile-time struct size, which is allowed to grow (ksampler_uapi.h).
 */
#define KS_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long ks_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ks_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (KS_IOC_BASE(cmd)) {
	case KS_IOC_BASE(KSAMPLER_IOC_GET_VERSION):
		return ks_ioctl_get_version(uarg);
	case KS_IOC_BASE(KSAMPLER_IOC_CONFIGURE):
		return ks_ioctl_configure(sess, uarg);
	case KS_IOC_BASE(KSAMPLER_IOC_ADD_TARGET):
		return ks_ioctl_target(sess, uarg, true);
	case KS_IOC_BASE(KSAMPLER_IOC_DEL_TARGET):
		return ks_ioctl_target(sess, uarg, false);
	case KSAMPLER_IOC_START:
		return ks_ioctl_run(sess, true);
	case KSAMPLER_IOC_STOP:
		return ks_ioctl_run(sess, false);
	case KS_IOC_BASE(KSAMPLER_IOC_GET_STATS):
		return ks_ioctl_get_stats(sess, uarg);
	default:
		return -ENOTTY;
	}
}

static int ks_open(struct inode *inode, struct file *file)
{
	struct ks_session *sess;

	sess = ks_session_new(file);
	if (IS_ERR(sess))
		return PTR_ERR(sess);
	file->private_data = sess;
	return nonseekable_open(inode, file);
}

static int ks_release(struct inode *inode, struct file *file)
{
	ks_session_free(file->private_data);
	return 0;
}

static void ks_vm_open(struct vm_area_struct *vma)
{
	struct ks_session *sess = vma->vm_file->private_data;

	atomic_inc(&sess->mmaps);
}

static void ks_vm_close(struct vm_area_struct *vma)
{
	struct ks_session *sess = vma->vm_file->private_data;

	atomic_dec(&sess->mmaps);
}

static const struct vm_operations_struct ks_vm_ops = {
	.open	= ks_vm_open,
	.close	= ks_vm_close,
};

/* Page offsets select a CPU's control page or data pages (uapi header). */
static int ks_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ks_session *sess = file->private_data;
	bool ctrl = !(vma->vm_pgoff & 1);
	struct ks_ring *ring;
	int err;

	mutex_lock(&sess->lock);
	ring = ks_session_ring(sess, vma->vm_pgoff >> 1);
	err = ring ? ks_ring_mmap(ring, vma, ctrl) : -EINVAL;
	if (!err) {
		vma->vm_ops = &ks_vm_ops;
		ks_vm_open(vma);
	}
	mutex_unlock(&sess->lock);
	return err;
}

/*
 * The lock keeps the rings from being replaced under the check; it is never
 * held across a user copy or a sleep of unbounded length, so waiting for
 * it is short. (Returning "not ready" when it was busy, as this once did,
 * could leave a poller with no timeout asleep beside a full ring: the
 * wake-up it needed had already fired.)
 */
static __poll_t ks_poll(struct file *file, struct poll_table_struct *pt)
{
	struct ks_session *sess = file->private_data;
	struct ks_ring *ring;
	__poll_t mask = 0;
	int cpu;

	poll_wait(file, &sess->wait, pt);
	mutex_lock(&sess->lock);
	for_each_possible_cpu(cpu) {
		ring = ks_session_ring(sess, cpu);
		if (ring && ks_ring_readable(ring)) {
			mask = EPOLLIN | EPOLLRDNORM;
			break;
		}
	}
	mutex_unlock(&sess->lock);
	return mask;
}

/*
 * The read() fallback for simple clients: whole records from every CPU's
 * ring in turn, never blocking (poll() says when there is data). The
 * buffer must hold the session's largest record.
 *
 * The copies can fault, so they run without the session lock: under
 * read_lock (one reader at a time), with ->readers keeping CONFIGURE from
 * replacing the rings meanwhile.
 */
static ssize_t ks_read(struct file *file, char __user *buf, size_t len,
		       loff_t *ppos)
{
	struct ks_session *sess = file->private_data;
	ssize_t done = 0, n;
	int cpu;

	if (mutex_lock_interruptible(&sess->read_lock))
		return -EINTR;
	if (ks_session_lock(sess)) {
		mutex_unlock(&sess->read_lock);
		return -EINTR;
	}
	if (sess->state == KS_SESSION_NEW ||
	    len < ks_sample_max_size(&sess->cfg)) {
		mutex_unlock(&sess->lock);
		mutex_unlock(&sess->read_lock);
		return -EINVAL;
	}
	atomic_inc(&sess->readers);
	mutex_unlock(&sess->lock);

	for_each_possible_cpu(cpu) {
		n = ks_ring_read(&sess->cpus[cpu].ring, buf + done, len - done);
		if (n < 0) {
			done = done ? done : n;
			break;
		}
		done += n;
	}

	atomic_dec(&sess->readers);
	mutex_unlock(&sess->read_lock);
	return done ? done : -EAGAIN;
}

static const struct file_operations ks_fops = {
	.owner		= THIS_MODULE,
	.open		= ks_open,
	.release	= ks_release,
	.unlocked_ioctl	= ks_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= ks_mmap,
	.poll		= ks_poll,
	.read		= ks_read,
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
