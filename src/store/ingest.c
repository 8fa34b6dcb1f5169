/* store_add_msg(): one decoded DNS message becomes observations.
 *
 * The records of a message are first indexed by owner name in a per-message scratch table
 * (reused, so nothing is allocated once warm); the CNAME chain is then a breadth-first walk
 * from the qname over that table, linear in the number of records whatever their order, and a
 * visited mark stops loops. Names are interned in the store only when they are kept. */
#include "store/store_int.h"

#include <string.h>

#define CLASS_IN 1
#define QTYPE_ANY 255

static bool
rr_class_in(const struct dns_rr *rr)
{
	/* mDNS sets the top bit of the class (cache flush / unicast response) */
	return (rr->rclass & 0x7fff) == CLASS_IN;
}

/* Slot of a name in the message table, added if new; 0 for names too long to be DNS names. */
static uint32_t
slot_get(struct scratch *sc, const char *str)
{
	uint32_t pc = (uint32_t)((uintptr_t)str >> 3) & 31;
	size_t len;
	uint32_t h, i, id;

	if (sc->pcache[pc].p == str)
		return sc->pcache[pc].slot;
	len = strlen(str);
	if (len == 0 || len > STORE_NAME_MAX)
		return 0;
	h = st_hash_name(str, (uint32_t)len);
	for (i = h & sc->tab_mask; (id = sc->tab[i]) != 0; i = (i + 1) & sc->tab_mask) {
		const struct mslot *m = &sc->slot[id];

		if (m->hash == h && m->len == len && st_name_eq(m->str, str, (uint32_t)len))
			goto found;
	}
	id = sc->n_slot++;
	sc->slot[id] = (struct mslot){ .str = str, .hash = h, .len = (uint32_t)len };
	sc->tab[i] = id;
found:
	sc->pcache[pc].p = str;
	sc->pcache[pc].slot = id;
	return id;
}

static store_name_id
slot_name(struct store *s, uint32_t slot)
{
	struct mslot *m = &s->sc.slot[slot];

	if (m->id == 0)
		m->id = st_name_intern_h(s, m->str, m->len, m->hash);
	return m->id;
}

static store_addr_id
host_intern(struct store *s, int which, const fs_addr *a)
{
	store_addr_id id;

	if (s->host_id[which] != 0 && s->host_addr[which].family == a->family &&
	    memcmp(s->host_addr[which].bytes, a->bytes, a->family == 4 ? 4 : 16) == 0)
		return s->host_id[which];
	id = store_addr_intern(s, a);
	s->host_addr[which] = *a;
	s->host_id[which] = id;
	return id;
}

/* Depth order of zones that all enclose one name: longer is deeper, the root shallowest. */
static uint32_t
zone_rank(const struct mslot *z)
{
	return (z->len == 1 && z->str[0] == '.') ? 0 : z->len;
}

static void
scratch_prepare(struct scratch *sc, uint32_t n_rr)
{
	uint32_t max_slots = 2 * n_rr + 2, tab = 16;

	sc->slot = st_scratch_grow(sc->slot, &sc->cap_slot, sizeof *sc->slot, max_slots);
	sc->rec = st_scratch_grow(sc->rec, &sc->cap_rec, sizeof *sc->rec, n_rr + 1);
	sc->queue = st_scratch_grow(sc->queue, &sc->cap_queue, sizeof *sc->queue, max_slots);
	sc->addr = st_scratch_grow(sc->addr, &sc->cap_addr, sizeof *sc->addr, n_rr + 1);
	sc->ids = st_scratch_grow(sc->ids, &sc->cap_ids, sizeof *sc->ids, n_rr + 1);
	while (tab < max_slots * 2)
		tab *= 2;
	sc->tab = st_scratch_grow(sc->tab, &sc->cap_tab, sizeof *sc->tab, tab);
	/* clear only the part this message uses: one huge message must not slow the rest */
	memset(sc->tab, 0, tab * sizeof *sc->tab);
	memset(sc->pcache, 0, sizeof sc->pcache);
	sc->tab_mask = tab - 1;
	sc->n_slot = 1;
	sc->n_rec = 1;
	sc->n_addr = 0;
}

