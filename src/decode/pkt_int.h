/* Internals of the packet path (link.c, ip.c, l4.c, tcp.c, decode.c): the decoder object, the
 * fragment and stream tables, and the layer functions. Not part of the public API. */
#ifndef FLUXSCOPE_DECODE_PKT_INT_H
#define FLUXSCOPE_DECODE_PKT_INT_H

#include <string.h>

#include "decode/decode_int.h"
#include "util/hidx.h"

#define DEC_MAX_ENCAP 4       /* VXLAN/GRE/IP-in-IP nesting we follow */

/* Addresses and ports of one packet as the layers learn them. */
struct dec_flow {
	fs_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;            /* 17 = UDP, 6 = TCP */
	bool cut;                 /* the capture holds only the first bytes of this payload */
	bool prefix;              /* the payload is the leading part of an IP datagram whose other
	                           * fragments never came (its true length is unknown) */
	uint32_t missing;         /* IP payload bytes sent but not captured (snapshot length) */
};

/* ---- IPv4/IPv6 fragment reassembly (ip.c) ---- */

#define FRAG_BLOCKS 8192      /* 8-byte blocks: covers the 65535-byte maximum */

struct frag_dg {
	struct frag_dg *fnext;             /* free list */
	struct frag_dg *older, *newer;     /* age list: creation order, oldest first */
	uint32_t hash;
	uint8_t version;                   /* 4 or 6 */
	uint8_t proto;                     /* v4 header protocol / v6 next header (offset 0) */
	bool have_first, have_last;
	uint32_t id;
	fs_addr src, dst;
	fs_time first;                     /* arrival of its first fragment to arrive (expiry) */
	fs_time first_ts;                  /* arrival of the fragment at offset 0 */
	uint32_t total;                    /* payload length, from the last fragment */
	uint32_t end_max;                  /* furthest byte received */
	uint32_t covered;                  /* blocks received */
	uint32_t nfrags;
	int src_index;
	uint32_t frame;                    /* frame number of the fragment at offset 0 */
	uint8_t *buf;
	uint32_t cap;
	uint64_t bits[FRAG_BLOCKS / 64];
};

struct frag_table {
	struct frag_dg *slots;
	uint32_t n_slots;
	uint32_t n_fresh;                  /* slots[n_fresh..n_slots) never used: zero pages */
	struct frag_dg *free;              /* slots used and given back */
	struct fs_hidx index;              /* datagrams in flight by key (slot numbers) */
	struct frag_dg *oldest, *newest;
	uint32_t n;                        /* datagrams in flight */
	uint64_t bytes;                    /* sum of end_max in flight */
};

/* ---- DNS over TCP stream reassembly (tcp.c) ---- */

#define TCP_MAX_RANGES 8      /* out-of-order islands held per direction */

struct tcp_range {
	uint32_t lo, hi;                   /* [lo, hi) relative to tcp_stream.seq */
};

struct tcp_stream {                    /* one direction of one connection */
	struct tcp_stream *fnext;          /* free list */
	struct tcp_stream *older, *newer;  /* idle list: least recently active first */
	uint32_t hash;
	fs_addr src, dst;
	uint16_t sport, dport;
	fs_time last;
	int src_index;
	uint32_t frame;                    /* frame number of the latest segment */
	uint32_t isn;
	bool syn, fin;
	uint32_t fin_seq;
	bool lost;                         /* desynchronised by a cut: data dropped until a new SYN */
	uint32_t cut_lo, cut_hi;           /* data in [cut_lo, cut_hi) belongs to a message the
	                                    * capture cut short (skipped, not a retransmission) */
	uint32_t seq;                      /* sequence number of buf[0] */
	uint32_t len;                      /* contiguous bytes in buf[0, len) */
	uint32_t hi;                       /* bytes of buf in use, out-of-order data included */
	uint8_t n_ooo;
	struct tcp_range ooo[TCP_MAX_RANGES]; /* sorted, disjoint, each lo > len */
	uint8_t *buf;
	uint32_t cap;
};

