/* Lines of the domain-detail tabs, built from the store (under its read lock), the detector's
 * result for the domain and the UI's geo handle; and the domain lists behind pivots. */
#include "ui/detail.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/canvas.h"

static const char *const tab_names[DTAB_COUNT] = {
	"Summary", "Timeline", "Spread", "Nameservers", "Related"
};

/* Role changes inside a line: M then MR(role) switches, MEND returns to the line's role. */
#define M "\x01%c"
#define MR(role) ((char)((role) + 2))
#define MEND "\x01\x01"

#define TIMELINE_MAX 20000     /* responses listed; the rest are counted */
#define RELATED_MAX 500        /* related domains listed */
#define FANOUT_MAX 20000       /* domains read per shared address or NS name */

const char *
detail_tab_name(int tab)
{
	return tab >= 0 && tab < DTAB_COUNT ? tab_names[tab] : "?";
}

void
dlines_add(struct dlines *d, int kind, uint32_t key, int role, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->l = xreallocarray(d->l, (size_t)d->cap, sizeof *d->l);
	}
	d->l[d->n++] = (struct dline){ text, (uint8_t)kind, (uint16_t)role, key };
}

void
dlines_clear(struct dlines *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->l[i].text);
	free(d->l);
	memset(d, 0, sizeof *d);
}

/* Strings from databases or the wire may carry control bytes (and the mark byte): show '?'. */
static const char *
clean(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (; s != NULL && *s != '\0' && o + 1 < len; s++)
		buf[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	buf[o] = '\0';
	return buf;
}

/* A growable text buffer for composing one line. */
struct sbuf {
	char *b;
	size_t n, cap;
};

static void
sb_addf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
sb_addf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (s->n + (size_t)n + 1 > s->cap) {
		s->cap = (s->n + (size_t)n + 1) * 2;
		s->b = xrealloc(s->b, s->cap);
	}
	va_start(ap, fmt);
	vsnprintf(s->b + s->n, s->cap - s->n, fmt, ap);
	va_end(ap);
	s->n += (size_t)n;
}

static bool
span_days(const struct detail_ctx *ctx, fs_time a, fs_time b)
{
	(void)ctx;
	return b - a >= 86400 * FS_USEC;
}

static const char *
fmt_dur(fs_time d, char *buf, size_t len)
{
	int64_t s = d / FS_USEC;
	if (s < 120)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", (double)s / 3600);
	else
		snprintf(buf, len, "%.1f days", (double)s / 86400);
	return buf;
}

static const char *
addr_str(const struct store *st, store_addr_id id, char *buf, size_t len)
{
	const struct store_addr *a = store_addr(st, id);
	if (a == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	return fs_addr_str(&a->addr, buf, len);
}

/* ---- Summary ------------------------------------------------------------------------------ */

static void
summary_from_row(const struct detail_ctx *ctx, const struct snap_row *r, struct dlines *out)
{
	char t1[32], t2[32], ttl[16];
	bool wd = span_days(ctx, ctx->snap->t_min, ctx->snap->t_max);

	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Verdict      " M "%s" MEND,
	           MR(app_verdict_role(r->verdict)), snap_verdict_name(r->verdict));
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Score        " M "%.1f" MEND " / 100",
	           MR(UI_ROLE_VALUE), r->score);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Seen         " M "%s" MEND " to " M "%s" MEND
	           " UTC, %u responses", MR(UI_ROLE_VALUE),
	           app_fmt_time(r->first_seen, wd, t1, sizeof t1), MR(UI_ROLE_VALUE),
	           app_fmt_time(r->last_seen, wd, t2, sizeof t2), r->n_responses);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Spread       %u addresses, %u ASNs, %u countries; "
	           "min TTL %s; %u NS changes", r->n_addrs, r->n_asns, r->n_countries,
	           app_fmt_ttl(r->ttl_min, ttl, sizeof ttl), r->n_ns_changes);
}

/* The analyst's notes on the domain and its registrable domain (zone), first. */
static void
summary_notes(const struct detail_ctx *ctx, const char *name, const char *zone, struct dlines *out)
{
	char key[300], cbuf[1100];
	struct fs_err e = { 0 };
	const struct note *n;

	if (ctx->notes == NULL || name == NULL)
		return;
	if (notes_canon(NOTE_DOMAIN, name, key, sizeof key, &e) == FS_OK &&
	    (n = notes_find(ctx->notes, NOTE_DOMAIN, key)) != NULL)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Note         " M "%s%s" MEND, MR(UI_ROLE_MARK),
		           n->marked ? "[marked] " : "", n->text ? clean(n->text, cbuf, sizeof cbuf) : "");
	if (zone != NULL && strcmp(zone, name) != 0 &&
	    notes_canon(NOTE_ZONE, zone, key, sizeof key, &e) == FS_OK &&
	    (n = notes_find(ctx->notes, NOTE_ZONE, key)) != NULL)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Zone note    " M "%s: %s%s" MEND, MR(UI_ROLE_MARK), key,
		           n->marked ? "[marked] " : "", n->text ? clean(n->text, cbuf, sizeof cbuf) : "");
}

