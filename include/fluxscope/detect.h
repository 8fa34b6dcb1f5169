/* Detection: features per domain (and per registrable domain), the Holz flux-score, the
 * fluxscope score with its per-term contributions, verdicts and reasons in words, CDN/pool
 * guards, intel feeds and clusters of shared infrastructure. docs/detection.md explains every
 * feature, weight and threshold.
 *
 * Threads: det_run() reads the store under its read lock (the caller holds it) and may be
 * called again as more data arrives; it also uses the geo handle (one thread at a time).
 * Results are owned by the detector and stay valid until the next det_run() or det_free().
 * Strings in results (name, registrable, reasons, labels) are owned by the detector or
 * interned in the store, with the same lifetime.
 *
 * Names that never had an address (no answer with addresses, no address or NS record of their
 * own: the names of a random-subdomain flood) are kept compact, about 40 bytes each with the
 * ranking, and their det_result is made when asked for: det_get() and det_for_domain() make
 * it the first time a run's result is asked for and keep it, so the pointer is stable and
 * the same on every call until the next det_run() or det_free() (any thread; a mutex inside);
 * det_view() makes it in the caller's buffer and keeps nothing, for walks over every result
 * (counts, filters, a report's rows). Either way the result is the one a full computation
 * gives, field for field. */
#ifndef FLUXSCOPE_DETECT_H
#define FLUXSCOPE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/enrich.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

/* The verdicts, least to most severe: the one table of their names, order and colour roles.
 * X(ID, "name", "default style of its colour role"). The enum, det_verdict_name/parse (the
 * filter's and the report's names) and the TUI's colour roles (`verdict.NAME` in themes/, the
 * compiled-in default style) all come from it. */
#define DET_VERDICTS(X)                              \
	X(BENIGN, "benign", "fg=default")                 \
	X(CDN, "cdn", "fg=blue")                          \
	X(POOL, "pool", "fg=cyan")                        \
	X(SUSPICIOUS, "suspicious", "fg=yellow,bold")     \
	X(SINGLE_FLUX, "single-flux", "fg=red,bold")      \
	X(DOUBLE_FLUX, "double-flux", "fg=magenta,bold")

enum det_verdict {
#define X(id, name, style) DET_##id,
	DET_VERDICTS(X)
#undef X
	DET_VERDICT_COUNT
};
const char *det_verdict_name(enum det_verdict v); /* "single-flux", "cdn", … */
int det_verdict_parse(const char *s);             /* -1 if unknown */
static inline bool det_is_flux(enum det_verdict v)
{
	return v == DET_SINGLE_FLUX || v == DET_DOUBLE_FLUX;
}
/* Flagged = shown by --report without --all: suspicious or flux. */
static inline bool det_is_flagged(enum det_verdict v)
{
	return v == DET_SUSPICIOUS || det_is_flux(v);
}

/* What the capture shows of the resolution path (it changes which features are observable):
 * CLIENT = only answers a recursive resolver gave its clients (TTLs counted down by caches,
 * NS sets only when the resolver adds an authority section); UPSTREAM = the resolver's own
 * queries to authoritative servers (referrals, glue, AA answers, authoritative TTLs). */
enum det_vantage {
	DET_VANTAGE_NONE = 0,      /* no responses at all */
	DET_VANTAGE_CLIENT,
	DET_VANTAGE_UPSTREAM,
	DET_VANTAGE_BOTH
};
const char *det_vantage_name(enum det_vantage v); /* "client side", "upstream side", … */

/* One term of the model: the feature in its own units (raw), the monotone transform fed to
 * the logit (value), its weight and its contribution (weight·value, 0 when unavailable). */
struct det_term {
	const char *name;          /* feature name, e.g. "asn_entropy" (static) */
	const char *unit;          /* unit of raw, e.g. "addresses", "bits", "s" (static) */
	double raw;
	double value;
	double weight;
	double contribution;
	bool available;            /* false when the data to compute it is missing (no GeoIP…) */
};
/* A result's terms as the detector keeps them (the values; names, units and weights once
 * for all results): read one with det_term_at. */
