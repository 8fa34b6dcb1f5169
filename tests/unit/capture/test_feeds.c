/* Resolver feeds: feed frames through the decoder (vantage, view, every cut of the header);
 * a real dnstap file from Unbound through ingest into the store (vantage and view on every
 * response), cut at every offset; Zeek CNAME chains rebuilt; EVE v1 records joined; the JSON
 * reader's escapes; gzip members. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "capture/feed_int.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

#define DNSTAP "tests/data/feeds/unbound-fstrm_capture.dnstap"

struct got {
	int n;
	char vantage[256];
	uint8_t view;
	char qname[256];
	int n_rr;
	char rr[16][300];
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct got *g = ctx;
	g->n++;
	snprintf(g->vantage, sizeof g->vantage, "%s", m->vantage ? m->vantage : "(null)");
	g->view = m->view;
	snprintf(g->qname, sizeof g->qname, "%s", m->qname ? m->qname : "");
	g->n_rr = 0;
	for (uint32_t i = 0; i < m->n_rr && g->n_rr < 16; i++) {
		const struct dns_rr *r = &m->rr[i];
		char a[FS_ADDR_STRLEN] = "";
		if (r->section != DNS_SEC_ANSWER && r->section != DNS_SEC_AUTHORITY)
			continue;
		if (r->type == DNS_TYPE_A || r->type == DNS_TYPE_AAAA)
			fs_addr_str(&r->addr, a, sizeof a);
		snprintf(g->rr[g->n_rr++], 300, "%s %u %u %s", r->name, r->type, r->ttl, r->target ? r->target : a);
	}
}

static void
test_frame_roundtrip_and_cuts(void **state)
{
	(void)state;
	static const uint8_t q[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
	                             1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	struct dec_feed_hdr h = { .sport = 53, .dport = 4444, .transport = 17, .view = DEC_VIEW_UPSTREAM,
	                          .vantage = "res1 RESOLVER_RESPONSE" };
	uint8_t fr[512];
	fs_addr_parse("192.0.2.1", &h.src);
	fs_addr_parse("2001:db8::1", &h.dst);   /* mixed families: IPv4 goes in mapped */
	size_t n = dec_feed_frame(fr, sizeof fr, &h, q, sizeof q);
	assert_true(n > sizeof q);
	assert_int_equal(dec_feed_frame(fr, n - 1, &h, q, sizeof q), 0);   /* does not fit */
	struct decoder *d = dec_new(NULL);
	struct got g = { 0 };
	dec_packet(d, DEC_LINKTYPE_FEED, 1, fr, (uint32_t)n, (uint32_t)n, 0, on_msg, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.vantage, "res1 RESOLVER_RESPONSE");
	assert_int_equal(g.view, DEC_VIEW_UPSTREAM);
	assert_string_equal(g.qname, "a.test");
	/* every cut of the frame: nothing past it is read; a cut in the header delivers nothing */
	size_t hdr = n - sizeof q;
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, fr, cut);
		g.n = 0;
		dec_packet(d, DEC_LINKTYPE_FEED, 1, c, (uint32_t)cut, (uint32_t)cut, 0, on_msg, &g);
		assert_int_equal(g.n, cut > hdr + 11 ? 1 : 0);
		free(c);
	}
	/* packets carry no vantage */
	assert_true(dec_stats(d)->skipped[DEC_SKIP_TRUNCATED] > 0);
	/* a hostile vantage is shown printable */
	h.vantage = "bad\x01\x7f name";
	n = dec_feed_frame(fr, sizeof fr, &h, q, sizeof q);
	g.n = 0;
	dec_packet(d, DEC_LINKTYPE_FEED, 1, fr, (uint32_t)n, (uint32_t)n, 0, on_msg, &g);
	assert_string_equal(g.vantage, "bad?? name");
	dec_free(d);
}

