/* Active probing (include/fluxscope/probe.h): delegation, rounds, rate limits, store hand-off.
 * ldns builds the queries; the transport (connected UDP and TCP sockets, so the kernel filters
 * the source and ICMP errors tell "unreachable" from "no answer") is in src/probe/net.c; every
 * answer is parsed by the project's decoder (dec_dns_message) before anything reads it. */
#include "fluxscope/probe.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fluxscope/decode.h"
#include "probe/probe_int.h"

#define MAX_NS_NAMES 64
#define ITER_MAX_STEPS 24
#define ITER_MAX_DEPTH 2

/* The root servers' IPv4 addresses (IANA root hints, named.root), for iterative mode. */
static const char *const root_v4[] = {
	"198.41.0.4", "170.247.170.2", "192.33.4.12", "199.7.91.13", "192.203.230.10",
	"192.5.5.241", "192.112.36.4", "198.97.190.53", "192.36.148.17", "192.58.128.30",
	"193.0.14.129", "199.7.83.42", "202.12.27.33",
};

struct psrv {
	struct probe_server pub;
	bool authoritative;         /* answered with AA at least once */
	int silent_in_round;        /* consecutive timeouts in this round */
};

struct probe {
	struct probe_config cfg;
	char *name;                 /* lower case, no trailing dot */
	struct store *store;
	struct decoder *dec;

	pthread_mutex_t mu;         /* guards prog, srv growth, stop */
	pthread_cond_t cv;
	_Atomic bool stop;
	pthread_t thread;
	bool thread_started;
	_Atomic bool done;
	struct probe_progress prog;
	struct fs_err err;

	struct psrv *srv;  size_t n_srv, cap_srv;   /* [0] is the resolver in resolver mode */
	char *ns_names[MAX_NS_NAMES]; size_t n_ns;
	char zone[256];
	double global_next_ms;
	struct limit { fs_addr addr; uint16_t port; double next_ok_ms; } *lim;
	size_t n_lim, cap_lim;      /* per destination (address and port) rate limits */
	uint32_t round_min_ttl;     /* smallest TTL of A/AAAA/NS answer records this round */
	struct probe_ans last;      /* the last answer, extracted */
};

const char *
probe_state_name(enum probe_state st)
{
	switch (st) {
	case PROBE_SRV_PENDING: return "not-asked";
	case PROBE_SRV_OK: return "answering";
	case PROBE_SRV_LAME: return "lame";
	case PROBE_SRV_REFUSING: return "refusing";
	case PROBE_SRV_SERVFAIL: return "servfail";
	case PROBE_SRV_NO_ANSWER: return "no-answer";
	case PROBE_SRV_UNREACHABLE: return "unreachable";
	case PROBE_SRV_REFUSED_PRIVATE: return "refused-private";
	case PROBE_SRV_COUNT: break;
	}
	return "?";
}

/* ---- names and addresses ---------------------------------------------------------------- */

/* Lower-case, drop one trailing dot; NULL when empty or over 253 characters. */
static char *
norm_name(const char *s)
{
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return NULL;
	char *r = xstrndup(s, n);
	for (char *c = r; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return r;
}

/* a is b or under b ("." encloses everything) */
bool
probe_name_under(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (strcmp(b, ".") == 0)
		return true;
	if (la < lb || strcmp(a + la - lb, b) != 0)
		return false;
	return la == lb || a[la - lb - 1] == '.';
}

static const char *
parent_name(const char *n)
{
	const char *dot = strchr(n, '.');
	while (dot != NULL && dot > n && dot[-1] == '\\')   /* escaped dot inside a label */
		dot = strchr(dot + 1, '.');
	return dot != NULL && dot[1] != '\0' ? dot + 1 : ".";
}

static bool
in4(const uint8_t *b, uint8_t a0, uint8_t a1, int bits)
{
	uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	uint32_t net = (uint32_t)a0 << 24 | (uint32_t)a1 << 16;
	uint32_t mask = bits == 0 ? 0 : ~0u << (32 - bits);
	return (v & mask) == (net & mask);
}

static bool
v4_private(const uint8_t *b)
{
	if (in4(b, 0, 0, 8) || in4(b, 10, 0, 8) || in4(b, 100, 64, 10) || in4(b, 127, 0, 8) ||
	    in4(b, 169, 254, 16) || in4(b, 172, 16, 12) || in4(b, 192, 168, 16) ||
	    in4(b, 198, 18, 15) || in4(b, 224, 0, 4) || in4(b, 240, 0, 4))
		return true;
	/* 192.0.0.0/24, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 */
	if ((b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) ||
	    (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
		return true;
	return false;
}

bool
probe_addr_is_private(const fs_addr *a)
{
	const uint8_t *b = a->bytes;
	static const uint8_t zero[16];

	if (a->family == 4)
		return v4_private(b);
	if (a->family != 6)
		return true;
	if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))   /* :: and ::1 */
		return true;
	if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)   /* ::ffff:a.b.c.d */
		return v4_private(b + 12);
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)  /* 64:ff9b::/96 NAT64 */
		return v4_private(b + 12);
	if (b[0] == 0x20 && b[1] == 0x02)                                 /* 6to4 */
		return v4_private(b + 2);
	if ((b[0] & 0xfe) == 0xfc || b[0] == 0xff ||                      /* ULA, multicast */
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||                     /* link-local */
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||                     /* site-local */
	    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || /* documentation */
	    (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0))  /* discard 100::/64 */
		return true;
	return false;
}

