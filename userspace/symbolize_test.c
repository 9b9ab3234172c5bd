// SPDX-License-Identifier: GPL-2.0-only
/*
 * symbolize: this test's own process seen through /proc, as profctl sees
 * a target: its own code (a PIE), libc (.dynsym) and the vdso (no file;
 * read from memory).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc_test.h"
#include "fp_probe_test.h"
#include "objfile.h"
#include "symbolize.h"

__attribute__((noinline)) int symbolize_test_marker(int x);
__attribute__((noinline)) int symbolize_test_marker(int x)
{
	return x * 5 + 3;
}

/* Image @gen of process @pid, start time unknown. */
#define WHO(p, g) (&(struct sym_who){ .pid = (p), .gen = (g) })

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

static struct symbolizer *self(void)
{
	struct symbolizer *sym = symbolizer__new("/proc", 0);

	assert_non_null(sym);
	assert_int_equal(symbolizer__add_pid(sym, getpid()), 0);
	assert_int_equal(symbolizer__see(sym, WHO(getpid(), 0)), 0);
	return sym;
}

static void test_own_code_and_libc(void **state)
{
	struct symbolizer *sym = self();
	struct frame_info f;

	(void)state;
	symbolizer__resolve(sym, WHO(getpid(), 0),
			    (uint64_t)(uintptr_t)symbolize_test_marker + 2, &f);
	assert_non_null(f.map);
	assert_int_equal(f.nr_frames, 1);
	assert_string_equal(f.frames[0].function, "symbolize_test_marker");
	assert_true(f.caps.functions);
	assert_false(f.caps.inline_frames);	/* no pclntab in C */
	symbolizer__resolve(sym, WHO(getpid(), 0), (uint64_t)(uintptr_t)getpid, &f);
	assert_int_equal(f.nr_frames, 1);
	assert_non_null(strstr(f.frames[0].function, "getpid"));
	assert_string_equal(symbolizer__comm(sym, WHO(getpid(), 0)), "symbolize_test");
	assert_int_equal(symbolize_test_marker(1), 8);
	symbolizer__free(sym);
}

/* Somewhere in the vdso's text, clock_gettime has a name. */
static void test_vdso_from_memory(void **state)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR), addr;
	struct symbolizer *sym = self();
	struct frame_info f;
	bool named = false;

	(void)state;
	assert_true(base != 0);
	for (addr = base; addr < base + 8192 && !named; addr += 16) {
		symbolizer__resolve(sym, WHO(getpid(), 0), addr, &f);
		if (f.map)
			assert_string_equal(f.map->path, "[vdso]");
		named = f.nr_frames && strstr(f.frames[0].function, "clock_gettime");
	}
	assert_true(named);
	symbolizer__free(sym);
}


static int fp_delta_at(struct symbolizer *sym, void (*fn)(void), int off)
{
	int64_t delta = -1;
	int err = symbolizer__fp_delta(sym, WHO(getpid(), 0),
				       (uint64_t)(uintptr_t)fn + off, &delta);

	return err ? err : (int)delta;
}

/*
 * Outside Go, SP's distance from its entry value where the code makes it
 * certain: 0 at the entry and in the epilogue after the frame is gone, 8
 * after push %rbp; unknown in the body. The vdso's own functions too.
 */
static void test_fp_delta_from_the_code(void **state)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR), addr;
	struct symbolizer *sym = self();
	struct frame_info f;
	int64_t delta;
	int entries = 0;

	(void)state;
	assert_int_equal(fp_delta_at(sym, fp_probe, 0), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe, 4), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe, 5), 8);
	assert_int_equal(fp_delta_at(sym, fp_probe, 8), -ENOENT);
	assert_int_equal(fp_delta_at(sym, fp_probe, 9), -ENOENT);
	assert_int_equal(fp_delta_at(sym, fp_probe, 10), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe, 13), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe, 15), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe_plain, 0), 0);
	assert_int_equal(fp_delta_at(sym, fp_probe_plain, 1), 8);
	assert_int_equal(fp_delta_at(sym, fp_probe_plain, 4), -ENOENT);
	assert_int_equal(fp_delta_at(sym, fp_probe_plain, 5), -ENOENT);
	assert_int_equal(fp_delta_at(sym, fp_probe_plain, 6), 0);
	/* in the vdso, each function's entry gives 0 */
	for (addr = base; addr < base + 8192; addr++) {
		symbolizer__resolve(sym, WHO(getpid(), 0), addr, &f);
		if (f.nr_frames && strstr(f.frames[0].function, "clock_gettime") &&
		    !symbolizer__fp_delta(sym, WHO(getpid(), 0), addr, &delta) &&
		    delta == 0 && (addr == base ||
				   symbolizer__fp_delta(sym, WHO(getpid(), 0), addr - 1, &delta)))
			entries++;
	}
	assert_true(entries >= 1);
	symbolizer__free(sym);
}

/*
 * Libraries dlopen'ed after the maps were read resolve, the second one
 * too: a miss reads the maps again at most once a second, not only once.
 */
