/* Unit tests for enrichment (src/enrich/): MaxMind's public test databases against their
 * published values, fixtures built from the JSON in tests/data/geo/ with MaxMind's writer (IPv4, IPv6,
 * IPv4-mapped, missing fields, unknown addresses, DB-IP layouts, an IPv4-only tree), discovery,
 * precedence, staleness, bad files, libloc, the cache and its read-only readers, distances
 * and spread. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fluxscope/enrich.h"

#define MM "tests/data/geoip/"

static char fixdir[512];      /* $BUILD/fixtures/geo */
static char tmproot[640];     /* scratch for this run */

static const char *
fix(const char *name)
{
	static char buf[8][600];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s.mmdb", fixdir, name);
	return buf[i];
}

static fs_addr
A(const char *s)
{
	fs_addr a;
	assert_int_equal(fs_addr_parse(s, &a), 0);
	return a;
}

static const struct geo_info *
L(struct geo *g, const char *s)
{
	fs_addr a = A(s);
	return geo_lookup(g, &a);
}

/* Open exactly these files (no search, no libloc). */
static struct geo *
open_files(const char *const *paths, int n)
{
	struct geo_config c = { .paths = paths, .n_paths = n, .no_default_search = true,
	                        .no_libloc = true };
	struct fs_err err = { 0 };
	struct geo *g = NULL;
	fs_status st = geo_open(&c, &g, &err);
	if (st != FS_OK)
		fail_msg("geo_open: %s", err.msg);
	return g;
}

static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[8192];
	size_t n;
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static const char *
mkscratch(const char *name)
{
	static char buf[4][700];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmproot, name);
	mkdir(buf[i], 0755);
	return buf[i];
}

/* ---- MaxMind's test databases: the values SOURCES.md and MaxMind's source JSON publish ---- */

static void
test_maxmind_published(void **state)
{
	const char *p[] = { MM "GeoIP2-City-Test.mmdb", MM "GeoLite2-ASN-Test.mmdb",
	                    MM "GeoIP2-Country-Test.mmdb" };
	struct geo *g = open_files(p, 3);
	const struct geo_info *i;
	(void)state;

	i = L(g, "81.2.69.142");
	assert_true(i->found);
	assert_string_equal(i->city, "London");
	assert_string_equal(i->country, "GB");
	assert_true(i->has_location);
	assert_float_equal(i->lat, 51.5142, 1e-9);
	assert_float_equal(i->lon, -0.0931, 1e-9);
	assert_int_equal(i->asn, 0);                 /* not in the ASN test database */
	assert_string_equal(i->network, "81.2.69.142/31");   /* mmdblookup: prefix length 127 */
	assert_string_equal(geo_db(g, i->geo_db)->type, "GeoIP2-City");
	assert_int_equal(i->asn_db, -1);

	i = L(g, "2001:480:10::1");
	assert_string_equal(i->city, "San Diego");
	assert_string_equal(i->country, "US");
	assert_string_equal(i->network, "2001:480:10::/48");

	i = L(g, "1.128.0.1");
	assert_int_equal(i->asn, 1221);
	assert_string_equal(i->as_org, "Telstra Pty Ltd");
	assert_string_equal(i->network, "1.128.0.0/11");     /* prefix length 107 - 96 */
	assert_int_equal(i->prefix_len, 11);
	assert_string_equal(geo_db(g, i->asn_db)->type, "GeoLite2-ASN");

	i = L(g, "89.160.20.112");
	assert_int_equal(i->asn, 29518);
	assert_string_equal(i->as_org, "Bredband2 AB");
	assert_string_equal(i->country, "SE");
	assert_string_equal(i->city, "Link\xc3\xb6ping");
	assert_float_equal(i->lat, 58.4167, 1e-9);
	assert_float_equal(i->lon, 15.6167, 1e-9);
	assert_string_equal(i->network, "89.160.0.0/17");    /* the ASN record's block */

	i = L(g, "2600:6000::1");
	assert_int_equal(i->asn, 237);
	assert_string_equal(i->as_org, "Merit Network Inc.");

	i = L(g, "2001:218::1");
	assert_string_equal(i->country, "JP");
	assert_int_equal(i->asn, 0);

	/* the misses SOURCES.md lists */
	i = L(g, "8.8.8.8");
	assert_false(i->found);
	assert_int_equal(i->asn, 0);
	i = L(g, "2001:480::1");
	assert_false(i->found);
	assert_string_equal(i->city, "");
	assert_string_equal(i->network, "");
	geo_free(g);
}

static void
test_maxmind_metadata(void **state)
{
	const char *p[] = { MM "GeoIP2-Country-Test.mmdb", MM "GeoIP2-City-Test.mmdb",
	                    MM "GeoLite2-ASN-Test.mmdb" };
	struct geo *g = open_files(p, 3);
	(void)state;

	assert_int_equal(geo_db_count(g), 3);
	/* precedence: ASN, City, Country whatever the order given */
	assert_string_equal(geo_db(g, 0)->type, "GeoLite2-ASN");
	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_ASN);
	assert_string_equal(geo_db(g, 1)->type, "GeoIP2-City");
	assert_int_equal(geo_db(g, 1)->kind, GEO_KIND_CITY);
	assert_string_equal(geo_db(g, 2)->type, "GeoIP2-Country");
	assert_int_equal(geo_db(g, 2)->kind, GEO_KIND_COUNTRY);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(geo_db(g, i)->built, 1770245369LL * FS_USEC);
		assert_true(geo_db(g, i)->ipv6);
	}
	assert_null(geo_db(g, 3));
	assert_null(geo_db(g, -1));
	assert_true(geo_has_asn(g));
	assert_true(geo_has_country(g));
	assert_true(geo_has_location(g));
	geo_free(g);
}

/* ---- purpose-made fixtures ---------------------------------------------------------------- */

