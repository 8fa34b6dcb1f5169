/* The TUI's :probe (issue 17): a probe (fluxscope/probe.h) on a thread of its own, adding its
 * answers to the store while the UI goes on; progress in the status bar, `:probe stop` ends it.
 * UI thread only. */
#ifndef FLUXSCOPE_UI_PROBE_UI_H
#define FLUXSCOPE_UI_PROBE_UI_H

#include <stdbool.h>
#include <stddef.h>

struct app;

/* Start probing name (NULL: the domain or registrable-domain row under the cursor). Returns a
 * reaction; the refusal (probing off, one already running, no name) goes to the message line. */
int app_probe(struct app *a, const char *name);
int app_probe_stop(struct app *a);
/* Poll the running probe: its status line, and a message when it ends. Returns a reaction. */
int app_probe_tick(struct app *a);
/* The status-bar text of a probe that runs, else false. */
bool app_probe_status(const struct app *a, char *buf, size_t len);
/* Stop and free the probe (before the store goes). */
void app_probe_fini(struct app *a);

#endif
