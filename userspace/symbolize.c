// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "hashmap.h"
#include "proc_stat.h"
#include "symbolize.h"

/* Larger than any vdso image (two to four pages on x86-64). */
#define SYM_VDSO_MAX (1U << 20)

#define SYM_DEFAULT_BYTES	(256UL << 20)
#define SYM_DEFAULT_UNMAPPED	256

/*
 * Files opened at first sight and not read yet: at most this many, and
 * a quarter of the descriptor limit.
 */
#define SYM_MAX_PENDING_FDS	64

/* A file that could not be read is tried again after this long. */
#define SYM_RETRY_NS		(10ULL * 1000 * 1000 * 1000)

/* Files whose problems are kept for the summary. */
#define SYM_MAX_PROBLEMS	64

/*
 * One file, by identity (device, inode; the vdso has its own). It lives
 * while a process image maps it, or while the LRU keeps what was read.
 */
struct sym_file {
	uint64_t key[3];
	struct symfile *sf;		/* read; NULL: not (yet) */
	int fd;				/* opened ahead of reading; -1 */
	int err;			/* why the last try failed; 0 */
	uint64_t tried_ns;		/* when */
	size_t refs;			/* images mapping it */
	size_t bytes;			/* symfile__memory() when read */
	struct sym_file *prev, *next;	/* the LRU of read files, newest first */
	char path[];			/* as first seen */
};

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
	struct sym_file **files;	/* per mapping, each holding a ref */
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

enum sym_life { SYM_RUNNING, SYM_GONE, SYM_REAPED };

struct sym_pid_key {
	int32_t pid;
	uint32_t pad;			/* zero */
	uint64_t start;			/* clock ticks after boot; 0: unknown */
};

struct sym_pid {
	struct sym_pid_key key;
	enum sym_life life;
	bool pending;			/* an image read mid-exec, to redo */
	struct sym_proc **images;
	size_t nr_images, cap_images;
	uint16_t gens[SYM_MAX_GENS];
	size_t nr_gens;
};

struct sym_problem {
	char *path;
	int err;
};

struct symbolizer {
	const char *proc_root;
	unsigned int flags;
	uint64_t ns_per_tick;		/* of /proc/PID/stat's start time */
	struct hashmap *pids;		/* sym_pid_key -> struct sym_pid * */
	struct hashmap *files;		/* key[3] -> struct sym_file * */
	struct sym_file *lru_head, *lru_tail;
	size_t lru_bytes, lru_files, lru_unmapped;
	size_t max_bytes, max_unmapped;
	struct sym_file *pending[SYM_MAX_PENDING_FDS];	/* fd >= 0, oldest first */
	size_t nr_pending, max_pending;
	uint64_t evicted, reaped;
	struct sym_problem problems[SYM_MAX_PROBLEMS];
	size_t nr_problems, more_problems;
};

static uint64_t sym_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct symbolizer *symbolizer__new(const char *proc_root, unsigned int flags)
{
	struct symbolizer *sym = calloc(1, sizeof(*sym));
	long hz = sysconf(_SC_CLK_TCK);
	struct rlimit rl;

	if (!sym)
		return NULL;
	/* a quarter of the descriptors at most: the rest are the caller's */
	sym->max_pending = SYM_MAX_PENDING_FDS;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / 4 < sym->max_pending)
		sym->max_pending = rl.rlim_cur / 4;
	sym->proc_root = proc_root;
	sym->flags = flags;
	sym->ns_per_tick = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
	sym->max_bytes = SYM_DEFAULT_BYTES;
	sym->max_unmapped = SYM_DEFAULT_UNMAPPED;
	sym->pids = hashmap__new();
	sym->files = hashmap__new();
	if (!sym->pids || !sym->files) {
		symbolizer__free(sym);
		errno = ENOMEM;
		return NULL;
	}
	return sym;
}

void symbolizer__set_limits(struct symbolizer *sym, size_t bytes,
			    size_t unmapped_files)
{
	sym->max_bytes = bytes;
	sym->max_unmapped = unmapped_files;
}

/* ---- files ---- */

static void sym_lru_unlink(struct symbolizer *sym, struct sym_file *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		sym->lru_head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		sym->lru_tail = f->prev;
	f->prev = f->next = NULL;
}

