// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where Go keeps things, per release, is tabulated in the reference notes
 * (sections B.1-B.3 and A.8); the fallbacks here exist because stripping,
 * PIE and external linking each remove one of the easy ways.
 */
#include <errno.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "gobinary.h"

static const char go_buildinfo_magic[14] = "\xff Go buildinf:";

/* moduledata fields (64-bit), stable from Go 1.16 through 1.26 */
#define GO_MD_FUNCNAMETAB	8
#define GO_MD_TEXT		176
#define GO_MD_GOFUNC_118	304	/* Go 1.18, 1.19 */
#define GO_MD_GOFUNC_120	320	/* Go 1.20 on: covctrs came first */

/* Build info is in the first 64 KiB of a writable segment's data. */
#define GO_BUILDINFO_SCAN	65536

static const uint8_t *go_bytes(const void *ctx, uint64_t vaddr, uint64_t len)
{
	return objfile__bytes(ctx, vaddr, len);
}

static int go_word(const void *ctx, uint64_t vaddr, uint64_t *value)
{
	return objfile__word(ctx, vaddr, value);
}

int gobinary__parse_minor(const char *version)
{
	char *end;
	long minor;

	if (strncmp(version, "go1.", 4))
		return 0;
	minor = strtol(version + 4, &end, 10);
	return (end != version + 4 && minor > 0 && minor < 1000) ? (int)minor : 0;
}

/* The address of the build info blob, or 0. */
static uint64_t go_find_buildinfo(const struct objfile *obj)
{
	const struct objfile_segment *s;
	const uint8_t *p;
	uint64_t vaddr, size, off, len;
	size_t i;

	if (!objfile__section(obj, ".go.buildinfo", &vaddr, &size))
		return vaddr;
	for (i = 0; i < objfile__nr_segments(obj); i++) {
		s = objfile__segment(obj, i);
		if (!(s->flags & PF_W) || (s->flags & PF_X))
			continue;
		len = s->filesz < GO_BUILDINFO_SCAN ? s->filesz : GO_BUILDINFO_SCAN;
		p = objfile__bytes(obj, s->vaddr, len);
		for (off = 0; p && off + 32 <= len; off += 16)
			if (!memcmp(p + off, go_buildinfo_magic, 14))
				return s->vaddr + off;
		/* a PIE's first writable segment is its RELRO: go on */
	}
	return 0;
}

/* Reads the version string of the build info at @at into @info. */
static void go_read_version(const struct objfile *obj, uint64_t at,
			    struct gobinary_info *info)
{
	const uint8_t *h = objfile__bytes(obj, at, 32), *s;
	uint64_t str, ptr, len = 0;
	unsigned int shift;
	uint64_t off;

	if (!h || memcmp(h, go_buildinfo_magic, 14))
		return;
	if (h[15] & 2) {
		/* Go 1.18+: a uvarint length and the bytes, inline at 32 */
		off = at + 32;
		for (shift = 0; shift < 63; shift += 7) {
			s = objfile__bytes(obj, off++, 1);
			if (!s)
				return;
			len |= (uint64_t)(*s & 0x7f) << shift;
			if (!(*s & 0x80))
				break;
		}
		str = off;
	} else {
		/* before: a pointer to a Go string header {ptr, len} */
		if (h[14] != 8 || objfile__word(obj, at + 16, &ptr) ||
		    objfile__word(obj, ptr, &str) ||
		    objfile__word(obj, ptr + 8, &len))
			return;
	}
	if (!len || len >= sizeof(info->version))
		return;
	s = objfile__bytes(obj, str, len);
	if (!s)
		return;
	memcpy(info->version, s, len);
	info->version[len] = '\0';
	info->minor = gobinary__parse_minor(info->version);
}

bool gobinary__detect(const struct objfile *obj, struct gobinary_info *info)
{
	uint64_t at, v, size;
	bool go = false;

	memset(info, 0, sizeof(*info));
	at = go_find_buildinfo(obj);
	if (at) {
		go_read_version(obj, at, info);
		go = true;
	}
	return go || objfile__has_go_note(obj) ||
	       !objfile__section(obj, ".gopclntab", &v, &size) ||
	       !objfile__section(obj, ".data.rel.ro.gopclntab", &v, &size) ||
	       !objfile__symbol_value(obj, "runtime.pclntab", &v);
}

