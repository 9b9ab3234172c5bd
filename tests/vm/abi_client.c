// SPDX-License-Identifier: GPL-2.0-only
/*
 * abi_client - exercises /dev/ksampler's ioctl contract directly, the way
 * any client could, and prints TAP. Runs as root in the guest with the
 * module loaded.
 *
 *   abi_client [DEVICE]
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#include "tap.h"

/* Issues @cmd on @arg; returns 0 or the errno it failed with. */
static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static void test_device_node(const char *path)
{
	struct stat st;

	check(stat(path, &st) == 0, "%s exists", path);
	check(S_ISCHR(st.st_mode), "%s is a character device", path);
	check((st.st_mode & 07777) == 0600, "%s has mode 0600 (got %04o)", path,
	      st.st_mode & 07777);
	check(st.st_uid == 0 && st.st_gid == 0, "%s is owned by root:root", path);
	check(major(st.st_rdev) == 10, "%s is a misc device (major 10)", path);
}

static void test_get_version(int fd)
{
	struct ksampler_version v;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	check(ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, &v) == 0,
	      "GET_VERSION succeeds");
	check(v.size == KSAMPLER_VERSION_SIZE_VER0, "GET_VERSION reports size %u",
	      v.size);
	check(v.abi_major == KSAMPLER_ABI_MAJOR && v.abi_minor == KSAMPLER_ABI_MINOR,
	      "ABI is %u.%u (header says %d.%d)", v.abi_major, v.abi_minor,
	      KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR);
	check(v.nr_cpu_ids >= 1 && (long)v.nr_cpu_ids >= ncpu,
	      "nr_cpu_ids %u covers the %ld configured CPUs", v.nr_cpu_ids, ncpu);
	check(v.page_size == (unsigned int)getpagesize(), "page size %u",
	      v.page_size);
	check(v.features == (KSAMPLER_FEAT_SAMPLING | KSAMPLER_FEAT_EXEC_GEN |
			    KSAMPLER_FEAT_LIVE_STATS | KSAMPLER_FEAT_CPU_STATUS |
			    KSAMPLER_FEAT_STACK_SWITCH),
	      "features are exactly SAMPLING | EXEC_GEN | LIVE_STATS | CPU_STATUS | STACK_SWITCH (0x%llx)",
	      (unsigned long long)v.features);
	check(memchr(v.module_version, 0, sizeof(v.module_version)) &&
	      v.module_version[0] != 0,
	      "module version is a terminated string: '%s'",
	      (const char *)v.module_version);
}

/* A newer caller with a bigger struct gets zeroes past the module's size. */
static void test_bigger_caller(int fd)
{
	unsigned char buf[KSAMPLER_VERSION_SIZE_VER0 + 64];
	struct ksampler_version *v = (void *)buf;
	size_t i;
	int tail_zero = 1;

	memset(buf, 0xa5, sizeof(buf));
	v->size = sizeof(buf);
	check(ioctl_errno(fd, _IOWR(KSAMPLER_IOC_MAGIC, 0x00, buf), buf) == 0,
	      "GET_VERSION accepts a %zu-byte struct from a newer caller",
	      sizeof(buf));
	for (i = KSAMPLER_VERSION_SIZE_VER0; i < sizeof(buf); i++)
		tail_zero &= buf[i] == 0;
	check(tail_zero, "bytes past the module's struct are zeroed");
	check(v->size == KSAMPLER_VERSION_SIZE_VER0,
	      "size written back is the module's (%u)", v->size);
}

static void test_bad_sizes(int fd)
{
	static const uint32_t bad[] = {
		0, 4, KSAMPLER_VERSION_SIZE_VER0 - 1,
		KSAMPLER_MAX_STRUCT_SIZE + 1, UINT32_MAX,
	};
	unsigned char buf[KSAMPLER_MAX_STRUCT_SIZE + 8];
	size_t i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &bad[i], sizeof(bad[i]));
		err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, buf);
		check(err == EINVAL, "size %u is refused with EINVAL (got %s)",
		      bad[i], strerror(err));
	}
}

static void test_unknown_commands(int fd)
{
	struct ksampler_version v = { .size = sizeof(v) };
	int err;

	err = ioctl_errno(fd, _IOWR(KSAMPLER_IOC_MAGIC, 0x7f, v), &v);
	check(err == ENOTTY, "unknown command number: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IOWR('T', 0x00, v), &v);
	check(err == ENOTTY, "foreign ioctl magic: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IOR(KSAMPLER_IOC_MAGIC, 0x00, v), &v);
	check(err == ENOTTY, "GET_VERSION with the wrong direction: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, _IO(KSAMPLER_IOC_MAGIC, 0x00), &v);
	check(err == ENOTTY, "GET_VERSION encoded as _IO: ENOTTY (got %s)",
	      strerror(err));
	err = ioctl_errno(fd, TCGETS, &v);
	check(err == ENOTTY, "TCGETS: ENOTTY (got %s)", strerror(err));
}

static void test_bad_pointers(int fd)
{
	struct ksampler_version *ro;
	int err;

	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, NULL);
	check(err == EFAULT, "NULL argument: EFAULT (got %s)", strerror(err));
	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION,
			  (void *)0xffffffff81000000ul);
	check(err == EFAULT, "kernel-address argument: EFAULT (got %s)",
	      strerror(err));

	/* readable size, unwritable struct: the copy-out must fail cleanly */
	ro = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		check(0, "mmap for the read-only struct test: %s", strerror(errno));
		return;
	}
	ro->size = sizeof(*ro);
	mprotect(ro, getpagesize(), PROT_READ);
	err = ioctl_errno(fd, KSAMPLER_IOC_GET_VERSION, ro);
	check(err == EFAULT, "read-only struct: EFAULT (got %s)", strerror(err));
	munmap(ro, getpagesize());
}

/* Anyone but root is turned away by the node's mode, before any ioctl. */
static void test_unprivileged_open(const char *path)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (open(path, O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "uid 65534 cannot open %s (EACCES; child status %d)", path,
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_two_opens(const char *path)
{
	struct ksampler_version v = { .size = sizeof(v) };
	int a = open(path, O_RDWR), b = open(path, O_RDWR);

	check(a >= 0 && b >= 0, "two opens at once");
	check(ioctl_errno(b, KSAMPLER_IOC_GET_VERSION, &v) == 0 &&
	      ioctl_errno(a, KSAMPLER_IOC_GET_VERSION, &v) == 0,
	      "both answer GET_VERSION");
	check(lseek(a, 0, SEEK_SET) < 0 && errno == ESPIPE,
	      "the device is not seekable (ESPIPE)");
	close(a);
	close(b);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : KSAMPLER_DEVICE_PATH;
	int fd;

	test_device_node(path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	check(fd >= 0, "root opens %s", path);
	if (fd < 0) {
		return tap_plan();
	}
	test_get_version(fd);
	test_bigger_caller(fd);
	test_bad_sizes(fd);
	test_unknown_commands(fd);
	test_bad_pointers(fd);
	close(fd);
	test_two_opens(path);
	test_unprivileged_open(path);

	return tap_plan();
}
