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

/* Parse argv into o. On error returns FS_E_ARG with one sentence in err naming the option. */
fs_status opts_parse(struct opts *o, int argc, char **argv, struct fs_err *err);
void opts_usage(FILE *out);

#endif
