/* The Spread and Nameservers tabs' data (model_spread, model_nameservers) against what
 * `--report --json` prints for the same domains: the small labelled flux capture is read into a
 * store here and by the binary (build/fluxscope, or $FLUXSCOPE), both enriched with the demo
 * databases, and every flagged domain's addresses, ASNs, countries, spread summary, NS names
 * and NS addresses must agree. The pivots and the timeline's counts are checked against the store
 * and the geo handle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/model.h"
#include "fluxscope/store.h"

#define PCAP "tests/data/flux/flux-small.pcap"
#define GEO_ARGS "--geoip samples/demo-asn.mmdb --geoip samples/demo-geo.mmdb"

static struct store *st;
static struct geo *geo;
static struct detector *det;

static void
add(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

static int
setup(void **state)
{
	struct fs_err err = { 0 };
	const char *paths[] = { "samples/demo-asn.mmdb", "samples/demo-geo.mmdb" };
	struct geo_config gc = { .paths = paths, .n_paths = 2, .no_default_search = true, .no_libloc = true };
	struct ingest *in;
	(void)state;

	st = store_new(NULL);
	in = ingest_new(NULL, add, st);
	if (ingest_add_file(in, PCAP, &err) != FS_OK || ingest_run(in, &err) != FS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	ingest_free(in);
	struct det_config dc = { 0 };
	if (geo_open(&gc, &geo, &err) != FS_OK || det_new(&dc, geo, &det, &err) != FS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	det_run(det, st);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	det_free(det);
	geo_free(geo);
	store_free(st);
	return 0;
}

/* The report's domain records, one parsed JSON object each (caller frees with jv_free). */
static size_t
report_domains(const char *extra, struct jv ***out)
{
	const char *bin = getenv("FLUXSCOPE"), *build = getenv("BUILD");
	char cmd[1024], path[512], *line = NULL;
	size_t cap = 0, n = 0;
	FILE *p;

	if (bin == NULL) {
		snprintf(path, sizeof path, "%s/fluxscope", build != NULL ? build : "build");
		bin = path;
	}
	snprintf(cmd, sizeof cmd, "%s -r %s %s --report --json %s 2>/dev/null", bin, PCAP, GEO_ARGS,
	         extra);
	p = popen(cmd, "r");
	assert_non_null(p);
	*out = NULL;
	while (getline(&line, &cap, p) > 0) {
		char err[200];
		size_t off;
		struct jv *v = jv_parse(line, strlen(line), err, sizeof err, &off);
		if (v == NULL)
			fail_msg("report line does not parse: %s", err);
		if (strcmp(jv_str(jv_get(v, "kind"), ""), "domain") != 0) {
			jv_free(v);
			continue;
		}
		*out = realloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = v;
	}
	free(line);
	assert_int_equal(pclose(p), 0);
	return n;
}

static uint32_t
num(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);
	if (v == NULL || v->t != JV_NUM)
		fail_msg("report key %s is not a number", key);
	return (uint32_t)v->n;
}

