/* Names that never had an address are kept compact (a shared template and a small record) and
 * their det_result is made on demand: every result must equal the one a detector keeping every
 * result whole computes, field for field, in the same order, and det_get/det_for_domain must
 * hand out one stable pointer per result until the next run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "detect/detect_int.h"
#include "fluxscope/ingest.h"
#include "unit/store/msgbuild.h"

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

static struct store *
load(const char *path)
{
	struct store *s = store_new(NULL);
	struct fs_err err;
	struct ingest *in = ingest_new(NULL, on_msg, s);
	assert_int_equal(ingest_add_file(in, path, &err), FS_OK);
	(void)ingest_run(in, &err);
	ingest_free(in);
	return s;
}

/* Random-subdomain names of two zones (NXDOMAIN, NODATA, asked once or three times), a few
 * names with answers in the same zones, a name with only a CNAME, and a zone owner with NS
 * records of its own. */
static struct store *
flood_store(void)
{
	struct store *s = store_new(NULL);
	static char names[400][64];
	struct mb b;

	for (int i = 0; i < 400; i++) {
		snprintf(names[i], sizeof names[i], "x%07d%s", i * 7919 % 100003,
		         i % 3 == 0 ? ".flood.example" : ".other.example.org");
		for (int k = 0; k < (i % 5 == 0 ? 3 : 1); k++) {
			mb_resp(&b, names[i], i % 7 == 0 ? DNS_TYPE_AAAA : DNS_TYPE_A,
			        1000 + i + 600.0 * k);
			b.m.rcode = i % 4 == 0 ? 0 : 3;       /* NODATA or NXDOMAIN */
			store_add_msg(s, &b.m);
		}
	}
	for (int i = 0; i < 6; i++) {
		char a[32];
		static char host[6][32];
		snprintf(host[i], sizeof host[i], "h%d.flood.example", i);
		snprintf(a, sizeof a, "%d.%d.7.%d", 30 + 20 * i, 11 * i, i + 1);
		mb_resp(&b, host[i], DNS_TYPE_A, 2000 + 300.0 * i);
		MB_A(&b, host[i], a, 60);
		store_add_msg(s, &b.m);
	}
	mb_resp(&b, "alias.flood.example", DNS_TYPE_A, 3000);
	MB_CNAME(&b, "alias.flood.example", "gone.elsewhere.example", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flood.example", DNS_TYPE_NS, 3100);
	MB_NS_ANS(&b, "flood.example", "ns1.hoster.example", 3600);
	MB_NS_ANS(&b, "flood.example", "ns2.hoster.example", 3600);
	MB_GLUE(&b, "ns1.hoster.example", "192.0.2.201", 3600);
	store_add_msg(s, &b.m);
	return s;
}

static struct detector *
detector(bool keep_all)
{
	struct det_config cfg = { 0 };
	struct detector *d = NULL;
	struct fs_err err = { 0 };

	cfg.no_default_allowlist = true;
	assert_int_equal(det_new(&cfg, NULL, &d, &err), FS_OK);
	d->keep_all = keep_all;
	return d;
}

static void
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
same_shares(const struct det_share *a, const struct det_share *b, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(a[i].asn, b[i].asn);
		assert_string_equal(a[i].country, b[i].country);
		same_str(a[i].label, b[i].label);
		assert_int_equal(a[i].n_addrs, b[i].n_addrs);
		assert_true(a[i].share == b[i].share);
	}
}

