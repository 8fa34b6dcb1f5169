/* IPv4 and IPv6 (extension headers: hop-by-hop, routing, destination options, fragment, AH,
 * mobility, HIP, shim6) with bounded fragment reassembly for both: a fixed pool of datagrams
 * and a byte budget, capture-time timeouts, overlaps resolved first-copy-wins (RFC 5722 would
 * drop the datagram; a passive observer keeps what the receiver most likely kept). */
#include "decode/pkt_int.h"

#include <stdlib.h>
#include <string.h>

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140

#define FRAG_MIN_BUF 2048u
#define FRAG_RETAIN 16384u     /* buffers above this go back to the allocator when released */
#define FRAG_MAX_PAYLOAD 65535u

/* ---- fragment table ---- */

void
frag_init(struct frag_table *t, const struct dec_config *cfg)
{
	memset(t, 0, sizeof *t);
	t->n_slots = cfg->frag_max_datagrams;
	/* Slots are zero pages until used (calloc of a large block maps lazily): they are taken
	 * in order (n_fresh) once the free list of given-back ones is empty, never threaded
	 * through beforehand, which would touch every page. */
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	fs_hidx_reserve(&t->index, t->n_slots);
}

void
frag_fini(struct frag_table *t)
{
	for (uint32_t i = 0; i < t->n_fresh; i++)
		free(t->slots[i].buf);
	free(t->slots);
	fs_hidx_fini(&t->index);
	memset(t, 0, sizeof *t);
}

static uint32_t
frag_hash(uint8_t version, const fs_addr *src, const fs_addr *dst, uint32_t id, uint8_t proto)
{
	return dec_flow_hash(src, dst, (uint64_t)id << 16 | (uint64_t)version << 8 | proto);
}

/* Remove from the index and the age list; the slot's memory stays untouched. */
static void
frag_detach(struct frag_table *t, struct frag_dg *dg)
{
	fs_hidx_del(&t->index, dg->hash, (uint32_t)(dg - t->slots));
	if (dg->older)
		dg->older->newer = dg->newer;
	else
		t->oldest = dg->newer;
	if (dg->newer)
		dg->newer->older = dg->older;
	else
		t->newest = dg->older;
	dg->older = dg->newer = NULL;
	t->n--;
	t->bytes -= dg->end_max;
}

static void
frag_put_free(struct frag_table *t, struct frag_dg *dg)
{
	if (dg->cap > FRAG_RETAIN) {
		free(dg->buf);
		dg->buf = NULL;
		dg->cap = 0;
	}
	dg->fnext = t->free;
	t->free = dg;
}

/* A datagram that will never complete: every fragment it held is counted as dropped. */
static void
frag_drop(struct decoder *d, struct frag_dg *dg)
{
	d->st.skipped[DEC_SKIP_FRAG_DROPPED] += dg->nfrags;
	frag_detach(&d->frag, dg);
	frag_put_free(&d->frag, dg);
}

static void ip6_walk(struct decoder *d, struct dec_flow *f, uint8_t nh, struct wire *w,
                     bool truncated, bool reassembled);

/* The leading bytes of a datagram that will not complete (a first fragment cut by the snapshot
 * length, or a datagram whose later fragments never came): decoded like a cut packet, so a DNS
 * message in them keeps the records complete before the end and nothing past it. */
static void
frag_decode_prefix(struct decoder *d, uint8_t version, const fs_addr *src, const fs_addr *dst,
                   uint8_t proto, struct wire *w)
{
	struct dec_flow f = { .src = *src, .dst = *dst, .prefix = true };

	if (version == 4)
		dec_l4(d, &f, proto, w);
	else
		ip6_walk(d, &f, proto, w, false, true);
}

/* Bytes held from offset 0 without a hole. */
static uint32_t
frag_prefix_len(const struct frag_dg *dg)
{
	uint32_t b = 0;

	while (b < FRAG_BLOCKS && ((dg->bits[b >> 6] >> (b & 63)) & 1))
		b++;
	return b * 8 < dg->end_max ? b * 8 : dg->end_max;
}

/* Timeout (capture time) or end of input: datagrams that did not complete go. One that holds
 * its first fragment is decoded from its leading bytes (that fragment counts as decoded, the
 * others as dropped); the rest are dropped. Runs between packets, never inside one. */
