/* Unit tests for the DNS wire parser (src/decode/dns.c): header, sections, names and escapes,
 * compression (backward, forward, loops), caps, truncation, garbage, OPT, mnemonics, RDATA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode_int.h"
#include "unit/decode/dnsbuild.h"

struct fx {
	struct dns_scratch sc;
	struct dns_msg m;
	struct mb b;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	dns_scratch_init(&f->sc);
	mb_init(&f->b);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	dns_scratch_fini(&f->sc);
	mb_free(&f->b);
	free(f);
	return 0;
}

static bool
parse(struct fx *f)
{
	memset(&f->m, 0, sizeof f->m);
	return dns_parse(&f->sc, f->b.b, (uint32_t)f->b.len, &f->m);
}

/* Parse a message whose single question has the given name bytes; returns the qname or NULL. */
static const char *
qname_of(struct fx *f)
{
	assert_true(parse(f));
	return f->m.malformed ? NULL : f->m.qname;
}

static void
test_header(void **state)
{
	struct fx *f = *state;

	/* QR, opcode 5 (UPDATE), AA, TC, RD, RA, AD, CD, rcode 3 */
	mb_hdr(&f->b, 0xbeef, 0x8000 | 5 << 11 | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0010 | 3,
	       0, 0, 0, 0);
	assert_true(parse(f));
	assert_int_equal(f->m.id, 0xbeef);
	assert_true(f->m.qr && f->m.aa && f->m.tc && f->m.rd && f->m.ra && f->m.ad && f->m.cd);
	assert_int_equal(f->m.opcode, 5);
	assert_int_equal(f->m.rcode, 3);
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 0);
	assert_null(f->m.qname);
	assert_ptr_equal(f->m.wire, f->b.b);
	assert_int_equal(f->m.wire_len, 12);

	/* flags all clear */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 0, 0, 0, 0);
	assert_true(parse(f));
	assert_false(f->m.qr || f->m.aa || f->m.tc || f->m.rd || f->m.ra || f->m.ad || f->m.cd);
}

static void
test_short_header(void **state)
{
	struct fx *f = *state;

	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	for (size_t n = 0; n < 12; n++) {
		memset(&f->m, 0, sizeof f->m);
		assert_false(dns_parse(&f->sc, f->b.b, (uint32_t)n, &f->m));
		assert_int_equal(f->m.n_rr, 0);
	}
}

static void
test_every_section(void **state)
{
	struct fx *f = *state;
	size_t at;

	mb_hdr(&f->b, 7, 0x8180, 1, 2, 1, 2);
	mb_question(&f->b, "WWW.Example.COM", 1, 1);
	/* answer 1: CNAME with owner compressed to the question */
	mb_ptr(&f->b, 12);
	at = mb_rr_head(&f->b, 5, 1, 300);
	mb_label(&f->b, "edge", 4);
	mb_ptr(&f->b, 16);   /* "example.com" inside the question */
	mb_rr_end(&f->b, at);
	/* answer 2: A for edge.example.com via the CNAME's RDATA */
	size_t edge = 12 + 17 + 4 + 12;
	mb_ptr(&f->b, (uint16_t)edge);
	at = mb_rr_head(&f->b, 1, 1, 60);
	mb_bytes(&f->b, "\xc0\x00\x02\x01", 4);
	mb_rr_end(&f->b, at);
	/* authority: NS */
	mb_ptr(&f->b, 16);
	at = mb_rr_head(&f->b, 2, 1, 86400);
	mb_name(&f->b, "ns1.example.com");
	mb_rr_end(&f->b, at);
	/* additional: AAAA glue, then OPT */
	mb_name(&f->b, "ns1.example.com");
	at = mb_rr_head(&f->b, 28, 1, 3600);
	mb_bytes(&f->b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	mb_rr_end(&f->b, at);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 1232, 0x00008000);
	mb_rr_end(&f->b, at);

	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.qdcount, 1);
	assert_int_equal(f->m.ancount, 2);
	assert_int_equal(f->m.nscount, 1);
	assert_int_equal(f->m.arcount, 2);
	assert_int_equal(f->m.n_rr, 6);
	assert_string_equal(f->m.qname, "www.example.com");
	assert_int_equal(f->m.qtype, 1);
	assert_int_equal(f->m.qclass, 1);

	const struct dns_rr *r = f->m.rr;
	assert_int_equal(r[0].section, DNS_SEC_QUESTION);
	assert_string_equal(r[0].name, "www.example.com");
	assert_int_equal(r[1].section, DNS_SEC_ANSWER);
	assert_string_equal(r[1].name, "www.example.com");
	assert_int_equal(r[1].type, DNS_TYPE_CNAME);
	assert_int_equal(r[1].ttl, 300);
	assert_string_equal(r[1].target, "edge.example.com");
	assert_int_equal(r[2].section, DNS_SEC_ANSWER);
	assert_string_equal(r[2].name, "edge.example.com");
	assert_int_equal(r[2].addr.family, 4);
	assert_memory_equal(r[2].addr.bytes, "\xc0\x00\x02\x01", 4);
	assert_int_equal(r[2].ttl, 60);
	assert_int_equal(r[3].section, DNS_SEC_AUTHORITY);
	assert_string_equal(r[3].name, "example.com");
	assert_string_equal(r[3].target, "ns1.example.com");
	assert_int_equal(r[3].ttl, 86400);
	assert_int_equal(r[4].section, DNS_SEC_ADDITIONAL);
	assert_int_equal(r[4].addr.family, 6);
	assert_int_equal(r[4].addr.bytes[15], 1);
	assert_int_equal(r[5].section, DNS_SEC_ADDITIONAL);
	assert_int_equal(r[5].type, DNS_TYPE_OPT);
	assert_string_equal(r[5].name, ".");
	assert_int_equal(r[5].rclass, 1232);
	assert_true(f->m.has_opt);
	assert_int_equal(f->m.rcode, 0);

	char buf[128];
	assert_string_equal(dns_rdata_str(&f->m, &r[2], buf, sizeof buf), "192.0.2.1");
	assert_string_equal(dns_rdata_str(&f->m, &r[4], buf, sizeof buf), "2001:db8::1");
	assert_string_equal(dns_rdata_str(&f->m, &r[1], buf, sizeof buf), "edge.example.com");
	assert_string_equal(dns_rdata_str(&f->m, &r[3], buf, sizeof buf), "ns1.example.com");
	assert_string_equal(dns_rdata_str(&f->m, &r[0], buf, sizeof buf), "");
	/* an RDATA offset that lands on the bytes: 4 octets of the A record */
	assert_int_equal(r[2].rdlength, 4);
	assert_memory_equal(f->b.b + r[2].rdata_off, "\xc0\x00\x02\x01", 4);
}

