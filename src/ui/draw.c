/* Canvas → curses, and curses input → ui_event. Nothing else in fluxscope calls curses. */
#include "ui/draw.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "ui/curses.h"

static bool active;
static SCREEN *screen;
static FILE *tty_in;      /* /dev/tty when standard input carries the capture (-r -) */
static bool unicode;
static bool colours;
static attr_t role_attr[UI_ROLE_COUNT];
static short role_pair[UI_ROLE_COUNT];
static struct {
	struct timespec t;
	int x, y;
} last_click;

static void
fatal_hook(void)
{
	draw_fini();
}

fs_status
draw_init(bool mouse, struct fs_err *err)
{
	const char *cs;

	FILE *in = stdin;

	if (!isatty(STDOUT_FILENO))
		return fs_err_set(err, FS_E_UNSUPPORTED,
		                  "the TUI needs a terminal; use --report, --dump or --export for headless output");
	if (!isatty(STDIN_FILENO)) {
		/* The capture comes on standard input (-r -): keys come from the terminal. */
		if ((tty_in = fopen("/dev/tty", "r")) == NULL)
			return fs_err_set(err, FS_E_UNSUPPORTED,
			                  "the TUI needs a terminal to read keys from (/dev/tty: %s)", strerror(errno));
		in = tty_in;
	}
	if ((screen = newterm(NULL, stdout, in)) == NULL)
		return fs_err_set(err, FS_E_UNSUPPORTED, "cannot use terminal type '%s' (check TERM)",
		                  getenv("TERM") != NULL ? getenv("TERM") : "");
	active = true;
	fs_set_fatal_hook(fatal_hook);
	cs = nl_langinfo(CODESET);
	unicode = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colours = has_colors();
	if (colours) {
		start_color();
		use_default_colors();
	}
	if (mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON3_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	return FS_OK;
}

void
draw_fini(void)
{
	if (!active)
		return;
	active = false;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	if (tty_in != NULL) {
		fclose(tty_in);
		tty_in = NULL;
	}
}

void
draw_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

bool
draw_unicode(void)
{
	return unicode;
}

/* Nearest entry of the xterm 256-colour palette (6x6x6 cube or grey ramp). */
static int
rgb_to_256(int32_t rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int ri = r < 48 ? 0 : r < 115 ? 1 : (r - 35) / 40;
	int gi = g < 48 ? 0 : g < 115 ? 1 : (g - 35) / 40;
	int bi = b < 48 ? 0 : b < 115 ? 1 : (b - 35) / 40;
	int grey = (r + g + b) / 3;
	if (ri == gi && gi == bi && grey > 8 && grey < 238 && (r - grey) * (r - grey) < 100)
		return 232 + (grey - 8) / 10;
	return 16 + 36 * ri + 6 * gi + bi;
}

/* Nearest of the 8 basic colours, by channel threshold. */
static int
to_8(int c)
{
	static const int basic[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7 };
	if (c < 16)
		return basic[c];
	if (c >= 232)
		return c < 244 ? 0 : 7;
	c -= 16;
	int r = c / 36 >= 3, g = c / 6 % 6 >= 3, b = c % 6 >= 3;
	return r | g << 1 | b << 2;
}

static short
map_colour(int32_t c, bool *bright)
{
	*bright = false;
	if (c == UI_COLOUR_DEFAULT)
		return -1;
	if (c & UI_COLOUR_RGB)
		c = rgb_to_256(c & 0xffffff);
	if (c < COLORS)
		return (short)c;
	if (c >= 8 && c < 16)
		*bright = true;
	return (short)to_8(c);
}

void
draw_set_theme(const struct ui_theme *t, bool no_color)
{
	bool use = colours && !no_color && COLORS >= 8;

	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		const struct ui_style *s = &t->role[r];
		attr_t at = A_NORMAL;
		if (s->attrs & UI_ATTR_BOLD) at |= A_BOLD;
		if (s->attrs & UI_ATTR_DIM) at |= A_DIM;
		if (s->attrs & UI_ATTR_UNDERLINE) at |= A_UNDERLINE;
		if (s->attrs & UI_ATTR_BLINK) at |= A_BLINK;
		if (s->attrs & UI_ATTR_REVERSE) at |= A_REVERSE;
		if (s->attrs & UI_ATTR_ITALIC) at |= A_ITALIC;
		role_pair[r] = 0;
		if (use) {
			bool bf, bb;
			short fg = map_colour(s->fg, &bf), bg = map_colour(s->bg, &bb);
			if (bf)
				at |= A_BOLD;
			if (r + 1 < COLOR_PAIRS) {
				init_pair((short)(r + 1), fg, bg);
				role_pair[r] = (short)(r + 1);
			}
		} else if (s->bg != UI_COLOUR_DEFAULT && !(s->attrs & UI_ATTR_REVERSE)) {
			/* Without colour a bar drawn by its background would vanish: reverse it (htop's
			 * monochrome fallback). */
			at |= A_REVERSE;
		}
		role_attr[r] = at;
	}
}