static void
addr_seen(struct store *s, store_addr_id a, fs_time ts)
{
	struct store_addr *r = s->addrs[a];

	r->count++;
	if (r->first_seen == 0 || ts < r->first_seen)
		r->first_seen = ts;
	if (ts > r->last_seen)
		r->last_seen = ts;
}

/* The answer set of the addresses owned by `owner` (0 = all reached addresses): sorted
 * distinct ids in sc->ids, with TTL range. Returns the count. */
static uint32_t
collect_set(struct scratch *sc, uint32_t owner, uint32_t *tmin, uint32_t *tmax)
{
	uint32_t n = 0;

	*tmin = UINT32_MAX;
	*tmax = 0;
	for (uint32_t i = 0; i < sc->n_addr; i++) {
		const struct maddr *a = &sc->addr[i];

		if (owner != 0 && a->owner != owner)
			continue;
		sc->ids[n++] = a->id;
		if (a->ttl < *tmin)
			*tmin = a->ttl;
		if (a->ttl > *tmax)
			*tmax = a->ttl;
	}
	if (n == 0)
		*tmin = 0;
	return st_sort_unique(sc->ids, n);
}

/* Highest TTL of address `a` among the records owned by `owner` (0 = any). */
static uint32_t
addr_ttl(const struct scratch *sc, uint32_t owner, store_addr_id a)
{
	uint32_t ttl = 0;

	for (uint32_t i = 0; i < sc->n_addr; i++)
		if (sc->addr[i].id == a && (owner == 0 || sc->addr[i].owner == owner) &&
		    sc->addr[i].ttl > ttl)
			ttl = sc->addr[i].ttl;
	return ttl;
}

/* Record one answer set on a domain: timeline entry, RRset span, per-domain addresses and the
 * address → domain index. */
static void
note_answer(struct store *s, const struct dns_msg *m, store_dom_id did, uint32_t owner,
            struct store_response *r)
{
	struct scratch *sc = &s->sc;
	struct store_domain *d;
	struct dom_ext *b = NULL;
	uint32_t tmin, tmax, n;

	n = collect_set(sc, owner, &tmin, &tmax);
	if (n != 0)
		b = st_dom_ext(s, s->doms[did]);
	for (uint32_t i = 0; b != NULL && b->ix_addr != NULL && i < n; i++)
		st_vidx_prefetch(b->ix_addr, sc->ids[i]);
	if (n != 0 && n == b->last_n && memcmp(b->last_m, sc->ids, n * sizeof *sc->ids) == 0) {
		r->aset = b->last_set;
	} else {
		r->aset = st_set_intern_sorted(s, STORE_SET_ADDRS, sc->ids, n);
		if (n != 0 && n <= DOM_LAST_SET_MAX) {
			memcpy(b->last_m, sc->ids, n * sizeof *sc->ids);
			b->last_n = n;
			b->last_set = r->aset;
		}
	}
	r->ttl_min = tmin;
	r->ttl_max = tmax;
	d = s->doms[did];
	st_resp_reserve(s, d);
	d->resp[d->n_resp++] = *r;
	if (n == 0)
		return;
	st_rrset_note(s, did, r->aset, m->ts, tmin, tmax, m->src_index);
	if (!(d->dflags & STORE_DOM_TTL)) {
		d->dflags |= STORE_DOM_TTL;
		b->e.ttl_min_seen = tmin;
		b->e.ttl_max_seen = tmax;
	} else {
		if (tmin < b->e.ttl_min_seen)
			b->e.ttl_min_seen = tmin;
		if (tmax > b->e.ttl_max_seen)
			b->e.ttl_max_seen = tmax;
	}
	for (uint32_t i = 0; i < n; i++) {
		store_addr_id a = sc->ids[i];

		/* the reverse link exists whenever the pair did (expire rebuilds both) */
		if (st_dom_addr_note(s, &b->ix_addr, &b->e.addrs, &b->e.n_addrs, &b->cap_addrs, a,
		    m->ts, addr_ttl(sc, owner, a), &b->addr))
			st_addr_link_domain(s, a, did);
	}
}