struct tcp_table {
	struct tcp_stream *slots;
	uint32_t n_slots;
	uint32_t n_fresh;                  /* slots[n_fresh..n_slots) never used: zero pages */
	struct tcp_stream *free;           /* slots used and given back */
	struct fs_hidx index;              /* streams by flow (slot numbers) */
	struct tcp_stream *oldest, *newest;
	uint32_t n;
	uint64_t bytes;                    /* buffer capacity held by streams and the pool */
	struct tcp_buf {                   /* buffers of closed streams, ready for reuse */
		uint8_t *buf;
		uint32_t cap;
	} *pool;
	uint32_t n_pool;
};

/* What the current dec_packet() call delivers to. */
struct dec_pkt {
	fs_time ts;
	int src_index;
	uint32_t frame;                    /* dec_set_frame(): number within its source, 1-based */
	dec_msg_cb cb;
	void *ctx;
	int depth;                         /* encapsulation depth */
	bool feed;                         /* a DEC_LINKTYPE_FEED frame (feed.c) */
	uint8_t view;                      /* its enum dec_view */
	char vantage[256];                 /* its vantage, NUL-terminated */
};

struct decoder {
	struct dec_config cfg;
	struct dec_stats st;
	uint64_t dns_ports[65536 / 64];    /* bitmap of DNS ports */
	struct dns_scratch sc;
	struct dns_msg msg;
	struct frag_table frag;
	struct tcp_table tcp;
	struct dec_pkt pkt;
	dec_payload_fn hook;
	void *hook_ctx;
};

static inline bool
dec_is_dns_port(const struct decoder *d, uint16_t port)
{
	return (d->dns_ports[port >> 6] >> (port & 63)) & 1;
}

static inline void
dec_skip(struct decoder *d, enum dec_skip why)
{
	d->st.skipped[why]++;
}

/* Hash of two addresses and 64 more bits (ports, ids) for the fragment and stream tables:
 * word-wise multiply-xorshift mixing; the inputs are our own copies, never packet bytes. */
static inline uint64_t
dec_mix64(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

static inline uint32_t
dec_flow_hash(const fs_addr *a, const fs_addr *b, uint64_t extra)
{
	uint64_t w[4];

	memcpy(w, a->bytes, 16);
	memcpy(w + 2, b->bytes, 16);
	uint64_t h = dec_mix64(0x243F6A8885A308D3ull, extra);
	h = dec_mix64(h, w[0]);
	h = dec_mix64(h, w[1]);
	h = dec_mix64(h, w[2]);
	h = dec_mix64(h, w[3]);
	return (uint32_t)(h ^ (h >> 32));
}

/* decode.c: parse one DNS message and hand it to the packet's callback. */
void dec_deliver(struct decoder *d, const struct dec_flow *f, fs_time ts, const uint8_t *msg,
                 uint32_t len);

/* link.c */
void dec_link(struct decoder *d, int linktype, const uint8_t *p, uint32_t len);
/* feed.c: a DEC_LINKTYPE_FEED frame. */
void dec_feed(struct decoder *d, struct wire *w);
void dec_ether(struct decoder *d, struct wire *w);      /* Ethernet frame (also VXLAN inner) */
void dec_ethertype(struct decoder *d, uint16_t type, struct wire *w);

/* ip.c */
void dec_ip(struct decoder *d, struct wire *w);         /* by version nibble */
void dec_ip4(struct decoder *d, struct wire *w);
void dec_ip6(struct decoder *d, struct wire *w);
void frag_init(struct frag_table *t, const struct dec_config *cfg);
void frag_fini(struct frag_table *t);
void frag_expire(struct decoder *d, fs_time now, bool all);

/* l4.c: the IP payload `w` with protocol `proto` (UDP, TCP, or a tunnel). */
void dec_l4(struct decoder *d, struct dec_flow *f, uint8_t proto, struct wire *w);

/* tcp.c */
void tcp_init(struct tcp_table *t, const struct dec_config *cfg);
void tcp_fini(struct tcp_table *t);
/* One segment: data[0, len) captured, `missing` more bytes of it sent but not captured. */
void tcp_segment(struct decoder *d, const struct dec_flow *f, uint32_t seq, uint8_t flags,
                 const uint8_t *data, uint32_t len, uint32_t missing);
void tcp_expire(struct decoder *d, fs_time now, bool all);

#endif
