/* The link types and tunnels of issue 16, each from hand-built frames: NFLOG, FDDI, IEEE 802.11
 * (plain, radiotap, PPI), PKTAP, ARCNET (BSD and Linux), Geneve, GTP-U, GRE-in-UDP and ERSPAN
 * types I-III. What the packet path extracts (through the payload hook), the skip reason when it
 * extracts nothing, every cut length, and garbage under each of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit/decode/gotfix.h"

#define LT_ARCNET 7
#define LT_FDDI 10
#define LT_80211 105
#define LT_RADIOTAP 127
#define LT_ARCNET_LINUX 129
#define LT_PKTAP_DLT 149
#define LT_PPI 192
#define LT_NFLOG 239
#define LT_PKTAP 258

static struct pb P;

static void
snap(struct pb *p, uint16_t type)
{
	pb_u8(p, 0xaa);
	pb_u8(p, 0xaa);
	pb_u8(p, 0x03);
	pb_zero(p, 3);
	pb_u16(p, type);
}

static void
expect_skip(struct decoder *d, enum dec_skip why, uint64_t n)
{
	assert_int_equal(G.n, 0);
	if (dec_stats(d)->skipped[why] != n)
		fail_msg("skipped:%s is %llu, %llu expected", dec_skip_name(why),
		         (unsigned long long)dec_stats(d)->skipped[why], (unsigned long long)n);
}

/* Cut the frame at every length: one outcome per frame (a message, cut when the cut fell in
 * the message, or one skip), and the bytes delivered are the message's first ones. */
static void
cut_everywhere(int lt, const struct pb *full, size_t msg_off)
{
	for (size_t len = 0; len <= full->len; len++) {
		struct decoder *d = dec_hooked(NULL);
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, full->b, len);
		dec_packet(d, lt, 1, copy, (uint32_t)len, (uint32_t)full->len, 0, NULL, NULL);
		dec_flush(d, NULL, NULL);
		const struct dec_stats *st = dec_stats(d);
		if (st->dns_messages + skipped_total(st) != 1)
			fail_msg("cut at %zu: %llu messages, %llu skips", len,
			         (unsigned long long)st->dns_messages,
			         (unsigned long long)skipped_total(st));
		if (len > msg_off) {
			size_t n = len - msg_off < QN ? len - msg_off : QN;
			if (G.n != 1)
				fail_msg("cut at %zu: %d messages", len, G.n);
			assert_int_equal(G.m[0].len, n);
			assert_memory_equal(G.m[0].data, Q, n);
			assert_int_equal(G.m[0].meta.cut, n < QN);
		} else {
			assert_int_equal(G.n, 0);
		}
		got_clear(&G);
		free(copy);
		dec_free(d);
	}
}

/* ---- NFLOG ---- */

static void
nflog_tlv(struct pb *p, bool le, uint16_t type, const uint8_t *v, size_t n)
{
	if (le) {
		pb_u16le(p, (uint16_t)(4 + n));
		pb_u16le(p, type);
	} else {
		pb_u16(p, (uint16_t)(4 + n));
		pb_u16(p, type);
	}
	pb_bytes(p, v, n);
	pb_zero(p, (4 - n % 4) % 4);
}

static void
test_nflog(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	struct pb ip;
	static const uint8_t prefix[] = "dns-log";   /* NFULA_PREFIX, 8 bytes with the NUL */
	static const uint8_t hw[4] = { 0x08, 0x00, 3, 0 };

	pb_reset(&ip);
	ip4_udp_query(&ip);
	/* Attributes in either byte order; the payload after others of odd lengths. */
	for (int le = 0; le < 2; le++) {
		pb_reset(&P);
		pb_u8(&P, 2);                    /* AF_INET */
		pb_u8(&P, 0);
		pb_u16(&P, 42);
		nflog_tlv(&P, le, 1, hw, 4);     /* NFULA_PACKET_HDR */
		nflog_tlv(&P, le, 10, prefix, sizeof prefix);
		nflog_tlv(&P, le, 3, hw, 3);
		nflog_tlv(&P, le, 9, ip.b, ip.len);
		feed(d, LT_NFLOG, &P);
		expect_query(4);
	}
	/* IPv6, family AF_INET6 */
	pb_reset(&ip);
	ip6_udp_query(&ip);
	pb_reset(&P);
	pb_u8(&P, 10);
	pb_u8(&P, 0);
	pb_u16(&P, 1);
	nflog_tlv(&P, true, 9, ip.b, ip.len);
	feed(d, LT_NFLOG, &P);
	expect_query(6);
	/* No payload attribute: nothing to decode. */
	pb_reset(&P);
	pb_u8(&P, 2);
	pb_zero(&P, 3);
	nflog_tlv(&P, true, 10, prefix, sizeof prefix);
	feed(d, LT_NFLOG, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 1);
	/* An attribute shorter than its own header stops the walk. */
	pb_reset(&P);
	pb_u8(&P, 2);
	pb_zero(&P, 3);
	pb_u16le(&P, 2);
	pb_u16le(&P, 9);
	pb_bytes(&P, ip.b, ip.len);
	feed(d, LT_NFLOG, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 2);
	dec_free(d);

	pb_reset(&ip);
	ip4_udp_query(&ip);
	pb_reset(&P);
	pb_u8(&P, 2);
	pb_zero(&P, 3);
	nflog_tlv(&P, true, 10, prefix, sizeof prefix);
	nflog_tlv(&P, true, 9, ip.b, ip.len);
	P.len -= (4 - ip.len % 4) % 4;       /* no padding after the last attribute */
	cut_everywhere(LT_NFLOG, &P, 4 + 12 + 4 + 20 + 8);
}

