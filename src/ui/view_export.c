/* The export dialog (`e`) and the `export FORMAT PATH` command: the marked domains (or, with no
 * mark, every flux domain) turned into an indicator set by the export module, a preview of the
 * first lines with the entry count, and an atomic write. A failed write leaves the dialog open
 * and the marks in place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fluxscope/detect.h"
#include "fluxscope/export.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/prompt.h"

#define PREVIEW_LINES 12

struct export_dlg {
	struct overlay o;
	size_t fmt;                /* index into export_writers() */
	int action;                /* enum export_rpz_action */
	bool infra;                /* also flux addresses and double-flux nameservers (default off) */
	bool residential;          /* with infra: also residential-looking addresses (default off) */
	size_t n_residential;      /* addresses left out as residential-looking */
	enum { ASK_NONE, ASK_EXT, ASK_OVERWRITE } ask; /* a question waiting for y/n */
	char path[1024];
	bool path_edited;          /* the user typed a path: keep it across format changes */
	struct export_set *set;
	const struct snap *set_snap; /* the snapshot the set was built from */
	size_t n_selected;
	bool marked;               /* the set holds the marks (else: every flux domain) */
	char preview[8192];
	int preview_lines;
	size_t total;
	char status[1400];
};

/* Fill an indicator set from the marks (or every flux domain when nothing is marked). NULL
 * while the data is updating: the store lock is busy (app.h), marks are still on their way to
 * the store, or the snapshot's results predate an ageing run (their ids may have been reused);
 * the dialog then tries again at the next draw. */
static struct export_set *
select_set(struct app *a, struct export_dlg *d)
{
	struct export_selection sel = { 0 };
	struct export_set *set;
	size_t *n = &d->n_selected;
	bool *marked = &d->marked;

	*marked = a->n_marks > 0;
	*n = 0;
	d->n_residential = 0;
	sel.mode = *marked ? EXPORT_SEL_MARKED : EXPORT_SEL_FLUX;
	sel.infrastructure = d->infra;
	sel.geo = a->cfg.geo;
	sel.residential = d->residential;
	sel.n_residential_skipped = &d->n_residential;
	if (a->cfg.store == NULL || a->snap->det == NULL)
		return export_set_new_for_detector(a->snap->det);
	if (*marked && a->feed != NULL && a->feed->marks_pending != NULL &&
	    a->feed->marks_pending(a->feed_ctx) > 0) {
		a->updating = true;
		return NULL;
	}
	if (!app_store_read(a))
		return NULL;
	if (a->snap->epoch != store_epoch(a->cfg.store)) {
		app_store_done(a);
		a->updating = true;
		return NULL;
	}
	set = export_set_new_for_detector(a->snap->det);
	*n = export_select(set, a->cfg.store, a->snap->det, &sel);
	app_store_done(a);
	export_set_notes(set, a->notes);
	return set;
}

static void
opts_of(const struct export_dlg *d, struct export_opts *o)
{
	export_opts_init(o);
	o->action = (enum export_rpz_action)d->action;
}

static void
default_path(struct export_dlg *d)
{
	size_t n;
	const struct export_writer *w = &export_writers(&n)[d->fmt];
	if (!d->path_edited)
		snprintf(d->path, sizeof d->path, "fluxscope-export.%s", w->ext);
}

static void
refresh(struct app *a, struct export_dlg *d)
{
	size_t n;
	const struct export_writer *w = &export_writers(&n)[d->fmt];
	struct export_opts o;

	if (d->set == NULL || d->set_snap != a->snap) {
		/* the set borrows the snapshot's detector (allowlist): rebuild with a new one */
		if (d->set != NULL)
			export_set_free(d->set);
		d->set = select_set(a, d);
		d->set_snap = a->snap;
	}
	if (d->set == NULL) {
		/* updating: nothing to preview yet (tried again at the next draw) */
		snprintf(d->preview, sizeof d->preview, "(updating: the store is busy; the preview "
		         "follows in a moment)\n");
		d->preview_lines = 1;
		d->total = 0;
		return;
	}
	opts_of(d, &o);
	d->preview_lines = export_preview(w, d->set, &o, PREVIEW_LINES, d->preview, sizeof d->preview,
	                                  &d->total);
}

