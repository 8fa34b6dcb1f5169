/* The ingest driver: several sources merged by capture time, a run on its own thread with
 * progress read from another and a stop that keeps what was read, source failures that do not
 * stop the other sources, the frame hook, (as root) a live capture on the loopback, and the
 * two-thread pipeline: every message of every test capture the same, in the same order, as
 * on one thread; its batched hand-off (ingest/msgq.h) with outsize messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "fluxscope/ingest.h"
#include "ingest/msgq.h"
#include "unit/decode/pktbuild.h"
#include "unit/tmpdir.h"

/* A pcap (LINKTYPE_RAW) of n DNS queries; query i has id = id0 + i*step and the time
 * stamp t0 + (id) ms. Returns the file size. */
static long
write_pcap(const char *path, int n, int id0, int step)
{
	static struct pb p;
	uint8_t q[128];
	FILE *f = fopen(path, "wb");
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };

	assert_non_null(f);
	fwrite(hdr, 4, 6, f);
	for (int i = 0; i < n; i++) {
		int id = id0 + i * step;
		size_t qn = dns_query(q, (uint16_t)id, "merge.example");
		pb_reset(&p);
		pb_ip4(&p, "192.0.2.7", "192.0.2.53", 17, (uint16_t)(8 + qn), 1, 0);
		pb_udp(&p, 1024, 53, (uint16_t)qn);
		pb_bytes(&p, q, qn);
		uint32_t rec[4] = { 1000 + (uint32_t)id / 1000, ((uint32_t)id % 1000) * 1000,
		                    (uint32_t)p.len, (uint32_t)p.len };
		fwrite(rec, 4, 4, f);
		fwrite(p.b, 1, p.len, f);
	}
	long size = ftell(f);
	fclose(f);
	return size;
}

struct order {
	int ids[1000];
	int src[1000];
	int n;
	fs_time last;
	bool monotonic;
};

static void
on_order(void *ctx, const struct dns_msg *m)
{
	struct order *o = ctx;
	if (m->ts < o->last)
		o->monotonic = false;
	o->last = m->ts;
	if (o->n < 1000) {
		o->src[o->n] = m->src_index;
		o->ids[o->n++] = m->id;
	}
}

static void
test_merge_by_time(void **state)
{
	struct order o = { .monotonic = true };
	struct fs_err err;
	(void)state;

	write_pcap(tmp("odd.pcap"), 100, 1, 2);     /* ids 1, 3, 5, ... */
	write_pcap(tmp("even.pcap"), 100, 2, 2);    /* ids 2, 4, 6, ... */
	struct ingest *in = ingest_new(NULL, on_order, &o);
	assert_int_equal(ingest_add_file(in, tmp("odd.pcap"), &err), FS_OK);
	assert_int_equal(ingest_add_file(in, tmp("even.pcap"), &err), FS_OK);
	assert_int_equal(ingest_n_sources(in), 2);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	assert_int_equal(o.n, 200);
	assert_true(o.monotonic);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(o.ids[i], i + 1);
		assert_int_equal(o.src[i], i % 2 == 0 ? 0 : 1);
	}
	struct ingest_progress pr;
	ingest_progress(in, &pr);
	assert_true(pr.finished);
	assert_false(pr.running);
	assert_false(pr.stopped);
	assert_int_equal(pr.frames, 200);
	assert_int_equal(pr.messages, 200);
	assert_int_equal(pr.sources_done, 2);
	assert_int_equal(pr.bytes_read, pr.bytes_total);
	assert_true(pr.first_ts < pr.last_ts);
	ingest_free(in);
}

/* The message callback holds the ingest thread at message `hold` until the test has called
 * ingest_stop(), so the stop lands at a known frame whatever the machine's speed. */
struct holder {
	uint64_t hold, seen;
	sem_t reached, release;
};

static void
on_hold(void *ctx, const struct dns_msg *m)
{
	struct holder *h = ctx;
	(void)m;
	if (++h->seen == h->hold) {
		sem_post(&h->reached);
		sem_wait(&h->release);
	}
}

