/* Aging under a memory budget: trim timelines, drop idle domains, rebuild the reverse indexes,
 * then mark and sweep names, sets, addresses and NS names nothing refers to, compacting the
 * arenas. Runs under the write lock; O(size of the store). */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

struct marks {
	uint8_t *name, *set, *addr;
};

static void
mark_name(struct marks *mk, store_name_id id)
{
	mk->name[id] = 1;
}

static void
mark_addr(struct marks *mk, store_addr_id id)
{
	mk->addr[id] = 1;
}

/* A set and its members: addresses (answer sets) or names (NS sets). */
static void
mark_set(const struct store *s, struct marks *mk, store_set_id id)
{
	const struct set_ent *e;

	if (id == 0 || mk->set[id])
		return;
	mk->set[id] = 1;
	e = &s->sets[id];
	for (uint32_t i = 0; i < e->n; i++) {
		if (e->kind == STORE_SET_NAMES)
			mark_name(mk, e->m[i]);
		else
			mark_addr(mk, e->m[i]);
	}
}

static void
free_domain(struct store *s, store_dom_id id)
{
	struct store_domain *d = s->doms[id];

	s->st.expired_domains++;
	s->st.expired_responses += d->n_resp;
	s->st.expired_rrsets += d->ext->n_rrsets;
	s->st.expired_dom_addrs += d->ext->n_addrs;
	st_resp_free(s, d);
	struct dom_ext *x = DOM_X(d);
	if (x != NULL) {
		struct store_domain_ext *e = &x->e;
		st_vec_free(s, e->rrsets, x->cap_rrsets, sizeof *e->rrsets, &x->rrset);
		st_vec_free(s, e->addrs, x->cap_addrs, sizeof *e->addrs, &x->addr);
		st_vec_free(s, e->cnames, x->cap_cnames, sizeof *e->cnames, NULL);
		st_vec_free(s, e->clinks, x->cap_clinks, sizeof *e->clinks, NULL);
		st_vec_free(s, e->ns, x->cap_ns, sizeof *e->ns, NULL);
		st_vidx_free(s, &x->ix_addr);
		st_vidx_free(s, &x->ix_rrset);
		st_vidx_free(s, &x->ix_cname);
		if (x->answers)
			s->live_answered--;
		st_slab_free(s, &s->slab_dext, x);
		d->ext = &store_domain_ext_empty;
	}
	s->names[d->name].dom = 0;
	st_slab_free(s, &s->slab_dom, d);
	s->doms[id] = NULL;
	st_idfree_push(s, &s->dom_free, id);
	s->live_doms--;
}

/* Trim one domain's vectors to what was seen at or after `before`. */
static void
trim_domain_vecs(struct store *s, struct store_domain *d, fs_time before, bool summaries,
                 uint32_t keep)
{
	uint32_t w = 0, first_kept = d->n_resp > keep ? d->n_resp - keep : 0;

	/* keep: the newest responses stay whatever their age (pinned domains) */
	for (uint32_t i = 0; i < d->n_resp; i++)
		if (d->resp[i].ts >= before || i >= first_kept)
			d->resp[w++] = d->resp[i];
	d->n_resp_expired += d->n_resp - w;
	s->st.expired_responses += d->n_resp - w;
	d->n_resp = w;
	st_resp_shrink(s, d);
	struct dom_ext *x = DOM_X(d);
	if (!summaries || x == NULL)
		return;
	struct store_domain_ext *e = &x->e;

	w = 0;
	for (uint32_t i = 0; i < e->n_rrsets; i++)
		if (e->rrsets[i].last_seen >= before)
			e->rrsets[w++] = e->rrsets[i];
	e->n_rrsets_expired += e->n_rrsets - w;
	s->st.expired_rrsets += e->n_rrsets - w;
	e->n_rrsets = w;
	e->rrsets = st_vec_shrink(s, e->rrsets, e->n_rrsets, &x->cap_rrsets, sizeof *e->rrsets,
	    &x->rrset);

	w = 0;
	for (uint32_t i = 0; i < e->n_addrs; i++)
		if (e->addrs[i].last_seen >= before)
			e->addrs[w++] = e->addrs[i];
	e->n_addrs_expired += e->n_addrs - w;
	s->st.expired_dom_addrs += e->n_addrs - w;
	e->n_addrs = w;
	e->addrs = st_vec_shrink(s, e->addrs, e->n_addrs, &x->cap_addrs, sizeof *e->addrs,
	    &x->addr);

	/* NS observations: keep recent ones and the latest of every zone (the current delegation). */
	w = 0;
	for (uint32_t i = 0; i < e->n_ns; i++) {
		bool latest = true;

		for (uint32_t j = i + 1; j < e->n_ns && latest; j++)
			if (e->ns[j].zone == e->ns[i].zone)
				latest = false;
		if (latest || e->ns[i].ts >= before)
			e->ns[w++] = e->ns[i];
	}
	e->n_ns = w;
	e->ns = st_vec_shrink(s, e->ns, e->n_ns, &x->cap_ns, sizeof *e->ns, NULL);
}