static void
check_spread(const struct jv *rec, store_dom_id id)
{
	const struct jv *rows = jv_get(rec, "spread"), *sum = jv_get(rec, "spread_summary");
	const struct jv *tops = jv_get(sum, "top_asns"), *topc = jv_get(sum, "top_countries");
	struct model_spread sp;
	char abuf[FS_ADDR_STRLEN];
	uint32_t known_asns = 0, known_cc = 0, total = 0;

	model_spread(geo, st, id, &sp);
	assert_true(sp.enriched);
	assert_non_null(rows);
	assert_int_equal(rows->t, JV_ARR);
	/* the addresses, in the report's order, with their ASN and country */
	assert_int_equal(sp.n_addrs, rows->len);
	for (uint32_t i = 0; i < sp.n_addrs; i++) {
		const struct jv *r = &rows->items[i];
		const struct jv *asn = jv_get(r, "asn");
		assert_string_equal(fs_addr_str(&sp.addrs[i].addr, abuf, sizeof abuf),
		                    jv_str(jv_get(r, "address"), ""));
		assert_int_equal(sp.addrs[i].info->asn, asn->t == JV_NUM ? (uint32_t)asn->n : 0);
		assert_string_equal(sp.addrs[i].info->country, jv_str(jv_get(r, "country"), ""));
		assert_int_equal(sp.addrs[i].count, num(r, "count"));
		assert_true(sp.addrs[i].id != 0);
	}
	/* the summary's counts; the tallies count the same distinct values */
	assert_int_equal(sp.sum.n_addrs, num(sum, "addresses"));
	assert_int_equal(sp.sum.n_asns, num(sum, "asns"));
	assert_int_equal(sp.sum.n_countries, num(sum, "countries"));
	assert_int_equal(sp.sum.n_cities, num(sum, "cities"));
	assert_int_equal(sp.sum.n_networks, num(sum, "networks"));
	for (uint32_t i = 0; i < sp.n_by_asn; i++) {
		known_asns += sp.by_asn[i].asn != 0;
		total += sp.by_asn[i].n;
		if (i > 0)
			assert_true(sp.by_asn[i - 1].n >= sp.by_asn[i].n);
	}
	assert_int_equal(total, sp.n_addrs);
	total = 0;
	for (uint32_t i = 0; i < sp.n_by_country; i++) {
		known_cc += sp.by_country[i].country[0] != '\0';
		total += sp.by_country[i].n;
	}
	assert_int_equal(total, sp.n_addrs);
	assert_int_equal(known_asns, num(sum, "asns"));
	assert_int_equal(known_cc, num(sum, "countries"));
	/* the report's top ASNs and countries lead the tallies (unknown left out) */
	for (size_t i = 0, k = 0; i < tops->len; i++, k++) {
		while (k < sp.n_by_asn && sp.by_asn[k].asn == 0)
			k++;
		assert_true(k < sp.n_by_asn);
		assert_int_equal(sp.by_asn[k].asn, num(&tops->items[i], "asn"));
		assert_int_equal(sp.by_asn[k].n, num(&tops->items[i], "addresses"));
	}
	for (size_t i = 0, k = 0; i < topc->len; i++, k++) {
		while (k < sp.n_by_country && sp.by_country[k].country[0] == '\0')
			k++;
		assert_true(k < sp.n_by_country);
		assert_string_equal(sp.by_country[k].country, jv_str(jv_get(&topc->items[i], "country"), ""));
		assert_int_equal(sp.by_country[k].n, num(&topc->items[i], "addresses"));
	}
	model_spread_free(&sp);
}

static void
check_nameservers(const struct jv *rec, store_dom_id id, size_t *n_with_ns)
{
	const struct jv *names = jv_get(rec, "ns_names"), *addrs = jv_get(rec, "ns_addresses");
	struct model_nameservers ns;
	char abuf[FS_ADDR_STRLEN];
	size_t k = 0;

	model_nameservers(geo, st, id, &ns);
	assert_int_equal(names->t, JV_ARR);
	/* the report's NS names lead the tab's list, in the report's order */
	assert_int_equal(ns.n_report, names->len);
	assert_true(ns.n_names >= ns.n_report);
	for (uint32_t i = 0; i < ns.n_report; i++) {
		assert_true(ns.names[i].in_report);
		assert_string_equal(store_name_str(st, ns.names[i].name), jv_str(&names->items[i], ""));
	}
	for (uint32_t i = ns.n_report; i < ns.n_names; i++)
		assert_false(ns.names[i].in_report);
	/* their addresses, each once in order of first appearance, are the report's ns_addresses */
	for (uint32_t i = 0; i < ns.n_report; i++)
		for (uint32_t j = 0; j < ns.names[i].n_addrs; j++) {
			const fs_addr *a = &ns.names[i].addrs[j].addr;
			bool seen = false;
			for (uint32_t pi = 0; pi <= i && !seen; pi++)
				for (uint32_t pj = 0; pj < (pi < i ? ns.names[pi].n_addrs : j) && !seen; pj++)
					seen = fs_addr_cmp(&ns.names[pi].addrs[pj].addr, a) == 0;
			if (seen)
				continue;
			assert_true(k < addrs->len);
			assert_string_equal(fs_addr_str(a, abuf, sizeof abuf), jv_str(&addrs->items[k], ""));
			assert_non_null(ns.names[i].addrs[j].info);
			k++;
		}
	assert_int_equal(k, addrs->len);
	/* the delegation and the history */
	if (ns.n_current > 0) {
		assert_true(ns.zone != 0);
		(*n_with_ns)++;
	}
	assert_int_equal(ns.n_changes, num(rec, "ns_changes"));
	for (uint32_t i = 0; i < ns.n_obs; i++) {
		const struct model_ns_obs *o = &ns.obs[i];
		uint32_t n_added = 0;
		assert_true(o->n_members > 0);
		for (uint32_t j = 0; j < o->n_members; j++)
			n_added += o->added[j];
		if (!o->changed)
			assert_int_equal(n_added + o->n_removed, 0);
	}
	model_nameservers_free(&ns);
}