static void
test_thread_progress_stop(void **state)
{
	struct holder h = { .hold = 5000 };
	struct fs_err err;
	struct ingest_progress a, b;
	(void)state;

	long size = write_pcap(tmp("big.pcap"), 50000, 0, 1);
	sem_init(&h.reached, 0, 0);
	sem_init(&h.release, 0, 0);
	struct ingest *in = ingest_new(NULL, on_hold, &h);
	ingest_set_threads(in, 1);                 /* decoding waits for the callback */
	assert_int_equal(ingest_add_file(in, tmp("big.pcap"), &err), FS_OK);
	assert_int_equal(ingest_start(in, &err), FS_OK);
	sem_wait(&h.reached);
	/* Paused mid-file: progress is readable and consistent from this thread. */
	ingest_progress(in, &a);
	assert_true(a.running);
	assert_false(a.finished);
	assert_int_equal(a.frames, 5000);
	assert_int_equal(a.messages, 5000);        /* counted as it enters its callback */
	assert_int_equal(a.bytes_total, (uint64_t)size);
	assert_true(a.bytes_read > 0 && a.bytes_read < a.bytes_total);
	assert_true(a.eta_s >= 0);
	ingest_stop(in);
	sem_post(&h.release);
	assert_int_equal(ingest_wait(in, &err), FS_OK);
	ingest_progress(in, &b);
	assert_true(b.stopped);
	assert_true(b.finished);
	assert_false(b.running);
	assert_int_equal(b.frames, 5000);          /* nothing after the stop */
	assert_int_equal(b.messages, 5000);        /* and nothing read is lost */
	struct dec_stats st;
	ingest_dec_stats(in, &st);
	assert_int_equal(st.packets, 5000);
	assert_int_equal(st.dns_messages, 5000);
	ingest_free(in);

	/* Pipelined: decoding runs ahead of the paused callback by at most the hand-off's
	 * batches; after the stop, every message decoded still reaches the callback. */
	h.seen = 0;
	in = ingest_new(NULL, on_hold, &h);
	ingest_set_threads(in, 2);
	assert_int_equal(ingest_add_file(in, tmp("big.pcap"), &err), FS_OK);
	assert_int_equal(ingest_start(in, &err), FS_OK);
	sem_wait(&h.reached);
	ingest_progress(in, &a);
	assert_true(a.running);
	assert_int_equal(a.messages, 5000);
	assert_true(a.frames >= 5000 && a.frames < 50000);
	ingest_stop(in);
	sem_post(&h.release);
	assert_int_equal(ingest_wait(in, &err), FS_OK);
	ingest_progress(in, &b);
	ingest_dec_stats(in, &st);
	assert_true(b.stopped);
	assert_true(b.frames >= 5000 && b.frames < 50000);
	assert_int_equal(b.messages, st.dns_messages);
	assert_int_equal(h.seen, b.messages);
	ingest_free(in);

	/* The same file run to its end on a thread. */
	h.hold = 0;
	h.seen = 0;
	in = ingest_new(NULL, on_hold, &h);
	assert_int_equal(ingest_add_file(in, tmp("big.pcap"), &err), FS_OK);
	assert_int_equal(ingest_start(in, &err), FS_OK);
	uint64_t prev = 0;
	for (;;) {                                  /* progress only grows */
		ingest_progress(in, &a);
		assert_true(a.frames >= prev);
		prev = a.frames;
		if (a.finished)
			break;
		sched_yield();
	}
	assert_int_equal(ingest_wait(in, &err), FS_OK);
	ingest_progress(in, &b);
	assert_int_equal(b.frames, 50000);
	assert_int_equal(b.messages, 50000);
	assert_int_equal(b.bytes_read, (uint64_t)size);
	assert_false(b.stopped);
	ingest_free(in);

	/* Freeing a running ingest stops and joins it. */
	in = ingest_new(NULL, NULL, NULL);
	assert_int_equal(ingest_add_file(in, tmp("big.pcap"), &err), FS_OK);
	assert_int_equal(ingest_start(in, &err), FS_OK);
	ingest_free(in);
	sem_destroy(&h.reached);
	sem_destroy(&h.release);
}

static void
count_frame(void *ctx, int idx, const struct cap_frame *f)
{
	int *n = ctx;
	(void)idx;
	if (f->caplen > 0)
		(*n)++;
}

