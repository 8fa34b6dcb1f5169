/* Detector internals: the feature code works on plain arrays (det_input) so it can be unit
 * tested without a store; detect.c turns store records into these arrays. */
#ifndef FLUXSCOPE_DETECT_INT_H
#define FLUXSCOPE_DETECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "fluxscope/detect.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"
#include "util/map.h"

#include "fluxscope/decode.h"   /* dns_psl_*: the Public Suffix List */

/* ---- helpers (util.c); the maps are util's u64 map (util/map.h: struct fs_map) -------------- */

/* Shannon entropy in bits of a distribution given by counts. */
double det_entropy(const uint32_t *counts, size_t n);
/* Entropy divided by log2(total): 1 when every item is in its own bucket; 0 for total < 2. */
double det_entropy_norm(const uint32_t *counts, size_t n, uint32_t total);
/* Holz et al., NDSS 2008: 1.32·nA + 18.54·nASN − 142.38 (flux when > 0). */
double det_holz(uint32_t n_a, uint32_t n_asn);
/* (nASN−1)/(nA−1); 0 when nA < 2. */
double det_as_fraction(uint32_t n_a, uint32_t n_asn);
/* Jaccard distance 1 − |A∩B|/|A∪B| of two ascending id arrays (0 for two empty sets). */
double det_jaccard_distance(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb);
/* Whether two ascending id arrays share no member. */
bool det_disjoint(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb);
/* Prefix key: level 16 = IPv4 /16 or IPv6 /32, level 24 = IPv4 /24 or IPv6 /48. */
uint64_t det_prefix_key(const fs_addr *a, int level);
/* Great-circle distance in km (haversine, mean Earth radius 6371 km). */
double det_distance_km(double lat1, double lon1, double lat2, double lon2);
/* Does `name` equal `suffix` or end with "." + suffix? */
bool det_name_has_suffix(const char *name, const char *suffix);
/* "40 min", "3.2 h", "12 s", "2.1 d". */
const char *det_fmt_duration(double seconds, char *buf, size_t len);

/* ---- feature input and output (feature.c) ------------------------------------------------ */

/* An address as the features read it (32 bytes: the detector keeps one per store address). The
 * number and country are here, read for every address; the AS name and the location are read
 * through geo, the enrichment cache's entry, which is not copied (NULL: nothing known). */
struct det_addr_info {
	fs_addr addr;
	char cc[2];                /* ISO 3166 code, not terminated; cc[0] == '\0': unknown */
	bool has_loc;              /* geo has a location (here: read for every address) */
	uint32_t asn;              /* 0 = unknown */
	const struct geo_info *geo; /* borrowed from the cache until it is emptied (det_run
	                             * notices, geo_cache_generation) */
};

/* One response that carried addresses, in time order. */
struct det_obs {
	fs_time ts;
	const uint32_t *addrs;     /* ascending address ids */
	uint32_t n_addrs;
	uint32_t ttl;              /* largest TTL of its address records */
	uint32_t seq;              /* answers compare within one sequence (resolver × qtype) */
	uint32_t set;              /* equal non-zero ids mean equal sets */
	uint32_t resolver;         /* the answering server (0 = unknown): per-vantage spread */
};

/* One NS-set observation of the domain's zone. */
struct det_ns_obs {
	fs_time ts;
	const uint32_t *names;     /* ascending NS name ids */
	uint32_t n_names;
	uint32_t ttl;
};

/* One address of one NS name (glue or answer), with when it was first seen. */
struct det_ns_addr {
	uint32_t name;
	uint32_t addr;
	fs_time first_seen;
	uint32_t ttl;
};

struct det_input {
	const struct det_obs *obs;
	uint32_t n_obs;
	const struct det_ns_obs *ns;
	uint32_t n_ns;
	const struct det_ns_addr *nsaddr;
	uint32_t n_nsaddr;
	/* Address id → what is known about it; never NULL. */
	const struct det_addr_info *(*info)(void *ctx, uint32_t addr);
	/* Is addr a flux agent (answer of another flagged domain) known by time `until`? May be NULL. */
	bool (*is_agent)(void *ctx, uint32_t addr, fs_time until);
	void *ctx;
	bool have_asn, have_country, have_geo;
};

enum { DET_W_10M, DET_W_1H, DET_W_24H, DET_N_WINDOWS };
_Static_assert(DET_N_WINDOWS == DET_WINDOWS, "window count");
extern const int det_window_seconds[DET_N_WINDOWS];
extern const char *const det_window_names[DET_N_WINDOWS];

struct det_count {
	uint32_t asn;
	char cc[3];
	const char *label;
	uint32_t n;
};

struct det_feat {
	uint32_t n_obs;            /* responses considered */
	uint32_t n_fresh;          /* of them, answers that were (re)fetched: see feature.c */
	uint32_t n_sets;           /* distinct answer sets */
	fs_time first, last;
	double span_s;
	uint32_t periods;          /* distinct TTL periods with answers */

