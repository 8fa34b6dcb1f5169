/* ClickHouse: many sensors writing observations into one store, and the workstation reading a
 * time window of it back (issue 15). src/chouse/, prefix ch_.
 *
 * - The observation row (one per DNS response) and its RowBinary form, the format rows are
 *   inserted in, spooled in and read back in; the reader is bounds-checked (every byte through
 *   src/decode/wire.h): spool files and server responses are hostile input.
 * - The HTTP client over ClickHouse's HTTP interface (libcurl).
 * - The sensor's sink: rows batched on the ingest thread, sent by a sender thread, spooled to
 *   disk when the server cannot take them and replayed when it can, each batch exactly once.
 * - The workstation's window: candidate selection in ClickHouse, the rows of the candidates
 *   and their neighbours turned back into DNS messages (capture/clickhouse.c makes them a
 *   capture source, so every front end reads them as it reads a pcap).
 *
 * Threads: a ch_http handle belongs to one thread. ch_sink_msg() on the ingest thread,
 * ch_sink_open()/ch_sink_close() on the owning thread; ch_sink_stats() any thread. Row
 * decoding and encoding are pure. Memory: what a function fills is owned by the caller's
 * struct (ch_buf, ch_rowbuf) and freed by its _fini. */
#ifndef FLUXSCOPE_CHOUSE_H
#define FLUXSCOPE_CHOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fluxscope/decode.h"
#include "fluxscope/fs.h"

/* ---- clickhouse://HOST[:PORT]/DB ------------------------------------------------------------ */
struct ch_url {
	char host[256];            /* name, IPv4, or IPv6 without brackets */
	unsigned port;             /* default 8123 (the HTTP interface) */
	char db[128];              /* [A-Za-z0-9_]+ */
};
/* err names `opt` (e.g. "--sink") and says what is wrong. */
fs_status ch_url_parse(const char *s, const char *opt, struct ch_url *out, struct fs_err *err);

/* ---- growable bytes ----------------------------------------------------------------------------- */
struct ch_buf {
	uint8_t *p;
	size_t len, cap;
};
void ch_buf_reserve(struct ch_buf *b, size_t more);
void ch_buf_add(struct ch_buf *b, const void *p, size_t n);
void ch_buf_fini(struct ch_buf *b);

/* ---- the observation row ------------------------------------------------------------------------ */
#define CH_TABLE "fluxscope_obs"
#define CH_F_AA 0x01
#define CH_F_TC 0x02
#define CH_F_RD 0x04
#define CH_F_RA 0x08
#define CH_F_AD 0x10
#define CH_F_CD 0x20
#define CH_F_TCP 0x40
#define CH_F_MALFORMED 0x80
#define CH_F_VIEW 0x100            /* vantage is the view a feed declared (dnstap's message type) */
#define CH_VANTAGE_CLIENT 1        /* a recursive answer (the resolver's clients' side) */
#define CH_VANTAGE_UPSTREAM 2      /* an authoritative answer or a referral (upstream side) */
/* Bounds the reader enforces (a row beyond them is refused as malformed). */
#define CH_MAX_RR 4096
#define CH_MAX_NAME 1024
#define CH_MAX_DATA 65535
#define CH_MAX_SENSOR 255
#define CH_MAX_FEED DEC_FEED_VANTAGE_MAX

struct ch_rr {
	uint8_t section;           /* enum dns_section: 1 answer, 2 authority (NS), 3 additional (A/AAAA) */
	uint16_t type;
	uint32_t ttl;
	const char *name;          /* owner, presentation form as in decode.h */
	const char *data;          /* RDATA presentation form (addresses, target names, ldns text) */
};

struct ch_row {
	fs_time ts;                /* microseconds: DateTime seconds + UInt32 microseconds */
	const char *sensor;
	uint64_t batch;            /* sensor run id << 32 | batch number */
	uint32_t seq;              /* row number in its batch */
	uint8_t vantage;           /* CH_VANTAGE_* */
	fs_addr client, resolver;  /* message destination and source */
	const char *qname, *registrable;
	uint16_t qtype, rcode, flags;
	const struct ch_rr *rr;
	uint32_t n_rr;
	const char *feed;          /* a feed's vantage (decode.h: "unbound1 CLIENT_RESPONSE"), ""
	                            * for packets; the last column */
};

