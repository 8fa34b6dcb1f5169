/* Incremental detection (src/detect/incr.c): one detector run again and again as messages
 * arrive and as store_expire ages the store gives, after every batch, exactly what a new
 * detector's full run gives over the same store: every result (verdict, score, logit,
 * reasons, terms, counts, windows, time to flag, ranks, clusters, zone facts), every zone
 * row, the groups, the "unavailable" line and the vantage. Over the labelled flux capture,
 * the two demo captures (client side and upstream, with NS data) and generated traffic
 * (rotating flux names with fluxing nameservers and glue, CNAME chains, NXDOMAIN floods,
 * stable names), with the demo GeoIP databases. The store is packed (store_pack) every third
 * batch and the detectors' caches given back (det_release_caches) now and then, as the report
 * does: the same results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_int.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "unit/scored.h"
#include "unit/store/msgbuild.h"
#include "unit/tmpdir.h"

/* ---- results as text ---------------------------------------------------------------------- */

struct text {
	char *p;
	size_t n, cap;
};

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < t->cap - t->n) {
			t->n += (size_t)k;
			return;
		}
		t->cap = t->cap ? t->cap * 2 : 1 << 16;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
}

#define S(x) ((x) != NULL ? (x) : "(null)")

static void
put_result(struct text *t, const struct det_result *r)
{
	put(t, "dom=%u name=%s reg=%s zone=%s score=%a logit=%a holz=%a/%a/%d verdict=%d\n",
	    r->dom, S(r->name), S(r->registrable), S(r->zone), r->score, r->logit, r->holz_score,
	    r->holz_score_all, r->holz_available, r->verdict);
	for (int i = 0; i < r->n_reasons; i++)
		put(t, " reason %s\n", S(r->reasons[i]));
	for (int i = 0; i < r->n_terms; i++) {
		struct det_term mb;
		const struct det_term *m = det_term_at(r, i, &mb);
		put(t, " term %s %s %a %a %a %a %d\n", S(m->name), S(m->unit), m->raw, m->value,
		    m->weight, m->contribution, m->available);
	}
	put(t, " n=%u %u %u %u %u %u %u %u %u ttl=%u %u ch=%u ns=%u %u %u %u km=%a tp=%u\n",
	    r->n_responses, r->n_rrsets, r->n_addrs, r->n_addrs_v6, r->n_asns, r->n_countries,
	    r->n_prefixes16, r->n_prefixes24, r->max_addrs_per_response, r->ttl, r->ttl_min,
	    r->n_rrset_changes, r->n_ns_names, r->n_ns_addrs, r->n_ns_changes, r->ns_ttl,
	    r->max_distance_km, r->ttl_periods);
	for (int w = 0; w < DET_WINDOWS; w++)
		put(t, " win %u %u\n", r->window_addrs[w], r->window_asns[w]);
	put(t, " seen %lld %lld flag %lld %u %a flux %lld %u %a\n", (long long)r->first_seen,
	    (long long)r->last_seen, (long long)r->first_flagged, r->first_flagged_resp,
	    r->first_flagged_ttls, (long long)r->first_flux, r->first_flux_resp, r->first_flux_ttls);
	put(t, " rank=%u rolled=%d cluster=%u/%u shared=%u intel=%d %s allow=%d guard=%s\n",
	    r->rank, r->rolled_up, r->cluster, r->cluster_size, r->n_shared_flagged, r->intel_hit,
	    S(r->intel_feed), r->allowlisted, S(r->guard));
	put(t, " zone %d %d %d %d %u %u %u %u conf=%s\n", r->is_zone, r->zone_verdict, r->via_zone,
	    r->zone_anchored, r->zone_names, r->zone_flagged, r->zone_flux, r->zone_no_addr,
	    S(r->confidence));
	for (int i = 0; i < r->n_top_asns; i++)
		put(t, " asn %u %s %u %a\n", r->top_asns[i].asn, S(r->top_asns[i].label),
		    r->top_asns[i].n_addrs, r->top_asns[i].share);
	for (int i = 0; i < r->n_top_countries; i++)
		put(t, " cc %.2s %u %a\n", r->top_countries[i].country, r->top_countries[i].n_addrs,
		    r->top_countries[i].share);
}

