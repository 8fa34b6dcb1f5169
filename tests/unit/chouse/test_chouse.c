/* ClickHouse rows (issue 15): every response of the sample capture survives the round trip
 * message → row → RowBinary → row → DNS message → decoder, and the store built from the rebuilt
 * messages equals the store built from the capture; rows and spool files read back are hostile
 * (every cut and random damage refused or read within bounds); a feed's rows keep its vantage
 * and declared view through the row and the window's frame; version 1 spool files (no feed
 * column) still read; URLs and --since/--until. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chouse/ch_int.h"
#include "decode/wire.h"
#include "fluxscope/chouse.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

struct rt {
	struct store *orig, *back;
	struct decoder *dec;
	struct ch_rowbuf rb, rb2;
	struct ch_buf enc, dns;
	uint64_t rows, records;
	struct ch_buf all;            /* every row, for the hostile-input tests */
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct rt *t = ctx;
	struct wire w;
	const char *why;
	uint32_t skipped = 0;
	struct dns_msg b;

	memset(&b, 0, sizeof b);

	store_add_msg(t->orig, m);
	if (!ch_row_from_msg(m, "unit", "reg.example", &t->rb)) {
		assert_true(!m->qr || m->opcode != 0 || m->qname == NULL);
		return;
	}
	t->rb.row.batch = 7;
	t->rb.row.seq = (uint32_t)t->rows;
	t->enc.len = 0;
	ch_row_encode(&t->rb.row, &t->enc);
	ch_buf_add(&t->all, t->enc.p, t->enc.len);
	wire_init(&w, t->enc.p, t->enc.len);
	assert_int_equal(ch_row_decode(&w, &t->rb2, &why), 1);
	assert_int_equal(wire_left(&w), 0);
	const struct ch_row *r = &t->rb2.row;
	assert_string_equal(r->qname, m->qname);
	assert_string_equal(r->sensor, "unit");
	assert_int_equal(r->ts, m->ts);
	assert_int_equal(r->qtype, m->qtype);
	assert_int_equal(r->rcode, m->rcode);
	assert_int_equal(fs_addr_cmp(&r->resolver, &m->src), 0);
	assert_int_equal(fs_addr_cmp(&r->client, &m->dst), 0);
	assert_int_equal(r->n_rr, t->rb.row.n_rr);
	assert_true(ch_row_to_dns(r, &t->dns, &skipped, &why));
	assert_int_equal(skipped, 0);
	assert_true(dec_dns_message(t->dec, t->dns.p, (uint32_t)t->dns.len, &b));
	assert_string_equal(b.qname, m->qname);
	assert_int_equal(b.rcode, m->rcode);
	assert_int_equal(b.aa, m->aa);
	assert_int_equal(b.tc, m->tc);
	/* the kept records, in order, with their addresses and targets */
	uint32_t k = 0;
	for (uint32_t i = 0; i < b.n_rr; i++) {
		const struct dns_rr *x = &b.rr[i];
		if (x->section == DNS_SEC_QUESTION || x->type == DNS_TYPE_OPT)
			continue;
		assert_true(k < r->n_rr);
		assert_string_equal(x->name, r->rr[k].name);
		assert_int_equal(x->type, r->rr[k].type);
		assert_int_equal(x->ttl, r->rr[k].ttl);
		if (x->type == DNS_TYPE_A || x->type == DNS_TYPE_AAAA) {
			char buf[64];
			assert_string_equal(fs_addr_str(&x->addr, buf, sizeof buf), r->rr[k].data);
		} else if (x->type == DNS_TYPE_CNAME || x->type == DNS_TYPE_NS)
			assert_string_equal(x->target, r->rr[k].data);
		k++;
		t->records++;
	}
	assert_int_equal(k, r->n_rr);
	b.ts = m->ts;
	b.src = m->src;
	b.dst = m->dst;
	b.transport = m->transport;
	b.src_index = m->src_index;
	store_add_msg(t->back, &b);
	t->rows++;
}

static void
roundtrip_file(struct rt *t, const char *path)
{
	struct fs_err err;
	struct ingest *in = ingest_new(NULL, on_msg, t);
	assert_int_equal(ingest_add_file(in, path, &err), FS_OK);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	ingest_free(in);
}

static struct rt T;

