/* DNS over TCP (RFC 1035 4.2.2, RFC 7766): per-direction stream reassembly that finds the
 * 2-byte-length-prefixed messages wherever segment boundaries fall — several messages in one
 * segment, one message over many, the prefix alone, out-of-order and retransmitted segments,
 * data in the SYN (TCP Fast Open). Bounded: a fixed pool of streams with idle expiry, a byte
 * cap per direction and a global buffer budget; whatever is lost is counted.
 *
 * Each direction keeps one buffer: buf[0, len) is contiguous data not yet consumed (the start
 * of an incomplete message), and out-of-order islands sit at their own offsets beyond len. In
 * the common case (nothing buffered, segment in order) messages are parsed in place. */
#include "decode/pkt_int.h"

#include <stdlib.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

#define TCP_MIN_BUF 1024u
#define TCP_RETAIN 16384u          /* buffers above this are freed when a stream closes */
#define TCP_POOL 4096u             /* closed streams' buffers kept for reuse */
#define TCP_MEM_MAX (64u << 20)    /* all stream buffers together */

void
tcp_init(struct tcp_table *t, const struct dec_config *cfg)
{
	memset(t, 0, sizeof *t);
	t->n_slots = cfg->tcp_max_streams;
	/* Zero pages until used: slots are taken in order (n_fresh) once no given-back one is
	 * free, not threaded onto the free list beforehand (which touched every page). */
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	fs_hidx_reserve(&t->index, t->n_slots);
	t->pool = xcalloc(TCP_POOL, sizeof *t->pool);
}

void
tcp_fini(struct tcp_table *t)
{
	for (uint32_t i = 0; i < t->n_fresh; i++)
		free(t->slots[i].buf);
	for (uint32_t i = 0; i < t->n_pool; i++)
		free(t->pool[i].buf);
	free(t->pool);
	free(t->slots);
	fs_hidx_fini(&t->index);
	memset(t, 0, sizeof *t);
}

static uint32_t
tcp_hash(const struct dec_flow *f)
{
	return dec_flow_hash(&f->src, &f->dst,
	                     (uint64_t)f->src.family << 32 | (uint64_t)f->sport << 16 | f->dport);
}

static struct tcp_stream *
tcp_find(struct tcp_table *t, const struct dec_flow *f, uint32_t h)
{
	for (uint32_t j = fs_hidx_first(&t->index, h); j != FS_HIDX_END;
	     j = fs_hidx_next(&t->index, h, j)) {
		struct tcp_stream *s = &t->slots[fs_hidx_item(&t->index, j)];
		if (s->sport == f->sport && s->dport == f->dport &&
		    memcmp(&s->src, &f->src, sizeof f->src) == 0 &&
		    memcmp(&s->dst, &f->dst, sizeof f->dst) == 0)
			return s;
	}
	return NULL;
}

static void
idle_unlink(struct tcp_table *t, struct tcp_stream *s)
{
	if (s->older)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	if (s->newer)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	s->older = s->newer = NULL;
}

static void
idle_append(struct tcp_table *t, struct tcp_stream *s)
{
	s->older = t->newest;
	s->newer = NULL;
	if (t->newest)
		t->newest->newer = s;
	else
		t->oldest = s;
	t->newest = s;
}

static void
buf_free(struct tcp_table *t, struct tcp_stream *s)
{
	t->bytes -= s->cap;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
}

/* A closing stream's buffer goes to the pool (small ones), so the next stream that needs one
 * takes it instead of allocating: no allocation per connection once warm. */
static void
buf_release(struct tcp_table *t, struct tcp_stream *s)
{
	if (s->cap == 0)
		return;
	if (s->cap > TCP_RETAIN || t->n_pool == TCP_POOL) {
		buf_free(t, s);
		return;
	}
	t->pool[t->n_pool].buf = s->buf;
	t->pool[t->n_pool++].cap = s->cap;
	s->buf = NULL;
	s->cap = 0;
}

static void
pool_drain(struct tcp_table *t)
{
	while (t->n_pool > 0) {
		struct tcp_buf *b = &t->pool[--t->n_pool];
		t->bytes -= b->cap;
		free(b->buf);
	}
}

