// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nothing is mapped: libelf reads with pread (ELF_C_READ), and what
 * lookups need later (the loadable segments' bytes, the function symbols
 * and their names, the section names) is copied into memory of our own.
 * A file truncated or rewritten after it was read cannot fault the
 * collector (a mapped page past the new end is SIGBUS), and once
 * objfile__release() has run the object holds no descriptor.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "errors.h"
#include "objfile.h"

struct objfile_symbol {
	uint64_t start, end;
	size_t name;			/* offset in names */
};

struct objfile_section {
	size_t name;			/* offset in names */
	uint64_t vaddr, size;
};

/*
 * A segment's bytes, in anonymous memory of our own reserved at its full
 * size, read in chunks when first asked for (and the rest at release):
 * pointers into it stay valid, and untouched chunks cost nothing.
 */
#define OBJFILE_CHUNK	(64 * 1024ULL)

struct objfile_copy {
	uint8_t *bytes;			/* NULL: not reserved yet */
	uint64_t *read;			/* a bit per chunk read */
};

struct objfile {
	int fd;				/* -1 once released */
	Elf *elf;			/* NULL once released */
	uint64_t raw_size;		/* the file's size when read */
	struct objfile_segment *segs;
	size_t nr_segs;
	struct objfile_copy *copies;	/* per segment */
	size_t copied;			/* bytes in them */
	struct objfile_symbol *syms;	/* sorted by start */
	size_t nr_syms;
	struct objfile_section *secs;	/* allocated sections */
	size_t nr_secs, cap_secs;
	struct objfile_reloc *relocs;	/* sorted by offset */
	size_t nr_relocs, cap_relocs;
	char *names;			/* symbol and section names, NUL-ended */
	size_t names_len, names_cap;
	Elf_Scn *symtab, *dynsym;
	/*
	 * "" when none. A GNU id is hex, two digits a byte (20 bytes from
	 * ld's SHA-1); Go's is text, four 20-character parts and their
	 * slashes (83). Either is kept whole or not at all: pprof matches
	 * it exactly, and a cut one matches nothing.
	 */
	char build_id[256];
	bool go_note;			/* it has a Go build id note */
};

/* R_X86_64_RELATIVE and R_AARCH64_RELATIVE: base + addend */
#define OBJFILE_R_X86_64_RELATIVE 8
#define OBJFILE_R_AARCH64_RELATIVE 1027

/* The most bytes of loadable segments one file may hold: 512 MiB. */
#define OBJFILE_MAX_BYTES	(512ULL << 20)

/* Copies @name into the name arena: its offset, or -ENOMEM. */
static long objfile_add_name(struct objfile *obj, const char *name)
{
	size_t len = strlen(name) + 1, at = obj->names_len;

	if (array_grow(&obj->names, &obj->names_cap, obj->names_len, len, 1))
		return -ENOMEM;
	memcpy(obj->names + at, name, len);
	obj->names_len += len;
	return (long)at;
}

/*
 * libelf reads lazily, so a truncated file opens fine and then quietly
 * has nothing in it: refuse one whose header tables or sections run
 * past its end, so the user hears why.
 */
static int objfile_check_extent(const struct objfile *obj)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;

	if (!gelf_getehdr(obj->elf, &eh))
		return -PROFCTL_ERR_BAD_ELF;
	if (eh.e_phoff > obj->raw_size ||
	    (uint64_t)eh.e_phnum * eh.e_phentsize > obj->raw_size - eh.e_phoff ||
	    eh.e_shoff > obj->raw_size ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > obj->raw_size - eh.e_shoff)
		return -PROFCTL_ERR_BAD_ELF;
	while ((scn = elf_nextscn(obj->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -PROFCTL_ERR_BAD_ELF;
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > obj->raw_size ||
		     sh.sh_size > obj->raw_size - sh.sh_offset))
			return -PROFCTL_ERR_BAD_ELF;
	}
	return 0;
}

