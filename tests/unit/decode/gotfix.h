/* The per-test fixture of the decoder tests that look at what reaches DNS (test_link,
 * test_linktypes, test_ip, test_tcp): G collects every payload the decoder hands on (got_hook
 * of pktbuild.h), emptied before and freed after each test; Q holds a DNS query for the tests
 * to wrap in link layers. */
#ifndef FLUXSCOPE_TEST_GOTFIX_H
#define FLUXSCOPE_TEST_GOTFIX_H

#include "unit/decode/pktbuild.h"

static struct got G;
static uint8_t Q[512];
static size_t QN;

static int
setup(void **state)
{
	(void)state;
	QN = dns_query(Q, 0x1234, "www.example.com");
	memset(&G, 0, sizeof G);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	got_clear(&G);
	return 0;
}

/* A decoder (cfg NULL: the defaults) whose payloads go to G. */
static struct decoder *
dec_hooked(const struct dec_config *cfg)
{
	struct decoder *d = dec_new(cfg);
	dec_set_payload_hook(d, got_hook, &G);
	return d;
}

#endif
