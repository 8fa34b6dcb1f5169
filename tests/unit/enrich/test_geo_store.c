/* Unit tests for geo_domain_spread(): a domain's addresses from the store with their
 * enrichment (the report's "spread" rows) and the per-domain summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "unit/store/msgbuild.h"

static struct geo *
open_fixtures(void)
{
	static char p1[600], p2[600];
	const char *b = getenv("BUILD");
	const char *p[] = { p1, p2 };
	struct geo_config c = { .paths = p, .n_paths = 2, .no_default_search = true,
	                        .no_libloc = true };
	struct geo *g;
	struct fs_err err = { 0 };

	snprintf(p1, sizeof p1, "%s/fixtures/geo/flux-asn.mmdb", b && b[0] ? b : "build");
	snprintf(p2, sizeof p2, "%s/fixtures/geo/flux-city.mmdb", b && b[0] ? b : "build");
	if (geo_open(&c, &g, &err) != FS_OK)
		fail_msg("geo_open: %s", err.msg);
	return g;
}

static void
test_domain_spread(void **state)
{
	struct store *s = store_new(NULL);
	struct geo *g = open_fixtures();
	struct mb b;
	struct geo_addr_row *rows;
	struct geo_spread sp;
	store_dom_id dom;
	size_t n;
	(void)state;

	/* three responses over 200 s: the answer set rotates through five addresses */
	mb_resp(&b, "flux.example", DNS_TYPE_A, 100);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "198.51.100.7", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "203.0.113.5", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flux.example", DNS_TYPE_A, 200);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "198.51.100.7", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "198.51.100.200", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flux.example", DNS_TYPE_AAAA, 300);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "2001:db8:1::53", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "flux.example", "2001:db8:ffff::1", 60);
	store_add_msg(s, &b.m);

	dom = store_domain_find(s, "flux.example");
	assert_int_not_equal(dom, 0);
	n = geo_domain_spread(g, s, dom, &rows, &sp);
	assert_int_equal(n, 5);
	assert_non_null(rows);
	for (size_t i = 0; i < n; i++) {
		char t[FS_ADDR_STRLEN];
		const char *a = fs_addr_str(&rows[i].addr, t, sizeof t);
		/* each row's info is exactly what geo_lookup gives for its address */
		assert_ptr_equal(rows[i].info, geo_lookup(g, &rows[i].addr));
		if (strcmp(a, "198.51.100.7") == 0) {
			assert_int_equal(rows[i].count, 2);
			assert_int_equal(rows[i].first_seen, 100 * FS_USEC);
			assert_int_equal(rows[i].last_seen, 200 * FS_USEC);
			assert_int_equal(rows[i].info->asn, 64500);
			assert_string_equal(rows[i].info->country, "DE");
			assert_string_equal(rows[i].info->network, "198.51.100.0/24");
		} else if (strcmp(a, "2001:db8:1::53") == 0) {
			assert_int_equal(rows[i].count, 1);
			assert_string_equal(rows[i].info->city, "Tokyo");
		} else if (strcmp(a, "2001:db8:ffff::1") == 0) {
			assert_false(rows[i].info->found);
		}
	}
	assert_int_equal(sp.n_addrs, 5);
	assert_int_equal(sp.n_found, 4);
	assert_int_equal(sp.n_asns, 3);             /* 64500 (×2 addresses), 64501, 64510 */
	assert_int_equal(sp.top_asns[0].asn, 64500);
	assert_int_equal(sp.top_asns[0].n, 2);
	assert_float_equal(sp.top_asns[0].share, 0.4, 1e-12);
	assert_int_equal(sp.n_countries, 4);        /* DE, US, RU, JP */
	assert_int_equal(sp.n_located, 3);
	assert_float_equal(sp.max_km, geo_distance_km(37.751, -97.822, 35.6893, 139.6899), 1e-9);
	free(rows);

	/* a name with no addresses, and one that is not there */
	mb_resp(&b, "empty.example", DNS_TYPE_A, 400);
	store_add_msg(s, &b.m);
	dom = store_domain_find(s, "empty.example");
	n = geo_domain_spread(g, s, dom, &rows, &sp);
	assert_int_equal(n, 0);
	assert_null(rows);
	assert_int_equal(sp.n_addrs, 0);
	n = geo_domain_spread(g, s, 0, &rows, &sp);
	assert_int_equal(n, 0);
	assert_null(rows);
	geo_free(g);
	store_free(s);
}

/* geo_lookup_id: the info of geo_lookup for the record's address; its table is the store's
 * and the epoch's, and an emptied cache starts it over. */
