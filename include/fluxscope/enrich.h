/* Enrichment: address → ASN, organisation, country, city, coordinates, network, from
 * MaxMind-format databases (libmaxminddb: GeoLite2/GeoIP2 and DB-IP lite layouts) or, where
 * none covers a field, Debian's libloc database (libloc-database: ASN, AS name, country).
 *
 * Threads: a geo handle is used by one thread at a time (lookups fill a cache); callers that
 * share one between threads serialise the calls. Strings in a geo_info and the geo_info itself
 * are interned in the handle: valid until geo_free(), never moved.
 *
 * Sources, in order of precedence for each field:
 *   asn, as_org   ASN databases (GeoLite2-ASN, DBIP-ASN-Lite, GeoIP2-ISP), then other
 *                 MaxMind-format databases that carry the fields, then libloc;
 *   country, city, lat/lon   City databases (GeoLite2/GeoIP2-City, DBIP-City-Lite,
 *                 DBIP-Location), then Country databases, then other, then libloc (country);
 *   network       the prefix of the record that gave the ASN, else the one that gave the
 *                 location, else libloc's.
 * Databases are recognised by their database_type metadata, never by file name. */
#ifndef FLUXSCOPE_ENRICH_H
#define FLUXSCOPE_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"
#include "fluxscope/store.h"

struct geo_info {            /* (members ordered for size: 56 bytes, one per cached address) */
	const char *as_org;        /* "" when unknown */
	const char *city;          /* English name, "" when unknown */
	const char *network;       /* e.g. "81.2.69.0/24" ("" when unknown) */
	double lat, lon;
	uint32_t asn;              /* 0 = unknown */
	char country[3];           /* ISO 3166-1 alpha-2, "" when unknown */
	bool found;                /* any database knew the address */
	bool has_location;
	uint8_t prefix_len;        /* of network (IPv4 counted in 32 bits) */
	int8_t asn_db, geo_db;     /* geo_db() index of the database that gave the ASN and the
	                              country/location; -1 = none */
};

struct geo;

struct geo_config {
	/* Explicit paths (files or folders, in order), from --geoip and the config file's
	 * `geoip =` entries. When given they replace the default search, and libloc is used only
	 * if one of them is a libloc database. Given explicitly, a file that cannot be read or is
	 * not a database is an error. */
	const char *const *paths;
	int n_paths;
	bool disabled;             /* --no-geoip: no database at all, said so by geo_describe */
	bool no_default_search;    /* tests: use only the given paths */
	bool no_libloc;            /* tests: never fall back to libloc */
	/* Folders searched when no explicit path is given; NULL = the built-in list:
	 * /usr/share/GeoIP, /var/lib/GeoIP, $XDG_DATA_HOME/fluxscope (~/.local/share/fluxscope),
	 * ~/.local/share/GeoIP. */
	const char *const *search_dirs;
	int n_search_dirs;
	/* libloc databases tried in order; NULL = /var/lib/location/database.db (kept current by
	 * `location update`), then /usr/share/libloc-location/location.db (libloc-database). */
	const char *const *libloc_paths;
	int n_libloc_paths;
	fs_time now;               /* for the 60-day staleness check; 0 = the current time */
};

#define GEO_STALE_DAYS 60

/* Open the databases. cfg may be NULL (defaults). Never fails for "no database": that is a
 * supported state (see geo_describe). A bad or unreadable database given explicitly is
 * FS_E_IO/FS_E_FORMAT with one sentence in err naming the file. Caller frees with geo_free(). */
fs_status geo_open(const struct geo_config *cfg, struct geo **out, struct fs_err *err);
void geo_free(struct geo *g);

/* Look up one address (cached: one database lookup per distinct address; IPv4-mapped IPv6
 * addresses are looked up and cached as IPv4). Returns a pointer into the cache: borrowed until
 * geo_free() or a geo_cache_trim() that empties the cache, never moved, never NULL. No
 * allocation once the address is cached. */
