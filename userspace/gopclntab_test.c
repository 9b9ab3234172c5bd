// SPDX-License-Identifier: GPL-2.0-only
/*
 * gopclntab against synthetic tables. A small builder below lays out, in
 * one flat buffer that stands for the binary's memory, a pclntab of any
 * layout (Go 1.2-1.15, 1.16-1.17, 1.18-1.19, 1.20+) with three functions,
 * their pc-value tables in Go's own encoding, a two-level inline tree and
 * the go:func.* block or absolute funcdata pointers that reach it. The
 * same functions are then looked up in every layout, so each layout's
 * offsets are checked against the same answers; no Debian toolchain
 * writes the 1.16 layout, so this is its only coverage. (The builder's
 * 1.2, 1.16 and 1.18 tables, 64- and 32-bit, give these same functions,
 * files and lines through Go 1.19's debug/gosym.)
 *
 * The other half feeds the reader broken tables (every truncation, bad
 * header offsets, lying functabs, pc tables and strings that run off the
 * end, looping inline trees, random byte flips): it must answer with
 * PROFCTL_ERR_BAD_PCLNTAB, never read outside the image (the buffer is
 * heap-allocated to its exact size, so ASan sees any stray read) and never
 * hang (alarm() turns a hang into a failure). The last part opens tables
 * against a budget, as a search through a file's data does (issue 19):
 * near misses must cost little, and their cost be counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "errors.h"
#include "gopclntab.h"
#include "hostile_elf_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a) (((x) + (a) - 1) / (a) * (a))

#define BAD (-PROFCTL_ERR_BAD_PCLNTAB)

#define T_BASE		0x500000ULL	/* the image's first byte */
#define T_TEXT		0x401000ULL	/* where the functions' code starts */
#define T_MAX		8192		/* room for any table built here */
#define T_NFUNC_MAX	4
#define T_NINL_MAX	4
#define T_NABS_MAX	64

/* ------------------------------------------------------------------ */
/* The builder                                                         */
/* ------------------------------------------------------------------ */

/* A pc-value table: @val on [the previous @end, @end), from the entry. */
struct pv {
	int32_t val;
	uint32_t end;
};

struct pvt {
	const struct pv *v;
	size_t n;		/* 0: no table (offset 0 in the _func) */
};

#define PVT(a) { (a), ARRAY_SIZE(a) }

/* One inlinedCall record. */
struct tinl {
	const char *name;
	int16_t parent;		/* 1.12-1.19 records only; unused by readers */
	int32_t parent_pc;
	int32_t start_line;	/* 1.20+ records only */
};

/*
 * One function. pcfile values are logical file numbers (indexes into
 * t_files[], -1: none); the builder turns them into what each layout
 * stores.
 */
struct tfunc {
	const char *name;
	uint32_t off, size;	/* entry - T_TEXT; bytes of code */
	int32_t start_line;	/* 1.20+ */
	int cu;			/* 1.16+: compilation unit 0 or 1 */
	struct pvt pcsp, pcfile, pcln, inl;
	const struct tinl *tree;
	size_t ntree;
	bool fd_inl;		/* an inline tree slot, but no PCDATA 2 */
};

struct tspec {
	enum go_pcln_version ver;
	unsigned int quantum, ptrsize;
	uint64_t header_text;	/* 1.18+: the header's textStart */
	const struct tfunc *fn;
	size_t nfn;
	uint32_t end;		/* end of the last function, from T_TEXT */
	const uint8_t *tail;	/* raw bytes at the very end of the table */
	size_t ntail;
};

/* An address and the value there: absolute pointers, relocations. */
struct treloc {
	uint64_t vaddr, value;
};

/*
 * A built image: the buffer starts at T_BASE with the inline trees (and,
 * for 1.18+, the go:func.* block, which starts at T_BASE), and ends with
 * the pclntab, so that a read past the table's end leaves the heap block.
 * The offsets (in buf) are for the tests that break things.
 */
struct tab {
	uint8_t *buf;
	size_t len;
	size_t pcln, size;		/* the pclntab: where, how big */
	enum go_pcln_version ver;
	unsigned int ptrsize;
	struct gopclntab_params p;
	struct go_image img;
	size_t hdr;			/* 1.16+: the nfiles field */
	size_t functab, funcnametab, cutab, filetab, pctab, tail;
	size_t func[T_NFUNC_MAX];	/* _func records */
	size_t fdslot[T_NFUNC_MAX];	/* their inline tree funcdata slot */
	size_t pcdata2[T_NFUNC_MAX];	/* their PCDATA 2 (inline index) */
	size_t tree[T_NFUNC_MAX];	/* their inline trees */
	/* the absolute pointers (1.2-1.17) the builder wrote */
	struct treloc abs[T_NABS_MAX];
	size_t nabs;
	/* the image's relocations: word() answers these instead */
	const struct treloc *rel;
	size_t nrel;
};

static const char *const t_files[] = {
	"/src/main.go", "/src/mid.go", "/src/leaf.go",
	"/usr/lib/go/src/runtime/proc.go",
};

#define T_NFILES	4
#define T_DROPPED	4	/* a logical file the linker dropped (CU 1) */
#define T_NCUTAB	9	/* CU 0: files 0-3; CU 1: 3-0, then ^0 */

/* What a _func's pcfile table holds for logical file @k. */
static int32_t t_raw_file(enum go_pcln_version ver, int cu, int32_t k)
{
	if (k < 0)
		return k;
	if (ver == GO_PCLN_12)
		return k + 1;	/* T_DROPPED: == nfiletab, so unknown */
	if (!cu)
		return k;
	return k == T_DROPPED ? T_DROPPED : T_NFILES - 1 - k;
}

static void put(uint8_t *b, size_t at, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	assert_true(at + bytes <= T_MAX);
	for (i = 0; i < bytes; i++)
		b[at + i] = (uint8_t)(v >> (8 * i));
}

static size_t put_str(uint8_t *b, size_t at, const char *s)
{
	size_t n = strlen(s) + 1;

	assert_true(at + n <= T_MAX);
	memcpy(b + at, s, n);
	return at + n;
}

static size_t put_uvarint(uint8_t *b, size_t at, uint64_t v)
{
	while (v >= 0x80) {
		put(b, at++, (v & 0x7f) | 0x80, 1);
		v >>= 7;
	}
	put(b, at++, v, 1);
	return at;
}

/*
 * Go's encoding (cmd/internal/obj/pcln.go: funcpctab): per run, the
 * zig-zag value delta from the previous value (-1 at first), then the pc
 * delta in quanta; a 0 byte ends the table. Writes at @*n, returns the
 * table's offset from @base, or 0 when there is none.
 */
static uint32_t put_pcvalue(uint8_t *b, size_t *n, size_t base,
			    const struct pvt *t, unsigned int quantum)
{
	size_t start = *n, i;
	int64_t prev = -1, d;
	uint32_t pc = 0;

	if (!t->n)
		return 0;
	for (i = 0; i < t->n; i++) {
		d = (int64_t)t->v[i].val - prev;
		/* equal runs are merged by the linker: a 0 would end it */
		assert_true(i == 0 || d != 0);
		assert_true(t->v[i].end > pc);
		assert_int_equal((t->v[i].end - pc) % quantum, 0);
		*n = put_uvarint(b, *n, d < 0 ? ~((uint64_t)d << 1) :
					       (uint64_t)d << 1);
		*n = put_uvarint(b, *n, (t->v[i].end - pc) / quantum);
		prev = t->v[i].val;
		pc = t->v[i].end;
	}
	put(b, (*n)++, 0, 1);
	return (uint32_t)(start - base);
}

/* A pointer-sized absolute address, remembered for the PIE test. */
static void put_abs(struct tab *t, uint8_t *b, size_t at, uint64_t v)
{
	put(b, at, v, t->ptrsize);
	assert_true(t->nabs < T_NABS_MAX);
	t->abs[t->nabs].vaddr = T_BASE + at;
	t->abs[t->nabs++].value = v;
}

static const uint8_t *t_bytes(const void *ctx, uint64_t vaddr, uint64_t len)
{
	const struct tab *t = ctx;
	uint64_t off;

	if (!t->buf || vaddr < T_BASE)
		return NULL;
	off = vaddr - T_BASE;
	if (off > t->len || len > t->len - off)
		return NULL;
	return t->buf + off;
}

/* Like objfile__word(): the relocation's addend, else the bytes. */
static int t_word(const void *ctx, uint64_t vaddr, uint64_t *value)
{
	const struct tab *t = ctx;
	const uint8_t *p;
	uint32_t v32;
	size_t i;

	for (i = 0; i < t->nrel; i++) {
		if (t->rel[i].vaddr == vaddr) {
			*value = t->rel[i].value;
			return 0;
		}
	}
	p = t_bytes(ctx, vaddr, t->ptrsize);
	if (!p)
		return -ENOENT;
	if (t->ptrsize == 4) {
		memcpy(&v32, p, 4);
		*value = v32;
	} else {
		memcpy(value, p, 8);
	}
	return 0;
}

