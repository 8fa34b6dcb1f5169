/* The probe's transport: queries built with ldns, sent over connected UDP or TCP sockets;
 * answers checked (ID, QR, question) with the project's decoder before they are handed back. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "decode/wire.h"
#include "probe/probe_int.h"

#define EDNS_SIZE 1232
#define SLICE_MS 100

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
probe_ans_clear(struct probe_ans *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->rec[i].owner);
		free(a->rec[i].target);
	}
	a->n = 0;
	free(a->rec);
	a->rec = NULL;
	a->cap = 0;
}

void
probe_extract(const struct dns_msg *msg, struct probe_ans *out)
{
	for (size_t i = 0; i < out->n; i++) {
		free(out->rec[i].owner);
		free(out->rec[i].target);
	}
	out->n = 0;
	out->rcode = msg->rcode;
	out->aa = msg->aa;
	out->tc = msg->tc;
	for (uint32_t i = 0; i < msg->n_rr; i++) {
		const struct dns_rr *rr = &msg->rr[i];
		if (rr->section == DNS_SEC_QUESTION || rr->type == DNS_TYPE_OPT || rr->name == NULL)
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 16;
			out->rec = xreallocarray(out->rec, out->cap, sizeof *out->rec);
		}
		struct probe_rec *r = &out->rec[out->n++];
		memset(r, 0, sizeof *r);
		r->owner = xstrdup(rr->name);
		r->type = rr->type;
		r->section = rr->section;
		r->ttl = rr->ttl;
		r->addr = rr->addr;
		if (rr->type == DNS_TYPE_NS || rr->type == DNS_TYPE_CNAME)
			r->target = dup_or_null(rr->target);
	}
}

const char *
probe_rcode_str(uint16_t rcode)
{
	static _Thread_local char buf[16];
	return dns_rcode_name(rcode, buf);
}

bool
probe_qname_ok(const char *name)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	if (dn == NULL)
		return false;
	ldns_rdf_deep_free(dn);
	return true;
}

/* The query in wire format (malloc'ed), its ID in *id. */
static uint8_t *
build_query(const char *qname, uint16_t qtype, bool rd, uint16_t *id, size_t *len)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(qname);
	uint8_t *wire = NULL;
	uint16_t rid;

	if (dn == NULL)
		return NULL;
	ldns_pkt *q = ldns_pkt_query_new(dn, (ldns_rr_type)qtype, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0);
	if (q == NULL)
		return NULL;
	if (getrandom(&rid, sizeof rid, 0) != (ssize_t)sizeof rid)
		rid = (uint16_t)(fs_mono_us() ^ (fs_mono_us() >> 16));
	ldns_pkt_set_id(q, rid);
	ldns_pkt_set_edns_udp_size(q, EDNS_SIZE);
	if (ldns_pkt2wire(&wire, q, len) != LDNS_STATUS_OK)
		wire = NULL;
	ldns_pkt_free(q);
	*id = rid;
	return wire;
}

static socklen_t
to_sockaddr(const fs_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof *s4;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof *s6;
}

static void
local_of(int fd, struct probe_net_result *r)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	memset(&r->local, 0, sizeof r->local);
	r->local_port = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
		r->local.family = 4;
		memcpy(r->local.bytes, &s4->sin_addr, 4);
		r->local_port = ntohs(s4->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		r->local.family = 6;
		memcpy(r->local.bytes, &s6->sin6_addr, 16);
		r->local_port = ntohs(s6->sin6_port);
	}
}

static bool
unreachable_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN ||
	       e == ENETDOWN || e == ECONNRESET || e == EADDRNOTAVAIL || e == EAFNOSUPPORT;
}

/* Wait for fd to be ready for `ev` until the monotonic deadline; 1 ready, 0 timeout, -1 stop. */
static int
wait_fd(struct probe *p, int fd, short ev, double deadline)
{
	for (;;) {
		if (probe_stopping(p))
			return -1;
		double left = deadline - fs_mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = fd, .events = ev };
		int n = poll(&pfd, 1, left > SLICE_MS ? SLICE_MS : (int)left + 1);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 1;   /* let the read report the error */
	}
}

/* Is `buf` the answer to our query? Decoded with the project's reader, never overlaid. */
static bool
matches(struct decoder *dec, const uint8_t *buf, size_t len, uint16_t id, const char *qname,
        uint16_t qtype, bool *tc)
{
	struct dns_msg m;
	if (len < 12 || len > 65535 || !dec_dns_message(dec, buf, (uint32_t)len, &m))
		return false;
	if (!m.qr || m.id != id || m.opcode != 0)
		return false;
	/* a REFUSED or FORMERR answer may come without the question */
	if (m.qname == NULL)
		return m.qdcount == 0 && m.rcode != 0;
	if (strcmp(m.qname, qname) != 0 || m.qtype != qtype)
		return false;
	*tc = m.tc;
	return true;
}

