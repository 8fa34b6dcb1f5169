/* The headless pipeline shared by every CLI mode: decoder configuration from --dns-port,
 * capture sources from -r/-i, and the one-sentence error reporting of source failures. */
#ifndef FLUXSCOPE_CLI_PIPELINE_H
#define FLUXSCOPE_CLI_PIPELINE_H

#include "cli/opts.h"
#include "fluxscope/decode.h"
#include "fluxscope/ingest.h"

/* Decoder configuration from the options; err names the option at fault. */
fs_status cli_dec_config(const struct opts *o, struct dec_config *cfg, struct fs_err *err);

/* An ingest driver over every -r file (or the -i interface), delivering to fn. On failure *out
 * is NULL and err is one sentence naming the file, interface or option. Caller frees with
 * ingest_free(). */
fs_status cli_ingest_open(const struct opts *o, ingest_msg_fn fn, void *ctx, struct ingest **out,
                          struct fs_err *err);

/* Print every source failure of a finished run to stderr ("fluxscope: <sentence>"); returns
 * the exit status the mode should use: 0 if none, 1 otherwise. */
int cli_report_source_errors(const struct ingest *in);

/* --log: what a finished run read (each source's frames and bytes), decoded and skipped (every
 * non-zero skip counter with its reason), its source failures and how long it took. */
void cli_log_ingest(struct ingest *in, double ms);

#endif
