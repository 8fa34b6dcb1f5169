/* fluxscope --report: read the captures into the store, run the detector, print the flagged
 * domains as a table or every selected domain as one JSON object per line. */
#include "cli/filter_err.h"
#include "cli/report.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/geo_cli.h"
#include "cli/pipeline.h"
#include "cli/probe_cmd.h"
#include "cli/stats.h"
#include "fluxscope/log.h"
#include "fluxscope/model.h"
#include "fluxscope/notes.h"
#include "fluxscope/session.h"
#include "fluxscope/query.h"
#include "util/json.h"
#include "util/numfmt.h"

/* The report's stream is written by one thread (this one) at a time: its bytes go out without
 * taking the stream's lock for every character (the locked fputc alone was a sixth of a
 * flood's --all report). */
#define fputc(c, f) fputc_unlocked((c), (f))
#define fputs(str, f) fputs_unlocked((str), (f))
#define fwrite(p, n, m, f) fwrite_unlocked((p), (n), (m), (f))
/* A string literal's bytes at o; the end after them. For lines assembled in memory. */
#define PUT_LIT(o, lit) (memcpy((o), "" lit, sizeof(lit) - 1), (o) + sizeof(lit) - 1)

static void
add_msg(void *ctx, const struct dns_msg *msg)
{
	store_add_msg(ctx, msg);
}

/* Reading files: every answer and glue address is looked up in the enrichment cache as it
 * arrives, so that detection and the report find them all there instead of looking them up
 * one after another. On one thread the store's callback looks up each new answer address;
 * reading as a pipeline (ingest.c), the decoding thread looks up the answer and glue
 * addresses of each response before handing it over (ahead_msg_geo) and the store thread
 * does no lookup: the geo handle is that thread's alone until ingest ends, and the store
 * thread, the pipeline's slower stage, has only the store to fill. The cache then holds the
 * same infos whichever thread looked them up (a lookup's result depends on the address
 * alone). */
static void
add_msg_geo(void *ctx, const struct dns_msg *msg)
{
	struct cli_prefill *p = ctx;
	size_t n;

	store_add_msg(p->store, msg);
	if (p->ahead)                /* set before the first message was handed over */
		return;
	n = store_addr_count(p->store);
	for (; p->n_addrs < n; p->n_addrs++) {
		store_addr_id id = (store_addr_id)(p->n_addrs + 1);
		const struct store_addr *sa = store_addr(p->store, id);
		if (sa != NULL && sa->first_seen != 0)   /* an answer or glue, not a host */
			(void)geo_lookup_id(p->geo, p->store, id, &sa->addr);
	}
}

/* The decoding thread's part (ingest_set_ahead_hook), reading as a pipeline. */
static void
ahead_msg_geo(void *ctx, const struct dns_msg *msg)
{
	struct cli_prefill *p = ctx;

	if (!p->ahead)
		p->ahead = true;
	if (!msg->qr)
		return;
	for (int pass = 0; pass < 3; pass++)       /* cache slots, entries, then the lookups */
		for (uint32_t i = 0; i < msg->n_rr; i++) {
			const struct dns_rr *rr = &msg->rr[i];
			if ((rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA) || rr->addr.family == 0 ||
			    (rr->section != DNS_SEC_ANSWER && rr->section != DNS_SEC_ADDITIONAL))
				continue;
			if (pass < 2)
				geo_prefetch(p->geo, &rr->addr, pass);
			else
				(void)geo_lookup(p->geo, &rr->addr);
		}
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
			struct det_result buf;
			const struct det_result *r = det_view(a->det, i, &buf);
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
	det_set_incremental(a->det, false);   /* one run: nothing to keep for a next one */
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
		a->prefill.store = a->store;
		a->prefill.geo = a->geo;
		if ((st = a->geo != NULL ? cli_ingest_open(o, add_msg_geo, &a->prefill, &a->in, err)
		                         : cli_ingest_open(o, add_msg, a->store, &a->in, err)) != FS_OK)
			goto fail;
		if (a->geo != NULL)
			ingest_set_ahead_hook(a->in, ahead_msg_geo, &a->prefill);
		double t0 = fs_mono_ms();
		store_write_lock(a->store);
		(void)ingest_run(a->in, NULL);       /* source failures are reported below */
		store_write_unlock(a->store);
		cli_log_ingest(a->in, fs_mono_ms() - t0);
		fs_log_memory("read");
	}
	if (a->in != NULL)
		a->source_rc = cli_report_source_errors(a->in);
	/* --probe: answers of the name's resolver and nameservers join what was read */
	if (o->probe != NULL &&
	    (st = cli_probe_run(o, a->store, o->n_files,
	                        o->json && (o->report || o->export_format == NULL) ? stdout : NULL,
	                        err)) != FS_OK)
		goto fail;
	/* The store is done growing: its vectors at their length, so that detection and the
	 * report reuse what growth left unused (store_pack). */
	double tp = fs_mono_ms();
	store_write_lock(a->store);
	size_t packed = store_pack(a->store);
	store_write_unlock(a->store);
	if (fs_log_enabled())
		fs_log("store", "packed: %zu bytes given back in %.1f ms", packed, fs_mono_ms() - tp);
	fs_log_memory("packed");
	if (fs_log_enabled()) {
		struct store_stats ss;
		struct geo_cache_stats gs = { 0 };
		store_get_stats(a->store, &ss);
		if (a->geo != NULL)
			geo_cache_stats(a->geo, &gs);
		fs_log("memory", "store %.1f MiB (%zu domains, %zu addresses, %zu names, %zu sets), "
		       "enrichment cache %.1f MiB (%zu addresses)", ss.bytes / 1048576.0, ss.domains,
		       ss.addrs, ss.names, ss.sets, gs.bytes / 1048576.0, (size_t)gs.entries);
	}
	store_read_lock(a->store);
	det_run(a->det, a->store);
	store_read_unlock(a->store);
	det_release_caches(a->det);          /* run once: the report needs none of them */
	fs_log_memory("detected");
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

/* --filter over a domain: through its record when a term needs its full lists. */
static bool
filter_match(const struct query_filter *qf, const struct cli_analysis *a,
             const struct det_result *r)
{
	struct model_record rec;
	bool ok;

	if (qf == NULL)
		return true;
	if (!query_filter_needs_lists(qf))
		return query_filter_match(qf, r, store_domain(a->store, r->dom));
	model_record_domain(&rec, a->geo, a->store, r);
	ok = query_filter_match_row(qf, &rec.row);
	model_record_free(&rec);
	return ok;
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

/* One writer for both record kinds: a layout lists the keys in report order; a key names a
 * field of the model's table (its value and format come from there) or one of the composite
 * parts below. Fields of the table a layout does not name follow at the end, so every field is
 * in the report. */

struct jw {
	FILE *out;
	bool first;
	const struct model_record *rec;
	const struct cli_analysis *a;
	uint64_t used[16];                     /* fields written by the layout, by index (< 1024) */
};

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
		fs_fput_fixed(out, v, 0);      /* printf's bytes without printf (util/numfmt.h) */
	else
		fs_fput_g(out, v, 6);
}

