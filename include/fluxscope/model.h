/* The model: what every view shows, computed once. Between store/detect/enrich and the front
 * ends (the TUI's lists and detail tabs, --report, the export previews), which only format.
 *
 * - One field table names every field of a domain or zone row once: its key, older names, type,
 *   unit, description, how it is computed, its report JSON key, its TUI column, and a getter
 *   from a model row. The filter language's fields, the report's JSON keys and CSV columns, the
 *   TUI's column and sort choices and docs/fields.md all come from it.
 * - A field without a value (a Holz score without ASN data, a TTL with no answer, an unknown
 *   distance) is *missing*: it never matches a comparison and sorts last, and is empty in CSV,
 *   null in JSON (0 for the few keys the JSON report always wrote as 0).
 * - List fields (asn, country, address, nameserver, reason) hold several values: a comparison
 *   holds when any value matches (!= and !~ when none does).
 * - Report records: a row plus its addresses with their enrichment, spread, nameservers and
 *   their addresses, built from the store under its read lock.
 *
 * Threads: the table is immutable; rows and records are used by one thread at a time and
 * borrow from the store and the detector (valid while the caller holds the store read lock
 * and keeps the detector's results). */
#ifndef FLUXSCOPE_MODEL_H
#define FLUXSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

enum model_type {
	MT_INT,        /* counts and durations (unit "s": 5m, 1h accepted by the filter) */
	MT_FLOAT,
	MT_STRING,     /* = exact or glob, ~ contains, case-insensitive */
	MT_TIME,       /* capture time (fs_time); the filter takes epoch seconds or an ISO date */
	MT_ADDR,       /* = address or prefix (192.0.2.0/24), ~ text contains */
	MT_ASN,        /* AS12345 or 12345 */
	MT_COUNTRY,    /* two-letter code */
	MT_ENUM,       /* a verdict: its name, "flux" or "flagged" */
	MT_BOOL        /* yes/no */
};
const char *model_type_name(enum model_type t);

/* Lists a record adds to a row (NULL/0 when built from a result alone). */
struct model_lists {
	const fs_addr *addrs;        size_t n_addrs;       /* answer addresses */
	const uint32_t *asns;        size_t n_asns;        /* distinct ASNs, most addresses first */
	const char (*countries)[3];  size_t n_countries;   /* distinct countries, likewise */
	const char *const *ns_names; size_t n_ns_names;    /* NS names of the domain's zone */
};

/* A row: one detection result (a domain, or a zone row) and what the store adds. */
struct model_row {
	const struct det_result *r;   /* never NULL */
	bool has_store;               /* the store counts below are set */
	uint32_t n_responses, n_nxdomain;
	bool marked;
	const struct model_lists *lists; /* optional */
};
/* d may be NULL (zone rows; results alone): responses then read the result's answer count. */
void model_row_init(struct model_row *row, const struct det_result *r,
                    const struct store_domain *d);

/* One row of the domain list (the TUI's home list): what it shows and sorts by, from the
 * store and, when det is given, the domain's result (without one: the store's own counts).
 * `exists` is false for an id whose domain was aged out; `listed` is false for a zone owner
 * seen only in NS records that the detector does not flag (reached through pivots, as
 * --report leaves it out). Strings borrow from the store and the detector: copy them before
 * the store's read lock is released. */
struct model_list_row {
	bool exists, listed, marked, has_result, holz_available, intel;
	const char *name;
	const char *registrable;      /* NULL without a result */
	fs_time first_seen, last_seen;
	uint32_t n_responses, n_nxdomain;
	enum det_verdict verdict;
	double score, logit, holz;
	uint32_t rank, cluster;
	uint32_t n_addrs, n_asns, n_countries, ttl_min, n_ns_changes;
};
void model_list_row(const struct store *s, const struct detector *det, store_dom_id id,
                    struct model_list_row *out);

struct model_value {
	double num;                   /* MT_INT, MT_FLOAT, MT_TIME (fs_time), MT_BOOL, MT_ENUM, MT_ASN */
	const char *str;              /* MT_STRING, MT_COUNTRY (NUL-terminated, borrowed) */
	fs_addr addr;                 /* MT_ADDR */
};

enum {
	MF_LIST = 0x01,               /* several values */
	MF_JSON_ZERO = 0x02,          /* JSON writes a missing value as 0 (as it always has) */
	MF_JSON_CUSTOM = 0x04,        /* the report writes this key itself (arrays of records) */
	MF_ZONE = 0x08                /* also a key of zone records */
};

