/* The fluxscope score (a logistic model over monotone transforms of the features, weights in
 * share/detect.conf), the verdict rules with their guards, and the reasons in words. */
#include "detect/detect_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
det_verdict_name(enum det_verdict v)
{
	static const char *const names[DET_VERDICT_COUNT] = {
#define X(id, name, style) [DET_##id] = name,
		DET_VERDICTS(X)
#undef X
	};
	return (unsigned)v < DET_VERDICT_COUNT ? names[v] : "?";
}

int
det_verdict_parse(const char *s)
{
	for (int v = 0; v < DET_VERDICT_COUNT; v++)
		if (strcmp(s, det_verdict_name((enum det_verdict)v)) == 0)
			return v;
	return -1;
}

const char *
det_vantage_name(enum det_vantage v)
{
	switch (v) {
	case DET_VANTAGE_CLIENT: return "client side (answers of a recursive resolver)";
	case DET_VANTAGE_UPSTREAM: return "upstream side (referrals, glue and authoritative answers)";
	case DET_VANTAGE_BOTH: return "both sides (client answers and upstream referrals/authoritative answers)";
	default: return "no responses";
	}
}

static double
log2p(double x)
{
	return x > 1 ? log2(x) : 0;
}

static double
clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* TTL transform: 0 at one hour and above, +1 per halving, at most 8 (TTL ≈ 14 s). */
static double
ttl_low(double ttl)
{
	return clampd(log2(3600.0 / (ttl < 1 ? 1 : ttl)), 0, 8);
}

/* Ratio features from few observations are shrunk toward 0: value = raw · n / (n + 1), n the
 * observations behind the ratio (two addresses in two ASNs say less than twenty in twenty). */
static double
shrink(double raw, double n)
{
	return n > 0 ? raw * n / (n + 1) : 0;
}

static double
sigmoid100(double x)
{
	return 100.0 / (1.0 + exp(-x));
}

static void
set_term(struct det_eval *ev, int t, double raw, double value, bool avail)
{
	struct det_term *tm = &ev->terms[t];
	tm->name = det_term_names[t];
	tm->unit = det_term_units[t];
	tm->raw = raw;
	tm->value = avail ? value : 0;
	tm->available = avail;
}

