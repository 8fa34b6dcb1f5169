/* Link layers: Ethernet (802.1Q/802.1ad/QinQ tags at any depth, LLC/SNAP, MPLS, PPPoE), Linux
 * cooked SLL and SLL2, raw IP under every DLT/LINKTYPE value, BSD NULL and OpenBSD LOOP in
 * either byte order, PPP and Cisco HDLC. Unknown link types are counted with their value. */
#include "decode/pkt_int.h"

/* DLT values (pcap/dlt.h) and the LINKTYPE values files carry where they differ. */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_PPP 9
#define LT_RAW_DLT12 12        /* DLT_RAW on most systems */
#define LT_RAW_DLT14 14        /* DLT_RAW on OpenBSD */
#define LT_PPP_SERIAL 50
#define LT_RAW 101             /* LINKTYPE_RAW */
#define LT_C_HDLC 104
#define LT_LOOP 108
#define LT_LINUX_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_LINUX_SLL2 276

#define ET_IPV4 0x0800
#define ET_IPV6 0x86DD
#define ET_VLAN 0x8100
#define ET_QINQ 0x88A8
#define ET_QINQ_OLD1 0x9100
#define ET_QINQ_OLD2 0x9200
#define ET_QINQ_OLD3 0x9300
#define ET_MPLS 0x8847
#define ET_MPLS_MC 0x8848
#define ET_PPPOE_SESS 0x8864

static void
unknown_linktype(struct decoder *d, int linktype)
{
	struct dec_stats *st = &d->st;

	dec_skip(d, DEC_SKIP_LINKTYPE);
	for (int i = 0; i < 4; i++) {
		if (st->linktypes_unknown[i] == 0) {
			st->linktype_unknown_value[i] = linktype;
			st->linktypes_unknown[i] = 1;
			return;
		}
		if (st->linktype_unknown_value[i] == linktype) {
			st->linktypes_unknown[i]++;
			return;
		}
	}
}

/* PPP protocol field (RFC 1661), with or without protocol-field compression. */
static void
dec_ppp_proto(struct decoder *d, struct wire *w)
{
	uint8_t b0;
	uint16_t proto;

	if (!wire_peek_u8(w, 0, &b0)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	proto = (b0 & 1) ? wire_u8(w) : wire_u16be(w);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (proto == 0x0021)
		dec_ip4(d, w);
	else if (proto == 0x0057)
		dec_ip6(d, w);
	else
		dec_skip(d, DEC_SKIP_NOT_IP);
}

/* MPLS label stack (RFC 3032): labels until bottom-of-stack, then IP by version nibble. */
static void
dec_mpls(struct decoder *d, struct wire *w)
{
	for (;;) {
		uint32_t lse = wire_u32be(w);
		if (!wire_ok(w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		if (lse & 0x100)
			break;
	}
	dec_ip(d, w);
}

void
dec_ethertype(struct decoder *d, uint16_t type, struct wire *w)
{
	/* Tags and LLC/SNAP headers nest to any depth; each costs bytes, so the frame length
	 * bounds the loop (a loop, not recursion: hostile frames must not grow the stack). */
	for (;;) {
		switch (type) {
		case ET_VLAN:
		case ET_QINQ:
		case ET_QINQ_OLD1:
		case ET_QINQ_OLD2:
		case ET_QINQ_OLD3:
			wire_skip(w, 2);   /* TCI */
			type = wire_u16be(w);
			if (!wire_ok(w)) {
				dec_skip(d, DEC_SKIP_TRUNCATED);
				return;
			}
			continue;
		case ET_IPV4:
			dec_ip4(d, w);
			return;
		case ET_IPV6:
			dec_ip6(d, w);
			return;
		case ET_MPLS:
		case ET_MPLS_MC:
			dec_mpls(d, w);
			return;
		case ET_PPPOE_SESS:
			/* RFC 2516 session header: ver/type, code, session id, length; then PPP. */
			if (!wire_skip(w, 6)) {
				dec_skip(d, DEC_SKIP_TRUNCATED);
				return;
			}
			dec_ppp_proto(d, w);
			return;
		default:
			break;
		}
		if (type > 1500)
			break;
		/* 802.3 length field: only LLC/SNAP (AA AA 03, OUI 0) carries an EtherType. */
		uint8_t dsap = wire_u8(w), ssap = wire_u8(w), ctl = wire_u8(w);
		wire_skip(w, 3);
		uint16_t et = wire_u16be(w);
		if (!wire_ok(w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		if (dsap != 0xAA || ssap != 0xAA || ctl != 0x03 || et <= 1500)
			break;
		type = et;
	}
	dec_skip(d, DEC_SKIP_NOT_IP);
}

void
dec_ether(struct decoder *d, struct wire *w)
{
	wire_skip(w, 12);            /* destination and source MAC */
	uint16_t type = wire_u16be(w);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	dec_ethertype(d, type, w);
}

/* Address families of BSD NULL/LOOP headers: AF_INET is 2 everywhere; AF_INET6 differs. */
static void
dec_null(struct decoder *d, struct wire *w, bool big_endian_first)
{
	uint32_t af = big_endian_first ? wire_u32be(w) : wire_u32le(w);

	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	/* Written in the capturing host's byte order: a value above 0xffff is the other order. */
	if (af > 0xffff)
		af = __builtin_bswap32(af);
	switch (af) {
	case 2:
		dec_ip4(d, w);
		return;
	case 10:  /* Linux */
	case 23:  /* Windows */
	case 24:  /* NetBSD, OpenBSD, BSD/OS */
	case 28:  /* FreeBSD, DragonFly */
	case 30:  /* Darwin */
		dec_ip6(d, w);
		return;
	default:
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
}

void
dec_link(struct decoder *d, int linktype, const uint8_t *p, uint32_t len)
{
	struct wire w;

	wire_init(&w, p, len);
	switch (linktype) {
	case LT_EN10MB:
		dec_ether(d, &w);
		return;
	case LT_LINUX_SLL: {
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		wire_skip(&w, 14);
		uint16_t proto = wire_u16be(&w);
		if (!wire_ok(&w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		dec_ethertype(d, proto, &w);
		return;
	}
	case LT_LINUX_SLL2: {
		/* protocol, reserved, ifindex, ARPHRD type, packet type, address length, address */
		uint16_t proto = wire_u16be(&w);
		wire_skip(&w, 18);
		if (!wire_ok(&w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		dec_ethertype(d, proto, &w);
		return;
	}
	case LT_RAW_DLT12:
	case LT_RAW_DLT14:
	case LT_RAW:
		dec_ip(d, &w);
		return;
	case LT_IPV4:
		dec_ip4(d, &w);
		return;
	case LT_IPV6:
		dec_ip6(d, &w);
		return;
	case LT_NULL:
		dec_null(d, &w, false);
		return;
	case LT_LOOP:
		dec_null(d, &w, true);
		return;
	case LT_PPP:
	case LT_PPP_SERIAL: {
		/* Optional HDLC-like framing: address 0xff, control 0x03 (RFC 1662). */
		uint8_t a, c;
		if (wire_peek_u8(&w, 0, &a) && wire_peek_u8(&w, 1, &c) && a == 0xff && c == 0x03)
			wire_skip(&w, 2);
		dec_ppp_proto(d, &w);
		return;
	}
	case LT_C_HDLC: {
		wire_skip(&w, 2);        /* address, control */
		uint16_t proto = wire_u16be(&w);
		if (!wire_ok(&w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		dec_ethertype(d, proto, &w);
		return;
	}
	default:
		unknown_linktype(d, linktype);
		return;
	}
}
