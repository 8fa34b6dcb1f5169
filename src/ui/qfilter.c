/* The list filter: the query language of include/fluxscope/query.h (the same as --filter),
 * matched against the detector's result of each row. */
#include <stdlib.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/model.h"
#include "fluxscope/query.h"
#include "fluxscope/store.h"
#include "ui/app.h"

struct qf {
	struct query_filter *f;
	/* The store-only fields (responses, nxdomain, marked) are read from this record, filled
	 * from the row: filtering a million rows takes no store lock. Zeroed once; only those
	 * three fields change. */
	struct store_domain d;
	/* A filter on address, nameserver or every ASN and country (beyond the top five the
	 * results carry) reads each domain's record from the store, as --report does: the store
	 * read lock is taken once per slice (waited for when an ageing step holds it). */
	struct app *a;
	bool lists;
	bool locked;
};

static bool
lock(struct qf *q, const struct snap *s)
{
	if (!q->lists || q->locked)
		return q->locked || !q->lists;
	if (q->a == NULL || q->a->cfg.store == NULL)
		return false;
	if (!app_store_read(q->a)) {
		store_read_lock(q->a->cfg.store);
		q->a->updating = false;
	}
	if (s->epoch != store_epoch(q->a->cfg.store)) {
		app_store_done(q->a);
		return false;
	}
	q->locked = true;
	return true;
}

static void
unlock(struct qf *q)
{
	if (q->locked) {
		app_store_done(q->a);
		q->locked = false;
	}
}

static bool
match_lists(struct qf *q, const struct det_result *res)
{
	struct model_record rec;
	bool ok;

	if (!q->locked)
		return false;
	model_record_domain(&rec, q->a->cfg.geo, q->a->cfg.store, res);
	ok = query_filter_match_row(q->f, &rec.row);
	model_record_free(&rec);
	return ok;
}

static bool
match_dom(struct qf *q, const struct snap *s, const struct snap_row *r)
{
	struct det_result buf;         /* every row: nothing kept (det_view) */
	const struct det_result *res = s->det != NULL ? det_view_domain(s->det, r->id, &buf) : NULL;

	if (res == NULL)
		return query_filter_terms(q->f) == 0;
	if (q->lists) {
		bool ok, held = q->locked;
		if (!held && !lock(q, s))
			return false;
		ok = match_lists(q, res);
		if (!held)
			unlock(q);
		return ok;
	}
	q->d.n_responses = r->n_responses;
	q->d.n_nxdomain = r->n_nxdomain;
	q->d.user_flags = (r->flags & SNAP_MARKED) ? 1u : 0u;
	return query_filter_match(q->f, res, &q->d);
}

static bool
pred(void *ctx, const struct snap *s, const struct snap_row *r, bool grouped)
{
	struct qf *f = ctx;

	if (!grouped)
		return match_dom(f, s, r);
	/* A registrable domain is shown when any of its names matches. */
	for (uint32_t i = 0; i < r->n_members; i++)
		if (match_dom(f, s, &s->dom.rows[s->grp_members[r->group + i]]))
			return true;
	return false;
}

/* The domain rows in slices, walking the detector's results in their own (memory) order: a
 * million results are read sequentially, not one cache miss per row. */
static size_t
bulk(void *ctx, const struct snap *s, const uint64_t *ok, uint64_t *keep, size_t from, size_t max,
     size_t *total)
{
	struct qf *q = ctx;
	size_t n, i;

	if (s->det == NULL) {
		*total = 0;
		if (query_filter_terms(q->f) == 0)
			memcpy(keep, ok, ((size_t)s->dom.n + 63) / 64 * sizeof *keep);
		return 0;
	}
	n = det_count(s->det);
	*total = n;
	if (q->lists && !lock(q, s))
		return 0;
	for (i = from; i < n && i < from + max; i++) {
		struct det_result buf;
		const struct det_result *res = det_view(s->det, i, &buf);
		uint32_t row = snap_find_dom(s, res->dom);
		const struct snap_row *r;
		if (row == UINT32_MAX || !SNAP_BIT(ok, row))
			continue;
		r = &s->dom.rows[row];
		q->d.n_responses = r->n_responses;
		q->d.n_nxdomain = r->n_nxdomain;
		q->d.user_flags = (r->flags & SNAP_MARKED) ? 1u : 0u;
		if (q->lists ? match_lists(q, res) : query_filter_match(q->f, res, &q->d))
			keep[row >> 6] |= 1ull << (row & 63);
	}
	unlock(q);
	return i - from;
}

static fs_status
compile(struct app *a, const char *text, dlist_pred *out, void **ctx, struct fs_err *err,
        size_t *err_col)
{
	struct query_filter *f;
	struct qf *q;
	fs_status st;

	if ((st = query_filter_parse_at(text, &f, err, err_col)) != FS_OK)
		return st;
	q = xcalloc(1, sizeof *q);
	q->d.ext = &store_domain_ext_empty;
	q->f = f;
	q->a = a;
	q->lists = query_filter_needs_lists(f);
	*out = pred;
	*ctx = q;
	return FS_OK;
}

static void
free_ctx(void *ctx)
{
	struct qf *q = ctx;
	query_filter_free(q->f);
	free(q);
}

const struct app_filter_ops query_filter_ops = { compile, free_ctx, bulk };
