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
#include <time.h>
#include <unistd.h>

#include "hashmap.h"
#include "symbolize.h"

/* Larger than any vdso image (two to four pages on x86-64). */
#define SYM_VDSO_MAX (1U << 20)

/*
 * One process image: its mappings, and the file behind each (or NULL).
 * A process that execs becomes a new image under the same pid.
 */
struct sym_proc {
	int pid;
	uint64_t exe_id[3];		/* its executable: device, inode, where */
	uint64_t reloaded_ns;		/* maps last re-read for a miss; 0 never */
	bool superseded;		/* a later image exists: history */
	struct maps *maps;
	struct symfile **files;		/* per mapping; owned by the cache */
	char comm[17];
};

/*
 * A process's history: the distinct images read, oldest first, and the
 * exec generations its samples named, ascending.
 *
 * Images are read when a new generation shows up, and the rings are
 * drained one CPU after another, so the first generation seen after an
 * exec may be the old one or the new one: which image belongs to which
 * generation is decided only when asked, from the whole history. An image
 * read at time t is the one the highest generation at t ran, and
 * generations only grow: the newest image goes with the highest
 * generation, the one before with the next, and so on; generations older
 * than every image read share the oldest.
 */
#define SYM_MAX_GENS 64

struct sym_pid {
	int pid;
	bool pending;			/* an image read mid-exec, to redo */
	struct sym_proc **images;
	size_t nr_images;
	uint16_t gens[SYM_MAX_GENS];
	size_t nr_gens;
};

