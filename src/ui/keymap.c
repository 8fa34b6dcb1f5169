/* Key tables and their defaults: every default binding is a command string, so the help
 * overlay, `bind` and the prompt share one language. */
#include "ui/keymap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *table, *key, *cmd, *note;
} default_bindings[] = {
	{ "global", "?", "help", "show this help (every key)" },
	{ "global", "F1", "help", NULL },
	{ "global", ":", "prompt command", "command prompt (theme, filter, export, sort, quit…)" },
	{ "global", "q", "close", "go back; quit from the home list (stops loading first)" },
	{ "global", "C-c", "close", NULL },
	{ "global", "Escape", "back", "go back along the breadcrumb trail" },
	{ "global", "BSpace", "back", NULL },
	{ "global", "h", "back", NULL },
	{ "global", "Left", "back", NULL },
	{ "global", "C-h", "back", NULL },
	{ "global", "Up", "move up", "move up" },
	{ "global", "k", "move up", NULL },
	{ "global", "Down", "move down", "move down" },
	{ "global", "j", "move down", NULL },
	{ "global", "PgUp", "move pgup", "page up" },
	{ "global", "C-b", "move pgup", NULL },
	{ "global", "PgDn", "move pgdn", "page down" },
	{ "global", "C-f", "move pgdn", NULL },
	{ "global", "g", "move top", "first row" },
	{ "global", "Home", "move top", NULL },
	{ "global", "G", "move bottom", "last row" },
	{ "global", "End", "move bottom", NULL },
	{ "global", "Enter", "open", "open: domain detail, or the domains of an address/ASN/NS" },
	{ "global", "l", "open", NULL },
	{ "global", "Right", "open", NULL },
	{ "global", "m", "mark toggle", "mark or unmark the domain (export picks marks)" },
	{ "global", "Space", "mark toggle", NULL },
	{ "global", "e", "export", "export dialog: the marked domains (none marked: every flux domain)" },
	{ "global", "C-l", "redraw", "redraw the screen" },
	{ "list", "s", "sort next", "sort by the next column" },
	{ "list", "S", "sort reverse", "reverse the sort order" },
	{ "global", "/", "prompt search", "search as you type (Enter keeps the match)" },
	{ "global", "n", "search-next", "next search match" },
	{ "global", "N", "search-prev", "previous search match" },
	{ "list", "f", "prompt filter", "filter, e.g. verdict=single-flux,double-flux score>=60" },
	{ "list", "F", "filter", "clear the filter" },
	{ "list", "a", "show toggle", "show all domains / only flagged ones" },
	{ "list", "r", "group toggle", "group by registrable domain" },
	{ "list", "t", "view time", "responses and flagged domains over time; select a range to filter" },
	{ "time", "Right", "move down", "next bin" },
	{ "time", "l", "move down", NULL },
	{ "time", "Left", "move up", "previous bin" },
	{ "time", "[", "range start", "start a time range at the cursor's bin" },
	{ "time", "]", "range end", "end the time range at the cursor's bin" },
	{ "time", "x", "range clear", "clear the time range" },
	{ "time", "Enter", "range apply", "filter the list to the range (or the cursor's bin)" },
	{ "list", "c", "view clusters", "every cluster: members, shared agents and nameservers" },
	{ "list", "A", "view addresses", "every answer address and the domains using it" },
	{ "list", "O", "view asns", "every ASN (organisation) and the domains using it" },
	{ "list", "D", "view nameservers", "every nameserver and the domains delegated to it" },
	{ "detail", "Tab", "tab next", "next tab" },
	{ "detail", "BTab", "tab prev", "previous tab" },
	{ "detail", "1", "tab 1", "Summary tab" },
	{ "detail", "2", "tab 2", "Timeline tab" },
	{ "detail", "3", "tab 3", "Spread tab" },
	{ "detail", "4", "tab 4", "Nameservers tab" },
	{ "detail", "5", "tab 5", "Related tab" },
	{ "detail", "y", "copy", "copy the line under the cursor to the clipboard (OSC 52)" },
	{ "detail", "w", "packet", "Timeline: the row's packet in tshark (frame.number of its file)" },
	{ "detail", "c", "collapse", "Timeline: fold identical consecutive rows, or show each" },
};

static struct keytable *
table_get(struct keymap *m, const char *name, bool create)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->t[i].name, name) == 0)
			return &m->t[i];
	if (!create || m->n >= KEYMAP_MAX_TABLES)
		return NULL;
	memset(&m->t[m->n], 0, sizeof m->t[m->n]);
	m->t[m->n].name = xstrdup(name);
	return &m->t[m->n++];
}

