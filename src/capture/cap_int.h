/* Internals shared by the files of src/capture/ (not part of the public API). */
#ifndef FLUXSCOPE_CAPTURE_CAP_INT_H
#define FLUXSCOPE_CAPTURE_CAP_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/capture.h"

/* Counters a source's reader thread updates and any thread reads (relaxed atomics: progress
 * figures, not synchronisation). */
struct cap_counters {
	_Atomic uint64_t frames;
	_Atomic uint64_t bytes_read;
	_Atomic uint64_t kernel_drops;
	_Atomic uint64_t iface_drops;
	_Atomic uint64_t app_drops;
	_Atomic bool truncated;
	uint64_t bytes_total;      /* set once at open */
};

void cap_counters_read(const struct cap_counters *c, struct cap_stats *out);

/* Seconds + microseconds as fs_time, the seconds clamped to about ±34,000 years: files carry
 * any value, and time differences taken later must not overflow. */
#define CAP_MAX_SEC ((int64_t)1 << 40)
static inline fs_time
cap_time(int64_t sec, int64_t usec)
{
	if (sec > CAP_MAX_SEC)
		sec = CAP_MAX_SEC;
	else if (sec < -CAP_MAX_SEC)
		sec = -CAP_MAX_SEC;
	return (fs_time)sec * FS_USEC + usec;
}

/* Wait until fd is readable or *stop turns true (checked every 100 ms); false if stopped. */
bool cap_wait_readable(int fd, const _Atomic bool *stop);

/* Allocate a source with the given ops and implementation (takes ownership of neither). */
struct cap_source *cap_source_alloc(const struct cap_source_ops *ops, const char *name, void *impl);

/*
 * The hand-off ring between a live capture thread (the one producer) and its reader (the one
 * consumer): whole frames copied in, read in place. ring.c.
 */
struct cap_ring;
struct cap_ring *cap_ring_new(size_t bytes);          /* rounded up to a power of two */
void cap_ring_free(struct cap_ring *r);
size_t cap_ring_size(const struct cap_ring *r);
/* Producer: copy a frame in; false (nothing written) when it does not fit. Never blocks. */
bool cap_ring_put(struct cap_ring *r, fs_time ts, uint32_t caplen, uint32_t wirelen,
                  const uint8_t *data);
/* Producer: no more frames. */
void cap_ring_close(struct cap_ring *r);
/* Consumer: the oldest frame, lent until the next get or release (linktype not set). Waits up
 * to timeout_ms when empty. 1 = frame, 0 = nothing yet, -1 = closed and empty. */
int cap_ring_get(struct cap_ring *r, struct cap_frame *out, int timeout_ms);
void cap_ring_release(struct cap_ring *r);

/*
 * The project's own pcapng reader (pcapng.c): bounds-checked block walker that gives every
 * frame its own interface's link type, which libpcap refuses to do when a file's interfaces
 * differ. Reads from a file descriptor through its own buffer; `prefix` holds bytes already
 * consumed from fd (the magic read to identify the format of a pipe).
 */
struct ng_reader;

/* stop (may be NULL): when it turns true, a read waiting on a pipe gives up (poll-based), so
 * another thread can end a source that is blocked on silent input. */
struct ng_reader *ng_open(int fd, bool own_fd, const uint8_t *prefix, size_t prefix_len,
                          const _Atomic bool *stop);
/* Returns CAP_FRAME, CAP_EOF or CAP_ERROR; on CAP_ERROR, *msg is a static phrase such as
 * "it ends in the middle of a block" and *truncated tells whether the file was cut off. */
enum cap_next ng_next(struct ng_reader *r, struct cap_frame *out, const char **msg, bool *truncated);
uint64_t ng_offset(const struct ng_reader *r);   /* file bytes consumed so far */
void ng_close(struct ng_reader *r);

#endif
