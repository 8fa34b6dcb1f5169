/* libFuzzer target for the filter language (`--filter EXPR`, the TUI's filter prompt):
 * query_filter_parse on the input as a string; a filter that parses is printed back and matched
 * against a few results (flux with reasons, CDN without distance, empty names, a verdict out of
 * range). Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char r0[] = "37 addresses in 21 ASNs across 14 countries in 40 min", r1[] = "TTL 60 s";
	static char *reasons[] = { r0, r1 };
	struct det_result r[3];
	struct query_filter *f = NULL;
	struct fs_err err;
	char *s = malloc(size + 1);
	volatile size_t sink = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	if (query_filter_parse(s, &f, &err) == FS_OK) {
		sink += strlen(query_filter_text(f)) + (size_t)query_filter_terms(f);
		memset(r, 0, sizeof r);
		r[0] = (struct det_result){ .name = "evil-flux.test", .registrable = "evil-flux.test",
		                            .score = 93.5, .verdict = DET_SINGLE_FLUX,
		                            .reasons = reasons, .n_reasons = 2, .n_addrs = 23,
		                            .n_asns = 11, .ttl = 60, .max_distance_km = 9000,
		                            .intel_hit = true, .cluster = 3, .cluster_size = 4 };
		r[1] = (struct det_result){ .name = "www.example.com", .registrable = "example.com",
		                            .verdict = DET_CDN, .max_distance_km = -1,
		                            .allowlisted = true };
		r[2] = (struct det_result){ .name = "", .registrable = "", .score = 100,
		                            .verdict = DET_VERDICT_COUNT };
		for (int i = 0; i < 3; i++)
			sink += query_filter_match(f, &r[i], NULL);
	} else if (err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof err.msg) == NULL) {
		abort();   /* a refusal is one sentence */
	}
	(void)sink;
	query_filter_free(f);
	free(s);
	return 0;
}