struct det_terms;

/* A share of a domain's addresses: by ASN (asn, label = AS organisation) or by country
 * (country, label = ""). */
struct det_share {
	uint32_t asn;
	char country[3];
	const char *label;
	uint32_t n_addrs;
	double share;              /* n_addrs / distinct addresses, 0..1 */
};
#define DET_TOP 5
#define DET_WINDOWS 3              /* sliding windows of capture time: 10 min, 1 h, 24 h */
const char *det_window_name(int i);               /* "10m", "1h", "24h" */

struct det_result {
	store_dom_id dom;
	const char *name;          /* the FQDN (interned in the store) */
	const char *registrable;   /* eTLD+1 (libpsl); the name itself when it has none */
	double score;              /* 0..100: 100·logistic(logit) */
	double logit;              /* bias + Σ contributions */
	double holz_score;         /* 1.32·nA + 18.54·nASN − 142.38 over the first lookup and the
	                            * first one at least one TTL later, as published */
	double holz_score_all;     /* the same formula over every address seen */
	bool holz_available;       /* false without ASN data (the scores are then not shown) */
	enum det_verdict verdict;
	char **reasons;            /* sentences in words and numbers, most important first */
	int n_reasons;
	const struct det_terms *terms; /* every term of the model, in weights-file order
	                            * (det_term_at); owned by the detector */
	int n_terms;

	uint32_t n_responses;      /* responses with an answer set (NOERROR with addresses) */
	uint32_t n_rrsets;         /* distinct answer sets */
	uint32_t n_addrs, n_addrs_v6, n_asns, n_countries, n_prefixes16, n_prefixes24;
	uint32_t max_addrs_per_response;
	uint32_t ttl;              /* authoritative TTL estimate (max over RRsets) */
	uint32_t ttl_min;          /* smallest TTL seen */
	uint32_t n_rrset_changes;  /* consecutive answers (per resolver) whose set changed */
	uint32_t n_ns_names;       /* distinct NS names seen for the domain's zone */
	uint32_t n_ns_addrs;       /* distinct addresses of those NS names */
	uint32_t n_ns_changes;     /* NS-set changes */
	uint32_t ns_ttl;           /* NS TTL estimate: median of the NS-set observations (0 = none) */
	double max_distance_km;    /* greatest distance between two located addresses, -1 = unknown */
	uint32_t window_addrs[DET_WINDOWS]; /* most distinct addresses in any window of that length */
	uint32_t window_asns[DET_WINDOWS];  /* most distinct ASNs likewise */
	uint32_t ttl_periods;      /* distinct TTL periods with answers (evidence for flux) */
	fs_time first_seen, last_seen;

	/* When the verdict first became flagged, replaying the domain's timeline (0 = never):
	 * the capture time, the number of responses up to then, and TTL periods since first_seen. */
	fs_time first_flagged;
	uint32_t first_flagged_resp;
	double first_flagged_ttls;
	fs_time first_flux;        /* same for a flux verdict (0 = never) */
	uint32_t first_flux_resp;
	double first_flux_ttls;

	uint32_t rank;             /* 1-based position in the ranking (det_rank_cmp) among the
	                            * results of its kind (domains: det_get order; zone rows:
	                            * det_zone_get order) */
	bool rolled_up;            /* a name without addresses (only NXDOMAIN/NODATA answers, or
	                            * none of its own) whose evidence is counted in its zone's row
	                            * instead of a flagged row of its own */
	uint32_t cluster;          /* 0 = none; domains sharing addresses or NS names */
	uint32_t cluster_size;     /* domains in that cluster */
	uint32_t n_shared_flagged; /* flagged domains (first pass) sharing an address or a fluxing NS
	                            * name with this one: the figure of the reason "shares …" */
	bool intel_hit;
	const char *intel_feed;    /* first feed that matched (file name), NULL = none */
	bool allowlisted;
	const char *guard;         /* allowlist entry or guard that decided cdn/pool, NULL = none */

