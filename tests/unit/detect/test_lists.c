/* Allowlist and intel feed parsing and matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_int.h"

static void
test_allow_parse_match(void **state)
{
	(void)state;
	struct det_allow a;
	struct fs_err err = { 0 };
	det_allow_init(&a);
	assert_int_equal(det_allow_parse(&a,
	    "# CDNs\ncdn akamaiedge.net Akamai Technologies\n\tcdn  .CloudFront.NET.  \n"
	    "pool pool.ntp.org NTP Pool\ndomain corp.example\ncdn-asn AS13335 Cloudflare\n"
	    "cloud-asn 16509\ncdn akamaiedge.net duplicate\n", "a.conf", &err), FS_OK);
	assert_int_equal(a.n, 6);
	const struct det_allow_entry *e = det_allow_match_name(&a, "e1234.a.akamaiedge.net");
	assert_non_null(e);
	assert_int_equal(e->kind, DET_ALLOW_CDN);
	assert_string_equal(e->label, "Akamai Technologies");
	assert_string_equal(e->where, "a.conf:2");
	assert_non_null(det_allow_match_name(&a, "akamaiedge.net"));
	/* a label boundary is required: notakamaiedge.net is someone else */
	assert_null(det_allow_match_name(&a, "notakamaiedge.net"));
	assert_null(det_allow_match_name(&a, "akamaiedge.net.evil.example"));
	e = det_allow_match_name(&a, "d111.cloudfront.net");
	assert_non_null(e);
	assert_string_equal(e->value, "cloudfront.net");
	assert_string_equal(e->label, "cloudfront.net");
	e = det_allow_match_name(&a, "2.debian.pool.ntp.org");
	assert_non_null(e);
	assert_int_equal(e->kind, DET_ALLOW_POOL);
	assert_int_equal(det_allow_match_name(&a, "vpn.corp.example")->kind, DET_ALLOW_DOMAIN);
	assert_null(det_allow_match_name(&a, "ntp.org"));
	e = det_allow_match_asn(&a, 13335);
	assert_non_null(e);
	assert_int_equal(e->kind, DET_ALLOW_CDN_ASN);
	assert_string_equal(e->label, "Cloudflare");
	assert_int_equal(det_allow_match_asn(&a, 16509)->kind, DET_ALLOW_CLOUD_ASN);
	assert_null(det_allow_match_asn(&a, 64500));
	assert_null(det_allow_match_asn(&a, 0));
	det_allow_fini(&a);
}

static void
allow_error(const char *text, const char *msg)
{
	struct det_allow a;
	struct fs_err err = { 0 };
	det_allow_init(&a);
	assert_int_equal(det_allow_parse(&a, text, "a.conf", &err), FS_E_FORMAT);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("expected '%s' in '%s'", msg, err.msg);
	det_allow_fini(&a);
}

static void
test_allow_errors(void **state)
{
	(void)state;
	allow_error("cdn a.example\ncnd b.example\n", "a.conf:2: unknown entry kind 'cnd'");
	allow_error("\n\npool\n", "a.conf:3: 'pool' needs a value");
	allow_error("cdn-asn ASx\n", "a.conf:1: 'ASx' is not an AS number");
	allow_error("cloud-asn 0\n", "is not an AS number");
	allow_error("cdn bad;name.example\n", "a.conf:1: 'bad;name.example' is not a domain name");
	allow_error("cdn a..b\n", "is not a domain name");
}

static void
test_shipped_allowlist(void **state)
{
	(void)state;
	struct det_allow a;
	struct fs_err err = { 0 };
	det_allow_init(&a);
	assert_int_equal(det_allow_load(&a, "share/allowlist.conf", &err), FS_OK);
	assert_true(a.n > 50);
	assert_int_equal(det_allow_match_name(&a, "0.pool.ntp.org")->kind, DET_ALLOW_POOL);
	assert_int_equal(det_allow_match_name(&a, "e6858.dscx.akamaiedge.net")->kind, DET_ALLOW_CDN);
	assert_non_null(det_allow_match_asn(&a, 20940));
	det_allow_fini(&a);
}

