/* The packet path over the real captures in tests/data/pcaps: message counts must equal the
 * counts tshark 4.0 reports for the same files (tests/data/pcaps/SOURCES.md, "DNS msgs" column:
 * unicast DNS on port 53), across every link type (NFLOG, 802.11 plain, radiotap and PPI,
 * ARCNET, FDDI, PKTAP among them), VLAN/QinQ, the tunnels (VXLAN, Geneve, GTP-U, GRE and
 * GRE-in-UDP), IPv4/IPv6 fragments, DNS over TCP and frames cut by the snapshot length. Where
 * fluxscope and tshark count differently on purpose, the test says why. */
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
	{ "arkime-gtp-iphone-sll.pcap", 6, 3, 3, 0 },          /* GTP-U in SLL */
	{ "libpcap-http-ppi.pcap", 2, 1, 1, 0 },               /* PPI (192) around 802.11 */
	{ "pcapplusplus-nflog.pcap", 1, 1, 0, 0 },             /* NFLOG (239) */
	{ "tcpdump-arcnet-rfc1051.pcap", 4, 2, 2, 0 },         /* ARCNET Linux (129) */
	{ "tcpdump-arcnet-rfc1201.pcap", 4, 2, 2, 0 },
	{ "tcpdump-dns-udp-snaplen98.pcap", 2, 1, 1, 0 },      /* response cut at 98 bytes */
	{ "zeek-erspan-gre-eth.pcap", 10, 5, 5, 0 },           /* GRE 0x6558, outer fragments */
	{ "zeek-geneve-vxlan-dns-truncated.pcap", 2, 1, 1, 0 }, /* Geneve, VXLAN, cut */
	{ "zeek-gre-over-udp-4754.pcap", 4, 2, 2, 0 },         /* GRE-in-UDP */
	{ "zeek-radiotap.pcap", 2, 1, 1, 0 },                  /* 802.11 + radiotap (127) */
	{ "zeek-wlanmon-80211.pcap", 2, 1, 1, 0 },             /* 802.11 (105) */
	{ "reencap-arcnet-dnscap-dns.pcap", 82, 41, 41, 0 },   /* ARCNET BSD (7) */
	{ "reencap-fddi-ndpi-dns-fragmented.pcap", 43, 22, 21, 4 }, /* FDDI (10) */
	{ "reencap-pktap-tcpdump-dns-tcp.pcap", 2, 1, 1, 2 },  /* PKTAP (258) */
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

static void
expect_same(const char *a_file, const char *b_file, size_t n)
{
	struct seen a = { 0 }, b = { 0 };

	run_file(a_file, &a);
	run_file(b_file, &b);
	if (a.n != n || b.n != n)
		fail_msg("%s: %zu messages, %s: %zu, expected %zu", a_file, a.n, b_file, b.n, n);
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.lines[i], b.lines[i]);
	seen_free(&a);
	seen_free(&b);
}

/* The same frames under another link layer decode to the same messages: zeek's wlanmon capture
 * is its radiotap capture without the radio header; the reencap-* files are their sources
 * re-encapsulated (FDDI, ARCNET, PKTAP; the ARCNET one without the source's ARP frames). */
static void
test_same_frames_other_link(void **state)
{
	(void)state;
	expect_same("zeek-radiotap.pcap", "zeek-wlanmon-80211.pcap", 2);
	expect_same("ndpi-dns-fragmented.pcap", "reencap-fddi-ndpi-dns-fragmented.pcap", 43);
	expect_same("dnscap-dns.pcap", "reencap-arcnet-dnscap-dns.pcap", 82);
	expect_same("tcpdump-dns-tcp.pcap", "reencap-pktap-tcpdump-dns-tcp.pcap", 2);
}

/* Frames cut by the snapshot length keep the records complete before the cut: in tcpdump's
 * snaplen-98 capture the response keeps its question and the first of its 2 A records; in
 * zeek's Geneve capture (snaplen 176) the query keeps its question but not its OPT record and
 * the response its question and the first of 2 A records (SOURCES.md). */
static void
test_cut_frames_keep_leading_records(void **state)
{
	struct seen s = { 0 };
	(void)state;

	struct dec_stats st = run_file("tcpdump-dns-udp-snaplen98.pcap", &s);
	assert_int_equal(st.cut_messages, 1);
	assert_int_equal(st.partial_messages, 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[1], "22836 1 www.tcpdump.org 1 2 17");
	seen_free(&s);

	st = run_file("zeek-geneve-vxlan-dns-truncated.pcap", &s);
	assert_int_equal(st.cut_messages, 2);
	assert_int_equal(st.encapsulated, 2);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.lines[0], "64072 0 corelight.com 1 1 17");
	assert_string_equal(s.lines[1], "64072 1 corelight.com 1 2 17");
	seen_free(&s);

	st = run_file("dpkt-truncated-dns.pcap", NULL);
	assert_int_equal(st.cut_messages, 1);
}

/* Tunnels carry the DNS: every frame of the GTP-U and GRE-in-UDP captures is decoded through
 * one; ERSPAN's mirrored frames are too (the rest of that capture is outer fragments). */
static void
test_tunnels_in_real_captures(void **state)
{
	(void)state;
	struct dec_stats gtp = run_file("arkime-gtp-iphone-sll.pcap", NULL);
	assert_int_equal(gtp.encapsulated, gtp.packets);
	struct dec_stats gre = run_file("zeek-gre-over-udp-4754.pcap", NULL);
	assert_int_equal(gre.encapsulated, gre.packets);
	struct dec_stats er = run_file("zeek-erspan-gre-eth.pcap", NULL);
	assert_true(er.encapsulated >= er.dns_messages);
	assert_int_equal(er.skipped[DEC_SKIP_LINKTYPE] + gtp.skipped[DEC_SKIP_LINKTYPE], 0);
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
		cmocka_unit_test(test_same_frames_other_link),
		cmocka_unit_test(test_cut_frames_keep_leading_records),
		cmocka_unit_test(test_tunnels_in_real_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
