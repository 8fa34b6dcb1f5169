/* Interning of names, addresses and sets (open addressing), the string arena, and the pair
 * maps that index long membership vectors. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256u * 1024u)

/* ---- hashing ---- */

/* Eight ASCII bytes to lower case at once (bytes >= 0x80 untouched). */
static inline uint64_t
lower8(uint64_t x)
{
	uint64_t h7 = x & 0x7f7f7f7f7f7f7f7fULL;
	uint64_t gt_z = h7 + 0x2525252525252525ULL;   /* high bit set where byte > 'Z' */
	uint64_t ge_a = h7 + 0x3f3f3f3f3f3f3f3fULL;   /* high bit set where byte >= 'A' */
	uint64_t upper = ~x & (ge_a ^ gt_z) & 0x8080808080808080ULL;

	return x | (upper >> 2);
}

static inline uint64_t
load8(const char *p, uint32_t n)
{
	uint64_t w = 0;

	memcpy(&w, p, n < 8 ? n : 8);
	return w;
}

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Case-insensitive (ASCII) hash, eight bytes per step. */
uint32_t
st_hash_name(const char *str, uint32_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	while (len > 0) {
		uint32_t k = len < 8 ? len : 8;

		h = (h ^ lower8(load8(str, k))) * 0x100000001b3ULL;
		h ^= h >> 29;
		str += k;
		len -= k;
	}
	return (uint32_t)mix64(h);
}

/* Equal ignoring ASCII case. */
bool
st_name_eq(const char *a, const char *b, uint32_t len)
{
	while (len > 0) {
		uint32_t k = len < 8 ? len : 8;

		if (lower8(load8(a, k)) != lower8(load8(b, k)))
			return false;
		a += k;
		b += k;
		len -= k;
	}
	return true;
}

static uint32_t
hash_addr(const fs_addr *a)
{
	uint64_t w0 = 0, w1 = 0;

	if (a->family == 4) {
		memcpy(&w0, a->bytes, 4);
	} else {
		memcpy(&w0, a->bytes, 8);
		memcpy(&w1, a->bytes + 8, 8);
	}
	return (uint32_t)mix64(w0 ^ mix64(w1 ^ a->family));
}

static bool
addr_eq(const fs_addr *a, const fs_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static uint32_t
hash_set(uint32_t kind, const uint32_t *m, uint32_t n)
{
	uint64_t h = 0x243f6a8885a308d3ULL ^ n ^ (uint64_t)kind << 32;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ m[i]) * 0x9e3779b97f4a7c15ULL;
	return (uint32_t)mix64(h);
}

/* ---- arena ---- */

void *
st_arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;

	size = (size + 3) & ~(size_t)3;   /* set members need 4-byte alignment */
	if (c == NULL || c->size - c->used < size) {
		size_t cs = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;

		c = xmalloc(sizeof *c + cs);
		c->size = cs;
		c->used = 0;
		if (a->head != NULL && size > ARENA_CHUNK / 4) {
			/* a big block gets its own chunk behind the current one, which stays in use */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->bytes += sizeof *c + cs + STORE_BLOCK_OVERHEAD;
	}
	c->used += size;
	return c->data + c->used - size;
}

void
st_arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *n;

	for (; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
	a->bytes = 0;
}

/* ---- id tables ---- */

void
st_idtable_free(struct store *s, struct idtable *t)
{
	if (t->slot != NULL)
		s->bytes -= (t->mask + 1) * sizeof *t->slot + STORE_BLOCK_OVERHEAD;
	free(t->slot);
	t->slot = NULL;
	t->mask = t->used = 0;
}

/* Insert slot value v (never 0) at the first free place from hash h. */
static void
idtable_put(struct idtable *t, uint32_t h, uint64_t v)
{
	uint32_t i = h & t->mask;

	while (t->slot[i] != 0)
		i = (i + 1) & t->mask;
	t->slot[i] = v;
	t->used++;
}