/* Drop n bytes from the front of the buffer (consumed or given up). */
static void
tcp_consume(struct tcp_stream *s, uint32_t n)
{
	if (n == 0)
		return;
	if (n < s->hi)
		memmove(s->buf, s->buf + n, s->hi - n);
	s->seq += n;
	s->hi = n < s->hi ? s->hi - n : 0;
	s->len = n < s->len ? s->len - n : 0;
	for (uint8_t i = 0; i < s->n_ooo; i++) {
		s->ooo[i].lo -= n;
		s->ooo[i].hi -= n;
	}
}

/* Absorb islands that now touch the contiguous data. */
static void
tcp_merge(struct tcp_stream *s)
{
	while (s->n_ooo > 0 && s->ooo[0].lo <= s->len) {
		if (s->ooo[0].hi > s->len)
			s->len = s->ooo[0].hi;
		memmove(&s->ooo[0], &s->ooo[1], (size_t)(s->n_ooo - 1) * sizeof s->ooo[0]);
		s->n_ooo--;
	}
}

/* Deliver every whole length-prefixed message at p; returns the bytes they took. */
static uint32_t
tcp_extract(struct decoder *d, struct tcp_stream *s, const uint8_t *p, uint32_t n)
{
	struct dec_flow f = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport,
	                      .proto = 6 };
	struct wire w;
	uint32_t used = 0;
	int saved_index = d->pkt.src_index;
	uint32_t saved_frame = d->pkt.frame;

	wire_init(&w, p, n);
	d->pkt.src_index = s->src_index;
	d->pkt.frame = s->frame;
	while (n - used >= 2) {
		wire_seek(&w, used);
		uint16_t mlen = wire_u16be(&w);
		if (mlen == 0) {
			dec_skip(d, DEC_SKIP_MALFORMED_DNS);   /* an empty "message": junk */
			used += 2;
			continue;
		}
		if (n - used - 2 < mlen)
			break;
		const uint8_t *m = wire_ptr(&w, mlen);
		dec_deliver(d, &f, s->last, m, mlen);
		used += 2u + mlen;
	}
	d->pkt.src_index = saved_index;
	d->pkt.frame = saved_frame;
	return used;
}

static void
tcp_drain(struct decoder *d, struct tcp_stream *s)
{
	tcp_consume(s, tcp_extract(d, s, s->buf, s->len));
}

/* The bytes before the first island will never come: give them up (the partial message with
 * them) and continue at the island, which most likely starts a message. */
static void
tcp_skip_gap(struct decoder *d, struct tcp_stream *s)
{
	struct tcp_range r = s->ooo[0];

	dec_skip(d, DEC_SKIP_TCP_DROPPED);
	memmove(&s->ooo[0], &s->ooo[1], (size_t)(s->n_ooo - 1) * sizeof s->ooo[0]);
	s->n_ooo--;
	tcp_consume(s, r.lo);
	s->len = r.hi - r.lo;
	tcp_merge(s);
	tcp_drain(d, s);
}

/* Insert [lo, hi) among the islands, merging overlaps and neighbours. */
static void
tcp_add_range(struct tcp_stream *s, uint32_t lo, uint32_t hi)
{
	uint8_t i = 0;

	while (i < s->n_ooo && s->ooo[i].hi < lo)
		i++;
	uint8_t j = i;
	while (j < s->n_ooo && s->ooo[j].lo <= hi) {
		if (s->ooo[j].lo < lo)
			lo = s->ooo[j].lo;
		if (s->ooo[j].hi > hi)
			hi = s->ooo[j].hi;
		j++;
	}
	/* ooo[i, j) merge into one entry at i. */
	if (j == i) {
		memmove(&s->ooo[i + 1], &s->ooo[i], (size_t)(s->n_ooo - i) * sizeof s->ooo[0]);
		s->n_ooo++;
	} else if (j > i + 1) {
		memmove(&s->ooo[i + 1], &s->ooo[j], (size_t)(s->n_ooo - j) * sizeof s->ooo[0]);
		s->n_ooo = (uint8_t)(s->n_ooo - (j - i - 1));
	}
	s->ooo[i].lo = lo;
	s->ooo[i].hi = hi;
}

static void tcp_stop(struct decoder *d, struct tcp_stream *s, enum dec_skip lost);