static void
test_roundtrip_sample(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	T.orig = store_new(NULL);
	T.back = store_new(NULL);
	T.dec = dec_new(NULL);
	roundtrip_file(&T, "samples/flux-demo.pcap");
	roundtrip_file(&T, "samples/flux-demo-upstream.pcap");
	printf("# %llu rows, %llu records round-tripped\n", (unsigned long long)T.rows,
	       (unsigned long long)T.records);
	assert_true(T.rows > 8000);
	/* the store of the rebuilt messages is the store of the capture */
	struct store_stats a, b;
	store_get_stats(T.orig, &a);
	store_get_stats(T.back, &b);
	assert_int_equal(a.responses, b.responses);
	assert_int_equal(a.domains, b.domains);
	assert_int_equal(a.addrs, b.addrs);
	assert_int_equal(a.nsnames, b.nsnames);
	assert_int_equal(a.referrals, b.referrals);
	assert_int_equal(a.glue_records, b.glue_records);
	assert_int_equal(a.aa_responses, b.aa_responses);
	assert_int_equal(a.nxdomain, b.nxdomain);
	assert_int_equal(a.nodata, b.nodata);
	for (store_dom_id id = 1; id <= store_domain_count(T.orig); id++) {
		const struct store_domain *d = store_domain(T.orig, id);
		store_dom_id id2 = store_domain_find(T.back, store_name_str(T.orig, d->name));
		assert_int_not_equal(id2, 0);
		const struct store_domain *e = store_domain(T.back, id2);
		assert_int_equal(d->n_responses, e->n_responses);
		assert_int_equal(d->ext->n_rrsets, e->ext->n_rrsets);
		assert_int_equal(d->ext->n_addrs, e->ext->n_addrs);
		assert_int_equal(d->ext->n_ns, e->ext->n_ns);
		assert_int_equal(d->n_nxdomain, e->n_nxdomain);
		assert_int_equal(store_domain_ns_changes(T.orig, id), store_domain_ns_changes(T.back, id2));
	}
	store_free(T.orig);
	store_free(T.back);
	dec_free(T.dec);
	ch_rowbuf_fini(&T.rb);
	ch_rowbuf_fini(&T.rb2);
	ch_buf_fini(&T.enc);
	ch_buf_fini(&T.dns);
}

/* Rows cut anywhere: everything before the cut is read, the cut row refused with a reason. */
static void
test_rows_cut_and_damaged(void **state)
{
	(void)state;
	struct ch_rowbuf rb = { 0 };
	struct ch_buf dns = { 0 };
	const char *why;
	struct wire w;
	size_t len = T.all.len < 6000 ? T.all.len : 6000;
	int r;
	uint32_t skipped = 0;

	/* how many whole rows lie in the first len bytes */
	size_t whole = 0, end_whole = 0;
	wire_init(&w, T.all.p, T.all.len);
	while (ch_row_decode(&w, &rb, &why) == 1 && wire_pos(&w) <= len) {
		whole++;
		end_whole = wire_pos(&w);
	}
	for (size_t cut = 0; cut <= len; cut++) {
		size_t n = 0;
		wire_init(&w, T.all.p, cut);
		while ((r = ch_row_decode(&w, &rb, &why)) == 1)
			n++;
		if (r < 0)
			assert_non_null(why);
		if (cut >= end_whole)
			assert_true(n >= whole);
		else
			assert_true(n <= whole);
	}
	/* random damage: never outside the bounds */
	srand(15);
	uint8_t *buf = malloc(len);
	for (int round = 0; round < 3000; round++) {
		memcpy(buf, T.all.p, len);
		for (int k = 0; k < 1 + round % 8; k++)
			buf[(size_t)rand() % len] = (uint8_t)rand();
		wire_init(&w, buf, len);
		while ((r = ch_row_decode(&w, &rb, &why)) == 1) {
			assert_true(strlen(rb.row.qname) <= CH_MAX_NAME);
			assert_true(rb.row.n_rr <= CH_MAX_RR);
			for (uint32_t i = 0; i < rb.row.n_rr; i++)
				assert_true(rb.row.rr[i].section >= 1 && rb.row.rr[i].section <= 3);
			(void)ch_row_to_dns(&rb.row, &dns, &skipped, &why);
			assert_true(dns.len <= 65535);
		}
	}
	free(buf);
	ch_buf_fini(&dns);
	ch_rowbuf_fini(&rb);
}


/* A dnstap file's responses: the row keeps the feed's vantage (feed column) and view, and the
 * window's frame of the row gives the decoder a message with the same vantage and view. */
struct feedrt {
	struct ch_rowbuf rb, rb2;
	struct ch_buf enc, dns, frame;
	struct decoder *dec;
	unsigned rows, views, back;
	const struct dns_msg *orig;
};

static void
feed_back(void *ctx, const struct dns_msg *b)
{
	struct feedrt *t = ctx;
	assert_non_null(b->vantage);
	assert_string_equal(b->vantage, t->orig->vantage);
	assert_int_equal(b->view, t->orig->view);
	assert_string_equal(b->qname, t->orig->qname);
	assert_int_equal(b->ts, t->orig->ts);
	assert_int_equal(fs_addr_cmp(&b->src, &t->orig->src), 0);
	t->back++;
}

