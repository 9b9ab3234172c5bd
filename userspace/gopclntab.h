/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gopclntab.h - reads a Go binary's pclntab: for a PC, the function, its
 * file and line, the chain of functions inlined there (innermost first),
 * and the stack pointer's offset from its value at entry.
 *
 * Every Go layout since 1.2 is read: 1.2-1.15, 1.16-1.17, 1.18-1.19 and
 * 1.20 on (including the zero textStart that Go 1.26 writes; the caller
 * then passes the text start it found elsewhere). The reader knows
 * nothing of ELF: it sees the binary through struct go_image, so that it
 * can be fed synthetic tables, and fuzzed. Every offset the table holds
 * is checked against the bytes that exist before it is followed: a
 * corrupt table gives PROFCTL_ERR_BAD_PCLNTAB, never a bad read.
 */
#ifndef PROFCTL_GOPCLNTAB_H
#define PROFCTL_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

/* The binary's memory at link-time addresses, as the file holds it. */
struct go_image {
	/* The @len bytes at @vaddr, or NULL unless all are in the file. */
	const uint8_t *(*bytes)(const void *ctx, uint64_t vaddr, uint64_t len);
	/*
	 * The pointer-sized word at @vaddr as the loader leaves it (a PIE's
	 * relocation addend when it has one). 0, or -ENOENT.
	 */
	int (*word)(const void *ctx, uint64_t vaddr, uint64_t *value);
	const void *ctx;
};

enum go_pcln_version {
	GO_PCLN_12 = 1,		/* Go 1.2 - 1.15 */
	GO_PCLN_116,		/* Go 1.16 - 1.17 */
	GO_PCLN_118,		/* Go 1.18 - 1.19 */
	GO_PCLN_120,		/* Go 1.20 and later */
};

struct gopclntab_params {
	uint64_t vaddr;		/* where the table starts */
	uint64_t size;		/* bytes known to belong to it (or more) */
	/*
	 * Go 1.18+: where functab offsets count from, when the header's
	 * own field is zero (Go 1.26) or cannot be trusted; 0: the header's.
	 */
	uint64_t text_start;
	/* Go 1.18+: the go:func.* block funcdata offsets count from; 0: none */
	uint64_t gofunc;
	/*
	 * Go 1.2-1.15 tables carry no version of their own, and only 1.12
	 * on put inline trees where this reader expects them: the minor
	 * version from the binary's build info, or 0 when unknown.
	 */
	int go_minor;
	/*
	 * What checking the table may cost, in functab entries' worth of
	 * work, less what it did cost on return; NULL: no limit. A search
	 * that tries many candidate tables in one file gives them all one
	 * budget in proportion to the file's size, so that a file full of
	 * near misses costs time linear in its size, not quadratic.
	 */
	uint64_t *budget;
};

/* One logical frame at a PC. Strings point into the image. */
struct go_frame {
	const char *function;
	const char *file;	/* NULL: unknown (padding between functions) */
	int64_t line;		/* 0 when unknown */
	int64_t start_line;	/* 0 before Go 1.20 */
};

struct gopclntab;

/*
 * Checks the header at @p->vaddr and returns a reader; NULL with errno
 * set: PROFCTL_ERR_BAD_PCLNTAB when it is not a pclntab we can read,
 * PROFCTL_ERR_PCLNTAB_SEARCH when checking it would cost more than what
 * is left of @p->budget (all of that is spent when not even a first look
 * fits: the caller can stop).
 */
struct gopclntab *gopclntab__open(const struct go_image *img,
				  const struct gopclntab_params *p);

/* Accepts NULL. */
void gopclntab__close(struct gopclntab *t);

enum go_pcln_version gopclntab__version(const struct gopclntab *t);

/* The text start functab entries are relative to (Go 1.18+), or 0. */
uint64_t gopclntab__text_start(const struct gopclntab *t);

/* The header's own text start (0 before 1.18, and from Go 1.26 on). */
uint64_t gopclntab__header_text_start(const struct gopclntab *t);

/* Offset of funcnametab from the table start (Go 1.16+), or 0. */
uint64_t gopclntab__funcname_offset(const struct gopclntab *t);

/*
 * How many functions the table has; their entries come in order. Entry
 * @nfunc is the end of the last function; past it, 0.
 */
size_t gopclntab__nfunc(const struct gopclntab *t);
uint64_t gopclntab__entry(const struct gopclntab *t, size_t i);

/* [first entry, end of the last function): the PCs that are Go code. */
void gopclntab__range(const struct gopclntab *t, uint64_t *start,
		      uint64_t *end);

/*
 * Fills @frames (room for @max) with the logical frames at @pc, innermost
 * first, the physical function last; a return address must already be
 * moved back into its call. Returns how many (at most @max: the
 * outermost inlined frames are dropped, never the physical function), 0
 * when @pc is not in a Go function, -EINVAL when @max is 0, or
 * -PROFCTL_ERR_BAD_PCLNTAB. @entry, if not NULL, gets the physical
 * function's entry.
 */
int gopclntab__lookup(const struct gopclntab *t, uint64_t pc,
		      struct go_frame *frames, size_t max, uint64_t *entry);

/*
 * How far the stack pointer at @pc is below its value at the function's
 * entry (the return address slot not counted). 0, -ENOENT when @pc is
 * not in a Go function or has no entry in the table, or
 * -PROFCTL_ERR_BAD_PCLNTAB.
 */
int gopclntab__sp_delta(const struct gopclntab *t, uint64_t pc,
			int64_t *delta);

#endif /* PROFCTL_GOPCLNTAB_H */
