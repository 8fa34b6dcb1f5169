/* DNS over TCP stream reassembly: messages split at every byte, coalesced, out of order,
 * retransmitted, with gaps, in the SYN (Fast Open), across the sequence-number wrap, with
 * trailing junk, resets, idle expiry and a full stream table. Checked byte for byte. */
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

/* A client's byte stream: length-prefixed messages back to back. */
#define NMSG_MAX 32
static uint8_t S[40000];
static size_t SN;
static size_t moff[NMSG_MAX], mlen[NMSG_MAX];   /* where each message (after its prefix) is */
static int nmsg;

static void
stream_reset(void)
{
	SN = 0;
	nmsg = 0;
}

static void
stream_add(size_t len, unsigned seed)
{
	S[SN++] = (uint8_t)(len >> 8);
	S[SN++] = (uint8_t)len;
	blob(S + SN, len, seed);
	moff[nmsg] = SN;
	mlen[nmsg++] = len;
	SN += len;
}

/* dir 0: client 10.0.0.1:port → 10.0.0.2:53; dir 1: the server's answer. */
static void
seg_port(struct decoder *d, fs_time ts, int dir, uint16_t port, uint32_t seq, uint8_t flags,
         const uint8_t *data, size_t len)
{
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	if (dir == 0) {
		pb_ip4(&P, "10.0.0.1", "10.0.0.2", 6, (uint16_t)(20 + len), 1, 0);
		pb_tcp(&P, port, 53, seq, flags);
	} else {
		pb_ip4(&P, "10.0.0.2", "10.0.0.1", 6, (uint16_t)(20 + len), 1, 0);
		pb_tcp(&P, 53, port, seq, flags);
	}
	pb_bytes(&P, data, len);
	dec_packet(d, 1, ts, P.b, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
}

static void
seg(struct decoder *d, uint32_t seq, uint8_t flags, const uint8_t *data, size_t len)
{
	seg_port(d, 1000, 0, 40000, seq, flags, data, len);
}

/* Stream bytes [a, b) as one segment, with the stream starting at isn + 1. */
static void
piece(struct decoder *d, uint32_t isn, size_t a, size_t b)
{
	seg(d, isn + 1 + (uint32_t)a, TH_ACK | TH_PSH, S + a, b - a);
}

/* Messages i0.. of the stream arrived, in order, once each. */
static void
expect_msgs(int i0, int n)
{
	if (G.n != n)
		fail_msg("%d messages delivered, %d expected", G.n, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(G.m[i].len, mlen[i0 + i]);
		assert_memory_equal(G.m[i].data, S + moff[i0 + i], mlen[i0 + i]);
		assert_int_equal(G.m[i].meta.transport, 6);
	}
	got_clear(&G);
}

static void
test_handshake_one_message(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	uint32_t isn = 1000, risn = 5000;

	stream_reset();
	stream_add(33, 1);
	seg(d, isn, TH_SYN, NULL, 0);
	seg_port(d, 1000, 1, 40000, risn, TH_SYN | TH_ACK, NULL, 0);
	seg(d, isn + 1, TH_ACK, NULL, 0);
	piece(d, isn, 0, SN);
	expect_msgs(0, 1);
	seg(d, isn + 1 + (uint32_t)SN, TH_ACK | TH_FIN, NULL, 0);
	const struct dec_stats *st = dec_stats(d);
	assert_int_equal(st->tcp_segments, 5);
	assert_int_equal(st->tcp_messages, 1);
	assert_int_equal(st->skipped[DEC_SKIP_EMPTY], 4);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 0);
	dec_flush(d, NULL, NULL);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 0);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 0);
	dec_free(d);
}

/* Two segments, cut at every possible byte: inside a prefix, between prefix and message
 * (the prefix alone), inside a message, between messages. */
static void
test_split_at_every_byte(void **state)
{
	(void)state;
	stream_reset();
	stream_add(40, 1);
	stream_add(300, 2);
	stream_add(17, 3);
	for (size_t cut = 1; cut < SN; cut++) {
		struct decoder *d = dec_hooked(NULL);
		seg(d, 99, TH_SYN, NULL, 0);
		piece(d, 99, 0, cut);
		piece(d, 99, cut, SN);
		expect_msgs(0, 3);
		dec_flush(d, NULL, NULL);
		assert_int_equal(skipped_total(dec_stats(d)), 1);   /* the SYN: empty */
		assert_int_equal(d->tcp.bytes <= 1024, true);
		dec_free(d);
	}
}

