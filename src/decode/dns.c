/* \summary: DNS messages: a bounds-checked walker over the RFC 1035 wire format that decodes
 * the header, every question and record, names and the addresses and targets the store needs;
 * mnemonic tables; RDATA presentation (ldns for breadth, kept inside src/decode/). */
#include "decode/decode_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#define DNS_HDR_LEN 12
#define DNS_NAME_MAX_WIRE 255   /* RFC 1035 §3.1: octets of a name, length bytes included */
#define DNS_LABEL_MAX 63
/* Longest presentation form of a name: at most 254 octets of labels, each printed as at most
 * four characters (\DDD), plus dots and the NUL. */
#define DNS_NAME_MAX_PRES 1024
/*
 * Compression pointers may point forward. tcpdump and BIND insist on strictly backward
 * pointers, which rules out loops by construction; but ldns, Unbound and Wireshark follow
 * forward pointers, and real senders emit them (tests/data/pcaps/suricata-dns-forward-pointer.pcap:
 * a stub resolver's query whose first question points at the second). fluxscope records what
 * the peers actually exchanged, so it follows them too and bounds the walk instead: a loop
 * that adds labels hits the 255-octet cap, and a loop of bare pointers hits this hop limit
 * (a name has at most 127 labels, so an honest one never needs more jumps than that).
 */
#define DNS_MAX_PTR_HOPS 127
#define NO_NAME UINT32_MAX

/* --- scratch ------------------------------------------------------------------------------ */

void
dns_scratch_init(struct dns_scratch *sc)
{
	memset(sc, 0, sizeof *sc);
}

void
dns_scratch_fini(struct dns_scratch *sc)
{
	free(sc->rr);
	free(sc->names);
	free(sc->name_off);
	memset(sc, 0, sizeof *sc);
}

static void
scratch_reserve_rr(struct dns_scratch *sc, uint32_t n)
{
	uint32_t cap;

	if (n <= sc->cap_rr)
		return;
	cap = sc->cap_rr ? sc->cap_rr : 32;
	while (cap < n)
		cap *= 2;
	sc->rr = xreallocarray(sc->rr, cap, sizeof *sc->rr);
	sc->name_off = xreallocarray(sc->name_off, cap, 2 * sizeof *sc->name_off);
	sc->cap_rr = cap;
}

static void
scratch_reserve_names(struct dns_scratch *sc, size_t extra)
{
	size_t cap;

	if (sc->names_len + extra <= sc->names_cap)
		return;
	cap = sc->names_cap ? sc->names_cap : 4096;
	while (cap < sc->names_len + extra)
		cap *= 2;
	sc->names = xrealloc(sc->names, cap);
	sc->names_cap = cap;
}

/* --- names -------------------------------------------------------------------------------- */

/*
 * Label octets in presentation form, the way ldns prints names (host2str.c,
 * ldns_rdf2buffer_str_dname) but lower-cased: '.', ';', '(', ')' and '\\' get a backslash, any
 * octet that is not printable ASCII (space included) becomes \\DDD, the rest is literal. Only
 * A-Z are folded (RFC 4343); IDNA labels stay as on the wire. name_lower[c] is the character
 * to print for c, or 0 when c needs an escape.
 */
