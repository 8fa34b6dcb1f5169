/* Zones and behavioural guards (docs/detection.md, sections 3 and 4).
 *
 * A domain's zone is the deepest of its registrable domain (libpsl, private section included,
 * so dynamic-DNS users and hosting customers stay apart) and the zone cut seen in NS records,
 * never above the registrable domain. Zone rows add up the evidence of every name of the zone:
 * random and wildcard subdomains asked once each are one flux zone, not a thousand names with
 * one answer each.
 *
 * Behavioural guards for services no list names:
 *  - CNAME provider zones (CDNs): a zone that many unrelated registrable domains point into by
 *    CNAME, answering from few networks;
 *  - pool zones (NTP-style): scoped sibling names (numbered, country) drawing from one
 *    population, shown by a country-scoped sibling answering from its country or by addresses
 *    recurring across numbered siblings with fixed-size answers. */
#include "detect/detect_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hstr(const char *s)
{
	uint64_t h = fs_hash_bytes(s, strlen(s));
	return h == FS_MAP_EMPTY || h == 0 ? 1 : h;
}

static void
grow_dom(struct detector *d, size_t n)
{
	if (n <= d->cap_dom)
		return;
	d->reg_at = xreallocarray(d->reg_at, n, sizeof *d->reg_at);
	d->zone_at = xreallocarray(d->zone_at, n, sizeof *d->zone_at);
	d->cap_dom = n;
}

/* The provider zone of a domain (NULL = none) and the pool it is a scoped sibling of (index
 * into pool_signs + 1, 0 = none). */
static const char *
dom_prov(const struct detector *d, store_dom_id id)
{
	const uint32_t *v = fs_map_get(&d->prov, id);
	return v != NULL ? d->prov_tab[*v - 1] : NULL;
}

static uint32_t
dom_pool(const struct detector *d, store_dom_id id)
{
	const uint32_t *v = fs_map_get(&d->pool_member, id);
	return v != NULL ? *v : 0;
}

static void
prov_put(struct detector *d, struct fs_map *m, store_dom_id id, const char *p)
{
	bool fresh;
	if (d->n_prov_tab == d->cap_prov_tab) {
		d->cap_prov_tab = d->cap_prov_tab ? d->cap_prov_tab * 2 : 64;
		d->prov_tab = xreallocarray(d->prov_tab, d->cap_prov_tab, sizeof *d->prov_tab);
	}
	d->prov_tab[d->n_prov_tab++] = p;
	*fs_map_put(m, id, &fresh) = (uint32_t)d->n_prov_tab;
}

static void
zmem_reset(struct det_zone_members *zm)
{
	free(zm->start);
	free(zm->idx);
	zm->start = zm->idx = NULL;
	zm->built = false;
}

static void
free_zrows(struct detector *d)
{
	zmem_reset(d->zmem);
	for (size_t i = 0; i < d->n_zres; i++) {
		for (int k = 0; k < d->zres[i].n_reasons; k++)
			free(d->zres[i].reasons[k]);
		free(d->zres[i].reasons);
	}
	d->n_zres = 0;
}

void
det_zone_free(struct detector *d)
{
	free(d->reg_at);
	free(d->zone_at);
	fs_map_fini(&d->prov);
	free(d->prov_tab);
	fs_map_fini(&d->pool_member);
	fs_map_fini(&d->prov_count);
	fs_map_fini(&d->pool_zone);
	fs_map_fini(&d->zone_idx);
	free(d->pool_signs);
	free_zrows(d);
	free(d->zres);
	free(d->zterm_pool);
	pthread_mutex_destroy(&d->zmem->mu);
	free(d->zmem);
	d->zmem = NULL;
}

void
det_zone_drop_rows(struct detector *d)
{
	free_zrows(d);
	DET_FREE_VEC(d->zres, d->cap_zres);
	DET_FREE_VEC(d->zterm_pool, d->cap_zterms);
	fs_map_fini(&d->zone_idx);
	fs_map_init(&d->zone_idx);
}

/* ---- labels -------------------------------------------------------------------------------- */

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- before pass 1 -------------------------------------------------------------------------- */

static void
prepare_names(struct detector *d, const struct store *s, size_t nd)
{
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *dom = store_domain(s, id);
		d->reg_at[id] = d->zone_at[id] = DET_NO_SUFFIX;
		if (dom == NULL)
			continue;
		const char *name = store_name_str(s, dom->name);
		if (name == NULL)
			continue;
		/* libpsl's registrable domain is a pointer into the name */
		const char *reg = d->psl != NULL ? dns_psl_registrable(d->psl, name) : NULL;
		if (reg == NULL)
			reg = name;
		d->reg_at[id] = (uint16_t)(reg - name);
		store_name_id z = 0;
		store_domain_nsset(s, id, &z);
		const char *zs = z ? store_name_str(s, z) : NULL;
		if (zs != NULL && det_zone_usable(d, zs) && det_name_has_suffix(zs, reg) &&
		    det_name_has_suffix(name, zs))
			d->zone_at[id] = (uint16_t)(strlen(name) - strlen(zs));   /* its text */
		else
			d->zone_at[id] = d->reg_at[id];
	}
}

/* CNAME provider zones: the registrable domain a chain ends in, counted over the unrelated
 * registrable domains whose names point into it. */
static void
prepare_providers(struct detector *d, const struct store *s, size_t nd)
{
	struct fs_map pairs, ends;
	fs_map_init(&pairs);
	fs_map_init(&ends);
	fs_map_clear(&d->prov_count);
	fs_map_clear(&d->prov);
	d->n_prov_tab = 0;
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *dom = store_domain(s, id);
		const char *reg = dom != NULL ? det_reg(d, id, store_name_str(s, dom->name)) : NULL;
		if (dom == NULL || dom->ext->n_cnames == 0 || reg == NULL)
			continue;
		const char *last = store_name_str(s, dom->ext->cnames[dom->ext->n_cnames - 1]);
		const char *t = last && d->psl ? dns_psl_registrable(d->psl, last) : last;
		if (t == NULL || strcmp(t, reg) == 0)
			continue;
		uint64_t ht = hstr(t);
		bool fresh;
		uint64_t pk = fs_hash64(ht ^ fs_hash64(hstr(reg)));
		fs_map_put(&pairs, pk == FS_MAP_EMPTY ? 1 : pk, &fresh);
		if (fresh)
			(*fs_map_put(&d->prov_count, ht, &fresh))++;
		prov_put(d, &ends, id, t);
	}
	fs_map_fini(&pairs);
	for (store_dom_id id = 1; id <= nd; id++) {
		const uint32_t *v = fs_map_get(&ends, id);
		const char *p = v != NULL ? d->prov_tab[*v - 1] : NULL;
		const uint32_t *c;
		if (p == NULL) {
			const struct store_domain *dom = store_domain(s, id);
			if (dom != NULL)       /* a name under a provider zone itself */
				p = det_reg(d, id, store_name_str(s, dom->name));
		}
		c = p ? fs_map_get(&d->prov_count, hstr(p)) : NULL;
		if (c != NULL && *c >= d->w.provider_customers)
			prov_put(d, &d->prov, id, p);
	}
	fs_map_fini(&ends);
}