static void
store_msg(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

static void
test_dnstap_file_into_store(void **state)
{
	(void)state;
	struct store *s = store_new(NULL);
	struct ingest *in = ingest_new(NULL, store_msg, s);
	struct fs_err err;
	struct store_stats st;
	uint8_t view;

	assert_int_equal(ingest_add_file(in, DNSTAP, &err), FS_OK);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	store_get_stats(s, &st);
	assert_int_equal(st.queries, 12);
	assert_int_equal(st.responses, 12);
	assert_int_equal(st.view_client, 12);   /* CLIENT_RESPONSE: the resolver's client side */
	assert_int_equal(st.view_upstream, 0);
	assert_int_equal(store_vantage_count(s), 1);
	assert_string_equal(store_vantage(s, 1, &view), "unbound-file CLIENT_RESPONSE");
	assert_int_equal(view, DEC_VIEW_CLIENT);
	const struct store_domain *dm = store_domain(s, store_domain_find(s, "flux.dnstap.test"));
	assert_non_null(dm);
	assert_int_equal(dm->n_resp, 6);
	assert_int_equal(dm->ext->n_addrs, 12);
	for (uint32_t i = 0; i < dm->n_resp; i++)
		assert_int_equal(dm->resp[i].vantage, 1);
	ingest_free(in);
	store_free(s);
}

static void
test_dnstap_cut_everywhere(void **state)
{
	(void)state;
	FILE *f = fopen(DNSTAP, "rb");
	uint8_t buf[8192];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	int last = 0;
	for (size_t cut = 1; cut <= n; cut++) {
		struct cap_source *s;
		struct fs_err err = { 0 };
		struct cap_frame fr;
		int frames = 0;
		enum cap_next r;
		if (feed_open_mem("cut", buf, cut, &s, &err) != FS_OK)
			continue;   /* fewer than 4 bytes: not recognised */
		while ((r = cap_source_next(s, &fr, &err)) == CAP_FRAME)
			frames++;
		/* the messages before the cut, never more, never fewer as the cut moves on */
		assert_true(frames >= last && frames <= 24);
		last = frames;
		if (cut < n)
			assert_int_equal(r, CAP_ERROR);
		else
			assert_int_equal(r, CAP_EOF);
		cap_source_close(s);
	}
	assert_int_equal(last, 24);
}

static void
emit_dec(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	static struct decoder *d;
	if (d == NULL)
		d = dec_new(NULL);
	dec_packet(d, DEC_LINKTYPE_FEED, ts, frame, (uint32_t)len, (uint32_t)len, 0, on_msg, ctx);
}

static void
test_zeek_chain(void **state)
{
	(void)state;
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 };
	struct got g = { 0 };
	const char *lines[] = {
		"#separator \\x09", "#set_separator\t,", "#unset_field\t-", "#empty_field\t(empty)",
		"#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqtype\trcode\tanswers\tTTLs",
		"1.5\t10.0.0.1\t5555\t10.0.0.53\t53\tudp\t7\twww.x.test\t1\t0\tcdn.x.net,edge.y.net,192.0.2.7,192.0.2.8\t60.0,30.0,20.0,20.0",
		"2.5\t10.0.0.1\t5555\t10.0.0.53\t53\tudp\t8\tx.test\t15\t0\t10 mx.x.test\t60.0",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		zeek_line(z, lines[i], strlen(lines[i]), &c, emit_dec, &g);
	assert_int_equal(c.records, 2);
	assert_int_equal(c.messages, 4);     /* a query and a response per line */
	assert_int_equal(c.skipped, 1);      /* the MX data: owner and type cannot be rebuilt */
	zeek_free(z);
	/* the last message is the MX response: no record; check the first line's again */
	z = zeek_new();
	memset(&c, 0, sizeof c);
	for (size_t i = 0; i < 6; i++)
		zeek_line(z, lines[i], strlen(lines[i]), &c, emit_dec, &g);
	assert_string_equal(g.vantage, "zeek");
	assert_int_equal(g.n_rr, 4);
	assert_string_equal(g.rr[0], "www.x.test 5 60 cdn.x.net");
	assert_string_equal(g.rr[1], "cdn.x.net 5 30 edge.y.net");
	assert_string_equal(g.rr[2], "edge.y.net 1 20 192.0.2.7");
	assert_string_equal(g.rr[3], "edge.y.net 1 20 192.0.2.8");
	/* the same as JSON, with ISO 8601 time */
	const char *js = "{\"ts\":\"2018-03-24T17:15:21.5Z\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5,"
	                 "\"id.resp_h\":\"10.0.0.53\",\"id.resp_p\":53,\"proto\":\"udp\",\"query\":\"www.x.test\","
	                 "\"qtype\":1,\"rcode\":0,\"AA\":true,\"answers\":[\"cdn.x.net\",\"192.0.2.7\"],\"TTLs\":[60.0,20.0]}";
	zeek_line(z, js, strlen(js), &c, emit_dec, &g);
	assert_int_equal(g.n_rr, 2);
	assert_string_equal(g.rr[1], "cdn.x.net 1 20 192.0.2.7");
	zeek_free(z);
}

static void
emit_ts(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	(void)frame;
	(void)len;
	*(fs_time *)ctx = ts;
}

/* Zeek JSON time as seconds, ISO 8601 and integer milliseconds (JSON::TS_MILLIS) alike. */
static void
test_zeek_json_times(void **state)
{
	(void)state;
	const char *ts[] = { "1521911721.5", "\"2018-03-24T17:15:21.5Z\"", "1521911721500" };
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		struct zeek_reader *z = zeek_new();
		struct feed_counts c = { 0 };
		fs_time last = 0;
		char js[512];
		snprintf(js, sizeof js, "{\"ts\":%s,\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5,"
		         "\"id.resp_h\":\"10.0.0.53\",\"id.resp_p\":53,\"proto\":\"udp\","
		         "\"query\":\"www.x.test\",\"qtype\":1,\"rcode\":0,"
		         "\"answers\":[\"192.0.2.7\"],\"TTLs\":[20.0]}", ts[i]);
		zeek_line(z, js, strlen(js), &c, emit_ts, &last);
		assert_int_equal(c.records, 1);
		assert_int_equal(c.bad, 0);
		assert_true(last == (fs_time)1521911721500000);   /* the query's time: no rtt */
		zeek_free(z);
	}
	/* 1e11 and more without a decimal point is milliseconds; fewer digits stay seconds */
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 };
	fs_time last = 0;
	const char *js = "{\"ts\":1521911721,\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5,"
	                 "\"id.resp_h\":\"10.0.0.53\",\"id.resp_p\":53,\"proto\":\"udp\","
	                 "\"query\":\"www.x.test\",\"qtype\":1,\"rcode\":0,"
	                 "\"answers\":[\"192.0.2.7\"],\"TTLs\":[20.0]}";
	zeek_line(z, js, strlen(js), &c, emit_ts, &last);
	assert_true(last == (fs_time)1521911721000000);
	zeek_free(z);
}

