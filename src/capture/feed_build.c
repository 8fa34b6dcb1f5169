/* DNS messages in wire format for log records (Zeek, EVE), which keep names, types, TTLs and
 * data but not the message: one question and the answer section, uncompressed. The decoder
 * then reads them like any other message. */
#include "capture/feed_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t
feed_name_wire(const char *name, uint8_t *out, size_t cap)
{
	size_t o = 0, lab = 0, n = strlen(name);

	if (n == 0 || strcmp(name, ".") == 0) {
		if (cap < 1)
			return 0;
		out[0] = 0;
		return 1;
	}
	if (cap < 2)
		return 0;
	lab = o++;
	out[lab] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)name[i];
		if (c == '.') {
			if (out[lab] == 0)
				return 0;          /* empty label */
			if (i + 1 == n)
				break;             /* trailing dot */
			if (o + 1 >= cap)
				return 0;
			lab = o++;
			out[lab] = 0;
			continue;
		}
		if (c == '\\' && i + 1 < n) {
			char e = name[i + 1];
			if (e >= '0' && e <= '9' && i + 3 < n && name[i + 2] >= '0' && name[i + 2] <= '9' &&
			    name[i + 3] >= '0' && name[i + 3] <= '9') {
				c = (unsigned)((e - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0'));
				if (c > 255)
					return 0;
				i += 3;
			} else if (e == 'x' && i + 3 < n && hexval(name[i + 2]) >= 0 && hexval(name[i + 3]) >= 0) {
				c = (unsigned)(hexval(name[i + 2]) << 4 | hexval(name[i + 3]));   /* Zeek */
				i += 3;
			} else {
				c = (unsigned char)e;
				i += 1;
			}
		}
		if (out[lab] == 63 || o + 1 >= cap || o >= 254)
			return 0;
		out[o++] = (uint8_t)c;
		out[lab]++;
	}
	if (out[lab] == 0)
		return 0;
	out[o++] = 0;
	return o <= 255 ? o : 0;
}

static const struct { const char *name; int v; } types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "HINFO", 13 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "NAPTR", 35 }, { "DNAME", 39 },
	{ "OPT", 41 }, { "DS", 43 }, { "RRSIG", 46 }, { "NSEC", 47 }, { "DNSKEY", 48 },
	{ "NSEC3", 50 }, { "TLSA", 52 }, { "SVCB", 64 }, { "HTTPS", 65 }, { "SPF", 99 },
	{ "AXFR", 252 }, { "IXFR", 251 }, { "ANY", 255 }, { "*", 255 }, { "CAA", 257 },
};

static int
num(const char *s)
{
	long v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 65535)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 65535 ? (int)v : -1;
}

int
feed_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(s, types[i].name) == 0)
			return types[i].v;
	if (strncasecmp(s, "TYPE", 4) == 0)
		return num(s + 4);
	return num(s);
}

static const char *const rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSET", "NOTAUTH", "NOTZONE",
};

int
feed_rcode_parse(const char *s)
{
	for (size_t i = 0; i < sizeof rcodes / sizeof rcodes[0]; i++)
		if (strcasecmp(s, rcodes[i]) == 0)
			return (int)i;
	if (strncasecmp(s, "RCODE", 5) == 0)
		return num(s + 5) > 4095 ? -1 : num(s + 5);
	int v = num(s);
	return v > 4095 ? -1 : v;
}

static bool
put(uint8_t *buf, size_t cap, size_t *o, const void *p, size_t n)
{
	if (*o + n > cap)
		return false;
	memcpy(buf + *o, p, n);
	*o += n;
	return true;
}

static bool
put16(uint8_t *buf, size_t cap, size_t *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return put(buf, cap, o, b, 2);
}

static bool
put_name(uint8_t *buf, size_t cap, size_t *o, const char *name)
{
	uint8_t w[256];
	size_t n = feed_name_wire(name, w, sizeof w);
	return n > 0 && put(buf, cap, o, w, n);
}

size_t
feed_build_msg(uint8_t *buf, size_t cap, uint16_t id, bool qr, uint16_t flags, uint16_t rcode,
               const char *qname, uint16_t qtype, uint16_t qclass,
               const struct feed_rr *an, size_t n_an)
{
	size_t o = 0;
	uint16_t nan = 0;

	if (n_an > 65535)
		n_an = 65535;
	uint16_t f = (uint16_t)((qr ? 0x8000 : 0) | (flags & 0x0780) | (rcode & 0xf));
	if (!put16(buf, cap, &o, id) || !put16(buf, cap, &o, f) || !put16(buf, cap, &o, 1) ||
	    !put16(buf, cap, &o, 0) || !put16(buf, cap, &o, 0) || !put16(buf, cap, &o, 0))
		return 0;
	if (!put_name(buf, cap, &o, qname) || !put16(buf, cap, &o, qtype) ||
	    !put16(buf, cap, &o, qclass ? qclass : 1))
		return 0;
	uint16_t count[2] = { 0, 0 };
	for (int sec = 0; sec < 2; sec++)
	for (size_t i = 0; i < n_an; i++) {
		const struct feed_rr *r = &an[i];
		if ((r->section == DNS_SEC_AUTHORITY) != (sec == 1))
			continue;
		size_t start = o, rdl_at;
		bool ok = put_name(buf, cap, &o, r->name) && put16(buf, cap, &o, r->type) &&
		          put16(buf, cap, &o, 1) && put16(buf, cap, &o, (uint16_t)(r->ttl >> 16)) &&
		          put16(buf, cap, &o, (uint16_t)r->ttl);
		rdl_at = o;
		ok = ok && put16(buf, cap, &o, 0);
		if (ok && r->type == DNS_TYPE_A && r->addr.family == 4)
			ok = put(buf, cap, &o, r->addr.bytes, 4);
		else if (ok && r->type == DNS_TYPE_AAAA && r->addr.family == 6)
			ok = put(buf, cap, &o, r->addr.bytes, 16);
		else if (ok && r->target != NULL &&
		         (r->type == DNS_TYPE_CNAME || r->type == DNS_TYPE_NS || r->type == DNS_TYPE_PTR ||
		          r->type == DNS_TYPE_DNAME))
			ok = put_name(buf, cap, &o, r->target);
		else
			ok = false;
		if (!ok) {
			o = start;   /* a record that cannot be written is left out */
			continue;
		}
		size_t rdl = o - rdl_at - 2;
		buf[rdl_at] = (uint8_t)(rdl >> 8);
		buf[rdl_at + 1] = (uint8_t)rdl;
		count[sec]++;
	}
	nan = count[0];
	buf[8] = (uint8_t)(count[1] >> 8);
	buf[9] = (uint8_t)count[1];
	buf[6] = (uint8_t)(nan >> 8);
	buf[7] = (uint8_t)nan;
	return o;
}
