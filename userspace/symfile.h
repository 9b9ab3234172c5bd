/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * symfile.h - what one executable file can say about its addresses:
 * for a Go binary, the pclntab (function, file, line, inline chain); for
 * anything else, and for the C code in a Go binary, the ELF symbols.
 *
 * A file is read once, into memory of the symfile's own (nothing stays
 * mapped, no descriptor stays open: a file truncated later cannot hurt),
 * and looked up through a small cache of recent PCs, so that its memory
 * is fixed once open (symfile__memory()).
 */
#ifndef PROFCTL_SYMFILE_H
#define PROFCTL_SYMFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One logical frame; strings live as long as the symfile. */
struct sym_frame {
	const char *function;	/* never NULL in a result */
	const char *file;	/* NULL: unknown */
	int64_t line;		/* 0: unknown */
	int64_t start_line;	/* 0: unknown */
};

/* The most frames one address expands to (an inline chain). */
#define SYMFILE_MAX_FRAMES 32

struct symfile;

/*
 * Takes ownership of @fd (closed once the file is read); a
 * negative @fd returns NULL with errno untouched. NULL with errno set:
 * PROFCTL_ERR_NOT_ELF for anything but a 64-bit ELF file. A Go binary
 * whose pclntab is missing or corrupt still opens (its ELF symbols
 * serve), with the reason in symfile__go_error().
 */
struct symfile *symfile__open_fd(int fd);

/* Accepts NULL. */
void symfile__close(struct symfile *sf);

/* Bytes the symfile holds, for the caches that bound them. */
size_t symfile__memory(const struct symfile *sf);

/* See objfile__vaddr(). */
int symfile__vaddr(const struct symfile *sf, uint64_t map_start,
		   uint64_t map_offset, uint64_t addr, uint64_t *vaddr);

/*
 * Fills @frames (room for @max) with the frames at link-time address
 * @vaddr, innermost first. Returns how many: 0 when nothing is known.
 */
int symfile__lookup(struct symfile *sf, uint64_t vaddr,
		    struct sym_frame *frames, size_t max);

/*
 * The stack pointer's distance below its value at the entry of the Go
 * function holding @vaddr: 0, or -ENOENT (not Go code, or unknown).
 */
int symfile__sp_delta(const struct symfile *sf, uint64_t vaddr,
		      int64_t *delta);

/*
 * Outside Go code, the same distance where the frame-pointer convention
 * makes it certain from the code itself: 0 at a function's first
 * instruction (after its endbr64) and at a ret, 8 just after its
 * push %rbp. 0, or -ENOENT elsewhere (the frame is set up, or the
 * function keeps none) and in Go code.
 */
int symfile__fp_delta(const struct symfile *sf, uint64_t vaddr,
		      int64_t *delta);

/* What lookups give: pprof's mapping flags. */
struct symfile_caps {
	bool functions, filenames, line_numbers, inline_frames;
};

void symfile__caps(const struct symfile *sf, struct symfile_caps *caps);

/* The GNU build id, else the Go build id; or NULL. */
const char *symfile__build_id(const struct symfile *sf);

/* "go1.19.8" for a Go binary with build info, else "". */
const char *symfile__go_version(const struct symfile *sf);

/* True for a Go binary (whether or not its pclntab could be read). */
bool symfile__is_go(const struct symfile *sf);

/* For a Go binary whose pclntab could not be read: why (-errno), else 0. */
int symfile__go_error(const struct symfile *sf);

#endif /* PROFCTL_SYMFILE_H */