/* frames a feed opened from memory gives, -1 when it is not recognised */
static int
mem_frames(const char *text)
{
	struct cap_source *s;
	struct fs_err err = { 0 };
	struct cap_frame fr;
	int frames = 0;

	if (feed_open_mem("mem", (const uint8_t *)text, strlen(text), &s, &err) != FS_OK)
		return -1;
	while (cap_source_next(s, &fr, &err) == CAP_FRAME)
		frames++;
	cap_source_close(s);
	return frames;
}

/* Zeek TSV logs as other tools leave them: a comment line of their own before Zeek's header
 * (a test baseline's, an exporter's), or #fields alone without #separator and the others. */
static void
test_zeek_headers(void **state)
{
	(void)state;
	const char *fields = "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
	                     "trans_id\tquery\tqtype\trcode\tanswers\tTTLs\n";
	const char *rows = "1.5\t10.0.0.1\t5555\t10.0.0.53\t53\tudp\t7\twww.x.test\t1\t0\t192.0.2.7\t60.0\n"
	                   "2.5\t10.0.0.1\t5555\t10.0.0.53\t53\tudp\t8\twww.x.test\t1\t0\t192.0.2.8\t60.0\n";
	char buf[2048];

	snprintf(buf, sizeof buf, "#separator \\x09\n#set_separator\t,\n%s%s", fields, rows);
	assert_int_equal(mem_frames(buf), 4);          /* a query and a response per line */
	snprintf(buf, sizeof buf, "### baseline written by a test tool\n#separator \\x09\n%s%s",
	         fields, rows);
	assert_int_equal(mem_frames(buf), 4);
	snprintf(buf, sizeof buf, "%s%s", fields, rows);
	assert_int_equal(mem_frames(buf), 4);
	snprintf(buf, sizeof buf, "# notes\n%s%s", fields, rows);
	assert_int_equal(mem_frames(buf), 4);
	/* not Zeek: comment lines without a header, a #fields line without the query column,
	 * a data line before the header */
	assert_int_equal(mem_frames("# notes\nsomething else\n#separator \\x09\n"), -1);
	assert_int_equal(mem_frames("#fields\tts\tname\tvalue\n1.5\tx\ty\n"), -1);
	snprintf(buf, sizeof buf, "%s%s", rows, fields);
	assert_int_equal(mem_frames(buf), -1);
	/* a separator of NUL (or none) cannot split a line: the one before it stays, and the two
	 * answers of a line are still two (fuzz_zeek found "#set_separator\t\x00" reading past
	 * the line's end) */
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 };
	struct got g = { 0 };
	const char *lines[] = {
		"#separator \\x00", "#separator ", "#set_separator\t\\x00", "#set_separator\t\\x",
		"#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqtype\trcode\tanswers\tTTLs",
		"1.5\t10.0.0.1\t5555\t10.0.0.53\t53\tudp\t7\twww.x.test\t1\t0\t192.0.2.7,192.0.2.8\t60.0,60.0",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		zeek_line(z, lines[i], strlen(lines[i]), &c, emit_dec, &g);
	assert_int_equal(c.records, 1);
	assert_int_equal(c.bad, 0);
	assert_int_equal(g.n_rr, 2);
	assert_string_equal(g.rr[0], "www.x.test 1 60 192.0.2.7");
	assert_string_equal(g.rr[1], "www.x.test 1 60 192.0.2.8");
	zeek_free(z);
}