	uint32_t n_addrs, n_v6;
	uint32_t max_per_resp;
	double mean_per_resp;      /* over fresh answers */
	uint32_t n_asn_known;      /* addresses with a known ASN */
	uint32_t n_asns;
	double as_fraction, asn_entropy;
	uint32_t n_p16, n_p24;     /* distinct prefixes, both families */
	uint32_t n_p16_fam, n_p24_fam;     /* the larger of the per-family counts */
	double p16_entropy, p24_entropy;   /* normalised per family, address-weighted mean */
	uint32_t n_cc_known, n_countries;
	double country_entropy;
	uint32_t n_located;
	double max_km;             /* -1 when fewer than two located addresses */
	/* Spread as each resolver saw it: GeoDNS (CDNs, pools) hands every region nearby
	 * addresses, flux hands everyone addresses from anywhere. */
	uint32_t n_resolvers;
	double local_km;           /* median over resolvers of their greatest distance, -1 = n/a */
	double local_p16_entropy;  /* address-weighted mean of per-resolver /16 entropy, -1 = n/a */

	uint32_t ttl, ttl_min, n_ttls;

	uint32_t comparisons, changes;
	double change_frac, changes_per_hour, jaccard;
	double replace_s;          /* median time to replace a whole set, -1 = never seen */
	double replace_ttls;       /* replace_s / ttl, -1 = never */
	double novelty;            /* new addresses among later fresh answers (any resolver) */
	double novelty_late;       /* per resolver, second half of its later answers */
	uint32_t n_later;          /* fresh answers that were not a resolver's first */
	uint32_t n_seq_addrs;      /* distinct (resolver, address) pairs */
	double mean_sightings;     /* fresh address slots per (resolver, address) pair */
	double growth;             /* new addresses per further TTL period with answers */
	uint32_t first_sizes;      /* addresses in the first fresh answer of each family */
	/* Breadth of one answer (Holz et al. separate flux from CDNs with one lookup): the fresh
	 * answer with the most distinct networks (ASNs where known, else /16 or IPv6 /32) and
	 * how many addresses it held. */
	uint32_t breadth_nets, breadth_addrs;
	bool breadth_asn;          /* networks counted by ASN (else by prefix) */
	/* Of the lookups (an answer with the same resolver's other-family answer, see feature.c)
	 * whose every address has an ASN of its own and a known country, the one across the most
	 * countries: its addresses and countries (0 = none). */
	uint32_t scatter_addrs, scatter_ccs;

	uint32_t win_addrs[DET_N_WINDOWS], win_asns[DET_N_WINDOWS];

	/* Holz et al. as published: first lookup ∪ first lookup at least one TTL later. */
	uint32_t holz_na, holz_nasn;
	bool holz_two_lookups;

	/* nameserver layer */
	bool have_ns;
	uint32_t n_ns_obs, n_ns_names, n_ns_changes, ns_ttl;
	uint32_t n_ns_addrs, n_ns_asns, n_ns_p16;
	double ns_addrs_per_name;
	uint32_t ns_glue_ttl;      /* smallest TTL of an NS name's address, 0 = unknown */
	uint32_t n_ns_agents;      /* NS addresses that are flux agents */
	double ns_overlap;         /* n_ns_agents / n_ns_addrs */

	struct det_count top_asn[DET_TOP];
	int n_top_asn;
	struct det_count top_cc[DET_TOP];
	int n_top_cc;
};

/* Reusable scratch memory for det_features (one per detector; one thread). */
struct det_scratch;
struct det_scratch *det_scratch_new(void);
void det_scratch_free(struct det_scratch *sc);

/* 64-bit keys in ascending order (qsort's result for them, without a comparator call). */
void det_sort_u64(uint64_t *a, size_t n);
/* Features over the first `upto` observations (all when upto >= n_obs); NS data and agents
 * are limited to what was seen by the time of the last observation considered. */
void det_features(struct det_scratch *sc, const struct det_input *in, uint32_t upto,
                  struct det_feat *f);
/* The features over every observation differ with in->is_agent only in n_ns_agents and
 * ns_overlap: recount those two in f, computed by det_features over the same input (incr.c). */
void det_features_agents(struct det_scratch *sc, const struct det_input *in, struct det_feat *f);

/* ---- weights file (weights.c) ------------------------------------------------------------ */

