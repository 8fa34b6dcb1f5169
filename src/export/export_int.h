/* Internals shared by the export writers: the write context and small formatting helpers. */
#ifndef FLUXSCOPE_EXPORT_INT_H
#define FLUXSCOPE_EXPORT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "fluxscope/export.h"

struct export_ctx {
	const struct export_set *set;
	const struct export_opts *opts;
	struct export_report *rep;
	const struct export_writer *w;
};

static inline const struct export_set *export_ctx_set(const struct export_ctx *cx) { return cx->set; }
static inline const struct export_opts *export_ctx_opts(const struct export_ctx *cx) { return cx->opts; }

/* Record that ind could not be written safely in this format (counted, first few kept). */
void export_ctx_refuse(struct export_ctx *cx, const struct export_ind *ind, const char *why);
/* True once the preview limit is reached: writers stop emitting entries. */
bool export_ctx_full(const struct export_ctx *cx);
/* Count one entry written / one name written with presentation escapes. */
void export_ctx_entry(struct export_ctx *cx);
void export_ctx_escaped(struct export_ctx *cx);

/* Whether a (canonical, set-held) name is a plain host name: only [a-z0-9_-] labels. */
bool export_name_plain(const char *name);
/* A host name in BIND's check-names sense: plain, and no '_'. */
bool export_name_hostname(const char *name);
/* Whether a canonical name has a label that is exactly '*' (a wildcard on the wire). */
bool export_name_has_star_label(const char *name);
/* Whether the set holds a name indicator of kind k with this canonical name. */
bool export_set_has_name(const struct export_set *s, enum export_kind k, const char *name);
/* Whether ind is a name kind (DOMAIN, NSNAME, PASSTHRU). */
bool export_kind_is_name(enum export_kind k);
/* Address or CIDR text ("192.0.2.1", "192.0.2.0/24"): CIDR only when plen is not full. */
const char *export_addr_text(const struct export_ind *ind, char *buf, size_t len);
/* Copy s into buf replacing control characters (and DEL) by spaces: safe inside a comment. */
const char *export_clean_text(const char *s, char *buf, size_t len);
/* JSON string literal (with quotes) of s. */
void export_json_str(FILE *out, const char *s);
/* ISO 8601 UTC "2026-01-02T03:04:05Z" (or with .mmmZ when millis). */
const char *export_iso_time(fs_time t, bool millis, char *buf, size_t len);
time_t export_now(const struct export_opts *o);

/* The writers, one file per format. */
void export_write_rpz(struct export_ctx *cx, FILE *out);
void export_write_domains(struct export_ctx *cx, FILE *out);
void export_write_hosts(struct export_ctx *cx, FILE *out);
void export_write_dnsmasq(struct export_ctx *cx, FILE *out);
void export_write_unbound(struct export_ctx *cx, FILE *out);
void export_write_pihole(struct export_ctx *cx, FILE *out);
void export_write_csv(struct export_ctx *cx, FILE *out);
void export_write_json(struct export_ctx *cx, FILE *out);
void export_write_stix(struct export_ctx *cx, FILE *out);
void export_write_suricata(struct export_ctx *cx, FILE *out);
void export_write_nft(struct export_ctx *cx, FILE *out);

#endif
