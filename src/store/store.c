/* Observation store: life cycle, locking, accounted allocation and the read accessors. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A feed's vantage number took the padding at the end of a timeline entry. */
_Static_assert(sizeof(struct store_response) == 48, "timeline entry size");
/* An address's record: its public part, its first domain and its side-table entry. */
_Static_assert(sizeof(struct addr_block) == 80, "address record size");

/* Stamps of domain changes (store_domain_stamp) name one change of one domain of one store: a
 * detector run over another store, or over an id freed and given to another name, never finds
 * its old stamp again. Each store counts within its own block of 2^48 stamps (years of changes
 * at millions a second), taken once; 65,536 stores a process. */
static uint64_t
stamp_block(void)
{
	static _Atomic uint64_t blocks;
	return (atomic_fetch_add_explicit(&blocks, 1, memory_order_relaxed) + 1) << 48;
}

struct store *
store_new(const struct store_config *cfg)
{
	struct store *s = xcalloc(1, sizeof *s);
	pthread_rwlockattr_t attr;

	if (cfg != NULL)
		s->cfg = *cfg;
	/* Writer preference: the UI takes the read lock often; ingest must not starve. */
	pthread_rwlockattr_init(&attr);
#ifdef PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	if (pthread_rwlock_init(&s->lock, &attr) != 0)
		fs_fatal("cannot initialise the store lock");
	pthread_rwlockattr_destroy(&attr);
	atomic_init(&s->generation, 0);
	atomic_init(&s->epoch, 0);
	s->stamp_next = stamp_block();
	/* Index 0 of every table is the "none" id. */
	s->n_names = s->n_addrs = s->n_sets = s->n_doms = s->n_nsn = 1;
	st_slab_init(&s->slab_dom, sizeof(struct dom_block));
	st_slab_init(&s->slab_dext, sizeof(struct dom_ext));
	st_slab_init(&s->slab_addr, sizeof(struct addr_block));
	st_slab_init(&s->slab_nsn, sizeof(struct nsn_block));
	s->bytes = sizeof *s;
	return s;
}

static void
idfree_free(struct idfree *f)
{
	free(f->id);
	f->id = NULL;
	f->n = f->cap = 0;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	for (uint32_t i = 1; i < s->n_vant; i++)
		free(s->vant[i].name);
	free(s->vant);
	for (uint32_t i = 1; i < s->n_doms; i++) {
		struct store_domain *d = s->doms[i];

		if (d == NULL)
			continue;
		st_resp_free(s, d);
		struct dom_ext *x = DOM_X(d);
		if (x != NULL) {
			/* st_vec_free: a vector packed by store_pack is not freed on its own */
			st_vec_free(s, x->e.rrsets, x->cap_rrsets, sizeof *x->e.rrsets, &x->rrset);
			st_vec_free(s, x->e.addrs, x->cap_addrs, sizeof *x->e.addrs, &x->addr);
			st_vec_free(s, x->e.cnames, x->cap_cnames, sizeof *x->e.cnames, NULL);
			st_vec_free(s, x->e.clinks, x->cap_clinks, sizeof *x->e.clinks, NULL);
			st_vec_free(s, x->e.ns, x->cap_ns, sizeof *x->e.ns, NULL);
			free(x->ix_addr);
			free(x->ix_rrset);
			free(x->ix_cname);
		}
	}
	for (uint32_t i = 1; i < s->n_addrs; i++) {
		if (s->addrs[i] == NULL)
			continue;
		struct store_addr *a = s->addrs[i];
		st_vec_free(s, a->domains, a->cap_domains, sizeof *a->domains, ADDR_INL_DOM(a));
		st_vec_free(s, a->ns_names, a->cap_ns_names, sizeof *a->ns_names, NULL);
		st_addr_ix_free(s, a);
	}
	for (uint32_t i = 1; i < s->n_nsn; i++) {
		if (s->nsn[i] == NULL)
			continue;
		struct store_nsname *r = s->nsn[i];
		st_vec_free(s, r->glue, r->cap_glue, sizeof *r->glue, NULL);
		st_vec_free(s, r->zones, r->cap_zones, sizeof *r->zones, NULL);
		st_vec_free(s, r->domains, r->cap_domains, sizeof *r->domains, NULL);
		free(NSN_BLK(s->nsn[i])->ix_glue);
		free(NSN_BLK(s->nsn[i])->ix_zone);
		free(NSN_BLK(s->nsn[i])->ix_dom);
	}
	free(s->aix);
	idfree_free(&s->aix_free);
	st_packs_free(s);
	st_slab_destroy(s, &s->slab_dom);
	st_slab_destroy(s, &s->slab_dext);
	st_slab_destroy(s, &s->slab_addr);
	st_slab_destroy(s, &s->slab_nsn);
	free(s->doms);
	free(s->dom_stamp);
	free(s->addrs);
	free(s->nsn);
	free(s->names);
	free(s->sets);
	st_idtable_free(s, &s->name_tab);
	st_idtable_free(s, &s->addr_tab);
	st_idtable_free(s, &s->set_tab);
	idfree_free(&s->name_free);
	idfree_free(&s->addr_free);
	idfree_free(&s->set_free);
	idfree_free(&s->dom_free);
	idfree_free(&s->nsn_free);
	st_arena_free(&s->names_arena);
	st_arena_free(&s->sets_arena);
	free(s->sc.slot);
	free(s->sc.rec);
	free(s->sc.tab);
	free(s->sc.queue);
	free(s->sc.addr);
	free(s->sc.ids);
	free(s->sc.ids2);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}