static void
test_eve_v1_join(void **state)
{
	(void)state;
	struct eve_reader *e = eve_new();
	struct feed_counts c = { 0 };
	struct got g = { 0 };
	const char *base = "{\"timestamp\":\"2018-03-24T17:15:21.123456+0000\",\"flow_id\":9,\"event_type\":\"dns\","
	                   "\"src_ip\":\"10.0.0.53\",\"src_port\":53,\"dest_ip\":\"10.0.0.1\",\"dest_port\":5,\"proto\":\"UDP\",";
	char l[1024];
	snprintf(l, sizeof l, "%s\"dns\":{\"type\":\"answer\",\"id\":3,\"rcode\":\"NOERROR\",\"rrname\":\"www.x.test\",\"rrtype\":\"CNAME\",\"ttl\":60,\"rdata\":\"e.y.net\"}}", base);
	eve_line(e, l, strlen(l), &c, emit_dec, &g);
	snprintf(l, sizeof l, "%s\"dns\":{\"type\":\"answer\",\"id\":3,\"rcode\":\"NOERROR\",\"rrname\":\"e.y.net\",\"rrtype\":\"AAAA\",\"ttl\":20,\"rdata\":\"2001:db8::5\"}}", base);
	eve_line(e, l, strlen(l), &c, emit_dec, &g);
	assert_int_equal(g.n, 0);            /* still joining */
	snprintf(l, sizeof l, "{\"event_type\":\"flow\"}");
	eve_line(e, l, strlen(l), &c, emit_dec, &g);
	eve_flush(e, &c, emit_dec, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.qname, "www.x.test");
	assert_int_equal(g.n_rr, 2);
	assert_string_equal(g.rr[1], "e.y.net 28 20 2001:db8::5");
	assert_int_equal(c.skipped, 1);      /* the flow event */
	eve_free(e);
}

/* EVE forwarded through syslog (rsyslog, syslog-ng): a syslog header, or the "@cee:" cookie,
 * before each event; the file is recognised as EVE and the events read as without it. */
