/* The packet path over the real captures in tests/data/pcaps: message counts must equal the
 * counts tshark 4.0 reports for the same files (tests/data/pcaps/SOURCES.md, "DNS msgs" column:
 * unicast DNS on port 53), across every link type, VLAN/QinQ, VXLAN, IPv4/IPv6 fragments and
 * DNS over TCP. Where fluxscope and tshark count differently on purpose, the test says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fluxscope/ingest.h"

#define PCAPS "tests/data/pcaps/"

struct seen {
	size_t n, cap;
	char **lines;        /* one line per message: id, qr, qname, qtype, record count */
};

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	struct seen *s = ctx;
	char buf[600];

	snprintf(buf, sizeof buf, "%u %d %s %u %u %u", m->id, m->qr, m->qname ? m->qname : "-",
	         m->qtype, m->n_rr, m->transport);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
	}
	s->lines[s->n++] = strdup(buf);
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	memset(s, 0, sizeof *s);
}

/* Run one file through the ingest driver; returns the decoder counters. */
static struct dec_stats
run_file(const char *name, struct seen *seen)
{
	char path[512];
	struct fs_err err = { 0 };
	struct dec_stats st;

	snprintf(path, sizeof path, PCAPS "%s", name);
	struct ingest *in = ingest_new(NULL, seen ? on_msg : NULL, seen);
	if (ingest_add_file(in, path, &err) != FS_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	ingest_dec_stats(in, &st);
	ingest_free(in);
	return st;
}

struct expect {
	const char *file;
	unsigned msgs, queries, responses, tcp;
};

/* tshark's counts (SOURCES.md): messages (queries/responses), and TCP DNS messages. */
static const struct expect expected[] = {
	{ "arkime-dns-punycode.pcap", 2, 1, 1, 0 },
	{ "arkime-dns-wiresharkrepo.pcap", 38, 19, 19, 0 },
	{ "dnscap-dns.pcap", 82, 41, 41, 0 },
	{ "dnscap-dns6.pcap", 2, 1, 1, 0 },
	{ "dnscap-dnso1tcp.pcap", 82, 41, 41, 82 },
	{ "dnscap-edns.pcap", 14, 7, 7, 0 },
	{ "dnscap-sll2.pcap", 2, 1, 1, 0 },                   /* LINKTYPE_LINUX_SLL2 */
	{ "dnscap-vlan11.pcap", 82, 41, 41, 0 },              /* 802.1Q */
	{ "dnsjit-tcp-response-with-trailing-junk.pcap", 20, 10, 10, 2 },
	{ "dpkt-truncated-dns.pcap", 1, 0, 1, 0 },            /* snaplen cut: kept, partial */
	{ "godnscollector-ip4-fragmented-udp.pcap", 2, 1, 1, 0 },
	{ "godnscollector-ip6-fragmented-udp.pcap", 2, 1, 1, 0 },
	{ "godnscollector-tcp-fastopen.pcap", 8, 4, 4, 8 },   /* query in the SYN */
	{ "ndpi-alexa-app.pcapng", 62, 31, 31, 0 },
	{ "ndpi-dns-ambiguous-names.pcap", 20, 10, 10, 0 },
	{ "ndpi-dns-fragmented.pcap", 43, 22, 21, 4 },
	{ "ndpi-dns-tunnel-iodine.pcap", 434, 222, 212, 0 },
	{ "ndpi-iphone.pcap", 38, 19, 19, 0 },                /* mDNS on 5353 not counted */
	{ "ndpi-malformed-dns.pcap", 6, 2, 4, 0 },
	{ "ndpi-tls-heur-trojan-sll.pcapng", 16, 8, 8, 0 },   /* pcapng, LINKTYPE_LINUX_SLL */
	{ "packetq-sample-rfc1035escape.pcap", 9, 9, 0, 0 },
	{ "slips-test-cc-capture-2.pcap", 495, 247, 248, 0 },
	{ "suricata-dns-forward-pointer.pcap", 2, 1, 1, 0 },
	{ "suricata-dns-tunnel-bug-1158.pcap", 161, 81, 80, 0 },
	{ "suricata-vxlan-dns.pcap", 16, 8, 8, 0 },           /* VXLAN, inner Ethernet */
	{ "tcpdump-dns-badcookie-null.pcap", 4, 2, 2, 0 },    /* DLT_NULL */
	{ "tcpdump-dns-badlabel.pcap", 1, 0, 1, 0 },
	{ "tcpdump-dns-tcp.pcap", 2, 1, 1, 2 },
	{ "tcpdump-edns-opts.pcap", 42, 21, 21, 0 },
	{ "tcpdump-linktype-ipv6.pcap", 1, 1, 0, 0 },         /* LINKTYPE_IPV6 (229) */
	{ "tcpdump-linktype-raw-ipv4.pcap", 1, 1, 0, 0 },     /* LINKTYPE_RAW (101) */
	{ "zeek-dns-extended-rcode-rawip4.pcap", 2, 1, 1, 0 }, /* LINKTYPE_IPV4 (228) */
	{ "zeek-dns-loc-29-trunc.pcap", 2, 1, 1, 0 },         /* QinQ */
	{ "zeek-dns-svcb-null.pcap", 2, 1, 1, 0 },            /* DLT_NULL */
	{ "zeek-dnssec-rrsig.pcap", 7, 4, 3, 0 },
	{ "zeek-var-services-std-ports.pcap", 54, 27, 27, 0 },
	{ "zeek-wikipedia.pcap", 28, 14, 14, 0 },
};

static void
test_counts_match_tshark(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct expect *e = &expected[i];
		struct dec_stats st = run_file(e->file, NULL);
		if (st.dns_messages != e->msgs || st.dns_queries != e->queries ||
		    st.dns_responses != e->responses || st.tcp_messages != e->tcp)
			fail_msg("%s: %llu messages (%llu/%llu, tcp %llu), tshark counts %u (%u/%u, tcp %u)",
			         e->file, (unsigned long long)st.dns_messages,
			         (unsigned long long)st.dns_queries, (unsigned long long)st.dns_responses,
			         (unsigned long long)st.tcp_messages, e->msgs, e->queries, e->responses, e->tcp);
		assert_int_equal(st.skipped[DEC_SKIP_LINKTYPE], 0);
		assert_int_equal(st.skipped[DEC_SKIP_FRAG_DROPPED], 0);
		assert_int_equal(st.skipped[DEC_SKIP_TCP_DROPPED], 0);
	}
}

