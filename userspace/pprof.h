/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pprof.h - builds a CPU profile in pprof's format and writes it gzipped.
 *
 * Callers hand in symbolized locations and aggregated samples; the builder
 * deduplicates strings, functions, locations and mappings, assigns dense
 * ids from 1 (Parca requires them) in order of first use, but for the
 * main binary, which pprof__main_mapping() makes mapping 1; keeps
 * string_table[0] == "", and gives each sample the two values of a Go CPU
 * profile: samples/count and cpu/nanoseconds (count * period).
 *
 * A mapping is one file's build at one place: two files never share one,
 * whatever their path (containers, or a binary upgraded under a process
 * that still runs the old one), so neither do their locations and names.
 */
#ifndef PROFCTL_PPROF_H
#define PROFCTL_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pprof;

struct pprof_params {
	int64_t time_nanos;		/* session start, wall clock */
	int64_t duration_nanos;
	int64_t period_ns;		/* 1e9 / sampling frequency */
};

struct pprof_mapping {
	uint64_t start, limit, offset;	/* runtime address range */
	const char *file;		/* "" when unknown */
	const char *build_id;		/* whole, as pprof matches it; or NULL */
	uint64_t dev, inode;		/* the file's identity; 0 when unknown */
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

/* One frame of a location: lines go innermost (inlined) first. */
struct pprof_line {
	const char *function;		/* NULL: no symbol, address only */
	const char *file;		/* or NULL */
	int64_t line;
	int64_t start_line;
};

/* A sample label: numeric when @str is NULL. */
struct pprof_label {
	const char *key;
	const char *str;
	int64_t num;
};

/* NULL with errno set. */
struct pprof *pprof__new(const struct pprof_params *params);

/* Accepts NULL. */
void pprof__free(struct pprof *prof);

/* When the profile started and how long it ran, once that is known. */
void pprof__set_span(struct pprof *prof, int64_t time_nanos,
		     int64_t duration_nanos);

/*
 * The mapping's id, or 0 with errno set. Deduplicated by range, offset,
 * file name, build id, device and inode: all of them, so that two files
 * at one path and range are two mappings.
 */
uint64_t pprof__mapping(struct pprof *prof, const struct pprof_mapping *m);

/*
 * Makes @m (added if new) the profile's main binary, mapping 1: pprof
 * titles the profile with it, and -disasm, -list and merging take it for
 * the program. The mapping that had id 1 takes @m's old id, in the
 * locations too: ids handed out earlier for those two are stale. Returns
 * 1, or 0 with errno set.
 */
uint64_t pprof__main_mapping(struct pprof *prof, const struct pprof_mapping *m);

/*
 * The id of the location at @address in @mapping_id (deduplicated by
 * both: distinct mappings have distinct locations, each with its own
 * lines), created with @lines the first time; or 0 with errno set.
 * @mapping_id may be 0 for an address in no known mapping.
 */
uint64_t pprof__location(struct pprof *prof, uint64_t mapping_id,
			 uint64_t address, const struct pprof_line *lines,
			 size_t nr_lines);

/* Adds a sample of @count hits on the stack @locations (leaf first). */
int pprof__sample(struct pprof *prof, const uint64_t *locations,
		  size_t nr_locations, int64_t count,
		  const struct pprof_label *labels, size_t nr_labels);

/* Bytes the profile's tables hold (an estimate, from their sizes). */
size_t pprof__memory(const struct pprof *prof);

/* Adds a free-form comment line. */
int pprof__comment(struct pprof *prof, const char *text);

/* Writes the profile, gzip-compressed, to @fd. 0 or -errno. */
int pprof__write(struct pprof *prof, int fd);

#endif /* PROFCTL_PPROF_H */