/* The same; a domain that lost anything gets a new stamp (store_domain_stamp). */
static void
trim_domain(struct store *s, store_dom_id id, fs_time before, bool summaries, uint32_t keep)
{
	struct store_domain *d = s->doms[id];
	uint32_t n_resp = d->n_resp, n_rrsets = d->ext->n_rrsets, n_addrs = d->ext->n_addrs;
	uint32_t n_ns = d->ext->n_ns;

	trim_domain_vecs(s, d, before, summaries, keep);
	if (d->n_resp != n_resp || d->ext->n_rrsets != n_rrsets || d->ext->n_addrs != n_addrs ||
	    d->ext->n_ns != n_ns)
		st_dom_touch(s, id);
}

static void
compact_names(struct store *s)
{
	struct arena fresh = { 0 };

	for (uint32_t id = 1; id < s->n_names; id++) {
		struct name_ent *e = &s->names[id];
		char *p;

		if (e->str == NULL)
			continue;
		p = st_arena_alloc(&fresh, e->len + 1);
		memcpy(p, e->str, e->len + 1);
		e->str = p;
	}
	st_arena_free(&s->names_arena);
	s->names_arena = fresh;
}

static void
compact_sets(struct store *s)
{
	struct arena fresh = { 0 };

	for (uint32_t id = 1; id < s->n_sets; id++) {
		struct set_ent *e = &s->sets[id];
		uint32_t *p;

		if (e->m == NULL)
			continue;
		p = st_arena_alloc(&fresh, e->n * sizeof *p);
		memcpy(p, e->m, e->n * sizeof *p);
		e->m = p;
	}
	st_arena_free(&s->sets_arena);
	s->sets_arena = fresh;
}

static size_t
bytes_total(const struct store *s)
{
	return s->bytes + s->names_arena.bytes + s->sets_arena.bytes;
}

/* What detection reads for a domain besides its own record (detect.c, the NS layer), held
 * with it: the record its NS observations come from (its own, else the closest ancestor's with
 * NS data) and the record of the zone those observations name; for every NS name of those
 * sets, its glue (never trimmed) and its own record (its answers count as NS addresses too).
 * Without them a kept double-flux domain would turn single-flux once its nameservers'
 * addresses aged out, and the report would disagree with an export of the same data. */
static void
hold_evidence(const struct store *s, store_dom_id id, uint8_t *dom_held, uint8_t *ns_held)
{
	store_dom_id src = st_ns_source(s, id);
	const struct store_domain *zd;

	if (src == 0)
		return;
	dom_held[src] = 1;
	zd = s->doms[src];
	for (uint32_t i = 0; i < zd->ext->n_ns; i++) {
		uint32_t n;
		const uint32_t *m = store_set_members(s, zd->ext->ns[i].nsset, &n);
		store_dom_id z = s->names[zd->ext->ns[i].zone].dom;

		if (z != 0)
			dom_held[z] = 1;
		for (uint32_t j = 0; j < n; j++) {
			if (s->names[m[j]].ns != 0)
				ns_held[s->names[m[j]].ns] = 1;
			if (s->names[m[j]].dom != 0)
				dom_held[s->names[m[j]].dom] = 1;
		}
	}
}

/* Steps 0 and 1: the evidence of pinned and held domains marked (dom_held, ns_held); idle
 * unpinned domains dropped, the others trimmed. True when a domain was freed. */
