/* The one JSON reader (src/decode/json.c) in both its grammars: what each accepts and refuses,
 * the bounds (depth, tokens, number length), every cut of a document, the unescaping shared by
 * the log readers and the tree, and text written by the project's JSON writer read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/json.h"
#include "util/json.h"

static struct jdoc logd, strictd;

/* Parse an exact-size copy (ASan sees a read past the end), kept until the doc's next parse:
 * the tokens point into it. */
static char *held[2];

static bool
parse(struct jdoc *d, const char *text, size_t len)
{
	char **h = &held[d == &strictd];

	free(*h);
	*h = malloc(len ? len : 1);
	memcpy(*h, text, len);
	return json_parse(d, *h, len);
}

static int
setup(void **state)
{
	(void)state;
	json_doc_init(&logd, JSON_LOG, JSON_LOG_DEPTH, JSON_LOG_TOKENS);
	json_doc_init(&strictd, JSON_STRICT, JV_MAX_DEPTH, 1u << 20);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_doc_fini(&logd);
	json_doc_fini(&strictd);
	free(held[0]);
	free(held[1]);
	return 0;
}

static bool
parses(struct jdoc *d, const char *text)
{
	return parse(d, text, strlen(text));
}

static void
test_both_grammars(void **state)
{
	(void)state;
	static const char *const both_ok[] = {
		"{}", "[]", "0", "-1.5e3", "\"\"", "true", " \n\t[ 1 , 2 ]\r\n", "{\"a\":[1,{\"b\":null}],\"c\":false}",
		"\"a\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	};
	static const char *const both_bad[] = {
		"", " ", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "{1:2}", "\"\\x\"", "\"a", "tru", "nul",
		"[1] 2", "\"\x01\"", "-", "[", "{\"a\":}", "\"\\u12g4\"", "'a'", "[1 2]",
	};
	for (size_t i = 0; i < sizeof both_ok / sizeof both_ok[0]; i++) {
		if (!parses(&logd, both_ok[i]) || !parses(&strictd, both_ok[i]))
			fail_msg("'%s' refused: %s%s", both_ok[i], logd.err, strictd.err);
		/* the same tokens either way */
		assert_int_equal(logd.n, strictd.n);
		for (uint32_t t = 1; t < logd.n; t++) {
			assert_int_equal(logd.tok[t].type, strictd.tok[t].type);
			assert_int_equal(logd.tok[t].start, strictd.tok[t].start);
			assert_int_equal(logd.tok[t].end, strictd.tok[t].end);
			assert_int_equal(logd.tok[t].next, strictd.tok[t].next);
			assert_int_equal(logd.tok[t].key, strictd.tok[t].key);
		}
	}
	for (size_t i = 0; i < sizeof both_bad / sizeof both_bad[0]; i++) {
		if (parses(&logd, both_bad[i]) || parses(&strictd, both_bad[i]))
			fail_msg("'%s' accepted", both_bad[i]);
		assert_true(logd.err[0] != '\0' && strictd.err[0] != '\0');
	}
	/* where and why */
	assert_false(parses(&strictd, "{\"a\":tru}"));
	assert_string_equal(strictd.err, "unexpected text");
	assert_int_equal(strictd.err_off, 5);
	assert_false(parses(&strictd, "[1,2"));
	assert_string_equal(strictd.err, "expected ',' or ']'");
}

/* What only the log grammar lets through, and what its string reader then makes of it. */
static void
test_log_leniency(void **state)
{
	char b[64];
	(void)state;

	/* an unpaired surrogate is kept as it is (CESU-style bytes), the strict grammar refuses */
	assert_true(parses(&logd, "{\"q\":\"a\\ud800b\"}"));
	assert_true(json_str_at(&logd, json_get(&logd, 0, "q"), b, sizeof b));
	assert_memory_equal(b, "a\xed\xa0\x80" "b", 6);
	assert_false(parses(&strictd, "\"a\\ud800b\""));
	assert_string_equal(strictd.err, "unpaired surrogate");
	assert_false(parses(&strictd, "\"\\udc00\""));
	/* \u0000: the line reads, the string does not */
	assert_true(parses(&logd, "{\"q\":\"x\\u0000\"}"));
	assert_false(json_str_at(&logd, json_get(&logd, 0, "q"), b, sizeof b));
	assert_false(parses(&strictd, "\"x\\u0000\""));
	/* bytes that are not UTF-8 pass in logs, not in session files */
	assert_true(parses(&logd, "\"\xc3\x28\""));
	assert_false(parses(&strictd, "\"\xc3\x28\""));
	assert_false(parses(&strictd, "\"\xed\xa0\x80\""));
	assert_false(parses(&strictd, "\"\xc0\xaf\""));
	assert_true(parses(&strictd, "\"\xf0\x9f\x98\x80\""));
	/* numbers: a run of number characters in logs (checked when read) */
	assert_true(parses(&logd, "[1.2.3]"));
	double v;
	assert_false(json_f64_at(&logd, json_child(&logd, 1), &v));
	assert_false(parses(&strictd, "[1.2.3]"));
	assert_true(parses(&logd, "01"));
	assert_false(parses(&strictd, "01"));
	assert_false(parses(&strictd, "1."));
	assert_false(parses(&strictd, "1e"));
	assert_true(parses(&strictd, "-0.5E+2"));
	assert_true(json_f64_at(&strictd, 1, &v) && v == -50);
	int64_t i;
	assert_true(parses(&logd, "{\"ts\":1712345678.25}"));
	assert_true(json_i64_at(&logd, json_get(&logd, 0, "ts"), &i) && i == 1712345678);
}

static void
test_bounds(void **state)
{
	char text[20000];
	(void)state;

	/* depth: containers open at once */
	for (unsigned depth = 30; depth <= 66; depth++) {
		memset(text, '[', depth);
		memset(text + depth, ']', depth);
		assert_int_equal(parse(&logd, text, 2 * depth), depth <= JSON_LOG_DEPTH);
		assert_int_equal(parse(&strictd, text, 2 * depth), depth <= JV_MAX_DEPTH);
	}
	assert_string_equal(strictd.err, "nested deeper than 64 levels");
	/* tokens: token 0 is "none", then the array, then each element */
	for (unsigned k = JSON_LOG_TOKENS - 3; k <= JSON_LOG_TOKENS; k++) {
		size_t o = 0;
		text[o++] = '[';
		for (unsigned e = 0; e < k; e++) {
			text[o++] = '0';
			text[o++] = ',';
		}
		text[o - 1] = ']';
		assert_int_equal(parse(&logd, text, o), k + 2 <= JSON_LOG_TOKENS);
		assert_true(parse(&strictd, text, o));
	}
	assert_string_equal(logd.err, "too many values");
	/* numbers: 64 characters in logs, 63 in the strict grammar */
	memset(text, '1', 65);
	assert_true(parse(&logd, text, 64));
	assert_false(parse(&logd, text, 65));
	assert_true(parse(&strictd, text, 63));
	assert_false(parse(&strictd, text, 64));
	assert_string_equal(strictd.err, "number too long");
}

/* Every proper prefix of a document is refused by both grammars (no value is complete before
 * the last byte), and nothing reads past it. */
static void
test_every_cut(void **state)
{
	static const char doc[] =
		"{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"caf\\u00e9.example\",\"answers\":"
		"[{\"rdata\":\"192.0.2.1\",\"ttl\":300},{\"rdata\":\"\\ud83d\\ude00\"}],\"ok\":true,"
		"\"n\":null,\"x\":-1.25e-3}}";
	size_t len = sizeof doc - 1;
	(void)state;

	assert_true(parse(&logd, doc, len));
	assert_true(parse(&strictd, doc, len));
	for (size_t cut = 0; cut < len; cut++) {
		if (parse(&logd, doc, cut) || parse(&strictd, doc, cut))
			fail_msg("cut at %zu accepted", cut);
	}
}

/* The writer's output for every byte value and for UTF-8 text reads back to the same string,
 * through the log tokens and through the tree. */
static void
test_writer_round_trip(void **state)
{
	struct json_buf jb;
	char in[300], out[2000];
	(void)state;

	for (int c = 1; c < 256; c++) {
		snprintf(in, sizeof in, "a%cb", (char)c);
		json_buf_init(&jb);
		json_str(&jb, in);
		assert_true(parse(&logd, jb.b, jb.len));
		assert_true(json_str_at(&logd, 1, out, sizeof out));
		/* the writer escapes what JSON needs; bytes >= 0x80 that are not UTF-8 are its own
		 * business, so only compare where the text went through as it was */
		if (c < 0x80)
			assert_string_equal(out, in);
		json_buf_fini(&jb);
	}
	/* a session's strings: written as UTF-8 (json_fput_str), read back by the tree */
	const char *text = "caf\xc3\xa9 \"quoted\" \\ back\tand \xf0\x9f\x98\x80 \x01";
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	fputs("{\"k\":", f);
	json_fput_str(f, text, true);
	fputs("}", f);
	fclose(f);
	struct jv *v = jv_parse(mem, memlen, out, sizeof out, NULL);
	if (v == NULL)
		fail_msg("%s: %s", mem, out);
	assert_string_equal(jv_str(jv_get(v, "k"), ""), text);
	assert_int_equal(jv_get(v, "k")->len, strlen(text));
	jv_free(v);
	free(mem);
	size_t off = 0;
	assert_null(jv_parse("[1,", 3, out, sizeof out, &off));
	assert_int_equal(off, 3);
	assert_non_null(strstr(out, "at byte 3"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_grammars),
		cmocka_unit_test(test_log_leniency),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_writer_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
