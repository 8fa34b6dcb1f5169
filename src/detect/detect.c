/* The detector: reads the store into the feature code's arrays, scores every domain in two
 * passes (the second knows which addresses belong to flagged domains: agent overlap, shared
 * infrastructure, clusters), replays flagged timelines to find when each was first flagged,
 * and groups domains by registrable domain (libpsl). */
#include "fluxscope/detect.h"

#include "fluxscope/decode.h"   /* dns_psl_*: the Public Suffix List */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect_int.h"
#include "fluxscope/log.h"


/* ---- names and small things --------------------------------------------------------------- */

static bool
file_exists(const char *p)
{
	return access(p, R_OK) == 0;
}

const char *
det_share_path(const char *file, char *buf, size_t len)
{
	const char *env = getenv("FLUXSCOPE_SHARE");
	char exe[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0') {
		snprintf(buf, len, "%s/%s", env, file);
		if (file_exists(buf))
			return buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up <= 4; up++) {
		char *slash = strrchr(exe, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		const char *dir = exe[0] ? exe : "/";
		snprintf(buf, len, "%s/share/fluxscope/%s", dir, file);
		if (file_exists(buf))
			return buf;
		snprintf(buf, len, "%s/share/%s", dir, file);
		if (file_exists(buf))
			return buf;
	}
	return NULL;
}

/* ---- compact results (names that never had an address; detect_int.h: det_compacts) -------- */

static void
compact_init(struct detector *d)
{
	struct det_compacts *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	fs_map_init(&c->tmpl_idx);
	fs_map_init(&c->cluster);
	fs_map_init(&c->mat_idx);
	d->cmp = c;
}

#define MAT_CHUNK 256           /* materialised results per chunk */

/* Forget the run's compact names, templates and materialised results (memory kept). */
static void
compact_clear(struct detector *d)
{
	struct det_compacts *c = d->cmp;
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_tmpl; i++)
		free(c->tmpl[i].reasons);
	c->n_tmpl = c->n = 0;
	c->n_mat = 0;
	fs_map_clear(&c->tmpl_idx);
	fs_map_clear(&c->cluster);
	fs_map_clear(&c->mat_idx);
}

static void
compact_fini(struct detector *d)
{
	struct det_compacts *c = d->cmp;
	if (c == NULL)
		return;
	compact_clear(d);
	free(c->c);
	free(c->tmpl);
	free(c->visited);
	for (size_t i = 0; i < c->n_mat_chunks; i++)
		free(c->mat[i]);
	free(c->mat);
	fs_map_fini(&c->tmpl_idx);
	fs_map_fini(&c->cluster);
	fs_map_fini(&c->mat_idx);
	pthread_mutex_destroy(&c->mu);
	free(c);
	d->cmp = NULL;
}

/* A name kept compact: no answer with addresses, no address or NS record of its own. Its
 * result then has no responses, addresses or timeline (time to flag is never computed) and
 * its nameserver layer is its zone's, so names of one zone asked alike share a template. */
static bool
compact_eligible(const struct store_domain *dom)
{
	if (dom->ext->n_addrs != 0 || dom->ext->n_ns != 0)
		return false;
	for (uint32_t i = 0; i < dom->n_resp; i++)
		if (dom->resp[i].aset != 0 && dom->resp[i].rcode == 0)
			return false;
	return true;
}

/* A result with the fields a name has of its own cleared (a template's key). The result came
 * from det_fill_result, which clears the whole struct first, so padding compares equal. Its
 * registrable domain and zone are compared by their text (they point into each name's own
 * string): the template keeps one name's, compact_fill the name's own (det_reg, det_zname). */
static void
compact_key(struct det_result *r)
{
	r->dom = 0;
	r->name = NULL;
	r->first_seen = r->last_seen = 0;
	r->rank = 0;
	r->cluster = r->cluster_size = 0;
}

static uint64_t
compact_hash(const struct det_result *k)
{
	struct det_result x;
	memcpy(&x, k, sizeof x);
	x.reasons = NULL;
	x.registrable = x.zone = NULL;
	uint64_t h = fs_hash_bytes(&x, sizeof x);
	if (k->registrable != NULL)
		h = fs_hash64(h ^ fs_hash_bytes(k->registrable, strlen(k->registrable)));
	if (k->zone != NULL)
		h = fs_hash64(h ^ fs_hash_bytes(k->zone, strlen(k->zone)) ^ 1);
	for (int i = 0; i < k->n_reasons; i++)
		h = fs_hash64(h ^ (uint64_t)(uintptr_t)k->reasons[i]);  /* shared sentences */
	return h == FS_MAP_EMPTY ? h - 1 : h;
}

static bool
compact_same(const struct det_result *a, const struct det_result *b)
{
	struct det_result x, y;
	if (a->n_reasons != b->n_reasons)
		return false;
	for (int i = 0; i < a->n_reasons; i++)
		if (a->reasons[i] != b->reasons[i])
			return false;
	if ((a->registrable == NULL) != (b->registrable == NULL) ||
	    (a->registrable != NULL && strcmp(a->registrable, b->registrable) != 0) ||
	    (a->zone == NULL) != (b->zone == NULL) ||
	    (a->zone != NULL && strcmp(a->zone, b->zone) != 0))
		return false;
	memcpy(&x, a, sizeof x);
	memcpy(&y, b, sizeof y);
	x.reasons = y.reasons = NULL;
	x.registrable = y.registrable = x.zone = y.zone = NULL;
	return memcmp(&x, &y, sizeof x) == 0;
}

/* Pass 2 (any worker): keep the result r of compact name k as that record and a template;
 * takes r's reasons array. */
static void
compact_put(struct detector *d, uint32_t k, struct det_result *r)
{
	struct det_compacts *c = d->cmp;
	struct det_compact rec = { .name = r->name, .first_seen = r->first_seen,
	                           .last_seen = r->last_seen, .dom = r->dom };
	compact_key(r);
	uint64_t h = compact_hash(r);
	pthread_mutex_lock(&c->mu);
	for (;; h = h + 1 == FS_MAP_EMPTY ? 0 : h + 1) {
		bool fresh;
		uint32_t *slot = fs_map_put(&c->tmpl_idx, h, &fresh);
		if (!fresh) {
			if (!compact_same(&c->tmpl[*slot - 1], r))
				continue;           /* another template with this hash: the next key */
			rec.tmpl = *slot - 1;
			free(r->reasons);
			break;
		}
		if (c->n_tmpl == c->cap_tmpl) {
			c->cap_tmpl = c->cap_tmpl ? c->cap_tmpl * 2 : 64;
			c->tmpl = xreallocarray(c->tmpl, c->cap_tmpl, sizeof *c->tmpl);
		}
		memcpy(&c->tmpl[c->n_tmpl], r, sizeof *r);
		rec.tmpl = (uint32_t)c->n_tmpl++;
		*slot = rec.tmpl + 1;
		break;
	}
	pthread_mutex_unlock(&c->mu);
	c->c[k] = rec;
}

/* The full result of the compact name at rank i into *out. */
static void
compact_fill(const struct detector *d, size_t i, struct det_result *out)
{
	const struct det_compacts *c = d->cmp;
	uint32_t k = d->order[i] & ~DET_CODE_COMPACT;
	const struct det_compact *rec = &c->c[k];
	const uint32_t *cl;

	memcpy(out, &c->tmpl[rec->tmpl], sizeof *out);
	out->dom = rec->dom;
	out->name = rec->name;
	out->first_seen = rec->first_seen;
	out->last_seen = rec->last_seen;
	/* as det_fill_result: the name's own strings of the equal text the template holds */
	store_dom_id id = rec->dom;
	out->registrable = det_reg(d, id, out->name) != NULL ? det_reg(d, id, out->name) : out->name;
	out->zone = det_zname(d, id, out->name) != NULL ? det_zname(d, id, out->name) : out->registrable;
	out->rank = (uint32_t)i + 1;
	if ((cl = fs_map_get(&c->cluster, k)) != NULL) {
		out->cluster = *cl;
		out->cluster_size = *fs_map_get(&c->cluster, ((uint64_t)1 << 40) | k);
	}
}

/* det_get of a compact name: materialised once per run, under the mutex (front ends on any
 * thread). */
