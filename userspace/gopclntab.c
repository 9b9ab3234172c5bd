// SPDX-License-Identifier: GPL-2.0-only
/*
 * The layouts follow the Go linker (cmd/link/internal/ld/pcln.go) and
 * runtime (runtime/symtab.go) of each era; the offsets per version are
 * tabulated in the reference notes. The table is never trusted: each read
 * goes through t_u32()/t_uptr()/t_cstr(), which check it against the
 * bytes that exist.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "gopclntab.h"

#define BAD (-PROFCTL_ERR_BAD_PCLNTAB)

/* 4 KiB of code per bucket of the lookup index; at most 4M buckets. */
#define GO_BUCKET_SHIFT 12
#define GO_MAX_BUCKETS (1U << 22)

/* Deeper inline chains than this mean the tree loops: corrupt. */
#define GO_MAX_INLINE_DEPTH 256

/*
 * The first look at a table: functab entries read evenly spaced, and at
 * its end (where a table cut short, or one that is not a table, most
 * often shows), before any full walk.
 */
#define GO_PROBES	32
#define GO_PROBE_TAIL	4
/*
 * What a first look costs, in functab entries' worth of work (the unit
 * of gopclntab_params' budget): the probes, two binary searches, the
 * header and the allocation.
 */
#define GO_OPEN_COST	128

/* Byte offsets inside a _func record; -1 for fields the era lacks. */
struct go_func_layout {
	int name, pcsp, pcfile, pcln, npcdata, cu, start_line, nfuncdata;
	int pcdata;
};

struct gopclntab {
	struct go_image img;
	enum go_pcln_version ver;
	const uint8_t *tab;
	uint64_t vaddr, size;
	unsigned int quantum, ptrsize;
	uint64_t nfunc;
	uint64_t text_start, header_text_start, gofunc;
	/* offsets from the table start */
	uint64_t funcnametab, cutab, filetab, pctab, functab;
	unsigned int field;		/* size of one functab field */
	uint32_t nfiletab;		/* Go 1.2-1.15 */
	/* the inline tree: its PCDATA and FUNCDATA slots, record size */
	int inl_pcdata, inl_funcdata, inl_size;
	struct go_func_layout fl;
	uint64_t first, end;		/* the PCs functab covers */
	/*
	 * Go 1.16+: where funcnametab and filetab end, when their last byte
	 * is a NUL, so every string starting inside ends inside; else 0.
	 */
	uint64_t names_end, files_end;
	/*
	 * buckets[b]: the last function starting at or before first +
	 * b << GO_BUCKET_SHIFT, so that a lookup searches one bucket's
	 * functions, not all (Go's runtime keeps a findfunctab for the
	 * same reason). NULL for a table too sparse to be worth it.
	 */
	uint32_t *buckets;
	uint64_t nbuckets;
};

/* A function found by PC: where its _func record is, and its entry. */
struct go_func {
	uint64_t off;
	uint64_t entry;
};

static int t_u32(const struct gopclntab *t, uint64_t off, uint32_t *v)
{
	if (off > t->size || t->size - off < 4)
		return BAD;
	memcpy(v, t->tab + off, 4);
	return 0;
}

/*
 * A pointer-sized value in the table. Go 1.2-1.17 tables hold absolute
 * addresses; in a PIE an external linker may leave them zero in the file
 * with the value in a relocation, which the image knows.
 */
static int t_uptr(const struct gopclntab *t, uint64_t off, uint64_t *v)
{
	uint32_t v32;

	if (off > t->size || t->size - off < t->ptrsize)
		return BAD;
	if (t->ptrsize == 4) {
		memcpy(&v32, t->tab + off, 4);
		*v = v32;
	} else {
		memcpy(v, t->tab + off, 8);
	}
	/* the image's word() is 64-bit: 32-bit PIEs are not relocated here */
	if (!*v && t->ptrsize == 8 && t->img.word &&
	    t->img.word(t->img.ctx, t->vaddr + off, v))
		*v = 0;
	return 0;
}