static void sym_lru_push(struct symbolizer *sym, struct sym_file *f)
{
	f->next = sym->lru_head;
	f->prev = NULL;
	if (sym->lru_head)
		sym->lru_head->prev = f;
	else
		sym->lru_tail = f;
	sym->lru_head = f;
}

/* Takes @f's descriptor opened ahead of reading: it, or -1. */
static int sym_file_take_fd(struct symbolizer *sym, struct sym_file *f)
{
	int fd = f->fd;
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < sym->nr_pending && sym->pending[i] != f; i++)
		;
	if (i < sym->nr_pending) {
		memmove(&sym->pending[i], &sym->pending[i + 1],
			(sym->nr_pending - i - 1) * sizeof(sym->pending[0]));
		sym->nr_pending--;
	}
	f->fd = -1;
	return fd;
}

static void sym_file_close_fd(struct symbolizer *sym, struct sym_file *f)
{
	int fd = sym_file_take_fd(sym, f);

	if (fd >= 0)
		close(fd);
}

/* Lets go of what was read of @f. */
static void sym_file_unread(struct symbolizer *sym, struct sym_file *f)
{
	if (!f->sf)
		return;
	sym_lru_unlink(sym, f);
	sym->lru_bytes -= f->bytes;
	sym->lru_files--;
	if (!f->refs)
		sym->lru_unmapped--;
	symfile__close(f->sf);
	f->sf = NULL;
	f->bytes = 0;
}

static void sym_file_free(struct symbolizer *sym, struct sym_file *f)
{
	sym_file_unread(sym, f);
	sym_file_close_fd(sym, f);
	hashmap__remove(sym->files, f->key, sizeof(f->key));
	free(f);
}

/*
 * Keeps the LRU within its bounds, oldest first; @keep (just read) stays.
 * A file still mapped loses what was read, and is read again if needed.
 */
static void sym_lru_trim(struct symbolizer *sym, struct sym_file *keep)
{
	struct sym_file *f = sym->lru_tail, *prev;

	while (f && (sym->lru_bytes > sym->max_bytes ||
		     sym->lru_unmapped > sym->max_unmapped)) {
		prev = f->prev;
		if (f != keep &&
		    (sym->lru_bytes > sym->max_bytes || !f->refs)) {
			sym->evicted++;
			if (f->refs)
				sym_file_unread(sym, f);
			else
				sym_file_free(sym, f);
		}
		f = prev;
	}
}

/* Drops a reference; a file no image maps goes unless the LRU keeps it. */
static void sym_file_put(struct symbolizer *sym, struct sym_file *f)
{
	if (!f || --f->refs)
		return;
	if (!f->sf) {
		sym_file_free(sym, f);
		return;
	}
	sym->lru_unmapped++;
	sym_lru_trim(sym, NULL);
}