static void
test_views_agree_with_report(void **state)
{
	struct jv **recs;
	size_t n = report_domains("", &recs), n_with_ns = 0, n_multi_asn = 0;
	(void)state;

	/* the capture's flux domains: enough of them to mean something */
	assert_true(n >= 10);
	store_read_lock(st);
	for (size_t i = 0; i < n; i++) {
		const char *name = jv_str(jv_get(recs[i], "domain"), NULL);
		store_dom_id id;
		assert_non_null(name);
		id = store_domain_find(st, name);
		if (id == 0)
			fail_msg("%s is in the report but not in the store", name);
		check_spread(recs[i], id);
		check_nameservers(recs[i], id, &n_with_ns);
		n_multi_asn += num(jv_get(recs[i], "spread_summary"), "asns") > 1;
		jv_free(recs[i]);
	}
	store_read_unlock(st);
	free(recs);
	/* the comparisons covered domains with NS records and spread over several ASNs */
	assert_true(n_with_ns > 0);
	assert_true(n_multi_asn > 0);
}

/* Without enrichment: the addresses alone, with their ids, no tallies. */
static void
test_spread_without_geo(void **state)
{
	struct model_spread sp;
	size_t nd = store_domain_count(st), tested = 0;
	(void)state;

	store_read_lock(st);
	for (store_dom_id id = 1; id <= nd && tested < 50; id++) {
		const struct store_domain *d = store_domain(st, id);
		if (d == NULL || d->ext->n_addrs == 0)
			continue;
		model_spread(NULL, st, id, &sp);
		assert_false(sp.enriched);
		assert_int_equal(sp.n_addrs, d->ext->n_addrs);
		assert_int_equal(sp.n_by_asn + sp.n_by_country, 0);
		for (uint32_t i = 0; i < sp.n_addrs; i++) {
			assert_null(sp.addrs[i].info);
			assert_int_equal(sp.addrs[i].id, d->ext->addrs[i].addr);
			assert_int_equal(fs_addr_cmp(&sp.addrs[i].addr, &store_addr(st, d->ext->addrs[i].addr)->addr), 0);
		}
		model_spread_free(&sp);
		tested++;
	}
	store_read_unlock(st);
	assert_true(tested > 0);
}

static bool
has_id(const store_dom_id *ids, uint32_t n, store_dom_id x)
{
	for (uint32_t i = 0; i < n; i++)
		if (ids[i] == x)
			return true;
	return false;
}

static void
check_sorted_unique(const store_dom_id *ids, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		assert_true(ids[i - 1] < ids[i]);
}

/* Pivots: an address's, an NS name's, an ASN's and a country's domains, checked against the
 * store and the geo handle; every domain of the capture with addresses is tried. */