static void
summary(const struct detail_ctx *ctx, uint32_t dom, const struct snap_row *row, struct dlines *out)
{
	const struct det_result *r = ctx->det != NULL ? det_for_domain(ctx->det, dom) : NULL;
	const struct store_domain *d = ctx->store != NULL ? store_domain(ctx->store, dom) : NULL;
	char t1[32], t2[32], b1[64], b2[64], cbuf[512];
	bool wd;

	summary_notes(ctx, row->name, r != NULL ? r->registrable : NULL, out);
	if (r == NULL || d == NULL) {
		summary_from_row(ctx, row, out);
		if (r == NULL)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "(not scored yet)");
		return;
	}
	wd = span_days(ctx, d->first_seen, d->last_seen);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Verdict      " M "%s" MEND "%s%s%s%s",
	           MR(app_verdict_role((int)r->verdict)), det_verdict_name(r->verdict),
	           r->guard != NULL ? "   (guard: " : "", r->guard != NULL ? clean(r->guard, cbuf, sizeof cbuf) : "",
	           r->guard != NULL ? ")" : "", r->allowlisted ? "   allowlisted" : "");
	if (r->holz_available)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Score        " M "%.1f" MEND " / 100 (logit %.2f)   Holz flux-score " M "%.1f"
		           MEND " (first lookups; %s), %.1f over all addresses",
		           MR(UI_ROLE_VALUE), r->score, r->logit, MR(UI_ROLE_VALUE), r->holz_score,
		           r->holz_score > 0 ? "> 0: flux by Holz et al." : "not flux by Holz et al.",
		           r->holz_score_all);
	else
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Score        " M "%.1f" MEND " / 100 (logit %.2f)   Holz flux-score: needs ASN data",
		           MR(UI_ROLE_VALUE), r->score, r->logit);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Registrable  " M "%s" MEND "%s",
	           MR(UI_ROLE_VALUE), clean(r->registrable, cbuf, sizeof cbuf),
	           r->cluster != 0 ? "" : "   no cluster");
	if (r->cluster != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Cluster      " M "#%u" MEND ", %u domains sharing addresses or nameservers (Related tab)",
		           MR(UI_ROLE_VALUE), r->cluster, r->cluster_size);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Seen         " M "%s" MEND " to " M "%s" MEND " UTC (%s), %u responses, %u NXDOMAIN",
	           MR(UI_ROLE_VALUE), app_fmt_time(d->first_seen, wd, t1, sizeof t1),
	           MR(UI_ROLE_VALUE), app_fmt_time(d->last_seen, wd, t2, sizeof t2),
	           fmt_dur(d->last_seen - d->first_seen, b1, sizeof b1), d->n_responses, d->n_nxdomain);
	if (r->max_distance_km >= 0)
		snprintf(b2, sizeof b2, "; %.0f km apart at most", r->max_distance_km);
	else
		b2[0] = '\0';
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Spread       " M "%u" MEND " addresses (%u IPv6) in " M "%u" MEND " ASNs and " M "%u"
	           MEND " countries; %u /16s, %u /24s%s",
	           MR(UI_ROLE_VALUE), r->n_addrs, r->n_addrs_v6, MR(UI_ROLE_VALUE), r->n_asns,
	           MR(UI_ROLE_VALUE), r->n_countries, r->n_prefixes16, r->n_prefixes24, b2);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "TTL          estimate " M "%u s" MEND ", lowest seen %u s; %u answer-set changes over %u sets",
	           MR(UI_ROLE_VALUE), r->ttl, r->ttl_min, r->n_rrset_changes, r->n_rrsets);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Nameservers  %u names, %u addresses, " M "%u" MEND " NS-set changes%s%s",
	           r->n_ns_names, r->n_ns_addrs, MR(UI_ROLE_VALUE), r->n_ns_changes,
	           r->ns_ttl > 0 ? ", NS TTL " : "", r->ns_ttl > 0 ? app_fmt_ttl(r->ns_ttl, b1, sizeof b1) : "");
	if (r->intel_hit)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Intel        " M "listed in %s" MEND,
		           MR(UI_ROLE_V_SINGLE), clean(r->intel_feed, cbuf, sizeof cbuf));
	if (r->first_flagged != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Detected     flagged at %s after %u responses (%.1f TTL periods)",
		           app_fmt_time(r->first_flagged, wd, t1, sizeof t1), r->first_flagged_resp,
		           r->first_flagged_ttls);
	if (r->first_flux != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "             flux at %s after %u responses (%.1f TTL periods)",
		           app_fmt_time(r->first_flux, wd, t1, sizeof t1), r->first_flux_resp, r->first_flux_ttls);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Reasons");
	if (r->n_reasons == 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  (none)");
	for (int i = 0; i < r->n_reasons; i++)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "  - %s", clean(r->reasons[i], cbuf, sizeof cbuf));
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Score terms (value in its own units; contribution to the logit)");
	{
		double maxc = 0;
		int barw = ctx->width - 64;
		if (barw > 30)
			barw = 30;
		for (int i = 0; i < r->n_terms; i++)
			if (fabs(r->terms[i].contribution) > maxc)
				maxc = fabs(r->terms[i].contribution);
		for (int i = 0; i < r->n_terms; i++) {
			const struct det_term *t = &r->terms[i];
			char bar[128] = "";
			int n = 0;
			if (!t->available) {
				dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-20s %12s %-10s   n/a (no data)",
				           t->name, "", t->unit != NULL ? t->unit : "");
				continue;
			}
			if (barw > 0 && maxc > 0)
				n = (int)(fabs(t->contribution) / maxc * barw + 0.5);
			for (int k = 0; k < n && k < (int)sizeof bar / 3 - 1; k++)
				strcat(bar, ctx->unicode ? "\xe2\x96\x88" : "#");
			char raw[32];
			if (fabs(t->raw) >= 100 || t->raw == floor(t->raw))
				snprintf(raw, sizeof raw, "%.0f", t->raw);
			else
				snprintf(raw, sizeof raw, "%.3g", t->raw);
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "  %-20s %12s %-10s " M "%+7.2f" MEND " " M "%s" MEND,
			           t->name, raw, t->unit != NULL ? t->unit : "",
			           MR(t->contribution > 0 ? UI_ROLE_TERM_UP : t->contribution < 0 ? UI_ROLE_TERM_DOWN
			                                                                       : UI_ROLE_DIM),
			           t->contribution,
			           MR(t->contribution >= 0 ? UI_ROLE_TERM_UP : UI_ROLE_TERM_DOWN), bar);
		}
	}
}

