// SPDX-License-Identifier: GPL-2.0-only
/*
 * leaffix: the verdict for each point of a Go function's life where the
 * frame pointer may not be its own (entry, the two prologue styles, the
 * epilogue), and the repair applied end to end on a real Go binary seen
 * through a made-up /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc_test.h"
#include "fp_probe_test.h"
#include "leaffix.h"
#include "objfile.h"

/* The caller's frame: BP points here while the leaf has none. */
#define CALLER_BP	0x7ffc0000f000ULL
#define SP		0x7ffc0000e000ULL

static struct sample leaf_sample(uint64_t sp, uint64_t bp, bool sp_word)
{
	struct sample s = { .user_sp = sp, .user_bp = bp, .nr_frames = 2 };

	s.flags = sp_word ? KSAMPLER_SAMPLE_SP_WORD : 0;
	s.sp_word = 0x401234;
	return s;
}

static void test_frameless_leaf_takes_the_word_at_sp(void **state)
{
	struct sample s = leaf_sample(SP, CALLER_BP, true);

	(void)state;
	assert_int_equal(leaffix_judge(&s, 0), LEAFFIX_INSERT);
	/* without the word the caller cannot be named */
	s = leaf_sample(SP, CALLER_BP, false);
	assert_int_equal(leaffix_judge(&s, 0), LEAFFIX_UNREPAIRABLE);
}

static void test_go121_prologue(void **state)
{
	struct sample s;

	(void)state;
	/* after PUSHQ BP, before MOVQ SP, BP: BP is still the caller's */
	s = leaf_sample(SP, CALLER_BP, true);
	assert_int_equal(leaffix_judge(&s, 8), LEAFFIX_UNREPAIRABLE);
	/* after MOVQ SP, BP */
	s = leaf_sample(SP, SP, true);
	assert_int_equal(leaffix_judge(&s, 8), LEAFFIX_FRAMED);
	/* after SUBQ $0x20, SP: BP = SP + 0x20 */
	s = leaf_sample(SP, SP + 0x20, true);
	assert_int_equal(leaffix_judge(&s, 0x28), LEAFFIX_FRAMED);
}

static void test_go119_prologue(void **state)
{
	struct sample s;

	(void)state;
	/* SUBQ $0x30, SP done; MOVQ BP, 0x28(SP) and LEAQ not yet */
	s = leaf_sample(SP, CALLER_BP, true);
	assert_int_equal(leaffix_judge(&s, 0x30), LEAFFIX_UNREPAIRABLE);
	/* after LEAQ 0x28(SP), BP */
	s = leaf_sample(SP, SP + 0x28, true);
	assert_int_equal(leaffix_judge(&s, 0x30), LEAFFIX_FRAMED);
}

static void test_epilogue_after_pop(void **state)
{
	/* ADDQ; POPQ BP; at RET the delta is back to 0, BP the caller's */
	struct sample s = leaf_sample(SP, CALLER_BP, true);

	(void)state;
	assert_int_equal(leaffix_judge(&s, 0), LEAFFIX_INSERT);
}

/*
 * time.now and nanotime1 set up their frame on the goroutine stack, then
 * move SP to g0 for the vdso call: BP, far from SP, is their own frame.
 */
static void test_stack_switched_after_the_prologue(void **state)
{
	const uint64_t g0_sp = 0x7ffc00010000ULL, goroutine_bp = 0xc000123f00ULL;
	struct sample s;

	(void)state;
	s = leaf_sample(g0_sp, goroutine_bp, true);
	assert_int_equal(leaffix_judge(&s, 0x18), LEAFFIX_FRAMED);
	/* g0 below the goroutine stack, more than any frame away */
	s = leaf_sample(0xc000000000ULL, 0xc000000000ULL + (9ULL << 20), true);
	assert_int_equal(leaffix_judge(&s, 0x18), LEAFFIX_FRAMED);
	/* at delta 0 the return address is still the word at SP */
	s = leaf_sample(g0_sp, goroutine_bp, true);
	assert_int_equal(leaffix_judge(&s, 0), LEAFFIX_INSERT);
}

/*
 * A leaf outside Go, in the epilogue of a function with a frame pointer
 * (the vdso's clock_gettime, sampled after its pop %rbp): the word at SP
 * is the caller, as for a frameless Go leaf. This process is the target.
 */
