/* Overlays: the help screen generated from the key tables and the command table, and the
 * yes/no confirmation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/query.h"
#include "ui/app.h"
#include "ui/cmd.h"

struct help_line {
	char *keys;     /* NULL for a title line */
	char *text;
};

struct help {
	struct overlay o;
	struct help_line *l;
	int n, cap;
	int top;
	int page;       /* lines visible at the last draw */
};

static void
help_add(struct help *h, const char *keys, const char *text)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->l = xreallocarray(h->l, (size_t)h->cap, sizeof *h->l);
	}
	h->l[h->n].keys = keys != NULL ? xstrdup(keys) : NULL;
	h->l[h->n].text = xstrdup(text);
	h->n++;
}

static void
help_key_cb(void *ctx, const char *keys, const char *text)
{
	help_add(ctx, keys, text);
}

static void
help_free(struct overlay *o)
{
	struct help *h = (struct help *)o;
	for (int i = 0; i < h->n; i++) {
		free(h->l[i].keys);
		free(h->l[i].text);
	}
	free(h->l);
	free(h);
}

static int
help_scroll(struct help *h, int d)
{
	int max = h->n - h->page;
	h->top += d;
	if (h->top > max)
		h->top = max;
	if (h->top < 0)
		h->top = 0;
	return UI_REDRAW;
}

static int
help_key(struct app *a, struct overlay *o, ui_key k)
{
	struct help *h = (struct help *)o;
	switch (k) {
	case 'j': case KEYC_DOWN: return help_scroll(h, 1);
	case 'k': case KEYC_UP: return help_scroll(h, -1);
	case KEYC_NPAGE: case ' ': case KEY_CTRL('f'): return help_scroll(h, h->page - 1);
	case KEYC_PPAGE: case KEY_CTRL('b'): return help_scroll(h, -(h->page - 1));
	case 'g': case KEYC_HOME: return help_scroll(h, -h->n);
	case 'G': case KEYC_END: return help_scroll(h, h->n);
	default: return app_close_overlay(a);
	}
}

static int
help_mouse(struct app *a, struct overlay *o, const struct ui_event *ev)
{
	struct help *h = (struct help *)o;
	if (ev->button == UI_MOUSE_WHEEL_UP)
		return help_scroll(h, -3);
	if (ev->button == UI_MOUSE_WHEEL_DOWN)
		return help_scroll(h, 3);
	return app_close_overlay(a);
}

static void
help_draw(struct app *a, struct overlay *o, struct ui_canvas *c)
{
	struct help *h = (struct help *)o;
	int x0 = c->w > 100 ? (c->w - 96) / 2 : 2, w = c->w - 2 * x0;
	int y0 = 1, hh = c->h - 2, keyw = 0;
	(void)a;

	for (int i = 0; i < h->n; i++)
		if (h->l[i].keys != NULL && canvas_text_width(h->l[i].keys) > keyw)
			keyw = canvas_text_width(h->l[i].keys);
	if (keyw > w / 3)
		keyw = w / 3;
	canvas_fill(c, x0, y0, w, hh, ' ', UI_ROLE_DIALOG);
	canvas_put(c, x0 + 2, y0, w - 4, UI_ROLE_DIALOG_TITLE,
	           "fluxscope keys and commands (j/k scroll, any other key closes)");
	h->page = hh - 2;
	help_scroll(h, 0);
	for (int i = 0; i < h->page && h->top + i < h->n; i++) {
		const struct help_line *l = &h->l[h->top + i];
		int y = y0 + 1 + i;
		if (l->keys == NULL) {
			canvas_put(c, x0 + 2, y, w - 4, UI_ROLE_DIALOG_TITLE, l->text);
			continue;
		}
		canvas_put_ellip(c, x0 + 4, y, keyw, UI_ROLE_DIALOG_KEY, l->keys);
		canvas_put_ellip(c, x0 + 6 + keyw, y, w - keyw - 8, UI_ROLE_DIALOG, l->text);
	}
	if (h->top + h->page < h->n)
		canvas_printf(c, x0 + w - 14, y0 + hh - 1, 12, UI_ROLE_DIALOG_TITLE, "%d more",
		              h->n - h->top - h->page);
}

static const struct overlay_ops help_ops = {
	.key = help_key, .mouse = help_mouse, .draw = help_draw, .free = help_free,
};

