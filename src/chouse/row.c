/* The observation row: from a decoded DNS message, to and from RowBinary, and back to a DNS
 * message in wire form. Every byte of a row read back (a spool file, a server response) goes
 * through the bounds-checked reader of src/decode/wire.h. */
#include "chouse/ch_int.h"

#include <stdlib.h>
#include <string.h>

#include "decode/wire.h"

/* ---- bytes ------------------------------------------------------------------------------------ */

void
ch_buf_reserve(struct ch_buf *b, size_t more)
{
	if (b->cap - b->len >= more)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < more)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
ch_buf_add(struct ch_buf *b, const void *p, size_t n)
{
	ch_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
ch_buf_fini(struct ch_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static void
put_u8(struct ch_buf *b, uint8_t v)
{
	ch_buf_add(b, &v, 1);
}

static void
put_le(struct ch_buf *b, uint64_t v, int n)
{
	uint8_t t[8];
	for (int i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	ch_buf_add(b, t, (size_t)n);
}

static void
put_varint(struct ch_buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		put_u8(b, (uint8_t)(c | (v ? 0x80 : 0)));
	} while (v);
}

static void
put_str(struct ch_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_varint(b, n);
	ch_buf_add(b, s, n);
}

static void
put_addr16(struct ch_buf *b, const fs_addr *a)
{
	uint8_t v[16] = { 0 };
	if (a->family == 4) {
		v[10] = v[11] = 0xff;
		memcpy(v + 12, a->bytes, 4);
	} else if (a->family == 6)
		memcpy(v, a->bytes, 16);
	ch_buf_add(b, v, 16);
}

/* ---- the row of a message --------------------------------------------------------------------- */

void
ch_rowbuf_fini(struct ch_rowbuf *rb)
{
	free(rb->rr);
	free(rb->str);
	memset(rb, 0, sizeof *rb);
}

/* Strings are appended to rb->str and referred to by offset until the row is complete (the
 * buffer may move); ch_fix turns offsets into pointers. */
static size_t
str_add(struct ch_rowbuf *rb, const char *s, size_t n)
{
	size_t off = rb->str_len;
	if (rb->str_cap - rb->str_len < n + 1) {
		size_t cap = rb->str_cap ? rb->str_cap : 4096;
		while (cap - rb->str_len < n + 1)
			cap *= 2;
		rb->str = xrealloc(rb->str, cap);
		rb->str_cap = cap;
	}
	if (n > 0)
		memcpy(rb->str + off, s, n);
	rb->str[off + n] = '\0';
	rb->str_len += n + 1;
	return off;
}

static void
rr_reserve(struct ch_rowbuf *rb, uint32_t n)
{
	if (n <= rb->cap_rr)
		return;
	uint32_t cap = rb->cap_rr ? rb->cap_rr : 16;
	while (cap < n)
		cap *= 2;
	rb->rr = xreallocarray(rb->rr, cap, sizeof *rb->rr);
	rb->cap_rr = cap;
}

#define OFF(p) ((const char *)(uintptr_t)(p))
#define UNOFF(rb, p) ((rb)->str + (size_t)(uintptr_t)(p))

static void
fix_strings(struct ch_rowbuf *rb, size_t s_sensor, size_t s_qname, size_t s_reg, size_t s_feed)
{
	rb->row.feed = rb->str + s_feed;
	rb->row.sensor = rb->str + s_sensor;
	rb->row.qname = rb->str + s_qname;
	rb->row.registrable = rb->str + s_reg;
	for (uint32_t i = 0; i < rb->row.n_rr; i++) {
		rb->rr[i].name = UNOFF(rb, rb->rr[i].name);
		rb->rr[i].data = UNOFF(rb, rb->rr[i].data);
	}
	rb->row.rr = rb->rr;
}

bool
ch_row_from_msg(const struct dns_msg *m, const char *sensor, const char *registrable,
                struct ch_rowbuf *rb)
{
	static _Thread_local char tmp[16384];
	uint32_t n = 0, n_answer = 0;
	bool auth_ns = false;

	if (!m->qr || m->opcode != 0 || m->qname == NULL)
		return false;
	rb->str_len = 0;
	size_t s_sensor = str_add(rb, sensor ? sensor : "", sensor ? strnlen(sensor, CH_MAX_SENSOR) : 0);
	size_t s_qname = str_add(rb, m->qname, strlen(m->qname));
	size_t s_reg = str_add(rb, registrable ? registrable : "", registrable ? strlen(registrable) : 0);
	size_t s_feed = str_add(rb, m->vantage ? m->vantage : "", m->vantage ? strnlen(m->vantage, CH_MAX_FEED) : 0);
	rr_reserve(rb, m->n_rr + 1);
	for (uint32_t i = 0; i < m->n_rr && n < CH_MAX_RR; i++) {
		const struct dns_rr *rr = &m->rr[i];
		const char *data;

		if (rr->section == DNS_SEC_ANSWER)
			n_answer++;
		if (rr->section == DNS_SEC_QUESTION || rr->name == NULL || (rr->rclass & 0x7fff) != 1)
			continue;
		if (rr->section == DNS_SEC_AUTHORITY && rr->type != DNS_TYPE_NS)
			continue;
		if (rr->section == DNS_SEC_ADDITIONAL && rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA)
			continue;
		if (rr->type == DNS_TYPE_NS && rr->section == DNS_SEC_AUTHORITY)
			auth_ns = true;
		if ((rr->type == DNS_TYPE_A && rr->addr.family == 4) ||
		    (rr->type == DNS_TYPE_AAAA && rr->addr.family == 6))
			data = fs_addr_str(&rr->addr, tmp, sizeof tmp);
		else if ((rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_NS ||
		          rr->type == DNS_TYPE_PTR || rr->type == DNS_TYPE_DNAME) && rr->target != NULL)
			data = rr->target;
		else if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA)
			continue;   /* an address record without an address: nothing to keep */
		else
			data = dns_rdata_str(m, rr, tmp, sizeof tmp);
		size_t nl = strlen(rr->name), dl = strlen(data);
		if (nl > CH_MAX_NAME || dl > CH_MAX_DATA)
			continue;
		rb->rr[n] = (struct ch_rr){
			.section = rr->section, .type = rr->type, .ttl = rr->ttl,
			.name = OFF(str_add(rb, rr->name, nl)),
		};
		rb->rr[n].data = OFF(str_add(rb, data, dl));
		n++;
	}
	rb->row = (struct ch_row){
		.ts = m->ts < 0 ? 0 : m->ts,
		.vantage = m->view == DEC_VIEW_CLIENT ? CH_VANTAGE_CLIENT :
		           m->view == DEC_VIEW_UPSTREAM ? CH_VANTAGE_UPSTREAM :
		           (m->aa || (n_answer == 0 && auth_ns)) ? CH_VANTAGE_UPSTREAM : CH_VANTAGE_CLIENT,
		.client = m->dst, .resolver = m->src,
		.qtype = m->qtype, .rcode = m->rcode,
		.flags = (uint16_t)((m->aa ? CH_F_AA : 0) | (m->tc ? CH_F_TC : 0) | (m->rd ? CH_F_RD : 0) |
		         (m->ra ? CH_F_RA : 0) | (m->ad ? CH_F_AD : 0) | (m->cd ? CH_F_CD : 0) |
		         (m->transport == 6 ? CH_F_TCP : 0) | (m->malformed ? CH_F_MALFORMED : 0) |
		         (m->view == DEC_VIEW_CLIENT || m->view == DEC_VIEW_UPSTREAM ? CH_F_VIEW : 0)),
		.n_rr = n,
	};
	fix_strings(rb, s_sensor, s_qname, s_reg, s_feed);
	return true;
}

/* ---- RowBinary ------------------------------------------------------------------------------- */

void
ch_row_encode(const struct ch_row *r, struct ch_buf *b)
{
	int64_t sec = r->ts / FS_USEC;
	if (sec < 0)
		sec = 0;
	if (sec > UINT32_MAX)
		sec = UINT32_MAX;
	put_le(b, (uint64_t)sec, 4);
	put_le(b, (uint64_t)(r->ts < 0 ? 0 : r->ts % FS_USEC), 4);
	put_str(b, r->sensor);
	put_le(b, r->batch, 8);
	put_le(b, r->seq, 4);
	put_u8(b, r->vantage);
	put_addr16(b, &r->client);
	put_addr16(b, &r->resolver);
	put_str(b, r->qname);
	put_str(b, r->registrable);
	put_le(b, r->qtype, 2);
	put_le(b, r->rcode, 2);
	put_le(b, r->flags, 2);
	put_varint(b, r->n_rr);
	for (uint32_t i = 0; i < r->n_rr; i++)
		put_u8(b, r->rr[i].section);
	put_varint(b, r->n_rr);
	for (uint32_t i = 0; i < r->n_rr; i++)
		put_le(b, r->rr[i].type, 2);
	put_varint(b, r->n_rr);
	for (uint32_t i = 0; i < r->n_rr; i++)
		put_le(b, r->rr[i].ttl, 4);
	put_varint(b, r->n_rr);
	for (uint32_t i = 0; i < r->n_rr; i++)
		put_str(b, r->rr[i].name);
	put_varint(b, r->n_rr);
	for (uint32_t i = 0; i < r->n_rr; i++)
		put_str(b, r->rr[i].data);
	put_str(b, r->feed != NULL ? r->feed : "");
}

static uint64_t
get_varint(struct wire *w)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t c = wire_u8(w);
		if (!wire_ok(w))
			return 0;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	w->err = 1;   /* longer than 10 bytes */
	return 0;
}

