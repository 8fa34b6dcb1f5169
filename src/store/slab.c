/* Fixed-size record allocator for domain, address and NS-name records: 64 KiB aligned chunks
 * carved into equal blocks, a free list per chunk, and chunks handed back to the system when
 * their last record is freed (one spare kept so a boundary does not thrash). A new record
 * therefore costs no malloc, and what store_expire() frees is really returned.
 *
 * Chunks come from anonymous mappings of SLAB_REGION chunks, aligned once per region: an
 * aligned_alloc of 64 KiB left the allocator's split-off head and tail beside every chunk,
 * about two pages a chunk of resident memory never used (28 bytes a domain record of a flood). */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLAB_CHUNK (64u * 1024u)
#define SLAB_REGION 16u         /* chunks mapped at once */

struct slab_chunk {
	struct slab_chunk *prev, *next;     /* all chunks of the slab */
	struct slab_chunk *pprev, *pnext;   /* chunks with room */
	void *free;                         /* freed blocks, linked through their first word */
	uint32_t live, bump;                /* blocks in use; blocks ever carved */
	_Alignas(64) unsigned char data[];
};

void
st_slab_init(struct slab *sl, size_t size)
{
	memset(sl, 0, sizeof *sl);
	sl->size = (size + 7) & ~(size_t)7;
	sl->per_chunk = (uint32_t)((SLAB_CHUNK - offsetof(struct slab_chunk, data)) / sl->size);
}

static void
partial_add(struct slab *sl, struct slab_chunk *c)
{
	c->pprev = NULL;
	c->pnext = sl->partial;
	if (sl->partial != NULL)
		sl->partial->pprev = c;
	sl->partial = c;
}

static void
partial_del(struct slab *sl, struct slab_chunk *c)
{
	if (c->pprev != NULL)
		c->pprev->pnext = c->pnext;
	else
		sl->partial = c->pnext;
	if (c->pnext != NULL)
		c->pnext->pprev = c->pprev;
	c->pprev = c->pnext = NULL;
}

/* A fresh SLAB_CHUNK-aligned chunk from the slab's current region (a new region when it is
 * used up; its unaligned head and tail unmapped). Untouched pages of a region cost nothing. */
static struct slab_chunk *
chunk_map(struct slab *sl)
{
	if (sl->rgn_left == 0) {
		size_t len = (size_t)(SLAB_REGION + 1) * SLAB_CHUNK;
		unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		                        -1, 0);
		if (m == MAP_FAILED)
			fs_fatal("out of memory mapping %zu bytes of record chunks", len);
		uintptr_t a = ((uintptr_t)m + SLAB_CHUNK - 1) & ~(uintptr_t)(SLAB_CHUNK - 1);
		size_t head = a - (uintptr_t)m, tail = len - head - (size_t)SLAB_REGION * SLAB_CHUNK;
		if (head > 0)
			munmap(m, head);
		if (tail > 0)
			munmap((unsigned char *)a + (size_t)SLAB_REGION * SLAB_CHUNK, tail);
		sl->rgn = (unsigned char *)a;
		sl->rgn_left = SLAB_REGION;
	}
	struct slab_chunk *c = (struct slab_chunk *)(void *)sl->rgn;
	sl->rgn += SLAB_CHUNK;
	sl->rgn_left--;
	return c;
}

static void
chunk_unmap(struct slab_chunk *c)
{
	munmap(c, SLAB_CHUNK);
}

static void
chunk_release(struct store *s, struct slab *sl, struct slab_chunk *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		sl->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->bytes -= SLAB_CHUNK;
	chunk_unmap(c);
}

void *
st_slab_alloc(struct store *s, struct slab *sl)
{
	struct slab_chunk *c = sl->partial;
	void *p;

	if (c == NULL) {
		if (sl->spare != NULL) {
			c = sl->spare;
			sl->spare = NULL;
		} else {
			c = chunk_map(sl);
			s->bytes += SLAB_CHUNK;
		}
		memset(c, 0, offsetof(struct slab_chunk, data));
		c->next = sl->all;
		if (sl->all != NULL)
			sl->all->prev = c;
		sl->all = c;
		partial_add(sl, c);
	}
	if (c->free != NULL) {
		p = c->free;
		memcpy(&c->free, p, sizeof c->free);
	} else {
		p = c->data + (size_t)c->bump++ * sl->size;
	}
	if (++c->live == sl->per_chunk)
		partial_del(sl, c);
	sl->live++;
	memset(p, 0, sl->size);
	return p;
}

void
st_slab_free(struct store *s, struct slab *sl, void *p)
{
	struct slab_chunk *c = (struct slab_chunk *)((uintptr_t)p & ~(uintptr_t)(SLAB_CHUNK - 1));

	if (c->live == sl->per_chunk)
		partial_add(sl, c);
	memcpy(p, &c->free, sizeof c->free);
	c->free = p;
	c->live--;
	sl->live--;
	if (c->live > 0)
		return;
	partial_del(sl, c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		sl->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (sl->spare == NULL) {
		sl->spare = c;          /* still counted in bytes: it is held */
		return;
	}
	s->bytes -= SLAB_CHUNK;
	chunk_unmap(c);
}

void
st_slab_destroy(struct store *s, struct slab *sl)
{
	while (sl->all != NULL)
		chunk_release(s, sl, sl->all);
	if (sl->spare != NULL) {
		s->bytes -= SLAB_CHUNK;
		chunk_unmap(sl->spare);
	}
	if (sl->rgn_left > 0)
		munmap(sl->rgn, (size_t)sl->rgn_left * SLAB_CHUNK);
	sl->spare = NULL;
	sl->partial = NULL;
	sl->rgn = NULL;
	sl->rgn_left = 0;
}
