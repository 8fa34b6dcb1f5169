/* Domain-list view model: visible rows as a pass over a cached column order, tested against a
 * cached bitmap of the rows that pass. */
#include "ui/dlist.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void rebuild(struct dlist *l, uint32_t keep_row, bool keep);
static bool run_filter(struct dlist *l, double budget_ms);

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

static void
drop_pending(struct dlist *l)
{
	free(l->pend_ok);
	free(l->pend_keep);
	l->pend_ok = l->pend_keep = NULL;
	l->busy = false;
	l->done = l->total = 0;
}

static void
drop_caches(struct dlist *l)
{
	drop_pending(l);
	free(l->ok);
	l->ok = NULL;
	l->ok_table = NULL;
	free(l->match);
	free(l->match_text);
	l->match = NULL;
	l->match_text = NULL;
	l->match_table = NULL;
}

void
dlist_fini(struct dlist *l)
{
	drop_caches(l);
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

static uint32_t
current_row(const struct dlist *l)
{
	return l->cursor < l->n ? l->order[l->cursor] : UINT32_MAX;
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

/* The rows that pass, as a bitmap over the table: one sequential pass over the rows (the
 * filter predicate sees them in row order), cached until the snapshot or a condition changes. */
static void
compute_ok(struct dlist *l)
{
	struct snap_table *t = dlist_table(l);
	size_t words = ((size_t)t->n + 63) / 64;
	uint64_t *ok = xcalloc(words ? words : 1, sizeof *ok);

	if (l->limited) {
		for (uint32_t i = 0; i < l->n_subset; i++) {
			uint32_t r = snap_find_dom(l->snap, l->subset[i]);
			if (r == UINT32_MAX)
				continue;
			if (l->grouped)
				r = l->snap->dom.rows[r].group;
			if (r < t->n)
				ok[r >> 6] |= 1ull << (r & 63);
		}
	} else if (t->visible != NULL) {
		memcpy(ok, t->visible, words * sizeof *ok);
	} else {
		for (uint32_t i = 0; i < t->n; i++)
			if (!(t->rows[i].flags & SNAP_HIDDEN))
				ok[i >> 6] |= 1ull << (i & 63);
	}
	if (l->flagged_only)
		for (size_t w = 0; w < words; w++)
			ok[w] &= t->flagged[w];
	if (l->pred != NULL && l->bulk != NULL) {
		/* The bulk filter decides on domain rows; a group passes when one of its names does. */
		const struct snap *sn = l->snap;
		size_t dw = ((size_t)sn->dom.n + 63) / 64;
		uint64_t *dok = xreallocarray(NULL, dw ? dw : 1, sizeof *dok);
		if (l->grouped)
			memset(dok, 0xff, dw * sizeof *dok);
		else
			memcpy(dok, ok, dw * sizeof *dok);
		drop_pending(l);
		l->pend_ok = dok;
		l->pend_keep = xcalloc(dw ? dw : 1, sizeof *l->pend_keep);
		l->busy = true;
		free(l->ok);
		l->ok = ok;        /* the conditions other than the filter, for the end */
		l->ok_table = t;
		if (sn->dom.n < DLIST_SLICED_ROWS)
			run_filter(l, 1e12);
		return;
	} else if (l->pred != NULL)
		for (size_t w = 0; w < words; w++) {
			uint64_t b = ok[w];
			while (b != 0) {
				uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(b);
				b &= b - 1;
				if (!l->pred(l->pred_ctx, l->snap, &t->rows[i], l->grouped))
					ok[w] &= ~(1ull << (i & 63));
			}
		}
	free(l->ok);
	l->ok = ok;
	l->ok_table = t;
}

/* Rebuild order from the cached sort and bitmap; keep the cursor on table row keep_row when it
 * is still shown (keep), at the same screen line when possible. */
static void
rebuild(struct dlist *l, uint32_t keep_row, bool keep)
{
	struct snap_table *t = dlist_table(l);
	const uint32_t *perm;
	uint32_t old_line = l->cursor >= l->top ? l->cursor - l->top : 0;
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
	if (l->ok == NULL || l->ok_table != t)
		compute_ok(l);
	if (l->busy) {
		/* a sliced filter is running: the list fills when it ends (dlist_work) */
		l->n = 0;
		fix_view(l);
		return;
	}
	perm = snap_order(t, l->sort, l->desc);
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t i = perm[k];
		if (SNAP_BIT(l->ok, i))
			l->order[l->n++] = i;
	}
	if (keep && keep_row != UINT32_MAX) {
		for (uint32_t k = 0; k < l->n; k++)
			if (l->order[k] == keep_row) {
				l->cursor = k;
				l->top = k >= old_line ? k - old_line : 0;
				found = true;
				break;
			}
	}
	if (!found && l->cursor >= l->n)
		l->cursor = l->n ? l->n - 1 : 0;
	fix_view(l);
}

void
dlist_refresh(struct dlist *l)
{
	uint32_t row = current_row(l);
	free(l->ok);
	l->ok = NULL;
	rebuild(l, row, true);
}

void
dlist_set_snap(struct dlist *l, struct snap *s)
{
	/* At the top of the list the cursor stays at the top: while a capture loads, the best rows
	 * rise there. Elsewhere it follows its domain (or, grouped, the group of one of its names). */
	bool keep = l->cursor > 0 && l->cursor < l->n;
	uint32_t row = current_row(l), keep_row = UINT32_MAX;

	if (keep) {
		if (!l->grouped) {
			keep_row = snap_find_dom(s, l->snap->dom.rows[row].id);
		} else {
			const struct snap_row *g = &l->snap->grp.rows[row];
			uint32_t member = l->snap->dom.rows[l->snap->grp_members[g->group]].id;
			uint32_t r = snap_find_dom(s, member);
			keep_row = r != UINT32_MAX ? s->dom.rows[r].group : UINT32_MAX;
		}
	}
	drop_caches(l);
	l->snap = s;
	rebuild(l, keep_row, keep);
}

void
dlist_set_sort(struct dlist *l, enum snap_col col, bool desc)
{
	uint32_t row = current_row(l);
	l->sort = col;
	l->desc = desc;
	rebuild(l, row, true);
}

/* Advance the sliced filter; when it ends, fold its result into ok and return true. */
static bool
run_filter(struct dlist *l, double budget_ms)
{
	struct snap_table *t = dlist_table(l);
	double start = fs_mono_ms();
	size_t got;

	do {
		got = l->bulk(l->pred_ctx, l->snap, l->pend_ok, l->pend_keep, l->done, 16384, &l->total);
		l->done += got;
	} while (got > 0 && fs_mono_ms() - start < budget_ms);
	if (got > 0)
		return false;
	/* done: combine with the other conditions */
	if (!l->grouped) {
		size_t words = ((size_t)t->n + 63) / 64;
		for (size_t w = 0; w < words; w++)
			l->ok[w] &= l->pend_keep[w];
	} else {
		const struct snap *sn = l->snap;
		for (uint32_t g = 0; g < t->n; g++) {
			const struct snap_row *gr = &t->rows[g];
			bool any = false;
			if (!SNAP_BIT(l->ok, g))
				continue;
			for (uint32_t m = 0; m < gr->n_members && !any; m++)
				any = SNAP_BIT(l->pend_keep, sn->grp_members[gr->group + m]);
			if (!any)
				l->ok[g >> 6] &= ~(1ull << (g & 63));
		}
	}
	drop_pending(l);
	return true;
}

bool
dlist_work(struct dlist *l, double budget_ms)
{
	if (!l->busy || !run_filter(l, budget_ms))
		return false;
	l->cursor = l->top = 0;
	rebuild(l, UINT32_MAX, false);
	return true;
}

void
dlist_set_grouped(struct dlist *l, bool grouped)
{
	l->grouped = grouped;
	l->cursor = l->top = 0;
	drop_caches(l);
	rebuild(l, UINT32_MAX, false);
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

int64_t
dlist_search(struct dlist *l, const char *text, uint32_t from, bool forward)
{
	const struct snap_table *t = dlist_table(l);
	char needle[256];
	size_t nlen = 0;

	if (l->n == 0 || text == NULL)
		return -1;
	for (; text[nlen] != '\0' && nlen + 1 < sizeof needle; nlen++)
		needle[nlen] = (char)tolower((unsigned char)text[nlen]);
	needle[nlen] = '\0';
	if (from >= l->n)
		from = forward ? 0 : l->n - 1;
	if (nlen == 0)
		return from;
	if (l->match == NULL || l->match_table != t || strcmp(l->match_text, needle) != 0) {
		uint64_t *bits;
		/* Most searches hit near the cursor (a short or common text): look at the next rows
		 * directly before building anything. */
		for (uint32_t k = 0; k < l->n && k < 2048; k++) {
			uint32_t i = forward ? (from + k < l->n ? from + k : from + k - l->n)
			                     : (from >= k ? from - k : from + l->n - k);
			const char *name = t->rows[l->order[i]].name;
			if (name != NULL && strstr(name, needle) != NULL)
				return i;
		}
		/* Otherwise which rows match, once per text: the rows that matched a shorter text
		 * this one contains (typing narrows the set), else a sequential scan of the names
		 * (memmem over the pool). Walking the order then only tests bits. */
		if (l->match != NULL && l->match_table == t && strstr(needle, l->match_text) != NULL) {
			size_t words = ((size_t)t->n + 63) / 64;
			bits = l->match;
			for (size_t w = 0; w < words; w++) {
				uint64_t b = bits[w];
				while (b != 0) {
					uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(b);
					b &= b - 1;
					if (strstr(t->rows[i].name, needle) == NULL)
						bits[w] &= ~(1ull << (i & 63));
				}
			}
		} else {
			free(l->match);
			bits = snap_match_names(t, needle, NULL);
		}
		free(l->match_text);
		l->match = bits;
		l->match_text = xstrdup(needle);
		l->match_table = t;
	}
	for (uint32_t k = 0; k < l->n; k++) {
		uint32_t i = forward ? (from + k < l->n ? from + k : from + k - l->n)
		                     : (from >= k ? from - k : from + l->n - k);
		if (SNAP_BIT(l->match, l->order[i]))
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
