/* Zeek dns.log, TSV (the header names the separator and the fields) or JSON lines: one line
 * per DNS transaction, turned into the query and, when Zeek saw one, the response.
 *
 * Zeek keeps the answers' data and TTLs in order but neither their owner names nor their
 * types. The answer section is rebuilt: an address is an A or AAAA record of the current
 * owner; for address-like queries (A, AAAA, CNAME, ANY, SVCB, HTTPS) a name is a CNAME from
 * the current owner to it, which becomes the owner of what follows (the order resolvers write
 * chains in); for NS and PTR queries a name is an NS or PTR record of the query name. Other
 * data (MX, TXT, SOA…) cannot be told from a name and is left out (counted). Authority and
 * additional records are not in the log. An empty query name ("" in JSON, the empty-field mark
 * in TSV) is the root, as Zeek logs a resolver's priming queries; an unset one is no question. */
#include "capture/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZEEK_MAX_FIELDS 64
#define ZEEK_MAX_ANSWERS 256

enum zf { ZF_TS, ZF_ORIG_H, ZF_ORIG_P, ZF_RESP_H, ZF_RESP_P, ZF_PROTO, ZF_TRANS_ID, ZF_RTT,
          ZF_QUERY, ZF_QCLASS, ZF_QTYPE, ZF_RCODE, ZF_AA, ZF_TC, ZF_RD, ZF_RA, ZF_ANSWERS,
          ZF_TTLS, ZF_N };
static const char *const zf_names[ZF_N] = {
	"ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt",
	"query", "qclass", "qtype", "rcode", "AA", "TC", "RD", "RA", "answers", "TTLs",
};

struct zeek_rec;

struct zeek_reader {
	char sep, set_sep;
	char empty[32], unset[32];
	int col[ZF_N];          /* TSV column of each field, -1 = absent */
	bool have_fields;
	struct jdoc jd;           /* one line's tokens */
	struct zeek_rec *rec;
	uint8_t msg[65536];
	uint8_t frame[65536 + DEC_FEED_HDR_MAX];
};

struct zeek_rec {
	fs_time ts, rtt;
	fs_addr orig, resp;
	uint16_t orig_p, resp_p, id;
	uint8_t proto;
	char query[1100];
	int qclass, qtype, rcode;   /* -1 = unset */
	bool aa, tc, rd, ra;
	const char *ans[ZEEK_MAX_ANSWERS];
	uint32_t ttl[ZEEK_MAX_ANSWERS];
	size_t n_ans, n_ttl;
	char abuf[FEED_LINE_MAX + 1];
};

struct zeek_reader *
zeek_new(void)
{
	struct zeek_reader *z = xcalloc(1, sizeof *z);

	z->sep = '\t';
	z->set_sep = ',';
	snprintf(z->empty, sizeof z->empty, "(empty)");
	snprintf(z->unset, sizeof z->unset, "-");
	for (int i = 0; i < ZF_N; i++)
		z->col[i] = -1;
	json_doc_init(&z->jd, JSON_LOG, JSON_LOG_DEPTH, FEED_JSON_TOKENS);
	z->rec = xmalloc(sizeof *z->rec);
	return z;
}

void
zeek_free(struct zeek_reader *z)
{
	if (z == NULL)
		return;
	json_doc_fini(&z->jd);
	free(z->rec);
	free(z);
}

/* "\x09" style escapes of the header's separator lines. A separator that cannot split a line
 * held as a C string (NUL, or a line end, which the line reader has already taken) keeps the
 * one before it: splitting on NUL would step past the end of the line. */
static char
unescape_sep(const char *s, char was)
{
	char c = s[0];
	if (s[0] == '\\' && s[1] == 'x') {
		char h[3] = { s[2], s[2] != '\0' ? s[3] : '\0', 0 };
		c = (char)strtol(h, NULL, 16);
	}
	return c == '\0' || c == '\n' || c == '\r' ? was : c;
}

/* Seconds with decimals (Zeek's time and interval) into microseconds; false when not one. */
static bool
parse_secs(const char *s, fs_time *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v > -1e12 && v < 1e12))
		return false;
	*out = (fs_time)(v * 1e6 + (v >= 0 ? 0.5 : -0.5));
	return true;
}

/* Integer milliseconds since the epoch (Zeek's JSON::TS_MILLIS and TS_MILLIS_UNSIGNED): only
 * digits, and at least 1e11 (in seconds that would be the year 5138). */
