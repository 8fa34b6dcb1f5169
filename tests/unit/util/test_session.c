/* Sessions: the JSON reader, marks and notes, and session files (round trip, refusals,
 * capture fingerprints). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fluxscope/bgwrite.h"
#include "fluxscope/notes.h"
#include "fluxscope/session.h"
#include "decode/json.h"

static void
test_jsonr(void **state)
{
	static const char *good[] = {
		"{}", "[]", "0", "-1.5e3", "\"a\\u00e9\\ud83d\\ude00\"", "{\"a\":[1,{\"b\":null}],\"c\":true}",
		" \n\t[ 1 , 2 ]\r\n",
	};
	static const char *badj[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "\"\\x\"", "\"a", "tru", "[1] 2",
		"\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\x01\"", "\"\xc3\x28\"", "\"\xed\xa0\x80\"",
		"{1:2}", "nul",
	};
	char err[128], deep[300];
	size_t off;
	(void)state;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct jv *v = jv_parse(good[i], strlen(good[i]), err, sizeof err, &off);
		if (v == NULL)
			fail_msg("'%s' refused: %s", good[i], err);
		jv_free(v);
	}
	for (size_t i = 0; i < sizeof badj / sizeof badj[0]; i++) {
		struct jv *v = jv_parse(badj[i], strlen(badj[i]), err, sizeof err, &off);
		if (v != NULL)
			fail_msg("'%s' accepted", badj[i]);
	}
	static const char two[] = "{\"s\":\"caf\\u00e9 \\ud83d\\ude00\",\"n\":42,\"s\":\"last\"}";
	struct jv *v = jv_parse(two, strlen(two), err, sizeof err, &off);
	assert_non_null(v);
	assert_string_equal(jv_str(jv_get(v, "s"), ""), "last");
	assert_true(jv_num(jv_get(v, "n"), 0) == 42);
	assert_null(jv_get(v, "x"));
	jv_free(v);
	static const char one[] = "\"caf\\u00e9 \\ud83d\\ude00\"";
	v = jv_parse(one, strlen(one), err, sizeof err, &off);
	assert_non_null(v);
	assert_string_equal(v->s, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	jv_free(v);
	memset(deep, '[', sizeof deep);
	assert_null(jv_parse(deep, sizeof deep, err, sizeof err, &off));
	assert_non_null(strstr(err, "deeper"));
}

static void
test_notes(void **state)
{
	struct notes *n = notes_new();
	char key[300];
	struct fs_err err = { 0 };
	(void)state;

	assert_int_equal(notes_canon(NOTE_DOMAIN, " Evil.EXAMPLE. ", key, sizeof key, &err), FS_OK);
	assert_string_equal(key, "evil.example");
	assert_int_equal(notes_canon(NOTE_ADDR, "2001:DB8:0:0::1", key, sizeof key, &err), FS_OK);
	assert_string_equal(key, "2001:db8::1");
	assert_int_equal(notes_canon(NOTE_ASN, "as64500", key, sizeof key, &err), FS_OK);
	assert_string_equal(key, "AS64500");
	assert_int_equal(notes_canon(NOTE_ASN, "AS", key, sizeof key, &err), FS_E_ARG);
	assert_int_equal(notes_canon(NOTE_ADDR, "1.2.3", key, sizeof key, &err), FS_E_ARG);
	assert_int_equal(notes_canon(NOTE_DOMAIN, "a b", key, sizeof key, &err), FS_E_ARG);

	uint64_t g = notes_generation(n);
	assert_true(notes_mark(n, NOTE_DOMAIN, "evil.example", true));
	assert_false(notes_mark(n, NOTE_DOMAIN, "evil.example", true));
	assert_true(notes_generation(n) > g);
	assert_true(notes_set_text(n, NOTE_DOMAIN, "evil.example", "C2\tfor X"));
	assert_string_equal(notes_find(n, NOTE_DOMAIN, "evil.example")->text, "C2 for X");
	assert_null(notes_find(n, NOTE_ZONE, "evil.example"));   /* kinds are apart */
	/* Many marks, then most removed: lookups stay right through tombstones and compaction. */
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof key, "d%d.example", i);
		assert_true(notes_mark(n, NOTE_DOMAIN, key, true));
	}
	for (int i = 0; i < 2000; i += 3) {
		snprintf(key, sizeof key, "d%d.example", i);
		assert_true(notes_mark(n, NOTE_DOMAIN, key, false));
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof key, "d%d.example", i);
		assert_true((notes_find(n, NOTE_DOMAIN, key) != NULL) == (i % 3 != 0));
	}
	assert_int_equal(notes_marked(n, NOTE_DOMAIN), 1 + 2000 - 667);
	/* A note keeps an unmarked object. */
	assert_true(notes_mark(n, NOTE_DOMAIN, "evil.example", false));
	assert_non_null(notes_find(n, NOTE_DOMAIN, "evil.example"));
	assert_true(notes_set_text(n, NOTE_DOMAIN, "evil.example", ""));
	assert_null(notes_find(n, NOTE_DOMAIN, "evil.example"));
	assert_true(notes_clear(n));
	assert_int_equal(notes_marked(n, NOTE_DOMAIN), 0);
	notes_free(n);
}

