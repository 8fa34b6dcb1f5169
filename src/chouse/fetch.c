/* Drill-down: one name's rows the window left out, fetched on a thread of its own (chouse.h,
 * "drill-down"). The server's response is hostile input: read through ch_row_decode (wire.h),
 * rows that do not decode counted, the rest kept, as the window source does. */
#include "chouse/ch_int.h"

#include "fluxscope/decode.h"   /* dns_psl_*: the Public Suffix List */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decode/wire.h"

/* The rows of one drill-down are held in memory: at most this many bytes of them. */
#define FETCH_MAX_BYTES ((size_t)1 << 30)

struct req {
	char *name, *zone;
	struct ch_fetch_info info;
};

struct ch_fetch {
	struct ch_source_opts o;
	const struct ch_buf *win_sel;  /* the window's selection (k 0, 1), read-only */
	int src_index;
	dec_msg_cb cb;
	void *ctx;
	struct ch_http *h;
	struct decoder *dec;
	struct dns_psl *psl;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	atomic_bool quit;
	struct req *reqs;          /* every request, in order (guarded by mu) */
	size_t n_reqs, cap_reqs;
	size_t next;               /* the first request not served yet */
	/* fetch thread only */
	struct ch_buf resp, sel, dns, frame;
	struct ch_rowbuf rb;
};

static void
tsv_add(struct ch_buf *b, int k, const char *s)
{
	char kb[4];
	snprintf(kb, sizeof kb, "%d\t", k);
	ch_buf_add(b, kb, strlen(kb));
	for (; *s != '\0'; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : NULL;
		if (e != NULL)
			ch_buf_add(b, e, 2);
		else
			ch_buf_add(b, s, 1);
	}
	ch_buf_add(b, "\n", 1);
}

static struct req *
find(struct ch_fetch *f, const char *name)
{
	for (size_t i = f->n_reqs; i-- > 0;)
		if (strcmp(f->reqs[i].name, name) == 0)
			return &f->reqs[i];
	return NULL;
}

static void
set_info(struct ch_fetch *f, size_t i, const struct ch_fetch_info *in)
{
	pthread_mutex_lock(&f->mu);
	f->reqs[i].info = *in;
	pthread_mutex_unlock(&f->mu);
}

/* The fetch thread: request i (its name and zone copied out, mu not held). */
static void
serve(struct ch_fetch *f, size_t i, const char *name, const char *zone)
{
	struct ch_fetch_info info = { .state = CH_FETCH_RUNNING };
	struct fs_err err = { 0 };
	enum ch_fail fail;
	double t0 = fs_mono_ms();
	char *sql;

	set_info(f, i, &info);
	/* sel: the window's selection, then every name and zone asked before, then this one's */
	f->sel.len = 0;
	ch_buf_add(&f->sel, f->win_sel->p, f->win_sel->len);
	pthread_mutex_lock(&f->mu);
	for (size_t k = 0; k < i; k++)
		if (f->reqs[k].info.state == CH_FETCH_DONE) {
			tsv_add(&f->sel, 2, f->reqs[k].name);
			tsv_add(&f->sel, 3, f->reqs[k].zone);
		}
	pthread_mutex_unlock(&f->mu);
	tsv_add(&f->sel, 4, name);
	tsv_add(&f->sel, 5, zone);
	sql = ch_sql_history(f->o.url.db, f->o.since, f->o.until);
	f->resp.len = 0;
	fs_status st = ch_http_query_ext(f->h, sql, "sel", "k UInt8, v String", f->sel.p, f->sel.len,
	                                 &f->resp, FETCH_MAX_BYTES, NULL, &fail, &err);
	free(sql);
	if (st != FS_OK) {
		info.state = CH_FETCH_FAILED;
		snprintf(info.error, sizeof info.error, "the history of %.200s: %.500s", name, err.msg);
		info.seconds = (fs_mono_ms() - t0) / 1000.0;
		set_info(f, i, &info);
		return;
	}
	struct wire w;
	const char *why;
	wire_init(&w, f->resp.p, f->resp.len);
	for (;;) {
		int r = ch_row_decode(&w, &f->rb, &why);
		if (r == 0 || atomic_load(&f->quit))
			break;
		if (r < 0) {
			/* the rest cannot be framed: what came before stays */
			info.rows_bad++;
			snprintf(info.error, sizeof info.error, "the history of %.200s: the rows the server "
			         "sent do not decode after %llu rows: %s", name,
			         (unsigned long long)info.rows, why);
			break;
		}
		uint32_t skipped = 0;
		if (!ch_row_to_dns(&f->rb.row, &f->dns, &skipped, &why)) {
			info.rows_bad++;
			continue;
		}
		struct cap_frame fr;
		ch_row_frame(&f->rb.row, &f->dns, f->o.dns_port, &f->frame, &fr);
		dec_packet(f->dec, fr.linktype, fr.ts, fr.data, fr.caplen, fr.wirelen, f->src_index,
		           f->cb, f->ctx);
		info.rows++;
		if (info.rows % 1024 == 0)
			set_info(f, i, &info);
	}
	dec_flush(f->dec, f->cb, f->ctx);
	/* done even when a row did not decode: the rows before it are in the store, so the
	 * request is not made again (its rows would arrive twice); error says what was lost */
	info.state = CH_FETCH_DONE;
	info.seconds = (fs_mono_ms() - t0) / 1000.0;
	set_info(f, i, &info);
}

