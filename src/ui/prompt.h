/* The prompt line (`:` commands, `/` search, `f` filter, dialog fields) edited by GNU readline
 * through its callback API: keys are fed in with rl_getc_function, and readline's redisplay
 * hook copies its buffer into app->prompt, which app_draw() renders. Readline never touches the
 * terminal (prep/deprep are no-ops, output goes to /dev/null). UI thread only. */
#ifndef FLUXSCOPE_UI_PROMPT_H
#define FLUXSCOPE_UI_PROMPT_H

#include "ui/app.h"

/* Feed one key to the active prompt; returns a reaction. */
int prompt_key(struct app *a, ui_key k);
/* Abandon the prompt (if any) without running it. */
void prompt_end(struct app *a);
/* Open a free-text prompt whose line goes to done(a, ctx, line) (dialogs: ctx is the dialog,
 * which must still be open when done() runs, or done() must check that it is). */
int prompt_text(struct app *a, const char *label, const char *initial,
                void (*done)(struct app *a, void *ctx, const char *line), void *ctx);

/* Keep prompt history (commands, searches, filters; at most 500 each) across runs in path
 * (NULL: not kept): read now, rewritten in the background (fs_bg_write) after every line. */
void prompt_history_load(const char *path);

#endif