struct model_field {
	const char *key;              /* filter, CSV, TUI column, sort */
	const char *aliases;          /* older or shorter names, space-separated, or NULL */
	enum model_type type;
	const char *unit;             /* "s", "km", "0..100", … or NULL */
	const char *desc;             /* what it is */
	const char *how;              /* how it is computed */
	const char *json;             /* report JSON key; "counts.x": inside "counts" */
	int prec;                     /* decimals for MT_FLOAT in JSON and CSV */
	unsigned flags;               /* MF_* */
	/* TUI column */
	const char *title;
	int width;                    /* 0 = takes the remaining width */
	bool right;
	int prio;                     /* 0 always shown; higher drops first; 9 not shown by default */
	/* The i-th value (i = 0 for single values). False when there is none: a single-valued
	 * field is then missing, a list has ended. */
	bool (*get)(const struct model_row *row, size_t i, struct model_value *v);
	/* A text comparison (~, !~) on this non-text field reads the list field of this key
	 * instead: `ns~evil` (the NS-name count) matches any of the names (`nameserver`). NULL:
	 * ~ applies to text fields only. */
	const char *text_list;
};

size_t model_field_count(void);
const struct model_field *model_field(size_t i);         /* NULL past the end */
/* By key, alias or TUI title, case-insensitive; NULL if none. */
const struct model_field *model_field_find(const char *name, size_t len);
int model_field_index(const struct model_field *f);
/* The keys, comma-separated ("verdict, score, …"), for error messages. Static. */
const char *model_field_keys(void);

/* The value of a single-valued field (false = missing). */
static inline bool
model_get(const struct model_field *f, const struct model_row *row, struct model_value *v)
{
	return f->get(row, 0, v);
}
/* Text of a field's value (list values joined by " ", text lists by " | "); "" when missing.
 * Returns buf. */
char *model_format(const struct model_field *f, const struct model_row *row, char *buf,
                   size_t len);
/* A 32-bit sort key for numbers, times and verdicts, in ascending order; missing values sort
 * last in both directions (UINT32_MAX ascending, 0 descending). Text fields give 0. */
uint32_t model_sort_key(const struct model_field *f, const struct model_row *row, bool desc);

/* docs/fields.md: every field with its type, unit, JSON key, column, description and how it
 * is computed. Caller frees. */
char *model_fields_doc(void);

/* ---- report records -------------------------------------------------------------------------- */

struct model_record {
	struct model_row row;
	struct model_lists lists;
	struct geo_addr_row *spread_rows; size_t n_spread_rows;   /* per address, store order */
	struct geo_spread spread;
	fs_addr *ns_addrs; size_t n_ns_addrs;   /* addresses of the NS names, each once */
	const char **members; size_t n_members; /* zone records: member names (flagged zones) */
	/* owned storage behind lists */
	fs_addr *addr_buf;
	uint32_t *asn_buf;
	char (*cc_buf)[3];
	const char **ns_buf;
};

/* A domain record (caller holds the store read lock; geo may be NULL). Free with
 * model_record_free(). */
void model_record_domain(struct model_record *rec, struct geo *geo, const struct store *s,
                         const struct det_result *r);
/* The same through a read-only reader of the enrichment cache (geo_lookup_ro): any number
 * of threads at once, each with its own reader, while none writes the geo handle; the same
 * record. */
void model_record_domain_ro(struct model_record *rec, struct geo_ro *ro, const struct store *s,
                            const struct det_result *r);
/* A zone record: its member names (the first max_members, most severe first) when flagged. */
void model_record_zone(struct model_record *rec, const struct detector *det,
                       const struct det_result *z, size_t max_members);
void model_record_free(struct model_record *rec);

/* NS names seen for a domain's zone: every NS set observed for it, or the zone's current set
 * (ascending name ids, each once, at most cap). */
size_t model_ns_names(const struct store *s, store_dom_id dom, uint32_t *buf, size_t cap);

