/* The object lists (model.h): every cluster with its shared addresses and nameservers, every
 * answer address, ASN and nameserver with the domains using it. */
#include "fluxscope/model.h"
#include "util/map.h"

#include <stdlib.h>
#include <string.h>

static bool
flagged_dom(const struct detector *det, store_dom_id id)
{
	struct det_result buf;
	const struct det_result *r = det != NULL ? det_view_domain(det, id, &buf) : NULL;
	return r != NULL && det_is_flagged(r->verdict);
}

/* The keys counted two or more times, in insertion order. */
static struct model_shared *
shared_of(const struct fs_map *m, uint32_t *n)
{
	struct model_shared *v = xcalloc(m->n ? m->n : 1, sizeof *v);
	*n = 0;
	for (uint32_t k = 0; k < m->n; k++)
		if (fs_map_val_at(m, k) >= 2)
			v[(*n)++] = (struct model_shared){ (uint32_t)fs_map_key_at(m, k), fs_map_val_at(m, k) };
	return v;
}

size_t
model_clusters(const struct store *s, const struct detector *det, struct model_cluster **out)
{
	size_t n = det != NULL ? det_count(det) : 0, nc = 0;
	uint32_t maxc = 0, *slot;
	struct model_cluster *c;

	*out = NULL;
	struct det_result buf;
	for (size_t i = 0; i < n; i++)
		if (det_view(det, i, &buf)->cluster > maxc)
			maxc = det_view(det, i, &buf)->cluster;
	if (maxc == 0)
		return 0;
	/* members per cluster number, in result order: one pass to count, one to place */
	slot = xcalloc((size_t)maxc + 1, sizeof *slot);
	for (size_t i = 0; i < n; i++)
		slot[det_view(det, i, &buf)->cluster]++;
	for (uint32_t k = 1; k <= maxc; k++)
		nc += slot[k] > 0;
	c = xcalloc(nc, sizeof *c);
	for (uint32_t k = 1, j = 0; k <= maxc; k++) {
		if (slot[k] == 0)
			continue;
		c[j].id = k;
		c[j].members = xcalloc(slot[k], sizeof *c[j].members);
		slot[k] = j++ + 1;          /* now: the cluster's index + 1 */
	}
	for (size_t i = 0; i < n; i++) {
		const struct det_result *r = det_view(det, i, &buf);
		struct model_cluster *x;
		if (r->cluster == 0)
			continue;
		r = det_get(det, i);        /* a member keeps its pointer */
		x = &c[slot[r->cluster] - 1];
		x->members[x->n_members++] = r;
		x->n_flagged += det_is_flagged(r->verdict);
	}
	free(slot);
	/* shared agents and nameservers: counted over the members' records */
	for (size_t j = 0; j < nc; j++) {
		struct fs_map acount, ncount;
		fs_map_init(&acount);
		fs_map_init(&ncount);
		for (uint32_t i = 0; i < c[j].n_members; i++) {
			const struct store_domain *d = store_domain(s, c[j].members[i]->dom);
			uint32_t ns[256];
			size_t nn;
			bool fresh;
			if (d == NULL)
				continue;
			for (uint32_t k = 0; k < d->ext->n_addrs; k++)
				(*fs_map_put(&acount, d->ext->addrs[k].addr, &fresh))++;
			nn = model_ns_names(s, c[j].members[i]->dom, ns, 256);
			for (size_t k = 0; k < nn; k++)
				(*fs_map_put(&ncount, ns[k], &fresh))++;
		}
		c[j].addrs = shared_of(&acount, &c[j].n_addrs);
		c[j].ns = shared_of(&ncount, &c[j].n_ns);
		fs_map_fini(&acount);
		fs_map_fini(&ncount);
	}
	*out = c;
	return nc;
}

void
model_clusters_free(struct model_cluster *c, size_t n)
{
	for (size_t j = 0; c != NULL && j < n; j++) {
		free(c[j].members);
		free(c[j].addrs);
		free(c[j].ns);
	}
	free(c);
}

/* Most flagged domains first, then most domains, then by key. */
#define ORDER(type, keyf)                                                             \
	static int cmp_##type(const void *a, const void *b)                            \
	{                                                                              \
		const struct type *x = a, *y = b;                                          \
		if (x->n_flagged != y->n_flagged)                                          \
			return x->n_flagged > y->n_flagged ? -1 : 1;                           \
		if (x->n_domains != y->n_domains)                                          \
			return x->n_domains > y->n_domains ? -1 : 1;                           \
		return x->keyf < y->keyf ? -1 : x->keyf > y->keyf;                         \
	}
