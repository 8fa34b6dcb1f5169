/* Key names in tmux's spelling, both ways. */
#include "ui/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/canvas.h"

static const struct {
	const char *name;
	ui_key key;
} key_names[] = {
	{ "Enter", '\r' },    { "Tab", '\t' },       { "BTab", KEYC_BTAB },
	{ "Escape", 0x1b },   { "Esc", 0x1b },       { "BSpace", 0x7f },
	{ "Backspace", 0x7f }, { "Space", ' ' },     { "Up", KEYC_UP },
	{ "Down", KEYC_DOWN }, { "Left", KEYC_LEFT }, { "Right", KEYC_RIGHT },
	{ "Home", KEYC_HOME }, { "End", KEYC_END },   { "PgUp", KEYC_PPAGE },
	{ "PageUp", KEYC_PPAGE }, { "PPage", KEYC_PPAGE }, { "PgDn", KEYC_NPAGE },
	{ "PageDown", KEYC_NPAGE }, { "NPage", KEYC_NPAGE }, { "IC", KEYC_IC },
	{ "Insert", KEYC_IC }, { "DC", KEYC_DC },     { "Delete", KEYC_DC },
};

const char *
keys_name(ui_key k, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == k) {
			snprintf(buf, len, "%s", key_names[i].name);
			return buf;
		}
	if (k >= KEYC_F1 && k <= KEYC_F12)
		snprintf(buf, len, "F%u", (unsigned)(k - KEYC_F1 + 1));
	else if (k >= 1 && k <= 26)
		snprintf(buf, len, "C-%c", (char)('a' + k - 1));
	else if (k == 0)
		snprintf(buf, len, "C-Space");
	else if (k < 0x20)
		snprintf(buf, len, "C-%c", (char)(k + 0x40));
	else if (k < KEYC_BASE) {
		char enc[5] = { 0 };
		int n = canvas_utf8_encode(k, enc);
		snprintf(buf, len, "%.*s", n, enc);
	} else
		snprintf(buf, len, "Unknown");
	return buf;
}

ui_key
keys_parse(const char *name)
{
	size_t n = strlen(name);
	uint32_t cp;

	if (n == 0)
		return KEYC_NONE;
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcasecmp(key_names[i].name, name) == 0)
			return key_names[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && n >= 2 && n <= 3) {
		int f = 0;
		for (size_t i = 1; i < n; i++) {
			if (name[i] < '0' || name[i] > '9')
				return KEYC_NONE;
			f = f * 10 + (name[i] - '0');
		}
		if (f >= 1 && f <= 12)
			return KEYC_F1 + (ui_key)(f - 1);
		return KEYC_NONE;
	}
	if ((name[0] == 'C' || name[0] == 'c' || name[0] == '^') && (name[1] == '-' || name[0] == '^')) {
		const char *r = name + (name[0] == '^' ? 1 : 2);
		if (strcasecmp(r, "Space") == 0 || strcmp(r, "@") == 0)
			return 0;
		if (strlen(r) == 1) {
			char c = r[0];
			if (c >= 'a' && c <= 'z')
				return (ui_key)(c - 'a' + 1);
			if (c >= 'A' && c <= 'Z')
				return (ui_key)(c - 'A' + 1);
			if (c == '[' || c == '\\' || c == ']' || c == '^' || c == '_')
				return (ui_key)(c - 0x40);
		}
		return KEYC_NONE;
	}
	if (canvas_utf8_decode(name, n, &cp) == (int)n && cp != 0xfffd && cp >= 0x20)
		return cp;
	return KEYC_NONE;
}
