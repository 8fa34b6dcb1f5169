/* Sessions and notes in the TUI: the app's state (marks, notes, filter, sort, show, group,
 * theme, the detail views open) kept in a struct session, autosaved in the background after
 * every change (checked each tick), restored when a session is reopened; and the commands
 * :save, :note, :note-for, :unmark, :domain and the object forms of :mark. UI thread only. */
#ifndef FLUXSCOPE_UI_SESSION_UI_H
#define FLUXSCOPE_UI_SESSION_UI_H

#include "fluxscope/session.h"
#include "ui/app.h"

/* Use s (owned by the caller, outlives the app's run) for marks and notes; with restore_state
 * (a session reopened) its filter, sort, views and marks are applied once the first rows
 * arrive. */
void session_ui_attach(struct app *a, struct session *s, bool restore_state);
/* Called every tick: pending restore, state → session, autosave. Returns a reaction. */
int session_ui_tick(struct app *a);

/* The object under the cursor of the top view (a domain row, a zone row of the grouped view, a
 * detail line with an address, ASN or nameserver, else the detail's domain) as a kind and
 * canonical key; false when there is none. */
bool session_ui_current(struct app *a, enum note_kind *kind, char *key, size_t len);

int session_cmd_save(struct app *a, int argc, char **argv, struct fs_err *err);
int session_cmd_note(struct app *a, int argc, char **argv, struct fs_err *err);
int session_cmd_note_for(struct app *a, int argc, char **argv, struct fs_err *err);
int session_cmd_unmark(struct app *a, int argc, char **argv, struct fs_err *err);
int session_cmd_domain(struct app *a, int argc, char **argv, struct fs_err *err);
/* :mark KIND KEY (on), and :mark all (every row the list shows, filter applied). */
int session_cmd_mark_object(struct app *a, const char *kind, const char *key, bool on, struct fs_err *err);
int session_cmd_mark_all(struct app *a, struct fs_err *err);

#endif
