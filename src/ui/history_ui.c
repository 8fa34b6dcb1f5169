/* Drill-down fetches on a ClickHouse window: requests go to the feed, whose thread fetches;
 * this file only polls their state (a mutex held for a copy) and never waits on the network. */
#include "ui/history_ui.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fluxscope/fs.h"
#include "ui/app.h"

/* A finished fetch whose detail is to open waits this long for a snapshot holding the name. */
#define OPEN_WAIT_MS 15000

static struct app_hist *
pending(const struct app *a, const char *name)
{
	for (int i = 0; i < a->n_hist; i++)
		if (strcmp(a->hist[i].name, name) == 0)
			return (struct app_hist *)&a->hist[i];
	return NULL;
}

static void
drop(struct app *a, int i)
{
	memmove(&a->hist[i], &a->hist[i + 1], (size_t)(a->n_hist - i - 1) * sizeof a->hist[0]);
	a->n_hist--;
}

int
app_history_fetch(struct app *a, const char *name, bool open, const char *tab)
{
	struct app_hist *h;
	int r;

	if (a->feed == NULL || a->feed->history == NULL || name == NULL || name[0] == '\0' ||
	    strlen(name) >= sizeof a->hist[0].name)
		return -1;
	r = a->feed->history(a->feed_ctx, name);
	if (r < 0)
		return -1;
	if ((h = pending(a, name)) != NULL) {
		if (open) {
			h->open = true;
			snprintf(h->tab, sizeof h->tab, "%s", tab != NULL ? tab : "");
		}
		return UI_REDRAW;
	}
	if (r == 0) {
		/* asked before and finished: its rows are in the store (or there were none) */
		if (open)
			return app_message(a, true, "domain: no rows of %s in the ClickHouse window", name);
		return UI_OK;
	}
	if (a->n_hist == (int)(sizeof a->hist / sizeof a->hist[0]))
		drop(a, 0);   /* the oldest is no longer watched; its rows still arrive */
	h = &a->hist[a->n_hist++];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	h->open = open;
	snprintf(h->tab, sizeof h->tab, "%s", open && tab != NULL ? tab : "");
	return app_message(a, false, "fetching the history of %s from %s…", name, a->prog.source);
}

static bool
in_snap(const struct app *a, const char *name)
{
	for (uint32_t i = 0; a->snap != NULL && i < a->snap->dom.n; i++)
		if (a->snap->dom.rows[i].name != NULL && strcasecmp(a->snap->dom.rows[i].name, name) == 0)
			return true;
	return false;
}

int
app_history_tick(struct app *a)
{
	int r = UI_OK;

	for (int i = 0; i < a->n_hist;) {
		struct app_hist *h = &a->hist[i];
		char err[768];
		uint64_t rows = 0;
		int st = a->feed->history_state != NULL ?
		         a->feed->history_state(a->feed_ctx, h->name, &rows, err, sizeof err) : APP_HIST_FAILED;
		if (a->feed->history_state == NULL)
			snprintf(err, sizeof err, "the history of %s cannot be followed", h->name);

		if (st == APP_HIST_RUNNING || st == APP_HIST_NONE) {
			i++;
			continue;
		}
		if (st == APP_HIST_FAILED) {
			r |= app_message(a, true, "%s", err);
			drop(a, i);
			continue;
		}
		if (!h->announced) {
			h->announced = true;
			h->done_ms = fs_mono_ms();
			h->rows = rows;
			if (err[0] != '\0')
				r |= app_message(a, true, "%s", err);
			else
				r |= app_message(a, false, "%s: %llu more row%s of its history from ClickHouse",
				                 h->name, (unsigned long long)rows, rows == 1 ? "" : "s");
		}
		if (!h->open) {
			drop(a, i);
			continue;
		}
		/* open its detail once a snapshot holds it */
		if (in_snap(a, h->name)) {
			char cmd[300];
			snprintf(cmd, sizeof cmd, "domain %s %s", h->name, h->tab);
			drop(a, i);
			r |= app_run_command(a, cmd);
			continue;
		}
		if (h->rows == 0 || fs_mono_ms() - h->done_ms > OPEN_WAIT_MS) {
			r |= app_message(a, true, "domain: no rows of %s in the ClickHouse window", h->name);
			drop(a, i);
			continue;
		}
		i++;
	}
	return r;
}

bool
app_history_busy(const struct app *a, const char *name)
{
	const struct app_hist *h = pending(a, name);
	return h != NULL && !h->announced;
}

bool
app_history_status(const struct app *a, char *buf, size_t len)
{
	for (int i = 0; i < a->n_hist; i++)
		if (!a->hist[i].announced) {
			snprintf(buf, len, "fetching history of %s…", a->hist[i].name);
			return true;
		}
	return false;
}
