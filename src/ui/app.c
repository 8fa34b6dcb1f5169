/* The application state machine: events → commands → reactions, and the frame around the views
 * (breadcrumb, status bar, message line, overlays). No curses here; see draw.c and app_run(). */
#include "fluxscope/bgwrite.h"
#include "ui/session_ui.h"
#include "ui/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fluxscope/store.h"
#include "ui/cmd.h"
#include "ui/probe_ui.h"
#include "ui/history_ui.h"
#include "ui/prompt.h"

#define SEP_U " \xe2\x94\x82 "  /* │ */
#define SEP_A " | "

void
app_init(struct app *a, const struct app_config *cfg, const struct app_feed_ops *feed,
         void *feed_ctx)
{
	struct fs_err err = { 0 };

	memset(a, 0, sizeof *a);
	a->cfg = *cfg;
	a->feed = feed;
	a->feed_ctx = feed_ctx;
	a->w = 80;
	a->h = 24;
	keymap_init(&a->keys);
	a->empty = snap_new(0);
	snap_finish(a->empty, NULL);
	a->snap = a->empty;
	a->notes = notes_new();
	a->notes_owned = true;
	for (int i = 0; cfg->sources != NULL && i < cfg->n_sources && i < 96; i++)
		a->srcs[a->n_srcs++] = cfg->sources[i];
	a->n_srcs_cfg = a->n_srcs;
	a->cfg.sources = a->srcs;
	a->cfg.n_sources = a->n_srcs;
	if (theme_load(cfg->theme, cfg->theme_dirs, cfg->n_theme_dirs, &a->theme, &err) != FS_OK)
		app_message(a, true, "%s; using the default theme", err.msg);
	app_push(a, view_list_new(a, LIST_HOME, "domains", NULL, 0));
	if (feed != NULL)
		app_tick(a);
}

void
app_fini(struct app *a)
{
	app_probe_fini(a);
	prompt_end(a);
	if (a->ov != NULL)
		a->ov->ops->free(a->ov);
	free(a->clip);
	a->clip = NULL;
	while (a->depth > 0) {
		struct view *v = a->stack[--a->depth];
		v->ops->free(v);
	}
	if (a->snap != a->empty && a->feed != NULL && a->feed->release != NULL)
		a->feed->release(a->feed_ctx, a->snap);
	snap_free(a->empty);
	free(a->markbits);
	if (a->notes_owned)
		notes_free(a->notes);
	a->notes = NULL;
	for (int i = a->n_srcs_cfg; i < a->n_srcs; i++)
		free((char *)a->srcs[i]);
	a->n_srcs = a->n_srcs_cfg;
	keymap_fini(&a->keys);
	memset(a, 0, sizeof *a);
}

/* The UI thread's store lock waits (app.h). One UI thread per process. */
static struct app_lock_stats lock_st;

void
app_key_stats_note(double ms)
{
	lock_st.keys++;
	if (ms > lock_st.max_key_ms)
		lock_st.max_key_ms = ms;
}

bool
app_store_read(struct app *a)
{
	double t0, t1;
	bool ok;

	if (a->cfg.store == NULL)
		return false;
	t0 = fs_mono_ms();
	ok = store_read_lock_for(a->cfg.store, APP_LOCK_WAIT_MS);
	t1 = fs_mono_ms();
	lock_st.tries++;
	lock_st.total_wait_ms += t1 - t0;
	if (t1 - t0 > lock_st.max_wait_ms)
		lock_st.max_wait_ms = t1 - t0;
	if (!ok) {
		lock_st.busy++;
		if (a->stale_since == 0)
			a->stale_since = t0;
		a->updating = true;
		return false;
	}
	if (a->stale_since != 0) {
		if (t1 - a->stale_since > lock_st.max_stale_ms)
			lock_st.max_stale_ms = t1 - a->stale_since;
		a->stale_since = 0;
	}
	return true;
}

void
app_store_done(struct app *a)
{
	store_read_unlock(a->cfg.store);
}

void
app_lock_stats(struct app_lock_stats *out)
{
	*out = lock_st;
}

