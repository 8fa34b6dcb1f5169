/* The Holz score, the logistic model's arithmetic, verdict rules, guards and reasons. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_int.h"

static struct det_weights W;

static struct det_feat
flux_feat(void)
{
	/* 20 addresses in 15 ASNs and 10 countries over 25 minutes, TTL 300, every answer new */
	struct det_feat f;
	memset(&f, 0, sizeof f);
	f.n_obs = 6; f.n_fresh = 6; f.n_sets = 6; f.periods = 6; f.span_s = 1500;
	f.n_addrs = 20; f.max_per_resp = 4; f.mean_per_resp = 3.5;
	f.n_asn_known = 20; f.n_asns = 15; f.as_fraction = 14.0 / 19; f.asn_entropy = 3.8;
	f.n_p16 = 18; f.p16_entropy = 0.95; f.n_p24 = 20; f.p24_entropy = 1.0;
	f.n_p16_fam = 18; f.n_p24_fam = 20;
	f.n_cc_known = 20; f.n_countries = 10; f.country_entropy = 3.2;
	f.n_located = 20; f.max_km = 15000;
	f.n_resolvers = 2; f.local_km = 14000; f.local_p16_entropy = 0.95;
	f.ttl = 300; f.ttl_min = 280; f.n_ttls = 1;
	f.comparisons = 5; f.changes = 5; f.change_frac = 1; f.changes_per_hour = 12; f.jaccard = 1;
	f.replace_s = 300; f.replace_ttls = 1; f.novelty = 0.9; f.novelty_late = 0.9;
	f.mean_sightings = 1.05; f.holz_na = 10; f.holz_nasn = 7; f.holz_two_lookups = true;
	return f;
}

static struct det_feat
benign_feat(void)
{
	struct det_feat f;
	memset(&f, 0, sizeof f);
	f.n_obs = 10; f.n_fresh = 10; f.n_sets = 1; f.periods = 10; f.span_s = 36000;
	f.n_addrs = 1; f.max_per_resp = 1; f.mean_per_resp = 1; f.n_asn_known = 1; f.n_asns = 1;
	f.n_p16 = 1; f.n_p24 = 1; f.n_p16_fam = 1; f.n_p24_fam = 1; f.n_cc_known = 1; f.n_countries = 1; f.n_located = 1; f.max_km = -1;
	f.n_resolvers = 1; f.local_km = -1; f.local_p16_entropy = 0;
	f.ttl = 3600; f.ttl_min = 3600; f.n_ttls = 1; f.comparisons = 9; f.replace_s = -1;
	f.replace_ttls = -1; f.mean_sightings = 10; f.holz_na = 1; f.holz_nasn = 1;
	return f;
}

static struct det_context
ctx(const char *name)
{
	struct det_context c;
	memset(&c, 0, sizeof c);
	c.name = name;
	return c;
}

static bool
has_reason(const struct det_feat *f, const struct det_context *cx, const struct det_eval *ev,
           const char *needle)
{
	char **r;
	int n = det_model_reasons(&W, f, cx, ev, &r);
	bool found = false;
	for (int i = 0; i < n; i++) {
		if (strstr(r[i], needle) != NULL)
			found = true;
		free(r[i]);
	}
	free(r);
	if (!found) {
		n = det_model_reasons(&W, f, cx, ev, &r);
		for (int i = 0; i < n; i++) {
			print_message("  reason: %s\n", r[i]);
			free(r[i]);
		}
		free(r);
	}
	return found;
}

