/* Domain lists: the home view and every pivot list (domains of an address, an ASN, a
 * nameserver, a registrable domain). Rows come from a dlist view model; this file only lays
 * out columns and draws the visible rows into the canvas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/model.h"
#include "ui/app.h"

struct view_list {
	struct view v;
	struct app *app;           /* borrowed: the store for address searches */
	enum list_kind kind;
	char label[96];
	struct dlist dl;
	char filter[512];          /* filter text as typed, "" none */
	void *filter_ctx;          /* compiled filter (freed by a->filter->free_ctx) */
	const struct app_filter_ops *filter_ops;
	/* column layout of the last draw, for mouse clicks on the header */
	int col_x[SNAP_COL_MAX + 1], col_w[SNAP_COL_MAX + 1];
	bool col_on[SNAP_COL_MAX];
};

static struct dlist *
vl_list(struct view *v)
{
	return &((struct view_list *)v)->dl;
}

bool
view_is_list(const struct view *v)
{
	return v != NULL && v->ops->list != NULL;
}

const char *
view_list_filter(const struct view *v)
{
	return view_is_list(v) ? ((const struct view_list *)v)->filter : "";
}

/* Whether the analyst wrote a note on this row's domain or zone (drawn rows only). */
static bool
has_note(const struct app *a, enum note_kind k, const char *name)
{
	const struct note *n = notes_lookup(a->notes, k, name);
	return n != NULL && (n->text != NULL || n->marked);
}

static void
vl_free(struct view *v)
{
	struct view_list *l = (struct view_list *)v;
	if (l->filter_ctx != NULL && l->filter_ops != NULL)
		l->filter_ops->free_ctx(l->filter_ctx);
	dlist_fini(&l->dl);
	free(l);
}

int
view_list_set_filter(struct app *a, struct view *v, const char *text)
{
	struct view_list *l = (struct view_list *)v;
	struct fs_err err = { 0 };
	dlist_pred pred = NULL;
	void *ctx = NULL;

	if (!view_is_list(v))
		return app_message(a, true, "filters work in domain lists");
	while (*text == ' ')
		text++;
	if (text[0] != '\0') {
		size_t col = 0;
		if (a->filter == NULL)
			return app_message(a, true, "filters are not available in this build");
		if (a->filter->compile(a, text, &pred, &ctx, &err, &col) != FS_OK) {
			const char *m = strncmp(err.msg, "filter: ", 8) == 0 ? err.msg + 8 : err.msg;
			int r = app_message(a, true, "filter: %s (f edits it)", m);
			snprintf(a->caret_text, sizeof a->caret_text, "%s", text);
			snprintf(a->filter_retry, sizeof a->filter_retry, "%s", text);
			a->caret_col = (int)col;
			return r;
		}
	}
	a->filter_retry[0] = '\0';
	if (l->filter_ctx != NULL && l->filter_ops != NULL)
		l->filter_ops->free_ctx(l->filter_ctx);
	l->filter_ctx = ctx;
	l->filter_ops = a->filter;
	l->dl.pred = pred;
	l->dl.bulk = pred != NULL && a->filter != NULL ? a->filter->bulk : NULL;
	l->dl.pred_ctx = ctx;
	snprintf(l->filter, sizeof l->filter, "%s", text);
	dlist_refresh(&l->dl);
	if (text[0] == '\0')
		return app_message(a, false, "filter cleared");
	if (l->dl.busy)
		return app_message(a, false, "filter %s: filtering…", text);
	return app_message(a, false, "filter %s: %u %s", text, l->dl.n,
	                   l->dl.n == 1 ? "match" : "matches");
}

static bool
vl_busy(const struct view *v)
{
	return ((const struct view_list *)v)->dl.busy;
}

static int
vl_work(struct app *a, struct view *v, double budget_ms)
{
	struct view_list *l = (struct view_list *)v;
	if (!dlist_work(&l->dl, budget_ms))
		return UI_REDRAW; /* progress */
	if (l->filter[0] != '\0' && app_top(a) == v)
		app_message(a, false, "filter %s: %u %s", l->filter, l->dl.n, l->dl.n == 1 ? "match" : "matches");
	return UI_REDRAW;
}

static void
vl_crumb(const struct view *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((const struct view_list *)v)->label);
}

