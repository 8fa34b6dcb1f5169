/* The probe module: server parsing, the private-address rule, and hostile answers. A resolver
 * on loopback (a thread of this test) answers every query with a burst: garbage, the answer
 * with a wrong ID, the answer to another question, a lone header, and only then the right
 * answer. The probe must drop the four strays (counted), take the right answer into the store,
 * and never ask the nameserver whose address is loopback (refused-private). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "fluxscope/probe.h"
#include "fluxscope/store.h"

static void
test_parse_server(void **state)
{
	fs_addr a;
	uint16_t port;
	struct fs_err err;
	char b[64];
	(void)state;

	assert_int_equal(probe_parse_server("192.0.2.1", "--resolver", &a, &port, &err), FS_OK);
	assert_int_equal(a.family, 4);
	assert_int_equal(port, 53);
	assert_int_equal(probe_parse_server("192.0.2.1:5353", "--resolver", &a, &port, &err), FS_OK);
	assert_int_equal(port, 5353);
	assert_int_equal(probe_parse_server("2001:db8::1", "--resolver", &a, &port, &err), FS_OK);
	assert_int_equal(a.family, 6);
	assert_int_equal(port, 53);
	assert_int_equal(probe_parse_server("[2001:db8::1]:853", "--resolver", &a, &port, &err), FS_OK);
	assert_string_equal(fs_addr_str(&a, b, sizeof b), "2001:db8::1");
	assert_int_equal(port, 853);
	const char *badv[] = { "", "300.1.1.1", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:x",
	                       "[2001:db8::1", "[2001:db8::1]x", "name.example", "1.2.3.4:53:1" };
	for (size_t i = 0; i < sizeof badv / sizeof badv[0]; i++) {
		assert_int_equal(probe_parse_server(badv[i], "--resolver", &a, &port, &err), FS_E_ARG);
		assert_non_null(strstr(err.msg, "--resolver"));
	}
}

static bool
priv(const char *s)
{
	fs_addr a;
	assert_int_equal(fs_addr_parse(s, &a), 0);
	return probe_addr_is_private(&a);
}

static void
test_private(void **state)
{
	(void)state;
	const char *yes[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
	                      "127.11.0.1", "169.254.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1",
	                      "255.255.255.255", "192.0.2.7", "198.51.100.1", "203.0.113.9",
	                      "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
	                      "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2001:db8::5", "64:ff9b::a00:1",
	                      "2002:c0a8:101::1" };
	const char *no[] = { "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "45.1.0.10",
	                     "2001:4860:4860::8888", "::ffff:8.8.8.8", "2606:4700::1111",
	                     "64:ff9b::808:808" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!priv(yes[i]))
			fail_msg("%s should be refused", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (priv(no[i]))
			fail_msg("%s should be allowed", no[i]);
}

/* ---- a hostile resolver on loopback ------------------------------------------------------ */

struct responder {
	int fd;
	uint16_t port;
	_Atomic bool quit;
	_Atomic int queries;
};

