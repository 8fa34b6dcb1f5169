/* The domain detail: five tabs of lines built by detail.c, a cursor on the lines that can be
 * opened (addresses, ASNs, countries, nameservers, related domains), pivots on Enter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/app.h"
#include "fluxscope/store.h"
#include "ui/detail.h"
#include "ui/pager.h"
#include "ui/history_ui.h"

struct view_detail {
	struct view v;
	uint32_t dom;
	char name[256];
	int tab;
	struct dlines lines;
	bool built;
	int cursor[DTAB_COUNT];    /* line index (a selectable line, or -1) */
	int top[DTAB_COUNT];
	int tab_x[DTAB_COUNT + 1]; /* tab positions at the last draw, for clicks */
	int width;                 /* width the lines were built for */
	bool unicode;
	uint32_t epoch;            /* store_epoch() when dom was last looked up */
	int lines_tab;             /* the tab `lines` were built for, -1 = none (updating) */
	bool free_scroll[DTAB_COUNT]; /* scrolled away from the cursor (to lines that cannot be
	                            * opened): the cursor is left where it was until it is back in
	                            * view */
	bool no_collapse;          /* Timeline: every response on its own row */
	unsigned expand;           /* DLX_* sections shown in full */
};

static bool
selectable(const struct dline *l)
{
	return l->kind != DL_TEXT && l->kind != DL_TITLE;
}

static void
detail_ctx(struct app *a, struct detail_ctx *ctx, int width, bool unicode)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->store = a->cfg.store;
	ctx->geo = a->cfg.geo;
	/* Results of a detection run from before an ageing run point at names and ids that may be
	 * gone: use the store alone until the next snapshot. */
	ctx->det = a->cfg.store == NULL || a->snap->epoch == store_epoch(a->cfg.store) ? a->snap->det : NULL;
	ctx->snap = a->snap;
	ctx->notes = a->notes;
	ctx->width = width;
	ctx->unicode = unicode;
	ctx->sources = a->cfg.sources;
	ctx->n_sources = a->cfg.n_sources;
	ctx->collapse = true;
}

static void
build(struct app *a, struct view_detail *d, int width, bool unicode)
{
	struct detail_ctx ctx;
	detail_ctx(a, &ctx, width, unicode);
	/* The store grows under the ingest thread: read it under the read lock, waiting no
	 * longer than a frame (app.h); when it is busy (an ageing step, a detection pass ahead of
	 * a waiting writer) keep the lines on screen and try again at the next tick. */
	if (ctx.store != NULL) {
		if (!app_store_read(a)) {
			/* built stays false: rebuilt when the lock is free */
			if (d->lines.n == 0 || d->width != width || d->lines_tab != d->tab) {
				dlines_clear(&d->lines);
				dlines_add(&d->lines, DL_TEXT, 0, UI_ROLE_DIM,
				           "Updating: the store is busy (ageing or scoring); this fills in "
				           "in a moment.");
				d->cursor[d->tab] = -1;
				d->lines_tab = -1;
			}
			d->unicode = unicode;
			d->width = width;
			return;
		} else {
			if (a->snap->epoch != store_epoch(ctx.store))
				ctx.det = NULL;   /* checked again under the lock */
			/* Aging (live capture under a memory budget) may reuse ids: find the name
			 * again. */
			if (store_epoch(ctx.store) != d->epoch) {
				store_dom_id id = store_domain_find(ctx.store, d->name);
				d->epoch = store_epoch(ctx.store);
				if (id != 0)
					d->dom = id;
			}
		}
	}
	ctx.collapse = !d->no_collapse;
	ctx.expand = d->expand;
	detail_build(&ctx, d->dom, d->tab, &d->lines);
	d->lines_tab = d->tab;
	if (ctx.store != NULL)
		app_store_done(a);
	d->unicode = unicode;
	d->built = true;
	d->width = width;
	if (d->cursor[d->tab] >= d->lines.n || d->cursor[d->tab] < 0 ||
	    !selectable(&d->lines.l[d->cursor[d->tab]])) {
		d->cursor[d->tab] = -1;
		for (int i = 0; i < d->lines.n; i++)
			if (selectable(&d->lines.l[i])) {
				d->cursor[d->tab] = i;
				break;
			}
		/* the heading and what comes before the first line that can be opened stay in
		 * view (the Nameservers tab's NS sets): the cursor waits below until scrolled to */
		if (d->cursor[d->tab] >= 0 && d->top[d->tab] == 0 &&
		    d->cursor[d->tab] >= (d->v.last_h > 2 ? d->v.last_h - 2 : 1))
			d->free_scroll[d->tab] = true;
	}
}

