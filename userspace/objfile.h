/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * objfile.h - an ELF executable or shared object, read through libelf: its
 * loadable segments (to turn runtime addresses into link-time ones), its
 * function symbols (.symtab, else .dynsym) and its build id; and, for
 * readers of formats inside it (Go's pclntab), its bytes by link-time
 * address, its sections and symbols by name, and its relative
 * relocations.
 */
#ifndef PROFCTL_OBJFILE_H
#define PROFCTL_OBJFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct objfile;

/*
 * Takes ownership of @fd (closed by objfile__release() or
 * objfile__close(), or on failure); a
 * negative @fd returns NULL with errno untouched, so that open()'s error
 * passes through. NULL with errno set: PROFCTL_ERR_NOT_ELF for anything
 * but a readable 64-bit ELF file.
 */
struct objfile *objfile__open_fd(int fd);

/* Accepts NULL. */
void objfile__close(struct objfile *obj);

/*
 * Lets go of the file: reads every loadable segment not read yet into
 * memory of the object's own, then closes its descriptor and libelf's
 * view of it. Lookups keep working from the copies, except
 * objfile__symbol_value(), which needs the whole symbol table and gives
 * -ENOENT from then on. Code in [@skip_lo, @skip_hi) (link-time
 * addresses; an empty range skips nothing) is not read, unless already
 * read or near the range's ends: its bytes are not needed (Go code,
 * which other tables describe), and objfile__bytes() may find none.
 */
void objfile__release(struct objfile *obj, uint64_t skip_lo, uint64_t skip_hi);

/* Bytes the object holds (the segments' copies, symbols, names). */
size_t objfile__memory(const struct objfile *obj);

/*
 * The link-time address of @addr, which lies in a mapping of this file
 * starting at @map_start with file offset @map_offset. 0 or -ENOENT when
 * no loadable segment holds that offset.
 */
int objfile__vaddr(const struct objfile *obj, uint64_t map_start,
		   uint64_t map_offset, uint64_t addr, uint64_t *vaddr);

/*
 * The function symbol holding link-time address @vaddr, or NULL. The name
 * lives as long as @obj.
 */
const char *objfile__symbol(const struct objfile *obj, uint64_t vaddr,
			    uint64_t *start);

/* True if the file has any function symbol. */
bool objfile__has_symbols(const struct objfile *obj);

/* The GNU build id, else the Go build id, as lowercase hex; or NULL. */
const char *objfile__build_id(const struct objfile *obj);

/* True if the file carries a Go build id note (section or segment). */
bool objfile__has_go_note(const struct objfile *obj);

/* A loadable segment: where it sits, and what the file holds of it. */
struct objfile_segment {
	uint64_t offset, vaddr, filesz;
	uint32_t flags;			/* PF_R | PF_W | PF_X */
};

size_t objfile__nr_segments(const struct objfile *obj);
const struct objfile_segment *objfile__segment(const struct objfile *obj,
					       size_t i);

/*
 * The @len bytes at link-time address @vaddr, in the object's copy of the
 * file's segments (a segment is read on first use); NULL unless one
 * segment's file bytes hold them all.
 */
const uint8_t *objfile__bytes(const struct objfile *obj, uint64_t vaddr,
			      uint64_t len);

/*
 * The 8-byte word at @vaddr as the dynamic loader leaves it: a relative
 * relocation's addend when one targets @vaddr (a PIE's pointers may be
 * zero in the file), else the file's bytes. 0, or -ENOENT.
 */
int objfile__word(const struct objfile *obj, uint64_t vaddr, uint64_t *value);

/* A relative relocation: the loader stores base + @addend at @offset. */
struct objfile_reloc {
	uint64_t offset;
	uint64_t addend;
};

/* The relative relocations, sorted by offset. */
size_t objfile__nr_relocs(const struct objfile *obj);
const struct objfile_reloc *objfile__relocs(const struct objfile *obj);

/* The allocated section named @name: 0, or -ENOENT. */
int objfile__section(const struct objfile *obj, const char *name,
		     uint64_t *vaddr, uint64_t *size);

/*
 * The value of the symbol named @name in .symtab (any type or binding),
 * else .dynsym: 0, or -ENOENT (also once released).
 */
int objfile__symbol_value(const struct objfile *obj, const char *name,
			  uint64_t *value);

#endif /* PROFCTL_OBJFILE_H */