/* The model's terms, in weights-file order. */
#define DET_TERMS(X)                                                                        \
	X(addr_count, "addresses")                                                               \
	X(addrs_per_response, "addresses")                                                        \
	X(asn_count, "ASNs")                                                                      \
	X(as_fraction, "ratio")                                                                   \
	X(asn_entropy, "bits")                                                                    \
	X(prefix16_count, "prefixes")                                                             \
	X(prefix16_entropy, "normalised")                                                         \
	X(prefix24_entropy, "normalised")                                                         \
	X(country_count, "countries")                                                             \
	X(country_entropy, "bits")                                                                \
	X(geo_spread, "km")                                                                       \
	X(ttl_low, "s")                                                                           \
	X(ttl_distinct, "TTLs")                                                                   \
	X(change_fraction, "ratio")                                                               \
	X(change_rate, "per hour")                                                                \
	X(jaccard, "distance")                                                                    \
	X(replace_speed, "TTL periods")                                                           \
	X(novelty, "ratio")                                                                       \
	X(addr_growth, "per TTL period")                                                          \
	X(ns_churn, "changes")                                                                    \
	X(ns_ttl_low, "s")                                                                        \
	X(ns_addr_count, "addresses")                                                             \
	X(ns_asn_count, "ASNs")                                                                   \
	X(ns_agent_overlap, "ratio")                                                              \
	X(ns_addr_ttl_low, "s")                                                                   \
	X(shared_flux, "domains")                                                                 \
	X(intel, "hits")

enum det_term_id {
#define X(id, unit) DET_T_##id,
	DET_TERMS(X)
#undef X
	DET_N_TERMS
};
extern const char *const det_term_names[DET_N_TERMS];
extern const char *const det_term_units[DET_N_TERMS];

/* A result's terms: the weights the model used (the detector's w_used row: with ASN data or
 * without), which terms were available, and each one's raw and transformed value. The
 * contribution is weight·value (0 when unavailable), the same product the model took. No
 * padding: equal vectors are equal bytes (share.c keeps each once). */
struct det_terms {
	const double *weight;      /* DET_N_TERMS; lives as long as the detector */
	uint32_t avail;            /* bit t: term t available */
	uint32_t zero;             /* always 0 */
	double raw[DET_N_TERMS];
	double value[DET_N_TERMS];
};
_Static_assert(DET_N_TERMS <= 32, "det_terms.avail holds one bit a term");

struct det_weights {
	double bias;
	double w[DET_N_TERMS];
	double w_noasn[DET_N_TERMS]; /* used when ASN data is missing (NaN = same as w) */
	double ns_bias;            /* nameserver-layer sub-score (double flux) */
	double ns_w[DET_N_TERMS];  /* only the ns_* terms are used */
	/* thresholds (documented in share/detect.conf and docs/detection.md) */
	double flux_score;         /* flux needs score >= this */
	double suspicious_score;
	double double_flux_ns_score;
	double breadth_nets;       /* flux from one answer: at least this many networks … */
	double breadth_addrs;      /* … among at least this many addresses */
	double wide_networks;      /* wide spread: at least this many networks … */
	double wide_share;         /* … and at least this many per address … */
	double wide_score;         /* … lets rotation or a broad answer be flux from this score */
	double scatter_addrs;      /* scattered lookup: this many addresses, each in an ASN of its
	                            * own, across spread_countries … */
	double scatter_max_ttl;    /* … with a TTL of at most this (s) */
	double rotation_networks;  /* rotation across countries: ASNs (/16s without ASN data) … */
	double spread_countries;   /* … and countries (both rules) */
	double zone_min_names;     /* zone verdicts: sibling names with answers */
	double zone_max_stable;    /* share of re-asked siblings whose answer never changed */
	double zone_min_networks;  /* zone flux: ASNs (/16s without ASN data) across its names */
	double zone_min_entropy;   /* … and normalised /16 entropy at least this */
	double zone_min_countries; /* … and this many countries when countries are known */
	double zone_anchor_networks;  /* a zone with fewer names: one of them flux on its own
	                               * across this many ASNs (/16s without ASN data) … */
	double zone_anchor_countries; /* … and this many countries (when countries are known) */
	double provider_customers; /* CNAME provider zone: unrelated registrable domains */
	double provider_max_asns;  /* … and its answers in at most this many ASNs (/16s w/o ASN) */
	double pool_siblings;      /* pool zone: scoped sibling names (numbered, country, vendor) */
	double pool_country_share; /* a country-scoped sibling: share of addresses in its country */
	double pool_recur_share;   /* addresses shared by two or more siblings */
	double min_flux_addrs;     /* distinct addresses for a flux verdict */
	double min_flux_spread;    /* distinct ASNs (or /16 prefixes without ASN data) */
	double pool_min_answers;   /* bounded-pool guard */
	double pool_max_novelty;
	double pool_min_sightings;
	double cdn_asn_share;      /* share of addresses in listed CDN/cloud ASNs */
	double cdn_max_p16_entropy;
	double cdn_max_novelty;
	double cdn_shared_sign;    /* addresses shared with allowlisted CDN names: a second sign */
	double cdn_shared_alone;   /* … or enough on its own */
	double cdn_max_local_km;   /* per-resolver spread at most this: a second sign */
	double pool_max_addrs;     /* bounded-pool guard: at most this many distinct addresses */
	double cluster_min_shared; /* shared addresses/NS names to link two flagged domains */
	double cluster_min_score;  /* domains below this are not clustered */
};