/* Room for `need` bytes; false if over the per-direction cap or the global budget. */
static bool
tcp_reserve(struct decoder *d, struct tcp_stream *s, uint32_t need)
{
	struct tcp_table *t = &d->tcp;

	if (need <= s->cap)
		return true;
	if (need > d->cfg.tcp_max_buffer)
		return false;
	if (s->cap == 0 && t->n_pool > 0) {
		struct tcp_buf *b = &t->pool[--t->n_pool];
		s->buf = b->buf;
		s->cap = b->cap;
		if (need <= s->cap)
			return true;
	}
	uint32_t nc = s->cap ? s->cap : TCP_MIN_BUF;
	while (nc < need)
		nc *= 2;
	if (nc > d->cfg.tcp_max_buffer)
		nc = d->cfg.tcp_max_buffer;
	uint64_t grow = nc - s->cap;
	/* Over budget: pooled buffers go first, then the least recently active streams give
	 * theirs back (their partial data counted as dropped). */
	if (t->bytes + grow > TCP_MEM_MAX)
		pool_drain(t);
	for (struct tcp_stream *o = t->oldest; t->bytes + grow > TCP_MEM_MAX && o != NULL;) {
		struct tcp_stream *next = o->newer;
		if (o != s && o->cap > 0) {
			tcp_stop(d, o, DEC_SKIP_TCP_DROPPED);
			pool_drain(t);
		}
		o = next;
	}
	if (t->bytes + grow > TCP_MEM_MAX)
		return false;
	s->buf = xrealloc(s->buf, nc);
	s->cap = nc;
	t->bytes += grow;
	return true;
}

/* End of this direction's data: deliver what complete messages remain past any holes, count
 * what is left, and keep the entry (empty, "closed") so late retransmissions are recognised
 * until it idles out. */
static void
tcp_stop(struct decoder *d, struct tcp_stream *s, enum dec_skip lost)
{
	while (s->n_ooo > 0)
		tcp_skip_gap(d, s);
	if (s->len > 0)
		dec_skip(d, lost);
	s->seq += s->hi;
	s->hi = s->len = 0;
	s->fin = false;   /* syn and isn stay: a retransmitted SYN must not restart the stream */
	buf_release(&d->tcp, s);
}

/* Remove the entry altogether (idle expiry, table full, flush). */
static void
tcp_release(struct decoder *d, struct tcp_stream *s, enum dec_skip lost)
{
	struct tcp_table *t = &d->tcp;

	tcp_stop(d, s, lost);
	fs_hidx_del(&t->index, s->hash, (uint32_t)(s - t->slots));
	idle_unlink(t, s);
	t->n--;
	s->fnext = t->free;
	t->free = s;
}

void
tcp_expire(struct decoder *d, fs_time now, bool all)
{
	struct tcp_table *t = &d->tcp;
	fs_time limit = (fs_time)d->cfg.tcp_timeout_ms * 1000;

	while (t->oldest != NULL && (all || now - t->oldest->last > limit))
		tcp_release(d, t->oldest, DEC_SKIP_TCP_INCOMPLETE);
}

static struct tcp_stream *
tcp_new(struct decoder *d, const struct dec_flow *f, uint32_t h)
{
	struct tcp_table *t = &d->tcp;

	struct tcp_stream *s;
	if (t->free == NULL && t->n_fresh < t->n_slots) {
		s = &t->slots[t->n_fresh++];
	} else {
		if (t->free == NULL)
			tcp_release(d, t->oldest, DEC_SKIP_TCP_DROPPED);   /* table full */
		s = t->free;
		t->free = s->fnext;
	}
	memset(s, 0, sizeof *s);     /* free slots hold no buffer (tcp_stop released it) */
	s->hash = h;
	s->src = f->src;
	s->dst = f->dst;
	s->sport = f->sport;
	s->dport = f->dport;
	fs_hidx_add(&t->index, h, (uint32_t)(s - t->slots));
	idle_append(t, s);
	t->n++;
	d->st.tcp_streams++;
	return s;
}