/* Probe start and slot value of an id, for rehashing. */
typedef uint32_t (*hash_of_fn)(const struct store *s, uint32_t id, uint64_t *v);

static uint32_t
name_hash_of(const struct store *s, uint32_t id, uint64_t *v)
{
	*v = (uint64_t)s->names[id].hash << 32 | id;
	return s->names[id].hash;
}

static uint32_t
set_hash_of(const struct store *s, uint32_t id, uint64_t *v)
{
	*v = (uint64_t)s->sets[id].hash << 32 | id;
	return s->sets[id].hash;
}

static uint32_t addr_slot(const fs_addr *a, uint32_t id, uint64_t *v);

static uint32_t
addr_hash_of(const struct store *s, uint32_t id, uint64_t *v)
{
	return addr_slot(&s->addrs[id]->addr, id, v);
}

/* Size the table for `want` entries at load <= 1/2 and re-insert the live ids 1..n-1. */
static void
idtable_rebuild(struct store *s, struct idtable *t, uint32_t want, uint32_t n, hash_of_fn hof,
                bool (*live)(const struct store *, uint32_t))
{
	uint32_t cap = 16;

	while (cap < want * 2)
		cap *= 2;
	st_idtable_free(s, t);
	t->slot = xzalloc(cap, sizeof *t->slot);
	t->mask = cap - 1;
	s->bytes += cap * sizeof *t->slot + STORE_BLOCK_OVERHEAD;
	for (uint32_t id = 1; id < n; id++) {
		if (live(s, id)) {
			uint64_t v;
			uint32_t h = hof(s, id, &v);

			idtable_put(t, h, v);
		}
	}
}

static bool name_live(const struct store *s, uint32_t id) { return s->names[id].str != NULL; }
static bool addr_live(const struct store *s, uint32_t id) { return s->addrs[id] != NULL; }
static bool set_live(const struct store *s, uint32_t id) { return s->sets[id].m != NULL; }

void st_rebuild_name_tab(struct store *s) { idtable_rebuild(s, &s->name_tab, s->live_names, s->n_names, name_hash_of, name_live); }
void st_rebuild_addr_tab(struct store *s) { idtable_rebuild(s, &s->addr_tab, s->live_addrs, s->n_addrs, addr_hash_of, addr_live); }
void st_rebuild_set_tab(struct store *s) { idtable_rebuild(s, &s->set_tab, s->live_sets, s->n_sets, set_hash_of, set_live); }

/* Keep the load at or under 3/4 before inserting one more id. */
static void
idtable_reserve(struct store *s, struct idtable *t, uint32_t live, uint32_t n, hash_of_fn hof,
                bool (*lv)(const struct store *, uint32_t))
{
	if (t->slot == NULL || (t->used + 1) * 4 > (t->mask + 1) * 3)
		idtable_rebuild(s, t, live + 1 > 16 ? live + 1 : 16, n, hof, lv);
}

/* ---- names ---- */

store_name_id
st_name_find_h(const struct store *s, const char *str, uint32_t len, uint32_t h)
{
	const struct idtable *t = &s->name_tab;
	uint64_t v;

	if (t->slot == NULL)
		return 0;
	for (uint32_t i = h & t->mask; (v = t->slot[i]) != 0; i = (i + 1) & t->mask) {
		const struct name_ent *e;

		if ((uint32_t)(v >> 32) != h)
			continue;
		e = &s->names[(uint32_t)v];
		if (e->len == len && st_name_eq(e->str, str, len))
			return (uint32_t)v;
	}
	return 0;
}