static const struct det_result *
compact_get(const struct detector *d, size_t i)
{
	struct det_compacts *c = d->cmp;
	struct det_result *r;
	bool fresh;

	pthread_mutex_lock(&c->mu);
	uint32_t *slot = fs_map_put(&c->mat_idx, i, &fresh);
	if (!fresh) {
		r = &c->mat[(*slot - 1) / MAT_CHUNK][(*slot - 1) % MAT_CHUNK];
	} else {
		size_t m = c->n_mat++;
		if (m / MAT_CHUNK >= c->n_mat_chunks) {
			c->mat = xreallocarray(c->mat, c->n_mat_chunks + 1, sizeof *c->mat);
			c->mat[c->n_mat_chunks++] = xmalloc(MAT_CHUNK * sizeof **c->mat);
		}
		r = &c->mat[m / MAT_CHUNK][m % MAT_CHUNK];
		compact_fill(d, i, r);
		*slot = (uint32_t)m + 1;
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

/* The fields det_rank_cmp compares of a code's result (a compact name's from its template and
 * record). Keep in step with det_rank_cmp. */
static const struct det_result *
rank_view(const struct detector *d, uint32_t code, struct det_result *tmp)
{
	if (!(code & DET_CODE_COMPACT))
		return &d->res[code];
	const struct det_compact *rec = &d->cmp->c[code & ~DET_CODE_COMPACT];
	const struct det_result *t = &d->cmp->tmpl[rec->tmpl];
	tmp->logit = t->logit;
	tmp->verdict = t->verdict;
	tmp->n_responses = t->n_responses;
	tmp->n_rrsets = t->n_rrsets;
	tmp->n_addrs = t->n_addrs;
	tmp->n_prefixes24 = t->n_prefixes24;
	tmp->n_asns = t->n_asns;
	tmp->n_ns_names = t->n_ns_names;
	tmp->name = rec->name;
	tmp->dom = rec->dom;
	return tmp;
}

static _Thread_local const struct detector *sort_det;

static int
cmp_code(const void *a, const void *b)
{
	struct det_result x, y;
	return det_rank_cmp(rank_view(sort_det, *(const uint32_t *)a, &x),
	                    rank_view(sort_det, *(const uint32_t *)b, &y));
}

void
det_slot_reset(struct detector *d)
{
	struct det_compacts *c = d->cmp;
	if (c->n_tmpl > c->cap_visited) {
		c->cap_visited = c->n_tmpl;
		c->visited = xrealloc(c->visited, c->cap_visited);
	}
	if (c->n_tmpl > 0)
		memset(c->visited, 0, c->n_tmpl);
}

struct det_result *
det_slot_once(struct detector *d, size_t j)
{
	uint32_t code = d->order[j];
	if (code & DET_CODE_COMPACT) {
		uint32_t t = d->cmp->c[code & ~DET_CODE_COMPACT].tmpl;
		if (d->cmp->visited[t])
			return NULL;
		d->cmp->visited[t] = 1;
	}
	return det_code_res(d, code);
}

/* ---- construction ------------------------------------------------------------------------- */

fs_status
det_new(const struct det_config *cfg, struct geo *geo, struct detector **out, struct fs_err *err)
{
	struct det_config none = { 0 };
	struct detector *d = xcalloc(1, sizeof *d);
	char path[PATH_MAX];
	fs_status st;

	*out = NULL;
	if (cfg == NULL)
		cfg = &none;
	d->geo = geo;
	det_weights_default(&d->w);
	det_allow_init(&d->allow);
	det_intel_init(&d->intel);
	fs_map_init(&d->tmp);
	fs_map_init(&d->cdn_prefix);
	fs_map_init(&d->cdn_net);
	fs_map_init(&d->prov_count);
	fs_map_init(&d->pool_zone);
	fs_map_init(&d->prov);
	fs_map_init(&d->pool_member);
	fs_map_init(&d->zone_idx);
	d->zmem = xcalloc(1, sizeof *d->zmem);
	pthread_mutex_init(&d->zmem->mu, NULL);

	const char *wp = cfg->weights_path;
	if (wp == NULL)
		wp = det_share_path("detect.conf", path, sizeof path);
	if (wp != NULL) {
		if ((st = det_weights_load(&d->w, wp, err)) != FS_OK)
			goto fail;
		d->weights_src = xstrdup(wp);
	} else
		d->weights_src = xstrdup("built-in defaults (no detect.conf found)");
	d->w_used = xcalloc(2, sizeof *d->w_used);
	for (int t = 0; t < DET_N_TERMS; t++) {
		d->w_used[0][t] = d->w.w[t];
		d->w_used[1][t] = isnan(d->w.w_noasn[t]) ? d->w.w[t] : d->w.w_noasn[t];
	}

	if (!cfg->no_default_allowlist) {
		const char *ap = cfg->allowlist_path;
		if (ap == NULL)
			ap = det_share_path("allowlist.conf", path, sizeof path);
		if (ap != NULL) {
			if ((st = det_allow_load(&d->allow, ap, err)) != FS_OK)
				goto fail;
			d->allow_src = xstrdup(ap);
			d->have_allow = true;
		}
	}
	for (int i = 0; i < cfg->n_allowlists; i++) {
		if ((st = det_allow_load(&d->allow, cfg->allowlists[i], err)) != FS_OK)
			goto fail;
		d->have_allow = true;
	}
	for (int i = 0; i < cfg->n_intel; i++) {
		if ((st = det_intel_load(&d->intel, cfg->intel[i], err)) != FS_OK)
			goto fail;
	}
	d->psl = dns_psl_open();
	d->sc = det_scratch_new();
	d->threads = fs_threads();
	d->share = xmalloc(sizeof *d->share);
	det_share_init(d->share);
	compact_init(d);
	const char *full = getenv("FLUXSCOPE_DET_FULL");   /* debugging: every run from scratch */
	d->incr_off = full != NULL && *full != '\0' && strcmp(full, "0") != 0;
	*out = d;
	return FS_OK;
fail:
	det_free(d);
	return st;
}

static void
free_results(struct detector *d)
{
	/* the sentences and terms are the shared ones (share.c), freed all at once */
	for (size_t i = 0; i < d->n_full; i++)
		free(d->res[i].reasons);
	d->n_res = d->n_full = 0;
	compact_clear(d);
	if (d->share != NULL)
		det_share_clear(d->share);
	free(d->groups);
	d->groups = NULL;
	d->n_groups = 0;
}

void
det_free(struct detector *d)
{
	if (d == NULL)
		return;
	free_results(d);
	det_incr_free(d);
	free(d->w_used);
	free(d->res);
	compact_fini(d);
	free(d->order);
	free(d->ids);
	free(d->by_dom);
	if (d->share != NULL)
		det_share_fini(d->share);
	free(d->share);
	free(d->st);
	free(d->agent_since);
	fs_map_fini(&d->cdn_prefix);
	fs_map_fini(&d->cdn_net);
	det_zone_free(d);
	free(d->ainfo);
	free(d->ainfo_ok);
	free(d->obs);
	free(d->nso);
	free(d->nsa);
	fs_map_fini(&d->tmp);
	det_scratch_free(d->sc);
	det_allow_fini(&d->allow);
	det_intel_fini(&d->intel);
	if (d->psl != NULL)
		dns_psl_free(d->psl);
	free(d->weights_src);
	free(d->allow_src);
	free(d);
}

/* ---- address info --------------------------------------------------------------------------- */

/* The cache entry of an address, looked up on first use (owner thread only). */
static const struct det_addr_info *
ainfo_fill(struct detector *d, uint32_t id)
{
	if (id >= d->cap_ainfo) {
		size_t n = d->cap_ainfo ? d->cap_ainfo : 1024;
		while (n <= id)
			n *= 2;
		d->ainfo = xreallocarray(d->ainfo, n, sizeof *d->ainfo);
		d->ainfo_ok = xrealloc(d->ainfo_ok, n);
		memset(d->ainfo_ok + d->cap_ainfo, 0, n - d->cap_ainfo);
		d->cap_ainfo = n;
	}
	struct det_addr_info *ai = &d->ainfo[id];
	if (!d->ainfo_ok[id]) {
		const struct store_addr *sa = store_addr(d->s, id);
		memset(ai, 0, sizeof *ai);
		if (sa != NULL)
			ai->addr = sa->addr;
		if (d->geo != NULL && sa != NULL) {
			const struct geo_info *g = geo_lookup_id(d->geo, d->s, id, &sa->addr);
			if (g->found) {
				ai->asn = g->asn;
				memcpy(ai->cc, g->country, sizeof ai->cc);
				ai->has_loc = g->has_location;
				ai->geo = g;
			}
		}
		/* A free slot (store_expire freed the address) is looked up again next time: the
		 * store gives its id to the next new address, within the same epoch. */
		d->ainfo_ok[id] = sa != NULL;
	}
	return ai;
}

/* An address's info for the features; the run's flags say what the domains looked at had
 * (set on every use, so a cache kept from an earlier run counts too). A worker's copy only
 * reads the cache, which det_run filled for every address of the store beforehand. */
static const struct det_addr_info *
addr_info(void *ctx, uint32_t id)
{
	struct detector *d = ctx;
	static const struct det_addr_info none;
	const struct det_addr_info *ai;

	if (d->worker)
		ai = id < d->cap_ainfo && d->ainfo_ok[id] ? &d->ainfo[id] : &none;
	else
		ai = ainfo_fill(d, id);
	if (ai->asn)
		d->run_have_asn = true;
	if (ai->cc[0])
		d->run_have_cc = true;
	if (ai->has_loc)
		d->run_have_geo = true;
	return ai;
}

const struct det_addr_info *
det_addr_info_cb(void *ctx, uint32_t id)
{
	return addr_info(ctx, id);
}

static bool
is_agent(void *ctx, uint32_t addr, fs_time until)
{
	struct detector *d = ctx;
	return addr < d->cap_agent && d->agent_since[addr] != 0 && d->agent_since[addr] <= until;
}

/* ---- store → feature input ------------------------------------------------------------------ */

int
det_cmp_obs_ts(const void *a, const void *b)
{
	const struct det_obs *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return 0;
}

bool
det_zone_usable(const struct detector *d, const char *zone)
{
	/* NS sets of public suffixes (com, co.uk) say nothing about one domain. */
	return zone != NULL && *zone != '\0' && strcmp(zone, ".") != 0 &&
	       (d->psl == NULL || !dns_psl_public_suffix(d->psl, zone));
}

void
det_build_input(struct detector *d, const struct store *s, store_dom_id id,
            const struct store_domain *dom, struct det_input *in)
{
	uint32_t n = 0;
	bool sorted = true;

	memset(in, 0, sizeof *in);
	/* the features read the address cache's entry of every address the domain had, in no
	 * order the cache keeps: start loading them now */
	for (uint32_t i = 0; i < dom->ext->n_addrs; i++)
		if (dom->ext->addrs[i].addr < d->cap_ainfo)
			__builtin_prefetch(&d->ainfo[dom->ext->addrs[i].addr]);
	if (dom->n_resp > d->cap_obs) {
		d->cap_obs = dom->n_resp + 64;
		d->obs = xreallocarray(d->obs, d->cap_obs, sizeof *d->obs);
	}
	for (uint32_t i = 0; i < dom->n_resp; i++) {
		const struct store_response *r = &dom->resp[i];
		uint32_t nm = 0;
		const uint32_t *m;
		if (r->aset == 0 || r->rcode != 0)
			continue;
		m = store_set_members(s, r->aset, &nm);
		if (m == NULL || nm == 0)
			continue;
		struct det_obs *o = &d->obs[n++];
		o->ts = r->ts;
		o->addrs = m;
		o->n_addrs = nm;
		o->ttl = r->ttl_max;
		/* The vantage whose view an answer is: the recursive resolver that answered a client,
		 * or, for an authoritative answer seen upstream, the resolver that asked (GeoDNS
		 * answers by the asker's location). Rotation compares answers per vantage, server
		 * and query type. */
		uint32_t vantage = (r->flags & STORE_RESP_AA) ? r->client : r->resolver;
		/* A feed names who saw the answer (resolvers on one address are still several) */
		if (r->vantage != 0)
			vantage = 0x40000000u | r->vantage;   /* above any address id */
		o->seq = (uint32_t)fs_hash64(((uint64_t)vantage << 32) ^ ((uint64_t)r->resolver << 16) ^
		                              r->qtype);
		o->set = r->aset;
		o->resolver = vantage;
		if (n > 1 && o->ts < d->obs[n - 2].ts)
			sorted = false;
	}
	if (!sorted)
		qsort(d->obs, n, sizeof *d->obs, det_cmp_obs_ts);   /* several files interleaved */
	in->obs = d->obs;
	in->n_obs = n;

	/* NS layer: the domain's own NS observations, else its closest usable ancestor zone's;
	 * only the deepest zone seen, so a referral for the parent does not look like a change. */
	const struct store_domain *zd = dom;
	if (dom->ext->n_ns == 0) {
		store_name_id zone = 0;
		store_domain_nsset(s, id, &zone);
		if (zone != 0) {
			store_dom_id zid = store_domain_by_name(s, zone);
			zd = zid ? store_domain(s, zid) : NULL;
		} else
			zd = NULL;
	}
	uint32_t nn = 0, na = 0;
	if (zd != NULL && zd->ext->n_ns > 0) {
		store_name_id best = 0;
		size_t best_len = 0;
		for (uint32_t i = 0; i < zd->ext->n_ns; i++) {
			const char *z = store_name_str(s, zd->ext->ns[i].zone);
			if (!det_zone_usable(d, z))
				continue;
			size_t l = strlen(z);
			if (l > best_len) {
				best_len = l;
				best = zd->ext->ns[i].zone;
			}
		}
		if (zd->ext->n_ns > d->cap_nso) {
			d->cap_nso = zd->ext->n_ns + 16;
			d->nso = xreallocarray(d->nso, d->cap_nso, sizeof *d->nso);
		}
		fs_map_clear(&d->tmp);
		for (uint32_t i = 0; best != 0 && i < zd->ext->n_ns; i++) {
			const struct store_ns_obs *o = &zd->ext->ns[i];
			uint32_t nm = 0;
			const uint32_t *m;
			if (o->zone != best)
				continue;
			m = store_set_members(s, o->nsset, &nm);
			if (m == NULL || nm == 0)
				continue;
			d->nso[nn++] = (struct det_ns_obs){ .ts = o->ts, .names = m, .n_names = nm,
			                                    .ttl = o->ttl };
			for (uint32_t k = 0; k < nm; k++) {
				bool fresh;
				fs_map_put(&d->tmp, m[k], &fresh);
				if (!fresh)
					continue;
				/* the NS name's addresses: glue, and answers when it was queried itself */
				const struct store_nsname *ns = store_nsname_by_name(s, m[k]);
				store_dom_id nd = store_domain_by_name(s, m[k]);
				const struct store_domain *ndom = nd ? store_domain(s, nd) : NULL;
				size_t need = na + (ns ? ns->n_glue : 0) + (ndom ? ndom->ext->n_addrs : 0);
				if (need > d->cap_nsa) {
					d->cap_nsa = need + 64;
					d->nsa = xreallocarray(d->nsa, d->cap_nsa, sizeof *d->nsa);
				}
				for (uint32_t g = 0; ns != NULL && g < ns->n_glue; g++)
					d->nsa[na++] = (struct det_ns_addr){ .name = m[k], .addr = ns->glue[g].addr,
					                                     .first_seen = ns->glue[g].first_seen,
					                                     .ttl = ns->glue[g].ttl_max };
				for (uint32_t g = 0; ndom != NULL && g < ndom->ext->n_addrs; g++)
					d->nsa[na++] = (struct det_ns_addr){ .name = m[k], .addr = ndom->ext->addrs[g].addr,
					                                     .first_seen = ndom->ext->addrs[g].first_seen,
					                                     .ttl = ndom->ext->addrs[g].ttl_max };
			}
		}
	}
	in->ns = d->nso;
	in->n_ns = nn;
	in->nsaddr = d->nsa;
	in->n_nsaddr = na;
	in->info = addr_info;
	in->is_agent = NULL;
	in->ctx = d;
	in->have_asn = d->geo != NULL && geo_has_asn(d->geo);
	in->have_country = d->geo != NULL && geo_has_country(d->geo);
	in->have_geo = d->geo != NULL;
}

static void
build_context(struct detector *d, const struct store *s, const struct store_domain *dom,
              const struct det_input *in, const struct det_feat *f, struct det_context *cx)
{
	char *what = d->intel_what;    /* each worker's own */
	const size_t what_len = sizeof d->intel_what;

	memset(cx, 0, sizeof *cx);
	cx->name = store_name_str(s, dom->name);
	cx->n_all_resp = dom->n_responses;
	cx->n_nxdomain = dom->n_nxdomain;
	cx->n_nodata = dom->n_noerror_nodata;
	if (f->n_obs == 0)
		for (uint32_t i = 0; i < dom->n_resp; i++)
			cx->n_referral += (dom->resp[i].flags & STORE_RESP_REFERRAL) != 0;
	cx->has_cname = dom->ext->n_cnames > 0;
	if (dom->ext->n_cnames > 0)
		cx->cname_last = store_name_str(s, dom->ext->cnames[dom->ext->n_cnames - 1]);
	cx->allow = det_allow_match_name(&d->allow, cx->name);
	cx->allow_via = cx->name;
	for (uint32_t i = 0; cx->allow == NULL && i < dom->ext->n_cnames; i++) {
		const char *c = store_name_str(s, dom->ext->cnames[i]);
		cx->allow = det_allow_match_name(&d->allow, c);
		cx->allow_via = c;
	}
	if (cx->allow != NULL && (cx->allow->kind == DET_ALLOW_CDN_ASN ||
	                          cx->allow->kind == DET_ALLOW_CLOUD_ASN))
		cx->allow = NULL;

	/* share of addresses in listed CDN/cloud networks */
	uint32_t known = 0, listed = 0;
	const char *label = NULL;
	uint32_t best = 0;
	fs_map_clear(&d->tmp);
	for (uint32_t i = 0; i < in->n_obs; i++)
		for (uint32_t k = 0; k < in->obs[i].n_addrs; k++) {
			bool fresh;
			fs_map_put(&d->tmp, in->obs[i].addrs[k], &fresh);
			if (!fresh)
				continue;
			const struct det_addr_info *ai = addr_info(d, in->obs[i].addrs[k]);
			if (ai->asn == 0)
				continue;
			known++;
			const struct det_allow_entry *e = det_allow_match_asn(&d->allow, ai->asn);
			if (e != NULL) {
				listed++;
				bool fr;
				uint32_t *c = fs_map_put(&d->tmp, ((uint64_t)1 << 62) | ai->asn, &fr);
				if (++(*c) > best) {
					best = *c;
					label = e->label;
				}
			}
		}
	cx->cdn_asn_share = known ? (double)listed / known : 0;
	cx->cdn_asn_label = label;
	cx->is_cname_target = dom->n_via_cname > 0 || (dom->dflags & STORE_DOM_CNAME_TARGET) != 0;
	{
		uint32_t total = 0, shared = 0, in_net = 0;
		for (uint32_t k = 0; k < d->tmp.n; k++) {
			uint64_t key = fs_map_key_at(&d->tmp, k);
			if ((key >> 62) != 0)
				continue;
			const struct det_addr_info *ai = addr_info(d, (uint32_t)key);
			total++;
			if (fs_map_get(&d->cdn_prefix, det_prefix_key(&ai->addr, 24)) != NULL)
				shared++;
			if (fs_map_get(&d->cdn_net, det_prefix_key(&ai->addr, 16)) != NULL)
				in_net++;
		}
		cx->cdn_shared_share = total ? (double)shared / total : 0;
		/* Without ASN data for most addresses, the /16 networks that answer allowlisted CDN
		 * names stand in for the listed CDN ASNs (the same second sign is still needed). */
		if (total > 0 && 2 * known < total) {
			cx->cdn_asn_share = (double)in_net / total;
			cx->cdn_asn_label = "networks of allowlisted CDN names";
		}
	}

	/* intel: the name, its CNAME chain, its addresses, its nameservers and their addresses */
	const char *m = NULL;
	if ((cx->intel_feed = det_intel_match_name(&d->intel, cx->name, &m)) != NULL)
		snprintf(what, what_len, "domain %s", m);
	for (uint32_t i = 0; cx->intel_feed == NULL && i < dom->ext->n_cnames; i++)
		if ((cx->intel_feed = det_intel_match_name(&d->intel, store_name_str(s, dom->ext->cnames[i]),
		                                           &m)) != NULL)
			snprintf(what, what_len, "CNAME target under %s", m);
	if (cx->intel_feed == NULL && d->intel.n_cidrs > 0) {
		for (uint32_t i = 0; cx->intel_feed == NULL && i < dom->ext->n_addrs; i++) {
			const struct det_addr_info *ai = addr_info(d, dom->ext->addrs[i].addr);
			if ((cx->intel_feed = det_intel_match_addr(&d->intel, &ai->addr)) != NULL) {
				char a[FS_ADDR_STRLEN];
				snprintf(what, what_len, "address %s", fs_addr_str(&ai->addr, a, sizeof a));
			}
		}
		for (uint32_t i = 0; cx->intel_feed == NULL && i < in->n_nsaddr; i++) {
			const struct det_addr_info *ai = addr_info(d, in->nsaddr[i].addr);
			if ((cx->intel_feed = det_intel_match_addr(&d->intel, &ai->addr)) != NULL) {
				char a[FS_ADDR_STRLEN];
				snprintf(what, what_len, "nameserver address %s",
				         fs_addr_str(&ai->addr, a, sizeof a));
			}
		}
	}
	/* ASN lists (Spamhaus ASN-DROP and the like): the share of answers from listed networks,
	 * and the first of them as the hit when nothing above matched */
	cx->intel_asn_share = 0;
	if (d->intel.n_asns > 0) {
		uint32_t n_listed = 0;
		for (uint32_t i = 0; i < dom->ext->n_addrs; i++) {
			const struct det_addr_info *ai = addr_info(d, dom->ext->addrs[i].addr);
			const char *feed = det_intel_match_asn(&d->intel, ai->asn);
			if (feed == NULL)
				continue;
			n_listed++;
			if (cx->intel_feed == NULL) {
				char a[FS_ADDR_STRLEN];
				cx->intel_feed = feed;
				snprintf(what, what_len, "address %s in AS%u",
				         fs_addr_str(&ai->addr, a, sizeof a), ai->asn);
			}
		}
		if (dom->ext->n_addrs > 0)
			cx->intel_asn_share = (double)n_listed / dom->ext->n_addrs;
		for (uint32_t i = 0; cx->intel_feed == NULL && i < in->n_nsaddr; i++) {
			const struct det_addr_info *ai = addr_info(d, in->nsaddr[i].addr);
			if ((cx->intel_feed = det_intel_match_asn(&d->intel, ai->asn)) != NULL) {
				char a[FS_ADDR_STRLEN];
				snprintf(what, what_len, "nameserver address %s in AS%u",
				         fs_addr_str(&ai->addr, a, sizeof a), ai->asn);
			}
		}
	}
	for (uint32_t i = 0; cx->intel_feed == NULL && i < in->n_ns; i++)
		for (uint32_t k = 0; cx->intel_feed == NULL && k < in->ns[i].n_names; k++)
			if ((cx->intel_feed = det_intel_match_name(
			         &d->intel, store_name_str(s, in->ns[i].names[k]), &m)) != NULL)
				snprintf(what, what_len, "nameserver under %s", m);
	cx->intel_what = cx->intel_feed ? what : NULL;
	(void)f;
}

/* Whether an NS name is flux infrastructure: one of its addresses answers for a flagged
 * domain. Shared DNS hosting (the same provider's nameservers for thousands of zones) is
 * no link between domains; shared fluxing nameservers are. */
static bool
ns_is_agent(const struct detector *d, const struct store_nsname *ns)
{
	for (uint32_t g = 0; g < ns->n_glue; g++) {
		store_addr_id a = ns->glue[g].addr;
		if (a < d->cap_agent && d->agent_since[a] != 0)
			return true;
	}
	return false;
}

/* Up to ADDR_BATCH of dom's addresses from index i0: their records into sas (NULL for an id
 * the store lacks), and their records, their domain lists (of SHARED_MAX_DEGREE domains or
 * fewer) and those domains' entries of ent (n_ent entries of ent_size bytes, indexed by domain
 * id) start loading before they are read: each a memory miss, overlapped. Returns the count. */
#define ADDR_BATCH 32
static uint32_t
load_addr_batch(const struct store *s, const struct store_domain *dom, uint32_t i0,
                const struct store_addr **sas, const void *ent, size_t ent_size, size_t n_ent)
{
	uint32_t n = dom->ext->n_addrs - i0 < ADDR_BATCH ? dom->ext->n_addrs - i0 : ADDR_BATCH;
	const char *e = ent;

	for (uint32_t i = 0; i < n; i++)
		if ((sas[i] = store_addr(s, dom->ext->addrs[i0 + i].addr)) != NULL)
			__builtin_prefetch(sas[i]);
	for (uint32_t i = 0; i < n; i++)
		if (sas[i] != NULL && sas[i]->n_domains <= SHARED_MAX_DEGREE)
			__builtin_prefetch(sas[i]->domains);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; sas[i] != NULL && sas[i]->n_domains <= SHARED_MAX_DEGREE &&
		     k < sas[i]->n_domains; k++)
			if (sas[i]->domains[k] < n_ent)
				__builtin_prefetch(e + (size_t)sas[i]->domains[k] * ent_size);
	return n;
}

/* Flagged domains (pass 1) sharing an address or a fluxing NS name with dom, not counting
 * dom. */
static uint32_t
count_shared_flagged(struct detector *d, const struct store *s, store_dom_id id,
                     const struct store_domain *dom)
{
	const struct store_addr *sas[ADDR_BATCH];

	fs_map_clear(&d->tmp);
	for (uint32_t i0 = 0; i0 < dom->ext->n_addrs; i0 += ADDR_BATCH) {
		uint32_t n = load_addr_batch(s, dom, i0, sas, d->st, sizeof *d->st, d->cap_st);
		for (uint32_t i = 0; i < n; i++) {
			const struct store_addr *sa = sas[i];
			if (sa == NULL || sa->n_domains > SHARED_MAX_DEGREE)
				continue;
			for (uint32_t k = 0; k < sa->n_domains; k++) {
				store_dom_id o = sa->domains[k];
				bool fresh;
				if (o != id && o < d->cap_st && d->st[o].flagged)
					fs_map_put(&d->tmp, o, &fresh);
			}
		}
	}
	store_name_id zone = 0;
	store_set_id nsset = store_domain_nsset(s, id, &zone);
	uint32_t nm = 0;
	const uint32_t *m = nsset ? store_set_members(s, nsset, &nm) : NULL;
	if (det_zone_usable(d, zone ? store_name_str(s, zone) : NULL))
		for (uint32_t i = 0; m != NULL && i < nm; i++) {
			const struct store_nsname *ns = store_nsname_by_name(s, m[i]);
			if (ns == NULL || ns->n_domains > SHARED_MAX_DEGREE || !ns_is_agent(d, ns))
				continue;
			for (uint32_t k = 0; k < ns->n_domains; k++) {
				store_dom_id o = ns->domains[k];
				bool fresh;
				if (o != id && o < d->cap_st && d->st[o].flagged)
					fs_map_put(&d->tmp, o, &fresh);
			}
		}
	return d->tmp.n;
}

/* ---- results ------------------------------------------------------------------------------------ */

void
det_fill_result(struct detector *d, const struct store *s, store_dom_id id,
            const struct store_domain *dom, const struct det_feat *f,
            const struct det_context *cx, const struct det_eval *ev, struct det_result *r,
            struct det_terms *terms)
{
	memset(r, 0, sizeof *r);
	r->dom = id;
	r->name = store_name_str(s, dom->name);
	r->registrable = det_reg(d, id, r->name) != NULL ? det_reg(d, id, r->name) : r->name;
	r->zone = det_zname(d, id, r->name) != NULL ? det_zname(d, id, r->name) : r->registrable;
	r->score = ev->score;
	r->logit = ev->logit;
	r->holz_available = f->n_asn_known > 0;
	r->holz_score = det_holz(f->holz_na, f->holz_nasn);
	r->holz_score_all = det_holz(f->n_addrs, f->n_asns);
	r->verdict = ev->verdict;
	memset(terms, 0, sizeof *terms);
	terms->weight = d->w_used[ev->noasn];
	for (int t = 0; t < DET_N_TERMS; t++) {
		terms->avail |= ev->terms[t].available ? 1u << t : 0;
		terms->raw[t] = ev->terms[t].raw;
		terms->value[t] = ev->terms[t].value;
	}
	r->terms = terms;
	r->n_terms = DET_N_TERMS;
	r->n_reasons = det_model_reasons(&d->w, f, cx, ev, &r->reasons);
	char conf[128];
	det_model_confidence(f, conf, sizeof conf);
	r->confidence = det_share_str(d->share, xstrdup(conf));
	r->n_responses = f->n_obs;
	r->n_rrsets = f->n_sets;
	r->n_addrs = f->n_addrs;
	r->n_addrs_v6 = f->n_v6;
	r->n_asns = f->n_asns;
	r->n_countries = f->n_countries;
	r->n_prefixes16 = f->n_p16;
	r->n_prefixes24 = f->n_p24;
	r->max_addrs_per_response = f->max_per_resp;
	r->ttl = f->ttl;
	r->ttl_min = f->ttl_min;
	r->n_rrset_changes = f->changes;
	r->n_shared_flagged = cx->shared_flux;
	r->n_ns_names = f->n_ns_names;
	r->n_ns_addrs = f->n_ns_addrs;
	r->n_ns_changes = f->n_ns_changes;
	r->ns_ttl = f->ns_ttl;
	r->max_distance_km = f->max_km;
	for (int w = 0; w < DET_WINDOWS; w++) {
		r->window_addrs[w] = f->win_addrs[w];
		r->window_asns[w] = f->win_asns[w];
	}
	r->ttl_periods = f->periods;
	r->first_seen = dom->first_seen;
	r->last_seen = dom->last_seen;
	r->intel_hit = cx->intel_feed != NULL;
	r->intel_feed = cx->intel_feed;
	r->allowlisted = ev->allowlisted;
	r->guard = ev->guard;
	r->n_top_asns = f->n_top_asn;
	if (f->n_top_asn > 0) {
		struct det_share *t = det_share_alloc(d->share, (size_t)f->n_top_asn * sizeof *t);
		for (int i = 0; i < f->n_top_asn; i++) {
			memset(&t[i], 0, sizeof t[i]);
			t[i].asn = f->top_asn[i].asn;
			t[i].label = f->top_asn[i].label ? f->top_asn[i].label : "";
			t[i].n_addrs = f->top_asn[i].n;
			t[i].share = f->n_addrs ? (double)f->top_asn[i].n / f->n_addrs : 0;
		}
		r->top_asns = t;
	}
	r->n_top_countries = f->n_top_cc;
	if (f->n_top_cc > 0) {
		struct det_share *t = det_share_alloc(d->share, (size_t)f->n_top_cc * sizeof *t);
		for (int i = 0; i < f->n_top_cc; i++) {
			memset(&t[i], 0, sizeof t[i]);
			memcpy(t[i].country, f->top_cc[i].cc, 3);
			t[i].label = "";
			t[i].n_addrs = f->top_cc[i].n;
			t[i].share = f->n_addrs ? (double)f->top_cc[i].n / f->n_addrs : 0;
		}
		r->top_countries = t;
	}
}

/* Find the first prefix of the timeline at which `want` holds, assuming it mostly stays true
 * once true: a linear scan over the first answers, then galloping and bisection. */
uint32_t
det_first_prefix(struct detector *d, const struct det_input *in, const struct det_context *cx,
             bool flux_only)
{
	struct det_feat f;
	struct det_eval ev;
	uint32_t n = in->n_obs, lin = n < 48 ? n : 48;

#define HOLDS(k) (det_features(d->sc, in, (k), &f), det_model_eval(&d->w, &f, cx, &ev), \
	flux_only ? det_is_flux(ev.verdict) : det_is_flagged(ev.verdict))
	for (uint32_t k = 1; k <= lin; k++)
		if (HOLDS(k))
			return k;
	uint32_t lo = lin, hi = lin;
	while (hi < n) {
		lo = hi;
		hi = hi * 2 > n ? n : hi * 2;
		if (HOLDS(hi))
			break;
	}
	if (hi >= n && !HOLDS(n))
		return 0;
	while (hi - lo > 1) {        /* HOLDS(hi), !HOLDS(lo) */
		uint32_t mid = lo + (hi - lo) / 2;
		if (HOLDS(mid))
			hi = mid;
		else
			lo = mid;
	}
#undef HOLDS
	return hi;
}

