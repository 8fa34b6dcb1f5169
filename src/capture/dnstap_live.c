/* Live dnstap: --dnstap unix:PATH and --dnstap tcp:ADDR:PORT accept Frame Streams connections
 * from resolvers (several listeners, several resolvers on each) and hand every DNS message to
 * the analysis as a DEC_LINKTYPE_FEED frame through the same bounded ring as live capture.
 *
 * One thread polls the listeners and the connections; it only reads, decodes the protobuf and
 * copies the message into the ring, so it never waits for the analysis: when the ring is full
 * the message is dropped and counted on its feed. A resolver is never blocked by fluxscope
 * being slow (it may still block on its own socket buffer if this thread is not scheduled;
 * resolvers use non-blocking writers and drop on their side then).
 *
 * Handshake (Frame Streams bidirectional mode, what Unbound, Knot Resolver, PowerDNS and
 * dnsdist use): READY (content types) → ACCEPT (dnstap's) → START → data … → STOP → FINISH,
 * then the connection is closed. A sender that starts with START (unidirectional) is read too.
 *
 * Memory per feed: one read buffer of FSTRM_MAX_FRAME + a control frame, allocated while the
 * connection is open; oversized frames are skipped as they arrive. At most DT_MAX_FEEDS
 * connections at once (more are refused, counted). */
#include "capture/feed_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fstrm.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DT_MAX_LISTENERS 8
#define DT_MAX_FEEDS 64
#define DT_BUF (FSTRM_MAX_FRAME + 8 + FSTRM_MAX_CONTROL + 8)

enum cstate { CS_FREE = 0, CS_WAIT, CS_DATA, CS_CLOSED };

struct dt_feed {
	/* set by the thread under mu, read by cap_dnstap_feeds under mu */
	int state;               /* enum cstate: CS_CLOSED = disconnected (kept for display) */
	int listener;
	char peer[64];
	char identity[64];
	/* the thread's own */
	int fd;
	bool bidir;
	struct fstrm_parser fp;
	uint8_t *buf;
	size_t blen;
	/* counters: written by the thread, read by any */
	_Atomic uint64_t messages, bytes, bad, oversized, drops, disconnects, connects;
	_Atomic uint64_t rate_milli;   /* messages per second × 1000, over the last second */
	uint64_t rate_base;
	double rate_t;
};

struct dt_listener {
	int fd;
	char name[300];          /* as given: unix:PATH, tcp:ADDR:PORT */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];   /* unix: to unlink at close */
};

struct dt_live {
	struct cap_counters c;
	struct dt_listener lis[DT_MAX_LISTENERS];
	int n_lis;
	struct dt_feed feeds[DT_MAX_FEEDS];
	pthread_mutex_t mu;
	struct cap_ring *ring;
	pthread_t thread;
	bool started;
	_Atomic bool stop;
	int wake[2];
	struct dnstap_dec *dd;
	_Atomic uint64_t refused, bad_total, msgs_total;
	uint8_t frame[65536 + DEC_FEED_HDR_MAX];
};

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static fs_time
wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (fs_time)t.tv_sec * FS_USEC + t.tv_nsec / 1000;
}

static void
feed_close_conn(struct dt_live *l, struct dt_feed *f)
{
	close(f->fd);
	f->fd = -1;
	free(f->buf);
	f->buf = NULL;
	f->blen = 0;
	pthread_mutex_lock(&l->mu);
	f->state = CS_CLOSED;
	pthread_mutex_unlock(&l->mu);
	atomic_fetch_add(&f->disconnects, 1);
	atomic_store(&f->rate_milli, 0);
}

