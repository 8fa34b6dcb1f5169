/* The store over every real capture in tests/data/pcaps, checked message by message against a
 * deliberately naive model of what it must record (quadratic CNAME closure, plain string
 * compares), then the invariants of the whole store (indexes both ways, sorted sets, counts),
 * again after store_expire() halfway through each capture's time span. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

#define PCAPS "tests/data/pcaps/"

struct run {
	struct store *s;
	uint64_t checked, with_addrs, with_cname;
	fs_time lo, hi;
	bool any;
};

static bool
rr_in(const struct dns_rr *rr)
{
	return (rr->rclass & 0x7fff) == 1 && rr->section == DNS_SEC_ANSWER && rr->name != NULL;
}

static int
cmp_addr(const void *a, const void *b)
{
	return fs_addr_cmp(a, b);
}

/* Naive: the names reachable from the qname over answer CNAMEs, to a fixed point. */
static size_t
naive_chain(const struct dns_msg *m, const char **names, size_t cap)
{
	size_t n = 1;
	bool grew = true;

	names[0] = m->qname;
	while (grew) {
		grew = false;
		for (uint32_t i = 0; i < m->n_rr; i++) {
			const struct dns_rr *rr = &m->rr[i];
			bool from = false, have = false;

			if (!rr_in(rr) || rr->type != DNS_TYPE_CNAME || rr->target == NULL || rr->target[0] == '\0')
				continue;
			for (size_t k = 0; k < n; k++) {
				from |= strcasecmp(names[k], rr->name) == 0;
				have |= strcasecmp(names[k], rr->target) == 0;
			}
			if (from && !have && n < cap) {
				names[n++] = rr->target;
				grew = true;
			}
		}
	}
	return n;
}

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct run *r = ctx;
	const char *chain[512];
	fs_addr want[512];
	size_t nc, nw = 0;
	uint32_t tmin = UINT32_MAX, tmax = 0;
	const struct store_domain *d;
	const struct store_response *resp;
	uint32_t n;
	const uint32_t *mem;

	store_add_msg(r->s, m);
	if (!r->any || m->ts < r->lo)
		r->lo = m->ts;
	if (!r->any || m->ts > r->hi)
		r->hi = m->ts;
	r->any = true;
	if (!m->qr || m->opcode != 0 || m->qname == NULL || m->qname[0] == '\0')
		return;

	nc = naive_chain(m, chain, 512);
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		bool reached = false;

		if (!rr_in(rr) || !((rr->type == DNS_TYPE_A && rr->addr.family == 4) ||
		    (rr->type == DNS_TYPE_AAAA && rr->addr.family == 6)))
			continue;
		for (size_t k = 0; k < nc; k++)
			reached |= strcasecmp(chain[k], rr->name) == 0;
		if (!reached || nw == 512)
			continue;
		want[nw++] = rr->addr;
		if (rr->ttl < tmin)
			tmin = rr->ttl;
		if (rr->ttl > tmax)
			tmax = rr->ttl;
	}
	qsort(want, nw, sizeof *want, cmp_addr);
	{
		size_t w = 0;
		for (size_t i = 0; i < nw; i++)
			if (w == 0 || fs_addr_cmp(&want[w - 1], &want[i]) != 0)
				want[w++] = want[i];
		nw = w;
	}

	d = store_domain(r->s, store_domain_find(r->s, m->qname));
	assert_non_null(d);
	assert_true(d->dflags & STORE_DOM_QNAME);
	resp = &d->resp[d->n_resp - 1];
	assert_int_equal(resp->ts, m->ts);
	assert_int_equal(resp->rcode, m->rcode);
	assert_int_equal(resp->qtype, m->qtype);
	assert_int_equal(resp->flags & STORE_RESP_VIA_CNAME, 0);
	assert_int_equal(!!(resp->flags & STORE_RESP_AA), m->aa);
	assert_int_equal(resp->resolver, store_addr_find(r->s, &m->src));
	assert_int_equal(resp->client, store_addr_find(r->s, &m->dst));
	mem = store_set_members(r->s, resp->aset, &n);
	assert_int_equal(n, nw);
	for (uint32_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < nw; k++)
			found |= fs_addr_cmp(&store_addr(r->s, mem[i])->addr, &want[k]) == 0;
		assert_true(found);
	}
	assert_int_equal(resp->ttl_min, nw ? tmin : 0);
	assert_int_equal(resp->ttl_max, nw ? tmax : 0);
	/* every chain name is listed in the domain's CNAMEs */
	for (size_t k = 1; k < nc; k++) {
		bool found = false;
		for (uint32_t i = 0; i < d->ext->n_cnames; i++)
			found |= strcasecmp(store_name_str(r->s, d->ext->cnames[i]), chain[k]) == 0;
		assert_true(found);
	}
	r->checked++;
	r->with_addrs += nw > 0;
	r->with_cname += nc > 1;
}