/* NS RRsets of the answer and authority sections, grouped by owner (the zone). */
static void
note_ns(struct store *s, const struct dns_msg *m, uint32_t q, uint32_t nq, store_dom_id qdom)
{
	struct scratch *sc = &s->sc;
	uint32_t best = 0, best_rank = 0, best_ttl = 0;
	store_set_id best_set = 0;

	for (uint32_t z = 1; z < sc->n_slot; z++) {
		struct mslot *zs = &sc->slot[z];
		uint32_t n = 0, ttl = 0, rank;
		bool relevant;
		store_name_id zid;
		store_dom_id zdom;
		store_set_id set;

		for (uint32_t r = zs->head; r != 0; r = sc->rec[r].next) {
			const struct dns_rr *rr = sc->rec[r].rr;

			if (rr->type == DNS_TYPE_NS && rr->section != DNS_SEC_ADDITIONAL)
				n++;
		}
		if (n == 0)
			continue;
		/* An NS RRset is about this answer only if its owner encloses the qname or a name of
		 * its CNAME chain; others (out of bailiwick) are counted and left out. */
		relevant = st_name_encloses(zs->str, zs->len, sc->slot[q].str, sc->slot[q].len);
		for (uint32_t i = 1; !relevant && i < nq; i++) {
			const struct mslot *c = &sc->slot[sc->queue[i]];
			relevant = st_name_encloses(zs->str, zs->len, c->str, c->len);
		}
		if (!relevant) {
			s->st.ns_out_of_zone += n;
			continue;
		}
		zid = slot_name(s, z);
		zdom = st_domain_get(s, zid, m->ts);
		s->doms[zdom]->dflags |= STORE_DOM_ZONE;
		n = 0;
		for (uint32_t r = sc->slot[z].head; r != 0; r = sc->rec[r].next) {
			const struct mrec *rec = &sc->rec[r];
			store_ns_id ns;

			if (rec->rr->type != DNS_TYPE_NS || rec->rr->section == DNS_SEC_ADDITIONAL)
				continue;
			sc->ids[n++] = slot_name(s, rec->target);
			sc->slot[rec->target].ns_target = 1;
			if (rec->rr->ttl > ttl)
				ttl = rec->rr->ttl;
			ns = st_nsname_get(s, sc->slot[rec->target].id, m->ts);
			s->nsn[ns]->count++;
		}
		n = st_sort_unique(sc->ids, n);
		set = st_set_intern_sorted(s, STORE_SET_NAMES, sc->ids, n);
		/* NS name → zone and domain links exist whenever the observation did */
		if (st_ns_obs_note(s, zdom, zid, set, m->ts, ttl))
			for (uint32_t i = 0; i < n; i++)
				st_nsname_link(s, s->names[sc->ids[i]].ns, zid, zdom);
		rank = zone_rank(&sc->slot[z]);
		if ((best == 0 || rank > best_rank) &&
		    st_name_encloses(sc->slot[z].str, sc->slot[z].len, sc->slot[q].str, sc->slot[q].len)) {
			best = z;
			best_rank = rank;
			best_set = set;
			best_ttl = ttl;
		}
	}
	if (best != 0 && sc->slot[best].id != s->doms[qdom]->name) {
		/* The qname's own view: the closest enclosing zone of this message. */
		uint32_t n;
		const uint32_t *mem = store_set_members(s, best_set, &n);

		if (st_ns_obs_note(s, qdom, sc->slot[best].id, best_set, m->ts, best_ttl))
			for (uint32_t i = 0; i < n; i++)
				st_nsname_link(s, s->names[mem[i]].ns, 0, qdom);
	}
}