/* Reads @len bytes at @off of the file into @buf: 0, or -errno. */
static int objfile_pread(const struct objfile *obj, void *buf, size_t len,
			 uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pread(obj->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -PROFCTL_ERR_BAD_ELF;	/* shrunk */
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int objfile_load_segments(struct objfile *obj)
{
	struct objfile_segment *sg;
	uint64_t total = 0;
	GElf_Phdr ph;
	size_t n, i;

	if (elf_getphdrnum(obj->elf, &n))
		return -PROFCTL_ERR_NOT_ELF;
	obj->segs = calloc(n ? n : 1, sizeof(obj->segs[0]));
	obj->copies = calloc(n ? n : 1, sizeof(obj->copies[0]));
	if (!obj->segs || !obj->copies)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(obj->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		sg = &obj->segs[obj->nr_segs++];
		sg->offset = ph.p_offset;
		sg->vaddr = ph.p_vaddr;
		sg->filesz = ph.p_filesz;
		sg->flags = ph.p_flags;
		/* a header that claims bytes the file lacks is cut short */
		if (ph.p_offset > obj->raw_size) {
			sg->offset = obj->raw_size;
			sg->filesz = 0;
		} else if (ph.p_filesz > obj->raw_size - ph.p_offset) {
			sg->filesz = obj->raw_size - ph.p_offset;
		}
		total += sg->filesz;
	}
	return total > OBJFILE_MAX_BYTES ? -PROFCTL_ERR_TOO_BIG : 0;
}

/*
 * Makes sure the bytes [@off, @off + @len) of segment @i (offsets in it)
 * are read: 0, or -errno (also once released, for chunks never read).
 */
static int objfile_copy(struct objfile *obj, size_t i, uint64_t off,
			uint64_t len)
{
	const struct objfile_segment *sg = &obj->segs[i];
	struct objfile_copy *c = &obj->copies[i];
	uint64_t chunk, at, n, nchunks = (sg->filesz + OBJFILE_CHUNK - 1) / OBJFILE_CHUNK;
	void *p;
	int err;

	if (!len)
		return 0;
	if (!c->bytes) {
		if (obj->fd < 0)
			return -EIO;
		p = mmap(NULL, sg->filesz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		c->read = calloc((nchunks + 63) / 64, sizeof(uint64_t));
		if (p == MAP_FAILED || !c->read) {
			if (p != MAP_FAILED)
				munmap(p, sg->filesz);
			free(c->read);
			c->read = NULL;
			return -ENOMEM;
		}
		c->bytes = p;
	}
	for (chunk = off / OBJFILE_CHUNK; chunk <= (off + len - 1) / OBJFILE_CHUNK; chunk++) {
		if (c->read[chunk / 64] & (1ULL << (chunk % 64)))
			continue;
		if (obj->fd < 0)
			return -EIO;
		at = chunk * OBJFILE_CHUNK;
		n = sg->filesz - at < OBJFILE_CHUNK ? sg->filesz - at : OBJFILE_CHUNK;
		err = objfile_pread(obj, c->bytes + at, n, sg->offset + at);
		if (err)
			return err;
		c->read[chunk / 64] |= 1ULL << (chunk % 64);
		obj->copied += n;
	}
	return 0;
}

static int objfile_sym_cmp(const void *a, const void *b)
{
	const struct objfile_symbol *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Collects the function symbols of one symbol table section. */
static int objfile_read_symtab(struct objfile *obj, Elf_Scn *scn,
			       const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, i;
	const char *name;
	GElf_Sym sym;
	long at;
	int type;

	if (!data || !n)
		return 0;
	obj->syms = calloc(n, sizeof(obj->syms[0]));
	if (!obj->syms)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(obj->elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		at = objfile_add_name(obj, name);
		if (at < 0)
			return (int)at;
		obj->syms[obj->nr_syms].start = sym.st_value;
		obj->syms[obj->nr_syms].end = sym.st_value + sym.st_size;
		obj->syms[obj->nr_syms].name = (size_t)at;
		obj->nr_syms++;
	}
	qsort(obj->syms, obj->nr_syms, sizeof(obj->syms[0]), objfile_sym_cmp);
	/* sizeless symbols reach to the next one */
	for (i = 0; i + 1 < obj->nr_syms; i++)
		if (obj->syms[i].end == obj->syms[i].start)
			obj->syms[i].end = obj->syms[i + 1].start;
	return 0;
}

/* Reads the build ids among the notes of @data (a section or segment). */
static void objfile_read_notes(struct objfile *obj, Elf_Data *data)
{
	size_t off = 0, name_off, desc_off, i;
	const unsigned char *desc;
	GElf_Nhdr nh;
	bool gnu;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off))) {
		gnu = nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		      !memcmp((char *)data->d_buf + name_off, "GNU", 4);
		/* Go's note: type 4, name "Go"; its id is already text */
		if (!gnu && !(nh.n_type == 4 && nh.n_namesz == 4 &&
			      !memcmp((char *)data->d_buf + name_off, "Go\0", 4)))
			continue;
		if (!gnu)
			obj->go_note = true;
		if (!gnu && obj->build_id[0])
			continue;	/* a GNU id wins over Go's */
		desc = (const unsigned char *)data->d_buf + desc_off;
		if ((gnu ? 2 * (size_t)nh.n_descsz : nh.n_descsz) >= sizeof(obj->build_id) ||
		    (!gnu && memchr(desc, '\0', nh.n_descsz)))
			continue;
		for (i = 0; i < nh.n_descsz; i++) {
			if (gnu)
				snprintf(obj->build_id + 2 * i, 3, "%02x", desc[i]);
			else
				obj->build_id[i] = (char)desc[i];
		}
		obj->build_id[gnu ? 2 * i : i] = '\0';
	}
}

/*
 * A file without section headers (stripped to the bone, or built that
 * way) keeps its notes in PT_NOTE segments: read them there.
 */
static void objfile_read_segment_notes(struct objfile *obj)
{
	Elf_Data *data;
	GElf_Phdr ph;
	size_t n, i;

	if (elf_getphdrnum(obj->elf, &n))
		return;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(obj->elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
		    ph.p_offset > obj->raw_size ||
		    ph.p_filesz > obj->raw_size - ph.p_offset)
			continue;
		data = elf_getdata_rawchunk(obj->elf, (int64_t)ph.p_offset,
					    ph.p_filesz, ELF_T_NHDR);
		if (data)
			objfile_read_notes(obj, data);
	}
}

