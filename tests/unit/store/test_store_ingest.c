/* Store ingest: answers, CNAME chains, NS and glue, RRset spans, TTLs, indexes, negatives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fluxscope/store.h"
#include "unit/store/msgbuild.h"

static struct store *
new_store(void)
{
	struct store *s = store_new(NULL);
	assert_non_null(s);
	return s;
}

static const struct store_domain *
dom(const struct store *s, const char *name)
{
	store_dom_id id = store_domain_find(s, name);

	if (id == 0)
		fail_msg("domain %s not in the store", name);
	return store_domain(s, id);
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
test_a_answer(void **state)
{
	struct store *s = new_store();
	struct mb b;
	struct store_stats st;
	const struct store_domain *d;
	const struct store_response *r;
	const struct store_addr *a;
	char buf[FS_ADDR_STRLEN];
	uint64_t g0 = store_generation(s);

	(void)state;
	mb_resp(&b, "www.example.com", DNS_TYPE_A, 1000.5);
	MB_A(&b, "www.example.com", "198.51.100.7", 300);
	MB_A(&b, "www.example.com", "198.51.100.3", 280);
	b.m.aa = true;
	store_add_msg(s, &b.m);
	assert_true(store_generation(s) > g0);

	assert_int_equal(store_domain_count(s), 1);
	d = dom(s, "www.example.com");
	assert_string_equal(store_name_str(s, d->name), "www.example.com");
	assert_int_equal(d->dflags & (STORE_DOM_QNAME | STORE_DOM_TTL), STORE_DOM_QNAME | STORE_DOM_TTL);
	assert_int_equal(d->n_responses, 1);
	assert_int_equal(d->n_resp, 1);
	assert_int_equal(d->first_seen, 1000500000);
	assert_int_equal(d->last_seen, 1000500000);
	r = &d->resp[0];
	assert_int_equal(r->ts, 1000500000);
	assert_int_equal(r->ttl_min, 280);
	assert_int_equal(r->ttl_max, 300);
	assert_int_equal(r->rcode, 0);
	assert_int_equal(r->qtype, DNS_TYPE_A);
	assert_int_equal(r->cname, 0);
	assert_int_equal(r->flags, STORE_RESP_AA);
	assert_true(mb_set_is_addrs(s, r->aset, (const char *[]){ "198.51.100.7", "198.51.100.3", NULL }));
	assert_string_equal(fs_addr_str(&store_addr(s, r->resolver)->addr, buf, sizeof buf), "192.0.2.53");
	assert_string_equal(fs_addr_str(&store_addr(s, r->client)->addr, buf, sizeof buf), "192.0.2.10");
	/* members sorted ascending */
	{
		uint32_t n;
		const uint32_t *m = store_set_members(s, r->aset, &n);
		assert_int_equal(n, 2);
		assert_true(m[0] < m[1]);
	}
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_int_equal(d->ext->rrsets[0].set, r->aset);
	assert_int_equal(d->ext->rrsets[0].count, 1);
	assert_int_equal(d->ext->rrsets[0].sources, 1);
	assert_int_equal(d->ext->n_addrs, 2);
	assert_int_equal(d->ext->addrs[0].addr, mb_find_addr(s, "198.51.100.7"));
	assert_int_equal(d->ext->addrs[0].ttl_max, 300);
	assert_int_equal(d->ext->addrs[1].ttl_max, 280);
	assert_int_equal(d->ext->ttl_min_seen, 280);
	assert_int_equal(d->ext->ttl_max_seen, 300);
	a = store_addr(s, mb_find_addr(s, "198.51.100.3"));
	assert_int_equal(a->count, 1);
	assert_int_equal(a->n_domains, 1);
	assert_int_equal(a->domains[0], store_domain_find(s, "www.example.com"));
	assert_int_equal(a->first_seen, 1000500000);

	store_get_stats(s, &st);
	assert_int_equal(st.messages, 1);
	assert_int_equal(st.responses, 1);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.aa_responses, 1);
	assert_int_equal(st.referrals, 0);
	assert_int_equal(st.domains, 1);
	assert_int_equal(st.addrs, 4); /* two answers, resolver, client */
	assert_true(st.bytes > 0);
	store_free(s);
}

static void
test_flags_and_sources(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;

	(void)state;
	mb_resp(&b, "t.example", DNS_TYPE_A, 1);
	b.m.transport = 6;
	b.m.tc = true;
	b.m.src_index = 3;
	MB_A(&b, "t.example", "192.0.2.1", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "t.example", DNS_TYPE_A, 2);
	b.m.src_index = 1;
	MB_A(&b, "t.example", "192.0.2.1", 60);
	store_add_msg(s, &b.m);
	d = dom(s, "t.example");
	assert_int_equal(d->resp[0].flags, STORE_RESP_TCP | STORE_RESP_TC);
	assert_int_equal(d->resp[0].src_index, 3);
	assert_int_equal(d->resp[1].flags, 0);
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_int_equal(d->ext->rrsets[0].sources, (1 << 3) | (1 << 1));
	store_free(s);
}

