/* The whole key → state → canvas path without a terminal: the home list, sorting, incremental
 * search through the readline prompt, filters, toggles, pivots and the breadcrumb, the detail
 * tabs, help, marks and the quit question, loading progress and stop, mouse, resizing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ui/app.h"

/* A feed that hands out one snapshot and reports scripted progress. */
struct fake_feed {
	struct snap *pending;
	struct app_progress prog;
	int stops, released, marks_on, marks_off;
};

static void
ff_progress(void *ctx, struct app_progress *out)
{
	*out = ((struct fake_feed *)ctx)->prog;
}

static struct snap *
ff_take(void *ctx)
{
	struct fake_feed *f = ctx;
	struct snap *s = f->pending;
	f->pending = NULL;
	return s;
}

static void
ff_release(void *ctx, struct snap *s)
{
	((struct fake_feed *)ctx)->released++;
	snap_free(s);
}

static void
ff_stop(void *ctx)
{
	struct fake_feed *f = ctx;
	f->stops++;
	f->prog.loading = false;
	f->prog.stopped = true;
}

static void
ff_mark(void *ctx, uint32_t dom, bool on)
{
	struct fake_feed *f = ctx;
	(void)dom;
	if (on)
		f->marks_on++;
	else
		f->marks_off++;
}

static const struct app_feed_ops ff_ops = { .progress = ff_progress, .take = ff_take,
                                            .release = ff_release, .stop = ff_stop,
                                            .set_mark = ff_mark };

/* A tiny filter language for the test: "score>=N". */
static bool
f_pred(void *ctx, const struct snap *s, const struct snap_row *r, bool grouped)
{
	(void)grouped;
	(void)s;
	return r->score >= *(float *)ctx;
}

static fs_status
f_compile(struct app *a, const char *text, dlist_pred *pred, void **ctx, struct fs_err *err,
          size_t *err_col)
{
	float v;
	(void)a;
	(void)err_col;
	if (sscanf(text, "score>=%f", &v) != 1)
		return fs_err_set(err, FS_E_ARG, "cannot parse '%s'", text);
	*ctx = malloc(sizeof v);
	*(float *)*ctx = v;
	*pred = f_pred;
	return FS_OK;
}

static const struct app_filter_ops f_ops = { f_compile, free, NULL };

struct fx {
	struct app a;
	struct ui_canvas c;
	struct fake_feed feed;
	const char *dirs[1];
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	struct app_config cfg = { 0 };

	x->dirs[0] = "themes";
	cfg.theme_dirs = x->dirs;
	cfg.n_theme_dirs = 1;
	cfg.db_names = "demo-ASN, demo-City";
	cfg.home_all = true;
	x->feed.pending = fx_snap(0);
	x->feed.pending->final = true;
	snprintf(x->feed.prog.source, sizeof x->feed.prog.source, "flux-demo.pcap");
	x->feed.prog.packets = 12345;
	x->feed.prog.dns_messages = 6789;
	app_init(&x->a, &cfg, &ff_ops, &x->feed);
	x->a.filter = &f_ops;
	app_resize(&x->a, 120, 40);
	canvas_init(&x->c, 120, 40);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;
	app_fini(&x->a);
	canvas_fini(&x->c);
	free(x);
	return 0;
}

static const char *
row(struct fx *x, int y)
{
	static char buf[2048];
	app_draw(&x->a, &x->c);
	return canvas_row_text(&x->c, y, buf, sizeof buf);
}

static int
find(struct fx *x, const char *text)
{
	app_draw(&x->a, &x->c);
	return canvas_find(&x->c, text);
}

static int
key(struct fx *x, ui_key k)
{
	struct ui_event ev = { .type = UI_EV_KEY, .key = k };
	return app_event(&x->a, &ev);
}

static void
keys(struct fx *x, const char *s)
{
	for (; *s != '\0'; s++)
		key(x, (ui_key)(unsigned char)*s);
}