static void sym_add_problem(struct symbolizer *sym, const char *path, int err)
{
	size_t i;

	for (i = 0; i < sym->nr_problems; i++)
		if (!strcmp(sym->problems[i].path, path))
			return;
	if (sym->nr_problems == SYM_MAX_PROBLEMS) {
		sym->more_problems++;
		return;
	}
	sym->problems[sym->nr_problems].path = strdup(path);
	if (!sym->problems[sym->nr_problems].path)
		return;
	sym->problems[sym->nr_problems++].err = err;
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

/*
 * Opens @path if it is the file @key names: a regular file (a FIFO
 * swapped in would block the open, hence O_NONBLOCK) with that inode (a
 * library replaced on disk since is another file). Devices are not
 * compared: the maps and stat() disagree on some filesystems (btrfs
 * subvolumes). The fd, or -1 with errno set.
 */
static int sym_open_checked(const char *path, const uint64_t *key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != key[2]) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/*
 * Opens the file behind @m of @pid: map_files first (deleted files, other
 * mount namespaces; needs CAP_SYS_ADMIN), then the process's root.
 */
static int sym_open_mapping(const struct symbolizer *sym, int pid,
			    const struct map_entry *m, const uint64_t *key)
{
	char path[4200];
	int fd;

	if (!strcmp(m->path, "[vdso]"))
		return sym_open_vdso();
	snprintf(path, sizeof(path), "%s/%d/map_files/%" PRIx64 "-%" PRIx64,
		 sym->proc_root, pid, m->start, m->end);
	fd = sym_open_checked(path, key);
	if (fd >= 0 || m->path[0] != '/')
		return fd;
	snprintf(path, sizeof(path), "%s/%d/root%s", sym->proc_root, pid,
		 m->path);
	return sym_open_checked(path, key);
}

/* Reads @f from @fd (taking it): 0, or -errno (kept in @f for a retry). */
static int sym_file_read(struct symbolizer *sym, struct sym_file *f, int fd)
{
	errno = 0;
	f->sf = symfile__open_fd(fd);
	if (!f->sf) {
		f->err = errno ? -errno : -ENOENT;
		f->tried_ns = sym_now_ns();
		return f->err;
	}
	f->err = 0;
	if (symfile__go_error(f->sf))
		sym_add_problem(sym, f->path, symfile__go_error(f->sf));
	f->bytes = symfile__memory(f->sf);
	sym->lru_bytes += f->bytes;
	sym->lru_files++;
	if (!f->refs)
		sym->lru_unmapped++;
	sym_lru_push(sym, f);
	sym_lru_trim(sym, f);
	return 0;
}

/*
 * The read file behind @f, reading it now if need be: from the
 * descriptor opened at first sight, else through @pid's mapping @m
 * (when given), unless it failed lately. NULL when it cannot be read.
 */
static struct symfile *sym_file_get(struct symbolizer *sym, struct sym_file *f,
				    int pid, const struct map_entry *m)
{
	int fd;

	if (f->sf) {
		if (f != sym->lru_head) {
			sym_lru_unlink(sym, f);
			sym_lru_push(sym, f);
		}
		return f->sf;
	}
	fd = sym_file_take_fd(sym, f);
	if (fd >= 0) {
		sym_file_read(sym, f, fd);
		return f->sf;
	}
	if (f->err && sym_now_ns() - f->tried_ns < SYM_RETRY_NS)
		return NULL;
	if (!m)
		return NULL;
	fd = sym_open_mapping(sym, pid, m, f->key);
	if (fd < 0) {
		f->err = -errno;
		f->tried_ns = sym_now_ns();
		return NULL;
	}
	sym_file_read(sym, f, fd);
	return f->sf;
}

/*
 * The file behind @m of @pid, known or new (with a reference taken); a
 * new one is opened now, while the process runs, but not read. NULL for
 * an anonymous mapping, or out of memory.
 */
static struct sym_file *sym_file_ref(struct symbolizer *sym, int pid,
				     const struct map_entry *m)
{
	bool vdso = !strcmp(m->path, "[vdso]");
	uint64_t key[3] = { m->dev_major, m->dev_minor, m->inode }, *slot;
	size_t len = strlen(m->path) + 1;
	struct sym_file *f;

	if (!m->inode && !vdso)
		return NULL;		/* anonymous: nothing to open */
	if (vdso)
		key[0] = UINT64_MAX;	/* no device has that number */
	slot = hashmap__find(sym->files, key, sizeof(key));
	if (slot) {
		f = (struct sym_file *)(uintptr_t)*slot;
		if (!f->refs++ && f->sf)
			sym->lru_unmapped--;
		return f;
	}
	f = calloc(1, sizeof(*f) + len);
	if (!f)
		return NULL;
	memcpy(f->key, key, sizeof(key));
	memcpy(f->path, m->path, len);
	f->fd = -1;
	f->refs = 1;
	if (!hashmap__add(sym->files, key, sizeof(key), (uintptr_t)f, NULL)) {
		free(f);
		return NULL;
	}
	if (!vdso && sym->nr_pending < sym->max_pending) {
		f->fd = sym_open_mapping(sym, pid, m, key);
		if (f->fd >= 0)
			sym->pending[sym->nr_pending++] = f;
	}
	return f;
}

int symbolizer__work(struct symbolizer *sym, uint64_t budget_ns)
{
	uint64_t t0 = sym_now_ns();

	while (sym->nr_pending) {
		if (sym_now_ns() - t0 >= budget_ns)
			return -EAGAIN;
		sym_file_get(sym, sym->pending[0], 0, NULL);
	}
	return 0;
}

/* ---- processes ---- */

static void sym_proc_free(struct symbolizer *sym, struct sym_proc *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; p->maps && i < maps__count(p->maps); i++)
		sym_file_put(sym, p->files[i]);
	maps__free(p->maps);
	free(p->files);
	free(p);
}