static void test_repairs_a_native_leaf(void **state)
{
	struct symbolizer *sym = symbolizer__new("/proc", 0);
	uint64_t ret = (uint64_t)(uintptr_t)&leaf_sample + 8;
	__u64 walked[2], buf[KSAMPLER_MAX_FRAMES];
	struct leaffix *lf;
	struct sample s;

	(void)state;
	assert_int_equal(symbolizer__add_pid(sym, getpid()), 0);
	lf = leaffix__new(sym);
	walked[0] = (uint64_t)(uintptr_t)&fp_probe + 10;
	walked[1] = 0x401001;
	s = leaf_sample(SP, CALLER_BP, true);
	s.pid = (uint32_t)getpid();
	s.ips = walked;
	s.sp_word = ret;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 3);
	assert_int_equal(s.ips[1], ret);

	/* in the body the frame is set up: nothing to do, nothing counted */
	walked[0] = (uint64_t)(uintptr_t)&fp_probe + 8;
	s = leaf_sample(SP, CALLER_BP, true);
	s.pid = (uint32_t)getpid();
	s.ips = walked;
	s.sp_word = ret;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 2);

	/* after push %rbp the caller is deeper than the module looked */
	walked[0] = (uint64_t)(uintptr_t)&fp_probe_plain + 1;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 2);

	/* at the entry, a word at SP in no code is not believed */
	walked[0] = (uint64_t)(uintptr_t)&fp_probe_plain;
	s.sp_word = 0x1234;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 2);

	assert_int_equal(leaffix__stats(lf)->native_leaves, 3);
	assert_int_equal(leaffix__stats(lf)->native_repaired, 1);
	assert_int_equal(leaffix__stats(lf)->unrepairable, 2);
	assert_int_equal(leaffix__stats(lf)->go_leaves, 0);
	leaffix__free(lf);
	symbolizer__free(sym);
}

static void test_repairs_a_real_go_leaf(void **state)
{
	const char *exe = "build/workloads/cpusplit";
	char dir[] = "/tmp/leaffix_test.XXXXXX", abs[PATH_MAX];
	uint64_t alpha, func1;
	__u64 walked[2];
	struct objfile *obj;
	struct symbolizer *sym;
	struct leaffix *lf;
	__u64 buf[KSAMPLER_MAX_FRAMES];
	struct sample s;

	(void)state;
	if (!realpath(exe, abs)) {
		skip();		/* make workloads builds it */
		return;
	}
	obj = objfile__open_fd(open(abs, O_RDONLY));
	assert_non_null(obj);
	/* main.alpha: frameless, called by the closure main.main.func1 */
	assert_int_equal(objfile__symbol_value(obj, "main.alpha", &alpha), 0);
	assert_int_equal(objfile__symbol_value(obj, "main.main.func1", &func1), 0);
	objfile__close(obj);
	assert_non_null(mkdtemp(dir));
	fake_proc_image(dir, abs);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	assert_int_equal(symbolizer__add_pid(sym, FAKE_PID), 0);
	lf = leaffix__new(sym);
	assert_non_null(lf);

	walked[0] = alpha + 1;
	walked[1] = 0x401001;		/* what the walk found: func1's caller */
	s = leaf_sample(SP, CALLER_BP, true);
	s.pid = FAKE_PID;
	s.ips = walked;
	s.sp_word = func1 + 0x10;	/* the return address into func1 */
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 3);
	assert_ptr_equal(s.ips, buf);
	assert_int_equal(s.ips[0], alpha + 1);
	assert_int_equal(s.ips[1], func1 + 0x10);
	assert_int_equal(s.ips[2], 0x401001);

	/* a word at SP that is no return address into Go is not believed */
	s = leaf_sample(SP, CALLER_BP, true);
	s.pid = FAKE_PID;
	s.ips = walked;
	s.sp_word = 0x12345;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 2);
	assert_ptr_equal(s.ips, walked);

	/* a leaf outside Go code is left alone, and not counted */
	walked[0] = 0x12345;
	s.ips = walked;
	leaffix__apply(lf, &s, buf);
	assert_int_equal(s.nr_frames, 2);
	assert_int_equal(leaffix__stats(lf)->go_leaves, 2);
	assert_int_equal(leaffix__stats(lf)->repaired, 1);
	assert_int_equal(leaffix__stats(lf)->unrepairable, 1);

	/* a stack already at the limit loses its outermost frame: truncated */
	{
		static __u64 full[KSAMPLER_MAX_FRAMES];

		full[0] = alpha + 1;
		for (int i = 1; i < KSAMPLER_MAX_FRAMES; i++)
			full[i] = 0x401001;
		s = leaf_sample(SP, CALLER_BP, true);
		s.pid = FAKE_PID;
		s.ips = full;
		s.nr_frames = KSAMPLER_MAX_FRAMES;
		s.sp_word = func1 + 0x10;
		leaffix__apply(lf, &s, buf);
		assert_int_equal(s.nr_frames, KSAMPLER_MAX_FRAMES);
		assert_int_equal(s.ips[1], func1 + 0x10);
		assert_true(s.flags & KSAMPLER_SAMPLE_TRUNCATED);
		assert_int_equal(sample_stop(&s), SAMPLE_STOP_TRUNCATED);
	}

	leaffix__free(lf);
	symbolizer__free(sym);
	fake_proc_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frameless_leaf_takes_the_word_at_sp),
		cmocka_unit_test(test_go121_prologue),
		cmocka_unit_test(test_go119_prologue),
		cmocka_unit_test(test_epilogue_after_pop),
		cmocka_unit_test(test_stack_switched_after_the_prologue),
		cmocka_unit_test(test_repairs_a_real_go_leaf),
		cmocka_unit_test(test_repairs_a_native_leaf),
	};

	return cmocka_run_group_tests_name("leaffix", tests, NULL, NULL);
}
