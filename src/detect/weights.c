/* The detector's weights and thresholds: compiled-in defaults identical to the shipped
 * share/detect.conf (a unit test checks that), and the parser for that file. */
#include "detect/detect_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const det_term_names[DET_N_TERMS] = {
#define X(id, unit) #id,
	DET_TERMS(X)
#undef X
};
const char *const det_term_units[DET_N_TERMS] = {
#define X(id, unit) unit,
	DET_TERMS(X)
#undef X
};

void
det_weights_default(struct det_weights *w)
{
	memset(w, 0, sizeof *w);
	for (int i = 0; i < DET_N_TERMS; i++)
		w->w_noasn[i] = NAN;
	/* Keep in step with share/detect.conf (test_weights checks they agree). */
	w->bias = -13.0;
	w->w[DET_T_addr_count] = 0.9;
	w->w[DET_T_addrs_per_response] = 0.3;
	w->w[DET_T_asn_count] = 0.8;
	w->w[DET_T_as_fraction] = 1.5;
	w->w[DET_T_asn_entropy] = 0.4;
	w->w[DET_T_prefix16_count] = 0.3;
	w->w_noasn[DET_T_prefix16_count] = 1.2;
	w->w[DET_T_prefix16_entropy] = 1.5;
	w->w_noasn[DET_T_prefix16_entropy] = 3.0;
	w->w[DET_T_prefix24_entropy] = 0.8;
	w->w_noasn[DET_T_prefix24_entropy] = 1.2;
	w->w[DET_T_country_count] = 0.3;
	w->w[DET_T_country_entropy] = 0.3;
	w->w[DET_T_geo_spread] = 1.0;
	w->w[DET_T_ttl_low] = 0.4;
	w->w[DET_T_ttl_distinct] = 0.2;
	w->w[DET_T_change_fraction] = 1.5;
	w->w[DET_T_change_rate] = 0.2;
	w->w[DET_T_jaccard] = 1.0;
	w->w[DET_T_replace_speed] = 0.8;
	w->w[DET_T_novelty] = 3.0;
	w->w[DET_T_addr_growth] = 1.0;
	w->w[DET_T_ns_churn] = 0.8;
	w->w[DET_T_ns_ttl_low] = 0.2;
	w->w[DET_T_ns_addr_count] = 0.4;
	w->w[DET_T_ns_asn_count] = 0.4;
	w->w[DET_T_ns_agent_overlap] = 1.5;
	w->w[DET_T_ns_addr_ttl_low] = 0.2;
	w->w[DET_T_shared_flux] = 0.7;
	w->w[DET_T_intel] = 6.0;

	w->ns_bias = -4.0;
	w->ns_w[DET_T_ns_churn] = 1.5;
	w->ns_w[DET_T_ns_ttl_low] = 0.4;
	w->ns_w[DET_T_ns_addr_count] = 1.0;
	w->ns_w[DET_T_ns_asn_count] = 1.0;
	w->ns_w[DET_T_ns_agent_overlap] = 2.0;
	w->ns_w[DET_T_ns_addr_ttl_low] = 0.6;

	w->flux_score = 80;
	w->suspicious_score = 50;
	w->double_flux_ns_score = 60;
	w->breadth_nets = 4;
	w->breadth_addrs = 4;
	w->wide_networks = 3;
	w->wide_share = 0.75;
	w->wide_score = 30;
	w->scatter_addrs = 3;
	w->scatter_max_ttl = 600;
	w->rotation_networks = 3;
	w->spread_countries = 3;
	w->zone_min_names = 4;
	w->zone_max_stable = 0.5;
	w->zone_min_networks = 3;
	w->zone_min_entropy = 0.5;
	w->zone_min_countries = 2;
	w->zone_anchor_networks = 4;
	w->zone_anchor_countries = 3;
	w->provider_customers = 3;
	w->provider_max_asns = 4;
	w->pool_siblings = 3;
	w->pool_country_share = 0.8;
	w->pool_recur_share = 0.25;
	w->min_flux_addrs = 3;
	w->min_flux_spread = 3;
	w->pool_min_answers = 8;
	w->pool_max_novelty = 0.1;
	w->pool_min_sightings = 3;
	w->cdn_asn_share = 0.8;
	w->cdn_max_p16_entropy = 0.5;
	w->cdn_max_novelty = 0.3;
	w->cdn_shared_sign = 0.5;
	w->cdn_shared_alone = 0.8;
	w->cdn_max_local_km = 5000;
	w->pool_max_addrs = 32;
	w->cluster_min_shared = 2;
	w->cluster_min_score = 50;
}

