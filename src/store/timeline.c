/* Per-domain observations: domain records, answer-set spans (RRsets), per-domain addresses and
 * NS-set observations. */
#include "store/store_int.h"

#include <string.h>

/* The domain record of a name, created on first use; first/last seen moved to include ts. */
store_dom_id
st_domain_get(struct store *s, store_name_id name, fs_time ts)
{
	store_dom_id id = s->names[name].dom;

	if (id != 0) {
		struct store_domain *d = s->doms[id];

		if (ts < d->first_seen)
			d->first_seen = ts;
		if (ts > d->last_seen)
			d->last_seen = ts;
		st_dom_touch(s, id);   /* every caller goes on to change the record */
		return id;
	}
	id = st_idfree_pop(&s->dom_free);
	if (id == 0) {
		VEC_RESERVE(s, s->doms, s->n_doms, s->cap_doms, 1024);
		id = s->n_doms++;
	}
	s->doms[id] = st_slab_alloc(s, &s->slab_dom);
	s->doms[id]->name = name;
	s->doms[id]->resp = DOM_INL_RESP(s->doms[id]);
	s->doms[id]->cap_resp = 1;
	s->doms[id]->first_seen = s->doms[id]->last_seen = ts;
	s->names[name].dom = id;
	s->live_doms++;
	st_dom_touch(s, id);
	return id;
}

struct dom_ext *
st_dom_ext(struct store *s, struct store_domain *d)
{
	struct dom_ext *x = DOM_X(d);

	if (x != NULL)
		return x;
	x = DOM_X(d) = st_slab_alloc(s, &s->slab_dext);
	/* the first RRset and address go into the new room (vectors still empty: no copy) */
	if (d->cap_rrsets == 0) {
		d->rrsets = &x->rrset;
		d->cap_rrsets = 1;
	}
	if (d->cap_addrs == 0) {
		d->addrs = &x->addr;
		d->cap_addrs = 1;
	}
	return x;
}

/* Address `a` seen at ts with ttl, for a domain or as glue of an NS name.
 * Returns true when the address is new for that owner. */
bool
st_dom_addr_note(struct store *s, struct vidx **ix, struct store_dom_addr **v,
                 uint32_t *n, uint32_t *cap, store_addr_id a, fs_time ts, uint32_t ttl, void *inl)
{
	uint32_t i = st_vec_find(*ix, *v, *n, sizeof **v, a);
	struct store_dom_addr *e;

	if (i == UINT32_MAX) {
		if (*n >= *cap)
			*v = st_vec_grow(s, *v, cap, sizeof **v, 1, inl);
		e = &(*v)[(*n)++];
		*e = (struct store_dom_addr){ .addr = a, .count = 1, .first_seen = ts, .last_seen = ts,
		    .ttl_max = ttl };
		st_vec_note(s, ix, *v, *n, sizeof **v);
		return true;
	}
	e = &(*v)[i];
	e->count++;
	if (ts < e->first_seen)
		e->first_seen = ts;
	if (ts > e->last_seen)
		e->last_seen = ts;
	if (ttl > e->ttl_max)
		e->ttl_max = ttl;
	return false;
}

void
st_rrset_note(struct store *s, store_dom_id id, store_set_id set, fs_time ts, uint32_t ttl_min,
              uint32_t ttl_max, int src_index)
{
	struct store_domain *d = s->doms[id];
	struct dom_ext *x = st_dom_ext(s, d);
	uint8_t src = (src_index >= 0 && src_index < 8) ? (uint8_t)(1u << src_index) : 0;
	uint32_t i = x->rrset_hint;
	struct store_rrset *r;

	/* a vector holds each set once, so an entry with this set id is the one */
	if (i >= d->n_rrsets || d->rrsets[i].set != set)
		i = st_vec_find(x->ix_rrset, d->rrsets, d->n_rrsets, sizeof *d->rrsets, set);
	if (i == UINT32_MAX) {
		VEC_RESERVE_INL(s, d->rrsets, d->n_rrsets, d->cap_rrsets, 1, &x->rrset);
		x->rrset_hint = d->n_rrsets;
		r = &d->rrsets[d->n_rrsets++];
		*r = (struct store_rrset){ .set = set, .count = 1, .first_seen = ts, .last_seen = ts,
		    .ttl_max = ttl_max, .ttl_min = ttl_min, .sources = src };
		st_vec_note(s, &x->ix_rrset, d->rrsets, d->n_rrsets, sizeof *d->rrsets);
		return;
	}
	x->rrset_hint = i;
	r = &d->rrsets[i];
	r->count++;
	if (ts < r->first_seen)
		r->first_seen = ts;
	if (ts > r->last_seen)
		r->last_seen = ts;
	/* Caches count TTLs down: the largest TTL seen is the best estimate of the zone's. */
	if (ttl_max > r->ttl_max)
		r->ttl_max = ttl_max;
	if (ttl_min < r->ttl_min)
		r->ttl_min = ttl_min;
	r->sources |= src;
}

/* A new observation only when the set differs from the latest one of the same zone; returns
 * whether one was added. */
bool
st_ns_obs_note(struct store *s, store_dom_id id, store_name_id zone, store_set_id nsset,
               fs_time ts, uint32_t ttl)
{
	struct store_domain *d = s->doms[id];

	for (uint32_t i = d->n_ns; i-- > 0;) {
		struct store_ns_obs *o = &d->ns[i];

		if (o->zone != zone)
			continue;
		if (o->nsset == nsset) {
			if (ttl > o->ttl)
				o->ttl = ttl;
			return false;
		}
		break;
	}
	VEC_RESERVE(s, d->ns, d->n_ns, d->cap_ns, 1);
	d->ns[d->n_ns++] = (struct store_ns_obs){ .ts = ts, .nsset = nsset, .zone = zone, .ttl = ttl };
	return true;
}