static int objfile_reloc_cmp(const void *a, const void *b)
{
	const struct objfile_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Collects the relative relocations of one SHT_RELA section. */
static int objfile_read_relocs(struct objfile *obj, Elf_Scn *scn,
			       const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, i;
	struct objfile_reloc *r;
	GElf_Rela rela;
	uint32_t type;

	if (!data || !n)
		return 0;
	if (array_grow(&obj->relocs, &obj->cap_relocs, obj->nr_relocs, n,
		       sizeof(*r)))
		return -ENOMEM;
	r = obj->relocs;
	for (i = 0; i < n && gelf_getrela(data, (int)i, &rela); i++) {
		type = (uint32_t)GELF_R_TYPE(rela.r_info);
		if (type != OBJFILE_R_X86_64_RELATIVE &&
		    type != OBJFILE_R_AARCH64_RELATIVE)
			continue;
		r[obj->nr_relocs].offset = rela.r_offset;
		r[obj->nr_relocs].addend = (uint64_t)rela.r_addend;
		obj->nr_relocs++;
	}
	return 0;
}

static int objfile_add_section(struct objfile *obj, const GElf_Shdr *sh,
			       size_t shstrndx)
{
	const char *name = elf_strptr(obj->elf, shstrndx, sh->sh_name);
	struct objfile_section *s;
	long at;

	if (!name || !(sh->sh_flags & SHF_ALLOC))
		return 0;
	if (array_grow(&obj->secs, &obj->cap_secs, obj->nr_secs, 1, sizeof(*s)))
		return -ENOMEM;
	at = objfile_add_name(obj, name);
	if (at < 0)
		return (int)at;
	s = obj->secs;
	s[obj->nr_secs].name = (size_t)at;
	s[obj->nr_secs].vaddr = sh->sh_addr;
	s[obj->nr_secs].size = sh->sh_type == SHT_NOBITS ? 0 : sh->sh_size;
	obj->nr_secs++;
	return 0;
}

static int objfile_load_sections(struct objfile *obj)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh, chosen;
	size_t shstrndx;
	int err = 0;

	if (elf_getshdrstrndx(obj->elf, &shstrndx))
		shstrndx = 0;
	while (!err && (scn = elf_nextscn(obj->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			obj->symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			obj->dynsym = scn;
		else if (sh.sh_type == SHT_NOTE)
			objfile_read_notes(obj, elf_getdata(scn, NULL));
		else if (sh.sh_type == SHT_RELA)
			err = objfile_read_relocs(obj, scn, &sh);
		if (!err && shstrndx)
			err = objfile_add_section(obj, &sh, shstrndx);
	}
	if (err)
		return err;
	if (!obj->nr_secs)
		objfile_read_segment_notes(obj);
	if (obj->nr_relocs)
		qsort(obj->relocs, obj->nr_relocs, sizeof(obj->relocs[0]),
		      objfile_reloc_cmp);
	scn = obj->symtab ? obj->symtab : obj->dynsym;
	if (!scn || !gelf_getshdr(scn, &chosen))
		return 0;
	return objfile_read_symtab(obj, scn, &chosen);
}

struct objfile *objfile__open_fd(int fd)
{
	struct objfile *obj;
	struct stat st;
	int err;

	if (fd < 0)
		return NULL;		/* errno is open()'s */
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		close(fd);
		return NULL;
	}
	obj->fd = fd;
	elf_version(EV_CURRENT);
	/* a FIFO or device would block or never end: regular files only */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = -PROFCTL_ERR_NOT_ELF;
		goto fail;
	}
	obj->raw_size = (uint64_t)st.st_size;
	obj->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!obj->elf || elf_kind(obj->elf) != ELF_K_ELF ||
	    gelf_getclass(obj->elf) != ELFCLASS64) {
		err = -PROFCTL_ERR_NOT_ELF;
		goto fail;
	}
	err = objfile_check_extent(obj);
	if (!err)
		err = objfile_load_segments(obj);
	if (!err)
		err = objfile_load_sections(obj);
	if (err)
		goto fail;
	return obj;