/* ---- Timeline ----------------------------------------------------------------------------- */

static const char *const spark_u[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
static const char spark_a[8] = { '.', ':', '-', '=', '+', '*', '#', '@' };

static void
sparkline(const struct detail_ctx *ctx, const uint32_t *v, int n, struct sbuf *sb)
{
	uint32_t max = 0;
	for (int i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (int i = 0; i < n; i++) {
		int lvl = max == 0 ? 0 : (int)((uint64_t)v[i] * 7 / max);
		if (v[i] == 0) {
			sb_addf(sb, " ");
			continue;
		}
		if (ctx->unicode)
			sb_addf(sb, "%s", spark_u[lvl]);
		else
			sb_addf(sb, "%c", spark_a[lvl]);
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void
timeline(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	uint8_t *seen;
	size_t nseen;
	int buckets;
	uint32_t *per, *cum;
	char t1[32], a1[FS_ADDR_STRLEN], rc[16], cb[512];
	struct sbuf sb = { 0 };
	bool wd;

	if (d == NULL)
		return;
	wd = span_days(ctx, d->first_seen, d->last_seen);
	/* CNAME chain */
	if (d->n_cnames > 0) {
		sb.n = 0;
		sb_addf(&sb, "CNAME chain  %s", clean(store_name_str(st, d->name), cb, sizeof cb));
		for (uint32_t i = 0; i < d->n_cnames; i++)
			sb_addf(&sb, " -> %s", clean(store_name_str(st, d->cnames[i]), cb, sizeof cb));
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "%s", sb.b);
	} else
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "CNAME chain  (none: answered directly)");

	/* Sparklines: distinct addresses per interval and in total, across the domain's time. */
	nseen = store_addr_count(st) + 1;
	seen = xcalloc(nseen, 1);
	buckets = ctx->width - 30;
	if (buckets > 80)
		buckets = 80;
	if (buckets < 8)
		buckets = 8;
	per = xcalloc((size_t)buckets, sizeof *per);
	cum = xcalloc((size_t)buckets, sizeof *cum);
	{
		fs_time span = d->last_seen - d->first_seen;
		uint32_t total = 0;
		uint32_t *in_bucket = NULL;
		size_t nib = 0, capib = 0;
		int cur = -1;
		for (uint32_t i = 0; i < d->n_resp; i++) {
			const struct store_response *r = &d->resp[i];
			int b = span > 0 ? (int)((double)(r->ts - d->first_seen) / (double)span * (buckets - 1) + 0.5) : 0;
			const uint32_t *m;
			uint32_t n;
			if (b < 0)
				b = 0;
			if (b >= buckets)
				b = buckets - 1;
			if (b != cur) {
				/* distinct addresses within one bucket: sort and count */
				if (cur >= 0 && nib > 0) {
					qsort(in_bucket, nib, sizeof *in_bucket, cmp_u32);
					uint32_t k = 1;
					for (size_t j = 1; j < nib; j++)
						k += in_bucket[j] != in_bucket[j - 1];
					per[cur] = k;
				}
				nib = 0;
				cur = b;
			}
			m = store_set_members(st, r->aset, &n);
			for (uint32_t j = 0; j < n; j++) {
				if (nib == capib) {
					capib = capib ? capib * 2 : 64;
					in_bucket = xreallocarray(in_bucket, capib, sizeof *in_bucket);
				}
				in_bucket[nib++] = m[j];
				if (m[j] < nseen && !(seen[m[j]] & 1)) {
					seen[m[j]] |= 1;
					total++;
				}
			}
			cum[b] = total;
		}
		if (cur >= 0 && nib > 0) {
			qsort(in_bucket, nib, sizeof *in_bucket, cmp_u32);
			uint32_t k = 1;
			for (size_t j = 1; j < nib; j++)
				k += in_bucket[j] != in_bucket[j - 1];
			per[cur] = k;
		}
		for (int b = 1; b < buckets; b++)
			if (cum[b] < cum[b - 1])
				cum[b] = cum[b - 1];
		free(in_bucket);
		{
			uint32_t mx = 0;
			for (int b = 0; b < buckets; b++)
				if (per[b] > mx)
					mx = per[b];
			sb.n = 0;
			sb_addf(&sb, "Addresses    " M, MR(UI_ROLE_SPARK));
			sparkline(ctx, per, buckets, &sb);
			sb_addf(&sb, MEND " distinct per interval (max %u)", mx);
		}
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "%s", sb.b);
		sb.n = 0;
		sb_addf(&sb, "             " M, MR(UI_ROLE_SPARK));
		sparkline(ctx, cum, buckets, &sb);
		sb_addf(&sb, MEND " seen so far (%u in all)", total);
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "%s", sb.b);
		sb.n = 0;
		sb_addf(&sb, "             %s", app_fmt_time(d->first_seen, wd, t1, sizeof t1));
		{
			char t2[32];
			app_fmt_time(d->last_seen, wd, t2, sizeof t2);
			int pad = buckets - (int)strlen(t1) - (int)strlen(t2);
			sb_addf(&sb, "%*s%s", pad > 1 ? pad : 1, "", t2);
		}
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "%s", sb.b);
	}
	free(per);
	free(cum);
	memset(seen, 0, nseen);

	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "%u responses, oldest first; new addresses highlighted%s",
	           d->n_resp, d->n_resp_expired ? " (older ones aged out)" : "");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "%-*s %7s  %-8s %s", wd ? 14 : 10, "time (UTC)", "TTL",
	           "rcode", "answer set");
	for (uint32_t i = 0; i < d->n_resp && i < TIMELINE_MAX; i++) {
		const struct store_response *r = &d->resp[i];
		const uint32_t *m;
		uint32_t n, shown = 0, fresh = 0;
		int used;
		char ttl[32];
		m = store_set_members(st, r->aset, &n);
		if (n == 0)
			snprintf(ttl, sizeof ttl, "-");
		else if (r->ttl_min == r->ttl_max)
			snprintf(ttl, sizeof ttl, "%u", r->ttl_min);
		else
			snprintf(ttl, sizeof ttl, "%u-%u", r->ttl_min, r->ttl_max);
		sb.n = 0;
		sb_addf(&sb, "%-*s %7s  %-8s ", wd ? 14 : 10, app_fmt_time(r->ts, wd, t1, sizeof t1), ttl,
		        dns_rcode_name(r->rcode, rc));
		used = (int)sb.n + 2;
		if (n == 0)
			sb_addf(&sb, M "%s" MEND, MR(UI_ROLE_DIM),
			        r->flags & STORE_RESP_REFERRAL ? "(referral)" :
			        r->flags & STORE_RESP_NODATA ? "(no data)" : "(no addresses)");
		for (uint32_t j = 0; j < n; j++) {
			bool isnew = m[j] < nseen && !seen[m[j]];
			addr_str(st, m[j], a1, sizeof a1);
			if (isnew) {
				seen[m[j]] = 1;
				fresh++;
			}
			if (used + (int)strlen(a1) + 12 > ctx->width && shown > 0)
				continue;
			if (isnew)
				sb_addf(&sb, M "%s" MEND " ", MR(UI_ROLE_NEW), a1);
			else
				sb_addf(&sb, "%s ", a1);
			used += (int)strlen(a1) + 1;
			shown++;
		}
		if (shown < n)
			sb_addf(&sb, M "+%u more (%u new)" MEND, MR(UI_ROLE_DIM), n - shown, fresh);
		if (r->cname != 0 && n > 0 && used + 8 < ctx->width)
			sb_addf(&sb, M " via %s" MEND, MR(UI_ROLE_DIM), clean(store_name_str(st, r->cname), cb, sizeof cb));
		if (r->vantage != 0)   /* a feed's message: who saw it (resolver identity, type) */
			sb_addf(&sb, M "  seen by %s" MEND, MR(UI_ROLE_DIM),
			        clean(store_vantage(st, r->vantage, NULL), cb, sizeof cb));
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", sb.b);
	}
	if (d->n_resp > TIMELINE_MAX)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "(%u more responses not listed)", d->n_resp - TIMELINE_MAX);
	free(seen);
	free(sb.b);
}

