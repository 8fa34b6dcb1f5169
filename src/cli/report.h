/* fluxscope --report: the analysis pipeline every headless consumer of detection results
 * shares (captures → store → enrichment → detector), the flagged-domain table and the JSON
 * Lines output (one object per domain; README "Report" documents the fields). */
#ifndef FLUXSCOPE_CLI_REPORT_H
#define FLUXSCOPE_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/live.h"
#include "cli/opts.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

/* Everything one analysed run holds. Owned: freed by cli_analysis_free(). */
struct cli_prefill {           /* enrichment looked up as addresses arrive (report.c) */
	struct store *store;
	struct geo *geo;
	bool ahead;                /* reading as a pipeline: the decoding thread looks the answer
	                            * addresses up instead (ahead_msg_geo) */
	size_t n_addrs;            /* address ids looked at so far */
};

struct cli_analysis {
	struct geo *geo;
	struct store *store;
	struct detector *det;
	struct ingest *in;
	struct cli_live *live;     /* live capture or --max-memory: the store writer with ageing */
	int source_rc;             /* 1 when a source failed part-way (already reported) */
	const struct notes *notes; /* --session: the analyst's marks and notes (borrowed), or NULL */
	bool spread_all;           /* --spread: spread rows for every domain, not only flagged ones */
	struct cli_prefill prefill;
};

/* Open the databases, detector files and captures the options name, read every capture into
 * the store and run the detector. On failure err is one sentence naming the file or option
 * and everything is freed. */
fs_status cli_analysis_run(const struct opts *o, struct cli_analysis *a, struct fs_err *err);
void cli_analysis_free(struct cli_analysis *a);

/* Whether --report (or --export) selects r: flagged (or any with --all), at least
 * --min-score. (--filter is applied by the caller.) */
bool cli_report_selects(const struct opts *o, const struct det_result *r);

/* The first line of --report --json: {"kind":"run", version, started (and started_iso),
 * sources, databases, geoip, vantage, detector files, unavailable features, the selection,
 * counts per verdict}. by_verdict has DET_VERDICT_COUNT counts of the domains. */
struct opts;
void cli_report_run_json(FILE *out, const struct opts *o, const struct cli_analysis *a,
                         fs_time started, const size_t *by_verdict);

/* One domain as a JSON object on one line. */
void cli_report_json(FILE *out, const struct cli_analysis *a, const struct det_result *r);
/* A zone row (det_zone_get) as one JSON object with "kind": "zone". */
void cli_report_zone_json(FILE *out, const struct cli_analysis *a, const struct det_result *z);

/* --report --csv: the header (every field of the model's table) and one domain or zone row. */
void cli_report_csv_header(FILE *out);
void cli_report_csv(FILE *out, const struct cli_analysis *a, const struct det_result *r);

/* The --report mode; returns the exit status. */
int cli_report(const struct opts *o);

#endif