/* ---- FDDI ---- */

static void
test_fddi(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (uint8_t fc = 0x50; fc <= 0x57; fc += 7) {
		pb_reset(&P);
		pb_u8(&P, fc);                   /* asynchronous LLC frame, priority 0 / 7 */
		pb_zero(&P, 12);
		snap(&P, 0x0800);
		ip4_udp_query(&P);
		feed(d, LT_FDDI, &P);
		expect_query(4);
	}
	pb_reset(&P);
	pb_u8(&P, 0xd0);                     /* synchronous LLC */
	pb_zero(&P, 12);
	snap(&P, 0x86dd);
	expect_query_after(d, LT_FDDI, &P, 6);
	/* SMT frame, and LLC that is not SNAP (spanning tree) */
	pb_reset(&P);
	pb_u8(&P, 0x41);
	pb_zero(&P, 40);
	feed(d, LT_FDDI, &P);
	pb_reset(&P);
	pb_u8(&P, 0x50);
	pb_zero(&P, 12);
	pb_u8(&P, 0x42);
	pb_u8(&P, 0x42);
	pb_u8(&P, 0x03);
	pb_zero(&P, 35);
	feed(d, LT_FDDI, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 2);
	dec_free(d);

	pb_reset(&P);
	pb_u8(&P, 0x50);
	pb_zero(&P, 12);
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(LT_FDDI, &P, 13 + 8 + 20 + 8);
}

/* ---- IEEE 802.11 ---- */

/* A data frame header: frame control, duration, addresses, sequence control, [addr4], [QoS],
 * [HT Control]. */
static size_t
wlan_hdr(struct pb *p, uint8_t subtype, uint8_t fc1, uint16_t seqctl, uint8_t qos0)
{
	size_t start = p->len;
	pb_u8(p, (uint8_t)(subtype << 4 | 2 << 2));
	pb_u8(p, fc1);
	pb_u16(p, 0x2c00);
	for (int i = 0; i < 18; i++)
		pb_u8(p, (uint8_t)(0x10 + i));
	pb_u16le(p, seqctl);
	if ((fc1 & 3) == 3)
		pb_zero(p, 6);
	if (subtype & 8) {
		pb_u8(p, qos0);
		pb_u8(p, 0);
		if (fc1 & 0x80)
			pb_u32(p, 0xdeadbeef);
	}
	return p->len - start;
}

