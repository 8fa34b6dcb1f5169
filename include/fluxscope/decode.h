/* Decoding: link layer → IP (with fragment reassembly) → UDP/TCP (with stream reassembly) →
 * DNS message. Pure functions over hostile bytes; every byte is read through src/decode/wire.c.
 *
 * Threads: a decoder is used by one thread at a time (the ingest thread). Decoded messages
 * handed to the callback are borrowed: valid only during the callback (they live in the
 * decoder's scratch memory, reused for the next message; no allocation per packet once warm). */
#ifndef FLUXSCOPE_DECODE_H
#define FLUXSCOPE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "fluxscope/fs.h"

/* Why a packet (or message) was not turned into DNS observations. Counted, never fatal. */
#define DEC_SKIP_REASONS(X)                                                          \
	X(TRUNCATED, "truncated", "frame shorter than its headers say")                   \
	X(LINKTYPE, "unsupported-linktype", "link-layer type fluxscope does not decode") \
	X(NOT_IP, "not-ip", "link payload is not IPv4 or IPv6 (ARP, 802.11 management...)")   \
	X(ENCRYPTED, "encrypted", "802.11 data frame with the Protected bit: payload encrypted") \
	X(BAD_IP, "bad-ip", "malformed IPv4/IPv6 header")                                  \
	X(NOT_UDP_TCP, "not-udp-tcp", "IP payload is neither UDP nor TCP")                 \
	X(BAD_L4, "bad-transport", "malformed UDP or TCP header")                            \
	X(NOT_DNS, "not-dns", "UDP/TCP on ports that are not DNS ports, or a tunnel's "     \
	  "control message")                                                                   \
	X(FRAG_DROPPED, "fragment-dropped", "IP fragment expired, or over the reassembly bound, " \
	  "or a later 802.11/ARCNET fragment")                                                   \
	X(TCP_DROPPED, "tcp-dropped", "TCP data lost: gap, overflow or stream table full")   \
	X(TCP_INCOMPLETE, "tcp-incomplete", "DNS-over-TCP bytes left at stream end (cut message or junk)") \
	X(MALFORMED_DNS, "malformed-dns", "DNS message that does not parse")                 \
	X(EMPTY, "empty", "transport segment without payload")

enum dec_skip {
#define X(id, name, text) DEC_SKIP_##id,
	DEC_SKIP_REASONS(X)
#undef X
	DEC_SKIP_COUNT
};

const char *dec_skip_name(enum dec_skip reason);   /* short name, e.g. "malformed-dns" */
const char *dec_skip_text(enum dec_skip reason);   /* one-line description */

struct dec_stats {
	uint64_t packets;          /* frames handed to dec_packet */
	uint64_t bytes;            /* captured bytes of those frames */
	uint64_t dns_messages;     /* DNS messages delivered to the callback */
	uint64_t dns_queries, dns_responses;
	uint64_t udp_messages, tcp_messages;
	uint64_t frags_seen, frags_reassembled;
	uint64_t frags_overlapping;  /* fragments that overlapped data already held (first copy kept) */
	uint64_t tcp_segments, tcp_streams;
	uint64_t tcp_retransmitted;  /* segments whose data had all or partly been seen (deduplicated) */
	uint64_t tcp_out_of_order;   /* segments held until the gap before them filled */
	uint64_t encapsulated;       /* frames decoded through a tunnel: VXLAN, Geneve, GTP-U,
	                              * GRE (also over UDP, ERSPAN), IP-in-IP */
	uint64_t partial_messages; /* messages delivered with a malformed tail (records kept) */
	uint64_t cut_messages;     /* messages the capture cut short (snapshot length, a datagram
	                            * whose later fragments never came, a cut TCP segment): the
	                            * records complete before the cut kept, also counted partial
	                            * when records are missing */
	uint64_t skipped[DEC_SKIP_COUNT];
	uint64_t linktypes_unknown[4]; /* up to four distinct unknown DLT values seen, +1 each */
	int linktype_unknown_value[4];
};

/* DNS sections */
enum dns_section { DNS_SEC_QUESTION = 0, DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL };

/* One resource record. Names are lower-cased presentation form without the trailing dot
 * (root is "."), with RFC 1035 escapes (\. \\ \DDD) for bytes that need them; IDNA labels as on
 * the wire. Strings are borrowed from the message scratch. */