static void sym_pid_free(struct symbolizer *sym, struct sym_pid *sp)
{
	size_t i;

	for (i = 0; i < sp->nr_images; i++)
		sym_proc_free(sym, sp->images[i]);
	free(sp->images);
	free(sp);
}

static int sym_free_pid(const void *key, size_t len, uint64_t value, void *ctx)
{
	(void)key;
	(void)len;
	sym_pid_free(ctx, (struct sym_pid *)(uintptr_t)value);
	return 0;
}

static int sym_free_file(const void *key, size_t len, uint64_t value, void *ctx)
{
	struct sym_file *f = (struct sym_file *)(uintptr_t)value;

	(void)key;
	(void)len;
	(void)ctx;
	symfile__close(f->sf);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
	return 0;
}

void symbolizer__free(struct symbolizer *sym)
{
	size_t i;

	if (!sym)
		return;
	if (sym->pids)
		hashmap__for_each(sym->pids, sym_free_pid, sym);
	if (sym->files)
		hashmap__for_each(sym->files, sym_free_file, NULL);
	for (i = 0; i < sym->nr_problems; i++)
		free(sym->problems[i].path);
	hashmap__free(sym->pids);
	hashmap__free(sym->files);
	free(sym);
}

/* Reads @p's maps, taking a reference on each file: 0, or -errno. */
static int sym_load_maps(struct symbolizer *sym, struct sym_proc *p)
{
	struct maps *maps = maps__load(sym->proc_root, p->pid);
	struct sym_file **files;
	size_t i;

	if (!maps)
		return -errno;
	files = calloc(maps__count(maps) + 1, sizeof(files[0]));
	if (!files) {
		maps__free(maps);
		return -ENOMEM;
	}
	for (i = 0; i < maps__count(maps); i++)
		files[i] = sym_file_ref(sym, p->pid, maps__entry(maps, i));
	for (i = 0; p->maps && i < maps__count(p->maps); i++)
		sym_file_put(sym, p->files[i]);
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
	if (err) {
		sym_proc_free(sym, p);
		errno = -err;
		return NULL;
	}
	sym_image_id(sym, p);
	sym_read_comm(sym, p);
	return p;
}

/* When @pid started, in clock ticks after boot; 0 when unknown. */
static uint64_t sym_read_start(const struct symbolizer *sym, int pid)
{
	uint64_t start;

	return proc_start_ticks(sym->proc_root, pid, &start) ? 0 : start;
}

static void sym_key(const struct symbolizer *sym, const struct sym_who *who,
		    struct sym_pid_key *key)
{
	memset(key, 0, sizeof(*key));
	key->pid = who->pid;
	/* the tick /proc/PID/stat rounds the same start time down to */
	if (sym->flags & SYM_WITH_START)
		key->start = who->start_ns / sym->ns_per_tick;
}

static struct sym_pid *sym_pid_find(const struct symbolizer *sym,
				    const struct sym_who *who)
{
	struct sym_pid_key key;
	uint64_t *slot;

	sym_key(sym, who, &key);
	slot = hashmap__find(sym->pids, &key, sizeof(key));
	return slot ? (struct sym_pid *)(uintptr_t)*slot : NULL;
}

static struct sym_pid *sym_pid_get_key(struct symbolizer *sym,
				       const struct sym_pid_key *key)
{
	uint64_t *slot = hashmap__find(sym->pids, key, sizeof(*key));
	struct sym_pid *sp;

	if (slot)
		return (struct sym_pid *)(uintptr_t)*slot;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->key = *key;
	if (!hashmap__add(sym->pids, key, sizeof(*key), (uintptr_t)sp, NULL)) {
		free(sp);
		return NULL;
	}
	return sp;
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
	struct sym_proc *p, *last;
	int tries = 0;

	for (;;) {
		p = sym_proc_new(sym, sp->key.pid);
		if (!p)
			return -errno;
		if (!p->exe_id[1] || p->exe_id[2])
			break;		/* complete (or no executable to map) */
		sym_proc_free(sym, p);
		if (++tries > retries) {
			sp->pending = true;
			return 0;
		}
		nanosleep(&wait, NULL);
	}
	sp->pending = false;
	last = sp->nr_images ? sp->images[sp->nr_images - 1] : NULL;
	if (last && !memcmp(last->exe_id, p->exe_id, sizeof(p->exe_id))) {
		sym_proc_free(sym, p);	/* the same image */
		return 0;
	}
	if (array_grow(&sp->images, &sp->cap_images, sp->nr_images, 1,
		       sizeof(sp->images[0]))) {
		sym_proc_free(sym, p);
		return -ENOMEM;
	}
	sp->images[sp->nr_images++] = p;
	if (last)
		last->superseded = true;
	return 0;
}

