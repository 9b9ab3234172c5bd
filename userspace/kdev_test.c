// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device itself is exercised in the guest (tests/vm/); here, what does
 * not need the module: ABI verdicts and how foreign nodes are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "errors.h"
#include "kdev.h"

static struct ksampler_version version_of(unsigned int major,
					  unsigned int minor)
{
	struct ksampler_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.abi_major = major;
	v.abi_minor = minor;
	return v;
}

static void test_same_major_any_minor_is_compatible(void **state)
{
	struct ksampler_version v;

	(void)state;
	v = version_of(KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR);
	assert_int_equal(kdev_abi_check(&v), 0);
	v = version_of(KSAMPLER_ABI_MAJOR, KSAMPLER_ABI_MINOR + 7);
	assert_int_equal(kdev_abi_check(&v), 0);
	v = version_of(KSAMPLER_ABI_MAJOR, 0);
	assert_int_equal(kdev_abi_check(&v), 0);
}

static void test_other_major_is_refused(void **state)
{
	struct ksampler_version v;

	(void)state;
	v = version_of(KSAMPLER_ABI_MAJOR + 1, 0);
	assert_int_equal(kdev_abi_check(&v), -PROFCTL_ERR_ABI_MISMATCH);
	v = version_of(0, KSAMPLER_ABI_MINOR);
	assert_int_equal(kdev_abi_check(&v), -PROFCTL_ERR_ABI_MISMATCH);
}

static void test_missing_device_is_enoent(void **state)
{
	(void)state;
	errno = 0;
	assert_null(kdev__open("/nonexistent/ksampler"));
	assert_int_equal(errno, ENOENT);
	kdev__close(NULL);
}

static void test_foreign_node_is_not_ksampler(void **state)
{
	struct ksampler_version v;
	struct kdev *dev;

	(void)state;
	dev = kdev__open("/dev/null");
	assert_non_null(dev);
	assert_int_equal(kdev__version(dev, &v), -PROFCTL_ERR_NOT_KSAMPLER);
	kdev__close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_major_any_minor_is_compatible),
		cmocka_unit_test(test_other_major_is_refused),
		cmocka_unit_test(test_missing_device_is_enoent),
		cmocka_unit_test(test_foreign_node_is_not_ksampler),
	};

	return cmocka_run_group_tests_name("kdev", tests, NULL, NULL);
}
