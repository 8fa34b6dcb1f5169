/* store_pack: a packed store holds exactly what an unpacked one fed the same messages holds,
 * before and after more messages, store_expire and packing again; what it gives back is what
 * store_stats.bytes loses, and a store with slack gives some back. Every capture of
 * tests/data/pcaps (packed several times while it is read) and hand-built flux names whose
 * vectors are long enough to have indexes (dropped by packing, rebuilt by later appends). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "store/store_int.h"   /* vector capacities (st_resp_cap, struct dom_ext) */
#include "unit/store/msgbuild.h"

#define PCAPS "tests/data/pcaps/"

/* Everything a reader sees of a store, as text-free comparisons of a and b (ids are the same
 * when both were fed the same messages and aged the same way). */
static void
same_store(const struct store *a, const struct store *b)
{
	struct store_stats sa, sb;

	store_get_stats(a, &sa);
	store_get_stats(b, &sb);
	sa.bytes = sb.bytes = 0;
	assert_memory_equal(&sa, &sb, sizeof sa);
	assert_int_equal(store_domain_count(a), store_domain_count(b));
	for (store_dom_id id = 1; id <= store_domain_count(a); id++) {
		const struct store_domain *x = store_domain(a, id), *y = store_domain(b, id);

		assert_true((x == NULL) == (y == NULL));
		if (x == NULL)
			continue;
		assert_string_equal(store_name_str(a, x->name), store_name_str(b, y->name));
		assert_int_equal(x->dflags, y->dflags);
		assert_true(x->first_seen == y->first_seen && x->last_seen == y->last_seen);
		assert_int_equal(x->n_responses, y->n_responses);
		assert_int_equal(x->n_resp, y->n_resp);
		assert_int_equal(x->ext->n_rrsets, y->ext->n_rrsets);
		assert_int_equal(x->ext->n_addrs, y->ext->n_addrs);
		assert_int_equal(x->ext->n_cnames, y->ext->n_cnames);
		assert_int_equal(x->ext->n_clinks, y->ext->n_clinks);
		assert_int_equal(x->ext->n_ns, y->ext->n_ns);
		assert_true(st_resp_cap(x) >= x->n_resp && st_resp_cap(y) >= y->n_resp);
		for (uint32_t i = 0; i < x->n_resp; i++)
			assert_memory_equal(&x->resp[i], &y->resp[i], sizeof x->resp[i]);
		for (uint32_t i = 0; i < x->ext->n_rrsets; i++) {
			const struct store_rrset *p = &x->ext->rrsets[i], *q = &y->ext->rrsets[i];
			assert_true(p->set == q->set && p->count == q->count && p->ttl_max == q->ttl_max &&
			            p->ttl_min == q->ttl_min && p->sources == q->sources &&
			            p->first_seen == q->first_seen && p->last_seen == q->last_seen);
		}
		for (uint32_t i = 0; i < x->ext->n_addrs; i++) {
			const struct store_dom_addr *p = &x->ext->addrs[i], *q = &y->ext->addrs[i];
			assert_true(p->addr == q->addr && p->count == q->count && p->ttl_max == q->ttl_max &&
			            p->first_seen == q->first_seen && p->last_seen == q->last_seen);
		}
		for (uint32_t i = 0; i < x->ext->n_cnames; i++)
			assert_int_equal(x->ext->cnames[i], y->ext->cnames[i]);
		for (uint32_t i = 0; i < x->ext->n_clinks; i++) {
			const struct store_cname_link *p = &x->ext->clinks[i], *q = &y->ext->clinks[i];
			assert_true(p->from == q->from && p->to == q->to && p->count == q->count &&
			            p->first_seen == q->first_seen && p->last_seen == q->last_seen);
		}
		for (uint32_t i = 0; i < x->ext->n_ns; i++) {
			const struct store_ns_obs *p = &x->ext->ns[i], *q = &y->ext->ns[i];
			assert_true(p->ts == q->ts && p->nsset == q->nsset && p->zone == q->zone &&
			            p->ttl == q->ttl);
		}
		assert_int_equal(store_domain_nsset(a, id, NULL), store_domain_nsset(b, id, NULL));
	}
	assert_int_equal(store_addr_count(a), store_addr_count(b));
	for (store_addr_id id = 1; id <= store_addr_count(a); id++) {
		const struct store_addr *x = store_addr(a, id), *y = store_addr(b, id);

		assert_true((x == NULL) == (y == NULL));
		if (x == NULL)
			continue;
		assert_int_equal(fs_addr_cmp(&x->addr, &y->addr), 0);
		assert_int_equal(x->count, y->count);
		assert_int_equal(x->n_domains, y->n_domains);
		assert_int_equal(x->n_ns_names, y->n_ns_names);
		assert_memory_equal(x->domains, y->domains, x->n_domains * sizeof *x->domains);
		if (x->n_ns_names > 0)
			assert_memory_equal(x->ns_names, y->ns_names, x->n_ns_names * sizeof *x->ns_names);
	}
	assert_int_equal(store_nsname_count(a), store_nsname_count(b));
	for (store_ns_id id = 1; id <= store_nsname_count(a); id++) {
		const struct store_nsname *x = store_nsname(a, id), *y = store_nsname(b, id);

		assert_true((x == NULL) == (y == NULL));
		if (x == NULL)
			continue;
		assert_int_equal(x->name, y->name);
		assert_int_equal(x->n_glue, y->n_glue);
		assert_int_equal(x->n_zones, y->n_zones);
		assert_int_equal(x->n_domains, y->n_domains);
		for (uint32_t i = 0; i < x->n_glue; i++)
			assert_true(x->glue[i].addr == y->glue[i].addr && x->glue[i].count == y->glue[i].count &&
			            x->glue[i].last_seen == y->glue[i].last_seen);
		if (x->n_zones > 0)
			assert_memory_equal(x->zones, y->zones, x->n_zones * sizeof *x->zones);
		if (x->n_domains > 0)
			assert_memory_equal(x->domains, y->domains, x->n_domains * sizeof *x->domains);
	}
}

