/* Internals shared by the files of src/decode/ (not part of the public API). */
#ifndef FLUXSCOPE_DECODE_INT_H
#define FLUXSCOPE_DECODE_INT_H

#include "decode/wire.h"
#include "fluxscope/decode.h"

/* Names already read in the current message, by wire offset (see dns.c, name_cache_put). */
#define DNS_NAME_CACHE 64
struct dns_name_slot {
	uint32_t gen;         /* valid when equal to dns_scratch.name_gen */
	uint32_t name_off;    /* the suffix's string in dns_scratch.names */
	uint16_t wire_off, slen, wirelen;
	uint8_t hops;
};

/* Scratch memory the DNS parser reuses for every message: grows geometrically, never shrinks,
 * so a warm decoder allocates nothing per message. Owned by the decoder. */
struct dns_scratch {
	struct dns_rr *rr;
	uint32_t cap_rr;
	char *names;         /* NUL-terminated presentation names, packed */
	size_t names_cap, names_len;
	/* Per record: offsets of owner and target in names while a message is parsed (the names
	 * buffer may move as it grows; pointers are set once the message is done). */
	uint32_t *name_off;
	struct dns_name_slot name_cache[DNS_NAME_CACHE];
	uint32_t name_gen;
};

void dns_scratch_init(struct dns_scratch *sc);
void dns_scratch_fini(struct dns_scratch *sc);

/* Parse one DNS message (RFC 1035 wire format) into out, using sc for names and records.
 * Transport fields of out (ts, addresses, ports, transport, src_index) are left untouched.
 * Returns false if the 12-byte header cannot be read; otherwise true, with out->malformed set
 * when not every entry decoded (records before a fault are kept; an entry whose owner name is
 * invalid but framed is left out and parsing goes on). The result borrows sc until the next
 * call. */
bool dns_parse(struct dns_scratch *sc, const uint8_t *msg, uint32_t len, struct dns_msg *out);

/* Test hook (unit tests and fuzzers of the packet path): when set, every DNS payload that the
 * link/IP/UDP/TCP layers extract is handed to fn instead of dns_parse(), with its transport
 * fields. Counters other than the DNS query/response split still run. Borrowed bytes: valid
 * only during the call. */
struct dec_payload {
	fs_time ts;
	fs_addr src, dst;
	uint16_t sport, dport;
	uint8_t transport;       /* 17 = UDP, 6 = TCP */
	bool cut;                /* the capture cut the message: data holds its first bytes */
	int src_index;
	uint32_t frame;
	const uint8_t *data;
	uint32_t len;
};
typedef void (*dec_payload_fn)(void *ctx, const struct dec_payload *p);
void dec_set_payload_hook(struct decoder *d, dec_payload_fn fn, void *ctx);

#endif
