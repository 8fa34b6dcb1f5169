/* The only reader of packet and file bytes: bounds-checked, with a sticky error (ldns `_status`
 * style). Decode reads packets through it; the file readers (capture/pcapng.c, capture/file.c)
 * and enrich's libloc header check read their formats through it too.
 * A failed read returns 0 and sets w->err; callers check once per record, so everything
 * decoded before a fault is kept. Never overlay structs on packet bytes; never memcpy/ntohs on
 * packet pointers outside this reader. */
#ifndef FLUXSCOPE_DECODE_WIRE_H
#define FLUXSCOPE_DECODE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
	const uint8_t *base;  /* start of the buffer (compression pointers are offsets from here) */
	const uint8_t *p;     /* read position */
	const uint8_t *end;   /* one past the last readable byte */
	int err;              /* sticky: non-zero once any read ran past end */
};

static inline void
wire_init(struct wire *w, const uint8_t *buf, size_t len)
{
	w->base = buf;
	w->p = buf;
	w->end = buf != NULL ? buf + len : buf;   /* NULL + 0 is undefined in C */
	w->err = 0;
}

static inline size_t wire_left(const struct wire *w) { return w->err ? 0 : (size_t)(w->end - w->p); }
static inline size_t wire_pos(const struct wire *w) { return (size_t)(w->p - w->base); }
static inline size_t wire_len(const struct wire *w) { return (size_t)(w->end - w->base); }
static inline bool wire_ok(const struct wire *w) { return w->err == 0; }

static inline bool
wire_need(struct wire *w, size_t n)
{
	if (w->err || (size_t)(w->end - w->p) < n) {
		w->err = 1;
		return false;
	}
	return true;
}

static inline uint8_t
wire_u8(struct wire *w)
{
	if (!wire_need(w, 1))
		return 0;
	return *w->p++;
}

static inline uint16_t
wire_u16be(struct wire *w)
{
	if (!wire_need(w, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)w->p[0] << 8 | w->p[1]);
	w->p += 2;
	return v;
}

static inline uint16_t
wire_u16le(struct wire *w)
{
	if (!wire_need(w, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)w->p[1] << 8 | w->p[0]);
	w->p += 2;
	return v;
}

static inline uint32_t
wire_u32be(struct wire *w)
{
	if (!wire_need(w, 4))
		return 0;
	uint32_t v = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 | (uint32_t)w->p[2] << 8 | w->p[3];
	w->p += 4;
	return v;
}

static inline uint32_t
wire_u32le(struct wire *w)
{
	if (!wire_need(w, 4))
		return 0;
	uint32_t v = (uint32_t)w->p[3] << 24 | (uint32_t)w->p[2] << 16 | (uint32_t)w->p[1] << 8 | w->p[0];
	w->p += 4;
	return v;
}

/* Copy n bytes out (dst zero-filled on failure). */
static inline bool
wire_bytes(struct wire *w, void *dst, size_t n)
{
	if (!wire_need(w, n)) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, w->p, n);
	w->p += n;
	return true;
}

/* Borrow n bytes in place (NULL on failure). */
static inline const uint8_t *
wire_ptr(struct wire *w, size_t n)
{
	if (!wire_need(w, n))
		return NULL;
	const uint8_t *p = w->p;
	w->p += n;
	return p;
}

static inline bool
wire_skip(struct wire *w, size_t n)
{
	if (!wire_need(w, n))
		return false;
	w->p += n;
	return true;
}

/* Peek without consuming; returns false (no error set) if fewer than n+off bytes remain. */
static inline bool
wire_peek_u8(const struct wire *w, size_t off, uint8_t *out)
{
	if (w->err || (size_t)(w->end - w->p) <= off)
		return false;
	*out = w->p[off];
	return true;
}

/* The unread bytes, *n of them, without consuming (NULL when none or after an error): for a
 * scanner that looks ahead through a span (the JSON reader's strings), then wire_skip()s it. */
static inline const uint8_t *
wire_rest(const struct wire *w, size_t *n)
{
	*n = wire_left(w);
	return *n > 0 ? w->p : NULL;
}

/* Seek to an absolute offset within [base, end]. */
static inline bool
wire_seek(struct wire *w, size_t off)
{
	if (w->err || off > (size_t)(w->end - w->base)) {
		w->err = 1;
		return false;
	}
	w->p = w->base + off;
	return true;
}

/* A sub-reader over the next n bytes (consumed from w); offsets in the sub-reader start at 0. */
static inline bool
wire_sub(struct wire *w, size_t n, struct wire *sub)
{
	const uint8_t *p = wire_ptr(w, n);
	if (p == NULL) {
		wire_init(sub, NULL, 0);
		sub->err = 1;
		return false;
	}
	wire_init(sub, p, n);
	return true;
}

/* In the byte order asked for (file formats whose sections pick their order, pcapng). */
static inline uint16_t wire_u16(struct wire *w, bool le) { return le ? wire_u16le(w) : wire_u16be(w); }
static inline uint32_t wire_u32(struct wire *w, bool le) { return le ? wire_u32le(w) : wire_u32be(w); }

static inline uint64_t
wire_u64be(struct wire *w)
{
	uint64_t hi = wire_u32be(w);
	return hi << 32 | wire_u32be(w);
}

/* Reads at an absolute offset of a buffer, without a reader to carry: false (and *v = 0) when
 * the value does not lie wholly inside [buf, buf + len). */
static inline bool
wire_at_u16(const uint8_t *buf, size_t len, size_t off, bool le, uint16_t *v)
{
	struct wire w;
	wire_init(&w, buf, len);
	*v = wire_seek(&w, off) ? wire_u16(&w, le) : 0;
	return wire_ok(&w);
}

static inline bool
wire_at_u32(const uint8_t *buf, size_t len, size_t off, bool le, uint32_t *v)
{
	struct wire w;
	wire_init(&w, buf, len);
	*v = wire_seek(&w, off) ? wire_u32(&w, le) : 0;
	return wire_ok(&w);
}

#endif
