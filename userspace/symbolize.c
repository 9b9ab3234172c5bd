// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hashmap.h"
#include "symbolize.h"

/* Larger than any vdso image (two to four pages on x86-64). */
#define SYM_VDSO_MAX (1U << 20)

/*
 * One process image: its mappings, and the file behind each (or NULL).
 * A process that execs becomes a new image under the same pid; samples
 * say which by their exec generation.
 */
struct sym_proc {
	int pid;
	uint16_t gen;
	bool gen_known;			/* false: read at start, not yet seen */
	uint64_t exe_id[2];		/* its executable: device, inode */
	bool passed_over;		/* a later image was seen first */
	bool reloaded;			/* maps re-read once for a miss */
	struct maps *maps;
	struct symfile **files;		/* per mapping; owned by the cache */
	char comm[17];
};

struct symbolizer {
	const char *proc_root;
	struct hashmap *procs;		/* sym_proc_key -> struct sym_proc * */
	struct hashmap *at_start;	/* pid -> its image read at start */
	struct hashmap *files;		/* dev:inode -> struct symfile * */
	struct sym_proc **all;		/* every proc, for freeing */
	size_t nr_all, cap_all;
	struct symfile **all_files;
	char **file_paths;		/* as first seen, for problem reports */
	size_t nr_files, cap_files;
};

struct symbolizer *symbolizer__new(const char *proc_root)
{
	struct symbolizer *sym = calloc(1, sizeof(*sym));

	if (!sym)
		return NULL;
	sym->proc_root = proc_root;
	sym->procs = hashmap__new();
	sym->at_start = hashmap__new();
	sym->files = hashmap__new();
	if (!sym->procs || !sym->at_start || !sym->files) {
		symbolizer__free(sym);
		errno = ENOMEM;
		return NULL;
	}
	return sym;
}

static void sym_proc_free(struct sym_proc *p)
{
	if (!p)
		return;
	maps__free(p->maps);
	free(p->files);
	free(p);
}

void symbolizer__free(struct symbolizer *sym)
{
	size_t i;

	if (!sym)
		return;
	for (i = 0; i < sym->nr_all; i++)
		sym_proc_free(sym->all[i]);
	for (i = 0; i < sym->nr_files; i++)
		symfile__close(sym->all_files[i]);
	free(sym->all);
	for (i = 0; i < sym->nr_files; i++)
		free(sym->file_paths[i]);
	free(sym->all_files);
	free(sym->file_paths);
	hashmap__free(sym->procs);
	hashmap__free(sym->at_start);
	hashmap__free(sym->files);
	free(sym);
}

static int sym_push(void *arrayp, size_t *n, size_t *cap, void *item)
{
	void ***array = arrayp;
	void **p;

	if (*n == *cap) {
		p = realloc(*array, (*cap ? *cap * 2 : 16) * sizeof(void *));
		if (!p)
			return -ENOMEM;
		*array = p;
		*cap = *cap ? *cap * 2 : 16;
	}
	(*array)[(*n)++] = item;
	return 0;
}

