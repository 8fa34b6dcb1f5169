/* --probe for the headless modes, and the probe configuration the TUI's :probe shares. */
#ifndef FLUXSCOPE_CLI_PROBE_CMD_H
#define FLUXSCOPE_CLI_PROBE_CMD_H

#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/probe.h"
#include "fluxscope/store.h"

/* The probe configuration of the options for `name`; err names the option at fault (also
 * --no-probe). Strings point into o. */
fs_status cli_probe_config(const struct opts *o, const char *name, struct probe_config *pc,
                           struct fs_err *err);
/* Options that need --probe given without it, or --probe with a mode it cannot serve: one
 * sentence in err. */
fs_status cli_probe_check(const struct opts *o, struct fs_err *err);
/* Run --probe into the store (synchronously, progress on stderr when it is a terminal), then
 * print one line per server asked to stderr and, json not NULL, one JSON object per server
 * asked ("kind": "probe-server") to json. */
fs_status cli_probe_run(const struct opts *o, struct store *s, int src_index, FILE *json,
                        struct fs_err *err);

#endif