int
det_rank_cmp(const void *a, const void *b)
{
	const struct det_result *x = a, *y = b;
#define DESC(f) do { if (x->f != y->f) return x->f > y->f ? -1 : 1; } while (0)
	DESC(logit);
	DESC(verdict);
	DESC(n_responses);
	DESC(n_rrsets);
	DESC(n_addrs);
	DESC(n_prefixes24);
	DESC(n_asns);
	DESC(n_ns_names);
#undef DESC
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	if (c != 0)
		return c;
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct det_group *x = a, *y = b;
	if (x->max_score != y->max_score)
		return x->max_score > y->max_score ? -1 : 1;
	return strcmp(x->registrable, y->registrable);
}

static void
build_groups(struct detector *d, const struct store *s)
{
	struct fs_map idx;
	uint64_t *pairs;
	size_t np = 0, total = 0;

	/* (group, address) of every domain's addresses, in one array of exactly their number:
	 * sorted, its distinct pairs count the groups' addresses; then, in place, those pairs'
	 * (group, ASN), sorted again, count their ASNs (the same distinct pairs as over every
	 * domain's addresses, looked up once per distinct address of a group). */
	for (size_t i = 0; i < d->n_res; i++) {
		const struct store_domain *dom = store_domain(s, det_code_dom(d, d->order[i]));
		if (dom != NULL)
			total += dom->ext->n_addrs;
	}
	pairs = xreallocarray(NULL, total ? total : 1, sizeof *pairs);
	fs_map_init(&idx);
	d->groups = xcalloc(d->n_res + 1, sizeof *d->groups);
	d->n_groups = 0;
	for (size_t i = 0; i < d->n_res; i++) {
		const struct det_result *r = det_code_res(d, d->order[i]);
		store_dom_id rdom = det_code_dom(d, d->order[i]);
		bool fresh;
		uint64_t key = fs_hash_bytes(r->registrable, strlen(r->registrable));
		if (key == FS_MAP_EMPTY)
			key--;
		uint32_t *slot = fs_map_put(&idx, key, &fresh);
		if (fresh) {
			*slot = (uint32_t)d->n_groups++;
			d->groups[*slot].registrable = r->registrable;
		}
		struct det_group *g = &d->groups[*slot];
		g->n_domains++;
		if (det_is_flagged(r->verdict))
			g->n_flagged++;
		if (g->n_domains == 1 || r->score > g->max_score)
			g->max_score = r->score;
		if (r->verdict > g->verdict)
			g->verdict = r->verdict;
		const struct store_domain *dom = store_domain(s, rdom);
		for (uint32_t k = 0; dom != NULL && k < dom->ext->n_addrs && np < total; k++)
			pairs[np++] = ((uint64_t)*slot << 32) | dom->ext->addrs[k].addr;
	}
	det_sort_u64(pairs, np);
	size_t nap = 0;
	uint64_t prev = 0;
	for (size_t i = 0; i < np; i++) {
		uint64_t pair = pairs[i];          /* read before pairs[nap] (nap <= i) is written */
		if (i > 0 && pair == prev)
			continue;
		prev = pair;
		uint64_t grp = pair >> 32;
		d->groups[grp].n_addrs++;
		uint32_t asn = addr_info(d, (uint32_t)pair)->asn;
		if (asn != 0)
			pairs[nap++] = grp << 32 | asn;
	}
	det_sort_u64(pairs, nap);
	for (size_t i = 0; i < nap; i++)
		if (i == 0 || pairs[i] != pairs[i - 1])
			d->groups[pairs[i] >> 32].n_asns++;
	free(pairs);
	fs_map_fini(&idx);
	qsort(d->groups, d->n_groups, sizeof *d->groups, cmp_group);
}

