/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ksampler.h - declarations shared between the module's files. Included by
 * kmod/ only; the ABI seen by userspace is include/ksampler_uapi.h.
 */
#ifndef _KSAMPLER_H
#define _KSAMPLER_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/capability.h>
#include <linux/uidgid.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <asm/local64.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <ksampler_uapi.h>

struct cred;
struct file;
struct page;
struct perf_event;
struct pid;
struct pid_namespace;
struct pt_regs;
struct task_struct;
struct vm_area_struct;

/* Module parameters (read-only after load; main.c). */
extern unsigned int ks_max_sessions;
extern unsigned int ks_max_user_sessions;
extern unsigned int ks_max_user_ring_mb;
extern unsigned int ks_default_ring_pages;
extern unsigned int ks_max_ring_pages;
extern unsigned int ks_max_frequency;
extern unsigned int ks_unwind_window_bytes;

/*
 * Module-wide counts of what sessions own, reported as ksampler_stats
 * .live_* (sessions themselves are session.c's ks_nr_sessions): a leak
 * shows as a count that does not return to zero, which the stress tests
 * check after every scenario.
 */
enum ks_live_kind {
	KS_LIVE_RING_BYTES,
	KS_LIVE_EVENTS,
	KS_LIVE_PID_REFS,
	KS_LIVE_OBJECTS,
	KS_LIVE_NR,
};

extern atomic_long_t ks_live[KS_LIVE_NR];

static inline void ks_live_add(enum ks_live_kind kind, long n)
{
	atomic_long_add(n, &ks_live[kind]);
}

/*
 * Per-CPU counters of one session. Each CPU's copy is written only by the
 * handler running on that CPU (or by STOP once no handler runs), and one
 * session's handler never interrupts itself (one event per CPU); local64
 * makes those updates single instructions that readers on other CPUs,
 * summing from process context, never see torn. Cache-line aligned so
 * that CPUs never share a line.
 */
struct ks_cpu_stats {
	local64_t fired;
	local64_t written;
	local64_t lost_ring_full;
	local64_t lost_nested;
	local64_t filtered;
	local64_t throttled;
	local64_t truncated;
	local64_t unwind_stopped;
	local64_t unwind_fault;
	local64_t unwind_bad_frame;
	local64_t unwind_loop;
	local64_t unwind_switch_limit;
	local64_t stack_switched;
	local64_t handler_ns;
	local64_t lost_records;
	local64_t counted;
} ____cacheline_aligned;

/*
 * One CPU's ring of one session: written by that CPU's handler only.
 * Every value the kernel acts on is its own: the control page is
 * userspace's to scribble on, so data_tail is clamped at each use and
 * data_head is only ever a copy of head_pub.
 */
struct ks_ring {
	struct page **pages;		/* control page, then the data pages */
	u32 nr_pages;			/* allocated so far (all, once set up) */
	void *base;			/* vmap of pages[] */
	struct ksampler_ring_ctrl *ctrl;	/* shared with userspace */
	void *data;
	u64 size;			/* data bytes, power of two */
	u64 head;			/* the writer's head, PAD included */
	u64 head_pub;			/* the head last published */
	u64 tail_seen;			/* clamped tail the last reserve read */
	u64 fill_seen;			/* unread bytes then, before any PAD */
	u32 wakeup_bytes;
	u64 pending_lost[KSAMPLER_LOST_MAX]; /* not yet reported in-band */
	struct irq_work *wakeup;	/* the session's */
};

/* The handler's context for one CPU of a session. */
struct ks_cpu {
	struct ks_session *sess;
	struct ks_ring ring;
	struct perf_event *event;	/* NULL while the CPU is offline */
	int cpu;
	int online_err;			/* why the event could not be created */
};

struct ks_user;

struct ks_target {
	struct pid *pid;		/* the thread group's pid; holds a ref */
	u32 flags;			/* KSAMPLER_TARGET_* */
};

/* An immutable set, replaced whole under RCU on every change. */
struct ks_targets {
	struct rcu_head rcu;
	u32 nr;
	bool all;
	bool children;			/* some entry has TARGET_CHILDREN */
	struct ks_target t[];
};

enum ks_session_state {
	KS_SESSION_NEW,			/* no configuration yet */
	KS_SESSION_CONFIGURED,		/* rings exist; not sampling */
	KS_SESSION_RUNNING,
};

/*
 * One open file of /dev/ksampler.
 *
 * Lock order: mmap_lock -> lock -> cpu_hotplug_lock. ->lock is never held
 * across a user copy (a fault takes mmap_lock, and ks_mmap() runs under
 * it); read() copies under ->read_lock instead, which ks_mmap() never
 * takes, having pinned the rings with ->readers.
 */