int symbolizer__add_pid(struct symbolizer *sym, int pid)
{
	struct sym_pid_key key = { .pid = pid };
	struct sym_pid *sp;

	if (sym->flags & SYM_WITH_START) {
		key.start = sym_read_start(sym, pid);
		if (!key.start)
			return -ENOENT;
	}
	sp = sym_pid_get_key(sym, &key);
	if (!sp)
		return -ENOMEM;
	return sp->nr_images ? 0 : sym_pid_read_image(sym, sp, SYM_EXEC_RETRIES);
}

int symbolizer__see(struct symbolizer *sym, const struct sym_who *who)
{
	struct sym_pid_key key;
	struct sym_pid *sp;
	size_t i;

	sym_key(sym, who, &key);
	sp = sym_pid_get_key(sym, &key);
	if (!sp)
		return -ENOMEM;
	for (i = 0; i < sp->nr_gens; i++)
		if (sp->gens[i] == who->gen)
			return 0;
	if (sp->nr_gens == SYM_MAX_GENS)
		return 0;	/* an exec storm: later ones share the newest */
	/* kept ascending; a wrapped counter would take 65536 execs */
	for (i = sp->nr_gens; i > 0 && sp->gens[i - 1] > who->gen; i--)
		sp->gens[i] = sp->gens[i - 1];
	sp->gens[i] = who->gen;
	sp->nr_gens++;
	/* a process reaped, or gone, is not read again (its pid may be reused) */
	if (sp->life != SYM_RUNNING)
		return 0;
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
static struct sym_proc *sym_proc_find(struct symbolizer *sym,
				      const struct sym_who *who)
{
	struct sym_pid *sp = sym_pid_find(sym, who);

	if (sp && sp->pending && sp->life == SYM_RUNNING)
		sym_pid_read_image(sym, sp, 0);
	return sym_proc_pick(sp, who->gen);
}

const char *symbolizer__comm(const struct symbolizer *sym,
			     const struct sym_who *who)
{
	struct sym_proc *p = sym_proc_pick(sym_pid_find(sym, who), who->gen);

	return p ? p->comm : "";
}

/* ---- reaping ---- */

/* Whether @sp's process still runs: the same pid, started at the same time. */
static bool sym_pid_alive(const struct symbolizer *sym,
			  const struct sym_pid *sp)
{
	if (sp->key.start)
		return sym_read_start(sym, sp->key.pid) == sp->key.start;
	return kill(sp->key.pid, 0) == 0 || errno == EPERM;
}

struct sym_reap_ctx {
	struct symbolizer *sym;
	void (*fn)(const struct sym_who *who, void *ctx);
	void *ctx;
	size_t reported;
};

static int sym_reap_one(const void *key, size_t len, uint64_t value, void *ctx)
{
	struct sym_pid *sp = (struct sym_pid *)(uintptr_t)value;
	struct sym_reap_ctx *c = ctx;
	struct sym_who who = { .pid = sp->key.pid };

	(void)key;
	(void)len;
	if (sp->life == SYM_GONE) {
		sp->life = SYM_REAPED;
		who.start_ns = sp->key.start * c->sym->ns_per_tick;
		c->fn(&who, c->ctx);
		c->reported++;
	} else if (sp->life == SYM_RUNNING && !sym_pid_alive(c->sym, sp)) {
		sp->life = SYM_GONE;
	}
	return 0;
}

size_t symbolizer__reap(struct symbolizer *sym,
			void (*fn)(const struct sym_who *who, void *ctx),
			void *ctx)
{
	struct sym_reap_ctx c = { sym, fn, ctx, 0 };

	symbolizer__forget_reaped(sym);
	hashmap__for_each(sym->pids, sym_reap_one, &c);
	return c.reported;
}

static int sym_is_reaped(const void *key, size_t len, uint64_t value, void *ctx)
{
	struct sym_pid *sp = (struct sym_pid *)(uintptr_t)value;

	(void)key;
	(void)len;
	if (sp->life != SYM_REAPED)
		return 0;
	sym_pid_free(ctx, sp);
	return 1;
}

void symbolizer__forget_reaped(struct symbolizer *sym)
{
	sym->reaped += hashmap__remove_if(sym->pids, sym_is_reaped, sym);
}

/* ---- lookups ---- */

static const struct map_entry *sym_lookup(struct symbolizer *sym,
					  const struct sym_proc *p,
					  uint64_t addr, struct symfile **file)
{
	const struct map_entry *m = maps__find(p->maps, addr);
	struct sym_file *f = m ? p->files[m - maps__entry(p->maps, 0)] : NULL;

	*file = f ? sym_file_get(sym, f, p->pid, m) : NULL;
	return m;
}

/*
 * A miss re-reads the maps (a library dlopen'ed since), at most this
 * often per image: an address in no mapping at all (a walk gone astray)
 * must not cost a read of /proc each time it comes.
 */
#define SYM_RELOAD_NS	(1000ULL * 1000 * 1000)

/* The file and link-time address behind @addr of @p, or NULL. */
static struct symfile *sym_locate(struct symbolizer *sym, struct sym_proc *p,
				  uint64_t addr, const struct map_entry **map,
				  uint64_t *vaddr)
{
	struct symfile *file = NULL;

	*map = sym_lookup(sym, p, addr, &file);
	/* only the image the process runs now can have grown since */
	if (!*map && !p->superseded &&
	    (!p->reloaded_ns || sym_now_ns() - p->reloaded_ns >= SYM_RELOAD_NS)) {
		p->reloaded_ns = sym_now_ns();	/* dlopen since it was read */
		if (!sym_load_maps(sym, p))
			*map = sym_lookup(sym, p, addr, &file);
	}
	if (!*map || !file ||
	    symfile__vaddr(file, (*map)->start, (*map)->offset, addr, vaddr))
		return NULL;
	return file;
}

int symbolizer__resolve(struct symbolizer *sym, const struct sym_who *who,
			uint64_t addr, struct frame_info *out)
{
	struct sym_proc *p = sym_proc_find(sym, who);
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

/* The file holding @addr of @who and the address in it, or NULL. */
static struct symfile *sym_file_at(struct symbolizer *sym,
				   const struct sym_who *who, uint64_t addr,
				   uint64_t *vaddr)
{
	struct sym_proc *p = sym_proc_find(sym, who);
	const struct map_entry *map;

	return p ? sym_locate(sym, p, addr, &map, vaddr) : NULL;
}

int symbolizer__sp_delta(struct symbolizer *sym, const struct sym_who *who,
			 uint64_t addr, int64_t *delta)
{
	uint64_t vaddr;
	struct symfile *file = sym_file_at(sym, who, addr, &vaddr);

	return file ? symfile__sp_delta(file, vaddr, delta) : -ENOENT;
}

int symbolizer__fp_delta(struct symbolizer *sym, const struct sym_who *who,
			 uint64_t addr, int64_t *delta)
{
	uint64_t vaddr;
	struct symfile *file = sym_file_at(sym, who, addr, &vaddr);

	return file ? symfile__fp_delta(file, vaddr, delta) : -ENOENT;
}

void symbolizer__stats(const struct symbolizer *sym, struct symbolizer_stats *st)
{
	st->processes = hashmap__count(sym->pids);
	st->files = hashmap__count(sym->files);
	st->files_read = sym->lru_files;
	st->file_bytes = sym->lru_bytes;
	st->open_fds = sym->nr_pending;
	st->evicted = sym->evicted;
	st->reaped = sym->reaped;
}

void symbolizer__for_each_problem(const struct symbolizer *sym,
				  void (*fn)(const char *path, int err, void *ctx),
				  void *ctx)
{
	size_t i;

	for (i = 0; i < sym->nr_problems; i++)
		fn(sym->problems[i].path, sym->problems[i].err, ctx);
	if (sym->more_problems)
		fn(NULL, (int)sym->more_problems, ctx);
}

int symbolizer__exe_map(struct symbolizer *sym, const struct sym_who *who,
			const struct map_entry **map)
{
	struct sym_proc *p = sym_proc_find(sym, who);
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
