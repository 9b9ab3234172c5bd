// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ring.h"

struct ring_map {
	struct ksampler_ring_ctrl *ctrl;	/* NULL: CPU not possible */
	const uint8_t *data;
	uint64_t data_size;
};

struct ring_set {
	unsigned int nr;
	size_t page_size;
	struct ring_map map[];
};

struct ring_set *ring_set__open(int fd, unsigned int nr_cpu_ids,
				unsigned int ring_pages, size_t page_size)
{
	size_t data_len = (size_t)ring_pages * page_size;
	struct ring_set *rings;
	struct ring_map *m;
	unsigned int cpu;
	void *p;
	int err;

	rings = calloc(1, sizeof(*rings) + nr_cpu_ids * sizeof(rings->map[0]));
	if (!rings)
		return NULL;
	rings->nr = nr_cpu_ids;
	rings->page_size = page_size;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		m = &rings->map[cpu];
		p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)(KSAMPLER_MMAP_CTRL_PGOFF(cpu) * page_size));
		if (p == MAP_FAILED) {
			if (errno == EINVAL)
				continue;	/* not a possible CPU */
			goto err;
		}
		m->ctrl = p;
		p = mmap(NULL, data_len, PROT_READ, MAP_SHARED, fd,
			 (off_t)(KSAMPLER_MMAP_DATA_PGOFF(cpu) * page_size));
		if (p == MAP_FAILED)
			goto err;
		m->data = p;
		m->data_size = data_len;
	}
	return rings;
err:
	err = errno;
	ring_set__close(rings);
	errno = err;
	return NULL;
}

void ring_set__close(struct ring_set *rings)
{
	unsigned int cpu;

	if (!rings)
		return;
	for (cpu = 0; cpu < rings->nr; cpu++) {
		if (rings->map[cpu].ctrl)
			munmap(rings->map[cpu].ctrl, rings->page_size);
		if (rings->map[cpu].data)
			munmap((void *)rings->map[cpu].data,
			       rings->map[cpu].data_size);
	}
	free(rings);
}

long ring_drain_one(struct ksampler_ring_ctrl *ctrl, const uint8_t *data,
		    uint64_t data_size, unsigned int cpu, ring_record_fn fn,
		    void *ctx)
{
	const struct ksampler_record_header *rec;
	uint64_t head, tail, off;
	long n = 0;
	int err = 0;

	/* (C): pairs with the kernel's (B) in ks_ring_commit(), kmod/ring.c */
	head = __atomic_load_n(&ctrl->data_head, __ATOMIC_ACQUIRE);
	tail = ctrl->data_tail;
	/*
	 * Positions the module never writes: a head more than a ring ahead
	 * (draining it would go round and round), or not 8-byte aligned.
	 */
	if (head - tail > data_size || (head | tail) & 7) {
		__atomic_store_n(&ctrl->data_tail, head, __ATOMIC_RELEASE);
		return -EBADMSG;
	}
	while (tail < head) {
		off = tail & (data_size - 1);
		rec = (const void *)(data + off);
		if (head - tail < sizeof(*rec) || rec->size < sizeof(*rec) ||
		    rec->size % 8 || rec->size > head - tail ||
		    rec->size > data_size - off) {
			tail = head;
			err = -EBADMSG;
			break;
		}
		if (rec->type != KSAMPLER_RECORD_PAD) {
			err = fn(rec, cpu, ctx);
			if (err < 0)
				break;
			n++;
		}
		tail += rec->size;
	}
	/* (D): pairs with the kernel's (A) in ks_ring_tail(), kmod/ring.c */
	__atomic_store_n(&ctrl->data_tail, tail, __ATOMIC_RELEASE);
	return err < 0 ? err : n;
}

long ring_set__drain(struct ring_set *rings, ring_record_fn fn, void *ctx)
{
	struct ring_map *m;
	unsigned int cpu;
	long n, total = 0;
	int bad = 0;

	for (cpu = 0; cpu < rings->nr; cpu++) {
		m = &rings->map[cpu];
		if (!m->ctrl)
			continue;
		n = ring_drain_one(m->ctrl, m->data, m->data_size, cpu, fn, ctx);
		if (n == -EBADMSG) {
			bad = 1;	/* that ring is skipped; drain the rest */
			continue;
		}
		if (n < 0)
			return n;
		total += n;
	}
	return bad ? -EBADMSG : total;
}
