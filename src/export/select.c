/* Selection: detection results (and the store behind them) → an indicator set. */
#include "fluxscope/model.h"
#include "fluxscope/detect.h"
#include "fluxscope/query.h"
#include "fluxscope/store.h"
#include "export/export_int.h"

#include <stdlib.h>
#include <string.h>

static bool
det_allow(void *ctx, const char *name)
{
	return !det_is_allowlisted((const struct detector *)ctx, name);
}

struct export_set *
export_set_new_for_detector(const struct detector *det)
{
	return export_set_new(det != NULL ? det_allow : NULL, (void *)(uintptr_t)det);
}

static bool
selected(const struct export_selection *sel, const struct det_result *r,
         const struct store_domain *d, const struct store *st)
{
	switch (sel->mode) {
	case EXPORT_SEL_FLUX: return det_is_flux(r->verdict);
	case EXPORT_SEL_FILTER:
		/* address, nameserver, every ASN and country: the domain's record */
		if (st != NULL && d != NULL && !r->is_zone && query_filter_needs_lists(sel->filter)) {
			struct model_record rec;
			model_record_domain(&rec, sel->geo, st, r);
			bool ok = query_filter_match_row(sel->filter, &rec.row);
			model_record_free(&rec);
			return ok;
		}
		return query_filter_match(sel->filter, r, d);
	case EXPORT_SEL_MIN_SCORE: return r->score >= sel->min_score;
	case EXPORT_SEL_MARKED:
		return d != NULL && (sel->mark_mask ? (d->user_flags & sel->mark_mask) != 0 : d->user_flags != 0);
	}
	return false;
}

static void
base(struct export_ind *x, enum export_kind kind, const struct det_result *r, const char *name)
{
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->score = r->score;
	snprintf(x->verdict, sizeof x->verdict, "%s", det_verdict_name(r->verdict));
	x->reasons = (const char *const *)r->reasons;
	x->n_reasons = r->n_reasons;
	x->reason = r->n_reasons > 0 ? r->reasons[0] : "";
	x->source = name;
}

/* Allowlisted domains that share address `aid`: a PASSTHRU each, so the rpz-ip trigger of a
 * flux agent never blocks them. */
static void
passthru_sharers(struct export_set *s, const struct store *st, const struct detector *det,
                 store_addr_id aid, const char *flux_name, const struct det_result *r)
{
	const struct store_addr *a = store_addr(st, aid);
	char addr[FS_ADDR_STRLEN], why[160];

	if (a == NULL || det == NULL)
		return;
	for (uint32_t i = 0; i < a->n_domains; i++) {
		const struct store_domain *od = store_domain(st, a->domains[i]);
		const char *on = od ? store_name_str(st, od->name) : NULL;
		struct export_ind x;
		if (on == NULL || !det_is_allowlisted(det, on))
			continue;
		base(&x, EXPORT_PASSTHRU, r, flux_name);
		x.name = on;
		snprintf(why, sizeof why, "allowlisted; shares %s with %s",
		         fs_addr_str(&a->addr, addr, sizeof addr), flux_name);
		x.reason = why;
		x.reasons = NULL;
		x.n_reasons = 0;
		x.score = 0;
		x.verdict[0] = '\0';
		export_set_add(s, &x);
	}
}

