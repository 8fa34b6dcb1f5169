/* The detector over a real store fed with hand-built responses: verdicts, registrable domains
 * (libpsl), clusters of shared addresses, the vantage, allowlist matching and the time to flag. */
#include <math.h>
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
#include "unit/store/msgbuild.h"

static char allow_path[64];

static void
flux_answers(struct store *s, const char *name, int n, int first_net, const char *shared)
{
	/* every 300 s (the TTL) four addresses in four new /16 prefixes */
	for (int i = 0; i < n; i++) {
		struct mb b;
		char addr[4][32];
		mb_resp(&b, name, DNS_TYPE_A, 1000 + 300.0 * i);
		for (int k = 0; k < 4; k++) {
			snprintf(addr[k], sizeof addr[k], "%d.%d.%d.%d", 20 + (first_net + i * 4 + k) % 200,
			         (i * 4 + k) % 250, k + 1, 10 + i);
			if (shared != NULL && k == 0 && i < 3)
				snprintf(addr[k], sizeof addr[k], "%s%d", shared, i);
			MB_A(&b, name, addr[k], 300);
		}
		store_add_msg(s, &b.m);
	}
}

static struct store *
build_store(void)
{
	struct store *s = store_new(NULL);
	struct mb b;

	flux_answers(s, "login.evil.example.co.uk", 6, 0, "198.18.0.");
	flux_answers(s, "cdn.other.example", 6, 100, "198.18.0.");
	/* a CDN customer: CNAME into an allowlisted suffix, rotating edges */
	for (int i = 0; i < 6; i++) {
		char a1[32], a2[32];
		mb_resp(&b, "www.shop.example", DNS_TYPE_A, 1000 + 300.0 * i);
		MB_CNAME(&b, "www.shop.example", "e1.dscx.akamaiedge.net", 60);
		snprintf(a1, sizeof a1, "23.%d.1.%d", 10 + i, i);
		snprintf(a2, sizeof a2, "104.%d.2.%d", 50 + i, i);
		MB_A(&b, "e1.dscx.akamaiedge.net", a1, 20);
		MB_A(&b, "e1.dscx.akamaiedge.net", a2, 20);
		store_add_msg(s, &b.m);
	}
	/* the NTP pool: wide and rotating, but a listed pool */
	flux_answers(s, "2.debian.pool.ntp.org", 6, 50, NULL);
	/* a quiet benign name */
	for (int i = 0; i < 10; i++) {
		mb_resp(&b, "quiet.example", DNS_TYPE_A, 1000 + 3600.0 * i);
		MB_A(&b, "quiet.example", "192.0.2.80", 3600);
		store_add_msg(s, &b.m);
	}
	return s;
}

static struct detector *
new_detector(void)
{
	struct det_config cfg = { 0 };
	const char *lists[1] = { allow_path };
	struct detector *d = NULL;
	struct fs_err err = { 0 };

	cfg.no_default_allowlist = true;
	cfg.allowlists = lists;
	cfg.n_allowlists = 1;
	assert_int_equal(det_new(&cfg, NULL, &d, &err), FS_OK);
	return d;
}

static const struct det_result *
result(const struct detector *d, const struct store *s, const char *name)
{
	store_dom_id id = store_domain_find(s, name);
	assert_true(id != 0);
	const struct det_result *r = det_for_domain(d, id);
	assert_non_null(r);
	assert_string_equal(r->name, name);
	return r;
}

static void
test_verdicts(void **state)
{
	(void)state;
	struct store *s = build_store();
	struct detector *d = new_detector();

	det_run(d, s);
	const struct det_result *r = result(d, s, "login.evil.example.co.uk");
	assert_int_equal(r->verdict, DET_SINGLE_FLUX);
	assert_string_equal(r->registrable, "example.co.uk");      /* public suffix co.uk */
	assert_int_equal(r->n_addrs, 24);
	assert_int_equal(r->ttl, 300);
	assert_false(r->holz_available);                            /* no ASN data */
	assert_true(r->n_reasons > 0);
	/* three of the 24 addresses are the shared agents in 198.18.0.0/16 */
	assert_non_null(strstr(r->reasons[0], "24 addresses in 22 /16 prefixes in 25 min; TTL 300 s; 5 of 5 answers changed"));
	/* flux needs a second TTL period: first called flux at the second answer or later */
	assert_true(r->first_flux_resp >= 2 && r->first_flux_resp <= r->n_responses);
	assert_true(r->first_flagged_resp >= 1 && r->first_flagged_resp <= r->first_flux_resp);
	assert_true(r->first_flux_ttls >= 1.0);
	struct det_term tb;
	const struct det_term *t = det_term_find(r, "novelty", &tb);
	assert_non_null(t);
	assert_true(t->available && t->raw == 1.0);
	assert_false(det_term_find(r, "asn_count", &tb)->available);
	assert_null(det_term_find(r, "no_such_term", &tb));

	r = result(d, s, "www.shop.example");
	assert_int_equal(r->verdict, DET_CDN);
	assert_true(r->allowlisted);
	assert_string_equal(r->guard, "Akamai");
	r = result(d, s, "2.debian.pool.ntp.org");
	assert_int_equal(r->verdict, DET_POOL);
	assert_string_equal(r->registrable, "ntp.org");
	r = result(d, s, "quiet.example");
	assert_int_equal(r->verdict, DET_BENIGN);
	assert_true(r->score < 5);
	assert_int_equal(r->first_flagged_resp, 0);

	/* results come sorted by score, highest first */
	for (size_t i = 1; i < det_count(d); i++)
		assert_true(det_get(d, i - 1)->score >= det_get(d, i)->score);
	assert_null(det_get(d, det_count(d)));

	assert_int_equal(det_vantage(d), DET_VANTAGE_CLIENT);
	assert_non_null(strstr(det_unavailable_features(d), "asn"));
	assert_non_null(strstr(det_unavailable_features(d), "nameserver layer"));
	det_free(d);
	store_free(s);
}