fs_status
probe_parse_server(const char *text, const char *opt, fs_addr *addr, uint16_t *port,
                   struct fs_err *err)
{
	char host[64];
	const char *ps = NULL;
	size_t n = strlen(text);

	*port = 53;
	if (n == 0 || n >= sizeof host)
		goto bad;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || (size_t)(close - text - 1) >= sizeof host)
			goto bad;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		if (close[1] == ':')
			ps = close + 2;
		else if (close[1] != '\0')
			goto bad;
	} else {
		const char *colon = strchr(text, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {   /* one colon: IPv4:PORT */
			memcpy(host, text, (size_t)(colon - text));
			host[colon - text] = '\0';
			ps = colon + 1;
		} else {
			memcpy(host, text, n + 1);
		}
	}
	if (fs_addr_parse(host, addr) != 0)
		goto bad;
	if (ps != NULL) {
		char *end;
		long v = strtol(ps, &end, 10);
		if (*ps == '\0' || *end != '\0' || v < 1 || v > 65535)
			goto bad;
		*port = (uint16_t)v;
	}
	return FS_OK;
bad:
	return fs_err_set(err, FS_E_ARG, "option %s needs an address with an optional port "
	                  "(192.0.2.1, 192.0.2.1:5353, 2001:db8::1 or [2001:db8::1]:5353), not '%s'",
	                  opt, text);
}

/* The first usable nameserver line of a resolv.conf. */
static fs_status
read_resolv_conf(const char *path, fs_addr *addr, struct fs_err *err)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return fs_err_set(err, FS_E_IO, "cannot read %s to find a resolver (%s); give one with "
		                  "--resolver ADDR[:PORT]", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		char kw[32], val[128];
		if (sscanf(line, " %31s %127s", kw, val) != 2 || strcmp(kw, "nameserver") != 0)
			continue;
		char *pct = strchr(val, '%');   /* fe80::1%eth0: the scope cannot be kept */
		if (pct != NULL)
			continue;
		if (fs_addr_parse(val, addr) == 0) {
			fclose(f);
			return FS_OK;
		}
	}
	fclose(f);
	return fs_err_set(err, FS_E_NOTFOUND, "%s names no nameserver; give a resolver with "
	                  "--resolver ADDR[:PORT]", path);
}

/* ---- configuration ----------------------------------------------------------------------- */

fs_status
probe_new(const struct probe_config *cfg, struct store *store, struct probe **out,
          struct fs_err *err)
{
	struct probe *p;
	char *name = NULL;

	*out = NULL;
	name = cfg->name != NULL ? norm_name(cfg->name) : NULL;
	if (name == NULL || !probe_qname_ok(name)) {
		free(name);   /* a name that normalised but is not one (asan: test_probe leaked it) */
		return fs_err_set(err, FS_E_ARG, "option --probe needs a domain name, not '%s'",
		                  cfg->name ? cfg->name : "");
	}
	p = xcalloc(1, sizeof *p);
	p->cfg = *cfg;
	p->name = name;
	p->store = store;
	if (p->cfg.count <= 0)
		p->cfg.count = PROBE_DEFAULT_COUNT;
	if (p->cfg.per_server_qps <= 0)
		p->cfg.per_server_qps = PROBE_DEFAULT_QPS;
	if (p->cfg.total_qps <= 0)
		p->cfg.total_qps = PROBE_DEFAULT_TOTAL_QPS;
	if (p->cfg.timeout_ms <= 0)
		p->cfg.timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
	if (p->cfg.resolver_port == 0)
		p->cfg.resolver_port = 53;
	if (p->cfg.auth_port == 0)
		p->cfg.auth_port = 53;
	p->cfg.name = p->name;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (p->cfg.resolver_only && p->cfg.mode == PROBE_ITERATIVE) {
		probe_free(p);
		return fs_err_set(err, FS_E_ARG, "option --probe-resolver-only needs the resolver, not "
		                  "--probe-iterative or --root-hints");
	}
	if (p->cfg.mode == PROBE_VIA_RESOLVER && p->cfg.resolver.family == 0) {
		const char *rc = p->cfg.resolv_conf ? p->cfg.resolv_conf : "/etc/resolv.conf";
		fs_status st = read_resolv_conf(rc, &p->cfg.resolver, err);
		if (st != FS_OK) {
			probe_free(p);
			return st;
		}
	}
	struct dec_config dc;
	dec_config_default(&dc);
	p->dec = dec_new(&dc);
	p->prog.rounds = p->cfg.count;
	snprintf(p->prog.status, sizeof p->prog.status, "probe %s: starting", p->name);
	*out = p;
	return FS_OK;
}

