// SPDX-License-Identifier: GPL-2.0-only
/*
 * render: losses become samples (totals match what was fired), labels and
 * period are right, and folded stacks read root first. No process is added
 * to the symbolizer, so every frame stays an address.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "fake_proc_test.h"
#include "objfile.h"
#include "profile.pb-c.h"
#include "render.h"

static struct stack_table *table(void)
{
	static uint64_t buf[32];
	struct ksampler_sample *r = (void *)buf;
	struct stack_table *t = stack_table__new(1 << 20);
	struct sample s;
	int i;

	memset(buf, 0, sizeof(buf));
	r->header.type = KSAMPLER_RECORD_SAMPLE;
	r->header.size = KSAMPLER_SAMPLE_FIXED_SIZE + 3 * 8;
	r->pid = 4242;
	r->tid = 4243;
	r->nr_frames = 3;
	memcpy(r->comm, "worker", 6);
	r->ips[0] = 0x401000;		/* leaf */
	r->ips[1] = 0x402001;		/* return addresses */
	r->ips[2] = 0x403001;
	for (i = 0; i < 7; i++) {
		sample_decode(&r->header, &s);
		stack_table__add(t, &s);
	}
	stack_table__add_lost(t, KSAMPLER_LOST_RING_FULL, 3);
	stack_table__add_lost(t, KSAMPLER_LOST_NESTED, 1);
	return t;
}

static Perftools__Profiles__Profile *decode(const char *path)
{
	static unsigned char buf[1 << 20];
	gzFile gz = gzopen(path, "rb");
	int n = gzread(gz, buf, sizeof(buf));

	gzclose(gz);
	return perftools__profiles__profile__unpack(NULL, n, buf);
}

/* Image @gen of process @pid, start time unknown. */
#define WHO(p, g) (&(struct sym_who){ .pid = (p), .gen = (g) })

/* The folded stacks of @t, as a string to free. */
static char *collapsed(const struct stack_table *t, struct symbolizer *sym,
		       const struct render_params *rp)
{
	int fd = memfd_create("collapsed", 0);
	char *text = calloc(1, 1 << 16);
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(render_table(RENDER_COLLAPSED, t, sym, rp, fd), 0);
	n = pread(fd, text, (1 << 16) - 1, 0);
	assert_true(n > 0);
	close(fd);
	return text;
}

/* Renders @t as pprof and decodes it back. */
static Perftools__Profiles__Profile *render_decoded(const struct stack_table *t,
						   struct symbolizer *sym,
						   const struct render_params *rp)
{
	char path[] = "/tmp/render_test.XXXXXX";
	Perftools__Profiles__Profile *p;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(render_table(RENDER_PPROF, t, sym, rp, fd), 0);
	close(fd);
	p = decode(path);
	unlink(path);
	assert_non_null(p);
	return p;
}

static const char *fn_of(const Perftools__Profiles__Profile *p, uint64_t loc)
{
	const Perftools__Profiles__Location *l = p->location[loc - 1];

	if (!l->n_line)
		return NULL;
	return p->string_table[p->function[l->line[0]->function_id - 1]->name];
}

static void test_pprof_losses_are_samples(void **state)
{
	struct stack_table *t = table();
	struct symbolizer *sym = symbolizer__new("/proc", 0);
	struct render_params rp = { .frequency = 100, .comment = "acct" };
	Perftools__Profiles__Profile *p;
	int64_t total = 0, lost_full = 0, lost_nested = 0;
	size_t i;

	(void)state;
	p = render_decoded(t, sym, &rp);
	assert_int_equal(p->period, 10000000);	/* 1e9 / 100 Hz */
	for (i = 0; i < p->n_sample; i++) {
		const char *leaf = fn_of(p, p->sample[i]->location_id[0]);

		total += p->sample[i]->value[0];
		if (leaf && !strcmp(leaf, "[lost: ring full]"))
			lost_full += p->sample[i]->value[0];
		if (leaf && !strcmp(leaf, "[lost: nested interrupt]"))
			lost_nested += p->sample[i]->value[0];
	}
	assert_int_equal(total, 7 + 3 + 1);	/* written + lost: all fired */
	assert_int_equal(lost_full, 3);
	assert_int_equal(lost_nested, 1);
	/* the real stack: leaf as is, return addresses moved into the call */
	assert_int_equal(p->location[0]->address, 0x401000);
	assert_int_equal(p->location[1]->address, 0x402000);
	assert_string_equal(p->string_table[p->comment[0]], "acct");
	perftools__profiles__profile__free_unpacked(p, NULL);

	/* a per-process profile carries no losses: they have no process */
	rp.pid = 4242;
	p = render_decoded(t, sym, &rp);
	assert_int_equal(p->n_sample, 1);
	assert_int_equal(p->sample[0]->value[0], 7);
	perftools__profiles__profile__free_unpacked(p, NULL);
	symbolizer__free(sym);
	stack_table__free(t);
}