static void
test_session_roundtrip(void **state)
{
	char dir[] = "/tmp/fs-sess-XXXXXX", path[256], cap[256];
	struct session *s, *t;
	struct fs_err err = { 0 };
	size_t idx;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/inv.session", dir);
	snprintf(cap, sizeof cap, "%s/a.pcap", dir);
	FILE *f = fopen(cap, "w");
	assert_non_null(f);
	for (int i = 0; i < 300000; i++)
		fputc(i & 0xff, f);
	fclose(f);

	s = session_new(path);
	assert_false(session_dirty(s));
	assert_int_equal(session_add_capture(s, cap, &idx, &err), FS_OK);
	assert_int_equal(idx, 0);
	notes_mark(s->notes, NOTE_DOMAIN, "evil.example", true);
	notes_set_text(s->notes, NOTE_DOMAIN, "evil.example", "caf\xc3\xa9 \"quoted\" \\ back");
	notes_mark(s->notes, NOTE_ASN, "AS64500", true);
	notes_set_text(s->notes, NOTE_NS, "ns1.evil.example", "rotates");
	session_set(s, &s->filter, "asns > 5 and not verdict = benign");
	session_set(s, &s->sort, "score");
	s->sort_desc = true;
	const char *views[] = { "detail evil.example tab=2" };
	session_set_views(s, views, 1);
	assert_true(session_dirty(s));
	assert_int_equal(session_save(s, &err), FS_OK);
	assert_false(session_dirty(s));

	assert_int_equal(session_load(path, &t, &err), FS_OK);
	assert_string_equal(t->filter, s->filter);
	assert_string_equal(t->sort, "score");
	assert_true(t->sort_desc);
	assert_int_equal(t->n_views, 1);
	assert_string_equal(t->views[0], views[0]);
	assert_int_equal(t->n_caps, 1);
	assert_string_equal(t->caps[0].hash, s->caps[0].hash);
	assert_int_equal(t->caps[0].size, 300000);
	assert_true(notes_find(t->notes, NOTE_DOMAIN, "evil.example")->marked);
	assert_string_equal(notes_find(t->notes, NOTE_DOMAIN, "evil.example")->text, "caf\xc3\xa9 \"quoted\" \\ back");
	assert_true(notes_find(t->notes, NOTE_ASN, "AS64500")->marked);
	assert_false(notes_find(t->notes, NOTE_NS, "ns1.evil.example")->marked);
	assert_false(session_dirty(t));
	assert_int_equal(session_check_capture(&t->caps[0], &err), FS_OK);

	/* The capture changes in its middle only... the fingerprint covers the first and last MiB;
	 * a file under 2 MiB is hashed whole. */
	f = fopen(cap, "r+");
	fseek(f, 150000, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(session_check_capture(&t->caps[0], &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "changed since the session was saved"));
	f = fopen(cap, "a");
	fputc('Y', f);
	fclose(f);
	assert_int_equal(session_check_capture(&t->caps[0], &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "300001 bytes"));
	unlink(cap);
	assert_int_equal(session_check_capture(&t->caps[0], &err), FS_E_NOTFOUND);

	/* Autosave: in the background, and only when something changed. */
	notes_mark(t->notes, NOTE_ADDR, "192.0.2.7", true);
	assert_true(session_dirty(t));
	session_autosave(t);
	fs_bg_flush();
	session_free(s);
	assert_int_equal(session_load(path, &s, &err), FS_OK);
	assert_true(notes_find(s->notes, NOTE_ADDR, "192.0.2.7")->marked);
	session_free(s);
	session_free(t);
	fs_bg_shutdown();
	unlink(path);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

static void
test_session_refusals(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "", "damaged JSON" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1", "damaged JSON" },
		{ "{\"version\":1}", "another program" },
		{ "{\"format\":\"other\",\"version\":1}", "another program" },
		{ "[1,2]", "another program" },
		{ "{\"format\":\"fluxscope-session\"}", "version" },
		{ "{\"format\":\"fluxscope-session\",\"version\":99}", "newer fluxscope" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1,\"marks\":{}}", "wrong shape" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1,\"marks\":[{\"kind\":\"planet\",\"key\":\"x\"}]}", "wrong shape" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1,\"marks\":[{\"kind\":\"address\",\"key\":\"999.1.1.1\"}]}", "wrong shape" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1,\"captures\":[{\"size\":1}]}", "wrong shape" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1,\"captures\":[{\"path\":\"/a\",\"size\":1,\"mtime\":1.765e61}]}", "wrong shape" },
		{ "{\"format\":\"fluxscope-session\",\"version\":1e300}", "newer" },
	};
	struct session *s;
	struct fs_err err = { 0 };
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(session_parse(bad[i].text, strlen(bad[i].text), "x.session", &s, &err), FS_E_FORMAT);
		assert_null(s);
		if (strstr(err.msg, bad[i].why) == NULL || strstr(err.msg, "x.session") == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, err.msg, bad[i].why);
	}
	assert_int_equal(session_load("/nonexistent/x.session", &s, &err), FS_E_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonr),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_session_roundtrip),
		cmocka_unit_test(test_session_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