/* ---- Spread ------------------------------------------------------------------------------- */

struct agg {
	uint32_t asn;
	char cc[3];
	const char *label;
	uint32_t n;
};

static int
cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return strcmp(x->cc, y->cc);
}

static void
bars(const struct detail_ctx *ctx, struct dlines *out, struct agg *a, size_t n, uint32_t total,
     bool by_asn)
{
	int barw = ctx->width - 60;
	char cb[256];
	if (barw > 40)
		barw = 40;
	if (barw < 4)
		barw = 4;
	qsort(a, n, sizeof *a, cmp_agg);
	for (size_t i = 0; i < n && i < 10; i++) {
		char bar[200] = "";
		int len = total ? (int)((double)a[i].n / a[0].n * barw + 0.5) : 0;
		for (int k = 0; k < len && k < 60; k++)
			strcat(bar, ctx->unicode ? "\xe2\x96\x88" : "#");
		if (by_asn) {
			char as[16];
			snprintf(as, sizeof as, a[i].asn ? "AS%u" : "unknown", a[i].asn);
			dlines_add(out, a[i].asn ? DL_ASN : DL_TEXT, a[i].asn, UI_ROLE_DEFAULT,
			           "  %-9s %-24.24s %5u %5.1f%% " M "%s" MEND, as,
			           a[i].asn ? clean(a[i].label, cb, sizeof cb) : "", a[i].n,
			           100.0 * a[i].n / total, MR(UI_ROLE_BAR), bar);
		} else
			dlines_add(out, a[i].cc[0] ? DL_COUNTRY : DL_TEXT,
			           a[i].cc[0] ? (uint32_t)((unsigned char)a[i].cc[0] << 8 | (unsigned char)a[i].cc[1]) : 0,
			           UI_ROLE_DEFAULT, "  %-9s %5u %5.1f%% " M "%s" MEND,
			           a[i].cc[0] ? a[i].cc : "unknown", a[i].n, 100.0 * a[i].n / total,
			           MR(UI_ROLE_BAR), bar);
	}
	if (n > 10)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  … and %zu more", n - 10);
}