/* The row of the cursor: its cells have the cursor role. */
static int
cursor_y(struct fx *x)
{
	app_draw(&x->a, &x->c);
	for (int y = 0; y < x->c.h; y++)
		if (canvas_at(&x->c, 5, y)->role == UI_ROLE_CURSOR)
			return y;
	return -1;
}

static void
test_home_list(void **state)
{
	struct fx *x = *state;

	assert_non_null(strstr(row(x, 0), "fluxscope \xe2\x80\xba domains"));
	assert_non_null(strstr(row(x, 0), "1/7 of 7"));
	assert_non_null(strstr(row(x, 1), "verdict"));
	assert_non_null(strstr(row(x, 1), "score\xe2\x96\xbc"));
	assert_non_null(strstr(row(x, 1), "last seen"));
	assert_non_null(strstr(row(x, 2), "single-flux"));
	assert_non_null(strstr(row(x, 2), "92.5"));
	assert_non_null(strstr(row(x, 2), "evil-flux.example.net"));
	assert_non_null(strstr(row(x, 2), "12:40:00"));
	assert_non_null(strstr(row(x, 3), "double-flux"));
	assert_int_equal(canvas_at(&x->c, 2, 3)->role, UI_ROLE_V_DOUBLE_FLUX);
	assert_int_equal(cursor_y(x), 2);
	assert_non_null(strstr(row(x, 38), "flux-demo.pcap"));
	assert_non_null(strstr(row(x, 38), "12,345 pkts"));
	assert_non_null(strstr(row(x, 38), "6,789 DNS"));
	assert_non_null(strstr(row(x, 38), "3 flagged"));
	assert_non_null(strstr(row(x, 38), "demo-ASN, demo-City"));
	assert_non_null(strstr(row(x, 39), "Loaded 12,345 packets"));
}

static void
test_move_and_sort(void **state)
{
	struct fx *x = *state;

	keys(x, "jj");
	assert_int_equal(cursor_y(x), 4);
	key(x, KEYC_END);
	assert_int_equal(cursor_y(x), 8);
	keys(x, "g");
	keys(x, "s"); /* next column: the logit, in the ranking's order as the score */
	assert_non_null(strstr(row(x, 1), "logit\xe2\x96\xbc"));
	keys(x, "s"); /* next column: domain, A to Z */
	assert_non_null(strstr(row(x, 1), "domain\xe2\x96\xb2"));
	assert_non_null(strstr(row(x, 2), "a.b.c.benign.org"));
	/* the cursor stays on its domain across sorts */
	assert_non_null(strstr(row(x, cursor_y(x)), "evil-flux.example.net"));
	keys(x, "S");
	assert_non_null(strstr(row(x, 2), "www.cdn-site.com"));
	keys(x, "gj");
	assert_non_null(strstr(row(x, cursor_y(x)), "pool.ntp.org"));
	keys(x, "s");
	assert_non_null(strstr(row(x, 1), "addrs\xe2\x96\xbc"));
	assert_non_null(strstr(row(x, cursor_y(x)), "pool.ntp.org"));
	assert_int_equal(cursor_y(x), 2);
}

static void
test_prompt_commands(void **state)
{
	struct fx *x = *state;

	/* sort keys are the field keys (the filter's names); the column title works too */
	keys(x, ":sort minttl asc\r");
	assert_false(x->a.prompt.active);
	assert_non_null(strstr(row(x, 1), "minTTL\xe2\x96\xb2"));
	assert_non_null(strstr(row(x, 2), "www.cdn-site.com"));
	keys(x, ":sort nosuch\r");
	assert_non_null(strstr(row(x, 39), "sort: unknown column 'nosuch'"));
	assert_int_equal(canvas_at(&x->c, 0, 39)->role, UI_ROLE_ERROR);
	keys(x, ":theme light\r");
	assert_string_equal(x->a.theme.name, "light");
	keys(x, ":theme nosuch\r");
	assert_string_equal(x->a.theme.name, "light");
	assert_non_null(strstr(row(x, 39), "no theme named 'nosuch'"));
	/* readline editing: history (Up) and cursor keys */
	keys(x, ":");
	key(x, KEYC_UP);
	assert_string_equal(x->a.prompt.line, "theme nosuch");
	assert_non_null(strstr(row(x, 39), ":theme nosuch"));
	key(x, 0x1b);
	assert_false(x->a.prompt.active);
	keys(x, ":frobnicate\r");
	assert_non_null(strstr(row(x, 39), "unknown command 'frobnicate'"));
	/* Tab completes a unique command prefix */
	keys(x, ":gro\t");
	assert_string_equal(x->a.prompt.line, "group ");
	key(x, 0x1b);
}

