/* Theme files: a pure parser from tmux-style text to a role → style table, plus the lookup of
 * theme files by name. */
#include "ui/theme.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A verdict's role is named "verdict." and the verdict's name (detect.h's table). */
static const char *const role_names[UI_ROLE_COUNT] = {
#define X(id, name, style, text) [UI_ROLE_##id] = name,
#define V(id, name, style) [UI_ROLE_V_##id] = "verdict." name,
	UI_ROLES(X, V)
#undef V
#undef X
};
static const char *const role_texts[UI_ROLE_COUNT] = {
#define X(id, name, style, text) [UI_ROLE_##id] = text,
#define V(id, name, style) [UI_ROLE_V_##id] = name " verdict",
	UI_ROLES(X, V)
#undef V
#undef X
};
static const char *const role_defaults[UI_ROLE_COUNT] = {
#define X(id, name, style, text) [UI_ROLE_##id] = style,
#define V(id, name, style) [UI_ROLE_V_##id] = style,
	UI_ROLES(X, V)
#undef V
#undef X
};

static const char *const colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char *name;
	uint16_t attr;
} attr_names[] = {
	{ "bold", UI_ATTR_BOLD },         { "bright", UI_ATTR_BOLD },
	{ "dim", UI_ATTR_DIM },           { "underscore", UI_ATTR_UNDERLINE },
	{ "underline", UI_ATTR_UNDERLINE }, { "blink", UI_ATTR_BLINK },
	{ "reverse", UI_ATTR_REVERSE },   { "italics", UI_ATTR_ITALIC },
	{ "italic", UI_ATTR_ITALIC },
};

const char *
theme_role_name(enum ui_role r)
{
	return (unsigned)r < UI_ROLE_COUNT ? role_names[r] : NULL;
}

const char *
theme_role_text(enum ui_role r)
{
	return (unsigned)r < UI_ROLE_COUNT ? role_texts[r] : NULL;
}

int
theme_role_find(const char *name)
{
	for (int i = 0; i < UI_ROLE_COUNT; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

void
theme_default(struct ui_theme *t)
{
	char why[128];

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "dark");
	for (int i = 0; i < UI_ROLE_COUNT; i++) {
		t->role[i] = (struct ui_style){ UI_COLOUR_DEFAULT, UI_COLOUR_DEFAULT, 0 };
		/* The defaults are compiled in and covered by a unit test; they always parse. */
		if (theme_parse_style(role_defaults[i], &t->role[i], why, sizeof why) != 0)
			fs_fatal("built-in style of role %s: %s", role_names[i], why);
	}
}

static int
parse_colour(const char *s, int32_t *out)
{
	char *end;
	long v;

	if (strcmp(s, "default") == 0 || strcmp(s, "terminal") == 0) {
		*out = UI_COLOUR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(s, colour_names[i]) == 0) {
			*out = i;
			return 0;
		}
		if (strncmp(s, "bright", 6) == 0 && strcmp(s + 6, colour_names[i]) == 0) {
			*out = i + 8;
			return 0;
		}
	}
	if (strncmp(s, "colour", 6) == 0 || strncmp(s, "color", 5) == 0) {
		const char *n = s + (s[4] == 'u' ? 6 : 5);
		if (!isdigit((unsigned char)*n))
			return -1;
		errno = 0;
		v = strtol(n, &end, 10);
		if (*end != '\0' || errno != 0 || v < 0 || v > 255)
			return -1;
		*out = (int32_t)v;
		return 0;
	}
	if (s[0] == '#' && strlen(s) == 7) {
		for (int i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)s[i]))
				return -1;
		v = strtol(s + 1, &end, 16);
		*out = UI_COLOUR_RGB | (int32_t)v;
		return 0;
	}
	return -1;
}

const char *
theme_colour_str(int32_t c, char *buf, size_t len)
{
	if (c == UI_COLOUR_DEFAULT)
		snprintf(buf, len, "default");
	else if (c & UI_COLOUR_RGB)
		snprintf(buf, len, "#%06x", (unsigned)(c & 0xffffff));
	else if (c < 8)
		snprintf(buf, len, "%s", colour_names[c]);
	else if (c < 16)
		snprintf(buf, len, "bright%s", colour_names[c - 8]);
	else
		snprintf(buf, len, "colour%d", (int)c);
	return buf;
}

int
theme_parse_style(const char *s, struct ui_style *st, char *why, size_t whylen)
{
	struct ui_style out = *st;
	char item[64];
	const char *p = s;

	for (;;) {
		size_t n = 0;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t') {
			if (n + 1 >= sizeof item) {
				snprintf(why, whylen, "style item too long");
				return -1;
			}
			item[n++] = (char)tolower((unsigned char)*p++);
		}
		item[n] = '\0';
		if (strncmp(item, "fg=", 3) == 0 || strncmp(item, "bg=", 3) == 0) {
			int32_t c;
			if (item[3] == '\0') {
				snprintf(why, whylen, "%.2s= needs a colour", item);
				return -1;
			}
			if (parse_colour(item + 3, &c) != 0) {
				snprintf(why, whylen, "unknown colour '%s' for %.2s", item + 3, item);
				return -1;
			}
			if (item[0] == 'f')
				out.fg = c;
			else
				out.bg = c;
			continue;
		}
		if (strcmp(item, "none") == 0 || strcmp(item, "noattr") == 0) {
			out.attrs = 0;
			continue;
		}
		bool found = false;
		bool neg = strncmp(item, "no", 2) == 0;
		for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
			if (strcmp(item + (neg ? 2 : 0), attr_names[i].name) == 0) {
				if (neg)
					out.attrs &= (uint16_t)~attr_names[i].attr;
				else
					out.attrs |= attr_names[i].attr;
				found = true;
				break;
			}
		}
		if (!found) {
			snprintf(why, whylen, "unknown style item '%s' (fg=, bg= or an attribute)", item);
			return -1;
		}
	}
	*st = out;
	return 0;
}

