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
 *
 * The control page is writable by its reader, who may be hostile: no value
 * read from it ever sizes or places a kernel-side access. The kernel keeps
 * its own head (head_pub), clamps data_tail at each use, and bounds every
 * copy to the buffer, so a forged page costs its reader its own records
 * and can never move a copy outside the ring's memory.
 *
 * Memory: pages allocated one by one and charged to the opener's memory
 * cgroup (__GFP_ACCOUNT), seen by the kernel through one vmap and by
 * userspace through vm_insert_page(), which holds a reference on each page
 * for as long as it stays mapped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "ksampler.h"
#include "ring_core.h"

/* What a ring of @pages data pages costs: those and its control page. */
u64 ks_ring_bytes(u32 pages)
{
	return (1 + (u64)pages) * PAGE_SIZE;
}

static void ks_ring_free_pages(struct ks_ring *ring)
{
	u32 i;

	if (ring->base)
		vunmap(ring->base);
	for (i = 0; i < ring->nr_pages; i++)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
	ring->base = NULL;
	ring->pages = NULL;
	ring->nr_pages = 0;
}

int ks_ring_alloc(struct ks_ring *ring, int cpu, u32 pages, u32 wakeup_bytes,
		  struct irq_work *wakeup)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN;
	u32 n = pages + 1;

	ring->nr_pages = 0;
	ring->base = NULL;
	ring->pages = kvcalloc(n, sizeof(*ring->pages), GFP_KERNEL_ACCOUNT);
	if (!ring->pages)
		return -ENOMEM;
	while (ring->nr_pages < n) {
		ring->pages[ring->nr_pages] =
			alloc_pages_node(cpu_to_node(cpu), gfp, 0);
		if (!ring->pages[ring->nr_pages])
			goto err;
		ring->nr_pages++;
	}
	ring->base = vmap(ring->pages, n, VM_MAP, PAGE_KERNEL);
	if (!ring->base)
		goto err;
	ks_live_add(KS_LIVE_RING_BYTES, ks_ring_bytes(pages));
	ring->ctrl = ring->base;
	ring->data = ring->base + PAGE_SIZE;
	ring->size = (u64)pages * PAGE_SIZE;
	ring->head = 0;
	ring->head_pub = 0;
	ring->wakeup_bytes = wakeup_bytes;
	memset(ring->pending_lost, 0, sizeof(ring->pending_lost));
	ring->ctrl->data_size = ring->size;
	ring->ctrl->cpu = cpu;
	ring->wakeup = wakeup;
	return 0;

err:
	ks_ring_free_pages(ring);
	return -ENOMEM;
}

/*
 * Only once no handler can run (session teardown, or CONFIGURE of a
 * stopped session); pages still mapped stay alive through their mappings.
 */
void ks_ring_free(struct ks_ring *ring)
{
	if (!ring->base)
		return;
	ks_live_add(KS_LIVE_RING_BYTES, -(long)ks_ring_bytes(ring->size >> PAGE_SHIFT));
	ks_ring_free_pages(ring);
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
	/* for read() and poll(), which must not trust the page's copy */
	smp_store_release(&ring->head_pub, ring->head);

	if (ks_ring_wakeup_due(ring->fill_seen, ring->head - ring->tail_seen,
			       ring->wakeup_bytes))
		irq_work_queue(ring->wakeup);
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

/*
 * At or above the watermark. The session caps the watermark below the
 * fill at which the writer starts dropping, so a ring that drops is
 * always readable: its reader was woken when the fill crossed the mark,
 * and a poll() now does not sleep.
 */
bool ks_ring_readable(struct ks_ring *ring)
{
	u64 head = smp_load_acquire(&ring->head_pub); /* pairs with commit */
	u64 tail = ks_ring_clamp_tail(head, READ_ONCE(ring->ctrl->data_tail),
				      ring->size);

	return head - tail >= ring->wakeup_bytes;
}

/*
 * Maps the control page (read-write: the reader owns data_tail) or the
 * data pages (read-only: records are the kernel's word); never executable,
 * never private: a private copy of the control page would hide data_tail
 * from the kernel (perf refuses it too). The mapping keeps the file, and
 * so the session and this ring, alive until it goes.
 */
int ks_ring_mmap(struct ks_ring *ring, struct vm_area_struct *vma, bool ctrl)
{
	unsigned long pages = vma_pages(vma);

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (ctrl ? pages != 1 : pages != ring->nr_pages - 1)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	ks_vm_flags_clear(vma, VM_MAYEXEC);
	if (!ctrl) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		ks_vm_flags_clear(vma, VM_MAYWRITE);
	}
	ks_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	return vm_map_pages_zero(vma, ctrl ? ring->pages : ring->pages + 1,
				 pages);
}

/*
 * The read() fallback: copies whole records, oldest first, and consumes
 * them. PAD records are consumed but not copied. The caller holds the
 * session's read_lock (one reader at a time) and not its lock, since the
 * copy can fault.
 *
 * The range is the kernel's own [clamped tail, head_pub). A tail set by
 * hand can land inside a record, where the "header" is whatever the
 * record held there: its size is checked against the unread bytes and
 * the end of the buffer, so the worst it does is hand back bytes of this
 * ring, which the reader can mmap anyway. The size is read once: the
 * writer may be overwriting it as we go, if the reader released the
 * space by moving data_tail.
 * Return: bytes copied, or -EFAULT if not even the first record could be.
 */
ssize_t ks_ring_read(struct ks_ring *ring, char __user *buf, size_t len)
{
	struct ksampler_record_header *hdr;
	u64 head, tail, off;
	size_t done = 0;
	u32 size;

	head = smp_load_acquire(&ring->head_pub); /* pairs with commit */
	tail = ks_ring_clamp_tail(head, READ_ONCE(ring->ctrl->data_tail),
				  ring->size);
	while (tail < head) {
		off = tail & (ring->size - 1);
		hdr = ring->data + off;
		size = READ_ONCE(hdr->size);
		if (size < sizeof(*hdr) || size & 7 || size > head - tail ||
		    size > ring->size - off) {
			tail = head;	/* not a record: give up the rest */
			break;
		}
		if (READ_ONCE(hdr->type) != KSAMPLER_RECORD_PAD) {
			if (size > len - done)
				break;
			/* a fault keeps this record for the next read() */
			if (copy_to_user(buf + done, hdr, size)) {
				if (!done)
					return -EFAULT;
				break;
			}
			done += size;
		}
		tail += size;
	}
	smp_store_release(&ring->ctrl->data_tail, tail); /* (D) */
	return done;
}
