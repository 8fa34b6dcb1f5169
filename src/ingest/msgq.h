/* The ingest pipeline's hand-off (private to src/ingest/): decoded DNS messages copied, whole
 * and self-contained (records, names, raw wire), into batches that pass from the decoding
 * thread to the thread that runs the message callback, in order.
 *
 * Threads: one producer (msgq_put, msgq_flush, msgq_close) and one consumer (msgq_take,
 * msgq_release); msgq_new/msgq_free on the owning thread while neither runs. A batch's
 * messages and everything they point to stay valid until msgq_release. */
#ifndef FLUXSCOPE_INGEST_MSGQ_H
#define FLUXSCOPE_INGEST_MSGQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/decode.h"

struct msgq;
struct msgq_batch;

/* n_batches buffers of batch_bytes each (a message larger than a buffer gets a buffer of its
 * own size); the producer waits when all are in flight. Caller frees with msgq_free(). */
struct msgq *msgq_new(size_t batch_bytes, int n_batches);
void msgq_free(struct msgq *q);

/* Producer: copy m into the current batch (handing it off first when m does not fit). */
void msgq_put(struct msgq *q, const struct dns_msg *m);
/* Producer: hand off the current batch now, even if not full. */
void msgq_flush(struct msgq *q);
/* Producer: flush and say no more batches will come. */
void msgq_close(struct msgq *q);

/* Consumer: the next batch in order, waiting for it; NULL once closed and drained. */
struct msgq_batch *msgq_take(struct msgq *q);
/* Consumer: the batch's messages in order (NULL after the last). */
const struct dns_msg *msgq_first(const struct msgq_batch *b);
const struct dns_msg *msgq_next(const struct msgq_batch *b, const struct dns_msg *m);
void msgq_release(struct msgq *q, struct msgq_batch *b);

/* Bytes a copy of m takes in a batch (for tests). */
size_t msgq_msg_size(const struct dns_msg *m);

#endif
