/* Saved investigations (see fluxscope/session.h). */
#include "fluxscope/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode/json.h"
#include "fluxscope/bgwrite.h"
#include "util/json.h"

#define SESSION_MAX_BYTES (64u << 20)     /* a session is small; anything bigger is not one */
#define HASH_SPAN (1u << 20)

static char *
dup0(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

struct session *
session_new(const char *path)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->path = path != NULL ? xstrdup(path) : NULL;
	s->notes = notes_new();
	s->filter = dup0(NULL);
	s->sort = dup0(NULL);
	s->theme = dup0(NULL);
	s->columns = dup0(NULL);
	s->export_format = dup0(NULL);
	s->export_path = dup0(NULL);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_caps; i++)
		free(s->caps[i].path);
	free(s->caps);
	for (size_t i = 0; i < s->n_views; i++)
		free(s->views[i]);
	free(s->views);
	notes_free(s->notes);
	free(s->path);
	free(s->filter);
	free(s->sort);
	free(s->theme);
	free(s->columns);
	free(s->export_format);
	free(s->export_path);
	free(s);
}

void
session_touch(struct session *s)
{
	s->gen++;
}

static uint64_t
combined_gen(const struct session *s)
{
	return s->gen + notes_generation(s->notes);
}

bool
session_dirty(const struct session *s)
{
	return combined_gen(s) != s->saved_gen;
}

void
session_set(struct session *s, char **field, const char *v)
{
	if (v == NULL)
		v = "";
	if (*field != NULL && strcmp(*field, v) == 0)
		return;
	free(*field);
	*field = xstrdup(v);
	s->gen++;
}

void
session_set_views(struct session *s, const char *const *views, size_t n)
{
	bool same = n == s->n_views;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(views[i], s->views[i]) == 0;
	if (same)
		return;
	for (size_t i = 0; i < s->n_views; i++)
		free(s->views[i]);
	free(s->views);
	s->views = n ? xcalloc(n, sizeof *s->views) : NULL;
	for (size_t i = 0; i < n; i++)
		s->views[i] = xstrdup(views[i]);
	s->n_views = n;
	s->gen++;
}

/* FNV-1a 64 over the size, the first MiB and the last MiB: notices an appended, truncated or
 * rewritten capture without reading gigabytes. */