/* A/AAAA records (answer or additional) owned by an NS name are its glue. */
static void
note_glue(struct store *s, const struct dns_msg *m)
{
	struct scratch *sc = &s->sc;

	for (uint32_t r = 1; r < sc->n_rec; r++) {
		const struct mrec *rec = &sc->rec[r];
		const struct dns_rr *rr = rec->rr;
		struct mslot *o = &sc->slot[rec->owner];
		store_ns_id ns = 0;
		store_addr_id a;

		if ((rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA) ||
		    (rr->section != DNS_SEC_ANSWER && rr->section != DNS_SEC_ADDITIONAL))
			continue;
		if (o->ns_target) {
			ns = s->names[o->id].ns;
		} else {
			store_name_id nid = o->id ? o->id : st_name_find_h(s, o->str, o->len, o->hash);
			if (nid != 0)
				ns = s->names[nid].ns;
		}
		if (ns == 0)
			continue;
		a = store_addr_intern(s, &rr->addr);
		if (a == 0)
			continue;
		st_glue_note(s, ns, a, m->ts, rr->ttl);
		if (rr->section == DNS_SEC_ADDITIONAL && o->ns_target)
			s->st.glue_records++;
	}
}

/* CNAME links of one message, as scratch slots (from → to). */
#define LINKS_PER_MSG 32
struct link_slot {
	uint32_t from, to;
};

static void
note_clink(struct store *s, store_dom_id did, store_name_id from, store_name_id to, fs_time ts)
{
	struct dom_ext *x = st_dom_more(s, s->doms[did]);
	struct store_domain_ext *e = &x->e;
	struct store_cname_link *l;

	for (uint32_t i = 0; i < e->n_clinks; i++) {
		l = &e->clinks[i];
		if (l->from == from && l->to == to) {
			l->count++;
			if (ts < l->first_seen)
				l->first_seen = ts;
			if (ts > l->last_seen)
				l->last_seen = ts;
			return;
		}
	}
	if (e->n_clinks >= STORE_CLINKS_MAX) {
		e->n_clinks_over++;
		return;
	}
	if (e->n_clinks >= x->cap_clinks)
		e->clinks = st_vec_grow(s, e->clinks, &x->cap_clinks, sizeof *e->clinks, 2, NULL);
	e->clinks[e->n_clinks++] = (struct store_cname_link){ from, to, 1, ts, ts };
}

/* What one message's records say, gathered before anything is stored (store_add_msg). */
struct msg_walk {
	uint32_t q;                 /* the qname's slot */
	uint32_t nq;                /* names of the CNAME chain in sc->queue (the qname first) */
	uint32_t n_answer;          /* answer-section records */
	uint32_t first_cname;       /* slot of the qname's first CNAME target, 0 = none */
	uint32_t n_links;
	bool auth_ns;               /* NS records in the authority section */
	bool qtype_hit;             /* an answer record of the query type */
	struct link_slot links[LINKS_PER_MSG];
};

/* The message counters; false when the message adds no observation (a query, another
 * opcode, no question). */
static bool
count_msg(struct store *s, const struct dns_msg *m)
{
	s->st.messages++;
	st_bump(s);
	if (!m->qr) {
		s->st.queries++;
		return false;
	}
	s->st.responses++;
	s->st.records += m->n_rr;
	if (m->malformed)
		s->st.partial++;
	if (m->opcode != 0) {
		s->st.other_opcode++;
		return false;
	}
	if (m->aa)
		s->st.aa_responses++;
	return true;
}

/* Index the records that matter by owner, keeping wire order within each owner. */
static void
index_records(struct scratch *sc, const struct dns_msg *m, struct msg_walk *w)
{
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		uint32_t owner, target = 0;
		struct mrec *rec;

		if (rr->section == DNS_SEC_ANSWER)
			w->n_answer++;
		if (rr->section == DNS_SEC_QUESTION || !rr_class_in(rr) || rr->name == NULL)
			continue;
		switch (rr->type) {
		case DNS_TYPE_A:
			if (rr->addr.family != 4)
				continue;
			break;
		case DNS_TYPE_AAAA:
			if (rr->addr.family != 6)
				continue;
			break;
		case DNS_TYPE_CNAME:
		case DNS_TYPE_NS:
			if (rr->target == NULL || rr->section == DNS_SEC_ADDITIONAL)
				continue;
			if (rr->type == DNS_TYPE_NS && rr->section == DNS_SEC_AUTHORITY)
				w->auth_ns = true;
			break;
		default:
			if (rr->section == DNS_SEC_ANSWER && (rr->type == m->qtype || m->qtype == QTYPE_ANY))
				w->qtype_hit = true; /* approximation: owner not checked for other types */
			continue;
		}
		if ((owner = slot_get(sc, rr->name)) == 0)
			continue;
		if (rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_NS) {
			if ((target = slot_get(sc, rr->target)) == 0)
				continue;
		}
		rec = &sc->rec[sc->n_rec];
		*rec = (struct mrec){ .rr = rr, .owner = owner, .target = target };
		if (sc->slot[owner].tail != 0)
			sc->rec[sc->slot[owner].tail].next = sc->n_rec;
		else
			sc->slot[owner].head = sc->n_rec;
		sc->slot[owner].tail = sc->n_rec;
		sc->n_rec++;
	}
}