static void
test_set_interning(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	uint32_t in1[] = { 9, 3, 7, 3, 1 }, in2[] = { 1, 7, 9, 3 }, in3[] = { 1, 7, 9 };
	store_set_id s1, s2, s3;
	uint32_t n;
	const uint32_t *m;

	(void)state;
	s1 = store_set_intern(s, STORE_SET_ADDRS, in1, 5);
	s2 = store_set_intern(s, STORE_SET_ADDRS, in2, 4);
	s3 = store_set_intern(s, STORE_SET_ADDRS, in3, 3);
	assert_int_not_equal(s1, 0);
	assert_int_equal(s1, s2);
	assert_int_not_equal(s1, s3);
	m = store_set_members(s, s1, &n);
	assert_int_equal(n, 4);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 3);
	assert_int_equal(m[2], 7);
	assert_int_equal(m[3], 9);
	assert_int_equal(store_set_size(s, s3), 3);
	assert_int_equal(store_set_intern(s, STORE_SET_ADDRS, in1, 0), 0);
	/* the same numbers as names are another set */
	assert_int_not_equal(store_set_intern(s, STORE_SET_NAMES, in2, 4), s1);
	assert_int_equal(store_set_kind(s, s1), STORE_SET_ADDRS);
	assert_int_equal(store_set_kind(s, store_set_intern(s, STORE_SET_NAMES, in2, 4)), STORE_SET_NAMES);
	assert_null(store_set_members(s, 0, &n));
	assert_int_equal(n, 0);

	/* the same addresses in another order (and repeated) are the same answer set */
	mb_resp(&b, "rr.example", DNS_TYPE_A, 10);
	MB_A(&b, "rr.example", "203.0.113.1", 60);
	MB_A(&b, "rr.example", "203.0.113.2", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "rr.example", DNS_TYPE_A, 20);
	MB_A(&b, "rr.example", "203.0.113.2", 60);
	MB_A(&b, "rr.example", "203.0.113.1", 60);
	MB_A(&b, "rr.example", "203.0.113.2", 60);
	store_add_msg(s, &b.m);
	d = dom(s, "rr.example");
	assert_int_equal(d->n_resp, 2);
	assert_int_equal(d->resp[0].aset, d->resp[1].aset);
	assert_int_equal(store_set_size(s, d->resp[1].aset), 2);
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_int_equal(d->ext->rrsets[0].count, 2);
	assert_int_equal(d->ext->rrsets[0].first_seen, 10 * FS_USEC);
	assert_int_equal(d->ext->rrsets[0].last_seen, 20 * FS_USEC);
	/* per-domain address counts are per response, address record counts per record */
	assert_int_equal(d->ext->n_addrs, 2);
	assert_int_equal(d->ext->addrs[1].count, 2);
	assert_int_equal(store_addr(s, mb_find_addr(s, "203.0.113.2"))->count, 3);
	store_free(s);
}

static void
test_cname_chain_out_of_order(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d, *t;
	store_dom_id qid, tid;
	const struct store_addr *a;

	(void)state;
	/* records in reverse chain order, plus an unrelated A that must not be reached */
	mb_resp(&b, "www.shop.example", DNS_TYPE_A, 50);
	MB_A(&b, "e1.cdn.example", "198.51.100.20", 20);
	MB_A(&b, "other.example", "198.51.100.99", 20);
	MB_CNAME(&b, "shop.edge.example", "e1.cdn.example", 300);
	MB_A(&b, "e1.cdn.example", "198.51.100.21", 30);
	MB_CNAME(&b, "www.shop.example", "shop.edge.example", 3600);
	store_add_msg(s, &b.m);

	qid = store_domain_find(s, "www.shop.example");
	tid = store_domain_find(s, "e1.cdn.example");
	assert_int_not_equal(qid, 0);
	assert_int_not_equal(tid, 0);
	assert_int_equal(store_domain_find(s, "shop.edge.example"), 0); /* owns no address */
	assert_int_equal(store_domain_find(s, "other.example"), 0);
	assert_int_equal(mb_find_addr(s, "198.51.100.99"), 0);
	d = store_domain(s, qid);
	assert_true(mb_set_is_addrs(s, d->resp[0].aset, (const char *[]){ "198.51.100.20", "198.51.100.21", NULL }));
	assert_int_equal(d->resp[0].ttl_min, 20);
	assert_int_equal(d->resp[0].ttl_max, 30);
	assert_string_equal(store_name_str(s, d->resp[0].cname), "shop.edge.example");
	assert_int_equal(d->ext->n_cnames, 2);
	assert_string_equal(store_name_str(s, d->ext->cnames[0]), "shop.edge.example");
	assert_string_equal(store_name_str(s, d->ext->cnames[1]), "e1.cdn.example");
	assert_int_equal(d->n_via_cname, 0);

	t = store_domain(s, tid);
	assert_int_equal(t->dflags & (STORE_DOM_CNAME_TARGET | STORE_DOM_QNAME), STORE_DOM_CNAME_TARGET);
	assert_int_equal(t->n_via_cname, 1);
	assert_int_equal(t->n_responses, 0);
	assert_int_equal(t->n_resp, 1);
	assert_int_equal(t->resp[0].flags, STORE_RESP_VIA_CNAME);
	assert_int_equal(t->resp[0].aset, d->resp[0].aset);
	assert_int_equal(t->ext->n_addrs, 2);
	a = store_addr(s, mb_find_addr(s, "198.51.100.21"));
	assert_int_equal(a->n_domains, 2);
	assert_true(idvec_has(a->domains, a->n_domains, qid));
	assert_true(idvec_has(a->domains, a->n_domains, tid));

	/* a second response through the same chain adds nothing new to the chain list */
	store_add_msg(s, &b.m);
	d = store_domain(s, qid);
	assert_int_equal(d->ext->n_cnames, 2);
	assert_int_equal(d->ext->n_rrsets, 1);
	assert_int_equal(store_domain(s, tid)->n_via_cname, 2);
	store_free(s);
}