static const uint8_t name_lower[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x00, 0x00, 0x2a, 0x2b, 0x2c, 0x2d, 0x00, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x00, 0x3c, 0x3d, 0x3e, 0x3f,
	0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x00, 0x5d, 0x5e, 0x5f,
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static inline char *
name_put_octet(char *o, uint8_t c)
{
	uint8_t l = name_lower[c];

	if (l != 0) {
		*o++ = (char)l;
	} else if (c > 0x20 && c < 0x7f) {
		*o++ = '\\';
		*o++ = (char)c;
	} else {
		*o++ = '\\';
		*o++ = (char)('0' + c / 100);
		*o++ = (char)('0' + c / 10 % 10);
		*o++ = (char)('0' + c % 10);
	}
	return o;
}

/* How reading a name went. */
enum name_rc {
	NAME_OK,
	NAME_BAD,    /* the name is invalid, but its extent in the record is known: w is past it */
	NAME_FATAL   /* the record's framing is lost (truncated, or a reserved label type in place) */
};

/* A label walked while reading a name: where it sits on the wire and in the output. */
struct name_lab {
	uint16_t wire_off;     /* offset of its length octet in the message */
	uint16_t out_pos;      /* where its text starts in the output */
	uint16_t wire_before;  /* name octets before it */
	uint8_t hops_before;   /* pointers followed before it */
};

/*
 * Remember where the suffix starting at each label of a name just read lives in sc->names, so
 * a later pointer to any of those labels reuses the string instead of walking the labels
 * again: an owner that is only a pointer (the usual c0 0c) costs a table lookup and no copy.
 * Slots are direct-mapped by wire offset and belong to the current message (sc->name_gen).
 */
static void
name_cache_put(struct dns_scratch *sc, const struct name_lab *lab, int nl, uint32_t out_off,
               size_t slen, size_t wirelen, unsigned hops)
{
	for (int i = 0; i < nl; i++) {
		if (lab[i].wire_off > 0x3fff)   /* beyond any pointer's reach */
			continue;
		struct dns_name_slot *s = &sc->name_cache[lab[i].wire_off % DNS_NAME_CACHE];
		s->gen = sc->name_gen;
		s->wire_off = lab[i].wire_off;
		s->name_off = out_off + lab[i].out_pos;
		s->slen = (uint16_t)(slen - lab[i].out_pos);
		s->wirelen = (uint16_t)(wirelen - lab[i].wire_before);
		s->hops = (uint8_t)(hops - lab[i].hops_before);
	}
}

/*
 * Read the (possibly compressed) name at w's position. Its presentation form, NUL-terminated,
 * is written at out (room for DNS_NAME_MAX_PRES; out is at offset out_off of sc->names) or,
 * when the whole name is a string read before, *reuse is set to that string's offset and
 * nothing is written (*reuse is NO_NAME otherwise). sc may be NULL: no reuse. w ends up past
 * the name as it sits in the record (a pointer counts two octets).
 *
 * Rules: labels of 1..63 octets, label types 01 and 10 (RFC 6891 §5, RFC 2673) rejected,
 * pointers into the 12-octet header or past the end rejected, at most 255 octets in all, at
 * most DNS_MAX_PTR_HOPS jumps. A name that breaks a rule after its in-place part is known (a
 * bad pointer, a loop, more than 255 octets) is NAME_BAD: the caller can still step over the
 * record, as Wireshark does, so the records after it are not lost. On NAME_FATAL w->err is
 * set. Nothing but the cache of the current message survives the call.
 */
static enum name_rc
name_read(struct dns_scratch *sc, struct wire *w, char *out, uint32_t out_off, uint32_t *reuse,
          size_t *slen)
{
	struct name_lab lab[DNS_NAME_MAX_WIRE / 2];
	struct wire r = *w;
	char *o = out;
	size_t wirelen = 1;    /* the root octet */
	unsigned hops = 0;
	int nl = 0;
	bool jumped = false, toolong = false;

	*reuse = NO_NAME;
	for (;;) {
		size_t at = wire_pos(&r);
		uint8_t len = wire_u8(&r);
		if (!wire_ok(&r))
			goto fail;
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			size_t target = (size_t)(len & 0x3f) << 8 | wire_u8(&r);
			if (!wire_ok(&r))
				goto fail;
			if (!jumped) {
				wire_seek(w, wire_pos(&r));
				jumped = true;
			}
			if (toolong || ++hops > DNS_MAX_PTR_HOPS || target < DNS_HDR_LEN ||
			    !wire_seek(&r, target))
				goto bad;
			const struct dns_name_slot *s = NULL;
			if (sc != NULL) {
				s = &sc->name_cache[target % DNS_NAME_CACHE];
				if (s->gen != sc->name_gen || s->wire_off != target)
					s = NULL;
			}
			if (s == NULL)
				continue;
			/* The rest of the name was read before from this very offset, so walking
			 * it again would give the same string, length and hops. */
			if (wirelen - 1 + s->wirelen > DNS_NAME_MAX_WIRE ||
			    hops + s->hops > DNS_MAX_PTR_HOPS)
				goto bad;
			if (o == out) {
				*reuse = s->name_off;
				*slen = s->slen;
				return NAME_OK;
			}
			*o++ = '.';
			memcpy(o, sc->names + s->name_off, (size_t)s->slen + 1);
			o += s->slen;
			wirelen += s->wirelen - 1;
			hops += s->hops;
			*slen = (size_t)(o - out);
			name_cache_put(sc, lab, nl, out_off, *slen, wirelen, hops);
			return NAME_OK;
		}
		if (len & 0xc0)
			goto fail;
		wirelen += 1 + (size_t)len;
		if (wirelen > DNS_NAME_MAX_WIRE) {
			/* keep walking the in-place labels to find where the record goes on */
			if (jumped)
				goto bad;
			toolong = true;
		}
		const uint8_t *p = wire_ptr(&r, len);
		if (p == NULL)
			goto fail;
		if (toolong)
			continue;
		if (o != out)
			*o++ = '.';
		lab[nl].wire_off = (uint16_t)(at > 0xffff ? 0xffff : at);
		lab[nl].out_pos = (uint16_t)(o - out);
		lab[nl].wire_before = (uint16_t)(wirelen - 1 - len - 1);
		lab[nl].hops_before = (uint8_t)hops;
		nl++;
		for (uint8_t i = 0; i < len; i++)
			o = name_put_octet(o, p[i]);
	}
	if (!jumped)
		wire_seek(w, wire_pos(&r));
	if (toolong)
		goto bad;
	if (o == out)
		*o++ = '.';
	*o = '\0';
	*slen = (size_t)(o - out);
	if (sc != NULL)
		name_cache_put(sc, lab, nl, out_off, *slen, wirelen, hops);
	return NAME_OK;
bad:
	*out = '\0';
	return NAME_BAD;
fail:
	/* a fault past a pointer leaves the record framed; one in place does not */
	*out = '\0';
	if (jumped)
		return NAME_BAD;
	w->err = 1;
	return NAME_FATAL;
}