static void
vd_free(struct view *v)
{
	struct view_detail *d = (struct view_detail *)v;
	dlines_clear(&d->lines);
	free(d);
}

static void
vd_crumb(const struct view *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((const struct view_detail *)v)->name);
}

static void
vd_info(const struct app *a, const struct view *v, char *buf, size_t len)
{
	const struct view_detail *d = (const struct view_detail *)v;
	snprintf(buf, len, "%s%s %d/%d", app_history_busy(a, d->name) ? "fetching history… " : "",
	         detail_tab_name(d->tab), d->tab + 1, DTAB_COUNT);
}

static void
vd_set_snap(struct app *a, struct view *v)
{
	struct view_detail *d = (struct view_detail *)v;
	(void)a;
	d->built = false;
}

static uint32_t
vd_current_dom(const struct view *v)
{
	const struct view_detail *d = (const struct view_detail *)v;
	int c = d->cursor[d->tab];
	if (d->tab == DTAB_RELATED && c >= 0 && c < d->lines.n && d->lines.l[c].kind == DL_DOMAIN)
		return d->lines.l[c].key;
	return d->dom;
}

static void
keep_visible(struct view_detail *d, int h)
{
	int c = d->cursor[d->tab], *top = &d->top[d->tab];
	if (c >= 0 && !d->free_scroll[d->tab]) {
		if (c < *top)
			*top = c;
		if (c >= *top + h)
			*top = c - h + 1;
	}
	if (*top > d->lines.n - h)
		*top = d->lines.n - h;
	if (*top < 0)
		*top = 0;
}

