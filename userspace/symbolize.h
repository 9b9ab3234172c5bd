/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * symbolize.h - turns (process, address) into (mapping, function), for the
 * processes of a session, for as long as the session runs.
 *
 * Two costs are kept apart. Seeing a process (symbolizer__see(), from the
 * ring drain) is cheap: its maps are read while it still runs that image,
 * and a file not met before is opened, not read, so that it can still be
 * read once the process is gone. Reading files (an ELF's symbols, a Go
 * binary's pclntab) happens later: in symbolizer__work(), under a time
 * budget, or when an address in the file is first resolved.
 *
 * Everything is bounded. Files are known by (device, inode), read once
 * into memory of their own (no descriptor or mapping is kept), and held
 * in an LRU bounded by bytes; the descriptors opened ahead of reading
 * are capped; a process's state goes when symbolizer__reap() has seen it
 * exit, and a file's when no process maps it and the LRU lets it go. A
 * file that could not be read is tried again later, not given up on.
 *
 * A process is known by its pid and start time, so that a reused pid is
 * a new process; within it, by exec generation.
 */
#ifndef PROFCTL_SYMBOLIZE_H
#define PROFCTL_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "symfile.h"

struct symbolizer;

/* Which process image: a pid, when it started, and which exec of it. */
struct sym_who {
	int pid;
	uint16_t gen;			/* exec generation (ABI 1.2) */
	uint64_t start_ns;		/* boot-time ns (ABI 1.6); 0: unknown */
};

struct frame_info {
	const struct map_entry *map;	/* NULL: in no known mapping */
	const char *build_id;		/* NULL: none */
	struct symfile_caps caps;	/* what the file could tell */
	int nr_frames;			/* 0: no symbol */
	struct sym_frame frames[SYMFILE_MAX_FRAMES];	/* innermost first */
};

/*
 * Samples carry their process's start time (the module has
 * KSAMPLER_FEAT_PROC_START): processes are told apart by it.
 */
#define SYM_WITH_START	(1U << 0)

/* @proc_root is normally "/proc". NULL with errno set. */
struct symbolizer *symbolizer__new(const char *proc_root, unsigned int flags);

/* Accepts NULL. */
void symbolizer__free(struct symbolizer *sym);

/*
 * The most bytes of read files kept (default 256 MiB), and of those the
 * most files that no known process maps (default 256).
 */
void symbolizer__set_limits(struct symbolizer *sym, size_t bytes,
			    size_t unmapped_files);

/*
 * Reads @pid's maps, unless already done: at session start, before any
 * sample says which exec generation the process is in (the first one
 * seen adopts this image). 0, or -errno (ENOENT: the process is gone).
 * Files that cannot be read are not an error: their addresses stay
 * unsymbolized.
 */
int symbolizer__add_pid(struct symbolizer *sym, int pid);

/*
 * Called for each process image the samples name, the first time: a
 * process never seen, or one that exec'ed since, has its maps read now,
 * while it still runs that image, so that addresses of the old and the
 * new image never mix. Reads no file. 0, or -errno.
 */
int symbolizer__see(struct symbolizer *sym, const struct sym_who *who);

/*
 * Reads files seen but not read yet until @budget_ns has passed: 0 when
 * none is left, else -EAGAIN.
 */
int symbolizer__work(struct symbolizer *sym, uint64_t budget_ns);

/*
 * Finds the processes that have exited, in two steps: a process found
 * gone is reported to @fn at the next call (samples it wrote before it
 * exited may still have sat in a ring: drain them in between), and kept
 * until symbolizer__forget_reaped(), so that its stacks can be resolved
 * one last time. Returns how many were reported.
 */
size_t symbolizer__reap(struct symbolizer *sym,
			void (*fn)(const struct sym_who *who, void *ctx),
			void *ctx);

/* Forgets the processes the last symbolizer__reap() reported. */
void symbolizer__forget_reaped(struct symbolizer *sym);

/* The process's name (/proc/PID/comm when read), or "". */
const char *symbolizer__comm(const struct symbolizer *sym,
			     const struct sym_who *who);

/*
 * Resolves @addr of image @who (a return address already moved back
 * into its call). When @addr is in no known mapping, the maps are read
 * again (dlopen since), at most once a second. 0 always, with what was
 * found in @out; its strings stay valid until the next call into the
 * symbolizer.
 */
int symbolizer__resolve(struct symbolizer *sym, const struct sym_who *who,
			uint64_t addr, struct frame_info *out);

/*
 * How far below its entry value the stack pointer is at @addr of @who,
 * when @addr is in a Go function: 0, or -ENOENT.
 */
int symbolizer__sp_delta(struct symbolizer *sym, const struct sym_who *who,
			 uint64_t addr, int64_t *delta);

/*
 * Outside Go code, the same where the frame-pointer convention makes it
 * certain (symfile__fp_delta()): 0, or -ENOENT.
 */
int symbolizer__fp_delta(struct symbolizer *sym, const struct sym_who *who,
			 uint64_t addr, int64_t *delta);

/* What the symbolizer holds now, for status lines and benchmarks. */
struct symbolizer_stats {
	size_t processes;		/* known, running or not yet reaped */
	size_t files;			/* known (device, inode) pairs */
	size_t files_read;		/* of those, read and held */
	size_t file_bytes;		/* what the read ones hold */
	size_t open_fds;		/* opened ahead of reading */
	uint64_t evicted;		/* files let go by the LRU, ever */
	uint64_t reaped;		/* processes forgotten, ever */
};

void symbolizer__stats(const struct symbolizer *sym, struct symbolizer_stats *st);

/*
 * Calls @fn for each file that could be read only in part (a Go binary
 * whose symbol table is missing or corrupt), with the reason (-errno);
 * the first 64 such files of the session, and then how many more there
 * were, as a NULL @path with @err the count.
 */
void symbolizer__for_each_problem(const struct symbolizer *sym,
				  void (*fn)(const char *path, int err, void *ctx),
				  void *ctx);

/*
 * The first (lowest) mapping of image @who's executable, its
 * text: a profile's main binary. 0, or -ENOENT when the image or its
 * executable is unknown. *@map lives until the process's maps are read
 * again (a symbolizer__resolve() that misses may).
 */
int symbolizer__exe_map(struct symbolizer *sym, const struct sym_who *who,
			const struct map_entry **map);

#endif /* PROFCTL_SYMBOLIZE_H */
