/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksampler_uapi.h - the ABI between ksampler.ko and its userspace collector.
 *
 * This header is the single source of truth for both sides. Rules:
 *  - only fixed-width types, explicit reserved fields, no packed structs;
 *  - every struct passed by ioctl starts with "__u32 size", the caller's
 *    idea of sizeof(struct); structs only ever grow by appending, and the
 *    KSAMPLER_*_SIZE_VER* ladder records each published size;
 *  - ioctl numbers are never reused; a retired one stays here as a comment.
 *
 * Size negotiation (the same for every ioctl):
 *  - input:  the module reads min(size, its own size) bytes and requires
 *            any bytes beyond its own size to be zero (-E2BIG otherwise,
 *            the copy_struct_from_user() contract);
 *  - output: the module writes min(size, its own size) bytes and zeroes
 *            the rest of the caller's struct, so fields the running module
 *            does not know read as zero;
 *  - size below the first published size, or above KSAMPLER_MAX_STRUCT_SIZE,
 *    is -EINVAL.
 * ioctl commands are matched on type, number and direction only: the size
 * bits of the command encode the caller's struct size at compile time and
 * may grow with it.
 */
#ifndef _UAPI_KSAMPLER_H
#define _UAPI_KSAMPLER_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * ABI version. The major changes only on an incompatible change, which we
 * intend never to make; the minor grows with every appended field or
 * new ioctl. A collector refuses a module whose major differs from its own.
 */
#define KSAMPLER_ABI_MAJOR	1
#define KSAMPLER_ABI_MINOR	0

#define KSAMPLER_DEVICE_NAME	"ksampler"
#define KSAMPLER_DEVICE_PATH	"/dev/ksampler"

/* Not registered in ioctl-number.rst; unused there as of Linux 6.12. */
#define KSAMPLER_IOC_MAGIC	0xB8

/* Upper bound on any "size" field: anything larger is a caller bug. */
#define KSAMPLER_MAX_STRUCT_SIZE	4096

/* ksampler_version.features bits: what this module build can do. */
/* (none yet: bits are added as capabilities land) */

#define KSAMPLER_VERSION_STRING_LEN	32

/**
 * struct ksampler_version - KSAMPLER_IOC_GET_VERSION payload
 * @size:		in: caller's sizeof(struct); out: bytes written
 * @abi_major:		KSAMPLER_ABI_MAJOR of the running module
 * @abi_minor:		KSAMPLER_ABI_MINOR of the running module
 * @nr_cpu_ids:		highest possible CPU number + 1 (sizes per-CPU arrays)
 * @page_size:		kernel page size in bytes (mmap granularity)
 * @features:		KSAMPLER_FEAT_* bits
 * @module_version:	NUL-terminated module release, e.g. "0.1.0"
 */
struct ksampler_version {
	__u32 size;
	__u16 abi_major;
	__u16 abi_minor;
	__u32 nr_cpu_ids;
	__u32 page_size;
	__u64 features;
	__u8  module_version[KSAMPLER_VERSION_STRING_LEN];
};

#define KSAMPLER_VERSION_SIZE_VER0	56	/* ABI 1.0 */

/* ioctl numbers: 0x00 GET_VERSION. */
#define KSAMPLER_IOC_GET_VERSION \
	_IOWR(KSAMPLER_IOC_MAGIC, 0x00, struct ksampler_version)

#endif /* _UAPI_KSAMPLER_H */