static void
spread(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	struct geo_addr_row *rows = NULL;
	struct geo_spread sp;
	struct agg *by_asn, *by_cc;
	size_t n, na = 0, nc = 0;
	char a1[FS_ADDR_STRLEN], t1[32], t2[32], cb[256], cb2[256];
	bool wd;

	if (d == NULL)
		return;
	if (ctx->geo == NULL) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "No enrichment (--no-geoip): addresses only.");
		memset(&sp, 0, sizeof sp);
		n = 0;
	} else
		n = geo_domain_spread(ctx->geo, st, dom, &rows, &sp);
	wd = span_days(ctx, d->first_seen, d->last_seen);
	if (ctx->geo != NULL) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           M "%u" MEND " addresses, " M "%u" MEND " ASNs, " M "%u" MEND " countries, %u cities, "
		           "%u networks%s",
		           MR(UI_ROLE_VALUE), sp.n_addrs, MR(UI_ROLE_VALUE), sp.n_asns, MR(UI_ROLE_VALUE),
		           sp.n_countries, sp.n_cities, sp.n_networks,
		           sp.n_located >= 2 ? "" : "");
		if (sp.n_located >= 2)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
			           "ASN entropy %.2f bits, country entropy %.2f bits, %.0f km between the farthest two",
			           sp.asn_entropy, sp.country_entropy, sp.max_km);
		else
			dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "ASN entropy %.2f bits, country entropy %.2f bits",
			           sp.asn_entropy, sp.country_entropy);
	}
	by_asn = xcalloc(n ? n : 1, sizeof *by_asn);
	by_cc = xcalloc(n ? n : 1, sizeof *by_cc);
	for (size_t i = 0; i < n; i++) {
		const struct geo_info *g = rows[i].info;
		size_t k;
		for (k = 0; k < na && by_asn[k].asn != g->asn; k++)
			;
		if (k == na)
			by_asn[na++] = (struct agg){ g->asn, "", g->as_org, 0 };
		by_asn[k].n++;
		for (k = 0; k < nc && strcmp(by_cc[k].cc, g->country) != 0; k++)
			;
		if (k == nc) {
			by_cc[nc] = (struct agg){ 0, "", "", 0 };
			memcpy(by_cc[nc].cc, g->country, 3);
			nc++;
		}
		by_cc[k].n++;
	}
	if (n > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "By ASN (Enter: every domain in that ASN)");
		bars(ctx, out, by_asn, na, (uint32_t)n, true);
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "By country");
		bars(ctx, out, by_cc, nc, (uint32_t)n, false);
	}
	free(by_asn);
	free(by_cc);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Addresses (Enter: the domains using it)");
	/* the address column is as wide as the longest address (IPv4 only: 15) */
	int aw = 7;
	for (uint32_t i = 0; i < d->n_addrs; i++) {
		int w = (int)strlen(addr_str(st, d->addrs[i].addr, a1, sizeof a1));
		if (w > aw)
			aw = w;
	}
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-*s %-9s %-22s %-2s %-14s %-*s %-*s %6s",
	           aw, "address", "ASN", "organisation", "cc", "city", wd ? 14 : 8, "first", wd ? 14 : 8,
	           "last", "count");
	if (ctx->geo != NULL) {
		for (size_t i = 0; i < n; i++) {
			const struct geo_info *g = rows[i].info;
			char as[16];
			store_addr_id id = store_addr_find(st, &rows[i].addr);
			snprintf(as, sizeof as, g->asn ? "AS%u" : "-", g->asn);
			dlines_add(out, DL_ADDR, id, UI_ROLE_DEFAULT, "  %-*s %-9s %-22.22s %-2s %-14.14s %s %s %6u",
			           aw, fs_addr_str(&rows[i].addr, a1, sizeof a1), as,
			           g->as_org[0] ? clean(g->as_org, cb, sizeof cb) : "-",
			           g->country[0] ? g->country : "-",
			           g->city[0] ? clean(g->city, cb2, sizeof cb2) : "-",
			           app_fmt_time(rows[i].first_seen, wd, t1, sizeof t1),
			           app_fmt_time(rows[i].last_seen, wd, t2, sizeof t2), rows[i].count);
		}
	} else {
		for (uint32_t i = 0; i < d->n_addrs; i++) {
			const struct store_dom_addr *da = &d->addrs[i];
			dlines_add(out, DL_ADDR, da->addr, UI_ROLE_DEFAULT, "  %-*s %-9s %-22s %-2s %-14s %s %s %6u",
			           aw, addr_str(st, da->addr, a1, sizeof a1), "-", "-", "-", "-",
			           app_fmt_time(da->first_seen, wd, t1, sizeof t1),
			           app_fmt_time(da->last_seen, wd, t2, sizeof t2), da->count);
		}
	}
	if (d->n_addrs == 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  (no addresses)");
	free(rows);
}

