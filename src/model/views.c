/* The data of the Spread and Nameservers detail tabs (model.h): a domain's addresses with their
 * enrichment and tallies, its delegation and NS-set history with each name's addresses. The
 * front ends only format. */
#include "fluxscope/model.h"

#include <stdlib.h>
#include <string.h>

/* ---- spread -------------------------------------------------------------------------------- */

static int
cmp_tally(const void *a, const void *b)
{
	const struct model_tally *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return strcmp(x->country, y->country);
}

static void
tally(struct model_spread *o)
{
	o->by_asn = xcalloc(o->n_addrs ? o->n_addrs : 1, sizeof *o->by_asn);
	o->by_country = xcalloc(o->n_addrs ? o->n_addrs : 1, sizeof *o->by_country);
	for (uint32_t i = 0; i < o->n_addrs; i++) {
		const struct geo_info *g = o->addrs[i].info;
		uint32_t k;
		for (k = 0; k < o->n_by_asn && o->by_asn[k].asn != g->asn; k++)
			;
		if (k == o->n_by_asn)
			o->by_asn[o->n_by_asn++] = (struct model_tally){
				.asn = g->asn, .label = g->as_org != NULL ? g->as_org : "" };
		o->by_asn[k].n++;
		for (k = 0; k < o->n_by_country && strcmp(o->by_country[k].country, g->country) != 0; k++)
			;
		if (k == o->n_by_country) {
			o->by_country[k] = (struct model_tally){ .label = "" };
			memcpy(o->by_country[k].country, g->country, 3);
			o->n_by_country++;
		}
		o->by_country[k].n++;
	}
	qsort(o->by_asn, o->n_by_asn, sizeof *o->by_asn, cmp_tally);
	qsort(o->by_country, o->n_by_country, sizeof *o->by_country, cmp_tally);
}

void
model_spread(struct geo *geo, const struct store *s, store_dom_id dom, struct model_spread *o)
{
	const struct store_domain *d = store_domain(s, dom);
	struct geo_addr_row *rows = NULL;
	size_t n = 0;

	memset(o, 0, sizeof *o);
	if (d == NULL)
		return;
	o->first_seen = d->first_seen;
	o->last_seen = d->last_seen;
	o->enriched = geo != NULL;
	if (geo != NULL)
		n = geo_domain_spread(geo, s, dom, &rows, &o->sum);   /* the report's figures */
	o->addrs = xcalloc(d->n_addrs ? d->n_addrs : 1, sizeof *o->addrs);
	/* geo_domain_spread's rows are the domain's addresses in store order, less those the
	 * store no longer holds: the same walk pairs each with its id */
	for (uint32_t i = 0; i < d->n_addrs; i++) {
		const struct store_dom_addr *da = &d->addrs[i];
		const struct store_addr *sa = store_addr(s, da->addr);
		struct model_addr_row *r = &o->addrs[o->n_addrs];
		if (sa == NULL)
			continue;
		*r = (struct model_addr_row){ .id = da->addr, .addr = sa->addr,
		                              .first_seen = da->first_seen, .last_seen = da->last_seen,
		                              .count = da->count };
		if (geo != NULL && o->n_addrs < n)
			r->info = rows[o->n_addrs].info;
		o->n_addrs++;
	}
	free(rows);
	if (geo != NULL)
		tally(o);
}

void
model_spread_free(struct model_spread *sp)
{
	free(sp->addrs);
	free(sp->by_asn);
	free(sp->by_country);
	memset(sp, 0, sizeof *sp);
}

/* ---- nameservers --------------------------------------------------------------------------- */

