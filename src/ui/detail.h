/* Domain-detail view models: the lines of each tab (Summary, Timeline, Spread, Nameservers,
 * Related) built from the store, the detector's result and the enrichment, plus the domain
 * lists behind pivots (an address, an ASN, a nameserver). Lines carry inline role marks (see
 * canvas_put_marked) and, when they can be opened, what they point at. No curses: tested by
 * building the lines of a known capture. UI thread, under the store read lock. */
#ifndef FLUXSCOPE_UI_DETAIL_H
#define FLUXSCOPE_UI_DETAIL_H

#include "fluxscope/notes.h"
#include <stdbool.h>
#include <stdint.h>

#include "ui/snap.h"

struct store;
struct geo;
struct detector;

enum { DTAB_SUMMARY, DTAB_TIMELINE, DTAB_SPREAD, DTAB_NS, DTAB_RELATED, DTAB_COUNT };
const char *detail_tab_name(int tab);

enum dline_kind {
	DL_TEXT = 0,   /* plain text */
	DL_TITLE,      /* section title */
	DL_ADDR,       /* key: store address id → domains using it */
	DL_ASN,        /* key: AS number → domains with addresses in it */
	DL_NS,         /* key: NS name id → domains delegated to it */
	DL_DOMAIN,     /* key: domain id → its detail */
	DL_COUNTRY,    /* key: ISO code packed as c0 << 8 | c1 → domains with addresses there */
	DL_RESP,       /* a Timeline row. key: index of its first response in the domain's
	                * timeline → the domains of its addresses; aux: its frame number, aux2:
	                * its source (src_index), 0xffff when the row came from a feed */
	DL_MORE        /* "… and N more": Enter shows them all (key: what, aux: the section) */
};

struct dline {
	char *text;    /* owned; may contain CANVAS_MARK role changes */
	uint8_t kind;  /* enum dline_kind */
	uint16_t role; /* base role */
	uint32_t key;
	uint32_t aux;
	uint16_t aux2;
};

struct dlines {
	struct dline *l;
	int n, cap;
};

void dlines_add(struct dlines *d, int kind, uint32_t key, int role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void dlines_clear(struct dlines *d);

struct detail_ctx {
	struct store *store;          /* NULL: only what the snapshot row knows */
	struct geo *geo;              /* may be NULL */
	const struct detector *det;   /* results of the snapshot; may be NULL */
	const struct snap *snap;
	int width;                    /* columns available, for bars and sparklines */
	bool unicode;
	const struct notes *notes;    /* the analyst's marks and notes; may be NULL */
	const char *const *sources;   /* input file names by src_index (may be NULL) */
	int n_sources;
	bool collapse;                /* Timeline: fold identical consecutive rows */
	unsigned expand;              /* DLX_* sections shown in full ("… and N more" opened) */
};
enum { DLX_ASN = 1, DLX_COUNTRY = 2, DLX_GLUE = 4, DLX_RELATED = 8 };
/* Text of a line without its role marks (for copying). Returns buf. */
char *dline_plain(const struct dline *l, char *buf, size_t len);

/* Build tab `tab` of domain `dom` into out (cleared first). */
void detail_build(const struct detail_ctx *ctx, uint32_t dom, int tab, struct dlines *out);

/* Domains behind a pivot line: fills *ids (caller frees) and a label ("203.0.113.5",
 * "AS64500 Example Org", "ns1.example.net"). Returns the count. */
/* Domains using the addresses of a Timeline row (DL_RESP: the response at index idx of dom). */
uint32_t detail_resp_pivot(const struct detail_ctx *ctx, uint32_t dom, uint32_t idx, uint32_t **ids,
                           char *label, size_t len);
uint32_t detail_pivot(const struct detail_ctx *ctx, int kind, uint32_t key, uint32_t **ids,
                      char *label, size_t len);

#endif