static bool
parse_millis(const char *s, fs_time *out)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 16)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0 || v < 100000000000ULL)
		return false;
	*out = (fs_time)(v * 1000);
	return true;
}

/* ISO 8601 "2018-03-24T17:15:21.123456Z" (Zeek's JSON::TS_ISO8601). */
static bool
parse_iso(const char *s, fs_time *out)
{
	int y, mo, d, h, mi;
	double sec;
	char z = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &sec, &z) < 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
		return false;
	/* days from civil (Howard Hinnant's algorithm), UTC */
	int yy = y - (mo <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	*out = (days * 86400 + h * 3600 + mi * 60) * FS_USEC + (fs_time)(sec * 1e6 + 0.5);
	return true;
}

static bool
parse_u16(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool
is_addr_query(int qtype)
{
	return qtype == DNS_TYPE_A || qtype == DNS_TYPE_AAAA || qtype == DNS_TYPE_CNAME ||
	       qtype == 255 || qtype == 64 || qtype == 65;
}

/* Plausible as a host name in the answers (not "TXT 12 …" or "<unknown type=…>"). */
static bool
name_like(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s == ' ' || *s == '<' || *s == '>' || *s == '"')
			return false;
	return true;
}

static void
emit_rec(struct zeek_reader *z, struct zeek_rec *r, struct feed_counts *c, feed_emit_fn emit,
         void *ctx)
{
	struct feed_rr an[ZEEK_MAX_ANSWERS];
	struct dec_feed_hdr h = { .transport = r->proto, .view = DEC_VIEW_NONE, .vantage = "zeek",
	                          .port_check = true };
	size_t n = 0, len, flen;
	const char *owner = r->query;
	uint16_t qtype = r->qtype >= 0 ? (uint16_t)r->qtype : 0;

	if (r->query[0] == '\0') {
		c->skipped++;
		return;
	}
	/* the query, from the client */
	h.src = r->orig;
	h.dst = r->resp;
	h.sport = r->orig_p;
	h.dport = r->resp_p;
	len = feed_build_msg(z->msg, sizeof z->msg, r->id, false, r->rd ? FEED_F_RD : 0, 0, r->query,
	                     qtype, r->qclass > 0 ? (uint16_t)r->qclass : 1, NULL, 0);
	if (len == 0) {
		c->bad++;
		return;
	}
	flen = dec_feed_frame(z->frame, sizeof z->frame, &h, z->msg, len);
	if (flen > 0) {
		emit(ctx, r->ts, z->frame, flen);
		c->messages++;
	}
	if (r->rcode < 0)
		return;   /* no response seen */
	for (size_t i = 0; i < r->n_ans && n < ZEEK_MAX_ANSWERS; i++) {
		struct feed_rr *a = &an[n];
		memset(a, 0, sizeof *a);
		a->name = owner;
		a->ttl = i < r->n_ttl ? r->ttl[i] : 0;
		if (fs_addr_parse(r->ans[i], &a->addr) == 0) {
			a->type = a->addr.family == 6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
		} else if (name_like(r->ans[i]) && is_addr_query(r->qtype)) {
			a->type = DNS_TYPE_CNAME;
			a->target = r->ans[i];
			owner = r->ans[i];   /* the chain goes on from here */
		} else if (name_like(r->ans[i]) && (r->qtype == DNS_TYPE_NS || r->qtype == DNS_TYPE_PTR)) {
			a->type = (uint16_t)r->qtype;
			a->name = r->query;
			a->target = r->ans[i];
		} else {
			c->skipped++;   /* MX, TXT, SOA… data: the record cannot be rebuilt */
			continue;
		}
		n++;
	}
	h.src = r->resp;
	h.dst = r->orig;
	h.sport = r->resp_p;
	h.dport = r->orig_p;
	uint16_t fl = (uint16_t)((r->aa ? FEED_F_AA : 0) | (r->tc ? FEED_F_TC : 0) |
	                         (r->rd ? FEED_F_RD : 0) | (r->ra ? FEED_F_RA : 0));
	len = feed_build_msg(z->msg, sizeof z->msg, r->id, true, fl, (uint16_t)r->rcode, r->query, qtype,
	                     r->qclass > 0 ? (uint16_t)r->qclass : 1, an, n);
	if (len == 0) {
		c->bad++;
		return;
	}
	flen = dec_feed_frame(z->frame, sizeof z->frame, &h, z->msg, len);
	if (flen > 0) {
		emit(ctx, r->ts + (r->rtt > 0 ? r->rtt : 0), z->frame, flen);
		c->messages++;
	}
}

