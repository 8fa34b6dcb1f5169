/* IPv4 and IPv6: options, extension headers, and fragment reassembly — in order, out of
 * order, duplicated, overlapping with different bytes, timed out, over the datagram and byte
 * bounds, inconsistent, truncated — checked byte for byte through the payload hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/pkt_int.h"
#include "unit/decode/gotfix.h"

static struct pb P;

/* The datagram payload that gets fragmented: a UDP header from port 53 and a message. */
static uint8_t DG[70000];
static size_t DGN;
static size_t MSGN;

static void
make_datagram(size_t msglen, unsigned seed, size_t prefix)
{
	/* prefix: bytes of IPv6 extension headers inside the fragmentable part */
	DGN = 0;
	if (prefix) {
		DG[0] = 17;           /* destination options, then UDP */
		DG[1] = (uint8_t)(prefix / 8 - 1);
		memset(DG + 2, 0, prefix - 2);
		DGN = prefix;
	}
	DG[DGN + 0] = 0;
	DG[DGN + 1] = 53;
	DG[DGN + 2] = 0x9c;
	DG[DGN + 3] = 0x40;      /* 40000 */
	DG[DGN + 4] = (uint8_t)((8 + msglen) >> 8);
	DG[DGN + 5] = (uint8_t)(8 + msglen);
	DG[DGN + 6] = 0;
	DG[DGN + 7] = 0;
	blob(DG + DGN + 8, msglen, seed);
	DGN += 8 + msglen;
	MSGN = msglen;
}