static void
send_control(struct dt_feed *f, uint32_t type, bool ct)
{
	uint8_t b[FSTRM_MAX_CONTROL + 8];
	size_t n = fstrm_control_frame(b, sizeof b, type, ct);
	/* a few bytes on a fresh socket: they fit its buffer; never wait for the resolver */
	if (n > 0 && send(f->fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
		atomic_fetch_add(&f->bad, 1);
}

static void
set_identity(struct dt_live *l, struct dt_feed *f, const char *vantage)
{
	/* the vantage is "IDENTITY TYPE": keep the identity part for display */
	const char *sp = strrchr(vantage, ' ');
	size_t n = sp != NULL ? (size_t)(sp - vantage) : strlen(vantage);
	if (n >= sizeof f->identity)
		n = sizeof f->identity - 1;
	if (strncmp(f->identity, vantage, n) == 0 && f->identity[n] == '\0')
		return;
	pthread_mutex_lock(&l->mu);
	memcpy(f->identity, vantage, n);
	f->identity[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)f->identity[i] < 0x20 || (unsigned char)f->identity[i] >= 0x7f)
			f->identity[i] = '?';
	pthread_mutex_unlock(&l->mu);
}

/* Everything complete in the buffer; false when the connection must close. */
static bool
feed_consume(struct dt_live *l, struct dt_feed *f)
{
	size_t pos = 0;
	bool keep = true;

	while (keep) {
		const uint8_t *payload = NULL;
		uint32_t plen = 0, ctype = 0;
		size_t used = 0;
		enum fstrm_ev ev = fstrm_parse(&f->fp, f->buf + pos, f->blen - pos, &used, &payload,
		                               &plen, &ctype);
		pos += used;
		if (ev == FEV_NEED) {
			if (used > 0)
				continue;
			break;
		}
		switch (ev) {
		case FEV_DATA: {
			size_t flen = 0;
			fs_time ts = 0;
			if (f->state != CS_DATA) {
				atomic_fetch_add(&f->bad, 1);
				keep = false;
				break;
			}
			atomic_fetch_add_explicit(&f->bytes, plen, memory_order_relaxed);
			enum dnstap_res r = dnstap_to_frame(l->dd, payload, plen, f->peer, l->frame, sizeof l->frame,
			                                    &flen, &ts);
			if (r != DT_OK) {
				if (r == DT_BAD_PROTOBUF || r == DT_TOO_BIG)
					atomic_fetch_add(&f->bad, 1), atomic_fetch_add(&l->bad_total, 1);
				break;
			}
			if (ts == 0)
				ts = wall_now();
			if (cap_ring_put(l->ring, ts, (uint32_t)flen, (uint32_t)flen, l->frame)) {
				atomic_fetch_add_explicit(&f->messages, 1, memory_order_relaxed);
				atomic_fetch_add_explicit(&l->msgs_total, 1, memory_order_relaxed);
			} else {
				atomic_fetch_add_explicit(&f->drops, 1, memory_order_relaxed);
				atomic_fetch_add_explicit(&l->c.app_drops, 1, memory_order_relaxed);
			}
			/* the identity for the status line, read back from the frame's vantage, which
			 * starts after the fixed part of the header (dec_feed_frame) */
			{
				size_t alen = l->frame[2] == 6 ? 16 : l->frame[2] == 4 ? 4 : 0;
				size_t vo = 3 + 2 * alen + 5;
				if (vo < flen) {
					char v[DEC_FEED_VANTAGE_MAX + 1];
					size_t vl = l->frame[vo];
					if (vo + 1 + vl <= flen) {
						memcpy(v, l->frame + vo + 1, vl);
						v[vl] = '\0';
						set_identity(l, f, v);
					}
				}
			}
			break;
		}
		case FEV_SKIPPED:
			atomic_fetch_add(&f->oversized, 1);
			break;
		case FEV_CONTROL:
			if (ctype == FSTRM_CONTROL_READY) {
				f->bidir = true;
				if (!f->fp.ct_ok) {
					keep = false;   /* no dnstap on offer: nothing to accept */
					atomic_fetch_add(&f->bad, 1);
					break;
				}
				send_control(f, FSTRM_CONTROL_ACCEPT, true);
			} else if (ctype == FSTRM_CONTROL_START) {
				if (!f->fp.ct_ok) {
					keep = false;
					atomic_fetch_add(&f->bad, 1);
					break;
				}
				f->state = CS_DATA;
			} else if (ctype == FSTRM_CONTROL_STOP) {
				if (f->bidir)
					send_control(f, FSTRM_CONTROL_FINISH, false);
				keep = false;
			}
			break;
		case FEV_BAD:
		default:
			atomic_fetch_add(&f->bad, 1);
			keep = false;
			break;
		}
	}
	memmove(f->buf, f->buf + pos, f->blen - pos);
	f->blen -= pos;
	return keep;
}

/* Read what the socket has; false when the connection is over. */
static bool
feed_read(struct dt_live *l, struct dt_feed *f)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t got = recv(f->fd, f->buf + f->blen, DT_BUF - f->blen, MSG_DONTWAIT);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (got <= 0)
			return false;
		f->blen += (size_t)got;
		if (!feed_consume(l, f))
			return false;
		if (f->blen == DT_BUF)
			return false;   /* cannot happen: a frame over the bound is skipped, not held */
	}
	return true;
}

