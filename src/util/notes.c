/* Marks and notes (see fluxscope/notes.h): entries in a vector, found through a hash index
 * (util/hidx.h) of (kind, key). */
#include "fluxscope/notes.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hidx.h"

#define NOTE_TEXT_MAX 1000

struct notes {
	struct note *v;            /* live entries; a removed one leaves key == NULL */
	size_t n, cap, live;
	struct fs_hidx idx;        /* live entries by (kind, key) */
	uint64_t gen;
};

static const char *const kind_names[NOTE_KIND_COUNT] = {
	[NOTE_DOMAIN] = "domain", [NOTE_ZONE] = "zone", [NOTE_ADDR] = "address",
	[NOTE_ASN] = "asn", [NOTE_NS] = "ns",
};

const char *
notes_kind_name(enum note_kind k)
{
	return (unsigned)k < NOTE_KIND_COUNT ? kind_names[k] : "?";
}

int
notes_kind_parse(const char *s)
{
	for (int k = 0; k < NOTE_KIND_COUNT; k++)
		if (strcasecmp(s, kind_names[k]) == 0)
			return k;
	if (!strcasecmp(s, "addr") || !strcasecmp(s, "ip"))
		return NOTE_ADDR;
	if (!strcasecmp(s, "nameserver"))
		return NOTE_NS;
	return -1;
}

fs_status
notes_canon(enum note_kind k, const char *in, char *out, size_t len, struct fs_err *err)
{
	size_t n = strlen(in);

	while (n > 0 && isspace((unsigned char)*in)) {
		in++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)in[n - 1]))
		n--;
	switch (k) {
	case NOTE_ADDR: {
		char tmp[64];
		unsigned char bin[16];
		if (n == 0 || n >= sizeof tmp)
			return fs_err_set(err, FS_E_ARG, "'%.*s' is not an IP address", (int)(n > 60 ? 60 : n), in);
		memcpy(tmp, in, n);
		tmp[n] = '\0';
		if (inet_pton(AF_INET, tmp, bin) == 1)
			return inet_ntop(AF_INET, bin, out, (socklen_t)len) ? FS_OK :
			       fs_err_set(err, FS_E_ARG, "address too long");
		if (inet_pton(AF_INET6, tmp, bin) == 1)
			return inet_ntop(AF_INET6, bin, out, (socklen_t)len) ? FS_OK :
			       fs_err_set(err, FS_E_ARG, "address too long");
		return fs_err_set(err, FS_E_ARG, "'%s' is not an IP address", tmp);
	}
	case NOTE_ASN: {
		const char *p = in;
		char *end;
		if (n >= 2 && strncasecmp(p, "AS", 2) == 0)
			p += 2;
		unsigned long v = strtoul(p, &end, 10);
		if (p == in + n || end != in + n || v == 0 || v > 4294967295ul || !isdigit((unsigned char)*p))
			return fs_err_set(err, FS_E_ARG, "'%.*s' is not an AS number (AS12345 or 12345)",
			                  (int)(n > 60 ? 60 : n), in);
		snprintf(out, len, "AS%lu", v);
		return FS_OK;
	}
	default:
		while (n > 0 && in[n - 1] == '.')   /* every final dot: canon(canon(x)) == canon(x) */
			n--;
		if (n == 0 || n > 253 || n >= len)
			return fs_err_set(err, FS_E_ARG, "'%.*s' is not a DNS name", (int)(n > 60 ? 60 : n), in);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];
			if (c <= 0x20 || c == 0x7f)
				return fs_err_set(err, FS_E_ARG, "'%.*s' is not a DNS name", (int)(n > 60 ? 60 : n), in);
			out[i] = (char)tolower(c);
		}
		out[n] = '\0';
		return FS_OK;
	}
}

struct notes *
notes_new(void)
{
	return xcalloc(1, sizeof(struct notes));
}

void
notes_free(struct notes *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++) {
		free(n->v[i].key);
		free(n->v[i].text);
	}
	free(n->v);
	fs_hidx_fini(&n->idx);
	free(n);
}

static uint32_t
hash(enum note_kind k, const char *key)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)k;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 29));
}

/* Compact the vector (removed entries go) and index it again. */
static void
compact(struct notes *n)
{
	size_t w = 0;

	for (size_t i = 0; i < n->n; i++)
		if (n->v[i].key != NULL)
			n->v[w++] = n->v[i];
	n->n = w;
	fs_hidx_clear(&n->idx);
	for (size_t i = 0; i < n->n; i++)
		fs_hidx_add(&n->idx, hash(n->v[i].kind, n->v[i].key), (uint32_t)i);
}