struct sib {                           /* a name under a possible pool base */
	store_dom_id id;
	uint64_t base;                     /* hash of the name with its scope labels stripped */
	const char *base_name;             /* points into the name */
	bool numbered, country, scoped;
	bool member;                       /* scoped, or the base itself (the global name) */
};

static int
cmp_sib(const void *a, const void *b)
{
	const struct sib *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

/* Does a country-scoped sibling ("de" or "0.de") answer from its country? */
static bool
country_consistent(struct detector *d, const struct store_domain *dom, const char *cc)
{
	uint32_t located = 0, inside = 0;
	for (uint32_t k = 0; k < dom->ext->n_addrs; k++) {
		const struct det_addr_info *ai = det_addr_info_cb(d, dom->ext->addrs[k].addr);
		if (ai->cc[0] == '\0')
			continue;
		located++;
		if (toupper((unsigned char)cc[0]) == ai->cc[0] && toupper((unsigned char)cc[1]) == ai->cc[1])
			inside++;
	}
	return located >= 3 && inside >= d->w.pool_country_share * located;
}

/* Fixed-size answers (a pool hands out N servers per answer; flux sizes vary). */
static bool
fixed_size(const struct store *s, const struct store_domain *dom)
{
	uint32_t size = 0;
	for (uint32_t i = 0; i < dom->n_resp; i++) {
		uint32_t nm = 0;
		if (dom->resp[i].aset == 0 || store_set_members(s, dom->resp[i].aset, &nm) == NULL)
			continue;
		if (size == 0)
			size = nm;
		else if (nm != size)
			return false;
	}
	return size > 1;
}

static bool
is_continent(const char *l, size_t n)
{
	static const char *const c[] = { "africa", "asia", "europe", "oceania", "north-america",
	                                  "south-america" };
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (n == strlen(c[i]) && memcmp(l, c[i], n) == 0)
			return true;
	return false;
}

/* Strip the scope labels off the front of a name: numbers ("0."), two-letter country labels
 * ("de.") and continents ("europe."), never into its registrable domain. 0.de.pool.example.org
 * → pool.example.org, numbered and country-scoped (cc points at "de"). */
static const char *
pool_base(struct detector *d, const struct store_domain *dom, const char *name, const char *reg,
          struct sib *sb)
{
	const char *p = name;
	size_t rl = strlen(reg);
	sb->numbered = sb->country = sb->scoped = false;
	for (;;) {
		const char *dot = strchr(p, '.');
		if (dot == NULL || strlen(dot + 1) < rl)
			break;
		size_t n = (size_t)(dot - p);
		if (all_digits(p, n))
			sb->numbered = true;
		else if (n == 2 && isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1])) {
			if (country_consistent(d, dom, p))
				sb->country = true;
		} else if (!is_continent(p, n))
			break;
		sb->scoped = true;
		p = dot + 1;
	}
	return p;
}

static void
prepare_pools(struct detector *d, const struct store *s, size_t nd)
{
	struct sib *v = NULL;
	size_t n = 0, cap = 0;

	fs_map_clear(&d->pool_zone);
	fs_map_clear(&d->pool_member);
	d->n_pool_signs = 0;
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *dom = store_domain(s, id);
		if (dom == NULL || dom->ext->n_addrs == 0)
			continue;
		const char *name = store_name_str(s, dom->name);
		const char *reg = det_reg(d, id, name);
		if (reg == NULL)
			continue;
		struct sib sb = { .id = id };
		sb.base_name = pool_base(d, dom, name, reg, &sb);
		sb.base = hstr(sb.base_name);
		sb.member = sb.scoped || sb.base_name == name;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = sb;
		/* a numbered vendor name (0.debian.pool.example.org) is also a sibling of the base
		 * above its vendor label (pool.example.org) */
		const char *up = strchr(sb.base_name, '.');
		if (sb.numbered && up != NULL && strcmp(sb.base_name, reg) != 0 &&
		    strlen(up + 1) >= strlen(reg)) {
			struct sib vs = sb;
			vs.base_name = up + 1;
			vs.base = hstr(vs.base_name);
			v[n++] = vs;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_sib);
	for (size_t i = 0; i < n; ) {
		size_t j = i, scoped = 0;
		uint32_t numbered = 0, country = 0, fixed = 0;
		const char *cc_name = NULL;
		while (j < n && v[j].base == v[i].base)
			j++;
		for (size_t k = i; k < j; k++) {
			const struct store_domain *dom = store_domain(s, v[k].id);
			scoped += v[k].member;
			numbered += v[k].numbered;
			if (v[k].country) {
				country++;
				cc_name = store_name_str(s, dom->name);
			}
			fixed += fixed_size(s, dom);
		}
		bool sign = false;
		char text[96] = "";
		if (scoped >= d->w.pool_siblings && country > 0) {
			sign = true;
			snprintf(text, sizeof text, "%s answers from its own country", cc_name);
		} else if (scoped >= d->w.pool_siblings && numbered >= 2 && fixed == j - i) {
			/* addresses recurring across the scoped siblings */
			struct fs_map cnt;
			uint32_t total = 0, multi = 0, size = 0;
			fs_map_init(&cnt);
			for (size_t k = i; k < j; k++) {
				const struct store_domain *dom = store_domain(s, v[k].id);
				for (uint32_t a = 0; a < dom->ext->n_addrs; a++) {
					bool fresh;
					(*fs_map_put(&cnt, dom->ext->addrs[a].addr, &fresh))++;
				}
				for (uint32_t r = 0; size == 0 && r < dom->n_resp; r++)
					if (dom->resp[r].aset)
						store_set_members(s, dom->resp[r].aset, &size);
			}
			for (uint32_t k = 0; k < cnt.n; k++) {
				total++;
				multi += fs_map_val_at(&cnt, k) >= 2;
			}
			fs_map_fini(&cnt);
			if (total > 0 && multi >= d->w.pool_recur_share * total) {
				sign = true;
				snprintf(text, sizeof text, "%u of %u addresses answer two or more of %zu "
				         "numbered siblings, %u per answer", multi, total, j - i, size);
			}
		}
		if (sign) {
			if (d->n_pool_signs == d->cap_pool_signs) {
				d->cap_pool_signs = d->cap_pool_signs ? d->cap_pool_signs * 2 : 16;
				d->pool_signs = xreallocarray(d->pool_signs, d->cap_pool_signs,
				                              sizeof *d->pool_signs);
			}
			struct det_zone_sign *zs = &d->pool_signs[d->n_pool_signs++];
			zs->zone = v[i].base_name;
			memcpy(zs->sign, text, sizeof zs->sign);
			bool fresh;
			*fs_map_put(&d->pool_zone, v[i].base, &fresh) = (uint32_t)d->n_pool_signs;
			for (size_t k = i; k < j; k++)
				if (v[k].member && dom_pool(d, v[k].id) == 0)
					*fs_map_put(&d->pool_member, v[k].id, &fresh) = (uint32_t)d->n_pool_signs;
		}
		i = j;
	}
	free(v);
}

