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
#include <linux/cred.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>

#include "compat.h"
#include "ksampler.h"

/* cpu-clock cannot fire more often than every 10 us (perf's floor). */
#define KS_MIN_CLOCK_PERIOD_NS	10000ULL

/* Open sessions: held to max_sessions, and reported as live_sessions. */
static atomic_t ks_nr_sessions = ATOMIC_INIT(0);

atomic_long_t ks_live[KS_LIVE_NR];

/*
 * The opener's privilege decides, once, whether each sample is checked
 * against its ids: perf's model, where the check happens at open. The
 * noaudit forms keep an unprivileged open from logging a denial.
 */
static void ks_session_set_owner(struct ks_session *sess)
{
	const struct cred *cred = current_cred();

	sess->uid = cred->uid;
	sess->gid = cred->gid;
	sess->caps = cred->cap_permitted;
	sess->restricted =
		!ns_capable_noaudit(&init_user_ns, CAP_SYS_PTRACE) &&
		!ns_capable_noaudit(&init_user_ns, CAP_PERFMON) &&
		!ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

struct ks_session *ks_session_new(void)
{
	struct ks_session *sess;

	if (atomic_inc_return(&ks_nr_sessions) > ks_max_sessions) {
		atomic_dec(&ks_nr_sessions);
		return ERR_PTR(-EBUSY);
	}
	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		goto err_count;
	sess->stats = alloc_percpu(struct ks_cpu_stats);
	if (!sess->stats)
		goto err_free_sess;
	mutex_init(&sess->lock);
	init_waitqueue_head(&sess->wait);
	atomic_set(&sess->mmaps, 0);
	sess->pid_ns = get_pid_ns(task_active_pid_ns(current));
	ks_session_set_owner(sess);
	sess->state = KS_SESSION_NEW;
	return sess;

err_free_sess:
	kfree(sess);
err_count:
	atomic_dec(&ks_nr_sessions);
	return ERR_PTR(-ENOMEM);
}

static void ks_session_free_rings(struct ks_session *sess)
{
	int cpu;

	if (!sess->cpus)
		return;
	for_each_possible_cpu(cpu)
		ks_ring_free(&sess->cpus[cpu].ring);
	kfree(sess->cpus);
	ks_live_add(KS_LIVE_OBJECTS, -1);
	sess->cpus = NULL;
}

static int ks_session_alloc_rings(struct ks_session *sess,
				  const struct ksampler_config *cfg)
{
	int cpu, err;

	sess->cpus = kcalloc(nr_cpu_ids, sizeof(*sess->cpus), GFP_KERNEL);
	if (!sess->cpus)
		return -ENOMEM;
	ks_live_add(KS_LIVE_OBJECTS, 1);
	for_each_possible_cpu(cpu) {
		sess->cpus[cpu].sess = sess;
		sess->cpus[cpu].cpu = cpu;
		err = ks_ring_alloc(&sess->cpus[cpu].ring, cpu, cfg->ring_pages,
				    cfg->wakeup_bytes, &sess->wait);
		if (err) {
			ks_session_free_rings(sess);
			return err;
		}
	}
	return 0;
}

/* Validates @in and fills in its defaults into @out. */
static int ks_config_resolve(const struct ksampler_config *in,
			     struct ksampler_config *out)
{
	u64 ring_bytes, record_max;

	*out = *in;
	if (in->flags & ~(KSAMPLER_CONFIG_NO_UNWIND | KSAMPLER_CONFIG_COUNT_ONLY) ||
	    in->event >= KSAMPLER_EVENT_MAX)
		return -EINVAL;
	if (!in->frequency == !in->period)
		return -EINVAL;
	if (in->frequency > ks_max_frequency)
		return -EINVAL;
	if (in->period && in->event == KSAMPLER_EVENT_CPU_CLOCK &&
	    in->period < KS_MIN_CLOCK_PERIOD_NS)
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
	record_max = KSAMPLER_SAMPLE_FIXED_SIZE + out->max_frames * sizeof(u64);
	if (ring_bytes < 2 * record_max)
		return -EINVAL;
	if (in->wakeup_bytes > ring_bytes)
		return -EINVAL;
	if (!in->wakeup_bytes)
		out->wakeup_bytes = ring_bytes / 2;
	return 0;
}

/* Caller holds sess->lock. */
int ks_session_configure(struct ks_session *sess,
			 const struct ksampler_config *in)
{
	struct ksampler_config cfg;
	int err;

	if (sess->state == KS_SESSION_RUNNING || atomic_read(&sess->mmaps))
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
		per_cpu_ptr(sess->stats, cpu)->lost_records +=
			ks_ring_flush_lost(&sess->cpus[cpu].ring);
	sess->state = KS_SESSION_CONFIGURED;
	return 0;
}

/* Sums the per-CPU counters of @cpu, or of all CPUs. */
void ks_session_stats(struct ks_session *sess, u32 cpu,
		      struct ksampler_stats *out)
{
	const struct ks_cpu_stats *st;
	int c;

	for_each_possible_cpu(c) {
		if (cpu != KSAMPLER_STATS_ALL_CPUS && cpu != c)
			continue;
		st = per_cpu_ptr(sess->stats, c);
		out->fired += READ_ONCE(st->fired);
		out->written += READ_ONCE(st->written);
		out->lost_ring_full += READ_ONCE(st->lost_ring_full);
		out->lost_nested += READ_ONCE(st->lost_nested);
		out->filtered += READ_ONCE(st->filtered);
		out->throttled += READ_ONCE(st->throttled);
		out->truncated += READ_ONCE(st->truncated);
		out->unwind_stopped += READ_ONCE(st->unwind_stopped);
		out->handler_ns += READ_ONCE(st->handler_ns);
		out->lost_records += READ_ONCE(st->lost_records);
		out->counted += READ_ONCE(st->counted);
	}
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
	ks_session_free_rings(sess);
	free_percpu(sess->stats);
	put_pid_ns(sess->pid_ns);
	mutex_destroy(&sess->lock);
	kfree(sess);
	atomic_dec(&ks_nr_sessions);
}