static bool
in_ids(const uint32_t *v, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void
add_name(struct model_nameservers *o, uint32_t *cap, store_name_id name, bool in_report)
{
	for (uint32_t i = 0; i < o->n_names; i++)
		if (o->names[i].name == name)
			return;
	if (o->n_names == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		o->names = xreallocarray(o->names, *cap, sizeof *o->names);
	}
	o->names[o->n_names++] = (struct model_ns_name){ .name = name, .in_report = in_report };
}

static void
name_addrs(struct geo *geo, const struct store *s, struct model_ns_name *nm)
{
	const struct store_nsname *ns = store_nsname_by_name(s, nm->name);

	if (ns == NULL)
		return;
	nm->n_domains = ns->n_domains;
	nm->addrs = xcalloc(ns->n_glue ? ns->n_glue : 1, sizeof *nm->addrs);
	for (uint32_t j = 0; j < ns->n_glue; j++) {
		const struct store_dom_addr *g = &ns->glue[j];
		const struct store_addr *sa = store_addr(s, g->addr);
		if (sa == NULL)
			continue;
		nm->addrs[nm->n_addrs++] = (struct model_ns_addr){
			.id = g->addr, .addr = sa->addr,
			.info = geo != NULL ? geo_lookup(geo, &sa->addr) : NULL,
			.first_seen = g->first_seen, .last_seen = g->last_seen };
	}
}

void
model_nameservers(struct geo *geo, const struct store *s, store_dom_id dom,
                  struct model_nameservers *o)
{
	const struct store_domain *d = store_domain(s, dom), *zd = d;
	store_name_id zone = 0;
	store_set_id cur;
	uint32_t cap = 0, rep[256];
	size_t nrep;

	memset(o, 0, sizeof *o);
	if (d == NULL)
		return;
	cur = store_domain_nsset(s, dom, &zone);
	o->zone = cur != 0 ? zone : 0;
	o->n_current = cur != 0 ? store_set_size(s, cur) : 0;
	o->n_changes = store_domain_ns_changes(s, dom);
	/* observations: the domain's own, else those of the zone that answers for it */
	if (d->n_ns == 0 && zone != 0) {
		store_dom_id zid = store_domain_by_name(s, zone);
		if (zid != 0 && store_domain(s, zid) != NULL)
			zd = store_domain(s, zid);
	}
	o->enclosing = zd != d;
	o->first_seen = zd->first_seen;
	o->last_seen = zd->last_seen;
	/* the report's names first, in its order */
	nrep = model_ns_names(s, dom, rep, sizeof rep / sizeof rep[0]);
	for (size_t i = 0; i < nrep; i++)
		add_name(o, &cap, rep[i], true);
	o->n_report = o->n_names;
	o->obs = xcalloc(zd->n_ns ? zd->n_ns : 1, sizeof *o->obs);
	for (uint32_t i = 0; i < zd->n_ns; i++) {
		const struct store_ns_obs *x = &zd->ns[i];
		struct model_ns_obs *ob = &o->obs[o->n_obs++];
		const uint32_t *pm = NULL;
		uint32_t pn = 0;
		ob->ts = x->ts;
		ob->zone = x->zone;
		ob->ttl = x->ttl;
		ob->members = store_set_members(s, x->nsset, &ob->n_members);
		if (ob->members == NULL)
			ob->n_members = 0;
		for (int k = (int)i - 1; k >= 0; k--)
			if (zd->ns[k].zone == x->zone) {
				ob->changed = true;
				pm = store_set_members(s, zd->ns[k].nsset, &pn);
				if (pm == NULL)
					pn = 0;
				break;
			}
		ob->added = xcalloc(ob->n_members ? ob->n_members : 1, sizeof *ob->added);
		for (uint32_t j = 0; j < ob->n_members; j++) {
			ob->added[j] = ob->changed && !in_ids(pm, pn, ob->members[j]);
			add_name(o, &cap, ob->members[j], false);
		}
		for (uint32_t j = 0; j < pn; j++)
			if (!in_ids(ob->members, ob->n_members, pm[j])) {
				ob->removed = xreallocarray(ob->removed, ob->n_removed + 1, sizeof *ob->removed);
				ob->removed[ob->n_removed++] = pm[j];
			}
	}
	if (cur != 0) {
		uint32_t n = 0;
		const uint32_t *m = store_set_members(s, cur, &n);
		for (uint32_t j = 0; m != NULL && j < n; j++)
			add_name(o, &cap, m[j], false);
	}
	for (uint32_t i = 0; i < o->n_names; i++)
		name_addrs(geo, s, &o->names[i]);
}

void
model_nameservers_free(struct model_nameservers *ns)
{
	for (uint32_t i = 0; i < ns->n_obs; i++) {
		free(ns->obs[i].added);
		free(ns->obs[i].removed);
	}
	for (uint32_t i = 0; i < ns->n_names; i++)
		free(ns->names[i].addrs);
	free(ns->obs);
	free(ns->names);
	memset(ns, 0, sizeof *ns);
}