static void
test_name_escapes(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *bytes;
		uint8_t n;
		const char *want;
	} cases[] = {
		{ "a.b", 3, "a\\.b" },
		{ "a\\b", 3, "a\\\\b" },
		{ "a;b", 3, "a\\;b" },
		{ "(x)", 3, "\\(x\\)" },
		{ "a b", 3, "a\\032b" },
		{ "\"q\"", 3, "\"q\"" },         /* ldns leaves quotes literal */
		{ "$@'", 3, "$@'" },
		{ "\x00\x7f\xff", 3, "\\000\\127\\255" },
		{ "\t\n", 2, "\\009\\010" },
		{ "MiXeD-9", 7, "mixed-9" },
		{ "\xc3\xa9", 2, "\\195\\169" }, /* UTF-8 on the wire: escaped, not folded */
		{ "xn--bcher-kva", 13, "xn--bcher-kva" },
		{ "_srv", 4, "_srv" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f->b.len = 0;
		mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
		mb_label(&f->b, cases[i].bytes, cases[i].n);
		mb_name(&f->b, "Example.ORG");
		mb_u16(&f->b, 1);
		mb_u16(&f->b, 1);
		char want[64];
		snprintf(want, sizeof want, "%s.example.org", cases[i].want);
		const char *got = qname_of(f);
		assert_non_null(got);
		assert_string_equal(got, want);
	}

	/* the root */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_question(&f->b, "", 2, 1);
	assert_string_equal(qname_of(f), ".");
}

static void
test_name_caps(void **state)
{
	struct fx *f = *state;
	uint8_t lab[63];

	memset(lab, 'a', sizeof lab);
	/* 63-octet label: fine */
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_label(&f->b, lab, 63);
	mb_u8(&f->b, 0);
	mb_u32(&f->b, 0x00010001);
	assert_non_null(qname_of(f));
	assert_int_equal(strlen(f->m.qname), 63);

	/* label length octets 0x40..0xbf: label types 01 and 10 are reserved / obsolete */
	static const uint8_t bad[] = { 0x40, 0x41, 0x7f, 0x80, 0xbf };
	for (size_t i = 0; i < sizeof bad; i++) {
		f->b.len = 0;
		mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
		mb_u8(&f->b, bad[i]);
		for (int k = 0; k < 200; k++)
			mb_u8(&f->b, 'a');
		mb_u8(&f->b, 0);
		mb_u32(&f->b, 0x00010001);
		assert_null(qname_of(f));
		assert_true(f->m.malformed);
	}

	/* exactly 255 octets */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 61);   /* 64*3 + 62 + 1 = 255 */
	mb_u8(&f->b, 0);
	mb_u32(&f->b, 0x00010001);
	assert_non_null(qname_of(f));
	assert_int_equal(strlen(f->m.qname), 63 * 3 + 61 + 3);

	/* 256 octets: rejected */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 62);
	mb_u8(&f->b, 0);
	mb_u32(&f->b, 0x00010001);
	assert_null(qname_of(f));
	assert_true(f->m.malformed);

	/* 127 one-octet labels (255 octets): fine; 128: rejected */
	for (int nl = 127; nl <= 128; nl++) {
		f->b.len = 0;
		mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
		for (int k = 0; k < nl; k++)
			mb_label(&f->b, "X", 1);
		mb_u8(&f->b, 0);
		mb_u32(&f->b, 0x00010001);
		const char *q = qname_of(f);
		if (nl == 127) {
			assert_non_null(q);
			assert_int_equal(strlen(q), 127 * 2 - 1);
			assert_int_equal(q[0], 'x');
		} else {
			assert_null(q);
		}
	}

	/* the cap counts octets reached through pointers too */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 2, 0, 0, 0);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_u8(&f->b, 0);            /* 193 octets at offset 12 */
	mb_u32(&f->b, 0x00010001);
	mb_label(&f->b, lab, 61);   /* 62 + 193 = 255: fine */
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 2);
	/* one octet more: 256 */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 2, 0, 0, 0);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_label(&f->b, lab, 63);
	mb_u8(&f->b, 0);
	mb_u32(&f->b, 0x00010001);
	mb_label(&f->b, lab, 62);
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 1);   /* the first question is kept */
}

