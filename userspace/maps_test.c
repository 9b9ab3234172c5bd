// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "duration.h"
#include "maps.h"

static void test_parse_file_mapping(void **state)
{
	char line[] = "55aa1c569000-55aa1c5f7000 r-xp 00001000 fe:01 1234567    /usr/bin/app\n";
	struct map_entry e;

	(void)state;
	assert_int_equal(maps_parse_line(line, &e), 0);
	assert_int_equal(e.start, 0x55aa1c569000ULL);
	assert_int_equal(e.end, 0x55aa1c5f7000ULL);
	assert_int_equal(e.offset, 0x1000);
	assert_int_equal(e.dev_major, 0xfe);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1234567);
	assert_true(e.exec);
	assert_false(e.deleted);
	assert_string_equal(e.path, "/usr/bin/app");
}

static void test_parse_special_lines(void **state)
{
	char deleted[] = "400000-452000 r-xp 00000000 08:02 173521 /srv/app (deleted)\n";
	char spaces[] = "400000-452000 r-xp 00000000 08:02 173521 /srv/my app\n";
	char anon[] = "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n";
	char vdso[] = "7ffd5b7f5000-7ffd5b7f7000 r-xp 00000000 00:00 0                          [vdso]\n";
	char junk[] = "not a mapping\n";
	char backwards[] = "500000-400000 r-xp 00000000 08:02 1 /x\n";
	struct map_entry e;

	(void)state;
	assert_int_equal(maps_parse_line(deleted, &e), 0);
	assert_true(e.deleted);
	assert_string_equal(e.path, "/srv/app");
	assert_int_equal(maps_parse_line(spaces, &e), 0);
	assert_string_equal(e.path, "/srv/my app");
	assert_int_equal(maps_parse_line(anon, &e), 0);
	assert_false(e.exec);
	assert_string_equal(e.path, "");
	assert_int_equal(maps_parse_line(vdso, &e), 0);
	assert_string_equal(e.path, "[vdso]");
	assert_int_equal(maps_parse_line(junk, &e), -EINVAL);
	assert_int_equal(maps_parse_line(backwards, &e), -EINVAL);
}

/* This very function must be found in this very process's maps. */
static void test_load_self(void **state)
{
	struct maps *m = maps__load("/proc", getpid());
	const struct map_entry *e;

	(void)state;
	assert_non_null(m);
	assert_true(maps__count(m) >= 2);		/* the test and libc */
	e = maps__find(m, (uint64_t)(uintptr_t)test_load_self);
	assert_non_null(e);
	assert_true(e->exec);
	assert_non_null(strstr(e->path, "maps_test"));
	assert_null(maps__find(m, 0x10));
	maps__free(m);
	assert_null(maps__load("/proc", 0x7ffffff0));
	assert_int_equal(errno, ENOENT);
	maps__free(NULL);
}

static void test_durations(void **state)
{
	uint64_t ns;

	(void)state;
	assert_int_equal(duration_parse("500ms", &ns), 0);
	assert_int_equal(ns, 500000000ULL);
	assert_int_equal(duration_parse("30s", &ns), 0);
	assert_int_equal(ns, 30000000000ULL);
	assert_int_equal(duration_parse("2m", &ns), 0);
	assert_int_equal(ns, 120000000000ULL);
	assert_int_equal(duration_parse("45", &ns), 0);
	assert_int_equal(ns, 45000000000ULL);
	assert_int_equal(duration_parse("1h", &ns), 0);
	assert_int_equal(duration_parse("", &ns), -EINVAL);
	assert_int_equal(duration_parse("-5s", &ns), -EINVAL);
	assert_int_equal(duration_parse("5x", &ns), -EINVAL);
	assert_int_equal(duration_parse("s", &ns), -EINVAL);
	assert_int_equal(duration_parse("5 s", &ns), -EINVAL);
	assert_int_equal(duration_parse("99999999999999999999", &ns), -EINVAL);
	assert_int_equal(duration_parse("9999999999999h", &ns), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_file_mapping),
		cmocka_unit_test(test_parse_special_lines),
		cmocka_unit_test(test_load_self),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests_name("maps+duration", tests, NULL, NULL);
}