#define SHARD_BLOCK 64          /* domains a worker takes at a time */
#define SHARD_MIN 256           /* fewer domains than this: one thread */

/* The candidates result i shares addresses or fluxing NS names with, counted in cnt
 * (candidate index → links). Reads only. */
static void
cluster_links(const struct detector *d, const struct store *s, const uint32_t *cand, size_t i,
              struct fs_map *cnt)
{
	store_dom_id rdom = det_code_dom(d, d->order[i]);
	const struct store_domain *dom = store_domain(s, rdom);

	const struct store_addr *sas[ADDR_BATCH];

	fs_map_clear(cnt);
	for (uint32_t k0 = 0; k0 < dom->ext->n_addrs; k0 += ADDR_BATCH) {
		uint32_t n = load_addr_batch(s, dom, k0, sas, d->by_dom, sizeof *d->by_dom,
		                             d->cap_by_dom);
		for (uint32_t k = 0; k < n; k++) {
			const struct store_addr *sa = sas[k];
			if (sa == NULL || sa->n_domains > SHARED_MAX_DEGREE)
				continue;
			for (uint32_t j = 0; j < sa->n_domains; j++) {
				store_dom_id o = sa->domains[j];
				if (o == rdom || o >= d->cap_by_dom || d->by_dom[o] == 0)
					continue;
				uint32_t oi = d->by_dom[o] - 1;
				bool fresh;
				if (cand[oi])
					(*fs_map_put(cnt, oi, &fresh))++;
			}
		}
	}
	store_name_id zone = 0;
	store_set_id nsset = store_domain_nsset(s, rdom, &zone);
	uint32_t nm = 0;
	const uint32_t *m = nsset ? store_set_members(s, nsset, &nm) : NULL;
	if (!det_zone_usable(d, zone ? store_name_str(s, zone) : NULL))
		nm = 0;
	for (uint32_t k = 0; k < nm; k++) {
		const struct store_nsname *ns = store_nsname_by_name(s, m[k]);
		if (ns == NULL || ns->n_domains > SHARED_MAX_DEGREE || !ns_is_agent(d, ns))
			continue;
		for (uint32_t j = 0; j < ns->n_domains; j++) {
			store_dom_id o = ns->domains[j];
			if (o == rdom || o >= d->cap_by_dom || d->by_dom[o] == 0)
				continue;
			uint32_t oi = d->by_dom[o] - 1;
			bool fresh;
			if (cand[oi])
				(*fs_map_put(cnt, oi, &fresh))++;
		}
	}
}

