/* Spread of a set of addresses: distinct ASNs, countries, cities and networks, the top ASNs and
 * countries with their shares, entropies and the greatest distance between two addresses. */
#include "enrich/enrich_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_RADIUS_KM 6371.0088   /* IUGG mean radius */
#define DEG2RAD (3.14159265358979323846 / 180.0)
/* Distinct locations compared pairwise for max_km; beyond this the farthest pair is searched
 * among the first ones only (flux domains rarely reach even a few hundred). */
#define GEO_MAX_POINTS 4096

double
geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
	double dp = (lat2 - lat1) * DEG2RAD, dl = (lon2 - lon1) * DEG2RAD;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	if (a > 1.0)
		a = 1.0;
	return 2.0 * EARTH_RADIUS_KM * atan2(sqrt(a), sqrt(1.0 - a));
}

struct tally {
	uint64_t key;              /* ASN, or a country code packed in two bytes, or a pointer */
	const char *label;
	uint32_t n;
};

/* qsort's order for the spread's arrays (glibc's qsort is a merge sort: stable) without its
 * calls through a comparator: a stable merge sort per element type, insertion below 16
 * elements. LESS(x, y): x goes strictly before y. */
#define DEFINE_STABLE_SORT(name, T, LESS)                                                        \
	static void name##_rec(T *a, T *t, size_t n)                                             \
	{                                                                                        \
		if (n <= 16) {                                                                   \
			for (size_t i = 1; i < n; i++) {                                         \
				T x = a[i];                                                      \
				size_t j = i;                                                    \
				for (; j > 0 && (LESS(x, a[j - 1])); j--)                        \
					a[j] = a[j - 1];                                         \
				a[j] = x;                                                        \
			}                                                                        \
			return;                                                                  \
		}                                                                                \
		size_t h = n / 2, i = 0, j = h, k = 0;                                           \
		name##_rec(a, t, h);                                                             \
		name##_rec(a + h, t, n - h);                                                     \
		while (i < h && j < n)                                                           \
			t[k++] = (LESS(a[j], a[i])) ? a[j++] : a[i++];                           \
		while (i < h)                                                                    \
			t[k++] = a[i++];                                                         \
		while (j < n)                                                                    \
			t[k++] = a[j++];                                                         \
		memcpy(a, t, n * sizeof *a);                                                     \
	}                                                                                        \
	static void name(T *a, size_t n, T *t) /* t: room for n elements */                      \
	{                                                                                        \
		name##_rec(a, t, n);                                                             \
	}

#define TALLY_KEY_LESS(x, y) ((x).key < (y).key)
#define TALLY_RANK_LESS(x, y) ((x).n != (y).n ? (x).n > (y).n : (x).key < (y).key)
DEFINE_STABLE_SORT(sort_tally_key, struct tally, TALLY_KEY_LESS)
DEFINE_STABLE_SORT(sort_tally_rank, struct tally, TALLY_RANK_LESS)

/* Sort keys, merge equal ones; returns the number of distinct keys (counts summed). tmp: room
 * for n. */
static size_t
tally_merge(struct tally *t, size_t n, struct tally *tmp)
{
	size_t d = 0;

	if (n == 0)
		return 0;
	sort_tally_key(t, n, tmp);
	for (size_t i = 1; i < n; i++) {
		if (t[i].key == t[d].key)
			t[d].n += t[i].n;
		else
			t[++d] = t[i];
	}
	return d + 1;
}

static double
entropy(const struct tally *t, size_t n)
{
	double total = 0, h = 0;

	for (size_t i = 0; i < n; i++)
		total += t[i].n;
	for (size_t i = 0; i < n; i++) {
		double p = t[i].n / total;
		h -= p * log2(p);
	}
	return h > 0 ? h : 0.0;   /* never -0 */
}