struct symbolizer {
	const char *proc_root;
	struct hashmap *pids;		/* pid -> struct sym_pid * */
	struct sym_pid **all_pids;	/* for freeing */
	size_t nr_pids, cap_pids;
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
	sym->pids = hashmap__new();
	sym->files = hashmap__new();
	if (!sym->pids || !sym->files) {
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
	for (i = 0; i < sym->nr_pids; i++) {
		free(sym->all_pids[i]->images);
		free(sym->all_pids[i]);
	}
	free(sym->all_pids);
	hashmap__free(sym->pids);
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

/*
 * The identity of @p's image: its executable's device and inode, and
 * where the first mapping of it starts (a PIE re-executing itself lands
 * elsewhere).
 */
static void sym_image_id(const struct symbolizer *sym, struct sym_proc *p)
{
	const struct map_entry *m;
	char path[64];
	struct stat st;
	size_t i;

	memset(p->exe_id, 0, sizeof(p->exe_id));
	snprintf(path, sizeof(path), "%s/%d/exe", sym->proc_root, p->pid);
	if (stat(path, &st))
		return;
	p->exe_id[0] = st.st_dev;
	p->exe_id[1] = st.st_ino;
	for (i = 0; p->maps && i < maps__count(p->maps); i++) {
		m = maps__entry(p->maps, i);
		if (m->inode == st.st_ino) {
			p->exe_id[2] = m->start - m->offset;
			break;
		}
	}
}

/* Reads @pid's image as it is now. NULL with errno set. */
static struct sym_proc *sym_proc_new(struct symbolizer *sym, int pid)
{
	struct sym_proc *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return NULL;
	p->pid = pid;
	err = sym_load_maps(sym, p);
	if (!err)
		err = sym_push(&sym->all, &sym->nr_all, &sym->cap_all, p);
	if (err) {
		sym_proc_free(p);
		errno = -err;
		return NULL;
	}
	sym_image_id(sym, p);
	sym_read_comm(sym, p);
	return p;		/* freed with sym->all */
}

static struct sym_pid *sym_pid_find(const struct symbolizer *sym, int pid)
{
	uint64_t *slot = hashmap__find(sym->pids, &pid, sizeof(pid));

	return slot ? (struct sym_pid *)(uintptr_t)*slot : NULL;
}

static struct sym_pid *sym_pid_get(struct symbolizer *sym, int pid)
{
	struct sym_pid *sp = sym_pid_find(sym, pid);

	if (sp)
		return sp;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->pid = pid;
	if (sym_push(&sym->all_pids, &sym->nr_pids, &sym->cap_pids, sp)) {
		free(sp);
		return NULL;
	}
	if (!hashmap__add(sym->pids, &pid, sizeof(pid), (uintptr_t)sp, NULL))
		return NULL;		/* freed with sym->all_pids */
	return sp;
}

/* The last image read is dropped (it is the last one pushed). */
static void sym_drop_last(struct symbolizer *sym, struct sym_proc *p)
{
	sym->nr_all--;
	sym_proc_free(p);
}

/*
 * A sample of a new generation can be drained while its exec is still
 * loading the binary: the process's executable is already the new one,
 * but nothing of it is mapped yet. Such a read is no image; it is tried
 * again shortly, and if the exec is still not done, when next asked.
 */
#define SYM_EXEC_RETRIES	10
#define SYM_EXEC_WAIT_NS	2000000

/*
 * Reads the image @sp's process runs now, into its history unless it is
 * the last one again.
 */
static int sym_pid_read_image(struct symbolizer *sym, struct sym_pid *sp,
			      int retries)
{
	const struct timespec wait = { 0, SYM_EXEC_WAIT_NS };
	struct sym_proc *p, *last, **images;
	int tries = 0;

	for (;;) {
		p = sym_proc_new(sym, sp->pid);
		if (!p)
			return -errno;
		if (!p->exe_id[1] || p->exe_id[2])
			break;		/* complete (or no executable to map) */
		sym_drop_last(sym, p);
		if (++tries > retries) {
			sp->pending = true;
			return 0;
		}
		nanosleep(&wait, NULL);
	}
	sp->pending = false;
	last = sp->nr_images ? sp->images[sp->nr_images - 1] : NULL;
	if (last && !memcmp(last->exe_id, p->exe_id, sizeof(p->exe_id))) {
		sym_drop_last(sym, p);	/* the same image */
		return 0;
	}
	images = realloc(sp->images, (sp->nr_images + 1) * sizeof(*images));
	if (!images)
		return -ENOMEM;
	sp->images = images;
	sp->images[sp->nr_images++] = p;
	if (last)
		last->superseded = true;
	return 0;
}

int symbolizer__add_pid(struct symbolizer *sym, int pid)
{
	struct sym_pid *sp = sym_pid_get(sym, pid);

	if (!sp)
		return -ENOMEM;
	return sp->nr_images ? 0 : sym_pid_read_image(sym, sp, SYM_EXEC_RETRIES);
}

int symbolizer__see(struct symbolizer *sym, int pid, uint16_t gen)
{
	struct sym_pid *sp = sym_pid_get(sym, pid);
	size_t i;

	if (!sp)
		return -ENOMEM;
	for (i = 0; i < sp->nr_gens; i++)
		if (sp->gens[i] == gen)
			return 0;
	if (sp->nr_gens == SYM_MAX_GENS)
		return 0;	/* an exec storm: later ones share the newest */
	/* kept ascending; a wrapped counter would take 65536 execs */
	for (i = sp->nr_gens; i > 0 && sp->gens[i - 1] > gen; i--)
		sp->gens[i] = sp->gens[i - 1];
	sp->gens[i] = gen;
	sp->nr_gens++;
	return sym_pid_read_image(sym, sp, SYM_EXEC_RETRIES);
}

/* The image generation @gen of @sp's process ran, by the rule above. */
static struct sym_proc *sym_proc_pick(const struct sym_pid *sp, uint16_t gen)
{
	long rank, i;

	if (!sp || !sp->nr_images)
		return NULL;
	for (rank = 0; rank < (long)sp->nr_gens && sp->gens[rank] != gen; rank++)
		;
	if (rank == (long)sp->nr_gens)	/* not named by any sample yet */
		return sp->nr_gens ? NULL : sp->images[0];
	i = rank + (long)sp->nr_images - (long)sp->nr_gens;
	return sp->images[i < 0 ? 0 : i];
}

/*
 * The same, after one more try at an image left unread mid-exec (the
 * process, if it still runs it, shows it complete by now).
 */
static struct sym_proc *sym_proc_find(struct symbolizer *sym, int pid,
				      uint16_t gen)
{
	struct sym_pid *sp = sym_pid_find(sym, pid);

	if (sp && sp->pending)
		sym_pid_read_image(sym, sp, 0);
	return sym_proc_pick(sp, gen);
}

const char *symbolizer__comm(const struct symbolizer *sym, int pid,
			     uint16_t gen)
{
	struct sym_proc *p = sym_proc_pick(sym_pid_find(sym, pid), gen);

	return p ? p->comm : "";
}

static const struct map_entry *sym_lookup(const struct sym_proc *p,
					  uint64_t addr, struct symfile **file)
{
	const struct map_entry *m = maps__find(p->maps, addr);

	*file = m ? p->files[m - maps__entry(p->maps, 0)] : NULL;
	return m;
}

/*
 * A miss re-reads the maps (a library dlopen'ed since), at most this
 * often per image: an address in no mapping at all (a walk gone astray)
 * must not cost a read of /proc each time it comes.
 */
#define SYM_RELOAD_NS	(1000ULL * 1000 * 1000)

static uint64_t sym_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The file and link-time address behind @addr of @pid, or NULL. */
static struct symfile *sym_locate(struct symbolizer *sym, struct sym_proc *p,
				  uint64_t addr, const struct map_entry **map,
				  uint64_t *vaddr)
{
	struct symfile *file = NULL;

	*map = sym_lookup(p, addr, &file);
	/* only the image the process runs now can have grown since */
	if (!*map && !p->superseded &&
	    (!p->reloaded_ns || sym_now_ns() - p->reloaded_ns >= SYM_RELOAD_NS)) {
		p->reloaded_ns = sym_now_ns();	/* dlopen since it was read */
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

/* The file holding @addr of @pid and the address in it, or NULL. */
static struct symfile *sym_file_at(struct symbolizer *sym, int pid,
				   uint16_t gen, uint64_t addr, uint64_t *vaddr)
{
	struct sym_proc *p = sym_proc_find(sym, pid, gen);
	const struct map_entry *map;

	return p ? sym_locate(sym, p, addr, &map, vaddr) : NULL;
}

int symbolizer__sp_delta(struct symbolizer *sym, int pid, uint16_t gen,
			 uint64_t addr, int64_t *delta)
{
	uint64_t vaddr;
	struct symfile *file = sym_file_at(sym, pid, gen, addr, &vaddr);

	return file ? symfile__sp_delta(file, vaddr, delta) : -ENOENT;
}

int symbolizer__fp_delta(struct symbolizer *sym, int pid, uint16_t gen,
			 uint64_t addr, int64_t *delta)
{
	uint64_t vaddr;
	struct symfile *file = sym_file_at(sym, pid, gen, addr, &vaddr);

	return file ? symfile__fp_delta(file, vaddr, delta) : -ENOENT;
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

int symbolizer__exe_map(struct symbolizer *sym, int pid, uint16_t gen,
			const struct map_entry **map)
{
	struct sym_proc *p = sym_proc_find(sym, pid, gen);
	const struct map_entry *m;
	size_t i;

	for (i = 0; p && p->exe_id[1] && i < maps__count(p->maps); i++) {
		m = maps__entry(p->maps, i);
		/*
		 * The executable's lowest mapping, as sym_image_id() found
		 * it: by inode and load base, not device (overlayfs shows
		 * its own in stat, the layer's in maps).
		 */
		if (m->inode == p->exe_id[1] &&
		    m->start - m->offset == p->exe_id[2]) {
			*map = m;
			return 0;
		}
	}
	return -ENOENT;
}
