/* Features over hand-built timelines, against values computed by hand (see comments). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_int.h"

#define EPS 1e-3
#define S(x) ((fs_time)(x) * FS_USEC)

static struct det_addr_info infos[32];
static struct geo_info geos[32];   /* what the enrichment cache would hold */

static void
set_info(uint32_t id, const char *ip, uint32_t asn, const char *cc, bool loc, double lat, double lon)
{
	struct det_addr_info *a = &infos[id];
	memset(a, 0, sizeof *a);
	assert_int_equal(fs_addr_parse(ip, &a->addr), 0);
	a->asn = asn;
	if (cc && cc[0]) {
		a->cc[0] = cc[0];
		a->cc[1] = cc[1];
	}
	a->has_loc = loc;
	if (asn != 0 || cc != NULL || loc) {
		geos[id] = (struct geo_info){ .as_org = "", .city = "", .network = "", .asn = asn,
		    .found = true, .has_location = loc, .lat = lat, .lon = lon };
		a->geo = &geos[id];
	}
}

static const struct det_addr_info *
info(void *ctx, uint32_t id)
{
	(void)ctx;
	return &infos[id];
}

static bool
no_agent(void *ctx, uint32_t addr, fs_time until)
{
	(void)ctx; (void)addr; (void)until;
	return false;
}

/* addresses 1..6 (and 7..9 for nameservers):
 *  1 10.1.0.1 AS100 US (0,0)    2 10.2.0.1 AS200 DE (0,90)   3 10.3.0.1 AS300 BR
 *  4 10.1.1.1 AS100 US (0,0)    5 10.4.0.1 AS400 JP          6 10.5.0.1 AS500 RU
 * answers, one resolver, TTL 300:
 *  t=0 {1,2,3}  t=100 {1,2,3} (TTL 200: a cache repeat)  t=300 {4,5,6}  t=600 {1,2,4} */
static const uint32_t s1[] = { 1, 2, 3 }, s2[] = { 4, 5, 6 }, s3[] = { 1, 2, 4 };
static const struct det_obs obs[] = {
	{ S(0), s1, 3, 300, 7, 1, 1 },
	{ S(100), s1, 3, 200, 7, 1, 1 },
	{ S(300), s2, 3, 300, 7, 2, 1 },
	{ S(600), s3, 3, 300, 7, 3, 1 },
};
static const uint32_t ns_a[] = { 101, 102 }, ns_b[] = { 101, 103 };
static const struct det_ns_obs nso[] = {
	{ S(0), ns_a, 2, 3600 },
	{ S(300), ns_b, 2, 300 },
};
static const struct det_ns_addr nsa[] = {
	{ 101, 7, S(0), 600 },
	{ 102, 8, S(0), 600 },
	{ 103, 1, S(300), 120 },
	{ 103, 9, S(10000), 120 },
};

static void
setup_infos(void)
{
	set_info(1, "10.1.0.1", 100, "US", true, 0, 0);
	set_info(2, "10.2.0.1", 200, "DE", true, 0, 90);
	set_info(3, "10.3.0.1", 300, "BR", false, 0, 0);
	set_info(4, "10.1.1.1", 100, "US", true, 0, 0);
	set_info(5, "10.4.0.1", 400, "JP", false, 0, 0);
	set_info(6, "10.5.0.1", 500, "RU", false, 0, 0);
	set_info(7, "192.0.2.1", 700, "NL", false, 0, 0);
	set_info(8, "192.0.2.2", 700, "NL", false, 0, 0);
	set_info(9, "198.51.100.9", 900, "FR", false, 0, 0);
}

static struct det_input
mkinput(void)
{
	struct det_input in = {
		.obs = obs, .n_obs = 4, .ns = nso, .n_ns = 2, .nsaddr = nsa, .n_nsaddr = 4,
		.info = info, .is_agent = no_agent, .have_asn = true, .have_country = true,
		.have_geo = true,
	};
	return in;
}

