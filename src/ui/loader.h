/* The TUI's data feed (struct app_feed_ops) over the ingest driver, the store and the
 * detector. Loading runs on the ingest thread, which adds every message to the store; a worker
 * thread re-runs detection whenever the store's generation moved (at most every few hundred
 * milliseconds, and once more when loading ends) and builds a snapshot of the rows the lists
 * show; the UI thread polls progress, takes snapshots and gives them back. Two detectors
 * alternate, so the one whose results the UI is showing is never rescored under it.
 * Any source the ingest driver reads (files now, live interfaces later) feeds the same way.
 *
 * The UI thread never waits for the store's write lock: a mark is put into the store at once
 * when the lock is free, else queued for the worker (marks_pending says how many wait).
 *
 * Threads: loader_new/start/free and the feed calls on the UI thread; loader_msg_cb on the
 * ingest thread. */
#ifndef FLUXSCOPE_UI_LOADER_H
#define FLUXSCOPE_UI_LOADER_H

#include <stdbool.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/fs.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "fluxscope/watch.h"
#include "ui/app.h"

struct loader;

struct loader_config {
	struct ingest *in;         /* takes ownership; made with loader_msg_cb and the loader */
	struct store *store;       /* borrowed: outlives the loader */
	struct detector *det[2];   /* takes ownership of both (same configuration); NULL: no scores */
	const char *source;        /* label for the status bar */
	bool live;
	int min_interval_ms;       /* between detection runs while loading; 0 = 300 */
	struct geo *det_geo;       /* borrowed: the detectors' enrichment handle, whose address
	                            * cache is kept to the addresses the store holds (ageing);
	                            * NULL = leave it */
	/* Borrowed (outlives the loader): the detectors' configuration. When set, a detector is
	 * made anew from it (with det_geo) before its first pass after an ageing run changed the
	 * store's epoch, so that results and arrays sized for the larger store before do not stay
	 * allocated (--max-memory); when that fails the old one goes on. NULL = never. */
	const struct det_config *det_cfg;
};

/* loader_alloc() first (its pointer is the ingest callback's context), then loader_init(). */
struct loader *loader_alloc(void);
void loader_init(struct loader *l, const struct loader_config *cfg);
/* Start the ingest and worker threads. */
fs_status loader_start(struct loader *l, struct fs_err *err);
/* Stop and join both threads, free the detectors and the ingest driver. Returns false when the
 * ingest thread could not be joined (blocked reading a pipe that sends nothing): then nothing
 * it uses was freed, the store must not be freed either, and the process should _exit(). */
bool loader_free(struct loader *l);

/* :open — read another capture into the same store while the UI runs, on a thread of its own,
 * its messages numbered src_index (the Timeline's file column). The worker re-scores as the
 * store grows. UI thread. */
fs_status loader_open(struct loader *l, const char *path, int src_index, const struct dec_config *cfg,
                      struct fs_err *err);
/* The decoder settings :open uses (the run's --dns-port). Before loader_start. */
void loader_set_dec_config(struct loader *l, const struct dec_config *cfg);
/* Whether a capture opened with loader_open is still being read; frames read by them. */
bool loader_open_busy(struct loader *l, uint64_t *frames);

/* The source failures of a finished load (a capture cut short, a read error), one sentence
 * each as every headless mode prints them: up to max copied into out; returns how many were
 * copied. 0 while the ingest still runs or was stopped before the end. UI thread, before
 * loader_free(). */
size_t loader_source_errors(struct loader *l, struct fs_err *out, size_t max);

/* The message callback to give ingest_new() with the loader as its context: adds the message
 * to the store under the write lock. Ingest thread. */
void loader_msg_cb(void *ctx, const struct dns_msg *msg);

/* The flagged domains of the worker's latest detection results, for the ageing watch of a
 * live capture or a file under --max-memory (watch_flagged_fn; ctx is the loader). Any
 * thread. */
bool loader_flagged(void *ctx, struct watch_flagged *out);

/* Build a snapshot of every store domain with the detector's results (NULL: store counts
 * only). Caller holds the store read lock. Exposed for tests and the benchmark. */
struct snap *loader_build_snap(const struct store *s, const struct detector *det);

extern const struct app_feed_ops loader_feed_ops;

#endif
