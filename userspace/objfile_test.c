// SPDX-License-Identifier: GPL-2.0-only
/*
 * objfile against this test's own binary: a PIE built by gcc, so its
 * runtime addresses differ from its link-time ones by the load bias.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "errors.h"
#include "maps.h"
#include "objfile.h"

/* A function of this binary to look for. */
__attribute__((noinline)) int objfile_test_marker(int x);
__attribute__((noinline)) int objfile_test_marker(int x)
{
	return x * 3 + 1;
}

static void test_own_function_by_runtime_address(void **state)
{
	struct objfile *obj = objfile__open_fd(open("/proc/self/exe", O_RDONLY));
	struct maps *maps = maps__load("/proc", getpid());
	uint64_t addr = (uint64_t)(uintptr_t)objfile_test_marker + 4, vaddr, start;
	const struct map_entry *m;
	const char *name;

	(void)state;
	assert_non_null(obj);
	assert_non_null(maps);
	assert_true(objfile__has_symbols(obj));
	m = maps__find(maps, addr);
	assert_non_null(m);
	assert_int_equal(objfile__vaddr(obj, m->start, m->offset, addr, &vaddr), 0);
	name = objfile__symbol(obj, vaddr, &start);
	assert_non_null(name);
	assert_string_equal(name, "objfile_test_marker");
	assert_int_equal(vaddr - start, 4);
	assert_int_equal(objfile_test_marker(1), 4);
	maps__free(maps);
	objfile__close(obj);
}

/* A pointer the loader fills in: a relative relocation in this PIE. */
int (*objfile_test_pointer)(int) = objfile_test_marker;

static void test_bytes_sections_symbols_relocations(void **state)
{
	struct objfile *obj = objfile__open_fd(open("/proc/self/exe", O_RDONLY));
	struct maps *maps = maps__load("/proc", getpid());
	uint64_t marker = (uint64_t)(uintptr_t)objfile_test_marker, vaddr;
	uint64_t sym, ptr, value, text, size;
	const struct map_entry *m = maps__find(maps, marker);
	const uint8_t *code;

	(void)state;
	assert_non_null(obj);
	assert_non_null(m);
	assert_int_equal(objfile__vaddr(obj, m->start, m->offset, marker, &vaddr), 0);
	/* by name, whatever the symbol's type */
	assert_int_equal(objfile__symbol_value(obj, "objfile_test_marker", &sym), 0);
	assert_int_equal(sym, vaddr);
	assert_int_equal(objfile__symbol_value(obj, "objfile_test_pointer", &ptr), 0);
	assert_int_equal(objfile__symbol_value(obj, "no_such_symbol", &value), -ENOENT);
	/* the file's bytes at a link-time address are the code we run */
	code = objfile__bytes(obj, vaddr, 16);
	assert_non_null(code);
	assert_memory_equal(code, (const void *)(uintptr_t)marker, 16);
	assert_null(objfile__bytes(obj, vaddr, 1ULL << 40));
	assert_null(objfile__bytes(obj, 0xffffffffffff0000ULL, 16));
	/* the pointer is zero-based in the file: its relocation says where */
	assert_true(objfile__nr_relocs(obj) > 0);
	assert_int_equal(objfile__word(obj, ptr, &value), 0);
	assert_int_equal(value, vaddr);
	assert_int_equal(objfile__section(obj, ".text", &text, &size), 0);
	assert_true(vaddr >= text && vaddr < text + size);
	assert_int_equal(objfile__section(obj, ".no_such", &text, &size), -ENOENT);
	assert_true(objfile__nr_segments(obj) >= 2);
	assert_null(objfile__segment(obj, objfile__nr_segments(obj)));
	maps__free(maps);
	objfile__close(obj);
}

