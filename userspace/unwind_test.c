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

#include "kshim.h"
#include "../kmod/unwind_core.h"

/* KSAMPLER_MAX_FRAMES, the leaf included */
#define KS_TEST_MAX	512

/*
 * Three stacks, as a Go thread has: the thread's own (g0 in Go, where the
 * vdso and cgo's C code run) at STACK_BASE, a goroutine stack far below it
 * in the heap, and a third (a signal stack, another goroutine). Reads
 * outside them fault.
 */
#define STACK_BASE	0x7ffd00000000ULL
#define GSTACK_BASE	0x00c000100000ULL
#define SSTACK_BASE	0x7f0000200000ULL
#define STACK_WORDS	4096

static uint64_t stack[STACK_WORDS];
static uint64_t gstack[STACK_WORDS];
static uint64_t sstack[STACK_WORDS];
static uint64_t readable_end = STACK_BASE + sizeof(stack);
static int reads;

/* every address read, for the walk-nothing-twice checks */
static uint64_t read_log[4096];
static unsigned int nr_read_log;

static int read_region(void *dst, __u64 addr, __u32 len, uint64_t base,
		       uint64_t *words, uint64_t end)
{
	if (addr < base || addr + len > end || addr + len < addr)
		return 1;
	memcpy(dst, (uint8_t *)words + (addr - base), len);
	return 0;
}

static int fake_read(void *dst, __u64 addr, __u32 len)
{
	reads++;
	if (nr_read_log < sizeof(read_log) / sizeof(read_log[0]))
		read_log[nr_read_log++] = addr;
	if (!read_region(dst, addr, len, STACK_BASE, stack, readable_end) ||
	    !read_region(dst, addr, len, GSTACK_BASE, gstack,
			 GSTACK_BASE + sizeof(gstack)) ||
	    !read_region(dst, addr, len, SSTACK_BASE, sstack,
			 SSTACK_BASE + sizeof(sstack)))
		return 0;
	return -14;
}

static uint64_t at(unsigned int word)
{
	return STACK_BASE + 8ULL * word;
}

static uint64_t gat(unsigned int word)
{
	return GSTACK_BASE + 8ULL * word;
}

static uint64_t sat(unsigned int word)
{
	return SSTACK_BASE + 8ULL * word;
}

/* Frame at word @w: saved fp -> frame at word @next (0: none), ret @ret. */
static void frame(unsigned int w, unsigned int next, uint64_t ret)
{
	stack[w] = next ? at(next) : 0;
	stack[w + 1] = ret;
}

/* Frame at word @w of @words: saved fp @next (an address), ret @ret. */
static void frame_to(uint64_t *words, unsigned int w, uint64_t next,
		     uint64_t ret)
{
	words[w] = next;
	words[w + 1] = ret;
}

/* x86-64 with 4-level page tables: user space ends at 128 TiB */
#define USER_END	0x800000000000ULL

static struct ks_unwind_window win = { .chunk = KS_UNWIND_WINDOW,
				       .user_end = USER_END };

static void reset(void)
{
	win.len = 0;
	memset(stack, 0, sizeof(stack));
	memset(gstack, 0, sizeof(gstack));
	memset(sstack, 0, sizeof(sstack));
	readable_end = STACK_BASE + sizeof(stack);
	reads = 0;
	nr_read_log = 0;
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

/*
 * A frame pointer back into frames the walk went through is a loop, on
 * one stack or across several: the walk ends there, with what it had.
 */
static void test_frame_pointer_must_rise(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame(10, 20, 0x401111);
	frame(20, 20, 0x402222);		/* points at itself: a loop */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
	assert_int_equal(nr, 2);

	reset();
	frame(10, 20, 0x401111);
	frame(20, 12, 0x402222);		/* points back down */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
	assert_int_equal(nr, 2);

	reset();
	frame(10, 20, 0x401111);
	frame(20, 4, 0x402222);			/* back to the stack pointer */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
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

	/* a misaligned first frame, and one in kernel addresses */
	reads = 0;
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10) + 4, ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 0);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), 0xffff888000001000ULL,
				      ips, 16, &nr), KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 0);
	assert_int_equal(reads, 0);

	/*
	 * A frame further above the previous one than any frame is big is
	 * another stack: followed, here into nothing mapped.
	 */
	reset();
	frame(10, 0, 0x401111);
	stack[10] = at(10) + KS_UNWIND_MAX_FRAME + 8;
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_FAULT);
	assert_int_equal(nr, 1);
	assert_int_equal(win.switches, 1);
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

/*
 * time.now on a goroutine: the vdso runs on g0 (the thread's stack) and
 * its frame saves the goroutine frame pointer, far below. One switch, and
 * the walk reaches the goroutine's root.
 */
