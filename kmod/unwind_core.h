/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unwind_core.h - the user frame-pointer walk, free of kernel dependencies:
 * memory is read through a callback, so userspace/unwind_test.c builds this
 * same source against synthetic stacks, and bench/micro.c times it
 * (userspace/kshim.h gives it the kernel's annotations there).
 *
 * x86-64 frame: [fp] = caller's fp, [fp + 8] = return address.
 */
#ifndef _KSAMPLER_UNWIND_CORE_H
#define _KSAMPLER_UNWIND_CORE_H

#include <linux/types.h>

/*
 * Each read of user memory has a fixed cost (opening a user-access
 * section, a fault handler on standby) well above that of loading a few
 * dozen more words, so the walk reads a window of stack at a time and
 * serves the frames that fall inside it from the copy (see
 * docs/benchmarks.md). The chunk read is tunable up to this size; 16 means
 * one read per frame.
 */
#define KS_UNWIND_WINDOW	256

/*
 * A frame further than this above the previous one is not a step up the
 * same stack but a switch to another one (below).
 */
#define KS_UNWIND_MAX_FRAME	(8ULL << 20)

/*
 * Stack switches one walk follows. Go runs on at least two stacks per
 * thread and the frame-pointer chain crosses between them: time.now and
 * nanotime1 call the vdso on the g0 stack, systemstack and asmcgocall (every
 * cgo call) run their callee there, morestack runs newstack there; a cgo
 * callback comes back to the goroutine stack, and a signal handler runs on
 * its own. The deepest real case, Go calling C calling back into Go twice
 * over with a vdso call at the top, crosses five.
 */
#define KS_UNWIND_MAX_SWITCHES	6

/* Walk outcome bits; they map onto KSAMPLER_SAMPLE_* flags. */
#define KS_UNWIND_TRUNCATED	(1U << 0)	/* more frames than room */
#define KS_UNWIND_FAULT		(1U << 1)	/* a frame did not read */
#define KS_UNWIND_BAD_FRAME	(1U << 2)	/* misaligned, kernel, not code */
#define KS_UNWIND_LOOP		(1U << 3)	/* back into walked frames */
#define KS_UNWIND_SWITCH_LIMIT	(1U << 4)	/* one switch too many */

/* Copies @len bytes of user memory at @addr to @dst; 0 or nonzero. */
typedef int (*ks_unwind_read_t)(void *dst, __u64 addr, __u32 len);

/* Frame addresses one stretch of the walk went through, both included. */
struct ks_unwind_span {
	__u64 lo;
	__u64 hi;
};

struct ks_unwind_window {
	__u64 base;		/* user address of buf[0] */
	__u32 len;		/* valid bytes in buf; 0: empty */
	__u32 chunk;		/* bytes per read: 16..KS_UNWIND_WINDOW */
	__u64 user_end;		/* no user code at or above this address */
	__u32 switches;		/* out: stack switches the walk crossed */
	__u32 reserved;
	/* the stretches before each switch, in walk order */
	struct ks_unwind_span spans[KS_UNWIND_MAX_SWITCHES];
	__u8 buf[KS_UNWIND_WINDOW];
};

/* Reads the 16-byte frame at @fp, from the window when it is there. */
static inline int ks_unwind_frame(struct ks_unwind_window *w,
				  ks_unwind_read_t read, __u64 fp,
				  __u64 frame[2])
{
	__u64 off;

	if (w->len && fp >= w->base && fp - w->base + 16 <= w->len)
		goto hit;
	w->len = 0;
	if (!read(w->buf, fp, w->chunk)) {
		w->len = w->chunk;
	} else if (w->chunk > 16 && !read(w->buf, fp, 16)) {
		/* the window ran off the stack's mapping; the frame did not */
		w->len = 16;
	} else {
		return -1;
	}
	w->base = fp;
hit:
	off = fp - w->base;
	__builtin_memcpy(frame, w->buf + off, 16);
	return 0;
}

/*
 * ks_unwind_switch() - judge a frame pointer that is not a step up the
 * current stack: the stretch [@lo, @hi] ends and, if @to is acceptable, a
 * new one starts there. @to must not lie inside any stretch already walked
 * (that is a loop); the lowest stretch above @to becomes the new ceiling,
 * which the walk up from @to may not reach. Stretches are thus disjoint
 * intervals and no frame address is ever walked twice: the walk cannot
 * loop, whatever the stack holds. A switch is rare beside a step up one
 * stack: this judge stays out of the walk's loop (noinline, cold), whose
 * common frame keeps the code and registers it had before switches were
 * followed. Return: 0 or a KS_UNWIND_* reason.
 */
static __maybe_unused noinline __cold
__u32 ks_unwind_switch(struct ks_unwind_window *w, __u64 lo, __u64 hi,
		       __u64 to, __u64 *ceiling)
{
	__u64 above = ~0ULL;
	__u32 i;

	if ((to & 7) || to >= w->user_end - 16)
		return KS_UNWIND_BAD_FRAME;
	if (w->switches == KS_UNWIND_MAX_SWITCHES)
		return KS_UNWIND_SWITCH_LIMIT;
	w->spans[w->switches].lo = lo;
	w->spans[w->switches].hi = hi;
	w->switches++;
	for (i = 0; i < w->switches; i++) {
		if (to >= w->spans[i].lo && to <= w->spans[i].hi)
			return KS_UNWIND_LOOP;
		if (w->spans[i].lo > to && w->spans[i].lo < above)
			above = w->spans[i].lo;
	}
	*ceiling = above;
	return 0;
}

/**
 * ks_unwind_fp() - walk a frame-pointer chain
 * @w:		the window, empty (len 0) or holding stack read earlier
 * @read:	user memory reader
 * @sp:		user stack pointer at the sample: frames lie above it
 * @fp:		user frame pointer at the sample
 * @ips:	out: return addresses, outermost last
 * @max:	room in @ips
 * @nr:		out: entries written
 *
 * Within one stack every frame is 8-byte aligned, above @sp (the first) or
 * strictly above the one before it, and within KS_UNWIND_MAX_FRAME of it.
 * A frame pointer that breaks that rule is a switch to another stack,
 * followed up to KS_UNWIND_MAX_SWITCHES times if it leads to user memory
 * outside every stretch walked so far (ks_unwind_switch()). Every frame
 * must hold a return address below @w->user_end; the walk ends cleanly at
 * a zero frame pointer or return address. Code built without frame
 * pointers uses the register for data, and the chain it leaves can hold
 * anything: a value no user code can sit at is the surest sign of it, and
 * the collector checks the rest against the process's code mappings.
 *
 * The common frame costs one comparison more than a walk that refuses
 * every switch: the ceiling. Sets @w->switches.
 *
 * Return: KS_UNWIND_* bits saying why the walk ended early, 0 if it
 * reached the outermost frame.
 */
static inline __u32 ks_unwind_fp(struct ks_unwind_window *w,
				 ks_unwind_read_t read, __u64 sp, __u64 fp,
				 __u64 *ips, __u32 max, __u32 *nr)
{
	__u64 frame[2], lo = sp, ceiling = ~0ULL;
	__u32 n = 0, why = 0;

	w->switches = 0;
	if (!fp)
		goto out;
	if ((fp & 7) || fp < sp || fp - sp > KS_UNWIND_MAX_FRAME) {
		/* the leaf already runs on another stack than its caller */
		why = ks_unwind_switch(w, sp, sp, fp, &ceiling);
		if (why)
			goto out;
		lo = fp;
	}
	for (;;) {
		if (ks_unwind_frame(w, read, fp, frame)) {
			why = KS_UNWIND_FAULT;
			break;
		}
		if (!frame[1])
			break;
		if (frame[1] >= w->user_end) {
			why = KS_UNWIND_BAD_FRAME;
			break;
		}
		if (n == max) {
			why = KS_UNWIND_TRUNCATED;
			break;
		}
		ips[n++] = frame[1];
		if (!frame[0])
			break;
		if (frame[0] <= fp || frame[0] - fp > KS_UNWIND_MAX_FRAME ||
		    frame[0] >= ceiling || (frame[0] & 7)) {
			why = ks_unwind_switch(w, lo, fp, frame[0], &ceiling);
			if (why)
				break;
			lo = frame[0];
		}
		fp = frame[0];
	}
out:
	*nr = n;
	return why;
}

#endif /* _KSAMPLER_UNWIND_CORE_H */