static void
test_address_features(void **state)
{
	(void)state;
	struct det_scratch *sc = det_scratch_new();
	struct det_input in = mkinput();
	struct det_feat f;

	setup_infos();
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_obs, 4);
	assert_int_equal(f.n_addrs, 6);
	assert_int_equal(f.max_per_resp, 3);
	assert_true(fabs(f.mean_per_resp - 3.0) < EPS);
	/* ASNs 100 (twice), 200, 300, 400, 500 */
	assert_int_equal(f.n_asns, 5);
	assert_true(fabs(f.as_fraction - 0.8) < EPS);                 /* (5-1)/(6-1) */
	/* H(2,1,1,1,1 of 6) = (1/3)log2 3 + (4/6)log2 6 = 2.25163 bits */
	assert_true(fabs(f.asn_entropy - 2.25163) < EPS);
	/* /16: 10.1 (1,4), 10.2, 10.3, 10.4, 10.5: 2.25163 / log2 6 = 0.87106 */
	assert_int_equal(f.n_p16, 5);
	assert_true(fabs(f.p16_entropy - 0.87106) < EPS);
	/* /24: six different prefixes: normalised entropy 1 */
	assert_int_equal(f.n_p24, 6);
	assert_true(fabs(f.p24_entropy - 1.0) < EPS);
	assert_int_equal(f.n_countries, 5);
	assert_true(fabs(f.country_entropy - 2.25163) < EPS);
	/* (0,0)–(0,90): a quarter of the great circle, 6371·π/2 km */
	assert_true(fabs(f.max_km - 6371.0 * M_PI / 2) < 0.5);
	assert_int_equal(f.top_asn[0].asn, 100);
	assert_int_equal(f.top_asn[0].n, 2);
	assert_string_equal(f.top_cc[0].cc, "US");
	assert_int_equal(f.n_v6, 0);
	det_scratch_free(sc);
}

static void
test_time_features(void **state)
{
	(void)state;
	struct det_scratch *sc = det_scratch_new();
	struct det_input in = mkinput();
	struct det_feat f;

	setup_infos();
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.ttl, 300);                 /* max TTL: caches count down */
	assert_int_equal(f.ttl_min, 200);
	assert_int_equal(f.n_ttls, 1);                /* every set's max TTL is 300 */
	assert_int_equal(f.n_sets, 3);
	assert_true(fabs(f.span_s - 600) < EPS);
	/* periods of 300 s with answers: [0,300) [300,600) [600,900) */
	assert_int_equal(f.periods, 3);
	/* t=100 repeats t=0 within its TTL: not fresh; the two later answers changed */
	assert_int_equal(f.n_fresh, 3);
	assert_int_equal(f.comparisons, 2);
	assert_int_equal(f.changes, 2);
	assert_true(fabs(f.change_frac - 1.0) < EPS);
	/* Jaccard distances 1 ({1,2,3}→{4,5,6}) and 1-1/5 ({4,5,6}→{1,2,4}) */
	assert_true(fabs(f.jaccard - 0.9) < EPS);
	assert_true(fabs(f.changes_per_hour - 12.0) < EPS);   /* 2 changes in 600 s */
	/* later fresh answers: 3 new of 3, then 0 new of 3 */
	assert_true(fabs(f.novelty - 0.5) < EPS);
	assert_true(fabs(f.novelty_late - 0.5) < EPS);          /* too few answers: same */
	assert_true(fabs(f.mean_sightings - 1.5) < EPS);        /* 9 slots / 6 addresses */
	/* {1,2,3} wholly replaced by {4,5,6} after 300 s; the later sets never are */
	assert_true(fabs(f.replace_s - 300) < EPS);
	assert_true(fabs(f.replace_ttls - 1.0) < EPS);
	/* Holz: {1,2,3} ∪ {4,5,6} (first lookup after 300 s) = 6 addresses, 5 ASNs */
	assert_int_equal(f.holz_na, 6);
	assert_int_equal(f.holz_nasn, 5);
	assert_true(f.holz_two_lookups);
	for (int w = 0; w < DET_N_WINDOWS; w++) {
		assert_int_equal(f.win_addrs[w], 6);
		assert_int_equal(f.win_asns[w], 5);
	}
	det_scratch_free(sc);
}