static void
test_compression_pointers(void **state)
{
	struct fx *f = *state;

	/* forward pointer, as in suricata-dns-forward-pointer.pcap: question 1 points at 2 */
	mb_hdr(&f->b, 1, 0x0100, 2, 0, 0, 0);
	mb_ptr(&f->b, 18);
	mb_u32(&f->b, 0x00010001);
	mb_question(&f->b, "CodeMonkey.net", 1, 1);
	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 2);
	assert_string_equal(f->m.rr[0].name, "codemonkey.net");
	assert_string_equal(f->m.rr[1].name, "codemonkey.net");
	assert_string_equal(f->m.qname, "codemonkey.net");

	/* pointer to itself */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 0);
	assert_null(f->m.qname);

	/* two pointers pointing at each other */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_ptr(&f->b, 14);
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	assert_true(parse(f));
	assert_true(f->m.malformed);

	/* a loop that adds a label each turn stops at the length cap */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_label(&f->b, "ab", 2);
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	assert_true(parse(f));
	assert_true(f->m.malformed);

	/* pointers into the header, past the end, and cut in half */
	static const uint16_t bad[] = { 0, 5, 11, 0x3fff };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f->b.len = 0;
		mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
		mb_ptr(&f->b, bad[i]);
		mb_u32(&f->b, 0x00010001);
		assert_true(parse(f));
		assert_true(f->m.malformed);
	}
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	mb_u8(&f->b, 0xc0);
	assert_true(parse(f));
	assert_true(f->m.malformed);

	/* a chain of pointer-to-pointer hops: DNS_MAX_PTR_HOPS (127) is fine, 128 is not */
	for (int hops = 127; hops <= 128; hops++) {
		f->b.len = 0;
		mb_hdr(&f->b, 1, 0, 2, 0, 0, 0);
		mb_question(&f->b, "end.test", 1, 1);   /* offset 12 */
		/* second question: a pointer to a chain of hops-1 pointers that ends at 12 */
		size_t q2 = f->b.len;
		mb_ptr(&f->b, (uint16_t)(q2 + 6));
		mb_u32(&f->b, 0x00010001);
		for (int k = 0; k < hops - 1; k++) {
			size_t here = f->b.len;
			mb_ptr(&f->b, (uint16_t)(k == hops - 2 ? 12 : here + 2));
		}
		assert_true(parse(f));
		if (hops == 127) {
			assert_false(f->m.malformed);
			assert_int_equal(f->m.n_rr, 2);
			assert_string_equal(f->m.rr[1].name, "end.test");
		} else {
			assert_true(f->m.malformed);
			assert_int_equal(f->m.n_rr, 1);
		}
	}

	/* a name ending in a pointer to a pointer (legal if odd) */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 2, 0, 0, 0);
	mb_question(&f->b, "example.com", 1, 1); /* name 12..24, type and class to 28 */
	mb_label(&f->b, "www", 3);
	mb_ptr(&f->b, 39);
	mb_u32(&f->b, 0x00010001);
	assert_int_equal(f->b.len, 39);
	mb_ptr(&f->b, 12);
	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_string_equal(f->m.rr[1].name, "www.example.com");
}

/* Names read earlier in a message are reused through pointers to any of their labels; the
 * reuse never leaks into the next message. */