static void
rep_time(FILE *out, fs_time t)
{
	if (t == 0)
		fputs("null", out);
	else
		fs_fput_time(out, t);
}

/* ISO 8601 UTC with microseconds ("2026-11-18T07:00:03.004000Z"), or null, into buf (room
 * for 64 octets); returns its length. The date and time of the last second formatted are
 * kept (per thread): a report's times fall in few seconds. */
static size_t
fmt_time_iso(char *buf, fs_time t)
{
	static _Thread_local int64_t last_sec = -1;
	static _Thread_local char last[40];
	static _Thread_local size_t last_len;
	int64_t sec = t / FS_USEC, us = t % FS_USEC;

	if (t <= 0) {
		/* before 1970 the remainder is negative: printf's form, as it always was */
		time_t ts = (time_t)sec;
		struct tm tm;
		char day[40];
		if (t == 0 || gmtime_r(&ts, &tm) == NULL ||
		    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
			memcpy(buf, "null", 4);
			return 4;
		}
		int n = snprintf(buf, 64, "\"%s.%06" PRId64 "Z\"", day, us);   /* at most 50 */
		return n < 0 ? 0 : (size_t)n < 64 ? (size_t)n : 63;
	}
	if (sec != last_sec) {
		time_t ts = (time_t)sec;
		struct tm tm;
		if (gmtime_r(&ts, &tm) == NULL ||
		    (last_len = strftime(last + 1, sizeof last - 1, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
			last_sec = -1;
			memcpy(buf, "null", 4);
			return 4;
		}
		last[0] = '"';
		last_len++;
		last_sec = sec;
	}
	memcpy(buf, last, last_len);
	size_t n = last_len;
	buf[n++] = '.';
	for (int i = 5; i >= 0; i--, us /= 10)
		buf[n + (size_t)i] = (char)('0' + us % 10);
	n += 6;
	buf[n++] = 'Z';
	buf[n++] = '"';
	return n;
}

static void
rep_time_iso(FILE *out, fs_time t)
{
	char buf[64];
	fwrite(buf, 1, fmt_time_iso(buf, t), out);
}

static void
rep_key(struct jw *w, const char *k)
{
	size_t n = strlen(k);
	char buf[2 + 6 * 64 + 2];

	if (n > 64) {                  /* the layouts' keys are short: one write below */
		if (!w->first)
			fputc(',', w->out);
		w->first = false;
		rep_str(w->out, k);
		fputc(':', w->out);
		return;
	}
	char *o = buf;
	if (!w->first)
		*o++ = ',';
	w->first = false;
	o = json_put_str(o, k, n, true);
	*o++ = ':';
	fwrite(buf, 1, (size_t)(o - buf), w->out);
}

/* A value of the field in its JSON form. */
static void
rep_value(FILE *out, const struct model_field *f, const struct model_value *v)
{
	char buf[FS_ADDR_STRLEN];

	switch (f->type) {
	case MT_INT:
	case MT_ASN:
		fs_fput_fixed(out, v->num, 0);
		break;
	case MT_FLOAT:
		fs_fput_fixed(out, v->num, f->prec);
		break;
	case MT_BOOL:
		fputs(v->num != 0 ? "true" : "false", out);
		break;
	case MT_ENUM:
		rep_str(out, det_verdict_name((enum det_verdict)(int)v->num));
		break;
	case MT_TIME:
		rep_time(out, (fs_time)v->num);
		break;
	case MT_ADDR:
		rep_str(out, fs_addr_str(&v->addr, buf, sizeof buf));
		break;
	case MT_STRING:
	case MT_COUNTRY:
		rep_str(out, v->str);
		break;
	}
}

static void
rep_field(struct jw *w, const struct model_field *f, const char *key)
{
	struct model_value v;

	rep_key(w, key);
	if (f->flags & MF_LIST) {
		fputc('[', w->out);
		for (size_t i = 0;; i++) {
			memset(&v, 0, sizeof v);
			if (!f->get(&w->rec->row, i, &v))
				break;
			if (i)
				fputc(',', w->out);
			rep_value(w->out, f, &v);
		}
		fputc(']', w->out);
		return;
	}
	memset(&v, 0, sizeof v);
	bool have = model_get(f, &w->rec->row, &v);
	if (have)
		rep_value(w->out, f, &v);
	else
		fputs((f->flags & MF_JSON_ZERO) ? "0" : "null", w->out);
	if (f->type == MT_TIME) {
		/* every time field also in ISO 8601 beside the epoch seconds: KEY_iso */
		char iso[96];
		size_t kl = strlen(key);
		if (kl > sizeof iso - 5)
			kl = sizeof iso - 5;
		memcpy(iso, key, kl);
		memcpy(iso + kl, "_iso", 5);
		rep_key(w, iso);
		rep_time_iso(w->out, have ? (fs_time)v.num : 0);
	}
}

static const struct model_field *
field_by_json_scan(const char *json)
{
	for (size_t i = 0; i < model_field_count(); i++)
		if (strcmp(model_field(i)->json, json) == 0)
			return model_field(i);
	return NULL;
}

/* The layouts' keys are string constants: each is looked up once, before the first record
 * (fields_init), and remembered by its address; records are then written on any number of
 * threads, which only read the memo (a key it lacks is searched, not added). */
static struct { const char *key; const struct model_field *f; } memo[256];

static void
memo_add(const char *json)
{
	size_t h = ((uintptr_t)json >> 3) & 255;

	for (size_t k = 0; k < 256; k++, h = (h + 1) & 255) {
		if (memo[h].key == json)
			return;
		if (memo[h].key == NULL) {
			memo[h].f = field_by_json_scan(json);
			memo[h].key = json;
			return;
		}
	}
}

static const struct model_field *
field_by_json(const char *json)
{
	size_t h = ((uintptr_t)json >> 3) & 255;

	for (size_t k = 0; k < 256 && memo[h].key != NULL; k++, h = (h + 1) & 255)
		if (memo[h].key == json)
			return memo[h].f;
	return field_by_json_scan(json);
}

static void
note_used(struct jw *w, const struct model_field *f)
{
	int i = model_field_index(f);
	if (i >= 0 && i < 1024)
		w->used[i >> 6] |= (uint64_t)1 << (i & 63);
}

static bool
was_used(const struct jw *w, const struct model_field *f)
{
	int i = model_field_index(f);
	return i >= 0 && i < 1024 && (w->used[i >> 6] >> (i & 63) & 1);
}

/* "counts": the count fields in their report order (their fields found by fields_init) */
static const char *const count_keys[] = { "addresses", "addresses_v6", "asns", "countries",
                                          "prefixes16", "prefixes24", "ns_names", "ns_addresses",
                                          "max_per_answer" };
#define N_COUNT_KEYS (sizeof count_keys / sizeof count_keys[0])
static const struct model_field *count_fields[N_COUNT_KEYS];
static const char key_zone_names[] = "zone_names";

static void
part_counts(struct jw *w)
{
	const char *const *keys = count_keys;
	struct jw in = { .out = w->out, .first = true, .rec = w->rec };

	rep_key(w, "counts");
	fputc('{', w->out);
	for (size_t i = 0; i < N_COUNT_KEYS; i++) {
		const struct model_field *f = count_fields[i];
		rep_field(&in, f, keys[i]);
		note_used(w, f);
	}
	fputc('}', w->out);
}

static void
part_holz_flux(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	rep_key(w, "holz_flux");
	fputs(r->holz_available ? (r->holz_score > 0 ? "true" : "false") : "null", w->out);
}

static void
part_ns_addresses(struct jw *w)
{
	char abuf[FS_ADDR_STRLEN];
	rep_key(w, "ns_addresses");
	fputc('[', w->out);
	for (size_t i = 0; i < w->rec->n_ns_addrs; i++) {
		if (i)
			fputc(',', w->out);
		rep_str(w->out, fs_addr_str(&w->rec->ns_addrs[i], abuf, sizeof abuf));
	}
	fputc(']', w->out);
}

static void
part_windows(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	rep_key(w, "windows");
	fputc('{', w->out);
	for (int k = 0; k < DET_WINDOWS; k++) {
		fputs(k ? ",\"" : "\"", w->out);
		fputs(det_window_name(k), w->out);
		fputs("\":{\"addresses\":", w->out);
		fs_fput_u64(w->out, r->window_addrs[k]);
		fputs(",\"asns\":", w->out);
		fs_fput_u64(w->out, r->window_asns[k]);
		fputc('}', w->out);
	}
	fputc('}', w->out);
}

static void
rep_ttls(struct jw *w, const char *key, bool present, double v)
{
	rep_key(w, key);
	if (present)
		fs_fput_fixed(w->out, v, 2);
	else
		fputs("null", w->out);
}

static void
part_flagged_ttls(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	rep_ttls(w, "first_flagged_ttls", r->first_flagged_resp != 0, r->first_flagged_ttls);
}

static void
part_flux_ttls(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	rep_ttls(w, "first_flux_ttls", r->first_flux_resp != 0, r->first_flux_ttls);
}

/* rep_num's bytes into o (FS_NUMFMT_MAX of room); returns the end. */
static char *
put_num(char *o, double v)
{
	if (!isfinite(v))
		return PUT_LIT(o, "null");
	if (v == floor(v) && fabs(v) < 1e15)
		return o + fs_fmt_fixed(o, v, 0);
	return o + fs_fmt_g(o, v, 6);
}

/* write_terms' bytes for term i assembled in buf (TERM_ROOM octets) for one write; false
 * (nothing written) when its name and unit might not fit. */
#define TERM_ROOM 4096
static bool
term_buf(char *buf, size_t *len, const struct det_term *t, int i)
{
	size_t nl = t->name ? strlen(t->name) : 0, ul = t->unit ? strlen(t->unit) : 0;

	if (nl + ul > (TERM_ROOM - 4 * FS_NUMFMT_MAX - 256) / 6)
		return false;
	char *o = buf;
	o = i ? PUT_LIT(o, ",{\"name\":") : PUT_LIT(o, "{\"name\":");
	o = t->name ? json_put_str(o, t->name, nl, true) : PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"unit\":");
	o = t->unit ? json_put_str(o, t->unit, ul, true) : PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"raw\":");
	o = put_num(o, t->raw);
	o = PUT_LIT(o, ",\"value\":");
	o = put_num(o, t->value);
	o = PUT_LIT(o, ",\"weight\":");
	o = put_num(o, t->weight);
	o = PUT_LIT(o, ",\"contribution\":");
	o = put_num(o, t->contribution);
	o = t->available ? PUT_LIT(o, ",\"available\":true}") : PUT_LIT(o, ",\"available\":false}");
	*len = (size_t)(o - buf);
	return true;
}

