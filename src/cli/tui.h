/* The interactive mode: `fluxscope FILE…` without a headless option opens the TUI. */
#ifndef FLUXSCOPE_CLI_TUI_H
#define FLUXSCOPE_CLI_TUI_H

#include "cli/opts.h"

/* Runs the TUI until the user quits; returns the process exit status. */
int tui_main(const struct opts *o);

#endif
