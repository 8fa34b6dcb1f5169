/* The UI loop: poll input and the feed, let handlers react, draw when asked. The only caller of
 * draw.c. Signals become keys (SIGINT = C-c) or a clean quit (SIGTERM, SIGHUP). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/app.h"
#include "ui/draw.h"

static volatile sig_atomic_t got_int, got_term;

static void
on_signal(int sig)
{
	if (sig == SIGINT)
		got_int = 1;
	else
		got_term = 1;
}

fs_status
app_run(struct app *a, struct fs_err *err)
{
	struct ui_canvas c;
	struct sigaction sa, old_int, old_term, old_hup;
	struct ui_event ev;
	double last_tick = 0;
	double key_at = 0;         /* when the key being handled arrived (at the latest) */
	double last_look = fs_mono_ms();   /* when the loop last looked at the input */
	int w, h, r = UI_THEME;

	if (draw_init(true, err) != FS_OK)
		return err->status;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal interrupts the wait for input at once. */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	draw_size(&w, &h);
	app_resize(a, w, h);
	canvas_init(&c, w, h);
	c.unicode = draw_unicode();
	while (!a->quit && !got_term) {
		double t;
		if (got_int) {
			got_int = 0;
			ev = (struct ui_event){ .type = UI_EV_KEY, .key = KEY_CTRL('c') };
			r |= app_event(a, &ev);
		}
		if (r & 0x04)
			draw_set_theme(&a->theme, a->cfg.no_color);
		if (r & UI_REDRAW) {
			app_draw(a, &c);
			draw_blit(&c, (r & 0x02) != 0);
		}
		if (a->clip != NULL) {
			draw_clipboard(a->clip);
			free(a->clip);
			a->clip = NULL;
		}
		if (key_at > 0) {
			/* the key's frame is out (or nothing needed drawing) */
			app_key_stats_note(fs_mono_ms() - key_at);
			key_at = 0;
		}
		r = 0;
		if (a->quit)
			break;
		/* sliced work pending: look at the keys without waiting, then do a slice; a view
		 * waiting for the store lock (updating) tries again every frame or so, so that it
		 * is waiting when a writer lets go between two steps of its work */
		double polled = fs_mono_ms();
		if (draw_poll(&ev, app_busy(a) ? 0 : a->updating ? 10 : a->prog.loading ? 100 : 250) == 1) {
			/* a key that was there at once may have come while the loop was busy: count
			 * from the moment it last looked at the input */
			double got = fs_mono_ms();
			if (ev.type == UI_EV_KEY)
				key_at = got - polled < 0.5 ? last_look : got;
			r |= app_event(a, &ev);
			/* Take queued input (key repeat, pastes) before drawing again. */
			for (int i = 0; i < 64 && !a->quit && draw_poll(&ev, 0) == 1; i++)
				r |= app_event(a, &ev);
		}
		last_look = fs_mono_ms();
		if (app_busy(a))
			r |= app_work(a, APP_SLICE_MS);
		if (a->updating)
			r |= UI_REDRAW;
		t = fs_mono_ms();
		if (t - last_tick >= 100) {
			r |= app_tick(a);
			last_tick = t;
		}
	}
	canvas_fini(&c);
	draw_fini();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	(void)errno;
	return FS_OK;
}