/* ---- Nameservers -------------------------------------------------------------------------- */

static bool
in_set(const uint32_t *m, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (m[i] == v)
			return true;
	return false;
}

static void
nameservers(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom), *zd = d;
	store_name_id zone = 0;
	store_set_id cur = store_domain_nsset(st, dom, &zone);
	uint32_t *names = NULL, nnames = 0;
	char t1[32], a1[FS_ADDR_STRLEN], cb[512];
	struct sbuf sb = { 0 };
	bool wd;

	if (d == NULL)
		return;
	/* Observations: the domain's own, else those of the zone that answers for it. */
	if (d->n_ns == 0 && zone != 0) {
		store_dom_id zid = store_domain_by_name(st, zone);
		if (zid != 0 && store_domain(st, zid) != NULL)
			zd = store_domain(st, zid);
	}
	wd = span_days(ctx, zd->first_seen, zd->last_seen);
	if (cur != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Delegated by " M "%s" MEND " to %u nameservers; "
		           M "%u" MEND " NS-set changes seen", MR(UI_ROLE_VALUE),
		           clean(store_name_str(st, zone), cb, sizeof cb), store_set_size(st, cur),
		           MR(UI_ROLE_VALUE), store_domain_ns_changes(st, dom));
	else
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM,
		           "No NS records for this name or its zones in the capture (a client-side capture "
		           "sees them only when resolvers add an authority section).");
	if (zd->n_ns > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "NS sets over time%s (names new to the zone highlighted)",
		           zd != d ? " of the enclosing zone" : "");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-*s %-24s %7s  %s", wd ? 14 : 10, "time (UTC)", "zone",
		           "TTL", "nameservers");
	}
	for (uint32_t i = 0; i < zd->n_ns; i++) {
		const struct store_ns_obs *o = &zd->ns[i];
		const uint32_t *m, *pm = NULL;
		uint32_t n, pn = 0;
		int prev = -1;
		m = store_set_members(st, o->nsset, &n);
		for (int k = (int)i - 1; k >= 0; k--)
			if (zd->ns[k].zone == o->zone) {
				prev = k;
				break;
			}
		if (prev >= 0)
			pm = store_set_members(st, zd->ns[prev].nsset, &pn);
		sb.n = 0;
		/* "*" marks an observation that changed the zone's NS set */
		if (prev >= 0)
			sb_addf(&sb, M "*" MEND " ", MR(UI_ROLE_CHANGE));
		else
			sb_addf(&sb, "  ");
		sb_addf(&sb, "%-*s %-24.24s %7u  ", wd ? 14 : 10, app_fmt_time(o->ts, wd, t1, sizeof t1),
		        clean(store_name_str(st, o->zone), cb, sizeof cb), o->ttl);
		for (uint32_t j = 0; j < n; j++) {
			bool added = prev >= 0 && !in_set(pm, pn, m[j]);
			if (added)
				sb_addf(&sb, M "+%s" MEND " ", MR(UI_ROLE_CHANGE), clean(store_name_str(st, m[j]), cb, sizeof cb));
			else
				sb_addf(&sb, "%s ", clean(store_name_str(st, m[j]), cb, sizeof cb));
			if (!in_set(names, nnames, m[j])) {
				names = xreallocarray(names, nnames + 1, sizeof *names);
				names[nnames++] = m[j];
			}
		}
		for (uint32_t j = 0; j < pn; j++)
			if (!in_set(m, n, pm[j]))
				sb_addf(&sb, M "-%s" MEND " ", MR(UI_ROLE_DIM), clean(store_name_str(st, pm[j]), cb, sizeof cb));
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", sb.b);
	}
	if (cur != 0) {
		uint32_t n;
		const uint32_t *m = store_set_members(st, cur, &n);
		for (uint32_t j = 0; j < n; j++)
			if (!in_set(names, nnames, m[j])) {
				names = xreallocarray(names, nnames + 1, sizeof *names);
				names[nnames++] = m[j];
			}
	}
	if (nnames > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Nameservers with their addresses (Enter: the domains they serve)");
	}
	for (uint32_t i = 0; i < nnames; i++) {
		const struct store_nsname *ns = store_nsname_by_name(st, names[i]);
		sb.n = 0;
		sb_addf(&sb, "  %-32s", clean(store_name_str(st, names[i]), cb, sizeof cb));
		if (ns == NULL || ns->n_glue == 0)
			sb_addf(&sb, M " no address seen" MEND, MR(UI_ROLE_DIM));
		else
			sb_addf(&sb, " %u address%s, serves %u domain%s", ns->n_glue, ns->n_glue == 1 ? "" : "es",
			        ns->n_domains, ns->n_domains == 1 ? "" : "s");
		dlines_add(out, DL_NS, names[i], UI_ROLE_DEFAULT, "%s", sb.b);
		for (uint32_t j = 0; ns != NULL && j < ns->n_glue && j < 50; j++) {
			const struct store_dom_addr *g = &ns->glue[j];
			const struct store_addr *sa = store_addr(st, g->addr);
			const struct geo_info *gi = ctx->geo != NULL && sa != NULL ? geo_lookup(ctx->geo, &sa->addr) : NULL;
			char as[96];
			if (gi != NULL && gi->asn)
				snprintf(as, sizeof as, "AS%u %.40s %s", gi->asn, clean(gi->as_org, cb, sizeof cb), gi->country);
			else
				snprintf(as, sizeof as, "%s", gi != NULL && gi->country[0] ? gi->country : "");
			addr_str(st, g->addr, a1, sizeof a1);
			dlines_add(out, DL_ADDR, g->addr, UI_ROLE_DEFAULT, "      %-*s %-50s %s",
			           (int)strlen(a1) > 15 ? 39 : 15, a1, as,
			           app_fmt_time(g->last_seen, wd, t1, sizeof t1));
		}
		if (ns != NULL && ns->n_glue > 50)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "      … %u more addresses", ns->n_glue - 50);
	}
	free(names);
	free(sb.b);
}