int
app_message(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	a->caret_text[0] = '\0';
	va_end(ap);
	a->msg_error = error;
	return UI_REDRAW;
}

int
app_run_command(struct app *a, const char *line)
{
	struct fs_err err = { 0 };
	int r = cmd_exec(a, line, &err);
	if (r < 0)
		return app_message(a, true, "%s", err.msg);
	return r;
}

struct view *
app_top(const struct app *a)
{
	return a->depth > 0 ? a->stack[a->depth - 1] : NULL;
}

int
app_push(struct app *a, struct view *v)
{
	if (a->depth >= APP_MAX_DEPTH) {
		/* Forget the oldest step after home rather than refuse to walk on. */
		struct view *old = a->stack[1];
		old->ops->free(old);
		memmove(&a->stack[1], &a->stack[2], (size_t)(a->depth - 2) * sizeof a->stack[0]);
		a->depth--;
	}
	a->stack[a->depth++] = v;
	return UI_REDRAW;
}

int
app_pop_to(struct app *a, int depth)
{
	if (depth < 1)
		depth = 1;
	while (a->depth > depth) {
		struct view *v = a->stack[--a->depth];
		v->ops->free(v);
	}
	return UI_REDRAW;
}

int
app_back(struct app *a)
{
	if (a->depth <= 1)
		return app_message(a, false, "at the home list (q quits)");
	return app_pop_to(a, a->depth - 1);
}

int
app_set_theme(struct app *a, const char *name_or_path)
{
	struct fs_err err = { 0 };
	struct ui_theme t;

	if (theme_load(name_or_path, a->cfg.theme_dirs, a->cfg.n_theme_dirs, &t, &err) != FS_OK) {
		app_message(a, true, "%s; theme unchanged", err.msg);
		return UI_REDRAW;
	}
	a->theme = t;
	app_message(a, false, "theme %s", t.name);
	return UI_THEME;
}

static bool
mark_get(const struct app *a, uint32_t dom)
{
	return dom < a->n_markbits * 8 && (a->markbits[dom / 8] & (1u << (dom % 8)));
}

static void mark_bit(struct app *a, uint32_t dom, bool on);

/* Reflect the mark set in a snapshot's rows (new snapshots may predate a mark). Domain marks
 * of a reopened session (by name, in a->notes) that no row carried yet are resolved here as
 * their names arrive. */
static void
apply_marks(struct app *a, struct snap *s)
{
	if (a->notes != NULL && notes_marked(a->notes, NOTE_DOMAIN) > a->n_marks) {
		for (uint32_t i = 0; i < s->dom.n; i++) {
			const struct snap_row *r = &s->dom.rows[i];
			const struct note *n;
			if (r->name != NULL && !mark_get(a, r->id) &&
			    (n = notes_find(a->notes, NOTE_DOMAIN, r->name)) != NULL && n->marked)
				mark_bit(a, r->id, true);
		}
	}
	for (uint32_t i = 0; i < s->dom.n; i++) {
		struct snap_row *r = &s->dom.rows[i];
		if (mark_get(a, r->id))
			r->flags |= SNAP_MARKED;
		else
			r->flags &= (uint8_t)~SNAP_MARKED;
	}
	for (uint32_t g = 0; g < s->grp.n; g++) {
		struct snap_row *gr = &s->grp.rows[g];
		gr->flags &= (uint8_t)~SNAP_MARKED;
		for (uint32_t m = 0; m < gr->n_members; m++)
			if (s->dom.rows[s->grp_members[gr->group + m]].flags & SNAP_MARKED)
				gr->flags |= SNAP_MARKED;
	}
}

/* Set one domain's mark bit and tell the feed (which pins it in the store for export). */
static void
mark_bit(struct app *a, uint32_t dom, bool on)
{
	if (on == mark_get(a, dom))
		return;
	if (dom / 8 >= a->n_markbits) {
		size_t n = a->n_markbits ? a->n_markbits : 64;
		while (n <= dom / 8)
			n *= 2;
		a->markbits = xrealloc(a->markbits, n);
		memset(a->markbits + a->n_markbits, 0, n - a->n_markbits);
		a->n_markbits = n;
	}
	if (on) {
		a->markbits[dom / 8] |= (uint8_t)(1u << (dom % 8));
		a->n_marks++;
	} else {
		a->markbits[dom / 8] &= (uint8_t)~(1u << (dom % 8));
		a->n_marks--;
	}
	if (a->feed != NULL && a->feed->set_mark != NULL)
		a->feed->set_mark(a->feed_ctx, dom, on);
}

