/* Theme parsing: styles, files, errors with line numbers, the shipped themes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "ui/app.h"
#include "ui/theme.h"

static void
test_style_items(void **state)
{
	struct ui_style st = { UI_COLOUR_DEFAULT, UI_COLOUR_DEFAULT, 0 };
	char why[128];
	(void)state;

	assert_int_equal(theme_parse_style("fg=red,bg=colour236,bold underscore", &st, why, sizeof why), 0);
	assert_int_equal(st.fg, 1);
	assert_int_equal(st.bg, 236);
	assert_int_equal(st.attrs, UI_ATTR_BOLD | UI_ATTR_UNDERLINE);
	assert_int_equal(theme_parse_style("fg=brightblue,bg=#00ff80,nobold", &st, why, sizeof why), 0);
	assert_int_equal(st.fg, 12);
	assert_int_equal(st.bg, UI_COLOUR_RGB | 0x00ff80);
	assert_int_equal(st.attrs, UI_ATTR_UNDERLINE);
	assert_int_equal(theme_parse_style("none,fg=default,color7", &st, why, sizeof why), -1);
	assert_non_null(strstr(why, "color7"));
	/* a failed parse leaves the style untouched */
	assert_int_equal(st.fg, 12);
	assert_int_equal(theme_parse_style("fg=purpel", &st, why, sizeof why), -1);
	assert_string_equal(why, "unknown colour 'purpel' for fg");
	assert_int_equal(theme_parse_style("fg=colour256", &st, why, sizeof why), -1);
	assert_int_equal(theme_parse_style("bg=", &st, why, sizeof why), -1);
	assert_int_equal(theme_parse_style("reverse,italics,dim,blink", &st, why, sizeof why), 0);
	assert_int_equal(st.attrs, UI_ATTR_UNDERLINE | UI_ATTR_REVERSE | UI_ATTR_ITALIC | UI_ATTR_DIM |
	                           UI_ATTR_BLINK);
	assert_int_equal(theme_parse_style("none", &st, why, sizeof why), 0);
	assert_int_equal(st.attrs, 0);
}

static void
test_defaults_cover_every_role(void **state)
{
	struct ui_theme t;
	(void)state;

	theme_default(&t);
	assert_string_equal(t.name, "dark");
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		assert_non_null(theme_role_name(r));
		assert_int_equal(theme_role_find(theme_role_name(r)), r);
	}
	assert_int_equal(theme_role_find("verdict.single-flux"), UI_ROLE_V_SINGLE_FLUX);
	assert_int_equal(t.role[UI_ROLE_V_SINGLE_FLUX].fg, 1);
	assert_true(t.role[UI_ROLE_V_SINGLE_FLUX].attrs & UI_ATTR_BOLD);
	assert_int_equal(theme_role_find("flux_hgh"), -1);
}

static void
test_parse_file_text(void **state)
{
	const char *text = "# comment\n"
	                   "name = test\n"
	                   "\n"
	                   "  cursor = fg=white,bg=#102030   # trailing comment\n"
	                   "verdict.pool=fg=colour33\n";
	struct ui_theme t;
	struct fs_err err = { 0 };
	(void)state;

	theme_default(&t);
	assert_int_equal(theme_parse(text, strlen(text), "x.theme", &t, &err), FS_OK);
	assert_string_equal(t.name, "test");
	assert_int_equal(t.role[UI_ROLE_CURSOR].fg, 7);
	assert_int_equal(t.role[UI_ROLE_CURSOR].bg, UI_COLOUR_RGB | 0x102030);
	assert_int_equal(t.role[UI_ROLE_V_POOL].fg, 33);
	/* roles not named keep their default */
	struct ui_theme d;
	theme_default(&d);
	assert_memory_equal(&t.role[UI_ROLE_HEADER], &d.role[UI_ROLE_HEADER], sizeof d.role[0]);
}

