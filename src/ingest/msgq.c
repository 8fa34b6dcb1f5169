/* Batched, ordered hand-off of decoded DNS messages between two threads (msgq.h). */
#include "ingest/msgq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/fs.h"

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* In a batch each message is: a size_t with its total size, the struct dns_msg, its records,
 * its wire bytes, then its strings (question name, feed vantage, record names and targets);
 * every pointer of the copy points into the batch. A new pointer member of struct dns_msg or
 * struct dns_rr must be copied here (tests/unit/ingest/test_ingest.c compares them all). */
struct msgq_batch {
	uint8_t *buf;
	size_t cap, used;
	uint32_t n;
	struct msgq_batch *next;     /* in the full or free list */
};

struct msgq {
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_free;
	struct msgq_batch *full_head, *full_tail;   /* handed off, oldest first */
	struct msgq_batch *free_list;
	struct msgq_batch *cur;                     /* the producer's, being filled */
	size_t batch_bytes;
	bool closed;
	struct msgq_batch *all;                     /* every batch, for msgq_free */
	int n_all;
};

static struct msgq_batch *
batch_new(size_t cap)
{
	struct msgq_batch *b = xcalloc(1, sizeof *b);
	b->buf = xmalloc(cap);
	b->cap = cap;
	return b;
}

struct msgq *
msgq_new(size_t batch_bytes, int n_batches)
{
	struct msgq *q = xcalloc(1, sizeof *q);

	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv_full, NULL);
	pthread_cond_init(&q->cv_free, NULL);
	q->batch_bytes = batch_bytes < 4096 ? 4096 : batch_bytes;
	if (n_batches < 2)
		n_batches = 2;
	q->n_all = n_batches;
	q->all = xcalloc((size_t)n_batches, sizeof *q->all);
	for (int i = 0; i < n_batches; i++) {
		struct msgq_batch *b = batch_new(q->batch_bytes);
		q->all[i] = *b;
		free(b);
		q->all[i].next = q->free_list;
		q->free_list = &q->all[i];
	}
	return q;
}

void
msgq_free(struct msgq *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < q->n_all; i++)
		free(q->all[i].buf);
	free(q->all);
	pthread_cond_destroy(&q->cv_full);
	pthread_cond_destroy(&q->cv_free);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

size_t
msgq_msg_size(const struct dns_msg *m)
{
	size_t n = ALIGN8(sizeof(size_t)) + ALIGN8(sizeof *m) + ALIGN8((size_t)m->n_rr * sizeof *m->rr) +
	           m->wire_len;
	const char *last = NULL;

	if (m->qname != NULL)
		n += strlen(m->qname) + 1;
	if (m->vantage != NULL)
		n += strlen(m->vantage) + 1;
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *r = &m->rr[i];
		if (r->name != NULL && r->name != last && r->name != m->qname) {
			n += strlen(r->name) + 1;
			last = r->name;
		}
		if (r->target != NULL)
			n += strlen(r->target) + 1;
	}
	return ALIGN8(n);
}

/* Producer side: take a free batch (waiting for one), sized for at least need bytes. */
static struct msgq_batch *
get_free(struct msgq *q, size_t need)
{
	struct msgq_batch *b;

	pthread_mutex_lock(&q->mu);
	while (q->free_list == NULL)
		pthread_cond_wait(&q->cv_free, &q->mu);
	b = q->free_list;
	q->free_list = b->next;
	pthread_mutex_unlock(&q->mu);
	b->next = NULL;
	b->used = 0;
	b->n = 0;
	if (b->cap < need) {
		/* an outsize message: this buffer grows to hold it, and shrinks back when reused */
		free(b->buf);
		b->buf = xmalloc(need);
		b->cap = need;
	} else if (b->cap > q->batch_bytes && need <= q->batch_bytes) {
		free(b->buf);
		b->buf = xmalloc(q->batch_bytes);
		b->cap = q->batch_bytes;
	}
	return b;
}