static void
test_holz(void **state)
{
	(void)state;
	/* 1.32·nA + 18.54·nASN − 142.38 */
	assert_true(fabs(det_holz(6, 5) - (-41.76)) < 1e-9);
	assert_true(fabs(det_holz(10, 7) - 0.6) < 1e-9);          /* just over: flux */
	assert_true(fabs(det_holz(100, 1) - 8.16) < 1e-9);
	assert_true(fabs(det_holz(0, 0) - (-142.38)) < 1e-9);
	assert_true(fabs(det_holz(2, 1) - (-121.2)) < 1e-9);
	assert_true(fabs(det_as_fraction(6, 5) - 0.8) < 1e-12);
	assert_true(det_as_fraction(1, 1) == 0);
	assert_true(fabs(det_jaccard_distance((uint32_t[]){ 1, 2, 3 }, 3, (uint32_t[]){ 2, 3, 4 }, 3) - 0.5) < 1e-12);
	/* entropy: four equal buckets = 2 bits; normalised by log2(4 items) = 1 */
	uint32_t c[] = { 1, 1, 1, 1 };
	assert_true(fabs(det_entropy(c, 4) - 2.0) < 1e-12);
	assert_true(fabs(det_entropy_norm(c, 4, 4) - 1.0) < 1e-12);
	uint32_t c2[] = { 3, 1 };   /* −(¾log2¾ + ¼log2¼) = 0.811278 */
	assert_true(fabs(det_entropy(c2, 2) - 0.811278) < 1e-6);
	assert_true(fabs(det_entropy_norm(c2, 2, 4) - 0.405639) < 1e-6);
}

static void
test_logit_arithmetic(void **state)
{
	(void)state;
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("flux.example");
	struct det_eval ev;
	det_model_eval(&W, &f, &cx, &ev);
	double sum = W.bias;
	for (int t = 0; t < DET_N_TERMS; t++) {
		const struct det_term *tm = &ev.terms[t];
		assert_string_equal(tm->name, det_term_names[t]);
		if (tm->available)
			assert_true(fabs(tm->contribution - tm->weight * tm->value) < 1e-12);
		else
			assert_true(tm->contribution == 0);
		sum += tm->contribution;
	}
	assert_true(fabs(sum - ev.logit) < 1e-9);
	assert_true(fabs(ev.score - 100 / (1 + exp(-ev.logit))) < 1e-9);
	/* transforms: log2(20) addresses; TTL 300 → log2(3600/300) = log2 12; the per-resolver
	 * distance / 10000 km */
	assert_true(fabs(ev.terms[DET_T_addr_count].value - log2(20)) < 1e-12);
	assert_true(fabs(ev.terms[DET_T_ttl_low].value - log2(12)) < 1e-12);
	assert_true(fabs(ev.terms[DET_T_geo_spread].value - 1.4) < 1e-12);
	assert_true(ev.terms[DET_T_geo_spread].raw == 14000);
	assert_true(fabs(ev.terms[DET_T_replace_speed].value - 0.5) < 1e-12);
	assert_true(ev.terms[DET_T_ttl_low].raw == 300);
	/* without NS data the nameserver terms are unavailable */
	assert_false(ev.terms[DET_T_ns_churn].available);
	assert_true(ev.terms[DET_T_intel].available && ev.terms[DET_T_intel].value == 0);
}

