/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hashmap.h - a map from byte strings to 64-bit values, for deduplicating
 * strings, functions, locations and stacks. Keys are copied in; values
 * can be updated in place (counts).
 *
 * Invariants: a key is present at most once; pointers returned by
 * hashmap__find() and hashmap__add() stay valid only until the next add
 * or removal. Removing gives memory back (hashmap__memory() shrinks).
 */
#ifndef PROFCTL_HASHMAP_H
#define PROFCTL_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap;

/* NULL with errno set. */
struct hashmap *hashmap__new(void);

/* Accepts NULL. */
void hashmap__free(struct hashmap *map);

/* The value slot of @key, or NULL when absent. */
uint64_t *hashmap__find(const struct hashmap *map, const void *key,
			size_t len);

/*
 * The value slot of @key, adding it with @value when absent; @added says
 * which (may be NULL). NULL with errno ENOMEM (the map is unchanged) or
 * E2BIG (a key over 4 GiB in all).
 */
uint64_t *hashmap__add(struct hashmap *map, const void *key, size_t len,
		       uint64_t value, bool *added);

/* Removes @key: 0, or -ENOENT when absent. */
int hashmap__remove(struct hashmap *map, const void *key, size_t len);

typedef int (*hashmap_entry_fn)(const void *key, size_t len, uint64_t value,
				void *ctx);

/*
 * Removes every entry for which @fn returns non-zero (@fn must not touch
 * the map). Returns how many were removed.
 */
size_t hashmap__remove_if(struct hashmap *map, hashmap_entry_fn fn, void *ctx);

/* Removes every entry. */
void hashmap__clear(struct hashmap *map);

size_t hashmap__count(const struct hashmap *map);

/* Bytes held: table and keys. */
size_t hashmap__memory(const struct hashmap *map);

/* Bytes the map would hold after adding a new key of @len bytes. */
size_t hashmap__memory_after_add(const struct hashmap *map, size_t len);

/*
 * Calls @fn for every entry, in no particular order; a non-zero return
 * stops the walk and is returned.
 */
int hashmap__for_each(const struct hashmap *map, hashmap_entry_fn fn,
		      void *ctx);

#endif /* PROFCTL_HASHMAP_H */
