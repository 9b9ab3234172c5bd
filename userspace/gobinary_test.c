// SPDX-License-Identifier: GPL-2.0-only
/*
 * gobinary's search for a pclntab that no section or symbol names, on the
 * files of hostile_elf_test.h (issue 19): every candidate there is a near
 * miss, and a search that checked each in full took time quadratic in
 * the file's size (minutes for 38 MB), inside the collector's ring
 * drain. The search must give up, saying why, and still find a real
 * table that a few near misses come before.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "errors.h"
#include "gobinary.h"
#include "hostile_elf_test.h"
#include "objfile.h"

/* @b as a file, opened. */
static struct objfile *open_image(const uint8_t *b, uint64_t size)
{
	int fd = memfd_create("hostile", MFD_CLOEXEC);
	struct objfile *obj;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, size), (ssize_t)size);
	obj = objfile__open_fd(fd);
	assert_non_null(obj);
	return obj;
}

/* gobinary__open_pclntab on @b: the table, or NULL and *@err. */
static struct gopclntab *open_pclntab(const uint8_t *b, uint64_t size,
				      struct objfile **obj, int *err)
{
	struct gobinary_info info;
	struct gopclntab *t;

	*obj = open_image(b, size);
	assert_true(gobinary__detect(*obj, &info));
	errno = 0;
	t = gobinary__open_pclntab(*obj, &info);
	*err = t ? 0 : errno;
	return t;
}

/*
 * A megabyte of near misses of each kind: the search gives up, with the
 * reason symfile__go_error() reports (before, it tried all ~7000
 * candidates in full and said only that there was no table).
 */
static void test_hostile_gives_up(void **state)
{
	static const enum hostile_kind kinds[] = {
		HOSTILE_NEAR_END, HOSTILE_MIDDLE, HOSTILE_HUGE_NFUNC,
	};
	struct hostile_layout l;
	struct objfile *obj;
	size_t k;
	uint8_t *b;
	int err;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		b = hostile_elf(kinds[k], 1 << 20, &l);
		assert_non_null(b);
		assert_true(l.nheaders > 5000 && l.nfunc > 40000);
		assert_null(open_pclntab(b, l.size, &obj, &err));
		assert_int_equal(err, PROFCTL_ERR_PCLNTAB_SEARCH);
		objfile__close(obj);
		free(b);
	}
}

/* Few candidates, each seen in full and refused: simply no table. */
static void test_few_near_misses_no_table(void **state)
{
	struct hostile_layout l;
	struct objfile *obj;
	uint8_t *b;
	int err;

	(void)state;
	b = hostile_elf(HOSTILE_NEAR_END, 16384, &l);
	assert_non_null(b);
	assert_null(open_pclntab(b, l.size, &obj, &err));
	assert_int_equal(err, PROFCTL_ERR_NO_PCLNTAB);
	objfile__close(obj);
	free(b);
}

/*
 * Near misses that each cost a full walk, then a real table: the first
 * functions of the same functab, which end before the entry that
 * descends. The file is padded to 3 MB, so that the table holds a
 * function per 75 bytes, denser than any Go binary's (caddy: one per
 * 900). It is found, behind as many near misses as a damaged (not built
 * to be hostile) binary could hold.
 */
static void test_real_table_after_near_misses(void **state)
{
	const uint64_t misses = 2, size = 3 << 20;
	struct hostile_layout l;
	struct gopclntab *t;
	struct objfile *obj;
	uint64_t k, h, start, end;
	uint8_t *b;
	int err;

	(void)state;
	b = hostile_elf(HOSTILE_MIDDLE, 1 << 20, &l);
	assert_non_null(b);
	b = realloc(b, size);
	assert_non_null(b);
	memset(b + l.size, 0, size - l.size);
	/* the PT_LOAD's p_filesz and p_memsz */
	hostile_put(b, sizeof(Elf64_Ehdr) + 32, size, 8);
	hostile_put(b, sizeof(Elf64_Ehdr) + 40, size, 8);
	for (k = misses; k < l.nheaders; k++) {
		h = HOSTILE_START + k * HOSTILE_HDR;
		if (k + 1 < l.nheaders)
			memset(b + h, 0, 8);		/* no magic: not a candidate */
		else
			hostile_put(b, h + 8, l.brk - 1, 8);
	}
	t = open_pclntab(b, size, &obj, &err);
	assert_non_null(t);
	assert_int_equal(gopclntab__nfunc(t), l.brk - 1);
	gopclntab__range(t, &start, &end);
	assert_int_equal(start, HOSTILE_VADDR + 0x1000);
	assert_int_equal(end, HOSTILE_VADDR + 0x1000 + 16 * (l.brk - 1));
	gopclntab__close(t);
	objfile__close(obj);
	/* and when the descending entry is mended, the first header is one */
	hostile_put(b, l.functab + 8 * l.brk, 16 * l.brk, 4);
	t = open_pclntab(b, size, &obj, &err);
	assert_non_null(t);
	assert_int_equal(gopclntab__nfunc(t), l.nfunc);
	gopclntab__close(t);
	objfile__close(obj);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_gives_up),
		cmocka_unit_test(test_few_near_misses_no_table),
		cmocka_unit_test(test_real_table_after_near_misses),
	};

	return cmocka_run_group_tests_name("gobinary", tests, NULL, NULL);
}
