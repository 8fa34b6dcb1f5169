/* Internals of the probe module: the extracted form of an answer, and the transport. */
#ifndef FLUXSCOPE_PROBE_INT_H
#define FLUXSCOPE_PROBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/decode.h"
#include "fluxscope/probe.h"

/* One record of an answer, copied out of the decoder's scratch (owned by the probe_ans). */
struct probe_rec {
	char *owner;
	uint16_t type;
	uint8_t section;            /* enum dns_section */
	uint32_t ttl;
	fs_addr addr;               /* A/AAAA */
	char *target;               /* NS/CNAME target, NULL otherwise */
};

struct probe_ans {
	uint16_t rcode;
	bool aa, tc;
	struct probe_rec *rec;
	size_t n, cap;
};

/* Replace *out by the records of msg (questions and OPT left out). */
void probe_extract(const struct dns_msg *msg, struct probe_ans *out);
void probe_ans_clear(struct probe_ans *a);

#define PROBE_SRVLIST_MAX 16
struct probe_srvlist {
	fs_addr addr[PROBE_SRVLIST_MAX];
	char name[PROBE_SRVLIST_MAX][256];
	size_t n;
};

enum probe_net_kind {
	PROBE_NET_ANSWER = 0,
	PROBE_NET_TIMEOUT,
	PROBE_NET_UNREACHABLE,      /* ICMP error, connection refused, no route */
	PROBE_NET_ERROR,            /* the query could not be built or sent */
	PROBE_NET_STOPPED
};

struct probe_net_result {
	enum probe_net_kind kind;
	uint8_t *wire;              /* the answer (malloc'ed; caller frees) */
	size_t len;
	bool tc, tcp;
	fs_addr local;              /* the address and port the query left from */
	uint16_t local_port;
	uint32_t mismatched;        /* datagrams or messages dropped: not the answer to the query */
	int sys_errno;
};

struct probe;
/* Send one query (built with ldns: EDNS 1232, RD when rd) over UDP, or TCP when tcp, and wait
 * at most timeout_ms for the answer whose ID and question match (checked with the project's
 * decoder `dec`). Ends early with PROBE_NET_STOPPED when the probe is asked to stop. */
void probe_net_query(struct probe *p, const fs_addr *addr, uint16_t port, const char *qname,
                     uint16_t qtype, bool rd, bool tcp, int timeout_ms, struct decoder *dec,
                     struct probe_net_result *r);

bool probe_stopping(struct probe *p);
bool probe_name_under(const char *a, const char *b);
/* qname that ldns can turn into wire format */
bool probe_qname_ok(const char *name);
const char *probe_rcode_str(uint16_t rcode);

#endif