static void
test_cname_long_chain(void **state)
{
	struct store *s = new_store();
	static struct mb b;
	static char names[101][32];
	const struct store_domain *d;
	struct store_stats st;

	(void)state;
	for (int i = 0; i <= 100; i++)
		snprintf(names[i], sizeof names[i], "c%d.chain.example", i);
	mb_resp(&b, names[0], DNS_TYPE_A, 1);
	MB_A(&b, names[100], "192.0.2.200", 5);
	for (int i = 99; i >= 0; i--) /* reverse order: the worst case for a naive walk */
		MB_CNAME(&b, names[i], names[i + 1], 60);
	store_add_msg(s, &b.m);
	d = dom(s, names[0]);
	assert_int_equal(d->ext->n_cnames, 100);
	assert_string_equal(store_name_str(s, d->ext->cnames[0]), names[1]);
	assert_string_equal(store_name_str(s, d->ext->cnames[99]), names[100]);
	assert_true(mb_set_is_addrs(s, d->resp[0].aset, (const char *[]){ "192.0.2.200", NULL }));
	assert_int_equal(dom(s, names[100])->n_via_cname, 1);
	store_get_stats(s, &st);
	assert_int_equal(st.cname_loops, 0);
	assert_int_equal(st.nodata, 0);
	store_free(s);
}

static void
test_cname_loop(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	struct store_stats st;

	(void)state;
	mb_resp(&b, "loop.example", DNS_TYPE_A, 1);
	MB_CNAME(&b, "b.loop.example", "a.loop.example", 60);
	MB_CNAME(&b, "a.loop.example", "b.loop.example", 60);
	MB_CNAME(&b, "loop.example", "a.loop.example", 60);
	MB_CNAME(&b, "b.loop.example", "loop.example", 60);
	store_add_msg(s, &b.m);
	d = dom(s, "loop.example");
	assert_int_equal(d->ext->n_cnames, 2);
	assert_string_equal(store_name_str(s, d->ext->cnames[0]), "a.loop.example");
	assert_string_equal(store_name_str(s, d->ext->cnames[1]), "b.loop.example");
	assert_int_equal(d->resp[0].aset, 0);
	assert_int_equal(d->ext->n_rrsets, 0);
	assert_int_equal(d->n_noerror_nodata, 1); /* no A anywhere in the chain */
	store_get_stats(s, &st);
	assert_int_equal(st.cname_loops, 2); /* b→a and b→loop both point back into the chain */

	/* a self-loop */
	mb_resp(&b, "self.example", DNS_TYPE_A, 2);
	MB_CNAME(&b, "self.example", "self.example", 60);
	store_add_msg(s, &b.m);
	d = dom(s, "self.example");
	assert_int_equal(d->ext->n_cnames, 0);
	assert_int_equal(d->resp[0].cname, store_name_find(s, "self.example"));
	store_get_stats(s, &st);
	assert_int_equal(st.cname_loops, 3);
	store_free(s);
}

static void
test_rrset_changes_and_ttl_countdown(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	store_set_id s1, s2;

	(void)state;
	/* a cache counting down: 300, 250, then a new set at 60, then the first again at 100 */
	mb_resp(&b, "flux.example", DNS_TYPE_A, 100);
	MB_A(&b, "flux.example", "203.0.113.10", 300);
	MB_A(&b, "flux.example", "203.0.113.11", 300);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flux.example", DNS_TYPE_A, 150);
	MB_A(&b, "flux.example", "203.0.113.11", 250);
	MB_A(&b, "flux.example", "203.0.113.10", 250);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flux.example", DNS_TYPE_A, 400);
	MB_A(&b, "flux.example", "203.0.113.12", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "flux.example", DNS_TYPE_A, 500);
	MB_A(&b, "flux.example", "203.0.113.10", 100);
	MB_A(&b, "flux.example", "203.0.113.11", 100);
	store_add_msg(s, &b.m);

	d = dom(s, "flux.example");
	assert_int_equal(d->n_resp, 4);
	assert_int_equal(d->ext->n_rrsets, 2);
	s1 = d->ext->rrsets[0].set;
	s2 = d->ext->rrsets[1].set;
	assert_true(mb_set_is_addrs(s, s1, (const char *[]){ "203.0.113.10", "203.0.113.11", NULL }));
	assert_true(mb_set_is_addrs(s, s2, (const char *[]){ "203.0.113.12", NULL }));
	assert_int_equal(d->ext->rrsets[0].count, 3);
	assert_int_equal(d->ext->rrsets[0].ttl_max, 300);
	assert_int_equal(d->ext->rrsets[0].ttl_min, 100);
	assert_int_equal(d->ext->rrsets[0].first_seen, 100 * FS_USEC);
	assert_int_equal(d->ext->rrsets[0].last_seen, 500 * FS_USEC);
	assert_int_equal(d->ext->rrsets[1].count, 1);
	assert_int_equal(d->ext->rrsets[1].ttl_max, 60);
	assert_int_equal(d->ext->rrsets[1].first_seen, 400 * FS_USEC);
	assert_int_equal(d->resp[2].aset, s2);
	assert_int_equal(d->resp[3].aset, s1);
	assert_int_equal(d->ext->ttl_min_seen, 60);
	assert_int_equal(d->ext->ttl_max_seen, 300);
	assert_int_equal(d->ext->n_addrs, 3);
	assert_int_equal(d->ext->addrs[0].ttl_max, 300);
	assert_int_equal(d->ext->addrs[0].count, 3);
	assert_int_equal(d->ext->addrs[0].last_seen, 500 * FS_USEC);
	assert_int_equal(d->ext->addrs[2].first_seen, 400 * FS_USEC);
	assert_int_equal(d->first_seen, 100 * FS_USEC);
	assert_int_equal(d->last_seen, 500 * FS_USEC);
	store_free(s);
}

