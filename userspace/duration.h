/* SPDX-License-Identifier: GPL-2.0-only */
/* duration.h - the CLI's durations: "500ms", "30s", "2m", "1h" or "45". */
#ifndef PROFCTL_DURATION_H
#define PROFCTL_DURATION_H

#include <stdint.h>

/* 0 with *ns set, or -EINVAL (empty, negative, unknown unit, overflow). */
int duration_parse(const char *text, uint64_t *ns);

#endif /* PROFCTL_DURATION_H */