/* The CNAME chain: breadth-first from the qname, each name once; the addresses it reaches go
 * to sc->addr, its links to w->links. */
static void
walk_chain(struct store *s, const struct dns_msg *m, struct msg_walk *w)
{
	struct scratch *sc = &s->sc;

	sc->queue[0] = w->q;
	sc->slot[w->q].visited = 1;
	w->nq = 1;
	for (uint32_t qi = 0; qi < w->nq; qi++) {
		uint32_t cur = sc->queue[qi];

		for (uint32_t ri = sc->slot[cur].head; ri != 0; ri = sc->rec[ri].next) {
			const struct mrec *rec = &sc->rec[ri];
			const struct dns_rr *rr = rec->rr;

			if (rr->section != DNS_SEC_ANSWER)
				continue;
			if (rr->type == m->qtype || m->qtype == QTYPE_ANY)
				w->qtype_hit = true;
			if (rr->type == DNS_TYPE_CNAME) {
				if (qi == 0 && w->first_cname == 0)
					w->first_cname = rec->target;
				if (w->n_links < LINKS_PER_MSG)
					w->links[w->n_links++] = (struct link_slot){ cur, rec->target };
				if (sc->slot[rec->target].visited) {
					s->st.cname_loops++;
				} else {
					sc->slot[rec->target].visited = 1;
					sc->queue[w->nq++] = rec->target;
				}
			} else if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA) {
				sc->addr[sc->n_addr++] = (struct maddr){ .addr = &rr->addr, .ttl = rr->ttl,
				    .owner = cur };
				sc->slot[cur].addr_owner = 1;
			}
		}
	}
}

/* Intern the reached addresses in passes so their cache misses overlap. */
static void
intern_addrs(struct store *s, fs_time ts)
{
	struct scratch *sc = &s->sc;

	for (uint32_t i = 0; i < sc->n_addr; i++)
		st_addr_prefetch(s, sc->addr[i].addr);
	for (uint32_t i = 0; i < sc->n_addr; i++) {
		sc->addr[i].id = store_addr_intern(s, sc->addr[i].addr);
		__builtin_prefetch(&s->addrs[sc->addr[i].id]);
	}
	/* the record pointers are loaded only once all are on their way */
	for (uint32_t i = 0; i < sc->n_addr; i++)
		__builtin_prefetch(s->addrs[sc->addr[i].id]);
	for (uint32_t i = 0; i < sc->n_addr; i++)
		addr_seen(s, sc->addr[i].id, ts);
}

/* The qname's domain record and its timeline entry (r receives it, for the chain's names). */
static store_dom_id
note_qname(struct store *s, const struct dns_msg *m, const struct msg_walk *w,
           struct store_response *r)
{
	bool referral = w->n_answer == 0 && w->auth_ns && !m->aa;
	store_dom_id did = st_domain_get(s, slot_name(s, w->q), m->ts);
	struct store_domain *d = s->doms[did];