static void
test_errors_name_file_and_line(void **state)
{
	struct ui_theme t, before;
	struct fs_err err = { 0 };
	const char *bad_role = "cursor = fg=red\n\n# x\nflux_hgh = fg=red\n";
	const char *bad_colour = "header = fg=black\nheader.sort = fg=blu\n";
	const char *no_eq = "cursor fg=red\n";
	(void)state;

	theme_default(&t);
	before = t;
	assert_int_equal(theme_parse(bad_role, strlen(bad_role), "themes/x.theme", &t, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, "themes/x.theme:4: unknown role 'flux_hgh'");
	/* nothing applied, not even the valid first line */
	assert_memory_equal(&t, &before, sizeof t);
	assert_int_equal(theme_parse(bad_colour, strlen(bad_colour), "b.theme", &t, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, "b.theme:2: unknown colour 'blu' for fg");
	assert_int_equal(theme_parse(no_eq, strlen(no_eq), "c.theme", &t, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, "c.theme:1: expected 'role = style', found 'cursor fg=red'");
	assert_int_equal(theme_parse("= x\n", 4, "d.theme", &t, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, "d.theme:1: missing role name before '='");
	assert_int_equal(theme_parse("a\0b = c", 7, "e.theme", &t, &err), FS_E_FORMAT);
}

static void
test_load_and_fallback(void **state)
{
	const char *dirs[] = { "/nonexistent-dir", "themes" };
	/* A file of our own under the temporary folder (the build folder may be build-asan). */
	char dir[] = "/tmp/fs-theme-XXXXXX", tmp[64], want[160];
	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof tmp, "%s/test-bad.theme", dir);
	snprintf(want, sizeof want, "%s:2: unknown colour 'pink' for fg", tmp);
	struct ui_theme t;
	struct fs_err err = { 0 };
	FILE *f;
	(void)state;

	assert_int_equal(theme_load("light", dirs, 2, &t, &err), FS_OK);
	assert_string_equal(t.name, "light");
	assert_int_equal(theme_load("dark", NULL, 0, &t, &err), FS_OK); /* built in */
	assert_string_equal(t.name, "dark");
	assert_int_equal(theme_load("nosuch", dirs, 2, &t, &err), FS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "no theme named 'nosuch'"));
	assert_string_equal(t.name, "dark");
	assert_int_equal(theme_load("../etc/passwd", dirs, 2, &t, &err), FS_E_NOTFOUND);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("cursor = fg=red\nstatus = fg=pink\n", f);
	fclose(f);
	assert_int_equal(theme_load(tmp, dirs, 2, &t, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, want);
	/* a bad file leaves the default theme */
	struct ui_theme d;
	theme_default(&d);
	assert_memory_equal(&t, &d, sizeof t);
	remove(tmp);
	rmdir(dir);
}

static void
test_shipped_themes(void **state)
{
	const char *dirs[] = { "themes" };
	const char *names[] = { "dark", "light", "high-contrast", "mono" };
	char *list[16];
	struct ui_theme t, d;
	struct fs_err err = { 0 };
	int n;
	(void)state;

	theme_default(&d);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(theme_load(names[i], dirs, 1, &t, &err), FS_OK);
		assert_string_equal(t.name, names[i]);
	}
	/* the shipped dark file is the compiled-in default */
	theme_load("dark", dirs, 1, &t, &err);
	assert_memory_equal(t.role, d.role, sizeof d.role);
	/* mono names no colour at all */
	theme_load("mono", dirs, 1, &t, &err);
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		assert_int_equal(t.role[r].fg, UI_COLOUR_DEFAULT);
		assert_int_equal(t.role[r].bg, UI_COLOUR_DEFAULT);
	}
	assert_true(t.role[UI_ROLE_CURSOR].attrs & UI_ATTR_REVERSE);
	n = theme_list(dirs, 1, list, 16);
	assert_true(n >= 4);
	assert_string_equal(list[0], "dark");
	for (int i = 0; i < n; i++)
		free(list[i]);
}

/* Every verdict of detect's table has its colour role (app_verdict_role), named
 * "verdict.NAME" for the theme files, distinct from the others, and every shipped theme sets it. */
static void
test_verdict_roles(void **state)
{
	const char *names[] = { "dark", "light", "high-contrast", "mono" };
	int seen[UI_ROLE_COUNT] = { 0 };
	(void)state;

	for (int v = 0; v < DET_VERDICT_COUNT; v++) {
		enum ui_role r = app_verdict_role(v);
		char key[64];
		assert_true((int)r >= 0 && r < UI_ROLE_COUNT);
		assert_int_equal(seen[r]++, 0);
		snprintf(key, sizeof key, "verdict.%s", det_verdict_name((enum det_verdict)v));
		assert_string_equal(theme_role_name(r), key);
		assert_int_equal(theme_role_find(key), (int)r);
		assert_non_null(theme_role_text(r));
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			char path[128], line[256];
			bool found = false;
			FILE *f;
			snprintf(path, sizeof path, "themes/%s.theme", names[i]);
			f = fopen(path, "r");
			assert_non_null(f);
			while (!found && fgets(line, sizeof line, f) != NULL)
				found = strncmp(line, key, strlen(key)) == 0 &&
				        (line[strlen(key)] == ' ' || line[strlen(key)] == '=');
			fclose(f);
			if (!found)
				fail_msg("%s does not set %s", path, key);
		}
	}
	/* every role named verdict.* is a verdict's */
	for (int r = 0; r < UI_ROLE_COUNT; r++)
		if (strncmp(theme_role_name((enum ui_role)r), "verdict.", 8) == 0)
			assert_int_equal(seen[r], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_items),
		cmocka_unit_test(test_defaults_cover_every_role),
		cmocka_unit_test(test_parse_file_text),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_load_and_fallback),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_verdict_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