static bool
expire_domains(struct store *s, fs_time before, unsigned flags, uint8_t *dom_held,
               uint8_t *ns_held)
{
	bool freed = false;

	/* 0. The evidence of pinned domains is kept as they are (hold_evidence); so is that of a
	 * domain held for one step of an ageing run (STORE_PIN_AGEING: a name with a history, or
	 * NS data, that may be flagged later), or it would be flagged without it. */
	for (store_dom_id id = 1; id < s->n_doms; id++) {
		const struct store_domain *d = s->doms[id];

		if (d != NULL && (d->user_flags != 0 || d->pins != 0))
			hold_evidence(s, id, dom_held, ns_held);
	}

	/* 1. Domains: drop the idle unpinned ones, trim the rest. */
	for (store_dom_id id = 1; id < s->n_doms; id++) {
		struct store_domain *d = s->doms[id];
		bool pinned;

		if (d == NULL)
			continue;
		pinned = d->user_flags != 0 || d->pins != 0 || dom_held[id];
		if (!pinned && d->last_seen < before) {
			free_domain(s, id);
			freed = true;
			continue;
		}
		if (!pinned || (flags & STORE_EXPIRE_TRIM_PINNED))
			trim_domain(s, id, before, !pinned,
			    pinned ? s->cfg.pinned_keep : 0);
	}

	return freed;
}

/* Step 2: the reverse indexes are rebuilt from what is left, so cleared; NS names' glue last
 * seen before the cut-off goes (unless held). */
static void
clear_reverse(struct store *s, fs_time before, const uint8_t *ns_held)
{
	for (store_addr_id a = 1; a < s->n_addrs; a++) {
		if (s->addrs[a] != NULL) {
			s->addrs[a]->n_domains = 0;
			s->addrs[a]->n_ns_names = 0;
			st_addr_ix_free(s, s->addrs[a]);
		}
	}
	for (store_ns_id n = 1; n < s->n_nsn; n++) {
		struct store_nsname *r = s->nsn[n];
		uint32_t w = 0;

		if (r == NULL)
			continue;
		r->n_domains = 0;
		st_vidx_free(s, &NSN_BLK(r)->ix_dom);
		if (ns_held[n])
			continue;
		for (uint32_t i = 0; i < r->n_glue; i++)
			if (r->glue[i].last_seen >= before)
				r->glue[w++] = r->glue[i];
		r->n_glue = w;
		r->glue = st_vec_shrink(s, r->glue, r->n_glue, &r->cap_glue, sizeof *r->glue, NULL);
	}

}

/* Step 3: address → domains and NS name → domains from the live domains; their vectors'
 * indexes again. */
static void
relink_domains(struct store *s)
{
	for (store_dom_id id = 1; id < s->n_doms; id++) {
		struct store_domain *d = s->doms[id];

		if (d == NULL)
			continue;
		for (uint32_t i = 0; i < d->ext->n_addrs; i++)
			st_addr_link_domain(s, d->ext->addrs[i].addr, id);
		for (uint32_t i = 0; i < d->ext->n_ns; i++) {
			uint32_t n;
			const uint32_t *m = store_set_members(s, d->ext->ns[i].nsset, &n);

			for (uint32_t j = 0; j < n; j++)
				if (s->names[m[j]].ns != 0)
					st_nsname_link(s, s->names[m[j]].ns, 0, id);
		}
		if (DOM_X(d) != NULL) {
			struct dom_ext *x = DOM_X(d);
			const struct store_domain_ext *e = &x->e;
			st_vec_reindex(s, &x->ix_addr, e->addrs, e->n_addrs, sizeof *e->addrs);
			st_vec_reindex(s, &x->ix_rrset, e->rrsets, e->n_rrsets, sizeof *e->rrsets);
			st_vec_reindex(s, &x->ix_cname, e->cnames, e->n_cnames, sizeof *e->cnames);
			/* set ids of expired RRsets are freed below and may come back for other sets */
			x->last_n = 0;
			x->rrset_hint = 0;
		}
	}

}

/* Step 4: NS names no live NS set names any more go; the rest index their glue again. True
 * when one was freed. */
