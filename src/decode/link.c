/* Link layers: Ethernet (802.1Q/802.1ad/QinQ tags at any depth, LLC/SNAP, MPLS, PPPoE), Linux
 * cooked SLL and SLL2, raw IP under every DLT/LINKTYPE value, BSD NULL and OpenBSD LOOP in
 * either byte order, PPP and Cisco HDLC, Linux NFLOG, FDDI, IEEE 802.11 (plain, radiotap, PPI:
 * data frames through LLC/SNAP, QoS, 4-address, A-MSDU; protected frames counted), Apple
 * PKTAP and ARCNET (BSD and Linux headers). Unknown link types are counted with their value. */
#include "decode/pkt_int.h"

/* DLT values (pcap/dlt.h) and the LINKTYPE values files carry where they differ. */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_ARCNET 7
#define LT_PPP 9
#define LT_FDDI 10
#define LT_RAW_DLT12 12        /* DLT_RAW on most systems */
#define LT_RAW_DLT14 14        /* DLT_RAW on OpenBSD */
#define LT_PPP_SERIAL 50
#define LT_RAW 101             /* LINKTYPE_RAW */
#define LT_C_HDLC 104
#define LT_IEEE802_11 105
#define LT_LOOP 108
#define LT_LINUX_SLL 113
#define LT_IEEE802_11_RADIOTAP 127
#define LT_ARCNET_LINUX 129
#define LT_PKTAP_DLT 149       /* DLT_PKTAP on Darwin (DLT_USER2 elsewhere) */
#define LT_PPI 192
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_NFLOG 239
#define LT_PKTAP 258           /* LINKTYPE_PKTAP */
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

enum llc_result { LLC_SNAP, LLC_TRUNCATED, LLC_OTHER };

/* LLC/SNAP: DSAP AA, SSAP AA, control 03 (UI), a 3-byte OUI, then an EtherType above 1500. */
static enum llc_result
llc_snap(struct wire *w, uint16_t *type)
{
	uint8_t dsap = wire_u8(w), ssap = wire_u8(w), ctl = wire_u8(w);
	wire_skip(w, 3);
	uint16_t et = wire_u16be(w);
	if (!wire_ok(w))
		return LLC_TRUNCATED;
	if (dsap != 0xAA || ssap != 0xAA || ctl != 0x03 || et <= 1500)
		return LLC_OTHER;
	*type = et;
	return LLC_SNAP;
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
		/* 802.3 length field: only LLC/SNAP carries an EtherType. */
		switch (llc_snap(w, &type)) {
		case LLC_TRUNCATED:
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		case LLC_OTHER:
			dec_skip(d, DEC_SKIP_NOT_IP);
			return;
		default:
			continue;
		}
	}
	dec_skip(d, DEC_SKIP_NOT_IP);
}

/* An 802.2 LLC header that must be SNAP (RFC 1042: AA AA 03, any OUI, EtherType), as under
 * FDDI and 802.11 (where no EtherType field comes before it). */