static void
test_prefix_features(void **state)
{
	(void)state;
	struct det_scratch *sc = det_scratch_new();
	struct det_input in = mkinput();
	struct det_feat f;

	setup_infos();
	/* the first three answers: t=0..300 */
	det_features(sc, &in, 3, &f);
	assert_int_equal(f.n_obs, 3);
	assert_int_equal(f.n_addrs, 6);
	assert_int_equal(f.periods, 2);
	assert_int_equal(f.changes, 1);
	assert_true(fabs(f.novelty - 1.0) < EPS);
	/* nameservers seen by t=300: both NS sets (one change), NS TTL 300;
	 * addresses 7, 8 and 1 (9 appears later); 1 also answers for the domain */
	assert_true(f.have_ns);
	assert_int_equal(f.n_ns_obs, 2);
	assert_int_equal(f.n_ns_changes, 1);
	assert_int_equal(f.n_ns_names, 3);
	assert_int_equal(f.ns_ttl, 1950);             /* median of 3600 and 300 */
	assert_int_equal(f.n_ns_addrs, 3);
	assert_int_equal(f.n_ns_asns, 2);             /* AS700, AS100 */
	assert_int_equal(f.ns_glue_ttl, 120);
	assert_int_equal(f.n_ns_agents, 1);
	assert_true(fabs(f.ns_overlap - 1.0 / 3) < EPS);
	assert_true(fabs(f.ns_addrs_per_name - 1.0) < EPS);
	/* everything: address 9 of ns 103 counts too */
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_ns_addrs, 4);
	assert_int_equal(f.n_ns_asns, 3);
	det_scratch_free(sc);
}

static void
test_windows(void **state)
{
	(void)state;
	/* one new address every 20 minutes for 3 hours: the 10-minute window never holds two,
	 * one hour holds 4 (t, t+20, t+40, t+60 inclusive), 24 h all 10 */
	static uint32_t ids[10];
	struct det_obs o[10];
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;

	setup_infos();
	set_info(10, "203.0.113.10", 1000, "CA", false, 0, 0);
	for (uint32_t i = 0; i < 10; i++) {
		ids[i] = i + 1;                  /* ten distinct addresses */
		o[i] = (struct det_obs){ S(i * 1200), &ids[i], 1, 1800, 1, i + 1, 1 };
	}
	struct det_input in = { .obs = o, .n_obs = 10, .info = info, .have_asn = true };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.win_addrs[DET_W_10M], 1);
	assert_int_equal(f.win_addrs[DET_W_1H], 4);
	assert_int_equal(f.win_addrs[DET_W_24H], 10);
	/* ASNs: 1 and 4 share AS100, 7 and 8 share AS700: 8 distinct over the day */
	assert_int_equal(f.win_asns[DET_W_24H], 8);
	assert_int_equal(f.n_addrs, 10);
	assert_int_equal(f.changes, 9);
	/* one address per answer, each new: every answer replaces the set after 1200 s */
	assert_true(fabs(f.replace_s - 1200) < EPS);
	assert_true(fabs(f.novelty - 1.0) < EPS);
	assert_true(fabs(f.novelty_late - 1.0) < EPS);
	/* no ASN data at all for Holz when have_asn is false */
	in.have_asn = false;
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_asns, 0);
	assert_int_equal(f.holz_nasn, 0);
	det_scratch_free(sc);
}

static void
test_recurring_pool(void **state)
{
	(void)state;
	/* a pool of 4 addresses handed out 2 at a time, fresh every 150 s, 20 answers */
	static const uint32_t sets[4][2] = { { 1, 2 }, { 3, 4 }, { 1, 3 }, { 2, 4 } };
	struct det_obs o[20];
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;

	setup_infos();
	for (uint32_t i = 0; i < 20; i++)
		o[i] = (struct det_obs){ S(i * 150), sets[i % 4], 2, 150, 1, 1 + i % 4, 1 };
	struct det_input in = { .obs = o, .n_obs = 20, .info = info, .have_asn = true };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_addrs, 4);
	assert_int_equal(f.n_fresh, 20);
	/* later answers: only the second brought new addresses (2 of 38 slots) */
	assert_true(fabs(f.novelty - 2.0 / 38) < EPS);
	assert_true(fabs(f.novelty_late - 0.0) < EPS);
	assert_true(fabs(f.mean_sightings - 10.0) < EPS);    /* 40 slots / 4 addresses */
	det_scratch_free(sc);
}