/* The links of candidates on threads: each worker takes blocks of results and keeps the
 * pairs (i << 32 | other) that share enough; the unions are made after, on one thread (the
 * partition does not depend on their order). */
struct clu_job {
	const struct detector *d;
	const struct store *s;
	const uint32_t *cand;
	_Atomic size_t next;
};

struct clu_worker {
	struct clu_job *j;
	uint64_t *pairs;
	size_t n, cap;
};

static void *
clu_worker_run(void *arg)
{
	struct clu_worker *cw = arg;
	const struct detector *d = cw->j->d;
	struct fs_map cnt;
	size_t i0;

	fs_map_init(&cnt);
	while ((i0 = atomic_fetch_add_explicit(&cw->j->next, SHARD_BLOCK, memory_order_relaxed)) <
	       d->n_res) {
		size_t i1 = i0 + SHARD_BLOCK < d->n_res ? i0 + SHARD_BLOCK : d->n_res;
		for (size_t i = i0; i < i1; i++) {
			if (!cw->j->cand[i])
				continue;
			cluster_links(d, cw->j->s, cw->j->cand, i, &cnt);
			for (uint32_t k = 0; k < cnt.n; k++) {
				if (fs_map_val_at(&cnt, k) < d->w.cluster_min_shared)
					continue;
				if (cw->n == cw->cap) {
					cw->cap = cw->cap ? cw->cap * 2 : 1024;
					cw->pairs = xreallocarray(cw->pairs, cw->cap, sizeof *cw->pairs);
				}
				cw->pairs[cw->n++] = (uint64_t)i << 32 | (uint32_t)fs_map_key_at(&cnt, k);
			}
		}
	}
	fs_map_fini(&cnt);
	return NULL;
}

