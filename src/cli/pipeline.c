/* The headless pipeline shared by every CLI mode. */
#include "cli/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fluxscope/chouse.h"

/* --source: the ClickHouse window as a capture source (chouse.h). */
static fs_status
open_source(const struct opts *o, const struct dec_config *cfg, struct cap_source **out,
            struct fs_err *err)
{
	struct ch_source_opts so = { .dns_port = cfg->n_dns_ports > 0 ? cfg->dns_ports[0] : 53 };
	struct timespec now;
	fs_status st;

	if (o->n_files > 0 || o->iface != NULL)
		return fs_err_set(err, FS_E_ARG, "option --source reads observations from ClickHouse "
		                  "and takes no -r or -i");
	if ((st = ch_url_parse(o->source, "--source", &so.url, err)) != FS_OK)
		return st;
	clock_gettime(CLOCK_REALTIME, &now);
	fs_time t = (fs_time)now.tv_sec * FS_USEC + now.tv_nsec / 1000;
	so.until = t;
	if (o->until != NULL && (st = ch_parse_when(o->until, "--until", t, &so.until, err)) != FS_OK)
		return st;
	so.since = t - (fs_time)86400 * FS_USEC;
	if (o->since != NULL && (st = ch_parse_when(o->since, "--since", t, &so.since, err)) != FS_OK)
		return st;
	if (so.since >= so.until)
		return fs_err_set(err, FS_E_ARG, "option --since must be before --until (the window is "
		                  "empty)");
	so.all = getenv("FLUXSCOPE_CH_ALL") != NULL && strcmp(getenv("FLUXSCOPE_CH_ALL"), "1") == 0;
	return ch_source_open(&so, out, err);
}

#include "fluxscope/log.h"

fs_status
cli_dec_config(const struct opts *o, struct dec_config *cfg, struct fs_err *err)
{
	dec_config_default(cfg);
	if (o->dns_ports != NULL)
		return dec_config_set_ports(cfg, o->dns_ports, err);
	return FS_OK;
}

fs_status
cli_ingest_open(const struct opts *o, ingest_msg_fn fn, void *ctx, struct ingest **out,
                struct fs_err *err)
{
	struct dec_config cfg;
	fs_status st;