static struct gopclntab *go_open_at(const struct objfile *obj,
				    const struct gopclntab_params *p)
{
	const struct go_image img = { go_bytes, go_word, obj };

	return gopclntab__open(&img, p);
}

/*
 * The scan's budget (struct gopclntab_params): a fixed amount, and a
 * sixteenth of a functab entry per byte searched. A real table costs
 * about one per function, and holds at least 48 bytes for each (its
 * functab entry and a _func record of 40 or more): it is found even
 * behind false candidates that spent twice as much. A file built of near
 * misses, each costing a walk of a large functab, spends the budget on
 * the first few and is given up on: linear in its size, not quadratic.
 */
#define GO_SCAN_BUDGET_BASE	(1ULL << 14)
#define GO_SCAN_BUDGET_SHIFT	4

/*
 * Looks for the table's header in segment @s, 8-byte aligned; NULL when
 * there is none, or the budget ran out. *@gave_up: a candidate was left
 * unchecked for want of budget.
 */
static struct gopclntab *go_scan_segment(const struct objfile *obj,
					 const struct objfile_segment *s,
					 struct gopclntab_params *p, bool *gave_up)
{
	const uint8_t *b = objfile__bytes(obj, s->vaddr, s->filesz);
	struct gopclntab *t;
	uint64_t off;

	for (off = 0; b && off + 16 <= s->filesz; off += 8) {
		/* magic ff ff ff f?, then 0 0 quantum ptrsize */
		if (b[off + 1] != 0xff || b[off + 2] != 0xff ||
		    b[off + 3] != 0xff || (b[off] & 0xf0) != 0xf0 ||
		    b[off + 4] || b[off + 5] || b[off + 7] != 8)
			continue;
		p->vaddr = s->vaddr + off;
		p->size = s->filesz - off;
		t = go_open_at(obj, p);
		if (t)
			return t;
		if (errno == PROFCTL_ERR_PCLNTAB_SEARCH)
			*gave_up = true;
		if (!*p->budget)
			break;
	}
	return NULL;
}

/* Looks for the table in the read-only data, within a budget. */
static struct gopclntab *go_scan_pclntab(const struct objfile *obj,
					 struct gopclntab_params *p)
{
	uint64_t budget = GO_SCAN_BUDGET_BASE;
	const struct objfile_segment *s;
	struct gopclntab *t = NULL;
	bool gave_up = false;
	size_t i;

	for (i = 0; i < objfile__nr_segments(obj); i++) {
		s = objfile__segment(obj, i);
		if (!(s->flags & PF_X))
			budget += s->filesz >> GO_SCAN_BUDGET_SHIFT;
	}
	p->budget = &budget;
	for (i = 0; !t && budget && i < objfile__nr_segments(obj); i++) {
		s = objfile__segment(obj, i);
		if (s->flags & PF_X)
			continue;
		t = go_scan_segment(obj, s, p, &gave_up);
	}
	p->budget = NULL;
	if (!t)
		errno = gave_up || !budget ? PROFCTL_ERR_PCLNTAB_SEARCH :
			PROFCTL_ERR_NO_PCLNTAB;
	return t;
}

static struct gopclntab *go_find_pclntab(const struct objfile *obj,
					 struct gopclntab_params *p)
{
	static const char *const sections[] = {
		".gopclntab", ".data.rel.ro.gopclntab",
	};
	uint64_t end;
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!objfile__section(obj, sections[i], &p->vaddr, &p->size))
			return go_open_at(obj, p);
	if (!objfile__symbol_value(obj, "runtime.pclntab", &p->vaddr) &&
	    !objfile__symbol_value(obj, "runtime.epclntab", &end) &&
	    end > p->vaddr) {
		p->size = end - p->vaddr;
		return go_open_at(obj, p);
	}
	return go_scan_pclntab(obj, p);
}

