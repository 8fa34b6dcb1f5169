/* The one JSON reader (see decode/json.h): a recursive-descent tokeniser over wire.h into a flat
 * token array, the token accessors the log readers use, and the tree the session files use. */
#include "decode/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/wire.h"
#include "fluxscope/fs.h"

#define JSON_TREE_TOKENS (1u << 30)

struct jp {
	struct jdoc *d;
	struct wire w;
	unsigned depth;              /* arrays and objects open */
};

void
json_doc_init(struct jdoc *d, enum json_grammar g, unsigned max_depth, uint32_t max_tokens)
{
	memset(d, 0, sizeof *d);
	d->grammar = g;
	d->max_depth = max_depth;
	d->max_tokens = max_tokens < 2 ? 2 : max_tokens;
}

void
json_doc_fini(struct jdoc *d)
{
	free(d->tok);
	d->tok = NULL;
	d->n = d->cap = 0;
}

/* The first fault is the one reported. */
static bool
fail(struct jp *p, const char *why)
{
	if (p->d->err[0] == '\0') {
		snprintf(p->d->err, sizeof p->d->err, "%s", why);
		p->d->err_off = wire_pos(&p->w);
	}
	return false;
}

static void
ws(struct jp *p)
{
	uint8_t c;
	while (wire_peek_u8(&p->w, 0, &c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		wire_skip(&p->w, 1);
}

/* The token array grows up to max_tokens (allocates only while warming). */
static bool
tok_grow(struct jdoc *d)
{
	if (d->cap >= d->max_tokens)
		return false;
	uint64_t ncap = d->cap ? (uint64_t)d->cap * 2 : 64;
	if (ncap > d->max_tokens)
		ncap = d->max_tokens;
	d->tok = xreallocarray(d->tok, (size_t)ncap, sizeof *d->tok);
	d->cap = (uint32_t)ncap;
	return true;
}

static inline uint32_t
tok_new(struct jp *p, uint8_t type)
{
	struct jdoc *d = p->d;

	if (d->n >= d->cap && !tok_grow(d)) {
		fail(p, "too many values");
		return 0;
	}
	uint32_t i = d->n++;
	d->tok[i] = (struct jtok){ .type = type, .start = (uint32_t)wire_pos(&p->w) };
	return i;
}

/* Bytes that end a run of a string's plain bytes: bit 0 in both grammars (a quote, a
 * backslash, a control character), bit 1 only in the strict one (a byte of a multi-byte UTF-8
 * sequence, which is checked). */
static const uint8_t str_stop[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,   /* 00 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,   /* 10 */
	0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,   /* 50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 70 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* 80 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* 90 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* a0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* b0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* c0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* d0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* e0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* f0 */
};

/* Bytes of s[0, n) a string holds as they are, up to one the caller looks at. */
static inline size_t
plain_run(const uint8_t *s, size_t n, bool strict)
{
	uint8_t mask = strict ? 3 : 1;
	size_t k = 0;

	while (k < n && !(str_stop[s[k]] & mask))
		k++;
	return k;
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Four hex digits of a \u escape. */
static bool
hex4(struct wire *w, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t c = wire_u8(w);
		if (is_digit(c))
			v = v << 4 | (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v << 4 | (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* The bytes after a lead byte c0 >= 0x80 make one valid UTF-8 sequence (strict grammar). */
static bool
utf8_rest(struct wire *w, uint8_t c0)
{
	uint32_t cp;
	int k;

	if ((c0 & 0xE0) == 0xC0) { k = 2; cp = c0 & 0x1F; }
	else if ((c0 & 0xF0) == 0xE0) { k = 3; cp = c0 & 0x0F; }
	else if ((c0 & 0xF8) == 0xF0) { k = 4; cp = c0 & 0x07; }
	else return false;
	for (int i = 1; i < k; i++) {
		uint8_t c = wire_u8(w);
		if (!wire_ok(w) || (c & 0xC0) != 0x80)
			return false;
		cp = cp << 6 | (c & 0x3F);
	}
	return !((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	         cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF));
}

/* One escape after its backslash. */
static bool
parse_escape(struct jp *p)
{
	uint8_t e = wire_u8(&p->w);
	uint32_t cp, lo;

	if (!wire_ok(&p->w))
		return fail(p, "unterminated string");
	if (e != 'u')
		return e != 0 && strchr("\"\\/bfnrt", e) != NULL ? true : fail(p, "bad escape in a string");
	if (!hex4(&p->w, &cp))
		return fail(p, "bad \\u escape");
	if (p->d->grammar != JSON_STRICT)
		return true;
	if (cp == 0)
		return fail(p, "\\u0000 in a string");
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(p, "unpaired surrogate");
	if (cp >= 0xD800 && cp <= 0xDBFF &&
	    (wire_u8(&p->w) != '\\' || wire_u8(&p->w) != 'u' || !hex4(&p->w, &lo) || lo < 0xDC00 || lo > 0xDFFF))
		return fail(p, "unpaired surrogate");
	return true;
}

static bool
parse_string(struct jp *p, uint32_t *out)
{
	wire_skip(&p->w, 1);   /* the opening quote */
	uint32_t t = tok_new(p, JT_STR);
	if (t == 0)
		return false;
	bool strict = p->d->grammar == JSON_STRICT;
	for (;;) {
		size_t n;
		const uint8_t *s = wire_rest(&p->w, &n);
		if (s != NULL)
			wire_skip(&p->w, plain_run(s, n, strict));
		uint8_t c = wire_u8(&p->w);
		if (!wire_ok(&p->w))
			return fail(p, "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control character in a string");
		if (c == '\\') {
			if (!parse_escape(p))
				return false;
		} else if (strict && !utf8_rest(&p->w, c)) {   /* c >= 0x80 */
			return fail(p, "invalid UTF-8 in a string");
		}
	}
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w) - 1;   /* start is after the opening quote */
	*out = t;
	return true;
}

static void
skip_digits(struct wire *w)
{
	uint8_t c;
	while (wire_peek_u8(w, 0, &c) && is_digit(c))
		wire_skip(w, 1);
}

/* RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool
number_strict(struct jp *p)
{
	uint8_t c;

	if (wire_peek_u8(&p->w, 0, &c) && c == '-')
		wire_skip(&p->w, 1);
	if (!wire_peek_u8(&p->w, 0, &c) || !is_digit(c))
		return fail(p, "bad number");
	if (c == '0')
		wire_skip(&p->w, 1);
	else
		skip_digits(&p->w);
	if (wire_peek_u8(&p->w, 0, &c) && c == '.') {
		wire_skip(&p->w, 1);
		if (!wire_peek_u8(&p->w, 0, &c) || !is_digit(c))
			return fail(p, "bad number");
		skip_digits(&p->w);
	}
	if (wire_peek_u8(&p->w, 0, &c) && (c == 'e' || c == 'E')) {
		wire_skip(&p->w, 1);
		if (wire_peek_u8(&p->w, 0, &c) && (c == '+' || c == '-'))
			wire_skip(&p->w, 1);
		if (!wire_peek_u8(&p->w, 0, &c) || !is_digit(c))
			return fail(p, "bad number");
		skip_digits(&p->w);
	}
	return true;
}

/* Logs: a run of number characters holding a digit. */
static bool
number_log(struct jp *p)
{
	uint8_t c;
	size_t digits = 0;

	if (wire_peek_u8(&p->w, 0, &c) && c == '-')
		wire_skip(&p->w, 1);
	while (wire_peek_u8(&p->w, 0, &c) && (is_digit(c) || c == '.' || c == 'e' || c == 'E' ||
	                                      c == '+' || c == '-')) {
		digits += is_digit(c);
		wire_skip(&p->w, 1);
	}
	return digits > 0 ? true : fail(p, "bad number");
}

static bool
parse_number(struct jp *p, uint32_t *out)
{
	uint32_t t = tok_new(p, JT_NUM);
	bool strict = p->d->grammar == JSON_STRICT;

	if (t == 0 || !(strict ? number_strict(p) : number_log(p)))
		return false;
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	*out = t;
	/* the readers copy a number into a small buffer */
	if (p->d->tok[t].end - p->d->tok[t].start > (strict ? 63u : 64u))
		return fail(p, "number too long");
	return true;
}

static bool
parse_lit(struct jp *p, const char *lit, uint8_t type, uint32_t *out)
{
	size_t n = strlen(lit);
	struct wire at = p->w;
	const uint8_t *s = wire_ptr(&p->w, n);
	if (s == NULL || memcmp(s, lit, n) != 0) {
		p->w = at;   /* the fault is where the word starts */
		return fail(p, "unexpected text");
	}
	uint32_t t = tok_new(p, type);
	if (t == 0)
		return false;
	p->d->tok[t].start -= (uint32_t)n;
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	*out = t;
	return true;
}

static bool parse_value(struct jp *p, uint32_t *out);

static bool
parse_container(struct jp *p, bool obj, uint32_t *out)
{
	uint8_t close = obj ? '}' : ']', c;
	uint32_t t, prev = 0;

	if (p->depth >= p->d->max_depth) {
		char why[48];
		snprintf(why, sizeof why, "nested deeper than %u levels", p->d->max_depth);
		return fail(p, why);
	}
	if ((t = tok_new(p, obj ? JT_OBJ : JT_ARR)) == 0)
		return false;
	p->depth++;
	wire_skip(&p->w, 1);
	ws(p);
	if (wire_peek_u8(&p->w, 0, &c) && c == close) {
		wire_skip(&p->w, 1);
	} else {
		for (;;) {
			uint32_t key = 0, v;
			ws(p);
			if (obj) {
				if (!wire_peek_u8(&p->w, 0, &c) || c != '"')
					return fail(p, "expected a member name");
				if (!parse_string(p, &key))
					return false;
				ws(p);
				if (wire_u8(&p->w) != ':' || !wire_ok(&p->w))
					return fail(p, "expected ':'");
				ws(p);
			}
			if (!parse_value(p, &v))
				return false;
			p->d->tok[v].key = key;
			if (prev != 0)
				p->d->tok[prev].next = v;
			prev = v;
			p->d->tok[t].n++;
			ws(p);
			c = wire_u8(&p->w);
			if (wire_ok(&p->w) && c == ',')
				continue;
			if (!wire_ok(&p->w) || c != close)
				return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
			break;
		}
	}
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	p->depth--;
	*out = t;
	return true;
}

static bool
parse_value(struct jp *p, uint32_t *out)
{
	uint8_t c;

	if (!wire_peek_u8(&p->w, 0, &c))
		return fail(p, "unexpected end");
	switch (c) {
	case '{': return parse_container(p, true, out);
	case '[': return parse_container(p, false, out);
	case '"': return parse_string(p, out);
	case 't': return parse_lit(p, "true", JT_TRUE, out);
	case 'f': return parse_lit(p, "false", JT_FALSE, out);
	case 'n': return parse_lit(p, "null", JT_NULL, out);
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p, out);
		return fail(p, "unexpected text");
	}
}

bool
json_parse(struct jdoc *d, const char *text, size_t len)
{
	struct jp p = { .d = d };
	uint32_t root;

	d->text = text;
	d->len = len;
	d->err[0] = '\0';
	d->err_off = 0;
	d->n = 0;
	wire_init(&p.w, (const uint8_t *)text, len);
	if (len > UINT32_MAX - 1)
		return fail(&p, "text too long");
	if (d->cap == 0)
		tok_grow(d);
	d->tok[0] = (struct jtok){ 0 };   /* token 0 is "none" */
	d->n = 1;
	ws(&p);
	if (!parse_value(&p, &root))
		return false;
	ws(&p);
	if (!wire_ok(&p.w) || wire_left(&p.w) != 0)
		return fail(&p, "text after the JSON value");
	return true;
}

/* ---- token accessors ---- */

uint32_t
json_child(const struct jdoc *d, uint32_t t)
{
	if (t == 0 || t >= d->n || (d->tok[t].type != JT_OBJ && d->tok[t].type != JT_ARR) ||
	    d->tok[t].n == 0)
		return 0;
	/* the first member's value: after its key in an object */
	return d->tok[t].type == JT_OBJ ? t + 2 : t + 1;
}

uint32_t
json_next(const struct jdoc *d, uint32_t t)
{
	return t != 0 && t < d->n ? d->tok[t].next : 0;
}

static bool
key_is(const struct jdoc *d, uint32_t k, const char *key)
{
	size_t n = strlen(key);
	const struct jtok *kt = &d->tok[k];

	/* keys with escapes never match (none of the names we look up has one) */
	return kt->end - kt->start == n && memcmp(d->text + kt->start, key, n) == 0;
}

uint32_t
json_get(const struct jdoc *d, uint32_t obj, const char *key)
{
	if (obj == 0)
		obj = 1;
	if (obj >= d->n || d->tok[obj].type != JT_OBJ)
		return 0;
	for (uint32_t v = json_child(d, obj); v != 0; v = json_next(d, v))
		if (d->tok[v].key != 0 && key_is(d, d->tok[v].key, key))
			return v;
	return 0;
}

static void
put_utf8(char *buf, size_t len, size_t *o, uint32_t cp, bool *ok)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*o + n >= len) {
		*ok = false;
		return;
	}
	memcpy(buf + *o, b, n);
	*o += n;
}

bool
json_str_at(const struct jdoc *d, uint32_t t, char *buf, size_t len)
{
	struct wire w;
	size_t o = 0;
	bool ok = true;

	if (len == 0 || t == 0 || t >= d->n || (d->tok[t].type != JT_STR && d->tok[t].type != JT_NUM))
		return false;
	wire_init(&w, (const uint8_t *)d->text + d->tok[t].start, d->tok[t].end - d->tok[t].start);
	while (ok && wire_left(&w) > 0) {
		size_t n, k;
		const uint8_t *s = wire_rest(&w, &n);
		for (k = 0; k < n && s[k] != '\\'; k++)
			;
		if (k > 0) {   /* bytes as they are, up to an escape */
			if (o + k >= len)
				return false;
			memcpy(buf + o, s, k);
			o += k;
			wire_skip(&w, k);
			continue;
		}
		wire_skip(&w, 1);   /* the backslash */
		uint8_t c = wire_u8(&w);
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u': {
			uint32_t cp = 0, lo;
			ok = hex4(&w, &cp);
			if (cp >= 0xd800 && cp < 0xdc00) {
				struct wire save = w;
				if (wire_u8(&w) == '\\' && wire_u8(&w) == 'u' && hex4(&w, &lo) &&
				    lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					w = save;   /* unpaired (logs only): kept as it is */
			}
			if (cp == 0)
				return false;   /* a NUL would cut the string */
			if (ok)
				put_utf8(buf, len, &o, cp, &ok);
			continue;
		}
		default: break;   /* " \ / */
		}
		if (o + 1 >= len)
			return false;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return ok && wire_ok(&w);
}

bool
json_i64_at(const struct jdoc *d, uint32_t t, int64_t *out)
{
	char b[72], *end;

	if (t == 0 || t >= d->n || d->tok[t].type != JT_NUM || !json_str_at(d, t, b, sizeof b))
		return false;
	long long v = strtoll(b, &end, 10);
	if (*end != '\0' && *end != '.')
		return false;
	*out = v;
	return true;
}

bool
json_f64_at(const struct jdoc *d, uint32_t t, double *out)
{
	char b[72], *end;

	if (t == 0 || t >= d->n || d->tok[t].type != JT_NUM || !json_str_at(d, t, b, sizeof b))
		return false;
	*out = strtod(b, &end);
	return *end == '\0';
}

/* ---- the tree ---- */

/* A string token unescaped into a new allocation (never longer than its raw text). */
static char *
str_dup(const struct jdoc *d, uint32_t t, size_t *len)
{
	size_t cap = (size_t)(d->tok[t].end - d->tok[t].start) + 1;
	char *s = xmalloc(cap);

	if (!json_str_at(d, t, s, cap))
		s[0] = '\0';   /* not reached: the strict grammar let only readable strings through */
	if (len != NULL)
		*len = strlen(s);
	return s;
}

static void
build(const struct jdoc *d, uint32_t t, struct jv *v)
{
	switch (d->tok[t].type) {
	case JT_TRUE: v->t = JV_BOOL; v->b = true; break;
	case JT_FALSE: v->t = JV_BOOL; v->b = false; break;
	case JT_NUM: v->t = JV_NUM; json_f64_at(d, t, &v->n); break;
	case JT_STR: v->t = JV_STR; v->s = str_dup(d, t, &v->len); break;
	case JT_ARR:
	case JT_OBJ: {
		bool obj = d->tok[t].type == JT_OBJ;
		size_t i = 0;
		v->t = obj ? JV_OBJ : JV_ARR;
		v->len = d->tok[t].n;
		if (v->len == 0)
			break;
		v->items = xcalloc(v->len, sizeof *v->items);
		if (obj)
			v->keys = xcalloc(v->len, sizeof *v->keys);
		for (uint32_t c = json_child(d, t); c != 0 && i < v->len; c = json_next(d, c), i++) {
			if (obj)
				v->keys[i] = str_dup(d, d->tok[c].key, NULL);
			build(d, c, &v->items[i]);
		}
		break;
	}
	default: v->t = JV_NULL; break;
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
	struct jdoc d;
	struct jv *v = NULL;

	json_doc_init(&d, JSON_STRICT, JV_MAX_DEPTH, JSON_TREE_TOKENS);
	if (json_parse(&d, text, len)) {
		v = xcalloc(1, sizeof *v);
		build(&d, 1, v);
	} else {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s at byte %zu", d.err, d.err_off);
		if (err_off != NULL)
			*err_off = d.err_off;
	}
	json_doc_fini(&d);
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
