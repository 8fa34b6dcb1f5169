/* Internals shared by the files of src/store/ (not part of the public API). */
#ifndef FLUXSCOPE_STORE_INT_H
#define FLUXSCOPE_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "fluxscope/store.h"

#define STORE_NAME_MAX 1024

/* Bytes of allocator bookkeeping counted per heap block in store_stats.bytes (glibc: 8–16). */
#define STORE_BLOCK_OVERHEAD 16

/* Arena for interned strings and set members: big chunks, never moved until store_expire()
 * compacts them into a fresh arena. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	_Alignas(8) unsigned char data[];
};
struct arena {
	struct arena_chunk *head;
	size_t bytes;               /* chunk memory held */
};

/* Fixed-size records (slab.c). */
struct slab_chunk;
struct slab {
	size_t size;
	uint32_t per_chunk;
	size_t live;
	struct slab_chunk *all, *partial, *spare;
	unsigned char *rgn;         /* the rest of the current mapped region (slab.c) */
	uint32_t rgn_left;          /* chunks left in it */
};

/* Open-addressing table of ids: a slot holds hash << 32 | id (0 = empty), so a probe compares
 * hashes without touching the entry; the key lives in the entry the id names. */
struct idtable {
	uint64_t *slot;
	uint32_t mask;              /* capacity - 1, capacity a power of two (0 when unallocated) */
	uint32_t used;
};

/* Stack of freed ids waiting for reuse (only store_expire() frees). */
struct idfree {
	uint32_t *id;
	uint32_t n, cap;
};

struct name_ent {
	const char *str;            /* in names_arena, NUL-terminated; NULL = free slot */
	uint32_t hash;
	uint32_t len;
	store_dom_id dom;           /* domain record of this name, 0 = none */
	store_ns_id ns;             /* NS-name record, 0 = none */
};

struct set_ent {
	uint32_t *m;                /* members in sets_arena; NULL = free slot */
	uint32_t n;
	uint32_t hash;              /* of kind and members */
	uint32_t kind;              /* STORE_SET_*: equal members of another kind are another set */
};

/* Member → position index of one long vector (at least VIDX_THRESHOLD elements; shorter
 * vectors are scanned). Each vector owns its index, so a hot flux domain's lookups stay in its
 * own few cache lines, and a CDN address shared by 100k domains or a TLD server named by every
 * referral is still O(1). */
#define VIDX_THRESHOLD 8
struct vidx {
	uint32_t mask, used;
	uint64_t slot[];            /* key << 32 | (position + 1); 0 = empty */
};

/* Per-message scratch: the distinct names of one message and its relevant records, reused for
 * every message (grows geometrically, never shrinks). */
struct mslot {
	const char *str;
	uint32_t hash, len;
	uint32_t head, tail;        /* records owned by this name, 1-based indexes into mrec */
	store_name_id id;           /* interned lazily */
	uint8_t visited;            /* reached from the qname through CNAMEs */
	uint8_t ns_target;          /* named by a relevant NS record of this message */
	uint8_t addr_owner;         /* owns answer A/AAAA records */
};
struct mrec {
	const struct dns_rr *rr;
	uint32_t owner, target;     /* slot indexes (target for CNAME/NS, else 0) */
	uint32_t next;              /* next record of the same owner, 1-based, 0 = end */
};
struct maddr {
	const fs_addr *addr;
	store_addr_id id;
	uint32_t ttl;
	uint32_t owner;             /* slot */
};
struct scratch {
	struct mslot *slot;  uint32_t n_slot, cap_slot;  /* slot 0 unused */
	struct mrec *rec;    uint32_t n_rec, cap_rec;    /* rec 0 unused */
	uint32_t *tab;       uint32_t cap_tab;           /* slot hash table, mask set per message */
	uint32_t tab_mask;
	uint32_t *queue;     uint32_t cap_queue;         /* CNAME chain, BFS order */
	struct maddr *addr;  uint32_t n_addr, cap_addr;
	/* The decoder hands out one string for a name repeated through compression, so a pointer
	 * seen before is the same name: no length, hash or compare. Direct-mapped, per message. */
	struct { const char *p; uint32_t slot; } pcache[32];
	uint32_t *ids;       uint32_t cap_ids;           /* set building */
	uint32_t *ids2;      uint32_t cap_ids2;
};