static void
test_eve_syslog(void **state)
{
	(void)state;
	const char *ev = "{\"timestamp\":\"2026-01-05T10:00:00.290000+0000\",\"flow_id\":77,"
	                 "\"event_type\":\"dns\",\"src_ip\":\"192.0.2.1\",\"src_port\":53,\"dest_ip\":\"192.0.2.16\","
	                 "\"dest_port\":1920,\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"answer\","
	                 "\"id\":16995,\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":\"www.sl.test\","
	                 "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"www.sl.test\","
	                 "\"rrtype\":\"A\",\"ttl\":60,\"rdata\":\"192.0.2.80\"}]}}";
	const char *prefix[] = { "", "<30>Jan  5 10:00:00 sensor suricata[1234]: ",
	                         "2026-01-05T10:00:00.291+00:00 sensor suricata[1234]: @cee: ",
	                         "@cee:" };
	char text[2048];
	int want = -2;
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
		snprintf(text, sizeof text, "%s%s\n%s%s\n", prefix[i], ev, prefix[i], ev);
		int frames = mem_frames(text);
		if (i == 0)
			want = frames;
		assert_true(frames > 0);
		assert_int_equal(frames, want);   /* the same as the plain log */
		struct eve_reader *e = eve_new();
		struct feed_counts c = { 0 };
		struct got g = { 0 };
		size_t n = strlen(prefix[i]) + strlen(ev);
		eve_line(e, text, n, &c, emit_dec, &g);
		eve_flush(e, &c, emit_dec, &g);
		assert_int_equal(c.bad, 0);
		assert_int_equal(g.n, 1);
		assert_string_equal(g.qname, "www.sl.test");
		eve_free(e);
	}
	/* not a syslog prefix: a quote, or no colon before the brace; other text with a colon */
	assert_int_equal(eve_syslog_prefix("\"a\": {\"event_type\":1}", 20), 0);
	assert_int_equal(eve_syslog_prefix("host suricata {\"event_type\":1}", 31), 0);
	assert_int_equal(mem_frames("note: {\"x\":1}\n"), -1);
	assert_int_equal(mem_frames("note: something else\n"), -1);
}

/* Suricata 8's dns v3, in the shape suricata-verify expects of it (decode-teredo-01): a
 * "request" with "queries", a "response" from the server with "answers" (owners, TTLs, an AAAA
 * written in full), "authorities" and "grouped". */
static void
test_eve_v3(void **state)
{
	(void)state;
	struct eve_reader *e = eve_new();
	struct feed_counts c = { 0 };
	struct got g = { 0 };
	char l[2048];
	snprintf(l, sizeof l, "{\"timestamp\":\"2026-01-05T10:00:00.250000+0000\",\"flow_id\":77,\"pcap_cnt\":21,"
	         "\"event_type\":\"dns\",\"src_ip\":\"192.0.2.16\",\"src_port\":1920,\"dest_ip\":\"192.0.2.1\","
	         "\"dest_port\":53,\"proto\":\"UDP\",\"pkt_src\":\"wire/pcap\",\"dns\":{\"version\":3,\"type\":\"request\","
	         "\"tx_id\":0,\"id\":16995,\"flags\":\"100\",\"rd\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
	         "\"queries\":[{\"rrname\":\"www.v3.test\",\"rrtype\":\"AAAA\"}]}}");
	eve_line(e, l, strlen(l), &c, emit_dec, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.qname, "www.v3.test");
	snprintf(l, sizeof l, "{\"timestamp\":\"2026-01-05T10:00:00.290000+0000\",\"flow_id\":77,\"pcap_cnt\":22,"
	         "\"event_type\":\"dns\",\"src_ip\":\"192.0.2.1\",\"src_port\":53,\"dest_ip\":\"192.0.2.16\","
	         "\"dest_port\":1920,\"proto\":\"UDP\",\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":0,"
	         "\"id\":16995,\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
	         "\"queries\":[{\"rrname\":\"www.v3.test\",\"rrtype\":\"AAAA\"}],"
	         "\"answers\":[{\"rrname\":\"www.v3.test\",\"rrtype\":\"CNAME\",\"ttl\":8655,\"rdata\":\"edge.v3.test\"},"
	         "{\"rrname\":\"edge.v3.test\",\"rrtype\":\"AAAA\",\"ttl\":300,\"rdata\":\"2001:0db8:0000:2001:0000:0000:0000:0068\"}],"
	         "\"authorities\":[{\"rrname\":\"v3.test\",\"rrtype\":\"NS\",\"ttl\":77923,\"rdata\":\"a.ns.v3.test\"},"
	         "{\"rrname\":\"v3.test\",\"rrtype\":\"NS\",\"ttl\":77923,\"rdata\":\"b.ns.v3.test\"}],"
	         "\"grouped\":{\"AAAA\":[\"2001:0db8:0000:2001:0000:0000:0000:0068\"],\"CNAME\":[\"edge.v3.test\"]}}}");
	eve_line(e, l, strlen(l), &c, emit_dec, &g);
	eve_flush(e, &c, emit_dec, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.qname, "www.v3.test");
	assert_int_equal(g.n_rr, 4);
	assert_string_equal(g.rr[0], "www.v3.test 5 8655 edge.v3.test");
	assert_string_equal(g.rr[1], "edge.v3.test 28 300 2001:db8:0:2001::68");
	assert_string_equal(g.rr[3], "v3.test 2 77923 b.ns.v3.test");
	assert_int_equal(c.bad + c.skipped, 0);
	eve_free(e);
}