static void
write_terms(FILE *out, const struct det_result *r)
{
	char buf[TERM_ROOM];
	size_t len;

	fputc('[', out);
	for (int i = 0; r->terms != NULL && i < r->n_terms; i++) {
		struct det_term tb;
		const struct det_term *t = det_term_at(r, i, &tb);
		if (term_buf(buf, &len, t, i)) {
			fwrite(buf, 1, len, out);
			continue;
		}
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
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
		fputs(t->available ? ",\"available\":true}" : ",\"available\":false}", out);
	}
	fputc(']', out);
}

/* Equal term vectors are shared between results (det_share: a flood of names asked once has
 * one), so the JSON of a vector met a second time is kept and copied from then on: a small
 * direct-mapped cache keyed by the vector, one per thread that writes records, emptied by
 * report_cache_clear() on that thread when it is done. */
#define TERM_CACHE 64
static _Thread_local struct term_cache {
	const struct det_terms *terms;
	int n;
	bool seen;                 /* met once: rendered straight to the output */
	char *json;
	size_t len;
} term_cache[TERM_CACHE];

static void
report_cache_clear(void)
{
	for (size_t i = 0; i < TERM_CACHE; i++)
		free(term_cache[i].json);
	memset(term_cache, 0, sizeof term_cache);
}

static void
part_terms(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	struct term_cache *c = &term_cache[((uintptr_t)r->terms >> 4) % TERM_CACHE];

	rep_key(w, "terms");
	if (r->terms == NULL || r->n_terms == 0) {
		write_terms(w->out, r);
		return;
	}
	if (c->terms != r->terms || c->n != r->n_terms) {
		free(c->json);
		*c = (struct term_cache){ .terms = r->terms, .n = r->n_terms, .seen = true };
		write_terms(w->out, r);
		return;
	}
	if (c->json == NULL) {
		size_t cap = 0;
		FILE *m = open_memstream(&c->json, &cap);
		if (m == NULL) {
			write_terms(w->out, r);
			return;
		}
		write_terms(m, r);
		if (fclose(m) != 0) {
			free(c->json);
			c->json = NULL;
			write_terms(w->out, r);
			return;
		}
		c->len = cap;
	}
	fwrite(c->json, 1, c->len, w->out);
}

