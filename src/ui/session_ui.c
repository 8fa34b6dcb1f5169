/* Sessions and notes in the TUI (see session_ui.h). */
#include "ui/session_ui.h"
#include "ui/history_ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fluxscope/bgwrite.h"
#include "fluxscope/store.h"
#include "ui/detail.h"

static void columns_text(const struct app *a, char *buf, size_t len);
static int columns_apply(struct app *a, int argc, char **argv, struct fs_err *err);

static const char *const tab_names[] = { "summary", "timeline", "spread", "nameservers", "related" };

void
session_ui_attach(struct app *a, struct session *s, bool restore_state)
{
	if (a->notes_owned)
		notes_free(a->notes);
	a->notes_owned = false;
	a->session = s;
	a->notes = s->notes;
	a->session_restore = restore_state;
}

/* Run a command line as if typed; errors go to the message line. */
static int
run(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
run(struct app *a, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return app_run_command(a, line);
}

/* Quote an argument for the command line (the filter goes through :filter). */
static void
restore(struct app *a)
{
	struct session *s = a->session;
	struct view *home = a->depth > 0 ? a->stack[0] : NULL;
	struct dlist *l = home != NULL && home->ops->list != NULL ? home->ops->list(home) : NULL;

	if (l == NULL)
		return;
	if (s->theme[0] != '\0' && strcmp(s->theme, a->theme.name) != 0)
		app_set_theme(a, s->theme);
	if (s->columns[0] != '\0') {
		char copy[1024], *words[SNAP_COL_MAX], *save = NULL;
		int n = 0;
		struct fs_err e = { 0 };
		snprintf(copy, sizeof copy, "%s", s->columns);
		for (char *w = strtok_r(copy, " ", &save); w != NULL && n < SNAP_COL_MAX; w = strtok_r(NULL, " ", &save))
			words[n++] = w;
		(void)columns_apply(a, n, words, &e);     /* a column since renamed is skipped */
	}
	/* the export dialog opens with the session's last format and path */
	if (s->export_format != NULL && s->export_format[0] != '\0')
		snprintf(a->export_format, sizeof a->export_format, "%s", s->export_format);
	if (s->export_path != NULL && s->export_path[0] != '\0')
		snprintf(a->export_path, sizeof a->export_path, "%s", s->export_path);
	l->flagged_only = !s->show_all;
	dlist_set_grouped(l, s->grouped);
	if (s->sort[0] != '\0') {
		int col = snap_col_find(s->sort);
		if (col >= 0)
			dlist_set_sort(l, col, s->sort_desc);
	}
	dlist_refresh(l);
	if (s->filter[0] != '\0')
		view_list_set_filter(a, home, s->filter);
	/* the detail views wait for their domains: the first rows come from part of the capture */
	a->session_views_pending = s->n_views > 0;
	app_message(a, false, "session %s: %zu capture%s, %zu marked, filter %s", s->path ? s->path : "(unsaved)",
	            s->n_caps, s->n_caps == 1 ? "" : "s",
	            notes_marked(s->notes, NOTE_DOMAIN) + notes_marked(s->notes, NOTE_ZONE) +
	            notes_marked(s->notes, NOTE_ADDR) + notes_marked(s->notes, NOTE_ASN) +
	            notes_marked(s->notes, NOTE_NS),
	            s->filter[0] ? s->filter : "none");
}

/* The app's state into the session (a no-op when nothing differs). */
static void
capture(struct app *a)
{
	struct session *s = a->session;
	struct view *home = a->depth > 0 ? a->stack[0] : NULL;
	struct dlist *l = home != NULL && home->ops->list != NULL ? home->ops->list(home) : NULL;
	const char *views[16];
	char vbuf[16][320];
	size_t nv = 0;

	if (l == NULL)
		return;
	session_set(s, &s->filter, view_list_filter(home));
	session_set(s, &s->sort, snap_col_info(l->sort)->name);
	if (s->sort_desc != l->desc || s->show_all != !l->flagged_only || s->grouped != l->grouped) {
		s->sort_desc = l->desc;
		s->show_all = !l->flagged_only;
		s->grouped = l->grouped;
		session_touch(s);
	}
	session_set(s, &s->theme, a->theme.name);
	{
		char cols[1024];
		columns_text(a, cols, sizeof cols);
		session_set(s, &s->columns, cols);
	}
	session_set(s, &s->export_format, a->export_format);
	session_set(s, &s->export_path, a->export_path);
	for (int i = 1; i < a->depth && nv < 16; i++) {
		struct view *v = a->stack[i];
		char name[300];
		if (strcmp(v->ops->name, "detail") != 0)
			continue;
		v->ops->crumb(v, name, sizeof name);
		snprintf(vbuf[nv], sizeof vbuf[nv], "detail %s tab=%d", name, view_detail_tab(v));
		views[nv] = vbuf[nv];
		nv++;
	}
	session_set_views(s, views, nv);
}

int
session_ui_tick(struct app *a)
{
	int r = UI_OK;

	if (a->session == NULL)
		return r;
	/* Restore once the first rows are there (the list exists from the start). */
	if (a->session_restore && a->snap != NULL && a->snap->dom.n > 0 && !a->prompt.active) {
		a->session_restore = false;
		restore(a);
		r |= UI_REDRAW;
	}
	/* The detail views, once every domain is there: loading and scoring done (live: now). */
	if (!a->session_restore && a->session_views_pending && !a->prompt.active &&
	    (a->prog.live || (!a->prog.loading && !a->prog.scoring))) {
		struct session *s = a->session;
		a->session_views_pending = false;
		for (size_t i = 0; i < s->n_views; i++) {
			char name[300];
			int tab = 0;
			if (sscanf(s->views[i], "detail %299s tab=%d", name, &tab) >= 1)
				run(a, "domain %s %d", name, tab + 1);
		}
		r |= UI_REDRAW;
	}
	if (!a->session_restore && !a->session_views_pending) {
		capture(a);
		session_autosave(a->session);
	}
	if (a->opening && a->feed->open_busy != NULL) {
		uint64_t frames = 0;
		if (!a->feed->open_busy(a->feed_ctx, &frames)) {
			a->opening = false;
			app_message(a, false, "%s read: %llu packets added", a->srcs[a->n_srcs - 1],
			            (unsigned long long)frames);
			r |= UI_REDRAW;
		}
	}
	return r;
}

bool
session_ui_current(struct app *a, enum note_kind *kind, char *key, size_t len)
{
	struct view *v = app_top(a);
	struct fs_err err = { 0 };

	if (v == NULL)
		return false;
	if (v->ops->list != NULL) {
		struct dlist *l = v->ops->list(v);
		const struct snap_row *r = dlist_current(l);
		if (r == NULL || r->name == NULL)
			return false;
		*kind = l->grouped ? NOTE_ZONE : NOTE_DOMAIN;
		return notes_canon(*kind, r->name, key, len, &err) == FS_OK;
	}
	if (strcmp(v->ops->name, "detail") == 0) {
		const struct dline *dl = view_detail_line(v);
		char text[300] = "";
		if (dl != NULL && dl->kind == DL_ASN) {
			*kind = NOTE_ASN;
			snprintf(text, sizeof text, "AS%u", dl->key);
		} else if (dl != NULL && (dl->kind == DL_ADDR || dl->kind == DL_NS) && a->cfg.store != NULL &&
		           app_store_read(a)) {
			if (dl->kind == DL_ADDR) {
				const struct store_addr *sa = store_addr(a->cfg.store, dl->key);
				if (sa != NULL)
					fs_addr_str(&sa->addr, text, sizeof text);
				*kind = NOTE_ADDR;
			} else {
				const char *n = store_name_str(a->cfg.store, dl->key);
				snprintf(text, sizeof text, "%s", n ? n : "");
				*kind = NOTE_NS;
			}
			app_store_done(a);
		}
		if (text[0] == '\0') {         /* the detail's own domain */
			*kind = NOTE_DOMAIN;
			v->ops->crumb(v, text, sizeof text);
		}
		return notes_canon(*kind, text, key, len, &err) == FS_OK;
	}
	return false;
}

int
session_cmd_save(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct session *s = a->session;

	if (s == NULL)
		return fs_err_set(err, FS_E_ARG, "save: sessions are not available here"), -1;
	if (argc >= 2) {
		free(s->path);
		s->path = xstrdup(argv[1]);
	} else if (s->path == NULL)
		return fs_err_set(err, FS_E_ARG, "save: name a file (:save PATH); later changes are then saved to it"), -1;
	capture(a);
	if (session_save(s, err) != FS_OK)
		return -1;
	return app_message(a, false, "session saved to %s (and after every change from now on)", s->path);
}

/* Set (or, with no words, remove) the note of kind k, key from argv[from..]. */
static int
set_note(struct app *a, enum note_kind k, const char *key, int argc, char **argv, int from)
{
	char text[1100] = "";

	for (int i = from; i < argc; i++) {
		strncat(text, argv[i], sizeof text - strlen(text) - 2);
		if (i + 1 < argc)
			strncat(text, " ", sizeof text - strlen(text) - 1);
	}
	notes_set_text(a->notes, k, key, text);
	return app_message(a, false, text[0] ? "note on %s %s: %s" : "note on %s %s removed%s", notes_kind_name(k),
	                   key, text);
}

int
session_cmd_note(struct app *a, int argc, char **argv, struct fs_err *err)
{
	enum note_kind k;
	char key[300];

	if (!session_ui_current(a, &k, key, sizeof key))
		return fs_err_set(err, FS_E_ARG, "note: nothing under the cursor (a domain, zone, address, ASN or nameserver)"), -1;
	return set_note(a, k, key, argc, argv, 1);
}

int
session_cmd_note_for(struct app *a, int argc, char **argv, struct fs_err *err)
{
	int k = notes_kind_parse(argv[1]);
	char key[300];

	if (k < 0)
		return fs_err_set(err, FS_E_ARG, "note-for: '%s' is not a kind (domain, zone, address, asn, ns)", argv[1]), -1;
	if (notes_canon((enum note_kind)k, argv[2], key, sizeof key, err) != FS_OK)
		return -1;
	return set_note(a, (enum note_kind)k, key, argc, argv, 3);
}

/* The domain rows of the current snapshot named key (domain marks go through app_set_mark,
 * which also pins the domain in the store for export). */
static uint32_t
dom_by_name(struct app *a, const char *key)
{
	for (uint32_t i = 0; a->snap != NULL && i < a->snap->dom.n; i++)
		if (a->snap->dom.rows[i].name != NULL && strcasecmp(a->snap->dom.rows[i].name, key) == 0)
			return a->snap->dom.rows[i].id;
	return 0;
}

int
session_cmd_mark_object(struct app *a, const char *kind, const char *keyin, bool on, struct fs_err *err)
{
	int k = notes_kind_parse(kind);
	char key[300];

	if (k < 0)
		return fs_err_set(err, FS_E_ARG, "mark: '%s' is not a kind (domain, zone, address, asn, ns)", kind), -1;
	if (notes_canon((enum note_kind)k, keyin, key, sizeof key, err) != FS_OK)
		return -1;
	if (k == NOTE_DOMAIN) {
		uint32_t d = dom_by_name(a, key);
		if (d != 0)
			return app_set_mark(a, d, on);
	}
	notes_mark(a->notes, (enum note_kind)k, key, on);
	return app_message(a, false, "%s %s %s", notes_kind_name((enum note_kind)k), key, on ? "marked" : "unmarked");
}

int
session_cmd_unmark(struct app *a, int argc, char **argv, struct fs_err *err)
{
	enum note_kind k;
	char key[300];

	if (argc == 3)
		return session_cmd_mark_object(a, argv[1], argv[2], false, err);
	if (argc != 1)
		return fs_err_set(err, FS_E_ARG, "unmark: no arguments (the object under the cursor) or KIND KEY"), -1;
	if (!session_ui_current(a, &k, key, sizeof key))
		return fs_err_set(err, FS_E_ARG, "unmark: nothing under the cursor"), -1;
	if (k == NOTE_DOMAIN || k == NOTE_ZONE) {
		struct view *v = app_top(a);
		if (v->ops->list != NULL || k == NOTE_DOMAIN)
			return app_run_command(a, "mark off");
	}
	notes_mark(a->notes, k, key, false);
	return app_message(a, false, "%s %s unmarked", notes_kind_name(k), key);
}

int
session_cmd_mark_all(struct app *a, struct fs_err *err)
{
	struct view *v = app_top(a);
	struct dlist *l = v != NULL && v->ops->list != NULL ? v->ops->list(v) : NULL;
	uint32_t n = 0;

	if (l == NULL)
		return fs_err_set(err, FS_E_ARG, "mark all: works in domain lists"), -1;
	if (l->busy)
		return fs_err_set(err, FS_E_ARG, "mark all: the list is still being filtered; again in a moment"), -1;
	for (uint32_t i = 0; i < l->n; i++) {
		const struct snap_row *r = dlist_row(l, i);
		if (r == NULL)
			continue;
		if (l->grouped) {
			for (uint32_t m = 0; m < r->n_members; m++) {
				app_set_mark(a, l->snap->dom.rows[l->snap->grp_members[r->group + m]].id, 1);
				n++;
			}
		} else {
			app_set_mark(a, r->id, 1);
			n++;
		}
	}
	return app_message(a, false, "marked %u domain%s (every row listed)", n, n == 1 ? "" : "s");
}

int
session_cmd_domain(struct app *a, int argc, char **argv, struct fs_err *err)
{
	char key[300];
	uint32_t d;
	struct view *v;

	if (notes_canon(NOTE_DOMAIN, argv[1], key, sizeof key, err) != FS_OK)
		return -1;
	if ((d = dom_by_name(a, key)) == 0) {
		/* a ClickHouse window: its rows may be there, outside what the window loaded */
		int r = app_history_fetch(a, key, true, argc > 2 ? argv[2] : NULL);
		if (r >= 0)
			return r;
		return fs_err_set(err, FS_E_NOTFOUND, "domain: no domain %s in what was read", key), -1;
	}
	if ((v = view_detail_new(a, d)) == NULL)
		return fs_err_set(err, FS_E_NOTFOUND, "domain: %s cannot be shown", key), -1;
	int r = app_push(a, v);
	if (argc > 2) {
		int t = atoi(argv[2]);
		if (t >= 1 && t <= 5 && v->ops->tab != NULL)
			r |= v->ops->tab(a, v, t - 1, 0);
		else {
			for (int i = 0; i < 5; i++)
				if (strcasecmp(argv[2], tab_names[i]) == 0)
					r |= v->ops->tab(a, v, i, 0);
		}
	}
	return r;
}

/* The list's column choice as text: "+name" for shown, "-name" for hidden, space-separated. */
static void
columns_text(const struct app *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int c = 0; c < snap_col_count() && o < len; c++)
		if (a->col_choice[c] != 0)
			o += (size_t)snprintf(buf + o, len - o, "%s%c%s", o ? " " : "",
			                      a->col_choice[c] > 0 ? '+' : '-', snap_col_info(c)->name);
}

