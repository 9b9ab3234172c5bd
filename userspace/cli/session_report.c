// SPDX-License-Identifier: GPL-2.0-only
/*
 * session_report.c - what a session says on stderr: a live status line,
 * and at the end the kernel's accounting, how the walks ended, what the
 * collector held and cost, and the files it could read only in part.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../errors.h"
#include "../leaffix.h"
#include "../stacks.h"
#include "../symbolize.h"
#include "session_int.h"

void session_status(const struct session *s, uint64_t elapsed_ns)
{
	uint64_t lost = 0;
	uint32_t r;

	for (r = 1; r < STACKS_LOST_MAX; r++)
		lost += stack_table__lost(s->stacks, r);
	fprintf(stderr, "\rprofctl: %5.1fs  %" PRIu64 " samples  %" PRIu64 " lost  %.0f/s   ",
		elapsed_ns / 1e9, stack_table__samples(s->stacks), lost,
		elapsed_ns ? stack_table__samples(s->stacks) * 1e9 / elapsed_ns : 0.0);
}

void session_report(const struct session *s, uint64_t elapsed_ns)
{
	struct symbolizer_stats ss;

	symbolizer__stats(s->sym, &ss);
	fprintf(stderr, "profctl: status: %.1f s, %" PRIu64 " samples, %zu unique stacks, stack table %zu bytes, profile %zu bytes, %zu processes known, %" PRIu64
		" exited and rendered, %zu files read (%zu bytes), %zu descriptors held ahead\n",
		elapsed_ns / 1e9, stack_table__samples(s->stacks),
		stack_table__unique(s->stacks), stack_table__memory(s->stacks),
		render__memory(s->profile), ss.processes, s->retired, ss.files_read,
		ss.file_bytes, ss.open_fds);
}

static void session_report_problem(const char *path, int err, void *ctx)
{
	(void)ctx;
	if (!path) {
		fprintf(stderr, "profctl: and %d more such files\n", err);
		return;
	}
	fprintf(stderr, "profctl: %s: %s; its addresses are named from ELF symbols only, the rest of the profile is intact\n",
		path, profctl_strerror(err));
}

void session_summary(struct session *s, const struct ksampler_stats *st)
{
	const struct leaffix_stats *lf = leaffix__stats(s->leaffix);
	struct symbolizer_stats ss;
	struct rusage ru;
	char *comment = s->comment;
	size_t len = sizeof(s->comment);
	uint64_t duration = s->duration;
	uint64_t lost_full = stack_table__lost(s->stacks, KSAMPLER_LOST_RING_FULL);
	uint64_t lost_nested = stack_table__lost(s->stacks, KSAMPLER_LOST_NESTED);
	uint64_t lost_table = stack_table__lost(s->stacks, STACKS_LOST_TABLE_FULL);
	bool balanced = st->fired == st->written + st->lost_ring_full +
				     st->lost_nested + st->filtered + st->counted;

	snprintf(comment, len,
		 "ksampler: fired %" PRIu64 " = written %" PRIu64 " + lost (ring full %" PRIu64
		 ", nested %" PRIu64 ") + filtered %" PRIu64 "%s",
		 (uint64_t)st->fired, (uint64_t)st->written,
		 (uint64_t)st->lost_ring_full, (uint64_t)st->lost_nested,
		 (uint64_t)st->filtered, balanced ? "" : " (does not balance!)");
	fprintf(stderr, "profctl: %.1f s, %" PRIu64 " samples written, lost: ring full %" PRIu64
		", nested %" PRIu64 ", stack table full %" PRIu64 "\n",
		duration / 1e9, (uint64_t)st->written, lost_full, lost_nested,
		lost_table);
	fprintf(stderr, "profctl: accounting: %s\n", comment + strlen("ksampler: "));
	if (st->cpus_failed)
		fprintf(stderr, "profctl: warning: %" PRIu32 " of %" PRIu32
			" online CPUs were not sampled at the end (the event could not be created when the CPU came online, or the PMU took its counter away): their samples are missing\n",
			st->cpus_failed, st->cpus_failed + st->cpus_sampling);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "profctl: %zu unique stacks (%.1f MiB), peak RSS %.1f MiB, CPU %.2f s before writing%s\n",
		stack_table__unique(s->stacks),
		stack_table__memory(s->stacks) / 1048576.0, ru.ru_maxrss / 1024.0,
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
		s->bad_records ? ", some malformed records were skipped" : "");
	if (!(s->version.features & KSAMPLER_FEAT_STACK_SWITCH))
		fprintf(stderr, "profctl: warning: the loaded module (ABI %u.%u) stops its walks at Go's stack switches (vdso calls, systemstack, cgo): load this release's module for whole stacks\n",
			s->version.abi_major, s->version.abi_minor);
	else if (st->written)
		fprintf(stderr, "profctl: unwind: %" PRIu64 " of %" PRIu64
			" walks crossed a stack switch; stopped in the module: truncated %" PRIu64
			", unreadable frame %" PRIu64 ", bad frame pointer %" PRIu64
			", loop %" PRIu64 ", too many stack switches %" PRIu64 "\n",
			(uint64_t)st->stack_switched, (uint64_t)st->written,
			(uint64_t)st->truncated, (uint64_t)st->unwind_fault,
			(uint64_t)st->unwind_bad_frame, (uint64_t)st->unwind_loop,
			(uint64_t)st->unwind_switch_limit);
	if (lf->go_leaves || lf->native_leaves)
		fprintf(stderr, "profctl: Go leaf fix-up: %" PRIu64 " of %" PRIu64
			" samples in Go code had their frameless leaf's caller restored, and %" PRIu64
			" of %" PRIu64 " at the entry or return of other code (vdso, C); %" PRIu64 " could not be\n",
			lf->repaired, lf->go_leaves, lf->native_repaired,
			lf->native_leaves, lf->unrepairable);
	symbolizer__stats(s->sym, &ss);
	fprintf(stderr, "profctl: symbolizer: %zu processes known, %" PRIu64
		" exited and rendered; %zu files known, %zu read (%.1f MiB), %" PRIu64
		" let go by the cache\n",
		ss.processes, s->retired, ss.files, ss.files_read,
		ss.file_bytes / 1048576.0, ss.evicted);
	symbolizer__for_each_problem(s->sym, session_report_problem, NULL);
}

/*
 * How whole the written stacks are: the share that reaches its thread's
 * root, and the rest by the reason the walk stopped, as the profile's
 * synthetic root frames name them.
 */
void session_stacks_summary(const struct render_stats *rs)
{
	uint64_t stopped = 0;
	unsigned int r;

	if (!rs->samples)
		return;
	for (r = 1; r < SAMPLE_STOP_MAX; r++)
		stopped += rs->stopped[r];
	fprintf(stderr, "profctl: stacks: %" PRIu64 " of %" PRIu64
		" samples (%.1f%%) reach their thread's root; %" PRIu64
		" (%.1f%%) stopped early",
		rs->roots, rs->samples, 100.0 * rs->roots / rs->samples, stopped,
		100.0 * stopped / rs->samples);
	for (r = 1; r < SAMPLE_STOP_MAX; r++)
		if (rs->stopped[r])
			fprintf(stderr, ", %s %" PRIu64, sample_stop_name(r),
				rs->stopped[r]);
	fputc('\n', stderr);
}