static uint32_t t_magic(enum go_pcln_version ver)
{
	switch (ver) {
	case GO_PCLN_12:
		return 0xfffffffb;
	case GO_PCLN_116:
		return 0xfffffffa;
	case GO_PCLN_118:
		return 0xfffffff0;
	case GO_PCLN_120:
		break;
	}
	return 0xfffffff1;
}

static void tab_build(struct tab *t, const struct tspec *s)
{
	static uint8_t b[T_MAX];
	const enum go_pcln_version ver = s->ver;
	const bool v12 = ver == GO_PCLN_12, v120 = ver == GO_PCLN_120;
	const bool abs = ver <= GO_PCLN_116;	/* absolute addresses */
	const unsigned int P = s->ptrsize, field = abs ? P : 4;
	const unsigned int recsz = v120 ? 16 : 20;
	const unsigned int inl_slot = v12 ? 4 : 3;
	uint32_t inl_name[T_NFUNC_MAX][T_NINL_MAX], file_off[T_NFILES];
	uint32_t name_off[T_NFUNC_MAX];
	uint32_t pcfile[T_NFUNC_MAX], inl[T_NFUNC_MAX];
	uint32_t pcsp[T_NFUNC_MAX], pcln[T_NFUNC_MAX];
	size_t n, i, j, ftab_at = 0, filetab = 0, names, files, at, fd;
	unsigned int npcdata, nfuncdata;
	const struct tfunc *f;

	assert_true(s->nfn >= 1 && s->nfn <= T_NFUNC_MAX);
	memset(b, 0, sizeof(b));
	memset(t, 0, sizeof(*t));
	t->ver = ver;
	t->ptrsize = P;

	/* some other funcdata first: slots not ours point at these bytes */
	memset(b, 0xcc, 16);
	n = 16;
	for (i = 0; i < s->nfn; i++) {
		assert_true(s->fn[i].ntree <= T_NINL_MAX);
		if (!s->fn[i].ntree)
			continue;
		n = ALIGN(n, 8);
		t->tree[i] = n;
		n += s->fn[i].ntree * recsz;
	}
	t->pcln = n = ALIGN(n, 8);

	/* header */
	put(b, n, t_magic(ver), 4);
	put(b, n + 6, s->quantum, 1);
	put(b, n + 7, P, 1);
	put(b, n + 8, s->nfn, P);
	if (v12) {
		t->functab = n + 8 + P;
		ftab_at = t->functab + (2 * s->nfn + 1) * P;
		n = ftab_at + 4;
	} else {
		t->hdr = n + 8 + P;
		n = t->hdr + P * (ver == GO_PCLN_116 ? 6 : 7);
	}

	/* function names: relative to the table (1.2) or funcnametab */
	t->funcnametab = n;
	names = v12 ? t->pcln : t->funcnametab;
	for (i = 0; i < s->nfn; i++) {
		name_off[i] = (uint32_t)(n - names);
		n = put_str(b, n, s->fn[i].name);
		for (j = 0; j < s->fn[i].ntree; j++) {
			inl_name[i][j] = (uint32_t)(n - names);
			n = put_str(b, n, s->fn[i].tree[j].name);
		}
	}

	/* file names, and the tables that number them */
	if (!v12) {
		t->cutab = n;
		n += 4 * T_NCUTAB;
	}
	filetab = n;
	files = v12 ? t->pcln : filetab;
	for (i = 0; i < T_NFILES; i++) {
		file_off[i] = (uint32_t)(n - files);
		n = put_str(b, n, t_files[i]);
	}
	if (v12) {
		/* u32 count (files + 1), then offsets: file numbers from 1 */
		filetab = n = ALIGN(n, 4);
		put(b, n, T_NFILES + 1, 4);
		for (i = 0; i < T_NFILES; i++)
			put(b, n + 4 * (i + 1), file_off[i], 4);
		/* past the count, a word that would name a file */
		put(b, n + 4 * (T_NFILES + 1), file_off[0], 4);
		n += 4 * (T_NFILES + 2);
		put(b, ftab_at, filetab - t->pcln, 4);
	} else {
		for (i = 0; i < T_NFILES; i++) {
			put(b, t->cutab + 4 * i, file_off[i], 4);
			put(b, t->cutab + 4 * (T_NFILES + i),
			    file_off[T_NFILES - 1 - i], 4);
		}
		put(b, t->cutab + 4 * 2 * T_NFILES, UINT32_MAX, 4);
	}

	/* pc-value tables: relative to the table (1.2) or pctab */
	t->pctab = v12 ? t->pcln : n;
	if (!v12)
		put(b, n++, 0, 1);	/* so that 0 means "no table" */
	for (i = 0; i < s->nfn; i++) {
		struct pv fv[16];
		struct pvt ft = { fv, s->fn[i].pcfile.n };

		f = &s->fn[i];
		assert_true(ft.n <= ARRAY_SIZE(fv));
		for (j = 0; j < ft.n; j++) {
			fv[j] = f->pcfile.v[j];
			fv[j].val = t_raw_file(ver, f->cu, fv[j].val);
		}
		pcsp[i] = put_pcvalue(b, &n, t->pctab, &f->pcsp, s->quantum);
		pcfile[i] = put_pcvalue(b, &n, t->pctab, &ft, s->quantum);
		pcln[i] = put_pcvalue(b, &n, t->pctab, &f->pcln, s->quantum);
		inl[i] = put_pcvalue(b, &n, t->pctab, &f->inl, s->quantum);
	}

	if (!v12) {
		t->functab = n = ALIGN(n, 8);
		n += (2 * s->nfn + 1) * field;
	}

	/* the _func records */
	for (i = 0; i < s->nfn; i++) {
		f = &s->fn[i];
		t->func[i] = n = ALIGN(n, abs ? P : 4);
		if (abs) {
			put_abs(t, b, n, T_TEXT + f->off);
			n += P;
		} else {
			put(b, n, f->off, 4);
			n += 4;
		}
		put(b, n, name_off[i], 4);
		put(b, n + 4, 0, 4);		/* args */
		put(b, n + 8, 0, 4);		/* frame / deferreturn */
		put(b, n + 12, pcsp[i], 4);
		put(b, n + 16, pcfile[i], 4);
		put(b, n + 20, pcln[i], 4);
		npcdata = f->inl.n ? 3 : 1;
		nfuncdata = f->ntree || f->fd_inl ? inl_slot + 1 : 1;
		put(b, n + 24, npcdata, 4);
		n += 28;
		if (!v12) {
			put(b, n, f->cu ? T_NFILES : 0, 4);
			n += 4;
		}
		if (v120) {
			put(b, n, (uint32_t)f->start_line, 4);
			n += 4;
		}
		put(b, n + 3, nfuncdata, 1);	/* funcID, flag, pad: 0 */
		n += 4;
		put(b, n, 0, 4);		/* pcdata[0] */
		if (f->inl.n) {
			put(b, n + 4, 0, 4);
			t->pcdata2[i] = n + 8;
			put(b, n + 8, inl[i], 4);
		}
		n += 4 * npcdata;
		if (abs && P == 8 && (n & 7))
			n += 4;		/* the runtime aligns the address */
		for (j = 0; j < nfuncdata; j++) {
			/* ours: the tree; the others: the bytes at T_BASE */
			uint64_t to = 0;

			fd = n + (abs ? P : 4) * j;
			if (j == inl_slot && f->ntree) {
				t->fdslot[i] = fd;
				to = t->tree[i];
			}
			if (abs)
				put_abs(t, b, fd, T_BASE + to);
			else
				put(b, fd, to, 4);
		}
		n += (abs ? P : 4) * nfuncdata;
	}

	/* functab: nfunc (entry, funcoff) pairs and the end */
	for (i = 0, at = t->functab; i <= s->nfn; i++, at += 2 * field) {
		uint64_t off = i < s->nfn ? s->fn[i].off : s->end;

		if (abs)
			put_abs(t, b, at, T_TEXT + off);
		else
			put(b, at, off, 4);
		if (i < s->nfn)
			put(b, at + field, t->func[i] -
			    (v12 ? t->pcln : t->functab), field);
	}

	if (s->ntail) {
		t->tail = n;
		assert_true(n + s->ntail <= T_MAX);
		memcpy(b + n, s->tail, s->ntail);
		n += s->ntail;
	}
	t->size = n - t->pcln;
	t->filetab = filetab;

	if (!v12) {
		at = t->hdr;
		put(b, at, T_NCUTAB, P);
		if (ver != GO_PCLN_116)
			put(b, at += P, s->header_text, P);
		put(b, at += P, t->funcnametab - t->pcln, P);
		put(b, at += P, t->cutab - t->pcln, P);
		put(b, at += P, filetab - t->pcln, P);
		put(b, at += P, t->pctab - t->pcln, P);
		put(b, at += P, t->functab - t->pcln, P);
	}

	/* the inline trees */
	for (i = 0; i < s->nfn; i++) {
		for (j = 0; j < s->fn[i].ntree; j++) {
			const struct tinl *r = &s->fn[i].tree[j];

			at = t->tree[i] + j * recsz;
			if (v120) {
				put(b, at + 4, inl_name[i][j], 4);
				put(b, at + 8, (uint32_t)r->parent_pc, 4);
				put(b, at + 12, (uint32_t)r->start_line, 4);
				continue;
			}
			put(b, at, (uint16_t)r->parent, 2);
			put(b, at + 4, 0x7777, 4);	/* call site file, */
			put(b, at + 8, 0x7777, 4);	/* line: not read */
			put(b, at + 12, inl_name[i][j], 4);
			put(b, at + 16, (uint32_t)r->parent_pc, 4);
		}
	}

	t->len = n;
	t->buf = malloc(n);
	assert_non_null(t->buf);
	memcpy(t->buf, b, n);
	t->p.vaddr = T_BASE + t->pcln;
	t->p.size = t->size;
	t->p.gofunc = abs ? 0 : T_BASE;
	t->p.go_minor = 15;
	t->img.bytes = t_bytes;
	t->img.word = t_word;
	t->img.ctx = t;
}

