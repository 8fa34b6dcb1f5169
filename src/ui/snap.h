/* Snapshots: the flat per-domain rows the domain lists show (one row per domain, plus one per
 * registrable domain for the grouped view), built from the store and the detector by the loader
 * thread and then handed to the UI thread, which alone reads and caches in it afterwards.
 *
 * Sorting is designed for a million rows: a column's order is computed once per snapshot with
 * an LSD radix sort over 64-bit keys (primary column value, then the name's alphabetical rank)
 * and cached; lists then filter the cached order, never re-sort on a keystroke. Pure C, no store
 * dependency, so view models are tested on synthetic snapshots. */
#ifndef FLUXSCOPE_UI_SNAP_H
#define FLUXSCOPE_UI_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/detect.h"
#include "fluxscope/fs.h"

struct detector;

/* The list's columns are the model's fields (fluxscope/model.h): every field of the table can be
 * shown and sorted on. The first SNAP_COL_COUNT fields of the table, named here in table order,
 * are the fast columns: their values live in the rows and their sort keys are made with the
 * snapshot. The others are read from the detector's results when a sort or a cell needs them.
 * X(id, "field key", "title", width, right-aligned, drop priority) — title, width, alignment
 * and priority come from the field table; a unit test checks that the two agree. */
#define SNAP_COLUMNS(X)                                       \
	X(VERDICT, "verdict", "verdict", 11, 0, 0)                 \
	X(SCORE, "score", "score", 6, 1, 0)                        \
	X(LOGIT, "logit", "logit", 6, 1, 1)                        \
	X(DOMAIN, "name", "domain", 0, 0, 0)                       \
	X(ADDRS, "addrs", "addrs", 6, 1, 0)                        \
	X(ASNS, "asns", "ASNs", 5, 1, 0)                           \
	X(COUNTRIES, "countries", "cc", 4, 1, 0)                   \
	X(TTL, "minttl", "minTTL", 7, 1, 0)                        \
	X(NS_CHANGES, "nschanges", "NSchg", 6, 1, 0)               \
	X(RESPONSES, "responses", "resp", 6, 1, 1)                 \
	X(LAST_SEEN, "last_seen", "last seen", 14, 0, 2)           \
	X(FIRST_SEEN, "first_seen", "first seen", 14, 0, 9)        \
	X(HOLZ, "holz", "holz", 7, 1, 9)

enum snap_col {
#define X(id, name, title, w, right, prio) SNAP_COL_##id,
	SNAP_COLUMNS(X)
#undef X
	SNAP_COL_COUNT       /* the fast columns; every column: snap_col_count() */
};
#define SNAP_COL_MAX 64  /* columns at most (the field table's size) */
int snap_col_count(void);

struct snap_col_info {
	const char *name, *title;
	int width;        /* 0 = takes the remaining width */
	bool right;
	int prio;         /* 0 always shown; 9 never shown by default (sortable only) */
};
const struct snap_col_info *snap_col_info(int c);   /* 0 <= c < snap_col_count() */
int snap_col_find(const char *name);  /* by key, alias or title, case-insensitive; -1 if unknown */

/* A row's verdict is detect's (enum det_verdict: det_verdict_name, det_is_flagged; the colour
 * role app_verdict_role), kept in a byte. */
struct snap_table;
struct snap_row;
/* The text of any column of a domain row, from the detector's result (fast columns too);
 * "" when missing or when the table has no results. */
char *snap_cell_text(const struct snap_table *t, const struct snap_row *r, int col, char *buf,
                     size_t len);

enum {
	SNAP_MARKED = 0x01,        /* marked by the analyst */
	SNAP_INTEL = 0x02,         /* an intel feed named it */
	SNAP_HIDDEN = 0x04,        /* not listed unless a pivot names it (zone-only records) */
	SNAP_NOHOLZ = 0x08         /* no Holz score (no ASN data) */
};

struct snap_row {
	const char *name;          /* borrowed: interned in the store (domains) or snap->pool (groups) */
	uint32_t id;               /* domain rows: store_dom_id; group rows: group index + 1 */
	uint32_t group;            /* domain rows: group index (UINT32_MAX none); group rows: first
	                            * slot of its members in snap->grp_members */
	uint32_t n_members;        /* group rows: member domains */
	uint32_t name_rank;        /* alphabetical rank within its table (set by snap_finish) */
	float score, logit, holz;
	uint8_t verdict, flags;
	uint32_t n_addrs, n_asns, n_countries, ttl_min, n_ns_changes, n_responses, cluster;
	uint32_t n_nxdomain;
	uint32_t rank;             /* domain rows: the detector's ranking (det_rank_cmp: logit, then
	                            * evidence), 1 = first, 0 = no result; group rows: the best
	                            * member's. The score column sorts by it, so the list orders
	                            * as --report does, ties broken by evidence, not by name. */
	fs_time first_seen, last_seen;
};