/* The NUL-terminated string at @off, or NULL when it runs off the end. */
static const char *t_cstr(const struct gopclntab *t, uint64_t off)
{
	if (off >= t->size || !memchr(t->tab + off, '\0', t->size - off))
		return NULL;
	return (const char *)t->tab + off;
}

static int t_uvarint(const struct gopclntab *t, uint64_t *off, uint32_t *v)
{
	uint32_t result = 0;
	unsigned int shift;
	uint8_t b;

	for (shift = 0; shift < 35; shift += 7) {
		if (*off >= t->size)
			return BAD;
		b = t->tab[(*off)++];
		result |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = result;
			return 0;
		}
	}
	return BAD;
}

/*
 * The value a pc-value table (pcsp, pcfile, pcln, pcdata) gives @target in
 * the function starting at @entry: -1 when the table does not cover it
 * (padding after the function) or there is no table (offset 0).
 */
static int t_pcvalue(const struct gopclntab *t, uint32_t table,
		     uint64_t entry, uint64_t target, int32_t *out)
{
	uint64_t p = t->pctab + table, pc = entry;
	uint32_t val = (uint32_t)-1, uv, pcdelta;
	bool first = true;

	*out = -1;
	if (!table)
		return 0;
	for (;;) {
		if (t_uvarint(t, &p, &uv))
			return BAD;
		if (!uv && !first)
			return 0;
		first = false;
		/* zig-zag: the low bit is the sign */
		val += (uv & 1) ? ~(uv >> 1) : (uv >> 1);
		if (t_uvarint(t, &p, &pcdelta))
			return BAD;
		pc += (uint64_t)pcdelta * t->quantum;
		if (target < pc) {
			*out = (int32_t)val;
			return 0;
		}
	}
}

/* Entry @i of functab (i == nfunc: the end of the last function). */
static int t_functab(const struct gopclntab *t, uint64_t i, uint64_t *entry,
		     uint64_t *funcoff)
{
	uint64_t off = t->functab + i * 2 * t->field;
	uint32_t e32 = 0, f32 = 0;
	int err;

	if (t->ver >= GO_PCLN_118) {
		err = t_u32(t, off, &e32);
		if (!err && funcoff)
			err = t_u32(t, off + 4, &f32);
		*entry = t->text_start + e32;
		if (funcoff)
			*funcoff = t->functab + f32;
		return err;
	}
	err = t_uptr(t, off, entry);
	if (!err && funcoff) {
		err = t_uptr(t, off + t->field, funcoff);
		/* relative to the table (1.2-1.15), else to functab */
		if (t->ver != GO_PCLN_12)
			*funcoff += t->functab;
	}
	return err;
}

/* The entry a _func record states for itself. */
static int t_func_entry(const struct gopclntab *t, uint64_t off,
			uint64_t *entry)
{
	uint32_t e32 = 0;
	int err;

	if (t->ver >= GO_PCLN_118) {
		err = t_u32(t, off, &e32);
		*entry = t->text_start + e32;
		return err;
	}
	return t_uptr(t, off, entry);
}

/* 0 and @f filled, -ENOENT when @pc is not Go code, or BAD. */
static int t_find_func(const struct gopclntab *t, uint64_t pc,
		       struct go_func *f)
{
	uint64_t lo = 0, hi = t->nfunc, mid, entry, self, b;
	int err;

