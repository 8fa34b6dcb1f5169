/* dnstap payloads (protobuf, schema dnstap.proto from Debian's golang-github-dnstap-golang-dnstap-dev,
 * C code generated at build time by protoc-c) into feed frames for the decoder. protobuf-c
 * unpacks into a bump arena reset for every message, so nothing is allocated per message and
 * a hostile frame can use no more than the arena (then it is counted as bad protobuf). */
#include "capture/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnstap.pb-c.h"

#define ARENA_SIZE (4 * FSTRM_MAX_FRAME + 65536)

struct dnstap_dec {
	ProtobufCAllocator alloc;
	uint8_t *arena;
	size_t used;
};

static void *
arena_alloc(void *data, size_t size)
{
	struct dnstap_dec *dd = data;
	size_t a = (size + 15) & ~(size_t)15;

	if (size > ARENA_SIZE || a > ARENA_SIZE - dd->used)
		return NULL;
	void *p = dd->arena + dd->used;
	dd->used += a;
	return p;
}

static void
arena_free(void *data, void *p)
{
	(void)data;
	(void)p;   /* the whole arena is reset per message */
}

struct dnstap_dec *
dnstap_dec_new(void)
{
	struct dnstap_dec *dd = xcalloc(1, sizeof *dd);

	dd->arena = xmalloc(ARENA_SIZE);
	dd->alloc.alloc = arena_alloc;
	dd->alloc.free = arena_free;
	dd->alloc.allocator_data = dd;
	return dd;
}

void
dnstap_dec_free(struct dnstap_dec *dd)
{
	if (dd == NULL)
		return;
	free(dd->arena);
	free(dd);
}

static const char *
type_name(int t)
{
	switch (t) {
	case DNSTAP__MESSAGE__TYPE__AUTH_QUERY: return "AUTH_QUERY";
	case DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE: return "AUTH_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY: return "RESOLVER_QUERY";
	case DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE: return "RESOLVER_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__CLIENT_QUERY: return "CLIENT_QUERY";
	case DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE: return "CLIENT_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__FORWARDER_QUERY: return "FORWARDER_QUERY";
	case DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE: return "FORWARDER_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__STUB_QUERY: return "STUB_QUERY";
	case DNSTAP__MESSAGE__TYPE__STUB_RESPONSE: return "STUB_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__TOOL_QUERY: return "TOOL_QUERY";
	case DNSTAP__MESSAGE__TYPE__TOOL_RESPONSE: return "TOOL_RESPONSE";
	case DNSTAP__MESSAGE__TYPE__UPDATE_QUERY: return "UPDATE_QUERY";
	case DNSTAP__MESSAGE__TYPE__UPDATE_RESPONSE: return "UPDATE_RESPONSE";
	default: return "UNKNOWN";
	}
}

/* Which side of the resolver a message type shows. */
static uint8_t
type_view(int t)
{
	switch (t) {
	case DNSTAP__MESSAGE__TYPE__CLIENT_QUERY:
	case DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE:
	case DNSTAP__MESSAGE__TYPE__STUB_QUERY:
	case DNSTAP__MESSAGE__TYPE__STUB_RESPONSE:
	case DNSTAP__MESSAGE__TYPE__TOOL_QUERY:
	case DNSTAP__MESSAGE__TYPE__TOOL_RESPONSE:
	case DNSTAP__MESSAGE__TYPE__FORWARDER_QUERY:
	case DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE:
		return DEC_VIEW_CLIENT;
	case DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY:
	case DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE:
	case DNSTAP__MESSAGE__TYPE__AUTH_QUERY:
	case DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE:
		return DEC_VIEW_UPSTREAM;
	default:
		return DEC_VIEW_NONE;
	}
}

static bool
is_response(int t)
{
	return t == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE || t == DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE ||
	       t == DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE || t == DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE ||
	       t == DNSTAP__MESSAGE__TYPE__STUB_RESPONSE || t == DNSTAP__MESSAGE__TYPE__TOOL_RESPONSE ||
	       t == DNSTAP__MESSAGE__TYPE__UPDATE_RESPONSE;
}

