/* The observation store: the single source of truth every analysis and view reads.
 *
 * Every DNS response becomes observations: per domain (query name) the responses seen (time,
 * resolver, client, rcode, TTLs, answer set), the distinct answer sets over time, CNAME
 * targets, the NS names of the enclosing zone and their glue; per address and per NS name the
 * domains that point to them. Names, addresses and sets are interned: an id is a small integer
 * valid as long as the store (0 always means "none").
 *
 * Threads and locking: one writer (the ingest thread) and any number of readers (UI, report).
 * The writer calls store_write_lock()/store_write_unlock() around batches of store_add_msg();
 * readers call store_read_lock()/store_read_unlock() around any use of the returned pointers.
 * Every pointer returned by an accessor is borrowed from the store: valid while the read lock is
 * held (a writer may grow the tables). Single-threaded users (tests, headless report after
 * ingest) may skip the locks.
 *
 * Memory: after warm-up, adding a message allocates only when a table or vector grows
 * (amortised, geometric); nothing is allocated per packet. */
#ifndef FLUXSCOPE_STORE_H
#define FLUXSCOPE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/decode.h"
#include "fluxscope/fs.h"

typedef uint32_t store_name_id;  /* interned lower-case name, 0 = none */
typedef uint32_t store_addr_id;  /* interned address, 0 = none */
typedef uint32_t store_set_id;   /* interned sorted set of ids (address set or NS-name set) */
typedef uint32_t store_dom_id;   /* index of a domain record, 0 = none */

/* One response for a domain, in arrival order: the timeline. */
struct store_response {
	fs_time ts;
	store_set_id aset;          /* A+AAAA addresses reached from the qname through CNAMEs; 0 = none */
	uint32_t ttl_min, ttl_max;  /* over those address records (0/0 when none) */
	store_addr_id resolver;     /* the responding server */
	store_addr_id client;       /* the querying host */
	store_name_id cname;        /* first CNAME target from the qname, 0 = none */
	uint16_t rcode;
	uint16_t qtype;
	uint8_t src_index;          /* input source */
	uint8_t flags;              /* STORE_RESP_* */
};
#define STORE_RESP_AA 0x01        /* authoritative answer */
#define STORE_RESP_TCP 0x02
#define STORE_RESP_REFERRAL 0x04  /* no answer, NS in authority: an upstream referral */
#define STORE_RESP_TC 0x08

/* One distinct answer set (RRset) of a domain, in order of first appearance. */
struct store_rrset {
	store_set_id set;
	fs_time first_seen, last_seen;
	uint32_t count;             /* responses that carried exactly this set */
	uint32_t ttl_max;           /* authoritative TTL estimate: caches count TTLs down */
	uint32_t ttl_min;
	uint8_t sources;            /* bitmask of src_index values (first 8) */
};

/* One address as seen for one domain. */
struct store_dom_addr {
	store_addr_id addr;
	fs_time first_seen, last_seen;
	uint32_t count;
	uint32_t ttl_max;
};

/* One NS-set observation for a domain's zone (from NS answers or referrals). */
struct store_ns_obs {
	fs_time ts;
	store_set_id nsset;         /* set of store_name_id */
	store_name_id zone;         /* owner of the NS RRset (the qname or an ancestor) */
	uint32_t ttl;
};

/* Domain record (for every name that was a query name of a response, or an owner of records). */
struct store_domain {
	store_name_id name;
	fs_time first_seen, last_seen;
	uint32_t n_responses;
	uint32_t n_nxdomain;
	uint32_t n_noerror_nodata;
	uint32_t n_via_cname;       /* times this name was reached as a CNAME target of another name */
	struct store_response *resp;    uint32_t n_resp, cap_resp;
	struct store_rrset *rrsets;     uint32_t n_rrsets, cap_rrsets;
	struct store_dom_addr *addrs;   uint32_t n_addrs, cap_addrs;
	store_name_id *cnames;          uint32_t n_cnames, cap_cnames;   /* distinct, chain order */
	struct store_ns_obs *ns;        uint32_t n_ns, cap_ns;           /* NS-set changes only */
	uint32_t ttl_min_seen, ttl_max_seen;
	uint32_t user_flags;        /* free for front ends (marks); set under the write lock */
};

