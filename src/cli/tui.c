/* TUI mode: open the inputs, the store, the enrichment databases and the detectors, then hand
 * them to the loader (threads) and the UI loop. Everything that can fail on the user's input
 * fails here, with one sentence on stderr, before the screen is taken. */
#include "cli/tui.h"
#include "cli/probe_cmd.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/geo_cli.h"
#include "cli/live.h"
#include "cli/pipeline.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/loader.h"
#include "ui/probe_ui.h"
#include "ui/prompt.h"
#include "ui/session_ui.h"
#include "fluxscope/bgwrite.h"

#define MAX_DIRS 8

/* Where NAME.theme is looked for, in order: $FLUXSCOPE_THEMES, the user's config folder, the
 * themes/ folder next to the binary or above it (a source tree: ./fluxscope or build/fluxscope)
 * or in ../share/fluxscope/themes (an install), and ./themes. */
static int
theme_dirs(char dirs[MAX_DIRS][PATH_MAX])
{
	const char *env = getenv("FLUXSCOPE_THEMES"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;

	if (env != NULL && env[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%s", env);
	if (xdg != NULL && xdg[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%.*s/fluxscope/themes", PATH_MAX - 20, xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%.*s/.config/fluxscope/themes", PATH_MAX - 30, home);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(dirs[k++], PATH_MAX, "%.*s/themes", PATH_MAX - 8, exe);
			snprintf(dirs[k++], PATH_MAX, "%.*s/../themes", PATH_MAX - 11, exe);
			snprintf(dirs[k++], PATH_MAX, "%.*s/../share/fluxscope/themes", PATH_MAX - 28, exe);
		}
	}
	snprintf(dirs[k++], PATH_MAX, "themes");
	return k;
}

static fs_status
open_detectors(const struct opts *o, struct geo *geo, struct det_config *dc, struct detector *det[2],
               struct fs_err *err)
{
	fs_status st;

	memset(dc, 0, sizeof *dc);
	dc->weights_path = o->weights;
	dc->allowlists = o->allowlist;
	dc->n_allowlists = o->n_allowlist;
	dc->intel = o->intel;
	dc->n_intel = o->n_intel;
	det[0] = det[1] = NULL;
	/* Two detectors with one configuration take turns: the UI reads one while the other
	 * scores newer data. */
	if ((st = det_new(dc, geo, &det[0], err)) != FS_OK)
		return st;
	if ((st = det_new(dc, geo, &det[1], err)) != FS_OK) {
		det_free(det[0]);
		det[0] = NULL;
	}
	return st;
}

/* For make bench (scripts/bench-live.sh): with FLUXSCOPE_UI_STATS=FILE, the UI thread's waits
 * on the store lock (app.h) and the ageing runs, as "key value" lines, written at the end. */
static void
write_ui_stats(struct cli_live *live)
{
	const char *path = getenv("FLUXSCOPE_UI_STATS");
	struct app_lock_stats ls;
	FILE *f;

	if (path == NULL || path[0] == '\0' || (f = fopen(path, "w")) == NULL)
		return;
	app_lock_stats(&ls);
	fprintf(f, "ui-lock-tries %llu\nui-lock-busy %llu\nui-lock-wait-ms-max %.1f\n"
	        "ui-lock-wait-ms-total %.1f\nui-updating-ms-max %.1f\n",
	        (unsigned long long)ls.tries, (unsigned long long)ls.busy, ls.max_wait_ms,
	        ls.total_wait_ms, ls.max_stale_ms);
	fprintf(f, "ui-keys %llu\nui-key-ms-max %.1f\n", (unsigned long long)ls.keys, ls.max_key_ms);
	if (live->watch != NULL) {
		struct watch_stats ws;
		watch_get_stats(live->watch, &ws);
		fprintf(f, "ageing-runs %llu\nageing-steps %llu\nageing-ms-max %.1f\n"
		        "ageing-lock-ms-max %.1f\n", (unsigned long long)ws.runs,
		        (unsigned long long)ws.steps, ws.max_ms, ws.lock_ms_max);
	}
	fclose(f);
}

/* The status bar's name for the input. */
static void
source_label(const struct opts *o, struct ingest *in, char *source, size_t len)
{
	if (o->iface != NULL)
		snprintf(source, len, "%s", o->iface);
	else if (o->source != NULL)   /* ClickHouse window: the source's own label */
		snprintf(source, len, "%s", ingest_source_name(in, 0));
	else if (o->n_dnstap > 0)
		snprintf(source, len, "dnstap %s", o->dnstap[0]);
	else if (o->n_files == 0)     /* --probe NAME alone */
		snprintf(source, len, "probe %s", o->probe != NULL ? o->probe : "");
	else if (o->n_files == 1)
		snprintf(source, len, "%s", o->files[0]);
	else
		snprintf(source, len, "%s +%d", o->files[0], o->n_files - 1);
}

/* The UI's configuration: themes, colours, the store and the UI's geo handle, the capture
 * files a Timeline row's packet comes from. dirs and dbs hold what cfg points to. */
static void
ui_config(const struct opts *o, struct store *store, struct geo *geo_ui, struct app_config *cfg,
          const char *dirs[MAX_DIRS], char *dbs, size_t dbs_len)
{
	static char dirbuf[MAX_DIRS][PATH_MAX];
	const char *nc = getenv("NO_COLOR");
	int nd = theme_dirs(dirbuf);

	for (int i = 0; i < nd; i++)
		dirs[i] = dirbuf[i];
	memset(cfg, 0, sizeof *cfg);
	cfg->theme_dirs = dirs;
	cfg->n_theme_dirs = nd;
	cfg->no_color = nc != NULL && nc[0] != '\0';
	cfg->theme = o->theme != NULL ? o->theme : cfg->no_color ? "mono" : NULL;
	cfg->store = store;
	cfg->geo = geo_ui;
	if (o->iface == NULL && o->source == NULL) {   /* files: a Timeline row's packet */
		cfg->sources = (const char *const *)o->files;
		cfg->n_sources = o->n_files;
	}
	cfg->tshark = getenv("FLUXSCOPE_TSHARK");
	cfg->db_names = geo_describe_short(geo_ui, dbs, dbs_len);
	for (int i = 0; i < geo_db_count(geo_ui); i++)
		cfg->db_stale |= geo_db(geo_ui, i)->stale;
}

/* The session: reopened (--session, state restored once rows arrive), or this run's own
 * (returned in *own, the caller frees it), which :save PATH writes and keeps saving.
 * --filter and --min-score start the list filtered. */
static void
attach_session(const struct opts *o, struct app *a, struct session **own)
{
	struct session *sess = o->session;
	struct fs_err err = { 0 };

	*own = NULL;
	if (sess == NULL) {
		sess = *own = session_new(NULL);
		for (int i = 0; i < o->n_files; i++)
			session_add_capture(sess, o->files[i], NULL, &err);
		sess->saved_gen = sess->gen;
	}
	if (o->filter != NULL || o->min_score_set) {
		char f[1200];
		if (o->filter != NULL && o->min_score_set)
			snprintf(f, sizeof f, "(%s) and score>=%g", o->filter, o->min_score);
		else if (o->filter != NULL)
			snprintf(f, sizeof f, "%s", o->filter);
		else
			snprintf(f, sizeof f, "score>=%g", o->min_score);
		session_set(sess, &sess->filter, f);
	}
	session_ui_attach(a, sess, o->session != NULL || o->filter != NULL || o->min_score_set);
}

static void
load_prompt_history(void)
{
	char hp[PATH_MAX];

	if (fs_state_dir(hp, sizeof hp - 8)) {
		strcat(hp, "/history");
		prompt_history_load(hp);
	}
}

/* A capture cut short: once the screen is given back, the sentence and the exit status every
 * headless mode gives (the status bar showed it while the TUI ran). */
static int
report_source_errors(struct loader *ld)
{
	struct fs_err src_err[8];
	size_t n = loader_source_errors(ld, src_err, sizeof src_err / sizeof src_err[0]);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "fluxscope: %s\n", src_err[i].msg);
	return n > 0 ? 1 : 0;
}

int
tui_main(const struct opts *o)
{
	const char *dirs[MAX_DIRS];
	struct app_config cfg;
	struct fs_err err = { 0 };
	struct app a;
	struct loader *ld = NULL;
	struct loader_config lc = { 0 };
	struct ingest *in = NULL;
	struct store *store = NULL;
	struct store_config sc = { 0 };
	struct geo *geo_det = NULL, *geo_ui = NULL;
	struct detector *det[2] = { NULL, NULL };
	char source[256], dbs[512];
	int rc = 1;
	struct session *sess, *own_sess = NULL;
	struct cli_live live = { 0 };   /* live capture or --max-memory: store writer with ageing */
	static struct det_config dc;    /* the detectors' files (the loader's outlive this frame) */
	bool use_live = opts_live(o) || o->max_memory_mb > 0;

	/* Only the character type: LC_NUMERIC stays "C" so numbers print with a dot. */
	setlocale(LC_CTYPE, "");
	/* Open every input first: a missing file is one sentence on stderr, before the screen. */
	ld = loader_alloc();
	if (o->max_memory_mb > 0)
		sc.max_memory = (size_t)o->max_memory_mb << 20;
	store = store_new(&sc);
	/* The detector and the detail views each need a geo handle of their own (a handle is
	 * used by one thread at a time). */
	if (cli_geo_open(o, &geo_det, &err) != FS_OK || cli_geo_open(o, &geo_ui, &err) != FS_OK)
		goto fail;
	/* The ageing watch pins what the loader's latest detection results flag (the worker
	 * scores all the time): no detector of its own, and no detection pass on the ingest
	 * thread. Both handles map the database files; the detectors' reads every address, the
	 * UI's only those of the domains opened. */
	if (use_live && cli_live_init(&live, o, store, false, geo_det, cli_geo_mapped_bytes(geo_det),
	                              loader_flagged, ld, &err) != FS_OK)
		goto fail;
	if (cli_ingest_open(o, use_live ? cli_live_msg : loader_msg_cb, use_live ? (void *)&live : ld,
	                    &in, &err) != FS_OK)
		goto fail;
	if (open_detectors(o, geo_det, &dc, det, &err) != FS_OK)
		goto fail;
	/* Everything is open: a live capture gives up root here, before any thread starts. */
	if (cli_live_drop(o, in, &err) != FS_OK)
		goto fail;

	source_label(o, in, source, sizeof source);
	lc.in = in;
	lc.store = store;
	lc.det[0] = det[0];
	lc.det[1] = det[1];
	lc.source = source;
	lc.live = opts_live(o);
	lc.det_geo = geo_det;
	/* Under --max-memory the detectors are made anew after ageing (their results for the
	 * larger store before would stay allocated; loader.h). */
	lc.det_cfg = o->max_memory_mb > 0 ? &dc : NULL;
	loader_init(ld, &lc);
	in = NULL;
	det[0] = det[1] = NULL;

	ui_config(o, store, geo_ui, &cfg, dirs, dbs, sizeof dbs);

	/* :probe's settings from the probe options (checked now: a bad --resolver is one
	 * sentence before the screen); --no-probe leaves it off */
	static struct probe_config pcfg;
	if (!o->no_probe) {
		if (cli_probe_config(o, NULL, &pcfg, &err) != FS_OK)
			goto fail;
		pcfg.src_index = o->n_files;
		cfg.probe = &pcfg;
	}
	if (loader_start(ld, &err) != FS_OK)
		goto fail;
	{
		struct dec_config dcfg;
		if (cli_dec_config(o, &dcfg, &err) == FS_OK)
			loader_set_dec_config(ld, &dcfg);
	}
	app_init(&a, &cfg, &loader_feed_ops, ld);
	a.filter = &query_filter_ops;
	attach_session(o, &a, &own_sess);
	sess = own_sess != NULL ? own_sess : o->session;
	/* --probe NAME without a headless mode: the TUI opens with the probe started (its answers
	 * arrive as rows; :probe stop ends it) */
	if (o->probe != NULL)
		app_probe(&a, o->probe);
	load_prompt_history();
	if (app_run(&a, &err) != FS_OK) {
		session_autosave(sess);
		app_fini(&a);
		fs_bg_shutdown();
		goto fail;
	}
	session_autosave(sess);
	app_fini(&a);
	fs_bg_shutdown();
	write_ui_stats(&live);
	rc = report_source_errors(ld);
	goto done;
fail:
	fprintf(stderr, "fluxscope: %s\n", err.msg);
done:
	session_free(own_sess);
	if (in != NULL)
		ingest_free(in);
	if (ld != NULL) {
		if (lc.in == NULL)
			free(ld);
		else if (!loader_free(ld)) {
			/* The ingest thread still blocks on a silent pipe and uses the store: end here. */
			fflush(stdout);
			fflush(stderr);
			_exit(rc);
		}
	}
	for (int i = 0; i < 2; i++)
		if (det[i] != NULL)
			det_free(det[i]);
	cli_live_fini(&live);
	if (store != NULL)
		store_free(store);
	if (geo_det != NULL)
		geo_free(geo_det);
	if (geo_ui != NULL)
		geo_free(geo_ui);
	return rc;
}