/* Union domains scoring at least cluster.min_score (or flagged) that share at least
 * cluster.min_shared addresses or NS names. */
static void
build_clusters(struct detector *d, const struct store *s, int threads)
{
	struct det_uf uf;
	struct fs_map cnt;
	uint32_t *cand = xcalloc(d->n_res + 1, sizeof *cand); /* result index → candidate */

	fs_map_init(&cnt);
	det_uf_init(&uf, (uint32_t)d->n_res);
	for (size_t i = 0; i < d->n_res; i++) {
		const struct det_result *r = det_code_res(d, d->order[i]);
		cand[i] = r->score >= d->w.cluster_min_score || det_is_flagged(r->verdict) || r->intel_hit;
		if (r->allowlisted)
			cand[i] = 0;
	}
	if (threads > 1 && d->n_res >= SHARD_MIN) {
		struct clu_job job = { .d = d, .s = s, .cand = cand };
		struct clu_worker *cw = xcalloc((size_t)threads, sizeof *cw);
		atomic_init(&job.next, 0);
		for (int t = 0; t < threads; t++)
			cw[t].j = &job;
		det_run_workers(clu_worker_run, cw, sizeof *cw, threads);
		for (int t = 0; t < threads; t++) {
			for (size_t k = 0; k < cw[t].n; k++)
				det_uf_union(&uf, (uint32_t)(cw[t].pairs[k] >> 32), (uint32_t)cw[t].pairs[k]);
			free(cw[t].pairs);
		}
		free(cw);
	} else
		for (size_t i = 0; i < d->n_res; i++) {
			if (!cand[i])
				continue;
			cluster_links(d, s, cand, i, &cnt);
			for (uint32_t k = 0; k < cnt.n; k++)
				if (fs_map_val_at(&cnt, k) >= d->w.cluster_min_shared)
					det_uf_union(&uf, (uint32_t)i, (uint32_t)fs_map_key_at(&cnt, k));
		}
	/* number clusters of two or more domains 1, 2, … in result order (highest score first) */
	uint32_t *size = xcalloc(d->n_res + 1, sizeof *size);
	uint32_t *num = xcalloc(d->n_res + 1, sizeof *num);
	uint32_t next = 0;
	for (size_t i = 0; i < d->n_res; i++)
		if (cand[i])
			size[det_uf_find(&uf, (uint32_t)i)]++;
	for (size_t i = 0; i < d->n_res; i++) {
		if (!cand[i])
			continue;
		uint32_t root = det_uf_find(&uf, (uint32_t)i);
		if (size[root] < 2)
			continue;
		if (num[root] == 0)
			num[root] = ++next;
		uint32_t code = d->order[i];
		if (code & DET_CODE_COMPACT) {       /* compact_fill reads them */
			bool fresh;
			uint64_t k = code & ~DET_CODE_COMPACT;
			*fs_map_put(&d->cmp->cluster, k, &fresh) = num[root];
			*fs_map_put(&d->cmp->cluster, ((uint64_t)1 << 40) | k, &fresh) = size[root];
		} else {
			d->res[code].cluster = num[root];
			d->res[code].cluster_size = size[root];
		}
	}
	free(size);
	free(num);
	free(cand);
	det_uf_fini(&uf);
	fs_map_fini(&cnt);
}

static void time_to_flag(struct detector *d, const struct det_input *in,
                         const struct det_context *cx, const struct det_feat *f,
                         enum det_verdict v, struct det_result *r);

/* Pass 1 for one domain: its score on its own. */
static void
pass1_domain(struct detector *d, const struct store *s, store_dom_id id)
{
	const struct store_domain *dom = store_domain(s, id);
	struct det_feat f;
	struct det_context cx;
	struct det_eval ev;
	struct det_input in;

	det_build_input(d, s, id, dom, &in);
	det_incr_features(d, s, id, &in, &f);
	if (f.have_ns)
		d->run_have_ns = true;
	if (!det_incr_context_get(d, s, id, &cx)) {
		build_context(d, s, dom, &in, &f, &cx);
		det_incr_context_put(d, s, id, &cx);
	}
	det_zone_context(d, s, id, &cx);
	det_model_eval(&d->w, &f, &cx, &ev);
	d->st[id].flagged = det_is_flagged(ev.verdict);
}

/* Pass 2 for the j-th domain: its result, in slot j. */
static void
pass2_domain(struct detector *d, const struct store *s, size_t j)
{
	store_dom_id id = d->ids[j];
	const struct store_domain *dom = store_domain(s, id);
	struct det_feat f;
	struct det_context cx;
	struct det_eval ev;
	struct det_input in;
	/* features and context as pass 1 left them (incr.c), or built again with the agents */
	bool have_in = !det_incr_pass2_kept(d, id, &f, &cx);

	if (have_in) {
		det_build_input(d, s, id, dom, &in);
		in.is_agent = is_agent;
		det_incr_features_agents(d, id, &in, &f);
		build_context(d, s, dom, &in, &f, &cx);
	}
	cx.shared_flux = count_shared_flagged(d, s, id, dom);
	d->st[id].answers = (uint8_t)((f.comparisons > 0 ? DOM_COMPARED : 0) |
	                              (f.changes > 0 ? DOM_CHANGED : 0));
	det_zone_context(d, s, id, &cx);
	det_model_eval(&d->w, &f, &cx, &ev);
	uint32_t code = d->order[j];
	struct det_result rc;     /* a compact name's, kept as its record and template below */
	struct det_result *r = (code & DET_CODE_COMPACT) ? &rc : &d->res[code];
	struct det_terms terms;
	det_fill_result(d, s, id, dom, &f, &cx, &ev, r, &terms);
	r->terms = det_share_terms(d->share, &terms);
	for (int k = 0; k < r->n_reasons; k++)
		r->reasons[k] = det_share_str(d->share, r->reasons[k]);
	if (det_is_flagged(ev.verdict) && f.n_obs > 0 &&
	    !det_incr_ttf_get(d, id, have_in ? &in : NULL, &cx, ev.verdict, r)) {
		if (!have_in) {
			det_build_input(d, s, id, dom, &in);
			in.is_agent = is_agent;
		}
		time_to_flag(d, &in, &cx, &f, ev.verdict, r);
		det_incr_ttf_put(d, id, r);
	}
	if (code & DET_CODE_COMPACT)
		compact_put(d, code & ~DET_CODE_COMPACT, r);
}


struct shard {
	struct detector w;          /* the worker's copy */
	const struct store *s;
	int pass;
	_Atomic size_t *next;
};

void
det_worker_init(const struct detector *d, struct detector *w)
{
	*w = *d;
	w->worker = true;
	w->sc = det_scratch_new();
	w->obs = NULL;
	w->cap_obs = 0;
	w->nso = NULL;
	w->cap_nso = 0;
	w->nsa = NULL;
	w->cap_nsa = 0;
	fs_map_init(&w->tmp);
	w->run_have_asn = w->run_have_cc = w->run_have_geo = false;
	w->run_have_ns = false;
}

void
det_worker_fini(struct detector *d, struct detector *w)
{
	d->run_have_asn |= w->run_have_asn;
	d->run_have_cc |= w->run_have_cc;
	d->run_have_geo |= w->run_have_geo;
	d->run_have_ns |= w->run_have_ns;
	det_scratch_free(w->sc);
	free(w->obs);
	free(w->nso);
	free(w->nsa);
	fs_map_fini(&w->tmp);
}

