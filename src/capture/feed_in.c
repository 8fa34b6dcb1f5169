/* Byte input of the file feeds: the bytes the format sniffing already read, then the file or
 * pipe (or a memory buffer for fuzzers), optionally through zlib's inflate (gzip members one
 * after another, as Zeek and logrotate write them); and bounded lines over it. */
#include "capture/feed_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_BUF (1u << 16)

struct feed_in {
	int fd;                     /* -1 for memory */
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	const _Atomic bool *stop;
	uint8_t *pre;               /* bytes given back (sniffed, peeked) */
	size_t npre, pre_pos;
	uint64_t offset;
	bool gz, gz_end, gz_mid, raw_eof;
	z_stream z;
	uint8_t *raw;               /* compressed input */
	size_t raw_len, raw_pos;
	uint8_t *peek;              /* peeked (decompressed) bytes */
	size_t npeek;
	char err[160];
};

static struct feed_in *
in_new(void)
{
	struct feed_in *in = xcalloc(1, sizeof *in);
	in->fd = -1;
	in->peek = xmalloc(FEED_PEEK_MAX);
	return in;
}

struct feed_in *
feed_in_fd(int fd, const uint8_t *pre, size_t npre, const _Atomic bool *stop)
{
	struct feed_in *in = in_new();

	in->fd = fd;
	in->stop = stop;
	if (npre > 0) {
		in->pre = xmalloc(npre);
		memcpy(in->pre, pre, npre);
		in->npre = npre;
	}
	return in;
}

struct feed_in *
feed_in_mem(const uint8_t *buf, size_t len)
{
	struct feed_in *in = in_new();

	in->mem = buf;
	in->mem_len = len;
	return in;
}

/* Raw bytes: given-back prefix, then memory or the fd. */
static long
raw_read(struct feed_in *in, uint8_t *buf, size_t n)
{
	if (in->pre_pos < in->npre) {
		size_t k = in->npre - in->pre_pos < n ? in->npre - in->pre_pos : n;
		memcpy(buf, in->pre + in->pre_pos, k);
		in->pre_pos += k;
		return (long)k;
	}
	if (in->fd < 0) {
		size_t k = in->mem_len - in->mem_pos < n ? in->mem_len - in->mem_pos : n;
		if (k > 0)
			memcpy(buf, in->mem + in->mem_pos, k);
		in->mem_pos += k;
		in->offset += k;
		return (long)k;
	}
	for (;;) {
		if (in->stop != NULL && !cap_wait_readable(in->fd, in->stop))
			return 0;   /* asked to stop: end of input */
		ssize_t got = read(in->fd, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(in->err, sizeof in->err, "%s", strerror(errno));
			return -1;
		}
		in->offset += (uint64_t)got;
		return (long)got;
	}
}

void
feed_in_gunzip(struct feed_in *in)
{
	if (in->gz)
		return;
	in->gz = true;
	in->raw = xmalloc(RAW_BUF);
	/* 16 + MAX_WBITS: gzip wrapper only */
	if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
		fs_fatal("zlib: inflateInit2 failed");
	/* bytes already peeked are compressed: give them back to the raw side */
	if (in->npeek > 0) {
		uint8_t *np = xmalloc(in->npeek + (in->npre - in->pre_pos));
		memcpy(np, in->peek, in->npeek);
		if (in->npre > in->pre_pos)
			memcpy(np + in->npeek, in->pre + in->pre_pos, in->npre - in->pre_pos);
		free(in->pre);
		in->pre = np;
		in->npre = in->npeek + (in->npre - in->pre_pos);
		in->pre_pos = 0;
		in->npeek = 0;
	}
}