static void
test_fixture_ipv4_ipv6(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city") };
	struct geo *g = open_files(p, 2);
	const struct geo_info *i;
	(void)state;

	i = L(g, "198.51.100.7");
	assert_true(i->found);
	assert_int_equal(i->asn, 64500);
	assert_string_equal(i->as_org, "Example Transit");
	assert_string_equal(i->country, "DE");
	assert_string_equal(i->city, "Frankfurt am Main");
	assert_float_equal(i->lat, 50.1188, 1e-9);
	assert_float_equal(i->lon, 8.6843, 1e-9);
	assert_string_equal(i->network, "198.51.100.0/24");   /* ASN block, not the City /25 */
	assert_int_equal(i->prefix_len, 24);
	assert_string_equal(geo_db(g, i->asn_db)->type, "FluxTest-ASN");
	assert_string_equal(geo_db(g, i->geo_db)->type, "FluxTest-City");

	i = L(g, "198.51.100.200");
	assert_string_equal(i->country, "US");
	assert_string_equal(i->city, "");
	assert_true(i->has_location);

	i = L(g, "203.0.113.5");
	assert_int_equal(i->asn, 64501);
	assert_string_equal(i->as_org, "Bulletproof \"Hosting\" Ltd");
	assert_string_equal(i->network, "203.0.113.0/25");
	/* no `country`: the registered country stands in */
	assert_string_equal(i->country, "RU");
	assert_false(i->has_location);

	i = L(g, "100.64.200.1");
	assert_int_equal(i->asn, 4200000001u);            /* four-byte ASN */
	assert_string_equal(i->network, "100.64.0.0/10");

	i = L(g, "2001:db8:1::53");
	assert_int_equal(i->asn, 64510);
	assert_string_equal(i->as_org, "IPv6 Flux Net");
	assert_string_equal(i->country, "JP");
	assert_string_equal(i->city, "Tokyo");
	assert_string_equal(i->network, "2001:db8:1::/48");
	assert_int_equal(i->prefix_len, 48);

	i = L(g, "2001:db8:a:1::1");
	assert_int_equal(i->asn, 64511);
	assert_string_equal(i->network, "2001:db8:8::/46");
	geo_free(g);
}

static void
test_fixture_mapped(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city") };
	struct geo *g = open_files(p, 2);
	const struct geo_info *v4, *m;
	struct geo_cache_stats cs;
	(void)state;

	/* flux-asn has no ::ffff:0:0/96 alias: only normalising to IPv4 finds the record */
	m = L(g, "::ffff:198.51.100.7");
	assert_int_equal(m->asn, 64500);
	assert_string_equal(m->network, "198.51.100.0/24");
	assert_string_equal(m->country, "DE");
	v4 = L(g, "198.51.100.7");
	assert_ptr_equal(v4, m);              /* one cache entry for both spellings */
	geo_cache_stats(g, &cs);
	assert_int_equal(cs.misses, 1);
	assert_int_equal(cs.lookups, 2);
	/* IPv4-compatible ::a.b.c.d is another address (and cache entry); an IPv6 tree keeps
	 * IPv4 at ::/96, so it finds the same record, with its 128-bit network */
	m = L(g, "::198.51.100.7");
	assert_ptr_not_equal(m, v4);
	assert_int_equal(m->asn, 64500);
	assert_string_equal(m->network, "::198.51.100.0/120");
	assert_int_equal(m->prefix_len, 120);
	geo_free(g);
}

static void
test_fixture_missing_fields(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city") };
	struct geo *g = open_files(p, 2);
	const struct geo_info *i;
	(void)state;

	i = L(g, "203.0.113.200");           /* ASN without organisation */
	assert_int_equal(i->asn, 64502);
	assert_string_equal(i->as_org, "");
	assert_string_equal(i->network, "203.0.113.128/25");

	i = L(g, "192.0.2.9");               /* city and country, no coordinates */
	assert_int_equal(i->asn, 64503);
	assert_string_equal(i->as_org, "Z\xc3\xbcrich Netz AG");
	assert_string_equal(i->city, "S\xc3\xa3o Paulo");
	assert_string_equal(i->country, "BR");
	assert_false(i->has_location);

	i = L(g, "2001:db8:2::1");           /* organisation without a number: no ASN */
	assert_int_equal(i->asn, 0);
	assert_int_equal(i->asn_db, -1);
	assert_false(i->found);

	i = L(g, "2001:db8:3::1");           /* continent only: nothing fluxscope uses */
	assert_false(i->found);
	assert_string_equal(i->country, "");
	assert_int_equal(i->geo_db, -1);

	i = L(g, "2001:db8:5::1");           /* country and coordinates, no ASN record */
	assert_string_equal(i->country, "AU");
	assert_true(i->has_location);
	assert_string_equal(i->network, "2001:db8:5::/48");
	geo_free(g);
}

static void
test_fixture_unknown(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city"), fix("flux-country-v4") };
	struct geo *g = open_files(p, 3);
	const char *unknown[] = { "8.8.8.8", "2001:db8:ffff::1", "0.0.0.0", "255.255.255.255",
	                          "::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	fs_addr none;
	(void)state;

	for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
		const struct geo_info *i = L(g, unknown[k]);
		assert_false(i->found);
		assert_int_equal(i->asn, 0);
		assert_string_equal(i->as_org, "");
		assert_string_equal(i->country, "");
		assert_string_equal(i->city, "");
		assert_string_equal(i->network, "");
		assert_false(i->has_location);
		assert_int_equal(i->asn_db, -1);
		assert_int_equal(i->geo_db, -1);
	}
	memset(&none, 0, sizeof none);
	assert_false(geo_lookup(g, &none)->found);
	geo_free(g);
}

static void
test_fixture_ipv4_tree(void **state)
{
	const char *p[] = { fix("flux-country-v4") };
	struct geo *g = open_files(p, 1);
	const struct geo_info *i;
	(void)state;

	assert_false(geo_db(g, 0)->ipv6);
	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_COUNTRY);
	assert_int_equal(geo_db(g, 0)->built, 1793404800LL * FS_USEC);
	i = L(g, "100.64.9.9");
	assert_string_equal(i->country, "NL");
	assert_string_equal(i->network, "100.64.0.0/16");   /* no 96 to subtract in an IPv4 tree */
	assert_int_equal(i->prefix_len, 16);
	i = L(g, "::ffff:100.64.9.9");
	assert_string_equal(i->country, "NL");
	i = L(g, "2001:db8:1::1");                            /* IPv6 in an IPv4 tree: a miss */
	assert_false(i->found);
	assert_false(geo_has_asn(g));
	assert_true(geo_has_country(g));
	assert_false(geo_has_location(g));
	geo_free(g);
}

