/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attack.h - what the guest's hostile tests share with the rest: the
 * accounting invariant, a thread that plants a word of its choosing in its
 * own samples, and becoming an unprivileged user. Header-only, like tap.h;
 * it needs nothing but libc and the ABI header, so that raw-ioctl tests
 * (scenario_fuzz.c) can use it as well as those built on guest_session.h.
 */
#ifndef KSAMPLER_TESTS_ATTACK_H
#define KSAMPLER_TESTS_ATTACK_H

#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <ksampler_uapi.h>

#define NOBODY		65534

static inline bool invariant(const struct ksampler_stats *st)
{
	return st->fired == st->written + st->lost_ring_full + st->lost_nested +
			    st->filtered + st->counted;
}

/*
 * Spins @iters times with %rbp holding @bp: every sample taken meanwhile
 * carries @bp as its user_bp, at a known offset in the record, so the
 * attacker knows where in the ring a word of its choosing lies.
 */
static inline void burn_with_bp(uint64_t bp, uint64_t iters)
{
	__asm__ volatile("push %%rbp\n\t"
			 "mov %1, %%rbp\n\t"
			 "1: dec %0\n\t"
			 "jnz 1b\n\t"
			 "pop %%rbp"
			 : "+r"(iters) : "r"(bp) : "cc", "memory");
}

/*
 * Becomes uid and gid 65534 with no groups; @dumpable makes the process
 * dumpable again (the switch from root clears it), as if nobody had
 * started it, so that only the rule under test can refuse it.
 * Return: 0, or -1 (errno set).
 */
static inline int become_nobody(bool dumpable)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return dumpable ? prctl(PR_SET_DUMPABLE, 1) : 0;
}

#endif /* KSAMPLER_TESTS_ATTACK_H */
