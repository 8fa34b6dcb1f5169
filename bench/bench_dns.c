/* Benchmark: the cost of DNS decoding per packet, beside a bare libpcap read loop (the floor).
 *
 *   bench_dns [-r RUNS] FILE
 *
 * Each phase reads the same capture with pcap_next_ex and does one thing per DNS message:
 * (1) nothing (the floor); (3) dns_parse; (4) ldns_wire2pkt; (5) ldns_wire2pkt and every
 * record turned into a string (ldns_rr2str). The messages are located once beforehand by the
 * decoder, so in (3)-(5) the loop hands each parser the message inside the frame just read
 * (hot in cache, as in ingest). (2) is the whole packet path: frames through the decoder
 * (link, IP, UDP/TCP, reassembly) into dns_parse. Every phase runs RUNS times (default 3) and
 * the best run counts. Times are the process's CPU time, as in bench_ingest: the machine is
 * shared, and CPU time is what a packet costs. Per-packet cost and ratio to the floor, one line
 * each, plus "floor-ns N" for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>
#include <pcap/pcap.h>

#include "decode/decode_int.h"
#include "fluxscope/capture.h"

/* Where each DNS message sits: in frame `frame` at offset `at` (or, for a message that
 * reassembly put together, in the copy at `copy`). */
struct msgs {
	uint8_t *buf;              /* copies of reassembled messages */
	size_t len, cap;
	uint32_t *frame, *mlen;
	int64_t *at;               /* >= 0: offset in the frame; < 0: -(offset in buf) - 1 */
	size_t n, ncap;
	uint64_t cur_frame;        /* while locating */
	const uint8_t *cur_data;
	uint32_t cur_len;
};

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void
locate(void *ctx, const struct dec_payload *p)
{
	struct msgs *m = ctx;

	if (m->n == m->ncap) {
		m->ncap = m->ncap ? m->ncap * 2 : 1 << 16;
		m->frame = xreallocarray(m->frame, m->ncap, sizeof *m->frame);
		m->mlen = xreallocarray(m->mlen, m->ncap, sizeof *m->mlen);
		m->at = xreallocarray(m->at, m->ncap, sizeof *m->at);
	}
	m->frame[m->n] = (uint32_t)m->cur_frame;
	m->mlen[m->n] = p->len;
	if (m->cur_data != NULL && p->data >= m->cur_data &&
	    p->data + p->len <= m->cur_data + m->cur_len) {
		m->at[m->n] = p->data - m->cur_data;
	} else {
		if (m->len + p->len > m->cap) {
			m->cap = (m->cap + p->len) * 2;
			m->buf = xrealloc(m->buf, m->cap);
		}
		memcpy(m->buf + m->len, p->data, p->len);
		m->at[m->n] = -(int64_t)m->len - 1;
		m->len += p->len;
	}
	m->n++;
}

static void
count_msg(void *ctx, const struct dns_msg *msg)
{
	uint64_t *n = ctx;
	*n += msg->n_rr;
}

/* Frames through the decoder; with a payload hook the messages are located instead of
 * parsed. Returns the number of frames. */
static uint64_t
run_decoder(const char *path, struct msgs *loc, uint64_t *entries)
{
	struct cap_source *src;
	struct cap_frame fr;
	struct fs_err err = { 0 };
	struct decoder *d = dec_new(NULL);
	uint64_t frames = 0;

	if (loc != NULL)
		dec_set_payload_hook(d, locate, loc);
	if (cap_open_file(path, &src, &err) != FS_OK) {
		fprintf(stderr, "bench_dns: %s\n", err.msg);
		exit(1);
	}
	while (cap_source_next(src, &fr, &err) == CAP_FRAME) {
		if (loc != NULL) {
			loc->cur_frame = frames;
			loc->cur_data = fr.data;
			loc->cur_len = fr.caplen;
		}
		dec_packet(d, fr.linktype, fr.ts, fr.data, fr.caplen, fr.wirelen, 0, count_msg, entries);
		frames++;
	}
	if (loc != NULL)
		loc->cur_data = NULL;
	dec_flush(d, count_msg, entries);
	cap_source_close(src);
	dec_free(d);
	return frames;
}

enum work { W_NONE, W_PARSE, W_LDNS, W_LDNS_STR };

static uint64_t
work_ldns(const uint8_t *msg, uint32_t len, bool str)
{
	ldns_pkt *p = NULL;
	uint64_t n = 0;

	if (ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK)
		return 0;
	if (!str) {
		n = ldns_pkt_ancount(p);
	} else {
		ldns_rr_list *secs[4] = { ldns_pkt_question(p), ldns_pkt_answer(p),
		                          ldns_pkt_authority(p), ldns_pkt_additional(p) };
		for (int s = 0; s < 4; s++) {
			for (size_t k = 0; k < ldns_rr_list_rr_count(secs[s]); k++) {
				char *t = ldns_rr2str(ldns_rr_list_rr(secs[s], k));
				n += t != NULL ? strlen(t) : 0;
				free(t);
			}
		}
	}
	ldns_pkt_free(p);
	return n;
}

