/* fluxscope --report: read the captures into the store, run the detector, print the flagged
 * domains as a table or every selected domain as one JSON object per line. */
#include "cli/filter_err.h"
#include "cli/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/geo_cli.h"
#include "cli/pipeline.h"
#include "cli/probe_cmd.h"
#include "cli/stats.h"
#include "fluxscope/notes.h"
#include "fluxscope/session.h"
#include "fluxscope/query.h"
#include "util/json.h"

static void
add_msg(void *ctx, const struct dns_msg *msg)
{
	store_add_msg(ctx, msg);
}

/* --session: its marked domains, and every name of its marked zones, are marked in the store
 * (the `marked` filter field and --export's default selection read store_domain.user_flags). */
static void
apply_session_marks(struct cli_analysis *a, const struct notes *n)
{
	a->notes = n;
	if (notes_marked(n, NOTE_DOMAIN) == 0 && notes_marked(n, NOTE_ZONE) == 0)
		return;
	store_write_lock(a->store);
	for (size_t i = 0; i < notes_count(n); i++) {
		const struct note *e = notes_at(n, i);
		store_dom_id id;
		if (e != NULL && e->marked && e->kind == NOTE_DOMAIN &&
		    (id = store_domain_find(a->store, e->key)) != 0)
			store_domain_set_flags(a->store, id, 1);
	}
	if (notes_marked(n, NOTE_ZONE) > 0)
		for (size_t i = 0; i < det_count(a->det); i++) {
			const struct det_result *r = det_get(a->det, i);
			const struct note *z = NULL;
			if (r->zone != NULL)
				z = notes_find(n, NOTE_ZONE, r->zone);
			if ((z == NULL || !z->marked) && r->registrable != NULL)
				z = notes_find(n, NOTE_ZONE, r->registrable);
			if (z != NULL && z->marked)
				store_domain_set_flags(a->store, r->dom, 1);
		}
	store_write_unlock(a->store);
}

fs_status
cli_analysis_run(const struct opts *o, struct cli_analysis *a, struct fs_err *err)
{
	fs_status st;

	memset(a, 0, sizeof *a);
	if ((st = cli_geo_open(o, &a->geo, err)) != FS_OK)
		goto fail;
	struct det_config dc = {
		.weights_path = o->weights,
		.allowlists = o->allowlist, .n_allowlists = o->n_allowlist,
		.intel = o->intel, .n_intel = o->n_intel,
	};
	if ((st = det_new(&dc, a->geo, &a->det, err)) != FS_OK)
		goto fail;
	struct store_config sc = { .max_memory = (size_t)o->max_memory_mb << 20 };
	a->store = store_new(&sc);
	if (opts_live(o) || o->max_memory_mb > 0) {
		/* A live capture (until --duration or a signal), or ageing under a memory budget:
		 * the writer locks per message and ages the store as it goes (cli/live.h). */
		a->live = xcalloc(1, sizeof *a->live);
		if ((st = cli_live_init(a->live, o, a->store, true, a->geo,
		                         cli_geo_mapped_bytes(a->geo), NULL, NULL, err)) != FS_OK)
			goto fail;
		if ((st = cli_ingest_open(o, cli_live_msg, a->live, &a->in, err)) != FS_OK)
			goto fail;
		if ((st = cli_ingest_run(o, a->in, err)) != FS_OK && ingest_n_errors(a->in) == 0)
			goto fail;
	} else if (o->n_files > 0 || o->probe == NULL) {
		if ((st = cli_ingest_open(o, add_msg, a->store, &a->in, err)) != FS_OK)
			goto fail;
		store_write_lock(a->store);
		(void)ingest_run(a->in, NULL);       /* source failures are reported below */
		store_write_unlock(a->store);
	}
	if (a->in != NULL)
		a->source_rc = cli_report_source_errors(a->in);
	/* --probe: answers of the name's resolver and nameservers join what was read */
	if (o->probe != NULL && (st = cli_probe_run(o, a->store, o->n_files, err)) != FS_OK)
		goto fail;
	store_read_lock(a->store);
	det_run(a->det, a->store);
	store_read_unlock(a->store);
	if (o->session != NULL)
		apply_session_marks(a, o->session->notes);
	return FS_OK;
fail:
	cli_analysis_free(a);
	return st;
}

