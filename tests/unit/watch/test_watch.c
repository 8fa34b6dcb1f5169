/* Ageing under a memory budget (watch.h) on the small labelled flux capture, with a stream of
 * one-off benign names mixed in (as a resolver sees them: most names are looked up once): the
 * store stays under the budget, old benign data goes, and every domain detection flags on the
 * whole capture is still there at the end with its counts, still flagged; marked domains stay
 * too. And the estimate of what domains cost outside the store, by kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "fluxscope/watch.h"
#include "unit/scored.h"
#include "unit/store/msgbuild.h"

#define CAPTURE "tests/data/flux/flux-small.pcap"

struct run {
	struct store *s;
	struct watch *w;
	uint64_t msgs;
	uint64_t aged;
	size_t max_after;          /* largest store size right after an ageing run */
	store_dom_id marked;
	char marked_name[256];
	size_t budget;
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct run *r = ctx;

	store_add_msg(r->s, m);
	r->msgs++;
	/* Three one-off names per message of the capture, at the same time. */
	for (int k = 0; k < 3; k++) {
		struct mb b;
		char name[64], addr[32];
		uint64_t i = r->msgs * 3 + (uint64_t)k;
		snprintf(name, sizeof name, "n%llu.once.example", (unsigned long long)i);
		snprintf(addr, sizeof addr, "10.%u.%u.%u", (unsigned)(i >> 16) & 255,
		         (unsigned)(i >> 8) & 255, (unsigned)i & 255);
		mb_resp(&b, name, DNS_TYPE_A, (double)m->ts / FS_USEC);
		MB_A(&b, name, addr, 300);
		store_add_msg(r->s, &b.m);
	}
	/* Mark the first domain that was seen (an analyst's mark on something that goes quiet). */
	if (r->msgs == 50 && store_domain_count(r->s) > 0) {
		r->marked = 1;
		snprintf(r->marked_name, sizeof r->marked_name, "%s",
		         store_name_str(r->s, store_domain(r->s, 1)->name));
		store_domain_set_flags(r->s, 1, 1);
	}
	if (r->w != NULL && watch_tick(r->w)) {
		struct store_stats ss;
		store_get_stats(r->s, &ss);
		r->aged++;
		if (ss.bytes > r->max_after)
			r->max_after = ss.bytes;
	}
}

static void
load(struct run *r)
{
	struct fs_err err = { 0 };
	struct ingest *in = ingest_new(NULL, on_msg, r);

	if (ingest_add_file(in, CAPTURE, &err) != FS_OK || ingest_run(in, &err) != FS_OK)
		fail_msg("%s", err.msg);
	ingest_free(in);
}

