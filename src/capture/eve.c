/* Suricata EVE JSON, "dns" events, into DNS messages:
 * - version 1 (no "version"): a "query" event per question and an "answer" event per answer
 *   record (rrname, rrtype, ttl, rdata), authority records among them. The records of one
 *   response carry its packet's timestamp and are joined back into one message by flow, DNS id
 *   and timestamp; Suricata's logger interleaves the records of responses seen together, so up
 *   to EVE_V1_SLOTS responses are joined at once, each written out when EVE_V1_IDLE lines have
 *   passed without a record of it (or at the end). The question is the query event's (same flow
 *   and id) when it was seen, else the first record's owner; an NS record in a response to a
 *   question of another type is an authority record (v1 does not say which section it logged);
 * - version 2: one "answer" event per response with the question (rrname, rrtype), the rcode,
 *   the flags and the answers as "answers" (detailed: owner, type, TTL, data) and/or "grouped"
 *   (data by type, without owners or TTLs: CNAMEs chained in order from the question, the
 *   addresses owned by the end of the chain, TTL 0), and "authorities" when logged;
 * - version 3 (Suricata 8): "request"/"response" events with "queries", "answers", "authorities".
 * A, AAAA, CNAME, NS, PTR and DNAME records are kept; other types are left out (counted).
 * Direction: some Suricata versions log a response with the flow's addresses (client first, as
 * its TCP DNS answers show); a response is turned around when its source is the client of the
 * query event of that flow and id, or, without one, when its destination port is 53 and its
 * source port is not (a query the other way). */
#include "capture/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVE_MAX_RR 256
#define EVE_NAME 1100
#define EVE_RECENT_Q 64
#define EVE_V1_SLOTS 8
#define EVE_V1_IDLE 16

struct eve_rr {
	char name[EVE_NAME];
	char data[EVE_NAME];
	uint16_t type;
	uint32_t ttl;
	uint8_t section;          /* DNS_SEC_ANSWER or DNS_SEC_AUTHORITY */
};

struct eve_msg {
	bool active;
	uint64_t order, touched;  /* v1 joins: when begun, line of the last record */
	bool qr;
	int64_t flow_id;
	uint16_t id;
	fs_time ts;
	fs_addr src, dst;
	uint16_t sport, dport;
	uint8_t transport;
	char qname[EVE_NAME];
	int qtype;                /* -1 = unknown */
	int rcode;
	uint16_t flags;
	struct eve_rr rr[EVE_MAX_RR];
	size_t n_rr;
};

struct eve_reader {
	struct jdoc jd;           /* one line's tokens */
	struct eve_msg *pend[EVE_V1_SLOTS];   /* v1 responses being joined (allocated on first use) */
	struct eve_msg *cur;
	uint64_t lines, begun;
	struct { int64_t flow; uint16_t id; uint16_t qtype; uint16_t sport; fs_addr src; bool used;
	         char qname[EVE_NAME]; } recent[EVE_RECENT_Q];
	unsigned n_recent;
	uint8_t msg[65536];
	uint8_t frame[65536 + DEC_FEED_HDR_MAX];
	struct feed_rr fr[EVE_MAX_RR];
};

struct eve_reader *
eve_new(void)
{
	struct eve_reader *e = xcalloc(1, sizeof *e);
	json_doc_init(&e->jd, JSON_LOG, JSON_LOG_DEPTH, FEED_JSON_TOKENS);
	e->cur = xcalloc(1, sizeof *e->cur);
	return e;
}

void
eve_free(struct eve_reader *e)
{
	if (e == NULL)
		return;
	json_doc_fini(&e->jd);
	for (unsigned i = 0; i < EVE_V1_SLOTS; i++)
		free(e->pend[i]);
	free(e->cur);
	free(e);
}

/* "2018-03-24T17:15:21.123456+0000" (Suricata) or with 'Z' / "+00:00". */
static bool
parse_ts(const char *s, fs_time *out)
{
	int y, mo, d, h, mi, n = 0;
	double sec;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) < 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
		return false;
	int off = 0;
	const char *z = s + n;
	if ((z[0] == '+' || z[0] == '-') && z[1] >= '0' && z[1] <= '9' && z[2] >= '0' && z[2] <= '9') {
		int oh = (z[1] - '0') * 10 + (z[2] - '0'), om = 0;
		const char *m = z + 3 + (z[3] == ':');
		if (m[0] >= '0' && m[0] <= '9' && m[1] >= '0' && m[1] <= '9')
			om = (m[0] - '0') * 10 + (m[1] - '0');
		off = (oh * 60 + om) * 60 * (z[0] == '-' ? -1 : 1);
	}
	int yy = y - (mo <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	*out = (days * 86400 + h * 3600 + mi * 60 - off) * FS_USEC + (fs_time)(sec * 1e6 + 0.5);
	return true;
}

