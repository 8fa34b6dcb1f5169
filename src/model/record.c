/* Report records: a row with its addresses, their enrichment and spread, its nameservers and
 * their addresses (model.h). */
#include "fluxscope/model.h"
#include "util/map.h"

#include <stdlib.h>
#include <string.h>

size_t
model_ns_names(const struct store *s, store_dom_id id, uint32_t *buf, size_t cap)
{
	const struct store_domain *dom = store_domain(s, id);
	size_t n = 0;

	if (dom == NULL)
		return 0;
	for (uint32_t i = 0; i < dom->ext->n_ns; i++) {
		uint32_t nm = 0;
		const uint32_t *m = store_set_members(s, dom->ext->ns[i].nsset, &nm);
		for (uint32_t k = 0; m != NULL && k < nm; k++) {
			size_t j;
			for (j = 0; j < n && buf[j] != m[k]; j++)
				;
			if (j == n && n < cap)
				buf[n++] = m[k];
		}
	}
	if (n == 0) {
		store_name_id zone = 0;
		store_set_id set = store_domain_nsset(s, id, &zone);
		uint32_t nm = 0;
		const uint32_t *m = set ? store_set_members(s, set, &nm) : NULL;
		for (uint32_t k = 0; m != NULL && k < nm && n < cap; k++)
			buf[n++] = m[k];
	}
	return n;
}

/* Distinct ASNs and countries, most addresses first (the spread's top list), then in address
 * order. */
