// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "errors.h"

static void test_own_codes_have_own_text(void **state)
{
	(void)state;
	assert_string_equal(profctl_strerror(-PROFCTL_ERR_ABI_MISMATCH),
			    "module and profctl speak incompatible ABI versions");
	assert_string_equal(profctl_strerror(-PROFCTL_ERR_NOT_KSAMPLER),
			    "device is not a ksampler device");
}

static void test_sign_does_not_matter(void **state)
{
	(void)state;
	assert_string_equal(profctl_strerror(PROFCTL_ERR_ABI_MISMATCH),
			    profctl_strerror(-PROFCTL_ERR_ABI_MISMATCH));
	assert_string_equal(profctl_strerror(ENOENT), profctl_strerror(-ENOENT));
}

static void test_errno_falls_through_to_libc(void **state)
{
	char ours[128];

	(void)state;
	/* libc may reuse its buffer on the next call: keep a copy */
	snprintf(ours, sizeof(ours), "%s", profctl_strerror(-EACCES));
	assert_string_equal(ours, strerror(EACCES));
	/* past our table: libc's text, never NULL or out of bounds */
	assert_non_null(profctl_strerror(-PROFCTL_ERR_END));
	snprintf(ours, sizeof(ours), "%s", profctl_strerror(-PROFCTL_ERR_END));
	assert_string_equal(ours, strerror(PROFCTL_ERR_END));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_codes_have_own_text),
		cmocka_unit_test(test_sign_does_not_matter),
		cmocka_unit_test(test_errno_falls_through_to_libc),
	};

	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