static void test_libc_through_dynsym(void **state)
{
	struct maps *maps = maps__load("/proc", getpid());
	uint64_t addr = (uint64_t)(uintptr_t)getpid, vaddr;
	const struct map_entry *m = maps__find(maps, addr);
	struct objfile *obj;
	const char *name;

	(void)state;
	assert_non_null(m);
	obj = objfile__open_fd(open(m->path, O_RDONLY));
	assert_non_null(obj);
	assert_int_equal(objfile__vaddr(obj, m->start, m->offset, addr, &vaddr), 0);
	name = objfile__symbol(obj, vaddr, NULL);
	assert_non_null(name);
	assert_non_null(strstr(name, "getpid"));
	/* Debian's libc has a GNU build id: 20 bytes, 40 hex digits */
	assert_non_null(objfile__build_id(obj));
	assert_int_equal(strlen(objfile__build_id(obj)), 40);
	objfile__close(obj);
	maps__free(maps);
}

/*
 * A Go binary without a GNU note carries Go's build id, 83 characters of
 * text: the whole of it, as go tool buildid prints it and pprof matches.
 */
static void test_go_build_id_whole(void **state)
{
	const char *exe = "build/workloads/cpusplit";
	char want[256] = "", cmd[512];
	struct objfile *obj;
	FILE *p;

	(void)state;
	snprintf(cmd, sizeof(cmd), "go tool buildid %s 2>/dev/null", exe);
	p = access(exe, R_OK) ? NULL : popen(cmd, "r");
	if (!p || !fgets(want, sizeof(want), p) || !want[0]) {
		if (p)
			pclose(p);
		skip();		/* make workloads builds it; go reads its id */
		return;
	}
	pclose(p);
	want[strcspn(want, "\n")] = '\0';
	assert_true(strlen(want) > 64);
	obj = objfile__open_fd(open(exe, O_RDONLY));
	assert_non_null(obj);
	assert_non_null(objfile__build_id(obj));
	assert_string_equal(objfile__build_id(obj), want);
	objfile__close(obj);
}

/*
 * Released, the object has no descriptor and keeps answering from its
 * copies: the code outside the skipped range, symbols, sections; only
 * lookups by name, which need the whole table, end. What it holds is
 * less than the file by at least the code skipped.
 */
static void test_release(void **state)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	struct objfile *obj = objfile__open_fd(fd);
	struct maps *maps = maps__load("/proc", getpid());
	uint64_t marker = (uint64_t)(uintptr_t)objfile_test_marker, vaddr;
	uint64_t text, size, start, value;
	const struct map_entry *m = maps__find(maps, marker);
	size_t all;

	(void)state;
	assert_non_null(obj);
	assert_non_null(m);
	assert_int_equal(objfile__vaddr(obj, m->start, m->offset, marker, &vaddr), 0);
	assert_int_equal(objfile__section(obj, ".text", &text, &size), 0);
	/* skip the text from a whole chunk past the marker's */
	objfile__release(obj, (vaddr | 0xffff) + 1, text + size);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_memory_equal(objfile__bytes(obj, vaddr, 16),
			    (const void *)(uintptr_t)marker, 16);
	assert_string_equal(objfile__symbol(obj, vaddr, &start), "objfile_test_marker");
	assert_int_equal(objfile__symbol_value(obj, "objfile_test_marker", &value), -ENOENT);
	if (text + size > (vaddr | 0xffff) + 1 + 0x20000)
		assert_null(objfile__bytes(obj, text + size - 0x10000 - 16, 16));
	all = objfile__memory(obj);
	assert_true(all > 0);
	objfile__release(obj, 0, 0);	/* twice is harmless */
	assert_int_equal(objfile__memory(obj), all);
	maps__free(maps);
	objfile__close(obj);
}

/* Anything but a regular file is refused, without reading (a FIFO blocks). */
static void test_not_regular(void **state)
{
	int pipefd[2];

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	errno = 0;
	assert_null(objfile__open_fd(pipefd[0]));
	assert_int_equal(errno, PROFCTL_ERR_NOT_ELF);
	close(pipefd[1]);
}

static void test_not_elf(void **state)
{
	(void)state;
	errno = 0;
	assert_null(objfile__open_fd(open("/etc/passwd", O_RDONLY)));
	assert_int_equal(errno, PROFCTL_ERR_NOT_ELF);
	objfile__close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function_by_runtime_address),
		cmocka_unit_test(test_bytes_sections_symbols_relocations),
		cmocka_unit_test(test_libc_through_dynsym),
		cmocka_unit_test(test_go_build_id_whole),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests_name("objfile", tests, NULL, NULL);
}