static void
test_referral_with_glue(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d, *z;
	const struct store_nsname *n1, *n2;
	const struct store_addr *g;
	struct store_stats st;
	store_name_id zone;
	store_set_id set;
	store_dom_id qid, zid;

	(void)state;
	/* a .com server's referral for www.evil.example to evil.example */
	mb_resp(&b, "www.evil.example", DNS_TYPE_A, 10);
	b.m.rd = false;
	MB_NS_AUTH(&b, "evil.example", "ns1.evil.example", 172800);
	MB_NS_AUTH(&b, "evil.example", "ns2.evil.example", 172800);
	MB_GLUE(&b, "ns1.evil.example", "198.51.100.53", 172800);
	MB_GLUE(&b, "ns2.evil.example", "2001:db8::53", 172800);
	MB_GLUE(&b, "unrelated.example", "198.51.100.54", 172800);
	store_add_msg(s, &b.m);

	store_get_stats(s, &st);
	assert_int_equal(st.referrals, 1);
	assert_int_equal(st.glue_records, 2);
	assert_int_equal(st.nodata, 0);
	assert_int_equal(mb_find_addr(s, "198.51.100.54"), 0); /* not glue of anything */
	qid = store_domain_find(s, "www.evil.example");
	zid = store_domain_find(s, "evil.example");
	d = store_domain(s, qid);
	assert_int_equal(d->resp[0].flags, STORE_RESP_REFERRAL);
	assert_int_equal(d->ext->n_ns, 1);
	assert_string_equal(store_name_str(s, d->ext->ns[0].zone), "evil.example");
	assert_int_equal(d->ext->ns[0].ttl, 172800);
	z = store_domain(s, zid);
	assert_int_equal(z->dflags & (STORE_DOM_ZONE | STORE_DOM_QNAME), STORE_DOM_ZONE);
	assert_int_equal(z->ext->n_ns, 1);
	assert_int_equal(z->ext->ns[0].nsset, d->ext->ns[0].nsset);
	{
		uint32_t n;
		const uint32_t *m = store_set_members(s, d->ext->ns[0].nsset, &n);
		assert_int_equal(n, 2);
		assert_true(idvec_has(m, n, store_name_find(s, "ns1.evil.example")));
		assert_true(idvec_has(m, n, store_name_find(s, "ns2.evil.example")));
	}
	set = store_domain_nsset(s, qid, &zone);
	assert_int_equal(set, d->ext->ns[0].nsset);
	assert_string_equal(store_name_str(s, zone), "evil.example");

	n1 = store_nsname_by_name(s, store_name_find(s, "ns1.evil.example"));
	n2 = store_nsname_by_name(s, store_name_find(s, "ns2.evil.example"));
	assert_non_null(n1);
	assert_non_null(n2);
	assert_int_equal(store_nsname_count(s), 2);
	assert_int_equal(n1->count, 1);
	assert_int_equal(n1->n_zones, 1);
	assert_string_equal(store_name_str(s, n1->zones[0]), "evil.example");
	assert_int_equal(n1->n_domains, 2);
	assert_true(idvec_has(n1->domains, n1->n_domains, qid));
	assert_true(idvec_has(n1->domains, n1->n_domains, zid));
	assert_int_equal(n1->n_glue, 1);
	assert_int_equal(n1->glue[0].addr, mb_find_addr(s, "198.51.100.53"));
	assert_int_equal(n1->glue[0].ttl_max, 172800);
	assert_int_equal(n2->n_glue, 1);
	assert_int_equal(n2->glue[0].addr, mb_find_addr(s, "2001:db8::53"));
	g = store_addr(s, n2->glue[0].addr);
	assert_int_equal(g->n_ns_names, 1);
	assert_int_equal(g->ns_names[0], n2->name);
	assert_int_equal(g->n_domains, 0);

	/* an authoritative answer with the NS in authority is no referral, and the same NS set
	 * adds no observation */
	mb_resp(&b, "www.evil.example", DNS_TYPE_A, 20);
	b.m.aa = true;
	MB_A(&b, "www.evil.example", "203.0.113.66", 300);
	MB_NS_AUTH(&b, "evil.example", "ns2.evil.example", 172800);
	MB_NS_AUTH(&b, "evil.example", "ns1.evil.example", 172800);
	store_add_msg(s, &b.m);
	store_get_stats(s, &st);
	assert_int_equal(st.referrals, 1);
	assert_int_equal(st.aa_responses, 1);
	d = store_domain(s, qid);
	assert_int_equal(d->resp[1].flags, STORE_RESP_AA);
	assert_int_equal(d->ext->n_ns, 1);
	assert_int_equal(store_domain(s, zid)->ext->n_ns, 1);
	assert_int_equal(store_nsname_by_name(s, store_name_find(s, "ns1.evil.example"))->count, 2);

	/* the resolver later asks for ns1's address: the answer is glue too */
	mb_resp(&b, "ns1.evil.example", DNS_TYPE_A, 30);
	MB_A(&b, "ns1.evil.example", "198.51.100.57", 3600);
	store_add_msg(s, &b.m);
	n1 = store_nsname_by_name(s, store_name_find(s, "ns1.evil.example"));
	assert_int_equal(n1->n_glue, 2);
	assert_int_equal(n1->glue[1].addr, mb_find_addr(s, "198.51.100.57"));
	store_get_stats(s, &st);
	assert_int_equal(st.glue_records, 2); /* answers are not counted as referral glue */
	store_free(s);
}

