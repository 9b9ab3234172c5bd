// SPDX-License-Identifier: GPL-2.0-only
/*
 * The profile is assembled as protobuf-c messages in growable arrays and
 * packed once at the end, straight through zlib to the file: the encoded
 * profile is never held in memory whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "array.h"
#include "hashmap.h"
#include "pprof.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__ValueType pb_value_type;

/*
 * What tells two mappings apart: everything that could make their
 * addresses mean different code. A path alone does not (two containers'
 * /app/server, a binary upgraded under a process running the old one);
 * the build id does where there is one, the file's identity otherwise.
 */
struct pprof_mapping_key {
	uint64_t start, limit, offset;
	uint64_t dev, inode;
	int64_t file, build_id;		/* string indexes */
};

struct pprof {
	pb_profile msg;
	pb_value_type sample_types[2], period_type;
	pb_value_type *sample_type_ptrs[2];
	int64_t period_ns;
	size_t cap_strings, cap_samples, cap_mappings, cap_locations;
	size_t cap_functions, cap_comments;
	struct hashmap *strings;	/* string -> index */
	/*
	 * The two below know a mapping by its message, not its id: the id
	 * of the main binary's changes (pprof__main_mapping()).
	 */
	struct hashmap *mappings;	/* pprof_mapping_key -> pb_mapping * */
	struct hashmap *locations;	/* pb_mapping * or 0, address -> id */
	struct hashmap *functions;	/* name, file, start line -> id */
};


/*
 * Every table below follows one order: look the key up; if absent,
 * allocate everything the new entry needs, and add the key to the map
 * last, so that a failure leaves map and table as they were.
 */

void pprof__set_span(struct pprof *prof, int64_t time_nanos,
		     int64_t duration_nanos)
{
	prof->msg.time_nanos = time_nanos;
	prof->msg.duration_nanos = duration_nanos;
}

/* Index of @s in the string table, adding it; negative errno on failure. */
static int64_t pprof_string(struct pprof *prof, const char *s)
{
	size_t len = strlen(s);
	uint64_t *idx = hashmap__find(prof->strings, s, len);
	char *copy;

	if (idx)
		return (int64_t)*idx;
	copy = strdup(s);
	if (!copy || array_grow(&prof->msg.string_table, &prof->cap_strings,
				prof->msg.n_string_table, 1, sizeof(char *)) ||
	    !hashmap__add(prof->strings, s, len, prof->msg.n_string_table,
			  NULL)) {
		free(copy);
		return -ENOMEM;
	}
	prof->msg.string_table[prof->msg.n_string_table] = copy;
	return (int64_t)prof->msg.n_string_table++;
}

struct pprof *pprof__new(const struct pprof_params *params)
{
	struct pprof *prof = calloc(1, sizeof(*prof));
	int i;

	if (!prof)
		return NULL;
	perftools__profiles__profile__init(&prof->msg);
	prof->strings = hashmap__new();
	prof->mappings = hashmap__new();
	prof->locations = hashmap__new();
	prof->functions = hashmap__new();
	if (!prof->strings || !prof->mappings || !prof->locations ||
	    !prof->functions || pprof_string(prof, "") != 0)
		goto err;

	for (i = 0; i < 2; i++) {
		perftools__profiles__value_type__init(&prof->sample_types[i]);
		prof->sample_type_ptrs[i] = &prof->sample_types[i];
	}
	perftools__profiles__value_type__init(&prof->period_type);
	prof->sample_types[0].type = pprof_string(prof, "samples");
	prof->sample_types[0].unit = pprof_string(prof, "count");
	prof->sample_types[1].type = pprof_string(prof, "cpu");
	prof->sample_types[1].unit = pprof_string(prof, "nanoseconds");
	prof->period_type = prof->sample_types[1];
	if (prof->sample_types[1].unit < 0 || prof->sample_types[0].unit < 0)
		goto err;
	prof->msg.n_sample_type = 2;
	prof->msg.sample_type = prof->sample_type_ptrs;
	prof->msg.period_type = &prof->period_type;
	prof->msg.period = params->period_ns;
	prof->msg.time_nanos = params->time_nanos;
	prof->msg.duration_nanos = params->duration_nanos;
	prof->msg.default_sample_type = prof->sample_types[1].type;
	prof->period_ns = params->period_ns;
	return prof;
err:
	pprof__free(prof);
	errno = ENOMEM;
	return NULL;
}