static void
part_unavailable(struct jw *w)
{
	const struct det_result *r = w->rec->row.r;
	bool f2 = true;

	rep_key(w, "unavailable");
	fputc('[', w->out);
	for (int i = 0; r->terms != NULL && i < r->n_terms; i++) {
		struct det_term t;
		if (det_term_at(r, i, &t)->available)
			continue;
		fputs(f2 ? "" : ",", w->out);
		f2 = false;
		rep_str(w->out, t.name);
	}
	fputc(']', w->out);
}

#define SPREAD_ROW_ROOM 8192

/* ,"KEY":time (null when 0),"KEY_iso":its ISO text; KEY a string literal. */
#define PUT_TIME_PAIR(o, key, t) \
	put_time_pair(PUT_LIT((o), ",\"" key "\":"), (t), ",\"" key "_iso\":", \
	              sizeof(",\"" key "_iso\":") - 1)
static char *
put_time_pair(char *o, fs_time t, const char *iso_key, size_t iso_len)
{
	if (t == 0)
		o = PUT_LIT(o, "null");
	else
		o += fs_fmt_time(o, t);
	memcpy(o, iso_key, iso_len);
	o += iso_len;
	return o + fmt_time_iso(o, t);
}

static char *
put_str_or_null(char *o, const char *s)
{
	if (s == NULL)
		return PUT_LIT(o, "null");
	return json_put_str(o, s, strlen(s), true);
}

/* Octets spread_row_buf may write for row: the fixed parts, numbers (FS_NUMFMT_MAX of room
 * each) and the address are under 3 KiB; a string escaped takes at most 6 octets a byte. */
static size_t
spread_row_room(const struct geo_addr_row *row)
{
	const struct geo_info *g = row->info;
	size_t strs = (g->as_org ? strlen(g->as_org) : 0) + (g->city ? strlen(g->city) : 0) +
	              (g->network ? strlen(g->network) : 0);
	return 3072 + 6 * strs;
}

/* One spread row's JSON into buf (spread_row_room(row) octets at least), for one write;
 * returns its length. */
static size_t
spread_row_buf(char *buf, const struct geo_addr_row *row, bool first)
{
	const struct geo_info *g = row->info;
	const char *org = g->as_org && g->as_org[0] ? g->as_org : NULL;
	const char *city = g->city && g->city[0] ? g->city : NULL;
	const char *net = g->network && g->network[0] ? g->network : NULL;
	char abuf[FS_ADDR_STRLEN];
	char *o = buf;
	o = first ? PUT_LIT(o, "{\"address\":") : PUT_LIT(o, ",{\"address\":");
	o = put_str_or_null(o, fs_addr_str(&row->addr, abuf, sizeof abuf));
	o = PUT_LIT(o, ",\"asn\":");
	if (g->asn)
		o += fs_fmt_u64(o, g->asn);
	else
		o = PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"as_org\":");
	o = put_str_or_null(o, org);
	o = PUT_LIT(o, ",\"country\":");
	o = put_str_or_null(o, g->country[0] ? g->country : NULL);
	o = PUT_LIT(o, ",\"city\":");
	o = put_str_or_null(o, city);
	o = PUT_LIT(o, ",\"lat\":");
	if (g->has_location)
		o += fs_fmt_g(o, g->lat, 15);
	else
		o = PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"lon\":");
	if (g->has_location)
		o += fs_fmt_g(o, g->lon, 15);
	else
		o = PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"network\":");
	o = put_str_or_null(o, net);
	o = PUT_TIME_PAIR(o, "first_seen", row->first_seen);
	o = PUT_TIME_PAIR(o, "last_seen", row->last_seen);
	o = PUT_LIT(o, ",\"count\":");
	o += fs_fmt_u64(o, row->count);
	*o++ = '}';
	return (size_t)(o - buf);
}

static void
part_spread(struct jw *w)
{
	FILE *out = w->out;
	char buf[SPREAD_ROW_ROOM];

	/* The per-address rows of names that are not flagged only when asked (--spread): they
	 * are most of the report's bytes, and every name keeps its address lists and summary. */
	if (w->a != NULL && !w->a->spread_all && !det_is_flagged(w->rec->row.r->verdict))
		return;
	rep_key(w, "spread");
	fputc('[', out);
	for (size_t i = 0; i < w->rec->n_spread_rows; i++) {
		const struct geo_addr_row *row = &w->rec->spread_rows[i];
		size_t room = spread_row_room(row);
		char *b = room <= sizeof buf ? buf : xmalloc(room);   /* strings of kilobytes */
		fwrite(b, 1, spread_row_buf(b, row, i == 0), out);
		if (b != buf)
			free(b);
	}
	fputc(']', out);
}

static void
part_spread_summary(struct jw *w)
{
	const struct geo_spread *sp = &w->rec->spread;
	FILE *out = w->out;

	rep_key(w, "spread_summary");
	fputs("{\"addresses\":", out);
	fs_fput_u64(out, sp->n_addrs);
	fputs(",\"found\":", out);
	fs_fput_u64(out, sp->n_found);
	fputs(",\"asns\":", out);
	fs_fput_u64(out, sp->n_asns);
	fputs(",\"countries\":", out);
	fs_fput_u64(out, sp->n_countries);
	fputs(",\"cities\":", out);
	fs_fput_u64(out, sp->n_cities);
	fputs(",\"networks\":", out);
	fs_fput_u64(out, sp->n_networks);
	fputs(",\"located\":", out);
	fs_fput_u64(out, sp->n_located);
	fputs(",\"max_distance_km\":", out);
	if (sp->n_located >= 2)
		fs_fput_fixed(out, sp->max_km, 1);
	else
		fputs("null", out);
	fputs(",\"asn_entropy\":", out);
	rep_num(out, sp->asn_entropy);
	fputs(",\"country_entropy\":", out);
	rep_num(out, sp->country_entropy);
	fputs(",\"top_asns\":[", out);
	for (int i = 0; i < sp->n_top_asns; i++) {
		fputs(i ? ",{\"asn\":" : "{\"asn\":", out);
		fs_fput_u64(out, sp->top_asns[i].asn);
		fputs(",\"as_org\":", out);
		rep_str(out, sp->top_asns[i].label);
		fputs(",\"addresses\":", out);
		fs_fput_u64(out, sp->top_asns[i].n);
		fputs(",\"share\":", out);
		fs_fput_fixed(out, sp->top_asns[i].share, 4);
		fputc('}', out);
	}
	fputs("],\"top_countries\":[", out);
	for (int i = 0; i < sp->n_top_countries; i++) {
		fputs(i ? ",{\"country\":\"" : "{\"country\":\"", out);
		fputs(sp->top_countries[i].country, out);
		fputs("\",\"addresses\":", out);
		fs_fput_u64(out, sp->top_countries[i].n);
		fputs(",\"share\":", out);
		fs_fput_fixed(out, sp->top_countries[i].share, 4);
		fputc('}', out);
	}
	fputs("]}", out);
}

