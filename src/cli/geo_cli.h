/* The enrichment databases for the command line: --geoip, --no-geoip and the config file's
 * `geoip =` entries merged into one geo handle; --stats lines; the --lookup mode. */
#ifndef FLUXSCOPE_CLI_GEO_CLI_H
#define FLUXSCOPE_CLI_GEO_CLI_H

#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/enrich.h"
#include "util/json.h"

/* Open the databases the options and the configuration file (--config, or the default one)
 * name. --geoip paths replace the config file's; either replaces the default search.
 * --no-geoip gives a handle with no database. Caller frees with geo_free(). */
fs_status cli_geo_open(const struct opts *o, struct geo **out, struct fs_err *err);

/* The size of the database files a handle has open (0 for none): they are mapped into
 * memory, and the pages lookups touch count in the process's memory (--max-memory). */
size_t cli_geo_mapped_bytes(const struct geo *g);

/* geo_warning() lines to f, each prefixed "fluxscope: warning: ". */
void cli_geo_print_warnings(FILE *f, const struct geo *g);

/* The --stats block: the databases in use with build dates and ages (stale ones marked), or
 * the sentence saying none is there and how to get one. */
void cli_geo_print_stats(FILE *f, const struct geo *g);

/* A dump_addr_fn (cli/dump.h) with a struct geo * as ctx: the members --dump adds to an A/AAAA
 * record, `,"asn":N,"country":"XX"` (null when unknown). Ingest thread (the geo cache is then
 * used by that thread only). */
void cli_geo_dump_members(void *geo, const fs_addr *addr, struct json_buf *jb);
void cli_geo_dump_prefetch(void *geo, const fs_addr *addr, int stage);

/* --lookup: one JSON object per address; returns the exit status. */
int cli_lookup_main(const struct opts *o);

#endif