static void pprof_free_sample(pb_sample *s)
{
	size_t i;

	for (i = 0; i < s->n_label; i++)
		free(s->label[i]);
	free(s->label);
	free(s->location_id);
	free(s->value);
	free(s);
}

static void pprof_free_location(pb_location *l)
{
	size_t i;

	for (i = 0; i < l->n_line; i++)
		free(l->line[i]);
	free(l->line);
	free(l);
}

void pprof__free(struct pprof *prof)
{
	size_t i;

	if (!prof)
		return;
	for (i = 0; i < prof->msg.n_sample; i++)
		pprof_free_sample(prof->msg.sample[i]);
	for (i = 0; i < prof->msg.n_location; i++)
		pprof_free_location(prof->msg.location[i]);
	for (i = 0; i < prof->msg.n_mapping; i++)
		free(prof->msg.mapping[i]);
	for (i = 0; i < prof->msg.n_function; i++)
		free(prof->msg.function[i]);
	for (i = 0; i < prof->msg.n_string_table; i++)
		free(prof->msg.string_table[i]);
	free(prof->msg.sample);
	free(prof->msg.location);
	free(prof->msg.mapping);
	free(prof->msg.function);
	free(prof->msg.string_table);
	free(prof->msg.comment);
	hashmap__free(prof->strings);
	hashmap__free(prof->mappings);
	hashmap__free(prof->locations);
	hashmap__free(prof->functions);
	free(prof);
}

uint64_t pprof__mapping(struct pprof *prof, const struct pprof_mapping *m)
{
	struct pprof_mapping_key key = {
		.start = m->start, .limit = m->limit, .offset = m->offset,
		.dev = m->dev, .inode = m->inode,
		.file = pprof_string(prof, m->file ? m->file : ""),
		.build_id = pprof_string(prof, m->build_id ? m->build_id : ""),
	};
	uint64_t *slot;
	pb_mapping *pm;

	if (key.file < 0 || key.build_id < 0)
		goto nomem;
	slot = hashmap__find(prof->mappings, &key, sizeof(key));
	if (slot)
		return ((pb_mapping *)(uintptr_t)*slot)->id;
	pm = malloc(sizeof(*pm));
	if (!pm || array_grow(&prof->msg.mapping, &prof->cap_mappings,
			      prof->msg.n_mapping, 1, sizeof(pm)) ||
	    !hashmap__add(prof->mappings, &key, sizeof(key), (uintptr_t)pm,
			  NULL)) {
		free(pm);
		goto nomem;
	}
	perftools__profiles__mapping__init(pm);
	pm->id = prof->msg.n_mapping + 1;
	pm->memory_start = m->start;
	pm->memory_limit = m->limit;
	pm->file_offset = m->offset;
	pm->filename = key.file;
	pm->build_id = key.build_id;
	pm->has_functions = m->has_functions;
	pm->has_filenames = m->has_filenames;
	pm->has_line_numbers = m->has_line_numbers;
	pm->has_inline_frames = m->has_inline_frames;
	prof->msg.mapping[prof->msg.n_mapping++] = pm;
	return pm->id;
nomem:
	errno = ENOMEM;
	return 0;
}

uint64_t pprof__main_mapping(struct pprof *prof, const struct pprof_mapping *m)
{
	uint64_t id = pprof__mapping(prof, m);
	pb_mapping **maps = prof->msg.mapping, *exe;
	pb_location *loc;
	size_t i;

	if (id < 2)
		return id;
	/* it and mapping 1 trade places and ids */
	exe = maps[id - 1];
	maps[id - 1] = maps[0];
	maps[0] = exe;
	maps[0]->id = 1;
	maps[id - 1]->id = id;
	for (i = 0; i < prof->msg.n_location; i++) {
		loc = prof->msg.location[i];
		if (loc->mapping_id == id)
			loc->mapping_id = 1;
		else if (loc->mapping_id == 1)
			loc->mapping_id = id;
	}
	return 1;
}

