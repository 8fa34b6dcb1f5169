/* File feeds read with -r, recognised by content after pcap and pcapng: dnstap (Frame Streams
 * files as fstrm_capture, Unbound or Knot write them), Zeek dns.log (TSV or JSON lines) and
 * Suricata EVE JSON, each plain or gzip. They are capture sources like the pcap reader: every
 * DNS message becomes one DEC_LINKTYPE_FEED frame for the decoder. */
#include "capture/feed_int.h"

#include <fstrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fkind { FK_DNSTAP, FK_ZEEK, FK_EVE };
static const char *const fkind_names[] = { "dnstap", "zeek", "eve" };

#define FBUF_SIZE (FSTRM_MAX_FRAME + 8 + FSTRM_MAX_CONTROL + 65536)

struct feed_file {
	struct cap_counters c;
	_Atomic bool stop;
	struct feed_in *in;
	enum fkind kind;
	char fallback[64];       /* dnstap vantage when a message has no identity */
	bool done, failed;
	struct fs_err err;       /* failed: reported once the queue is empty */
	uint64_t size;
	/* dnstap */
	struct fstrm_parser fp;
	struct dnstap_dec *dd;
	uint8_t *buf;
	size_t blen, bpos;
	bool started, in_eof;
	uint64_t frames;
	/* logs */
	struct feed_lines lines;
	struct zeek_reader *zk;
	struct eve_reader *ev;
	/* frames made and not yet handed out */
	uint8_t *q;
	size_t qlen, qpos, qcap;
	uint8_t *out;            /* the frame lent out */
	size_t out_cap;
	struct feed_counts cnt;
	_Atomic uint64_t a_records, a_messages, a_bad, a_skipped, a_oversized;
};

static void
publish(struct feed_file *f)
{
	atomic_store_explicit(&f->a_records, f->cnt.records, memory_order_relaxed);
	atomic_store_explicit(&f->a_messages, f->cnt.messages, memory_order_relaxed);
	atomic_store_explicit(&f->a_bad, f->cnt.bad, memory_order_relaxed);
	atomic_store_explicit(&f->a_skipped, f->cnt.skipped, memory_order_relaxed);
	atomic_store_explicit(&f->a_oversized, f->cnt.oversized, memory_order_relaxed);
	atomic_store_explicit(&f->c.bytes_read, feed_in_offset(f->in), memory_order_relaxed);
}

/* Queue records: ts (8), length (4), frame. */
static void
enqueue(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	struct feed_file *f = ctx;
	size_t need = 12 + len;

	if (f->qpos == f->qlen)
		f->qpos = f->qlen = 0;
	if (f->qlen + need > f->qcap) {
		f->qcap = (f->qlen + need) * 2;
		f->q = xrealloc(f->q, f->qcap);
	}
	uint32_t l = (uint32_t)len;
	memcpy(f->q + f->qlen, &ts, 8);
	memcpy(f->q + f->qlen + 8, &l, 4);
	memcpy(f->q + f->qlen + 12, frame, len);
	f->qlen += need;
}

static bool
dequeue(struct feed_file *f, struct cap_frame *out)
{
	fs_time ts;
	uint32_t l;

	if (f->qpos == f->qlen)
		return false;
	memcpy(&ts, f->q + f->qpos, 8);
	memcpy(&l, f->q + f->qpos + 8, 4);
	if (l > f->out_cap) {
		f->out_cap = l;
		f->out = xrealloc(f->out, f->out_cap);
	}
	memcpy(f->out, f->q + f->qpos + 12, l);
	f->qpos += 12 + (size_t)l;
	out->ts = ts;
	out->linktype = DEC_LINKTYPE_FEED;
	out->caplen = out->wirelen = l;
	out->data = f->out;
	return true;
}

static enum cap_next
feed_fail(struct cap_source *s, bool truncated, const char *why, struct fs_err *err)
{
	struct feed_file *f = s->impl;

	f->done = true;
	publish(f);
	if (truncated) {
		atomic_store_explicit(&f->c.truncated, true, memory_order_relaxed);
		return fs_err_set(err, FS_E_TRUNCATED, "'%s' is truncated: it ends in the middle of %s; "
		                  "the %llu messages before the cut were read", s->name, why,
		                  (unsigned long long)f->cnt.messages), CAP_ERROR;
	}
	return fs_err_set(err, FS_E_FORMAT, "'%s' is corrupt after %llu messages (%s); the messages "
	                  "before were read", s->name, (unsigned long long)f->cnt.messages, why), CAP_ERROR;
}

