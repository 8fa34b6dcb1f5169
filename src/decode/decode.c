/* The decoder object: configuration, counters, the packet entry point, and the hand-off from
 * the transport layers to the DNS parser (dns.c) and the caller's callback. */
#include "decode/pkt_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const skip_names[DEC_SKIP_COUNT] = {
#define X(id, name, text) [DEC_SKIP_##id] = name,
	DEC_SKIP_REASONS(X)
#undef X
};

static const char *const skip_texts[DEC_SKIP_COUNT] = {
#define X(id, name, text) [DEC_SKIP_##id] = text,
	DEC_SKIP_REASONS(X)
#undef X
};

const char *
dec_skip_name(enum dec_skip reason)
{
	return (unsigned)reason < DEC_SKIP_COUNT ? skip_names[reason] : "unknown";
}

const char *
dec_skip_text(enum dec_skip reason)
{
	return (unsigned)reason < DEC_SKIP_COUNT ? skip_texts[reason] : "unknown reason";
}

void
dec_config_default(struct dec_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->dns_ports[0] = 53;
	cfg->n_dns_ports = 1;
	cfg->frag_timeout_ms = 30000;
	cfg->frag_max_datagrams = 4096;
	cfg->frag_max_bytes = 32u << 20;
	cfg->tcp_timeout_ms = 120000;
	cfg->tcp_max_streams = 65536;
	cfg->tcp_max_buffer = 262144;
}

fs_status
dec_config_set_ports(struct dec_config *cfg, const char *list, struct fs_err *err)
{
	uint16_t ports[16];
	int n = 0;
	const char *s = list;

	if (list == NULL || *list == '\0')
		return fs_err_set(err, FS_E_ARG, "option --dns-port needs a list of ports such as 53,5353");
	for (;;) {
		unsigned long v = 0;
		const char *start = s;
		while (*s >= '0' && *s <= '9' && v <= 65535)
			v = v * 10 + (unsigned long)(*s++ - '0');
		if (s == start || v == 0 || v > 65535 || (*s != ',' && *s != '\0'))
			return fs_err_set(err, FS_E_ARG, "option --dns-port needs ports from 1 to 65535 "
			                  "separated by commas, not '%s'", list);
		bool dup = false;
		for (int i = 0; i < n; i++)
			dup |= ports[i] == v;
		if (!dup) {
			if (n == 16)
				return fs_err_set(err, FS_E_ARG, "option --dns-port takes at most 16 ports, "
				                  "not '%s'", list);
			ports[n++] = (uint16_t)v;
		}
		if (*s == '\0')
			break;
		s++;
	}
	memcpy(cfg->dns_ports, ports, (size_t)n * sizeof ports[0]);
	cfg->n_dns_ports = n;
	return FS_OK;
}

struct decoder *
dec_new(const struct dec_config *cfg)
{
	struct decoder *d = xcalloc(1, sizeof *d);

	if (cfg != NULL)
		d->cfg = *cfg;
	else
		dec_config_default(&d->cfg);
	if (d->cfg.n_dns_ports <= 0 || d->cfg.n_dns_ports > 16) {
		d->cfg.dns_ports[0] = 53;
		d->cfg.n_dns_ports = 1;
	}
	if (d->cfg.frag_max_datagrams == 0)
		d->cfg.frag_max_datagrams = 4096;
	if (d->cfg.frag_max_bytes == 0)
		d->cfg.frag_max_bytes = 32u << 20;
	if (d->cfg.tcp_max_streams == 0)
		d->cfg.tcp_max_streams = 65536;
	if (d->cfg.tcp_max_buffer < 2 + 65535)
		d->cfg.tcp_max_buffer = 2 + 65535;   /* one whole message must always fit */
	for (int i = 0; i < d->cfg.n_dns_ports; i++) {
		uint16_t p = d->cfg.dns_ports[i];
		d->dns_ports[p >> 6] |= (uint64_t)1 << (p & 63);
	}
	dns_scratch_init(&d->sc);
	frag_init(&d->frag, &d->cfg);
	tcp_init(&d->tcp, &d->cfg);
	return d;
}

