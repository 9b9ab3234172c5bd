/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ksampler_uapi.h - the ABI between ksampler.ko and its userspace collector.
 *
 * This header is the single source of truth for both sides. Rules:
 *  - only fixed-width types, explicit reserved fields, no packed structs;
 *  - every struct passed by ioctl starts with "__u32 size", the caller's
 *    idea of sizeof(struct); structs only ever grow by appending, and the
 *    KSAMPLER_*_SIZE_VER* ladder records each published size;
 *  - ioctl numbers are never reused; a retired one stays here as a comment.
 *
 * Size negotiation (the same for every ioctl):
 *  - input:  the module reads min(size, its own size) bytes and requires
 *            any bytes beyond its own size to be zero (-E2BIG otherwise,
 *            the copy_struct_from_user() contract);
 *  - output: the module writes min(size, its own size) bytes and zeroes
 *            the rest of the caller's struct, so fields the running module
 *            does not know read as zero;
 *  - size below the first published size, or above KSAMPLER_MAX_STRUCT_SIZE,
 *    is -EINVAL.
 * ioctl commands are matched on type, number and direction only: the size
 * bits of the command encode the caller's struct size at compile time and
 * may grow with it.
 */
#ifndef _UAPI_KSAMPLER_H
#define _UAPI_KSAMPLER_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * ABI version. The major changes only on an incompatible change, which we
 * intend never to make; the minor grows with every appended field or
 * new ioctl. A collector refuses a module whose major differs from its own.
 */
#define KSAMPLER_ABI_MAJOR	1
#define KSAMPLER_ABI_MINOR	6

#define KSAMPLER_DEVICE_NAME	"ksampler"
#define KSAMPLER_DEVICE_PATH	"/dev/ksampler"

/* Not registered in ioctl-number.rst; unused there as of Linux 6.12. */
#define KSAMPLER_IOC_MAGIC	0xB8

/* Upper bound on any "size" field: anything larger is a caller bug. */
#define KSAMPLER_MAX_STRUCT_SIZE	4096

/* ksampler_version.features bits: what this module build can do. */
#define KSAMPLER_FEAT_SAMPLING		(1ULL << 0)	/* ABI 1.1 ioctls */
#define KSAMPLER_FEAT_EXEC_GEN		(1ULL << 1)	/* ABI 1.2: sample exec_gen */
#define KSAMPLER_FEAT_LIVE_STATS	(1ULL << 2)	/* ABI 1.3: stats live_* */
#define KSAMPLER_FEAT_CPU_STATUS	(1ULL << 3)	/* ABI 1.4: stats cpus_* */
#define KSAMPLER_FEAT_STACK_SWITCH	(1ULL << 4)	/* ABI 1.5: walks cross stacks */
#define KSAMPLER_FEAT_PROC_START	(1ULL << 5)	/* ABI 1.6: CONFIG_PROC_START */

#define KSAMPLER_VERSION_STRING_LEN	32

/**
 * struct ksampler_version - KSAMPLER_IOC_GET_VERSION payload
 * @size:		in: caller's sizeof(struct); out: bytes written
 * @abi_major:		KSAMPLER_ABI_MAJOR of the running module
 * @abi_minor:		KSAMPLER_ABI_MINOR of the running module
 * @nr_cpu_ids:		highest possible CPU number + 1 (sizes per-CPU arrays)
 * @page_size:		kernel page size in bytes (mmap granularity)
 * @features:		KSAMPLER_FEAT_* bits
 * @module_version:	NUL-terminated module release, e.g. "0.1.0"
 */
struct ksampler_version {
	__u32 size;
	__u16 abi_major;
	__u16 abi_minor;
	__u32 nr_cpu_ids;
	__u32 page_size;
	__u64 features;
	__u8  module_version[KSAMPLER_VERSION_STRING_LEN];
};

#define KSAMPLER_VERSION_SIZE_VER0	56	/* ABI 1.0 */

/*
 * A session is one open file of the device: configure it, add targets,
 * mmap its rings, start it; closing the file (or the process dying) ends
 * it and frees everything. Every permission question is answered for the
 * credentials the file was opened with. open() fails with -EBUSY when a
 * user without CAP_PERFMON already holds max_user_sessions sessions, or
 * such users together hold max_sessions (module parameters).
 */

/* Events (ksampler_config.event). */
enum ksampler_event {
	KSAMPLER_EVENT_CPU_CLOCK = 0,	/* hrtimer; works everywhere, VMs too */
	KSAMPLER_EVENT_CYCLES = 1,	/* hardware PMU; the handler runs in NMI */
	KSAMPLER_EVENT_MAX,		/* non-ABI */
};

