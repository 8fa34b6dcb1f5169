/* Internals of the resolver feeds (src/capture/feed_*.c, fstrm.c, dnstap*.c, zeek.c, eve.c):
 * dnstap over Frame Streams (files and live), Zeek dns.log (TSV and JSON) and Suricata EVE
 * dns events, plain or gzip. Each reader turns its records into DNS messages in wire format and
 * hands them to the decoder as DEC_LINKTYPE_FEED frames (decode.h), so feeds reach the same
 * decoder and store as packets. Not part of the public API.
 *
 * All input is hostile: every byte is read through wire.h (the JSON reader too, decode/json.h)
 * or through the bounded line reader here; lengths are bounded, a bad record is counted and skipped. */
#ifndef FLUXSCOPE_CAPTURE_FEED_INT_H
#define FLUXSCOPE_CAPTURE_FEED_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/cap_int.h"
#include "decode/json.h"
#include "fluxscope/decode.h"

/* ---- Byte input: prefix bytes already read, then the fd (or a memory buffer), optionally
 * through gzip (zlib; concatenated members as logrotate writes them). feed_in.c ---- */
struct feed_in;
/* fd: owned (closed by feed_in_close); pre/npre: bytes already read from it; stop: a read
 * waiting on a pipe gives up when it turns true (may be NULL). */
struct feed_in *feed_in_fd(int fd, const uint8_t *pre, size_t npre, const _Atomic bool *stop);
struct feed_in *feed_in_mem(const uint8_t *buf, size_t len);   /* borrowed buffer (fuzzers) */
void feed_in_set_stop(struct feed_in *in, const _Atomic bool *stop);
/* Switch to gunzip from here on (the next bytes are a gzip member). */
void feed_in_gunzip(struct feed_in *in);
/* Up to n bytes; 0 = end of input; -1 = error (feed_in_error says which). */
long feed_in_read(struct feed_in *in, uint8_t *buf, size_t n);
/* Look at the next bytes without consuming them (at most FEED_PEEK_MAX); returns how many. */
#define FEED_PEEK_MAX 4096
size_t feed_in_peek(struct feed_in *in, const uint8_t **p, size_t want);
const char *feed_in_error(const struct feed_in *in);   /* "" while fine */
uint64_t feed_in_offset(const struct feed_in *in);     /* raw (compressed) bytes consumed */
void feed_in_close(struct feed_in *in);

/* Lines (logs): at most FEED_LINE_MAX bytes; a longer line is skipped whole and counted. */
#define FEED_LINE_MAX 65536
struct feed_lines {
	struct feed_in *in;
	uint8_t *buf;           /* FEED_LINE_MAX + 1 */
	size_t len, pos;        /* read buffer */
	uint8_t *line;          /* the current line, NUL-terminated, '\r' stripped */
	size_t line_len;
	uint64_t n_lines, n_long;
	bool eof;
	uint8_t *rbuf;
	size_t rlen, rpos;
};
void feed_lines_init(struct feed_lines *l, struct feed_in *in);
void feed_lines_fini(struct feed_lines *l);
/* 1 = a line in l->line, 0 = end, -1 = input error. A last line without '\n' counts. */
int feed_lines_next(struct feed_lines *l);

/* ---- JSON log lines: the one JSON reader, decode/json.h (JSON_LOG grammar). ---- */
/* Tokens a log line may need: every token takes at least two bytes of text ("1," or "[]"), so
 * any line within FEED_LINE_MAX fits, however many members another event type has (Suricata's
 * stats events run to thousands; such a line is skipped as another event type, never counted
 * bad). The token array grows only as far as a line needs. */
#define FEED_JSON_TOKENS (FEED_LINE_MAX / 2 + 4)

/* ---- Writing DNS messages for log records (feed_build.c) ---- */
struct feed_rr {
	const char *name;       /* owner, presentation form */
	uint16_t type;
	uint32_t ttl;
	fs_addr addr;           /* A/AAAA */
	const char *target;     /* CNAME/NS/PTR */
	uint8_t section;        /* DNS_SEC_AUTHORITY, else the answer section */
};
/* A response (qr) or query with one question and the given records (answers, then those
 * marked for the authority section); flags as in the DNS
 * header (AA, TC, RD, RA bits; opcode 0). Returns the length, 0 when a name is invalid or it
 * does not fit in cap. */
#define FEED_F_AA 0x0400
#define FEED_F_TC 0x0200
#define FEED_F_RD 0x0100
#define FEED_F_RA 0x0080
size_t feed_build_msg(uint8_t *buf, size_t cap, uint16_t id, bool qr, uint16_t flags, uint16_t rcode,
                      const char *qname, uint16_t qtype, uint16_t qclass,
                      const struct feed_rr *an, size_t n_an);
/* Parse a presentation name into wire form (escapes \. \\ \DDD); length or 0 when invalid. */
size_t feed_name_wire(const char *name, uint8_t *out, size_t cap);
/* "A", "AAAA", "TYPE65280", or a number; -1 when unknown. */
int feed_type_parse(const char *s);
/* "NOERROR", "NXDOMAIN", … or a number; -1 when unknown. */
int feed_rcode_parse(const char *s);

