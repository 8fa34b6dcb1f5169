/* Enrichment internals shared by the files of src/enrich/ (not part of the public API). */
#ifndef FLUXSCOPE_ENRICH_INT_H
#define FLUXSCOPE_ENRICH_INT_H

#include <maxminddb.h>
#include <stdbool.h>
#include <stdint.h>

#include "fluxscope/enrich.h"
#include "util/hidx.h"
#include "util/intern.h"
#include "util/map.h"
#include "util/vec.h"

/* libloc behind a small interface so that geo_lookup.c never sees its types. */
struct geoloc;
fs_status geoloc_open(const char *path, struct geoloc **out, fs_time *created,
                      struct fs_err *err);
void geoloc_free(struct geoloc *l);
struct geoloc_result {
	bool found;
	uint32_t asn;
	char country[3];
	char network[64];
	uint8_t prefix_len;
};
/* Look up a (normalised) address. */
void geoloc_lookup(struct geoloc *l, const fs_addr *a, struct geoloc_result *out);
/* The name of an AS into buf ("" when unknown); returns buf. */
const char *geoloc_as_name(struct geoloc *l, uint32_t asn, char *buf, size_t len);
/* Whether the file starts with libloc's magic ("LOCDBXX"). */
bool geoloc_is_libloc_file(const char *path);

struct geo_db {
	struct geo_db_info info;   /* path and type owned (xstrdup) */
	bool is_libloc;
	MMDB_s mmdb;               /* when !is_libloc */
	struct geoloc *loc;        /* when is_libloc */
	int order;                 /* discovery order, for a stable sort */
	unsigned long long dev, ino;
};

/* The cache: entries (normalised address + its info) in fixed chunks so that the pointers
 * handed out never move; a hash index (util/hidx.h) of 8-byte slots indexes them. The slots
 * hold the hash so that a probe touches one slot, and the one entry it compares is the one the
 * caller reads next. */
#define GEO_CHUNK_SHIFT 12
#define GEO_CHUNK (1u << GEO_CHUNK_SHIFT)
struct geo_entry {
	struct geo_info info;
	fs_addr key;
};

struct geo {
	struct geo_db *dbs;
	int n_dbs;
	bool disabled;
	bool explicit_paths;
	char **warnings;
	int n_warnings;
	char *searched;            /* folders looked in, for the "none found" message */

	struct fs_hidx index;      /* entries by address: item i is entry i + 1 */
	size_t n;
	struct geo_entry **chunks;
	size_t n_chunks;
	uint64_t lookups, misses;
	uint64_t generation;        /* geo_cache_generation */
	struct fs_intern strs;
	/* libloc AS names by number: its AS lookup is a search plus an allocation */
	struct fs_map as_index;    /* AS number -> position in as_names */
	FS_VEC(const char *) as_names;   /* interned */
	struct geo_info none;      /* for addresses of no family */
	/* geo_lookup_id: store address id -> entry number (0 = not looked up by id), for the
	 * store and epoch named */
	uint32_t *by_id;
	size_t cap_by_id;
	const struct store *by_id_store;
	uint32_t by_id_epoch;
};

/* geo_lookup.c: the entry number of addr's cache entry (looked up as geo_lookup does), 0 for
 * an address the cache does not keep (no family, no database); and the info of an entry. */
uint32_t geo_lookup_entry(struct geo *g, const fs_addr *addr);
const struct geo_info *geo_entry_info(const struct geo *g, uint32_t idx);
/* Forget the ids (the cache emptied). */
void geo_by_id_reset(struct geo *g);

void geo_resolve(struct geo *g, const fs_addr *a, struct geo_info *info);

/* A reader of the cache that never writes it (geo_lookup_ro): what it had to resolve itself,
 * with the strings the handle did not have, is its own. */
struct geo_ro {
	struct geo *g;             /* only read */
	struct fs_intern strs;
	struct fs_map index;       /* a 64-bit hash of the key -> entry number + 1 */
	struct geo_entry **chunks;
	size_t n, n_chunks;
	uint64_t misses;
};
void geo_cache_free(struct geo *g);

/* geo_spread.c: geo_spread_addrs() over rows whose infos are looked up already. */
void geo_spread_rows(struct geo *g, const struct geo_addr_row *rows, size_t n, struct geo_spread *out);


#endif