const struct keytable *
keymap_table(const struct keymap *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->t[i].name, name) == 0)
			return &m->t[i];
	return NULL;
}

void
keymap_init(struct keymap *m)
{
	static const char *const tables[] = { KEYMAP_TABLES };
	struct fs_err err;

	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		table_get(m, tables[i], true);
	for (size_t i = 0; i < sizeof default_bindings / sizeof default_bindings[0]; i++)
		if (keymap_bind(m, default_bindings[i].table, default_bindings[i].key,
		                default_bindings[i].cmd, default_bindings[i].note, &err) != FS_OK)
			fs_fatal("default key binding: %s", err.msg);
}

void
keymap_fini(struct keymap *m)
{
	for (int i = 0; i < m->n; i++) {
		for (size_t j = 0; j < m->t[i].n; j++) {
			free(m->t[i].b[j].cmd);
			free(m->t[i].b[j].note);
		}
		free(m->t[i].b);
		free(m->t[i].name);
	}
	memset(m, 0, sizeof *m);
}

fs_status
keymap_bind(struct keymap *m, const char *table, const char *keyname, const char *cmd,
            const char *note, struct fs_err *err)
{
	ui_key k = keys_parse(keyname);
	struct keytable *t;

	if (k == KEYC_NONE)
		return fs_err_set(err, FS_E_ARG, "unknown key '%s'", keyname);
	if ((t = table_get(m, table, true)) == NULL)
		return fs_err_set(err, FS_E_ARG, "too many key tables (at most %d)", KEYMAP_MAX_TABLES);
	for (size_t i = 0; i < t->n; i++)
		if (t->b[i].key == k) {
			free(t->b[i].cmd);
			free(t->b[i].note);
			t->b[i].cmd = xstrdup(cmd);
			t->b[i].note = note != NULL ? xstrdup(note) : NULL;
			return FS_OK;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->b = xreallocarray(t->b, t->cap, sizeof *t->b);
	}
	t->b[t->n++] = (struct keybind){ k, xstrdup(cmd), note != NULL ? xstrdup(note) : NULL };
	return FS_OK;
}

fs_status
keymap_unbind(struct keymap *m, const char *table, const char *keyname, struct fs_err *err)
{
	ui_key k = keys_parse(keyname);
	struct keytable *t = table_get(m, table, false);

	if (k == KEYC_NONE)
		return fs_err_set(err, FS_E_ARG, "unknown key '%s'", keyname);
	if (t == NULL)
		return fs_err_set(err, FS_E_ARG, "no key table '%s'", table);
	for (size_t i = 0; i < t->n; i++)
		if (t->b[i].key == k) {
			free(t->b[i].cmd);
			free(t->b[i].note);
			memmove(&t->b[i], &t->b[i + 1], (t->n - i - 1) * sizeof t->b[0]);
			t->n--;
			return FS_OK;
		}
	return fs_err_set(err, FS_E_NOTFOUND, "key %s is not bound in table %s", keyname, table);
}

const struct keybind *
keymap_lookup(const struct keymap *m, const char *table, ui_key key)
{
	const struct keytable *t = keymap_table(m, table);
	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->b[i].key == key)
			return &t->b[i];
	return NULL;
}

void
keymap_describe(const struct keymap *m, const char *table,
                void (*fn)(void *ctx, const char *keys, const char *text), void *ctx)
{
	const struct keytable *t = keymap_table(m, table);
	bool *done;

	if (t == NULL || t->n == 0)
		return;
	done = xcalloc(t->n, sizeof *done);
	for (size_t i = 0; i < t->n; i++) {
		char keys[128] = "", kn[32];
		const char *note = t->b[i].note;
		size_t used = 0;
		if (done[i])
			continue;
		for (size_t j = i; j < t->n; j++) {
			if (done[j] || strcmp(t->b[j].cmd, t->b[i].cmd) != 0)
				continue;
			done[j] = true;
			if (note == NULL)
				note = t->b[j].note;
			keys_name(t->b[j].key, kn, sizeof kn);
			int w = snprintf(keys + used, sizeof keys - used, "%s%s", used ? " " : "", kn);
			if (w > 0 && (size_t)w < sizeof keys - used)
				used += (size_t)w;
		}
		fn(ctx, keys, note != NULL ? note : t->b[i].cmd);
	}
	free(done);
}
