/* fluxscope -r FILE --stats: packet, DNS message, reassembly and skip counters. */
#ifndef FLUXSCOPE_CLI_STATS_H
#define FLUXSCOPE_CLI_STATS_H

#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/decode.h"
#include "fluxscope/ingest.h"

/* Run the mode; returns the process exit status. */
int cli_stats(const struct opts *o);

/* Print the counters of a finished run (also used by other modes that want a summary). */
void cli_stats_print(FILE *out, struct ingest *in, const struct dec_stats *st);

#endif