static void
test_coalesced_and_many_segments(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	stream_reset();
	for (int i = 0; i < 10; i++)
		stream_add(12 + (size_t)i * 37, (unsigned)i);
	seg(d, 7, TH_SYN, NULL, 0);
	piece(d, 7, 0, SN);                     /* ten messages in one segment */
	expect_msgs(0, 10);

	/* The same stream, one byte per segment. */
	seg_port(d, 1000, 0, 40001, 7, TH_SYN, NULL, 0);
	for (size_t i = 0; i < SN; i++)
		seg_port(d, 1000, 0, 40001, 8 + (uint32_t)i, TH_ACK, S + i, 1);
	expect_msgs(0, 10);
	dec_free(d);
}

static void
test_out_of_order(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ull;

	stream_reset();
	stream_add(100, 1);
	stream_add(1500, 2);
	stream_add(60, 3);
	stream_add(900, 4);
	/* Five segments in every one of 40 random orders. */
	size_t cuts[6] = { 0, 50, 700, 1620, 1700, SN };
	for (int round = 0; round < 40; round++) {
		int order[5] = { 0, 1, 2, 3, 4 };
		for (int i = 4; i > 0; i--) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int j = (int)(x % (uint64_t)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		struct decoder *d = dec_hooked(NULL);
		seg(d, 5, TH_SYN, NULL, 0);
		for (int i = 0; i < 5; i++)
			piece(d, 5, cuts[order[i]], cuts[order[i] + 1]);
		expect_msgs(0, 4);
		assert_int_equal(d->tcp.n, 1);
		assert_int_equal(d->tcp.oldest->n_ooo, 0);
		assert_int_equal(d->tcp.oldest->hi, 0);
		dec_free(d);
	}
}

static void
test_retransmissions(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	stream_reset();
	stream_add(200, 1);
	stream_add(200, 2);
	stream_add(200, 3);
	seg(d, 0, TH_SYN, NULL, 0);
	piece(d, 0, 0, 150);
	piece(d, 0, 0, 150);        /* exact duplicate */
	piece(d, 0, 100, 350);      /* overlaps the end of the first and completes message 0 */
	piece(d, 0, 0, 350);        /* everything again */
	piece(d, 0, 350, SN);
	piece(d, 0, 200, SN);       /* late copy of what is already delivered */
	expect_msgs(0, 3);
	assert_true(dec_stats(d)->tcp_retransmitted >= 4);
	/* A retransmitted SYN must not restart the stream. */
	seg(d, 0, TH_SYN, NULL, 0);
	piece(d, 0, 0, SN);
	assert_int_equal(G.n, 0);
	/* Retransmitted islands out of order. */
	seg_port(d, 1000, 0, 40002, 0, TH_SYN, NULL, 0);
	seg_port(d, 1000, 0, 40002, 1 + 300, TH_ACK, S + 300, SN - 300);
	seg_port(d, 1000, 0, 40002, 1 + 300, TH_ACK, S + 300, SN - 300);
	seg_port(d, 1000, 0, 40002, 1 + 250, TH_ACK, S + 250, 100);
	seg_port(d, 1000, 0, 40002, 1, TH_ACK, S, 250);
	expect_msgs(0, 3);
	dec_free(d);
}

/* A segment that never comes: the partial message before the gap is lost (counted), the
 * messages after it still arrive. */
static void
test_gap(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	const struct dec_stats *st = dec_stats(d);

	stream_reset();
	stream_add(100, 1);     /* [0, 102) */
	stream_add(100, 2);     /* [102, 204): its middle is lost */
	stream_add(100, 3);     /* [204, 306) */
	stream_add(100, 4);     /* [306, 408) */
	seg(d, 0, TH_SYN, NULL, 0);
	piece(d, 0, 0, 150);
	piece(d, 0, 204, 300);
	piece(d, 0, 300, SN);
	seg(d, 1 + (uint32_t)SN, TH_FIN | TH_ACK, NULL, 0);
	expect_msgs(0, 1);      /* the rest waits for the hole */
	dec_flush(d, NULL, NULL);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 1);
	assert_int_equal(G.n, 2);
	assert_memory_equal(G.m[0].data, S + moff[2], 100);
	assert_memory_equal(G.m[1].data, S + moff[3], 100);
	got_clear(&G);
	assert_int_equal(d->tcp.n, 0);
	dec_free(d);
}

static void
test_fast_open(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	stream_reset();
	stream_add(45, 9);
	seg(d, 777, TH_SYN, S, SN);            /* the query rides in the SYN */
	expect_msgs(0, 1);
	seg(d, 777, TH_SYN, S, SN);            /* SYN retransmitted with its data */
	assert_int_equal(G.n, 0);
	seg(d, 778 + (uint32_t)SN, TH_ACK | TH_FIN, NULL, 0);
	dec_flush(d, NULL, NULL);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_TCP_INCOMPLETE], 0);
	dec_free(d);
}

