/* The per-test fixture of the decoder tests that look at what reaches DNS (test_link,
 * test_linktypes, test_ip, test_tcp): G collects every payload the decoder hands on (got_hook
 * of pktbuild.h), emptied before and freed after each test; Q holds a DNS query for the tests
 * to wrap in link layers, and the helpers that wrap it and check what comes out. */
#ifndef FLUXSCOPE_TEST_GOTFIX_H
#define FLUXSCOPE_TEST_GOTFIX_H

#include <stdlib.h>
#include <string.h>

#include "unit/decode/pktbuild.h"

static struct got G;
static uint8_t Q[512];
static size_t QN;

static inline int
setup(void **state)
{
	(void)state;
	QN = dns_query(Q, 0x1234, "www.example.com");
	memset(&G, 0, sizeof G);
	return 0;
}

static inline int
teardown(void **state)
{
	(void)state;
	got_clear(&G);
	return 0;
}

/* A decoder (cfg NULL: the defaults) whose payloads go to G. */
static inline struct decoder *
dec_hooked(const struct dec_config *cfg)
{
	struct decoder *d = dec_new(cfg);
	dec_set_payload_hook(d, got_hook, &G);
	return d;
}

/* Feed one frame of link type lt: an exact-size copy, so ASan sees any read past the frame. */
static inline void
feed(struct decoder *d, int lt, const struct pb *p)
{
	uint8_t *copy = malloc(p->len ? p->len : 1);
	memcpy(copy, p->b, p->len);
	dec_packet(d, lt, 1000000, copy, (uint32_t)p->len, (uint32_t)p->len, 0, NULL, NULL);
	free(copy);
}

/* IPv4/UDP 10.0.0.1:40000 -> 10.0.0.2:53 carrying the query. */
static inline void
ip4_udp_query(struct pb *p)
{
	pb_ip4(p, "10.0.0.1", "10.0.0.2", 17, (uint16_t)(8 + QN), 1, 0);
	pb_udp(p, 40000, 53, (uint16_t)QN);
	pb_bytes(p, Q, QN);
}

/* The same over IPv6, 2001:db8::1 -> 2001:db8::2. */
static inline void
ip6_udp_query(struct pb *p)
{
	pb_ip6(p, "2001:db8::1", "2001:db8::2", 17, (uint16_t)(8 + QN));
	pb_udp(p, 40000, 53, (uint16_t)QN);
	pb_bytes(p, Q, QN);
}

/* Exactly one message arrived, the whole query, from 10.0.0.1 (or 2001:db8::1); G emptied. */
static inline void
expect_query(int family)
{
	char a[FS_ADDR_STRLEN], b[FS_ADDR_STRLEN];

	if (G.n != 1)
		fail_msg("%d messages, 1 expected", G.n);
	assert_int_equal(G.m[0].len, QN);
	assert_memory_equal(G.m[0].data, Q, QN);
	assert_false(G.m[0].meta.cut);
	assert_int_equal(G.m[0].meta.transport, 17);
	assert_int_equal(G.m[0].meta.sport, 40000);
	assert_int_equal(G.m[0].meta.dport, 53);
	fs_addr_str(&G.m[0].meta.src, a, sizeof a);
	fs_addr_str(&G.m[0].meta.dst, b, sizeof b);
	assert_string_equal(a, family == 4 ? "10.0.0.1" : "2001:db8::1");
	assert_string_equal(b, family == 4 ? "10.0.0.2" : "2001:db8::2");
	got_clear(&G);
}

/* p holds a link header: the query follows over IPv4 or IPv6, the frame goes to d as link
 * type lt, and exactly the query must come out. */
static inline void
expect_query_after(struct decoder *d, int lt, struct pb *p, int family)
{
	if (family == 4)
		ip4_udp_query(p);
	else
		ip6_udp_query(p);
	feed(d, lt, p);
	expect_query(family);
}

#endif