static void
test_pivots(void **state)
{
	size_t nd = store_domain_count(st), n_asn = 0, n_ns = 0;
	(void)state;

	store_read_lock(st);
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *d = store_domain(st, id);
		store_dom_id *ids;
		uint32_t n;
		if (d == NULL || d->ext->n_addrs == 0)
			continue;
		/* the domain is among its first address's domains, with every user of it */
		struct model_pivot_key k = { .kind = MODEL_PIVOT_ADDR, .addr = d->ext->addrs[0].addr };
		const struct store_addr *a = store_addr(st, k.addr);
		n = model_pivot(geo, st, &k, &ids, NULL);
		check_sorted_unique(ids, n);
		assert_true(has_id(ids, n, id));
		for (uint32_t i = 0; i < a->n_domains; i++)
			assert_true(has_id(ids, n, a->domains[i]));
		free(ids);
		/* the list's address search: the exact address, as text and as a full-length prefix */
		if (n_asn < 20) {
			char txt[FS_ADDR_STRLEN + 8];
			fs_addr_str(&a->addr, txt, sizeof txt);
			n = model_addr_search(st, txt, &ids);
			check_sorted_unique(ids, n);
			for (uint32_t i = 0; i < a->n_domains; i++)
				assert_true(has_id(ids, n, a->domains[i]));
			free(ids);
			snprintf(txt + strlen(txt), 8, "/%d", a->addr.family == 4 ? 32 : 128);
			n = model_addr_search(st, txt, &ids);
			assert_int_equal(n, a->n_domains);
			for (uint32_t i = 0; i < a->n_domains; i++)
				assert_true(has_id(ids, n, a->domains[i]));
			free(ids);
			snprintf(txt + strlen(txt), 8, "9");   /* /329 or /1289: not a prefix */
			assert_int_equal(model_addr_search(st, txt, &ids), 0);
			assert_null(ids);
		}
		/* its first address's ASN and country: every domain answered with an address there */
		const struct geo_info *g = geo_lookup(geo, &a->addr);
		if (g->asn != 0 && n_asn < 20) {
			const char *org = NULL;
			struct model_pivot_key ka = { .kind = MODEL_PIVOT_ASN, .asn = g->asn };
			struct model_pivot_key kc = { .kind = MODEL_PIVOT_COUNTRY };
			memcpy(kc.country, g->country, 3);
			n = model_pivot(geo, st, &ka, &ids, &org);
			check_sorted_unique(ids, n);
			assert_true(has_id(ids, n, id));
			assert_non_null(org);
			assert_string_equal(org, g->as_org != NULL ? g->as_org : "");
			for (uint32_t i = 0; i < n; i++) {
				const struct store_domain *o = store_domain(st, ids[i]);
				bool in_asn = false;
				for (uint32_t j = 0; o != NULL && j < o->ext->n_addrs && !in_asn; j++)
					in_asn = geo_lookup(geo, &store_addr(st, o->ext->addrs[j].addr)->addr)->asn == g->asn;
				if (!in_asn)
					fail_msg("domain %u has no address in AS%u", ids[i], g->asn);
			}
			free(ids);
			if (g->country[0] != '\0') {
				n = model_pivot(geo, st, &kc, &ids, NULL);
				assert_true(has_id(ids, n, id));
				free(ids);
			}
			/* no enrichment: no ASN pivot */
			assert_int_equal(model_pivot(NULL, st, &ka, &ids, NULL), 0);
			assert_null(ids);
			n_asn++;
		}
		/* an NS name of the domain: the domain is among those it serves */
		struct model_nameservers ns;
		model_nameservers(NULL, st, id, &ns);
		if (ns.n_report > 0 && d->ext->n_ns > 0) {
			struct model_pivot_key kn = { .kind = MODEL_PIVOT_NS, .ns = ns.names[0].name };
			const struct store_nsname *nsr = store_nsname_by_name(st, kn.ns);
			n = model_pivot(NULL, st, &kn, &ids, NULL);
			check_sorted_unique(ids, n);
			assert_non_null(nsr);
			for (uint32_t i = 0; i < nsr->n_domains; i++)
				assert_true(has_id(ids, n, nsr->domains[i]));
			assert_true(n >= nsr->n_domains);
			free(ids);
			n_ns++;
		}
		model_nameservers_free(&ns);
		/* a response's answer: every domain answered with one of its addresses */
		for (uint32_t ri = 0; ri < d->n_resp && ri < 3; ri++) {
			uint32_t k2 = 0;
			const uint32_t *m = store_set_members(st, d->resp[ri].aset, &k2);
			n = model_resp_pivot(st, id, ri, &ids);
			check_sorted_unique(ids, n);
			if (m != NULL && k2 > 0)
				assert_true(has_id(ids, n, id));
			for (uint32_t j = 0; m != NULL && j < k2; j++) {
				const struct store_addr *x = store_addr(st, m[j]);
				for (uint32_t q = 0; x != NULL && q < x->n_domains; q++)
					assert_true(has_id(ids, n, x->domains[q]));
			}
			free(ids);
		}
	}
	store_read_unlock(st);
	assert_true(n_asn > 0);
	assert_true(n_ns > 0);
}