static void
tcp_restart(struct decoder *d, struct tcp_stream *s, uint32_t seq, bool syn)
{
	if (s->hi > 0 || s->n_ooo > 0)
		tcp_stop(d, s, DEC_SKIP_TCP_INCOMPLETE);
	s->isn = seq;
	s->syn = syn;
	s->fin = false;
	s->lost = false;
	s->seq = syn ? seq + 1 : seq;
	s->cut_lo = s->cut_hi = s->seq;
	s->hi = s->len = 0;
	s->n_ooo = 0;
}

static void
tcp_data(struct decoder *d, struct tcp_stream *s, uint32_t dseq, const uint8_t *data, uint32_t dlen)
{
	struct wire w;

	if (s->lost) {
		dec_skip(d, DEC_SKIP_TCP_DROPPED);
		return;
	}
	for (;;) {
		int32_t rel = (int32_t)(dseq - s->seq);
		if (rel < 0) {
			/* Already consumed, in whole or in part: a retransmission, unless it is the rest
			 * of a message the capture cut, skipped on purpose. */
			uint32_t back = (uint32_t)0 - (uint32_t)rel;
			if ((int32_t)(dseq - s->cut_lo) < 0 || (int32_t)(dseq - s->cut_hi) >= 0)
				d->st.tcp_retransmitted++;
			if (back >= dlen)
				return;
			data += back;
			dlen -= back;
			dseq += back;
			rel = 0;
		}
		if (rel == 0 && s->hi == 0) {
			/* Nothing buffered and in order: parse in place, keep only the tail. */
			uint32_t used = tcp_extract(d, s, data, dlen);
			s->seq += used;
			if (used == dlen)
				return;
			data += used;
			dlen -= used;
			if (!tcp_reserve(d, s, dlen)) {
				dec_skip(d, DEC_SKIP_TCP_DROPPED);
				s->seq += dlen;
				return;
			}
			wire_init(&w, data, dlen);
			wire_bytes(&w, s->buf, dlen);
			s->len = s->hi = dlen;
			return;
		}
		uint64_t end = (uint64_t)(uint32_t)rel + dlen;
		if (end > d->cfg.tcp_max_buffer) {
			/* Too far ahead of what is missing: the gap will not be filled in time. */
			if (s->n_ooo > 0) {
				tcp_skip_gap(d, s);
				continue;
			}
			dec_skip(d, DEC_SKIP_TCP_DROPPED);
			s->seq = dseq;
			s->hi = s->len = 0;
			continue;
		}
		if ((uint32_t)rel < s->len) {
			/* Overlaps bytes held but not yet consumed: a retransmission, at least partly. */
			d->st.tcp_retransmitted++;
			if (end <= s->len)
				return;
		}
		if (!tcp_reserve(d, s, (uint32_t)end)) {
			dec_skip(d, DEC_SKIP_TCP_DROPPED);
			return;
		}
		wire_init(&w, data, dlen);
		wire_bytes(&w, s->buf + rel, dlen);
		if (end > s->hi)
			s->hi = (uint32_t)end;
		if ((uint32_t)rel <= s->len) {
			if (end > s->len)
				s->len = (uint32_t)end;
		} else {
			d->st.tcp_out_of_order++;
			tcp_add_range(s, (uint32_t)rel, (uint32_t)end);
			if (s->n_ooo > TCP_MAX_RANGES - 1)
				tcp_skip_gap(d, s);   /* too many islands: the oldest gap is lost */
		}
		tcp_merge(s);
		tcp_drain(d, s);
		return;
	}
}

/* Move the stream start n bytes on, past data not received (islands below it go). */
static void
tcp_advance(struct tcp_stream *s, uint32_t n)
{
	uint8_t k = 0;

	while (k < s->n_ooo && s->ooo[k].hi <= n)
		k++;
	memmove(&s->ooo[0], &s->ooo[k], (size_t)(s->n_ooo - k) * sizeof s->ooo[0]);
	s->n_ooo = (uint8_t)(s->n_ooo - k);
	if (s->n_ooo > 0 && s->ooo[0].lo < n)
		s->ooo[0].lo = n;
	if (n <= s->hi) {
		tcp_consume(s, n);
		return;
	}
	s->seq += n;                       /* every island lies below hi, so none is left */
	s->hi = s->len = 0;
}

/* The capture cut a segment: stream bytes [cut_seq, cut_seq + missing) were sent but are not
 * in the capture. The message they fall in is delivered from the bytes present (the records
 * complete before the cut), and the stream goes on where that message ends, which its length
 * prefix says. If the hole swallows the start of a later message (or the prefix itself), the
 * next message boundary is unknown: rather than guess, the direction is given up until the
 * connection starts again. */
