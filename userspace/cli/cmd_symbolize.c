// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_symbolize.c - "profctl symbolize -e BINARY": link-time addresses on
 * stdin, function and file:line on stdout, in the format of
 * `go tool addr2line`, so that either can stand in for the other.
 *
 * Output is flushed whenever the input has no complete line left, never
 * per line: a batch runs at full speed, and a program talking to us
 * through a pipe gets its answers before we wait for more.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../errors.h"
#include "../symfile.h"
#include "cli.h"

struct symbolize_opts {
	const char *exe;
	bool inlines;
	bool functions_only;
};

static void symbolize_usage(FILE *out)
{
	fprintf(out,
		"usage: profctl symbolize -e BINARY [--inlines] [--functions-only]\n"
		"\n"
		"Reads addresses (hex, with or without 0x, one per line) on\n"
		"stdin and prints, for each, its function on one line and its\n"
		"file:line on the next, as `go tool addr2line` does. Go\n"
		"binaries are read through their pclntab, so stripped and PIE\n"
		"binaries resolve; other code through its ELF symbols.\n"
		"Addresses are the binary's own (link-time) addresses. One that\n"
		"cannot be resolved prints '?' and '?:0'.\n"
		"\n"
		"  -e, --exe BINARY      the executable to read\n"
		"  -i, --inlines         every inlined frame too, innermost first,\n"
		"                        each as function and file:line\n"
		"  -f, --functions-only  function names only, no file:line\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 success, 1 unreadable binary or malformed input\n"
		"line (answered with '?'), 2 usage error.\n");
}

static int symbolize_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Parses one input line; false for anything but a hex address that fits
 * 64 bits. By hand, not strtoull: a batch is mostly this and printing.
 */
static bool symbolize_parse(const char *line, uint64_t *addr)
{
	int digits = 0, d;

	while (*line == ' ' || *line == '\t')
		line++;
	if (line[0] == '0' && (line[1] == 'x' || line[1] == 'X'))
		line += 2;
	for (*addr = 0; (d = symbolize_hex_digit(*line)) >= 0; line++, digits++) {
		if (*addr >> 60)
			return false;		/* more than 64 bits */
		*addr = *addr << 4 | (uint64_t)d;
	}
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return digits && !*line;
}

static void symbolize_print_frame(const struct symbolize_opts *o,
				  const struct sym_frame *f, const struct sym_frame *at)
{
	char num[24], *p = num + sizeof(num);
	uint64_t line;

	fputs_unlocked(f ? f->function : "?", stdout);
	putc_unlocked('\n', stdout);
	if (o->functions_only)
		return;
	if (!at || !at->file) {
		fputs_unlocked("?:0\n", stdout);
		return;
	}
	fputs_unlocked(at->file, stdout);
	*--p = '\n';
	line = at->line > 0 ? (uint64_t)at->line : 0;
	do
		*--p = (char)('0' + line % 10);
	while (line /= 10);
	*--p = ':';
	fwrite_unlocked(p, 1, (size_t)(num + sizeof(num) - p), stdout);
}

static void symbolize_one(struct symfile *sf, const struct symbolize_opts *o,
			  uint64_t addr)
{
	struct sym_frame frames[SYMFILE_MAX_FRAMES];
	int n = sf ? symfile__lookup(sf, addr, frames, SYMFILE_MAX_FRAMES) : 0, i;

	if (!n) {
		symbolize_print_frame(o, NULL, NULL);
		return;
	}
	if (!o->inlines) {
		/* addr2line's view: the physical function, the innermost line */
		symbolize_print_frame(o, &frames[n - 1], &frames[0]);
		return;
	}
	for (i = 0; i < n; i++)
		symbolize_print_frame(o, &frames[i], &frames[i]);
}

/* Answers each complete line in @buf; returns the bytes consumed. */
static size_t symbolize_lines(struct symfile *sf, const struct symbolize_opts *o,
			      char *buf, size_t len, unsigned long *lineno,
			      unsigned long *bad)
{
	size_t done = 0;
	uint64_t addr;
	char *nl;

	while ((nl = memchr(buf + done, '\n', len - done))) {
		*nl = '\0';
		++*lineno;
		if (symbolize_parse(buf + done, &addr)) {
			symbolize_one(sf, o, addr);
		} else {
			if (!(*bad)++)
				fprintf(stderr, "profctl symbolize: line %lu: not a hex address: '%s'\n",
					*lineno, buf + done);
			symbolize_print_frame(o, NULL, NULL);
		}
		done = (size_t)(nl - buf) + 1;
	}
	return done;
}

static int symbolize_stream(struct symfile *sf, const struct symbolize_opts *o)
{
	unsigned long lineno = 0, bad = 0;
	size_t len = 0, done;
	char buf[65536];
	ssize_t r;

	for (;;) {
		r = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "profctl symbolize: stdin: %s\n", strerror(errno));
			return PROFCTL_EXIT_FAILURE;
		}
		if (r == 0 && len)
			buf[len++] = '\n';	/* a last line without newline */
		len += (size_t)r;
		done = symbolize_lines(sf, o, buf, len, &lineno, &bad);
		memmove(buf, buf + done, len - done);
		len -= done;
		if (len == sizeof(buf) - 1) {
			fprintf(stderr, "profctl symbolize: line %lu: longer than %zu bytes\n",
				lineno + 1, sizeof(buf) - 2);
			return PROFCTL_EXIT_FAILURE;
		}
		if (fflush(stdout)) {
			fprintf(stderr, "profctl symbolize: stdout: %s\n", strerror(errno));
			return PROFCTL_EXIT_FAILURE;
		}
		if (r == 0)
			break;
	}
	if (bad > 1)
		fprintf(stderr, "profctl symbolize: %lu lines were not hex addresses\n", bad);
	return bad ? PROFCTL_EXIT_FAILURE : PROFCTL_EXIT_OK;
}

int cmd_symbolize(int argc, char **argv)
{
	static const struct option options[] = {
		{ "exe", required_argument, NULL, 'e' },
		{ "inlines", no_argument, NULL, 'i' },
		{ "functions-only", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct symbolize_opts o = { 0 };
	struct symfile *sf;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "e:ifh", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			o.exe = optarg;
			break;
		case 'i':
			o.inlines = true;
			break;
		case 'f':
			o.functions_only = true;
			break;
		case 'h':
			symbolize_usage(stdout);
			return PROFCTL_EXIT_OK;
		default:
			symbolize_usage(stderr);
			return PROFCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "profctl symbolize: unexpected argument '%s'\n",
			argv[optind]);
		return PROFCTL_EXIT_USAGE;
	}
	if (!o.exe) {
		fprintf(stderr, "profctl symbolize: which binary? give it with -e BINARY\n");
		return PROFCTL_EXIT_USAGE;
	}
	errno = 0;
	sf = symfile__open_fd(open(o.exe, O_RDONLY | O_CLOEXEC));
	if (!sf) {
		fprintf(stderr, "profctl symbolize: %s: %s\n", o.exe,
			profctl_strerror(errno ? errno : ENOMEM));
		return PROFCTL_EXIT_FAILURE;
	}
	if (symfile__go_error(sf))
		fprintf(stderr, "profctl symbolize: %s: %s; using its ELF symbols only\n",
			o.exe, profctl_strerror(symfile__go_error(sf)));
	rc = symbolize_stream(sf, &o);
	symfile__close(sf);
	return rc;
}