int
app_set_mark(struct app *a, uint32_t dom, int how)
{
	uint32_t r;
	bool on;

	if (dom == 0) { /* clear every mark */
		for (size_t i = 0; a->notes != NULL && i < notes_count(a->notes); i++) {
			const struct note *n = notes_at(a->notes, i);
			if (n != NULL && n->kind == NOTE_DOMAIN && n->marked) {
				char key[300];
				snprintf(key, sizeof key, "%s", n->key);
				notes_mark(a->notes, NOTE_DOMAIN, key, false);
			}
		}
		for (uint32_t d = 0; d < a->n_markbits * 8; d++)
			if (mark_get(a, d) && a->feed != NULL && a->feed->set_mark != NULL)
				a->feed->set_mark(a->feed_ctx, d, false);
		if (a->markbits != NULL)
			memset(a->markbits, 0, a->n_markbits);
		a->n_marks = 0;
		a->marks_unsaved = false;
		apply_marks(a, a->snap);
		return app_message(a, false, "all marks cleared");
	}
	on = how == -1 ? !mark_get(a, dom) : how == 1;
	if (on == mark_get(a, dom))
		return UI_REDRAW;
	mark_bit(a, dom, on);
	a->marks_unsaved = a->n_marks > 0;
	if ((r = snap_find_dom(a->snap, dom)) != UINT32_MAX) {
		struct snap_row *row = &a->snap->dom.rows[r];
		char key[300];
		struct fs_err e = { 0 };
		if (a->notes != NULL && row->name != NULL &&
		    notes_canon(NOTE_DOMAIN, row->name, key, sizeof key, &e) == FS_OK)
			notes_mark(a->notes, NOTE_DOMAIN, key, on);
		if (on)
			row->flags |= SNAP_MARKED;
		else
			row->flags &= (uint8_t)~SNAP_MARKED;
		if (row->group < a->snap->grp.n) {
			struct snap_row *gr = &a->snap->grp.rows[row->group];
			gr->flags &= (uint8_t)~SNAP_MARKED;
			for (uint32_t m = 0; m < gr->n_members; m++)
				if (a->snap->dom.rows[a->snap->grp_members[gr->group + m]].flags & SNAP_MARKED)
					gr->flags |= SNAP_MARKED;
		}
	}
	return app_message(a, false, "%u marked", a->n_marks);
}

int
app_open_help(struct app *a)
{
	if (a->ov != NULL)
		a->ov->ops->free(a->ov);
	a->ov = help_overlay_new(a);
	return UI_REDRAW;
}

int
app_confirm(struct app *a, const char *question, const char *yes_cmd)
{
	if (a->ov != NULL)
		a->ov->ops->free(a->ov);
	a->ov = confirm_overlay_new(question, yes_cmd);
	return UI_REDRAW;
}

int
app_close_overlay(struct app *a)
{
	if (a->ov != NULL) {
		a->ov->ops->free(a->ov);
		a->ov = NULL;
	}
	return UI_REDRAW;
}

bool
app_busy(const struct app *a)
{
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i]->ops->busy != NULL && a->stack[i]->ops->busy(a->stack[i]))
			return true;
	return false;
}

int
app_work(struct app *a, double budget_ms)
{
	/* the view on screen first */
	for (int i = a->depth - 1; i >= 0; i--) {
		struct view *v = a->stack[i];
		if (v->ops->busy != NULL && v->ops->busy(v))
			return v->ops->work(a, v, budget_ms) | (i == a->depth - 1 ? UI_REDRAW : UI_OK);
	}
	return UI_OK;
}

void
app_resize(struct app *a, int w, int h)
{
	a->w = w > 1 ? w : 1;
	a->h = h > 1 ? h : 1;
}

