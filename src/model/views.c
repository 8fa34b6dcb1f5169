/* The data of the Spread and Nameservers detail tabs (model.h): a domain's addresses with their
 * enrichment and tallies, its delegation and NS-set history with each name's addresses. The
 * front ends only format. */
#include "fluxscope/model.h"

#include <stdio.h>
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

uint32_t
model_addr_rows(struct geo *geo, const struct store *s, store_dom_id dom,
                struct model_addr_row **rows)
{
	const struct store_domain *d = store_domain(s, dom);
	uint32_t n = 0;

	*rows = NULL;
	if (d == NULL || d->ext->n_addrs == 0)
		return 0;
	*rows = xcalloc(d->ext->n_addrs, sizeof **rows);
	for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
		const struct store_dom_addr *da = &d->ext->addrs[i];
		const struct store_addr *sa = store_addr(s, da->addr);
		if (sa == NULL)
			continue;
		(*rows)[n++] = (struct model_addr_row){
			.id = da->addr, .addr = sa->addr,
			.info = geo != NULL ? geo_lookup(geo, &sa->addr) : NULL,
			.first_seen = da->first_seen, .last_seen = da->last_seen, .count = da->count };
	}
	if (n == 0) {
		free(*rows);
		*rows = NULL;
	}
	return n;
}

