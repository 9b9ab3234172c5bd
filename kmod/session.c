// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c - a session's life: configuration and its rings, start and
 * stop, statistics, and teardown in the one safe order.
 *
 * States: NEW -(CONFIGURE)-> CONFIGURED -(START)-> RUNNING -(STOP)->
 * CONFIGURED. CONFIGURE again replaces the rings, so it needs a stopped
 * session with no ring mapped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>

#include "compat.h"
#include "ksampler.h"

/* cpu-clock cannot fire more often than every 10 us (perf's floor). */
#define KS_MIN_CLOCK_PERIOD_NS	10000ULL

/*
 * The fastest core clock a cycles period is converted at, to hold it to
 * max_frequency as frequency sessions are: a period no CPU could reach
 * in 1/max_frequency s is allowed, anything shorter is refused.
 */
#define KS_MAX_CPU_HZ		5000000000ULL

/* The ksampler_config.flags this module knows; any other is -EINVAL. */
#define KS_CONFIG_FLAGS		(KSAMPLER_CONFIG_NO_UNWIND |	\
				 KSAMPLER_CONFIG_COUNT_ONLY |	\
				 KSAMPLER_CONFIG_PROC_START)

/* Open sessions, reported as live_sessions. */
static atomic_t ks_nr_sessions = ATOMIC_INIT(0);

atomic_long_t ks_live[KS_LIVE_NR];

/*
 * The file's credentials decide every permission question, once at open
 * (perf's model) for what needs a capability, and at each ADD_TARGET and
 * each sample of a restricted session for ptrace's rule (targets.c). At
 * open they are current's, so the noaudit capability checks (which keep
 * an unprivileged open from logging a denial) ask about the file's.
 */
static void ks_session_set_owner(struct ks_session *sess, struct file *file)
{
	sess->cred = get_cred(file->f_cred);
	sess->perfmon = ns_capable_noaudit(&init_user_ns, CAP_PERFMON) ||
			ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	sess->restricted = !sess->perfmon &&
			   !ns_capable_noaudit(&init_user_ns, CAP_SYS_PTRACE);
}

/*
 * Wake-ups are deferred to irq_work because the writer runs in NMI or
 * hard-irq context, where wake_up() (a sleeping lock on PREEMPT_RT) is not
 * allowed; on RT this work runs in a thread, where it is. One per session:
 * every ring wakes the same readers.
 */
static void ks_session_wakeup(struct irq_work *work)
{
	struct ks_session *sess = container_of(work, struct ks_session, wakeup);

	wake_up_interruptible(&sess->wait);
}

struct ks_session *ks_session_new(struct file *file)
{
	struct ks_session *sess;
	int err = -ENOMEM;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL_ACCOUNT);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	ks_session_set_owner(sess, file);
	if (!sess->perfmon) {
		sess->user = ks_user_get(sess->cred);
		if (IS_ERR(sess->user)) {
			err = PTR_ERR(sess->user);
			goto err_free_sess;
		}
	}
	sess->stats = alloc_percpu_gfp(struct ks_cpu_stats, GFP_KERNEL_ACCOUNT);
	if (!sess->stats)
		goto err_put_user;
	mutex_init(&sess->lock);
	mutex_init(&sess->read_lock);
	atomic_set(&sess->readers, 0);
	init_waitqueue_head(&sess->wait);
	init_irq_work(&sess->wakeup, ks_session_wakeup);
	atomic_set(&sess->mmaps, 0);
	sess->pid_ns = get_pid_ns(task_active_pid_ns(current));
	sess->state = KS_SESSION_NEW;
	atomic_inc(&ks_nr_sessions);
	return sess;

err_put_user:
	if (sess->user)
		ks_user_put(sess->user);
err_free_sess:
	put_cred(sess->cred);
	kfree(sess);
	return ERR_PTR(err);
}

/* Frees the rings, and gives back what they were charged (both may be 0). */
static void ks_session_free_rings(struct ks_session *sess)
{
	int cpu;

	if (sess->user && sess->ring_charge)
		ks_user_uncharge(sess->user, sess->ring_charge);
	sess->ring_charge = 0;
	if (!sess->cpus)
		return;
	for_each_possible_cpu(cpu)
		ks_ring_free(&sess->cpus[cpu].ring);
	kfree(sess->cpus);
	ks_live_add(KS_LIVE_OBJECTS, -1);
	sess->cpus = NULL;
}

/*
 * A ring for every possible CPU, so that the ring set never changes while
 * a session runs, whatever CPUs come and go; the memory is charged to the
 * opener's memory cgroup and, for users without CAP_PERFMON, counted
 * against max_user_ring_mb.
 */