static void
vl_info(const struct app *a, const struct view *v, char *buf, size_t len)
{
	const struct view_list *l = (const struct view_list *)v;
	char p1[32], p2[32], p3[32];
	(void)a;
	snprintf(buf, len, "%s%s%s/%s of %s", l->dl.flagged_only ? "flagged " : "",
	         l->dl.grouped ? "grouped " : "",
	         app_fmt_count(l->dl.n ? l->dl.cursor + 1 : 0, p1, sizeof p1),
	         app_fmt_count(l->dl.n, p2, sizeof p2),
	         app_fmt_count(l->dl.grouped ? l->dl.snap->grp.n : l->dl.snap->dom.n, p3, sizeof p3));
}

static void
vl_set_snap(struct app *a, struct view *v)
{
	struct view_list *l = (struct view_list *)v;
	dlist_set_snap(&l->dl, a->snap);
}

static uint32_t
vl_current_dom(const struct view *v)
{
	const struct view_list *l = (const struct view_list *)v;
	const struct snap_row *r = dlist_current(&l->dl);
	return r != NULL && !l->dl.grouped ? r->id : 0;
}

static int
vl_move(struct app *a, struct view *v, int how, int64_t n)
{
	struct dlist *dl = vl_list(v);
	int64_t page = dl->height > 1 ? dl->height - 1 : 1;
	(void)a;

	switch (how) {
	case MOVE_UP: dlist_move(dl, -n); break;
	case MOVE_DOWN: dlist_move(dl, n); break;
	case MOVE_PGUP: dlist_move(dl, -page * n); break;
	case MOVE_PGDN: dlist_move(dl, page * n); break;
	case MOVE_HALFUP: dlist_move(dl, -(page / 2 + 1) * n); break;
	case MOVE_HALFDOWN: dlist_move(dl, (page / 2 + 1) * n); break;
	case MOVE_TOP: dlist_goto(dl, 0); break;
	case MOVE_BOTTOM: dlist_goto(dl, dl->n ? dl->n - 1 : 0); break;
	case MOVE_WHEEL: dlist_scroll(dl, n); break;
	}
	return UI_REDRAW;
}

static int
vl_open(struct app *a, struct view *v)
{
	struct view_list *l = (struct view_list *)v;
	const struct snap_row *r = dlist_current(&l->dl);
	struct view *nv;

	if (r == NULL)
		return app_message(a, false, "no domain here");
	if (l->dl.grouped) {
		uint32_t *ids = xreallocarray(NULL, r->n_members ? r->n_members : 1, sizeof *ids);
		for (uint32_t i = 0; i < r->n_members; i++)
			ids[i] = l->dl.snap->dom.rows[l->dl.snap->grp_members[r->group + i]].id;
		nv = view_list_new(a, LIST_GROUP, r->name, ids, r->n_members);
		free(ids);
		return app_push(a, nv);
	}
	if ((nv = view_detail_new(a, r->id)) == NULL)
		return UI_REDRAW;
	return app_push(a, nv);
}

/* Lay the columns out for width w: the domain column takes what is left; low-priority columns
 * drop out (last seen first) until it has at least 20 cells. */
static void
layout(const struct app *a, struct view_list *l, int w)
{
	int domw, x;

	for (int c = 0; c < snap_col_count(); c++)
		l->col_on[c] = a->col_choice[c] > 0 || (a->col_choice[c] == 0 && snap_col_info(c)->prio < 9);
	for (int drop_prio = 3; drop_prio >= 1; drop_prio--) {
		int fixed = 2; /* mark column and its gap */
		for (int c = 0; c < snap_col_count(); c++)
			if (l->col_on[c] && c != SNAP_COL_DOMAIN)
				fixed += snap_col_info(c)->width + 1;
		domw = w - fixed;
		if (domw >= 20)
			break;
		for (int c = 0; c < snap_col_count(); c++)
			if (snap_col_info(c)->prio >= drop_prio && a->col_choice[c] <= 0)
				l->col_on[c] = false;
	}
	{
		int fixed = 2;
		for (int c = 0; c < snap_col_count(); c++)
			if (l->col_on[c] && c != SNAP_COL_DOMAIN)
				fixed += snap_col_info(c)->width + 1;
		domw = w - fixed;
		if (domw < 8)
			domw = 8;
	}
	x = 2;
	for (int c = 0; c < snap_col_count(); c++) {
		l->col_x[c] = -1;
		l->col_w[c] = 0;
		if (!l->col_on[c])
			continue;
		l->col_x[c] = x;
		l->col_w[c] = c == SNAP_COL_DOMAIN ? domw : snap_col_info(c)->width;
		x += l->col_w[c] + 1;
	}
}