/* Presentation form of an uncompressed wire name held in n octets (ldns rdf data). */
static void
name_str_flat(const uint8_t *name, size_t n, char out[DNS_NAME_MAX_PRES])
{
	struct wire w;

	/* A pointer would be relative to the rdf, not a message: uncompressed names have none,
	 * and name_read rejects any pointer below 12 or past the end anyway. */
	uint32_t reuse;
	size_t slen;

	wire_init(&w, name, n);
	if (name_read(NULL, &w, out, 0, &reuse, &slen) != NAME_OK)
		strcpy(out, "?");
}

/* --- messages ----------------------------------------------------------------------------- */

/* Append the name at w to sc->names; *off is its offset, or NO_NAME unless NAME_OK. */
static enum name_rc
names_add(struct dns_scratch *sc, struct wire *w, uint32_t *off)
{
	size_t at = sc->names_len, slen;
	uint32_t reuse;
	enum name_rc rc;

	scratch_reserve_names(sc, DNS_NAME_MAX_PRES);
	*off = NO_NAME;
	rc = name_read(sc, w, sc->names + at, (uint32_t)at, &reuse, &slen);
	if (rc == NAME_OK) {
		if (reuse != NO_NAME) {
			*off = reuse;
		} else {
			sc->names_len = at + slen + 1;
			*off = (uint32_t)at;
		}
	}
	return rc;
}

/*
 * Decode what the store needs from RDATA: the address of A/AAAA and the target name of
 * CNAME/NS/PTR/DNAME/MX/SRV. RDLENGTH frames the record: content that does not fit its
 * RDATA (an A of 5 octets, a CNAME whose name runs past RDLENGTH) leaves addr/target empty
 * but does not end the message, so later records are still read. Octets after a complete
 * target name are ignored, as Wireshark and ldns do.
 */
static void
rdata_decode(struct dns_scratch *sc, const uint8_t *msg, uint32_t len, struct dns_rr *rr,
             struct wire *rd)
{
	struct wire t;
	size_t skip, end = (size_t)rr->rdata_off + rr->rdlength;

