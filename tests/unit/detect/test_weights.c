/* The weights file: the shipped share/detect.conf equals the compiled-in defaults, and every
 * kind of mistake is one error naming the file and line. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect_int.h"

static void
same(double a, double b)
{
	if (isnan(a) && isnan(b))
		return;
	assert_true(fabs(a - b) < 1e-12);
}

static void
test_shipped_equals_defaults(void **state)
{
	(void)state;
	struct det_weights def, file;
	struct fs_err err = { 0 };

	det_weights_default(&def);
	/* start the file from zeros: every value must come from the file itself */
	memset(&file, 0, sizeof file);
	for (int i = 0; i < DET_N_TERMS; i++)
		file.w_noasn[i] = NAN;
	assert_int_equal(det_weights_load(&file, "share/detect.conf", &err), FS_OK);
	same(def.bias, file.bias);
	same(def.ns_bias, file.ns_bias);
	for (int i = 0; i < DET_N_TERMS; i++) {
		same(def.w[i], file.w[i]);
		same(def.w_noasn[i], file.w_noasn[i]);
		same(def.ns_w[i], file.ns_w[i]);
	}
	same(def.flux_score, file.flux_score);
	same(def.suspicious_score, file.suspicious_score);
	same(def.double_flux_ns_score, file.double_flux_ns_score);
	same(def.breadth_nets, file.breadth_nets);
	same(def.breadth_addrs, file.breadth_addrs);
	same(def.wide_networks, file.wide_networks);
	same(def.wide_share, file.wide_share);
	same(def.wide_score, file.wide_score);
	same(def.scatter_addrs, file.scatter_addrs);
	same(def.scatter_max_ttl, file.scatter_max_ttl);
	same(def.rotation_networks, file.rotation_networks);
	same(def.spread_countries, file.spread_countries);
	same(def.zone_min_names, file.zone_min_names);
	same(def.zone_max_stable, file.zone_max_stable);
	same(def.zone_min_networks, file.zone_min_networks);
	same(def.zone_min_entropy, file.zone_min_entropy);
	same(def.zone_min_countries, file.zone_min_countries);
	same(def.zone_anchor_networks, file.zone_anchor_networks);
	same(def.zone_anchor_countries, file.zone_anchor_countries);
	same(def.provider_customers, file.provider_customers);
	same(def.provider_max_asns, file.provider_max_asns);
	same(def.pool_siblings, file.pool_siblings);
	same(def.pool_country_share, file.pool_country_share);
	same(def.pool_recur_share, file.pool_recur_share);
	same(def.min_flux_addrs, file.min_flux_addrs);
	same(def.min_flux_spread, file.min_flux_spread);
	same(def.pool_min_answers, file.pool_min_answers);
	same(def.pool_max_novelty, file.pool_max_novelty);
	same(def.pool_min_sightings, file.pool_min_sightings);
	same(def.cdn_asn_share, file.cdn_asn_share);
	same(def.cdn_max_p16_entropy, file.cdn_max_p16_entropy);
	same(def.cdn_max_novelty, file.cdn_max_novelty);
	same(def.cluster_min_shared, file.cluster_min_shared);
	same(def.cluster_min_score, file.cluster_min_score);
	/* and every term of the model has a weight line in the file */
	for (int i = 0; i < DET_N_TERMS; i++)
		assert_true(file.w[i] != 0);
}

static void
expect_error(const char *text, const char *msg)
{
	struct det_weights w;
	struct fs_err err = { 0 };
	det_weights_default(&w);
	assert_int_equal(det_weights_parse(&w, text, "t.conf", &err), FS_E_FORMAT);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("expected '%s' in '%s'", msg, err.msg);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("bias = 1\n\n# c\nweight.nosuch = 1\n", "t.conf:4: unknown term in 'weight.nosuch'");
	expect_error("bias = 1\nfoo = 2\n", "t.conf:2: unknown key 'foo'");
	expect_error("\n\nbias 1\n", "t.conf:3: expected 'key = value'");
	expect_error("bias = abc\n", "t.conf:1: 'abc' is not a number (key 'bias')");
	expect_error("bias = 1x\n", "t.conf:1: '1x' is not a number");
	expect_error("bias =\n", "t.conf:1: '' is not a number");
	expect_error("bias = 1\r\nbias = 2\r\n", "t.conf:2: key 'bias' given twice");
	expect_error("threshold.flux = 120\n", "t.conf:1: threshold.flux = 120 is out of range");
	expect_error("ns.weight.novelty = 1\n", "t.conf:1: 'novelty' is not a nameserver term");
	expect_error(" = 3\n", "t.conf:1: missing key");
	expect_error("threshold.suspicious = 90\nthreshold.flux = 70\n", "threshold.suspicious (90) is above");
	expect_error("weight.intel = nan\n", "is not a number");
}

static void
test_values(void **state)
{
	(void)state;
	struct det_weights w;
	struct fs_err err = { 0 };
	det_weights_default(&w);
	assert_int_equal(det_weights_parse(&w,
	    "# comment\n  bias = -5.5   # trailing\nweight.novelty=4\nweight_noasn.addr_count = 2\n"
	    "ns.weight.ns_churn = 0.25\nthreshold.flux = 90\n", "t.conf", &err), FS_OK);
	assert_true(w.bias == -5.5);
	assert_true(w.w[DET_T_novelty] == 4);
	assert_true(w.w_noasn[DET_T_addr_count] == 2);
	assert_true(w.ns_w[DET_T_ns_churn] == 0.25);
	assert_true(w.flux_score == 90);
	/* untouched keys keep their defaults */
	struct det_weights d;
	det_weights_default(&d);
	assert_true(w.w[DET_T_jaccard] == d.w[DET_T_jaccard]);
}

static void
test_missing_file(void **state)
{
	(void)state;
	struct det_weights w;
	struct fs_err err = { 0 };
	det_weights_default(&w);
	assert_int_equal(det_weights_load(&w, "tests/data/no-such-weights.conf", &err), FS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "tests/data/no-such-weights.conf"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_equals_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
