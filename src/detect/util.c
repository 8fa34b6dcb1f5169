/* Detector helpers: a small hash map, entropy, the Holz score, set distances, prefixes. */
#include "detect/detect_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
det_hash64(uint64_t x)
{
	/* splitmix64 finaliser: cheap and well mixed for small integer keys. */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void
det_map_init(struct det_map *m)
{
	memset(m, 0, sizeof *m);
}

void
det_map_fini(struct det_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof *m);
}

void
det_map_clear(struct det_map *m)
{
	if (m->n == 0)
		return;
	/* A large, sparsely used map shrinks back so one huge domain does not keep a big table. */
	if (m->cap > 4096 && m->n * 16 < m->cap) {
		det_map_fini(m);
		return;
	}
	for (uint32_t j = 0; j < m->n; j++)
		m->keys[m->used[j]] = DET_MAP_EMPTY;
	m->n = 0;
}

static void
map_grow(struct det_map *m)
{
	uint32_t on = m->n;
	uint64_t *okeys = m->keys;
	uint32_t *ovals = m->vals, *oused = m->used;
	uint32_t ncap = m->cap ? m->cap * 2 : 64;

	m->keys = xreallocarray(NULL, ncap, sizeof *m->keys);
	m->vals = xreallocarray(NULL, ncap, sizeof *m->vals);
	m->used = xreallocarray(NULL, ncap, sizeof *m->used);
	memset(m->keys, 0xff, (size_t)ncap * sizeof *m->keys);
	m->cap = ncap;
	m->n = 0;
	for (uint32_t j = 0; j < on; j++) {       /* keeps the insertion order */
		bool fresh;
		*det_map_put(m, okeys[oused[j]], &fresh) = ovals[oused[j]];
	}
	free(okeys);
	free(ovals);
	free(oused);
}

uint32_t *
det_map_put(struct det_map *m, uint64_t key, bool *fresh)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		map_grow(m);
	uint32_t mask = m->cap - 1;
	uint32_t i = (uint32_t)det_hash64(key) & mask;
	for (;;) {
		if (m->keys[i] == key) {
			*fresh = false;
			return &m->vals[i];
		}
		if (m->keys[i] == DET_MAP_EMPTY) {
			m->keys[i] = key;
			m->vals[i] = 0;
			m->used[m->n++] = i;
			*fresh = true;
			return &m->vals[i];
		}
		i = (i + 1) & mask;
	}
}

const uint32_t *
det_map_get(const struct det_map *m, uint64_t key)
{
	if (m->cap == 0)
		return NULL;
	uint32_t mask = m->cap - 1;
	uint32_t i = (uint32_t)det_hash64(key) & mask;
	for (;;) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (m->keys[i] == DET_MAP_EMPTY)
			return NULL;
		i = (i + 1) & mask;
	}
}

double
det_entropy(const uint32_t *counts, size_t n)
{
	double total = 0, h = 0;

	for (size_t i = 0; i < n; i++)
		total += counts[i];
	if (total <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (counts[i] == 0)
			continue;
		double p = counts[i] / total;
		h -= p * log2(p);
	}
	return h < 0 ? 0 : h;
}

double
det_entropy_norm(const uint32_t *counts, size_t n, uint32_t total)
{
	if (total < 2)
		return 0;
	double v = det_entropy(counts, n) / log2((double)total);
	return v > 1 ? 1 : v;
}

double
det_holz(uint32_t n_a, uint32_t n_asn)
{
	return 1.32 * n_a + 18.54 * n_asn - 142.38;
}

double
det_as_fraction(uint32_t n_a, uint32_t n_asn)
{
	if (n_a < 2 || n_asn < 1)
		return 0;
	return (double)(n_asn - 1) / (double)(n_a - 1);
}

double
det_jaccard_distance(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	uint32_t i = 0, j = 0, inter = 0;

	if (na == 0 && nb == 0)
		return 0;
	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			inter++;
			i++;
			j++;
		} else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return 1.0 - (double)inter / (double)(na + nb - inter);
}

bool
det_disjoint(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	uint32_t i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j])
			return false;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return true;
}

uint64_t
det_prefix_key(const fs_addr *a, int level)
{
	uint64_t k = 0;
	int nbytes;

	if (a->family == 4)
		nbytes = level == 16 ? 2 : 3;
	else
		nbytes = level == 16 ? 4 : 6;   /* IPv6: /32 and /48, the usual allocation sizes */
	for (int i = 0; i < nbytes; i++)
		k = (k << 8) | a->bytes[i];
	return ((uint64_t)a->family << 56) | ((uint64_t)level << 48) | k;
}

double
det_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371.0, d2r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
	double h = sin(dlat / 2) * sin(dlat / 2) +
	           cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
	if (h > 1)
		h = 1;
	return 2 * r * asin(sqrt(h));
}

bool
det_name_has_suffix(const char *name, const char *suffix)
{
	size_t ln = strlen(name), ls = strlen(suffix);

	if (ls == 0 || ls > ln)
		return false;
	if (strcmp(name + ln - ls, suffix) != 0)
		return false;
	return ln == ls || name[ln - ls - 1] == '.';
}

const char *
det_fmt_duration(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f d", s / 86400);
	return buf;
}

void
det_uf_init(struct det_uf *u, uint32_t n)
{
	u->n = n;
	u->parent = xreallocarray(NULL, n ? n : 1, sizeof *u->parent);
	u->rank = xcalloc(n ? n : 1, sizeof *u->rank);
	for (uint32_t i = 0; i < n; i++)
		u->parent[i] = i;
}

void
det_uf_fini(struct det_uf *u)
{
	free(u->parent);
	free(u->rank);
	memset(u, 0, sizeof *u);
}

uint32_t
det_uf_find(struct det_uf *u, uint32_t x)
{
	uint32_t r = x;
	while (u->parent[r] != r)
		r = u->parent[r];
	while (u->parent[x] != r) {        /* path compression */
		uint32_t next = u->parent[x];
		u->parent[x] = r;
		x = next;
	}
	return r;
}

void
det_uf_union(struct det_uf *u, uint32_t a, uint32_t b)
{
	a = det_uf_find(u, a);
	b = det_uf_find(u, b);
	if (a == b)
		return;
	if (u->rank[a] < u->rank[b]) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	u->parent[b] = a;
	if (u->rank[a] == u->rank[b])
		u->rank[a]++;
}
