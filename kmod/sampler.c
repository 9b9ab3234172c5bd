// SPDX-License-Identifier: GPL-2.0-only
/*
 * sampler.c - the perf events behind a session and their overflow handler,
 * which turns an interrupt into a SAMPLE record.
 *
 * Why per-CPU events with a target filter rather than per-task events:
 * a per-task event covers only threads that exist when it is created and
 * those they clone later (inheritance flows from the cloning thread), so
 * covering a running process means one event per existing thread, racing
 * its clone() calls, and per-task perf contexts switched on every context
 * switch of every one of them (a Go service runs hundreds of threads).
 * A per-CPU event sees every thread, old and new, with no race, costs one
 * event per CPU whatever the thread count, and is what system-wide
 * sessions need anyway. Its price is an interrupt on CPUs where no target
 * runs; exclude_idle keeps idle CPUs out of the handler, and the filtered
 * path is the cheapest one (filtered count and handler_ns in the stats
 * measure it; docs/benchmarks.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "ksampler.h"

/*
 * Handler nesting depth on this CPU, across sessions: an NMI (hardware
 * event) can interrupt a cpu-clock handler. The inner one drops its sample
 * rather than share the outer one's per-CPU unwind window.
 */
static DEFINE_PER_CPU(int, ks_nesting);

/* Counts how the walk of a written sample ended, one counter per reason. */
static void ks_count_walk(struct ks_cpu_stats *st, u16 flags)
{
	if (flags & KSAMPLER_SAMPLE_TRUNCATED)
		local64_inc(&st->truncated);
	if (flags & KSAMPLER_SAMPLE_SWITCHED)
		local64_inc(&st->stack_switched);
	if (!(flags & (KSAMPLER_SAMPLE_FAULT | KSAMPLER_SAMPLE_BAD_FRAME |
		       KSAMPLER_SAMPLE_LOOP | KSAMPLER_SAMPLE_SWITCH_LIMIT)))
		return;
	local64_inc(&st->unwind_stopped);
	if (flags & KSAMPLER_SAMPLE_FAULT)
		local64_inc(&st->unwind_fault);
	else if (flags & KSAMPLER_SAMPLE_BAD_FRAME)
		local64_inc(&st->unwind_bad_frame);
	else if (flags & KSAMPLER_SAMPLE_LOOP)
		local64_inc(&st->unwind_loop);
	else
		local64_inc(&st->unwind_switch_limit);
}

/*
 * When current's process started, as /proc/PID/stat gives it: its thread
 * group leader's start_boottime. Read in NMI or hard irq with no lock and
 * no RCU, which is safe because (fs/exec.c and kernel/exit.c, 6.1 through
 * 6.12):
 *  - ->group_leader changes only in de_thread(), when a thread other than
 *    the leader execs: that thread and the old leader get the new one.
 *    By then every other thread has exited, and so has the old leader:
 *    none has an mm, and the handler filters them out before this. The
 *    one current whose ->group_leader can change is the exec'ing thread,
 *    which makes no progress while we interrupt it;
 *  - de_thread() copies the old leader's start_boottime into the exec'ing
 *    thread before it makes that thread the leader, so both leaders it can
 *    be read from give the same value: the process's start never changes
 *    across its execs;
 *  - the leader's task_struct outlives its threads: a zombie leader is
 *    not reaped while other threads live, and de_thread()'s old leader is
 *    released by the exec'ing thread, after the switch;
 *  - start_boottime is set in copy_process() before the task can run, and
 *    de_thread() writes only the exec'ing thread's, before anyone can
 *    read it as a leader's.
 * READ_ONCE marks the lockless reads of fields others write with plain
 * stores.
 */
static u64 ks_proc_start_ns(void)
{
	struct task_struct *leader = READ_ONCE(current->group_leader);

	return READ_ONCE(leader->start_boottime);
}

static void ks_sample(struct ks_cpu *c, struct pt_regs *regs,
		      struct ks_cpu_stats *st, u64 now)
{
	struct ks_session *sess = c->sess;
	u32 max_frames = sess->cfg.max_frames;
	u32 fixed = ks_sample_fixed_size(&sess->cfg);
	struct ksampler_sample *rec;
	u64 *ips;
	u32 len;

	BUILD_BUG_ON(sizeof(*rec) != KSAMPLER_SAMPLE_FIXED_SIZE);
	BUILD_BUG_ON(offsetof(struct ksampler_sample, ips) !=
		     KSAMPLER_SAMPLE_FIXED_SIZE);
	BUILD_BUG_ON(KSAMPLER_SAMPLE_PROC_START_SIZE !=
		     KSAMPLER_SAMPLE_FIXED_SIZE + sizeof(u64));
	BUILD_BUG_ON(KSAMPLER_SAMPLE_PROC_START > U16_MAX);

	local64_add(ks_ring_flush_lost(&c->ring), &st->lost_records);
	rec = ks_ring_reserve(&c->ring, fixed + max_frames * sizeof(u64));
	if (unlikely(!rec)) {
		local64_inc(&st->lost_ring_full);
		ks_ring_lost(&c->ring, KSAMPLER_LOST_RING_FULL);
		return;
	}

