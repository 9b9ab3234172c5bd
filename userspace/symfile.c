// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gobinary.h"
#include "objfile.h"
#include "symfile.h"

/*
 * The PC cache: direct-mapped, so its size is fixed. Chains longer than
 * a slot holds are looked up each time (they are rare).
 */
#define SYMFILE_CACHE_SLOTS 1024
#define SYMFILE_CACHE_FRAMES 6

struct symfile_slot {
	uint64_t vaddr;
	int nr;
	bool used;			/* false: empty (calloc'ed) */
	struct sym_frame frames[SYMFILE_CACHE_FRAMES];
};

struct symfile {
	struct objfile *obj;
	struct gopclntab *go;		/* NULL: not Go, or unreadable */
	uint64_t go_start, go_end;	/* the PCs the table covers */
	struct gobinary_info go_info;
	bool is_go;
	int go_err;
	struct symfile_slot *cache;	/* Go binaries only */
};

struct symfile *symfile__open_fd(int fd)
{
	struct symfile *sf;

	if (fd < 0)
		return NULL;
	sf = calloc(1, sizeof(*sf));
	if (!sf) {
		close(fd);
		return NULL;
	}
	sf->obj = objfile__open_fd(fd);
	if (!sf->obj) {
		free(sf);
		return NULL;		/* errno is objfile's */
	}
	sf->is_go = gobinary__detect(sf->obj, &sf->go_info);
	if (sf->is_go)
		sf->go = gobinary__open_pclntab(sf->obj, &sf->go_info);
	if (sf->is_go && !sf->go)
		sf->go_err = -errno;
	if (sf->go)
		gopclntab__range(sf->go, &sf->go_start, &sf->go_end);
	/* all that lookups need is copied (not Go's code): no descriptor kept */
	objfile__release(sf->obj, sf->go_start, sf->go_end);
	if (!sf->go)
		return sf;
	/* zeroed pages: only the slots a lookup fills are ever touched */
	sf->cache = calloc(SYMFILE_CACHE_SLOTS, sizeof(sf->cache[0]));
	return sf;
}

size_t symfile__memory(const struct symfile *sf)
{
	return sizeof(*sf) + objfile__memory(sf->obj) +
	       (sf->cache ? SYMFILE_CACHE_SLOTS * sizeof(sf->cache[0]) : 0);
}

void symfile__close(struct symfile *sf)
{
	if (!sf)
		return;
	free(sf->cache);
	gopclntab__close(sf->go);
	objfile__close(sf->obj);
	free(sf);
}

int symfile__vaddr(const struct symfile *sf, uint64_t map_start,
		   uint64_t map_offset, uint64_t addr, uint64_t *vaddr)
{
	return objfile__vaddr(sf->obj, map_start, map_offset, addr, vaddr);
}

static int symfile_go_lookup(struct symfile *sf, uint64_t vaddr,
			     struct sym_frame *frames, size_t max)
{
	struct go_frame gf[SYMFILE_MAX_FRAMES];
	int n, i;

	if (max > SYMFILE_MAX_FRAMES)
		max = SYMFILE_MAX_FRAMES;
	n = gopclntab__lookup(sf->go, vaddr, gf, max, NULL);
	for (i = 0; i < n; i++) {
		frames[i].function = gf[i].function;
		frames[i].file = gf[i].file;
		frames[i].line = gf[i].line;
		frames[i].start_line = gf[i].start_line;
	}
	/* a corrupt entry reads as unknown; the rest of the table serves */
	return n < 0 ? 0 : n;
}

int symfile__lookup(struct symfile *sf, uint64_t vaddr,
		    struct sym_frame *frames, size_t max)
{
	struct symfile_slot *slot;
	int n;

