/* libFuzzer target for the packet path: the input is a sequence of frames (2-byte length,
 * 1-byte link-type selector, 1-byte time step, bytes), decoded by one decoder so fragment and
 * TCP stream state carries across frames; then flushed. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

static const int linktypes[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276, 147,
                                 7, 10, 105, 127, 129, 149, 192, 239, 258 };

static void
sink(void *ctx, const struct dns_msg *m)
{
	(void)ctx;
	/* Touch what a consumer reads. */
	volatile size_t n = m->qname ? strlen(m->qname) : 0;
	for (uint32_t i = 0; i < m->n_rr; i++)
		n += m->rr[i].name ? strlen(m->rr[i].name) : 0;
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dec_config cfg;
	dec_config_default(&cfg);
	cfg.frag_max_datagrams = 8;
	cfg.tcp_max_streams = 8;
	cfg.frag_timeout_ms = 1000;
	cfg.tcp_timeout_ms = 1000;
	struct decoder *d = dec_new(&cfg);
	fs_time ts = 0;
	size_t off = 0;

	while (size - off >= 4) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		int lt = linktypes[data[off + 2] % (sizeof linktypes / sizeof linktypes[0])];
		ts += (fs_time)data[off + 3] * 50000;
		off += 4;
		if (len > size - off)
			len = size - off;
		/* An exact-size copy, so ASan sees any read past the frame. */
		uint8_t *frame = malloc(len ? len : 1);
		memcpy(frame, data + off, len);
		dec_packet(d, lt, ts, frame, (uint32_t)len, (uint32_t)len, 0, sink, NULL);
		free(frame);
		off += len;
	}
	dec_flush(d, sink, NULL);
	dec_free(d);
	return 0;
}