static void
test_budget_keeps_flagged(void **state)
{
	(void)state;
	struct geo *g = scored_must_geo();
	struct detector *full_det = scored_must_detector(g), *final_det = scored_must_detector(g);
	struct run full = { 0 }, aged = { 0 };
	struct store_stats fs, as;
	struct watch_stats ws;
	size_t n_flagged = 0, n_back = 0;

	/* The whole capture, no budget: the reference. */
	full.s = store_new(NULL);
	load(&full);
	det_run(full_det, full.s);
	store_get_stats(full.s, &fs);

	/* The same capture under a third of that memory, ageing as it goes. */
	aged.s = store_new(NULL);
	aged.budget = fs.bytes / 2;
	struct watch_config wc = { .budget = aged.budget, .check_every = 64 };
	aged.w = watch_new(aged.s, scored_must_detector(g), &wc);
	load(&aged);
	watch_get_stats(aged.w, &ws);
	store_get_stats(aged.s, &as);
	print_message("full store %zu bytes, %zu domains; budget %zu; %llu ageing runs, %llu domains "
	              "and %llu responses expired, %llu pinned; now %zu bytes, %zu domains\n",
	              fs.bytes, fs.domains, aged.budget, (unsigned long long)ws.runs,
	              (unsigned long long)as.expired_domains, (unsigned long long)as.expired_responses,
	              (unsigned long long)ws.pinned, as.bytes, as.domains);

	print_message("last run: %zu -> %zu bytes in %.1f ms (max %.1f ms), cut-off %lld\n", ws.bytes_before, ws.bytes_after, ws.last_ms, ws.max_ms, (long long)ws.last_cutoff);
	/* Ageing happened and held the budget. */
	assert_true(ws.runs >= 1);
	assert_int_equal(ws.runs, aged.aged);
	assert_int_equal(ws.over_budget, 0);
	assert_true(aged.max_after <= aged.budget);
	/* between two looks (64 messages) the store may pass the budget by a little */
	assert_true(as.bytes <= aged.budget + aged.budget / 50);
	assert_true(as.expired_domains > 0);
	assert_true(as.domains < fs.domains);
	/* Counts are kept whole: every response was counted even where its entry went. */
	assert_int_equal(as.responses, fs.responses);
	assert_int_equal(as.messages, fs.messages);

	/* Every domain flagged on the whole capture is still there, with its counts, and the
	 * detector still flags it on what was kept. */
	det_run(final_det, aged.s);
	for (size_t i = 0; i < det_count(full_det); i++) {
		const struct det_result *r = det_get(full_det, i);
		if (!det_is_flagged(r->verdict))
			continue;
		n_flagged++;
		store_dom_id id = store_domain_find(aged.s, r->name);
		if (id == 0)
			fail_msg("flagged domain %s was aged out", r->name);
		const struct store_domain *d = store_domain(aged.s, id);
		const struct store_domain *fd = store_domain(full.s, r->dom);
		if (d->first_seen == fd->first_seen) {
			/* never aged out: the counts are the whole capture's */
			assert_int_equal(d->n_responses, fd->n_responses);
			assert_int_equal(d->n_resp + d->n_resp_expired, fd->n_resp);
		} else {
			/* aged out before it was flagged (seen once, with little to show) and back:
			 * everything from its return on is counted */
			uint32_t since = 0;
			for (uint32_t k = 0; k < fd->n_resp; k++)
				since += fd->resp[k].ts >= d->first_seen && !(fd->resp[k].flags & STORE_RESP_VIA_CNAME);
			print_message("%s (%s) aged out early and came back: %u of %u responses since\n",
			              r->name, det_verdict_name(r->verdict), d->n_responses, fd->n_responses);
			assert_true(d->first_seen > fd->first_seen);
			assert_int_equal(d->n_responses, since);
			n_back++;
		}
		assert_true(d->pins & STORE_PIN_FLAGGED || d->user_flags != 0 ||
		            d->last_seen >= ws.last_cutoff);
		const struct det_result *now = det_for_domain(final_det, id);
		if (now == NULL || !det_is_flagged(now->verdict)) {
			fail_msg("%s (%s, %u addresses) is %s after ageing", r->name,
			         det_verdict_name(r->verdict), r->n_addrs,
			         now ? det_verdict_name(now->verdict) : "not scored");
		}
	}
	assert_true(n_flagged >= 20);
	assert_true(n_back * 10 < n_flagged);

	/* The analyst's mark kept its domain even though it went quiet long ago. */
	assert_int_not_equal(store_domain_find(aged.s, aged.marked_name), 0);
	assert_true(store_domain(full.s, store_domain_find(full.s, aged.marked_name))->last_seen <
	            ws.last_cutoff);

	watch_free(aged.w);
	det_free(full_det);
	det_free(final_det);
	store_free(full.s);
	store_free(aged.s);
	geo_free(g);
}

/* Below the budget nothing happens; with no budget nothing ever happens. */
static void
test_under_budget(void **state)
{
	(void)state;
	struct run r = { 0 };
	struct watch_stats ws;
	struct store_stats ss;

	r.s = store_new(NULL);
	struct watch_config wc = { .budget = (size_t)1 << 40, .check_every = 16 };
	r.w = watch_new(r.s, NULL, &wc);
	load(&r);
	watch_get_stats(r.w, &ws);
	store_get_stats(r.s, &ss);
	assert_int_equal(ws.runs, 0);
	assert_int_equal(ss.expired_domains, 0);
	assert_int_equal(ss.expire_runs, 0);
	assert_false(watch_age(r.w, false));
	watch_free(r.w);

	struct watch_config none = { 0 };
	r.w = watch_new(r.s, NULL, &none);
	for (int i = 0; i < 5000; i++)
		assert_false(watch_tick(r.w));
	watch_free(r.w);
	store_free(r.s);
}

/* The estimate by kind: a domain that never had an address, RRset or CNAME (a flood's one-off
 * NXDOMAIN names) is counted at extra_per_bare_domain, the others at extra_per_domain, so a
 * store of such names that fits the budget by that count is left alone where counting every
 * name alike would age it out. */
