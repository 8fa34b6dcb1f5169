/* bench_detect: CPU time of one det_run (features, scores, guards, clusters, the time-to-flag
 * replay of flagged domains) over the store of a capture, per run and per domain.
 *
 *   bench_detect [-n RUNS] [-g DATABASE]... CAPTURE...
 * Default: 3 runs, each from scratch (det_set_incremental off), then as many with a detector
 * that keeps what did not change, over the same store. Times are CPU time of this process
 * (other jobs on the machine count less).
 *
 *   bench_detect -i PERCENT [-s STEPS] [-g DATABASE]... CAPTURE...
 * Re-scoring as data arrives (the TUI and a live watch call det_run again and again): the
 * capture less its last STEPS×PERCENT % of messages goes into the store and is scored once,
 * then PERCENT % more at a time, each step scored by a detector that recomputes everything
 * (det_set_incremental off) and by one that keeps what did not change (the default), one
 * after the other. Both detectors are kept between steps (address caches warm, as in the
 * TUI). Times are wall-clock of the runs alone (CLOCK_MONOTONIC; the runs use the sharded
 * passes' threads), the mean over the steps and the best. The results of both are compared
 * after every step (the ranking and each result's verdict and score).
 *
 *   bench_detect -a PERCENT [-s STEPS] [-g DATABASE]... CAPTURE...
 * Re-scoring after ageing (the TUI's loader under --max-memory): the whole capture is scored
 * by a detector that keeps what it computed; then STEPS times the store is aged
 * (store_expire: the oldest PERCENT % of the observed time range more each step, nothing
 * pinned) and re-scored by a new detector (what the loader made after every ageing run until
 * the fifth session) and by the kept one, each timed (wall and CPU, as -i), their results
 * compared (verdict, score, time to flag of every domain in rank order).
 *
 *   bench_detect -m [-g DATABASE]... CAPTURE...
 * Memory of detection per domain, for the ageing budget's estimate (--max-memory counts what
 * each domain costs outside the store, src/cli/live.h): the store of the capture is scored
 * once to warm the enrichment cache and libraries, then by a new detector (incremental off:
 * the headless watch's and report's) and by one that keeps its state (incremental, run twice:
 * the TUI's two), each measured by what the heap holds after the run (mallinfo2) and by the
 * growth of peak RSS during it (VmHWM reset through /proc/self/clear_refs before it), per
 * domain; the store's domains are given by kind (store_stats.domains_bare: never an address,
 * RRset or CNAME). */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect/detect_int.h"   /* det_incr_count */
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/log.h"
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

static double
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- -m: memory per domain ------------------------------------------------------------------ */

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static long
status_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			v = atol(line + strlen(key) + 1);
	if (f != NULL)
		fclose(f);
	return v;
}

static bool
reset_hwm(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok = f != NULL && fputs("5", f) >= 0;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	return ok;
}