/* Everything a front end reads of a run. */
static void
put_run(struct text *t, const struct detector *d)
{
	t->n = 0;
	put(t, "vantage=%d unavailable=%s\n", det_vantage(d), det_unavailable_features(d));
	for (size_t i = 0; i < det_count(d); i++) {
		const struct det_result *r = det_get(d, i);
		put_result(t, r);
		assert_ptr_equal(det_for_domain(d, r->dom), r);
	}
	for (size_t i = 0; i < det_zone_count(d); i++)
		put_result(t, det_zone_get(d, i));
	for (size_t i = 0; i < det_group_count(d); i++) {
		const struct det_group *g = det_group_get(d, i);
		put(t, "group %s %u %u %u %a %d %u\n", g->registrable, g->n_domains, g->n_addrs,
		    g->n_asns, g->max_score, g->verdict, g->n_flagged);
	}
}

/* ---- the comparison ----------------------------------------------------------------------- */

struct cmp {
	struct store *s;
	struct geo *geo;
	struct detector *inc;       /* run after every batch, keeping what it can */
	struct text a, b, c;
	uint64_t msgs;
	uint32_t batch;             /* messages per batch */
	uint32_t batches, expires;
	fs_time last_ts;
	fs_time expire_lag;         /* store_expire(last_ts - expire_lag) every expire_every-th
	                             * batch (0 = 4); expire_lag 0 = never */
	uint32_t expire_every;
	uint32_t run_every;         /* the detectors run every run_every-th batch (0 = every) */
	bool trim_geo;              /* the enrichment cache emptied before each run (the TUI's
	                             * loader bounds it so) */
	size_t kept, reused;        /* over every run: features kept, of them taken again */
	size_t flagged;             /* flagged results of the last run */
	const char *intel;          /* an intel feed both detectors load, NULL = none */
};

static struct detector *
new_detector(const struct cmp *c)
{
	struct det_config dc = { .intel = &c->intel, .n_intel = c->intel != NULL };
	struct fs_err err = { 0 };
	struct detector *d = NULL;
	if (det_new(&dc, c->geo, &d, &err) != FS_OK)
		fail_msg("%s", err.msg);
	return d;
}

static void
compare_now(struct cmp *c)
{
	struct detector *full = new_detector(c);
	det_set_incremental(full, false);
	if (c->trim_geo)
		(void)geo_cache_trim(c->geo, 0);
	if (c->batches % 3 == 0)
		(void)store_pack(c->s);   /* vectors at their length; later batches append to them */
	if (c->batches % 4 == 0 && det_count(c->inc) > 0) {
		/* the last run's results given back, as the TUI's spare detector's are: none left
		 * to read, what it kept for the next run still there, and that run (below) gives
		 * what a fresh detector gives */
		store_dom_id dom = det_get(c->inc, 0)->dom;
		size_t r0, kept = det_incr_count(c->inc, &r0);
		det_drop_results(c->inc);
		assert_int_equal(det_count(c->inc), 0);
		assert_int_equal(det_zone_count(c->inc), 0);
		assert_int_equal(det_group_count(c->inc), 0);
		assert_null(det_for_domain(c->inc, dom));
		assert_int_equal(det_incr_count(c->inc, &r0), kept);
	}
	det_run(c->inc, c->s);
	det_run(full, c->s);
	put_run(&c->a, c->inc);
	put_run(&c->b, full);
	/* the caches given back (as the report does), results untouched; the long-lived
	 * detector fills them again at its next run */
	det_release_caches(full);
	put_run(&c->c, full);
	assert_int_equal(c->c.n, c->b.n);
	assert_memory_equal(c->c.p, c->b.p, c->b.n);
	if (c->batches % 5 == 0)
		det_release_caches(c->inc);
	if (c->a.n != c->b.n || memcmp(c->a.p, c->b.p, c->a.n) != 0) {
		size_t i = 0;
		while (i < c->a.n && i < c->b.n && c->a.p[i] == c->b.p[i])
			i++;
		size_t from = i > 300 ? i - 300 : 0;
		fail_msg("batch %u (%llu messages): the incremental run differs from a full one at "
		         "byte %zu:\nincremental: %.600s\nfull:        %.600s", c->batches,
		         (unsigned long long)c->msgs, i, c->a.p + from, c->b.p + from);
	}
	size_t reused = 0, n = det_incr_count(c->inc, &reused);
	size_t dummy;
	assert_int_equal(det_incr_count(full, &dummy), 0);    /* a full run keeps nothing */
	c->kept += n;
	c->reused += reused;
	struct det_result buf;
	c->flagged = 0;
	for (size_t i = 0; i < det_count(c->inc); i++)
		c->flagged += det_is_flagged(det_view(c->inc, i, &buf)->verdict);
	det_free(full);
}