static int ks_session_alloc_rings(struct ks_session *sess,
				  const struct ksampler_config *cfg)
{
	u64 bytes = ks_ring_bytes(cfg->ring_pages) * num_possible_cpus();
	int cpu, err;

	if (sess->user) {
		err = ks_user_charge(sess->user, bytes);
		if (err)
			return err;
	}
	sess->ring_charge = bytes;
	sess->cpus = kcalloc(nr_cpu_ids, sizeof(*sess->cpus),
			     GFP_KERNEL_ACCOUNT);
	if (!sess->cpus) {
		ks_session_free_rings(sess);
		return -ENOMEM;
	}
	ks_live_add(KS_LIVE_OBJECTS, 1);
	for_each_possible_cpu(cpu) {
		sess->cpus[cpu].sess = sess;
		sess->cpus[cpu].cpu = cpu;
		err = ks_ring_alloc(&sess->cpus[cpu].ring, cpu, cfg->ring_pages,
				    cfg->wakeup_bytes, &sess->wakeup);
		if (err) {
			ks_session_free_rings(sess);
			return err;
		}
	}
	return 0;
}

/*
 * The shortest period allowed: the one max_frequency allows (at the
 * fastest clock, for cycles), and for cpu-clock never below perf's floor.
 */
static u64 ks_min_period(u32 event)
{
	if (event == KSAMPLER_EVENT_CYCLES)
		return div_u64(KS_MAX_CPU_HZ, ks_max_frequency);
	return max_t(u64, KS_MIN_CLOCK_PERIOD_NS,
		     div_u64(NSEC_PER_SEC, ks_max_frequency));
}

/*
 * Validates @in and fills in its defaults into @out. Periods get the
 * checks perf_event_open() would make and kernel counters skip: bit 63
 * is refused (perf stores periods as s64; a cpu-clock period that
 * negative re-arms its hrtimer at once, for ever), and so is any period
 * shorter than max_frequency allows.
 */
static int ks_config_resolve(const struct ksampler_config *in,
			     struct ksampler_config *out)
{
	u64 ring_bytes, record_max;

	*out = *in;
	if (in->flags & ~KS_CONFIG_FLAGS || in->event >= KSAMPLER_EVENT_MAX)
		return -EINVAL;
	if (!in->frequency == !in->period)
		return -EINVAL;
	if (in->frequency > ks_max_frequency)
		return -EINVAL;
	if (in->period && (in->period >> 63 ||
			   in->period < ks_min_period(in->event)))
		return -EINVAL;
	if (in->max_frames > KSAMPLER_MAX_FRAMES)
		return -EINVAL;
	if (!in->max_frames)
		out->max_frames = KSAMPLER_DEFAULT_MAX_FRAMES;
	if (!in->ring_pages)
		out->ring_pages = ks_default_ring_pages;
	if (!is_power_of_2(out->ring_pages) ||
	    out->ring_pages > ks_max_ring_pages)
		return -EINVAL;

	/* Room for two of the largest records, or a PAD could starve it. */
	ring_bytes = (u64)out->ring_pages * PAGE_SIZE;
	record_max = ks_sample_max_size(out);
	if (ring_bytes < 2 * record_max)
		return -EINVAL;
	if (in->wakeup_bytes > ring_bytes)
		return -EINVAL;
	if (!in->wakeup_bytes)
		out->wakeup_bytes = ring_bytes / 2;
	/*
	 * The writer drops a record once fewer than a PAD and a record of
	 * the largest size fit, which can be at this fill: a watermark above
	 * it would never be crossed, and a poller would sleep beside a full
	 * ring (ring.c's ks_ring_readable()).
	 */
	out->wakeup_bytes = min_t(u64, out->wakeup_bytes,
				  ring_bytes - 2 * record_max + 8);
	return 0;
}

/* Caller holds sess->lock. */
int ks_session_configure(struct ks_session *sess,
			 const struct ksampler_config *in)
{
	struct ksampler_config cfg;
	int err;

	if (sess->state == KS_SESSION_RUNNING || atomic_read(&sess->mmaps) ||
	    atomic_read(&sess->readers))
		return -EBUSY;
	err = ks_config_resolve(in, &cfg);
	if (err)
		return err;

	ks_session_free_rings(sess);
	sess->state = KS_SESSION_NEW;
	err = ks_session_alloc_rings(sess, &cfg);
	if (err)
		return err;
	sess->cfg = cfg;
	sess->state = KS_SESSION_CONFIGURED;
	return 0;
}