static void
tally_asns_countries(struct model_record *rec)
{
	const struct geo_spread *sp = &rec->spread;
	size_t n = rec->n_spread_rows, na = 0, nc = 0;

	rec->asn_buf = xcalloc(n + GEO_TOP + 1, sizeof *rec->asn_buf);
	rec->cc_buf = xcalloc(n + GEO_TOP + 1, sizeof *rec->cc_buf);
	for (int i = 0; i < sp->n_top_asns; i++)
		rec->asn_buf[na++] = sp->top_asns[i].asn;
	for (int i = 0; i < sp->n_top_countries && n > 0; i++)
		memcpy(rec->cc_buf[nc++], sp->top_countries[i].country, 3);
	/* the ASNs listed so far, looked up in a map past a few (a CDN name's thousands of
	 * addresses in as many networks would make the scan quadratic); countries are few */
	struct fs_map seen;
	bool use_map = n > 32;
	if (use_map) {
		fs_map_init(&seen);
		for (size_t j = 0; j < na; j++) {
			bool fresh;
			(void)fs_map_put(&seen, rec->asn_buf[j], &fresh);
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t asn = rec->spread_rows[i].info->asn;
		const char *cc = rec->spread_rows[i].info->country;
		size_t j;
		if (asn != 0) {
			bool fresh = true;
			if (use_map)
				(void)fs_map_put(&seen, asn, &fresh);
			else
				for (j = 0; j < na && fresh; j++)
					fresh = rec->asn_buf[j] != asn;
			if (fresh)
				rec->asn_buf[na++] = asn;
		}
		if (cc[0] != '\0') {
			for (j = 0; j < nc && strcmp(rec->cc_buf[j], cc) != 0; j++)
				;
			if (j == nc)
				memcpy(rec->cc_buf[nc++], cc, 3);
		}
	}
	if (use_map)
		fs_map_fini(&seen);
	rec->lists.asns = rec->asn_buf;
	rec->lists.n_asns = na;
	rec->lists.countries = (const char (*)[3])rec->cc_buf;
	rec->lists.n_countries = nc;
}

/* The NS names and their addresses, each address once (nameservers often share addresses,
 * and glue repeats across NS names). */
static void
collect_ns(struct model_record *rec, const struct store *s, store_dom_id id)
{
	uint32_t nsbuf[256];
	size_t nns = model_ns_names(s, id, nsbuf, sizeof nsbuf / sizeof nsbuf[0]);
	size_t cap = 0;

	rec->ns_buf = xcalloc(nns + 1, sizeof *rec->ns_buf);
	for (size_t i = 0; i < nns; i++)
		rec->ns_buf[i] = store_name_str(s, nsbuf[i]);
	rec->lists.ns_names = rec->ns_buf;
	rec->lists.n_ns_names = nns;
	store_addr_id seen[512];
	size_t nseen = 0;
	for (size_t i = 0; i < nns; i++) {
		const struct store_nsname *ns = store_nsname_by_name(s, nsbuf[i]);
		for (uint32_t k = 0; ns != NULL && k < ns->n_glue; k++) {
			const struct store_addr *sa = store_addr(s, ns->glue[k].addr);
			size_t j;
			if (sa == NULL)
				continue;
			for (j = 0; j < nseen && seen[j] != ns->glue[k].addr; j++)
				;
			if (j < nseen)
				continue;
			if (nseen < sizeof seen / sizeof seen[0])
				seen[nseen++] = ns->glue[k].addr;
			if (rec->n_ns_addrs == cap) {
				cap = cap ? cap * 2 : 16;
				rec->ns_addrs = xreallocarray(rec->ns_addrs, cap, sizeof *rec->ns_addrs);
			}
			rec->ns_addrs[rec->n_ns_addrs++] = sa->addr;
		}
	}
}

static void
record_domain(struct model_record *rec, struct geo *geo, struct geo_ro *ro, const struct store *s,
              const struct det_result *r)
{
	memset(rec, 0, sizeof *rec);
	model_row_init(&rec->row, r, store_domain(s, r->dom));
	if (ro != NULL)
		rec->n_spread_rows = geo_domain_spread_ro(ro, s, r->dom, &rec->spread_rows, &rec->spread);
	else
		rec->n_spread_rows = geo_domain_spread(geo, s, r->dom, &rec->spread_rows, &rec->spread);
	rec->addr_buf = xcalloc(rec->n_spread_rows + 1, sizeof *rec->addr_buf);
	for (size_t i = 0; i < rec->n_spread_rows; i++)
		rec->addr_buf[i] = rec->spread_rows[i].addr;
	rec->lists.addrs = rec->addr_buf;
	rec->lists.n_addrs = rec->n_spread_rows;
	tally_asns_countries(rec);
	collect_ns(rec, s, r->dom);
	rec->row.lists = &rec->lists;
}

void
model_record_domain(struct model_record *rec, struct geo *geo, const struct store *s,
                    const struct det_result *r)
{
	record_domain(rec, geo, NULL, s, r);
}

void
model_record_domain_ro(struct model_record *rec, struct geo_ro *ro, const struct store *s,
                       const struct det_result *r)
{
	record_domain(rec, NULL, ro, s, r);
}

void
model_record_zone(struct model_record *rec, const struct detector *det,
                  const struct det_result *z, size_t max_members)
{
	memset(rec, 0, sizeof *rec);
	model_row_init(&rec->row, z, NULL);
	if (!det_is_flagged(z->verdict))
		return;
	struct det_result buf;
	size_t cap = 0, nm = 0;
	const uint32_t *m = NULL;
	/* the row's own names when z is a row of this detector (rank: its det_zone_get place);
	 * for a copy made elsewhere every name's zone is compared */
	const struct det_result *row = z->rank >= 1 ? det_zone_get(det, z->rank - 1) : NULL;
	if (row != NULL && strcmp(row->name, z->name) == 0)
		m = det_zone_members(det, z->rank - 1, &nm);
	else
		nm = det_count(det);
	for (size_t k = 0; k < nm && rec->n_members < max_members; k++) {
		const struct det_result *r = det_view(det, m != NULL ? m[k] : k, &buf);
		if (m == NULL && (r->zone == NULL || strcmp(r->zone, z->name) != 0))
			continue;
		if (rec->n_members == cap) {
			cap = cap ? cap * 2 : 16;
			rec->members = xreallocarray(rec->members, cap, sizeof *rec->members);
		}
		rec->members[rec->n_members++] = r->name;
	}
}

void
model_record_free(struct model_record *rec)
{
	free(rec->spread_rows);
	free(rec->ns_addrs);
	free(rec->members);
	free(rec->addr_buf);
	free(rec->asn_buf);
	free(rec->cc_buf);
	free(rec->ns_buf);
	memset(rec, 0, sizeof *rec);
}
