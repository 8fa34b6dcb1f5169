/* The ingest driver every front end uses: capture sources → decoder → a message callback
 * (the store, --dump, ...). Runs synchronously or on its own thread; any thread can read its
 * progress and ask it to stop, and it then ends cleanly, keeping everything read so far.
 *
 * Several sources are merged by capture time (files taken in parallel at different points
 * interleave as they happened); a single source is read straight through.
 *
 * Threads: ingest_new/add/start/wait/free on the owning thread. The frame hook runs on the
 * ingest thread (the caller's thread for ingest_run). The message callback runs there too,
 * except when the driver pipelines (ingest_set_threads, files of known size only): then it
 * runs on a second thread of the driver's, always the same one during a run, one call at a
 * time, with the same messages in the same order; the run returns after its last call.
 * ingest_progress(), ingest_dec_stats() and ingest_stop() may be called from any thread at
 * any time. */
#ifndef FLUXSCOPE_INGEST_H
#define FLUXSCOPE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/capture.h"
#include "fluxscope/decode.h"
#include "fluxscope/fs.h"

struct ingest;

/* Every decoded DNS message; msg is borrowed for the duration of the call (decode.h). */
typedef void (*ingest_msg_fn)(void *ctx, const struct dns_msg *msg);
/* Every raw frame before it is decoded (for a -w writer, say); frame borrowed likewise. */
typedef void (*ingest_frame_fn)(void *ctx, int src_index, const struct cap_frame *frame);

struct ingest_progress {
	uint64_t bytes_read, bytes_total;  /* file bytes over all sources; total 0 = unknown */
	uint64_t frames, messages;
	uint64_t kernel_drops, iface_drops;
	uint64_t app_drops;                /* live: captured but not analysed (hand-off full) */
	fs_time first_ts, last_ts;         /* capture time of the first and latest frame */
	double elapsed_s;                  /* wall-clock seconds since the start */
	double frames_per_s, bytes_per_s;  /* averages since the start */
	double eta_s;                      /* seconds left, -1 when unknown (stdin, live) */
	int n_sources, sources_done;
	bool running;                      /* started and not yet finished */
	bool finished;                     /* every source read to its end, or stopped */
	bool stopped;                      /* ended by ingest_stop() */
};

/* cfg NULL = defaults. fn may be NULL (counting only). Caller frees with ingest_free(). */
struct ingest *ingest_new(const struct dec_config *cfg, ingest_msg_fn fn, void *ctx);
void ingest_set_frame_hook(struct ingest *in, ingest_frame_fn fn, void *ctx);
/* Reading as a pipeline (see ingest_set_threads): every decoded message, on the decoding
 * thread, before it goes to the callback's thread (msg borrowed likewise), for work taken off
 * the callback's thread (the report looks up the enrichment of the answer addresses there).
 * Never called when decoding and the callback share a thread: a callback that leaves work to
 * the hook does it itself until the hook has run once (what the hook did before handing a
 * message over is visible to the callback of that message). Before the run. */
void ingest_set_ahead_hook(struct ingest *in, ingest_msg_fn fn, void *ctx);
/* Number this driver's sources from base in the messages' src_index (a capture opened later
 * into the same store, after the base sources of another driver). Before ingest_start(). */
void ingest_set_src_base(struct ingest *in, int base);
/* Threads the run may use: 1 = decode and callback on one thread; 2 or more (the default
 * fs_threads(), on a machine with two cores or more) = decode on the ingest thread and the
 * message callback on a second one, with batched hand-off, when every source is a file of
 * known size (never live captures or standard input). Before the run. */
void ingest_set_threads(struct ingest *in, int n);

/* Open a pcap/pcapng file ("-" = stdin) as the next source; err names the file on failure. */
fs_status ingest_add_file(struct ingest *in, const char *path, struct fs_err *err);
/* Add an opened source (live capture, ...); takes ownership. */
void ingest_add_source(struct ingest *in, struct cap_source *src);

/* Read every source to its end (or until stopped) on the calling thread, then flush the
 * decoder. Returns FS_OK, or the status of the first source that failed mid-way (truncated,
 * corrupt, I/O) with its sentence in err; the other sources are still read. */
fs_status ingest_run(struct ingest *in, struct fs_err *err);

/* The same on a new thread; ingest_wait() joins it and returns what ingest_run would. */
fs_status ingest_start(struct ingest *in, struct fs_err *err);
fs_status ingest_wait(struct ingest *in, struct fs_err *err);

/* Any thread: ask the run to end after the current frame (it flushes and keeps what it has).
 * When every source drains (live capture), the run ends instead once they have delivered
 * what they had captured before the stop. Not async-signal-safe: a signal handler sets a
 * flag that a thread turns into this call. */
void ingest_stop(struct ingest *in);

/* Any thread. */
void ingest_progress(struct ingest *in, struct ingest_progress *out);
/* Any thread: the decoder counters, as published every few thousand frames and at the end. */
void ingest_dec_stats(struct ingest *in, struct dec_stats *out);

/* After the run: every source failure, one sentence each, in source order. */
size_t ingest_n_errors(const struct ingest *in);
const struct fs_err *ingest_error(const struct ingest *in, size_t i);

int ingest_n_sources(const struct ingest *in);
/* The i-th source (borrowed; owned by the ingest driver), NULL when out of range. */
struct cap_source *ingest_source(struct ingest *in, int i);
const char *ingest_source_name(const struct ingest *in, int i);   /* borrowed */
void ingest_source_stats(struct ingest *in, int i, struct cap_stats *out);   /* any thread */

/* Stops and joins a running thread first. */
void ingest_free(struct ingest *in);

#endif