/* A copy of @src whose image ends @cut bytes before the table's end. */
static void tab_copy(struct tab *t, const struct tab *src, size_t cut)
{
	*t = *src;
	t->len = src->len - cut;
	t->p.size = src->size - cut;
	t->buf = malloc(t->len ? t->len : 1);
	assert_non_null(t->buf);
	memcpy(t->buf, src->buf, t->len);
	t->img.ctx = t;
}

static void tab_free(struct tab *t)
{
	free(t->buf);
	t->buf = NULL;
}

static struct gopclntab *tab_open(const struct tab *t)
{
	return gopclntab__open(&t->img, &t->p);
}

/* Patches @bytes little-endian bytes at @at in the built image. */
static void tab_put(struct tab *t, size_t at, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	assert_true(at + bytes <= t->len);
	for (i = 0; i < bytes; i++)
		t->buf[at + i] = (uint8_t)(v >> (8 * i));
}

/* ------------------------------------------------------------------ */
/* The functions every layout holds                                    */
/* ------------------------------------------------------------------ */

/*
 * T_TEXT+0x00 main.alpha   0x40 bytes, then 0x20 of padding
 * T_TEXT+0x60 main.beta    0x80 bytes: main.mid inlined at +0x08 (line
 *                          31), main.leaf inlined into it at +0x14
 *                          (mid.go:51); mid's code at +0x10, leaf's at
 *                          +0x20
 * T_TEXT+0xe0 runtime.gamma 0x20 bytes, CU 1, its second half's file
 *                          dropped by the linker; a FUNCDATA slot for an
 *                          inline tree but too few PCDATA for an index
 * T_TEXT+0x100 the end
 * Every boundary is a multiple of 4, so quantum 4 encodes it too.
 */
#define ALPHA	(T_TEXT + 0x00)
#define BETA	(T_TEXT + 0x60)
#define GAMMA	(T_TEXT + 0xe0)
#define T_END	(T_TEXT + 0x100)

static const struct pv alpha_sp[] = { { 0, 4 }, { 0x28, 0x38 }, { 0, 0x40 } };
static const struct pv alpha_file[] = { { 0, 0x40 } };
static const struct pv alpha_ln[] = { { 10, 0x10 }, { 12, 0x20 }, { 11, 0x40 } };

static const struct pv beta_sp[] = { { 0, 4 }, { 0x18, 0x7c }, { 0, 0x80 } };
static const struct pv beta_file[] = {
	{ 0, 0x10 }, { 1, 0x20 }, { 2, 0x30 }, { 0, 0x80 },
};
static const struct pv beta_ln[] = {
	{ 30, 0x08 }, { 31, 0x10 }, { 50, 0x14 }, { 51, 0x20 },
	{ 70, 0x24 }, { 71, 0x30 }, { 32, 0x40 }, { 300, 0x80 },
};
static const struct pv beta_inl[] = {
	{ -1, 0x10 }, { 0, 0x20 }, { 1, 0x30 }, { -1, 0x80 },
};
static const struct tinl beta_tree[] = {
	{ .name = "main.mid", .parent = -1, .parent_pc = 0x08, .start_line = 48 },
	{ .name = "main.leaf", .parent = 0, .parent_pc = 0x14, .start_line = 69 },
};

static const struct pv gamma_sp[] = { { 0, 0x20 } };
static const struct pv gamma_file[] = { { 3, 0x10 }, { T_DROPPED, 0x20 } };
static const struct pv gamma_ln[] = { { 1000, 0x10 }, { 1001, 0x20 } };

static const struct tfunc t_funcs[] = {
	{
		.name = "main.alpha", .off = 0x00, .size = 0x40,
		.start_line = 9, .pcsp = PVT(alpha_sp),
		.pcfile = PVT(alpha_file), .pcln = PVT(alpha_ln),
	}, {
		.name = "main.beta", .off = 0x60, .size = 0x80,
		.start_line = 29, .pcsp = PVT(beta_sp),
		.pcfile = PVT(beta_file), .pcln = PVT(beta_ln),
		.inl = PVT(beta_inl), .tree = beta_tree,
		.ntree = ARRAY_SIZE(beta_tree),
	}, {
		.name = "runtime.gamma", .off = 0xe0, .size = 0x20,
		.start_line = 999, .cu = 1, .pcsp = PVT(gamma_sp),
		.pcfile = PVT(gamma_file), .pcln = PVT(gamma_ln),
		.fd_inl = true,
	},
};

#define T_NFUNC ARRAY_SIZE(t_funcs)

static const enum go_pcln_version t_versions[] = {
	GO_PCLN_12, GO_PCLN_116, GO_PCLN_118, GO_PCLN_120,
};

static struct tspec t_spec(enum go_pcln_version ver, unsigned int quantum,
			   unsigned int ptrsize, const struct tfunc *fn)
{
	struct tspec s = {
		.ver = ver, .quantum = quantum, .ptrsize = ptrsize,
		.header_text = T_TEXT, .fn = fn, .nfn = T_NFUNC,
		.end = 0x100,
	};

	return s;
}

static void tab_std(struct tab *t, enum go_pcln_version ver,
		    unsigned int quantum, unsigned int ptrsize)
{
	struct tspec s = t_spec(ver, quantum, ptrsize, t_funcs);

	tab_build(t, &s);
}

/* A string the reader returned: inside the image, NUL-terminated there. */
static void assert_in_image(const struct tab *t, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;

	assert_non_null(s);
	assert_true(p >= t->buf && p < t->buf + t->len);
	assert_non_null(memchr(p, '\0', (size_t)(t->buf + t->len - p)));
}

/* @start_line counts only from Go 1.20. */
static void assert_frame(const struct tab *t, const struct go_frame *f,
			 const char *function, const char *file, int64_t line,
			 int64_t start_line)
{
	assert_in_image(t, f->function);
	assert_string_equal(f->function, function);
	if (file) {
		assert_in_image(t, f->file);
		assert_string_equal(f->file, file);
	} else {
		assert_null(f->file);
	}
	assert_int_equal(f->line, line);
	assert_int_equal(f->start_line, start_line);
}

/* One physical frame, at @pc, in @want_entry's function. */
static void assert_one(const struct tab *t, const struct gopclntab *g,
		       uint64_t pc, uint64_t want_entry, const char *function,
		       const char *file, int64_t line, int64_t start_line)
{
	struct go_frame fr[4];
	uint64_t entry = 0;

	assert_int_equal(gopclntab__lookup(g, pc, fr, 4, &entry), 1);
	assert_int_equal(entry, want_entry);
	assert_frame(t, &fr[0], function, file, line, start_line);
}

static void assert_sp(const struct gopclntab *g, uint64_t pc, int64_t want)
{
	int64_t d = -12345;

	assert_int_equal(gopclntab__sp_delta(g, pc, &d), 0);
	assert_int_equal(d, want);
}

static void assert_not_go(const struct gopclntab *g, uint64_t pc)
{
	struct go_frame fr[2];
	int64_t d;

	assert_int_equal(gopclntab__lookup(g, pc, fr, 2, NULL), 0);
	assert_int_equal(gopclntab__sp_delta(g, pc, &d), -ENOENT);
}

/*
 * Physical frames, pc-value tables, ends of the range: the same answers
 * whatever the layout. @text: where the functions start.
 */