void
msgq_flush(struct msgq *q)
{
	struct msgq_batch *b = q->cur;

	if (b == NULL || b->n == 0)
		return;
	q->cur = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->full_tail != NULL)
		q->full_tail->next = b;
	else
		q->full_head = b;
	q->full_tail = b;
	pthread_cond_signal(&q->cv_full);
	pthread_mutex_unlock(&q->mu);
}

static char *
put_str(uint8_t **p, const char *s)
{
	size_t l = strlen(s) + 1;
	char *d = (char *)*p;
	memcpy(d, s, l);
	*p += l;
	return d;
}

void
msgq_put(struct msgq *q, const struct dns_msg *m)
{
	size_t need = msgq_msg_size(m);

	if (q->cur != NULL && q->cur->cap - q->cur->used < need)
		msgq_flush(q);
	if (q->cur == NULL)
		q->cur = get_free(q, need);

	struct msgq_batch *b = q->cur;
	uint8_t *base = b->buf + b->used;
	uint8_t *p = base;
	*(size_t *)p = need;
	p += ALIGN8(sizeof(size_t));
	struct dns_msg *c = (struct dns_msg *)p;
	*c = *m;
	p += ALIGN8(sizeof *m);
	struct dns_rr *rr = (struct dns_rr *)p;
	if (m->n_rr > 0)
		memcpy(rr, m->rr, (size_t)m->n_rr * sizeof *rr);
	c->rr = m->n_rr > 0 ? rr : NULL;
	p += ALIGN8((size_t)m->n_rr * sizeof *rr);
	if (m->wire_len > 0)
		memcpy(p, m->wire, m->wire_len);
	c->wire = m->wire_len > 0 ? p : NULL;
	p += m->wire_len;
	if (m->qname != NULL)
		c->qname = put_str(&p, m->qname);
	if (m->vantage != NULL)
		c->vantage = put_str(&p, m->vantage);
	const char *last_src = NULL, *last_dst = NULL;
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *r = &m->rr[i];
		if (r->name == NULL)
			rr[i].name = NULL;
		else if (r->name == m->qname)
			rr[i].name = c->qname;
		else if (r->name == last_src)
			rr[i].name = last_dst;
		else {
			rr[i].name = put_str(&p, r->name);
			last_src = r->name;
			last_dst = rr[i].name;
		}
		if (r->target != NULL)
			rr[i].target = put_str(&p, r->target);
	}
	b->used += need;
	b->n++;
}

void
msgq_close(struct msgq *q)
{
	msgq_flush(q);
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->cv_full);
	pthread_mutex_unlock(&q->mu);
}

struct msgq_batch *
msgq_take(struct msgq *q)
{
	struct msgq_batch *b;

	pthread_mutex_lock(&q->mu);
	while (q->full_head == NULL && !q->closed)
		pthread_cond_wait(&q->cv_full, &q->mu);
	b = q->full_head;
	if (b != NULL) {
		q->full_head = b->next;
		if (q->full_head == NULL)
			q->full_tail = NULL;
		b->next = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	return b;
}

const struct dns_msg *
msgq_first(const struct msgq_batch *b)
{
	if (b->n == 0)
		return NULL;
	return (const struct dns_msg *)(b->buf + ALIGN8(sizeof(size_t)));
}

const struct dns_msg *
msgq_next(const struct msgq_batch *b, const struct dns_msg *m)
{
	const uint8_t *rec = (const uint8_t *)m - ALIGN8(sizeof(size_t));
	const uint8_t *nx = rec + *(const size_t *)rec;

	if (nx >= b->buf + b->used)
		return NULL;
	return (const struct dns_msg *)(nx + ALIGN8(sizeof(size_t)));
}

void
msgq_release(struct msgq *q, struct msgq_batch *b)
{
	pthread_mutex_lock(&q->mu);
	b->next = q->free_list;
	q->free_list = b;
	pthread_cond_signal(&q->cv_free);
	pthread_mutex_unlock(&q->mu);
}
