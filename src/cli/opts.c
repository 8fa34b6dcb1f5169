/* Command-line parsing driven by one option table (tmux options-table style). */
#include "cli/opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_DNS_PORT = 256, O_DUMP, O_STATS, O_REPORT, O_JSON, O_ALL, O_MIN_SCORE, O_GEOIP,
	O_NO_GEOIP, O_ALLOWLIST, O_INTEL, O_WEIGHTS, O_EXPORT, O_FILTER, O_RPZ_ACTION,
	O_RPZ_ORIGIN, O_SINKHOLE, O_SID_BASE, O_SUBDOMAINS, O_THEME, O_CONFIG, O_LOG, O_SESSION,
	O_FILTER_BPF, O_DURATION, O_MAX_MEMORY, O_LOOKUP, O_DNSTAP,
	O_SINK, O_SINK_INIT, O_SENSOR, O_SPOOL, O_SPOOL_MAX, O_SINK_BATCH, O_SOURCE, O_SINCE, O_UNTIL,
	O_PROBE, O_PROBE_COUNT,
	O_PROBE_INTERVAL, O_RESOLVER, O_PROBE_ITERATIVE, O_ROOT_HINTS, O_PROBE_PORT, O_PROBE_RATE,
	O_PROBE_TIMEOUT, O_PROBE_ALLOW_PRIVATE, O_NO_PROBE, O_PROBE_RESOLVER_ONLY, O_CSV, O_SPREAD
};

struct opt_entry {
	const char *lng;
	int val;        /* short letter or O_* */
	const char *arg;/* argument name or NULL */
	const char *help;
};