void
det_zone_prepare(struct detector *d, const struct store *s)
{
	size_t nd = store_domain_count(s);
	grow_dom(d, nd + 1);
	if (nd + 1 > 0) {
		d->reg_at[0] = d->zone_at[0] = DET_NO_SUFFIX;
	}
	prepare_names(d, s, nd);
	prepare_providers(d, s, nd);
	prepare_pools(d, s, nd);
}

void
det_zone_context(struct detector *d, const struct store *s, store_dom_id id,
                 struct det_context *cx)
{
	cx->provider_zone = NULL;
	cx->provider_customers = 0;
	cx->provider_shared = 0;
	cx->pool_zone = NULL;
	cx->pool_sign = NULL;
	cx->pool_member = false;
	if (id >= d->cap_dom)
		return;
	const char *prov = dom_prov(d, id);
	if (prov != NULL) {
		const uint32_t *c = fs_map_get(&d->prov_count, hstr(prov));
		const struct store_domain *dom = store_domain(s, id);
		uint32_t shared = 0;
		cx->provider_zone = prov;
		cx->provider_customers = c ? *c : 0;
		for (uint32_t k = 0; dom != NULL && k < dom->ext->n_addrs; k++) {
			const struct store_addr *sa = store_addr(s, dom->ext->addrs[k].addr);
			if (sa == NULL || sa->n_domains > SHARED_MAX_DEGREE)
				continue;
			for (uint32_t j = 0; j < sa->n_domains; j++) {
				store_dom_id o = sa->domains[j];
				const char *po = o != id && o < d->cap_dom ? dom_prov(d, o) : NULL;
				if (po != NULL && strcmp(po, prov) == 0) {
					shared++;
					break;
				}
			}
		}
		cx->provider_shared = dom && dom->ext->n_addrs ? (double)shared / dom->ext->n_addrs : 0;
	}
	uint32_t pool = dom_pool(d, id);
	if (pool != 0) {
		cx->pool_zone = d->pool_signs[pool - 1].zone;
		cx->pool_sign = d->pool_signs[pool - 1].sign;
		cx->pool_member = true;
	}
}

/* ---- after pass 2: zone rows ----------------------------------------------------------------- */

static void
prepend_reason(struct det_result *r, char *text)
{
	r->reasons = xreallocarray(r->reasons, (size_t)r->n_reasons + 1, sizeof *r->reasons);
	memmove(r->reasons + 1, r->reasons, (size_t)r->n_reasons * sizeof *r->reasons);
	r->reasons[0] = text;
	r->n_reasons++;
}

static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		fs_fatal("out of memory formatting a reason");
	va_end(ap);
	return s;
}

static bool
guarded(const struct detector *d, const struct det_result *r)
{
	return r->allowlisted || r->verdict == DET_CDN || r->verdict == DET_POOL ||
	       (r->guard != NULL && r->verdict == DET_BENIGN) ||
	       (r->dom < d->cap_dom && dom_pool(d, r->dom) != 0);   /* a pool's sibling */
}

struct zstat {
	uint32_t names, flagged, flux, dbl, reasked, stable, once, guarded, anchors;
	uint32_t reasked_any, stable_any;  /* the same, re-asked also meaning by two resolvers */
	uint32_t rotating;                 /* re-asked names whose answer changed, or differed
	                                    * between two resolvers (per-query rotation) */
	uint32_t cname;                    /* names (not guarded) with a CNAME chain, or its target */
	uint32_t asn_known, asn_listed;    /* their addresses with an ASN, and in listed CDN/cloud ASNs */
	const struct det_result *anchor;   /* the widest name flux on its own (see is_anchor) */
	fs_time first, last;
};

/* A name flux on its own evidence across many networks and countries: in a zone with fewer
 * names than a zone verdict needs, its siblings are judged with it (a flux operator's zone:
 * the apex and the other names of an advertised domain answer from the same botnet, each
 * seen once or cached). Networks are ASNs, or /16 prefixes without ASN data. */
static bool
is_anchor(const struct detector *d, const struct det_result *r)
{
	if (!det_is_flux(r->verdict) || r->via_zone || r->allowlisted)
		return false;
	uint32_t nets = r->n_asns > 0 ? r->n_asns : r->n_prefixes16;
	return nets >= d->w.zone_anchor_networks &&
	       (r->n_countries == 0 || r->n_countries >= d->w.zone_anchor_countries);
}

/* One zone: aggregate its members' answers and evaluate them as one timeline. */
/* A name without addresses of its own (no answer with addresses: only NXDOMAIN or NODATA
 * answers, or a zone owner seen only in NS records) that its own evidence would flag: what
 * flags it is its zone's nameserver layer, so it is counted in the zone's row instead. An intel
 * hit on the name itself or the allowlist keeps its own verdict. */