/* The compiled-in defaults (identical to share/detect.conf; a test checks it). */
void det_weights_default(struct det_weights *w);
/* Parse a weights file over the defaults. Errors name the file and line. */
fs_status det_weights_load(struct det_weights *w, const char *path, struct fs_err *err);
fs_status det_weights_parse(struct det_weights *w, const char *text, const char *fname,
                            struct fs_err *err);

/* Read a whole text file (what = "weights file"…); NULL with err naming it on failure. */
char *det_read_file(const char *path, const char *what, struct fs_err *err);

/* Lower-case a hostname in place, drop a leading "*." or "." and a trailing dot; false if
 * it is not a host name. */
bool det_normalise_name(char *s);

/* ---- allowlist (allow.c) ------------------------------------------------------------------ */

enum det_allow_kind {
	DET_ALLOW_CDN,             /* CDN / cloud hostname suffix: verdict cdn */
	DET_ALLOW_POOL,            /* volunteer or round-robin pool suffix: verdict pool */
	DET_ALLOW_DOMAIN,          /* the organisation's own or known-good: verdict benign */
	DET_ALLOW_CDN_ASN,         /* CDN network (used with a second sign, never alone) */
	DET_ALLOW_CLOUD_ASN        /* cloud network (same) */
};

struct det_allow_entry {
	enum det_allow_kind kind;
	char *value;               /* suffix (lower case) or decimal ASN */
	uint32_t asn;
	char *label;               /* operator, e.g. "Akamai" */
	char *where;               /* "file:line" */
};

struct det_allow {
	struct det_allow_entry *e;
	size_t n, cap;
	struct fs_map names;      /* hash(name) → entry index + 1 */
	struct fs_map asns;       /* asn → entry index + 1 */
};

void det_allow_init(struct det_allow *a);
void det_allow_fini(struct det_allow *a);
fs_status det_allow_load(struct det_allow *a, const char *path, struct fs_err *err);
fs_status det_allow_parse(struct det_allow *a, const char *text, const char *fname,
                          struct fs_err *err);
/* Entry covering name (the name or a parent), NULL if none. */
const struct det_allow_entry *det_allow_match_name(const struct det_allow *a, const char *name);
const struct det_allow_entry *det_allow_match_asn(const struct det_allow *a, uint32_t asn);

/* ---- intel feeds (intel.c) ---------------------------------------------------------------- */

struct det_intel_cidr {
	fs_addr net;               /* masked; a single address is a /32 or /128 */
	uint8_t len;
	uint32_t feed;
};

struct det_intel_name {
	char *name;
	uint32_t feed;
};

struct det_intel {
	char **feeds;              /* feed names (file base names) */
	uint32_t n_feeds;
	struct det_intel_name *names;
	size_t n_names, cap_names;
	struct fs_map name_idx;   /* hash(name) → index + 1 */
	struct det_intel_cidr *cidrs;
	size_t n_cidrs, cap_cidrs;
	struct fs_map cidr_idx;   /* hash(masked address, length) → index + 1 */
	uint8_t v4_lens[33], v6_lens[129]; /* which prefix lengths occur */
	struct fs_map asn_idx;    /* (1 << 40) | ASN → feed + 1 (ASN lists such as ASN-DROP) */
	size_t n_asns;
	size_t n_entries, n_skipped;
};

void det_intel_init(struct det_intel *t);
void det_intel_fini(struct det_intel *t);
fs_status det_intel_load(struct det_intel *t, const char *path, struct fs_err *err);
/* Parse one feed from memory; fname names it in errors and reasons. */
fs_status det_intel_parse(struct det_intel *t, const char *text, const char *fname,
                          struct fs_err *err);
/* Feed name for a name (or a parent), NULL if none; *matched receives the listed name. */
const char *det_intel_match_name(const struct det_intel *t, const char *name,
                                 const char **matched);
const char *det_intel_match_addr(const struct det_intel *t, const fs_addr *a);
/* Feed name listing this ASN, NULL if none (asn 0 = unknown never matches). */
const char *det_intel_match_asn(const struct det_intel *t, uint32_t asn);

/* ---- model (model.c) ---------------------------------------------------------------------- */