fs_status
session_fingerprint(const char *path, struct session_capture *c, struct fs_err *err)
{
	char abs[PATH_MAX];
	struct stat st;
	int fd;
	uint64_t h = 1469598103934665603ull;
	unsigned char *buf;
	const size_t bufsz = 65536;

	memset(c, 0, sizeof *c);
	c->path = xstrdup(realpath(path, abs) != NULL ? abs : path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fs_err_set(err, errno == ENOENT ? FS_E_NOTFOUND : FS_E_IO, "cannot open capture %s: %s",
		                  path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return FS_OK;       /* a FIFO or device: no fingerprint, nothing to compare later */
	}
	buf = xmalloc(bufsz);
	c->size = (uint64_t)st.st_size;
	c->mtime = (int64_t)st.st_mtime;
	for (int k = 0; k < 8; k++)
		h = (h ^ ((c->size >> (8 * k)) & 0xff)) * 1099511628211ull;
	for (int part = 0; part < 2; part++) {
		off_t from = part == 0 ? 0 : (st.st_size > HASH_SPAN ? st.st_size - HASH_SPAN : 0);
		off_t to = part == 0 ? (st.st_size < HASH_SPAN ? st.st_size : HASH_SPAN) : st.st_size;
		if (part == 1 && st.st_size <= HASH_SPAN)
			break;
		if (part == 1 && from < HASH_SPAN)
			from = HASH_SPAN;
		for (off_t o = from; o < to;) {
			size_t want = (size_t)(to - o) < bufsz ? (size_t)(to - o) : bufsz;
			ssize_t r = pread(fd, buf, want, o);
			if (r <= 0) {
				int e = errno;
				close(fd);
				free(buf);
				return fs_err_set(err, FS_E_IO, "cannot read capture %s: %s", path,
				                  r == 0 ? "it ends early" : strerror(e));
			}
			for (ssize_t i = 0; i < r; i++)
				h = (h ^ buf[i]) * 1099511628211ull;
			o += r;
		}
	}
	close(fd);
	free(buf);
	snprintf(c->hash, sizeof c->hash, "fnv1a64:%016llx", (unsigned long long)h);
	return FS_OK;
}

fs_status
session_check_capture(const struct session_capture *c, struct fs_err *err)
{
	struct session_capture now;
	fs_status st = session_fingerprint(c->path, &now, err);

	free(now.path);
	if (st != FS_OK)
		return st;
	if (c->hash[0] == '\0' || now.hash[0] == '\0')
		return FS_OK;
	if (now.size != c->size)
		return fs_err_set(err, FS_E_FORMAT, "capture %s changed since the session was saved (%llu bytes, was %llu)",
		                  c->path, (unsigned long long)now.size, (unsigned long long)c->size);
	if (strcmp(now.hash, c->hash) != 0)
		return fs_err_set(err, FS_E_FORMAT, "capture %s changed since the session was saved (same size, other content)",
		                  c->path);
	return FS_OK;
}

fs_status
session_add_capture(struct session *s, const char *path, size_t *idx, struct fs_err *err)
{
	struct session_capture c;
	fs_status st = session_fingerprint(path, &c, err);

	if (st != FS_OK) {
		free(c.path);
		return st;
	}
	for (size_t i = 0; i < s->n_caps; i++)
		if (strcmp(s->caps[i].path, c.path) == 0) {
			free(s->caps[i].path);
			s->caps[i] = c;              /* refreshed fingerprint */
			if (idx)
				*idx = i;
			s->gen++;
			return FS_OK;
		}
	s->caps = xreallocarray(s->caps, s->n_caps + 1, sizeof *s->caps);
	s->caps[s->n_caps] = c;
	if (idx)
		*idx = s->n_caps;
	s->n_caps++;
	s->gen++;
	return FS_OK;
}

/* Writing. */

static void
kv_str(FILE *f, const char *key, const char *v, bool comma)
{
	fprintf(f, "%s\n  \"%s\": ", comma ? "," : "", key);
	json_fput_str(f, v, true);
}

char *
session_to_json(const struct session *s, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&buf, &cap);
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (f == NULL)
		return NULL;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"saved\": \"%s\"", SESSION_FORMAT,
	        SESSION_VERSION, when);
	fputs(",\n  \"captures\": [", f);
	for (size_t i = 0; i < s->n_caps; i++) {
		const struct session_capture *c = &s->caps[i];
		fprintf(f, "%s\n    {\"path\": ", i ? "," : "");
		json_fput_str(f, c->path, true);
		fprintf(f, ", \"size\": %llu, \"mtime\": %lld, \"hash\": ", (unsigned long long)c->size,
		        (long long)c->mtime);
		json_fput_str(f, c->hash, true);   /* a read file's hash may hold any text */
		fputc('}', f);
	}
	fputs(s->n_caps ? "\n  ]" : "]", f);
	fputs(",\n  \"marks\": [", f);
	size_t k = 0;
	for (size_t i = 0; i < notes_count(s->notes); i++) {
		const struct note *n = notes_at(s->notes, i);
		if (n == NULL)
			continue;
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"key\": ", k++ ? "," : "", notes_kind_name(n->kind));
		json_fput_str(f, n->key, true);
		fprintf(f, ", \"marked\": %s", n->marked ? "true" : "false");
		if (n->text != NULL) {
			fputs(", \"note\": ", f);
			json_fput_str(f, n->text, true);
		}
		fputc('}', f);
	}
	fputs(k ? "\n  ]" : "]", f);
	kv_str(f, "filter", s->filter, true);
	kv_str(f, "sort", s->sort, true);
	fprintf(f, ",\n  \"sort_desc\": %s,\n  \"show\": \"%s\",\n  \"grouped\": %s", s->sort_desc ? "true" : "false",
	        s->show_all ? "all" : "flagged", s->grouped ? "true" : "false");
	kv_str(f, "theme", s->theme, true);
	kv_str(f, "columns", s->columns, true);
	fputs(",\n  \"views\": [", f);
	for (size_t i = 0; i < s->n_views; i++) {
		fputs(i ? ", " : "", f);
		json_fput_str(f, s->views[i], true);
	}
	fputs("]", f);
	fputs(",\n  \"export\": {\"format\": ", f);
	json_fput_str(f, s->export_format, true);
	fputs(", \"path\": ", f);
	json_fput_str(f, s->export_path, true);
	fputs("}\n}\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = strlen(buf);
	return buf;
}

