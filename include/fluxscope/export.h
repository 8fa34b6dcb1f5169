/* Export: a set of indicators (domains, addresses, CIDRs, nameserver names and addresses) built
 * from detection results, and writers that turn it into files other systems load as they are:
 * RPZ zones, blocklists for hosts/dnsmasq/Unbound/Pi-hole, CSV, JSON, STIX 2.1, Suricata rules
 * and nftables sets.
 *
 * The set is independent of the UI: the headless CLI fills it from a selection (default: the
 * flux verdicts; or a query filter, a minimum score, or the TUI's marks), the TUI's export
 * dialog previews and writes it. No allowlisted name ever enters a set.
 *
 * Names are kept in presentation form (RFC 1035 escapes, as the store keeps them). Writers
 * re-encode each name for their format: RPZ escapes every byte outside [a-z0-9_-] as \DDD, so
 * no crafted name can inject zone syntax; the line formats (hosts, dnsmasq, …) refuse names that
 * are not plain host names, with a counted warning.
 *
 * Threads: a set is used by one thread at a time. Writers only read the set. */
#ifndef FLUXSCOPE_EXPORT_H
#define FLUXSCOPE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "fluxscope/fs.h"

struct store;
struct detector;
struct query_filter;

enum export_kind {
	EXPORT_DOMAIN = 0,   /* a domain (optionally with its subdomains) */
	EXPORT_ADDR,         /* an answer address of a flux domain */
	EXPORT_CIDR,         /* a network (address + prefix length) */
	EXPORT_NSNAME,       /* a double-flux nameserver name */
	EXPORT_NSADDR,       /* an address of a double-flux nameserver */
	EXPORT_PASSTHRU,     /* an allowlisted name that shares an exported address: RPZ writes
	                        a PASSTHRU rule so the address trigger never blocks it */
	EXPORT_KIND_COUNT
};
const char *export_kind_name(enum export_kind k);  /* "domain", "address", "cidr", … */

#define EXPORT_MAX_NAME 1024  /* presentation form, escapes included */

/* One indicator. Strings are owned by the set. */
struct export_ind {
	enum export_kind kind;
	const char *name;    /* DOMAIN, NSNAME, PASSTHRU: presentation form, lower case, no final dot */
	fs_addr addr;        /* ADDR, CIDR, NSADDR (host bits cleared for CIDR) */
	uint8_t plen;        /* prefix length: 32/128 for addresses */
	bool subdomains;     /* DOMAIN: also its subdomains */
	double score;        /* 0..100 */
	char verdict[16];    /* "single-flux", "double-flux", … ("" when unknown) */
	const char *reason;  /* first reason, "" when none */
	const char *const *reasons; /* all reasons (reasons[0] == reason when n_reasons > 0) */
	int n_reasons;
	fs_time first_seen, last_seen;  /* 0 when unknown */
	const char *source;  /* ADDR/CIDR/NSNAME/NSADDR/PASSTHRU: the domain that led to it, or "" */
	const char *note;    /* the analyst's note on it (export_set_notes), NULL when none */
};

/* Decides whether a name may be exported; false = allowlisted (never exported). */
typedef bool (*export_allow_fn)(void *ctx, const char *name);

struct export_set;

/* Caller frees with export_set_free(). allow may be NULL (nothing is allowlisted). */
struct export_set *export_set_new(export_allow_fn allow, void *allow_ctx);
void export_set_free(struct export_set *s);

/* Add one indicator (copied). Returns 1 if added or merged into an equal one (same kind and
 * value: the higher score, the earlier first_seen and later last_seen, the union of the
 * subdomains flag win), 0 if refused: allowlisted (counted in n_allowlisted), or a name that is
 * not a valid DNS name / an address kind without an address (counted in n_invalid, with a
 * warning). PASSTHRU indicators skip the allowlist (they exist because of it). */
int export_set_add(struct export_set *s, const struct export_ind *ind);
/* Convenience for hand-made sets and tests. reason may be NULL. */
int export_set_add_domain(struct export_set *s, const char *name, bool subdomains, double score,
                          const char *verdict, const char *reason);
/* text: "192.0.2.1", "2001:db8::1" or a CIDR "192.0.2.0/24"; kind ADDR, CIDR or NSADDR. */
int export_set_add_addr(struct export_set *s, enum export_kind kind, const char *text, double score,
                        const char *verdict, const char *reason, const char *source);

/* Indicators in a stable order: by kind, then by name or address. Borrowed until the next add
 * or export_set_free(). */
