/* CSV (RFC 4180) and JSON writers: every indicator with every field. Names are written in
 * their escaped presentation form, then quoted for the container format. */
#include "export/export_int.h"

#include <stdlib.h>
#include <string.h>

static void
csv_field(FILE *out, const char *s, bool text)
{
	bool quote = false;
	char neutral = 0;

	if (s == NULL)
		s = "";
	/* A free-text cell starting with = + - @ is a formula to spreadsheets: neutralise it. */
	if (text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	             s[0] == '\r'))
		neutral = '\'';
	for (const char *p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r' || *p == ';' || *p == '\'')
			quote = true;
	if (!quote && !neutral) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (neutral)
		fputc(neutral, out);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			fputs("\"\"", out);
		else if (c < 0x20 && c != '\t')
			fputc(' ', out);   /* one record per line, always */
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static const char *
value_of(const struct export_ind *x, char *buf, size_t len)
{
	if (export_kind_is_name(x->kind))
		return x->name;
	return export_addr_text(x, buf, len);
}

static const char *
time_or_empty(fs_time t, char *buf, size_t len)
{
	if (t == 0) {
		buf[0] = '\0';
		return buf;
	}
	return export_iso_time(t, false, buf, len);
}

void
export_write_csv(struct export_ctx *cx, FILE *out)
{
	const struct export_set *s = export_ctx_set(cx);
	const struct export_opts *o = export_ctx_opts(cx);
	char v[80], t1[32], t2[32], score[32];

	fputs("kind,value,subdomains,score,verdict,first_seen,last_seen,source,reason,reasons,note\n", out);
	for (size_t i = 0; i < export_set_count(s) && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		if (x->kind == EXPORT_PASSTHRU)
			continue;
		snprintf(score, sizeof score, "%.1f", x->score);
		csv_field(out, export_kind_name(x->kind), false);
		fputc(',', out);
		csv_field(out, value_of(x, v, sizeof v), false);
		fputc(',', out);
		fputs(x->kind == EXPORT_DOMAIN && (x->subdomains || o->subdomains) ? "yes" : "no", out);
		fputc(',', out);
		fputs(score, out);
		fputc(',', out);
		csv_field(out, x->verdict, true);
		fputc(',', out);
		fputs(time_or_empty(x->first_seen, t1, sizeof t1), out);
		fputc(',', out);
		fputs(time_or_empty(x->last_seen, t2, sizeof t2), out);
		fputc(',', out);
		csv_field(out, x->source, true);
		fputc(',', out);
		csv_field(out, x->reason, true);
		fputc(',', out);
		/* All reasons in one cell, separated by " | ". */
		{
			size_t n = 1;
			for (int r = 0; r < x->n_reasons; r++)
				n += strlen(x->reasons[r]) + 3;
			char *all = xmalloc(n);
			all[0] = '\0';
			for (int r = 0; r < x->n_reasons; r++) {
				if (r)
					strcat(all, " | ");
				strcat(all, x->reasons[r]);
			}
			csv_field(out, all, true);
			free(all);
		}
		fputc(',', out);
		csv_field(out, x->note != NULL ? x->note : "", true);
		fputc('\n', out);
		export_ctx_entry(cx);
	}
}

void
export_write_json(struct export_ctx *cx, FILE *out)
{
	const struct export_set *s = export_ctx_set(cx);
	const struct export_opts *o = export_ctx_opts(cx);
	char v[80], t[32];
	size_t written = 0;

	fprintf(out, "{\n  \"generator\": \"fluxscope %s\",\n  \"generated\": \"%s\",\n", FS_VERSION,
	        export_iso_time((fs_time)export_now(o) * FS_USEC, false, t, sizeof t));
	fprintf(out, "  \"indicators\": [");
	for (size_t i = 0; i < export_set_count(s) && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		if (x->kind == EXPORT_PASSTHRU)
			continue;
		fprintf(out, "%s\n    {\"kind\": \"%s\", \"value\": ", written ? "," : "",
		        export_kind_name(x->kind));
		export_json_str(out, value_of(x, v, sizeof v));
		if (!export_kind_is_name(x->kind)) {
			char a[FS_ADDR_STRLEN];
			fprintf(out, ", \"address\": \"%s\", \"prefix_len\": %u",
			        fs_addr_str(&x->addr, a, sizeof a), x->plen);
		}
		fprintf(out, ", \"subdomains\": %s, \"score\": %.1f, \"verdict\": ",
		        x->kind == EXPORT_DOMAIN && (x->subdomains || o->subdomains) ? "true" : "false",
		        x->score);
		export_json_str(out, x->verdict);
		fputs(", \"first_seen\": ", out);
		if (x->first_seen)
			fprintf(out, "\"%s\"", export_iso_time(x->first_seen, false, t, sizeof t));
		else
			fputs("null", out);
		fputs(", \"last_seen\": ", out);
		if (x->last_seen)
			fprintf(out, "\"%s\"", export_iso_time(x->last_seen, false, t, sizeof t));
		else
			fputs("null", out);
		fputs(", \"source\": ", out);
		export_json_str(out, x->source);
		fputs(", \"reason\": ", out);
		export_json_str(out, x->reason);
		fputs(", \"reasons\": [", out);
		for (int r = 0; r < x->n_reasons; r++) {
			if (r)
				fputs(", ", out);
			export_json_str(out, x->reasons[r]);
		}
		fputs("]", out);
		if (x->note != NULL) {
			fputs(", \"note\": ", out);
			export_json_str(out, x->note);
		}
		fputs("}", out);
		written++;
		export_ctx_entry(cx);
	}
	fprintf(out, "%s  ],\n  \"count\": %zu\n}\n", written ? "\n" : "", written);
}
