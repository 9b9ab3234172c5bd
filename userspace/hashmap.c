// SPDX-License-Identifier: GPL-2.0-only
/*
 * Open addressing with linear probing over a power-of-two table, grown at
 * 3/4 load; keys live back to back in one arena and entries refer to them
 * by offset, so growing the arena never invalidates an entry.
 *
 * Removal shifts the rest of the probe run back (no tombstones, so
 * lookups never slow down), and leaves the key's bytes dead in the arena;
 * once the dead bytes outweigh the live ones the arena is rewritten, and
 * a table at under 1/8 load is halved, so that a map that shrinks gives
 * its memory back.
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
	size_t keys_dead;	/* bytes of removed keys in the arena */
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

/* Rehashes into a table of @cap slots (a power of two that holds all). */
static int hashmap_resize(struct hashmap *map, size_t cap)
{
	size_t i, j;
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

static int hashmap_grow(struct hashmap *map)
{
	return hashmap_resize(map, map->cap * 2);
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

/* Empties slot @i, moving back the entries of its probe run behind it. */
static void hashmap_delete_slot(struct hashmap *map, size_t i)
{
	size_t mask = map->cap - 1, j = i, home;

	map->keys_dead += map->slots[i].key_len;
	map->count--;
	for (;;) {
		map->slots[i].hash = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!map->slots[j].hash)
				return;
			home = map->slots[j].hash & mask;
			/* stays unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		map->slots[i] = map->slots[j];
		i = j;
	}
}

/*
 * Gives back memory after removals: a fresh arena of the live keys when
 * the dead ones outweigh them, a smaller table under 1/8 load. Failing
 * to allocate only means keeping the memory.
 */
static void hashmap_compact(struct hashmap *map)
{
	size_t cap = map->cap, live = map->keys_len - map->keys_dead, i, at = 0;
	size_t keys_cap = 4096;
	char *keys;

	while (cap > 64 && map->count * 8 < cap)
		cap /= 2;
	if (cap != map->cap)
		hashmap_resize(map, cap);
	if (map->keys_dead <= live || map->keys_dead < 4096)
		return;
	while (keys_cap < live)
		keys_cap *= 2;
	keys = malloc(keys_cap);
	if (!keys)
		return;
	for (i = 0; i < map->cap; i++) {
		if (!map->slots[i].hash)
			continue;
		memcpy(keys + at, map->keys + map->slots[i].key_off,
		       map->slots[i].key_len);
		map->slots[i].key_off = (uint32_t)at;
		at += map->slots[i].key_len;
	}
	free(map->keys);
	map->keys = keys;
	map->keys_cap = keys_cap;
	map->keys_len = at;
	map->keys_dead = 0;
}

int hashmap__remove(struct hashmap *map, const void *key, size_t len)
{
	struct hashmap_entry *e = hashmap_slot(map, key, len,
					       hashmap_hash(key, len));

	if (!e->hash)
		return -ENOENT;
	hashmap_delete_slot(map, (size_t)(e - map->slots));
	hashmap_compact(map);
	return 0;
}

size_t hashmap__remove_if(struct hashmap *map, hashmap_entry_fn fn, void *ctx)
{
	struct hashmap_entry *e;
	size_t i = 0, removed = 0;

	/*
	 * A removal pulls later entries back into slot i: look at it again.
	 * One pulled across the end lands in a slot already passed, but it
	 * was looked at there first.
	 */
	while (i < map->cap) {
		e = &map->slots[i];
		if (e->hash && fn(map->keys + e->key_off, e->key_len, e->value, ctx)) {
			hashmap_delete_slot(map, i);
			removed++;
			continue;
		}
		i++;
	}
	if (removed)
		hashmap_compact(map);
	return removed;
}

static int hashmap_every(const void *key, size_t len, uint64_t value, void *ctx)
{
	(void)key;
	(void)len;
	(void)value;
	(void)ctx;
	return 1;
}

void hashmap__clear(struct hashmap *map)
{
	hashmap__remove_if(map, hashmap_every, NULL);
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