#define KSAMPLER_DEFAULT_MAX_FRAMES	127
#define KSAMPLER_MAX_FRAMES		512

/**
 * struct ksampler_config - KSAMPLER_IOC_CONFIGURE payload
 * @size:		caller's sizeof(struct)
 * @flags:		KSAMPLER_CONFIG_*
 * @event:		enum ksampler_event
 * @max_frames:		deepest stack recorded, 1..KSAMPLER_MAX_FRAMES;
 *			0 means KSAMPLER_DEFAULT_MAX_FRAMES
 * @frequency:		samples per second per CPU, at most the module's
 *			max_frequency; exactly one of @frequency and
 *			@period is non-zero
 * @period:		nanoseconds (cpu-clock) or cycles between samples,
 *			below 2^63, and no shorter than max_frequency
 *			allows: 1e9 / max_frequency ns (never below 10 us)
 *			for cpu-clock, 5e9 / max_frequency cycles (as if
 *			at 5 GHz) for cycles; -EINVAL otherwise
 * @ring_pages:		data pages in each CPU's ring, a power of two;
 *			0 means the module's default (parameter ring_pages)
 * @wakeup_bytes:	poll() reports a ring readable once it holds this
 *			many bytes; 0 means half the ring. Capped at the
 *			fill where the ring may start dropping (its size
 *			less two of the largest records, plus 8), so a
 *			ring that drops always reads as readable
 *
 * Allowed before START, and again after STOP while no ring is mmap'ed and
 * no read() is in progress (-EBUSY otherwise). The rings are charged to
 * the opener's memory cgroup; for a user without CAP_PERFMON, all its
 * sessions' rings together must also fit in the module's max_user_ring_mb
 * (-ENOMEM otherwise).
 */
struct ksampler_config {
	__u32 size;
	__u32 flags;
	__u32 event;
	__u32 max_frames;
	__u64 frequency;
	__u64 period;
	__u32 ring_pages;
	__u32 wakeup_bytes;
};

#define KSAMPLER_CONFIG_SIZE_VER0	40	/* ABI 1.1 */

/*
 * ksampler_config.flags: NO_UNWIND records the leaf and the registers of
 * each sample but walks no frames (the cheapest sample; the leaf fix-up
 * can still name the caller). COUNT_ONLY (ABI 1.2; for benchmarks) writes
 * nothing: each interrupt on a target only counts in ksampler_stats
 * .counted, the floor any perf-event sampler pays for its interrupt.
 * PROC_START (ABI 1.6, KSAMPLER_FEAT_PROC_START) puts the process's start
 * time in every SAMPLE record (proc_start_ns, SAMPLE_PROC_START), which
 * with pid and exec_gen names one image until the system reboots: pid
 * and exec_gen alone repeat when a pid is reused, since a child inherits
 * its parent's exec_gen. Any other bit is -EINVAL.
 */
#define KSAMPLER_CONFIG_NO_UNWIND	(1U << 0)
#define KSAMPLER_CONFIG_COUNT_ONLY	(1U << 1)
#define KSAMPLER_CONFIG_PROC_START	(1U << 2)

/*
 * ksampler_target.flags: CHILDREN adds the process's descendants; ALL is
 * every user task (needs CAP_PERFMON or CAP_SYS_ADMIN).
 */
#define KSAMPLER_TARGET_CHILDREN	(1U << 0)
#define KSAMPLER_TARGET_ALL		(1U << 1)

/**
 * struct ksampler_target - KSAMPLER_IOC_ADD_TARGET / DEL_TARGET payload
 * @size:	caller's sizeof(struct)
 * @flags:	KSAMPLER_TARGET_*
 * @pid:	any thread of the process, in the pid namespace of whoever
 *		opened the device (ignored with KSAMPLER_TARGET_ALL); the
 *		file's credentials must allow reading it as ptrace does
 *		(PTRACE_MODE_READ_REALCREDS, without LSMs)
 * @reserved:	must be 0
 *
 * A target is the process, not the number: all of its threads, those
 * created later included, and never whatever reuses its pid after exit.
 * ADD_TARGET: -ESRCH if the process has exited (even if only just now),
 * -EPERM without the right, -EEXIST if already a target, -ENOSPC when 64
 * live targets are set (targets that have exited give their slots up).
 * KSAMPLER_TARGET_ALL needs CAP_PERFMON or CAP_SYS_ADMIN in the file's
 * credentials. DEL_TARGET takes the process's id (valid after it exited
 * too) or the id of any of its live threads; -ENOENT if it names no
 * target.
 */