static void
test_name_reuse(void **state)
{
	struct fx *f = *state;
	size_t at;

	mb_hdr(&f->b, 1, 0x8180, 1, 4, 0, 0);
	mb_question(&f->b, "A.B.Example.COM", 1, 1);       /* labels at 12, 14, 16, 24 */
	mb_ptr(&f->b, 12);                                 /* whole name */
	at = mb_rr_head(&f->b, 5, 1, 1);
	mb_label(&f->b, "X", 1);
	mb_ptr(&f->b, 16);                                 /* x.example.com */
	mb_rr_end(&f->b, at);
	mb_ptr(&f->b, 14);                                 /* b.example.com */
	at = mb_rr_head(&f->b, 1, 1, 2);
	mb_bytes(&f->b, "\1\2\3\4", 4);
	mb_rr_end(&f->b, at);
	mb_ptr(&f->b, 24);                                 /* com */
	at = mb_rr_head(&f->b, 2, 1, 3);
	mb_label(&f->b, "ns", 2);
	mb_ptr(&f->b, 24);
	mb_rr_end(&f->b, at);
	mb_label(&f->b, "Y", 1);                           /* y.x.example.com: a pointer into */
	mb_ptr(&f->b, 45);                                 /* the CNAME target read above */
	at = mb_rr_head(&f->b, 1, 1, 4);
	mb_bytes(&f->b, "\5\6\7\10", 4);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 5);
	assert_string_equal(f->m.rr[0].name, "a.b.example.com");
	assert_string_equal(f->m.rr[1].name, "a.b.example.com");
	assert_ptr_equal(f->m.rr[1].name, f->m.rr[0].name);  /* shared, not copied */
	assert_string_equal(f->m.rr[1].target, "x.example.com");
	assert_string_equal(f->m.rr[2].name, "b.example.com");
	assert_string_equal(f->m.rr[3].name, "com");
	assert_string_equal(f->m.rr[3].target, "ns.com");
	assert_string_equal(f->m.rr[4].name, "y.x.example.com");

	/* the next message has other bytes at offset 12: nothing of the first may show */
	f->b.len = 0;
	mb_hdr(&f->b, 2, 0x8180, 1, 1, 0, 0);
	mb_question(&f->b, "other.test", 1, 1);
	mb_ptr(&f->b, 12);
	at = mb_rr_head(&f->b, 1, 1, 5);
	mb_bytes(&f->b, "\1\1\1\1", 4);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_int_equal(f->m.n_rr, 2);
	assert_string_equal(f->m.rr[1].name, "other.test");
	f->b.len = 0;
	mb_hdr(&f->b, 3, 0x8180, 1, 1, 0, 0);
	mb_question(&f->b, "xy", 1, 1);
	mb_ptr(&f->b, 15);                 /* the root octet ending "xy" */
	at = mb_rr_head(&f->b, 1, 1, 5);
	mb_bytes(&f->b, "\1\1\1\1", 4);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_int_equal(f->m.n_rr, 2);
	assert_string_equal(f->m.rr[1].name, ".");
}

/* Entries whose owner name is invalid but framed are left out and parsing goes on, as
 * Wireshark does (ndpi-malformed-dns.pcap); a name that loses the framing stops it. */
static void
test_bad_names_framed(void **state)
{
	struct fx *f = *state;
	uint8_t lab[63];
	size_t at;

	memset(lab, 'q', sizeof lab);
	/* question 1 fine, question 2 over 255 octets in place, then an A answer and a CNAME
	 * whose target is over-long */
	mb_hdr(&f->b, 1, 0x8180, 2, 3, 0, 0);
	mb_question(&f->b, "www.xt.com", 1, 1);
	for (int k = 0; k < 5; k++)
		mb_label(&f->b, lab, 63);
	mb_u8(&f->b, 0);
	mb_u32(&f->b, 0x00010001);
	mb_ptr(&f->b, 12);
	at = mb_rr_head(&f->b, 1, 1, 0);
	mb_bytes(&f->b, "BBBB", 4);
	mb_rr_end(&f->b, at);
	mb_ptr(&f->b, 12);
	at = mb_rr_head(&f->b, 5, 1, 0);
	for (int k = 0; k < 5; k++)
		mb_label(&f->b, lab, 63);
	mb_u8(&f->b, 0);
	mb_rr_end(&f->b, at);
	/* an answer whose owner is a pointer loop: left out */
	mb_ptr(&f->b, (uint16_t)f->b.len);
	at = mb_rr_head(&f->b, 1, 1, 0);
	mb_bytes(&f->b, "CCCC", 4);
	mb_rr_end(&f->b, at);

	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 3);
	assert_string_equal(f->m.qname, "www.xt.com");
	assert_int_equal(f->m.rr[0].section, DNS_SEC_QUESTION);
	assert_int_equal(f->m.rr[1].section, DNS_SEC_ANSWER);
	assert_string_equal(f->m.rr[1].name, "www.xt.com");
	assert_memory_equal(f->m.rr[1].addr.bytes, "BBBB", 4);
	assert_int_equal(f->m.rr[2].type, DNS_TYPE_CNAME);
	assert_null(f->m.rr[2].target);
	char buf[1024];
	assert_true(strncmp(dns_rdata_str(&f->m, &f->m.rr[2], buf, sizeof buf), "\\# 321 3f71", 11) == 0);

	/* the first question invalid, the second fine: qname stays NULL */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 2, 0, 0, 0);
	mb_ptr(&f->b, 12);
	mb_u32(&f->b, 0x00010001);
	mb_question(&f->b, "second.test", 1, 1);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 1);
	assert_null(f->m.qname);
	assert_string_equal(f->m.rr[0].name, "second.test");

	/* a reserved label type in place loses the framing: parsing stops there */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0x8180, 1, 2, 0, 0);
	mb_question(&f->b, "ok.test", 1, 1);
	mb_u8(&f->b, 0x41);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 1, 1, 0);
	mb_bytes(&f->b, "DDDD", 4);
	mb_rr_end(&f->b, at);
	mb_rr_a(&f->b, "later.test", 1, 1, 2, 3, 4);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 1);

	/* an over-long name in place that runs off the end: no framing either */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0, 1, 0, 0, 0);
	for (int k = 0; k < 5; k++)
		mb_label(&f->b, lab, 63);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 0);
}

