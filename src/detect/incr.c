/* Incremental detection: what a det_run computed for a domain on its own is kept for the
 * next run, with what it was computed from, and taken again when none of that changed.
 *
 * Kept per domain (only for domains with answers: the features of a name without any are
 * the nameserver part alone, cheap to compute):
 *  - its features over its whole timeline (det_features, pass 1), with the domain's
 *    store_domain_stamp and a fingerprint of the nameserver part of its input (NS-set
 *    observations of its zone, the NS names' addresses with the addresses themselves: the
 *    records of other names and NS names, which have no stamp of this domain's). Its own
 *    answers refer to addresses and sets its record keeps alive, so equal stamps mean equal
 *    ids meaning the same addresses (store_expire frees only what nothing refers to);
 *  - which address-info flags those features raised (the run's "unavailable" line);
 *  - its time to flag (the timeline replayed, pass 2), with a fingerprint of its context
 *    (guards, shared flagged domains, zone facts: det_context) and of the agent times of its
 *    NS addresses, the other inputs of that replay.
 * The context of the whole capture (CDN prefixes, provider and pool zones, agents, shared
 * flagged domains, zone rows, clusters, groups, ranks) is recomputed every run as before.
 * Fingerprints are 64-bit: equal inputs give equal fingerprints; unequal ones collide with
 * a probability of about 2^-64 per comparison.
 *
 * Threads: det_incr_prepare runs alone; the others run on the passes' workers, each domain on
 * one of them, touching only that domain's entry. */
#include "detect/detect_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct det_incr {
	uint64_t stamp;             /* store_domain_stamp the features were computed at */
	uint64_t ns_fp;             /* fingerprint of the nameserver part of the input */
	uint32_t run;               /* the run (run_no) that last found the entry current */
	uint32_t reused;            /* the run that last took its features as they were */
	uint8_t have;               /* HAVE_*: address info seen by the features */
	bool ttf_ok;                /* the time to flag below is for ttf_key */
	uint64_t ttf_key, ttf_want;
	/* its context as build_context made it (before the zone facts): for the same stamp,
	 * NS input, CDN prefixes and store epoch (its strings are the store's) */
	bool cx_ok;
	uint32_t cx_run;            /* the run that made or took cx */
	uint64_t cx_key;
	char *intel_what;           /* cx.intel_what's text (it points into a worker's buffer) */
	struct det_context cx;
	fs_time first_flagged, first_flux;
	uint32_t first_flagged_resp, first_flux_resp;
	double first_flagged_ttls, first_flux_ttls;
	struct det_feat f;          /* det_features over every observation, without agents */
};

#define HAVE_ASN 1
#define HAVE_CC 2
#define HAVE_GEO 4

static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	return fs_hash64(h ^ fs_hash64(v + 0x632be59bd9b4e019ULL));
}

static uint64_t
mix_str(uint64_t h, const char *s)
{
	return mix(h, s == NULL ? 0x5bd1e995ULL : fs_hash_bytes(s, strlen(s)) ^ 1);
}

static uint64_t
mix_addr(uint64_t h, const struct store *s, uint32_t id)
{
	const struct store_addr *sa = store_addr(s, id);
	h = mix(h, id);
	return mix(h, sa != NULL ? fs_hash_bytes(&sa->addr, sizeof sa->addr) : 0);
}

/* The nameserver part of a domain's input: NS observations and the NS names' addresses. */
static uint64_t
ns_fingerprint(const struct store *s, const struct det_input *in)
{
	uint64_t h = mix(0, ((uint64_t)in->n_ns << 32) | in->n_nsaddr);

	for (uint32_t i = 0; i < in->n_ns; i++) {
		const struct det_ns_obs *o = &in->ns[i];
		h = mix(h, (uint64_t)o->ts);
		h = mix(h, ((uint64_t)o->ttl << 32) | o->n_names);
		for (uint32_t k = 0; k < o->n_names; k++)
			h = mix(h, o->names[k]);
	}
	for (uint32_t i = 0; i < in->n_nsaddr; i++) {
		const struct det_ns_addr *a = &in->nsaddr[i];
		h = mix(h, ((uint64_t)a->name << 32) | a->ttl);
		h = mix(h, (uint64_t)a->first_seen);
		h = mix_addr(h, s, a->addr);
	}
	return h;
}

/* The prefixes answering allowlisted CDN names (run_prepare), which contexts look up. */
static uint64_t
cdn_fingerprint(const struct detector *d)
{
	uint64_t a = 0, b = 0;
	/* order-independent: sums of mixed keys */
	for (uint32_t j = 0; j < d->cdn_prefix.n; j++)
		a += fs_hash64(fs_map_key_at(&d->cdn_prefix, j));
	for (uint32_t j = 0; j < d->cdn_net.n; j++)
		b += fs_hash64(fs_map_key_at(&d->cdn_net, j));
	return mix(mix(mix(0, a), b), ((uint64_t)d->cdn_prefix.n << 32) | d->cdn_net.n);
}

