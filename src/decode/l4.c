/* Transport: UDP and TCP headers, the DNS-port match (either side), and the tunnels that carry
 * whole frames or packets further in (VXLAN, GRE, IPv4/IPv6-in-IP), followed to a fixed depth.
 * Checksums are not verified: a bad checksum is no reason to lose an observation. */
#include "decode/pkt_int.h"

#define PROTO_IPIP 4
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_GRE 47

#define VXLAN_PORT 4789

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
	if (f->dport == VXLAN_PORT) {
		/* RFC 7348: flags (I bit), reserved, VNI, reserved; then an Ethernet frame. */
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
	if (type == 0x6558)                  /* transparent Ethernet bridging */
		dec_ether(d, w);
	else
		dec_ethertype(d, type, w);
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
