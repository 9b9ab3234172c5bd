/* SPDX-License-Identifier: GPL-2.0-only */
/* cshlib.h - the shared library's side of cshlib (cshlib_hot.c). */
#ifndef CSHLIB_H
#define CSHLIB_H

/* units * 500 xorshift steps, the same work as local_warm's per unit. */
void lib_hot(int units);

#endif