void
frag_expire(struct decoder *d, fs_time now, bool all)
{
	struct frag_table *t = &d->frag;
	fs_time limit = (fs_time)d->cfg.frag_timeout_ms * 1000;
	fs_time saved_ts = d->pkt.ts;
	int saved_index = d->pkt.src_index;
	uint32_t saved_frame = d->pkt.frame;

	while (t->oldest != NULL && (all || now - t->oldest->first > limit)) {
		struct frag_dg *dg = t->oldest;
		if (!dg->have_first) {
			frag_drop(d, dg);
			continue;
		}
		/* Detached first: what the prefix carries (tunnels) may add datagrams meanwhile. */
		frag_detach(t, dg);
		d->st.skipped[DEC_SKIP_FRAG_DROPPED] += dg->nfrags - 1;
		d->pkt.ts = dg->first_ts;
		d->pkt.src_index = dg->src_index;
		d->pkt.frame = dg->frame;
		struct wire pw;
		wire_init(&pw, dg->buf, frag_prefix_len(dg));
		frag_decode_prefix(d, dg->version, &dg->src, &dg->dst, dg->proto, &pw);
		frag_put_free(t, dg);
	}
	d->pkt.ts = saved_ts;
	d->pkt.src_index = saved_index;
	d->pkt.frame = saved_frame;
}

static struct frag_dg *
frag_lookup(struct decoder *d, uint8_t version, const struct dec_flow *f, uint32_t id,
            uint8_t proto)
{
	struct frag_table *t = &d->frag;
	uint8_t kproto = version == 4 ? proto : 0;   /* IPv6 keys on addresses and id only */
	uint32_t h = frag_hash(version, &f->src, &f->dst, id, kproto);
	struct frag_dg *dg;

	for (uint32_t j = fs_hidx_first(&t->index, h); j != FS_HIDX_END;
	     j = fs_hidx_next(&t->index, h, j)) {
		dg = &t->slots[fs_hidx_item(&t->index, j)];
		if (dg->version == version && dg->id == id &&
		    (version == 6 || dg->proto == proto) &&
		    memcmp(&dg->src, &f->src, sizeof f->src) == 0 &&
		    memcmp(&dg->dst, &f->dst, sizeof f->dst) == 0)
			return dg;
	}
	if (t->free == NULL && t->n_fresh < t->n_slots) {
		dg = &t->slots[t->n_fresh++];
	} else {
		if (t->free == NULL && t->oldest != NULL)
			frag_drop(d, t->oldest);    /* table full: the oldest datagram gives way */
		if (t->free == NULL)
			return NULL;                /* every slot is a datagram being delivered right now */
		dg = t->free;
		t->free = dg->fnext;
	}
	uint8_t *buf = dg->buf;
	uint32_t cap = dg->cap;
	memset(dg, 0, sizeof *dg);
	dg->buf = buf;
	dg->cap = cap;
	dg->hash = h;
	dg->version = version;
	dg->proto = proto;
	dg->id = id;
	dg->src = f->src;
	dg->dst = f->dst;
	dg->first = d->pkt.ts;
	fs_hidx_add(&t->index, h, (uint32_t)(dg - t->slots));
	dg->older = t->newest;
	if (t->newest)
		t->newest->newer = dg;
	else
		t->oldest = dg;
	t->newest = dg;
	t->n++;
	return dg;
}

