/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errors.h - profctl's error codes.
 *
 * Functions return 0 or a negative error: -errno for system failures, or
 * -PROFCTL_ERR_* (4000 and up, so they never collide with errno) for
 * failures that only make sense to profctl.
 */
#ifndef PROFCTL_ERRORS_H
#define PROFCTL_ERRORS_H

enum profctl_error {
	PROFCTL_ERR_BASE = 4000,
	/* the module speaks an ABI major this profctl does not */
	PROFCTL_ERR_ABI_MISMATCH = PROFCTL_ERR_BASE,
	/* the device answered, but not like ksampler (wrong node?) */
	PROFCTL_ERR_NOT_KSAMPLER,
	/* a file that is not a 64-bit ELF object we can read */
	PROFCTL_ERR_NOT_ELF,
	/* an ELF file whose headers point past its end (truncated?) */
	PROFCTL_ERR_BAD_ELF,
	/* a Go symbol table (pclntab) that contradicts itself */
	PROFCTL_ERR_BAD_PCLNTAB,
	/* a Go binary whose symbol table cannot be found */
	PROFCTL_ERR_NO_PCLNTAB,
	/* an output path that names something other than a regular file */
	PROFCTL_ERR_NOT_REGULAR,
	/* an executable file larger than the collector will read */
	PROFCTL_ERR_TOO_BIG,
	/*
	 * a Go binary that names no pclntab, whose data holds more look-alike
	 * tables than a search may spend time on (hostile, or damaged)
	 */
	PROFCTL_ERR_PCLNTAB_SEARCH,
	PROFCTL_ERR_END, /* non-ABI sentinel */
};

/*
 * Describes @err (negative or positive, errno or PROFCTL_ERR_*). Never NULL.
 * For errno values the text is strerror()'s, valid until the next call.
 */
const char *profctl_strerror(int err);

#endif /* PROFCTL_ERRORS_H */
