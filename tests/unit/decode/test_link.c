/* Link layers and tunnels, each from hand-built frames: what the packet path extracts (seen
 * through the payload hook), the skip reason when it extracts nothing, truncation at every
 * length, and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit/decode/gotfix.h"


static struct pb P;

static void
test_ethernet(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	pb_reset(&P);
	pb_eth(&P, 0x0800);
	expect_query_after(d, 1, &P, 4);

	pb_reset(&P);
	pb_eth(&P, 0x86dd);
	expect_query_after(d, 1, &P, 6);

	/* Minimum-size frame padding and a trailing FCS are not part of the message. */
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	pb_u32(&P, 0xcafebabe);
	pb_zero(&P, 20);
	feed(d, 1, &P);
	expect_query(4);

	const struct dec_stats *st = dec_stats(d);
	assert_int_equal(st->packets, 3);
	assert_int_equal(st->dns_messages, 3);
	assert_int_equal(st->udp_messages, 3);
	assert_int_equal(skipped_total(st), 0);
	dec_free(d);
}

static void
test_vlan_any_depth(void **state)
{
	static const uint16_t tpid[] = { 0x8100, 0x88a8, 0x9100, 0x9200, 0x9300 };
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (int depth = 1; depth <= 8; depth++) {
		pb_reset(&P);
		pb_eth(&P, tpid[(depth - 1) % 5]);
		for (int i = 1; i < depth; i++) {
			pb_u16(&P, (uint16_t)(100 + i));          /* TCI */
			pb_u16(&P, tpid[i % 5]);
		}
		pb_u16(&P, 11);
		pb_u16(&P, depth % 2 ? 0x0800 : 0x86dd);
		if (depth % 2)
			ip4_udp_query(&P);
		else
			ip6_udp_query(&P);
		feed(d, 1, &P);
		expect_query(depth % 2 ? 4 : 6);
	}
	/* A tag stack that runs off the end of the frame is truncated, not misread. */
	pb_reset(&P);
	pb_eth(&P, 0x8100);
	pb_u16(&P, 1);
	pb_u16(&P, 0x8100);
	pb_u16(&P, 2);
	feed(d, 1, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_TRUNCATED], 1);
	assert_int_equal(G.n, 0);
	dec_free(d);
}

static void
test_llc_snap_mpls_pppoe(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* 802.3 length + LLC/SNAP carrying IPv4 */
	pb_reset(&P);
	pb_eth(&P, 100);
	pb_u8(&P, 0xaa);
	pb_u8(&P, 0xaa);
	pb_u8(&P, 0x03);
	pb_zero(&P, 3);
	pb_u16(&P, 0x0800);
	expect_query_after(d, 1, &P, 4);

	/* 802.3 + plain LLC (spanning tree): not IP */
	pb_reset(&P);
	pb_eth(&P, 38);
	pb_u8(&P, 0x42);
	pb_u8(&P, 0x42);
	pb_u8(&P, 0x03);
	pb_zero(&P, 35);
	feed(d, 1, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_IP], 1);

	/* MPLS: two labels, bottom of stack on the second */
	pb_reset(&P);
	pb_eth(&P, 0x8847);
	pb_u32(&P, (16u << 12) | 64);
	pb_u32(&P, (17u << 12) | 0x100 | 64);
	expect_query_after(d, 1, &P, 6);

	/* PPPoE session, PPP protocol 0x0021 */
	pb_reset(&P);
	pb_eth(&P, 0x8864);
	pb_u8(&P, 0x11);
	pb_u8(&P, 0);
	pb_u16(&P, 0x1234);
	pb_u16(&P, (uint16_t)(2 + 20 + 8 + QN));
	pb_u16(&P, 0x0021);
	expect_query_after(d, 1, &P, 4);

	/* ARP */
	pb_reset(&P);
	pb_eth(&P, 0x0806);
	pb_zero(&P, 28);
	feed(d, 1, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_IP], 2);
	dec_free(d);
}