static void
accept_one(struct dt_live *l, int li)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = accept4(l->lis[li].fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	char peer[64];

	if (fd < 0)
		return;
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
		char a[INET6_ADDRSTRLEN] = "?";
		int port;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
			port = ntohs(s4->sin_port);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
			port = ntohs(s6->sin6_port);
		}
		snprintf(peer, sizeof peer, "%s:%d", a, port);
	} else {
		struct ucred cr;
		socklen_t cl = sizeof cr;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
			snprintf(peer, sizeof peer, "pid %d", (int)cr.pid);
		else
			snprintf(peer, sizeof peer, "unix");
	}
	/* a disconnected feed of the same listener comes back (a resolver reconnecting), else a
	 * free slot */
	int slot = -1;
	for (int i = 0; i < DT_MAX_FEEDS && slot < 0; i++)
		if (l->feeds[i].state == CS_CLOSED && l->feeds[i].listener == li)
			slot = i;
	for (int i = 0; i < DT_MAX_FEEDS && slot < 0; i++)
		if (l->feeds[i].state == CS_FREE)
			slot = i;
	if (slot < 0) {
		close(fd);
		atomic_fetch_add(&l->refused, 1);
		return;
	}
	struct dt_feed *f = &l->feeds[slot];
	f->fd = fd;
	f->bidir = false;
	memset(&f->fp, 0, sizeof f->fp);
	f->buf = xmalloc(DT_BUF);
	f->blen = 0;
	f->rate_t = now_s();
	f->rate_base = atomic_load(&f->messages);
	pthread_mutex_lock(&l->mu);
	f->listener = li;
	snprintf(f->peer, sizeof f->peer, "%s", peer);
	f->state = CS_WAIT;
	pthread_mutex_unlock(&l->mu);
	atomic_fetch_add(&f->connects, 1);
}

static void *
dt_thread(void *arg)
{
	struct dt_live *l = arg;
	struct pollfd pfd[1 + DT_MAX_LISTENERS + DT_MAX_FEEDS];
	int who[1 + DT_MAX_LISTENERS + DT_MAX_FEEDS];

	while (!atomic_load(&l->stop)) {
		int n = 0;
		pfd[n] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
		who[n++] = -1;
		for (int i = 0; i < l->n_lis; i++) {
			pfd[n] = (struct pollfd){ .fd = l->lis[i].fd, .events = POLLIN };
			who[n++] = 1000 + i;
		}
		for (int i = 0; i < DT_MAX_FEEDS; i++)
			if (l->feeds[i].fd >= 0 && (l->feeds[i].state == CS_WAIT || l->feeds[i].state == CS_DATA)) {
				pfd[n] = (struct pollfd){ .fd = l->feeds[i].fd, .events = POLLIN };
				who[n++] = i;
			}
		int r = poll(pfd, (nfds_t)n, 250);
		if (r < 0 && errno != EINTR)
			break;
		for (int k = 0; r > 0 && k < n; k++) {
			if (pfd[k].revents == 0 || who[k] < 0)
				continue;
			if (who[k] >= 1000)
				accept_one(l, who[k] - 1000);
			else if (!feed_read(l, &l->feeds[who[k]]))
				feed_close_conn(l, &l->feeds[who[k]]);
		}
		/* rates, once a second */
		double t = now_s();
		for (int i = 0; i < DT_MAX_FEEDS; i++) {
			struct dt_feed *f = &l->feeds[i];
			if (f->state != CS_WAIT && f->state != CS_DATA)
				continue;
			if (t - f->rate_t >= 1.0) {
				uint64_t m = atomic_load(&f->messages);
				atomic_store(&f->rate_milli, (uint64_t)((double)(m - f->rate_base) * 1000.0 / (t - f->rate_t)));
				f->rate_base = m;
				f->rate_t = t;
			}
		}
	}
	/* stop: take what the sockets already hold, then close */
	for (int i = 0; i < DT_MAX_FEEDS; i++) {
		struct dt_feed *f = &l->feeds[i];
		if (f->fd < 0 || (f->state != CS_WAIT && f->state != CS_DATA))
			continue;
		feed_read(l, f);
		feed_close_conn(l, f);
	}
	cap_ring_close(l->ring);
	return NULL;
}

static enum cap_next
dt_next(struct cap_source *s, struct cap_frame *out, struct fs_err *err)
{
	struct dt_live *l = s->impl;

	(void)err;
	if (!l->started) {
		if (pthread_create(&l->thread, NULL, dt_thread, l) != 0) {
			fs_err_set(err, FS_E_INTERNAL, "cannot start the dnstap thread");
			return CAP_ERROR;
		}
		l->started = true;
	}
	int r = cap_ring_get(l->ring, out, 100);
	if (r == 1) {
		out->linktype = DEC_LINKTYPE_FEED;
		atomic_fetch_add_explicit(&l->c.frames, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&l->c.bytes_read, out->caplen, memory_order_relaxed);
		return CAP_FRAME;
	}
	return r == 0 ? CAP_AGAIN : CAP_EOF;
}