/* The extension of path ("" when none), and whether it names another format than w's. */
static const char *
path_ext(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	return dot != NULL && (slash == NULL || dot > slash) && dot[1] != '\0' ? dot + 1 : "";
}

/* Remember the choices (the app keeps them for the next opening; a session saves them). */
static void
remember(struct app *a, const struct export_dlg *d)
{
	size_t n;
	const struct export_writer *w = &export_writers(&n)[d->fmt];
	snprintf(a->export_format, sizeof a->export_format, "%s", w->name);
	if (d->path_edited)
		snprintf(a->export_path, sizeof a->export_path, "%s", d->path);
}

static int write_now(struct app *a, struct export_dlg *d);

/* Before writing: a path whose extension is another format's, and an existing file, are
 * questions (y writes, anything else goes back to the dialog). */
static int
write_checked(struct app *a, struct export_dlg *d)
{
	size_t n;
	const struct export_writer *w = &export_writers(&n)[d->fmt];
	const char *ext = path_ext(d->path);
	struct stat st;

	remember(a, d);
	if (d->ask == ASK_NONE && ext[0] != '\0' && strcasecmp(ext, w->ext) != 0) {
		d->ask = ASK_EXT;
		snprintf(d->status, sizeof d->status, "%s ends in .%s but the format is %s (.%s): write "
		         "anyway? y/n", d->path, ext, w->name, w->ext);
		return UI_REDRAW;
	}
	if (d->ask != ASK_OVERWRITE && stat(d->path, &st) == 0 && S_ISREG(st.st_mode)) {
		d->ask = ASK_OVERWRITE;
		snprintf(d->status, sizeof d->status, "%s exists (%lld bytes): overwrite it? y/n", d->path,
		         (long long)st.st_size);
		return UI_REDRAW;
	}
	d->ask = ASK_NONE;
	return write_now(a, d);
}

static int
write_now(struct app *a, struct export_dlg *d)
{
	size_t n;
	const struct export_writer *w = &export_writers(&n)[d->fmt];
	struct export_opts o;
	struct export_report rep;
	struct fs_err err = { 0 };
	struct export_set_stats ss;

	refresh(a, d);
	if (d->set == NULL) {
		snprintf(d->status, sizeof d->status, "the data is updating: write again in a moment");
		return app_message(a, false, "%s", d->status);
	}
	opts_of(d, &o);
	if (export_write_file(w, d->set, &o, d->path, &rep, &err) != FS_OK) {
		/* the dialog stays, with the marks: nothing is lost */
		snprintf(d->status, sizeof d->status, "%s", err.msg);
		return app_message(a, true, "%s", err.msg);
	}
	export_set_get_stats(d->set, &ss);
	if (d->marked)
		a->marks_unsaved = false;
	app_message(a, false, "wrote %zu entries to %s%s%s%s", rep.entries, d->path,
	            ss.n_allowlisted ? "; allowlisted names left out: " : "",
	            ss.n_allowlisted ? (rep.n_warnings ? rep.warnings[0] : "see the allowlist") : "",
	            rep.stale_removed ? "; removed the temporary file of a killed earlier write" : "");
	return app_close_overlay(a);
}

static void
path_done(struct app *a, void *ctx, const char *line)
{
	struct export_dlg *d = ctx;
	if (d == NULL || a->ov != &d->o)   /* the dialog was closed meanwhile */
		return;
	if (line[0] != '\0') {
		snprintf(d->path, sizeof d->path, "%s", line);
		d->path_edited = true;
		remember(a, d);
	}
}

