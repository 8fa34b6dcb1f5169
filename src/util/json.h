/* A growable output buffer with JSON writers: strings escaped for every octet, integers and
 * capture timestamps without printf. Used by --dump (and any JSON Lines writer).
 *
 * Threads: a buffer belongs to one thread. Memory: owned by the buffer, freed by
 * json_buf_fini(); json_buf_flush() hands the bytes to a FILE and empties the buffer. */
#ifndef FLUXSCOPE_UTIL_JSON_H
#define FLUXSCOPE_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fluxscope/fs.h"

struct json_buf {
	char *b;
	size_t len, cap;
};

void json_buf_init(struct json_buf *jb);
void json_buf_fini(struct json_buf *jb);
/* Write the buffered bytes to out and empty the buffer; -1 on a write error (errno set). */
int json_buf_flush(struct json_buf *jb, FILE *out);

void json_raw(struct json_buf *jb, const char *s, size_t n);   /* bytes as they are */
void json_lit(struct json_buf *jb, const char *s);             /* NUL-terminated, as is */
/* A string literal, as is, its length known at compile time. */
#define JSON_LIT(jb, lit) json_raw((jb), "" lit, sizeof(lit) - 1)
void json_char(struct json_buf *jb, char c);
/* s as a JSON string, quotes included (RFC 8259 §7): '"' and '\' escaped, control octets as
 * \b \f \n \r \t or \u00XX, and octets of 0x7f and above as \u00XX, so the output is ASCII
 * whatever s holds. NULL writes null. */
void json_str(struct json_buf *jb, const char *s);
void json_strn(struct json_buf *jb, const char *s, size_t n);
/* The same escaping straight to a FILE, for writers that stream (report, export); with utf8
 * set, octets of 0x80 and up pass through (UTF-8 text such as AS names stays readable).
 * NULL writes null. Writes without taking the stream's lock: one thread per stream. */
void json_fput_str(FILE *out, const char *s, bool utf8);
/* json_fput_str's bytes for s[0, n) (not NULL) into o, which has room for 6 * n + 2 octets;
 * returns the end. For writers that assemble a line in memory. */
char *json_put_str(char *o, const char *s, size_t n, bool utf8);
void json_u64(struct json_buf *jb, uint64_t v);
void json_i64(struct json_buf *jb, int64_t v);
/* An address as a JSON string: dotted quad, or RFC 5952 text for IPv6 (inet_ntop); "" for none. */
void json_addr(struct json_buf *jb, const fs_addr *a);
/* Capture time as seconds with six decimals (microsecond precision), e.g. 1779223218.254496. */
void json_ts(struct json_buf *jb, fs_time t);

#endif
