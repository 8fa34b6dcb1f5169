/* Live capture through libpcap, on a thread of its own.
 *
 * The capture thread does nothing but take frames from the kernel (a large kernel buffer; frames
 * reach it within 50 ms, see cap_live_opts.immediate), append them to the -w file and copy them into the hand-off ring (ring.c). The
 * analysis (the ingest thread: decoder and store) reads the ring at its own pace; when it falls
 * behind and the ring is full, the frame is counted as an application drop and still written
 * to -w, so the file always holds everything the kernel delivered. Nothing the analysis or the
 * UI does can stall the capture: the only blocking call on this thread is libpcap's poll.
 *
 * The default BPF filter keeps DNS on the configured ports and every IPv4/IPv6 fragment (a
 * fragment after the first has no UDP header, so a port filter alone would lose fragmented
 * DNS), also inside one 802.1Q tag when the NIC does not strip it.
 *
 * -w files are streams, not atomic writes: like tcpdump's they are appended as packets arrive so
 * they can be read while they grow; they are flushed every second, when rotating and when the
 * capture ends, and a reader of a file cut mid-record (a crash) keeps everything before the cut.
 * Rotation (-C) starts FILE.1, FILE.2, … in the folder of FILE: after a privilege drop the -Z
 * user must be able to create files there (cap_live_ready checks it up front). */
#include "capture/cap_int.h"

#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LIVE_TIMEOUT_MS 50            /* libpcap read timeout: the loop wakes at least this often,
                                       * and (TPACKET_V3) the longest a frame waits in the kernel */
#define LIVE_STATS_EVERY_US 250000    /* pcap_stats poll */
#define LIVE_FLUSH_EVERY_US 1000000   /* -w flush */
#define LIVE_DRAIN_MAX 1000000        /* frames taken from the kernel buffer after a stop */
#define LIVE_DRAIN_SLACK_MS 50        /* after the block timeout: the kernel's timer granularity
                                       * and scheduling (see drain()) */
#define LIVE_GET_WAIT_MS 100          /* consumer wait before CAP_AGAIN */

struct cap_live {
	struct cap_counters c;
	pcap_t *p;
	int linktype;
	struct cap_ring *ring;

	pthread_t thread;
	bool started;                  /* consumer side: thread created (or failed to) */
	_Atomic bool stop;             /* any thread: end the capture, drain, close */

	/* -w, used by the capture thread only once it runs (by the opener before) */
	pcap_dumper_t *dump;
	char *iface;
	char *wpath;                   /* base name as given */
	uint64_t rotate_bytes;         /* 0 = never */
	unsigned wfile;                /* index of the open file: 0 = FILE, 1 = FILE.1, … */
	bool chown_set;
	uid_t chown_uid;
	gid_t chown_gid;
	_Atomic uint64_t written;
	_Atomic uint32_t files;
	_Atomic bool write_failed;

	/* thread-owned */
	fs_time last_stats, last_flush;
	uint64_t frames, bytes, app_drops;

	pthread_mutex_t msg_mu;        /* guards the sentences below */
	char capture_error[400];       /* the capture failed: set once, read at the end */
	char write_error[400];         /* -w failed: set once; the capture goes on */
};