static int
vd_move(struct app *a, struct view *v, int how, int64_t n)
{
	struct view_detail *d = (struct view_detail *)v;
	int h = v->last_h > 2 ? v->last_h - 2 : 1, *c = &d->cursor[d->tab], *top = &d->top[d->tab];
	int step = how == MOVE_UP || how == MOVE_PGUP || how == MOVE_HALFUP || how == MOVE_TOP ? -1 : 1;
	int64_t count = n;
	(void)a;

	if (how == MOVE_PGUP || how == MOVE_PGDN)
		count = n * (h > 1 ? h - 1 : 1);
	else if (how == MOVE_HALFUP || how == MOVE_HALFDOWN)
		count = n * (h / 2 > 0 ? h / 2 : 1);
	else if (how == MOVE_TOP || how == MOVE_BOTTOM)
		count = d->lines.n;
	/* scrolled away from the cursor: line by line until it is in view again */
	if (d->free_scroll[d->tab] && *c >= 0 && (how == MOVE_UP || how == MOVE_DOWN)) {
		bool below = *c >= *top + h, above = *c < *top;
		if ((step > 0 && below) || (step < 0 && above)) {
			*top += (int)(step * count);
			keep_visible(d, h);
			if (*c >= *top && *c < *top + h)
				d->free_scroll[d->tab] = false;
			return UI_REDRAW;
		}
		if (below || above) {
			/* the other way: take the first line that can be opened in view */
			for (int i = *top; i < *top + h && i < d->lines.n; i++)
				if (selectable(&d->lines.l[i])) {
					*c = i;
					break;
				}
		}
		d->free_scroll[d->tab] = false;
	}
	if (how == MOVE_WHEEL) {
		*top += (int)n;
		keep_visible(d, h);
		/* the cursor follows into the visible part */
		if (*c >= 0 && (*c < *top || *c >= *top + h))
			for (int i = *top; i < *top + h && i < d->lines.n; i++)
				if (selectable(&d->lines.l[i])) {
					*c = i;
					break;
				}
		return UI_REDRAW;
	}
	if (*c < 0) {
		/* nothing to select: scroll */
		*top += (int)(step * count);
		keep_visible(d, h);
		return UI_REDRAW;
	}
	if (how == MOVE_UP || how == MOVE_DOWN) {
		/* next selectable line; when none is left, scroll what remains into view */
		for (int64_t k = 0; k < count; k++) {
			int i = *c + step;
			while (i >= 0 && i < d->lines.n && !selectable(&d->lines.l[i]))
				i += step;
			if (i < 0 || i >= d->lines.n) {
				/* no line to open that way: scroll what remains into view, leaving the
				 * cursor where it is */
				*top += step;
				if (*top < 0)
					*top = 0;
				if (*top > d->lines.n - h)
					*top = d->lines.n - h > 0 ? d->lines.n - h : 0;
				if (*c < *top || *c >= *top + h)
					d->free_scroll[d->tab] = true;
				return UI_REDRAW;
			}
			*c = i;
		}
		if (step < 0 && *c >= 0) {
			/* show the section title above the first selectable line */
			int i = *c - 1;
			while (i >= 0 && !selectable(&d->lines.l[i]) && *c - i < 3)
				i--;
			if (i < *top && *c - *top < 3)
				*top = i + 1 < *c ? i + 1 : *c;
		}
		keep_visible(d, h);
		return UI_REDRAW;
	}
	/* pages: move by lines, then settle on a selectable line in that direction */
	{
		int i = *c + (int)(step * count);
		if (i < 0)
			i = 0;
		if (i >= d->lines.n)
			i = d->lines.n - 1;
		int j = i;
		while (j >= 0 && j < d->lines.n && !selectable(&d->lines.l[j]))
			j += step;
		if (j < 0 || j >= d->lines.n) {
			j = i;
			while (j >= 0 && j < d->lines.n && !selectable(&d->lines.l[j]))
				j -= step;
		}
		if (j >= 0 && j < d->lines.n)
			*c = j;
		if (how == MOVE_TOP)
			*top = 0;
		d->free_scroll[d->tab] = how == MOVE_TOP && *c >= h;
		keep_visible(d, h);
	}
	return UI_REDRAW;
}

static int
vd_open(struct app *a, struct view *v)
{
	struct view_detail *d = (struct view_detail *)v;
	struct detail_ctx ctx;
	const struct dline *l;
	uint32_t *ids = NULL, n;
	char label[128];
	int kind;

	if (d->cursor[d->tab] < 0 || d->cursor[d->tab] >= d->lines.n)
		return app_message(a, false, "nothing to open here: pick a line with an address, ASN or nameserver");
	l = &d->lines.l[d->cursor[d->tab]];
	if (l->kind == DL_MORE) {
		d->expand |= l->key;
		d->built = false;
		return app_message(a, false, "showing them all");
	}
	if (l->kind == DL_DOMAIN) {
		struct view *nv = view_detail_new(a, l->key);
		return nv != NULL ? app_push(a, nv) : UI_REDRAW;
	}
	detail_ctx(a, &ctx, d->width, d->unicode);
	if (ctx.store != NULL) {
		if (!app_store_read(a))
			return app_message(a, false, "the data is updating: Enter again in a moment");
		if (a->snap->epoch != store_epoch(ctx.store))
			ctx.det = NULL;
	}
	if (l->kind == DL_RESP)
		n = detail_resp_pivot(&ctx, d->dom, l->key, &ids, label, sizeof label);
	else
		n = detail_pivot(&ctx, l->kind, l->key, &ids, label, sizeof label);
	if (ctx.store != NULL)
		app_store_done(a);
	kind = l->kind == DL_ASN || l->kind == DL_COUNTRY ? LIST_ASN : l->kind == DL_NS ? LIST_NS : LIST_ADDR;
	app_push(a, view_list_new(a, kind, label, ids, n));
	free(ids);
	return app_message(a, false, "%u domain%s use %s", n, n == 1 ? "" : "s", label);
}

