/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile_elf_test.h - ELF files made to stall a search for a Go pclntab
 * (issue 19): a Go build id note, no section headers, and one read-only
 * segment holding many headers of Go 1.20 tables, 8-byte aligned as the
 * search expects, that all share one functab after them. Checked in full,
 * each header costs a walk of the whole functab: time quadratic in the
 * file's size, for a file any user can map.
 *
 *   HOSTILE_NEAR_END    the next-to-last entry descends
 *   HOSTILE_MIDDLE      one entry descends near the end, off every evenly
 *                       spaced sample: only a full walk finds it
 *   HOSTILE_HUGE_NFUNC  each header claims the most functions the file
 *                       can hold; the entries ascend to its last byte,
 *                       no function record agrees with them
 *
 * One copy per test program.
 */
#ifndef PROFCTL_HOSTILE_ELF_TEST_H
#define PROFCTL_HOSTILE_ELF_TEST_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum hostile_kind {
	HOSTILE_NEAR_END,
	HOSTILE_MIDDLE,
	HOSTILE_HUGE_NFUNC,
};

#define HOSTILE_VADDR	0x400000ULL
#define HOSTILE_HDR	72		/* a Go 1.20 header, 64-bit */
#define HOSTILE_START	512		/* the first header's file offset */
#define HOSTILE_NOTE_DESC ((sizeof(hostile_go_id) + 3) & ~3UL)

static const char hostile_go_id[] =
	"hostile/aaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbb/cccccccccccccccccccc";

static void hostile_put(uint8_t *b, uint64_t at, uint64_t v, unsigned int n)
{
	memcpy(b + at, &v, n);
}

/* The ELF header, a PT_LOAD of the whole file and a PT_NOTE of Go's id. */
static void hostile_elf_headers(uint8_t *b, uint64_t size)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = HOSTILE_VADDR, .e_phoff = sizeof(eh),
		.e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
	};
	uint64_t note = sizeof(eh) + 2 * sizeof(Elf64_Phdr);
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
		  .p_vaddr = HOSTILE_VADDR, .p_paddr = HOSTILE_VADDR,
		  .p_filesz = size, .p_memsz = size, .p_align = 0x1000 },
		{ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = note,
		  .p_vaddr = HOSTILE_VADDR + note, .p_paddr = HOSTILE_VADDR + note,
		  .p_filesz = 16 + HOSTILE_NOTE_DESC,
		  .p_memsz = 16 + HOSTILE_NOTE_DESC, .p_align = 4 },
	};

	memcpy(b, &eh, sizeof(eh));
	memcpy(b + sizeof(eh), ph, sizeof(ph));
	/* namesz, descsz, type 4, "Go", the id */
	hostile_put(b, note, 4, 4);
	hostile_put(b, note + 4, sizeof(hostile_go_id) - 1, 4);
	hostile_put(b, note + 8, 4, 4);
	memcpy(b + note + 12, "Go", 3);
	memcpy(b + note + 16, hostile_go_id, sizeof(hostile_go_id));
}

/* Where a hostile file keeps things (offsets are the file's). */
struct hostile_layout {
	uint64_t size;
	uint64_t nheaders;	/* HOSTILE_HDR bytes apart, from HOSTILE_START */
	uint64_t nfunc;		/* every header claims as many */
	uint64_t functab;	/* the one they share */
	uint64_t brk;		/* the entry that descends; nfunc: none does */
};

/*
 * A hostile file of about @size bytes (at least 4 KiB), in memory from
 * malloc(), or NULL; @l says where things are.
 */
static uint8_t *hostile_elf(enum hostile_kind kind, uint64_t size,
			    struct hostile_layout *l)
{
	uint64_t k, i, h, recs;
	uint8_t *b;

	l->size = size & ~7ULL;
	if (l->size < 4096)
		return NULL;
	b = calloc(1, l->size);
	if (!b)
		return NULL;
	hostile_elf_headers(b, l->size);
	/* as many headers as functions: a naive search costs their product */
	l->nheaders = (l->size - HOSTILE_START) / 2 / HOSTILE_HDR;
	l->functab = HOSTILE_START + l->nheaders * HOSTILE_HDR;
	/* 8 bytes of functab and 4 of record per function, then the end */
	l->nfunc = (l->size - l->functab - 8) /
		   (kind == HOSTILE_HUGE_NFUNC ? 8 : 12);
	recs = l->functab + 8 * l->nfunc + 8;
	for (k = 0; k < l->nheaders; k++) {
		h = HOSTILE_START + k * HOSTILE_HDR;
		/* magic, 0, 0, quantum 1, pointers of 8 bytes */
		hostile_put(b, h, 0x08010000fffffff1ULL, 8);
		hostile_put(b, h + 8, l->nfunc, 8);
		hostile_put(b, h + 24, HOSTILE_VADDR + 0x1000, 8);	/* textStart */
		/* funcname, cu, file, pc tables: empty, where functab starts */
		for (i = 32; i <= 64; i += 8)
			hostile_put(b, h + i, l->functab - h, 8);
	}
	for (i = 0; i <= l->nfunc; i++) {
		hostile_put(b, l->functab + 8 * i, 16 * i, 4);
		if (i == l->nfunc)
			break;
		if (kind == HOSTILE_HUGE_NFUNC) {
			hostile_put(b, l->functab + 8 * i + 4, UINT32_MAX, 4);
			continue;
		}
		hostile_put(b, l->functab + 8 * i + 4, recs - l->functab + 4 * i, 4);
		hostile_put(b, recs + 4 * i, 16 * i, 4);
	}
	l->brk = l->nfunc;
	if (kind == HOSTILE_NEAR_END)
		l->brk = l->nfunc - 2;
	else if (kind == HOSTILE_MIDDLE)
		l->brk = l->nfunc - l->nfunc / 64 - 3;
	if (l->brk < l->nfunc)
		hostile_put(b, l->functab + 8 * l->brk, 16 * l->brk - 17, 4);
	return b;
}

#endif /* PROFCTL_HOSTILE_ELF_TEST_H */
