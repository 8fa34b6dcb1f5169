/* The TUI's data feed (struct app_feed_ops) over the ingest driver: loading runs on the
 * ingest thread; the UI thread polls progress, asks it to stop, and (with a store and a
 * detector) takes snapshots that a worker thread rebuilds whenever the store changed.
 * Any source the ingest driver reads (files now, live interfaces later) feeds the same way. */
#ifndef FLUXSCOPE_UI_LOADER_H
#define FLUXSCOPE_UI_LOADER_H

#include <stdbool.h>

#include "fluxscope/fs.h"
#include "fluxscope/ingest.h"
#include "ui/app.h"

struct loader;

struct loader_config {
	struct ingest *in;         /* takes ownership; its message callback must be loader_msg_cb */
	const char *source;        /* label for the status bar */
	bool live;
};

/* Caller frees with loader_free() (stops and joins the threads first). */
struct loader *loader_new(const struct loader_config *cfg);
/* Start the ingest thread. */
fs_status loader_start(struct loader *l, struct fs_err *err);
void loader_free(struct loader *l);

/* The message callback to give ingest_new(), with the loader as its context. It is created
 * before the ingest driver, so the loader can be handed over as ctx: use loader_alloc() then
 * loader_init(). */
void loader_msg_cb(void *ctx, const struct dns_msg *msg);
struct loader *loader_alloc(void);
void loader_init(struct loader *l, const struct loader_config *cfg);

extern const struct app_feed_ops loader_feed_ops;

#endif
