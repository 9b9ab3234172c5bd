// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring protocol end to end in userspace: a writer built on the
 * module's own index arithmetic (kmod/ring_core.h, the same source the
 * kernel compiles) against profctl's reader (ring.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../kmod/ring_core.h"
#include "ring.h"

#define DATA_SIZE	4096
#define GUARD		64

/* A ring in memory, with guard bytes either side of the data. */
struct fake_ring {
	struct ksampler_ring_ctrl ctrl;
	uint64_t head;				/* the writer's own */
	uint8_t mem[GUARD + DATA_SIZE + GUARD];
};

static uint8_t *ring_data(struct fake_ring *r)
{
	return r->mem + GUARD;
}

/* The kernel writer's steps (kmod/ring.c), over ring_core.h. */
static bool ring_write(struct fake_ring *r, uint32_t len, uint32_t seq)
{
	struct ksampler_record_header *h;
	uint64_t tail = ks_ring_clamp_tail(r->head, r->ctrl.data_tail, DATA_SIZE);
	uint32_t pad;

	if (!ks_ring_place(r->head, tail, DATA_SIZE, len, &pad))
		return false;
	if (pad) {
		h = (void *)(ring_data(r) + (r->head & (DATA_SIZE - 1)));
		h->size = pad;
		h->type = KSAMPLER_RECORD_PAD;
		r->head += pad;
	}
	h = (void *)(ring_data(r) + (r->head & (DATA_SIZE - 1)));
	h->size = len;
	h->type = KSAMPLER_RECORD_SAMPLE;
	h->flags = 0;
	memset(h + 1, (uint8_t)seq, len - sizeof(*h));
	memcpy(h + 1, &seq, sizeof(seq));
	r->head += len;
	__atomic_store_n(&r->ctrl.data_head, r->head, __ATOMIC_RELEASE);
	return true;
}

static void ring_init(struct fake_ring *r)
{
	memset(r, 0, sizeof(*r));
	memset(r->mem, 0xee, sizeof(r->mem));
	r->ctrl.data_size = DATA_SIZE;
}

static bool guards_intact(const struct fake_ring *r)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (r->mem[i] != 0xee || r->mem[GUARD + DATA_SIZE + i] != 0xee)
			return false;
	return true;
}

struct reader {
	uint32_t next_seq;
	long bad;
	long seen;
	int fail_at;		/* return an error on this record (0: never) */
};

static int check_record(const struct ksampler_record_header *rec,
			unsigned int cpu, void *ctx)
{
	struct reader *rd = ctx;
	uint32_t seq, i;
	const uint8_t *body = (const uint8_t *)(rec + 1);

	(void)cpu;
	if (rd->fail_at && rd->seen + 1 == rd->fail_at)
		return -EINTR;
	memcpy(&seq, body, sizeof(seq));
	if (rec->type != KSAMPLER_RECORD_SAMPLE || seq != rd->next_seq)
		rd->bad++;
	for (i = sizeof(seq); i < rec->size - sizeof(*rec); i++)
		if (body[i] != (uint8_t)seq)
			rd->bad++;
	rd->next_seq++;
	rd->seen++;
	return 0;
}

/*
 * A PAD record that alone carries the fill over the watermark: the record
 * after it must still wake the reader (the fill is taken before the PAD).
 */
static void test_pad_crossing_the_watermark_wakes(void **state)
{
	const uint64_t wakeup = DATA_SIZE / 2, len = 200;
	uint64_t head = 4000, tail = 2000, fill_before, after_pad;
	uint32_t pad;

	(void)state;
	fill_before = head - ks_ring_clamp_tail(head, tail, DATA_SIZE);
	assert_true(ks_ring_place(head, tail, DATA_SIZE, len, &pad));
	assert_int_equal(pad, DATA_SIZE - (head & (DATA_SIZE - 1)));
	after_pad = head + pad - tail;
	assert_true(fill_before < wakeup && after_pad >= wakeup);
	assert_true(ks_ring_wakeup_due(fill_before, after_pad + len, wakeup));
	/* once per crossing: the records after it do not wake again */
	assert_false(ks_ring_wakeup_due(after_pad + len, after_pad + 2 * len,
					wakeup));
	assert_false(ks_ring_wakeup_due(100, 300, wakeup));
}