static void
test_sequence_wrap(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	uint32_t isn = 0xffffff00u;

	stream_reset();
	stream_add(200, 1);
	stream_add(200, 2);
	seg(d, isn, TH_SYN, NULL, 0);
	piece(d, isn, 250, SN);                /* after the wrap, out of order */
	piece(d, isn, 0, 250);                 /* before it */
	expect_msgs(0, 2);
	dec_free(d);
}

static void
test_two_directions(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	uint8_t resp[600];

	stream_reset();
	stream_add(30, 1);
	resp[0] = 2;
	resp[1] = 0x56;            /* 598: the rest of the 600 bytes */
	blob(resp + 2, 598, 77);
	seg(d, 10, TH_SYN, NULL, 0);
	seg_port(d, 1000, 1, 40000, 20, TH_SYN | TH_ACK, NULL, 0);
	seg_port(d, 1000, 1, 40000, 21, TH_ACK, resp, 300);     /* answer split around the query */
	piece(d, 10, 0, SN);
	seg_port(d, 1000, 1, 40000, 321, TH_ACK, resp + 300, 300);
	assert_int_equal(G.n, 2);
	assert_int_equal(G.m[0].meta.dport, 53);
	assert_memory_equal(G.m[0].data, S + 2, 30);
	assert_int_equal(G.m[1].meta.sport, 53);
	assert_int_equal(G.m[1].len, 598);
	assert_memory_equal(G.m[1].data, resp + 2, 598);
	got_clear(&G);
	assert_int_equal(dec_stats(d)->tcp_streams, 2);
	dec_free(d);
}

static void
test_junk_reset_expiry(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	const struct dec_stats *st = dec_stats(d);
	uint8_t junk[5] = { 0x41, 0x42, 0x43, 0x44, 0x45 };

	/* A message followed by junk, then FIN: the message, and the junk counted. */
	stream_reset();
	stream_add(50, 1);
	memcpy(S + SN, junk, 5);
	seg(d, 0, TH_SYN, NULL, 0);
	seg(d, 1, TH_ACK, S, SN + 5);
	seg(d, 1 + (uint32_t)SN + 5, TH_ACK | TH_FIN, NULL, 0);
	expect_msgs(0, 1);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 1);

	/* Half a message, then RST; a late copy of those bytes is recognised as old, and a new
	 * connection on the same ports starts afresh. */
	seg_port(d, 2000, 0, 41000, 0, TH_SYN, NULL, 0);
	seg_port(d, 2000, 0, 41000, 1, TH_ACK, S, 20);
	seg_port(d, 2000, 0, 41000, 21, TH_RST, NULL, 0);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 2);
	seg_port(d, 2000, 0, 41000, 1, TH_ACK, S, 20);
	assert_int_equal(G.n, 0);
	seg_port(d, 2000, 0, 41000, 90000, TH_SYN, NULL, 0);
	seg_port(d, 2000, 0, 41000, 90001, TH_ACK, S, SN);
	expect_msgs(0, 1);

	/* Half a message, then silence past the idle timeout. */
	seg_port(d, 3 * FS_USEC, 0, 42000, 0, TH_SYN, NULL, 0);
	seg_port(d, 3 * FS_USEC, 0, 42000, 1, TH_ACK, S, 20);
	seg_port(d, 200 * FS_USEC, 0, 43000, 0, TH_SYN, NULL, 0);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 3);
	assert_int_equal(d->tcp.n, 1);    /* only the newest remains */

	/* A zero length prefix is junk, the message after it is not. */
	uint8_t z[2 + 2 + 50];
	z[0] = z[1] = 0;
	memcpy(z + 2, S, 52);
	seg_port(d, 300 * FS_USEC, 0, 44000, 5, TH_ACK, z, sizeof z);   /* picked up mid-way */
	expect_msgs(0, 1);
	assert_int_equal(st->skipped[DEC_SKIP_MALFORMED_DNS], 1);
	dec_free(d);
}

static void
test_late_syn_and_midstream(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	stream_reset();
	stream_add(70, 1);
	stream_add(70, 2);
	/* Data first, its SYN captured after it: the stream is not restarted. */
	piece(d, 500, 0, 72);
	expect_msgs(0, 1);
	seg(d, 500, TH_SYN, NULL, 0);
	piece(d, 500, 72, SN);
	expect_msgs(1, 1);
	dec_free(d);
}

