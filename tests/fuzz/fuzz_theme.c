/* libFuzzer target for the TUI's text parsers: theme files (theme_parse), style strings, key
 * names, and UTF-8 text drawn into a canvas (decode, widths, clipping, marked text). Build: make
 * fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/canvas.h"
#include "ui/keys.h"
#include "ui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_theme t;
	struct fs_err err;
	struct ui_style st = { UI_COLOUR_DEFAULT, UI_COLOUR_DEFAULT, 0 };
	struct ui_canvas c;
	char why[160], name[32], *s = malloc(size + 1);

	theme_default(&t);
	(void)theme_parse((const char *)data, size, "fuzz.theme", &t, &err);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)theme_parse_style(s, &st, why, sizeof why);
	(void)keys_name(keys_parse(s), name, sizeof name);
	canvas_init(&c, 17, 3);
	(void)canvas_put(&c, -3, 1, 40, UI_ROLE_DEFAULT, s);
	(void)canvas_put_ellip(&c, 2, 0, 9, UI_ROLE_DEFAULT, s);
	(void)canvas_put_marked(&c, 0, 2, 17, UI_ROLE_LABEL, s);
	(void)canvas_marked_width(s);
	(void)canvas_fit(s, 5);
	canvas_fini(&c);
	free(s);
	return 0;
}
