/* The field table: every field of a domain or zone row, once (model.h). */
#include "fluxscope/model.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/vec.h"

void
model_row_init(struct model_row *row, const struct det_result *r, const struct store_domain *d)
{
	row->r = r;
	row->lists = NULL;
	row->has_store = d != NULL;
	row->n_responses = d != NULL ? d->n_responses : r->n_responses;
	row->n_nxdomain = d != NULL ? d->n_nxdomain : 0;
	row->marked = d != NULL && d->user_flags != 0;
}

const char *
model_type_name(enum model_type t)
{
	static const char *const n[] = { "int", "float", "string", "time", "address", "asn",
	                                 "country", "verdict", "bool" };
	return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "?";
}

/* ---- getters ---------------------------------------------------------------------------------- */

#define GETTER(fn, present, expr)                                                         \
	static bool fn(const struct model_row *row, size_t i, struct model_value *v)          \
	{                                                                                     \
		const struct det_result *r = row->r;                                              \
		(void)r;                                                                          \
		if (i != 0 || !(present))                                                         \
			return false;                                                                 \
		v->num = (double)(expr);                                                          \
		return true;                                                                      \
	}
#define SGETTER(fn, expr)                                                                 \
	static bool fn(const struct model_row *row, size_t i, struct model_value *v)          \
	{                                                                                     \
		const struct det_result *r = row->r;                                              \
		(void)r;                                                                          \
		if (i != 0 || (expr) == NULL)                                                     \
			return false;                                                                 \
		v->str = (expr);                                                                  \
		return true;                                                                      \
	}

SGETTER(g_name, r->name)
SGETTER(g_kind, r->is_zone ? "zone" : "domain")
GETTER(g_verdict, true, r->verdict)
GETTER(g_score, true, r->score)
GETTER(g_logit, true, r->logit)
GETTER(g_rank, r->rank != 0, r->rank)
GETTER(g_rolled_up, !r->is_zone, r->rolled_up)
GETTER(g_holz, r->holz_available, r->holz_score)
GETTER(g_holz_all, r->holz_available, r->holz_score_all)
GETTER(g_addrs, true, r->n_addrs)
GETTER(g_addrs6, true, r->n_addrs_v6)
GETTER(g_asns, true, r->n_asns)
GETTER(g_countries, true, r->n_countries)
GETTER(g_p16, true, r->n_prefixes16)
GETTER(g_p24, true, r->n_prefixes24)
GETTER(g_maxans, true, r->max_addrs_per_response)
GETTER(g_ttl, r->n_addrs > 0 || r->ttl > 0, r->ttl)
GETTER(g_minttl, r->n_addrs > 0 || r->ttl_min > 0, r->ttl_min)
GETTER(g_changes, true, r->n_rrset_changes)
GETTER(g_rrsets, true, r->n_rrsets)
GETTER(g_responses, true, row->n_responses)
GETTER(g_answers, true, r->n_responses)
GETTER(g_nxdomain, row->has_store, row->n_nxdomain)
GETTER(g_ttl_periods, true, r->ttl_periods)
GETTER(g_ns, true, r->n_ns_names)
GETTER(g_nsaddrs, true, r->n_ns_addrs)
GETTER(g_nschanges, true, r->n_ns_changes)
GETTER(g_nsttl, r->ns_ttl > 0, r->ns_ttl)
GETTER(g_cluster, true, r->cluster)
GETTER(g_clustersize, true, r->cluster_size)
GETTER(g_shared, true, r->n_shared_flagged)
GETTER(g_distance, r->max_distance_km >= 0, r->max_distance_km)
GETTER(g_intel, true, r->intel_hit)
SGETTER(g_intel_feed, r->intel_feed)
GETTER(g_allow, true, r->allowlisted)
GETTER(g_marked, row->has_store, row->marked)
SGETTER(g_reg, r->registrable)
SGETTER(g_zone, r->zone)
GETTER(g_zone_verdict, !r->is_zone, r->zone_verdict)
GETTER(g_via_zone, !r->is_zone, r->via_zone)
GETTER(g_zone_names, true, r->zone_names)
GETTER(g_first_seen, r->first_seen != 0, r->first_seen)
GETTER(g_last_seen, r->last_seen != 0, r->last_seen)
GETTER(g_first_flagged, r->first_flagged_resp != 0, r->first_flagged)
GETTER(g_first_flagged_resp, true, r->first_flagged_resp)
GETTER(g_first_flux, r->first_flux_resp != 0, r->first_flux)
GETTER(g_first_flux_resp, true, r->first_flux_resp)
SGETTER(g_guard, r->guard)
SGETTER(g_confidence, r->confidence)