static void
test_bounds(void **state)
{
	struct dec_config cfg;
	(void)state;
	dec_config_default(&cfg);
	cfg.tcp_max_streams = 4;
	struct decoder *d = dec_hooked(&cfg);
	const struct dec_stats *st = dec_stats(d);

	stream_reset();
	stream_add(300, 1);
	/* Six connections with half a message each: the two least recent give way. */
	for (uint16_t p = 0; p < 6; p++) {
		seg_port(d, 1000 + p, 0, (uint16_t)(50000 + p), 0, TH_SYN, NULL, 0);
		seg_port(d, 1000 + p, 0, (uint16_t)(50000 + p), 1, TH_ACK, S, 100);
	}
	assert_int_equal(d->tcp.n, 4);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 2);
	seg_port(d, 2000, 0, 50005, 101, TH_ACK, S + 100, SN - 100);
	expect_msgs(0, 1);

	/* Data too far ahead of a hole for the per-direction cap: the hole is given up. */
	dec_free(d);
	d = dec_hooked(NULL);
	st = dec_stats(d);
	stream_reset();
	stream_add(300, 1);
	stream_add(300, 2);
	seg(d, 0, TH_SYN, NULL, 0);
	piece(d, 0, 0, 100);                                /* half of message 0 */
	seg(d, 1 + 400000, TH_ACK, S + 302, SN - 302);      /* message 1, 400 kB later */
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 1);
	expect_msgs(1, 1);

	/* More out-of-order islands than kept: the oldest gaps are given up, counted, and what
	 * arrives for them later is old. Every odd message is an island, sent last first. */
	dec_free(d);
	d = dec_hooked(NULL);
	st = dec_stats(d);
	stream_reset();
	for (int i = 0; i < 24; i++)
		stream_add(50, (unsigned)i);
	seg(d, 0, TH_SYN, NULL, 0);
	for (int i = 23; i >= 1; i -= 2)
		piece(d, 0, moff[i] - 2, moff[i] + 50);
	piece(d, 0, 0, 52);
	dec_flush(d, NULL, NULL);
	assert_true(st->skipped[DEC_SKIP_TCP_DROPPED] >= 1);
	/* Whatever arrived is correct, in order, once; the islands kept to the end all arrive. */
	int last = -1;
	for (int i = 0; i < G.n; i++) {
		unsigned seed = (unsigned)G.m[i].data[0] << 8 | G.m[i].data[1];
		assert_true((int)seed > last && seed % 2 == 1);
		last = (int)seed;
		assert_memory_equal(G.m[i].data, S + moff[seed], 50);
	}
	assert_int_equal(last, 23);
	assert_true(G.n >= TCP_MAX_RANGES);
	got_clear(&G);
	dec_flush(d, NULL, NULL);
	assert_int_equal(d->tcp.n, 0);
	dec_free(d);
}

/* Stream bytes [a, b) as one segment of which the capture kept only the first `keep` data
 * bytes (the frame's caplen is below its length on the wire). */
static void
cut_piece(struct decoder *d, size_t a, size_t b, size_t keep)
{
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "10.0.0.1", "10.0.0.2", 6, (uint16_t)(20 + b - a), 1, 0);
	pb_tcp(&P, 40000, 53, (uint32_t)(1 + a), TH_ACK | TH_PSH);
	pb_bytes(&P, S + a, b - a);
	uint8_t *copy = malloc(54 + keep);     /* exact size: ASan sees any read past the cut */
	memcpy(copy, P.b, 54 + keep);
	dec_packet(d, 1, 1000, copy, (uint32_t)(54 + keep), (uint32_t)P.len, 0, NULL, NULL);
	free(copy);
}

/* The first n bytes of message i arrived, marked cut. */
static void
expect_cut(int i, size_t n)
{
	if (G.n != 1)
		fail_msg("%d messages delivered, 1 expected", G.n);
	assert_true(G.m[0].meta.cut);
	assert_int_equal(G.m[0].len, n);
	assert_memory_equal(G.m[0].data, S + moff[i], n);
	got_clear(&G);
}

/* Segments cut by the snapshot length: the message the cut falls in is delivered from the
 * bytes present and the stream goes on where its length prefix says it ends; when the cut
 * hides where the next message starts, the direction is given up (counted) until a new SYN. */