static size_t
answer(const uint8_t *q, size_t qlen, uint16_t id, const char *qname_override, uint8_t *out,
       size_t cap)
{
	ldns_pkt *qp = NULL, *ap;
	uint8_t *w = NULL;
	size_t wl = 0;
	char rr[300];

	if (ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK)
		return 0;
	ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(qp), 0);
	char *qn = ldns_rdf2str(ldns_rr_owner(qrr));
	ldns_rr_type t = ldns_rr_get_type(qrr);
	const char *name = qname_override ? qname_override : qn;
	ap = ldns_pkt_new();
	ldns_pkt_set_id(ap, id);
	ldns_pkt_set_qr(ap, true);
	ldns_pkt_set_rd(ap, true);
	ldns_pkt_set_ra(ap, true);
	ldns_rr *qcopy = ldns_rr_new_frm_type(t);
	ldns_rr_set_owner(qcopy, ldns_dname_new_frm_str(name));
	ldns_rr_set_question(qcopy, true);
	ldns_pkt_push_rr(ap, LDNS_SECTION_QUESTION, qcopy);
	if (t == LDNS_RR_TYPE_NS && strcmp(qn, "probe.test.") == 0)
		snprintf(rr, sizeof rr, "%s 60 IN NS ns1.probe.test.", name);
	else if (t == LDNS_RR_TYPE_A && strcmp(qn, "ns1.probe.test.") == 0)
		snprintf(rr, sizeof rr, "%s 60 IN A 127.0.0.99", name);
	else if (t == LDNS_RR_TYPE_A)
		snprintf(rr, sizeof rr, "%s 60 IN A 45.1.2.3", name);
	else
		rr[0] = '\0';
	if (rr[0]) {
		ldns_rr *a = NULL;
		if (ldns_rr_new_frm_str(&a, rr, 0, NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(ap, LDNS_SECTION_ANSWER, a);
	}
	if (ldns_pkt2wire(&w, ap, &wl) != LDNS_STATUS_OK || wl > cap)
		wl = 0;
	else
		memcpy(out, w, wl);
	free(w);
	free(qn);
	ldns_pkt_free(ap);
	ldns_pkt_free(qp);
	return wl;
}

static void *
responder_main(void *arg)
{
	struct responder *r = arg;
	uint8_t q[4096], a[4096];

	while (!atomic_load(&r->quit)) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(r->fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		if (n < 12)
			continue;
		atomic_fetch_add(&r->queries, 1);
		uint16_t id = (uint16_t)(q[0] << 8 | q[1]);
		static const uint8_t junk[] = { 0xde, 0xad, 0xbe };
		sendto(r->fd, junk, sizeof junk, 0, (struct sockaddr *)&from, fl);
		size_t l = answer(q, (size_t)n, (uint16_t)(id ^ 0x5a5a), NULL, a, sizeof a);
		sendto(r->fd, a, l, 0, (struct sockaddr *)&from, fl);
		l = answer(q, (size_t)n, id, "other.test.", a, sizeof a);
		sendto(r->fd, a, l, 0, (struct sockaddr *)&from, fl);
		uint8_t hdr[12] = { q[0], q[1], 0x81, 0x80 };   /* QR, no question, NOERROR */
		sendto(r->fd, hdr, sizeof hdr, 0, (struct sockaddr *)&from, fl);
		l = answer(q, (size_t)n, id, NULL, a, sizeof a);
		sendto(r->fd, a, l, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void
test_hostile_resolver(void **state)
{
	struct responder r = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sin;
	pthread_t th;
	struct probe *p;
	struct fs_err err = { 0 };
	(void)state;

	r.fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(r.fd >= 0);
	assert_int_equal(bind(r.fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(r.fd, (struct sockaddr *)&sin, &sl), 0);
	r.port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&th, NULL, responder_main, &r), 0);

	struct store *s = store_new(NULL);
	struct probe_config pc = { .name = "Probe.Test.", .count = 2, .interval_s = 0.1,
	                           .per_server_qps = 20, .timeout_ms = 1000 };
	fs_addr_parse("127.0.0.1", &pc.resolver);
	pc.resolver_port = r.port;
	assert_int_equal(probe_new(&pc, s, &p, &err), FS_OK);
	assert_int_equal(probe_run(p, &err), FS_OK);
	atomic_store(&r.quit, true);
	pthread_join(th, NULL);
	close(r.fd);

	/* the resolver and the loopback nameserver, never asked */
	assert_int_equal(probe_n_servers(p), 2);
	const struct probe_server *res = probe_server(p, 0), *ns = probe_server(p, 1);
	assert_true(res->is_resolver);
	assert_int_equal(res->state, PROBE_SRV_OK);
	assert_int_equal(res->sent, (uint32_t)atomic_load(&r.queries));
	assert_int_equal(res->answers, res->sent);
	/* four strays per query; the lone header may still be in flight when the answer is taken,
	 * so at least three per query and at most four */
	assert_true(res->mismatched >= 3 * res->sent);
	assert_true(res->mismatched <= 4 * res->sent);
	assert_string_equal(ns->ns_name, "ns1.probe.test");
	assert_int_equal(ns->state, PROBE_SRV_REFUSED_PRIVATE);
	assert_int_equal(ns->sent, 0);

	/* NS probe.test, A and AAAA of ns1, then 2 rounds of A, AAAA, NS */
	assert_int_equal(res->sent, 3 + 2 * 3);
	store_dom_id d = store_domain_find(s, "probe.test");
	assert_int_not_equal(d, 0);
	const struct store_domain *dom = store_domain(s, d);
	assert_int_equal(dom->n_responses, 1 + 2 * 3);
	assert_int_equal(dom->ext->n_addrs, 1);
	char b[64];
	assert_string_equal(fs_addr_str(&store_addr(s, dom->ext->addrs[0].addr)->addr, b, sizeof b), "45.1.2.3");
	/* the responses' resolver is the server asked, at its address */
	assert_string_equal(fs_addr_str(&store_addr(s, dom->resp[0].resolver)->addr, b, sizeof b), "127.0.0.1");
	assert_int_equal(store_domain_find(s, "other.test"), 0);
	probe_free(p);
	store_free(s);
}

static void
test_config_errors(void **state)
{
	struct probe *p;
	struct fs_err err;
	(void)state;
	struct probe_config pc = { .name = "a..b" };
	assert_int_not_equal(probe_new(&pc, NULL, &p, &err), FS_OK);
	assert_non_null(strstr(err.msg, "--probe"));
	pc.name = "ok.test";
	pc.resolv_conf = "/nonexistent/resolv.conf";
	assert_int_not_equal(probe_new(&pc, NULL, &p, &err), FS_OK);
	assert_non_null(strstr(err.msg, "/nonexistent/resolv.conf"));
	pc.mode = PROBE_ITERATIVE;
	pc.resolver_only = true;
	assert_int_equal(probe_new(&pc, NULL, &p, &err), FS_E_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_server),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_hostile_resolver),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