	/* Zones. A domain's zone is the deepest of its registrable domain and the zone cut seen
	 * in NS records (never above the registrable domain). Zone rows (det_zone_get) aggregate
	 * the evidence of all their names: random and wildcard subdomains asked once each add up. */
	const char *zone;          /* the domain's zone; for a zone row, the zone itself */
	bool is_zone;              /* a zone row (det_zone_get), not a name */
	enum det_verdict zone_verdict; /* domains: the verdict of their zone's row (benign if none) */
	bool via_zone;             /* the verdict came from the zone (the name alone said less) */
	bool zone_anchored;        /* zone rows: flux with fewer names than a zone verdict needs,
	                            * through one name flux on its own across many networks, or
	                            * through its names' own rotation */
	uint32_t zone_names;       /* zone rows: names with answers; domains: same for their zone */
	uint32_t zone_flagged;     /* zone rows: of them flagged (suspicious or flux) on their own */
	uint32_t zone_flux;        /* zone rows: of them flux on their own */
	uint32_t zone_no_addr;     /* zone rows: names without addresses (only NXDOMAIN/NODATA
	                            * answers, or NS records alone) flagged on their own evidence
	                            * and rolled up into this row (rolled_up) */
	/* "from 6 responses (4 answer sets) in 41 s from 2 resolvers", at most 127 characters;
	 * shared between equal results (owned by the detector, like the reasons and terms) */
	const char *confidence;

	const struct det_share *top_asns;      /* n_top_asns (at most DET_TOP) entries, NULL if none */
	int n_top_asns;
	const struct det_share *top_countries; /* likewise */
	int n_top_countries;
};

/* Aggregate over the FQDNs of one registrable domain. */
struct det_group {
	const char *registrable;
	uint32_t n_domains;
	uint32_t n_addrs, n_asns;
	double max_score;
	enum det_verdict verdict;  /* the most severe verdict of its domains */
	uint32_t n_flagged;
};

struct det_config {
	const char *weights_path;  /* NULL = the shipped share/detect.conf (see det_share_path) */
	const char *allowlist_path;/* NULL = the shipped share/allowlist.conf */
	bool no_default_allowlist; /* tests: load only `allowlists` */
	const char *const *allowlists; int n_allowlists; /* added to the shipped list */
	const char *const *intel;      int n_intel;
};

struct detector;

/* Find a shipped data file (e.g. "detect.conf"): $FLUXSCOPE_SHARE, then share/ and
 * share/fluxscope/ beside the running binary and up to four folders above it. Writes the path
 * into buf and returns buf, or NULL when none exists. */
const char *det_share_path(const char *file, char *buf, size_t len);

/* Caller frees with det_free(). geo may be NULL (prefix diversity is used instead). Bad weights,
 * allowlist or intel files are one error naming the file and line. */
fs_status det_new(const struct det_config *cfg, struct geo *geo, struct detector **out,
                  struct fs_err *err);
void det_free(struct detector *d);

/* Score every domain in the store. Caller holds the store read lock. A detector called again
 * over the same store takes each domain's own features (and time to flag) from its previous
 * run when the domain, its nameservers and its context did not change (store_domain_stamp);
 * the results are the same as a full run's. */
void det_run(struct detector *d, const struct store *s);
/* Keep what a run computed per domain for the next (default on; about 0.7 KB per domain with
 * answers). Off: every run from scratch, nothing kept (a detector run once; tests compare the
 * two). FLUXSCOPE_DET_FULL=1 in the environment turns it off in det_new. */