static void
test_linux_cooked(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* SLL (113): packet type, ARPHRD, address length, address, protocol */
	pb_reset(&P);
	pb_u16(&P, 0);
	pb_u16(&P, 1);
	pb_u16(&P, 6);
	pb_zero(&P, 8);
	pb_u16(&P, 0x0800);
	expect_query_after(d, 113, &P, 4);

	/* SLL whose protocol is a VLAN tag */
	pb_reset(&P);
	pb_u16(&P, 4);
	pb_u16(&P, 1);
	pb_u16(&P, 6);
	pb_zero(&P, 8);
	pb_u16(&P, 0x8100);
	pb_u16(&P, 7);
	pb_u16(&P, 0x86dd);
	expect_query_after(d, 113, &P, 6);

	/* SLL2 (276): protocol, reserved, ifindex, ARPHRD, packet type, address length, address */
	pb_reset(&P);
	pb_u16(&P, 0x86dd);
	pb_u16(&P, 0);
	pb_u32(&P, 3);
	pb_u16(&P, 1);
	pb_u8(&P, 0);
	pb_u8(&P, 6);
	pb_zero(&P, 8);
	expect_query_after(d, 276, &P, 6);

	/* Short cooked headers */
	pb_reset(&P);
	pb_zero(&P, 15);
	feed(d, 113, &P);
	feed(d, 276, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_TRUNCATED], 2);
	dec_free(d);
}

static void
test_raw_ip_every_value(void **state)
{
	static const int raw[] = { 12, 14, 101 };
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (size_t i = 0; i < 3; i++) {
		pb_reset(&P);
		ip4_udp_query(&P);
		feed(d, raw[i], &P);
		expect_query(4);
		pb_reset(&P);
		ip6_udp_query(&P);
		feed(d, raw[i], &P);
		expect_query(6);
	}
	pb_reset(&P);
	expect_query_after(d, 228, &P, 4);
	feed(d, 229, &P);          /* an IPv4 packet under LINKTYPE_IPV6 is not an IPv6 header */
	assert_int_equal(G.n, 0);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_BAD_IP], 1);
	pb_reset(&P);
	expect_query_after(d, 229, &P, 6);
	feed(d, 228, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_BAD_IP], 2);
	/* Raw with a version nibble that is neither 4 nor 6 */
	P.b[0] = 0x55;
	feed(d, 101, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_IP], 1);
	dec_free(d);
}

static void
test_null_and_loop_both_orders(void **state)
{
	static const uint32_t af6[] = { 10, 23, 24, 28, 30 };
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	for (int lt = 0; lt <= 108; lt += 108) {
		for (int le = 0; le < 2; le++) {
			pb_reset(&P);
			if (le)
				pb_u32le(&P, 2);
			else
				pb_u32(&P, 2);
			ip4_udp_query(&P);
			feed(d, lt, &P);
			expect_query(4);
			for (size_t i = 0; i < 5; i++) {
				pb_reset(&P);
				if (le)
					pb_u32le(&P, af6[i]);
				else
					pb_u32(&P, af6[i]);
				ip6_udp_query(&P);
				feed(d, lt, &P);
				expect_query(6);
			}
		}
	}
	pb_reset(&P);
	pb_u32(&P, 17);        /* AF_IPX-ish: not IP */
	ip4_udp_query(&P);
	feed(d, 0, &P);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_IP], 1);
	dec_free(d);
}

static void
test_ppp_and_hdlc(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	pb_reset(&P);
	pb_u8(&P, 0xff);
	pb_u8(&P, 0x03);
	pb_u16(&P, 0x0021);
	expect_query_after(d, 9, &P, 4);

	pb_reset(&P);
	pb_u8(&P, 0x21);        /* protocol-field compression */
	expect_query_after(d, 50, &P, 4);

	pb_reset(&P);
	pb_u16(&P, 0x0057);
	expect_query_after(d, 9, &P, 6);

	pb_reset(&P);
	pb_u8(&P, 0x0f);
	pb_u8(&P, 0x00);
	pb_u16(&P, 0x86dd);
	expect_query_after(d, 104, &P, 6);
	dec_free(d);
}

