/* The capture source interface: allocation, statistics and closing common to every source. */
#include "capture/cap_int.h"

#include <poll.h>
#include <stdlib.h>

struct cap_source *
cap_source_alloc(const struct cap_source_ops *ops, const char *name, void *impl)
{
	struct cap_source *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->name = xstrdup(name);
	s->impl = impl;
	return s;
}

void
cap_counters_read(const struct cap_counters *c, struct cap_stats *out)
{
	out->frames = atomic_load_explicit(&c->frames, memory_order_relaxed);
	out->bytes_read = atomic_load_explicit(&c->bytes_read, memory_order_relaxed);
	out->bytes_total = c->bytes_total;
	out->kernel_drops = atomic_load_explicit(&c->kernel_drops, memory_order_relaxed);
	out->iface_drops = atomic_load_explicit(&c->iface_drops, memory_order_relaxed);
	out->app_drops = atomic_load_explicit(&c->app_drops, memory_order_relaxed);
	out->written = 0;
	out->files_written = 0;
	out->write_failed = false;
	out->live = false;
	out->truncated = atomic_load_explicit(&c->truncated, memory_order_relaxed);
	out->feed = NULL;
	out->feed_records = out->feed_messages = out->feed_bad = out->feed_skipped = 0;
	out->feed_oversized = 0;
}

bool
cap_wait_readable(int fd, const _Atomic bool *stop)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		if (poll(&pfd, 1, 100) != 0)
			return true;   /* readable, hung up, or an error read() will report */
	}
	return false;
}

void
cap_source_stats(struct cap_source *s, struct cap_stats *out)
{
	s->ops->stats(s, out);
}

void
cap_source_close(struct cap_source *s)
{
	if (s == NULL)
		return;
	s->ops->close(s);
	free(s->name);
	free(s);
}