	rec->header.type = KSAMPLER_RECORD_SAMPLE;
	rec->time_ns = now;
	rec->pid = __task_pid_nr_ns(current, PIDTYPE_TGID, sess->pid_ns);
	rec->tid = __task_pid_nr_ns(current, PIDTYPE_PID, sess->pid_ns);
	rec->cpu = c->cpu;
	/*
	 * Every exec bumps self_exec_id (and clone copies it): the
	 * collector tells images apart by it when a process execs.
	 */
	rec->exec_gen = (u16)READ_ONCE(current->self_exec_id);
	BUILD_BUG_ON(sizeof(rec->comm) != sizeof(current->comm));
	memcpy(rec->comm, current->comm, sizeof(rec->comm));
	ips = (void *)rec + fixed;
	ks_unwind_user(regs, rec, ips, max_frames,
		       !(sess->cfg.flags & KSAMPLER_CONFIG_NO_UNWIND));
	if (fixed == KSAMPLER_SAMPLE_PROC_START_SIZE) {
		/* proc_start_ns: the word where ips[] begins in the struct */
		rec->ips[0] = ks_proc_start_ns();
		rec->header.flags |= KSAMPLER_SAMPLE_PROC_START;
	}

	len = fixed + rec->nr_frames * sizeof(u64);
	rec->header.size = len;
	ks_ring_commit(&c->ring, rec, len);
	local64_inc(&st->written);
	ks_count_walk(st, rec->header.flags);
}

/*
 * The overflow handler: NMI context for hardware events, hard-irq (even on
 * PREEMPT_RT) for cpu-clock. No locks, no allocation, no printing, no
 * wake-ups (ring.c defers those): every outcome is a counter, and the
 * invariant fired == written + lost_* + filtered + counted holds by
 * construction.
 */
static void ks_overflow(struct perf_event *event, struct perf_sample_data *data,
			struct pt_regs *regs)
{
	struct ks_cpu *c = event->overflow_handler_context;
	struct ks_cpu_stats *st = this_cpu_ptr(c->sess->stats);
	u64 t0 = ktime_get_mono_fast_ns();

	local64_inc(&st->fired);
	if (ks_event_throttled(event))
		local64_inc(&st->throttled);

	if (unlikely(this_cpu_inc_return(ks_nesting) != 1)) {
		local64_inc(&st->lost_nested);
		ks_ring_lost(&c->ring, KSAMPLER_LOST_NESTED);
	} else if (!ks_task_has_user_stack(current) ||
		   !ks_targets_match(c->sess, current)) {
		local64_inc(&st->filtered);
	} else if (c->sess->cfg.flags & KSAMPLER_CONFIG_COUNT_ONLY) {
		local64_inc(&st->counted);
	} else {
		ks_sample(c, regs, st, t0);
	}
	this_cpu_dec(ks_nesting);

	local64_add(ktime_get_mono_fast_ns() - t0, &st->handler_ns);
}

static void ks_sampler_attr(const struct ksampler_config *cfg,
			    struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	if (cfg->event == KSAMPLER_EVENT_CYCLES) {
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_CPU_CYCLES;
	} else {
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = PERF_COUNT_SW_CPU_CLOCK;
		/* the idle task is no target: keep idle CPUs out of the handler */
		attr->exclude_idle = 1;
	}
	if (cfg->frequency) {
		attr->freq = 1;
		attr->sample_freq = cfg->frequency;
	} else {
		attr->sample_period = cfg->period;
	}
	/*
	 * Kernel mode stays included: a sample that lands in a syscall is
	 * the target's time too, and the handler walks the user registers
	 * saved at kernel entry. Excluding it would silently drop those.
	 */
	attr->exclude_hv = 1;
	attr->pinned = 1;
}

/*
 * Creates the session's event on @cpu. Process context: called from the
 * CPU's hotplug thread (hotplug.c). A failure stays in online_err, for
 * START to return and the stats to count.
 */
int ks_sampler_cpu_start(struct ks_session *sess, int cpu)
{
	struct ks_cpu *c = &sess->cpus[cpu];
	struct perf_event_attr attr;
	struct perf_event *event;

	ks_sampler_attr(&sess->cfg, &attr);
	event = perf_event_create_kernel_counter(&attr, cpu, NULL, ks_overflow,
						 c);
	WRITE_ONCE(c->online_err, PTR_ERR_OR_ZERO(event));
	if (IS_ERR(event))
		return PTR_ERR(event);
	ks_live_add(KS_LIVE_EVENTS, 1);
	WRITE_ONCE(c->event, event);
	return 0;
}

/*
 * Releases the session's event on @cpu. Once this returns the handler is
 * not running there and will not run again: perf removes the event on
 * its CPU (an IPI, after any NMI in flight) and cancels the hrtimer.
 */
void ks_sampler_cpu_stop(struct ks_session *sess, int cpu)
{
	struct ks_cpu *c = &sess->cpus[cpu];
	struct perf_event *event = c->event;

	if (!event)
		return;
	WRITE_ONCE(c->event, NULL);
	perf_event_release_kernel(event);
	ks_live_add(KS_LIVE_EVENTS, -1);
}

/*
 * Of the online CPUs, how many the running session samples, and how many
 * it does not: its event could not be created when the CPU came online,
 * or the PMU took a pinned counter away (perf then parks the event in the
 * error state, where it never fires again). Holding the hotplug lock keeps
 * every event from being released under us. Caller holds sess->lock.
 */
void ks_sampler_cpu_status(struct ks_session *sess, u32 *sampling, u32 *failed)
{
	struct perf_event *event;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		event = READ_ONCE(sess->cpus[cpu].event);
		if (event && READ_ONCE(event->state) > PERF_EVENT_STATE_ERROR)
			(*sampling)++;
		else
			(*failed)++;
	}
	cpus_read_unlock();
}