/* Packs s; the bytes it says it gave back are what store_stats.bytes lost. */
static size_t
pack(struct store *s)
{
	struct store_stats before, after;

	store_get_stats(s, &before);
	size_t back = store_pack(s);
	store_get_stats(s, &after);
	assert_int_equal(back, before.bytes > after.bytes ? before.bytes - after.bytes : 0);
	assert_true(after.bytes <= before.bytes + 64);   /* at worst a block's header */
	return back;
}

struct pair {
	struct store *a, *b;        /* b is packed every `every` messages */
	uint64_t n, every;
	size_t back;
	fs_time lo, hi;
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct pair *p = ctx;

	store_add_msg(p->a, m);
	store_add_msg(p->b, m);
	if (m->qr) {
		if (p->lo == 0 || m->ts < p->lo)
			p->lo = m->ts;
		if (m->ts > p->hi)
			p->hi = m->ts;
	}
	if (++p->n % p->every == 0)
		p->back += pack(p->b);
}

static void
test_pcaps(void **state)
{
	DIR *dir = opendir(PCAPS);
	struct dirent *e;
	unsigned files = 0;
	size_t back = 0;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);
		char path[512];
		struct fs_err err;

		if (!((len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0) ||
		      (len > 7 && strcmp(e->d_name + len - 7, ".pcapng") == 0)))
			continue;
		snprintf(path, sizeof path, PCAPS "%s", e->d_name);
		struct pair p = { .a = store_new(NULL), .b = store_new(NULL), .every = 97 };
		struct ingest *in = ingest_new(NULL, on_msg, &p);
		assert_int_equal(ingest_add_file(in, path, &err), FS_OK);
		(void)ingest_run(in, &err);
		ingest_free(in);
		same_store(p.a, p.b);
		p.back += pack(p.b);
		same_store(p.a, p.b);
		if (p.hi > p.lo) {
			store_expire(p.a, p.lo + (p.hi - p.lo) / 2, 0);
			store_expire(p.b, p.lo + (p.hi - p.lo) / 2, 0);
			same_store(p.a, p.b);
			(void)pack(p.b);
			same_store(p.a, p.b);
		}
		back += p.back;
		store_free(p.a);
		store_free(p.b);
		files++;
	}
	closedir(dir);
	assert_true(files >= 38);
	assert_true(back > 0);
}