static void
dec_llc(struct decoder *d, struct wire *w)
{
	uint16_t type;

	switch (llc_snap(w, &type)) {
	case LLC_TRUNCATED:
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	case LLC_OTHER:
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	default:
		dec_ethertype(d, type, w);
		return;
	}
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

/* ---- Linux NFLOG (LINKTYPE_NFLOG): a 4-byte header, then type-length-value attributes whose
 * length and type are in the capturing host's byte order (libpcap converts them when it reads
 * a file from the other order; our own pcapng reader does not), so the order is told from the
 * first attribute. The packet is attribute 9 (NFULA_PAYLOAD). */

#define NFULA_PAYLOAD 9
#define NLA_TYPE_MASK 0x3fff   /* without NLA_F_NESTED and NLA_F_NET_BYTEORDER */

static bool
nflog_tlv_plausible(uint16_t len, uint16_t type, size_t left)
{
	return len >= 4 && len <= left && (type & NLA_TYPE_MASK) != 0 && (type & NLA_TYPE_MASK) < 64;
}

static void
dec_nflog(struct decoder *d, struct wire *w)
{
	uint8_t family = wire_u8(w);
	wire_skip(w, 3);                          /* version, resource id */
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	uint8_t b[4];
	bool le = true;
	if (wire_peek_u8(w, 0, &b[0]) && wire_peek_u8(w, 1, &b[1]) && wire_peek_u8(w, 2, &b[2]) &&
	    wire_peek_u8(w, 3, &b[3])) {
		uint16_t len_le = (uint16_t)(b[1] << 8 | b[0]), type_le = (uint16_t)(b[3] << 8 | b[2]);
		uint16_t len_be = (uint16_t)(b[0] << 8 | b[1]), type_be = (uint16_t)(b[2] << 8 | b[3]);
		size_t left = wire_left(w);
		le = nflog_tlv_plausible(len_le, type_le, left) ||
		     !nflog_tlv_plausible(len_be, type_be, left);
	}
	/* Every attribute takes at least 4 bytes: the frame length bounds the loop. */
	while (wire_left(w) >= 4) {
		uint16_t len = le ? wire_u16le(w) : wire_u16be(w);
		uint16_t type = le ? wire_u16le(w) : wire_u16be(w);
		if (len < 4)
			break;                            /* malformed: no payload attribute follows */
		size_t vlen = len - 4u;
		if ((type & NLA_TYPE_MASK) == NFULA_PAYLOAD) {
			/* A payload cut by the snapshot length is taken as far as it goes. */
			struct wire pw;
			wire_sub(w, vlen < wire_left(w) ? vlen : wire_left(w), &pw);
			if (family == 2)
				dec_ip4(d, &pw);
			else if (family == 10)
				dec_ip6(d, &pw);
			else
				dec_ip(d, &pw);
			return;
		}
		if (!wire_skip(w, (vlen + 3) & ~(size_t)3)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
	}
	/* no payload attribute; bytes left that cannot be one mean the frame was cut */
	dec_skip(d, wire_left(w) > 0 && wire_left(w) < 4 ? DEC_SKIP_TRUNCATED : DEC_SKIP_NOT_IP);
}

/* ---- FDDI: frame control, destination, source (48-bit addresses, as libpcap has them), then
 * LLC for the LLC frame format (FC bits 5-4 = 01); SMT and MAC frames carry no IP. */

static void
dec_fddi(struct decoder *d, struct wire *w)
{
	uint8_t fc = wire_u8(w);
	wire_skip(w, 12);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((fc & 0x30) != 0x10) {
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	dec_llc(d, w);
}

/* ---- IEEE 802.11 (IEEE Std 802.11-2020 9.2-9.3): data frames only. The MAC header is 24 bytes,
 * 30 with four addresses (to and from the DS), +2 for QoS subtypes and +4 HT Control when a QoS
 * frame has the +HTC/Order bit; radiotap's DATAPAD pads it to 32 bits. Then LLC/SNAP, or an
 * A-MSDU (QoS control bit 7): subframes of DA, SA, length and an LLC/SNAP MSDU, each padded to
 * 32 bits. Protected (encrypted) frames are counted apart; a later fragment (fragment number
 * above 0) is not reassembled. */

#define FC1_TODS 0x01
#define FC1_FROMDS 0x02
#define FC1_PROTECTED 0x40
#define FC1_ORDER 0x80

static void
dec_80211(struct decoder *d, struct wire *w, bool datapad)
{
	uint8_t fc0 = wire_u8(w), fc1 = wire_u8(w);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	uint8_t ftype = (fc0 >> 2) & 3, subtype = fc0 >> 4;
	if ((fc0 & 3) != 0 || ftype != 2 || (subtype & 4)) {
		/* another protocol version, management or control, or a data frame without data */
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	bool qos = (subtype & 8) != 0;
	size_t hlen = 24;
	if ((fc1 & (FC1_TODS | FC1_FROMDS)) == (FC1_TODS | FC1_FROMDS))
		hlen += 6;
	if (qos)
		hlen += 2 + ((fc1 & FC1_ORDER) ? 4 : 0);
	if (datapad)
		hlen = (hlen + 3) & ~(size_t)3;
	size_t pos = wire_pos(w);                 /* 2: frame control read */
	uint16_t seqctl = 0;
	uint8_t qos0 = 0;
	wire_skip(w, 20);                         /* duration, three addresses */
	seqctl = wire_u16le(w);
	if (hlen >= 30 && (fc1 & (FC1_TODS | FC1_FROMDS)) == (FC1_TODS | FC1_FROMDS))
		wire_skip(w, 6);                      /* fourth address */
	if (qos)
		qos0 = wire_u8(w);
	wire_seek(w, pos - 2 + hlen);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (fc1 & FC1_PROTECTED) {
		dec_skip(d, DEC_SKIP_ENCRYPTED);
		return;
	}
	if ((seqctl & 0x0f) != 0) {
		dec_skip(d, DEC_SKIP_FRAG_DROPPED);   /* a later 802.11 fragment */
		return;
	}
	if (!qos || !(qos0 & 0x80)) {
		dec_llc(d, w);
		return;
	}
	/* A-MSDU: every subframe takes at least 14 bytes, which bounds the loop; what is left
	 * after the last one (FCS, padding) is no subframe. */
	bool any = false;
	while (wire_left(w) >= 14) {
		wire_skip(w, 12);
		uint16_t mlen = wire_u16be(w);
		struct wire sub;
		if (mlen > wire_left(w)) {
			wire_sub(w, wire_left(w), &sub);  /* cut by the snapshot length */
			dec_llc(d, &sub);
			return;
		}
		wire_sub(w, mlen, &sub);
		dec_llc(d, &sub);
		any = true;
		size_t pad = (4 - (14 + mlen) % 4) % 4;
		if (wire_left(w) < pad)
			break;
		wire_skip(w, pad);
	}
	if (!any)
		dec_skip(d, DEC_SKIP_TRUNCATED);
}

/* ---- Radiotap (radiotap.org): version 0, pad, length (LE), present bitmaps (LE, bit 31 chains
 * another word); the fields follow, naturally aligned. Only two matter here: TSFT (bit 0, 8
 * bytes) and Flags (bit 1): 0x10 = the frame ends with a 4-byte FCS, 0x20 = DATAPAD. */

static void
dec_radiotap(struct decoder *d, struct wire *w)
{
	uint8_t version = wire_u8(w);
	wire_skip(w, 1);
	uint16_t rlen = wire_u16le(w);
	uint32_t present = wire_u32le(w), p = present;
	size_t off = 8;
	while ((p & 0x80000000u) && wire_ok(w)) {  /* each word costs 4 bytes: bounded */
		p = wire_u32le(w);
		off += 4;
	}
	if (!wire_ok(w) || rlen < off || rlen > wire_len(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (version != 0) {
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	uint8_t flags = 0;
	if (present & 1)
		off = ((off + 7) & ~(size_t)7) + 8;
	if (present & 2) {
		if (off >= rlen || !wire_seek(w, off)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		flags = wire_u8(w);
	}
	wire_seek(w, rlen);
	struct wire fw;
	size_t flen = wire_left(w);
	if ((flags & 0x10) && flen >= 4)
		flen -= 4;                            /* the FCS is not part of the frame */
	wire_sub(w, flen, &fw);
	dec_80211(d, &fw, (flags & 0x20) != 0);
}

/* Link types a PPI or PKTAP header may wrap: anything but another such header. */
static void link_decode(struct decoder *d, int linktype, struct wire *w, bool inner);

/* ---- PPI (Per-Packet Information, CACE): version 0, flags (bit 0: fields 32-bit aligned),
 * header length and inner DLT (LE); fields of type and length (LE). The 802.11-common field
 * (type 2) says in its flags (bit 0) whether the frame ends with an FCS. */

static void
dec_ppi(struct decoder *d, struct wire *w)
{
	uint8_t version = wire_u8(w), pflags = wire_u8(w);
	uint16_t hlen = wire_u16le(w);
	uint32_t dlt = wire_u32le(w);
	if (!wire_ok(w) || hlen < 8 || hlen > wire_len(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (version != 0) {
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	bool fcs = false;
	struct wire fields;
	wire_sub(w, hlen - 8u, &fields);
	/* every field takes at least its 4-byte header: bounded */
	while (wire_left(&fields) >= 4) {
		uint16_t ftype = wire_u16le(&fields), flen = wire_u16le(&fields);
		struct wire fv;
		if (!wire_sub(&fields, flen, &fv))
			break;
		if (ftype == 2) {
			wire_skip(&fv, 8);                /* TSF timer */
			uint16_t f = wire_u16le(&fv);
			if (wire_ok(&fv))
				fcs = (f & 1) != 0;
		}
		if (pflags & 1)
			wire_skip(&fields, (4 - (4u + flen) % 4) % 4);
	}
	struct wire pw;
	size_t plen = wire_left(w);
	if (fcs && plen >= 4)
		plen -= 4;
	wire_sub(w, plen, &pw);
	if (dlt > 0x7fffffff) {
		dec_skip(d, DEC_SKIP_LINKTYPE);
		return;
	}
	link_decode(d, (int)dlt, &pw, true);
}

/* ---- Apple PKTAP: a header in the host's (little-endian) order of at least 108 bytes, its
 * length first, then the record type (1 = packet) and the packet's DLT; the packet follows. */

#define PKTAP_MIN_HDR 108

static void
dec_pktap(struct decoder *d, struct wire *w)
{
	uint32_t hlen = wire_u32le(w), rectype = wire_u32le(w), dlt = wire_u32le(w);
	if (!wire_ok(w) || hlen > wire_len(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (hlen < PKTAP_MIN_HDR) {
		dec_skip(d, DEC_SKIP_NOT_IP);         /* not a header libpcap or tcpdump accept */
		return;
	}
	if (rectype != 1) {
		dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	wire_seek(w, hlen);
	if (dlt > 0x7fffffff) {
		dec_skip(d, DEC_SKIP_LINKTYPE);
		return;
	}
	link_decode(d, (int)dlt, w, true);
}

/* ---- ARCNET (RFC 1051, RFC 1201; tcpdump's print-arcnet.c layouts). BSD (DLT 7): source,
 * destination, protocol ID; RFC 1201 protocol IDs add a split flag and a sequence number, and an
 * exception packet (flag 0xff) four more bytes before the real flag and sequence. Linux
 * (DLT 129): source, destination, a 2-byte offset, protocol ID, then flag and sequence for RFC
 * 1201 IDs; Linux hands over reassembled packets. Under RFC 1201 a split packet's first
 * fragment has an odd flag (decoded from what it holds), a later one an even flag. */

#define ARC_IP_OLD 240         /* RFC 1051 */
#define ARC_ARP_OLD 241
#define ARC_IP 212             /* RFC 1201 */
#define ARC_INET6 196
#define ARC_DIAGNOSE 0x80

static void
dec_arcnet(struct decoder *d, struct wire *w, bool linux_hdr)
{
	wire_skip(w, linux_hdr ? 4 : 2);          /* source, destination (, offset) */
	uint8_t type = wire_u8(w);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	bool old = type == ARC_IP_OLD || type == ARC_ARP_OLD || type == ARC_DIAGNOSE;
	if (!old) {
		uint8_t flag = wire_u8(w);
		if (!linux_hdr && flag == 0xff) {
			wire_skip(w, 3);                  /* padding, protocol ID again */
			flag = wire_u8(w);
		}
		wire_skip(w, 2);                      /* sequence number */
		if (!wire_ok(w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		if (!linux_hdr && flag != 0 && (flag & 1) == 0) {
			dec_skip(d, DEC_SKIP_FRAG_DROPPED);   /* a later RFC 1201 fragment */
			return;
		}
	}
	switch (type) {
	case ARC_IP_OLD:
	case ARC_IP:
		dec_ip4(d, w);
		return;
	case ARC_INET6:
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
	link_decode(d, linktype, &w, false);
}

static void
link_decode(struct decoder *d, int linktype, struct wire *wp, bool inner)
{
	struct wire w = *wp;

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
	case LT_NFLOG:
		dec_nflog(d, &w);
		return;
	case LT_FDDI:
		dec_fddi(d, &w);
		return;
	case LT_IEEE802_11:
		dec_80211(d, &w, false);
		return;
	case LT_IEEE802_11_RADIOTAP:
		dec_radiotap(d, &w);
		return;
	case LT_ARCNET:
		dec_arcnet(d, &w, false);
		return;
	case LT_ARCNET_LINUX:
		dec_arcnet(d, &w, true);
		return;
	case DEC_LINKTYPE_FEED:
		if (!inner) {
			dec_feed(d, &w);
			return;
		}
		break;
	case LT_PPI:
		if (!inner) {
			dec_ppi(d, &w);
			return;
		}
		break;
	case LT_PKTAP:
	case LT_PKTAP_DLT:
		if (!inner) {
			dec_pktap(d, &w);
			return;
		}
		break;
	default:
		break;
	}
	unknown_linktype(d, linktype);   /* also a PPI or PKTAP header inside another */
}
