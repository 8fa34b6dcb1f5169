/* The ingest driver: reads sources (merged by capture time), feeds the decoder, counts, and
 * publishes progress through atomics so a UI thread can draw a progress bar while it runs.
 *
 * On two cores or more, reading files is a two-stage pipeline: this thread reads and decodes,
 * a second one runs the message callback (the store, --dump's writer) on batches of decoded
 * messages copied whole (msgq.h), in the order decoded: the callback sees the same messages
 * in the same order as with one thread. Live captures already have their capture thread, and
 * standard input can block with a batch half full, so those run on one thread. */
#include "fluxscope/ingest.h"

#include "ingest/msgq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INGEST_MAX_SOURCES 256
#define STATS_PUBLISH_EVERY 4096   /* frames between decoder-counter snapshots */
#define PIPE_BATCH_BYTES (256u << 10)
#define PIPE_BATCHES 8

struct ingest_src {
	struct cap_source *src;
	struct cap_frame fr;           /* read-ahead frame for the merge */
	bool have, done;
	uint32_t n_frames;              /* frames read from this source (frame numbers) */
};

struct ingest {
	int src_base;              /* added to source indexes in messages (ingest_set_src_base) */
	struct dec_config cfg;
	struct decoder *dec;
	ingest_msg_fn msg_fn;
	void *msg_ctx;
	ingest_frame_fn frame_fn;
	void *frame_ctx;
	ingest_msg_fn ahead_fn;    /* pipeline only: on the decoding thread */
	void *ahead_ctx;

	struct ingest_src *srcs;
	int n_srcs;

	struct fs_err *errs;
	size_t n_errs;

	pthread_t thread;
	bool thread_started;
	fs_status result;
	struct fs_err result_err;

	_Atomic bool stop;                  /* end now */
	_Atomic bool stop_asked;            /* ingest_stop() was called (draining sources finish) */
	_Atomic bool running, finished, stopped;
	_Atomic uint64_t frames, messages;
	_Atomic int64_t first_ts, last_ts;
	_Atomic int sources_done;
	_Atomic int64_t start_us, end_us;   /* monotonic */

	uint64_t n_frames, n_messages;     /* ingest thread's own counters (n_messages: the
	                                    * callback thread's) */
	int threads;                       /* 1 = no pipeline */
	struct msgq *q;                    /* the pipeline's hand-off while it runs */
	pthread_t cons;

	pthread_mutex_t stats_mu;
	struct dec_stats stats_pub;
};

struct ingest *
ingest_new(const struct dec_config *cfg, ingest_msg_fn fn, void *ctx)
{
	struct ingest *in = xcalloc(1, sizeof *in);

	if (cfg != NULL)
		in->cfg = *cfg;
	else
		dec_config_default(&in->cfg);
	in->msg_fn = fn;
	in->msg_ctx = ctx;
	in->threads = fs_threads();
	pthread_mutex_init(&in->stats_mu, NULL);
	return in;
}

void
ingest_set_frame_hook(struct ingest *in, ingest_frame_fn fn, void *ctx)
{
	in->frame_fn = fn;
	in->frame_ctx = ctx;
}

void
ingest_set_ahead_hook(struct ingest *in, ingest_msg_fn fn, void *ctx)
{
	in->ahead_fn = fn;
	in->ahead_ctx = ctx;
}

void
ingest_set_threads(struct ingest *in, int n)
{
	in->threads = n < 1 ? 1 : n;
}

void
ingest_add_source(struct ingest *in, struct cap_source *src)
{
	if (in->n_srcs == INGEST_MAX_SOURCES)
		fs_fatal("ingest: more than %d sources", INGEST_MAX_SOURCES);
	in->srcs = xreallocarray(in->srcs, (size_t)in->n_srcs + 1, sizeof *in->srcs);
	memset(&in->srcs[in->n_srcs], 0, sizeof in->srcs[0]);
	src->index = in->n_srcs;
	in->srcs[in->n_srcs++].src = src;
}

