/* Key names, key tables and command-line splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/cmd.h"
#include "ui/keymap.h"
#include "ui/keys.h"

static void
test_names_round_trip(void **state)
{
	const char *names[] = { "C-c", "Enter", "Tab", "BTab", "Escape", "BSpace", "Space", "Up",
	                        "PgUp", "PgDn", "F1", "F12", "j", "G", "?", "/", "\xc3\xa9" };
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		ui_key k = keys_parse(names[i]);
		assert_int_not_equal(k, KEYC_NONE);
		assert_string_equal(keys_name(k, buf, sizeof buf), names[i]);
	}
	assert_int_equal(keys_parse("C-c"), 3);
	assert_int_equal(keys_parse("^C"), 3);
	assert_int_equal(keys_parse("PageUp"), KEYC_PPAGE);
	assert_int_equal(keys_parse("esc"), 0x1b);
	assert_int_equal(keys_parse("F13"), KEYC_NONE);
	assert_int_equal(keys_parse("C-%"), KEYC_NONE);
	assert_int_equal(keys_parse("jj"), KEYC_NONE);
	assert_int_equal(keys_parse(""), KEYC_NONE);
}

static void
collect(void *ctx, const char *keys, const char *text)
{
	char *out = ctx;
	strcat(out, keys);
	strcat(out, "=");
	strcat(out, text);
	strcat(out, ";");
}

static void
test_keymap(void **state)
{
	struct keymap m;
	struct fs_err err = { 0 };
	const struct keybind *b;
	char out[8192] = "";
	(void)state;

	keymap_init(&m);
	b = keymap_lookup(&m, "global", 'j');
	assert_non_null(b);
	assert_string_equal(b->cmd, "move down");
	assert_null(keymap_lookup(&m, "list", 'j'));
	assert_string_equal(keymap_lookup(&m, "list", 's')->cmd, "sort next");
	assert_string_equal(keymap_lookup(&m, "detail", '3')->cmd, "tab 3");
	/* every default binding runs a command that exists */
	for (int t = 0; t < m.n; t++)
		for (size_t i = 0; i < m.t[t].n; i++) {
			char word[32];
			size_t k = strcspn(m.t[t].b[i].cmd, " ");
			snprintf(word, sizeof word, "%.*s", (int)k, m.t[t].b[i].cmd);
			assert_non_null(cmd_find(word));
		}
	assert_int_equal(keymap_bind(&m, "list", "x", "sort ttl", NULL, &err), FS_OK);
	assert_string_equal(keymap_lookup(&m, "list", 'x')->cmd, "sort ttl");
	assert_int_equal(keymap_bind(&m, "list", "x", "sort asns", "by ASN", &err), FS_OK);
	assert_string_equal(keymap_lookup(&m, "list", 'x')->cmd, "sort asns");
	assert_int_equal(keymap_bind(&m, "list", "Nope", "x", NULL, &err), FS_E_ARG);
	assert_string_equal(err.msg, "unknown key 'Nope'");
	assert_int_equal(keymap_unbind(&m, "list", "x", &err), FS_OK);
	assert_null(keymap_lookup(&m, "list", 'x'));
	assert_int_equal(keymap_unbind(&m, "list", "x", &err), FS_E_NOTFOUND);
	/* help lines join the keys of one command */
	keymap_describe(&m, "global", collect, out);
	assert_non_null(strstr(out, "Down j=move down;"));
	assert_non_null(strstr(out, "q C-c=go back; quit"));
	keymap_fini(&m);
}

static void
test_split(void **state)
{
	char buf[256];
	char *argv[8];
	struct fs_err err = { 0 };
	(void)state;

	assert_int_equal(cmd_split("  filter  verdict=cdn   score>=5 ", argv, 8, buf, sizeof buf, &err), 3);
	assert_string_equal(argv[0], "filter");
	assert_string_equal(argv[2], "score>=5");
	assert_int_equal(cmd_split("export rpz '/tmp/my file.rpz'", argv, 8, buf, sizeof buf, &err), 3);
	assert_string_equal(argv[2], "/tmp/my file.rpz");
	assert_int_equal(cmd_split("a \"b\\\"c\" d\\ e", argv, 8, buf, sizeof buf, &err), 3);
	assert_string_equal(argv[1], "b\"c");
	assert_string_equal(argv[2], "d e");
	assert_int_equal(cmd_split("theme 'dark", argv, 8, buf, sizeof buf, &err), -1);
	assert_string_equal(err.msg, "unterminated ' quote");
	assert_int_equal(cmd_split("a b c", argv, 2, buf, sizeof buf, &err), -1);
	assert_int_equal(cmd_split("", argv, 8, buf, sizeof buf, &err), 0);
	/* Empty words at the end of a full buffer: refused, never written past it (the words fit
	 * buf[0..7] exactly: "abcdef" + NUL, then one empty word's NUL; a second does not fit). */
	{
		char small[9];
		memset(small, 'x', sizeof small);
		assert_int_equal(cmd_split("abcdef ''", argv, 8, small, 8, &err), 2);
		assert_string_equal(argv[1], "");
		assert_int_equal(cmd_split("abcdef '' \"\"", argv, 8, small, 8, &err), -1);
		assert_string_equal(err.msg, "command line too long");
		assert_int_equal(small[8], 'x');
	}
	assert_non_null(cmd_find("the"));      /* unique prefix: theme */
	assert_null(cmd_find("s"));            /* ambiguous: search, show, sort, stop… */
	assert_string_equal(cmd_find("q")->name, "quit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_keymap),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