/* Copy [b, e) into dst trimmed of surrounding blanks. */
static void
trim_copy(char *dst, size_t dlen, const char *b, const char *e)
{
	size_t n;

	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	n = (size_t)(e - b);
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, b, n);
	dst[n] = '\0';
}

fs_status
theme_parse(const char *text, size_t len, const char *origin, struct ui_theme *t,
            struct fs_err *err)
{
	struct ui_theme work = *t;
	const char *p = text, *end = text + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *eq, *hash;
		char key[128], val[512], why[160];
		int r;

		lineno++;
		hash = memchr(p, '#', (size_t)(le - p));
		/* '#' starts a comment only at the start of a line or after a blank, so that a colour
		 * like fg=#ff0000 is kept. */
		while (hash != NULL && hash > p && !isspace((unsigned char)hash[-1]))
			hash = memchr(hash + 1, '#', (size_t)(le - hash - 1));
		if (hash != NULL)
			le = hash;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL)
			return fs_err_set(err, FS_E_FORMAT, "%s:%d: NUL byte in theme file", origin, lineno);
		eq = memchr(p, '=', (size_t)(le - p));
		trim_copy(key, sizeof key, p, eq != NULL ? eq : le);
		if (eq == NULL || strpbrk(key, " \t") != NULL) {
			trim_copy(key, sizeof key, p, le);
			if (key[0] != '\0')
				return fs_err_set(err, FS_E_FORMAT,
				                  "%s:%d: expected 'role = style', found '%s'", origin, lineno,
				                  key);
		} else if (key[0] == '\0') {
			return fs_err_set(err, FS_E_FORMAT, "%s:%d: missing role name before '='", origin,
			                  lineno);
		} else {
			trim_copy(val, sizeof val, eq + 1, le);
			if (strcmp(key, "name") == 0) {
				snprintf(work.name, sizeof work.name, "%.63s", val);
			} else if ((r = theme_role_find(key)) < 0) {
				return fs_err_set(err, FS_E_FORMAT, "%s:%d: unknown role '%s'", origin, lineno,
				                  key);
			} else if (theme_parse_style(val, &work.role[r], why, sizeof why) != 0) {
				return fs_err_set(err, FS_E_FORMAT, "%s:%d: %s", origin, lineno, why);
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
	*t = work;
	return FS_OK;
}

static bool
is_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') != NULL || (n > 6 && strcmp(s + n - 6, ".theme") == 0);
}

static fs_status
load_file(const char *path, struct ui_theme *t, struct fs_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	const char *base;
	fs_status st;

	if (f == NULL)
		return fs_err_set(err, errno == ENOENT ? FS_E_NOTFOUND : FS_E_IO,
		                  "cannot open theme file %s: %s", path, strerror(errno));
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				free(buf);
				fclose(f);
				return fs_err_set(err, FS_E_FORMAT, "theme file %s is over 1 MiB", path);
			}
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return fs_err_set(err, FS_E_IO, "cannot read theme file %s", path);
	}
	fclose(f);
	theme_default(t);
	/* A file that does not name itself is called after its file name. */
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	snprintf(t->name, sizeof t->name, "%.*s", (int)strcspn(base, "."), base);
	st = theme_parse(buf, len, path, t, err);
	free(buf);
	return st;
}

fs_status
theme_load(const char *name_or_path, const char *const *dirs, int n_dirs, struct ui_theme *t,
           struct fs_err *err)
{
	struct ui_theme work;
	char path[4096];
	fs_status st;

	theme_default(t);
	if (name_or_path == NULL || *name_or_path == '\0')
		return FS_OK;
	if (is_path(name_or_path)) {
		st = load_file(name_or_path, &work, err);
		if (st == FS_OK)
			*t = work;
		return st;
	}
	for (const char *c = name_or_path; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return fs_err_set(err, FS_E_ARG, "bad theme name '%s'", name_or_path);
	for (int i = 0; i < n_dirs; i++) {
		snprintf(path, sizeof path, "%s/%s.theme", dirs[i], name_or_path);
		st = load_file(path, &work, err);
		if (st == FS_E_NOTFOUND)
			continue;
		if (st == FS_OK) {
			fs_err_clear(err);
			*t = work;
		}
		return st;
	}
	if (strcmp(name_or_path, "dark") == 0 || strcmp(name_or_path, "default") == 0) {
		fs_err_clear(err);
		return FS_OK;
	}
	return fs_err_set(err, FS_E_NOTFOUND, "no theme named '%s' (looked for %s.theme in %d %s)",
	                  name_or_path, name_or_path, n_dirs, n_dirs == 1 ? "folder" : "folders");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
theme_list(const char *const *dirs, int n_dirs, char **names, int max)
{
	int n = 0;

	for (int i = 0; i < n_dirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL && n < max) {
			size_t len = strlen(e->d_name);
			bool dup = false;
			if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0)
				continue;
			for (int j = 0; j < n; j++)
				if (strncmp(names[j], e->d_name, len - 6) == 0 && names[j][len - 6] == '\0')
					dup = true;
			if (!dup)
				names[n++] = xstrndup(e->d_name, len - 6);
		}
		closedir(d);
	}
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	return n;
}