struct dns_rr {
	const char *name;
	uint16_t type, rclass;
	uint32_t ttl;
	uint8_t section;           /* enum dns_section */
	uint16_t rdlength;
	uint32_t rdata_off;        /* offset of RDATA in dns_msg.wire */
	/* Decoded data for the types the store needs; other types leave these empty. */
	fs_addr addr;              /* A/AAAA */
	const char *target;        /* CNAME/NS/PTR/DNAME/MX exchange/SRV target, lower-cased */
};

struct dns_msg {
	fs_time ts;
	fs_addr src, dst;
	uint16_t sport, dport;
	uint8_t transport;         /* 17 = UDP, 6 = TCP */
	uint16_t id;
	bool qr, aa, tc, rd, ra, ad, cd;
	uint8_t opcode;
	uint16_t rcode;            /* header rcode, extended with OPT's upper bits when present */
	bool has_opt;
	uint16_t qdcount, ancount, nscount, arcount; /* as in the header */
	const char *qname;         /* first question (NULL if none or its name is invalid) */
	uint16_t qtype, qclass;
	struct dns_rr *rr;         /* every entry in wire order: the questions first (section
	                            * DNS_SEC_QUESTION, ttl 0, no RDATA), then the answer,
	                            * authority and additional records, OPT included */
	uint32_t n_rr;
	bool malformed;            /* not every entry decoded: parsing stopped at a fault, or an
	                            * entry with an invalid owner name was left out (the rest
	                            * still read); rr[] holds every entry that decoded */
	const uint8_t *wire;       /* the raw message */
	uint32_t wire_len;
	int src_index;             /* which input source (for several files) */
	uint32_t frame;            /* frame number in that source (1-based, dec_set_frame; 0 = unknown):
	                            * the frame that completed the message (last fragment, segment) */
	/* Feeds (dnstap, Zeek, EVE; DEC_LINKTYPE_FEED): who saw the message and from which side.
	 * NULL/DEC_VIEW_NONE for packets. vantage is borrowed like the rest (NUL-terminated). */
	const char *vantage;       /* e.g. "unbound1 CLIENT_RESPONSE", "zeek", "suricata" */
	uint8_t view;              /* enum dec_view */
};

/* Messages from resolver feeds reach the decoder as frames of this pseudo link type (beyond
 * 16 bits, so no capture file can carry it): a header made by dec_feed_frame() (addresses,
 * ports, transport, the vantage) followed by the DNS message. The packet path then decodes the
 * message as if it came from a UDP or TCP payload. */
#define DEC_LINKTYPE_FEED 0x10001
enum dec_view {
	DEC_VIEW_NONE = 0,         /* not declared (packets): the detector infers the vantage */
	DEC_VIEW_CLIENT = 1,       /* answers a recursive resolver gave (dnstap CLIENT_*, STUB_*,
	                            * FORWARDER_*, a sensor in front of clients) */
	DEC_VIEW_UPSTREAM = 2      /* answers authoritative servers gave a resolver (RESOLVER_*,
	                            * AUTH_*) */
};
struct dec_feed_hdr {
	fs_addr src, dst;          /* message source and destination (family 0 = unknown) */
	uint16_t sport, dport;
	uint8_t transport;         /* 17 or 6 */
	uint8_t view;              /* enum dec_view */
	const char *vantage;       /* at most DEC_FEED_VANTAGE_MAX bytes are kept; may be NULL */
	bool port_check;           /* a sensor's log: only messages on a DNS port (--dns-port) count,
	                            * as for packets (Zeek and Suricata also log mDNS, LLMNR…); a
	                            * resolver's dnstap is DNS whatever its port */
};
#define DEC_FEED_VANTAGE_MAX 200
#define DEC_FEED_HDR_MAX (1 + 1 + 32 + 4 + 2 + 1 + DEC_FEED_VANTAGE_MAX)
/* Write the frame for one message into buf (cap bytes); returns its length, 0 when it does not
 * fit. Any thread (pure). */
size_t dec_feed_frame(uint8_t *buf, size_t cap, const struct dec_feed_hdr *h, const uint8_t *msg,
                      size_t len);
