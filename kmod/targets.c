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
#include <linux/pid_namespace.h>
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
 * cap_capable() for @cred, without the LSM hook and audit (neither is
 * exported, and the handler may not call them): @cred holds @cap in @ns
 * if @ns is its own namespace and the capability is effective, or @ns
 * descends from a namespace whose owner @cred's euid is, one level below
 * @cred's own. Reads only: safe in NMI, under rcu_read_lock() (a task's
 * credentials pin their namespace, and a namespace its parents).
 */
static bool ks_cred_capable(const struct cred *cred, struct user_namespace *ns,
			    int cap)
{
	for (;;) {
		if (ns == cred->user_ns)
			return cap_raised(cred->cap_effective, cap);
		if (ns->level <= cred->user_ns->level)
			return false;
		if (ns->parent == cred->user_ns && uid_eq(ns->owner, cred->euid))
			return true;
		ns = ns->parent;
	}
}

/*
 * May @cred read @task as ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS)
 * would let it, the check perf applies to per-task events? The kernel
 * exports neither that nor the LSM hook, so this mirrors
 * __ptrace_may_access() and commoncap's cap_ptrace_access_check() for
 * @cred rather than current's: the real ids equal every id of the target,
 * or CAP_SYS_PTRACE over its namespace; an undumpable mm needs
 * CAP_SYS_PTRACE over the mm's namespace; and the target's permitted
 * capabilities are a subset of @cred's within one user namespace, or
 * CAP_SYS_PTRACE over the target's. LSM policy (Yama, SELinux) is not
 * consulted: the device is root-only unless an admin grants a group.
 *
 * Caller holds rcu_read_lock(); @task is current (the handler), or held
 * with task_lock() (ADD_TARGET), so its mm stays put.
 */
static bool ks_cred_may_read(const struct cred *cred, struct task_struct *task)
{
	const struct cred *tcred = __task_cred(task);
	struct mm_struct *mm = task->mm;

	if (!(uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	      uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	      gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid)) &&
	    !ks_cred_capable(cred, tcred->user_ns, CAP_SYS_PTRACE))
		return false;
	if (mm && get_dumpable(mm) != SUID_DUMP_USER &&
	    !ks_cred_capable(cred, mm->user_ns, CAP_SYS_PTRACE))
		return false;
	if (cred->user_ns == tcred->user_ns &&
	    cap_issubset(tcred->cap_permitted, cred->cap_permitted))
		return true;
	return ks_cred_capable(cred, tcred->user_ns, CAP_SYS_PTRACE);
}

static bool ks_may_sample(const struct ks_session *sess,
			  struct task_struct *task)
{
	bool ok;

	task_lock(task);
	rcu_read_lock();
	ok = ks_cred_may_read(sess->cred, task);
	rcu_read_unlock();
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

/* The task with thread id @nr in the session's pid namespace, referenced. */
static struct task_struct *ks_find_task(struct ks_session *sess, pid_t nr)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(nr, sess->pid_ns), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task;
}

/*
 * Resolves @nr (any thread id, in the opener's pid namespace) to its
 * thread group's struct pid, after the permission check. Every lookup may
 * find the process gone: it can exit and be reaped between any two steps.
 * Return: a referenced pid, or an ERR_PTR.
 */
static struct pid *ks_target_pid(struct ks_session *sess, pid_t nr)
{
	struct task_struct *task, *live;
	struct pid *tgid;