static void
test_80211(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* Data, QoS data, to/from/both DS (four addresses), with HT Control: all reach the query. */
	static const uint8_t subtypes[] = { 0, 8, 1, 9 };
	for (size_t i = 0; i < sizeof subtypes; i++) {
		for (uint8_t ds = 0; ds < 4; ds++) {
			for (int order = 0; order < 2; order++) {
				pb_reset(&P);
				size_t h = wlan_hdr(&P, subtypes[i], (uint8_t)(ds | (order ? 0x80 : 0)), 0x120, 0);
				size_t want = 24 + (ds == 3 ? 6 : 0) + ((subtypes[i] & 8) ? 2 + (order ? 4 : 0) : 0);
				assert_int_equal(h, want);
				snap(&P, (ds & 1) ? 0x86dd : 0x0800);
				if (ds & 1)
					ip6_udp_query(&P);
				else
					ip4_udp_query(&P);
				feed(d, LT_80211, &P);
				expect_query((ds & 1) ? 6 : 4);
			}
		}
	}
	/* Protected: counted, not decoded. */
	pb_reset(&P);
	wlan_hdr(&P, 8, 0x41, 0, 0);
	pb_zero(&P, 8);                      /* CCMP header */
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	feed(d, LT_80211, &P);
	expect_skip(d, DEC_SKIP_ENCRYPTED, 1);
	/* Management (beacon), control (ACK), null data, QoS null: no IP. */
	pb_reset(&P);
	pb_u8(&P, 0x80);
	pb_zero(&P, 60);
	feed(d, LT_80211, &P);
	pb_reset(&P);
	pb_u8(&P, 0xd4);
	pb_zero(&P, 9);
	feed(d, LT_80211, &P);
	pb_reset(&P);
	wlan_hdr(&P, 4, 1, 0, 0);
	feed(d, LT_80211, &P);
	pb_reset(&P);
	wlan_hdr(&P, 12, 1, 0, 0);
	feed(d, LT_80211, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 4);
	/* A later fragment (fragment number 1) is not reassembled; the first one (more fragments)
	 * is decoded from what it holds. */
	pb_reset(&P);
	wlan_hdr(&P, 0, 0x01, 0x121, 0);
	pb_zero(&P, 30);
	feed(d, LT_80211, &P);
	expect_skip(d, DEC_SKIP_FRAG_DROPPED, 1);
	/* A-MSDU: two subframes (the first padded to 32 bits), each through LLC/SNAP. */
	pb_reset(&P);
	wlan_hdr(&P, 8, 0x02, 0x10, 0x80);
	for (int k = 0; k < 2; k++) {
		size_t sub = P.len;
		pb_zero(&P, 12);
		pb_u16(&P, 0);
		snap(&P, k ? 0x86dd : 0x0800);
		if (k)
			ip6_udp_query(&P);
		else
			ip4_udp_query(&P);
		pb_put16(&P, sub + 12, (uint16_t)(P.len - sub - 14));
		if (k == 0)
			pb_zero(&P, (4 - (P.len - sub) % 4) % 4);
	}
	pb_u32(&P, 0x12345678);              /* an FCS after the last subframe */
	feed(d, LT_80211, &P);
	assert_int_equal(G.n, 2);
	assert_memory_equal(G.m[0].data, Q, QN);
	assert_memory_equal(G.m[1].data, Q, QN);
	assert_int_equal(G.m[1].meta.src.family, 6);
	got_clear(&G);
	dec_free(d);

	pb_reset(&P);
	size_t h = wlan_hdr(&P, 8, 0x03, 0, 0);
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(LT_80211, &P, h + 8 + 20 + 8);
}

/* ---- radiotap ---- */

static size_t
radiotap(struct pb *p, bool tsft, uint8_t flags, int ext_words)
{
	size_t start = p->len;
	uint32_t present = (tsft ? 1u : 0) | 2u | (1u << 3);    /* TSFT, Flags, Channel */
	size_t len = 8 + 4 * (size_t)ext_words;
	if (tsft)
		len = ((len + 7) & ~(size_t)7) + 8;
	len += 1;                            /* flags */
	len = ((len + 1) & ~(size_t)1) + 4;  /* channel: 2 x u16, aligned to 2 */
	pb_u8(p, 0);
	pb_u8(p, 0);
	pb_u16le(p, (uint16_t)len);
	pb_u32le(p, present | (ext_words ? 0x80000000u : 0));
	for (int i = 0; i < ext_words; i++)
		pb_u32le(p, i + 1 < ext_words ? 0x80000000u : 0x20u);
	while ((p->len - start) % 8 && tsft)
		pb_u8(p, 0);
	if (tsft)
		pb_zero(p, 8);
	pb_u8(p, flags);
	if ((p->len - start) % 2)
		pb_u8(p, 0);
	pb_u16le(p, 2437);
	pb_u16le(p, 0x00a0);
	assert_int_equal(p->len - start, len);
	return len;
}