	switch (rr->type) {
	case DNS_TYPE_A:
		if (rr->rdlength == 4 && wire_bytes(rd, rr->addr.bytes, 4))
			rr->addr.family = 4;
		return;
	case DNS_TYPE_AAAA:
		if (rr->rdlength == 16 && wire_bytes(rd, rr->addr.bytes, 16))
			rr->addr.family = 6;
		return;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
		skip = 0;
		break;
	case DNS_TYPE_MX:
		skip = 2;     /* preference */
		break;
	case DNS_TYPE_SRV:
		skip = 6;     /* priority, weight, port */
		break;
	default:
		return;
	}
	if (rr->rdlength <= skip)
		return;
	/* a name in RDATA may point anywhere in the message: read it with a message reader */
	wire_init(&t, msg, len);
	wire_seek(&t, rr->rdata_off + skip);
	if (names_add(sc, &t, &sc->name_off[2 * (size_t)(rr - sc->rr) + 1]) != NAME_OK)
		return;
	if (wire_pos(&t) > end)
		sc->name_off[2 * (size_t)(rr - sc->rr) + 1] = NO_NAME; /* ran past its RDATA */
}

static void
msg_reset(struct dns_msg *out, const uint8_t *msg, uint32_t len)
{
	out->id = 0;
	out->qr = out->aa = out->tc = out->rd = out->ra = out->ad = out->cd = false;
	out->opcode = 0;
	out->rcode = 0;
	out->has_opt = false;
	out->qdcount = out->ancount = out->nscount = out->arcount = 0;
	out->qname = NULL;
	out->qtype = out->qclass = 0;
	out->rr = NULL;
	out->n_rr = 0;
	out->malformed = false;
	out->wire = msg;
	out->wire_len = len;
}

bool
dns_parse(struct dns_scratch *sc, const uint8_t *msg, uint32_t len, struct dns_msg *out)
{
	struct wire w;
	uint16_t flags, count[4];
	uint32_t n = 0, first_q = NO_NAME;

	msg_reset(out, msg, len);
	/* a new generation empties the name cache of the previous message */
	if (++sc->name_gen == 0) {
		memset(sc->name_cache, 0, sizeof sc->name_cache);
		sc->name_gen = 1;
	}
	wire_init(&w, msg, len);
	out->id = wire_u16be(&w);
	flags = wire_u16be(&w);
	for (int s = 0; s < 4; s++)
		count[s] = wire_u16be(&w);
	if (!wire_ok(&w))
		return false;

	/* RFC 1035 §4.1.1 header; AD and CD from RFC 4035 §3.2. */
	out->qr = flags >> 15 & 1;
	out->opcode = (uint8_t)(flags >> 11 & 0xf);
	out->aa = flags >> 10 & 1;
	out->tc = flags >> 9 & 1;
	out->rd = flags >> 8 & 1;
	out->ra = flags >> 7 & 1;
	out->ad = flags >> 5 & 1;
	out->cd = flags >> 4 & 1;
	out->rcode = flags & 0xf;
	out->qdcount = count[0];
	out->ancount = count[1];
	out->nscount = count[2];
	out->arcount = count[3];

	sc->names_len = 0;
	for (int s = DNS_SEC_QUESTION; s <= DNS_SEC_ADDITIONAL; s++) {
		for (uint32_t i = 0; i < count[s]; i++) {
			struct dns_rr *rr;
			struct wire rd;
			enum name_rc rc;

			/* Every entry needs at least 5 octets, so a lying count cannot make the
			 * arrays grow past what the message could hold. */
			if (wire_left(&w) < 5)
				goto fault;
			scratch_reserve_rr(sc, n + 1);
			rr = &sc->rr[n];
			memset(rr, 0, sizeof *rr);
			rr->section = (uint8_t)s;
			rc = names_add(sc, &w, &sc->name_off[2 * n]);
			if (rc == NAME_FATAL)
				goto fault;
			rr->type = wire_u16be(&w);
			rr->rclass = wire_u16be(&w);
			sc->name_off[2 * n + 1] = NO_NAME;
			if (s != DNS_SEC_QUESTION) {
				rr->ttl = wire_u32be(&w);
				rr->rdlength = wire_u16be(&w);
				rr->rdata_off = (uint32_t)wire_pos(&w);
				wire_sub(&w, rr->rdlength, &rd);
			}
			if (!wire_ok(&w))
				goto fault;
			if (rc == NAME_BAD) {
				/* An entry without a valid owner is left out, but it is framed, so
				 * the entries after it are still read. */
				out->malformed = true;
				continue;
			}
			if (s == DNS_SEC_QUESTION && i == 0)
				first_q = n;
			if (s != DNS_SEC_QUESTION)
				rdata_decode(sc, msg, len, rr, &rd);
			n++;
		}
	}
	goto done;
fault:
	out->malformed = true;
done:
	/* The names buffer is final now: turn offsets into pointers. */
	for (uint32_t i = 0; i < n; i++) {
		struct dns_rr *rr = &sc->rr[i];
		rr->name = sc->names + sc->name_off[2 * i];
		if (sc->name_off[2 * i + 1] != NO_NAME)
			rr->target = sc->names + sc->name_off[2 * i + 1];
		/* RFC 6891 §6.1.3: the OPT TTL carries the upper 8 bits of a 12-bit RCODE. Only the
		 * first OPT of the additional section counts (a second one is a FORMERR). */
		if (rr->type == DNS_TYPE_OPT && rr->section == DNS_SEC_ADDITIONAL && !out->has_opt) {
			out->has_opt = true;
			out->rcode = (uint16_t)((rr->ttl >> 24) << 4 | (flags & 0xf));
		}
	}
	out->rr = n ? sc->rr : NULL;
	out->n_rr = n;
	if (first_q != NO_NAME) {
		out->qname = sc->rr[first_q].name;
		out->qtype = sc->rr[first_q].type;
		out->qclass = sc->rr[first_q].rclass;
	}
	return true;
}