static void
fill_terms(const struct det_feat *f, const struct det_context *cx, struct det_eval *ev,
           bool have_asn, bool have_cc, bool have_geo)
{
	bool asn = have_asn && f->n_asn_known > 0;
	bool cc = have_cc && f->n_cc_known > 0;
	bool rot = f->comparisons > 0;

	set_term(ev, DET_T_addr_count, f->n_addrs, log2p(f->n_addrs), true);
	set_term(ev, DET_T_addrs_per_response, f->mean_per_resp, log2p(f->mean_per_resp), f->n_fresh > 0);
	set_term(ev, DET_T_asn_count, f->n_asns, log2p(f->n_asns), asn);
	double na1 = f->n_addrs > 0 ? f->n_addrs - 1 : 0;
	double nk1 = f->n_asn_known > 0 ? f->n_asn_known - 1 : 0;
	set_term(ev, DET_T_as_fraction, f->as_fraction, shrink(f->as_fraction, nk1), asn);
	set_term(ev, DET_T_asn_entropy, f->asn_entropy, f->asn_entropy, asn);
	set_term(ev, DET_T_prefix16_count, f->n_p16_fam, log2p(f->n_p16_fam), true);
	set_term(ev, DET_T_prefix16_entropy, f->p16_entropy, shrink(f->p16_entropy, na1), true);
	set_term(ev, DET_T_prefix24_entropy, f->p24_entropy, shrink(f->p24_entropy, na1), true);
	set_term(ev, DET_T_country_count, f->n_countries, log2p(f->n_countries), cc);
	set_term(ev, DET_T_country_entropy, f->country_entropy, f->country_entropy, cc);
	double km = f->local_km >= 0 ? f->local_km : f->max_km;
	set_term(ev, DET_T_geo_spread, km, clampd(km / 10000.0, 0, 2), have_geo && km >= 0);
	set_term(ev, DET_T_ttl_low, f->ttl, ttl_low(f->ttl), f->n_obs > 0);
	set_term(ev, DET_T_ttl_distinct, f->n_ttls, log2p(f->n_ttls), f->n_obs > 0);
	set_term(ev, DET_T_change_fraction, f->change_frac, shrink(f->change_frac, f->comparisons), rot);
	set_term(ev, DET_T_change_rate, f->changes_per_hour, log2(1 + f->changes_per_hour), rot);
	set_term(ev, DET_T_jaccard, f->jaccard, shrink(f->jaccard, f->changes), rot);
	set_term(ev, DET_T_replace_speed, f->replace_ttls,
	         f->replace_ttls >= 0 ? 1.0 / (1.0 + f->replace_ttls) : 0, rot);
	set_term(ev, DET_T_novelty, f->novelty, shrink(f->novelty, f->n_fresh > 0 ? f->n_fresh - 1 : 0),
	         f->n_fresh > 1);
	set_term(ev, DET_T_addr_growth, f->growth, log2(1 + f->growth), f->periods > 1);
	set_term(ev, DET_T_ns_churn, f->n_ns_changes, log2(1 + f->n_ns_changes), f->have_ns);
	set_term(ev, DET_T_ns_ttl_low, f->ns_ttl, ttl_low(f->ns_ttl), f->have_ns && f->ns_ttl > 0);
	/* a healthy zone has two to four nameservers with an address or two each */
	set_term(ev, DET_T_ns_addr_count, f->n_ns_addrs, f->n_ns_addrs > 4 ? log2(f->n_ns_addrs) - 2 : 0,
	         f->have_ns);
	set_term(ev, DET_T_ns_asn_count, f->n_ns_asns, f->n_ns_asns > 2 ? log2(f->n_ns_asns) - 1 : 0,
	         f->have_ns && have_asn);
	set_term(ev, DET_T_ns_agent_overlap, f->ns_overlap, f->ns_overlap, f->have_ns && f->n_ns_addrs > 0);
	/* the nameservers' own addresses on short TTLs: double-flux NS hosts rotate like agents */
	set_term(ev, DET_T_ns_addr_ttl_low, f->ns_glue_ttl, ttl_low(f->ns_glue_ttl),
	         f->have_ns && f->ns_glue_ttl > 0);
	set_term(ev, DET_T_shared_flux, cx->shared_flux, log2(1 + cx->shared_flux), true);
	set_term(ev, DET_T_intel, cx->intel_feed != NULL, cx->intel_feed != NULL, true);
}

static bool
ns_term(int t)
{
	return t == DET_T_ns_churn || t == DET_T_ns_ttl_low || t == DET_T_ns_addr_count ||
	       t == DET_T_ns_asn_count || t == DET_T_ns_agent_overlap || t == DET_T_ns_addr_ttl_low;
}

