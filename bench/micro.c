// SPDX-License-Identifier: GPL-2.0-only
/*
 * micro [--quick] - native microbenchmarks, on the host, of the pieces a
 * sample passes through: no guest, no module, no emulated interrupts, so
 * the figures are the code's own cost on real hardware. Prints one line
 * per measurement (the report's parser greps them):
 *
 *   result exp=micro what=unwind frames=F window=W ns_per_sample=X min=X max=X
 *   result exp=micro what=ring_write bytes=B ns_per_record=X min=X max=X
 *   result exp=micro what=aggregate unique=N samples_per_s=X bytes=B \
 *          min=X max=X
 *   result exp=micro what=pprof unique=N ms=X bytes=B min=X max=X
 *
 * Each figure is the median of 7 repetitions (3 with --quick; 5 for the
 * 1e6 stack tables, whose repetitions take seconds), after a warm-up, with
 * the extremes beside it: min and max are of the figure itself, so for
 * samples_per_s min is the slowest repetition. --quick also stops at 1e4
 * stacks, to finish in about a second.
 *
 * unwind: the module's frame-pointer walk (kmod/unwind_core.h, the source
 * the kernel compiles), primed at SP and walked from BP as ks_unwind_user()
 * does, over a synthetic stack whose reader is a bounds check and a
 * memcpy. copy_from_user_nofault() is not in it: what is left is the walk
 * and the window logic, so whatever the guest's handler spends per frame
 * beyond this goes to the fault-safe copies. Window 16 is one read per
 * frame, 256 the module's default chunk.
 *
 * ring_write: reserve, write and commit of a 32-frame SAMPLE record, the
 * steps of kmod/ring.c over kmod/ring_core.h, into a ring of the module's
 * default size; profctl's own reader (ring_drain_one) drains it, untimed,
 * each time the writer crosses the wake-up watermark, as poll() would, so
 * the ring never fills. The reader runs on the writer's CPU, so the
 * record lines are warm in its cache: on a real system they come from the
 * reader's CPU, and cost a cache-to-cache transfer each.
 *
 * aggregate: stack_table__add() of samples drawn from N distinct 32-frame
 * stacks (every stack at least 4 times, in an order that scatters them
 * over the table), into a fresh table per repetition; throughput, and the
 * table's memory as it accounts it. The stacks are generated on the fly
 * from their number, not stored, so that 1e6 stacks cost only the table's
 * memory; generating one is about a store per frame, a seventh of the
 * figure at small N, where the table is in cache, and a twentieth at 1e6.
 *
 * pprof: render_table() of each of those tables into a memfd (a tmpfs
 * file: no disk writes in the timing, and its size is the profile's):
 * building the profile, encoding it and gzipping it. The symbolizer has no
 * processes, so every frame stays an address; symbolization is measured
 * on its own (bench/symbolize-host.sh) and caches one result per
 * address, which this leaves out.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#include "../kmod/ring_core.h"
#include "kshim.h"
#include "../kmod/unwind_core.h"
#include "render.h"
#include "ring.h"
#include "sample.h"
#include "stacks.h"
#include "symbolize.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define FULL_REPS		7
#define QUICK_REPS		3
/*
 * From this many stacks on, one repetition takes seconds (render_table
 * some 5 at 1e6): fewer of them, and no warm-up of their own, as the
 * smaller sizes before have warmed the code, and a cold repetition among
 * 5 moves the median by one rank at most. It keeps the full run within a
 * minute.
 */
#define LONG_REP_UNIQUE		1000000
#define LONG_REPS		5

struct bench_opts {
	int reps;
	uint64_t loop_rep_ns;		/* one repetition of a timed loop */
	uint64_t aggregate_min_samples;	/* per repetition, for small N */
	const uint64_t *unique_sizes;	/* N for aggregate and pprof */
	size_t nr_unique_sizes;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Tells the compiler that @p is read and any memory may have changed, so
 * work whose results land there is neither dropped nor hoisted out of a
 * timing loop.
 */
static inline void keep_memory(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void die(const char *what, int err)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(err));
	exit(1);
}