	if (nr <= 0)
		return ERR_PTR(-EINVAL);
	task = ks_find_task(sess, nr);
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
	if (!ks_may_sample(sess, live)) {
		tgid = ERR_PTR(-EPERM);
	} else {
		/* NULL once reaped: the group's pids are detached by then */
		tgid = get_task_pid(live, PIDTYPE_TGID);
		if (!tgid)
			tgid = ERR_PTR(-ESRCH);
	}
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

/*
 * A copy of @old with room for @extra more, leaving out targets whose
 * process has exited when the set is full: their slots are free again.
 * (A CHILDREN target's orphans are reparented away from it, so they no
 * longer match either.) Return: the copy, or NULL (-ENOMEM).
 */
static struct ks_targets *ks_targets_dup_pruned(const struct ks_targets *old,
						u32 extra)
{
	struct ks_targets *ts;
	u32 i;

	if (!old || old->nr + extra <= KS_MAX_TARGETS)
		return ks_targets_dup(old, extra);
	ts = ks_targets_dup(NULL, old->nr + extra);
	if (!ts)
		return NULL;
	ts->all = old->all;
	for (i = 0; i < old->nr; i++)
		if (pid_has_task(old->t[i].pid, PIDTYPE_TGID))
			ts->t[ts->nr++] = old->t[i];
	return ts;
}

/* Drops the references of targets in @old that @ts no longer holds. */
static void ks_targets_put_dropped(const struct ks_targets *old,
				   const struct ks_targets *ts)
{
	u32 i, j;

	for (i = 0; old && i < old->nr; i++) {
		for (j = 0; j < ts->nr && ts->t[j].pid != old->t[i].pid; j++)
			;
		if (j == ts->nr)
			ks_target_pid_put(old->t[i].pid);
	}
}

/* Caller holds sess->lock. */
int ks_targets_add(struct ks_session *sess, const struct ksampler_target *t)
{
	bool all = t->flags & KSAMPLER_TARGET_ALL;
	struct ks_targets *old, *ts;
	struct pid *pid = NULL;
	u32 i;
	int err;

	err = ks_targets_check(t);
	if (err)
		return err;
	old = rcu_dereference_protected(sess->targets,
					lockdep_is_held(&sess->lock));
	if (all) {
		if (!sess->perfmon)
			return -EPERM;
		if (old && old->all)
			return -EEXIST;
		ts = ks_targets_dup(old, 0);
		if (!ts)
			return -ENOMEM;
		ts->all = true;
	} else {
		pid = ks_target_pid(sess, t->pid);
		if (IS_ERR(pid))
			return PTR_ERR(pid);
		for (i = 0; old && i < old->nr; i++) {
			if (old->t[i].pid == pid) {
				ks_target_pid_put(pid);
				return -EEXIST;
			}
		}
		ts = ks_targets_dup_pruned(old, 1);
		if (!ts || ts->nr >= KS_MAX_TARGETS) {
			ks_targets_release(ts);
			ks_target_pid_put(pid);
			return ts ? -ENOSPC : -ENOMEM;
		}
		ts->t[ts->nr].pid = pid;
		ts->t[ts->nr].flags = t->flags;
		ts->nr++;
	}
	ks_targets_summarise(ts);
	old = ks_targets_swap(sess, ts);	/* no handler sees @old now */
	ks_targets_put_dropped(old, ts);
	ks_targets_release(old);
	return 0;
}

/*
 * The target @nr names: the process with that id in the opener's
 * namespace, alive or exited (the set holds its pid, whose number stays
 * readable), or else the process of the live thread with that id, as
 * ADD_TARGET resolved it. Return: its index, or @ts->nr.
 */
static u32 ks_targets_find(struct ks_session *sess, const struct ks_targets *ts,
			   pid_t nr)
{
	struct task_struct *task;
	struct pid *tgid;
	u32 i;

	for (i = 0; i < ts->nr; i++)
		if (pid_nr_ns(ts->t[i].pid, sess->pid_ns) == nr)
			return i;
	task = ks_find_task(sess, nr);
	if (!task)
		return ts->nr;
	/* compared, never followed: NULL once reaped matches nothing */
	tgid = task_tgid(task);
	for (i = 0; i < ts->nr && ts->t[i].pid != tgid; i++)
		;
	put_task_struct(task);
	return i;
}

/* Caller holds sess->lock. No permission check: it only narrows. */
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
		if (t->pid <= 0)
			return -ENOENT;
		i = ks_targets_find(sess, old, t->pid);
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
	/*
	 * A restricted session asks ptrace's question again at every
	 * sample: a target that exec'd a setuid binary or switched ids, or a
	 * descendant run by another user, must not reach a session whose
	 * file could not have added it.
	 */
	if (match && sess->restricted)
		match = ks_cred_may_read(sess->cred, task);
	rcu_read_unlock();
	return match;
}
