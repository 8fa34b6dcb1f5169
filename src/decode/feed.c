/* Messages from resolver feeds (dnstap, Zeek dns.log, Suricata EVE): the pseudo link type
 * DEC_LINKTYPE_FEED. The feed readers in src/capture/ turn each message into one frame
 * (dec_feed_frame); the decoder reads the header back through wire.h and hands the DNS
 * message to the same path as a UDP or TCP payload, with the vantage attached.
 *
 * Frame: version (1), view, family (0, 4 or 6), source and destination address (4 or 16
 * bytes each, none for family 0), source and destination port, transport (17 or 6), vantage
 * length and bytes, then the DNS message. */
#include "decode/pkt_int.h"

#include <string.h>

#define FEED_VERSION 1

const char *
dec_view_name(uint8_t view)
{
	switch (view) {
	case DEC_VIEW_CLIENT: return "client";
	case DEC_VIEW_UPSTREAM: return "upstream";
	default: return "";
	}
}

size_t
dec_feed_frame(uint8_t *buf, size_t cap, const struct dec_feed_hdr *h, const uint8_t *msg,
               size_t len)
{
	size_t alen = h->src.family == 6 || h->dst.family == 6 ? 16 :
	              h->src.family == 4 || h->dst.family == 4 ? 4 : 0;
	size_t vlen = h->vantage != NULL ? strnlen(h->vantage, DEC_FEED_VANTAGE_MAX) : 0;
	size_t need = 3 + 2 * alen + 5 + 1 + vlen + len;
	size_t o = 0;

	if (need > cap || len > 65535)
		return 0;
	buf[o++] = FEED_VERSION;
	buf[o++] = (uint8_t)(h->view | (h->port_check ? 0x80 : 0));
	buf[o++] = (uint8_t)(alen == 16 ? 6 : alen == 4 ? 4 : 0);
	if (alen > 0) {
		/* an IPv4 address beside an IPv6 one goes in as IPv4-mapped */
		const fs_addr *a[2] = { &h->src, &h->dst };
		for (int i = 0; i < 2; i++) {
			uint8_t b[16] = { 0 };
			if (alen == 16 && a[i]->family == 4) {
				b[10] = b[11] = 0xff;
				memcpy(b + 12, a[i]->bytes, 4);
			} else if (a[i]->family != 0)
				memcpy(b, a[i]->bytes, alen);
			memcpy(buf + o, b, alen);
			o += alen;
		}
	}
	buf[o++] = (uint8_t)(h->sport >> 8);
	buf[o++] = (uint8_t)h->sport;
	buf[o++] = (uint8_t)(h->dport >> 8);
	buf[o++] = (uint8_t)h->dport;
	buf[o++] = h->transport == 6 ? 6 : 17;
	buf[o++] = (uint8_t)vlen;
	if (vlen > 0)
		memcpy(buf + o, h->vantage, vlen);
	o += vlen;
	if (len > 0)
		memcpy(buf + o, msg, len);
	return o + len;
}

void
dec_feed(struct decoder *d, struct wire *w)
{
	struct dec_flow f;
	uint8_t ver = wire_u8(w), view = wire_u8(w), fam = wire_u8(w);
	size_t alen = fam == 6 ? 16 : fam == 4 ? 4 : 0;
	bool port_check = view & 0x80;

	view &= 0x7f;

	memset(&f, 0, sizeof f);
	if (!wire_ok(w) || ver != FEED_VERSION || (fam != 0 && alen == 0) || view > DEC_VIEW_UPSTREAM) {
		dec_skip(d, wire_ok(w) ? DEC_SKIP_NOT_DNS : DEC_SKIP_TRUNCATED);
		return;
	}
	if (alen > 0) {
		f.src.family = f.dst.family = fam;
		wire_bytes(w, f.src.bytes, alen);
		wire_bytes(w, f.dst.bytes, alen);
	}
	f.sport = wire_u16be(w);
	f.dport = wire_u16be(w);
	f.proto = wire_u8(w) == 6 ? 6 : 17;
	uint8_t vlen = wire_u8(w);
	const uint8_t *v = wire_ptr(w, vlen);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if (wire_left(w) == 0) {
		dec_skip(d, DEC_SKIP_EMPTY);
		return;
	}
	if (port_check && !dec_is_dns_port(d, f.sport) && !dec_is_dns_port(d, f.dport)) {
		dec_skip(d, DEC_SKIP_NOT_DNS);
		return;
	}
	for (uint8_t i = 0; i < vlen; i++)   /* shown as is: printable ASCII only */
		d->pkt.vantage[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	d->pkt.vantage[vlen] = '\0';
	d->pkt.view = view;
	d->pkt.feed = true;
	dec_deliver(d, &f, d->pkt.ts, w->p, (uint32_t)wire_left(w));
	d->pkt.feed = false;
}