static uint64_t
get_le(struct wire *w, int n)
{
	uint8_t t[8];
	uint64_t v = 0;
	if (!wire_bytes(w, t, (size_t)n))
		return 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | t[i];
	return v;
}

/* A string of at most max bytes without NUL into rb->str; its offset, or SIZE_MAX. */
static size_t
get_str(struct wire *w, struct ch_rowbuf *rb, size_t max)
{
	uint64_t n = get_varint(w);
	if (!wire_ok(w) || n > max)
		return SIZE_MAX;
	const uint8_t *p = wire_ptr(w, (size_t)n);
	if (p == NULL || memchr(p, 0, (size_t)n) != NULL)
		return SIZE_MAX;
	return str_add(rb, (const char *)p, (size_t)n);
}

static void
get_addr16(struct wire *w, fs_addr *a)
{
	uint8_t v[16];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	memset(a, 0, sizeof *a);
	if (!wire_bytes(w, v, 16))
		return;
	if (memcmp(v, mapped, 12) == 0) {
		a->family = 4;
		memcpy(a->bytes, v + 12, 4);
	} else {
		static const uint8_t zero[16];
		if (memcmp(v, zero, 16) == 0)
			return;   /* unknown */
		a->family = 6;
		memcpy(a->bytes, v, 16);
	}
}

