/* The pager overlay (pager.c): text, or the output of an outside program run as a child
 * process and read without blocking the UI thread (at each tick). UI thread. */
#ifndef FLUXSCOPE_UI_PAGER_H
#define FLUXSCOPE_UI_PAGER_H

#include <stdbool.h>

#include "ui/app.h"

/* Run argv (argv[0] looked up in PATH) with stdin from /dev/null and its stdout and stderr
 * shown. A failure to start is shown in the pager. */
struct overlay *pager_overlay_run(const char *title, char *const argv[]);
struct overlay *pager_overlay_text(const char *title, const char *text);
/* For tests: whether the program still runs, and what it printed so far. */
bool pager_running(const struct overlay *o);
const char *pager_text(const struct overlay *o);

#endif