static void
test_tunnels(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	size_t inner = 14 + 20 + 8 + QN;

	/* VXLAN: outer IPv4/UDP to 4789, inner Ethernet/IPv4/UDP/DNS */
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 17, (uint16_t)(8 + 8 + inner), 9, 0);
	pb_udp(&P, 55555, 4789, (uint16_t)(8 + inner));
	pb_u8(&P, 0x08);
	pb_zero(&P, 3);
	pb_u32(&P, 42u << 8);
	pb_eth(&P, 0x0800);
	expect_query_after(d, 1, &P, 4);

	/* VXLAN without the I flag is not followed */
	P.b[14 + 20 + 8] = 0;
	feed(d, 1, &P);
	assert_int_equal(G.n, 0);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_DNS], 1);

	/* GRE with key, protocol IPv6 */
	pb_reset(&P);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 47, (uint16_t)(8 + 40 + 8 + QN), 9, 0);
	pb_u16(&P, 0x2000);
	pb_u16(&P, 0x86dd);
	pb_u32(&P, 77);
	expect_query_after(d, 101, &P, 6);

	/* GRE transparent Ethernet bridging */
	pb_reset(&P);
	pb_ip6(&P, "2001:db8::a", "2001:db8::b", 47, (uint16_t)(4 + 14 + 20 + 8 + QN));
	pb_u16(&P, 0);
	pb_u16(&P, 0x6558);
	pb_eth(&P, 0x0800);
	expect_query_after(d, 229, &P, 4);

	/* IPv6 in IPv4 (6in4) and IPv4 in IPv6 */
	pb_reset(&P);
	pb_ip4(&P, "192.0.2.1", "192.0.2.2", 41, (uint16_t)(40 + 8 + QN), 9, 0);
	expect_query_after(d, 228, &P, 6);
	pb_reset(&P);
	pb_ip6(&P, "2001:db8::a", "2001:db8::b", 4, (uint16_t)(20 + 8 + QN));
	expect_query_after(d, 229, &P, 4);
	assert_int_equal(dec_stats(d)->encapsulated, 5);

	/* Nesting deeper than the bound stops, counted */
	pb_reset(&P);
	for (int i = 0; i < 6; i++)
		pb_ip4(&P, "192.0.2.1", "192.0.2.2", 4, (uint16_t)((5 - i) * 20 + 20 + 8 + QN), 9, 0);
	ip4_udp_query(&P);
	feed(d, 101, &P);
	assert_int_equal(G.n, 0);
	assert_int_equal(dec_stats(d)->skipped[DEC_SKIP_NOT_UDP_TCP], 1);
	dec_free(d);
}

static void
test_unknown_linktypes_counted(void **state)
{
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	pb_reset(&P);
	ip4_udp_query(&P);
	feed(d, 147, &P);
	feed(d, 147, &P);
	feed(d, 147, &P);
	feed(d, 148, &P);
	feed(d, 6, &P);         /* Token Ring */
	feed(d, 1000, &P);
	feed(d, 9999, &P);      /* a fifth distinct value: counted, value not kept */
	const struct dec_stats *st = dec_stats(d);
	assert_int_equal(st->skipped[DEC_SKIP_LINKTYPE], 7);
	assert_int_equal(st->linktype_unknown_value[0], 147);
	assert_int_equal(st->linktypes_unknown[0], 3);
	assert_int_equal(st->linktype_unknown_value[1], 148);
	assert_int_equal(st->linktype_unknown_value[2], 6);
	assert_int_equal(st->linktype_unknown_value[3], 1000);
	assert_int_equal(st->linktypes_unknown[3], 1);
	assert_int_equal(G.n, 0);
	dec_free(d);
}

