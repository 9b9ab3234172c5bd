/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proc_stat.h - what /proc/PID/stat says that a session needs: when the
 * process started.
 */
#ifndef PROFCTL_PROC_STAT_H
#define PROFCTL_PROC_STAT_H

#include <stdint.h>

/*
 * When @pid started, in clock ticks after boot (field 22 of
 * @proc_root/PID/stat). 0, or -errno (-EBADMSG: a line that does not
 * parse).
 */
int proc_start_ticks(const char *proc_root, int pid, uint64_t *ticks);

#endif /* PROFCTL_PROC_STAT_H */