static void
bare_store(struct store *s)
{
	struct mb b;
	char name[64], addr[32];

	for (int i = 0; i < 250; i++) {
		snprintf(name, sizeof name, "%s%d.kind.example", i < 200 ? "nx" : "a", i);
		mb_resp(&b, name, DNS_TYPE_A, 1800000000.0 + i);
		if (i < 200)
			b.m.rcode = 3;     /* NXDOMAIN, no answer */
		else {
			snprintf(addr, sizeof addr, "10.9.%d.%d", i / 256, i % 256);
			MB_A(&b, name, addr, 300);
		}
		store_add_msg(s, &b.m);
	}
}

static void
test_estimate_by_kind(void **state)
{
	(void)state;
	struct store *s = store_new(NULL);
	struct store_stats ss;
	struct watch_stats ws;

	bare_store(s);
	store_get_stats(s, &ss);
	assert_int_equal(ss.domains, 250);
	assert_int_equal(ss.domains_bare, 200);
	/* what the watch counts: the store, 1000 per domain with an answer, 10 per bare one */
	struct watch_config wc = { .budget = (size_t)1 << 40, .extra_per_domain = 1000,
	                           .extra_per_bare_domain = 10, .check_every = 1 };
	struct watch *w = watch_new(s, NULL, &wc);
	assert_true(watch_age(w, true));
	watch_get_stats(w, &ws);
	store_get_stats(s, &ss);
	assert_int_equal(ss.expired_domains, 0);
	assert_int_equal(ws.bytes_before, ss.bytes + 50 * 1000 + 200 * 10);
	assert_int_equal(ws.extra_per_domain, 1000);
	assert_int_equal(ws.extra_per_bare_domain, 10);
	watch_free(w);

	/* a budget the per-kind count fits and the count of every name at 1000 does not */
	size_t budget = ss.bytes + 50 * 1000 + 200 * 10 + 1000;
	assert_true(budget < ss.bytes + 250 * 1000);
	wc.budget = budget;
	w = watch_new(s, NULL, &wc);
	assert_false(watch_age(w, false));
	watch_get_stats(w, &ws);
	assert_int_equal(ws.runs, 0);
	watch_free(w);
	store_get_stats(s, &ss);
	assert_int_equal(ss.expired_domains, 0);
	/* counted alike, the same store is over that budget and its one-off names go */
	wc.extra_per_bare_domain = 1000;
	w = watch_new(s, NULL, &wc);
	assert_true(watch_age(w, false));
	watch_free(w);
	store_get_stats(s, &ss);
	assert_true(ss.expired_domains > 0);
	assert_int_equal(ss.domains + ss.expired_domains, 250);
	assert_true(ss.domains_bare < 200);
	store_free(s);
}

/* A provider of the flagged set (the TUI's loader): asked with no store lock held, its set is
 * pinned exactly when it is of the store's current epoch, and left alone when it predates an
 * ageing run (its ids may have been reused). */
struct prov {
	struct store *s;
	store_dom_id ids[3];
	uint32_t epoch;
	int calls;
	bool unlocked;             /* the store was free (write lock taken and given back) */
};

static bool
provide(void *ctx, struct watch_flagged *out)
{
	struct prov *p = ctx;
	uint32_t rank[3] = { 0, 0, 0 };
	struct watch_flagged f = { .ids = p->ids, .rank = rank, .n = 3, .epoch = p->epoch };

	p->calls++;
	p->unlocked = store_write_lock_for(p->s, 0);
	if (p->unlocked)
		store_write_unlock(p->s);
	watch_flagged_copy(out, &f);
	return true;
}

