/* Live capture on the command line: -D, privilege drop, the headless run with --duration and
 * signals, the store writer with --max-memory ageing, and the live lines of --stats. */
#include "cli/live.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/geo_cli.h"
#include "cli/pipeline.h"
#include "fluxscope/detect.h"
#include "fluxscope/priv.h"

/* ---- -D ---------------------------------------------------------------------------------------- */

int
cli_list_ifaces(const struct opts *o)
{
	struct cap_iface *v;
	size_t n;
	struct fs_err err = { 0 };

	(void)o;
	if (cap_list_ifaces(&v, &n, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	if (n == 0)
		fprintf(stderr, "fluxscope: no capture interface found (capturing may need root or the "
		        "CAP_NET_RAW and CAP_NET_ADMIN capabilities)\n");
	for (size_t i = 0; i < n; i++) {
		char flags[128] = "";
		size_t len = 0;
		static const struct { unsigned f; const char *s; } names[] = {
			{ CAP_IF_UP, "Up" }, { CAP_IF_RUNNING, "Running" }, { CAP_IF_LOOPBACK, "Loopback" },
			{ CAP_IF_WIRELESS, "Wireless" }, { CAP_IF_CONNECTED, "Connected" },
			{ CAP_IF_DISCONNECTED, "Disconnected" },
		};
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
			if (v[i].flags & names[k].f)
				len += (size_t)snprintf(flags + len, sizeof flags - len, "%s%s", len ? ", " : "",
				                        names[k].s);
		printf("%zu.%s", i + 1, v[i].name);
		if (v[i].description != NULL)
			printf(" (%s)", v[i].description);
		printf(" [%s]", flags);
		for (int k = 0; k < v[i].n_addrs; k++)
			printf("%s%s", k ? ", " : " ", v[i].addrs[k]);
		putchar('\n');
	}
	cap_ifaces_free(v, n);
	fflush(stdout);
	return 0;
}

/* ---- the store writer ---------------------------------------------------------------------------- */

fs_status
cli_live_budget(const struct opts *o, size_t mapped, size_t *out, struct fs_err *err)
{
	long bufs = 0, dbs = (long)((mapped + ((size_t)1 << 20) - 1) >> 20), fixed;
	char what[256];
	int n;

	*out = 0;
	if (o->max_memory_mb <= 0)
		return FS_OK;
	if (o->iface != NULL)
		bufs = 2L * (o->buffer_mb > 0 ? o->buffer_mb : 32);
	if (o->n_dnstap > 0)   /* the hand-off ring, and a frame buffer per connected resolver */
		bufs += (o->buffer_mb > 0 ? o->buffer_mb : 32) + 17;
	fixed = CLI_BASELINE_MB + bufs + dbs;
	if (o->max_memory_mb >= fixed + 16) {
		*out = (size_t)(o->max_memory_mb - fixed) << 20;
		return FS_OK;
	}
	n = snprintf(what, sizeof what, "the program takes about %d MiB", CLI_BASELINE_MB);
	if (dbs > 0)
		n += snprintf(what + n, sizeof what - (size_t)n, ", its GeoIP databases %ld MiB (mapped "
		              "into memory as they are read)", dbs);
	if (bufs > 0)
		n += snprintf(what + n, sizeof what - (size_t)n, ", the capture buffers %ld MiB (-B %d, "
		              "twice)", bufs, o->buffer_mb > 0 ? o->buffer_mb : 32);
	return fs_err_set(err, FS_E_ARG, "option --max-memory %d is too small: %s, so give at least "
	                  "%ld%s%s", o->max_memory_mb, what, fixed + 16,
	                  dbs > 0 ? " or --no-geoip" : "", bufs > 0 ? " or a smaller -B" : "");
}

fs_status
cli_live_init(struct cli_live *cl, const struct opts *o, struct store *store, bool score,
              struct geo *det_geo, size_t mapped, watch_flagged_fn flagged, void *flagged_ctx,
              struct fs_err *err)
{
	fs_status st;
	size_t budget;
	size_t per_addr = det_geo != NULL && geo_enabled(det_geo) ? CLI_GEO_BYTES_PER_ADDR : 0;

	memset(cl, 0, sizeof *cl);
	cl->store = store;
	if ((st = cli_live_budget(o, mapped, &budget, err)) != FS_OK || budget == 0)
		return st;
	cl->geo = det_geo;
	if (score) {
		/* headless: a detector for each run, with the options' files (read at the start,
		 * so they are readable), holds results for every domain while it runs; so does
		 * the report's at the end */
		cl->dc = (struct det_config){
			.weights_path = o->weights,
			.allowlists = o->allowlist, .n_allowlists = o->n_allowlist,
			.intel = o->intel, .n_intel = o->n_intel,
		};
		struct watch_config wc = { .budget = budget, .det_cfg = &cl->dc, .det_geo = det_geo,
		                           .extra_per_domain = CLI_DET_BYTES_PER_DOMAIN,
		                           .extra_per_bare_domain = CLI_DET_BYTES_PER_BARE_DOMAIN,
		                           .extra_per_addr = per_addr };
		cl->watch = watch_new(store, NULL, &wc);
		return FS_OK;
	}
	/* The TUI: the pins come from the loader's latest detection results (it scores all the
	 * time anyway); what each domain costs beyond the store: the results of its two
	 * detectors and a row in each of the two snapshots (the one shown, the one being built).
	 * The loader bounds its detectors' enrichment cache itself. */
	struct watch_config wc = { .budget = budget, .flagged = flagged, .flagged_ctx = flagged_ctx,
	                           .extra_per_domain = 2 * CLI_DET_BYTES_PER_DOMAIN + 2 * 256,
	                           .extra_per_bare_domain = 2 * CLI_DET_BYTES_PER_BARE_DOMAIN + 2 * 256,
	                           .extra_per_addr = per_addr };
	cl->geo = NULL;
	cl->watch = watch_new(store, NULL, &wc);
	return FS_OK;
}

void
cli_live_fini(struct cli_live *cl)
{
	watch_free(cl->watch);
	memset(cl, 0, sizeof *cl);
}

void
cli_live_msg(void *ctx, const struct dns_msg *msg)
{
	struct cli_live *cl = ctx;

	/* One message per lock: the UI and the detection worker read between any two, and the
	 * capture thread never waits for either (the hand-off ring absorbs the pauses). The
	 * ageing check runs outside the lock: a run takes the locks it needs, step by step. */
	store_write_lock(cl->store);
	store_add_msg(cl->store, msg);
	store_write_unlock(cl->store);
	if (cl->watch != NULL && watch_tick(cl->watch) && cl->geo != NULL) {
		/* The detector's enrichment cache: no more than the addresses the store still
		 * holds (this thread runs the detector of the headless modes, which holds no
		 * geo_info between passes). */
		struct store_stats ss;
		store_get_stats(cl->store, &ss);
		geo_cache_trim(cl->geo, ss.addrs * CLI_GEO_BYTES_PER_ADDR + ((size_t)1 << 20));
	}
}

/* ---- privilege drop ------------------------------------------------------------------------------ */

static bool
has_live(struct ingest *in)
{
	struct cap_stats cs;

	for (int i = 0; i < ingest_n_sources(in); i++) {
		ingest_source_stats(in, i, &cs);
		if (cs.live)
			return true;
	}
	return false;
}

fs_status
cli_live_drop(const struct opts *o, struct ingest *in, struct fs_err *err)
{
	struct priv_plan plan;
	fs_status st;

	if (!has_live(in))
		return FS_OK;
	if ((st = priv_plan_make(o->user, geteuid(), &plan, err)) != FS_OK)
		return st;
	for (int i = 0; i < ingest_n_sources(in) && plan.switch_user; i++)
		if ((st = cap_live_set_owner(ingest_source(in, i), plan.uid, plan.gid, err)) != FS_OK)
			return st;
	if ((st = priv_drop(&plan, err)) != FS_OK)
		return st;
	for (int i = 0; i < ingest_n_sources(in); i++)
		if ((st = cap_live_ready(ingest_source(in, i), err)) != FS_OK)
			return st;
	return FS_OK;
}

/* ---- the headless run ------------------------------------------------------------------------------ */

static volatile sig_atomic_t got_signal;
static bool signalled;

static void
on_signal(int sig)
{
	/* Only a flag: the main thread turns it into ingest_stop(). A second signal means "now". */
	if (got_signal != 0)
		_exit(128 + sig);
	got_signal = sig;
}

bool
cli_live_signalled(void)
{
	return signalled;
}

static double
mono_s(void)
{
	return fs_mono_ms() / 1e3;
}

fs_status
cli_ingest_run(const struct opts *o, struct ingest *in, struct fs_err *err)
{
	struct sigaction sa, old_int, old_term;
	struct ingest_progress p;
	fs_status st;
	double end;

	double t0 = fs_mono_ms();
	if (!has_live(in)) {
		st = ingest_run(in, err);
		cli_log_ingest(in, fs_mono_ms() - t0);
		return st;
	}
	if ((st = cli_live_drop(o, in, err)) != FS_OK)
		return st;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	got_signal = 0;
	/* From here on every frame is captured: scripts may wait for this line. */
	for (int i = 0; i < ingest_n_sources(in); i++) {
		char line[512];
		cap_live_describe(ingest_source(in, i), line, sizeof line);
		if (line[0] != '\0')
			fprintf(stderr, "fluxscope: %s\n", line);
	}
	fflush(stderr);
	if ((st = ingest_start(in, err)) != FS_OK)
		goto out;
	end = o->duration > 0 ? mono_s() + o->duration : 0;
	for (;;) {
		struct timespec nap = { 0, 50 * 1000000L };
		if (got_signal != 0) {
			signalled = true;
			break;
		}
		ingest_progress(in, &p);
		if (p.finished || (end > 0 && mono_s() >= end))
			break;
		nanosleep(&nap, NULL);   /* a signal cuts it short */
	}
	ingest_stop(in);
	st = ingest_wait(in, err);
	cli_log_ingest(in, fs_mono_ms() - t0);
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return st;
}

/* ---- --stats ------------------------------------------------------------------------------------------ */

#define KV(k, v) fprintf(out, "%-28s %llu\n", k, (unsigned long long)(v))

static void
print_capture(FILE *out, struct ingest *in)
{
	struct ingest_progress p;
	struct cap_stats cs;
	char msg[512];
	uint64_t written = 0, files = 0;
	bool any = false;

	for (int i = 0; i < ingest_n_sources(in); i++) {
		ingest_source_stats(in, i, &cs);
		if (!cs.live)
			continue;
		any = true;
		written += cs.written;
		files += cs.files_written;
		cap_live_write_error(ingest_source(in, i), msg, sizeof msg);
		if (msg[0] != '\0')
			fprintf(out, "%-28s %s\n", "write-error", msg);
	}
	if (!any)
		return;
	ingest_progress(in, &p);
	fprintf(out, "%-28s %.3f\n", "capture-seconds", p.elapsed_s);
	fprintf(out, "%-28s %.1f\n", "packets-per-second",
	        p.elapsed_s > 0 ? (double)p.frames / p.elapsed_s : 0.0);
	fprintf(out, "%-28s %.1f\n", "dns-messages-per-second",
	        p.elapsed_s > 0 ? (double)p.messages / p.elapsed_s : 0.0);
	KV("kernel-drops", p.kernel_drops);
	KV("interface-drops", p.iface_drops);
	KV("app-drops", p.app_drops);
	KV("drops", p.kernel_drops + p.iface_drops + p.app_drops);
	if (files > 0) {
		KV("written-packets", written);
		KV("written-files", files);
	}
	/* dnstap: one line per resolver connection, kept after it disconnects */
	for (int i = 0; i < ingest_n_sources(in); i++) {
		struct cap_source *s = ingest_source(in, i);
		struct cap_feed_info fi[64];
		size_t nf = cap_dnstap_feeds(s, fi, 64);
		if (!cap_is_dnstap(s))
			continue;
		KV("dnstap-feeds", nf);
		KV("dnstap-refused", cap_dnstap_refused(s));
		for (size_t k = 0; k < nf; k++)
			fprintf(out, "%-28s %s identity=%s peer=%s %s messages=%llu rate=%.1f/s errors=%llu "
			        "drops=%llu connects=%llu disconnects=%llu\n", "dnstap-feed", fi[k].listener,
			        fi[k].identity[0] ? fi[k].identity : "-", fi[k].peer,
			        fi[k].connected ? "connected" : "disconnected",
			        (unsigned long long)fi[k].messages, fi[k].rate,
			        (unsigned long long)fi[k].errors, (unsigned long long)fi[k].drops,
			        (unsigned long long)fi[k].connects, (unsigned long long)fi[k].disconnects);
	}
}

static void
print_ageing(FILE *out, const struct cli_live *cl)
{
	struct watch_stats ws;
	struct store_stats ss;

	watch_get_stats(cl->watch, &ws);
	store_get_stats(cl->store, &ss);
	KV("store-budget-bytes", ws.budget);
	KV("store-bytes", ss.bytes);
	KV("store-domains", ss.domains);
	KV("store-domains-bare", ss.domains_bare);
	KV("ageing-domain-bytes", ws.extra_per_domain);
	KV("ageing-bare-domain-bytes", ws.extra_per_bare_domain);
	KV("ageing-runs", ws.runs);
	KV("ageing-over-budget", ws.over_budget);
	KV("pinned-flagged", ws.pinned_now);
	KV("expired-domains", ss.expired_domains);
	KV("expired-responses", ss.expired_responses);
	fprintf(out, "%-28s %.1f\n", "ageing-ms-max", ws.max_ms);
	fprintf(out, "%-28s %.1f\n", "ageing-ms-total", ws.total_ms);
	fprintf(out, "%-28s %.1f\n", "ageing-detect-ms-max", ws.det_ms_max);
	fprintf(out, "%-28s %.1f\n", "ageing-lock-ms-max", ws.lock_ms_max);
	KV("ageing-steps", ws.steps);
}

void
cli_live_print_stats(FILE *out, struct ingest *in, struct cli_live *cl)
{
	print_capture(out, in);
	if (cl != NULL && cl->watch != NULL)
		print_ageing(out, cl);
}
