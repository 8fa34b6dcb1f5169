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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_spread),
	};
	return cmocka_run_group_tests_name("geo_store", tests, NULL, NULL);
}