static void
test_failures_and_hook(void **state)
{
	struct fs_err err;
	int frames = 0;
	(void)state;

	long size = write_pcap(tmp("whole.pcap"), 300, 0, 1);
	FILE *f = fopen(tmp("whole.pcap"), "rb");
	static uint8_t buf[1 << 16];
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	f = fopen(tmp("cut.pcap"), "wb");
	fwrite(buf, 1, (size_t)size - 20, f);      /* the last record loses its tail */
	fclose(f);

	struct ingest *in = ingest_new(NULL, NULL, NULL);
	ingest_set_frame_hook(in, count_frame, &frames);
	assert_int_equal(ingest_add_file(in, tmp("cut.pcap"), &err), FS_OK);
	assert_int_equal(ingest_add_file(in, tmp("whole.pcap"), &err), FS_OK);
	assert_int_equal(ingest_run(in, &err), FS_E_TRUNCATED);
	assert_non_null(strstr(err.msg, "cut.pcap' is truncated"));
	assert_int_equal(ingest_n_errors(in), 1);
	assert_string_equal(ingest_error(in, 0)->msg, err.msg);
	assert_null(ingest_error(in, 1));
	struct dec_stats st;
	ingest_dec_stats(in, &st);
	assert_int_equal(st.dns_messages, 299 + 300);
	assert_int_equal(frames, 599);
	struct cap_stats cs;
	ingest_source_stats(in, 0, &cs);
	assert_true(cs.truncated);
	assert_int_equal(cs.frames, 299);
	assert_string_equal(ingest_source_name(in, 1), tmp("whole.pcap"));
	ingest_free(in);

	/* A file that cannot be opened is refused when added, naming it. */
	in = ingest_new(NULL, NULL, NULL);
	assert_int_equal(ingest_add_file(in, tmp("missing.pcap"), &err), FS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "missing.pcap"));
	assert_int_equal(ingest_n_sources(in), 0);
	assert_int_equal(ingest_run(in, &err), FS_OK);   /* nothing to do is not an error */
	ingest_free(in);
}

/* A pipe that delivers a few packets and then stays silent without closing: ingest_stop()
 * must end the run (the reader waits in poll, not in read) and keep those packets. */
static void
silent_pipe(const char *file, uint64_t expect)
{
	int fds[2], saved = dup(0);
	struct fs_err err;
	struct ingest_progress pr;
	FILE *f = fopen(file, "rb");
	static uint8_t buf[1 << 16];

	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], buf, n), (ssize_t)n);   /* fits the pipe buffer */
	dup2(fds[0], 0);
	close(fds[0]);
	struct ingest *in = ingest_new(NULL, NULL, NULL);
	assert_int_equal(ingest_add_file(in, "-", &err), FS_OK);
	dup2(saved, 0);
	close(saved);
	assert_int_equal(ingest_start(in, &err), FS_OK);
	do {                                 /* wait until everything written has been read */
		sched_yield();
		ingest_progress(in, &pr);
	} while (pr.frames < expect);
	ingest_stop(in);
	assert_int_equal(ingest_wait(in, &err), FS_OK);
	ingest_progress(in, &pr);
	assert_true(pr.stopped);
	assert_int_equal(pr.frames, expect);
	assert_int_equal(ingest_n_errors(in), 0);   /* a stop is not a truncation */
	ingest_free(in);
	close(fds[1]);
}

static void
test_stop_silent_pipe(void **state)
{
	(void)state;
	write_pcap(tmp("few.pcap"), 20, 0, 1);
	silent_pipe(tmp("few.pcap"), 20);
	silent_pipe("tests/data/pcaps/ndpi-tls-heur-trojan-sll.pcapng", 100);
}

/* As root: capture on the loopback with the default filter, send a DNS query to it. */
static void
test_live_loopback(void **state)
{
	struct cap_source *src;
	struct fs_err err;
	uint16_t ports[2] = { 53, 5353 };
	(void)state;

	assert_int_equal(cap_open_live("no-such-interface0", NULL, &src, &err) == FS_OK, false);
	assert_non_null(strstr(err.msg, "no-such-interface0"));
	if (geteuid() != 0) {
		skip();
		return;
	}
	struct cap_live_opts lo = { .bpf = "udp port and garbage", .buffer_mb = 2 };
	assert_int_equal(cap_open_live("lo", &lo, &src, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "bad BPF expression in --filter-bpf"));

	struct cap_live_opts o = { .buffer_mb = 2, .ports = ports, .n_ports = 2 };
	assert_int_equal(cap_open_live("lo", &o, &src, &err), FS_OK);
	struct order got = { .monotonic = true };
	struct dec_config cfg;
	dec_config_default(&cfg);
	assert_int_equal(dec_config_set_ports(&cfg, "53,5353", &err), FS_OK);
	struct ingest *in = ingest_new(&cfg, on_order, &got);
	ingest_add_source(in, src);
	assert_int_equal(ingest_start(in, &err), FS_OK);

	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(5353) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t q[128];
	size_t qn = dns_query(q, 4242, "live.example");
	struct ingest_progress pr = { 0 };
	/* Send until it shows up (the capture may take a moment to start); give up after 10 s.
	 * Other DNS on the loopback (a resolver under test next door) may be captured too: ours is
	 * the one with id 4242. */
	bool seen = false;
	int after = 0;
	for (int i = 0; i < 100 && after < 5; i++) {
		sendto(s, q, qn, 0, (struct sockaddr *)&to, sizeof to);
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		ingest_progress(in, &pr);
		after += pr.messages > 0;      /* capturing: a few more of ours, then stop */
	}
	close(s);
	ingest_stop(in);
	assert_int_equal(ingest_wait(in, &err), FS_OK);
	assert_true(got.n >= 1);
	for (int k = 0; k < got.n && k < 1000; k++)
		seen |= got.ids[k] == 4242;
	assert_true(seen);
	ingest_free(in);
}

