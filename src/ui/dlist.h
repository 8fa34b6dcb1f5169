/* The domain-list view model: which rows of a snapshot a list shows, in which order, where the
 * cursor is. Used by the home list and by every pivot list (domains of an address, an ASN, a
 * nameserver, a registrable domain). No drawing, no curses: unit-tested on synthetic snapshots.
 *
 * Cost model for a million rows: a sort change reuses the snapshot's cached column order
 * (computed once, radix sort); a filter, flag or subset change is one linear pass over that
 * order; moving the cursor is O(1); a search scans from the cursor until the first match.
 * Threads: UI thread only. */
#ifndef FLUXSCOPE_UI_DLIST_H
#define FLUXSCOPE_UI_DLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/snap.h"

/* A filter over rows of snapshot s; grouped tells whether r is a registrable-domain row. */
typedef bool (*dlist_pred)(void *ctx, const struct snap *s, const struct snap_row *r, bool grouped);
/* Optional bulk form of the same filter over the domain rows, in slices: test up to `max`
 * candidates from position `from` of the filter's own order (e.g. the detector's results), set
 * in `keep` (a bitmap over s->dom) the rows that match among those set in `ok`; *total receives
 * the number of positions. Returns how many positions it went through (0 at the end). */
typedef size_t (*dlist_bulk)(void *ctx, const struct snap *s, const uint64_t *ok, uint64_t *keep,
                             size_t from, size_t max, size_t *total);

struct dlist {
	struct snap *snap;         /* borrowed: replaced by dlist_set_snap() */
	bool grouped;              /* show registrable-domain rows */
	bool flagged_only;
	bool limited;              /* only the domains in subset (pivots) */
	uint32_t *subset;          /* owned: domain ids this list is limited to */
	uint32_t n_subset;
	dlist_pred pred;           /* NULL = no filter */
	dlist_bulk bulk;           /* NULL = use pred row by row */
	void *pred_ctx;            /* borrowed */
	enum snap_col sort;
	bool desc;
	uint32_t *order;           /* owned: visible rows (indices into the table) in display order */
	uint32_t n, cap;
	uint32_t cursor, top;      /* index into order; first visible index */
	int height;                /* rows visible on screen (set by the view) */
	/* Caches, so that a sort change or a search over a million rows never walks the rows in
	 * random order: the rows that pass (bitmap over the table, row order) and the rows whose
	 * name contains the last search text. */
	uint64_t *ok;              /* owned; NULL = to compute */
	const struct snap_table *ok_table;
	uint64_t *match;           /* owned */
	char *match_text;          /* owned */
	const struct snap_table *match_table;
	/* A bulk filter over many rows runs in slices (dlist_work) so that no keystroke waits for
	 * it: while busy the list is empty and `done`/`total` tell how far it got. */
	bool busy;
	uint64_t *pend_ok, *pend_keep;
	size_t done, total;
};

/* Above this many rows a bulk filter runs in slices. */
#define DLIST_SLICED_ROWS 200000

void dlist_init(struct dlist *l, struct snap *s);
void dlist_fini(struct dlist *l);
/* Limit the list to these domain ids (copied; n may be 0: an empty list). */
void dlist_set_subset(struct dlist *l, const uint32_t *ids, uint32_t n);
void dlist_clear_subset(struct dlist *l);
/* Switch snapshot, keeping the cursor on the same domain (or group name) when it is still
 * shown. */
void dlist_set_snap(struct dlist *l, struct snap *s);
/* Recompute the visible rows after changing grouped/flagged_only/pred, keeping the cursor on the
 * same row when it is still shown. */
void dlist_refresh(struct dlist *l);
/* Only the order changed (the same rows pass): cheaper than dlist_refresh. */
void dlist_set_sort(struct dlist *l, enum snap_col col, bool desc);
/* Switch between domain rows and registrable-domain rows; the cursor goes to the top. */
void dlist_set_grouped(struct dlist *l, bool grouped);

struct snap_table *dlist_table(const struct dlist *l);
const struct snap_row *dlist_row(const struct dlist *l, uint32_t i); /* i-th visible row or NULL */
const struct snap_row *dlist_current(const struct dlist *l);        /* row under the cursor or NULL */

/* Advance a sliced filter for up to budget_ms; true when the list changed (done). */
bool dlist_work(struct dlist *l, double budget_ms);

void dlist_set_height(struct dlist *l, int h);
/* Move the cursor by delta rows (clamped) / to an absolute index; keeps it visible. */
void dlist_move(struct dlist *l, int64_t delta);
void dlist_goto(struct dlist *l, uint32_t i);
void dlist_scroll(struct dlist *l, int64_t delta); /* wheel: moves the view, cursor follows */

/* Index of the first visible row at or after `from` (wrapping; backwards when !forward) whose
 * name contains text (case-insensitive), or -1. */
int64_t dlist_search(struct dlist *l, const char *text, uint32_t from, bool forward);
/* Index of the visible row with this id (domain id, or group id when grouped), or -1. */
int64_t dlist_find_id(const struct dlist *l, uint32_t id);

#endif