static void
test_intel_plain_hosts(void **state)
{
	(void)state;
	struct det_intel t;
	struct fs_err err = { 0 };
	fs_addr a;
	const char *m = NULL;
	det_intel_init(&t);
	assert_int_equal(det_intel_parse(&t,
	    "# bad things\nEvil.Example.\n192.0.2.7\n198.51.100.0/24   # a whole net\n"
	    "2001:db8:bad::/48\nhxxp://phish[.]example/login.php\n\nnot an indicator\n"
	    "0.0.0.0 ads.example tracker.example\n*.wild.example\n", "feeds/bad.txt", &err), FS_OK);
	assert_int_equal(t.n_feeds, 1);
	assert_string_equal(t.feeds[0], "bad.txt");
	assert_string_equal(det_intel_match_name(&t, "www.evil.example", &m), "bad.txt");
	assert_string_equal(m, "evil.example");
	assert_non_null(det_intel_match_name(&t, "evil.example", NULL));
	assert_null(det_intel_match_name(&t, "notevil.example", NULL));
	assert_non_null(det_intel_match_name(&t, "phish.example", NULL));
	assert_non_null(det_intel_match_name(&t, "tracker.example", NULL));
	assert_non_null(det_intel_match_name(&t, "ads.example", NULL));
	assert_non_null(det_intel_match_name(&t, "x.wild.example", NULL));
	fs_addr_parse("192.0.2.7", &a);
	assert_non_null(det_intel_match_addr(&t, &a));
	fs_addr_parse("192.0.2.8", &a);
	assert_null(det_intel_match_addr(&t, &a));
	fs_addr_parse("198.51.100.200", &a);
	assert_non_null(det_intel_match_addr(&t, &a));
	fs_addr_parse("198.51.101.1", &a);
	assert_null(det_intel_match_addr(&t, &a));
	fs_addr_parse("2001:db8:bad:1::5", &a);
	assert_non_null(det_intel_match_addr(&t, &a));
	fs_addr_parse("2001:db8:bae::5", &a);
	assert_null(det_intel_match_addr(&t, &a));
	assert_int_equal(t.n_skipped, 1);          /* "not an indicator" */
	assert_int_equal(t.n_entries, 7);          /* lines with indicators */
	det_intel_fini(&t);
}

static void
test_intel_csv(void **state)
{
	(void)state;
	struct det_intel t;
	struct fs_err err = { 0 };
	fs_addr a;
	det_intel_init(&t);
	/* with a header: only the named columns count (the reference column is not an indicator) */
	assert_int_equal(det_intel_parse(&t,
	    "first_seen,domain,ip,reference\n2024-01-02,\"flux.example\",203.0.113.5,ref.example\n"
	    "2024-01-03,,203.0.113.0/28,docs.example\n", "c2.csv", &err), FS_OK);
	assert_non_null(det_intel_match_name(&t, "a.flux.example", NULL));
	assert_null(det_intel_match_name(&t, "ref.example", NULL));
	fs_addr_parse("203.0.113.9", &a);
	assert_string_equal(det_intel_match_addr(&t, &a), "c2.csv");
	/* without a header: the first field that is an indicator (dates are not names) */
	assert_int_equal(det_intel_parse(&t, "2024-05-01,botnet.example,malware\n"
	    "2024-05-02,10.9.8.7,c2\n", "/x/y/second.csv", &err), FS_OK);
	assert_string_equal(det_intel_match_name(&t, "botnet.example", NULL), "second.csv");
	fs_addr_parse("10.9.8.7", &a);
	assert_string_equal(det_intel_match_addr(&t, &a), "second.csv");
	assert_null(det_intel_match_name(&t, "malware", NULL));
	det_intel_fini(&t);
}