void
dec_free(struct decoder *d)
{
	if (d == NULL)
		return;
	frag_fini(&d->frag);
	tcp_fini(&d->tcp);
	dns_scratch_fini(&d->sc);
	free(d);
}

void
dec_set_payload_hook(struct decoder *d, dec_payload_fn fn, void *ctx)
{
	d->hook = fn;
	d->hook_ctx = ctx;
}

const struct dec_stats *
dec_stats(const struct decoder *d)
{
	return &d->st;
}

bool
dec_dns_message(struct decoder *d, const uint8_t *msg, uint32_t len, struct dns_msg *out)
{
	/* A bare message: no feed saw it (the caller may set these after). */
	out->vantage = NULL;
	out->view = DEC_VIEW_NONE;
	out->frame = 0;
	return dns_parse(&d->sc, msg, len, out);
}

void
dec_deliver(struct decoder *d, const struct dec_flow *f, fs_time ts, const uint8_t *msg,
            uint32_t len)
{
	if (d->hook != NULL) {
		struct dec_payload p = {
			.ts = ts, .src = f->src, .dst = f->dst, .sport = f->sport, .dport = f->dport,
			.transport = f->proto, .src_index = d->pkt.src_index, .frame = d->pkt.frame, .data = msg, .len = len,
			.cut = f->cut,
		};
		d->st.dns_messages++;
		if (f->cut)
			d->st.cut_messages++;
		if (f->proto == 6)
			d->st.tcp_messages++;
		else
			d->st.udp_messages++;
		d->hook(d->hook_ctx, &p);
		return;
	}
	struct dns_msg *m = &d->msg;
	if (!dec_dns_message(d, msg, len, m)) {
		/* A cut before the end of the 12-byte header leaves nothing to decode. */
		dec_skip(d, f->cut ? DEC_SKIP_TRUNCATED : DEC_SKIP_MALFORMED_DNS);
		return;
	}
	m->ts = ts;
	m->src = f->src;
	m->dst = f->dst;
	m->sport = f->sport;
	m->dport = f->dport;
	m->transport = f->proto;
	m->src_index = d->pkt.src_index;
	m->frame = d->pkt.frame;
	m->vantage = d->pkt.feed ? d->pkt.vantage : NULL;
	m->view = d->pkt.feed ? d->pkt.view : DEC_VIEW_NONE;
	d->st.dns_messages++;
	if (m->qr)
		d->st.dns_responses++;
	else
		d->st.dns_queries++;
	if (f->proto == 6)
		d->st.tcp_messages++;
	else
		d->st.udp_messages++;
	if (m->malformed)
		d->st.partial_messages++;
	if (f->cut)
		d->st.cut_messages++;
	if (d->pkt.cb != NULL)
		d->pkt.cb(d->pkt.ctx, m);
}

void
dec_set_frame(struct decoder *d, uint32_t frame)
{
	d->pkt.frame = frame;
}

void
dec_packet(struct decoder *d, int linktype, fs_time ts, const uint8_t *frame, uint32_t caplen,
           uint32_t wirelen, int src_index, dec_msg_cb cb, void *ctx)
{
	(void)wirelen;   /* a snaplen cut shows as IP/UDP lengths beyond the captured bytes */
	d->st.packets++;
	d->st.bytes += caplen;
	d->pkt.ts = ts;
	d->pkt.src_index = src_index;
	d->pkt.cb = cb;
	d->pkt.ctx = ctx;
	d->pkt.depth = 0;
	/* Timeouts run on capture time; each check is a comparison with the oldest entry. */
	if (d->frag.oldest != NULL)
		frag_expire(d, ts, false);
	if (d->tcp.oldest != NULL && ts - d->tcp.oldest->last > (fs_time)d->cfg.tcp_timeout_ms * 1000)
		tcp_expire(d, ts, false);
	d->pkt.depth = 0;   /* expired datagrams' tunnels do not count against this packet's */
	dec_link(d, linktype, frame, caplen);
}

void
dec_flush(struct decoder *d, dec_msg_cb cb, void *ctx)
{
	d->pkt.cb = cb;
	d->pkt.ctx = ctx;
	d->pkt.depth = 0;
	frag_expire(d, 0, true);
	tcp_expire(d, 0, true);
}
