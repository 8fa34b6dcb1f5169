/* libFuzzer target for Zeek dns.log (TSV with its header, JSON lines, gzip): the input read as a
 * file through feed_open_mem, every message decoded; and each line straight into the Zeek
 * reader with a fixed header, so lines need not carry one. Asserts that every frame made is a
 * feed frame the decoder reads to a DNS message. Build: make fuzz. */
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

static void
emit(void *ctx, fs_time ts, const uint8_t *frame, size_t len)
{
	(void)ctx;
	uint64_t before = msgs, not_dns = dec_stats(dec)->skipped[DEC_SKIP_NOT_DNS];
	dec_packet(dec, DEC_LINKTYPE_FEED, ts, frame, (uint32_t)len, (uint32_t)len, 0, on_msg, NULL);
	/* what the reader builds always decodes, unless it is on no DNS port (mDNS in a log) */
	assert(msgs == before + 1 || dec_stats(dec)->skipped[DEC_SKIP_NOT_DNS] == not_dns + 1);
}

static const char header[] =
	"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"
	"qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_source *s;
	struct fs_err err;
	struct cap_frame f;

	if (dec == NULL)
		dec = dec_new(NULL);
	if (feed_open_mem("fuzz.log", data, size, &s, &err) == FS_OK) {
		while (cap_source_next(s, &f, &err) == CAP_FRAME)
			dec_packet(dec, f.linktype, f.ts, f.data, f.caplen, f.wirelen, 0, NULL, NULL);
		cap_source_close(s);
	}
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 };
	const char *h = header;
	while (*h) {
		const char *nl = strchr(h, '\n');
		zeek_line(z, h, (size_t)(nl - h), &c, emit, NULL);
		h = nl + 1;
	}
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		zeek_line(z, (const char *)p, n, &c, emit, NULL);
		p += n + 1;
	}
	zeek_free(z);
	return 0;
}