static bool
expire_nsnames(struct store *s)
{
	bool freed = false;

	for (store_ns_id n = 1; n < s->n_nsn; n++) {
		struct store_nsname *r = s->nsn[n];

		if (r == NULL)
			continue;
		if (r->n_domains == 0) {
			st_vec_free(s, r->glue, r->cap_glue, sizeof *r->glue, NULL);
			st_vec_free(s, r->zones, r->cap_zones, sizeof *r->zones, NULL);
			st_vec_free(s, r->domains, r->cap_domains, sizeof *r->domains, NULL);
			st_vidx_free(s, &NSN_BLK(r)->ix_glue);
			st_vidx_free(s, &NSN_BLK(r)->ix_zone);
			st_vidx_free(s, &NSN_BLK(r)->ix_dom);
			s->names[r->name].ns = 0;
			st_slab_free(s, &s->slab_nsn, r);
			s->nsn[n] = NULL;
			st_idfree_push(s, &s->nsn_free, n);
			s->live_nsn--;
			s->st.expired_nsnames++;
			freed = true;
			continue;
		}
		r->domains = st_vec_shrink(s, r->domains, r->n_domains, &r->cap_domains,
		    sizeof *r->domains, NULL);
		for (uint32_t i = 0; i < r->n_glue; i++) {
			struct store_addr *ar = s->addrs[r->glue[i].addr];
			st_idvec_add(s, st_addr_ix(s, ar, true, ar->n_ns_names), &ar->ns_names, &ar->n_ns_names,
			    &ar->cap_ns_names, r->name, NULL);
		}
		st_vec_reindex(s, &NSN_BLK(r)->ix_glue, r->glue, r->n_glue, sizeof *r->glue);
		st_vec_reindex(s, &NSN_BLK(r)->ix_zone, r->zones, r->n_zones, sizeof *r->zones);
	}

	return freed;
}

/* Step 5: mark what live records refer to (names, sets, addresses). */
static void
mark_live(struct store *s, struct marks *mkp)
{
	struct marks mk = *mkp;

	for (store_dom_id id = 1; id < s->n_doms; id++) {
		const struct store_domain *d = s->doms[id];

		if (d == NULL)
			continue;
		mark_name(&mk, d->name);
		for (uint32_t i = 0; i < d->ext->n_cnames; i++)
			mark_name(&mk, d->ext->cnames[i]);
		for (uint32_t i = 0; i < d->ext->n_clinks; i++) {
			mark_name(&mk, d->ext->clinks[i].from);
			mark_name(&mk, d->ext->clinks[i].to);
		}
		for (uint32_t i = 0; i < d->n_resp; i++) {
			const struct store_response *r = &d->resp[i];

			mark_name(&mk, r->cname);
			mark_addr(&mk, r->resolver);
			mark_addr(&mk, r->client);
			mark_set(s, &mk, r->aset);
		}
		for (uint32_t i = 0; i < d->ext->n_rrsets; i++)
			mark_set(s, &mk, d->ext->rrsets[i].set);
		for (uint32_t i = 0; i < d->ext->n_addrs; i++)
			mark_addr(&mk, d->ext->addrs[i].addr);
		for (uint32_t i = 0; i < d->ext->n_ns; i++) {
			mark_name(&mk, d->ext->ns[i].zone);
			mark_set(s, &mk, d->ext->ns[i].nsset);
		}
	}
	for (store_ns_id n = 1; n < s->n_nsn; n++) {
		const struct store_nsname *r = s->nsn[n];

		if (r == NULL)
			continue;
		mark_name(&mk, r->name);
		for (uint32_t i = 0; i < r->n_zones; i++)
			mark_name(&mk, r->zones[i]);
		for (uint32_t i = 0; i < r->n_glue; i++)
			mark_addr(&mk, r->glue[i].addr);
	}

}

