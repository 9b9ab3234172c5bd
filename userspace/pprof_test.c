// SPDX-License-Identifier: GPL-2.0-only
/*
 * pprof writer round trip: build, write, gunzip, decode with protobuf-c,
 * and check every rule the readers (go tool pprof, Parca, Pyroscope)
 * enforce.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "pprof.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;

static const struct pprof_params params = {
	.time_nanos = 1700000000000000000LL,
	.duration_nanos = 30000000000LL,
	.period_ns = 10101010,			/* 99 Hz */
};

/* Writes @prof to a temporary file and decodes it back. */
static pb_profile *round_trip(struct pprof *prof, unsigned char magic[2])
{
	char path[] = "/tmp/pprof_test.XXXXXX";
	static unsigned char buf[1 << 24];
	int fd = mkstemp(path), n;
	gzFile gz;

	assert_true(fd >= 0);
	assert_int_equal(pprof__write(prof, fd), 0);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(read(fd, magic, 2), 2);
	close(fd);
	gz = gzopen(path, "rb");
	n = gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	unlink(path);
	assert_true(n > 0 && n < (int)sizeof(buf));
	return perftools__profiles__profile__unpack(NULL, n, buf);
}

static const char *str(const pb_profile *p, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < p->n_string_table);
	return p->string_table[i];
}

/* The rules every reader checks, on any profile. */
static void assert_valid(const pb_profile *p)
{
	size_t i, j;

	assert_string_equal(p->string_table[0], "");
	for (i = 0; i < p->n_mapping; i++) {
		assert_int_equal(p->mapping[i]->id, i + 1);	/* dense */
		str(p, p->mapping[i]->filename);
		str(p, p->mapping[i]->build_id);
	}
	for (i = 0; i < p->n_function; i++) {
		assert_int_equal(p->function[i]->id, i + 1);
		str(p, p->function[i]->name);
		str(p, p->function[i]->filename);
	}
	for (i = 0; i < p->n_location; i++) {
		assert_int_equal(p->location[i]->id, i + 1);
		assert_true(p->location[i]->mapping_id <= p->n_mapping);
		for (j = 0; j < p->location[i]->n_line; j++)
			assert_true(p->location[i]->line[j]->function_id >= 1 &&
				    p->location[i]->line[j]->function_id <= p->n_function);
	}
	for (i = 0; i < p->n_sample; i++) {
		assert_int_equal(p->sample[i]->n_value, p->n_sample_type);
		for (j = 0; j < p->sample[i]->n_location_id; j++)
			assert_true(p->sample[i]->location_id[j] >= 1 &&
				    p->sample[i]->location_id[j] <= p->n_location);
		for (j = 0; j < p->sample[i]->n_label; j++)
			str(p, p->sample[i]->label[j]->key);
	}
	for (i = 0; i < p->n_comment; i++)
		str(p, p->comment[i]);
}

static void test_cpu_profile_shape(void **state)
{
	struct pprof *prof = pprof__new(&params);
	unsigned char magic[2];
	pb_profile *p;

	(void)state;
	p = round_trip(prof, magic);
	assert_int_equal(magic[0], 0x1f);		/* gzip */
	assert_int_equal(magic[1], 0x8b);
	assert_valid(p);
	assert_int_equal(p->n_sample_type, 2);
	assert_string_equal(str(p, p->sample_type[0]->type), "samples");
	assert_string_equal(str(p, p->sample_type[0]->unit), "count");
	assert_string_equal(str(p, p->sample_type[1]->type), "cpu");
	assert_string_equal(str(p, p->sample_type[1]->unit), "nanoseconds");
	assert_string_equal(str(p, p->period_type->type), "cpu");
	assert_string_equal(str(p, p->period_type->unit), "nanoseconds");
	assert_string_equal(str(p, p->default_sample_type), "cpu");
	assert_int_equal(p->period, params.period_ns);
	assert_int_equal(p->time_nanos, params.time_nanos);
	assert_int_equal(p->duration_nanos, params.duration_nanos);
	perftools__profiles__profile__free_unpacked(p, NULL);
	pprof__free(prof);
}

