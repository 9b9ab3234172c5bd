/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring_core.h - the ring's index arithmetic, free of kernel dependencies so
 * that tests/unit builds the same source into a userspace test.
 *
 * Positions are free-running 64-bit byte counts; size is a power of two.
 */
#ifndef _KSAMPLER_RING_CORE_H
#define _KSAMPLER_RING_CORE_H

#include <linux/types.h>

/*
 * A tail published by userspace is untrusted. The valid range is
 * [head - size, head], 8-byte aligned; anything else is clamped to the
 * nearest bound, which can only cost the caller its own unread records,
 * never let the writer overrun memory.
 */
static inline __u64 ks_ring_clamp_tail(__u64 head, __u64 tail, __u64 size)
{
	tail &= ~(__u64)7;
	if (tail > head)
		return head;
	if (head - tail > size)
		return head - size;
	return tail;
}

/**
 * ks_ring_place() - where a record of @len bytes goes
 * @head:	current head
 * @tail:	clamped tail
 * @size:	ring size in bytes
 * @len:	record length, a multiple of 8, at most @size
 * @pad:	out: bytes of PAD record needed first to reach the start of
 *		the buffer (0 when the record fits before the end)
 *
 * Records never wrap: one that would cross the end of the buffer is
 * preceded by a PAD record filling the rest. Return: true if @pad + @len
 * bytes are free.
 */
static inline bool ks_ring_place(__u64 head, __u64 tail, __u64 size,
				 __u32 len, __u32 *pad)
{
	__u64 off = head & (size - 1);
	__u64 contiguous = size - off;

	*pad = len > contiguous ? (__u32)contiguous : 0;
	return size - (head - tail) >= (__u64)*pad + len;
}

/**
 * ks_ring_wakeup_due() - does this commit carry the fill over the mark?
 * @fill_before:	bytes unread before the reserve (PAD not counted)
 * @fill_after:		bytes unread once the record is published
 * @wakeup_bytes:	the reader's watermark
 *
 * Once per crossing, not per record. The fill before must be taken
 * before any PAD the reserve adds: a PAD alone may cross the mark, and
 * the record after it must still wake the reader.
 */
static inline bool ks_ring_wakeup_due(__u64 fill_before, __u64 fill_after,
				      __u64 wakeup_bytes)
{
	return fill_before < wakeup_bytes && fill_after >= wakeup_bytes;
}

#endif /* _KSAMPLER_RING_CORE_H */
