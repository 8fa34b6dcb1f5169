/* --probe for --report and --export: the probe runs into the store before detection. */
#include "cli/probe_cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

fs_status
cli_probe_check(const struct opts *o, struct fs_err *err)
{
	const char *needs = o->probe_count ? "--probe-count" : o->probe_interval > 0 ? "--probe-interval" :
	                    o->resolver ? "--resolver" : o->probe_iterative ? "--probe-iterative" :
	                    o->root_hints ? "--root-hints" : o->probe_port ? "--probe-port" :
	                    o->probe_rate > 0 ? "--probe-rate" : o->probe_timeout_ms ? "--probe-timeout" :
	                    o->probe_allow_private ? "--probe-allow-private" :
	                    o->probe_resolver_only ? "--probe-resolver-only" : NULL;
	if (o->probe == NULL) {
		/* the probe options also serve the TUI's :probe; a headless mode without --probe
		 * would ignore them */
		if (needs != NULL && (o->report || o->json || o->export_format != NULL || o->dump || o->stats))
			return fs_err_set(err, FS_E_ARG, "option %s needs --probe NAME", needs);
		return FS_OK;
	}
	if (o->no_probe)
		return fs_err_set(err, FS_E_ARG, "option --probe is refused: probing is turned off "
		                  "(--no-probe)");
	if (o->iface != NULL)
		return fs_err_set(err, FS_E_ARG, "option --probe does not go with a live capture (-i)");
	if (o->dump || o->stats)
		return fs_err_set(err, FS_E_ARG, "option --probe goes with --report or --export, not "
		                  "%s", o->dump ? "--dump" : "--stats");
	/* no headless mode: the TUI opens with the probe started (tui.c) */
	if (o->resolver != NULL && (o->probe_iterative || o->root_hints != NULL))
		return fs_err_set(err, FS_E_ARG, "option --resolver and %s exclude each other",
		                  o->root_hints ? "--root-hints" : "--probe-iterative");
	/* the name, the resolver (or resolv.conf) checked before any capture is read */
	struct probe_config pc;
	struct probe *p;
	fs_status st = cli_probe_config(o, o->probe, &pc, err);
	if (st == FS_OK && (st = probe_new(&pc, NULL, &p, err)) == FS_OK)
		probe_free(p);
	return st;
}

fs_status
cli_probe_config(const struct opts *o, const char *name, struct probe_config *pc,
                 struct fs_err *err)
{
	memset(pc, 0, sizeof *pc);
	if (o->no_probe)
		return fs_err_set(err, FS_E_ARG, "probing is turned off (--no-probe)");
	pc->name = name;
	pc->mode = (o->probe_iterative || o->root_hints) ? PROBE_ITERATIVE : PROBE_VIA_RESOLVER;
	if (o->resolver != NULL) {
		fs_status st = probe_parse_server(o->resolver, "--resolver", &pc->resolver,
		                                  &pc->resolver_port, err);
		if (st != FS_OK)
			return st;
	}
	pc->root_hints = o->root_hints;
	pc->auth_port = (uint16_t)o->probe_port;
	pc->count = o->probe_count;
	pc->interval_s = o->probe_interval;
	pc->per_server_qps = o->probe_rate;
	pc->timeout_ms = o->probe_timeout_ms;
	pc->allow_private = o->probe_allow_private;
	pc->resolver_only = o->probe_resolver_only;
	return FS_OK;
}

static void
print_servers(const struct probe *p)
{
	size_t n = probe_n_servers(p);

	for (size_t i = 0; i < n; i++) {
		const struct probe_server *s = probe_server(p, i);
		char ab[FS_ADDR_STRLEN];
		fs_addr_str(&s->addr, ab, sizeof ab);
		fprintf(stderr, "fluxscope: probe: %s %s%s%s port %u: %s (%u sent, %u answers, %u "
		        "timeouts, %u truncated and asked over TCP, %u over TCP",
		        s->ns_name, s->addr.family == 6 ? "[" : "", ab, s->addr.family == 6 ? "]" : "",
		        s->port, probe_state_name(s->state), s->sent, s->answers, s->timeouts,
		        s->truncated, s->tcp_answers);
		if (s->refused)
			fprintf(stderr, ", %u refused", s->refused);
		if (s->lame)
			fprintf(stderr, ", %u without authority", s->lame);
		if (s->servfail)
			fprintf(stderr, ", %u errors", s->servfail);
		if (s->mismatched)
			fprintf(stderr, ", %u stray messages dropped", s->mismatched);
		fprintf(stderr, ")\n");
	}
}

/* --json: one object per server asked, beside the domain records (README "Probing"). */
static void
json_servers(FILE *out, const struct probe *p, const char *name, const char *zone)
{
	size_t n = probe_n_servers(p);

	for (size_t i = 0; i < n; i++) {
		const struct probe_server *s = probe_server(p, i);
		char ab[FS_ADDR_STRLEN];
		fputs("{\"kind\":\"probe-server\",\"probe\":", out);
		json_fput_str(out, name, false);
		fputs(",\"zone\":", out);
		json_fput_str(out, zone[0] ? zone : NULL, false);
		fputs(",\"name\":", out);
		json_fput_str(out, s->ns_name, false);
		fprintf(out, ",\"resolver\":%s,\"address\":", s->is_resolver ? "true" : "false");
		json_fput_str(out, s->addr.family ? fs_addr_str(&s->addr, ab, sizeof ab) : NULL, false);
		fprintf(out, ",\"port\":%u,\"state\":\"%s\",\"queries\":%u,\"answers\":%u,"
		        "\"timeouts\":%u,\"errors\":%u,\"truncated\":%u,\"tcp_answers\":%u,"
		        "\"refused\":%u,\"servfail\":%u,\"lame\":%u,\"malformed\":%u,"
		        "\"mismatched\":%u}\n",
		        s->port, probe_state_name(s->state), s->sent, s->answers, s->timeouts, s->errors,
		        s->truncated, s->tcp_answers, s->refused, s->servfail, s->lame, s->malformed,
		        s->mismatched);
	}
}

fs_status
cli_probe_run(const struct opts *o, struct store *s, int src_index, FILE *json,
              struct fs_err *err)
{
	struct probe_config pc;
	struct probe *p;
	fs_status st;

	if ((st = cli_probe_config(o, o->probe, &pc, err)) != FS_OK)
		return st;
	pc.src_index = src_index;
	if ((st = probe_new(&pc, s, &p, err)) != FS_OK)
		return st;
	if (isatty(STDERR_FILENO)) {
		/* a progress line while it runs: the probe on its own thread, this one draws */
		if ((st = probe_start(p, err)) != FS_OK) {
			probe_free(p);
			return st;
		}
		while (!probe_done(p)) {
			struct probe_progress pg;
			probe_progress(p, &pg);
			fprintf(stderr, "\r\033[K%.150s", pg.status);
			fflush(stderr);
			usleep(200 * 1000);
		}
		fprintf(stderr, "\r\033[K");
		const struct fs_err *pe = probe_error(p);
		st = pe->status;
		if (st != FS_OK && err != NULL)
			*err = *pe;
	} else {
		st = probe_run(p, err);
	}
	struct probe_progress pg;
	probe_progress(p, &pg);
	if (st == FS_OK)
		fprintf(stderr, "fluxscope: %s; zone %s\n", pg.status, pg.zone);
	print_servers(p);
	if (json != NULL && st == FS_OK)
		json_servers(json, p, o->probe, pg.zone);
	probe_free(p);
	return st;
}