static void test_vdso_call_switches_to_goroutine(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame_to(stack, 10, gat(20), 0x4a1111);	/* vdso, called from time.now */
	frame_to(gstack, 20, gat(30), 0x4b2222);	/* time.now, from main.hot */
	frame_to(gstack, 30, gat(40), 0x4c3333);	/* main.hot, from main.main */
	frame_to(gstack, 40, 0, 0x4d4444);		/* ... from runtime.goexit */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(ips[0], 0x4a1111);
	assert_int_equal(ips[3], 0x4d4444);
	assert_int_equal(win.switches, 1);

	/* the same, the goroutine stack above the thread's */
	reset();
	frame_to(gstack, 10, at(20), 0x4a1111);
	frame_to(stack, 20, at(30), 0x4b2222);
	frame_to(stack, 30, 0, 0x4c3333);
	assert_int_equal(ks_unwind_fp(&win, fake_read, gat(4), gat(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 3);
	assert_int_equal(win.switches, 1);
}

/*
 * Sampled in time.now after it moved SP to g0 and before the call: the
 * frame pointer is on the goroutine stack, SP on g0. The walk starts with
 * the switch.
 */
static void test_leaf_on_another_stack(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame_to(gstack, 20, gat(30), 0x4b2222);
	frame_to(gstack, 30, 0, 0x4c3333);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), gat(20), ips, 16, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(ips[1], 0x4c3333);
	assert_int_equal(win.switches, 1);
}

/*
 * Go calls C (asmcgocall: C runs on g0), C calls back into Go (on the
 * goroutine stack, below where it left it), and that Go code is sampled:
 * goroutine, g0, then the goroutine again above its first stretch.
 */
static void test_cgo_callback_crosses_twice(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame_to(gstack, 10, gat(14), 0x4a0001);	/* Go callback */
	frame_to(gstack, 14, at(100), 0x4a0002);	/* cgocallback -> C */
	frame_to(stack, 100, at(108), 0x7f0003);	/* C */
	frame_to(stack, 108, gat(200), 0x7f0004);	/* C, called by asmcgocall */
	frame_to(gstack, 200, gat(220), 0x4a0005);	/* cgocall's caller */
	frame_to(gstack, 220, 0, 0x4a0006);
	assert_int_equal(ks_unwind_fp(&win, fake_read, gat(4), gat(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 6);
	assert_int_equal(ips[5], 0x4a0006);
	assert_int_equal(win.switches, 2);

	/* the same, with a signal stack at the top: three switches */
	reset();
	frame_to(sstack, 10, gat(10), 0x5a0000);	/* signal handler */
	frame_to(gstack, 10, gat(14), 0x4a0001);
	frame_to(gstack, 14, at(100), 0x4a0002);
	frame_to(stack, 100, gat(200), 0x7f0004);
	frame_to(gstack, 200, 0, 0x4a0005);
	assert_int_equal(ks_unwind_fp(&win, fake_read, sat(4), sat(10), ips, 16, &nr), 0);
	assert_int_equal(nr, 5);
	assert_int_equal(win.switches, 3);
}

/* Loops that span stacks end at the first frame walked twice. */
static void test_loop_across_stacks(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	/* g0 -> goroutine -> back to the g0 frame it came from */
	reset();
	frame_to(stack, 10, gat(20), 0x401111);
	frame_to(gstack, 20, gat(30), 0x402222);
	frame_to(gstack, 30, at(10), 0x403333);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
	assert_int_equal(nr, 3);

	/*
	 * Into a gap below the first stretch, then up the same stack: the
	 * walk may not climb back into frames it has been through.
	 */
	reset();
	frame_to(stack, 10, at(12), 0x401111);
	frame_to(stack, 12, gat(20), 0x402222);
	frame_to(gstack, 20, at(2), 0x403333);	/* below the sample's SP */
	frame_to(stack, 2, at(10), 0x404444);	/* a step up, into the walked */
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
	assert_int_equal(nr, 4);

	/* two stacks pointing at each other, each step upward */
	reset();
	frame_to(stack, 10, gat(10), 0x401111);
	frame_to(gstack, 10, at(10), 0x402222);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_LOOP);
	assert_int_equal(nr, 2);
}

/*
 * Stacks that hop upward forever never revisit a frame, but each hop is a
 * switch, and the walk follows only so many.
 */
static void test_switch_limit(void **state)
{
	__u64 ips[32];
	__u32 nr;
	unsigned int i;

	(void)state;
	reset();
	for (i = 0; i < 10; i++) {
		frame_to(stack, 10 + 20 * i, gat(10 + 20 * i), 0x401000 + i);
		frame_to(gstack, 10 + 20 * i, at(30 + 20 * i), 0x402000 + i);
	}
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 32, &nr),
			 KS_UNWIND_SWITCH_LIMIT);
	assert_int_equal(win.switches, KS_UNWIND_MAX_SWITCHES);
	assert_int_equal(nr, KS_UNWIND_MAX_SWITCHES + 1);
}

/* A switch into kernel addresses is refused before any read. */
static void test_switch_into_kernel(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame_to(stack, 10, at(20), 0x401111);
	frame_to(stack, 20, 0xffffffff81000000ULL, 0x402222);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 2);
	assert_int_equal(reads, 1);

	/* the last frame that fits below the end of user space */
	reset();
	frame_to(stack, 10, USER_END - 16, 0x401111);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_BAD_FRAME);
	assert_int_equal(nr, 1);
}