static int
vd_tab(struct app *a, struct view *v, int tab, int delta)
{
	struct view_detail *d = (struct view_detail *)v;
	(void)a;
	if (delta != 0)
		tab = (d->tab + delta + DTAB_COUNT) % DTAB_COUNT;
	if (tab < 0 || tab >= DTAB_COUNT)
		return UI_OK;
	d->tab = tab;
	d->built = false;
	return UI_REDRAW;
}

static void line_note(struct app *a, struct ui_canvas *c, const struct dline *l, int y);

static void
vd_draw(struct app *a, struct view *v, struct ui_canvas *c, int y0, int h)
{
	struct view_detail *d = (struct view_detail *)v;
	int x = 1, body = h - 2;

	if (!d->built || d->width != c->w)
		build(a, d, c->w, c->unicode);
	/* tabs */
	canvas_fill(c, 0, y0, c->w, 1, ' ', UI_ROLE_TAB);
	for (int t = 0; t < DTAB_COUNT; t++) {
		char buf[32];
		snprintf(buf, sizeof buf, " %d %s ", t + 1, detail_tab_name(t));
		d->tab_x[t] = x;
		x += canvas_put(c, x, y0, c->w - x, t == d->tab ? UI_ROLE_TAB_ACTIVE : UI_ROLE_TAB, buf);
		x++;
	}
	d->tab_x[DTAB_COUNT] = x;
	keep_visible(d, body);
	/* The analyst's marks and notes on the addresses, ASNs and nameservers listed. */
	bool notes_on = a->notes != NULL && notes_count(a->notes) > 0 && a->cfg.store != NULL &&
	                app_store_read(a);
	for (int i = 0; i < body; i++) {
		int li = d->top[d->tab] + i;
		const struct dline *l;
		int y = y0 + 2 + i;
		if (li >= d->lines.n)
			break;
		l = &d->lines.l[li];
		canvas_put_marked(c, 1, y, c->w - 2, (enum ui_role)l->role, l->text);
		if (canvas_marked_width(l->text) > c->w - 2)   /* cut: say so */
			canvas_put(c, c->w - 2, y, 1, UI_ROLE_DIM, c->unicode ? "\xe2\x80\xa6" : "~");
		if (notes_on)
			line_note(a, c, l, y);
		if (li == d->cursor[d->tab])
			canvas_set_role(c, 0, y, c->w, UI_ROLE_CURSOR);
	}
	if (notes_on)
		app_store_done(a);
	/* lines below the screen: said on the tab bar, never over a line */
	if (d->top[d->tab] + body < d->lines.n) {
		char more[32];
		snprintf(more, sizeof more, "%d more %s", d->lines.n - d->top[d->tab] - body,
		         c->unicode ? "\xe2\x96\xbc" : "v");
		int mw = canvas_text_width(more);
		if (x + mw + 1 < c->w)
			canvas_put(c, c->w - mw - 1, y0, mw, UI_ROLE_TAB, more);
	}
}

/* A mark (●) or note (✎) at the start of a line naming an address, ASN or nameserver, and the
 * note's text after the line where it fits. Caller holds the store's read lock. */