int
cap_rotate_name(const char *base, unsigned idx, char *buf, size_t len)
{
	int n = idx == 0 ? snprintf(buf, len, "%s", base) : snprintf(buf, len, "%s.%u", base, idx);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* "udp port 53 or tcp port 53 or … or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44)", and the
 * same once more behind one VLAN tag (Ethernet).
 *
 * Loopback packets reach a capture twice, going out and coming in, and libpcap discards the
 * outgoing copy; a kernel filter dropping that copy ("not (outbound and ifindex 1)") would
 * halve the buffer they take on lo, but a frame injected on lo whose incoming copy the kernel
 * drops (a burst over netdev_max_backlog, tcpreplay --topspeed) then disappears where tcpdump
 * still shows it, so it is not used: on lo a dropped packet may count twice in kernel-drops. */
char *
cap_live_default_filter(const uint16_t *ports, int n_ports, bool vlan)
{
	static const uint16_t dflt = 53;
	size_t cap, len = 0;
	char *inner, *s;

	if (ports == NULL || n_ports <= 0) {
		ports = &dflt;
		n_ports = 1;
	}
	cap = 96 + (size_t)n_ports * 40;
	inner = xmalloc(cap);
	inner[0] = '\0';
	for (int i = 0; i < n_ports; i++)
		len += (size_t)snprintf(inner + len, cap - len, "%sudp port %u or tcp port %u",
		                        i ? " or " : "", ports[i], ports[i]);
	/* IPv4: MF set or a non-zero offset; IPv6: a fragment header right after the fixed one. */
	snprintf(inner + len, cap - len, " or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] = 44)");
	if (vlan)
		s = xasprintf("%s or (vlan and (%s))", inner, inner);
	else
		s = xstrdup(inner);
	free(inner);
	return s;
}

/* snprintf that may cut long file names short, on purpose. */
static void __attribute__((format(printf, 3, 4)))
cut(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
set_msg(struct cap_live *l, char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&l->msg_mu);
	if (dst[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(dst, len, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&l->msg_mu);
}

/* ---- -w ------------------------------------------------------------------------------------- */

static pcap_dumper_t *
dump_open(struct cap_live *l, unsigned idx, char *err, size_t errlen)
{
	char name[4096];
	pcap_dumper_t *d;

	if (cap_rotate_name(l->wpath, idx, name, sizeof name) != 0) {
		snprintf(err, errlen, "the -w file name '%s' is too long", l->wpath);
		return NULL;
	}
	if ((d = pcap_dump_open(l->p, name)) == NULL) {
		cut(err, errlen, "cannot write the capture file '%s' (-w): %s", name, pcap_geterr(l->p));
		return NULL;
	}
	return d;
}

static void
write_fail(struct cap_live *l, const char *what)
{
	char name[4096];

	if (cap_rotate_name(l->wpath, l->wfile, name, sizeof name) != 0)
		cut(name, sizeof name, "%s", l->wpath);
	set_msg(l, l->write_error, sizeof l->write_error,
	        "writing the capture file '%s' (-w) failed (%s); the capture goes on without it",
	        name, what);
	if (l->dump != NULL) {
		pcap_dump_close(l->dump);
		l->dump = NULL;
	}
	atomic_store(&l->write_failed, true);
}

static void
dump_rotate(struct cap_live *l)
{
	char err[600];

	if (pcap_dump_flush(l->dump) != 0) {
		write_fail(l, strerror(errno));
		return;
	}
	pcap_dump_close(l->dump);
	l->dump = dump_open(l, l->wfile + 1, err, sizeof err);
	if (l->dump == NULL) {
		set_msg(l, l->write_error, sizeof l->write_error, "%s%s", err,
		        "; the capture goes on without it");
		atomic_store(&l->write_failed, true);
		return;
	}
	l->wfile++;
	atomic_fetch_add(&l->files, 1);
}

/* ---- the capture thread ---------------------------------------------------------------------- */

static void
poll_stats(struct cap_live *l)
{
	struct pcap_stat ps;

	/* Only this thread calls pcap_stats: Linux resets the kernel counters on every read and
	 * libpcap accumulates them in the handle. */
	l->last_stats = fs_mono_us();
	if (pcap_stats(l->p, &ps) == 0) {
		atomic_store_explicit(&l->c.kernel_drops, ps.ps_drop, memory_order_relaxed);
		atomic_store_explicit(&l->c.iface_drops, ps.ps_ifdrop, memory_order_relaxed);
	}
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct cap_live *l = (struct cap_live *)(void *)user;
	fs_time ts = cap_time(h->ts.tv_sec, h->ts.tv_usec);
	uint32_t wirelen = h->len < h->caplen ? h->caplen : h->len;

	l->frames++;
	l->bytes += h->caplen;
	if (l->dump != NULL) {
		pcap_dump((u_char *)l->dump, h, data);
		atomic_store_explicit(&l->written, atomic_load_explicit(&l->written, memory_order_relaxed) + 1,
		                      memory_order_relaxed);
		if (l->rotate_bytes > 0 && (uint64_t)pcap_dump_ftell64(l->dump) >= l->rotate_bytes)
			dump_rotate(l);
	}
	if (!cap_ring_put(l->ring, ts, h->caplen, wirelen, data))
		l->app_drops++;
	atomic_store_explicit(&l->c.frames, l->frames, memory_order_relaxed);
	atomic_store_explicit(&l->c.bytes_read, l->bytes, memory_order_relaxed);
	atomic_store_explicit(&l->c.app_drops, l->app_drops, memory_order_relaxed);
}

static void
housekeeping(struct cap_live *l)
{
	fs_time now = fs_mono_us();

	if (now - l->last_stats >= LIVE_STATS_EVERY_US)
		poll_stats(l);
	if (l->dump != NULL && now - l->last_flush >= LIVE_FLUSH_EVERY_US) {
		l->last_flush = now;
		if (pcap_dump_flush(l->dump) != 0)
			write_fail(l, strerror(errno));
	}
}

/* After a stop. TPACKET_V3 hands the kernel's block over to libpcap when it is full or when its
 * timer (LIVE_TIMEOUT_MS) fires: a read before that sees nothing of the frames in the block
 * being filled, which are the last ones before the stop (up to 50 ms of traffic). So read on,
 * without blocking, until a read that starts after the block timeout (and a margin for the
 * kernel's timer granularity) has passed since the stop returns nothing; frames still in the
 * network stack's backlog at the stop are taken the same way. Bounded in frames, so a busy link
 * cannot keep it going. */
static void
drain(struct cap_live *l, char *errbuf)
{
	fs_time until = fs_mono_us() + (LIVE_TIMEOUT_MS + LIVE_DRAIN_SLACK_MS) * 1000;
	int fd = pcap_get_selectable_fd(l->p);
	uint64_t total = 0;

	if (pcap_setnonblock(l->p, 1, errbuf) != 0)
		return;
	while (total < LIVE_DRAIN_MAX) {
		int n = pcap_dispatch(l->p, 4096, on_packet, (u_char *)l);
		if (n == PCAP_ERROR_BREAK)
			continue;      /* the pcap_breakloop() of the stop, consumed once */
		if (n < 0)
			break;
		if (n > 0) {
			total += (uint64_t)n;
			continue;
		}
		fs_time now = fs_mono_us();
		if (now >= until)
			break;         /* a read after the block timeout found nothing */
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int ms = (int)((until - now + 999) / 1000);
			(void)poll(&pfd, 1, ms > 10 ? 10 : ms);
		} else {
			struct timespec nap = { 0, 2 * 1000000L };
			nanosleep(&nap, NULL);
		}
	}
}

static void *
live_thread(void *arg)
{
	struct cap_live *l = arg;
	char errbuf[PCAP_ERRBUF_SIZE];

	l->last_stats = l->last_flush = fs_mono_us();
	while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
		/* Up to a buffer's worth at a time; returns at the read timeout when idle and at once
		 * after pcap_breakloop(). */
		int n = pcap_dispatch(l->p, -1, on_packet, (u_char *)l);
		if (n == PCAP_ERROR) {
			set_msg(l, l->capture_error, sizeof l->capture_error, "the capture on '%s' failed: %s",
			        l->iface, pcap_geterr(l->p));
			break;
		}
		housekeeping(l);
	}
	/* Stopped: take what the kernel already captured, so the analysis and the -w file end
	 * with every frame up to the stop. */
	if (l->capture_error[0] == '\0')
		drain(l, errbuf);
	poll_stats(l);
	if (l->dump != NULL) {
		if (pcap_dump_flush(l->dump) != 0)
			write_fail(l, strerror(errno));
		else {
			pcap_dump_close(l->dump);
			l->dump = NULL;
		}
	}
	cap_ring_close(l->ring);
	return NULL;
}

/* ---- the source operations (ingest thread) ---------------------------------------------------- */

static enum cap_next
live_next(struct cap_source *s, struct cap_frame *out, struct fs_err *err)
{
	struct cap_live *l = s->impl;

	if (!l->started) {
		/* Started on the first read, so the caller can drop privileges between opening the
		 * handle and reading from it. */
		l->started = true;
		int r = pthread_create(&l->thread, NULL, live_thread, l);
		if (r != 0) {
			fs_err_set(err, FS_E_INTERNAL, "cannot start the capture thread for '%s': %s", s->name,
			           strerror(r));
			cap_ring_close(l->ring);
			l->started = false;
			return CAP_ERROR;
		}
	}
	int r = cap_ring_get(l->ring, out, LIVE_GET_WAIT_MS);
	if (r == 1) {
		out->linktype = l->linktype;
		return CAP_FRAME;
	}
	if (r == 0)
		return CAP_AGAIN;
	pthread_mutex_lock(&l->msg_mu);
	if (l->capture_error[0] != '\0') {
		fs_err_set(err, FS_E_IO, "%s", l->capture_error);
		l->capture_error[0] = '\0';   /* reported once */
		pthread_mutex_unlock(&l->msg_mu);
		return CAP_ERROR;
	}
	pthread_mutex_unlock(&l->msg_mu);
	return CAP_EOF;
}

static void
live_stats(struct cap_source *s, struct cap_stats *out)
{
	struct cap_live *l = s->impl;

	cap_counters_read(&l->c, out);
	out->live = true;
	out->written = atomic_load_explicit(&l->written, memory_order_relaxed);
	out->files_written = atomic_load_explicit(&l->files, memory_order_relaxed);
	out->write_failed = atomic_load(&l->write_failed);
}

static void
live_breakloop(struct cap_source *s)
{
	struct cap_live *l = s->impl;

	/* Not async-signal-safe: call from a thread, never from a signal handler. */
	atomic_store(&l->stop, true);
	pcap_breakloop(l->p);
}

static void
live_close(struct cap_source *s)
{
	struct cap_live *l = s->impl;

	if (l->started) {
		atomic_store(&l->stop, true);
		pcap_breakloop(l->p);
		pthread_join(l->thread, NULL);
	}
	if (l->dump != NULL)
		pcap_dump_close(l->dump);
	pcap_close(l->p);
	cap_ring_free(l->ring);
	free(l->iface);
	free(l->wpath);
	pthread_mutex_destroy(&l->msg_mu);
	free(l);
}

static const struct cap_source_ops live_ops = {
	.kind = "live",
	.next = live_next,
	.stats = live_stats,
	.breakloop = live_breakloop,
	.close = live_close,
	.drains = true,
};

/* ---- opening --------------------------------------------------------------------------------- */

static fs_status
activate_error(pcap_t *p, const char *iface, int r, struct fs_err *err)
{
	switch (r) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return fs_err_set(err, FS_E_NOTFOUND, "there is no capture interface named '%s' (-i; "
		                  "fluxscope -D lists them)", iface);
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		return fs_err_set(err, FS_E_PERM, "no permission to capture on '%s': run fluxscope as root, "
		                  "or give it the CAP_NET_RAW and CAP_NET_ADMIN capabilities (setcap "
		                  "cap_net_raw,cap_net_admin=eip fluxscope)", iface);
	case PCAP_ERROR_IFACE_NOT_UP:
		return fs_err_set(err, FS_E_IO, "cannot capture on '%s': the interface is down", iface);
	case PCAP_ERROR_RFMON_NOTSUP:
	default:
		return fs_err_set(err, FS_E_IO, "cannot capture on '%s': %s", iface, pcap_geterr(p));
	}
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
	if (o.handoff_mb <= 0)
		o.handoff_mb = 16;
	if (o.rotate_mb > 0 && o.write_path == NULL)
		return fs_err_set(err, FS_E_ARG, "option -C (rotate) needs a file to write (-w FILE)");
	if (o.rotate_mb > 0 && strcmp(o.write_path, "-") == 0)
		return fs_err_set(err, FS_E_ARG, "option -C (rotate) cannot rotate standard output (-w -)");

	pcap_t *p = pcap_create(iface, errbuf);
	if (p == NULL)
		return fs_err_set(err, FS_E_IO, "cannot capture on '%s': %s", iface, errbuf);
	pcap_set_snaplen(p, o.snaplen);
	pcap_set_promisc(p, o.no_promisc ? 0 : 1);
	pcap_set_immediate_mode(p, o.immediate ? 1 : 0);
	pcap_set_buffer_size(p, o.buffer_mb << 20);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	int r = pcap_activate(p);
	if (r < 0) {
		st = activate_error(p, iface, r, err);
		pcap_close(p);
		return st;
	}
	char *filter;
	if (o.bpf != NULL)
		filter = xstrdup(o.bpf);
	else {
		/* VLAN tags are matched on Ethernet (cooked captures have them stripped). */
		filter = cap_live_default_filter(o.ports, o.n_ports, pcap_datalink(p) == DLT_EN10MB);
	}
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		if (o.bpf != NULL)
			st = fs_err_set(err, FS_E_ARG, "bad BPF expression in --filter-bpf '%s': %s", filter,
			                pcap_geterr(p));
		else
			st = fs_err_set(err, FS_E_ARG, "the default BPF filter does not compile on '%s' "
			                "(give one with --filter-bpf): %s", iface, pcap_geterr(p));
		free(filter);
		pcap_close(p);
		return st;
	}
	r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	free(filter);
	if (r != 0) {
		st = fs_err_set(err, FS_E_IO, "cannot set the BPF filter on '%s': %s", iface, pcap_geterr(p));
		pcap_close(p);
		return st;
	}

	struct cap_live *l = xcalloc(1, sizeof *l);
	l->p = p;
	l->linktype = pcap_datalink(p);
	l->iface = xstrdup(iface);
	pthread_mutex_init(&l->msg_mu, NULL);
	if (o.write_path != NULL) {
		char msg[600];
		l->wpath = xstrdup(o.write_path);
		l->rotate_bytes = (uint64_t)o.rotate_mb << 20;
		/* The first file is opened now, before any privilege drop, as tcpdump does not: so
		 * -w may name a place only root can write. */
		if ((l->dump = dump_open(l, 0, msg, sizeof msg)) == NULL) {
			st = fs_err_set(err, FS_E_IO, "%s", msg);
			free(l->wpath);
			free(l->iface);
			pthread_mutex_destroy(&l->msg_mu);
			free(l);
			pcap_close(p);
			return st;
		}
		atomic_store(&l->files, 1);
	}
	/* Room for the largest frame several times over. */
	size_t ring = (size_t)o.handoff_mb << 20;
	if (ring < (size_t)o.snaplen * 8)
		ring = (size_t)o.snaplen * 8;
	l->ring = cap_ring_new(ring);
	*out = cap_source_alloc(&live_ops, iface, l);
	return FS_OK;
}