	if (pc < t->first || pc >= t->end)
		return -ENOENT;
	/* the index narrows the search to the functions of one bucket */
	if (t->buckets) {
		b = (pc - t->first) >> GO_BUCKET_SHIFT;
		lo = t->buckets[b];
		if (b + 1 < t->nbuckets)
			hi = (uint64_t)t->buckets[b + 1] + 1;
	}
	/*
	 * The last function whose entry is <= pc. Go 1.18+ functabs are
	 * plain u32 offsets, all inside the table (checked at open): the
	 * search reads them directly.
	 */
	if (t->ver >= GO_PCLN_118) {
		const uint8_t *ft = t->tab + t->functab;
		uint64_t off = pc - t->text_start;
		uint32_t e32;

		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			memcpy(&e32, ft + mid * 8, 4);
			if (e32 <= off)
				lo = mid;
			else
				hi = mid;
		}
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		err = t_functab(t, mid, &entry, NULL);
		if (err)
			return err;
		if (entry <= pc)
			lo = mid;
		else
			hi = mid;
	}
	err = t_functab(t, lo, &f->entry, &f->off);
	if (!err)
		err = t_func_entry(t, f->off, &self);
	if (!err && self != f->entry)
		err = BAD;
	return err;
}

static int t_func_u32(const struct gopclntab *t, const struct go_func *f,
		      int field, uint32_t *v)
{
	if (field < 0) {
		*v = 0;
		return 0;
	}
	return t_u32(t, f->off + (uint64_t)field, v);
}

static const char *t_func_name(const struct gopclntab *t, uint32_t name_off)
{
	/* inside a NUL-terminated funcnametab, no need to look for the end */
	if (t->names_end && name_off < t->names_end - t->funcnametab)
		return (const char *)t->tab + t->funcnametab + name_off;
	return t_cstr(t, t->funcnametab + name_off);
}

/* The file at @pc of @f, or NULL when unknown. */
static int t_file(const struct gopclntab *t, const struct go_func *f,
		  uint64_t pc, const char **file)
{
	uint32_t pcfile, cu, off;
	int32_t fno;
	int err;

	*file = NULL;
	err = t_func_u32(t, f, t->fl.pcfile, &pcfile);
	if (!err)
		err = t_pcvalue(t, pcfile, f->entry, pc, &fno);
	if (err)
		return err;
	if (t->ver == GO_PCLN_12) {
		/* one table for the binary; 0 is its length, not a file */
		if (fno <= 0 || (uint32_t)fno >= t->nfiletab)
			return 0;
		err = t_u32(t, t->filetab + 4 * (uint64_t)fno, &off);
		if (!err)
			*file = t_cstr(t, off);
		return err;
	}
	if (fno < 0)
		return 0;
	err = t_func_u32(t, f, t->fl.cu, &cu);
	if (!err)
		err = t_u32(t, t->cutab + 4 * ((uint64_t)cu + (uint32_t)fno), &off);
	if (err || off == UINT32_MAX)	/* UINT32_MAX: the linker dropped it */
		return err;
	if (t->files_end && off < t->files_end - t->filetab)
		*file = (const char *)t->tab + t->filetab + off;
	else
		*file = t_cstr(t, t->filetab + off);
	return err;
}

static int t_line(const struct gopclntab *t, const struct go_func *f,
		  uint64_t pc, int64_t *line)
{
	uint32_t pcln;
	int32_t v = -1;
	int err = t_func_u32(t, f, t->fl.pcln, &pcln);

	if (!err)
		err = t_pcvalue(t, pcln, f->entry, pc, &v);
	*line = v > 0 ? v : 0;
	return err;
}

/*
 * The address of @f's inline tree, or 0 when it has none (or this reader
 * cannot know where it is).
 */
