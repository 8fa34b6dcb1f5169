/* Unit tests for the JSON output buffer (src/util/json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json.h"

static const char *
done(struct json_buf *jb)
{
	json_char(jb, '\0');
	return jb->b;
}

static void
test_strings(void **state)
{
	struct json_buf jb;
	(void)state;

	json_buf_init(&jb);
	json_str(&jb, "plain.example");
	assert_string_equal(done(&jb), "\"plain.example\"");
	jb.len = 0;
	json_str(&jb, "a\"b\\c");
	assert_string_equal(done(&jb), "\"a\\\"b\\\\c\"");
	jb.len = 0;
	json_str(&jb, "\b\f\n\r\t\x01\x1f\x7f");
	assert_string_equal(done(&jb), "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"");
	jb.len = 0;
	json_str(&jb, "\xc3\xa9\xff");
	assert_string_equal(done(&jb), "\"\\u00c3\\u00a9\\u00ff\"");
	jb.len = 0;
	json_strn(&jb, "a\0b", 3);
	assert_string_equal(done(&jb), "\"a\\u0000b\"");
	jb.len = 0;
	json_str(&jb, NULL);
	assert_string_equal(done(&jb), "null");
	jb.len = 0;
	json_str(&jb, "");
	assert_string_equal(done(&jb), "\"\"");

	/* every octet, growing the buffer past its first size */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	jb.len = 0;
	for (int k = 0; k < 100; k++)
		json_str(&jb, all);
	json_char(&jb, '\0');
	for (const char *p = jb.b; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	json_buf_fini(&jb);
}

static void
test_numbers(void **state)
{
	struct json_buf jb;
	(void)state;

	json_buf_init(&jb);
	json_u64(&jb, 0);
	json_char(&jb, ' ');
	json_u64(&jb, 18446744073709551615u);
	json_char(&jb, ' ');
	json_i64(&jb, INT64_MIN);
	json_char(&jb, ' ');
	json_i64(&jb, 42);
	assert_string_equal(done(&jb), "0 18446744073709551615 -9223372036854775808 42");
	jb.len = 0;
	json_ts(&jb, 1779223218254496LL);
	json_char(&jb, ' ');
	json_ts(&jb, 5);
	json_char(&jb, ' ');
	json_ts(&jb, -1500000);
	json_char(&jb, ' ');
	json_ts(&jb, 0);
	assert_string_equal(done(&jb), "1779223218.254496 0.000005 -1.500000 0.000000");
	json_buf_fini(&jb);
}

static void
test_addr(void **state)
{
	struct json_buf jb;
	fs_addr a;
	static const char *const cases[] = { "0.0.0.0", "255.255.255.255", "10.0.100.9", "1.22.3.44",
	                                      "2001:db8::1", "::ffff:192.0.2.1", "::" };
	(void)state;

	json_buf_init(&jb);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[64];
		assert_int_equal(fs_addr_parse(cases[i], &a), 0);
		jb.len = 0;
		json_addr(&jb, &a);
		snprintf(want, sizeof want, "\"%s\"", cases[i]);
		assert_string_equal(done(&jb), want);
	}
	/* every IPv4 octet value, against inet_ntop */
	for (int v = 0; v < 256; v++) {
		char want[64], b[FS_ADDR_STRLEN];
		memset(&a, 0, sizeof a);
		a.family = 4;
		a.bytes[0] = (uint8_t)v;
		a.bytes[1] = (uint8_t)(255 - v);
		a.bytes[2] = (uint8_t)(v / 3);
		a.bytes[3] = (uint8_t)(v * 7);
		snprintf(want, sizeof want, "\"%s\"", fs_addr_str(&a, b, sizeof b));
		jb.len = 0;
		json_addr(&jb, &a);
		assert_string_equal(done(&jb), want);
	}
	json_buf_fini(&jb);
}

static void
test_flush(void **state)
{
	struct json_buf jb;
	char out[64] = { 0 };
	(void)state;

	FILE *f = fmemopen(out, sizeof out, "w");
	assert_non_null(f);
	json_buf_init(&jb);
	json_lit(&jb, "{\"a\":");
	json_u64(&jb, 1);
	json_char(&jb, '}');
	assert_int_equal(json_buf_flush(&jb, f), 0);
	assert_int_equal(jb.len, 0);
	fclose(f);
	assert_string_equal(out, "{\"a\":1}");
	json_buf_fini(&jb);
}

static void
test_fput_str(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	char big[1000];
	(void)state;

	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_fput_str(f, "a\"b\\c\n\x01\xc3\xa9", true);
	fputc(' ', f);
	json_fput_str(f, "\xc3\xa9\x7f", false);
	fputc(' ', f);
	json_fput_str(f, NULL, true);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\" \"\\u00c3\\u00a9\\u007f\" null");
	free(buf);

	/* longer than one internal chunk: every octet kept, escapes across the chunk edge */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[255] = '"';
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_fput_str(f, big, true);
	fclose(f);
	assert_int_equal(len, (sizeof big - 1) + 1 + 2);
	assert_memory_equal(buf + 256, "\\\"", 2);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_fput_str),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
