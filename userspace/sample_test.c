// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sample.h"
#include "stacks.h"

/*
 * A SAMPLE record of @nr frames in @buf: ABI 1.5's layout when @start is
 * 0, else one carrying proc_start_ns @start (ABI 1.6).
 */
static struct ksampler_sample *make_at(uint64_t *buf, uint16_t nr,
				       uint32_t tid, uint64_t start)
{
	struct ksampler_sample *s = (void *)buf;
	uint32_t fixed = start ? KSAMPLER_SAMPLE_PROC_START_SIZE :
				 KSAMPLER_SAMPLE_FIXED_SIZE;
	uint64_t *ips = buf + fixed / 8;
	uint16_t i;

	memset(buf, 0, fixed + 8 * nr);
	s->header.type = KSAMPLER_RECORD_SAMPLE;
	s->header.size = fixed + 8 * nr;
	s->header.flags = KSAMPLER_SAMPLE_SP_WORD;
	if (start) {
		s->header.flags |= KSAMPLER_SAMPLE_PROC_START;
		s->ips[0] = start;
	}
	s->pid = 100;
	s->tid = tid;
	s->nr_frames = nr;
	memcpy(s->comm, "0123456789abcdef", 16);	/* no terminator */
	for (i = 0; i < nr; i++)
		ips[i] = 0x401000 + 0x10 * i;
	s->user_ip = ips[0];
	return s;
}

static struct ksampler_sample *make(uint64_t *buf, uint16_t nr, uint32_t tid)
{
	return make_at(buf, nr, tid, 0);
}

static void test_decode_sample(void **state)
{
	uint64_t buf[80];
	struct ksampler_sample *r = make(buf, 5, 101);
	struct sample s;

	(void)state;
	assert_int_equal(sample_decode(&r->header, &s), 0);
	assert_int_equal(s.nr_frames, 5);
	assert_int_equal(s.tid, 101);
	assert_int_equal(s.ips[4], 0x401040);
	assert_string_equal(s.comm, "0123456789abcdef");	/* terminated */
	assert_int_equal(s.flags, KSAMPLER_SAMPLE_SP_WORD);
	r->exec_gen = 7;
	assert_int_equal(sample_decode(&r->header, &s), 0);
	assert_int_equal(s.exec_gen, 7);
	assert_int_equal(s.proc_start_ns, 0);		/* not in the record */
}

/* ABI 1.6: proc_start_ns between comm and the frames, when flagged. */
static void test_decode_proc_start(void **state)
{
	uint64_t buf[80];
	struct ksampler_sample *r = make_at(buf, 5, 101, 0x123456789aULL);
	struct sample s;

	(void)state;
	assert_int_equal(r->header.size, 88 + 5 * 8);
	assert_int_equal(sample_decode(&r->header, &s), 0);
	assert_int_equal(s.proc_start_ns, 0x123456789aULL);
	assert_int_equal(s.nr_frames, 5);
	assert_int_equal(s.ips[0], 0x401000);		/* not the start time */
	assert_int_equal(s.ips[4], 0x401040);
	assert_ptr_equal(s.ips, buf + 11);
	assert_int_equal(s.flags,
			 KSAMPLER_SAMPLE_SP_WORD | KSAMPLER_SAMPLE_PROC_START);
	assert_string_equal(s.comm, "0123456789abcdef");
	r = make_at(buf, 1, 101, 1);			/* the smallest */
	assert_int_equal(sample_decode(&r->header, &s), 0);
	assert_int_equal(s.proc_start_ns, 1);
	assert_int_equal(s.ips[0], 0x401000);
}

/* Sizes that fit the other layout, or neither, are refused whole. */
static void test_decode_refuses_proc_start_lies(void **state)
{
	uint64_t buf[80];
	struct ksampler_sample *r;
	struct sample s;

	(void)state;
	/* flagged, but sized as ABI 1.5's record: a frame short */
	r = make_at(buf, 5, 101, 42);
	r->header.size -= 8;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	/* the flag on a record without the word */
	r = make(buf, 5, 101);
	r->header.flags |= KSAMPLER_SAMPLE_PROC_START;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	/* the word without the flag: one frame more than nr_frames says */
	r = make_at(buf, 5, 101, 42);
	r->header.flags &= ~KSAMPLER_SAMPLE_PROC_START;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	/* flagged and shorter than its fixed part */
	r = make_at(buf, 1, 101, 42);
	r->nr_frames = 0;
	r->header.size = KSAMPLER_SAMPLE_FIXED_SIZE;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	r->header.size = KSAMPLER_SAMPLE_PROC_START_SIZE;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	r = make_at(buf, 5, 101, 42);
	r->nr_frames = 6;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
}