fs_status
session_save(struct session *s, struct fs_err *err)
{
	size_t len;
	char *text;
	fs_status st;

	if (s->path == NULL)
		return fs_err_set(err, FS_E_ARG, "the session has no file yet: :save PATH names one");
	if ((text = session_to_json(s, &len)) == NULL)
		return fs_err_set(err, FS_E_NOMEM, "cannot format the session for %s", s->path);
	fs_bg_flush();          /* an autosave in flight must not land after this write */
	if ((st = fs_mkdir_parents(s->path, err)) == FS_OK)
		st = fs_write_atomic(s->path, text, len, err);
	free(text);
	if (st == FS_OK)
		s->saved_gen = combined_gen(s);
	return st;
}

void
session_autosave(struct session *s)
{
	size_t len;
	char *text;

	if (s == NULL || s->path == NULL || !session_dirty(s))
		return;
	if ((text = session_to_json(s, &len)) == NULL)
		return;
	fs_bg_write(s->path, text, len);
	free(text);
	s->saved_gen = combined_gen(s);
}

/* Reading. */

static fs_status
bad(struct fs_err *err, const char *name, const char *what)
{
	return fs_err_set(err, FS_E_FORMAT, "%s is not a usable fluxscope session: %s", name, what);
}

static char *
str_field(const struct jv *root, const char *key)
{
	return dup0(jv_str(jv_get(root, key), ""));
}

fs_status
session_parse(const char *text, size_t len, const char *name, struct session **out,
              struct fs_err *err)
{
	char msg[160], why[256];
	size_t off = 0;
	struct jv *root = jv_parse(text, len, msg, sizeof msg, &off);
	const struct jv *v;
	struct session *s;