/* A pcap read loop doing `w` for each DNS message of each frame; seconds, best of repeat. */
static double
run_loop(const char *path, const struct msgs *m, enum work w, int repeat, uint64_t *pkts,
         uint64_t *sink)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct dns_scratch sc;
	struct dns_msg dm;
	double best = 1e30;

	dns_scratch_init(&sc);
	for (int r = 0; r < repeat; r++) {
		pcap_t *pc = pcap_open_offline(path, eb);
		size_t k = 0;
		uint64_t i = 0;
		if (pc == NULL) {
			fprintf(stderr, "bench_dns: %s\n", eb);
			exit(1);
		}
		double t = now();
		for (; pcap_next_ex(pc, &h, &data) == 1; i++) {
			*sink += data[h->caplen / 2];   /* touch the packet, as any reader must */
			if (w == W_NONE)
				continue;
			for (; k < m->n && m->frame[k] == i; k++) {
				const uint8_t *msg = m->at[k] >= 0 ? data + m->at[k] : m->buf + (-m->at[k] - 1);
				if (w == W_PARSE) {
					dns_parse(&sc, msg, m->mlen[k], &dm);
					*sink += dm.n_rr;
				} else {
					*sink += work_ldns(msg, m->mlen[k], w == W_LDNS_STR);
				}
			}
		}
		t = now() - t;
		pcap_close(pc);
		*pkts = i;
		if (t < best)
			best = t;
	}
	dns_scratch_fini(&sc);
	return best;
}

static void
line(const char *key, double secs, uint64_t pkts, double floor_ns)
{
	double ns = secs * 1e9 / (double)pkts;
	printf("%-28s %8.1f ns/packet %10.0f packets/s  %6.2fx floor\n", key, ns, 1e9 / ns,
	       ns / floor_ns);
}

int
main(int argc, char **argv)
{
	struct msgs m = { 0 };
	uint64_t pkts = 0, entries = 0, sink = 0;
	int repeat;
	double t, floor_s, ingest_s, parse_s, ldns_s, str_s;

	repeat = 3;
	if (argc == 4 && strcmp(argv[1], "-r") == 0) {
		repeat = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || repeat < 1) {
		fprintf(stderr, "usage: bench_dns [-r RUNS] FILE\n");
		return 2;
	}

	run_decoder(argv[1], &m, &sink);
	floor_s = run_loop(argv[1], &m, W_NONE, repeat, &pkts, &sink);
	if (pkts == 0) {
		fprintf(stderr, "bench_dns: %s holds no packets\n", argv[1]);
		return 1;
	}
	double floor_ns = floor_s * 1e9 / (double)pkts;
	parse_s = run_loop(argv[1], &m, W_PARSE, repeat, &pkts, &sink);
	ldns_s = run_loop(argv[1], &m, W_LDNS, repeat, &pkts, &sink);
	str_s = run_loop(argv[1], &m, W_LDNS_STR, 1, &pkts, &sink);
	ingest_s = 1e30;
	for (int r = 0; r < repeat; r++) {
		entries = 0;
		t = now();
		run_decoder(argv[1], NULL, &entries);
		t = now() - t;
		if (t < ingest_s)
			ingest_s = t;
	}

	printf("capture                      %s\n", argv[1]);
	printf("packets                      %llu\n", (unsigned long long)pkts);
	printf("dns-messages                 %zu (%.3f per packet, %llu entries)\n", m.n,
	       (double)m.n / (double)pkts, (unsigned long long)entries);
	printf("floor-ns                     %.1f\n", floor_ns);
	line("pcap read loop (floor)", floor_s, pkts, floor_ns);
	line("+ dns_parse", parse_s, pkts, floor_ns);
	line("+ ldns_wire2pkt", ldns_s, pkts, floor_ns);
	line("+ ldns_wire2pkt + rr2str", str_s, pkts, floor_ns);
	line("decoder + dns_parse", ingest_s, pkts, floor_ns);
	printf("per message                  dns_parse %.1f ns, ldns_wire2pkt %.1f ns (%.1fx)\n",
	       (parse_s - floor_s) * 1e9 / (double)m.n, (ldns_s - floor_s) * 1e9 / (double)m.n,
	       (ldns_s - floor_s) / (parse_s - floor_s));
	/* keep the work observable so the compiler cannot drop it */
	if (sink == 42)
		fputc(' ', stderr);
	free(m.buf);
	free(m.frame);
	free(m.mlen);
	free(m.at);
	return 0;
}