/* ---- Related ------------------------------------------------------------------------------ */

struct rel {
	uint32_t dom;
	uint32_t n_addr, n_ns;
	uint32_t first_addr, first_ns;   /* one shared item of each kind, for the line */
};

static int
cmp_rel(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;
	uint32_t sx = x->n_addr + x->n_ns, sy = y->n_addr + y->n_ns;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

static struct rel *
rel_get(struct rel **tab, uint32_t *cap, uint32_t *n, uint32_t *idx, uint32_t nidx, uint32_t dom)
{
	/* idx maps a domain id to its slot + 1 */
	if (dom >= nidx)
		return NULL;
	if (idx[dom] == 0) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*tab = xreallocarray(*tab, *cap, sizeof **tab);
		}
		(*tab)[*n] = (struct rel){ dom, 0, 0, 0, 0 };
		idx[dom] = ++*n;
	}
	return &(*tab)[idx[dom] - 1];
}

static void
related(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	uint32_t nidx = (uint32_t)store_domain_count(st) + 1, n = 0, cap = 0;
	uint32_t *idx, *nsnames = NULL, nns = 0;
	struct rel *tab = NULL;
	char a1[FS_ADDR_STRLEN], cb[512], cb2[512];
	bool truncated = false;

	if (d == NULL)
		return;
	idx = xcalloc(nidx, sizeof *idx);
	for (uint32_t i = 0; i < d->n_addrs; i++) {
		const struct store_addr *a = store_addr(st, d->addrs[i].addr);
		if (a == NULL)
			continue;
		for (uint32_t j = 0; j < a->n_domains; j++) {
			struct rel *r;
			if (j >= FANOUT_MAX) {
				truncated = true;
				break;
			}
			if (a->domains[j] == dom || (r = rel_get(&tab, &cap, &n, idx, nidx, a->domains[j])) == NULL)
				continue;
			if (r->n_addr++ == 0)
				r->first_addr = d->addrs[i].addr;
		}
	}
	/* NS names: every set the domain (or its zone) was seen with */
	{
		store_name_id zone = 0;
		store_set_id cur = store_domain_nsset(st, dom, &zone);
		uint32_t k;
		const uint32_t *m = store_set_members(st, cur, &k);
		for (uint32_t j = 0; j < k; j++) {
			nsnames = xreallocarray(nsnames, nns + 1, sizeof *nsnames);
			nsnames[nns++] = m[j];
		}
		for (uint32_t i = 0; i < d->n_ns; i++) {
			m = store_set_members(st, d->ns[i].nsset, &k);
			for (uint32_t j = 0; j < k; j++)
				if (!in_set(nsnames, nns, m[j])) {
					nsnames = xreallocarray(nsnames, nns + 1, sizeof *nsnames);
					nsnames[nns++] = m[j];
				}
		}
	}
	for (uint32_t i = 0; i < nns; i++) {
		const struct store_nsname *ns = store_nsname_by_name(st, nsnames[i]);
		if (ns == NULL)
			continue;
		for (uint32_t j = 0; j < ns->n_domains; j++) {
			struct rel *r;
			if (j >= FANOUT_MAX) {
				truncated = true;
				break;
			}
			if (ns->domains[j] == dom || (r = rel_get(&tab, &cap, &n, idx, nidx, ns->domains[j])) == NULL)
				continue;
			if (r->n_ns++ == 0)
				r->first_ns = nsnames[i];
		}
	}
	if (n > 0)
		qsort(tab, n, sizeof *tab, cmp_rel);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, M "%u" MEND " domains share addresses or nameservers with %s%s",
	           MR(UI_ROLE_VALUE), n, clean(store_name_str(st, d->name), cb, sizeof cb),
	           truncated ? " (widely shared items read in part)" : "");
	if (n > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-11s %6s %-36s %s", "verdict", "score", "domain",
		           "shared");
	}
	for (uint32_t i = 0; i < n && i < RELATED_MAX; i++) {
		const struct rel *r = &tab[i];
		uint32_t ri = snap_find_dom(ctx->snap, r->dom);
		const struct snap_row *row = ri != UINT32_MAX ? &ctx->snap->dom.rows[ri] : NULL;
		const struct store_domain *od = store_domain(st, r->dom);
		struct sbuf sb = { 0 };
		if (od == NULL)
			continue;
		if (r->n_addr > 0)
			sb_addf(&sb, "%u address%s (%s%s)", r->n_addr, r->n_addr == 1 ? "" : "es",
			        addr_str(st, r->first_addr, a1, sizeof a1), r->n_addr > 1 ? ", …" : "");
		if (r->n_ns > 0)
			sb_addf(&sb, "%s%u nameserver%s (%s%s)", r->n_addr ? "; " : "", r->n_ns,
			        r->n_ns == 1 ? "" : "s", clean(store_name_str(st, r->first_ns), cb2, sizeof cb2),
			        r->n_ns > 1 ? ", …" : "");
		dlines_add(out, DL_DOMAIN, r->dom, UI_ROLE_DEFAULT, "  " M "%-11s" MEND " %6.1f %-36s %s",
		           MR(app_verdict_role(row != NULL ? row->verdict : 0)),
		           row != NULL ? snap_verdict_name(row->verdict) : "-", row != NULL ? row->score : 0.0,
		           clean(store_name_str(st, od->name), cb, sizeof cb), sb.b != NULL ? sb.b : "");
		free(sb.b);
	}
	if (n > RELATED_MAX)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  … %u more", n - RELATED_MAX);
	free(tab);
	free(idx);
	free(nsnames);
}

