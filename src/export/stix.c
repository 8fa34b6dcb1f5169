/* STIX 2.1 bundle writer: one indicator object per domain, address or network, with a
 * deterministic UUIDv5 id (the same indicator gets the same id on every export, so partners
 * can update rather than duplicate it), and a UUIDv4 bundle id. */
#include "export/export_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- SHA-1 (FIPS 180-4), only for UUIDv5 (RFC 9562 §5.5) ---------------------------------- */

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

static uint32_t rol(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void
sha1_block(struct sha1 *c, const uint8_t *p)
{
	uint32_t w[80], a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) { f = (b & cc) | (~b & d); k = 0x5a827999; }
		else if (i < 40) { f = b ^ cc ^ d; k = 0x6ed9eba1; }
		else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8f1bbcdc; }
		else { f = b ^ cc ^ d; k = 0xca62c1d6; }
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d; d = cc; cc = rol(b, 30); b = a; a = t;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void
sha1_init(struct sha1 *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->n = 0;
}

static void
sha1_update(struct sha1 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	c->len += len;
	while (len > 0) {
		size_t take = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->buf + c->n, p, take);
		c->n += take;
		p += take;
		len -= take;
		if (c->n == 64) {
			sha1_block(c, c->buf);
			c->n = 0;
		}
	}
}

