// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c - one CPU's ring of one session: its memory, the writer side of
 * the record protocol, the LOST records that report drops in-band, and the
 * ways userspace reads it (mmap, read(), poll readiness).
 *
 * Protocol (perf's; ksampler_uapi.h gives the user half):
 *
 *   kernel (this file, one writer per ring)    user (one reader per ring)
 *   tail = READ_ONCE(ctrl->data_tail)          head = load_acquire(data_head)
 *   if (no room) drop            (A)           (C) pairs with (B)
 *   write record                               read records < head
 *   smp_wmb()                    (B)           (D) pairs with (A)
 *   WRITE_ONCE(ctrl->data_head)                store_release(data_tail)
 *
 * (A) is a control dependency: no record store can be issued before the
 * tail load it depends on, so the writer never overwrites data the reader
 * has not released with (D).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "ksampler.h"
#include "ring_core.h"

/*
 * Wake-ups are deferred to irq_work because the writer runs in NMI or
 * hard-irq context, where wake_up() (a sleeping lock on PREEMPT_RT) is not
 * allowed; on RT this work runs in a thread, where it is.
 */
static void ks_ring_wakeup(struct irq_work *work)
{
	struct ks_ring *ring = container_of(work, struct ks_ring, wakeup);

	wake_up_interruptible(ring->wait);
}

int ks_ring_alloc(struct ks_ring *ring, int cpu, u32 pages, u32 wakeup_bytes,
		  wait_queue_head_t *wait)
{
	ring->base = vmalloc_user((1 + (size_t)pages) * PAGE_SIZE);
	if (!ring->base)
		return -ENOMEM;
	ks_live_add(KS_LIVE_RING_BYTES, (1 + (long)pages) * PAGE_SIZE);
	ring->ctrl = ring->base;
	ring->data = ring->base + PAGE_SIZE;
	ring->size = (u64)pages * PAGE_SIZE;
	ring->head = 0;
	ring->wakeup_bytes = wakeup_bytes;
	memset(ring->pending_lost, 0, sizeof(ring->pending_lost));
	ring->ctrl->data_size = ring->size;
	ring->ctrl->cpu = cpu;
	init_irq_work(&ring->wakeup, ks_ring_wakeup);
	ring->wait = wait;
	return 0;
}

/* Only once no handler can run and no mapping remains (session teardown). */
void ks_ring_free(struct ks_ring *ring)
{
	if (!ring->base)
		return;
	irq_work_sync(&ring->wakeup);
	vfree(ring->base);
	ks_live_add(KS_LIVE_RING_BYTES, -(long)(PAGE_SIZE + ring->size));
	ring->base = NULL;
}

static u64 ks_ring_tail(struct ks_ring *ring)
{
	/* (A): the caller's space check orders record stores after this. */
	return ks_ring_clamp_tail(ring->head, READ_ONCE(ring->ctrl->data_tail),
				  ring->size);
}

/**
 * ks_ring_reserve() - room for a record of at most @len_max bytes
 * @ring:	the ring, on its own CPU with the nesting guard held
 * @len_max:	the largest the record can turn out to be (multiple of 8)
 *
 * Fills the end of the buffer with a PAD record if the record could cross
 * it. The caller writes the record, then calls ks_ring_commit() with its
 * real length, which may be shorter.
 *
 * Return: where to write, or NULL when the ring is full.
 */
void *ks_ring_reserve(struct ks_ring *ring, u32 len_max)
{
	struct ksampler_record_header *pad;
	u32 pad_len;

	ring->tail_seen = ks_ring_tail(ring);
	ring->fill_seen = ring->head - ring->tail_seen;
	if (!ks_ring_place(ring->head, ring->tail_seen, ring->size, len_max,
			   &pad_len))
		return NULL;
	if (pad_len) {
		pad = ring->data + (ring->head & (ring->size - 1));
		pad->size = pad_len;
		pad->type = KSAMPLER_RECORD_PAD;
		pad->flags = 0;
		ring->head += pad_len;
	}
	return ring->data + (ring->head & (ring->size - 1));
}

/*
 * Publishes the record ks_ring_reserve() handed out. The fill it compares
 * with the watermark uses the tail that reserve read, rather than loading
 * the reader's cache line a second time per record.
 */
void ks_ring_commit(struct ks_ring *ring, void *rec, u32 len)
{
	ring->head += len;
	smp_wmb(); /* (B): records before head; pairs with user (C) */
	WRITE_ONCE(ring->ctrl->data_head, ring->head);

	if (ks_ring_wakeup_due(ring->fill_seen, ring->head - ring->tail_seen,
			       ring->wakeup_bytes))
		irq_work_queue(&ring->wakeup);
}

/* Counts a dropped sample, to be reported by the next LOST record. */
void ks_ring_lost(struct ks_ring *ring, enum ksampler_lost_reason reason)
{
	ring->pending_lost[reason]++;
}

/*
 * Writes a LOST record for every reason with drops not yet reported. The
 * ring's one writer calls it: its CPU's handler, or STOP once no handler
 * can run. Return: the number of records written.
 */
u32 ks_ring_flush_lost(struct ks_ring *ring)
{
	struct ksampler_lost *rec;
	u32 reason, written = 0;

	for (reason = 1; reason < KSAMPLER_LOST_MAX; reason++) {
		if (!ring->pending_lost[reason])
			continue;
		rec = ks_ring_reserve(ring, KSAMPLER_LOST_SIZE);
		if (!rec)
			break;
		rec->header.size = KSAMPLER_LOST_SIZE;
		rec->header.type = KSAMPLER_RECORD_LOST;
		rec->header.flags = 0;
		rec->reason = reason;
		rec->reserved = 0;
		rec->count = ring->pending_lost[reason];
		ring->pending_lost[reason] = 0;
		ks_ring_commit(ring, rec, KSAMPLER_LOST_SIZE);
		written++;
	}
	return written;
}

bool ks_ring_readable(struct ks_ring *ring)
{
	u64 head = READ_ONCE(ring->ctrl->data_head);
	u64 tail = ks_ring_clamp_tail(head, READ_ONCE(ring->ctrl->data_tail),
				      ring->size);

	return head - tail >= ring->wakeup_bytes;
}

/*
 * Maps the control page (read-write: the reader owns data_tail) or the
 * data pages (read-only: records are the kernel's word); never executable.
 * The mapping keeps the file, and so the session and this ring, alive
 * until it goes.
 */
int ks_ring_mmap(struct ks_ring *ring, struct vm_area_struct *vma, bool ctrl)
{
	unsigned long pages = vma_pages(vma);

	if (ctrl ? pages != 1 : pages != ring->size >> PAGE_SHIFT)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	ks_vm_flags_clear(vma, VM_MAYEXEC);
	if (!ctrl) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		ks_vm_flags_clear(vma, VM_MAYWRITE);
	}
	ks_vm_flags_set(vma, VM_DONTCOPY);
	return remap_vmalloc_range(vma, ring->base, ctrl ? 0 : 1);
}