	if (!max)
		return 0;
	if (sf->go && vaddr >= sf->go_start && vaddr < sf->go_end) {
		slot = sf->cache ? &sf->cache[(vaddr >> 2) % SYMFILE_CACHE_SLOTS] : NULL;
		if (slot && slot->used && slot->vaddr == vaddr &&
		    (size_t)slot->nr <= max) {
			memcpy(frames, slot->frames, (size_t)slot->nr * sizeof(*frames));
			return slot->nr;
		}
		n = symfile_go_lookup(sf, vaddr, frames, max);
		/*
		 * An empty answer is not kept: it would stand for the ELF
		 * symbol found below, and the address would be named the
		 * first time and not the next.
		 */
		if (slot && n && n <= SYMFILE_CACHE_FRAMES) {
			slot->vaddr = vaddr;
			slot->nr = n;
			slot->used = true;
			memcpy(slot->frames, frames, (size_t)n * sizeof(*frames));
		}
		if (n)
			return n;
	}
	/* C in a Go binary (cgo), or not Go at all */
	memset(frames, 0, sizeof(*frames));
	frames->function = objfile__symbol(sf->obj, vaddr, NULL);
	return frames->function ? 1 : 0;
}

int symfile__sp_delta(const struct symfile *sf, uint64_t vaddr,
		      int64_t *delta)
{
	if (!sf->go)
		return -ENOENT;
	return gopclntab__sp_delta(sf->go, vaddr, delta) ? -ENOENT : 0;
}

/*
 * The length of the register-clearing instruction at @p (xor of a 32-bit
 * register with itself or another, as -fzero-call-used-regs puts between
 * an epilogue's pop %rbp and its ret, in the vdso among others), or 0.
 */
static size_t symfile_clear_len(const uint8_t *p)
{
	size_t rex = (p[0] & 0xf0) == 0x40;

	if ((p[rex] == 0x31 || p[rex] == 0x33) && p[rex + 1] >= 0xc0)
		return rex + 2;
	return 0;
}

/* Instructions looked at between a sampled PC and the ret it is before. */
#define SYMFILE_EPILOGUE_MAX	8

int symfile__fp_delta(const struct symfile *sf, uint64_t vaddr,
		      int64_t *delta)
{
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	const uint8_t *code = NULL;
	uint64_t start, off, entry = 0;
	size_t i, len;

	if ((sf->go && vaddr >= sf->go_start && vaddr < sf->go_end) ||
	    !objfile__symbol(sf->obj, vaddr, &start))
		return -ENOENT;
	off = vaddr - start;
	/* the function's bytes up to a few instructions past the sampled one */
	for (len = off + 3 * SYMFILE_EPILOGUE_MAX + 2; len > off; len--) {
		code = objfile__bytes(sf->obj, start, len);
		if (code)
			break;
	}
	if (!code || len < off + 2)
		return -ENOENT;
	if (off >= sizeof(endbr64) && !memcmp(code, endbr64, sizeof(endbr64)))
		entry = sizeof(endbr64);
	if (off <= entry) {
		*delta = 0;
		return 0;
	}
	if (off == entry + 1 && code[entry] == 0x55) {		/* push %rbp */
		*delta = 8;
		return 0;
	}
	/* at a ret, or at register clearing before one: the frame is gone */
	for (i = 0; i < SYMFILE_EPILOGUE_MAX && off + 3 <= len; i++) {
		if (code[off] == 0xc3 || (code[off] == 0xf3 && code[off + 1] == 0xc3)) {
			*delta = 0;
			return 0;
		}
		if (!symfile_clear_len(code + off))
			break;
		off += symfile_clear_len(code + off);
	}
	return -ENOENT;
}

void symfile__caps(const struct symfile *sf, struct symfile_caps *caps)
{
	caps->functions = sf->go || objfile__has_symbols(sf->obj);
	caps->filenames = caps->line_numbers = sf->go != NULL;
	caps->inline_frames = sf->go != NULL;
}

const char *symfile__build_id(const struct symfile *sf)
{
	return objfile__build_id(sf->obj);
}

const char *symfile__go_version(const struct symfile *sf)
{
	return sf->go_info.version;
}

bool symfile__is_go(const struct symfile *sf)
{
	return sf->is_go;
}

int symfile__go_error(const struct symfile *sf)
{
	return sf->go_err;
}