/* A switch into memory nothing maps faults like any frame that way. */
static void test_switch_into_unmapped(void **state)
{
	__u64 ips[16];
	__u32 nr;

	(void)state;
	reset();
	frame_to(stack, 10, gat(20), 0x401111);
	frame_to(gstack, 20, 0x0000500000000000ULL, 0x402222);
	assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips, 16, &nr),
			 KS_UNWIND_FAULT);
	assert_int_equal(nr, 2);
	assert_int_equal(win.switches, 2);
}

/*
 * The module's 512-frame limit (511 return addresses after the leaf),
 * reached after a switch: 600 frames truncate there, 511 do not.
 */
static void test_512_frames_across_a_switch(void **state)
{
	__u64 ips[KS_TEST_MAX - 1];
	__u32 nr;
	unsigned int i, depth;

	(void)state;
	for (depth = 511; depth <= 600; depth += 89) {
		reset();
		frame_to(stack, 10, gat(10), 0x400000);
		for (i = 1; i < depth; i++)
			frame_to(gstack, 6 * i + 4, i + 1 < depth ? gat(6 * i + 10) : 0,
				 0x400000 + i);
		assert_int_equal(ks_unwind_fp(&win, fake_read, at(4), at(10), ips,
					      KS_TEST_MAX - 1, &nr),
				 depth > KS_TEST_MAX - 1 ? KS_UNWIND_TRUNCATED : 0);
		assert_int_equal(nr, depth > KS_TEST_MAX - 1 ? KS_TEST_MAX - 1 : depth);
		assert_int_equal(ips[nr - 1], 0x400000 + nr - 1);
		assert_int_equal(win.switches, 1);
	}
}

/*
 * Hostile stacks, structured: every word a pointer into one of the three
 * stacks (aligned or not), a kernel address, or a small number, so that
 * nearly every step is a switch or a loop. Whatever the memory, the walk
 * ends, follows at most KS_UNWIND_MAX_SWITCHES switches, and never reads
 * the same frame twice.
 */
static void test_hostile_stacks_never_loop(void **state)
{
	struct ks_unwind_window one = { .chunk = 16, .user_end = USER_END };
	uint64_t *regions[3] = { stack, gstack, sstack };
	uint64_t bases[3] = { STACK_BASE, GSTACK_BASE, SSTACK_BASE };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	__u64 ips[KS_TEST_MAX];
	unsigned int round, i, j, r;
	__u32 nr, why, seen_loop = 0, seen_limit = 0;

	(void)state;
	for (round = 0; round < 2000; round++) {
		reset();
		for (r = 0; r < 3; r++) {
			for (i = 0; i < 256; i++) {
				uint64_t x;

				seed ^= seed << 13;
				seed ^= seed >> 7;
				seed ^= seed << 17;
				x = seed;
				switch (x % 8) {
				case 0:
					regions[r][i] = 0xffff888000000000ULL + (x & 0xff8);
					break;
				case 1:
					regions[r][i] = (x >> 8) & 0xffff;
					break;
				case 2:
					regions[r][i] = bases[(x >> 3) % 3] + ((x >> 8) & 0x7ff);
					break;
				default:
					regions[r][i] = bases[(x >> 3) % 3] + ((x >> 8) & 0x7f8);
				}
			}
		}
		why = ks_unwind_fp(&one, fake_read, bases[round % 3],
				   bases[(round / 3) % 3] + 8 * (round % 200),
				   ips, KS_TEST_MAX, &nr);
		assert_true(nr <= KS_TEST_MAX);
		assert_true(one.switches <= KS_UNWIND_MAX_SWITCHES);
		/* one 16-byte read per frame: no address may come twice */
		for (i = 0; i < nr_read_log; i++)
			for (j = i + 1; j < nr_read_log; j++)
				assert_true(read_log[i] != read_log[j]);
		seen_loop += !!(why & KS_UNWIND_LOOP);
		seen_limit += !!(why & KS_UNWIND_SWITCH_LIMIT);
	}
	/* the memory was hostile enough to exercise both guards */
	assert_true(seen_loop > 100);
	assert_true(seen_limit > 0);
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
		cmocka_unit_test(test_vdso_call_switches_to_goroutine),
		cmocka_unit_test(test_leaf_on_another_stack),
		cmocka_unit_test(test_cgo_callback_crosses_twice),
		cmocka_unit_test(test_loop_across_stacks),
		cmocka_unit_test(test_switch_limit),
		cmocka_unit_test(test_switch_into_kernel),
		cmocka_unit_test(test_switch_into_unmapped),
		cmocka_unit_test(test_512_frames_across_a_switch),
		cmocka_unit_test(test_hostile_stacks_never_loop),
	};

	return cmocka_run_group_tests_name("unwind", tests, NULL, NULL);
}
