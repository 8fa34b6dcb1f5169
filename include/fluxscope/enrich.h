/* Enrichment: address → ASN, organisation, country, city, coordinates, network, from
 * MaxMind-format databases (libmaxminddb) or, when none is found, Debian's libloc database.
 *
 * Threads: a geo handle is used by one thread at a time (lookups fill a cache). The detector
 * and the report call it after or between ingest batches; the UI under the store read lock.
 * Strings in a geo_info are interned in the handle: valid until geo_free(). */
#ifndef FLUXSCOPE_ENRICH_H
#define FLUXSCOPE_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

#include "fluxscope/fs.h"

struct geo_info {
	bool found;                /* any database knew the address */
	uint32_t asn;              /* 0 = unknown */
	const char *as_org;        /* "" when unknown */
	char country[3];           /* ISO 3166-1 alpha-2, "" when unknown */
	const char *city;          /* "" when unknown */
	double lat, lon;
	bool has_location;
	char network[50];          /* e.g. "81.2.69.0/24" ("" when unknown) */
};

struct geo;

/* Options: explicit paths (files or folders, in order) override the default search. */
struct geo_config {
	const char *const *paths;
	int n_paths;
	bool no_default_search;    /* tests: use only the given paths */
	bool no_libloc;            /* tests: never fall back to libloc */
};

/* Open the databases. Never fails for "no database": that is a supported state (see
 * geo_describe). A bad or unreadable database given explicitly is an error naming the file.
 * Caller frees with geo_free(). */
fs_status geo_open(const struct geo_config *cfg, struct geo **out, struct fs_err *err);
void geo_free(struct geo *g);

/* Look up one address (cached; one database lookup per address). Returns a pointer into the
 * cache: borrowed until geo_free(). Never NULL. */
const struct geo_info *geo_lookup(struct geo *g, const fs_addr *addr);

bool geo_has_asn(const struct geo *g);
bool geo_has_country(const struct geo *g);

/* One line per database in use ("GeoLite2-ASN 2026-11-20 (/usr/share/GeoIP/…)"), or the
 * sentence explaining that none is present and how to get one. Writes into buf. */
const char *geo_describe(const struct geo *g, char *buf, size_t len);

/* Database descriptions for status bars and --stats. */
struct geo_db_info {
	const char *path;
	const char *type;          /* database_type metadata, or "libloc" */
	fs_time built;             /* build epoch */
	bool stale;                /* older than 60 days */
};
int geo_db_count(const struct geo *g);
const struct geo_db_info *geo_db(const struct geo *g, int i);

/* Great-circle distance in km. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