/* ---- progress ---------------------------------------------------------------------------- */

static void
set_status(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_status(struct probe *p, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&p->mu);
	va_start(ap, fmt);
	vsnprintf(p->prog.status, sizeof p->prog.status, fmt, ap);
	va_end(ap);
	p->prog.servers = p->n_srv;
	pthread_mutex_unlock(&p->mu);
}

void
probe_progress(struct probe *p, struct probe_progress *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->prog;
	out->servers = p->n_srv;
	pthread_mutex_unlock(&p->mu);
}

bool
probe_done(struct probe *p)
{
	return atomic_load(&p->done);
}

void
probe_stop(struct probe *p)
{
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Sleep until the monotonic time `until_ms` or a stop; false when stopped. */
static bool
wait_until(struct probe *p, double until_ms)
{
	pthread_mutex_lock(&p->mu);
	while (!atomic_load(&p->stop)) {
		double now = fs_mono_ms();
		if (now >= until_ms)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double left = until_ms - now;
		if (left > 200)
			left = 200;
		long ns = ts.tv_nsec + (long)(left * 1e6);
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	bool ok = !atomic_load(&p->stop);
	pthread_mutex_unlock(&p->mu);
	return ok;
}

bool
probe_stopping(struct probe *p)
{
	return atomic_load(&p->stop);
}

/* ---- servers ----------------------------------------------------------------------------- */

static struct psrv *
add_server(struct probe *p, const char *ns_name, const fs_addr *a, uint16_t port, bool resolver)
{
	for (size_t i = 0; i < p->n_srv; i++)
		if (fs_addr_cmp(&p->srv[i].pub.addr, a) == 0 && p->srv[i].pub.port == port &&
		    p->srv[i].pub.is_resolver == resolver)
			return NULL;
	if (!resolver && p->n_srv >= PROBE_MAX_SERVERS + 1)
		return NULL;
	pthread_mutex_lock(&p->mu);
	if (p->n_srv == p->cap_srv) {
		p->cap_srv = p->cap_srv ? p->cap_srv * 2 : 8;
		p->srv = xreallocarray(p->srv, p->cap_srv, sizeof *p->srv);
	}
	struct psrv *s = &p->srv[p->n_srv++];
	memset(s, 0, sizeof *s);
	s->pub.ns_name = xstrdup(ns_name);
	s->pub.addr = *a;
	s->pub.port = port;
	s->pub.is_resolver = resolver;
	if (!resolver && !p->cfg.allow_private && probe_addr_is_private(a))
		s->pub.state = PROBE_SRV_REFUSED_PRIVATE;
	p->prog.servers = p->n_srv;
	pthread_mutex_unlock(&p->mu);
	return s;
}

static bool
note_ns_name(struct probe *p, const char *n)
{
	for (size_t i = 0; i < p->n_ns; i++)
		if (strcmp(p->ns_names[i], n) == 0)
			return false;
	if (p->n_ns >= MAX_NS_NAMES)
		return false;
	p->ns_names[p->n_ns++] = xstrdup(n);
	return true;
}

/* ---- one query --------------------------------------------------------------------------- */

static fs_time
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (fs_time)ts.tv_sec * FS_USEC + ts.tv_nsec / 1000;
}

/* Rate limits: each destination's own spacing (whatever role it is asked in: hint, referral
 * target, nameserver) and the probe's overall spacing. */
static bool
rate_wait(struct probe *p, const struct psrv *s)
{
	struct limit *l = NULL;
	for (size_t i = 0; i < p->n_lim; i++)
		if (p->lim[i].port == s->pub.port && fs_addr_cmp(&p->lim[i].addr, &s->pub.addr) == 0)
			l = &p->lim[i];
	if (l == NULL) {
		if (p->n_lim == p->cap_lim) {
			p->cap_lim = p->cap_lim ? p->cap_lim * 2 : 16;
			p->lim = xreallocarray(p->lim, p->cap_lim, sizeof *p->lim);
		}
		l = &p->lim[p->n_lim++];
		l->addr = s->pub.addr;
		l->port = s->pub.port;
		l->next_ok_ms = 0;
	}
	double at = l->next_ok_ms > p->global_next_ms ? l->next_ok_ms : p->global_next_ms;
	if (!wait_until(p, at))
		return false;
	double now = fs_mono_ms();
	l->next_ok_ms = now + 1000.0 / p->cfg.per_server_qps;
	p->global_next_ms = now + 1000.0 / p->cfg.total_qps;
	return true;
}

static void
update_state(struct psrv *s, enum probe_state st)
{
	/* silence after authoritative answers does not undo them; any answer replaces silence */
	if (st == PROBE_SRV_NO_ANSWER && s->pub.state != PROBE_SRV_PENDING &&
	    s->pub.state != PROBE_SRV_NO_ANSWER && s->pub.state != PROBE_SRV_UNREACHABLE)
		return;
	s->pub.state = st;
}

/* Ask server s for qname/qtype. On an answer, it is decoded, checked against the query, added
 * to the store and extracted into p->last; returns true. */
static bool
ask(struct probe *p, struct psrv *s, const char *qname, uint16_t qtype)
{
	struct probe_net_result r;
	bool rd = s->pub.is_resolver;
	struct dns_msg msg;

	if (s->pub.state == PROBE_SRV_REFUSED_PRIVATE || atomic_load(&p->stop))
		return false;
	if (!rate_wait(p, s))
		return false;
	pthread_mutex_lock(&p->mu);
	p->prog.sent++;
	pthread_mutex_unlock(&p->mu);
	s->pub.sent++;
	probe_net_query(p, &s->pub.addr, s->pub.port, qname, qtype, rd, false, p->cfg.timeout_ms,
	                p->dec, &r);
	s->pub.mismatched += r.mismatched;
	if (r.kind == PROBE_NET_ANSWER && r.tc) {
		/* truncated over UDP: the same question over TCP (a query of its own for the limits) */
		s->pub.truncated++;
		free(r.wire);
		if (!rate_wait(p, s))
			return false;
		s->pub.sent++;
		probe_net_query(p, &s->pub.addr, s->pub.port, qname, qtype, rd, true,
		                p->cfg.timeout_ms, p->dec, &r);
		s->pub.mismatched += r.mismatched;
		if (r.kind == PROBE_NET_ANSWER)
			s->pub.tcp_answers++;
	}
	if (r.kind == PROBE_NET_TIMEOUT) {
		s->pub.timeouts++;
		s->silent_in_round++;
		update_state(s, PROBE_SRV_NO_ANSWER);
		pthread_mutex_lock(&p->mu);
		p->prog.timeouts++;
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	if (r.kind == PROBE_NET_UNREACHABLE || r.kind == PROBE_NET_ERROR) {
		s->pub.errors++;
		s->silent_in_round++;
		update_state(s, PROBE_SRV_UNREACHABLE);
		return false;
	}
	if (r.kind != PROBE_NET_ANSWER)
		return false;
	s->silent_in_round = 0;
	/* The answer goes through the project's decoder once more, now for the store (the
	 * transport checked ID and question with the same decoder). */
	if (!dec_dns_message(p->dec, r.wire, (uint32_t)r.len, &msg)) {
		free(r.wire);
		return false;
	}
	msg.ts = now_us();
	msg.src = s->pub.addr;
	msg.sport = s->pub.port;
	msg.dst = r.local;
	msg.dport = r.local_port;
	msg.transport = r.tcp ? 6 : 17;
	msg.src_index = p->cfg.src_index;
	if (msg.malformed)
		s->pub.malformed++;
	probe_extract(&msg, &p->last);
	store_write_lock(p->store);
	store_add_msg(p->store, &msg);
	store_write_unlock(p->store);
	free(r.wire);
	s->pub.answers++;
	pthread_mutex_lock(&p->mu);
	p->prog.answers++;
	pthread_mutex_unlock(&p->mu);

	const struct probe_ans *a = &p->last;
	if (a->rcode == 5 || a->rcode == 9) {          /* REFUSED, NOTAUTH */
		s->pub.refused++;
		update_state(s, PROBE_SRV_REFUSING);
	} else if (a->rcode != 0 && a->rcode != 3) {   /* not NOERROR/NXDOMAIN */
		s->pub.servfail++;
		update_state(s, PROBE_SRV_SERVFAIL);
	} else if (s->pub.is_resolver || a->aa) {
		if (a->aa)
			s->authoritative = true;
		update_state(s, PROBE_SRV_OK);
	} else {
		s->pub.lame++;
		update_state(s, PROBE_SRV_LAME);
	}
	return true;
}

/* ---- delegation -------------------------------------------------------------------------- */

static void
take_ns_and_glue(struct probe *p, const struct probe_ans *a, const char *zone)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct probe_rec *r = &a->rec[i];
		if (r->type == DNS_TYPE_NS && r->target != NULL && strcmp(r->owner, zone) == 0 &&
		    (r->section == DNS_SEC_ANSWER || r->section == DNS_SEC_AUTHORITY))
			note_ns_name(p, r->target);
	}
	/* glue: addresses of those NS names in the same message */
	for (size_t i = 0; i < a->n; i++) {
		const struct probe_rec *r = &a->rec[i];
		if ((r->type != DNS_TYPE_A && r->type != DNS_TYPE_AAAA) || r->section == DNS_SEC_QUESTION)
			continue;
		for (size_t k = 0; k < p->n_ns; k++)
			if (strcmp(r->owner, p->ns_names[k]) == 0)
				add_server(p, r->owner, &r->addr, p->cfg.auth_port, false);
	}
}