struct snap_table {
	struct snap_row *rows;     /* owned */
	uint32_t n;
	uint32_t *perm[SNAP_COL_MAX][2]; /* cached orders, [col][descending]; owned, lazy */
	/* Set by snap_finish so that a million rows are scanned without touching them one by one
	 * in random order (a 72-byte row per cache miss is what makes naive code slow): */
	uint32_t *key[SNAP_COL_COUNT];   /* sort key of every row per column, row order (owned) */
	uint64_t *visible;         /* bitmap: rows listed without a pivot (not SNAP_HIDDEN) */
	uint64_t *flagged;         /* bitmap: flagged verdicts */
	const char *names;         /* the names back to back, NUL-separated, in row order (borrowed
	                            * from the snapshot's pools), or NULL when rows point elsewhere */
	size_t names_len;
	const struct detector *det;/* domain tables: the results the other columns read (borrowed
	                            * from the snapshot; NULL for groups and in tests) */
};
#define SNAP_BIT(bits, i) (((bits)[(i) >> 6] >> ((i) & 63)) & 1)

struct snap {
	struct snap_table dom;     /* domain rows: dom.rows[i].id == i + 1 when built from a store */
	struct snap_table grp;     /* registrable-domain rows */
	uint32_t *grp_members;     /* member row indices (into dom.rows) of every group, by group */
	char *pool;                /* registrable names */
	/* Optional, set before snap_finish: the verdict of a zone row named like a group (the
	 * detector's zone rows: the evidence of all the group's names together). Returns false
	 * when there is none. */
	bool (*zone_of)(void *ctx, const char *name, struct snap_row *zone);
	void *zone_ctx;
	size_t pool_len;
	char *npool;               /* domain names, when the builder copies them (owned) */
	uint64_t generation;       /* store generation it was built from */
	uint32_t epoch;            /* store_epoch() then: ageing (--max-memory) moved ids and names
	                            * since when it differs, so det results are not to be used */
	uint32_t n_flagged;
	fs_time t_min, t_max;
	bool final;                /* built after loading ended */
	const struct detector *det;/* borrowed: the detector run these rows came from (NULL in
	                            * tests); valid until the snapshot is released */
	void *owner;               /* loader bookkeeping */
};

/* An empty snapshot with n domain rows, zeroed. Caller frees with snap_free(). */
struct snap *snap_new(uint32_t n);
void snap_free(struct snap *s);

/* After the rows are filled: name ranks, time range, flagged count, the registrable groups
 * (registrable[i] is row i's registrable domain, NULL or "" for none, copied; regs may be NULL),
 * the per-column key arrays and bitmaps, and the name order (the domain column's cached order).
 * When the names are back to back in s->npool in row order, set s->dom.names first. */
void snap_finish(struct snap *s, const char *const *registrable);

/* The rows of the table in column order (ascending or descending; ties by name). Borrowed from
 * the snapshot's cache, built on first use. */
const uint32_t *snap_order(struct snap_table *t, enum snap_col col, bool desc);

/* Bitmap (n bits, caller frees) of the rows of t whose name contains needle (lower case);
 * *count receives how many. Scans the names in row order (memmem over the pool when there is
 * one). */
uint64_t *snap_match_names(const struct snap_table *t, const char *needle, uint32_t *count);

/* Row index of a domain id in s->dom, or UINT32_MAX. */
uint32_t snap_find_dom(const struct snap *s, uint32_t dom_id);

/* Make every column's order in the direction `s` picks first (names A to Z, the rest largest
 * first); the other direction then costs one O(n) pass. The loader calls it on the final
 * snapshot so that no sort runs on the UI thread. */
void snap_prepare_orders(struct snap_table *t);

/* Radix sort helpers (exposed for tests): sort keys ascending, permuting idx alongside; and the
 * packed form, key in the high 32 bits, stable. */
void snap_radix_sort(uint64_t *keys, uint32_t *idx, size_t n);
void snap_radix_sort_packed(uint64_t *kv, size_t n);

#endif