static void
line_note(struct app *a, struct ui_canvas *c, const struct dline *l, int y)
{
	char text[300] = "";
	enum note_kind k;
	const struct note *n;

	if (l->kind == DL_ASN) {
		k = NOTE_ASN;
		snprintf(text, sizeof text, "AS%u", l->key);
	} else if (l->kind == DL_ADDR) {
		const struct store_addr *sa = store_addr(a->cfg.store, l->key);
		k = NOTE_ADDR;
		if (sa != NULL)
			fs_addr_str(&sa->addr, text, sizeof text);
	} else if (l->kind == DL_NS) {
		const char *s = store_name_str(a->cfg.store, l->key);
		k = NOTE_NS;
		snprintf(text, sizeof text, "%s", s ? s : "");
	} else
		return;
	if ((n = notes_lookup(a->notes, k, text)) == NULL)
		return;
	canvas_put(c, 0, y, 1, UI_ROLE_MARK, n->marked ? (c->unicode ? "\xe2\x97\x8f" : "*") :
	                                                 (c->unicode ? "\xe2\x9c\x8e" : "n"));
	if (n->text != NULL) {
		int x = 1 + canvas_marked_width(l->text) + 2;
		if (x + 4 < c->w - 1) {
			char buf[1100];
			snprintf(buf, sizeof buf, "%s %s", c->unicode ? "\xe2\x9c\x8e" : "note:", n->text);
			canvas_put_ellip(c, x, y, c->w - 1 - x, UI_ROLE_MARK, buf);
		}
	}
}

static int
vd_mouse(struct app *a, struct view *v, const struct ui_event *ev, int y0, int h)
{
	struct view_detail *d = (struct view_detail *)v;

	if (ev->button == UI_MOUSE_WHEEL_UP)
		return vd_move(a, v, MOVE_WHEEL, -3);
	if (ev->button == UI_MOUSE_WHEEL_DOWN)
		return vd_move(a, v, MOVE_WHEEL, 3);
	if (ev->button != UI_MOUSE_LEFT)
		return UI_OK;
	if (ev->y == y0) {
		for (int t = 0; t < DTAB_COUNT; t++)
			if (ev->x >= d->tab_x[t] && ev->x < d->tab_x[t + 1])
				return vd_tab(a, v, t, 0);
		return UI_OK;
	}
	if (ev->y >= y0 + 2 && ev->y < y0 + h) {
		int li = d->top[d->tab] + ev->y - y0 - 2;
		if (li < d->lines.n && selectable(&d->lines.l[li])) {
			d->cursor[d->tab] = li;
			if (ev->dbl)
				return vd_open(a, v);
		}
		return UI_REDRAW;
	}
	return UI_OK;
}

