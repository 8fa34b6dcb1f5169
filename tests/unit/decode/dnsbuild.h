/* Test helper: build DNS messages in wire format byte by byte (header-only, static inline). */
#ifndef FLUXSCOPE_TEST_DNSBUILD_H
#define FLUXSCOPE_TEST_DNSBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mb {
	uint8_t *b;
	size_t len, cap;
};

static inline void
mb_init(struct mb *m)
{
	m->cap = 1024;
	m->len = 0;
	m->b = calloc(1, m->cap);
}

static inline void
mb_free(struct mb *m)
{
	free(m->b);
	m->b = NULL;
}

static inline void
mb_u8(struct mb *m, uint8_t v)
{
	if (m->len == m->cap) {
		m->cap *= 2;
		m->b = realloc(m->b, m->cap);
	}
	m->b[m->len++] = v;
}

static inline void
mb_u16(struct mb *m, uint16_t v)
{
	mb_u8(m, (uint8_t)(v >> 8));
	mb_u8(m, (uint8_t)v);
}

static inline void
mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, (uint16_t)(v >> 16));
	mb_u16(m, (uint16_t)v);
}

static inline void
mb_bytes(struct mb *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mb_u8(m, ((const uint8_t *)p)[i]);
}

/* Header: id, flags, counts. */
static inline void
mb_hdr(struct mb *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

/* A name from dotted text, uncompressed, with the root octet; "" or "." is the root. Labels
 * may hold any octet except '.', written raw. */
static inline void
mb_name(struct mb *m, const char *dotted)
{
	const char *p = dotted;

	while (*p != '\0' && strcmp(p, ".") != 0) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		mb_u8(m, (uint8_t)n);
		mb_bytes(m, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	mb_u8(m, 0);
}

/* A label with explicit bytes (for escapes), no root. */
static inline void
mb_label(struct mb *m, const void *bytes, uint8_t n)
{
	mb_u8(m, n);
	mb_bytes(m, bytes, n);
}

static inline void
mb_ptr(struct mb *m, uint16_t off)
{
	mb_u16(m, (uint16_t)(0xc000 | off));
}

static inline void
mb_question(struct mb *m, const char *name, uint16_t type, uint16_t cls)
{
	mb_name(m, name);
	mb_u16(m, type);
	mb_u16(m, cls);
}

/* RR header after the owner name; returns the offset of the RDLENGTH field to patch. */
static inline size_t
mb_rr_head(struct mb *m, uint16_t type, uint16_t cls, uint32_t ttl)
{
	mb_u16(m, type);
	mb_u16(m, cls);
	mb_u32(m, ttl);
	size_t at = m->len;
	mb_u16(m, 0);
	return at;
}

static inline void
mb_rr_end(struct mb *m, size_t at)
{
	size_t n = m->len - at - 2;
	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}

/* A whole A record with an uncompressed owner. */
static inline void
mb_rr_a(struct mb *m, const char *owner, uint32_t ttl, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	mb_name(m, owner);
	size_t at = mb_rr_head(m, 1, 1, ttl);
	mb_u8(m, a);
	mb_u8(m, b);
	mb_u8(m, c);
	mb_u8(m, d);
	mb_rr_end(m, at);
}

#endif