/* ---- domain detail: the data of each detail tab, computed once --------------------------------
 * The TUI's tabs (Summary, Timeline, Spread, Nameservers, Related) and the report read the same
 * figures from here and from the detector's result: the cluster and its size, the flagged
 * domains sharing infrastructure, the answer-set changes. Caller holds the store read lock; the
 * results borrow from the store, the detector and geo's cache: valid while the lock is held and
 * the detector's results are kept (geo's cache entries until geo_cache_trim empties it). Any
 * thread holding the read lock may call; a geo handle is used by one thread at a time (its
 * cache), so calls given the same handle are serialised by the caller (the TUI's UI thread).
 * Everything returned is owned by the caller and freed with the matching *_free or free(). */

/* Related: the detector's cluster (the same number and size as the Summary and --report), the
 * detector's count of flagged domains sharing infrastructure (the reason's figure) and every
 * domain sharing at least one address or NS name with this one. */
struct model_rel {
	store_dom_id dom;
	uint32_t n_addr, n_ns;        /* shared addresses and NS names */
	store_addr_id first_addr;     /* one of each, for the line */
	store_name_id first_ns;
	bool in_cluster;              /* in the same cluster as the domain */
};
struct model_related {
	uint32_t cluster, cluster_size;     /* det_result's (0 = none, or no result) */
	uint32_t n_shared_flagged;          /* det_result's */
	store_dom_id *members;              /* the cluster's domains, this one included, in the
	                                     * detector's result order; n_members == cluster_size */
	uint32_t n_members;
	struct model_rel *rel;              /* sharing domains, most shared items first */
	uint32_t n_rel;
	uint32_t n_rel_flagged;             /* of them with a flagged verdict now */
	bool truncated;                     /* an item shared by more than 20,000 domains was read
	                                     * in part */
};
void model_related(const struct store *s, const struct detector *det, store_dom_id dom,
                   struct model_related *out);
void model_related_free(struct model_related *r);

/* Timeline: the responses in arrival order, identical consecutive ones (same answer set,
 * rcode, qtype, resolver, client, vantage, CNAME, flags and source; the TTL may count down)
 * collapsed into one row with a count. */
struct model_tl_row {
	uint32_t first;               /* index into the domain's resp[] of its first response */
	uint32_t count;               /* responses it stands for */
	fs_time ts_last;              /* time of the last of them */
	uint32_t ttl_min, ttl_max;    /* over them */
	uint32_t frame_last;          /* frame of the last of them */
	uint32_t new_off;             /* its answers' "new" flags: the timeline's is_new[new_off..] */
	uint32_t n_new;               /* answers seen here for the first time in the timeline */
};
struct model_timeline {
	struct model_tl_row *rows;
	uint32_t n_rows;
	uint32_t n_resp;              /* responses read (at most max_resp) */
	uint32_t n_more;              /* responses past max_resp, not read */
	bool collapsed;               /* identical rows were folded */
	/* per row, per answer address of its first response (store_set_members order): whether
	 * this is the address's first appearance in the timeline's rows */
	bool *is_new;
};
void model_timeline(const struct store *s, store_dom_id dom, bool collapse, uint32_t max_resp,
                    struct model_timeline *out);
void model_timeline_free(struct model_timeline *t);
/* Why a response has no addresses, in words ("NXDOMAIN: the name does not exist", "no data:
 * the name exists but has no record of the type asked (NODATA, RFC 2308)", …). Static. */
const char *model_resp_empty_why(const struct store_response *r);

/* CNAME tree: the alternative chains the domain's answers took, depth first from the query
 * name, each branch with the link that reached it (when first and last seen, how often);
 * branches in order of first appearance. */
struct model_cname_node {
	store_name_id name;
	int depth;                    /* 0 = the domain itself */
	const struct store_cname_link *link;  /* NULL for the root */
	bool last;                    /* the last child of its parent (for drawing) */
	bool loop;                    /* the name is already on its path: not followed */
};
size_t model_cname_tree(const struct store *s, store_dom_id dom, struct model_cname_node **out);

/* Spread: a domain's answer addresses with their enrichment, the summary (the figures of the
 * report's spread_summary: geo_spread_addrs over the same addresses, as geo_domain_spread
 * computes them for the report's records), and the tallies by ASN and by country. Without a
 * geo handle (--no-geoip): the addresses only, info NULL, no tallies. */