/* The form addresses are compared on: ::ffff:1.2.3.4 and 1.2.3.4 are one address. */
static bool
norm_key(const fs_addr *a, fs_addr *k)
{
	memset(k, 0, sizeof *k);
	k->family = a->family;
	memcpy(k->bytes, a->bytes, k->family == 4 ? 4 : 16);
	if (k->family == 6 && memcmp(k->bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		k->family = 4;
		memmove(k->bytes, k->bytes + 12, 4);
		memset(k->bytes + 4, 0, 12);
	}
	return k->family == 4 || k->family == 6;
}

struct keyed_row {
	fs_addr k;
	const struct geo_info *info;   /* NULL: looked up by spread_sorted */
};

#define KEYED_LESS(x, y) (fs_addr_cmp(&(x).k, &(y).k) < 0)
DEFINE_STABLE_SORT(sort_keyed, struct keyed_row, KEYED_LESS)

/* Working memory of one summary. Its arrays are carved from one block the thread keeps (up to
 * SCRATCH_KEEP bytes; a summary needing more takes a block of its own for the call), so that a
 * warm thread allocates nothing for a summary, and the report's threads do not strew blocks
 * of every size over the heap (whose pages they would then each touch). */
#define SCRATCH_KEEP ((size_t)1 << 20)
struct scratch {
	unsigned char *p;
	size_t cap, used;
	bool own;                  /* p is this call's (over SCRATCH_KEEP), not the thread's */
};
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void
scratch_key_init(void)
{
	if (pthread_key_create(&scratch_key, free) != 0)
		fs_fatal("cannot create a thread key");
}

/* A block of at least need bytes for this call. */
static void
scratch_begin(struct scratch *sc, size_t need)
{
	struct { size_t cap; } *kept;

	pthread_once(&scratch_once, scratch_key_init);
	sc->used = 0;
	if (need > SCRATCH_KEEP) {
		sc->p = xmalloc(need);
		sc->cap = need;
		sc->own = true;
		return;
	}
	kept = pthread_getspecific(scratch_key);   /* its capacity, then the bytes */
	if (kept == NULL || kept->cap < need) {
		size_t cap = kept != NULL ? kept->cap : 0;
		if (cap < 4096)
			cap = 4096;
		while (cap < need)
			cap *= 2;
		free(kept);
		kept = xmalloc(sizeof *kept + cap);
		kept->cap = cap;
		if (pthread_setspecific(scratch_key, kept) != 0)
			fs_fatal("cannot keep a thread's working memory");
	}
	sc->p = (unsigned char *)(kept + 1);
	sc->cap = kept->cap;
	sc->own = false;
}

/* n elements of size each from the block (8-byte aligned). */
static void *
scratch_take(struct scratch *sc, size_t n, size_t size)
{
	size_t at = (sc->used + 7) & ~(size_t)7, len = n * size;

	if (at + len > sc->cap)
		fs_fatal("spread working memory miscounted");
	sc->used = at + len;
	return sc->p + at;
}

static void
scratch_end(struct scratch *sc)
{
	if (sc->own)
		free(sc->p);
}

/* What a summary over n keys of which nu are distinct takes (each array rounded to 8). */
#define SCR(n, size) ((((size_t)(n) * (size)) + 7) & ~(size_t)7)
static size_t
scratch_need(size_t n)
{
	size_t nu = n + 1;

	return 2 * SCR(n, sizeof(struct keyed_row)) + SCR(nu, sizeof(fs_addr)) +
	       SCR(nu, sizeof(const struct geo_info *)) + 5 * SCR(nu, sizeof(struct tally)) +
	       SCR(nu, 2 * sizeof(double));
}

static void spread_sorted(struct scratch *sc, const struct geo_info *const *infos, size_t nu,
                          struct geo_spread *out);


/* The summary over nu normalised keys (their infos, or NULL to look them up): sorted, each
 * distinct address once. kr is sc's first array. */
static void
spread_keyed(struct geo *g, struct scratch *sc, struct keyed_row *kr, size_t nu,
             struct geo_spread *out)
{
	struct keyed_row *tmp = scratch_take(sc, nu, sizeof *tmp);
	fs_addr *u = scratch_take(sc, nu + 1, sizeof *u);
	const struct geo_info **infos = scratch_take(sc, nu + 1, sizeof *infos);
	size_t d = 0;

	sort_keyed(kr, nu, tmp);
	for (size_t i = 0; i < nu; i++)
		if (d == 0 || fs_addr_cmp(&u[d - 1], &kr[i].k) != 0) {
			u[d] = kr[i].k;
			infos[d++] = kr[i].info;
		}
	for (size_t i = 0; i < d; i++)
		if (infos[i] == NULL)
			infos[i] = geo_lookup(g, &u[i]);
	spread_sorted(sc, infos, d, out);
}

void
geo_spread_addrs(struct geo *g, const fs_addr *addrs, size_t n, struct geo_spread *out)
{
	struct scratch sc;
	struct keyed_row *kr;
	size_t nu = 0;

	memset(out, 0, sizeof *out);
	if (n == 0)
		return;
	scratch_begin(&sc, scratch_need(n));
	kr = scratch_take(&sc, n, sizeof *kr);
	for (size_t i = 0; i < n; i++)
		if (norm_key(&addrs[i], &kr[nu].k))
			kr[nu++].info = NULL;
	spread_keyed(g, &sc, kr, nu, out);
	scratch_end(&sc);
}

/* geo_spread_addrs() over rows already looked up: the same summary without a second lookup
 * of every address (geo_lookup normalises, so equal keys have equal infos). */
void
geo_spread_rows(struct geo *g, const struct geo_addr_row *rows, size_t n, struct geo_spread *out)
{
	struct scratch sc;
	struct keyed_row *kr;
	size_t nu = 0;

	memset(out, 0, sizeof *out);
	if (n == 0)
		return;
	scratch_begin(&sc, scratch_need(n));
	kr = scratch_take(&sc, n, sizeof *kr);
	for (size_t i = 0; i < n; i++)
		if (norm_key(&rows[i].addr, &kr[nu].k))
			kr[nu++].info = rows[i].info;
	spread_keyed(g, &sc, kr, nu, out);
	scratch_end(&sc);
}

/* The summary over the infos of nu distinct addresses, in address order. */
static void
spread_sorted(struct scratch *sc, const struct geo_info *const *infos, size_t nu,
              struct geo_spread *out)
{
	struct tally *asn, *cc, *city, *net, *tmp;
	double (*pts)[2];
	size_t na = 0, nc = 0, nci = 0, nn = 0, np = 0;

	out->n_addrs = (uint32_t)nu;
	asn = scratch_take(sc, nu + 1, sizeof *asn);
	cc = scratch_take(sc, nu + 1, sizeof *cc);
	city = scratch_take(sc, nu + 1, sizeof *city);
	net = scratch_take(sc, nu + 1, sizeof *net);
	tmp = scratch_take(sc, nu + 1, sizeof *tmp);
	pts = scratch_take(sc, nu + 1, sizeof *pts);
	for (size_t i = 0; i < nu; i++) {
		const struct geo_info *gi = infos[i];

		if (gi->found)
			out->n_found++;
		if (gi->asn != 0)
			asn[na++] = (struct tally){ gi->asn, gi->as_org, 1 };
		else
			out->n_no_asn++;
		if (gi->country[0] != '\0')
			cc[nc++] = (struct tally){ (uint64_t)(unsigned char)gi->country[0] << 8 |
			                                   (unsigned char)gi->country[1], "", 1 };
		else
			out->n_no_country++;
		/* interned strings: equal text, equal pointer */
		if (gi->city[0] != '\0')
			city[nci++] = (struct tally){ (uint64_t)(uintptr_t)gi->city, gi->city, 1 };
		if (gi->network[0] != '\0')
			net[nn++] = (struct tally){ (uint64_t)(uintptr_t)gi->network, gi->network, 1 };
		if (gi->has_location) {
			pts[np][0] = gi->lat;
			pts[np][1] = gi->lon;
			np++;
		}
	}
	out->n_located = (uint32_t)np;
	na = tally_merge(asn, na, tmp);
	nc = tally_merge(cc, nc, tmp);
	out->n_asns = (uint32_t)na;
	out->n_countries = (uint32_t)nc;
	out->n_cities = (uint32_t)tally_merge(city, nci, tmp);
	out->n_networks = (uint32_t)tally_merge(net, nn, tmp);
	out->asn_entropy = entropy(asn, na);
	out->country_entropy = entropy(cc, nc);
	sort_tally_rank(asn, na, tmp);
	sort_tally_rank(cc, nc, tmp);
	for (size_t i = 0; i < na && i < GEO_TOP; i++)
		out->top_asns[out->n_top_asns++] = (struct geo_share){
			(uint32_t)asn[i].key, "", asn[i].label, asn[i].n, (double)asn[i].n / (double)nu };
	for (size_t i = 0; i < nc && i < GEO_TOP; i++)
		out->top_countries[out->n_top_countries++] = (struct geo_share){
			0, { (char)(cc[i].key >> 8), (char)(cc[i].key & 0xff), '\0' }, "", cc[i].n,
			(double)cc[i].n / (double)nu };

	/* Farthest pair among distinct locations. */
	if (np >= 2) {
		size_t d = 0;
		for (size_t i = 0; i < np; i++) {
			size_t j;
			for (j = 0; j < d; j++)
				if (pts[j][0] == pts[i][0] && pts[j][1] == pts[i][1])
					break;
			if (j == d && d < GEO_MAX_POINTS) {
				pts[d][0] = pts[i][0];
				pts[d][1] = pts[i][1];
				d++;
			}
		}
		for (size_t i = 0; i < d; i++)
			for (size_t j = i + 1; j < d; j++) {
				double km = geo_distance_km(pts[i][0], pts[i][1], pts[j][0], pts[j][1]);
				if (km > out->max_km)
					out->max_km = km;
			}
	}
}