static void
test_radiotap(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (int tsft = 0; tsft < 2; tsft++) {
		for (int ext = 0; ext < 3; ext++) {
			for (uint8_t flags = 0; flags <= 0x30; flags += 0x10) {
				pb_reset(&P);
				radiotap(&P, tsft, flags, ext);
				size_t h = wlan_hdr(&P, 8, 0x01, 0, 0);   /* 26 bytes: DATAPAD adds 2 */
				if (flags & 0x20)
					pb_zero(&P, (4 - h % 4) % 4);
				snap(&P, 0x0800);
				size_t ip = P.len;
				ip4_udp_query(&P);
				/* lengths 0 (as segmentation offload leaves them): only the FCS flag tells
				 * where the message ends */
				pb_put16(&P, ip + 2, 0);
				pb_put16(&P, ip + 20 + 4, 0);
				if (flags & 0x10)
					pb_u32(&P, 0xcafef00d);
				feed(d, LT_RADIOTAP, &P);
				expect_query(4);
			}
		}
	}
	/* A header length beyond the frame, and a radiotap version that is not 0. */
	pb_reset(&P);
	pb_u8(&P, 0);
	pb_u8(&P, 0);
	pb_u16le(&P, 400);
	pb_u32le(&P, 0);
	pb_zero(&P, 40);
	feed(d, LT_RADIOTAP, &P);
	expect_skip(d, DEC_SKIP_TRUNCATED, 1);
	pb_reset(&P);
	radiotap(&P, false, 0, 0);
	P.b[0] = 1;
	wlan_hdr(&P, 0, 1, 0, 0);
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	feed(d, LT_RADIOTAP, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 1);
	/* A present bitmap chained without end runs off the frame. */
	pb_reset(&P);
	pb_u8(&P, 0);
	pb_u8(&P, 0);
	pb_u16le(&P, 24);
	for (int i = 0; i < 5; i++)
		pb_u32le(&P, 0x80000000u);
	feed(d, LT_RADIOTAP, &P);
	expect_skip(d, DEC_SKIP_TRUNCATED, 2);
	dec_free(d);

	pb_reset(&P);
	size_t r = radiotap(&P, true, 0, 1);
	size_t h = wlan_hdr(&P, 0, 0x02, 0, 0);
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(LT_RADIOTAP, &P, r + h + 8 + 20 + 8);
}

/* ---- PPI ---- */

static void
ppi_hdr(struct pb *p, uint8_t flags, uint32_t dlt, bool fcs, bool field)
{
	size_t start = p->len;
	pb_u8(p, 0);
	pb_u8(p, flags);
	pb_u16le(p, 0);                      /* length, filled in below */
	pb_u32le(p, dlt);
	if (field) {
		pb_u16le(p, 2);                  /* 802.11-common */
		pb_u16le(p, 20);
		pb_zero(p, 8);
		pb_u16le(p, fcs ? 1 : 0);
		pb_zero(p, 10);
		pb_u16le(p, 30002);              /* a vendor field of odd length */
		pb_u16le(p, 3);
		pb_zero(p, 3);
		if (flags & 1)
			pb_u8(p, 0);
	}
	size_t n = p->len - start;
	p->b[start + 2] = (uint8_t)n;
	p->b[start + 3] = (uint8_t)(n >> 8);
}