static void
feed_msg(void *ctx, const struct dns_msg *m)
{
	struct feedrt *t = ctx;
	struct wire w;
	const char *why;
	uint32_t skipped = 0;
	struct cap_frame fr;

	if (!ch_row_from_msg(m, "edge", NULL, &t->rb))
		return;
	assert_non_null(m->vantage);
	assert_string_equal(t->rb.row.feed, m->vantage);
	if (m->view != DEC_VIEW_NONE) {
		assert_true(t->rb.row.flags & CH_F_VIEW);
		assert_int_equal(t->rb.row.vantage, m->view == DEC_VIEW_CLIENT ? CH_VANTAGE_CLIENT
		                                                               : CH_VANTAGE_UPSTREAM);
		t->views++;
	}
	t->enc.len = 0;
	ch_row_encode(&t->rb.row, &t->enc);
	wire_init(&w, t->enc.p, t->enc.len);
	assert_int_equal(ch_row_decode(&w, &t->rb2, &why), 1);
	assert_int_equal(wire_left(&w), 0);
	assert_string_equal(t->rb2.row.feed, m->vantage);
	assert_true(ch_row_to_dns(&t->rb2.row, &t->dns, &skipped, &why));
	ch_row_frame(&t->rb2.row, &t->dns, 53, &t->frame, &fr);
	assert_int_equal(fr.linktype, DEC_LINKTYPE_FEED);
	t->orig = m;
	unsigned before = t->back;
	dec_packet(t->dec, fr.linktype, fr.ts, fr.data, fr.caplen, fr.wirelen, 0, feed_back, t);
	assert_int_equal(t->back, before + 1);
	t->rows++;
}

static void
test_feed_rows(void **state)
{
	(void)state;
	struct feedrt t = { 0 };
	struct fs_err err;
	t.dec = dec_new(NULL);
	struct ingest *in = ingest_new(NULL, feed_msg, &t);
	assert_int_equal(ingest_add_file(in, "tests/data/feeds/unbound-fstrm_capture.dnstap", &err), FS_OK);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	ingest_free(in);
	printf("# %u feed rows (%u with a declared view) back through the window's frame\n", t.rows, t.views);
	assert_true(t.rows > 10);
	assert_int_equal(t.views, t.rows);
	/* a packet's row has no feed and keeps the raw IP frame */
	struct cap_frame fr;
	t.rb.row.feed = "";
	ch_row_frame(&t.rb.row, &t.dns, 53, &t.frame, &fr);
	assert_true(fr.linktype == 228 || fr.linktype == 229);
	dec_free(t.dec);
	ch_rowbuf_fini(&t.rb);
	ch_rowbuf_fini(&t.rb2);
	ch_buf_fini(&t.enc);
	ch_buf_fini(&t.dns);
	ch_buf_fini(&t.frame);
}

/* A version 1 spool file (rows without the feed column, an earlier release's) still parses and
 * its rows decode; the same body under version 2 is refused. */
static void
test_spool_v1(void **state)
{
	(void)state;
	struct ch_rowbuf rb = { 0 };
	struct ch_buf body = { 0 }, file = { 0 };
	struct ch_spool_hdr h = { .version = 1, .batch = 7, .ts_min = UINT32_MAX }, p;
	struct fs_err err;
	const char *why;
	struct wire w;

	wire_init(&w, T.all.p, T.all.len);
	for (int i = 0; i < 20 && ch_row_decode(&w, &rb, &why) == 1; i++) {
		uint32_t sec = (uint32_t)(rb.row.ts / FS_USEC);
		rb.row.feed = "";
		rb.row.seq = (uint32_t)i;
		ch_row_encode(&rb.row, &body);
		assert_int_equal(body.p[body.len - 1], 0);   /* the empty feed string */
		body.len--;                                   /* a version 1 row */
		h.rows++;
		if (sec < h.ts_min)
			h.ts_min = sec;
		if (sec > h.ts_max)
			h.ts_max = sec;
	}
	snprintf(h.sensor, sizeof h.sensor, "unit");
	h.body = body.p;
	h.body_len = body.len;
	ch_spool_encode(&h, &file);
	assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_OK);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.rows, 20);
	h.version = 2;
	file.len = 0;
	ch_spool_encode(&h, &file);
	assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_E_FORMAT);
	ch_buf_fini(&body);
	ch_buf_fini(&file);
	ch_rowbuf_fini(&rb);
}