static void
send4(struct decoder *d, fs_time ts, uint16_t id, size_t off, size_t len, bool more)
{
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, (uint16_t)len, id, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	pb_bytes(&P, DG + off, len);
	dec_packet(d, 101, ts, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
}

/* IPv6 fragment, with a hop-by-hop header before the fragment header. */
static void
send6(struct decoder *d, fs_time ts, uint32_t id, size_t off, size_t len, bool more, uint8_t nh)
{
	pb_reset(&P);
	pb_ip6(&P, "2001:db8::53", "2001:db8::1", 0, (uint16_t)(8 + 8 + len));
	pb_u8(&P, 44);
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_u8(&P, nh);
	pb_u8(&P, 0);
	pb_u16(&P, (uint16_t)(off | (more ? 1 : 0)));
	pb_u32(&P, id);
	pb_bytes(&P, DG + off, len);
	dec_packet(d, 229, ts, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
}

/* The message of the current datagram arrived once, intact. */
static void
expect_message(int n)
{
	assert_int_equal(G.n, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(G.m[i].len, MSGN);
		assert_memory_equal(G.m[i].data, DG + DGN - MSGN, MSGN);
		assert_int_equal(G.m[i].meta.sport, 53);
		assert_int_equal(G.m[i].meta.dport, 40000);
	}
	got_clear(&G);
}

/* Three fragments of 1480, 1480 and the rest, sent in the order given. */
static void
three_v4(struct decoder *d, uint16_t id, const int order[3])
{
	size_t off[3] = { 0, 1480, 2960 }, len[3] = { 1480, 1480, DGN - 2960 };
	for (int i = 0; i < 3; i++)
		send4(d, 1000, id, off[order[i]], len[order[i]], order[i] != 2);
}

static void
three_v6(struct decoder *d, uint32_t id, const int order[3], uint8_t nh)
{
	size_t off[3] = { 0, 1448, 2896 }, len[3] = { 1448, 1448, DGN - 2896 };
	for (int i = 0; i < 3; i++)
		send6(d, 1000, id, off[order[i]], len[order[i]], order[i] != 2, nh);
}

static const int perms[6][3] = {
	{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};

static void
test_v4_every_order(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	make_datagram(4000, 1, 0);
	for (int p = 0; p < 6; p++) {
		three_v4(d, (uint16_t)(100 + p), perms[p]);
		expect_message(1);
	}
	const struct dec_stats *st = dec_stats(d);
	assert_int_equal(st->frags_seen, 18);
	assert_int_equal(st->frags_reassembled, 6);
	assert_int_equal(skipped_total(st), 0);
	assert_int_equal(d->frag.n, 0);
	dec_free(d);
}

static void
test_v6_every_order(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	make_datagram(4000, 2, 0);
	for (int p = 0; p < 6; p++) {
		three_v6(d, 7000u + (uint32_t)p, perms[p], 17);
		expect_message(1);
	}
	/* An extension header inside the fragmentable part (after the fragment header). */
	make_datagram(4000, 3, 16);
	three_v6(d, 9000, perms[4], 60);
	expect_message(1);
	assert_int_equal(dec_stats(d)->frags_reassembled, 7);
	assert_int_equal(skipped_total(dec_stats(d)), 0);
	dec_free(d);
}

static void
test_duplicates_and_overlaps(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	uint8_t keep[8];

	make_datagram(3500, 4, 0);
	/* Every fragment twice. */
	send4(d, 1, 1, 0, 1480, true);
	send4(d, 1, 1, 0, 1480, true);
	send4(d, 1, 1, 1480, 1480, true);
	send4(d, 1, 1, 1480, 1480, true);
	send4(d, 1, 1, 2960, DGN - 2960, false);
	expect_message(1);
	send4(d, 1, 1, 2960, DGN - 2960, false);   /* a late duplicate starts a new datagram */
	assert_int_equal(G.n, 0);
	assert_int_equal(dec_stats(d)->frags_overlapping, 2);

	/* Overlap with different bytes: the first copy wins. The second fragment starts 8 bytes
	 * early, carrying altered bytes for [1472, 1480). */
	make_datagram(3500, 5, 0);
	send4(d, 2, 2, 0, 1480, true);
	memcpy(keep, DG + 1472, 8);
	memset(DG + 1472, 0xee, 8);
	send4(d, 2, 2, 1472, 1488, true);
	memcpy(DG + 1472, keep, 8);
	send4(d, 2, 2, 2960, DGN - 2960, false);
	expect_message(1);
	assert_int_equal(dec_stats(d)->frags_overlapping, 3);

	/* The same for IPv6, overlapping the last fragment. */
	make_datagram(3500, 6, 0);
	send6(d, 3, 3, 0, 1448, true, 17);
	send6(d, 3, 3, 2896, DGN - 2896, false, 17);
	send6(d, 3, 3, 1448, 1456, true, 17);   /* 8 bytes into the last fragment's range */
	expect_message(1);
	dec_free(d);
}

static void
test_timeout(void **state)
{
	struct dec_config cfg;
	(void)state;
	dec_config_default(&cfg);
	cfg.frag_timeout_ms = 30000;
	struct decoder *d = dec_hooked(&cfg);

	make_datagram(2000, 7, 0);
	/* Within the timeout: completes. */
	send4(d, 0, 1, 0, 1480, true);
	send4(d, 29 * FS_USEC, 1, 1480, DGN - 1480, false);
	expect_message(1);
	/* Past it: the datagram expires before its second half arrives, and its first fragment
	 * is decoded from what it holds: the message cut after 1480 - 8 bytes, at its own time. */
	send4(d, 100 * FS_USEC, 2, 0, 1480, true);
	assert_int_equal(G.n, 0);
	send4(d, 131 * FS_USEC, 2, 1480, DGN - 1480, false);
	assert_int_equal(G.n, 1);
	assert_true(G.m[0].meta.cut);
	assert_int_equal(G.m[0].meta.ts, 100 * FS_USEC);
	assert_int_equal(G.m[0].len, 1480 - 8);
	assert_memory_equal(G.m[0].data, DG + 8, 1480 - 8);
	got_clear(&G);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_FRAG_DROPPED], 0);
	assert_int_equal(dec_stats(d)->cut_messages, 1);
	/* The orphan second half goes at the end of input: nothing to decode without the start. */
	dec_flush(d, NULL, NULL);
	assert_int_equal(G.n, 0);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_FRAG_DROPPED], 1);
	assert_int_equal(d->frag.n, 0);
	dec_free(d);
}