static void check_functions(const struct tab *t, const struct gopclntab *g,
			    bool v120, uint64_t text)
{
	const int64_t sl = v120;	/* start lines only from Go 1.20 */
	const uint64_t d = text - T_TEXT;
	uint64_t start = 0, end = 0;
	int64_t delta;

	assert_int_equal(gopclntab__nfunc(g), 3);
	assert_int_equal(gopclntab__entry(g, 0), ALPHA + d);
	assert_int_equal(gopclntab__entry(g, 1), BETA + d);
	assert_int_equal(gopclntab__entry(g, 2), GAMMA + d);
	assert_int_equal(gopclntab__entry(g, 3), T_END + d);
	gopclntab__range(g, &start, &end);
	assert_int_equal(start, ALPHA + d);
	assert_int_equal(end, T_END + d);

	/* entry, mid-function, a negative line delta, the last byte */
	assert_one(t, g, ALPHA + d, ALPHA + d, "main.alpha", "/src/main.go",
		   10, sl * 9);
	assert_one(t, g, ALPHA + d + 0x0f, ALPHA + d, "main.alpha",
		   "/src/main.go", 10, sl * 9);
	assert_one(t, g, ALPHA + d + 0x10, ALPHA + d, "main.alpha",
		   "/src/main.go", 12, sl * 9);
	assert_one(t, g, ALPHA + d + 0x3f, ALPHA + d, "main.alpha",
		   "/src/main.go", 11, sl * 9);
	/* padding: the function, but neither file nor line nor SP */
	assert_one(t, g, ALPHA + d + 0x40, ALPHA + d, "main.alpha", NULL, 0,
		   sl * 9);
	assert_one(t, g, BETA + d - 1, ALPHA + d, "main.alpha", NULL, 0,
		   sl * 9);
	assert_int_equal(gopclntab__sp_delta(g, ALPHA + d + 0x40, &delta),
			 -ENOENT);
	/* beta's own code; a line delta of 268 takes a two-byte varint */
	assert_one(t, g, BETA + d, BETA + d, "main.beta", "/src/main.go", 30,
		   sl * 29);
	assert_one(t, g, BETA + d + 0x30, BETA + d, "main.beta",
		   "/src/main.go", 32, sl * 29);
	assert_one(t, g, BETA + d + 0x40, BETA + d, "main.beta",
		   "/src/main.go", 300, sl * 29);
	assert_one(t, g, BETA + d + 0x7f, BETA + d, "main.beta",
		   "/src/main.go", 300, sl * 29);
	/* CU 1 numbers its files backwards; its last entry was dropped */
	assert_one(t, g, GAMMA + d, GAMMA + d, "runtime.gamma",
		   "/usr/lib/go/src/runtime/proc.go", 1000, sl * 999);
	assert_one(t, g, GAMMA + d + 0x10, GAMMA + d, "runtime.gamma", NULL,
		   1001, sl * 999);
	assert_one(t, g, T_END + d - 1, GAMMA + d, "runtime.gamma", NULL,
		   1001, sl * 999);
	/* outside: before the first, one past the last */
	assert_not_go(g, ALPHA + d - 1);
	assert_not_go(g, T_END + d);
	if (text)
		assert_not_go(g, 0);
	assert_not_go(g, UINT64_MAX);

	assert_sp(g, ALPHA + d, 0);
	assert_sp(g, ALPHA + d + 3, 0);
	assert_sp(g, ALPHA + d + 4, 0x28);
	assert_sp(g, ALPHA + d + 0x37, 0x28);
	assert_sp(g, ALPHA + d + 0x38, 0);
	assert_sp(g, ALPHA + d + 0x3f, 0);
	assert_sp(g, BETA + d + 0x26, 0x18);
	assert_sp(g, BETA + d + 0x7c, 0);
	assert_sp(g, GAMMA + d + 0x1f, 0);
}

/*
 * The chains in main.beta: main.leaf inlined into main.mid, inlined into
 * main.beta. Each outer frame's line is the pcln value at its call site.
 */
static void check_inline(const struct tab *t, const struct gopclntab *g,
			 bool v120, uint64_t text)
{
	const int64_t sl = v120;
	const uint64_t beta = BETA + text - T_TEXT;
	struct go_frame fr[5];
	uint64_t entry;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fr); i++)
		fr[i].function = "untouched";
	entry = 0;
	assert_int_equal(gopclntab__lookup(g, beta + 0x26, fr, 5, &entry), 3);
	assert_int_equal(entry, beta);
	assert_frame(t, &fr[0], "main.leaf", "/src/leaf.go", 71, sl * 69);
	assert_frame(t, &fr[1], "main.mid", "/src/mid.go", 51, sl * 48);
	assert_frame(t, &fr[2], "main.beta", "/src/main.go", 31, sl * 29);
	assert_string_equal(fr[3].function, "untouched");

	assert_int_equal(gopclntab__lookup(g, beta + 0x20, fr, 5, NULL), 3);
	assert_frame(t, &fr[0], "main.leaf", "/src/leaf.go", 70, sl * 69);
	assert_int_equal(gopclntab__lookup(g, beta + 0x2f, fr, 5, NULL), 3);
	assert_frame(t, &fr[0], "main.leaf", "/src/leaf.go", 71, sl * 69);
	assert_frame(t, &fr[2], "main.beta", "/src/main.go", 31, sl * 29);

	/* in main.mid's own code: two frames */
	assert_int_equal(gopclntab__lookup(g, beta + 0x12, fr, 5, NULL), 2);
	assert_frame(t, &fr[0], "main.mid", "/src/mid.go", 50, sl * 48);
	assert_frame(t, &fr[1], "main.beta", "/src/main.go", 31, sl * 29);
	assert_int_equal(gopclntab__lookup(g, beta + 0x14, fr, 5, NULL), 2);
	assert_frame(t, &fr[0], "main.mid", "/src/mid.go", 51, sl * 48);

	/* not inlined on either side of the inlined code */
	assert_int_equal(gopclntab__lookup(g, beta + 0x0f, fr, 5, NULL), 1);
	assert_frame(t, &fr[0], "main.beta", "/src/main.go", 31, sl * 29);
	assert_int_equal(gopclntab__lookup(g, beta + 0x30, fr, 5, NULL), 1);
	assert_frame(t, &fr[0], "main.beta", "/src/main.go", 32, sl * 29);

	/* too little room: the outer inlined frames go, never the last */
	for (i = 0; i < ARRAY_SIZE(fr); i++)
		fr[i].function = "untouched";
	assert_int_equal(gopclntab__lookup(g, beta + 0x26, fr, 2, NULL), 2);
	assert_frame(t, &fr[0], "main.leaf", "/src/leaf.go", 71, sl * 69);
	assert_frame(t, &fr[1], "main.beta", "/src/main.go", 31, sl * 29);
	assert_string_equal(fr[2].function, "untouched");
	assert_int_equal(gopclntab__lookup(g, beta + 0x26, fr, 1, NULL), 1);
	assert_frame(t, &fr[0], "main.beta", "/src/main.go", 31, sl * 29);
	assert_int_equal(gopclntab__lookup(g, beta + 0x12, fr, 1, NULL), 1);
	assert_frame(t, &fr[0], "main.beta", "/src/main.go", 31, sl * 29);
}

/* ------------------------------------------------------------------ */
/* 1. Each layout                                                      */
/* ------------------------------------------------------------------ */

static void check_layout(enum go_pcln_version ver, unsigned int quantum,
			 unsigned int ptrsize)
{
	const bool since118 = ver >= GO_PCLN_118;
	struct gopclntab *g;
	struct tab t;

	tab_std(&t, ver, quantum, ptrsize);
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__version(g), ver);
	assert_int_equal(gopclntab__text_start(g), since118 ? T_TEXT : 0);
	assert_int_equal(gopclntab__header_text_start(g),
			 since118 ? T_TEXT : 0);
	assert_int_equal(gopclntab__funcname_offset(g), ver == GO_PCLN_12 ?
			 0 : t.funcnametab - t.pcln);
	check_functions(&t, g, ver == GO_PCLN_120, T_TEXT);
	check_inline(&t, g, ver == GO_PCLN_120, T_TEXT);
	gopclntab__close(g);
	tab_free(&t);
}

static void test_layout_go12(void **state)
{
	(void)state;
	check_layout(GO_PCLN_12, 1, 8);
}

/* No toolchain Debian ships writes this one: this is its only test. */
static void test_layout_go116(void **state)
{
	(void)state;
	check_layout(GO_PCLN_116, 1, 8);
}

static void test_layout_go118(void **state)
{
	(void)state;
	check_layout(GO_PCLN_118, 1, 8);
}

static void test_layout_go120(void **state)
{
	(void)state;
	check_layout(GO_PCLN_120, 1, 8);
}

/* arm64 writes quantum 4: pc deltas count instructions, not bytes. */
static void test_layout_quantum(void **state)
{
	(void)state;
	check_layout(GO_PCLN_12, 2, 8);
	check_layout(GO_PCLN_116, 4, 8);
	check_layout(GO_PCLN_118, 4, 8);
	check_layout(GO_PCLN_120, 4, 8);
}

/* 32-bit tables: 1.18+ records have no pointer in them. */
static void test_layout_32bit(void **state)
{
	(void)state;
	check_layout(GO_PCLN_118, 1, 4);
	check_layout(GO_PCLN_120, 4, 4);
}

/*
 * 32-bit tables before 1.18: their functab fields are 4 bytes like a
 * 1.18+ table's, yet offsets still count from the table (1.2) and
 * funcdata are still absolute pointers; the reader must go by the
 * version, not the field size.
 */
static void test_layout_32bit_pre118(void **state)
{
	(void)state;
	check_layout(GO_PCLN_116, 1, 4);
	check_layout(GO_PCLN_12, 1, 4);
}

/* ------------------------------------------------------------------ */
/* 2. Inline chains where the reader cannot know where the tree is      */
/* ------------------------------------------------------------------ */