static bool
g_reason(const struct model_row *row, size_t i, struct model_value *v)
{
	if (i >= (size_t)row->r->n_reasons)
		return false;
	v->str = row->r->reasons[i];
	return true;
}

/* ASNs and countries: the record's full lists, else the detector's top few. */
static bool
g_asn(const struct model_row *row, size_t i, struct model_value *v)
{
	if (row->lists != NULL && row->lists->n_asns > 0) {
		if (i >= row->lists->n_asns)
			return false;
		v->num = row->lists->asns[i];
		return true;
	}
	if (i >= (size_t)row->r->n_top_asns)
		return false;
	v->num = row->r->top_asns[i].asn;
	return true;
}

static bool
g_country(const struct model_row *row, size_t i, struct model_value *v)
{
	if (row->lists != NULL && row->lists->n_countries > 0) {
		if (i >= row->lists->n_countries)
			return false;
		v->str = row->lists->countries[i];
		return true;
	}
	if (i >= (size_t)row->r->n_top_countries)
		return false;
	v->str = row->r->top_countries[i].country;
	return true;
}

static bool
g_address(const struct model_row *row, size_t i, struct model_value *v)
{
	if (row->lists == NULL || i >= row->lists->n_addrs)
		return false;
	v->addr = row->lists->addrs[i];
	return true;
}

static bool
g_nameserver(const struct model_row *row, size_t i, struct model_value *v)
{
	if (row->lists == NULL || i >= row->lists->n_ns_names)
		return false;
	v->str = row->lists->ns_names[i];
	return true;
}

/* ---- the table -------------------------------------------------------------------------------- */

#define COL(title, w, right, prio) title, w, right, prio
#define NOCOL NULL, 0, false, 9