/* The view's name: "client", "upstream", "" for none. */
const char *dec_view_name(uint8_t view);

struct dec_config {
	uint16_t dns_ports[16];    /* ports that carry DNS (either direction); default {53} */
	int n_dns_ports;
	uint32_t frag_timeout_ms;  /* default 30000 */
	uint32_t frag_max_datagrams; /* in flight, default 4096 */
	uint32_t frag_max_bytes;   /* reassembly bytes in flight, default 32 MiB */
	uint32_t tcp_timeout_ms;   /* idle stream expiry, default 120000 */
	uint32_t tcp_max_streams;  /* default 65536 */
	uint32_t tcp_max_buffer;   /* per direction, default 262144 */
};

void dec_config_default(struct dec_config *cfg);
/* Parse "53,5353" into cfg; on error err names the option. */
fs_status dec_config_set_ports(struct dec_config *cfg, const char *list, struct fs_err *err);

struct decoder;
typedef void (*dec_msg_cb)(void *ctx, const struct dns_msg *msg);

/* Caller frees with dec_free(). */
struct decoder *dec_new(const struct dec_config *cfg);
void dec_free(struct decoder *d);

/* The number of the next frame within its source (1-based), given to the messages it
 * completes (dns_msg.frame); 0 = not counted. Set before dec_packet(). */
void dec_set_frame(struct decoder *d, uint32_t frame);

/* Decode one captured frame. `linktype` is the DLT/LINKTYPE value of its interface.
 * Zero or more DNS messages are delivered to cb (fragments and TCP may complete later). */
void dec_packet(struct decoder *d, int linktype, fs_time ts, const uint8_t *frame,
                uint32_t caplen, uint32_t wirelen, int src_index, dec_msg_cb cb, void *ctx);

/* Decode a bare DNS message (no transport); used by tests, fuzzers and the TCP path.
 * Returns false only if not even the header could be read (then nothing is delivered). */
bool dec_dns_message(struct decoder *d, const uint8_t *msg, uint32_t len, struct dns_msg *out);

/* End of input: expire pending fragments and deliver what complete TCP data remains. */
void dec_flush(struct decoder *d, dec_msg_cb cb, void *ctx);

const struct dec_stats *dec_stats(const struct decoder *d);

/* Mnemonics (RFC/IANA); unknown values as "TYPE123"/"RCODE12" into a static per-call buffer
 * of the decoder thread: copy if kept. */
const char *dns_type_name(uint16_t type, char buf[16]);
const char *dns_rcode_name(uint16_t rcode, char buf[16]);
const char *dns_opcode_name(uint8_t opcode, char buf[16]);
int dns_type_from_name(const char *name); /* -1 if unknown */

/* Presentation form of one record's RDATA (ldns for breadth: MX, TXT, SOA, RRSIG…; A/AAAA as
 * addresses; names without the trailing dot). Writes at most len bytes including NUL into buf;
 * returns buf. Used by --dump and the TUI, never on the ingest hot path. */
const char *dns_rdata_str(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len);
/* The reverse of dns_rdata_str for any type ldns knows: the presentation form text of an
 * RDATA of type `type` into wire form in out (at most cap bytes). Returns the length, or -1
 * when the text does not parse as that type or does not fit. Any thread. */
int dns_rdata_from_text(uint16_t type, const char *text, uint8_t *out, size_t cap);

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_PTR 12
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_DNAME 39
#define DNS_TYPE_OPT 41

/* Registrable domains (eTLD+1) over the Public Suffix List: libpsl's latest list on the system,
 * private section included. The one place the tool reads the list (the detector's zones, the
 * ClickHouse sink's registrable column, a drill-down's zone). A handle is immutable once open:
 * any thread may query it; the caller frees it with dns_psl_free(). */
struct dns_psl;
struct dns_psl *dns_psl_open(void);           /* NULL when no list can be loaded */
void dns_psl_free(struct dns_psl *p);         /* NULL is fine */
/* The registrable domain of name: a pointer into name, or NULL (a public suffix, no list). */
const char *dns_psl_registrable(const struct dns_psl *p, const char *name);
/* Whether name is itself a public suffix (com, co.uk); false without a list. */
bool dns_psl_public_suffix(const struct dns_psl *p, const char *name);

#endif
