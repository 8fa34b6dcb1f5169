/* The allowlist: CDN/cloud hostname suffixes, volunteer pools, the organisation's own names,
 * and CDN/cloud networks by ASN (share/allowlist.conf documents the format). */
#include "detect/detect_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
det_allow_init(struct det_allow *a)
{
	memset(a, 0, sizeof *a);
	fs_map_init(&a->names);
	fs_map_init(&a->asns);
}

void
det_allow_fini(struct det_allow *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->e[i].value);
		free(a->e[i].label);
		free(a->e[i].where);
	}
	free(a->e);
	fs_map_fini(&a->names);
	fs_map_fini(&a->asns);
	memset(a, 0, sizeof *a);
}

static uint64_t
name_key(const char *s)
{
	uint64_t h = fs_hash_bytes(s, strlen(s));
	return h == FS_MAP_EMPTY ? h - 1 : h;
}

bool
det_normalise_name(char *s)
{
	size_t n;
	char *p = s;

	if (p[0] == '*' && p[1] == '.')
		memmove(s, s + 2, strlen(s + 2) + 1);
	else if (p[0] == '.')
		memmove(s, s + 1, strlen(s + 1) + 1);
	n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		c = (unsigned char)tolower(c);
		s[i] = (char)c;
		if (!(isalnum(c) || c == '-' || c == '_' || c == '.'))
			return false;
		if (c == '.' && (i == 0 || s[i - 1] == '.'))
			return false;
	}
	return true;
}

static const struct {
	const char *word;
	enum det_allow_kind kind;
} kinds[] = {
	{ "cdn", DET_ALLOW_CDN },
	{ "pool", DET_ALLOW_POOL },
	{ "domain", DET_ALLOW_DOMAIN },
	{ "cdn-asn", DET_ALLOW_CDN_ASN },
	{ "cloud-asn", DET_ALLOW_CLOUD_ASN },
};

fs_status
det_allow_parse(struct det_allow *a, const char *text, const char *fname, struct fs_err *err)
{
	char *buf = xstrdup(text);
	int lineno = 0;
	fs_status st = FS_OK;

	for (char *cur = buf; cur != NULL; ) {
		char *nl = strchr(cur, '\n'), *line = cur;
		if (nl != NULL)
			*nl = '\0';
		cur = nl ? nl + 1 : NULL;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *save = NULL;
		char *kw = strtok_r(line, " \t\r", &save);
		if (kw == NULL)
			continue;
		char *val = strtok_r(NULL, " \t\r", &save);
		char *label = strtok_r(NULL, "\r", &save);
		size_t k;
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (strcmp(kw, kinds[k].word) == 0)
				break;
		if (k == sizeof kinds / sizeof kinds[0]) {
			st = fs_err_set(err, FS_E_FORMAT,
			                "%s:%d: unknown entry kind '%s' (cdn, pool, domain, cdn-asn or cloud-asn)",
			                fname, lineno, kw);
			break;
		}
		if (val == NULL) {
			st = fs_err_set(err, FS_E_FORMAT, "%s:%d: '%s' needs a value", fname, lineno, kw);
			break;
		}
		while (label != NULL && (*label == ' ' || *label == '\t'))
			label++;
		struct det_allow_entry e = { .kind = kinds[k].kind };
		if (e.kind == DET_ALLOW_CDN_ASN || e.kind == DET_ALLOW_CLOUD_ASN) {
			char *end;
			const char *digits = val;
			if (strncasecmp(digits, "AS", 2) == 0)
				digits += 2;
			unsigned long v = strtoul(digits, &end, 10);
			if (*digits == '\0' || *end != '\0' || v == 0 || v > 4294967295UL) {
				st = fs_err_set(err, FS_E_FORMAT, "%s:%d: '%s' is not an AS number", fname,
				                lineno, val);
				break;
			}
			e.asn = (uint32_t)v;
			bool fresh;
			uint32_t *slot = fs_map_put(&a->asns, e.asn, &fresh);
			if (!fresh)
				continue;                /* first entry wins */
			*slot = (uint32_t)a->n + 1;
			e.value = xasprintf("AS%u", e.asn);
		} else {
			e.value = xstrdup(val);
			if (!det_normalise_name(e.value)) {
				st = fs_err_set(err, FS_E_FORMAT, "%s:%d: '%s' is not a domain name", fname,
				                lineno, val);
				free(e.value);
				break;
			}
			bool fresh;
			uint32_t *slot = fs_map_put(&a->names, name_key(e.value), &fresh);
			if (!fresh) {
				free(e.value);
				continue;
			}
			*slot = (uint32_t)a->n + 1;
		}
		e.label = xstrdup(label && *label ? label : e.value);
		e.where = xasprintf("%s:%d", fname, lineno);
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 64;
			a->e = xreallocarray(a->e, a->cap, sizeof *a->e);
		}
		a->e[a->n++] = e;
	}
	free(buf);
	return st;
}

fs_status
det_allow_load(struct det_allow *a, const char *path, struct fs_err *err)
{
	char *text = det_read_file(path, "allowlist", err);
	if (text == NULL)
		return err ? err->status : FS_E_IO;
	fs_status st = det_allow_parse(a, text, path, err);
	free(text);
	return st;
}

const struct det_allow_entry *
det_allow_match_name(const struct det_allow *a, const char *name)
{
	if (a->names.n == 0 || name == NULL)
		return NULL;
	/* Try the name and each parent: "a.b.akamaiedge.net", "b.akamaiedge.net", … */
	for (const char *p = name; p != NULL && *p != '\0'; ) {
		const uint32_t *v = fs_map_get(&a->names, name_key(p));
		if (v != NULL && strcmp(a->e[*v - 1].value, p) == 0)
			return &a->e[*v - 1];
		p = strchr(p, '.');
		if (p != NULL)
			p++;
	}
	return NULL;
}

const struct det_allow_entry *
det_allow_match_asn(const struct det_allow *a, uint32_t asn)
{
	if (asn == 0)
		return NULL;
	const uint32_t *v = fs_map_get(&a->asns, asn);
	return v ? &a->e[*v - 1] : NULL;
}