static void
test_spool_files(void **state)
{
	(void)state;
	struct ch_rowbuf rb = { 0 };
	struct ch_buf body = { 0 }, file = { 0 };
	struct ch_spool_hdr h = { .batch = 7, .ts_min = UINT32_MAX }, p;
	struct fs_err err;
	const char *why;
	struct wire w;

	/* the first 20 rows as one batch (their seq runs from 0) */
	wire_init(&w, T.all.p, T.all.len);
	for (int i = 0; i < 20 && ch_row_decode(&w, &rb, &why) == 1; i++) {
		uint32_t sec = (uint32_t)(rb.row.ts / FS_USEC);
		ch_row_encode(&rb.row, &body);
		h.rows++;
		if (sec < h.ts_min)
			h.ts_min = sec;
		if (sec > h.ts_max)
			h.ts_max = sec;
	}
	snprintf(h.sensor, sizeof h.sensor, "unit");
	h.body = body.p;
	h.body_len = body.len;
	h.flags = CH_SPOOL_MAYBE_SENT;
	ch_spool_encode(&h, &file);
	assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_OK);
	assert_int_equal(p.rows, 20);
	assert_int_equal(p.batch, 7);
	assert_int_equal(p.flags, CH_SPOOL_MAYBE_SENT);
	assert_string_equal(p.sensor, "unit");
	/* every cut and every flipped byte is refused with a sentence */
	for (size_t cut = 0; cut < file.len; cut += (cut < 200 ? 1 : 97))
		assert_int_equal(ch_spool_parse(file.p, cut, &p, &err), FS_E_FORMAT);
	for (size_t i = 0; i < file.len; i += (i < 200 ? 1 : 13)) {
		if ((i >= 12 && i < 16) || (i >= 28 && i < 36))
			continue;   /* the flags word, and a time range made wider: still valid */
		file.p[i] ^= 0x40;
		assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_E_FORMAT);
		assert_true(strlen(err.msg) > 10);
		file.p[i] ^= 0x40;
	}
	/* a header that lies about the rows (body and checksum intact) */
	h.rows = 19;
	file.len = 0;
	ch_spool_encode(&h, &file);
	assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "more rows"));
	/* rows of another batch */
	h.rows = 20;
	h.batch = 8;
	file.len = 0;
	ch_spool_encode(&h, &file);
	assert_int_equal(ch_spool_parse(file.p, file.len, &p, &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "does not belong"));
	ch_buf_fini(&body);
	ch_buf_fini(&file);
	ch_rowbuf_fini(&rb);
	ch_buf_fini(&T.all);
}

static void
test_urls_and_times(void **state)
{
	(void)state;
	struct ch_url u;
	struct fs_err err;
	fs_time t, now = (fs_time)1763460000 * FS_USEC;

	assert_int_equal(ch_url_parse("clickhouse://127.0.0.1:18123/fx", "--sink", &u, &err), FS_OK);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 18123);
	assert_string_equal(u.db, "fx");
	assert_int_equal(ch_url_parse("clickhouse://ch.example/dns_obs/", "--sink", &u, &err), FS_OK);
	assert_int_equal(u.port, 8123);
	assert_string_equal(u.db, "dns_obs");
	assert_int_equal(ch_url_parse("clickhouse://[::1]:9/d", "--source", &u, &err), FS_OK);
	assert_string_equal(u.host, "::1");
	const char *bad[] = { "http://h/db", "clickhouse://h", "clickhouse://h:0/db", "clickhouse://h:x/db",
	                      "clickhouse://h/", "clickhouse://h/a;drop", "clickhouse:///db",
	                      "clickhouse://h h/db", "clickhouse://[::1/db" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ch_url_parse(bad[i], "--sink", &u, &err), FS_E_ARG);
		assert_non_null(strstr(err.msg, "--sink"));
	}
	assert_int_equal(ch_parse_when("24h", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, now - (fs_time)86400 * FS_USEC);
	assert_int_equal(ch_parse_when("90m", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, now - (fs_time)5400 * FS_USEC);
	assert_int_equal(ch_parse_when("2025-11-18", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, (fs_time)1763424000 * FS_USEC);
	assert_int_equal(ch_parse_when("2025-11-18T10:00:00Z", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, (fs_time)1763460000 * FS_USEC);
	assert_int_equal(ch_parse_when("2025-11-18T12:00:00+02:00", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, (fs_time)1763460000 * FS_USEC);
	assert_int_equal(ch_parse_when("2025-11-18 05:30-0430", "--since", now, &t, &err), FS_OK);
	assert_int_equal(t, (fs_time)1763460000 * FS_USEC);
	const char *badt[] = { "tomorrow", "24", "24x", "-5h", "2025-13-01", "2025-11-18T25:00",
	                       "2025-11-18T10:00+", "2025-11-18Z1", "" };
	for (size_t i = 0; i < sizeof badt / sizeof badt[0]; i++) {
		assert_int_equal(ch_parse_when(badt[i], "--until", now, &t, &err), FS_E_ARG);
		assert_non_null(strstr(err.msg, "--until"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_sample),
		cmocka_unit_test(test_rows_cut_and_damaged),
		cmocka_unit_test(test_spool_v1),
		cmocka_unit_test(test_spool_files),
		cmocka_unit_test(test_feed_rows),
		cmocka_unit_test(test_urls_and_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