/* The length of the next array, which must equal n (parallel arrays). */
static bool
get_count(struct wire *w, uint32_t n)
{
	return get_varint(w) == n && wire_ok(w);
}

int
ch_row_decode(struct wire *w, struct ch_rowbuf *rb, const char **why)
{
	size_t s_sensor, s_qname, s_reg, s_feed;
	uint64_t n;
	struct ch_row *r = &rb->row;

	*why = NULL;
	if (wire_left(w) == 0)
		return w->err ? -1 : 0;
	rb->str_len = 0;
	memset(r, 0, sizeof *r);
	uint64_t sec = get_le(w, 4), us = get_le(w, 4);
	if (us >= (uint64_t)FS_USEC) {
		*why = "a time's microseconds are 1,000,000 or more";
		return -1;
	}
	r->ts = (fs_time)sec * FS_USEC + (fs_time)us;
	if ((s_sensor = get_str(w, rb, CH_MAX_SENSOR)) == SIZE_MAX)
		goto bad_str;
	r->batch = get_le(w, 8);
	r->seq = (uint32_t)get_le(w, 4);
	r->vantage = (uint8_t)get_le(w, 1);
	get_addr16(w, &r->client);
	get_addr16(w, &r->resolver);
	if ((s_qname = get_str(w, rb, CH_MAX_NAME)) == SIZE_MAX ||
	    (s_reg = get_str(w, rb, CH_MAX_NAME)) == SIZE_MAX)
		goto bad_str;
	r->qtype = (uint16_t)get_le(w, 2);
	r->rcode = (uint16_t)get_le(w, 2);
	r->flags = (uint16_t)get_le(w, 2);
	n = get_varint(w);
	if (!wire_ok(w))
		goto cut;
	if (n > CH_MAX_RR) {
		*why = "a row has more records than the bound (4096)";
		return -1;
	}
	r->n_rr = (uint32_t)n;
	rr_reserve(rb, r->n_rr + 1);
	for (uint32_t i = 0; i < r->n_rr; i++) {
		rb->rr[i].section = (uint8_t)get_le(w, 1);
		if (rb->rr[i].section < DNS_SEC_ANSWER || rb->rr[i].section > DNS_SEC_ADDITIONAL) {
			*why = wire_ok(w) ? "a record's section is not 1, 2 or 3" : "the input ends inside a row";
			return -1;
		}
	}
	if (!get_count(w, r->n_rr))
		goto arrays;
	for (uint32_t i = 0; i < r->n_rr; i++)
		rb->rr[i].type = (uint16_t)get_le(w, 2);
	if (!get_count(w, r->n_rr))
		goto arrays;
	for (uint32_t i = 0; i < r->n_rr; i++)
		rb->rr[i].ttl = (uint32_t)get_le(w, 4);
	if (!get_count(w, r->n_rr))
		goto arrays;
	for (uint32_t i = 0; i < r->n_rr; i++) {
		size_t o = get_str(w, rb, CH_MAX_NAME);
		if (o == SIZE_MAX)
			goto bad_str;
		rb->rr[i].name = OFF(o);
	}
	if (!get_count(w, r->n_rr))
		goto arrays;
	for (uint32_t i = 0; i < r->n_rr; i++) {
		size_t o = get_str(w, rb, CH_MAX_DATA);
		if (o == SIZE_MAX)
			goto bad_str;
		rb->rr[i].data = OFF(o);
	}
	if (rb->no_feed)
		s_feed = str_add(rb, "", 0);
	else if ((s_feed = get_str(w, rb, CH_MAX_FEED)) == SIZE_MAX)
		goto bad_str;
	if (!wire_ok(w))
		goto cut;
	if (rb->str[s_qname] == '\0') {
		*why = "a row has an empty query name";
		return -1;
	}
	fix_strings(rb, s_sensor, s_qname, s_reg, s_feed);
	return 1;
arrays:
	if (wire_ok(w)) {
		*why = "a row's record arrays differ in length";
		return -1;
	}
cut:
	*why = "the input ends inside a row";
	return -1;
bad_str:
	*why = wire_ok(w) ? "a row holds a string over its bound or with a NUL byte" :
	                    "the input ends inside a row";
	return -1;
}

