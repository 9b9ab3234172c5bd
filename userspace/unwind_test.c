// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module's frame-pointer walk (kmod/unwind_core.h, the same source the
 * kernel compiles) over synthetic stacks with a fault-injecting reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../kmod/unwind_core.h"

/* A stack mapped at STACK_BASE; reads outside it fault. */
#define STACK_BASE	0x7ffd00000000ULL
#define STACK_WORDS	4096

static uint64_t stack[STACK_WORDS];
static uint64_t readable_end = STACK_BASE + sizeof(stack);
static int reads;

static int fake_read(void *dst, __u64 addr, __u32 len)
{
	reads++;
	if (addr < STACK_BASE || addr + len > readable_end || addr + len < addr)
		return -14;
	memcpy(dst, (uint8_t *)stack + (addr - STACK_BASE), len);
	return 0;
}

static uint64_t at(unsigned int word)
{
	return STACK_BASE + 8ULL * word;
}

/* Frame at word @w: saved fp -> frame at word @next (0: none), ret @ret. */
static void frame(unsigned int w, unsigned int next, uint64_t ret)
{
	stack[w] = next ? at(next) : 0;
	stack[w + 1] = ret;
}

/* x86-64 with 4-level page tables: user space ends at 128 TiB */
#define USER_END	0x800000000000ULL

static struct ks_unwind_window win = { .chunk = KS_UNWIND_WINDOW,
				       .user_end = USER_END };

static void reset(void)
{
	win.len = 0;
	memset(stack, 0, sizeof(stack));
	readable_end = STACK_BASE + sizeof(stack);
	reads = 0;
}

static void test_clean_chain(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 16, 0x401111);
	frame(16, 24, 0x402222);
	frame(24, 38, 0x403333);
	frame(38, 60, 0x404444);
	frame(60, 0, 0x405555);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 5);
	assert_int_equal(ips[0], 0x401111);
	assert_int_equal(ips[4], 0x405555);
	/* the first four frames share one 256-byte window; the fifth not */
	assert_int_equal(reads, 2);
}

static void test_zero_return_ends_cleanly(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 20, 0x401111);
	frame(20, 30, 0);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 1);
}

static void test_depth_cap_truncates(void **state)
{
	__u64 ips[16];
	__u32 nr;
	unsigned int w;

	(void)state;
	reset();
	for (w = 10; w < 10 + 2 * 40; w += 2)
		frame(w, w + 2, 0x400000 + w);
	frame(w, 0, 0x400000 + w);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 8, &nr),
			 KS_UNWIND_TRUNCATED);
	assert_int_equal(nr, 8);
	assert_int_equal(ips[7], 0x400000 + 10 + 14);
}

static void test_exact_depth_is_not_truncated(void **state)
{
	__u64 ips[2];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 20, 0x401111);
	frame(20, 0, 0x402222);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 2, &nr), 0);
	assert_int_equal(nr, 2);
}

static void test_frame_pointer_must_rise(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 20, 0x401111);
	frame(20, 20, 0x402222);		/* points at itself: a loop */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 2);

	reset();
	frame(10, 20, 0x401111);
	frame(20, 12, 0x402222);		/* points back down */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
}

static void test_misaligned_and_wild_pointers(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 0, 0x401111);
	stack[10] = at(20) + 3;			/* misaligned next frame */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 1);

	/* the starting frame below the stack pointer */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(12), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 0);

	/* a frame implausibly far above the previous one */
	reset();
	frame(10, 0, 0x401111);
	stack[10] = at(10) + KS_UNWIND_MAX_FRAME + 8;
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
}

/*
 * Code without frame pointers leaves data in the register: a "return
 * address" no user code can sit at ends the walk, not the profile.
 */
static void test_return_address_beyond_user_space(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 16, 0x401111);
	frame(16, 24, 0x00fe00ff00000000ULL);	/* sed's frameless code left it */
	frame(24, 0, 0x403333);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 1);
	assert_int_equal(ips[0], 0x401111);

	reset();
	frame(10, 0, USER_END - 1);		/* the last user byte is fine */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 1);
}

static void test_unreadable_frame_faults(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 20, 0x401111);
	frame(20, 3000, 0x402222);
	readable_end = at(2000);		/* frame 3000 is unmapped */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_FAULT);
	assert_int_equal(nr, 2);
}

/* Near the top of the stack the window cannot be copied; the frame can. */
static void test_window_falls_back_at_the_stack_top(void **state)
{
	__u64 ips[16];
	__u32 nr;
	unsigned int top = STACK_WORDS - 2;

	(void)state;
	reset();
	frame(10, top, 0x401111);
	frame(top, 0, 0x409999);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(ips[1], 0x409999);
}

/* With 16-byte chunks every frame is its own copy: same frames. */
static void test_per_frame_copies(void **state)
{
	struct ks_unwind_window one = { .chunk = 16, .user_end = USER_END };
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 16, 0x401111);
	frame(16, 24, 0x402222);
	frame(24, 0, 0x403333);
	assert_int_equal(ks_unwind_fp(&one, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 3);
	assert_int_equal(ips[2], 0x403333);
	assert_int_equal(reads, 3);
}

static void test_no_frame_pointer(void **state)
{
	__u64 ips[16];
	__u32 nr = 99;

	(void)state;
	reset();
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), 0, ips, 16, &nr), 0);
	assert_int_equal(nr, 0);
	assert_int_equal(reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_chain),
		cmocka_unit_test(test_return_address_beyond_user_space),
		cmocka_unit_test(test_zero_return_ends_cleanly),
		cmocka_unit_test(test_depth_cap_truncates),
		cmocka_unit_test(test_exact_depth_is_not_truncated),
		cmocka_unit_test(test_frame_pointer_must_rise),
		cmocka_unit_test(test_misaligned_and_wild_pointers),
		cmocka_unit_test(test_unreadable_frame_faults),
		cmocka_unit_test(test_window_falls_back_at_the_stack_top),
		cmocka_unit_test(test_per_frame_copies),
		cmocka_unit_test(test_no_frame_pointer),
	};

	return cmocka_run_group_tests_name("unwind", tests, NULL, NULL);
}