struct det_context {               /* per-domain facts the features do not carry */
	const char *name;
	bool has_cname;
	const char *cname_last;        /* end of the CNAME chain, NULL = none */
	const struct det_allow_entry *allow;   /* name/CNAME allowlist entry, NULL = none */
	const char *allow_via;         /* the name that matched it */
	bool is_cname_target;          /* the name is reached through other names' CNAMEs */
	double cdn_asn_share;          /* share of addresses in listed CDN/cloud ASNs */
	double cdn_shared_share;       /* share of addresses in /24s (/48s) that also answer
	                                * allowlisted CDN names */
	const char *cdn_asn_label;     /* most common such operator */
	const char *intel_feed;        /* NULL = no hit */
	const char *intel_what;        /* "domain evil.example", "address 192.0.2.1" */
	double intel_asn_share;        /* share of addresses in ASNs an intel feed lists */
	uint32_t shared_flux;          /* flagged domains sharing addresses or NS names */
	/* behavioural guards (detect.c fills them from the whole capture) */
	const char *provider_zone;     /* CNAME target zone many unrelated domains point into */
	uint32_t provider_customers;   /* … how many registrable domains point into it */
	double provider_shared;        /* share of addresses also answering other names there */
	const char *pool_zone;         /* zone whose scoped siblings draw from one population */
	const char *pool_sign;         /* what showed it ("de.x answers from DE", …) */
	bool pool_member;              /* the name is one of those scoped siblings */
	/* the name's responses of any rcode (for "no addresses" in the reasons; 0 for zone rows) */
	uint32_t n_all_resp, n_nxdomain, n_nodata, n_referral; /* n_referral: only without addresses */
	bool zone;                     /* a zone row: its names' answers as one timeline, where
	                                * siblings' different answers are no one name's rotation
	                                * and no one lookup (the scatter rules do not apply) */
};

struct det_eval {
	bool noasn;                    /* the weights without ASN data were used (w_noasn) */
	double logit, score;
	double ns_logit, ns_score;
	struct det_term terms[DET_N_TERMS];
	enum det_verdict verdict;
	const char *guard;             /* static text or allowlist label */
	bool allowlisted;
	bool flux_evidence;            /* score and evidence would make it flux (before guards) */
	bool rotation;                 /* later answers differ and bring new addresses */
	bool breadth;                  /* one answer broad enough on its own */
	bool wide;                     /* (nearly) every address in a network of its own */
	bool scatter;                  /* one lookup: every address its own ASN and country */
	bool rot_spread;               /* rotation across several networks and countries */
	bool hostile_rot;              /* rotation or breadth inside networks an intel feed lists */
	bool one_network;              /* every address in one ASN in one country */
};

/* Terms, scores and verdict for one domain. Pure. */
void det_model_eval(const struct det_weights *w, const struct det_feat *f,
                    const struct det_context *cx, struct det_eval *ev);
/* How much evidence there is, in words: "from 6 responses (4 answer sets) in 41 s from 2
 * resolvers". Writes into buf and returns it. */
const char *det_model_confidence(const struct det_feat *f, char *buf, size_t len);
/* Reasons in words and numbers for an evaluation; returns the count (caller frees each and
 * the array). */
int det_model_reasons(const struct det_weights *w, const struct det_feat *f,
                      const struct det_context *cx, const struct det_eval *ev, char ***out);

/* ---- union-find (util.c) --------------------------------------------------------------- */
struct det_uf {
	uint32_t *parent, *rank;
	uint32_t n;
};
void det_uf_init(struct det_uf *u, uint32_t n);
void det_uf_fini(struct det_uf *u);
uint32_t det_uf_find(struct det_uf *u, uint32_t x);
void det_uf_union(struct det_uf *u, uint32_t a, uint32_t b);

struct det_zone_sign {
	const char *zone;
	char sign[96];
};

/* ---- the detector's state (detect.c, zone.c) --------------------------------------------- */

#define SHARED_MAX_DEGREE 1000 /* addresses or NS names used by more domains are not evidence */

struct dom_state {                  /* per domain (2 bytes for every domain, a flood's names
	                                 * too; two bytes, not bits of one: pass 2 writes one
	                                 * domain's `answers` while other workers read `flagged`) */
	bool flagged;                   /* pass 1's verdict was suspicious or flux */
	uint8_t answers;                /* pass 2: DOM_COMPARED (refetched answers compared),
	                                 * DOM_CHANGED (and some changed) */
};
#define DOM_COMPARED 0x01
#define DOM_CHANGED 0x02

struct detector {
	struct det_weights w;
	double (*w_used)[DET_N_TERMS]; /* [0]: w, [1]: w_noasn (NaN resolved to w); heap, shared
	                                * by the workers' copies, pointed to by struct det_terms */
	char *weights_src;
	struct det_allow allow;
	char *allow_src;
	bool have_allow;
	struct det_intel intel;
	char **intel_src;
	int n_intel_src;
	struct geo *geo;
	struct dns_psl *psl;
	struct det_scratch *sc;

