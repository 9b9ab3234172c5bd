/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * objfile.h - an ELF executable or shared object, read through libelf: its
 * loadable segments (to turn runtime addresses into link-time ones), its
 * function symbols (.symtab, else .dynsym) and its build id.
 */
#ifndef PROFCTL_OBJFILE_H
#define PROFCTL_OBJFILE_H

#include <stdbool.h>
#include <stdint.h>

struct objfile;

/*
 * Takes ownership of @fd (closed by objfile__close, or on failure); a
 * negative @fd returns NULL with errno untouched, so that open()'s error
 * passes through. NULL with errno set: PROFCTL_ERR_NOT_ELF for anything
 * but a readable 64-bit ELF file.
 */
struct objfile *objfile__open_fd(int fd);

/* Accepts NULL. */
void objfile__close(struct objfile *obj);

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

#endif /* PROFCTL_OBJFILE_H */
