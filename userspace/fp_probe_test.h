/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fp_probe_test.h - two functions laid out as the frame-pointer convention
 * has them, for tests of the code-reading leaf fix-up: fp_probe as the
 * vdso's are (endbr64; register clearing between pop %rbp and ret),
 * fp_probe_plain without endbr64 and with leave. The comments give each
 * instruction's offset. One copy per test program.
 */
#ifndef PROFCTL_FP_PROBE_TEST_H
#define PROFCTL_FP_PROBE_TEST_H

void fp_probe(void);
void fp_probe_plain(void);
__asm__(".text\n"
	".globl fp_probe\n.type fp_probe, @function\nfp_probe:\n"
	"	endbr64\n"			/* 0 */
	"	push %rbp\n"			/* 4 */
	"	mov %rsp, %rbp\n"		/* 5 */
	"	nop\n"				/* 8 */
	"	pop %rbp\n"			/* 9 */
	"	xor %r9d, %r9d\n"		/* 10 */
	"	xor %eax, %eax\n"		/* 13 */
	"	ret\n"				/* 15 */
	".size fp_probe, . - fp_probe\n"
	".globl fp_probe_plain\n.type fp_probe_plain, @function\nfp_probe_plain:\n"
	"	push %rbp\n"			/* 0 */
	"	mov %rsp, %rbp\n"		/* 1 */
	"	nop\n"				/* 4 */
	"	leave\n"			/* 5 */
	"	ret\n"				/* 6 */
	".size fp_probe_plain, . - fp_probe_plain\n");

#endif /* PROFCTL_FP_PROBE_TEST_H */
