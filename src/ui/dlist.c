/* Domain-list view model: visible rows as a filtered pass over a cached column order. */
#include "ui/dlist.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
dlist_init(struct dlist *l, struct snap *s)
{
	memset(l, 0, sizeof *l);
	l->snap = s;
	l->sort = SNAP_COL_SCORE;
	l->desc = true;
	l->height = 1;
	dlist_refresh(l);
}

void
dlist_fini(struct dlist *l)
{
	free(l->order);
	free(l->subset);
	memset(l, 0, sizeof *l);
}

struct snap_table *
dlist_table(const struct dlist *l)
{
	return l->grouped ? &l->snap->grp : &l->snap->dom;
}

const struct snap_row *
dlist_row(const struct dlist *l, uint32_t i)
{
	if (i >= l->n)
		return NULL;
	return &dlist_table(l)->rows[l->order[i]];
}

const struct snap_row *
dlist_current(const struct dlist *l)
{
	return dlist_row(l, l->cursor);
}

void
dlist_set_subset(struct dlist *l, const uint32_t *ids, uint32_t n)
{
	free(l->subset);
	l->subset = NULL;
	l->n_subset = 0;
	l->limited = true;
	if (ids != NULL && n > 0) {
		l->subset = xreallocarray(NULL, n, sizeof *ids);
		memcpy(l->subset, ids, n * sizeof *ids);
		l->n_subset = n;
	}
	dlist_refresh(l);
}

void
dlist_clear_subset(struct dlist *l)
{
	free(l->subset);
	l->subset = NULL;
	l->n_subset = 0;
	l->limited = false;
	dlist_refresh(l);
}

static void
fix_view(struct dlist *l)
{
	uint32_t h = l->height > 0 ? (uint32_t)l->height : 1;

	if (l->n == 0) {
		l->cursor = l->top = 0;
		return;
	}
	if (l->cursor >= l->n)
		l->cursor = l->n - 1;
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + h)
		l->top = l->cursor - h + 1;
	/* no empty space below the last row while there are rows above */
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
}

/* Rebuild order; the row to keep under the cursor is named by cur_name when not NULL, else by
 * cur_id (0: none). */
static void
rebuild(struct dlist *l, uint32_t cur_id, const char *cur_name)
{
	struct snap_table *t = dlist_table(l);
	const uint32_t *perm;
	uint8_t *bits = NULL;
	uint32_t old_cursor = l->cursor, old_top = l->top;
	bool found = false;

	if (l->cap < t->n || l->order == NULL) {
		l->cap = t->n ? t->n : 1;
		free(l->order);
		l->order = xreallocarray(NULL, l->cap, sizeof *l->order);
	}
	l->n = 0;
	if (t->n == 0) {
		fix_view(l);
		return;
	}
	if (l->limited) {
		/* A bitmap over the table's rows: one pass over the cached order stays linear. */
		bits = xcalloc((t->n + 7) / 8, 1);
		for (uint32_t i = 0; i < l->n_subset; i++) {
			uint32_t r = snap_find_dom(l->snap, l->subset[i]);
			if (r == UINT32_MAX)
				continue;
			if (l->grouped)
				r = l->snap->dom.rows[r].group;
			if (r < t->n)
				bits[r / 8] |= (uint8_t)(1u << (r % 8));
		}
	}
	perm = snap_order(t, l->sort, l->desc);
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t i = perm[k];
		const struct snap_row *r = &t->rows[i];
		if (bits != NULL && !(bits[i / 8] & (1u << (i % 8))))
			continue;
		if ((r->flags & SNAP_HIDDEN) && !l->limited)
			continue;
		if (l->flagged_only && !snap_verdict_flagged(r->verdict))
			continue;
		if (l->pred != NULL && !l->pred(l->pred_ctx, l->snap, r, l->grouped))
			continue;
		l->order[l->n++] = i;
	}
	free(bits);
	/* Keep the cursor on the same row, at the same screen line when possible. */
	if (cur_id != 0 || cur_name != NULL) {
		for (uint32_t k = 0; k < l->n; k++) {
			const struct snap_row *r = &t->rows[l->order[k]];
			bool same = cur_name != NULL ? strcmp(r->name, cur_name) == 0 : r->id == cur_id;
			if (same) {
				l->cursor = k;
				l->top = k >= old_cursor - old_top ? k - (old_cursor - old_top) : 0;
				found = true;
				break;
			}
		}
	}
	if (!found && l->cursor >= l->n)
		l->cursor = l->n ? l->n - 1 : 0;
	fix_view(l);
}

