/* Open-addressing map from uint64 keys to uint32 values (linear probing, power-of-two table,
 * at most 3/4 full), remembering its entries in insertion order: iteration and clearing cost
 * O(entries), not O(table). Keys must not be FS_MAP_EMPTY. The detector's maps are these.
 *
 * Threads: a map is used by one thread at a time; fs_map_get may run on several threads
 * while none writes. */
#ifndef FLUXSCOPE_UTIL_MAP_H
#define FLUXSCOPE_UTIL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_MAP_EMPTY UINT64_MAX

struct fs_map {
	uint64_t *keys;
	uint32_t *vals;
	uint32_t *used;            /* slots in use, in insertion order */
	uint32_t cap;              /* power of two, 0 = not allocated */
	uint32_t n;
};

void fs_map_init(struct fs_map *m);
void fs_map_fini(struct fs_map *m);
/* Empty the map (a large, sparsely used table is freed instead, so one huge use does not
 * keep a big table). */
void fs_map_clear(struct fs_map *m);
/* The table doubled (or made), its entries re-inserted in their order: fs_map_put's slow path. */
void fs_map_grow(struct fs_map *m);
/* The j-th entry (0 <= j < n), in insertion order. */
static inline uint64_t fs_map_key_at(const struct fs_map *m, uint32_t j) { return m->keys[m->used[j]]; }
static inline uint32_t fs_map_val_at(const struct fs_map *m, uint32_t j) { return m->vals[m->used[j]]; }
/* Bytes the table holds. */
static inline size_t fs_map_bytes(const struct fs_map *m)
{
	return (size_t)m->cap * (sizeof *m->keys + sizeof *m->vals + sizeof *m->used);
}

/* splitmix64's finaliser: cheap and well mixed for small integer keys. */
static inline uint64_t
fs_hash64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Slot for key, inserted with value 0 if absent (*fresh says which). Valid until the next put.
 * Inline: the detector's features make millions of these. */
static inline uint32_t *
fs_map_put(struct fs_map *m, uint64_t key, bool *fresh)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		fs_map_grow(m);
	uint32_t mask = m->cap - 1;
	uint32_t i = (uint32_t)fs_hash64(key) & mask;
	for (;;) {
		if (m->keys[i] == key) {
			*fresh = false;
			return &m->vals[i];
		}
		if (m->keys[i] == FS_MAP_EMPTY) {
			m->keys[i] = key;
			m->vals[i] = 0;
			m->used[m->n++] = i;
			*fresh = true;
			return &m->vals[i];
		}
		i = (i + 1) & mask;
	}
}

/* Value for key, or NULL if absent. */
static inline const uint32_t *
fs_map_get(const struct fs_map *m, uint64_t key)
{
	if (m->cap == 0)
		return NULL;
	uint32_t mask = m->cap - 1;
	uint32_t i = (uint32_t)fs_hash64(key) & mask;
	for (;;) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (m->keys[i] == FS_MAP_EMPTY)
			return NULL;
		i = (i + 1) & mask;
	}
}

#endif
