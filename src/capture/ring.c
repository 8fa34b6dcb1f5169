/* The hand-off between a live capture thread and the analysis: a single-producer,
 * single-consumer byte ring of whole frames. The producer never waits: a frame that does not
 * fit is refused (the caller counts an application drop), so a slow consumer can never stall
 * the capture. The consumer reads frames in place and sleeps on a condition variable only when
 * the ring is empty; the producer signals it only when it said it was going to sleep, so a busy
 * ring costs no system call per frame. */
#include "capture/cap_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every record starts on an 8-byte boundary with this header; a PAD record (only its first
 * 8 bytes are meaningful) fills the end of the buffer when the next record does not fit. */
struct rec {
	uint32_t len;       /* whole record, header included, multiple of 8 */
	uint32_t pad;       /* 1 = padding up to the end of the buffer */
	uint32_t caplen, wirelen;
	int64_t ts;
};
#define REC_HDR ((uint32_t)sizeof(struct rec))

struct cap_ring {
	uint8_t *buf;
	size_t size, mask;            /* power of two */
	_Alignas(64) _Atomic uint64_t head;   /* producer's write position (monotonic) */
	_Alignas(64) _Atomic uint64_t tail;   /* consumer's read position (monotonic) */
	uint64_t held;                /* consumer: length of the frame lent out, 0 = none */
	_Atomic bool closed;
	_Atomic bool waiting;         /* consumer is (about to be) asleep */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct cap_ring *
cap_ring_new(size_t bytes)
{
	struct cap_ring *r = xcalloc(1, sizeof *r);
	size_t size = 1 << 16;

	while (size < bytes && size < ((size_t)1 << 40))
		size <<= 1;
	r->buf = xmalloc(size);
	r->size = size;
	r->mask = size - 1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	return r;
}

void
cap_ring_free(struct cap_ring *r)
{
	if (r == NULL)
		return;
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	free(r);
}

size_t
cap_ring_size(const struct cap_ring *r)
{
	return r->size;
}

static void
wake(struct cap_ring *r)
{
	/* seq_cst pairs with the consumer's store of `waiting` and load of `head`: either it sees
	 * the new head or we see it waiting (no lost wake-up). */
	if (atomic_load(&r->waiting)) {
		pthread_mutex_lock(&r->mu);
		atomic_store(&r->waiting, false);
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

bool
cap_ring_put(struct cap_ring *r, fs_time ts, uint32_t caplen, uint32_t wirelen, const uint8_t *data)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t need = ((uint64_t)REC_HDR + caplen + 7) & ~(uint64_t)7;
	size_t off = (size_t)(head & r->mask), room = r->size - off;
	uint64_t total = need <= room ? need : room + need;
	struct rec h;

	if (need > r->size / 2 || total > r->size - (head - tail))
		return false;
	if (need > room) {
		/* Only len and pad are read from a PAD record, and room >= 8 (all records are
		 * multiples of 8). */
		uint32_t pad[2] = { (uint32_t)room, 1 };
		memcpy(r->buf + off, pad, sizeof pad);
		off = 0;
	}
	h.len = (uint32_t)need;
	h.pad = 0;
	h.caplen = caplen;
	h.wirelen = wirelen;
	h.ts = ts;
	memcpy(r->buf + off, &h, sizeof h);
	memcpy(r->buf + off + REC_HDR, data, caplen);
	atomic_store(&r->head, head + total);
	wake(r);
	return true;
}

void
cap_ring_close(struct cap_ring *r)
{
	atomic_store(&r->closed, true);
	pthread_mutex_lock(&r->mu);
	atomic_store(&r->waiting, false);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void
release(struct cap_ring *r)
{
	if (r->held == 0)
		return;
	atomic_store_explicit(&r->tail, atomic_load_explicit(&r->tail, memory_order_relaxed) + r->held,
	                      memory_order_release);
	r->held = 0;
}

void
cap_ring_release(struct cap_ring *r)
{
	release(r);
}

static void
sleep_until(struct cap_ring *r, uint64_t tail, const struct timespec *until)
{
	atomic_store(&r->waiting, true);
	if (atomic_load(&r->head) != tail || atomic_load(&r->closed)) {
		atomic_store(&r->waiting, false);
		return;
	}
	pthread_mutex_lock(&r->mu);
	while (atomic_load(&r->waiting) && atomic_load(&r->head) == tail && !atomic_load(&r->closed))
		if (pthread_cond_timedwait(&r->cv, &r->mu, until) != 0)
			break;
	atomic_store(&r->waiting, false);
	pthread_mutex_unlock(&r->mu);
}

int
cap_ring_get(struct cap_ring *r, struct cap_frame *out, int timeout_ms)
{
	struct timespec until;
	bool slept = false;

	release(r);
	for (;;) {
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

		if (head == tail) {
			/* closed is set after the last put, so an empty ring seen after it is final */
			if (atomic_load(&r->closed)) {
				if (atomic_load(&r->head) == tail)
					return -1;
				continue;
			}
			if (slept || timeout_ms <= 0)
				return 0;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += timeout_ms / 1000;
			until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			sleep_until(r, tail, &until);
			slept = true;
			continue;
		}
		size_t off = (size_t)(tail & r->mask);
		uint32_t lp[2];
		memcpy(lp, r->buf + off, sizeof lp);
		if (lp[1] == 1) {
			atomic_store_explicit(&r->tail, tail + lp[0], memory_order_release);
			continue;
		}
		struct rec h;
		memcpy(&h, r->buf + off, sizeof h);
		out->ts = h.ts;
		out->caplen = h.caplen;
		out->wirelen = h.wirelen;
		out->data = r->buf + off + REC_HDR;
		r->held = h.len;
		return 1;
	}
}