static struct note *
find(const struct notes *n, enum note_kind k, const char *key)
{
	uint32_t h = hash(k, key);

	for (uint32_t s = fs_hidx_first(&n->idx, h); s != FS_HIDX_END; s = fs_hidx_next(&n->idx, h, s)) {
		struct note *e = &n->v[fs_hidx_item(&n->idx, s)];
		if (e->kind == k && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

const struct note *
notes_find(const struct notes *n, enum note_kind k, const char *key)
{
	return n != NULL && key != NULL ? find(n, k, key) : NULL;
}

const struct note *
notes_lookup(const struct notes *n, enum note_kind k, const char *text)
{
	char key[300];

	if (n == NULL || text == NULL || n->live == 0 || notes_canon(k, text, key, sizeof key, NULL) != FS_OK)
		return NULL;
	return find(n, k, key);
}

static struct note *
get_or_add(struct notes *n, enum note_kind k, const char *key)
{
	struct note *e = find(n, k, key);

	if (e != NULL)
		return e;
	if (n->n == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 16;
		n->v = xreallocarray(n->v, n->cap, sizeof *n->v);
	}
	e = &n->v[n->n++];
	memset(e, 0, sizeof *e);
	e->kind = k;
	e->key = xstrdup(key);
	n->live++;
	fs_hidx_add(&n->idx, hash(k, key), (uint32_t)(n->n - 1));
	return e;
}

/* Drop an entry that holds nothing any more: it leaves the index at once and stays in the
 * vector as a hole (key NULL) until holes outnumber live entries and the vector is compacted. */
static void
drop_if_empty(struct notes *n, struct note *e)
{
	if (e->marked || e->text != NULL)
		return;
	fs_hidx_del(&n->idx, hash(e->kind, e->key), (uint32_t)(e - n->v));
	free(e->key);
	e->key = NULL;
	n->live--;
	if (n->n - n->live > 64 && n->n - n->live > n->live)
		compact(n);
}

bool
notes_mark(struct notes *n, enum note_kind k, const char *key, bool on)
{
	struct note *e = on ? get_or_add(n, k, key) : find(n, k, key);

	if (e == NULL || e->marked == on)
		return false;
	e->marked = on;
	n->gen++;
	drop_if_empty(n, e);
	return true;
}

bool
notes_set_text(struct notes *n, enum note_kind k, const char *key, const char *text)
{
	bool clear = text == NULL || text[0] == '\0';
	struct note *e = clear ? find(n, k, key) : get_or_add(n, k, key);

	if (e == NULL)
		return false;
	if (clear) {
		if (e->text == NULL)
			return false;
		free(e->text);
		e->text = NULL;
		n->gen++;
		drop_if_empty(n, e);
		return true;
	}
	size_t len = strlen(text);
	if (len > NOTE_TEXT_MAX)
		len = NOTE_TEXT_MAX;
	/* Do not cut a UTF-8 sequence. */
	while (len > 0 && len < strlen(text) && ((unsigned char)text[len] & 0xC0) == 0x80)
		len--;
	char *t = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		t[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? ' ' : text[i];
	t[len] = '\0';
	if (e->text != NULL && strcmp(e->text, t) == 0) {
		free(t);
		return false;
	}
	free(e->text);
	e->text = t;
	n->gen++;
	return true;
}

bool
notes_clear(struct notes *n)
{
	bool any = n->live > 0;
	for (size_t i = 0; i < n->n; i++) {
		free(n->v[i].key);
		free(n->v[i].text);
	}
	n->n = n->live = 0;
	fs_hidx_fini(&n->idx);
	if (any)
		n->gen++;
	return any;
}

size_t
notes_count(const struct notes *n)
{
	return n ? n->n : 0;
}

const struct note *
notes_at(const struct notes *n, size_t i)
{
	return n != NULL && i < n->n && n->v[i].key != NULL ? &n->v[i] : NULL;
}

size_t
notes_marked(const struct notes *n, enum note_kind k)
{
	size_t c = 0;
	for (size_t i = 0; n != NULL && i < n->n; i++)
		c += n->v[i].key != NULL && n->v[i].kind == k && n->v[i].marked;
	return c;
}

uint64_t
notes_generation(const struct notes *n)
{
	return n ? n->gen : 0;
}
