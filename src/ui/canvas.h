/* The canvas: an off-screen grid of cells (one Unicode code point and one colour role each)
 * that every view draws into. Only draw.c copies a canvas to the terminal, so views are tested
 * by reading canvas text (tmux modes drawing into a struct screen).
 *
 * Text is UTF-8; a wide character (CJK) takes two cells, the second marked as a continuation.
 * Threads: a canvas belongs to one thread (the UI thread). */
#ifndef FLUXSCOPE_UI_CANVAS_H
#define FLUXSCOPE_UI_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/roles.h"

#define CANVAS_CONT 0xffffffffu  /* ch of the second cell of a wide character */

struct ui_cell {
	uint32_t ch;    /* code point; CANVAS_CONT for the right half of a wide character */
	uint16_t role;  /* enum ui_role */
};

struct ui_canvas {
	int w, h;
	struct ui_cell *cells;     /* owned, w * h */
	bool unicode;              /* the terminal takes UTF-8: box and block glyphs allowed */
	int cur_x, cur_y;          /* terminal cursor position when cur_visible (prompts) */
	bool cur_visible;
};

void canvas_init(struct ui_canvas *c, int w, int h);
void canvas_fini(struct ui_canvas *c);
/* Resize, clearing every cell to blank/DEFAULT. */
void canvas_resize(struct ui_canvas *c, int w, int h);
void canvas_clear(struct ui_canvas *c, enum ui_role role);

/* Fill a rectangle (clipped) with one character. */
void canvas_fill(struct ui_canvas *c, int x, int y, int w, int h, uint32_t ch, enum ui_role role);
/* Set the role of w cells from (x, y), keeping the characters. */
void canvas_set_role(struct ui_canvas *c, int x, int y, int w, enum ui_role role);
struct ui_cell *canvas_at(struct ui_canvas *c, int x, int y); /* NULL when outside */

/* Write UTF-8 text at (x, y) within maxw cells (clipped at the canvas edge too). Returns the
 * number of cells used. Invalid UTF-8 bytes show as U+FFFD; control characters as '?'. */
int canvas_put(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *s);
/* Same, ending in '…' (or '~' without Unicode) when the text does not fit. */
int canvas_put_ellip(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *s);
/* Right-aligned in a field of w cells. */
int canvas_put_right(struct ui_canvas *c, int x, int y, int w, enum ui_role role, const char *s);
int canvas_printf(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *fmt,
                  ...) __attribute__((format(printf, 6, 7)));

/* Text with inline role changes: the byte CANVAS_MARK followed by (role + 2) switches to that
 * role, CANVAS_MARK CANVAS_MARK back to the base role. Data strings never carry the mark byte
 * (control bytes are replaced before they reach a marked line). Returns cells used. */
#define CANVAS_MARK '\x01'
int canvas_put_marked(struct ui_canvas *c, int x, int y, int maxw, enum ui_role base,
                      const char *s);
/* Width of marked text, marks excluded. */
int canvas_marked_width(const char *s);

/* Display width of UTF-8 text in cells; and the byte length of its longest prefix that fits in w
 * cells. */
int canvas_text_width(const char *s);
size_t canvas_fit(const char *s, int w);

/* One row as UTF-8 (for tests and the benchmark), trailing blanks removed. Returns buf. */
char *canvas_row_text(const struct ui_canvas *c, int y, char *buf, size_t len);
/* Whether any row contains the UTF-8 text needle; returns its row or -1. */
int canvas_find(const struct ui_canvas *c, const char *needle);

/* Decode one UTF-8 code point from s (at most n bytes); returns the bytes consumed (≥1), with
 * U+FFFD for a bad sequence. */
int canvas_utf8_decode(const char *s, size_t n, uint32_t *cp);
int canvas_utf8_encode(uint32_t cp, char out[4]);
int canvas_cp_width(uint32_t cp);

#endif