struct summary {
	double median, min, max;
};

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @values in place. */
static struct summary summarize(double *values, int n)
{
	struct summary s;

	qsort(values, (size_t)n, sizeof(values[0]), compare_doubles);
	s.min = values[0];
	s.max = values[n - 1];
	s.median = n % 2 ? values[n / 2] :
		   (values[n / 2 - 1] + values[n / 2]) / 2;
	return s;
}

/*
 * A loop timed in rounds. @run does @rounds rounds of @ops_per_round
 * operations each and returns the nanoseconds that count (it may leave
 * set-up and draining out of them).
 */
struct timed_loop {
	uint64_t (*run)(void *ctx, uint64_t rounds);
	void *ctx;
	uint64_t ops_per_round;
};

/*
 * Nanoseconds per operation. The warm-up doubles the rounds until a run
 * takes an eighth of a repetition, which gives the rate that sizes the
 * repetitions, then runs one of them untimed: caches, branch predictors
 * and the clock frequency have settled before the first that counts.
 */
static struct summary time_loop(const struct timed_loop *loop,
				const struct bench_opts *opts)
{
	double per_op[FULL_REPS];
	uint64_t rounds = 1, ns;
	double ops;
	int rep;

	while ((ns = loop->run(loop->ctx, rounds)) < opts->loop_rep_ns / 8)
		rounds *= 2;
	rounds = rounds * opts->loop_rep_ns / ns + 1;
	loop->run(loop->ctx, rounds);
	ops = (double)(rounds * loop->ops_per_round);
	for (rep = 0; rep < opts->reps; rep++)
		per_op[rep] = (double)loop->run(loop->ctx, rounds) / ops;
	return summarize(per_op, opts->reps);
}

/* ---- unwind ---------------------------------------------------------- */

/*
 * The target's stack mapping. Global because the reader's signature has no
 * context argument: in the module it reads current's memory.
 */
#define TARGET_STACK_BYTES	(64 * 1024)

static _Alignas(16) uint64_t target_stack[TARGET_STACK_BYTES / 8];