static void
test_ppi(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (int fcs = 0; fcs < 2; fcs++) {
		for (uint8_t flags = 0; flags < 2; flags++) {
			pb_reset(&P);
			ppi_hdr(&P, flags, LT_80211, fcs, true);
			wlan_hdr(&P, 8, 0x02, 0, 0);
			snap(&P, 0x0800);
			size_t ip = P.len;
			ip4_udp_query(&P);
			pb_put16(&P, ip + 2, 0);         /* see test_radiotap */
			pb_put16(&P, ip + 20 + 4, 0);
			if (fcs)
				pb_u32(&P, 0x01020304);
			feed(d, LT_PPI, &P);
			expect_query(4);
		}
	}
	/* PPI around Ethernet */
	pb_reset(&P);
	ppi_hdr(&P, 0, 1, false, false);
	pb_eth(&P, 0x86dd);
	expect_query_after(d, LT_PPI, &P, 6);
	/* An inner DLT fluxscope does not decode is counted with its value; PPI in PPI too. */
	pb_reset(&P);
	ppi_hdr(&P, 0, 6, false, false);
	ip4_udp_query(&P);
	feed(d, LT_PPI, &P);
	pb_reset(&P);
	ppi_hdr(&P, 0, LT_PPI, false, false);
	ppi_hdr(&P, 0, 1, false, false);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	feed(d, LT_PPI, &P);
	expect_skip(d, DEC_SKIP_LINKTYPE, 2);
	assert_int_equal(dec_stats(d)->linktype_unknown_value[0], 6);
	assert_int_equal(dec_stats(d)->linktype_unknown_value[1], LT_PPI);
	/* Header length below 8 or beyond the frame */
	pb_reset(&P);
	ppi_hdr(&P, 0, 1, false, false);
	P.b[2] = 4;
	feed(d, LT_PPI, &P);
	P.b[2] = 200;
	feed(d, LT_PPI, &P);
	expect_skip(d, DEC_SKIP_TRUNCATED, 2);
	dec_free(d);

	pb_reset(&P);
	ppi_hdr(&P, 1, LT_80211, false, true);
	size_t ph = P.len;
	size_t h = wlan_hdr(&P, 0, 0x02, 0, 0);
	snap(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(LT_PPI, &P, ph + h + 8 + 20 + 8);
}

/* ---- PKTAP ---- */

static void
pktap_hdr(struct pb *p, uint32_t len, uint32_t rectype, uint32_t dlt)
{
	pb_u32le(p, len);
	pb_u32le(p, rectype);
	pb_u32le(p, dlt);
	pb_bytes(p, "en0", 3);
	pb_zero(p, len - 15);
}

static void
test_pktap(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (int lt = LT_PKTAP_DLT; lt <= LT_PKTAP; lt += LT_PKTAP - LT_PKTAP_DLT) {
		pb_reset(&P);
		pktap_hdr(&P, 108, 1, 1);
		pb_eth(&P, 0x0800);
		ip4_udp_query(&P);
		feed(d, lt, &P);
		expect_query(4);
	}
	/* A longer header (newer macOS), around DLT_RAW (12) and DLT_NULL (0). */
	pb_reset(&P);
	pktap_hdr(&P, 156, 1, 12);
	expect_query_after(d, LT_PKTAP, &P, 6);
	pb_reset(&P);
	pktap_hdr(&P, 108, 1, 0);
	pb_u32le(&P, 2);
	expect_query_after(d, LT_PKTAP, &P, 4);
	/* Record type "none", a header below 108 bytes, one beyond the frame. */
	pb_reset(&P);
	pktap_hdr(&P, 108, 0, 1);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	feed(d, LT_PKTAP, &P);
	pb_reset(&P);
	pktap_hdr(&P, 100, 1, 1);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	feed(d, LT_PKTAP, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 2);
	pb_reset(&P);
	pb_u32le(&P, 5000);
	pb_u32le(&P, 1);
	pb_u32le(&P, 1);
	pb_zero(&P, 200);
	feed(d, LT_PKTAP, &P);
	expect_skip(d, DEC_SKIP_TRUNCATED, 1);
	dec_free(d);

	pb_reset(&P);
	pktap_hdr(&P, 108, 1, 1);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(LT_PKTAP, &P, 108 + 14 + 20 + 8);
}

/* ---- ARCNET ---- */

static void
test_arcnet(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* BSD: RFC 1051 (IP_OLD, 3-byte header); RFC 1201 (split flag, sequence); exception. */
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 240);
	expect_query_after(d, LT_ARCNET, &P, 4);
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 212);
	pb_u8(&P, 0);
	pb_u16(&P, 7);
	expect_query_after(d, LT_ARCNET, &P, 4);
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 196);                      /* IPv6 */
	pb_u8(&P, 0xff);                     /* exception packet */
	pb_u8(&P, 0xff);
	pb_u8(&P, 0xff);
	pb_u8(&P, 196);
	pb_u8(&P, 0);
	pb_u16(&P, 8);
	expect_query_after(d, LT_ARCNET, &P, 6);
	/* First fragment of a split packet (odd flag): decoded from what it holds. */
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 212);
	pb_u8(&P, 3);
	pb_u16(&P, 9);
	pb_ip4(&P, "10.0.0.1", "10.0.0.2", 17, (uint16_t)(8 + QN + 600), 1, 0);
	pb_udp(&P, 40000, 53, (uint16_t)(QN + 600));
	pb_bytes(&P, Q, QN);
	feed(d, LT_ARCNET, &P);
	assert_int_equal(G.n, 1);
	assert_true(G.m[0].meta.cut);
	assert_int_equal(G.m[0].len, QN);
	got_clear(&G);
	/* A later fragment (even flag), and ARP. */
	P.b[3] = 2;
	feed(d, LT_ARCNET, &P);
	expect_skip(d, DEC_SKIP_FRAG_DROPPED, 1);
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 213);
	pb_u8(&P, 0);
	pb_u16(&P, 1);
	pb_zero(&P, 28);
	feed(d, LT_ARCNET, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 1);

	/* Linux: source, destination, offset, protocol ID (, flag, sequence). */
	pb_reset(&P);
	pb_u8(&P, 0xbe);
	pb_u8(&P, 0x50);
	pb_u16(&P, 0xc600);
	pb_u8(&P, 240);
	expect_query_after(d, LT_ARCNET_LINUX, &P, 4);
	pb_reset(&P);
	pb_u8(&P, 0xbe);
	pb_u8(&P, 0x50);
	pb_u16(&P, 0xc308);
	pb_u8(&P, 212);
	pb_u8(&P, 0);
	pb_u16(&P, 0x0169);
	expect_query_after(d, LT_ARCNET_LINUX, &P, 4);
	dec_free(d);

	pb_reset(&P);
	pb_u8(&P, 0xbe);
	pb_u8(&P, 0x50);
	pb_u16(&P, 0);
	pb_u8(&P, 212);
	pb_u8(&P, 0);
	pb_u16(&P, 1);
	ip4_udp_query(&P);
	cut_everywhere(LT_ARCNET_LINUX, &P, 8 + 20 + 8);
	pb_reset(&P);
	pb_u8(&P, 1);
	pb_u8(&P, 2);
	pb_u8(&P, 240);
	ip4_udp_query(&P);
	cut_everywhere(LT_ARCNET, &P, 3 + 20 + 8);
}