const struct geo_info *geo_lookup(struct geo *g, const fs_addr *addr);
/* Changes whenever the cache is emptied (geo_cache_trim): a holder of infos looked up before
 * looks them up again. Starts at 0. Thread of the handle. */
uint64_t geo_cache_generation(const struct geo *g);
/* Read-only lookups, for several threads at once (the report's record builders): each thread
 * has its own reader; geo_lookup_ro() returns the cached info as geo_lookup() does, without
 * counting it, and for an address not in the cache resolves it into the reader (kept there
 * until geo_ro_free(), strings the handle does not have copied there) without writing the
 * handle. The info is the one geo_lookup() would give (strings of equal text are the
 * handle's, so pointers compare as the cache's do). Allowed while no thread calls anything
 * that writes the handle (geo_lookup, geo_cache_trim, geo_free); misses are resolved one
 * reader at a time, so fill the cache first (geo_lookup) where many are expected. A reader is
 * used by one thread at a time; its infos are valid until geo_ro_free(). */
struct geo_ro;
struct geo_ro *geo_ro_new(struct geo *g);
void geo_ro_free(struct geo_ro *ro);
const struct geo_info *geo_lookup_ro(struct geo_ro *ro, const fs_addr *addr);
uint64_t geo_ro_misses(const struct geo_ro *ro);   /* addresses it resolved itself */
/* A hint for a geo_lookup() of addr soon: stage 0 starts loading its cache slot, stage 1 (some
 * work later, once the slot has arrived) its entry, so the lookups of a message's addresses
 * overlap their memory misses. No effect on any result; the thread that may call geo_lookup. */
void geo_prefetch(const struct geo *g, const fs_addr *addr, int stage);
/* Whether an address looks residential (a home or mobile access line, likely shared or reused:
 * blocking it hurts bystanders). What enrichment knows is the AS organisation name (PTR names
 * and access-type databases are not available), so: the AS name holds a word of access
 * networks (telecom, telekom, broadband, cable, dsl, fiber, fibre, mobile, cellular, wireless,
 * communications, "online", residential, dynamic, dial) and none of hosting (hosting, host,
 * cloud, data center, datacenter, server, vps, colo, cdn). An address without an AS name is
 * not called residential (nothing is known). */
bool geo_residential_looking(const struct geo_info *g);

bool geo_has_asn(const struct geo *g);
bool geo_has_country(const struct geo *g);
bool geo_has_location(const struct geo *g);   /* coordinates (City databases) */
bool geo_enabled(const struct geo *g);        /* at least one database is open */

/* One line per database in use ("GeoLite2-ASN built 2026-11-20 (/usr/share/GeoIP/…)" and a
 * stale warning where due), or, with none at all, the sentence explaining what is missing and
 * how to get it. Writes into buf (NUL-terminated, truncated to len); returns buf. */
const char *geo_describe(const struct geo *g, char *buf, size_t len);
/* Short form for a status bar: "GeoLite2-ASN 2026-11-20, GeoLite2-City 2026-11-20",
 * "libloc 2022-10-29 (stale)", "no GeoIP". Returns buf. */
const char *geo_describe_short(const struct geo *g, char *buf, size_t len);

enum geo_kind {
	GEO_KIND_ASN,              /* ASN + organisation */
	GEO_KIND_CITY,             /* country, city, coordinates */
	GEO_KIND_COUNTRY,          /* country */
	GEO_KIND_OTHER,            /* unknown database_type: every field it has, lowest rank */
	GEO_KIND_LIBLOC            /* Debian libloc: ASN, AS name, country, network */
};

/* Database descriptions for status bars and --stats, in order of precedence. */
struct geo_db_info {
	const char *path;
	const char *type;          /* database_type metadata, or "libloc" */
	enum geo_kind kind;
	fs_time built;             /* build time (libloc: creation time) */
	int age_days;              /* at geo_open() */
	bool stale;                /* older than GEO_STALE_DAYS */
	bool ipv6;                 /* IPv6 tree (IPv4 inside it) */
};
int geo_db_count(const struct geo *g);
const struct geo_db_info *geo_db(const struct geo *g, int i);   /* NULL if out of range */
const char *geo_kind_name(enum geo_kind k);                      /* "asn", "city", … */