static long
gz_read(struct feed_in *in, uint8_t *buf, size_t n)
{
	uInt want = (uInt)(n > (1u << 30) ? (1u << 30) : n);

	if (in->gz_end)
		return 0;
	in->z.next_out = buf;
	in->z.avail_out = want;
	while (in->z.avail_out == want) {   /* until something comes out */
		if (in->raw_pos == in->raw_len && !in->raw_eof) {
			long got = raw_read(in, in->raw, RAW_BUF);
			if (got < 0)
				return -1;
			if (got == 0)
				in->raw_eof = true;
			in->raw_len = (size_t)got;
			in->raw_pos = 0;
		}
		if (in->raw_pos == in->raw_len && in->raw_eof) {
			in->gz_end = true;
			if (in->gz_mid) {
				snprintf(in->err, sizeof in->err, "its gzip data ends in the middle");
				return -1;
			}
			break;
		}
		in->z.next_in = in->raw + in->raw_pos;
		in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
		int r = inflate(&in->z, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->z.avail_in;
		in->gz_mid = true;
		if (r == Z_STREAM_END) {
			/* another member may follow (rotated logs are often concatenated) */
			inflateReset(&in->z);
			in->gz_mid = false;
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(in->err, sizeof in->err, "bad gzip data (%s)",
			         in->z.msg != NULL ? in->z.msg : "inflate failed");
			in->gz_end = true;
			return -1;
		}
	}
	return (long)(want - in->z.avail_out);
}

long
feed_in_read(struct feed_in *in, uint8_t *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (in->npeek > 0) {
		size_t k = in->npeek < n ? in->npeek : n;
		memcpy(buf, in->peek, k);
		memmove(in->peek, in->peek + k, in->npeek - k);
		in->npeek -= k;
		return (long)k;
	}
	return in->gz ? gz_read(in, buf, n) : raw_read(in, buf, n);
}

size_t
feed_in_peek(struct feed_in *in, const uint8_t **p, size_t want)
{
	if (want > FEED_PEEK_MAX)
		want = FEED_PEEK_MAX;
	while (in->npeek < want) {
		long got = in->gz ? gz_read(in, in->peek + in->npeek, want - in->npeek) :
		                    raw_read(in, in->peek + in->npeek, want - in->npeek);
		if (got <= 0)
			break;
		in->npeek += (size_t)got;
	}
	*p = in->peek;
	return in->npeek;
}

const char *
feed_in_error(const struct feed_in *in)
{
	return in->err;
}

uint64_t
feed_in_offset(const struct feed_in *in)
{
	return in->offset;
}

void
feed_in_close(struct feed_in *in)
{
	if (in == NULL)
		return;
	if (in->gz)
		inflateEnd(&in->z);
	if (in->fd >= 0)
		close(in->fd);
	free(in->raw);
	free(in->pre);
	free(in->peek);
	free(in);
}

/* ---- lines ---- */

void
feed_lines_init(struct feed_lines *l, struct feed_in *in)
{
	memset(l, 0, sizeof *l);
	l->in = in;
	l->buf = xmalloc(FEED_LINE_MAX + 1);
	l->rbuf = xmalloc(RAW_BUF);
}

void
feed_lines_fini(struct feed_lines *l)
{
	free(l->buf);
	free(l->rbuf);
	memset(l, 0, sizeof *l);
}

int
feed_lines_next(struct feed_lines *l)
{
	bool too_long = false;

	l->len = 0;
	for (;;) {
		if (l->rpos == l->rlen) {
			if (l->eof)
				break;
			long got = feed_in_read(l->in, l->rbuf, RAW_BUF);
			if (got < 0)
				return -1;
			if (got == 0) {
				l->eof = true;
				break;
			}
			l->rlen = (size_t)got;
			l->rpos = 0;
		}
		const uint8_t *s = l->rbuf + l->rpos;
		size_t avail = l->rlen - l->rpos;
		const uint8_t *nl = memchr(s, '\n', avail);
		size_t take = nl != NULL ? (size_t)(nl - s) : avail;
		if (!too_long) {
			if (l->len + take > FEED_LINE_MAX)
				too_long = true;
			else {
				memcpy(l->buf + l->len, s, take);
				l->len += take;
			}
		}
		l->rpos += take + (nl != NULL);
		if (nl == NULL)
			continue;
		if (too_long) {   /* skip it whole, then read the next line */
			l->n_long++;
			too_long = false;
			l->len = 0;
			continue;
		}
		goto done;
	}
	if (too_long) {
		l->n_long++;
		return 0;
	}
	if (l->len == 0)
		return 0;
done:
	if (l->len > 0 && l->buf[l->len - 1] == '\r')
		l->len--;
	l->buf[l->len] = '\0';
	l->line = l->buf;
	l->line_len = l->len;
	l->n_lines++;
	return 1;
}

void
feed_in_set_stop(struct feed_in *in, const _Atomic bool *stop)
{
	in->stop = stop;
}