static bool
rolls_up(const struct det_result *r)
{
	return r->n_responses == 0 && r->n_addrs == 0 && det_is_flagged(r->verdict) &&
	       !r->intel_hit && !r->allowlisted && r->zone != NULL;
}

/* The zone's members: tallies in *st, every answer of the names that are not guarded copied
 * into *zobs (each name its own sequence), and the member whose NS layer is the richest in
 * *ns_from. Returns the number of observations. */
/* Whether the resolvers that answered a name agree: 1 when two or more resolvers gave it
 * answers of one family and every resolver was given the same set of that family (each
 * resolver fetched it on its own: one set means the authoritative did not rotate it between
 * their fetches), 0 when two resolvers were given different sets, -1 when no family was
 * answered by two resolvers (no evidence either way). */
static int
resolvers_agree(const struct det_input *in)
{
	uint32_t set[2] = { 0, 0 }, res[2] = { 0, 0 };
	bool two[2] = { false, false };

	for (uint32_t i = 0; i < in->n_obs; i++) {
		const struct det_obs *o = &in->obs[i];
		if (o->n_addrs == 0 || o->resolver == 0 || o->set == 0)
			continue;
		int fam = det_obs_family(in, o);
		if (set[fam] == 0) {
			set[fam] = o->set;
			res[fam] = o->resolver;
			continue;
		}
		if (o->resolver != res[fam])
			two[fam] = true;
		if (o->set != set[fam] && o->resolver != res[fam])
			return 0;
	}
	return two[0] || two[1] ? 1 : -1;
}

static size_t
zone_gather(struct detector *d, const struct store *s, const uint32_t *mem, uint32_t nm,
            struct det_obs **zobs, size_t *cap_zobs, struct zstat *stp, store_dom_id *ns_from)
{
	struct zstat st = { 0 };
	struct det_input in;
	size_t n = 0;
	uint32_t ns_best = 0;

	for (uint32_t k = 0; k < nm; k++) {
		const struct det_result *r = &d->res[mem[k]];
		const struct store_domain *dom = store_domain(s, r->dom);
		if (r->n_responses == 0 || dom == NULL)
			continue;
		st.names++;
		st.flagged += det_is_flagged(r->verdict);
		st.flux += det_is_flux(r->verdict);
		st.dbl += r->verdict == DET_DOUBLE_FLUX;
		if (is_anchor(d, r)) {
			st.anchors++;
			if (st.anchor == NULL || r->n_asns > st.anchor->n_asns)
				st.anchor = r;
		}
		if (st.first == 0 || r->first_seen < st.first)
			st.first = r->first_seen;
		if (r->last_seen > st.last)
			st.last = r->last_seen;
		if (guarded(d, r)) {
			st.guarded++;
			continue;
		}
		st.cname += dom->ext->n_cnames > 0 || dom->n_via_cname > 0 ||
		            (dom->dflags & STORE_DOM_CNAME_TARGET) != 0;
		for (uint32_t a = 0; a < dom->ext->n_addrs; a++) {
			const struct det_addr_info *ai = det_addr_info_cb(d, dom->ext->addrs[a].addr);
			if (ai->asn == 0)
				continue;
			st.asn_known++;
			st.asn_listed += det_allow_match_asn(&d->allow, ai->asn) != NULL;
		}
		det_build_input(d, s, r->dom, dom, &in);
		if (in.n_ns > ns_best) {
			ns_best = in.n_ns;
			*ns_from = r->dom;
		}
		if (n + in.n_obs > *cap_zobs) {
			*cap_zobs = (n + in.n_obs) * 2 + 64;
			*zobs = xreallocarray(*zobs, *cap_zobs, sizeof **zobs);
		}
		/* every name is its own sequence: siblings' answers differing is rotation only
		 * through novelty, never a "change" of one name's answer. A name re-asked (again
		 * after its TTL ran out, or by a second resolver) that kept one answer set is a
		 * static host of the zone. */
		bool compared = d->st[r->dom].answers & DOM_COMPARED;
		bool changed = d->st[r->dom].answers & DOM_CHANGED;
		if (compared) {
			st.reasked++;
			st.stable += !changed;
		}
		int agree = resolvers_agree(&in);
		if (compared || agree >= 0) {
			st.reasked_any++;
			st.stable_any += !changed && agree != 0;
			st.rotating += changed || agree == 0;
		}
		st.once += in.n_obs <= 2;
		for (uint32_t i = 0; i < in.n_obs; i++) {
			struct det_obs o = in.obs[i];
			o.seq = (uint32_t)fs_hash64(((uint64_t)r->dom << 32) ^ o.seq);
			(*zobs)[n++] = o;
		}
	}
	*stp = st;
	return n;
}

/* The zone row's context: the allowlist and intel by the zone's name, and the pool or CNAME
 * provider zone most of its names (of `names` with answers) belong to. `what` (what_len
 * bytes, the caller's) receives the intel match's description. */
static void
zone_context(const struct detector *d, const char *zone, const uint32_t *mem, uint32_t nm,
             uint32_t names, char *what, size_t what_len, struct det_context *cx)
{
	memset(cx, 0, sizeof *cx);
	cx->name = zone;
	cx->zone = true;
	cx->allow = det_allow_match_name(&d->allow, zone);
	cx->allow_via = zone;
	if (cx->allow != NULL && (cx->allow->kind == DET_ALLOW_CDN_ASN || cx->allow->kind == DET_ALLOW_CLOUD_ASN))
		cx->allow = NULL;
	const char *m = NULL;
	if ((cx->intel_feed = det_intel_match_name(&d->intel, zone, &m)) != NULL) {
		snprintf(what, what_len, "domain %s", m);
		cx->intel_what = what;
	}
	/* most names siblings of one pool: the zone is the pool's */
	uint32_t in_pool = 0, pidx = 0;
	for (uint32_t k = 0; k < nm; k++) {
		store_dom_id id = d->res[mem[k]].dom;
		if (d->res[mem[k]].n_responses > 0 && id < d->cap_dom && dom_pool(d, id) != 0) {
			in_pool++;
			pidx = dom_pool(d, id);
		}
	}
	if (pidx != 0 && 2 * in_pool >= names) {
		cx->pool_zone = d->pool_signs[pidx - 1].zone;
		cx->pool_sign = d->pool_signs[pidx - 1].sign;
		cx->pool_member = true;
	}
	/* most names in one CNAME provider zone: the zone is the provider's (or its customer's) */
	uint32_t in_prov = 0;
	const char *prov = NULL;
	for (uint32_t k = 0; k < nm; k++) {
		store_dom_id id = d->res[mem[k]].dom;
		if (d->res[mem[k]].n_responses > 0 && id < d->cap_dom && dom_prov(d, id) != NULL) {
			in_prov++;
			prov = dom_prov(d, id);
		}
	}
	if (prov != NULL && 2 * in_prov >= names) {
		const uint32_t *c = fs_map_get(&d->prov_count, hstr(prov));
		cx->provider_zone = prov;
		cx->provider_customers = c ? *c : 0;
	}
}

