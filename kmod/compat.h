/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference ksampler depends on.
 *
 * .c files never test LINUX_VERSION_CODE or kernel-feature macros; they call
 * the ks_ wrappers below, each named after the current upstream API, with a
 * note of the release that changed it. Debian backports make version
 * numbers lie, so a feature test is used wherever one exists.
 */
#ifndef _KSAMPLER_COMPAT_H
#define _KSAMPLER_COMPAT_H

#include <linux/mm.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/version.h>

/*
 * LINUX_VERSION_CODE clamps the sublevel at 255 (Debian's 6.1 is past .190),
 * so version tests compare major.minor only.
 */
#define KS_KERNEL_AT_LEAST(major, minor) \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(major, minor, 0))

#if !KS_KERNEL_AT_LEAST(6, 1)
#error "ksampler supports Linux 6.1 and later"
#endif /* !KS_KERNEL_AT_LEAST(6, 1) */

/* vm_flags became read-only behind vm_flags_set()/vm_flags_clear() in 6.3. */
static inline void ks_vm_flags_set(struct vm_area_struct *vma, vm_flags_t f)
{
#if KS_KERNEL_AT_LEAST(6, 3)
	vm_flags_set(vma, f);
#else
	vma->vm_flags |= f;
#endif /* KS_KERNEL_AT_LEAST(6, 3) */
}

static inline void ks_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t f)
{
#if KS_KERNEL_AT_LEAST(6, 3)
	vm_flags_clear(vma, f);
#else
	vma->vm_flags &= ~f;
#endif /* KS_KERNEL_AT_LEAST(6, 3) */
}

/*
 * Tasks with no user stack worth walking: kernel threads, io_uring workers
 * and (6.4+) user workers, as kernel/events/callchain.c skips them. Debian
 * backported is_user_task() into 6.12 but not 6.1, so test the flag.
 */
#ifdef PF_USER_WORKER
#define KS_PF_NO_USER_STACK	(PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER)
#else
#define KS_PF_NO_USER_STACK	(PF_KTHREAD | PF_IO_WORKER)
#endif /* PF_USER_WORKER */

static inline bool ks_task_has_user_stack(struct task_struct *task)
{
	return task->mm && !(task->flags & KS_PF_NO_USER_STACK);
}

/*
 * perf core marks an event it has throttled by setting hw.interrupts to
 * its private MAX_INTERRUPTS (~0ULL, kernel/events/core.c; unchanged from
 * 3.x through 6.12) before calling the overflow handler one last time.
 */
static inline bool ks_event_throttled(struct perf_event *event)
{
	return READ_ONCE(event->hw.interrupts) == ~0ULL;
}

#endif /* _KSAMPLER_COMPAT_H */
