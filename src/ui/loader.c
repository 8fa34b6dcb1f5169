/* The feed behind the TUI: the ingest thread reads and decodes; the UI thread polls. */
#include "ui/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct loader {
	struct ingest *in;
	char source[256];
	bool live;
	bool started;
};

struct loader *
loader_alloc(void)
{
	return xcalloc(1, sizeof(struct loader));
}

void
loader_init(struct loader *l, const struct loader_config *cfg)
{
	l->in = cfg->in;
	l->live = cfg->live;
	snprintf(l->source, sizeof l->source, "%s", cfg->source != NULL ? cfg->source : "");
}

struct loader *
loader_new(const struct loader_config *cfg)
{
	struct loader *l = loader_alloc();
	loader_init(l, cfg);
	return l;
}

fs_status
loader_start(struct loader *l, struct fs_err *err)
{
	fs_status st = ingest_start(l->in, err);
	l->started = st == FS_OK;
	return st;
}

void
loader_free(struct loader *l)
{
	if (l == NULL)
		return;
	if (l->in != NULL) {
		ingest_stop(l->in);
		ingest_free(l->in);
	}
	free(l);
}

void
loader_msg_cb(void *ctx, const struct dns_msg *msg)
{
	(void)ctx;
	(void)msg;
}

static void
feed_progress(void *ctx, struct app_progress *out)
{
	struct loader *l = ctx;
	struct ingest_progress p;

	ingest_progress(l->in, &p);
	snprintf(out->source, sizeof out->source, "%s", l->source);
	out->live = l->live;
	out->loading = l->started && !p.finished;
	out->stopped = p.stopped;
	out->bytes_read = p.bytes_read;
	out->bytes_total = p.bytes_total;
	out->packets = p.frames;
	out->dns_messages = p.messages;
	out->kernel_drops = p.kernel_drops;
	out->iface_drops = p.iface_drops;
	out->elapsed = p.elapsed_s;
	out->error[0] = '\0';
	if (p.finished && ingest_n_errors(l->in) > 0)
		snprintf(out->error, sizeof out->error, "%s", ingest_error(l->in, 0)->msg);
}

static struct snap *
feed_take(void *ctx)
{
	(void)ctx;
	return NULL;
}

static void
feed_release(void *ctx, struct snap *s)
{
	(void)ctx;
	snap_free(s);
}

static void
feed_stop(void *ctx)
{
	struct loader *l = ctx;
	ingest_stop(l->in);
}

const struct app_feed_ops loader_feed_ops = {
	.progress = feed_progress,
	.take = feed_take,
	.release = feed_release,
	.stop = feed_stop,
	.set_mark = NULL,
};