static const struct probe_rec *
find_soa(const struct probe_ans *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->rec[i].type == DNS_TYPE_SOA && a->rec[i].section == DNS_SEC_AUTHORITY)
			return &a->rec[i];
	return NULL;
}

static bool
has_ns_for(const struct probe_ans *a, const char *zone, int section)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->rec[i].type == DNS_TYPE_NS && a->rec[i].section == section &&
		    strcmp(a->rec[i].owner, zone) == 0)
			return true;
	return false;
}

/* The addresses of NS name `ns`: asked of the resolver (A and AAAA). */
static void
resolve_ns_via_resolver(struct probe *p, const char *ns)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	struct psrv *res = &p->srv[0];
	for (size_t t = 0; t < 2; t++) {
		if (!ask(p, res, ns, types[t]))
			continue;
		/* ask() may have grown p->srv: take the resolver again */
		res = &p->srv[0];
		const struct probe_ans *a = &p->last;
		/* follow the CNAME chain's addresses: every A/AAAA of the answer section */
		fs_addr got[16];
		size_t ng = 0;
		for (size_t i = 0; i < a->n && ng < 16; i++)
			if (a->rec[i].section == DNS_SEC_ANSWER && a->rec[i].type == types[t])
				got[ng++] = a->rec[i].addr;
		for (size_t i = 0; i < ng; i++)
			add_server(p, ns, &got[i], p->cfg.auth_port, false);
		res = &p->srv[0];
	}
}

