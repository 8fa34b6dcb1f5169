/* --filter errors with a caret under the position (see filter_err.h). */
#include "cli/filter_err.h"

#include <string.h>

struct query_filter *
cli_filter_parse(const char *expr, FILE *out)
{
	struct query_filter *f = NULL;
	struct fs_err err = { 0 };
	size_t col = 0;

	if (query_filter_parse_at(expr, &f, &err, &col) == FS_OK)
		return f;
	const char *m = strncmp(err.msg, "filter: ", 8) == 0 ? err.msg + 8 : err.msg;
	fprintf(out, "fluxscope: option --filter: %s\n", m);
	if (col > 0 && strchr(expr, '\n') == NULL) {
		fprintf(out, "  %s\n  ", expr);
		/* Columns count characters; a tab keeps its width under itself. */
		size_t k = 1;
		for (const char *p = expr; *p != '\0' && k < col; p++) {
			if (((unsigned char)*p & 0xC0) == 0x80)
				continue;
			fputc(*p == '\t' ? '\t' : ' ', out);
			k++;
		}
		fputs("^\n", out);
	}
	return NULL;
}