static int t_inline_tree(const struct gopclntab *t, const struct go_func *f,
			 uint64_t *tree)
{
	uint32_t npcdata, v32;
	uint64_t off, abs;
	uint8_t nfuncdata;
	int err;

	*tree = 0;
	if (!t->inl_size)
		return 0;
	err = t_func_u32(t, f, t->fl.npcdata, &npcdata);
	if (err)
		return err;
	off = f->off + (uint64_t)t->fl.nfuncdata;
	if (off >= t->size)
		return BAD;
	nfuncdata = t->tab[off];
	if ((uint32_t)t->inl_pcdata >= npcdata ||
	    (unsigned int)t->inl_funcdata >= nfuncdata)
		return 0;
	off = f->off + (uint64_t)t->fl.pcdata + 4ULL * npcdata;
	if (t->ver >= GO_PCLN_118) {
		/* Go 1.18+: unaligned u32 offsets into go:func.* */
		err = t_u32(t, off + 4ULL * t->inl_funcdata, &v32);
		if (!err && v32 != UINT32_MAX && t->gofunc)
			*tree = t->gofunc + v32;
		return err;
	}
	/* before 1.18: pointer-aligned absolute addresses */
	if ((t->vaddr + off) & (t->ptrsize - 1))
		off += 4;
	err = t_uptr(t, off + (uint64_t)t->ptrsize * t->inl_funcdata, &abs);
	if (!err)
		*tree = abs;
	return err;
}

/* The inline tree index at @pc: -1 when @pc is in @f's own code. */
static int t_inline_index(const struct gopclntab *t, const struct go_func *f,
			  uint64_t pc, int32_t *ix)
{
	uint32_t table;
	int err;

	err = t_u32(t, f->off + (uint64_t)t->fl.pcdata + 4ULL * t->inl_pcdata,
		    &table);
	if (!err)
		err = t_pcvalue(t, table, f->entry, pc, ix);
	return err;
}

/* What one inline tree record says: the callee and its call site. */
struct go_inlined_call {
	uint32_t name_off;
	int32_t parent_pc;
	int32_t start_line;
};

static int t_inlined_call(const struct gopclntab *t, uint64_t tree, int32_t ix,
			  struct go_inlined_call *out)
{
	const uint8_t *rec;
	int32_t name;

	rec = t->img.bytes(t->img.ctx, tree + (uint64_t)ix * t->inl_size,
			   (uint64_t)t->inl_size);
	if (!rec)
		return BAD;
	if (t->inl_size == 16) {
		/* Go 1.20+: funcID, pad[3], nameOff, parentPc, startLine */
		memcpy(&name, rec + 4, 4);
		memcpy(&out->parent_pc, rec + 8, 4);
		memcpy(&out->start_line, rec + 12, 4);
	} else {
		/* 1.12-1.19: parent, funcID, pad, file, line, func_, parentPc */
		memcpy(&name, rec + 12, 4);
		memcpy(&out->parent_pc, rec + 16, 4);
		out->start_line = 0;
	}
	out->name_off = (uint32_t)name;
	return 0;
}

static int t_frame(const struct gopclntab *t, const struct go_func *f,
		   uint64_t pc, uint32_t name_off, int64_t start_line,
		   struct go_frame *out)
{
	int err;

	out->function = t_func_name(t, name_off);
	if (!out->function)
		return BAD;
	out->start_line = start_line;
	err = t_file(t, f, pc, &out->file);
	if (!err)
		err = t_line(t, f, pc, &out->line);
	return err;
}

int gopclntab__lookup(const struct gopclntab *t, uint64_t pc,
		      struct go_frame *frames, size_t max, uint64_t *entry)
{
	struct go_inlined_call call;
	struct go_func f;
	uint32_t name_off, start_line = 0;
	uint64_t tree;
	size_t n = 0;
	int32_t ix = -1;
	int depth, err;

	if (!max)
		return -EINVAL;
	err = t_find_func(t, pc, &f);
	if (err)
		return err == -ENOENT ? 0 : err;
	if (entry)
		*entry = f.entry;
	err = t_inline_tree(t, &f, &tree);
	for (depth = 0; !err && depth < GO_MAX_INLINE_DEPTH; depth++) {
		if (tree)
			err = t_inline_index(t, &f, pc, &ix);
		if (err)
			break;
		if (ix < 0) {
			/* the physical function: always the last frame */
			err = t_func_u32(t, &f, t->fl.name, &name_off);
			if (!err)
				err = t_func_u32(t, &f, t->fl.start_line, &start_line);
			if (!err)
				err = t_frame(t, &f, pc, name_off,
					      (int32_t)start_line, &frames[n]);
			return err ? err : (int)n + 1;
		}
		err = t_inlined_call(t, tree, ix, &call);
		/* too deep for @frames: drop the outer inlined ones */
		if (!err && n + 1 < max)
			err = t_frame(t, &f, pc, call.name_off, call.start_line,
				      &frames[n++]);
		/* the call site, in the function it was inlined into */
		pc = f.entry + (uint64_t)(int64_t)call.parent_pc;
	}
	return err ? err : BAD;
}