static void
test_truncated(void **state)
{
	struct fx *f = *state;
	struct mb full;

	mb_init(&full);
	mb_hdr(&full, 9, 0x8180, 1, 5, 0, 0);
	mb_question(&full, "t.example", 1, 1);
	for (int i = 0; i < 5; i++) {
		mb_ptr(&full, 12);
		size_t at = mb_rr_head(&full, 1, 1, 100 + (uint32_t)i);
		mb_bytes(&full, "\x0a\x00\x00", 3);
		mb_u8(&full, (uint8_t)i);
		mb_rr_end(&full, at);
	}
	/* every cut keeps exactly the entries that fit before it */
	size_t qend = 12 + 11 + 4, rrlen = 16;
	for (size_t cut = 12; cut <= full.len; cut++) {
		memset(&f->m, 0, sizeof f->m);
		assert_true(dns_parse(&f->sc, full.b, (uint32_t)cut, &f->m));
		uint32_t want = cut < qend ? 0 : 1 + (uint32_t)((cut - qend) / rrlen);
		assert_int_equal(f->m.n_rr, want);
		assert_int_equal(f->m.malformed, cut != full.len);
		for (uint32_t i = 1; i < f->m.n_rr; i++) {
			assert_int_equal(f->m.rr[i].ttl, 100 + i - 1);
			assert_int_equal(f->m.rr[i].addr.bytes[3], i - 1);
			assert_string_equal(f->m.rr[i].name, "t.example");
		}
		if (want > 0)
			assert_string_equal(f->m.qname, "t.example");
	}
	mb_free(&full);

	/* a count that promises more than the message holds: the records there are kept */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0x8180, 1, 65535, 65535, 65535);
	mb_question(&f->b, "x", 1, 1);
	mb_rr_a(&f->b, "x", 5, 1, 2, 3, 4);
	assert_true(parse(f));
	assert_true(f->m.malformed);
	assert_int_equal(f->m.n_rr, 2);
	assert_int_equal(f->m.rr[1].addr.bytes[3], 4);
}

