/* The data of the domain-detail tabs (model.h): related domains and the cluster, the timeline
 * with identical rows collapsed, the tree of CNAME chains. Formatting is the front end's. */
#include "fluxscope/model.h"

#include <stdlib.h>
#include <string.h>

#define FANOUT_MAX 20000       /* domains read per shared address or NS name */

/* ---- related ------------------------------------------------------------------------------- */

static bool
in_ids(const uint32_t *v, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static struct model_rel *
rel_slot(struct model_related *o, uint32_t *cap, uint32_t *idx, uint32_t nidx, store_dom_id dom)
{
	if (dom >= nidx)
		return NULL;
	if (idx[dom] == 0) {
		if (o->n_rel == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			o->rel = xreallocarray(o->rel, *cap, sizeof *o->rel);
		}
		o->rel[o->n_rel] = (struct model_rel){ .dom = dom };
		idx[dom] = ++o->n_rel;
	}
	return &o->rel[idx[dom] - 1];
}

static int
cmp_rel(const void *a, const void *b)
{
	const struct model_rel *x = a, *y = b;
	uint32_t sx = x->n_addr + x->n_ns, sy = y->n_addr + y->n_ns;
	if (x->in_cluster != y->in_cluster)
		return x->in_cluster ? -1 : 1;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

void
model_related(const struct store *s, const struct detector *det, store_dom_id dom,
              struct model_related *o)
{
	const struct store_domain *d = store_domain(s, dom);
	const struct det_result *r = det != NULL ? det_for_domain(det, dom) : NULL;
	uint32_t nidx, cap = 0, *idx, *nsnames = NULL, nns = 0;

	memset(o, 0, sizeof *o);
	if (r != NULL) {
		o->cluster = r->cluster;
		o->cluster_size = r->cluster_size;
		o->n_shared_flagged = r->n_shared_flagged;
	}
	/* the cluster's members: every result carrying its number (what cluster_size counted) */
	if (o->cluster != 0) {
		size_t n = det_count(det);
		o->members = xcalloc(o->cluster_size ? o->cluster_size : 1, sizeof *o->members);
		for (size_t i = 0; i < n; i++) {
			struct det_result buf;
			const struct det_result *x = det_view(det, i, &buf);
			if (x->cluster != o->cluster)
				continue;
			if (o->n_members < o->cluster_size)
				o->members[o->n_members] = x->dom;
			o->n_members++;
		}
		if (o->n_members > o->cluster_size)
			o->n_members = o->cluster_size;   /* never: the detector numbers them once */
	}
	if (d == NULL)
		return;
	nidx = (uint32_t)store_domain_count(s) + 1;
	idx = xcalloc(nidx, sizeof *idx);
	for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
		const struct store_addr *a = store_addr(s, d->ext->addrs[i].addr);
		if (a == NULL)
			continue;
		for (uint32_t j = 0; j < a->n_domains; j++) {
			struct model_rel *x;
			if (j >= FANOUT_MAX) {
				o->truncated = true;
				break;
			}
			if (a->domains[j] == dom || (x = rel_slot(o, &cap, idx, nidx, a->domains[j])) == NULL)
				continue;
			if (x->n_addr++ == 0)
				x->first_addr = d->ext->addrs[i].addr;
		}
	}
	/* NS names: the zone's current set and every set the domain was seen with */
	{
		store_name_id zone = 0;
		store_set_id cur = store_domain_nsset(s, dom, &zone);
		uint32_t k = 0;
		const uint32_t *m = cur ? store_set_members(s, cur, &k) : NULL;
		for (uint32_t j = 0; m != NULL && j < k; j++)
			if (!in_ids(nsnames, nns, m[j])) {
				nsnames = xreallocarray(nsnames, nns + 1, sizeof *nsnames);
				nsnames[nns++] = m[j];
			}
		for (uint32_t i = 0; i < d->ext->n_ns; i++) {
			m = store_set_members(s, d->ext->ns[i].nsset, &k);
			for (uint32_t j = 0; m != NULL && j < k; j++)
				if (!in_ids(nsnames, nns, m[j])) {
					nsnames = xreallocarray(nsnames, nns + 1, sizeof *nsnames);
					nsnames[nns++] = m[j];
				}
		}
	}
	for (uint32_t i = 0; i < nns; i++) {
		const struct store_nsname *ns = store_nsname_by_name(s, nsnames[i]);
		if (ns == NULL)
			continue;
		for (uint32_t j = 0; j < ns->n_domains; j++) {
			struct model_rel *x;
			if (j >= FANOUT_MAX) {
				o->truncated = true;
				break;
			}
			if (ns->domains[j] == dom || (x = rel_slot(o, &cap, idx, nidx, ns->domains[j])) == NULL)
				continue;
			if (x->n_ns++ == 0)
				x->first_ns = nsnames[i];
		}
	}
	for (uint32_t i = 0; i < o->n_rel; i++) {
		struct det_result buf;     /* possibly many names: nothing kept (det_view) */
		const struct det_result *x = det != NULL ? det_view_domain(det, o->rel[i].dom, &buf) : NULL;
		o->rel[i].in_cluster = x != NULL && o->cluster != 0 && x->cluster == o->cluster;
		if (x != NULL && det_is_flagged(x->verdict))
			o->n_rel_flagged++;
	}
	if (o->n_rel > 1)
		qsort(o->rel, o->n_rel, sizeof *o->rel, cmp_rel);
	free(idx);
	free(nsnames);
}

void
model_related_free(struct model_related *r)
{
	free(r->members);
	free(r->rel);
	memset(r, 0, sizeof *r);
}

/* ---- timeline ------------------------------------------------------------------------------ */

static bool
same_row(const struct store_response *a, const struct store_response *b)
{
	return a->aset == b->aset && a->rcode == b->rcode && a->qtype == b->qtype &&
	       a->resolver == b->resolver && a->client == b->client && a->vantage == b->vantage &&
	       a->cname == b->cname && a->flags == b->flags && a->src_index == b->src_index;
}

/* The addresses each row shows for the first time (the rows in order, each row's answers in
 * set order). */
static void
mark_new(const struct store *s, const struct store_domain *d, struct model_timeline *o)
{
	size_t nseen = store_addr_count(s) + 1, total = 0;
	uint8_t *seen;

	for (uint32_t ri = 0; ri < o->n_rows; ri++) {
		uint32_t n = 0;
		o->rows[ri].new_off = (uint32_t)total;
		if (store_set_members(s, d->resp[o->rows[ri].first].aset, &n) != NULL)
			total += n;
	}
	o->is_new = xcalloc(total ? total : 1, sizeof *o->is_new);
	seen = xcalloc(nseen, 1);
	for (uint32_t ri = 0; ri < o->n_rows; ri++) {
		struct model_tl_row *row = &o->rows[ri];
		uint32_t n = 0;
		const uint32_t *m = store_set_members(s, d->resp[row->first].aset, &n);
		for (uint32_t j = 0; m != NULL && j < n; j++)
			if (m[j] < nseen && !seen[m[j]]) {
				seen[m[j]] = 1;
				o->is_new[row->new_off + j] = true;
				row->n_new++;
			}
	}
	free(seen);
}

void
model_timeline(const struct store *s, store_dom_id dom, bool collapse, uint32_t max_resp,
               struct model_timeline *o)
{
	const struct store_domain *d = store_domain(s, dom);
	uint32_t cap = 0;

	memset(o, 0, sizeof *o);
	if (d == NULL)
		return;
	o->n_resp = d->n_resp < max_resp ? d->n_resp : max_resp;
	o->n_more = d->n_resp - o->n_resp;
	for (uint32_t i = 0; i < o->n_resp; i++) {
		const struct store_response *r = &d->resp[i];
		struct model_tl_row *row;
		if (collapse && o->n_rows > 0 && same_row(&d->resp[o->rows[o->n_rows - 1].first], r)) {
			row = &o->rows[o->n_rows - 1];
			row->count++;
			row->ts_last = r->ts;
			row->frame_last = r->frame;
			if (r->ttl_min < row->ttl_min)
				row->ttl_min = r->ttl_min;
			if (r->ttl_max > row->ttl_max)
				row->ttl_max = r->ttl_max;
			o->collapsed = true;
			continue;
		}
		if (o->n_rows == cap) {
			cap = cap ? cap * 2 : 64;
			o->rows = xreallocarray(o->rows, cap, sizeof *o->rows);
		}
		o->rows[o->n_rows++] = (struct model_tl_row){
			.first = i, .count = 1, .ts_last = r->ts, .ttl_min = r->ttl_min,
			.ttl_max = r->ttl_max, .frame_last = r->frame,
		};
	}
	mark_new(s, d, o);
}

void
model_timeline_free(struct model_timeline *t)
{
	free(t->rows);
	free(t->is_new);
	memset(t, 0, sizeof *t);
}

const char *
model_resp_empty_why(const struct store_response *r)
{
	if (r->flags & STORE_RESP_REFERRAL)
		return "referral: no answer, the server names the zone's nameservers instead";
	if (r->rcode == 3)
		return "NXDOMAIN: the name does not exist";
	if (r->rcode == 2)
		return "SERVFAIL: the resolver could not get an answer";
	if (r->rcode == 5)
		return "REFUSED: the server would not answer";
	if (r->rcode != 0)
		return "an error: no answer records";
	if (r->flags & STORE_RESP_NODATA)
		return "no data: the name exists but has no record of the type asked (NODATA, RFC 2308)";
	return "no addresses: the answer holds records of other types only";
}

/* ---- CNAME tree ---------------------------------------------------------------------------- */

struct tree_ctx {
	const struct store_domain *d;
	struct model_cname_node *v;
	size_t n, cap;
	store_name_id path[32];
};

static void
tree_walk(struct tree_ctx *t, store_name_id name, int depth, const struct store_cname_link *via,
          bool last)
{
	bool loop = false;

	for (int i = 0; i < depth && i < 32; i++)
		if (t->path[i] == name)
			loop = true;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = (struct model_cname_node){ name, depth, via, last, loop };
	if (loop || depth >= 31 || t->n > 4 * STORE_CLINKS_MAX)
		return;
	t->path[depth] = name;
	/* children in order of first appearance */
	const struct store_cname_link *kids[STORE_CLINKS_MAX];
	uint32_t nk = 0;
	for (uint32_t i = 0; i < t->d->ext->n_clinks && nk < STORE_CLINKS_MAX; i++)
		if (t->d->ext->clinks[i].from == name)
			kids[nk++] = &t->d->ext->clinks[i];
	for (uint32_t i = 1; i < nk; i++)
		for (uint32_t j = i; j > 0 && kids[j]->first_seen < kids[j - 1]->first_seen; j--) {
			const struct store_cname_link *x = kids[j];
			kids[j] = kids[j - 1];
			kids[j - 1] = x;
		}
	for (uint32_t i = 0; i < nk; i++)
		tree_walk(t, kids[i]->to, depth + 1, kids[i], i + 1 == nk);
}

size_t
model_cname_tree(const struct store *s, store_dom_id dom, struct model_cname_node **out)
{
	struct tree_ctx t = { 0 };

	*out = NULL;
	t.d = store_domain(s, dom);
	if (t.d == NULL || t.d->ext->n_clinks == 0)
		return 0;
	tree_walk(&t, t.d->name, 0, NULL, true);
	*out = t.v;
	return t.n;
}
