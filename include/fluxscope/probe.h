/* Active probing (issue 17): re-resolve a suspect name now and ask its nameservers directly.
 *
 * A probe finds the zone that holds NAME (through a recursive resolver, or iteratively from root
 * hints), then, for a number of rounds paced by the TTLs seen (or a fixed interval), asks every
 * authoritative nameserver address (each NS name, each of its IPv4 and IPv6 addresses) and the
 * recursive resolver for the A, AAAA and NS records of NAME. Queries are built with ldns (EDNS
 * with a 1232-octet buffer, RD only towards the resolver); over UDP, a truncated answer is asked
 * again over TCP. Every answer is parsed by the project's own decoder (src/decode, every byte
 * through wire.h) and added to the store as a response whose resolver is the server asked (its
 * address and port) and whose client is the local address the query left from, so the timeline,
 * spread, nameserver views, the detector and export use it like captured traffic.
 *
 * Safety: nothing is sent unless a front end calls probe_run()/probe_start() on the analyst's
 * explicit command. Each server gets at most per_server_qps queries per second and the probe as
 * a whole at most total_qps. Nameserver and root-hint addresses that are private, loopback,
 * link-local, multicast or otherwise not global are refused (the server is reported
 * `refused-private`) unless allow_private; the resolver the analyst names (or the system's) is
 * always allowed. Answers are hostile input: an answer whose source, ID or question does not
 * match the query is dropped and counted.
 *
 * Threads: a probe is made, run and freed by one thread; probe_start() runs it on a thread of its
 * own instead (then probe_stop(), probe_progress() and probe_done() may be called from any
 * thread, and probe_free() joins it). The probe takes the store's write lock for each answer it
 * adds (never while waiting on the network), so a UI reading the store is never held up by I/O.
 * Strings returned are owned by the probe and valid until probe_free(). */
#ifndef FLUXSCOPE_PROBE_H
#define FLUXSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"
#include "fluxscope/store.h"

#define PROBE_DEFAULT_COUNT 3
#define PROBE_DEFAULT_QPS 2.0          /* per server */
#define PROBE_DEFAULT_TOTAL_QPS 20.0   /* the whole probe */
#define PROBE_DEFAULT_TIMEOUT_MS 2000
#define PROBE_MAX_SERVERS 32           /* authoritative addresses asked (first seen first) */
#define PROBE_MAX_INTERVAL_S 300       /* TTL pacing never waits longer between rounds */

enum probe_mode {
	PROBE_VIA_RESOLVER = 0,            /* delegation through the recursive resolver */
	PROBE_ITERATIVE                    /* from root hints (the resolver is not asked) */
};

struct probe_config {
	const char *name;                  /* the name to probe (required) */
	enum probe_mode mode;
	fs_addr resolver;                  /* family 0: the first nameserver of resolv_conf */
	uint16_t resolver_port;            /* 0 = 53 */
	const char *resolv_conf;           /* NULL = /etc/resolv.conf */
	const char *root_hints;            /* iterative: hints file; NULL = the built-in root servers */
	uint16_t auth_port;                /* port of nameservers learned from DNS; 0 = 53 */
	int count;                         /* rounds; 0 = PROBE_DEFAULT_COUNT */
	double interval_s;                 /* between rounds; 0 = the smallest TTL of the last round
	                                    * (at least 1 s, at most PROBE_MAX_INTERVAL_S) */
	double per_server_qps;             /* 0 = PROBE_DEFAULT_QPS */
	double total_qps;                  /* 0 = PROBE_DEFAULT_TOTAL_QPS */
	int timeout_ms;                    /* per query and transport; 0 = PROBE_DEFAULT_TIMEOUT_MS */
	bool allow_private;
	bool resolver_only;                /* ask only the resolver (the nameservers are found but
	                                    * not asked: they see the resolver, not this host) */
	int src_index;                     /* store source index of probe answers */
};

/* What a server did, worst news last seen first: the state of its most recent query wins,
 * except that `answering` is kept once it answered authoritatively and only silence followed. */
enum probe_state {
	PROBE_SRV_PENDING = 0,             /* not asked yet */
	PROBE_SRV_OK,                      /* authoritative answers (or, for the resolver, answers) */
	PROBE_SRV_LAME,                    /* answers without authority for the zone (AA clear, no
	                                    * referral below it) */
	PROBE_SRV_REFUSING,                /* REFUSED or NOTAUTH */
	PROBE_SRV_SERVFAIL,                /* SERVFAIL or another error rcode */
	PROBE_SRV_NO_ANSWER,               /* every try timed out: lame by silence */
	PROBE_SRV_UNREACHABLE,             /* ICMP unreachable / connection refused / no route */
	PROBE_SRV_REFUSED_PRIVATE,         /* not asked: private/loopback/link-local destination */
	PROBE_SRV_COUNT
};
const char *probe_state_name(enum probe_state st);

struct probe_server {
	const char *ns_name;               /* NS name, "(resolver)" or "(root hint)" */
	fs_addr addr;
	uint16_t port;
	bool is_resolver;
	enum probe_state state;
	uint32_t sent, answers, timeouts, errors;
	uint32_t truncated;                /* UDP answers with TC, asked again over TCP */
	uint32_t tcp_answers;
	uint32_t mismatched;               /* datagrams dropped: wrong source, ID or question */
	uint32_t malformed;                /* answers the decoder flagged (records kept) */
	uint32_t refused, servfail, lame;  /* answers by kind */
};

struct probe_progress {
	int round, rounds;                 /* round in progress (1-based), of rounds */
	uint64_t sent, answers, timeouts;
	size_t servers;                    /* addresses known (resolver included) */
	bool running, finished, stopped;
	double next_round_in_s;            /* while waiting between rounds */
	char zone[256];                    /* the zone found ("" until found) */
	char status[160];                  /* one line for a status bar */
};

struct probe;

/* Check the configuration and make a probe adding to `store` (borrowed; must outlive it). Sends
 * nothing. err names the option at fault. Caller frees with probe_free(). */
fs_status probe_new(const struct probe_config *cfg, struct store *store, struct probe **out,
                    struct fs_err *err);
/* Run every round in the calling thread. FS_OK when the rounds ran (servers may still have been
 * silent; see probe_server()); an error when no zone or nameserver could be found (err). */
fs_status probe_run(struct probe *p, struct fs_err *err);
/* Run on a thread of its own. */
fs_status probe_start(struct probe *p, struct fs_err *err);
/* Ask a running probe to stop (it ends after the query in flight, within the timeout); any
 * thread. */
void probe_stop(struct probe *p);
bool probe_done(struct probe *p);
void probe_progress(struct probe *p, struct probe_progress *out);
/* After the run (or probe_done()): the servers asked, the resolver first. The error of a
 * threaded run that found nothing goes to probe_error(). */
size_t probe_n_servers(const struct probe *p);
const struct probe_server *probe_server(const struct probe *p, size_t i);
const struct fs_err *probe_error(const struct probe *p);
/* Joins a started probe (stopping it first). */
void probe_free(struct probe *p);

/* "ADDR", "ADDR:PORT", "[ADDR6]:PORT" or "ADDR6"; err names `opt`. */
fs_status probe_parse_server(const char *text, const char *opt, fs_addr *addr, uint16_t *port,
                             struct fs_err *err);
/* True for addresses probes are refused unless allow_private: private (RFC 1918, ULA),
 * loopback, link-local, CGNAT shared space, unspecified, multicast, broadcast, documentation
 * and benchmark ranges are not; the IPv4 inside a v4-mapped IPv6 address is judged. */
bool probe_addr_is_private(const fs_addr *a);

#endif