static void
tcp_cut(struct decoder *d, struct tcp_stream *s, uint32_t cut_seq, uint32_t missing)
{
	int32_t lo = (int32_t)(cut_seq - s->seq);
	int32_t hi = (int32_t)(cut_seq + missing - s->seq);

	if (s->lost || hi <= 0)
		return;                        /* the missing bytes were consumed or skipped already */
	if (lo < 0)
		lo = 0;
	if ((uint32_t)hi <= s->len)
		return;                        /* another copy of those bytes is held */
	if ((uint32_t)lo > s->len)
		goto lost;                     /* a cut segment beyond a gap: boundaries unknown */
	if (s->len < 2)
		goto lost;                     /* the next length prefix is (partly) in the hole */
	struct wire w;
	wire_init(&w, s->buf, s->len);
	uint32_t mend = 2u + wire_u16be(&w);
	struct dec_flow f = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport,
	                      .proto = 6, .cut = true };
	int saved_index = d->pkt.src_index;
	uint32_t saved_frame = d->pkt.frame;
	d->pkt.src_index = s->src_index;
	d->pkt.frame = s->frame;
	dec_deliver(d, &f, s->last, s->buf + 2, s->len - 2);
	d->pkt.src_index = saved_index;
	d->pkt.frame = saved_frame;
	if (mend < (uint32_t)hi)
		goto lost;                     /* the next message starts inside the hole */
	s->cut_lo = s->seq + s->len;
	s->cut_hi = s->seq + mend;
	tcp_advance(s, mend);
	tcp_merge(s);
	tcp_drain(d, s);
	return;
lost:
	dec_skip(d, DEC_SKIP_TCP_DROPPED);
	s->lost = true;
	s->n_ooo = 0;
	s->seq += s->hi;
	s->hi = s->len = 0;
	buf_release(&d->tcp, s);
}

void
tcp_segment(struct decoder *d, const struct dec_flow *f, uint32_t seq, uint8_t flags,
            const uint8_t *data, uint32_t len, uint32_t missing)
{
	struct tcp_table *t = &d->tcp;
	uint32_t h = tcp_hash(f);
	struct tcp_stream *s = tcp_find(t, f, h);
	bool syn = (flags & TCP_SYN) != 0;

	if (len == 0)
		dec_skip(d, missing > 0 ? DEC_SKIP_TRUNCATED : DEC_SKIP_EMPTY);
	if (s == NULL) {
		/* Bare ACKs, FINs and resets of unknown streams carry nothing to keep (nor does a
		 * segment of one whose data the capture cut away entirely). */
		if ((flags & TCP_RST) || (len == 0 && !syn))
			return;
		s = tcp_new(d, f, h);
		tcp_restart(d, s, seq, syn);
	} else {
		idle_unlink(t, s);
		idle_append(t, s);
		if (syn && !(s->syn && seq == s->isn)) {
			int32_t ahead = (int32_t)(s->seq - (seq + 1));
			if (!s->syn && ahead >= 0 && ahead < (1 << 24)) {
				s->syn = true;                 /* late SYN of a stream picked up mid-way */
				s->isn = seq;
			} else {
				tcp_restart(d, s, seq, true);  /* a new connection on the same ports */
			}
		}
	}
	s->last = d->pkt.ts;
	s->src_index = d->pkt.src_index;
	s->frame = d->pkt.frame;
	uint32_t dseq = syn ? seq + 1 : seq;
	if (len > 0)
		tcp_data(d, s, dseq, data, len);
	if (missing > 0)
		tcp_cut(d, s, dseq + len, missing);
	if (flags & TCP_RST) {
		tcp_stop(d, s, DEC_SKIP_TCP_INCOMPLETE);
		return;
	}
	if (flags & TCP_FIN) {
		s->fin = true;
		s->fin_seq = dseq + len + missing;
	}
	if (s->fin && s->n_ooo == 0 && (int32_t)(s->seq + s->len - s->fin_seq) >= 0)
		tcp_stop(d, s, DEC_SKIP_TCP_INCOMPLETE);
}