/* Is there a moduledata at @md, for the table at @pcln? */
static bool go_is_moduledata(const struct objfile *obj, uint64_t md,
			     uint64_t pcln, uint64_t funcnametab)
{
	uint64_t v;

	return !objfile__word(obj, md, &v) && v == pcln &&
	       !objfile__word(obj, md + GO_MD_FUNCNAMETAB, &v) &&
	       v == pcln + funcnametab;
}

/*
 * The runtime's moduledata, which points at the table: by section (Go
 * 1.26), symbol, or a scan for that pointer. In a PIE the pointer may
 * live only in a relocation's addend, so those are searched too.
 */
static uint64_t go_find_moduledata(const struct objfile *obj, uint64_t pcln,
				   uint64_t funcnametab)
{
	const struct objfile_reloc *r = objfile__relocs(obj);
	const struct objfile_segment *s;
	uint64_t md, size, off, v;
	const uint8_t *b;
	size_t i;

	if (!objfile__section(obj, ".go.module", &md, &size) &&
	    go_is_moduledata(obj, md, pcln, funcnametab))
		return md;
	if (!objfile__symbol_value(obj, "runtime.firstmoduledata", &md) &&
	    go_is_moduledata(obj, md, pcln, funcnametab))
		return md;
	for (i = 0; i < objfile__nr_relocs(obj); i++)
		if (r[i].addend == pcln &&
		    go_is_moduledata(obj, r[i].offset, pcln, funcnametab))
			return r[i].offset;
	for (i = 0; i < objfile__nr_segments(obj); i++) {
		s = objfile__segment(obj, i);
		if (!(s->flags & PF_W))
			continue;
		b = objfile__bytes(obj, s->vaddr, s->filesz);
		for (off = 0; b && off + 8 <= s->filesz; off += 8) {
			memcpy(&v, b + off, 8);
			if (v == pcln &&
			    go_is_moduledata(obj, s->vaddr + off, pcln, funcnametab))
				return s->vaddr + off;
		}
	}
	return 0;
}

/*
 * Fills in what a Go 1.18+ table needs from outside itself: the go:func.*
 * block (inline trees), and the text start when the header has none.
 */
static void go_find_text_and_gofunc(const struct objfile *obj,
				    const struct gopclntab *t,
				    uint64_t pcln, struct gopclntab_params *p)
{
	bool v120 = gopclntab__version(t) == GO_PCLN_120;
	uint64_t md = 0, sec_size;
	bool need_text = !gopclntab__header_text_start(t);

	if (objfile__symbol_value(obj, v120 ? "go:func.*" : "go.func.*",
				  &p->gofunc))
		p->gofunc = 0;
	if (need_text && objfile__symbol_value(obj, "runtime.text", &p->text_start))
		p->text_start = 0;
	if (!p->gofunc || (need_text && !p->text_start)) {
		md = go_find_moduledata(obj, pcln, gopclntab__funcname_offset(t));
		if (md && !p->gofunc &&
		    objfile__word(obj, md + (v120 ? GO_MD_GOFUNC_120 : GO_MD_GOFUNC_118),
				  &p->gofunc))
			p->gofunc = 0;
		if (md && need_text && !p->text_start &&
		    objfile__word(obj, md + GO_MD_TEXT, &p->text_start))
			p->text_start = 0;
	}
	/* last resort, wrong when C code precedes Go's (external link) */
	if (need_text && !p->text_start &&
	    objfile__section(obj, ".text", &p->text_start, &sec_size))
		p->text_start = 0;
}

struct gopclntab *gobinary__open_pclntab(const struct objfile *obj,
					 const struct gobinary_info *info)
{
	struct gopclntab_params p = { .go_minor = info->minor };
	struct gopclntab *t = go_find_pclntab(obj, &p);
	enum go_pcln_version ver;
	int err;

	if (!t)
		return NULL;
	ver = gopclntab__version(t);
	if (ver != GO_PCLN_118 && ver != GO_PCLN_120)
		return t;
	go_find_text_and_gofunc(obj, t, p.vaddr, &p);
	if (!p.gofunc && !p.text_start)
		return t;	/* inline trees unreachable: names still work */
	gopclntab__close(t);
	t = go_open_at(obj, &p);
	if (!t) {
		err = errno;
		errno = err ? err : PROFCTL_ERR_BAD_PCLNTAB;
	}
	return t;
}
