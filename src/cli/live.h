/* Live capture on the command line: -D, the privilege drop after opening, the headless run that
 * ends after --duration or at SIGINT/SIGTERM, and the store writer with --max-memory ageing
 * that the headless modes and the TUI share. */
#ifndef FLUXSCOPE_CLI_LIVE_H
#define FLUXSCOPE_CLI_LIVE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"
#include "fluxscope/watch.h"

/* -D: list the capture interfaces on stdout; returns the exit status. */
int cli_list_ifaces(const struct opts *o);

/* The store writer of a live run: each message under the write lock, then the ageing check
 * (--max-memory) with no lock held. Give cli_live_msg and the cli_live to
 * ingest_new/cli_ingest_open. */
struct cli_live {
	struct store *store;
	struct watch *watch;       /* NULL without --max-memory */
	struct det_config dc;      /* the watch's detectors (headless) */
	struct geo *geo;           /* borrowed: the detector's handle, whose address cache is
	                            * bounded after each ageing run; NULL for none */
};

/* Set up the writer and, with --max-memory, the watch. score (headless modes): the watch
 * scores under the read lock with a detector made for each run from the options' files and
 * det_geo, the enrichment handle the caller's detector uses only after the ingest thread has
 * ended (its cache is bounded after each ageing run); else (the TUI, whose loader scores all
 * the time) it pins the latest flagged set flagged/flagged_ctx give (watch.h), and det_geo
 * only says whether addresses cost an enrichment cache entry. mapped: for cli_live_budget().
 * Errors name the option. */
fs_status cli_live_init(struct cli_live *cl, const struct opts *o, struct store *store, bool score,
                        struct geo *det_geo, size_t mapped, watch_flagged_fn flagged,
                        void *flagged_ctx, struct fs_err *err);
void cli_live_fini(struct cli_live *cl);
void cli_live_msg(void *ctx, const struct dns_msg *msg);

/* --max-memory is meant for the whole process: what the observations may take is MB less the
 * fixed costs: a baseline for the program (CLI_BASELINE_MB), the GeoIP database files the
 * process has open (`mapped` bytes: cli_geo_mapped_bytes() of each handle; mapped, they count
 * as far as lookups read them) and, for a live capture, the kernel buffer and the hand-off
 * ring (-B each). In bytes; 0 = no ageing. On a budget too small for the fixed costs err names
 * the option and what takes the memory. */
fs_status cli_live_budget(const struct opts *o, size_t mapped, size_t *out, struct fs_err *err);

/* Bytes each domain costs outside the store, per detector that holds results for it, by kind
 * (measured with `bench_detect -m`, docs/performance.md "Fifth session": what the heap holds
 * after a run and the growth of peak RSS during it, per domain). A domain with an address,
 * RRset or CNAME: its det_result, terms, reasons and address info, 665–1,900 bytes with
 * incremental detection off (the headless watch's and report's detectors), 1,620–2,850 with
 * it (the TUI's: their kept features and contexts), on a resolver-like capture and on one of
 * flux names with 16 addresses each. A domain that never had one (a flood's one-off names):
 * kept compact, 90–100 bytes held, 56–67 of peak growth (sixth session; 124–134 and 95–106
 * before its registrable domain and zone became offsets into its name, its provider zone and
 * pool map entries and its pass state two bytes): the largest and a quarter more. */
#define CLI_DET_BYTES_PER_DOMAIN 3000
#define CLI_DET_BYTES_PER_BARE_DOMAIN 130
/* Bytes each address costs in an enrichment cache (a geo_entry and its share of the slots),
 * when databases are open; the cache is emptied of addresses the store no longer holds after
 * each ageing run (geo_cache_trim). */
#define CLI_GEO_BYTES_PER_ADDR 128
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