static void test_each_dlopen_resolves(void **state)
{
	struct symbolizer *sym = self();
	struct frame_info f;
	void *lib, *fn;

	(void)state;
	lib = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	fn = lib ? dlsym(lib, "cbrt") : NULL;
	if (!fn) {
		symbolizer__free(sym);
		skip();
		return;
	}
	symbolizer__resolve(sym, WHO(getpid(), 0), (uint64_t)(uintptr_t)fn, &f);
	assert_non_null(f.map);
	assert_non_null(strstr(f.map->path, "libm"));
	lib = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
	fn = lib ? dlsym(lib, "crypt") : NULL;
	if (!fn) {
		symbolizer__free(sym);
		skip();
		return;
	}
	sleep_ms(1100);
	symbolizer__resolve(sym, WHO(getpid(), 0), (uint64_t)(uintptr_t)fn, &f);
	assert_non_null(f.map);
	assert_non_null(strstr(f.map->path, "libcrypt"));
	assert_true(f.nr_frames >= 1);
	symbolizer__free(sym);
}

/* An image named by a later exec generation is read anew. */
static void test_new_generation_reads_again(void **state)
{
	struct symbolizer *sym = self();
	struct frame_info f;

	(void)state;
	assert_int_equal(symbolizer__see(sym, WHO(getpid(), 1)), 0);
	symbolizer__resolve(sym, WHO(getpid(), 1),
			    (uint64_t)(uintptr_t)symbolize_test_marker, &f);
	assert_int_equal(f.nr_frames, 1);
	/* an image never seen resolves nothing rather than guessing */
	symbolizer__resolve(sym, WHO(getpid(), 2),
			    (uint64_t)(uintptr_t)symbolize_test_marker, &f);
	assert_null(f.map);
	assert_int_equal(f.nr_frames, 0);
	symbolizer__free(sym);
}

static const char *name_at(struct symbolizer *sym, uint16_t gen, uint64_t addr)
{
	static struct frame_info f;

	symbolizer__resolve(sym, WHO(FAKE_PID, gen), addr, &f);
	return f.nr_frames ? f.frames[f.nr_frames - 1].function : "";
}

/*
 * A process that execs between session start and its first drained
 * sample, into a binary at the same addresses, with the rings drained so
 * that the new image's samples come first: each generation still gets
 * its own binary.
 */
static void test_exec_seen_out_of_order(void **state)
{
	char dir[] = "/tmp/symbolize_test.XXXXXX", a[PATH_MAX], b[PATH_MAX];
	char maps[PATH_MAX];
	struct symbolizer *sym;
	struct objfile *obj;
	uint64_t alpha;

	(void)state;
	if (!realpath("build/workloads/cpusplit", a) ||
	    !realpath("build/workloads/fixedwork", b)) {
		skip();		/* make workloads builds them */
		return;
	}
	obj = objfile__open_fd(open(a, O_RDONLY));
	assert_non_null(obj);
	assert_int_equal(objfile__symbol_value(obj, "main.alpha", &alpha), 0);
	objfile__close(obj);
	assert_non_null(mkdtemp(dir));
	fake_proc_image(dir, a);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	assert_int_equal(symbolizer__add_pid(sym, FAKE_PID), 0);	/* start */
	fake_proc_image(dir, b);					/* exec */
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 5)), 0);	/* new, first */
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 4)), 0);	/* old, late */
	assert_string_equal(name_at(sym, 4, alpha), "main.alpha");
	assert_string_not_equal(name_at(sym, 5, alpha), "main.alpha");
	assert_string_equal(symbolizer__comm(sym, WHO(FAKE_PID, 4)), "");
	symbolizer__free(sym);

	/*
	 * Drained while the exec is still loading the new binary (its
	 * executable set, nothing of it mapped yet): that read is no image;
	 * the new one is read once complete, and the old image keeps its
	 * own binary even when one of its addresses misses.
	 */
	fake_proc_image(dir, a);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	assert_int_equal(symbolizer__add_pid(sym, FAKE_PID), 0);
	fake_proc_image(dir, b);
	snprintf(maps, sizeof(maps), "%s/%d/maps", dir, FAKE_PID);
	assert_int_equal(truncate(maps, 0), 0);
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 5)), 0);
	fake_proc_image(dir, b);			/* exec done */
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 4)), 0);
	assert_string_equal(name_at(sym, 4, alpha), "main.alpha");
	assert_string_equal(name_at(sym, 4, 0x900000), "");
	assert_string_not_equal(name_at(sym, 5, alpha), "main.alpha");
	assert_string_not_equal(name_at(sym, 5, alpha), "");
	assert_string_equal(name_at(sym, 4, alpha), "main.alpha");
	symbolizer__free(sym);

	/* the same with the old image's samples drained first */
	fake_proc_image(dir, a);
	sym = symbolizer__new(dir, 0);
	assert_non_null(sym);
	assert_int_equal(symbolizer__add_pid(sym, FAKE_PID), 0);
	fake_proc_image(dir, b);
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 4)), 0);
	assert_int_equal(symbolizer__see(sym, WHO(FAKE_PID, 5)), 0);
	assert_string_equal(name_at(sym, 4, alpha), "main.alpha");
	assert_string_not_equal(name_at(sym, 5, alpha), "main.alpha");
	symbolizer__free(sym);
	fake_proc_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_code_and_libc),
		cmocka_unit_test(test_vdso_from_memory),
		cmocka_unit_test(test_fp_delta_from_the_code),
		cmocka_unit_test(test_each_dlopen_resolves),
		cmocka_unit_test(test_new_generation_reads_again),
		cmocka_unit_test(test_exec_seen_out_of_order),
	};

	return cmocka_run_group_tests_name("symbolize", tests, NULL, NULL);
}