static bool
get_str(const struct jdoc *d, uint32_t obj, const char *key, char *buf, size_t len)
{
	uint32_t t = json_get(d, obj, key);
	buf[0] = '\0';
	return t != 0 && json_str_at(d, t, buf, len);
}

static bool
get_int(const struct jdoc *d, uint32_t obj, const char *key, int64_t *v)
{
	return json_i64_at(d, json_get(d, obj, key), v);
}

static bool
get_bool(const struct jdoc *d, uint32_t obj, const char *key)
{
	uint32_t t = json_get(d, obj, key);
	return t != 0 && d->tok[t].type == JT_TRUE;
}

static void
add_rr(struct eve_msg *m, const char *name, uint16_t type, uint32_t ttl, const char *data,
       uint8_t section, struct feed_counts *c)
{
	if (m->n_rr == EVE_MAX_RR || name[0] == '\0' || data[0] == '\0') {
		c->skipped++;
		return;
	}
	struct eve_rr *r = &m->rr[m->n_rr++];
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->data, sizeof r->data, "%s", data);
	r->type = type;
	r->ttl = ttl;
	r->section = section;
}

/* Records of an "answers"/"authorities" array (detailed format). */
static void
add_array(const struct jdoc *d, uint32_t arr, uint8_t section, struct eve_msg *m, struct feed_counts *c)
{
	char name[EVE_NAME], type[32], data[EVE_NAME];
	int64_t ttl = 0;

	if (arr == 0 || d->tok[arr].type != JT_ARR)
		return;
	for (uint32_t e = json_child(d, arr); e != 0; e = json_next(d, e)) {
		if (d->tok[e].type != JT_OBJ || !get_str(d, e, "rrname", name, sizeof name) ||
		    !get_str(d, e, "rrtype", type, sizeof type)) {
			c->skipped++;
			continue;
		}
		int t = feed_type_parse(type);
		ttl = 0;
		get_int(d, e, "ttl", &ttl);
		if (t < 0 || !get_str(d, e, "rdata", data, sizeof data)) {
			c->skipped++;   /* SOA and other types logged without rdata */
			continue;
		}
		add_rr(m, name, (uint16_t)t, ttl > 0 && ttl <= 0x7fffffff ? (uint32_t)ttl : 0, data, section, c);
	}
}

/* "grouped": {"A": [...], "CNAME": [...]}: CNAMEs chained from the question in order, the
 * rest owned by the chain's end. */
static void
add_grouped(const struct jdoc *d, uint32_t g, struct eve_msg *m, struct feed_counts *c)
{
	char data[EVE_NAME], owner[EVE_NAME], type[32];

	if (g == 0 || d->tok[g].type != JT_OBJ)
		return;
	snprintf(owner, sizeof owner, "%s", m->qname);
	uint32_t cn = json_get(d, g, "CNAME");
	if (cn != 0 && d->tok[cn].type == JT_ARR)
		for (uint32_t e = json_child(d, cn); e != 0; e = json_next(d, e)) {
			if (!json_str_at(d, e, data, sizeof data))
				continue;
			add_rr(m, owner, DNS_TYPE_CNAME, 0, data, DNS_SEC_ANSWER, c);
			snprintf(owner, sizeof owner, "%s", data);
		}
	for (uint32_t v = json_child(d, g); v != 0; v = json_next(d, v)) {
		if (v == cn || d->tok[v].type != JT_ARR || !json_str_at(d, d->tok[v].key, type, sizeof type))
			continue;
		int t = feed_type_parse(type);
		for (uint32_t e = json_child(d, v); e != 0; e = json_next(d, e)) {
			if (t < 0 || !json_str_at(d, e, data, sizeof data)) {
				c->skipped++;
				continue;
			}
			add_rr(m, t == DNS_TYPE_NS || t == DNS_TYPE_PTR ? m->qname : owner, (uint16_t)t, 0,
			       data, DNS_SEC_ANSWER, c);
		}
	}
}