static void
test_precedence(void **state)
{
	/* Country given first: the City database still answers first for what both know. */
	const char *p[] = { fix("flux-country-v4"), fix("flux-city"), fix("flux-asn") };
	struct geo *g = open_files(p, 3);
	const struct geo_info *i;
	(void)state;

	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_ASN);
	assert_int_equal(geo_db(g, 1)->kind, GEO_KIND_CITY);
	assert_int_equal(geo_db(g, 2)->kind, GEO_KIND_COUNTRY);
	i = L(g, "198.51.100.7");
	assert_string_equal(i->country, "DE");               /* City, not the Country's FR */
	assert_int_equal(i->geo_db, 1);
	i = L(g, "100.64.1.1");
	assert_string_equal(i->country, "NL");               /* only the Country database knows */
	assert_int_equal(i->geo_db, 2);
	assert_int_equal(i->asn, 4200000001u);
	assert_string_equal(i->network, "100.64.0.0/10");    /* the ASN record's block wins */
	geo_free(g);
}

static void
test_dbip_layouts(void **state)
{
	const char *p[] = { fix("dbip-city-lite"), fix("dbip-asn-lite") };
	struct geo *g = open_files(p, 2);
	const struct geo_info *i;
	(void)state;

	assert_string_equal(geo_db(g, 0)->type, "DBIP-ASN-Lite (compat=GeoLite2-ASN)");
	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_ASN);
	assert_string_equal(geo_db(g, 1)->type, "DBIP-City-Lite");
	assert_int_equal(geo_db(g, 1)->kind, GEO_KIND_CITY);
	i = L(g, "198.51.100.1");
	assert_int_equal(i->asn, 15169);
	assert_string_equal(i->as_org, "Google LLC");
	assert_string_equal(i->city, "Mountain View");
	assert_string_equal(i->country, "US");
	assert_float_equal(i->lat, 37.4223, 1e-9);
	assert_float_equal(i->lon, -122.085, 1e-9);
	i = L(g, "2001:db8:1:2::3");
	assert_int_equal(i->asn, 13335);
	assert_string_equal(i->as_org, "Cloudflare, Inc.");
	assert_string_equal(i->city, "Melbourne");
	assert_string_equal(i->country, "AU");
	geo_free(g);
}

static void
test_unknown_type(void **state)
{
	const char *p[] = { fix("generic-flat") };
	struct geo *g = open_files(p, 1);
	const struct geo_info *i;
	(void)state;

	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_OTHER);
	assert_string_equal(geo_kind_name(GEO_KIND_OTHER), "other");
	i = L(g, "198.51.100.1");
	assert_int_equal(i->asn, 3303);
	assert_string_equal(i->country, "CH");
	assert_int_equal(i->asn_db, 0);
	assert_int_equal(i->geo_db, 0);
	geo_free(g);
}

/* ---- discovery, staleness, errors ------------------------------------------------------ */

static void
test_useless_type_skipped(void **state)
{
	const char *p[] = { fix("anonymous-ip"), fix("flux-asn") };
	struct geo *g = open_files(p, 2);
	bool noted = false;
	(void)state;

	assert_int_equal(geo_db_count(g), 1);              /* only flux-asn is a source */
	assert_string_equal(geo_db(g, 0)->type, "FluxTest-ASN");
	assert_false(geo_has_country(g));
	for (int i = 0; i < geo_warning_count(g); i++)
		if (strstr(geo_warning(g, i), "anonymous-ip.mmdb") != NULL &&
		    strstr(geo_warning(g, i), "GeoIP2-Anonymous-IP") != NULL)
			noted = true;
	assert_true(noted);
	geo_free(g);
}

static void
test_folder_explicit(void **state)
{
	const char *p[] = { fixdir };
	struct geo *g = open_files(p, 1);
	int n = geo_db_count(g);
	(void)state;

	assert_true(n >= 7);
	for (int i = 1; i < n; i++)
		assert_true(geo_db(g, i - 1)->kind <= geo_db(g, i)->kind);
	geo_free(g);
}

static void
test_default_search(void **state)
{
	const char *d1 = mkscratch("search1"), *d2 = mkscratch("search2");
	char path[800], link[800];
	const char *dirs[3];
	struct geo_config c = { 0 };
	struct geo *g;
	struct fs_err err = { 0 };
	int n_asn = 0, warned_broken = 0, warned_gz = 0;
	(void)state;

	snprintf(path, sizeof path, "%s/asn-new.mmdb", d1);
	copy_file(fix("flux-asn"), path);
	snprintf(link, sizeof link, "%s/same-file-again.mmdb", d1);
	unlink(link);
	assert_int_equal(symlink(path, link), 0);             /* one file, found twice */
	snprintf(path, sizeof path, "%s/README", d1);
	write_file(path, "not a database\n", 15);             /* passed over in silence */
	snprintf(path, sizeof path, "%s/broken.mmdb", d1);
	write_file(path, "garbage garbage garbage", 23);      /* a warning, not an error */
	snprintf(path, sizeof path, "%s/GeoLite2-City.mmdb.gz", d2);
	write_file(path, "\x1f\x8b", 2);                       /* compressed: a warning */
	/* the names lie: types come from the metadata */
	snprintf(path, sizeof path, "%s/GeoLite2-ASN.mmdb", d2);
	copy_file(fix("flux-city"), path);
	snprintf(path, sizeof path, "%s/zz-old-asn.mmdb", d2);
	copy_file(fix("stale-asn"), path);

	dirs[0] = d1;
	dirs[1] = d2;
	dirs[2] = "/nonexistent/fluxscope-geo";
	c.search_dirs = dirs;
	c.n_search_dirs = 3;
	c.no_libloc = true;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	for (int i = 0; i < geo_db_count(g); i++)
		if (geo_db(g, i)->kind == GEO_KIND_ASN)
			n_asn++;
	assert_int_equal(n_asn, 2);                           /* the symlink was not opened again */
	assert_int_equal(geo_db_count(g), 3);
	/* two ASN databases found by the search: the newest first */
	assert_string_equal(geo_db(g, 0)->type, "FluxTest-ASN");
	assert_string_equal(geo_db(g, 1)->type, "GeoLite2-ASN");
	assert_string_equal(geo_db(g, 2)->type, "FluxTest-City");
	assert_int_equal(L(g, "198.51.100.1")->asn, 64500);
	for (int i = 0; i < geo_warning_count(g); i++) {
		if (strstr(geo_warning(g, i), "broken.mmdb") != NULL)
			warned_broken++;
		if (strstr(geo_warning(g, i), ".mmdb.gz") != NULL &&
		    strstr(geo_warning(g, i), "compressed") != NULL)
			warned_gz++;
		assert_null(strstr(geo_warning(g, i), "README"));
	}
	assert_int_equal(warned_broken, 1);
	assert_int_equal(warned_gz, 1);
	geo_free(g);
}