size_t export_set_count(const struct export_set *s);
const struct export_ind *export_set_get(const struct export_set *s, size_t i);
size_t export_set_count_kind(const struct export_set *s, enum export_kind k);

struct export_set_stats {
	size_t n_allowlisted;      /* names refused because the allowlist covers them */
	size_t n_invalid;          /* names or addresses refused as invalid */
	size_t n_merged;           /* duplicates merged */
};
void export_set_get_stats(const struct export_set *s, struct export_set_stats *out);
/* Warnings collected while adding (one sentence each; at most the first 32 are kept). */
int export_set_warning_count(const struct export_set *s);
const char *export_set_warning(const struct export_set *s, int i);

/* ---- Selection from detection results ----------------------------------------------------- */

enum export_sel_mode {
	EXPORT_SEL_FLUX = 0,       /* every single-flux and double-flux domain (default) */
	EXPORT_SEL_FILTER,         /* domains matching a query filter */
	EXPORT_SEL_MIN_SCORE,      /* domains scoring at least min_score */
	EXPORT_SEL_MARKED          /* domains whose store_domain.user_flags & mark_mask */
};

struct export_selection {
	enum export_sel_mode mode;
	const struct query_filter *filter;  /* EXPORT_SEL_FILTER */
	double min_score;                   /* EXPORT_SEL_MIN_SCORE */
	uint32_t mark_mask;                 /* EXPORT_SEL_MARKED; 0 = any flag */
	bool subdomains;                    /* mark domains "with subdomains" */
	bool infrastructure;                /* also the flux addresses of selected flux domains,
	                                       the nameservers (names and addresses) of
	                                       double-flux ones, and PASSTHRU for allowlisted
	                                       names that share those addresses (RPZ) */
	struct geo *geo;                    /* optional (one thread): with it, flux addresses that
	                                       look residential (geo_residential_looking) are left
	                                       out unless `residential` is set */
	bool residential;
	size_t *n_residential_skipped;      /* optional out: addresses left out so */
};

/* Fill set from the detector's results over the store (caller holds the store read lock and
 * ran det_run). The set should have been made with export_set_new_for_detector() so the
 * allowlist applies. Returns the number of domains selected. */
size_t export_select(struct export_set *s, const struct store *st, const struct detector *det,
                     const struct export_selection *sel);
/* A set whose allowlist is det_is_allowlisted(det, name). det is borrowed for the set's life. */
struct export_set *export_set_new_for_detector(const struct detector *det);

/* Attach the analyst's notes (fluxscope/notes.h) to the indicators they concern: a domain's own
 * note, else its zone's; an address's; a nameserver's. Writers print them in their comments
 * (and the JSON and CSV writers in a "note" field). Returns how many got one. */
struct notes;
size_t export_set_notes(struct export_set *s, const struct notes *n);

/* ---- Writers ------------------------------------------------------------------------------- */

enum export_rpz_action {
	EXPORT_RPZ_NXDOMAIN = 0,   /* CNAME . */
	EXPORT_RPZ_NODATA,         /* CNAME *. */
	EXPORT_RPZ_DROP,           /* CNAME rpz-drop. */
	EXPORT_RPZ_PASSTHRU,       /* CNAME rpz-passthru. */
	EXPORT_RPZ_SINKHOLE        /* A/AAAA sinkhole address, or CNAME sinkhole-name. */
};
/* "nxdomain", "nodata", "drop", "passthru", "sinkhole"; -1 if unknown. */
int export_rpz_action_parse(const char *s);
const char *export_rpz_action_name(enum export_rpz_action a);

#define EXPORT_DEFAULT_ORIGIN "rpz.fluxscope.local"
#define EXPORT_DEFAULT_SID_BASE 9100000L

struct export_opts {
	enum export_rpz_action action;
	const char *origin;        /* RPZ origin; NULL = EXPORT_DEFAULT_ORIGIN */
	const char *sinkhole;      /* address or host name; NULL = none (dnsmasq/hosts: 0.0.0.0) */
	long sid_base;             /* Suricata; 0 = EXPORT_DEFAULT_SID_BASE */
	bool subdomains;           /* treat every domain as "with subdomains" */
	time_t now;                /* wall clock for the RPZ serial and STIX timestamps; 0 = time() */
	uint32_t prev_serial;      /* RPZ: serial of the file being replaced (0 = none); filled by
	                              export_write_file from the existing file */
	size_t max_items;          /* 0 = all; the preview limits the entries written */
};
/* Defaults: NXDOMAIN, default origin and sid base, no sinkhole. */
void export_opts_init(struct export_opts *o);
/* Check option values (origin is a valid name, sinkhole is an address or host name when the
 * action needs one, sid base in range). err names the option. */
