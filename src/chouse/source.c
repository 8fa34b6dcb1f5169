/* The workstation's window as a capture source: candidates chosen in ClickHouse, their rows
 * and their neighbours' fetched, every row turned back into a DNS response in a raw IP frame.
 * The server's responses are hostile input: RowBinary read through wire.h (ch_row_decode),
 * rows that do not decode counted and skipped, the rest kept. */
#include "chouse/ch_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/cap_int.h"
#include "decode/wire.h"

struct chsrc {
	struct ch_source_opts o;
	struct ch_http *h;
	struct ch_buf sel;         /* external table sel(k, v) as TSV */
	bool fetched;
	FILE *tmp;
	const uint8_t *map;
	size_t map_len;
	struct wire w;
	struct ch_rowbuf rb;
	struct ch_buf dns, frame;
	struct cap_counters c;
	_Atomic bool stop;
	_Atomic bool done;
	struct ch_window_stats ws;
	char label[320];
};

static void
tsv_field(struct ch_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *e = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : NULL;
		if (e != NULL)
			ch_buf_add(b, e, 2);
		else
			ch_buf_add(b, &c, 1);
	}
}

static void
sel_add(struct ch_buf *b, int k, const char *s, size_t n)
{
	ch_buf_add(b, k ? "1\t" : "0\t", 2);
	tsv_field(b, s, n);
	ch_buf_add(b, "\n", 1);
}

/* RowBinary helpers for the candidate rows (hostile: through wire.h). */
static uint64_t
varint(struct wire *w)
{
	uint64_t v = 0;
	for (int sh = 0; sh < 64; sh += 7) {
		uint8_t c = wire_u8(w);
		v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80) || !wire_ok(w))
			return v;
	}
	w->err = 1;
	return 0;
}

static const char *
rstr(struct wire *w, size_t *n)
{
	uint64_t l = varint(w);
	if (!wire_ok(w) || l > CH_MAX_DATA) {
		w->err = 1;
		return NULL;
	}
	*n = (size_t)l;
	return (const char *)wire_ptr(w, (size_t)l);
}

/* Parse the candidate step's rows into the sel table; counts candidates. Returns false when
 * the response does not parse (what parsed is kept). */
bool
ch_candidates_parse(const uint8_t *p, size_t len, struct ch_buf *sel, uint64_t *n_cand)
{
	struct wire w;
	wire_init(&w, p, len);
	while (wire_left(&w) > 0) {
		size_t n = 0, n2 = 0;
		const char *name = rstr(&w, &n);
		(void)rstr(&w, &n2);            /* registrable */
		if (!wire_ok(&w) || name == NULL || n == 0 || n > CH_MAX_NAME || memchr(name, 0, n))
			return false;
		size_t mark = sel->len;
		sel_add(sel, 0, name, n);
		for (int k = 1; k >= 0; k--) {      /* addrs (k 1), then NS names (k 0) */
			uint64_t cnt = varint(&w);
			if (!wire_ok(&w) || cnt > (uint64_t)1 << 20)
				goto bad;
			for (uint64_t i = 0; i < cnt; i++) {
				const char *v = rstr(&w, &n);
				if (v == NULL || n == 0 || n > CH_MAX_NAME || memchr(v, 0, n))
					goto bad;
				sel_add(sel, k, v, n);
			}
		}
		/* sets, nssets, p16 (UInt64), ttl_min (UInt32), zaddrs (UInt64) */
		if (!wire_skip(&w, 8 + 8 + 8 + 4 + 8))
			goto bad;
		(*n_cand)++;
		continue;
bad:
		sel->len = mark;
		return false;
	}
	return true;
}

static enum cap_next
fetch(struct cap_source *src, struct chsrc *cs, struct fs_err *err)
{
	char *sql = ch_sql_rows(cs->o.url.db, cs->o.since, cs->o.until, cs->o.all);
	enum ch_fail fail;
	fs_status st;
	double t0 = fs_mono_ms();

	cs->fetched = true;
	cs->tmp = tmpfile();
	if (cs->tmp == NULL) {
		free(sql);
		fs_err_set(err, FS_E_IO, "cannot make a temporary file for the rows of %s: %s",
		           src->name, strerror(errno));
		return CAP_ERROR;
	}
	if (cs->o.all)
		st = ch_http_query(cs->h, sql, NULL, 0, NULL, 0, cs->tmp, &fail, err);
	else
		st = ch_http_query_ext(cs->h, sql, "sel", "k UInt8, v String", cs->sel.p, cs->sel.len,
		                       NULL, 0, cs->tmp, &fail, err);
	free(sql);
	cs->ws.fetch_s = (fs_mono_ms() - t0) / 1000.0;
	if (st != FS_OK)
		return CAP_ERROR;
	if (fflush(cs->tmp) != 0) {
		fs_err_set(err, FS_E_IO, "cannot write the rows of %s to a temporary file", src->name);
		return CAP_ERROR;
	}
	off_t size = lseek(fileno(cs->tmp), 0, SEEK_END);
	cs->c.bytes_total = size > 0 ? (uint64_t)size : 0;
	if (size > 0) {
		void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fileno(cs->tmp), 0);
		if (m == MAP_FAILED) {
			fs_err_set(err, FS_E_IO, "cannot map the rows of %s: %s", src->name, strerror(errno));
			return CAP_ERROR;
		}
		cs->map = m;
		cs->map_len = (size_t)size;
	}
	wire_init(&cs->w, cs->map, cs->map_len);
	return CAP_FRAME;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The frame of a row's DNS message (dns): raw IPv4/IPv6 + UDP (linktypes 228/229) from the
 * row's addresses on dns_port; into frame, *out pointing at it. */
