/* Key tables (tmux style): named tables of key → command string in the prompt language, with a
 * note for the help overlay. The defaults are plain data in keymap.c; `bind`/`unbind` change
 * them at run time. Lookup tries the view's table, then "global". Pure; UI thread. */
#ifndef FLUXSCOPE_UI_KEYMAP_H
#define FLUXSCOPE_UI_KEYMAP_H

#include <stddef.h>

#include "fluxscope/fs.h"
#include "ui/keys.h"

struct keybind {
	ui_key key;
	char *cmd;       /* owned */
	char *note;      /* owned; may be NULL (the help shows the command) */
};

struct keytable {
	char *name;      /* owned */
	struct keybind *b;
	size_t n, cap;
};

#define KEYMAP_MAX_TABLES 16
struct keymap {
	struct keytable t[KEYMAP_MAX_TABLES];
	int n;
};

/* The tables a view can name, in help order. */
#define KEYMAP_TABLES "global", "list", "detail", "time"

void keymap_init(struct keymap *m);   /* loads the default bindings */
void keymap_fini(struct keymap *m);
/* Bind key in table (created if new) to cmd; replaces an existing binding. */
fs_status keymap_bind(struct keymap *m, const char *table, const char *keyname, const char *cmd,
                      const char *note, struct fs_err *err);
fs_status keymap_unbind(struct keymap *m, const char *table, const char *keyname,
                        struct fs_err *err);
const struct keybind *keymap_lookup(const struct keymap *m, const char *table, ui_key key);
const struct keytable *keymap_table(const struct keymap *m, const char *name);

/* Help lines for a table: keys bound to the same command are joined ("j Down"). Calls fn once per
 * distinct command with the joined key names and the note (or command). */
void keymap_describe(const struct keymap *m, const char *table,
                     void (*fn)(void *ctx, const char *keys, const char *text), void *ctx);

#endif