static void
get_addr(const Dnstap__Message *m, protobuf_c_boolean has, const ProtobufCBinaryData *b, fs_addr *out)
{
	memset(out, 0, sizeof *out);
	if (!has)
		return;
	bool v6 = m->has_socket_family ? m->socket_family == DNSTAP__SOCKET_FAMILY__INET6 : b->len == 16;
	if (v6 && b->len == 16) {
		out->family = 6;
		memcpy(out->bytes, b->data, 16);
	} else if (!v6 && b->len == 4) {
		out->family = 4;
		memcpy(out->bytes, b->data, 4);
	}
}

static fs_time
get_time(protobuf_c_boolean has_s, uint64_t s, protobuf_c_boolean has_ns, uint32_t ns)
{
	if (!has_s)
		return 0;
	return cap_time(s > (uint64_t)CAP_MAX_SEC ? CAP_MAX_SEC : (int64_t)s,
	                has_ns && ns < 1000000000u ? ns / 1000 : 0);
}

enum dnstap_res
dnstap_to_frame(struct dnstap_dec *dd, const uint8_t *pb, size_t len, const char *fallback,
                uint8_t *out, size_t cap, size_t *out_len, fs_time *ts)
{
	char vantage[DEC_FEED_VANTAGE_MAX + 1];
	struct dec_feed_hdr h;
	fs_addr qa, ra;

	dd->used = 0;
	Dnstap__Dnstap *d = dnstap__dnstap__unpack(&dd->alloc, len, pb);
	if (d == NULL)
		return DT_BAD_PROTOBUF;
	if (d->type != DNSTAP__DNSTAP__TYPE__MESSAGE || d->message == NULL)
		return DT_NO_MESSAGE;
	const Dnstap__Message *m = d->message;
	bool resp = is_response((int)m->type);
	const ProtobufCBinaryData *dns = resp && m->has_response_message ? &m->response_message :
	                                 m->has_query_message ? &m->query_message : NULL;
	if (dns == NULL || dns->len == 0)
		return DT_NO_DNS;
	if (dns->len > 65535)
		return DT_TOO_BIG;
	bool is_resp_msg = dns == &m->response_message;

	get_addr(m, m->has_query_address, &m->query_address, &qa);
	get_addr(m, m->has_response_address, &m->response_address, &ra);
	memset(&h, 0, sizeof h);
	/* query_address is the initiator, response_address the responder */
	h.src = is_resp_msg ? ra : qa;
	h.dst = is_resp_msg ? qa : ra;
	uint16_t qp = m->has_query_port && m->query_port <= 65535 ? (uint16_t)m->query_port : 0;
	uint16_t rp = m->has_response_port && m->response_port <= 65535 ? (uint16_t)m->response_port : 0;
	h.sport = is_resp_msg ? rp : qp;
	h.dport = is_resp_msg ? qp : rp;
	h.transport = m->has_socket_protocol && m->socket_protocol != DNSTAP__SOCKET_PROTOCOL__UDP ? 6 : 17;
	h.view = type_view((int)m->type);

	/* the vantage: the resolver's identity (or the feed's name) and the message type */
	size_t o = 0;
	if (d->has_identity && d->identity.len > 0) {
		size_t n = d->identity.len < 120 ? d->identity.len : 120;
		memcpy(vantage, d->identity.data, n);
		o = n;
	} else
		o = (size_t)snprintf(vantage, 121, "%s", fallback != NULL ? fallback : "dnstap");
	if (o > 120)
		o = 120;
	snprintf(vantage + o, sizeof vantage - o, " %s", type_name((int)m->type));
	for (size_t i = 0; i < o; i++)   /* the decoder shows printable ASCII only; no NUL inside */
		if (vantage[i] == '\0')
			vantage[i] = '?';
	h.vantage = vantage;

	fs_time t = is_resp_msg ? get_time(m->has_response_time_sec, m->response_time_sec,
	                                   m->has_response_time_nsec, m->response_time_nsec) : 0;
	if (t == 0)
		t = get_time(m->has_query_time_sec, m->query_time_sec, m->has_query_time_nsec,
		             m->query_time_nsec);
	if (t == 0 && is_resp_msg == false)
		t = get_time(m->has_response_time_sec, m->response_time_sec, m->has_response_time_nsec,
		             m->response_time_nsec);
	*ts = t;
	*out_len = dec_feed_frame(out, cap, &h, dns->data, dns->len);
	return *out_len > 0 ? DT_OK : DT_TOO_BIG;
}
