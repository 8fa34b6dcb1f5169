/* Sources of captured frames (pcap/pcapng files, live interfaces, later dnstap) behind one
 * interface, and the ingest thread that drives source → decoder → store.
 *
 * Threads: a source is read by one thread (the ingest thread). cap_source_progress() and
 * cap_source_stats() may be called from any thread (they read atomics). */
#ifndef FLUXSCOPE_CAPTURE_H
#define FLUXSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"

/* One frame; `data` is borrowed until the next cap_source_next() call. */
struct cap_frame {
	fs_time ts;
	int linktype;          /* LINKTYPE/DLT of the frame's interface (pcapng: per interface) */
	uint32_t caplen, wirelen;
	const uint8_t *data;
};

struct cap_stats {
	uint64_t frames;
	uint64_t bytes_read;       /* file bytes consumed so far (for progress) */
	uint64_t bytes_total;      /* file size, 0 if unknown (stdin, live) */
	uint64_t kernel_drops;     /* pcap_stats ps_drop (live): the kernel buffer was full */
	uint64_t iface_drops;      /* pcap_stats ps_ifdrop (live): dropped by the interface/driver */
	uint64_t app_drops;        /* live: captured, but the analysis was too far behind to take
	                            * them (hand-off full); still written to -w */
	uint64_t written;          /* live -w: frames written */
	uint32_t files_written;    /* live -w: files opened (1 + rotations) */
	bool write_failed;         /* live -w: writing stopped (cap_live_write_error says why) */
	bool live;
	bool truncated;            /* file ended mid-record */
	/* Feeds (dnstap, Zeek dns.log, Suricata EVE; NULL feed for packet sources). */
	const char *feed;          /* "dnstap", "zeek", "eve", "dnstap-live" */
	uint64_t feed_records;     /* log lines or dnstap frames read */
	uint64_t feed_messages;    /* DNS messages made from them */
	uint64_t feed_bad;         /* skipped: broken lines, bad JSON, bad protobuf */
	uint64_t feed_skipped;     /* nothing to show: other event types, records that cannot be
	                            * rebuilt (e.g. Zeek MX data), messages without DNS */
	uint64_t feed_oversized;   /* lines or frames over the bound, skipped */
};

enum cap_next { CAP_FRAME = 1, CAP_EOF = 0, CAP_ERROR = -1, CAP_AGAIN = 2 /* live: timeout */ };

struct cap_source;
struct cap_source_ops {
	const char *kind;                                             /* "file", "live" */
	enum cap_next (*next)(struct cap_source *src, struct cap_frame *out, struct fs_err *err);
	void (*stats)(struct cap_source *src, struct cap_stats *out);
	void (*breakloop)(struct cap_source *src);                    /* any thread; may be NULL */
	void (*close)(struct cap_source *src);
	/* After breakloop the source still delivers what it had captured, then CAP_EOF (live:
	 * the frames between the kernel and the analysis are not lost on a stop). */
	bool drains;
};

struct cap_source {
	const struct cap_source_ops *ops;
	char *name;    /* path or interface, owned */
	int index;     /* position among the opened sources */
	void *impl;
};

/* Open a pcap or pcapng file ("-" = stdin). pcapng files whose interfaces have different link
 * types are read too. On failure *out is NULL and err holds one sentence naming the file.
 * Caller closes with cap_source_close(). */
fs_status cap_open_file(const char *path, struct cap_source **out, struct fs_err *err);

/* Live capture (live.c). The handle is opened and activated here (this is where privileges
 * are needed), with immediate mode, the kernel buffer and the BPF filter; the first -w file is
 * created too. The capture thread starts at the first cap_source_next(), so a caller can drop
 * privileges in between (cap_live_set_owner, priv_drop, cap_live_ready). The capture thread
 * only takes frames from the kernel, writes them to -w and hands them to the reader through a
 * bounded ring: when the reader falls behind, frames are counted in app_drops (never silently
 * lost, and still written to -w). breakloop (from any thread, not from a signal handler) stops
 * the capture; the source then delivers what it had, flushes and closes -w, and ends. */
struct cap_live_opts {
	const char *bpf;           /* NULL = cap_live_default_filter(ports) */
	int buffer_mb;             /* kernel buffer, default 32 */
	int snaplen;               /* default 262144 */
	const uint16_t *ports;     /* DNS ports for the default filter */
	int n_ports;
	const char *write_path;    /* -w: every captured frame to this pcap file; NULL = none */
	int rotate_mb;             /* -C: start FILE.1, FILE.2, … when a file reaches this size */
	int handoff_mb;            /* capture → analysis ring, default 16 */
	bool no_promisc;
	/* libpcap immediate mode. Off by default: on Linux it means TPACKET_V2, whose kernel ring
	 * has one slot per frame sized for the MTU (64 KiB on lo: 512 frames in 32 MiB), where
	 * TPACKET_V3 packs frames into blocks (about 150,000 DNS packets in 32 MiB) and hands a
	 * block over when full or after LIVE_TIMEOUT_MS (50 ms). make bench compares the two. */
	bool immediate;
};
fs_status cap_open_live(const char *iface, const struct cap_live_opts *opts,
                        struct cap_source **out, struct fs_err *err);