/* The module's reader with memcpy for copy_from_user_nofault(). */
static int memcpy_read(void *dst, __u64 addr, __u32 len)
{
	uint64_t lo = (uintptr_t)target_stack, hi = lo + sizeof(target_stack);

	if (addr < lo || addr > hi || len > hi - addr)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

/*
 * Distances between successive frames, cycled: a mix of small and large
 * frames (mean 98 bytes), so a 256-byte window serves a varying two to
 * five of them rather than one fixed count.
 */
static const unsigned int frame_gaps[] = { 48, 96, 32, 144, 64, 208, 80, 112 };

/* Room above the outermost frame: argv, environment, auxv in a process. */
#define ABOVE_OUTERMOST		1024
/* The leaf's own locals, between SP and the innermost frame. */
#define LEAF_LOCALS		40

struct unwind_bench {
	unsigned int frames;
	unsigned int window;		/* a variable, like the parameter */
	uint64_t sp, bp;
	uint64_t frames_walked;		/* the result the loop must not drop */
};

/* Lays out @b->frames frames in target_stack, outermost near the top. */
static void build_target_stack(struct unwind_bench *b)
{
	uint64_t base = (uintptr_t)target_stack;
	uint64_t caller = 0, fp = base + sizeof(target_stack) - ABOVE_OUTERMOST;
	unsigned int i;

	memset(target_stack, 0, sizeof(target_stack));
	for (i = 0; i < b->frames; i++) {
		if (i)
			fp = caller - frame_gaps[i % ARRAY_SIZE(frame_gaps)];
		if (fp - LEAF_LOCALS < base)
			die("synthetic stack", E2BIG);
		target_stack[(fp - base) / 8] = caller;
		target_stack[(fp - base) / 8 + 1] = 0x401000 + 0x40 * i;
		caller = fp;
	}
	b->bp = fp;
	b->sp = fp - LEAF_LOCALS;
}

static uint64_t unwind_run(void *ctx, uint64_t rounds)
{
	struct unwind_bench *b = ctx;
	struct ks_unwind_window window = { 0 };
	__u64 ips[KSAMPLER_MAX_FRAMES], sp_word;
	uint64_t start = now_ns(), i;
	__u32 nr, why;

	for (i = 0; i < rounds; i++) {
		/* the module's sequence: the word at SP, then the walk */
		if (memcpy_read(&sp_word, b->sp, sizeof(sp_word)))
			die("unwind: SP unreadable", EFAULT);
		keep_memory(&sp_word);
		window.chunk = b->window;
		window.user_end = 0x800000000000ULL;	/* the module's TASK_SIZE_MAX */
		window.len = 0;
		/* room for the module's deepest walk: nothing truncates */
		why = ks_unwind_fp(&window, memcpy_read, b->sp, b->bp, ips,
				   KSAMPLER_MAX_FRAMES - 1, &nr);
		if (why)
			die("unwind: walk stopped early", EINVAL);
		keep_memory(ips);
		b->frames_walked += nr;
	}
	return now_ns() - start;
}

static void bench_unwind(const struct bench_opts *opts)
{
	static const unsigned int depths[] = { 8, 32, 128 };
	static const unsigned int windows[] = { 16, KS_UNWIND_WINDOW };
	struct unwind_bench b;
	struct timed_loop loop = { unwind_run, &b, 1 };
	struct summary s;
	size_t d, w;

	for (d = 0; d < ARRAY_SIZE(depths); d++) {
		for (w = 0; w < ARRAY_SIZE(windows); w++) {
			memset(&b, 0, sizeof(b));
			b.frames = depths[d];
			b.window = windows[w];
			build_target_stack(&b);
			s = time_loop(&loop, opts);
			if (b.frames_walked % b.frames)
				die("unwind: wrong depth", EINVAL);
			printf("result exp=micro what=unwind frames=%u window=%u ns_per_sample=%.1f min=%.1f max=%.1f\n",
			       b.frames, b.window, s.median, s.min, s.max);
			fflush(stdout);
		}
	}
}

/* ---- ring write ------------------------------------------------------ */

#define RING_PAGES		64	/* the module's ring_pages default */
#define RING_PAGE_SIZE		4096
#define RECORD_FRAMES		32
#define RECORD_BYTES		(KSAMPLER_SAMPLE_FIXED_SIZE + RECORD_FRAMES * 8)
/* The handler reserves for max_frames, then commits what the walk found. */
#define RECORD_RESERVE		(KSAMPLER_SAMPLE_FIXED_SIZE + \
				 KSAMPLER_DEFAULT_MAX_FRAMES * 8)

/* One CPU's ring and its writer's state, as struct ks_ring keeps them. */
struct bench_ring {
	struct ksampler_ring_ctrl *ctrl;
	uint8_t *data;
	uint64_t size;
	uint64_t head;
	uint64_t tail_seen;
	uint64_t fill_seen;
	uint64_t wakeup_bytes;
	uint64_t wakeups;		/* irq_work_queue() calls, counted */
};

/* ks_ring_reserve() */
static void *bench_ring_reserve(struct bench_ring *r, uint32_t len_max)
{
	struct ksampler_record_header *pad;
	uint32_t pad_len;

	r->tail_seen = ks_ring_clamp_tail(r->head,
					  __atomic_load_n(&r->ctrl->data_tail,
							  __ATOMIC_RELAXED),
					  r->size);
	r->fill_seen = r->head - r->tail_seen;
	if (!ks_ring_place(r->head, r->tail_seen, r->size, len_max, &pad_len))
		return NULL;
	if (pad_len) {
		pad = (void *)(r->data + (r->head & (r->size - 1)));
		pad->size = pad_len;
		pad->type = KSAMPLER_RECORD_PAD;
		pad->flags = 0;
		r->head += pad_len;
	}
	return r->data + (r->head & (r->size - 1));
}

/* ks_ring_commit(); on x86 smp_wmb() is a compiler barrier, as release is. */
static void bench_ring_commit(struct bench_ring *r, uint32_t len)
{
	r->head += len;
	__atomic_store_n(&r->ctrl->data_head, r->head, __ATOMIC_RELEASE);
	if (ks_ring_wakeup_due(r->fill_seen, r->head - r->tail_seen,
			       r->wakeup_bytes))
		r->wakeups++;
}

