/* Resolver logs written outside the project (tests/data/feeds/SOURCES.md gives each file's
 * origin and licence), read through the feed readers and the decoder:
 *   - Suricata 3.x EVE v1 (rhaist/surevego): the records of several responses interleaved by
 *     Suricata's logger are joined into one message per response; authority NS records logged
 *     as answers go to the authority section; an SRV answer logged without owner and data still
 *     gives its response, with the query event's question;
 *   - Suricata EVE v1 over TCP (suricata-verify) and Suricata 6.0.10 EVE v2 (UDP), whose
 *     responses carry the flow's direction: the server is made the source;
 *   - a line cut at 4096 bytes (Suricata 6.0.10's file) is bad, a stats event with more
 *     members than the generic JSON bound is another event type, not bad;
 *   - Zeek JSON streaming logs (brimdata/zed-sample-data, WRCCDC 2018): the root priming query
 *     Zeek logs with an empty name; the same in TSV as (empty);
 *   - dnstap files BIND 9 and dnsdist wrote (isc-projects/bind9, dmachard/go-dnscollector):
 *     every frame a message, with its addresses, ports, transport and time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/feed_int.h"

#define D "tests/data/feeds/"
#define MAXM 64

struct one {
	bool qr;
	uint16_t id, rcode, sport, dport;
	uint8_t transport;
	fs_time ts;
	char qname[256], src[FS_ADDR_STRLEN], dst[FS_ADDR_STRLEN];
	int n_an, n_au;
	char rr[24][300];         /* answers, then authority: "owner type ttl data" */
};

struct all {
	int n;
	struct one m[MAXM];
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct all *a = ctx;
	if (a->n == MAXM)
		return;
	struct one *o = &a->m[a->n++];
	memset(o, 0, sizeof *o);
	o->qr = m->qr;
	o->id = m->id;
	o->rcode = m->rcode;
	o->sport = m->sport;
	o->dport = m->dport;
	o->transport = m->transport;
	o->ts = m->ts;
	snprintf(o->qname, sizeof o->qname, "%s", m->qname ? m->qname : "(none)");
	fs_addr_str(&m->src, o->src, sizeof o->src);
	fs_addr_str(&m->dst, o->dst, sizeof o->dst);
	int k = 0;
	for (int sec = DNS_SEC_ANSWER; sec <= DNS_SEC_AUTHORITY; sec++)
		for (uint32_t i = 0; i < m->n_rr && k < 24; i++) {
			const struct dns_rr *r = &m->rr[i];
			char a4[FS_ADDR_STRLEN] = "";
			if (r->section != sec)
				continue;
			if (r->type == DNS_TYPE_A || r->type == DNS_TYPE_AAAA)
				fs_addr_str(&r->addr, a4, sizeof a4);
			snprintf(o->rr[k++], 300, "%s %u %u %s", r->name, r->type, r->ttl, r->target ? r->target : a4);
			if (sec == DNS_SEC_ANSWER)
				o->n_an++;
			else
				o->n_au++;
		}
}

static void
emit_dec(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	static struct decoder *d;
	if (d == NULL)
		d = dec_new(NULL);
	dec_packet(d, DEC_LINKTYPE_FEED, ts, frame, (uint32_t)len, (uint32_t)len, 0, on_msg, ctx);
}

/* Every line of a data file through the EVE (zeek = false) or Zeek reader. */
static void
read_log(const char *path, bool zeek, struct all *a, struct feed_counts *c)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char line[FEED_LINE_MAX + 2];
	struct eve_reader *e = zeek ? NULL : eve_new();
	struct zeek_reader *z = zeek ? zeek_new() : NULL;
	memset(a, 0, sizeof *a);
	memset(c, 0, sizeof *c);
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (zeek)
			zeek_line(z, line, n, c, emit_dec, a);
		else
			eve_line(e, line, n, c, emit_dec, a);
	}
	if (!zeek)
		eve_flush(e, c, emit_dec, a);
	fclose(f);
	eve_free(e);
	zeek_free(z);
}