static void
eval_zone(struct detector *d, const struct store *s, const char *zone, const uint32_t *mem,
          uint32_t nm, uint32_t n_noaddr, store_dom_id noaddr_ns, struct det_obs **zobs,
          size_t *cap_zobs, struct det_result *zr, struct det_terms *terms)
{
	struct zstat st = { 0 };
	struct det_input in;
	struct det_feat f;
	struct det_context cx;
	struct det_eval ev;
	store_dom_id ns_from = 0;

	size_t n = zone_gather(d, s, mem, nm, zobs, cap_zobs, &st, &ns_from);
	/* a zone that has a row only through its names without addresses: their nameservers */
	if (ns_from == 0 && nm < 2 && noaddr_ns != 0)
		ns_from = noaddr_ns;
	if (ns_from != 0) {
		det_build_input(d, s, ns_from, store_domain(s, ns_from), &in);
	} else {
		memset(&in, 0, sizeof in);
		in.info = det_addr_info_cb;
		in.ctx = d;
		in.have_asn = d->geo != NULL && geo_has_asn(d->geo);
		in.have_country = d->geo != NULL && geo_has_country(d->geo);
		in.have_geo = d->geo != NULL;
	}
	if (n > 1)
		qsort(*zobs, n, sizeof **zobs, det_cmp_obs_ts);
	in.obs = *zobs;
	in.n_obs = (uint32_t)n;
	in.is_agent = NULL;
	det_features(d->sc, &in, UINT32_MAX, &f);

	char what[320];
	zone_context(d, zone, mem, nm, st.names, what, sizeof what, &cx);
	det_model_eval(&d->w, &f, &cx, &ev);

	/* Zone gates: enough sibling names, and not a set of static hosts (re-asked names that
	 * kept their answer): a company's www, mail and vpn each on its own network is not flux. */
	bool enough = st.names - st.guarded >= d->w.zone_min_names;
	/* fewer names, one of them an anchor: enough when another name is there to judge */
	bool anchored = !enough && st.anchors > 0 && st.names - st.guarded >= 2;
	/* The names rotate on their own: at least half of the re-asked names (at least one) were
	 * given another set — on a re-fetch after the TTL, or by a second resolver (per-query
	 * rotation at the authoritative) — and answers carry several addresses (a round robin of
	 * one or two addresses an answer is no agent population). */
	bool own_rotation = st.rotating >= 1 && 2 * st.rotating >= st.reasked_any &&
	                    f.max_per_resp >= d->w.breadth_addrs;
	/* … fewer names, but they rotate on their own: the names' novelty is then backed by their
	 * own rotation, not only by siblings on different hosts, which is what the name count
	 * guards against. The spread and static-hosts gates still apply. */
	bool rot_few = !enough && !anchored && st.names - st.guarded >= 2 && own_rotation;
	enough = enough || anchored || rot_few;
	/* Spread across networks, not only many addresses: a thousand one-off names answered
	 * from one hosting block (or from private space) are not flux. */
	bool by_asn = f.n_asn_known > 0 && 2 * f.n_asn_known >= f.n_addrs;
	uint32_t nets = by_asn ? f.n_asns : f.n_p16_fam;
	bool spread = nets >= d->w.zone_min_networks && f.p16_entropy >= d->w.zone_min_entropy &&
	              (f.n_cc_known < 3 || f.n_countries >= d->w.zone_min_countries);
	/* Few networks, but the names themselves rotate there (own_rotation), in networks with
	 * known ASNs that no list names as CDN or cloud, no name of the zone reached through a
	 * CNAME chain and no pool or CNAME provider zone. The spread gate is for static hosts (they
	 * keep their answers) and load balancers (named through CNAMEs, or in listed networks);
	 * a bulletproof hoster's flux is neither, and is judged like any other zone, as a name in
	 * one unlisted network is (model.c). The zone's own evaluation must still say flux
	 * (novelty, breadth), and the static-hosts rule below still applies. */
	bool lb_plausible = st.cname > 0 || cx.provider_zone != NULL || cx.pool_zone != NULL ||
	                    (st.asn_known > 0 && st.asn_listed >= d->w.cdn_asn_share * st.asn_known);
	bool hosted_rotation = !spread && by_asn && !lb_plausible && own_rotation;
	spread = spread || hosted_rotation;
	/* Two resolvers given a name's same set is weaker evidence (a slowly rotating flux name
	 * can give it too): it counts when no name of the zone rotated on its own. */
	uint32_t reasked = st.reasked, stable = st.stable;
	bool static_hosts = reasked > 0 && stable > d->w.zone_max_stable * reasked;
	if (!static_hosts && st.flux == 0 && st.reasked_any > 0 &&
	    st.stable_any > d->w.zone_max_stable * st.reasked_any) {
		static_hosts = true;
		reasked = st.reasked_any;
		stable = st.stable_any;
	}
	enum det_verdict agg = ev.verdict;
	if (det_is_flux(agg) && (!enough || !spread))
		ev.verdict = DET_SUSPICIOUS;
	if (static_hosts && !ev.allowlisted && ev.verdict != DET_CDN)
		ev.verdict = DET_BENIGN;    /* the names keep their answers: static hosts */
	/* A majority of the zone's names flux on their own: the zone fluxes. */
	if (st.flux > 0 && (st.flux == st.names || (st.flux >= 2 && 2 * st.flux >= st.names)) &&
	    !det_is_flux(ev.verdict))
		ev.verdict = st.dbl > 0 ? DET_DOUBLE_FLUX : DET_SINGLE_FLUX;
	else if (det_is_flux(ev.verdict) && st.dbl > 0)
		ev.verdict = DET_DOUBLE_FLUX;
	if (!det_is_flagged(ev.verdict) && !ev.allowlisted && ev.guard == NULL &&
	    (st.flagged > 0 || n_noaddr > 0))
		ev.verdict = DET_SUSPICIOUS;

	struct store_domain zd;
	store_dom_id apex = store_domain_by_name(s, store_name_find(s, zone));
	const struct store_domain *ad = apex ? store_domain(s, apex) : NULL;
	if (ad != NULL)
		zd = *ad;
	else
		zd = (struct store_domain){ .ext = &store_domain_ext_empty };
	zd.first_seen = st.first;
	zd.last_seen = st.last;
	det_fill_result(d, s, apex, &zd, &f, &cx, &ev, zr, terms);
	zr->name = zone;
	zr->zone = zone;
	zr->registrable = d->psl ? dns_psl_registrable(d->psl, zone) : NULL;
	if (zr->registrable == NULL)
		zr->registrable = zone;
	zr->is_zone = true;
	zr->zone_verdict = ev.verdict;
	zr->zone_names = st.names;
	zr->zone_flagged = st.flagged;
	zr->zone_flux = st.flux;
	zr->zone_no_addr = n_noaddr;
	zr->zone_anchored = (anchored || rot_few) && det_is_flux(ev.verdict);
	{
		char conf[256];
		snprintf(conf, sizeof conf, "from %u %s, %s", st.names, st.names == 1 ? "name" : "names",
		         zr->confidence + (strncmp(zr->confidence, "from ", 5) == 0 ? 5 : 0));
		conf[127] = '\0';    /* at most 127 characters, as every confidence */
		zr->confidence = det_share_str(d->share, xstrdup(conf));
	}

	/* the zone's own summary first */
	char *line = fmt("zone of %u %s with answers (%u asked at most twice): %u flux and %u flagged "
	                 "on their own%s",
	                 st.names, st.names == 1 ? "name" : "names", st.once, st.flux, st.flagged,
	                 st.guarded ? ", some guarded as CDN or pool and left out" : "");
	if (det_is_flux(agg) && hosted_rotation && enough && !static_hosts)
		prepend_reason(zr, fmt("its answers in %u %s only, but its names rotate there (%u of "
		                       "%u re-asked names given another set, on a re-fetch or by a "
		                       "second resolver), in networks no list names as CDN or cloud "
		                       "and reached through no CNAME: hosted flux, not a load balancer",
		                       nets, nets == 1 ? "ASN" : "ASNs", st.rotating, st.reasked_any));
	if (det_is_flux(agg) && anchored && spread && !static_hosts)
		prepend_reason(zr, fmt("%u names with answers, fewer than a zone verdict needs (%.0f), "
		                       "but %s is flux on its own across %u %s in %u %s",
		                       st.names - st.guarded, d->w.zone_min_names, st.anchor->name,
		                       st.anchor->n_asns > 0 ? st.anchor->n_asns : st.anchor->n_prefixes16,
		                       st.anchor->n_asns > 0 ? "ASNs" : "/16 prefixes",
		                       st.anchor->n_countries,
		                       st.anchor->n_countries == 1 ? "country" : "countries"));
	else if (det_is_flux(agg) && !enough)
		prepend_reason(zr, fmt("flux-like across its names, but a zone verdict needs %.0f names "
		                       "with answers", d->w.zone_min_names));
	else if (det_is_flux(agg) && rot_few && spread && !static_hosts)
		prepend_reason(zr, fmt("%u names with answers, fewer than a zone verdict needs (%.0f), "
		                       "but they rotate on their own: %u of %u re-asked %s given another "
		                       "set", st.names - st.guarded, d->w.zone_min_names, st.rotating,
		                       st.reasked_any, st.reasked_any == 1 ? "name" : "names"));
	else if (det_is_flux(agg) && !spread)
		prepend_reason(zr, fmt("many addresses across its names, but in %u %s (normalised /16 "
		                       "entropy %.2f) and %u %s: one network's hosts, not flux agents",
		                       nets, by_asn ? "ASNs" : "/16 prefixes", f.p16_entropy,
		                       f.n_countries, f.n_countries == 1 ? "country" : "countries"));
	else if (static_hosts)
		prepend_reason(zr, fmt("%u of %u re-asked names kept their answer: static hosts, not "
		                       "rotation", stable, reasked));
	if (n_noaddr > 0)
		prepend_reason(zr, fmt("%u %s without addresses (only NXDOMAIN/NODATA answers, or NS "
		                       "records alone) rolled up here: the zone's nameserver layer "
		                       "flagged %s, not answers of %s own",
		                       n_noaddr, n_noaddr == 1 ? "name" : "names",
		                       n_noaddr == 1 ? "it" : "them", n_noaddr == 1 ? "its" : "their"));
	prepend_reason(zr, line);
	if (det_is_flux(ev.verdict)) {
		uint32_t k = det_is_flux(agg) ? det_first_prefix(d, &in, &cx, true) : 0;
		if (k > 0) {
			zr->first_flux = in.obs[k - 1].ts;
			zr->first_flux_resp = k;
		}
	}
}