static void
query_udp(struct probe *p, int fd, const uint8_t *q, size_t qlen, uint16_t id, const char *qname,
          uint16_t qtype, double deadline, struct decoder *dec, struct probe_net_result *r)
{
	uint8_t *buf = xmalloc(65536);

	if (send(fd, q, qlen, 0) < 0) {
		r->sys_errno = errno;
		r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
		free(buf);
		return;
	}
	for (;;) {
		int w = wait_fd(p, fd, POLLIN, deadline);
		if (w <= 0) {
			r->kind = w < 0 ? PROBE_NET_STOPPED : PROBE_NET_TIMEOUT;
			break;
		}
		ssize_t n = recv(fd, buf, 65536, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r->sys_errno = errno;
			r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
			break;
		}
		bool tc = false;
		if (!matches(dec, buf, (size_t)n, id, qname, qtype, &tc)) {
			r->mismatched++;
			continue;
		}
		r->kind = PROBE_NET_ANSWER;
		r->tc = tc;
		r->len = (size_t)n;
		r->wire = xmalloc((size_t)n);
		memcpy(r->wire, buf, (size_t)n);
		break;
	}
	free(buf);
}

/* Write all of buf before the deadline; false on error/timeout/stop (r->kind set). */
static bool
send_all(struct probe *p, int fd, const uint8_t *buf, size_t len, double deadline,
         struct probe_net_result *r)
{
	size_t off = 0;
	while (off < len) {
		int w = wait_fd(p, fd, POLLOUT, deadline);
		if (w <= 0) {
			r->kind = w < 0 ? PROBE_NET_STOPPED : PROBE_NET_TIMEOUT;
			return false;
		}
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r->sys_errno = errno;
			r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
			return false;
		}
		off += (size_t)n;
	}
	return true;
}

static bool
recv_all(struct probe *p, int fd, uint8_t *buf, size_t len, double deadline,
         struct probe_net_result *r)
{
	size_t off = 0;
	while (off < len) {
		int w = wait_fd(p, fd, POLLIN, deadline);
		if (w <= 0) {
			r->kind = w < 0 ? PROBE_NET_STOPPED : PROBE_NET_TIMEOUT;
			return false;
		}
		ssize_t n = recv(fd, buf + off, len - off, 0);
		if (n == 0) {   /* closed before the answer: the server would not serve us */
			r->kind = PROBE_NET_UNREACHABLE;
			r->sys_errno = ECONNRESET;
			return false;
		}
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r->sys_errno = errno;
			r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
			return false;
		}
		off += (size_t)n;
	}
	return true;
}

static void
query_tcp(struct probe *p, int fd, const uint8_t *q, size_t qlen, uint16_t id, const char *qname,
          uint16_t qtype, double deadline, struct decoder *dec, struct probe_net_result *r)
{
	uint8_t *out = xmalloc(qlen + 2);
	uint8_t pre[2];

	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, q, qlen);
	bool ok = send_all(p, fd, out, qlen + 2, deadline, r);
	free(out);
	if (!ok)
		return;
	/* one connection, one question: messages that are not the answer are skipped (at most a
	 * few, then the server is not answering us) */
	for (int k = 0; k < 4; k++) {
		struct wire w;
		if (!recv_all(p, fd, pre, 2, deadline, r))
			return;
		wire_init(&w, pre, 2);
		uint16_t mlen = wire_u16be(&w);
		uint8_t *buf = xmalloc(mlen ? mlen : 1);
		if (!recv_all(p, fd, buf, mlen, deadline, r)) {
			free(buf);
			return;
		}
		bool tc = false;
		if (matches(dec, buf, mlen, id, qname, qtype, &tc)) {
			r->kind = PROBE_NET_ANSWER;
			r->tc = false;   /* over TCP nothing more can be asked */
			r->tcp = true;
			r->wire = buf;
			r->len = mlen;
			return;
		}
		free(buf);
		r->mismatched++;
	}
	r->kind = PROBE_NET_TIMEOUT;
}

void
probe_net_query(struct probe *p, const fs_addr *addr, uint16_t port, const char *qname,
                uint16_t qtype, bool rd, bool tcp, int timeout_ms, struct decoder *dec,
                struct probe_net_result *r)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(addr, port, &ss);
	double deadline = fs_mono_ms() + timeout_ms;
	uint16_t id;
	size_t qlen = 0;
	int fd;

	memset(r, 0, sizeof *r);
	r->tcp = tcp;
	uint8_t *q = build_query(qname, qtype, rd, &id, &qlen);
	if (q == NULL) {
		r->kind = PROBE_NET_ERROR;
		return;
	}
	fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r->sys_errno = errno;
		r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
		free(q);
		return;
	}
	/* connected: the kernel drops datagrams from other sources and reports ICMP errors */
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		r->sys_errno = errno;
		r->kind = unreachable_errno(errno) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
		goto out;
	}
	if (tcp) {
		int w = wait_fd(p, fd, POLLOUT, deadline);
		if (w <= 0) {
			r->kind = w < 0 ? PROBE_NET_STOPPED : PROBE_NET_TIMEOUT;
			goto out;
		}
		int soerr = 0;
		socklen_t el = sizeof soerr;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 || soerr != 0) {
			r->sys_errno = soerr;
			r->kind = unreachable_errno(soerr) ? PROBE_NET_UNREACHABLE : PROBE_NET_ERROR;
			goto out;
		}
	}
	local_of(fd, r);
	if (tcp)
		query_tcp(p, fd, q, qlen, id, qname, qtype, deadline, dec, r);
	else
		query_udp(p, fd, q, qlen, id, qname, qtype, deadline, dec, r);
out:
	close(fd);
	free(q);
}
