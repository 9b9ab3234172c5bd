/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * maps.h - a process's address space, from /proc/PID/maps: which file
 * (and which offset in it) each executable address belongs to.
 */
#ifndef PROFCTL_MAPS_H
#define PROFCTL_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct map_entry {
	uint64_t start, end;		/* [start, end) */
	uint64_t offset;		/* file offset of start */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	bool exec;
	bool deleted;			/* the file was replaced or removed */
	const char *path;		/* "" for anonymous; "[vdso]" etc. */
};

struct maps;

/*
 * Parses one line of /proc/PID/maps into @out, with @out->path pointing
 * into @line (which is modified: the path is trimmed and its " (deleted)"
 * suffix removed). 0, or -EINVAL for a line that is not a mapping.
 */
int maps_parse_line(char *line, struct map_entry *out);

/*
 * Reads the executable mappings of @pid through @proc_root (normally
 * "/proc"). NULL with errno set: ENOENT when the process is gone.
 */
struct maps *maps__load(const char *proc_root, int pid);

/* Accepts NULL. */
void maps__free(struct maps *maps);

/* The executable mapping holding @addr, or NULL. */
const struct map_entry *maps__find(const struct maps *maps, uint64_t addr);

size_t maps__count(const struct maps *maps);
const struct map_entry *maps__entry(const struct maps *maps, size_t i);

#endif /* PROFCTL_MAPS_H */