static fs_status
find_zone_via_resolver(struct probe *p, struct fs_err *err)
{
	char cand[256];
	int steps = 0;

	add_server(p, "(resolver)", &p->cfg.resolver, p->cfg.resolver_port, true);
	snprintf(cand, sizeof cand, "%s", p->name);
	while (steps++ < 130 && !atomic_load(&p->stop)) {
		set_status(p, "probe %s: finding the zone (NS %s via the resolver)", p->name, cand);
		if (!ask(p, &p->srv[0], cand, DNS_TYPE_NS)) {
			char ab[FS_ADDR_STRLEN];
			return fs_err_set(err, FS_E_IO, "probe %s: the resolver %s port %u did not answer "
			                  "(%s)", p->name, fs_addr_str(&p->cfg.resolver, ab, sizeof ab),
			                  p->cfg.resolver_port, probe_state_name(p->srv[0].pub.state));
		}
		const struct probe_ans *a = &p->last;
		if (a->rcode != 0 && a->rcode != 3)
			return fs_err_set(err, FS_E_NOTFOUND, "probe %s: the resolver answered %s for NS %s",
			                  p->name, probe_rcode_str(a->rcode), cand);
		if (has_ns_for(a, cand, DNS_SEC_ANSWER)) {
			snprintf(p->zone, sizeof p->zone, "%s", cand);
			take_ns_and_glue(p, a, cand);
			return FS_OK;
		}
		const struct probe_rec *soa = find_soa(a);
		if (soa != NULL && probe_name_under(p->name, soa->owner) &&
		    strcmp(soa->owner, cand) != 0) {
			snprintf(cand, sizeof cand, "%s", soa->owner);
			continue;
		}
		if (strcmp(cand, ".") == 0)
			break;
		snprintf(cand, sizeof cand, "%s", parent_name(cand));
	}
	return fs_err_set(err, FS_E_NOTFOUND, "probe %s: the resolver gave no NS records for it "
	                  "or any zone above it", p->name);
}

/* Iterative resolution from the hints: follows referrals (RD clear) until an authoritative
 * answer for qname/qtype; the answer is left in p->last and the servers that gave it in
 * *auth (the zone's servers). Glueless NS names are resolved the same way (depth-limited). */
static bool iter_resolve(struct probe *p, const char *qname, uint16_t qtype, int depth,
                         struct probe_srvlist *auth);

static void
srvlist_add(struct probe_srvlist *l, const char *ns, const fs_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (fs_addr_cmp(&l->addr[i], a) == 0)
			return;
	if (l->n < PROBE_SRVLIST_MAX) {
		l->addr[l->n] = *a;
		snprintf(l->name[l->n], sizeof l->name[l->n], "%s", ns);
		l->n++;
	}
}

