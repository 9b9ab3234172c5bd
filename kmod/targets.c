// SPDX-License-Identifier: GPL-2.0-only
/*
 * targets.c - which tasks a session samples, who may ask for them, and the
 * test the handler applies to every interrupt.
 *
 * A target is pinned by its thread group's struct pid, never by number, so
 * a pid reused after the target exits is not sampled. The set is an
 * immutable array replaced whole under RCU: the handler (NMI or hard-irq)
 * only reads it, and sessions hold a handful of entries.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "ksampler.h"

#define KS_MAX_TARGETS		64

/* Ancestors examined for KSAMPLER_TARGET_CHILDREN: enough for any sane tree. */
#define KS_MAX_ANCESTRY		32

/*
 * Mirrors __ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS), which perf
 * applies to per-task events but the kernel does not export: same real
 * uid and gid as every id of the target and no capability the caller
 * lacks (commoncap's rule), or CAP_SYS_PTRACE over it; and a target that
 * is not dumpable needs CAP_SYS_PTRACE over its mm. The LSM
 * ptrace hook is not exported either, so LSM policy is not consulted;
 * the device is root-only unless an admin grants a group.
 * Called with task_lock(task) held, as ptrace does.
 */
static bool __ks_may_sample(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	struct mm_struct *mm;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	     uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	     gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid) &&
	     cap_issubset(tcred->cap_permitted, cred->cap_permitted);
	if (!ok)
		ok = ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return false;
	mm = task->mm;
	if (mm && get_dumpable(mm) != SUID_DUMP_USER &&
	    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
		return false;
	return true;
}

static bool ks_may_sample(struct task_struct *task)
{
	bool ok;

	task_lock(task);
	ok = __ks_may_sample(task);
	task_unlock(task);
	return ok;
}

/*
 * A thread of @task's group with a user stack, referenced, or NULL once
 * the whole group has exited. A leader that called pthread_exit() stays a
 * zombie without an mm while its other threads run on: the process is
 * alive, and they are what gets sampled and checked. (io_uring workers
 * share the mm but have no user stack; they are passed over.)
 */
static struct task_struct *ks_live_thread(struct task_struct *task)
{
	struct task_struct *t, *found = NULL;