static void
emit_msg(struct eve_reader *e, struct eve_msg *m, struct feed_counts *c, feed_emit_fn emit, void *ctx)
{
	struct dec_feed_hdr h = { .src = m->src, .dst = m->dst, .sport = m->sport, .dport = m->dport,
	                          .transport = m->transport, .vantage = "suricata",
	                          .port_check = true };
	size_t n = 0;

	m->active = false;
	if (m->qname[0] == '\0') {
		c->skipped++;
		return;
	}
	for (size_t i = 0; i < m->n_rr && n < EVE_MAX_RR; i++) {
		const struct eve_rr *r = &m->rr[i];
		struct feed_rr *f = &e->fr[n];
		memset(f, 0, sizeof *f);
		f->name = r->name;
		f->type = r->type;
		f->ttl = r->ttl;
		f->section = r->section;
		if (r->type == DNS_TYPE_A || r->type == DNS_TYPE_AAAA) {
			if (fs_addr_parse(r->data, &f->addr) != 0 ||
			    (f->addr.family == 6) != (r->type == DNS_TYPE_AAAA)) {
				c->skipped++;
				continue;
			}
		} else if (r->type == DNS_TYPE_CNAME || r->type == DNS_TYPE_NS || r->type == DNS_TYPE_PTR ||
		           r->type == DNS_TYPE_DNAME) {
			f->target = r->data;
		} else {
			c->skipped++;
			continue;
		}
		n++;
	}
	size_t len = feed_build_msg(e->msg, sizeof e->msg, m->id, m->qr, m->flags,
	                            m->rcode >= 0 ? (uint16_t)m->rcode : 0, m->qname,
	                            m->qtype >= 0 ? (uint16_t)m->qtype : 0, 1, e->fr, n);
	if (len == 0) {
		c->bad++;
		return;
	}
	size_t flen = dec_feed_frame(e->frame, sizeof e->frame, &h, e->msg, len);
	if (flen == 0) {
		c->bad++;
		return;
	}
	emit(ctx, m->ts, e->frame, flen);
	c->messages++;
}

/* The query event of this flow and DNS id, newest first; -1 when none was seen. */
static int
recent_find(const struct eve_reader *e, int64_t flow, uint16_t id)
{
	for (unsigned k = 0; k < EVE_RECENT_Q; k++) {
		unsigned i = (e->n_recent + EVE_RECENT_Q - 1 - k) % EVE_RECENT_Q;
		if (e->recent[i].used && e->recent[i].flow == flow && e->recent[i].id == id)
			return (int)i;
	}
	return -1;
}

/* A joined v1 response: its question, its NS records' section, then the message. */
static void
v1_emit(struct eve_reader *e, struct eve_msg *m, struct feed_counts *c, feed_emit_fn emit, void *ctx)
{
	int q = recent_find(e, m->flow_id, m->id);

	if (q >= 0) {   /* the question as the query event gave it */
		snprintf(m->qname, sizeof m->qname, "%s", e->recent[q].qname);
		m->qtype = e->recent[q].qtype;
	}
	if (m->qname[0] == '\0')
		for (size_t i = 0; i < m->n_rr && m->qname[0] == '\0'; i++)
			snprintf(m->qname, sizeof m->qname, "%s", m->rr[i].name);
	if (m->qtype < 0) {   /* the records' type: the last one that is no CNAME */
		for (size_t i = m->n_rr; m->qtype < 0 && i > 0; i--)
			if (m->rr[i - 1].type != DNS_TYPE_CNAME)
				m->qtype = m->rr[i - 1].type;
		if (m->qtype < 0)
			m->qtype = m->n_rr > 0 ? m->rr[0].type : DNS_TYPE_A;
	}
	if (m->qtype != DNS_TYPE_NS && m->qtype != 255)
		for (size_t i = 0; i < m->n_rr; i++)
			if (m->rr[i].type == DNS_TYPE_NS)
				m->rr[i].section = DNS_SEC_AUTHORITY;
	emit_msg(e, m, c, emit, ctx);
}

/* Write out the v1 responses being joined: all of them (idle == 0), or those idle for more
 * than `idle` lines; oldest first. */
static void
v1_flush(struct eve_reader *e, uint64_t idle, struct feed_counts *c, feed_emit_fn emit, void *ctx)
{
	for (;;) {
		struct eve_msg *o = NULL;
		for (unsigned i = 0; i < EVE_V1_SLOTS; i++) {
			struct eve_msg *m = e->pend[i];
			if (m != NULL && m->active && (idle == 0 || e->lines - m->touched > idle) &&
			    (o == NULL || m->order < o->order))
				o = m;
		}
		if (o == NULL)
			return;
		v1_emit(e, o, c, emit, ctx);
	}
}