void store_write_lock(struct store *s) { pthread_rwlock_wrlock(&s->lock); }
void store_write_unlock(struct store *s) { pthread_rwlock_unlock(&s->lock); }
void store_read_lock(struct store *s) { pthread_rwlock_rdlock(&s->lock); }
void store_read_unlock(struct store *s) { pthread_rwlock_unlock(&s->lock); }

static struct timespec
deadline(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

bool
store_read_lock_for(struct store *s, int ms)
{
	struct timespec t;

	if (ms <= 0)
		return pthread_rwlock_tryrdlock(&s->lock) == 0;
	t = deadline(ms);
	return pthread_rwlock_clockrdlock(&s->lock, CLOCK_MONOTONIC, &t) == 0;
}

bool
store_write_lock_for(struct store *s, int ms)
{
	struct timespec t;

	if (ms <= 0)
		return pthread_rwlock_trywrlock(&s->lock) == 0;
	t = deadline(ms);
	return pthread_rwlock_clockwrlock(&s->lock, CLOCK_MONOTONIC, &t) == 0;
}

uint64_t
store_generation(const struct store *s)
{
	return atomic_load_explicit(&s->generation, memory_order_acquire);
}

uint32_t
store_epoch(const struct store *s)
{
	return atomic_load_explicit(&s->epoch, memory_order_acquire);
}

void
st_dom_touch(struct store *s, store_dom_id id)
{
	if (id >= s->cap_stamp) {
		uint32_t old = s->cap_stamp, nc = old ? old : 1024;
		while (nc <= id)
			nc *= 2;
		s->dom_stamp = xreallocarray(s->dom_stamp, nc, sizeof *s->dom_stamp);
		memset(s->dom_stamp + old, 0, (size_t)(nc - old) * sizeof *s->dom_stamp);
		s->bytes += (size_t)(nc - old) * sizeof *s->dom_stamp;
		s->cap_stamp = nc;
	}
	s->dom_stamp[id] = ++s->stamp_next;   /* the writer's own counter: no atomic per message */
}

uint64_t
store_domain_stamp(const struct store *s, store_dom_id id)
{
	return id < s->cap_stamp && id < s->n_doms && s->doms[id] != NULL ? s->dom_stamp[id] : 0;
}

/* Only writers (under the write lock) change the store, so a plain load and a release store
 * suffice: no locked read-modify-write on the hot path. */
void
st_bump(struct store *s)
{
	uint64_t g = atomic_load_explicit(&s->generation, memory_order_relaxed);
	atomic_store_explicit(&s->generation, g + 1, memory_order_release);
}

/* Geometric growth: doubling while small, then 1.5x, so a long timeline wastes at most a third.
 * `inl` is the vector's room inside its record (one element), or NULL: a vector that outgrows
 * it moves to the heap, as does one that store_pack packed. */
void *
st_vec_grow(struct store *s, void *p, uint32_t *cap, size_t elem, uint32_t min, void *inl)
{
	uint32_t old = *cap, nc;

	if (old == 0)
		nc = min ? min : 1;
	else if (old < 64)
		nc = old * 2;
	else if (old > UINT32_MAX / 3 * 2)
		fs_fatal("store vector over 2^32 elements");
	else
		nc = old + old / 2;
	if (p != NULL && (p == inl || st_packed(s, p))) {
		void *q = xreallocarray(NULL, nc, elem);

		memcpy(q, p, old * elem);
		s->bytes += nc * elem + STORE_BLOCK_OVERHEAD;
		*cap = nc;
		return q;
	}
	p = xreallocarray(p, nc, elem);
	s->bytes += (nc - old) * elem + (old == 0 ? STORE_BLOCK_OVERHEAD : 0);
	*cap = nc;
	return p;
}

void
st_vec_free(struct store *s, void *p, uint32_t cap, size_t elem, void *inl)
{
	if (p == NULL || p == inl || st_packed(s, p))
		return;   /* a packed vector's bytes stay in its block until store_free */
	s->bytes -= cap * elem + STORE_BLOCK_OVERHEAD;
	free(p);
}

/* Give back the slack of a vector trimmed by store_expire(); one element goes back into the
 * record's own room when it has one. */
void *
st_vec_shrink(struct store *s, void *p, uint32_t n, uint32_t *cap, size_t elem, void *inl)
{
	if (p == NULL || p == inl)
		return p;
	if (inl != NULL && n <= 1) {
		memcpy(inl, p, n * elem);
		st_vec_free(s, p, *cap, elem, NULL);
		*cap = 1;
		return inl;
	}
	if (n == 0) {
		st_vec_free(s, p, *cap, elem, NULL);
		*cap = 0;
		return NULL;
	}
	if (n + n / 4 >= *cap || st_packed(s, p))
		return p;
	s->bytes -= (*cap - n) * elem;
	*cap = n;
	return xreallocarray(p, n, elem);
}

/* Scratch buffers are not counted per message; they are small and reused. */
void *
st_scratch_grow(void *p, uint32_t *cap, size_t elem, uint32_t need)
{
	uint32_t nc = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (nc < need)
		nc *= 2;
	*cap = nc;
	return xreallocarray(p, nc, elem);
}

void
st_idfree_push(struct store *s, struct idfree *f, uint32_t id)
{
	VEC_RESERVE(s, f->id, f->n, f->cap, 16);
	f->id[f->n++] = id;
}

uint32_t
st_idfree_pop(struct idfree *f)
{
	return f->n ? f->id[--f->n] : 0;
}

/* ---- read accessors ---- */

const char *
store_name_str(const struct store *s, store_name_id id)
{
	if (id == 0 || id >= s->n_names || s->names[id].str == NULL)
		return "";
	return s->names[id].str;
}

const uint32_t *
store_set_members(const struct store *s, store_set_id id, uint32_t *n)
{
	if (id == 0 || id >= s->n_sets || s->sets[id].m == NULL) {
		*n = 0;
		return NULL;
	}
	*n = s->sets[id].n;
	return s->sets[id].m;
}

uint32_t
store_set_kind(const struct store *s, store_set_id id)
{
	if (id == 0 || id >= s->n_sets || s->sets[id].m == NULL)
		return 0;
	return s->sets[id].kind;
}

uint32_t
store_set_size(const struct store *s, store_set_id id)
{
	uint32_t n;

	store_set_members(s, id, &n);
	return n;
}

size_t store_domain_count(const struct store *s) { return s->n_doms - 1; }
size_t store_addr_count(const struct store *s) { return s->n_addrs - 1; }
size_t store_nsname_count(const struct store *s) { return s->n_nsn - 1; }

const struct store_domain *
store_domain(const struct store *s, store_dom_id id)
{
	if (id == 0 || id >= s->n_doms)
		return NULL;
	return s->doms[id];
}

store_dom_id
store_domain_by_name(const struct store *s, store_name_id name)
{
	if (name == 0 || name >= s->n_names)
		return 0;
	return s->names[name].dom;
}

store_dom_id
store_domain_find(const struct store *s, const char *name)
{
	return store_domain_by_name(s, store_name_find(s, name));
}

const struct store_addr *
store_addr(const struct store *s, store_addr_id id)
{
	if (id == 0 || id >= s->n_addrs)
		return NULL;
	return s->addrs[id];
}

const struct store_nsname *
store_nsname(const struct store *s, store_ns_id idx)
{
	if (idx == 0 || idx >= s->n_nsn)
		return NULL;
	return s->nsn[idx];
}

store_ns_id
store_nsname_find(const struct store *s, store_name_id name)
{
	if (name == 0 || name >= s->n_names)
		return 0;
	return s->names[name].ns;
}

const struct store_nsname *
store_nsname_by_name(const struct store *s, store_name_id name)
{
	return store_nsname(s, store_nsname_find(s, name));
}

void
store_get_stats(const struct store *s, struct store_stats *out)
{
	*out = s->st;
	out->domains = s->live_doms;
	out->domains_bare = s->live_doms >= s->live_answered ? s->live_doms - s->live_answered : 0;
	out->addrs = s->live_addrs;
	out->nsnames = s->live_nsn;
	out->names = s->live_names;
	out->sets = s->live_sets;
	out->bytes = s->bytes + s->names_arena.bytes + s->sets_arena.bytes;
}

void
store_domain_set_flags(struct store *s, store_dom_id id, uint32_t flags)
{
	if (id == 0 || id >= s->n_doms || s->doms[id] == NULL)
		return;
	s->doms[id]->user_flags = flags;
	st_bump(s);
}

void
store_set_pinned_keep(struct store *s, uint32_t n)
{
	s->cfg.pinned_keep = n;
}

void
store_domain_set_pins(struct store *s, store_dom_id id, uint32_t pins)
{
	if (id == 0 || id >= s->n_doms || s->doms[id] == NULL || s->doms[id]->pins == pins)
		return;
	s->doms[id]->pins = pins;
	st_bump(s);
}

/* Labels of a presentation name (escaped dots do not count); the root "." has none. */
static uint32_t
name_depth(const char *p)
{
	uint32_t n = 1;
	bool esc = false;

	if (p[0] == '.' && p[1] == '\0')
		return 0;
	for (; *p != '\0'; p++) {
		if (esc)
			esc = false;
		else if (*p == '\\')
			esc = true;
		else if (*p == '.')
			n++;
	}
	return n;
}

/* The parent of a presentation name ("." for a top-level name), NULL for the root. */
static const char *
name_parent(const char *p)
{
	bool esc = false;

	if (p[0] == '.' && p[1] == '\0')
		return NULL;
	for (; *p != '\0'; p++) {
		if (esc)
			esc = false;
		else if (*p == '\\')
			esc = true;
		else if (*p == '.')
			return p[1] != '\0' ? p + 1 : ".";
	}
	return ".";
}

/* The deepest zone a domain has NS observations for, and that zone's latest set. */
static store_set_id
dom_latest_nsset(const struct store *s, const struct store_domain *d, store_name_id *zone)
{
	uint32_t best_depth = 0;
	store_set_id best = 0;
	store_name_id bz = 0;

	for (uint32_t i = d->ext->n_ns; i-- > 0;) {
		const struct store_ns_obs *o = &d->ext->ns[i];
		uint32_t depth = name_depth(store_name_str(s, o->zone));

		if (best == 0 || depth > best_depth) {
			best = o->nsset;
			bz = o->zone;
			best_depth = depth;
		}
	}
	if (zone != NULL)
		*zone = bz;
	return best;
}

store_dom_id
st_ns_source(const struct store *s, store_dom_id id)
{
	const struct store_domain *d = store_domain(s, id);
	const char *p;

	if (d == NULL)
		return 0;
	if (d->ext->n_ns > 0)
		return id;
	/* Walk up to the closest ancestor zone with NS data. */
	for (p = name_parent(store_name_str(s, d->name)); p != NULL; p = name_parent(p)) {
		store_dom_id a = store_domain_find(s, p);

		if (a != 0 && s->doms[a]->ext->n_ns > 0)
			return a;
	}
	return 0;
}

store_set_id
store_domain_nsset(const struct store *s, store_dom_id id, store_name_id *zone)
{
	store_dom_id src = st_ns_source(s, id);

	if (zone != NULL)
		*zone = 0;
	return src != 0 ? dom_latest_nsset(s, s->doms[src], zone) : 0;
}

uint32_t
store_domain_ns_changes(const struct store *s, store_dom_id id)
{
	const struct store_domain *d = store_domain(s, id);
	store_name_id zones[16];
	uint32_t nz = 0, changes = 0;

	if (d == NULL)
		return 0;
	/* Observations are appended only on change, so each one after the first of its zone is a
	 * change. Zones per domain are few (root, TLD, zone); past 16 the rest count as changes. */
	for (uint32_t i = 0; i < d->ext->n_ns; i++) {
		uint32_t j;

		for (j = 0; j < nz && zones[j] != d->ext->ns[i].zone; j++)
			;
		if (j < nz)
			changes++;
		else if (nz < 16)
			zones[nz++] = d->ext->ns[i].zone;
		else
			changes++;
	}
	return changes;
}

uint16_t
st_vantage_intern(struct store *s, const char *name, uint8_t view)
{
	if (s->last_vant != 0 && s->vant[s->last_vant].view == view &&
	    strcmp(s->vant[s->last_vant].name, name) == 0)
		return (uint16_t)s->last_vant;
	for (uint32_t i = 1; i < s->n_vant; i++) {
		if (s->vant[i].view == view && strcmp(s->vant[i].name, name) == 0) {
			s->last_vant = i;
			return (uint16_t)i;
		}
	}
	if (s->n_vant == 0)
		s->n_vant = 1;
	if (s->n_vant > STORE_VANTAGE_MAX)
		return STORE_VANTAGE_MAX;
	if (s->n_vant >= s->cap_vant) {
		s->cap_vant = s->cap_vant ? s->cap_vant * 2 : 8;
		s->vant = xreallocarray(s->vant, s->cap_vant, sizeof *s->vant);
	}
	s->vant[s->n_vant].name = xstrdup(name);
	s->vant[s->n_vant].view = view;
	s->bytes += strlen(name) + 1 + sizeof *s->vant + STORE_BLOCK_OVERHEAD;
	s->last_vant = s->n_vant;
	return (uint16_t)s->n_vant++;
}

size_t
store_vantage_count(const struct store *s)
{
	return s->n_vant > 0 ? s->n_vant - 1 : 0;
}

const char *
store_vantage(const struct store *s, uint16_t i, uint8_t *view)
{
	if (i == 0 || i >= s->n_vant) {
		if (view != NULL)
			*view = 0;
		return "";
	}
	if (view != NULL)
		*view = s->vant[i].view;
	return s->vant[i].name;
}
