/* A domain's addresses with their enrichment: the report's "spread" rows and summary.
 * (A file of its own so that users of the geo cache alone do not pull in the store.) */
#include "enrich/enrich_int.h"

#include <stdlib.h>

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
	for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
		const struct store_dom_addr *da = &d->ext->addrs[i];
		const struct store_addr *sa = store_addr(s, da->addr);
		if (sa == NULL)
			continue;
		r[n].addr = sa->addr;
		r[n].info = ro != NULL ? geo_lookup_ro(ro, &sa->addr) : geo_lookup(g, &sa->addr);
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