static void
test_datagram_bound(void **state)
{
	struct dec_config cfg;
	(void)state;
	dec_config_default(&cfg);
	cfg.frag_max_datagrams = 4;
	struct decoder *d = dec_hooked(&cfg);

	make_datagram(2000, 8, 0);
	for (uint16_t id = 1; id <= 6; id++)
		send4(d, id, id, 0, 1480, true);
	/* Datagrams 1 and 2 gave way to 5 and 6. */
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_FRAG_DROPPED], 2);
	assert_int_equal(d->frag.n, 4);
	send4(d, 10, 6, 1480, DGN - 1480, false);
	expect_message(1);
	send4(d, 10, 3, 1480, DGN - 1480, false);
	expect_message(1);
	send4(d, 10, 1, 1480, DGN - 1480, false);   /* its first half is gone */
	assert_int_equal(G.n, 0);
	dec_flush(d, NULL, NULL);
	/* 1 and 2 were evicted (dropped); at the end 4 and 5 are decoded from their first
	 * fragments (cut messages) and the orphan tail of 1 is dropped. */
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_FRAG_DROPPED], 3);
	assert_int_equal(G.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_true(G.m[i].meta.cut);
		assert_int_equal(G.m[i].len, 1480 - 8);
	}
	got_clear(&G);
	dec_free(d);
}

static void
test_byte_bound(void **state)
{
	struct dec_config cfg;
	(void)state;
	dec_config_default(&cfg);
	cfg.frag_max_bytes = 5000;
	struct decoder *d = dec_hooked(&cfg);

	make_datagram(4000, 9, 0);
	send4(d, 1, 1, 0, 1480, true);
	send4(d, 2, 2, 0, 1480, true);
	send4(d, 3, 3, 0, 1480, true);
	assert_int_equal(d->frag.bytes, 3 * 1480);
	/* Datagram 3 growing to 4440 bytes pushes the older ones out of the 5000-byte budget. */
	send4(d, 4, 3, 1480, 1480, true);
	assert_true(d->frag.bytes <= 5000);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_FRAG_DROPPED], 1);
	send4(d, 5, 3, 2960, DGN - 2960, false);
	expect_message(1);
	dec_free(d);
}

static void
test_inconsistent_and_bad(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	const struct dec_stats *st = dec_stats(d);

	make_datagram(3000, 10, 0);
	/* Two "last" fragments that disagree on the end: both and the datagram go. */
	send4(d, 1, 1, 1480, 800, false);
	send4(d, 1, 1, 1480, 1000, false);
	assert_int_equal(st->skipped[DEC_SKIP_FRAG_DROPPED], 2);
	/* Data past a known end. */
	send4(d, 1, 2, 1480, 800, false);
	send4(d, 1, 2, 2960, 16, true);
	assert_int_equal(st->skipped[DEC_SKIP_FRAG_DROPPED], 4);
	assert_int_equal(d->frag.n, 0);
	/* A middle fragment whose length is not a multiple of 8. */
	send4(d, 1, 3, 0, 1001, true);
	assert_int_equal(st->skipped[DEC_SKIP_BAD_IP], 1);
	/* Past the 65535-byte maximum. */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 16, 4, 0x1fff);
	pb_zero(&P, 16);
	dec_packet(d, 101, 1, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
	assert_int_equal(st->skipped[DEC_SKIP_BAD_IP], 2);
	/* A later fragment cut by the snaplen holds nothing that can be decoded. */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 1480, 5, 0x2000 | 1480 / 8);
	pb_bytes(&P, DG + 1480, 1480);
	dec_packet(d, 101, 1, P.b, 200, (uint32_t)P.len, 0, NULL, NULL);
	assert_int_equal(st->skipped[DEC_SKIP_TRUNCATED], 1);
	assert_int_equal(G.n, 0);
	/* An IPv6 fragment header inside a reassembled payload. */
	make_datagram(3000, 11, 0);
	DG[0] = 17;
	DG[1] = 0;
	DG[2] = 0;
	DG[3] = 0;
	three_v6(d, 77, perms[0], 44);
	assert_int_equal(G.n, 0);
	assert_int_equal(st->skipped[DEC_SKIP_BAD_IP], 3);
	dec_flush(d, NULL, NULL);
	assert_int_equal(d->frag.n, 0);
	dec_free(d);
}

static int n_answers, n_msgs;