static void
test_rdata_content(void **state)
{
	struct fx *f = *state;
	char buf[512];
	size_t at;

	mb_hdr(&f->b, 1, 0x8180, 0, 9, 0, 0);
	/* 0: A with 5 octets: framed by RDLENGTH, no address */
	mb_name(&f->b, "a.test");
	at = mb_rr_head(&f->b, 1, 1, 1);
	mb_bytes(&f->b, "\x01\x02\x03\x04\x05", 5);
	mb_rr_end(&f->b, at);
	/* 1: CNAME whose name runs past RDLENGTH */
	mb_name(&f->b, "c.test");
	at = mb_rr_head(&f->b, 5, 1, 2);
	mb_bytes(&f->b, "\x03", 1);
	mb_rr_end(&f->b, at);
	/* 2: MX */
	mb_name(&f->b, "m.test");
	at = mb_rr_head(&f->b, 15, 1, 3);
	mb_u16(&f->b, 10);
	mb_name(&f->b, "Mail.Test");
	mb_rr_end(&f->b, at);
	/* 3: SRV */
	mb_name(&f->b, "_sip._tcp.test");
	at = mb_rr_head(&f->b, 33, 1, 4);
	mb_u16(&f->b, 1);
	mb_u16(&f->b, 2);
	mb_u16(&f->b, 5060);
	mb_name(&f->b, "sip.test");
	mb_rr_end(&f->b, at);
	/* 4: TXT with a quote and a backslash */
	mb_name(&f->b, "t.test");
	at = mb_rr_head(&f->b, 16, 1, 5);
	mb_label(&f->b, "say \"hi\\", 8);
	mb_label(&f->b, "two", 3);
	mb_rr_end(&f->b, at);
	/* 5: unknown type */
	mb_name(&f->b, "u.test");
	at = mb_rr_head(&f->b, 65280, 1, 6);
	mb_bytes(&f->b, "\x01\xab\xff", 3);
	mb_rr_end(&f->b, at);
	/* 6: empty RDATA */
	mb_name(&f->b, "e.test");
	at = mb_rr_head(&f->b, 1, 255, 0);
	mb_rr_end(&f->b, at);
	/* 7: SOA with compressed names */
	mb_ptr(&f->b, 12);            /* owner a.test, compressed */
	at = mb_rr_head(&f->b, 6, 1, 7);
	mb_name(&f->b, "NS.test");
	mb_name(&f->b, "hostmaster.test");
	mb_u32(&f->b, 2024010101);
	mb_u32(&f->b, 7200);
	mb_u32(&f->b, 3600);
	mb_u32(&f->b, 1209600);
	mb_u32(&f->b, 300);
	mb_rr_end(&f->b, at);
	/* 8: MX whose RDATA is only the preference (fewer fields than MX needs) */
	mb_name(&f->b, "m2.test");
	at = mb_rr_head(&f->b, 15, 1, 8);
	mb_u16(&f->b, 10);
	mb_rr_end(&f->b, at);

	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 9);
	const struct dns_rr *r = f->m.rr;
	assert_int_equal(r[0].addr.family, 0);
	assert_string_equal(dns_rdata_str(&f->m, &r[0], buf, sizeof buf), "\\# 5 0102030405");
	assert_null(r[1].target);
	assert_string_equal(dns_rdata_str(&f->m, &r[1], buf, sizeof buf), "\\# 1 03");
	assert_string_equal(r[2].target, "mail.test");
	assert_string_equal(dns_rdata_str(&f->m, &r[2], buf, sizeof buf), "10 mail.test");
	assert_string_equal(r[3].target, "sip.test");
	assert_string_equal(dns_rdata_str(&f->m, &r[3], buf, sizeof buf), "1 2 5060 sip.test");
	assert_null(r[4].target);
	assert_string_equal(dns_rdata_str(&f->m, &r[4], buf, sizeof buf), "\"say \\\"hi\\\\\" \"two\"");
	assert_string_equal(dns_rdata_str(&f->m, &r[5], buf, sizeof buf), "\\# 3 01abff");
	assert_string_equal(dns_rdata_str(&f->m, &r[6], buf, sizeof buf), "\\# 0");
	assert_string_equal(dns_rdata_str(&f->m, &r[7], buf, sizeof buf),
	                    "ns.test hostmaster.test 2024010101 7200 3600 1209600 300");
	assert_string_equal(dns_rdata_str(&f->m, &r[8], buf, sizeof buf), "\\# 2 000a");

	/* A records print like inet_ntop for every octet value */
	for (int v = 0; v < 256; v++) {
		struct dns_rr a = r[0];
		char want[FS_ADDR_STRLEN];
		a.addr.family = 4;
		a.addr.bytes[0] = (uint8_t)v;
		a.addr.bytes[1] = (uint8_t)(255 - v);
		a.addr.bytes[2] = (uint8_t)(v % 10);
		a.addr.bytes[3] = (uint8_t)(v * 7);
		fs_addr_str(&a.addr, want, sizeof want);
		assert_string_equal(dns_rdata_str(&f->m, &a, buf, sizeof buf), want);
	}

	/* truncation of the output buffer */
	assert_string_equal(dns_rdata_str(&f->m, &r[7], buf, 8), "ns.test");
	assert_string_equal(dns_rdata_str(&f->m, &r[5], buf, 6), "\\# 3 ");
	buf[0] = 'x';
	dns_rdata_str(&f->m, &r[7], buf, 0);
	assert_int_equal(buf[0], 'x');
}

static void
test_extended_rcode(void **state)
{
	struct fx *f = *state;
	char nb[16];
	size_t at;

	/* header rcode 7 + OPT upper bits 1 = 23, BADCOOKIE (RFC 7873) */
	mb_hdr(&f->b, 1, 0x8000 | 7, 0, 0, 0, 1);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 4096, 0x01000000);
	mb_u16(&f->b, 10);   /* COOKIE option */
	mb_u16(&f->b, 8);
	mb_bytes(&f->b, "\1\2\3\4\5\6\7\x08", 8);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_true(f->m.has_opt);
	assert_int_equal(f->m.rcode, 23);
	assert_string_equal(dns_rcode_name(f->m.rcode, nb), "BADCOOKIE");

	/* BADVERS: 16 = upper 1, lower 0 */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0x8000, 0, 0, 0, 1);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 4096, 0x01000000);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_int_equal(f->m.rcode, 16);
	assert_string_equal(dns_rcode_name(f->m.rcode, nb), "BADVERS");

	/* only the first OPT of the additional section counts; OPT elsewhere does not */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0x8000 | 2, 0, 1, 0, 2);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 4096, 0x0f000000);   /* in the answer section */
	mb_rr_end(&f->b, at);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 4096, 0x02000000);
	mb_rr_end(&f->b, at);
	mb_u8(&f->b, 0);
	at = mb_rr_head(&f->b, 41, 4096, 0x03000000);
	mb_rr_end(&f->b, at);
	assert_true(parse(f));
	assert_int_equal(f->m.rcode, 2 << 4 | 2);

	/* no OPT: 4 bits only */
	f->b.len = 0;
	mb_hdr(&f->b, 1, 0x8000 | 0xf, 0, 0, 0, 0);
	assert_true(parse(f));
	assert_false(f->m.has_opt);
	assert_int_equal(f->m.rcode, 15);
	assert_string_equal(dns_rcode_name(15, nb), "RCODE15");
}

