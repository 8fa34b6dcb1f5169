/* The feed behind the TUI: ingest thread → store; worker thread → detection → snapshots; the
 * UI thread polls. */
#include "ui/loader.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "fluxscope/chouse.h"
#include "fluxscope/model.h"
#include "fluxscope/log.h"

struct loader_mark {
	uint32_t dom;
	bool on;
};

#define LOADER_MAX_OPEN 15

struct loader {
	struct ingest *in;
	/* Captures opened later (:open), each read by its own driver into the same store; UI
	 * thread only. */
	struct ingest *opened[LOADER_MAX_OPEN];
	int n_opened;
	struct dec_config dec;     /* the decoder settings of the run, for :open */
	bool dec_set;
	struct store *store;
	struct detector *det[2];
	struct geo *det_geo;
	const struct det_config *det_cfg;
	bool det_busy[2];          /* held by the snapshot the UI shows, or by `ready` */
	bool det_dropped[2];       /* its results given back (det_drop_results; worker only) */
	char source[256];
	bool live;
	bool started;
	int min_interval_ms;
	/* Stop asked for: from then on the data is final, even while the ingest thread is still
	 * blocked in a read of a pipe that has no more data (it ends at the next frame or EOF). */
	atomic_bool stop_asked;

	pthread_t worker;
	bool worker_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool quit;
	struct snap *ready;        /* built and not yet taken */
	uint64_t built_gen;
	bool final_built;
	bool packed;               /* the store packed once reading ended (worker only) */
	atomic_bool scoring;
	double last_build_ms;
	/* Marks on their way to the store (the UI thread never waits for the write lock): guarded
	 * by mu, applied by the worker. */
	struct loader_mark *marks;
	size_t n_marks, cap_marks;
	/* The flagged domains of the latest detection results, for the ageing watch (guarded by
	 * mu). */
	struct watch_flagged flagged;
	bool have_flagged;
	/* UI thread: live rates over the last second or so */
	double rate_ms;
	uint64_t rate_pk, rate_dns;
	double pkt_rate, dns_rate;
	/* A ClickHouse window: drill-downs fetch what it left out (NULL for other sources). */
	struct ch_fetch *fetch;
};

struct loader *
loader_alloc(void)
{
	struct loader *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	return l;
}

void
loader_init(struct loader *l, const struct loader_config *cfg)
{
	l->in = cfg->in;
	l->store = cfg->store;
	l->det[0] = cfg->det[0];
	l->det[1] = cfg->det[1];
	l->det_geo = cfg->det_geo;
	l->det_cfg = cfg->det_cfg;
	l->live = cfg->live;
	l->min_interval_ms = cfg->min_interval_ms > 0 ? cfg->min_interval_ms : 300;
	snprintf(l->source, sizeof l->source, "%s", cfg->source != NULL ? cfg->source : "");
}

void
loader_msg_cb(void *ctx, const struct dns_msg *msg)
{
	struct loader *l = ctx;
	/* One lock per message: uncontended it costs tens of nanoseconds, and it lets the worker
	 * and the UI read between any two messages. */
	store_write_lock(l->store);
	store_add_msg(l->store, msg);
	store_write_unlock(l->store);
}

/* Copy s into the pool at *off; returns the copy. */
/* A zone row's verdict for a registrable-domain group (snap.h). */
static bool
zone_of(void *ctx, const char *name, struct snap_row *z)
{
	const struct det_result *r = det_zone_find(ctx, name);
	if (r == NULL)
		return false;
	z->verdict = (uint8_t)r->verdict;
	z->score = (float)r->score;
	z->logit = (float)r->logit;
	z->n_addrs = r->n_addrs;
	z->n_asns = r->n_asns;
	z->n_countries = r->n_countries;
	return true;
}

static const char *
pool_put(char *pool, size_t *off, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pool + *off;
	memcpy(d, s, n);
	*off += n;
	return d;
}