struct ring_bench {
	struct bench_ring ring;
	uint64_t records_per_batch;	/* enough to cross the watermark */
	uint64_t ips[RECORD_FRAMES];
	uint64_t seq;
	uint64_t records_read;
};

/* ks_sample()'s stores, with the walk's frames copied in. */
static void ring_write_sample(struct ring_bench *b)
{
	static const char comm[16] = "worker";
	struct ksampler_sample *rec;

	rec = bench_ring_reserve(&b->ring, RECORD_RESERVE);
	if (!rec)
		die("ring_write: ring full", ENOSPC);
	rec->header.type = KSAMPLER_RECORD_SAMPLE;
	rec->header.flags = KSAMPLER_SAMPLE_SP_WORD;
	rec->time_ns = b->seq++;
	rec->pid = 4242;
	rec->tid = 4243;
	rec->cpu = 0;
	rec->exec_gen = 1;
	memcpy(rec->comm, comm, sizeof(rec->comm));
	rec->user_ip = b->ips[0];
	rec->user_sp = 0x7ffd0000f000;
	rec->user_bp = 0x7ffd0000f040;
	rec->sp_word = 0x401234;
	rec->nr_frames = RECORD_FRAMES;
	memcpy(rec->ips, b->ips, sizeof(b->ips));
	rec->header.size = RECORD_BYTES;
	bench_ring_commit(&b->ring, RECORD_BYTES);
}

static int ring_check_record(const struct ksampler_record_header *rec,
			     unsigned int cpu, void *ctx)
{
	struct ring_bench *b = ctx;
	struct sample s;

	(void)cpu;
	if (sample_decode(rec, &s) || s.nr_frames != RECORD_FRAMES ||
	    s.time_ns != b->records_read)
		return -EBADMSG;
	b->records_read++;
	return 0;
}

static uint64_t ring_run(void *ctx, uint64_t rounds)
{
	struct ring_bench *b = ctx;
	uint64_t ns = 0, start, i, round;
	long drained;

	for (round = 0; round < rounds; round++) {
		start = now_ns();
		for (i = 0; i < b->records_per_batch; i++)
			ring_write_sample(b);
		ns += now_ns() - start;
		drained = ring_drain_one(b->ring.ctrl, b->ring.data,
					 b->ring.size, 0, ring_check_record, b);
		if (drained < 0)
			die("ring_write: reader", (int)-drained);
		if (drained != (long)b->records_per_batch)
			die("ring_write: reader", EBADMSG);
	}
	return ns;
}

static void bench_ring_write(const struct bench_opts *opts)
{
	struct ring_bench b = { 0 };
	struct timed_loop loop = { ring_run, &b, 0 };
	struct summary s;
	unsigned int i;

	b.ring.size = RING_PAGES * RING_PAGE_SIZE;
	b.ring.ctrl = aligned_alloc(RING_PAGE_SIZE, RING_PAGE_SIZE);
	b.ring.data = aligned_alloc(RING_PAGE_SIZE, b.ring.size);
	if (!b.ring.ctrl || !b.ring.data)
		die("ring_write", ENOMEM);
	memset(b.ring.ctrl, 0, RING_PAGE_SIZE);
	memset(b.ring.data, 0, b.ring.size);
	b.ring.ctrl->data_size = b.ring.size;
	/* the default watermark: half the ring */
	b.ring.wakeup_bytes = b.ring.size / 2;
	b.records_per_batch = b.ring.wakeup_bytes / RECORD_BYTES + 1;
	loop.ops_per_round = b.records_per_batch;
	for (i = 0; i < RECORD_FRAMES; i++)
		b.ips[i] = 0x401000 + 0x1000 * i + 0x40;

	s = time_loop(&loop, opts);
	if (b.records_read != b.seq)
		die("ring_write: records went missing", EINVAL);
	printf("result exp=micro what=ring_write bytes=%d ns_per_record=%.1f min=%.1f max=%.1f\n",
	       RECORD_BYTES, s.median, s.min, s.max);
	fflush(stdout);
	free(b.ring.data);
	free(b.ring.ctrl);
}