static void
count_answers(void *ctx, const struct dns_msg *m)
{
	(void)ctx;
	n_msgs++;
	for (uint32_t i = 0; i < m->n_rr; i++)
		n_answers += m->rr[i].section == DNS_SEC_ANSWER && m->rr[i].type == DNS_TYPE_A &&
		             m->rr[i].addr.bytes[3] == 1;
	assert_true(m->malformed);
	assert_int_equal(m->ancount, 2);
}

/* A datagram that never completes is decoded from its first bytes: at once when the snaplen
 * cut the first fragment, at the end of input (or on timeout) when later fragments never
 * came; the contiguous bytes from offset 0 count, nothing after the first hole. */
static void
test_incomplete_prefix(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	const struct dec_stats *st = dec_stats(d);

	make_datagram(4000, 21, 0);
	/* IPv4 first fragment cut by the snapshot length: decoded from the 200 bytes captured. */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 1480, 6, 0x2000);
	pb_bytes(&P, DG, 1480);
	dec_packet(d, 101, 7, P.b, 20 + 200, (uint32_t)P.len, 0, NULL, NULL);
	assert_int_equal(G.n, 1);
	assert_true(G.m[0].meta.cut);
	assert_int_equal(G.m[0].len, 200 - 8);
	assert_memory_equal(G.m[0].data, DG + 8, 200 - 8);
	got_clear(&G);
	assert_int_equal(d->frag.n, 0);
	/* The rest of that datagram, uncut, can never complete it: dropped at the end. */
	send4(d, 8, 6, 1480, 1480, true);
	send4(d, 8, 6, 2960, DGN - 2960, false);
	assert_int_equal(G.n, 0);

	/* IPv6: the same, behind a hop-by-hop header. */
	pb_reset(&P);
	pb_ip6(&P, "2001:db8::53", "2001:db8::1", 0, (uint16_t)(8 + 8 + 1448));
	pb_u8(&P, 44);
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_u8(&P, 17);
	pb_u8(&P, 0);
	pb_u16(&P, 1);
	pb_u32(&P, 99);
	pb_bytes(&P, DG, 1448);
	dec_packet(d, 229, 9, P.b, 40 + 16 + 100, (uint32_t)P.len, 0, NULL, NULL);
	assert_int_equal(G.n, 1);
	assert_true(G.m[0].meta.cut);
	assert_int_equal(G.m[0].len, 100 - 8);
	assert_memory_equal(G.m[0].data, DG + 8, 100 - 8);
	got_clear(&G);

	/* Fragments 0 and 1 of three, the last never sent: 2960 bytes from offset 0. */
	send4(d, 10, 7, 1480, 1480, true);
	send4(d, 11, 7, 0, 1480, true);
	/* Fragments 0 and 2, the middle never sent: only the first fragment's bytes. */
	send6(d, 12, 8, 0, 1448, true, 17);
	send6(d, 12, 8, 2896, DGN - 2896, false, 17);
	assert_int_equal(G.n, 0);
	uint64_t dropped = st->skipped[DEC_SKIP_FRAG_DROPPED];
	dec_flush(d, NULL, NULL);
	/* Decoded: datagram 7 (2 fragments) and 8 (2 fragments); dropped: the 2 uncut fragments
	 * of datagram 6 and the second fragment of 8 (the first fragments yield the messages;
	 * fragment 1 of datagram 7 is inside its prefix but counted as dropped too). */
	assert_int_equal(st->skipped[DEC_SKIP_FRAG_DROPPED] - dropped, 2 + 1 + 1);
	assert_int_equal(G.n, 2);
	assert_int_equal(G.m[0].len, 2960 - 8);
	assert_memory_equal(G.m[0].data, DG + 8, 2960 - 8);
	assert_int_equal(G.m[0].meta.ts, 11);
	assert_int_equal(G.m[1].len, 1448 - 8);
	assert_memory_equal(G.m[1].data, DG + 8, 1448 - 8);
	assert_true(G.m[0].meta.cut && G.m[1].meta.cut);
	assert_int_equal(st->cut_messages, 4);
	got_clear(&G);
	assert_int_equal(d->frag.n, 0);
	dec_free(d);

	/* Through the DNS parser: a response cut after its first answer keeps that answer. */
	d = dec_new(NULL);
	static const uint8_t resp[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 2,
	};
	uint8_t big[1600];
	memset(big, 0, sizeof big);
	memcpy(big, resp, sizeof resp);
	/* UDP length as if the message were 1600 bytes; first fragment of 1480, the rest lost;
	 * cut mid-way through the second answer. */
	pb_reset(&P);
	pb_ip4(&P, "192.0.2.53", "10.0.0.1", 17, 1480, 9, 0x2000);
	pb_udp(&P, 53, 40000, (uint16_t)sizeof big);
	pb_bytes(&P, big, 1480 - 8);
	dec_packet(d, 101, 1, P.b, (uint32_t)(20 + 8 + sizeof resp - 3), (uint32_t)P.len, 0,
	           count_answers, NULL);
	assert_int_equal(n_msgs, 1);
	assert_int_equal(n_answers, 1);        /* 192.0.2.1 kept; 192.0.2.2 was cut */
	assert_int_equal(dec_stats(d)->dns_messages, 1);
	assert_int_equal(dec_stats(d)->cut_messages, 1);
	assert_int_equal(dec_stats(d)->partial_messages, 1);
	dec_free(d);
}