	d->dflags |= STORE_DOM_QNAME;
	d->n_responses++;
	*r = (struct store_response){
		.ts = m->ts,
		.resolver = host_intern(s, 0, &m->src),
		.client = host_intern(s, 1, &m->dst),
		.cname = w->first_cname ? slot_name(s, w->first_cname) : 0,
		.rcode = m->rcode,
		.qtype = m->qtype,
		.src_index = (uint8_t)(m->src_index < 0 ? 0 : m->src_index > 255 ? 255 : m->src_index),
		.flags = (uint8_t)((m->aa ? STORE_RESP_AA : 0) | (m->tc ? STORE_RESP_TC : 0) |
		    (m->transport == 6 ? STORE_RESP_TCP : 0) | (referral ? STORE_RESP_REFERRAL : 0)),
		.vantage = m->vantage != NULL ? st_vantage_intern(s, m->vantage, m->view) : 0,
		.frame = m->frame,
	};
	if (m->view == DEC_VIEW_CLIENT)
		s->st.view_client++;
	else if (m->view == DEC_VIEW_UPSTREAM)
		s->st.view_upstream++;
	d = s->doms[did];
	if (referral)
		s->st.referrals++;
	if (m->rcode == 3) {
		d->n_nxdomain++;
		s->st.nxdomain++;
	} else if (m->rcode == 0 && !w->qtype_hit && !referral) {
		d->n_noerror_nodata++;
		s->st.nodata++;
		r->flags |= STORE_RESP_NODATA;
	}
	note_answer(s, m, did, 0, r);
	return did;
}

/* The chain's names: the qname's CNAME links and targets, and a record (with its own
 * timeline entry) for each target that owns addresses. */
static void
note_chain(struct store *s, const struct dns_msg *m, const struct msg_walk *w, store_dom_id did,
           const struct store_response *r)
{
	struct scratch *sc = &s->sc;

	/* The CNAME links of the answer (the tree of alternative chains). */
	for (uint32_t i = 0; i < w->n_links; i++)
		note_clink(s, did, slot_name(s, w->links[i].from), slot_name(s, w->links[i].to), m->ts);

	/* CNAME targets in chain order; those owning addresses get their own record. */
	for (uint32_t i = 1; i < w->nq; i++) {
		uint32_t t = sc->queue[i];
		store_name_id tn = slot_name(s, t);

		struct dom_ext *x = st_dom_ext(s, s->doms[did]);
		st_idvec_add(s, &x->ix_cname, &x->e.cnames, &x->e.n_cnames, &x->cap_cnames, tn, NULL);
	}
	for (uint32_t i = 1; i < w->nq; i++) {
		uint32_t t = sc->queue[i], next = 0;
		store_dom_id tid;
		struct store_response tr = *r;

		if (!sc->slot[t].addr_owner)
			continue;
		tid = st_domain_get(s, sc->slot[t].id, m->ts);
		if (tid == did)
			continue;
		s->doms[tid]->dflags |= STORE_DOM_CNAME_TARGET;
		s->doms[tid]->n_via_cname++;
		for (uint32_t ri = sc->slot[t].head; ri != 0 && next == 0; ri = sc->rec[ri].next)
			if (sc->rec[ri].rr->type == DNS_TYPE_CNAME && sc->rec[ri].rr->section == DNS_SEC_ANSWER)
				next = sc->rec[ri].target;
		tr.cname = next ? slot_name(s, next) : 0;
		tr.flags = (uint8_t)((r->flags & ~(STORE_RESP_NODATA | STORE_RESP_REFERRAL)) |
		    STORE_RESP_VIA_CNAME);
		note_answer(s, m, tid, t, &tr);
	}
}

void
store_add_msg(struct store *s, const struct dns_msg *m)
{
	struct scratch *sc = &s->sc;
	struct msg_walk w;
	struct store_response r;
	store_dom_id did;

	if (!count_msg(s, m))
		return;
	scratch_prepare(sc, m->n_rr);
	if (m->qname == NULL || (w.q = slot_get(sc, m->qname)) == 0) {
		s->st.no_question++;
		return;
	}
	w.nq = w.n_answer = w.first_cname = w.n_links = 0;
	w.auth_ns = w.qtype_hit = false;
	index_records(sc, m, &w);
	walk_chain(s, m, &w);
	intern_addrs(s, m->ts);
	did = note_qname(s, m, &w, &r);
	note_chain(s, m, &w, did, &r);
	note_ns(s, m, w.q, w.nq, did);
	note_glue(s, m);
}