static void
test_incremental_search(void **state)
{
	struct fx *x = *state;

	keys(x, "/");
	assert_true(x->a.prompt.active);
	keys(x, "n"); /* evil-flux.example.net matches already */
	assert_int_equal(cursor_y(x), 2);
	keys(x, "t");
	assert_non_null(strstr(row(x, cursor_y(x)), "pool.ntp.org"));
	keys(x, "p");
	assert_non_null(strstr(row(x, cursor_y(x)), "pool.ntp.org"));
	assert_non_null(strstr(row(x, 39), "/ntp"));
	assert_true(x->c.cur_visible);
	keys(x, "zz");
	assert_non_null(strstr(row(x, 39), "(no match) /ntpzz"));
	assert_int_equal(cursor_y(x), 2); /* back at the origin */
	key(x, KEY_BSPACE_C);
	key(x, KEY_BSPACE_C);
	keys(x, "\r");
	assert_false(x->a.prompt.active);
	assert_non_null(strstr(row(x, cursor_y(x)), "pool.ntp.org"));
	/* the match is highlighted */
	{
		int y = cursor_y(x);
		int mx = (int)(strstr(row(x, y), "ntp") - row(x, y));
		assert_int_equal(canvas_at(&x->c, mx, y)->role, UI_ROLE_MATCH);
		assert_int_equal(canvas_at(&x->c, mx + 2, y)->role, UI_ROLE_MATCH);
		assert_int_equal(canvas_at(&x->c, mx + 3, y)->role, UI_ROLE_CURSOR);
	}
	/* n / N walk the matches; Esc during a search returns to where it began */
	keys(x, "/example\r");
	assert_non_null(strstr(row(x, cursor_y(x)), "mail.example.net"));
	keys(x, "n");
	assert_non_null(strstr(row(x, cursor_y(x)), "evil-flux.example.net"));
	assert_non_null(strstr(row(x, 39), "search wrapped"));
	keys(x, "n");
	assert_non_null(strstr(row(x, cursor_y(x)), "odd.example.net"));
	keys(x, "N");
	assert_non_null(strstr(row(x, cursor_y(x)), "evil-flux.example.net"));
	keys(x, "/badzone");
	assert_non_null(strstr(row(x, cursor_y(x)), "ns-rotate.badzone.ru"));
	key(x, 0x1b);
	assert_non_null(strstr(row(x, cursor_y(x)), "evil-flux.example.net"));
}

static void
test_filter_and_toggles(void **state)
{
	struct fx *x = *state;

	keys(x, "f");
	assert_string_equal(row(x, 39), "filter:");
	keys(x, "score>=50\r");
	assert_non_null(strstr(row(x, 38), "filter: score>=50"));
	assert_non_null(strstr(row(x, 0), "1/3 of 7"));
	assert_int_equal(find(x, "www.cdn-site.com"), -1);
	keys(x, "f");
	assert_string_equal(x->a.prompt.line, "score>=50"); /* edit the current filter */
	key(x, 0x1b);
	keys(x, ":filter bogus\r");
	assert_non_null(strstr(row(x, 39), "filter: cannot parse 'bogus'"));
	assert_non_null(strstr(row(x, 38), "filter: score>=50")); /* unchanged */
	keys(x, "F");
	assert_null(strstr(row(x, 38), "filter:"));
	assert_non_null(strstr(row(x, 0), "1/7 of 7"));
	keys(x, "a");
	assert_non_null(strstr(row(x, 0), "flagged 1/3 of 7"));
	assert_int_equal(find(x, "mail.example.net"), -1);
	keys(x, "a");
	keys(x, "r");
	assert_non_null(strstr(row(x, 0), "grouped 1/5 of 5"));
	assert_non_null(strstr(row(x, 2), "example.net (3)"));
	/* Enter on a group: a pivot list of its names, with the breadcrumb */
	keys(x, "\r");
	assert_non_null(strstr(row(x, 0), "domains \xe2\x80\xba example.net"));
	assert_non_null(strstr(row(x, 0), "1/3"));
	assert_non_null(strstr(row(x, 2), "evil-flux.example.net"));
	assert_int_equal(find(x, "pool.ntp.org"), -1);
	keys(x, "h");
	assert_null(strstr(row(x, 0), "example.net"));
	assert_non_null(strstr(row(x, 2), "example.net (3)"));
}

