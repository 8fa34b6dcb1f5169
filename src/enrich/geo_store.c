/* A domain's addresses with their enrichment: the report's "spread" rows and summary.
 * (A file of its own so that users of the geo cache alone do not pull in the store.) */
#include "enrich/enrich_int.h"

#include <stdlib.h>
#include <string.h>

/* The cache entry geo_lookup_id remembered for id in s's current epoch, 0 if none. */
static inline uint32_t
entry_of_id(const struct geo *g, const struct store *s, store_addr_id id)
{
	return g->by_id_store == s && g->by_id_epoch == store_epoch(s) && id < g->cap_by_id ?
	       g->by_id[id] : 0;
}

const struct geo_info *
geo_lookup_id(struct geo *g, const struct store *s, store_addr_id id, const fs_addr *addr)
{
	uint32_t e;

	if (g->by_id_store != s || g->by_id_epoch != store_epoch(s)) {
		geo_by_id_reset(g);
		g->by_id_store = s;
		g->by_id_epoch = store_epoch(s);
	}
	if ((e = entry_of_id(g, s, id)) != 0) {
		g->lookups++;
		return geo_entry_info(g, e);
	}
	if ((e = geo_lookup_entry(g, addr)) == 0)
		return geo_entry_info(g, 0);
	if (id >= g->cap_by_id) {
		size_t c = g->cap_by_id ? g->cap_by_id : 1024;
		while (c <= id)
			c *= 2;
		g->by_id = xreallocarray(g->by_id, c, sizeof *g->by_id);
		memset(g->by_id + g->cap_by_id, 0, (c - g->cap_by_id) * sizeof *g->by_id);
		g->cap_by_id = c;
	}
	g->by_id[id] = e;
	return geo_entry_info(g, e);
}

/* through the handle (ro == NULL) or a read-only reader */
static size_t
domain_spread(struct geo *g, struct geo_ro *ro, const struct store *s, store_dom_id dom,
              struct geo_addr_row **rows, struct geo_spread *out)
{
	const struct store_domain *d = store_domain(s, dom);
	struct geo_addr_row *r;
	size_t n = 0;

	*rows = NULL;
	if (d == NULL || d->ext->n_addrs == 0) {
		geo_spread_addrs(g, NULL, 0, out);
		return 0;
	}
	r = xcalloc(d->ext->n_addrs, sizeof *r);
	/* Addresses known by id (geo_lookup_id) are found at once; for the others the cache's
	 * slots, then its entries, start loading before the lookups (geo_prefetch): each is a
	 * memory miss, overlapped rather than one after another. */
	for (int stage = 0; stage < 2; stage++)
		for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
			store_addr_id id = d->ext->addrs[i].addr;
			const struct store_addr *sa;
			if (entry_of_id(g, s, id) == 0 && (sa = store_addr(s, id)) != NULL)
				geo_prefetch(g, &sa->addr, stage);
		}
	for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
		const struct store_dom_addr *da = &d->ext->addrs[i];
		const struct store_addr *sa = store_addr(s, da->addr);
		if (sa == NULL)
			continue;
		uint32_t e = entry_of_id(g, s, da->addr);
		r[n].addr = sa->addr;
		r[n].info = e != 0 ? geo_entry_info(g, e) :
		            ro != NULL ? geo_lookup_ro(ro, &sa->addr) : geo_lookup(g, &sa->addr);
		r[n].first_seen = da->first_seen;
		r[n].last_seen = da->last_seen;
		r[n].count = da->count;
		n++;
	}
	geo_spread_rows(g, r, n, out);
	if (n == 0) {
		free(r);
		return 0;
	}
	*rows = r;
	return n;
}

size_t
geo_domain_spread(struct geo *g, const struct store *s, store_dom_id dom,
                  struct geo_addr_row **rows, struct geo_spread *out)
{
	return domain_spread(g, NULL, s, dom, rows, out);
}

size_t
geo_domain_spread_ro(struct geo_ro *ro, const struct store *s, store_dom_id dom,
                     struct geo_addr_row **rows, struct geo_spread *out)
{
	return domain_spread(ro->g, ro, s, dom, rows, out);
}