static void
test_atomic_and_ext_headers(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	make_datagram(100, 12, 0);
	/* Atomic fragment (offset 0, no more fragments): delivered at once. */
	send6(d, 1, 5, 0, DGN, false, 17);
	expect_message(1);
	assert_int_equal(dec_stats(d)->frags_seen, 0);

	/* Hop-by-hop, routing, destination options, AH, then UDP. */
	pb_reset(&P);
	pb_ip6(&P, "2001:db8::53", "2001:db8::1", 0, (uint16_t)(8 + 24 + 8 + 16 + DGN));
	pb_u8(&P, 43);
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_u8(&P, 60);
	pb_u8(&P, 2);          /* 24 bytes */
	pb_zero(&P, 22);
	pb_u8(&P, 51);
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_u8(&P, 17);
	pb_u8(&P, 2);          /* AH: (2 + 2) * 4 = 16 bytes */
	pb_zero(&P, 14);
	pb_bytes(&P, DG, DGN);
	dec_packet(d, 229, 1, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
	expect_message(1);

	/* IPv4 with options, and a total length of 0 (segmentation offload). */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, (uint16_t)(4 + DGN), 1, 0);
	P.b[0] = 0x46;
	pb_u32(&P, 0x01010101);   /* NOPs */
	pb_bytes(&P, DG, DGN);
	dec_packet(d, 101, 1, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
	expect_message(1);
	pb_put16(&P, 2, 0);
	dec_packet(d, 101, 1, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
	expect_message(1);
	assert_int_equal(skipped_total(dec_stats(d)), 0);
	dec_free(d);
}

/* Many datagrams in flight at once, their fragments interleaved. */
static void
test_interleaved(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	static uint8_t dgs[50][3500];
	uint64_t x = 12345;

	make_datagram(3000, 0, 0);
	for (int i = 0; i < 50; i++) {
		make_datagram(3000, (unsigned)i + 100, 0);
		memcpy(dgs[i], DG, DGN);
	}
	/* 150 fragments in a shuffled order. */
	int order[150];
	for (int i = 0; i < 150; i++)
		order[i] = i;
	for (int i = 149; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int j = (int)(x % (uint64_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < 150; k++) {
		int dg = order[k] / 3, part = order[k] % 3;
		memcpy(DG, dgs[dg], DGN);
		size_t off = (size_t)part * 1480, len = part == 2 ? DGN - 2960 : 1480;
		send4(d, 1, (uint16_t)(500 + dg), off, len, part != 2);
	}
	assert_int_equal(G.n, 50);
	for (int i = 0; i < 50; i++) {
		/* Each message's first two bytes carry its seed. */
		unsigned seed = (unsigned)G.m[i].data[0] << 8 | G.m[i].data[1];
		assert_true(seed >= 100 && seed < 150);
		assert_memory_equal(G.m[i].data, dgs[seed - 100] + 8, 3000);
	}
	assert_int_equal(d->frag.n, 0);
	dec_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v4_every_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_every_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_overlaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datagram_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent_and_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_and_ext_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
