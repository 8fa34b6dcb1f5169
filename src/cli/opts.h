/* Command-line options: one table drives parsing, --help and the man page check. */
#ifndef FLUXSCOPE_CLI_OPTS_H
#define FLUXSCOPE_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "fluxscope/fs.h"

struct session;

#define OPTS_MAX_LIST 64

struct opts {
	const char *files[OPTS_MAX_LIST];   int n_files;      /* -r and positional */
	const char *iface;                                    /* -i */
	const char *dnstap[OPTS_MAX_LIST];  int n_dnstap;     /* --dnstap unix:PATH|tcp:ADDR:PORT */
	bool list_ifaces;                                     /* -D */
	const char *bpf;                                      /* --filter-bpf */
	int buffer_mb;                                        /* -B */
	const char *write_file;                               /* -w */
	int rotate_mb;                                        /* -C */
	const char *user;                                     /* -Z */
	int duration;                                         /* --duration seconds, 0 = none */
	int max_memory_mb;                                    /* --max-memory */
	const char *dns_ports;                                /* --dns-port */
	bool dump, stats, report, json, all;
	bool csv;                                             /* --csv */
	bool spread;                                          /* --spread: every domain's spread rows */
	double min_score; bool min_score_set;                 /* --min-score */
	const char *geoip[OPTS_MAX_LIST];   int n_geoip;      /* --geoip */
	bool no_geoip;                                        /* --no-geoip */
	const char *lookup[OPTS_MAX_LIST];  int n_lookup;     /* --lookup ADDR|- */
	const char *allowlist[OPTS_MAX_LIST]; int n_allowlist;
	const char *intel[OPTS_MAX_LIST];   int n_intel;
	const char *weights;                                  /* --weights */
	const char *export_format;                            /* --export */
	const char *output;                                   /* -o */
	const char *filter;                                   /* --filter EXPR */
	const char *rpz_action;                               /* --rpz-action */
	const char *rpz_origin;                               /* --rpz-origin */
	const char *sinkhole;                                 /* --sinkhole */
	long sid_base;                                        /* --sid-base */
	bool subdomains;                                      /* --subdomains */
	const char *theme;                                    /* --theme */
	const char *config;                                   /* --config */
	const char *log_file;                                 /* --log */
	const char *probe;                                    /* --probe NAME */
	int probe_count;                                      /* --probe-count, 0 = default */
	double probe_interval;                                /* --probe-interval S, 0 = TTL-paced */
	const char *resolver;                                 /* --resolver ADDR[:PORT] */
	bool probe_iterative;                                 /* --probe-iterative */
	const char *root_hints;                               /* --root-hints FILE */
	int probe_port;                                       /* --probe-port, 0 = 53 */
	double probe_rate;                                    /* --probe-rate Q/s per server */
	int probe_timeout_ms;                                 /* --probe-timeout MS */
	bool probe_allow_private, no_probe;
	bool probe_resolver_only;                             /* --probe-resolver-only */
	const char *session_path;                             /* --session */
	struct session *session;   /* loaded by main() from --session (NULL without); its captures
	                            * are in files[], its marks select exports */
	/* ClickHouse (issue 15): sensor (--sink) and workstation (--source) */
	const char *sink, *source;                            /* --sink URL, --source URL */
	bool sink_init;                                       /* --sink-init */
	const char *sensor;                                   /* --sensor NAME */
	const char *spool;                                    /* --spool DIR */
	long long spool_max;                                  /* --spool-max bytes, 0 = default */
	int sink_batch;                                       /* --sink-batch rows */
	const char *since, *until;                            /* --since, --until */
	bool help, version;
};

/* A live source: -i or --dnstap (runs until --duration or a signal). */
static inline bool
opts_live(const struct opts *o)
{
	return o->iface != NULL || o->n_dnstap > 0;
}

/* Parse argv into o. On error returns FS_E_ARG with one sentence in err naming the option. */
fs_status opts_parse(struct opts *o, int argc, char **argv, struct fs_err *err);
void opts_usage(FILE *out);

#endif
