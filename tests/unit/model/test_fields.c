/* The model's field table: every field is a filter field (parsed, listed in the help), a TUI
 * column choice (found by key, alias and title; the fast columns agree with the table), has a
 * distinct key and JSON key, and behaves on rows (missing values never match and sort last);
 * docs/fields.md is what the table generates (FLUXSCOPE_WRITE_DOCS=1 rewrites it). The report's
 * JSON keys and CSV header are checked against docs/fields.md end to end (tests/e2e/fields.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/model.h"
#include "fluxscope/query.h"
#include "ui/snap.h"

static const char *
sample_value(const struct model_field *f)
{
	switch (f->type) {
	case MT_INT: return "3";
	case MT_FLOAT: return "1.5";
	case MT_STRING: return "abc";
	case MT_TIME: return "2025-03-01T10:00";
	case MT_ADDR: return "192.0.2.0/24";
	case MT_ASN: return "AS64500";
	case MT_COUNTRY: return "RU";
	case MT_ENUM: return "flux";
	case MT_BOOL: return "yes";
	}
	return "1";
}

static void
test_every_field_is_a_filter_field(void **state)
{
	const char *help = query_filter_help();
	(void)state;

	assert_true(model_field_count() > 30);
	for (size_t i = 0; i < model_field_count(); i++) {
		const struct model_field *f = model_field(i);
		char expr[128], line[64];
		struct query_filter *q = NULL;
		struct fs_err err = { 0 };

		snprintf(expr, sizeof expr, "%s=%s", f->key, sample_value(f));
		if (query_filter_parse(expr, &q, &err) != FS_OK)
			fail_msg("filter refuses field %s: %s", f->key, err.msg);
		query_filter_free(q);
		snprintf(line, sizeof line, "\n%-12s ", f->key);
		if (i > 0 && strstr(help, line) == NULL)
			fail_msg("field %s is not in the filter's field list", f->key);
		assert_non_null(strstr(model_field_keys(), f->key));
		/* aliases find the same field */
		for (const char *p = f->aliases; p != NULL && *p;) {
			size_t n = strcspn(p, " ");
			assert_ptr_equal(model_field_find(p, n), f);
			p += n;
			while (*p == ' ')
				p++;
		}
		/* distinct keys and JSON keys */
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(model_field(j)->key, f->key);
			assert_string_not_equal(model_field(j)->json, f->json);
		}
		assert_non_null(f->desc);
		assert_non_null(f->how);
		assert_non_null(f->get);
	}
}