static void
test_flux_from_evidence_not_time(void **state)
{
	(void)state;
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("flux.example");
	struct det_eval ev;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(ev.rotation);
	assert_true(ev.score >= W.flux_score);
	assert_true(has_reason(&f, &cx, &ev,
	    "20 addresses in 15 ASNs across 10 countries in 25 min; TTL 300 s; 5 of 5 answers changed"));
	assert_true(has_reason(&f, &cx, &ev, "Holz flux-score 0.6 (10 addresses, 7 ASNs, two lookups one TTL apart): flux"));

	/* one answer set so far and no broad answer: no rotation seen, not flux yet */
	f.n_sets = 1;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
	f.n_sets = 6;
	/* rotation seen only across resolvers (no change within one resolver yet) is enough */
	f.changes = 0; f.comparisons = 0;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	f.changes = 5; f.comparisons = 5;
	/* all of it inside one TTL period: time is never a gate */
	f.periods = 1; f.span_s = 20; f.replace_ttls = 0.05; f.growth = 0;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "flux from 6 responses (6 answer sets) in 20 s from 2 resolvers: later answers brought new addresses"));

	/* one response: flux only when that one answer spans enough networks (Holz's one lookup) */
	f.n_obs = 1; f.n_fresh = 1; f.n_sets = 1; f.periods = 1; f.comparisons = 0; f.changes = 0;
	f.change_frac = 0; f.changes_per_hour = 0; f.jaccard = 0; f.novelty = 0; f.replace_ttls = -1;
	f.span_s = 0; f.n_resolvers = 1;
	f.breadth_nets = 3; f.breadth_addrs = 20; f.breadth_asn = true;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
	assert_false(ev.breadth);
	assert_true(has_reason(&f, &cx, &ev, "in a single response"));
	assert_true(has_reason(&f, &cx, &ev, "flux-like spread, but no second answer set with new addresses yet, and the broadest answer spans 3 ASNs (flux from one answer needs 4)"));
	f.breadth_nets = 15;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(ev.breadth && !ev.rotation);
	assert_true(has_reason(&f, &cx, &ev, "flux from 1 response from 1 resolver: one answer spans many ASNs"));
	/* few addresses in that answer: not broad, whatever the networks */
	f.breadth_addrs = 3; f.breadth_nets = 3;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
}

static void
test_double_flux(void **state)
{
	(void)state;
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("flux.example");
	struct det_eval ev;
	/* a stable zone: 2 names, 4 addresses, TTL 86400: single flux */
	f.have_ns = true; f.n_ns_obs = 3; f.n_ns_names = 2; f.ns_ttl = 86400; f.n_ns_addrs = 4;
	f.n_ns_asns = 1;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(ev.ns_score < W.double_flux_ns_score);
	/* NS set changed 4 times, TTL 300, 24 NS addresses in 18 ASNs, half of them flux agents */
	f.n_ns_changes = 4; f.ns_ttl = 300; f.n_ns_addrs = 24; f.n_ns_asns = 18; f.n_ns_agents = 12;
	f.ns_overlap = 0.5; f.n_ns_names = 9;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_DOUBLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "nameservers: 9 names, 4 NS-set changes, 24 NS addresses in 18 ASNs; NS TTL 300 s"));
	assert_true(has_reason(&f, &cx, &ev, "12 of 24 nameserver addresses also answer as flux agents"));
	/* NS flux alone, with a benign address layer: suspicious, not double flux */
	struct det_feat b = benign_feat();
	b.have_ns = f.have_ns; b.n_ns_obs = 5; b.n_ns_changes = 4; b.ns_ttl = 300; b.n_ns_addrs = 24;
	b.n_ns_asns = 18; b.n_ns_agents = 12; b.ns_overlap = 0.5; b.n_ns_names = 9;
	det_model_eval(&W, &b, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
}

static void
test_allowlist_guards(void **state)
{
	(void)state;
	struct det_allow a;
	struct fs_err err = { 0 };
	det_allow_init(&a);
	assert_int_equal(det_allow_parse(&a, "cdn akamaiedge.net Akamai\npool pool.ntp.org NTP Pool\n"
	                                     "domain corp.example Our own\n", "al.conf", &err), FS_OK);
	struct det_feat f = flux_feat();
	struct det_eval ev;
	struct det_context cx = ctx("www.shop.example");
	cx.has_cname = true;
	cx.allow = det_allow_match_name(&a, "e1.dscx.akamaiedge.net");
	cx.allow_via = "e1.dscx.akamaiedge.net";
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	assert_true(ev.allowlisted);
	assert_true(has_reason(&f, &cx, &ev, "CNAME chain reaches e1.dscx.akamaiedge.net, a listed CDN/cloud name (Akamai, al.conf:1)"));

	cx = ctx("0.pool.ntp.org");
	cx.allow = det_allow_match_name(&a, cx.name);
	cx.allow_via = cx.name;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_POOL);
	assert_true(has_reason(&f, &cx, &ev, "name is under pool.ntp.org, a listed pool (NTP Pool, al.conf:2)"));

	/* allowlisted names stay unflagged even with an intel hit */
	cx = ctx("mail.corp.example");
	cx.allow = det_allow_match_name(&a, cx.name);
	cx.intel_feed = "bad.txt";
	cx.intel_what = "domain corp.example";
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_BENIGN);
	assert_false(det_is_flux(ev.verdict));
	det_allow_fini(&a);
}

