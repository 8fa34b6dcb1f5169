/* libFuzzer target for session files (--session PATH, :save): session_parse from memory (the
 * JSON reader, decode/json.c, strict grammar, underneath), then a round trip: a session that parses is
 * written back and must parse again to the same text. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session *s, *t;
	struct fs_err err;
	size_t n1, n2;

	if (session_parse((const char *)data, size, "fuzz.session", &s, &err) != FS_OK)
		return 0;
	char *a = session_to_json(s, &n1);
	if (a == NULL || session_parse(a, n1, "again", &t, &err) != FS_OK)
		abort();   /* what we write we read */
	char *b = session_to_json(t, &n2);
	/* Equal apart from the "saved" time stamp line. */
	char *pa = strstr(a, "\"captures\""), *pb = strstr(b, "\"captures\"");
	if (pa == NULL || pb == NULL || strcmp(pa, pb) != 0)
		abort();
	free(a);
	free(b);
	session_free(s);
	session_free(t);
	return 0;
}