	/* address info cache, indexed by store_addr_id */
	struct det_addr_info *ainfo;
	uint8_t *ainfo_ok;
	size_t cap_ainfo;
	uint32_t ainfo_epoch;       /* store_epoch() the cache was filled under */
	uint64_t ainfo_geo_gen;     /* geo_cache_generation() likewise (its entries are pointed to) */
	const struct store *s;      /* during det_run */

	/* per-domain input buffers */
	struct det_obs *obs;
	size_t cap_obs;
	struct det_ns_obs *nso;
	size_t cap_nso;
	struct det_ns_addr *nsa;
	size_t cap_nsa;
	struct fs_map tmp;

	/* run state */
	struct dom_state *st;       /* indexed by store_dom_id */
	size_t cap_st;
	fs_time *agent_since;       /* indexed by store_addr_id: first time seen for a flagged domain */
	size_t cap_agent;
	struct fs_map cdn_prefix;  /* /24 (IPv6 /48) prefixes that answer allowlisted CDN names */
	struct fs_map cdn_net;     /* /16 (IPv6 /32) prefixes likewise: the networks of CDN names,
	                             * standing in for CDN ASNs when there is no ASN data */

	/* per domain (indexed by store_dom_id), filled before pass 1 (zone.c): where in the
	 * domain's name (both are suffixes of it, so 2 bytes each instead of a pointer) its
	 * registrable domain (libpsl) and its zone (the deepest of the registrable domain and the
	 * NS cut) start; DET_NO_SUFFIX for a free slot. det_reg and det_zname give the strings. */
	uint16_t *reg_at, *zone_at;
	size_t cap_dom;
	/* and for the few domains that have one (maps keyed by store_dom_id: a flood's names
	 * have none, and a map costs them nothing; zone.c: dom_prov, dom_pool) */
	struct fs_map prov;         /* → index into prov_tab + 1: the provider zone its CNAME chain
	                             * ends in (or it lies in) */
	const char **prov_tab;
	size_t n_prov_tab, cap_prov_tab;
	struct fs_map pool_member;  /* → index into pool_signs + 1: scoped sibling of a pool */
	struct fs_map prov_count;  /* provider zone hash → unrelated registrable domains */
	struct fs_map pool_zone;   /* pool base hash → index into pool_signs + 1 */
	struct det_zone_sign *pool_signs;
	size_t n_pool_signs, cap_pool_signs;

	/* results: n_res of them, d->res holding the full ones (n_full) and d->cmp the names kept
	 * compact (see det_compacts); order[i] is the code (det_code_res) of the result at rank i,
	 * and during det_run, before run_index sorts it, of the j-th domain of d->ids */
	struct det_result *res;
	size_t n_res, n_full, cap_res;
	uint32_t *order;
	size_t cap_order;
	struct det_compacts *cmp;
	bool keep_all;              /* tests: every result kept whole (no name compact) */
	uint32_t *by_dom;           /* store_dom_id → rank index + 1 */
	size_t cap_by_dom;
	struct det_group *groups;
	size_t n_groups;
	struct det_result *zres;    /* zone rows */
	size_t n_zres, cap_zres;
	struct det_terms *zterm_pool;  /* one per zone row */
	size_t cap_zterms;
	struct fs_map zone_idx;    /* hash(zone name) → index into zres + 1 */
	struct det_zone_members *zmem; /* det_zone_members: made on first use after a run */

	enum det_vantage vantage;
	char unavailable[160];
	bool run_have_asn, run_have_cc, run_have_geo, run_have_ns;

	/* Sharded passes (det_run): threads to use, and on a worker's copy of the detector
	 * (its own scratch, input buffers and tmp map; everything else shared, read-only) */
	int threads;
	struct det_shared *share;    /* the domain results' terms and reasons (all workers') */
	store_dom_id *ids;          /* the domains of the run, in id order */
	size_t n_ids, cap_ids;
	bool worker;                /* a worker's copy: the address cache is filled, never grown */
	char intel_what[320];       /* the intel match's description, per worker */

	/* Incremental detection (incr.c): each domain's own features and time to flag, kept with
	 * what they were computed from, indexed by store_dom_id (NULL = none kept) */
	struct det_incr **inc;
	size_t cap_inc;
	bool incr_off;              /* det_set_incremental(false) or FLUXSCOPE_DET_FULL=1 */
	uint32_t run_no;            /* det_run calls so far */
	uint64_t incr_cdn_fp;       /* fingerprint of cdn_prefix and cdn_net this run */
};

/* ---- incremental detection (incr.c) ---------------------------------------------------------
 * A domain's features over its whole timeline (pass 1) depend only on its own record (its
 * store_domain_stamp) and on the nameserver part of its input (fingerprinted); its time to
 * flag also on its context and on which of its NS addresses are agents (both fingerprinted).
 * What did not change since the previous run is taken from there; output is the same as a full
 * recomputation's (tests/unit/detect/test_incr.c). */
