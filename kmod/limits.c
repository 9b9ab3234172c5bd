// SPDX-License-Identifier: GPL-2.0-only
/*
 * limits.c - what users without CAP_PERFMON may hold: sessions, in all
 * (max_sessions) and each (max_user_sessions), and ring memory each
 * (max_user_ring_mb). Without these one member of the device's group
 * could pin gigabytes of ring memory, or take every session slot and lock
 * root's profiler out. Sessions with CAP_PERFMON or CAP_SYS_ADMIN are not
 * counted: they may already profile the whole machine.
 *
 * Ring memory is also charged to the opener's memory cgroup (ring.c);
 * this limit is per user, across cgroups, as perf_event_mlock_kb is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include "compat.h"
#include "ksampler.h"

/* One per user with a session open; a handful at most, so a list. */
struct ks_user {
	struct list_head node;
	kuid_t uid;
	unsigned int sessions;
	u64 ring_bytes;
};

static LIST_HEAD(ks_users);
static DEFINE_MUTEX(ks_users_lock);
static unsigned int ks_nr_limited;	/* sessions of all ks_users */

/*
 * Counts a session for @cred's real uid (the one ptrace's rule and
 * resource limits go by).
 * Return: the user, or ERR_PTR(-EBUSY) when a limit is reached.
 */
struct ks_user *ks_user_get(const struct cred *cred)
{
	struct ks_user *user;

	mutex_lock(&ks_users_lock);
	if (ks_nr_limited >= ks_max_sessions) {
		user = ERR_PTR(-EBUSY);
		goto out;
	}
	list_for_each_entry(user, &ks_users, node) {
		if (!uid_eq(user->uid, cred->uid))
			continue;
		if (user->sessions >= ks_max_user_sessions) {
			user = ERR_PTR(-EBUSY);
			goto out;
		}
		goto found;
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user) {
		user = ERR_PTR(-ENOMEM);
		goto out;
	}
	user->uid = cred->uid;
	list_add(&user->node, &ks_users);
found:
	user->sessions++;
	ks_nr_limited++;
out:
	mutex_unlock(&ks_users_lock);
	return user;
}

void ks_user_put(struct ks_user *user)
{
	mutex_lock(&ks_users_lock);
	ks_nr_limited--;
	if (!--user->sessions) {
		list_del(&user->node);
		kfree(user);
	}
	mutex_unlock(&ks_users_lock);
}

/* Return: 0, or -ENOMEM when @bytes more would pass max_user_ring_mb. */
int ks_user_charge(struct ks_user *user, u64 bytes)
{
	u64 limit = (u64)ks_max_user_ring_mb << 20;
	int err = 0;

	mutex_lock(&ks_users_lock);
	if (bytes > limit || user->ring_bytes > limit - bytes)
		err = -ENOMEM;
	else
		user->ring_bytes += bytes;
	mutex_unlock(&ks_users_lock);
	return err;
}

void ks_user_uncharge(struct ks_user *user, u64 bytes)
{
	mutex_lock(&ks_users_lock);
	user->ring_bytes -= bytes;
	mutex_unlock(&ks_users_lock);
}
