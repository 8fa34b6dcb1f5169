/* The UI thread and the store lock (issue 16): while another thread holds the write lock (an
 * ageing step; the same for a long reader ahead of a waiting writer), the detail view and the
 * export dialog wait no longer than APP_LOCK_WAIT_MS, say that the data is updating and show
 * it once the lock is free; a mark given while the store is busy is queued and put in by the
 * loader's worker; the loader hands the ageing watch its latest flagged set. On the small
 * labelled flux capture with the demo databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "fluxscope/watch.h"
#include "ui/app.h"
#include "ui/canvas.h"
#include "ui/loader.h"

#define CAPTURE "tests/data/flux/flux-small.pcap"
#include "unit/ui/scored_ui.h"


/* ---- a thread that holds the write lock until told to let go -------------------------------- */

struct holder {
	pthread_t t;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store *s;
	int state;                 /* 1 holding, 2 let go */
};

static void *
hold_main(void *arg)
{
	struct holder *h = arg;

	store_write_lock(h->s);
	pthread_mutex_lock(&h->mu);
	h->state = 1;
	pthread_cond_broadcast(&h->cv);
	while (h->state != 2)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	store_write_unlock(h->s);
	return NULL;
}

static void
hold(struct holder *h, struct store *s)
{
	memset(h, 0, sizeof *h);
	h->s = s;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	assert_int_equal(pthread_create(&h->t, NULL, hold_main, h), 0);
	pthread_mutex_lock(&h->mu);
	while (h->state != 1)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

static void
let_go(struct holder *h)
{
	pthread_mutex_lock(&h->mu);
	h->state = 2;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->t, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
}

/* ---- fixture ----------------------------------------------------------------------------------- */

/* The fixture's snapshot is the final one of the store as it stands. */
static int
setup_final(void **state)
{
	if (setup(state) != 0)
		return -1;
	snap->epoch = store_epoch(sc.st);
	snap->final = true;
	return 0;
}

/* A feed that hands out the fixture's snapshot once and keeps it. */
static bool taken;
static void ff_progress(void *ctx, struct app_progress *out) { (void)ctx; memset(out, 0, sizeof *out); }
static struct snap *ff_take(void *ctx) { (void)ctx; if (taken) return NULL; taken = true; return snap; }
static void ff_release(void *ctx, struct snap *s) { (void)ctx; (void)s; }
static const struct app_feed_ops ff_ops = { .progress = ff_progress, .take = ff_take,
                                            .release = ff_release };

struct ui {
	struct app a;
	struct ui_canvas c;
};

static void
ui_open(struct ui *u)
{
	struct app_config cfg = { 0 };

	taken = false;
	cfg.store = sc.st;
	cfg.geo = sc.geo;
	app_init(&u->a, &cfg, &ff_ops, NULL);
	app_resize(&u->a, 140, 40);
	canvas_init(&u->c, 140, 40);
	assert_ptr_equal(u->a.snap, snap);
}

static void
ui_close(struct ui *u)
{
	app_fini(&u->a);
	canvas_fini(&u->c);
}

static bool
shows(struct ui *u, const char *text)
{
	app_draw(&u->a, &u->c);
	return canvas_find(&u->c, text) >= 0;
}

static int
key(struct ui *u, ui_key k)
{
	struct ui_event ev = { .type = UI_EV_KEY, .key = k };
	return app_event(&u->a, &ev);
}

static const struct det_result *
first_flux(void)
{
	for (size_t i = 0; i < det_count(sc.det); i++)
		if (det_is_flux(det_get(sc.det, i)->verdict) && !det_get(sc.det, i)->is_zone)
			return det_get(sc.det, i);
	fail_msg("no flux domain in %s", CAPTURE);
	return NULL;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void
test_detail_waits_no_longer_than_a_frame(void **state)
{
	struct ui u;
	struct holder h;
	struct app_lock_stats ls0, ls;
	const struct det_result *r = first_flux();
	(void)state;

	ui_open(&u);
	app_lock_stats(&ls0);
	assert_int_equal(app_push(&u.a, view_detail_new(&u.a, r->dom)) & UI_REDRAW, UI_REDRAW);
	hold(&h, sc.st);
	/* the writer holds on for as long as this test likes: the UI does not wait for it */
	assert_true(shows(&u, "Updating: the store is busy"));
	assert_true(shows(&u, "(updating)"));
	assert_true(u.a.updating);
	assert_int_equal(app_tick(&u.a) & UI_REDRAW, UI_REDRAW);   /* and tries again */
	app_lock_stats(&ls);
	assert_true(ls.busy >= ls0.busy + 2);
	assert_true(ls.max_wait_ms < 1000);
	print_message("busy attempts %llu, longest wait %.1f ms (APP_LOCK_WAIT_MS %d)\n",
	              (unsigned long long)(ls.busy - ls0.busy), ls.max_wait_ms, APP_LOCK_WAIT_MS);
	let_go(&h);
	/* free again: the detail is built, the status bar is quiet */
	assert_false(shows(&u, "Updating: the store is busy"));
	assert_true(shows(&u, r->name));
	assert_false(shows(&u, "(updating)"));
	assert_false(u.a.updating);
	app_lock_stats(&ls);
	assert_true(ls.max_stale_ms > 0);

	/* another tab while busy: not the old tab's lines under the new tab's title */
	hold(&h, sc.st);
	key(&u, '2');
	assert_true(shows(&u, "Updating: the store is busy"));
	let_go(&h);
	assert_false(shows(&u, "Updating: the store is busy"));
	ui_close(&u);
}

static void
test_export_dialog_updating(void **state)
{
	struct ui u;
	struct holder h;
	(void)state;

	ui_open(&u);
	hold(&h, sc.st);
	app_export(&u.a, NULL, NULL);
	assert_true(shows(&u, "updating: the store is busy"));
	assert_true(shows(&u, "(updating)"));
	key(&u, 'w');
	assert_true(shows(&u, "the data is updating: write again in a moment"));
	let_go(&h);
	assert_true(shows(&u, "domains selected"));
	assert_false(shows(&u, "updating: the store is busy"));
	assert_false(shows(&u, "(updating)"));
	key(&u, KEY_ESC_C);
	ui_close(&u);
}

/* ---- the loader: queued marks, the flagged set for the watch --------------------------------- */

static void
nap_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static void
test_loader_marks_and_flagged(void **state)
{
	struct fs_err err = { 0 };
	struct store *s = store_new(NULL);
	struct loader *ld = loader_alloc();
	struct ingest *in = ingest_new(NULL, loader_msg_cb, ld);
	struct loader_config lc = { 0 };
	struct app_progress p;
	struct watch_flagged got = { 0 }, want = { 0 };
	struct holder h;
	struct snap *sn = NULL;
	struct detector *ref = scored_must_detector(sc.geo);
	store_dom_id dom;
	int i;
	(void)state;

	if (ingest_add_file(in, CAPTURE, &err) != FS_OK)
		fail_msg("%s", err.msg);
	lc.in = in;
	lc.store = s;
	lc.det[0] = scored_must_detector(sc.geo);
	lc.det[1] = scored_must_detector(sc.geo);
	lc.det_geo = sc.geo;
	lc.source = "test";
	loader_init(ld, &lc);
	assert_false(loader_flagged(ld, &got));    /* no results yet */
	assert_int_equal(loader_start(ld, &err), FS_OK);
	/* until the final snapshot */
	for (i = 0; i < 3000; i++) {
		struct snap *t = loader_feed_ops.take(ld);
		if (t != NULL) {
			if (sn != NULL)
				loader_feed_ops.release(ld, sn);
			sn = t;
		}
		loader_feed_ops.progress(ld, &p);
		if (sn != NULL && sn->final)
			break;
		nap_ms(10);
	}
	assert_non_null(sn);
	assert_true(sn->final);

	/* the watch's flagged set: the worker's latest results, of the store's epoch */
	assert_true(loader_flagged(ld, &got));
	store_read_lock(s);
	assert_int_equal(got.epoch, store_epoch(s));
	det_run(ref, s);
	watch_flagged_collect(ref, store_epoch(s), &want);
	store_read_unlock(s);
	assert_true(got.n >= 20);
	assert_int_equal(got.n, want.n);
	assert_int_equal(got.n_zones, want.n_zones);
	for (size_t k = 0; k < got.n; k++) {
		assert_int_equal(got.ids[k], want.ids[k]);
		assert_int_equal(got.rank[k], want.rank[k]);
	}

	/* a mark while the store is busy: queued, not waited for */
	dom = sn->dom.rows[0].id;
	hold(&h, s);
	loader_feed_ops.set_mark(ld, dom, true);
	assert_int_equal(loader_feed_ops.marks_pending(ld), 1);
	let_go(&h);
	for (i = 0; i < 500 && loader_feed_ops.marks_pending(ld) > 0; i++)
		nap_ms(10);
	assert_int_equal(loader_feed_ops.marks_pending(ld), 0);
	store_read_lock(s);
	assert_int_equal(store_domain(s, dom)->user_flags, 1);
	store_read_unlock(s);
	/* taken off again (at once, or by the worker when a detection pass holds the lock) */
	loader_feed_ops.set_mark(ld, dom, false);
	for (i = 0; i < 500 && loader_feed_ops.marks_pending(ld) > 0; i++)
		nap_ms(10);
	assert_int_equal(loader_feed_ops.marks_pending(ld), 0);
	store_read_lock(s);
	assert_int_equal(store_domain(s, dom)->user_flags, 0);
	store_read_unlock(s);

	loader_feed_ops.release(ld, sn);
	assert_true(loader_free(ld));
	watch_flagged_free(&got);
	watch_flagged_free(&want);
	det_free(ref);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detail_waits_no_longer_than_a_frame),
		cmocka_unit_test(test_export_dialog_updating),
		cmocka_unit_test(test_loader_marks_and_flagged),
	};
	return cmocka_run_group_tests(tests, setup_final, teardown);
}