/* Apply "+name -name name reset" words; errors name the word. */
static int
columns_apply(struct app *a, int argc, char **argv, struct fs_err *err)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		int how = 0;                  /* 1 show, -1 hide, 0 toggle */
		if (strcmp(w, "reset") == 0) {
			memset(a->col_choice, 0, sizeof a->col_choice);
			continue;
		}
		if (*w == '+' || *w == '-') {
			how = *w == '+' ? 1 : -1;
			w++;
		}
		int c = snap_col_find(w);
		if (c < 0 || c >= snap_col_count())
			return fs_err_set(err, FS_E_ARG, "columns: '%s' is not a column (see :columns)", argv[i]), -1;
		if (c == SNAP_COL_DOMAIN && how <= 0)
			return fs_err_set(err, FS_E_ARG, "columns: the domain column stays"), -1;
		if (how == 0) {
			bool shown = a->col_choice[c] > 0 || (a->col_choice[c] == 0 && snap_col_info(c)->prio < 9);
			how = shown ? -1 : 1;
		}
		a->col_choice[c] = (int8_t)how;
	}
	return 0;
}

int
session_cmd_columns(struct app *a, int argc, char **argv, struct fs_err *err)
{
	char buf[1024], list[1200];
	size_t o = 0;

	if (argc > 1) {
		if (columns_apply(a, argc - 1, argv + 1, err) != 0)
			return -1;
		columns_text(a, buf, sizeof buf);
		return app_message(a, false, "columns: %s", buf[0] ? buf : "the defaults") | UI_REDRAW;
	}
	for (int c = 0; c < snap_col_count() && o < sizeof list; c++) {
		bool shown = a->col_choice[c] > 0 || (a->col_choice[c] == 0 && snap_col_info(c)->prio < 9);
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s%s", o ? " " : "", shown ? "+" : "-",
		                      snap_col_info(c)->name);
	}
	return app_message(a, false, "columns (+shown -hidden; :columns NAME toggles, +NAME/-NAME, reset): %s", list);
}