/* Every field equal; strings and arrays by content. */
static void
same_result(const struct det_result *a, const struct det_result *b)
{
	struct det_result x = *a, y = *b;

	assert_int_equal(a->n_reasons, b->n_reasons);
	for (int i = 0; i < a->n_reasons; i++)
		assert_string_equal(a->reasons[i], b->reasons[i]);
	assert_int_equal(a->n_terms, b->n_terms);
	for (int i = 0; i < a->n_terms; i++) {
		struct det_term ta, tb;
		det_term_at(a, i, &ta);
		det_term_at(b, i, &tb);
		assert_string_equal(ta.name, tb.name);
		assert_true(ta.raw == tb.raw);
		assert_true(ta.value == tb.value);
		assert_true(ta.weight == tb.weight);
		assert_true(ta.contribution == tb.contribution);
		assert_int_equal(ta.available, tb.available);
	}
	same_str(a->name, b->name);
	same_str(a->registrable, b->registrable);
	same_str(a->zone, b->zone);
	same_str(a->confidence, b->confidence);
	same_str(a->guard, b->guard);
	same_str(a->intel_feed, b->intel_feed);
	assert_int_equal(a->n_top_asns, b->n_top_asns);
	assert_int_equal(a->n_top_countries, b->n_top_countries);
	same_shares(a->top_asns, b->top_asns, a->n_top_asns);
	same_shares(a->top_countries, b->top_countries, a->n_top_countries);
	/* the rest, byte for byte, with the pointers compared above cleared */
	x.name = y.name = x.registrable = y.registrable = x.zone = y.zone = NULL;
	x.confidence = y.confidence = x.guard = y.guard = x.intel_feed = y.intel_feed = NULL;
	x.reasons = y.reasons = NULL;
	x.terms = y.terms = NULL;
	x.top_asns = y.top_asns = x.top_countries = y.top_countries = NULL;
	assert_int_equal(x.dom, y.dom);
	assert_true(x.score == y.score && x.logit == y.logit);
	assert_int_equal(x.verdict, y.verdict);
	assert_int_equal(x.rank, y.rank);
	assert_int_equal(x.rolled_up, y.rolled_up);
	assert_int_equal(x.cluster, y.cluster);
	assert_int_equal(x.cluster_size, y.cluster_size);
	assert_int_equal(x.first_seen, y.first_seen);
	assert_int_equal(x.last_seen, y.last_seen);
	assert_int_equal(x.zone_verdict, y.zone_verdict);
	assert_int_equal(x.zone_names, y.zone_names);
	/* every other figure: compare the two structs field by field through a copy whose padding
	 * is the same (both start zeroed) */
	struct det_result p, q;
	memset(&p, 0, sizeof p);
	memset(&q, 0, sizeof q);
#define F(f) p.f = x.f; q.f = y.f;
	F(holz_score) F(holz_score_all) F(holz_available) F(n_responses) F(n_rrsets) F(n_addrs)
	F(n_addrs_v6) F(n_asns) F(n_countries) F(n_prefixes16) F(n_prefixes24)
	F(max_addrs_per_response) F(ttl) F(ttl_min) F(n_rrset_changes) F(n_ns_names) F(n_ns_addrs)
	F(n_ns_changes) F(ns_ttl) F(max_distance_km) F(ttl_periods) F(first_flagged)
	F(first_flagged_resp) F(first_flagged_ttls) F(first_flux) F(first_flux_resp)
	F(first_flux_ttls) F(n_shared_flagged) F(intel_hit) F(allowlisted) F(is_zone) F(via_zone)
	F(zone_anchored) F(zone_flagged) F(zone_flux) F(zone_no_addr)
#undef F
	for (int w = 0; w < DET_WINDOWS; w++) {
		p.window_addrs[w] = x.window_addrs[w];
		q.window_addrs[w] = y.window_addrs[w];
		p.window_asns[w] = x.window_asns[w];
		q.window_asns[w] = y.window_asns[w];
	}
	assert_memory_equal(&p, &q, sizeof p);
}

/* det_zone_members: each zone row's names are the results whose zone is that row's, in rank
 * order, as a scan of every result finds them (compact names included). Returns how many. */
static size_t
check_zone_members(const struct detector *d)
{
	size_t total = 0;

	for (size_t i = 0; i < det_zone_count(d); i++) {
		const struct det_result *z = det_zone_get(d, i);
		size_t n, k = 0;
		const uint32_t *m = det_zone_members(d, i, &n);
		for (size_t j = 0; j < det_count(d); j++) {
			struct det_result buf;
			const struct det_result *r = det_view(d, j, &buf);
			if (r->zone == NULL || strcmp(r->zone, z->name) != 0)
				continue;
			assert_true(k < n);
			assert_int_equal(m[k], j);
			k++;
		}
		assert_int_equal(k, n);
		total += n;
	}
	size_t n;
	assert_null(det_zone_members(d, det_zone_count(d), &n));
	assert_int_equal(n, 0);
	return total;
}