static void
test_ports_and_reasons(void **state)
{
	struct dec_config cfg;
	struct fs_err err;
	(void)state;
	struct decoder *d = dec_hooked(NULL);

	/* DNS port on the source side only: a response */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, (uint16_t)(8 + QN), 1, 0);
	pb_udp(&P, 53, 40000, (uint16_t)QN);
	pb_bytes(&P, Q, QN);
	feed(d, 101, &P);
	assert_int_equal(G.n, 1);
	got_clear(&G);

	/* NTP */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 8 + 48, 1, 0);
	pb_udp(&P, 123, 123, 48);
	pb_zero(&P, 48);
	feed(d, 101, &P);
	/* ICMP */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 1, 8, 1, 0);
	pb_zero(&P, 8);
	feed(d, 101, &P);
	/* UDP/53 without payload */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 8, 1, 0);
	pb_udp(&P, 40000, 53, 0);
	feed(d, 101, &P);
	/* UDP length below its own header */
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.2", "10.0.0.1", 17, 8 + 4, 1, 0);
	pb_u16(&P, 40000);
	pb_u16(&P, 53);
	pb_u16(&P, 5);
	pb_u16(&P, 0);
	pb_zero(&P, 4);
	feed(d, 101, &P);
	/* IPv4 header length below 20 */
	pb_reset(&P);
	ip4_udp_query(&P);
	P.b[0] = 0x44;
	feed(d, 101, &P);
	/* IPv6 "no next header" */
	pb_reset(&P);
	pb_ip6(&P, "::1", "::2", 59, 0);
	feed(d, 229, &P);

	const struct dec_stats *st = dec_stats(d);
	assert_int_equal(st->skipped[DEC_SKIP_NOT_DNS], 1);
	assert_int_equal(st->skipped[DEC_SKIP_NOT_UDP_TCP], 2);
	assert_int_equal(st->skipped[DEC_SKIP_EMPTY], 1);
	assert_int_equal(st->skipped[DEC_SKIP_BAD_L4], 1);
	assert_int_equal(st->skipped[DEC_SKIP_BAD_IP], 1);
	assert_int_equal(st->packets, 7);
	assert_int_equal(st->dns_messages + skipped_total(st), 7);
	dec_free(d);

	/* --dns-port 5353,5355: port 53 is no longer DNS */
	dec_config_default(&cfg);
	assert_int_equal(dec_config_set_ports(&cfg, "5353,5355,5353", &err), FS_OK);
	assert_int_equal(cfg.n_dns_ports, 2);
	d = dec_hooked(&cfg);
	pb_reset(&P);
	ip4_udp_query(&P);
	feed(d, 101, &P);
	assert_int_equal(G.n, 0);
	pb_reset(&P);
	pb_ip4(&P, "10.0.0.1", "224.0.0.251", 17, (uint16_t)(8 + QN), 1, 0);
	pb_udp(&P, 5353, 5353, (uint16_t)QN);
	pb_bytes(&P, Q, QN);
	feed(d, 101, &P);
	assert_int_equal(G.n, 1);
	got_clear(&G);
	dec_free(d);

	assert_int_equal(dec_config_set_ports(&cfg, "53,", &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "--dns-port"));
	assert_int_equal(dec_config_set_ports(&cfg, "0", &err), FS_E_ARG);
	assert_int_equal(dec_config_set_ports(&cfg, "65536", &err), FS_E_ARG);
	assert_int_equal(dec_config_set_ports(&cfg, "99999999999999999999", &err), FS_E_ARG);
	assert_int_equal(dec_config_set_ports(&cfg, "", &err), FS_E_ARG);
	assert_int_equal(dec_config_set_ports(&cfg, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &err),
	                 FS_E_ARG);
	assert_int_equal(dec_config_set_ports(&cfg, "65535", &err), FS_OK);
	for (int r = 0; r < DEC_SKIP_COUNT; r++) {
		assert_true(strlen(dec_skip_name((enum dec_skip)r)) > 0);
		assert_true(strlen(dec_skip_text((enum dec_skip)r)) > 0);
	}
	assert_string_equal(dec_skip_name(DEC_SKIP_MALFORMED_DNS), "malformed-dns");
}

/* Cut a UDP frame at every length: each cut frame ends in exactly one outcome (a message,
 * partial if the cut fell in the payload, or one skip) and never reads past the cut. */