void
eve_flush(struct eve_reader *e, struct feed_counts *c, feed_emit_fn emit, void *ctx)
{
	v1_flush(e, 0, c, emit, ctx);
}

/* The slot of a v1 record: the response it belongs to (same flow, id, time and direction), else
 * a free slot, else the oldest response written out to make room. */
static struct eve_msg *
v1_slot(struct eve_reader *e, const struct eve_msg *m, struct feed_counts *c, feed_emit_fn emit,
        void *ctx)
{
	struct eve_msg *fr = NULL, *old = NULL;

	for (unsigned i = 0; i < EVE_V1_SLOTS; i++) {
		struct eve_msg *p = e->pend[i];
		if (p == NULL) {
			if (fr == NULL)
				fr = e->pend[i] = xcalloc(1, sizeof *p);
			continue;
		}
		if (!p->active) {
			if (fr == NULL)
				fr = p;
			continue;
		}
		if (p->flow_id == m->flow_id && p->id == m->id && p->ts == m->ts && p->sport == m->sport &&
		    p->dport == m->dport && fs_addr_cmp(&p->src, &m->src) == 0 &&
		    fs_addr_cmp(&p->dst, &m->dst) == 0)
			return p;
		if (old == NULL || p->order < old->order)
			old = p;
	}
	if (fr == NULL) {
		v1_emit(e, old, c, emit, ctx);
		fr = old;
	}
	memcpy(fr, m, offsetof(struct eve_msg, rr));
	fr->n_rr = 0;
	fr->active = true;
	fr->order = ++e->begun;
	fr->qtype = -1;
	if (fr->rcode < 0)
		fr->rcode = 0;
	return fr;
}

/* Make the server the source of a response (and the destination of a query). */
static void
orient(struct eve_reader *e, struct eve_msg *m)
{
	bool swap;
	int q = m->qr ? recent_find(e, m->flow_id, m->id) : -1;

	if (q >= 0)
		swap = fs_addr_cmp(&e->recent[q].src, &m->src) == 0 && e->recent[q].sport == m->sport;
	else
		swap = m->qr ? (m->dport == 53 && m->sport != 53) : (m->sport == 53 && m->dport != 53);
	if (!swap)
		return;
	fs_addr a = m->src;
	uint16_t p = m->sport;
	m->src = m->dst;
	m->sport = m->dport;
	m->dst = a;
	m->dport = p;
}

size_t
eve_syslog_prefix(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && i < 256 && line[i] != '{' && line[i] != '"' && line[i] != '}')
		i++;
	if (i == 0 || i >= len || line[i] != '{')
		return 0;
	/* what comes before the brace: spaces after "tag[pid]:" or after the "@cee:" cookie */
	size_t k = i;
	while (k > 0 && line[k - 1] == ' ')
		k--;
	if (k == 0 || line[k - 1] != ':')
		return 0;
	return i;
}