struct overlay *
help_overlay_new(struct app *a)
{
	static const struct { const char *table, *title; } sections[] = {
		{ "global", "Everywhere" },
		{ "list", "Domain lists" },
		{ "detail", "Domain detail" },
		{ "time", "Time view (:view time)" },
	};
	struct help *h = xcalloc(1, sizeof *h);
	const struct cmd_entry *t;
	size_t n;
	char buf[256];

	h->o.ops = &help_ops;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		help_add(h, NULL, sections[i].title);
		keymap_describe(&a->keys, sections[i].table, help_key_cb, h);
		help_add(h, "", "");
	}
	/* Tables added with bind -T beyond the standard three. */
	for (int i = 0; i < a->keys.n; i++) {
		bool std = false;
		for (size_t j = 0; j < sizeof sections / sizeof sections[0]; j++)
			std |= strcmp(a->keys.t[i].name, sections[j].table) == 0;
		if (std || a->keys.t[i].n == 0)
			continue;
		snprintf(buf, sizeof buf, "Table %s", a->keys.t[i].name);
		help_add(h, NULL, buf);
		keymap_describe(&a->keys, a->keys.t[i].name, help_key_cb, h);
		help_add(h, "", "");
	}
	help_add(h, NULL, "Mouse");
	help_add(h, "click", "select a row; on a column header: sort by it (again: reverse)");
	help_add(h, "double-click", "open the row");
	help_add(h, "wheel", "scroll");
	help_add(h, "click trail", "go back to that step of the breadcrumb trail");
	help_add(h, "", "");
	help_add(h, NULL, "Filter fields (f or :filter; e.g. verdict=single-flux,double-flux score>=60 name~bank)");
	{
		const char *p = query_filter_help();
		while (*p != '\0') {
			size_t len = strcspn(p, "\n"), k = strcspn(p, " ");
			char field[64], text[256];
			const char *rest;
			if (k > len)
				k = len;
			snprintf(field, sizeof field, "%.*s", (int)(k < 63 ? k : 63), p);
			rest = p + k;
			while (rest < p + len && *rest == ' ')
				rest++;
			snprintf(text, sizeof text, "%.*s", (int)(p + len - rest), rest);
			help_add(h, field, text);
			p += len;
			if (*p == '\n')
				p++;
		}
	}
	help_add(h, "", "");
	help_add(h, NULL, "Commands (type : then the command; Tab completes)");
	t = cmd_table(&n);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%s%s%s", t[i].name, t[i].usage[0] ? " " : "", t[i].usage);
		help_add(h, buf, t[i].help);
	}
	return &h->o;
}

/* Confirmation: y runs the command, anything else cancels. */
struct confirm {
	struct overlay o;
	char *question;
	char *yes_cmd;
};

static void
confirm_free(struct overlay *o)
{
	struct confirm *c = (struct confirm *)o;
	free(c->question);
	free(c->yes_cmd);
	free(c);
}

static int
confirm_key(struct app *a, struct overlay *o, ui_key k)
{
	struct confirm *cf = (struct confirm *)o;
	char *cmd = xstrdup(cf->yes_cmd);
	int r;

	app_close_overlay(a);
	if (k == 'y' || k == 'Y')
		r = app_run_command(a, cmd) | UI_REDRAW;
	else
		r = app_message(a, false, "cancelled");
	free(cmd);
	return r;
}

static void
confirm_draw(struct app *a, struct overlay *o, struct ui_canvas *c)
{
	struct confirm *cf = (struct confirm *)o;
	int w = canvas_text_width(cf->question) + 4;
	int x, y = c->h / 2 - 1;
	(void)a;

	if (w > c->w - 2)
		w = c->w - 2;
	x = (c->w - w) / 2;
	canvas_fill(c, x, y - 1, w, 3, ' ', UI_ROLE_DIALOG);
	canvas_put_ellip(c, x + 2, y, w - 4, UI_ROLE_DIALOG_TITLE, cf->question);
}

static const struct overlay_ops confirm_ops = {
	.key = confirm_key, .mouse = NULL, .draw = confirm_draw, .free = confirm_free,
};

struct overlay *
confirm_overlay_new(const char *question, const char *yes_cmd)
{
	struct confirm *c = xcalloc(1, sizeof *c);
	c->o.ops = &confirm_ops;
	c->question = xstrdup(question);
	c->yes_cmd = xstrdup(yes_cmd);
	return &c->o;
}