/* The function's id, deduplicated by name, file and start line. */
static uint64_t pprof_function(struct pprof *prof, const struct pprof_line *l)
{
	int64_t name = pprof_string(prof, l->function);
	int64_t file = pprof_string(prof, l->file ? l->file : "");
	int64_t key[3] = { name, file, l->start_line };
	pb_function *f;
	uint64_t *id;

	if (name < 0 || file < 0)
		return 0;
	id = hashmap__find(prof->functions, key, sizeof(key));
	if (id)
		return *id;
	f = malloc(sizeof(*f));
	if (!f || array_grow(&prof->msg.function, &prof->cap_functions,
			     prof->msg.n_function, 1, sizeof(f)) ||
	    !hashmap__add(prof->functions, key, sizeof(key),
			  prof->msg.n_function + 1, NULL)) {
		free(f);
		return 0;
	}
	perftools__profiles__function__init(f);
	f->id = prof->msg.n_function + 1;
	f->name = name;
	f->system_name = name;
	f->filename = file;
	f->start_line = l->start_line;
	prof->msg.function[prof->msg.n_function++] = f;
	return f->id;
}

static int pprof_fill_lines(struct pprof *prof, pb_location *loc,
			    const struct pprof_line *lines, size_t n)
{
	size_t i;

	loc->line = calloc(n, sizeof(loc->line[0]));
	if (n && !loc->line)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!lines[i].function)
			break;		/* unsymbolized: the address says it all */
		loc->line[i] = malloc(sizeof(pb_line));
		if (!loc->line[i])
			return -ENOMEM;
		perftools__profiles__line__init(loc->line[i]);
		loc->n_line = i + 1;
		loc->line[i]->function_id = pprof_function(prof, &lines[i]);
		if (!loc->line[i]->function_id)
			return -ENOMEM;
		loc->line[i]->line = lines[i].line;
	}
	return 0;
}

uint64_t pprof__location(struct pprof *prof, uint64_t mapping_id,
			 uint64_t address, const struct pprof_line *lines,
			 size_t nr_lines)
{
	uint64_t key[2] = { 0, address }, *id;
	pb_location *loc;

	if (mapping_id > prof->msg.n_mapping) {
		errno = EINVAL;
		return 0;
	}
	if (mapping_id)
		key[0] = (uintptr_t)prof->msg.mapping[mapping_id - 1];

	id = hashmap__find(prof->locations, key, sizeof(key));
	if (id)
		return *id;
	loc = calloc(1, sizeof(*loc));
	if (!loc)
		goto nomem;
	perftools__profiles__location__init(loc);
	loc->id = prof->msg.n_location + 1;
	loc->mapping_id = mapping_id;
	loc->address = address;
	if (pprof_fill_lines(prof, loc, lines, nr_lines) ||
	    array_grow(&prof->msg.location, &prof->cap_locations,
		       prof->msg.n_location, 1, sizeof(loc)) ||
	    !hashmap__add(prof->locations, key, sizeof(key), loc->id, NULL)) {
		pprof_free_location(loc);
		goto nomem;
	}
	prof->msg.location[prof->msg.n_location++] = loc;
	return loc->id;
nomem:
	errno = ENOMEM;
	return 0;
}

static pb_label *pprof_label(struct pprof *prof, const struct pprof_label *l)
{
	pb_label *pl = malloc(sizeof(*pl));

	if (!pl)
		return NULL;
	perftools__profiles__label__init(pl);
	pl->key = pprof_string(prof, l->key);
	if (l->str)
		pl->str = pprof_string(prof, l->str);
	else
		pl->num = l->num;
	if (pl->key < 0 || pl->str < 0) {
		free(pl);
		return NULL;
	}
	return pl;
}