static void
test_clusters_and_groups(void **state)
{
	(void)state;
	struct store *s = build_store();
	struct detector *d = new_detector();

	det_run(d, s);
	/* the two flux domains share three agents (198.18.0.0-2): one cluster */
	const struct det_result *a = result(d, s, "login.evil.example.co.uk");
	const struct det_result *b = result(d, s, "cdn.other.example");
	assert_true(det_is_flux(b->verdict));
	assert_true(a->cluster != 0);
	assert_int_equal(a->cluster, b->cluster);
	assert_int_equal(a->cluster_size, 2);
	struct det_term tb;
	assert_true(det_term_find(a, "shared_flux", &tb)->raw == 1);
	assert_int_equal(result(d, s, "quiet.example")->cluster, 0);
	/* registrable groups */
	bool seen = false;
	for (size_t i = 0; i < det_group_count(d); i++) {
		const struct det_group *g = det_group_get(d, i);
		if (strcmp(g->registrable, "example.co.uk") == 0) {
			seen = true;
			assert_int_equal(g->n_domains, 1);
			assert_int_equal(g->n_addrs, 24);
			assert_int_equal(g->verdict, DET_SINGLE_FLUX);
			assert_int_equal(g->n_flagged, 1);
		}
	}
	assert_true(seen);
	det_free(d);
	store_free(s);
}

static void
test_allowlisted_and_vantage(void **state)
{
	(void)state;
	struct store *s = build_store();
	struct detector *d = new_detector();
	struct mb b;

	assert_true(det_is_allowlisted(d, "E1.dscx.AkamaiEdge.net."));
	assert_true(det_is_allowlisted(d, "akamaiedge.net"));
	assert_false(det_is_allowlisted(d, "notakamaiedge.net"));
	assert_false(det_is_allowlisted(d, "www.shop.example"));   /* reached through a CNAME only */
	assert_true(det_is_allowlisted(d, "0.pool.ntp.org"));
	/* an authoritative answer and a referral: the capture shows both sides */
	mb_resp(&b, "quiet.example", DNS_TYPE_A, 50000);
	b.m.aa = true;
	MB_A(&b, "quiet.example", "192.0.2.80", 3600);
	store_add_msg(s, &b.m);
	mb_resp(&b, "other.example", DNS_TYPE_A, 50001);
	b.m.rd = b.m.ra = false;
	MB_NS_AUTH(&b, "other.example", "ns1.dns-host.example", 172800);
	MB_GLUE(&b, "ns1.dns-host.example", "192.0.2.53", 172800);
	store_add_msg(s, &b.m);
	det_run(d, s);
	assert_int_equal(det_vantage(d), DET_VANTAGE_BOTH);
	char buf[512];
	assert_non_null(strstr(det_describe(d, buf, sizeof buf), "allowlist"));
	det_free(d);
	store_free(s);
}

static void
test_errors(void **state)
{
	(void)state;
	struct det_config cfg = { 0 };
	struct detector *d = NULL;
	struct fs_err err = { 0 };
	const char *feeds[1] = { "tests/data/no-such-feed.txt" };

	cfg.weights_path = "tests/data/no-such-weights.conf";
	assert_int_not_equal(det_new(&cfg, NULL, &d, &err), FS_OK);
	assert_null(d);
	assert_non_null(strstr(err.msg, "no-such-weights.conf"));
	memset(&cfg, 0, sizeof cfg);
	cfg.intel = feeds;
	cfg.n_intel = 1;
	assert_int_not_equal(det_new(&cfg, NULL, &d, &err), FS_OK);
	assert_non_null(strstr(err.msg, "no-such-feed.txt"));
	/* the shipped files are found beside the test binary's tree */
	char p[4096];
	assert_non_null(det_share_path("detect.conf", p, sizeof p));
	assert_non_null(strstr(p, "detect.conf"));
	assert_null(det_share_path("no-such-file.conf", p, sizeof p));
}

static int
setup(void **state)
{
	(void)state;
	strcpy(allow_path, "/tmp/fluxscope-test-allow-XXXXXX");
	int fd = mkstemp(allow_path);
	if (fd < 0)
		return -1;
	const char *text = "cdn akamaiedge.net Akamai\npool pool.ntp.org NTP Pool\n";
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(allow_path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_clusters_and_groups),
		cmocka_unit_test(test_allowlisted_and_vantage),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
