/* The capture-wide time view (`:view time`, key t): responses and flagged domains per time bin
 * over the capture's span, the bins as many as the terminal is wide (whole seconds each, a
 * rounded width), a cursor over the bins and a range (`[` start, `]` end) that Enter turns into
 * the list's filter `last_seen >= T1 and first_seen < T2` (ISO times, UTC): the domains seen
 * in the range.
 *
 * The counts come from the store's timelines (model_time_add), read in slices of at most APP_SLICE_MS under the
 * read lock (app_store_read: never a long wait on the UI thread); a domain counts as flagged by
 * the verdict of the current snapshot's row. A scan restarts when the width changes, and once
 * when a newer snapshot arrives (the store grew while loading; after the running scan).
 *
 * Threads: UI thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fluxscope/model.h"
#include "fluxscope/store.h"
#include "ui/app.h"

struct view_time {
	struct view base;
	/* bins */
	int nbins;                 /* 0 until the first scan starts */
	int width;                 /* canvas width the bins were made for */
	int64_t t0;                /* start of bin 0, epoch seconds */
	int64_t bw;                /* bin width, seconds */
	uint64_t *resp;            /* responses per bin */
	uint32_t *flag;            /* flagged domains with a response in the bin */
	uint32_t *last_dom;        /* per bin: the last domain counted in flag */
	uint64_t total;            /* responses counted */
	/* scan */
	bool scanning, done, stale;
	store_dom_id next;         /* next domain id to read */
	uint32_t epoch;
	/* cursor and range */
	int cur, top;
	int ra, rb;                /* range bins, -1 = not set */
};

static const int64_t nice_steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
	                              7200, 10800, 21600, 43200, 86400 };

/* Left margin of the chart: the axis labels. */
#define VT_MARGIN 9

static void
vt_reset_bins(struct app *a, struct view_time *t, int width)
{
	int64_t t_min, t_max, span, bw;
	int n = width - VT_MARGIN - 1;

	if (n < 1)
		n = 1;
	t_min = a->snap != NULL ? a->snap->t_min : 0;
	t_max = a->snap != NULL ? a->snap->t_max : 0;
	if (t_max < t_min)
		t_max = t_min;
	t->t0 = t_min / FS_USEC;
	span = t_max / FS_USEC + 1 - t->t0;
	bw = (span + n - 1) / n;
	for (size_t i = 0; i < sizeof nice_steps / sizeof nice_steps[0]; i++)
		if (nice_steps[i] >= bw) {
			bw = nice_steps[i];
			break;
		}
	if (bw > 86400)
		bw = (bw + 86399) / 86400 * 86400;
	if (bw < 1)
		bw = 1;
	t->t0 -= t->t0 % bw;   /* bins on round times */
	t->bw = bw;
	n = (int)((t_max / FS_USEC + 1 - t->t0 + bw - 1) / bw);
	if (n < 1)
		n = 1;
	if (n != t->nbins) {
		free(t->resp);
		free(t->flag);
		free(t->last_dom);
		t->resp = xcalloc((size_t)n, sizeof *t->resp);
		t->flag = xcalloc((size_t)n, sizeof *t->flag);
		t->last_dom = xcalloc((size_t)n, sizeof *t->last_dom);
		t->nbins = n;
	} else {
		memset(t->resp, 0, (size_t)n * sizeof *t->resp);
		memset(t->flag, 0, (size_t)n * sizeof *t->flag);
		memset(t->last_dom, 0, (size_t)n * sizeof *t->last_dom);
	}
	t->width = width;
	t->total = 0;
	t->next = 1;
	t->scanning = true;
	t->done = false;
	t->stale = false;
	if (t->cur >= n)
		t->cur = n - 1;
	if (t->ra >= n || t->rb >= n)
		t->ra = t->rb = -1;
}

static bool
vt_busy(const struct view *v)
{
	const struct view_time *t = (const struct view_time *)v;
	return t->scanning;
}