static const struct model_field fields[] = {
	{ "verdict", NULL, MT_ENUM, NULL, "the verdict: single-flux, double-flux, suspicious, cdn, pool, benign (filter: also flux, flagged)",
	  "the detector's model over the features, then the guards (allowlist, CDN prefixes, pools) and the zone's verdict", "verdict", 0, MF_ZONE,
	  COL("verdict", 11, false, 0), g_verdict, NULL },
	{ "score", NULL, MT_FLOAT, "0..100", "fluxscope score (sorts in the ranking's order, see rank)", "100 x logistic(logit)", "score", 2, MF_ZONE,
	  COL("score", 6, true, 0), g_score, NULL },
	{ "logit", NULL, MT_FLOAT, NULL, "the model's logit: the score before the logistic, which keeps separating where the score shows 100.0 (sorts in the ranking's order)",
	  "bias + sum of the terms' contributions", "logit", 4, MF_ZONE,
	  COL("logit", 6, true, 1), g_logit, NULL },
	{ "name", "domain", MT_STRING, NULL, "the domain name (a zone row: the zone)", "as seen in the answers, presentation form", "domain", 0, MF_ZONE,
	  COL("domain", 0, false, 0), g_name, NULL },
	{ "addrs", "addresses", MT_INT, NULL, "distinct answer addresses", "A and AAAA records over every response", "counts.addresses", 0, MF_ZONE,
	  COL("addrs", 6, true, 0), g_addrs, NULL },
	{ "asns", NULL, MT_INT, NULL, "distinct ASNs of the addresses", "enrichment (GeoIP/libloc) of every address", "counts.asns", 0, MF_ZONE,
	  COL("ASNs", 5, true, 0), g_asns, NULL },
	{ "countries", NULL, MT_INT, NULL, "distinct countries of the addresses", "enrichment of every address", "counts.countries", 0, MF_ZONE,
	  COL("cc", 4, true, 0), g_countries, NULL },
	{ "minttl", NULL, MT_INT, "s", "smallest TTL seen in an answer (missing without answers)", "minimum over the answer records", "ttl_min", 0, MF_JSON_ZERO,
	  COL("minTTL", 7, true, 0), g_minttl, NULL },
	{ "nschanges", NULL, MT_INT, NULL, "NS-set changes of the domain's zone", "consecutive NS observations whose set differs", "ns_changes", 0, MF_ZONE,
	  COL("NSchg", 6, true, 0), g_nschanges, NULL },
	{ "responses", NULL, MT_INT, NULL, "responses seen for the name", "store counter (every response, any rcode); zone rows: answers", "responses", 0, 0,
	  COL("resp", 6, true, 1), g_responses, NULL },
	{ "last_seen", "last", MT_TIME, "UTC", "last response", "capture time of the newest response", "last_seen", 0, MF_ZONE,
	  COL("last seen", 14, false, 2), g_last_seen, NULL },
	{ "first_seen", "first", MT_TIME, "UTC", "first response", "capture time of the oldest response", "first_seen", 0, MF_ZONE,
	  COL("first seen", 14, false, 9), g_first_seen, NULL },
	{ "holz", "holz_score", MT_FLOAT, NULL, "Holz et al. flux-score (> 0 means flux); missing without ASN data",
	  "1.32 nA + 18.54 nASN - 142.38 over the first lookup and the first one at least a TTL later", "holz_score", 2, MF_ZONE,
	  COL("holz", 7, true, 9), g_holz, NULL },
	{ "holz_all", NULL, MT_FLOAT, NULL, "the Holz formula over every address seen; missing without ASN data", "as holz, over all addresses", "holz_score_all", 2, 0,
	  COL("holzAll", 8, true, 9), g_holz_all, NULL },
	{ "rank", NULL, MT_INT, NULL, "position in the ranking, 1 = first (domains and zone rows each ranked apart)",
	  "the logit, highest first, then the verdict, then the evidence: answered responses, answer sets, addresses, /24 prefixes, ASNs, NS names; the name last (det_rank_cmp, shared by --report, --export and the TUI)",
	  "rank", 0, MF_ZONE,
	  COL("rank", 6, true, 9), g_rank, NULL },
	{ "rolled_up", NULL, MT_BOOL, NULL, "a name without addresses (only NXDOMAIN/NODATA answers) counted in its zone's row rather than flagged on its own (missing for zone rows)",
	  "names of a zone with no answer addresses whose own evidence (the zone's nameservers) would have flagged them", "rolled_up", 0, 0,
	  COL("rolledUp", 8, false, 9), g_rolled_up, NULL },
	{ "addrs6", NULL, MT_INT, NULL, "distinct IPv6 answer addresses", "AAAA records", "counts.addresses_v6", 0, MF_ZONE,
	  COL("addrs6", 6, true, 9), g_addrs6, NULL },
	{ "prefixes16", NULL, MT_INT, NULL, "distinct /16 prefixes (IPv6 /32)", "of the answer addresses", "counts.prefixes16", 0, MF_ZONE,
	  COL("p16", 5, true, 9), g_p16, NULL },
	{ "prefixes24", "prefixes", MT_INT, NULL, "distinct /24 prefixes (IPv6 /48)", "of the answer addresses", "counts.prefixes24", 0, MF_ZONE,
	  COL("p24", 5, true, 9), g_p24, NULL },
	{ "maxanswer", NULL, MT_INT, NULL, "most addresses in one answer", "maximum over the responses", "counts.max_per_answer", 0, MF_ZONE,
	  COL("maxAns", 6, true, 9), g_maxans, NULL },
	{ "ttl", NULL, MT_INT, "s", "authoritative TTL estimate (missing without answers)", "maximum over the answer sets of the TTL each started with", "ttl", 0, MF_JSON_ZERO | MF_ZONE,
	  COL("TTL", 7, true, 9), g_ttl, NULL },
	{ "changes", NULL, MT_INT, NULL, "answer-set changes", "consecutive answers (per resolver) whose set changed", "rrset_changes", 0, 0,
	  COL("chg", 5, true, 9), g_changes, NULL },
	{ "rrsets", NULL, MT_INT, NULL, "distinct answer sets", "of the responses with addresses", "rrsets", 0, MF_ZONE,
	  COL("sets", 5, true, 9), g_rrsets, NULL },
	{ "answers", NULL, MT_INT, NULL, "responses with an answer set", "NOERROR responses with addresses", "answers", 0, MF_ZONE,
	  COL("answers", 7, true, 9), g_answers, NULL },
	{ "nxdomain", NULL, MT_INT, NULL, "NXDOMAIN responses", "store counter (missing for zone rows)", "nxdomain", 0, 0,
	  COL("nxdom", 6, true, 9), g_nxdomain, NULL },
	{ "ttl_periods", NULL, MT_INT, NULL, "distinct TTL periods with answers", "answer times divided by the TTL estimate", "ttl_periods", 0, 0,
	  COL("periods", 7, true, 9), g_ttl_periods, NULL },
	{ "ns", "nsnames", MT_INT, NULL, "distinct NS names of the domain's zone", "every NS set observed", "counts.ns_names", 0, MF_ZONE,
	  COL("NS", 4, true, 9), g_ns, "nameserver" },
	{ "nsaddrs", NULL, MT_INT, NULL, "distinct addresses of those NS names", "glue and A/AAAA answers for the NS names", "counts.ns_addresses", 0, MF_ZONE,
	  COL("NSaddr", 6, true, 9), g_nsaddrs, NULL },
	{ "nsttl", NULL, MT_INT, "s", "NS TTL estimate (missing without NS records)", "median of the NS-set observations", "ns_ttl", 0, MF_JSON_ZERO,
	  COL("NSttl", 7, true, 9), g_nsttl, NULL },
	{ "cluster", NULL, MT_INT, NULL, "cluster number (0 = none)", "domains sharing flux addresses or NS names", "cluster", 0, 0,
	  COL("cl", 4, true, 9), g_cluster, NULL },
	{ "clustersize", NULL, MT_INT, NULL, "domains in the cluster", "members of the cluster", "cluster_size", 0, 0,
	  COL("clSize", 6, true, 9), g_clustersize, NULL },
	{ "shared", NULL, MT_INT, NULL, "flagged domains sharing an address or a fluxing nameserver with it", "the detector's count when it scored the domain (the reason \"shares …\")", "shared_flagged", 0, 0,
	  COL("shared", 6, true, 9), g_shared, NULL },
	{ "distance", "km", MT_FLOAT, "km", "greatest distance between two located addresses (missing unless two are located)",
	  "great-circle distance over the GeoIP coordinates", "max_distance_km", 1, 0,
	  COL("km", 7, true, 9), g_distance, NULL },
	{ "intel", NULL, MT_BOOL, NULL, "an intel feed (--intel) names the domain or one of its addresses", "lookup in the loaded feeds", "intel_hit", 0, MF_ZONE,
	  COL("intel", 5, false, 9), g_intel, NULL },
	{ "intel_feed", NULL, MT_STRING, NULL, "the first feed that matched (missing when none)", "file name of the feed", "intel", 0, MF_ZONE,
	  COL("feed", 12, false, 9), g_intel_feed, NULL },
	{ "allowlisted", NULL, MT_BOOL, NULL, "covered by the allowlist", "name, CNAME chain or provider guard", "allowlisted", 0, MF_ZONE,
	  COL("allow", 5, false, 9), g_allow, NULL },
	{ "guard", NULL, MT_STRING, NULL, "the allowlist entry or guard that decided cdn/pool (missing when none)", "the detector's guards", "guard", 0, MF_ZONE,
	  COL("guard", 16, false, 9), g_guard, NULL },
	{ "marked", NULL, MT_BOOL, NULL, "marked by the analyst (missing for zone rows)", "the TUI's marks (store flags)", "marked", 0, 0,
	  COL("mark", 4, false, 9), g_marked, NULL },
	{ "registrable", "reg", MT_STRING, NULL, "registrable domain (eTLD+1)", "libpsl over the Public Suffix List", "registrable", 0, MF_ZONE,
	  COL("registrable", 20, false, 9), g_reg, NULL },
	{ "zone", NULL, MT_STRING, NULL, "the domain's zone (a zone row: itself)", "deepest of the registrable domain and the NS zone cut", "zone", 0, 0,
	  COL("zone", 20, false, 9), g_zone, NULL },
	{ "zone_verdict", NULL, MT_ENUM, NULL, "the verdict of the domain's zone row (missing for zone rows)", "the zone's aggregate evidence", "zone_verdict", 0, 0,
	  COL("zoneVerdict", 11, false, 9), g_zone_verdict, NULL },
	{ "via_zone", NULL, MT_BOOL, NULL, "the verdict came from the zone (missing for zone rows)", "the zone handed its verdict to the name", "via_zone", 0, 0,
	  COL("viaZone", 7, false, 9), g_via_zone, NULL },
	{ "zone_names", NULL, MT_INT, NULL, "names with answers in the zone", "members of the zone row", "zone_names", 0, 0,
	  COL("zNames", 6, true, 9), g_zone_names, NULL },
	{ "kind", NULL, MT_STRING, NULL, "domain or zone", "a name, or the aggregate of a zone's names", "kind", 0, MF_ZONE,
	  COL("kind", 6, false, 9), g_kind, NULL },
	{ "confidence", NULL, MT_STRING, NULL, "how much evidence the verdict rests on", "responses, answer sets, time span, resolvers", "confidence", 0, MF_ZONE,
	  COL("confidence", 30, false, 9), g_confidence, NULL },
	{ "first_flagged", NULL, MT_TIME, "UTC", "when the verdict first became flagged (missing if never)", "replaying the domain's timeline", "first_flagged", 0, 0,
	  COL("flagged at", 14, false, 9), g_first_flagged, NULL },
	{ "first_flagged_resp", NULL, MT_INT, NULL, "responses up to the first flagged verdict (0 = never)", "replaying the timeline", "first_flagged_resp", 0, 0,
	  COL("flagResp", 8, true, 9), g_first_flagged_resp, NULL },
	{ "first_flux", NULL, MT_TIME, "UTC", "when the verdict first became flux (missing if never)", "replaying the timeline", "first_flux", 0, MF_ZONE,
	  COL("flux at", 14, false, 9), g_first_flux, NULL },
	{ "first_flux_resp", NULL, MT_INT, NULL, "responses up to the first flux verdict (0 = never)", "replaying the timeline", "first_flux_resp", 0, MF_ZONE,
	  COL("fluxResp", 8, true, 9), g_first_flux_resp, NULL },
	{ "reason", "reasons", MT_STRING, NULL, "the reasons, in words and numbers (filter: any contains)", "the model's strongest terms, most important first", "reasons", 0, MF_LIST | MF_ZONE,
	  COL("reason", 40, false, 9), g_reason, NULL },
	{ "asn", NULL, MT_ASN, NULL, "the ASNs of the addresses, most addresses first (rows without a record: the top 5)",
	  "enrichment of every address", "asns", 0, MF_LIST | MF_JSON_CUSTOM,
	  COL("ASN", 10, false, 9), g_asn, NULL },
	{ "country", NULL, MT_COUNTRY, NULL, "the countries of the addresses, most addresses first (rows without a record: the top 5)",
	  "enrichment of every address", "countries", 0, MF_LIST | MF_JSON_CUSTOM,
	  COL("country", 8, false, 9), g_country, NULL },
	{ "address", "addr", MT_ADDR, NULL, "the answer addresses (records: report, export, detail)", "A and AAAA records", "addresses", 0, MF_LIST | MF_JSON_CUSTOM,
	  COL("address", 16, false, 9), g_address, NULL },
	{ "nameserver", "nsname", MT_STRING, NULL, "the NS names of the domain's zone (records: report, export, detail)", "every NS set observed", "ns_names", 0, MF_LIST | MF_JSON_CUSTOM,
	  COL("nameserver", 24, false, 9), g_nameserver, NULL },
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

size_t
model_field_count(void)
{
	return N_FIELDS;
}

const struct model_field *
model_field(size_t i)
{
	return i < N_FIELDS ? &fields[i] : NULL;
}

int
model_field_index(const struct model_field *f)
{
	return f != NULL && f >= fields && f < fields + N_FIELDS ? (int)(f - fields) : -1;
}

static bool
word_in(const char *list, const char *name, size_t len)
{
	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, " ");
		if (n == len && strncasecmp(p, name, len) == 0)
			return true;
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}