static void test_collapsed_root_first(void **state)
{
	struct stack_table *t = table();
	struct symbolizer *sym = symbolizer__new("/proc", 0);
	struct render_params rp = { .frequency = 100 };
	char *text;

	(void)state;
	text = collapsed(t, sym, &rp);
	assert_non_null(strstr(text, "worker;0x403000;0x402000;0x401000 7\n"));
	assert_non_null(strstr(text, "[lost: ring full] 3\n"));
	assert_non_null(strstr(text, "[lost: nested interrupt] 1\n"));
	free(text);
	symbolizer__free(sym);
	stack_table__free(t);
}

/* Adds to @t one stack of @pid, @n frames from @ips, @count times. */
static void add_stack_of(struct stack_table *t, int pid, const uint64_t *ips,
			 int n, uint16_t flags, int count)
{
	static uint64_t buf[8 + KSAMPLER_MAX_FRAMES];
	struct ksampler_sample *r = (void *)buf;
	struct sample s;

	memset(buf, 0, sizeof(buf));
	r->header.type = KSAMPLER_RECORD_SAMPLE;
	r->header.size = KSAMPLER_SAMPLE_FIXED_SIZE + n * 8;
	r->header.flags = flags;
	r->pid = (uint32_t)pid;
	r->tid = r->pid;
	r->nr_frames = (uint16_t)n;
	memcpy(r->comm, "walker", 6);
	memcpy(r->ips, ips, n * sizeof(*ips));
	while (count--) {
		assert_int_equal(sample_decode(&r->header, &s), 0);
		assert_int_equal(stack_table__add(t, &s), 0);
	}
}

/* The same, of this process. */
static void add_stack(struct stack_table *t, const uint64_t *ips, int n,
		      uint16_t flags, int count)
{
	add_stack_of(t, getpid(), ips, n, flags, count);
}

/* Every sample's outermost frame's function, counted by name. */
static int64_t count_roots(const Perftools__Profiles__Profile *p,
			   const char *name)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		const char *fn = fn_of(p, s->location_id[s->n_location_id - 1]);

		if (fn && !strcmp(fn, name))
			n += s->value[0];
	}
	return n;
}

static size_t max_depth(const Perftools__Profiles__Profile *p)
{
	size_t i, d = 0;

	for (i = 0; i < p->n_sample; i++)
		if (p->sample[i]->n_location_id > d)
			d = p->sample[i]->n_location_id;
	return d;
}

extern void _start(void);
int main(void);

/*
 * This process as the target: its own code resolves. A walk the module
 * stopped gets a root frame saying why; a stack that reaches _start ends
 * there whatever follows (a stale frame pointer); a return address in no
 * code mapping ends the stack before it. The counts say the same.
 */