/* Storage for decoded rows and strings (reused from row to row). */
struct ch_rowbuf {
	struct ch_row row;
	struct ch_rr *rr;
	uint32_t cap_rr;
	char *str;                 /* strings of the current row, NUL-terminated */
	size_t str_len, str_cap;
	bool no_feed;              /* decode rows without the feed column (spool version 1) */
};
void ch_rowbuf_fini(struct ch_rowbuf *rb);

/* The row of one decoded DNS message; false for what is not an observation (queries, other
 * opcodes, no question). A feed's message keeps its vantage (feed) and, when the feed declared
 * one, its view in vantage (flag CH_F_VIEW); otherwise vantage is inferred from AA and
 * referrals. Records kept: every class-IN answer, NS records of the authority
 * section and A/AAAA records of the additional section (glue): what the store reads. Strings
 * point into rb. registrable may be NULL (""). */
bool ch_row_from_msg(const struct dns_msg *m, const char *sensor, const char *registrable,
                     struct ch_rowbuf *rb);
/* The columns of a version 1 spool body (before the feed column), for its INSERT. */
#define CH_COLUMNS_V1 "ts, us, sensor, batch, seq, vantage, client, resolver, qname, registrable, " \
	"qtype, rcode, flags, rr_section, rr_type, rr_ttl, rr_name, rr_data"
/* Append r in RowBinary (column order of the schema) to out. */
void ch_row_encode(const struct ch_row *r, struct ch_buf *out);
/* Read one RowBinary row at the reader's position into rb->row. Returns 1 for a row, 0 at the
 * end of the input, -1 for a malformed or cut row (*why is a static phrase). */
struct wire;
int ch_row_decode(struct wire *w, struct ch_rowbuf *rb, const char **why);

/* Rebuild the DNS message of a row (header, question, records in wire form, an OPT record for
 * an extended rcode) into out; false when it cannot be encoded (*why says why). Records whose
 * data does not parse are left out (counted in *n_skipped). */
bool ch_row_to_dns(const struct ch_row *r, struct ch_buf *out, uint32_t *n_skipped,
                   const char **why);

/* ---- SQL ------------------------------------------------------------------------------------ */
/* The statements --sink-init runs (CREATE DATABASE and CREATE TABLE, IF NOT EXISTS), for
 * ClickHouse 18.16 and current releases. Static strings with "{db}" for the database. */
extern const char *const ch_schema_sql[];
extern const size_t ch_n_schema_sql;
/* A statement with {db} replaced; caller frees. */
char *ch_sql_db(const char *sql, const char *db);

/* ---- HTTP ----------------------------------------------------------------------------------- */
struct ch_http;
struct ch_http *ch_http_new(const struct ch_url *u);
void ch_http_free(struct ch_http *h);
/* Any thread: make a transfer in progress (or the next) give up soon. */
void ch_http_abort(struct ch_http *h);
void ch_http_set_timeout(struct ch_http *h, long connect_ms, long total_ms);

enum ch_fail {
	CH_FAIL_NONE = 0,
	CH_FAIL_CONNECT,           /* nothing reached the server (refused, unreachable, resolve) */
	CH_FAIL_AMBIGUOUS,         /* the request may have been applied (cut mid-way, timeout) */
	CH_FAIL_SERVER             /* the server answered with an error (its text in err) */
};
/* Run `sql` (URL parameter) with `body` as POST data (INSERT data, or NULL/0). The response
 * body goes to `out` (if not NULL, at most max_out bytes: more is an error) or to `file`.
 * `ext_name`/`ext_structure`/`ext_data` (optional) send an external table (multipart). On
 * failure *fail says what kind and err names the server. */
fs_status ch_http_query(struct ch_http *h, const char *sql, const void *body, size_t body_len,
                        struct ch_buf *out, size_t max_out, FILE *file, enum ch_fail *fail,
                        struct fs_err *err);
fs_status ch_http_query_ext(struct ch_http *h, const char *sql, const char *ext_name,
                            const char *ext_structure, const void *ext_data, size_t ext_len,
                            struct ch_buf *out, size_t max_out, FILE *file, enum ch_fail *fail,
                            struct fs_err *err);
/* GET /ping: true when the server answers "Ok." */
bool ch_http_ping(struct ch_http *h);

