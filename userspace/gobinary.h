/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gobinary.h - recognises a Go binary and opens its pclntab, however it
 * was built: with or without symbols (-s -w), PIE, externally linked
 * (cgo), Go 1.2 through 1.26.
 *
 * Where to look, in order: the .gopclntab (or .data.rel.ro.gopclntab)
 * section; the runtime.pclntab symbol; a validated scan of the read-only
 * data, whose work is bounded in proportion to the data's size. The text start and the go:func.* block come from the table's
 * header or symbols, else from the runtime's moduledata, found by its
 * section, its symbol or a relocation-aware scan of writable data.
 */
#ifndef PROFCTL_GOBINARY_H
#define PROFCTL_GOBINARY_H

#include "gopclntab.h"
#include "objfile.h"

struct gobinary_info {
	char version[48];	/* "go1.19.8"; "" when the binary has none */
	int minor;		/* 19 for go1.19.8; 0 when unknown */
};

/*
 * Whether @obj is a Go binary, and its build info. True when it has a Go
 * build id note, build info, or a pclntab section or symbol.
 */
bool gobinary__detect(const struct objfile *obj, struct gobinary_info *info);

/*
 * Opens the pclntab of the Go binary @obj (which must outlive it). NULL
 * with errno set: PROFCTL_ERR_NO_PCLNTAB when none can be found,
 * PROFCTL_ERR_PCLNTAB_SEARCH when the scan gave up on too many look-alike
 * tables, PROFCTL_ERR_BAD_PCLNTAB when the one found is corrupt.
 */
struct gopclntab *gobinary__open_pclntab(const struct objfile *obj,
					 const struct gobinary_info *info);

/* Parses "go1.N..." into N; 0 for anything else. */
int gobinary__parse_minor(const char *version);

#endif /* PROFCTL_GOBINARY_H */
