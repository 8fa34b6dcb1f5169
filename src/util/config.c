/* The configuration file reader: `key = value` lines, nothing more. */
#include "fluxscope/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_LINE 4096
#define CONFIG_MAX_SIZE (16 << 20)

const char *
config_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, len, "%s/fluxscope/config", xdg);
	else
		snprintf(buf, len, "%s/.config/fluxscope/config", home != NULL ? home : "");
	return buf;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_entries; i++) {
		free((char *)c->entries[i].key);
		free((char *)c->entries[i].value);
	}
	free(c->entries);
	free(c->path);
	free(c);
}

static fs_status
parse_line(struct config *c, char *line, int lineno, size_t *cap, struct fs_err *err)
{
	char *s = trim(line), *eq, *key, *val;
	size_t vlen;

	if (*s == '\0' || *s == '#')
		return FS_OK;
	eq = strchr(s, '=');
	if (eq == NULL)
		return fs_err_set(err, FS_E_FORMAT, "%s:%d: expected 'key = value'", c->path, lineno);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*key == '\0')
		return fs_err_set(err, FS_E_FORMAT, "%s:%d: missing key before '='", c->path, lineno);
	for (char *k = key; *k; k++) {
		if (!isalnum((unsigned char)*k) && *k != '-' && *k != '_' && *k != '.')
			return fs_err_set(err, FS_E_FORMAT, "%s:%d: bad character in key '%s'", c->path,
			                  lineno, key);
		*k = (char)tolower((unsigned char)*k);
	}
	vlen = strlen(val);
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		val[vlen - 1] = '\0';
		val++;
	}
	if (c->n_entries == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		c->entries = xreallocarray(c->entries, *cap, sizeof *c->entries);
	}
	c->entries[c->n_entries++] = (struct config_entry){ xstrdup(key), xstrdup(val), lineno };
	return FS_OK;
}

fs_status
config_parse(const char *text, size_t len, const char *name, struct config **out,
             struct fs_err *err)
{
	struct config *c = xcalloc(1, sizeof *c);
	char line[CONFIG_MAX_LINE];
	size_t cap = 0, off = 0;
	int lineno = 0;
	fs_status st = FS_OK;

	*out = NULL;
	c->path = xstrdup(name);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = (nl != NULL ? (size_t)(nl - text) : len) - off;
		lineno++;
		if (n > CONFIG_MAX_LINE - 2) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: line longer than %d bytes", name, lineno,
			                CONFIG_MAX_LINE - 2);
			break;
		}
		if (memchr(text + off, '\0', n) != NULL) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: a NUL byte (not a text file)", name,
			                lineno);
			break;
		}
		memcpy(line, text + off, n);
		line[n] = '\0';
		if ((st = parse_line(c, line, lineno, &cap, err)) != FS_OK)
			break;
		off += n + (nl != NULL);
	}
	if (st != FS_OK) {
		config_free(c);
		return st;
	}
	*out = c;
	return FS_OK;
}

fs_status
config_load(const char *path, struct config **out, struct fs_err *err)
{
	char defpath[1024];
	char *text = NULL;
	size_t len = 0, cap = 0;
	fs_status st;
	FILE *f;

	*out = NULL;
	if (path == NULL) {
		path = config_default_path(defpath, sizeof defpath);
		f = fopen(path, "r");
		if (f == NULL && errno == ENOENT) {
			*out = xcalloc(1, sizeof **out);   /* no default file: an empty configuration */
			return FS_OK;
		}
	} else
		f = fopen(path, "r");
	if (f == NULL)
		return fs_err_set(err, FS_E_IO, "cannot read configuration file %s: %s", path,
		                  strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			if (cap >= CONFIG_MAX_SIZE) {
				fclose(f);
				free(text);
				return fs_err_set(err, FS_E_FORMAT, "configuration file %s is larger than %d "
				                  "MiB", path, CONFIG_MAX_SIZE >> 20);
			}
			cap = cap ? cap * 2 : 8192;
			text = xrealloc(text, cap);
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		st = fs_err_set(err, FS_E_IO, "cannot read configuration file %s: %s", path,
		                strerror(errno));
		fclose(f);
		free(text);
		return st;
	}
	fclose(f);
	st = config_parse(text, len, path, out, err);
	free(text);
	return st;
}

const char *
config_get(const struct config *c, const char *key)
{
	for (size_t i = c->n_entries; i > 0; i--)
		if (strcmp(c->entries[i - 1].key, key) == 0)
			return c->entries[i - 1].value;
	return NULL;
}

size_t
config_get_all(const struct config *c, const char *key, const char **vals, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_entries; i++)
		if (strcmp(c->entries[i].key, key) == 0) {
			if (n < max)
				vals[n] = c->entries[i].value;
			n++;
		}
	return n;
}

char *
config_path_value(const struct config *c, const char *value)
{
	const char *home = getenv("HOME");
	const char *slash;

	if (value[0] == '~' && (value[1] == '/' || value[1] == '\0'))
		return xasprintf("%s%s", home != NULL ? home : "", value + 1);
	if (value[0] == '/' || c == NULL || c->path == NULL ||
	    (slash = strrchr(c->path, '/')) == NULL)
		return xstrdup(value);
	return xasprintf("%.*s/%s", (int)(slash - c->path), c->path, value);
}