int
app_tick(struct app *a)
{
	int r = UI_OK;
	struct snap *s;

	if (a->feed == NULL)
		return UI_OK;
	if (a->feed->progress != NULL) {
		struct app_progress old = a->prog;
		a->feed->progress(a->feed_ctx, &a->prog);
		a->prog.stopped |= old.stopped;
		if (memcmp(&old, &a->prog, sizeof old) != 0)
			r |= UI_REDRAW;
	}
	if (a->feed->take != NULL && (s = a->feed->take(a->feed_ctx)) != NULL) {
		struct snap *old = a->snap;
		apply_marks(a, s);
		a->snap = s;
		for (int i = 0; i < a->depth; i++)
			if (a->stack[i]->ops->set_snap != NULL)
				a->stack[i]->ops->set_snap(a, a->stack[i]);
		if (old != a->empty && a->feed->release != NULL)
			a->feed->release(a->feed_ctx, old);
		r |= UI_REDRAW;
	}
	if (a->ov != NULL && a->ov->ops->tick != NULL)
		r |= a->ov->ops->tick(a, a->ov);
	r |= app_probe_tick(a);
	if (a->n_hist > 0)
		r |= app_history_tick(a);
	r |= session_ui_tick(a);
	/* A history or session file could not be saved (background writer). */
	{
		char e[512];
		if (fs_bg_take_error(e, sizeof e)) {
			app_message(a, true, "%s", e);
			r |= UI_REDRAW;
		}
	}
	/* A view could not read the store at the last draw: draw (and so try) again. */
	if (a->updating)
		r |= UI_REDRAW;
	/* Loaded means read and scored: the rows on screen are then the final ones. */
	if (!a->prog.loading && !a->prog.scoring && !a->prog.live && !a->load_announced) {
		char p[32], d[32];
		a->load_announced = true;
		if (a->prog.error[0] != '\0')
			app_message(a, true, "%s", a->prog.error);
		else if (a->probe == NULL && (a->msg[0] == '\0' || !a->msg_error))
			/* (a probe started meanwhile, as --probe does at once, keeps its own messages:
			 * its end would otherwise be replaced by this one) */
			app_message(a, false, "%s %s packets, %s DNS messages in %.1f s",
			            a->prog.stopped ? "Stopped after" : "Loaded",
			            app_fmt_count(a->prog.packets, p, sizeof p),
			            app_fmt_count(a->prog.dns_messages, d, sizeof d), a->prog.elapsed);
		r |= UI_REDRAW;
	}
	return r;
}

/* Click on the breadcrumb: go back to the step clicked. */
static int
crumb_click(struct app *a, int x)
{
	for (int i = 0; i < a->depth; i++)
		if (x >= a->crumb_x[i] && x < a->crumb_x[i + 1])
			return app_pop_to(a, i + 1);
	return UI_OK;
}

int
app_event(struct app *a, const struct ui_event *ev)
{
	struct view *v = app_top(a);
	const struct keybind *b;
	char kn[32];

	switch (ev->type) {
	case UI_EV_RESIZE:
		app_resize(a, ev->w, ev->h);
		return UI_CLEAR;
	case UI_EV_TICK:
		return app_tick(a);
	case UI_EV_MOUSE:
		if (a->prompt.active)
			return UI_OK;
		if (a->ov != NULL)
			return a->ov->ops->mouse != NULL ? a->ov->ops->mouse(a, a->ov, ev) : UI_OK;
		if (ev->y == 0 && ev->button == UI_MOUSE_LEFT)
			return crumb_click(a, ev->x);
		if (v != NULL && v->ops->mouse != NULL && ev->y >= 1 && ev->y < a->h - 2)
			return v->ops->mouse(a, v, ev, 1, a->h - 3);
		return UI_OK;
	case UI_EV_KEY:
		break;
	default:
		return UI_OK;
	}
	if (a->prompt.active)
		return prompt_key(a, ev->key);
	if (a->ov != NULL)
		return a->ov->ops->key(a, a->ov, ev->key);
	a->msg[0] = '\0';
	a->msg_error = false;
	a->caret_text[0] = '\0';
	b = v != NULL ? keymap_lookup(&a->keys, v->ops->name, ev->key) : NULL;
	if (b == NULL)
		b = keymap_lookup(&a->keys, "global", ev->key);
	if (b == NULL)
		return app_message(a, false, "%s is not bound to anything (? lists the keys)",
		                   keys_name(ev->key, kn, sizeof kn));
	return app_run_command(a, b->cmd) | UI_REDRAW;
}

