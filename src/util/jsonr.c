/* Strict JSON reader (see jsonr.h). */
#include "util/jsonr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/fs.h"

#define JV_MAX_DEPTH 64

struct jp {
	const unsigned char *s;
	size_t len, p;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static bool
jfail(struct jp *j, const char *what)
{
	if (!j->failed) {
		j->failed = true;
		snprintf(j->err, j->errlen, "%s at byte %zu", what, j->p);
	}
	return false;
}

static void
ws(struct jp *j)
{
	while (j->p < j->len && (j->s[j->p] == ' ' || j->s[j->p] == '\t' || j->s[j->p] == '\n' ||
	                         j->s[j->p] == '\r'))
		j->p++;
}

static bool
lit(struct jp *j, const char *w)
{
	size_t n = strlen(w);
	if (j->len - j->p < n || memcmp(j->s + j->p, w, n) != 0)
		return jfail(j, "unexpected text");
	j->p += n;
	return true;
}

static int
hex4(struct jp *j)
{
	int v = 0;
	if (j->len - j->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = j->s[j->p + (size_t)i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= c - '0';
		else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
		else return -1;
	}
	j->p += 4;
	return v;
}

/* Length of a valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (s[0] < 0x80) return 1;
	if ((s[0] & 0xE0) == 0xC0) { k = 2; cp = s[0] & 0x1F; }
	else if ((s[0] & 0xF0) == 0xE0) { k = 3; cp = s[0] & 0x0F; }
	else if ((s[0] & 0xF8) == 0xF0) { k = 4; cp = s[0] & 0x07; }
	else return 0;
	if (n < k) return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) { o[0] = (char)cp; return 1; }
	if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static bool
str(struct jp *j, char **out, size_t *outlen)
{
	size_t start = ++j->p, end = start;
	/* The unescaped text is never longer than the escaped one. */
	while (end < j->len && j->s[end] != '"') {
		if (j->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= j->len)
		return jfail(j, "unterminated string");
	char *o = xmalloc(end - start + 1);
	size_t n = 0;
	while (j->p < end) {
		unsigned char c = j->s[j->p];
		if (c < 0x20) {
			free(o);
			return jfail(j, "control character in a string");
		}
		if (c != '\\') {
			size_t k = utf8_len(j->s + j->p, end - j->p);
			if (k == 0) {
				free(o);
				return jfail(j, "invalid UTF-8 in a string");
			}
			memcpy(o + n, j->s + j->p, k);
			n += k;
			j->p += k;
			continue;
		}
		j->p++;
		c = j->s[j->p++];
		switch (c) {
		case '"': o[n++] = '"'; break;
		case '\\': o[n++] = '\\'; break;
		case '/': o[n++] = '/'; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u': {
			int hi = hex4(j), lo;
			uint32_t cp;
			if (hi < 0 || hi == 0) {
				free(o);
				return jfail(j, hi < 0 ? "bad \\u escape" : "\\u0000 in a string");
			}
			cp = (uint32_t)hi;
			if (hi >= 0xD800 && hi <= 0xDBFF) {
				if (j->p + 2 > end || j->s[j->p] != '\\' || j->s[j->p + 1] != 'u') {
					free(o);
					return jfail(j, "unpaired surrogate");
				}
				j->p += 2;
				lo = hex4(j);
				if (lo < 0xDC00 || lo > 0xDFFF) {
					free(o);
					return jfail(j, "unpaired surrogate");
				}
				cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
			} else if (hi >= 0xDC00 && hi <= 0xDFFF) {
				free(o);
				return jfail(j, "unpaired surrogate");
			}
			n += put_utf8(o + n, cp);
			break;
		}
		default:
			free(o);
			return jfail(j, "bad escape in a string");
		}
	}
	o[n] = '\0';
	j->p = end + 1;
	*out = o;
	*outlen = n;
	return true;
}

static bool
num(struct jp *j, double *out)
{
	size_t st = j->p;
	char buf[64];

	if (j->p < j->len && j->s[j->p] == '-')
		j->p++;
	if (j->p >= j->len || !(j->s[j->p] >= '0' && j->s[j->p] <= '9'))
		return jfail(j, "bad number");
	if (j->s[j->p] == '0')
		j->p++;
	else
		while (j->p < j->len && j->s[j->p] >= '0' && j->s[j->p] <= '9')
			j->p++;
	if (j->p < j->len && j->s[j->p] == '.') {
		j->p++;
		if (j->p >= j->len || !(j->s[j->p] >= '0' && j->s[j->p] <= '9'))
			return jfail(j, "bad number");
		while (j->p < j->len && j->s[j->p] >= '0' && j->s[j->p] <= '9')
			j->p++;
	}
	if (j->p < j->len && (j->s[j->p] == 'e' || j->s[j->p] == 'E')) {
		j->p++;
		if (j->p < j->len && (j->s[j->p] == '+' || j->s[j->p] == '-'))
			j->p++;
		if (j->p >= j->len || !(j->s[j->p] >= '0' && j->s[j->p] <= '9'))
			return jfail(j, "bad number");
		while (j->p < j->len && j->s[j->p] >= '0' && j->s[j->p] <= '9')
			j->p++;
	}
	if (j->p - st >= sizeof buf)
		return jfail(j, "number too long");
	memcpy(buf, j->s + st, j->p - st);
	buf[j->p - st] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

static bool value(struct jp *j, struct jv *v);

static bool
push(struct jv *v, size_t *cap, bool keyed)
{
	if (v->len == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		v->items = xreallocarray(v->items, *cap, sizeof *v->items);
		if (keyed)
			v->keys = xreallocarray(v->keys, *cap, sizeof *v->keys);
	}
	memset(&v->items[v->len], 0, sizeof v->items[v->len]);
	if (keyed)
		v->keys[v->len] = NULL;
	return true;
}

static bool
container(struct jp *j, struct jv *v, bool obj)
{
	size_t cap = 0;
	char close = obj ? '}' : ']';

	if (++j->depth > JV_MAX_DEPTH)
		return jfail(j, "nested deeper than 64 levels");
	v->t = obj ? JV_OBJ : JV_ARR;
	j->p++;
	ws(j);
	if (j->p < j->len && j->s[j->p] == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		ws(j);
		push(v, &cap, obj);
		v->len++;               /* counted now so that jv_free frees a half-read member */
		if (obj) {
			size_t kl;
			if (j->p >= j->len || j->s[j->p] != '"')
				return jfail(j, "expected a member name");
			if (!str(j, &v->keys[v->len - 1], &kl))
				return false;
			ws(j);
			if (j->p >= j->len || j->s[j->p] != ':')
				return jfail(j, "expected ':'");
			j->p++;
		}
		if (!value(j, &v->items[v->len - 1]))
			return false;
		ws(j);
		if (j->p < j->len && j->s[j->p] == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->len && j->s[j->p] == close) {
			j->p++;
			j->depth--;
			return true;
		}
		return jfail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool
value(struct jp *j, struct jv *v)
{
	ws(j);
	if (j->p >= j->len)
		return jfail(j, "unexpected end");
	switch (j->s[j->p]) {
	case '{': return container(j, v, true);
	case '[': return container(j, v, false);
	case '"': v->t = JV_STR; return str(j, &v->s, &v->len);
	case 't': v->t = JV_BOOL; v->b = true; return lit(j, "true");
	case 'f': v->t = JV_BOOL; v->b = false; return lit(j, "false");
	case 'n': v->t = JV_NULL; return lit(j, "null");
	default: v->t = JV_NUM; return num(j, &v->n);
	}
}

static void
jv_clear(struct jv *v)
{
	if (v->t == JV_STR)
		free(v->s);
	if (v->t == JV_ARR || v->t == JV_OBJ) {
		for (size_t i = 0; i < v->len; i++) {
			jv_clear(&v->items[i]);
			if (v->keys)
				free(v->keys[i]);
		}
		free(v->items);
		free(v->keys);
	}
}

void
jv_free(struct jv *v)
{
	if (v == NULL)
		return;
	jv_clear(v);
	free(v);
}

struct jv *
jv_parse(const char *text, size_t len, char *err, size_t errlen, size_t *err_off)
{
	char dummy[8];
	struct jp j = { .s = (const unsigned char *)text, .len = len, .err = err ? err : dummy,
	                .errlen = err ? errlen : sizeof dummy };
	struct jv *v = xcalloc(1, sizeof *v);

	if (value(&j, v)) {
		ws(&j);
		if (j.p != j.len)
			jfail(&j, "text after the JSON value");
	}
	if (j.failed) {
		if (err_off)
			*err_off = j.p;
		jv_free(v);
		return NULL;
	}
	return v;
}

const struct jv *
jv_get(const struct jv *v, const char *key)
{
	const struct jv *r = NULL;
	if (v == NULL || v->t != JV_OBJ)
		return NULL;
	for (size_t i = 0; i < v->len; i++)
		if (v->keys[i] != NULL && strcmp(v->keys[i], key) == 0)
			r = &v->items[i];
	return r;
}

const char *
jv_str(const struct jv *v, const char *dflt)
{
	return v != NULL && v->t == JV_STR ? v->s : dflt;
}

double
jv_num(const struct jv *v, double dflt)
{
	return v != NULL && v->t == JV_NUM ? v->n : dflt;
}

bool
jv_bool(const struct jv *v, bool dflt)
{
	return v != NULL && v->t == JV_BOOL ? v->b : dflt;
}