static void
test_thousands(void **state)
{
	struct fx *f = *state;
	enum { N = 4000 };

	mb_hdr(&f->b, 1, 0x8180, 1, N, 0, 0);
	mb_question(&f->b, "big.example", 1, 1);
	for (int i = 0; i < N; i++) {
		mb_ptr(&f->b, 12);
		size_t at = mb_rr_head(&f->b, 1, 1, (uint32_t)i);
		mb_u32(&f->b, 0x0a000000u | (uint32_t)i);
		mb_rr_end(&f->b, at);
	}
	assert_true(parse(f));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, N + 1);
	for (int i = 0; i < N; i++) {
		const struct dns_rr *r = &f->m.rr[i + 1];
		assert_string_equal(r->name, "big.example");
		assert_int_equal(r->ttl, (uint32_t)i);
		assert_int_equal(r->addr.bytes[2], (i >> 8) & 0xff);
		assert_int_equal(r->addr.bytes[3], i & 0xff);
	}

	/* warm: a second parse of the same size allocates nothing (the scratch stays put) */
	struct dns_rr *rr = f->sc.rr;
	char *names = f->sc.names;
	uint32_t cap = f->sc.cap_rr;
	size_t ncap = f->sc.names_cap;
	for (int k = 0; k < 3; k++) {
		assert_true(parse(f));
		assert_int_equal(f->m.n_rr, N + 1);
	}
	assert_ptr_equal(f->sc.rr, rr);
	assert_ptr_equal(f->sc.names, names);
	assert_int_equal(f->sc.cap_rr, cap);
	assert_int_equal(f->sc.names_cap, ncap);
	/* geometric growth: capacity is a power-of-two multiple, not N+1 exactly */
	assert_true(cap >= N + 1 && cap < 2 * (N + 1));
}

/* xorshift: deterministic garbage */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
check_invariants(const struct dns_msg *m, uint32_t len)
{
	uint32_t total = (uint32_t)m->qdcount + m->ancount + m->nscount + m->arcount;
	char buf[4096];

	assert_true(m->n_rr <= total);
	if (!m->malformed)
		assert_int_equal(m->n_rr, total);
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *r = &m->rr[i];
		assert_non_null(r->name);
		assert_true(strlen(r->name) < 1024);
		if (i > 0)
			assert_true(r->section >= m->rr[i - 1].section);
		if (r->section != DNS_SEC_QUESTION)
			assert_true((size_t)r->rdata_off + r->rdlength <= len);
		dns_rdata_str(m, r, buf, sizeof buf);
		assert_true(strlen(buf) < sizeof buf);
	}
}