static void
dt_stats(struct cap_source *s, struct cap_stats *out)
{
	struct dt_live *l = s->impl;
	uint64_t bad = 0, over = 0;

	cap_counters_read(&l->c, out);
	out->live = true;
	out->feed = "dnstap-live";
	for (int i = 0; i < DT_MAX_FEEDS; i++) {
		bad += atomic_load_explicit(&l->feeds[i].bad, memory_order_relaxed);
		over += atomic_load_explicit(&l->feeds[i].oversized, memory_order_relaxed);
	}
	out->feed_messages = atomic_load_explicit(&l->msgs_total, memory_order_relaxed);
	out->feed_records = out->feed_messages + bad;
	out->feed_bad = bad;
	out->feed_oversized = over;
}

static void
dt_breakloop(struct cap_source *s)
{
	struct dt_live *l = s->impl;

	atomic_store(&l->stop, true);
	if (write(l->wake[1], "x", 1) < 0) {
		/* the poll times out within 250 ms anyway */
	}
	if (!l->started)
		cap_ring_close(l->ring);
}

static void
dt_close(struct cap_source *s)
{
	struct dt_live *l = s->impl;

	dt_breakloop(s);
	if (l->started)
		pthread_join(l->thread, NULL);
	for (int i = 0; i < DT_MAX_FEEDS; i++) {
		if (l->feeds[i].fd >= 0)
			close(l->feeds[i].fd);
		free(l->feeds[i].buf);
	}
	for (int i = 0; i < l->n_lis; i++) {
		close(l->lis[i].fd);
		if (l->lis[i].path[0] != '\0')
			unlink(l->lis[i].path);
	}
	close(l->wake[0]);
	close(l->wake[1]);
	cap_ring_free(l->ring);
	dnstap_dec_free(l->dd);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static const struct cap_source_ops dt_ops = {
	.kind = "dnstap-live",
	.next = dt_next,
	.stats = dt_stats,
	.breakloop = dt_breakloop,
	.close = dt_close,
	.drains = true,
};

static fs_status
listen_unix(struct dt_listener *li, const char *path, struct fs_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;

	if (path[0] == '\0' || strlen(path) >= sizeof sa.sun_path)
		return fs_err_set(err, FS_E_ARG, "option --dnstap unix:%s needs a socket path of 1 to %zu "
		                  "bytes", path, sizeof sa.sun_path - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return fs_err_set(err, FS_E_ARG, "option --dnstap unix:%s: the path exists and is not "
			                  "a socket", path);
		/* a socket someone still listens on is in use; a stale one is replaced */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
		if (probe >= 0)
			close(probe);
		if (live)
			return fs_err_set(err, FS_E_ARG, "option --dnstap unix:%s: another program listens "
			                  "on that socket", path);
		unlink(path);
	}
	li->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (li->fd < 0 || bind(li->fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(li->fd, 16) != 0) {
		int e = errno;
		if (li->fd >= 0)
			close(li->fd);
		li->fd = -1;
		return fs_err_set(err, e == EACCES ? FS_E_PERM : FS_E_IO, "cannot listen on --dnstap "
		                  "unix:%s: %s", path, strerror(e));
	}
	snprintf(li->path, sizeof li->path, "%s", path);
	return FS_OK;
}

static fs_status
listen_tcp(struct dt_listener *li, const char *spec, struct fs_err *err)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_storage ss;
	socklen_t sl;
	char *end;

	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= sizeof host)
		return fs_err_set(err, FS_E_ARG, "option --dnstap tcp:%s needs ADDRESS:PORT (e.g. "
		                  "tcp:127.0.0.1:6000 or tcp:[::1]:6000)", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	long port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 1 || port > 65535)
		return fs_err_set(err, FS_E_ARG, "option --dnstap tcp:%s needs a port from 1 to 65535", spec);
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof *s6;
	} else
		return fs_err_set(err, FS_E_ARG, "option --dnstap tcp:%s needs an IP address, not '%s'",
		                  spec, host);
	li->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (li->fd >= 0)
		setsockopt(li->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (li->fd < 0 || bind(li->fd, (struct sockaddr *)&ss, sl) != 0 || listen(li->fd, 16) != 0) {
		int e = errno;
		if (li->fd >= 0)
			close(li->fd);
		li->fd = -1;
		return fs_err_set(err, e == EACCES ? FS_E_PERM : FS_E_IO, "cannot listen on --dnstap "
		                  "tcp:%s: %s", spec, strerror(e));
	}
	return FS_OK;
}

