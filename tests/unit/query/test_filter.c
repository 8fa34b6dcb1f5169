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
	struct store_domain d = { .ext = &store_domain_ext_empty };
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

/* and/or/not, parentheses, optional spaces around operators. */
static void
test_boolean(void **state)
{
	struct det_result a = flux(), b = cdn();
	(void)state;

	assert_true(m("asns > 5 and not verdict = benign", &a, NULL));
	assert_false(m("asns > 5 and not verdict = benign", &b, NULL));
	assert_true(m("asns>5 or verdict=cdn", &b, NULL));
	assert_false(m("asns>5 or verdict=pool", &b, NULL));
	assert_true(m("not (asns > 5 or score >= 60)", &b, NULL));
	assert_false(m("not (asns > 5 or score >= 60)", &a, NULL));
	assert_true(m("!verdict=cdn", &a, NULL));
	assert_true(m("score>=60 && (name~evil || name~bad)", &a, NULL));
	assert_true(m("NOT verdict=cdn AND asns>20", &a, NULL));
	/* and binds tighter than or: true or (false and false) */
	assert_true(m("verdict=flux or asns>100 and score<0", &a, NULL));
	/* (false or true) and false */
	assert_false(m("(asns>100 or verdict=flux) and score<0", &a, NULL));
	assert_true(m("verdict = single-flux, double-flux score >= 60", &a, NULL));
	assert_true(m("((((verdict=flux))))", &a, NULL));
	assert_true(m("not not verdict=flux", &a, NULL));
	/* a field whose name starts like a keyword; nsttl is missing here (no NS records): it
	 * matches no comparison, so only its negation holds */
	assert_true(m("nschanges=0 not nsttl>0", &a, NULL));
	assert_false(m("nsttl=0", &a, NULL));
	assert_false(m("nsttl!=0", &a, NULL));
}

/* Errors name a position: the column (1-based) where the expression went wrong. */
static void
test_positions(void **state)
{
	static const struct { const char *expr; size_t col; const char *msg; } bad[] = {
		{ "asns 5", 6, "expected an operator" },
		{ "asns>5 and colour=red", 12, "unknown field 'colour'" },
		{ "asns>5 and (score>3", 12, "never closed" },
		{ "asns>5)", 7, "no matching '('" },
		{ "score>=abc", 8, "needs a number" },
		{ "name>x", 5, "< and > apply to numbers" },
		{ "asns>5 and", 11, "ends where a comparison" },
		{ "asns>5 or or x=1", 11, "expected a comparison" },
		{ "asns>5 or 5", 11, "expected a field name" },
		{ "(", 2, "ends where a comparison" },
		{ "verdict=", 9, "has no value" },
		{ "name~d\xc3\xa9j\xc3\xa0 asns 5", 16, "expected an operator" },   /* columns count characters */
	};
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct query_filter *f = NULL;
		struct fs_err err = { 0 };
		size_t col = 0;
		assert_int_equal(query_filter_parse_at(bad[i].expr, &f, &err, &col), FS_E_ARG);
		assert_null(f);
		if (col != bad[i].col || strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("'%s': column %zu (want %zu), message '%s' (want '%s')", bad[i].expr, col,
			         bad[i].col, err.msg, bad[i].msg);
		char want[32];
		snprintf(want, sizeof want, "(column %zu)", bad[i].col);
		assert_non_null(strstr(err.msg, want));
	}
	/* Deep nesting is refused, not a stack overflow. */
	char deep[400];
	memset(deep, '(', 300);
	strcpy(deep + 300, "score>1");
	struct query_filter *f = NULL;
	struct fs_err err = { 0 };
	assert_int_equal(query_filter_parse(deep, &f, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "nests deeper"));
}

/* The normalised text reads back to the same filter. */
static void
test_text(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "asns > 5 and not verdict = benign", "asns>5 not verdict=benign" },
		{ "a_s:=1", NULL },
		{ "(asns>5 or score<3) and name~x", "(asns>5 or score<3) name~x" },
		{ "not (asns>5 score<3)", "not (asns>5 score<3)" },
		{ "addresses>=2 or domain~\"a b\"", "addrs>=2 or name~\"a b\"" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct query_filter *f = NULL, *g = NULL;
		struct fs_err err = { 0 };
		if (t[i].out == NULL) {
			assert_int_equal(query_filter_parse(t[i].in, &f, &err), FS_E_ARG);
			continue;
		}
		assert_int_equal(query_filter_parse(t[i].in, &f, &err), FS_OK);
		assert_string_equal(query_filter_text(f), t[i].out);
		assert_int_equal(query_filter_parse(query_filter_text(f), &g, &err), FS_OK);
		assert_string_equal(query_filter_text(g), t[i].out);
		query_filter_free(f);
		query_filter_free(g);
	}
	/* a value longer than any fixed buffer is kept whole (fuzz_filter found the text of a
	 * 1 KiB value read past a 1 KiB stack buffer) */
	char in[5000], out[5008];
	memset(in, 'x', sizeof in);
	memcpy(in, "name~", 5);
	in[4000] = '\0';
	snprintf(out, sizeof out, "not %s", in);
	struct query_filter *f = NULL;
	struct fs_err err = { 0 };
	assert_int_equal(query_filter_parse(out, &f, &err), FS_OK);
	assert_string_equal(query_filter_text(f), out);
	query_filter_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_boolean),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