const struct model_field *
model_field_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strlen(fields[i].key) == len && strncasecmp(fields[i].key, name, len) == 0)
			return &fields[i];
	for (size_t i = 0; i < N_FIELDS; i++)
		if (word_in(fields[i].aliases, name, len))
			return &fields[i];
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].title != NULL && strlen(fields[i].title) == len &&
		    strncasecmp(fields[i].title, name, len) == 0)
			return &fields[i];
	return NULL;
}

const char *
model_field_keys(void)
{
	static char buf[1024];
	if (buf[0] == '\0') {
		size_t o = 0;
		for (size_t i = 0; i < N_FIELDS && o < sizeof buf; i++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", fields[i].key);
	}
	return buf;
}

/* ---- text and sort keys ----------------------------------------------------------------------- */

static void
value_text(const struct model_field *f, const struct model_value *v, char *buf, size_t len)
{
	switch (f->type) {
	case MT_INT:
	case MT_ASN:
		snprintf(buf, len, "%.0f", v->num);
		break;
	case MT_FLOAT:
		snprintf(buf, len, "%.*f", f->prec, v->num);
		break;
	case MT_BOOL:
		snprintf(buf, len, "%s", v->num != 0 ? "yes" : "no");
		break;
	case MT_ENUM:
		snprintf(buf, len, "%s", det_verdict_name((enum det_verdict)(int)v->num));
		break;
	case MT_TIME: {
		fs_time t = (fs_time)v->num;
		time_t sec = (time_t)(t / FS_USEC);
		struct tm tm;
		if (gmtime_r(&sec, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			snprintf(buf, len, "%" PRId64, (int64_t)(t / FS_USEC));
		break;
	}
	case MT_ADDR:
		fs_addr_str(&v->addr, buf, len);
		break;
	case MT_STRING:
	case MT_COUNTRY:
		snprintf(buf, len, "%s", v->str ? v->str : "");
		break;
	}
}

char *
model_format(const struct model_field *f, const struct model_row *row, char *buf, size_t len)
{
	struct model_value v;
	size_t o = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; o + 1 < len; i++) {
		char one[256];
		memset(&v, 0, sizeof v);
		if (!f->get(row, i, &v))
			break;
		value_text(f, &v, one, sizeof one);
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
		                      i == 0 ? "" : f->type == MT_STRING ? " | " : " ", one);
		if (!(f->flags & MF_LIST) || o >= len)
			break;
	}
	return buf;
}

static uint32_t
float_key(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

uint32_t
model_sort_key(const struct model_field *f, const struct model_row *row, bool desc)
{
	struct model_value v;

	memset(&v, 0, sizeof v);
	if (!f->get(row, 0, &v))
		return desc ? 0 : UINT32_MAX;
	switch (f->type) {
	case MT_INT:
	case MT_ASN:
	case MT_BOOL:
	case MT_ENUM:
		/* present values lie in [1, UINT32_MAX - 1]: missing ones stay at the ends */
		return v.num < 0 ? 1 : v.num + 1 >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)v.num + 1;
	case MT_FLOAT: {
		uint32_t k = float_key((float)v.num);
		return k == UINT32_MAX ? k - 1 : k == 0 ? 1 : k;
	}
	case MT_TIME: {
		double s = v.num / FS_USEC;
		return s <= 0 ? 1 : s >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)s;
	}
	default:
		return 1;
	}
}