static fs_status
load_hints(struct probe *p, struct probe_srvlist *l, struct fs_err *err)
{
	l->n = 0;
	if (p->cfg.root_hints == NULL) {
		for (size_t i = 0; i < sizeof root_v4 / sizeof root_v4[0]; i++) {
			fs_addr a;
			if (fs_addr_parse(root_v4[i], &a) == 0)
				srvlist_add(l, "(root hint)", &a);
		}
		return FS_OK;
	}
	FILE *f = fopen(p->cfg.root_hints, "r");
	char line[512];
	if (f == NULL)
		return fs_err_set(err, FS_E_IO, "cannot read the root hints %s: %s", p->cfg.root_hints,
		                  strerror(errno));
	/* zone-file lines "NAME [TTL] [IN] A|AAAA ADDR" (named.root), or a bare address per line */
	while (fgets(line, sizeof line, f) != NULL) {
		char *tok[6];
		int nt = 0;
		char *save = NULL;
		char *c = strchr(line, ';');
		if (c != NULL)
			*c = '\0';
		for (char *t = strtok_r(line, " \t\r\n", &save); t != NULL && nt < 6;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[nt++] = t;
		fs_addr a;
		if (nt == 1 && fs_addr_parse(tok[0], &a) == 0) {
			srvlist_add(l, "(root hint)", &a);
			continue;
		}
		for (int i = 1; i + 1 < nt; i++)
			if ((strcasecmp(tok[i], "A") == 0 || strcasecmp(tok[i], "AAAA") == 0) &&
			    fs_addr_parse(tok[i + 1], &a) == 0) {
				char *n = norm_name(tok[0]);
				srvlist_add(l, n ? n : "(root hint)", &a);
				free(n);
				break;
			}
	}
	fclose(f);
	if (l->n == 0)
		return fs_err_set(err, FS_E_FORMAT, "the root hints %s hold no A or AAAA record",
		                  p->cfg.root_hints);
	bool any = p->cfg.allow_private;
	for (size_t i = 0; i < l->n && !any; i++)
		any = !probe_addr_is_private(&l->addr[i]);
	if (!any)
		return fs_err_set(err, FS_E_PERM, "the root hints %s hold only private, loopback or "
		                  "link-local addresses, which probes may reach only with "
		                  "--probe-allow-private", p->cfg.root_hints);
	return FS_OK;
}

static bool
iter_ask_list(struct probe *p, const struct probe_srvlist *l, const char *qname, uint16_t qtype,
              size_t *used)
{
	for (size_t i = 0; i < l->n; i++) {
		struct psrv tmp;
		memset(&tmp, 0, sizeof tmp);
		tmp.pub.addr = l->addr[i];
		tmp.pub.port = p->cfg.auth_port;
		if (!p->cfg.allow_private && probe_addr_is_private(&l->addr[i]))
			continue;
		/* the per-server limit of a known server is kept; hints and referral targets
		 * share the overall one */
		struct psrv *known = NULL;
		for (size_t k = 0; k < p->n_srv; k++)
			if (fs_addr_cmp(&p->srv[k].pub.addr, &l->addr[i]) == 0 && !p->srv[k].pub.is_resolver)
				known = &p->srv[k];
		if (ask(p, known ? known : &tmp, qname, qtype)) {
			*used = i;
			return true;
		}
		if (atomic_load(&p->stop))
			return false;
	}
	return false;
}

static bool
iter_resolve(struct probe *p, const char *qname, uint16_t qtype, int depth,
             struct probe_srvlist *auth)
{
	struct probe_srvlist cur;
	char cut[256] = ".";
	struct fs_err e;

	if (load_hints(p, &cur, &e) != FS_OK)
		return false;
	for (int step = 0; step < ITER_MAX_STEPS && !atomic_load(&p->stop); step++) {
		size_t used = 0;
		set_status(p, "probe %s: iterating (%s at %s)", p->name, qname, cut);
		if (!iter_ask_list(p, &cur, qname, qtype, &used))
			return false;
		struct probe_ans *a = &p->last;
		if (a->aa || a->rcode != 0) {
			*auth = cur;
			return a->rcode == 0 || a->rcode == 3;
		}
		/* a referral: NS in authority for a zone below the current cut enclosing qname */
		char zone[256] = "";
		for (size_t i = 0; i < a->n; i++) {
			const struct probe_rec *r = &a->rec[i];
			if (r->type == DNS_TYPE_NS && r->section == DNS_SEC_AUTHORITY &&
			    probe_name_under(qname, r->owner) && probe_name_under(r->owner, cut) &&
			    strcmp(r->owner, cut) != 0) {
				snprintf(zone, sizeof zone, "%s", r->owner);
				break;
			}
		}
		if (zone[0] == '\0')
			return false;   /* neither an answer nor a referral downwards: give up */
		struct probe_srvlist next = { .n = 0 };
		char names[PROBE_SRVLIST_MAX][256];
		size_t nn = 0;
		for (size_t i = 0; i < a->n && nn < PROBE_SRVLIST_MAX; i++) {
			const struct probe_rec *r = &a->rec[i];
			if (r->type == DNS_TYPE_NS && r->section == DNS_SEC_AUTHORITY && r->target &&
			    strcmp(r->owner, zone) == 0)
				snprintf(names[nn++], 256, "%s", r->target);
		}
		/* glue only for names inside the zone cut being left (out-of-bailiwick glue is the
		 * classic poisoning vector, so it is not believed) */
		for (size_t i = 0; i < a->n; i++) {
			const struct probe_rec *r = &a->rec[i];
			if ((r->type != DNS_TYPE_A && r->type != DNS_TYPE_AAAA) ||
			    r->section != DNS_SEC_ADDITIONAL || !probe_name_under(r->owner, cut))
				continue;
			for (size_t k = 0; k < nn; k++)
				if (strcmp(r->owner, names[k]) == 0)
					srvlist_add(&next, names[k], &r->addr);
		}
		if (next.n == 0 && depth < ITER_MAX_DEPTH) {
			for (size_t k = 0; k < nn && next.n == 0; k++) {
				struct probe_srvlist sub;
				if (!iter_resolve(p, names[k], DNS_TYPE_A, depth + 1, &sub))
					continue;
				for (size_t i = 0; i < p->last.n; i++)
					if (p->last.rec[i].section == DNS_SEC_ANSWER &&
					    p->last.rec[i].type == DNS_TYPE_A)
						srvlist_add(&next, names[k], &p->last.rec[i].addr);
			}
		}
		if (next.n == 0)
			return false;
		cur = next;
		snprintf(cut, sizeof cut, "%s", zone);
	}
	return false;
}

static fs_status
find_zone_iterative(struct probe *p, struct fs_err *err)
{
	struct probe_srvlist auth;
	char cand[256];

	snprintf(cand, sizeof cand, "%s", p->name);
	if (load_hints(p, &auth, err) != FS_OK)
		return err->status;
	for (int tries = 0; tries < 4; tries++) {
		if (!iter_resolve(p, cand, DNS_TYPE_NS, 0, &auth))
			break;
		const struct probe_ans *a = &p->last;
		if (has_ns_for(a, cand, DNS_SEC_ANSWER)) {
			snprintf(p->zone, sizeof p->zone, "%s", cand);
			take_ns_and_glue(p, a, cand);
			/* the servers that answered with authority are the zone's, whatever their names */
			for (size_t i = 0; i < auth.n; i++)
				add_server(p, auth.name[i], &auth.addr[i], p->cfg.auth_port, false);
			return FS_OK;
		}
		const struct probe_rec *soa = find_soa(a);
		if (soa == NULL || strcmp(soa->owner, cand) == 0 || !probe_name_under(p->name, soa->owner))
			break;
		snprintf(cand, sizeof cand, "%s", soa->owner);
	}
	return fs_err_set(err, FS_E_NOTFOUND, "probe %s: iterating from the root hints found no "
	                  "nameservers for it", p->name);
}

/* Addresses of the NS names that have none yet. */
static void
resolve_missing(struct probe *p)
{
	for (size_t k = 0; k < p->n_ns && !atomic_load(&p->stop); k++) {
		bool have = false;
		for (size_t i = 0; i < p->n_srv; i++)
			if (!p->srv[i].pub.is_resolver && strcmp(p->srv[i].pub.ns_name, p->ns_names[k]) == 0)
				have = true;
		if (have)
			continue;
		if (p->cfg.mode == PROBE_VIA_RESOLVER) {
			resolve_ns_via_resolver(p, p->ns_names[k]);
		} else {
			static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
			for (size_t t = 0; t < 2; t++) {
				struct probe_srvlist sub;
				if (!iter_resolve(p, p->ns_names[k], types[t], 1, &sub))
					continue;
				for (size_t i = 0; i < p->last.n; i++)
					if (p->last.rec[i].section == DNS_SEC_ANSWER &&
					    p->last.rec[i].type == types[t])
						add_server(p, p->ns_names[k], &p->last.rec[i].addr,
						           p->cfg.auth_port, false);
			}
		}
	}
}

/* ---- rounds ------------------------------------------------------------------------------ */

static void
note_answer_ttls(struct probe *p, uint16_t qtype)
{
	const struct probe_ans *a = &p->last;
	for (size_t i = 0; i < a->n; i++)
		if (a->rec[i].section == DNS_SEC_ANSWER && a->rec[i].type == qtype &&
		    a->rec[i].ttl < p->round_min_ttl)
			p->round_min_ttl = a->rec[i].ttl;
}

static void
one_round(struct probe *p, int round)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_NS };
	char tb[16];

	p->round_min_ttl = UINT32_MAX;
	for (size_t i = 0; i < p->n_srv; i++)
		p->srv[i].silent_in_round = 0;
	for (size_t t = 0; t < 3; t++) {
		for (size_t i = 0; i < p->n_srv && !atomic_load(&p->stop); i++) {
			struct psrv *s = &p->srv[i];
			char ab[FS_ADDR_STRLEN];
			/* a server silent twice this round is not asked again until the next one */
			if (s->silent_in_round >= 2 || (p->cfg.resolver_only && !s->pub.is_resolver))
				continue;
			set_status(p, "probe %s: round %d/%d, %s %s at %s (%s)", p->name, round,
			           p->cfg.count, dns_type_name(types[t], tb), p->name,
			           fs_addr_str(&s->pub.addr, ab, sizeof ab), s->pub.ns_name);
			if (!ask(p, s, p->name, types[t]))
				continue;
			s = &p->srv[i];
			if (!s->pub.is_resolver && !p->last.aa)
				continue;
			note_answer_ttls(p, types[t]);
			if (types[t] == DNS_TYPE_NS) {
				/* the zone's NS set as this server hands it out: new names join the
				 * servers asked (double flux rotates them) */
				size_t before = p->n_ns;
				if (strcmp(p->zone, p->name) == 0)
					take_ns_and_glue(p, &p->last, p->zone);
				(void)before;
			}
		}
	}
	if (!atomic_load(&p->stop))
		resolve_missing(p);
}