static void test_stopped_walks_say_why(void **state)
{
	uint64_t leaf = (uint64_t)(uintptr_t)&add_stack;
	uint64_t ret = (uint64_t)(uintptr_t)&count_roots + 8;
	uint64_t start = (uint64_t)(uintptr_t)&_start + 4;
	const uint64_t truncated[] = { leaf, ret, ret };
	const uint64_t looped[] = { leaf, ret };
	const uint64_t rooted[] = { leaf, ret, start, ret, ret };
	const uint64_t astray[] = { leaf, ret, 0x1234, ret };
	/* C's main, called by libc's start code, then no frame at all */
	const uint64_t from_main[] = { leaf, (uint64_t)(uintptr_t)&main + 8,
				       (uint64_t)(uintptr_t)&getpid + 4, 0x5a5a5a5a5a50 };
	struct stack_table *t = stack_table__new(1 << 20);
	struct symbolizer *sym = symbolizer__new("/proc", 0);
	struct render_stats st = { 0 };
	struct render_params rp = { .frequency = 100, .stats = &st };
	Perftools__Profiles__Profile *p;
	char *text, self[PATH_MAX];
	struct objfile *obj;

	(void)state;
	assert_int_equal(symbolizer__add_pid(sym, getpid()), 0);
	add_stack(t, truncated, 3, KSAMPLER_SAMPLE_TRUNCATED, 5);
	add_stack(t, looped, 2, KSAMPLER_SAMPLE_LOOP | KSAMPLER_SAMPLE_SWITCHED, 4);
	add_stack(t, rooted, 5, KSAMPLER_SAMPLE_BAD_FRAME, 3);
	add_stack(t, astray, 4, 0, 2);
	add_stack(t, from_main, 4, KSAMPLER_SAMPLE_BAD_FRAME, 6);
	p = render_decoded(t, sym, &rp);
	/* mapping 1 is the main binary, whatever the walk met first */
	assert_true(p->n_mapping > 1);
	assert_non_null(realpath("/proc/self/exe", self));
	assert_string_equal(p->string_table[p->mapping[0]->filename], self);
	/* with its GNU build id: 20 bytes, 40 hex digits */
	obj = objfile__open_fd(open(self, O_RDONLY));
	assert_non_null(obj);
	assert_non_null(objfile__build_id(obj));
	assert_int_equal(strlen(objfile__build_id(obj)), 40);
	assert_string_equal(p->string_table[p->mapping[0]->build_id],
			    objfile__build_id(obj));
	objfile__close(obj);
	assert_int_equal(count_roots(p, "[truncated]"), 5);
	assert_int_equal(count_roots(p, "[unwind stopped: loop]"), 4);
	assert_int_equal(count_roots(p, "_start"), 3);
	assert_int_equal(count_roots(p, "[unwind stopped: return address outside code]"), 2);
	assert_int_equal(count_roots(p, "getpid"), 6);
	/* truncated: 3 frames + its root; _start's stack cut after it */
	assert_int_equal(max_depth(p), 4);
	perftools__profiles__profile__free_unpacked(p, NULL);
	assert_int_equal(st.samples, 20);
	assert_int_equal(st.roots, 3 + 6);
	assert_int_equal(st.stopped[SAMPLE_STOP_TRUNCATED], 5);
	assert_int_equal(st.stopped[SAMPLE_STOP_LOOP], 4);
	assert_int_equal(st.stopped[SAMPLE_STOP_NOT_CODE], 2);
	assert_int_equal(st.stopped[SAMPLE_STOP_BAD_FRAME], 0);

	/* folded stacks say the same, root first */
	text = collapsed(t, sym, &rp);
	assert_non_null(strstr(text, "walker;[truncated];"));
	assert_non_null(strstr(text, "walker;[unwind stopped: loop];"));
	assert_non_null(strstr(text, "walker;_start;count_roots;add_stack 3\n"));
	assert_non_null(strstr(text, "walker;[unwind stopped: return address outside code];count_roots;add_stack 2\n"));
	free(text);
	symbolizer__free(sym);
	stack_table__free(t);
}

static int64_t label_num(const Perftools__Profiles__Profile *p,
			 const Perftools__Profiles__Sample *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n_label; i++)
		if (!strcmp(p->string_table[s->label[i]->key], key))
			return s->label[i]->num;
	fail_msg("no label %s", key);
	return -1;
}

static const char *str_of(const Perftools__Profiles__Profile *p, int64_t i)
{
	return p->string_table[i];
}

#define NR_PROCS 3

/*
 * Three containers run three different builds as /app/server, at the
 * same addresses, with different functions there; a library all of
 * them map alike holds their leaves. The combined profile names each
 * process's frame as that process's own file does, under its own
 * mapping with its whole build id (Go's 83 characters, or the GNU 40
 * hex digits where the file has both), and mapping 1 is the executable
 * of the process with the most samples; a per-process profile's is its
 * own.
 */