static int
dlg_key(struct app *a, struct overlay *o, ui_key k)
{
	struct export_dlg *d = (struct export_dlg *)o;
	size_t n;

	export_writers(&n);
	d->status[0] = '\0';
	if (d->ask != ASK_NONE) {
		/* a question is open: y goes on, anything else goes back to the dialog */
		if (k == 'y' || k == 'Y') {
			if (d->ask == ASK_EXT) {
				/* the extension is accepted: next, an existing file */
				struct stat st;
				if (stat(d->path, &st) == 0 && S_ISREG(st.st_mode)) {
					d->ask = ASK_OVERWRITE;
					snprintf(d->status, sizeof d->status, "%s exists (%lld bytes): overwrite it? y/n",
					         d->path, (long long)st.st_size);
					return UI_REDRAW;
				}
			}
			d->ask = ASK_NONE;
			return write_now(a, d);
		}
		d->ask = ASK_NONE;
		snprintf(d->status, sizeof d->status, "not written");
		return UI_REDRAW;
	}
	switch (k) {
	case KEY_ESC_C: case 'q': case KEY_CTRL('c'):
		app_message(a, false, "export cancelled");
		return app_close_overlay(a);
	case KEY_TAB_C: case KEYC_RIGHT: case 'l': case 'f':
		d->fmt = (d->fmt + 1) % n;
		break;
	case KEYC_BTAB: case KEYC_LEFT: case 'h': case 'F':
		d->fmt = (d->fmt + n - 1) % n;
		break;
	case 'a':
		d->action = (d->action + 1) % 5;
		break;
	case 'i':
	case 'r':
		if (k == 'i')
			d->infra = !d->infra;
		else
			d->residential = !d->residential;
		if (d->set != NULL)
			export_set_free(d->set);
		d->set = NULL;
		break;
	case 'p':
		default_path(d);
		return prompt_text(a, "path: ", d->path, path_done, d);
	case KEY_ENTER_C: case 'w':
		return write_checked(a, d);
	default:
		return UI_OK;
	}
	default_path(d);
	remember(a, d);
	refresh(a, d);
	return UI_REDRAW;
}

static void
dlg_draw(struct app *a, struct overlay *o, struct ui_canvas *c)
{
	struct export_dlg *d = (struct export_dlg *)o;
	size_t n;
	const struct export_writer *ws = export_writers(&n), *w = &ws[d->fmt];
	int x0 = c->w > 100 ? (c->w - 96) / 2 : 1, w0 = c->w - 2 * x0, y = 1, h = c->h - 3;
	char buf[1024];
	struct export_set_stats ss;

	if (d->set_snap != a->snap || d->set == NULL)
		refresh(a, d);
	memset(&ss, 0, sizeof ss);
	if (d->set != NULL)
		export_set_get_stats(d->set, &ss);
	canvas_fill(c, x0, y, w0, h, ' ', UI_ROLE_DIALOG);
	snprintf(buf, sizeof buf, "Export %s", d->marked ? "the marked domains" :
	         "every single-flux and double-flux domain (nothing is marked)");
	canvas_put_ellip(c, x0 + 2, y++, w0 - 4, UI_ROLE_DIALOG_TITLE, buf);
	y++;
	canvas_put(c, x0 + 2, y, 10, UI_ROLE_DIALOG_KEY, "format");
	{
		int x = x0 + 12;
		for (size_t i = 0; i < n && x < x0 + w0 - 2; i++) {
			snprintf(buf, sizeof buf, i == d->fmt ? "[%s]" : " %s ", ws[i].name);
			x += canvas_put(c, x, y, x0 + w0 - 2 - x, i == d->fmt ? UI_ROLE_TAB_ACTIVE : UI_ROLE_DIALOG, buf);
		}
	}
	y++;
	canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG, w->desc);
	canvas_put(c, x0 + 2, y, 10, UI_ROLE_DIALOG_KEY, "path");
	canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG, d->path);
	canvas_put(c, x0 + 2, y, 10, UI_ROLE_DIALOG_KEY, "action");
	snprintf(buf, sizeof buf, "%s%s", export_rpz_action_name((enum export_rpz_action)d->action),
	         strcmp(w->name, "rpz") == 0 || strcmp(w->name, "dnsmasq") == 0 ||
	         strcmp(w->name, "unbound") == 0 ? "" : " (not used by this format)");
	canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG, buf);
	canvas_put(c, x0 + 2, y, 10, UI_ROLE_DIALOG_KEY, "also");
	canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG,
	                 d->infra ? "[x] flux addresses and double-flux nameservers (every one seen)"
	                          : "[ ] flux addresses and double-flux nameservers (i)");
	snprintf(buf, sizeof buf, "%s residential-looking addresses (r; AS name of an access network: "
	         "telecom, broadband, cable, fiber, mobile…)", d->residential ? "[x]" : "[ ]");
	canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG, buf);
	if (d->infra && !d->residential && d->n_residential > 0) {
		snprintf(buf, sizeof buf, "%zu residential-looking addresses left out", d->n_residential);
		canvas_put_ellip(c, x0 + 12, y++, w0 - 14, UI_ROLE_DIALOG, buf);
	}
	if (d->set == NULL)
		snprintf(buf, sizeof buf, "updating...");
	else
		snprintf(buf, sizeof buf, "%zu domains selected, %zu indicators in the set, %zu entries in this file%s",
		         d->n_selected, export_set_count(d->set), d->total,
		         ss.n_allowlisted ? "; allowlisted names are never exported" : "");
	y++;
	canvas_put_ellip(c, x0 + 2, y++, w0 - 4, UI_ROLE_DIALOG_TITLE, buf);
	{
		const char *p = d->preview;
		for (int i = 0; i < d->preview_lines && y < 1 + h - 3 && *p != '\0'; i++) {
			const char *nl = strchr(p, '\n');
			size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
			size_t bo = 0;
			/* zone files align with tabs: expand them (8 columns) */
			for (size_t k = 0; k < len && bo + 9 < sizeof buf; k++) {
				if (p[k] == '\t') {
					do
						buf[bo++] = ' ';
					while (bo % 8 != 0);
				} else
					buf[bo++] = p[k];
			}
			buf[bo] = '\0';
			canvas_put_ellip(c, x0 + 4, y++, w0 - 6, UI_ROLE_DIALOG, buf);
			p = nl != NULL ? nl + 1 : p + len;
		}
	}
	if (d->status[0] != '\0')
		canvas_put_ellip(c, x0 + 2, 1 + h - 2, w0 - 4, UI_ROLE_ERROR, d->status);
	canvas_put_ellip(c, x0 + 2, 1 + h - 1, w0 - 4, UI_ROLE_DIALOG_KEY,
	                 d->ask != ASK_NONE ? "y yes  any other key: back to the dialog" :
	                 "Tab/arrows format  p path  a action  i addresses/NS  r residential  Enter/w write  Esc cancel");
}

