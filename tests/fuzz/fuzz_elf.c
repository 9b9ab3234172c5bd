// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: a whole executable, as profctl meets one behind a
 * mapping: libelf, the extent checks, build ids, Go detection and the
 * pclntab search, then lookups. The input goes through a memfd, as files
 * do.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_frame frames[8];
	struct symfile *sf;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	uint64_t pc;
	int64_t delta;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	sf = symfile__open_fd(fd);
	if (!sf)
		return 0;	/* the fd is closed on failure */
	for (pc = 0x400000; pc < 0x400000 + 0x10000; pc += 0x400) {
		symfile__lookup(sf, pc, frames, 8);
		symfile__sp_delta(sf, pc, &delta);
	}
	symfile__close(sf);
	return 0;
}