/* One fragment: [off, off + len) of the datagram's payload, read from w. */
static void
frag_in(struct decoder *d, uint8_t version, struct dec_flow *f, uint32_t id, uint8_t proto,
        uint32_t off, bool more, struct wire *w, bool truncated)
{
	struct frag_table *t = &d->frag;
	uint32_t len = (uint32_t)wire_left(w);
	uint32_t end = off + len;

	d->st.frags_seen++;
	if (truncated) {
		/* The snapshot length cut the fragment: the datagram can never be whole. The first
		 * fragment is decoded from the bytes captured; a later one has nothing to decode. */
		if (off == 0)
			frag_decode_prefix(d, version, &f->src, &f->dst, proto, w);
		else
			dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((more && (len == 0 || len % 8 != 0)) || end > FRAG_MAX_PAYLOAD) {
		dec_skip(d, DEC_SKIP_BAD_IP);
		return;
	}
	struct frag_dg *dg = frag_lookup(d, version, f, id, proto);
	if (dg == NULL) {
		dec_skip(d, DEC_SKIP_FRAG_DROPPED);
		return;
	}
	if ((!more && ((dg->have_last && dg->total != end) || dg->end_max > end)) ||
	    (more && dg->have_last && end > dg->total)) {
		/* Fragments disagree on where the datagram ends: nothing trustworthy remains. */
		dec_skip(d, DEC_SKIP_FRAG_DROPPED);
		frag_drop(d, dg);
		return;
	}
	if (!more) {
		dg->have_last = true;
		dg->total = end;
	}
	if (off == 0 && !dg->have_first) {
		dg->have_first = true;
		dg->proto = proto;   /* RFC 8200 4.5: the first fragment's Next Header counts */
		dg->first_ts = d->pkt.ts;
		dg->src_index = d->pkt.src_index;
		dg->frame = d->pkt.frame;
	}
	if (end > dg->end_max) {
		uint32_t grow = end - dg->end_max;
		/* Over the byte budget: the oldest other datagrams give way (a single datagram may
		 * exceed it; the budget is far above the 64 KiB one can take). */
		for (struct frag_dg *o = t->oldest; t->bytes + grow > d->cfg.frag_max_bytes && o != NULL;) {
			struct frag_dg *next = o->newer;
			if (o != dg)
				frag_drop(d, o);
			o = next;
		}
		if (end > dg->cap) {
			uint32_t nc = dg->cap ? dg->cap : FRAG_MIN_BUF;
			while (nc < end)
				nc *= 2;
			dg->buf = xrealloc(dg->buf, nc);
			dg->cap = nc;
		}
		t->bytes += grow;
		dg->end_max = end;
	}
	uint32_t b0 = off / 8, b1 = (end + 7) / 8;
	bool overlap = false;
	for (uint32_t b = b0; b < b1 && !overlap; b++)
		overlap = (dg->bits[b >> 6] >> (b & 63)) & 1;
	if (!overlap) {
		wire_bytes(w, dg->buf + off, len);
		for (uint32_t b = b0; b < b1; b++)
			dg->bits[b >> 6] |= (uint64_t)1 << (b & 63);
		dg->covered += b1 - b0;
	} else {
		/* Keep the bytes already held; fill only blocks nobody sent before. */
		d->st.frags_overlapping++;
		struct wire sub = *w;
		for (uint32_t b = b0; b < b1; b++) {
			if ((dg->bits[b >> 6] >> (b & 63)) & 1)
				continue;
			uint32_t lo = b * 8, hi = lo + 8 < end ? lo + 8 : end;
			wire_seek(&sub, (size_t)(w->p - w->base) + (lo - off));
			wire_bytes(&sub, dg->buf + lo, hi - lo);
			dg->bits[b >> 6] |= (uint64_t)1 << (b & 63);
			dg->covered++;
		}
	}
	dg->nfrags++;
	if (!dg->have_last || dg->covered != (dg->total + 7) / 8)
		return;

	/* Complete: detach first, so fragments inside it (tunnels) cannot evict it mid-use. */
	frag_detach(t, dg);
	d->st.frags_reassembled++;
	struct dec_flow rf = { .src = dg->src, .dst = dg->dst };
	struct wire pw;
	wire_init(&pw, dg->buf, dg->total);
	if (dg->version == 4)
		dec_l4(d, &rf, dg->proto, &pw);
	else
		ip6_walk(d, &rf, dg->proto, &pw, false, true);
	frag_put_free(t, dg);
}

/* ---- IPv4 ---- */

void
dec_ip4(struct decoder *d, struct wire *w)
{
	size_t avail = wire_left(w);
	struct dec_flow f = { .src = { .family = 4 }, .dst = { .family = 4 } };

	uint8_t vihl = wire_u8(w);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	uint32_t ihl = (uint32_t)(vihl & 15) * 4;
	if ((vihl >> 4) != 4 || ihl < 20) {
		dec_skip(d, DEC_SKIP_BAD_IP);
		return;
	}
	if (avail < ihl) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	wire_skip(w, 1);                    /* DSCP/ECN */
	uint32_t tot = wire_u16be(w);
	uint16_t id = wire_u16be(w);
	uint16_t ff = wire_u16be(w);
	wire_skip(w, 1);                    /* TTL */
	uint8_t proto = wire_u8(w);
	wire_skip(w, 2);                    /* checksum: never a reason to skip */
	wire_bytes(w, f.src.bytes, 4);
	wire_bytes(w, f.dst.bytes, 4);
	wire_skip(w, ihl - 20);             /* options */
	if (tot == 0)
		tot = (uint32_t)avail;          /* TSO/LRO captures leave the length zero */
	else if (tot < ihl) {
		dec_skip(d, DEC_SKIP_BAD_IP);
		return;
	}
	bool truncated = tot > avail;
	if (truncated) {
		f.missing = tot - (uint32_t)avail;
		tot = (uint32_t)avail;
	}
	struct wire pw;
	wire_sub(w, tot - ihl, &pw);        /* drops Ethernet padding and trailers */

	uint32_t off = (uint32_t)(ff & 0x1fff) * 8;
	bool more = (ff & 0x2000) != 0;
	if (more || off != 0) {
		frag_in(d, 4, &f, id, proto, off, more, &pw, truncated);
		return;
	}
	dec_l4(d, &f, proto, &pw);
}

/* ---- IPv6 ---- */

static void
ip6_walk(struct decoder *d, struct dec_flow *f, uint8_t nh, struct wire *w, bool truncated,
         bool reassembled)
{
	/* Every extension header is at least 8 bytes, so the payload length bounds this loop. */
	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_: {
			uint8_t next = wire_u8(w);
			uint32_t hlen = ((uint32_t)wire_u8(w) + 1) * 8;
			wire_skip(w, hlen - 2);
			if (!wire_ok(w)) {
				dec_skip(d, DEC_SKIP_TRUNCATED);
				return;
			}
			nh = next;
			continue;
		}
		case IPPROTO_AH_: {
			uint8_t next = wire_u8(w);
			uint32_t hlen = ((uint32_t)wire_u8(w) + 2) * 4;   /* RFC 4302: 32-bit words */
			wire_skip(w, hlen - 2);
			if (!wire_ok(w)) {
				dec_skip(d, DEC_SKIP_TRUNCATED);
				return;
			}
			nh = next;
			continue;
		}
		case IPPROTO_FRAGMENT_: {
			uint8_t next = wire_u8(w);
			wire_skip(w, 1);
			uint16_t offm = wire_u16be(w);
			uint32_t id = wire_u32be(w);
			if (!wire_ok(w)) {
				dec_skip(d, DEC_SKIP_TRUNCATED);
				return;
			}
			if (reassembled) {
				dec_skip(d, DEC_SKIP_BAD_IP);   /* a fragment inside a fragment */
				return;
			}
			uint32_t off = offm & 0xfff8;
			bool more = (offm & 1) != 0;
			if (off == 0 && !more) {
				nh = next;                       /* atomic fragment (RFC 6946) */
				continue;
			}
			frag_in(d, 6, f, id, next, off, more, w, truncated);
			return;
		}
		case IPPROTO_NONE_:
			dec_skip(d, DEC_SKIP_NOT_UDP_TCP);
			return;
		default:
			dec_l4(d, f, nh, w);
			return;
		}
	}
}

