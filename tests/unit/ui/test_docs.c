/* docs/commands.md and docs/themes.md match what the tables generate (FLUXSCOPE_WRITE_DOCS=1
 * rewrites them), and every default style parses back to the compiled-in default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/docgen.h"
#include "ui/theme.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0, got;
	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			b = realloc(b, cap);
		}
		got = fread(b + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	b[n] = '\0';
	return b;
}

static void
check_doc(const char *path, char *want)
{
	char *have;
	if (getenv("FLUXSCOPE_WRITE_DOCS") != NULL) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(want, f);
		fclose(f);
	}
	have = slurp(path);
	if (have == NULL || strcmp(have, want) != 0)
		fail_msg("%s is out of date: run FLUXSCOPE_WRITE_DOCS=1 %s", path, "build/tests/unit/ui/test_docs");
	free(have);
	free(want);
}

static void
test_commands_doc(void **state)
{
	char *doc = docgen_commands();
	(void)state;
	assert_non_null(strstr(doc, "| `quit [-f]` (`q`) |"));
	assert_non_null(strstr(doc, "| `?` `F1` | show this help"));
	check_doc("docs/commands.md", doc);
}

static void
test_themes_doc(void **state)
{
	char *doc = docgen_themes();
	struct ui_theme d;
	(void)state;
	theme_default(&d);
	/* every row's style parses back to the default */
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		char needle[128], style[128], why[128];
		const char *p, *e;
		struct ui_style st = { UI_COLOUR_DEFAULT, UI_COLOUR_DEFAULT, 0 };
		snprintf(needle, sizeof needle, "| `%s` | `", theme_role_name(r));
		p = strstr(doc, needle);
		assert_non_null(p);
		p += strlen(needle);
		e = strchr(p, '`');
		snprintf(style, sizeof style, "%.*s", (int)(e - p), p);
		assert_int_equal(theme_parse_style(style, &st, why, sizeof why), 0);
		assert_int_equal(st.fg, d.role[r].fg);
		assert_int_equal(st.bg, d.role[r].bg);
		assert_int_equal(st.attrs, d.role[r].attrs);
	}
	check_doc("docs/themes.md", doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_doc),
		cmocka_unit_test(test_themes_doc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