static void *
shard_thread(void *arg)
{
	struct shard *sh = arg;
	struct detector *d = &sh->w;

	for (;;) {
		size_t j0 = atomic_fetch_add_explicit(sh->next, SHARD_BLOCK, memory_order_relaxed);
		if (j0 >= d->n_ids)
			break;
		size_t j1 = j0 + SHARD_BLOCK < d->n_ids ? j0 + SHARD_BLOCK : d->n_ids;
		for (size_t j = j0; j < j1; j++) {
			if (sh->pass == 1)
				pass1_domain(d, sh->s, d->ids[j]);
			else
				pass2_domain(d, sh->s, j);
		}
	}
	return NULL;
}

/* One pass over d->ids on d->threads threads (the calling one among them). Every domain's
 * outcome goes to its own slot (st[id], res[j]) and nothing depends on which thread took
 * it, so the results are those of one thread. Shared state is only read; each worker has
 * its own scratch, input buffers and intel text, and its feature flags are or-ed back. */
static void
run_sharded(struct detector *d, const struct store *s, int pass)
{
	int n = d->threads;
	_Atomic size_t next = 0;

	if (n > 1 && d->n_ids < SHARD_MIN)
		n = 1;
	if (n <= 1) {
		for (size_t j = 0; j < d->n_ids; j++) {
			if (pass == 1)
				pass1_domain(d, s, d->ids[j]);
			else
				pass2_domain(d, s, j);
		}
		return;
	}
	struct shard *sh = xcalloc((size_t)n, sizeof *sh);
	for (int i = 0; i < n; i++) {
		det_worker_init(d, &sh[i].w);
		sh[i].s = s;
		sh[i].pass = pass;
		sh[i].next = &next;
	}
	det_run_workers(shard_thread, sh, sizeof *sh, n);
	for (int i = 0; i < n; i++)
		det_worker_fini(d, &sh[i].w);
	free(sh);
}

