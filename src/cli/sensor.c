/* fluxscope --sink: the sensor. Every DNS response of the capture becomes a row (chouse.h),
 * sent in batches; what ClickHouse cannot take waits in the spool. */
#include "cli/sensor.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/live.h"
#include "cli/pipeline.h"
#include "fluxscope/chouse.h"
#include "fluxscope/priv.h"

#define DEFAULT_SPOOL_MAX (256LL << 20)
#define CLOSE_WAIT_MS 5000

static void
sink_msg(void *ctx, const struct dns_msg *m)
{
	ch_sink_msg(ctx, m);
}

static bool
sensor_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}

/* The default spool folder: $XDG_STATE_HOME/fluxscope/spool/SENSOR, else
 * ~/.local/state/fluxscope/spool/SENSOR. */
static char *
default_spool(const char *sensor)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/fluxscope/spool/%s", xdg, sensor);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/state/fluxscope/spool/%s", home, sensor);
	return NULL;
}

/* Whether uid/gid can reach and write dir after a privilege drop. */
static bool
reachable(const char *dir, uid_t uid, gid_t gid)
{
	char *p = xstrdup(dir);
	bool ok = true;
	for (;;) {
		struct stat sb;
		if (stat(p, &sb) != 0) {
			ok = false;
			break;
		}
		mode_t need = strcmp(p, dir) == 0 ? 3 : 1;   /* wx on the folder, x above */
		mode_t have = sb.st_uid == uid ? (sb.st_mode >> 6) & 7 : sb.st_gid == gid ?
		              (sb.st_mode >> 3) & 7 : sb.st_mode & 7;
		if ((have & need) != need) {
			ok = false;
			break;
		}
		char *slash = strrchr(p, '/');
		if (slash == NULL || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	return ok;
}

int
cli_sensor(const struct opts *o)
{
	struct ch_sink_config cfg = { 0 };
	struct fs_err err = { 0 };
	struct ch_sink *sink = NULL;
	struct ingest *in = NULL;
	struct ch_sink_stats st;
	char host[HOST_NAME_MAX + 1] = "";
	char *spool = NULL;
	int rc = 0;

	if (o->report || o->dump || o->export_format != NULL || o->source != NULL) {
		fprintf(stderr, "fluxscope: option --sink writes observations to ClickHouse and takes no "
		        "%s\n", o->report ? "--report" : o->dump ? "--dump" : o->export_format ? "--export" :
		        "--source");
		return 2;
	}
	if (ch_url_parse(o->sink, "--sink", &cfg.url, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 2;
	}
	if (o->sensor == NULL) {
		if (gethostname(host, sizeof host) != 0 || !sensor_name_ok(host))
			snprintf(host, sizeof host, "sensor");
	}
	cfg.sensor = o->sensor ? o->sensor : host;
	if (!sensor_name_ok(cfg.sensor)) {
		fprintf(stderr, "fluxscope: option --sensor needs 1 to 64 letters, digits, '.', '-' or "
		        "'_', not '%s'\n", cfg.sensor);
		return 2;
	}
	spool = o->spool ? xstrdup(o->spool) : default_spool(cfg.sensor);
	if (spool == NULL) {
		fprintf(stderr, "fluxscope: no spool folder: give --spool DIR (neither XDG_STATE_HOME nor "
		        "HOME is set)\n");
		return 2;
	}
	if (spool[0] != '/') {   /* the sender thread must find it whatever the working folder */
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof cwd) != NULL) {
			char *abs = xasprintf("%s/%s", cwd, spool);
			free(spool);
			spool = abs;
		}
	}
	cfg.spool_dir = spool;
	cfg.spool_max = o->spool_max > 0 ? (uint64_t)o->spool_max : (uint64_t)DEFAULT_SPOOL_MAX;
	cfg.batch_rows = o->sink_batch > 0 ? (uint32_t)o->sink_batch : 0;
	if (o->sink_init && ch_schema_init(&cfg.url, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: --sink-init: %s\n", err.msg);
		free(spool);
		return 1;
	}
	if (ch_sink_open(&cfg, &sink, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		free(spool);
		return 1;
	}
	if (cli_ingest_open(o, sink_msg, sink, &in, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		ch_sink_close(sink, 0, NULL);
		free(spool);
		return 2;
	}
	if (o->iface != NULL && geteuid() == 0) {
		/* the sender thread writes the spool as the -Z user after the drop */
		struct priv_plan plan;
		if (priv_plan_make(o->user, geteuid(), &plan, &err) == FS_OK && plan.switch_user) {
			if (chown(spool, plan.uid, plan.gid) != 0 || !reachable(spool, plan.uid, plan.gid)) {
				fprintf(stderr, "fluxscope: the spool folder %s cannot be written by %s after the "
				        "privilege drop: give --spool a folder that user can reach, or -Z root\n",
				        spool, plan.user);
				ingest_free(in);
				ch_sink_close(sink, 0, NULL);
				free(spool);
				return 1;
			}
		}
	}
	if (cli_ingest_run(o, in, &err) != FS_OK && ingest_n_errors(in) == 0) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		rc = 1;
	}
	if (cli_report_source_errors(in) != 0)
		rc = 1;
	ch_sink_close(sink, CLOSE_WAIT_MS, &st);
	if (o->stats) {
		struct dec_stats ds;
		ingest_dec_stats(in, &ds);
#define KV(k, v) printf("%-28s %llu\n", k, (unsigned long long)(v))
		KV("dns-messages", ds.dns_messages);
		KV("dns-responses", ds.dns_responses);
		KV("sink-rows", st.rows);
		KV("sink-batches", st.batches);
		KV("sink-rows-sent", st.rows_sent);
		KV("sink-batches-sent", st.batches_sent);
		KV("sink-rows-spooled", st.rows_spooled);
		KV("sink-batches-spooled", st.batches_spooled);
		KV("sink-rows-replayed", st.rows_replayed);
		KV("sink-batches-replayed", st.batches_replayed);
		KV("sink-batches-present", st.batches_present);
		KV("sink-rows-dropped", st.rows_dropped);
		KV("sink-batches-dropped", st.batches_dropped);
		KV("sink-spool-files", st.spool_files);
		KV("sink-spool-bytes", st.spool_bytes);
		KV("sink-spool-bad", st.spool_bad);
		KV("sink-send-errors", st.send_errors);
		KV("sink-skipped", st.skipped);
#undef KV
		fflush(stdout);
	}
	fprintf(stderr, "fluxscope: sink %s: %llu observations in %llu batches; %llu rows sent "
	        "(%llu replayed from the spool, %llu batches found there already)\n", o->sink,
	        (unsigned long long)st.rows, (unsigned long long)st.batches,
	        (unsigned long long)st.rows_sent, (unsigned long long)st.rows_replayed,
	        (unsigned long long)st.batches_present);
	if (st.spool_files > 0)
		fprintf(stderr, "fluxscope: %llu batches (%llu bytes) wait in the spool %s: ClickHouse did "
		        "not take them (%s); they are sent at the next run\n",
		        (unsigned long long)st.spool_files, (unsigned long long)st.spool_bytes, spool,
		        st.last_error[0] ? st.last_error : "unreachable");
	if (st.rows_dropped > 0) {
		fprintf(stderr, "fluxscope: the spool %s reached its bound of %llu bytes (--spool-max): "
		        "%llu observations in %llu batches were dropped\n", spool,
		        (unsigned long long)cfg.spool_max, (unsigned long long)st.rows_dropped,
		        (unsigned long long)st.batches_dropped);
		rc = 1;
	}
	if (st.spool_bad > 0)
		fprintf(stderr, "fluxscope: %llu spool files were set aside: %s\n",
		        (unsigned long long)st.spool_bad, st.last_error);
	ingest_free(in);
	free(spool);
	return rc;
}
