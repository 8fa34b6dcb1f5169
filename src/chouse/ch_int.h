/* Internals shared by the files of src/chouse/ (not part of the public API). */
#ifndef FLUXSCOPE_CHOUSE_CH_INT_H
#define FLUXSCOPE_CHOUSE_CH_INT_H

#include "fluxscope/capture.h"
#include "fluxscope/chouse.h"

/* FNV-1a 64 of a spool body (its checksum). */
uint64_t ch_fnv64(const void *p, size_t n);

/* The frame of a row whose DNS message ch_row_to_dns() wrote into dns (source.c): what the
 * window source hands the decoder, and the drill-down fetch too (fetch.c). */
void ch_row_frame(const struct ch_row *row, const struct ch_buf *dns, uint16_t dns_port,
                  struct ch_buf *frame, struct cap_frame *out);
/* The options and selection table (sel, TSV k/v) of a window source; false for any other
 * source. sel is not changed after ch_source_open(): any thread may read it while the source
 * lives. */
bool ch_source_window(struct cap_source *src, struct ch_source_opts *o, const struct ch_buf **sel);

#endif