struct ksampler_target {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__u32 reserved;
};

#define KSAMPLER_TARGET_SIZE_VER0	16	/* ABI 1.1 */

#define KSAMPLER_STATS_ALL_CPUS		0xffffffffU

/**
 * struct ksampler_stats - KSAMPLER_IOC_GET_STATS payload
 * @size:		caller's sizeof(struct)
 * @cpu:		in: one CPU, or KSAMPLER_STATS_ALL_CPUS for the sum
 * @fired:		times the sampling interrupt ran the handler
 * @written:		SAMPLE records committed to the ring
 * @lost_ring_full:	samples dropped: no room in the ring
 * @lost_nested:	samples dropped: the handler interrupted itself on
 *			this CPU (an NMI over a cpu-clock handler)
 * @filtered:		interrupts that hit a task not targeted (kernel
 *			threads, other processes)
 * @throttled:		times the kernel throttled the event for taking too
 *			much CPU; samples it suppressed never fired
 * @truncated:		written samples whose stack hit max_frames
 * @unwind_stopped:	written samples whose walk stopped early for any
 *			reason but max_frames (the sum of the four below)
 * @handler_ns:		time spent in the handler, all interrupts included
 * @lost_records:	LOST records written (losses reported in-band)
 * @counted:		interrupts on a target that KSAMPLER_CONFIG_COUNT_ONLY
 *			only counted (ABI 1.2)
 * @live_sessions:	module-wide (ABI 1.3): open sessions, the caller's
 *			included
 * @live_ring_bytes:	module-wide: bytes of ring memory allocated
 * @live_events:	module-wide: perf events created and not yet released
 * @live_pid_refs:	module-wide: references held on targets' pids
 * @live_objects:	module-wide: every other allocation a session owns
 *			beyond its own (per-CPU arrays, target sets)
 * @cpus_sampling:	online CPUs where the running session samples (ABI
 *			1.4; 0 when not running; all CPUs whatever @cpu)
 * @cpus_failed:	online CPUs where the running session does not: its
 *			event could not be created when the CPU came online,
 *			or the PMU took its counter away (cycles)
 * @unwind_fault:	written samples whose walk stopped at a frame that
 *			did not read (ABI 1.5; these four split
 *			@unwind_stopped by reason)
 * @unwind_bad_frame:	... at a misaligned frame pointer, one into kernel
 *			addresses, or a return address no user code has
 * @unwind_loop:	... at a frame pointer back into frames already walked
 * @unwind_switch_limit: ... at one stack switch more than the walk follows
 * @stack_switched:	written samples whose walk crossed from one stack to
 *			another (Go's g0 and goroutine stacks, cgo calls)
 *
 * Invariant: fired == written + lost_ring_full + lost_nested + filtered
 * + counted. The live_* fields are the module's leak detector: with no
 * other session open, a fresh session reads live_sessions == 1 and zero
 * in the other four. The per-CPU selection in @cpu does not apply to them.
 *
 * A session opened without CAP_SYS_PTRACE, CAP_PERFMON or CAP_SYS_ADMIN
 * counts as filtered every interrupt on a target the opener could no
 * longer ptrace: one whose credentials changed (setuid exec, setresuid)
 * or a descendant (KSAMPLER_TARGET_CHILDREN) run by another user.
 */
struct ksampler_stats {
	__u32 size;
	__u32 cpu;
	__u64 fired;
	__u64 written;
	__u64 lost_ring_full;
	__u64 lost_nested;
	__u64 filtered;
	__u64 throttled;
	__u64 truncated;
	__u64 unwind_stopped;
	__u64 handler_ns;
	__u64 lost_records;
	__u64 counted;
	__u64 live_sessions;
	__u64 live_ring_bytes;
	__u64 live_events;
	__u64 live_pid_refs;
	__u64 live_objects;
	__u32 cpus_sampling;
	__u32 cpus_failed;
	__u64 unwind_fault;
	__u64 unwind_bad_frame;
	__u64 unwind_loop;
	__u64 unwind_switch_limit;
	__u64 stack_switched;
};

#define KSAMPLER_STATS_SIZE_VER0	88	/* ABI 1.1 */
#define KSAMPLER_STATS_SIZE_VER1	96	/* ABI 1.2: counted */
#define KSAMPLER_STATS_SIZE_VER2	136	/* ABI 1.3: live_* */
#define KSAMPLER_STATS_SIZE_VER3	144	/* ABI 1.4: cpus_* */
#define KSAMPLER_STATS_SIZE_VER4	184	/* ABI 1.5: unwind_* reasons */