void det_set_incremental(struct detector *d, bool on);
/* Gives back what the detector keeps only to make a later run cheaper: its copy of every
 * address's enrichment (56 bytes an address) and the per-address agent times. For a detector
 * run once (the report, --export), after det_run; results, groups and zone rows stay, and a
 * later det_run fills them again. */
void det_release_caches(struct detector *d);
/* Gives back the results of the last run (domains, zone rows, groups, the sentences and terms
 * they share) and keeps what makes the next run incremental and its caches: det_count is 0
 * until then. For a front end's spare detector whose results no one reads any more (the
 * TUI's second one once a file has loaded). Caller: the thread that runs the detector. */
void det_drop_results(struct detector *d);

/* The one ranking of results, shared by --report, --export and the TUI's lists: the logit,
 * highest first (the 0..100 score saturates at 100.0 where the logit still separates), then
 * the verdict's severity, then the evidence, most first: answered responses, distinct answer
 * sets, addresses, /24 prefixes, ASNs, NS names; the name only when all of these tie.
 * A qsort comparator over struct det_result. (The detector compares names kept compact by
 * these fields alone, rank_view in src/detect/detect.c: keep both in step.) */
int det_rank_cmp(const void *a, const void *b);

size_t det_count(const struct detector *d);            /* results, in det_rank_cmp order */
/* The i-th result (NULL past the end); kept by the detector until the next run (see above). */
const struct det_result *det_get(const struct detector *d, size_t i);
/* The same result without keeping it: either the detector's own (when it is kept whole) or
 * made in *buf (a name kept compact). Valid while *buf is and until the next run. */
const struct det_result *det_view(const struct detector *d, size_t i, struct det_result *buf);
const struct det_result *det_for_domain(const struct detector *d, store_dom_id dom);
/* det_for_domain without keeping (as det_view). */
const struct det_result *det_view_domain(const struct detector *d, store_dom_id dom,
                                         struct det_result *buf);
/* Term i (0 <= i < r->n_terms) of a result, filled into *out (name and unit static, the
 * weight the model gave it); returns out. */
const struct det_term *det_term_at(const struct det_result *r, int i, struct det_term *out);
/* A term of a result by feature name into *out; NULL (out untouched) if absent. */
const struct det_term *det_term_find(const struct det_result *r, const char *name,
                                     struct det_term *out);

/* Zone rows (is_zone set): every zone with two or more names with answers (or with names
 * without addresses rolled up into it, see rolled_up), in det_rank_cmp order. dom is the zone apex's domain (0 when the apex itself was never seen). */
size_t det_zone_count(const struct detector *d);
const struct det_result *det_zone_get(const struct detector *d, size_t i);
/* The zone row of a zone name, NULL if none. */
const struct det_result *det_zone_find(const struct detector *d, const char *zone);
/* The names of zone row i (det_zone_get order), as det_view indexes in rank order: every
 * result whose zone is that row's; *n receives their number. Borrowed until the next det_run.
 * The first call after a run makes the list of every row (one pass over the results); any
 * thread (a mutex inside). */
const uint32_t *det_zone_members(const struct detector *d, size_t i, size_t *n);

size_t det_group_count(const struct detector *d);      /* sorted by max_score descending */
const struct det_group *det_group_get(const struct detector *d, size_t i);

/* Whether a name is covered by the allowlist (exports refuse such names). */
bool det_is_allowlisted(const struct detector *d, const char *name);
/* Features that could not be computed (e.g. "asn, country") joined by ", ", or "". */
const char *det_unavailable_features(const struct detector *d);
/* Vantage of the last det_run (from store_stats: referrals, glue, AA answers). */
enum det_vantage det_vantage(const struct detector *d);
/* The files in use ("weights share/detect.conf; allowlist share/allowlist.conf (212 entries);
 * intel bad.txt (40 entries)"). Writes into buf and returns it. */
const char *det_describe(const struct detector *d, char *buf, size_t len);

#endif