/* Timeline: the sparklines' totals and the rows' "new" flags count each answer address once. */
/* The list's rows: the result's figures where there is one, the store's where there is not,
 * and zone owners seen only in NS records not listed unless flagged. */
static void
test_list_rows(void **state)
{
	size_t nd = store_domain_count(st), with = 0, without = 0, hidden = 0;
	(void)state;

	store_read_lock(st);
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *d = store_domain(st, id);
		const struct det_result *r = det_for_domain(det, id);
		struct model_list_row m, bare;
		model_list_row(st, det, id, &m);
		model_list_row(st, NULL, id, &bare);
		if (d == NULL) {
			assert_false(m.exists);
			continue;
		}
		assert_true(m.exists && bare.exists);
		assert_string_equal(m.name, store_name_str(st, d->name));
		assert_int_equal(m.n_responses, d->n_responses);
		assert_true(m.first_seen == d->first_seen && m.last_seen == d->last_seen);
		assert_false(bare.has_result);
		assert_int_equal(bare.n_addrs, d->ext->n_addrs);
		assert_null(bare.registrable);
		bool qname = (d->dflags & (STORE_DOM_QNAME | STORE_DOM_CNAME_TARGET)) != 0;
		if (r != NULL) {
			with++;
			assert_true(m.has_result);
			assert_int_equal(m.verdict, r->verdict);
			assert_true(m.score == r->score && m.rank == r->rank);
			assert_int_equal(m.n_addrs, r->n_addrs);
			assert_int_equal(m.n_asns, r->n_asns);
			assert_ptr_equal(m.registrable, r->registrable);
			assert_int_equal(m.listed, qname || det_is_flagged(r->verdict));
		} else {
			without++;
			assert_false(m.has_result);
			assert_int_equal(m.listed, qname);
		}
		hidden += !m.listed;
	}
	store_read_unlock(st);
	assert_true(with > 100);
	print_message("list rows: %zu with a result, %zu without, %zu not listed\n", with, without,
	              hidden);
}

/* A record's ASN list: the spread's top ASNs first, then every other ASN of its rows once, in
 * the rows' order (by a map past 32 rows, by a scan below: the same list). */
static void
test_record_asn_list(void **state)
{
	size_t long_ones = 0;
	(void)state;

	store_read_lock(st);
	for (size_t i = 0; i < det_count(det); i++) {
		const struct det_result *r = det_get(det, i);
		struct model_record rec;
		model_record_domain(&rec, geo, st, r);
		uint32_t want[4096];
		size_t nw = 0;
		for (int k = 0; k < rec.spread.n_top_asns; k++)
			want[nw++] = rec.spread.top_asns[k].asn;
		for (size_t k = 0; k < rec.n_spread_rows && nw < 4096; k++) {
			uint32_t a = rec.spread_rows[k].info->asn;
			size_t j;
			for (j = 0; j < nw && want[j] != a; j++)
				;
			if (a != 0 && j == nw)
				want[nw++] = a;
		}
		assert_int_equal(rec.lists.n_asns, nw);
		for (size_t k = 0; k < nw; k++)
			assert_int_equal(rec.lists.asns[k], want[k]);
		long_ones += rec.n_spread_rows > 32;
		model_record_free(&rec);
	}
	store_read_unlock(st);
	assert_true(long_ones > 0);
}

