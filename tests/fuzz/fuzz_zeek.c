/* libFuzzer target for Zeek dns.log (TSV with its header, JSON lines, gzip): the input read as a
 * file through feed_open_mem, every message decoded; and each line straight into the Zeek
 * reader with a fixed header, so lines need not carry one. Asserts that every frame made is a
 * feed frame the decoder reads to a DNS message (feed_fuzz.h). Build: make fuzz. */
#include "feed_fuzz.h"

static const char header[] =
	"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"
	"qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n";

static void
line(void *z, const char *s, size_t n, struct feed_counts *c)
{
	zeek_line(z, s, n, c, emit, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeek_reader *z = zeek_new();
	struct feed_counts c = { 0 };

	feed_fuzz_file("fuzz.log", data, size);
	feed_fuzz_lines((const uint8_t *)header, sizeof header - 1, z, &c, line);
	feed_fuzz_lines(data, size, z, &c, line);
	zeek_free(z);
	return 0;
}