static void
test_every_field_is_a_column(void **state)
{
	(void)state;
	assert_int_equal(snap_col_count(), (int)model_field_count());
	for (int i = 0; i < snap_col_count(); i++) {
		const struct model_field *f = model_field((size_t)i);
		const struct snap_col_info *ci = snap_col_info(i);
		assert_non_null(ci);
		assert_string_equal(ci->name, f->key);
		assert_int_equal(snap_col_find(f->key), i);
		assert_int_equal(snap_col_find(f->title), i);
	}
	/* the fast columns are the table's first fields, in order, with the table's look */
#define X(id, key_, title_, w_, right_, prio_)                                   \
	assert_string_equal(model_field(SNAP_COL_##id)->key, key_);                  \
	assert_string_equal(snap_col_info(SNAP_COL_##id)->title, title_);            \
	assert_int_equal(snap_col_info(SNAP_COL_##id)->width, w_);                   \
	assert_int_equal(snap_col_info(SNAP_COL_##id)->right, right_);               \
	assert_int_equal(snap_col_info(SNAP_COL_##id)->prio, prio_);
	SNAP_COLUMNS(X)
#undef X
	/* older column names still sort */
	assert_int_equal(snap_col_find("domain"), SNAP_COL_DOMAIN);
	assert_int_equal(snap_col_find("last"), SNAP_COL_LAST_SEEN);
	assert_int_equal(snap_col_find("minTTL"), SNAP_COL_TTL);
	assert_int_equal(snap_col_find("NSchg"), SNAP_COL_NS_CHANGES);
	assert_int_equal(snap_col_find("nosuchfield"), -1);
}

static void
test_missing_values(void **state)
{
	struct det_result r;
	struct model_row row;
	struct model_value v;
	struct query_filter *q = NULL;
	struct fs_err err = { 0 };
	const char *reasons[] = { "Holz flux-score 16.5", "TTL 60 s" };
	char buf[128];
	(void)state;

	memset(&r, 0, sizeof r);
	r.name = "a.example.com";
	r.registrable = "example.com";
	r.verdict = DET_SINGLE_FLUX;
	r.score = 91.5;
	r.holz_available = false;
	r.max_distance_km = -1;
	r.reasons = (char **)reasons;
	r.n_reasons = 2;
	struct det_share top_asn = { .asn = 64500 }, top_cc = { .country = "RU" };
	r.top_asns = &top_asn;      /* the detector keeps these lists out of line */
	r.n_top_asns = 1;
	r.top_countries = &top_cc;
	r.n_top_countries = 1;
	model_row_init(&row, &r, NULL);

	const struct model_field *holz = model_field_find("holz", 4);
	const struct model_field *ttl = model_field_find("minttl", 6);
	assert_false(model_get(holz, &row, &v));
	assert_false(model_get(ttl, &row, &v));
	assert_string_equal(model_format(holz, &row, buf, sizeof buf), "");
	/* a missing value matches no comparison, not even != */
	static const char *const never[] = { "holz>0", "holz<=0", "holz!=3", "minttl<10",
	                                     "distance>=0", "distance!=5", "nxdomain=0" };
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		assert_int_equal(query_filter_parse(never[i], &q, &err), FS_OK);
		if (query_filter_match_row(q, &row))
			fail_msg("%s matches a missing value", never[i]);
		query_filter_free(q);
	}
	/* present values and lists */
	static const char *const yes[] = { "score>90", "verdict=flux", "name=*.example.com",
	                                   "reason~holz", "reason!~nothing", "asn=AS64500",
	                                   "country=ru", "asn!=1", "intel=no", "address!=192.0.2.0/24" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		assert_int_equal(query_filter_parse(yes[i], &q, &err), FS_OK);
		if (!query_filter_match_row(q, &row))
			fail_msg("%s does not match", yes[i]);
		query_filter_free(q);
	}
	/* addresses from a record's lists; prefixes */
	fs_addr addrs[2];
	fs_addr_parse("192.0.2.7", &addrs[0]);
	fs_addr_parse("2001:db8::1", &addrs[1]);
	struct model_lists lists = { .addrs = addrs, .n_addrs = 2 };
	row.lists = &lists;
	static const char *const addr_yes[] = { "address=192.0.2.0/24", "address=2001:db8::/32",
	                                        "address=192.0.2.7", "address~db8" };
	for (size_t i = 0; i < sizeof addr_yes / sizeof addr_yes[0]; i++) {
		assert_int_equal(query_filter_parse(addr_yes[i], &q, &err), FS_OK);
		if (!query_filter_match_row(q, &row))
			fail_msg("%s does not match", addr_yes[i]);
		query_filter_free(q);
	}
	assert_int_equal(query_filter_parse("address=192.0.3.0/24", &q, &err), FS_OK);
	assert_false(query_filter_match_row(q, &row));
	query_filter_free(q);
	assert_string_equal(model_format(model_field_find("address", 7), &row, buf, sizeof buf),
	                    "192.0.2.7 2001:db8::1");
	assert_int_not_equal(query_filter_parse("address=192.0.2.0/33", &q, &err), FS_OK);
	assert_int_not_equal(query_filter_parse("first_seen>tomorrow", &q, &err), FS_OK);
	assert_int_not_equal(query_filter_parse("address<3", &q, &err), FS_OK);

	/* missing sorts last both ways; present values keep their order */
	assert_int_equal(model_sort_key(holz, &row, false), UINT32_MAX);
	assert_int_equal(model_sort_key(holz, &row, true), 0);
	const struct model_field *score = model_field_find("score", 5);
	uint32_t k1 = model_sort_key(score, &row, false);
	r.score = 12;
	uint32_t k2 = model_sort_key(score, &row, false);
	assert_true(k2 < k1);
	assert_true(k1 < UINT32_MAX && k2 > 0);
}

/* A text comparison on a count that names its list (text_list) reads the list: the property
 * of the table, not of the parser (ns~TEXT is nameserver~TEXT). */
static void
test_text_list(void **state)
{
	struct det_result r;
	struct model_row row;
	struct query_filter *q = NULL;
	struct fs_err err = { 0 };
	const char *names[] = { "ns1.evil-dns.example", "ns2.evil-dns.example" };
	struct model_lists lists = { .ns_names = names, .n_ns_names = 2 };
	size_t n_via = 0;
	(void)state;

	for (size_t i = 0; i < model_field_count(); i++) {
		const struct model_field *f = model_field(i), *lf;
		if (f->text_list == NULL)
			continue;
		n_via++;
		lf = model_field_find(f->text_list, strlen(f->text_list));
		assert_non_null(lf);
		assert_true(lf->flags & MF_LIST);
		assert_int_equal(lf->type, MT_STRING);
		assert_true(f->type != MT_STRING && f->type != MT_ADDR && f->type != MT_COUNTRY);
	}
	assert_true(n_via >= 1);

	memset(&r, 0, sizeof r);
	r.name = "a.example.com";
	r.n_ns_names = 2;
	r.max_distance_km = -1;
	model_row_init(&row, &r, NULL);
	row.lists = &lists;
	assert_int_equal(query_filter_parse("ns~EVIL-dns", &q, &err), FS_OK);
	assert_string_equal(query_filter_text(q), "nameserver~EVIL-dns");
	assert_true(query_filter_match_row(q, &row));
	query_filter_free(q);
	assert_int_equal(query_filter_parse("ns!~evil", &q, &err), FS_OK);
	assert_false(query_filter_match_row(q, &row));
	query_filter_free(q);
	assert_int_equal(query_filter_parse("ns~good", &q, &err), FS_OK);
	assert_false(query_filter_match_row(q, &row));
	query_filter_free(q);
	/* the count stays a count; a text match on a count without a list is refused */
	assert_int_equal(query_filter_parse("ns=2", &q, &err), FS_OK);
	assert_true(query_filter_match_row(q, &row));
	query_filter_free(q);
	assert_int_not_equal(query_filter_parse("addrs~3", &q, &err), FS_OK);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0, got;
	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			b = realloc(b, cap);
		}
		got = fread(b + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	b[n] = '\0';
	return b;
}

static void
test_fields_doc(void **state)
{
	const char *path = "docs/fields.md";
	char *want = model_fields_doc(), *have;
	(void)state;

	for (size_t i = 0; i < model_field_count(); i++) {
		char row[128];
		snprintf(row, sizeof row, "| `%s` |", model_field(i)->key);
		assert_non_null(strstr(want, row));
	}
	if (getenv("FLUXSCOPE_WRITE_DOCS") != NULL) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(want, f);
		fclose(f);
	}
	have = slurp(path);
	if (have == NULL || strcmp(have, want) != 0)
		fail_msg("%s is out of date: run FLUXSCOPE_WRITE_DOCS=1 build/tests/unit/model/test_fields", path);
	free(have);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_is_a_filter_field),
		cmocka_unit_test(test_every_field_is_a_column),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_text_list),
		cmocka_unit_test(test_fields_doc),
	};
	return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
