// SPDX-License-Identifier: GPL-2.0-only
/*
 * pprof_gen FILE - writes a known CPU profile through profctl's pprof
 * writer, for tests/pprof.t to read back with the real go tool pprof:
 *
 *   main.main -> main.outer -> main.inner (inlined into outer)  60 samples
 *   main.main -> main.other                                     40 samples
 *   an unsymbolized address in libc, under main.main             5 samples
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "pprof.h"

int main(int argc, char **argv)
{
	struct pprof_params params = {
		.time_nanos = 1700000000000000000LL,
		.duration_nanos = 2000000000LL,
		.period_ns = 10101010,
	};
	struct pprof_mapping exe = {
		.start = 0x400000, .limit = 0x500000, .file = "/usr/bin/app",
		.build_id = "0123456789abcdef", .has_functions = true,
		.has_filenames = true, .has_line_numbers = true,
		.has_inline_frames = true,
	}, libc = { .start = 0x7f0000000000, .limit = 0x7f0000200000,
		    .file = "/lib/x86_64-linux-gnu/libc.so.6" };
	struct pprof_line hot[2] = {
		{ "main.inner", "/src/app/main.go", 12, 10 },
		{ "main.outer", "/src/app/main.go", 21, 20 },
	};
	struct pprof_line other = { "main.other", "/src/app/main.go", 31, 30 };
	struct pprof_line root = { "main.main", "/src/app/main.go", 41, 40 };
	struct pprof_line none = { 0 };
	struct pprof_label labels[] = {
		{ .key = "pid", .num = 4242 }, { .key = "comm", .str = "app" },
	};
	struct pprof *prof;
	uint64_t m, ml, s1[2], s2[2], s3[2];
	int fd, err;

	if (argc != 2)
		return 2;
	prof = pprof__new(&params);
	m = pprof__mapping(prof, &exe);
	ml = pprof__mapping(prof, &libc);
	s1[0] = pprof__location(prof, m, 0x401100, hot, 2);
	s1[1] = pprof__location(prof, m, 0x401400, &root, 1);
	s2[0] = pprof__location(prof, m, 0x401200, &other, 1);
	s2[1] = s1[1];
	s3[0] = pprof__location(prof, ml, 0x7f0000012345, &none, 1);
	s3[1] = s1[1];
	pprof__sample(prof, s1, 2, 60, labels, 2);
	pprof__sample(prof, s2, 2, 40, labels, 2);
	pprof__sample(prof, s3, 2, 5, labels, 2);
	pprof__comment(prof, "written by tests/host/pprof_gen");
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	err = fd < 0 ? -1 : pprof__write(prof, fd);
	if (fd >= 0)
		close(fd);
	pprof__free(prof);
	return err ? 1 : 0;
}