static void test_records_survive_many_wraps(void **state)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct reader rd = { 0 };
	uint32_t seq = 0, len;
	long n;
	int round;

	(void)state;
	ring_init(r);
	srand(1);
	for (round = 0; round < 2000; round++) {
		/* write a burst of odd sizes until full, then drain */
		do {
			len = 8 * (2 + rand() % 140);	/* 16 .. 1128 bytes */
		} while (ring_write(r, len, seq) && ++seq);
		n = ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE, 0,
				   check_record, &rd);
		assert_true(n > 0);
	}
	assert_int_equal(rd.bad, 0);
	assert_int_equal(rd.seen, seq);
	assert_true(r->head > 100 * DATA_SIZE);	/* it really wrapped */
	assert_true(guards_intact(r));
	free(r);
}

static void test_full_ring_refuses_then_recovers(void **state)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct reader rd = { 0 };
	uint32_t seq = 0;

	(void)state;
	ring_init(r);
	while (ring_write(r, 512, seq))
		seq++;
	assert_int_equal(seq, DATA_SIZE / 512);
	assert_false(ring_write(r, 16, seq));
	assert_int_equal(ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE, 0,
					check_record, &rd), seq);
	assert_true(ring_write(r, 512, seq));
	free(r);
}

/* Whatever the reader writes as its tail, the writer stays in bounds. */
static void test_garbage_tail_is_clamped(void **state)
{
	static const uint64_t garbage[] = {
		~0ULL, 3, 1ULL << 63, 5 * DATA_SIZE + 4, 12345,
	};
	struct fake_ring *r = calloc(1, sizeof(*r));
	uint64_t t;
	size_t i;
	int k;

	(void)state;
	ring_init(r);
	for (k = 0; k < 3 * DATA_SIZE / 64; k++) {
		r->ctrl.data_tail = r->head;
		assert_true(ring_write(r, 64, k));
	}
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		t = ks_ring_clamp_tail(r->head, garbage[i], DATA_SIZE);
		assert_true(t <= r->head && r->head - t <= DATA_SIZE);
		assert_int_equal(t % 8, 0);
		r->ctrl.data_tail = garbage[i];
		for (k = 0; k < 200; k++)
			ring_write(r, 8 * (2 + k % 50), k);
	}
	assert_true(guards_intact(r));
	free(r);
}

static void test_reader_refuses_non_records(void **state)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct reader rd = { 0 };

	(void)state;
	ring_init(r);
	assert_true(ring_write(r, 64, 0));
	/* a tail set by hand into the middle of a record */
	memset(ring_data(r) + 8, 0, 8);
	r->ctrl.data_tail = 8;
	assert_int_equal(ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE, 0,
					check_record, &rd), -EBADMSG);
	assert_int_equal(r->ctrl.data_tail, r->head);	/* skipped to head */
	assert_int_equal(rd.seen, 0);
	free(r);
}

/*
 * Positions no module writes (found by the fuzzer): a head far more than
 * a ring ahead would have the reader go round the ring for ever, and an
 * unaligned one would read records at unaligned addresses.
 */
static void test_reader_refuses_impossible_positions(void **state)
{
	static const uint64_t heads[] = { 1ULL << 62, DATA_SIZE + 8, 67 };
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct reader rd = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		ring_init(r);
		assert_true(ring_write(r, 64, 0));
		r->ctrl.data_head = heads[i];
		assert_int_equal(ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE,
						0, check_record, &rd), -EBADMSG);
		assert_int_equal(r->ctrl.data_tail, heads[i]);
		assert_int_equal(rd.seen, 0);
	}
	free(r);
}

static void test_callback_error_keeps_the_record(void **state)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct reader rd = { .fail_at = 3 };

	(void)state;
	ring_init(r);
	for (int i = 0; i < 5; i++)
		assert_true(ring_write(r, 32, i));
	assert_int_equal(ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE, 0,
					check_record, &rd), -EINTR);
	assert_int_equal(r->ctrl.data_tail, 2 * 32);	/* two consumed */
	rd.fail_at = 0;
	assert_int_equal(ring_drain_one(&r->ctrl, ring_data(r), DATA_SIZE, 0,
					check_record, &rd), 3);
	assert_int_equal(rd.bad, 0);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pad_crossing_the_watermark_wakes),
		cmocka_unit_test(test_records_survive_many_wraps),
		cmocka_unit_test(test_full_ring_refuses_then_recovers),
		cmocka_unit_test(test_garbage_tail_is_clamped),
		cmocka_unit_test(test_reader_refuses_non_records),
		cmocka_unit_test(test_reader_refuses_impossible_positions),
		cmocka_unit_test(test_callback_error_keeps_the_record),
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
