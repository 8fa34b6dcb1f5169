/* The debug log of `--log FILE`: one line per event (captures opened and read, packets
 * skipped, detector runs, ageing runs, timings), each with the wall-clock time and the
 * milliseconds since the log was opened. Off (every call returns at once) until opened.
 *
 * Threads: any thread may call fs_log(); lines are written whole, under a mutex. Open and
 * close from the main thread while no other thread logs. */
#ifndef FLUXSCOPE_LOG_H
#define FLUXSCOPE_LOG_H

#include <stdbool.h>

#include "fluxscope/fs.h"

/* Open path for appending ("-" = standard error). On error: FS_E_IO, one sentence naming the
 * file. */
fs_status fs_log_open(const char *path, struct fs_err *err);
void fs_log_close(void);
bool fs_log_enabled(void);

/* One line: "2025-03-01T10:00:00Z +12.345 topic: message". */
void fs_log(const char *topic, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One "memory" line when the log is on: the process's resident memory now and at its peak
 * (/proc/self/status) and the heap's bytes in use and held (glibc's mallinfo2), after `when`
 * (a phase: "read", "detected", …). Any thread. */
void fs_log_memory(const char *when);

#endif
