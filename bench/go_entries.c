// SPDX-License-Identifier: GPL-2.0-only
/*
 * go_entries BINARY - prints the entry address of every function in a Go
 * binary's pclntab, one hex address per line: the input of the
 * symbolization benchmark ("every function entry"), which a stripped
 * binary cannot get from its symbol table.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>

#include "errors.h"
#include "gobinary.h"

int main(int argc, char **argv)
{
	struct gobinary_info info;
	struct objfile *obj;
	struct gopclntab *t;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: go_entries BINARY\n");
		return 2;
	}
	obj = objfile__open_fd(open(argv[1], O_RDONLY | O_CLOEXEC));
	if (!obj || !gobinary__detect(obj, &info)) {
		fprintf(stderr, "go_entries: %s: %s\n", argv[1],
			obj ? "not a Go binary" : profctl_strerror(errno));
		return 1;
	}
	t = gobinary__open_pclntab(obj, &info);
	if (!t) {
		fprintf(stderr, "go_entries: %s: %s\n", argv[1], profctl_strerror(errno));
		return 1;
	}
	for (i = 0; i < gopclntab__nfunc(t); i++)
		printf("%" PRIx64 "\n", gopclntab__entry(t, i));
	gopclntab__close(t);
	objfile__close(obj);
	return 0;
}