ORDER(model_addr_obj, id)
ORDER(model_asn_obj, asn)
ORDER(model_ns_obj, name)

size_t
model_addr_objs(const struct store *s, const struct detector *det, struct model_addr_obj **out)
{
	size_t na = store_addr_count(s), m = 0;
	struct model_addr_obj *v = xcalloc(na + 1, sizeof *v);

	for (store_addr_id id = 1; id <= na; id++) {
		const struct store_addr *sa = store_addr(s, id);
		uint32_t nf = 0;
		if (sa == NULL || sa->n_domains == 0)
			continue;
		for (uint32_t k = 0; k < sa->n_domains; k++)
			nf += flagged_dom(det, sa->domains[k]);
		v[m++] = (struct model_addr_obj){ id, sa->n_domains, nf };
	}
	qsort(v, m, sizeof *v, cmp_model_addr_obj);
	*out = v;
	return m;
}

size_t
model_asn_objs(struct geo *geo, const struct store *s, const struct detector *det,
               struct model_asn_obj **out)
{
	struct fs_map idx;                 /* asn → slot */
	struct model_asn_obj *rows = NULL;
	size_t nr = 0, cap = 0, nd = store_domain_count(s), na = store_addr_count(s);
	uint32_t *seen = NULL;             /* per slot: the last domain counted */

	*out = NULL;
	if (geo == NULL)
		return 0;
	fs_map_init(&idx);
	for (store_addr_id id = 1; id <= na; id++) {
		const struct store_addr *sa = store_addr(s, id);
		const struct geo_info *g;
		bool fresh;
		if (sa == NULL || sa->n_domains == 0 || (g = geo_lookup(geo, &sa->addr)) == NULL ||
		    g->asn == 0)
			continue;
		uint32_t *slot = fs_map_put(&idx, g->asn, &fresh);
		if (fresh) {
			if (nr == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xreallocarray(rows, cap, sizeof *rows);
				seen = xreallocarray(seen, cap, sizeof *seen);
			}
			rows[nr] = (struct model_asn_obj){ .asn = g->asn, .org = g->as_org };
			seen[nr] = 0;
			*slot = (uint32_t)nr++;
		}
		rows[*slot].n_addrs++;
	}
	/* distinct domains: walk each domain's addresses once */
	for (store_dom_id d = 1; d <= nd && nr > 0; d++) {
		const struct store_domain *dom = store_domain(s, d);
		bool fl = flagged_dom(det, d);
		for (uint32_t k = 0; dom != NULL && k < dom->ext->n_addrs; k++) {
			const struct store_addr *sa = store_addr(s, dom->ext->addrs[k].addr);
			const struct geo_info *g = sa ? geo_lookup(geo, &sa->addr) : NULL;
			const uint32_t *slot = g && g->asn ? fs_map_get(&idx, g->asn) : NULL;
			if (slot == NULL || seen[*slot] == d)
				continue;
			seen[*slot] = d;
			rows[*slot].n_domains++;
			rows[*slot].n_flagged += fl;
		}
	}
	if (nr > 1)
		qsort(rows, nr, sizeof *rows, cmp_model_asn_obj);
	free(seen);
	fs_map_fini(&idx);
	*out = rows;
	return nr;
}

size_t
model_ns_objs(const struct store *s, const struct detector *det, struct model_ns_obj **out)
{
	size_t nn = store_nsname_count(s), m = 0;
	struct model_ns_obj *v = xcalloc(nn + 1, sizeof *v);

	for (store_ns_id i = 0; i < nn; i++) {
		const struct store_nsname *ns = store_nsname(s, i);
		uint32_t nf = 0;
		if (ns == NULL)
			continue;
		for (uint32_t k = 0; k < ns->n_domains; k++)
			nf += flagged_dom(det, ns->domains[k]);
		v[m++] = (struct model_ns_obj){ ns->name, ns->n_zones, ns->n_domains, nf, ns->n_glue };
	}
	qsort(v, m, sizeof *v, cmp_model_ns_obj);
	*out = v;
	return m;
}