/* Case-insensitive search in a line's text, role marks skipped. */
static bool
line_contains(const char *text, const char *needle)
{
	char buf[1024];
	size_t o = 0;
	for (const char *p = text; *p != '\0' && o + 1 < sizeof buf; p++) {
		if (*p == CANVAS_MARK) {
			if (p[1] != '\0')
				p++;
			continue;
		}
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return strcasestr(buf, needle) != NULL;
}

static int64_t
vd_find(struct view *v, const char *text, uint64_t from, bool forward)
{
	struct view_detail *d = (struct view_detail *)v;
	int n = d->lines.n;

	if (n == 0)
		return -1;
	if (from >= (uint64_t)n)
		from = forward ? 0 : (uint64_t)n - 1;
	for (int k = 0; k < n; k++) {
		int i = forward ? (int)((from + (uint64_t)k) % (uint64_t)n)
		                : (int)((from + (uint64_t)n - (uint64_t)k) % (uint64_t)n);
		if (line_contains(d->lines.l[i].text, text))
			return i;
	}
	return -1;
}

static uint64_t
vd_cur_item(const struct view *v)
{
	const struct view_detail *d = (const struct view_detail *)v;
	int c = d->cursor[d->tab];
	return c >= 0 ? (uint64_t)c : (uint64_t)d->top[d->tab];
}

/* Put the cursor on a line when it can be opened, else scroll it to the top. */
static void
vd_goto_item(struct view *v, uint64_t item)
{
	struct view_detail *d = (struct view_detail *)v;
	int i = (int)item, h = v->last_h > 2 ? v->last_h - 2 : 1;

	if (i < 0 || i >= d->lines.n)
		return;
	if (selectable(&d->lines.l[i])) {
		d->cursor[d->tab] = i;
	} else {
		/* show the line at the top, the cursor on the next line that can be opened */
		d->top[d->tab] = i;
		if (d->cursor[d->tab] >= 0)
			for (int j = i; j < d->lines.n; j++)
				if (selectable(&d->lines.l[j])) {
					d->cursor[d->tab] = j;
					break;
				}
	}
	keep_visible(d, h);
}

static uint64_t
vd_save_pos(const struct view *v)
{
	const struct view_detail *d = (const struct view_detail *)v;
	return (uint64_t)(uint32_t)d->top[d->tab] << 32 | (uint32_t)(d->cursor[d->tab] + 1);
}

static void
vd_restore_pos(struct view *v, uint64_t pos)
{
	struct view_detail *d = (struct view_detail *)v;
	d->top[d->tab] = (int)(pos >> 32);
	d->cursor[d->tab] = (int)(uint32_t)pos - 1;
}

static const char *
vd_hint(const struct app *a, const struct view *v)
{
	const struct view_detail *d = (const struct view_detail *)v;
	(void)a;
	switch (d->tab) {
	case DTAB_TIMELINE:
		return "Tab/1-5 tabs  j/k rows  Enter addresses' domains  y copy  w packet (tshark)  "
		       "c fold/unfold  / search  Esc back  ? help";
	case DTAB_RELATED:
		return "Tab/1-5 tabs  j/k move  Enter open domain  m mark  y copy  / search  Esc back  ? help";
	default:
		return "Tab/1-5 tabs  j/k move  Enter open (domains using it)  m mark  y copy  / search  "
		       "Esc back  ? help";
	}
}

static const struct view_ops detail_ops = {
	.name = "detail",
	.free = vd_free,
	.draw = vd_draw,
	.mouse = vd_mouse,
	.set_snap = vd_set_snap,
	.crumb = vd_crumb,
	.info = vd_info,
	.move = vd_move,
	.open = vd_open,
	.tab = vd_tab,
	.current_dom = vd_current_dom,
	.list = NULL,
	.find = vd_find,
	.cur_item = vd_cur_item,
	.goto_item = vd_goto_item,
	.save_pos = vd_save_pos,
	.restore_pos = vd_restore_pos,
	.hint = vd_hint,
};

struct view *
view_detail_new(struct app *a, uint32_t dom)
{
	struct view_detail *d;
	uint32_t r = snap_find_dom(a->snap, dom);

	if (r == UINT32_MAX) {
		app_message(a, true, "domain %u is not in the current data", dom);
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->v.ops = &detail_ops;
	d->dom = dom;
	snprintf(d->name, sizeof d->name, "%s", a->snap->dom.rows[r].name);
	/* the id is the snapshot's: found again by name when the store's epoch is another */
	d->epoch = a->snap->epoch;
	d->lines_tab = -1;
	for (int t = 0; t < DTAB_COUNT; t++)
		d->cursor[t] = -1;
	/* A ClickHouse window may hold only part of its rows: fetch the rest (history_ui.h) */
	(void)app_history_fetch(a, d->name, false, NULL);
	return &d->v;
}

int
view_detail_tab(const struct view *v)
{
	return strcmp(v->ops->name, "detail") == 0 ? ((const struct view_detail *)v)->tab : 0;
}

const struct dline *
view_detail_line(const struct view *v)
{
	const struct view_detail *d = (const struct view_detail *)v;

	if (strcmp(v->ops->name, "detail") != 0 || d->lines_tab != d->tab || d->cursor[d->tab] < 0 ||
	    d->cursor[d->tab] >= d->lines.n)
		return NULL;
	return &d->lines.l[d->cursor[d->tab]];
}

/* ---- actions on the line under the cursor (commands copy, packet, collapse) ----------------- */

static struct view_detail *
as_detail(struct view *v)
{
	return v != NULL && strcmp(v->ops->name, "detail") == 0 ? (struct view_detail *)v : NULL;
}

int
view_detail_copy(struct app *a, struct view *v)
{
	struct view_detail *d = as_detail(v);
	char buf[2048];
	int c;

	if (d == NULL)
		return app_message(a, true, "copy: open a domain's detail first");
	c = d->cursor[d->tab];
	if (c < 0 || c >= d->lines.n || d->free_scroll[d->tab])
		c = d->top[d->tab] < d->lines.n ? d->top[d->tab] : -1;
	if (c < 0)
		return app_message(a, true, "copy: nothing under the cursor");
	dline_plain(&d->lines.l[c], buf, sizeof buf);
	free(a->clip);
	a->clip = xstrdup(buf);
	return app_message(a, false, "copied to the clipboard (OSC 52): %.60s%s", buf,
	                   strlen(buf) > 60 ? "…" : "") | UI_REDRAW;
}

int
view_detail_collapse(struct app *a, struct view *v)
{
	struct view_detail *d = as_detail(v);
	if (d == NULL)
		return app_message(a, true, "collapse: open a domain's Timeline first");
	d->no_collapse = !d->no_collapse;
	d->built = false;
	d->cursor[DTAB_TIMELINE] = -1;
	d->top[DTAB_TIMELINE] = 0;
	return app_message(a, false, d->no_collapse ? "Timeline: every response on its own row"
	                                            : "Timeline: identical consecutive rows folded");
}

int
view_detail_packet(struct app *a, struct view *v)
{
	struct view_detail *d = as_detail(v);
	const struct dline *l;
	const char *file;
	char filter[64], title[512];
	char *argv[12];
	int n = 0;

	if (d == NULL || d->tab != DTAB_TIMELINE)
		return app_message(a, true, "packet: pick a row in a domain's Timeline (tab 2)");
	if (d->cursor[DTAB_TIMELINE] < 0 || d->cursor[DTAB_TIMELINE] >= d->lines.n ||
	    d->lines.l[d->cursor[DTAB_TIMELINE]].kind != DL_RESP)
		return app_message(a, true, "packet: pick a row in the Timeline first");
	l = &d->lines.l[d->cursor[DTAB_TIMELINE]];
	if (l->aux2 == 0xffff)
		return app_message(a, true, "packet: this row came from a resolver log (dnstap, Zeek, EVE), "
		                   "not a packet capture");
	if (l->aux == 0)
		return app_message(a, true, "packet: the frame of this row is not known");
	if (a->cfg.sources == NULL || l->aux2 >= a->cfg.n_sources || a->cfg.sources[l->aux2] == NULL ||
	    strcmp(a->cfg.sources[l->aux2], "-") == 0)
		return app_message(a, true, "packet: the capture is not a file that can be read again "
		                   "(live, a pipe or ClickHouse)");
	file = a->cfg.sources[l->aux2];
	snprintf(filter, sizeof filter, "frame.number==%u", l->aux);
	argv[n++] = (char *)(a->cfg.tshark != NULL ? a->cfg.tshark : "tshark");
	argv[n++] = (char *)"-r";
	argv[n++] = (char *)file;
	argv[n++] = (char *)"-Y";
	argv[n++] = filter;
	argv[n++] = (char *)"-O";      /* the DNS layer in full, the others on one line each */
	argv[n++] = (char *)"dns";
	argv[n] = NULL;
	snprintf(title, sizeof title, "%s -r %s -Y %s -O dns", argv[0], file, filter);
	if (a->ov != NULL)
		app_close_overlay(a);
	a->ov = pager_overlay_run(title, argv);
	return UI_REDRAW;
}