static void
test_explicit_overrides_search(void **state)
{
	const char *d = mkscratch("override");
	char path[800];
	const char *dirs[] = { d };
	const char *p[] = { fix("flux-country-v4") };
	struct geo_config c = { .paths = p, .n_paths = 1, .search_dirs = dirs, .n_search_dirs = 1 };
	struct geo *g;
	struct fs_err err = { 0 };
	(void)state;

	snprintf(path, sizeof path, "%s/a.mmdb", d);
	copy_file(fix("flux-asn"), path);
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_int_equal(geo_db_count(g), 1);                 /* no search, no libloc */
	assert_string_equal(geo_db(g, 0)->type, "FluxTest-Country");
	geo_free(g);
}

static void
test_stale(void **state)
{
	const char *p[] = { fix("flux-country-v4") };
	struct geo_config c = { .paths = p, .n_paths = 1, .no_default_search = true, .no_libloc = true };
	const fs_time built = 1793404800LL * FS_USEC, day = 86400LL * FS_USEC;
	struct geo *g;
	struct fs_err err = { 0 };
	char buf[2048];
	(void)state;

	c.now = built + 59 * day;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_false(geo_db(g, 0)->stale);
	assert_int_equal(geo_db(g, 0)->age_days, 59);
	assert_int_equal(geo_warning_count(g), 0);
	geo_describe(g, buf, sizeof buf);
	assert_non_null(strstr(buf, "FluxTest-Country built 2026-10-31"));
	assert_non_null(strstr(buf, fix("flux-country-v4")));
	assert_null(strstr(buf, "STALE"));
	geo_free(g);

	c.now = built + 61 * day;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_true(geo_db(g, 0)->stale);
	assert_int_equal(geo_db(g, 0)->age_days, 61);
	assert_int_equal(geo_warning_count(g), 1);
	assert_non_null(strstr(geo_warning(g, 0), fix("flux-country-v4")));
	assert_non_null(strstr(geo_warning(g, 0), "61 days"));
	assert_non_null(strstr(geo_warning(g, 0), "geoipupdate"));
	geo_describe(g, buf, sizeof buf);
	assert_non_null(strstr(buf, "STALE"));
	geo_describe_short(g, buf, sizeof buf);
	assert_string_equal(buf, "FluxTest-Country 2026-10-31 (stale)");
	geo_free(g);

	/* relative to the real clock: built 90 days before the fixture was made */
	p[0] = fix("stale-asn");
	c.now = 0;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_true(geo_db(g, 0)->stale);
	assert_true(geo_db(g, 0)->age_days >= 90);
	geo_free(g);
}

static void
expect_error(const char *path, fs_status want)
{
	const char *p[] = { path };
	struct geo_config c = { .paths = p, .n_paths = 1, .no_default_search = true, .no_libloc = true };
	struct geo *g = (struct geo *)1;
	struct fs_err err = { 0 };

	assert_int_equal(geo_open(&c, &g, &err), want);
	assert_null(g);
	assert_non_null(strstr(err.msg, path));               /* the sentence names the file */
	assert_null(strchr(err.msg, '\n'));
}

static void
test_bad_files(void **state)
{
	const char *d = mkscratch("bad");
	char path[800];
	size_t len;
	char *data = read_all(fix("flux-city"), &len);
	(void)state;

	snprintf(path, sizeof path, "%s/missing.mmdb", d);
	expect_error(path, FS_E_IO);
	snprintf(path, sizeof path, "%s/empty.mmdb", d);
	write_file(path, "", 0);
	expect_error(path, FS_E_FORMAT);
	snprintf(path, sizeof path, "%s/text.mmdb", d);
	write_file(path, "hello, I am not a MaxMind database\n", 35);
	expect_error(path, FS_E_FORMAT);
	snprintf(path, sizeof path, "%s/truncated.mmdb", d);
	write_file(path, data, len / 2);                      /* metadata cut off */
	expect_error(path, FS_E_FORMAT);
	snprintf(path, sizeof path, "%s/fake-libloc.db", d);
	write_file(path, "LOCDBXX\x01garbage", 15);           /* libloc magic, nothing behind it */
	expect_error(path, FS_E_FORMAT);
	/* an explicit folder with a broken *.mmdb in it names that file */
	{
		const char *fd = mkscratch("badfolder");
		char bad[800];
		const char *p[] = { fd };
		struct geo_config c = { .paths = p, .n_paths = 1, .no_default_search = true,
		                        .no_libloc = true };
		struct geo *g;
		struct fs_err err = { 0 };

		snprintf(bad, sizeof bad, "%s/x.mmdb", fd);
		write_file(bad, "junk", 4);
		assert_int_equal(geo_open(&c, &g, &err), FS_E_FORMAT);
		assert_non_null(strstr(err.msg, bad));
	}
	free(data);
}

/* Damage inside the search tree and data section (metadata intact): lookups degrade, they never
 * crash or read out of bounds (run under ASan by `make asan`). */