/* --session: the analyst's note on a domain, and a zone's mark and note */
static void
part_note_domain(struct jw *w)
{
	const struct notes *n = w->a != NULL ? w->a->notes : NULL;
	const struct note *nt = n != NULL ? notes_find(n, NOTE_DOMAIN, w->rec->row.r->name) : NULL;

	if (nt != NULL && nt->text != NULL) {
		rep_key(w, "note");
		rep_str(w->out, nt->text);
	}
}

static void
part_zone_marks(struct jw *w)
{
	const struct notes *n = w->a != NULL ? w->a->notes : NULL;
	const struct note *nt = n != NULL ? notes_find(n, NOTE_ZONE, w->rec->row.r->name) : NULL;

	if (nt == NULL)
		return;
	rep_key(w, "marked");
	fputs(nt->marked ? "true" : "false", w->out);
	if (nt->text != NULL) {
		rep_key(w, "note");
		rep_str(w->out, nt->text);
	}
}

static void
part_names(struct jw *w)
{
	const struct det_result *z = w->rec->row.r;
	rep_key(w, "names");
	fprintf(w->out, "{\"with_answers\":%u,\"flagged\":%u,\"flux\":%u,\"without_addresses\":%u}",
	        z->zone_names, z->zone_flagged, z->zone_flux, z->zone_no_addr);
	note_used(w, field_by_json(key_zone_names));
}

static void
part_members(struct jw *w)
{
	rep_key(w, "members");
	fputc('[', w->out);
	for (size_t i = 0; i < w->rec->n_members; i++) {
		if (i)
			fputc(',', w->out);
		rep_str(w->out, w->rec->members[i]);
	}
	fputc(']', w->out);
}

/* A layout entry: a field's JSON key, or a composite part. */
struct part {
	const char *key;
	void (*write)(struct jw *w);
};

static const struct part domain_layout[] = {
	{ "domain", NULL }, { "kind", NULL }, { "registrable", NULL }, { "zone", NULL },
	{ "zone_verdict", NULL }, { "via_zone", NULL }, { "confidence", NULL }, { "marked", NULL },
	{ "note", part_note_domain }, { "score", NULL },
	{ "logit", NULL }, { "verdict", NULL }, { "holz_score", NULL }, { "holz_flux", part_holz_flux },
	{ "holz_score_all", NULL }, { "reasons", NULL }, { "addresses", NULL }, { "asns", NULL },
	{ "countries", NULL }, { "ttl", NULL }, { "ttl_min", NULL }, { "ns_names", NULL },
	{ "ns_addresses", part_ns_addresses }, { "first_seen", NULL }, { "last_seen", NULL },
	{ "cluster", NULL }, { "cluster_size", NULL }, { "responses", NULL }, { "answers", NULL },
	{ "rrsets", NULL }, { "rrset_changes", NULL }, { "ttl_periods", NULL }, { "ns_changes", NULL },
	{ "ns_ttl", NULL }, { "counts", part_counts }, { "windows", part_windows },
	{ "max_distance_km", NULL }, { "intel", NULL }, { "allowlisted", NULL }, { "guard", NULL },
	{ "first_flagged", NULL }, { "first_flagged_resp", NULL },
	{ "first_flagged_ttls", part_flagged_ttls }, { "first_flux", NULL },
	{ "first_flux_resp", NULL }, { "first_flux_ttls", part_flux_ttls }, { "terms", part_terms },
	{ "unavailable", part_unavailable }, { "spread", part_spread },
	{ "spread_summary", part_spread_summary },
};

static const struct part zone_layout[] = {
	{ "domain", NULL }, { "kind", NULL }, { "registrable", NULL }, { "score", NULL },
	{ "logit", NULL }, { "verdict", NULL }, { "holz_score", NULL }, { "holz_flux", part_holz_flux },
	{ "confidence", NULL }, { "marked", part_zone_marks }, { "reasons", NULL },
	{ "names", part_names },
	{ "members", part_members }, { "ttl", NULL }, { "answers", NULL }, { "rrsets", NULL },
	{ "ns_changes", NULL }, { "counts", part_counts }, { "first_seen", NULL },
	{ "last_seen", NULL }, { "first_flux", NULL }, { "first_flux_resp", NULL }, { "intel", NULL },
	{ "allowlisted", NULL }, { "guard", NULL }, { "terms", part_terms },
};

/* The fields of every key the layouts and parts name, found once before any record is
 * written (on whichever thread comes first). */
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void
fields_init(void)
{
	char path[64];

	for (size_t i = 0; i < sizeof domain_layout / sizeof domain_layout[0]; i++)
		if (domain_layout[i].write == NULL)
			memo_add(domain_layout[i].key);
	for (size_t i = 0; i < sizeof zone_layout / sizeof zone_layout[0]; i++)
		if (zone_layout[i].write == NULL)
			memo_add(zone_layout[i].key);
	memo_add(key_zone_names);
	for (size_t i = 0; i < N_COUNT_KEYS; i++) {
		snprintf(path, sizeof path, "counts.%s", count_keys[i]);
		count_fields[i] = field_by_json_scan(path);
	}
}

static void
write_record(FILE *out, const struct cli_analysis *a, const struct model_record *rec,
             const struct part *layout, size_t n, bool zone)
{
	struct jw w = { .out = out, .first = true, .rec = rec, .a = a };

	pthread_once(&fields_once, fields_init);

	fputc('{', out);
	for (size_t i = 0; i < n; i++) {
		if (layout[i].write != NULL) {
			layout[i].write(&w);
			continue;
		}
		const struct model_field *f = field_by_json(layout[i].key);
		rep_field(&w, f, layout[i].key);
		note_used(&w, f);
	}
	/* the rest of the table: keys added since the report's first shape */
	for (size_t i = 0; i < model_field_count(); i++) {
		const struct model_field *f = model_field(i);
		if (zone && !(f->flags & MF_ZONE))
			continue;
		if (zone && (f->flags & MF_JSON_CUSTOM))
			continue;   /* zone rows have no address records */
		if (!was_used(&w, f) && strchr(f->json, '.') == NULL)
			rep_field(&w, f, f->json);
	}
	fputs("}\n", out);
}

