// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hashmap.h"

static void test_add_find_and_update_in_place(void **state)
{
	struct hashmap *map = hashmap__new();
	uint64_t *v;
	bool added;

	(void)state;
	assert_null(hashmap__find(map, "alpha", 5));
	v = hashmap__add(map, "alpha", 5, 7, &added);
	assert_true(added);
	assert_int_equal(*v, 7);
	v = hashmap__add(map, "alpha", 5, 99, &added);
	assert_false(added);			/* present: value kept */
	assert_int_equal(*v, 7);
	*v += 3;
	assert_int_equal(*hashmap__find(map, "alpha", 5), 10);
	/* a prefix is a different key, and so is the empty key */
	assert_null(hashmap__find(map, "alph", 4));
	hashmap__add(map, "", 0, 1, NULL);
	assert_int_equal(*hashmap__find(map, "", 0), 1);
	assert_int_equal(hashmap__count(map), 2);
	hashmap__free(map);
	hashmap__free(NULL);
}

static int sum_values(const void *key, size_t len, uint64_t value, void *ctx)
{
	(void)key;
	(void)len;
	*(uint64_t *)ctx += value;
	return 0;
}

static void test_many_keys_survive_growth(void **state)
{
	struct hashmap *map = hashmap__new();
	uint64_t i, sum = 0, *v;
	char key[32];

	(void)state;
	for (i = 0; i < 200000; i++) {
		int n = snprintf(key, sizeof(key), "key-%llu", (unsigned long long)i);

		assert_non_null(hashmap__add(map, key, n, i, NULL));
	}
	assert_int_equal(hashmap__count(map), 200000);
	for (i = 0; i < 200000; i += 997) {
		int n = snprintf(key, sizeof(key), "key-%llu", (unsigned long long)i);

		v = hashmap__find(map, key, n);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	assert_int_equal(hashmap__for_each(map, sum_values, &sum), 0);
	assert_int_equal(sum, 200000ULL * 199999 / 2);
	assert_true(hashmap__memory(map) > 200000 * 8);
	/* the prediction matches what an add then holds, growth included */
	{
		size_t predicted = hashmap__memory_after_add(map, 10);

		hashmap__add(map, "0123456789", 10, 0, NULL);
		assert_int_equal(hashmap__memory(map), predicted);
	}
	hashmap__free(map);
}

static void test_binary_keys(void **state)
{
	struct hashmap *map = hashmap__new();
	uint64_t a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 4 };

	(void)state;
	hashmap__add(map, a, sizeof(a), 1, NULL);
	hashmap__add(map, b, sizeof(b), 2, NULL);
	assert_int_equal(*hashmap__find(map, a, sizeof(a)), 1);
	assert_int_equal(*hashmap__find(map, b, sizeof(b)), 2);
	assert_null(hashmap__find(map, a, 16));
	hashmap__free(map);
}

static int stop_at_two(const void *key, size_t len, uint64_t value, void *ctx)
{
	(void)key;
	(void)len;
	(void)value;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_for_each_stops(void **state)
{
	struct hashmap *map = hashmap__new();
	int seen = 0;

	(void)state;
	hashmap__add(map, "a", 1, 0, NULL);
	hashmap__add(map, "b", 1, 0, NULL);
	hashmap__add(map, "c", 1, 0, NULL);
	assert_int_equal(hashmap__for_each(map, stop_at_two, &seen), 42);
	assert_int_equal(seen, 2);
	hashmap__free(map);
}

/*
 * Removal against a model: keys added and removed in a pseudo-random
 * order, at loads up to the growth point, so that probe runs are long
 * and wrap around the table's end; after every step each key is found
 * exactly when the model holds it, with its value.
 */
static void test_remove_matches_a_model(void **state)
{
	enum { N = 3000 };
	static bool present[N];
	struct hashmap *map = hashmap__new();
	uint64_t x = 12345, *v;
	uint32_t k;
	int step, i;

	(void)state;
	for (step = 0; step < 40000; step++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (uint32_t)(x >> 33) % N;
		if (present[k]) {
			assert_int_equal(hashmap__remove(map, &k, sizeof(k)), 0);
			assert_int_equal(hashmap__remove(map, &k, sizeof(k)), -ENOENT);
		} else {
			assert_non_null(hashmap__add(map, &k, sizeof(k), k * 3, NULL));
		}
		present[k] = !present[k];
		if (step % 997)
			continue;
		for (i = 0; i < N; i++) {
			k = (uint32_t)i;
			v = hashmap__find(map, &k, sizeof(k));
			assert_int_equal(v != NULL, present[i]);
			if (v)
				assert_int_equal(*v, k * 3);
		}
	}
	hashmap__free(map);
}

static int drop_odd(const void *key, size_t len, uint64_t value, void *ctx)
{
	(void)key;
	(void)len;
	(void)ctx;
	return value & 1;
}

/*
 * remove_if sees every entry once even as removals pull others back, and
 * a map that churns through many more keys than it ever holds at once
 * stays the size its live keys need.
 */
static void test_remove_if_and_memory_comes_back(void **state)
{
	struct hashmap *map = hashmap__new();
	char key[64];
	size_t peak = 0;
	uint64_t i, round;

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "key %" PRIu64, i);
		hashmap__add(map, key, strlen(key), i, NULL);
	}
	assert_int_equal(hashmap__remove_if(map, drop_odd, NULL), 5000);
	assert_int_equal(hashmap__count(map), 5000);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "key %" PRIu64, i);
		assert_int_equal(hashmap__find(map, key, strlen(key)) != NULL, !(i & 1));
	}
	hashmap__remove_if(map, drop_odd, NULL);
	assert_int_equal(hashmap__count(map), 5000);
	/* 1,000 live keys at a time, 200 rounds of fresh ones */
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "round %" PRIu64 " key %" PRIu64, round, i);
			hashmap__add(map, key, strlen(key), 1, NULL);
		}
		for (i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "round %" PRIu64 " key %" PRIu64, round, i);
			assert_int_equal(hashmap__remove(map, key, strlen(key)), 0);
		}
		if (round == 10)
			peak = hashmap__memory(map);
	}
	assert_int_equal(hashmap__count(map), 5000);
	assert_true(hashmap__memory(map) <= peak);
	hashmap__free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_matches_a_model),
		cmocka_unit_test(test_remove_if_and_memory_comes_back),
		cmocka_unit_test(test_add_find_and_update_in_place),
		cmocka_unit_test(test_many_keys_survive_growth),
		cmocka_unit_test(test_binary_keys),
		cmocka_unit_test(test_for_each_stops),
	};

	return cmocka_run_group_tests_name("hashmap", tests, NULL, NULL);
}