static const struct one *
find(const struct all *a, bool qr, uint16_t id)
{
	const struct one *f = NULL;
	for (int i = 0; i < a->n; i++)
		if (a->m[i].qr == qr && a->m[i].id == id) {
			assert_null(f);   /* one message per transaction and direction */
			f = &a->m[i];
		}
	assert_non_null(f);
	return f;
}

static void
test_eve_v1_interleaved(void **state)
{
	(void)state;
	static struct all a;
	struct feed_counts c;
	read_log(D "surevego-eve-v1-interleaved.json", false, &a, &c);
	assert_int_equal(c.records, 20);
	assert_int_equal(c.bad, 0);
	/* 6 query events, 4 responses (22800, 36251, 20882, 13786) from 14 answer events */
	assert_int_equal(c.messages, 10);
	assert_int_equal(a.n, 10);
	int nq = 0;
	for (int i = 0; i < a.n; i++) {
		nq += !a.m[i].qr;
		assert_string_not_equal(a.m[i].qname, "fastly.net");   /* no question made of an NS owner */
		assert_string_equal(a.m[i].qr ? a.m[i].src : a.m[i].dst, "172.21.3.254");
		assert_int_equal(a.m[i].qr ? a.m[i].sport : a.m[i].dport, 53);
	}
	assert_int_equal(nq, 6);
	/* its A record, then three NS records logged between another response's records: one
	 * message, the NS records in the authority section */
	const struct one *r = find(&a, true, 22800);
	assert_string_equal(r->qname, "prod.debian.map.fastly.net");
	assert_int_equal(r->n_an, 1);
	assert_string_equal(r->rr[0], "prod.debian.map.fastly.net 1 30 151.101.12.204");
	assert_int_equal(r->n_au, 4);
	assert_string_equal(r->rr[1], "fastly.net 2 5412 ns1.fastly.net");
	assert_string_equal(r->rr[4], "fastly.net 2 5412 ns4.fastly.net");
	assert_int_equal(r->ts, (fs_time)1485789147027213);
	/* AAAA written in full ("2a04:4e42:0003:0000:…") */
	r = find(&a, true, 20882);
	assert_int_equal(r->n_an, 1);
	assert_string_equal(r->rr[0], "prod.debian.map.fastly.net 28 30 2a04:4e42:3::204");
	/* SRV answers logged with neither owner nor data: the response, its question from the query */
	r = find(&a, true, 36251);
	assert_string_equal(r->qname, "_http._tcp.deb.debian.org");
	assert_int_equal(r->n_an + r->n_au, 0);
	/* NXDOMAIN: one event without a record, one SOA without data */
	r = find(&a, true, 13786);
	assert_int_equal(r->rcode, 3);
	assert_string_equal(r->qname, "_http._tcp.security.debian.org");
}

static void
test_eve_direction(void **state)
{
	(void)state;
	static struct all a;
	struct feed_counts c;
	/* Suricata v1 over TCP: the 12 answer events name the client as their source */
	read_log(D "suricata-verify-eve-v1-tcp.json", false, &a, &c);
	assert_int_equal(a.n, 2);
	const struct one *q = find(&a, false, 24440), *r = find(&a, true, 24440);
	assert_string_equal(q->src, "10.16.1.11");
	assert_string_equal(q->dst, "8.8.4.4");
	assert_string_equal(r->src, "8.8.4.4");
	assert_int_equal(r->sport, 53);
	assert_string_equal(r->dst, "10.16.1.11");
	assert_int_equal(r->dport, 38195);
	assert_int_equal(r->transport, 6);
	assert_int_equal(r->n_an, 12);
	assert_int_equal(c.skipped, 1);   /* the flow event */
	/* Suricata 6.0.10, v2 over UDP: the same; a stats line cut at 4096 bytes is bad, a whole
	 * one is another event type */
	read_log(D "suricata6-eve-v2.json", false, &a, &c);
	assert_int_equal(c.records, 9);
	assert_int_equal(c.bad, 1);
	assert_int_equal(c.skipped, 6);   /* a stats event, 5 flow events */
	assert_int_equal(a.n, 2);
	r = find(&a, true, 62903);
	assert_string_equal(r->src, "192.168.1.2");
	assert_int_equal(r->sport, 53);
	assert_string_equal(r->dst, "192.168.1.146");
	assert_string_equal(r->rr[0], "apache.org 1 842 151.101.2.132");
	q = find(&a, false, 62903);
	assert_string_equal(q->dst, "192.168.1.2");
}