int
session_cmd_open(struct app *a, int argc, char **argv, struct fs_err *err)
{
	int idx = a->n_srcs;
	(void)argc;

	if (a->feed == NULL || a->feed->open == NULL)
		return fs_err_set(err, FS_E_ARG, "open: captures cannot be added to this source"), -1;
	if (idx >= (int)(sizeof a->srcs / sizeof a->srcs[0]) || idx > 255)
		return fs_err_set(err, FS_E_ARG, "open: too many captures in one run"), -1;
	for (int i = 0; i < a->n_srcs; i++)
		if (a->srcs[i] != NULL && strcmp(a->srcs[i], argv[1]) == 0)
			return fs_err_set(err, FS_E_ARG, "open: %s is already read in this run", argv[1]), -1;
	if (a->feed->open(a->feed_ctx, argv[1], idx, err) != FS_OK)
		return -1;
	a->srcs[a->n_srcs++] = xstrdup(argv[1]);
	a->cfg.sources = a->srcs;
	a->cfg.n_sources = a->n_srcs;
	a->opening = true;
	if (a->session != NULL) {
		struct fs_err e = { 0 };
		(void)session_add_capture(a->session, argv[1], NULL, &e);
	}
	return app_message(a, false, "reading %s into this investigation…", argv[1]);
}