static void
test_detail_tabs(void **state)
{
	struct fx *x = *state;

	keys(x, "\r");
	assert_non_null(strstr(row(x, 0), "domains \xe2\x80\xba evil-flux.example.net"));
	assert_non_null(strstr(row(x, 0), "Summary 1/5"));
	assert_non_null(strstr(row(x, 1), "1 Summary"));
	assert_non_null(strstr(row(x, 1), "5 Related"));
	assert_int_equal(canvas_at(&x->c, 3, 1)->role, UI_ROLE_TAB_ACTIVE);
	assert_true(find(x, "Verdict      single-flux") > 0);
	assert_true(find(x, "Score        92.5 / 100") > 0);
	key(x, '\t');
	assert_non_null(strstr(row(x, 0), "Timeline 2/5"));
	key(x, KEYC_BTAB);
	key(x, KEYC_BTAB);
	assert_non_null(strstr(row(x, 0), "Related 5/5"));
	keys(x, "3");
	assert_non_null(strstr(row(x, 0), "Spread 3/5"));
	keys(x, ":tab name\r");
	assert_non_null(strstr(row(x, 0), "Nameservers 4/5"));
	/* list keys do not apply in the detail */
	keys(x, "s");
	assert_non_null(strstr(row(x, 39), "s is not bound"));
	key(x, 0x1b);
	assert_non_null(strstr(row(x, 1), "verdict"));
	keys(x, "h");
	assert_non_null(strstr(row(x, 39), "at the home list"));
}

static void
test_help_overlay(void **state)
{
	struct fx *x = *state;

	keys(x, "?");
	assert_true(find(x, "fluxscope keys and commands") >= 0);
	assert_true(find(x, "Everywhere") >= 0);
	assert_true(find(x, "Down j") >= 0);
	assert_true(find(x, "sort by the next column") >= 0);
	/* user bindings show up too */
	keys(x, "q");
	assert_true(find(x, "fluxscope keys and commands") < 0);
	keys(x, ":bind -T list x sort asns\r");
	keys(x, "x");
	assert_non_null(strstr(row(x, 1), "ASNs\xe2\x96\xbc"));
	keys(x, "?");
	key(x, 'G');
	assert_true(find(x, "sort asns") >= 0 || find(x, "sort the list") >= 0);
	key(x, 'x');
	assert_true(find(x, "fluxscope keys and commands") < 0);
}

static void
test_marks_and_quit(void **state)
{
	struct fx *x = *state;
	int r;

	keys(x, "m");
	assert_non_null(strstr(row(x, 2), "\xe2\x97\x8f"));
	assert_non_null(strstr(row(x, 38), "1 marked"));
	assert_int_equal(x->feed.marks_on, 1);
	r = key(x, 'q');
	assert_false(r & UI_QUIT);
	assert_true(find(x, "1 marked domain not exported or saved. Quit anyway? (y/n)") >= 0);
	keys(x, "n");
	assert_false(x->a.quit);
	assert_non_null(strstr(row(x, 39), "cancelled"));
	keys(x, " "); /* Space unmarks */
	assert_null(strstr(row(x, 2), "\xe2\x97\x8f"));
	keys(x, "jm");
	/* a new snapshot keeps the marks */
	x->feed.pending = fx_snap(0);
	x->feed.pending->final = true;
	app_tick(&x->a);
	assert_int_equal(x->feed.released, 1);
	assert_non_null(strstr(row(x, 3), "\xe2\x97\x8f"));
	keys(x, "q");
	r = key(x, 'y');
	assert_true(r & UI_QUIT);
	assert_true(x->a.quit);
}