/* ---- tunnels ---- */

/* Outer Ethernet/IPv4/UDP to dport, with `inner` bytes after the UDP header. */
static size_t
outer_udp(struct pb *p, uint16_t sport, uint16_t dport)
{
	pb_eth(p, 0x0800);
	pb_ip4(p, "192.0.2.1", "192.0.2.2", 17, 0, 9, 0);
	pb_udp(p, sport, dport, 0);
	return p->len;
}

/* Fill in the outer IPv4 total length and UDP length once the frame is complete. */
static void
outer_fix(struct pb *p)
{
	pb_put16(p, 14 + 2, (uint16_t)(p->len - 14));
	pb_put16(p, 14 + 20 + 4, (uint16_t)(p->len - 14 - 20));
}

/* P holds an outer frame (outer_udp) and a tunnel header: the query follows over IPv4 or
 * IPv6, the outer lengths are fixed, and exactly the query must come out of the Ethernet frame. */
static void
expect_tunnelled_query(struct decoder *d, int family)
{
	if (family == 4)
		ip4_udp_query(&P);
	else
		ip6_udp_query(&P);
	outer_fix(&P);
	feed(d, 1, &P);
	expect_query(family);
}

static void
test_geneve(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* Geneve with 8 bytes of options carrying IPv4 (as zeek's capture), then Ethernet. */
	pb_reset(&P);
	outer_udp(&P, 11803, 6081);
	pb_u8(&P, 2);                        /* version 0, 2 option words */
	pb_u8(&P, 0);
	pb_u16(&P, 0x0800);
	pb_u32(&P, 0x00109200);
	pb_zero(&P, 8);
	expect_tunnelled_query(d, 4);
	pb_reset(&P);
	outer_udp(&P, 11803, 6081);
	pb_u8(&P, 0);
	pb_u8(&P, 0);
	pb_u16(&P, 0x6558);
	pb_u32(&P, 0x00109200);
	pb_eth(&P, 0x86dd);
	expect_tunnelled_query(d, 6);
	/* Version 1 is not read. */
	P.b[42] = 0x40;
	feed(d, 1, &P);
	expect_skip(d, DEC_SKIP_NOT_DNS, 1);
	assert_int_equal(dec_stats(d)->encapsulated, 2);
	dec_free(d);

	pb_reset(&P);
	outer_udp(&P, 11803, 6081);
	pb_u8(&P, 1);
	pb_u8(&P, 0);
	pb_u16(&P, 0x0800);
	pb_u32(&P, 1 << 8);
	pb_zero(&P, 4);
	ip4_udp_query(&P);
	outer_fix(&P);
	cut_everywhere(1, &P, 42 + 12 + 20 + 8);
}

static void
test_gtpu(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* G-PDU without optional fields, from port 2152 to 2152, then to another port (GTP-U is
	 * recognised on either side, as tshark does) */
	pb_reset(&P);
	outer_udp(&P, 2152, 2152);
	pb_u8(&P, 0x30);
	pb_u8(&P, 0xff);
	pb_u16(&P, (uint16_t)(20 + 8 + QN));
	pb_u32(&P, 0x497e10b5);
	expect_tunnelled_query(d, 4);
	pb_put16(&P, 14 + 20 + 2, 40001);
	feed(d, 1, &P);
	expect_query(4);
	/* With a sequence number and two extension headers (PDU session container, then one of
	 * two words), carrying IPv6, to 2152 from another port */
	pb_reset(&P);
	outer_udp(&P, 33333, 2152);
	pb_u8(&P, 0x34 | 0x02);
	pb_u8(&P, 0xff);
	pb_u16(&P, 0);
	pb_u32(&P, 1);
	pb_u16(&P, 77);
	pb_u8(&P, 0);
	pb_u8(&P, 0x85);
	pb_u8(&P, 1);
	pb_u16(&P, 0x0009);
	pb_u8(&P, 0x40);
	pb_u8(&P, 2);
	pb_zero(&P, 6);
	pb_u8(&P, 0);
	expect_tunnelled_query(d, 6);
	/* An echo request carries no user packet; GTP' (PT 0) is not GTP-U; an extension header
	 * of length 0 is malformed. */
	pb_reset(&P);
	outer_udp(&P, 2152, 2152);
	pb_u8(&P, 0x32);
	pb_u8(&P, 1);
	pb_u16(&P, 4);
	pb_u32(&P, 0);
	pb_u32(&P, 0);
	outer_fix(&P);
	feed(d, 1, &P);
	P.b[42] = 0x20;
	feed(d, 1, &P);
	pb_reset(&P);
	outer_udp(&P, 2152, 2152);
	pb_u8(&P, 0x34);
	pb_u8(&P, 0xff);
	pb_u16(&P, 0);
	pb_u32(&P, 0);
	pb_u16(&P, 0);
	pb_u8(&P, 0);
	pb_u8(&P, 0x85);
	pb_u8(&P, 0);
	pb_zero(&P, 3);
	ip4_udp_query(&P);
	outer_fix(&P);
	feed(d, 1, &P);
	expect_skip(d, DEC_SKIP_NOT_DNS, 3);
	dec_free(d);

	pb_reset(&P);
	outer_udp(&P, 2152, 2152);
	pb_u8(&P, 0x30);
	pb_u8(&P, 0xff);
	pb_u16(&P, (uint16_t)(20 + 8 + QN));
	pb_u32(&P, 5);
	ip4_udp_query(&P);
	outer_fix(&P);
	cut_everywhere(1, &P, 42 + 8 + 20 + 8);
}

static void
test_gre_udp_and_erspan(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* GRE-in-UDP (RFC 8086, port 4754) carrying IPv4, as zeek's capture */
	pb_reset(&P);
	outer_udp(&P, 50343, 4754);
	pb_u16(&P, 0);
	pb_u16(&P, 0x0800);
	expect_tunnelled_query(d, 4);
	/* 4755 is GRE-in-UDP over DTLS: encrypted, not followed */
	pb_put16(&P, 14 + 20 + 2, 4755);
	feed(d, 1, &P);
	expect_skip(d, DEC_SKIP_NOT_DNS, 1);

	/* ERSPAN type II: GRE with a sequence number, 8-byte header, Ethernet */
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 47, (uint16_t)(8 + 8 + 14 + 20 + 8 + QN), 9, 0);
	pb_u16(&P, 0x1000);
	pb_u16(&P, 0x88be);
	pb_u32(&P, 1);
	pb_u32(&P, 0x10010064);
	pb_u32(&P, 0);
	pb_eth(&P, 0x0800);
	expect_query_after(d, 1, &P, 4);
	/* Type I: 0x88be without a sequence number, the mirrored frame at once */
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 47, (uint16_t)(4 + 14 + 40 + 8 + QN), 9, 0);
	pb_u16(&P, 0);
	pb_u16(&P, 0x88be);
	pb_eth(&P, 0x86dd);
	expect_query_after(d, 1, &P, 6);
	/* Type III with the platform subheader (O bit), Ethernet; then frame type 2 (IP) without */
	for (int o = 1; o >= 0; o--) {
		pb_reset(&P);
		pb_ip6(&P, "2001:db8::a", "2001:db8::b", 47, 0);
		pb_u16(&P, 0x1000);
		pb_u16(&P, 0x22eb);
		pb_u32(&P, 3);
		pb_u32(&P, 0x20010064);
		pb_u32(&P, 0x11223344);         /* timestamp */
		pb_u16(&P, 0);                   /* SGT */
		pb_u8(&P, o ? 0x00 : 0x08);      /* P, FT (0 Ethernet / 2 IP), HW ID */
		pb_u8(&P, (uint8_t)o);           /* HW ID, D, Gra, O */
		if (o)
			pb_zero(&P, 8);
		if (o)
			pb_eth(&P, 0x0800);
		ip4_udp_query(&P);
		pb_put16(&P, 4, (uint16_t)(P.len - 40));
		feed(d, 229, &P);
		expect_query(4);
	}
	/* Type III frame type 5: not a frame type this reader knows */
	P.b[40 + 8 + 10] = 5 << 2;
	feed(d, 229, &P);
	expect_skip(d, DEC_SKIP_NOT_IP, 1);
	assert_int_equal(dec_stats(d)->encapsulated, 5 + 1);
	dec_free(d);

	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 47, (uint16_t)(8 + 8 + 14 + 20 + 8 + QN), 9, 0);
	pb_u16(&P, 0x1000);
	pb_u16(&P, 0x88be);
	pb_u32(&P, 1);
	pb_u32(&P, 0x10010064);
	pb_u32(&P, 0);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(1, &P, 34 + 16 + 14 + 20 + 8);
}