struct snap *
loader_build_snap(const struct store *st, const struct detector *det)
{
	size_t nd = store_domain_count(st), bytes = 0, off = 0;
	struct snap *s = snap_new((uint32_t)nd);
	const char **regs = xcalloc(nd ? nd : 1, sizeof *regs);

	/* Names are copied: a snapshot outlives the read lock, and store_expire() (live capture)
	 * may free the store's strings. */
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *d = store_domain(st, id);
		bytes += (d != NULL ? strlen(store_name_str(st, d->name)) : 0) + 1;
	}
	/* back to back in row order: searches run memmem over the pool */
	s->npool = xmalloc(bytes + 1);
	for (store_dom_id id = 1; id <= nd; id++) {
		struct model_list_row m;
		struct snap_row *row = &s->dom.rows[id - 1];

		model_list_row(st, det, id, &m);
		row->id = id;
		row->name = pool_put(s->npool, &off, m.name);
		if (!m.exists) {
			row->flags = SNAP_HIDDEN;
			continue;
		}
		row->first_seen = m.first_seen;
		row->last_seen = m.last_seen;
		row->n_responses = m.n_responses;
		row->n_nxdomain = m.n_nxdomain;
		row->flags |= (m.marked ? SNAP_MARKED : 0) | (m.listed ? 0 : SNAP_HIDDEN) |
		              (m.holz_available ? 0 : SNAP_NOHOLZ) | (m.intel ? SNAP_INTEL : 0);
		row->score = (float)m.score;
		row->rank = m.rank;
		row->logit = (float)m.logit;
		row->holz = (float)m.holz;
		row->verdict = (uint8_t)m.verdict;
		row->n_addrs = m.n_addrs;
		row->n_asns = m.n_asns;
		row->n_countries = m.n_countries;
		row->ttl_min = m.ttl_min;
		row->n_ns_changes = m.n_ns_changes;
		row->cluster = m.cluster;
		regs[id - 1] = m.registrable;
	}
	s->det = det;
	s->zone_of = det != NULL ? zone_of : NULL;
	s->zone_ctx = (void *)det;
	s->dom.names = s->npool;
	s->dom.names_len = off;
	snap_finish(s, regs);
	free(regs);
	/* The home list's first order, made here rather than on the UI thread. */
	snap_order(&s->dom, SNAP_COL_SCORE, true);
	return s;
}

/* Worker, l->mu held on entry and exit: put the queued marks into the store. */
static void
apply_marks(struct loader *l)
{
	while (l->n_marks > 0) {
		size_t n = l->n_marks;
		struct loader_mark *batch = xreallocarray(NULL, n, sizeof *batch);
		memcpy(batch, l->marks, n * sizeof *batch);
		pthread_mutex_unlock(&l->mu);
		store_write_lock(l->store);
		for (size_t i = 0; i < n; i++)
			store_domain_set_flags(l->store, batch[i].dom, batch[i].on ? 1u : 0u);
		store_write_unlock(l->store);
		free(batch);
		pthread_mutex_lock(&l->mu);
		/* marks queued meanwhile stay, in order */
		memmove(l->marks, l->marks + n, (l->n_marks - n) * sizeof *l->marks);
		l->n_marks -= n;
	}
}

/* Worker, l->mu and the store read lock held: remember the flagged domains of det's fresh
 * results (store epoch ep). */
static void
note_flagged(struct loader *l, const struct detector *det, uint32_t ep)
{
	watch_flagged_collect(det, ep, &l->flagged);
	l->have_flagged = true;
}

bool
loader_flagged(void *ctx, struct watch_flagged *out)
{
	struct loader *l = ctx;
	bool have;

	pthread_mutex_lock(&l->mu);
	have = l->have_flagged;
	if (have)
		watch_flagged_copy(out, &l->flagged);
	pthread_mutex_unlock(&l->mu);
	return have;
}