/* Flux names with long vectors (answers, RRsets, timeline, an address shared by many names, a
 * nameserver naming many zones): packed halfway, then fed answers both new and repeated, so
 * appends go to packed vectors whose indexes were dropped. */
static void
feed(struct store *s, int from, int to)
{
	struct mb b;
	char name[64], addr[64], ns[64];

	for (int i = from; i < to; i++) {
		for (int k = 0; k < 12; k++) {
			snprintf(name, sizeof name, "f%d.flux.example", k);
			mb_resp(&b, name, DNS_TYPE_A, 100 + i);
			snprintf(addr, sizeof addr, "198.51.%d.%d", k, i % 40);   /* repeats after 40 */
			MB_A(&b, name, addr, 60);
			/* every name (an address with a long domains vector, indexed) */
			MB_A(&b, name, "203.0.113.7", 60);
			snprintf(ns, sizeof ns, "ns%d.example", (i + k) % 10);
			MB_NS_AUTH(&b, "flux.example", ns, 300);
			/* glue of ten NS names: the same address's NS names are a long vector too */
			MB_GLUE(&b, ns, "203.0.113.7", 300);
			store_add_msg(s, &b.m);
		}
		snprintf(name, sizeof name, "z%d.example", i);
		mb_resp(&b, name, DNS_TYPE_NS, 100 + i);
		MB_NS_ANS(&b, name, "ns.shared.example", 300);
		snprintf(addr, sizeof addr, "192.0.2.%d", i % 50);
		MB_GLUE(&b, "ns.shared.example", addr, 300);
		store_add_msg(s, &b.m);
	}
}

static void
test_long_vectors(void **state)
{
	struct store *a = store_new(NULL), *b = store_new(NULL);
	struct store_stats st;

	(void)state;
	feed(a, 0, 30);
	feed(b, 0, 30);
	store_dom_id f0 = store_domain_find(b, "f0.flux.example");
	const struct store_domain *d0 = store_domain(b, f0);
	assert_true(d0->ext->n_addrs >= 30);
	assert_true(DOM_X(d0)->cap_addrs > d0->ext->n_addrs);  /* slack */
	assert_true(pack(b) > 0);
	/* at its length: what growth left is given back */
	assert_int_equal(DOM_X(d0)->cap_addrs, d0->ext->n_addrs);
	assert_int_equal(DOM_X(d0)->cap_rrsets, d0->ext->n_rrsets);
	assert_int_equal(st_resp_cap(d0), d0->n_resp);
	same_store(a, b);
	feed(a, 30, 90);
	feed(b, 30, 90);
	same_store(a, b);
	assert_int_equal(store_domain(b, f0)->ext->n_addrs, 41);   /* 40 rotating and the shared one */
	/* both reverse vectors of the shared address long, each entry once */
	for (int k = 0; k < 2; k++) {
		struct store *sk = k ? b : a;
		const struct store_addr *shared = store_addr(sk, mb_find_addr(sk, "203.0.113.7"));
		assert_int_equal(shared->n_domains, 12);
		assert_int_equal(shared->n_ns_names, 10);
		for (uint32_t i = 0; i < 12; i++)
			for (uint32_t j = 0; j < i; j++)
				assert_int_not_equal(shared->domains[i], shared->domains[j]);
		for (uint32_t i = 0; i < 10; i++)
			for (uint32_t j = 0; j < i; j++)
				assert_int_not_equal(shared->ns_names[i], shared->ns_names[j]);
	}
	store_get_stats(b, &st);
	store_expire(a, 150 * FS_USEC, 0);
	store_expire(b, 150 * FS_USEC, 0);
	same_store(a, b);
	(void)pack(b);
	feed(a, 90, 120);
	feed(b, 90, 120);
	same_store(a, b);
	store_free(a);
	store_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_vectors),
		cmocka_unit_test(test_pcaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