void
model_spread(struct geo *geo, const struct store *s, store_dom_id dom, struct model_spread *o)
{
	const struct store_domain *d = store_domain(s, dom);

	memset(o, 0, sizeof *o);
	if (d == NULL)
		return;
	o->first_seen = d->first_seen;
	o->last_seen = d->last_seen;
	o->enriched = geo != NULL;
	o->n_addrs = model_addr_rows(geo, s, dom, &o->addrs);
	if (geo == NULL)
		return;
	/* the summary: what geo_domain_spread gives the report, over the same addresses */
	fs_addr *addrs = xcalloc(o->n_addrs ? o->n_addrs : 1, sizeof *addrs);
	for (uint32_t i = 0; i < o->n_addrs; i++)
		addrs[i] = o->addrs[i].addr;
	geo_spread_addrs(geo, addrs, o->n_addrs, &o->sum);
	free(addrs);
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
	if (d->ext->n_ns == 0 && zone != 0) {
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
	o->obs = xcalloc(zd->ext->n_ns ? zd->ext->n_ns : 1, sizeof *o->obs);
	for (uint32_t i = 0; i < zd->ext->n_ns; i++) {
		const struct store_ns_obs *x = &zd->ext->ns[i];
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
			if (zd->ext->ns[k].zone == x->zone) {
				ob->changed = true;
				pm = store_set_members(s, zd->ext->ns[k].nsset, &pn);
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

/* ---- the NS names of a domain's own zone ---------------------------------------------------- */

/* Whether zone is the domain's own: the name itself, its registrable domain or a zone between. */
static bool
zone_owned(const char *zone, const char *name, const char *reg)
{
	size_t zl, rl;

	if (zone == NULL)
		return false;
	if (strcmp(zone, name) == 0)
		return true;
	if (reg == NULL || reg[0] == '\0')
		return false;
	zl = strlen(zone);
	rl = strlen(reg);
	return strcmp(zone, reg) == 0 ||
	       (zl > rl && zone[zl - rl - 1] == '.' && strcmp(zone + zl - rl, reg) == 0);
}

/* Add the members of an NS set not in buf yet (at most cap in all). */
static uint32_t
add_set_members(const struct store *st, store_set_id nsset, uint32_t *buf, uint32_t n,
                uint32_t cap)
{
	uint32_t nm = 0;
	const uint32_t *m = store_set_members(st, nsset, &nm);
	for (uint32_t k = 0; m != NULL && k < nm; k++) {
		uint32_t j;
		for (j = 0; j < n && buf[j] != m[k]; j++)
			;
		if (j == n && n < cap)
			buf[n++] = m[k];
	}
	return n;
}

/* Add the NS names of the observations of domain id whose zone is the domain's own (at or
 * below its registrable domain: an ancestor's such as a TLD's never). */
static uint32_t
add_ns_of(const struct store *st, store_dom_id id, const char *name, const char *reg,
          uint32_t *buf, uint32_t n, uint32_t cap)
{
	const struct store_domain *d = id ? store_domain(st, id) : NULL;
	for (uint32_t i = 0; d != NULL && i < d->ext->n_ns; i++) {
		if (!zone_owned(store_name_str(st, d->ext->ns[i].zone), name, reg))
			continue;
		n = add_set_members(st, d->ext->ns[i].nsset, buf, n, cap);
	}
	return n;
}

size_t
model_zone_ns_names(const struct store *st, const struct det_result *r, const char *name,
                    uint32_t *buf, size_t cap_)
{
	uint32_t cap = cap_ > UINT32_MAX ? UINT32_MAX : (uint32_t)cap_;
	uint32_t n = add_ns_of(st, r->dom, name, r->registrable, buf, 0, cap);
	store_name_id zone = 0;
	store_set_id nsset = store_domain_nsset(st, r->dom, &zone);
	if (nsset && zone_owned(store_name_str(st, zone), name, r->registrable)) {
		n = add_ns_of(st, store_domain_by_name(st, zone), name, r->registrable, buf, n, cap);
		n = add_set_members(st, nsset, buf, n, cap);
	}
	return n;
}

/* ---- pivots -------------------------------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t
uniq(uint32_t *v, uint32_t n)
{
	uint32_t k = 0;
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_u32);
	for (uint32_t i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

static void
push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

static uint32_t
done(store_dom_id **ids, uint32_t n)
{
	n = uniq(*ids, n);
	if (n == 0) {
		free(*ids);
		*ids = NULL;
	}
	return n;
}

uint32_t
model_pivot(struct geo *geo, const struct store *s, const struct model_pivot_key *key,
            store_dom_id **ids, const char **org)
{
	uint32_t n = 0, cap = 0;

	*ids = NULL;
	if (org != NULL)
		*org = "";
	switch (key->kind) {
	case MODEL_PIVOT_ADDR: {
		const struct store_addr *a = store_addr(s, key->addr);
		if (a == NULL)
			return 0;
		for (uint32_t i = 0; i < a->n_domains; i++)
			push(ids, &n, &cap, a->domains[i]);
		/* a nameserver address also leads to the domains that nameserver serves */
		for (uint32_t i = 0; i < a->n_ns_names; i++) {
			const struct store_nsname *ns = store_nsname_by_name(s, a->ns_names[i]);
			for (uint32_t j = 0; ns != NULL && j < ns->n_domains; j++)
				push(ids, &n, &cap, ns->domains[j]);
		}
		break;
	}
	case MODEL_PIVOT_NS: {
		const struct store_nsname *ns = store_nsname_by_name(s, key->ns);
		for (uint32_t i = 0; ns != NULL && i < ns->n_domains; i++)
			push(ids, &n, &cap, ns->domains[i]);
		for (uint32_t i = 0; ns != NULL && i < ns->n_zones; i++) {
			store_dom_id z = store_domain_by_name(s, ns->zones[i]);
			if (z != 0)
				push(ids, &n, &cap, z);
		}
		break;
	}
	case MODEL_PIVOT_ASN:
	case MODEL_PIVOT_COUNTRY: {
		size_t na = store_addr_count(s);
		bool by_asn = key->kind == MODEL_PIVOT_ASN;
		if (geo == NULL)
			return 0;
		for (store_addr_id id = 1; id <= na; id++) {
			const struct store_addr *a = store_addr(s, id);
			const struct geo_info *g;
			if (a == NULL || a->n_domains == 0)
				continue;
			g = geo_lookup(geo, &a->addr);
			if (by_asn ? g->asn != key->asn : strcmp(g->country, key->country) != 0)
				continue;
			if (by_asn && org != NULL && (*org)[0] == '\0' && g->as_org != NULL)
				*org = g->as_org;
			for (uint32_t i = 0; i < a->n_domains; i++)
				push(ids, &n, &cap, a->domains[i]);
		}
		break;
	}
	}
	return done(ids, n);
}

uint32_t
model_resp_pivot(const struct store *s, store_dom_id dom, uint32_t resp_idx, store_dom_id **ids)
{
	const struct store_domain *d = store_domain(s, dom);
	const uint32_t *m;
	uint32_t n = 0, cap = 0, k = 0;

	*ids = NULL;
	if (d == NULL || resp_idx >= d->n_resp)
		return 0;
	m = store_set_members(s, d->resp[resp_idx].aset, &k);
	for (uint32_t i = 0; m != NULL && i < k; i++) {
		const struct store_addr *a = store_addr(s, m[i]);
		for (uint32_t j = 0; a != NULL && j < a->n_domains; j++)
			push(ids, &n, &cap, a->domains[j]);
	}
	return done(ids, n);
}

static bool
in_prefix(const fs_addr *x, const fs_addr *net, int plen)
{
	if (x->family != net->family)
		return false;
	for (int b = 0; b < plen; b++)
		if (((x->bytes[b / 8] ^ net->bytes[b / 8]) >> (7 - b % 8)) & 1)
			return false;
	return true;
}

uint32_t
model_addr_search(const struct store *s, const char *text, store_dom_id **ids)
{
	size_t na = store_addr_count(s);
	uint32_t n = 0, cap = 0;
	fs_addr net;
	int plen = -1;

	*ids = NULL;
	if (strchr(text, '/') != NULL) {
		char buf[64], *sl;
		snprintf(buf, sizeof buf, "%s", text);
		sl = strchr(buf, '/');
		*sl = '\0';
		plen = atoi(sl + 1);
		if (fs_addr_parse(buf, &net) != 0 || plen < 0 || plen > (net.family == 4 ? 32 : 128))
			return 0;
	}
	for (store_addr_id id = 1; id <= na; id++) {
		const struct store_addr *sa = store_addr(s, id);
		char as[FS_ADDR_STRLEN];
		if (sa == NULL || sa->n_domains == 0)
			continue;
		if (plen >= 0 ? !in_prefix(&sa->addr, &net, plen)
		              : strstr(fs_addr_str(&sa->addr, as, sizeof as), text) == NULL)
			continue;
		for (uint32_t k = 0; k < sa->n_domains; k++)
			push(ids, &n, &cap, sa->domains[k]);
	}
	return done(ids, n);
}

/* ---- timeline sparklines ------------------------------------------------------------------- */

/* Distinct values of v[0..n) (sorts v). */
static uint32_t
n_distinct(uint32_t *v, size_t n)
{
	uint32_t k = n > 0;
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_u32);
	for (size_t j = 1; j < n; j++)
		k += v[j] != v[j - 1];
	return k;
}

