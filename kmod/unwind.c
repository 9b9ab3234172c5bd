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
 * The one checked read of a sample, the word at SP. copy_from_user_nofault()
 * checks nmi_uaccess_okay() (an NMI may land while the CPU switches mm, with
 * CR3 not yet the current task's) and disables page faults, so a page that
 * is not resident ends the read instead of sleeping.
 */
static int ks_unwind_read_checked(void *dst, __u64 addr, __u32 len)
{
	return copy_from_user_nofault(dst, u64_to_user_ptr(addr), len);
}

/*
 * The frame reads, once ks_unwind_read_checked() has succeeded in this
 * handler: the mm it saw loaded cannot change before the handler returns
 * (an NMI or a hard irq stops the code it interrupted), so the check holds
 * for every later read. Word loads inside one user-access section cost a
 * few instructions each; copy_from_user_nofault() adds a call chain and,
 * on CPUs with ERMS, a rep movsb that emulators run a byte at a time
 * (docs/benchmarks.md). @len is a multiple of 8.
 */
static int ks_unwind_read_words(void *dst, __u64 addr, __u32 len)
{
	const u64 __user *src = u64_to_user_ptr(addr);
	u64 *words = dst;
	u32 i;
	int ret = -EFAULT;

	pagefault_disable();
	if (!user_access_begin(src, len))
		goto out;
	for (i = 0; i < len / sizeof(u64); i++)
		unsafe_get_user(words[i], &src[i], fault);
	ret = 0;
fault:
	user_access_end();
out:
	pagefault_enable();
	return ret;
}

/**
 * ks_unwind_user() - fill the register and stack fields of a sample
 * @regs:	registers at the interrupt (user or kernel mode)
 * @rec:	the record
 * @ips:	its frames, with room for @max_frames entries: rec->ips, or
 *		past proc_start_ns when the record carries it
 * @max_frames:	1..KSAMPLER_MAX_FRAMES
 * @walk:	false to record the leaf and registers only
 *
 * When the interrupt hit the kernel (a syscall, a page fault), the user
 * registers saved at kernel entry stand in for the interrupted ones.
 * Sets rec->nr_frames and KSAMPLER_SAMPLE_* bits in rec->header.flags.
 * The caller holds the sampler's per-CPU nesting guard.
 */
void ks_unwind_user(struct pt_regs *regs, struct ksampler_sample *rec,
		    u64 *ips, u32 max_frames, bool walk)
{
	struct ks_unwind_window *window = this_cpu_ptr(&ks_unwind_windows);
	bool checked;
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
	ips[0] = regs->ip;
	rec->nr_frames = 1;

	if (!user_64bit_mode(regs)) {
		rec->header.flags = flags | KSAMPLER_SAMPLE_COMPAT;
		return;
	}
	checked = !ks_unwind_read_checked(&rec->sp_word, regs->sp,
					  sizeof(rec->sp_word));
	if (checked)
		flags |= KSAMPLER_SAMPLE_SP_WORD;
	else
		rec->sp_word = 0;
	if (!walk) {
		rec->header.flags = flags;
		return;
	}
	window->chunk = ks_unwind_window_bytes;
	window->user_end = TASK_SIZE_MAX;
	window->len = 0;
	/*
	 * Each call site passes a constant reader, which the compiler inlines
	 * into the walk: no indirect call (a retpoline) per frame. An SP
	 * that does not read (a fresh stack page not yet touched) leaves the
	 * frames above it to the checked reader.
	 */
	if (checked)
		why = ks_unwind_fp(window, ks_unwind_read_words, regs->sp,
				   regs->bp, &ips[1], max_frames - 1, &nr);
	else
		why = ks_unwind_fp(window, ks_unwind_read_checked, regs->sp,
				   regs->bp, &ips[1], max_frames - 1, &nr);
	rec->nr_frames += nr;
	if (why & KS_UNWIND_TRUNCATED)
		flags |= KSAMPLER_SAMPLE_TRUNCATED;
	if (why & KS_UNWIND_FAULT)
		flags |= KSAMPLER_SAMPLE_FAULT;
	if (why & KS_UNWIND_BAD_FRAME)
		flags |= KSAMPLER_SAMPLE_BAD_FRAME;
	if (why & KS_UNWIND_LOOP)
		flags |= KSAMPLER_SAMPLE_LOOP;
	if (why & KS_UNWIND_SWITCH_LIMIT)
		flags |= KSAMPLER_SAMPLE_SWITCH_LIMIT;
	if (window->switches)
		flags |= KSAMPLER_SAMPLE_SWITCHED;
	rec->header.flags = flags;
}
