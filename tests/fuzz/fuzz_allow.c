/* libFuzzer target for the allowlist file (share/allowlist.conf, --allowlist FILE): parsed
 * from memory with det_allow_parse over a list that already holds entries (as --allowlist adds
 * to the shipped list), then names and ASNs looked up. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a.example.com", "example.com", "com", ".", "",
	                                     "x.akamaiedge.net", "pool.ntp.org", "a..b" };
	struct det_allow a;
	struct fs_err err;
	char *s = malloc(size + 1);
	volatile size_t sink = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	det_allow_init(&a);
	if (det_allow_parse(&a, "cdn akamaiedge.net Akamai\ncdn-asn 20940 Akamai\n", "base", &err)
	    != FS_OK)
		abort();
	(void)det_allow_parse(&a, s, "fuzz.conf", &err);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		sink += det_allow_match_name(&a, names[i]) != NULL;
	for (size_t i = 0; i < a.n; i++)
		if (a.e[i].value != NULL)
			sink += det_allow_match_name(&a, a.e[i].value) != NULL;
	sink += det_allow_match_asn(&a, 20940) != NULL;
	sink += det_allow_match_asn(&a, 0) != NULL;
	(void)sink;
	det_allow_fini(&a);
	free(s);
	return 0;
}
