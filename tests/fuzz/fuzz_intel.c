/* libFuzzer target for intel feeds (--intel FILE: plain lists, hosts files, CSV with or without
 * a header; names, addresses, CIDRs): det_intel_parse from memory, twice (two feeds), then
 * names and addresses looked up. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "evil.example", "a.b.evil.example", "example", "",
	                                     "." };
	static const char *const addrs[] = { "192.0.2.1", "10.1.2.3", "2001:db8::1", "::",
	                                     "::ffff:192.0.2.1", "255.255.255.255" };
	struct det_intel t;
	struct fs_err err;
	char *s = malloc(size + 1);
	const char *matched;
	volatile size_t sink = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	det_intel_init(&t);
	(void)det_intel_parse(&t, s, "feed-a.csv", &err);
	(void)det_intel_parse(&t, s, "feed-b.txt", &err);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		sink += det_intel_match_name(&t, names[i], &matched) != NULL;
	for (size_t i = 0; i < t.n_names; i++)
		sink += det_intel_match_name(&t, t.names[i].name, &matched) != NULL;
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		fs_addr a;
		if (fs_addr_parse(addrs[i], &a) == 0)
			sink += det_intel_match_addr(&t, &a) != NULL;
	}
	for (size_t i = 0; i < t.n_cidrs; i++)
		if (det_intel_match_addr(&t, &t.cidrs[i].net) == NULL)
			abort();   /* a listed network contains its own address */
	(void)sink;
	det_intel_fini(&t);
	free(s);
	return 0;
}
