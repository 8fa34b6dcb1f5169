/* A minimal JSON reader for one log line (Zeek JSON, Suricata EVE): recursive descent into a
 * flat token array (no allocation), depth and token count bounded, every byte read through
 * wire.h. Only what the log readers need: member lookup, iteration, strings, numbers. */
#include "capture/feed_int.h"

#include <stdlib.h>
#include <string.h>

#include "decode/wire.h"

#define JSON_MAX_DEPTH 32

struct jp {
	struct jdoc *d;
	struct wire w;
};

static void
ws(struct jp *p)
{
	uint8_t c;
	while (wire_peek_u8(&p->w, 0, &c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		wire_skip(&p->w, 1);
}

static uint32_t
tok_new(struct jp *p, uint8_t type)
{
	if (p->d->n >= JSON_MAX_TOKENS)
		return 0;
	uint32_t i = p->d->n++;
	p->d->tok[i] = (struct jtok){ .type = type, .start = (uint32_t)wire_pos(&p->w) };
	return i;
}

static bool
is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
parse_string(struct jp *p, uint32_t *out)
{
	wire_skip(&p->w, 1);   /* the opening quote */
	uint32_t t = tok_new(p, JT_STR);
	if (t == 0)
		return false;
	for (;;) {
		uint8_t c = wire_u8(&p->w);
		if (!wire_ok(&p->w) || c < 0x20)
			return false;
		if (c == '"')
			break;
		if (c == '\\') {
			uint8_t e = wire_u8(&p->w);
			if (e == 'u') {
				for (int i = 0; i < 4; i++)
					if (!is_hex(wire_u8(&p->w)))
						return false;
			} else if (strchr("\"\\/bfnrt", e) == NULL || e == 0)
				return false;
			if (!wire_ok(&p->w))
				return false;
		}
	}
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w) - 1;   /* start is after the opening quote */
	*out = t;
	return true;
}

static bool parse_value(struct jp *p, int depth, uint32_t *out);

static bool
parse_container(struct jp *p, int depth, bool obj, uint32_t *out)
{
	uint32_t t = tok_new(p, obj ? JT_OBJ : JT_ARR), prev = 0;
	uint8_t c;

	if (t == 0)
		return false;
	wire_skip(&p->w, 1);
	ws(p);
	if (wire_peek_u8(&p->w, 0, &c) && c == (obj ? '}' : ']')) {
		wire_skip(&p->w, 1);
		p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
		*out = t;
		return true;
	}
	for (;;) {
		uint32_t key = 0, v;
		ws(p);
		if (obj) {
			if (!wire_peek_u8(&p->w, 0, &c) || c != '"' || !parse_string(p, &key))
				return false;
			ws(p);
			if (wire_u8(&p->w) != ':' || !wire_ok(&p->w))
				return false;
			ws(p);
		}
		if (!parse_value(p, depth + 1, &v))
			return false;
		p->d->tok[v].key = key;
		if (prev != 0)
			p->d->tok[prev].next = v;
		prev = v;
		p->d->tok[t].n++;
		ws(p);
		c = wire_u8(&p->w);
		if (!wire_ok(&p->w))
			return false;
		if (c == ',')
			continue;
		if (c != (obj ? '}' : ']'))
			return false;
		break;
	}
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	*out = t;
	return true;
}

static bool
parse_lit(struct jp *p, const char *lit, uint8_t type, uint32_t *out)
{
	size_t n = strlen(lit);
	const uint8_t *s = wire_ptr(&p->w, n);
	if (s == NULL || memcmp(s, lit, n) != 0)
		return false;
	uint32_t t = tok_new(p, type);
	if (t == 0)
		return false;
	p->d->tok[t].start -= (uint32_t)n;
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	*out = t;
	return true;
}

static bool
parse_number(struct jp *p, uint32_t *out)
{
	uint32_t t = tok_new(p, JT_NUM);
	uint8_t c;
	size_t digits = 0;

	if (t == 0)
		return false;
	if (wire_peek_u8(&p->w, 0, &c) && c == '-')
		wire_skip(&p->w, 1);
	while (wire_peek_u8(&p->w, 0, &c) && ((c >= '0' && c <= '9') || c == '.' || c == 'e' ||
	                                      c == 'E' || c == '+' || c == '-')) {
		digits += c >= '0' && c <= '9';
		wire_skip(&p->w, 1);
	}
	p->d->tok[t].end = (uint32_t)wire_pos(&p->w);
	*out = t;
	return digits > 0 && p->d->tok[t].end - p->d->tok[t].start <= 64;
}

static bool
parse_value(struct jp *p, int depth, uint32_t *out)
{
	uint8_t c;

	if (depth > JSON_MAX_DEPTH || !wire_peek_u8(&p->w, 0, &c))
		return false;
	switch (c) {
	case '{': return parse_container(p, depth, true, out);
	case '[': return parse_container(p, depth, false, out);
	case '"': return parse_string(p, out);
	case 't': return parse_lit(p, "true", JT_TRUE, out);
	case 'f': return parse_lit(p, "false", JT_FALSE, out);
	case 'n': return parse_lit(p, "null", JT_NULL, out);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, out);
		return false;
	}
}

bool
json_parse(struct jdoc *d, const char *text, size_t len)
{
	struct jp p = { .d = d };
	uint32_t root;

	d->text = text;
	d->len = len;
	d->n = 1;   /* token 0 is "none" */
	d->tok[0] = (struct jtok){ 0 };
	wire_init(&p.w, (const uint8_t *)text, len);
	ws(&p);
	if (!parse_value(&p, 0, &root) || root != 1)
		return false;
	ws(&p);
	return wire_ok(&p.w) && wire_left(&p.w) == 0;
}

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

static uint32_t
hex4(struct wire *w)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t c = wire_u8(w);
		v = v << 4 | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
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
		uint8_t c = wire_u8(&w);
		if (c != '\\') {
			if (o + 1 >= len)
				return false;
			buf[o++] = (char)c;
			continue;
		}
		c = wire_u8(&w);
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u': {
			uint32_t cp = hex4(&w);
			if (cp >= 0xd800 && cp < 0xdc00) {
				struct wire save = w;
				if (wire_u8(&w) == '\\' && wire_u8(&w) == 'u') {
					uint32_t lo = hex4(&w);
					if (lo >= 0xdc00 && lo < 0xe000)
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					else
						w = save;
				} else
					w = save;
			}
			if (cp == 0)
				return false;   /* a NUL would cut the string */
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