struct store {
	pthread_rwlock_t lock;
	_Atomic uint64_t generation;
	_Atomic uint32_t epoch;
	struct store_config cfg;
	struct store_stats st;      /* counters; live sizes filled in by store_get_stats */
	size_t bytes;               /* everything but the arenas (arena.bytes are added on read) */

	struct arena names_arena, sets_arena;

	struct name_ent *names;     uint32_t n_names, cap_names;   /* [0] unused */
	struct idtable name_tab;    struct idfree name_free;
	uint32_t live_names;

	/* Records are allocated one by one and tables hold pointers: a freed slot costs a pointer,
	 * not a record, and records never move when a table grows. NULL = free slot. */
	struct store_addr **addrs;  uint32_t n_addrs, cap_addrs;
	struct idtable addr_tab;    struct idfree addr_free;
	uint32_t live_addrs;

	struct set_ent *sets;       uint32_t n_sets, cap_sets;
	struct idtable set_tab;     struct idfree set_free;
	uint32_t live_sets;

	struct store_domain **doms; uint32_t n_doms, cap_doms;
	uint64_t *dom_stamp;        /* store_domain_stamp, indexed like doms */
	uint32_t cap_stamp;
	uint64_t stamp_next;        /* the last stamp given; starts at this store's own block */
	struct idfree dom_free;
	uint32_t live_doms;
	uint32_t live_answered;     /* of them, those with dom_ext.answers (not bare) */

	struct store_nsname **nsn;  uint32_t n_nsn, cap_nsn;
	struct idfree nsn_free;
	uint32_t live_nsn;

	struct scratch sc;
	struct slab slab_dom, slab_dext, slab_addr, slab_nsn;
	/* The last resolver and client: a capture has few, so most lookups end here. Cleared by
	 * store_expire(). */
	fs_addr host_addr[2];
	store_addr_id host_id[2];
	/* Feed vantages (store_vantage): [0] unused; few, looked up linearly from the last hit. */
	struct store_vantage_ent { char *name; uint8_t view; } *vant;
	uint32_t n_vant, cap_vant, last_vant;
	/* Indexes of addresses' long reverse vectors (st_addr_ix); [0] unused. */
	struct addr_ix *aix;        uint32_t n_aix, cap_aix;
	struct idfree aix_free;
	struct vidx *ix_none;       /* what a short vector's index slot points at: stays NULL */
	/* Blocks of vectors packed by store_pack (pack.c); freed with the store. */
	struct st_pack { unsigned char *base; size_t size; } *packs;
	uint32_t n_packs;
};
uint16_t st_vantage_intern(struct store *s, const char *name, uint8_t view);

/* store.c: accounted allocation. */
void st_slab_init(struct slab *sl, size_t size);
void *st_slab_alloc(struct store *s, struct slab *sl);   /* zeroed */
void st_slab_free(struct store *s, struct slab *sl, void *p);
void st_slab_destroy(struct store *s, struct slab *sl);
void *st_vec_grow(struct store *s, void *p, uint32_t *cap, size_t elem, uint32_t min, void *inl);
void st_vec_free(struct store *s, void *p, uint32_t cap, size_t elem, void *inl);
void *st_vec_shrink(struct store *s, void *p, uint32_t n, uint32_t *cap, size_t elem, void *inl);
void *st_scratch_grow(void *p, uint32_t *cap, size_t elem, uint32_t need);
/* pack.c: p lies in a block of store_pack (never freed or reallocated on its own). */
bool st_packed(const struct store *s, const void *p);
void st_packs_free(struct store *s);
void st_idfree_push(struct store *s, struct idfree *f, uint32_t id);
uint32_t st_idfree_pop(struct idfree *f);
void st_bump(struct store *s);
/* A domain's data changed (store_domain_stamp): a new stamp, unique in the process. */
void st_dom_touch(struct store *s, store_dom_id id);
#define VEC_RESERVE_INL(s, p, n, cap, min, inl)                                         \
	do {                                                                                \
		if ((n) >= (cap))                                                               \
			(p) = st_vec_grow((s), (p), &(cap), sizeof *(p), (min), (inl));            \
	} while (0)