/*
 * Before Go 1.12 the tree sat elsewhere: without a version saying 1.12+,
 * a 1.2-1.15 table gives the physical function with the innermost
 * file:line, as go tool addr2line does.
 */
static void test_inline_go12_old_or_unknown_minor(void **state)
{
	static const int minors[] = { 0, 9, 11 };
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tab t;
	size_t i;

	(void)state;
	tab_std(&t, GO_PCLN_12, 1, 8);
	for (i = 0; i < ARRAY_SIZE(minors); i++) {
		t.p.go_minor = minors[i];
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL), 1);
		assert_frame(&t, &fr[0], "main.beta", "/src/leaf.go", 71, 0);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL), 1);
		assert_frame(&t, &fr[0], "main.beta", "/src/mid.go", 50, 0);
		gopclntab__close(g);
	}
	t.p.go_minor = 12;
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL), 3);
	gopclntab__close(g);
	tab_free(&t);
}

/* 1.18+ without go:func.*: names and lines, but no inline frames. */
static void test_inline_without_gofunc(void **state)
{
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tab t;

	(void)state;
	tab_std(&t, GO_PCLN_120, 1, 8);
	t.p.gofunc = 0;
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL), 1);
	assert_frame(&t, &fr[0], "main.beta", "/src/leaf.go", 71, 29);
	gopclntab__close(g);
	tab_free(&t);
}

/* ------------------------------------------------------------------ */
/* 3. The text start                                                   */
/* ------------------------------------------------------------------ */

/* Go 1.26 writes textStart 0: the caller's text start is used. */
static void test_text_start_zero_go126(void **state)
{
	struct tspec s = t_spec(GO_PCLN_120, 1, 8, t_funcs);
	struct gopclntab *g;
	struct tab t;

	(void)state;
	s.header_text = 0;
	tab_build(&t, &s);
	t.p.text_start = T_TEXT;
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__header_text_start(g), 0);
	assert_int_equal(gopclntab__text_start(g), T_TEXT);
	check_functions(&t, g, true, T_TEXT);
	check_inline(&t, g, true, T_TEXT);
	gopclntab__close(g);

	/* without it, entries count from 0 */
	t.p.text_start = 0;
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__text_start(g), 0);
	check_functions(&t, g, true, 0);
	check_inline(&t, g, true, 0);
	assert_not_go(g, T_TEXT);
	gopclntab__close(g);
	tab_free(&t);
}

/* A text start from the caller wins over the header's. */
static void test_text_start_override(void **state)
{
	struct gopclntab *g;
	struct tab t;

	(void)state;
	tab_std(&t, GO_PCLN_118, 1, 8);
	t.p.text_start = T_TEXT + 0x10000;
	g = tab_open(&t);
	assert_non_null(g);
	assert_int_equal(gopclntab__header_text_start(g), T_TEXT);
	assert_int_equal(gopclntab__text_start(g), T_TEXT + 0x10000);
	check_functions(&t, g, false, T_TEXT + 0x10000);
	check_inline(&t, g, false, T_TEXT + 0x10000);
	gopclntab__close(g);
	tab_free(&t);
}

/* ------------------------------------------------------------------ */
/* 4. PIE: absolute pointers only in relocations                       */
/* ------------------------------------------------------------------ */

static void check_pie(enum go_pcln_version ver)
{
	struct gopclntab *g;
	struct tab t;
	size_t i;

	tab_std(&t, ver, 1, 8);
	/* functab entries and end, _func entries, funcdata: all of them */
	assert_true(t.nabs >= 2 * T_NFUNC + 1 + 2);
	for (i = 0; i < t.nabs; i++)
		tab_put(&t, t.abs[i].vaddr - T_BASE, 0, 8);
	t.rel = t.abs;
	t.nrel = t.nabs;
	g = tab_open(&t);
	assert_non_null(g);
	check_functions(&t, g, false, T_TEXT);
	check_inline(&t, g, false, T_TEXT);
	gopclntab__close(g);

	/* the same bytes without the relocations: every entry is 0 */
	t.nrel = 0;
	errno = 0;
	assert_null(tab_open(&t));
	assert_int_equal(errno, PROFCTL_ERR_BAD_PCLNTAB);
	tab_free(&t);
}

static void test_pie_relocations_go116(void **state)
{
	(void)state;
	check_pie(GO_PCLN_116);
}

static void test_pie_relocations_go12(void **state)
{
	(void)state;
	check_pie(GO_PCLN_12);
}

/*
 * Go 1.18-1.25 PIE by an external linker: the header's textStart (the
 * one pointer a 1.18+ table holds) is 0 in the file, its relocation says
 * where text starts.
 */
static void test_pie_header_text_start_go118(void **state)
{
	struct treloc rel;
	struct gopclntab *g;
	struct tab t;
	size_t k;

	(void)state;
	for (k = 2; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		rel.vaddr = T_BASE + t.hdr + 8;
		rel.value = T_TEXT;
		tab_put(&t, t.hdr + 8, 0, 8);
		t.rel = &rel;
		t.nrel = 1;
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__header_text_start(g), T_TEXT);
		assert_int_equal(gopclntab__text_start(g), T_TEXT);
		check_functions(&t, g, t_versions[k] == GO_PCLN_120, T_TEXT);
		check_inline(&t, g, t_versions[k] == GO_PCLN_120, T_TEXT);
		gopclntab__close(g);
		tab_free(&t);
	}
}

/* An image without word(): a table whose pointers are all there. */
static void test_no_word_callback(void **state)
{
	struct gopclntab *g;
	struct tab t;

	(void)state;
	tab_std(&t, GO_PCLN_116, 1, 8);
	t.img.word = NULL;
	g = tab_open(&t);
	assert_non_null(g);
	check_functions(&t, g, false, T_TEXT);
	check_inline(&t, g, false, T_TEXT);
	gopclntab__close(g);
	tab_free(&t);
}

/* ------------------------------------------------------------------ */
/* 5. Hostile tables                                                   */
/* ------------------------------------------------------------------ */

static void assert_rejected(const struct tab *t)
{
	errno = 0;
	assert_null(tab_open(t));
	assert_int_equal(errno, PROFCTL_ERR_BAD_PCLNTAB);
}

/* PCs spread over the functions, their padding and both sides. */
static const uint64_t t_pcs[] = {
	0, ALPHA - 1, ALPHA, ALPHA + 0x11, ALPHA + 0x3f, ALPHA + 0x50,
	BETA, BETA + 0x09, BETA + 0x12, BETA + 0x26, BETA + 0x45, BETA + 0x7f,
	GAMMA, GAMMA + 0x18, T_END - 1, T_END, UINT64_MAX,
};

struct tlook {
	int n;
	struct go_frame fr[4];
	int sp_err;
	int64_t sp;
};

static void look_all(const struct gopclntab *g, struct tlook *l)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t_pcs); i++) {
		l[i].n = gopclntab__lookup(g, t_pcs[i], l[i].fr, 4, NULL);
		l[i].sp = -1;
		l[i].sp_err = gopclntab__sp_delta(g, t_pcs[i], &l[i].sp);
	}
}

/*
 * Every prefix of a valid table: rejected, or answers that are a clean
 * error or the full table's (a file name cut short may become unknown).
 */
static void check_truncated(enum go_pcln_version ver)
{
	struct tlook full[ARRAY_SIZE(t_pcs)], part[ARRAY_SIZE(t_pcs)];
	struct gopclntab *g;
	struct tab t, c;
	size_t cut, i;
	int j, opened = 0;

	tab_std(&t, ver, 1, 8);
	g = tab_open(&t);
	assert_non_null(g);
	look_all(g, full);
	gopclntab__close(g);
	for (cut = 1; cut <= t.size; cut++) {
		tab_copy(&c, &t, cut);
		errno = 0;
		g = tab_open(&c);
		if (!g) {
			assert_int_equal(errno, PROFCTL_ERR_BAD_PCLNTAB);
			tab_free(&c);
			continue;
		}
		opened++;
		look_all(g, part);
		for (i = 0; i < ARRAY_SIZE(t_pcs); i++) {
			if (part[i].n < 0) {
				assert_int_equal(part[i].n, BAD);
			} else {
				assert_int_equal(part[i].n, full[i].n);
				for (j = 0; j < part[i].n; j++) {
					assert_in_image(&c, part[i].fr[j].function);
					assert_string_equal(part[i].fr[j].function,
							    full[i].fr[j].function);
					assert_int_equal(part[i].fr[j].line,
							 full[i].fr[j].line);
					if (!part[i].fr[j].file)
						continue;
					assert_in_image(&c, part[i].fr[j].file);
					assert_string_equal(part[i].fr[j].file,
							    full[i].fr[j].file);
				}
			}
			if (part[i].sp_err != BAD) {
				assert_int_equal(part[i].sp_err, full[i].sp_err);
				assert_int_equal(part[i].sp, full[i].sp);
			}
		}
		gopclntab__close(g);
		tab_free(&c);
	}
	/*
	 * The _func records come last, and open reads the last one's entry
	 * only: every cut that leaves that entry opens, no other.
	 */
	assert_int_equal(opened, t.pcln + t.size - t.func[T_NFUNC - 1] -
			 (ver >= GO_PCLN_118 ? 4 : 8));
	tab_free(&t);
}