/*
 * ioctl numbers: 0x00 GET_VERSION, 0x01 CONFIGURE, 0x02 ADD_TARGET,
 * 0x03 DEL_TARGET, 0x04 START, 0x05 STOP, 0x06 GET_STATS.
 */
#define KSAMPLER_IOC_GET_VERSION \
	_IOWR(KSAMPLER_IOC_MAGIC, 0x00, struct ksampler_version)
#define KSAMPLER_IOC_CONFIGURE \
	_IOW(KSAMPLER_IOC_MAGIC, 0x01, struct ksampler_config)
#define KSAMPLER_IOC_ADD_TARGET \
	_IOW(KSAMPLER_IOC_MAGIC, 0x02, struct ksampler_target)
#define KSAMPLER_IOC_DEL_TARGET \
	_IOW(KSAMPLER_IOC_MAGIC, 0x03, struct ksampler_target)
#define KSAMPLER_IOC_START		_IO(KSAMPLER_IOC_MAGIC, 0x04)
#define KSAMPLER_IOC_STOP		_IO(KSAMPLER_IOC_MAGIC, 0x05)
#define KSAMPLER_IOC_GET_STATS \
	_IOWR(KSAMPLER_IOC_MAGIC, 0x06, struct ksampler_stats)

/*
 * The rings: one per possible CPU, each a control page and ring_pages data
 * pages, mmap'ed separately at these page offsets:
 *
 *   control page (read-write, one page):   KSAMPLER_MMAP_CTRL_PGOFF(cpu)
 *   data pages (read-only, ring_pages):    KSAMPLER_MMAP_DATA_PGOFF(cpu)
 *
 * The protocol is perf's: data_head and data_tail run free as 64-bit byte
 * counts; a record starts at (position & (data_size - 1)) and never wraps
 * (a PAD record fills the end of the buffer instead). The kernel writes
 * records, then publishes data_head; userspace reads records up to
 * data_head, then publishes data_tail. The kernel side is ks_ring_commit()
 * in kmod/ring.c. Userspace must:
 *
 *   head = load-acquire(&ctrl->data_head);       (C) pairs with kernel (B)
 *   ... read records in [tail, head) ...
 *   store-release(&ctrl->data_tail, tail);       (D) pairs with kernel (A)
 *
 * Both mappings must be MAP_SHARED (-EINVAL otherwise): the kernel reads
 * data_tail from the page userspace writes.
 *
 * The kernel never trusts the control page: it keeps its own head, and a
 * data_tail outside [head - size, head] is clamped, which can only cost
 * the caller its own unread records. read() on the device is an
 * alternative to mmap (it copies whole records and advances data_tail
 * itself); do not mix the two on one session. A data_tail set by hand
 * into the middle of a record makes read() return what lies there.
 */
#define KSAMPLER_MMAP_CTRL_PGOFF(cpu)	(2ULL * (cpu))
#define KSAMPLER_MMAP_DATA_PGOFF(cpu)	(2ULL * (cpu) + 1)

/**
 * struct ksampler_ring_ctrl - a ring's control page
 * @data_head:	written by the kernel: end of the committed records
 * @data_tail:	written by userspace: end of the records it has consumed
 * @data_size:	bytes in the data pages (a power of two)
 * @cpu:	the CPU whose samples this ring holds
 *
 * Head and tail sit on separate 64-byte cache lines so that producer and
 * consumer do not bounce one line between them.
 */
struct ksampler_ring_ctrl {
	__u64 data_head;
	__u64 reserved0[7];
	__u64 data_tail;
	__u64 reserved1[7];
	__u64 data_size;
	__u32 cpu;
	__u32 reserved2;
};

/* Records. Every record starts with this header and is 8-byte aligned. */
struct ksampler_record_header {
	__u32 size;	/* bytes, header included; a multiple of 8 */
	__u16 type;	/* enum ksampler_record_type */
	__u16 flags;	/* per type */
};

enum ksampler_record_type {
	KSAMPLER_RECORD_SAMPLE = 1,
	KSAMPLER_RECORD_LOST = 2,
	KSAMPLER_RECORD_PAD = 3,
	KSAMPLER_RECORD_MAX,		/* non-ABI */
};