#define VEC_RESERVE(s, p, n, cap, min) VEC_RESERVE_INL(s, p, n, cap, min, NULL)

/* A domain record carries room for its first response, and an address record for its first
 * domain: most names are seen once or twice, and this saves heap blocks per domain and keeps a
 * new domain's data in one place. What a domain needs besides (its answers and NS sets with
 * the vectors' capacities, room for its first RRset and address, the indexes of its long
 * vectors, its last answer set) is a second fixed record (struct dom_ext, slab_dext: the
 * public struct store_domain_ext first), made when the first address, RRset or CNAME comes
 * (`answers` set), or an NS set or a second response (not set): a name of a random-subdomain
 * flood costs the small block alone, and its `ext` is store_domain_ext_empty. */
#define DOM_LAST_SET_MAX 4
struct dom_ext {
	struct store_domain_ext e;  /* what readers see (store_domain.ext) */
	uint32_t cap_rrsets, cap_addrs, cap_cnames, cap_clinks, cap_ns;
	uint32_t answers;           /* had an address, RRset or CNAME (not bare: domains_bare) */
	struct store_rrset rrset;
	struct store_dom_addr addr;
	struct vidx *ix_addr, *ix_rrset, *ix_cname;
	/* The domain's last small answer set, members copied here: a response repeating it (the
	 * common case for a stable name) gets its set id without hashing or touching the set
	 * table. last_n = 0: none. Cleared by store_expire(), which may free and reuse set ids. */
	uint32_t last_n;
	store_set_id last_set;
	uint32_t last_m[DOM_LAST_SET_MAX];
	/* Position in rrsets of the RRset noted last: checked against its set id before use. */
	uint32_t rrset_hint;
};
struct dom_block {
	struct store_domain d;
	struct store_response resp;
};
/* The indexes of an address's long reverse vectors (domains, NS names): few addresses have
 * one (a CDN edge shared by many names, a nameserver's address), so they live in a side table
 * (store.aix, st_addr_ix), the record holding the number of its entry instead of two pointers. */
struct addr_ix {
	struct vidx *dom, *ns;
};
struct addr_block {
	struct store_addr a;
	store_dom_id dom;
	uint32_t aix;               /* entry in store.aix; 0 = none (no long vector) */
};
struct nsn_block {
	struct store_nsname n;
	struct vidx *ix_glue, *ix_zone, *ix_dom;
};
#define DOM_INL_RESP(d) ((void *)&((struct dom_block *)(void *)(d))->resp)
/* The domain's own dom_ext, NULL while it has none (its ext is store_domain_ext_empty). */
#define DOM_X(d) ((d)->ext == &store_domain_ext_empty ? NULL                              \
                  : (struct dom_ext *)(void *)(uintptr_t)(d)->ext)
#define ADDR_INL_DOM(a) ((void *)&((struct addr_block *)(void *)(a))->dom)
#define DOM_BLK(d) ((struct dom_block *)(void *)(d))
#define ADDR_BLK(a) ((struct addr_block *)(void *)(a))
#define NSN_BLK(n) ((struct nsn_block *)(void *)(n))

/* intern.c */
uint32_t st_hash_name(const char *str, uint32_t len);
bool st_name_eq(const char *a, const char *b, uint32_t len);
store_name_id st_name_find_h(const struct store *s, const char *str, uint32_t len, uint32_t h);
store_name_id st_name_intern_h(struct store *s, const char *str, uint32_t len, uint32_t h);
store_set_id st_set_intern_sorted(struct store *s, uint32_t kind, const uint32_t *m, uint32_t n);
uint32_t st_sort_unique(uint32_t *v, uint32_t n);
void st_arena_free(struct arena *a);
void *st_arena_alloc(struct arena *a, size_t size);
void st_idtable_free(struct store *s, struct idtable *t);
void st_rebuild_name_tab(struct store *s);
void st_rebuild_addr_tab(struct store *s);
void st_rebuild_set_tab(struct store *s);
/* Position of the element of base[0..n) (stride elem) whose leading uint32 is key, or
 * UINT32_MAX; ix is the vector's index (NULL while it is short). */