static int
vt_work(struct app *a, struct view *v, double budget_ms)
{
	struct view_time *t = (struct view_time *)v;
	struct store *s = a->cfg.store;
	double t_end = fs_mono_ms() + budget_ms;
	bool use_det;
	size_t n;

	if (!t->scanning)
		return UI_OK;
	if (s == NULL) {
		t->scanning = false;
		t->done = true;
		return UI_REDRAW;
	}
	if (!app_store_read(a))
		return UI_OK;          /* busy: again at the next slice */
	if (t->next == 1) {
		t->epoch = store_epoch(s);
	} else if (store_epoch(s) != t->epoch) {
		/* ageing moved ids: start again */
		app_store_done(a);
		vt_reset_bins(a, t, t->width);
		return UI_OK;
	}
	use_det = a->snap != NULL && a->snap->epoch == store_epoch(s);
	const struct model_time_bins bins = { t->t0, t->bw, t->nbins, t->resp, t->flag, t->last_dom };
	n = store_domain_count(s);
	for (int k = 0; t->next <= n; t->next++, k++) {
		const struct store_domain *d = store_domain(s, t->next);
		bool flagged = false;
		if ((k & 255) == 255 && fs_mono_ms() >= t_end)
			break;
		if (d == NULL || d->n_resp == 0)
			continue;
		if (use_det) {
			uint32_t r = snap_find_dom(a->snap, t->next);
			flagged = r != UINT32_MAX && det_is_flagged((enum det_verdict)a->snap->dom.rows[r].verdict);
		}
		t->total += model_time_add(s, t->next, flagged, &bins);
	}
	if (t->next > n) {
		t->scanning = false;
		t->done = true;
	}
	app_store_done(a);
	if (t->done && t->stale)
		vt_reset_bins(a, t, t->width);   /* a snapshot came during the scan: again */
	return UI_REDRAW;
}

static void
vt_set_snap(struct app *a, struct view *v)
{
	struct view_time *t = (struct view_time *)v;
	/* a newer snapshot: the capture's span or the verdicts changed; read again once the
	 * running scan is done (a scan that restarted at every snapshot might never end) */
	if (t->scanning)
		t->stale = true;
	else if (t->width > 0)
		vt_reset_bins(a, t, t->width);
}

static void
vt_free(struct view *v)
{
	struct view_time *t = (struct view_time *)v;
	free(t->resp);
	free(t->flag);
	free(t->last_dom);
	free(t);
}

static void
vt_crumb(const struct view *v, char *buf, size_t len)
{
	(void)v;
	snprintf(buf, len, "Time");
}

static const char *
vt_fmt(int64_t secs, char *buf, size_t len)
{
	time_t s = (time_t)secs;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	return buf;
}