static void
rec_init(struct zeek_rec *r)
{
	r->ts = r->rtt = 0;
	memset(&r->orig, 0, sizeof r->orig);
	memset(&r->resp, 0, sizeof r->resp);
	r->orig_p = r->resp_p = r->id = 0;
	r->proto = 17;
	r->query[0] = '\0';
	r->qclass = r->qtype = r->rcode = -1;
	r->aa = r->tc = r->rd = r->ra = false;
	r->n_ans = r->n_ttl = 0;
}

static bool
set_field(struct zeek_rec *r, int f, const char *v)
{
	fs_time t;
	uint16_t u;
	switch (f) {
	case ZF_TS:
		if (!parse_millis(v, &r->ts) && !parse_secs(v, &r->ts) && !parse_iso(v, &r->ts))
			return false;
		break;
	case ZF_ORIG_H: if (fs_addr_parse(v, &r->orig) != 0) return false; break;
	case ZF_RESP_H: if (fs_addr_parse(v, &r->resp) != 0) return false; break;
	case ZF_ORIG_P: if (!parse_u16(v, &r->orig_p)) return false; break;
	case ZF_RESP_P: if (!parse_u16(v, &r->resp_p)) return false; break;
	case ZF_PROTO: r->proto = strcmp(v, "tcp") == 0 ? 6 : 17; break;
	case ZF_TRANS_ID: if (parse_u16(v, &u)) r->id = u; break;
	case ZF_RTT: if (parse_secs(v, &t)) r->rtt = t; break;
	case ZF_QUERY:   /* "" is the root */
		snprintf(r->query, sizeof r->query, "%s", v[0] != '\0' ? v : ".");
		break;
	case ZF_QCLASS: r->qclass = parse_u16(v, &u) ? u : -1; break;
	case ZF_QTYPE: r->qtype = parse_u16(v, &u) ? u : -1; break;
	case ZF_RCODE: r->rcode = parse_u16(v, &u) && u <= 4095 ? u : -1; break;
	case ZF_AA: r->aa = v[0] == 'T' || v[0] == 't'; break;
	case ZF_TC: r->tc = v[0] == 'T' || v[0] == 't'; break;
	case ZF_RD: r->rd = v[0] == 'T' || v[0] == 't'; break;
	case ZF_RA: r->ra = v[0] == 'T' || v[0] == 't'; break;
	default: break;
	}
	return true;
}

static void
tsv_header(struct zeek_reader *z, char *line)
{
	if (strncmp(line, "#separator ", 11) == 0) {
		z->sep = unescape_sep(line + 11, z->sep);
		return;
	}
	char *tab = strchr(line, z->sep);
	if (tab == NULL)
		return;
	*tab = '\0';
	char *val = tab + 1;
	if (strcmp(line, "#set_separator") == 0)
		z->set_sep = unescape_sep(val, z->set_sep);
	else if (strcmp(line, "#empty_field") == 0)
		snprintf(z->empty, sizeof z->empty, "%s", val);
	else if (strcmp(line, "#unset_field") == 0)
		snprintf(z->unset, sizeof z->unset, "%s", val);
	else if (strcmp(line, "#fields") == 0) {
		int col = 0;
		for (int i = 0; i < ZF_N; i++)
			z->col[i] = -1;
		for (char *f = val; f != NULL && col < ZEEK_MAX_FIELDS; col++) {
			char *nx = strchr(f, z->sep);
			if (nx != NULL)
				*nx++ = '\0';
			for (int i = 0; i < ZF_N; i++)
				if (strcmp(f, zf_names[i]) == 0)
					z->col[i] = col;
			f = nx;
		}
		z->have_fields = z->col[ZF_QUERY] >= 0;
	}
}

