/* Reverse indexes: address → domains, NS name → zones and domains, NS name ↔ glue addresses. */
#include "store/store_int.h"

#include <string.h>

/* The NS-name record of a name, created on first use; first/last seen moved to include ts. */
store_ns_id
st_nsname_get(struct store *s, store_name_id name, fs_time ts)
{
	store_ns_id id = s->names[name].ns;

	if (id != 0) {
		struct store_nsname *r = s->nsn[id];

		if (ts < r->first_seen)
			r->first_seen = ts;
		if (ts > r->last_seen)
			r->last_seen = ts;
		return id;
	}
	id = st_idfree_pop(&s->nsn_free);
	if (id == 0) {
		VEC_RESERVE(s, s->nsn, s->n_nsn, s->cap_nsn, 256);
		id = s->n_nsn++;
	}
	s->nsn[id] = st_slab_alloc(s, &s->slab_nsn);
	s->nsn[id]->name = name;
	s->nsn[id]->first_seen = s->nsn[id]->last_seen = ts;
	s->names[name].ns = id;
	s->live_nsn++;
	return id;
}

void
st_addr_link_domain(struct store *s, store_addr_id a, store_dom_id d)
{
	struct store_addr *r = s->addrs[a];

	st_idvec_add(s, st_addr_ix(s, r, false, r->n_domains), &r->domains, &r->n_domains,
	    &r->cap_domains, d, ADDR_INL_DOM(r));
}

struct vidx **
st_addr_ix(struct store *s, struct store_addr *a, bool ns, uint32_t n)
{
	struct addr_block *b = ADDR_BLK(a);

	if (b->aix == 0) {
		if (n + 1 < VIDX_THRESHOLD) {
			s->ix_none = NULL;   /* st_vec_note indexes no vector that short */
			return &s->ix_none;
		}
		uint32_t k = st_idfree_pop(&s->aix_free);
		if (k == 0) {
			if (s->n_aix == 0)
				s->n_aix = 1;
			VEC_RESERVE(s, s->aix, s->n_aix, s->cap_aix, 64);
			k = s->n_aix++;
		}
		s->aix[k] = (struct addr_ix){ NULL, NULL };
		b->aix = k;
	}
	return ns ? &s->aix[b->aix].ns : &s->aix[b->aix].dom;
}

void
st_addr_ix_free(struct store *s, struct store_addr *a)
{
	struct addr_block *b = ADDR_BLK(a);

	if (b->aix == 0)
		return;
	st_vidx_free(s, &s->aix[b->aix].dom);
	st_vidx_free(s, &s->aix[b->aix].ns);
	st_idfree_push(s, &s->aix_free, b->aix);
	b->aix = 0;
}

/* NS name `ns` serves `zone` and is in the NS set of domain `d` (0 = zone only). */
void
st_nsname_link(struct store *s, store_ns_id ns, store_name_id zone, store_dom_id d)
{
	struct store_nsname *r = s->nsn[ns];

	if (zone != 0)
		st_idvec_add(s, &NSN_BLK(r)->ix_zone, &r->zones, &r->n_zones, &r->cap_zones, zone, NULL);
	if (d != 0)
		st_idvec_add(s, &NSN_BLK(r)->ix_dom, &r->domains, &r->n_domains, &r->cap_domains, d, NULL);
}

void
st_glue_note(struct store *s, store_ns_id ns, store_addr_id a, fs_time ts, uint32_t ttl)
{
	struct store_nsname *r = s->nsn[ns];
	struct store_addr *ar = s->addrs[a];

	/* the reverse link exists whenever the glue entry did (expire rebuilds both) */
	if (st_dom_addr_note(s, &NSN_BLK(r)->ix_glue, &r->glue, &r->n_glue, &r->cap_glue, a, ts, ttl,
	    NULL))
		st_idvec_add(s, st_addr_ix(s, ar, true, ar->n_ns_names), &ar->ns_names, &ar->n_ns_names,
		    &ar->cap_ns_names, r->name, NULL);
	if (ar->first_seen == 0 || ts < ar->first_seen)
		ar->first_seen = ts;
	if (ts > ar->last_seen)
		ar->last_seen = ts;
}

/* Whether `zone` is `name` or one of its ancestors (on a label boundary: an escaped dot in
 * name does not separate labels). */
bool
st_name_encloses(const char *zone, uint32_t zlen, const char *name, uint32_t nlen)
{
	uint32_t bs = 0;

	if (zlen == 1 && zone[0] == '.')
		return true;
	if (zlen > nlen)
		return false;
	if (zlen == nlen)
		return st_name_eq(zone, name, nlen);
	if (name[nlen - zlen - 1] != '.' || !st_name_eq(zone, name + nlen - zlen, zlen))
		return false;
	/* the dot before the suffix must not be escaped: count the backslashes in front of it */
	for (uint32_t i = nlen - zlen - 1; i > 0 && name[i - 1] == '\\'; i--)
		bs++;
	return bs % 2 == 0;
}