static void
test_corrupt_never_crashes(void **state)
{
	const char *d = mkscratch("corrupt");
	char path[800];
	size_t len;
	char *data = read_all(fix("flux-city"), &len);
	unsigned seed = 12345;
	(void)state;

	/* the metadata starts after "\xab\xcd\xefMaxMind.com"; keep it, trash what is before */
	for (int round = 0; round < 40; round++) {
		char *copy = malloc(len);
		const char *p[] = { path };
		struct geo_config c = { .paths = p, .n_paths = 1, .no_default_search = true,
		                        .no_libloc = true };
		struct geo *g;
		struct fs_err err = { 0 };
		size_t meta = len;

		memcpy(copy, data, len);
		for (size_t k = 0; k + 14 <= len; k++)
			if (memcmp(copy + k, "\xab\xcd\xefMaxMind.com", 14) == 0)
				meta = k;
		for (int k = 0; k < 1 + round; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % meta] = (char)(seed >> 16);
		}
		snprintf(path, sizeof path, "%s/c%d.mmdb", d, round);
		write_file(path, copy, len);
		if (geo_open(&c, &g, &err) == FS_OK) {
			for (int k = 0; k < 2000; k++) {
				fs_addr a = { 0 };
				seed = seed * 1103515245u + 12345u;
				a.family = (k & 1) ? 6 : 4;
				for (int b = 0; b < 16; b++)
					a.bytes[b] = (uint8_t)((seed >> (b % 24)) ^ (uint8_t)k);
				if (k % 7 == 0)   /* steer into the populated documentation blocks */
					memcpy(a.bytes, a.family == 4 ? "\xc6\x33\x64" : "\x20\x01\x0d\xb8", a.family == 4 ? 3 : 4);
				if (a.family == 4)
					memset(a.bytes + 4, 0, 12);
				(void)geo_lookup(g, &a);
			}
			geo_free(g);
		} else
			assert_non_null(strstr(err.msg, path));
		free(copy);
	}
	free(data);
}

static void
test_none_and_disabled(void **state)
{
	const char *d = mkscratch("empty");
	const char *dirs[] = { d };
	const char *locs[] = { "/nonexistent/location.db" };
	struct geo_config c = { .search_dirs = dirs, .n_search_dirs = 1, .libloc_paths = locs,
	                        .n_libloc_paths = 1 };
	struct geo *g;
	struct fs_err err = { 0 };
	char buf[2048];
	const struct geo_info *i;
	(void)state;

	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_false(geo_enabled(g));
	assert_false(geo_has_asn(g));
	assert_false(geo_has_country(g));
	geo_describe(g, buf, sizeof buf);
	assert_non_null(strstr(buf, "No GeoIP database found"));
	assert_non_null(strstr(buf, d));                       /* where it looked */
	assert_non_null(strstr(buf, "apt-get install libloc-database"));
	assert_non_null(strstr(buf, "geoipupdate"));
	assert_non_null(strstr(buf, "DB-IP"));
	assert_non_null(strstr(buf, "--geoip"));
	assert_null(strchr(buf, '\n'));                        /* one message */
	geo_describe_short(g, buf, sizeof buf);
	assert_string_equal(buf, "no GeoIP");
	i = L(g, "8.8.8.8");
	assert_non_null(i);
	assert_false(i->found);
	assert_string_equal(i->as_org, "");
	/* a tiny buffer is truncated, never overrun */
	geo_describe(g, buf, 8);
	assert_int_equal(strlen(buf), 7);
	geo_free(g);

	c.disabled = true;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_false(geo_enabled(g));
	geo_describe(g, buf, sizeof buf);
	assert_non_null(strstr(buf, "--no-geoip"));
	assert_false(L(g, "198.51.100.1")->found);
	geo_free(g);
}

/* ---- libloc --------------------------------------------------------------------------- */

static const char *
libloc_path(void)
{
	static const char *p[] = { "/usr/share/libloc-location/location.db",
	                           "/var/lib/location/database.db" };
	for (size_t i = 0; i < 2; i++)
		if (access(p[i], R_OK) == 0)
			return p[i];
	return NULL;
}