/* Every few batches the store ages (pinning what is flagged now, as the watch does), so ids
 * are freed and reused, domains trimmed, the epoch moves. */
static void
maybe_expire(struct cmp *c)
{
	if (c->expire_lag == 0 || c->batches % (c->expire_every ? c->expire_every : 4) != 0 ||
	    c->last_ts <= c->expire_lag)
		return;
	for (size_t i = 0; i < det_count(c->inc); i++) {
		const struct det_result *r = det_get(c->inc, i);
		store_domain_set_pins(c->s, r->dom, det_is_flagged(r->verdict) ? STORE_PIN_FLAGGED : 0);
	}
	store_expire(c->s, c->last_ts - c->expire_lag,
	             (c->expires++ % 2) ? STORE_EXPIRE_TRIM_PINNED : 0);
}

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct cmp *c = ctx;
	store_add_msg(c->s, m);
	c->msgs++;
	if (m->ts > c->last_ts)
		c->last_ts = m->ts;
	if (c->msgs % c->batch == 0) {
		c->batches++;
		if (c->run_every <= 1 || c->batches % c->run_every == 0)
			compare_now(c);
		maybe_expire(c);
	}
}

static void
cmp_open(struct cmp *c, uint32_t batch, fs_time lag, const char *intel)
{
	memset(c, 0, sizeof *c);
	c->s = store_new(NULL);
	store_set_pinned_keep(c->s, 16);
	c->geo = scored_must_geo();
	c->intel = intel;
	c->inc = new_detector(c);
	c->batch = batch;
	c->expire_lag = lag;
}

static void
cmp_close(struct cmp *c)
{
	/* the end, then once more with nothing changed: everything taken from the run before */
	compare_now(c);
	size_t reused = 0, n = det_incr_count(c->inc, &reused);
	compare_now(c);
	size_t reused2 = 0, n2 = det_incr_count(c->inc, &reused2);
	assert_int_equal(n2, n);
	assert_int_equal(reused2, n2);
	(void)reused;
	/* the runs did take features from earlier ones, and the data flagged something */
	assert_true(c->reused > 0);
	assert_true(c->kept > c->reused);
	assert_true(c->flagged > 0);
	print_message("  %u batches, %u ageing runs, %llu messages: %zu of %zu features taken "
	              "again, %zu flagged at the end\n", c->batches, c->expires,
	              (unsigned long long)c->msgs, c->reused, c->kept, c->flagged);
	det_free(c->inc);
	geo_free(c->geo);
	store_free(c->s);
	free(c->a.p);
	free(c->b.p);
	free(c->c.p);
}

static void
run_capture(const char *path, uint32_t batch, fs_time lag)
{
	struct cmp c;
	struct fs_err err = { 0 };

	cmp_open(&c, batch, lag, NULL);
	struct ingest *in = ingest_new(NULL, on_msg, &c);
	if (ingest_add_file(in, path, &err) != FS_OK || ingest_run(in, &err) != FS_OK)
		fail_msg("%s: %s", path, err.msg);
	ingest_free(in);
	assert_true(c.batches >= 10);
	cmp_close(&c);
}

static void
test_flux_small(void **state)
{
	(void)state;
	run_capture("tests/data/flux/flux-small.pcap", 400, 0);
}

static void
test_flux_small_ageing(void **state)
{
	(void)state;
	run_capture("tests/data/flux/flux-small.pcap", 400, (fs_time)1800 * FS_USEC);
}

/* As the TUI's loader keeps its detectors across ageing: the store aged several times between
 * two runs of the detector (ageing every batch, detection every third), the enrichment cache
 * emptied before each run; the pins come from the detector's last results. */
static void
test_flux_small_loader(void **state)
{
	struct cmp c;
	struct fs_err err = { 0 };
	(void)state;

	cmp_open(&c, 250, (fs_time)1200 * FS_USEC, NULL);
	c.expire_every = 1;
	c.run_every = 3;
	c.trim_geo = true;
	struct ingest *in = ingest_new(NULL, on_msg, &c);
	if (ingest_add_file(in, "tests/data/flux/flux-small.pcap", &err) != FS_OK ||
	    ingest_run(in, &err) != FS_OK)
		fail_msg("%s", err.msg);
	ingest_free(in);
	assert_true(c.batches >= 15);
	assert_true(c.expires >= 10);
	cmp_close(&c);
}