/* ---- back to a DNS message ----------------------------------------------------------------------- */

/* Presentation name (decode.h's escapes) to uncompressed wire form; false if it is not a name. */
static bool
put_name(struct ch_buf *b, const char *s)
{
	uint8_t out[256];
	size_t o = 0;
	const char *p = s;

	if (*s == '\0' || strcmp(s, ".") == 0) {
		put_u8(b, 0);
		return true;
	}
	while (*p) {
		size_t lab = o++;
		uint8_t len = 0;
		while (*p && *p != '.') {
			int c = (unsigned char)*p++;
			if (c == '\\') {
				if (p[0] >= '0' && p[0] <= '9') {
					if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
						return false;
					c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
					if (c > 255)
						return false;
					p += 3;
				} else if (*p != '\0')
					c = (unsigned char)*p++;
				else
					return false;
			}
			if (len == 63 || o >= 254)
				return false;
			out[o++] = (uint8_t)c;
			len++;
		}
		if (len == 0)
			return false;   /* empty label */
		out[lab] = len;
		if (*p == '.')
			p++;
	}
	if (o >= 255)
		return false;
	out[o++] = 0;
	ch_buf_add(b, out, o);
	return true;
}

static void
put_be(struct ch_buf *b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--)
		put_u8(b, (uint8_t)(v >> (8 * i)));
}

