/* Queries over detection results: the filter language shared by `--filter EXPR` (headless
 * export and report) and the TUI's filter prompt.
 *
 *   EXPR  = OR
 *   OR    = AND { ("or" | "||") AND }
 *   AND   = UNARY { ["and" | "&&"] UNARY }     juxtaposition means "and"
 *   UNARY = ("not" | "!") UNARY | "(" EXPR ")" | FIELD OP VALUE   (spaces around OP optional)
 *   OP    = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" (contains) | "!~" (does not contain)
 *   VALUE = word | "quoted words"; "=" and "!=" take a comma list (any of them)
 *
 * e.g. `verdict=single-flux,double-flux score>=60 asns>=3 ttl<300 name~evil`,
 *      `asns > 5 and not (verdict = benign or name ~ akamai)`
 * The grammar is src/query/expr.h.
 * Fields: every field of the model's table (fluxscope/model.h, docs/fields.md), by key or
 * alias. Verdict values are the verdict names plus "flux" (single-flux or double-flux) and
 * "flagged" (flux or suspicious). Text values with "*" or "?" are globs
 * (`name=*.example.com`). Fields in seconds accept s/m/h/d suffixes (ttl<5m); times take epoch
 * seconds or an ISO date; addresses a prefix. A missing value never matches a comparison.
 *
 * A parsed filter is immutable: any thread may match with it. */
#ifndef FLUXSCOPE_QUERY_H
#define FLUXSCOPE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "fluxscope/detect.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

struct query_filter;

/* Parse expr. On error returns FS_E_ARG with one sentence saying what is wrong and at which
 * column ("filter: expected an operator ... after 'asns' (column 6)"). An empty expression
 * matches everything. Caller frees with query_filter_free(). */
fs_status query_filter_parse(const char *expr, struct query_filter **out, struct fs_err *err);
/* The same; on error *err_col (may be NULL) is the 1-based column (in characters) where the
 * expression went wrong, for a caret under it. */
fs_status query_filter_parse_at(const char *expr, struct query_filter **out, struct fs_err *err,
                                size_t *err_col);
void query_filter_free(struct query_filter *f);

/* Whether a result (and its store record, which may be NULL: the store-only fields responses,
 * nxdomain and marked then read from the result or as 0) satisfies every term. */
bool query_filter_match(const struct query_filter *f, const struct det_result *r,
                        const struct store_domain *d);

struct model_row;
/* The same over a model row (a record's lists make asn, country, address and nameserver
 * complete). */
bool query_filter_match_row(const struct query_filter *f, const struct model_row *row);
/* Whether a comparison reads a list only a record holds in full (address, nameserver; asn and
 * country beyond the top 5): the caller then matches model_record rows. */
bool query_filter_needs_lists(const struct query_filter *f);

/* The expression as parsed (normalised spacing), for status bars. Borrowed from f. */
const char *query_filter_text(const struct query_filter *f);
/* Number of comparisons (0 = matches everything). */
int query_filter_terms(const struct query_filter *f);

/* One line per field: "name  meaning" (static text for help overlays and --help). */
const char *query_filter_help(void);

#endif