static bool
has_u32(const uint32_t *v, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void
check_sorted_set(const struct store *s, store_set_id id, uint32_t kind)
{
	uint32_t n;
	const uint32_t *m = store_set_members(s, id, &n);

	assert_true(n > 0);
	assert_int_equal(store_set_kind(s, id), kind);
	for (uint32_t i = 1; i < n; i++)
		assert_true(m[i - 1] < m[i]);
	for (uint32_t i = 0; i < n; i++) {
		if (kind == STORE_SET_ADDRS)
			assert_non_null(store_addr(s, m[i]));
		else
			assert_string_not_equal(store_name_str(s, m[i]), "");
	}
}

/* Every index agrees with its inverse; counts add up. */
static void
check_invariants(const struct store *s)
{
	struct store_stats st;
	size_t live = 0;

	store_get_stats(s, &st);
	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		uint32_t with_set = 0, rr_total = 0;

		if (d == NULL)
			continue;
		live++;
		assert_int_equal(store_domain_by_name(s, d->name), id);
		assert_int_equal(store_domain_find(s, store_name_str(s, d->name)), id);
		for (uint32_t i = 0; i < d->n_resp; i++) {
			if (d->resp[i].aset != 0) {
				with_set++;
				check_sorted_set(s, d->resp[i].aset, STORE_SET_ADDRS);
			}
			assert_true(d->resp[i].ts >= d->first_seen && d->resp[i].ts <= d->last_seen);
		}
		for (uint32_t i = 0; i < d->ext->n_rrsets; i++) {
			rr_total += d->ext->rrsets[i].count;
			check_sorted_set(s, d->ext->rrsets[i].set, STORE_SET_ADDRS);
			assert_true(d->ext->rrsets[i].ttl_min <= d->ext->rrsets[i].ttl_max);
			for (uint32_t j = 0; j < i; j++)
				assert_int_not_equal(d->ext->rrsets[j].set, d->ext->rrsets[i].set);
		}
		if (d->n_resp_expired == 0 && d->ext->n_rrsets_expired == 0)
			assert_int_equal(rr_total, with_set);
		for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
			const struct store_addr *a = store_addr(s, d->ext->addrs[i].addr);

			assert_non_null(a);
			assert_true(has_u32(a->domains, a->n_domains, id));
			assert_true(d->ext->addrs[i].first_seen <= d->ext->addrs[i].last_seen);
		}
		for (uint32_t i = 0; i < d->ext->n_ns; i++) {
			uint32_t n;
			const uint32_t *m = store_set_members(s, d->ext->ns[i].nsset, &n);

			check_sorted_set(s, d->ext->ns[i].nsset, STORE_SET_NAMES);
			for (uint32_t k = 0; k < n; k++) {
				const struct store_nsname *ns = store_nsname_by_name(s, m[k]);
				assert_non_null(ns);
				assert_true(has_u32(ns->domains, ns->n_domains, id));
			}
		}
	}
	assert_int_equal(live, st.domains);
	for (store_addr_id id = 1; id <= store_addr_count(s); id++) {
		const struct store_addr *a = store_addr(s, id);

		if (a == NULL)
			continue;
		assert_int_equal(store_addr_find(s, &a->addr), id);
		for (uint32_t i = 0; i < a->n_domains; i++) {
			const struct store_domain *d = store_domain(s, a->domains[i]);
			bool found = false;

			assert_non_null(d);
			for (uint32_t k = 0; k < d->ext->n_addrs; k++)
				found |= d->ext->addrs[k].addr == id;
			assert_true(found);
		}
		for (uint32_t i = 0; i < a->n_ns_names; i++) {
			const struct store_nsname *ns = store_nsname_by_name(s, a->ns_names[i]);
			bool found = false;

			assert_non_null(ns);
			for (uint32_t k = 0; k < ns->n_glue; k++)
				found |= ns->glue[k].addr == id;
			assert_true(found);
		}
	}
	for (store_ns_id id = 1; id <= store_nsname_count(s); id++) {
		const struct store_nsname *ns = store_nsname(s, id);

		if (ns == NULL)
			continue;
		assert_int_equal(store_nsname_find(s, ns->name), id);
		for (uint32_t i = 0; i < ns->n_glue; i++) {
			const struct store_addr *a = store_addr(s, ns->glue[i].addr);
			assert_non_null(a);
			assert_true(has_u32(a->ns_names, a->n_ns_names, ns->name));
		}
		for (uint32_t i = 0; i < ns->n_domains; i++) {
			const struct store_domain *d = store_domain(s, ns->domains[i]);
			bool found = false;

			assert_non_null(d);
			for (uint32_t k = 0; k < d->ext->n_ns; k++) {
				uint32_t n;
				const uint32_t *m = store_set_members(s, d->ext->ns[k].nsset, &n);
				found |= has_u32(m, n, ns->name);
			}
			assert_true(found);
		}
	}
}

