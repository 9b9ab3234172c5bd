// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile_elf KIND BYTES FILE - writes one of the files of
 * userspace/hostile_elf_test.h (KIND: near-end, middle or huge-nfunc),
 * BYTES long, for the suites that time what profctl makes of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile_elf_test.h"

int main(int argc, char **argv)
{
	static const char *const kinds[] = {
		[HOSTILE_NEAR_END] = "near-end",
		[HOSTILE_MIDDLE] = "middle",
		[HOSTILE_HUGE_NFUNC] = "huge-nfunc",
	};
	struct hostile_layout l;
	uint64_t size;
	unsigned int k;
	uint8_t *b;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: hostile_elf near-end|middle|huge-nfunc BYTES FILE\n");
		return 2;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(argv[1], kinds[k]))
			break;
	size = strtoull(argv[2], NULL, 0);
	b = k < sizeof(kinds) / sizeof(kinds[0]) ?
		hostile_elf((enum hostile_kind)k, size, &l) : NULL;
	if (!b) {
		fprintf(stderr, "hostile_elf: unknown kind '%s' or under 4096 bytes\n",
			argv[1]);
		return 2;
	}
	f = fopen(argv[3], "w");
	if (!f || fwrite(b, 1, l.size, f) != l.size || fclose(f)) {
		perror(argv[3]);
		return 1;
	}
	free(b);
	return 0;
}
