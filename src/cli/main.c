/* fluxscope: entry point; dispatches to the headless modes or the TUI. */
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/dump.h"
#include "cli/export_cmd.h"
#include "cli/geo_cli.h"
#include "cli/live.h"
#include "cli/opts.h"
#include "cli/probe_cmd.h"
#include "cli/report.h"
#include "cli/session_cli.h"
#include "cli/sensor.h"
#include "cli/stats.h"
#include "cli/tui.h"
#include "fluxscope/fs.h"
#include "fluxscope/log.h"
#include "fluxscope/session.h"

static int
dispatch(struct opts *o)
{
	if (o->list_ifaces)
		return cli_list_ifaces(o);
	if (o->n_lookup > 0)
		return cli_lookup_main(o);
	if (o->sink != NULL)
		return cli_sensor(o);
	if (o->sink_init || o->sensor || o->spool || o->spool_max || o->sink_batch) {
		fprintf(stderr, "fluxscope: option %s needs --sink clickhouse://HOST[:PORT]/DB\n",
		        o->sink_init ? "--sink-init" : o->sensor ? "--sensor" : o->spool ? "--spool" :
		        o->spool_max ? "--spool-max" : "--sink-batch");
		return 2;
	}
	if (o->stats && !o->report)   /* --report --stats: the report, then the counters */
		return cli_stats(o);
	if (o->dump)
		return cli_dump(o);
	/* --json or --csv alone means that report (--dump --json is the dump's JSON, above). */
	if (o->report || ((o->json || o->csv) && o->export_format == NULL))
		return cli_report(o);
	if (o->export_format != NULL)
		return cli_export(o);
	/* No headless mode given: the interactive TUI. */
	return tui_main(o);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct fs_err err = { 0 };

#ifdef __GLIBC__
	/* Blocks of 128 KiB and more from mmap, always: glibc otherwise raises the threshold to
	 * the size of each such block freed (up to 32 MiB), so the store's arrays, grown by
	 * doubling while a capture is read, then come from the heap and leave holes there that
	 * later small allocations walk through, each page they touch counted in the peak RSS
	 * (a 200,000-name flood: 19 MiB more; docs/performance.md, "Flood names"). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	if (opts_parse(&o, argc, argv, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 2;
	}
	if (o.help) {
		opts_usage(stdout);
		return 0;
	}
	if (cli_probe_check(&o, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 2;
	}
	if (o.version) {
		printf("fluxscope %s\n", FS_VERSION);
		return 0;
	}
	/* SIGINT, SIGTERM, SIGHUP: remove the temporary file of a write in progress, then end as
	 * the signal would have (the TUI and a live capture install their own while they run). */
	fs_atomic_install_signals();
	/* --log FILE: the debug log (captures, skips, detector runs, ageing, timings) */
	if (o.log_file != NULL) {
		if (fs_log_open(o.log_file, &err) != FS_OK) {
			fprintf(stderr, "fluxscope: %s\n", err.msg);
			return 2;
		}
		fs_log("start", "fluxscope %s", FS_VERSION);
	}
	if (o.session_path != NULL && cli_session_open(&o) != 0) {
		fs_log_close();
		return 2;
	}
	double t0 = fs_mono_ms();
	int rc = dispatch(&o);
	fs_log("end", "exit status %d after %.1f ms", rc, fs_mono_ms() - t0);
	fs_log_close();
	session_free(o.session);
	return rc;
}