/* tshark counts 37 in arkime-v6.pcap: the 37th is the copy of a DNS response quoted inside an
 * ICMPv6 Destination Unreachable (frame 137). That is not a response anyone received, so
 * fluxscope skips the ICMPv6 packet (not-udp-tcp) and sees 36: 18 queries, 18 responses. */
static void
test_icmp_quoted_dns_not_counted(void **state)
{
	(void)state;
	struct dec_stats st = run_file("arkime-v6.pcap", NULL);
	assert_int_equal(st.dns_messages, 36);
	assert_int_equal(st.dns_queries, 18);
	assert_int_equal(st.dns_responses, 18);
	assert_true(st.skipped[DEC_SKIP_NOT_UDP_TCP] > 0);
}

/* The VLAN-tagged copy must decode to exactly the same messages as the untagged original. */
static void
test_vlan_equals_untagged(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	(void)state;

	run_file("dnscap-dns.pcap", &a);
	run_file("dnscap-vlan11.pcap", &b);
	assert_int_equal(a.n, 82);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.lines[i], b.lines[i]);
	seen_free(&a);
	seen_free(&b);
}

static void
test_fragments_reassemble(void **state)
{
	(void)state;
	struct dec_stats v4 = run_file("godnscollector-ip4-fragmented-udp.pcap", NULL);
	assert_int_equal(v4.frags_seen, 2);
	assert_int_equal(v4.frags_reassembled, 1);
	struct dec_stats v6 = run_file("godnscollector-ip6-fragmented-udp.pcap", NULL);
	assert_int_equal(v6.frags_seen, 2);
	assert_int_equal(v6.frags_reassembled, 1);
	struct dec_stats mix = run_file("ndpi-dns-fragmented.pcap", NULL);
	assert_true(mix.frags_reassembled >= 7);
	assert_int_equal(mix.skipped[DEC_SKIP_FRAG_DROPPED], 0);
}

/* The length prefix travels in a segment of its own in every query of this capture. */
static void
test_tcp_prefix_alone(void **state)
{
	struct seen s = { 0 };
	(void)state;

	struct dec_stats st = run_file("dnscap-dnso1tcp.pcap", &s);
	assert_int_equal(st.tcp_messages, 82);
	assert_int_equal(st.partial_messages, 0);
	assert_int_equal(st.skipped[DEC_SKIP_MALFORMED_DNS], 0);
	assert_int_equal(st.skipped[DEC_SKIP_TCP_INCOMPLETE], 0);
	for (size_t i = 0; i < s.n; i++)
		assert_non_null(strstr(s.lines[i], " 6"));
	seen_free(&s);
}

static void
test_vxlan_is_encapsulated(void **state)
{
	(void)state;
	struct dec_stats st = run_file("suricata-vxlan-dns.pcap", NULL);
	assert_int_equal(st.dns_messages, 16);
	assert_true(st.encapsulated >= 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_match_tshark),
		cmocka_unit_test(test_icmp_quoted_dns_not_counted),
		cmocka_unit_test(test_vlan_equals_untagged),
		cmocka_unit_test(test_fragments_reassemble),
		cmocka_unit_test(test_tcp_prefix_alone),
		cmocka_unit_test(test_vxlan_is_encapsulated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
