/* Spool files: one batch each, written atomically (temporary file, fsync, rename), read back
 * as hostile input (every byte through wire.h, every row decoded and checked). */
#include "chouse/ch_int.h"

#include <string.h>

#include "decode/wire.h"

#define SPOOL_VERSION 2   /* 1: rows without the feed column, still read */
#define HDR_FIXED (8 + 4 + 4 + 8 + 4 + 4 + 4 + 4 + 8 + 2)

uint64_t
ch_fnv64(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
le(struct ch_buf *b, uint64_t v, int n)
{
	uint8_t t[8];
	for (int i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	ch_buf_add(b, t, (size_t)n);
}

void
ch_spool_encode(const struct ch_spool_hdr *h, struct ch_buf *out)
{
	size_t sl = strnlen(h->sensor, CH_MAX_SENSOR);
	ch_buf_reserve(out, HDR_FIXED + sl + h->body_len);
	ch_buf_add(out, CH_SPOOL_MAGIC, 8);
	le(out, h->version != 0 ? h->version : SPOOL_VERSION, 4);
	le(out, h->flags, 4);
	le(out, h->batch, 8);
	le(out, h->rows, 4);
	le(out, h->ts_min, 4);
	le(out, h->ts_max, 4);
	le(out, h->body_len, 4);
	le(out, ch_fnv64(h->body, h->body_len), 8);
	le(out, sl, 2);
	ch_buf_add(out, h->sensor, sl);
	ch_buf_add(out, h->body, h->body_len);
}

static uint64_t
rd(struct wire *w, int n)
{
	uint8_t t[8];
	uint64_t v = 0;
	if (!wire_bytes(w, t, (size_t)n))
		return 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | t[i];
	return v;
}

fs_status
ch_spool_parse(const uint8_t *p, size_t len, struct ch_spool_hdr *out, struct fs_err *err)
{
	struct wire w;
	uint8_t magic[8];
	uint64_t sum;
	size_t sl;

	memset(out, 0, sizeof *out);
	wire_init(&w, p, len);
	if (!wire_bytes(&w, magic, 8) || memcmp(magic, CH_SPOOL_MAGIC, 8) != 0)
		return fs_err_set(err, FS_E_FORMAT, "it is not a fluxscope spool file");
	out->version = (uint32_t)rd(&w, 4);
	if (out->version != 1 && out->version != SPOOL_VERSION)
		return fs_err_set(err, FS_E_FORMAT, "its version is not 1 or %d", SPOOL_VERSION);
	out->flags = (uint32_t)rd(&w, 4);
	out->batch = rd(&w, 8);
	out->rows = (uint32_t)rd(&w, 4);
	out->ts_min = (uint32_t)rd(&w, 4);
	out->ts_max = (uint32_t)rd(&w, 4);
	out->body_len = (size_t)rd(&w, 4);
	sum = rd(&w, 8);
	sl = (size_t)rd(&w, 2);
	if (!wire_ok(&w))
		return fs_err_set(err, FS_E_FORMAT, "its header is cut short");
	if (sl > CH_MAX_SENSOR || !wire_bytes(&w, out->sensor, sl))
		return fs_err_set(err, FS_E_FORMAT, "its sensor name is over %d bytes or cut short",
		                  CH_MAX_SENSOR);
	out->sensor[sl] = '\0';
	if (memchr(out->sensor, 0, sl) != NULL)
		return fs_err_set(err, FS_E_FORMAT, "its sensor name holds a NUL byte");
	if (wire_left(&w) != out->body_len)
		return fs_err_set(err, FS_E_FORMAT, "its body is %zu bytes, not the %zu its header says",
		                  wire_left(&w), out->body_len);
	out->body = w.p;
	if (ch_fnv64(out->body, out->body_len) != sum)
		return fs_err_set(err, FS_E_FORMAT, "its checksum does not match its body");
	if (out->rows == 0 || out->ts_min > out->ts_max)
		return fs_err_set(err, FS_E_FORMAT, "its header holds no rows or a reversed time range");

	/* every row: decodes, belongs to this batch and sensor, within the time range */
	struct ch_rowbuf rb = { 0 };
	struct wire body;
	uint32_t n = 0;
	const char *why = NULL;
	int r;
	fs_status st = FS_OK;
	wire_init(&body, out->body, out->body_len);
	rb.no_feed = out->version == 1;
	while ((r = ch_row_decode(&body, &rb, &why)) == 1) {
		const struct ch_row *row = &rb.row;
		uint64_t sec = (uint64_t)(row->ts / FS_USEC);
		if (row->batch != out->batch || strcmp(row->sensor, out->sensor) != 0 ||
		    sec < out->ts_min || sec > out->ts_max || row->seq != n) {
			st = fs_err_set(err, FS_E_FORMAT, "its row %u does not belong to its batch", n + 1);
			break;
		}
		if (++n > out->rows)
			break;
	}
	if (st == FS_OK && r < 0)
		st = fs_err_set(err, FS_E_FORMAT, "its row %u does not decode: %s", n + 1, why);
	else if (st == FS_OK && n != out->rows)
		st = fs_err_set(err, FS_E_FORMAT, "it holds %s rows than its header says (%u)",
		                n > out->rows ? "more" : "fewer", out->rows);
	ch_rowbuf_fini(&rb);
	return st;
}