fs_status
cap_open_dnstap(const char *const *endpoints, int n, int ring_mb, struct cap_source **out,
                struct fs_err *err)
{
	struct dt_live *l;
	fs_status st = FS_OK;

	*out = NULL;
	if (n < 1 || n > DT_MAX_LISTENERS)
		return fs_err_set(err, FS_E_ARG, "option --dnstap may be given 1 to %d times", DT_MAX_LISTENERS);
	l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	for (int i = 0; i < DT_MAX_FEEDS; i++)
		l->feeds[i].fd = -1;
	for (int i = 0; i < n && st == FS_OK; i++) {
		struct dt_listener *li = &l->lis[l->n_lis];
		snprintf(li->name, sizeof li->name, "%s", endpoints[i]);
		if (strncmp(endpoints[i], "unix:", 5) == 0)
			st = listen_unix(li, endpoints[i] + 5, err);
		else if (strncmp(endpoints[i], "tcp:", 4) == 0)
			st = listen_tcp(li, endpoints[i] + 4, err);
		else
			st = fs_err_set(err, FS_E_ARG, "option --dnstap needs unix:PATH or tcp:ADDRESS:PORT, "
			                "not '%s'", endpoints[i]);
		if (st == FS_OK)
			l->n_lis++;
	}
	if (st == FS_OK && pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		st = fs_err_set(err, FS_E_IO, "cannot make the dnstap wake-up pipe: %s", strerror(errno));
	if (st != FS_OK) {
		for (int i = 0; i < l->n_lis; i++) {
			close(l->lis[i].fd);
			if (l->lis[i].path[0] != '\0')
				unlink(l->lis[i].path);
		}
		pthread_mutex_destroy(&l->mu);
		free(l);
		return st;
	}
	l->ring = cap_ring_new((size_t)(ring_mb > 0 ? ring_mb : 32) << 20);
	l->dd = dnstap_dec_new();
	char name[512];
	size_t o = 0;
	for (int i = 0; i < l->n_lis && o < sizeof name - 2; i++)
		o += (size_t)snprintf(name + o, sizeof name - o, "%s%s", i ? "," : "", l->lis[i].name);
	if (o >= sizeof name)
		o = sizeof name - 1;
	name[o] = '\0';
	*out = cap_source_alloc(&dt_ops, name, l);
	return FS_OK;
}

bool
cap_is_dnstap(const struct cap_source *s)
{
	return s != NULL && s->ops == &dt_ops;
}

size_t
cap_dnstap_feeds(struct cap_source *s, struct cap_feed_info *out, size_t max)
{
	struct dt_live *l;
	size_t n = 0;

	if (!cap_is_dnstap(s))
		return 0;
	l = s->impl;
	pthread_mutex_lock(&l->mu);
	for (int i = 0; i < DT_MAX_FEEDS && n < max; i++) {
		struct dt_feed *f = &l->feeds[i];
		if (f->state == CS_FREE)
			continue;
		struct cap_feed_info *o = &out[n++];
		memset(o, 0, sizeof *o);
		snprintf(o->listener, sizeof o->listener, "%s", l->lis[f->listener].name);
		snprintf(o->peer, sizeof o->peer, "%s", f->peer);
		snprintf(o->identity, sizeof o->identity, "%s", f->identity);
		o->connected = f->state == CS_WAIT || f->state == CS_DATA;
		o->messages = atomic_load(&f->messages);
		o->bytes = atomic_load(&f->bytes);
		o->errors = atomic_load(&f->bad) + atomic_load(&f->oversized);
		o->drops = atomic_load(&f->drops);
		o->disconnects = atomic_load(&f->disconnects);
		o->connects = atomic_load(&f->connects);
		o->rate = o->connected ? (double)atomic_load(&f->rate_milli) / 1000.0 : 0;
	}
	pthread_mutex_unlock(&l->mu);
	return n;
}

uint64_t
cap_dnstap_refused(struct cap_source *s)
{
	return cap_is_dnstap(s) ? atomic_load(&((struct dt_live *)s->impl)->refused) : 0;
}

void
cap_dnstap_describe(struct cap_source *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (cap_is_dnstap(s))
		snprintf(buf, len, "listening for dnstap on %s", s->name);
}