void
draw_blit(const struct ui_canvas *c, bool clear)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	if (clear)
		clearok(curscr, TRUE);
	for (int y = 0; y < c->h && y < h; y++) {
		for (int x = 0; x < c->w && x < w; x++) {
			const struct ui_cell *cell = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
			wchar_t wc[2] = { 0, 0 };
			cchar_t cc;
			int role = cell->role < UI_ROLE_COUNT ? cell->role : 0;
			if (cell->ch == CANVAS_CONT)
				continue;
			wc[0] = (wchar_t)cell->ch;
			if (!unicode && cell->ch > 0x7e)
				wc[0] = '?';
			/* A wide character at the right edge cannot be shown whole. */
			if (x == w - 1 && canvas_cp_width(cell->ch) == 2)
				wc[0] = ' ';
			setcchar(&cc, wc, role_attr[role], role_pair[role], NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	if (c->cur_visible) {
		curs_set(1);
		move(c->cur_y, c->cur_x);
	} else {
		curs_set(0);
	}
	refresh();
}

static ui_key
map_key(int code)
{
	switch (code) {
	case KEY_UP: return KEYC_UP;
	case KEY_DOWN: return KEYC_DOWN;
	case KEY_LEFT: return KEYC_LEFT;
	case KEY_RIGHT: return KEYC_RIGHT;
	case KEY_HOME: return KEYC_HOME;
	case KEY_END: return KEYC_END;
	case KEY_PPAGE: return KEYC_PPAGE;
	case KEY_NPAGE: return KEYC_NPAGE;
	case KEY_IC: return KEYC_IC;
	case KEY_DC: return KEYC_DC;
	case KEY_BTAB: return KEYC_BTAB;
	case KEY_BACKSPACE: return KEY_BSPACE_C;
	case KEY_ENTER: return KEY_ENTER_C;
	}
	if (code >= KEY_F(1) && code <= KEY_F(12))
		return KEYC_F1 + (ui_key)(code - KEY_F(1));
	return KEYC_NONE;
}

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int
draw_poll(struct ui_event *ev, int timeout_ms)
{
	wint_t wc;
	int r;

	memset(ev, 0, sizeof *ev);
	wtimeout(stdscr, timeout_ms);
	r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return 0;
	if (r == KEY_CODE_YES) {
		if (wc == KEY_RESIZE) {
			ev->type = UI_EV_RESIZE;
			getmaxyx(stdscr, ev->h, ev->w);
			return 1;
		}
		if (wc == KEY_MOUSE) {
			MEVENT me;
			struct timespec now;
			if (getmouse(&me) != OK)
				return 0;
			ev->type = UI_EV_MOUSE;
			ev->x = me.x;
			ev->y = me.y;
			if (me.bstate & BUTTON4_PRESSED)
				ev->button = UI_MOUSE_WHEEL_UP;
			else if (me.bstate & BUTTON5_PRESSED)
				ev->button = UI_MOUSE_WHEEL_DOWN;
			else if (me.bstate & BUTTON3_PRESSED)
				ev->button = UI_MOUSE_RIGHT;
			else if (me.bstate & BUTTON1_PRESSED) {
				ev->button = UI_MOUSE_LEFT;
				clock_gettime(CLOCK_MONOTONIC, &now);
				ev->dbl = last_click.y == me.y && last_click.x == me.x &&
				          elapsed_ms(&last_click.t, &now) < 400;
				last_click.t = now;
				last_click.x = me.x;
				last_click.y = me.y;
				if (ev->dbl)
					last_click.y = -1;
			} else
				return 0;
			return 1;
		}
		ev->type = UI_EV_KEY;
		ev->key = map_key((int)wc);
		return ev->key != KEYC_NONE;
	}
	ev->type = UI_EV_KEY;
	ev->key = wc == '\n' ? KEY_ENTER_C : (ui_key)wc;
	return 1;
}

void
draw_clipboard(const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(text), o = 0;
	char *out = xmalloc(n / 3 * 4 + 8);
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < n; i += 3) {
		unsigned b0 = s[i], b1 = i + 1 < n ? s[i + 1] : 0, b2 = i + 2 < n ? s[i + 2] : 0;
		out[o++] = b64[b0 >> 2];
		out[o++] = b64[(b0 & 3) << 4 | b1 >> 4];
		out[o++] = i + 1 < n ? b64[(b1 & 15) << 2 | b2 >> 6] : '=';
		out[o++] = i + 2 < n ? b64[b2 & 63] : '=';
	}
	out[o] = '\0';
	fflush(stdout);
	fprintf(stdout, "\033]52;c;%s\a", out);
	fflush(stdout);
	free(out);
}