fs_status
ingest_add_file(struct ingest *in, const char *path, struct fs_err *err)
{
	struct cap_source *src;

	if (in->n_srcs == INGEST_MAX_SOURCES)
		return fs_err_set(err, FS_E_ARG, "too many capture files (at most %d)", INGEST_MAX_SOURCES);
	fs_status st = cap_open_file(path, &src, err);
	if (st != FS_OK)
		return st;
	ingest_add_source(in, src);
	return FS_OK;
}

static void
record_error(struct ingest *in, const struct fs_err *e)
{
	in->errs = xreallocarray(in->errs, in->n_errs + 1, sizeof *in->errs);
	in->errs[in->n_errs++] = *e;
}

static void
publish_stats(struct ingest *in)
{
	pthread_mutex_lock(&in->stats_mu);
	in->stats_pub = *dec_stats(in->dec);
	pthread_mutex_unlock(&in->stats_mu);
}

static inline void
deliver(struct ingest *in, const struct dns_msg *m)
{
	in->n_messages++;
	atomic_store_explicit(&in->messages, in->n_messages, memory_order_relaxed);
	if (in->msg_fn != NULL)
		in->msg_fn(in->msg_ctx, m);
}

static void
on_message(void *ctx, const struct dns_msg *m)
{
	struct ingest *in = ctx;

	if (in->q != NULL) {
		if (in->ahead_fn != NULL)
			in->ahead_fn(in->ahead_ctx, m);
		msgq_put(in->q, m);
	} else
		deliver(in, m);
}

/* The pipeline's second stage: the callback over every batch, in order. */
static void *
consumer_thread(void *arg)
{
	struct ingest *in = arg;
	struct msgq_batch *b;

	while ((b = msgq_take(in->q)) != NULL) {
		for (const struct dns_msg *m = msgq_first(b); m != NULL; m = msgq_next(b, m))
			deliver(in, m);
		msgq_release(in->q, b);
	}
	return NULL;
}

/* Files of known size only: a live source has its own capture thread, and a pipe can block
 * with a batch half full, holding back messages a live view should show now. */
static bool
pipeline_fits(struct ingest *in)
{
	struct cap_stats cs;

	if (in->threads < 2 || in->msg_fn == NULL || in->n_srcs == 0)
		return false;
	for (int i = 0; i < in->n_srcs; i++) {
		cap_source_stats(in->srcs[i].src, &cs);
		if (cs.live || cs.bytes_total == 0)
			return false;
	}
	return true;
}

static inline void
process_frame(struct ingest *in, int idx, const struct cap_frame *fr)
{
	if (in->n_frames == 0)
		atomic_store_explicit(&in->first_ts, fr->ts, memory_order_relaxed);
	in->n_frames++;
	atomic_store_explicit(&in->frames, in->n_frames, memory_order_relaxed);
	atomic_store_explicit(&in->last_ts, fr->ts, memory_order_relaxed);
	if (in->frame_fn != NULL)
		in->frame_fn(in->frame_ctx, idx, fr);
	dec_set_frame(in->dec, ++in->srcs[idx].n_frames);
	dec_packet(in->dec, fr->linktype, fr->ts, fr->data, fr->caplen, fr->wirelen, in->src_base + idx,
	           on_message, in);
	if (in->n_frames % STATS_PUBLISH_EVERY == 0)
		publish_stats(in);
}

static void
source_ended(struct ingest *in, struct ingest_src *s)
{
	s->done = true;
	s->have = false;
	atomic_fetch_add_explicit(&in->sources_done, 1, memory_order_relaxed);
}

/* Read-ahead for the merge: false when the source has nothing now (ended or live timeout). */
static bool
source_fill(struct ingest *in, struct ingest_src *s)
{
	struct fs_err e = { 0 };

	if (s->have || s->done)
		return s->have;
	switch (cap_source_next(s->src, &s->fr, &e)) {
	case CAP_FRAME:
		s->have = true;
		return true;
	case CAP_AGAIN:
		return false;
	case CAP_ERROR:
		record_error(in, &e);
		source_ended(in, s);
		return false;
	case CAP_EOF:
	default:
		source_ended(in, s);
		return false;
	}
}