void
cli_report_json(FILE *out, const struct cli_analysis *a, const struct det_result *r)
{
	struct model_record rec;

	model_record_domain(&rec, a->geo, a->store, r);
	write_record(out, a, &rec, domain_layout, sizeof domain_layout / sizeof domain_layout[0], false);
	model_record_free(&rec);
}

/* A zone row: the aggregate of a zone's names (kind "zone"), with its member names (the first
 * 100, most severe first as det_get sorts) when flagged. */
void
cli_report_zone_json(FILE *out, const struct cli_analysis *a, const struct det_result *z)
{
	struct model_record rec;

	model_record_zone(&rec, a->det, z, 100);
	write_record(out, a, &rec, zone_layout, sizeof zone_layout / sizeof zone_layout[0], true);
	model_record_free(&rec);
}

/* Records of --report --json on several threads. The selected records (domains in rank order,
 * then zone rows) are cut into chunks of REC_CHUNK; fs_threads() workers (this thread one of
 * them) each take the next chunk, make its records (store reads, det_view, the enrichment
 * cache through a read-only reader of its own: model_record_domain_ro) and write them
 * (write_record) into the text of the chunk's slot in a ring; whichever worker finds the
 * oldest unwritten chunk complete copies it and every complete one after it to the output,
 * one worker at a time, in chunk order: the bytes are those of one thread whatever the
 * threads. Workers read shared state only: the store (read lock held by the caller), the
 * detector's results, the geo handle (nothing writes it meanwhile; its cache is filled
 * before, rec_prefill), the notes; what they write is their own (their slot, reader, term
 * cache, memory stream) or, one at a time under the pool's mutex, the output. With one
 * thread (fs_threads() == 1) this thread makes and writes each record itself. */
#define REC_CHUNK 8               /* records a worker takes at a time */
#define REC_RING_PER_THREAD 2     /* chunks made ahead of the output, per worker */
#define REC_TEXT_KEEP (1024u << 10) /* a slot's text room kept for the next chunk */
struct rec_item {
	uint32_t i;                /* det_view index, or det_zone_get index */
	bool zone;
};
struct rec_text {
	char *p;
	size_t n, cap;
};
struct rec_slot {
	struct rec_text text;
	size_t seq;                /* chunk number + 1 once its text is complete */
};
struct rec_pool {
	FILE *out;
	const struct cli_analysis *a;
	const struct rec_item *items;
	size_t n, n_chunks;
	struct rec_slot *ring;
	size_t n_ring;             /* REC_RING_PER_THREAD a worker */
	size_t next;               /* chunks taken */
	size_t tail;               /* chunks written out */
	bool writing;              /* a worker is copying texts to the output */
	pthread_mutex_t mu;
	pthread_cond_t written;
};
struct rec_worker {
	struct rec_pool *p;
	struct rec_text *cur;      /* where its stream's bytes go (the slot being made) */
	FILE *f;
	pthread_t t;
};

/* The record of one item into out; geo through ro when given (a worker), else the handle. */
static void
rec_make(const struct cli_analysis *a, const struct rec_item *it, struct geo_ro *ro, FILE *out)
{
	struct model_record rec;
	struct det_result res;     /* a name the detector keeps compact is made here */

	if (it->zone) {
		model_record_zone(&rec, a->det, det_zone_get(a->det, it->i), 100);
		write_record(out, a, &rec, zone_layout, sizeof zone_layout / sizeof zone_layout[0], true);
	} else {
		const struct det_result *r = det_view(a->det, it->i, &res);
		if (ro != NULL)
			model_record_domain_ro(&rec, ro, a->store, r);
		else
			model_record_domain(&rec, a->geo, a->store, r);
		write_record(out, a, &rec, domain_layout, sizeof domain_layout / sizeof domain_layout[0],
		             false);
	}
	model_record_free(&rec);
}

/* A slot's text lives in pages of its own, not in the heap: texts are kept from chunk to
 * chunk while the records' own blocks come and go, and kept among them they would stop the
 * heap's free space from merging, each worker touching ever more fresh pages (the report's
 * resident size grew by 5 to 15 MiB over detection's). REC_TEXT_SPAN bytes of address space
 * are mapped at once (only the pages written become memory) and grown by mremap past that;
 * after a chunk longer than REC_TEXT_KEEP the pages beyond are given back (MADV_DONTNEED), so
 * that a slot holds at most that much between chunks and ordinary chunks fault no page. */
#define REC_TEXT_SPAN ((size_t)8 << 20)
static void
rec_text_room(struct rec_text *t, size_t need)
{
	size_t cap = t->cap ? t->cap : REC_TEXT_SPAN;
	void *p;

	while (cap < need)
		cap *= 2;
	p = t->p == NULL ? mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	                        MAP_NORESERVE, -1, 0)
	                 : mremap(t->p, t->cap, cap, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		fs_fatal("out of memory for %zu bytes of report text", cap);
	t->p = p;
	t->cap = cap;
}

/* After the slot's text went out: what lies beyond REC_TEXT_KEEP given back. */
static void
rec_text_trim(struct rec_text *t)
{
	if (t->n > REC_TEXT_KEEP)
		(void)madvise(t->p + REC_TEXT_KEEP, t->n - REC_TEXT_KEEP, MADV_DONTNEED);
	t->n = 0;
}

static void
rec_text_free(struct rec_text *t)
{
	if (t->p != NULL)
		munmap(t->p, t->cap);
	*t = (struct rec_text){ 0 };
}

static ssize_t
rec_text_write(void *cookie, const char *buf, size_t len)
{
	struct rec_text *t = *(struct rec_text **)cookie;

	if (t->n + len > t->cap)
		rec_text_room(t, t->n + len);
	memcpy(t->p + t->n, buf, len);
	t->n += len;
	return (ssize_t)len;
}

/* Copy every complete chunk from the oldest unwritten on to the output. Called with the
 * mutex held by a worker that is not writing while no other is. */
