/* The sensor's sink: rows are encoded into batches on the ingest thread and handed to a sender
 * thread, which inserts each batch over HTTP as one block (one INSERT of at most batch_rows
 * rows: ClickHouse writes a block of fewer than max_insert_block_size rows into a MergeTree
 * table as one part, all or nothing). When the server cannot take a batch, the batch goes to
 * the spool folder, one file per batch, written atomically; while the server is away new
 * batches go there directly, and it is tried again every retry_ms. When it answers again the
 * spool is replayed, oldest first, before the file is removed.
 *
 * Exactly once: a batch is removed from the spool only after an insert of it succeeded, or
 * after the server was found to hold it already. Every row carries its batch id (sensor run id
 * << 32 | number); a batch whose insert may have reached the server (the connection was cut or
 * timed out after the request was sent: CH_SPOOL_MAYBE_SENT) is counted on the server first
 * (sensor, batch and its time range, so only the partitions of those days are read): all its
 * rows there, it is not sent again; none, it is sent; some (not possible with one-block inserts
 * unless rows were deleted) it is set aside as .conflict and counted. A batch that never
 * reached the server (refused connection) is sent without the count. ClickHouse 18.16 has no
 * insert deduplication for non-replicated tables (insert_deduplicate is for Replicated*), so
 * the sensor does it itself this way; on Replicated tables the server's own deduplication of
 * identical blocks would give the same guarantee. */
#include "chouse/ch_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include "fluxscope/decode.h"   /* dns_psl_*: the Public Suffix List */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define QMAX 4

struct batch {
	struct ch_buf body;
	uint64_t id;
	uint32_t rows, ts_min, ts_max;
	double born_ms;
};

struct ch_sink {
	struct ch_sink_config cfg;
	char *sensor, *dir, *insert_sql;
	char *insert_sql_v1;       /* a version 1 spool file's rows (no feed column) */
	int lock_fd;
	pthread_t thr;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_space;
	struct batch cur;
	struct batch *q[QMAX];
	int qn;
	bool closing;
	double close_deadline;
	uint32_t run_id, next_batch;
	/* ingest thread only */
	struct ch_rowbuf rb;
	struct dns_psl *psl;
	/* sender thread only */
	struct ch_http *h;
	bool up;
	double next_try;
	/* under mu */
	struct ch_sink_stats st;
};

/* ---- the spool folder -------------------------------------------------------------------------- */

static int
is_spool_name(const char *n)
{
	size_t l = strlen(n);
	return l > 6 && strcmp(n + l - 6, ".spool") == 0 && n[0] != '.';
}