static void
test_timeline_counts(void **state)
{
	size_t nd = store_domain_count(st), tested = 0;
	uint32_t per[40], cum[40];
	(void)state;

	store_read_lock(st);
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *d = store_domain(st, id);
		struct model_timeline tl;
		uint32_t total, n_new = 0, distinct = 0;
		if (d == NULL || d->ext->n_addrs < 3 || d->n_resp_expired)
			continue;
		total = model_tl_spark(st, id, 40, per, cum);
		/* every answer address appears in some response */
		assert_int_equal(total, d->ext->n_addrs);
		assert_int_equal(cum[39], total);
		for (int b = 0; b < 40; b++) {
			assert_true(per[b] <= cum[b]);
			if (b > 0)
				assert_true(cum[b] >= cum[b - 1]);
		}
		model_timeline(st, id, true, 100000, &tl);
		assert_int_equal(tl.n_more, 0);
		for (uint32_t ri = 0; ri < tl.n_rows; ri++) {
			uint32_t k = 0, flagged = 0;
			store_set_members(st, d->resp[tl.rows[ri].first].aset, &k);
			for (uint32_t j = 0; j < k; j++)
				flagged += tl.is_new[tl.rows[ri].new_off + j];
			assert_int_equal(flagged, tl.rows[ri].n_new);
			n_new += tl.rows[ri].n_new;
		}
		distinct = n_new;
		assert_int_equal(distinct, total);
		if (tl.n_rows > 0 && tl.rows[0].n_new == 0) {
			uint32_t k = 0;
			store_set_members(st, d->resp[tl.rows[0].first].aset, &k);
			assert_int_equal(k, 0);   /* the first row's addresses are all new */
		}
		model_timeline_free(&tl);
		/* the time view's bins: every response once (a CNAME target's copy not), the domain
		 * once in each bin it has a response in */
		{
			uint64_t resp[10] = { 0 }, want = 0, sum = 0;
			uint32_t flag[10] = { 0 }, last[10] = { 0 };
			int64_t t0 = d->first_seen / FS_USEC, bw = (d->last_seen - d->first_seen) / FS_USEC / 10 + 1;
			struct model_time_bins b = { t0, bw, 10, resp, flag, last };
			for (uint32_t i = 0; i < d->n_resp; i++)
				want += !(d->resp[i].flags & STORE_RESP_VIA_CNAME);
			assert_int_equal(model_time_add(st, id, true, &b), want);
			for (int k = 0; k < 10; k++) {
				sum += resp[k];
				assert_true(flag[k] <= 1);
				if (resp[k] > 0)
					assert_int_equal(flag[k], 1);
			}
			assert_int_equal(sum, want);
			/* the same domain again: counted again, but once per bin in flag */
			model_time_add(st, id, true, &b);
			for (int k = 0; k < 10; k++)
				assert_true(flag[k] <= 1);
		}
		tested++;
	}
	store_read_unlock(st);
	assert_true(tested >= 10);
}

static bool
flagged(store_dom_id id)
{
	const struct det_result *r = det_for_domain(det, id);
	return r != NULL && det_is_flagged(r->verdict);
}

static bool
dom_has_addr(const struct store_domain *d, store_addr_id a)
{
	for (uint32_t k = 0; d != NULL && k < d->ext->n_addrs; k++)
		if (d->ext->addrs[k].addr == a)
			return true;
	return false;
}

/* The object lists (`:view clusters|addresses|asns|nameservers`) against the detector, the
 * store and the pivots. */
