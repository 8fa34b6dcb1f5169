/* The headless pipeline shared by every CLI mode. */
#include "cli/pipeline.h"

#include <stdio.h>

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
	if (o->n_files == 0 && o->iface == NULL)
		return fs_err_set(err, FS_E_ARG, "no capture to read: give a file with -r FILE (or - for "
		                  "standard input) or an interface with -i IFACE");
	struct ingest *in = ingest_new(&cfg, fn, ctx);
	for (int i = 0; i < o->n_files; i++) {
		if ((st = ingest_add_file(in, o->files[i], err)) != FS_OK) {
			ingest_free(in);
			return st;
		}
	}
	if (o->iface != NULL) {
		struct cap_live_opts lo = {
			.bpf = o->bpf, .buffer_mb = o->buffer_mb, .ports = cfg.dns_ports,
			.n_ports = cfg.n_dns_ports,
		};
		struct cap_source *src;
		if ((st = cap_open_live(o->iface, &lo, &src, err)) != FS_OK) {
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
