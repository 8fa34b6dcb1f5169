/* ClickHouse's HTTP interface through libcurl: one easy handle per ch_http (connections are
 * kept alive between requests), the query in the URL or the POST body, the response into a
 * bounded buffer or a file. */
#include "chouse/ch_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct ch_http {
	CURL *c;
	struct ch_url url;
	char base[512];            /* http://host:port/?database=db */
	_Atomic bool abort;
	long connect_ms, total_ms;
};

struct sink_ctx {
	struct ch_buf *out;
	size_t max_out;
	FILE *file;
	struct ch_buf errbody;     /* a non-200 response's text */
	CURL *c;
	bool over, write_failed;
	int status_checked;        /* 0 unknown, 1 ok, 2 error */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct ch_http *
ch_http_new(const struct ch_url *u)
{
	struct ch_http *h = xcalloc(1, sizeof *h);

	pthread_once(&curl_once, curl_init_once);
	h->url = *u;
	h->c = curl_easy_init();
	if (h->c == NULL)
		fs_fatal("libcurl could not make a handle");
	bool v6 = strchr(u->host, ':') != NULL;
	snprintf(h->base, sizeof h->base, "http://%s%s%s:%u/?database=%s", v6 ? "[" : "", u->host,
	         v6 ? "]" : "", u->port, u->db);
	h->connect_ms = 3000;
	h->total_ms = 0;
	return h;
}

void
ch_http_free(struct ch_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->c);
	free(h);
}

void
ch_http_abort(struct ch_http *h)
{
	atomic_store(&h->abort, true);
}

void
ch_http_set_timeout(struct ch_http *h, long connect_ms, long total_ms)
{
	h->connect_ms = connect_ms;
	h->total_ms = total_ms;
}

static size_t
on_data(char *p, size_t sz, size_t nm, void *ud)
{
	struct sink_ctx *s = ud;
	size_t n = sz * nm;

	if (s->status_checked == 0) {
		long code = 0;
		curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
		s->status_checked = code == 200 ? 1 : 2;
	}
	if (s->status_checked == 2) {
		if (s->errbody.len < 2048)
			ch_buf_add(&s->errbody, p, n < 2048 ? n : 2048);
		return n;
	}
	if (s->file != NULL) {
		if (fwrite(p, 1, n, s->file) != n) {
			s->write_failed = true;
			return 0;
		}
		return n;
	}
	if (s->out != NULL) {
		if (s->out->len + n > s->max_out) {
			s->over = true;
			return 0;
		}
		ch_buf_add(s->out, p, n);
	}
	return n;
}

static int
on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct ch_http *h = ud;
	(void)dt; (void)dn; (void)ut; (void)un;
	return atomic_load(&h->abort) ? 1 : 0;
}

/* The first line of a server's error text, for a sentence. */
static void
err_text(const struct ch_buf *b, char *out, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len && n + 1 < len; i++) {
		char c = (char)b->p[i];
		if (c == '\n' || c == '\r')
			break;
		out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[n] = '\0';
	/* "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = ..." */
	char *w = strstr(out, ", e.what()");
	if (w != NULL)
		*w = '\0';
}

