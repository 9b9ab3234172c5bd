// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "maps.h"

struct maps {
	struct map_entry *entries;	/* executable ones, sorted by start */
	size_t nr;
	char *paths;			/* the paths, back to back */
};

int maps_parse_line(char *line, struct map_entry *out)
{
	unsigned long long start, end, offset, inode;
	unsigned int maj, min;
	char perms[5];
	int path_at = 0;
	size_t len;
	char *path;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end,
		   perms, &offset, &maj, &min, &inode, &path_at) != 7 ||
	    start >= end || strlen(perms) != 4)
		return -EINVAL;
	path = path_at ? line + path_at : line + strlen(line);
	len = strlen(path);
	while (len && (path[len - 1] == '\n' || path[len - 1] == ' '))
		path[--len] = '\0';
	out->deleted = len > 10 && !strcmp(path + len - 10, " (deleted)");
	if (out->deleted)
		path[len - 10] = '\0';
	out->start = start;
	out->end = end;
	out->offset = offset;
	out->inode = inode;
	out->dev_major = maj;
	out->dev_minor = min;
	out->exec = perms[2] == 'x';
	out->path = path;
	return 0;
}

static int maps_cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Copies the parsed entries' paths into one block the maps own. */
static int maps_own_paths(struct maps *maps)
{
	size_t i, total = 0, off = 0;

	for (i = 0; i < maps->nr; i++)
		total += strlen(maps->entries[i].path) + 1;
	maps->paths = malloc(total ? total : 1);
	if (!maps->paths)
		return -ENOMEM;
	for (i = 0; i < maps->nr; i++) {
		size_t len = strlen(maps->entries[i].path) + 1;

		memcpy(maps->paths + off, maps->entries[i].path, len);
		maps->entries[i].path = maps->paths + off;
		off += len;
	}
	return 0;
}

struct maps *maps__load(const char *proc_root, int pid)
{
	struct maps *maps = calloc(1, sizeof(*maps));
	char path[64], **lines = NULL, *line = NULL;
	size_t cap = 0, lines_cap = 0, nlines = 0, lcap = 0, i;
	struct map_entry e;
	FILE *f;
	int err = 0;

	if (!maps)
		return NULL;
	snprintf(path, sizeof(path), "%s/%d/maps", proc_root, pid);
	f = fopen(path, "re");
	if (!f) {
		err = errno;
		free(maps);
		errno = err;
		return NULL;
	}
	while (getline(&line, &lcap, f) > 0) {
		if (maps_parse_line(line, &e) || !e.exec)
			continue;
		if (array_grow(&maps->entries, &cap, maps->nr, 1,
			       sizeof(maps->entries[0])) ||
		    array_grow(&lines, &lines_cap, nlines, 1, sizeof(lines[0]))) {
			err = ENOMEM;
			break;
		}
		/* the entry's path points into this line: keep the line */
		lines[nlines++] = line;
		maps->entries[maps->nr++] = e;
		line = NULL;
		lcap = 0;
	}
	free(line);
	fclose(f);
	if (!err && maps_own_paths(maps))
		err = ENOMEM;
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	if (err) {
		maps__free(maps);
		errno = err;
		return NULL;
	}
	if (maps->nr)	/* no executable mapping (mid-exec): no array at all */
		qsort(maps->entries, maps->nr, sizeof(maps->entries[0]), maps_cmp);
	return maps;
}

void maps__free(struct maps *maps)
{
	if (!maps)
		return;
	free(maps->entries);
	free(maps->paths);
	free(maps);
}

const struct map_entry *maps__find(const struct maps *maps, uint64_t addr)
{
	size_t lo = 0, hi = maps->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < maps->entries[mid].start)
			hi = mid;
		else if (addr >= maps->entries[mid].end)
			lo = mid + 1;
		else
			return &maps->entries[mid];
	}
	return NULL;
}

size_t maps__count(const struct maps *maps)
{
	return maps->nr;
}

const struct map_entry *maps__entry(const struct maps *maps, size_t i)
{
	return i < maps->nr ? &maps->entries[i] : NULL;
}
