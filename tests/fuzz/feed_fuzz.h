/* The common part of the log-feed fuzz targets (fuzz_zeek, fuzz_eve): a decoder that checks
 * every frame a reader builds, the input read as a file through feed_open_mem, and the input's
 * lines handed one by one to a reader. */
#ifndef FLUXSCOPE_FUZZ_FEED_FUZZ_H
#define FLUXSCOPE_FUZZ_FEED_FUZZ_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/feed_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct decoder *dec;
static uint64_t msgs;

static void
on_msg(void *ctx, const struct dns_msg *m)
{
	(void)ctx;
	assert(m->vantage != NULL);
	msgs++;
}

/* A frame a reader made: it must decode to one DNS message. */
static void
emit(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	(void)ctx;
	uint64_t before = msgs, not_dns = dec_stats(dec)->skipped[DEC_SKIP_NOT_DNS];
	dec_packet(dec, DEC_LINKTYPE_FEED, ts, frame, (uint32_t)len, (uint32_t)len, 0, on_msg, NULL);
	/* what the reader builds always decodes, unless it is on no DNS port (mDNS in a log) */
	assert(msgs == before + 1 || dec_stats(dec)->skipped[DEC_SKIP_NOT_DNS] == not_dns + 1);
}

/* The input as a file named name (recognised by content): every frame decoded. */
static void
feed_fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	struct cap_source *s;
	struct fs_err err;
	struct cap_frame f;

	if (dec == NULL)
		dec = dec_new(NULL);
	if (feed_open_mem(name, data, size, &s, &err) == FS_OK) {
		while (cap_source_next(s, &f, &err) == CAP_FRAME)
			dec_packet(dec, f.linktype, f.ts, f.data, f.caplen, f.wirelen, 0, NULL, NULL);
		cap_source_close(s);
	}
}

/* Each line of data (without its '\n') to line(reader, ...). */
static void
feed_fuzz_lines(const uint8_t *data, size_t size, void *reader, struct feed_counts *c,
                void (*line)(void *reader, const char *s, size_t n, struct feed_counts *c))
{
	const uint8_t *p = data, *end = data + size;

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		line(reader, (const char *)p, n, c);
		p += n + 1;
	}
}

#endif