/* Hand a flux zone's verdict to its names that have answers and no stronger verdict. */
static void
inherit(struct detector *d, const struct store *s, const struct det_result *zr,
        struct det_result *r)
{
	const struct store_domain *dom = store_domain(s, r->dom);
	r->zone_verdict = zr->verdict;
	r->zone_names = zr->zone_names;
	/* a name asked again after its TTL ran out and given the same set is a static host of
	 * the zone: it keeps its own verdict; in a zone flux only through its anchor or its names'
	 * own rotation (few names), so does a name given one answer set every time it was asked */
	bool stable = r->n_rrsets == 1 && (r->ttl_periods >= 2 ||
	                                   (zr->zone_anchored && r->n_responses >= 2));
	/* The nameserver layer belongs to the zone: a flux name of a double-flux zone is double
	 * flux even when its own short view of the NS layer scored lower. */
	if (zr->verdict == DET_DOUBLE_FLUX && r->verdict == DET_SINGLE_FLUX) {
		r->verdict = DET_DOUBLE_FLUX;
		r->via_zone = true;
		prepend_reason(r, det_share_str(d->share, fmt("double flux through its zone %s: the "
		               "zone's nameservers rotate (%s)", zr->name, zr->confidence)));
		return;
	}
	if (!det_is_flux(zr->verdict) || det_is_flux(r->verdict) || guarded(d, r) || stable ||
	    r->n_responses == 0 || dom == NULL)
		return;
	r->verdict = zr->verdict;
	r->via_zone = true;
	/* a domain result's sentences are shared ones (share.c) */
	prepend_reason(r, det_share_str(d->share, fmt("part of %s zone %s (%u names with answers, "
	               "%u flux on their own; %s)", det_verdict_name(zr->verdict), zr->name,
	               zr->zone_names, zr->zone_flux, zr->confidence)));
	/* flux as soon as both the zone was flux and this name had answered */
	fs_time t = zr->first_flux > r->first_seen ? zr->first_flux : 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < dom->n_resp; i++) {
		if (dom->resp[i].aset == 0 || dom->resp[i].rcode != 0)
			continue;
		k++;
		if (dom->resp[i].ts >= t) {
			r->first_flux = dom->resp[i].ts;
			r->first_flux_resp = k;
			break;
		}
	}
	if (r->first_flagged == 0 || (r->first_flux != 0 && r->first_flux < r->first_flagged)) {
		r->first_flagged = r->first_flux;
		r->first_flagged_resp = r->first_flux_resp;
	}
	(void)d;
}