	rcu_read_lock();
	for_each_thread(task, t) {
		if (ks_task_has_user_stack(t)) {
			found = t;
			get_task_struct(found);
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * Resolves @nr (any thread id, in the caller's pid namespace) to its thread
 * group's struct pid, after the permission check.
 * Return: a referenced pid, or an ERR_PTR.
 */
static struct pid *ks_target_pid(pid_t nr)
{
	struct task_struct *task, *live;
	struct pid *pid, *tgid;

	if (nr <= 0)
		return ERR_PTR(-EINVAL);
	pid = find_get_pid(nr);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	if (task->flags & KS_PF_NO_USER_STACK) {
		put_task_struct(task);
		return ERR_PTR(-EINVAL);	/* kernel thread: no user stack */
	}
	live = ks_live_thread(task);
	put_task_struct(task);
	if (!live)
		return ERR_PTR(-ESRCH);		/* exited: a zombie at most */
	if (!ks_may_sample(live))
		tgid = ERR_PTR(-EPERM);
	else
		tgid = get_task_pid(live, PIDTYPE_TGID);
	put_task_struct(live);
	if (!IS_ERR(tgid))
		ks_live_add(KS_LIVE_PID_REFS, 1);
	return tgid;
}

/* Drops a reference ks_target_pid() took; NULL is allowed. */
static void ks_target_pid_put(struct pid *pid)
{
	if (!pid)
		return;
	put_pid(pid);
	ks_live_add(KS_LIVE_PID_REFS, -1);
}

/* Frees a set (NULL is allowed), not the pid references it holds. */
static void ks_targets_release(struct ks_targets *ts)
{
	if (!ts)
		return;
	kfree(ts);
	ks_live_add(KS_LIVE_OBJECTS, -1);
}

static struct ks_targets *ks_targets_dup(const struct ks_targets *old,
					 u32 extra)
{
	u32 nr = old ? old->nr : 0;
	struct ks_targets *ts;

	ts = kzalloc(struct_size(ts, t, nr + extra), GFP_KERNEL);
	if (!ts)
		return NULL;
	ks_live_add(KS_LIVE_OBJECTS, 1);
	if (old) {
		memcpy(ts->t, old->t, nr * sizeof(ts->t[0]));
		ts->nr = nr;
		ts->all = old->all;
	}
	return ts;
}

static void ks_targets_summarise(struct ks_targets *ts)
{
	u32 i;

	ts->children = false;
	for (i = 0; i < ts->nr; i++)
		ts->children |= !!(ts->t[i].flags & KSAMPLER_TARGET_CHILDREN);
}

/*
 * Publishes @ts (an empty set as NULL, which START refuses) and waits
 * until no handler can still see the old set.
 */
static struct ks_targets *ks_targets_swap(struct ks_session *sess,
					  struct ks_targets *ts)
{
	struct ks_targets *old;

	if (!ts->nr && !ts->all) {
		ks_targets_release(ts);
		ts = NULL;
	}
	old = rcu_replace_pointer(sess->targets, ts,
				  lockdep_is_held(&sess->lock));
	synchronize_rcu();
	return old;
}

static int ks_targets_check(const struct ksampler_target *t)
{
	if (t->reserved ||
	    t->flags & ~(KSAMPLER_TARGET_CHILDREN | KSAMPLER_TARGET_ALL))
		return -EINVAL;
	if ((t->flags & KSAMPLER_TARGET_ALL) &&
	    (t->flags & KSAMPLER_TARGET_CHILDREN))
		return -EINVAL;
	return 0;
}

/* Caller holds sess->lock. */
int ks_targets_add(struct ks_session *sess, const struct ksampler_target *t)
{
	struct ks_targets *old, *ts;
	struct pid *pid = NULL;
	u32 i;
	int err;

	err = ks_targets_check(t);
	if (err)
		return err;
	old = rcu_dereference_protected(sess->targets,
					lockdep_is_held(&sess->lock));
	if (t->flags & KSAMPLER_TARGET_ALL) {
		if (!perfmon_capable())
			return -EPERM;
		if (old && old->all)
			return -EEXIST;
	} else {
		if (old && old->nr >= KS_MAX_TARGETS)
			return -ENOSPC;
		pid = ks_target_pid(t->pid);
		if (IS_ERR(pid))
			return PTR_ERR(pid);
		for (i = 0; old && i < old->nr; i++) {
			if (old->t[i].pid == pid) {
				ks_target_pid_put(pid);
				return -EEXIST;
			}
		}
	}

	ts = ks_targets_dup(old, pid ? 1 : 0);
	if (!ts) {
		ks_target_pid_put(pid);
		return -ENOMEM;
	}
	if (pid) {
		ts->t[ts->nr].pid = pid;
		ts->t[ts->nr].flags = t->flags;
		ts->nr++;
	} else {
		ts->all = true;
	}
	ks_targets_summarise(ts);
	ks_targets_release(ks_targets_swap(sess, ts));
	return 0;
}

/* Caller holds sess->lock. */
int ks_targets_del(struct ks_session *sess, const struct ksampler_target *t)
{
	struct ks_targets *old, *ts;
	struct pid *pid = NULL;
	u32 i, j;
	int err;

	err = ks_targets_check(t);
	if (err)
		return err;
	old = rcu_dereference_protected(sess->targets,
					lockdep_is_held(&sess->lock));
	if (!old)
		return -ENOENT;
	if (t->flags & KSAMPLER_TARGET_ALL) {
		if (!old->all)
			return -ENOENT;
	} else {
		/* No permission check: it only narrows what is sampled. */
		pid = t->pid > 0 ? find_get_pid(t->pid) : NULL;
		if (!pid)
			return -ENOENT;
		for (i = 0; i < old->nr && old->t[i].pid != pid; i++)
			;
		put_pid(pid);
		if (i == old->nr)
			return -ENOENT;
		pid = old->t[i].pid;
	}

	ts = ks_targets_dup(NULL, old->nr);
	if (!ts)
		return -ENOMEM;
	ts->all = pid ? old->all : false;
	for (j = 0; j < old->nr; j++)
		if (old->t[j].pid != pid)
			ts->t[ts->nr++] = old->t[j];
	ks_targets_summarise(ts);
	ks_targets_release(ks_targets_swap(sess, ts));
	ks_target_pid_put(pid);
	return 0;
}

/* At session teardown: no handler runs any more. */
void ks_targets_free(struct ks_session *sess)
{
	struct ks_targets *ts = rcu_dereference_protected(sess->targets, 1);
	u32 i;

	if (!ts)
		return;
	for (i = 0; i < ts->nr; i++)
		ks_target_pid_put(ts->t[i].pid);
	ks_targets_release(ts);
	RCU_INIT_POINTER(sess->targets, NULL);
}

static bool ks_targets_has(const struct ks_targets *ts, struct pid *tgid,
			   u32 need)
{
	u32 i;

	for (i = 0; i < ts->nr; i++)
		if (ts->t[i].pid == tgid && (ts->t[i].flags & need) == need)
			return true;
	return false;
}

/*
 * For a restricted session, ks_may_sample() again, as it stands now: a
 * target that exec'd a setuid binary or switched ids, or a descendant run
 * by another user, must not reach a session its owner could not open on
 * it. Reads only; the caller holds rcu_read_lock().
 */
static bool ks_still_may_sample(const struct ks_session *sess,
				struct task_struct *task)
{
	const struct cred *tcred = __task_cred(task);
	struct mm_struct *mm = READ_ONCE(task->mm);

	return uid_eq(sess->uid, tcred->uid) &&
	       uid_eq(sess->uid, tcred->euid) &&
	       uid_eq(sess->uid, tcred->suid) &&
	       gid_eq(sess->gid, tcred->gid) &&
	       gid_eq(sess->gid, tcred->egid) &&
	       gid_eq(sess->gid, tcred->sgid) &&
	       cap_issubset(tcred->cap_permitted, sess->caps) &&
	       mm && get_dumpable(mm) == SUID_DUMP_USER;
}

/*
 * The handler's question: is @task (current, a task with a user stack)
 * targeted? Runs in NMI or hard-irq context: reads only.
 */
bool ks_targets_match(struct ks_session *sess, struct task_struct *task)
{
	struct task_struct *p;
	struct ks_targets *ts;
	bool match = false;
	int depth;

	rcu_read_lock();
	ts = rcu_dereference(sess->targets);
	if (!ts)
		goto out;
	if (ts->all || ks_targets_has(ts, task_tgid(task), 0)) {
		match = true;
		goto out;
	}
	if (!ts->children)
		goto out;
	p = rcu_dereference(task->group_leader->real_parent);
	for (depth = 0; depth < KS_MAX_ANCESTRY && p->pid > 1; depth++) {
		if (ks_targets_has(ts, task_tgid(p), KSAMPLER_TARGET_CHILDREN)) {
			match = true;
			break;
		}
		p = rcu_dereference(p->group_leader->real_parent);
	}
out:
	if (match && sess->restricted)
		match = ks_still_may_sample(sess, task);
	rcu_read_unlock();
	return match;
}