/* ---- the spool ------------------------------------------------------------------------------- */
/* One spooled batch: header, then the RowBinary rows as they would be inserted.
 *   "FXSPOOL1", u32 version (2; version 1 files, rows without the feed column, are read and
 *   replayed too), u32 flags, u64 batch, u32 rows, u32 ts_min, u32 ts_max
 *   (seconds), u32 body length, u64 FNV-1a of the body, u16 sensor length, sensor, body.
 * Integers little-endian. Flag CH_SPOOL_MAYBE_SENT: an insert of this batch may have reached
 * the server (cut mid-way, timed out), so a replay first counts its rows there. */
#define CH_SPOOL_MAYBE_SENT 0x01
struct ch_spool_hdr {
	uint32_t version;          /* 2; 1: rows without the feed column (an earlier release) */
	uint32_t flags;
	uint64_t batch;
	uint32_t rows, ts_min, ts_max;
	char sensor[CH_MAX_SENSOR + 1];
	const uint8_t *body;       /* into the file's bytes */
	size_t body_len;
};
#define CH_SPOOL_MAGIC "FXSPOOL1"
void ch_spool_encode(const struct ch_spool_hdr *h, struct ch_buf *out);
/* Parse a spool file's bytes and check every row of its body (count, bounds, the batch id of
 * each row, times within ts_min..ts_max); FS_E_FORMAT with a phrase in err otherwise. */
fs_status ch_spool_parse(const uint8_t *p, size_t len, struct ch_spool_hdr *out, struct fs_err *err);

/* ---- the sensor's sink ------------------------------------------------------------------------ */
struct ch_sink_config {
	struct ch_url url;
	const char *sensor;        /* name written with every row */
	const char *spool_dir;     /* created if missing (0700) */
	uint64_t spool_max;        /* bytes of spool files at most */
	uint32_t batch_rows;       /* rows per batch (default 5000) */
	uint32_t batch_ms;         /* a batch is sent at least this often (default 1000) */
	uint32_t retry_ms;         /* while the server is away, tried again this often (default 1000) */
};
struct ch_sink_stats {
	uint64_t rows, batches;                    /* accepted from the ingest */
	uint64_t rows_sent, batches_sent;          /* inserted (directly or from the spool) */
	uint64_t batches_spooled, rows_spooled;    /* written to the spool */
	uint64_t batches_replayed, rows_replayed;  /* inserted from the spool */
	uint64_t batches_present;                  /* spooled but found in ClickHouse already */
	uint64_t batches_dropped, rows_dropped;    /* the spool was at its bound */
	uint64_t spool_bad;                        /* spool files that did not parse (kept aside) */
	uint64_t spool_bytes;                      /* spool bytes now */
	uint64_t spool_files;                      /* spool files now */
	uint64_t send_errors;                      /* failed inserts */
	uint64_t skipped;                          /* messages that are no observation */
	bool connected;                            /* the last attempt reached the server */
	char last_error[512];
};
struct ch_sink;
/* Creates the spool folder, locks it (one sensor per spool), starts the sender thread, which
 * first replays what an earlier run left. */
fs_status ch_sink_open(const struct ch_sink_config *cfg, struct ch_sink **out, struct fs_err *err);
/* Ingest thread: one decoded message. */
void ch_sink_msg(struct ch_sink *s, const struct dns_msg *m);
/* Sends what is left: the last batch, and the spool if the server is there (waiting at most
 * wait_ms for it); what cannot be sent stays in the spool for the next run. */
void ch_sink_close(struct ch_sink *s, int wait_ms, struct ch_sink_stats *out);
void ch_sink_stats(struct ch_sink *s, struct ch_sink_stats *out);

/* Creates the database and table (--sink-init). */
fs_status ch_schema_init(const struct ch_url *u, struct fs_err *err);

/* ---- the workstation's window ----------------------------------------------------------------- */
/* --since / --until: "24h", "90m", "7d", "3600s" (back from now) or ISO 8601
 * ("2025-11-18", "2025-11-18T10:00", "…:00Z", "…+02:00"; UTC unless a zone is given).
 * err names opt. */
fs_status ch_parse_when(const char *s, const char *opt, fs_time now, fs_time *out,
                        struct fs_err *err);