static void
test_loading_progress_and_stop(void **state)
{
	struct fx *x = *state;

	x->feed.prog.loading = true;
	x->feed.prog.bytes_total = 10000000;
	x->feed.prog.bytes_read = 2500000;
	x->feed.prog.elapsed = 2.0;
	x->a.msg[0] = '\0';
	app_tick(&x->a);
	assert_non_null(strstr(row(x, 39), "Loading "));
	assert_non_null(strstr(row(x, 39), " 25%"));
	assert_non_null(strstr(row(x, 39), "2.5 MB/10.0 MB"));
	assert_non_null(strstr(row(x, 39), "6,172 pkts/s"));
	assert_non_null(strstr(row(x, 39), "ETA 0:06"));
	keys(x, "q");
	assert_int_equal(x->feed.stops, 1);
	assert_false(x->a.quit);
	assert_non_null(strstr(row(x, 39), "Loading stopped"));
	app_tick(&x->a);
	assert_false(x->a.prog.loading);
	keys(x, "q");
	assert_true(x->a.quit);
}

static void
test_mouse(void **state)
{
	struct fx *x = *state;
	struct ui_event ev = { .type = UI_EV_MOUSE, .button = UI_MOUSE_LEFT };
	int score_x;

	app_draw(&x->a, &x->c);
	ev.y = 5;
	ev.x = 30;
	app_event(&x->a, &ev);
	assert_int_equal(cursor_y(x), 5);
	/* header click on the sorted column reverses it */
	score_x = (int)(strstr(row(x, 1), "score") - row(x, 1));
	ev.y = 1;
	ev.x = score_x + 1;
	app_event(&x->a, &ev);
	assert_non_null(strstr(row(x, 1), "score\xe2\x96\xb2"));
	assert_non_null(strstr(row(x, cursor_y(x)), "www.cdn-site.com"));
	/* double click opens */
	ev.y = 2;
	ev.x = 30;
	app_event(&x->a, &ev);
	ev.dbl = true;
	app_event(&x->a, &ev);
	assert_non_null(strstr(row(x, 0), "Summary 1/5"));
	/* click on the breadcrumb goes back */
	ev.dbl = false;
	ev.y = 0;
	ev.x = (int)(strstr(row(x, 0), "domains") - row(x, 0)) + 1;
	app_event(&x->a, &ev);
	assert_null(strstr(row(x, 0), "Summary"));
	ev.button = UI_MOUSE_WHEEL_DOWN;
	ev.y = 10;
	app_event(&x->a, &ev);
}

static void
test_resize_80x24(void **state)
{
	struct fx *x = *state;
	struct ui_event ev = { .type = UI_EV_RESIZE, .w = 80, .h = 24 };

	assert_int_equal(app_event(&x->a, &ev) & UI_CLEAR, UI_CLEAR);
	app_draw(&x->a, &x->c);
	assert_int_equal(x->c.w, 80);
	assert_int_equal(x->c.h, 24);
	assert_non_null(strstr(row(x, 1), "verdict"));
	assert_non_null(strstr(row(x, 1), "NSchg"));
	assert_null(strstr(row(x, 1), "last seen"));
	assert_non_null(strstr(row(x, 2), "evil-flux.example.net"));
	assert_non_null(strstr(row(x, 22), "3 flagged"));
	for (int y = 0; y < 24; y++)
		assert_true(canvas_text_width(row(x, y)) <= 80);
	keys(x, "\r");
	assert_true(find(x, "Verdict      single-flux") > 0);
	ev.w = 30;
	ev.h = 6;
	app_event(&x->a, &ev);
	assert_non_null(strstr(row(x, 0), "terminal too small"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_home_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_and_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_and_toggles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_tabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_overlay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks_and_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loading_progress_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_80x24, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
