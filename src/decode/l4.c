/* Transport: UDP and TCP headers, the DNS-port match (either side), and the tunnels that carry
 * whole frames or packets further in (VXLAN, Geneve, GTP-U, GRE and GRE-in-UDP, ERSPAN types
 * I-III, IPv4/IPv6-in-IP), followed to a fixed depth. Checksums are not verified: a bad
 * checksum is no reason to lose an observation. */
#include "decode/pkt_int.h"

#define PROTO_IPIP 4
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_GRE 47

#define VXLAN_PORT 4789         /* RFC 7348 */
#define GENEVE_PORT 6081        /* RFC 8926 */
#define GTPU_PORT 2152          /* 3GPP TS 29.281 */
#define GRE_UDP_PORT 4754       /* RFC 8086 (4755 is GRE-in-UDP over DTLS: encrypted) */

#define ET_TEB 0x6558           /* transparent Ethernet bridging */
#define ET_ERSPAN_2 0x88BE      /* ERSPAN type I (no header) and II */
#define ET_ERSPAN_3 0x22EB

static void dec_gre(struct decoder *d, struct wire *w);

static bool
enter_tunnel(struct decoder *d)
{
	if (d->pkt.depth >= DEC_MAX_ENCAP) {
		dec_skip(d, DEC_SKIP_NOT_UDP_TCP);
		return false;
	}
	if (d->pkt.depth++ == 0)
		d->st.encapsulated++;
	return true;
}

/* VXLAN (RFC 7348): flags (I bit), reserved, VNI, reserved; then an Ethernet frame. */
static void
dec_vxlan(struct decoder *d, struct wire *w)
{
	uint8_t flags = wire_u8(w);
	wire_skip(w, 7);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (!(flags & 0x08)) {
		dec_skip(d, DEC_SKIP_NOT_DNS);
		return;
	}
	if (enter_tunnel(d))
		dec_ether(d, w);
}

/* Geneve (RFC 8926): version (2 bits, 0) and options length (6 bits, 4-byte units), flags,
 * protocol type (an EtherType; 0x6558 = Ethernet), VNI, reserved; options; the payload. */
static void
dec_geneve(struct decoder *d, struct wire *w)
{
	uint8_t vo = wire_u8(w);
	wire_skip(w, 1);
	uint16_t type = wire_u16be(w);
	wire_skip(w, 4);
	wire_skip(w, (size_t)(vo & 0x3f) * 4);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((vo >> 6) != 0) {
		dec_skip(d, DEC_SKIP_NOT_DNS);        /* a version this reader does not know */
		return;
	}
	if (!enter_tunnel(d))
		return;
	if (type == ET_TEB)
		dec_ether(d, w);
	else
		dec_ethertype(d, type, w);
}

/* GTP-U (3GPP TS 29.281): flags (version 1, PT 1, E, S, PN), message type, length, TEID; the
 * sequence number, N-PDU number and next extension type when E, S or PN is set; extension
 * headers (length in 4-byte units, the last byte naming the next); then, in a G-PDU (type
 * 255), the user's IP packet. Other messages (echo, error indication, end marker) carry none. */