static void test_stacks_labels_and_dedup(void **state)
{
	struct pprof *prof = pprof__new(&params);
	struct pprof_mapping exe = {
		.start = 0x400000, .limit = 0x500000, .file = "/usr/bin/app",
		.build_id = "abcdef", .has_functions = true,
	}, lib = { .start = 0x7f0000000000, .limit = 0x7f0000100000,
		   .offset = 0x1000, .file = "/lib/libc.so.6" };
	struct pprof_line inlined[2] = {
		{ .function = "main.inner", .file = "a.go", .line = 10, .start_line = 8 },
		{ .function = "main.outer", .file = "a.go", .line = 20, .start_line = 18 },
	};
	struct pprof_line root = { .function = "main.main", .file = "a.go", .line = 30 };
	struct pprof_line bare = { 0 };
	struct pprof_label labels[] = {
		{ .key = "pid", .num = 1234 }, { .key = "tid", .num = 1235 },
		{ .key = "thread_name", .str = "worker" }, { .key = "comm", .str = "app" },
	};
	uint64_t m1, m2, l1, l2, l3, again, stack[3];
	unsigned char magic[2];
	pb_profile *p;
	size_t i;

	(void)state;
	m1 = pprof__mapping(prof, &exe);
	m2 = pprof__mapping(prof, &lib);
	assert_int_equal(m1, 1);
	assert_int_equal(m2, 2);
	assert_int_equal(pprof__mapping(prof, &exe), 1);	/* deduplicated */
	l1 = pprof__location(prof, m1, 0x401000, inlined, 2);
	l2 = pprof__location(prof, m1, 0x402000, &root, 1);
	l3 = pprof__location(prof, m2, 0x7f0000001234, &bare, 1);
	again = pprof__location(prof, m1, 0x401000, inlined, 2);
	assert_int_equal(l1, again);
	stack[0] = l3;
	stack[1] = l1;
	stack[2] = l2;
	assert_int_equal(pprof__sample(prof, stack, 3, 5, labels, 4), 0);
	assert_int_equal(pprof__sample(prof, stack + 1, 2, 2, labels, 2), 0);
	assert_int_equal(pprof__comment(prof, "ksampler: fired 7 = written 7"), 0);

	p = round_trip(prof, magic);
	assert_valid(p);
	assert_int_equal(p->n_mapping, 2);
	assert_int_equal(p->n_location, 3);
	assert_int_equal(p->n_function, 3);
	assert_int_equal(p->n_sample, 2);
	/* mapping 0 is the main binary; flags only where true */
	assert_string_equal(str(p, p->mapping[0]->filename), "/usr/bin/app");
	assert_string_equal(str(p, p->mapping[0]->build_id), "abcdef");
	assert_true(p->mapping[0]->has_functions);
	assert_false(p->mapping[0]->has_line_numbers);
	assert_false(p->mapping[1]->has_functions);
	assert_int_equal(p->mapping[1]->file_offset, 0x1000);
	/* inlined frames innermost first, unsymbolized stays an address */
	assert_int_equal(p->location[0]->n_line, 2);
	assert_string_equal(str(p, p->function[p->location[0]->line[0]->function_id - 1]->name),
			    "main.inner");
	assert_int_equal(p->location[0]->line[0]->line, 10);
	assert_int_equal(p->function[0]->start_line, 8);
	assert_int_equal(p->location[2]->n_line, 0);
	assert_int_equal(p->location[2]->address, 0x7f0000001234);
	/* values: count and count * period */
	assert_int_equal(p->sample[0]->value[0], 5);
	assert_int_equal(p->sample[0]->value[1], 5 * params.period_ns);
	assert_int_equal(p->sample[0]->location_id[0], l3);	/* leaf first */
	/* numeric labels numeric, string labels strings */
	for (i = 0; i < 4; i++) {
		const Perftools__Profiles__Label *l = p->sample[0]->label[i];

		if (i < 2) {
			assert_int_equal(l->str, 0);
			assert_int_equal(l->num, labels[i].num);
		} else {
			assert_string_equal(str(p, l->str), labels[i].str);
		}
		assert_string_equal(str(p, l->key), labels[i].key);
	}
	assert_int_equal(p->n_comment, 1);
	assert_string_equal(str(p, p->comment[0]), "ksampler: fired 7 = written 7");
	perftools__profiles__profile__free_unpacked(p, NULL);
	pprof__free(prof);
}

