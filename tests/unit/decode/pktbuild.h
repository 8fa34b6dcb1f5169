/* Test helper: build link/IP/UDP/TCP frames byte by byte, and observe what the packet path
 * extracts through the decoder's payload hook (header-only, static inline). */
#ifndef FLUXSCOPE_TEST_PKTBUILD_H
#define FLUXSCOPE_TEST_PKTBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

#define PB_MAX 140000

struct pb {
	uint8_t b[PB_MAX];
	size_t len;
};

static inline void pb_reset(struct pb *p) { p->len = 0; }

static inline void
pb_u8(struct pb *p, uint8_t v)
{
	if (p->len < PB_MAX)
		p->b[p->len++] = v;
}

static inline void pb_u16(struct pb *p, uint16_t v) { pb_u8(p, (uint8_t)(v >> 8)); pb_u8(p, (uint8_t)v); }
static inline void pb_u16le(struct pb *p, uint16_t v) { pb_u8(p, (uint8_t)v); pb_u8(p, (uint8_t)(v >> 8)); }
static inline void pb_u32(struct pb *p, uint32_t v) { pb_u16(p, (uint16_t)(v >> 16)); pb_u16(p, (uint16_t)v); }
static inline void pb_u32le(struct pb *p, uint32_t v) { pb_u16le(p, (uint16_t)v); pb_u16le(p, (uint16_t)(v >> 16)); }

static inline void
pb_bytes(struct pb *p, const void *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_u8(p, ((const uint8_t *)d)[i]);
}

static inline void
pb_zero(struct pb *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_u8(p, 0);
}

/* Overwrite a big-endian 16-bit value at off (lengths filled in afterwards). */
static inline void
pb_put16(struct pb *p, size_t off, uint16_t v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

static inline void
pb_eth(struct pb *p, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	pb_bytes(p, macs, 12);
	pb_u16(p, type);
}

/* IPv4 header without options; total length covers `payload` bytes. */
static inline void
pb_ip4(struct pb *p, const char *src, const char *dst, uint8_t proto, uint16_t payload,
       uint16_t id, uint16_t flags_off)
{
	fs_addr s, d;
	fs_addr_parse(src, &s);
	fs_addr_parse(dst, &d);
	pb_u8(p, 0x45);
	pb_u8(p, 0);
	pb_u16(p, (uint16_t)(20 + payload));
	pb_u16(p, id);
	pb_u16(p, flags_off);
	pb_u8(p, 64);
	pb_u8(p, proto);
	pb_u16(p, 0xdead);   /* wrong checksum on purpose: must not matter */
	pb_bytes(p, s.bytes, 4);
	pb_bytes(p, d.bytes, 4);
}

static inline void
pb_ip6(struct pb *p, const char *src, const char *dst, uint8_t nh, uint16_t payload)
{
	fs_addr s, d;
	fs_addr_parse(src, &s);
	fs_addr_parse(dst, &d);
	pb_u32(p, 0x60000000);
	pb_u16(p, payload);
	pb_u8(p, nh);
	pb_u8(p, 64);
	pb_bytes(p, s.bytes, 16);
	pb_bytes(p, d.bytes, 16);
}

static inline void
pb_udp(struct pb *p, uint16_t sport, uint16_t dport, uint16_t payload)
{
	pb_u16(p, sport);
	pb_u16(p, dport);
	pb_u16(p, (uint16_t)(8 + payload));
	pb_u16(p, 0xbeef);   /* wrong checksum on purpose */
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static inline void
pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags)
{
	pb_u16(p, sport);
	pb_u16(p, dport);
	pb_u32(p, seq);
	pb_u32(p, 0);
	pb_u8(p, 0x50);
	pb_u8(p, flags);
	pb_u16(p, 65535);
	pb_u16(p, 0);
	pb_u16(p, 0);
}

/* A DNS query for name (dotted), type A: the payloads the tests push through the layers. */
static inline size_t
dns_query(uint8_t *out, uint16_t id, const char *name)
{
	size_t n = 0;
	out[n++] = (uint8_t)(id >> 8);
	out[n++] = (uint8_t)id;
	out[n++] = 0x01;
	out[n++] = 0x00;
	out[n++] = 0;
	out[n++] = 1;
	memset(out + n, 0, 6);
	n += 6;
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		out[n++] = (uint8_t)l;
		memcpy(out + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 1;
	out[n++] = 0;
	out[n++] = 1;
	return n;
}

/* A message of exactly len bytes (>= 12): a header followed by filler, the byte pattern
 * derived from seed so that reassembled copies can be compared. */
static inline void
blob(uint8_t *out, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
	out[0] = (uint8_t)(seed >> 8);
	out[1] = (uint8_t)seed;
}

/* What the hook saw. */
struct got_msg {
	uint8_t *data;
	uint32_t len;
	struct dec_payload meta;
};

struct got {
	struct got_msg m[512];
	int n;
};

static inline void
got_hook(void *ctx, const struct dec_payload *p)
{
	struct got *g = ctx;
	if (g->n >= 512)
		return;
	struct got_msg *m = &g->m[g->n++];
	m->data = malloc(p->len ? p->len : 1);
	memcpy(m->data, p->data, p->len);
	m->len = p->len;
	m->meta = *p;
	m->meta.data = NULL;
}

static inline void
got_clear(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->m[i].data);
	g->n = 0;
}

static inline uint64_t
skipped_total(const struct dec_stats *st)
{
	uint64_t n = 0;
	for (int i = 0; i < DEC_SKIP_COUNT; i++)
		n += st->skipped[i];
	return n;
}

#endif