static void
test_per_resolver_spread(void **state)
{
	(void)state;
	/* resolver 1 gets {1,4}: same place, same /16; resolver 2 gets {2,5,6}: one located,
	 * three /16s; resolver 3 gets {1,2}: a quarter of the globe apart, two /16s */
	static const uint32_t r1[] = { 1, 4 }, r2[] = { 2, 5, 6 }, r3[] = { 1, 2 };
	const struct det_obs o[] = {
		{ S(0), r1, 2, 60, 11, 1, 1 },
		{ S(10), r2, 3, 60, 12, 2, 2 },
		{ S(20), r3, 2, 60, 13, 3, 3 },
	};
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;

	setup_infos();
	struct det_input in = { .obs = o, .n_obs = 3, .info = info, .have_asn = true,
	                        .have_geo = true };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_resolvers, 3);
	/* median of 0 km (resolver 1) and 10007.5 km (resolver 3); resolver 2 has one location */
	assert_true(fabs(f.local_km - 6371.0 * M_PI / 4) < 0.5);
	/* (2·0 + 3·1 + 2·1) / 7 */
	assert_true(fabs(f.local_p16_entropy - 5.0 / 7) < EPS);
	/* overall: the same quarter circle */
	assert_true(fabs(f.max_km - 6371.0 * M_PI / 2) < 0.5);
	det_scratch_free(sc);
}

static void
test_dual_stack(void **state)
{
	(void)state;
	/* t=0 A {1,4}; t=10 AAAA {11,12} (same network, other family); t=400 A {2,3} */
	static const uint32_t a1[] = { 1, 4 }, q6[] = { 11, 12 }, a2[] = { 2, 3 };
	const struct det_obs o[] = {
		{ S(0), a1, 2, 300, 1, 1, 1 },
		{ S(10), q6, 2, 300, 2, 2, 1 },
		{ S(400), a2, 2, 300, 1, 3, 1 },
	};
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;

	setup_infos();
	set_info(11, "2001:db8:1::1", 100, "US", false, 0, 0);
	set_info(12, "2001:db8:1::2", 100, "US", false, 0, 0);
	struct det_input in = { .obs = o, .n_obs = 3, .info = info, .have_asn = true };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_addrs, 6);
	assert_int_equal(f.n_v6, 2);
	/* the AAAA answer starts the IPv6 set: only the last A answer counts for novelty */
	assert_int_equal(f.first_sizes, 4);
	assert_true(fabs(f.novelty - 1.0) < EPS);
	/* 2 new addresses over one further TTL period */
	assert_int_equal(f.periods, 2);
	assert_true(fabs(f.growth - 2.0) < EPS);
	/* /16 per family: IPv4 10.1 (2), 10.2, 10.3 → 1.5 bits / log2 4 = 0.75; IPv6 one /32 → 0;
	 * weighted (4·0.75 + 2·0) / 6 */
	assert_int_equal(f.n_p16, 4);
	assert_int_equal(f.n_p16_fam, 3);
	assert_true(fabs(f.p16_entropy - 0.5) < EPS);
	/* the A set is wholly replaced after 400 s; the AAAA answer does not count as a
	 * replacement of the A answer */
	assert_true(fabs(f.replace_s - 400) < EPS);
	/* Holz: the first lookup and the next A lookup a TTL later: 4 addresses, 3 ASNs */
	assert_int_equal(f.holz_na, 4);
	assert_int_equal(f.holz_nasn, 3);
	det_scratch_free(sc);
}