void
det_run_workers(void *(*fn)(void *), void *base, size_t size, int n)
{
	pthread_t *t = xcalloc(n > 1 ? (size_t)n : 1, sizeof *t);
	int started = 1;

	for (int i = 1; i < n; i++) {
		if (pthread_create(&t[i], NULL, fn, (char *)base + (size_t)i * size) != 0)
			break;            /* the threads started (and this one) do the rest */
		started++;
	}
	fn(base);
	for (int i = 1; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/* Vantage, per-run arrays, and the prefixes that answer allowlisted CDN names. */
static void
run_prepare(struct detector *d, const struct store *s, size_t nd, size_t na)
{
	struct store_stats stats;

	free_results(d);
	d->s = s;
	/* store_expire() may have given freed address ids to other addresses, and an emptied
	 * enrichment cache freed the entries the infos point to */
	if ((store_epoch(s) != d->ainfo_epoch || geo_cache_generation(d->geo) != d->ainfo_geo_gen) &&
	    d->ainfo_ok != NULL)
		memset(d->ainfo_ok, 0, d->cap_ainfo);
	d->ainfo_epoch = store_epoch(s);
	d->ainfo_geo_gen = geo_cache_generation(d->geo);
	d->run_have_asn = d->run_have_cc = d->run_have_geo = d->run_have_ns = false;

	/* vantage */
	store_get_stats(s, &stats);
	uint64_t up = stats.referrals + stats.aa_responses;
	uint64_t cl = stats.responses > up ? stats.responses - up : 0;
	if (stats.view_client + stats.view_upstream > 0) {
		/* feeds say which side they saw; packets (if any) still count by their signs */
		uint64_t declared = stats.view_client + stats.view_upstream;
		uint64_t undeclared = stats.responses > declared ? stats.responses - declared : 0;
		up = stats.view_upstream + (undeclared > 0 ? stats.referrals + stats.aa_responses : 0);
		cl = stats.view_client + (undeclared > up ? undeclared - up : 0);
	}
	d->vantage = stats.responses == 0 ? DET_VANTAGE_NONE : up == 0 ? DET_VANTAGE_CLIENT :
	             cl == 0 ? DET_VANTAGE_UPSTREAM : DET_VANTAGE_BOTH;

	if (nd + 1 > d->cap_st) {
		d->cap_st = nd + 1;
		d->st = xreallocarray(d->st, d->cap_st, sizeof *d->st);
	}
	memset(d->st, 0, d->cap_st * sizeof *d->st);
	if (na + 1 > d->cap_agent) {
		d->cap_agent = na + 1;
		d->agent_since = xreallocarray(d->agent_since, d->cap_agent, sizeof *d->agent_since);
	}
	memset(d->agent_since, 0, d->cap_agent * sizeof *d->agent_since);

	/* Prefixes (/24, IPv6 /48: an edge cluster) that answer names allowlisted as CDN/cloud
	 * (by name or CNAME chain): a flattened apex or an edge name on those prefixes is a CDN
	 * customer, not flux. Works without any GeoIP database. */
	fs_map_clear(&d->cdn_prefix);
	fs_map_clear(&d->cdn_net);
	for (store_dom_id id = 1; id <= nd && d->allow.n > 0; id++) {
		const struct store_domain *dom = store_domain(s, id);
		const struct det_allow_entry *e;
		if (dom == NULL || dom->ext->n_addrs == 0)
			continue;
		e = det_allow_match_name(&d->allow, store_name_str(s, dom->name));
		for (uint32_t i = 0; e == NULL && i < dom->ext->n_cnames; i++)
			e = det_allow_match_name(&d->allow, store_name_str(s, dom->ext->cnames[i]));
		if (e == NULL || e->kind != DET_ALLOW_CDN)
			continue;
		for (uint32_t k = 0; k < dom->ext->n_addrs; k++) {
			const struct det_addr_info *ai = addr_info(d, dom->ext->addrs[k].addr);
			bool fresh;
			fs_map_put(&d->cdn_prefix, det_prefix_key(&ai->addr, 24), &fresh);
			fs_map_put(&d->cdn_net, det_prefix_key(&ai->addr, 16), &fresh);
		}
	}
}

/* Pass 1: every domain on its own; the addresses of flagged ones become agents. */
static void
run_pass_alone(struct detector *d, const struct store *s, size_t nd, size_t na)
{
	/* The passes run sharded over worker threads, each with its own copy of the detector's
	 * scratch (run_sharded): fill the address cache for every address first, so the workers
	 * only read it. */
	for (size_t a = 1; a <= na; a++)
		(void)ainfo_fill(d, (uint32_t)a);
	if (nd > d->cap_ids) {
		d->cap_ids = nd;
		d->ids = xreallocarray(d->ids, d->cap_ids, sizeof *d->ids);
	}
	d->n_ids = 0;
	for (store_dom_id id = 1; id <= nd; id++)
		if (store_domain(s, id) != NULL)
			d->ids[d->n_ids++] = id;
	run_sharded(d, s, 1);
	for (size_t j = 0; j < d->n_ids; j++) {
		store_dom_id id = d->ids[j];
		const struct store_domain *dom = store_domain(s, id);
		if (d->st[id].flagged)
			for (uint32_t k = 0; k < dom->ext->n_addrs; k++) {
				store_addr_id a = dom->ext->addrs[k].addr;
				fs_time t = dom->ext->addrs[k].first_seen;
				if (a < d->cap_agent && (d->agent_since[a] == 0 || t < d->agent_since[a]))
					d->agent_since[a] = t > 0 ? t : 1;
			}
	}
}

/* When the verdict first became flagged, and flux, replaying the domain's answers. */
static void
time_to_flag(struct detector *d, const struct det_input *in, const struct det_context *cx,
             const struct det_feat *f, enum det_verdict v, struct det_result *r)
{
	double ttl = f->ttl > 0 ? f->ttl : 1;
	uint32_t k = det_first_prefix(d, in, cx, false);

	if (k > 0) {
		r->first_flagged = in->obs[k - 1].ts;
		r->first_flagged_resp = k;
		r->first_flagged_ttls = (double)(in->obs[k - 1].ts - in->obs[0].ts) / FS_USEC / ttl;
	}
	if (det_is_flux(v) && (k = det_first_prefix(d, in, cx, true)) > 0) {
		r->first_flux = in->obs[k - 1].ts;
		r->first_flux_resp = k;
		r->first_flux_ttls = (double)(in->obs[k - 1].ts - in->obs[0].ts) / FS_USEC / ttl;
	}
}

/* Which domains keep a full result (d->res) and which a compact one (d->cmp): d->order[j]
 * for the j-th domain of d->ids, both kinds numbered in id order. */
static void
run_codes(struct detector *d, const struct store *s, size_t nd)
{
	struct det_compacts *c = d->cmp;
	size_t nf = 0, nc = 0;

	if (nd > d->cap_order) {
		d->cap_order = nd;
		d->order = xreallocarray(d->order, d->cap_order, sizeof *d->order);
	}
	for (size_t j = 0; j < d->n_ids; j++)
		d->order[j] = !d->keep_all && compact_eligible(store_domain(s, d->ids[j])) ?
		              DET_CODE_COMPACT | (uint32_t)nc++ : (uint32_t)nf++;
	if (nf > d->cap_res) {
		d->cap_res = nf;
		free(d->res);
		d->res = xmalloc(d->cap_res * sizeof *d->res);
	}
	if (nc > c->cap) {
		c->cap = nc;
		free(c->c);
		c->c = xmalloc(c->cap * sizeof *c->c);
	}
	d->n_full = nf;
	c->n = nc;
}

/* Pass 2: with agents and shared infrastructure known; results and time to flag. */
static void
run_pass_results(struct detector *d, const struct store *s, size_t nd)
{
	run_codes(d, s, nd);
	run_sharded(d, s, 2);
	d->n_res = d->n_ids;
}

/* build_groups on a second thread while the calling one builds the clusters (their links
 * themselves on the run's threads, build_clusters): a worker's copy of the detector (the
 * address cache is only read), its groups and feature flags handed back after. The two read the results and the store, and write apart (groups;
 * clusters in the results and the compact names' cluster map). */
struct groups_job {
	struct detector w;
	const struct store *s;
};

static void *
groups_thread(void *arg)
{
	struct groups_job *j = arg;

	build_groups(&j->w, j->s);
	return NULL;
}

static void
run_clusters_groups(struct detector *d, const struct store *s)
{
	struct groups_job *j;
	pthread_t t;

	if (d->threads < 2 || d->n_res < SHARD_MIN) {
		build_clusters(d, s, 1);
		build_groups(d, s);
		return;
	}
	j = xmalloc(sizeof *j);
	det_worker_init(d, &j->w);
	j->s = s;
	if (pthread_create(&t, NULL, groups_thread, j) != 0) {
		det_worker_fini(d, &j->w);
		free(j);
		build_clusters(d, s, 1);
		build_groups(d, s);
		return;
	}
	build_clusters(d, s, d->threads);
	pthread_join(t, NULL);
	d->groups = j->w.groups;
	d->n_groups = j->w.n_groups;
	det_worker_fini(d, &j->w);
	free(j);
}

/* Results in report order, the by-domain index, clusters and registrable groups. */
static void
run_index(struct detector *d, const struct store *s, size_t nd)
{
	sort_det = d;
	if (d->n_res > 1)
		qsort(d->order, d->n_res, sizeof *d->order, cmp_code);
	sort_det = NULL;
	for (size_t i = 0; i < d->n_res; i++)
		if (!(d->order[i] & DET_CODE_COMPACT))
			d->res[d->order[i]].rank = (uint32_t)i + 1;
	if (nd + 1 > d->cap_by_dom) {
		d->cap_by_dom = nd + 1;
		d->by_dom = xreallocarray(d->by_dom, d->cap_by_dom, sizeof *d->by_dom);
	}
	memset(d->by_dom, 0, d->cap_by_dom * sizeof *d->by_dom);
	for (size_t i = 0; i < d->n_res; i++)
		d->by_dom[det_code_dom(d, d->order[i])] = (uint32_t)i + 1;
	run_clusters_groups(d, s);
}

/* What could not be computed, and why. */
static void
run_note_unavailable(struct detector *d, size_t na)
{
	char *u = d->unavailable;
	size_t ul = sizeof d->unavailable;
	u[0] = '\0';
#define UNAV(text) do { size_t l_ = strlen(u); snprintf(u + l_, ul - l_, "%s%s", l_ ? ", " : "", text); } while (0)
	/* Say why: a missing database and addresses the database does not know (private or
	 * documentation ranges, a test capture) call for different actions from the analyst. */
	if (d->geo == NULL || !geo_has_asn(d->geo))
		UNAV("asn (no ASN database: Holz score and ASN terms off, prefix diversity used)");
	else if (!d->run_have_asn && na > 0)
		UNAV("asn (the ASN database knows none of the answer addresses: Holz score and ASN terms off, prefix diversity used)");
	if (d->geo == NULL || !geo_has_country(d->geo) || (!d->run_have_cc && na > 0))
		UNAV("country");
	if (d->geo == NULL || (!d->run_have_geo && na > 0))
		UNAV("geo distance");
	if (!d->run_have_ns)
		UNAV("nameserver layer (no NS records in the capture)");
	if (!d->have_allow)
		UNAV("allowlist (none found)");
#undef UNAV
}

static void
release_ainfo(struct detector *d)
{
	free(d->ainfo);
	d->ainfo = NULL;
	DET_FREE_VEC(d->ainfo_ok, d->cap_ainfo);
}

void
det_run(struct detector *d, const struct store *s)
{
	size_t nd = store_domain_count(s), na = store_addr_count(s);
	double t0 = fs_mono_ms(), t1, t2, t3, t4;

	run_prepare(d, s, nd, na);
	det_incr_prepare(d, s, nd);        /* what the previous run kept (incr.c) */
	det_zone_prepare(d, s);            /* registrable domains, zones, provider and pool zones */
	t1 = fs_mono_ms();
	fs_log_memory("detection prepared");
	run_pass_alone(d, s, nd, na);
	t2 = fs_mono_ms();
	fs_log_memory("detection pass 1");
	run_pass_results(d, s, nd);
	fs_log_memory("detection pass 2");
	/* the run's domain list is d->order's now: given back (4 bytes a domain) before the
	 * index's arrays are made */
	free(d->ids);
	d->ids = NULL;
	d->cap_ids = d->n_ids = 0;
	t3 = fs_mono_ms();
	det_zone_run(d, s);                /* zone verdicts; flux zones hand theirs to their names */
	t4 = fs_mono_ms();
	fs_log_memory("detection zones");
	run_index(d, s, nd);
	run_note_unavailable(d, na);
	d->s = NULL;
	if (fs_log_enabled()) {
		size_t flagged = 0;
		for (size_t i = 0; i < d->n_res; i++)
			flagged += det_is_flagged(det_code_res(d, d->order[i])->verdict);
		fs_log("detect", "run over %zu domains, %zu addresses: %zu results (%zu flagged), "
		       "%zu zone rows; %.1f ms (prepare %.1f, pass 1 %.1f, pass 2 %.1f, zones %.1f, "
		       "index %.1f); %zu compact, %zu templates", nd, na, d->n_res, flagged, d->n_zres, fs_mono_ms() - t0, t1 - t0,
		       t2 - t1, t3 - t2, t4 - t3, fs_mono_ms() - t4, d->cmp->n, d->cmp->n_tmpl);
	}
}

void
det_drop_results(struct detector *d)
{
	free_results(d);
	det_zone_drop_rows(d);
	DET_FREE_VEC(d->res, d->cap_res);
	DET_FREE_VEC(d->order, d->cap_order);
	DET_FREE_VEC(d->by_dom, d->cap_by_dom);
	if (d->cmp != NULL)
		DET_FREE_VEC(d->cmp->c, d->cmp->cap);
}

void
det_set_incremental(struct detector *d, bool on)
{
	d->incr_off = !on;
}

void
det_release_caches(struct detector *d)
{
	release_ainfo(d);
	DET_FREE_VEC(d->agent_since, d->cap_agent);
}

size_t
det_count(const struct detector *d)
{
	return d->n_res;
}

const struct det_result *
det_get(const struct detector *d, size_t i)
{
	if (i >= d->n_res)
		return NULL;
	if (d->order[i] & DET_CODE_COMPACT)
		return compact_get(d, i);
	return &d->res[d->order[i]];
}

const struct det_result *
det_view(const struct detector *d, size_t i, struct det_result *buf)
{
	if (i >= d->n_res)
		return NULL;
	if (d->order[i] & DET_CODE_COMPACT) {
		compact_fill(d, i, buf);
		return buf;
	}
	return &d->res[d->order[i]];
}

const struct det_result *
det_for_domain(const struct detector *d, store_dom_id dom)
{
	if (dom >= d->cap_by_dom || d->by_dom[dom] == 0)
		return NULL;
	return det_get(d, d->by_dom[dom] - 1);
}

const struct det_result *
det_view_domain(const struct detector *d, store_dom_id dom, struct det_result *buf)
{
	if (dom >= d->cap_by_dom || d->by_dom[dom] == 0)
		return NULL;
	return det_view(d, d->by_dom[dom] - 1, buf);
}

const struct det_term *
det_term_at(const struct det_result *r, int i, struct det_term *out)
{
	const struct det_terms *t = r->terms;
	bool avail = (t->avail >> i) & 1;

	out->name = det_term_names[i];
	out->unit = det_term_units[i];
	out->raw = t->raw[i];
	out->value = t->value[i];
	out->weight = t->weight[i];
	out->contribution = avail ? t->weight[i] * t->value[i] : 0;   /* as det_model_eval */
	out->available = avail;
	return out;
}

const struct det_term *
det_term_find(const struct det_result *r, const char *name, struct det_term *out)
{
	for (int i = 0; i < r->n_terms; i++)
		if (strcmp(det_term_names[i], name) == 0)
			return det_term_at(r, i, out);
	return NULL;
}

size_t
det_group_count(const struct detector *d)
{
	return d->n_groups;
}

const struct det_group *
det_group_get(const struct detector *d, size_t i)
{
	return i < d->n_groups ? &d->groups[i] : NULL;
}

bool
det_is_allowlisted(const struct detector *d, const char *name)
{
	const struct det_allow_entry *e;
	char *n;
	bool r;

	if (name == NULL)
		return false;
	n = xstrdup(name);
	r = det_normalise_name(n) && (e = det_allow_match_name(&d->allow, n)) != NULL;
	free(n);
	return r;
}

const char *
det_unavailable_features(const struct detector *d)
{
	return d->unavailable;
}

enum det_vantage
det_vantage(const struct detector *d)
{
	return d->vantage;
}

const char *
det_describe(const struct detector *d, char *buf, size_t len)
{
	size_t n = 0;
	n += (size_t)snprintf(buf + n, len - n, "weights %s; allowlist %s (%zu entries)",
	                      d->weights_src, d->allow_src ? d->allow_src : "none", d->allow.n);
	for (uint32_t i = 0; i < d->intel.n_feeds && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "; intel ", d->intel.feeds[i]);
	if (d->intel.n_feeds > 0 && n < len)
		snprintf(buf + n, len - n, " (%zu indicators, %zu lines skipped)", d->intel.n_entries,
		         d->intel.n_skipped);
	return buf;
}
