/* libFuzzer target for Suricata EVE JSON (dns events v1, v2, v3): the input read as a
 * file through feed_open_mem, every message decoded; and each line straight into the EVE
 * reader, v1 records joined until the end. Asserts that every frame made is a
 * feed frame the decoder reads to a DNS message (feed_fuzz.h). Build: make fuzz. */
#include "feed_fuzz.h"

static void
line(void *e, const char *s, size_t n, struct feed_counts *c)
{
	eve_line(e, s, n, c, emit, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eve_reader *e = eve_new();
	struct feed_counts c = { 0 };

	feed_fuzz_file("fuzz.json", data, size);
	feed_fuzz_lines(data, size, e, &c, line);
	eve_flush(e, &c, emit, NULL);
	eve_free(e);
	return 0;
}