/* Serial, before the passes: the table sized for the store, entries of freed domains gone. */
void det_incr_prepare(struct detector *d, const struct store *s, size_t nd);
void det_incr_free(struct detector *d);
/* Pass 1: det_features(in, all) of domain id, kept or computed (and kept). */
void det_incr_features(struct detector *d, const struct store *s, store_dom_id id,
                       const struct det_input *in, struct det_feat *f);
/* Pass 2: the same with in->is_agent set (pass 1's, with the agents recounted). */
void det_incr_features_agents(struct detector *d, store_dom_id id, const struct det_input *in,
                              struct det_feat *f);
/* Pass 2, time to flag: true when r's first_flagged*, first_flux* were filled from the
 * previous run (same domain data, context and agents); else false, and det_incr_ttf_put keeps
 * what the caller then computes. */
bool det_incr_ttf_get(struct detector *d, store_dom_id id, const struct det_input *in,
                      const struct det_context *cx, enum det_verdict v, struct det_result *r);
void det_incr_ttf_put(struct detector *d, store_dom_id id, const struct det_result *r);
/* Pass 1, after det_incr_features: the context build_context made for the domain in an earlier
 * run when nothing it reads changed (true), or false: the caller builds it and hands it to
 * det_incr_context_put. */
bool det_incr_context_get(struct detector *d, const struct store *s, store_dom_id id,
                          struct det_context *cx);
void det_incr_context_put(struct detector *d, const struct store *s, store_dom_id id,
                          const struct det_context *cx);
/* Pass 2: true when the domain's features and context are pass 1's of this run (it has no NS
 * addresses, which agents would change): *f and *cx filled, no input needed (but for the time
 * to flag, when det_incr_ttf_get, which then takes in = NULL, has none kept). */
bool det_incr_pass2_kept(struct detector *d, store_dom_id id, struct det_feat *f,
                         struct det_context *cx);
/* After a run: the domains whose features it kept, and in *reused how many of them it took
 * from the run before (tests, benchmarks). */
size_t det_incr_count(const struct detector *d, size_t *reused);


/* ---- compact results (detect.c: compact_*) -----------------------------------------------------
 * A name that never had an address (no answer with addresses, no address or NS record of its
 * own: a random-subdomain flood's names) keeps no det_result of its own. Its result is a
 * template, kept once for every such name whose result differs only in dom, name, first and
 * last seen, rank and cluster, and these 32 bytes; det_get/det_for_domain make the full
 * det_result on demand (materialised, kept until the next run), det_view into the caller's
 * buffer. Templates are made in pass 2 (any worker: a mutex inside) and changed afterwards only
 * as a whole (zone roll-up, det_zone_run: once per template). */
#define DET_CODE_COMPACT 0x80000000u   /* order[] code: a compact name's index, else d->res's */
struct det_compact {
	const char *name;           /* interned in the store */
	fs_time first_seen, last_seen;
	store_dom_id dom;
	uint32_t tmpl;              /* index into det_compacts.tmpl */
};
/* Each zone row's names, in rank order (det_zone_members): one pass over the results on the
 * first call after a run, under its own mutex since readers share the detector. */
struct det_zone_members {
	pthread_mutex_t mu;
	bool built;
	uint32_t *start;            /* n_zres + 1 offsets into idx */
	uint32_t *idx;              /* det_view indexes */
};

struct det_compacts {
	pthread_mutex_t mu;         /* templates (pass 2) and materialised results (det_get) */
	struct det_compact *c;
	size_t n, cap;
	struct det_result *tmpl;    /* owned: each template's reasons array (sentences shared) */
	size_t n_tmpl, cap_tmpl;
	struct fs_map tmpl_idx;     /* hash of a template → index + 1 (chained through hash + k) */
	uint8_t *visited;           /* det_slot_res: templates handed out once */
	size_t cap_visited;
	struct fs_map cluster;      /* compact index → cluster; | 1 << 40 → cluster size */
	struct det_result **mat;    /* materialised results, in chunks that never move */
	size_t n_mat, n_mat_chunks;
	struct fs_map mat_idx;      /* rank index → materialised index + 1 */
};
/* A worker's copy of the detector for a thread of a sharded step: the address cache and the
 * results are only read through it, its scratch, input buffers and map are its own;
 * det_worker_fini or-s its feature flags back into d and frees what it made. */
void det_worker_init(const struct detector *d, struct detector *w);
/* fn on each of n items (item i at base + i * size): items 1..n-1 on threads of their own,
 * item 0 on the calling thread, then joins them. A thread that cannot start leaves its item
 * and the ones after it unrun: the items share one work counter, so the others do that work. */
void det_run_workers(void *(*fn)(void *), void *base, size_t size, int n);
void det_worker_fini(struct detector *d, struct detector *w);