static void test_truncated(void **state)
{
	size_t i;

	(void)state;
	alarm(60);
	for (i = 0; i < ARRAY_SIZE(t_versions); i++)
		check_truncated(t_versions[i]);
	alarm(0);
}

/* An image that ends before the size the caller claims. */
static void test_size_beyond_image(void **state)
{
	struct tab t;

	(void)state;
	tab_std(&t, GO_PCLN_120, 1, 8);
	t.p.size += 1;
	assert_rejected(&t);
	t.p.size = 15;
	assert_rejected(&t);
	t.p.size = 0;
	assert_rejected(&t);
	t.p.size = t.size;
	t.p.vaddr = T_BASE + t.len - 8;
	assert_rejected(&t);
	t.p.vaddr = 0;
	assert_rejected(&t);
	tab_free(&t);
}

enum { T_NAME, T_CU, T_FILES, T_PC, T_FUNCTAB };

/* A 1.16+ header with one offset changed. */
static void assert_header_rejected(struct tab *t, int field, uint64_t value)
{
	/* nfiles, [textStart,] funcname, cu, filetab, pctab, pcln */
	const size_t first = t->ver == GO_PCLN_116 ? 1 : 2;
	const size_t at = t->hdr + 8 * (first + (size_t)field);
	uint64_t was;

	memcpy(&was, t->buf + at, 8);
	tab_put(t, at, value, 8);
	assert_rejected(t);
	tab_put(t, at, was, 8);
}

/* 1.16+ header offsets: out of order, or past the end. */
static void test_header_offsets(void **state)
{
	struct gopclntab *g;
	uint64_t v[5];
	struct tab t;
	size_t i, k, at, first;

	(void)state;
	for (k = 1; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		first = t_versions[k] == GO_PCLN_116 ? 1 : 2;
		for (i = 0; i < ARRAY_SIZE(v); i++)
			memcpy(&v[i], t.buf + t.hdr + 8 * (first + i), 8);
		/* each one past the next */
		assert_header_rejected(&t, T_NAME, v[T_CU] + 1);
		assert_header_rejected(&t, T_CU, v[T_FILES] + 1);
		assert_header_rejected(&t, T_FILES, v[T_PC] + 1);
		assert_header_rejected(&t, T_PC, v[T_FUNCTAB] + 1);
		assert_header_rejected(&t, T_FUNCTAB, v[T_PC] - 1);
		assert_header_rejected(&t, T_CU, 0);
		/* past the end */
		assert_header_rejected(&t, T_NAME, UINT64_MAX);
		assert_header_rejected(&t, T_CU, UINT64_MAX);
		assert_header_rejected(&t, T_PC, UINT64_MAX);
		assert_header_rejected(&t, T_FUNCTAB, t.size);
		assert_header_rejected(&t, T_FUNCTAB, t.size - 4);
		assert_header_rejected(&t, T_FUNCTAB, t.size + 0x100);
		assert_header_rejected(&t, T_FUNCTAB, UINT64_MAX - 8);
		/* a file count beyond any table */
		tab_put(&t, t.hdr, 1ULL << 40, 8);
		assert_rejected(&t);
		tab_put(&t, t.hdr, T_NCUTAB, 8);
		/* undone, it opens again */
		g = tab_open(&t);
		assert_non_null(g);
		gopclntab__close(g);
		tab_free(&t);
	}

	/* 1.2: the file table's offset, after functab */
	tab_std(&t, GO_PCLN_12, 1, 8);
	at = t.functab + (2 * T_NFUNC + 1) * 8;
	tab_put(&t, at, t.size, 4);
	assert_rejected(&t);
	tab_put(&t, at, t.size - 2, 4);
	assert_rejected(&t);
	tab_put(&t, at, UINT32_MAX, 4);
	assert_rejected(&t);
	tab_put(&t, at, t.filetab - t.pcln, 4);
	g = tab_open(&t);
	assert_non_null(g);
	gopclntab__close(g);
	tab_free(&t);
}

/* nfunc beyond what the table can hold, or none. */
static void test_nfunc_huge(void **state)
{
	const uint64_t bad[] = {
		0, 1ULL << 32, 1ULL << 40, 1ULL << 60, 1ULL << 63,
		UINT64_MAX, UINT64_MAX / 2 + 1, UINT64_MAX / 16,
	};
	struct tab t;
	size_t i, k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			tab_put(&t, t.pcln + 8, bad[i], 8);
			assert_rejected(&t);
		}
		/* just too many for the table's size */
		tab_put(&t, t.pcln + 8, t.size / 8 + 1, 8);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 8, (t.size - (t.functab - t.pcln)) /
			(t_versions[k] >= GO_PCLN_118 ? 8 : 16) + 1, 8);
		assert_rejected(&t);
		tab_free(&t);
	}
}

/* functab entries out of order, or an end before the last entry. */
static void test_functab_not_ascending(void **state)
{
	struct tab t;
	size_t k, field, e1, e2, end;
	uint64_t v1, v2;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		field = t_versions[k] >= GO_PCLN_118 ? 4 : 8;
		e1 = t.functab + 2 * field;
		e2 = t.functab + 4 * field;
		end = t.functab + 6 * field;
		v1 = v2 = 0;
		memcpy(&v1, t.buf + e1, field);
		memcpy(&v2, t.buf + e2, field);
		/* beta after gamma */
		tab_put(&t, e1, v2 + 4, field);
		assert_rejected(&t);
		tab_put(&t, e1, v1, field);
		/* the end before gamma */
		tab_put(&t, end, v2 - 4, field);
		assert_rejected(&t);
		/* the end at gamma: an empty last function */
		tab_put(&t, end, v2, field);
		assert_rejected(&t);
		tab_free(&t);
	}
}

/*
 * A _func whose entry disagrees with functab: refused when it is the
 * first or last (checked at open), else every lookup in it is an error
 * and its neighbours still resolve.
 */
static void test_func_entry_mismatch(void **state)
{
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tab t;
	size_t k, i;
	int64_t d;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		unsigned int field = t_versions[k] >= GO_PCLN_118 ? 4 : 8;

		for (i = 0; i < T_NFUNC; i++) {
			uint64_t e = 0;

			tab_std(&t, t_versions[k], 1, 8);
			memcpy(&e, t.buf + t.func[i], field);
			tab_put(&t, t.func[i], e + 4, field);
			if (i != 1) {
				assert_rejected(&t);
				tab_free(&t);
				continue;
			}
			g = tab_open(&t);
			assert_non_null(g);
			assert_int_equal(gopclntab__lookup(g, BETA, fr, 4, NULL),
					 BAD);
			assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4,
							   NULL), BAD);
			assert_int_equal(gopclntab__sp_delta(g, BETA + 4, &d),
					 BAD);
			assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL),
					 1);
			assert_int_equal(gopclntab__lookup(g, GAMMA, fr, 4, NULL),
					 1);
			gopclntab__close(g);
			tab_free(&t);
		}
	}
}

/* Fields the tests below break: their offsets in a 1.2-1.17 _func. */
enum { F_NAME = 8, F_PCSP = 20, F_PCFILE = 24, F_PCLN = 28 };

/* ... and in this layout's (1.18+ records start with a u32 entry). */
static size_t t_field(enum go_pcln_version ver, int field)
{
	return (size_t)field - (ver >= GO_PCLN_118 ? 4 : 0);
}

/* A table built with @tail at its very end. */
static void tab_tail(struct tab *t, enum go_pcln_version ver,
		     const uint8_t *tail, size_t ntail)
{
	struct tspec s = t_spec(ver, 1, 8, t_funcs);

	s.tail = tail;
	s.ntail = ntail;
	tab_build(t, &s);
	assert_int_equal(t->tail + ntail, t->len);
}

/* pc-value tables that run off the end of the table. */
static void test_pcvalue_off_the_end(void **state)
{
	/* value +2, then a pc delta that never ends */
	static const uint8_t tail[] = { 0x04, 0x90, 0x80 };
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tab t;
	uint32_t rel;
	size_t k, at;
	int64_t d;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		const enum go_pcln_version ver = t_versions[k];

		tab_tail(&t, ver, tail, sizeof(tail));
		rel = (uint32_t)(t.tail - t.pctab);
		/* pcsp: sp_delta fails, lookups do not need it */
		at = t.func[1] + t_field(ver, F_PCSP);
		tab_put(&t, at, rel, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__sp_delta(g, BETA + 4, &d), BAD);
		assert_int_equal(gopclntab__lookup(g, BETA + 4, fr, 4, NULL), 1);
		assert_sp(g, ALPHA + 4, 0x28);
		gopclntab__close(g);
		/* an offset past the end, and one in the last byte */
		tab_put(&t, at, rel + sizeof(tail), 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__sp_delta(g, BETA + 4, &d), BAD);
		gopclntab__close(g);
		tab_put(&t, at, rel + sizeof(tail) - 1, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__sp_delta(g, BETA + 4, &d), BAD);
		gopclntab__close(g);
		tab_put(&t, at, 0xfffffff0, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__sp_delta(g, BETA + 4, &d), BAD);
		gopclntab__close(g);
		tab_free(&t);

		/* pcln, pcfile, and the inline index */
		tab_tail(&t, ver, tail, sizeof(tail));
		tab_put(&t, t.func[1] + t_field(ver, F_PCLN), rel, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 4, fr, 4, NULL), BAD);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL),
				 BAD);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), 1);
		gopclntab__close(g);
		tab_free(&t);

		tab_tail(&t, ver, tail, sizeof(tail));
		tab_put(&t, t.func[0] + t_field(ver, F_PCFILE), rel, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), BAD);
		gopclntab__close(g);
		tab_free(&t);

		tab_tail(&t, ver, tail, sizeof(tail));
		tab_put(&t, t.pcdata2[1], rel, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL),
				 BAD);
		gopclntab__close(g);
		tab_free(&t);
	}
}