static void
test_pcaps(void **state)
{
	DIR *dir = opendir(PCAPS);
	struct dirent *e;
	uint64_t files = 0, checked = 0, with_addrs = 0, with_cname = 0, ns_total = 0, glue = 0;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		char path[512];
		struct run r = { 0 };
		struct ingest *in;
		struct fs_err err;
		struct dec_stats ds;
		struct store_stats st;
		size_t len = strlen(e->d_name);

		if (!((len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0) ||
		    (len > 7 && strcmp(e->d_name + len - 7, ".pcapng") == 0)))
			continue;
		snprintf(path, sizeof path, PCAPS "%s", e->d_name);
		r.s = store_new(NULL);
		in = ingest_new(NULL, on_msg, &r);
		assert_int_equal(ingest_add_file(in, path, &err), FS_OK);
		(void)ingest_run(in, &err); /* truncated files still yield what they hold */
		ingest_dec_stats(in, &ds);
		store_get_stats(r.s, &st);
		assert_int_equal(st.messages, ds.dns_messages);
		assert_int_equal(st.responses, ds.dns_responses);
		assert_int_equal(st.queries, ds.dns_queries);
		check_invariants(r.s);
		ns_total += st.nsnames;
		glue += st.glue_records;
		if (r.any) {
			store_expire(r.s, r.lo + (r.hi - r.lo) / 2, 0);
			check_invariants(r.s);
		}
		ingest_free(in);
		store_free(r.s);
		files++;
		checked += r.checked;
		with_addrs += r.with_addrs;
		with_cname += r.with_cname;
	}
	closedir(dir);
	printf("store over %llu captures: %llu responses checked, %llu with addresses, %llu through CNAMEs, %llu NS names, %llu glue records\n",
	    (unsigned long long)files, (unsigned long long)checked, (unsigned long long)with_addrs,
	    (unsigned long long)with_cname, (unsigned long long)ns_total, (unsigned long long)glue);
	/* the set is known: make sure the walk really saw it */
	assert_true(files >= 38);
	assert_true(with_addrs >= 100);
	assert_true(with_cname >= 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