static void test_same_path_other_builds(void **state)
{
	static const char *const bins[NR_PROCS] = {
		"build/workloads/cpusplit",	/* a Go build id only */
		"build/workloads/fixedwork",	/* another one */
		"build/workloads/cgocall",	/* a GNU build id as well */
	};
	static const int counts[NR_PROCS] = { 3, 5, 2 };
	static const char lib[] =
		"7f0000000000-7f0000200000 r-xp 00000000 00:2a 99 /lib/libfake.so\n";
	char dir[] = "/tmp/render_test.XXXXXX", exe[NR_PROCS][PATH_MAX];
	char *name[NR_PROCS], *build_id[NR_PROCS];
	struct render_params rp = { .frequency = 100 };
	const Perftools__Profiles__Mapping *m;
	Perftools__Profiles__Profile *p;
	struct stack_table *t;
	struct symbolizer *sym;
	struct objfile *obj;
	struct frame_info f;
	uint64_t ips[2] = { 0x7f0000001000 }, alpha, loc;
	size_t i, j, servers = 0;

	(void)state;
	for (i = 0; i < NR_PROCS; i++) {
		if (!realpath(bins[i], exe[i])) {
			skip();		/* make workloads builds them */
			return;
		}
	}
	obj = objfile__open_fd(open(exe[0], O_RDONLY));
	assert_non_null(obj);
	assert_int_equal(objfile__symbol_value(obj, "main.alpha", &alpha), 0);
	objfile__close(obj);
	ips[1] = alpha + 1;		/* a return address into main.alpha */
	assert_non_null(mkdtemp(dir));
	sym = symbolizer__new(dir, 0);
	t = stack_table__new(1 << 20);
	assert_non_null(sym);
	assert_non_null(t);
	for (i = 0; i < NR_PROCS; i++) {
		fake_proc_run(dir, FAKE_PID + (int)i, exe[i], "/app/server", lib);
		assert_int_equal(symbolizer__add_pid(sym, FAKE_PID + (int)i), 0);
		add_stack_of(t, FAKE_PID + (int)i, ips, 2, 0, counts[i]);
		/* what each process's own file says */
		symbolizer__resolve(sym, WHO(FAKE_PID + (int)i, 0), alpha, &f);
		assert_true(f.nr_frames > 0);
		name[i] = strdup(f.frames[0].function);
		obj = objfile__open_fd(open(exe[i], O_RDONLY));
		assert_non_null(obj);
		assert_non_null(objfile__build_id(obj));
		build_id[i] = strdup(objfile__build_id(obj));
		objfile__close(obj);
	}
	assert_string_equal(name[0], "main.alpha");
	assert_string_not_equal(name[1], name[0]);
	assert_string_not_equal(name[2], name[0]);
	assert_string_not_equal(name[2], name[1]);
	assert_true(strlen(build_id[0]) > 80 && strlen(build_id[1]) > 80);
	assert_int_equal(strlen(build_id[2]), 40);

	p = render_decoded(t, sym, &rp);
	assert_int_equal(p->n_sample, NR_PROCS);
	for (i = 0; i < p->n_sample; i++) {
		j = (size_t)(label_num(p, p->sample[i], "pid") - FAKE_PID);
		assert_true(j < NR_PROCS);
		assert_int_equal(p->sample[i]->value[0], counts[j]);
		assert_int_equal(p->sample[i]->n_location_id, 2);
		loc = p->sample[i]->location_id[1];
		assert_string_equal(fn_of(p, loc), name[j]);
		m = p->mapping[p->location[loc - 1]->mapping_id - 1];
		assert_string_equal(str_of(p, m->filename), "/app/server");
		assert_string_equal(str_of(p, m->build_id), build_id[j]);
	}
	for (i = 0; i < p->n_mapping; i++)
		servers += !strcmp(str_of(p, p->mapping[i]->filename), "/app/server");
	assert_int_equal(servers, NR_PROCS);
	/* the busiest process's executable, not the library its leaves are in */
	assert_string_equal(str_of(p, p->mapping[0]->filename), "/app/server");
	assert_string_equal(str_of(p, p->mapping[0]->build_id), build_id[1]);
	perftools__profiles__profile__free_unpacked(p, NULL);

	for (i = 0; i < NR_PROCS; i++) {
		rp.pid = FAKE_PID + (int)i;
		p = render_decoded(t, sym, &rp);
		assert_int_equal(p->n_sample, 1);
		assert_string_equal(fn_of(p, p->sample[0]->location_id[1]), name[i]);
		assert_string_equal(str_of(p, p->mapping[0]->filename), "/app/server");
		assert_string_equal(str_of(p, p->mapping[0]->build_id), build_id[i]);
		perftools__profiles__profile__free_unpacked(p, NULL);
		free(name[i]);
		free(build_id[i]);
	}
	stack_table__free(t);
	symbolizer__free(sym);
	fake_proc_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof_losses_are_samples),
		cmocka_unit_test(test_collapsed_root_first),
		cmocka_unit_test(test_stopped_walks_say_why),
		cmocka_unit_test(test_same_path_other_builds),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