static fs_status
run(struct probe *p, struct fs_err *err)
{
	fs_status st;

	pthread_mutex_lock(&p->mu);
	p->prog.running = true;
	pthread_mutex_unlock(&p->mu);
	if (p->cfg.mode == PROBE_VIA_RESOLVER)
		st = find_zone_via_resolver(p, err);
	else
		st = find_zone_iterative(p, err);
	if (st == FS_OK) {
		pthread_mutex_lock(&p->mu);
		snprintf(p->prog.zone, sizeof p->prog.zone, "%s", p->zone);
		pthread_mutex_unlock(&p->mu);
		resolve_missing(p);
		for (int r = 1; r <= p->cfg.count && !atomic_load(&p->stop); r++) {
			pthread_mutex_lock(&p->mu);
			p->prog.round = r;
			p->prog.next_round_in_s = 0;
			pthread_mutex_unlock(&p->mu);
			one_round(p, r);
			if (r == p->cfg.count || atomic_load(&p->stop))
				break;
			double wait_s = p->cfg.interval_s;
			if (wait_s <= 0) {
				wait_s = p->round_min_ttl == UINT32_MAX ? 1 : (double)p->round_min_ttl;
				if (wait_s < 1)
					wait_s = 1;
				if (wait_s > PROBE_MAX_INTERVAL_S)
					wait_s = PROBE_MAX_INTERVAL_S;
			}
			pthread_mutex_lock(&p->mu);
			p->prog.next_round_in_s = wait_s;
			pthread_mutex_unlock(&p->mu);
			set_status(p, "probe %s: round %d/%d done, next in %.0f s", p->name, r,
			           p->cfg.count, wait_s);
			if (!wait_until(p, fs_mono_ms() + wait_s * 1000.0))
				break;
		}
	}
	pthread_mutex_lock(&p->mu);
	p->prog.running = false;
	p->prog.finished = true;
	p->prog.stopped = atomic_load(&p->stop);
	p->prog.next_round_in_s = 0;
	pthread_mutex_unlock(&p->mu);
	if (st == FS_OK)
		set_status(p, "probe %s: %s after %d round%s, %" PRIu64 " answers from %zu servers",
		           p->name, p->prog.stopped ? "stopped" : "done", p->prog.round,
		           p->prog.round == 1 ? "" : "s", p->prog.answers, p->n_srv);
	else
		set_status(p, "%s", err->msg);
	atomic_store(&p->done, true);
	return st;
}