void
dlist_refresh(struct dlist *l)
{
	const struct snap_row *cur = dlist_current(l);
	uint32_t id = cur != NULL ? cur->id : 0;
	rebuild(l, id, NULL);
}

void
dlist_set_snap(struct dlist *l, struct snap *s)
{
	/* At the top of the list the cursor stays at the top: while a capture loads, the best
	 * rows rise there. */
	const struct snap_row *cur = l->cursor == 0 ? NULL : dlist_current(l);
	uint32_t id = cur != NULL ? cur->id : 0;
	/* Group ids are positions in the old snapshot: follow a group by its name. */
	char *name = cur != NULL && l->grouped ? xstrdup(cur->name) : NULL;

	l->snap = s;
	rebuild(l, id, name);
	free(name);
}

void
dlist_set_sort(struct dlist *l, enum snap_col col, bool desc)
{
	l->sort = col;
	l->desc = desc;
	dlist_refresh(l);
}

void
dlist_set_height(struct dlist *l, int h)
{
	l->height = h > 0 ? h : 1;
	fix_view(l);
}

void
dlist_goto(struct dlist *l, uint32_t i)
{
	l->cursor = i;
	fix_view(l);
}

void
dlist_move(struct dlist *l, int64_t delta)
{
	int64_t c = (int64_t)l->cursor + delta;
	if (c < 0)
		c = 0;
	if (l->n > 0 && c >= (int64_t)l->n)
		c = l->n - 1;
	dlist_goto(l, (uint32_t)c);
}

void
dlist_scroll(struct dlist *l, int64_t delta)
{
	uint32_t h = (uint32_t)l->height;
	int64_t t = (int64_t)l->top + delta;
	int64_t max = l->n > h ? (int64_t)(l->n - h) : 0;

	if (t < 0)
		t = 0;
	if (t > max)
		t = max;
	l->top = (uint32_t)t;
	if (l->cursor < l->top)
		l->cursor = l->top;
	if (l->cursor >= l->top + h)
		l->cursor = l->top + h - 1;
	fix_view(l);
}

/* Case-insensitive substring test; names are lower case already, so fold only the needle. */
static bool
contains(const char *hay, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (const char *p = hay; *p != '\0'; p++) {
		if (tolower((unsigned char)*p) != needle[0])
			continue;
		size_t k = 1;
		while (k < nlen && p[k] != '\0' && tolower((unsigned char)p[k]) == needle[k])
			k++;
		if (k == nlen)
			return true;
	}
	return false;
}

int64_t
dlist_search(const struct dlist *l, const char *text, uint32_t from, bool forward)
{
	char needle[256];
	size_t nlen = 0;
	const struct snap_table *t = dlist_table(l);

	if (l->n == 0 || text == NULL)
		return -1;
	for (; text[nlen] != '\0' && nlen + 1 < sizeof needle; nlen++)
		needle[nlen] = (char)tolower((unsigned char)text[nlen]);
	needle[nlen] = '\0';
	if (from >= l->n)
		from = forward ? 0 : l->n - 1;
	for (uint32_t k = 0; k < l->n; k++) {
		uint32_t i = forward ? (from + k) % l->n : (from + l->n - k) % l->n;
		const char *name = t->rows[l->order[i]].name;
		if (name != NULL && contains(name, needle, nlen))
			return i;
	}
	return -1;
}

int64_t
dlist_find_id(const struct dlist *l, uint32_t id)
{
	const struct snap_table *t = dlist_table(l);
	for (uint32_t k = 0; k < l->n; k++)
		if (t->rows[l->order[k]].id == id)
			return k;
	return -1;
}
