/* Live capture on the command line: -D, the privilege drop after opening, the headless run that
 * ends after --duration or at SIGINT/SIGTERM, and the store writer with --max-memory ageing
 * that the headless modes and the TUI share. */
#ifndef FLUXSCOPE_CLI_LIVE_H
#define FLUXSCOPE_CLI_LIVE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "fluxscope/watch.h"

/* -D: list the capture interfaces on stdout; returns the exit status. */
int cli_list_ifaces(const struct opts *o);

/* The store writer of a live run: each message under the write lock, then the ageing check
 * (--max-memory). Give cli_live_msg and the cli_live to ingest_new/cli_ingest_open. */
struct cli_live {
	struct store *store;
	struct watch *watch;       /* NULL without --max-memory */
	struct geo *geo;           /* the watch detector's own handle (owned), or NULL */
};

/* Set up the writer and, with --max-memory, the watch. shared_det: a detector the caller runs
 * only after the ingest thread has ended (headless modes); NULL makes the watch a detector
 * with a geo handle of its own (the TUI, whose detectors run while it ingests). Errors name the
 * file or option. */
fs_status cli_live_init(struct cli_live *cl, const struct opts *o, struct store *store,
                        struct detector *shared_det, struct fs_err *err);
void cli_live_fini(struct cli_live *cl);
void cli_live_msg(void *ctx, const struct dns_msg *msg);

/* --max-memory is meant for the whole process: what the observations may take is MB less the
 * fixed costs (for a live capture the kernel buffer and the hand-off ring, -B each, and a
 * baseline for the program and its databases). In bytes; 0 = no ageing. On a budget too small
 * for the fixed costs err names the option. */
fs_status cli_live_budget(const struct opts *o, size_t *out, struct fs_err *err);

/* Bytes each domain costs outside the store, per detector that holds results for it (measured:
 * about 2.5 KiB of det_result, terms and reasons per domain; README "Live capture"). */
#define CLI_DET_BYTES_PER_DOMAIN 3000
#define CLI_BASELINE_MB 24

/* After every file, database and the capture handle are open and before any thread starts:
 * give the -w file to the -Z user, drop root (priv.h), then check that -C rotation can work.
 * A no-op without a live source. */
fs_status cli_live_drop(const struct opts *o, struct ingest *in, struct fs_err *err);

/* Run the ingest driver to its end. With a live source: drop privileges (cli_live_drop), run
 * on the ingest thread, and stop after --duration seconds or at the first SIGINT/SIGTERM (the
 * handler only sets a flag; a second signal exits at once); the capture then delivers what it
 * had and the -w file is flushed and closed. Without one: ingest_run(). Returns what
 * ingest_run would (source failures are in the driver). */
fs_status cli_ingest_run(const struct opts *o, struct ingest *in, struct fs_err *err);

/* Whether the run was ended by a signal (the exit status stays 0: that is how a watch ends). */
bool cli_live_signalled(void);

/* The live lines of --stats (rates, drops, -w, ageing); nothing for capture files. */
void cli_live_print_stats(FILE *out, struct ingest *in, struct cli_live *cl);

#endif