/* Suricata's stats events (per-thread counters) hold thousands of members. */
static void
test_eve_large_event(void **state)
{
	(void)state;
	static char line[FEED_LINE_MAX + 1];
	int o = snprintf(line, sizeof line, "{\"timestamp\":\"2019-05-02T15:56:53.843674+0200\","
	                 "\"event_type\":\"stats\",\"stats\":{\"uptime\":3");
	for (int i = 0; i < 5000; i++)
		o += snprintf(line + o, sizeof line - (size_t)o, ",\"k%d\":%d", i, i);
	o += snprintf(line + o, sizeof line - (size_t)o, "}}");
	assert_true(o < FEED_LINE_MAX);
	/* the densest line within the bound: an array of one-digit numbers */
	static char dense[FEED_LINE_MAX + 1];
	int d = snprintf(dense, sizeof dense, "{\"event_type\":\"stats\",\"a\":[0");
	while (d < FEED_LINE_MAX - 4)
		d += snprintf(dense + d, sizeof dense - (size_t)d, ",1");
	d += snprintf(dense + d, sizeof dense - (size_t)d, "]}");
	assert_true(d <= FEED_LINE_MAX);

	struct eve_reader *e = eve_new();
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 }, zc = { 0 };
	struct all a = { 0 };
	eve_line(e, line, (size_t)o, &c, emit_dec, &a);
	eve_line(e, dense, (size_t)d, &c, emit_dec, &a);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.skipped, 2);
	zeek_line(z, dense, (size_t)d, &zc, emit_dec, &a);
	assert_int_equal(zc.bad, 0);      /* a Zeek JSON line of that size parses too (no query: skipped) */
	assert_int_equal(zc.skipped, 1);
	eve_free(e);
	zeek_free(z);
}

static void
test_zeek_root_query(void **state)
{
	(void)state;
	static struct all a;
	struct feed_counts c;
	read_log(D "zed-wrccdc-zeek.json", true, &a, &c);
	assert_int_equal(c.records, 6);
	assert_int_equal(c.bad, 0);
	/* rows 2 and 3: NS queries for the root to a root server, no response logged */
	int root = 0;
	for (int i = 0; i < a.n; i++)
		if (a.m[i].id == 11277) {
			root++;
			assert_false(a.m[i].qr);
			assert_string_equal(a.m[i].qname, ".");
			assert_string_equal(a.m[i].dst, "192.112.36.4");
		}
	assert_int_equal(root, 2);
	/* the first row: a CNAME chain, TTLs in order, the response rtt after the query */
	const struct one *q = &a.m[0], *r = &a.m[1];
	assert_string_equal(q->qname, "ise.wrccdc.org");
	assert_true(r->qr);
	assert_int_equal(r->n_an, 2);
	assert_string_equal(r->rr[0], "ise.wrccdc.org 5 2230 ise.wrccdc.cpp.edu");
	assert_string_equal(r->rr[1], "ise.wrccdc.cpp.edu 1 41830 134.71.3.16");
	assert_int_equal(q->ts, (fs_time)1521911720865716);
	assert_int_equal(r->ts - q->ts, 870);

	/* TSV writes the empty name as the (empty) mark */
	struct zeek_reader *z = zeek_new();
	struct feed_counts zc = { 0 };
	memset(&a, 0, sizeof a);
	const char *tsv[] = {
		"#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
		"#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqtype\trcode\tanswers\tTTLs",
		"1521911894.801298\t10.47.3.142\t1046\t192.112.36.4\t53\tudp\t11277\t(empty)\t2\t-\t-\t-",
		"1521911894.9\t10.47.3.142\t1047\t192.112.36.4\t53\tudp\t11278\t-\t2\t-\t-\t-",
	};
	char buf[512];
	for (size_t i = 0; i < sizeof tsv / sizeof tsv[0]; i++) {
		snprintf(buf, sizeof buf, "%s", tsv[i]);
		zeek_line(z, buf, strlen(buf), &zc, emit_dec, &a);
	}
	assert_int_equal(a.n, 1);          /* the unset name (-) is a record without a question */
	assert_string_equal(a.m[0].qname, ".");
	assert_int_equal(zc.skipped, 1);
	zeek_free(z);
}

