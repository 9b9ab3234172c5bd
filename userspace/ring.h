/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.h - the reader side of a session's per-CPU rings: map them, and
 * hand every record to a callback, oldest first per CPU.
 *
 * Records are validated for framing (size, alignment, bounds) before the
 * callback sees them; their contents are the sample decoder's business.
 */
#ifndef PROFCTL_RING_H
#define PROFCTL_RING_H

#include <stddef.h>
#include <stdint.h>

#include <ksampler_uapi.h>

struct ring_set;

/*
 * Maps every possible CPU's ring of the configured session on @fd.
 * @nr_cpu_ids and @page_size come from GET_VERSION, @ring_pages from the
 * configuration. CPUs that cannot exist (holes in the possible map) are
 * skipped. Returns NULL with errno set.
 */
struct ring_set *ring_set__open(int fd, unsigned int nr_cpu_ids,
				unsigned int ring_pages, size_t page_size);

/* Unmaps the rings. Accepts NULL. */
void ring_set__close(struct ring_set *rings);

/*
 * Called for each record, which stays valid only during the call. A
 * negative return stops the drain with that error; the record is not
 * consumed.
 */
typedef int (*ring_record_fn)(const struct ksampler_record_header *rec,
			      unsigned int cpu, void *ctx);

/*
 * Consumes every record published so far on every ring (PAD records are
 * skipped silently). Returns the number of records handed to @fn, or a
 * negative error: @fn's, or -EBADMSG when a ring holds something that is
 * not a record (that ring is skipped to its head, the others drained).
 */
long ring_set__drain(struct ring_set *rings, ring_record_fn fn, void *ctx);

/*
 * One ring in memory: the unit the drain works on, exposed for tests.
 * @data_size is a power of two.
 */
long ring_drain_one(struct ksampler_ring_ctrl *ctrl, const uint8_t *data,
		    uint64_t data_size, unsigned int cpu, ring_record_fn fn,
		    void *ctx);

#endif /* PROFCTL_RING_H */