void
eve_line(struct eve_reader *e, const char *line, size_t len, struct feed_counts *c,
         feed_emit_fn emit, void *ctx)
{
	struct jdoc *d = &e->jd;
	char buf[EVE_NAME], type[32];
	int64_t v = 0, version = 1;

	c->records++;
	e->lines++;
	v1_flush(e, EVE_V1_IDLE, c, emit, ctx);
	if (len == 0)
		return;
	size_t skip = eve_syslog_prefix(line, len);
	line += skip;
	len -= skip;
	if (!json_parse(d, line, len) || d->tok[1].type != JT_OBJ) {
		c->bad++;
		return;
	}
	if (!get_str(d, 0, "event_type", buf, sizeof buf) || strcmp(buf, "dns") != 0) {
		c->skipped++;   /* flows, alerts, stats… */
		return;
	}
	uint32_t dns = json_get(d, 0, "dns");
	if (dns == 0 || d->tok[dns].type != JT_OBJ) {
		c->bad++;
		return;
	}
	struct eve_msg *m = e->cur;
	memset(m, 0, offsetof(struct eve_msg, rr));
	m->n_rr = 0;
	m->qtype = m->rcode = -1;
	if (!get_str(d, 0, "timestamp", buf, sizeof buf) || !parse_ts(buf, &m->ts)) {
		c->bad++;
		return;
	}
	if (!get_str(d, 0, "src_ip", buf, sizeof buf) || fs_addr_parse(buf, &m->src) != 0 ||
	    !get_str(d, 0, "dest_ip", buf, sizeof buf) || fs_addr_parse(buf, &m->dst) != 0) {
		c->bad++;
		return;
	}
	if (get_int(d, 0, "src_port", &v) && v >= 0 && v <= 65535)
		m->sport = (uint16_t)v;
	if (get_int(d, 0, "dest_port", &v) && v >= 0 && v <= 65535)
		m->dport = (uint16_t)v;
	get_str(d, 0, "proto", buf, sizeof buf);
	m->transport = strcmp(buf, "TCP") == 0 || strcmp(buf, "tcp") == 0 ? 6 : 17;
	get_int(d, 0, "flow_id", &m->flow_id);
	if (get_int(d, dns, "id", &v) && v >= 0 && v <= 65535)
		m->id = (uint16_t)v;
	get_int(d, dns, "version", &version);
	get_str(d, dns, "type", type, sizeof type);
	bool query = strcmp(type, "query") == 0 || strcmp(type, "request") == 0;
	bool answer = strcmp(type, "answer") == 0 || strcmp(type, "response") == 0;
	if (!query && !answer) {
		c->skipped++;
		return;
	}
	m->qr = answer;
	orient(e, m);
	/* the question: v3 "queries"[0], else rrname/rrtype */
	uint32_t qs = json_get(d, dns, "queries");
	uint32_t q0 = qs != 0 && d->tok[qs].type == JT_ARR ? json_child(d, qs) : 0;
	uint32_t qobj = q0 != 0 && d->tok[q0].type == JT_OBJ ? q0 : dns;
	if (qs != 0)
		version = 3;
	get_str(d, qobj, "rrname", m->qname, sizeof m->qname);
	if (get_str(d, qobj, "rrtype", buf, sizeof buf))
		m->qtype = feed_type_parse(buf);
	if (get_str(d, dns, "rcode", buf, sizeof buf))
		m->rcode = feed_rcode_parse(buf);
	if (get_str(d, dns, "flags", buf, sizeof buf))
		m->flags = (uint16_t)(strtoul(buf, NULL, 16) & 0x0780);
	m->flags |= (uint16_t)((get_bool(d, dns, "aa") ? FEED_F_AA : 0) | (get_bool(d, dns, "tc") ? FEED_F_TC : 0) |
	                       (get_bool(d, dns, "rd") ? FEED_F_RD : 0) | (get_bool(d, dns, "ra") ? FEED_F_RA : 0));

	if (query) {
		unsigned k = e->n_recent++ % EVE_RECENT_Q;
		e->recent[k].used = true;
		e->recent[k].flow = m->flow_id;
		e->recent[k].id = m->id;
		e->recent[k].qtype = m->qtype >= 0 ? (uint16_t)m->qtype : 0;
		e->recent[k].src = m->src;
		e->recent[k].sport = m->sport;
		snprintf(e->recent[k].qname, sizeof e->recent[k].qname, "%s", m->qname);
		if (m->rcode < 0)
			m->rcode = 0;
		emit_msg(e, m, c, emit, ctx);
		return;
	}
	if (version >= 2) {
		add_array(d, json_get(d, dns, "answers"), DNS_SEC_ANSWER, m, c);
		if (m->n_rr == 0)
			add_grouped(d, json_get(d, dns, "grouped"), m, c);
		add_array(d, json_get(d, dns, "authorities"), DNS_SEC_AUTHORITY, m, c);
		if (m->rcode < 0)
			m->rcode = 0;
		emit_msg(e, m, c, emit, ctx);
		return;
	}
	/* version 1: one record per event, joined by flow, id and time */
	struct eve_msg *p = v1_slot(e, m, c, emit, ctx);
	p->touched = e->lines;
	int64_t ttl = 0;
	char data[EVE_NAME];
	if (get_str(d, dns, "rrtype", buf, sizeof buf) && get_str(d, dns, "rdata", data, sizeof data)) {
		int t = feed_type_parse(buf);
		get_int(d, dns, "ttl", &ttl);
		if (t >= 0)
			add_rr(p, m->qname, (uint16_t)t, ttl > 0 && ttl <= 0x7fffffff ? (uint32_t)ttl : 0, data,
			       DNS_SEC_ANSWER, c);
		else
			c->skipped++;
	} else if (get_str(d, dns, "rrtype", buf, sizeof buf)) {
		c->skipped++;   /* a record logged without its data (SOA, or SRV in old versions) */
	}
}