static void
tsv_line(struct zeek_reader *z, char *line, struct zeek_rec *r, struct feed_counts *c,
         feed_emit_fn emit, void *ctx)
{
	char *cols[ZEEK_MAX_FIELDS];
	int n = 0;

	if (!z->have_fields) {
		c->bad++;   /* data before a #fields line */
		return;
	}
	for (char *f = line; f != NULL && n < ZEEK_MAX_FIELDS;) {
		cols[n++] = f;
		char *nx = strchr(f, z->sep);
		if (nx != NULL)
			*nx++ = '\0';
		f = nx;
	}
	rec_init(r);
	for (int i = 0; i < ZF_N; i++) {
		int k = z->col[i];
		if (k < 0 || k >= n)
			continue;
		char *v = cols[k];
		if (i == ZF_QUERY && strcmp(v, z->empty) == 0) {
			set_field(r, i, "");   /* an empty name: the root (priming queries to root servers) */
			continue;
		}
		if (strcmp(v, z->unset) == 0 || strcmp(v, z->empty) == 0)
			continue;
		if (i == ZF_ANSWERS || i == ZF_TTLS) {
			for (char *e = v; e != NULL;) {
				char *nx = strchr(e, z->set_sep);
				if (nx != NULL)
					*nx++ = '\0';
				if (i == ZF_ANSWERS && r->n_ans < ZEEK_MAX_ANSWERS)
					r->ans[r->n_ans++] = e;
				else if (i == ZF_TTLS && r->n_ttl < ZEEK_MAX_ANSWERS) {
					fs_time t = 0;
					parse_secs(e, &t);
					r->ttl[r->n_ttl++] = t > 0 ? (uint32_t)(t / FS_USEC > 0x7fffffff ? 0x7fffffff : t / FS_USEC) : 0;
				}
				e = nx;
			}
			continue;
		}
		if (!set_field(r, i, v)) {
			c->bad++;
			return;
		}
	}
	emit_rec(z, r, c, emit, ctx);
}

static void
json_line(struct zeek_reader *z, const char *line, size_t len, struct zeek_rec *r,
          struct feed_counts *c, feed_emit_fn emit, void *ctx)
{
	struct jdoc *d = &z->jd;
	char v[1100];
	size_t ao = 0;

	if (!json_parse(d, line, len) || d->tok[1].type != JT_OBJ) {
		c->bad++;
		return;
	}
	rec_init(r);
	for (int i = 0; i < ZF_N; i++) {
		uint32_t t = json_get(d, 0, zf_names[i]);
		if (t == 0 || d->tok[t].type == JT_NULL)
			continue;
		if (i == ZF_ANSWERS || i == ZF_TTLS) {
			if (d->tok[t].type != JT_ARR)
				continue;
			for (uint32_t e = json_child(d, t); e != 0; e = json_next(d, e)) {
				if (i == ZF_ANSWERS && r->n_ans < ZEEK_MAX_ANSWERS) {
					if (!json_str_at(d, e, r->abuf + ao, sizeof r->abuf - ao))
						continue;
					r->ans[r->n_ans++] = r->abuf + ao;
					ao += strlen(r->abuf + ao) + 1;
				} else if (i == ZF_TTLS && r->n_ttl < ZEEK_MAX_ANSWERS) {
					double f = 0;
					json_f64_at(d, e, &f);
					r->ttl[r->n_ttl++] = f > 0 && f < 2147483647.0 ? (uint32_t)f : 0;
				}
			}
			continue;
		}
		if (d->tok[t].type == JT_TRUE || d->tok[t].type == JT_FALSE) {
			set_field(r, i, d->tok[t].type == JT_TRUE ? "T" : "F");
			continue;
		}
		if (!json_str_at(d, t, v, sizeof v) || !set_field(r, i, v)) {
			c->bad++;
			return;
		}
	}
	emit_rec(z, r, c, emit, ctx);
}

void
zeek_line(struct zeek_reader *z, const char *line, size_t len, struct feed_counts *c,
          feed_emit_fn emit, void *ctx)
{
	struct zeek_rec *rec = z->rec;
	char *copy;

	c->records++;
	if (len == 0)
		return;
	if (len > FEED_LINE_MAX) {
		c->oversized++;
		return;
	}
	if (line[0] == '{') {
		json_line(z, line, len, rec, c, emit, ctx);
		return;
	}
	if (memchr(line, '\0', len) != NULL) {
		c->bad++;
		return;
	}
	copy = rec->abuf;   /* the TSV fields are cut in place in the record's buffer */
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (copy[0] == '#') {
		c->records--;   /* headers are not records */
		tsv_header(z, copy);
		return;
	}
	tsv_line(z, copy, rec, c, emit, ctx);
}
