/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kshim.h - the kernel's function annotations, for the userspace builds of
 * the module's shared cores (kmod/unwind_core.h): included before them by
 * userspace/unwind_test.c and bench/micro.c.
 */
#ifndef PROFCTL_KSHIM_H
#define PROFCTL_KSHIM_H

#ifndef __maybe_unused
#define __maybe_unused	__attribute__((__unused__))
#endif
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif
#ifndef __cold
#define __cold		__attribute__((__cold__))
#endif

#endif /* PROFCTL_KSHIM_H */