struct ch_window_stats {
	uint64_t rows_window;      /* observations in the window */
	uint64_t candidates;       /* names picked by the candidate query */
	uint64_t names_loaded;     /* candidates, their zones' names and their neighbours */
	uint64_t rows_loaded;      /* rows of those names */
	uint64_t rows_bad;         /* rows that did not decode (hostile response) */
	uint32_t rr_skipped;       /* records whose data did not encode */
	double select_s, fetch_s;  /* wall-clock seconds of the two steps */
};
/* The window as a capture source (source.c): candidate selection runs at open (errors name
 * the server); the rows are fetched at the first read, on the reading (ingest) thread, into an
 * unlinked temporary file, then decoded one by one into DNS responses in raw IPv4/IPv6 + UDP
 * frames (linktypes 228/229, from dns_port), so every front end reads them as a capture.
 * all: every row of the window, no selection. */
struct cap_source;
struct ch_source_opts {
	struct ch_url url;
	fs_time since, until;
	bool all;
	uint16_t dns_port;
};
fs_status ch_source_open(const struct ch_source_opts *o, struct cap_source **out,
                         struct fs_err *err);
/* Any thread after the source finished (figures of a running one may be partial). */
bool ch_source_window_stats(struct cap_source *src, struct ch_window_stats *out);

/* Parse the candidate step's RowBinary rows (name, registrable, addresses, NS names, counts)
 * into the external table sel(k, v) as TSV (k 0 names, 1 addresses); counts the candidates.
 * False when the response does not parse (the rows before are kept). Hostile input. */
bool ch_candidates_parse(const uint8_t *p, size_t len, struct ch_buf *sel, uint64_t *n_cand);

/* The SQL of the candidate step, the row step and a drill-down (docs/scale.md prints them). */
char *ch_sql_candidates(const char *db, fs_time since, fs_time until);
char *ch_sql_rows(const char *db, fs_time since, fs_time until, bool all);
char *ch_sql_history(const char *db, fs_time since, fs_time until);

/* ---- drill-down: one name's rows the window left out (the TUI) ------------------------------- */
/* The window loads the candidates and their neighbours; a name outside them may have rows the
 * window did not load. A fetcher, on a thread of its own, fetches on request one name's full
 * history in the window (every row with it as query name or the owner of a record) and its
 * zone's NS rows (the zone: its registrable domain, libpsl), less what the window and earlier
 * requests loaded, so no row reaches the store twice. The rows go the window's way: each one a
 * DNS response in a raw IP frame (ch_row_frame), decoded by a decoder of the fetcher's own and
 * handed to cb on the fetch thread (the TUI's loader_msg_cb: the store under its write lock).
 * Requests are served one at a time, in order. Server responses are hostile input (as the
 * window's). A window stopped before its end is not refetched: rows it did not read stay out. */
struct ch_fetch;
enum ch_fetch_state {
	CH_FETCH_NONE = 0,         /* never asked */
	CH_FETCH_QUEUED,
	CH_FETCH_RUNNING,
	CH_FETCH_DONE,
	CH_FETCH_FAILED
};
struct ch_fetch_info {
	enum ch_fetch_state state;
	uint64_t rows;             /* rows added (so far, while running) */
	uint64_t rows_bad;         /* rows that did not decode or encode */
	double seconds;            /* of the query and the decoding */
	char error[768];           /* FAILED (nothing added, may be asked again), or DONE with a row
	                            * that did not decode (the rows before it added): one sentence
	                            * naming the server; "" otherwise */
};
/* For a window source (ch_source_open without all): FS_OK with *out set; FS_E_NOTFOUND when src
 * is no such window (nothing to fetch: every row of the window is loaded). The source must
 * outlive the fetcher. src_index goes on every message. Owning thread. */
fs_status ch_fetch_new(struct cap_source *src, int src_index, dec_msg_cb cb, void *ctx,
                       struct ch_fetch **out, struct fs_err *err);
/* Any thread: queue name (presentation form); false when it was asked before (queued, running
 * or done: asked once per run) or is no name. */
bool ch_fetch_request(struct ch_fetch *f, const char *name);
/* Any thread: the state of name's request (CH_FETCH_NONE when never asked). */
void ch_fetch_get(struct ch_fetch *f, const char *name, struct ch_fetch_info *out);
/* Owning thread: abort a transfer in progress, join the thread, free. */
void ch_fetch_free(struct ch_fetch *f);

#endif