struct model_addr_row {
	store_addr_id id;             /* the store's address (a pivot's key) */
	fs_addr addr;
	const struct geo_info *info;  /* borrowed from geo's cache; NULL without enrichment */
	fs_time first_seen, last_seen;
	uint32_t count;               /* responses that carried it */
};
struct model_tally {
	uint32_t asn;                 /* by ASN: 0 = unknown */
	char country[3];              /* by country: "" = unknown */
	const char *label;            /* by ASN: the AS organisation (borrowed from geo), or "" */
	uint32_t n;                   /* addresses */
};
struct model_spread {
	bool enriched;                      /* a geo handle was given */
	struct geo_spread sum;              /* zero without enrichment */
	struct model_addr_row *addrs;       /* store order (the report's "spread" order) */
	uint32_t n_addrs;
	struct model_tally *by_asn;         /* most addresses first, then by ASN */
	uint32_t n_by_asn;
	struct model_tally *by_country;     /* most addresses first, then by code */
	uint32_t n_by_country;
	fs_time first_seen, last_seen;      /* the domain's */
};
/* A domain's answer addresses in store order (the report's "spread" order), each with its
 * store id and, when geo is given, its enrichment. *rows is allocated (caller frees with
 * free()), NULL when none. The agents --export and the export dialog write read these too. */
uint32_t model_addr_rows(struct geo *geo, const struct store *s, store_dom_id dom,
                         struct model_addr_row **rows);
/* geo may be NULL. Free with model_spread_free(). */
void model_spread(struct geo *geo, const struct store *s, store_dom_id dom,
                  struct model_spread *out);
void model_spread_free(struct model_spread *sp);

/* Nameservers: the delegation (the zone answering for the domain, its current NS set, the
 * changes counted), the NS-set observations over time (the domain's own, else those of the
 * zone that answers for it), each with what it added and removed against the zone's previous
 * set, and every NS name with its addresses. The names begin with the report's ns_names
 * (model_ns_names, same order), then any other name of the observations and the current set. */
struct model_ns_obs {
	fs_time ts;
	store_name_id zone;           /* owner of the NS RRset */
	uint32_t ttl;
	const uint32_t *members;      /* the NS set (name ids, borrowed from the store) */
	uint32_t n_members;
	bool changed;                 /* an earlier observation of the same zone exists */
	bool *added;                  /* per member: not in that earlier set (all false if none) */
	uint32_t *removed;            /* names of that earlier set gone from this one */
	uint32_t n_removed;
};
struct model_ns_addr {
	store_addr_id id;
	fs_addr addr;
	const struct geo_info *info;  /* NULL without enrichment */
	fs_time first_seen, last_seen;
};
struct model_ns_name {
	store_name_id name;
	bool in_report;               /* one of the report's ns_names */
	uint32_t n_domains;           /* domains whose NS set includes it */
	struct model_ns_addr *addrs;  /* its addresses (glue or answers), store order */
	uint32_t n_addrs;
};
struct model_nameservers {
	store_name_id zone;           /* the zone answering for the domain (0 = none) */
	uint32_t n_current;           /* names in its current NS set (0 = no NS records seen) */
	uint32_t n_changes;           /* NS-set changes seen (store_domain_ns_changes) */
	bool enclosing;               /* the observations are the enclosing zone's */
	fs_time first_seen, last_seen;  /* of the domain whose observations are shown */
	struct model_ns_obs *obs;
	uint32_t n_obs;
	struct model_ns_name *names;
	uint32_t n_names;
	uint32_t n_report;            /* the first n_report names are the report's ns_names */
};
/* The NS names of the zone a domain owns (the double-flux nameservers --export and the export
 * dialog write): those of its NS observations whose zone is the name itself, its registrable
 * domain or a zone between (an ancestor's such as a TLD's never), and, when its current NS set
 * is such a zone's, that zone's observations and current set. name is the domain's; each name
 * once, at most cap. */
size_t model_zone_ns_names(const struct store *s, const struct det_result *r, const char *name,
                           uint32_t *buf, size_t cap);
/* geo may be NULL. Free with model_nameservers_free(). */
void model_nameservers(struct geo *geo, const struct store *s, store_dom_id dom,
                       struct model_nameservers *out);
void model_nameservers_free(struct model_nameservers *ns);

/* Pivots: the domains behind an item of a view, ascending ids, each once (caller frees *ids;
 * NULL when none). ADDR: the domains answered with the address, and those its nameserver
 * names serve; NS: the domains delegated to the NS name and the zones it serves; ASN and
 * COUNTRY (geo required, else none): every domain answered with an address there. *org, when
 * not NULL, gets the ASN's organisation (borrowed from geo; "" when unknown). */