static void
test_cdn_network_guard_never_by_asn_alone(void **state)
{
	(void)state;
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("img.shop.example");
	struct det_eval ev;
	cx.cdn_asn_share = 0.95;
	cx.cdn_asn_label = "Akamai";
	/* listed network, but spread over many /16s, no CNAME and always new: still flux */
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	/* with a CNAME chain as the second sign: cdn */
	cx.has_cname = true;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	assert_false(ev.allowlisted);
	assert_true(has_reason(&f, &cx, &ev, "95% of addresses are in listed CDN/cloud networks (Akamai) and the name is a CNAME alias"));
	/* or each resolver given addresses in few /16 prefixes */
	cx.has_cname = false;
	f.local_p16_entropy = 0.3;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	assert_true(has_reason(&f, &cx, &ev, "each resolver is given addresses in few /16 prefixes"));
	/* or nearby addresses for each resolver (GeoDNS), though far apart overall */
	f.local_p16_entropy = 0.9;
	f.local_km = 3000;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	assert_true(has_reason(&f, &cx, &ev, "each resolver is given nearby addresses (GeoDNS)"));
	f.local_km = 14000;
	/* or the target of other names' CNAME chains */
	cx.is_cname_target = true;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	cx.is_cname_target = false;
	/* addresses in prefixes that also answer allowlisted CDN names: a second sign at 50%,
	 * alone at 80% */
	cx.cdn_shared_share = 0.6;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	cx.cdn_asn_share = 0;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	cx.cdn_shared_share = 0.9;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_CDN);
	assert_true(has_reason(&f, &cx, &ev, "90% of addresses are in /24 prefixes that also answer names on the CDN allowlist"));
	cx.cdn_shared_share = 0;
	cx.cdn_asn_share = 0.95;
	/* below the share: not the guard */
	cx.cdn_asn_share = 0.5;
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(det_is_flux(ev.verdict) || ev.verdict == DET_SUSPICIOUS);
	assert_int_not_equal(ev.verdict, DET_CDN);
}

static void
test_recurring_pool_guard(void **state)
{
	(void)state;
	/* pool behaviour: wide spread, low TTL, but 24 addresses recurring over 60 fresh
	 * answers with nothing new in the second half */
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("time.pool.example");
	struct det_eval ev;
	f.n_obs = f.n_fresh = 60; f.n_sets = 60; f.periods = 60; f.n_addrs = 24; f.n_asns = 20;
	f.n_asn_known = 24; f.novelty = 0.15; f.novelty_late = 0.0; f.mean_sightings = 6;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_POOL);
	assert_string_equal(ev.guard, "recurring-pool");
	assert_true(has_reason(&f, &cx, &ev, "bounded pool: 24 addresses recur, each seen 6.0 times on average; 0% new in the later answers"));
	/* the same while the set still grows: not a pool */
	f.novelty_late = 0.6;
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(det_is_flux(ev.verdict));
	/* nor a recurring set larger than a round robin (guard.pool.max_addresses) */
	f.novelty_late = 0.0;
	f.n_addrs = f.n_asn_known = 120;
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(det_is_flux(ev.verdict));
	f.n_addrs = f.n_asn_known = 24;
	/* narrow recurring set: a round robin, benign */
	f.n_asns = 1; f.n_p24 = f.n_p24_fam = 2; f.n_p16 = f.n_p16_fam = 1;
	det_model_eval(&W, &f, &cx, &ev);
	if (ev.score >= W.suspicious_score) {
		assert_int_equal(ev.verdict, DET_BENIGN);
		assert_string_equal(ev.guard, "round-robin");
	} else
		assert_int_equal(ev.verdict, DET_BENIGN);
	f.n_asns = 20; f.n_p24 = f.n_p24_fam = 20; f.n_p16 = f.n_p16_fam = 18;
	/* a recurring set with double-flux nameservers is not excused */
	f.novelty_late = 0.0;
	f.have_ns = true; f.n_ns_obs = 5; f.n_ns_changes = 4; f.ns_ttl = 300; f.n_ns_addrs = 24;
	f.n_ns_asns = 18; f.ns_overlap = 0.5; f.n_ns_agents = 12; f.n_ns_names = 9;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_DOUBLE_FLUX);
}