static void
test_demo(void **state)
{
	(void)state;
	run_capture("samples/flux-demo.pcap", 700, (fs_time)3600 * FS_USEC);
}

static void
test_demo_upstream(void **state)
{
	(void)state;
	run_capture("samples/flux-demo-upstream.pcap", 700, (fs_time)3600 * FS_USEC);
}

/* ---- generated traffic ---------------------------------------------------------------------- */

static uint32_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint32_t)(*x >> 16);
}

/* Addresses of the victim (below), and of the agent-to-be. */
static char victim_addr[64][32];
static uint32_t n_victim;

/* One message of generated traffic at time ts (seconds), the i-th: flux names answering from
 * random hosts with fluxing nameservers (NS in authority, glue from the same hosts), a CNAME
 * chain into a flux name, stable names of one zone, a CDN-like name, NXDOMAIN names. And
 * changes of others' context for names that stay untouched: a flux-like name (the victim,
 * messages 200 to 600) whose addresses an allowlisted CDN name answers with from message 3000
 * (its CDN guard), whose nameserver's address a name answered early and that turns flux from
 * message 3000 (an agent from early on). */
static void
gen_msg(struct cmp *c, uint64_t *x, double ts, uint32_t msg_i)
{
	struct mb b;
	char name[64], name2[64], ns1[64], ns2[64], a[8][32], zone[32];  /* live until the add */
	uint32_t k = rnd(x) % 100;

	if (msg_i >= 200 && msg_i < 600 && msg_i % 20 == 0) {
		mb_resp(&b, "burst.victim.example", DNS_TYPE_A, ts);
		for (uint32_t i = 0; i < 4 && n_victim < 64; i++) {
			snprintf(victim_addr[n_victim], sizeof victim_addr[0], "%u.%u.%u.%u",
			         20 + rnd(x) % 180, rnd(x) % 256, rnd(x) % 256, 1 + rnd(x) % 250);
			MB_A(&b, "burst.victim.example", victim_addr[n_victim], 120);
			n_victim++;
		}
		MB_NS_AUTH(&b, "victim.example", "ns.victim.example", 3600);
		MB_GLUE(&b, "ns.victim.example", "192.0.2.77", 3600);
		store_add_msg(c->s, &b.m);
	} else if (msg_i >= 3000 && msg_i % 25 == 0 && n_victim > 0) {
		mb_resp(&b, "img.victim-cdn.akamaiedge.net", DNS_TYPE_A, ts);
		for (uint32_t i = 0; i < 8; i++)
			MB_A(&b, "img.victim-cdn.akamaiedge.net", victim_addr[rnd(x) % n_victim], 20);
		store_add_msg(c->s, &b.m);
	} else if ((msg_i == 100 || msg_i >= 3000) && msg_i % 10 == 0) {
		mb_resp(&b, "late.agent.example", DNS_TYPE_A, ts);
		if (msg_i == 100)
			MB_A(&b, "late.agent.example", "192.0.2.77", 60);
		for (uint32_t i = 0; i < 4; i++) {
			snprintf(a[i], sizeof a[i], "%u.%u.%u.%u", 20 + rnd(x) % 180, rnd(x) % 256,
			         rnd(x) % 256, 1 + rnd(x) % 250);
			MB_A(&b, "late.agent.example", a[i], 60);
		}
		store_add_msg(c->s, &b.m);
	} else if (k < 35) {                       /* flux names of three zones */
		uint32_t z = rnd(x) % 3, n = rnd(x) % 6;
		snprintf(name, sizeof name, "w%u.flux%u.example", n, z);
		snprintf(ns1, sizeof ns1, "ns1.flux%u.example", z);
		snprintf(ns2, sizeof ns2, "ns2.flux%u.example", z);
		mb_resp(&b, name, DNS_TYPE_A, ts);
		uint32_t na = 3 + rnd(x) % 4;
		for (uint32_t i = 0; i < na; i++) {
			snprintf(a[i], sizeof a[i], "%u.%u.%u.%u", 1 + rnd(x) % 220, rnd(x) % 256,
			         rnd(x) % 256, 1 + rnd(x) % 250);
			MB_A(&b, name, a[i], 180);
		}
		if (rnd(x) % 3 == 0) {
			snprintf(zone, sizeof zone, "flux%u.example", z);
			MB_NS_AUTH(&b, zone, ns1, 600);
			MB_NS_AUTH(&b, zone, ns2, 600);
			MB_GLUE(&b, ns1, a[0], 600);
			MB_GLUE(&b, ns2, a[1], 600);
		}
		store_add_msg(c->s, &b.m);
	} else if (k < 45) {                /* a CNAME chain into a flux name */
		snprintf(name, sizeof name, "promo%u.shop.example", rnd(x) % 4);
		snprintf(name2, sizeof name2, "w%u.flux0.example", rnd(x) % 6);
		mb_resp(&b, name, DNS_TYPE_A, ts);
		MB_CNAME(&b, name, name2, 300);
		for (uint32_t i = 0; i < 4; i++) {
			snprintf(a[i], sizeof a[i], "%u.%u.%u.%u", 1 + rnd(x) % 220, rnd(x) % 256,
			         rnd(x) % 256, 1 + rnd(x) % 250);
			MB_A(&b, name2, a[i], 180);
		}
		store_add_msg(c->s, &b.m);
	} else if (k < 70) {                /* stable hosts of one zone, with its NS set */
		uint32_t n = rnd(x) % 40;
		snprintf(name, sizeof name, "h%u.corp.example", n);
		mb_resp(&b, name, DNS_TYPE_A, ts);
		snprintf(a[0], sizeof a[0], "198.51.100.%u", 1 + n);
		MB_A(&b, name, a[0], 3600);
		if (n % 5 == 0) {
			MB_NS_AUTH(&b, "corp.example", "ns.corp.example", 86400);
			MB_GLUE(&b, "ns.corp.example", "198.51.100.250", 86400);
		}
		store_add_msg(c->s, &b.m);
	} else if (k < 80) {                /* a CDN-like name: a few addresses of one /24 */
		mb_resp(&b, "static.cdn.example", DNS_TYPE_A, ts);
		for (uint32_t i = 0; i < 2; i++) {
			snprintf(a[i], sizeof a[i], "203.0.113.%u", 1 + rnd(x) % 8);
			MB_A(&b, "static.cdn.example", a[i], 60);
		}
		store_add_msg(c->s, &b.m);
	} else {                            /* names asked once, NXDOMAIN, under one zone */
		snprintf(name, sizeof name, "x%u.rand%u.example", rnd(x), rnd(x) % 2);
		mb_resp(&b, name, DNS_TYPE_A, ts);
		b.m.rcode = 3;
		if (rnd(x) % 2 == 0) {
			snprintf(zone, sizeof zone, "rand%u.example", rnd(x) % 2);
			snprintf(ns1, sizeof ns1, "ns.%s", zone);
			MB_NS_AUTH(&b, zone, ns1, 300);
		}
		store_add_msg(c->s, &b.m);
	}
	c->msgs++;
	if ((fs_time)(ts * FS_USEC) > c->last_ts)
		c->last_ts = (fs_time)(ts * FS_USEC);
	if (c->msgs % c->batch == 0) {
		c->batches++;
		compare_now(c);
		maybe_expire(c);
	}
}