static void
spool_scan(struct ch_sink *s, uint64_t *bytes, uint64_t *files)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;

	*bytes = *files = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		char *p;
		if (!is_spool_name(e->d_name))
			continue;
		p = xasprintf("%s/%s", s->dir, e->d_name);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			*bytes += (uint64_t)sb.st_size;
			(*files)++;
		}
		free(p);
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Spool file names, oldest first (names start with the time written). Caller frees. */
static char **
spool_list(struct ch_sink *s, size_t *n)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (!is_spool_name(e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void
spool_write(struct ch_sink *s, struct batch *b, uint32_t flags)
{
	struct ch_spool_hdr h = { .flags = flags, .batch = b->id, .rows = b->rows, .ts_min = b->ts_min,
	                          .ts_max = b->ts_max, .body = b->body.p, .body_len = b->body.len };
	struct ch_buf out = { 0 };
	struct fs_err err = { 0 };
	struct timespec now;
	char *path;

	snprintf(h.sensor, sizeof h.sensor, "%s", s->sensor);
	ch_spool_encode(&h, &out);
	pthread_mutex_lock(&s->mu);
	bool full = s->st.spool_bytes + out.len > s->cfg.spool_max;
	if (full) {
		s->st.batches_dropped++;
		s->st.rows_dropped += b->rows;
	}
	pthread_mutex_unlock(&s->mu);
	if (full) {
		ch_buf_fini(&out);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	path = xasprintf("%s/%016" PRIx64 "-%016" PRIx64 ".spool", s->dir,
	                 (uint64_t)now.tv_sec * UINT64_C(1000000000) + (uint64_t)now.tv_nsec, b->id);
	if (fs_write_atomic(path, out.p, out.len, &err) != FS_OK) {
		pthread_mutex_lock(&s->mu);
		s->st.batches_dropped++;
		s->st.rows_dropped += b->rows;
		snprintf(s->st.last_error, sizeof s->st.last_error, "%s", err.msg);
		pthread_mutex_unlock(&s->mu);
	} else {
		pthread_mutex_lock(&s->mu);
		s->st.batches_spooled++;
		s->st.rows_spooled += b->rows;
		s->st.spool_bytes += out.len;
		s->st.spool_files++;
		pthread_mutex_unlock(&s->mu);
	}
	free(path);
	ch_buf_fini(&out);
}

/* ---- talking to the server ----------------------------------------------------------------------- */

/* 'text' with \ and ' escaped, for a string literal. */
static char *
sql_quote(const char *t)
{
	struct ch_buf b = { 0 };
	ch_buf_add(&b, "'", 1);
	for (const char *p = t; *p; p++) {
		if (*p == '\\' || *p == '\'')
			ch_buf_add(&b, "\\", 1);
		ch_buf_add(&b, p, 1);
	}
	ch_buf_add(&b, "'", 2);
	return (char *)b.p;
}

static fs_status
insert(struct ch_sink *s, const uint8_t *body, size_t len, bool v1, enum ch_fail *fail,
       struct fs_err *err)
{
	struct ch_buf out = { 0 };
	fs_status st = ch_http_query(s->h, v1 ? s->insert_sql_v1 : s->insert_sql, body, len, &out,
	                             1 << 16, NULL, fail, err);
	ch_buf_fini(&out);
	return st;
}

/* Rows of batch id on the server, -1 when it cannot be asked. */
static int64_t
count_batch(struct ch_sink *s, const char *sensor, uint64_t id, uint32_t t0, uint32_t t1,
            enum ch_fail *fail, struct fs_err *err)
{
	char *q = sql_quote(sensor);
	char *sql = xasprintf("SELECT count() FROM %s." CH_TABLE " WHERE ts >= toDateTime(%u) AND "
	                      "ts <= toDateTime(%u) AND sensor = %s AND batch = %" PRIu64 " FORMAT TSV",
	                      s->cfg.url.db, t0, t1, q, id);
	struct ch_buf out = { 0 };
	int64_t n = -1;

	if (ch_http_query(s->h, sql, NULL, 0, &out, 64, NULL, fail, err) == FS_OK) {
		char t[64];
		size_t l = out.len < sizeof t - 1 ? out.len : sizeof t - 1;
		char *end;
		memcpy(t, out.p, l);
		t[l] = '\0';
		long long v = strtoll(t, &end, 10);
		if (end != t && (*end == '\n' || *end == '\0') && v >= 0)
			n = v;
		else {
			*fail = CH_FAIL_SERVER;
			fs_err_set(err, FS_E_FORMAT, "ClickHouse answered a count with '%.40s'", t);
		}
	}
	ch_buf_fini(&out);
	free(sql);
	free(q);
	return n;
}

static void
went_down(struct ch_sink *s, const struct fs_err *err)
{
	s->up = false;
	s->next_try = fs_mono_ms() + s->cfg.retry_ms;
	pthread_mutex_lock(&s->mu);
	s->st.send_errors++;
	s->st.connected = false;
	snprintf(s->st.last_error, sizeof s->st.last_error, "%s", err->msg);
	pthread_mutex_unlock(&s->mu);
}

static void
went_up(struct ch_sink *s)
{
	s->up = true;
	pthread_mutex_lock(&s->mu);
	s->st.connected = true;
	pthread_mutex_unlock(&s->mu);
}

/* Whether the server may be tried now. */
static bool
may_try(struct ch_sink *s)
{
	return s->up || fs_mono_ms() >= s->next_try;
}

static void
deliver(struct ch_sink *s, struct batch *b)
{
	struct fs_err err = { 0 };
	enum ch_fail fail;

	if (!may_try(s)) {
		spool_write(s, b, 0);
		return;
	}
	if (insert(s, b->body.p, b->body.len, false, &fail, &err) == FS_OK) {
		went_up(s);
		pthread_mutex_lock(&s->mu);
		s->st.batches_sent++;
		s->st.rows_sent += b->rows;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	went_down(s, &err);
	spool_write(s, b, fail == CH_FAIL_AMBIGUOUS ? CH_SPOOL_MAYBE_SENT : 0);
}

static void spool_forget(struct ch_sink *s, const char *path, size_t bytes);

static void
set_aside(struct ch_sink *s, const char *path, size_t bytes, const char *suffix, const char *why)
{
	char *to = xasprintf("%s.%s", path, suffix);
	char *msg = xasprintf("spool file %s %s; kept as %s", path, why, to);
	if (rename(path, to) != 0)
		unlink(path);
	spool_forget(s, NULL, bytes);   /* no longer a spool file */
	pthread_mutex_lock(&s->mu);
	s->st.spool_bad++;
	snprintf(s->st.last_error, sizeof s->st.last_error, "%s", msg);
	pthread_mutex_unlock(&s->mu);
	free(msg);
	free(to);
}

static void
spool_forget(struct ch_sink *s, const char *path, size_t bytes)
{
	if (path != NULL)
		unlink(path);
	pthread_mutex_lock(&s->mu);
	s->st.spool_bytes = s->st.spool_bytes >= bytes ? s->st.spool_bytes - bytes : 0;
	if (s->st.spool_files > 0)
		s->st.spool_files--;
	pthread_mutex_unlock(&s->mu);
}

/* Replay one spool file; false when the server went away (stop replaying). */
static bool
replay_one(struct ch_sink *s, const char *name)
{
	char *path = xasprintf("%s/%s", s->dir, name);
	struct fs_err err = { 0 };
	struct ch_spool_hdr h;
	enum ch_fail fail;
	uint8_t *data = NULL;
	size_t len = 0;
	bool ok = true;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		free(path);
		return true;   /* gone meanwhile */
	}
	{
		struct stat sb;
		if (fstat(fileno(f), &sb) != 0 || sb.st_size > (off_t)1 << 31) {
			fclose(f);
			set_aside(s, path, (size_t)sb.st_size, "bad", "is too large to be a batch");
			free(path);
			return true;
		}
		len = (size_t)sb.st_size;
		data = xmalloc(len ? len : 1);
		if (fread(data, 1, len, f) != len) {
			fclose(f);
			free(data);
			set_aside(s, path, len, "bad", "cannot be read");
			free(path);
			return true;
		}
		fclose(f);
	}
	if (ch_spool_parse(data, len, &h, &err) != FS_OK) {
		char why[600];
		snprintf(why, sizeof why, "is damaged (%s)", err.msg);
		set_aside(s, path, len, "bad", why);
		goto out;
	}
	if (h.flags & CH_SPOOL_MAYBE_SENT) {
		int64_t n = count_batch(s, h.sensor, h.batch, h.ts_min, h.ts_max, &fail, &err);
		if (n < 0) {
			went_down(s, &err);
			ok = false;
			goto out;
		}
		went_up(s);
		if (n == h.rows) {
			spool_forget(s, path, len);
			pthread_mutex_lock(&s->mu);
			s->st.batches_present++;
			pthread_mutex_unlock(&s->mu);
			goto out;
		}
		if (n != 0) {
			set_aside(s, path, len, "conflict", "has part of its rows in ClickHouse already");
			goto out;
		}
	}
	if (insert(s, h.body, h.body_len, h.version == 1, &fail, &err) != FS_OK) {
		went_down(s, &err);
		if (fail == CH_FAIL_AMBIGUOUS && !(h.flags & CH_SPOOL_MAYBE_SENT)) {
			/* mark it, so the next replay counts first */
			h.flags |= CH_SPOOL_MAYBE_SENT;
			struct ch_buf b = { 0 };
			ch_spool_encode(&h, &b);
			(void)fs_write_atomic(path, b.p, b.len, NULL);
			ch_buf_fini(&b);
		}
		ok = false;
		goto out;
	}
	went_up(s);
	spool_forget(s, path, len);
	pthread_mutex_lock(&s->mu);
	s->st.batches_replayed++;
	s->st.rows_replayed += h.rows;
	s->st.batches_sent++;
	s->st.rows_sent += h.rows;
	pthread_mutex_unlock(&s->mu);
out:
	free(data);
	free(path);
	return ok;
}

static void
replay(struct ch_sink *s)
{
	size_t n;
	char **v = spool_list(s, &n);
	size_t i = 0;

	for (; i < n; i++) {
		if (!replay_one(s, v[i]))
			break;
		pthread_mutex_lock(&s->mu);
		bool waiting = s->qn > 0;   /* new batches first, then the rest of the spool */
		pthread_mutex_unlock(&s->mu);
		if (waiting)
			break;
	}
	for (size_t k = 0; k < n; k++)
		free(v[k]);
	free(v);
}

/* ---- threads ------------------------------------------------------------------------------------ */

static void
batch_take(struct ch_sink *s)   /* under mu: move cur to the queue (caller checked room) */
{
	struct batch *b = xmalloc(sizeof *b);
	*b = s->cur;
	memset(&s->cur, 0, sizeof s->cur);
	s->q[s->qn++] = b;
	pthread_cond_signal(&s->cv_work);
}

static void *
sender(void *arg)
{
	struct ch_sink *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		double now = fs_mono_ms();
		if (s->qn < QMAX && s->cur.rows > 0 &&
		    (s->closing || now - s->cur.born_ms >= s->cfg.batch_ms))
			batch_take(s);
		if (s->qn > 0) {
			struct batch *b = s->q[0];
			memmove(s->q, s->q + 1, (size_t)(s->qn - 1) * sizeof *s->q);
			s->qn--;
			pthread_cond_broadcast(&s->cv_space);
			pthread_mutex_unlock(&s->mu);
			deliver(s, b);
			ch_buf_fini(&b->body);
			free(b);
			pthread_mutex_lock(&s->mu);
			continue;
		}
		bool pending = s->st.spool_files > 0;
		bool closing = s->closing;
		if (pending && !s->up && !(fs_mono_ms() >= s->next_try))
			; /* wait below */
		else if (pending) {
			pthread_mutex_unlock(&s->mu);
			replay(s);
			pthread_mutex_lock(&s->mu);
			if (s->up || s->qn > 0)
				continue;
		}
		if (closing && s->qn == 0 && s->cur.rows == 0 &&
		    (s->st.spool_files == 0 || fs_mono_ms() >= s->close_deadline))
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv_work, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

fs_status
ch_sink_open(const struct ch_sink_config *cfg, struct ch_sink **out, struct fs_err *err)
{
	struct ch_sink *s = xcalloc(1, sizeof *s);
	uint32_t rnd = 0;
	int fd;

	*out = NULL;
	s->cfg = *cfg;
	if (s->cfg.batch_rows == 0)
		s->cfg.batch_rows = 5000;
	if (s->cfg.batch_ms == 0)
		s->cfg.batch_ms = 1000;
	if (s->cfg.retry_ms == 0)
		s->cfg.retry_ms = 1000;
	s->sensor = xstrdup(cfg->sensor);
	s->dir = xstrdup(cfg->spool_dir);
	s->lock_fd = -1;
	/* the folder and its parents */
	for (char *p = s->dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
				fs_err_set(err, FS_E_IO, "cannot make the spool folder %s (option --spool): %s",
				           s->dir, strerror(errno));
				*p = c;
				goto fail;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	char *lock = xasprintf("%s/.lock", s->dir);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (s->lock_fd < 0) {
		fs_err_set(err, FS_E_IO, "cannot use the spool folder %s (option --spool): %s", s->dir,
		           strerror(errno));
		goto fail;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		fs_err_set(err, FS_E_IO, "the spool folder %s is in use by another fluxscope sensor "
		           "(give each its own --spool)", s->dir);
		goto fail;
	}
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (read(fd, &rnd, sizeof rnd) != (ssize_t)sizeof rnd)
			rnd = 0;
		close(fd);
	}
	s->run_id = rnd ^ (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	spool_scan(s, &s->st.spool_bytes, &s->st.spool_files);
	s->insert_sql = xasprintf("INSERT INTO %s." CH_TABLE " FORMAT RowBinary", cfg->url.db);
	s->insert_sql_v1 = xasprintf("INSERT INTO %s." CH_TABLE " (" CH_COLUMNS_V1 ") FORMAT RowBinary",
	                             cfg->url.db);
	s->h = ch_http_new(&cfg->url);
	ch_http_set_timeout(s->h, 2000, 60000);
	s->up = true;   /* tried at the first batch */
	s->psl = dns_psl_open();   /* as the detector's zones (detect.c) */
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_work, NULL);
	pthread_cond_init(&s->cv_space, NULL);
	if (pthread_create(&s->thr, NULL, sender, s) != 0) {
		fs_err_set(err, FS_E_INTERNAL, "cannot start the ClickHouse sender thread");
		goto fail;
	}
	s->started = true;
	*out = s;
	return FS_OK;
fail:
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	ch_http_free(s->h);
	free(s->insert_sql);
	free(s->insert_sql_v1);
	free(s->sensor);
	free(s->dir);
	free(s);
	return err->status;
}

void
ch_sink_msg(struct ch_sink *s, const struct dns_msg *m)
{
	const char *reg = NULL;

	if (m->qr && m->opcode == 0 && m->qname != NULL && s->psl != NULL)
		reg = dns_psl_registrable(s->psl, m->qname);
	if (!ch_row_from_msg(m, s->sensor, reg, &s->rb)) {
		pthread_mutex_lock(&s->mu);
		s->st.skipped++;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	pthread_mutex_lock(&s->mu);
	struct batch *b = &s->cur;
	uint32_t sec = (uint32_t)(s->rb.row.ts / FS_USEC);
	if (b->rows == 0) {
		b->id = (uint64_t)s->run_id << 32 | s->next_batch++;
		b->born_ms = fs_mono_ms();
		b->ts_min = b->ts_max = sec;
		s->st.batches++;
	}
	s->rb.row.batch = b->id;
	s->rb.row.seq = b->rows;
	ch_row_encode(&s->rb.row, &b->body);
	if (sec < b->ts_min)
		b->ts_min = sec;
	if (sec > b->ts_max)
		b->ts_max = sec;
	b->rows++;
	s->st.rows++;
	if (b->rows >= s->cfg.batch_rows) {
		while (s->qn >= QMAX)
			pthread_cond_wait(&s->cv_space, &s->mu);
		if (s->cur.rows > 0)   /* the sender may have taken it meanwhile */
			batch_take(s);
	}
	pthread_mutex_unlock(&s->mu);
}

void
ch_sink_stats(struct ch_sink *s, struct ch_sink_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
}

void
ch_sink_close(struct ch_sink *s, int wait_ms, struct ch_sink_stats *out)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	s->close_deadline = fs_mono_ms() + wait_ms;
	pthread_cond_signal(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thr, NULL);
	/* what the queue could not take at the end: to the spool (never lost within its bound) */
	if (s->cur.rows > 0) {
		spool_write(s, &s->cur, 0);
		ch_buf_fini(&s->cur.body);
	}
	if (out != NULL)
		*out = s->st;
	ch_http_free(s->h);
	ch_rowbuf_fini(&s->rb);
	if (s->psl != NULL)
		dns_psl_free(s->psl);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_space);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->insert_sql);
	free(s->insert_sql_v1);
	free(s->sensor);
	free(s->dir);
	free(s);
}
