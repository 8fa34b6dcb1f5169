/* Generated documentation of the TUI: commands, keys, colour roles. */
#include "ui/docgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/fs.h"
#include "ui/cmd.h"
#include "ui/keymap.h"
#include "ui/theme.h"

struct buf {
	char *b;
	size_t n, cap;
};

static void
add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->n + (size_t)n + 1 > b->cap) {
		b->cap = (b->n + (size_t)n + 1) * 2;
		b->b = xrealloc(b->b, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->b + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

static void
key_row(void *ctx, const char *keys, const char *text)
{
	char k[256] = "";
	const char *p = keys;
	/* `j` `Down` */
	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		char one[64];
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		strncat(k, k[0] ? " `" : "`", sizeof k - strlen(k) - 1);
		strncat(k, one, sizeof k - strlen(k) - 1);
		strncat(k, "`", sizeof k - strlen(k) - 1);
		p += n;
		while (*p == ' ')
			p++;
	}
	add(ctx, "| %s | %s |\n", k, text);
}

char *
docgen_commands(void)
{
	static const struct { const char *table, *title; } sections[] = {
		{ "global", "Everywhere" }, { "list", "Domain lists" }, { "detail", "Domain detail" },
		{ "time", "Time view (:view time)" },
	};
	struct buf b = { 0 };
	struct keymap m;
	const struct cmd_entry *t;
	size_t n;

	keymap_init(&m);
	add(&b, "# TUI keys and commands\n\n"
	        "<!-- Generated from src/ui/cmd.c and src/ui/keymap.c by tests/unit/ui/test_docs.c;\n"
	        "     run it with FLUXSCOPE_WRITE_DOCS=1 to rewrite this file. -->\n\n"
	        "Every key runs a command of the `:` prompt. `:bind [-T TABLE] KEY COMMAND...` and\n"
	        "`:unbind [-T TABLE] KEY` change the bindings for the session; `?` shows the current ones.\n"
	        "Keys are looked up in the table of the view on screen (`list` or `detail`), then in\n"
	        "`global`. Key names are tmux's: `C-c`, `Enter`, `Escape`, `BSpace`, `Tab`, `BTab`,\n"
	        "`Up`, `PgDn`, `F1`, `Space`.\n");
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		add(&b, "\n## %s (table `%s`)\n\n| keys | action |\n| --- | --- |\n", sections[i].title,
		    sections[i].table);
		keymap_describe(&m, sections[i].table, key_row, &b);
	}
	add(&b, "\n## Mouse\n\n| | |\n| --- | --- |\n"
	        "| click | select a row; on a column header: sort by it (again: reverse); on a tab: switch |\n"
	        "| double-click | open the row |\n| wheel | scroll |\n"
	        "| click on the trail | go back to that step of the breadcrumb trail |\n");
	add(&b, "\n## Commands\n\nType `:` then the command; Tab completes names, themes, columns.\n"
	        "Unique prefixes work (`:the light`).\n\n| command | what it does |\n| --- | --- |\n");
	t = cmd_table(&n);
	for (size_t i = 0; i < n; i++)
		add(&b, "| `%s%s%s`%s%s%s | %s |\n", t[i].name, t[i].usage[0] ? " " : "", t[i].usage,
		    t[i].alias ? " (`" : "", t[i].alias ? t[i].alias : "", t[i].alias ? "`)" : "",
		    t[i].help);
	keymap_fini(&m);
	return b.b;
}

char *
docgen_themes(void)
{
	struct buf b = { 0 };
	struct ui_theme d;
	char fg[32], bg[32];

	theme_default(&d);
	add(&b, "# TUI themes\n\n"
	        "<!-- Generated from src/ui/roles.h (the verdicts: detect.h) by tests/unit/ui/test_docs.c;\n"
	        "     run it with FLUXSCOPE_WRITE_DOCS=1 to rewrite this file. -->\n\n"
	        "A theme is a text file `NAME.theme`: one line per colour role,\n\n"
	        "    role = fg=COLOUR,bg=COLOUR,ATTRIBUTES\n\n"
	        "in tmux's style syntax. Items are separated by commas or blanks. COLOUR is `default`,\n"
	        "`black` `red` `green` `yellow` `blue` `magenta` `cyan` `white`, `bright` + one of those,\n"
	        "`colour0`-`colour255` (or `color…`), or `#rrggbb` (shown as the nearest of 256 colours).\n"
	        "ATTRIBUTES: `bold` `dim` `underscore` (`underline`) `blink` `reverse` `italics`\n"
	        "(`italic`), `none` to clear them, `no` + one to remove it. `#` after a blank starts a\n"
	        "comment; `name = TEXT` names the theme. Roles left out keep the built-in (dark) style\n"
	        "listed below.\n\n"
	        "Shipped: `dark` (the default), `light`, `high-contrast`, `mono` (attributes only).\n"
	        "`fluxscope --theme NAME|PATH` picks one at start, `:theme NAME|PATH` switches live,\n"
	        "`:theme` lists those found. Names are looked up as `NAME.theme` in `$FLUXSCOPE_THEMES`,\n"
	        "`~/.config/fluxscope/themes`, `themes/` beside the binary (or one folder up) and\n"
	        "`../share/fluxscope/themes` of an install. A file with an error is reported with its\n"
	        "line (`themes/x.theme:12: unknown role 'flux_hgh'`) and the default theme is used.\n"
	        "`NO_COLOR` (set and not empty) keeps the attributes and drops every colour; without\n"
	        "`--theme` it selects `mono`. Without colour a role drawn only by its background is shown\n"
	        "in reverse video, so bars and the cursor stay visible.\n\n"
	        "| role | default (dark) | colours |\n| --- | --- | --- |\n");
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		const struct ui_style *s = &d.role[r];
		char attrs[96] = "";
		static const char *const an[] = { "bold", "dim", "underscore", "blink", "reverse", "italics" };
		for (int k = 0; k < 6; k++)
			if (s->attrs & (1 << k)) {
				strncat(attrs, ",", sizeof attrs - strlen(attrs) - 1);
				strncat(attrs, an[k], sizeof attrs - strlen(attrs) - 1);
			}
		add(&b, "| `%s` | `fg=%s,bg=%s%s` | %s |\n", theme_role_name(r),
		    theme_colour_str(s->fg, fg, sizeof fg), theme_colour_str(s->bg, bg, sizeof bg), attrs,
		    theme_role_text(r));
	}
	return b.b;
}