uint32_t st_vec_find(const struct vidx *ix, const void *base, uint32_t n, size_t elem,
                     uint32_t key);
/* Call after appending base[n-1]: keeps the index of a long vector up to date. */
void st_vec_note(struct store *s, struct vidx **ix, const void *base, uint32_t n, size_t elem);
/* Rebuild (or drop) the index of a vector that was rewritten. */
void st_vec_reindex(struct store *s, struct vidx **ix, const void *base, uint32_t n, size_t elem);
void st_vidx_free(struct store *s, struct vidx **ix);
/* Start loading what a later lookup will touch, so the misses of one message overlap. */
void st_vidx_prefetch(const struct vidx *ix, uint32_t key);
void st_addr_prefetch(const struct store *s, const fs_addr *a);
/* Append id to a distinct-id vector unless present; true if added. */
bool st_idvec_add(struct store *s, struct vidx **ix, uint32_t **v, uint32_t *n, uint32_t *cap,
                  uint32_t id, void *inl);

/* timeline.c / index.c */
/* The domain's dom_ext, made on first use (its first RRset and address go into its room):
 * st_dom_ext for an answer (an address, RRset or CNAME: the domain is no longer bare),
 * st_dom_more for anything else it holds (an NS set, a second response). */
struct dom_ext *st_dom_ext(struct store *s, struct store_domain *d);
struct dom_ext *st_dom_more(struct store *s, struct store_domain *d);
/* The timeline vector: room for one response in the record, then a heap block whose
 * capacity is kept in front of it (a flood's names keep no capacity field). */
/* A heap timeline starts RESP_HDR bytes into its block, after its capacity. */
#define RESP_HDR 8
uint32_t st_resp_cap(const struct store_domain *d);
void st_resp_reserve(struct store *s, struct store_domain *d);
void st_resp_free(struct store *s, struct store_domain *d);
void st_resp_shrink(struct store *s, struct store_domain *d);
store_dom_id st_domain_get(struct store *s, store_name_id name, fs_time ts);
store_ns_id st_nsname_get(struct store *s, store_name_id name, fs_time ts);
bool st_dom_addr_note(struct store *s, struct vidx **ix, struct store_dom_addr **v,
                      uint32_t *n, uint32_t *cap, store_addr_id a, fs_time ts, uint32_t ttl,
                      void *inl);
void st_rrset_note(struct store *s, store_dom_id id, store_set_id set, fs_time ts,
                   uint32_t ttl_min, uint32_t ttl_max, int src_index);
bool st_ns_obs_note(struct store *s, store_dom_id id, store_name_id zone, store_set_id nsset,
                    fs_time ts, uint32_t ttl);
void st_addr_link_domain(struct store *s, store_addr_id a, store_dom_id d);
/* The index slot of address a's domains (ns false) or NS names (ns true) vector, whose length
 * is n before an append: its side-table entry's, made when the vector is about to be long;
 * for a short vector of an address without one, a slot that stays NULL (s->ix_none). */
struct vidx **st_addr_ix(struct store *s, struct store_addr *a, bool ns, uint32_t n);
/* Frees an address's indexes and gives its side-table entry back. */
void st_addr_ix_free(struct store *s, struct store_addr *a);
void st_nsname_link(struct store *s, store_ns_id ns, store_name_id zone, store_dom_id d);
void st_glue_note(struct store *s, store_ns_id ns, store_addr_id a, fs_time ts, uint32_t ttl);
/* The record whose NS observations apply to a domain: its own when it has some, else the
 * closest ancestor's with NS data (store_domain_nsset); 0 = none. */
store_dom_id st_ns_source(const struct store *s, store_dom_id id);
bool st_name_encloses(const char *zone, uint32_t zlen, const char *name, uint32_t nlen);

#endif