static void
cell_text(const struct app *a, const struct view_list *l, const struct snap_row *r, int c,
          char *buf, size_t len)
{
	bool with_date = a->snap->t_max - a->snap->t_min >= 86400 * FS_USEC;
	char tmp[64];

	switch (c) {
	case SNAP_COL_VERDICT: snprintf(buf, len, "%s", det_verdict_name((enum det_verdict)r->verdict)); break;
	case SNAP_COL_SCORE: snprintf(buf, len, "%.1f", r->score); break;
	case SNAP_COL_LOGIT: snprintf(buf, len, "%.1f", r->logit); break;
	case SNAP_COL_DOMAIN:
		if (l->dl.grouped)
			snprintf(buf, len, "%s (%u)", r->name, r->n_members);
		else
			snprintf(buf, len, "%s", r->name);
		break;
	case SNAP_COL_ADDRS: snprintf(buf, len, "%u", r->n_addrs); break;
	case SNAP_COL_ASNS: snprintf(buf, len, "%u", r->n_asns); break;
	case SNAP_COL_COUNTRIES: snprintf(buf, len, "%u", r->n_countries); break;
	case SNAP_COL_TTL:
		if (r->n_addrs == 0)
			snprintf(buf, len, "-");
		else
			app_fmt_ttl(r->ttl_min, buf, len);
		break;
	case SNAP_COL_NS_CHANGES: snprintf(buf, len, "%u", r->n_ns_changes); break;
	case SNAP_COL_RESPONSES: app_fmt_count(r->n_responses, buf, len); break;
	case SNAP_COL_LAST_SEEN: app_fmt_time(r->last_seen, with_date, buf, len); break;
	case SNAP_COL_FIRST_SEEN: app_fmt_time(r->first_seen, with_date, buf, len); break;
	case SNAP_COL_HOLZ: snprintf(buf, len, "%.1f", r->holz); break;
	default:
		/* the other fields: from the detector's result (group rows have none) */
		snap_cell_text(l->dl.grouped ? &a->snap->grp : &a->snap->dom, r, c, tmp, sizeof tmp);
		snprintf(buf, len, "%s", tmp[0] ? tmp : "-");
		break;
	}
}

static void
draw_empty(struct app *a, struct view_list *l, struct ui_canvas *c, int y)
{
	const char *text;
	char buf[128];

	if (l->dl.busy)
		snprintf(buf, sizeof buf, "Filtering: %.0f%% of %zu rows…",
		         l->dl.total ? 100.0 * (double)l->dl.done / (double)l->dl.total : 0.0, l->dl.total);
	if (l->dl.busy)
		text = buf;
	else if (a->snap == a->empty && (a->prog.loading || a->prog.scoring))
		text = "Loading: domains appear here as they are read and scored.";
	else if (l->dl.snap->dom.n == 0)
		text = a->prog.loading ? "Loading: no DNS responses yet." : "No DNS responses in the input.";
	else if (l->dl.flagged_only && l->filter[0] == '\0' && (a->prog.loading || a->prog.scoring))
		text = "Loading: no flagged domain yet (a shows all domains).";
	else if (l->filter[0] != '\0')
		text = "No domain matches the filter (F clears it).";
	else if (l->dl.flagged_only)
		text = "No flagged domains (a shows all).";
	else
		text = "No domains.";
	canvas_put(c, 2, y, c->w - 2, UI_ROLE_DIM, text);
}

