// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "errors.h"

static const char *const profctl_error_text[] = {
	[PROFCTL_ERR_ABI_MISMATCH - PROFCTL_ERR_BASE] =
		"module and profctl speak incompatible ABI versions",
	[PROFCTL_ERR_NOT_KSAMPLER - PROFCTL_ERR_BASE] =
		"device is not a ksampler device",
	[PROFCTL_ERR_NOT_ELF - PROFCTL_ERR_BASE] =
		"not a 64-bit ELF file",
	[PROFCTL_ERR_BAD_ELF - PROFCTL_ERR_BASE] =
		"truncated or damaged ELF file (headers point past its end)",
	[PROFCTL_ERR_BAD_PCLNTAB - PROFCTL_ERR_BASE] =
		"corrupt Go symbol table (pclntab)",
	[PROFCTL_ERR_NO_PCLNTAB - PROFCTL_ERR_BASE] =
		"Go binary without a readable symbol table (pclntab)",
	[PROFCTL_ERR_NOT_REGULAR - PROFCTL_ERR_BASE] =
		"not a regular file (a device, directory, FIFO or symbolic link): name a new file, a regular one, or - for standard output",
	[PROFCTL_ERR_TOO_BIG - PROFCTL_ERR_BASE] =
		"over 512 MiB of loadable segments: not read, its addresses stay unsymbolized",
	[PROFCTL_ERR_PCLNTAB_SEARCH - PROFCTL_ERR_BASE] =
		"Go binary without a readable symbol table (pclntab): no section names it, and its data holds too many look-alike tables to search (a damaged or hostile file?)",
};

const char *profctl_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= PROFCTL_ERR_BASE && err < PROFCTL_ERR_END)
		return profctl_error_text[err - PROFCTL_ERR_BASE];
	return strerror(err);
}