/* Formatting. */

const char *
app_fmt_count(uint64_t n, char *buf, size_t len)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < l && o + 1 < len; i++) {
		if (i > 0 && (l - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *
app_fmt_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f kB", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", (double)n / 1e9);
	return buf;
}

const char *
app_fmt_time(fs_time t, bool with_date, char *buf, size_t len)
{
	time_t s = (time_t)(t / FS_USEC);
	struct tm tm;

	if (t == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	gmtime_r(&s, &tm);
	if (with_date)
		strftime(buf, len, "%m-%d %H:%M:%S", &tm);
	else
		strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

const char *
app_fmt_ttl(uint32_t ttl, char *buf, size_t len)
{
	if (ttl < 100000)
		snprintf(buf, len, "%u", ttl);
	else if (ttl < 86400u * 100)
		snprintf(buf, len, "%ud", ttl / 86400);
	else
		snprintf(buf, len, "%uw", ttl / (86400 * 7));
	return buf;
}

enum ui_role
app_verdict_role(int verdict)
{
	/* the roles follow detect's verdict table (roles.h) */
	return verdict > 0 && verdict < DET_VERDICT_COUNT ? (enum ui_role)(UI_ROLE_V_FIRST + verdict)
	                                                  : UI_ROLE_V_BENIGN;
}

/* Drawing the frame. */

static const char *
sep(const struct ui_canvas *c)
{
	return c->unicode ? SEP_U : SEP_A;
}

static void
draw_title(struct app *a, struct ui_canvas *c)
{
	const char *arrow = c->unicode ? " \xe2\x80\xba " : " > ";
	int x = 1, aw = canvas_text_width(arrow), first = 0, total = 0;
	char crumbs[APP_MAX_DEPTH][96];

	canvas_fill(c, 0, 0, c->w, 1, ' ', UI_ROLE_TITLE);
	x += canvas_put(c, x, 0, c->w - x, UI_ROLE_TITLE, "fluxscope");
	x += canvas_put(c, x, 0, c->w - x, UI_ROLE_TITLE, arrow);
	for (int i = 0; i < a->depth; i++) {
		a->stack[i]->ops->crumb(a->stack[i], crumbs[i], sizeof crumbs[i]);
		total += canvas_text_width(crumbs[i]) + aw;
	}
	/* Drop the oldest steps after home when the trail does not fit. */
	while (first < a->depth - 1 && x + total > c->w - 2) {
		total -= canvas_text_width(crumbs[first]) + aw;
		first++;
	}
	for (int i = 0; i <= a->depth; i++)
		a->crumb_x[i] = -1;
	if (first > 0)
		x += canvas_put(c, x, 0, c->w - x, UI_ROLE_TITLE, c->unicode ? "\xe2\x80\xa6" : "...");
	for (int i = first; i < a->depth; i++) {
		if (i > first)
			x += canvas_put(c, x, 0, c->w - x, UI_ROLE_TITLE, arrow);
		a->crumb_x[i] = x;
		x += canvas_put_ellip(c, x, 0, c->w - x - 1,
		                      i == a->depth - 1 ? UI_ROLE_CRUMB : UI_ROLE_TITLE, crumbs[i]);
	}
	a->crumb_x[a->depth] = x;
	if (a->depth > 0 && a->stack[a->depth - 1]->ops->info != NULL) {
		char info[128];
		int iw;
		a->stack[a->depth - 1]->ops->info(a, a->stack[a->depth - 1], info, sizeof info);
		iw = canvas_text_width(info);
		if (x + iw + 3 <= c->w)
			canvas_put(c, c->w - iw - 1, 0, iw, UI_ROLE_TITLE, info);
	}
	for (int i = a->depth - 1; i >= 0; i--)
		if (a->crumb_x[i] < 0)
			a->crumb_x[i] = a->crumb_x[i + 1];
}

static void
draw_status(struct app *a, struct ui_canvas *c, int y)
{
	struct {
		char text[256];
		enum ui_role role;
		int prio;       /* lower survives longer when narrow */
	} seg[16];      /* at most 12 are filled (one per source of status below) */
	int n = 0, x = 1, sw = canvas_text_width(sep(c));
	char b1[32], b2[32];
	struct view *v = app_top(a);
	const char *filter = v != NULL && view_is_list(v) ? view_list_filter(v) : "";
	bool drop_seg[16] = { false };
	int need;

	canvas_fill(c, 0, y, c->w, 1, ' ', UI_ROLE_STATUS);
	snprintf(seg[n].text, sizeof seg[n].text, "%s", a->prog.source[0] ? a->prog.source : "no input");
	seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 0;
	snprintf(seg[n].text, sizeof seg[n].text, "%s pkts", app_fmt_count(a->prog.packets, b1, sizeof b1));
	seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 1;
	snprintf(seg[n].text, sizeof seg[n].text, "%s DNS", app_fmt_count(a->prog.dns_messages, b2, sizeof b2));
	seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 1;
	snprintf(seg[n].text, sizeof seg[n].text, "%u flagged%s%s", a->snap->n_flagged,
	         a->prog.scoring ? " (scoring)" : "", a->updating ? " (updating)" : "");
	seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 0;
	if (a->n_marks > 0) {
		snprintf(seg[n].text, sizeof seg[n].text, "%u marked", a->n_marks);
		seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 2;
	}
	if (filter[0] != '\0') {
		snprintf(seg[n].text, sizeof seg[n].text, "filter: %s", filter);
		seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 0;
	}
	if (a->prog.live) {
		snprintf(seg[n].text, sizeof seg[n].text, "%s pkt/s", app_fmt_count((uint64_t)a->prog.pkt_rate, b1, sizeof b1));
		seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 2;
	}
	if (a->prog.live || a->prog.kernel_drops || a->prog.iface_drops || a->prog.app_drops) {
		/* Never hidden (priority 0) and in the warning role as soon as one is counted: the
		 * kernel buffer, the interface and the hand-off to the analysis, each on its own. */
		uint64_t d = a->prog.kernel_drops + a->prog.iface_drops + a->prog.app_drops;
		char b3[32];
		if (d == 0)
			snprintf(seg[n].text, sizeof seg[n].text, "drops 0");
		else
			snprintf(seg[n].text, sizeof seg[n].text, "drops kernel %s if %s app %s",
			         app_fmt_count(a->prog.kernel_drops, b1, sizeof b1),
			         app_fmt_count(a->prog.iface_drops, b2, sizeof b2),
			         app_fmt_count(a->prog.app_drops, b3, sizeof b3));
		seg[n].role = d > 0 ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS; seg[n++].prio = 0;
	}
	if (a->prog.feeds[0] != '\0') {   /* live dnstap: every resolver, its rate, errors, down */
		snprintf(seg[n].text, sizeof seg[n].text, "%s", a->prog.feeds);
		seg[n].role = a->prog.feeds_warn ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS; seg[n++].prio = 1;
	}
	if (app_probe_status(a, seg[n].text, sizeof seg[n].text)) {
		seg[n].role = UI_ROLE_STATUS_WARN; seg[n++].prio = 0;
	}
	if (app_history_status(a, seg[n].text, sizeof seg[n].text)) {
		seg[n].role = UI_ROLE_STATUS; seg[n++].prio = 0;
	}
	snprintf(seg[n].text, sizeof seg[n].text, "%s",
	         a->cfg.db_names != NULL && a->cfg.db_names[0] ? a->cfg.db_names : "no GeoIP");
	seg[n].role = a->cfg.db_stale ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS; seg[n++].prio = 3;
	/* Drop the least important segments until the rest fits. */
	for (;;) {
		int worst = -1;
		need = 1;
		for (int i = 0; i < n; i++)
			if (!drop_seg[i])
				need += canvas_text_width(seg[i].text) + sw;
		if (need <= c->w)
			break;
		for (int i = n - 1; i > 0; i--)
			if (!drop_seg[i] && seg[i].prio > 0 && (worst < 0 || seg[i].prio > seg[worst].prio))
				worst = i;
		if (worst < 0)
			break;
		drop_seg[worst] = true;
	}
	for (int i = 0; i < n; i++) {
		if (drop_seg[i])
			continue;
		if (x > 1)
			x += canvas_put(c, x, y, c->w - x, UI_ROLE_STATUS, sep(c));
		x += canvas_put_ellip(c, x, y, c->w - x, seg[i].role, seg[i].text);
	}
}

static void
fmt_eta(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void
draw_progress(struct app *a, struct ui_canvas *c, int y)
{
	const struct app_progress *p = &a->prog;
	char br[32], bt[32], pk[32], rate[32], eta[32], tail[512];
	double pps = p->elapsed > 0.05 ? (double)p->packets / p->elapsed : 0;
	int x = 0;

	app_fmt_count((uint64_t)pps, rate, sizeof rate);
	app_fmt_count(p->packets, pk, sizeof pk);
	app_fmt_bytes(p->bytes_read, br, sizeof br);
	if (p->live) {
		char dr[32];
		app_fmt_count((uint64_t)p->pkt_rate, rate, sizeof rate);
		app_fmt_count((uint64_t)p->dns_rate, dr, sizeof dr);
		snprintf(tail, sizeof tail, "Capturing on %s: %s pkts, %s pkts/s, %s DNS/s  (q: stop)",
		         p->source, pk, rate, dr);
		canvas_put(c, 0, y, c->w, UI_ROLE_MESSAGE, tail);
		return;
	}
	if (p->bytes_total > 0) {
		double frac = (double)p->bytes_read / (double)p->bytes_total;
		double bps = p->elapsed > 0.05 ? (double)p->bytes_read / p->elapsed : 0;
		int barw;
		if (frac > 1)
			frac = 1;
		app_fmt_bytes(p->bytes_total, bt, sizeof bt);
		if (bps > 0)
			fmt_eta((double)(p->bytes_total - (p->bytes_read < p->bytes_total ? p->bytes_read
			                                                                    : p->bytes_total)) / bps,
			        eta, sizeof eta);
		else
			snprintf(eta, sizeof eta, "?");
		snprintf(tail, sizeof tail, " %3d%%  %s/%s  %s pkts  %s pkts/s  ETA %s  (q: stop)",
		         (int)(frac * 100), br, bt, pk, rate, eta);
		x += canvas_put(c, x, y, c->w, UI_ROLE_MESSAGE, "Loading ");
		barw = c->w - x - canvas_text_width(tail);
		if (barw > 40)
			barw = 40;
		if (barw >= 5) {
			int done = (int)(frac * barw + 0.5);
			/* Characters as well as colours, so the bar reads under NO_COLOR and mono. */
			canvas_fill(c, x, y, done, 1, c->unicode ? 0x2588 : '#', UI_ROLE_PROGRESS);
			canvas_fill(c, x + done, y, barw - done, 1, c->unicode ? 0x2591 : '.',
			            UI_ROLE_PROGRESS_TODO);
			x += barw;
		}
		canvas_put(c, x, y, c->w - x, UI_ROLE_MESSAGE, tail);
	} else {
		snprintf(tail, sizeof tail, "Loading %s  %s pkts  %s pkts/s  (q: stop)", br, pk, rate);
		canvas_put(c, 0, y, c->w, UI_ROLE_MESSAGE, tail);
	}
}

static void
draw_bottom(struct app *a, struct ui_canvas *c, int y)
{
	if (a->prompt.active) {
		int lw = canvas_put(c, 0, y, c->w, UI_ROLE_PROMPT, a->prompt.label);
		int avail = c->w - lw - 1;
		const char *line = a->prompt.line;
		char head[1024];
		int pw;
		/* Scroll the line so that the cursor stays visible. */
		snprintf(head, sizeof head, "%.*s", a->prompt.point, line);
		pw = canvas_text_width(head);
		while (pw > avail && *line != '\0') {
			uint32_t cp;
			int k = canvas_utf8_decode(line, strlen(line), &cp);
			line += k;
			snprintf(head, sizeof head, "%.*s", (int)(a->prompt.point - (line - a->prompt.line)),
			         line);
			pw = canvas_text_width(head);
		}
		canvas_put(c, lw, y, avail + 1, UI_ROLE_PROMPT, line);
		c->cur_x = lw + pw;
		c->cur_y = y;
		c->cur_visible = true;
		return;
	}
	if (a->msg[0] != '\0' && a->msg_error && a->caret_text[0] != '\0' && a->caret_col > 0) {
		/* The rejected expression is on the line above (draw_caret_input); the caret goes
		 * under the character where it went wrong, the message after it. */
		int x = canvas_text_width("filter: ");
		const char *t = a->caret_text;
		for (int k = 1; k < a->caret_col && *t != '\0';) {
			uint32_t cp;
			int n = canvas_utf8_decode(t, strlen(t), &cp);
			char one[8];
			snprintf(one, sizeof one, "%.*s", n, t);
			x += canvas_text_width(one);
			t += n;
			k++;
		}
		if (x >= c->w - 1)
			x = c->w - 2;
		canvas_put(c, x, y, 1, UI_ROLE_ERROR, "^");
		canvas_put_ellip(c, x + 2, y, c->w - x - 2 > 0 ? c->w - x - 2 : 0, UI_ROLE_ERROR, a->msg);
		return;
	}
	if (a->msg[0] != '\0' && (a->msg_error || !a->prog.loading)) {
		canvas_put_ellip(c, 0, y, c->w, a->msg_error ? UI_ROLE_ERROR : UI_ROLE_MESSAGE, a->msg);
		return;
	}
	if (a->prog.loading) {
		draw_progress(a, c, y);
		return;
	}
	{
		struct view *v = app_top(a);
		const char *hint = v != NULL && v->ops->hint != NULL ? v->ops->hint(a, v) : NULL;
		canvas_put_ellip(c, 0, y, c->w, UI_ROLE_DIM, hint != NULL ? hint :
		                 "? help  Enter open  / search  f filter  s sort  a all/flagged  m mark  : command  q quit");
	}
}

void
app_draw(struct app *a, struct ui_canvas *c)
{
	struct view *v = app_top(a);

	if (c->w != a->w || c->h != a->h)
		canvas_resize(c, a->w, a->h);
	else
		canvas_clear(c, UI_ROLE_DEFAULT);
	if (a->w < 40 || a->h < 8) {
		canvas_put(c, 0, 0, c->w, UI_ROLE_ERROR, "terminal too small");
		canvas_printf(c, 0, 1, c->w, UI_ROLE_DEFAULT, "need 40x8, have %dx%d", a->w, a->h);
		return;
	}
	/* Views and overlays set it again when they still cannot read the store. */
	a->updating = false;
	draw_title(a, c);
	if (v != NULL) {
		v->last_h = a->h - 3;
		v->ops->draw(a, v, c, 1, a->h - 3);
	}
	draw_status(a, c, a->h - 2);
	if (a->msg[0] != '\0' && a->msg_error && a->caret_text[0] != '\0' && a->caret_col > 0 &&
	    !a->prompt.active) {
		/* The rejected expression, with the caret under it on the last line. */
		canvas_fill(c, 0, a->h - 2, c->w, 1, ' ', UI_ROLE_DEFAULT);
		canvas_put(c, 0, a->h - 2, c->w, UI_ROLE_PROMPT, "filter: ");
		canvas_put_ellip(c, canvas_text_width("filter: "), a->h - 2,
		                 c->w - canvas_text_width("filter: "), UI_ROLE_DEFAULT, a->caret_text);
	}
	draw_bottom(a, c, a->h - 1);
	if (a->ov != NULL) {
		bool before = a->updating;
		a->ov->ops->draw(a, a->ov, c);
		if (a->updating != before)
			draw_status(a, c, a->h - 2);   /* below the overlay */
	}
}