/* ---- the pipeline: the same messages, in the same order, whatever the threads ------------ */

struct digest {
	uint64_t h;
	uint64_t n;
	pthread_t thread;
	bool one_thread;      /* every call on the same thread */
};

static void
mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ull;
}

static void
mix_str(uint64_t *h, const char *s)
{
	if (s == NULL)
		mix(h, "\xff", 1);
	else
		mix(h, s, strlen(s) + 1);
}

/* Every field of the message a callback can read, strings and raw wire included. */
static void
msg_digest(uint64_t *h, const struct dns_msg *m)
{
	mix(h, &m->ts, sizeof m->ts);
	mix(h, &m->src, sizeof m->src);
	mix(h, &m->dst, sizeof m->dst);
	uint32_t hdr[] = { m->sport, m->dport, m->transport, m->id, m->qr, m->aa, m->tc, m->rd,
	                   m->ra, m->ad, m->cd, m->opcode, m->rcode, m->has_opt, m->qdcount,
	                   m->ancount, m->nscount, m->arcount, m->qtype, m->qclass, m->n_rr,
	                   m->malformed, m->wire_len, (uint32_t)m->src_index };
	mix(h, hdr, sizeof hdr);
	mix_str(h, m->qname);
	mix_str(h, m->vantage);
	mix(h, &m->view, sizeof m->view);
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *r = &m->rr[i];
		uint32_t f[] = { r->type, r->rclass, r->ttl, r->section, r->rdlength, r->rdata_off };
		mix(h, f, sizeof f);
		mix(h, &r->addr, sizeof r->addr);
		mix_str(h, r->name);
		mix_str(h, r->target);
	}
	if (m->wire_len > 0)
		mix(h, m->wire, m->wire_len);
}

static void
on_digest(void *ctx, const struct dns_msg *m)
{
	struct digest *d = ctx;
	if (d->n == 0) {
		d->thread = pthread_self();
		d->one_thread = true;
	} else if (!pthread_equal(d->thread, pthread_self())) {
		d->one_thread = false;
	}
	d->n++;
	msg_digest(&d->h, m);
}

static void
run_digest(const char *const *files, int n_files, int threads, struct digest *d)
{
	struct ingest *in = ingest_new(NULL, on_digest, d);
	struct fs_err err;

	memset(d, 0, sizeof *d);
	d->h = 0xcbf29ce484222325ull;
	ingest_set_threads(in, threads);
	for (int i = 0; i < n_files; i++)
		assert_int_equal(ingest_add_file(in, files[i], &err), FS_OK);
	(void)ingest_run(in, NULL);   /* cut captures report their cut; messages still count */
	struct ingest_progress pr;
	ingest_progress(in, &pr);
	assert_int_equal(pr.messages, d->n);
	ingest_free(in);
}

static void
test_pipeline_same_messages(void **state)
{
	(void)state;
	DIR *dir = opendir("tests/data/pcaps");
	struct dirent *e;
	static char names[128][300];
	const char *files[128];
	int n = 0;
	uint64_t total = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL && n < 128) {
		size_t l = strlen(e->d_name);
		if ((l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) ||
		    (l > 7 && strcmp(e->d_name + l - 7, ".pcapng") == 0)) {
			snprintf(names[n], sizeof names[n], "tests/data/pcaps/%s", e->d_name);
			files[n] = names[n];
			n++;
		}
	}
	closedir(dir);
	assert_true(n >= 40);
	/* resolver feeds (dnstap) carry a vantage string the copy must keep */
	dir = opendir("tests/data/feeds");
	assert_non_null(dir);
	int nfeeds = 0;
	while ((e = readdir(dir)) != NULL && n < 128) {
		size_t l = strlen(e->d_name);
		if (l > 7 && strcmp(e->d_name + l - 7, ".dnstap") == 0) {
			snprintf(names[n], sizeof names[n], "tests/data/feeds/%s", e->d_name);
			files[n] = names[n];
			n++;
			nfeeds++;
		}
	}
	closedir(dir);
	assert_true(nfeeds >= 1);
	for (int i = 0; i < n; i++) {
		struct digest a, b;
		run_digest(&files[i], 1, 1, &a);
		run_digest(&files[i], 1, 2, &b);
		if (a.n != b.n || a.h != b.h)
			fail_msg("%s: %llu messages on one thread, %llu pipelined (digests differ: %d)",
			         files[i], (unsigned long long)a.n, (unsigned long long)b.n, a.h != b.h);
		if (b.n > 0) {
			assert_true(b.one_thread);
			/* the pipelined callbacks ran on the driver's second thread */
			assert_false(pthread_equal(b.thread, pthread_self()));
		}
		if (a.n > 0)
			assert_true(pthread_equal(a.thread, pthread_self()));
		total += a.n;
	}
	assert_true(total > 1500);
	/* Every file at once, merged by time: the same again. */
	struct digest a, b;
	run_digest(files, n, 1, &a);
	run_digest(files, n, 2, &b);
	assert_true(a.n > 1500);
	assert_int_equal(b.n, a.n);
	assert_true(a.h == b.h);
}

