/* Store aging: store_expire() and store_expire_to_budget(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fluxscope/store.h"
#include "unit/store/msgbuild.h"

static void
add_a(struct store *s, const char *name, const char *addr, double ts, uint32_t ttl)
{
	struct mb b;

	mb_resp(&b, name, DNS_TYPE_A, ts);
	MB_A(&b, name, addr, ttl);
	store_add_msg(s, &b.m);
}

static bool
idvec_has(const uint32_t *v, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static void
test_expire_drops_idle_keeps_pinned(void **state)
{
	struct store *s = store_new(NULL);
	struct store_stats st0, st;
	store_dom_id old, pinned, fresh, shared_dom;
	const struct store_domain *d;
	const struct store_addr *a;
	uint32_t epoch0;
	size_t freed;

	(void)state;
	for (int i = 0; i < 20; i++)
		add_a(s, "old.example", i % 2 ? "198.51.100.1" : "198.51.100.2", 100 + i, 60);
	add_a(s, "old.example", "203.0.113.9", 150, 60);        /* shared with fresh */
	for (int i = 0; i < 10; i++)
		add_a(s, "pinned.example", "198.51.100.3", 100 + i, 60);
	add_a(s, "fresh.example", "198.51.100.4", 100, 60);
	add_a(s, "fresh.example", "203.0.113.9", 1000, 60);
	old = store_domain_find(s, "old.example");
	pinned = store_domain_find(s, "pinned.example");
	fresh = store_domain_find(s, "fresh.example");
	store_domain_set_flags(s, pinned, 1);
	a = store_addr(s, mb_find_addr(s, "203.0.113.9"));
	assert_int_equal(a->n_domains, 2);
	store_get_stats(s, &st0);
	epoch0 = store_epoch(s);

	freed = store_expire(s, 500 * FS_USEC, 0);
	store_get_stats(s, &st);
	assert_true(freed > 0);
	assert_int_equal(st.bytes, st0.bytes - freed);
	assert_int_equal(store_epoch(s), epoch0 + 1);

	/* the idle unpinned domain is gone, with its name and its own addresses */
	assert_null(store_domain(s, old));
	assert_int_equal(store_domain_find(s, "old.example"), 0);
	assert_int_equal(store_name_find(s, "old.example"), 0);
	assert_int_equal(mb_find_addr(s, "198.51.100.1"), 0);
	assert_int_equal(mb_find_addr(s, "198.51.100.2"), 0);
	assert_int_equal(st.domains, 2);
	assert_int_equal(st.expired_domains, 1);
	assert_int_equal(st.expired_responses, 22); /* 21 of old, 1 of fresh */
	assert_int_equal(st.expired_rrsets, 4);
	assert_int_equal(st.expired_dom_addrs, 4);
	assert_int_equal(st.expired_addrs, 3);
	assert_int_equal(st.expired_names, 1);
	/* totals are kept */
	assert_int_equal(st.responses, st0.responses);
	assert_int_equal(st.messages, st0.messages);

	/* the pinned one keeps everything although it is as old */
	d = store_domain(s, pinned);
	assert_non_null(d);
	assert_int_equal(d->n_resp, 10);
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_string_equal(store_name_str(s, d->name), "pinned.example");

	/* the fresh one lost its old timeline entry and address, not its counts */
	d = store_domain(s, fresh);
	assert_non_null(d);
	assert_int_equal(d->n_responses, 2);
	assert_int_equal(d->n_resp, 1);
	assert_int_equal(d->n_resp_expired, 1);
	assert_int_equal(d->ext->n_addrs, 1);
	assert_int_equal(d->ext->n_addrs_expired, 1);
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_int_equal(d->ext->n_rrsets_expired, 1);
	assert_int_equal(d->resp[0].ts, 1000 * FS_USEC);
	assert_true(mb_set_is_addrs(s, d->resp[0].aset, (const char *[]){ "203.0.113.9", NULL }));
	assert_int_equal(mb_find_addr(s, "198.51.100.4"), 0);

	/* the reverse index no longer names the freed domain */
	a = store_addr(s, mb_find_addr(s, "203.0.113.9"));
	assert_int_equal(a->n_domains, 1);
	assert_int_equal(a->domains[0], fresh);

	/* new data reuses the freed slots and everything still resolves */
	add_a(s, "new.example", "198.51.100.1", 2000, 30);
	shared_dom = store_domain_find(s, "new.example");
	assert_int_equal(shared_dom, old);
	d = store_domain(s, shared_dom);
	assert_string_equal(store_name_str(s, d->name), "new.example");
	assert_int_equal(d->n_resp, 1);
	assert_int_equal(d->n_responses, 1);
	assert_true(mb_set_is_addrs(s, d->resp[0].aset, (const char *[]){ "198.51.100.1", NULL }));
	add_a(s, "fresh.example", "203.0.113.9", 2001, 60);
	assert_int_equal(store_domain(s, fresh)->ext->n_rrsets, 1);
	assert_int_equal(store_domain(s, fresh)->ext->rrsets[0].count, 2);
	store_free(s);
}