#define DET_NO_SUFFIX UINT16_MAX   /* names are at most 1,024 bytes */
/* A domain's registrable domain and zone, as suffixes of its name (the store's string of it),
 * or NULL when it has none (id 0, a free slot). */
static inline const char *
det_reg(const struct detector *d, store_dom_id id, const char *name)
{
	return id < d->cap_dom && d->reg_at[id] != DET_NO_SUFFIX ? name + d->reg_at[id] : NULL;
}
static inline const char *
det_zname(const struct detector *d, store_dom_id id, const char *name)
{
	return id < d->cap_dom && d->zone_at[id] != DET_NO_SUFFIX ? name + d->zone_at[id] : NULL;
}
/* The result of a code: the full result, or a compact name's template (shared by names: its
 * dom, name, seen times, rank and cluster are not the name's). */
static inline struct det_result *
det_code_res(const struct detector *d, uint32_t code)
{
	return (code & DET_CODE_COMPACT) ? &d->cmp->tmpl[d->cmp->c[code & ~DET_CODE_COMPACT].tmpl]
	                                 : &d->res[code];
}
static inline store_dom_id
det_code_dom(const struct detector *d, uint32_t code)
{
	return (code & DET_CODE_COMPACT) ? d->cmp->c[code & ~DET_CODE_COMPACT].dom : d->res[code].dom;
}
/* During det_zone_run (slots in id order, before run_index): the j-th domain's result to
 * change, or NULL for a compact name whose template an earlier slot already handed out
 * (det_slot_reset starts a walk). */
void det_slot_reset(struct detector *d);
struct det_result *det_slot_once(struct detector *d, size_t j);

/* ---- shared result parts (share.c) --------------------------------------------------------------
 * Domain results of one run point into these: equal term vectors and equal reason sentences
 * are kept once. Any thread (a mutex inside); valid until det_share_clear (next run). */
struct det_shared {
	pthread_mutex_t mu;
	struct fs_map term_idx;     /* hash of a term vector → index + 1 */
	struct det_terms **chunks;  /* term vectors, in chunks that never move */
	size_t n_chunks, n_terms;
	struct fs_map str_idx;      /* hash of a sentence → index + 1 into strs */
	char **strs;                /* owned */
	size_t n_strs, cap_strs;
	uint8_t **blocks;           /* det_share_alloc's */
	size_t n_blocks, block_used;
};
void det_share_init(struct det_shared *sh);
void det_share_fini(struct det_shared *sh);
void det_share_clear(struct det_shared *sh);
/* The shared copy of a term vector (copied in when new). */
const struct det_terms *det_share_terms(struct det_shared *sh, const struct det_terms *t);
/* The shared copy of a malloc'd sentence: takes s (freed when an equal one is already kept). */
char *det_share_str(struct det_shared *sh, char *s);
/* n bytes (8-aligned) that live as long as the shared parts. */
void *det_share_alloc(struct det_shared *sh, size_t n);

/* ---- zones and behavioural guards (zone.c) ---------------------------------------------------- */

/* Before pass 1: registrable domain and zone of every domain, CNAME provider zones and pool
 * zones. Caller holds the store read lock. */
void det_zone_prepare(struct detector *d, const struct store *s);
/* Fill the guard fields of a domain's context. */
void det_zone_context(struct detector *d, const struct store *s, store_dom_id id,
                      struct det_context *cx);
/* After pass 2 (results filled, not yet sorted): zone rows, and flux zones' verdicts handed
 * to their member names. */
void det_zone_run(struct detector *d, const struct store *s);
void det_zone_free(struct detector *d);
/* A vector given back: its memory freed, the pointer and its capacity zeroed. */
#define DET_FREE_VEC(p, cap) (free(p), (p) = NULL, (cap) = 0)
/* The zone rows of the last run given back (det_drop_results). */
void det_zone_drop_rows(struct detector *d);

/* detect.c helpers used by zone.c */
const struct det_addr_info *det_addr_info_cb(void *ctx, uint32_t id);
/* Address family of an answer (answers hold one family: A or AAAA): 1 for IPv6, else 0. */
int det_obs_family(const struct det_input *in, const struct det_obs *o);
void det_build_input(struct detector *d, const struct store *s, store_dom_id id,
                     const struct store_domain *dom, struct det_input *in);
void det_fill_result(struct detector *d, const struct store *s, store_dom_id id,
                     const struct store_domain *dom, const struct det_feat *f,
                     const struct det_context *cx, const struct det_eval *ev,
                     struct det_result *r, struct det_terms *terms);
uint32_t det_first_prefix(struct detector *d, const struct det_input *in,
                          const struct det_context *cx, bool flux_only);
bool det_zone_usable(const struct detector *d, const char *zone);
/* qsort comparator: observations by capture time */
int det_cmp_obs_ts(const void *a, const void *b);

#endif
