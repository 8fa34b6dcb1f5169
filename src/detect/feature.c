/* Per-domain features over a response timeline (docs/detection.md, "Features").
 *
 * "Fresh" answers: behind a caching resolver the same answer is repeated to every client until
 * its TTL runs out, and such repeats say nothing about rotation. An answer counts as fresh when
 * it is the first of its sequence (resolver × query type), when its set differs from the
 * previous answer of that sequence, or when the previous answer's TTL had expired (the
 * resolver must have asked again). Rotation and novelty are measured over fresh answers. */
#include "detect/detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const int det_window_seconds[DET_N_WINDOWS] = { 600, 3600, 86400 };
const char *const det_window_names[DET_N_WINDOWS] = { "10m", "1h", "24h" };

const char *
det_window_name(int i)
{
	return i >= 0 && i < DET_N_WINDOWS ? det_window_names[i] : "?";
}

#define REPLACE_STARTS 64      /* answers whose replacement time is measured */
#define REPLACE_SCAN 4096      /* later answers examined for each */
#define GEO_MAX_POINTS 256     /* distinct locations used for the greatest distance */

struct det_scratch {
	struct fs_map addr;       /* address id → index in ids + 1 */
	struct fs_map m1, m2, m3, seq;
	struct fs_map look;        /* (resolver, family) → index of its latest answer + 1 */
	uint32_t *ids;             /* distinct addresses, first-seen order */
	uint32_t *sight;           /* fresh sightings per distinct address */
	size_t cap_ids;
	uint32_t *fresh;           /* indices of fresh answers */
	uint32_t *fresh_new, *fresh_slots, *fresh_snew;
	size_t cap_fresh;
	uint32_t *counts;
	size_t cap_counts;
	double *pts;
	double *deltas;
	size_t cap_deltas;
	struct det_count *cnt;
	size_t cap_cnt;
	uint64_t *pairs;
	size_t cap_pairs;
	double *kms;
	size_t cap_kms;
};

struct det_scratch *
det_scratch_new(void)
{
	struct det_scratch *sc = xcalloc(1, sizeof *sc);
	fs_map_init(&sc->addr);
	fs_map_init(&sc->m1);
	fs_map_init(&sc->m2);
	fs_map_init(&sc->m3);
	fs_map_init(&sc->seq);
	fs_map_init(&sc->look);
	sc->pts = xreallocarray(NULL, GEO_MAX_POINTS * 2, sizeof *sc->pts);
	return sc;
}

void
det_scratch_free(struct det_scratch *sc)
{
	if (sc == NULL)
		return;
	fs_map_fini(&sc->addr);
	fs_map_fini(&sc->m1);
	fs_map_fini(&sc->m2);
	fs_map_fini(&sc->m3);
	fs_map_fini(&sc->seq);
	fs_map_fini(&sc->look);
	free(sc->ids);
	free(sc->sight);
	free(sc->fresh);
	free(sc->fresh_new);
	free(sc->fresh_slots);
	free(sc->fresh_snew);
	free(sc->counts);
	free(sc->pts);
	free(sc->deltas);
	free(sc->cnt);
	free(sc->pairs);
	free(sc->kms);
	free(sc);
}

static void
grow_u32(uint32_t **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	*p = xreallocarray(*p, n, sizeof **p);
	*cap = n;
}

/* Map values into sc->counts; returns how many. */
static size_t
map_counts(struct det_scratch *sc, const struct fs_map *m)
{
	size_t k = 0;
	grow_u32(&sc->counts, &sc->cap_counts, m->n + 1);
	for (uint32_t j = 0; j < m->n; j++)
		sc->counts[k++] = fs_map_val_at(m, j);
	return k;
}

/* Prefix diversity per address family, combined: the larger family's prefix count, and the
 * address-weighted mean of each family's normalised entropy. */
static void
family_prefixes(struct det_scratch *sc, const struct fs_map *m, uint32_t n4, uint32_t n6,
                uint32_t *count, double *entropy)
{
	uint32_t nf[2] = { 0, 0 }, tot[2] = { n4, n6 };
	double e[2] = { 0, 0 };

	grow_u32(&sc->counts, &sc->cap_counts, m->n + 1);
	for (int fam = 0; fam < 2; fam++) {
		size_t k = 0;
		for (uint32_t j = 0; j < m->n; j++)
			if ((int)(fs_map_key_at(m, j) >> 56) == (fam ? 6 : 4))
				sc->counts[k++] = fs_map_val_at(m, j);
		nf[fam] = (uint32_t)k;
		e[fam] = det_entropy_norm(sc->counts, k, tot[fam]);
	}
	*count = nf[0] > nf[1] ? nf[0] : nf[1];
	*entropy = n4 + n6 ? (n4 * e[0] + n6 * e[1]) / (n4 + n6) : 0;
}