/* ---- docs/fields.md --------------------------------------------------------------------------- */

char *
model_fields_doc(void)
{
	FS_VEC(char) b = { 0 };
	char line[2048];

#define ADD(...) do {                                                        \
		int n_ = snprintf(line, sizeof line, __VA_ARGS__);                   \
		size_t l_ = n_ < 0 ? 0 : (size_t)n_ >= sizeof line ? sizeof line - 1 : (size_t)n_; \
		fs_vec_reserve(&b, b.n + l_ + 1);                                    \
		memcpy(b.v + b.n, line, l_);                                         \
		b.n += l_;                                                           \
		b.v[b.n] = '\0';                                                     \
	} while (0)
	ADD("# Fields\n\n"
	    "Generated from the field table (`src/model/field.c`); `tests/unit/model/test_fields.c` "
	    "checks that this file is current (`FLUXSCOPE_WRITE_DOCS=1 "
	    "build/tests/unit/model/test_fields` rewrites it).\n\n"
	    "Every field of a domain or zone row, named once. The same key selects it in the filter "
	    "language (`--filter`, the TUI's `f` and `:filter`), names its CSV column "
	    "(`--report --csv`), its TUI column (`:sort KEY`, `:columns`), and the JSON key of "
	    "`--report --json` is given beside it (`counts.x` is key `x` inside `counts`).\n\n"
	    "A field without a value is *missing*: it never matches a comparison (not even `!=`), "
	    "sorts last in either direction, is empty in CSV and null in JSON (the keys marked "
	    "\"0 when missing\" keep writing 0, as they always did). List fields hold several "
	    "values: `=` and `~` hold when any value matches, `!=` and `!~` when none does. "
	    "Every time field is written twice in JSON: epoch seconds under its key, and ISO 8601 "
	    "UTC with microseconds under the key with `_iso` appended (`first_seen_iso`: "
	    "`2026-11-18T07:01:16.761477Z`, null when missing).\n\n"
	    "| key | also | type | unit | JSON key | column | what it is | how it is computed |\n"
	    "|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct model_field *f = &fields[i];
		char via[96] = "";
		if (f->text_list != NULL)
			snprintf(via, sizeof via, " (`%s~TEXT`: any `%s` contains TEXT)", f->key,
			         f->text_list);
		ADD("| `%s` | %s | %s%s | %s | `%s`%s | %s | %s%s | %s |\n", f->key,
		    f->aliases ? f->aliases : "", model_type_name(f->type),
		    (f->flags & MF_LIST) ? " list" : "", f->unit ? f->unit : "", f->json,
		    (f->flags & MF_JSON_ZERO) ? " (0 when missing)" :
		    f->type == MT_TIME ? " (and `_iso`)" : "",
		    f->title ? f->title : "", f->desc, via, f->how);
	}
	ADD("\nFilter values: numbers; durations for fields in seconds (`300`, `5m`, `1h`, `2d`); "
	    "times as epoch seconds or `YYYY-MM-DD[THH:MM[:SS]]` (UTC); verdicts by name, `flux` "
	    "(single-flux or double-flux) or `flagged` (flux or suspicious); booleans `yes`/`no`; "
	    "ASNs as `AS12345` or `12345`; addresses as an address or a prefix "
	    "(`192.0.2.0/24`); text `=` exact or a glob (`*.example.com`), `~` contains; `=` and "
	    "`!=` take a comma list (any of them).\n");
#undef ADD
	return b.v;
}