static void
dlg_free(struct overlay *o)
{
	struct export_dlg *d = (struct export_dlg *)o;
	if (d->set != NULL)
		export_set_free(d->set);
	free(d);
}

static const struct overlay_ops export_ops = {
	.key = dlg_key, .mouse = NULL, .draw = dlg_draw, .free = dlg_free,
};

static struct export_dlg *
dlg_new(struct app *a, const char *format, const char *path)
{
	struct export_dlg *d = xcalloc(1, sizeof *d);
	size_t n;
	const struct export_writer *ws = export_writers(&n);

	d->o.ops = &export_ops;
	d->infra = false;          /* addresses and nameservers only when asked for */
	/* the last choices of this session, unless the command names others */
	if (format == NULL && a->export_format[0] != '\0')
		format = a->export_format;
	if (path == NULL && a->export_path[0] != '\0') {
		snprintf(d->path, sizeof d->path, "%s", a->export_path);
		d->path_edited = true;
	}
	for (size_t i = 0; i < n; i++)
		if (format != NULL && strcmp(ws[i].name, format) == 0)
			d->fmt = i;
	if (path != NULL) {
		snprintf(d->path, sizeof d->path, "%s", path);
		d->path_edited = true;
	}
	default_path(d);
	refresh(a, d);
	return d;
}

int
app_export(struct app *a, const char *format, const char *path)
{
	struct export_dlg *d;
	int r;

	if (a->snap->det == NULL || a->cfg.store == NULL)
		return app_message(a, true, "nothing to export yet (no scored data)");
	if (format != NULL && export_writer_find(format) == NULL) {
		char names[256];
		return app_message(a, true, "export: unknown format '%s' (%s)", format,
		                   export_writer_names(names, sizeof names));
	}
	d = dlg_new(a, format, path);
	if (a->ov != NULL)
		a->ov->ops->free(a->ov);
	a->ov = &d->o;
	if (path != NULL) {
		/* `export FORMAT PATH`: write at once (after the same questions), keeping the dialog
		 * open for a question or if the write fails */
		r = write_checked(a, d);
		return r;
	}
	return UI_REDRAW;
}