static void
vl_draw(struct app *a, struct view *v, struct ui_canvas *c, int y0, int h)
{
	struct view_list *l = (struct view_list *)v;
	struct dlist *dl = &l->dl;
	char buf[512];
	size_t slen = strlen(a->search);

	layout(a, l, c->w);
	/* header */
	canvas_fill(c, 0, y0, c->w, 1, ' ', UI_ROLE_HEADER);
	for (int col = 0; col < snap_col_count(); col++) {
		const struct snap_col_info *ci = snap_col_info(col);
		enum ui_role role = col == (int)dl->sort ? UI_ROLE_HEADER_SORT : UI_ROLE_HEADER;
		if (!l->col_on[col])
			continue;
		if (col == (int)dl->sort)
			snprintf(buf, sizeof buf, "%s%s", ci->title,
			         c->unicode ? (dl->desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2") : (dl->desc ? "v" : "^"));
		else
			snprintf(buf, sizeof buf, "%s", ci->title);
		if (ci->right)
			canvas_put_right(c, l->col_x[col], y0, l->col_w[col], role, buf);
		else
			canvas_put(c, l->col_x[col], y0, l->col_w[col], role, buf);
	}
	dlist_set_height(dl, h - 1);
	if (dl->n == 0) {
		draw_empty(a, l, c, y0 + 2);
		return;
	}
	for (int i = 0; i < h - 1; i++) {
		uint32_t k = dl->top + (uint32_t)i;
		const struct snap_row *r = dlist_row(dl, k);
		int y = y0 + 1 + i;
		bool is_cur = k == dl->cursor;
		if (r == NULL)
			break;
		if (r->flags & SNAP_MARKED)
			canvas_put(c, 0, y, 1, UI_ROLE_MARK, c->unicode ? "\xe2\x97\x8f" : "*");
		else if (has_note(a, dl->grouped ? NOTE_ZONE : NOTE_DOMAIN, r->name))
			canvas_put(c, 0, y, 1, UI_ROLE_MARK, c->unicode ? "\xe2\x9c\x8e" : "n");
		for (int col = 0; col < snap_col_count(); col++) {
			enum ui_role role = UI_ROLE_DEFAULT;
			if (!l->col_on[col])
				continue;
			cell_text(a, l, r, col, buf, sizeof buf);
			if (col == SNAP_COL_VERDICT || col == SNAP_COL_SCORE)
				role = app_verdict_role(r->verdict);
			if (col == SNAP_COL_LAST_SEEN)
				role = UI_ROLE_DIM;
			if (snap_col_info(col)->right)
				canvas_put_right(c, l->col_x[col], y, l->col_w[col], role, buf);
			else
				canvas_put_ellip(c, l->col_x[col], y, l->col_w[col], role, buf);
		}
		if (is_cur)
			canvas_set_role(c, 0, y, c->w, UI_ROLE_CURSOR);
		/* the search match stays visible, on the cursor row too */
		if (slen > 0 && l->col_on[SNAP_COL_DOMAIN]) {
			const char *m = strcasestr(r->name, a->search);
			if (m != NULL) {
				char pre[512];
				int px, dw = l->col_w[SNAP_COL_DOMAIN];
				snprintf(pre, sizeof pre, "%.*s", (int)(m - r->name), r->name);
				px = canvas_text_width(pre);
				if (px < dw)
					canvas_set_role(c, l->col_x[SNAP_COL_DOMAIN] + px, y,
					                (int)slen < dw - px ? (int)slen : dw - px, UI_ROLE_MATCH);
			}
		}
	}
}

static int
vl_mouse(struct app *a, struct view *v, const struct ui_event *ev, int y0, int h)
{
	struct view_list *l = (struct view_list *)v;
	struct dlist *dl = &l->dl;

	if (ev->button == UI_MOUSE_WHEEL_UP)
		return vl_move(a, v, MOVE_WHEEL, -3);
	if (ev->button == UI_MOUSE_WHEEL_DOWN)
		return vl_move(a, v, MOVE_WHEEL, 3);
	if (ev->button != UI_MOUSE_LEFT)
		return UI_OK;
	if (ev->y == y0) {
		for (int col = 0; col < snap_col_count(); col++)
			if (l->col_on[col] && ev->x >= l->col_x[col] && ev->x <= l->col_x[col] + l->col_w[col]) {
				if ((int)dl->sort == col)
					dlist_set_sort(dl, dl->sort, !dl->desc);
				else
					dlist_set_sort(dl, (enum snap_col)col, col != SNAP_COL_DOMAIN);
				return app_message(a, false, "sorted by %s", snap_col_info(col)->name);
			}
		return UI_OK;
	}
	if (ev->y > y0 && ev->y < y0 + h) {
		uint32_t k = dl->top + (uint32_t)(ev->y - y0 - 1);
		if (k >= dl->n)
			return UI_OK;
		dlist_goto(dl, k);
		if (ev->dbl)
			return vl_open(a, v);
		return UI_REDRAW;
	}
	return UI_OK;
}

/* Text that can only be part of an address or a prefix: digits and dots with a dot
 * ("94.153.140"), hex digits and colons with a colon ("2001:db8:"), either with "/len". */
static bool
addr_like(const char *t)
{
	bool dot = false, colon = false, hex = false;
	if (t[0] == '\0')
		return false;
	for (const char *p = t; *p != '\0'; p++) {
		if (*p == '.')
			dot = true;
		else if (*p == ':')
			colon = true;
		else if (*p == '/')
			continue;
		else if ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))
			hex = true;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return colon || (dot && !hex);
}

/* `/` on an address or prefix: the rows whose answers hold an address containing the text
 * (or inside the prefix), then the first shown at or after `from`. -1 when none. */
static int64_t
find_addr(struct view_list *l, const char *text, uint32_t from, bool forward)
{
	struct app *a = l->app;
	struct dlist *dl = &l->dl;
	const struct snap_table *t = dlist_table(dl);
	struct snap *s = dl->snap;
	int64_t found = -1;
	store_dom_id *ids;
	uint32_t nids;

	if (a == NULL || a->cfg.store == NULL || s == NULL || dl->n == 0 || !app_store_read(a))
		return -1;
	if (s->epoch != store_epoch(a->cfg.store)) {
		app_store_done(a);
		return -1;
	}
	nids = model_addr_search(a->cfg.store, text, &ids);
	uint64_t *bits = xcalloc(((size_t)t->n + 63) / 64 + 1, sizeof *bits);
	for (uint32_t k = 0; k < nids; k++) {
		uint32_t row = snap_find_dom(s, ids[k]);
		if (row == UINT32_MAX)
			continue;
		if (dl->grouped)
			row = s->dom.rows[row].group;
		if (row < t->n)
			bits[row >> 6] |= 1ull << (row & 63);
	}
	free(ids);
	app_store_done(a);
	if (from >= dl->n)
		from = forward ? 0 : dl->n - 1;
	for (uint32_t k = 0; k < dl->n; k++) {
		uint32_t i = forward ? (from + k < dl->n ? from + k : from + k - dl->n)
		                     : (from >= k ? from - k : from + dl->n - k);
		if (SNAP_BIT(bits, dl->order[i])) {
			found = i;
			break;
		}
	}
	free(bits);
	return found;
}

static int64_t
vl_find(struct view *v, const char *text, uint64_t from, bool forward)
{
	struct dlist *dl = vl_list(v);
	uint32_t f = from > UINT32_MAX ? UINT32_MAX : (uint32_t)from;
	int64_t r = dlist_search(dl, text, f, forward);
	/* an address or a prefix: a name holding it first (a reverse-lookup name), else the
	 * rows answered with it */
	if (r < 0 && addr_like(text))
		r = find_addr((struct view_list *)v, text, f, forward);
	return r;
}

static uint64_t
vl_cur_item(const struct view *v)
{
	return ((const struct view_list *)v)->dl.cursor;
}

static void
vl_goto_item(struct view *v, uint64_t item)
{
	dlist_goto(vl_list(v), (uint32_t)item);
}

static uint64_t
vl_save_pos(const struct view *v)
{
	const struct dlist *dl = &((const struct view_list *)v)->dl;
	return (uint64_t)dl->top << 32 | dl->cursor;
}

static void
vl_restore_pos(struct view *v, uint64_t pos)
{
	struct dlist *dl = vl_list(v);
	dl->top = (uint32_t)(pos >> 32);
	dlist_goto(dl, (uint32_t)pos);
}

static const struct view_ops list_ops = {
	.name = "list",
	.free = vl_free,
	.draw = vl_draw,
	.mouse = vl_mouse,
	.set_snap = vl_set_snap,
	.crumb = vl_crumb,
	.info = vl_info,
	.move = vl_move,
	.open = vl_open,
	.tab = NULL,
	.current_dom = vl_current_dom,
	.list = vl_list,
	.find = vl_find,
	.cur_item = vl_cur_item,
	.goto_item = vl_goto_item,
	.save_pos = vl_save_pos,
	.restore_pos = vl_restore_pos,
	.busy = vl_busy,
	.work = vl_work,
};

struct view *
view_list_new(struct app *a, enum list_kind kind, const char *label, const uint32_t *doms,
              uint32_t n)
{
	struct view_list *l = xcalloc(1, sizeof *l);

	l->v.ops = &list_ops;
	l->app = a;
	l->kind = kind;
	snprintf(l->label, sizeof l->label, "%s", label);
	dlist_init(&l->dl, a->snap);
	if (kind != LIST_HOME)
		dlist_set_subset(&l->dl, doms, n);
	else if (!a->cfg.home_all) {
		/* What fluxes first: flagged domains by score; `a` shows everything. */
		l->dl.flagged_only = true;
		dlist_refresh(&l->dl);
	}
	return &l->v;
}