/* Keeps @obj (and where it came from) for freeing and reports. */
static int sym_add_file(struct symbolizer *sym, struct symfile *obj,
			const char *path)
{
	char **paths;

	if (sym->nr_files == sym->cap_files) {
		paths = realloc(sym->file_paths,
				(sym->cap_files ? sym->cap_files * 2 : 16) * sizeof(*paths));
		if (!paths)
			return -ENOMEM;
		sym->file_paths = paths;
	}
	sym->file_paths[sym->nr_files] = strdup(path);
	if (!sym->file_paths[sym->nr_files])
		return -ENOMEM;
	if (sym_push(&sym->all_files, &sym->nr_files, &sym->cap_files, obj)) {
		free(sym->file_paths[sym->nr_files]);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Opens the file behind @m of @pid: map_files first (deleted files, other
 * mount namespaces; needs CAP_SYS_ADMIN), then the process's root.
 */
static int sym_open_mapping(const struct symbolizer *sym, int pid,
			    const struct map_entry *m)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%d/map_files/%" PRIx64 "-%" PRIx64,
		 sym->proc_root, pid, m->start, m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || m->path[0] != '/')
		return fd;
	snprintf(path, sizeof(path), "%s/%d/root%s", sym->proc_root, pid,
		 m->path);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * The vdso has no file behind it, but every 64-bit process of a kernel
 * maps the same image: ours stands in for the target's, copied into a
 * memfd so that it reads like any other file. Its section headers come
 * last, so they give its size.
 */
static int sym_open_vdso(void)
{
	const Elf64_Ehdr *eh = (const void *)(uintptr_t)getauxval(AT_SYSINFO_EHDR);
	size_t size;
	int fd;

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	if (size < sizeof(*eh) || size > SYM_VDSO_MAX)
		return -1;
	fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, eh, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The parsed file behind @m, from the cache or opened now; or NULL. */
static struct symfile *sym_file(struct symbolizer *sym, int pid,
				const struct map_entry *m)
{
	uint64_t key[3] = { m->dev_major, m->dev_minor, m->inode }, *slot;
	bool vdso = !strcmp(m->path, "[vdso]");
	struct symfile *obj;

	if (!m->inode && !vdso)
		return NULL;		/* anonymous: nothing to open */
	slot = hashmap__find(sym->files, key, sizeof(key));
	if (slot)
		return (struct symfile *)(uintptr_t)*slot;
	obj = symfile__open_fd(vdso ? sym_open_vdso() :
			       sym_open_mapping(sym, pid, m));
	if (obj && sym_add_file(sym, obj, m->path)) {
		symfile__close(obj);
		obj = NULL;
	}
	/* a failure is cached too: one attempt per file */
	hashmap__add(sym->files, key, sizeof(key), (uintptr_t)obj, NULL);
	return obj;
}

static int sym_load_maps(struct symbolizer *sym, struct sym_proc *p)
{
	struct maps *maps = maps__load(sym->proc_root, p->pid);
	struct symfile **files;
	size_t i;

	if (!maps)
		return -errno;
	files = calloc(maps__count(maps) + 1, sizeof(files[0]));
	if (!files) {
		maps__free(maps);
		return -ENOMEM;
	}
	for (i = 0; i < maps__count(maps); i++)
		files[i] = sym_file(sym, p->pid, maps__entry(maps, i));
	maps__free(p->maps);
	free(p->files);
	p->maps = maps;
	p->files = files;
	return 0;
}

static void sym_read_comm(const struct symbolizer *sym, struct sym_proc *p)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/comm", sym->proc_root, p->pid);
	f = fopen(path, "re");
	if (f && fgets(p->comm, sizeof(p->comm), f))
		p->comm[strcspn(p->comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

struct sym_proc_key {
	int32_t pid;
	uint32_t gen;
};

static struct sym_proc *sym_slot_proc(const uint64_t *slot)
{
	return slot ? (struct sym_proc *)(uintptr_t)*slot : NULL;
}

/*
 * The image @gen of @pid; else the one read at start if no sample has
 * named its generation yet (a session's first moments).
 */
static struct sym_proc *sym_proc_find(const struct symbolizer *sym, int pid,
				      uint16_t gen)
{
	struct sym_proc_key key = { pid, gen };
	struct sym_proc *p;

	p = sym_slot_proc(hashmap__find(sym->procs, &key, sizeof(key)));
	if (!p) {
		p = sym_slot_proc(hashmap__find(sym->at_start, &pid, sizeof(pid)));
		if (p && p->gen_known)
			p = NULL;
	}
	return p;
}

/* The executable @p's process runs now, as device and inode. */
static void sym_exe_id(const struct symbolizer *sym, int pid, uint64_t id[2])
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/exe", sym->proc_root, pid);
	if (stat(path, &st)) {
		id[0] = id[1] = 0;
		return;
	}
	id[0] = st.st_dev;
	id[1] = st.st_ino;
}

/* Does @p's process still run the executable it ran when @p was read? */
static bool sym_same_exe(const struct symbolizer *sym,
			 const struct sym_proc *p)
{
	uint64_t id[2];

	sym_exe_id(sym, p->pid, id);
	return id[1] && id[0] == p->exe_id[0] && id[1] == p->exe_id[1];
}

/* Reads @pid's image as it is now. NULL with errno set. */
static struct sym_proc *sym_proc_new(struct symbolizer *sym, int pid)
{
	struct sym_proc *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return NULL;
	p->pid = pid;
	sym_exe_id(sym, pid, p->exe_id);
	err = sym_load_maps(sym, p);
	if (!err)
		err = sym_push(&sym->all, &sym->nr_all, &sym->cap_all, p);
	if (err) {
		sym_proc_free(p);
		errno = -err;
		return NULL;
	}
	sym_read_comm(sym, p);
	return p;		/* freed with sym->all */
}

static int sym_proc_index(struct symbolizer *sym, struct sym_proc *p)
{
	struct sym_proc_key key = { p->pid, p->gen };

	return hashmap__add(sym->procs, &key, sizeof(key), (uintptr_t)p,
			    NULL) ? 0 : -ENOMEM;
}

int symbolizer__add_pid(struct symbolizer *sym, int pid)
{
	struct sym_proc *p;

	if (hashmap__find(sym->at_start, &pid, sizeof(pid)))
		return 0;
	p = sym_proc_new(sym, pid);
	if (!p)
		return -errno;
	if (!hashmap__add(sym->at_start, &pid, sizeof(pid), (uintptr_t)p, NULL))
		return -ENOMEM;
	return 0;
}

int symbolizer__see(struct symbolizer *sym, int pid, uint16_t gen)
{
	struct sym_proc_key key = { pid, gen };
	struct sym_proc *start, *now;

	if (hashmap__find(sym->procs, &key, sizeof(key)))
		return 0;
	start = sym_slot_proc(hashmap__find(sym->at_start, &pid, sizeof(pid)));
	if (start && start->gen_known)
		start = NULL;
	/*
	 * The rings are drained one CPU after another, so the first
	 * generation seen need not be the one that ran at start. The image
	 * read at start goes to the first generation seen if the process
	 * still runs the same executable; if not, that generation is a
	 * later one and gets the image as it is now, and the start image
	 * waits for the next generation to appear: the older one.
	 */
	if (start && (start->passed_over || sym_same_exe(sym, start))) {
		now = start;
	} else {
		now = sym_proc_new(sym, pid);
		if (!now)
			return -errno;
		if (start)
			start->passed_over = true;
	}
	now->gen = gen;
	now->gen_known = true;
	return sym_proc_index(sym, now);
}

const char *symbolizer__comm(const struct symbolizer *sym, int pid,
			     uint16_t gen)
{
	struct sym_proc *p = sym_proc_find(sym, pid, gen);

	return p ? p->comm : "";
}

static const struct map_entry *sym_lookup(const struct sym_proc *p,
					  uint64_t addr, struct symfile **file)
{
	const struct map_entry *m = maps__find(p->maps, addr);

	*file = m ? p->files[m - maps__entry(p->maps, 0)] : NULL;
	return m;
}

/* The file and link-time address behind @addr of @pid, or NULL. */
static struct symfile *sym_locate(struct symbolizer *sym, struct sym_proc *p,
				  uint64_t addr, const struct map_entry **map,
				  uint64_t *vaddr)
{
	struct symfile *file = NULL;

	*map = sym_lookup(p, addr, &file);
	if (!*map && !p->reloaded) {
		p->reloaded = true;		/* dlopen or exec since start */
		if (!sym_load_maps(sym, p))
			*map = sym_lookup(p, addr, &file);
	}
	if (!*map || !file ||
	    symfile__vaddr(file, (*map)->start, (*map)->offset, addr, vaddr))
		return NULL;
	return file;
}

int symbolizer__resolve(struct symbolizer *sym, int pid, uint16_t gen,
			uint64_t addr, struct frame_info *out)
{
	struct sym_proc *p = sym_proc_find(sym, pid, gen);
	struct symfile *file;
	uint64_t vaddr;
	int n;

	out->map = NULL;
	out->build_id = NULL;
	out->nr_frames = 0;
	memset(&out->caps, 0, sizeof(out->caps));
	if (!p)
		return 0;
	file = sym_locate(sym, p, addr, &out->map, &vaddr);
	if (!file)
		return 0;
	out->build_id = symfile__build_id(file);
	symfile__caps(file, &out->caps);
	n = symfile__lookup(file, vaddr, out->frames, SYMFILE_MAX_FRAMES);
	out->nr_frames = n > 0 ? n : 0;
	return 0;
}

int symbolizer__sp_delta(struct symbolizer *sym, int pid, uint16_t gen,
			 uint64_t addr, int64_t *delta)
{
	struct sym_proc *p = sym_proc_find(sym, pid, gen);
	const struct map_entry *map;
	struct symfile *file;
	uint64_t vaddr;

	file = p ? sym_locate(sym, p, addr, &map, &vaddr) : NULL;
	if (!file)
		return -ENOENT;
	return symfile__sp_delta(file, vaddr, delta);
}

void symbolizer__for_each_problem(const struct symbolizer *sym,
				  void (*fn)(const char *path, int err, void *ctx),
				  void *ctx)
{
	size_t i;

	for (i = 0; i < sym->nr_files; i++)
		if (symfile__go_error(sym->all_files[i]))
			fn(sym->file_paths[i], symfile__go_error(sym->all_files[i]), ctx);
}
