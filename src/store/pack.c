/* store_pack: the per-record vectors copied into blocks at their length, once a store is done
 * growing (a capture read to its end, before detection).
 *
 * While a capture is read every vector of a domain, address or NS-name record grows
 * geometrically in its own heap block: up to half of a block is room for growth, each block
 * carries the allocator's header, and a long vector has an index (struct vidx) for the writer's
 * lookups. Packing copies each vector, record by record, into big blocks (struct st_pack) at
 * exactly its length, frees its heap block and drops the indexes; the heap pages that held them
 * are given back to the system as they empty, so what detection and the report allocate next
 * reuses them instead of growing the process.
 *
 * A packed vector is never freed or reallocated on its own (st_vec_grow, st_vec_free and
 * st_vec_shrink ask st_packed): a write that makes it grow moves it to the heap as the first
 * growth of a vector in its record's room does, and store_expire leaves its bytes in the block.
 * A dropped index is rebuilt by the next append to a long vector (st_vec_note). */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define PACK_CHUNK (4u << 20)    /* bytes of a packing block (a longer vector gets its own) */
#define PACK_TRIM (4u << 20)     /* heap bytes freed between two trims, at least … */
#define PACK_TRIM_SHARE 16       /* … and a 16th of the store: malloc_trim walks the whole heap,
                                  * so a fixed step made packing a big store quadratic (a 1.5 GB
                                  * store: 110 trims, 7.6 s) */

/* Is p in one of the first n packing blocks? */
static bool
packed_in(const struct store *s, const void *p, uint32_t n)
{
	const unsigned char *c = p;

	for (uint32_t i = n; i-- > 0;)
		if (c >= s->packs[i].base && c < s->packs[i].base + s->packs[i].size)
			return true;
	return false;
}

bool
st_packed(const struct store *s, const void *p)
{
	return packed_in(s, p, s->n_packs);
}

void
st_packs_free(struct store *s)
{
	for (uint32_t i = 0; i < s->n_packs; i++)
		free(s->packs[i].base);
	free(s->packs);
	s->packs = NULL;
	s->n_packs = 0;
}

struct packer {
	struct store *s;
	unsigned char *cur;          /* the block being filled */
	size_t used, size;
	size_t left;                 /* bytes still to place (counted first): no block is larger */
	size_t freed;                /* heap bytes freed since the last trim */
	size_t trim_step;            /* freed bytes that call for a trim */
	bool count;                  /* first pass: only count what is to be placed */
	uint32_t old_packs;          /* blocks of earlier packs: a vector not yet packed by this
	                              * one is in none of its own blocks (no search through them) */
};

static void
trim(struct packer *pk)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
	pk->freed = 0;
}

static void *
pack_room(struct packer *pk, size_t bytes)
{
	struct store *s = pk->s;

	if (pk->cur == NULL || pk->used + bytes > pk->size) {
		size_t size = pk->left < PACK_CHUNK ? pk->left : PACK_CHUNK;

		if (size < bytes)
			size = bytes;
		s->packs = xreallocarray(s->packs, s->n_packs + 1, sizeof *s->packs);
		s->packs[s->n_packs].base = xmalloc(size);
		s->packs[s->n_packs].size = size;
		s->n_packs++;
		s->bytes += size + STORE_BLOCK_OVERHEAD;
		pk->cur = s->packs[s->n_packs - 1].base;
		pk->size = size;
		pk->used = 0;
	}
	void *p = pk->cur + pk->used;
	pk->used += bytes;
	pk->left -= bytes;
	return p;
}

/* One vector: into the record's own room when one element or none is left (as st_vec_shrink
 * does), else into the packing block; its heap block freed. */
static void *
pack_vec(struct packer *pk, void *p, uint32_t n, uint32_t *cap, size_t elem, void *inl)
{
	struct store *s = pk->s;
	void *q;

	if (p == NULL || p == inl || packed_in(s, p, pk->old_packs))
		return p;
	if (pk->count) {
		if (!(inl != NULL && n <= 1) && n > 0)
			pk->left += (n * elem + 7) & ~(size_t)7;
		return p;
	}
	if (inl != NULL && n <= 1) {
		memcpy(inl, p, n * elem);
		q = inl;
		n = 1;
	} else if (n == 0) {
		q = NULL;
	} else {
		q = pack_room(pk, (n * elem + 7) & ~(size_t)7);
		memcpy(q, p, n * elem);
	}
	s->bytes -= *cap * elem + STORE_BLOCK_OVERHEAD;
	pk->freed += *cap * elem + STORE_BLOCK_OVERHEAD;
	free(p);
	*cap = n;
	if (pk->freed >= pk->trim_step)
		trim(pk);
	return q;
}

