/* The terminal: copies a canvas to the screen through curses and reads keys, mouse and resize
 * events. The only module that touches curses (via ui/curses.h). UI thread only. */
#ifndef FLUXSCOPE_UI_DRAW_H
#define FLUXSCOPE_UI_DRAW_H

#include <stdbool.h>

#include "fluxscope/fs.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "ui/theme.h"

/* Take over the terminal. Fails with a sentence when stdin/stdout is not a terminal or TERM is
 * unknown. The fatal hook (out of memory) restores the terminal first. */
fs_status draw_init(bool mouse, struct fs_err *err);
void draw_fini(void);
void draw_size(int *w, int *h);
bool draw_unicode(void);
/* Map roles to colour pairs and attributes; no_color keeps attributes only (NO_COLOR). */
void draw_set_theme(const struct ui_theme *t, bool no_color);
void draw_blit(const struct ui_canvas *c, bool clear);
/* Put text on the terminal's clipboard (OSC 52; tmux takes it with set-clipboard on). */
void draw_clipboard(const char *text);
/* Wait up to timeout_ms for input; returns 1 with *ev filled, 0 on timeout or interruption. */
int draw_poll(struct ui_event *ev, int timeout_ms);

#endif
