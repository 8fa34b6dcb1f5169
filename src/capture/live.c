/* Live capture through libpcap: immediate mode, a large kernel buffer and a default BPF filter
 * that keeps DNS on the configured ports plus every IP fragment (so fragmented DNS survives). */
#include "capture/cap_int.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIVE_TIMEOUT_MS 100
#define LIVE_STATS_EVERY_US 500000

struct cap_live {
	struct cap_counters c;
	pcap_t *p;
	int linktype;
	uint64_t frames;
	fs_time last_stats;   /* monotonic µs of the last pcap_stats */
};

static fs_time
mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (fs_time)t.tv_sec * FS_USEC + t.tv_nsec / 1000;
}

/* pcap_stats may only be called by the reading thread (Linux resets kernel counters on read
 * and libpcap accumulates them), so it runs here and publishes through atomics. */
static void
live_poll_stats(struct cap_live *l)
{
	struct pcap_stat ps;

	l->last_stats = mono_us();
	if (pcap_stats(l->p, &ps) == 0) {
		atomic_store_explicit(&l->c.kernel_drops, ps.ps_drop, memory_order_relaxed);
		atomic_store_explicit(&l->c.iface_drops, ps.ps_ifdrop, memory_order_relaxed);
	}
}

static enum cap_next
live_next(struct cap_source *s, struct cap_frame *out, struct fs_err *err)
{
	struct cap_live *l = s->impl;
	struct pcap_pkthdr *h;
	const u_char *data;

	int r = pcap_next_ex(l->p, &h, &data);
	if (r == 1) {
		out->ts = cap_time(h->ts.tv_sec, h->ts.tv_usec);
		out->linktype = l->linktype;
		out->caplen = h->caplen;
		out->wirelen = h->len < h->caplen ? h->caplen : h->len;
		out->data = data;
		l->frames++;
		atomic_store_explicit(&l->c.frames, l->frames, memory_order_relaxed);
		atomic_store_explicit(&l->c.bytes_read,
		                      atomic_load_explicit(&l->c.bytes_read, memory_order_relaxed) + h->caplen,
		                      memory_order_relaxed);
		if ((l->frames & 1023) == 0 && mono_us() - l->last_stats > LIVE_STATS_EVERY_US)
			live_poll_stats(l);
		return CAP_FRAME;
	}
	if (r == 0) {
		live_poll_stats(l);
		return CAP_AGAIN;
	}
	live_poll_stats(l);
	if (r == PCAP_ERROR_BREAK)
		return CAP_EOF;
	fs_err_set(err, FS_E_IO, "capture on '%s' failed: %s", s->name, pcap_geterr(l->p));
	return CAP_ERROR;
}

static void
live_stats(struct cap_source *s, struct cap_stats *out)
{
	struct cap_live *l = s->impl;
	cap_counters_read(&l->c, out);
}

static void
live_breakloop(struct cap_source *s)
{
	struct cap_live *l = s->impl;
	pcap_breakloop(l->p);
}

static void
live_close(struct cap_source *s)
{
	struct cap_live *l = s->impl;

	pcap_close(l->p);
	free(l);
}

static const struct cap_source_ops live_ops = {
	.kind = "live",
	.next = live_next,
	.stats = live_stats,
	.breakloop = live_breakloop,
	.close = live_close,
};

/* "udp port 53 or tcp port 53 or ... or (ip[6:2] & 0x3fff != 0) or ip6[6]=44" */
static char *
live_default_filter(const uint16_t *ports, int n_ports)
{
	static const uint16_t dflt = 53;
	size_t cap = 128 + (size_t)(n_ports > 0 ? n_ports : 1) * 40, len = 0;
	char *s = xmalloc(cap);

	if (n_ports <= 0) {
		ports = &dflt;
		n_ports = 1;
	}
	s[0] = '\0';
	for (int i = 0; i < n_ports; i++)
		len += (size_t)snprintf(s + len, cap - len, "%sudp port %u or tcp port %u",
		                        i ? " or " : "", ports[i], ports[i]);
	snprintf(s + len, cap - len, " or (ip[6:2] & 0x3fff != 0) or ip6[6]=44");
	return s;
}

fs_status
cap_open_live(const char *iface, const struct cap_live_opts *opts, struct cap_source **out,
              struct fs_err *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct cap_live_opts o = { 0 };
	struct bpf_program prog;
	fs_status st;

	*out = NULL;
	if (opts != NULL)
		o = *opts;
	if (o.buffer_mb <= 0)
		o.buffer_mb = 32;
	if (o.snaplen <= 0)
		o.snaplen = 262144;

	pcap_t *p = pcap_create(iface, errbuf);
	if (p == NULL)
		return fs_err_set(err, FS_E_IO, "cannot capture on '%s': %s", iface, errbuf);
	pcap_set_snaplen(p, o.snaplen);
	pcap_set_promisc(p, 1);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, o.buffer_mb << 20);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	int r = pcap_activate(p);
	if (r < 0) {
		switch (r) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			st = fs_err_set(err, FS_E_NOTFOUND, "there is no capture interface named '%s' (see "
			                "fluxscope -D)", iface);
			break;
		case PCAP_ERROR_PERM_DENIED:
		case PCAP_ERROR_PROMISC_PERM_DENIED:
			st = fs_err_set(err, FS_E_PERM, "no permission to capture on '%s': run as root or "
			                "give fluxscope the CAP_NET_RAW and CAP_NET_ADMIN capabilities", iface);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			st = fs_err_set(err, FS_E_IO, "cannot capture on '%s': the interface is down", iface);
			break;
		default:
			st = fs_err_set(err, FS_E_IO, "cannot capture on '%s': %s", iface, pcap_geterr(p));
			break;
		}
		pcap_close(p);
		return st;
	}
	char *filter = o.bpf != NULL ? xstrdup(o.bpf) : live_default_filter(o.ports, o.n_ports);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		st = fs_err_set(err, FS_E_ARG, "bad BPF filter '%s': %s", filter, pcap_geterr(p));
		free(filter);
		pcap_close(p);
		return st;
	}
	r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r != 0) {
		st = fs_err_set(err, FS_E_IO, "cannot set the BPF filter on '%s': %s", iface, pcap_geterr(p));
		free(filter);
		pcap_close(p);
		return st;
	}
	free(filter);

	struct cap_live *l = xcalloc(1, sizeof *l);
	l->p = p;
	l->linktype = pcap_datalink(p);
	l->last_stats = mono_us();
	*out = cap_source_alloc(&live_ops, iface, l);
	return FS_OK;
}
