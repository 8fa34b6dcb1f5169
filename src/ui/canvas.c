/* Off-screen cell grid the views draw into; draw.c copies it to the terminal. */
#include "ui/canvas.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/fs.h"

void
canvas_init(struct ui_canvas *c, int w, int h)
{
	memset(c, 0, sizeof *c);
	c->unicode = true;
	canvas_resize(c, w, h);
}

void
canvas_fini(struct ui_canvas *c)
{
	free(c->cells);
	c->cells = NULL;
	c->w = c->h = 0;
}

void
canvas_resize(struct ui_canvas *c, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (w != c->w || h != c->h) {
		free(c->cells);
		c->cells = xreallocarray(NULL, (size_t)w * (size_t)h, sizeof *c->cells);
		c->w = w;
		c->h = h;
	}
	canvas_clear(c, UI_ROLE_DEFAULT);
}

void
canvas_clear(struct ui_canvas *c, enum ui_role role)
{
	c->cur_visible = false;
	size_t n = (size_t)c->w * (size_t)c->h;
	for (size_t i = 0; i < n; i++)
		c->cells[i] = (struct ui_cell){ ' ', (uint16_t)role };
}

struct ui_cell *
canvas_at(struct ui_canvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

void
canvas_fill(struct ui_canvas *c, int x, int y, int w, int h, uint32_t ch, enum ui_role role)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++) {
			struct ui_cell *cell = canvas_at(c, i, j);
			if (cell != NULL)
				*cell = (struct ui_cell){ ch, (uint16_t)role };
		}
}

void
canvas_set_role(struct ui_canvas *c, int x, int y, int w, enum ui_role role)
{
	for (int i = x; i < x + w; i++) {
		struct ui_cell *cell = canvas_at(c, i, y);
		if (cell != NULL)
			cell->role = (uint16_t)role;
	}
}

int
canvas_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t v, min;
	int len;

	if (n == 0) {
		*cp = 0xfffd;
		return 1;
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2; v = u[0] & 0x1f; min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3; v = u[0] & 0x0f; min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4; v = u[0] & 0x07; min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if ((size_t)len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		v = 0xfffd;
	*cp = v;
	return len;
}

int
canvas_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Display width without depending on the locale (tests run under "C"): combining marks take
 * no cell, the East Asian wide and fullwidth blocks two, everything else one. */
int
canvas_cp_width(uint32_t cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
	    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

int
canvas_text_width(const char *s)
{
	size_t n = strlen(s);
	int w = 0;
	while (n > 0) {
		uint32_t cp;
		int k = canvas_utf8_decode(s, n, &cp);
		w += cp < 0x20 || cp == 0x7f ? 1 : canvas_cp_width(cp);
		s += k;
		n -= (size_t)k;
	}
	return w;
}

size_t
canvas_fit(const char *s, int w)
{
	size_t n = strlen(s), off = 0;
	int used = 0;
	while (off < n) {
		uint32_t cp;
		int k = canvas_utf8_decode(s + off, n - off, &cp);
		int cw = cp < 0x20 || cp == 0x7f ? 1 : canvas_cp_width(cp);
		if (used + cw > w)
			break;
		used += cw;
		off += (size_t)k;
	}
	return off;
}

int
canvas_put(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *s)
{
	size_t n = strlen(s);
	int used = 0;

	if (y < 0 || y >= c->h)
		return 0;
	if (maxw > c->w - x)
		maxw = c->w - x;
	while (n > 0 && used < maxw) {
		uint32_t cp;
		int k = canvas_utf8_decode(s, n, &cp);
		int cw;
		s += k;
		n -= (size_t)k;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			cp = '?';
		cw = canvas_cp_width(cp);
		if (cw == 0) /* combining mark: dropped rather than mis-placed */
			continue;
		if (used + cw > maxw)
			break;
		if (x + used >= 0) {
			struct ui_cell *cell = canvas_at(c, x + used, y);
			if (cell != NULL)
				*cell = (struct ui_cell){ cp, (uint16_t)role };
			if (cw == 2 && (cell = canvas_at(c, x + used + 1, y)) != NULL)
				*cell = (struct ui_cell){ CANVAS_CONT, (uint16_t)role };
		}
		used += cw;
	}
	return used;
}

int
canvas_put_ellip(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *s)
{
	int w = canvas_text_width(s);
	size_t fit;
	char *tmp;
	int used;

	if (w <= maxw || maxw <= 0)
		return canvas_put(c, x, y, maxw, role, s);
	fit = canvas_fit(s, maxw - 1);
	tmp = xmalloc(fit + 4);
	memcpy(tmp, s, fit);
	if (c->unicode)
		memcpy(tmp + fit, "\xe2\x80\xa6", 4);
	else
		memcpy(tmp + fit, "~", 2);
	used = canvas_put(c, x, y, maxw, role, tmp);
	free(tmp);
	return used;
}

int
canvas_put_right(struct ui_canvas *c, int x, int y, int w, enum ui_role role, const char *s)
{
	int tw = canvas_text_width(s);
	if (tw >= w)
		return canvas_put_ellip(c, x, y, w, role, s);
	canvas_put(c, x + w - tw, y, tw, role, s);
	return w;
}

int
canvas_put_marked(struct ui_canvas *c, int x, int y, int maxw, enum ui_role base, const char *s)
{
	enum ui_role role = base;
	int used = 0;

	while (*s != '\0' && used < maxw) {
		const char *e = strchr(s, CANVAS_MARK);
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n > 0) {
			char *seg = xstrndup(s, n);
			used += canvas_put(c, x + used, y, maxw - used, role, seg);
			free(seg);
		}
		if (e == NULL)
			break;
		s = e + 1;
		if (*s == '\0')
			break;
		role = *s == CANVAS_MARK ? base : (enum ui_role)((unsigned char)*s - 2);
		if ((unsigned)role >= UI_ROLE_COUNT)
			role = base;
		s++;
	}
	return used;
}

int
canvas_marked_width(const char *s)
{
	int w = 0;
	while (*s != '\0') {
		const char *e = strchr(s, CANVAS_MARK);
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
		char *seg = xstrndup(s, n);
		w += canvas_text_width(seg);
		free(seg);
		if (e == NULL || e[1] == '\0')
			break;
		s = e + 2;
	}
	return w;
}

int
canvas_printf(struct ui_canvas *c, int x, int y, int maxw, enum ui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return canvas_put(c, x, y, maxw, role, buf);
}

char *
canvas_row_text(const struct ui_canvas *c, int y, char *buf, size_t len)
{
	size_t o = 0, last = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (y < 0 || y >= c->h)
		return buf;
	for (int x = 0; x < c->w; x++) {
		uint32_t cp = c->cells[(size_t)y * (size_t)c->w + (size_t)x].ch;
		char enc[4];
		int k;
		if (cp == CANVAS_CONT)
			continue;
		k = canvas_utf8_encode(cp, enc);
		if (o + (size_t)k + 1 > len)
			break;
		memcpy(buf + o, enc, (size_t)k);
		o += (size_t)k;
		if (cp != ' ')
			last = o;
	}
	buf[last] = '\0';
	return buf;
}

int
canvas_find(const struct ui_canvas *c, const char *needle)
{
	size_t len = (size_t)c->w * 4 + 1;
	char *buf = xmalloc(len);
	int found = -1;

	for (int y = 0; y < c->h && found < 0; y++)
		if (strstr(canvas_row_text(c, y, buf, len), needle) != NULL)
			found = y;
	free(buf);
	return found;
}