/* The name of the function at @loc's innermost line. */
static const char *fn_at(const pb_profile *p, uint64_t loc)
{
	const Perftools__Profiles__Location *l = p->location[loc - 1];

	assert_true(l->n_line > 0);
	return str(p, p->function[l->line[0]->function_id - 1]->name);
}

/* Go's build id: four 20-character parts and their slashes. */
static const char go_id[] = "OpPt4IiZKCjxQf3-4HxN/NvID834q5Ydg1yCj6bpZ/"
			    "F0f4tod2Y-uqrVTYKcUW/5ouiGgNzJ04Pfnn6GWC8";
static const char gnu_id[] = "e6f80583233ea9fe3a94eb2c05255f3063f45f11";

/*
 * Two files at one path and range (two containers' /app/server, or a
 * binary and the upgrade that replaced it) are two mappings, by build id
 * or, lacking one, by device and inode; and so their locations at one
 * address are two, each with its own function. Build ids stay whole.
 */
static void test_files_at_one_path_stay_apart(void **state)
{
	struct pprof *prof = pprof__new(&params);
	struct pprof_mapping a = {
		.start = 0x400000, .limit = 0x800000, .file = "/app/server",
		.build_id = go_id, .dev = 0x2a, .inode = 10,
	}, b = a, c = a, d = a;
	struct pprof_line fa = { .function = "main.alpha" };
	struct pprof_line fb = { .function = "io/fs.FileMode.String" };
	uint64_t ma, mb, mc, la, lb;
	unsigned char magic[2];
	pb_profile *p;

	(void)state;
	b.build_id = gnu_id;			/* another build, same file */
	c.build_id = NULL;			/* no id: the file tells */
	d.build_id = NULL;
	d.inode = 11;
	ma = pprof__mapping(prof, &a);
	mb = pprof__mapping(prof, &b);
	mc = pprof__mapping(prof, &c);
	assert_true(ma && mb && mc);
	assert_int_not_equal(ma, mb);
	assert_int_not_equal(ma, mc);
	assert_int_not_equal(mc, pprof__mapping(prof, &d));
	assert_int_equal(pprof__mapping(prof, &a), ma);
	la = pprof__location(prof, ma, 0x48d160, &fa, 1);
	lb = pprof__location(prof, mb, 0x48d160, &fb, 1);
	assert_int_not_equal(la, lb);
	assert_int_equal(pprof__location(prof, mb, 0x48d160, &fa, 1), lb);
	assert_int_equal(pprof__location(prof, 99, 0x48d160, &fa, 1), 0);

	p = round_trip(prof, magic);
	assert_valid(p);
	assert_int_equal(p->n_mapping, 4);
	assert_string_equal(fn_at(p, la), "main.alpha");
	assert_string_equal(fn_at(p, lb), "io/fs.FileMode.String");
	assert_int_equal(p->location[la - 1]->mapping_id, ma);
	assert_int_equal(p->location[lb - 1]->mapping_id, mb);
	assert_string_equal(str(p, p->mapping[ma - 1]->build_id), go_id);
	assert_string_equal(str(p, p->mapping[mb - 1]->build_id), gnu_id);
	assert_string_equal(str(p, p->mapping[mc - 1]->build_id), "");
	perftools__profiles__profile__free_unpacked(p, NULL);
	pprof__free(prof);
}

/*
 * The main binary becomes mapping 1 whenever it is named, the mapping
 * that had id 1 taking its place: in the locations, and in later
 * lookups, too.
 */