/* --- mnemonics ---------------------------------------------------------------------------- */

/* IANA "Resource Record (RR) TYPEs" (dns-parameters). 255 prints as ANY, as ldns and dig do. */
#define DNS_TYPES(X)                                                                           \
	X(1, "A") X(2, "NS") X(3, "MD") X(4, "MF") X(5, "CNAME") X(6, "SOA") X(7, "MB")          \
	X(8, "MG") X(9, "MR") X(10, "NULL") X(11, "WKS") X(12, "PTR") X(13, "HINFO")             \
	X(14, "MINFO") X(15, "MX") X(16, "TXT") X(17, "RP") X(18, "AFSDB") X(19, "X25")          \
	X(20, "ISDN") X(21, "RT") X(22, "NSAP") X(23, "NSAP-PTR") X(24, "SIG") X(25, "KEY")      \
	X(26, "PX") X(27, "GPOS") X(28, "AAAA") X(29, "LOC") X(30, "NXT") X(31, "EID")           \
	X(32, "NIMLOC") X(33, "SRV") X(34, "ATMA") X(35, "NAPTR") X(36, "KX") X(37, "CERT")      \
	X(38, "A6") X(39, "DNAME") X(40, "SINK") X(41, "OPT") X(42, "APL") X(43, "DS")           \
	X(44, "SSHFP") X(45, "IPSECKEY") X(46, "RRSIG") X(47, "NSEC") X(48, "DNSKEY")            \
	X(49, "DHCID") X(50, "NSEC3") X(51, "NSEC3PARAM") X(52, "TLSA") X(53, "SMIMEA")          \
	X(55, "HIP") X(56, "NINFO") X(57, "RKEY") X(58, "TALINK") X(59, "CDS")                    \
	X(60, "CDNSKEY") X(61, "OPENPGPKEY") X(62, "CSYNC") X(63, "ZONEMD") X(64, "SVCB")        \
	X(65, "HTTPS") X(66, "DSYNC") X(67, "HHIT") X(68, "BRID") X(99, "SPF") X(100, "UINFO")  \
	X(101, "UID") X(102, "GID") X(103, "UNSPEC") X(104, "NID") X(105, "L32") X(106, "L64")   \
	X(107, "LP") X(108, "EUI48") X(109, "EUI64") X(128, "NXNAME") X(249, "TKEY")             \
	X(250, "TSIG") X(251, "IXFR") X(252, "AXFR") X(253, "MAILB") X(254, "MAILA")             \
	X(255, "ANY") X(256, "URI") X(257, "CAA") X(258, "AVC") X(259, "DOA")                     \
	X(260, "AMTRELAY") X(261, "RESINFO") X(262, "WALLET") X(263, "CLA") X(264, "IPN")        \
	X(32768, "TA") X(32769, "DLV")