static void *
fetch_main(void *arg)
{
	struct ch_fetch *f = arg;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->quit && f->next >= f->n_reqs)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->quit)
			break;
		size_t i = f->next++;
		char *name = xstrdup(f->reqs[i].name), *zone = xstrdup(f->reqs[i].zone);
		pthread_mutex_unlock(&f->mu);
		serve(f, i, name, zone);
		free(name);
		free(zone);
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

fs_status
ch_fetch_new(struct cap_source *src, int src_index, dec_msg_cb cb, void *ctx,
             struct ch_fetch **out, struct fs_err *err)
{
	struct ch_source_opts o;
	const struct ch_buf *sel;
	struct dec_config dc;
	int r;

	*out = NULL;
	if (!ch_source_window(src, &o, &sel) || o.all)
		return fs_err_set(err, FS_E_NOTFOUND, "no ClickHouse window to fetch from");
	struct ch_fetch *f = xcalloc(1, sizeof *f);
	f->o = o;
	f->win_sel = sel;
	f->src_index = src_index;
	f->cb = cb;
	f->ctx = ctx;
	f->h = ch_http_new(&o.url);
	ch_http_set_timeout(f->h, 3000, 0);
	dec_config_default(&dc);
	dc.dns_ports[0] = o.dns_port;
	dc.n_dns_ports = 1;
	f->dec = dec_new(&dc);
	f->psl = dns_psl_open();   /* as the sensor's registrable column (sink.c) */
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if ((r = pthread_create(&f->thread, NULL, fetch_main, f)) != 0) {
		fs_err_set(err, FS_E_INTERNAL, "cannot start the ClickHouse fetch thread: %s", strerror(r));
		ch_fetch_free(f);
		return FS_E_INTERNAL;
	}
	f->started = true;
	*out = f;
	return FS_OK;
}

bool
ch_fetch_request(struct ch_fetch *f, const char *name)
{
	size_t n;
	struct req *q;
	const char *zone = NULL;

	if (f == NULL || name == NULL || (n = strlen(name)) == 0 || n > CH_MAX_NAME ||
	    strchr(name, '\n') != NULL)
		return false;
	pthread_mutex_lock(&f->mu);
	q = find(f, name);
	if (q != NULL && q->info.state != CH_FETCH_FAILED) {
		pthread_mutex_unlock(&f->mu);
		return false;
	}
	if (f->n_reqs == f->cap_reqs) {
		f->cap_reqs = f->cap_reqs ? f->cap_reqs * 2 : 16;
		f->reqs = xreallocarray(f->reqs, f->cap_reqs, sizeof *f->reqs);
	}
	q = &f->reqs[f->n_reqs++];
	memset(q, 0, sizeof *q);
	q->name = xstrdup(name);
	if (f->psl != NULL)
		zone = dns_psl_registrable(f->psl, name);
	q->zone = xstrdup(zone != NULL ? zone : name);
	q->info.state = CH_FETCH_QUEUED;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return true;
}

void
ch_fetch_get(struct ch_fetch *f, const char *name, struct ch_fetch_info *out)
{
	memset(out, 0, sizeof *out);
	if (f == NULL || name == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	const struct req *q = find(f, name);
	if (q != NULL)
		*out = q->info;
	pthread_mutex_unlock(&f->mu);
}

void
ch_fetch_free(struct ch_fetch *f)
{
	if (f == NULL)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->quit = true;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		ch_http_abort(f->h);
		pthread_join(f->thread, NULL);
	}
	for (size_t i = 0; i < f->n_reqs; i++) {
		free(f->reqs[i].name);
		free(f->reqs[i].zone);
	}
	free(f->reqs);
	ch_http_free(f->h);
	dec_free(f->dec);
	if (f->psl != NULL)
		dns_psl_free(f->psl);
	ch_buf_fini(&f->resp);
	ch_buf_fini(&f->sel);
	ch_buf_fini(&f->dns);
	ch_buf_fini(&f->frame);
	ch_rowbuf_fini(&f->rb);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