/* RDATA in wire form from its presentation text; false when it does not parse. */
static bool
put_rdata(struct ch_buf *b, const struct ch_rr *rr)
{
	size_t at = b->len;
	fs_addr a;

	put_be(b, 0, 2);   /* rdlength, set below */
	switch (rr->type) {
	case DNS_TYPE_A:
		if (fs_addr_parse(rr->data, &a) != 0 || a.family != 4)
			goto fail;
		ch_buf_add(b, a.bytes, 4);
		break;
	case DNS_TYPE_AAAA:
		if (fs_addr_parse(rr->data, &a) != 0 || a.family != 6)
			goto fail;
		ch_buf_add(b, a.bytes, 16);
		break;
	case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR: case DNS_TYPE_DNAME:
		if (!put_name(b, rr->data))
			goto fail;
		break;
	default: {
		/* every other type through decode, whose ldns printed it (decode.h) */
		uint8_t wire[65535];
		int n = dns_rdata_from_text(rr->type, rr->data, wire, sizeof wire);
		if (n < 0)
			goto fail;
		ch_buf_add(b, wire, (size_t)n);
		break;
	}
	}
	size_t rdl = b->len - at - 2;
	if (rdl > 65535)
		goto fail;
	b->p[at] = (uint8_t)(rdl >> 8);
	b->p[at + 1] = (uint8_t)rdl;
	return true;
fail:
	b->len = at;
	return false;
}

bool
ch_row_to_dns(const struct ch_row *r, struct ch_buf *b, uint32_t *n_skipped, const char **why)
{
	uint16_t count[4] = { 1, 0, 0, 0 };
	uint16_t fl;

	b->len = 0;
	*why = NULL;
	fl = 0x8000 | (r->flags & CH_F_AA ? 0x0400 : 0) | (r->flags & CH_F_TC ? 0x0200 : 0) |
	     (r->flags & CH_F_RD ? 0x0100 : 0) | (r->flags & CH_F_RA ? 0x0080 : 0) |
	     (r->flags & CH_F_AD ? 0x0020 : 0) | (r->flags & CH_F_CD ? 0x0010 : 0) | (r->rcode & 0xf);
	put_be(b, r->seq & 0xffff, 2);
	put_be(b, fl, 2);
	put_be(b, 0, 8);   /* counts, set below */
	if (!put_name(b, r->qname)) {
		*why = "its query name is not a DNS name";
		return false;
	}
	put_be(b, r->qtype, 2);
	put_be(b, 1, 2);
	/* sections in order: answer, authority, additional */
	for (int sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++) {
		for (uint32_t i = 0; i < r->n_rr; i++) {
			const struct ch_rr *rr = &r->rr[i];
			size_t at = b->len;
			if (rr->section != sec)
				continue;
			if (count[sec] == 65535 || !put_name(b, rr->name)) {
				b->len = at;
				(*n_skipped)++;
				continue;
			}
			put_be(b, rr->type, 2);
			put_be(b, 1, 2);
			put_be(b, rr->ttl, 4);
			if (!put_rdata(b, rr)) {
				b->len = at;
				(*n_skipped)++;
				continue;
			}
			count[sec]++;
		}
	}
	if (r->rcode > 15 && count[3] < 65535) {
		/* extended rcode: its upper bits in the TTL of an OPT record (RFC 6891) */
		put_u8(b, 0);
		put_be(b, DNS_TYPE_OPT, 2);
		put_be(b, 1232, 2);
		put_be(b, (uint32_t)((r->rcode >> 4) & 0xff) << 24, 4);
		put_be(b, 0, 2);
		count[3]++;
	}
	for (int i = 0; i < 4; i++) {
		b->p[4 + 2 * i] = (uint8_t)(count[i] >> 8);
		b->p[5 + 2 * i] = (uint8_t)count[i];
	}
	if (b->len > 65535 - 48) {
		*why = "its message would not fit in a datagram";
		return false;
	}
	return true;
}