static void *
worker_main(void *arg)
{
	struct loader *l = arg;
	double last = 0;

	pthread_mutex_lock(&l->mu);
	while (!l->quit) {
		struct ingest_progress p;
		struct timespec until;
		uint64_t gen;
		int free_det = -1;
		bool finished, need;
		double now;

		if (l->n_marks > 0)
			apply_marks(l);
		ingest_progress(l->in, &p);
		finished = p.finished || atomic_load(&l->stop_asked);
		/* Once the final snapshot is out, the other detector's results (the snapshot before
		 * it, which the UI has let go) are read by no one: given back, what makes its next
		 * run incremental kept. */
		for (int i = 0; i < 2 && finished && l->final_built; i++)
			if (l->det[i] != NULL && !l->det_busy[i] && !l->det_dropped[i]) {
				l->det_dropped[i] = true;
				pthread_mutex_unlock(&l->mu);
				det_drop_results(l->det[i]);
#ifdef __GLIBC__
				(void)malloc_trim(0);   /* the freed pages back to the system */
#endif
				pthread_mutex_lock(&l->mu);
				fs_log("tui", "spare detector %d: results given back", i);
			}
		gen = store_generation(l->store);
		if (l->det[0] == NULL)
			free_det = 0; /* store counts only: snapshots need no detector of their own */
		else
			for (int i = 0; i < 2; i++)
				if (!l->det_busy[i] && l->det[i] != NULL) {
					free_det = i;
					break;
				}
		need = gen != l->built_gen || (finished && !l->final_built);
		now = fs_mono_ms();
		if (need && free_det >= 0 && l->ready == NULL &&
		    (finished || now - last >= l->min_interval_ms)) {
			struct detector *det = l->det[free_det];
			struct snap *s;
			double t0 = now;

			if (det != NULL) {
				l->det_busy[free_det] = true;
				l->det_dropped[free_det] = false;
			}
			atomic_store(&l->scoring, true);
			pthread_mutex_unlock(&l->mu);
			/* The detector is kept when the store was aged since its last pass: it drops
			 * what it kept for domains the ageing freed and its address cache when the
			 * epoch moved, and gives what a fresh detector gives (tests/unit/detect/
			 * test_incr.c ages the store under one and compares); what it kept for the
			 * others makes the pass after ageing cost what changed, not a full one. */
			if (finished && !l->packed) {
				/* Reading has ended: the store's vectors at their length before the final
				 * run, as the report does (store_pack; a later write, a drill-down's rows,
				 * moves what it grows back to the heap). The UI waits for the lock at most
				 * APP_LOCK_WAIT_MS meanwhile and shows the last snapshot. */
				double tp = fs_mono_ms();
				l->packed = true;
				store_write_lock(l->store);
				size_t back = store_pack(l->store);
				store_write_unlock(l->store);
				fs_log("tui", "store packed: %zu bytes given back in %.1f ms", back,
				       fs_mono_ms() - tp);
			}
			store_read_lock(l->store);
			gen = store_generation(l->store);
			if (det != NULL && l->det_geo != NULL) {
				/* Addresses aged out of the store leave the enrichment cache too (only
				 * this thread uses the handle; results keep no geo_info, only its
				 * strings, which stay). */
				struct store_stats ss;
				store_get_stats(l->store, &ss);
				geo_cache_trim(l->det_geo, ss.addrs * 128 + ((size_t)1 << 20));
			}
			if (det != NULL)
				det_run(det, l->store);
			s = loader_build_snap(l->store, det);
			s->epoch = store_epoch(l->store);   /* under the lock: the data's own epoch */
			if (det != NULL) {
				/* results name store strings: read them under the store lock */
				pthread_mutex_lock(&l->mu);
				note_flagged(l, det, s->epoch);
				pthread_mutex_unlock(&l->mu);
			}
			store_read_unlock(l->store);
			s->generation = gen;
			s->final = finished;
			if (finished) {
				/* the snapshot the analyst works with: every sort ready before it is shown */
				snap_prepare_orders(&s->dom);
				snap_prepare_orders(&s->grp);
			}
			s->owner = det != NULL ? (void *)(intptr_t)(free_det + 1) : NULL;
			pthread_mutex_lock(&l->mu);
			atomic_store(&l->scoring, false);
			l->ready = s;
			l->built_gen = gen;
			if (finished)
				l->final_built = true;
			last = fs_mono_ms();
			l->last_build_ms = last - t0;
			fs_log("tui", "snapshot of %u domains (%u flagged) built in %.1f ms%s", s->dom.n,
			       s->n_flagged, l->last_build_ms, finished ? ", loading finished" : "");
			fs_log_memory("tui snapshot");
			/* Scoring holds the read lock, which pauses ingest: leave it at least as long
			 * to read as the last run took, so a big file still loads at half speed or
			 * better. */
			if (l->last_build_ms > l->min_interval_ms)
				last += l->last_build_ms - l->min_interval_ms;
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 50 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->cv, &l->mu, &until);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

fs_status
loader_start(struct loader *l, struct fs_err *err)
{
	fs_status st = ingest_start(l->in, err);
	int r;

	if (st != FS_OK)
		return st;
	l->started = true;
	if ((r = pthread_create(&l->worker, NULL, worker_main, l)) != 0) {
		ingest_stop(l->in);
		ingest_wait(l->in, NULL);
		l->started = false;
		return fs_err_set(err, FS_E_INTERNAL, "cannot start the detection thread: %s", strerror(r));
	}
	l->worker_started = true;
	/* A ClickHouse window: its drill-down fetcher, whose rows take the window's way into the
	 * store (decoded frames, loader_msg_cb). Without one, opening a domain fetches nothing. */
	if (ingest_n_sources(l->in) == 1) {
		struct fs_err e = { 0 };
		(void)ch_fetch_new(ingest_source(l->in, 0), 0, loader_msg_cb, l, &l->fetch, &e);
	}
	return FS_OK;
}

size_t
loader_source_errors(struct loader *l, struct fs_err *out, size_t max)
{
	struct ingest_progress p;
	size_t n = 0;

	if (l == NULL || l->in == NULL)
		return 0;
	ingest_progress(l->in, &p);
	if (!p.finished)
		return 0;
	for (; n < max && n < ingest_n_errors(l->in); n++)
		out[n] = *ingest_error(l->in, n);
	return n;
}

bool
loader_free(struct loader *l)
{
	if (l == NULL)
		return true;
	ch_fetch_free(l->fetch);   /* before the store goes: it writes to it */
	l->fetch = NULL;
	/* Captures opened later are files: they stop at the next frame. */
	for (int i = 0; i < l->n_opened; i++) {
		ingest_stop(l->opened[i]);
		(void)ingest_wait(l->opened[i], NULL);
		ingest_free(l->opened[i]);
	}
	l->n_opened = 0;
	if (l->in != NULL) {
		struct ingest_progress p;
		ingest_stop(l->in);
		/* A thread blocked reading a silent pipe cannot be joined: give it a second, then
		 * leave it to the process exit (the caller must not free the store it writes to).
		 * A live capture always ends (its drain is bounded, capture/live.c) and must: the
		 * frames the kernel still held at the quit are then in -w and the store. */
		for (int i = 0; i < 100 && l->started; i++) {
			ingest_progress(l->in, &p);
			if (p.finished)
				break;
			if (l->live)
				i = 0;
			if (i == 99) {
				if (l->worker_started) {
					pthread_mutex_lock(&l->mu);
					l->quit = true;
					pthread_cond_broadcast(&l->cv);
					pthread_mutex_unlock(&l->mu);
					pthread_join(l->worker, NULL);
				}
				return false;
			}
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (l->worker_started) {
		pthread_mutex_lock(&l->mu);
		l->quit = true;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->worker, NULL);
	}
	if (l->in != NULL)
		ingest_free(l->in);
	snap_free(l->ready);
	free(l->marks);
	watch_flagged_free(&l->flagged);
	for (int i = 0; i < 2; i++)
		if (l->det[i] != NULL)
			det_free(l->det[i]);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
	return true;
}

static void
feed_progress(void *ctx, struct app_progress *out)
{
	struct loader *l = ctx;
	struct ingest_progress p;

	ingest_progress(l->in, &p);
	snprintf(out->source, sizeof out->source, "%s", l->source);
	out->live = l->live;
	out->loading = l->started && !p.finished && !atomic_load(&l->stop_asked);
	out->stopped = p.stopped || atomic_load(&l->stop_asked);
	pthread_mutex_lock(&l->mu);
	out->scoring = atomic_load(&l->scoring) || (!out->loading && !l->final_built) ||
	               (l->ready != NULL && l->ready->final);
	pthread_mutex_unlock(&l->mu);
	out->bytes_read = p.bytes_read;
	out->bytes_total = p.bytes_total;
	out->packets = p.frames;
	out->dns_messages = p.messages;
	out->kernel_drops = p.kernel_drops;
	out->iface_drops = p.iface_drops;
	out->app_drops = p.app_drops;
	{
		double now = fs_mono_ms();
		if (l->rate_ms == 0) {
			l->rate_ms = now;
			l->rate_pk = p.frames;
			l->rate_dns = p.messages;
		} else if (now - l->rate_ms >= 1000) {
			l->pkt_rate = (double)(p.frames - l->rate_pk) * 1e3 / (now - l->rate_ms);
			l->dns_rate = (double)(p.messages - l->rate_dns) * 1e3 / (now - l->rate_ms);
			l->rate_ms = now;
			l->rate_pk = p.frames;
			l->rate_dns = p.messages;
		}
		out->pkt_rate = l->pkt_rate;
		out->dns_rate = l->dns_rate;
	}
	out->elapsed = p.elapsed_s;
	out->error[0] = '\0';
	out->feeds[0] = '\0';
	out->feeds_warn = false;
	for (int i = 0; i < ingest_n_sources(l->in); i++) {
		struct cap_feed_info fi[16];
		size_t nf = cap_dnstap_feeds(ingest_source(l->in, i), fi, 16), o = 0;
		if (!cap_is_dnstap(ingest_source(l->in, i)))
			continue;
		o = (size_t)snprintf(out->feeds, sizeof out->feeds, "dnstap%s", nf == 0 ? " (no resolver yet)" : "");
		for (size_t k = 0; k < nf && o < sizeof out->feeds; k++) {
			o += (size_t)snprintf(out->feeds + o, sizeof out->feeds - o, " %s %.0f/s%s%s%s",
			                      fi[k].identity[0] ? fi[k].identity : fi[k].peer, fi[k].rate,
			                      fi[k].errors ? " e" : "", fi[k].errors ? "!" : "",
			                      fi[k].connected ? "" : " down");
			out->feeds_warn |= fi[k].errors > 0 || fi[k].drops > 0 || !fi[k].connected;
		}
		break;
	}
	if (p.finished && ingest_n_errors(l->in) > 0)
		snprintf(out->error, sizeof out->error, "%s", ingest_error(l->in, 0)->msg);
	for (int i = 0; l->live && out->error[0] == '\0' && i < ingest_n_sources(l->in); i++)
		cap_live_write_error(ingest_source(l->in, i), out->error, sizeof out->error);
}

static struct snap *
feed_take(void *ctx)
{
	struct loader *l = ctx;
	struct snap *s;

	pthread_mutex_lock(&l->mu);
	s = l->ready;
	l->ready = NULL;
	pthread_mutex_unlock(&l->mu);
	return s;
}

static void
feed_release(void *ctx, struct snap *s)
{
	struct loader *l = ctx;
	intptr_t which = (intptr_t)s->owner;

	pthread_mutex_lock(&l->mu);
	if (which >= 1 && which <= 2)
		l->det_busy[which - 1] = false;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	snap_free(s);
}

static void
feed_stop(void *ctx)
{
	struct loader *l = ctx;
	atomic_store(&l->stop_asked, true);
	ingest_stop(l->in);
	pthread_mutex_lock(&l->mu);
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void
feed_set_mark(void *ctx, uint32_t dom, bool on)
{
	struct loader *l = ctx;
	bool queued;

	/* At once when the store is free and no earlier mark waits (order kept); else the
	 * worker puts it in: the UI thread never waits for the write lock. */
	pthread_mutex_lock(&l->mu);
	queued = l->n_marks > 0 || !store_write_lock_for(l->store, 0);
	if (!queued) {
		store_domain_set_flags(l->store, dom, on ? 1u : 0u);
		store_write_unlock(l->store);
	} else {
		if (l->n_marks == l->cap_marks) {
			l->cap_marks = l->cap_marks ? l->cap_marks * 2 : 64;
			l->marks = xreallocarray(l->marks, l->cap_marks, sizeof *l->marks);
		}
		l->marks[l->n_marks].dom = dom;
		l->marks[l->n_marks].on = on;
		l->n_marks++;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
}

static size_t
feed_marks_pending(void *ctx)
{
	struct loader *l = ctx;
	size_t n;

	pthread_mutex_lock(&l->mu);
	n = l->n_marks;
	pthread_mutex_unlock(&l->mu);
	return n;
}

static int
feed_history(void *ctx, const char *name)
{
	struct loader *l = ctx;
	if (l->fetch == NULL)
		return -1;
	return ch_fetch_request(l->fetch, name) ? 1 : 0;
}

static int
feed_history_state(void *ctx, const char *name, uint64_t *rows, char *err, size_t err_len)
{
	struct loader *l = ctx;
	struct ch_fetch_info fi;

	ch_fetch_get(l->fetch, name, &fi);
	*rows = fi.rows;
	if (err_len > 0)
		snprintf(err, err_len, "%s", fi.error);
	switch (fi.state) {
	case CH_FETCH_QUEUED:
	case CH_FETCH_RUNNING:
		return APP_HIST_RUNNING;
	case CH_FETCH_DONE:
		return APP_HIST_DONE;
	case CH_FETCH_FAILED:
		return APP_HIST_FAILED;
	default:
		return APP_HIST_NONE;
	}
}

static fs_status
feed_open(void *ctx, const char *path, int src_index, struct fs_err *err)
{
	struct loader *l = ctx;
	return loader_open(l, path, src_index, l->dec_set ? &l->dec : NULL, err);
}

static bool
feed_open_busy(void *ctx, uint64_t *frames)
{
	return loader_open_busy(ctx, frames);
}

void
loader_set_dec_config(struct loader *l, const struct dec_config *cfg)
{
	l->dec = *cfg;
	l->dec_set = true;
}

const struct app_feed_ops loader_feed_ops = {
	.progress = feed_progress,
	.take = feed_take,
	.release = feed_release,
	.stop = feed_stop,
	.set_mark = feed_set_mark,
	.marks_pending = feed_marks_pending,
	.history = feed_history,
	.history_state = feed_history_state,
	.open = feed_open,
	.open_busy = feed_open_busy,
};

fs_status
loader_open(struct loader *l, const char *path, int src_index, const struct dec_config *cfg,
            struct fs_err *err)
{
	struct ingest *in;

	if (l->n_opened >= LOADER_MAX_OPEN)
		return fs_err_set(err, FS_E_ARG, "open: at most %d captures can be added to a session's run",
		                  LOADER_MAX_OPEN);
	in = ingest_new(cfg, loader_msg_cb, l);
	ingest_set_src_base(in, src_index);
	if (ingest_add_file(in, path, err) != FS_OK || ingest_start(in, err) != FS_OK) {
		ingest_free(in);
		return FS_E_IO;
	}
	l->opened[l->n_opened++] = in;
	return FS_OK;
}

bool
loader_open_busy(struct loader *l, uint64_t *frames)
{
	bool busy = false;
	uint64_t f = 0;

	for (int i = 0; i < l->n_opened; i++) {
		struct ingest_progress p;
		ingest_progress(l->opened[i], &p);
		busy |= !p.finished;
		f += p.frames;
	}
	if (frames != NULL)
		*frames = f;
	return busy;
}
