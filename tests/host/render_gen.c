// SPDX-License-Identifier: GPL-2.0-only
/*
 * render_gen [-p PID] FILE PROC ADDR PID:COUNT... - writes through
 * profctl's renderer a CPU profile of the processes of the made-up /proc
 * at PROC: each PID gets COUNT samples of one stack, the address ADDR
 * (hex) in its executable; with -p, PID's profile alone, as
 * `profctl record --per-process` writes it. For tests/pprof.t to read
 * back with the real go tool pprof.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "render.h"

/* Counts @count samples of @pid at @addr. 0 or -errno. */
static int add_samples(struct stack_table *t, uint32_t pid, uint64_t addr,
		       unsigned long count)
{
	const __u64 ips[1] = { addr };
	struct sample s = {
		.pid = pid, .tid = pid, .nr_frames = 1, .comm = "server",
		.ips = ips,
	};
	int err = 0;

	while (count-- && !err)
		err = stack_table__add(t, &s);
	return err;
}

int main(int argc, char **argv)
{
	struct render_params rp = {
		.frequency = 99, .start_wall_ns = 1700000000000000000LL,
		.duration_ns = 2000000000LL, .comment = "written by tests/host/render_gen",
	};
	struct stack_table *t = stack_table__new(1 << 20);
	struct symbolizer *sym;
	unsigned long pid, count;
	uint64_t addr;
	int opt, i, fd, err = 0;

	while ((opt = getopt(argc, argv, "p:")) != -1)
		if (opt == 'p')
			rp.pid = atoi(optarg);
		else
			return 2;
	if (argc - optind < 4 || !t)
		return 2;
	sym = symbolizer__new(argv[optind + 1], 0);
	addr = strtoull(argv[optind + 2], NULL, 16);
	for (i = optind + 3; sym && !err && i < argc; i++) {
		if (sscanf(argv[i], "%lu:%lu", &pid, &count) != 2)
			return 2;
		err = symbolizer__add_pid(sym, (int)pid);
		if (!err)
			err = add_samples(t, (uint32_t)pid, addr, count);
	}
	fd = open(argv[optind], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!sym || err || fd < 0 || render_table(RENDER_PPROF, t, sym, &rp, fd)) {
		fprintf(stderr, "render_gen: failed\n");
		return 1;
	}
	close(fd);
	symbolizer__free(sym);
	stack_table__free(t);
	return 0;
}
