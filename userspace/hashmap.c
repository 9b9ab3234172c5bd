// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open addressing with linear probing over a power-of-two table, grown at
 * 3/4 load; keys live back to back in one arena and entries refer to them
 * by offset, so growing the arena never invalidates an entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

struct hashmap_entry {
	uint64_t hash;		/* 0: empty slot */
	uint64_t value;
	uint32_t key_off;
	uint32_t key_len;
};

struct hashmap {
	struct hashmap_entry *slots;
	size_t cap;		/* power of two */
	size_t count;
	char *keys;
	size_t keys_len, keys_cap;
};

/* 64-bit mix of the key's bytes; never 0 (0 marks an empty slot). */
static uint64_t hashmap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ (w * 0xbf58476d1ce4e5b9ULL)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
		p += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ (w * 0xbf58476d1ce4e5b9ULL)) * 0x94d049bb133111ebULL;
	h ^= h >> 29;
	return h ? h : 1;
}

struct hashmap *hashmap__new(void)
{
	struct hashmap *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->cap = 64;
	map->slots = calloc(map->cap, sizeof(map->slots[0]));
	if (!map->slots) {
		free(map);
		errno = ENOMEM;
		return NULL;
	}
	return map;
}

void hashmap__free(struct hashmap *map)
{
	if (!map)
		return;
	free(map->slots);
	free(map->keys);
	free(map);
}

static struct hashmap_entry *hashmap_slot(const struct hashmap *map,
					  const void *key, size_t len,
					  uint64_t hash)
{
	size_t i = hash & (map->cap - 1);
	struct hashmap_entry *e;

	for (;; i = (i + 1) & (map->cap - 1)) {
		e = &map->slots[i];
		if (!e->hash)
			return e;
		if (e->hash == hash && e->key_len == len &&
		    !memcmp(map->keys + e->key_off, key, len))
			return e;
	}
}

uint64_t *hashmap__find(const struct hashmap *map, const void *key,
			size_t len)
{
	struct hashmap_entry *e = hashmap_slot(map, key, len,
					       hashmap_hash(key, len));

	return e->hash ? &e->value : NULL;
}

static int hashmap_grow(struct hashmap *map)
{
	size_t cap = map->cap * 2, i, j;
	struct hashmap_entry *slots = calloc(cap, sizeof(slots[0]));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < map->cap; i++) {
		if (!map->slots[i].hash)
			continue;
		for (j = map->slots[i].hash & (cap - 1); slots[j].hash;
		     j = (j + 1) & (cap - 1))
			;
		slots[j] = map->slots[i];
	}
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

static int hashmap_store_key(struct hashmap *map, const void *key,
			     size_t len, uint32_t *off)
{
	size_t cap = map->keys_cap ? map->keys_cap : 4096;
	char *keys;

	if (map->keys_len + len > UINT32_MAX)
		return -E2BIG;
	while (map->keys_len + len > cap)
		cap *= 2;
	if (cap != map->keys_cap) {
		keys = realloc(map->keys, cap);
		if (!keys)
			return -ENOMEM;
		map->keys = keys;
		map->keys_cap = cap;
	}
	memcpy(map->keys + map->keys_len, key, len);
	*off = (uint32_t)map->keys_len;
	map->keys_len += len;
	return 0;
}

uint64_t *hashmap__add(struct hashmap *map, const void *key, size_t len,
		       uint64_t value, bool *added)
{
	uint64_t hash = hashmap_hash(key, len);
	struct hashmap_entry *e;
	uint32_t off;
	int err;

	if (added)
		*added = false;
	e = hashmap_slot(map, key, len, hash);
	if (e->hash)
		return &e->value;
	if ((map->count + 1) * 4 > map->cap * 3) {
		err = hashmap_grow(map);
		if (err)
			goto fail;
		e = hashmap_slot(map, key, len, hash);
	}
	err = hashmap_store_key(map, key, len, &off);
	if (err)
		goto fail;
	e->hash = hash;
	e->value = value;
	e->key_off = off;
	e->key_len = (uint32_t)len;
	map->count++;
	if (added)
		*added = true;
	return &e->value;
fail:
	errno = -err;
	return NULL;
}

size_t hashmap__count(const struct hashmap *map)
{
	return map->count;
}

size_t hashmap__memory(const struct hashmap *map)
{
	return sizeof(*map) + map->cap * sizeof(map->slots[0]) + map->keys_cap;
}

size_t hashmap__memory_after_add(const struct hashmap *map, size_t len)
{
	size_t cap = map->cap, keys = map->keys_cap ? map->keys_cap : 4096;

	if ((map->count + 1) * 4 > cap * 3)
		cap *= 2;
	while (map->keys_len + len > keys)
		keys *= 2;
	return sizeof(*map) + cap * sizeof(map->slots[0]) + keys;
}

int hashmap__for_each(const struct hashmap *map, hashmap_entry_fn fn,
		      void *ctx)
{
	const struct hashmap_entry *e;
	size_t i;
	int ret;

	for (i = 0; i < map->cap; i++) {
		e = &map->slots[i];
		if (!e->hash)
			continue;
		ret = fn(map->keys + e->key_off, e->key_len, e->value, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