static void
test_intel_asn(void **state)
{
	(void)state;
	struct det_intel t;
	struct fs_err err = { 0 };
	det_intel_init(&t);
	/* plain lines: AS64500, as64501, ASN64502; a bare number is no ASN outside an asn column */
	assert_int_equal(det_intel_parse(&t, "AS64500\nas64501 # note\nASN64502\n12345\nAS\nAS99999999999\n",
	                                 "asn.txt", &err), FS_OK);
	assert_string_equal(det_intel_match_asn(&t, 64500), "asn.txt");
	assert_non_null(det_intel_match_asn(&t, 64501));
	assert_non_null(det_intel_match_asn(&t, 64502));
	assert_null(det_intel_match_asn(&t, 12345));
	assert_null(det_intel_match_asn(&t, 0));
	assert_int_equal(t.n_asns, 3);
	assert_int_equal(t.n_skipped, 3);
	/* Spamhaus ASN-DROP: JSON lines, the last one metadata */
	assert_int_equal(det_intel_parse(&t,
	    "{\"asn\":64510,\"rir\":\"ripencc\",\"domain\":\"bad.example\",\"cc\":\"SC\",\"asname\":\"BP-AS\"}\n"
	    "{\"asn\": 64511,\"rir\":\"arin\"}\n"
	    "{\"type\":\"metadata\",\"timestamp\":1700000000,\"size\":2}\n", "asndrop.json", &err), FS_OK);
	assert_string_equal(det_intel_match_asn(&t, 64510), "asndrop.json");
	assert_string_equal(det_intel_match_asn(&t, 64511), "asndrop.json");
	/* JSON lines give ASNs only: the domain field of an ASN record is not an indicator */
	assert_null(det_intel_match_name(&t, "bad.example", NULL));
	/* Spamhaus DROP (drop_v4.json): networks as JSON lines; a domain record likewise */
	assert_int_equal(det_intel_parse(&t,
	    "{\"cidr\":\"198.51.100.0/24\",\"sblid\":\"SBL1\",\"rir\":\"arin\"}\n"
	    "{\"cidr\": \"not a network\"}\n{\"domain\":\"c2.example\"}\n"
	    "{\"type\":\"metadata\",\"size\":1}\n", "drop_v4.json", &err), FS_OK);
	fs_addr a;
	fs_addr_parse("198.51.100.77", &a);
	assert_string_equal(det_intel_match_addr(&t, &a), "drop_v4.json");
	assert_string_equal(det_intel_match_name(&t, "www.c2.example", NULL), "drop_v4.json");
	/* CSV with an asn column: bare numbers there are ASNs */
	assert_int_equal(det_intel_parse(&t, "asn,name\n64520,Some Hoster\n\"AS64521\",x\n", "asn.csv",
	                                 &err), FS_OK);
	assert_string_equal(det_intel_match_asn(&t, 64520), "asn.csv");
	assert_non_null(det_intel_match_asn(&t, 64521));
	det_intel_fini(&t);
}

static void
test_intel_empty_is_error(void **state)
{
	(void)state;
	struct det_intel t;
	struct fs_err err = { 0 };
	det_intel_init(&t);
	assert_int_equal(det_intel_parse(&t, "# nothing\n\njust words here\n", "empty.txt", &err),
	                 FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "empty.txt holds no domain, address, CIDR or ASN (3 lines read)"));
	assert_int_equal(det_intel_load(&t, "tests/data/does-not-exist.txt", &err), FS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "does-not-exist.txt"));
	det_intel_fini(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_parse_match),
		cmocka_unit_test(test_allow_errors),
		cmocka_unit_test(test_shipped_allowlist),
		cmocka_unit_test(test_intel_plain_hosts),
		cmocka_unit_test(test_intel_csv),
		cmocka_unit_test(test_intel_asn),
		cmocka_unit_test(test_intel_empty_is_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