enum model_pivot_kind { MODEL_PIVOT_ADDR, MODEL_PIVOT_NS, MODEL_PIVOT_ASN, MODEL_PIVOT_COUNTRY };
struct model_pivot_key {
	enum model_pivot_kind kind;
	store_addr_id addr;           /* ADDR */
	store_name_id ns;             /* NS */
	uint32_t asn;                 /* ASN */
	char country[3];              /* COUNTRY */
};
uint32_t model_pivot(struct geo *geo, const struct store *s, const struct model_pivot_key *key,
                     store_dom_id **ids, const char **org);
/* The domains answered with any address of the domain's response resp_idx (its answer set). */
uint32_t model_resp_pivot(const struct store *s, store_dom_id dom, uint32_t resp_idx,
                          store_dom_id **ids);

/* Timeline sparklines: the domain's time cut into n_buckets intervals; per[b] = distinct
 * answer addresses in interval b, cum[b] = distinct addresses seen up to its end. Returns the
 * distinct addresses in all. */
uint32_t model_tl_spark(const struct store *s, store_dom_id dom, int n_buckets, uint32_t *per,
                        uint32_t *cum);

/* ---- object lists: every cluster, answer address, ASN and nameserver --------------------------
 * The TUI's `:view clusters|addresses|asns|nameservers`. Caller holds the store read lock and
 * keeps the detector's results (the lists borrow from both); free with free(). "Flagged" is a
 * domain whose result has a flagged verdict. */

struct model_shared {
	uint32_t key;                 /* store_addr_id or store_name_id */
	uint32_t n;                   /* members whose records hold it (2 or more) */
};
struct model_cluster {
	uint32_t id;                  /* the detector's cluster number */
	uint32_t n_members, n_flagged;
	const struct det_result **members;   /* in the detector's result (rank) order */
	struct model_shared *addrs;   /* addresses two or more members were answered with */
	uint32_t n_addrs;
	struct model_shared *ns;      /* NS names two or more members' zones use (model_ns_names) */
	uint32_t n_ns;
};
/* Every cluster, by number; free with model_clusters_free(). */
size_t model_clusters(const struct store *s, const struct detector *det,
                      struct model_cluster **out);
void model_clusters_free(struct model_cluster *c, size_t n);

/* Every answer address used by a domain, most flagged domains first, then most domains. */
struct model_addr_obj { store_addr_id id; uint32_t n_domains, n_flagged; };
size_t model_addr_objs(const struct store *s, const struct detector *det,
                       struct model_addr_obj **out);
/* Every ASN of those addresses (geo required, else none): its addresses, distinct domains and
 * flagged domains, ordered likewise. org is borrowed from geo. */
struct model_asn_obj { uint32_t asn, n_addrs, n_domains, n_flagged; const char *org; };
size_t model_asn_objs(struct geo *geo, const struct store *s, const struct detector *det,
                      struct model_asn_obj **out);
/* Every NS name: the zones it serves, its domains (flagged ones), its addresses, ordered
 * likewise. */
struct model_ns_obj { store_name_id name; uint32_t n_zones, n_domains, n_flagged, n_addrs; };
size_t model_ns_objs(const struct store *s, const struct detector *det, struct model_ns_obj **out);

/* Address search (the list's `/` on an address): the domains answered with an address whose
 * text contains text, or, for a prefix ("192.0.2.0/24", "2001:db8::/32"), inside it (an
 * invalid prefix matches none). Ascending ids, each once; caller frees *ids. */
uint32_t model_addr_search(const struct store *s, const char *text, store_dom_id **ids);

/* The time view's counts (`:view time`), one domain at a time (the caller slices the scan):
 * bins of bw seconds from t0 (epoch seconds; n bins, earlier times in the first, later ones in
 * the last). resp[b] counts the domain's responses in bin b (a CNAME target's copy of a
 * response is counted once, for its query name); when flagged, flag[b] counts the domain once
 * per bin (last_dom[b] remembers the last domain counted). The arrays are the caller's.
 * Returns the responses counted. */
struct model_time_bins {
	int64_t t0, bw;
	int n;
	uint64_t *resp;
	uint32_t *flag;
	uint32_t *last_dom;
};
uint64_t model_time_add(const struct store *s, store_dom_id dom, bool flagged,
                        const struct model_time_bins *b);

#endif