/* Step 6: free the names, sets and addresses nothing refers to. True when one was freed. */
static bool
sweep(struct store *s, const struct marks *mkp)
{
	const struct marks mk = *mkp;
	bool freed = false;

	for (store_name_id id = 1; id < s->n_names; id++) {
		struct name_ent *e = &s->names[id];

		if (e->str == NULL || mk.name[id])
			continue;
		e->str = NULL;
		e->len = 0;
		e->dom = e->ns = 0;
		st_idfree_push(s, &s->name_free, id);
		s->live_names--;
		s->st.expired_names++;
		freed = true;
	}
	for (store_set_id id = 1; id < s->n_sets; id++) {
		struct set_ent *e = &s->sets[id];

		if (e->m == NULL || mk.set[id])
			continue;
		e->m = NULL;
		e->n = 0;
		st_idfree_push(s, &s->set_free, id);
		s->live_sets--;
		s->st.expired_sets++;
		freed = true;
	}
	for (store_addr_id id = 1; id < s->n_addrs; id++) {
		struct store_addr *r = s->addrs[id];

		if (r == NULL)
			continue;
		if (mk.addr[id]) {
			r->domains = st_vec_shrink(s, r->domains, r->n_domains, &r->cap_domains,
			    sizeof *r->domains, ADDR_INL_DOM(r));
			r->ns_names = st_vec_shrink(s, r->ns_names, r->n_ns_names, &r->cap_ns_names,
			    sizeof *r->ns_names, NULL);
			continue;
		}
		st_vec_free(s, r->domains, r->cap_domains, sizeof *r->domains, ADDR_INL_DOM(r));
		st_vec_free(s, r->ns_names, r->cap_ns_names, sizeof *r->ns_names, NULL);
		st_addr_ix_free(s, r);
		st_slab_free(s, &s->slab_addr, r);
		s->addrs[id] = NULL;
		st_idfree_push(s, &s->addr_free, id);
		s->live_addrs--;
		s->st.expired_addrs++;
		freed = true;
	}
	return freed;
}

size_t
store_expire(struct store *s, fs_time before, unsigned flags)
{
	size_t b0 = bytes_total(s), b1;
	bool freed = false;
	struct marks mk;
	uint8_t *dom_held = xcalloc(s->n_doms, 1), *ns_held = xcalloc(s->n_nsn, 1);

	s->st.expire_runs++;
	s->host_id[0] = s->host_id[1] = 0;
	freed |= expire_domains(s, before, flags, dom_held, ns_held);
	clear_reverse(s, before, ns_held);
	relink_domains(s);
	freed |= expire_nsnames(s);
	mk.name = xcalloc(s->n_names, 1);
	mk.set = xcalloc(s->n_sets, 1);
	mk.addr = xcalloc(s->n_addrs, 1);
	mark_live(s, &mk);
	freed |= sweep(s, &mk);
	free(mk.name);
	free(mk.set);
	free(mk.addr);
	free(dom_held);
	free(ns_held);
	compact_names(s);
	compact_sets(s);
	st_rebuild_name_tab(s);
	st_rebuild_set_tab(s);
	st_rebuild_addr_tab(s);

	/* Compaction moved every name and set even when nothing was freed: borrowed strings from
	 * before are invalid either way (issue 7: detection results hold such strings). */
	(void)freed;
	atomic_store_explicit(&s->epoch, atomic_load_explicit(&s->epoch, memory_order_relaxed) + 1,
	    memory_order_release);
	st_bump(s);
	b1 = bytes_total(s);
	return b0 > b1 ? b0 - b1 : 0;
}

fs_time
store_expire_to_budget(struct store *s, size_t budget, unsigned flags)
{
	fs_time lo = 0, hi = 0, cut = 0;
	bool any = false;

	if (budget == 0)
		budget = s->cfg.max_memory;
	if (budget == 0 || bytes_total(s) <= budget)
		return 0;
	for (store_dom_id id = 1; id < s->n_doms; id++) {
		const struct store_domain *d = s->doms[id];

		if (d == NULL)
			continue;
		if (!any || d->first_seen < lo)
			lo = d->first_seen;
		if (!any || d->last_seen > hi)
			hi = d->last_seen;
		any = true;
	}
	if (!any)
		return 0;
	/* Move the cut-off forward a tenth of the range at a time, oldest data first. */
	for (int step = 1; step <= 9; step++) {
		cut = lo + (hi - lo) / 10 * step;
		if (cut <= lo)
			cut = lo + 1;
		store_expire(s, cut, flags);
		if (bytes_total(s) <= budget)
			break;
	}
	return cut;
}