static int
run_memory(struct store *s, struct geo *g)
{
	struct store_stats ss;
	struct fs_err err = { 0 };
	struct detector *d = NULL;

	store_get_stats(s, &ss);
	size_t n = ss.domains, bare = ss.domains_bare;
	printf("store: %zu domains, %zu never had an address, RRset or CNAME, %zu did; %zu addresses; "
	       "%zu bytes (%.0f per domain)\n", n, bare, n - bare, ss.addrs, ss.bytes,
	       n ? (double)ss.bytes / (double)n : 0.0);
	/* warm: the enrichment cache (counted apart: per address), libpsl, the allocator */
	if (det_new(NULL, g, &d, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	det_set_incremental(d, false);
	det_run(d, s);
	det_free(d);
	for (int mode = 0; mode < 2; mode++) {
		malloc_trim(0);
		size_t h0 = heap_used();
		long rss0 = status_kb("VmRSS");
		bool hwm = reset_hwm();
		if (det_new(NULL, g, &d, &err) != FS_OK) {
			fprintf(stderr, "bench_detect: %s\n", err.msg);
			return 1;
		}
		det_set_incremental(d, mode == 1);
		det_run(d, s);
		if (mode == 1)
			det_run(d, s);   /* the kept state is made by the first, used by the second */
		size_t h1 = heap_used();
		long peak = status_kb("VmHWM");
		printf("%-34s held %10zu bytes (%7.1f per domain); peak RSS growth %s%8ld KiB (%7.1f per "
		       "domain)\n", mode ? "incremental detector (kept, 2 runs)" : "detector, incremental off",
		       h1 - h0, n ? (double)(h1 - h0) / (double)n : 0.0, hwm ? "" : "(no reset) ",
		       peak - rss0, n ? (double)(peak - rss0) * 1024.0 / (double)n : 0.0);
		det_free(d);
	}
	return 0;
}

struct incr {
	struct store *s;
	struct detector *full, *inc;
	uint64_t n, total, base, step;
	int steps, done;
	double t_full, t_inc, best_full, best_inc, first_full, first_inc, cpu_full, cpu_inc;
	size_t kept, reused;
	int mismatches;
};

static void
incr_score(struct incr *b, bool first)
{
	double w0 = wall_ms(), c0 = now_s() * 1e3;
	det_run(b->full, b->s);
	double w1 = wall_ms(), c1 = now_s() * 1e3;
	det_run(b->inc, b->s);
	double w2 = wall_ms(), c2 = now_s() * 1e3;
	if (first) {
		b->first_full = w1 - w0;
		b->first_inc = w2 - w1;
	} else {
		b->t_full += w1 - w0;
		b->t_inc += w2 - w1;
		b->cpu_full += c1 - c0;
		b->cpu_inc += c2 - c1;
		if (b->done == 0 || w1 - w0 < b->best_full)
			b->best_full = w1 - w0;
		if (b->done == 0 || w2 - w1 < b->best_inc)
			b->best_inc = w2 - w1;
		b->done++;
		size_t r = 0;
		b->kept += det_incr_count(b->inc, &r);
		b->reused += r;
	}
	if (det_count(b->full) != det_count(b->inc))
		b->mismatches++;
	for (size_t i = 0; i < det_count(b->full) && i < det_count(b->inc); i++) {
		struct det_result bx, by;
		const struct det_result *x = det_view(b->full, i, &bx), *y = det_view(b->inc, i, &by);
		if (x->dom != y->dom || x->verdict != y->verdict || x->score != y->score ||
		    x->first_flagged != y->first_flagged) {
			b->mismatches++;
			break;
		}
	}
}

static void
incr_add(void *ctx, const struct dns_msg *m)
{
	struct incr *b = ctx;
	store_add_msg(b->s, m);
	b->n++;
	if (b->n == b->base)
		incr_score(b, true);
	else if (b->n > b->base && (b->n - b->base) % b->step == 0 && b->done < b->steps)
		incr_score(b, false);
}

static void
count_msg(void *ctx, const struct dns_msg *m)
{
	(void)m;
	(*(uint64_t *)ctx)++;
}

static int
run_incremental(int argc, char **argv, double pct, int steps, struct geo *g)
{
	struct fs_err err = { 0 };
	struct incr b = { .steps = steps };
	struct ingest *in = ingest_new(NULL, count_msg, &b.total);

	for (int i = 0; i < argc; i++)
		if (ingest_add_file(in, argv[i], &err) != FS_OK) {
			fprintf(stderr, "bench_detect: %s\n", err.msg);
			return 1;
		}
	(void)ingest_run(in, NULL);
	ingest_free(in);
	b.step = (uint64_t)((double)b.total * pct / 100.0);
	if (b.step == 0 || b.step * (uint64_t)steps >= b.total) {
		fprintf(stderr, "bench_detect: %llu messages are too few for %d steps of %g%%\n",
		        (unsigned long long)b.total, steps, pct);
		return 1;
	}
	b.base = b.total - b.step * (uint64_t)steps;
	b.s = store_new(NULL);
	if (det_new(NULL, g, &b.full, &err) != FS_OK || det_new(NULL, g, &b.inc, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	det_set_incremental(b.full, false);
	in = ingest_new(NULL, incr_add, &b);
	ingest_set_threads(in, 1);   /* det_run inside the message callback: no decoding beside it */
	for (int i = 0; i < argc; i++)
		(void)ingest_add_file(in, argv[i], &err);
	(void)ingest_run(in, NULL);
	size_t n = det_count(b.inc), flagged = 0;
	struct det_result buf;
	for (size_t i = 0; i < n; i++)
		flagged += det_is_flagged(det_view(b.inc, i, &buf)->verdict);
	printf("re-scoring after each %g%% of %llu messages (%llu new), %d steps, %zu domains "
	       "(%zu flagged) at the end:\n", pct, (unsigned long long)b.total,
	       (unsigned long long)b.step, b.done, n, flagged);
	printf("  first run over %llu messages: full %.1f ms, incremental %.1f ms\n",
	       (unsigned long long)b.base, b.first_full, b.first_inc);
	printf("  features taken from the run before: %zu of %zu (%.1f%%)\n", b.reused, b.kept,
	       b.kept ? 100.0 * (double)b.reused / (double)b.kept : 0.0);
	printf("  per re-score, wall: full %.1f ms (best %.1f), incremental %.1f ms (best %.1f): "
	       "%.2fx\n", b.t_full / b.done, b.best_full, b.t_inc / b.done, b.best_inc,
	       b.t_inc > 0 ? b.t_full / b.t_inc : 0.0);
	printf("  per re-score, CPU (all threads): full %.1f ms, incremental %.1f ms: %.2fx; "
	       "results %s\n", b.cpu_full / b.done, b.cpu_inc / b.done,
	       b.cpu_inc > 0 ? b.cpu_full / b.cpu_inc : 0.0, b.mismatches ? "DIFFER" : "the same");
	det_free(b.full);
	det_free(b.inc);
	ingest_free(in);
	store_free(b.s);
	return b.mismatches ? 1 : 0;
}

static int
run_ageing(struct store *s, struct geo *g, double pct, int steps)
{
	struct fs_err err = { 0 };
	struct detector *kept = NULL;
	fs_time lo = 0, hi = 0;
	bool any = false;

	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		if (d == NULL)
			continue;
		if (!any || d->first_seen < lo)
			lo = d->first_seen;
		if (!any || d->last_seen > hi)
			hi = d->last_seen;
		any = true;
	}
	if (!any || pct * steps >= 100 || det_new(NULL, g, &kept, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: nothing to age, or %d steps of %g%% pass the range%s%s\n",
		        steps, pct, err.msg[0] ? ": " : "", err.msg);
		return 1;
	}
	det_run(kept, s);
	double t_new = 0, t_kept = 0, c_new = 0, c_kept = 0;
	size_t reused = 0, n_kept = 0;
	int mismatches = 0;
	for (int k = 1; k <= steps; k++) {
		struct detector *fresh = NULL;
		store_expire(s, lo + (fs_time)((double)(hi - lo) * pct * k / 100.0), 0);
		double w0 = wall_ms(), c0 = now_s() * 1e3;
		if (det_new(NULL, g, &fresh, &err) != FS_OK) {
			fprintf(stderr, "bench_detect: %s\n", err.msg);
			return 1;
		}
		det_run(fresh, s);
		double w1 = wall_ms(), c1 = now_s() * 1e3;
		det_run(kept, s);
		double w2 = wall_ms(), c2 = now_s() * 1e3;
		t_new += w1 - w0;
		t_kept += w2 - w1;
		c_new += c1 - c0;
		c_kept += c2 - c1;
		size_t r = 0;
		n_kept += det_incr_count(kept, &r);
		reused += r;
		if (det_count(fresh) != det_count(kept))
			mismatches++;
		for (size_t i = 0; i < det_count(fresh) && i < det_count(kept); i++) {
			struct det_result bx, by;
			const struct det_result *x = det_view(fresh, i, &bx), *y = det_view(kept, i, &by);
			if (x->dom != y->dom || x->verdict != y->verdict || x->score != y->score ||
			    x->first_flagged != y->first_flagged) {
				mismatches++;
				break;
			}
		}
		det_free(fresh);
	}
	struct store_stats ss;
	store_get_stats(s, &ss);
	printf("re-scoring after ageing, %d steps of %g%% of the time range; %zu domains left, %llu "
	       "aged out:\n", steps, pct, ss.domains, (unsigned long long)ss.expired_domains);
	printf("  features taken from the run before: %zu of %zu (%.1f%%)\n", reused, n_kept,
	       n_kept ? 100.0 * (double)reused / (double)n_kept : 0.0);
	printf("  per re-score, wall: new detector %.1f ms, kept detector %.1f ms: %.2fx\n",
	       t_new / steps, t_kept / steps, t_kept > 0 ? t_new / t_kept : 0.0);
	printf("  per re-score, CPU (all threads): new detector %.1f ms, kept detector %.1f ms: "
	       "%.2fx; results %s\n", c_new / steps, c_kept / steps, c_kept > 0 ? c_new / c_kept : 0.0,
	       mismatches ? "DIFFER" : "the same");
	det_free(kept);
	return mismatches ? 1 : 0;
}

/* The given databases only (none: enrichment off); NULL after saying why. */
static struct geo *
open_geo(const char **dbs, size_t ndb)
{
	struct geo_config gc = { .paths = dbs, .n_paths = ndb, .no_default_search = true,
	                         .no_libloc = true, .disabled = ndb == 0 };
	struct geo *g = NULL;
	struct fs_err err;

	if (geo_open(&gc, &g, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return NULL;
	}
	return g;
}

int
main(int argc, char **argv)
{
	const char *dbs[16];
	int ndb = 0, runs = 3, c, steps = 5;
	bool mem = false;
	double age_pct = 0;
	double pct = 0;
	struct fs_err err = { 0 };

	mallopt(M_MMAP_THRESHOLD, 128 * 1024);   /* as main() does */
	while ((c = getopt(argc, argv, "n:g:i:s:vma:")) != -1) {
		if (c == 'm')
			mem = true;
		else if (c == 'a')
			age_pct = atof(optarg);
		else if (c == 'v')
			(void)fs_log_open("-", &err);   /* each run's phases (detect.c) */
		else if (c == 'n')
			runs = atoi(optarg);
		else if (c == 'i')
			pct = atof(optarg);
		else if (c == 's')
			steps = atoi(optarg);
		else if (c == 'g' && ndb < 16)
			dbs[ndb++] = optarg;
		else {
			fprintf(stderr, "usage: bench_detect [-n RUNS | -i PERCENT [-s STEPS] | -a PERCENT [-s STEPS] | -m] [-g DATABASE]... CAPTURE...\n");
			return 2;
		}
	}
	if (optind >= argc || runs < 1 || pct < 0 || steps < 1) {
		fprintf(stderr, "usage: bench_detect [-n RUNS | -i PERCENT [-s STEPS] | -a PERCENT [-s STEPS] | -m] [-g DATABASE]... CAPTURE...\n");
		return 2;
	}
	if (pct > 0) {
		struct geo *g = open_geo(dbs, ndb);
		if (g == NULL)
			return 1;
		int rc = run_incremental(argc - optind, argv + optind, pct, steps, g);
		geo_free(g);
		return rc;
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

	struct geo *g = open_geo(dbs, ndb);
	if (g == NULL)
		return 1;
	if (mem || age_pct > 0) {
		int rc = mem ? run_memory(s, g) : run_ageing(s, g, age_pct, steps);
		geo_free(g);
		ingest_free(in);
		store_free(s);
		return rc;
	}
	struct detector *d = NULL;
	if (det_new(NULL, g, &d, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	/* every run from scratch (what one run costs); the incremental runs come after */
	det_set_incremental(d, false);
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
	/* a detector that keeps what it computed, run twice over the unchanged store */
	struct detector *k = NULL;
	if (det_new(NULL, g, &k, &err) != FS_OK) {
		fprintf(stderr, "bench_detect: %s\n", err.msg);
		return 1;
	}
	det_run(k, s);
	double kbest = 1e30;
	for (int r = 0; r < runs; r++) {
		t0 = now_s();
		det_run(k, s);
		double t = now_s() - t0;
		if (t < kbest)
			kbest = t;
	}
	printf("det_run again over the unchanged store, keeping what did not change (incremental): "
	       "best %.3f s of %d runs; %.1f us per domain\n", kbest, runs,
	       n ? kbest * 1e6 / (double)n : 0.0);
	det_free(k);
	det_free(d);
	geo_free(g);
	ingest_free(in);
	store_free(s);
	return 0;
}
