/* The observation store: the single source of truth every analysis and view reads.
 *
 * Every DNS response becomes observations: per domain (query name) the responses seen (time,
 * resolver, client, rcode, TTLs, answer set), the distinct answer sets over time, CNAME
 * targets, the NS names of the enclosing zone and their glue; per address and per NS name the
 * domains that point to them. Names, addresses and sets are interned: an id is a small integer
 * (0 always means "none").
 *
 * Threads and locking: one writer (the ingest thread) and any number of readers (UI, report).
 * The writer calls store_write_lock()/store_write_unlock() around batches of store_add_msg();
 * readers call store_read_lock()/store_read_unlock() around any use of the returned pointers.
 * Every pointer returned by an accessor is borrowed from the store: valid while the read lock is
 * held (a writer may grow the tables). Single-threaded users (tests, headless report after
 * ingest) may skip the locks. The lock prefers writers, so a busy UI cannot starve ingest.
 *
 * Ids: stable for the life of the store unless store_expire() runs. store_expire() (memory
 * budget, issue 7) frees what aged out and may reuse the ids of freed domains, addresses, NS
 * names, names and sets; it increments store_epoch(). A reader that keeps ids across lock
 * releases compares store_epoch() and revalidates (e.g. finds the domain again by name) when it
 * changed. Domains with user_flags != 0 or pins != 0 (pinned) are never freed. Without store_expire() (file
 * analysis) no id is ever freed and store_domain() never returns NULL for 1..count.
 *
 * Memory: after warm-up, adding a message allocates only when a table or vector grows
 * (amortised, geometric); nothing is allocated per packet. store_stats.bytes tracks what is
 * held. */
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
typedef uint32_t store_ns_id;    /* index of an NS-name record, 0 = none */

/* One response for a domain, in arrival order: the timeline. */
struct store_response {
	fs_time ts;
	store_set_id aset;          /* A+AAAA addresses reached from the qname through CNAMEs; 0 = none */
	uint32_t ttl_min, ttl_max;  /* over those address records (0/0 when none) */
	store_addr_id resolver;     /* the responding server (message source) */
	store_addr_id client;       /* the querying host (message destination) */
	store_name_id cname;        /* first CNAME target from the qname, 0 = none */
	uint16_t rcode;
	uint16_t qtype;
	uint8_t src_index;          /* input source (clamped to 255) */
	uint8_t flags;              /* STORE_RESP_* */
	uint16_t vantage;           /* feeds: store_vantage() index of who saw it; 0 = a packet */
	uint32_t frame;             /* frame number in source src_index (1-based; 0 = unknown):
	                             * the frame that completed the message (tshark's frame.number) */
};
#define STORE_RESP_AA 0x01        /* authoritative answer */
#define STORE_RESP_TCP 0x02
#define STORE_RESP_REFERRAL 0x04  /* no answer, NS in authority, AA clear: an upstream referral */
#define STORE_RESP_TC 0x08
#define STORE_RESP_VIA_CNAME 0x10 /* entry of a CNAME target: the qname was another name */
#define STORE_RESP_NODATA 0x20    /* NOERROR without a record of qtype for the qname (RFC 2308) */

/* One distinct answer set (RRset) of a domain, in order of first appearance. */
struct store_rrset {
	store_set_id set;
	uint32_t count;             /* responses that carried exactly this set */
	fs_time first_seen, last_seen;
	uint32_t ttl_max;           /* authoritative TTL estimate: caches count TTLs down */
	uint32_t ttl_min;
	uint8_t sources;            /* bitmask of src_index values (first 8) */
};

/* One address as seen for one domain (or as glue of one NS name). */
struct store_dom_addr {
	store_addr_id addr;
	uint32_t count;             /* responses (glue: NS records' messages) that carried it */
	fs_time first_seen, last_seen;
	uint32_t ttl_max;
};

/* One CNAME record of a domain's answers: from → to (the first from is the query name), with
 * when and how often it was answered. The links of a domain form the tree of the alternative
 * chains its answers took (a steering name answering now one CDN, now another). */
struct store_cname_link {
	store_name_id from, to;
	uint32_t count;             /* responses carrying it */
	fs_time first_seen, last_seen;
};
#define STORE_CLINKS_MAX 256        /* links kept per domain; more are counted in n_clinks_over */

/* One NS-set observation for a zone (from NS answers or referrals). Recorded on the qname's
 * domain for the closest enclosing zone of the message, and on the zone's own domain record;
 * a new observation is added only when the set differs from the last one for the same zone. */
struct store_ns_obs {
	fs_time ts;                 /* first time this set was seen after a change */
	store_set_id nsset;         /* set of store_name_id */
	store_name_id zone;         /* owner of the NS RRset (the qname or an ancestor) */
	uint32_t ttl;               /* maximum NS TTL in that message */
};