/* A name without addresses: counted in its zone's row, not flagged on its own. */
static void
roll_up(struct detector *d, const struct det_result *zr, struct det_result *r)
{
	r->zone_verdict = zr->verdict;
	r->zone_names = zr->zone_names;
	r->verdict = DET_BENIGN;
	r->rolled_up = true;
	r->first_flagged = 0;
	r->first_flagged_resp = 0;
	r->first_flagged_ttls = 0;
	/* a domain result's sentences are shared ones (share.c) */
	prepend_reason(r, det_share_str(d->share, fmt("counted in zone %s (%s, %u %s without "
	               "addresses): its nameserver layer, not an answer of this name, is the "
	               "evidence", zr->name, det_verdict_name(zr->verdict), zr->zone_no_addr,
	               zr->zone_no_addr == 1 ? "name" : "names")));
}

/* The zone rows' evaluations, row k in d->zres[k]: each reads the results, the store and the
 * detector's tables and writes its own row, so on det->threads threads (workers' copies of
 * the detector, a row at a time) the rows are those of one thread. */
struct zone_rows {
	const struct store *s;
	const char **zname;
	const uint32_t *mem, *start, *cnt, *noaddr;
	const store_dom_id *noaddr_ns;
	uint32_t *rows;            /* row k's zone */
	struct detector *d;        /* the rows' owner */
	_Atomic size_t next;
};

struct zone_worker {
	struct detector w;
	struct zone_rows *j;
};