static void
sha1_final(struct sha1 *c, uint8_t out[20])
{
	uint64_t bits = c->len * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];

	sha1_update(c, &pad, 1);
	while (c->n != 56)
		sha1_update(c, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(c, lenb, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

/* fluxscope's UUIDv5 namespace (a fixed random UUID). */
static const uint8_t ns_fluxscope[16] = { 0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4a, 0x77,
                                          0x9c, 0x41, 0x2d, 0x5e, 0xa0, 0x13, 0xf4, 0x8b };

static void
uuid_fmt(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
	         u[13], u[14], u[15]);
}

/* UUIDv5 of name in fluxscope's namespace. Exposed for the unit test through stix output. */
static void
uuid5(const char *name, char out[37])
{
	struct sha1 c;
	uint8_t h[20];

	sha1_init(&c);
	sha1_update(&c, ns_fluxscope, 16);
	sha1_update(&c, name, strlen(name));
	sha1_final(&c, h);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	uuid_fmt(h, out);
}

static void
uuid4(char out[37])
{
	uint8_t u[16];
	size_t got = 0;

	while (got < sizeof u) {
		ssize_t r = getrandom(u + got, sizeof u - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof u) {
		/* No entropy source: derive from time and address (still unique per run). */
		uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
		for (size_t i = 0; i < sizeof u; i++)
			u[i] = (uint8_t)(t >> (8 * (i % 8))) ^ (uint8_t)(i * 37);
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	uuid_fmt(u, out);
}

/* Write s as a STIX pattern string literal body: ' and \ escaped (STIX 2.1 §9.2). */
static void
pattern_str(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	for (; *s && o + 3 < len; s++) {
		if (*s == '\'' || *s == '\\')
			buf[o++] = '\\';
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

static bool
build_pattern(struct export_ctx *cx, const struct export_ind *x, char *pat, size_t len)
{
	const struct export_opts *o = export_ctx_opts(cx);
	char v[600], a[FS_ADDR_STRLEN + 8];

	if (export_kind_is_name(x->kind)) {
		/* A STIX domain-name value must be a domain name as RFC 1034 writes it. */
		if (!export_name_plain(x->name)) {
			export_ctx_refuse(cx, x, "not a plain host name (STIX domain-name)");
			return false;
		}
		pattern_str(v, sizeof v, x->name);
		if (x->kind == EXPORT_DOMAIN && (x->subdomains || o->subdomains))
			snprintf(pat, len, "[domain-name:value = '%s' OR domain-name:value LIKE '%%.%s']", v, v);
		else
			snprintf(pat, len, "[domain-name:value = '%s']", v);
		return true;
	}
	export_addr_text(x, a, sizeof a);
	if (x->kind == EXPORT_CIDR)
		snprintf(pat, len, "[%s:value ISSUBSET '%s']", x->addr.family == 4 ? "ipv4-addr" : "ipv6-addr", a);
	else
		snprintf(pat, len, "[%s:value = '%s']", x->addr.family == 4 ? "ipv4-addr" : "ipv6-addr", a);
	return true;
}

void
export_write_stix(struct export_ctx *cx, FILE *out)
{
	const struct export_set *s = export_ctx_set(cx);
	const struct export_opts *o = export_ctx_opts(cx);
	fs_time now = (fs_time)export_now(o) * FS_USEC;
	char id[37], ident[37], created[40], vfrom[40], pat[1400], key[700], v[80];
	size_t written = 0;

	uuid4(id);
	uuid5("identity:fluxscope", ident);
	export_iso_time(now, true, created, sizeof created);
	fprintf(out, "{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--%s\",\n  \"objects\": [\n", id);
	fprintf(out, "    {\"type\": \"identity\", \"spec_version\": \"2.1\", \"id\": \"identity--%s\", "
	        "\"created\": \"2025-01-01T00:00:00.000Z\", \"modified\": \"2025-01-01T00:00:00.000Z\", "
	        "\"name\": \"fluxscope\", \"identity_class\": \"system\"}", ident);
	for (size_t i = 0; i < export_set_count(s) && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		const char *what;

		if (x->kind == EXPORT_PASSTHRU)
			continue;
		if (!build_pattern(cx, x, pat, sizeof pat))
			continue;
		const char *val = export_kind_is_name(x->kind) ? x->name : export_addr_text(x, v, sizeof v);
		snprintf(key, sizeof key, "indicator:%s:%s", export_kind_name(x->kind), val);
		uuid5(key, id);
		/* valid_from: when the capture first showed it, else now. */
		export_iso_time(x->first_seen ? x->first_seen : now, true, vfrom, sizeof vfrom);
		switch (x->kind) {
		case EXPORT_DOMAIN: what = "domain"; break;
		case EXPORT_NSNAME: what = "nameserver"; break;
		case EXPORT_NSADDR: what = "nameserver address"; break;
		case EXPORT_CIDR: what = "network"; break;
		default: what = "address"; break;
		}
		fprintf(out, ",\n    {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--%s\", "
		        "\"created\": \"%s\", \"modified\": \"%s\", \"created_by_ref\": \"identity--%s\", ",
		        id, created, created, ident);
		{
			char name[800];
			snprintf(name, sizeof name, "fluxscope %s %s %s",
			         x->verdict[0] ? x->verdict : "flagged", what, val);
			fputs("\"name\": ", out);
			export_json_str(out, name);
		}
		fputs(", \"description\": ", out);
		{
			size_t n = 64 + strlen(x->reason ? x->reason : "");
			for (int r = 0; r < x->n_reasons; r++)
				n += strlen(x->reasons[r]) + 2;
			char *d = xmalloc(n + 64);
			int off = snprintf(d, n + 64, "Score %.1f (%s).", x->score,
			                   x->verdict[0] ? x->verdict : "unscored");
			if (x->n_reasons == 0 && x->reason && x->reason[0])
				off += snprintf(d + off, n + 64 - (size_t)off, " %s.", x->reason);
			for (int r = 0; r < x->n_reasons; r++)
				off += snprintf(d + off, n + 64 - (size_t)off, " %s%s", x->reasons[r],
				                r + 1 < x->n_reasons ? ";" : ".");
			export_json_str(out, d);
			free(d);
		}
		fprintf(out, ", \"indicator_types\": [\"%s\"], ",
		        strcmp(x->verdict, "suspicious") == 0 ? "anomalous-activity" : "malicious-activity");
		fputs("\"pattern\": ", out);
		export_json_str(out, pat);
		fprintf(out, ", \"pattern_type\": \"stix\", \"pattern_version\": \"2.1\", \"valid_from\": \"%s\", ",
		        vfrom);
		fputs("\"labels\": [\"fast-flux\"", out);
		if (x->verdict[0]) {
			fputs(", ", out);
			export_json_str(out, x->verdict);
		}
		fprintf(out, "], \"confidence\": %d}", (int)(x->score < 0 ? 0 : x->score > 100 ? 100 : x->score + 0.5));
		written++;
		export_ctx_entry(cx);
	}
	fputs("\n  ]\n}\n", out);
}
