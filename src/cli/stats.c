/* fluxscope --stats: one "key value" line per counter, so scripts can pick a line by its key
 * (awk '$1 == "dns-messages" { print $2 }'); skip reasons carry their description. */
#include "cli/stats.h"

#include "cli/geo_cli.h"
#include "cli/live.h"
#include "cli/pipeline.h"
#include "fluxscope/chouse.h"

#define KV(k, v) fprintf(out, "%-28s %llu\n", k, (unsigned long long)(v))

void
cli_stats_print(FILE *out, struct ingest *in, const struct dec_stats *st)
{
	struct cap_stats cs;
	uint64_t skipped = 0;
	char key[64];

	for (int i = 0; i < ingest_n_sources(in); i++) {
		ingest_source_stats(in, i, &cs);
		fprintf(out, "%-28s %s (%llu frames, %llu bytes%s)\n", "source", ingest_source_name(in, i),
		        (unsigned long long)cs.frames, (unsigned long long)cs.bytes_read,
		        cs.truncated ? ", truncated" : "");
		struct ch_window_stats ws;
		if (ch_source_window_stats(ingest_source(in, i), &ws)) {
			KV("clickhouse-rows-window", ws.rows_window);
			KV("clickhouse-candidates", ws.candidates);
			KV("clickhouse-rows-loaded", ws.rows_loaded);
			KV("clickhouse-rows-bad", ws.rows_bad);
			KV("clickhouse-records-skipped", ws.rr_skipped);
			fprintf(out, "%-28s %.3f\n", "clickhouse-select-seconds", ws.select_s);
			fprintf(out, "%-28s %.3f\n", "clickhouse-fetch-seconds", ws.fetch_s);
		}
	}
	/* resolver feeds (dnstap files and sockets, Zeek, EVE): records read and what became of
	 * them, summed over the feed sources */
	struct cap_stats fsum = { 0 };
	bool feeds = false;
	for (int i = 0; i < ingest_n_sources(in); i++) {
		ingest_source_stats(in, i, &cs);
		if (cs.feed == NULL)
			continue;
		feeds = true;
		fsum.feed_records += cs.feed_records;
		fsum.feed_messages += cs.feed_messages;
		fsum.feed_bad += cs.feed_bad;
		fsum.feed_skipped += cs.feed_skipped;
		fsum.feed_oversized += cs.feed_oversized;
	}
	if (feeds) {
		KV("feed-records", fsum.feed_records);
		KV("feed-messages", fsum.feed_messages);
		KV("feed-bad", fsum.feed_bad);
		KV("feed-skipped", fsum.feed_skipped);
		KV("feed-oversized", fsum.feed_oversized);
	}
	KV("packets", st->packets);
	KV("bytes", st->bytes);
	KV("dns-messages", st->dns_messages);
	KV("dns-queries", st->dns_queries);
	KV("dns-responses", st->dns_responses);
	KV("dns-udp", st->udp_messages);
	KV("dns-tcp", st->tcp_messages);
	KV("dns-partial", st->partial_messages);
	KV("dns-cut", st->cut_messages);
	KV("ip-fragments", st->frags_seen);
	KV("ip-reassembled", st->frags_reassembled);
	KV("ip-fragments-overlapping", st->frags_overlapping);
	KV("tcp-segments", st->tcp_segments);
	KV("tcp-streams", st->tcp_streams);
	KV("tcp-retransmitted", st->tcp_retransmitted);
	KV("tcp-out-of-order", st->tcp_out_of_order);
	KV("encapsulated", st->encapsulated);
	for (int r = 0; r < DEC_SKIP_COUNT; r++)
		skipped += st->skipped[r];
	KV("skipped", skipped);
	for (int r = 0; r < DEC_SKIP_COUNT; r++) {
		snprintf(key, sizeof key, "skipped:%s", dec_skip_name((enum dec_skip)r));
		fprintf(out, "%-28s %-8llu %s\n", key, (unsigned long long)st->skipped[r],
		        dec_skip_text((enum dec_skip)r));
	}
	for (int i = 0; i < 4; i++) {
		if (st->linktypes_unknown[i] == 0)
			continue;
		snprintf(key, sizeof key, "unknown-linktype:%d", st->linktype_unknown_value[i]);
		fprintf(out, "%-28s %llu frames\n", key, (unsigned long long)st->linktypes_unknown[i]);
	}
}

int
cli_stats(const struct opts *o)
{
	struct ingest *in;
	struct fs_err err = { 0 };
	struct dec_stats st;
	struct geo *geo;

	size_t budget;

	/* the enrichment databases first: a bad one given explicitly stops before the reading */
	if (cli_geo_open(o, &geo, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	/* the same check of --max-memory as every mode (nothing here grows with the capture) */
	if (cli_live_budget(o, cli_geo_mapped_bytes(geo), &budget, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		geo_free(geo);
		return 1;
	}
	if (cli_ingest_open(o, NULL, NULL, &in, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		geo_free(geo);
		return 1;
	}
	/* source failures are reported below, after the counters; a live capture runs until
	 * --duration or a signal */
	if (cli_ingest_run(o, in, &err) != FS_OK && ingest_n_errors(in) == 0) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		geo_free(geo);
		ingest_free(in);
		return 1;
	}
	ingest_dec_stats(in, &st);
	cli_stats_print(stdout, in, &st);
	cli_live_print_stats(stdout, in, NULL);
	cli_geo_print_stats(stdout, geo);
	geo_free(geo);
	fflush(stdout);
	int rc = cli_report_source_errors(in);
	ingest_free(in);
	return rc;
}