/* Greatest great-circle distance among n points (lat, lon pairs): the largest chord between
 * unit vectors, turned into an arc once (no trigonometry in the O(n²) loop). */
static double
max_distance_km(const double *latlon, uint32_t n)
{
	const double d2r = M_PI / 180.0;
	double v[3 * 256], best = 0;

	if (n > 256)
		n = 256;
	for (uint32_t i = 0; i < n; i++) {
		double la = latlon[2 * i] * d2r, lo = latlon[2 * i + 1] * d2r;
		v[3 * i] = cos(la) * cos(lo);
		v[3 * i + 1] = cos(la) * sin(lo);
		v[3 * i + 2] = sin(la);
	}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++) {
			double dx = v[3 * i] - v[3 * j], dy = v[3 * i + 1] - v[3 * j + 1];
			double dz = v[3 * i + 2] - v[3 * j + 2];
			double c = dx * dx + dy * dy + dz * dz;
			if (c > best)
				best = c;
		}
	double half = sqrt(best) / 2;
	return 2 * 6371.0 * asin(half > 1 ? 1 : half);
}

static int
cmp_count_desc(const void *a, const void *b)
{
	const struct det_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return strcmp(x->cc, y->cc);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Top entries of a count map (key = asn or packed country code), most frequent first. */
static int
top_counts(struct det_scratch *sc, const struct fs_map *m, bool is_cc,
           const struct det_input *in, struct det_count *out)
{
	size_t k = 0;

	if (sc->cap_cnt < m->n + 1) {
		sc->cap_cnt = m->n + 64;
		sc->cnt = xreallocarray(sc->cnt, sc->cap_cnt, sizeof *sc->cnt);
	}
	for (uint32_t j = 0; j < m->n; j++) {
		uint64_t key = fs_map_key_at(m, j);
		struct det_count *c = &sc->cnt[k++];
		memset(c, 0, sizeof *c);
		c->n = fs_map_val_at(m, j);
		if (is_cc) {
			c->cc[0] = (char)(key >> 8);
			c->cc[1] = (char)(key & 0xff);
		} else
			c->asn = (uint32_t)key;
	}
	qsort(sc->cnt, k, sizeof *sc->cnt, cmp_count_desc);
	if (k > DET_TOP)
		k = DET_TOP;
	memcpy(out, sc->cnt, k * sizeof *out);
	(void)in;
	return (int)k;
}

/* Address family of an answer (answers hold one family: A or AAAA): 1 for IPv6. */
int
det_obs_family(const struct det_input *in, const struct det_obs *o)
{
	return o->n_addrs && in->info(in->ctx, o->addrs[0])->addr.family == 6 ? 1 : 0;
}

/* Breadth of one lookup (Holz et al. separate flux from CDNs with a single lookup): the fresh
 * answer `o` (index i) and, when every address has an ASN, the other family's latest answer
 * from the same resolver that was still valid when `o` came (a client asks for A and AAAA
 * together; a dual-stack service answers both from one provider, so counting ASNs adds no
 * network for it). Without ASN data the answer stays alone: its /16 and the other family's
 * /32 would always count as two networks. Keeps the lookup with the most networks, and, of
 * the lookups whose every address has an ASN of its own, the one across the most countries. */
static void
lookup_breadth(const struct det_input *in, const struct det_obs *o, uint32_t i,
               const struct fs_map *look, struct det_feat *f)
{
	enum { MAXL = 64 };
	uint32_t ids[MAXL];
	uint32_t m = 0;
	bool by_asn = in->have_asn;

	for (uint32_t k = 0; k < o->n_addrs && m < MAXL; k++)
		ids[m++] = o->addrs[k];
	for (uint32_t k = 0; k < m && by_asn; k++)
		by_asn = in->info(in->ctx, ids[k])->asn != 0;
	if (by_asn) {
		const uint32_t *pi = fs_map_get(look, ((uint64_t)o->resolver << 1) |
		                                          (uint64_t)(1 - det_obs_family(in, o)));
		const struct det_obs *p = pi != NULL && *pi - 1 < i ? &in->obs[*pi - 1] : NULL;
		if (p != NULL && (double)(o->ts - p->ts) < (double)p->ttl * FS_USEC) {
			bool all = true;
			for (uint32_t k = 0; k < p->n_addrs && all; k++)
				all = in->info(in->ctx, p->addrs[k])->asn != 0;
			for (uint32_t k = 0; all && k < p->n_addrs && m < MAXL; k++)
				ids[m++] = p->addrs[k];
		}
	}
	uint64_t nets[MAXL];
	char ccs[MAXL][3];
	uint32_t nn = 0, nc = 0;
	bool cc_all = in->have_country;
	for (uint32_t k = 0; k < m; k++) {
		const struct det_addr_info *ai = in->info(in->ctx, ids[k]);
		uint64_t key = by_asn ? ai->asn : det_prefix_key(&ai->addr, 16);
		uint32_t j;
		for (j = 0; j < nn && nets[j] != key; j++)
			;
		if (j == nn)
			nets[nn++] = key;
		if (ai->cc[0] == '\0') {
			cc_all = false;
			continue;
		}
		for (j = 0; j < nc && memcmp(ccs[j], ai->cc, 2) != 0; j++)
			;
		if (j == nc) {
			memcpy(ccs[nc], ai->cc, 2);
			ccs[nc++][2] = '\0';
		}
	}
	if (nn > f->breadth_nets || (nn == f->breadth_nets && m > f->breadth_addrs)) {
		f->breadth_nets = nn;
		f->breadth_addrs = m;
		f->breadth_asn = by_asn;
	}
	/* scattered: every address of the lookup in an ASN of its own, every country known;
	 * keep the one with the most countries */
	if (by_asn && cc_all && nn == m && m > 1 &&
	    (nc > f->scatter_ccs || (nc == f->scatter_ccs && m > f->scatter_addrs))) {
		f->scatter_addrs = m;
		f->scatter_ccs = nc;
	}
}

static void
features_ns(struct det_scratch *sc, const struct det_input *in, bool all, fs_time tcut,
            struct det_feat *f)
{
	const uint32_t *prev = NULL;
	uint32_t nprev = 0;
	bool first = true;

	size_t nt = 0;

	fs_map_clear(&sc->m1);
	if (in->n_ns > sc->cap_deltas) {
		sc->cap_deltas = in->n_ns + 16;
		sc->deltas = xreallocarray(sc->deltas, sc->cap_deltas, sizeof *sc->deltas);
	}
	for (uint32_t i = 0; i < in->n_ns; i++) {
		const struct det_ns_obs *o = &in->ns[i];
		bool fresh;
		if (!all && o->ts > tcut)
			continue;
		f->n_ns_obs++;
		if (o->ttl > 0)
			sc->deltas[nt++] = o->ttl;
		for (uint32_t k = 0; k < o->n_names; k++)
			fs_map_put(&sc->m1, o->names[k], &fresh);
		if (!first && (o->n_names != nprev ||
		               memcmp(o->names, prev, (size_t)nprev * sizeof *prev) != 0))
			f->n_ns_changes++;
		prev = o->names;
		nprev = o->n_names;
		first = false;
	}
	/* NS TTL estimate: the median of the observed TTLs. The minimum would be a cache's
	 * countdown, the maximum the parent zone's delegation TTL seen in a referral. */
	if (nt > 0) {
		qsort(sc->deltas, nt, sizeof *sc->deltas, cmp_double);
		double med = nt % 2 ? sc->deltas[nt / 2] : (sc->deltas[nt / 2 - 1] + sc->deltas[nt / 2]) / 2;
		f->ns_ttl = (uint32_t)(med + 0.5);
	}
	f->have_ns = f->n_ns_obs > 0;
	f->n_ns_names = sc->m1.n;
	if (!f->have_ns)
		return;

	/* The NS names' own addresses: diversity, how many per name (rotation) and overlap
	 * with flux agents (this domain's answers, or answers of other flagged domains). */
	fs_map_clear(&sc->m2);     /* ns address → 1 */
	fs_map_clear(&sc->m3);     /* asn / prefix keys */
	uint32_t names_with_addr = 0;
	struct fs_map *named = &sc->seq;   /* ns names that have an address */
	fs_map_clear(named);
	for (uint32_t i = 0; i < in->n_nsaddr; i++) {
		const struct det_ns_addr *na = &in->nsaddr[i];
		bool fresh;
		if (!all && na->first_seen > tcut)
			continue;
		if (fs_map_get(&sc->m1, na->name) == NULL)
			continue;
		fs_map_put(named, na->name, &fresh);
		if (fresh)
			names_with_addr++;
		if (na->ttl > 0 && (f->ns_glue_ttl == 0 || na->ttl < f->ns_glue_ttl))
			f->ns_glue_ttl = na->ttl;
		fs_map_put(&sc->m2, na->addr, &fresh);
		if (!fresh)
			continue;
		f->n_ns_addrs++;
		const struct det_addr_info *ai = in->info(in->ctx, na->addr);
		if (ai->asn != 0) {
			fs_map_put(&sc->m3, ((uint64_t)1 << 60) | ai->asn, &fresh);
			if (fresh)
				f->n_ns_asns++;
		}
		fs_map_put(&sc->m3, det_prefix_key(&ai->addr, 16), &fresh);
		if (fresh)
			f->n_ns_p16++;
		if (fs_map_get(&sc->addr, na->addr) != NULL ||
		    (in->is_agent != NULL && in->is_agent(in->ctx, na->addr, all ? INT64_MAX : tcut)))
			f->n_ns_agents++;
	}
	fs_map_clear(named);
	f->ns_addrs_per_name = names_with_addr ? (double)f->n_ns_addrs / names_with_addr : 0;
	f->ns_overlap = f->n_ns_addrs ? (double)f->n_ns_agents / f->n_ns_addrs : 0;
}

/* qsort of 64-bit keys without a comparator call per step: equal keys are the same value, so
 * any correct sort gives qsort's array. A quicksort (median of three) with insertion below 16. */
void
det_sort_u64(uint64_t *a, size_t n)
{
	while (n > 16) {
		uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
		uint64_t p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
		size_t i = 0, j = n - 1;
		for (;;) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i >= j)
				break;
			uint64_t t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* [0, j] <= p <= [j + 1, n): the smaller side by recursion, the other by the loop */
		if (j + 1 >= n)
			break;                 /* no split (cannot happen with a median of three) */
		if (j + 1 < n - j - 1) {
			det_sort_u64(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			det_sort_u64(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

#define LOCAL_MAX_POINTS 64

/* Spread per resolver: the greatest distance and the /16 entropy of the distinct addresses
 * each resolver was given, per address family (a dual-stack service's IPv4 and IPv6 prefixes
 * are one network, not two). */
static void
features_local(struct det_scratch *sc, const struct det_input *in, uint32_t n, struct det_feat *f)
{
	size_t np = 0, nk = 0;
	double wsum = 0, esum = 0;

	for (uint32_t i = 0; i < n; i++)
		np += in->obs[i].n_addrs;
	if (np > sc->cap_pairs) {
		sc->cap_pairs = np + 64;
		sc->pairs = xreallocarray(sc->pairs, sc->cap_pairs, sizeof *sc->pairs);
	}
	np = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < in->obs[i].n_addrs; k++)
			sc->pairs[np++] = ((uint64_t)in->obs[i].resolver << 33) |
			                  ((uint64_t)det_obs_family(in, &in->obs[i]) << 32) | in->obs[i].addrs[k];
	det_sort_u64(sc->pairs, np);
	f->n_resolvers = 0;
	f->local_km = f->local_p16_entropy = -1;
	uint64_t prev_res = UINT64_MAX;
	for (size_t i = 0; i < np; ) {
		uint64_t res = sc->pairs[i] >> 32;   /* resolver and family */
		uint32_t m = 0, npts = 0, nloc = 0;
		double pts[2 * LOCAL_MAX_POINTS];
		fs_map_clear(&sc->m3);
		for (; i < np && (sc->pairs[i] >> 32) == res; i++) {
			if (i > 0 && sc->pairs[i] == sc->pairs[i - 1])
				continue;
			const struct det_addr_info *ai = in->info(in->ctx, (uint32_t)sc->pairs[i]);
			bool fr;
			m++;
			(*fs_map_put(&sc->m3, det_prefix_key(&ai->addr, 16), &fr))++;
			if (in->have_geo && ai->has_loc)
				nloc++;
			if (in->have_geo && ai->has_loc && npts < LOCAL_MAX_POINTS) {
				bool dup = false;
				for (uint32_t k = 0; k < npts && !dup; k++)
					dup = pts[2 * k] == ai->geo->lat && pts[2 * k + 1] == ai->geo->lon;
				if (!dup) {
					pts[2 * npts] = ai->geo->lat;
					pts[2 * npts + 1] = ai->geo->lon;
					npts++;
				}
			}
		}
		if ((res >> 1) != prev_res)
			f->n_resolvers++;
		prev_res = res >> 1;
		if (m >= 2) {
			size_t k = map_counts(sc, &sc->m3);
			esum += m * det_entropy_norm(sc->counts, k, m);
			wsum += m;
		}
		if (nloc >= 2) {
			double best = max_distance_km(pts, npts);
			if (nk == sc->cap_kms) {
				sc->cap_kms = sc->cap_kms ? sc->cap_kms * 2 : 16;
				sc->kms = xreallocarray(sc->kms, sc->cap_kms, sizeof *sc->kms);
			}
			sc->kms[nk++] = best;
		}
	}
	if (wsum > 0)
		f->local_p16_entropy = esum / wsum;
	if (nk > 0) {
		qsort(sc->kms, nk, sizeof *sc->kms, cmp_double);
		f->local_km = nk % 2 ? sc->kms[nk / 2] : (sc->kms[nk / 2 - 1] + sc->kms[nk / 2]) / 2;
	}
}

static void
features_windows(struct det_scratch *sc, const struct det_input *in, uint32_t n,
                 struct det_feat *f)
{
	for (int w = 0; w < DET_N_WINDOWS; w++) {
		fs_time len = (fs_time)det_window_seconds[w] * FS_USEC;
		uint32_t lo = 0, nd = 0, na = 0, best_d = 0, best_a = 0;
		fs_map_clear(&sc->m1);   /* addr → slots in window */
		fs_map_clear(&sc->m2);   /* asn → slots in window */
		for (uint32_t hi = 0; hi < n; hi++) {
			const struct det_obs *o = &in->obs[hi];
			bool fresh;
			for (uint32_t k = 0; k < o->n_addrs; k++) {
				uint32_t *c = fs_map_put(&sc->m1, o->addrs[k], &fresh);
				if ((*c)++ == 0)
					nd++;
				uint32_t asn = in->have_asn ? in->info(in->ctx, o->addrs[k])->asn : 0;
				if (asn != 0) {
					c = fs_map_put(&sc->m2, asn, &fresh);
					if ((*c)++ == 0)
						na++;
				}
			}
			while (o->ts - in->obs[lo].ts > len) {
				const struct det_obs *g = &in->obs[lo++];
				for (uint32_t k = 0; k < g->n_addrs; k++) {
					uint32_t *c = fs_map_put(&sc->m1, g->addrs[k], &fresh);
					if (--(*c) == 0)
						nd--;
					uint32_t asn = in->have_asn ? in->info(in->ctx, g->addrs[k])->asn : 0;
					if (asn != 0) {
						c = fs_map_put(&sc->m2, asn, &fresh);
						if (--(*c) == 0)
							na--;
					}
				}
			}
			if (nd > best_d)
				best_d = nd;
			if (na > best_a)
				best_a = na;
		}
		f->win_addrs[w] = best_d;
		f->win_asns[w] = best_a;
	}
}

static void
features_replace(struct det_scratch *sc, const struct det_input *in, uint32_t nfresh,
                 struct det_feat *f)
{
	size_t nd = 0;

	if (sc->cap_deltas < REPLACE_STARTS) {
		sc->cap_deltas = REPLACE_STARTS;
		sc->deltas = xreallocarray(sc->deltas, sc->cap_deltas, sizeof *sc->deltas);
	}
	for (uint32_t i = 0; i < nfresh && i < REPLACE_STARTS; i++) {
		const struct det_obs *a = &in->obs[sc->fresh[i]];
		int fam = det_obs_family(in, a);
		for (uint32_t j = i + 1; j < nfresh && j - i <= REPLACE_SCAN; j++) {
			const struct det_obs *b = &in->obs[sc->fresh[j]];
			if (det_obs_family(in, b) != fam)
				continue;     /* an AAAA answer does not replace an A answer */
			if (det_disjoint(a->addrs, a->n_addrs, b->addrs, b->n_addrs)) {
				sc->deltas[nd++] = (double)(b->ts - a->ts) / FS_USEC;
				break;
			}
		}
	}
	if (nd == 0) {
		f->replace_s = -1;
		f->replace_ttls = -1;
		return;
	}
	qsort(sc->deltas, nd, sizeof *sc->deltas, cmp_double);
	f->replace_s = nd % 2 ? sc->deltas[nd / 2] : (sc->deltas[nd / 2 - 1] + sc->deltas[nd / 2]) / 2;
	f->replace_ttls = f->replace_s / (f->ttl > 0 ? f->ttl : 1);
}

/* Pass over answers: addresses, sets, TTLs per set, periods, freshness, rotation; the fresh
 * answers are left in sc->fresh* for the novelty pass. Returns the number of fresh answers. */
static uint32_t
features_answers(struct det_scratch *sc, const struct det_input *in, uint32_t n, struct det_feat *f)
{
	uint32_t nfresh = 0;
	uint64_t fresh_slots = 0;
	double period_us = (double)(f->ttl > 0 ? f->ttl : 1) * FS_USEC;

	if (n > sc->cap_fresh) {
		size_t c = sc->cap_fresh ? sc->cap_fresh : 64;
		while (c < n)
			c *= 2;
		sc->fresh = xreallocarray(sc->fresh, c, sizeof *sc->fresh);
		sc->fresh_new = xreallocarray(sc->fresh_new, c, sizeof *sc->fresh_new);
		sc->fresh_slots = xreallocarray(sc->fresh_slots, c, sizeof *sc->fresh_slots);
		sc->fresh_snew = xreallocarray(sc->fresh_snew, c, sizeof *sc->fresh_snew);
		sc->cap_fresh = c;
	}
	fs_map_clear(&sc->seq);
	fs_map_clear(&sc->look);
	fs_map_clear(&sc->m1);    /* set id → max TTL */
	fs_map_clear(&sc->m2);    /* period index */
	fs_map_clear(&sc->m3);    /* (sequence, address) seen */
	double jac_sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct det_obs *o = &in->obs[i];
		bool fr;
		uint32_t nnew = 0;

		if (o->n_addrs > f->max_per_resp)
			f->max_per_resp = o->n_addrs;
		uint32_t *st = fs_map_put(&sc->m1, o->set ? o->set : ((uint64_t)1 << 40) + i, &fr);
		if (o->ttl > *st || fr)
			*st = o->ttl;
		fs_map_put(&sc->m2, (uint64_t)((double)(o->ts - f->first) / period_us), &fr);

		for (uint32_t k = 0; k < o->n_addrs; k++) {
			uint32_t *slot = fs_map_put(&sc->addr, o->addrs[k], &fr);
			if (fr) {
				if (f->n_addrs + 1 > sc->cap_ids) {
					size_t c = sc->cap_ids ? sc->cap_ids * 2 : 64;
					sc->ids = xreallocarray(sc->ids, c, sizeof *sc->ids);
					sc->sight = xreallocarray(sc->sight, c, sizeof *sc->sight);
					sc->cap_ids = c;
				}
				sc->ids[f->n_addrs] = o->addrs[k];
				sc->sight[f->n_addrs] = 0;
				*slot = ++f->n_addrs;
				nnew++;
			}
		}

		/* freshness within the sequence */
		uint32_t *last = fs_map_put(&sc->seq, o->seq, &fr);
		bool fresh = fr;
		if (!fr) {
			const struct det_obs *p = &in->obs[*last - 1];
			bool same = p->n_addrs == o->n_addrs &&
			            memcmp(p->addrs, o->addrs, (size_t)o->n_addrs * sizeof *o->addrs) == 0;
			bool expired = (double)(o->ts - p->ts) >= (double)p->ttl * FS_USEC;
			if (!same || expired) {
				fresh = true;
				f->comparisons++;
				if (!same) {
					f->changes++;
					jac_sum += det_jaccard_distance(p->addrs, p->n_addrs, o->addrs, o->n_addrs);
				}
			}
		}
		*last = i + 1;
		if (fresh) {
			/* addresses this sequence (resolver) had not been given before; UINT32_MAX
			 * marks the first answer of a sequence */
			uint32_t snew = 0;
			for (uint32_t k = 0; k < o->n_addrs; k++) {
				bool f2;
				fs_map_put(&sc->m3, ((uint64_t)o->seq << 32) | o->addrs[k], &f2);
				snew += f2;
			}
			/* breadth: distinct networks within one lookup — this answer, with the other
			 * family's answer this resolver gave and that was still valid (a client asks
			 * for A and AAAA together) when networks are counted by ASN */
			lookup_breadth(in, o, i, &sc->look, f);
			sc->fresh_snew[nfresh] = fr ? UINT32_MAX : snew;
			sc->fresh[nfresh] = i;
			sc->fresh_new[nfresh] = nnew;
			sc->fresh_slots[nfresh] = o->n_addrs;
			nfresh++;
			fresh_slots += o->n_addrs;
			for (uint32_t k = 0; k < o->n_addrs; k++)
				sc->sight[*fs_map_get(&sc->addr, o->addrs[k]) - 1]++;
		}
		*fs_map_put(&sc->look, ((uint64_t)o->resolver << 1) | (uint64_t)det_obs_family(in, o), &fr) = i + 1;
	}
	f->n_fresh = nfresh;
	f->n_seq_addrs = sc->m3.n;
	f->n_sets = sc->m1.n;
	f->periods = sc->m2.n;
	{
		/* distinct TTLs among the per-set maxima (the authoritative TTL of each RRset) */
		size_t k = map_counts(sc, &sc->m1);
		fs_map_clear(&sc->m3);
		for (size_t i = 0; i < k; i++) {
			bool fr;
			fs_map_put(&sc->m3, sc->counts[i], &fr);
		}
		f->n_ttls = sc->m3.n;
	}
	f->mean_per_resp = nfresh ? (double)fresh_slots / nfresh : 0;
	/* sightings per address per resolver: a round robin is seen again and again by each */
	f->mean_sightings = f->n_seq_addrs ? (double)fresh_slots / f->n_seq_addrs : 0;
	f->change_frac = f->comparisons ? (double)f->changes / f->comparisons : 0;
	f->jaccard = f->changes ? jac_sum / f->changes : 0;
	{
		double span = f->span_s;
		if (span < f->ttl)
			span = f->ttl;
		if (span < 60)
			span = 60;
		f->changes_per_hour = f->changes * 3600.0 / span;
	}
	return nfresh;
}

/* Novelty and growth over the fresh answers features_answers left in the scratch. */
static void
features_novelty(const struct det_scratch *sc, const struct det_input *in, uint32_t nfresh,
                 struct det_feat *f)
{
	/* Novelty: share of address slots in fresh answers after the first that were never seen
	 * before (for this domain, by any resolver). Late novelty, for the bounded-pool guard:
	 * the same per resolver, over the second half of the answers that were not the first of
	 * their resolver: does each resolver still get addresses it has not had before? */
	{
		uint64_t s_all = 0, n_all = 0, s_late = 0, n_late = 0;
		uint32_t later = 0, k = 0;
		/* the first fresh answer of each family starts its set: an AAAA answer after an A
		 * answer brings no "new" addresses */
		bool fam_seen[2] = { false, false };
		uint32_t first_size = 0;
		for (uint32_t i = 0; i < nfresh; i++) {
			int fam = det_obs_family(in, &in->obs[sc->fresh[i]]);
			if (!fam_seen[fam]) {
				fam_seen[fam] = true;
				first_size += sc->fresh_slots[i];
				continue;
			}
			s_all += sc->fresh_slots[i];
			n_all += sc->fresh_new[i];
		}
		f->first_sizes = first_size;
		for (uint32_t i = 0; i < nfresh; i++)
			later += sc->fresh_snew[i] != UINT32_MAX;
		for (uint32_t i = 0; i < nfresh; i++) {
			if (sc->fresh_snew[i] == UINT32_MAX)
				continue;
			if (++k > later - later / 2) {
				s_late += sc->fresh_slots[i];
				n_late += sc->fresh_snew[i];
			}
		}
		f->novelty = s_all ? (double)n_all / s_all : 0;
		f->n_later = later;
		f->novelty_late = later >= 4 ? (s_late ? (double)n_late / s_late : 0) : f->novelty;
	}
	/* Growth: new addresses per further TTL period with answers (flux keeps adding agents;
	 * CDNs, pools and round robins saturate). */
	f->growth = f->periods > 1 && f->n_addrs > f->first_sizes ?
	            (double)(f->n_addrs - f->first_sizes) / (f->periods - 1) : 0;

}

static void
features_holz(struct det_scratch *sc, const struct det_input *in, uint32_t n, struct det_feat *f)
{
	/* Holz et al.: the first lookup and the first one at least one TTL after it. */
	{
		const struct det_obs *a = &in->obs[0], *b = NULL;
		fs_time due = a->ts + (fs_time)(a->ttl > 0 ? a->ttl : 1) * FS_USEC;
		int fam = det_obs_family(in, a);
		for (uint32_t i = 1; i < n; i++)
			if (in->obs[i].ts >= due && det_obs_family(in, &in->obs[i]) == fam) {
				b = &in->obs[i];
				break;
			}
		fs_map_clear(&sc->m1);
		fs_map_clear(&sc->m2);
		for (int side = 0; side < 2; side++) {
			const struct det_obs *o = side ? b : a;
			bool fr;
			if (o == NULL)
				continue;
			for (uint32_t k = 0; k < o->n_addrs; k++) {
				fs_map_put(&sc->m1, o->addrs[k], &fr);
				if (!fr)
					continue;
				uint32_t asn = in->have_asn ? in->info(in->ctx, o->addrs[k])->asn : 0;
				if (asn != 0)
					fs_map_put(&sc->m2, asn, &fr);
			}
		}
		f->holz_na = sc->m1.n;
		f->holz_nasn = sc->m2.n;
		f->holz_two_lookups = b != NULL;
	}

}

static void
features_spread(struct det_scratch *sc, const struct det_input *in, struct det_feat *f)
{
	/* Spread over distinct addresses: ASNs, prefixes, countries, locations. */
	fs_map_clear(&sc->m1);    /* asn → addresses */
	fs_map_clear(&sc->m2);    /* country → addresses */
	fs_map_clear(&sc->m3);    /* /16 → addresses */
	struct fs_map *p24 = &sc->seq;
	fs_map_clear(p24);
	uint32_t npts = 0;
	for (uint32_t i = 0; i < f->n_addrs; i++) {
		const struct det_addr_info *ai = in->info(in->ctx, sc->ids[i]);
		bool fr;
		if (ai->addr.family == 6)
			f->n_v6++;
		if (in->have_asn && ai->asn != 0) {
			f->n_asn_known++;
			(*fs_map_put(&sc->m1, ai->asn, &fr))++;
		}
		if (in->have_country && ai->cc[0] != '\0') {
			f->n_cc_known++;
			uint64_t key = ((uint64_t)(uint8_t)ai->cc[0] << 8) | (uint8_t)ai->cc[1];
			(*fs_map_put(&sc->m2, key, &fr))++;
		}
		(*fs_map_put(&sc->m3, det_prefix_key(&ai->addr, 16), &fr))++;
		(*fs_map_put(p24, det_prefix_key(&ai->addr, 24), &fr))++;
		if (in->have_geo && ai->has_loc) {
			f->n_located++;
			bool dup = false;
			for (uint32_t k = 0; k < npts && !dup; k++)
				dup = sc->pts[2 * k] == ai->geo->lat && sc->pts[2 * k + 1] == ai->geo->lon;
			if (!dup && npts < GEO_MAX_POINTS) {
				sc->pts[2 * npts] = ai->geo->lat;
				sc->pts[2 * npts + 1] = ai->geo->lon;
				npts++;
			}
		}
	}
	size_t k;
	f->n_asns = sc->m1.n;
	k = map_counts(sc, &sc->m1);
	f->asn_entropy = det_entropy(sc->counts, k);
	f->as_fraction = det_as_fraction(f->n_asn_known, f->n_asns);
	f->n_countries = sc->m2.n;
	k = map_counts(sc, &sc->m2);
	f->country_entropy = det_entropy(sc->counts, k);
	f->n_p16 = sc->m3.n;
	f->n_p24 = p24->n;
	family_prefixes(sc, &sc->m3, f->n_addrs - f->n_v6, f->n_v6, &f->n_p16_fam, &f->p16_entropy);
	family_prefixes(sc, p24, f->n_addrs - f->n_v6, f->n_v6, &f->n_p24_fam, &f->p24_entropy);
	f->n_top_asn = top_counts(sc, &sc->m1, false, in, f->top_asn);
	for (int i = 0; i < f->n_top_asn; i++) {
		/* label from any address of that ASN */
		for (uint32_t j = 0; j < f->n_addrs; j++) {
			const struct det_addr_info *ai = in->info(in->ctx, sc->ids[j]);
			if (ai->asn == f->top_asn[i].asn) {
				f->top_asn[i].label = ai->geo != NULL ? ai->geo->as_org : NULL;
				break;
			}
		}
	}
	f->n_top_cc = top_counts(sc, &sc->m2, true, in, f->top_cc);
	if (npts >= 2)
		f->max_km = max_distance_km(sc->pts, npts);
	else if (npts == 1 && f->n_located >= 2)
		f->max_km = 0;
}

void
det_features(struct det_scratch *sc, const struct det_input *in, uint32_t upto,
             struct det_feat *f)
{
	uint32_t n = upto < in->n_obs ? upto : in->n_obs;
	bool all = upto >= in->n_obs;

	memset(f, 0, sizeof *f);
	f->max_km = -1;
	f->local_km = f->local_p16_entropy = -1;
	f->replace_s = f->replace_ttls = -1;
	fs_map_clear(&sc->addr);
	if (n == 0) {
		features_ns(sc, in, all, 0, f);
		return;
	}
	f->n_obs = n;
	f->first = in->obs[0].ts;
	f->last = in->obs[n - 1].ts;
	f->span_s = (double)(f->last - f->first) / FS_USEC;
	f->ttl_min = UINT32_MAX;
	for (uint32_t i = 0; i < n; i++) {
		if (in->obs[i].ttl > f->ttl)
			f->ttl = in->obs[i].ttl;
		if (in->obs[i].ttl < f->ttl_min)
			f->ttl_min = in->obs[i].ttl;
	}
	uint32_t nfresh = features_answers(sc, in, n, f);
	features_novelty(sc, in, nfresh, f);
	features_holz(sc, in, n, f);
	features_spread(sc, in, f);

	features_windows(sc, in, n, f);
	features_local(sc, in, n, f);
	features_replace(sc, in, nfresh, f);
	features_ns(sc, in, all, f->last, f);
	if (f->ttl_min == UINT32_MAX)
		f->ttl_min = 0;
}

void
det_features_agents(struct det_scratch *sc, const struct det_input *in, struct det_feat *f)
{
	struct det_feat t;

	/* features_ns counts an NS address as an agent when it is one of the domain's own answer
	 * addresses (sc->addr, which features_answers fills) or in->is_agent says so */
	fs_map_clear(&sc->addr);
	for (uint32_t i = 0; i < in->n_obs; i++)
		for (uint32_t k = 0; k < in->obs[i].n_addrs; k++) {
			bool fr;
			fs_map_put(&sc->addr, in->obs[i].addrs[k], &fr);
		}
	memset(&t, 0, sizeof t);
	features_ns(sc, in, true, 0, &t);
	f->n_ns_agents = t.n_ns_agents;
	f->ns_overlap = t.ns_overlap;
}
