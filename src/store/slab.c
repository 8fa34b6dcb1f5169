/* Fixed-size record allocator for domain, address and NS-name records: 64 KiB aligned chunks
 * carved into equal blocks, a free list per chunk, and chunks handed back to the system when
 * their last record is freed (one spare kept so a boundary does not thrash). A new record
 * therefore costs no malloc, and what store_expire() frees is really returned. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define SLAB_CHUNK (64u * 1024u)

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
	free(c);
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
			c = aligned_alloc(SLAB_CHUNK, SLAB_CHUNK);
			if (c == NULL)
				fs_fatal("out of memory allocating a %u-byte record chunk", SLAB_CHUNK);
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
	free(c);
}

void
st_slab_destroy(struct store *s, struct slab *sl)
{
	while (sl->all != NULL)
		chunk_release(s, sl, sl->all);
	if (sl->spare != NULL) {
		s->bytes -= SLAB_CHUNK;
		free(sl->spare);
	}
	sl->spare = NULL;
	sl->partial = NULL;
}
