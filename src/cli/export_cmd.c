/* fluxscope --export FORMAT -o PATH: capture → store → detection → indicator set → file. */
#include "cli/filter_err.h"
#include "cli/export_cmd.h"

#include <stdio.h>
#include <string.h>

#include "cli/geo_cli.h"
#include "cli/live.h"
#include "cli/pipeline.h"
#include "cli/report.h"
#include "fluxscope/notes.h"
#include "fluxscope/session.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/export.h"
#include "fluxscope/query.h"
#include "fluxscope/store.h"

/* Export options from the command line; err names the option at fault. */
static fs_status
export_options(const struct opts *o, struct export_opts *eo, struct fs_err *err)
{
	export_opts_init(eo);
	if (o->rpz_action != NULL) {
		int a = export_rpz_action_parse(o->rpz_action);
		if (a < 0)
			return fs_err_set(err, FS_E_ARG, "option --rpz-action '%s' is not one of nxdomain, "
			                  "nodata, drop, passthru, sinkhole", o->rpz_action);
		eo->action = (enum export_rpz_action)a;
	}
	if (o->rpz_origin != NULL)
		eo->origin = o->rpz_origin;
	eo->sinkhole = o->sinkhole;
	eo->sid_base = o->sid_base;
	eo->subdomains = o->subdomains;
	return export_opts_check(eo, err);
}

int
cli_export(const struct opts *o)
{
	struct fs_err err = { 0 };
	struct export_opts eo;
	struct export_selection sel = { .mode = EXPORT_SEL_FLUX, .infrastructure = true,
	                                .subdomains = o->subdomains };
	struct query_filter *filter = NULL;
	struct cli_analysis a = { 0 };
	struct store *st;
	struct detector *det;
	struct export_set *set = NULL;
	struct export_report rep;
	const struct export_writer *w = export_writer_find(o->export_format);
	int rc = 1;
	char names[200];

	if (w == NULL) {
		fprintf(stderr, "fluxscope: unknown export format '%s' (one of %s)\n", o->export_format,
		        export_writer_names(names, sizeof names));
		return 2;
	}
	if (o->output == NULL) {
		fprintf(stderr, "fluxscope: --export needs -o PATH (or -o - for standard output)\n");
		return 2;
	}
	if (o->filter != NULL && o->min_score_set) {
		fprintf(stderr, "fluxscope: give either --filter or --min-score, not both\n");
		return 2;
	}
	if (export_options(o, &eo, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 2;
	}
	if (o->filter != NULL) {
		if ((filter = cli_filter_parse(o->filter, stderr)) == NULL)
			return 2;
		sel.mode = EXPORT_SEL_FILTER;
		sel.filter = filter;
	} else if (o->min_score_set) {
		sel.mode = EXPORT_SEL_MIN_SCORE;
		sel.min_score = o->min_score;
	} else if (o->session != NULL && (notes_marked(o->session->notes, NOTE_DOMAIN) > 0 ||
	                                  notes_marked(o->session->notes, NOTE_ZONE) > 0)) {
		/* A session with marks: export what the analyst marked, as the TUI does. */
		sel.mode = EXPORT_SEL_MARKED;
		sel.infrastructure = false;
	}

	/* The analysis --report runs (cli/report.h): the same store, budget (--max-memory, with
	 * ageing as the capture is read) and detector, so report and export agree. */
	if (cli_analysis_run(o, &a, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		goto out;
	}
	/* A capture cut short (or unreadable part way): the sentence every mode prints (already
	 * printed), the export still written from what was read, and the exit status 1, as
	 * --report and --dump do. */
	if (a.source_rc != 0 && store_domain_count(a.store) == 0)
		goto out;
	cli_geo_print_warnings(stderr, a.geo);
	/* the filter's list fields (address, nameserver, every ASN and country) read records
	 * enriched with this handle; residential-looking addresses stay in (the command line
	 * exports what it always did) */
	sel.geo = a.geo;
	sel.residential = true;
	st = a.store;
	det = a.det;

	set = export_set_new_for_detector(det);
	store_read_lock(st);
	size_t ndom = export_select(set, st, det, &sel);
	store_read_unlock(st);
	export_set_notes(set, a.notes);
	for (int i = 0; i < export_set_warning_count(set); i++)
		fprintf(stderr, "fluxscope: warning: %s\n", export_set_warning(set, i));
	if (export_write_file(w, set, &eo, o->output, &rep, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		goto out;
	}
	if (rep.stale_removed > 0)
		fprintf(stderr, "fluxscope: removed %u temporary file%s of an earlier write of %s that "
		        "was killed\n", rep.stale_removed, rep.stale_removed == 1 ? "" : "s", o->output);
	for (int i = 0; i < rep.n_warnings; i++)
		fprintf(stderr, "fluxscope: warning: %s\n", rep.warnings[i]);
	{
		struct export_set_stats ss;
		export_set_get_stats(set, &ss);
		fprintf(stderr, "fluxscope: %s: %zu %s entries from %zu selected domains", o->output,
		        rep.entries, w->name, ndom);
		if (rep.serial)
			fprintf(stderr, ", serial %u", rep.serial);
		if (rep.refused)
			fprintf(stderr, "; %zu left out (unsafe in this format)", rep.refused);
		if (ss.n_allowlisted)
			fprintf(stderr, "; %zu allowlisted names never exported", ss.n_allowlisted);
		if (ss.n_invalid)
			fprintf(stderr, "; %zu invalid names refused", ss.n_invalid);
		fputc('\n', stderr);
	}
	rc = a.source_rc;
out:
	export_set_free(set);
	cli_analysis_free(&a);
	query_filter_free(filter);
	return rc;
}
