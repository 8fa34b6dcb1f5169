/* JSON output buffer: escaping and number formatting without printf on the hot path. */
#include "util/json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

void
json_buf_init(struct json_buf *jb)
{
	jb->cap = 1 << 16;
	jb->b = xmalloc(jb->cap);
	jb->len = 0;
}

void
json_buf_fini(struct json_buf *jb)
{
	free(jb->b);
	jb->b = NULL;
	jb->len = jb->cap = 0;
}

int
json_buf_flush(struct json_buf *jb, FILE *out)
{
	size_t n = jb->len;

	jb->len = 0;
	if (n > 0 && fwrite(jb->b, 1, n, out) != n)
		return -1;
	return 0;
}

static inline void
json_reserve(struct json_buf *jb, size_t n)
{
	if (jb->len + n <= jb->cap)
		return;
	while (jb->cap < jb->len + n)
		jb->cap *= 2;
	jb->b = xrealloc(jb->b, jb->cap);
}

void
json_raw(struct json_buf *jb, const char *s, size_t n)
{
	json_reserve(jb, n);
	memcpy(jb->b + jb->len, s, n);
	jb->len += n;
}

void
json_lit(struct json_buf *jb, const char *s)
{
	json_raw(jb, s, strlen(s));
}

void
json_char(struct json_buf *jb, char c)
{
	json_reserve(jb, 1);
	jb->b[jb->len++] = c;
}

/* Octets that stand for themselves in a JSON string: [0] ASCII only, [1] also 0x80 and up. */
static bool plain[2][256];
static pthread_once_t plain_once = PTHREAD_ONCE_INIT;

static void
plain_init(void)
{
	for (int c = 0; c < 256; c++) {
		plain[0][c] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
		plain[1][c] = plain[0][c] || c >= 0x80;
	}
}

/* Escape s[0..n) into o (room for 6 * n bytes), per RFC 8259 §7; returns the new end.
 * Octets of 0x80 and up become \u00XX unless utf8 is set, in which case they pass through.
 * Runs of octets that need no escape are copied whole. */
static char *
json_escape(char *o, const char *s, size_t n, bool utf8)
{
	static const char hex[] = "0123456789abcdef";
	const bool *ok;
	size_t i = 0;

	pthread_once(&plain_once, plain_init);
	ok = plain[utf8];
	while (i < n) {
		size_t j = i;
		while (j < n && ok[(unsigned char)s[j]])
			j++;
		memcpy(o, s + i, j - i);
		o += j - i;
		if (j == n)
			break;
		unsigned char c = (unsigned char)s[j];
		i = j + 1;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			/* 0x7f is legal JSON but invisible; 0x80 and up are not UTF-8 by themselves:
			 * as \u00XX the line stays ASCII and every octet is still there */
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	return o;
}

void
json_strn(struct json_buf *jb, const char *s, size_t n)
{
	char *o;

	/* worst case: every octet as \u00XX */
	json_reserve(jb, 6 * n + 2);
	o = jb->b + jb->len;
	*o++ = '"';
	o = json_escape(o, s, n, false);
	*o++ = '"';
	jb->len = (size_t)(o - jb->b);
}

char *
json_put_str(char *o, const char *s, size_t n, bool utf8)
{
	*o++ = '"';
	o = json_escape(o, s, n, utf8);
	*o++ = '"';
	return o;
}

void
json_fput_str(FILE *out, const char *s, bool utf8)
{
	char chunk[2 + 6 * 256];
	size_t n;

	if (s == NULL) {
		fwrite_unlocked("null", 1, 4, out);
		return;
	}
	n = strlen(s);
	if (n <= 256) {
		/* the common case: one write, quotes included */
		chunk[0] = '"';
		char *end = json_escape(chunk + 1, s, n, utf8);
		*end++ = '"';
		fwrite_unlocked(chunk, 1, (size_t)(end - chunk), out);
		return;
	}
	putc_unlocked('"', out);
	while (n > 0) {
		size_t take = n < 256 ? n : 256;
		char *end = json_escape(chunk, s, take, utf8);
		fwrite_unlocked(chunk, 1, (size_t)(end - chunk), out);
		s += take;
		n -= take;
	}
	putc_unlocked('"', out);
}

void
json_str(struct json_buf *jb, const char *s)
{
	if (s == NULL)
		json_raw(jb, "null", 4);
	else
		json_strn(jb, s, strlen(s));
}

void
json_u64(struct json_buf *jb, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	json_reserve(jb, (size_t)n);
	while (n > 0)
		jb->b[jb->len++] = tmp[--n];
}

void
json_i64(struct json_buf *jb, int64_t v)
{
	if (v < 0) {
		json_char(jb, '-');
		json_u64(jb, (uint64_t)0 - (uint64_t)v);
	} else {
		json_u64(jb, (uint64_t)v);
	}
}

void
json_ts(struct json_buf *jb, fs_time t)
{
	uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
	uint64_t us = a % (uint64_t)FS_USEC;
	char frac[7];

	if (t < 0)
		json_char(jb, '-');
	json_u64(jb, a / (uint64_t)FS_USEC);
	frac[0] = '.';
	for (int i = 6; i >= 1; i--) {
		frac[i] = (char)('0' + us % 10);
		us /= 10;
	}
	json_raw(jb, frac, 7);
}

void
json_addr(struct json_buf *jb, const fs_addr *a)
{
	char buf[FS_ADDR_STRLEN];

	if (a->family != 4) {
		json_str(jb, fs_addr_str(a, buf, sizeof buf));
		return;
	}
	/* IPv4 by hand: inet_ntop goes through sprintf, which a per-message writer feels */
	json_reserve(jb, 18);
	char *o = jb->b + jb->len;
	*o++ = '"';
	for (int i = 0; i < 4; i++) {
		uint8_t v = a->bytes[i];
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
		*o++ = i < 3 ? '.' : '"';
	}
	jb->len = (size_t)(o - jb->b);
}