/* dnstap: frames until one message is queued, the end, or an error. */
static enum cap_next
dnstap_step(struct cap_source *s, struct fs_err *err)
{
	struct feed_file *f = s->impl;
	uint8_t frame[65536 + DEC_FEED_HDR_MAX];

	for (;;) {
		const uint8_t *payload = NULL;
		uint32_t plen = 0, ctype = 0;
		size_t used = 0;
		enum fstrm_ev ev = fstrm_parse(&f->fp, f->buf + f->bpos, f->blen - f->bpos, &used,
		                               &payload, &plen, &ctype);
		f->bpos += used;
		switch (ev) {
		case FEV_DATA: {
			size_t flen = 0;
			fs_time ts = 0;
			f->cnt.records++;
			if (!f->started)
				return feed_fail(s, false, "a data frame before the START frame", err);
			switch (dnstap_to_frame(f->dd, payload, plen, f->fallback, frame, sizeof frame, &flen, &ts)) {
			case DT_OK:
				enqueue(f, ts, frame, flen);
				f->cnt.messages++;
				return CAP_FRAME;
			case DT_BAD_PROTOBUF: f->cnt.bad++; break;
			case DT_TOO_BIG: f->cnt.oversized++; break;
			default: f->cnt.skipped++; break;
			}
			continue;
		}
		case FEV_SKIPPED:
			f->cnt.records++;
			f->cnt.oversized++;
			continue;
		case FEV_CONTROL:
			if (ctype == FSTRM_CONTROL_START) {
				if (!f->fp.ct_ok)
					return feed_fail(s, false, "its Frame Streams content type is not dnstap", err);
				f->started = true;
			} else if (ctype == FSTRM_CONTROL_STOP) {
				f->started = false;   /* another START may follow (concatenated files) */
			}
			continue;
		case FEV_BAD:
			return feed_fail(s, false, f->fp.why, err);
		case FEV_NEED:
		default:
			break;
		}
		if (used > 0)
			continue;   /* skipping an oversized frame */
		/* more bytes: keep what is unread, then fill */
		if (f->in_eof) {
			if (f->bpos < f->blen || f->fp.skip > 0)
				return feed_fail(s, true, "a frame", err);
			if (f->started)   /* a writer closes its file with STOP: this one was cut */
				return feed_fail(s, true, "its stream (no STOP frame)", err);
			return CAP_EOF;
		}
		memmove(f->buf, f->buf + f->bpos, f->blen - f->bpos);
		f->blen -= f->bpos;
		f->bpos = 0;
		long got = feed_in_read(f->in, f->buf + f->blen, FBUF_SIZE - f->blen);
		if (got < 0)
			return feed_fail(s, false, feed_in_error(f->in), err);
		if (got == 0)
			f->in_eof = true;
		f->blen += (size_t)got;
		publish(f);
	}
}

static enum cap_next
lines_step(struct cap_source *s, struct fs_err *err)
{
	struct feed_file *f = s->impl;

	for (;;) {
		int r = feed_lines_next(&f->lines);
		f->cnt.oversized = f->lines.n_long;
		if (r < 0)
			return feed_fail(s, false, feed_in_error(f->in), err);
		if (r == 0) {
			if (f->ev != NULL)
				eve_flush(f->ev, &f->cnt, enqueue, f);
			return f->qpos < f->qlen ? CAP_FRAME : CAP_EOF;
		}
		if (f->kind == FK_ZEEK)
			zeek_line(f->zk, (const char *)f->lines.line, f->lines.line_len, &f->cnt, enqueue, f);
		else
			eve_line(f->ev, (const char *)f->lines.line, f->lines.line_len, &f->cnt, enqueue, f);
		if (f->cnt.records % 4096 == 0)
			publish(f);
		if (f->qpos < f->qlen)
			return CAP_FRAME;
	}
}

static enum cap_next
feed_next(struct cap_source *s, struct cap_frame *out, struct fs_err *err)
{
	struct feed_file *f = s->impl;

	for (;;) {
		if (dequeue(f, out)) {
			atomic_fetch_add_explicit(&f->c.frames, 1, memory_order_relaxed);
			return CAP_FRAME;
		}
		if (f->failed) {
			f->failed = false;
			*err = f->err;
			return CAP_ERROR;
		}
		if (f->done)
			return CAP_EOF;
		if (atomic_load_explicit(&f->stop, memory_order_relaxed)) {
			f->done = true;
			publish(f);
			return CAP_EOF;
		}
		enum cap_next r = f->kind == FK_DNSTAP ? dnstap_step(s, err) : lines_step(s, err);
		if (r == CAP_FRAME)
			continue;
		if (r == CAP_EOF) {
			f->done = true;
			publish(f);
			if (f->size)
				atomic_store_explicit(&f->c.bytes_read, f->size, memory_order_relaxed);
		}
		if (r == CAP_ERROR && f->qpos < f->qlen) {
			/* what was made before the fault goes out first, then the error */
			f->failed = true;
			f->err = *err;
			continue;
		}
		return r;
	}
}

static void
feed_stats(struct cap_source *s, struct cap_stats *out)
{
	struct feed_file *f = s->impl;

	cap_counters_read(&f->c, out);
	out->feed = fkind_names[f->kind];
	out->feed_records = atomic_load_explicit(&f->a_records, memory_order_relaxed);
	out->feed_messages = atomic_load_explicit(&f->a_messages, memory_order_relaxed);
	out->feed_bad = atomic_load_explicit(&f->a_bad, memory_order_relaxed);
	out->feed_skipped = atomic_load_explicit(&f->a_skipped, memory_order_relaxed);
	out->feed_oversized = atomic_load_explicit(&f->a_oversized, memory_order_relaxed);
}

