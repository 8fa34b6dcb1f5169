/* Detector helpers: entropy, the Holz score, set distances, prefixes. */
#include "detect/detect_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