static void
test_expire_trim_pinned_and_ns(void **state)
{
	struct store *s = store_new(NULL);
	struct mb b;
	store_dom_id z, p;
	const struct store_domain *d;
	const struct store_nsname *n;

	(void)state;
	/* zone with three NS sets over time; the latest must survive any cut-off */
	for (int i = 0; i < 3; i++) {
		const char *ns1 = i == 0 ? "ns1.z.example" : i == 1 ? "ns3.z.example" : "ns5.z.example";
		const char *ns2 = i == 0 ? "ns2.z.example" : i == 1 ? "ns4.z.example" : "ns6.z.example";

		mb_resp(&b, "z.example", DNS_TYPE_NS, 100 + 100 * i);
		MB_NS_ANS(&b, "z.example", ns1, 300);
		MB_NS_ANS(&b, "z.example", ns2, 300);
		MB_GLUE(&b, ns1, "192.0.2.1", 300);
		store_add_msg(s, &b.m);
	}
	for (int i = 0; i < 5; i++)
		add_a(s, "p.example", "192.0.2.9", 100 + i, 60);
	add_a(s, "p.example", "192.0.2.10", 900, 60);
	p = store_domain_find(s, "p.example");
	store_domain_set_flags(s, p, 0x4);
	z = store_domain_find(s, "z.example");
	/* keep z.example alive past the cut-off */
	add_a(s, "z.example", "192.0.2.20", 1000, 60);

	store_expire(s, 800 * FS_USEC, STORE_EXPIRE_TRIM_PINNED);
	d = store_domain(s, z);
	assert_non_null(d);
	assert_int_equal(d->ext->n_ns, 1);
	assert_int_equal(d->ext->ns[0].ts, 300 * FS_USEC);
	assert_int_equal(store_nsname_count(s), 6);
	assert_null(store_nsname_by_name(s, store_name_find(s, "ns1.z.example")));
	assert_int_equal(store_name_find(s, "ns1.z.example"), 0);
	n = store_nsname_by_name(s, store_name_find(s, "ns5.z.example"));
	assert_non_null(n);
	assert_int_equal(n->n_domains, 1);
	assert_int_equal(n->domains[0], z);
	assert_int_equal(n->n_glue, 0); /* glue last seen at 300 */
	assert_int_equal(mb_find_addr(s, "192.0.2.1"), 0); /* it was only that glue */
	{
		store_name_id zone;
		store_set_id set = store_domain_nsset(s, z, &zone);
		assert_int_equal(set, d->ext->ns[0].nsset);
		assert_int_equal(zone, d->name);
	}

	/* pinned with TRIM_PINNED: timeline trimmed, summaries kept */
	d = store_domain(s, p);
	assert_int_equal(d->n_resp, 1);
	assert_int_equal(d->n_resp_expired, 5);
	assert_int_equal(d->ext->n_rrsets, 2);
	assert_int_equal(d->ext->n_addrs, 2);
	assert_int_equal(d->user_flags, 0x4);
	assert_true(mb_set_is_addrs(s, d->ext->rrsets[0].set, (const char *[]){ "192.0.2.9", NULL }));
	store_free(s);
}

/* Issue 16: what a pinned domain's verdict rests on stays. www.flux.example is pinned; its NS
 * layer comes from its zone flux.example (a record of its own, seen only in NS answers), whose
 * nameservers' glue was last seen long before the cut-off, and one nameserver was also asked
 * for directly (a record with answers). All of it stays; the same data for an unpinned domain
 * (quiet.example) goes. */