void
ch_row_frame(const struct ch_row *row, const struct ch_buf *dns, uint16_t dns_port,
             struct ch_buf *frame, struct cap_frame *out)
{
	if (row->feed != NULL && row->feed[0] != '\0') {
		/* a feed's row: the feed's frame (decode.h), its vantage and declared view kept */
		struct dec_feed_hdr h = {
			.src = row->resolver, .dst = row->client, .sport = dns_port, .dport = dns_port,
			.transport = (row->flags & CH_F_TCP) ? 6 : 17,
			.view = !(row->flags & CH_F_VIEW) ? DEC_VIEW_NONE :
			        row->vantage == CH_VANTAGE_UPSTREAM ? DEC_VIEW_UPSTREAM : DEC_VIEW_CLIENT,
			.vantage = row->feed,
		};
		frame->len = 0;
		ch_buf_reserve(frame, DEC_FEED_HDR_MAX + dns->len);
		size_t n = dec_feed_frame(frame->p, DEC_FEED_HDR_MAX + dns->len, &h, dns->p, dns->len);
		if (n > 0) {
			frame->len = n;
			*out = (struct cap_frame){ .ts = row->ts, .linktype = DEC_LINKTYPE_FEED,
			                           .caplen = (uint32_t)n, .wirelen = (uint32_t)n,
			                           .data = frame->p };
			return;
		}
	}
	bool v6 = row->resolver.family == 6 || row->client.family == 6;
	size_t ip = v6 ? 40 : 20, n = ip + 8 + dns->len;
	frame->len = 0;
	ch_buf_reserve(frame, n);
	uint8_t *f = frame->p;
	memset(f, 0, ip + 8);
	if (v6) {
		f[0] = 0x60;
		put16(f + 4, (uint32_t)(8 + dns->len));
		f[6] = 17;
		f[7] = 64;
		if (row->resolver.family == 6)
			memcpy(f + 8, row->resolver.bytes, 16);
		if (row->client.family == 6)
			memcpy(f + 24, row->client.bytes, 16);
	} else {
		f[0] = 0x45;
		put16(f + 2, (uint32_t)n);
		f[8] = 64;
		f[9] = 17;
		memcpy(f + 12, row->resolver.bytes, 4);
		memcpy(f + 16, row->client.bytes, 4);
	}
	put16(f + ip, dns_port);
	put16(f + ip + 2, dns_port);
	put16(f + ip + 4, (uint32_t)(8 + dns->len));
	memcpy(f + ip + 8, dns->p, dns->len);
	frame->len = n;
	*out = (struct cap_frame){ .ts = row->ts, .linktype = v6 ? 229 : 228,
	                           .caplen = (uint32_t)n, .wirelen = (uint32_t)n, .data = f };
}

static enum cap_next
src_next(struct cap_source *src, struct cap_frame *out, struct fs_err *err)
{
	struct chsrc *cs = src->impl;
	const char *why;

	if (!cs->fetched && fetch(src, cs, err) == CAP_ERROR) {
		atomic_store(&cs->done, true);
		return CAP_ERROR;
	}
	for (;;) {
		if (atomic_load_explicit(&cs->stop, memory_order_relaxed)) {
			atomic_store(&cs->done, true);
			return CAP_EOF;
		}
		int r = ch_row_decode(&cs->w, &cs->rb, &why);
		atomic_store_explicit(&cs->c.bytes_read, wire_pos(&cs->w), memory_order_relaxed);
		if (r == 0) {
			atomic_store(&cs->done, true);
			return CAP_EOF;
		}
		if (r < 0) {
			/* a row that does not decode: its length is unknown, so nothing after it can be
			 * read; what came before is kept */
			cs->ws.rows_bad++;
			atomic_store(&cs->done, true);
			fs_err_set(err, FS_E_FORMAT, "the rows %s sent do not decode after %" PRIu64
			           " rows: %s", src->name, cs->ws.rows_loaded, why);
			return CAP_ERROR;
		}
		const struct ch_row *row = &cs->rb.row;
		if (!ch_row_to_dns(row, &cs->dns, &cs->ws.rr_skipped, &why)) {
			cs->ws.rows_bad++;
			continue;
		}
		cs->ws.rows_loaded++;
		ch_row_frame(row, &cs->dns, cs->o.dns_port, &cs->frame, out);
		atomic_fetch_add_explicit(&cs->c.frames, 1, memory_order_relaxed);
		return CAP_FRAME;
	}
}

