/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef GOFIXTURE_BURN_H
#define GOFIXTURE_BURN_H
unsigned long burn(int n);
#endif