struct key {
	const char *name;
	size_t off;
	double lo, hi;
};

#define K(name, field, lo, hi) { name, offsetof(struct det_weights, field), lo, hi }
static const struct key scalar_keys[] = {
	K("bias", bias, -1000, 1000),
	K("ns.bias", ns_bias, -1000, 1000),
	K("threshold.flux", flux_score, 0, 100),
	K("threshold.suspicious", suspicious_score, 0, 100),
	K("threshold.double_flux_ns", double_flux_ns_score, 0, 100),
	K("evidence.breadth_networks", breadth_nets, 1, 1e6),
	K("evidence.breadth_addresses", breadth_addrs, 1, 1e6),
	K("evidence.wide_networks", wide_networks, 1, 1e6),
	K("evidence.wide_share", wide_share, 0, 1),
	K("evidence.wide_score", wide_score, 0, 100),
	K("evidence.scatter_addresses", scatter_addrs, 2, 1e6),
	K("evidence.scatter_max_ttl", scatter_max_ttl, 0, 1e9),
	K("evidence.rotation_networks", rotation_networks, 2, 1e6),
	K("evidence.spread_countries", spread_countries, 2, 1e6),
	K("zone.min_names", zone_min_names, 2, 1e6),
	K("zone.max_stable", zone_max_stable, 0, 1),
	K("zone.min_networks", zone_min_networks, 1, 1e6),
	K("zone.min_entropy", zone_min_entropy, 0, 1),
	K("zone.min_countries", zone_min_countries, 1, 1e6),
	K("zone.anchor_networks", zone_anchor_networks, 2, 1e6),
	K("zone.anchor_countries", zone_anchor_countries, 1, 1e6),
	K("guard.provider.min_customers", provider_customers, 2, 1e6),
	K("guard.provider.max_asns", provider_max_asns, 1, 1e6),
	K("guard.pool.min_siblings", pool_siblings, 2, 1e6),
	K("guard.pool.country_share", pool_country_share, 0, 1),
	K("guard.pool.recur_share", pool_recur_share, 0, 1),
	K("evidence.min_addresses", min_flux_addrs, 1, 1e6),
	K("evidence.min_spread", min_flux_spread, 1, 1e6),
	K("guard.pool.max_addresses", pool_max_addrs, 1, 1e6),
	K("guard.pool.min_answers", pool_min_answers, 1, 1e6),
	K("guard.pool.max_novelty", pool_max_novelty, 0, 1),
	K("guard.pool.min_sightings", pool_min_sightings, 0, 1e6),
	K("guard.cdn.asn_share", cdn_asn_share, 0, 1),
	K("guard.cdn.max_prefix16_entropy", cdn_max_p16_entropy, 0, 1),
	K("guard.cdn.max_novelty", cdn_max_novelty, 0, 1),
	K("guard.cdn.shared_sign", cdn_shared_sign, 0, 1),
	K("guard.cdn.shared_alone", cdn_shared_alone, 0, 1),
	K("guard.cdn.max_local_km", cdn_max_local_km, 0, 40000),
	K("cluster.min_shared", cluster_min_shared, 1, 1e6),
	K("cluster.min_score", cluster_min_score, 0, 100),
};
#undef K
#define N_SCALAR (sizeof scalar_keys / sizeof scalar_keys[0])

static int
term_index(const char *s)
{
	for (int i = 0; i < DET_N_TERMS; i++)
		if (strcmp(s, det_term_names[i]) == 0)
			return i;
	return -1;
}