static void *
zone_worker_run(void *arg)
{
	struct zone_worker *zw = arg;
	struct zone_rows *j = zw->j;
	struct det_obs *zobs = NULL;
	size_t cap_zobs = 0, k;

	while ((k = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->d->n_zres) {
		uint32_t z = j->rows[k];
		eval_zone(&zw->w, j->s, j->zname[z], j->mem + j->start[z], j->cnt[z], j->noaddr[z],
		          j->noaddr_ns[z], &zobs, &cap_zobs, &j->d->zres[k],
		          &j->d->zterm_pool[k]);
	}
	free(zobs);
	return NULL;
}

static void
zones_eval(struct detector *d, struct zone_rows *j)
{
	int n = d->threads < 2 || d->n_zres < 8 ? 1 : d->threads;   /* a few rows: one thread */

	if ((size_t)n > d->n_zres)
		n = (int)d->n_zres;
	j->d = d;
	atomic_init(&j->next, 0);
	if (n <= 1) {
		struct det_obs *zobs = NULL;
		size_t cap_zobs = 0;
		for (size_t k = 0; k < d->n_zres; k++) {
			uint32_t z = j->rows[k];
			eval_zone(d, j->s, j->zname[z], j->mem + j->start[z], j->cnt[z], j->noaddr[z],
			          j->noaddr_ns[z], &zobs, &cap_zobs, &d->zres[k],
			          &d->zterm_pool[k]);
		}
		free(zobs);
		return;
	}
	struct zone_worker *zw = xcalloc((size_t)n, sizeof *zw);
	for (int i = 0; i < n; i++) {
		det_worker_init(d, &zw[i].w);
		zw[i].j = j;
	}
	det_run_workers(zone_worker_run, zw, sizeof *zw, n);
	for (int i = 0; i < n; i++)
		det_worker_fini(d, &zw[i].w);
	free(zw);
}

void
det_zone_run(struct detector *d, const struct store *s)
{
	struct fs_map idx;
	uint32_t *zof = xcalloc(d->n_res + 1, sizeof *zof);
	uint32_t *cnt, *start, *mem;
	uint32_t nz = 0;

	free_zrows(d);
	fs_map_init(&idx);
	for (size_t i = 0; i < d->n_res; i++) {
		const char *z = det_code_res(d, d->order[i])->zone;   /* slots in id order */
		bool fresh;
		if (z == NULL)
			continue;
		uint32_t *slot = fs_map_put(&idx, hstr(z), &fresh);
		if (fresh)
			*slot = ++nz;
		zof[i] = *slot;
	}
	cnt = xcalloc(nz + 2, sizeof *cnt);
	start = xcalloc(nz + 2, sizeof *start);
	mem = xcalloc(d->n_res + 1, sizeof *mem);
	uint32_t *noaddr = xcalloc(nz + 2, sizeof *noaddr);      /* names that roll up, per zone */
	store_dom_id *noaddr_ns = xcalloc(nz + 2, sizeof *noaddr_ns); /* the one with most NS */
	uint32_t *noaddr_nsn = xcalloc(nz + 2, sizeof *noaddr_nsn);
	for (size_t i = 0; i < d->n_res; i++) {
		const struct det_result *r = det_code_res(d, d->order[i]);
		if (zof[i] && r->n_responses > 0)
			cnt[zof[i]]++;
		if (zof[i] && rolls_up(r)) {
			store_dom_id id = det_code_dom(d, d->order[i]);
			const struct store_domain *dom = store_domain(s, id);
			noaddr[zof[i]]++;
			if (dom != NULL && (noaddr_ns[zof[i]] == 0 || dom->ext->n_ns > noaddr_nsn[zof[i]])) {
				noaddr_ns[zof[i]] = id;
				noaddr_nsn[zof[i]] = dom->ext->n_ns;
			}
		}
	}
	uint32_t nrows = 0;
	for (uint32_t z = 1; z <= nz; z++) {
		start[z + 1] = start[z] + cnt[z];
		nrows += cnt[z] >= 2 || noaddr[z] > 0;
	}
	memset(cnt, 0, (nz + 2) * sizeof *cnt);
	/* members: names with answers, never compact (d->order holds their index into d->res) */
	for (size_t i = 0; i < d->n_res; i++)
		if (zof[i] && det_code_res(d, d->order[i])->n_responses > 0)
			mem[start[zof[i]] + cnt[zof[i]]++] = d->order[i];

	if (nrows > d->cap_zres) {
		d->cap_zres = nrows;
		d->zres = xreallocarray(d->zres, d->cap_zres, sizeof *d->zres);
	}
	if (nrows > d->cap_zterms) {
		d->cap_zterms = nrows;
		d->zterm_pool = xreallocarray(d->zterm_pool, d->cap_zterms, sizeof *d->zterm_pool);
	}
	uint32_t *row_of = xcalloc(nz + 2, sizeof *row_of);
	const char **zname = xcalloc(nz + 2, sizeof *zname);
	for (size_t i = 0; i < d->n_res; i++)
		if (zof[i] && zname[zof[i]] == NULL)
			zname[zof[i]] = det_code_res(d, d->order[i])->zone;
	struct zone_rows zj = {
		.s = s, .zname = zname, .mem = mem, .start = start, .cnt = cnt, .noaddr = noaddr,
		.noaddr_ns = noaddr_ns, .rows = xcalloc(nrows + 1, sizeof *zj.rows),
	};
	for (uint32_t z = 1; z <= nz; z++)
		if (cnt[z] >= 2 || noaddr[z] > 0) {
			zj.rows[d->n_zres] = z;
			row_of[z] = (uint32_t)++d->n_zres;
		}
	zones_eval(d, &zj);
	free(zj.rows);
	/* a compact name's template once: its names are in one zone and alike */
	det_slot_reset(d);
	for (size_t i = 0; i < d->n_res; i++) {
		struct det_result *r = det_slot_once(d, i);
		if (r == NULL)
			continue;
		r->zone_verdict = DET_BENIGN;
		if (zof[i] && row_of[zof[i]]) {
			const struct det_result *zr = &d->zres[row_of[zof[i]] - 1];
			if (rolls_up(r))
				roll_up(d, zr, r);
			else
				inherit(d, s, zr, r);
		}
	}
	free(zname);
	free(noaddr);
	free(noaddr_ns);
	free(noaddr_nsn);
	if (d->n_zres > 1)
		qsort(d->zres, d->n_zres, sizeof *d->zres, det_rank_cmp);
	fs_map_clear(&d->zone_idx);
	for (size_t i = 0; i < d->n_zres; i++) {
		bool fresh;
		d->zres[i].rank = (uint32_t)i + 1;
		*fs_map_put(&d->zone_idx, hstr(d->zres[i].name), &fresh) = (uint32_t)i + 1;
	}
	free(row_of);
	free(cnt);
	free(start);
	free(mem);
	free(zof);
	fs_map_fini(&idx);
}

size_t
det_zone_count(const struct detector *d)
{
	return d->n_zres;
}

const struct det_result *
det_zone_get(const struct detector *d, size_t i)
{
	return i < d->n_zres ? &d->zres[i] : NULL;
}

const struct det_result *
det_zone_find(const struct detector *d, const char *zone)
{
	const uint32_t *i = zone != NULL ? fs_map_get(&d->zone_idx, hstr(zone)) : NULL;
	if (i == NULL || strcmp(d->zres[*i - 1].name, zone) != 0)
		return NULL;
	return &d->zres[*i - 1];
}

/* Every zone row's names in rank order, as counting sort of the results by their row. */
static void
zmem_build(const struct detector *d, struct det_zone_members *zm)
{
	uint32_t *row = xreallocarray(NULL, d->n_res ? d->n_res : 1, sizeof *row);
	struct det_result buf;

	zm->start = xcalloc(d->n_zres + 2, sizeof *zm->start);
	for (size_t i = 0; i < d->n_res; i++) {
		const struct det_result *r = det_view(d, i, &buf);
		const struct det_result *z = det_zone_find(d, r->zone);
		row[i] = z != NULL ? (uint32_t)(z - d->zres) + 1 : 0;
		if (row[i] != 0)
			zm->start[row[i] + 1]++;
	}
	for (size_t k = 1; k <= d->n_zres; k++)
		zm->start[k + 1] += zm->start[k];
	zm->idx = xreallocarray(NULL, zm->start[d->n_zres + 1] ? zm->start[d->n_zres + 1] : 1,
	                        sizeof *zm->idx);
	for (size_t i = 0; i < d->n_res; i++)       /* rank order kept within each row */
		if (row[i] != 0)
			zm->idx[zm->start[row[i]]++] = (uint32_t)i;
	/* start[k + 1] has moved from row k + 1's beginning to row k's end (their beginnings were
	 * one place up): row k is [start[k], start[k + 1]) */
	free(row);
	zm->built = true;
}

const uint32_t *
det_zone_members(const struct detector *d, size_t i, size_t *n)
{
	struct det_zone_members *zm = d->zmem;
	const uint32_t *out;

	*n = 0;
	if (i >= d->n_zres)
		return NULL;
	pthread_mutex_lock(&zm->mu);
	if (!zm->built)
		zmem_build(d, zm);
	out = zm->idx + zm->start[i];
	*n = zm->start[i + 1] - zm->start[i];
	pthread_mutex_unlock(&zm->mu);
	return out;
}