fail:
	objfile__close(obj);
	errno = -err;
	return NULL;
}

/* Lets go of libelf and the descriptor. */
static void objfile_drop(struct objfile *obj)
{
	if (obj->elf)
		elf_end(obj->elf);
	obj->elf = NULL;
	obj->symtab = obj->dynsym = NULL;
	if (obj->fd >= 0)
		close(obj->fd);
	obj->fd = -1;
}

void objfile__release(struct objfile *obj, uint64_t skip_lo, uint64_t skip_hi)
{
	const struct objfile_segment *sg;
	uint64_t at, n;
	size_t i;

	for (i = 0; obj->fd >= 0 && i < obj->nr_segs; i++) {
		sg = &obj->segs[i];
		for (at = 0; at < sg->filesz; at += OBJFILE_CHUNK) {
			n = sg->filesz - at < OBJFILE_CHUNK ? sg->filesz - at : OBJFILE_CHUNK;
			/* code that other tables describe is not needed */
			if ((sg->flags & PF_X) && sg->vaddr + at >= skip_lo &&
			    sg->vaddr + at + n <= skip_hi)
				continue;
			objfile_copy(obj, i, at, n);
		}
	}
	objfile_drop(obj);
}

void objfile__close(struct objfile *obj)
{
	size_t i;

	if (!obj)
		return;
	objfile_drop(obj);
	for (i = 0; obj->copies && i < obj->nr_segs; i++) {
		if (obj->copies[i].bytes)
			munmap(obj->copies[i].bytes, obj->segs[i].filesz);
		free(obj->copies[i].read);
	}
	free(obj->copies);
	free(obj->syms);
	free(obj->segs);
	free(obj->secs);
	free(obj->relocs);
	free(obj->names);
	free(obj);
}

size_t objfile__memory(const struct objfile *obj)
{
	return sizeof(*obj) + obj->copied +
	       obj->nr_segs * (sizeof(obj->segs[0]) + sizeof(obj->copies[0])) +
	       obj->nr_syms * sizeof(obj->syms[0]) +
	       obj->cap_secs * sizeof(obj->secs[0]) +
	       obj->cap_relocs * sizeof(obj->relocs[0]) + obj->names_cap;
}

