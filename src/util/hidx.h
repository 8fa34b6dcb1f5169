/* A hash index over items the caller keeps (an array, or a pool of slots): open addressing of
 * (32-bit hash, item number) pairs, linear probing, a power-of-two table at most half full,
 * removal by backward shift (no tombstones, so lookups never slow down with churn). The caller
 * owns the keys and compares them: for keys that are not one u64 (strings, address pairs, flow
 * tuples), where util/map.h does not fit.
 *
 *     uint32_t h = my_hash(&key);
 *     for (uint32_t s = fs_hidx_first(&x, h); s != FS_HIDX_END; s = fs_hidx_next(&x, h, s))
 *             if (my_eq(&items[fs_hidx_item(&x, s)], &key))
 *                     return &items[fs_hidx_item(&x, s)];
 *     fs_hidx_add(&x, h, new_item_number);
 *
 * Item numbers are below UINT32_MAX. Out of memory aborts (xcalloc).
 * Threads: one thread at a time per index; lookups may run on several threads while none writes. */
#ifndef FLUXSCOPE_UTIL_HIDX_H
#define FLUXSCOPE_UTIL_HIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_HIDX_END UINT32_MAX

struct fs_hidx_slot {
	uint32_t hash;
	uint32_t item1;            /* item number + 1; 0 = empty */
};

struct fs_hidx {
	struct fs_hidx_slot *s;
	uint32_t mask;             /* table size - 1 (0 with no table) */
	uint32_t n;
};

/* A zeroed struct fs_hidx is an empty index. */
void fs_hidx_fini(struct fs_hidx *x);
/* Room for n entries without growing (a fixed pool sizes its index once). */
void fs_hidx_reserve(struct fs_hidx *x, uint32_t n);
/* Add an entry (item not already indexed under h). Grows the table when half full. */
void fs_hidx_add(struct fs_hidx *x, uint32_t h, uint32_t item);
/* Remove the entry of item under hash h; false if there is none. */
bool fs_hidx_del(struct fs_hidx *x, uint32_t h, uint32_t item);
/* Forget every entry, keeping the table. */
void fs_hidx_clear(struct fs_hidx *x);
static inline size_t fs_hidx_bytes(const struct fs_hidx *x)
{
	return x->s != NULL ? ((size_t)x->mask + 1) * sizeof *x->s : 0;
}

/* Probe sequence for h: the slots whose hash is h, in order, then FS_HIDX_END. */
static inline uint32_t
fs_hidx_scan_(const struct fs_hidx *x, uint32_t h, uint32_t i)
{
	for (;; i = (i + 1) & x->mask) {
		if (x->s[i].item1 == 0)
			return FS_HIDX_END;
		if (x->s[i].hash == h)
			return i;
	}
}
static inline uint32_t
fs_hidx_first(const struct fs_hidx *x, uint32_t h)
{
	return x->s != NULL ? fs_hidx_scan_(x, h, h & x->mask) : FS_HIDX_END;
}
static inline uint32_t
fs_hidx_next(const struct fs_hidx *x, uint32_t h, uint32_t slot)
{
	return fs_hidx_scan_(x, h, (slot + 1) & x->mask);
}
static inline uint32_t fs_hidx_item(const struct fs_hidx *x, uint32_t slot) { return x->s[slot].item1 - 1; }

#endif