int gopclntab__sp_delta(const struct gopclntab *t, uint64_t pc,
			int64_t *delta)
{
	struct go_func f;
	uint32_t pcsp;
	int32_t v;
	int err;

	err = t_find_func(t, pc, &f);
	if (!err)
		err = t_func_u32(t, &f, t->fl.pcsp, &pcsp);
	if (!err)
		err = t_pcvalue(t, pcsp, f.entry, pc, &v);
	if (err)
		return err;
	if (v < 0)
		return -ENOENT;
	*delta = v;
	return 0;
}

static const struct go_func_layout go_layouts[] = {
	/* name, pcsp, pcfile, pcln, npcdata, cu, start_line, nfuncdata, pcdata */
	[GO_PCLN_12] = { 8, 20, 24, 28, 32, -1, -1, 39, 40 },
	[GO_PCLN_116] = { 8, 20, 24, 28, 32, 36, -1, 43, 44 },
	[GO_PCLN_118] = { 4, 16, 20, 24, 28, 32, -1, 39, 40 },
	[GO_PCLN_120] = { 4, 16, 20, 24, 28, 32, 36, 43, 44 },
};

/* Go 1.2-1.17 records start with a pointer: shift for 32-bit binaries. */
static struct go_func_layout t_layout(enum go_pcln_version ver,
				      unsigned int ptrsize)
{
	struct go_func_layout l = go_layouts[ver];
	int shift = (ver <= GO_PCLN_116 && ptrsize == 4) ? -4 : 0;

	l.name += shift;
	l.pcsp += shift;
	l.pcfile += shift;
	l.pcln += shift;
	l.npcdata += shift;
	if (l.cu >= 0)
		l.cu += shift;
	l.nfuncdata += shift;
	l.pcdata += shift;
	return l;
}

static int t_read_header(struct gopclntab *t, const struct gopclntab_params *p)
{
	uint64_t hdr[7], nfiles, pclnend;
	unsigned int P = t->ptrsize, i, n;
	uint32_t v;
	int err;

	err = t_uptr(t, 8, &t->nfunc);
	if (err)
		return err;
	if (t->ver == GO_PCLN_12) {
		t->field = P;
		t->functab = 8 + P;
		err = t_u32(t, t->functab + (2 * t->nfunc + 1) * P, &v);
		if (!err)
			err = t_u32(t, v, &t->nfiletab);
		t->filetab = v;
	} else {
		/* nfiles, [textStart,] funcname, cu, filetab, pctab, pcln */
		n = t->ver == GO_PCLN_116 ? 6 : 7;
		for (i = 0; !err && i < n; i++)
			err = t_uptr(t, 8 + (uint64_t)P * (i + 1), &hdr[i]);
		if (err)
			return err;
		nfiles = hdr[0];
		if (t->ver != GO_PCLN_116)
			t->header_text_start = hdr[1];
		i = t->ver == GO_PCLN_116 ? 1 : 2;
		t->funcnametab = hdr[i];
		t->cutab = hdr[i + 1];
		t->filetab = hdr[i + 2];
		t->pctab = hdr[i + 3];
		t->functab = hdr[i + 4];
		t->field = t->ver == GO_PCLN_116 ? P : 4;
		if (t->funcnametab < t->cutab && t->cutab <= t->size &&
		    !t->tab[t->cutab - 1])
			t->names_end = t->cutab;
		if (t->filetab < t->pctab && t->pctab <= t->size &&
		    !t->tab[t->pctab - 1])
			t->files_end = t->pctab;
		if (!(t->funcnametab <= t->cutab && t->cutab <= t->filetab &&
		      t->filetab <= t->pctab && t->pctab <= t->functab) ||
		    nfiles > t->size)
			return BAD;
		if (t->ver != GO_PCLN_116)
			t->text_start = p->text_start ? p->text_start :
				t->header_text_start;
	}
	if (err)
		return err;
	/* functab must fit: nfunc pairs and the end entry */
	if (!t->nfunc || t->nfunc > t->size / (2 * t->field) ||
	    t->functab > t->size)
		return BAD;
	pclnend = t->functab + (2 * t->nfunc + 1) * t->field;
	if (pclnend > t->size)
		return BAD;
	return 0;
}