static void
test_intel_and_benign(void **state)
{
	(void)state;
	struct det_feat f = benign_feat();
	struct det_context cx = ctx("quiet.example");
	struct det_eval ev;
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_BENIGN);
	assert_true(ev.score < 5);
	assert_true(has_reason(&f, &cx, &ev, "1 address in 1 ASN across 1 country in 10.0 h; TTL 3600 s; 0 of 9 answers changed"));
	cx.intel_feed = "c2.csv";
	cx.intel_what = "domain quiet.example";
	det_model_eval(&W, &f, &cx, &ev);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
	assert_true(ev.terms[DET_T_intel].contribution == W.w[DET_T_intel]);
	assert_true(has_reason(&f, &cx, &ev, "listed in intel feed c2.csv (domain quiet.example)"));
}

static void
test_no_asn_data(void **state)
{
	(void)state;
	struct det_feat f = flux_feat();
	struct det_context cx = ctx("flux.example");
	struct det_eval ev;
	f.n_asn_known = 0; f.n_asns = 0; f.as_fraction = 0; f.asn_entropy = 0; f.holz_nasn = 0;
	f.n_cc_known = 0; f.n_countries = 0; f.country_entropy = 0; f.n_located = 0; f.max_km = -1;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.terms[DET_T_asn_count].available);
	assert_false(ev.terms[DET_T_country_count].available);
	assert_false(ev.terms[DET_T_geo_spread].available);
	/* prefix terms carry the weight instead */
	assert_true(ev.terms[DET_T_prefix16_entropy].weight == W.w_noasn[DET_T_prefix16_entropy]);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "20 addresses in 18 /16 prefixes in 25 min"));
	assert_true(has_reason(&f, &cx, &ev, "Holz flux-score not computed: it needs ASN data"));
}

/* A few addresses, one answer set: TTL 180, every address in an ASN of its own. */
static struct det_feat
scatter_feat(uint32_t addrs, uint32_t countries)
{
	struct det_feat f;
	memset(&f, 0, sizeof f);
	f.n_obs = 2; f.n_fresh = 1; f.n_sets = 1; f.periods = 1; f.span_s = 20;
	f.n_addrs = addrs; f.max_per_resp = addrs; f.mean_per_resp = addrs;
	f.n_asn_known = addrs; f.n_asns = addrs; f.as_fraction = 1; f.asn_entropy = log2(addrs);
	f.n_p16 = f.n_p24 = f.n_p16_fam = f.n_p24_fam = addrs; f.p16_entropy = f.p24_entropy = 1;
	f.n_cc_known = addrs; f.n_countries = countries; f.country_entropy = log2(countries);
	f.n_resolvers = 1; f.max_km = -1; f.local_km = -1; f.local_p16_entropy = 1;
	f.ttl = 180; f.ttl_min = 170; f.n_ttls = 1; f.replace_s = f.replace_ttls = -1;
	f.mean_sightings = 1; f.holz_na = addrs; f.holz_nasn = addrs;
	f.breadth_nets = addrs; f.breadth_addrs = addrs; f.breadth_asn = true;
	f.scatter_addrs = addrs; f.scatter_ccs = countries;
	return f;
}