static void
test_ns_answer_and_changes(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	store_dom_id id, sub;
	store_name_id zone;
	const char *sets[4][3] = {
		{ "ns1.dbl.example", "ns2.dbl.example", NULL },
		{ "ns2.dbl.example", "ns1.dbl.example", NULL }, /* same set, other order */
		{ "ns3.dbl.example", "ns4.dbl.example", NULL },
		{ "ns1.dbl.example", "ns2.dbl.example", NULL },
	};

	(void)state;
	for (int i = 0; i < 4; i++) {
		mb_resp(&b, "dbl.example", DNS_TYPE_NS, 100 + i);
		MB_NS_ANS(&b, "dbl.example", sets[i][0], 300);
		MB_NS_ANS(&b, "dbl.example", sets[i][1], 300);
		store_add_msg(s, &b.m);
	}
	id = store_domain_find(s, "dbl.example");
	d = store_domain(s, id);
	assert_int_equal(d->dflags & (STORE_DOM_ZONE | STORE_DOM_QNAME), STORE_DOM_ZONE | STORE_DOM_QNAME);
	assert_int_equal(d->n_noerror_nodata, 0);
	assert_int_equal(d->ext->n_ns, 3);
	assert_int_equal(d->ext->ns[0].ts, 100 * FS_USEC);
	assert_int_equal(d->ext->ns[1].ts, 102 * FS_USEC);
	assert_int_equal(d->ext->ns[2].ts, 103 * FS_USEC);
	assert_int_equal(d->ext->ns[0].nsset, d->ext->ns[2].nsset);
	assert_int_not_equal(d->ext->ns[0].nsset, d->ext->ns[1].nsset);
	assert_int_equal(store_domain_ns_changes(s, id), 2);
	assert_int_equal(store_nsname_count(s), 4);
	assert_int_equal(store_nsname_by_name(s, store_name_find(s, "ns1.dbl.example"))->n_domains, 1);

	/* a subdomain without NS data inherits the zone's latest set */
	mb_resp(&b, "www.dbl.example", DNS_TYPE_A, 200);
	MB_A(&b, "www.dbl.example", "192.0.2.77", 60);
	store_add_msg(s, &b.m);
	sub = store_domain_find(s, "www.dbl.example");
	assert_int_equal(store_domain_nsset(s, sub, &zone), d->ext->ns[2].nsset);
	assert_int_equal(zone, store_name_find(s, "dbl.example"));
	assert_int_equal(store_domain_ns_changes(s, sub), 0);
	store_free(s);
}

static void
test_ns_zones_and_bailiwick(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	struct store_stats st;
	store_name_id zone;

	(void)state;
	/* a root referral and a TLD referral: the qname keeps one observation per zone, and the
	 * deepest zone of a message is the qname's view */
	mb_resp(&b, "www.deep.example", DNS_TYPE_A, 1);
	MB_NS_AUTH(&b, "example", "a.tld-servers.test", 172800);
	store_add_msg(s, &b.m);
	mb_resp(&b, "www.deep.example", DNS_TYPE_A, 2);
	MB_NS_AUTH(&b, "deep.example", "ns.deep.example", 86400);
	MB_NS_AUTH(&b, "example", "a.tld-servers.test", 172800); /* shallower, same message */
	MB_NS_AUTH(&b, "elsewhere.test", "ns.elsewhere.test", 86400); /* out of bailiwick */
	store_add_msg(s, &b.m);
	d = dom(s, "www.deep.example");
	assert_int_equal(d->ext->n_ns, 2);
	assert_string_equal(store_name_str(s, d->ext->ns[0].zone), "example");
	assert_string_equal(store_name_str(s, d->ext->ns[1].zone), "deep.example");
	assert_int_not_equal(store_domain_nsset(s, store_domain_find(s, "www.deep.example"), &zone), 0);
	assert_string_equal(store_name_str(s, zone), "deep.example");
	assert_int_equal(store_domain_find(s, "elsewhere.test"), 0);
	assert_null(store_nsname_by_name(s, store_name_find(s, "ns.elsewhere.test")));
	store_get_stats(s, &st);
	assert_int_equal(st.ns_out_of_zone, 1);
	assert_int_equal(st.referrals, 2);
	assert_int_equal(dom(s, "example")->ext->n_ns, 1);

	/* an escaped dot is no label boundary: evil.example does not enclose a\.evil.example */
	mb_resp(&b, "a\\.evil.example", DNS_TYPE_A, 3);
	MB_NS_AUTH(&b, "evil.example", "ns.evil.example", 3600);
	store_add_msg(s, &b.m);
	store_get_stats(s, &st);
	assert_int_equal(st.ns_out_of_zone, 2);
	assert_int_equal(store_domain_find(s, "evil.example"), 0);
	/* but "example" does, and the root encloses everything */
	mb_resp(&b, "a\\.evil.example", DNS_TYPE_A, 4);
	MB_NS_AUTH(&b, ".", "a.root-servers.test", 518400);
	store_add_msg(s, &b.m);
	assert_int_equal(dom(s, "a\\.evil.example")->ext->n_ns, 1);
	assert_int_equal(dom(s, ".")->ext->n_ns, 1);
	store_free(s);
}