/* Names past the end, or without a NUL before it. */
static void test_bad_names(void **state)
{
	static const uint8_t tail[] = { 'm', 'a', 'i', 'n', '.', 'x' };
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tab t;
	size_t k, at, names;
	int n;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		const enum go_pcln_version ver = t_versions[k];

		tab_tail(&t, ver, tail, sizeof(tail));
		names = ver == GO_PCLN_12 ? t.pcln : t.funcnametab;
		at = t.func[0] + t_field(ver, F_NAME);
		tab_put(&t, at, 0x7fffffff, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), BAD);
		assert_int_equal(gopclntab__lookup(g, GAMMA, fr, 4, NULL), 1);
		gopclntab__close(g);
		tab_put(&t, at, t.len - names, 4);	/* just past the end */
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), BAD);
		gopclntab__close(g);
		tab_put(&t, at, t.tail - names, 4);	/* no NUL after it */
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), BAD);
		assert_int_equal(gopclntab__lookup(g, ALPHA + 0x50, fr, 4, NULL),
				 BAD);
		gopclntab__close(g);
		tab_put(&t, at, UINT32_MAX, 4);		/* -1 */
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, ALPHA, fr, 4, NULL), BAD);
		gopclntab__close(g);
		tab_free(&t);

		/* an inlined function's name in the unterminated tail */
		tab_tail(&t, ver, tail, sizeof(tail));
		names = ver == GO_PCLN_12 ? t.pcln : t.funcnametab;
		at = t.tree[1] + (ver == GO_PCLN_120 ? 16 + 4 : 20 + 12);
		tab_put(&t, at, t.tail - names, 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL),
				 BAD);
		/* a frame there is no room for is not looked at */
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 1, NULL),
				 1);
		assert_frame(&t, &fr[0], "main.beta", "/src/main.go", 31,
			     ver == GO_PCLN_120 ? 29 : 0);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL), 2);
		gopclntab__close(g);
		tab_free(&t);

		/* a file name without a NUL: unknown, or an error */
		tab_tail(&t, ver, tail, sizeof(tail));
		if (ver == GO_PCLN_12)
			tab_put(&t, t.filetab + 4, t.tail - t.pcln, 4);
		else
			tab_put(&t, t.cutab, t.tail - t.filetab, 4);
		g = tab_open(&t);
		assert_non_null(g);
		n = gopclntab__lookup(g, ALPHA, fr, 4, NULL);
		assert_true(n == BAD || n == 1);
		if (n == 1) {
			assert_string_equal(fr[0].function, "main.alpha");
			assert_null(fr[0].file);
			assert_int_equal(fr[0].line, 10);
		}
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL), 2);
		assert_frame(&t, &fr[0], "main.mid", "/src/mid.go", 50,
			     ver == GO_PCLN_120 ? 48 : 0);
		/* and one past the end */
		if (ver == GO_PCLN_12)
			tab_put(&t, t.filetab + 4, t.size, 4);
		else
			tab_put(&t, t.cutab, t.len - t.filetab, 4);
		n = gopclntab__lookup(g, ALPHA, fr, 4, NULL);
		assert_true(n == BAD || n == 1);
		if (n == 1)
			assert_null(fr[0].file);
		gopclntab__close(g);
		tab_free(&t);
	}
}

/* An inline tree whose call sites lead back where they started. */
static void test_inline_loop(void **state)
{
	struct tinl tree[ARRAY_SIZE(beta_tree)];
	struct tfunc fn[T_NFUNC];
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tspec s;
	struct tab t;
	size_t k, loop;

	(void)state;
	alarm(20);
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		for (loop = 0; loop < 3; loop++) {
			memcpy(fn, t_funcs, sizeof(fn));
			memcpy(tree, beta_tree, sizeof(tree));
			fn[1].tree = tree;
			if (loop == 0) {
				tree[1].parent_pc = 0x26;	/* itself */
			} else if (loop == 1) {
				tree[0].parent_pc = 0x24;	/* mid -> leaf */
			} else {
				tree[1].parent_pc = 0x20;	/* leaf -> leaf */
				tree[0].parent_pc = 0x10;	/* mid -> mid */
			}
			s = t_spec(t_versions[k], 1, 8, fn);
			tab_build(&t, &s);
			g = tab_open(&t);
			assert_non_null(g);
			assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4,
							   NULL), BAD);
			assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 1,
							   NULL), BAD);
			assert_int_equal(gopclntab__lookup(g, BETA + 0x04, fr, 4,
							   NULL), 1);
			gopclntab__close(g);
			tab_free(&t);
		}
	}
	alarm(0);
}

/* Inline indexes and tree pointers that lead outside the image. */
static void test_inline_past_image(void **state)
{
	static const struct pv far_inl[] = {
		{ -1, 0x10 }, { 0, 0x20 }, { 0x10000000, 0x30 }, { -1, 0x80 },
	};
	static const struct pv neg_inl[] = {
		{ -1, 0x10 }, { 0, 0x20 }, { INT32_MIN, 0x30 }, { -1, 0x80 },
	};
	struct tfunc fn[T_NFUNC];
	struct go_frame fr[4];
	struct gopclntab *g;
	struct tspec s;
	struct tab t;
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		const enum go_pcln_version ver = t_versions[k];
		const bool abs = ver <= GO_PCLN_116;

		/* an index far past the tree */
		memcpy(fn, t_funcs, sizeof(fn));
		fn[1].inl = (struct pvt)PVT(far_inl);
		s = t_spec(ver, 1, 8, fn);
		tab_build(&t, &s);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL),
				 BAD);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL), 2);
		gopclntab__close(g);
		tab_free(&t);

		/* a negative one: not inlined */
		fn[1].inl = (struct pvt)PVT(neg_inl);
		tab_build(&t, &s);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x26, fr, 4, NULL), 1);
		assert_frame(&t, &fr[0], "main.beta", "/src/leaf.go", 71,
			     ver == GO_PCLN_120 ? 29 : 0);
		gopclntab__close(g);
		tab_free(&t);

		/* the tree itself past the image, or straddling its end */
		tab_std(&t, ver, 1, 8);
		tab_put(&t, t.fdslot[1], abs ? 0xdead0000 : 0xfffffff0,
			abs ? 8 : 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL),
				 BAD);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x04, fr, 4, NULL), 1);
		gopclntab__close(g);
		tab_put(&t, t.fdslot[1], (abs ? T_BASE : 0) + t.len - 10,
			abs ? 8 : 4);
		g = tab_open(&t);
		assert_non_null(g);
		assert_int_equal(gopclntab__lookup(g, BETA + 0x12, fr, 4, NULL),
				 BAD);
		gopclntab__close(g);
		tab_free(&t);
	}
}

/* A small fixed-seed generator: the same flips on every run. */
static uint64_t t_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void check_fuzzed(const struct tab *t, const struct gopclntab *g,
			 uint64_t *seed)
{
	uint64_t pcs[ARRAY_SIZE(t_pcs) + 16], pc, start, end, entry;
	struct go_frame fr[4];
	size_t i, npc, nfunc;
	int n, j, max;
	int64_t d;

	/* the usual PCs, this table's own entries, and a few at random */
	memcpy(pcs, t_pcs, sizeof(t_pcs));
	npc = ARRAY_SIZE(t_pcs);
	nfunc = gopclntab__nfunc(g);
	assert_true(nfunc >= 1);
	for (i = 0; i <= nfunc && i < 4; i++) {
		pcs[npc++] = gopclntab__entry(g, i);
		pcs[npc++] = gopclntab__entry(g, i) + 0x26;
	}
	while (npc < ARRAY_SIZE(pcs))
		pcs[npc++] = T_TEXT + t_rand(seed) % 0x120;
	gopclntab__range(g, &start, &end);
	assert_true(start <= end);
	for (i = 0; i < npc; i++) {
		pc = pcs[i];
		max = 1 + (int)(i % 4);
		memset(fr, 0, sizeof(fr));
		entry = 0;
		n = gopclntab__lookup(g, pc, fr, (size_t)max, &entry);
		assert_true(n == BAD || (n >= 0 && n <= max));
		if (n > 0)
			assert_true(entry <= pc && pc >= start && pc < end);
		for (j = 0; j < n; j++) {
			assert_in_image(t, fr[j].function);
			if (fr[j].file)
				assert_in_image(t, fr[j].file);
		}
		n = gopclntab__sp_delta(g, pc, &d);
		assert_true(n == 0 || n == -ENOENT || n == BAD);
	}
}