store_name_id
st_name_intern_h(struct store *s, const char *str, uint32_t len, uint32_t h)
{
	store_name_id id = st_name_find_h(s, str, len, h);
	char *copy;

	if (id != 0)
		return id;
	copy = st_arena_alloc(&s->names_arena, len + 1);
	for (uint32_t i = 0; i < len; i++) {
		char c = str[i];
		copy[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	copy[len] = '\0';
	idtable_reserve(s, &s->name_tab, s->live_names, s->n_names, name_hash_of, name_live);
	id = st_idfree_pop(&s->name_free);
	if (id == 0) {
		VEC_RESERVE(s, s->names, s->n_names, s->cap_names, 1024);
		id = s->n_names++;
	}
	s->names[id] = (struct name_ent){ .str = copy, .hash = h, .len = len };
	idtable_put(&s->name_tab, h, (uint64_t)h << 32 | id);
	s->live_names++;
	return id;
}

/* Length of a user-supplied name without a trailing (unescaped) dot; the root stays ".". */
static uint32_t
name_norm_len(const char *name)
{
	size_t len = strlen(name);
	size_t bs = 0;

	if (len > STORE_NAME_MAX)
		return 0;
	if (len > 1 && name[len - 1] == '.') {
		for (size_t i = len - 1; i > 0 && name[i - 1] == '\\'; i--)
			bs++;
		if (bs % 2 == 0)
			len--;
	}
	return (uint32_t)len;
}

store_name_id
store_name_intern(struct store *s, const char *name)
{
	uint32_t len = name != NULL ? name_norm_len(name) : 0;

	if (len == 0)
		return 0;
	return st_name_intern_h(s, name, len, st_hash_name(name, len));
}

store_name_id
store_name_find(const struct store *s, const char *name)
{
	uint32_t len = name != NULL ? name_norm_len(name) : 0;

	if (len == 0)
		return 0;
	return st_name_find_h(s, name, len, st_hash_name(name, len));
}

/* ---- addresses ---- */

/* An IPv4 address is its own slot tag, so finding one never touches its record; an IPv6 slot
 * carries the hash and bit 31 of the id part marks it (ids stay below 2^31). */
#define ADDR_V6_BIT 0x80000000u

static uint32_t
addr_slot(const fs_addr *a, uint32_t id, uint64_t *v)
{
	uint32_t h = hash_addr(a);

	if (a->family == 4) {
		uint32_t w;

		memcpy(&w, a->bytes, 4);
		*v = (uint64_t)w << 32 | id;
	} else {
		*v = (uint64_t)h << 32 | id | ADDR_V6_BIT;
	}
	return h;
}

static store_addr_id
addr_find_h(const struct store *s, const fs_addr *a, uint32_t h, uint64_t want)
{
	const struct idtable *t = &s->addr_tab;
	uint64_t v;

	if (t->slot == NULL)
		return 0;
	for (uint32_t i = h & t->mask; (v = t->slot[i]) != 0; i = (i + 1) & t->mask) {
		if ((v >> 32) != (want >> 32) || ((uint32_t)v & ADDR_V6_BIT) != ((uint32_t)want & ADDR_V6_BIT))
			continue;
		if (a->family == 4)
			return (uint32_t)v;
		if (addr_eq(&s->addrs[(uint32_t)v & ~ADDR_V6_BIT]->addr, a))
			return (uint32_t)v & ~ADDR_V6_BIT;
	}
	return 0;
}

void
st_addr_prefetch(const struct store *s, const fs_addr *a)
{
	uint64_t v;
	uint32_t h;

	if (s->addr_tab.slot == NULL || (a->family != 4 && a->family != 6))
		return;
	h = addr_slot(a, 0, &v);
	__builtin_prefetch(&s->addr_tab.slot[h & s->addr_tab.mask]);
}

store_addr_id
store_addr_find(const struct store *s, const fs_addr *a)
{
	uint64_t v;
	uint32_t h;

	if (a == NULL || (a->family != 4 && a->family != 6))
		return 0;
	h = addr_slot(a, 0, &v);
	return addr_find_h(s, a, h, v);
}

store_addr_id
store_addr_intern(struct store *s, const fs_addr *a)
{
	uint32_t h;
	uint64_t v;
	store_addr_id id;
	struct store_addr *r;

	if (a == NULL || (a->family != 4 && a->family != 6))
		return 0;
	h = addr_slot(a, 0, &v);
	if ((id = addr_find_h(s, a, h, v)) != 0)
		return id;
	idtable_reserve(s, &s->addr_tab, s->live_addrs, s->n_addrs, addr_hash_of, addr_live);
	id = st_idfree_pop(&s->addr_free);
	if (id == 0) {
		if (s->n_addrs >= ADDR_V6_BIT)
			fs_fatal("store: more than 2^31 addresses");
		VEC_RESERVE(s, s->addrs, s->n_addrs, s->cap_addrs, 1024);
		id = s->n_addrs++;
	}
	r = s->addrs[id] = st_slab_alloc(s, &s->slab_addr);
	r->domains = ADDR_INL_DOM(r);
	r->cap_domains = 1;
	r->addr.family = a->family;
	memcpy(r->addr.bytes, a->bytes, a->family == 4 ? 4 : 16);
	idtable_put(&s->addr_tab, h, v | id);
	s->live_addrs++;
	return id;
}

/* ---- sets ---- */

/* Sort ascending and drop duplicates in place; returns the new count. Sets are small (an
 * answer's addresses), so insertion sort first. */
static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

uint32_t
st_sort_unique(uint32_t *v, uint32_t n)
{
	uint32_t w;

	if (n <= 24) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;

			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	} else {
		qsort(v, n, sizeof *v, cmp_u32);
	}
	if (n == 0)
		return 0;
	for (uint32_t i = w = 1; i < n; i++)
		if (v[i] != v[w - 1])
			v[w++] = v[i];
	return w;
}

store_set_id
st_set_intern_sorted(struct store *s, uint32_t kind, const uint32_t *m, uint32_t n)
{
	struct idtable *t = &s->set_tab;
	uint32_t h, id;
	uint32_t *copy;
	uint64_t v;

	if (n == 0)
		return 0;
	h = hash_set(kind, m, n);
	if (t->slot == NULL && s->live_sets > 0)
		st_rebuild_set_tab(s);   /* store_pack gave it back */
	if (t->slot != NULL) {
		for (uint32_t i = h & t->mask; (v = t->slot[i]) != 0; i = (i + 1) & t->mask) {
			const struct set_ent *e;

			if ((uint32_t)(v >> 32) != h)
				continue;
			e = &s->sets[(uint32_t)v];
			if (e->n == n && e->kind == kind && memcmp(e->m, m, n * sizeof *m) == 0)
				return (uint32_t)v;
		}
	}
	copy = st_arena_alloc(&s->sets_arena, n * sizeof *m);
	memcpy(copy, m, n * sizeof *m);
	idtable_reserve(s, t, s->live_sets, s->n_sets, set_hash_of, set_live);
	id = st_idfree_pop(&s->set_free);
	if (id == 0) {
		VEC_RESERVE(s, s->sets, s->n_sets, s->cap_sets, 1024);
		id = s->n_sets++;
	}
	s->sets[id] = (struct set_ent){ .m = copy, .n = n, .hash = h, .kind = kind };
	idtable_put(t, h, (uint64_t)h << 32 | id);
	s->live_sets++;
	return id;
}

store_set_id
store_set_intern(struct store *s, uint32_t kind, const uint32_t *members, uint32_t n)
{
	struct scratch *sc = &s->sc;

	if (n == 0 || members == NULL)
		return 0;
	sc->ids2 = st_scratch_grow(sc->ids2, &sc->cap_ids2, sizeof *sc->ids2, n);
	memcpy(sc->ids2, members, n * sizeof *members);
	n = st_sort_unique(sc->ids2, n);
	return st_set_intern_sorted(s, kind, sc->ids2, n);
}

/* ---- per-vector indexes ---- */

static inline uint32_t
vidx_hash(uint32_t key)
{
	return (uint32_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 32);
}

static inline uint32_t
elem_key(const void *base, size_t elem, uint32_t i)
{
	uint32_t k;

	memcpy(&k, (const unsigned char *)base + (size_t)i * elem, sizeof k);
	return k;
}

void
st_vidx_free(struct store *s, struct vidx **ix)
{
	if (*ix == NULL)
		return;
	s->bytes -= sizeof **ix + ((size_t)(*ix)->mask + 1) * sizeof (*ix)->slot[0] + STORE_BLOCK_OVERHEAD;
	free(*ix);
	*ix = NULL;
}

static void
vidx_put(struct vidx *x, uint32_t key, uint32_t pos)
{
	uint32_t i;

	for (i = vidx_hash(key) & x->mask; x->slot[i] != 0; i = (i + 1) & x->mask) {
		if ((uint32_t)(x->slot[i] >> 32) == key) {
			x->slot[i] = (uint64_t)key << 32 | (pos + 1);
			return;
		}
	}
	x->slot[i] = (uint64_t)key << 32 | (pos + 1);
	x->used++;
}

/* An index sized for n elements at load <= 1/2, holding base[0..n). */
static struct vidx *
vidx_build(struct store *s, const void *base, uint32_t n, size_t elem)
{
	uint32_t cap = 16;
	struct vidx *x;

	while (cap < n * 2)
		cap *= 2;
	x = xcalloc(1, sizeof *x + (size_t)cap * sizeof x->slot[0]);
	x->mask = cap - 1;
	s->bytes += sizeof *x + (size_t)cap * sizeof x->slot[0] + STORE_BLOCK_OVERHEAD;
	for (uint32_t i = 0; i < n; i++)
		vidx_put(x, elem_key(base, elem, i), i);
	return x;
}

void
st_vidx_prefetch(const struct vidx *ix, uint32_t key)
{
	if (ix != NULL)
		__builtin_prefetch(&ix->slot[vidx_hash(key) & ix->mask]);
}

uint32_t
st_vec_find(const struct vidx *ix, const void *base, uint32_t n, size_t elem, uint32_t key)
{
	uint64_t v;

	if (ix == NULL) {
		for (uint32_t i = 0; i < n; i++)
			if (elem_key(base, elem, i) == key)
				return i;
		return UINT32_MAX;
	}
	for (uint32_t i = vidx_hash(key) & ix->mask; (v = ix->slot[i]) != 0; i = (i + 1) & ix->mask)
		if ((uint32_t)(v >> 32) == key)
			return (uint32_t)v - 1;
	return UINT32_MAX;
}

void
st_vec_reindex(struct store *s, struct vidx **ix, const void *base, uint32_t n, size_t elem)
{
	st_vidx_free(s, ix);
	if (n >= VIDX_THRESHOLD)
		*ix = vidx_build(s, base, n, elem);
}

void
st_vec_note(struct store *s, struct vidx **ix, const void *base, uint32_t n, size_t elem)
{
	if (n < VIDX_THRESHOLD)
		return;
	if (*ix == NULL || (n * 4 > ((*ix)->mask + 1) * 3)) {
		st_vec_reindex(s, ix, base, n, elem);   /* first time, or growing: rebuild at 1/2 */
		return;
	}
	vidx_put(*ix, elem_key(base, elem, n - 1), n - 1);
}

bool
st_idvec_add(struct store *s, struct vidx **ix, uint32_t **v, uint32_t *n, uint32_t *cap,
             uint32_t id, void *inl)
{
	if (st_vec_find(*ix, *v, *n, sizeof **v, id) != UINT32_MAX)
		return false;
	if (*n >= *cap)
		*v = st_vec_grow(s, *v, cap, sizeof **v, 2, inl);
	(*v)[(*n)++] = id;
	st_vec_note(s, ix, *v, *n, sizeof **v);
	return true;
}
