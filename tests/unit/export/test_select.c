/* Export: selection from real detection results over the small labelled capture
 * (tests/data/flux/flux-small.pcap): flux verdicts, filter, minimum score, marks, the flux
 * agents and double-flux nameservers, and the allowlist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/export.h"
#include "fluxscope/ingest.h"
#include "fluxscope/query.h"
#include "fluxscope/store.h"
#include "unit/scored.h"

static struct scored sc;

static int
setup(void **state)
{
	(void)state;
	return scored_open(&sc, "tests/data/flux/flux-small.pcap");
}

static int
teardown(void **state)
{
	(void)state;
	scored_close(&sc);
	return 0;
}

static const struct det_result *
result_for(const char *name)
{
	store_dom_id id = store_domain_find(sc.st, name);
	return id ? det_for_domain(sc.det, id) : NULL;
}

/* The names a selection must export as domains: selected zones (flux ones) with their
 * subdomains, and selected names that no exported zone covers. */
static size_t
expected_domains(bool (*sel)(const struct det_result *, void *), void *ctx)
{
	const char *v[4096];
	size_t n = 0;

	for (size_t i = 0; i < det_zone_count(sc.det); i++) {
		const struct det_result *z = det_zone_get(sc.det, i);
		if (det_is_flux(z->verdict) && !z->allowlisted && !det_is_allowlisted(sc.det, z->name) &&
		    sel(z, ctx) && n < 4096)
			v[n++] = z->name;
	}
	for (size_t i = 0; i < det_count(sc.det); i++) {
		const struct det_result *r = det_get(sc.det, i);
		const struct det_result *z = det_zone_find(sc.det, r->zone);
		bool covered = false, dup = false;
		if (r->allowlisted || det_is_allowlisted(sc.det, r->name) || !sel(r, ctx))
			continue;
		for (size_t k = 0; k < n; k++) {
			dup |= strcmp(v[k], r->name) == 0;
			covered |= z != NULL && strcmp(v[k], z->name) == 0;
		}
		if (!dup && !covered && n < 4096)
			v[n++] = r->name;
	}
	return n;
}

static bool
sel_flux(const struct det_result *r, void *ctx)
{
	(void)ctx;
	return det_is_flux(r->verdict);
}

static bool
sel_filter(const struct det_result *r, void *ctx)
{
	return query_filter_match(ctx, r, r->is_zone ? NULL : store_domain(sc.st, r->dom));
}

static bool
sel_score(const struct det_result *r, void *ctx)
{
	return r->score >= *(const double *)ctx;
}

static const struct det_result *
result_or_zone(const char *name)
{
	const struct det_result *r = result_for(name);
	return r != NULL ? r : det_zone_find(sc.det, name);
}

static void
test_default_flux(void **state)
{
	struct export_set *s = export_set_new_for_detector(sc.det);
	struct export_selection sel = { .mode = EXPORT_SEL_FLUX, .infrastructure = true };
	size_t nflux = 0, nsel, ndouble = 0;
	(void)state;

	for (size_t i = 0; i < det_count(sc.det); i++) {
		const struct det_result *r = det_get(sc.det, i);
		if (det_is_flux(r->verdict) && !r->allowlisted)
			nflux++;
		if (r->verdict == DET_DOUBLE_FLUX)
			ndouble++;
	}
	assert_true(nflux > 0);
	nsel = export_select(s, sc.st, sc.det, &sel);
	size_t want = expected_domains(sel_flux, NULL);
	assert_true(want > 0 && want <= nflux + det_zone_count(sc.det));
	assert_int_equal(nsel, want);
	assert_int_equal(export_set_count_kind(s, EXPORT_DOMAIN), want);
	assert_true(export_set_count_kind(s, EXPORT_ADDR) > 0);
	if (ndouble > 0)
		assert_true(export_set_count_kind(s, EXPORT_NSNAME) > 0);
	for (size_t i = 0; i < export_set_count(s); i++) {
		const struct export_ind *x = export_set_get(s, i);
		if (x->kind == EXPORT_DOMAIN) {
			const struct det_result *z = det_zone_find(sc.det, x->name);
			const struct det_result *r = z != NULL && det_is_flux(z->verdict) ? z :
			                             result_or_zone(x->name);
			assert_non_null(r);
			/* a zone is exported with its subdomains */
			if (r->is_zone)
				assert_true(x->subdomains);
			assert_true(det_is_flux(r->verdict));
			assert_false(det_is_allowlisted(sc.det, x->name));
			assert_string_equal(x->verdict, det_verdict_name(r->verdict));
			assert_true(x->score == r->score);
			if (r->n_reasons > 0)
				assert_string_equal(x->reason, r->reasons[0]);
		} else if (x->kind == EXPORT_NSNAME) {
			assert_false(det_is_allowlisted(sc.det, x->name));
			/* Only the flux domain's own zone: never a TLD's servers. */
			const struct det_result *src = result_for(x->source);
			assert_non_null(src);
			assert_int_equal(src->verdict, DET_DOUBLE_FLUX);
		} else if (x->kind == EXPORT_PASSTHRU) {
			assert_true(det_is_allowlisted(sc.det, x->name));
		} else if (x->kind == EXPORT_ADDR) {
			const struct det_result *src = result_for(x->source);
			assert_non_null(src);
			assert_true(det_is_flux(src->verdict));
		}
	}
	export_set_free(s);
}

static void
test_filter_score_marks(void **state)
{
	struct export_set *s;
	struct query_filter *f;
	struct fs_err err = { 0 };
	size_t want = 0, n;
	(void)state;

	/* --filter: exactly the domains the predicate accepts (allowlisted ones excepted). */
	assert_int_equal(query_filter_parse("verdict=flagged score>=30", &f, &err), FS_OK);
	want = expected_domains(sel_filter, f);
	assert_true(want > 0);
	s = export_set_new_for_detector(sc.det);
	struct export_selection sel = { .mode = EXPORT_SEL_FILTER, .filter = f, .subdomains = true };
	n = export_select(s, sc.st, sc.det, &sel);
	assert_int_equal(n, want);
	assert_int_equal(export_set_count(s), want);      /* no infrastructure asked */
	for (size_t i = 0; i < export_set_count(s); i++)
		assert_true(export_set_get(s, i)->subdomains);
	export_set_free(s);
	query_filter_free(f);

	/* --min-score. */
	double min = 50;
	want = expected_domains(sel_score, &min);
	s = export_set_new_for_detector(sc.det);
	sel = (struct export_selection){ .mode = EXPORT_SEL_MIN_SCORE, .min_score = 50 };
	assert_int_equal(export_select(s, sc.st, sc.det, &sel), want);
	export_set_free(s);

	/* TUI marks: the two marked domains, nothing else. */
	const struct det_result *a = det_get(sc.det, 0), *b = det_get(sc.det, det_count(sc.det) - 1);
	store_domain_set_flags(sc.st, a->dom, 1);
	store_domain_set_flags(sc.st, b->dom, 1);
	s = export_set_new_for_detector(sc.det);
	sel = (struct export_selection){ .mode = EXPORT_SEL_MARKED };
	n = export_select(s, sc.st, sc.det, &sel);
	size_t expect = (!a->allowlisted && !det_is_allowlisted(sc.det, a->name)) +
	                (!b->allowlisted && !det_is_allowlisted(sc.det, b->name));
	assert_int_equal(n, expect);
	export_set_free(s);
	store_domain_set_flags(sc.st, a->dom, 0);
	store_domain_set_flags(sc.st, b->dom, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_flux),
		cmocka_unit_test(test_filter_score_marks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