uint32_t
model_tl_spark(const struct store *s, store_dom_id dom, int buckets, uint32_t *per, uint32_t *cum)
{
	const struct store_domain *d = store_domain(s, dom);
	size_t nseen, nib = 0, capib = 0;
	uint8_t *seen;
	uint32_t *in_bucket = NULL, total = 0;
	fs_time span;
	int cur = -1;

	if (buckets <= 0)
		return 0;
	memset(per, 0, (size_t)buckets * sizeof *per);
	memset(cum, 0, (size_t)buckets * sizeof *cum);
	if (d == NULL)
		return 0;
	span = d->last_seen - d->first_seen;
	nseen = store_addr_count(s) + 1;
	seen = xcalloc(nseen, 1);
	for (uint32_t i = 0; i < d->n_resp; i++) {
		const struct store_response *r = &d->resp[i];
		int b = span > 0 ? (int)((double)(r->ts - d->first_seen) / (double)span * (buckets - 1) + 0.5) : 0;
		const uint32_t *m;
		uint32_t n = 0;
		if (b < 0)
			b = 0;
		if (b >= buckets)
			b = buckets - 1;
		if (b != cur) {
			if (cur >= 0)
				per[cur] = n_distinct(in_bucket, nib);
			nib = 0;
			cur = b;
		}
		m = store_set_members(s, r->aset, &n);
		for (uint32_t j = 0; m != NULL && j < n; j++) {
			if (nib == capib) {
				capib = capib ? capib * 2 : 64;
				in_bucket = xreallocarray(in_bucket, capib, sizeof *in_bucket);
			}
			in_bucket[nib++] = m[j];
			if (m[j] < nseen && !seen[m[j]]) {
				seen[m[j]] = 1;
				total++;
			}
		}
		cum[b] = total;
	}
	if (cur >= 0)
		per[cur] = n_distinct(in_bucket, nib);
	for (int b = 1; b < buckets; b++)
		if (cum[b] < cum[b - 1])
			cum[b] = cum[b - 1];
	free(in_bucket);
	free(seen);
	return total;
}