/* Random byte flips in valid tables: no crash, no hang, no stray read. */
static void test_fuzz(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct gopclntab *g;
	struct tab t, c;
	size_t k, iter, nflip, at;
	int opened = 0;

	(void)state;
	alarm(120);
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		for (iter = 0; iter < 1500; iter++) {
			tab_copy(&c, &t, 0);
			for (nflip = 1 + t_rand(&seed) % 4; nflip; nflip--) {
				/* mostly the table, sometimes the trees */
				at = t_rand(&seed) % 8 ? t.pcln +
				     t_rand(&seed) % t.size :
				     t_rand(&seed) % t.len;
				if (t_rand(&seed) % 2)
					c.buf[at] ^= (uint8_t)(1u << (t_rand(&seed) % 8));
				else
					c.buf[at] = (uint8_t)t_rand(&seed);
			}
			errno = 0;
			g = tab_open(&c);
			if (g) {
				opened++;
				check_fuzzed(&c, g, &seed);
				gopclntab__close(g);
			} else {
				assert_int_equal(errno, PROFCTL_ERR_BAD_PCLNTAB);
			}
			tab_free(&c);
		}
		tab_free(&t);
	}
	alarm(0);
	/* most flips land in names, files and pc tables: still opens */
	assert_true(opened > 1000);
}

/* ------------------------------------------------------------------ */
/* 6. Not a table we read                                              */
/* ------------------------------------------------------------------ */

static void test_bad_magic(void **state)
{
	struct gopclntab *g;
	struct tab t;
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		const uint32_t magic = t_magic(t_versions[k]);

		tab_std(&t, t_versions[k], 1, 8);
		tab_put(&t, t.pcln, 0xfffffffc, 4);
		assert_rejected(&t);
		tab_put(&t, t.pcln, 0x12345678, 4);
		assert_rejected(&t);
		/* a big-endian table: the same magic, bytes reversed */
		tab_put(&t, t.pcln, __builtin_bswap32(magic), 4);
		assert_rejected(&t);
		tab_put(&t, t.pcln, magic, 4);
		g = tab_open(&t);
		assert_non_null(g);
		gopclntab__close(g);
		/* bytes 4 and 5 must be 0 */
		tab_put(&t, t.pcln + 4, 1, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 4, 0, 1);
		tab_put(&t, t.pcln + 5, 0x80, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 5, 0, 1);
		/* quantum 1, 2 or 4 */
		tab_put(&t, t.pcln + 6, 3, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 6, 0, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 6, 8, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 6, 1, 1);
		/* pointers of 4 or 8 bytes */
		tab_put(&t, t.pcln + 7, 5, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 7, 0, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 7, 16, 1);
		assert_rejected(&t);
		tab_put(&t, t.pcln + 7, 8, 1);
		tab_free(&t);
	}
	gopclntab__close(NULL);
}

/* ------------------------------------------------------------------ */
/* 7. The budget: what checking a table may cost                       */
/* ------------------------------------------------------------------ */

/*
 * The first of the near-miss headers of a hostile file (see
 * hostile_elf_test.h) as an image: all share a functab of ~11000 entries.
 */
static void tab_hostile(struct tab *t, enum hostile_kind kind,
			struct hostile_layout *l)
{
	memset(t, 0, sizeof(*t));
	t->buf = hostile_elf(kind, 256 << 10, l);
	assert_non_null(t->buf);
	assert_true(l->nfunc > 10000);
	t->len = l->size;
	t->ptrsize = 8;
	t->img = (struct go_image){ t_bytes, t_word, t };
	t->p.vaddr = T_BASE + HOSTILE_START;
	t->p.size = l->size - HOSTILE_START;
}

/* Opens @t with @budget: the table or NULL (*err), and what it cost. */
static struct gopclntab *tab_open_budget(struct tab *t, uint64_t budget,
					 uint64_t *spent, int *err)
{
	struct gopclntab *g;
	uint64_t left = budget;

	t->p.budget = &left;
	errno = 0;
	g = tab_open(t);
	*err = g ? 0 : errno;
	*spent = budget - left;
	t->p.budget = NULL;
	return g;
}

/* A real table pays for its walk; with nothing left, nothing is read. */
static void test_budget_real_table(void **state)
{
	struct gopclntab *g;
	uint64_t spent;
	struct tab t;
	size_t k;
	int err;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(t_versions); k++) {
		tab_std(&t, t_versions[k], 1, 8);
		g = tab_open_budget(&t, 1 << 20, &spent, &err);
		assert_non_null(g);
		assert_true(spent >= T_NFUNC + 1 && spent < 1000);
		gopclntab__close(g);
		/* not even a first look: refused, and all of it spent */
		assert_null(tab_open_budget(&t, 0, &spent, &err));
		assert_int_equal(err, PROFCTL_ERR_PCLNTAB_SEARCH);
		assert_null(tab_open_budget(&t, 5, &spent, &err));
		assert_int_equal(err, PROFCTL_ERR_PCLNTAB_SEARCH);
		assert_int_equal(spent, 5);
		/* a table that is not one is still just that */
		tab_put(&t, t.pcln + 6, 3, 1);
		assert_null(tab_open_budget(&t, 0, &spent, &err));
		assert_int_equal(err, PROFCTL_ERR_BAD_PCLNTAB);
		tab_free(&t);
	}
}

/*
 * Near misses that end wrong: the first look refuses them, at a cost
 * that does not grow with their functab (before, each was walked in full
 * first).
 */
static void test_budget_first_look(void **state)
{
	static const enum hostile_kind kinds[] = {
		HOSTILE_NEAR_END, HOSTILE_HUGE_NFUNC,
	};
	struct hostile_layout l;
	uint64_t spent;
	struct tab t;
	size_t k;
	int err;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		tab_hostile(&t, kinds[k], &l);
		assert_null(tab_open_budget(&t, 1 << 30, &spent, &err));
		assert_int_equal(err, PROFCTL_ERR_BAD_PCLNTAB);
		assert_true(spent > 0 && spent < 1000);
		assert_rejected(&t);
		tab_free(&t);
	}
}

/*
 * One entry descends where no first look reads: the walk finds it, and
 * is paid for; a budget that cannot pay for it gets it refused unwalked,
 * keeping the rest for other candidates.
 */
static void test_budget_walk(void **state)
{
	struct hostile_layout l;
	struct gopclntab *g;
	uint64_t spent;
	struct tab t;
	int err;

	(void)state;
	tab_hostile(&t, HOSTILE_MIDDLE, &l);
	assert_null(tab_open_budget(&t, 1 << 30, &spent, &err));
	assert_int_equal(err, PROFCTL_ERR_BAD_PCLNTAB);
	assert_true(spent > l.nfunc);
	assert_null(tab_open_budget(&t, l.nfunc / 2, &spent, &err));
	assert_int_equal(err, PROFCTL_ERR_PCLNTAB_SEARCH);
	assert_true(spent > 0 && spent < 1000);
	/* mended, it is a table: found when it can be paid for */
	tab_put(&t, l.functab + 8 * l.brk, 16 * l.brk, 4);
	g = tab_open_budget(&t, 1 << 30, &spent, &err);
	assert_non_null(g);
	assert_int_equal(gopclntab__nfunc(g), l.nfunc);
	assert_true(spent > l.nfunc);
	gopclntab__close(g);
	assert_null(tab_open_budget(&t, l.nfunc / 2, &spent, &err));
	assert_int_equal(err, PROFCTL_ERR_PCLNTAB_SEARCH);
	tab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_go12),
		cmocka_unit_test(test_layout_go116),
		cmocka_unit_test(test_layout_go118),
		cmocka_unit_test(test_layout_go120),
		cmocka_unit_test(test_layout_quantum),
		cmocka_unit_test(test_layout_32bit),
		cmocka_unit_test(test_layout_32bit_pre118),
		cmocka_unit_test(test_inline_go12_old_or_unknown_minor),
		cmocka_unit_test(test_inline_without_gofunc),
		cmocka_unit_test(test_text_start_zero_go126),
		cmocka_unit_test(test_text_start_override),
		cmocka_unit_test(test_pie_relocations_go116),
		cmocka_unit_test(test_pie_relocations_go12),
		cmocka_unit_test(test_pie_header_text_start_go118),
		cmocka_unit_test(test_no_word_callback),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_size_beyond_image),
		cmocka_unit_test(test_header_offsets),
		cmocka_unit_test(test_nfunc_huge),
		cmocka_unit_test(test_functab_not_ascending),
		cmocka_unit_test(test_func_entry_mismatch),
		cmocka_unit_test(test_pcvalue_off_the_end),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_inline_loop),
		cmocka_unit_test(test_inline_past_image),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_budget_real_table),
		cmocka_unit_test(test_budget_first_look),
		cmocka_unit_test(test_budget_walk),
	};

	return cmocka_run_group_tests_name("gopclntab", tests, NULL, NULL);
}