/* IANA "DNS RCODEs". 16 is BADVERS in a message header (BADSIG only inside TSIG). */
#define DNS_RCODES(X)                                                                          \
	X(0, "NOERROR") X(1, "FORMERR") X(2, "SERVFAIL") X(3, "NXDOMAIN") X(4, "NOTIMP")         \
	X(5, "REFUSED") X(6, "YXDOMAIN") X(7, "YXRRSET") X(8, "NXRRSET") X(9, "NOTAUTH")         \
	X(10, "NOTZONE") X(11, "DSOTYPENI") X(16, "BADVERS") X(17, "BADKEY") X(18, "BADTIME")    \
	X(19, "BADMODE") X(20, "BADNAME") X(21, "BADALG") X(22, "BADTRUNC") X(23, "BADCOOKIE")

/* IANA "DNS OpCodes". */
#define DNS_OPCODES(X)                                                                         \
	X(0, "QUERY") X(1, "IQUERY") X(2, "STATUS") X(4, "NOTIFY") X(5, "UPDATE") X(6, "DSO")

const char *
dns_type_name(uint16_t type, char buf[16])
{
	switch (type) {
#define X(v, s) case v: return s;
	DNS_TYPES(X)
#undef X
	}
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

const char *
dns_rcode_name(uint16_t rcode, char buf[16])
{
	switch (rcode) {
#define X(v, s) case v: return s;
	DNS_RCODES(X)
#undef X
	}
	snprintf(buf, 16, "RCODE%u", (unsigned)rcode);
	return buf;
}

const char *
dns_opcode_name(uint8_t opcode, char buf[16])
{
	switch (opcode) {
#define X(v, s) case v: return s;
	DNS_OPCODES(X)
#undef X
	}
	snprintf(buf, 16, "OPCODE%u", (unsigned)opcode);
	return buf;
}

int
dns_type_from_name(const char *name)
{
	static const struct {
		uint16_t v;
		const char *s;
	} types[] = {
#define X(v, s) { v, s },
		DNS_TYPES(X)
#undef X
	};
	char *end;
	unsigned long v;

	if (name == NULL || *name == '\0')
		return -1;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(name, types[i].s) == 0)
			return types[i].v;
	if (strcmp(name, "*") == 0)
		return 255;
	/* RFC 3597 §5: TYPEnnn for any type. */
	if (strncasecmp(name, "TYPE", 4) == 0 && name[4] >= '0' && name[4] <= '9') {
		v = strtoul(name + 4, &end, 10);
		if (*end == '\0' && v <= 65535)
			return (int)v;
	}
	return -1;
}

/* --- RDATA presentation ------------------------------------------------------------------- */