void
det_model_eval(const struct det_weights *w, const struct det_feat *f,
               const struct det_context *cx, struct det_eval *ev)
{
	/* ASN terms need ASNs for at least half of the domain's addresses; otherwise they are
	 * unavailable and the prefix terms take their weight_noasn values. */
	bool have_asn = f->n_asn_known > 0 && 2 * f->n_asn_known >= f->n_addrs;
	bool have_cc = f->n_cc_known > 0;
	bool have_geo = f->n_located > 0;
	double spread;

	memset(ev, 0, sizeof *ev);
	ev->noasn = !have_asn;
	fill_terms(f, cx, ev, have_asn, have_cc, have_geo);
	ev->logit = w->bias;
	ev->ns_logit = w->ns_bias;
	for (int t = 0; t < DET_N_TERMS; t++) {
		struct det_term *tm = &ev->terms[t];
		double wt = w->w[t];
		if (!have_asn && !isnan(w->w_noasn[t]))
			wt = w->w_noasn[t];
		tm->weight = wt;
		tm->contribution = tm->available ? wt * tm->value : 0;
		ev->logit += tm->contribution;
		if (ns_term(t) && tm->available)
			ev->ns_logit += w->ns_w[t] * tm->value;
	}
	ev->score = sigmoid100(ev->logit);
	ev->ns_score = f->have_ns ? sigmoid100(ev->ns_logit) : 0;

	bool ns_flux = f->have_ns && ev->ns_score >= w->double_flux_ns_score;
	spread = f->n_asns > f->n_p24_fam ? f->n_asns : f->n_p24_fam;
	/* Evidence for flux is counted, not waited for (nothing here depends on the wall clock
	 * or on TTL periods of capture time):
	 *  - rotation: more than one answer set, and later answers brought addresses not seen
	 *    before — from one resolver refetching, several resolvers or clients, or the
	 *    upstream side, within one TTL or across many;
	 *  - breadth: one answer alone spans many networks (Holz et al. separate flux from CDNs
	 *    with a single lookup: a CDN answers from one network, flux from everywhere). */
	ev->rotation = f->n_sets >= 2 && f->novelty > 0;
	/* answers from one country when countries are known look geo-targeted (mirrors, GeoDNS),
	 * not like agents from everywhere: few answers cannot be flux then */
	bool one_cc = f->n_cc_known >= 3 && f->n_countries < 2;
	ev->breadth = f->breadth_nets >= w->breadth_nets && f->breadth_addrs >= w->breadth_addrs &&
	              !one_cc;
	bool minimums = f->n_addrs >= w->min_flux_addrs && spread >= w->min_flux_spread;
	/* Wide: (nearly) every address in a network of its own — what flux agents on home and
	 * hosting networks look like, and what CDNs, round robins and load balancers (many
	 * addresses in one network) do not. With rotation or a broad answer it needs a lower
	 * score: few answers cannot pile up rotation terms. */
	double wnets = f->n_asn_known > 0 && 2 * f->n_asn_known >= f->n_addrs ? f->n_asns : f->n_p16_fam;
	ev->wide = wnets >= w->wide_networks && wnets >= w->wide_share * f->n_addrs && !one_cc;
	/* Scattered lookup: one lookup (see feature.c: an answer with the same resolver's other
	 * family) of a few addresses, each in an ASN of its own, across several countries, on a
	 * short TTL — Holz's single-lookup separation at its sharpest: a CDN, a load balancer or
	 * a hoster's round robin answers from one network, a mirror list from one country. Not when
	 * the set was fetched again after its TTL ran out and came back unchanged (a static
	 * multi-homed site, not rotation). */
	bool stable = f->comparisons > 0 && f->changes == 0;
	ev->scatter = !cx->zone && f->scatter_addrs >= w->scatter_addrs &&
	              f->scatter_ccs >= w->spread_countries && f->ttl <= w->scatter_max_ttl && !stable;
	/* Rotation across countries: later answers brought new addresses, and the name's
	 * addresses span several networks and several countries — agents scattered over home
	 * and hosting networks. A CDN gives each resolver nearby edges of its own network (and
	 * is guarded before this), a cloud load balancer answers from one provider's region, a
	 * site moving between two hosters spans two networks. */
	ev->rot_spread = !cx->zone && ev->rotation && wnets >= w->rotation_networks &&
	                 f->n_cc_known >= 3 && f->n_countries >= w->spread_countries;
	/* Rotation inside hostile networks: most addresses in ASNs an intel feed lists (Spamhaus
	 * ASN-DROP: networks run by criminals), later answers bringing new ones or one answer of
	 * many, on a short TTL. A bulletproof hoster's flux looks like a cloud load balancer by
	 * DNS alone; what tells them apart is whose network it is, and only a list can say. */
	ev->hostile_rot = !cx->zone && cx->intel_asn_share >= 0.5 &&
	                  (ev->rotation || f->max_per_resp >= w->breadth_addrs) &&
	                  f->ttl <= w->scatter_max_ttl;
	/* One network in one place: every address with a known ASN in a single ASN, in one
	 * country, where a cloud load balancer is plausible — the network is a listed CDN/cloud
	 * network, or the name is reached through a CNAME chain (how load balancers are named:
	 * an ELB rotating a dozen addresses a minute is `…elb.amazonaws.com`, a Route 53 alias
	 * answers from Amazon's ASNs). Rotation there is no sign of flux agents; only a list
	 * naming the network as hostile (hostile_rot) makes it flux. Rotation inside one unlisted
	 * network on a name that owns its addresses (a bulletproof hoster's flux) is judged by
	 * the rules below like any other. */
	ev->one_network = f->n_asn_known > 0 && 2 * f->n_asn_known >= f->n_addrs && f->n_asns <= 1 &&
	                  f->n_cc_known > 0 && f->n_countries <= 1 &&
	                  (cx->cdn_asn_share >= w->cdn_asn_share || cx->has_cname ||
	                   cx->is_cname_target);
	ev->flux_evidence = minimums &&
	                    ((!ev->one_network &&
	                      ((ev->score >= w->flux_score && ev->rotation) ||
	                       (ev->score >= w->wide_score && ev->breadth) ||
	                       (ev->score >= w->wide_score && ev->wide && (ev->rotation || ev->breadth)) ||
	                       ev->scatter || ev->rot_spread)) ||
	                     ev->hostile_rot);

	/* 1. Allowlisted by name or through the CNAME chain: never flux. */
	if (cx->allow != NULL) {
		ev->allowlisted = true;
		ev->guard = cx->allow->label;
		ev->verdict = cx->allow->kind == DET_ALLOW_POOL ? DET_POOL :
		              cx->allow->kind == DET_ALLOW_DOMAIN ? DET_BENIGN : DET_CDN;
		return;
	}
	bool flaggable = ev->score >= w->suspicious_score || cx->intel_feed != NULL || ns_flux ||
	                 ev->flux_evidence;

	/* 2. CDN/cloud network: most addresses in listed CDN/cloud ASNs, and a second sign (a
	 *    CNAME chain, addresses concentrated in few /16 prefixes, or a set that stops growing).
	 *    Never by ASN alone. */
	bool second_sign = cx->has_cname || cx->is_cname_target ||
	                   cx->cdn_shared_share >= w->cdn_shared_sign ||
	                   (f->local_p16_entropy >= 0 && f->local_p16_entropy <= w->cdn_max_p16_entropy) ||
	                   (f->local_km >= 0 && f->local_km <= w->cdn_max_local_km) ||
	                   (f->n_fresh > 1 && f->novelty_late <= w->cdn_max_novelty);
	if (flaggable && !ns_flux &&
	    ((cx->cdn_asn_share >= w->cdn_asn_share && second_sign) ||
	     cx->cdn_shared_share >= w->cdn_shared_alone)) {
		ev->guard = "cdn-network";
		ev->verdict = cx->intel_feed ? DET_SUSPICIOUS : DET_CDN;
		return;
	}
	/* 2b. CNAME provider zone (a CDN no list names): many unrelated registrable domains
	 *     point into the zone the name's chain ends in, and its answers come from few
	 *     networks. Flux spread over many networks cannot pass; an operator who CNAMEs lure
	 *     domains into a flux zone must also keep its agents in a handful of ASNs. */
	if (flaggable && !ns_flux && cx->provider_zone != NULL) {
		double nets = f->n_asn_known > 0 ? f->n_asns : f->n_p16_fam;
		/* signs of an edge network: each resolver given nearby addresses, or addresses in
		 * few /16s; addresses shared with the provider zone's other names; a set that stops
		 * growing (edges recur, agents churn); answers from one or two countries (when GeoIP
		 * gives countries but no coordinates). Two signs, or one with few networks. */
		bool near = f->local_km >= 0 && f->local_km <= w->cdn_max_local_km;
		bool few16 = f->local_p16_entropy >= 0 && f->local_p16_entropy <= w->cdn_max_p16_entropy;
		bool shared = cx->provider_shared >= w->cdn_shared_sign;
		bool saturating = f->n_later >= 4 && f->novelty_late <= w->cdn_max_novelty;
		bool few_cc = f->n_cc_known >= 3 && f->n_countries <= 2;
		int signs = near + few16 + shared + saturating + few_cc;
		if (signs >= 2 || (signs >= 1 && nets <= w->provider_max_asns)) {
			ev->guard = "cdn-provider-zone";
			ev->verdict = cx->intel_feed ? DET_SUSPICIOUS : DET_CDN;
			return;
		}
	}
	/* 2c. Pool zone (NTP-style pools no list names): scoped sibling names (numbered, country,
	 *     continent, vendor) drawing from one population, with a costly sign: a country-
	 *     scoped sibling answering from its country, or addresses recurring across siblings. */
	if (flaggable && !ns_flux && cx->pool_zone != NULL && cx->pool_member) {
		ev->guard = "pool-zone";
		ev->verdict = cx->intel_feed ? DET_SUSPICIOUS : DET_POOL;
		return;
	}
	/* 3. Bounded recurring pool (round robin, volunteer pools): enough fresh answers, almost
	 *    nothing new in the later ones, every address seen again and again. */
	if (flaggable && f->n_addrs <= w->pool_max_addrs && f->n_fresh >= w->pool_min_answers &&
	    f->novelty_late <= w->pool_max_novelty &&
	    f->mean_sightings >= w->pool_min_sightings && !ns_flux) {
		ev->guard = spread >= 3 ? "recurring-pool" : "round-robin";
		ev->verdict = cx->intel_feed ? DET_SUSPICIOUS : spread >= 3 ? DET_POOL : DET_BENIGN;
		return;
	}
	if (ev->flux_evidence) {
		ev->verdict = ns_flux ? DET_DOUBLE_FLUX : DET_SINGLE_FLUX;
		return;
	}
	ev->verdict = flaggable ? DET_SUSPICIOUS : DET_BENIGN;
}

