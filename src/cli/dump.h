/* fluxscope --dump: one JSON object per decoded DNS message (JSON Lines). The format is
 * documented in README.md ("Dump format"). */
#ifndef FLUXSCOPE_CLI_DUMP_H
#define FLUXSCOPE_CLI_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "cli/opts.h"
#include "fluxscope/decode.h"
#include "util/json.h"

/* Extra members for the object of an A or AAAA record, written after "data": append
 * `,"key":value` pairs to jb (the enrichment layer adds "asn" and "country" this way). */
typedef void (*dump_addr_fn)(void *ctx, const fs_addr *addr, struct json_buf *jb);
/* Called for each such address (stage 0 as the message starts, 1 before its records) ahead of
 * dump_addr_fn: a hint to start loading what it will read (geo_prefetch). */
typedef void (*dump_prefetch_fn)(void *ctx, const fs_addr *addr, int stage);

struct dump {
	FILE *out;
	struct json_buf jb;
	char *rd;                  /* RDATA presentation, grown when a record needs more */
	size_t rd_cap;
	dump_addr_fn addr_fn;      /* NULL: no extra members */
	dump_prefetch_fn prefetch_fn; /* NULL: none */
	void *addr_ctx;
	uint64_t messages;
	int write_error;           /* errno of the first failed write, 0 if none */
};

void dump_init(struct dump *d, FILE *out);
void dump_set_addr_hook(struct dump *d, dump_addr_fn fn, void *ctx);
void dump_set_prefetch_hook(struct dump *d, dump_prefetch_fn fn);
/* An ingest_msg_fn: writes one line for msg (borrowed). Ingest thread. */
void dump_msg(void *ctx, const struct dns_msg *msg);
/* Flush what is buffered; 0, or -1 if any write failed. Frees nothing. */
int dump_flush(struct dump *d);
void dump_fini(struct dump *d);

/* The --dump mode: read every source, write the lines to stdout; returns the exit status. */
int cli_dump(const struct opts *o);

#endif