static const struct opt_entry opt_table[] = {
	{ "read", 'r', "FILE", "read a pcap/pcapng, dnstap, Zeek dns.log or Suricata EVE file (repeatable; - for stdin)" },
	{ "dnstap", O_DNSTAP, "unix:PATH|tcp:ADDR:PORT", "accept dnstap from resolvers there (repeatable)" },
	{ "interface", 'i', "IFACE", "capture live on IFACE (or any)" },
	{ "list-interfaces", 'D', NULL, "list capture interfaces and exit" },
	{ "filter-bpf", O_FILTER_BPF, "EXPR", "BPF filter for live capture (default: DNS ports and IP fragments)" },
	{ "buffer", 'B', "MB", "kernel capture buffer in MiB (default 32)" },
	{ "write", 'w', "FILE", "write every captured packet to a pcap file" },
	{ "rotate", 'C', "MB", "rotate the -w file every MB MiB" },
	{ "user", 'Z', "USER", "drop privileges to USER after opening the capture (default nobody)" },
	{ "duration", O_DURATION, "SEC", "stop a live capture or dnstap feed after SEC seconds" },
	{ "max-memory", O_MAX_MEMORY, "MB", "age out old observations to stay under MB MiB" },
	{ "dns-port", O_DNS_PORT, "LIST", "ports that carry DNS, comma-separated (default 53)" },
	{ "dump", O_DUMP, NULL, "write decoded DNS messages as JSON Lines and exit" },
	{ "stats", O_STATS, NULL, "print packet, DNS and skip counters and exit" },
	{ "report", O_REPORT, NULL, "print the flagged domains and exit" },
	{ "json", O_JSON, NULL, "the report as JSON Lines, one object per domain (alone it implies --report)" },
	{ "csv", O_CSV, NULL, "the report as CSV, one line per domain, a column per field (alone it implies --report)" },
	{ "all", O_ALL, NULL, "with --report: include domains that are not flagged" },
	{ "spread", O_SPREAD, NULL, "with --report --json: the per-address spread array of every domain (default: flagged ones only)" },
	{ "min-score", O_MIN_SCORE, "N", "with --report/--export: only domains scoring at least N" },
	{ "geoip", O_GEOIP, "PATH", "MaxMind-format database file or folder (repeatable)" },
	{ "no-geoip", O_NO_GEOIP, NULL, "use no enrichment database at all" },
	{ "lookup", O_LOOKUP, "ADDR", "print the enrichment of ADDR as JSON (repeatable; - reads addresses from stdin)" },
	{ "allowlist", O_ALLOWLIST, "FILE", "add CDN/cloud/organisation names to the allowlist (repeatable)" },
	{ "intel", O_INTEL, "FILE", "load known-bad domains, addresses, CIDRs and ASNs (repeatable)" },
	{ "weights", O_WEIGHTS, "FILE", "detector weights file (default: the shipped one)" },
	{ "export", O_EXPORT, "FORMAT", "export indicators: rpz hosts dnsmasq unbound domains pihole csv json stix suricata nft" },
	{ "output", 'o', "PATH", "export destination (written atomically)" },
	{ "filter", O_FILTER, "EXPR", "select domains, e.g. \"verdict=single-flux,double-flux score>=60\"" },
	{ "rpz-action", O_RPZ_ACTION, "ACTION", "nxdomain, nodata, drop, passthru or sinkhole (default nxdomain)" },
	{ "rpz-origin", O_RPZ_ORIGIN, "NAME", "RPZ zone origin (default rpz.fluxscope.local)" },
	{ "sinkhole", O_SINKHOLE, "ADDR|NAME", "sinkhole address or name for --rpz-action sinkhole and dnsmasq" },
	{ "sid-base", O_SID_BASE, "N", "first Suricata rule sid (default 9100000)" },
	{ "subdomains", O_SUBDOMAINS, NULL, "also block subdomains of exported domains" },
	{ "probe", O_PROBE, "NAME", "ask NAME's resolver and nameservers now: with --report/--export, else in the TUI (sends queries: see docs/probe.md)" },
	{ "probe-count", O_PROBE_COUNT, "N", "probe rounds (default 3)" },
	{ "probe-interval", O_PROBE_INTERVAL, "SEC", "seconds between probe rounds (default: the smallest TTL seen, 1 to 300)" },
	{ "resolver", O_RESOLVER, "ADDR[:PORT]", "recursive resolver for probes (default: the first nameserver of /etc/resolv.conf)" },
	{ "probe-resolver-only", O_PROBE_RESOLVER_ONLY, NULL, "ask only the resolver: the nameservers see it, not this host" },
	{ "probe-iterative", O_PROBE_ITERATIVE, NULL, "find the delegation from the root hints instead of the resolver" },
	{ "root-hints", O_ROOT_HINTS, "FILE", "root hints for --probe-iterative (named.root format or one address a line)" },
	{ "probe-port", O_PROBE_PORT, "PORT", "port of nameservers learned from DNS (default 53; for labs and tests)" },
	{ "probe-rate", O_PROBE_RATE, "Q", "probe queries per second to any one server (default 2; overall at most 20)" },
	{ "probe-timeout", O_PROBE_TIMEOUT, "MS", "wait at most MS milliseconds for a probe answer (default 2000)" },
	{ "probe-allow-private", O_PROBE_ALLOW_PRIVATE, NULL, "let probes reach private, loopback and link-local nameserver addresses" },
	{ "no-probe", O_NO_PROBE, NULL, "turn probing off (--probe and :probe are refused)" },
	{ "theme", O_THEME, "NAME|PATH", "TUI theme: dark, light, high-contrast, mono or a file" },
	{ "session", O_SESSION, "PATH", "start or reopen a saved investigation (captures, marks, notes, filter, views)" },
	{ "config", O_CONFIG, "FILE", "configuration file (default ~/.config/fluxscope/config)" },
	{ "log", O_LOG, "FILE", "append a debug log to FILE (captures, skips, detector runs, ageing, timings; - for stderr)" },
	{ "sink", O_SINK, "URL", "sensor: write observations to clickhouse://HOST[:PORT]/DB" },
	{ "sink-init", O_SINK_INIT, NULL, "with --sink: create the database and table first" },
	{ "sensor", O_SENSOR, "NAME", "with --sink: the sensor name written with each row (default: the host name)" },
	{ "spool", O_SPOOL, "DIR", "with --sink: spool folder while ClickHouse is away (default $XDG_STATE_HOME/fluxscope/spool/NAME)" },
	{ "spool-max", O_SPOOL_MAX, "SIZE", "with --sink: spool bound, e.g. 512K, 256M (default), 2G" },
	{ "sink-batch", O_SINK_BATCH, "ROWS", "with --sink: rows per insert (default 5000)" },
	{ "source", O_SOURCE, "URL", "workstation: load observations from clickhouse://HOST[:PORT]/DB" },
	{ "since", O_SINCE, "WHEN", "with --source: window start, 24h back (default) or ISO 8601" },
	{ "until", O_UNTIL, "WHEN", "with --source: window end, a duration back or ISO 8601 (default now)" },
	{ "help", 'h', NULL, "show this help and exit" },
	{ "version", 'V', NULL, "show the version and exit" },
};
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