/* Caller holds sess->lock. */
int ks_session_start(struct ks_session *sess)
{
	int err;

	if (sess->state == KS_SESSION_RUNNING)
		return -EBUSY;
	if (sess->state != KS_SESSION_CONFIGURED)
		return -EINVAL;
	if (!rcu_access_pointer(sess->targets))
		return -EINVAL;
	err = ks_hp_add(sess);
	if (err)
		return err;
	sess->state = KS_SESSION_RUNNING;
	return 0;
}

/*
 * Caller holds sess->lock. Once the events are gone no handler writes the
 * rings, so drops not yet reported in-band (the handler reports them with
 * the next sample, and there will be none) become LOST records here, where
 * there is room.
 */
int ks_session_stop(struct ks_session *sess)
{
	int cpu;

	if (sess->state != KS_SESSION_RUNNING)
		return -EINVAL;
	ks_hp_remove(sess);
	for_each_possible_cpu(cpu)
		local64_add(ks_ring_flush_lost(&sess->cpus[cpu].ring),
			    &per_cpu_ptr(sess->stats, cpu)->lost_records);
	sess->state = KS_SESSION_CONFIGURED;
	return 0;
}

/*
 * Sums the per-CPU counters of @cpu, or of all CPUs. Caller holds
 * sess->lock (the CPU status reads the session's events).
 */
void ks_session_stats(struct ks_session *sess, u32 cpu,
		      struct ksampler_stats *out)
{
	struct ks_cpu_stats *st;
	int c;

	for_each_possible_cpu(c) {
		if (cpu != KSAMPLER_STATS_ALL_CPUS && cpu != c)
			continue;
		st = per_cpu_ptr(sess->stats, c);
		out->fired += local64_read(&st->fired);
		out->written += local64_read(&st->written);
		out->lost_ring_full += local64_read(&st->lost_ring_full);
		out->lost_nested += local64_read(&st->lost_nested);
		out->filtered += local64_read(&st->filtered);
		out->throttled += local64_read(&st->throttled);
		out->truncated += local64_read(&st->truncated);
		out->unwind_stopped += local64_read(&st->unwind_stopped);
		out->unwind_fault += local64_read(&st->unwind_fault);
		out->unwind_bad_frame += local64_read(&st->unwind_bad_frame);
		out->unwind_loop += local64_read(&st->unwind_loop);
		out->unwind_switch_limit += local64_read(&st->unwind_switch_limit);
		out->stack_switched += local64_read(&st->stack_switched);
		out->handler_ns += local64_read(&st->handler_ns);
		out->lost_records += local64_read(&st->lost_records);
		out->counted += local64_read(&st->counted);
	}
	if (sess->state == KS_SESSION_RUNNING)
		ks_sampler_cpu_status(sess, &out->cpus_sampling,
				      &out->cpus_failed);
	out->live_sessions = atomic_read(&ks_nr_sessions);
	out->live_ring_bytes = atomic_long_read(&ks_live[KS_LIVE_RING_BYTES]);
	out->live_events = atomic_long_read(&ks_live[KS_LIVE_EVENTS]);
	out->live_pid_refs = atomic_long_read(&ks_live[KS_LIVE_PID_REFS]);
	out->live_objects = atomic_long_read(&ks_live[KS_LIVE_OBJECTS]);
}

/* The ring of @cpu, or NULL before CONFIGURE or for a CPU that cannot be. */
struct ks_ring *ks_session_ring(struct ks_session *sess, unsigned long cpu)
{
	if (!sess->cpus || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return NULL;
	return &sess->cpus[cpu].ring;
}

/*
 * Teardown, when the last reference to the file goes (mappings hold it
 * too). Order: stop the events (after which no handler runs), then free
 * what handlers read; ks_ring_free() waits for pending wake-ups.
 */
void ks_session_free(struct ks_session *sess)
{
	if (sess->state == KS_SESSION_RUNNING)
		ks_hp_remove(sess);
	ks_targets_free(sess);
	/*
	 * One wait for the session's wake-up, not one per ring: on RT each
	 * irq_work_sync() is an RCU grace period.
	 */
	irq_work_sync(&sess->wakeup);
	ks_session_free_rings(sess);
	free_percpu(sess->stats);
	put_pid_ns(sess->pid_ns);
	if (sess->user)
		ks_user_put(sess->user);
	put_cred(sess->cred);
	mutex_destroy(&sess->read_lock);
	mutex_destroy(&sess->lock);
	kfree(sess);
	atomic_dec(&ks_nr_sessions);
}