static bool
is_ns_term(int t)
{
	return t == DET_T_ns_churn || t == DET_T_ns_ttl_low || t == DET_T_ns_addr_count ||
	       t == DET_T_ns_asn_count || t == DET_T_ns_agent_overlap || t == DET_T_ns_addr_ttl_low;
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

fs_status
det_weights_parse(struct det_weights *w, const char *text, const char *fname,
                  struct fs_err *err)
{
	char *buf = xstrdup(text), *line;
	int lineno = 0;
	/* keys already set in this file: scalars, then weight / weight_noasn / ns.weight */
	bool seen_scalar[N_SCALAR] = { false };
	bool seen_w[3][DET_N_TERMS];
	fs_status st = FS_OK;

	memset(seen_w, 0, sizeof seen_w);
	/* strtok_r would merge empty lines and break line numbers; split by hand. */
	for (char *cur = buf; cur != NULL && st == FS_OK; ) {
		char *nl = strchr(cur, '\n');
		if (nl != NULL)
			*nl = '\0';
		line = cur;
		cur = nl ? nl + 1 : NULL;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		line = trim(line);
		if (*line == '\0')
			continue;
		char *eq = strchr(line, '=');
		if (eq == NULL) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: expected 'key = value', not '%s'", fname,
			                lineno, line);
			break;
		}
		*eq = '\0';
		char *key = trim(line), *val = trim(eq + 1);
		if (*key == '\0') {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: missing key before '='", fname, lineno);
			break;
		}
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (*val == '\0' || *end != '\0' || errno != 0 || !isfinite(v)) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: '%s' is not a number (key '%s')", fname,
			                lineno, val, key);
			break;
		}

		size_t i;
		for (i = 0; i < N_SCALAR; i++)
			if (strcmp(key, scalar_keys[i].name) == 0)
				break;
		if (i < N_SCALAR) {
			const struct key *k = &scalar_keys[i];
			if (seen_scalar[i]) {
				st = fs_err_set(err, FS_E_FORMAT, "%s:%d: key '%s' given twice", fname, lineno,
				                key);
				break;
			}
			if (v < k->lo || v > k->hi) {
				st = fs_err_set(err, FS_E_FORMAT, "%s:%d: %s = %g is out of range (%g to %g)",
				                fname, lineno, key, v, k->lo, k->hi);
				break;
			}
			seen_scalar[i] = true;
			*(double *)((char *)w + k->off) = v;
			continue;
		}

		int kind = -1, t = -1;
		if (strncmp(key, "weight.", 7) == 0) {
			kind = 0;
			t = term_index(key + 7);
		} else if (strncmp(key, "weight_noasn.", 13) == 0) {
			kind = 1;
			t = term_index(key + 13);
		} else if (strncmp(key, "ns.weight.", 10) == 0) {
			kind = 2;
			t = term_index(key + 10);
			if (t >= 0 && !is_ns_term(t)) {
				st = fs_err_set(err, FS_E_FORMAT,
				                "%s:%d: '%s' is not a nameserver term (ns_churn, ns_ttl_low, "
				                "ns_addr_count, ns_asn_count, ns_agent_overlap, ns_addr_ttl_low)",
				                fname, lineno, key + 10);
				break;
			}
		}
		if (kind < 0) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: unknown key '%s'", fname, lineno, key);
			break;
		}
		if (t < 0) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: unknown term in '%s' (see docs/detection.md)",
			                fname, lineno, key);
			break;
		}
		if (v < -1000 || v > 1000) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: %s = %g is out of range (-1000 to 1000)",
			                fname, lineno, key, v);
			break;
		}
		if (seen_w[kind][t]) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: key '%s' given twice", fname, lineno, key);
			break;
		}
		seen_w[kind][t] = true;
		if (kind == 0)
			w->w[t] = v;
		else if (kind == 1)
			w->w_noasn[t] = v;
		else
			w->ns_w[t] = v;
	}
	if (st == FS_OK && w->suspicious_score > w->flux_score)
		st = fs_err_set(err, FS_E_FORMAT,
		                "%s: threshold.suspicious (%g) is above threshold.flux (%g)", fname,
		                w->suspicious_score, w->flux_score);
	free(buf);
	return st;
}

char *
det_read_file(const char *path, const char *what, struct fs_err *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fp == NULL) {
		fs_err_set(err, errno == ENOENT ? FS_E_NOTFOUND : FS_E_IO, "cannot open %s %s: %s", what,
		           path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		size_t n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fs_err_set(err, FS_E_IO, "cannot read %s %s: %s", what, path, strerror(errno));
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	if (memchr(buf, '\0', len) != NULL) {
		fs_err_set(err, FS_E_FORMAT, "%s %s is not a text file", what, path);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

fs_status
det_weights_load(struct det_weights *w, const char *path, struct fs_err *err)
{
	char *text = det_read_file(path, "weights file", err);
	if (text == NULL)
		return err ? err->status : FS_E_IO;
	fs_status st = det_weights_parse(w, text, path, err);
	free(text);
	return st;
}