/* Hostile input under every new link type and through every new tunnel: random bytes, and
 * valid frames with bits flipped. Nothing may crash or read out of bounds (ASan); every frame
 * is counted. */
static void
test_garbage(void **state)
{
	static const int lts[] = { LT_ARCNET, LT_FDDI, LT_80211, LT_RADIOTAP, LT_ARCNET_LINUX,
	                           LT_PKTAP_DLT, LT_PPI, LT_NFLOG, LT_PKTAP };
	uint64_t x = 0x2545f4914f6cdd1dull;
	uint8_t frame[700];
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	unsigned n = 0;

	for (int round = 0; round < 2000; round++) {
		for (size_t k = 0; k < sizeof lts / sizeof lts[0]; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t len = (size_t)(x % sizeof frame);
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				frame[i] = (uint8_t)(x >> 11);
			}
			/* make headers look plausible half of the time, so deeper code runs */
			if ((x & 1) && len > 8) {
				frame[0] = lts[k] == LT_80211 ? 0x88 : 0;
				frame[2] = (uint8_t)(len > 40 ? 8 + (x >> 40) % 32 : 8);
				frame[3] = 0;
			}
			struct pb one;
			memcpy(one.b, frame, len);
			one.len = len;
			feed(d, lts[k], &one);
			n++;
			if (G.n > 400)
				got_clear(&G);
		}
	}
	/* Bit flips over a PPI/802.11 frame and a GTP-U frame. */
	struct pb frames[2];
	pb_reset(&frames[0]);
	ppi_hdr(&frames[0], 1, LT_80211, true, true);
	wlan_hdr(&frames[0], 8, 0x83, 0, 0x80);
	pb_zero(&frames[0], 12);
	pb_u16(&frames[0], (uint16_t)(8 + 20 + 8 + QN));
	snap(&frames[0], 0x0800);
	ip4_udp_query(&frames[0]);
	pb_u32(&frames[0], 0);
	pb_reset(&frames[1]);
	outer_udp(&frames[1], 2152, 2152);
	pb_u8(&frames[1], 0x36);
	pb_u8(&frames[1], 0xff);
	pb_u16(&frames[1], 0);
	pb_u32(&frames[1], 1);
	pb_u32(&frames[1], 0x00000185);
	pb_u8(&frames[1], 1);
	pb_u16(&frames[1], 0x0009);
	pb_u8(&frames[1], 0);
	ip4_udp_query(&frames[1]);
	outer_fix(&frames[1]);
	static const int flt[] = { LT_PPI, 1 };
	for (int f = 0; f < 2; f++) {
		for (size_t bit = 0; bit < frames[f].len * 8; bit++) {
			frames[f].b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			feed(d, flt[f], &frames[f]);
			frames[f].b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			n++;
			if (G.n > 400)
				got_clear(&G);
		}
	}
	dec_flush(d, NULL, NULL);
	assert_int_equal(dec_stats(d)->packets, n);
	dec_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nflog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fddi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_80211, setup, teardown),
		cmocka_unit_test_setup_teardown(test_radiotap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pktap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arcnet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_geneve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gtpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gre_udp_and_erspan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