static void
test_flagged_provider(void **state)
{
	(void)state;
	struct run r = { 0 };
	struct prov p = { 0 };
	struct watch_stats ws;

	r.s = store_new(NULL);
	load(&r);                  /* no watch yet: everything stays */
	p.s = r.s;
	for (int i = 0; i < 3; i++)
		p.ids[i] = (store_dom_id)(10 + i);
	p.epoch = store_epoch(r.s);
	struct watch_config wc = { .budget = 1024, .flagged = provide, .flagged_ctx = &p };
	r.w = watch_new(r.s, NULL, &wc);
	assert_true(watch_age(r.w, false));
	assert_int_equal(p.calls, 1);
	assert_true(p.unlocked);
	watch_get_stats(r.w, &ws);
	assert_int_equal(ws.pinned, 3);
	assert_int_equal(ws.pinned_now, 3);
	for (int i = 0; i < 3; i++) {
		const struct store_domain *d = store_domain(r.s, p.ids[i]);
		assert_non_null(d);
		assert_true(d->pins & STORE_PIN_FLAGGED);
	}
	/* the run aged the store (a new epoch): results of the old one are not applied, the
	 * pins stay as they were */
	assert_int_not_equal(store_epoch(r.s), p.epoch);
	p.ids[0] = 1;
	assert_true(watch_age(r.w, true));
	watch_get_stats(r.w, &ws);
	assert_int_equal(ws.pinned, 3);
	assert_int_equal(ws.pinned_now, 3);
	assert_true(store_domain(r.s, 1) == NULL || !(store_domain(r.s, 1)->pins & STORE_PIN_FLAGGED));
	assert_true(store_domain(r.s, 10)->pins & STORE_PIN_FLAGGED);
	/* current again: exactly the new set (a pin whose verdict went is taken off) */
	p.epoch = store_epoch(r.s);
	p.ids[0] = 11;
	assert_true(watch_age(r.w, true));
	watch_get_stats(r.w, &ws);
	assert_int_equal(ws.pinned_now, 2);
	assert_false(store_domain(r.s, 10) != NULL && (store_domain(r.s, 10)->pins & STORE_PIN_FLAGGED));
	watch_free(r.w);
	store_free(r.s);
}

/* The set pinned from detection results: every domain flagged on its own, and for every
 * flagged zone row its apex and at most WATCH_ZONE_KEEP of its other names (those flagged only
 * through the zone among them), the newest. */
static void
test_flagged_collect(void **state)
{
	(void)state;
	struct geo *g = scored_must_geo();
	struct detector *det = scored_must_detector(g);
	struct run r = { 0 };
	struct watch_flagged f = { 0 };
	uint8_t *in;
	size_t flagged = 0, zones = 0;

	r.s = store_new(NULL);
	load(&r);
	det_run(det, r.s);
	watch_flagged_collect(det, store_epoch(r.s), &f);
	assert_int_equal(f.epoch, store_epoch(r.s));
	in = calloc(store_domain_count(r.s) + 1, 1);
	for (size_t i = 0; i < f.n; i++) {
		assert_true(f.ids[i] >= 1 && f.ids[i] <= store_domain_count(r.s));
		in[f.ids[i]]++;
	}
	for (size_t i = 0; i < det_count(det); i++) {
		const struct det_result *x = det_get(det, i);
		if (det_is_flagged(x->verdict) && !x->via_zone) {
			assert_true(in[x->dom]);
			flagged++;
		}
	}
	for (size_t i = 0; i < det_zone_count(det); i++) {
		const struct det_result *z = det_zone_get(det, i);
		size_t members = 0, kept = 0;
		fs_time oldest_kept = 0, newest_left = 0;
		if (!det_is_flagged(z->verdict))
			continue;
		zones++;
		if (z->dom != 0)
			assert_true(in[z->dom]);
		for (size_t k = 0; k < det_count(det); k++) {
			const struct det_result *x = det_get(det, k);
			if (x->zone == NULL || strcmp(x->zone, z->name) != 0 ||
			    (det_is_flagged(x->verdict) && !x->via_zone) || x->dom == z->dom)
				continue;
			members++;
			if (in[x->dom]) {
				kept++;
				if (oldest_kept == 0 || x->last_seen < oldest_kept)
					oldest_kept = x->last_seen;
			} else if (x->last_seen > newest_left)
				newest_left = x->last_seen;
		}
		assert_int_equal(kept, members < WATCH_ZONE_KEEP ? members : WATCH_ZONE_KEEP);
		assert_true(newest_left <= oldest_kept);
		if (members > WATCH_ZONE_KEEP)
			print_message("zone %s (%s): %zu names, the newest %zu kept\n", z->name,
			              det_verdict_name(z->verdict), members, kept);
	}
	print_message("%zu ids: %zu flagged domains, %zu flagged zones\n", f.n, flagged, zones);
	assert_true(flagged >= 20);
	assert_true(zones >= 1);
	free(in);
	watch_flagged_free(&f);
	det_free(det);
	store_free(r.s);
	geo_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_keeps_flagged),
		cmocka_unit_test(test_under_budget),
		cmocka_unit_test(test_estimate_by_kind),
		cmocka_unit_test(test_flagged_provider),
		cmocka_unit_test(test_flagged_collect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