/* ---- Frame Streams (fstrm.c): the framing of dnstap, with libfstrm's control-frame codec ---- */
#define FSTRM_MAX_FRAME (256u * 1024)     /* data frames above this are skipped (counted) */
#define FSTRM_MAX_CONTROL 512             /* libfstrm's FSTRM_CONTROL_FRAME_LENGTH_MAX */
#define FSTRM_CT_DNSTAP "protobuf:dnstap.Dnstap"
enum fstrm_ev {
	FEV_NEED = 0,      /* more bytes needed (nothing consumed, or *used bytes skipped) */
	FEV_DATA,          /* a data frame: *payload, *plen */
	FEV_CONTROL,       /* a control frame: *ctype (FSTRM_CONTROL_*), content type matched */
	FEV_SKIPPED,       /* an oversized data frame skipped whole */
	FEV_BAD            /* broken framing (bad control frame): the stream cannot go on */
};
struct fstrm_parser {
	uint64_t skip;          /* bytes of an oversized frame still to discard */
	bool ct_ok;             /* the last START/READY/ACCEPT named dnstap's content type (or none) */
	const char *why;        /* FEV_BAD: a static phrase */
};
/* Look at buf[0..len); returns an event and sets *used (bytes to consume). */
enum fstrm_ev fstrm_parse(struct fstrm_parser *p, const uint8_t *buf, size_t len, size_t *used,
                          const uint8_t **payload, uint32_t *plen, uint32_t *ctype);
/* Encode a control frame (escape, length, type, dnstap's content type when ct): length written
 * or 0. */
size_t fstrm_control_frame(uint8_t *buf, size_t cap, uint32_t ctype, bool ct);

/* ---- dnstap (dnstap.c) ---- */
/* Counted outcomes of one data frame. */
enum dnstap_res { DT_OK = 0, DT_BAD_PROTOBUF, DT_NO_MESSAGE, DT_NO_DNS, DT_TOO_BIG };
struct dnstap_dec;
struct dnstap_dec *dnstap_dec_new(void);
void dnstap_dec_free(struct dnstap_dec *dd);
/* Decode one dnstap protobuf into a feed frame (dec_feed_frame) in out (cap bytes); fallback
 * names the vantage when the message has no identity. */
enum dnstap_res dnstap_to_frame(struct dnstap_dec *dd, const uint8_t *pb, size_t len,
                                const char *fallback, uint8_t *out, size_t cap, size_t *out_len,
                                fs_time *ts);

/* ---- File feeds (feed_file.c): recognised by content after pcap/pcapng ---- */
/* fd and its first bytes (npre of them, already read); takes the fd in every case. Returns
 * FS_E_FORMAT with no sentence set when the bytes are no feed this reader knows. */
fs_status feed_open_file(const char *path, int fd, const uint8_t *pre, size_t npre, uint64_t size,
                         struct cap_source **out, struct fs_err *err);
/* The same over memory (fuzzers): a source reading buf (borrowed). */
fs_status feed_open_mem(const char *name, const uint8_t *buf, size_t len, struct cap_source **out,
                        struct fs_err *err);

/* Log readers: each record to zero or more feed frames, through this callback. */
typedef void (*feed_emit_fn)(void *ctx, fs_time ts, const uint8_t *frame, size_t len);
struct feed_counts {
	uint64_t records;       /* log lines / dnstap frames read */
	uint64_t messages;      /* DNS messages made */
	uint64_t bad;           /* records skipped: broken line, bad JSON, bad protobuf… */
	uint64_t skipped;       /* records with nothing to show (other event types, no name…) */
	uint64_t oversized;     /* lines or frames over the bound */
};
/* zeek.c: one dns.log line (TSV with the header's fields, or JSON). */
struct zeek_reader;
struct zeek_reader *zeek_new(void);
void zeek_free(struct zeek_reader *z);
void zeek_line(struct zeek_reader *z, const char *line, size_t len, struct feed_counts *c,
               feed_emit_fn emit, void *ctx);
/* eve.c: one EVE JSON line (dns events v1, v2, v3; other event types skipped). v1 writes one
 * event per answer: they are joined by flow and transaction until eve_flush. */
struct eve_reader;
struct eve_reader *eve_new(void);
void eve_free(struct eve_reader *e);
void eve_line(struct eve_reader *e, const char *line, size_t len, struct feed_counts *c,
              feed_emit_fn emit, void *ctx);
void eve_flush(struct eve_reader *e, struct feed_counts *c, feed_emit_fn emit, void *ctx);
/* An EVE line forwarded through syslog: "<34>Mar 24 17:15:21 host suricata[1234]: {…}" or with
 * the "@cee:" cookie before the JSON. Returns the offset of the JSON object, 0 for a line that
 * is JSON already or has no such prefix (a prefix is at most 256 bytes without a quote or a
 * brace, ending in ": " or "@cee:" and optional spaces). */
size_t eve_syslog_prefix(const char *line, size_t len);

#endif