int pprof__sample(struct pprof *prof, const uint64_t *locations,
		  size_t nr_locations, int64_t count,
		  const struct pprof_label *labels, size_t nr_labels)
{
	pb_sample *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return -ENOMEM;
	perftools__profiles__sample__init(s);
	s->location_id = malloc(nr_locations * sizeof(uint64_t) + 1);
	s->value = malloc(2 * sizeof(int64_t));
	s->label = calloc(nr_labels + 1, sizeof(pb_label *));
	if (!s->location_id || !s->value || !s->label)
		goto nomem;
	memcpy(s->location_id, locations, nr_locations * sizeof(uint64_t));
	s->n_location_id = nr_locations;
	s->value[0] = count;
	s->value[1] = count * prof->period_ns;
	s->n_value = 2;
	for (i = 0; i < nr_labels; i++) {
		s->label[i] = pprof_label(prof, &labels[i]);
		if (!s->label[i])
			goto nomem;
		s->n_label = i + 1;
	}
	if (array_grow(&prof->msg.sample, &prof->cap_samples,
		       prof->msg.n_sample, 1, sizeof(s)))
		goto nomem;
	prof->msg.sample[prof->msg.n_sample++] = s;
	return 0;
nomem:
	pprof_free_sample(s);
	return -ENOMEM;
}

size_t pprof__memory(const struct pprof *prof)
{
	const pb_profile *m = &prof->msg;
	size_t b = hashmap__memory(prof->strings) + hashmap__memory(prof->mappings) +
		   hashmap__memory(prof->locations) + hashmap__memory(prof->functions);
	size_t i;

	b += (prof->cap_strings + prof->cap_samples + prof->cap_mappings +
	      prof->cap_locations + prof->cap_functions) * sizeof(void *);
	for (i = 0; i < m->n_string_table; i++)
		b += strlen(m->string_table[i]) + 1;
	b += m->n_mapping * sizeof(pb_mapping) + m->n_function * sizeof(pb_function);
	for (i = 0; i < m->n_location; i++)
		b += sizeof(pb_location) +
		     m->location[i]->n_line * (sizeof(pb_line) + sizeof(void *));
	for (i = 0; i < m->n_sample; i++)
		b += sizeof(pb_sample) + 2 * sizeof(int64_t) +
		     m->sample[i]->n_location_id * sizeof(uint64_t) +
		     m->sample[i]->n_label * (sizeof(pb_label) + sizeof(void *));
	return b;
}

int pprof__comment(struct pprof *prof, const char *text)
{
	int64_t idx = pprof_string(prof, text);

	if (idx < 0)
		return (int)idx;
	if (array_grow(&prof->msg.comment, &prof->cap_comments,
		       prof->msg.n_comment, 1, sizeof(int64_t)))
		return -ENOMEM;
	prof->msg.comment[prof->msg.n_comment++] = idx;
	return 0;
}

/* A protobuf-c output buffer that deflates into a file descriptor. */
struct gzip_sink {
	ProtobufCBuffer base;
	z_stream z;
	int fd;
	int err;
	unsigned char out[1 << 16];
};

static int gzip_sink_flush(struct gzip_sink *g, int mode)
{
	size_t n, done;
	ssize_t w;
	int ret;

	do {
		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		ret = deflate(&g->z, mode);
		if (ret == Z_STREAM_ERROR)
			return -EIO;
		n = sizeof(g->out) - g->z.avail_out;
		for (done = 0; done < n; done += (size_t)w) {
			w = write(g->fd, g->out + done, n - done);
			if (w < 0 && errno != EINTR)
				return -errno;
			if (w < 0)
				w = 0;
		}
	} while (g->z.avail_out == 0);
	return 0;
}

static void gzip_sink_append(ProtobufCBuffer *buf, size_t len,
			     const uint8_t *data)
{
	struct gzip_sink *g = (struct gzip_sink *)buf;

	if (g->err)
		return;
	g->z.next_in = (unsigned char *)data;
	g->z.avail_in = (uInt)len;
	g->err = gzip_sink_flush(g, Z_NO_FLUSH);
}

int pprof__write(struct pprof *prof, int fd)
{
	struct gzip_sink *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	g->base.append = gzip_sink_append;
	g->fd = fd;
	/*
	 * windowBits 15 + 16: a gzip wrapper, as pprof files are on disk.
	 * Level 1, as Go's runtime/pprof writes: an always-on collector
	 * writes a profile a minute, and the default level spent a third
	 * more CPU for files a tenth smaller (bench/notes.md).
	 */
	if (deflateInit2(&g->z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g);
		return -ENOMEM;
	}
	perftools__profiles__profile__pack_to_buffer(&prof->msg, &g->base);
	err = g->err;
	if (!err)
		err = gzip_sink_flush(g, Z_FINISH);
	deflateEnd(&g->z);
	free(g);
	return err;
}