static void
src_stats(struct cap_source *src, struct cap_stats *out)
{
	struct chsrc *cs = src->impl;
	cap_counters_read(&cs->c, out);
}

static void
src_breakloop(struct cap_source *src)
{
	struct chsrc *cs = src->impl;
	atomic_store(&cs->stop, true);
	ch_http_abort(cs->h);
}

static void
src_close(struct cap_source *src)
{
	struct chsrc *cs = src->impl;
	if (cs->map != NULL)
		munmap((void *)cs->map, cs->map_len);
	if (cs->tmp != NULL)
		fclose(cs->tmp);
	ch_http_free(cs->h);
	ch_buf_fini(&cs->sel);
	ch_buf_fini(&cs->dns);
	ch_buf_fini(&cs->frame);
	ch_rowbuf_fini(&cs->rb);
	free(cs);
}

static const struct cap_source_ops ch_ops = {
	.kind = "clickhouse", .next = src_next, .stats = src_stats, .breakloop = src_breakloop,
	.close = src_close, .drains = false,
};

static char *
sql_count(const struct ch_source_opts *o)
{
	/* the window's row count: the row step's SQL without the selection, counted */
	char *rows = ch_sql_rows(o->url.db, o->since, o->until, true);
	char *from = strstr(rows, "FROM "), *order = strstr(rows, "\nORDER BY");
	char *sql;
	if (from == NULL || order == NULL) {
		free(rows);
		return NULL;
	}
	*order = '\0';
	sql = xasprintf("SELECT count() %s FORMAT TSV", from);
	free(rows);
	return sql;
}

fs_status
ch_source_open(const struct ch_source_opts *o, struct cap_source **out, struct fs_err *err)
{
	struct chsrc *cs = xcalloc(1, sizeof *cs);
	struct ch_buf resp = { 0 };
	enum ch_fail fail;
	fs_status st;
	double t0 = fs_mono_ms();
	char *sql;

	*out = NULL;
	cs->o = *o;
	cs->h = ch_http_new(&o->url);
	ch_http_set_timeout(cs->h, 3000, 0);
	snprintf(cs->label, sizeof cs->label, "clickhouse://%s%s%s:%u/%s",
	         strchr(o->url.host, ':') ? "[" : "", o->url.host, strchr(o->url.host, ':') ? "]" : "",
	         o->url.port, o->url.db);
	/* rows in the window */
	if ((sql = sql_count(o)) != NULL) {
		st = ch_http_query(cs->h, sql, NULL, 0, &resp, 64, NULL, &fail, err);
		free(sql);
		if (st != FS_OK)
			goto fail;
		char t[65];
		size_t l = resp.len < 64 ? resp.len : 64;
		memcpy(t, resp.p, l);
		t[l] = '\0';
		cs->ws.rows_window = strtoull(t, NULL, 10);
		resp.len = 0;
	}
	if (!o->all) {
		sql = ch_sql_candidates(o->url.db, o->since, o->until);
		st = ch_http_query(cs->h, sql, NULL, 0, &resp, (size_t)4 << 30, NULL, &fail, err);
		free(sql);
		if (st != FS_OK)
			goto fail;
		if (!ch_candidates_parse(resp.p, resp.len, &cs->sel, &cs->ws.candidates)) {
			st = fs_err_set(err, FS_E_FORMAT, "the candidates %s sent do not decode", cs->label);
			goto fail;
		}
		/* names loaded: distinct k=0 lines, counted roughly as the candidates and their NS
		 * names (the neighbours sharing addresses are known only from the rows) */
		for (size_t i = 0; i + 1 < cs->sel.len; i++)
			if ((i == 0 || cs->sel.p[i - 1] == '\n') && cs->sel.p[i] == '0')
				cs->ws.names_loaded++;
		if (cs->sel.len == 0)
			sel_add(&cs->sel, 0, ".", 1);   /* an empty table is refused: one row no name has */
	}
	cs->ws.select_s = (fs_mono_ms() - t0) / 1000.0;
	ch_buf_fini(&resp);
	*out = cap_source_alloc(&ch_ops, cs->label, cs);
	return FS_OK;
fail:
	ch_buf_fini(&resp);
	ch_http_free(cs->h);
	ch_buf_fini(&cs->sel);
	free(cs);
	return st;
}

bool
ch_source_window(struct cap_source *src, struct ch_source_opts *o, const struct ch_buf **sel)
{
	if (src == NULL || src->ops != &ch_ops)
		return false;
	const struct chsrc *cs = src->impl;
	*o = cs->o;
	*sel = &cs->sel;
	return true;
}

bool
ch_source_window_stats(struct cap_source *src, struct ch_window_stats *out)
{
	if (src == NULL || src->ops != &ch_ops)
		return false;
	*out = ((struct chsrc *)src->impl)->ws;
	return true;
}