int objfile__vaddr(const struct objfile *obj, uint64_t map_start,
		   uint64_t map_offset, uint64_t addr, uint64_t *vaddr)
{
	const struct objfile_segment *s;
	uint64_t page_off;
	size_t i;

	/*
	 * The segment that the mapping's file offset falls in (segments
	 * start mid-page in the file: compare page-aligned).
	 */
	for (i = 0; i < obj->nr_segs; i++) {
		s = &obj->segs[i];
		page_off = s->offset & ~0xfffULL;
		if (map_offset < page_off || map_offset >= s->offset + s->filesz)
			continue;
		*vaddr = addr - map_start + map_offset - s->offset + s->vaddr;
		return 0;
	}
	return -ENOENT;
}

const char *objfile__symbol(const struct objfile *obj, uint64_t vaddr,
			    uint64_t *start)
{
	size_t lo = 0, hi = obj->nr_syms, mid;

	/* the last symbol starting at or below vaddr */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (obj->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || vaddr >= obj->syms[lo - 1].end)
		return NULL;
	if (start)
		*start = obj->syms[lo - 1].start;
	return obj->names + obj->syms[lo - 1].name;
}

bool objfile__has_symbols(const struct objfile *obj)
{
	return obj->nr_syms > 0;
}

const char *objfile__build_id(const struct objfile *obj)
{
	return obj->build_id[0] ? obj->build_id : NULL;
}

size_t objfile__nr_segments(const struct objfile *obj)
{
	return obj->nr_segs;
}

const struct objfile_segment *objfile__segment(const struct objfile *obj,
					       size_t i)
{
	return i < obj->nr_segs ? &obj->segs[i] : NULL;
}

/*
 * The object is logically constant: reading a chunk in on first use
 * changes only what memory it costs, never what a lookup answers while
 * the file is open; once released, only code skipped at release is
 * missing, as documented.
 */
const uint8_t *objfile__bytes(const struct objfile *obj, uint64_t vaddr,
			      uint64_t len)
{
	const struct objfile_segment *s;
	size_t i;

	for (i = 0; i < obj->nr_segs; i++) {
		s = &obj->segs[i];
		if (vaddr < s->vaddr || vaddr - s->vaddr > s->filesz ||
		    len > s->filesz - (vaddr - s->vaddr))
			continue;
		if (objfile_copy((struct objfile *)obj, i, vaddr - s->vaddr, len))
			return NULL;
		return obj->copies[i].bytes ? obj->copies[i].bytes + (vaddr - s->vaddr) :
					      NULL;
	}
	return NULL;
}

int objfile__word(const struct objfile *obj, uint64_t vaddr, uint64_t *value)
{
	size_t lo = 0, hi = obj->nr_relocs, mid;
	const uint8_t *p;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (obj->relocs[mid].offset < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nr_relocs && obj->relocs[lo].offset == vaddr) {
		*value = obj->relocs[lo].addend;
		return 0;
	}
	p = objfile__bytes(obj, vaddr, 8);
	if (!p)
		return -ENOENT;
	memcpy(value, p, 8);
	return 0;
}

size_t objfile__nr_relocs(const struct objfile *obj)
{
	return obj->nr_relocs;
}

const struct objfile_reloc *objfile__relocs(const struct objfile *obj)
{
	return obj->relocs;
}

int objfile__section(const struct objfile *obj, const char *name,
		     uint64_t *vaddr, uint64_t *size)
{
	size_t i;

	for (i = 0; i < obj->nr_secs; i++) {
		if (strcmp(obj->names + obj->secs[i].name, name))
			continue;
		*vaddr = obj->secs[i].vaddr;
		*size = obj->secs[i].size;
		return 0;
	}
	return -ENOENT;
}

static int objfile_find_in(const struct objfile *obj, Elf_Scn *scn,
			   const char *name, uint64_t *value)
{
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	GElf_Shdr sh;
	const char *s;
	GElf_Sym sym;
	size_t n, i;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return -ENOENT;
	n = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < n && gelf_getsym(data, (int)i, &sym); i++) {
		if (sym.st_shndx == SHN_UNDEF)
			continue;
		s = elf_strptr(obj->elf, sh.sh_link, sym.st_name);
		if (s && !strcmp(s, name)) {
			*value = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

int objfile__symbol_value(const struct objfile *obj, const char *name,
			  uint64_t *value)
{
	if (!objfile_find_in(obj, obj->symtab, name, value))
		return 0;
	return objfile_find_in(obj, obj->dynsym, name, value);
}

bool objfile__has_go_note(const struct objfile *obj)
{
	return obj->go_note;
}