fs_status export_opts_check(const struct export_opts *o, struct fs_err *err);

/* What a write produced. */
struct export_report {
	size_t entries;            /* indicators written */
	size_t lines;              /* lines of output */
	size_t refused;            /* indicators this format could not carry safely (warned) */
	size_t skipped_kind;       /* indicators of kinds this format does not carry */
	size_t escaped;            /* names written with presentation escapes */
	char warnings[8][192];     /* the first few warnings, one sentence each */
	int n_warnings;
	uint32_t serial;           /* RPZ: serial written */
	unsigned stale_removed;    /* export_write_file: leftover temporary files of killed
	                            * writers of the same target removed first (fs.h) */
};

struct export_ctx;
struct export_writer {
	const char *name;          /* --export value: "rpz", "hosts", … */
	const char *ext;           /* file extension without the dot */
	const char *desc;          /* one line for --help and the TUI */
	unsigned kinds;            /* bitmask of 1u << export_kind it carries */
	/* Write the whole file to out (src/export/export_int.h has the context accessors). I/O
	 * errors are caught by the caller through ferror(). */
	void (*write)(struct export_ctx *cx, FILE *out);
};

/* The writer table (static). */
const struct export_writer *export_writers(size_t *n);
/* NULL if unknown. */
const struct export_writer *export_writer_find(const char *name);
/* "rpz, hosts, …" into buf. */
const char *export_writer_names(char *buf, size_t len);

/* Write atomically to path with fs_atomic_begin() (fs.h): temp file beside the final target,
 * fsync, rename; mode and owner kept, a symlink written through, the temp file removed on
 * SIGINT/SIGTERM/SIGHUP. For RPZ the serial of an existing file at path is read first and
 * incremented. On failure nothing at path changes and err holds one sentence naming the path.
 * rep may be NULL. */
fs_status export_write_file(const struct export_writer *w, const struct export_set *s,
                            const struct export_opts *o, const char *path,
                            struct export_report *rep, struct fs_err *err);
/* Write to a stream (used by tests and for "-o -"). */
fs_status export_write_stream(const struct export_writer *w, const struct export_set *s,
                              const struct export_opts *o, FILE *out, struct export_report *rep,
                              struct fs_err *err);
/* The first max_lines lines of what the writer would produce, NUL-terminated into buf
 * (truncated to len); *total_entries (may be NULL) receives how many indicators the full file
 * would hold. Returns the number of lines placed in buf. */
int export_preview(const struct export_writer *w, const struct export_set *s,
                   const struct export_opts *o, int max_lines, char *buf, size_t len,
                   size_t *total_entries);
/* How many indicators the full file would carry (a dry run). */
size_t export_count(const struct export_writer *w, const struct export_set *s,
                    const struct export_opts *o);

/* Serial found in an existing RPZ file (the SOA's third field), 0 if none. */
uint32_t export_rpz_read_serial(const char *path);
/* Next serial: YYYYMMDDnn for `now` (UTC), strictly above prev. */
uint32_t export_rpz_next_serial(uint32_t prev, time_t now);

/* ---- Name and address encodings (exposed for tests) ------------------------------------- */

/* Parse a presentation-form name into wire labels. Returns 0 and fills wire (max 255 bytes,
 * with the root label) or -1 with a reason: empty label, label over 63 bytes, name over 255
 * bytes, bad escape. *plain is set when every label is [a-z0-9_-] (a host name a line format
 * may carry as is). */
int export_name_to_wire(const char *name, uint8_t wire[256], size_t *wire_len, bool *plain,
                        const char **why);
/* Presentation form safe for zone files: every byte outside [a-z0-9_-] of a label escaped as
 * \DDD (so ' ', ';', '"', '(', '$', '@', '*' can never act as syntax). Returns the length, or
 * -1 if buf is too small. */
int export_name_zone(const uint8_t *wire, size_t wire_len, char *buf, size_t len);
/* The rpz-ip owner prefix for an address/prefix as BIND's canonical form, without the
 * ".rpz-ip" suffix: "32.1.2.0.192", "128.1.zz.db8.2001". Host bits beyond plen are cleared;
 * an IPv4-mapped IPv6 prefix is written as IPv4. Returns buf. */
const char *export_rpz_ip_name(const fs_addr *a, unsigned plen, char *buf, size_t len);

#endif
