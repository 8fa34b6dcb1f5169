/* Query: the filter language parser and predicate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fluxscope/query.h"

static char r0[] = "37 addresses in 21 ASNs across 14 countries in 40 min";
static char r1[] = "TTL 120 s";
static char *reasons_flux[] = { r0, r1 };

static struct det_result
flux(void)
{
	struct det_result r = { 0 };
	r.name = "www.evil-flux.example";
	r.registrable = "evil-flux.example";
	r.score = 87.5;
	r.holz_score = 300;
	r.verdict = DET_SINGLE_FLUX;
	r.reasons = reasons_flux;
	r.n_reasons = 2;
	r.n_addrs = 37;
	r.n_asns = 21;
	r.n_countries = 14;
	r.ttl = 120;
	r.ttl_min = 30;
	r.n_rrset_changes = 9;
	r.intel_hit = true;
	return r;
}

static struct det_result
cdn(void)
{
	struct det_result r = { 0 };
	r.name = "static.cdn.example";
	r.registrable = "cdn.example";
	r.score = 12;
	r.verdict = DET_CDN;
	r.n_addrs = 8;
	r.n_asns = 1;
	r.ttl = 20;
	return r;
}

static bool
m(const char *expr, const struct det_result *r, const struct store_domain *d)
{
	struct query_filter *f;
	struct fs_err err = { 0 };
	bool v;
	if (query_filter_parse(expr, &f, &err) != FS_OK)
		fail_msg("parse '%s': %s", expr, err.msg);
	v = query_filter_match(f, r, d);
	query_filter_free(f);
	return v;
}

static void
test_match(void **state)
{
	struct det_result a = flux(), b = cdn();
	struct store_domain d = { 0 };
	(void)state;

	assert_true(m("", &a, NULL));
	assert_true(m("verdict=single-flux,double-flux score>=60 asns>=3 ttl<300 name~evil", &a, NULL));
	assert_false(m("verdict=single-flux,double-flux score>=60 asns>=3 ttl<300 name~evil", &b, NULL));
	assert_true(m("verdict=flux", &a, NULL));
	assert_true(m("verdict=flagged", &a, NULL));
	assert_false(m("verdict=flagged", &b, NULL));
	assert_true(m("verdict!=cdn,pool", &a, NULL));
	assert_false(m("verdict!=cdn,pool", &b, NULL));
	assert_true(m("score>87 score<88 score<=87.5 score>=87.5", &a, NULL));
	assert_false(m("score>87.5", &a, NULL));
	assert_true(m("asns=1,21", &a, NULL));
	assert_false(m("asns!=21", &a, NULL));
	assert_true(m("ttl<5m ttl>=2m minttl=30s", &a, NULL));
	assert_false(m("ttl>1h", &a, NULL));
	assert_true(m("name=*.evil-flux.example", &a, NULL));
	assert_false(m("name=evil-flux.example", &a, NULL));
	assert_true(m("registrable=EVIL-flux.example", &a, NULL));
	assert_true(m("name!~cdn reg!=cdn.example", &a, NULL));
	assert_false(m("name!~evil", &a, NULL));
	assert_true(m("reason~\"21 ASNs\"", &a, NULL));
	assert_true(m("reason=countries", &a, NULL));
	assert_false(m("reason~pool", &a, NULL));
	assert_true(m("reason!~pool", &a, NULL));
	assert_true(m("intel=yes allowlisted=no", &a, NULL));
	assert_false(m("intel=no", &a, NULL));
	/* Store fields: marks and responses. */
	assert_false(m("marked=yes", &a, &d));
	d.user_flags = 1;
	d.n_responses = 12;
	assert_true(m("marked=yes responses>10", &a, &d));
	assert_false(m("marked=yes", &a, NULL));
	assert_true(m("score>=60 and addrs>30", &a, NULL));
}

static void
test_errors(void **state)
{
	struct query_filter *f = NULL;
	struct fs_err err = { 0 };
	static const struct { const char *expr, *msg; } bad[] = {
		{ "colour=red", "unknown field 'colour'" },
		{ "score", "expected an operator" },
		{ "score>=abc", "needs a number, not 'abc'" },
		{ "verdict=fluxy", "unknown verdict 'fluxy'" },
		{ "ttl<5w", "needs a duration" },
		{ "score~5", "~ and !~ apply to text fields" },
		{ "name>abc", "< and > apply to numbers" },
		{ "intel=maybe", "yes or no" },
		{ "name=", "has no value" },
		{ "reason~\"open", "unterminated quote" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fs_err_clear(&err);
		assert_int_equal(query_filter_parse(bad[i].expr, &f, &err), FS_E_ARG);
		assert_null(f);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].expr, err.msg, bad[i].msg);
	}
	assert_int_equal(query_filter_parse("  verdict=flux   score>=60 reason~\"a b\" ", &f, &err), FS_OK);
	assert_string_equal(query_filter_text(f), "verdict=flux score>=60 reason~\"a b\"");
	assert_int_equal(query_filter_terms(f), 3);
	query_filter_free(f);
	assert_non_null(strstr(query_filter_help(), "verdict"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