static void
test_reverse_index_many_domains(void **state)
{
	struct store *s = new_store();
	struct mb b;
	static char names[200][32];
	const struct store_addr *a;
	store_addr_id shared;

	(void)state;
	/* 200 domains share one address; each is indexed once however often it is seen */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 200; i++) {
			snprintf(names[i], sizeof names[i], "d%03d.shared.example", i);
			mb_resp(&b, names[i], DNS_TYPE_A, round * 1000 + i);
			MB_A(&b, names[i], "192.0.2.250", 60);
			MB_A(&b, names[i], round == 2 ? "192.0.2.251" : "192.0.2.252", 60);
			store_add_msg(s, &b.m);
		}
	}
	shared = mb_find_addr(s, "192.0.2.250");
	a = store_addr(s, shared);
	assert_int_equal(a->n_domains, 200);
	assert_int_equal(a->count, 600);
	for (int i = 0; i < 200; i++)
		assert_int_equal(a->domains[i], store_domain_find(s, names[i]));
	a = store_addr(s, mb_find_addr(s, "192.0.2.251"));
	assert_int_equal(a->n_domains, 200);
	assert_int_equal(dom(s, names[17])->ext->n_rrsets, 2);
	assert_int_equal(dom(s, names[17])->ext->n_addrs, 3);

	/* one domain with many addresses (long per-domain vectors go through the pair maps) */
	for (int i = 0; i < 300; i++) {
		char addr[32];

		snprintf(addr, sizeof addr, "10.%d.%d.1", i / 200, i % 200);
		mb_resp(&b, "wide.example", DNS_TYPE_A, i);
		MB_A(&b, "wide.example", addr, 60);
		store_add_msg(s, &b.m);
		store_add_msg(s, &b.m);
	}
	assert_int_equal(dom(s, "wide.example")->ext->n_addrs, 300);
	assert_int_equal(dom(s, "wide.example")->ext->n_rrsets, 300);
	assert_int_equal(dom(s, "wide.example")->ext->rrsets[123].count, 2);
	assert_int_equal(dom(s, "wide.example")->ext->addrs[299].count, 2);
	store_free(s);
}

static void
test_negative_answers(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	struct store_stats st;

	(void)state;
	mb_resp(&b, "nx.example", DNS_TYPE_A, 1);
	b.m.rcode = 3;
	mb_rr(&b, DNS_SEC_AUTHORITY, "example", DNS_TYPE_SOA, 900);
	store_add_msg(s, &b.m);
	mb_resp(&b, "nodata.example", DNS_TYPE_AAAA, 2);
	mb_rr(&b, DNS_SEC_AUTHORITY, "example", DNS_TYPE_SOA, 900);
	store_add_msg(s, &b.m);
	/* NODATA at the end of a CNAME chain */
	mb_resp(&b, "alias.example", DNS_TYPE_AAAA, 3);
	MB_CNAME(&b, "alias.example", "v4only.example", 60);
	store_add_msg(s, &b.m);
	/* an MX answer is an answer, not NODATA */
	mb_resp(&b, "mx.example", DNS_TYPE_MX, 4);
	mb_rr(&b, DNS_SEC_ANSWER, "mx.example", DNS_TYPE_MX, 60);
	store_add_msg(s, &b.m);
	/* SERVFAIL is neither */
	mb_resp(&b, "sf.example", DNS_TYPE_A, 5);
	b.m.rcode = 2;
	store_add_msg(s, &b.m);

	d = dom(s, "nx.example");
	assert_int_equal(d->n_nxdomain, 1);
	assert_int_equal(d->n_noerror_nodata, 0);
	assert_int_equal(d->resp[0].rcode, 3);
	assert_int_equal(d->resp[0].aset, 0);
	d = dom(s, "nodata.example");
	assert_int_equal(d->n_noerror_nodata, 1);
	assert_int_equal(d->resp[0].flags, STORE_RESP_NODATA);
	assert_int_equal(d->ext->n_rrsets, 0);
	assert_int_equal(d->dflags & STORE_DOM_TTL, 0);
	assert_int_equal(dom(s, "alias.example")->n_noerror_nodata, 1);
	assert_int_equal(dom(s, "mx.example")->n_noerror_nodata, 0);
	assert_int_equal(dom(s, "sf.example")->n_noerror_nodata, 0);
	assert_int_equal(dom(s, "sf.example")->resp[0].rcode, 2);
	store_get_stats(s, &st);
	assert_int_equal(st.nxdomain, 1);
	assert_int_equal(st.nodata, 2);
	assert_int_equal(st.responses, 5);
	store_free(s);
}

/* A name answered only after negative answers: its RRsets and addresses start when the first
 * address comes (the room for them is made then), and names that never had one cost the
 * store less than names with answers. */