static void
run_single(struct ingest *in)
{
	struct ingest_src *s = &in->srcs[0];
	struct fs_err e = { 0 };

	while (!atomic_load_explicit(&in->stop, memory_order_relaxed)) {
		enum cap_next r = cap_source_next(s->src, &s->fr, &e);
		if (r == CAP_FRAME) {
			process_frame(in, 0, &s->fr);
			continue;
		}
		if (r == CAP_AGAIN)
			continue;
		if (r == CAP_ERROR)
			record_error(in, &e);
		source_ended(in, s);
		break;
	}
}

static void
run_merged(struct ingest *in)
{
	while (!atomic_load_explicit(&in->stop, memory_order_relaxed)) {
		int best = -1, live = 0;
		for (int i = 0; i < in->n_srcs; i++) {
			struct ingest_src *s = &in->srcs[i];
			if (!source_fill(in, s)) {
				live += !s->done;
				continue;
			}
			if (best < 0 || s->fr.ts < in->srcs[best].fr.ts)
				best = i;
		}
		if (best < 0) {
			if (live == 0)
				break;
			continue;   /* only live sources, all between packets */
		}
		in->srcs[best].have = false;
		process_frame(in, best, &in->srcs[best].fr);
	}
}

fs_status
ingest_run(struct ingest *in, struct fs_err *err)
{
	fs_err_clear(err);
	in->dec = dec_new(&in->cfg);
	atomic_store(&in->start_us, fs_mono_us());
	atomic_store(&in->running, true);
	if (pipeline_fits(in)) {
		in->q = msgq_new(PIPE_BATCH_BYTES, PIPE_BATCHES);
		if (pthread_create(&in->cons, NULL, consumer_thread, in) != 0) {
			msgq_free(in->q);
			in->q = NULL;
		}
	}
	if (in->n_srcs == 1)
		run_single(in);
	else if (in->n_srcs > 1)
		run_merged(in);
	if (atomic_load(&in->stop) || atomic_load(&in->stop_asked))
		atomic_store(&in->stopped, true);
	dec_flush(in->dec, on_message, in);
	if (in->q != NULL) {
		msgq_close(in->q);
		pthread_join(in->cons, NULL);
		msgq_free(in->q);
		in->q = NULL;
	}
	publish_stats(in);
	/* the counters are published: the decoder's stream and fragment tables are given back
	 * now rather than with the ingest, which callers keep for its statistics */
	dec_free(in->dec);
	in->dec = NULL;
	atomic_store(&in->end_us, fs_mono_us());
	atomic_store(&in->running, false);
	atomic_store(&in->finished, true);
	if (in->n_errs > 0) {
		if (err != NULL)
			*err = in->errs[0];
		return in->errs[0].status;
	}
	return FS_OK;
}

static void *
ingest_thread(void *arg)
{
	struct ingest *in = arg;
	in->result = ingest_run(in, &in->result_err);
	return NULL;
}

fs_status
ingest_start(struct ingest *in, struct fs_err *err)
{
	/* Mark running before the thread exists, so a progress reader never sees a gap. */
	atomic_store(&in->start_us, fs_mono_us());
	atomic_store(&in->running, true);
	int r = pthread_create(&in->thread, NULL, ingest_thread, in);
	if (r != 0) {
		atomic_store(&in->running, false);
		return fs_err_set(err, FS_E_INTERNAL, "cannot start the ingest thread: %s", strerror(r));
	}
	in->thread_started = true;
	return FS_OK;
}

fs_status
ingest_wait(struct ingest *in, struct fs_err *err)
{
	if (!in->thread_started)
		return fs_err_set(err, FS_E_INTERNAL, "ingest_wait without ingest_start");
	pthread_join(in->thread, NULL);
	in->thread_started = false;
	if (err != NULL)
		*err = in->result_err;
	return in->result;
}