static void
test_scatter_and_rotation_spread(void **state)
{
	(void)state;
	struct det_context cx = ctx("scatter.example");
	struct det_eval ev;

	/* one lookup of 3 addresses in 3 ASNs across 3 countries: flux, at a score far below the
	 * broad-answer rule's (and with too few networks for it) */
	struct det_feat f = scatter_feat(3, 3);
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(ev.score < W.wide_score);
	assert_false(ev.breadth);
	assert_true(ev.scatter);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "flux from 2 responses in 20 s from 1 resolver: one lookup "
	                                     "of 3 addresses, each in an ASN of its own, across 3 countries"));
	/* two countries: a site on two hosters, or a mirror list — not flux */
	f = scatter_feat(3, 2);
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.scatter);
	assert_false(det_is_flux(ev.verdict));
	/* a long TTL: no agent churn to hide (www.postgresql.org: 3 ASNs, 3 countries, 900 s) */
	f = scatter_feat(3, 3);
	f.ttl = 900;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(det_is_flux(ev.verdict));
	/* fetched again after its TTL ran out and unchanged: static hosts */
	f = scatter_feat(3, 3);
	f.comparisons = 2; f.changes = 0; f.n_fresh = 3;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(det_is_flux(ev.verdict));
	/* a zone row: siblings' answers are no one lookup */
	f = scatter_feat(3, 3);
	cx.zone = true;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(det_is_flux(ev.verdict));
	cx.zone = false;
	/* two of the addresses in one ASN: not every address has a network of its own */
	f = scatter_feat(3, 3);
	f.scatter_addrs = 0; f.scatter_ccs = 0; f.n_asns = 2; f.breadth_nets = 2;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(det_is_flux(ev.verdict));

	/* rotation across countries: 12 addresses in 3 ASNs across 3 countries, two answer sets,
	 * the second all new — flux, though the score is below the rotation rule's */
	f = scatter_feat(12, 3);
	f.n_fresh = 2; f.n_sets = 2; f.n_asns = 3; f.as_fraction = 2.0 / 11; f.asn_entropy = 1.5;
	f.n_p16 = f.n_p16_fam = 5; f.p16_entropy = 0.6; f.mean_per_resp = 6; f.max_per_resp = 6;
	f.novelty = 1; f.jaccard = 1; f.changes = 1; f.comparisons = 1; f.change_frac = 1;
	f.breadth_nets = 2; f.breadth_addrs = 6; f.scatter_addrs = 0; f.scatter_ccs = 0;
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(ev.score < W.flux_score);
	assert_true(ev.rotation && ev.rot_spread);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "later answers brought new addresses, across several "
	                                     "networks and countries"));
	/* the same rotation inside one provider's region (a cloud load balancer: one ASN, one
	 * country, many /16s), or between two hosters in two countries: not by this rule */
	f.n_asns = 1; f.n_countries = 1; f.n_p16 = f.n_p16_fam = 12;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.rot_spread);
	assert_false(det_is_flux(ev.verdict));
	/* a strong rotation (score over the rotation rule's) inside one ASN in one country on a
	 * name reached through a CNAME: a cloud region's load balancer, not flux, and the reason
	 * says why; the same in a listed cloud network without a CNAME (a Route 53 alias) too */
	{
		struct det_feat g = f;
		g.n_addrs = 60; g.n_p24 = g.n_p24_fam = 60; g.growth = 30; g.ttl = 60; g.n_asn_known = 60;
		g.n_cc_known = 60;
		cx.is_cname_target = true;
		det_model_eval(&W, &g, &cx, &ev);
		assert_true(ev.score >= W.flux_score);
		assert_true(ev.rotation && ev.one_network);
		assert_int_equal(ev.verdict, DET_SUSPICIOUS);
		assert_true(has_reason(&g, &cx, &ev, "every address in one ASN in one country"));
		cx.is_cname_target = false;
		cx.has_cname = true;
		det_model_eval(&W, &g, &cx, &ev);
		assert_true(ev.one_network);
		assert_int_equal(ev.verdict, DET_SUSPICIOUS);
		cx.has_cname = false;
		cx.cdn_asn_share = 1;
		det_model_eval(&W, &g, &cx, &ev);
		assert_true(ev.one_network);
		assert_false(det_is_flux(ev.verdict));
		cx.cdn_asn_share = 0;
		/* the name owns its addresses in a network no list names (a bulletproof hoster's
		 * flux): the rotation rule applies */
		det_model_eval(&W, &g, &cx, &ev);
		assert_false(ev.one_network);
		assert_true(det_is_flux(ev.verdict));
		/* two ASNs: the rotation rule applies, CNAME or not */
		g.n_asns = 2;
		cx.is_cname_target = true;
		det_model_eval(&W, &g, &cx, &ev);
		assert_false(ev.one_network);
		assert_true(det_is_flux(ev.verdict));
		cx.is_cname_target = false;
	}
	f.n_asns = 2; f.n_countries = 2;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.rot_spread);
	assert_false(det_is_flux(ev.verdict));
	/* the same rotation in networks an intel feed lists (a bulletproof hoster on ASN-DROP),
	 * with a weaker score (fewer addresses, TTL 300 s): the intel hit alone, with less than
	 * half the addresses listed, leaves it suspicious … */
	f.n_addrs = 4; f.n_p24 = f.n_p24_fam = 4; f.n_p16 = f.n_p16_fam = 1; f.ttl = 600;
	f.p16_entropy = 0; f.p24_entropy = 1; f.asn_entropy = 0; f.as_fraction = 0; f.n_asns = 1;
	f.n_countries = 1; f.country_entropy = 0; f.max_km = 0; f.jaccard = 0.5;
	f.mean_per_resp = 2; f.max_per_resp = 2; f.breadth_addrs = 2; f.novelty = 0.5; f.growth = 0;
	cx.intel_feed = "asndrop.json";
	cx.intel_what = "address 192.0.2.1 in AS64500";
	cx.intel_asn_share = 0.4;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.hostile_rot);
	assert_int_equal(ev.verdict, DET_SUSPICIOUS);
	/* … most of them listed: flux */
	cx.intel_asn_share = 1;
	det_model_eval(&W, &f, &cx, &ev);
	assert_true(ev.hostile_rot);
	assert_int_equal(ev.verdict, DET_SINGLE_FLUX);
	assert_true(has_reason(&f, &cx, &ev, "later answers brought new addresses inside networks an "
	                                     "intel feed lists (100% of the addresses)"));
	/* … and a long TTL (a listed network's static site) is not flux */
	f.ttl = 3600;
	det_model_eval(&W, &f, &cx, &ev);
	assert_false(ev.hostile_rot);
	cx.intel_feed = NULL; cx.intel_what = NULL; cx.intel_asn_share = 0;
}

static void
test_verdict_names(void **state)
{
	(void)state;
	for (int v = 0; v < DET_VERDICT_COUNT; v++)
		assert_int_equal(det_verdict_parse(det_verdict_name((enum det_verdict)v)), v);
	assert_int_equal(det_verdict_parse("double-flux"), DET_DOUBLE_FLUX);
	assert_int_equal(det_verdict_parse("fluxy"), -1);
	assert_true(det_is_flagged(DET_SUSPICIOUS) && !det_is_flagged(DET_POOL));
}

static int
setup(void **state)
{
	(void)state;
	det_weights_default(&W);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holz),
		cmocka_unit_test(test_logit_arithmetic),
		cmocka_unit_test(test_flux_from_evidence_not_time),
		cmocka_unit_test(test_double_flux),
		cmocka_unit_test(test_allowlist_guards),
		cmocka_unit_test(test_cdn_network_guard_never_by_asn_alone),
		cmocka_unit_test(test_recurring_pool_guard),
		cmocka_unit_test(test_intel_and_benign),
		cmocka_unit_test(test_no_asn_data),
		cmocka_unit_test(test_scatter_and_rotation_spread),
		cmocka_unit_test(test_verdict_names),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