static void
test_answers_after_negatives(void **state)
{
	struct store *s = new_store();
	struct mb b;
	const struct store_domain *d;
	struct store_stats st0, st1, st2;
	char names[400][32];

	(void)state;
	for (int i = 0; i < 2; i++) {
		mb_resp(&b, "late.example", DNS_TYPE_A, 1 + i);
		b.m.rcode = 3;
		store_add_msg(s, &b.m);
	}
	d = dom(s, "late.example");
	assert_int_equal(d->n_resp, 2);
	assert_int_equal(d->ext->n_rrsets, 0);
	assert_int_equal(d->ext->n_addrs, 0);
	mb_resp(&b, "late.example", DNS_TYPE_A, 3);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "late.example", "198.51.100.1", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "late.example", DNS_TYPE_A, 4);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "late.example", "198.51.100.2", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "late.example", "198.51.100.3", 60);
	store_add_msg(s, &b.m);
	mb_resp(&b, "late.example", DNS_TYPE_A, 5);
	MB_CNAME(&b, "late.example", "edge.example", 60);
	mb_addr_rr(&b, DNS_SEC_ANSWER, "edge.example", "198.51.100.1", 60);
	store_add_msg(s, &b.m);
	d = dom(s, "late.example");
	assert_int_equal(d->n_resp, 5);
	assert_int_equal(d->n_nxdomain, 2);
	assert_int_equal(d->ext->n_rrsets, 2);          /* the last answer repeats the first set */
	assert_int_equal(d->ext->rrsets[0].count, 2);
	assert_int_equal(store_set_size(s, d->ext->rrsets[1].set), 2);
	assert_int_equal(d->ext->rrsets[0].set, d->resp[4].aset);
	assert_int_equal(d->resp[4].flags & STORE_RESP_VIA_CNAME, 0);
	assert_int_equal(d->ext->n_addrs, 3);
	assert_int_equal(d->ext->addrs[0].count, 2);   /* in the first and the last answer */
	assert_int_equal(d->ext->n_cnames, 1);
	assert_string_equal(store_name_str(s, d->ext->cnames[0]), "edge.example");
	assert_int_equal(store_addr(s, d->ext->addrs[0].addr)->n_domains, 2);

	/* 200 names that never had an address against 200 with one each */
	store_get_stats(s, &st0);
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof names[i], "nx%03d.flood.example", i);
		mb_resp(&b, names[i], DNS_TYPE_A, 10);
		b.m.rcode = 3;
		store_add_msg(s, &b.m);
	}
	store_get_stats(s, &st1);
	for (int i = 0; i < 200; i++) {
		snprintf(names[200 + i], sizeof names[200 + i], "ok%03d.flood.example", i);
		mb_resp(&b, names[200 + i], DNS_TYPE_A, 11);
		mb_addr_rr(&b, DNS_SEC_ANSWER, names[200 + i], "198.51.100.9", 60);
		store_add_msg(s, &b.m);
	}
	store_get_stats(s, &st2);
	assert_true(st1.bytes - st0.bytes < st2.bytes - st1.bytes);

	/* ageing keeps what is newer and the store stays consistent */
	store_expire(s, 4 * FS_USEC, 0);
	d = dom(s, "late.example");
	assert_int_equal(d->n_resp, 2);            /* the answers at 4 and 5 s */
	assert_int_equal(d->ext->n_rrsets, 2);
	assert_int_equal(d->ext->n_addrs, 3);
	store_free(s);
}

static void
test_queries_and_odd_messages(void **state)
{
	struct store *s = new_store();
	struct mb b;
	struct store_stats st;

	(void)state;
	mb_resp(&b, "q.example", DNS_TYPE_A, 1);
	b.m.qr = false;
	store_add_msg(s, &b.m);
	mb_resp(&b, NULL, DNS_TYPE_A, 2);
	store_add_msg(s, &b.m);
	mb_resp(&b, "notify.example", DNS_TYPE_SOA, 3);
	b.m.opcode = 4;
	store_add_msg(s, &b.m);
	/* a malformed message keeps what was read; non-IN classes and empty targets are skipped */
	mb_resp(&b, "partial.example", DNS_TYPE_A, 4);
	b.m.malformed = true;
	MB_A(&b, "partial.example", "192.0.2.44", 60);
	MB_A(&b, "partial.example", "192.0.2.45", 60);
	b.rr[1].rclass = 3; /* CHAOS */
	MB_CNAME(&b, "partial.example", NULL, 60);
	store_add_msg(s, &b.m);
	store_get_stats(s, &st);
	assert_int_equal(st.messages, 4);
	assert_int_equal(st.queries, 1);
	assert_int_equal(st.responses, 3);
	assert_int_equal(st.no_question, 1);
	assert_int_equal(st.other_opcode, 1);
	assert_int_equal(st.partial, 1);
	assert_int_equal(st.domains, 1);
	assert_int_equal(store_domain_find(s, "q.example"), 0);
	assert_true(mb_set_is_addrs(s, dom(s, "partial.example")->resp[0].aset, (const char *[]){ "192.0.2.44", NULL }));
	store_free(s);
}

static void
test_name_interning(void **state)
{
	struct store *s = new_store();
	store_name_id a, b2, c;

	(void)state;
	a = store_name_intern(s, "WWW.Example.COM.");
	b2 = store_name_intern(s, "www.example.com");
	c = store_name_intern(s, "www.example.co");
	assert_int_not_equal(a, 0);
	assert_int_equal(a, b2);
	assert_int_not_equal(a, c);
	assert_string_equal(store_name_str(s, a), "www.example.com");
	assert_int_equal(store_name_find(s, "www.EXAMPLE.com"), a);
	assert_int_equal(store_name_find(s, "nope.example"), 0);
	c = store_name_intern(s, ".");
	assert_int_not_equal(c, 0);
	assert_int_equal(store_name_find(s, "."), c);
	assert_string_equal(store_name_str(s, store_name_find(s, ".")), ".");
	assert_int_equal(store_name_intern(s, ""), 0);
	assert_string_equal(store_name_str(s, 0), "");
	/* an escaped trailing dot is part of the name */
	assert_string_equal(store_name_str(s, store_name_intern(s, "odd\\.")), "odd\\.");
	assert_string_equal(store_name_str(s, store_name_intern(s, "odd\\\\.")), "odd\\\\");
	/* bytes >= 0x80 are kept as they are, 8-byte boundaries do not matter */
	assert_int_not_equal(store_name_intern(s, "abcdefgh"), store_name_intern(s, "abcdefgi"));
	assert_int_equal(store_name_find(s, "ABCDEFGH"), store_name_find(s, "abcdefgh"));
	assert_int_equal(store_domain_find(s, "www.example.com"), 0); /* names are not domains */
	store_free(s);
}

/* A random-subdomain flood (names asked once, NXDOMAIN): such a name keeps no record of its
 * own beside its small domain record (its ext is the shared empty one), and by the store's own
 * accounting costs that record with room for its response and what its name costs (string,
 * entry, table slots): at most 256 bytes a name over these 20,000 (232 now; 337 when every
 * domain record carried the vectors of a name with answers). A second response keeps it so;
 * an NS set gives it its own ext without making it a name with answers
 * (store_stats.domains_bare); an address does. */
