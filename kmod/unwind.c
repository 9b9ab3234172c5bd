// SPDX-License-Identifier: GPL-2.0-only
/*
 * unwind.c - the user stack of the interrupted task: which registers to
 * start from, the frame-pointer walk (unwind_core.h) over fault-safe
 * copies, and the registers userspace needs to repair frameless leaves.
 * Runs in NMI or hard-irq context.
 */
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "ksampler.h"
#include "unwind_core.h"

/*
 * The copy window lives per CPU, not on the stack: the NMI stack is 4 KiB
 * and perf's own frames already use much of it. Callers hold the
 * sampler's per-CPU nesting guard, which makes it exclusive.
 */
static DEFINE_PER_CPU(struct ks_unwind_window, ks_unwind_windows);

/*
 * copy_from_user_nofault() checks nmi_uaccess_okay() (a CR3 switch may be
 * in flight under an NMI) and disables page faults: a page that is not
 * resident ends the walk instead of sleeping.
 */
static int ks_unwind_read(void *dst, __u64 addr, __u32 len)
{
	return copy_from_user_nofault(dst, u64_to_user_ptr(addr), len);
}

/**
 * ks_unwind_user() - fill the register and stack fields of a sample
 * @regs:	registers at the interrupt (user or kernel mode)
 * @rec:	the record, with room for @max_frames entries in ips[]
 * @max_frames:	1..KSAMPLER_MAX_FRAMES
 * @walk:	false to record the leaf and registers only
 *
 * When the interrupt hit the kernel (a syscall, a page fault), the user
 * registers saved at kernel entry stand in for the interrupted ones.
 * Sets rec->nr_frames and KSAMPLER_SAMPLE_* bits in rec->header.flags.
 * The caller holds the sampler's per-CPU nesting guard.
 */
void ks_unwind_user(struct pt_regs *regs, struct ksampler_sample *rec,
		    u32 max_frames, bool walk)
{
	struct ks_unwind_window *window = this_cpu_ptr(&ks_unwind_windows);
	u32 nr, why;
	u16 flags = 0;

	if (!user_mode(regs)) {
		regs = task_pt_regs(current);
		flags |= KSAMPLER_SAMPLE_IN_KERNEL;
	}
	rec->user_ip = regs->ip;
	rec->user_sp = regs->sp;
	rec->user_bp = regs->bp;
	rec->sp_word = 0;
	rec->ips[0] = regs->ip;
	rec->nr_frames = 1;

	if (!user_64bit_mode(regs)) {
		rec->header.flags = flags | KSAMPLER_SAMPLE_COMPAT;
		return;
	}
	window->chunk = walk ? ks_unwind_window_bytes : sizeof(rec->sp_word);
	window->user_end = TASK_SIZE_MAX;
	if (!ks_unwind_prime(window, ks_unwind_read, regs->sp, &rec->sp_word))
		flags |= KSAMPLER_SAMPLE_SP_WORD;
	if (!walk) {
		rec->header.flags = flags;
		return;
	}
	why = ks_unwind_fp(window, ks_unwind_read, regs->sp, regs->bp,
			   &rec->ips[1], max_frames - 1, &nr);
	rec->nr_frames += nr;
	if (why & KS_UNWIND_TRUNCATED)
		flags |= KSAMPLER_SAMPLE_TRUNCATED;
	if (why & KS_UNWIND_FAULT)
		flags |= KSAMPLER_SAMPLE_FAULT;
	if (why & KS_UNWIND_BAD_FRAME)
		flags |= KSAMPLER_SAMPLE_BAD_FRAME;
	rec->header.flags = flags;
}