struct drain {
	struct msgq *q;
	uint64_t h;
	int n;
};

static void *
drain_thread(void *arg)
{
	struct drain *d = arg;
	struct msgq_batch *b;

	while ((b = msgq_take(d->q)) != NULL) {
		for (const struct dns_msg *c = msgq_first(b); c != NULL; c = msgq_next(b, c)) {
			msg_digest(&d->h, c);
			d->n++;
		}
		msgq_release(d->q, b);
	}
	return NULL;
}

/* The hand-off itself: small batches, a message larger than a batch, order kept. */
static void
test_msgq_batches(void **state)
{
	(void)state;
	static struct dns_rr rr[3000];
	static char names[3000][32];
	static uint8_t wire[20000];
	struct dns_msg m;
	struct msgq *q = msgq_new(4096, 2);
	uint64_t want = 0xcbf29ce484222325ull, got = 0xcbf29ce484222325ull;

	for (int i = 0; i < 3000; i++) {
		snprintf(names[i], sizeof names[i], "n%d.example", i);
		memset(&rr[i], 0, sizeof rr[i]);
		rr[i].name = names[i];
		rr[i].type = (uint16_t)(i % 40);
		rr[i].ttl = (uint32_t)i * 7;
		rr[i].target = i % 3 == 0 ? names[(i + 1) % 3000] : NULL;
	}
	for (size_t i = 0; i < sizeof wire; i++)
		wire[i] = (uint8_t)(i * 31);
	/* producer and consumer on one thread: put, then drain before the queue fills */
	for (int k = 0; k < 200; k++) {
		memset(&m, 0, sizeof m);
		m.id = (uint16_t)k;
		m.ts = k * 1000;
		m.qname = k % 5 ? names[k] : NULL;
		m.rr = rr;
		m.n_rr = k == 100 ? 3000 : (uint32_t)(k % 7);   /* k 100: far over a batch */
		m.wire = wire;
		m.wire_len = k == 100 ? (uint32_t)sizeof wire : (uint32_t)k;
		msg_digest(&want, &m);
		msgq_put(q, &m);
		msgq_flush(q);
		struct msgq_batch *b = msgq_take(q);
		assert_non_null(b);
		int seen = 0;
		for (const struct dns_msg *c = msgq_first(b); c != NULL; c = msgq_next(b, c)) {
			assert_ptr_not_equal(c->rr, m.rr);
			msg_digest(&got, c);
			seen++;
		}
		assert_int_equal(seen, 1);
		msgq_release(q, b);
	}
	/* many messages per batch, a consumer thread, the last batch handed off by close */
	struct drain dr = { .q = q, .h = got };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, drain_thread, &dr), 0);
	for (int k = 0; k < 3000; k++) {
		memset(&m, 0, sizeof m);
		m.id = (uint16_t)(1000 + k);
		m.qname = names[k];
		m.rr = rr + k % 2990;
		m.n_rr = (uint32_t)(k % 9);
		msg_digest(&want, &m);
		msgq_put(q, &m);
	}
	msgq_close(q);
	pthread_join(t, NULL);
	got = dr.h;
	int seen = dr.n;
	assert_int_equal(seen, 3000);
	assert_true(want == got);
	msgq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_time),
		cmocka_unit_test(test_thread_progress_stop),
		cmocka_unit_test(test_failures_and_hook),
		cmocka_unit_test(test_stop_silent_pipe),
		cmocka_unit_test(test_live_loopback),
		cmocka_unit_test(test_pipeline_same_messages),
		cmocka_unit_test(test_msgq_batches),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