/* ---- reasons ------------------------------------------------------------------------------ */

struct rlist {
	char **v;
	int n;
};

static void
add(struct rlist *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct rlist *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fs_fatal("out of memory formatting a reason");
	va_end(ap);
	r->v = xreallocarray(r->v, (size_t)r->n + 1, sizeof *r->v);
	r->v[r->n++] = s;
}

static const char *
plural(double n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
summary(struct rlist *r, const struct det_feat *f)
{
	char line[512], dur[32];
	int n = 0;

	n += snprintf(line + n, sizeof line - (size_t)n, "%u %s", f->n_addrs,
	              plural(f->n_addrs, "address", "addresses"));
	if (f->n_asn_known > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, " in %u %s", f->n_asns,
		              plural(f->n_asns, "ASN", "ASNs"));
	else
		n += snprintf(line + n, sizeof line - (size_t)n, " in %u /16 %s", f->n_p16,
		              plural(f->n_p16, "prefix", "prefixes"));
	if (f->n_cc_known > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, " across %u %s", f->n_countries,
		              plural(f->n_countries, "country", "countries"));
	if (f->n_obs > 1)
		n += snprintf(line + n, sizeof line - (size_t)n, " in %s",
		              det_fmt_duration(f->span_s, dur, sizeof dur));
	else
		n += snprintf(line + n, sizeof line - (size_t)n, " in a single response");
	n += snprintf(line + n, sizeof line - (size_t)n, "; TTL %u s", f->ttl);
	if (f->comparisons > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, "; %u of %u answers changed", f->changes,
		              f->comparisons);
	(void)n;
	add(r, "%s", line);
}

static int
cmp_contrib(const void *a, const void *b)
{
	const struct det_term *x = *(const struct det_term *const *)a;
	const struct det_term *y = *(const struct det_term *const *)b;
	double cx = fabs(x->contribution), cy = fabs(y->contribution);
	return cx > cy ? -1 : cx < cy;
}

const char *
det_model_confidence(const struct det_feat *f, char *buf, size_t len)
{
	char dur[32];
	int n;

	if (f->n_obs == 0) {
		snprintf(buf, len, "from no answer with addresses");
		return buf;
	}
	n = snprintf(buf, len, "from %u %s", f->n_obs, plural(f->n_obs, "response", "responses"));
	if (f->n_sets > 1 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " (%u answer sets)", f->n_sets);
	if (f->n_obs > 1 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " in %s",
		              det_fmt_duration(f->span_s, dur, sizeof dur));
	if (f->n_resolvers > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " from %u %s", f->n_resolvers,
		         plural(f->n_resolvers, "resolver", "resolvers"));
	return buf;
}

int
det_model_reasons(const struct det_weights *w, const struct det_feat *f,
                  const struct det_context *cx, const struct det_eval *ev, char ***out)
{
	struct rlist r = { 0 };
	char dur[32];

	if (f->n_obs == 0 && cx->n_all_resp > 0) {
		uint32_t known = cx->n_nxdomain + cx->n_nodata + cx->n_referral;
		uint32_t other = known <= cx->n_all_resp ? cx->n_all_resp - known : 0;
		char ref[64] = "";
		if (cx->n_referral > 0)
			snprintf(ref, sizeof ref, ", %u %s", cx->n_referral,
			         plural(cx->n_referral, "referral", "referrals"));
		if (other == 0)
			add(&r, "no addresses: only NXDOMAIN/NODATA answers (%u NXDOMAIN, %u NODATA%s; %u "
			        "%s)", cx->n_nxdomain, cx->n_nodata, ref, cx->n_all_resp,
			    plural(cx->n_all_resp, "response", "responses"));
		else
			add(&r, "no addresses: no answer with addresses in %u %s (%u NXDOMAIN, %u NODATA%s, "
			        "%u other)", cx->n_all_resp, plural(cx->n_all_resp, "response", "responses"),
			    cx->n_nxdomain, cx->n_nodata, ref, other);
	} else if (f->n_obs == 0) {
		add(&r, "no answer with addresses yet");
	} else
		summary(&r, f);
	if (f->n_obs > 0 && det_is_flagged(ev->verdict)) {
		char conf[128];
		det_model_confidence(f, conf, sizeof conf);
		if (det_is_flux(ev->verdict)) {
			char sc[160];
			bool only_hostile = ev->hostile_rot && !ev->scatter && !ev->rot_spread &&
			                    !(ev->score >= w->flux_score && ev->rotation) &&
			                    !(ev->score >= w->wide_score && (ev->breadth || ev->wide));
			if (only_hostile)
				snprintf(sc, sizeof sc, "%s inside networks an intel feed lists (%.0f%% of the "
				         "addresses)", ev->rotation ? "later answers brought new addresses" :
				         "one answer of many addresses", 100 * cx->intel_asn_share);
			else
				snprintf(sc, sizeof sc, "one lookup of %u addresses, each in an ASN of its own, across "
			         "%u countries", f->scatter_addrs, f->scatter_ccs);
			add(&r, "flux %s: %s", conf,
			    only_hostile ? sc :
			    ev->rot_spread && !(ev->score >= w->flux_score) ?
			        "later answers brought new addresses, across several networks and countries" :
			    ev->rotation ? "later answers brought new addresses" :
			    ev->scatter && !ev->breadth ? sc :
			    f->breadth_asn ? "one answer spans many ASNs" : "one answer spans many /16 prefixes");
		} else
			add(&r, "evidence %s", conf);
	}

	/* guards and allowlist first: they decided the verdict */
	if (ev->allowlisted && cx->allow != NULL) {
		const char *kind = cx->allow->kind == DET_ALLOW_POOL ? "pool" :
		                   cx->allow->kind == DET_ALLOW_DOMAIN ? "allowed domain" : "CDN/cloud name";
		if (cx->allow_via != NULL && strcmp(cx->allow_via, cx->name) != 0)
			add(&r, "CNAME chain reaches %s, a listed %s (%s, %s)", cx->allow_via, kind,
			    cx->allow->label, cx->allow->where);
		else
			add(&r, "name is under %s, a listed %s (%s, %s)", cx->allow->value, kind,
			    cx->allow->label, cx->allow->where);
	} else if (ev->guard != NULL && strcmp(ev->guard, "cdn-network") == 0) {
		if (cx->cdn_asn_share >= w->cdn_asn_share)
			add(&r, "%.0f%% of addresses are in listed CDN/cloud networks (%s) and %s",
			    100 * cx->cdn_asn_share, cx->cdn_asn_label ? cx->cdn_asn_label : "?",
			    cx->has_cname ? "the name is a CNAME alias" :
			    cx->is_cname_target ? "the name is the target of CNAME chains" :
			    cx->cdn_shared_share >= w->cdn_shared_sign ? "their prefixes also answer for listed CDN names" :
			    f->local_p16_entropy >= 0 && f->local_p16_entropy <= w->cdn_max_p16_entropy ?
			        "each resolver is given addresses in few /16 prefixes" :
			    f->local_km >= 0 && f->local_km <= w->cdn_max_local_km ?
			        "each resolver is given nearby addresses (GeoDNS)" :
			        "the set stops growing");
		if (cx->cdn_shared_share > 0)
			add(&r, "%.0f%% of addresses are in /24 prefixes that also answer names on the CDN "
			        "allowlist",
			    100 * cx->cdn_shared_share);
	} else if (ev->guard != NULL && strcmp(ev->guard, "cdn-provider-zone") == 0) {
		add(&r, "CDN-like provider zone %s: %u unrelated registrable domains point into it by "
		        "CNAME, and its answers come from %u %s%s",
		    cx->provider_zone, cx->provider_customers,
		    f->n_asn_known > 0 ? f->n_asns : f->n_p16_fam,
		    f->n_asn_known > 0 ? plural(f->n_asns, "ASN", "ASNs") : "/16 prefixes",
		    cx->provider_shared >= w->cdn_shared_sign ? ", shared with the zone's other names" :
		    " (few networks per resolver)");
	} else if (ev->guard != NULL && strcmp(ev->guard, "pool-zone") == 0) {
		add(&r, "pool zone %s: scoped sibling names draw from one population (%s)", cx->pool_zone,
		    cx->pool_sign ? cx->pool_sign : "");
	} else if (ev->guard != NULL && strcmp(ev->guard, "recurring-pool") == 0) {
		add(&r, "bounded pool: %u addresses recur, each seen %.1f times on average; %.0f%% new "
		        "in the later answers",
		    f->n_addrs, f->mean_sightings, 100 * f->novelty_late);
	} else if (ev->guard != NULL && strcmp(ev->guard, "round-robin") == 0) {
		add(&r, "round robin over %u recurring %s (each seen %.1f times)", f->n_addrs,
		    plural(f->n_addrs, "address", "addresses"), f->mean_sightings);
	}

	if (cx->intel_feed != NULL)
		add(&r, "listed in intel feed %s (%s)", cx->intel_feed, cx->intel_what ? cx->intel_what : "");

	if (f->n_fresh > 1 && f->novelty > 0)
		add(&r, "%.0f%% of the addresses in later answers had not been seen before", 100 * f->novelty);
	if (f->max_km > 0 && f->n_located >= 2) {
		if (f->n_resolvers > 1 && f->local_km >= 0)
			add(&r, "addresses up to %.0f km apart (%.0f km as one resolver saw them)", f->max_km,
			    f->local_km);
		else
			add(&r, "addresses up to %.0f km apart", f->max_km);
	}
	if (f->replace_s >= 0 && f->comparisons > 0)
		add(&r, "whole answer set replaced after %s (%.1f TTL periods)",
		    det_fmt_duration(f->replace_s, dur, sizeof dur), f->replace_ttls);
	if (f->have_ns && (ev->verdict == DET_DOUBLE_FLUX || ev->ns_score >= w->double_flux_ns_score ||
	                   f->n_ns_changes > 0)) {
		char line[256];
		int n = snprintf(line, sizeof line, "nameservers: %u %s, %u NS-set %s", f->n_ns_names,
		                 plural(f->n_ns_names, "name", "names"), f->n_ns_changes,
		                 plural(f->n_ns_changes, "change", "changes"));
		if (f->n_ns_addrs > 0)
			n += snprintf(line + n, sizeof line - (size_t)n, ", %u NS %s", f->n_ns_addrs,
			              plural(f->n_ns_addrs, "address", "addresses"));
		if (f->n_ns_asns > 0)
			n += snprintf(line + n, sizeof line - (size_t)n, " in %u %s", f->n_ns_asns,
			              plural(f->n_ns_asns, "ASN", "ASNs"));
		if (f->ns_ttl > 0)
			n += snprintf(line + n, sizeof line - (size_t)n, "; NS TTL %u s", f->ns_ttl);
		if (f->ns_glue_ttl > 0 && (size_t)n < sizeof line)
			snprintf(line + n, sizeof line - (size_t)n, "; NS address TTL %u s", f->ns_glue_ttl);
		add(&r, "%s (nameserver score %.0f)", line, ev->ns_score);
	}
	if (f->n_ns_agents > 0)
		add(&r, "%u of %u nameserver addresses also answer as flux agents", f->n_ns_agents,
		    f->n_ns_addrs);
	if (cx->shared_flux > 0)
		add(&r, "shares addresses or nameservers with %u other flagged %s", cx->shared_flux,
		    plural(cx->shared_flux, "domain", "domains"));
	if (ev->score >= w->flux_score && !ev->flux_evidence && !ev->allowlisted && ev->guard == NULL &&
	    f->n_obs > 0) {
		if (ev->one_network)
			add(&r, "flux-like, but every address in one ASN in one country: a cloud region's "
			        "load balancer or one hoster (an ASN list naming the network as hostile "
			        "makes it flux)");
		else if (f->n_addrs < w->min_flux_addrs ||
		         (f->n_asns > f->n_p24_fam ? f->n_asns : f->n_p24_fam) < w->min_flux_spread)
			add(&r, "flux-like, but below the evidence minimums (%.0f addresses, spread %.0f)",
			    w->min_flux_addrs, w->min_flux_spread);
		else
			add(&r, "flux-like spread, but no second answer set with new addresses yet, and the "
			        "broadest answer spans %u %s (flux from one answer needs %.0f)",
			    f->breadth_nets, f->breadth_asn ? "ASNs" : "/16 prefixes", w->breadth_nets);
	}
	if (f->n_addrs == 0)
		add(&r, "Holz flux-score not computed: no addresses to count");
	else if (f->n_asn_known > 0)
		add(&r, "Holz flux-score %.1f (%u addresses, %u ASNs%s): %s",
		    det_holz(f->holz_na, f->holz_nasn), f->holz_na, f->holz_nasn,
		    f->holz_two_lookups ? ", two lookups one TTL apart" : ", one lookup",
		    det_holz(f->holz_na, f->holz_nasn) > 0 ? "flux" : "not flux");
	else
		add(&r, "Holz flux-score not computed: it needs ASN data and none is available");

	/* the three largest contributions */
	const struct det_term *top[DET_N_TERMS];
	int nt = 0;
	for (int t = 0; t < DET_N_TERMS; t++)
		if (ev->terms[t].available && ev->terms[t].contribution != 0)
			top[nt++] = &ev->terms[t];
	qsort(top, (size_t)nt, sizeof *top, cmp_contrib);
	if (nt > 0) {
		char line[256];
		int n = snprintf(line, sizeof line, "score %.0f (logit %.2f); largest terms:", ev->score,
		                 ev->logit);
		for (int i = 0; i < nt && i < 3 && (size_t)n < sizeof line; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, "%s %s %+.2f", i ? "," : "",
			              top[i]->name, top[i]->contribution);
		add(&r, "%s", line);
	}
	*out = r.v;
	return r.n;
}