/* A dnstap file read through the file reader and the decoder. */
static int
dnstap_file(const char *path, struct all *a, int *n_resp, int *n_tcp)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct cap_source *s;
	struct fs_err err = { 0 };
	struct cap_frame fr;
	enum cap_next r;
	int frames = 0;
	assert_int_equal(feed_open_mem(path, buf, n, &s, &err), FS_OK);
	memset(a, 0, sizeof *a);
	*n_resp = *n_tcp = 0;
	while ((r = cap_source_next(s, &fr, &err)) == CAP_FRAME) {
		if (a->n == MAXM)
			a->n = 0;   /* message k (from 1) is kept at (k - 1) % MAXM */
		int before = a->n;
		emit_dec(a, fr.ts, fr.data, fr.caplen);
		assert_int_equal(a->n, before + 1);   /* every frame one message */
		*n_resp += a->m[before].qr;
		*n_tcp += a->m[before].transport == 6;
		frames++;
	}
	assert_int_equal(r, CAP_EOF);
	cap_source_close(s);
	return frames;
}

static void
test_dnstap_real(void **state)
{
	(void)state;
	static struct all a;
	int resp, tcp;
	/* BIND 9's test file: 96 messages of the twelve message types, UDP and TCP */
	assert_int_equal(dnstap_file(D "bind9-dnstap.saved", &a, &resp, &tcp), 96);
	assert_int_equal(resp, 48);
	assert_int_equal(tcp, 48);
	const struct one *m = &a.m[(96 - 1) % MAXM];
	assert_string_equal(m->qname, "www.isc.org");
	/* a response message with the query address as its destination, its own time */
	m = &a.m[(9 - 1) % MAXM];
	assert_true(m->qr);
	assert_string_equal(m->src, "10.53.0.2");
	assert_string_equal(m->dst, "10.53.0.1");
	assert_int_equal(m->sport, 2112);
	assert_int_equal(m->ts, (fs_time)1486172836000000);
	assert_string_equal(m->rr[0], "www.isc.org 1 60 149.20.64.69");
	assert_int_equal(m->n_au, 4);
	/* BIND's large answer test: one response */
	assert_int_equal(dnstap_file(D "bind9-large-answer.fstrm", &a, &resp, &tcp), 1);
	assert_int_equal(resp, 1);
	/* dnsdist (go-dnscollector's test file): a query and its response, nanoseconds kept to µs */
	assert_int_equal(dnstap_file(D "godnscollector-dnsdist.fstrm", &a, &resp, &tcp), 2);
	assert_string_equal(a.m[0].src, "172.19.0.1");
	assert_int_equal(a.m[0].dport, 53);
	assert_string_equal(a.m[1].src, "172.19.0.2");
	assert_string_equal(a.m[1].rr[0], "www.google.com 1 273 216.58.213.68");
	assert_int_equal(a.m[1].ts - a.m[0].ts, 11744);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eve_v1_interleaved),
		cmocka_unit_test(test_eve_direction),
		cmocka_unit_test(test_eve_large_event),
		cmocka_unit_test(test_zeek_root_query),
		cmocka_unit_test(test_dnstap_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
