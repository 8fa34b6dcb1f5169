/* Saved investigations: the captures read, marks and notes, the filter, sort, view stack,
 * theme and export choices, in one versioned JSON file (docs/sessions.md describes it).
 *
 * Writes are atomic (temp file, fsync, rename): session_save() waits for the disk,
 * session_autosave() hands the bytes to the background writer (fluxscope/bgwrite.h) so the
 * UI never waits. A file that is not a fluxscope session, is damaged, or was written by a newer
 * version is refused by session_load() with one sentence naming it, and is never overwritten
 * by a session that failed to load (the caller gets no session to save).
 *
 * Threads: one thread at a time per session (the UI thread, or the headless main thread). */
#ifndef FLUXSCOPE_SESSION_H
#define FLUXSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"
#include "fluxscope/notes.h"

#define SESSION_FORMAT "fluxscope-session"
#define SESSION_VERSION 1

struct session_capture {
	char *path;                /* absolute when it could be made so */
	uint64_t size;
	int64_t mtime;             /* seconds */
	char hash[40];             /* "fnv1a64:" + 16 hex digits over the first and last MiB and
	                            * the size; "" when the file could not be read */
};

struct session {
	char *path;                /* where it is saved; NULL until :save PATH */
	struct session_capture *caps;
	size_t n_caps;
	struct notes *notes;       /* owned */
	char *filter;              /* "" = none */
	char *sort;                /* column name, "" = default */
	bool sort_desc;
	bool show_all;             /* all domains rather than flagged ones */
	bool grouped;
	char *theme;               /* "" = default */
	char **views;              /* the view stack below the list, e.g. "detail evil.com tab=2" */
	size_t n_views;
	char *export_format, *export_path;   /* the export dialog's last choices ("" = none) */
	uint64_t saved_gen;        /* the change counter at the last save (see session_dirty) */
	uint64_t gen;              /* bumped by session_touch() */
};

/* A new, empty session saved at path (may be NULL). */
struct session *session_new(const char *path);
void session_free(struct session *s);

/* Read path. FS_E_NOTFOUND when it does not exist (the caller may start a new one there);
 * otherwise any problem is FS_E_FORMAT with a sentence naming the file and what is wrong. */
fs_status session_load(const char *path, struct session **out, struct fs_err *err);
/* The same from memory (name stands for the file in errors). */
fs_status session_parse(const char *text, size_t len, const char *name, struct session **out,
                        struct fs_err *err);

/* The JSON text (caller frees). */
char *session_to_json(const struct session *s, size_t *len);
/* Save now (atomic, fsync'd). */
fs_status session_save(struct session *s, struct fs_err *err);
/* Save in the background when something changed since the last save (no-op without a path). */
void session_autosave(struct session *s);
/* Something changed (string fields set with session_set). */
void session_touch(struct session *s);
bool session_dirty(const struct session *s);
/* Replace a string field (e.g. &s->filter) with a copy of v ("" for NULL); touches when it
 * differs. */
void session_set(struct session *s, char **field, const char *v);
/* Replace the view stack. */
void session_set_views(struct session *s, const char *const *views, size_t n);

/* Add a capture (fingerprinted now); returns its index; a path already there is not added
 * twice. Errors name the file. */
fs_status session_add_capture(struct session *s, const char *path, size_t *idx, struct fs_err *err);
/* Compare a saved capture with the file now: FS_OK when the same; FS_E_NOTFOUND when gone;
 * FS_E_FORMAT when size, time or hash changed (err says which). */
fs_status session_check_capture(const struct session_capture *c, struct fs_err *err);
/* Fingerprint path into c (c->path is set to a copy). */
fs_status session_fingerprint(const char *path, struct session_capture *c, struct fs_err *err);

#endif