static void
rec_drain(struct rec_pool *p)
{
	p->writing = true;
	for (;;) {
		struct rec_slot *sl = &p->ring[p->tail % p->n_ring];
		if (p->tail >= p->n_chunks || sl->seq != p->tail + 1)
			break;
		pthread_mutex_unlock(&p->mu);
		fwrite(sl->text.p, 1, sl->text.n, p->out);
		/* a large chunk's pages are given back: the ring would keep n_ring of them */
		rec_text_trim(&sl->text);
		pthread_mutex_lock(&p->mu);
		p->tail++;
		pthread_cond_broadcast(&p->written);
	}
	p->writing = false;
}

static void *
rec_worker_main(void *arg)
{
	struct rec_worker *w = arg;
	struct rec_pool *p = w->p;
	struct geo_ro *ro = geo_ro_new(p->a->geo);

	pthread_mutex_lock(&p->mu);
	while (p->next < p->n_chunks) {
		size_t k = p->next++;
		while (k >= p->tail + p->n_ring)
			pthread_cond_wait(&p->written, &p->mu);
		pthread_mutex_unlock(&p->mu);
		struct rec_slot *sl = &p->ring[k % p->n_ring];
		sl->text.n = 0;
		w->cur = &sl->text;
		for (size_t i = k * REC_CHUNK; i < p->n && i < (k + 1) * REC_CHUNK; i++)
			rec_make(p->a, &p->items[i], ro, w->f);
		fflush(w->f);
		pthread_mutex_lock(&p->mu);
		sl->seq = k + 1;
		if (!p->writing && k == p->tail)
			rec_drain(p);
	}
	pthread_mutex_unlock(&p->mu);
	report_cache_clear();      /* this thread's term cache */
	geo_ro_free(ro);
	return NULL;
}

/* Before workers read the enrichment cache: every answer address in it, so that their
 * read-only lookups find them instead of resolving them one at a time. Detection's address
 * fill has looked up every address of the store already, and reading files the store thread
 * looked each up as it came; this only walks what neither may have seen (after a live capture
 * or ageing, every address, each found in the cache). */
static void
rec_prefill(struct cli_analysis *a)
{
	if (a->geo == NULL || !geo_enabled(a->geo))
		return;
	size_t n = store_addr_count(a->store), from = a->live == NULL ? a->prefill.n_addrs : 0;
	for (size_t i = from; i < n; i++) {
		const struct store_addr *sa = store_addr(a->store, (store_addr_id)(i + 1));
		if (sa != NULL && sa->first_seen != 0)
			(void)geo_lookup_id(a->geo, a->store, (store_addr_id)(i + 1), &sa->addr);
	}
	a->prefill.n_addrs = n;
}

/* The JSON records of the selected items, in order. */
static void
write_records(FILE *out, struct cli_analysis *a, const struct rec_item *items, size_t n)
{
	static const cookie_io_functions_t io = { .write = rec_text_write };
	int threads = fs_threads();

	if (threads <= 1 || n <= REC_CHUNK) {
		for (size_t i = 0; i < n; i++)
			rec_make(a, &items[i], NULL, out);
		return;
	}
	rec_prefill(a);
	struct rec_pool *p = xcalloc(1, sizeof *p);
	struct rec_worker *w = xcalloc((size_t)threads, sizeof *w);
	p->out = out;
	p->a = a;
	p->items = items;
	p->n = n;
	p->n_chunks = (n + REC_CHUNK - 1) / REC_CHUNK;
	p->n_ring = (size_t)threads * REC_RING_PER_THREAD;
	p->ring = xcalloc(p->n_ring, sizeof *p->ring);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->written, NULL);
	int started = 0;
	bool mine = false;         /* this thread's stream is open: it works too */
	for (int i = 0; i < threads; i++) {
		w[i].p = p;
		if ((w[i].f = fopencookie(&w[i].cur, "w", io)) == NULL)
			break;
		setvbuf(w[i].f, NULL, _IOFBF, 65536);
		if (i == 0) {
			mine = true;
			continue;
		}
		if (pthread_create(&w[i].t, NULL, rec_worker_main, &w[i]) != 0) {
			fclose(w[i].f);
			break;
		}
		started++;
	}
	if (mine)
		rec_worker_main(&w[0]);
	for (int i = 1; i <= started; i++)
		pthread_join(w[i].t, NULL);
	if (mine)
		fclose(w[0].f);
	for (int i = 1; i <= started; i++)
		fclose(w[i].f);
	if (!mine)                 /* no stream for this thread: it writes alone */
		for (size_t i = 0; i < n; i++)
			rec_make(a, &items[i], NULL, out);
	for (size_t i = 0; i < p->n_ring; i++)
		rec_text_free(&p->ring[i].text);
	free(p->ring);
	pthread_cond_destroy(&p->written);
	pthread_mutex_destroy(&p->mu);
	free(w);
	free(p);
}

/* The first object of --report --json: what the run was (kind "run"). */
static void
rep_str_array(FILE *out, const char *const *v, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		rep_str(out, v[i]);
	}
	fputc(']', out);
}

