/* Sources of captured frames (pcap/pcapng files, live interfaces, later dnstap) behind one
 * interface, and the ingest thread that drives source → decoder → store.
 *
 * Threads: a source is read by one thread (the ingest thread). cap_source_progress() and
 * cap_source_stats() may be called from any thread (they read atomics). */
#ifndef FLUXSCOPE_CAPTURE_H
#define FLUXSCOPE_CAPTURE_H

#include <stdbool.h>
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
	uint64_t kernel_drops;     /* pcap_stats ps_drop (live) */
	uint64_t iface_drops;      /* pcap_stats ps_ifdrop (live) */
	bool truncated;            /* file ended mid-record */
};

enum cap_next { CAP_FRAME = 1, CAP_EOF = 0, CAP_ERROR = -1, CAP_AGAIN = 2 /* live: timeout */ };

struct cap_source;
struct cap_source_ops {
	const char *kind;                                             /* "file", "live" */
	enum cap_next (*next)(struct cap_source *src, struct cap_frame *out, struct fs_err *err);
	void (*stats)(struct cap_source *src, struct cap_stats *out);
	void (*breakloop)(struct cap_source *src);                    /* any thread; may be NULL */
	void (*close)(struct cap_source *src);
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

struct cap_live_opts {
	const char *bpf;           /* NULL = default DNS ports + IP fragments */
	int buffer_mb;             /* kernel buffer, default 32 */
	int snaplen;               /* default 262144 */
	const uint16_t *ports;     /* DNS ports for the default filter */
	int n_ports;
};
fs_status cap_open_live(const char *iface, const struct cap_live_opts *opts,
                        struct cap_source **out, struct fs_err *err);

static inline enum cap_next
cap_source_next(struct cap_source *s, struct cap_frame *f, struct fs_err *err)
{
	return s->ops->next(s, f, err);
}
void cap_source_stats(struct cap_source *s, struct cap_stats *out);
void cap_source_close(struct cap_source *s);

#endif
