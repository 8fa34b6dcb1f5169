/* bench_tui: how long a keystroke takes to redraw with one million domains in the store.
 *
 * A store is filled with N synthetic domains (default 1,000,000: one to three responses each,
 * addresses from a shared pool, one domain in a hundred rotating through many addresses, NS
 * sets on some zones), scored by the detector and turned into a snapshot, as the TUI's loader
 * does. Then the real application state machine (src/ui/app.c and the views) is driven with key
 * events; each measurement is one keystroke: the handler (view-model update: cursor, sort,
 * filter, search…) plus the full render of a 120x40 canvas, everything the UI thread does for a
 * key except writing the canvas to the terminal (curses then sends only the changed cells).
 * No terminal is involved. Wall-clock milliseconds; "cold" is the first time a sort order is
 * needed after a new snapshot (it is then cached), "warm" every later time.
 *
 *   bench_tui [-n DOMAINS] [-r REPEATS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fluxscope/detect.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/loader.h"

static double
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time of this thread: what a keystroke costs, whatever else the machine runs. */
static double
cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

/* ---- the store ------------------------------------------------------------------------------ */

static void
fill_store(struct store *st, uint32_t n)
{
	static struct dns_rr rr[40];
	struct dns_msg m;
	char qname[128], ns1[128], ns2[64], zone[64];
	fs_time t0 = 1700000000LL * FS_USEC;

	store_write_lock(st);
	for (uint32_t d = 0; d < n; d++) {
		int resp = 1 + (int)(rnd() % 3);
		bool flux = d % 100 == 7;
		/* ten names per registrable domain, fifty per zone */
		snprintf(zone, sizeof zone, "zone%u.site%u.com", d / 50, d / 10);
		snprintf(qname, sizeof qname, "host%u.%s", d, zone);
		snprintf(ns1, sizeof ns1, "ns1.%s", zone);
		snprintf(ns2, sizeof ns2, "ns%u.provider%u.net", d % 3, d % 11);
		for (int k = 0; k < (flux ? 6 : resp); k++) {
			int na = flux ? 6 : 1 + (int)(rnd() % 3);
			memset(&m, 0, sizeof m);
			m.ts = t0 + (fs_time)d * 3000 + (fs_time)k * 300 * FS_USEC;
			fs_addr_parse("192.0.2.53", &m.src);
			fs_addr_parse("192.0.2.10", &m.dst);
			m.sport = 53;
			m.dport = 40000;
			m.transport = 17;
			m.qr = m.rd = m.ra = true;
			m.qname = qname;
			m.qtype = DNS_TYPE_A;
			m.qclass = 1;
			m.qdcount = 1;
			m.rr = rr;
			for (int a = 0; a < na; a++) {
				struct dns_rr *r = &rr[m.n_rr++];
				uint32_t ip = flux ? rnd() : 0x0a000000u + (d * 7 + (uint32_t)a * 13) % 400000u;
				memset(r, 0, sizeof *r);
				r->name = qname;
				r->type = DNS_TYPE_A;
				r->rclass = 1;
				r->ttl = flux ? 60 : 300 + (uint32_t)(rnd() % 3000);
				r->section = DNS_SEC_ANSWER;
				r->addr.family = 4;
				r->addr.bytes[0] = (uint8_t)(ip >> 24);
				r->addr.bytes[1] = (uint8_t)(ip >> 16);
				r->addr.bytes[2] = (uint8_t)(ip >> 8);
				r->addr.bytes[3] = (uint8_t)ip;
				r->rdlength = 4;
				m.ancount++;
			}
			if (d % 5 == 0) {
				const char *nss[2] = { ns1, ns2 };
				for (int j = 0; j < 2; j++) {
					struct dns_rr *r = &rr[m.n_rr++];
					memset(r, 0, sizeof *r);
					r->name = zone;
					r->type = DNS_TYPE_NS;
					r->rclass = 1;
					r->ttl = 3600;
					r->section = DNS_SEC_AUTHORITY;
					r->target = nss[j];
					m.nscount++;
				}
			}
			store_add_msg(st, &m);
		}
	}
	store_write_unlock(st);
}

/* ---- the feed: one snapshot ----------------------------------------------------------------- */

static struct snap *pending;
static double filter_total_ms;
static int filter_slices;
static uint32_t pending_rows;

static void
progress(void *ctx, struct app_progress *out)
{
	(void)ctx;
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "bench");
}

static struct snap *
take(void *ctx)
{
	struct snap *s = pending;
	(void)ctx;
	pending = NULL;
	return s;
}

static void
release(void *ctx, struct snap *s)
{
	(void)ctx;
	snap_free(s);
}

static const struct app_feed_ops feed = { .progress = progress, .take = take, .release = release };

/* ---- measuring -------------------------------------------------------------------------------- */

struct result {
	char what[64];
	double ms[64];             /* wall clock */
	double cpu[64];            /* thread CPU */
	int n;
};
static double last_cpu;      /* CPU ms of the last key() */

static struct result res[64];
static int nres;
static struct app app;
static struct ui_canvas canvas;