/* What a domain has besides its timeline: its answers (RRsets, addresses, CNAMEs), the NS
 * sets seen for it, and what store_expire() dropped of them. Vectors hold what was retained;
 * counters count everything ever seen. */
struct store_domain_ext {
	struct store_rrset *rrsets;     /* distinct answer sets, order of first appearance */
	struct store_dom_addr *addrs;   /* order of first appearance */
	store_name_id *cnames;          /* distinct, chain order */
	struct store_cname_link *clinks; /* query name's responses */
	struct store_ns_obs *ns;        /* NS-set changes only */
	uint32_t n_rrsets, n_addrs, n_cnames, n_clinks, n_ns;
	uint32_t ttl_min_seen, ttl_max_seen; /* over address records; valid if STORE_DOM_TTL */
	uint32_t n_rrsets_expired, n_addrs_expired;
	uint32_t n_clinks_over;     /* CNAME links beyond STORE_CLINKS_MAX, not kept */
};

/* Domain record: every name that was the query name of a response (STORE_DOM_QNAME), a CNAME
 * target owning addresses (STORE_DOM_CNAME_TARGET) or the owner of an NS RRset
 * (STORE_DOM_ZONE). Vectors hold what was retained; counters count everything ever seen.
 * The record is small (a random-subdomain flood's names have nothing but a response or two);
 * the rest is in `ext`, never NULL: a domain that never had an answer, a second response or
 * an NS set shares one empty record (all zero) there, which readers read like any other. */
struct store_domain {
	store_name_id name;
	uint32_t dflags;            /* STORE_DOM_* */
	fs_time first_seen, last_seen;
	uint32_t n_responses;       /* responses with this name as the query name */
	uint32_t n_nxdomain;
	uint32_t n_noerror_nodata;
	uint32_t n_via_cname;       /* times this name was reached as a CNAME target of another name */
	struct store_response *resp;    /* timeline, arrival order */
	uint32_t n_resp;
	uint32_t user_flags;        /* free for front ends (marks); non-zero pins the domain */
	uint32_t pins;              /* STORE_PIN_*: kept by store_expire() for the analysis's sake
	                             * (apart from marks, which user_flags holds) */
	uint32_t n_resp_expired;    /* timeline entries dropped by store_expire() */
	const struct store_domain_ext *ext; /* answers, NS sets; never NULL (see above) */
};
/* The ext of every domain without one of its own (all zero, never written); a record made
 * outside the store (a filter's stand-in) points its ext here too. */
extern const struct store_domain_ext store_domain_ext_empty;
#define STORE_DOM_QNAME 0x01        /* was the query name of at least one response */
#define STORE_DOM_CNAME_TARGET 0x02 /* owned addresses reached through a CNAME */
#define STORE_DOM_ZONE 0x04         /* owner of an NS RRset */
#define STORE_DOM_TTL 0x08          /* ttl_min_seen/ttl_max_seen are set */
#define STORE_PIN_FLAGGED 0x01      /* a detection verdict was suspicious or flux (live ageing) */
#define STORE_PIN_AGEING 0x02       /* held for one step of an ageing run (watch.c) */

/* Address record: every address that was an answer, glue, resolver or client. */
struct store_addr {
	fs_addr addr;
	uint32_t count;             /* answer records that carried it (0 for resolvers/clients) */
	fs_time first_seen, last_seen; /* as an answer or glue (0 when never) */
	store_dom_id *domains;      uint32_t n_domains, cap_domains;   /* domains answered with it */
	store_name_id *ns_names;    uint32_t n_ns_names, cap_ns_names; /* NS names it is glue for */
};

/* NS name record (a name that appeared as an NS target). */
struct store_nsname {
	store_name_id name;
	uint32_t count;             /* NS records naming it */
	fs_time first_seen, last_seen;
	struct store_dom_addr *glue;  uint32_t n_glue, cap_glue;   /* its addresses (glue or answers) */
	store_name_id *zones;         uint32_t n_zones, cap_zones; /* zones delegated to it */
	store_dom_id *domains;        uint32_t n_domains, cap_domains; /* domains whose NS set includes it */
};