/* Whether network "a.b.c.d/n" contains the address (checks the prefix arithmetic). */
static bool
net_contains(const char *net, const char *addr)
{
	char base[64];
	const char *slash = strchr(net, '/');
	fs_addr n, a;
	int bits;

	if (slash == NULL || (size_t)(slash - net) >= sizeof base)
		return false;
	memcpy(base, net, (size_t)(slash - net));
	base[slash - net] = '\0';
	bits = atoi(slash + 1);
	if (fs_addr_parse(base, &n) != 0 || fs_addr_parse(addr, &a) != 0 || n.family != a.family)
		return false;
	for (int i = 0; i < bits; i++)
		if (((n.bytes[i / 8] ^ a.bytes[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static void
test_libloc(void **state)
{
	const char *lp = libloc_path();
	const char *d = mkscratch("libloc-empty");
	const char *dirs[] = { d };
	const char *locs[] = { lp };
	struct geo_config c = { .search_dirs = dirs, .n_search_dirs = 1, .libloc_paths = locs,
	                        .n_libloc_paths = 1 };
	struct geo *g;
	struct fs_err err = { 0 };
	const struct geo_info *i;
	char buf[2048];
	(void)state;

	assert_non_null(lp);           /* libloc-database is a build dependency */
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_int_equal(geo_db_count(g), 1);
	assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_LIBLOC);
	assert_string_equal(geo_db(g, 0)->type, "libloc");
	assert_true(geo_db(g, 0)->built > 946684800LL * FS_USEC);   /* after 2000 */
	assert_true(geo_has_asn(g));
	assert_true(geo_has_country(g));
	assert_false(geo_has_location(g));
	/* Well-known anycast resolvers are in every libloc release (exact values are checked
	 * against `location lookup` by tests/e2e/enrich_libloc.sh). */
	i = L(g, "8.8.8.8");
	assert_true(i->found);
	assert_true(i->asn != 0);
	assert_true(i->as_org[0] != '\0');
	assert_int_equal(strlen(i->country), 2);
	assert_true(i->prefix_len > 0 && i->prefix_len <= 32);
	assert_true(net_contains(i->network, "8.8.8.8"));
	assert_int_equal(i->asn_db, 0);
	i = L(g, "2001:4860:4860::8888");
	assert_true(i->asn != 0);
	assert_true(i->prefix_len > 0 && i->prefix_len <= 128);
	assert_true(net_contains(i->network, "2001:4860:4860::8888"));
	i = L(g, "::ffff:8.8.8.8");
	assert_ptr_equal(i, L(g, "8.8.8.8"));
	i = L(g, "10.1.2.3");                                  /* private: not in libloc */
	assert_false(i->found);
	geo_describe(g, buf, sizeof buf);
	assert_non_null(strstr(buf, "libloc built"));
	assert_non_null(strstr(buf, lp));
	geo_free(g);
}

static void
test_libloc_fills_gaps(void **state)
{
	const char *lp = libloc_path();
	const char *d = mkscratch("cityonly"), *d2 = mkscratch("both");
	char path[800];
	const char *dirs[] = { d };
	const char *locs[] = { lp };
	struct geo_config c = { .search_dirs = dirs, .n_search_dirs = 1, .libloc_paths = locs,
	                        .n_libloc_paths = 1 };
	struct geo *g;
	struct fs_err err = { 0 };
	const struct geo_info *i;
	(void)state;

	snprintf(path, sizeof path, "%s/city.mmdb", d);
	copy_file(fix("flux-city"), path);
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_int_equal(geo_db_count(g), 2);                 /* City found, libloc for the ASN */
	assert_int_equal(geo_db(g, 1)->kind, GEO_KIND_LIBLOC);
	i = L(g, "198.51.100.7");
	assert_string_equal(i->country, "DE");                 /* the City database's */
	assert_int_equal(i->geo_db, 0);
	i = L(g, "8.8.8.8");
	assert_true(i->asn != 0);                              /* libloc's */
	assert_int_equal(i->asn_db, 1);
	assert_int_equal(i->geo_db, 1);
	geo_free(g);

	/* ASN and City found: libloc is not even opened */
	snprintf(path, sizeof path, "%s/city.mmdb", d2);
	copy_file(fix("flux-city"), path);
	snprintf(path, sizeof path, "%s/asn.mmdb", d2);
	copy_file(fix("flux-asn"), path);
	dirs[0] = d2;
	assert_int_equal(geo_open(&c, &g, &err), FS_OK);
	assert_int_equal(geo_db_count(g), 2);
	for (int k = 0; k < 2; k++)
		assert_int_not_equal(geo_db(g, k)->kind, GEO_KIND_LIBLOC);
	geo_free(g);

	/* a libloc file given explicitly is recognised by its content */
	{
		const char *p[] = { lp };
		struct geo_config e = { .paths = p, .n_paths = 1 };
		assert_int_equal(geo_open(&e, &g, &err), FS_OK);
		assert_int_equal(geo_db_count(g), 1);
		assert_int_equal(geo_db(g, 0)->kind, GEO_KIND_LIBLOC);
		geo_free(g);
	}
}

/* ---- the cache ------------------------------------------------------------------------ */

static void
test_cache(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city") };
	struct geo *g = open_files(p, 2);
	const struct geo_info *first, *again;
	struct geo_info copy;
	struct geo_cache_stats cs;
	fs_addr a;
	(void)state;

	first = L(g, "2001:db8:1::53");
	copy = *first;
	for (int k = 0; k < 999; k++)
		assert_ptr_equal(L(g, "2001:db8:1::53"), first);
	geo_cache_stats(g, &cs);
	assert_int_equal(cs.lookups, 1000);
	assert_int_equal(cs.misses, 1);
	/* 100k other addresses grow the table many times; the first pointer stays valid */
	memset(&a, 0, sizeof a);
	a.family = 4;
	for (uint32_t k = 0; k < 100000; k++) {
		a.bytes[0] = 198;
		a.bytes[1] = 51;
		a.bytes[2] = (uint8_t)(k >> 8);
		a.bytes[3] = (uint8_t)k;
		a.bytes[1] = (uint8_t)(51 + (k >> 16));
		(void)geo_lookup(g, &a);
	}
	again = L(g, "2001:db8:1::53");
	assert_ptr_equal(again, first);
	assert_memory_equal(again, &copy, sizeof copy);
	assert_string_equal(again->city, "Tokyo");
	geo_cache_stats(g, &cs);
	assert_int_equal(cs.entries, 100001);
	assert_int_equal(cs.misses, 100001);
	/* interned: equal strings from different lookups share storage */
	assert_ptr_equal(L(g, "198.51.100.1")->as_org, L(g, "198.51.100.99")->as_org);
	assert_ptr_equal(L(g, "198.51.100.1")->network, L(g, "198.51.100.99")->network);
	geo_free(g);
}

/* Read-only readers (geo_lookup_ro): on two threads at once, over addresses the cache has and
 * addresses it lacks, the same infos geo_lookup gives (a second handle's, field by field,
 * strings by text), the cache's own pointer for a cached address, the handle's strings where
 * it has the text, and the handle untouched (its counters, entries and bytes). */
#define RO_N 600
struct ro_run {
	struct geo *g;
	fs_addr addrs[RO_N];
	const struct geo_info *got[RO_N], *again[RO_N];
	uint64_t misses;
	int reverse;
};

static void *
ro_thread(void *arg)
{
	struct ro_run *r = arg;
	struct geo_ro *ro = geo_ro_new(r->g);

	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < RO_N; k++) {
			int i = r->reverse ? RO_N - 1 - k : k;
			const struct geo_info *x = geo_lookup_ro(ro, &r->addrs[i]);
			if (pass == 0)
				r->got[i] = x;
			else
				r->again[i] = x;
		}
	r->misses = geo_ro_misses(ro);
	/* the infos stay valid until the reader goes: the caller compares them first */
	pthread_exit(ro);
}

static void
ro_addr(fs_addr *a, int i)
{
	char s[64];
	switch (i % 6) {
	case 0: snprintf(s, sizeof s, "198.51.100.%d", i % 256); break;        /* the fixtures' */
	case 1: snprintf(s, sizeof s, "2001:db8:1::%x", i); break;
	case 2: snprintf(s, sizeof s, "::ffff:198.51.100.%d", (i * 7) % 256); break;
	case 3: snprintf(s, sizeof s, "%d.%d.%d.%d", 1 + i % 223, (i * 37) % 256, i % 256, 7); break;
	case 4: snprintf(s, sizeof s, "203.0.113.%d", i % 256); break;
	default: snprintf(s, sizeof s, "8.8.%d.%d", i % 4, i % 256); break;
	}
	*a = A(s);
}

static void
info_equal(const struct geo_info *x, const struct geo_info *y)
{
	assert_int_equal(x->found, y->found);
	assert_int_equal(x->asn, y->asn);
	assert_string_equal(x->as_org, y->as_org);
	assert_string_equal(x->country, y->country);
	assert_string_equal(x->city, y->city);
	assert_string_equal(x->network, y->network);
	assert_int_equal(x->prefix_len, y->prefix_len);
	assert_int_equal(x->has_location, y->has_location);
	assert_true(x->lat == y->lat && x->lon == y->lon);
	assert_int_equal(x->asn_db, y->asn_db);
	assert_int_equal(x->geo_db, y->geo_db);
}

static void
test_cache_readonly(void **state)
{
	const char *lp = libloc_path();
	const char *p[] = { fix("flux-asn"), fix("flux-city"), lp };
	int np = lp != NULL ? 3 : 2;
	struct geo *g = open_files(p, np), *ref = open_files(p, np);
	static struct ro_run run[2];
	struct geo_cache_stats before, after;
	void *ro[2];
	(void)state;


	assert_int_equal(geo_db_count(g), np);
	for (int t = 0; t < 2; t++) {
		run[t].g = g;
		run[t].reverse = t;
		for (int i = 0; i < RO_N; i++)
			ro_addr(&run[t].addrs[i], i);
	}
	/* the cache has the first half */
	const struct geo_info *cached[RO_N] = { 0 };
	for (int i = 0; i < RO_N / 2; i++)
		cached[i] = geo_lookup(g, &run[0].addrs[i]);
	geo_cache_stats(g, &before);
	pthread_t th[2];
	for (int t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, ro_thread, &run[t]), 0);
	for (int t = 0; t < 2; t++)
		assert_int_equal(pthread_join(th[t], &ro[t]), 0);
	geo_cache_stats(g, &after);
	assert_int_equal(after.lookups, before.lookups);
	assert_int_equal(after.misses, before.misses);
	assert_int_equal(after.entries, before.entries);
	assert_int_equal(after.bytes, before.bytes);
	/* what each reader resolved itself: the distinct uncached addresses (normalised) */
	size_t distinct = 0;
	for (int i = RO_N / 2; i < RO_N; i++) {
		bool dup = false;
		const struct geo_info *x = geo_lookup(ref, &run[0].addrs[i]);
		for (int j = 0; j < i && !dup; j++)
			dup = geo_lookup(ref, &run[0].addrs[j]) == x;
		distinct += !dup && run[0].addrs[i].family != 0;
	}
	size_t n_uncached_seen = 0;
	for (int i = 0; i < RO_N; i++)
		for (int j = 0; j < i && cached[i] == NULL; j++)
			if (cached[j] != NULL && geo_lookup(ref, &run[0].addrs[j]) == geo_lookup(ref, &run[0].addrs[i]))
				cached[i] = cached[j];   /* the same address in another form: cached too */
	for (int i = 0; i < RO_N; i++)
		n_uncached_seen += cached[i] == NULL;
	assert_true(n_uncached_seen > 0);
	for (int t = 0; t < 2; t++) {
		assert_true(run[t].misses > 0);
		assert_true(run[t].misses <= distinct);
		for (int i = 0; i < RO_N; i++) {
			const struct geo_info *x = run[t].got[i], *want = geo_lookup(ref, &run[t].addrs[i]);
			info_equal(x, want);
			assert_ptr_equal(run[t].again[i], x);   /* a reader resolves an address once */
			if (cached[i] != NULL)
				assert_ptr_equal(x, cached[i]);      /* the cache's own entry */
			else {
				/* text the handle has is the handle's (pointers compare as the cache's) */
				for (int j = 0; j < RO_N; j++) {
					if (cached[j] == NULL)
						continue;
					if (x->city[0] && strcmp(cached[j]->city, x->city) == 0)
						assert_ptr_equal(cached[j]->city, x->city);
					if (x->network[0] && strcmp(cached[j]->network, x->network) == 0)
						assert_ptr_equal(cached[j]->network, x->network);
					if (x->as_org[0] && strcmp(cached[j]->as_org, x->as_org) == 0)
						assert_ptr_equal(cached[j]->as_org, x->as_org);
				}
			}
		}
	}
	for (int t = 0; t < 2; t++)
		geo_ro_free(ro[t]);
	geo_free(ref);
	geo_free(g);
}

/* ---- distance and spread ---------------------------------------------------------------- */

static void
test_distance(void **state)
{
	const double R = 6371.0088, PI = 3.14159265358979323846;
	(void)state;

	assert_float_equal(geo_distance_km(51.5, -0.12, 51.5, -0.12), 0.0, 1e-9);
	/* one degree of longitude on the equator and of latitude on a meridian: R·π/180 */
	assert_float_equal(geo_distance_km(0, 0, 0, 1), R * PI / 180, 1e-6);
	assert_float_equal(geo_distance_km(10, 20, 11, 20), R * PI / 180, 1e-6);
	/* antipodes and poles: half the circumference */
	assert_float_equal(geo_distance_km(0, 0, 0, 180), R * PI, 1e-6);
	assert_float_equal(geo_distance_km(90, 0, -90, 0), R * PI, 1e-6);
	assert_float_equal(geo_distance_km(0, -179.5, 0, 179.5), R * PI / 180, 1e-6);
	/* a quarter of a great circle: equator to pole */
	assert_float_equal(geo_distance_km(0, 37, 90, -120), R * PI / 2, 1e-6);
	/* symmetric */
	assert_float_equal(geo_distance_km(50.1188, 8.6843, 35.6893, 139.6899),
	                   geo_distance_km(35.6893, 139.6899, 50.1188, 8.6843), 1e-9);
	/* London–Paris: 343.5 km by haversine (a widely quoted worked example, ±0.5 km) */
	assert_float_equal(geo_distance_km(51.5074, -0.1278, 48.8566, 2.3522), 343.5, 0.5);
}

static void
test_spread(void **state)
{
	const char *p[] = { fix("flux-asn"), fix("flux-city") };
	struct geo *g = open_files(p, 2);
	const char *txt[] = { "198.51.100.7", "198.51.100.8", "::ffff:198.51.100.7" /* dup */,
	                      "198.51.100.200", "203.0.113.5", "203.0.113.6", "2001:db8:1::1",
	                      "2001:db8:5::1", "8.8.8.8" };
	fs_addr a[9];
	struct geo_spread s;
	(void)state;

	for (int k = 0; k < 9; k++)
		a[k] = A(txt[k]);
	geo_spread_addrs(g, a, 9, &s);
	assert_int_equal(s.n_addrs, 8);                       /* the mapped duplicate counts once */
	assert_int_equal(s.n_found, 7);
	/* ASNs: 64500 ×3, 64501 ×2, 64510 ×1; unknown: 2001:db8:5::1 and 8.8.8.8 */
	assert_int_equal(s.n_asns, 3);
	assert_int_equal(s.n_no_asn, 2);
	assert_int_equal(s.n_top_asns, 3);
	assert_int_equal(s.top_asns[0].asn, 64500);
	assert_string_equal(s.top_asns[0].label, "Example Transit");
	assert_int_equal(s.top_asns[0].n, 3);
	assert_float_equal(s.top_asns[0].share, 3.0 / 8.0, 1e-12);
	assert_int_equal(s.top_asns[1].asn, 64501);
	assert_int_equal(s.top_asns[2].asn, 64510);
	/* countries: DE ×2, RU ×2, US, JP, AU; unknown 8.8.8.8; ties by code */
	assert_int_equal(s.n_countries, 5);
	assert_int_equal(s.n_no_country, 1);
	assert_string_equal(s.top_countries[0].country, "DE");
	assert_string_equal(s.top_countries[1].country, "RU");
	assert_int_equal(s.top_countries[1].n, 2);
	assert_string_equal(s.top_countries[2].country, "AU");
	assert_float_equal(s.top_countries[2].share, 1.0 / 8.0, 1e-12);
	assert_int_equal(s.n_cities, 2);                      /* Frankfurt, Tokyo */
	assert_int_equal(s.n_networks, 4);                    /* .100/24, .113/25, db8:1, db8:5 */
	/* entropy over ASNs 3,2,1: −Σ p log2 p */
	assert_float_equal(s.asn_entropy,
	                   -(0.5 * log2(0.5) + (1.0 / 3) * log2(1.0 / 3) + (1.0 / 6) * log2(1.0 / 6)),
	                   1e-12);
	/* located: Frankfurt ×2, Wichita-ish US, Tokyo, Sydney: the farthest pair is US–Sydney
	 * or Frankfurt–Sydney; whichever, it is the max over those pairs */
	assert_int_equal(s.n_located, 5);
	{
		double pts[4][2] = { { 50.1188, 8.6843 }, { 37.751, -97.822 }, { 35.6893, 139.6899 },
		                     { -33.8688, 151.2093 } };
		double best = 0;
		for (int x = 0; x < 4; x++)
			for (int y = x + 1; y < 4; y++) {
				double km = geo_distance_km(pts[x][0], pts[x][1], pts[y][0], pts[y][1]);
				if (km > best)
					best = km;
			}
		assert_float_equal(s.max_km, best, 1e-9);
		assert_true(s.max_km > 13000 && s.max_km < 17000);
	}
	/* nothing, one address */
	geo_spread_addrs(g, a, 0, &s);
	assert_int_equal(s.n_addrs, 0);
	geo_spread_addrs(g, a, 1, &s);
	assert_int_equal(s.n_addrs, 1);
	assert_float_equal(s.max_km, 0.0, 0);
	assert_float_equal(s.asn_entropy, 0.0, 0);
	assert_float_equal(s.top_asns[0].share, 1.0, 0);
	geo_free(g);
}

static int
setup_all(void **state)
{
	const char *b = getenv("BUILD");
	char tmpl[600];
	(void)state;

	snprintf(fixdir, sizeof fixdir, "%s/fixtures/geo", b != NULL && b[0] ? b : "build");
	if (access(fix("flux-asn"), R_OK) != 0) {
		fprintf(stderr, "test_geo: fixtures missing in %s (built by `make unit`)\n", fixdir);
		return -1;
	}
	snprintf(tmpl, sizeof tmpl, "%s/../tmp-geo-XXXXXX", fixdir);
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(tmproot, sizeof tmproot, "%s", tmpl);
	return 0;
}

static int
teardown_all(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maxmind_published),
		cmocka_unit_test(test_maxmind_metadata),
		cmocka_unit_test(test_fixture_ipv4_ipv6),
		cmocka_unit_test(test_fixture_mapped),
		cmocka_unit_test(test_fixture_missing_fields),
		cmocka_unit_test(test_fixture_unknown),
		cmocka_unit_test(test_fixture_ipv4_tree),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_dbip_layouts),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_useless_type_skipped),
		cmocka_unit_test(test_folder_explicit),
		cmocka_unit_test(test_default_search),
		cmocka_unit_test(test_explicit_overrides_search),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_corrupt_never_crashes),
		cmocka_unit_test(test_none_and_disabled),
		cmocka_unit_test(test_libloc),
		cmocka_unit_test(test_libloc_fills_gaps),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_readonly),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_spread),
	};
	return cmocka_run_group_tests_name("geo", tests, setup_all, teardown_all);
}