static void test_main_mapping_first(void **state)
{
	struct pprof *prof = pprof__new(&params);
	struct pprof_mapping exe = {
		.start = 0x400000, .limit = 0x800000, .file = "/app/server",
		.build_id = go_id, .inode = 10, .has_functions = true,
	}, lib = { .start = 0x7f0000000000, .limit = 0x7f0000200000,
		   .file = "/lib/libc.so.6", .build_id = gnu_id, .inode = 20 },
	vdso = { .start = 0x7fff0000, .limit = 0x7fff2000, .file = "[vdso]" };
	struct pprof_line fl = { .function = "memcpy" };
	struct pprof_line fe = { .function = "main.main" };
	uint64_t stack[2];
	unsigned char magic[2];
	pb_profile *p;

	(void)state;
	/* the walk met the library first */
	assert_int_equal(pprof__mapping(prof, &lib), 1);
	stack[0] = pprof__location(prof, 1, 0x7f0000001000, &fl, 1);
	assert_int_equal(pprof__mapping(prof, &vdso), 2);
	assert_int_equal(pprof__mapping(prof, &exe), 3);
	stack[1] = pprof__location(prof, 3, 0x401000, &fe, 1);
	assert_int_equal(pprof__sample(prof, stack, 2, 1, NULL, 0), 0);

	assert_int_equal(pprof__main_mapping(prof, &exe), 1);
	assert_int_equal(pprof__main_mapping(prof, &exe), 1);
	assert_int_equal(pprof__mapping(prof, &exe), 1);
	assert_int_equal(pprof__mapping(prof, &lib), 3);
	assert_int_equal(pprof__mapping(prof, &vdso), 2);
	/* the locations follow their mappings */
	assert_int_equal(pprof__location(prof, 1, 0x401000, &fe, 1), stack[1]);
	assert_int_equal(pprof__location(prof, 3, 0x7f0000001000, &fl, 1), stack[0]);

	p = round_trip(prof, magic);
	assert_valid(p);
	assert_int_equal(p->n_mapping, 3);
	assert_string_equal(str(p, p->mapping[0]->filename), "/app/server");
	assert_string_equal(str(p, p->mapping[0]->build_id), go_id);
	assert_true(p->mapping[0]->has_functions);
	assert_string_equal(str(p, p->mapping[2]->filename), "/lib/libc.so.6");
	assert_int_equal(p->location[stack[1] - 1]->mapping_id, 1);
	assert_int_equal(p->location[stack[0] - 1]->mapping_id, 3);
	perftools__profiles__profile__free_unpacked(p, NULL);
	pprof__free(prof);
}

/* Enough samples that the gzip stream spans many output buffers. */
static void test_large_profile_streams(void **state)
{
	struct pprof *prof = pprof__new(&params);
	struct pprof_mapping exe = { .start = 0x400000, .limit = 0x800000,
				     .file = "/usr/bin/app" };
	struct pprof_line line = { .function = "f" };
	uint64_t m, stack[8];
	unsigned char magic[2];
	char name[32];
	pb_profile *p;
	int i, k;

	(void)state;
	m = pprof__mapping(prof, &exe);
	for (i = 0; i < 50000; i++) {
		for (k = 0; k < 8; k++) {
			snprintf(name, sizeof(name), "fn%d", (i * 8 + k) % 3000);
			line.function = name;
			stack[k] = pprof__location(prof, m, 0x400000 + (i * 8 + k) % 20000,
						   &line, 1);
			assert_true(stack[k] > 0);
		}
		assert_int_equal(pprof__sample(prof, stack, 8, 1, NULL, 0), 0);
	}
	p = round_trip(prof, magic);
	assert_valid(p);
	assert_int_equal(p->n_sample, 50000);
	assert_int_equal(p->n_location, 20000);
	perftools__profiles__profile__free_unpacked(p, NULL);
	pprof__free(prof);
}

static void test_write_error_is_returned(void **state)
{
	struct pprof *prof = pprof__new(&params);
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_true(pprof__write(prof, fd) < 0);	/* ENOSPC */
	close(fd);
	pprof__free(prof);
	pprof__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_profile_shape),
		cmocka_unit_test(test_stacks_labels_and_dedup),
		cmocka_unit_test(test_files_at_one_path_stay_apart),
		cmocka_unit_test(test_main_mapping_first),
		cmocka_unit_test(test_large_profile_streams),
		cmocka_unit_test(test_write_error_is_returned),
	};

	return cmocka_run_group_tests_name("pprof", tests, NULL, NULL);
}