void
cli_report_run_json(FILE *out, const struct opts *o, const struct cli_analysis *a,
                    fs_time started, const size_t *by_verdict)
{
	char buf[2048];

	fprintf(out, "{\"kind\":\"run\",\"version\":");
	rep_str(out, FS_VERSION);
	fputs(",\"started\":", out);
	rep_time(out, started);
	fputs(",\"started_iso\":", out);
	rep_time_iso(out, started);
	fputs(",\"sources\":[", out);
	int k = 0;
	for (int i = 0; i < o->n_files; i++, k++) {
		fprintf(out, "%s{\"type\":\"file\",\"path\":", k ? "," : "");
		rep_str(out, o->files[i]);
		fputc('}', out);
	}
	if (o->iface != NULL) {
		fprintf(out, "%s{\"type\":\"interface\",\"name\":", k++ ? "," : "");
		rep_str(out, o->iface);
		fputc('}', out);
	}
	for (int i = 0; i < o->n_dnstap; i++, k++) {
		fprintf(out, "%s{\"type\":\"dnstap\",\"address\":", k ? "," : "");
		rep_str(out, o->dnstap[i]);
		fputc('}', out);
	}
	if (o->source != NULL) {
		fprintf(out, "%s{\"type\":\"clickhouse\",\"url\":", k++ ? "," : "");
		rep_str(out, o->source);
		fputc('}', out);
	}
	fputs("],\"databases\":[", out);
	for (int i = 0; a->geo != NULL && i < geo_db_count(a->geo); i++) {
		const struct geo_db_info *g = geo_db(a->geo, i);
		fprintf(out, "%s{\"path\":", i ? "," : "");
		rep_str(out, g->path);
		fputs(",\"type\":", out);
		rep_str(out, g->type);
		fputs(",\"kind\":", out);
		rep_str(out, geo_kind_name(g->kind));
		fputs(",\"built\":", out);
		rep_time(out, g->built);
		fputs(",\"built_iso\":", out);
		rep_time_iso(out, g->built);
		fprintf(out, ",\"age_days\":%d,\"stale\":%s}", g->age_days, g->stale ? "true" : "false");
	}
	fputs("],\"geoip\":", out);
	rep_str(out, o->no_geoip ? "off (--no-geoip)" : geo_describe_short(a->geo, buf, sizeof buf));
	fputs(",\"vantage\":", out);
	rep_str(out, det_vantage_name(det_vantage(a->det)));
	fputs(",\"detector\":{\"description\":", out);
	rep_str(out, det_describe(a->det, buf, sizeof buf));
	fputs(",\"weights\":", out);
	rep_str(out, o->weights);
	fputs(",\"allowlists\":", out);
	rep_str_array(out, o->allowlist, o->n_allowlist);
	fputs(",\"intel\":", out);
	rep_str_array(out, o->intel, o->n_intel);
	fputs("},\"unavailable\":", out);
	rep_str(out, det_unavailable_features(a->det));
	fputs(",\"filter\":", out);
	rep_str(out, o->filter);
	fputs(",\"min_score\":", out);
	if (o->min_score_set)
		rep_num(out, o->min_score);
	else
		fputs("null", out);
	fprintf(out, ",\"all\":%s,\"session\":", o->all ? "true" : "false");
	rep_str(out, o->session_path);
	fprintf(out, ",\"domains\":%zu,\"zones\":%zu,\"verdicts\":{", det_count(a->det),
	        det_zone_count(a->det));
	for (int v = 0; v < DET_VERDICT_COUNT; v++)
		fprintf(out, "%s\"%s\":%zu", v ? "," : "", det_verdict_name((enum det_verdict)v),
		        by_verdict[v]);
	fputs("},\"order\":\"rank: logit, then verdict, then evidence (det_rank_cmp)\"}\n", out);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

/* One cell; text that a spreadsheet would take for a formula is kept as text by a leading
 * quote mark (names and reasons come from the capture). */
static void
csv_cell(FILE *out, const char *s, bool text)
{
	bool formula = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');

	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && !formula) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* The header: every field's key, in table order. */
void
cli_report_csv_header(FILE *out)
{
	for (size_t i = 0; i < model_field_count(); i++) {
		if (i)
			fputc(',', out);
		fputs(model_field(i)->key, out);
	}
	fputs("\r\n", out);
}

static void
csv_row(FILE *out, const struct model_row *row)
{
	static char buf[65536];

	for (size_t i = 0; i < model_field_count(); i++) {
		if (i)
			fputc(',', out);
		csv_cell(out, model_format(model_field(i), row, buf, sizeof buf),
		         model_field(i)->type == MT_STRING);
	}
	fputs("\r\n", out);
}

void
cli_report_csv(FILE *out, const struct cli_analysis *a, const struct det_result *r)
{
	struct model_record rec;

	if (r->is_zone)
		model_record_zone(&rec, a->det, r, 0);
	else
		model_record_domain(&rec, a->geo, a->store, r);
	csv_row(out, &rec.row);
	model_record_free(&rec);
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
	fprintf(out, "%-11s %5.1f %6.1f %7s %5u %4u %3u %6u %5u %4u  %-17s %s  %s\n",
	        det_verdict_name(r->verdict), r->score, r->logit, holz, r->n_addrs, r->n_asns, r->n_countries,
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
	struct timespec ts_start;
	clock_gettime(CLOCK_REALTIME, &ts_start);
	fs_time started = (fs_time)ts_start.tv_sec * FS_USEC + ts_start.tv_nsec / 1000;
	if (cli_analysis_run(o, &a, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		query_filter_free(qf);
		return 1;
	}
	a.spread_all = o->spread;
	store_read_lock(a.store);
	size_t n = det_count(a.det), n_items = 0;
	struct det_result rbuf;        /* det_view: a name kept compact is made here, not kept */
	/* --json: the records to write, domains then zone rows (write_records) */
	struct rec_item *items = NULL;
	if (o->json && !o->csv)
		items = xmalloc((n + det_zone_count(a.det) + 1) * sizeof *items);
	for (size_t i = 0; i < n; i++) {
		const struct det_result *r = det_view(a.det, i, &rbuf);
		by_verdict[r->verdict]++;
		if (cli_report_selects(o, r) && filter_match(qf, &a, r)) {
			shown++;
			if (items != NULL)
				items[n_items++] = (struct rec_item){ .i = (uint32_t)i, .zone = false };
		}
	}
	if (o->csv)
		cli_report_csv_header(stdout);
	else if (o->json)
		cli_report_run_json(stdout, o, &a, started, by_verdict);
	if (o->json || o->csv) {
		const char *un = det_unavailable_features(a.det);
		if (un[0])
			fprintf(stderr, "fluxscope: unavailable features: %s\n", un);
	} else {
		print_header(stdout, o, &a, shown, by_verdict);
		if (shown > 0)
			printf("%-11s %5s %6s %7s %5s %4s %3s %6s %5s %4s  %-17s %-19s  %s\n", "VERDICT", "SCORE",
			       "LOGIT", "HOLZ", "ADDRS", "ASNS", "CC", "TTL", "NSCHG", "CL", "FLAGGED-AFTER",
			       "LAST-SEEN (UTC)", "DOMAIN");
		else
			printf("no %sdomains to show%s\n", o->all ? "" : "flagged ",
			       o->all ? "" : " (--all shows every domain)");
	}
	for (size_t i = 0; i < n && items == NULL; i++) {
		const struct det_result *r = det_view(a.det, i, &rbuf);
		if (!cli_report_selects(o, r) || !filter_match(qf, &a, r))
			continue;
		if (o->csv)
			cli_report_csv(stdout, &a, r);
		else
			print_row(stdout, r);
	}
	/* zone rows: the aggregate of each zone's names */
	size_t nz = det_zone_count(a.det), zshown = 0;
	for (size_t i = 0; i < nz; i++) {
		const struct det_result *z = det_zone_get(a.det, i);
		if (!cli_report_selects(o, z) || (qf != NULL && !query_filter_match(qf, z, NULL)))
			continue;
		if (o->csv) {
			cli_report_csv(stdout, &a, z);
			continue;
		}
		if (items != NULL) {
			items[n_items++] = (struct rec_item){ .i = (uint32_t)i, .zone = true };
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
	if (items != NULL) {
		write_records(stdout, &a, items, n_items);
		free(items);
		fs_log_memory("records written");
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
	report_cache_clear();
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