/* ---- privilege drop support ------------------------------------------------------------------- */

fs_status
cap_live_set_owner(struct cap_source *s, unsigned uid, unsigned gid, struct fs_err *err)
{
	struct cap_live *l;

	if (s == NULL || s->ops != &live_ops)
		return FS_OK;
	l = s->impl;
	if (l->dump == NULL || strcmp(l->wpath, "-") == 0)
		return FS_OK;
	/* The -Z user writes this file from now on and creates the rotated ones: let it own them
	 * all alike. */
	if (fchown(fileno(pcap_dump_file(l->dump)), (uid_t)uid, (gid_t)gid) != 0)
		return fs_err_set(err, FS_E_IO, "cannot give the capture file '%s' (-w) to the -Z user: %s",
		                  l->wpath, strerror(errno));
	l->chown_set = true;
	l->chown_uid = (uid_t)uid;
	l->chown_gid = (gid_t)gid;
	return FS_OK;
}

fs_status
cap_live_ready(struct cap_source *s, struct fs_err *err)
{
	struct cap_live *l;
	char dir[4096];

	if (s == NULL || s->ops != &live_ops)
		return FS_OK;
	l = s->impl;
	if (l->dump == NULL || l->rotate_bytes == 0)
		return FS_OK;
	snprintf(dir, sizeof dir, "%s", l->wpath);
	/* access() checks the real ids, which are the dropped user's after priv_drop(). */
	const char *d = dirname(dir);
	if (access(d, W_OK | X_OK) != 0)
		return fs_err_set(err, FS_E_PERM, "option -C cannot rotate '%s' (-w): user %u cannot create "
		                  "files in '%s' (%s); make the folder writable for the -Z user or write "
		                  "elsewhere", l->wpath, (unsigned)getuid(), d, strerror(errno));
	return FS_OK;
}