/* ---- time bins ----------------------------------------------------------------------------- */

static int
bin_of(const struct model_time_bins *b, fs_time ts)
{
	int64_t sec = ts / FS_USEC - b->t0;
	int64_t k = sec < 0 || b->bw <= 0 ? 0 : sec / b->bw;
	return k >= b->n ? b->n - 1 : (int)k;
}

uint64_t
model_time_add(const struct store *s, store_dom_id dom, bool flagged, const struct model_time_bins *b)
{
	const struct store_domain *d = store_domain(s, dom);
	uint64_t n = 0;

	if (d == NULL || b->n <= 0)
		return 0;
	for (uint32_t i = 0; i < d->n_resp; i++) {
		int k = bin_of(b, d->resp[i].ts);
		/* a response counts once, for its query name; a CNAME target's copy of it
		 * (STORE_RESP_VIA_CNAME) still shows the target seen in the bin */
		if (!(d->resp[i].flags & STORE_RESP_VIA_CNAME)) {
			b->resp[k]++;
			n++;
		}
		if (flagged && b->last_dom[k] != dom) {
			b->last_dom[k] = dom;
			b->flag[k]++;
		}
	}
	return n;
}

/* ---- the domain list's rows ------------------------------------------------------------------ */

void
model_list_row(const struct store *s, const struct detector *det, store_dom_id id,
               struct model_list_row *out)
{
	const struct store_domain *d = store_domain(s, id);
	struct det_result buf;         /* every row of a list: nothing kept (det_view) */
	const struct det_result *r = det != NULL ? det_view_domain(det, id, &buf) : NULL;

	memset(out, 0, sizeof *out);
	if (d == NULL) {
		out->name = "";
		return;
	}
	out->exists = true;
	out->name = store_name_str(s, d->name);
	out->first_seen = d->first_seen;
	out->last_seen = d->last_seen;
	out->n_responses = d->n_responses;
	out->n_nxdomain = d->n_nxdomain;
	out->marked = d->user_flags != 0;
	out->listed = (d->dflags & (STORE_DOM_QNAME | STORE_DOM_CNAME_TARGET)) ||
	              (r != NULL && det_is_flagged(r->verdict));
	if (r != NULL) {
		out->has_result = true;
		out->score = r->score;
		out->rank = r->rank;
		out->logit = r->logit;
		out->holz = r->holz_score;
		out->holz_available = r->holz_available;
		out->verdict = r->verdict;
		out->n_addrs = r->n_addrs;
		out->n_asns = r->n_asns;
		out->n_countries = r->n_countries;
		out->ttl_min = r->ttl_min;
		out->n_ns_changes = r->n_ns_changes;
		out->cluster = r->cluster;
		out->intel = r->intel_hit;
		out->registrable = r->registrable;
	} else {
		out->n_addrs = d->ext->n_addrs;
		out->ttl_min = (d->dflags & STORE_DOM_TTL) ? d->ext->ttl_min_seen : 0;
		out->n_ns_changes = store_domain_ns_changes(s, id);
	}
}