static void
test_lookup_id(void **state)
{
	struct store *s = store_new(NULL), *s2 = store_new(NULL);
	struct geo *g = open_fixtures();
	struct geo_addr_row *rows;
	struct geo_spread sp;
	struct mb b;
	size_t n;
	(void)state;

	mb_resp(&b, "a.example", DNS_TYPE_A, 100);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "a.example", "198.51.100.7", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "a.example", "203.0.113.5", 60);
	store_add_msg(s, &b.m);
	for (store_addr_id id = 1; id <= store_addr_count(s); id++) {
		const struct store_addr *sa = store_addr(s, id);
		const struct geo_info *i = geo_lookup_id(g, s, id, &sa->addr);
		assert_ptr_equal(i, geo_lookup(g, &sa->addr));
		assert_ptr_equal(geo_lookup_id(g, s, id, &sa->addr), i);   /* known by id now */
	}
	/* another store: its own addresses under the same ids */
	mb_resp(&b, "b.example", DNS_TYPE_A, 100);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "b.example", "2001:db8:1::53", 60);
	store_add_msg(s2, &b.m);
	n = geo_domain_spread(g, s2, store_domain_find(s2, "b.example"), &rows, &sp);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].info->city, "Tokyo");
	free(rows);
	const struct store_addr *sa2 = store_addr(s2, 1);
	assert_ptr_equal(geo_lookup_id(g, s2, 1, &sa2->addr), geo_lookup(g, &sa2->addr));

	/* ageing frees everything of the first store; its ids go to new addresses (another
	 * epoch): a domain's rows are the new addresses', not what the ids named before */
	for (store_addr_id id = 1; id <= store_addr_count(s); id++) {
		const struct store_addr *sa = store_addr(s, id);
		(void)geo_lookup_id(g, s, id, &sa->addr);
	}
	size_t before = store_addr_count(s);
	store_expire(s, 1000 * FS_USEC, 0);
	mb_resp(&b, "c.example", DNS_TYPE_AAAA, 2000);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "c.example", "2001:db8:1::53", 60);
	store_add_msg(s, &b.m);
	store_dom_id c = store_domain_find(s, "c.example");
	assert_int_not_equal(c, 0);
	assert_true(store_domain(s, c)->ext->addrs[0].addr <= before);   /* an id used before */
	n = geo_domain_spread(g, s, c, &rows, &sp);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].info->city, "Tokyo");
	assert_ptr_equal(rows[0].info, geo_lookup(g, &rows[0].addr));
	free(rows);

	/* an emptied cache: a new generation, and lookups by id resolve again */
	uint64_t gen = geo_cache_generation(g);
	assert_true(geo_cache_trim(g, 0));
	assert_true(geo_cache_generation(g) != gen);
	store_addr_id id = store_domain(s, c)->ext->addrs[0].addr;
	const struct geo_info *i = geo_lookup_id(g, s, id, &store_addr(s, id)->addr);
	assert_string_equal(i->city, "Tokyo");
	assert_ptr_equal(i, geo_lookup(g, &store_addr(s, id)->addr));
	geo_free(g);
	store_free(s);
	store_free(s2);
}

/* Detection keeps its addresses' cache entries between runs: after the cache was emptied
 * (the TUI trims it before each run) it looks them up again and scores as before. */
static void
test_detect_after_trim(void **state)
{
	struct store *s = store_new(NULL);
	struct geo *g = open_fixtures();
	struct detector *d = NULL;
	struct det_config cfg = { .no_default_allowlist = true };
	struct fs_err err = { 0 };
	static const char *const ips[] = { "198.51.100.7", "203.0.113.5", "198.51.100.200",
	                                   "192.0.2.10", "198.51.100.9", "203.0.113.77" };
	struct mb b;
	(void)state;

	for (int i = 0; i < 12; i++) {
		mb_resp(&b, "rot.example", DNS_TYPE_A, 100 + 120.0 * i);
		mb_addr_rr(&b, DNS_SEC_ANSWER, "rot.example", ips[i % 6], 60);
		mb_addr_rr(&b, DNS_SEC_ANSWER, "rot.example", ips[(i + 3) % 6], 60);
		store_add_msg(s, &b.m);
	}
	assert_int_equal(det_new(&cfg, g, &d, &err), FS_OK);
	det_run(d, s);
	const struct det_result *r = det_for_domain(d, store_domain_find(s, "rot.example"));
	assert_non_null(r);
	double score = r->score, km = r->max_distance_km;
	uint32_t asns = r->n_asns, ccs = r->n_countries;
	assert_true(asns >= 2);
	assert_true(km > 0);
	assert_true(geo_cache_trim(g, 0));
	det_run(d, s);
	r = det_for_domain(d, store_domain_find(s, "rot.example"));
	assert_non_null(r);
	assert_int_equal(r->n_asns, asns);
	assert_int_equal(r->n_countries, ccs);
	assert_float_equal(r->max_distance_km, km, 1e-9);
	assert_float_equal(r->score, score, 1e-9);
	det_free(d);
	geo_free(g);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_spread),
		cmocka_unit_test(test_lookup_id),
		cmocka_unit_test(test_detect_after_trim),
	};
	return cmocka_run_group_tests_name("geo_store", tests, NULL, NULL);
}