static void
test_objects(void **state)
{
	struct model_cluster *c;
	struct model_addr_obj *ao;
	struct model_asn_obj *so;
	struct model_ns_obj *no;
	size_t nc, na, ns, nn, n_in_clusters = 0, n_addr_used = 0, n_ns = 0, n_with_asn = 0;
	(void)state;

	store_read_lock(st);
	/* clusters: every clustered result once, in its cluster, which has the detector's size */
	nc = model_clusters(st, det, &c);
	assert_true(nc > 0);
	for (size_t i = 0; i < det_count(det); i++)
		n_in_clusters += det_get(det, i)->cluster != 0;
	for (size_t j = 0; j < nc; j++) {
		uint32_t nf = 0;
		if (j > 0)
			assert_true(c[j - 1].id < c[j].id);
		n_in_clusters -= c[j].n_members;
		for (uint32_t i = 0; i < c[j].n_members; i++) {
			assert_int_equal(c[j].members[i]->cluster, c[j].id);
			assert_int_equal(c[j].members[i]->cluster_size, c[j].n_members);
			nf += det_is_flagged(c[j].members[i]->verdict);
		}
		assert_int_equal(nf, c[j].n_flagged);
		for (uint32_t k = 0; k < c[j].n_addrs; k++) {
			uint32_t users = 0;
			for (uint32_t i = 0; i < c[j].n_members; i++)
				users += dom_has_addr(store_domain(st, c[j].members[i]->dom), c[j].addrs[k].key);
			assert_true(c[j].addrs[k].n >= 2);
			assert_int_equal(users, c[j].addrs[k].n);
		}
		for (uint32_t k = 0; k < c[j].n_ns; k++)
			assert_true(c[j].ns[k].n >= 2);
	}
	assert_int_equal(n_in_clusters, 0);
	model_clusters_free(c, nc);

	/* addresses: every address a domain uses, with its flagged domains, in order */
	na = model_addr_objs(st, det, &ao);
	for (store_addr_id id = 1; id <= store_addr_count(st); id++) {
		const struct store_addr *a = store_addr(st, id);
		n_addr_used += a != NULL && a->n_domains > 0;
	}
	assert_int_equal(na, n_addr_used);
	for (size_t i = 0; i < na; i++) {
		const struct store_addr *a = store_addr(st, ao[i].id);
		uint32_t nf = 0;
		for (uint32_t k = 0; k < a->n_domains; k++)
			nf += flagged(a->domains[k]);
		assert_int_equal(ao[i].n_domains, a->n_domains);
		assert_int_equal(ao[i].n_flagged, nf);
		if (i > 0)
			assert_true(ao[i - 1].n_flagged > ao[i].n_flagged ||
			            (ao[i - 1].n_flagged == ao[i].n_flagged && ao[i - 1].n_domains >= ao[i].n_domains));
		n_with_asn += geo_lookup(geo, &a->addr)->asn != 0;
	}
	free(ao);

	/* ASNs: their addresses add up; each ASN's domains are its pivot's */
	ns = model_asn_objs(geo, st, det, &so);
	assert_true(ns > 1);
	{
		size_t sum = 0;
		for (size_t i = 0; i < ns; i++) {
			store_dom_id *ids;
			struct model_pivot_key k = { .kind = MODEL_PIVOT_ASN, .asn = so[i].asn };
			uint32_t n = model_pivot(geo, st, &k, &ids, NULL), nf = 0;
			for (uint32_t q = 0; q < n; q++)
				nf += flagged(ids[q]);
			assert_int_equal(so[i].n_domains, n);
			assert_int_equal(so[i].n_flagged, nf);
			free(ids);
			sum += so[i].n_addrs;
			if (i > 0)
				assert_true(so[i - 1].n_flagged >= so[i].n_flagged);
		}
		assert_int_equal(sum, n_with_asn);
	}
	free(so);
	assert_int_equal(model_asn_objs(NULL, st, det, &so), 0);

	/* nameservers: every NS name once, with the store's counts */
	nn = model_ns_objs(st, det, &no);
	for (store_ns_id i = 0; i < store_nsname_count(st); i++)
		n_ns += store_nsname(st, i) != NULL;
	assert_int_equal(nn, n_ns);
	assert_true(nn > 0);
	for (size_t i = 0; i < nn; i++) {
		const struct store_nsname *x = store_nsname_by_name(st, no[i].name);
		uint32_t nf = 0;
		assert_non_null(x);
		for (uint32_t k = 0; k < x->n_domains; k++)
			nf += flagged(x->domains[k]);
		assert_int_equal(no[i].n_domains, x->n_domains);
		assert_int_equal(no[i].n_zones, x->n_zones);
		assert_int_equal(no[i].n_addrs, x->n_glue);
		assert_int_equal(no[i].n_flagged, nf);
	}
	free(no);
	store_read_unlock(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_agree_with_report),
		cmocka_unit_test(test_spread_without_geo),
		cmocka_unit_test(test_pivots),
		cmocka_unit_test(test_record_asn_list),
		cmocka_unit_test(test_timeline_counts),
		cmocka_unit_test(test_list_rows),
		cmocka_unit_test(test_objects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