void
cli_analysis_free(struct cli_analysis *a)
{
	if (a->in != NULL)
		ingest_free(a->in);
	if (a->live != NULL) {
		cli_live_fini(a->live);
		free(a->live);
	}
	if (a->det != NULL)
		det_free(a->det);
	if (a->store != NULL)
		store_free(a->store);
	if (a->geo != NULL)
		geo_free(a->geo);
	memset(a, 0, sizeof *a);
}

bool
cli_report_selects(const struct opts *o, const struct det_result *r)
{
	if (!o->all && !det_is_flagged(r->verdict))
		return false;
	if (o->min_score_set && r->score < o->min_score)
		return false;
	return true;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void
rep_str(FILE *out, const char *s)
{
	json_fput_str(out, s, true);
}

static void
rep_num(FILE *out, double v)
{
	if (!isfinite(v))
		fputs("null", out);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.6g", v);
}

static void
rep_time(FILE *out, fs_time t)
{
	if (t == 0)
		fputs("null", out);
	else
		fprintf(out, "%" PRId64 ".%06" PRId64, (int64_t)(t / FS_USEC), (int64_t)(t % FS_USEC));
}

static void
rep_key(FILE *out, const char *k, bool *first)
{
	if (!*first)
		fputc(',', out);
	*first = false;
	rep_str(out, k);
	fputc(':', out);
}

/* score, logit, verdict and the Holz score with its verdict: the same keys for names and zones */
static void
rep_verdict(FILE *out, const struct det_result *r, bool *first)
{
	rep_key(out, "score", first);
	fprintf(out, "%.2f", r->score);
	rep_key(out, "logit", first);
	fprintf(out, "%.4f", r->logit);
	rep_key(out, "verdict", first);
	rep_str(out, det_verdict_name(r->verdict));
	rep_key(out, "holz_score", first);
	if (r->holz_available)
		fprintf(out, "%.2f", r->holz_score);
	else
		fputs("null", out);
	rep_key(out, "holz_flux", first);
	fputs(r->holz_available ? (r->holz_score > 0 ? "true" : "false") : "null", out);
}

static void
rep_reasons(FILE *out, const struct det_result *r, bool *first)
{
	rep_key(out, "reasons", first);
	fputc('[', out);
	for (int i = 0; i < r->n_reasons; i++) {
		if (i)
			fputc(',', out);
		rep_str(out, r->reasons[i]);
	}
	fputc(']', out);
}

static void
rep_counts(FILE *out, const struct det_result *r, bool *first)
{
	rep_key(out, "counts", first);
	fprintf(out, "{\"addresses\":%u,\"addresses_v6\":%u,\"asns\":%u,\"countries\":%u,"
	             "\"prefixes16\":%u,\"prefixes24\":%u,\"ns_names\":%u,\"ns_addresses\":%u,"
	             "\"max_per_answer\":%u}",
	        r->n_addrs, r->n_addrs_v6, r->n_asns, r->n_countries, r->n_prefixes16,
	        r->n_prefixes24, r->n_ns_names, r->n_ns_addrs, r->max_addrs_per_response);
}

static void
rep_terms(FILE *out, const struct det_result *r, bool *first)
{
	rep_key(out, "terms", first);
	fputc('[', out);
	for (int i = 0; i < r->n_terms; i++) {
		const struct det_term *t = &r->terms[i];
		fprintf(out, "%s{\"name\":", i ? "," : "");
		rep_str(out, t->name);
		fputs(",\"unit\":", out);
		rep_str(out, t->unit);
		fputs(",\"raw\":", out);
		rep_num(out, t->raw);
		fputs(",\"value\":", out);
		rep_num(out, t->value);
		fputs(",\"weight\":", out);
		rep_num(out, t->weight);
		fputs(",\"contribution\":", out);
		rep_num(out, t->contribution);
		fprintf(out, ",\"available\":%s}", t->available ? "true" : "false");
	}
	fputc(']', out);
}

/* NS names seen for the domain's zone (every NS set observed), ascending ids. */
static size_t
ns_names(const struct store *s, const struct det_result *r, const uint32_t **out, uint32_t *buf,
         size_t cap)
{
	const struct store_domain *dom = store_domain(s, r->dom);
	size_t n = 0;

	*out = buf;
	if (dom == NULL)
		return 0;
	for (uint32_t i = 0; i < dom->n_ns; i++) {
		uint32_t nm = 0;
		const uint32_t *m = store_set_members(s, dom->ns[i].nsset, &nm);
		for (uint32_t k = 0; m != NULL && k < nm; k++) {
			size_t j;
			for (j = 0; j < n && buf[j] != m[k]; j++)
				;
			if (j == n && n < cap)
				buf[n++] = m[k];
		}
	}
	if (n == 0) {
		store_name_id zone = 0;
		store_set_id set = store_domain_nsset(s, r->dom, &zone);
		uint32_t nm = 0;
		const uint32_t *m = set ? store_set_members(s, set, &nm) : NULL;
		for (uint32_t k = 0; m != NULL && k < nm && n < cap; k++)
			buf[n++] = m[k];
	}
	return n;
}

void
cli_report_json(FILE *out, const struct cli_analysis *a, const struct det_result *r)
{
	const struct store *s = a->store;
	const struct store_domain *dom = store_domain(s, r->dom);
	char abuf[FS_ADDR_STRLEN];
	bool first = true;

	fputc('{', out);
	rep_key(out, "domain", &first);
	rep_str(out, r->name);
	rep_key(out, "kind", &first);
	rep_str(out, "domain");
	rep_key(out, "registrable", &first);
	rep_str(out, r->registrable);
	rep_key(out, "zone", &first);
	rep_str(out, r->zone);
	rep_key(out, "zone_verdict", &first);
	rep_str(out, det_verdict_name(r->zone_verdict));
	rep_key(out, "via_zone", &first);
	fputs(r->via_zone ? "true" : "false", out);
	rep_key(out, "confidence", &first);
	rep_str(out, r->confidence);
	rep_key(out, "marked", &first);
	fputs(dom != NULL && dom->user_flags != 0 ? "true" : "false", out);
	if (a->notes != NULL) {
		const struct note *nt = notes_find(a->notes, NOTE_DOMAIN, r->name);
		if (nt != NULL && nt->text != NULL) {
			rep_key(out, "note", &first);
			rep_str(out, nt->text);
		}
	}
	rep_verdict(out, r, &first);
	rep_key(out, "holz_score_all", &first);
	if (r->holz_available)
		fprintf(out, "%.2f", r->holz_score_all);
	else
		fputs("null", out);
	rep_reasons(out, r, &first);

	/* addresses, ASNs and countries, with the per-address spread (enrichment issue) */
	struct geo_addr_row *rows = NULL;
	struct geo_spread sp;
	size_t nrows = geo_domain_spread(a->geo, s, r->dom, &rows, &sp);
	rep_key(out, "addresses", &first);
	fputc('[', out);
	for (size_t i = 0; i < nrows; i++) {
		if (i)
			fputc(',', out);
		rep_str(out, fs_addr_str(&rows[i].addr, abuf, sizeof abuf));
	}
	fputc(']', out);
	rep_key(out, "asns", &first);
	fputc('[', out);
	{
		/* distinct ASNs, most addresses first (top_asns holds the first few) */
		uint32_t *seen = nrows ? calloc(nrows, sizeof *seen) : NULL;
		size_t ns = 0;
		for (int i = 0; i < sp.n_top_asns; i++) {
			fprintf(out, "%s%u", ns ? "," : "", sp.top_asns[i].asn);
			if (seen)
				seen[ns] = sp.top_asns[i].asn;
			ns++;
		}
		for (size_t i = 0; seen != NULL && i < nrows; i++) {
			uint32_t asn = rows[i].info->asn;
			size_t j;
			if (asn == 0)
				continue;
			for (j = 0; j < ns && seen[j] != asn; j++)
				;
			if (j == ns && ns < nrows) {
				seen[ns++] = asn;
				fprintf(out, ",%u", asn);
			}
		}
		free(seen);
	}
	fputc(']', out);
	rep_key(out, "countries", &first);
	fputc('[', out);
	{
		char (*seen)[3] = nrows ? calloc(nrows, sizeof *seen) : NULL;
		size_t ns = 0;
		for (int i = 0; i < sp.n_top_countries && seen; i++) {
			fprintf(out, "%s\"%s\"", ns ? "," : "", sp.top_countries[i].country);
			memcpy(seen[ns++], sp.top_countries[i].country, 3);
		}
		for (size_t i = 0; seen != NULL && i < nrows; i++) {
			const char *cc = rows[i].info->country;
			size_t j;
			if (cc[0] == '\0')
				continue;
			for (j = 0; j < ns && strcmp(seen[j], cc) != 0; j++)
				;
			if (j == ns && ns < nrows) {
				memcpy(seen[ns++], cc, 3);
				fprintf(out, ",\"%s\"", cc);
			}
		}
		free(seen);
	}
	fputc(']', out);
	rep_key(out, "ttl", &first);
	fprintf(out, "%u", r->ttl);
	rep_key(out, "ttl_min", &first);
	fprintf(out, "%u", r->ttl_min);

	uint32_t nsbuf[256];
	const uint32_t *nsn;
	size_t nns = ns_names(s, r, &nsn, nsbuf, sizeof nsbuf / sizeof nsbuf[0]);
	rep_key(out, "ns_names", &first);
	fputc('[', out);
	for (size_t i = 0; i < nns; i++) {
		if (i)
			fputc(',', out);
		rep_str(out, store_name_str(s, nsn[i]));
	}
	fputc(']', out);
	rep_key(out, "ns_addresses", &first);
	fputc('[', out);
	{
		/* one entry per address: nameservers often share addresses (ns1 and ns2 on one
		 * host), and glue repeats across NS names */
		bool f2 = true;
		store_addr_id seen[512];
		size_t nseen = 0;
		for (size_t i = 0; i < nns; i++) {
			const struct store_nsname *ns = store_nsname_by_name(s, nsn[i]);
			for (uint32_t k = 0; ns != NULL && k < ns->n_glue; k++) {
				const struct store_addr *sa = store_addr(s, ns->glue[k].addr);
				size_t j;
				if (sa == NULL)
					continue;
				for (j = 0; j < nseen && seen[j] != ns->glue[k].addr; j++)
					;
				if (j < nseen)
					continue;
				if (nseen < sizeof seen / sizeof seen[0])
					seen[nseen++] = ns->glue[k].addr;
				fputs(f2 ? "" : ",", out);
				f2 = false;
				rep_str(out, fs_addr_str(&sa->addr, abuf, sizeof abuf));
			}
		}
	}
	fputc(']', out);
	rep_key(out, "first_seen", &first);
	rep_time(out, r->first_seen);
	rep_key(out, "last_seen", &first);
	rep_time(out, r->last_seen);
	rep_key(out, "cluster", &first);
	fprintf(out, "%u", r->cluster);
	rep_key(out, "cluster_size", &first);
	fprintf(out, "%u", r->cluster_size);

	rep_key(out, "responses", &first);
	fprintf(out, "%u", dom ? dom->n_responses : 0);
	rep_key(out, "answers", &first);
	fprintf(out, "%u", r->n_responses);
	rep_key(out, "rrsets", &first);
	fprintf(out, "%u", r->n_rrsets);
	rep_key(out, "rrset_changes", &first);
	fprintf(out, "%u", r->n_rrset_changes);
	rep_key(out, "ttl_periods", &first);
	fprintf(out, "%u", r->ttl_periods);
	rep_key(out, "ns_changes", &first);
	fprintf(out, "%u", r->n_ns_changes);
	rep_key(out, "ns_ttl", &first);
	fprintf(out, "%u", r->ns_ttl);
	rep_counts(out, r, &first);
	rep_key(out, "windows", &first);
	fputc('{', out);
	for (int w = 0; w < DET_WINDOWS; w++)
		fprintf(out, "%s\"%s\":{\"addresses\":%u,\"asns\":%u}", w ? "," : "", det_window_name(w),
		        r->window_addrs[w], r->window_asns[w]);
	fputc('}', out);
	rep_key(out, "max_distance_km", &first);
	if (r->max_distance_km >= 0)
		fprintf(out, "%.1f", r->max_distance_km);
	else
		fputs("null", out);
	rep_key(out, "intel", &first);
	rep_str(out, r->intel_feed);
	rep_key(out, "allowlisted", &first);
	fputs(r->allowlisted ? "true" : "false", out);
	rep_key(out, "guard", &first);
	rep_str(out, r->guard);

	/* when the verdict first became flagged / flux, replaying the timeline */
	rep_key(out, "first_flagged", &first);
	rep_time(out, r->first_flagged_resp ? r->first_flagged : 0);
	rep_key(out, "first_flagged_resp", &first);
	fprintf(out, "%u", r->first_flagged_resp);
	rep_key(out, "first_flagged_ttls", &first);
	if (r->first_flagged_resp)
		fprintf(out, "%.2f", r->first_flagged_ttls);
	else
		fputs("null", out);
	rep_key(out, "first_flux", &first);
	rep_time(out, r->first_flux_resp ? r->first_flux : 0);
	rep_key(out, "first_flux_resp", &first);
	fprintf(out, "%u", r->first_flux_resp);
	rep_key(out, "first_flux_ttls", &first);
	if (r->first_flux_resp)
		fprintf(out, "%.2f", r->first_flux_ttls);
	else
		fputs("null", out);

	rep_terms(out, r, &first);
	rep_key(out, "unavailable", &first);
	fputc('[', out);
	{
		bool f2 = true;
		for (int i = 0; i < r->n_terms; i++) {
			if (r->terms[i].available)
				continue;
			fputs(f2 ? "" : ",", out);
			f2 = false;
			rep_str(out, r->terms[i].name);
		}
	}
	fputc(']', out);

	rep_key(out, "spread", &first);
	fputc('[', out);
	for (size_t i = 0; i < nrows; i++) {
		const struct geo_info *g = rows[i].info;
		fputs(i ? ",{\"address\":" : "{\"address\":", out);
		rep_str(out, fs_addr_str(&rows[i].addr, abuf, sizeof abuf));
		fputs(",\"asn\":", out);
		if (g->asn)
			fprintf(out, "%u", g->asn);
		else
			fputs("null", out);
		fputs(",\"as_org\":", out);
		rep_str(out, g->as_org && g->as_org[0] ? g->as_org : NULL);
		fputs(",\"country\":", out);
		rep_str(out, g->country[0] ? g->country : NULL);
		fputs(",\"city\":", out);
		rep_str(out, g->city && g->city[0] ? g->city : NULL);
		fputs(",\"lat\":", out);
		if (g->has_location)
			fprintf(out, "%.15g", g->lat);   /* coordinates keep every digit the database has */
		else
			fputs("null", out);
		fputs(",\"lon\":", out);
		if (g->has_location)
			fprintf(out, "%.15g", g->lon);
		else
			fputs("null", out);
		fputs(",\"network\":", out);
		rep_str(out, g->network && g->network[0] ? g->network : NULL);
		fputs(",\"first_seen\":", out);
		rep_time(out, rows[i].first_seen);
		fputs(",\"last_seen\":", out);
		rep_time(out, rows[i].last_seen);
		fprintf(out, ",\"count\":%u}", rows[i].count);
	}
	fputc(']', out);
	rep_key(out, "spread_summary", &first);
	fprintf(out, "{\"addresses\":%u,\"found\":%u,\"asns\":%u,\"countries\":%u,\"cities\":%u,"
	             "\"networks\":%u,\"located\":%u,\"max_distance_km\":",
	        sp.n_addrs, sp.n_found, sp.n_asns, sp.n_countries, sp.n_cities, sp.n_networks,
	        sp.n_located);
	if (sp.n_located >= 2)
		fprintf(out, "%.1f", sp.max_km);
	else
		fputs("null", out);
	fputs(",\"asn_entropy\":", out);
	rep_num(out, sp.asn_entropy);
	fputs(",\"country_entropy\":", out);
	rep_num(out, sp.country_entropy);
	fputs(",\"top_asns\":[", out);
	for (int i = 0; i < sp.n_top_asns; i++) {
		fprintf(out, "%s{\"asn\":%u,\"as_org\":", i ? "," : "", sp.top_asns[i].asn);
		rep_str(out, sp.top_asns[i].label);
		fprintf(out, ",\"addresses\":%u,\"share\":%.4f}", sp.top_asns[i].n, sp.top_asns[i].share);
	}
	fputs("],\"top_countries\":[", out);
	for (int i = 0; i < sp.n_top_countries; i++)
		fprintf(out, "%s{\"country\":\"%s\",\"addresses\":%u,\"share\":%.4f}", i ? "," : "",
		        sp.top_countries[i].country, sp.top_countries[i].n, sp.top_countries[i].share);
	fputs("]}", out);
	free(rows);
	fputs("}\n", out);
}

/* A zone row: the aggregate of a zone's names (kind "zone"). */
void
cli_report_zone_json(FILE *out, const struct cli_analysis *a, const struct det_result *z)
{
	bool first = true;

	fputc('{', out);
	rep_key(out, "domain", &first);
	rep_str(out, z->name);
	rep_key(out, "kind", &first);
	rep_str(out, "zone");
	rep_key(out, "registrable", &first);
	rep_str(out, z->registrable);
	rep_verdict(out, z, &first);
	rep_key(out, "confidence", &first);
	rep_str(out, z->confidence);
	if (a->notes != NULL) {
		const struct note *nt = notes_find(a->notes, NOTE_ZONE, z->name);
		if (nt != NULL) {
			rep_key(out, "marked", &first);
			fputs(nt->marked ? "true" : "false", out);
			if (nt->text != NULL) {
				rep_key(out, "note", &first);
				rep_str(out, nt->text);
			}
		}
	}
	rep_reasons(out, z, &first);
	rep_key(out, "names", &first);
	fprintf(out, "{\"with_answers\":%u,\"flagged\":%u,\"flux\":%u}", z->zone_names,
	        z->zone_flagged, z->zone_flux);
	/* the member names of a flagged zone (the first 100, most severe first as det_get sorts) */
	rep_key(out, "members", &first);
	fputc('[', out);
	if (det_is_flagged(z->verdict)) {
		size_t n = det_count(a->det), shown = 0;
		for (size_t i = 0; i < n && shown < 100; i++) {
			const struct det_result *r = det_get(a->det, i);
			if (r->zone == NULL || strcmp(r->zone, z->name) != 0)
				continue;
			fputs(shown++ ? "," : "", out);
			rep_str(out, r->name);
		}
	}
	fputc(']', out);
	rep_key(out, "ttl", &first);
	fprintf(out, "%u", z->ttl);
	rep_key(out, "answers", &first);
	fprintf(out, "%u", z->n_responses);
	rep_key(out, "rrsets", &first);
	fprintf(out, "%u", z->n_rrsets);
	rep_key(out, "ns_changes", &first);
	fprintf(out, "%u", z->n_ns_changes);
	rep_counts(out, z, &first);
	rep_key(out, "first_seen", &first);
	rep_time(out, z->first_seen);
	rep_key(out, "last_seen", &first);
	rep_time(out, z->last_seen);
	rep_key(out, "first_flux", &first);
	rep_time(out, z->first_flux_resp ? z->first_flux : 0);
	rep_key(out, "first_flux_resp", &first);
	fprintf(out, "%u", z->first_flux_resp);
	rep_key(out, "intel", &first);
	rep_str(out, z->intel_feed);
	rep_key(out, "allowlisted", &first);
	fputs(z->allowlisted ? "true" : "false", out);
	rep_key(out, "guard", &first);
	rep_str(out, z->guard);
	rep_terms(out, z, &first);
	fputs("}\n", out);
}

/* ---- table ------------------------------------------------------------------------------------ */

static const char *
fmt_utc(fs_time t, char *buf, size_t len)
{
	time_t sec = (time_t)(t / FS_USEC);
	struct tm tm;
	if (t == 0 || gmtime_r(&sec, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static void
print_header(FILE *out, const struct opts *o, const struct cli_analysis *a, size_t shown,
             const size_t *by_verdict)
{
	char buf[1024];

	fprintf(out, "fluxscope %s report:", FS_VERSION);
	for (int i = 0; i < o->n_files; i++)
		fprintf(out, " %s", o->files[i]);
	if (o->iface)
		fprintf(out, " interface %s", o->iface);
	for (int i = 0; i < o->n_dnstap; i++)
		fprintf(out, " dnstap %s", o->dnstap[i]);
	fputc('\n', out);
	fprintf(out, "vantage:      %s\n", det_vantage_name(det_vantage(a->det)));
	geo_describe(a->geo, buf, sizeof buf);
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(out, "%s%s\n", line == buf ? "enrichment:   " : "              ", line);
	}
	fprintf(out, "detector:     %s\n", det_describe(a->det, buf, sizeof buf));
	const char *un = det_unavailable_features(a->det);
	fprintf(out, "unavailable:  %s\n", un[0] ? un : "none");
	fprintf(out, "domains:      %zu scored; %zu single-flux, %zu double-flux, %zu suspicious, "
	             "%zu cdn, %zu pool; %zu shown\n\n",
	        det_count(a->det), by_verdict[DET_SINGLE_FLUX], by_verdict[DET_DOUBLE_FLUX],
	        by_verdict[DET_SUSPICIOUS], by_verdict[DET_CDN], by_verdict[DET_POOL], shown);
}

static void
print_row(FILE *out, const struct det_result *r)
{
	char holz[16], flagged[32], ts[32];

	if (r->holz_available)
		snprintf(holz, sizeof holz, "%.1f", r->holz_score);
	else
		snprintf(holz, sizeof holz, "n/a");
	if (r->first_flux_resp)
		snprintf(flagged, sizeof flagged, "%.1f TTL/%u ans", r->first_flux_ttls, r->first_flux_resp);
	else if (r->first_flagged_resp)
		snprintf(flagged, sizeof flagged, "%.1f TTL/%u ans", r->first_flagged_ttls,
		         r->first_flagged_resp);
	else
		snprintf(flagged, sizeof flagged, "-");
	fprintf(out, "%-11s %5.1f %7s %5u %4u %3u %6u %5u %4u  %-17s %s  %s\n",
	        det_verdict_name(r->verdict), r->score, holz, r->n_addrs, r->n_asns, r->n_countries,
	        r->ttl, r->n_ns_changes, r->cluster, flagged, fmt_utc(r->last_seen, ts, sizeof ts),
	        r->name ? r->name : "?");
	if (r->n_reasons > 0)
		fprintf(out, "            %s\n", r->reasons[0]);
}

int
cli_report(const struct opts *o)
{
	struct cli_analysis a;
	struct fs_err err = { 0 };
	struct query_filter *qf = NULL;
	size_t by_verdict[DET_VERDICT_COUNT] = { 0 }, shown = 0;

	if (o->filter != NULL && (qf = cli_filter_parse(o->filter, stderr)) == NULL)
		return 2;
	if (cli_analysis_run(o, &a, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		query_filter_free(qf);
		return 1;
	}
	store_read_lock(a.store);
	size_t n = det_count(a.det);
	for (size_t i = 0; i < n; i++) {
		const struct det_result *r = det_get(a.det, i);
		by_verdict[r->verdict]++;
		if (cli_report_selects(o, r) &&
		    (qf == NULL || query_filter_match(qf, r, store_domain(a.store, r->dom))))
			shown++;
	}
	if (o->json) {
		const char *un = det_unavailable_features(a.det);
		if (un[0])
			fprintf(stderr, "fluxscope: unavailable features: %s\n", un);
	} else {
		print_header(stdout, o, &a, shown, by_verdict);
		if (shown > 0)
			printf("%-11s %5s %7s %5s %4s %3s %6s %5s %4s  %-17s %-19s  %s\n", "VERDICT", "SCORE",
			       "HOLZ", "ADDRS", "ASNS", "CC", "TTL", "NSCHG", "CL", "FLAGGED-AFTER",
			       "LAST-SEEN (UTC)", "DOMAIN");
		else
			printf("no %sdomains to show%s\n", o->all ? "" : "flagged ",
			       o->all ? "" : " (--all shows every domain)");
	}
	for (size_t i = 0; i < n; i++) {
		const struct det_result *r = det_get(a.det, i);
		if (!cli_report_selects(o, r) ||
		    (qf != NULL && !query_filter_match(qf, r, store_domain(a.store, r->dom))))
			continue;
		if (o->json)
			cli_report_json(stdout, &a, r);
		else
			print_row(stdout, r);
	}
	/* zone rows: the aggregate of each zone's names */
	size_t nz = det_zone_count(a.det), zshown = 0;
	for (size_t i = 0; i < nz; i++) {
		const struct det_result *z = det_zone_get(a.det, i);
		if (!cli_report_selects(o, z) || (qf != NULL && !query_filter_match(qf, z, NULL)))
			continue;
		if (o->json) {
			cli_report_zone_json(stdout, &a, z);
			continue;
		}
		if (zshown++ == 0)
			printf("\nZONES (the evidence of all their names together)\n%-11s %5s %7s %5s %4s "
			       "%5s %5s  %s\n", "VERDICT", "SCORE", "HOLZ", "ADDRS", "ASNS", "NAMES", "FLUX",
			       "ZONE");
		char holz[16];
		if (z->holz_available)
			snprintf(holz, sizeof holz, "%.1f", z->holz_score);
		else
			snprintf(holz, sizeof holz, "n/a");
		printf("%-11s %5.1f %7s %5u %4u %5u %5u  %s\n", det_verdict_name(z->verdict), z->score,
		       holz, z->n_addrs, z->n_asns, z->zone_names, z->zone_flux, z->name);
		if (z->n_reasons > 0)
			printf("            %s\n", z->reasons[0]);
	}
	if (!o->json && a.notes != NULL && notes_count(a.notes) > 0) {
		size_t k = 0;
		for (size_t i = 0; i < notes_count(a.notes); i++) {
			const struct note *nt = notes_at(a.notes, i);
			if (nt == NULL)
				continue;
			if (k++ == 0)
				printf("\nMARKS AND NOTES (session %s)\n", o->session_path);
			printf("%-8s %-40s %s%s\n", notes_kind_name(nt->kind), nt->key, nt->marked ? "[marked] " : "",
			       nt->text ? nt->text : "");
		}
	}
	store_read_unlock(a.store);
	fflush(stdout);
	if (o->stats && a.in != NULL) {
		/* --report --stats: the counters follow on standard error, so that standard output
		 * stays the report (JSON Lines with --json). */
		struct dec_stats ds;
		ingest_dec_stats(a.in, &ds);
		cli_stats_print(stderr, a.in, &ds);
		cli_live_print_stats(stderr, a.in, a.live);
	}
	int rc = a.source_rc;
	cli_analysis_free(&a);
	query_filter_free(qf);
	return rc;
}
