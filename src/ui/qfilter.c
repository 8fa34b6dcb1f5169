/* The list filter: the query language of include/fluxscope/query.h (the same as --filter),
 * matched against the detector's result of each row. */
#include <stdlib.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/query.h"
#include "fluxscope/store.h"
#include "ui/app.h"

static bool
match_dom(const struct query_filter *f, const struct snap *s, const struct snap_row *r)
{
	const struct det_result *res = s->det != NULL ? det_for_domain(s->det, r->id) : NULL;
	struct store_domain d;

	if (res == NULL)
		return query_filter_terms(f) == 0;
	/* The store-only fields (responses, nxdomain, marked) come from the row, so filtering a
	 * million rows takes no store lock. */
	memset(&d, 0, sizeof d);
	d.n_responses = r->n_responses;
	d.n_nxdomain = r->n_nxdomain;
	d.user_flags = (r->flags & SNAP_MARKED) ? 1u : 0u;
	return query_filter_match(f, res, &d);
}

static bool
pred(void *ctx, const struct snap *s, const struct snap_row *r, bool grouped)
{
	const struct query_filter *f = ctx;

	if (!grouped)
		return match_dom(f, s, r);
	/* A registrable domain is shown when any of its names matches. */
	for (uint32_t i = 0; i < r->n_members; i++)
		if (match_dom(f, s, &s->dom.rows[s->grp_members[r->group + i]]))
			return true;
	return false;
}

static fs_status
compile(struct app *a, const char *text, dlist_pred *out, void **ctx, struct fs_err *err)
{
	struct query_filter *f;
	fs_status st;

	(void)a;
	if ((st = query_filter_parse(text, &f, err)) != FS_OK)
		return st;
	*out = pred;
	*ctx = f;
	return FS_OK;
}

static void
free_ctx(void *ctx)
{
	query_filter_free(ctx);
}

const struct app_filter_ops query_filter_ops = { compile, free_ctx };