struct store_stats {
	uint64_t messages, responses, queries;
	uint64_t records;           /* answer+authority+additional records examined */
	uint64_t referrals;         /* responses that were upstream referrals */
	uint64_t glue_records;      /* A/AAAA in additional for an NS target of the same message */
	uint64_t aa_responses;      /* responses with the AA bit */
	uint64_t nxdomain, nodata;  /* negative responses (RFC 2308) */
	uint64_t no_question;       /* responses without a question (not stored) */
	uint64_t other_opcode;      /* responses with an opcode other than QUERY (not stored) */
	uint64_t partial;           /* responses the decoder marked malformed (records kept) */
	uint64_t cname_loops;       /* CNAMEs whose target was already in the chain */
	uint64_t ns_out_of_zone;    /* NS records not enclosing the qname or its CNAME chain */
	uint64_t view_client;       /* responses a feed declared client-side (dnstap CLIENT_*, …) */
	uint64_t view_upstream;     /* responses a feed declared upstream (RESOLVER_*, AUTH_*) */
	size_t domains, addrs, nsnames, names, sets; /* live records */
	size_t domains_bare;        /* of the domains, those that never had an address, RRset or
	                             * CNAME (no extension record: a flood's one-off names) */
	size_t bytes;               /* approximate memory held */
	/* Aging (store_expire): what was dropped, so the counts stay whole. */
	uint64_t expire_runs;
	uint64_t expired_domains, expired_responses, expired_rrsets, expired_dom_addrs;
	uint64_t expired_addrs, expired_nsnames, expired_names, expired_sets;
};

struct store_config {
	size_t max_memory;          /* bytes, 0 = unbounded; see store_expire_to_budget() */
	uint32_t pinned_keep;       /* responses a pinned domain keeps when STORE_EXPIRE_TRIM_PINNED
	                             * trims its timeline (the newest); 0 = none kept by count */
};
#define STORE_PINNED_KEEP 256       /* what watch.h asks for (store_set_pinned_keep) */

struct store;

/* Caller frees with store_free(). cfg may be NULL. */
struct store *store_new(const struct store_config *cfg);
void store_free(struct store *s);

void store_write_lock(struct store *s);
void store_write_unlock(struct store *s);
void store_read_lock(struct store *s);
void store_read_unlock(struct store *s);
/* The same, waiting at most ms milliseconds (0: not at all); true when the lock was taken.
 * For the UI thread, which must not wait for a long writer or a long reader ahead of a writer
 * (the lock prefers writers): it shows that the data is updating and tries again later. */
bool store_read_lock_for(struct store *s, int ms);
bool store_write_lock_for(struct store *s, int ms);
/* Increments on every change; any thread, no lock (atomic). */
uint64_t store_generation(const struct store *s);
/* Increments at every store_expire() (it may free ids, and it moves the interned strings);
 * any thread, no lock (atomic). */
uint32_t store_epoch(const struct store *s);
/* A domain's change stamp: a new value whenever its record changes (store_add_msg touching it
 * as query name, CNAME target or zone, store_expire trimming it), never 0 for a live domain,
 * never the same for two changes (one sequence for every store of the process, so it also
 * tells a reused id or another store apart). 0 for a free slot. Readers, under the read lock.
 * Detection keeps each domain's own features with the stamp they were computed at. What a
 * domain's record points to elsewhere (its NS names' glue, the records of other names) has
 * stamps of its own or none: readers check those themselves. */
uint64_t store_domain_stamp(const struct store *s, store_dom_id id);

/* Ingest one decoded message (queries are counted, responses become observations). The message
 * is only read during the call. Writer thread, under the write lock. */
void store_add_msg(struct store *s, const struct dns_msg *msg);

/* Interning and lookup. Names are folded to lower case (ASCII) and a trailing dot is dropped
 * ("." stays the root); names over 1024 bytes are not interned (0). Returned strings are
 * borrowed: valid until the next store_expire() (a writer, under the write lock). The string of
 * id 0 is "". Intern: writer, under the write lock; find: readers. */
store_name_id store_name_intern(struct store *s, const char *name);
store_name_id store_name_find(const struct store *s, const char *name);
const char *store_name_str(const struct store *s, store_name_id id);
store_addr_id store_addr_intern(struct store *s, const fs_addr *a);
store_addr_id store_addr_find(const struct store *s, const fs_addr *a);

/* Sets: members sorted ascending, no duplicates; *n receives the count (0 for id 0). Equal sets
 * of the same kind share one id (an address set and a name set with equal numbers do not).
 * Intern: writer; members, kind: readers. */
#define STORE_SET_ADDRS 1   /* members are store_addr_id (answer sets) */
#define STORE_SET_NAMES 2   /* members are store_name_id (NS sets) */
store_set_id store_set_intern(struct store *s, uint32_t kind, const uint32_t *members, uint32_t n);
uint32_t store_set_kind(const struct store *s, store_set_id id);
const uint32_t *store_set_members(const struct store *s, store_set_id id, uint32_t *n);
uint32_t store_set_size(const struct store *s, store_set_id id);

