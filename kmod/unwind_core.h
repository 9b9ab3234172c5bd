/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unwind_core.h - the user frame-pointer walk, free of kernel dependencies:
 * memory is read through a callback, so tests/unit builds this same source
 * into a userspace test against synthetic stacks.
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

/* A frame further than this above the previous one is not believed. */
#define KS_UNWIND_MAX_FRAME	(8ULL << 20)

/* Walk outcome bits; they map onto KSAMPLER_SAMPLE_* flags. */
#define KS_UNWIND_TRUNCATED	(1U << 0)
#define KS_UNWIND_FAULT		(1U << 1)
#define KS_UNWIND_BAD_FRAME	(1U << 2)

/* Copies @len bytes of user memory at @addr to @dst; 0 or nonzero. */
typedef int (*ks_unwind_read_t)(void *dst, __u64 addr, __u32 len);

struct ks_unwind_window {
	__u64 base;		/* user address of buf[0] */
	__u32 len;		/* valid bytes in buf; 0: empty */
	__u32 chunk;		/* bytes per read: 16..KS_UNWIND_WINDOW */
	__u64 user_end;		/* no user code at or above this address */
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
 * Every frame must be 8-byte aligned, above @sp, strictly above the one
 * before it, and within KS_UNWIND_MAX_FRAME of it, and hold a return
 * address below @w->user_end; the walk ends cleanly at a zero frame
 * pointer or return address. Code built without frame pointers uses the
 * register for data, and the chain it leaves can hold anything: a value
 * no user code can sit at is the surest sign of it.
 *
 * Return: KS_UNWIND_* bits saying why the walk ended early, 0 if it
 * reached the outermost frame.
 */
static inline __u32 ks_unwind_fp(struct ks_unwind_window *w,
				 ks_unwind_read_t read, __u64 sp, __u64 fp,
				 __u64 *ips, __u32 max, __u32 *nr)
{
	__u64 frame[2];
	__u32 n = 0;

	if (!fp)
		goto out;
	if ((fp & 7) || fp < sp || fp - sp > KS_UNWIND_MAX_FRAME) {
		*nr = 0;
		return KS_UNWIND_BAD_FRAME;
	}
	for (;;) {
		if (ks_unwind_frame(w, read, fp, frame)) {
			*nr = n;
			return KS_UNWIND_FAULT;
		}
		if (!frame[1])
			break;
		if (frame[1] >= w->user_end) {
			*nr = n;
			return KS_UNWIND_BAD_FRAME;
		}
		if (n == max) {
			*nr = n;
			return KS_UNWIND_TRUNCATED;
		}
		ips[n++] = frame[1];
		if (!frame[0])
			break;
		if ((frame[0] & 7) || frame[0] <= fp ||
		    frame[0] - fp > KS_UNWIND_MAX_FRAME) {
			*nr = n;
			return KS_UNWIND_BAD_FRAME;
		}
		fp = frame[0];
	}
out:
	*nr = n;
	return 0;
}

#endif /* _KSAMPLER_UNWIND_CORE_H */