/* Things a user should know that are not errors: stale databases, files in the searched
 * folders that were skipped (with why). Borrowed until geo_free(). */
int geo_warning_count(const struct geo *g);
const char *geo_warning(const struct geo *g, int i);

struct geo_cache_stats {
	uint64_t lookups;          /* geo_lookup calls */
	uint64_t misses;           /* of those, database lookups (first sight of an address) */
	size_t entries;
	size_t bytes;              /* cache + interned strings */
};
void geo_cache_stats(const struct geo *g, struct geo_cache_stats *out);
/* Bound the cache (--max-memory, issue 16): when its entries take more than max_bytes, empty
 * it; the interned strings (AS organisations, cities, networks) stay, so pointers to them stay
 * valid until geo_free(), but every geo_info returned before is gone: call it only where none
 * is held (between two detection passes, between two --dump messages). Returns true when it
 * emptied the cache. */
bool geo_cache_trim(struct geo *g, size_t max_bytes);

/* Great-circle distance in km (haversine, mean Earth radius 6371.0088 km). */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

/* Spread of a set of addresses, for the report's per-domain summary and the detector. */
#define GEO_TOP 5
struct geo_share {
	uint32_t asn;              /* top_asns: the ASN (0 in top_countries) */
	char country[3];           /* top_countries: ISO code ("" in top_asns) */
	const char *label;         /* top_asns: AS organisation (interned); top_countries: "" */
	uint32_t n;                /* addresses */
	double share;              /* n / n_addrs (all distinct addresses, known or not) */
};
struct geo_spread {
	uint32_t n_addrs;          /* distinct addresses given */
	uint32_t n_found;          /* known to some database */
	uint32_t n_asns, n_countries, n_cities, n_networks;   /* distinct known values */
	uint32_t n_no_asn, n_no_country;
	struct geo_share top_asns[GEO_TOP];      int n_top_asns;      /* by n, then ASN */
	struct geo_share top_countries[GEO_TOP]; int n_top_countries; /* by n, then code */
	double asn_entropy, country_entropy;     /* Shannon, bits, over addresses with a value */
	double max_km;             /* greatest distance between two located addresses; 0 when
	                              fewer than two are located (see n_located) */
	uint32_t n_located;        /* addresses with coordinates */
};

/* Summarise n addresses (duplicates are counted once). Looks each up through the cache. */
void geo_spread_addrs(struct geo *g, const fs_addr *addrs, size_t n, struct geo_spread *out);

/* One address of a domain with its enrichment: a row of the report's "spread" array. */
struct geo_addr_row {
	fs_addr addr;
	const struct geo_info *info;   /* borrowed from the geo cache */
	fs_time first_seen, last_seen;
	uint32_t count;
};

/* The rows of a domain's addresses (store order) and their spread. Caller holds the store read
 * lock; *rows is allocated (caller frees with free()), NULL when the domain has no address.
 * Returns the number of rows. */
size_t geo_domain_spread(struct geo *g, const struct store *s, store_dom_id dom,
                         struct geo_addr_row **rows, struct geo_spread *out);
/* The same through a read-only reader (geo_lookup_ro): the same rows and summary. */
size_t geo_domain_spread_ro(struct geo_ro *ro, const struct store *s, store_dom_id dom,
                            struct geo_addr_row **rows, struct geo_spread *out);
/* geo_lookup() of a store address, remembered by its id: the handle keeps, for one store and
 * store_epoch() at a time, the cache entry of each id looked up so, and geo_domain_spread()
 * (and its read-only form) then reach a domain's infos by id instead of by hashing each
 * address again. Another store or epoch, or a geo_cache_trim() that empties the cache, starts
 * the table over. The same info as geo_lookup(addr), addr being the record's address; writes
 * the handle as geo_lookup() does. */
const struct geo_info *geo_lookup_id(struct geo *g, const struct store *s, store_addr_id id,
                                     const fs_addr *addr);

#endif