/* Live dnstap (dnstap_live.c): listen on each endpoint ("unix:PATH", "tcp:ADDRESS:PORT") for
 * Frame Streams connections from resolvers (bidirectional handshake READY/ACCEPT/START,
 * FINISH after STOP; unidirectional senders too), several at once. A thread of its own reads
 * the sockets and hands the messages over through a ring of ring_mb MiB (default 32): when it
 * is full a message is dropped and counted on its feed (app_drops), never waited for. Stopped
 * by breakloop, it delivers what the sockets held and ends. err names the endpoint at fault. */
fs_status cap_open_dnstap(const char *const *endpoints, int n, int ring_mb, struct cap_source **out,
                          struct fs_err *err);
bool cap_is_dnstap(const struct cap_source *s);
/* One connection from a resolver (kept after it disconnects; a reconnection to the same
 * listener takes the same entry). Any thread. */
struct cap_feed_info {
	char listener[300];        /* unix:PATH or tcp:ADDRESS:PORT */
	char peer[64];             /* "pid N" (unix) or ADDRESS:PORT (tcp) */
	char identity[64];         /* the resolver's dnstap identity ("" until a message names it) */
	bool connected;
	uint64_t messages, bytes;  /* DNS messages handed over, dnstap bytes read */
	uint64_t errors;           /* bad frames, bad protobuf, oversized frames */
	uint64_t drops;            /* messages dropped: the analysis was behind */
	uint64_t connects, disconnects;
	double rate;               /* messages per second over the last second */
};
size_t cap_dnstap_feeds(struct cap_source *s, struct cap_feed_info *out, size_t max);
uint64_t cap_dnstap_refused(struct cap_source *s);   /* connections over the limit */
void cap_dnstap_describe(struct cap_source *s, char *buf, size_t len);

/* The default filter for the DNS ports (NULL/0 = 53): each port over UDP and TCP and every IPv4
 * and IPv6 fragment (later fragments carry no port); with vlan the same again behind one VLAN
 * tag (Ethernet link types only: libpcap has no VLAN test for cooked captures). Caller frees. */
char *cap_live_default_filter(const uint16_t *ports, int n_ports, bool vlan);

/* Name of the idx-th file of a -w/-C series: base, base.1, base.2, … (in the order written).
 * Returns -1 when it does not fit in len. */
int cap_rotate_name(const char *base, unsigned idx, char *buf, size_t len);

/* Privilege drop support; no-ops for sources that are not live. Before the drop: give the open
 * -w file to the user that will write it. After: check that -C can create the next files
 * (one sentence naming the folder when it cannot). */
fs_status cap_live_set_owner(struct cap_source *src, unsigned uid, unsigned gid, struct fs_err *err);
fs_status cap_live_ready(struct cap_source *src, struct fs_err *err);
/* "listening on IFACE, link-type …, snapshot length …" (tcpdump's line). */
void cap_live_describe(struct cap_source *src, char *buf, size_t len);
/* Why -w writing stopped ("" while it works). */
void cap_live_write_error(struct cap_source *src, char *buf, size_t len);

/* -D: the interfaces libpcap can capture on. Caller frees with cap_ifaces_free(). */
#define CAP_IF_UP 0x01
#define CAP_IF_RUNNING 0x02
#define CAP_IF_LOOPBACK 0x04
#define CAP_IF_WIRELESS 0x08
#define CAP_IF_CONNECTED 0x10
#define CAP_IF_DISCONNECTED 0x20
#define CAP_IF_MAX_ADDRS 4
struct cap_iface {
	char *name;
	char *description;         /* NULL when libpcap has none */
	unsigned flags;            /* CAP_IF_* */
	char addrs[CAP_IF_MAX_ADDRS][FS_ADDR_STRLEN];
	int n_addrs;
};
fs_status cap_list_ifaces(struct cap_iface **out, size_t *n, struct fs_err *err);
void cap_ifaces_free(struct cap_iface *v, size_t n);

static inline enum cap_next
cap_source_next(struct cap_source *s, struct cap_frame *f, struct fs_err *err)
{
	return s->ops->next(s, f, err);
}
void cap_source_stats(struct cap_source *s, struct cap_stats *out);
void cap_source_close(struct cap_source *s);

#endif
