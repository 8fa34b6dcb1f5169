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
			ingest_free(in);
			return st;
		}
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