static void
feed_breakloop(struct cap_source *s)
{
	struct feed_file *f = s->impl;
	atomic_store(&f->stop, true);
}

static void
feed_close(struct cap_source *s)
{
	struct feed_file *f = s->impl;

	feed_in_close(f->in);
	dnstap_dec_free(f->dd);
	free(f->buf);
	if (f->lines.buf != NULL)
		feed_lines_fini(&f->lines);
	zeek_free(f->zk);
	eve_free(f->ev);
	free(f->q);
	free(f->out);
	free(f);
}

static const struct cap_source_ops feed_ops = {
	.kind = "feed",
	.next = feed_next,
	.stats = feed_stats,
	.breakloop = feed_breakloop,
	.close = feed_close,
};

static bool
contains(const uint8_t *p, size_t n, const char *needle)
{
	return memmem(p, n, needle, strlen(needle)) != NULL;
}

/* A Zeek TSV header: lines starting with '#' at the start, one of them the #separator line
 * or a #fields line naming the query column (tab-separated, Zeek's default). Logs edited or
 * exported by other tools may carry a comment line of their own first, or keep #fields
 * alone. */
static bool
zeek_tsv_header(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '#') {
		size_t e = i;
		while (e < n && p[e] != '\n')
			e++;
		if (e - i >= 10 && memcmp(p + i, "#separator", 10) == 0)
			return true;
		if (e - i >= 8 && memcmp(p + i, "#fields\t", 8) == 0)
			for (size_t f = i + 8; f < e;) {    /* its tab-separated names */
				size_t t = f;
				while (t < e && p[t] != '\t' && p[t] != '\r')
					t++;
				if (t - f == 5 && memcmp(p + f, "query", 5) == 0)
					return true;
				f = t + 1;
			}
		i = e + 1;
	}
	return false;
}

/* Sniff the (decompressed) start; FS_E_FORMAT without a sentence when it is no known feed. */
/* EVE forwarded through syslog: the first line a syslog prefix, then an object with
 * "event_type" (eve_syslog_prefix). */
static bool
eve_first_line_syslog(const uint8_t *p, size_t n)
{
	size_t eol = 0;
	while (eol < n && p[eol] != '\n')
		eol++;
	size_t skip = eve_syslog_prefix((const char *)p, eol);
	return skip > 0 && contains(p + skip, eol - skip, "\"event_type\"");
}

static fs_status
feed_open(const char *path, struct feed_in *in, uint64_t size, struct cap_source **out,
          struct fs_err *err)
{
	const uint8_t *p;
	size_t n = feed_in_peek(in, &p, 4);
	enum fkind kind;

	*out = NULL;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		feed_in_gunzip(in);
		n = feed_in_peek(in, &p, 4);
		if (n == 0 && feed_in_error(in)[0] != '\0') {
			fs_err_set(err, FS_E_FORMAT, "cannot read '%s': %s", path, feed_in_error(in));
			feed_in_close(in);
			return FS_E_FORMAT;
		}
	}
	if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
		kind = FK_DNSTAP;
	} else {
		n = feed_in_peek(in, &p, FEED_PEEK_MAX);
		size_t i = 0;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			i++;
		if (zeek_tsv_header(p + i, n - i))
			kind = FK_ZEEK;
		else if (i < n && p[i] == '{' && contains(p + i, n - i, "\"event_type\""))
			kind = FK_EVE;
		else if (i < n && eve_first_line_syslog(p + i, n - i))
			kind = FK_EVE;
		else if (i < n && p[i] == '{' && contains(p + i, n - i, "\"id.orig_h\"") &&
		         contains(p + i, n - i, "\"query\""))
			kind = FK_ZEEK;
		else {
			feed_in_close(in);
			return FS_E_FORMAT;
		}
	}
	struct feed_file *f = xcalloc(1, sizeof *f);
	f->in = in;
	f->kind = kind;
	f->size = size;
	f->c.bytes_total = size;
	feed_in_set_stop(in, &f->stop);   /* a read waiting on a silent pipe gives up at a stop */
	if (kind == FK_DNSTAP) {
		const char *base = strrchr(path, '/');
		snprintf(f->fallback, sizeof f->fallback, "%s", base != NULL ? base + 1 : path);
		f->dd = dnstap_dec_new();
		f->buf = xmalloc(FBUF_SIZE);
	} else {
		feed_lines_init(&f->lines, in);
		if (kind == FK_ZEEK)
			f->zk = zeek_new();
		else
			f->ev = eve_new();
	}
	*out = cap_source_alloc(&feed_ops, path, f);
	return FS_OK;
}

fs_status
feed_open_file(const char *path, int fd, const uint8_t *pre, size_t npre, uint64_t size,
               struct cap_source **out, struct fs_err *err)
{
	return feed_open(path, feed_in_fd(fd, pre, npre, NULL), size, out, err);
}

fs_status
feed_open_mem(const char *name, const uint8_t *buf, size_t len, struct cap_source **out,
              struct fs_err *err)
{
	return feed_open(name, feed_in_mem(buf, len), len, out, err);
}