fs_status
probe_run(struct probe *p, struct fs_err *err)
{
	fs_status st = run(p, &p->err);
	if (st != FS_OK && err != NULL)
		*err = p->err;
	return st;
}

static void *
probe_thread(void *arg)
{
	struct probe *p = arg;
	(void)run(p, &p->err);
	return NULL;
}

fs_status
probe_start(struct probe *p, struct fs_err *err)
{
	int r = pthread_create(&p->thread, NULL, probe_thread, p);
	if (r != 0)
		return fs_err_set(err, FS_E_INTERNAL, "cannot start the probe thread: %s", strerror(r));
	p->thread_started = true;
	return FS_OK;
}

size_t
probe_n_servers(const struct probe *p)
{
	return p->n_srv;
}

const struct probe_server *
probe_server(const struct probe *p, size_t i)
{
	return i < p->n_srv ? &p->srv[i].pub : NULL;
}

const struct fs_err *
probe_error(const struct probe *p)
{
	return &p->err;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	if (p->thread_started) {
		probe_stop(p);
		pthread_join(p->thread, NULL);
	}
	for (size_t i = 0; i < p->n_srv; i++)
		free((char *)p->srv[i].pub.ns_name);
	free(p->srv);
	free(p->lim);
	for (size_t i = 0; i < p->n_ns; i++)
		free(p->ns_names[i]);
	probe_ans_clear(&p->last);
	if (p->dec != NULL)
		dec_free(p->dec);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->name);
	free(p);
}