static void
vt_fmt_width(int64_t s, char *buf, size_t len)
{
	if (s % 86400 == 0)
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
	else if (s % 3600 == 0)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

static void
vt_info(const struct app *a, const struct view *v, char *buf, size_t len)
{
	const struct view_time *t = (const struct view_time *)v;
	char n1[32], w[16];
	(void)a;
	vt_fmt_width(t->bw, w, sizeof w);
	snprintf(buf, len, "%s responses in %d bins of %s%s", app_fmt_count(t->total, n1, sizeof n1),
	         t->nbins, w, t->scanning ? " (counting…)" : "");
}

static void
vt_range(const struct view_time *t, int *lo, int *hi)
{
	int a = t->ra >= 0 ? t->ra : t->cur, b = t->rb >= 0 ? t->rb : (t->ra >= 0 ? t->cur : t->cur);
	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

static void
vt_draw(struct app *a, struct view *v, struct ui_canvas *c, int y0, int h)
{
	struct view_time *t = (struct view_time *)v;
	static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	char b1[32], b2[32], b3[32], line[512];
	uint64_t maxr = 0;
	uint32_t maxf = 0;
	int hc, y = y0, lo, hi;

	if (t->width != c->w || t->nbins == 0)
		vt_reset_bins(a, t, c->w);   /* counted again in the next slices */
	v->last_h = h;
	for (int i = 0; i < t->nbins; i++) {
		if (t->resp[i] > maxr)
			maxr = t->resp[i];
		if (t->flag[i] > maxf)
			maxf = t->flag[i];
	}
	vt_range(t, &lo, &hi);
	hc = (h - 8) / 2;
	if (hc > 12)
		hc = 12;
	if (hc < 2)
		hc = 2;
	canvas_printf(c, 0, y++, c->w, UI_ROLE_TITLE, "Responses per %s bin (UTC)%s",
	              (vt_fmt_width(t->bw, b1, sizeof b1), b1),
	              t->scanning ? "  counting…" : "");
	/* responses: bars of hc rows, eighths with Unicode */
	for (int r = 0; r < hc && y < y0 + h; r++, y++) {
		if (r == 0)
			canvas_put_right(c, 0, y, VT_MARGIN - 1, UI_ROLE_DIM, app_fmt_count(maxr, b1, sizeof b1));
		if (r == hc - 1)
			canvas_put_right(c, 0, y, VT_MARGIN - 1, UI_ROLE_DIM, "0");
		for (int i = 0; i < t->nbins; i++) {
			/* height in eighths of a row, at least one eighth for a non-empty bin */
			uint64_t e = maxr ? (t->resp[i] * (uint64_t)hc * 8 + maxr - 1) / maxr : 0;
			int64_t here = (int64_t)e - (int64_t)(hc - 1 - r) * 8;
			enum ui_role role = i == t->cur ? UI_ROLE_CURSOR
			                    : (i >= lo && i <= hi && t->ra >= 0) ? UI_ROLE_MARK : UI_ROLE_BAR;
			const char *g;
			if (here <= 0)
				g = i == t->cur ? " " : NULL;
			else if (here >= 8)
				g = c->unicode ? blocks[8] : "#";
			else
				g = c->unicode ? blocks[here] : (here >= 4 ? "#" : ".");
			if (g != NULL)
				canvas_put(c, VT_MARGIN + i, y, 1, role, g);
		}
	}
	/* flagged domains: one row of eighths */
	if (y < y0 + h) {
		canvas_put_right(c, 0, y, VT_MARGIN - 1, UI_ROLE_LABEL, "flagged");
		for (int i = 0; i < t->nbins; i++) {
			uint32_t e = maxf ? (t->flag[i] * 8 + maxf - 1) / maxf : 0;
			enum ui_role role = i == t->cur ? UI_ROLE_CURSOR
			                    : (i >= lo && i <= hi && t->ra >= 0) ? UI_ROLE_MARK : UI_ROLE_SPARK;
			canvas_put(c, VT_MARGIN + i, y, 1, role,
			           c->unicode ? blocks[e] : e == 0 ? " " : e >= 4 ? "#" : ".");
		}
		y++;
	}
	/* time axis */
	if (y < y0 + h) {
		int64_t end = t->t0 + (int64_t)t->nbins * t->bw;
		app_fmt_time(t->t0 * FS_USEC, true, b1, sizeof b1);
		app_fmt_time(end * FS_USEC, true, b2, sizeof b2);
		canvas_put(c, VT_MARGIN, y, c->w - VT_MARGIN, UI_ROLE_DIM, b1);
		canvas_put_right(c, VT_MARGIN, y, t->nbins, UI_ROLE_DIM, b2);
		y++;
	}
	/* the cursor's bin and the range */
	if (y < y0 + h) {
		int64_t s = t->t0 + (int64_t)t->cur * t->bw;
		vt_fmt(s, b1, sizeof b1);
		vt_fmt(s + t->bw, b2, sizeof b2);
		snprintf(line, sizeof line, "bin %d/%d  %s – %s  %s responses, %u flagged domains", t->cur + 1,
		         t->nbins, b1, b2 + 11, app_fmt_count(t->resp[t->cur], b3, sizeof b3),
		         t->flag[t->cur]);
		canvas_put_ellip(c, 0, y++, c->w, UI_ROLE_VALUE, line);
	}
	if (y < y0 + h) {
		if (t->ra >= 0) {
			vt_fmt(t->t0 + (int64_t)lo * t->bw, b1, sizeof b1);
			vt_fmt(t->t0 + (int64_t)(hi + 1) * t->bw, b2, sizeof b2);
			snprintf(line, sizeof line, "range %s%s – %s (bins %d–%d): Enter filters the list, x clears",
			         t->rb >= 0 ? "" : "from ", b1, b2, lo + 1, hi + 1);
		} else {
			snprintf(line, sizeof line, "[ marks the start of a range, ] its end; Enter filters the list "
			         "to the cursor's bin or the range");
		}
		canvas_put_ellip(c, 0, y++, c->w, UI_ROLE_DIM, line);
	}
	/* every bin as a row, the cursor's kept in view */
	if (y + 1 < y0 + h) {
		int rows = y0 + h - y - 1;
		canvas_printf(c, 0, y++, c->w, UI_ROLE_HEADER, "%-20s %-20s %12s %9s", "from (UTC)", "to",
		              "responses", "flagged");
		if (t->cur < t->top)
			t->top = t->cur;
		if (t->cur >= t->top + rows)
			t->top = t->cur - rows + 1;
		if (t->top < 0)
			t->top = 0;
		for (int i = t->top; i < t->nbins && y < y0 + h; i++, y++) {
			int64_t s = t->t0 + (int64_t)i * t->bw;
			enum ui_role role = i == t->cur ? UI_ROLE_CURSOR
			                    : (i >= lo && i <= hi && t->ra >= 0) ? UI_ROLE_MARK : UI_ROLE_DEFAULT;
			canvas_printf(c, 0, y, c->w, role, "%-20s %-20s %12s %9u", vt_fmt(s, b1, sizeof b1),
			              vt_fmt(s + t->bw, b2, sizeof b2),
			              app_fmt_count(t->resp[i], b3, sizeof b3), t->flag[i]);
			if (i == t->cur)
				canvas_set_role(c, 0, y, c->w, UI_ROLE_CURSOR);
		}
	}
}

static int
vt_move(struct app *a, struct view *v, int how, int64_t n)
{
	struct view_time *t = (struct view_time *)v;
	int64_t c = t->cur, page = v->last_h > 20 ? v->last_h - 16 : 4;
	(void)a;
	switch (how) {
	case MOVE_UP: c -= n; break;
	case MOVE_DOWN: c += n; break;
	case MOVE_PGUP: c -= page * n; break;
	case MOVE_PGDN: c += page * n; break;
	case MOVE_HALFUP: c -= page / 2 * n; break;
	case MOVE_HALFDOWN: c += page / 2 * n; break;
	case MOVE_TOP: c = 0; break;
	case MOVE_BOTTOM: c = t->nbins - 1; break;
	case MOVE_WHEEL: c += n; break;
	default: break;
	}
	if (c >= t->nbins)
		c = t->nbins - 1;
	if (c < 0)
		c = 0;
	t->cur = (int)c;
	return UI_REDRAW;
}

static int
vt_mouse(struct app *a, struct view *v, const struct ui_event *ev, int y0, int h)
{
	struct view_time *t = (struct view_time *)v;
	(void)y0; (void)h;
	if (ev->type == UI_EV_MOUSE && ev->button == UI_MOUSE_LEFT && ev->x >= VT_MARGIN && ev->x < VT_MARGIN + t->nbins) {
		t->cur = ev->x - VT_MARGIN;
		return UI_REDRAW;
	}
	(void)a;
	return UI_OK;
}

/* The filter text of the range (or the cursor's bin): the domains with a response in it. */
static void
vt_range_expr(const struct view_time *t, char *buf, size_t len)
{
	char b1[32], b2[32];
	int lo, hi;
	vt_range(t, &lo, &hi);
	snprintf(buf, len, "last_seen>=%s and first_seen<%s", vt_fmt(t->t0 + (int64_t)lo * t->bw, b1, sizeof b1),
	         vt_fmt(t->t0 + (int64_t)(hi + 1) * t->bw, b2, sizeof b2));
}

static int
vt_open(struct app *a, struct view *v)
{
	char expr[256], text[1024];
	const char *old;
	struct view *l = NULL;
	int i;

	vt_range_expr((struct view_time *)v, expr, sizeof expr);
	for (i = a->depth - 1; i >= 0; i--)
		if (view_is_list(a->stack[i])) {
			l = a->stack[i];
			break;
		}
	if (l == NULL)
		return app_message(a, true, "no list to filter");
	app_pop_to(a, i + 1);
	old = view_list_filter(l);
	if (old != NULL && old[0] != '\0' && strstr(old, "last_seen>=") == NULL)
		snprintf(text, sizeof text, "(%s) and %s", old, expr);
	else
		snprintf(text, sizeof text, "%s", expr);
	return view_list_set_filter(a, l, text) | UI_REDRAW;
}

static const char *
vt_hint(const struct app *a, const struct view *v)
{
	(void)a; (void)v;
	return "j/k or ←→ bins  [ ] range start/end  x clear  Enter filter the list  Esc back  ? help";
}

static uint64_t
vt_cur_item(const struct view *v)
{
	return (uint64_t)((const struct view_time *)v)->cur;
}

static void
vt_goto_item(struct view *v, uint64_t item)
{
	struct view_time *t = (struct view_time *)v;
	if (item < (uint64_t)t->nbins)
		t->cur = (int)item;
}

static const struct view_ops time_ops = {
	.name = "time",
	.free = vt_free,
	.draw = vt_draw,
	.mouse = vt_mouse,
	.set_snap = vt_set_snap,
	.crumb = vt_crumb,
	.info = vt_info,
	.move = vt_move,
	.open = vt_open,
	.cur_item = vt_cur_item,
	.goto_item = vt_goto_item,
	.hint = vt_hint,
	.busy = vt_busy,
	.work = vt_work,
};

struct view *
view_time_new(struct app *a)
{
	struct view_time *t = xcalloc(1, sizeof *t);
	t->base.ops = &time_ops;
	t->ra = t->rb = -1;
	vt_reset_bins(a, t, a->w > 0 ? a->w : 80);
	return &t->base;
}

bool
view_is_time(const struct view *v)
{
	return v != NULL && v->ops == &time_ops;
}

int
view_time_range(struct app *a, struct view *v, const char *what)
{
	struct view_time *t = (struct view_time *)v;
	char expr[256];

	if (!view_is_time(v))
		return app_message(a, true, "range: only in the time view (:view time)");
	if (strcmp(what, "start") == 0) {
		t->ra = t->cur;
		t->rb = -1;
	} else if (strcmp(what, "end") == 0) {
		if (t->ra < 0)
			t->ra = t->cur;
		t->rb = t->cur;
	} else if (strcmp(what, "clear") == 0) {
		t->ra = t->rb = -1;
		return app_message(a, false, "range cleared");
	} else if (strcmp(what, "apply") == 0) {
		return vt_open(a, v);
	} else {
		return app_message(a, true, "range: '%s' is not start, end, clear or apply", what);
	}
	vt_range_expr(t, expr, sizeof expr);
	return app_message(a, false, "range: %s", expr);
}
