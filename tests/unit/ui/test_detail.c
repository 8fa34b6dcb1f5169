/* The detail view models and the snapshot builder on a real store: the small labelled flux
 * capture ingested, enriched with the demo databases and scored; every assertion is checked
 * against the store, the detector or the geo handle directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/canvas.h"
#include "ui/detail.h"
#include "ui/dlist.h"
#include "ui/loader.h"

#define CAPTURE "tests/data/flux/flux-small.pcap"
#include "unit/ui/scored_ui.h"


static struct detail_ctx
ctx(void)
{
	struct detail_ctx c = { sc.st, sc.geo, sc.det, snap, 140, true, NULL, NULL, 0, true, 0 };
	return c;
}

/* A line's text without role marks. */
static const char *
plain(const char *s)
{
	static char buf[4096];
	size_t o = 0;
	for (; *s != '\0' && o + 1 < sizeof buf; s++) {
		if (*s == CANVAS_MARK) {
			if (s[1] != '\0')
				s++;
			continue;
		}
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

/* The first domain with verdict v that has at least `resp` responses. */
static store_dom_id
first_with(enum det_verdict v, uint32_t resp)
{
	for (size_t i = 0; i < det_count(sc.det); i++) {
		const struct det_result *r = det_get(sc.det, i);
		const struct store_domain *d = store_domain(sc.st, r->dom);
		if (r->verdict == v && d->n_resp >= resp)
			return r->dom;
	}
	return 0;
}

static void
test_snapshot_rows(void **state)
{
	uint32_t flagged = 0;
	(void)state;

	assert_int_equal(snap->dom.n, store_domain_count(sc.st));
	for (uint32_t i = 0; i < snap->dom.n; i++) {
		const struct snap_row *row = &snap->dom.rows[i];
		const struct store_domain *d = store_domain(sc.st, i + 1);
		const struct det_result *r = det_for_domain(sc.det, i + 1);
		assert_int_equal(row->id, i + 1);
		assert_string_equal(row->name, store_name_str(sc.st, d->name));
		assert_ptr_not_equal(row->name, store_name_str(sc.st, d->name)); /* copied */
		assert_non_null(r);
		assert_int_equal(row->verdict, r->verdict);
		assert_true(row->score == (float)r->score);
		assert_int_equal(row->n_addrs, r->n_addrs);
		assert_int_equal(row->n_asns, r->n_asns);
		assert_int_equal(row->n_responses, d->n_responses);
		if (!(row->flags & SNAP_HIDDEN) && det_is_flagged(r->verdict))
			flagged++;
		/* zone-only records are hidden from the lists, unless flagged */
		assert_int_equal(!!(row->flags & SNAP_HIDDEN),
		                 !(d->dflags & (STORE_DOM_QNAME | STORE_DOM_CNAME_TARGET)) &&
		                 !det_is_flagged(r->verdict));
	}
	assert_int_equal(snap->n_flagged, flagged);
	assert_true(flagged > 10);
	assert_ptr_equal(snap->det, sc.det);
}

static void
test_timeline(void **state)
{
	store_dom_id dom = first_with(DET_SINGLE_FLUX, 3);
	const struct store_domain *d;
	struct detail_ctx c = ctx();
	struct dlines out = { 0 };
	int first = -1, rows = 0;
	bool repeat_checked = false;
	(void)state;

	assert_int_not_equal(dom, 0);
	d = store_domain(sc.st, dom);
	c.collapse = false;   /* one row per response */
	detail_build(&c, dom, DTAB_TIMELINE, &out);
	for (int i = 0; i < out.n; i++)
		if (strstr(out.l[i].text, "time (UTC)") != NULL) {
			first = i + 1;
			break;
		}
	assert_true(first > 0);
	assert_non_null(strstr(plain(out.l[1].text), "distinct per interval"));
	for (int i = first; i < out.n && rows < (int)d->n_resp; i++, rows++) {
		const struct store_response *r = &d->resp[rows];
		uint32_t n;
		const uint32_t *m = store_set_members(sc.st, r->aset, &n);
		char ttl[32], a[FS_ADDR_STRLEN];
		const char *p = plain(out.l[i].text);
		if (n > 0) {
			snprintf(ttl, sizeof ttl, r->ttl_min == r->ttl_max ? " %u " : " %u-", r->ttl_min);
			assert_non_null(strstr(p, ttl));
			fs_addr_str(&store_addr(sc.st, m[0])->addr, a, sizeof a);
			assert_non_null(strstr(p, a));
		}
		/* the first response's addresses are new; a repeated address later is not */
		if (rows == 0 && n > 0) {
			char marked[64];
			fs_addr_str(&store_addr(sc.st, m[0])->addr, a, sizeof a);
			snprintf(marked, sizeof marked, "\x01%c%s", (char)(UI_ROLE_NEW + 2), a);
			assert_non_null(strstr(out.l[i].text, marked));
		}
		if (rows > 0 && n > 0 && !repeat_checked) {
			const uint32_t *m0;
			uint32_t n0;
			m0 = store_set_members(sc.st, d->resp[0].aset, &n0);
			for (uint32_t k = 0; k < n && n0 > 0; k++)
				if (m[k] == m0[0]) {
					char marked[64];
					fs_addr_str(&store_addr(sc.st, m[k])->addr, a, sizeof a);
					snprintf(marked, sizeof marked, "\x01%c%s", (char)(UI_ROLE_NEW + 2), a);
					assert_null(strstr(out.l[i].text, marked));
					assert_non_null(strstr(out.l[i].text, a));
					repeat_checked = true;
				}
		}
	}
	assert_int_equal(rows, d->n_resp);
	dlines_clear(&out);
}

static void
test_spread(void **state)
{
	store_dom_id dom = first_with(DET_SINGLE_FLUX, 3);
	const struct store_domain *d = store_domain(sc.st, dom);
	struct detail_ctx c = ctx();
	struct dlines out = { 0 };
	uint32_t n_addr = 0, prev = UINT32_MAX, n_asn_lines = 0;
	(void)state;

	detail_build(&c, dom, DTAB_SPREAD, &out);
	for (int i = 0; i < out.n; i++) {
		const struct dline *l = &out.l[i];
		if (l->kind == DL_ADDR) {
			const struct geo_info *g = geo_lookup(sc.geo, &store_addr(sc.st, l->key)->addr);
			char as[16], a[FS_ADDR_STRLEN];
			snprintf(as, sizeof as, " AS%u ", g->asn);
			assert_non_null(strstr(plain(l->text), as));
			fs_addr_str(&store_addr(sc.st, l->key)->addr, a, sizeof a);
			assert_non_null(strstr(plain(l->text), a));
			n_addr++;
		} else if (l->kind == DL_ASN) {
			uint32_t cnt;
			char as[16];
			snprintf(as, sizeof as, "AS%u ", l->key);
			assert_non_null(strstr(plain(l->text), as));
			/* bars are sorted by count, largest first */
			assert_int_equal(sscanf(plain(l->text) + 36, "%u", &cnt), 1);
			assert_true(cnt <= prev);
			prev = cnt;
			n_asn_lines++;
		}
	}
	assert_int_equal(n_addr, d->ext->n_addrs);
	assert_true(n_asn_lines >= 2);
	dlines_clear(&out);
}

static void
test_nameservers(void **state)
{
	store_dom_id dom = first_with(DET_DOUBLE_FLUX, 1);
	struct detail_ctx c = ctx();
	struct dlines out = { 0 };
	store_name_id zone;
	store_set_id cur;
	uint32_t n_ns = 0, nset, changes = 0, want = 0;
	const uint32_t *m;
	const struct store_domain *zd;
	char mark[4] = { '\x01', (char)(UI_ROLE_CHANGE + 2), '*', 0 };
	(void)state;

	assert_int_not_equal(dom, 0);
	cur = store_domain_nsset(sc.st, dom, &zone);
	assert_int_not_equal(cur, 0);
	m = store_set_members(sc.st, cur, &nset);
	detail_build(&c, dom, DTAB_NS, &out);
	for (int i = 0; i < out.n; i++) {
		const struct dline *l = &out.l[i];
		if (l->kind == DL_NS) {
			assert_non_null(strstr(l->text, store_name_str(sc.st, l->key)));
			n_ns++;
		}
		if (strncmp(l->text, mark, 3) == 0)
			changes++;
	}
	/* one starred line per observation that replaced an earlier set of the same zone */
	zd = store_domain(sc.st, dom);
	if (zd->ext->n_ns == 0)
		zd = store_domain(sc.st, store_domain_by_name(sc.st, zone));
	for (uint32_t i = 0; i < zd->ext->n_ns; i++)
		for (uint32_t k = 0; k < i; k++)
			if (zd->ext->ns[k].zone == zd->ext->ns[i].zone) {
				want++;
				break;
			}
	assert_int_equal(changes, want);
	assert_true(want > 0);
	/* every current nameserver is listed */
	for (uint32_t k = 0; k < nset; k++) {
		bool found = false;
		for (int i = 0; i < out.n; i++)
			found |= out.l[i].kind == DL_NS && out.l[i].key == m[k];
		assert_true(found);
	}
	assert_true(n_ns >= nset);
	dlines_clear(&out);
}

static bool
shares(store_dom_id a, store_dom_id b)
{
	const struct store_domain *da = store_domain(sc.st, a), *db = store_domain(sc.st, b);
	for (uint32_t i = 0; i < da->ext->n_addrs; i++)
		for (uint32_t j = 0; j < db->ext->n_addrs; j++)
			if (da->ext->addrs[i].addr == db->ext->addrs[j].addr)
				return true;
	{
		uint32_t na, nb;
		const uint32_t *ma = store_set_members(sc.st, store_domain_nsset(sc.st, a, NULL), &na);
		const uint32_t *mb = store_set_members(sc.st, store_domain_nsset(sc.st, b, NULL), &nb);
		for (uint32_t i = 0; i < na; i++)
			for (uint32_t j = 0; j < nb; j++)
				if (ma[i] == mb[j])
					return true;
		for (uint32_t k = 0; k < da->ext->n_ns; k++) {
			ma = store_set_members(sc.st, da->ext->ns[k].nsset, &na);
			for (uint32_t i = 0; i < na; i++) {
				const struct store_nsname *ns = store_nsname_by_name(sc.st, ma[i]);
				for (uint32_t j = 0; ns != NULL && j < ns->n_domains; j++)
					if (ns->domains[j] == b)
						return true;
			}
		}
	}
	return false;
}

static void
test_related_and_pivots(void **state)
{
	store_dom_id dom = first_with(DET_SINGLE_FLUX, 3);
	const struct store_domain *d = store_domain(sc.st, dom);
	struct detail_ctx c = ctx();
	struct dlines out = { 0 };
	uint32_t *ids, n, related = 0;
	char label[128];
	(void)state;

	detail_build(&c, dom, DTAB_RELATED, &out);
	for (int i = 0; i < out.n; i++)
		if (out.l[i].kind == DL_DOMAIN) {
			assert_int_not_equal(out.l[i].key, dom);
			assert_true(shares(dom, out.l[i].key));
			related++;
		}
	assert_true(related > 0);
	dlines_clear(&out);

	/* an address → every domain answered with it, including this one */
	n = detail_pivot(&c, DL_ADDR, d->ext->addrs[0].addr, &ids, label, sizeof label);
	assert_true(n >= 1);
	{
		char a[FS_ADDR_STRLEN];
		fs_addr_str(&store_addr(sc.st, d->ext->addrs[0].addr)->addr, a, sizeof a);
		assert_string_equal(label, a);
	}
	bool self = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct store_domain *o = store_domain(sc.st, ids[i]);
		bool has = false;
		self |= ids[i] == dom;
		for (uint32_t k = 0; k < o->ext->n_addrs; k++)
			has |= o->ext->addrs[k].addr == d->ext->addrs[0].addr;
		assert_true(has || store_addr(sc.st, d->ext->addrs[0].addr)->n_ns_names > 0);
		if (i > 0)
			assert_true(ids[i] > ids[i - 1]); /* sorted, no duplicates */
	}
	assert_true(self);
	free(ids);

	/* an ASN → domains with at least one address in it */
	uint32_t asn = geo_lookup(sc.geo, &store_addr(sc.st, d->ext->addrs[0].addr)->addr)->asn;
	n = detail_pivot(&c, DL_ASN, asn, &ids, label, sizeof label);
	assert_true(n >= 1);
	assert_true(strncmp(label, "AS", 2) == 0);
	for (uint32_t i = 0; i < n; i++) {
		const struct store_domain *o = store_domain(sc.st, ids[i]);
		bool has = false;
		for (uint32_t k = 0; k < o->ext->n_addrs; k++)
			has |= geo_lookup(sc.geo, &store_addr(sc.st, o->ext->addrs[k].addr)->addr)->asn == asn;
		assert_true(has);
	}
	free(ids);
}

static void
test_query_filter_over_rows(void **state)
{
	struct dlist l;
	dlist_pred pred;
	void *fctx;
	struct fs_err err = { 0 };
	uint32_t want = 0;
	(void)state;

	assert_int_equal(query_filter_ops.compile(NULL, "verdict=single-flux asns>=3", &pred, &fctx, &err, NULL), FS_OK);
	dlist_init(&l, snap);
	l.pred = pred;
	l.pred_ctx = fctx;
	dlist_refresh(&l);
	for (uint32_t i = 0; i < snap->dom.n; i++) {
		const struct det_result *r = det_for_domain(sc.det, i + 1);
		if (!(snap->dom.rows[i].flags & SNAP_HIDDEN) && r->verdict == DET_SINGLE_FLUX && r->n_asns >= 3)
			want++;
	}
	assert_int_equal(l.n, want);
	assert_true(want > 0);
	for (uint32_t i = 0; i < l.n; i++)
		assert_int_equal(dlist_row(&l, i)->verdict, DET_SINGLE_FLUX);
	/* the bulk form (walking the detector's results) selects the same rows */
	l.bulk = query_filter_ops.bulk;
	dlist_refresh(&l);
	assert_int_equal(l.n, want);
	for (uint32_t i = 0; i < l.n; i++)
		assert_int_equal(dlist_row(&l, i)->verdict, DET_SINGLE_FLUX);
	/* grouped: a registrable domain shows when any of its names matches */
	dlist_set_grouped(&l, true);
	assert_true(l.n > 0 && l.n <= want);
	dlist_fini(&l);
	query_filter_ops.free_ctx(fctx);
	assert_int_equal(query_filter_ops.compile(NULL, "verdict=nonsense", &pred, &fctx, &err, NULL), FS_E_ARG);
	assert_non_null(strstr(err.msg, "nonsense"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_rows),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_nameservers),
		cmocka_unit_test(test_related_and_pivots),
		cmocka_unit_test(test_query_filter_over_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