static void test_decode_refuses_lies(void **state)
{
	uint64_t buf[80];
	struct ksampler_sample *r = make(buf, 5, 101);
	struct sample s;

	(void)state;
	r->nr_frames = 6;				/* more than it holds */
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	r = make(buf, 5, 101);
	r->nr_frames = 0;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	r = make(buf, 5, 101);
	r->header.type = KSAMPLER_RECORD_LOST;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
	r = make(buf, 5, 101);
	r->header.size = 16;
	assert_int_equal(sample_decode(&r->header, &s), -EBADMSG);
}

static void test_decode_lost(void **state)
{
	struct ksampler_lost l = {
		.header = { KSAMPLER_LOST_SIZE, KSAMPLER_RECORD_LOST, 0 },
		.reason = KSAMPLER_LOST_RING_FULL, .count = 17,
	};
	uint32_t reason;
	uint64_t count;

	(void)state;
	assert_int_equal(lost_decode(&l.header, &reason, &count), 0);
	assert_int_equal(reason, KSAMPLER_LOST_RING_FULL);
	assert_int_equal(count, 17);
	l.reason = 99;
	assert_int_equal(lost_decode(&l.header, &reason, &count), -EBADMSG);
}

struct tally {
	uint64_t total;
	int entries;
};

static int tally(const struct stack_entry *e, void *ctx)
{
	struct tally *t = ctx;

	t->total += e->count;
	t->entries++;
	assert_int_equal(e->pid, 100);
	assert_int_equal(e->ips[0], 0x401000);
	assert_string_equal(e->comm, "0123456789abcdef");
	return 0;
}

static void test_aggregate_by_thread_and_stack(void **state)
{
	struct stack_table *t = stack_table__new(1 << 20);
	struct ksampler_sample *r;
	uint64_t buf[80];
	struct tally sum = { 0 };
	struct sample s;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		sample_decode(&make(buf, 5, 101)->header, &s);
		assert_int_equal(stack_table__add(t, &s), 0);
	}
	sample_decode(&make(buf, 5, 102)->header, &s);	/* another thread */
	stack_table__add(t, &s);
	sample_decode(&make(buf, 3, 101)->header, &s);	/* another stack */
	stack_table__add(t, &s);
	/* the same addresses in the image after an exec are another stack */
	r = make(buf, 5, 101);
	r->exec_gen = 1;
	sample_decode(&r->header, &s);
	stack_table__add(t, &s);
	assert_int_equal(stack_table__unique(t), 4);
	assert_int_equal(stack_table__samples(t), 13);
	assert_int_equal(stack_table__for_each(t, tally, &sum), 0);
	assert_int_equal(sum.total, 13);
	assert_int_equal(sum.entries, 4);
	stack_table__free(t);
}

/* Past its memory bound, new stacks are counted as lost, never dropped. */
static void test_bounded_memory_counts_losses(void **state)
{
	struct stack_table *t = stack_table__new(64 * 1024);
	uint64_t buf[80];
	struct sample s;
	uint32_t tid;

	(void)state;
	for (tid = 0; tid < 5000; tid++) {
		sample_decode(&make(buf, 8, tid)->header, &s);
		stack_table__add(t, &s);
	}
	assert_true(stack_table__memory(t) <= 64 * 1024);
	assert_true(stack_table__lost(t, STACKS_LOST_TABLE_FULL) > 0);
	assert_int_equal(stack_table__samples(t) +
			 stack_table__lost(t, STACKS_LOST_TABLE_FULL), 5000);
	stack_table__add_lost(t, KSAMPLER_LOST_RING_FULL, 7);
	assert_int_equal(stack_table__lost(t, KSAMPLER_LOST_RING_FULL), 7);
	stack_table__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_sample),
		cmocka_unit_test(test_decode_refuses_lies),
		cmocka_unit_test(test_decode_proc_start),
		cmocka_unit_test(test_decode_refuses_proc_start_lies),
		cmocka_unit_test(test_decode_lost),
		cmocka_unit_test(test_aggregate_by_thread_and_stack),
		cmocka_unit_test(test_bounded_memory_counts_losses),
	};

	return cmocka_run_group_tests_name("sample+stacks", tests, NULL, NULL);
}