static double
key(ui_key k)
{
	struct ui_event ev = { .type = UI_EV_KEY, .key = k };
	double t = now_ms(), c = cpu_ms();
	app_event(&app, &ev);
	app_draw(&app, &canvas);
	last_cpu = cpu_ms() - c;
	return now_ms() - t;
}

static struct result *
result(const char *what)
{
	for (int i = 0; i < nres; i++)
		if (strcmp(res[i].what, what) == 0)
			return &res[i];
	snprintf(res[nres].what, sizeof res[nres].what, "%s", what);
	return &res[nres++];
}

static void
record(const char *what, double ms)
{
	struct result *r = result(what);
	if (r->n < 64) {
		r->cpu[r->n] = last_cpu;
		r->ms[r->n++] = ms;
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
keys(const char *what, const char *s)
{
	for (; *s != '\0'; s++) {
		double ms = key((ui_key)(unsigned char)*s);
		if (what[0] != '\0')
			record(what, ms);
	}
}

int
main(int argc, char **argv)
{
	uint32_t n = 1000000;
	int reps = 9, opt;
	struct store *st;
	struct detector *det;
	struct fs_err err = { 0 };
	struct det_config dc = { 0 };
	struct app_config cfg = { 0 };
	const char *dirs[] = { "themes" };
	double t, worst = 0, worst_wall = 0;
	const char *worst_what = "";

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 'r')
			reps = atoi(optarg);
		else {
			fprintf(stderr, "usage: bench_tui [-n DOMAINS] [-r REPEATS]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > 60)
		reps = 9;

	t = now_ms();
	st = store_new(NULL);
	fill_store(st, n);
	printf("store: %zu domains, %zu addresses, filled in %.0f ms\n", store_domain_count(st),
	       store_addr_count(st), now_ms() - t);
	if (det_new(&dc, NULL, &det, &err) != FS_OK) {
		fprintf(stderr, "bench_tui: %s\n", err.msg);
		return 1;
	}
	t = now_ms();
	det_run(det, st);
	printf("detection (det_run, no GeoIP): %.0f ms  [loader thread, not a keystroke]\n", now_ms() - t);
	t = now_ms();
	pending = loader_build_snap(st, det);
	pending_rows = pending->dom.n;
	printf("snapshot build (%u rows, names ranked, %u registrable groups): %.0f ms  [loader thread]\n",
	       pending->dom.n, pending->grp.n, now_ms() - t);
	t = now_ms();
	snap_prepare_orders(&pending->dom);
	snap_prepare_orders(&pending->grp);
	printf("sort orders of every column for the final snapshot: %.0f ms  [loader thread]\n", now_ms() - t);
	printf("flagged domains: %u\n\n", pending->n_flagged);

	cfg.theme_dirs = dirs;
	cfg.n_theme_dirs = 1;
	cfg.store = st;
	cfg.home_all = true;   /* the home list shows all N rows: the worst case */
	app_init(&app, &cfg, &feed, NULL);
	app.filter = &query_filter_ops;
	app_resize(&app, 120, 40);
	canvas_init(&canvas, 120, 40);
	t = now_ms();
	{
		double c0 = cpu_ms();
		app_tick(&app);        /* takes the snapshot (its score order made by the loader) */
		app_draw(&app, &canvas);
		last_cpu = cpu_ms() - c0;
	}
	record("first draw: take the snapshot", now_ms() - t);

	for (int r = 0; r < reps; r++) {
		keys("j (down)", "j");
		keys("k (up)", "k");
		record("PgDn", key(KEYC_NPAGE));
		record("PgUp", key(KEYC_PPAGE));
		keys("G (last row)", "G");
		keys("g (first row)", "g");
	}
	/* Every sortable column: the first time (order made by the loader), then again. */
	for (int c = 0; c < SNAP_COL_COUNT - 1; c++)
		record("s (sort by next column, first time)", key('s'));
	for (int r = 0; r < reps; r++)
		for (int c = 0; c < SNAP_COL_COUNT - 2; c++)
			record("s (sort by next column, again)", key('s'));
	record("S (reverse order, first time: O(n) pass)", key('S'));
	for (int r = 0; r < reps; r++)
		record("S (reverse order, again)", key('S'));
	for (int r = 0; r < reps; r++) {
		keys("a (all / flagged only)", "a");
		keys("a (all / flagged only)", "a");
	}
	record("r (group by registrable domain, cold)", key('r'));
	record("r (back to one row per name)", key('r'));
	for (int r = 0; r < reps; r++) {
		keys("r (group by registrable domain, warm)", "r");
		keys("r (back to one row per name)", "r");
	}
	keys("", ":sort score\r");
	/* Incremental search for a name near the end of the list, then one that matches nothing:
	 * every keystroke scans from the cursor. */
	{
		char target[64];
		snprintf(target, sizeof target, "host%u.", n - 3);
		keys("/ (open the search prompt)", "/");
		keys("search: type a character (match near the end)", target);
		if (strstr(app.prompt.label, "no match") != NULL) {
			fprintf(stderr, "bench_tui: the search for %s found nothing\n", target);
			return 1;
		}
		keys("search: Enter", "\r");
		for (int r = 0; r < reps; r++)
			keys("n (next match)", "n");
		keys("/ (open the search prompt)", "/");
		keys("search: type a character (no match: full scan)", "zq9");
		record("search: Esc (back to the origin)", key(0x1b));
	}
	/* Filters in the query language over every row. */
	for (int r = 0; r < 3; r++) {
		keys("f (open the filter prompt)", "f");
		keys("filter: type a character", "score>=20");
		record("filter: Enter (starts the filter)", key('\r'));
		if (view_list_filter(app_top(&app))[0] == '\0') {
			fprintf(stderr, "bench_tui: the filter did not apply: %s\n", app.msg);
			return 1;
		}
		/* The filter runs in slices of at most 25 ms between keys (the loop's budget). */
		{
			double t0 = now_ms();
			int slices = 0;
			while (app_busy(&app)) {
				double c0 = cpu_ms();
				t = now_ms();
				app_work(&app, APP_SLICE_MS);
				app_draw(&app, &canvas);
				last_cpu = cpu_ms() - c0;
				record("filter: one slice between keys (work + render)", now_ms() - t);
				slices++;
			}
			fprintf(stderr, "filter over every row: done in %.0f ms, %d slices\n", now_ms() - t0, slices);
			filter_total_ms = now_ms() - t0;
			filter_slices = slices;
		}
		record("F (clear the filter)", key('F'));
	}
	/* The detail of a domain and its tabs. */
	keys("g (first row)", "g");
	for (int r = 0; r < reps; r++) {
		record("Enter (open the domain detail)", key('\r'));
		for (int tb = 2; tb <= 5; tb++)
			record("1-5 (switch detail tab)", key((ui_key)('0' + tb)));
		record("Esc (back to the list)", key(0x1b));
	}
	for (int r = 0; r < reps; r++) {
		struct ui_event ev = { .type = UI_EV_RESIZE, .w = r % 2 ? 120 : 80, .h = r % 2 ? 40 : 24 };
		double c0 = cpu_ms();
		t = now_ms();
		app_event(&app, &ev);
		app_draw(&app, &canvas);
		last_cpu = cpu_ms() - c0;
		record("resize (120x40 <-> 80x24)", now_ms() - t);
	}
	for (int r = 0; r < 3; r++) {
		keys(":theme light (prompt + Enter)", ":theme light\r");
		keys(":theme light (prompt + Enter)", ":theme dark\r");
	}

	printf("%u rows; %-40s %5s | %-24s | %s\n", pending_rows, "keystroke (handler + canvas render)", "n",
	       "  CPU ms: median p95 max", "wall ms: median max");
	for (int i = 0; i < nres; i++) {
		struct result *r = &res[i];
		double cpu[64];
		memcpy(cpu, r->cpu, sizeof cpu);
		qsort(r->ms, (size_t)r->n, sizeof r->ms[0], cmp_d);
		qsort(cpu, (size_t)r->n, sizeof cpu[0], cmp_d);
		int p95 = (r->n * 95) / 100 < r->n ? (r->n * 95) / 100 : r->n - 1;
		printf("%-52s %5d | %8.2f %6.2f %8.2f | %8.2f %8.2f%s\n", r->what, r->n, cpu[r->n / 2], cpu[p95],
		       cpu[r->n - 1], r->ms[r->n / 2], r->ms[r->n - 1], cpu[r->n - 1] >= 50 ? "  over 50 ms" : "");
		if (strncmp(r->what, "first draw", 10) != 0 && cpu[r->n - 1] > worst) {
			worst = cpu[r->n - 1];
			worst_what = r->what;
		}
		if (strncmp(r->what, "first draw", 10) != 0 && r->ms[r->n - 1] > worst_wall)
			worst_wall = r->ms[r->n - 1];
	}
	printf("\nslowest keystroke: %.1f ms of CPU (%s); target < 50 ms: %s\n", worst, worst_what,
	       worst < 50 ? "met" : "NOT met");
	printf("slowest wall-clock time of a keystroke: %.1f ms (other jobs on the machine count here)\n",
	       worst_wall);
	printf("a filter over every row (score>=20) completes in %.0f ms of slices (%d), keys served between them\n",
	       filter_total_ms, filter_slices);

	/* While a capture loads, snapshots are not prepared: the first sort by a column then runs
	 * on the UI thread. Measured on a fresh snapshot. */
	pending = loader_build_snap(st, det);
	app_tick(&app);
	keys("", ":sort score\r");
	for (int c = 0; c < SNAP_COL_COUNT - 1; c++) {
		double w = key('s');
		record("s during loading (order not prepared)", w);
	}
	{
		struct result *r = result("s during loading (order not prepared)");
		double cpu[64];
		memcpy(cpu, r->cpu, sizeof cpu);
		qsort(cpu, (size_t)r->n, sizeof cpu[0], cmp_d);
		printf("while loading, the first sort by a column (not prepared yet): CPU median %.1f ms, max %.1f ms\n",
		       cpu[r->n / 2], cpu[r->n - 1]);
	}
	app_fini(&app);
	canvas_fini(&canvas);
	det_free(det);
	store_free(st);
	return 0;
}