static void
entry_free(struct det_incr *e)
{
	if (e != NULL)
		free(e->intel_what);
	free(e);
}

void
det_incr_prepare(struct detector *d, const struct store *s, size_t nd)
{
	d->run_no++;
	d->incr_cdn_fp = cdn_fingerprint(d);
	if (d->incr_off) {
		det_incr_free(d);
		return;
	}
	if (nd + 1 > d->cap_inc) {
		size_t n = d->cap_inc ? d->cap_inc : 1024;
		while (n < nd + 1)
			n *= 2;
		d->inc = xreallocarray(d->inc, n, sizeof *d->inc);
		memset(d->inc + d->cap_inc, 0, (n - d->cap_inc) * sizeof *d->inc);
		d->cap_inc = n;
	}
	/* entries of domains store_expire freed (a reused id has a new stamp anyway) */
	for (size_t id = 1; id < d->cap_inc; id++)
		if (d->inc[id] != NULL && (id > nd || store_domain(s, (store_dom_id)id) == NULL)) {
			entry_free(d->inc[id]);
			d->inc[id] = NULL;
		}
}

void
det_incr_free(struct detector *d)
{
	for (size_t id = 0; id < d->cap_inc; id++)
		entry_free(d->inc[id]);
	free(d->inc);
	d->inc = NULL;
	d->cap_inc = 0;
}

static struct det_incr *
entry(const struct detector *d, store_dom_id id)
{
	struct det_incr *e = id < d->cap_inc ? d->inc[id] : NULL;
	return e != NULL && e->run == d->run_no ? e : NULL;
}

void
det_incr_features(struct detector *d, const struct store *s, store_dom_id id,
                  const struct det_input *in, struct det_feat *f)
{
	if (d->incr_off || in->n_obs == 0 || id >= d->cap_inc) {
		det_features(d->sc, in, UINT32_MAX, f);
		return;
	}
	uint64_t stamp = store_domain_stamp(s, id), fp = ns_fingerprint(s, in);
	struct det_incr *e = d->inc[id];
	if (e != NULL && stamp != 0 && e->stamp == stamp && e->ns_fp == fp) {
		*f = e->f;
		d->run_have_asn |= (e->have & HAVE_ASN) != 0;
		d->run_have_cc |= (e->have & HAVE_CC) != 0;
		d->run_have_geo |= (e->have & HAVE_GEO) != 0;
		e->run = e->reused = d->run_no;
		return;
	}
	/* the flags the address lookups of these features raise, kept with them */
	bool asn = d->run_have_asn, cc = d->run_have_cc, geo = d->run_have_geo;
	d->run_have_asn = d->run_have_cc = d->run_have_geo = false;
	det_features(d->sc, in, UINT32_MAX, f);
	uint8_t have = (uint8_t)((d->run_have_asn ? HAVE_ASN : 0) | (d->run_have_cc ? HAVE_CC : 0) |
	                         (d->run_have_geo ? HAVE_GEO : 0));
	d->run_have_asn |= asn;
	d->run_have_cc |= cc;
	d->run_have_geo |= geo;
	if (e == NULL) {
		e = d->inc[id] = xmalloc(sizeof *e);
		e->intel_what = NULL;
	}
	e->cx_ok = false;
	e->stamp = stamp;
	e->ns_fp = fp;
	e->run = d->run_no;
	e->reused = 0;
	e->have = have;
	e->ttf_ok = false;
	e->f = *f;
}

void
det_incr_features_agents(struct detector *d, store_dom_id id, const struct det_input *in,
                         struct det_feat *f)
{
	const struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	if (e == NULL) {
		det_features(d->sc, in, UINT32_MAX, f);
		return;
	}
	*f = e->f;
	/* agents only add to the NS addresses counted as agents without them */
	if (in->is_agent != NULL && f->n_ns_agents < f->n_ns_addrs)
		det_features_agents(d->sc, in, f);
}

/* Everything of a context that the model reads: the strings by their text (some point into
 * buffers reused between runs), the rest by its bytes. */