	*out = NULL;
	if ((st = cli_dec_config(o, &cfg, err)) != FS_OK)
		return st;
	if ((o->since != NULL || o->until != NULL) && o->source == NULL)
		return fs_err_set(err, FS_E_ARG, "option %s needs --source clickhouse://HOST[:PORT]/DB",
		                  o->since != NULL ? "--since" : "--until");
	if (o->source != NULL) {
		struct cap_source *src;
		if ((st = open_source(o, &cfg, &src, err)) != FS_OK)
			return st;
		struct ingest *in = ingest_new(&cfg, fn, ctx);
		ingest_add_source(in, src);
		*out = in;
		return FS_OK;
	}
	if (o->n_files == 0 && !opts_live(o) && o->probe != NULL) {
		/* --probe alone (the TUI): the probe's answers are the only input */
		*out = ingest_new(&cfg, fn, ctx);
		return FS_OK;
	}
	if (o->n_files == 0 && !opts_live(o))
		return fs_err_set(err, FS_E_ARG, "no capture to read: give a file with -r FILE (or - for "
		                  "standard input), an interface with -i IFACE or a dnstap socket with "
		                  "--dnstap unix:PATH");
	if (o->iface == NULL && o->n_dnstap > 0) {
		/* dnstap feeds run like a live capture, but have no packets to filter or write */
		const char *pcap_only = o->write_file ? "-w (write)" : o->rotate_mb ? "-C (rotate)" :
		                        o->bpf ? "--filter-bpf" : NULL;
		if (pcap_only != NULL)
			return fs_err_set(err, FS_E_ARG, "option %s needs a live capture (-i IFACE)", pcap_only);
	}
	if (!opts_live(o)) {
		/* Options that only mean something for a live capture are refused, not ignored. */
		const char *live_only = o->write_file ? "-w (write)" : o->rotate_mb ? "-C (rotate)" :
		                        o->user ? "-Z (user)" : o->duration ? "--duration" :
		                        o->bpf ? "--filter-bpf" : o->buffer_mb ? "-B (buffer)" : NULL;
		if (live_only != NULL)
			return fs_err_set(err, FS_E_ARG, "option %s needs a live capture (-i IFACE)", live_only);
	}
	if (o->rotate_mb > 0 && o->write_file == NULL)
		return fs_err_set(err, FS_E_ARG, "option -C (rotate) needs a file to write (-w FILE)");
	struct ingest *in = ingest_new(&cfg, fn, ctx);
	for (int i = 0; i < o->n_files; i++) {
		if ((st = ingest_add_file(in, o->files[i], err)) != FS_OK) {
			fs_log("capture", "cannot open %s: %s", o->files[i], err->msg);
			ingest_free(in);
			return st;
		}
		fs_log("capture", "opened %s", o->files[i]);
	}
	if (o->iface != NULL) {
		/* The hand-off to the analysis gets as much room as the kernel buffer. */
		struct cap_live_opts lo = {
			.bpf = o->bpf, .buffer_mb = o->buffer_mb, .ports = cfg.dns_ports,
			.n_ports = cfg.n_dns_ports, .write_path = o->write_file, .rotate_mb = o->rotate_mb,
			.handoff_mb = o->buffer_mb > 0 ? o->buffer_mb : 32,
			/* a tuning knob for make bench (capture.h explains the default) */
			.immediate = getenv("FLUXSCOPE_PCAP_IMMEDIATE") != NULL &&
			             strcmp(getenv("FLUXSCOPE_PCAP_IMMEDIATE"), "1") == 0,
		};
		struct cap_source *src;
		if ((st = cap_open_live(o->iface, &lo, &src, err)) != FS_OK) {
			ingest_free(in);
			return st;
		}
		ingest_add_source(in, src);
		fs_log("capture", "live capture on %s opened", o->iface);
	}
	if (o->n_dnstap > 0) {
		struct cap_source *src;
		if ((st = cap_open_dnstap(o->dnstap, o->n_dnstap, o->buffer_mb, &src, err)) != FS_OK) {
			ingest_free(in);
			return st;
		}
		ingest_add_source(in, src);
	}
	*out = in;
	return FS_OK;
}

int
cli_report_source_errors(const struct ingest *in)
{
	size_t n = ingest_n_errors(in);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "fluxscope: %s\n", ingest_error(in, i)->msg);
	return n > 0 ? 1 : 0;
}

void
cli_log_ingest(struct ingest *in, double ms)
{
	struct dec_stats st;
	struct cap_stats cs;

	if (!fs_log_enabled())
		return;
	for (int i = 0; i < ingest_n_sources(in); i++) {
		ingest_source_stats(in, i, &cs);
		fs_log("capture", "%s: %llu frames, %llu bytes%s%s", ingest_source_name(in, i),
		       (unsigned long long)cs.frames, (unsigned long long)cs.bytes_read,
		       cs.truncated ? ", cut off mid-record" : "",
		       cs.live ? "" : " (file read to its end)");
		if (cs.live)
			fs_log("capture", "%s: drops kernel %llu, interface %llu, hand-off %llu",
			       ingest_source_name(in, i), (unsigned long long)cs.kernel_drops,
			       (unsigned long long)cs.iface_drops, (unsigned long long)cs.app_drops);
	}
	ingest_dec_stats(in, &st);
	fs_log("decode", "%llu packets, %llu DNS messages (%llu responses, %llu over TCP, %llu cut)",
	       (unsigned long long)st.packets, (unsigned long long)st.dns_messages,
	       (unsigned long long)st.dns_responses, (unsigned long long)st.tcp_messages,
	       (unsigned long long)st.cut_messages);
	for (int r = 0; r < DEC_SKIP_COUNT; r++)
		if (st.skipped[r] > 0)
			fs_log("skip", "%s: %llu (%s)", dec_skip_name((enum dec_skip)r),
			       (unsigned long long)st.skipped[r], dec_skip_text((enum dec_skip)r));
	for (size_t i = 0; i < ingest_n_errors(in); i++)
		fs_log("capture", "source failed: %s", ingest_error(in, i)->msg);
	fs_log("timing", "reading and decoding took %.1f ms", ms);
}
