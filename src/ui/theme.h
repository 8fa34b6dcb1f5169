/* Themes: role → style tables parsed from themes/NAME.theme files (tmux style syntax).
 *
 * File format, one assignment per line, '#' starts a comment:
 *     verdict.single-flux = fg=red,bg=default,bold
 * The right side is a list of items separated by commas or spaces: fg=COLOUR, bg=COLOUR and
 * attributes (bold dim underscore|underline blink reverse italics|italic none). COLOUR is
 * default, black red green yellow blue magenta cyan white, their bright variants
 * (brightred…), colour0–colour255 (or color0–255) or #rrggbb. Roles not named keep the
 * compiled-in default. A "name = TEXT" line names the theme.
 *
 * Parsing is pure (no I/O, no curses) and unit-tested; theme_load() adds the file lookup.
 * Threads: any; a struct ui_theme is plain data owned by its holder. */
#ifndef FLUXSCOPE_UI_THEME_H
#define FLUXSCOPE_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"
#include "ui/roles.h"

#define UI_COLOUR_DEFAULT (-1)
#define UI_COLOUR_RGB 0x1000000 /* | 0xrrggbb */

enum {
	UI_ATTR_BOLD = 0x01,
	UI_ATTR_DIM = 0x02,
	UI_ATTR_UNDERLINE = 0x04,
	UI_ATTR_BLINK = 0x08,
	UI_ATTR_REVERSE = 0x10,
	UI_ATTR_ITALIC = 0x20
};

struct ui_style {
	int32_t fg, bg;     /* UI_COLOUR_DEFAULT, 0..255, or UI_COLOUR_RGB | 0xrrggbb */
	uint16_t attrs;     /* UI_ATTR_* */
};

struct ui_theme {
	char name[64];
	struct ui_style role[UI_ROLE_COUNT];
};

/* Role names as written in theme files; NULL for an out-of-range role. */
const char *theme_role_name(enum ui_role r);
const char *theme_role_text(enum ui_role r);
int theme_role_find(const char *name);  /* -1 if unknown */

/* The compiled-in default theme ("dark"). */
void theme_default(struct ui_theme *t);

/* Parse one style string ("fg=red,bold") on top of *st. Returns 0, or -1 with a phrase in
 * why (e.g. "unknown colour 'purpel'"). */
int theme_parse_style(const char *s, struct ui_style *st, char *why, size_t whylen);

/* Parse a theme file's text on top of *t (start from theme_default()). origin names the file in
 * errors: "themes/x.theme:12: unknown role 'flux_hgh'". On error *t is left unchanged. */
fs_status theme_parse(const char *text, size_t len, const char *origin, struct ui_theme *t,
                      struct fs_err *err);

/* Load NAME (searched as NAME.theme in dirs, in order) or PATH (contains '/' or ends in .theme).
 * "dark" or "default" with no file found yields the compiled-in default. On failure *t holds the
 * default theme and err explains (file and line). dirs may be NULL. */
fs_status theme_load(const char *name_or_path, const char *const *dirs, int n_dirs,
                     struct ui_theme *t, struct fs_err *err);

/* Theme names found in dirs (unique, sorted), for completion and `theme` without argument.
 * Fills names[0..max-1] with xstrdup'ed strings the caller frees; returns the count. */
int theme_list(const char *const *dirs, int n_dirs, char **names, int max);

/* Turn a colour into text (for tests and `theme` listing): "red", "colour123", "#00ff00". */
const char *theme_colour_str(int32_t c, char *buf, size_t len);

#endif
