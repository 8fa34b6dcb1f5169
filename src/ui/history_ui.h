/* Drill-down on a ClickHouse window (issue 15): opening a domain asks the feed for the rows the
 * window left out (fluxscope/chouse.h), fetched on the feed's thread; the UI only polls. While
 * a fetch runs the status bar and the detail's title say "fetching history…"; the detail is
 * rebuilt with the next snapshot when the rows are in the store. `:domain NAME` for a name the
 * window did not load at all fetches it and opens it when its rows arrive.
 * UI thread only. */
#ifndef FLUXSCOPE_UI_HISTORY_UI_H
#define FLUXSCOPE_UI_HISTORY_UI_H

#include <stdbool.h>
#include <stddef.h>

struct app;

/* Ask for name's rows (open: push its detail when they arrive, on tab, a tab number or name, or
 * NULL). Returns a reaction, or -1 when the feed has nothing to fetch from (not a ClickHouse
 * window). */
int app_history_fetch(struct app *a, const char *name, bool open, const char *tab);
/* Poll the fetches: messages when they end, the detail opened for `open` ones. Reaction. */
int app_history_tick(struct app *a);
/* Whether name's fetch is under way. */
bool app_history_busy(const struct app *a, const char *name);
/* The status-bar text while a fetch runs, else false. */
bool app_history_status(const struct app *a, char *buf, size_t len);

#endif