void
opts_usage(FILE *out)
{
	fprintf(out, "usage: fluxscope [options] [FILE.pcap ...]\n"
	             "       fluxscope -r FILE [--dump | --stats | --report [--json] | --export FORMAT -o PATH]\n"
	             "       fluxscope -i IFACE [--report --duration SEC]\n"
	             "       fluxscope --dnstap unix:PATH [--report --duration SEC]\n"
	             "       fluxscope -r FILE | -i IFACE --sink clickhouse://HOST:PORT/DB [--sensor NAME]\n"
	             "       fluxscope --source clickhouse://HOST:PORT/DB [--since 24h] [--report | --export ...]\n"
	             "       fluxscope [-r FILE] --probe NAME [--probe-count N] [--report [--json] | --export FORMAT -o PATH]\n\n"
	             "Hunt fast-flux domains in DNS traffic.\n\noptions:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		const struct opt_entry *e = &opt_table[i];
		char left[64];
		if (e->val < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", e->val, e->lng, e->arg ? " " : "",
			         e->arg ? e->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", e->lng, e->arg ? " " : "",
			         e->arg ? e->arg : "");
		fprintf(out, "  %-28s %s\n", left, e->help);
	}
}

static int
parse_int(const char *opt, const char *s, long lo, long hi, long *out, struct fs_err *err)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fs_err_set(err, FS_E_ARG, "option --%s needs a number from %ld to %ld, not '%s'", opt, lo,
		           hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_real(const char *opt, const char *s, double lo, double hi, double *out, struct fs_err *err)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi)) {
		fs_err_set(err, FS_E_ARG, "option --%s needs a number from %g to %g, not '%s'", opt, lo,
		           hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
push(const char **list, int *n, const char *opt, const char *v, struct fs_err *err)
{
	if (*n >= OPTS_MAX_LIST) {
		fs_err_set(err, FS_E_ARG, "option --%s given more than %d times", opt, OPTS_MAX_LIST);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

static const char *
long_name(int val)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (opt_table[i].val == val)
			return opt_table[i].lng;
	return "?";
}

static int
apply(struct opts *o, int c, const char *a, struct fs_err *err)
{
	long v;
	const char *name = long_name(c);

	switch (c) {
	case 'r': return push(o->files, &o->n_files, name, a, err);
	case 'i': o->iface = a; return 0;
	case O_DNSTAP: return push(o->dnstap, &o->n_dnstap, name, a, err);
	case 'D': o->list_ifaces = true; return 0;
	case O_FILTER_BPF: o->bpf = a; return 0;
	case 'B': if (parse_int(name, a, 1, 4096, &v, err)) return -1; o->buffer_mb = (int)v; return 0;
	case 'w': o->write_file = a; return 0;
	case 'C': if (parse_int(name, a, 1, 1 << 20, &v, err)) return -1; o->rotate_mb = (int)v; return 0;
	case 'Z': o->user = a; return 0;
	case O_DURATION: if (parse_int(name, a, 1, 1L << 30, &v, err)) return -1; o->duration = (int)v; return 0;
	case O_MAX_MEMORY: if (parse_int(name, a, 16, 1 << 20, &v, err)) return -1; o->max_memory_mb = (int)v; return 0;
	case O_DNS_PORT: o->dns_ports = a; return 0;
	case O_DUMP: o->dump = true; return 0;
	case O_STATS: o->stats = true; return 0;
	case O_REPORT: o->report = true; return 0;
	case O_JSON: o->json = true; return 0;
	case O_CSV: o->csv = true; return 0;
	case O_ALL: o->all = true; return 0;
	case O_SPREAD: o->spread = true; return 0;
	case O_MIN_SCORE: {
		char *end;
		o->min_score = strtod(a, &end);
		if (*a == '\0' || *end != '\0' || o->min_score < 0 || o->min_score > 100) {
			fs_err_set(err, FS_E_ARG, "option --min-score needs a number from 0 to 100, not '%s'", a);
			return -1;
		}
		o->min_score_set = true;
		return 0;
	}
	case O_GEOIP: return push(o->geoip, &o->n_geoip, name, a, err);
	case O_NO_GEOIP: o->no_geoip = true; return 0;
	case O_LOOKUP: return push(o->lookup, &o->n_lookup, name, a, err);
	case O_ALLOWLIST: return push(o->allowlist, &o->n_allowlist, name, a, err);
	case O_INTEL: return push(o->intel, &o->n_intel, name, a, err);
	case O_WEIGHTS: o->weights = a; return 0;
	case O_EXPORT: o->export_format = a; return 0;
	case 'o': o->output = a; return 0;
	case O_FILTER: o->filter = a; return 0;
	case O_RPZ_ACTION: o->rpz_action = a; return 0;
	case O_RPZ_ORIGIN: o->rpz_origin = a; return 0;
	case O_SINKHOLE: o->sinkhole = a; return 0;
	case O_SID_BASE: if (parse_int(name, a, 1, 2000000000L, &v, err)) return -1; o->sid_base = v; return 0;
	case O_SUBDOMAINS: o->subdomains = true; return 0;
	case O_THEME: o->theme = a; return 0;
	case O_CONFIG: o->config = a; return 0;
	case O_LOG: o->log_file = a; return 0;
	case O_PROBE: o->probe = a; return 0;
	case O_PROBE_COUNT: if (parse_int(name, a, 1, 10000, &v, err)) return -1; o->probe_count = (int)v; return 0;
	case O_PROBE_INTERVAL: return parse_real(name, a, 0.1, 86400, &o->probe_interval, err);
	case O_RESOLVER: o->resolver = a; return 0;
	case O_PROBE_ITERATIVE: o->probe_iterative = true; return 0;
	case O_ROOT_HINTS: o->root_hints = a; return 0;
	case O_PROBE_PORT: if (parse_int(name, a, 1, 65535, &v, err)) return -1; o->probe_port = (int)v; return 0;
	case O_PROBE_RATE: return parse_real(name, a, 0.01, 20, &o->probe_rate, err);
	case O_PROBE_TIMEOUT: if (parse_int(name, a, 50, 60000, &v, err)) return -1; o->probe_timeout_ms = (int)v; return 0;
	case O_PROBE_ALLOW_PRIVATE: o->probe_allow_private = true; return 0;
	case O_NO_PROBE: o->no_probe = true; return 0;
	case O_PROBE_RESOLVER_ONLY: o->probe_resolver_only = true; return 0;
	case O_SESSION: o->session_path = a; return 0;
	case O_SINK: o->sink = a; return 0;
	case O_SINK_INIT: o->sink_init = true; return 0;
	case O_SENSOR: o->sensor = a; return 0;
	case O_SPOOL: o->spool = a; return 0;
	case O_SPOOL_MAX: {
		char *end;
		double sz = strtod(a, &end);
		double mul = *end == 'K' || *end == 'k' ? 1024.0 : *end == 'G' || *end == 'g' ?
		             1073741824.0 : 1048576.0;
		if (*end != '\0' && strchr("KkMmGg", *end) != NULL)
			end++;
		if (*a == '\0' || *end != '\0' || !(sz * mul >= 4096) || sz * mul > 1e15) {
			fs_err_set(err, FS_E_ARG, "option --spool-max needs a size of at least 4K such as "
			           "512K, 256M or 2G, not '%s'", a);
			return -1;
		}
		o->spool_max = (long long)(sz * mul);
		return 0;
	}
	case O_SINK_BATCH: if (parse_int(name, a, 1, 1000000, &v, err)) return -1; o->sink_batch = (int)v; return 0;
	case O_SOURCE: o->source = a; return 0;
	case O_SINCE: o->since = a; return 0;
	case O_UNTIL: o->until = a; return 0;
	case 'h': o->help = true; return 0;
	case 'V': o->version = true; return 0;
	}
	fs_err_set(err, FS_E_ARG, "unknown option");
	return -1;
}

fs_status
opts_parse(struct opts *o, int argc, char **argv, struct fs_err *err)
{
	struct option lopts[N_OPTS + 1];
	char shorts[N_OPTS * 2 + 2];
	size_t ns = 0;
	int c;

	memset(o, 0, sizeof *o);
	o->sid_base = 9100000;
	shorts[ns++] = ':';
	for (size_t i = 0; i < N_OPTS; i++) {
		lopts[i] = (struct option){ opt_table[i].lng, opt_table[i].arg ? required_argument : no_argument,
		                            NULL, opt_table[i].val };
		if (opt_table[i].val < 256) {
			shorts[ns++] = (char)opt_table[i].val;
			if (opt_table[i].arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	memset(&lopts[N_OPTS], 0, sizeof lopts[N_OPTS]);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (c == '?') {
			if (optopt)
				return fs_err_set(err, FS_E_ARG, "unknown option -%c (see fluxscope --help)", optopt);
			return fs_err_set(err, FS_E_ARG, "unknown option %s (see fluxscope --help)", argv[optind - 1]);
		}
		if (c == ':')
			return fs_err_set(err, FS_E_ARG, "option %s needs an argument (see fluxscope --help)",
			                  argv[optind - 1]);
		if (apply(o, c, optarg, err) != 0)
			return FS_E_ARG;
	}
	for (int i = optind; i < argc; i++)
		if (push(o->files, &o->n_files, "read", argv[i], err) != 0)
			return FS_E_ARG;
	return FS_OK;
}