/* Tables. Ids run from 1 to count inclusive; after store_expire() an id may be a free slot,
 * for which the accessor returns NULL (never without store_expire()). */
size_t store_domain_count(const struct store *s);
const struct store_domain *store_domain(const struct store *s, store_dom_id id);
store_dom_id store_domain_find(const struct store *s, const char *name);
store_dom_id store_domain_by_name(const struct store *s, store_name_id name);

size_t store_addr_count(const struct store *s);
const struct store_addr *store_addr(const struct store *s, store_addr_id id);

size_t store_nsname_count(const struct store *s);
const struct store_nsname *store_nsname(const struct store *s, store_ns_id idx);
const struct store_nsname *store_nsname_by_name(const struct store *s, store_name_id name);
store_ns_id store_nsname_find(const struct store *s, store_name_id name);

/* The NS names currently delegated for a domain: its own latest NS set for the deepest zone it
 * has seen, else the closest ancestor zone's. Returns the set id (0 = unknown) and the zone it
 * came from (zone may be NULL). */
store_set_id store_domain_nsset(const struct store *s, store_dom_id id, store_name_id *zone);
/* NS-set changes of a domain: observations that replaced an earlier set of the same zone. */
uint32_t store_domain_ns_changes(const struct store *s, store_dom_id id);

void store_get_stats(const struct store *s, struct store_stats *out);

/* Vantages of feed messages (dns_msg.vantage: resolver identity and dnstap message type, or
 * the sensor), numbered from 1 in order of first appearance; at most STORE_VANTAGE_MAX, later
 * ones share the last number. Never freed before the store. Readers. */
#define STORE_VANTAGE_MAX 4096
size_t store_vantage_count(const struct store *s);
/* Name ("" for 0 or out of range) and view (enum dec_view) of vantage i; borrowed. */
const char *store_vantage(const struct store *s, uint16_t i, uint8_t *view);

/* Front-end marks (indicators chosen by the analyst); non-zero flags pin the domain against
 * store_expire(). Writer or UI thread under the write lock. */
void store_domain_set_flags(struct store *s, store_dom_id id, uint32_t flags);
/* Pins kept apart from the marks (STORE_PIN_*): the ageing of a long live watch pins the
 * domains detection flagged, so that store_expire() keeps them; marks stay the analyst's.
 * Writer, under the write lock. */
void store_domain_set_pins(struct store *s, store_dom_id id, uint32_t pins);
/* For a store that is done growing (a capture read to its end, before detection): every
 * vector of the domain, address and NS-name records is copied into big blocks at exactly its
 * length (the room left for growth and the heap block of each given back), and the writer's
 * indexes of long vectors are dropped; the heap pages freed are returned to the system. Records
 * and their contents are unchanged (the vectors' pointers and capacities move, store_stats.bytes
 * falls by what was given back, returned). Later writes still work: a packed vector moves to the
 * heap when it grows, an index is rebuilt when a long vector is appended to. Writer, under the
 * write lock; O(size of the store). */
size_t store_pack(struct store *s);
/* store_config.pinned_keep after creation. Writer, under the write lock. */
void store_set_pinned_keep(struct store *s, uint32_t n);

/* Aging under a memory budget (issue 7). Writer, under the write lock.
 * Drops timeline entries older than `before`; for unpinned domains also RRsets, addresses and
 * NS observations last seen before it (the latest NS set of each zone is kept), and whole
 * unpinned domains last seen before it; NS names' glue last seen before it. Per-domain counters
 * stay; what was dropped is counted in the domain's *_expired fields and in store_stats. Pinned
 * domains (user_flags or pins) keep everything unless STORE_EXPIRE_TRIM_PINNED, which trims
 * their timelines only, and never below their newest pinned_keep responses (the evidence
 * detection needs to keep flagging them). So does what the NS layer of a pinned domain rests
 * on (issue 16): the record its NS observations come from (its own or the closest ancestor
 * zone's), the zone's record, and for each NS name of those sets its record and all its glue.
 * Then frees the
 * names, sets, addresses and NS names nothing refers to any more, compacts the name and set
 * storage and returns the bytes released. O(size of the store): call it rarely, and hold the
 * write lock for one call at a time (watch.c releases it between its steps). */
#define STORE_EXPIRE_TRIM_PINNED 0x01
size_t store_expire(struct store *s, fs_time before, unsigned flags);
/* Calls store_expire() with cut-offs moving forward through the observed time range until
 * store_stats.bytes <= budget (0 = the configured max_memory) or only the newest tenth of the
 * range and pinned data are left. Returns the last cut-off used, 0 if nothing was needed. */
fs_time store_expire_to_budget(struct store *s, size_t budget, unsigned flags);

#endif
