/* Detection: features per domain (and per registrable domain), the Holz flux-score, the
 * fluxscope score with its per-term contributions, verdicts and reasons in words, CDN/pool
 * guards, intel feeds and clusters of shared infrastructure.
 *
 * Threads: det_run() reads the store under its read lock (the caller holds it) and may be
 * called again as more data arrives; results are owned by the detector and stay valid until
 * the next det_run() or det_free(). */
#ifndef FLUXSCOPE_DETECT_H
#define FLUXSCOPE_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "fluxscope/enrich.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

enum det_verdict {
	DET_BENIGN = 0,
	DET_CDN,
	DET_POOL,
	DET_SUSPICIOUS,
	DET_SINGLE_FLUX,
	DET_DOUBLE_FLUX,
	DET_VERDICT_COUNT
};
const char *det_verdict_name(enum det_verdict v); /* "single-flux", "cdn", … */
int det_verdict_parse(const char *s);             /* -1 if unknown */
static inline bool det_is_flux(enum det_verdict v)
{
	return v == DET_SINGLE_FLUX || v == DET_DOUBLE_FLUX;
}

/* One term of the model: its feature value and its contribution to the logit. */
struct det_term {
	const char *name;          /* feature name, e.g. "asn_entropy" (static) */
	double value;
	double contribution;
	bool available;            /* false when the data to compute it is missing (no GeoIP…) */
};

struct det_result {
	store_dom_id dom;
	double score;              /* 0..100 */
	double holz_score;         /* 1.32·nA + 18.54·nASN − 142.38 */
	enum det_verdict verdict;
	const char *registrable;   /* eTLD+1 (libpsl), owned by the detector */
	char **reasons;            /* sentences in words and numbers */
	int n_reasons;
	struct det_term *terms;
	int n_terms;
	uint32_t n_addrs, n_asns, n_countries, n_prefixes16, n_prefixes24;
	uint32_t ttl;              /* authoritative TTL estimate (max over RRsets) */
	uint32_t ttl_min;
	uint32_t n_rrset_changes;
	uint32_t n_ns_changes;
	uint32_t cluster;          /* 0 = none */
	bool intel_hit;
};

struct det_config {
	const char *weights_path;  /* NULL = shipped default file (or built-in defaults) */
	const char *const *allowlists; int n_allowlists; /* added to the shipped list */
	const char *const *intel;      int n_intel;
};

struct detector;

/* Caller frees with det_free(). geo may be NULL (prefix diversity is used instead). */
fs_status det_new(const struct det_config *cfg, struct geo *geo, struct detector **out,
                  struct fs_err *err);
void det_free(struct detector *d);

/* Score every domain in the store. Caller holds the store read lock. */
void det_run(struct detector *d, const struct store *s);

size_t det_count(const struct detector *d);            /* results, any order */
const struct det_result *det_get(const struct detector *d, size_t i);
const struct det_result *det_for_domain(const struct detector *d, store_dom_id dom);
/* Whether a name is covered by the allowlist (exports refuse such names). */
bool det_is_allowlisted(const struct detector *d, const char *name);
/* Features that could not be computed (e.g. "asn", "country") joined by ", ", or "". */
const char *det_unavailable_features(const struct detector *d);

#endif