/* The index after @i that t_probe() reads. */
static uint64_t t_probe_next(const struct gopclntab *t, uint64_t i)
{
	uint64_t step = t->nfunc / GO_PROBES + 1;
	uint64_t tail = t->nfunc > GO_PROBE_TAIL ? t->nfunc - GO_PROBE_TAIL : 0;

	if (i + step < tail)
		return i + step;
	return i < tail ? tail : i + 1;
}

/*
 * A first look, at a cost that does not grow with the table: a few
 * entries in order, both ends' records agreeing with functab. Nearly
 * everything that is not a table fails here, before the full walk.
 */
static int t_probe(struct gopclntab *t)
{
	uint64_t i, prev, entry;
	struct go_func f;
	int err;

	err = t_functab(t, 0, &t->first, NULL);
	if (!err)
		err = t_functab(t, t->nfunc, &t->end, NULL);
	if (err || t->end <= t->first)
		return BAD;
	for (i = 0, prev = t->first; i < t->nfunc; prev = entry) {
		i = t_probe_next(t, i);
		err = t_functab(t, i, &entry, NULL);
		if (err || entry < prev || entry > t->end)
			return BAD;
	}
	/* no buckets yet: plain binary searches, whatever the order */
	err = t_find_func(t, t->first, &f);
	if (!err)
		err = t_functab(t, t->nfunc - 1, &entry, NULL);
	if (!err)
		err = t_find_func(t, entry, &f);
	return err == -ENOENT ? BAD : err;
}

/* Takes @cost from the budget: 0, or PROFCTL_ERR_PCLNTAB_SEARCH if short. */
static int t_spend(uint64_t *budget, uint64_t cost)
{
	if (!budget)
		return 0;
	if (*budget < cost)
		return -PROFCTL_ERR_PCLNTAB_SEARCH;
	*budget -= cost;
	return 0;
}

/*
 * Entries must ascend, and the ends' records agree with functab: first a
 * probe, then, if @budget can pay for it, every entry. Builds the bucket
 * index on the way, having read every entry anyway.
 */
static int t_validate(struct gopclntab *t, uint64_t *budget)
{
	uint64_t i, prev = 0, entry, b = 0;
	bool index;
	int err;

	err = t_probe(t);
	if (err)
		return err;
	t->nbuckets = ((t->end - t->first - 1) >> GO_BUCKET_SHIFT) + 1;
	index = t->nbuckets <= GO_MAX_BUCKETS && t->nfunc < UINT32_MAX;
	err = t_spend(budget, t->nfunc + 1 + (index ? t->nbuckets : 0));
	if (err)
		return err;
	if (index)
		t->buckets = malloc(t->nbuckets * sizeof(t->buckets[0]));
	for (i = 0; !err && i <= t->nfunc; i++) {
		err = t_functab(t, i, &entry, NULL);
		if (!err && i && entry < prev)
			err = BAD;
		prev = entry;
		/* buckets up to this entry's start belong to the one before */
		while (!err && t->buckets && i && b < t->nbuckets &&
		       t->first + (b << GO_BUCKET_SHIFT) < entry)
			t->buckets[b++] = (uint32_t)(i - 1);
	}
	return err;
}