/*
 * The read() fallback: copies whole records, oldest first, and consumes
 * them. PAD records are consumed but not copied. The caller holds the
 * session lock: one reader at a time.
 * Return: bytes copied, or -EFAULT.
 */
ssize_t ks_ring_read(struct ks_ring *ring, char __user *buf, size_t len)
{
	struct ksampler_record_header *hdr;
	u64 head, tail;
	size_t done = 0;

	head = smp_load_acquire(&ring->ctrl->data_head); /* (C) */
	tail = ks_ring_clamp_tail(head, READ_ONCE(ring->ctrl->data_tail),
				  ring->size);
	while (tail < head) {
		hdr = ring->data + (tail & (ring->size - 1));
		/*
		 * A tail the reader set by hand can land inside a record:
		 * what it then finds is no header. It loses its own unread
		 * records, and nothing else.
		 */
		if (hdr->size < sizeof(*hdr) || hdr->size & 7 ||
		    hdr->size > head - tail) {
			tail = head;
			break;
		}
		if (hdr->type != KSAMPLER_RECORD_PAD) {
			if (hdr->size > len - done)
				break;
			if (copy_to_user(buf + done, hdr, hdr->size))
				return -EFAULT;
			done += hdr->size;
		}
		tail += hdr->size;
	}
	smp_store_release(&ring->ctrl->data_tail, tail); /* (D) */
	return done;
}