static uint64_t
cx_fingerprint(const struct det_context *cx)
{
	/* A field added to det_context must be added here when it points to something whose
	 * contents can change while the pointer stays (then hashed by contents, like these). */
	_Static_assert(sizeof(struct det_context) == 168,
	               "struct det_context changed: check cx_fingerprint in incr.c");
	struct det_context t;
	uint64_t h = 0;

	memcpy(&t, cx, sizeof t);
	h = mix_str(h, t.name);
	h = mix_str(h, t.cname_last);
	h = mix_str(h, t.allow_via);
	h = mix_str(h, t.cdn_asn_label);
	h = mix_str(h, t.intel_feed);
	h = mix_str(h, t.intel_what);
	h = mix_str(h, t.provider_zone);
	h = mix_str(h, t.pool_zone);
	h = mix_str(h, t.pool_sign);
	t.name = t.cname_last = t.allow_via = t.cdn_asn_label = t.intel_feed = t.intel_what = NULL;
	t.provider_zone = t.pool_zone = t.pool_sign = NULL;
	return mix(h, fs_hash_bytes(&t, sizeof t));
}

bool
det_incr_ttf_get(struct detector *d, store_dom_id id, const struct det_input *in,
                 const struct det_context *cx, enum det_verdict v, struct det_result *r)
{
	struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	if (e == NULL)
		return false;
	uint64_t h = mix(mix(e->stamp, e->ns_fp), (uint64_t)v);
	h = mix(h, cx_fingerprint(cx));
	/* the replay asks whether each NS address was an agent by then (in may be NULL when
	 * there are none: det_incr_pass2_kept) */
	for (uint32_t i = 0; in != NULL && i < in->n_nsaddr; i++) {
		uint32_t a = in->nsaddr[i].addr;
		h = mix(h, a < d->cap_agent ? (uint64_t)d->agent_since[a] : 0);
	}
	e->ttf_want = h;
	if (!e->ttf_ok || e->ttf_key != h)
		return false;
	r->first_flagged = e->first_flagged;
	r->first_flagged_resp = e->first_flagged_resp;
	r->first_flagged_ttls = e->first_flagged_ttls;
	r->first_flux = e->first_flux;
	r->first_flux_resp = e->first_flux_resp;
	r->first_flux_ttls = e->first_flux_ttls;
	return true;
}

void
det_incr_ttf_put(struct detector *d, store_dom_id id, const struct det_result *r)
{
	struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	if (e == NULL)
		return;
	e->ttf_key = e->ttf_want;
	e->ttf_ok = true;
	e->first_flagged = r->first_flagged;
	e->first_flagged_resp = r->first_flagged_resp;
	e->first_flagged_ttls = r->first_flagged_ttls;
	e->first_flux = r->first_flux;
	e->first_flux_resp = r->first_flux_resp;
	e->first_flux_ttls = r->first_flux_ttls;
}

size_t
det_incr_count(const struct detector *d, size_t *reused)
{
	size_t n = 0;
	*reused = 0;
	for (size_t id = 0; id < d->cap_inc; id++) {
		const struct det_incr *e = d->inc[id];
		if (e == NULL || e->run != d->run_no)
			continue;
		n++;
		*reused += e->reused == d->run_no;
	}
	return n;
}

static uint64_t
cx_key(const struct detector *d, const struct store *s, const struct det_incr *e)
{
	return mix(mix(mix(e->stamp, e->ns_fp), d->incr_cdn_fp), store_epoch(s));
}

static void
context_out(struct detector *d, const struct det_incr *e, struct det_context *cx)
{
	memcpy(cx, &e->cx, sizeof *cx);
	if (e->intel_what != NULL) {
		snprintf(d->intel_what, sizeof d->intel_what, "%s", e->intel_what);
		cx->intel_what = d->intel_what;
	}
}

bool
det_incr_context_get(struct detector *d, const struct store *s, store_dom_id id,
                     struct det_context *cx)
{
	struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	if (e == NULL || !e->cx_ok || e->cx_key != cx_key(d, s, e))
		return false;
	context_out(d, e, cx);
	e->cx_run = d->run_no;
	return true;
}

void
det_incr_context_put(struct detector *d, const struct store *s, store_dom_id id,
                     const struct det_context *cx)
{
	struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	if (e == NULL)
		return;
	memcpy(&e->cx, cx, sizeof *cx);
	free(e->intel_what);
	e->intel_what = cx->intel_what != NULL ? xstrdup(cx->intel_what) : NULL;
	e->cx_key = cx_key(d, s, e);
	e->cx_ok = true;
	e->cx_run = d->run_no;
}

bool
det_incr_pass2_kept(struct detector *d, store_dom_id id, struct det_feat *f,
                    struct det_context *cx)
{
	const struct det_incr *e = d->incr_off ? NULL : entry(d, id);
	/* without NS addresses agents change nothing in the features, and the context is pass
	 * 1's of this run */
	if (e == NULL || !e->cx_ok || e->cx_run != d->run_no || e->f.n_ns_addrs != 0)
		return false;
	*f = e->f;
	context_out(d, e, cx);
	return true;
}