static void
test_expire_keeps_pinned_evidence(void **state)
{
	struct store *s = store_new(NULL);
	struct mb b;
	store_dom_id www, zone, ns1dom;
	const struct store_nsname *n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		char a1[32], a2[32];
		snprintf(a1, sizeof a1, "198.51.100.%d", 1 + i);
		snprintf(a2, sizeof a2, "203.0.113.%d", 1 + i);
		mb_resp(&b, "flux.example", DNS_TYPE_NS, 100 + 10 * i);
		MB_NS_ANS(&b, "flux.example", "ns1.flux.example", 300);
		MB_NS_ANS(&b, "flux.example", "ns2.flux.example", 300);
		MB_GLUE(&b, "ns1.flux.example", a1, 300);
		MB_GLUE(&b, "ns2.flux.example", a2, 300);
		store_add_msg(s, &b.m);
		mb_resp(&b, "quiet.example", DNS_TYPE_NS, 100 + 10 * i);
		MB_NS_ANS(&b, "quiet.example", "ns.quiet.example", 300);
		MB_GLUE(&b, "ns.quiet.example", a1, 300);
		store_add_msg(s, &b.m);
	}
	add_a(s, "ns1.flux.example", "198.51.100.77", 150, 300);
	add_a(s, "www.flux.example", "192.0.2.1", 200, 60);
	add_a(s, "www.flux.example", "192.0.2.2", 1000, 60);
	add_a(s, "www.quiet.example", "192.0.2.3", 1000, 60);
	www = store_domain_find(s, "www.flux.example");
	zone = store_domain_find(s, "flux.example");
	ns1dom = store_domain_find(s, "ns1.flux.example");
	assert_int_not_equal(www, 0);
	assert_int_not_equal(zone, 0);
	assert_int_not_equal(ns1dom, 0);
	assert_int_equal(store_domain(s, www)->ext->n_ns, 0);   /* its NS layer is the zone's */
	store_domain_set_pins(s, www, STORE_PIN_FLAGGED);

	store_expire(s, 800 * FS_USEC, 0);
	/* the zone record, its NS observations, the nameserver's own record and all glue */
	assert_int_equal(store_domain_find(s, "flux.example"), zone);
	assert_true(store_domain(s, zone)->ext->n_ns >= 1);
	assert_int_equal(store_domain_find(s, "ns1.flux.example"), ns1dom);
	assert_int_equal(store_domain(s, ns1dom)->ext->n_addrs, 1);
	n = store_nsname_by_name(s, store_name_find(s, "ns1.flux.example"));
	assert_non_null(n);
	assert_int_equal(n->n_glue, 4);   /* three glue records and its own answer */
	n = store_nsname_by_name(s, store_name_find(s, "ns2.flux.example"));
	assert_non_null(n);
	assert_int_equal(n->n_glue, 3);
	assert_int_not_equal(mb_find_addr(s, "203.0.113.1"), 0);
	{
		store_name_id zn;
		assert_int_not_equal(store_domain_nsset(s, www, &zn), 0);
		assert_int_equal(zn, store_name_find(s, "flux.example"));
	}
	/* unpinned: the zone record went (idle), and the glue of its nameserver with it */
	assert_int_equal(store_domain_find(s, "quiet.example"), 0);
	n = store_nsname_by_name(s, store_name_find(s, "ns.quiet.example"));
	assert_true(n == NULL || n->n_glue == 0);
	assert_int_not_equal(store_domain_find(s, "www.quiet.example"), 0);

	/* unpinned now: the same cut-off takes the evidence */
	store_domain_set_pins(s, www, 0);
	store_expire(s, 800 * FS_USEC, 0);
	assert_int_equal(store_domain_find(s, "flux.example"), 0);
	assert_int_equal(store_domain_find(s, "ns1.flux.example"), 0);
	assert_int_equal(mb_find_addr(s, "203.0.113.1"), 0);
	store_free(s);
}

static void
test_expire_long_vectors_reindexed(void **state)
{
	struct store *s = store_new(NULL);
	const struct store_addr *a;
	static char names[100][32];
	store_addr_id shared;

	(void)state;
	/* 100 domains share an address; the even ones go idle. The pair maps must be rebuilt so
	 * that new observations neither duplicate nor miss entries. */
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "n%02d.share.example", i);
		add_a(s, names[i], "192.0.2.99", i % 2 ? 1000 : 10, 60);
	}
	for (int i = 0; i < 30; i++) {
		char addr[32];

		snprintf(addr, sizeof addr, "10.1.0.%d", i);
		add_a(s, "many.example", addr, i < 20 ? 10 + i : 1000 + i, 60);
	}
	store_expire(s, 500 * FS_USEC, 0);
	shared = mb_find_addr(s, "192.0.2.99");
	a = store_addr(s, shared);
	assert_int_equal(a->n_domains, 50);
	for (int i = 1; i < 100; i += 2)
		assert_true(idvec_has(a->domains, a->n_domains, store_domain_find(s, names[i])));
	assert_int_equal(store_domain(s, store_domain_find(s, "many.example"))->ext->n_addrs, 10);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 100; i++)
			add_a(s, names[i], "192.0.2.99", 2000 + i, 60);
		for (int i = 0; i < 30; i++) {
			char addr[32];

			snprintf(addr, sizeof addr, "10.1.0.%d", i);
			add_a(s, "many.example", addr, 2000 + i, 60);
		}
	}
	a = store_addr(s, shared);
	assert_int_equal(a->n_domains, 100);
	assert_int_equal(store_domain(s, store_domain_find(s, "many.example"))->ext->n_addrs, 30);
	assert_int_equal(store_domain(s, store_domain_find(s, "many.example"))->ext->n_rrsets, 30);
	assert_int_equal(store_domain(s, store_domain_find(s, names[1]))->ext->n_addrs, 1);
	assert_int_equal(store_domain(s, store_domain_find(s, names[1]))->ext->addrs[0].count, 3);
	store_free(s);
}

