/* fluxscope --export: write the indicators of a capture in one of the export formats. */
#ifndef FLUXSCOPE_CLI_EXPORT_CMD_H
#define FLUXSCOPE_CLI_EXPORT_CMD_H

#include "cli/opts.h"

/* Read the captures, detect, select (flux verdicts, --filter or --min-score) and write -o
 * atomically. Returns the exit status (0 ok, 1 failure, 2 bad options). */
int cli_export(const struct opts *o);

#endif