static void
test_cut_segments(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	const struct dec_stats *st = dec_stats(d);

	stream_reset();
	stream_add(200, 1);      /* 0: one segment, cut */
	stream_add(300, 2);      /* 1: whole */
	stream_add(300, 3);      /* 2: two segments, both cut */
	stream_add(40, 4);       /* 3: whole */
	stream_add(60, 5);       /* 4 and 5 in one segment, cut inside 5 */
	stream_add(90, 6);
	stream_add(30, 7);       /* 6: whole */
	seg(d, 0, TH_SYN, NULL, 0);
	size_t o = 0;
	cut_piece(d, o, o + 202, 50);
	expect_cut(0, 48);
	o += 202;
	cut_piece(d, o, o + 302, 302);
	expect_msgs(1, 1);
	o += 302;
	uint64_t rx = st->tcp_retransmitted;
	cut_piece(d, o, o + 150, 40);
	expect_cut(2, 38);
	cut_piece(d, o + 150, o + 302, 40);      /* the rest of message 2: skipped, silently */
	assert_int_equal(G.n, 0);
	assert_int_equal(st->tcp_retransmitted, rx);
	o += 302;
	cut_piece(d, o, o + 42, 42);
	expect_msgs(3, 1);
	o += 42;
	cut_piece(d, o, o + 62 + 92, 62 + 2 + 10);
	assert_int_equal(G.n, 2);
	assert_false(G.m[0].meta.cut);
	assert_int_equal(G.m[0].len, 60);
	assert_memory_equal(G.m[0].data, S + moff[4], 60);
	assert_true(G.m[1].meta.cut);
	assert_int_equal(G.m[1].len, 10);
	assert_memory_equal(G.m[1].data, S + moff[5], 10);
	got_clear(&G);
	o += 62 + 92;
	cut_piece(d, o, o + 32, 32);
	expect_msgs(6, 1);
	assert_int_equal(st->cut_messages, 3);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 0);
	seg(d, 1 + (uint32_t)SN, TH_ACK | TH_FIN, NULL, 0);
	dec_flush(d, NULL, NULL);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_INCOMPLETE], 0);
	dec_free(d);

	/* Cut inside a length prefix: where the message ends is unknown, so nothing after it is
	 * decoded (rather than guessed) until the connection starts again. */
	d = dec_hooked(NULL);
	st = dec_stats(d);
	stream_reset();
	stream_add(50, 8);
	stream_add(50, 9);
	stream_add(50, 10);
	seg(d, 0, TH_SYN, NULL, 0);
	cut_piece(d, 0, 52 + 52, 52 + 1);
	expect_msgs(0, 1);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 1);
	cut_piece(d, 104, 156, 52);
	assert_int_equal(G.n, 0);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 2);
	/* A new connection on the same ports decodes again. */
	seg(d, 7000, TH_SYN, NULL, 0);
	seg(d, 7001, TH_ACK | TH_PSH, S, 52);
	expect_msgs(0, 1);

	/* A cut exactly at a message boundary hides the next prefix: the same. */
	seg(d, 9000, TH_SYN, NULL, 0);
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "10.0.0.1", "10.0.0.2", 6, 20 + 104, 1, 0);
	pb_tcp(&P, 40000, 53, 9001, TH_ACK | TH_PSH);
	pb_bytes(&P, S, 104);
	dec_packet(d, 1, 1000, P.b, 54 + 52, (uint32_t)P.len, 0, NULL, NULL);
	expect_msgs(0, 1);
	assert_int_equal(st->skipped[DEC_SKIP_TCP_DROPPED], 3);

	/* A segment of which not one data byte was captured. */
	seg(d, 9000 + 104, TH_SYN, NULL, 0);
	cut_piece(d, 0, 52, 0);
	assert_int_equal(st->skipped[DEC_SKIP_TRUNCATED], 1);
	assert_int_equal(G.n, 0);
	dec_free(d);

	/* Every cut length of a two-message segment: never a read past the cut, and every byte
	 * delivered is the stream's own. */
	stream_reset();
	stream_add(70, 11);
	stream_add(70, 12);
	for (size_t keep = 0; keep <= SN; keep++) {
		d = dec_hooked(NULL);
		seg(d, 0, TH_SYN, NULL, 0);
		cut_piece(d, 0, SN, keep);
		/* Expected: message 0 whole once its 72 bytes are in, cut before; message 1 cut once
		 * its prefix is in (from byte 74), whole at 144. */
		int want = keep < 2 ? 0 : keep < 74 ? 1 : 2;
		assert_int_equal(G.n, want);
		for (int i = 0; i < want; i++) {
			size_t have = keep - (size_t)i * 72 - 2;
			size_t n = have < 70 ? have : 70;
			assert_int_equal(G.m[i].len, n);
			assert_memory_equal(G.m[i].data, S + moff[i], n);
			assert_int_equal(G.m[i].meta.cut, n < 70);
		}
		got_clear(&G);
		dec_free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake_one_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_at_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesced_and_many_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk_reset_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_syn_and_midstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_segments, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