/* Address record. */
struct store_addr {
	fs_addr addr;
	fs_time first_seen, last_seen;
	uint32_t count;             /* answer records that carried it */
	store_dom_id *domains;      uint32_t n_domains, cap_domains;   /* domains answered with it */
	store_name_id *ns_names;    uint32_t n_ns_names, cap_ns_names; /* NS names it is glue for */
};

/* NS name record (a name that appeared as an NS target). */
struct store_nsname {
	store_name_id name;
	fs_time first_seen, last_seen;
	uint32_t count;
	struct store_dom_addr *glue;  uint32_t n_glue, cap_glue;   /* its addresses (glue or answers) */
	store_name_id *zones;         uint32_t n_zones, cap_zones; /* zones delegated to it */
	store_dom_id *domains;        uint32_t n_domains, cap_domains; /* domains whose NS set includes it */
};

struct store_stats {
	uint64_t messages, responses, queries;
	uint64_t records;           /* answer+authority+additional records examined */
	uint64_t referrals;         /* responses that were upstream referrals */
	uint64_t glue_records;      /* A/AAAA in additional for an NS target */
	uint64_t aa_responses;      /* responses with the AA bit */
	size_t domains, addrs, nsnames, names, sets;
	size_t bytes;               /* approximate memory held */
};

struct store_config {
	size_t max_memory;          /* bytes, 0 = unbounded (aging is done by store_expire) */
};

struct store;

/* Caller frees with store_free(). cfg may be NULL. */
struct store *store_new(const struct store_config *cfg);
void store_free(struct store *s);

void store_write_lock(struct store *s);
void store_write_unlock(struct store *s);
void store_read_lock(struct store *s);
void store_read_unlock(struct store *s);
/* Increments on every change; any thread, no lock (atomic). */
uint64_t store_generation(const struct store *s);

/* Ingest one decoded message (queries are counted, responses become observations).
 * Writer thread, under the write lock. */
void store_add_msg(struct store *s, const struct dns_msg *msg);

/* Interning and lookup. Returned strings are interned: valid as long as the store. */
store_name_id store_name_intern(struct store *s, const char *name);
store_name_id store_name_find(const struct store *s, const char *name);
const char *store_name_str(const struct store *s, store_name_id id);
store_addr_id store_addr_intern(struct store *s, const fs_addr *a);
store_addr_id store_addr_find(const struct store *s, const fs_addr *a);

/* Sets: members sorted ascending; *n receives the count. */
const uint32_t *store_set_members(const struct store *s, store_set_id id, uint32_t *n);

/* Tables. Ids run from 1 to count inclusive. */
size_t store_domain_count(const struct store *s);
const struct store_domain *store_domain(const struct store *s, store_dom_id id);
store_dom_id store_domain_find(const struct store *s, const char *name);
store_dom_id store_domain_by_name(const struct store *s, store_name_id name);

size_t store_addr_count(const struct store *s);
const struct store_addr *store_addr(const struct store *s, store_addr_id id);

size_t store_nsname_count(const struct store *s);
const struct store_nsname *store_nsname(const struct store *s, uint32_t idx);
const struct store_nsname *store_nsname_by_name(const struct store *s, store_name_id name);

/* The NS names currently delegated for a domain: its own latest NS set, else the closest
 * ancestor zone's. Returns the set id (0 = unknown) and the zone it came from. */
store_set_id store_domain_nsset(const struct store *s, store_dom_id id, store_name_id *zone);

void store_get_stats(const struct store *s, struct store_stats *out);

/* Front-end marks (indicators chosen by the analyst). Writer or UI thread under write lock. */
void store_domain_set_flags(struct store *s, store_dom_id id, uint32_t flags);

#endif