/* A freed set id comes back for another set: a domain that repeats an answer set it saw
 * before expire must get a set with its own members, not whatever the old id names now. */
static void
test_expire_set_id_reused(void **state)
{
	struct store *s = store_new(NULL);
	struct mb b;
	const struct store_domain *d;
	const uint32_t *m;
	store_addr_id a1;
	uint32_t n;

	(void)state;
	add_a(s, "fresh.example", "198.51.100.1", 100, 60);     /* set {1}: expires below */
	mb_resp(&b, "fresh.example", DNS_TYPE_A, 1000);         /* an empty answer keeps the name */
	store_add_msg(s, &b.m);
	mb_resp(&b, "keep.example", DNS_TYPE_A, 1000);          /* keeps address 1 alive */
	MB_A(&b, "keep.example", "198.51.100.1", 60);
	MB_A(&b, "keep.example", "198.51.100.3", 60);
	store_add_msg(s, &b.m);
	store_expire(s, 500 * FS_USEC, 0);
	a1 = mb_find_addr(s, "198.51.100.1");
	assert_int_not_equal(a1, 0);
	add_a(s, "other.example", "198.51.100.9", 1001, 60);     /* may take the freed set id */
	add_a(s, "fresh.example", "198.51.100.1", 1002, 60);
	d = store_domain(s, store_domain_find(s, "fresh.example"));
	assert_non_null(d);
	m = store_set_members(s, d->resp[d->n_resp - 1].aset, &n);
	assert_int_equal(n, 1);
	assert_int_equal(m[0], a1);
	store_free(s);
}

static void
test_expire_to_budget(void **state)
{
	struct store_config cfg = { .max_memory = 0 };
	struct store *s;
	struct store_stats st;
	static char names[20000][32];
	fs_time cut;
	size_t full;

	(void)state;
	s = store_new(&cfg);
	for (int i = 0; i < 20000; i++) {
		char addr[32];

		snprintf(names[i], sizeof names[i], "b%d.budget.example", i);
		snprintf(addr, sizeof addr, "10.2.%d.%d", i >> 8, i & 255);
		add_a(s, names[i], addr, i, 60);
	}
	store_domain_set_flags(s, store_domain_find(s, names[0]), 1);
	store_get_stats(s, &st);
	full = st.bytes;
	assert_int_equal(store_expire_to_budget(s, 0, 0), 0); /* no budget configured */
	assert_int_equal(store_expire_to_budget(s, full, 0), 0); /* already within */

	cut = store_expire_to_budget(s, full / 2, 0);
	store_get_stats(s, &st);
	assert_true(cut > 0);
	assert_true(st.bytes <= full / 2);
	assert_true(st.domains < 20000);
	assert_true(st.domains > 2000); /* it stopped once under budget, not at the end */
	assert_non_null(store_domain(s, store_domain_find(s, names[0])));  /* pinned */
	assert_non_null(store_domain(s, store_domain_find(s, names[19999])));  /* newest */
	assert_int_equal(store_domain_find(s, names[1]), 0);
	/* every live domain was last seen at or after the cut-off, every one before it is gone */
	for (int i = 1; i < 20000; i++) {
		bool live = store_domain_find(s, names[i]) != 0;
		assert_int_equal(live, (fs_time)i * FS_USEC >= cut);
	}
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expire_drops_idle_keeps_pinned),
		cmocka_unit_test(test_expire_trim_pinned_and_ns),
		cmocka_unit_test(test_expire_keeps_pinned_evidence),
		cmocka_unit_test(test_expire_long_vectors_reindexed),
		cmocka_unit_test(test_expire_set_id_reused),
		cmocka_unit_test(test_expire_to_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