void
cap_live_describe(struct cap_source *s, char *buf, size_t len)
{
	struct cap_live *l;
	const char *name, *desc;

	buf[0] = '\0';
	if (cap_is_dnstap(s)) {
		cap_dnstap_describe(s, buf, len);
		return;
	}
	if (s == NULL || s->ops != &live_ops)
		return;
	l = s->impl;
	name = pcap_datalink_val_to_name(l->linktype);
	desc = pcap_datalink_val_to_description(l->linktype);
	snprintf(buf, len, "listening on %s, link-type %s (%s), snapshot length %d bytes", l->iface,
	         name ? name : "?", desc ? desc : "?", pcap_snapshot(l->p));
}

void
cap_live_write_error(struct cap_source *s, char *buf, size_t len)
{
	struct cap_live *l;

	buf[0] = '\0';
	if (s == NULL || s->ops != &live_ops)
		return;
	l = s->impl;
	pthread_mutex_lock(&l->msg_mu);
	snprintf(buf, len, "%s", l->write_error);
	pthread_mutex_unlock(&l->msg_mu);
}

/* ---- -D ---------------------------------------------------------------------------------------- */

fs_status
cap_list_ifaces(struct cap_iface **out, size_t *n, struct fs_err *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	size_t k = 0, cap = 0;
	struct cap_iface *v = NULL;

	*out = NULL;
	*n = 0;
	if (pcap_findalldevs(&all, errbuf) != 0)
		return fs_err_set(err, FS_E_IO, "cannot list the capture interfaces: %s", errbuf);
	for (pcap_if_t *d = all; d != NULL; d = d->next) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		struct cap_iface *e = &v[k++];
		memset(e, 0, sizeof *e);
		e->name = xstrdup(d->name);
		e->description = d->description ? xstrdup(d->description) : NULL;
		e->flags = 0;
		if (d->flags & PCAP_IF_UP)
			e->flags |= CAP_IF_UP;
		if (d->flags & PCAP_IF_RUNNING)
			e->flags |= CAP_IF_RUNNING;
		if (d->flags & PCAP_IF_LOOPBACK)
			e->flags |= CAP_IF_LOOPBACK;
		if (d->flags & PCAP_IF_WIRELESS)
			e->flags |= CAP_IF_WIRELESS;
		switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
		case PCAP_IF_CONNECTION_STATUS_CONNECTED: e->flags |= CAP_IF_CONNECTED; break;
		case PCAP_IF_CONNECTION_STATUS_DISCONNECTED: e->flags |= CAP_IF_DISCONNECTED; break;
		default: break;
		}
		for (pcap_addr_t *a = d->addresses; a != NULL && e->n_addrs < CAP_IF_MAX_ADDRS; a = a->next) {
			fs_addr fa = { 0 };
			if (a->addr == NULL)
				continue;
			if (a->addr->sa_family == AF_INET) {
				fa.family = 4;
				memcpy(fa.bytes, &((const struct sockaddr_in *)(const void *)a->addr)->sin_addr, 4);
			} else if (a->addr->sa_family == AF_INET6) {
				fa.family = 6;
				memcpy(fa.bytes, &((const struct sockaddr_in6 *)(const void *)a->addr)->sin6_addr, 16);
			} else
				continue;
			fs_addr_str(&fa, e->addrs[e->n_addrs++], FS_ADDR_STRLEN);
		}
	}
	pcap_freealldevs(all);
	*out = v;
	*n = k;
	return FS_OK;
}

void
cap_ifaces_free(struct cap_iface *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].description);
	}
	free(v);
}