static void
generated(const char *intel)
{
	struct cmp c;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	n_victim = 0;
	cmp_open(&c, 150, (fs_time)1200 * FS_USEC, intel);
	for (uint32_t i = 0; i < 6000; i++)
		gen_msg(&c, &x, 1700000000.0 + i * 1.5, i);
	assert_true(c.batches >= 10 && c.expires >= 2);
	size_t hits = 0;
	struct det_result buf;
	for (size_t i = 0; i < det_count(c.inc); i++)
		hits += det_view(c.inc, i, &buf)->intel_hit;
	if (intel != NULL)
		assert_true(hits >= 3);
	cmp_close(&c);
}

static void
test_generated(void **state)
{
	(void)state;
	generated(NULL);
}

/* With an intel feed: names, a CNAME zone, an address, a network, a nameserver (the
 * context's intel text is kept with it). */
static void
test_generated_intel(void **state)
{
	(void)state;
	static const char feed[] = "# test feed\nshop.example\n198.51.100.7\n5.0.0.0/8\n"
	                           "ns1.flux1.example\nw3.flux2.example\n";
	const char *path = tmp("intel.txt");
	write_file(path, feed, sizeof feed - 1);
	generated(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_generated_intel),
		cmocka_unit_test(test_flux_small),
		cmocka_unit_test(test_flux_small_ageing),
		cmocka_unit_test(test_flux_small_loader),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_demo_upstream),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