static fs_status
run(struct ch_http *h, const char *sql, const void *body, size_t body_len, const char *ext_name,
    const char *ext_structure, const void *ext_data, size_t ext_len, struct ch_buf *out,
    size_t max_out, FILE *file, enum ch_fail *fail, struct fs_err *err)
{
	struct sink_ctx s = { .out = out, .max_out = max_out ? max_out : SIZE_MAX, .file = file,
	                      .c = h->c };
	curl_mime *mime = NULL;
	char *url, *esc = NULL, *esc2 = NULL;
	CURLcode rc;
	long code = 0;
	fs_status st = FS_OK;

	*fail = CH_FAIL_NONE;
	curl_easy_reset(h->c);
	if (body != NULL || ext_name != NULL) {
		esc = curl_easy_escape(h->c, sql, 0);
		if (ext_name != NULL) {
			esc2 = curl_easy_escape(h->c, ext_structure, 0);
			url = xasprintf("%s&query=%s&%s_structure=%s", h->base, esc, ext_name, esc2);
		} else
			url = xasprintf("%s&query=%s", h->base, esc);
	} else
		url = xstrdup(h->base);
	curl_easy_setopt(h->c, CURLOPT_URL, url);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT_MS, h->total_ms);
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h->c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->c, CURLOPT_PROXY, "");   /* never through an http_proxy of the environment */
	if (ext_name != NULL) {
		mime = curl_mime_init(h->c);
		curl_mimepart *part = curl_mime_addpart(mime);
		curl_mime_name(part, ext_name);
		curl_mime_filename(part, ext_name);
		curl_mime_data(part, ext_data, ext_len);
		curl_easy_setopt(h->c, CURLOPT_MIMEPOST, mime);
	} else if (body != NULL) {
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else {
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDS, sql);
		curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(sql));
	}
	rc = curl_easy_perform(h->c);
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && code == 200) {
		st = FS_OK;
	} else if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && s.status_checked == 2)) {
		char t[400];
		err_text(&s.errbody, t, sizeof t);
		*fail = CH_FAIL_SERVER;
		st = fs_err_set(err, FS_E_IO, "ClickHouse at %s:%u refused the request (HTTP %ld): %s",
		                h->url.host, h->url.port, code, t[0] ? t : "no reason given");
	} else if (s.over) {
		*fail = CH_FAIL_SERVER;
		st = fs_err_set(err, FS_E_FORMAT, "ClickHouse at %s:%u sent more than %zu bytes where "
		                "no more were expected", h->url.host, h->url.port, max_out);
	} else if (s.write_failed) {
		*fail = CH_FAIL_AMBIGUOUS;
		st = fs_err_set(err, FS_E_IO, "cannot write the response of ClickHouse at %s:%u to a "
		                "temporary file", h->url.host, h->url.port);
	} else {
		*fail = (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		         rc == CURLE_COULDNT_RESOLVE_PROXY) ? CH_FAIL_CONNECT : CH_FAIL_AMBIGUOUS;
		st = fs_err_set(err, FS_E_IO, "cannot reach ClickHouse at %s:%u: %s", h->url.host,
		                h->url.port, atomic_load(&h->abort) ? "stopped" : curl_easy_strerror(rc));
	}
	if (mime != NULL)
		curl_mime_free(mime);
	curl_free(esc);
	curl_free(esc2);
	free(url);
	ch_buf_fini(&s.errbody);
	return st;
}

fs_status
ch_http_query(struct ch_http *h, const char *sql, const void *body, size_t body_len,
              struct ch_buf *out, size_t max_out, FILE *file, enum ch_fail *fail,
              struct fs_err *err)
{
	return run(h, sql, body, body_len, NULL, NULL, NULL, 0, out, max_out, file, fail, err);
}

fs_status
ch_http_query_ext(struct ch_http *h, const char *sql, const char *ext_name,
                  const char *ext_structure, const void *ext_data, size_t ext_len,
                  struct ch_buf *out, size_t max_out, FILE *file, enum ch_fail *fail,
                  struct fs_err *err)
{
	return run(h, sql, NULL, 0, ext_name, ext_structure, ext_data, ext_len, out, max_out, file,
	           fail, err);
}

bool
ch_http_ping(struct ch_http *h)
{
	struct ch_buf b = { 0 };
	char *url;
	bool ok;
	long code = 0;
	struct sink_ctx s = { .out = &b, .max_out = 64, .c = h->c };
	bool v6 = strchr(h->url.host, ':') != NULL;

	curl_easy_reset(h->c);
	url = xasprintf("http://%s%s%s:%u/ping", v6 ? "[" : "", h->url.host, v6 ? "]" : "", h->url.port);
	curl_easy_setopt(h->c, CURLOPT_URL, url);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h->c, CURLOPT_PROXY, "");
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, &s);
	ok = curl_easy_perform(h->c) == CURLE_OK;
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &code);
	ok = ok && code == 200 && b.len >= 3 && memcmp(b.p, "Ok.", 3) == 0;
	free(url);
	ch_buf_fini(&b);
	ch_buf_fini(&s.errbody);
	return ok;
}