static void
test_lookup_breadth(void **state)
{
	(void)state;
	/* one resolver: t=0 A {2,3} (AS200 DE, AS300 BR), t=1 AAAA {13,14} (AS600 JP, AS800 FR):
	 * one lookup of four addresses in four ASNs across four countries */
	static const uint32_t a[] = { 2, 3 }, q6[] = { 13, 14 }, q6same[] = { 11, 12 };
	struct det_obs o[] = {
		{ S(0), a, 2, 300, 1, 1, 1 },
		{ S(1), q6, 2, 300, 2, 2, 1 },
	};
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;

	setup_infos();
	set_info(11, "2001:db8:1::1", 100, "US", false, 0, 0);
	set_info(12, "2001:db8:1::2", 100, "US", false, 0, 0);
	set_info(13, "2001:db8:6::1", 600, "JP", false, 0, 0);
	set_info(14, "2001:db8:8::1", 800, "FR", false, 0, 0);
	struct det_input in = { .obs = o, .n_obs = 2, .info = info, .have_asn = true,
	                        .have_country = true };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 4);
	assert_int_equal(f.breadth_addrs, 4);
	assert_true(f.breadth_asn);
	assert_int_equal(f.scatter_addrs, 4);
	assert_int_equal(f.scatter_ccs, 4);

	/* the AAAA answer from another resolver: two lookups of two addresses each */
	o[1].resolver = 2;
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 2);
	assert_int_equal(f.breadth_addrs, 2);
	assert_int_equal(f.scatter_addrs, 2);
	assert_int_equal(f.scatter_ccs, 2);

	/* the same resolver, but the A answer's TTL had run out when the AAAA answer came */
	o[1].resolver = 1;
	o[1].ts = S(400);
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 2);
	assert_int_equal(f.scatter_addrs, 2);

	/* a dual-stack service whose AAAA addresses share one ASN: three networks among four
	 * addresses, so the lookup is broad but not scattered (the lone A answer is) */
	o[1].ts = S(1);
	o[1].addrs = q6same;
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 3);
	assert_int_equal(f.breadth_addrs, 4);
	assert_int_equal(f.scatter_addrs, 2);
	assert_int_equal(f.scatter_ccs, 2);

	/* without ASN data the families stay apart (an IPv4 /16 and an IPv6 /32 would always be
	 * two networks), and nothing is scattered */
	o[1].addrs = q6;
	in.have_asn = false;
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 2);
	assert_false(f.breadth_asn);
	assert_int_equal(f.scatter_addrs, 0);

	/* an address without a country: no scattered lookup */
	in.have_asn = true;
	set_info(14, "2001:db8:8::1", 800, NULL, false, 0, 0);
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.breadth_nets, 4);
	assert_int_equal(f.scatter_addrs, 2);
	det_scratch_free(sc);
}

static void
test_ipv6_prefixes(void **state)
{
	(void)state;
	fs_addr a, b, c;
	assert_int_equal(fs_addr_parse("2001:db8:1:2::1", &a), 0);
	assert_int_equal(fs_addr_parse("2001:db8:1:3::1", &b), 0);
	assert_int_equal(fs_addr_parse("2001:db8:2:2::1", &c), 0);
	/* level 16 = /32 for IPv6: all three share 2001:db8::/32 */
	assert_true(det_prefix_key(&a, 16) == det_prefix_key(&c, 16));
	/* level 24 = /48: a and b share 2001:db8:1::/48, c does not */
	assert_true(det_prefix_key(&a, 24) == det_prefix_key(&b, 24));
	assert_true(det_prefix_key(&a, 24) != det_prefix_key(&c, 24));
	fs_addr v4;
	assert_int_equal(fs_addr_parse("32.1.13.184", &v4), 0);   /* same leading bytes as 2001:0db8 */
	assert_true(det_prefix_key(&v4, 16) != det_prefix_key(&a, 16));
}

static void
test_empty(void **state)
{
	(void)state;
	struct det_scratch *sc = det_scratch_new();
	struct det_feat f;
	struct det_input in = { .info = info };
	det_features(sc, &in, UINT32_MAX, &f);
	assert_int_equal(f.n_obs, 0);
	assert_int_equal(f.n_addrs, 0);
	assert_false(f.have_ns);
	assert_true(f.max_km < 0);
	det_scratch_free(sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_features),
		cmocka_unit_test(test_time_features),
		cmocka_unit_test(test_prefix_features),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_recurring_pool),
		cmocka_unit_test(test_per_resolver_spread),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_lookup_breadth),
		cmocka_unit_test(test_ipv6_prefixes),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