/* ---- aggregate and pprof --------------------------------------------- */

struct rep_plan {
	int warmups, reps;
};

static struct rep_plan plan_reps(const struct bench_opts *opts,
				 uint32_t unique)
{
	struct rep_plan plan = { 1, opts->reps };

	if (unique >= LONG_REP_UNIQUE && opts->reps > LONG_REPS) {
		plan.warmups = 0;
		plan.reps = LONG_REPS;
	}
	return plan;
}

/*
 * The synthetic program behind the stacks: depth d (0 the leaf) runs one
 * of a few functions per depth, each called from a few sites. The four
 * innermost frames spell the stack's number in base 64, which makes every
 * stack distinct (up to 64^4); the next 20 take 3 bits each of its hash,
 * and the 8 outermost are shared (main, the runtime). 424 distinct
 * addresses in all, whatever N: only their combinations grow with N. The
 * samples come from 8 threads, one per stack (the table keys on the tid).
 */
#define STACK_FRAMES		32
#define SPELLING_FRAMES		4
#define SHARED_ROOT_FRAMES	8
#define TEXT_BASE		0x401000ULL
#define DEPTH_STRIDE		0x1000	/* code of the functions at one depth */
#define SITE_STRIDE		0x40	/* between call sites */
#define THREADS			8

_Static_assert(SPELLING_FRAMES * 6 <= 32, "stack numbers are 32-bit");
_Static_assert((STACK_FRAMES - SPELLING_FRAMES - SHARED_ROOT_FRAMES) * 3 <= 64,
	       "one hash gives the middle frames' bits");

static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __u64 frame_address(unsigned int depth, uint64_t site)
{
	return TEXT_BASE + depth * DEPTH_STRIDE + site * SITE_STRIDE;
}

/* One loop per kind of frame: branch-free, a few ns per stack. */
static void synthetic_stack(uint32_t id, __u64 ips[STACK_FRAMES])
{
	uint64_t bits = mix64(id);
	unsigned int d, k;

	for (d = 0; d < SPELLING_FRAMES; d++)
		ips[d] = frame_address(d, (id >> (6 * d)) & 63);
	for (k = 0; d < STACK_FRAMES - SHARED_ROOT_FRAMES; d++, k++)
		ips[d] = frame_address(d, (bits >> (3 * k)) & 7);
	for (; d < STACK_FRAMES; d++)
		ips[d] = frame_address(d, 0);
}

/*
 * Adds @samples samples to @t: stack numbers step through 0..N-1 by a
 * stride prime to N, so each pass of N samples names every stack once, in
 * an order unrelated to both the table's layout and insertion order.
 */
static void add_samples(struct stack_table *t, uint32_t unique,
			uint64_t samples)
{
	const uint32_t step = (uint32_t)(2654435761ULL % unique);
	__u64 ips[STACK_FRAMES];
	uint64_t i;
	struct sample s = {
		.pid = 4242,
		.cpu = 0,
		.nr_frames = STACK_FRAMES,
		.exec_gen = 1,
		.comm = "worker",
		.ips = ips,
	};
	uint32_t id = 0;

	for (i = 0; i < samples; i++) {
		synthetic_stack(id, ips);
		s.tid = s.pid + id % THREADS;
		s.user_ip = ips[0];
		if (stack_table__add(t, &s))
			die("stack_table__add", ENOMEM);
		id += step;
		if (id >= unique)
			id -= unique;
	}
}

/* Large enough for 1e6 stacks of 32 frames (about 600 MB as it grows). */
#define TABLE_MAX_BYTES		(2ULL << 30)

/*
 * Aggregate timing: a fresh table per repetition, as a session starts
 * with. Returns the last repetition's table, for the pprof timing.
 */