size_t
export_select(struct export_set *s, const struct store *st, const struct detector *det,
              const struct export_selection *sel)
{
	size_t n = 0;

	/* Zones first: a flux zone (random or wildcard subdomains, each asked once) is blocked
	 * as a zone — the zone with its subdomains (an RPZ wildcard) — instead of listing every
	 * throwaway name. */
	for (size_t i = 0; det != NULL && i < det_zone_count(det); i++) {
		const struct det_result *z = det_zone_get(det, i);
		struct export_ind x;
		if (z->allowlisted || !det_is_flux(z->verdict) || sel->mode == EXPORT_SEL_MARKED ||
		    !selected(sel, z, NULL, NULL) || det_is_allowlisted(det, z->name))
			continue;
		base(&x, EXPORT_DOMAIN, z, "");
		x.name = z->name;
		x.subdomains = true;
		x.first_seen = z->first_seen;
		x.last_seen = z->last_seen;
		if (export_set_add(s, &x))
			n++;
	}

	struct det_result buf;
	for (size_t i = 0; i < det_count(det); i++) {
		const struct det_result *r = det_view(det, i, &buf);
		const struct store_domain *d = store_domain(st, r->dom);
		const char *name = r->name ? r->name : (d ? store_name_str(st, d->name) : NULL);
		struct export_ind x;

		if (name == NULL || r->allowlisted || !selected(sel, r, d, st))
			continue;
		/* a name of an exported flux zone: the zone's wildcard covers it; its agents and
		 * nameservers still follow */
		const struct det_result *zr = r->zone ? det_zone_find(det, r->zone) : NULL;
		bool covered = zr != NULL && det_is_flux(zr->verdict) &&
		               export_set_has_name(s, EXPORT_DOMAIN, zr->name);
		base(&x, EXPORT_DOMAIN, r, "");
		x.name = name;
		x.subdomains = sel->subdomains;
		x.first_seen = r->first_seen ? r->first_seen : (d ? d->first_seen : 0);
		x.last_seen = r->last_seen ? r->last_seen : (d ? d->last_seen : 0);
		if (!covered && export_set_add(s, &x))
			n++;
		if (!sel->infrastructure || !det_is_flux(r->verdict) || d == NULL)
			continue;
		/* The flux agents: every address the domain was answered with (the model's rows, as
		 * the Spread tab and the report list them). */
		struct model_addr_row *agents;
		uint32_t n_agents = model_addr_rows(sel->residential ? NULL : sel->geo, st, r->dom, &agents);
		for (uint32_t k = 0; k < n_agents; k++) {
			const struct model_addr_row *a = &agents[k];
			if (a->info != NULL && geo_residential_looking(a->info)) {
				if (sel->n_residential_skipped != NULL)
					(*sel->n_residential_skipped)++;
				continue;
			}
			base(&x, EXPORT_ADDR, r, name);
			x.addr = a->addr;
			x.first_seen = a->first_seen;
			x.last_seen = a->last_seen;
			export_set_add(s, &x);
			passthru_sharers(s, st, det, a->id, name, r);
		}
		free(agents);
		if (r->verdict != DET_DOUBLE_FLUX)
			continue;
		/* Double flux: the rotating nameservers, by name and by address — every one seen for
		 * the zone (all its NS sets, on the name's record and on the zone's own), not only
		 * the latest set. */
		uint32_t ns[256];
		uint32_t nns = (uint32_t)model_zone_ns_names(st, r, name, ns, sizeof ns / sizeof ns[0]);
		for (uint32_t k = 0; k < nns; k++) {
			const char *nsn = store_name_str(st, ns[k]);
			const struct store_nsname *rec = store_nsname_by_name(st, ns[k]);
			if (nsn == NULL)
				continue;
			base(&x, EXPORT_NSNAME, r, name);
			x.name = nsn;
			if (rec != NULL) {
				x.first_seen = rec->first_seen;
				x.last_seen = rec->last_seen;
			}
			export_set_add(s, &x);
			for (uint32_t g = 0; rec != NULL && g < rec->n_glue; g++) {
				const struct store_addr *a = store_addr(st, rec->glue[g].addr);
				if (a == NULL)
					continue;
				base(&x, EXPORT_NSADDR, r, name);
				x.addr = a->addr;
				x.first_seen = rec->glue[g].first_seen;
				x.last_seen = rec->glue[g].last_seen;
				export_set_add(s, &x);
			}
		}
	}
	if (det != NULL && n > 0) {
		/* Allowlisted names under a selected domain: blocking "d" with its subdomains (an RPZ
		 * wildcard, or any dnsmasq/Unbound/Pi-hole line) would catch them, so each gets a
		 * PASSTHRU. */
		for (store_dom_id id = 1; id <= store_domain_count(st); id++) {
			const struct store_domain *d = store_domain(st, id);
			const char *name = d ? store_name_str(st, d->name) : NULL;
			if (name == NULL || !det_is_allowlisted(det, name))
				continue;
			for (const char *p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.')) {
				if (!export_set_has_name(s, EXPORT_DOMAIN, p + 1))
					continue;
				struct export_ind x = { .kind = EXPORT_PASSTHRU, .name = name, .source = p + 1 };
				char why[300];
				snprintf(why, sizeof why, "allowlisted; under the exported %s", p + 1);
				x.reason = why;
				export_set_add(s, &x);
				break;
			}
		}
	}
	return n;
}