static void
test_flood_names_small(void **state)
{
	struct store *s = new_store();
	struct mb b;
	struct store_stats st0, st1, st;
	enum { N = 20000 };
	static char names[N][40];

	(void)state;
	store_get_stats(s, &st0);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "%08x%04x.victim%d.example",
		         (unsigned)i * 2654435761u, (unsigned)i & 0xffff, i % 8);
		mb_resp(&b, names[i], DNS_TYPE_A, 1000 + i * 0.01);
		b.m.rcode = 3;
		mb_rr(&b, DNS_SEC_AUTHORITY, "victim.example", DNS_TYPE_SOA, 900);
		store_add_msg(s, &b.m);
	}
	store_get_stats(s, &st1);
	assert_int_equal(st1.domains, N);
	assert_int_equal(st1.domains_bare, N);
	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		assert_ptr_equal(d->ext, &store_domain_ext_empty);
		assert_int_equal(d->n_resp, 1);
		assert_int_equal(d->resp[0].rcode, 3);
	}
	size_t per = (st1.bytes - st0.bytes) / N;
	assert_true(per <= 256);

	/* a second response: a longer timeline, still no ext */
	mb_resp(&b, names[0], DNS_TYPE_AAAA, 2000);
	b.m.rcode = 3;
	store_add_msg(s, &b.m);
	const struct store_domain *d = dom(s, names[0]);
	assert_ptr_equal(d->ext, &store_domain_ext_empty);
	assert_int_equal(d->n_resp, 2);
	assert_int_equal(d->resp[1].qtype, DNS_TYPE_AAAA);
	assert_int_equal(d->resp[0].qtype, DNS_TYPE_A);
	/* a referral: an NS set of its own, still a name without answers */
	mb_resp(&b, names[1], DNS_TYPE_A, 2001);
	b.m.rd = false;
	MB_NS_AUTH(&b, "victim1.example", "ns1.victim1.example", 3600);
	store_add_msg(s, &b.m);
	d = dom(s, names[1]);
	assert_ptr_not_equal(d->ext, &store_domain_ext_empty);
	assert_int_equal(d->ext->n_ns, 1);
	assert_int_equal(d->ext->n_addrs, 0);
	store_get_stats(s, &st);
	assert_int_equal(st.domains, N + 1);           /* and the zone's record (NS owner) */
	assert_int_equal(st.domains_bare, N + 1);
	/* an address: no longer bare */
	mb_resp(&b, names[2], DNS_TYPE_A, 2002);
	mb_addr_rr(&b, DNS_SEC_ANSWER, names[2], "198.51.100.7", 60);
	store_add_msg(s, &b.m);
	d = dom(s, names[2]);
	assert_int_equal(d->ext->n_addrs, 1);
	assert_int_equal(d->ext->n_rrsets, 1);
	store_get_stats(s, &st);
	assert_int_equal(st.domains_bare, N);

	/* ageing the flood out gives back its records (the tables keep their size) */
	store_expire(s, 1500 * FS_USEC, 0);
	store_get_stats(s, &st);
	assert_int_equal(st.domains, 4);       /* names[0..2] (seen at 2000 s) and the zone */
	assert_int_equal(st.domains_bare, 3);
	assert_true(st1.bytes - st.bytes >=
	            (size_t)N * (sizeof(struct store_domain) + sizeof(struct store_response)) / 10 * 9);
	assert_int_equal(dom(s, names[0])->n_resp, 1);   /* the one at 2000 s */
	assert_ptr_equal(dom(s, names[0])->ext, &store_domain_ext_empty);
	store_free(s);
}

static void
test_growth_many_domains(void **state)
{
	struct store *s = new_store();
	struct mb b;
	struct store_stats st;
	enum { N = 50000 };
	static char names[N][32];

	(void)state;
	for (int i = 0; i < N; i++) {
		char addr[32];

		snprintf(names[i], sizeof names[i], "h%d.grow.example", i);
		snprintf(addr, sizeof addr, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		mb_resp(&b, names[i], DNS_TYPE_A, i);
		MB_A(&b, names[i], addr, 60);
		store_add_msg(s, &b.m);
	}
	store_get_stats(s, &st);
	assert_int_equal(st.domains, N);
	assert_int_equal(store_domain_count(s), N);
	assert_int_equal(st.addrs, N + 2);
	for (int i = 0; i < N; i += 997) {
		const struct store_domain *d = dom(s, names[i]);
		char addr[32], buf[FS_ADDR_STRLEN];

		snprintf(addr, sizeof addr, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_string_equal(store_name_str(s, d->name), names[i]);
		assert_string_equal(fs_addr_str(&store_addr(s, d->ext->addrs[0].addr)->addr, buf, sizeof buf), addr);
		assert_int_equal(d->first_seen, (fs_time)i * FS_USEC);
	}
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_answer),
		cmocka_unit_test(test_flags_and_sources),
		cmocka_unit_test(test_set_interning),
		cmocka_unit_test(test_cname_chain_out_of_order),
		cmocka_unit_test(test_cname_long_chain),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_rrset_changes_and_ttl_countdown),
		cmocka_unit_test(test_referral_with_glue),
		cmocka_unit_test(test_ns_answer_and_changes),
		cmocka_unit_test(test_ns_zones_and_bailiwick),
		cmocka_unit_test(test_reverse_index_many_domains),
		cmocka_unit_test(test_negative_answers),
		cmocka_unit_test(test_answers_after_negatives),
		cmocka_unit_test(test_queries_and_odd_messages),
		cmocka_unit_test(test_name_interning),
		cmocka_unit_test(test_flood_names_small),
		cmocka_unit_test(test_growth_many_domains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