/* Run both detectors over s; compare every result three ways; return the compact names. */
static size_t
compare(const struct store *s, size_t *rolled)
{
	struct detector *full = detector(true), *cmp = detector(false);

	store_read_lock((struct store *)s);
	det_run(full, s);
	det_run(cmp, s);
	assert_int_equal(full->cmp->n, 0);
	assert_int_equal(det_count(full), det_count(cmp));
	size_t n = det_count(cmp), ncompact = cmp->cmp->n;
	const struct det_result **kept = calloc(n ? n : 1, sizeof *kept);
	for (size_t i = 0; i < n; i++) {
		struct det_result buf;
		const struct det_result *a = det_get(full, i);
		const struct det_result *v = det_view(cmp, i, &buf);
		same_result(a, v);
		kept[i] = det_get(cmp, i);
		same_result(a, kept[i]);
		assert_ptr_equal(det_for_domain(cmp, a->dom), kept[i]);   /* one pointer per result */
		assert_ptr_equal(det_get(cmp, i), kept[i]);
		struct det_result buf2;
		same_result(a, det_view_domain(cmp, a->dom, &buf2));
		*rolled += a->rolled_up;
	}
	/* pointers handed out earlier still hold their results after all the others were made */
	for (size_t i = 0; i < n; i++) {
		same_result(det_get(full, i), kept[i]);
		assert_ptr_equal(det_get(cmp, i), kept[i]);
	}
	assert_null(det_get(cmp, n));
	assert_null(det_view(cmp, n, NULL));
	/* groups and zone rows are made from the same results */
	assert_int_equal(det_group_count(full), det_group_count(cmp));
	for (size_t i = 0; i < det_group_count(cmp); i++) {
		const struct det_group *g = det_group_get(full, i), *h = det_group_get(cmp, i);
		assert_string_equal(g->registrable, h->registrable);
		assert_int_equal(g->n_domains, h->n_domains);
		assert_int_equal(g->n_flagged, h->n_flagged);
		assert_int_equal(g->verdict, h->verdict);
		assert_true(g->max_score == h->max_score);
	}
	assert_int_equal(det_zone_count(full), det_zone_count(cmp));
	for (size_t i = 0; i < det_zone_count(cmp); i++)
		same_result(det_zone_get(full, i), det_zone_get(cmp, i));
	size_t members = check_zone_members(full);
	assert_int_equal(check_zone_members(cmp), members);
	if (det_zone_count(cmp) > 0)
		assert_true(members >= det_zone_count(cmp));   /* a row has a name at least */
	/* a second run over the same store: the same results again, and the rows' names made
	 * anew */
	det_run(cmp, s);
	for (size_t i = 0; i < n; i++) {
		struct det_result buf;
		same_result(det_get(full, i), det_view(cmp, i, &buf));
	}
	assert_int_equal(check_zone_members(cmp), members);
	store_read_unlock((struct store *)s);
	free(kept);
	det_free(full);
	det_free(cmp);
	return ncompact;
}

static void
test_flood(void **state)
{
	(void)state;
	struct store *s = flood_store();
	size_t rolled = 0;
	size_t nc = compare(s, &rolled);
	assert_true(nc >= 400);      /* the flood's names (the CNAME-only name too) */
	store_free(s);
}

static void
test_captures(void **state)
{
	(void)state;
	const char *files[] = { "tests/data/flux/flux-small.pcap", "samples/flux-demo.pcap",
	                        "samples/flux-demo-upstream.pcap",
	                        "tests/data/pcaps/zeek-var-services-std-ports.pcap",
	                        "tests/data/pcaps/ndpi-dns-tunnel-iodine.pcap" };
	size_t compact = 0, rolled = 0;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct store *s = load(files[i]);
		compact += compare(s, &rolled);
		store_free(s);
	}
	assert_true(compact > 0);
	assert_true(rolled > 0);     /* names rolled up into their zone's row were compact too */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