static void
test_json(void **state)
{
	(void)state;
	static struct jdoc d;
	char b[64];
	json_doc_init(&d, JSON_LOG, JSON_LOG_DEPTH, JSON_LOG_TOKENS);
	const char *t = "{\"a\":\"x\\u00e9\\ud83d\\ude00\\n\",\"n\":-12,\"arr\":[1,{\"k\":null}],\"e\":{}}";
	assert_true(json_parse(&d, t, strlen(t)));
	assert_true(json_str_at(&d, json_get(&d, 0, "a"), b, sizeof b));
	assert_string_equal(b, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	int64_t v;
	assert_true(json_i64_at(&d, json_get(&d, 0, "n"), &v));
	assert_int_equal(v, -12);
	uint32_t arr = json_get(&d, 0, "arr");
	uint32_t e1 = json_child(&d, arr), e2 = json_next(&d, e1);
	assert_int_equal(d.tok[e2].type, JT_OBJ);
	assert_int_equal(json_next(&d, e2), 0);
	assert_int_equal(json_get(&d, 0, "missing"), 0);
	const char *badv[] = { "{", "{\"a\":}", "[1,]", "{\"a\":1}x", "\"\\x\"", "{\"a\":\"\x01\"}", "nul", "" };
	for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++)
		assert_false(json_parse(&d, badv[i], strlen(badv[i])));
	/* depth bound */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_false(json_parse(&d, deep, 200));
	/* \u0000 would cut the string: refused */
	t = "{\"a\":\"x\\u0000y\"}";
	assert_true(json_parse(&d, t, strlen(t)));
	assert_false(json_str_at(&d, json_get(&d, 0, "a"), b, sizeof b));
	json_doc_fini(&d);
}

static void
test_gzip_members(void **state)
{
	(void)state;
	const char *part[2] = { "line one\nline two\n", "line three\n" };
	uint8_t out[512];
	size_t o = 0;
	for (int i = 0; i < 2; i++) {
		z_stream z = { 0 };
		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (Bytef *)part[i];
		z.avail_in = (uInt)strlen(part[i]);
		z.next_out = out + o;
		z.avail_out = (uInt)(sizeof out - o);
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		o = sizeof out - z.avail_out;
		deflateEnd(&z);
	}
	struct feed_in *in = feed_in_mem(out, o);
	feed_in_gunzip(in);
	struct feed_lines l;
	feed_lines_init(&l, in);
	int n = 0;
	while (feed_lines_next(&l) == 1)
		n++;
	assert_int_equal(n, 3);
	assert_string_equal((char *)l.line, "line three");
	feed_lines_fini(&l);
	feed_in_close(in);
	/* cut: an error, not a silent end */
	in = feed_in_mem(out, o - 5);
	feed_in_gunzip(in);
	feed_lines_init(&l, in);
	int r;
	while ((r = feed_lines_next(&l)) == 1)
		;
	assert_int_equal(r, -1);
	assert_non_null(strstr(feed_in_error(in), "ends in the middle"));
	feed_lines_fini(&l);
	feed_in_close(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_roundtrip_and_cuts),
		cmocka_unit_test(test_dnstap_file_into_store),
		cmocka_unit_test(test_dnstap_cut_everywhere),
		cmocka_unit_test(test_zeek_chain),
		cmocka_unit_test(test_zeek_json_times),
		cmocka_unit_test(test_eve_syslog),
		cmocka_unit_test(test_zeek_headers),
		cmocka_unit_test(test_eve_v1_join),
		cmocka_unit_test(test_eve_v3),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_gzip_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
