/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * symbolize.h - turns (process, address) into (mapping, function), for the
 * processes of a session.
 *
 * A process's maps are read, and its executable files opened, when it is
 * added (at session start, or when it first shows up): a target that has
 * exited by the time the profile is written still resolves. Files are
 * reached through /proc/PID/map_files or /proc/PID/root, so deleted
 * binaries and processes in containers resolve too, and each file is
 * parsed once per (device, inode): Go binaries through their pclntab
 * (with inline frames), everything else through its ELF symbols.
 */
#ifndef PROFCTL_SYMBOLIZE_H
#define PROFCTL_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "maps.h"
#include "symfile.h"

struct symbolizer;

struct frame_info {
	const struct map_entry *map;	/* NULL: in no known mapping */
	const char *build_id;		/* NULL: none */
	struct symfile_caps caps;	/* what the file could tell */
	int nr_frames;			/* 0: no symbol */
	struct sym_frame frames[SYMFILE_MAX_FRAMES];	/* innermost first */
};

/* @proc_root is normally "/proc". NULL with errno set. */
struct symbolizer *symbolizer__new(const char *proc_root);

/* Accepts NULL. */
void symbolizer__free(struct symbolizer *sym);

/*
 * Reads @pid's maps and opens its files, unless already done: at session
 * start, before any sample says which exec generation the process is in
 * (the first one seen adopts this image). 0, or -errno (ENOENT: the
 * process is gone). Files that cannot be read are not an error: their
 * addresses stay unsymbolized.
 */
int symbolizer__add_pid(struct symbolizer *sym, int pid);

/*
 * Called for each (process, exec generation) the samples name, the first
 * time: a process never seen, or one that exec'ed since, has its maps
 * read now, while it still runs that image, so that addresses of the old
 * and the new image never mix. 0, or -errno.
 */
int symbolizer__see(struct symbolizer *sym, int pid, uint16_t gen);

/* The process's name (/proc/PID/comm when read), or "". */
const char *symbolizer__comm(const struct symbolizer *sym, int pid,
			     uint16_t gen);

/*
 * Resolves @addr of image @gen of @pid (a return address already moved
 * back into its call). When @addr is in no known mapping, the maps are
 * read again once (dlopen since); 0 always, with what was found in @out.
 */
int symbolizer__resolve(struct symbolizer *sym, int pid, uint16_t gen,
			uint64_t addr, struct frame_info *out);

/*
 * How far below its entry value the stack pointer is at @addr of @pid,
 * when @addr is in a Go function: 0, or -ENOENT.
 */
int symbolizer__sp_delta(struct symbolizer *sym, int pid, uint16_t gen,
			 uint64_t addr, int64_t *delta);

/*
 * Outside Go code, the same where the frame-pointer convention makes it
 * certain (symfile__fp_delta()): 0, or -ENOENT.
 */
int symbolizer__fp_delta(struct symbolizer *sym, int pid, uint16_t gen,
			 uint64_t addr, int64_t *delta);

/*
 * Calls @fn for each file that could be read only in part (a Go binary
 * whose symbol table is missing or corrupt), with the reason (-errno).
 */
void symbolizer__for_each_problem(const struct symbolizer *sym,
				  void (*fn)(const char *path, int err, void *ctx),
				  void *ctx);

/*
 * The first (lowest) mapping of image @gen of @pid's executable, its
 * text: a profile's main binary. 0, or -ENOENT when the image or its
 * executable is unknown. *@map lives until the process's maps are read
 * again (a symbolizer__resolve() that misses may).
 */
int symbolizer__exe_map(struct symbolizer *sym, int pid, uint16_t gen,
			const struct map_entry **map);

#endif /* PROFCTL_SYMBOLIZE_H */