static void
test_garbage(void **state)
{
	struct fx *f = *state;
	uint32_t seed = 0x12345678;
	uint8_t buf[600];

	/* random bytes behind a plausible header, and mutations of a valid message */
	for (int round = 0; round < 20000; round++) {
		uint32_t len = 12 + rnd(&seed) % (sizeof buf - 12);
		for (uint32_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(&seed);
		/* small counts make the parser walk further into the garbage */
		for (int k = 4; k < 12; k += 2)
			buf[k] = 0, buf[k + 1] = (uint8_t)(rnd(&seed) % 8);
		/* bias towards pointers and short labels */
		for (uint32_t i = 12; i < len; i++) {
			uint32_t x = rnd(&seed) % 16;
			if (x == 0)
				buf[i] = (uint8_t)(0xc0 | (rnd(&seed) % 2));
			else if (x < 4)
				buf[i] = (uint8_t)(rnd(&seed) % 8);
		}
		memset(&f->m, 0, sizeof f->m);
		assert_true(dns_parse(&f->sc, buf, len, &f->m));
		check_invariants(&f->m, len);
	}

	struct mb good;
	mb_init(&good);
	mb_hdr(&good, 1, 0x8180, 1, 3, 1, 1);
	mb_question(&good, "www.example.com", 1, 1);
	mb_ptr(&good, 12);
	size_t at = mb_rr_head(&good, 5, 1, 10);
	mb_label(&good, "cdn", 3);
	mb_ptr(&good, 16);
	mb_rr_end(&good, at);
	mb_rr_a(&good, "cdn.example.com", 20, 1, 2, 3, 4);
	mb_name(&good, "example.com");
	at = mb_rr_head(&good, 15, 1, 30);
	mb_u16(&good, 5);
	mb_ptr(&good, 12);
	mb_rr_end(&good, at);
	mb_ptr(&good, 16);
	at = mb_rr_head(&good, 2, 1, 40);
	mb_name(&good, "ns.example.com");
	mb_rr_end(&good, at);
	mb_u8(&good, 0);
	at = mb_rr_head(&good, 41, 512, 0);
	mb_rr_end(&good, at);
	memset(&f->m, 0, sizeof f->m);
	assert_true(dns_parse(&f->sc, good.b, (uint32_t)good.len, &f->m));
	assert_false(f->m.malformed);
	assert_int_equal(f->m.n_rr, 6);
	for (int round = 0; round < 20000; round++) {
		memcpy(buf, good.b, good.len);
		int flips = 1 + (int)(rnd(&seed) % 4);
		for (int k = 0; k < flips; k++)
			buf[12 + rnd(&seed) % (good.len - 12)] = (uint8_t)rnd(&seed);
		uint32_t len = (uint32_t)good.len - (rnd(&seed) % 3 == 0 ? rnd(&seed) % 20 : 0);
		memset(&f->m, 0, sizeof f->m);
		assert_true(dns_parse(&f->sc, buf, len, &f->m));
		check_invariants(&f->m, len);
	}
	mb_free(&good);
}

static void
test_mnemonics(void **state)
{
	(void)state;
	char b[16];

	assert_string_equal(dns_type_name(1, b), "A");
	assert_string_equal(dns_type_name(28, b), "AAAA");
	assert_string_equal(dns_type_name(65, b), "HTTPS");
	assert_string_equal(dns_type_name(255, b), "ANY");
	assert_string_equal(dns_type_name(32769, b), "DLV");
	assert_string_equal(dns_type_name(54, b), "TYPE54");
	assert_string_equal(dns_type_name(65535, b), "TYPE65535");
	assert_int_equal(dns_type_from_name("aaaa"), 28);
	assert_int_equal(dns_type_from_name("NSAP-PTR"), 23);
	assert_int_equal(dns_type_from_name("*"), 255);
	assert_int_equal(dns_type_from_name("ANY"), 255);
	assert_int_equal(dns_type_from_name("type999"), 999);
	assert_int_equal(dns_type_from_name("TYPE65536"), -1);
	assert_int_equal(dns_type_from_name("TYPE"), -1);
	assert_int_equal(dns_type_from_name("TYPE1x"), -1);
	assert_int_equal(dns_type_from_name("bogus"), -1);
	assert_int_equal(dns_type_from_name(""), -1);
	/* every value round-trips through its name */
	for (int t = 0; t <= 65535; t++) {
		const char *s = dns_type_name((uint16_t)t, b);
		assert_int_equal(dns_type_from_name(s), t);
	}
	assert_string_equal(dns_rcode_name(0, b), "NOERROR");
	assert_string_equal(dns_rcode_name(3, b), "NXDOMAIN");
	assert_string_equal(dns_rcode_name(11, b), "DSOTYPENI");
	assert_string_equal(dns_rcode_name(12, b), "RCODE12");
	assert_string_equal(dns_rcode_name(4095, b), "RCODE4095");
	assert_string_equal(dns_opcode_name(0, b), "QUERY");
	assert_string_equal(dns_opcode_name(5, b), "UPDATE");
	assert_string_equal(dns_opcode_name(3, b), "OPCODE3");
	assert_string_equal(dns_opcode_name(15, b), "OPCODE15");
}

/* dns_rdata_from_text: presentation text back to wire form, and a CERT record of the reserved
 * certificate type 0 refused before ldns (which leaks on it: the asan build checks). */
static void
test_rdata_from_text(void **state)
{
	(void)state;
	uint8_t w[512];

	assert_int_equal(dns_rdata_from_text(DNS_TYPE_A, "192.0.2.7", w, sizeof w), 4);
	assert_memory_equal(w, "\xc0\x00\x02\x07", 4);
	assert_int_equal(dns_rdata_from_text(DNS_TYPE_A, "192.0.2", w, sizeof w), -1);
	assert_int_equal(dns_rdata_from_text(DNS_TYPE_A, "192.0.2.7", w, 3), -1);
	/* CERT: type, key tag, algorithm, base64 */
	assert_int_equal(dns_rdata_from_text(37, "1 2 3 AAAA", w, sizeof w), 8);
	assert_memory_equal(w, "\x00\x01\x00\x02\x03\x00\x00\x00", 8);
	assert_int_equal(dns_rdata_from_text(37, "PKIX 2 3 AAAA", w, sizeof w), 8);
	const char *zero[] = { "0 2 3 AAAA", "0\r65 3 AAAA", "65536 2 3 AAAA", "-0 2 3 AAAA", "( 0 2 3 AAAA )" };
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		assert_int_equal(dns_rdata_from_text(37, zero[i], w, sizeof w), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compression_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names_framed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rdata_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extended_rcode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thousands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test(test_mnemonics),
		cmocka_unit_test(test_rdata_from_text),
	};
	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
