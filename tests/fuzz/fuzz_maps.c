// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: one /proc/PID/maps line, as maps_parse_line() sees it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_entry e;
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (!maps_parse_line(line, &e))
		(void)strlen(e.path);
	free(line);
	return 0;
}
