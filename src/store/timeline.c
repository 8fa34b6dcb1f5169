/* Per-domain observations: domain records, answer-set spans (RRsets), per-domain addresses and
 * NS-set observations. */
#include "store/store_int.h"

#include <stdlib.h>
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
	s->doms[id]->ext = &store_domain_ext_empty;
	s->doms[id]->first_seen = s->doms[id]->last_seen = ts;
	s->names[name].dom = id;
	s->live_doms++;
	st_dom_touch(s, id);
	return id;
}

const struct store_domain_ext store_domain_ext_empty;

struct dom_ext *
st_dom_more(struct store *s, struct store_domain *d)
{
	struct dom_ext *x = DOM_X(d);

	if (x != NULL)
		return x;
	x = st_slab_alloc(s, &s->slab_dext);
	/* the first RRset and address go into the new room (vectors still empty: no copy) */
	x->e.rrsets = &x->rrset;
	x->cap_rrsets = 1;
	x->e.addrs = &x->addr;
	x->cap_addrs = 1;
	d->ext = &x->e;
	return x;
}

struct dom_ext *
st_dom_ext(struct store *s, struct store_domain *d)
{
	struct dom_ext *x = st_dom_more(s, d);

	if (!x->answers) {
		x->answers = 1;
		s->live_answered++;
	}
	return x;
}

/* ---- the timeline vector ------------------------------------------------------------------ */

/* A heap timeline starts RESP_HDR bytes into its block, after its capacity (8 bytes keep the
 * responses aligned); so does a packed one (store_pack) in its packing block. */

static struct store_response *
resp_block(struct store *s, uint32_t cap)
{
	unsigned char *b = xmalloc(RESP_HDR + (size_t)cap * sizeof(struct store_response));

	memcpy(b, &cap, sizeof cap);
	s->bytes += RESP_HDR + (size_t)cap * sizeof(struct store_response) + STORE_BLOCK_OVERHEAD;
	return (struct store_response *)(void *)(b + RESP_HDR);
}

static void
resp_block_free(struct store *s, struct store_response *r, uint32_t cap)
{
	if (st_packed(s, r))
		return;   /* packed by store_pack: its bytes stay in its block until store_free */
	s->bytes -= RESP_HDR + (size_t)cap * sizeof *r + STORE_BLOCK_OVERHEAD;
	free((unsigned char *)(void *)r - RESP_HDR);
}

uint32_t
st_resp_cap(const struct store_domain *d)
{
	uint32_t cap;

	if (d->resp == DOM_INL_RESP(d))
		return 1;
	memcpy(&cap, (const unsigned char *)(const void *)d->resp - RESP_HDR, sizeof cap);
	return cap;
}

/* Room for one more response (growth as st_vec_grow's). */
void
st_resp_reserve(struct store *s, struct store_domain *d)
{
	uint32_t old = st_resp_cap(d), nc;

	if (d->n_resp < old)
		return;
	if (old < 64)
		nc = old * 2;
	else if (old > UINT32_MAX / 3 * 2)
		fs_fatal("store vector over 2^32 elements");
	else
		nc = old + old / 2;
	struct store_response *r = resp_block(s, nc);
	memcpy(r, d->resp, (size_t)d->n_resp * sizeof *r);
	if (d->resp != DOM_INL_RESP(d))
		resp_block_free(s, d->resp, old);
	d->resp = r;
}

void
st_resp_free(struct store *s, struct store_domain *d)
{
	if (d->resp != DOM_INL_RESP(d))
		resp_block_free(s, d->resp, st_resp_cap(d));
	d->resp = DOM_INL_RESP(d);
}

/* After store_expire() trimmed the timeline: its slack given back, one response back into the
 * record's room (as st_vec_shrink). */
void
st_resp_shrink(struct store *s, struct store_domain *d)
{
	uint32_t cap = st_resp_cap(d), n = d->n_resp;

	if (d->resp == DOM_INL_RESP(d))
		return;
	if (n <= 1) {
		struct store_response *r = d->resp;
		memcpy(DOM_INL_RESP(d), r, (size_t)n * sizeof *r);
		resp_block_free(s, r, cap);
		d->resp = DOM_INL_RESP(d);
		return;
	}
	if (n + n / 4 >= cap)
		return;
	struct store_response *r = resp_block(s, n);
	memcpy(r, d->resp, (size_t)n * sizeof *r);
	resp_block_free(s, d->resp, cap);
	d->resp = r;
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
	struct dom_ext *x = st_dom_ext(s, s->doms[id]);
	struct store_domain_ext *e = &x->e;
	uint8_t src = (src_index >= 0 && src_index < 8) ? (uint8_t)(1u << src_index) : 0;
	uint32_t i = x->rrset_hint;
	struct store_rrset *r;

	/* a vector holds each set once, so an entry with this set id is the one */
	if (i >= e->n_rrsets || e->rrsets[i].set != set)
		i = st_vec_find(x->ix_rrset, e->rrsets, e->n_rrsets, sizeof *e->rrsets, set);
	if (i == UINT32_MAX) {
		VEC_RESERVE_INL(s, e->rrsets, e->n_rrsets, x->cap_rrsets, 1, &x->rrset);
		x->rrset_hint = e->n_rrsets;
		r = &e->rrsets[e->n_rrsets++];
		*r = (struct store_rrset){ .set = set, .count = 1, .first_seen = ts, .last_seen = ts,
		    .ttl_max = ttl_max, .ttl_min = ttl_min, .sources = src };
		st_vec_note(s, &x->ix_rrset, e->rrsets, e->n_rrsets, sizeof *e->rrsets);
		return;
	}
	x->rrset_hint = i;
	r = &e->rrsets[i];
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

	for (uint32_t i = d->ext->n_ns; i-- > 0;) {
		struct store_ns_obs *o = &d->ext->ns[i];

		if (o->zone != zone)
			continue;
		if (o->nsset == nsset) {
			if (ttl > o->ttl)
				o->ttl = ttl;
			return false;
		}
		break;
	}
	struct dom_ext *x = st_dom_more(s, d);
	VEC_RESERVE(s, x->e.ns, x->e.n_ns, x->cap_ns, 1);
	x->e.ns[x->e.n_ns++] = (struct store_ns_obs){ .ts = ts, .nsset = nsset, .zone = zone, .ttl = ttl };
	return true;
}