static void
cut_everywhere(int lt, const struct pb *full, size_t payload_off)
{
	for (size_t len = 0; len <= full->len; len++) {
		struct decoder *d = dec_hooked(NULL);
		uint8_t *copy = malloc(len ? len : 1);   /* exact size: ASan sees any overread */
		memcpy(copy, full->b, len);
		dec_packet(d, lt, 1, copy, (uint32_t)len, (uint32_t)full->len, 0, NULL, NULL);
		const struct dec_stats *st = dec_stats(d);
		assert_int_equal(st->dns_messages + skipped_total(st), 1);
		if (len > payload_off) {
			assert_int_equal(G.n, 1);
			assert_int_equal(G.m[0].len, len - payload_off);
			assert_memory_equal(G.m[0].data, full->b + payload_off, len - payload_off);
		} else {
			assert_int_equal(G.n, 0);
		}
		got_clear(&G);
		free(copy);
		dec_free(d);
	}
}

static void
test_truncated_at_every_length(void **state)
{
	(void)state;

	pb_reset(&P);
	pb_eth(&P, 0x8100);
	pb_u16(&P, 5);
	pb_u16(&P, 0x0800);
	ip4_udp_query(&P);
	cut_everywhere(1, &P, 18 + 20 + 8);

	pb_reset(&P);
	pb_u16(&P, 0x86dd);
	pb_u16(&P, 0);
	pb_u32(&P, 3);
	pb_u16(&P, 1);
	pb_u8(&P, 0);
	pb_u8(&P, 6);
	pb_zero(&P, 8);
	pb_ip6(&P, "2001:db8::1", "2001:db8::2", 0, (uint16_t)(8 + 8 + 8 + QN));
	pb_u8(&P, 60);                  /* hop-by-hop → destination options → UDP */
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_u8(&P, 17);
	pb_u8(&P, 0);
	pb_zero(&P, 6);
	pb_udp(&P, 40000, 53, (uint16_t)QN);
	pb_bytes(&P, Q, QN);
	cut_everywhere(276, &P, 20 + 40 + 16 + 8);
}

/* Hostile input: random frames under every link type and bit-flipped valid frames. Nothing
 * may crash or read out of bounds (ASan), and every frame is counted. */
static void
test_garbage(void **state)
{
	static const int lts[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276, 147 };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t frame[1600];
	(void)state;
	struct decoder *d = dec_hooked(NULL);
	unsigned n = 0;

	for (int round = 0; round < 3000; round++) {
		for (size_t k = 0; k < sizeof lts / sizeof lts[0]; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t len = (size_t)(x % sizeof frame);
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				frame[i] = (uint8_t)x;
			}
			/* Half the time, start like a real IPv4/IPv6 header so deeper layers get hit. */
			if ((x & 1) && len > 0)
				frame[0] = (x & 2) ? 0x45 : 0x60;
			uint8_t *copy = malloc(len ? len : 1);
			memcpy(copy, frame, len);
			dec_packet(d, lts[k], (fs_time)round * 1000, copy, (uint32_t)len, (uint32_t)len, 0,
			           NULL, NULL);
			free(copy);
			n++;
			if (G.n > 400)
				got_clear(&G);
		}
	}
	/* Bit flips over a valid Ethernet/IPv4/UDP/DNS frame. */
	pb_reset(&P);
	pb_eth(&P, 0x0800);
	ip4_udp_query(&P);
	for (size_t bit = 0; bit < P.len * 8; bit++) {
		uint8_t *copy = malloc(P.len);
		memcpy(copy, P.b, P.len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		dec_packet(d, 1, 5000000, copy, (uint32_t)P.len, (uint32_t)P.len, 0, NULL, NULL);
		free(copy);
		n++;
		if (G.n > 400)
			got_clear(&G);
	}
	dec_flush(d, NULL, NULL);
	assert_int_equal(dec_stats(d)->packets, n);
	dec_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ethernet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_any_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llc_snap_mpls_pppoe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_cooked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_ip_every_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_and_loop_both_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppp_and_hdlc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tunnels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_linktypes_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_and_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_at_every_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