static void
dec_gtpu(struct decoder *d, struct wire *w)
{
	uint8_t flags = wire_u8(w), mtype = wire_u8(w);
	wire_skip(w, 6);                      /* length, TEID */
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((flags >> 5) != 1 || !(flags & 0x10)) {
		dec_skip(d, DEC_SKIP_NOT_DNS);        /* not GTPv1 (GTP' and v0 are not GTP-U) */
		return;
	}
	if (flags & 0x07) {
		wire_skip(w, 3);                  /* sequence number, N-PDU number */
		uint8_t next = wire_u8(w);
		/* each extension header takes at least 4 bytes: bounded by the payload */
		while (next != 0 && wire_ok(w)) {
			uint8_t units = wire_u8(w);
			if (units == 0) {
				dec_skip(d, DEC_SKIP_NOT_DNS);
				return;
			}
			wire_skip(w, (size_t)units * 4 - 2);
			next = wire_u8(w);
		}
		if (!wire_ok(w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
	}
	if (mtype != 0xff) {
		dec_skip(d, DEC_SKIP_NOT_DNS);
		return;
	}
	if (enter_tunnel(d))
		dec_ip(d, w);
}

static void
dec_udp(struct decoder *d, struct dec_flow *f, struct wire *w)
{
	f->sport = wire_u16be(w);
	f->dport = wire_u16be(w);
	uint32_t ulen = wire_u16be(w);
	wire_skip(w, 2);                    /* checksum */
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	uint32_t plen = (uint32_t)wire_left(w);
	/* The UDP length trims trailers; zero means "see IP" (jumbograms, some offloads); a value
	 * beyond the captured bytes means a snaplen cut: keep what was captured. */
	if (ulen >= 8 && ulen - 8 < plen)
		plen = ulen - 8;
	else if (ulen != 0 && ulen < 8) {
		dec_skip(d, DEC_SKIP_BAD_L4);
		return;
	}
	/* Cut: the IP layer knows bytes are missing and the UDP length reaches into them. */
	f->cut = (f->missing > 0 || f->prefix) && (ulen == 0 || ulen - 8 > plen);
	f->proto = PROTO_UDP;
	if (dec_is_dns_port(d, f->sport) || dec_is_dns_port(d, f->dport)) {
		if (plen == 0) {
			dec_skip(d, DEC_SKIP_EMPTY);
			return;
		}
		const uint8_t *msg = wire_ptr(w, plen);
		dec_deliver(d, f, d->pkt.ts, msg, plen);
		return;
	}
	struct wire pw;
	wire_sub(w, plen, &pw);               /* the tunnels below end where the UDP length says */
	switch (f->dport) {
	case VXLAN_PORT:
		dec_vxlan(d, &pw);
		return;
	case GENEVE_PORT:
		dec_geneve(d, &pw);
		return;
	case GRE_UDP_PORT:
		dec_gre(d, &pw);
		return;
	default:
		break;
	}
	if (f->dport == GTPU_PORT || f->sport == GTPU_PORT) {
		dec_gtpu(d, &pw);
		return;
	}
	dec_skip(d, DEC_SKIP_NOT_DNS);
}

static void
dec_tcp(struct decoder *d, struct dec_flow *f, struct wire *w)
{
	size_t avail = wire_left(w);

	f->sport = wire_u16be(w);
	f->dport = wire_u16be(w);
	uint32_t seq = wire_u32be(w);
	wire_skip(w, 4);                    /* ack */
	uint32_t doff = (uint32_t)(wire_u8(w) >> 4) * 4;
	uint8_t flags = wire_u8(w);
	wire_skip(w, 6);                    /* window, checksum, urgent pointer */
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (doff < 20) {
		dec_skip(d, DEC_SKIP_BAD_L4);
		return;
	}
	if (doff > avail) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	wire_skip(w, doff - 20);            /* options */
	f->proto = PROTO_TCP;
	if (!dec_is_dns_port(d, f->sport) && !dec_is_dns_port(d, f->dport)) {
		dec_skip(d, DEC_SKIP_NOT_DNS);
		return;
	}
	if (f->prefix) {
		/* The leading fragment of a TCP segment: its length, hence where the stream goes on,
		 * is unknown. */
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	uint32_t dlen = (uint32_t)wire_left(w);
	const uint8_t *data = dlen ? wire_ptr(w, dlen) : NULL;
	d->st.tcp_segments++;
	tcp_segment(d, f, seq, flags, data, dlen, f->missing);
}

/* GRE (RFC 2784/2890): flags and version, protocol type, optional checksum, key, sequence. */
static void
dec_gre(struct decoder *d, struct wire *w)
{
	uint16_t fl = wire_u16be(w);
	uint16_t type = wire_u16be(w);
	if ((fl & 7) != 0) {                 /* version 1 is PPTP's enhanced GRE: not followed */
		dec_skip(d, DEC_SKIP_NOT_UDP_TCP);
		return;
	}
	if (fl & 0x8000)
		wire_skip(w, 4);                 /* checksum + reserved */
	if (fl & 0x2000)
		wire_skip(w, 4);                 /* key */
	if (fl & 0x1000)
		wire_skip(w, 4);                 /* sequence number */
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (!enter_tunnel(d))
		return;
	switch (type) {
	case ET_TEB:
		dec_ether(d, w);
		return;
	case ET_ERSPAN_2:
		/* Without a sequence number, type I: the mirrored frame at once. Type II: version
		 * (1), VLAN, COS, encapsulation, truncated bit, session, reserved, index (8 bytes). */
		if ((fl & 0x1000) && !wire_skip(w, 8)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		dec_ether(d, w);
		return;
	case ET_ERSPAN_3: {
		/* Type III: version (2), VLAN, COS, BSO, T, session, timestamp, SGT, then P, frame
		 * type (5 bits: 0 Ethernet, 2 IP), hardware ID, D, granularity, O: an 8-byte
		 * platform subheader follows when O is set. */
		wire_skip(w, 10);
		uint8_t b10 = wire_u8(w), b11 = wire_u8(w);
		if (b11 & 1)
			wire_skip(w, 8);
		if (!wire_ok(w)) {
			dec_skip(d, DEC_SKIP_TRUNCATED);
			return;
		}
		uint8_t ft = (b10 >> 2) & 0x1f;
		if (ft == 0)
			dec_ether(d, w);
		else if (ft == 2)
			dec_ip(d, w);
		else
			dec_skip(d, DEC_SKIP_NOT_IP);
		return;
	}
	default:
		dec_ethertype(d, type, w);
		return;
	}
}

void
dec_l4(struct decoder *d, struct dec_flow *f, uint8_t proto, struct wire *w)
{
	switch (proto) {
	case PROTO_UDP:
		dec_udp(d, f, w);
		return;
	case PROTO_TCP:
		dec_tcp(d, f, w);
		return;
	case PROTO_IPIP:
		if (enter_tunnel(d))
			dec_ip4(d, w);
		return;
	case PROTO_IPV6:
		if (enter_tunnel(d))
			dec_ip6(d, w);
		return;
	case PROTO_GRE:
		dec_gre(d, w);
		return;
	default:
		dec_skip(d, DEC_SKIP_NOT_UDP_TCP);
		return;
	}
}