void
dec_ip6(struct decoder *d, struct wire *w)
{
	struct dec_flow f = { .src = { .family = 6 }, .dst = { .family = 6 } };

	uint32_t vtf = wire_u32be(w);
	uint32_t plen = wire_u16be(w);
	uint8_t nh = wire_u8(w);
	wire_skip(w, 1);                    /* hop limit */
	wire_bytes(w, f.src.bytes, 16);
	wire_bytes(w, f.dst.bytes, 16);
	if (!wire_ok(w)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((vtf >> 28) != 6) {
		dec_skip(d, DEC_SKIP_BAD_IP);
		return;
	}
	uint32_t rest = (uint32_t)wire_left(w);
	bool truncated = false;
	if (plen == 0)
		plen = rest;                    /* jumbogram or TSO: take what is there */
	else if (plen > rest) {
		f.missing = plen - rest;
		plen = rest;
		truncated = true;
	}
	struct wire pw;
	wire_sub(w, plen, &pw);
	ip6_walk(d, &f, nh, &pw, truncated, false);
}

void
dec_ip(struct decoder *d, struct wire *w)
{
	uint8_t b;

	if (!wire_peek_u8(w, 0, &b)) {
		dec_skip(d, DEC_SKIP_TRUNCATED);
		return;
	}
	if ((b >> 4) == 4)
		dec_ip4(d, w);
	else if ((b >> 4) == 6)
		dec_ip6(d, w);
	else
		dec_skip(d, DEC_SKIP_NOT_IP);
}
