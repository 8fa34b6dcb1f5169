/* bench_detect: CPU time of one det_run (features, scores, guards, clusters, the time-to-flag
 * replay of flagged domains) over the store of a capture, per run and per domain.
 *
 *   bench_detect [-n RUNS] [-g DATABASE]... CAPTURE...
 * Default: 3 runs. Times are CPU time of this process (other jobs on the machine count less). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
add(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

int
main(int argc, char **argv)
{
	const char *dbs[16];
	int ndb = 0, runs = 3, c;
	struct fs_err err = { 0 };

	while ((c = getopt(argc, argv, "n:g:")) != -1) {
		if (c == 'n')
			runs = atoi(optarg);
		else if (c == 'g' && ndb < 16)
			dbs[ndb++] = optarg;
		else {
			fprintf(stderr, "usage: bench_detect [-n RUNS] [-g DATABASE]... CAPTURE...\n");
			return 2;
		}
	}
	if (optind >= argc || runs < 1) {
		fprintf(stderr, "usage: bench_detect [-n RUNS] [-g DATABASE]... CAPTURE...\n");
		return 2;
	}
	struct store *s = store_new(NULL);
	struct ingest *in = ingest_new(NULL, add, s);
	for (int i = optind; i < argc; i++)
		if (ingest_add_file(in, argv[i], &err) != FS_OK) {
			fprintf(stderr, "bench_detect: %s\n", err.msg);
			return 1;
		}
	double t0 = now_s();
	(void)ingest_run(in, NULL);
	double t_ingest = now_s() - t0;

	struct geo_config gc = { .paths = dbs, .n_paths = ndb, .no_default_search = true,
	                         .no_libloc = true, .disabled = ndb == 0 };
	struct geo *g = NULL;
	if (geo_open(&gc, &g, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	struct detector *d = NULL;
	if (det_new(NULL, g, &d, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	double best = 1e30, sum = 0;
	for (int r = 0; r < runs; r++) {
		t0 = now_s();
		det_run(d, s);
		double t = now_s() - t0;
		sum += t;
		if (t < best)
			best = t;
	}
	size_t n = det_count(d), flagged = 0;
	struct det_result buf;
	for (size_t i = 0; i < n; i++)
		flagged += det_is_flagged(det_view(d, i, &buf)->verdict);
	printf("capture ingest into the store: %.3f s CPU\n", t_ingest);
	printf("det_run over %zu domains (%zu flagged, GeoIP %s): best %.3f s, mean %.3f s of %d runs; "
	       "%.1f us per domain\n", n, flagged, ndb ? "on" : "off", best, sum / runs, runs,
	       n ? best * 1e6 / (double)n : 0.0);
	det_free(d);
	geo_free(g);
	ingest_free(in);
	store_free(s);
	return 0;
}