/* Copy n octets of s into buf (len > 0), truncating, always NUL-terminated. */
static void
buf_set(char *buf, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* RFC 3597 §5 generic form: \# <length> <hex>, lower-case hex as ldns prints it. */
static void
rdata_str_generic(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct wire w;
	const uint8_t *p;
	int k;
	size_t o;

	k = snprintf(buf, len, "\\# %u", (unsigned)rr->rdlength);
	if (k < 0 || (size_t)k >= len || rr->rdlength == 0)
		return;
	wire_init(&w, m->wire, m->wire_len);
	if (!wire_seek(&w, rr->rdata_off) || (p = wire_ptr(&w, rr->rdlength)) == NULL)
		return;
	o = (size_t)k;
	if (o + 1 < len)
		buf[o++] = ' ';
	for (size_t i = 0; i < rr->rdlength && o + 2 < len; i++) {
		buf[o++] = hex[p[i] >> 4];
		buf[o++] = hex[p[i] & 0xf];
	}
	buf[o] = '\0';
}

/*
 * ldns's presentation of each RDATA field, joined by spaces as ldns_rr2str does, with names
 * printed by fluxscope's own rules (lower case, no trailing dot) so they match owner names.
 * False when ldns cannot read the RDATA, reads fewer fields than the type requires, or stops
 * short of RDLENGTH (ldns would then silently drop the rest): the caller falls back to the
 * generic form, which shows every octet.
 */
static bool
rdata_str_ldns(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len)
{
	ldns_rr *lrr;
	ldns_buffer *b = NULL;
	const ldns_rr_descriptor *desc;
	size_t pos = (size_t)rr->rdata_off - 2;
	bool ok = false;

	lrr = ldns_rr_new();
	if (lrr == NULL)
		return false;
	ldns_rr_set_type(lrr, (ldns_rr_type)rr->type);
	if (ldns_wire2rdf(lrr, m->wire, m->wire_len, &pos) != LDNS_STATUS_OK ||
	    pos != (size_t)rr->rdata_off + rr->rdlength)
		goto out;
	desc = ldns_rr_descript(rr->type);
	if (desc != NULL && ldns_rr_rd_count(lrr) < ldns_rr_descriptor_minimum(desc))
		goto out;
	if ((b = ldns_buffer_new(256)) == NULL)
		goto out;
	for (size_t i = 0; i < ldns_rr_rd_count(lrr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(lrr, i);
		if (i > 0)
			ldns_buffer_printf(b, " ");
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME) {
			char name[DNS_NAME_MAX_PRES];
			name_str_flat(ldns_rdf_data(f), ldns_rdf_size(f), name);
			ldns_buffer_printf(b, "%s", name);
		} else if (ldns_rdf2buffer_str(b, f) != LDNS_STATUS_OK) {
			goto out;
		}
	}
	if (ldns_buffer_status(b) != LDNS_STATUS_OK)
		goto out;
	buf_set(buf, len, (const char *)ldns_buffer_begin(b), ldns_buffer_position(b));
	ok = true;
out:
	if (b != NULL)
		ldns_buffer_free(b);
	ldns_rr_free(lrr);
	return ok;
}

const char *
dns_rdata_str(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (rr->section == DNS_SEC_QUESTION)
		return buf;
	if ((rr->type == DNS_TYPE_A && rr->addr.family == 4) ||
	    (rr->type == DNS_TYPE_AAAA && rr->addr.family == 6)) {
		/* fs_addr_str formats both by hand (inet_ntop's sprintf is the bulk of a --dump) */
		char a[FS_ADDR_STRLEN];
		fs_addr_str(&rr->addr, a, sizeof a);
		buf_set(buf, len, a, strlen(a));
		return buf;
	}
	if (rr->target != NULL && (rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_NS ||
	                           rr->type == DNS_TYPE_PTR || rr->type == DNS_TYPE_DNAME)) {
		buf_set(buf, len, rr->target, strlen(rr->target));
		return buf;
	}
	if (rr->rdlength > 0 && rdata_str_ldns(m, rr, buf, len))
		return buf;
	rdata_str_generic(m, rr, buf, len);
	return buf;
}

/* A CERT record whose certificate type is the number 0 (or one that wraps to 0 in 16 bits):
 * reserved (RFC 4398), and ldns 1.8 (ldns_str2rdf_cert_alg) rejects it without freeing
 * what it made. Said here, before ldns sees it (fuzz_chouse found the leak). */
static bool
cert_type_zero(const char *text)
{
	while (isspace((unsigned char)*text) || *text == '(' || *text == '"')
		text++;
	size_t n = strcspn(text, " \t\n\r\v\f()\";");
	char *tok = xstrndup(text, n), *end;
	long v = strtol(tok, &end, 10);      /* as ldns_str2rdf_int16 reads it */
	bool zero = n > 0 && *end == '\0' && (uint16_t)v == 0;
	free(tok);
	return zero;
}

int
dns_rdata_from_text(uint16_t type, const char *text, uint8_t *out, size_t cap)
{
	char tbuf[16], *line;
	ldns_rr *lr = NULL;
	ldns_buffer *lb = NULL;
	int n = -1;

	if (type == LDNS_RR_TYPE_CERT && cert_type_zero(text))
		return -1;
	line = xasprintf(". 0 IN %s %s", dns_type_name(type, tbuf), text);
	if (ldns_rr_new_frm_str(&lr, line, 0, NULL, NULL) == LDNS_STATUS_OK && lr != NULL &&
	    ldns_rr_get_type(lr) == type && (lb = ldns_buffer_new(256)) != NULL &&
	    ldns_rr_rdata2buffer_wire(lb, lr) == LDNS_STATUS_OK && ldns_buffer_position(lb) <= cap) {
		memcpy(out, ldns_buffer_begin(lb), ldns_buffer_position(lb));
		n = (int)ldns_buffer_position(lb);
	}
	if (lb != NULL)
		ldns_buffer_free(lb);
	if (lr != NULL)
		ldns_rr_free(lr);
	free(line);
	return n;
}