static struct stack_table *bench_aggregate(const struct bench_opts *opts,
					   uint32_t unique)
{
	const struct rep_plan plan = plan_reps(opts, unique);
	uint64_t passes = (opts->aggregate_min_samples + unique - 1) / unique;
	uint64_t samples, start, ns;
	double per_s[FULL_REPS];
	struct stack_table *t = NULL;
	struct summary s;
	size_t bytes = 0;
	int rep;

	if (passes < 4)
		passes = 4;
	samples = passes * unique;
	/* warm-ups (negative reps) fault in malloc's arenas, load the code */
	for (rep = -plan.warmups; rep < plan.reps; rep++) {
		stack_table__free(t);
		t = stack_table__new(TABLE_MAX_BYTES);
		if (!t)
			die("stack_table__new", errno);
		start = now_ns();
		add_samples(t, unique, samples);
		ns = now_ns() - start;
		if (stack_table__unique(t) != unique ||
		    stack_table__samples(t) != samples)
			die("aggregate: wrong counts", EINVAL);
		bytes = stack_table__memory(t);
		if (rep >= 0)
			per_s[rep] = (double)samples * 1e9 / (double)ns;
	}
	s = summarize(per_s, plan.reps);
	printf("result exp=micro what=aggregate unique=%u samples_per_s=%.0f bytes=%zu min=%.0f max=%.0f\n",
	       unique, s.median, bytes, s.min, s.max);
	fflush(stdout);
	return t;
}

static void bench_pprof(const struct bench_opts *opts,
			const struct stack_table *t, struct symbolizer *sym)
{
	const struct render_params params = {
		.frequency = 99,
		.start_wall_ns = 1700000000000000000LL,
		.duration_ns = 60000000000LL,
		.comment = "micro: synthetic stacks, unsymbolized",
	};
	const size_t unique = stack_table__unique(t);
	const struct rep_plan plan = plan_reps(opts, (uint32_t)unique);
	double ms[FULL_REPS];
	uint64_t start, ns;
	struct summary s;
	off_t bytes = 0;
	int fd, rep, err;

	fd = memfd_create("micro-pprof", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create", errno);
	for (rep = -plan.warmups; rep < plan.reps; rep++) {
		if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
			die("pprof: rewinding the output", errno);
		start = now_ns();
		err = render_table(RENDER_PPROF, t, sym, &params, fd);
		ns = now_ns() - start;
		if (err)
			die("render_table", -err);
		bytes = lseek(fd, 0, SEEK_CUR);
		if (rep >= 0)
			ms[rep] = (double)ns / 1e6;
	}
	close(fd);
	s = summarize(ms, plan.reps);
	printf("result exp=micro what=pprof unique=%zu ms=%.2f bytes=%lld min=%.2f max=%.2f\n",
	       unique, s.median, (long long)bytes, s.min, s.max);
	fflush(stdout);
}

static void bench_profiles(const struct bench_opts *opts)
{
	struct stack_table *t;
	struct symbolizer *sym;
	size_t i;

	/* no processes added: every frame resolves to no mapping, at once */
	sym = symbolizer__new("/proc", 0);
	if (!sym)
		die("symbolizer__new", errno);
	for (i = 0; i < opts->nr_unique_sizes; i++) {
		t = bench_aggregate(opts, (uint32_t)opts->unique_sizes[i]);
		bench_pprof(opts, t, sym);
		stack_table__free(t);
	}
	symbolizer__free(sym);
}

int main(int argc, char **argv)
{
	static const uint64_t full_sizes[] = { 1000, 10000, 100000, 1000000 };
	static const uint64_t quick_sizes[] = { 1000, 10000 };
	struct bench_opts opts = {
		.reps = FULL_REPS,
		.loop_rep_ns = 30000000,
		.aggregate_min_samples = 2000000,
		.unique_sizes = full_sizes,
		.nr_unique_sizes = ARRAY_SIZE(full_sizes),
	};

	if (argc == 2 && !strcmp(argv[1], "--quick")) {
		opts.reps = QUICK_REPS;
		opts.loop_rep_ns = 10000000;
		opts.aggregate_min_samples = 200000;
		opts.unique_sizes = quick_sizes;
		opts.nr_unique_sizes = ARRAY_SIZE(quick_sizes);
	} else if (argc != 1) {
		fprintf(stderr, "usage: micro [--quick]\n");
		return 2;
	}
	bench_unwind(&opts);
	bench_ring_write(&opts);
	bench_profiles(&opts);
	return 0;
}
