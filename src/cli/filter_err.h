/* The command line's report of a rejected --filter expression: the sentence, then the
 * expression with a caret under the column where it went wrong. Main thread. */
#ifndef FLUXSCOPE_CLI_FILTER_ERR_H
#define FLUXSCOPE_CLI_FILTER_ERR_H

#include <stddef.h>
#include <stdio.h>

#include "fluxscope/query.h"

/* Parse expr as --filter; on error print the report to out and return NULL. */
struct query_filter *cli_filter_parse(const char *expr, FILE *out);

#endif