void
detail_build(const struct detail_ctx *ctx, uint32_t dom, int tab, struct dlines *out)
{
	uint32_t ri = snap_find_dom(ctx->snap, dom);

	dlines_clear(out);
	if (ri == UINT32_MAX) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "This domain is not in the current data.");
		return;
	}
	if (tab == DTAB_SUMMARY) {
		summary(ctx, dom, &ctx->snap->dom.rows[ri], out);
		return;
	}
	if (ctx->store == NULL || store_domain(ctx->store, dom) == NULL) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "No observations for this domain in the store.");
		return;
	}
	switch (tab) {
	case DTAB_TIMELINE: timeline(ctx, dom, out); break;
	case DTAB_SPREAD: spread(ctx, dom, out); break;
	case DTAB_NS: nameservers(ctx, dom, out); break;
	case DTAB_RELATED: related(ctx, dom, out); break;
	}
}

/* ---- Pivots ------------------------------------------------------------------------------- */

static uint32_t
uniq(uint32_t *v, uint32_t n)
{
	uint32_t k = 0;
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_u32);
	for (uint32_t i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

static void
push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

uint32_t
detail_pivot(const struct detail_ctx *ctx, int kind, uint32_t key, uint32_t **ids, char *label,
             size_t len)
{
	const struct store *st = ctx->store;
	uint32_t n = 0, cap = 0;
	char a1[FS_ADDR_STRLEN], cb[256];

	*ids = NULL;
	snprintf(label, len, "?");
	if (st == NULL)
		return 0;
	switch (kind) {
	case DL_ADDR: {
		const struct store_addr *a = store_addr(st, key);
		if (a == NULL)
			return 0;
		snprintf(label, len, "%s", fs_addr_str(&a->addr, a1, sizeof a1));
		for (uint32_t i = 0; i < a->n_domains; i++)
			push(ids, &n, &cap, a->domains[i]);
		/* a nameserver address also leads to the domains that nameserver serves */
		for (uint32_t i = 0; i < a->n_ns_names; i++) {
			const struct store_nsname *ns = store_nsname_by_name(st, a->ns_names[i]);
			for (uint32_t j = 0; ns != NULL && j < ns->n_domains; j++)
				push(ids, &n, &cap, ns->domains[j]);
		}
		break;
	}
	case DL_NS: {
		const struct store_nsname *ns = store_nsname_by_name(st, key);
		snprintf(label, len, "NS %s", clean(store_name_str(st, key), cb, sizeof cb));
		for (uint32_t i = 0; ns != NULL && i < ns->n_domains; i++)
			push(ids, &n, &cap, ns->domains[i]);
		for (uint32_t i = 0; ns != NULL && i < ns->n_zones; i++) {
			store_dom_id z = store_domain_by_name(st, ns->zones[i]);
			if (z != 0)
				push(ids, &n, &cap, z);
		}
		break;
	}
	case DL_ASN:
	case DL_COUNTRY: {
		size_t na = store_addr_count(st);
		char cc[3] = { (char)(key >> 8), (char)(key & 0xff), 0 };
		const char *org = "";
		if (ctx->geo == NULL)
			return 0;
		for (store_addr_id id = 1; id <= na; id++) {
			const struct store_addr *a = store_addr(st, id);
			const struct geo_info *g;
			if (a == NULL || a->n_domains == 0)
				continue;
			g = geo_lookup(ctx->geo, &a->addr);
			if (kind == DL_ASN ? g->asn != key : strcmp(g->country, cc) != 0)
				continue;
			if (kind == DL_ASN && org[0] == '\0')
				org = g->as_org;
			for (uint32_t i = 0; i < a->n_domains; i++)
				push(ids, &n, &cap, a->domains[i]);
		}
		if (kind == DL_ASN)
			snprintf(label, len, "AS%u%s%.40s", key, org[0] ? " " : "", clean(org, cb, sizeof cb));
		else
			snprintf(label, len, "country %s", cc);
		break;
	}
	default:
		return 0;
	}
	return uniq(*ids, n);
}