static void t_set_inline(struct gopclntab *t, int go_minor)
{
	t->inl_pcdata = 2;
	switch (t->ver) {
	case GO_PCLN_12:
		/* 1.12-1.15 only: earlier trees sit elsewhere, unversioned */
		if (go_minor >= 12) {
			t->inl_funcdata = 4;
			t->inl_size = 20;
		}
		break;
	case GO_PCLN_116:
	case GO_PCLN_118:
		t->inl_funcdata = 3;
		t->inl_size = 20;
		break;
	case GO_PCLN_120:
		t->inl_funcdata = 3;
		t->inl_size = 16;
		break;
	}
}

/* The layout the magic number at the table's start says; 0: none. */
static enum go_pcln_version t_version(const uint8_t *h)
{
	uint32_t magic;

	memcpy(&magic, h, 4);
	switch (magic) {
	case 0xfffffffb:
		return GO_PCLN_12;
	case 0xfffffffa:
		return GO_PCLN_116;
	case 0xfffffff0:
		return GO_PCLN_118;
	case 0xfffffff1:
		return GO_PCLN_120;
	default:
		return 0;	/* big-endian tables read as foreign magic */
	}
}

struct gopclntab *gopclntab__open(const struct go_image *img,
				  const struct gopclntab_params *p)
{
	struct gopclntab *t;
	const uint8_t *h;
	int err;

	h = img->bytes(img->ctx, p->vaddr, 16);
	/* magic, 0, 0, quantum 1, 2 or 4, pointers of 4 or 8 bytes */
	if (!h || p->size < 16 || !t_version(h) || h[4] || h[5] ||
	    (h[6] != 1 && h[6] != 2 && h[6] != 4) || (h[7] != 4 && h[7] != 8)) {
		errno = PROFCTL_ERR_BAD_PCLNTAB;
		return NULL;
	}
	err = t_spend(p->budget, GO_OPEN_COST);
	if (err) {
		*p->budget = 0;
		errno = -err;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->img = *img;
	t->vaddr = p->vaddr;
	t->size = p->size;
	t->gofunc = p->gofunc;
	t->tab = img->bytes(img->ctx, p->vaddr, p->size);
	t->ver = t_version(h);
	t->quantum = h[6];
	t->ptrsize = h[7];
	err = BAD;
	if (!t->tab)
		goto fail;
	t->fl = t_layout(t->ver, t->ptrsize);
	t_set_inline(t, p->go_minor);
	err = t_read_header(t, p);
	if (!err)
		err = t_validate(t, p->budget);
	if (err)
		goto fail;
	return t;
fail:
	gopclntab__close(t);
	errno = -err;
	return NULL;
}

void gopclntab__close(struct gopclntab *t)
{
	if (t)
		free(t->buckets);
	free(t);
}

enum go_pcln_version gopclntab__version(const struct gopclntab *t)
{
	return t->ver;
}

uint64_t gopclntab__text_start(const struct gopclntab *t)
{
	return t->text_start;
}

uint64_t gopclntab__header_text_start(const struct gopclntab *t)
{
	return t->header_text_start;
}

uint64_t gopclntab__funcname_offset(const struct gopclntab *t)
{
	return t->funcnametab;
}

size_t gopclntab__nfunc(const struct gopclntab *t)
{
	return (size_t)t->nfunc;
}

uint64_t gopclntab__entry(const struct gopclntab *t, size_t i)
{
	uint64_t entry = 0;

	if (i > t->nfunc || t_functab(t, i, &entry, NULL))
		return 0;
	return entry;
}

void gopclntab__range(const struct gopclntab *t, uint64_t *start,
		      uint64_t *end)
{
	*start = t->first;
	*end = t->end;
}
