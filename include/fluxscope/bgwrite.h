/* Background atomic writes: small state files (prompt history, sessions) saved after every
 * change without the caller waiting on the disk. One writer thread, started on first use;
 * for each path only the newest content waits (older pending versions are dropped, never
 * written after a newer one). Each write goes through fs_write_atomic (temp file, fsync,
 * rename), after creating the missing parent folders (mode 0700).
 *
 * Any thread may call these. The data are copied; the caller keeps its buffer. */
#ifndef FLUXSCOPE_BGWRITE_H
#define FLUXSCOPE_BGWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "fluxscope/fs.h"

/* Queue data for path (replacing what waits for the same path). */
void fs_bg_write(const char *path, const void *data, size_t len);
/* Wait until everything queued before the call is on disk (or failed). */
void fs_bg_flush(void);
/* The last failure as one sentence naming the path, then cleared; false when none. */
bool fs_bg_take_error(char *buf, size_t len);
/* Flush, then stop the thread (at exit; fs_bg_write starts it again if called later). */
void fs_bg_shutdown(void);

/* mkdir -p for the folders above path (not path itself), mode 0700. */
fs_status fs_mkdir_parents(const char *path, struct fs_err *err);

/* The state folder: $XDG_STATE_HOME/fluxscope or ~/.local/state/fluxscope, into buf; false
 * when neither XDG_STATE_HOME nor HOME is set. */
bool fs_state_dir(char *buf, size_t len);

#endif
