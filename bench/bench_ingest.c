/* Ingest cost per packet over one capture: a bare libpcap read loop (the floor) against
 * fluxscope's capture source, the packet path without DNS parsing, the full decode
 * (dec_packet with dns_parse) and the ingest driver. Each line is the best of R runs over the
 * same file (warm page cache); ratios are to the floor. Times are the process's CPU time
 * (user + system), not wall time: the machine is shared, and CPU time is what a packet costs.
 *
 * usage: bench_ingest [-r RUNS] FILE.pcap */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode_int.h"
#include "fluxscope/capture.h"
#include "fluxscope/ingest.h"

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t sink;

static uint64_t
run_floor(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);

	if (p == NULL) {
		fprintf(stderr, "bench_ingest: %s\n", errbuf);
		exit(1);
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		sink += d[h->caplen / 2];   /* touch the packet, as any reader must */
		n++;
	}
	pcap_close(p);
	return n;
}

static uint64_t
run_source(const char *path)
{
	struct cap_source *s;
	struct cap_frame f;
	struct fs_err err;
	uint64_t n = 0;

	if (cap_open_file(path, &s, &err) != FS_OK) {
		fprintf(stderr, "bench_ingest: %s\n", err.msg);
		exit(1);
	}
	while (cap_source_next(s, &f, &err) == CAP_FRAME) {
		sink += f.data[f.caplen / 2];
		n++;
	}
	cap_source_close(s);
	return n;
}

static void
count_payload(void *ctx, const struct dec_payload *p)
{
	(void)ctx;
	sink += p->len;
}

static void
count_msg(void *ctx, const struct dns_msg *m)
{
	(void)ctx;
	sink += m->n_rr;
}

static uint64_t msgs_seen;

static uint64_t
run_decode(const char *path, bool parse)
{
	struct cap_source *s;
	struct cap_frame f;
	struct fs_err err;
	uint64_t n = 0;
	struct decoder *d = dec_new(NULL);

	if (!parse)
		dec_set_payload_hook(d, count_payload, NULL);
	if (cap_open_file(path, &s, &err) != FS_OK) {
		fprintf(stderr, "bench_ingest: %s\n", err.msg);
		exit(1);
	}
	while (cap_source_next(s, &f, &err) == CAP_FRAME) {
		dec_packet(d, f.linktype, f.ts, f.data, f.caplen, f.wirelen, 0, count_msg, NULL);
		n++;
	}
	dec_flush(d, count_msg, NULL);
	msgs_seen = dec_stats(d)->dns_messages;
	cap_source_close(s);
	dec_free(d);
	return n;
}

static uint64_t
run_ingest(const char *path)
{
	struct fs_err err;
	struct ingest_progress pr;
	struct ingest *in = ingest_new(NULL, count_msg, NULL);

	if (ingest_add_file(in, path, &err) != FS_OK || ingest_run(in, &err) != FS_OK) {
		fprintf(stderr, "bench_ingest: %s\n", err.msg);
		exit(1);
	}
	ingest_progress(in, &pr);
	ingest_free(in);
	return pr.frames;
}

enum which { W_FLOOR, W_SOURCE, W_PATH, W_DECODE, W_INGEST };

static double
best(enum which w, const char *path, int runs, uint64_t *pkts)
{
	double b = 1e30;
	for (int i = 0; i < runs; i++) {
		double t0 = now_s();
		switch (w) {
		case W_FLOOR: *pkts = run_floor(path); break;
		case W_SOURCE: *pkts = run_source(path); break;
		case W_PATH: *pkts = run_decode(path, false); break;
		case W_DECODE: *pkts = run_decode(path, true); break;
		case W_INGEST: *pkts = run_ingest(path); break;
		}
		double t = now_s() - t0;
		if (t < b)
			b = t;
	}
	return b;
}

int
main(int argc, char **argv)
{
	int runs = 3, c;
	uint64_t pkts = 0;
	static const char *label[] = {
		"libpcap read loop (floor)",
		"capture source (cap_open_file)",
		"decode: link/IP/UDP/TCP only",
		"decode: + DNS parse (dec_packet)",
		"ingest driver (sync, no sink)",
	};

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c == 'r')
			runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_ingest [-r RUNS] FILE.pcap\n");
		return 2;
	}
	const char *path = argv[optind];
	(void)run_floor(path);   /* warm the page cache */
	double t[5];
	for (int w = 0; w < 5; w++)
		t[w] = best((enum which)w, path, runs, &pkts);
	printf("%llu packets, %llu DNS messages, best of %d runs, CPU time\n", (unsigned long long)pkts,
	       (unsigned long long)msgs_seen, runs);
	printf("%-36s %10s %12s %8s\n", "", "ns/packet", "packets/s", "ratio");
	for (int w = 0; w < 5; w++)
		printf("%-36s %10.1f %12.0f %7.2fx\n", label[w], t[w] * 1e9 / (double)pkts,
		       (double)pkts / t[w], t[w] / t[0]);
	return sink == 42 ? 1 : 0;   /* keep the compiler from dropping the loops */
}