	*out = NULL;
	if (root == NULL) {
		snprintf(why, sizeof why, "damaged JSON (%s)", msg);
		return bad(err, name, why);
	}
	if (root->t != JV_OBJ || strcmp(jv_str(jv_get(root, "format"), ""), SESSION_FORMAT) != 0) {
		jv_free(root);
		return bad(err, name, "no \"format\": \"" SESSION_FORMAT "\" member (another program's file?)");
	}
	double ver = jv_num(jv_get(root, "version"), -1);
	if (!(ver >= 1) || ver != floor(ver)) {
		jv_free(root);
		return bad(err, name, "no valid \"version\"");
	}
	if (ver > SESSION_VERSION) {
		jv_free(root);
		snprintf(why, sizeof why, "written by a newer fluxscope (session version %.0f; this one reads %d)",
		         ver, SESSION_VERSION);
		return bad(err, name, why);
	}
	s = session_new(NULL);
	if ((v = jv_get(root, "captures")) != NULL) {
		if (v->t != JV_ARR)
			goto shape;
		for (size_t i = 0; i < v->len; i++) {
			const struct jv *c = &v->items[i];
			const char *p = jv_str(jv_get(c, "path"), NULL);
			double sz = jv_num(jv_get(c, "size"), 0), mt = jv_num(jv_get(c, "mtime"), 0);
			const char *h = jv_str(jv_get(c, "hash"), "");
			/* Sizes and times are integers a double holds exactly (below 2^53). */
			if (p == NULL || p[0] == '\0' || !(sz >= 0 && sz < 9007199254740992.0) ||
			    !(mt > -9007199254740992.0 && mt < 9007199254740992.0) ||
			    strlen(h) >= sizeof s->caps[0].hash)
				goto shape;
			s->caps = xreallocarray(s->caps, s->n_caps + 1, sizeof *s->caps);
			struct session_capture *sc = &s->caps[s->n_caps++];
			memset(sc, 0, sizeof *sc);
			sc->path = xstrdup(p);
			sc->size = (uint64_t)sz;
			sc->mtime = (int64_t)mt;
			snprintf(sc->hash, sizeof sc->hash, "%s", h);
		}
	}
	if ((v = jv_get(root, "marks")) != NULL) {
		if (v->t != JV_ARR)
			goto shape;
		for (size_t i = 0; i < v->len; i++) {
			const struct jv *m = &v->items[i];
			int kind = notes_kind_parse(jv_str(jv_get(m, "kind"), ""));
			char key[300];
			struct fs_err e2 = { 0 };
			if (kind < 0 || notes_canon((enum note_kind)kind, jv_str(jv_get(m, "key"), ""), key, sizeof key,
			                            &e2) != FS_OK)
				goto shape;
			if (jv_bool(jv_get(m, "marked"), false))
				notes_mark(s->notes, (enum note_kind)kind, key, true);
			notes_set_text(s->notes, (enum note_kind)kind, key, jv_str(jv_get(m, "note"), NULL));
		}
	}
	free(s->filter);
	s->filter = str_field(root, "filter");
	free(s->sort);
	s->sort = str_field(root, "sort");
	free(s->theme);
	s->theme = str_field(root, "theme");
	free(s->columns);
	s->columns = str_field(root, "columns");
	s->sort_desc = jv_bool(jv_get(root, "sort_desc"), false);
	s->show_all = strcmp(jv_str(jv_get(root, "show"), "flagged"), "all") == 0;
	s->grouped = jv_bool(jv_get(root, "grouped"), false);
	if ((v = jv_get(root, "views")) != NULL) {
		if (v->t != JV_ARR)
			goto shape;
		for (size_t i = 0; i < v->len; i++) {
			if (v->items[i].t != JV_STR)
				goto shape;
			s->views = xreallocarray(s->views, s->n_views + 1, sizeof *s->views);
			s->views[s->n_views++] = xstrdup(v->items[i].s);
		}
	}
	if ((v = jv_get(root, "export")) != NULL) {
		free(s->export_format);
		free(s->export_path);
		s->export_format = str_field(v, "format");
		s->export_path = str_field(v, "path");
	}
	jv_free(root);
	s->gen = 0;
	s->saved_gen = combined_gen(s);
	*out = s;
	return FS_OK;
shape:
	jv_free(root);
	session_free(s);
	return bad(err, name, "a member has the wrong shape (captures, marks or views)");
}

fs_status
session_load(const char *path, struct session **out, struct fs_err *err)
{
	FILE *f;
	char *buf;
	size_t n = 0, cap = 65536;
	fs_status st;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return fs_err_set(err, errno == ENOENT ? FS_E_NOTFOUND : FS_E_IO, "cannot open session %s: %s",
		                  path, strerror(errno));
	buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= SESSION_MAX_BYTES) {
				fclose(f);
				free(buf);
				return bad(err, path, "larger than 64 MiB");
			}
			buf = xrealloc(buf, cap *= 2);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		return fs_err_set(err, FS_E_IO, "cannot read session %s: %s", path, strerror(e));
	}
	fclose(f);
	st = session_parse(buf, n, path, out, err);
	free(buf);
	if (st == FS_OK)
		(*out)->path = xstrdup(path);
	return st;
}