#define PACK(pk, v, n, cap, inl) ((v) = pack_vec((pk), (v), (n), &(cap), sizeof *(v), (inl)))

/* The timeline: its capacity in front of it (RESP_HDR), in the packing block as on the heap. */
static void
pack_resp(struct packer *pk, struct store_domain *d)
{
	struct store *s = pk->s;
	struct store_response *old = d->resp;
	uint32_t n = d->n_resp;

	if (old == DOM_INL_RESP(d) || packed_in(s, old, pk->old_packs))
		return;
	if (pk->count) {
		if (n > 1)
			pk->left += RESP_HDR + (size_t)n * sizeof *old;
		return;
	}
	size_t held = RESP_HDR + (size_t)st_resp_cap(d) * sizeof *old + STORE_BLOCK_OVERHEAD;
	if (n <= 1) {
		memcpy(DOM_INL_RESP(d), old, (size_t)n * sizeof *old);
		d->resp = DOM_INL_RESP(d);
	} else {
		unsigned char *b = pack_room(pk, RESP_HDR + (size_t)n * sizeof *old);
		memcpy(b, &n, sizeof n);
		memcpy(b + RESP_HDR, old, (size_t)n * sizeof *old);
		d->resp = (struct store_response *)(void *)(b + RESP_HDR);
	}
	s->bytes -= held;
	pk->freed += held;
	free((unsigned char *)(void *)old - RESP_HDR);
	if (pk->freed >= pk->trim_step)
		trim(pk);
}

static void
pack_all(struct packer *pk)
{
	struct store *s = pk->s;

	for (uint32_t i = 1; i < s->n_doms; i++) {
		struct store_domain *d = s->doms[i];

		if (d == NULL)
			continue;
		pack_resp(pk, d);
		struct dom_ext *x = DOM_X(d);
		if (x != NULL) {
			struct store_domain_ext *e = &x->e;
			PACK(pk, e->rrsets, e->n_rrsets, x->cap_rrsets, &x->rrset);
			PACK(pk, e->addrs, e->n_addrs, x->cap_addrs, &x->addr);
			PACK(pk, e->cnames, e->n_cnames, x->cap_cnames, NULL);
			PACK(pk, e->clinks, e->n_clinks, x->cap_clinks, NULL);
			PACK(pk, e->ns, e->n_ns, x->cap_ns, NULL);
			st_vidx_free(s, &x->ix_addr);
			st_vidx_free(s, &x->ix_rrset);
			st_vidx_free(s, &x->ix_cname);
		}
	}
	for (uint32_t i = 1; i < s->n_addrs; i++) {
		struct store_addr *a = s->addrs[i];

		if (a == NULL)
			continue;
		PACK(pk, a->domains, a->n_domains, a->cap_domains, ADDR_INL_DOM(a));
		PACK(pk, a->ns_names, a->n_ns_names, a->cap_ns_names, NULL);
		st_addr_ix_free(s, a);
	}
	for (uint32_t i = 1; i < s->n_nsn; i++) {
		struct store_nsname *r = s->nsn[i];

		if (r == NULL)
			continue;
		PACK(pk, r->glue, r->n_glue, r->cap_glue, NULL);
		PACK(pk, r->zones, r->n_zones, r->cap_zones, NULL);
		PACK(pk, r->domains, r->n_domains, r->cap_domains, NULL);
		st_vidx_free(s, &NSN_BLK(r)->ix_glue);
		st_vidx_free(s, &NSN_BLK(r)->ix_zone);
		st_vidx_free(s, &NSN_BLK(r)->ix_dom);
	}
}

size_t
store_pack(struct store *s)
{
	struct packer pk = { .s = s, .count = true };
	size_t before = s->bytes;

	pk.trim_step = before / PACK_TRIM_SHARE > PACK_TRIM ? before / PACK_TRIM_SHARE : PACK_TRIM;
	pk.old_packs = s->n_packs;

	pack_all(&pk);               /* what is to be placed, so that no block is too large */
	pk.count = false;
	pack_all(&pk);
	/* The answer sets' hash table only serves interning (readers find sets by id): given
	 * back, made again from the sets by the next st_set_intern_sorted, if any. */
	st_idtable_free(s, &s->set_tab);
	trim(&pk);
	return before > s->bytes ? before - s->bytes : 0;
}