struct ks_session {
	struct mutex lock;		/* state, configuration, rings, targets */
	struct mutex read_lock;		/* one read() at a time */
	atomic_t readers;		/* read() calls using the rings */
	enum ks_session_state state;
	struct ksampler_config cfg;	/* valid from CONFIGURED on */
	struct ks_cpu *cpus;		/* nr_cpu_ids entries, once configured */
	struct ks_cpu_stats __percpu *stats;
	struct ks_targets __rcu *targets;
	struct pid_namespace *pid_ns;	/* the opener's, for record pids */
	wait_queue_head_t wait;
	struct irq_work wakeup;		/* wakes ->wait from the handler */
	atomic_t mmaps;			/* live ring mappings */
	struct hlist_node cpuhp_node;
	/*
	 * The file's credentials (f_cred), which decide every permission
	 * question: a descriptor passed to another process keeps the
	 * rights of the one that opened it, no more.
	 */
	const struct cred *cred;
	/* CAP_PERFMON or CAP_SYS_ADMIN: system-wide, no per-user limits */
	bool perfmon;
	/*
	 * Not even CAP_SYS_PTRACE: every sample is checked against the
	 * file's credentials again (targets.c).
	 */
	bool restricted;
	struct ks_user *user;		/* limits.c; NULL when perfmon */
	u64 ring_charge;		/* bytes charged to ->user */
};

/*
 * Bytes before the frames in a SAMPLE record of a session configured with
 * @cfg: the uapi header's fixed part, and proc_start_ns when asked for.
 */
static inline u32 ks_sample_fixed_size(const struct ksampler_config *cfg)
{
	return cfg->flags & KSAMPLER_CONFIG_PROC_START ?
	       KSAMPLER_SAMPLE_PROC_START_SIZE : KSAMPLER_SAMPLE_FIXED_SIZE;
}

/* The largest SAMPLE record of such a session: max_frames frames. */
static inline u32 ks_sample_max_size(const struct ksampler_config *cfg)
{
	return ks_sample_fixed_size(cfg) + cfg->max_frames * sizeof(u64);
}

/* chardev.c */
int ks_chardev_register(void);
void ks_chardev_unregister(void);

/* session.c */
struct ks_session *ks_session_new(struct file *file);
void ks_session_free(struct ks_session *sess);
int ks_session_configure(struct ks_session *sess,
			 const struct ksampler_config *cfg);
int ks_session_start(struct ks_session *sess);
int ks_session_stop(struct ks_session *sess);
void ks_session_stats(struct ks_session *sess, u32 cpu,
		      struct ksampler_stats *out);
struct ks_ring *ks_session_ring(struct ks_session *sess, unsigned long cpu);

/* targets.c */
int ks_targets_add(struct ks_session *sess, const struct ksampler_target *t);
int ks_targets_del(struct ks_session *sess, const struct ksampler_target *t);
void ks_targets_free(struct ks_session *sess);
bool ks_targets_match(struct ks_session *sess, struct task_struct *task);

/* limits.c */
struct ks_user *ks_user_get(const struct cred *cred);
void ks_user_put(struct ks_user *user);
int ks_user_charge(struct ks_user *user, u64 bytes);
void ks_user_uncharge(struct ks_user *user, u64 bytes);

/* ring.c */
int ks_ring_alloc(struct ks_ring *ring, int cpu, u32 pages, u32 wakeup_bytes,
		  struct irq_work *wakeup);
void ks_ring_free(struct ks_ring *ring);
void *ks_ring_reserve(struct ks_ring *ring, u32 len_max);
void ks_ring_commit(struct ks_ring *ring, void *rec, u32 len);
void ks_ring_lost(struct ks_ring *ring, enum ksampler_lost_reason reason);
u32 ks_ring_flush_lost(struct ks_ring *ring);
bool ks_ring_readable(struct ks_ring *ring);
u64 ks_ring_bytes(u32 pages);
int ks_ring_mmap(struct ks_ring *ring, struct vm_area_struct *vma, bool ctrl);
ssize_t ks_ring_read(struct ks_ring *ring, char __user *buf, size_t len);

/* sampler.c */
int ks_sampler_cpu_start(struct ks_session *sess, int cpu);
void ks_sampler_cpu_stop(struct ks_session *sess, int cpu);
void ks_sampler_cpu_status(struct ks_session *sess, u32 *sampling,
			   u32 *failed);

/* unwind.c */
void ks_unwind_user(struct pt_regs *regs, struct ksampler_sample *rec,
		    u64 *ips, u32 max_frames, bool walk);

/* hotplug.c */
int ks_hp_register(void);
void ks_hp_unregister(void);
int ks_hp_add(struct ks_session *sess);
void ks_hp_remove(struct ks_session *sess);

#endif /* _KSAMPLER_H */
