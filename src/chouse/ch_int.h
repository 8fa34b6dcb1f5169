/* Internals shared by the files of src/chouse/ (not part of the public API). */
#ifndef FLUXSCOPE_CHOUSE_CH_INT_H
#define FLUXSCOPE_CHOUSE_CH_INT_H

#include "fluxscope/chouse.h"

/* FNV-1a 64 of a spool body (its checksum). */
uint64_t ch_fnv64(const void *p, size_t n);

#endif