void
ingest_stop(struct ingest *in)
{
	bool drain = in->n_srcs > 0;

	for (int i = 0; i < in->n_srcs; i++)
		drain &= in->srcs[i].src->ops->drains;
	atomic_store(&in->stop_asked, true);
	if (!drain)
		atomic_store(&in->stop, true);
	for (int i = 0; i < in->n_srcs; i++) {
		struct cap_source *s = in->srcs[i].src;
		if (s->ops->breakloop != NULL)
			s->ops->breakloop(s);
	}
}

void
ingest_progress(struct ingest *in, struct ingest_progress *out)
{
	struct cap_stats cs;
	bool total_known = in->n_srcs > 0;

	memset(out, 0, sizeof *out);
	for (int i = 0; i < in->n_srcs; i++) {
		cap_source_stats(in->srcs[i].src, &cs);
		out->bytes_read += cs.bytes_read;
		out->bytes_total += cs.bytes_total;
		out->kernel_drops += cs.kernel_drops;
		out->iface_drops += cs.iface_drops;
		out->app_drops += cs.app_drops;
		total_known &= cs.bytes_total > 0;
	}
	if (!total_known)
		out->bytes_total = 0;
	out->frames = atomic_load_explicit(&in->frames, memory_order_relaxed);
	out->messages = atomic_load_explicit(&in->messages, memory_order_relaxed);
	out->first_ts = atomic_load_explicit(&in->first_ts, memory_order_relaxed);
	out->last_ts = atomic_load_explicit(&in->last_ts, memory_order_relaxed);
	out->n_sources = in->n_srcs;
	out->sources_done = atomic_load_explicit(&in->sources_done, memory_order_relaxed);
	out->running = atomic_load(&in->running);
	out->finished = atomic_load(&in->finished);
	out->stopped = atomic_load(&in->stopped);
	int64_t start = atomic_load(&in->start_us);
	int64_t end = out->finished ? atomic_load(&in->end_us) : fs_mono_us();
	out->elapsed_s = start ? (double)(end - start) / 1e6 : 0;
	out->eta_s = -1;
	if (out->elapsed_s > 0) {
		out->frames_per_s = (double)out->frames / out->elapsed_s;
		out->bytes_per_s = (double)out->bytes_read / out->elapsed_s;
		if (out->bytes_total > 0 && out->bytes_per_s > 0)
			out->eta_s = out->bytes_read >= out->bytes_total ? 0 :
			             (double)(out->bytes_total - out->bytes_read) / out->bytes_per_s;
	}
}

void
ingest_dec_stats(struct ingest *in, struct dec_stats *out)
{
	pthread_mutex_lock(&in->stats_mu);
	*out = in->stats_pub;
	pthread_mutex_unlock(&in->stats_mu);
}

size_t
ingest_n_errors(const struct ingest *in)
{
	return in->n_errs;
}

const struct fs_err *
ingest_error(const struct ingest *in, size_t i)
{
	return i < in->n_errs ? &in->errs[i] : NULL;
}

int
ingest_n_sources(const struct ingest *in)
{
	return in->n_srcs;
}

struct cap_source *
ingest_source(struct ingest *in, int i)
{
	return i >= 0 && i < in->n_srcs ? in->srcs[i].src : NULL;
}

const char *
ingest_source_name(const struct ingest *in, int i)
{
	return i >= 0 && i < in->n_srcs ? in->srcs[i].src->name : NULL;
}

void
ingest_source_stats(struct ingest *in, int i, struct cap_stats *out)
{
	memset(out, 0, sizeof *out);
	if (i >= 0 && i < in->n_srcs)
		cap_source_stats(in->srcs[i].src, out);
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->thread_started) {
		ingest_stop(in);
		pthread_join(in->thread, NULL);
	}
	for (int i = 0; i < in->n_srcs; i++)
		cap_source_close(in->srcs[i].src);
	free(in->srcs);
	free(in->errs);
	dec_free(in->dec);
	pthread_mutex_destroy(&in->stats_mu);
	free(in);
}

void
ingest_set_src_base(struct ingest *in, int base)
{
	in->src_base = base < 0 ? 0 : base;
}