/*
 * SAMPLE header flags:
 * TRUNCATED	the stack is deeper than max_frames
 * FAULT	the walk stopped at unreadable memory
 * BAD_FRAME	the walk stopped at an invalid frame: a misaligned frame
 *		pointer, one into kernel addresses, or a return address no
 *		user code can have
 * LOOP		the walk stopped at a frame pointer into frames it had
 *		already walked (ABI 1.5)
 * SWITCH_LIMIT	the walk stopped at one stack switch more than it follows
 *		(ABI 1.5)
 * SWITCHED	the walk crossed from one stack to another, as Go does
 *		(g0 and goroutine stacks) (ABI 1.5)
 * IN_KERNEL	the interrupt hit a syscall or fault: the registers are the
 *		user ones saved at kernel entry
 * SP_WORD	sp_word is valid
 * COMPAT	a 32-bit task: only the leaf IP is recorded
 * PROC_START	the record carries proc_start_ns (ABI 1.6): set on every
 *		SAMPLE of a session configured with CONFIG_PROC_START, and
 *		on none of any other session
 */
#define KSAMPLER_SAMPLE_TRUNCATED	(1U << 0)
#define KSAMPLER_SAMPLE_FAULT		(1U << 1)
#define KSAMPLER_SAMPLE_BAD_FRAME	(1U << 2)
#define KSAMPLER_SAMPLE_IN_KERNEL	(1U << 3)
#define KSAMPLER_SAMPLE_SP_WORD		(1U << 4)
#define KSAMPLER_SAMPLE_COMPAT		(1U << 5)
#define KSAMPLER_SAMPLE_LOOP		(1U << 6)
#define KSAMPLER_SAMPLE_SWITCH_LIMIT	(1U << 7)
#define KSAMPLER_SAMPLE_SWITCHED	(1U << 8)
#define KSAMPLER_SAMPLE_PROC_START	(1U << 9)

/*
 * struct ksampler_sample - a SAMPLE record:
 *
 *	struct ksampler_record_header header;
 *	__u64 time_ns;		CLOCK_MONOTONIC
 *	__u32 pid;		thread group id, in the session opener's
 *	__u32 tid;		pid namespace (0 if not visible there)
 *	__u32 cpu;
 *	__u16 nr_frames;	entries in ips[]
 *	__u16 exec_gen;		changes when the process execs (ABI 1.2;
 *				0 before): which image the addresses are in;
 *				a child starts with its parent's
 *	__u64 user_ip;		user registers at the sample, for repairing
 *	__u64 user_sp;		the caller a frameless leaf hides
 *	__u64 user_bp;
 *	__u64 sp_word;		the word at user_sp (if SAMPLE_SP_WORD)
 *	__u8  comm[16];		thread name, NUL-padded
 *	__u64 proc_start_ns;	only with SAMPLE_PROC_START (ABI 1.6): when
 *				the process started, CLOCK_BOOTTIME ns, not
 *				shifted by time namespaces (/proc/PID/stat
 *				field 22 gives it in clock ticks); the same
 *				for all its threads and across its execs,
 *				another for a process that reuses its pid
 *	__u64 ips[nr_frames];	ips[0] = user_ip, then return addresses
 *
 * The struct below is the record without SAMPLE_PROC_START. With it, the
 * fixed part is KSAMPLER_SAMPLE_PROC_START_SIZE bytes: proc_start_ns
 * sits where ips[] begins in the struct, and the frames follow it. Either
 * way header.size is the fixed part plus 8 * nr_frames.
 */
struct ksampler_sample {
	struct ksampler_record_header header;
	__u64 time_ns;
	__u32 pid;
	__u32 tid;
	__u32 cpu;
	__u16 nr_frames;
	__u16 exec_gen;
	__u64 user_ip;
	__u64 user_sp;
	__u64 user_bp;
	__u64 sp_word;
	__u8  comm[16];
	__u64 ips[];
};

#define KSAMPLER_SAMPLE_FIXED_SIZE	80
#define KSAMPLER_SAMPLE_PROC_START_SIZE	88	/* fixed part, SAMPLE_PROC_START */

/* LOST reasons */
enum ksampler_lost_reason {
	KSAMPLER_LOST_RING_FULL = 1,
	KSAMPLER_LOST_NESTED = 2,
	KSAMPLER_LOST_MAX,		/* non-ABI */
};

/*
 * struct ksampler_lost - a LOST record: @count samples of this CPU were
 * dropped for @reason since the previous LOST record of that reason. It
 * is written before the next sample that fits, so it sits in time order.
 */
struct ksampler_lost {
	struct ksampler_record_header header;
	__u32 reason;
	__u32 reserved;
	__u64 count;
};

#define KSAMPLER_LOST_SIZE		24

#endif /* _UAPI_KSAMPLER_H */
